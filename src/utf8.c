#include "concbench/utf8.h"

#include <stdlib.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

size_t cb_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c;
    size_t n;

    if (avail == 0)
        return 0;
    c = s[0];
    n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
      : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || n > avail)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

/* The unit at s: a character copied as it is (returns its length, *esc
 * false), or bytes written as \xNN each (*esc true): one byte that is not
 * UTF-8, or the one or two bytes of a control character. */
static size_t unit(const unsigned char *s, size_t avail, bool *esc)
{
    size_t n = cb_utf8_len(s, avail);

    *esc = n == 0 || s[0] < 0x20 || s[0] == 0x7F || (s[0] == 0xC2 && s[1] < 0xA0);
    return n == 0 ? 1 : n;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Whether a backslash before s would read as the start of an escape. */
static bool backslash_needs_double(const unsigned char *s, size_t avail)
{
    bool esc;

    if (avail == 0)
        return false;
    if (s[0] == '\\' || (s[0] == 'x' && avail >= 3 && is_hex(s[1]) && is_hex(s[2])))
        return true;
    unit(s, avail, &esc);
    return esc;
}

/* Appends len bytes to dst if they fit with a NUL after them; *full
 * stops every later unit, so nothing is written past a cut. */
static void put(char *dst, size_t size, size_t *at, bool *full, const char *p, size_t len)
{
    if (!*full && *at + len < size)
        memcpy(dst + *at, p, len);
    else
        *full = true;
    *at += len;
}

size_t cb_utf8_escape(char *dst, size_t size, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t avail = strlen(src), at = 0, kept = 0;
    bool full = size == 0, esc;

    for (size_t i = 0; i < avail;) {
        size_t n = unit(s + i, avail - i, &esc);

        if (s[i] == '\\' && backslash_needs_double(s + i + 1, avail - i - 1))
            put(dst, size, &at, &full, "\\\\", 2);
        else if (!esc)
            put(dst, size, &at, &full, src + i, n);
        for (size_t k = 0; esc && k < n; k++) {
            char e[4] = { '\\', 'x', hex[s[i + k] >> 4], hex[s[i + k] & 15] };

            put(dst, size, &at, &full, e, 4);
        }
        kept = full ? kept : at;
        i += n;
    }
    if (size)
        dst[kept] = '\0';
    return at;
}

char *cb_utf8_escape_dup(const char *src)
{
    size_t len = cb_utf8_escape(NULL, 0, src);
    char *out = malloc(len + 1);

    if (out)
        cb_utf8_escape(out, len + 1, src);
    return out;
}

bool cb_utf8_is_text(const char *s)
{
    size_t avail = strlen(s);
    bool esc;

    for (size_t i = 0; i < avail;) {
        i += unit((const unsigned char *)s + i, avail - i, &esc);
        if (esc)
            return false;
    }
    return true;
}

static unsigned hex_value(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

size_t cb_utf8_unescape(char *dst, const char *src)
{
    size_t n = 0;

    for (const char *p = src; *p; p++) {
        if (p[0] == '\\' && p[1] == '\\') {
            p++;
        } else if (p[0] == '\\' && p[1] == 'x' && is_hex((unsigned char)p[2]) &&
                   is_hex((unsigned char)p[3])) {
            dst[n++] = (char)(hex_value(p[2]) << 4 | hex_value(p[3]));
            p += 3;
            continue;
        }
        dst[n++] = *p;
    }
    dst[n] = '\0';
    return n;
}
