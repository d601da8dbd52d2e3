/* The growable string buffer of strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_strbuf_init(struct cb_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

static bool grow(struct cb_strbuf *sb, size_t n)
{
    size_t cap = sb->cap ? sb->cap : 256;
    char *p;

    if (sb->failed || n > SIZE_MAX / 2 - sb->len) {
        sb->failed = true;
        return false;
    }
    if (sb->len + n + 1 <= sb->cap)
        return true;
    while (cap < sb->len + n + 1)
        cap *= 2;
    p = realloc(sb->buf, cap);
    if (!p) {
        sb->failed = true;
        return false;
    }
    sb->buf = p;
    sb->cap = cap;
    return true;
}

void cb_strbuf_append(struct cb_strbuf *sb, const char *s, size_t n)
{
    if (!grow(sb, n))
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void cb_strbuf_puts(struct cb_strbuf *sb, const char *s)
{
    cb_strbuf_append(sb, s, strlen(s));
}

void cb_strbuf_repeat(struct cb_strbuf *sb, char c, size_t n)
{
    if (!grow(sb, n))
        return;
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void cb_strbuf_printf(struct cb_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if (!grow(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *cb_strbuf_finish(struct cb_strbuf *sb, struct cb_error *err)
{
    char *s;

    /* An empty report is still a valid string. */
    if (!sb->failed && !sb->buf)
        grow(sb, 0);
    if (sb->failed || !sb->buf) {
        cb_strbuf_free(sb);
        cb_error_set(err, "out of memory rendering the report");
        return NULL;
    }
    sb->buf[sb->len] = '\0';
    s = sb->buf;
    cb_strbuf_init(sb);
    return s;
}

void cb_strbuf_free(struct cb_strbuf *sb)
{
    free(sb->buf);
    cb_strbuf_init(sb);
}

size_t cb_strbuf_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}
