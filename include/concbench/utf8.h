/* The one text form of every string concbench writes: valid UTF-8, no
 * control characters, and every byte of the original recoverable.
 *
 * Escaping: each byte that is not part of a valid UTF-8 character (RFC
 * 3629: no overlongs, no surrogates, nothing above U+10FFFF), and each
 * byte of a control character (U+0000-U+001F, U+007F, U+0080-U+009F), is
 * written as \xNN (two lowercase hex digits). A backslash is written as
 * \\ when what follows it would otherwise read as an escape (a backslash,
 * an escaped byte, or x and two hex digits); anywhere else it stays one
 * backslash. Everything else is copied, so text that is already clean is
 * written unchanged.
 * Unescaping, left to right: \\ is one backslash, \xNN (hex, either case)
 * is the byte NN, and anything else is itself. */
#ifndef CONCBENCH_UTF8_H
#define CONCBENCH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 character at s[0..avail), or 0 if s does not
 * start with one (avail 0 included). Can't fail. */
size_t cb_utf8_len(const unsigned char *s, size_t avail);

/* Writes src escaped to dst, at most size bytes with the terminating NUL
 * (nothing when size is 0), never cutting an escape or a character in
 * half. Returns the length the whole escaped text takes, as snprintf does:
 * a return >= size means dst holds a prefix. Can't fail. */
size_t cb_utf8_escape(char *dst, size_t size, const char *src);

/* src escaped, malloc'd for the caller to free; NULL when memory runs
 * out. */
char *cb_utf8_escape_dup(const char *src);

/* True when s is clean text: valid UTF-8 without control characters, i.e.
 * what cb_utf8_escape writes. Can't fail. */
bool cb_utf8_is_text(const char *s);

/* Undoes cb_utf8_escape: writes the original bytes of src to dst, which
 * must hold strlen(src) + 1 bytes, and a NUL after them. Returns their
 * number (a \x00 in src yields a NUL inside them). Can't fail. */
size_t cb_utf8_unescape(char *dst, const char *src);

#endif
