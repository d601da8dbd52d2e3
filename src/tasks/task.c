#include "concbench/task.h"

#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const struct cb_task *cb_task_find(const char *name)
{
    for (size_t i = 0; cb_tasks[i]; i++)
        if (strcmp(cb_tasks[i]->name, name) == 0)
            return cb_tasks[i];
    return NULL;
}

/* "mutex, spin, semaphore": the names a choice accepts. */
static void choice_names(const struct cb_param_desc *d, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; d->choice(i) && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", d->choice(i));

        used += n > 0 ? (size_t)n : len;
    }
}

int cb_task_check(const struct cb_task *task, const struct cb_params *p,
                  struct cb_error *err)
{
    for (const struct cb_param_desc *d = task->params; d && d->flag; d++) {
        uint64_t v = cb_params_get(p, d);

        if (d->kind == CB_PARAM_CHOICE && !d->choice(v)) {
            char names[256];

            choice_names(d, names, sizeof names);
            cb_error_set(err, "--%s: %" PRIu64 " is not a %s; accepted: %s", d->flag, v,
                         d->noun ? d->noun : d->flag, names);
            return -1;
        }
        if (d->kind != CB_PARAM_CHOICE && d->kind != CB_PARAM_FLAG &&
            (v < d->min || v > d->max)) {
            const char *unit = d->kind == CB_PARAM_DURATION ? " ns"
                             : d->kind == CB_PARAM_SIZE ? " bytes" : "";

            cb_error_set(err, "--%s: %" PRIu64 "%s is out of range; accepted: "
                         "%" PRIu64 " to %" PRIu64 "%s", d->flag, v, unit,
                         d->min, d->max, unit);
            return -1;
        }
    }
    return task->check ? task->check(p, err) : 0;
}

int cb_task_run_begin(const struct cb_task *task, const struct cb_params *p,
                      uint32_t jobs, bool pshared, struct cb_task_run *run,
                      struct cb_error *err)
{
    void *m;

    run->state = NULL;
    run->fd = -1;
    run->size = task->state_bytes ? task->state_bytes(p, jobs) : task->state_size;
    if (run->size == 0)
        return 0;
    /* MAP_SHARED before any fork: forked workers see the same lock and
     * counter as the parent; a memfd, so that a spawned one maps it too. */
    run->fd = memfd_create("concbench-state", MFD_CLOEXEC);
    m = run->fd < 0 || ftruncate(run->fd, (off_t)run->size) != 0
            ? MAP_FAILED
            : mmap(NULL, run->size, PROT_READ | PROT_WRITE, MAP_SHARED, run->fd, 0);
    if (m == MAP_FAILED) {
        cb_error_set(err, "%s: cannot map the shared state: %s", task->name,
                     strerror(errno));
        if (run->fd >= 0)
            close(run->fd);
        run->fd = -1;
        return -1;
    }
    if (task->setup && task->setup(m, p, jobs, pshared, err) != 0) {
        munmap(m, run->size);
        close(run->fd);
        run->fd = -1;
        return -1;
    }
    run->state = m;
    return 0;
}

bool cb_task_run_end(const struct cb_task *task, struct cb_task_run *run,
                     uint64_t *total)
{
    bool has = false;

    if (!run->state)
        return false;
    /* Teardown first: it may end what still counts (a consumer thread). */
    if (task->teardown)
        task->teardown(run->state);
    if (task->total) {
        *total = task->total(run->state);
        has = true;
    }
    munmap(run->state, run->size);
    if (run->fd >= 0)
        close(run->fd);
    run->fd = -1;
    run->state = NULL;
    return has;
}

bool cb_task_total_measured(const struct cb_task *task, const struct cb_params *p)
{
    return task->total_measured && task->total_measured(p);
}

uint64_t cb_task_iterations(const struct cb_params *p)
{
    return p->iterations;
}
