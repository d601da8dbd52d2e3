/* One-line error messages that library code fills and main.c prints. */
#ifndef CONCBENCH_ERROR_H
#define CONCBENCH_ERROR_H

#define CB_ERROR_MAX 512

/* A library call that fails writes one line (no newline) here. */
struct cb_error {
    char msg[CB_ERROR_MAX];
};

/* Formats a message into err (truncating if needed); control characters
 * (C0, DEL, C1: newlines, escapes) and bytes that are not UTF-8 become
 * '?', so the message is always one clean line. err
 * may be NULL, in which case nothing happens. Can't fail. */
void cb_error_set(struct cb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
