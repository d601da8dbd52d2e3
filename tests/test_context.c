#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "concbench/config.h"
#include "concbench/context.h"

static void collect(struct cb_context *ctx, int argc, char **argv,
                    const struct cb_config *cfg)
{
    struct cb_error err = { { 0 } };

    assert_int_equal(cb_context_collect(ctx, argc, argv, cfg, &err), 0);
    assert_non_null(ctx->command);
}

static void test_usable_cpus_bounds(void **state)
{
    long usable = cb_context_usable_cpus();
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    (void)state;
    assert_true(usable >= 1);
    if (online > 0)
        assert_true(usable <= online);
}

/* Narrowing our own mask to one CPU must show up as exactly one. */
static void test_usable_cpus_follows_affinity(void **state)
{
    cpu_set_t saved;
    cpu_set_t one;
    cpu_set_t now;
    int cpu = 0;

    (void)state;
    if (sched_getaffinity(0, sizeof saved, &saved) != 0)
        skip(); /* more CPUs than cpu_set_t holds */
    assert_int_equal(cb_context_usable_cpus(), CPU_COUNT(&saved));
    while (!CPU_ISSET(cpu, &saved))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    assert_int_equal(sched_getaffinity(0, sizeof now, &now), 0);
    assert_int_equal(cb_context_usable_cpus(), CPU_COUNT(&now));
    assert_int_equal(cb_context_usable_cpus(), 1);
    assert_int_equal(sched_setaffinity(0, sizeof saved, &saved), 0);
    assert_int_equal(cb_context_usable_cpus(), CPU_COUNT(&saved));
}

static void test_date_format(void **state)
{
    struct cb_context ctx;
    regex_t re;
    struct tm tm = { 0 };
    time_t now = time(NULL);

    (void)state;
    collect(&ctx, 0, NULL, NULL);
    assert_int_equal(regcomp(&re, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T"
                             "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$",
                             REG_EXTENDED | REG_NOSUB), 0);
    assert_int_equal(regexec(&re, ctx.date, 0, NULL, 0), 0);
    regfree(&re);
    /* It is UTC and it is now (generous bound: the machine may be slow). */
    assert_non_null(strptime(ctx.date, "%Y-%m-%dT%H:%M:%SZ", &tm));
    assert_true(labs((long)(timegm(&tm) - now)) < 60);
    cb_context_free(&ctx);
}

static void test_command_quoting(void **state)
{
    char a0[] = "concbench", a1[] = "a b", a2[] = "it's", a3[] = "",
         a4[] = "plain", a5[] = "-o", a6[] = "x/y.json", a7[] = "$HOME";
    char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, NULL };
    struct cb_context ctx;

    (void)state;
    collect(&ctx, 8, argv, NULL);
    assert_string_equal(ctx.command, "concbench 'a b' 'it'\\''s' '' plain "
                                     "-o x/y.json '$HOME'");
    cb_context_free(&ctx);
    assert_null(ctx.command);
    cb_context_free(&ctx); /* twice is harmless */
}

static void test_command_empty(void **state)
{
    struct cb_context ctx;

    (void)state;
    collect(&ctx, 0, NULL, NULL);
    assert_string_equal(ctx.command, "");
    cb_context_free(&ctx);
}

static void test_machine_fields(void **state)
{
    struct cb_context ctx;
    struct utsname u;
    char host[256] = "";

    (void)state;
    collect(&ctx, 0, NULL, NULL);
    assert_int_equal(uname(&u), 0);
    assert_string_equal(ctx.kernel, u.release);
    assert_string_equal(ctx.arch, u.machine);
    assert_int_equal(gethostname(host, sizeof host - 1), 0);
    assert_string_equal(ctx.hostname, host);
    assert_true(ctx.os[0] != '\0');
    assert_null(strchr(ctx.os, '"'));
    assert_true(ctx.cpu_model[0] != '\0');
    assert_true(ctx.memory_bytes > 0);
    assert_true(ctx.logical_cpus >= 1);
    assert_true(ctx.usable_cpus >= 1);
    assert_true(ctx.usable_cpus <= ctx.logical_cpus);
    for (int i = 0; i < 3; i++)
        assert_true(ctx.load_avg[i] >= 0 || ctx.load_avg[i] == -1.0);
    cb_context_free(&ctx);
}

static void test_user_pairs(void **state)
{
    static struct cb_config cfg; /* large: keep it off the stack */
    char arg[] = "ci=nightly";
    struct cb_context ctx;

    (void)state;
    memset(&cfg, 0, sizeof cfg);
    cfg.context[0].key = arg;
    cfg.context[0].key_len = 2;
    cfg.context[0].value = arg + 3;
    cfg.ncontext = 1;
    collect(&ctx, 0, NULL, &cfg);
    assert_int_equal(ctx.nuser, 1);
    assert_int_equal(ctx.user[0].key_len, 2);
    assert_memory_equal(ctx.user[0].key, "ci", 2);
    assert_string_equal(ctx.user[0].value, "nightly");
    cb_context_free(&ctx);
    assert_null(ctx.user);
    assert_int_equal(ctx.nuser, 0);
}

/* Bytes that are not UTF-8, control characters and backslashes in argv
 * and --context are kept, escaped, so that the file stays text. */
static void test_escaped(void **state)
{
    static struct cb_config cfg;
    char a0[] = "concbench", a1[] = "--context", a2[] = "branch=caf\xe9\x01",
         a3[] = "x\\\\y";
    char *argv[] = { a0, a1, a2, a3, NULL };
    struct cb_context ctx;

    (void)state;
    memset(&cfg, 0, sizeof cfg);
    cfg.context[0].key = a2;
    cfg.context[0].key_len = 6;
    cfg.context[0].value = a2 + 7;
    cfg.ncontext = 1;
    collect(&ctx, 4, argv, &cfg);
    assert_string_equal(ctx.user[0].value, "caf\\xe9\\x01");
    /* The first of two backslashes is doubled: "\\\y" reads back "\\y". */
    assert_string_equal(ctx.command,
                        "concbench --context 'branch=caf\\xe9\\x01' 'x\\\\\\y'");
    cb_context_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usable_cpus_bounds),
        cmocka_unit_test(test_usable_cpus_follows_affinity),
        cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_command_quoting),
        cmocka_unit_test(test_command_empty),
        cmocka_unit_test(test_machine_fields),
        cmocka_unit_test(test_user_pairs),
        cmocka_unit_test(test_escaped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
