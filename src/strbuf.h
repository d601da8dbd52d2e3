/* Internal: a growable string for building reports. Not installed. */
#ifndef CONCBENCH_STRBUF_H
#define CONCBENCH_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "concbench/error.h"

/* A NUL-terminated string that grows as it is appended to. A failed
 * allocation sets failed and turns every later append into a no-op, so
 * callers append freely and check once in cb_strbuf_finish(). */
struct cb_strbuf {
    char *buf;
    size_t len, cap;
    bool failed;
};

/* Makes sb empty. Can't fail (allocates on the first append). */
void cb_strbuf_init(struct cb_strbuf *sb);

/* Appends s[0..n). On allocation failure sets sb->failed. */
void cb_strbuf_append(struct cb_strbuf *sb, const char *s, size_t n);

/* Appends the NUL-terminated s. On allocation failure sets sb->failed. */
void cb_strbuf_puts(struct cb_strbuf *sb, const char *s);

/* Appends n copies of c. On allocation failure sets sb->failed. */
void cb_strbuf_repeat(struct cb_strbuf *sb, char c, size_t n);

/* Appends printf-formatted text. On allocation failure sets sb->failed. */
void cb_strbuf_printf(struct cb_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Hands the string over to the caller (who frees it) and leaves sb
 * empty. If any append failed, frees the string, sets err and returns
 * NULL. */
char *cb_strbuf_finish(struct cb_strbuf *sb, struct cb_error *err);

/* Frees what sb holds and leaves it empty. Can't fail. */
void cb_strbuf_free(struct cb_strbuf *sb);

/* Returns the number of terminal columns s takes: UTF-8 continuation
 * bytes take none ("µs" is 2 columns). Can't fail. */
size_t cb_strbuf_width(const char *s);

#endif
