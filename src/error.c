#include "concbench/error.h"

#include <stdarg.h>
#include <stdio.h>

void cb_error_set(struct cb_error *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* Messages quote user input (arguments, file names): a newline or a
     * terminal escape in it must not break the one-line promise. */
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}
