#include "concbench/runner.h"

#include <string.h>

const struct cb_runner *const cb_runners[] = {
    &cb_runner_threads,
    &cb_runner_processes,
    &cb_runner_serial,
    NULL,
};

const char *cb_pin_name(size_t i)
{
    static const char *const names[] = { "none", "spread", "compact" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

const struct cb_runner *cb_runner_find(const char *name)
{
    for (size_t i = 0; cb_runners[i]; i++)
        if (strcmp(cb_runners[i]->name, name) == 0)
            return cb_runners[i];
    return NULL;
}
