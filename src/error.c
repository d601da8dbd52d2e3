#include "concbench/error.h"

#include <stdarg.h>
#include <stdio.h>

#include "concbench/utf8.h"

/* Whether the character of n bytes at p is a control character: C0, DEL,
 * or C1 (U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8). */
static int is_control(const unsigned char *p, size_t n)
{
    return (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) ||
           (n == 2 && p[0] == 0xC2 && p[1] < 0xA0);
}

void cb_error_set(struct cb_error *err, const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* Messages quote user input (arguments, file names): a newline or a
     * terminal escape in it must not break the one-line promise, nor a
     * byte that is not UTF-8 (a lone 0x9B is CSI to an 8-bit terminal). */
    len = 0;
    while (err->msg[len])
        len++;
    for (size_t i = 0; i < len;) {
        unsigned char *p = (unsigned char *)err->msg + i;
        size_t n = cb_utf8_len(p, len - i);

        if (n == 0 || is_control(p, n)) {
            for (size_t k = 0; k < (n ? n : 1); k++)
                p[k] = '?';
        }
        i += n ? n : 1;
    }
}
