/* cb_utf8: the escaped text form of every string concbench writes. */
#include "cb_test.h"

#include <stdio.h>
#include <string.h>

#include "concbench/utf8.h"

static void check_escape(const char *raw, const char *want)
{
    char out[256], back[256];

    assert_int_equal(cb_utf8_escape(out, sizeof out, raw), strlen(want));
    assert_string_equal(out, want);
    assert_true(cb_utf8_is_text(out));
    assert_int_equal(cb_utf8_unescape(back, out), strlen(raw));
    assert_string_equal(back, raw);
}

static void test_examples(void **state)
{
    (void)state;
    check_escape("", "");
    check_escape("plain ascii", "plain ascii");
    check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    check_escape("caf\xe9", "caf\\xe9");                 /* Latin-1, not UTF-8 */
    check_escape("a\nb\tc\x1b[31m\x7f", "a\\x0ab\\x09c\\x1b[31m\\x7f");
    check_escape("\xc2\x85", "\\xc2\\x85");               /* C1: NEL */
    check_escape("\xc2\xa0", "\xc2\xa0");                 /* not C1: NBSP */
    check_escape("\xc0\xaf", "\\xc0\\xaf");               /* overlong '/' */
    check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");      /* a surrogate */
    check_escape("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    check_escape("\xe2\x82", "\\xe2\\x82");               /* cut short */
    /* A backslash stays one unless what follows would read as an escape. */
    check_escape("C:\\dir\\file", "C:\\dir\\file");
    check_escape("a\\", "a\\");
    check_escape("\\x41", "\\\\x41");
    check_escape("\\xZ1", "\\xZ1");
    check_escape("\\\\", "\\\\\\");
    check_escape("\\\xff", "\\\\\\xff");
    check_escape("\\\n", "\\\\\\x0a");
}

static void test_unescape_lenient(void **state)
{
    char out[32];

    (void)state;
    /* Uppercase hex reads too; a lone backslash is itself. */
    assert_int_equal(cb_utf8_unescape(out, "\\xE9\\q\\"), 4);
    assert_memory_equal(out, "\xe9\\q\\", 4);
}

/* Cut to fit: never half an escape or character, and the cut text is a
 * prefix of the whole. */
static void test_truncation(void **state)
{
    const char *raw = "ab\xe9\xc3\xa9\\x41";
    char whole[64], cut[64];
    size_t len = cb_utf8_escape(whole, sizeof whole, raw);

    (void)state;
    assert_string_equal(whole, "ab\\xe9\xc3\xa9\\\\x41");
    for (size_t size = 1; size <= len + 1; size++) {
        size_t got = cb_utf8_escape(cut, size, raw);

        assert_int_equal(got, len);
        assert_true(strlen(cut) < size);
        assert_memory_equal(cut, whole, strlen(cut));
        assert_true(cb_utf8_is_text(cut));
        assert_true(strcmp(cut, "ab\\") != 0 && strcmp(cut, "ab\\x") != 0 &&
                    strcmp(cut, "ab\\xe") != 0 && strcmp(cut, "ab\\xe9\xc3") != 0);
    }
    assert_int_equal(cb_utf8_escape(NULL, 0, raw), len);
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random byte strings, biased towards the bytes that matter: every one
 * escapes to text and reads back to the same bytes. Seeded: a failure
 * names the seed, CB_TEST_SEED repeats it. */
static void test_property(void **state)
{
    static const unsigned char special[] = { '\\', 'x', 'a', '0', 'F', 0xC2, 0x85,
                                             0xE9, 0xED, 0xA0, 0xF4, 0x90, 0x80,
                                             0xBF, 0xFF, 0x01, 0x7F, '\n', '"' };
    const char *env = getenv("CB_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 20261202u, s = seed | 1;
    char raw[64], out[64 * 4 + 1], back[sizeof out];

    (void)state;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = next(&s) % (sizeof raw - 1);

        for (size_t i = 0; i < n; i++) {
            uint64_t r = next(&s);

            raw[i] = (char)(r % 3 ? special[(r >> 8) % sizeof special] : (r >> 8) % 255 + 1);
        }
        raw[n] = '\0';
        cb_utf8_escape(out, sizeof out, raw);
        if (!cb_utf8_is_text(out) || cb_utf8_unescape(back, out) != n ||
            memcmp(back, raw, n) != 0)
            fail_msg("seed %llu, iteration %d: no round trip", (unsigned long long)seed, iter);
        /* Clean text without a backslash is written as it is. */
        if (cb_utf8_is_text(raw) && !strchr(raw, '\\') && strcmp(out, raw) != 0)
            fail_msg("seed %llu, iteration %d: clean text changed", (unsigned long long)seed,
                     iter);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_unescape_lenient),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_property),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
