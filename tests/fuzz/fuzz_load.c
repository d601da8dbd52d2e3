/* libFuzzer target: the result-file loader must refuse any input with one
 * error line, never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "concbench/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_loaded l;
    struct cb_error err = { "" };

    if (cb_load_text("fuzz.json", (const char *)data, size, &l, &err) == 0)
        cb_load_free(&l);
    else if (err.msg[0] == '\0' || strchr(err.msg, '\n'))
        __builtin_trap(); /* an error must be exactly one line */
    return 0;
}
