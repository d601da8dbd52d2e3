/* The command line: argv into a cb_config, with one-line usage errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/cli.h"
#include "concbench/context.h"

#define MAX_ARGS 160
#define ARG_LEN 1024
#define NOT_SET ((enum cb_command)99)

static char storage[MAX_ARGS][ARG_LEN];
static char *args[MAX_ARGS + 1];
static char *args_copy[MAX_ARGS + 1];
static int nargs;
static struct cb_config cfg;
static struct cb_error err;
static enum cb_command cmd;

/* Parses "concbench" followed by the NULL-terminated list, from writable
 * copies, and checks that the parser left argv as it was. */
static int parse_list(const char *const *list)
{
    int rc;

    nargs = 0;
    snprintf(storage[nargs], ARG_LEN, "concbench");
    args[nargs] = storage[nargs];
    for (nargs = 1; list[nargs - 1]; nargs++) {
        assert_true(nargs < MAX_ARGS);
        assert_true(strlen(list[nargs - 1]) < ARG_LEN);
        snprintf(storage[nargs], ARG_LEN, "%s", list[nargs - 1]);
        args[nargs] = storage[nargs];
    }
    args[nargs] = NULL;
    memcpy(args_copy, args, sizeof args);
    memset(&err, 0, sizeof err);
    cmd = NOT_SET;
    rc = cb_cli_parse(nargs, args, &cfg, &cmd, &err);
    assert_memory_equal(args, args_copy, sizeof args);
    for (int i = 1; i < nargs; i++)
        assert_string_equal(args[i], list[i - 1]);
    return rc;
}

#define PARSE(...) parse_list((const char *const[]){ __VA_ARGS__, NULL })
#define PARSE_NONE() parse_list((const char *const[]){ NULL })

/* Parses, expects success and the run command. */
#define OK(...)                                    \
    do {                                           \
        assert_int_equal(PARSE(__VA_ARGS__), 0);   \
        assert_int_equal(cmd, CB_CMD_RUN);         \
        assert_string_equal(err.msg, "");          \
    } while (0)

/* Parses, expects a usage error whose message names flag. */
static void expect_error(const char *flag, const char *const *list)
{
    if (parse_list(list) != -1)
        fail_msg("accepted: %s %s", list[0], list[1] ? list[1] : "");
    assert_int_equal(cmd, NOT_SET);
    if (!strstr(err.msg, flag))
        fail_msg("'%s' does not name %s", err.msg, flag);
    assert_null(strchr(err.msg, '\n'));
    assert_null(strstr(err.msg, "concbench:"));
    assert_true(strlen(err.msg) > strlen(flag) + 10);
}

#define BAD(flag, ...) expect_error(flag, (const char *const[]){ __VA_ARGS__, NULL })

/* "threads, processes, serial" / "cpu, io, fib, lock": the registries'
 * names as the messages and --help list them. */
static const char *registry_names(bool modes)
{
    static char buf[2][512];
    char *b = buf[modes];
    size_t used = 0;

    b[0] = '\0';
    for (size_t i = 0; modes ? cb_executors[i] != NULL : cb_tasks[i] != NULL; i++)
        used += (size_t)snprintf(b + used, sizeof buf[0] - used, "%s%s", i ? ", " : "",
                                 modes ? cb_executors[i]->name : cb_tasks[i]->name);
    return b;
}

#define MODE_NAMES registry_names(true)
#define TASK_NAMES registry_names(false)

/* Formats into a static buffer, for expected messages. */
static const char *msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *msg(const char *fmt, ...)
{
    static char buf[4][512];
    static size_t next;
    char *b = buf[next++ % 4];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(b, sizeof buf[0], fmt, ap);
    va_end(ap);
    return b;
}

static uint32_t usable(void)
{
    long n = cb_context_usable_cpus();

    return n < 1 ? 1u : n > 100000 ? 100000u : (uint32_t)n;
}

static void assert_workers(const uint32_t *want, size_t n)
{
    assert_int_equal(cfg.nworkers, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cfg.workers[i], want[i]);
}

#define WORKERS(...)                                                    \
    assert_workers((const uint32_t[]){ __VA_ARGS__ },                   \
                   sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static void assert_defaults(void)
{
    size_t ntasks = 0;

    assert_int_equal(cfg.nmodes, 2);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("threads"));
    assert_ptr_equal(cfg.modes[1], cb_executor_find("processes"));
    /* Every task but the opt-in ones, in registry order. */
    for (size_t t = 0; cb_tasks[t]; t++) {
        if (cb_tasks[t]->opt_in)
            continue;
        assert_true(ntasks < cfg.ntasks);
        assert_ptr_equal(cfg.tasks[ntasks++], cb_tasks[t]);
    }
    assert_int_equal(cfg.ntasks, ntasks);
    WORKERS(usable());
    assert_int_equal(cfg.repetitions, 10);
    assert_int_equal(cfg.warmup, 1);
    assert_int_equal(cfg.params.iterations, 100000000u);
    assert_int_equal(cfg.params.sleep_ns, 100000000u);
    assert_int_equal(cfg.params.fib_n, 35);
    assert_int_equal(cfg.start, CB_START_IMMEDIATE);
    assert_int_equal(cfg.format, CB_FORMAT_JSON);
    assert_null(cfg.output);
    assert_int_equal(cfg.ncontext, 0);
    assert_false(cfg.per_sample);
    assert_false(cfg.quiet);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(PARSE_NONE(), 0);
    assert_int_equal(cmd, CB_CMD_RUN);
    assert_defaults();
}

static void test_run_subcommand(void **state)
{
    (void)state;
    OK("run");
    assert_defaults();
    OK("run", "-m", "serial", "-n", "3");
    assert_int_equal(cfg.nmodes, 1);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("serial"));
    WORKERS(3);
}

static void test_commands(void **state)
{
    static const struct { const char *arg[4]; enum cb_command want; } cases[] = {
        { { "list", NULL, NULL }, CB_CMD_LIST },
        { { "list", "--names", NULL }, CB_CMD_NAMES },
        { { "list", "--help", NULL }, CB_CMD_HELP },
        { { "list", "-h", NULL }, CB_CMD_HELP },
        { { "--help", NULL, NULL }, CB_CMD_HELP },
        { { "-h", NULL, NULL }, CB_CMD_HELP },
        { { "run", "--help", NULL }, CB_CMD_HELP },
        { { "-n", "4", "-h" }, CB_CMD_HELP },
        { { "--version", NULL, NULL }, CB_CMD_VERSION },
        { { "-V", NULL, NULL }, CB_CMD_VERSION },
        { { "run", "-V", NULL }, CB_CMD_VERSION },
        { { "-qV", NULL, NULL }, CB_CMD_VERSION },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse_list(cases[i].arg), 0);
        assert_int_equal(cmd, cases[i].want);
    }
}

static void test_bad_commands(void **state)
{
    (void)state;
    assert_int_equal(PARSE("foo"), -1);
    assert_string_equal(err.msg, "unknown command 'foo'; accepted: run, list, compare, report, check");
    BAD("''", "");
    BAD("list", "list", "-m", "threads");
    BAD("'x'", "list", "x");
    BAD("'--names'", "list", "--names", "x");
    BAD("'run'", "run", "run");
    BAD("'list'", "-n", "4", "list");
    BAD("'foo'", "-n", "4", "foo");
    BAD("'x'", "--", "x");
    BAD("'-'", "-");
    assert_int_equal(PARSE("-q", "extra"), -1);
    assert_string_equal(err.msg, "unexpected argument 'extra'; see concbench --help");
}

static void test_modes(void **state)
{
    (void)state;
    OK("--mode=threads");
    assert_int_equal(cfg.nmodes, 1);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("threads"));
    OK("--mode", "processes,serial");
    assert_int_equal(cfg.nmodes, 2);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("processes"));
    assert_ptr_equal(cfg.modes[1], cb_executor_find("serial"));
    OK("-m", "serial,threads,processes");
    assert_int_equal(cfg.nmodes, 3);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("serial"));
    assert_ptr_equal(cfg.modes[2], cb_executor_find("processes"));
    OK("-mprocesses", "-m", "serial");
    assert_int_equal(cfg.nmodes, 1);
    assert_ptr_equal(cfg.modes[0], cb_executor_find("serial"));

    assert_int_equal(PARSE("--mode=thread"), -1);
    assert_string_equal(err.msg, msg("--mode: 'thread' is not a mode; accepted: %s",
                                     MODE_NAMES));
    assert_int_equal(PARSE("-m", "threads,threads"), -1);
    assert_string_equal(err.msg, "--mode: 'threads' is listed twice");
    BAD("--mode", "--mode=");
    BAD("--mode", "--mode=threads,");
    BAD("--mode", "--mode=,threads");
    BAD("--mode", "-m", "threads,,serial");
    BAD("--mode", "-m", "Threads");
    BAD("--mode", "-m", "threads ");
    BAD("--mode", "-m", "all");
}

static void test_tasks(void **state)
{
    (void)state;
    OK("--task=cpu");
    assert_int_equal(cfg.ntasks, 1);
    assert_ptr_equal(cfg.tasks[0], cb_task_find("cpu"));
    OK("-t", "fib,io");
    assert_int_equal(cfg.ntasks, 2);
    assert_ptr_equal(cfg.tasks[0], cb_task_find("fib"));
    assert_ptr_equal(cfg.tasks[1], cb_task_find("io"));
    OK("--task", "io");
    assert_ptr_equal(cfg.tasks[0], cb_task_find("io"));

    assert_int_equal(PARSE("-t", "gpu"), -1);
    assert_string_equal(err.msg, msg("--task: 'gpu' is not a task; accepted: %s",
                                     TASK_NAMES));
    BAD("--task", "-t", "cpu,cpu");
    BAD("--task", "-t", "");
    BAD("--task", "-t", "cpu,");
    BAD("--task", "--task=cpu,,io");
}

static void test_workers_good(void **state)
{
    (void)state;
    OK("-n", "10");
    WORKERS(10);
    OK("-n10");
    WORKERS(10);
    OK("--workers=1,2,4,10");
    WORKERS(1, 2, 4, 10);
    OK("--workers", "7,3");
    WORKERS(7, 3);
    OK("-n", "1..4");
    WORKERS(1, 2, 3, 4);
    OK("-n", "5..5");
    WORKERS(5);
    OK("-n", "1..64:x2");
    WORKERS(1, 2, 4, 8, 16, 32, 64);
    OK("-n", "1..100:x2");
    WORKERS(1, 2, 4, 8, 16, 32, 64);
    OK("-n", "3..27:x3");
    WORKERS(3, 9, 27);
    OK("-n", "3..26:x3");
    WORKERS(3, 9);
    OK("-n", "2..10:+4");
    WORKERS(2, 6, 10);
    OK("-n", "2..11:+4");
    WORKERS(2, 6, 10);
    OK("-n", "1..3:+100000");
    WORKERS(1);
    OK("-n", "1..100000:x100000");
    WORKERS(1, 100000);
    OK("-n", "100000");
    WORKERS(100000);
    OK("-n", "0001");
    WORKERS(1);
    OK("-n", "1,3..5,10..40:x2,100");
    WORKERS(1, 3, 4, 5, 10, 20, 40, 100);
    OK("-n", "max");
    WORKERS(usable());
}

static void test_workers_max_list(void **state)
{
    (void)state;
    OK("-n", "1..64");
    assert_int_equal(cfg.nworkers, 64);
    assert_int_equal(cfg.workers[0], 1);
    assert_int_equal(cfg.workers[63], 64);
    OK("-n", "99937..100000");
    assert_int_equal(cfg.nworkers, 64);
    assert_int_equal(cfg.workers[63], 100000);
    BAD("--workers", "-n", "1..65");
    BAD("--workers", "-n", "1..60,61..65");
    BAD("--workers", "-n", "1..100000");
    if (usable() <= 64) {
        OK("-n", "1..max");
        assert_int_equal(cfg.nworkers, usable());
        assert_int_equal(cfg.workers[cfg.nworkers - 1], usable());
    }
}

static void test_workers_bad(void **state)
{
    static const char *const cases[] = {
        "0", "-3", "abc", "99999999999999999999", "100001", "1000000", "",
        "1,,2", "1,", ",1", "4..2", "1..8:x1", "1..8:x0", "1..8:+0", "1..8:y2",
        "1..8:", "1..8:x", "1..8:xmax", "1...8", "1..", "..8", "1:2", "1..8:x2:x2",
        " 1", "1 ", "1.5", "1k", "+4", "0..4", "1..100001", "MAX", "max2",
        "1..8:-1", "1..8:x99999999999999999999",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        BAD("--workers", "-n", cases[i]);
    assert_int_equal(PARSE("-n", "0"), -1);
    assert_string_equal(err.msg, "--workers: '0' is not a worker count; accepted: "
                        "1 to 100000, a range A..B, A..B:x2, or max");
    assert_int_equal(PARSE("-n", "2,99999999999999999999"), -1);
    assert_string_equal(err.msg, "--workers: '99999999999999999999' is not a worker "
                        "count; accepted: 1 to 100000, a range A..B, A..B:x2, or max");
    assert_int_equal(PARSE("-n", "1,2,4,2"), -1);
    assert_string_equal(err.msg, "--workers: 2 is listed twice");
    assert_int_equal(PARSE("-n", "1..4,4"), -1);
    assert_string_equal(err.msg, "--workers: 4 is listed twice");
    /* What max is depends on the machine: a repeat it makes is dropped,
     * in either order, and the list stays free of duplicates. */
    assert_int_equal(PARSE("-n", "max,1,2,max"), 0);
    for (size_t i = 0; i < cfg.nworkers; i++)
        for (size_t j = i + 1; j < cfg.nworkers; j++)
            assert_int_not_equal(cfg.workers[i], cfg.workers[j]);
    assert_true(cfg.nworkers >= 2 && cfg.nworkers <= 3);
    assert_int_equal(PARSE("-n", "1,max,1"), -1); /* the two 1s are typed */
    assert_int_equal(PARSE("-n", "16..1"), -1);
    assert_string_equal(err.msg, "--workers: '16..1' is reversed; accepted: A..B "
                        "with A <= B");
    assert_int_equal(PARSE("-n", "1..8:x1"), -1);
    assert_non_null(strstr(err.msg, "'1..8:x1' has a bad step"));
    assert_int_equal(PARSE("-n", "1,,2"), -1);
    assert_non_null(strstr(err.msg, "'1,,2' has an empty item"));
}

static void test_repetitions_warmup(void **state)
{
    (void)state;
    OK("-r", "1", "-w", "0");
    assert_int_equal(cfg.repetitions, 1);
    assert_int_equal(cfg.warmup, 0);
    OK("--repetitions=1000000", "--warmup=1000000");
    assert_int_equal(cfg.repetitions, 1000000);
    assert_int_equal(cfg.warmup, 1000000);
    OK("--repetitions", "10k", "--warmup", "3");
    assert_int_equal(cfg.repetitions, 10000);
    assert_int_equal(cfg.warmup, 3);
    OK("-r5", "-w2");
    assert_int_equal(cfg.repetitions, 5);
    assert_int_equal(cfg.warmup, 2);

    assert_int_equal(PARSE("-r", "0"), -1);
    assert_string_equal(err.msg, "--repetitions: '0' is too small; accepted: 1 to 1000000");
    assert_int_equal(PARSE("-r", "1000001"), -1);
    assert_string_equal(err.msg, "--repetitions: '1000001' is too large; accepted: "
                        "1 to 1000000");
    assert_int_equal(PARSE("-w", "x"), -1);
    assert_string_equal(err.msg, "--warmup: 'x' is not a count; accepted: 0 to 1000000");
    BAD("--repetitions", "-r", "-1");
    BAD("--repetitions", "-r", "");
    BAD("--repetitions", "-r", "1.5");
    BAD("--repetitions", "-r", "18446744073709551616");
    BAD("--repetitions", "--repetitions=2M");
    BAD("--warmup", "-w", "-1");
    BAD("--warmup", "--warmup=1000001");
    BAD("--warmup", "-w", "1 ");
}

static void test_iterations(void **state)
{
    (void)state;
    OK("--iterations=1");
    assert_int_equal(cfg.params.iterations, 1);
    OK("--iterations", "18446744073709551615");
    assert_int_equal(cfg.params.iterations, UINT64_MAX);
    OK("--iterations=10M");
    assert_int_equal(cfg.params.iterations, 10000000u);
    assert_int_equal(cfg.params.sleep_ns, 100000000u);
    assert_int_equal(cfg.params.fib_n, 35);

    assert_int_equal(PARSE("--iterations=18446744073709551616"), -1);
    assert_string_equal(err.msg, "--iterations: '18446744073709551616' is too large; "
                        "accepted: 1 to 18446744073709551615");
    assert_int_equal(PARSE("--iterations=0"), -1);
    assert_string_equal(err.msg, "--iterations: '0' is too small; accepted: "
                        "1 to 18446744073709551615");
    assert_int_equal(PARSE("--iterations", "ten"), -1);
    assert_string_equal(err.msg, "--iterations: 'ten' is not a count; accepted: "
                        "1 to 18446744073709551615");
    BAD("--iterations", "--iterations=-1");
    BAD("--iterations", "--iterations=1e6");
    BAD("--iterations", "--iterations=");
    BAD("--iterations", "--iterations=99999999999999999999G");
}

static void test_fib(void **state)
{
    (void)state;
    OK("--fib=93");
    assert_int_equal(cfg.params.fib_n, 93);
    OK("--fib", "0");
    assert_int_equal(cfg.params.fib_n, 0);
    assert_int_equal(PARSE("--fib=94"), -1);
    assert_string_equal(err.msg, "--fib: '94' is too large; accepted: 0 to 93");
    BAD("--fib", "--fib=-1");
    BAD("--fib", "--fib=1k");
    BAD("--fib", "--fib", "x");
}

static void test_sleep(void **state)
{
    static const struct { const char *in; uint64_t want; } good[] = {
        { "100ms", 100000000u }, { "1.5s", 1500000000u }, { "0s", 0 },
        { "250us", 250000u }, { "1ns", 1 }, { "3600s", 3600000000000u },
        { "0.000001s", 1000u }, { "3600000000000ns", 3600000000000u },
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        OK("--sleep", good[i].in);
        assert_int_equal(cfg.params.sleep_ns, good[i].want);
    }
    assert_int_equal(PARSE("--sleep=5parsecs"), -1);
    assert_string_equal(err.msg, "--sleep: '5parsecs' is not a duration; accepted: "
                        "a number with ns, us, ms or s, e.g. 100ms");
    assert_int_equal(PARSE("--sleep=1e9s"), -1);
    assert_non_null(strstr(err.msg, "'1e9s' is not a duration"));
    assert_int_equal(PARSE("--sleep=100000000000s"), -1);
    assert_string_equal(err.msg, "--sleep: '100000000000s' is too large; accepted: "
                        "0s to 3600s");
    assert_int_equal(PARSE("--sleep=3600.000000001s"), -1);
    assert_non_null(strstr(err.msg, "is too large"));
    assert_int_equal(PARSE("--sleep=1.5ns"), -1);
    assert_string_equal(err.msg, "--sleep: '1.5ns' is finer than 1 ns; accepted: "
                        "0s to 3600s");
    BAD("--sleep", "--sleep=100");
    BAD("--sleep", "--sleep=");
    BAD("--sleep", "--sleep=-1s");
    BAD("--sleep", "--sleep", "1h");
    BAD("--sleep", "--sleep", ".5s");
}

static void test_start_format(void **state)
{
    (void)state;
    OK("--start=barrier");
    assert_int_equal(cfg.start, CB_START_BARRIER);
    OK("--start", "immediate");
    assert_int_equal(cfg.start, CB_START_IMMEDIATE);
    OK("-f", "table");
    assert_int_equal(cfg.format, CB_FORMAT_TABLE);
    OK("--format=markdown");
    assert_int_equal(cfg.format, CB_FORMAT_MARKDOWN);
    OK("--format", "csv", "--per-sample");
    assert_int_equal(cfg.format, CB_FORMAT_CSV);
    assert_true(cfg.per_sample);
    OK("-fjson");
    assert_int_equal(cfg.format, CB_FORMAT_JSON);

    assert_int_equal(PARSE("--start=now"), -1);
    assert_string_equal(err.msg, "--start: 'now' is not a start mode; accepted: "
                        "immediate, barrier");
    assert_int_equal(PARSE("-f", "xml"), -1);
    assert_string_equal(err.msg, "--format: 'xml' is not a format; accepted: "
                        "json, table, markdown, csv, bmf, github-action-benchmark");
    BAD("--format", "--format=");
    BAD("--format", "--format=JSON");
    BAD("--start", "--start=");
}

static void test_output(void **state)
{
    (void)state;
    OK("-o", "result.json");
    assert_ptr_equal(cfg.output, args[2]);
    assert_string_equal(cfg.output, "result.json");
    OK("--output=dir/r.json");
    assert_string_equal(cfg.output, "dir/r.json");
    OK("--output", "-");
    assert_null(cfg.output);
    BAD("--output", "--output=");
    BAD("--output", "-o", "");
}

static void test_context(void **state)
{
    (void)state;
    OK("--context", "commit=abc123", "--context=host.name-2_x=", "--context", "k=v=w");
    assert_int_equal(cfg.ncontext, 3);
    assert_int_equal(cfg.context[0].key_len, 6);
    assert_memory_equal(cfg.context[0].key, "commit", 6);
    assert_string_equal(cfg.context[0].value, "abc123");
    assert_ptr_equal(cfg.context[0].key, args[2]);
    assert_int_equal(cfg.context[1].key_len, 13);
    assert_memory_equal(cfg.context[1].key, "host.name-2_x", 13);
    assert_string_equal(cfg.context[1].value, "");
    assert_int_equal(cfg.context[2].key_len, 1);
    assert_string_equal(cfg.context[2].value, "v=w");

    assert_int_equal(PARSE("--context", "a=1", "--context", "a=2"), -1);
    assert_string_equal(err.msg, "--context: key 'a' is given twice");
    BAD("--context", "--context", "novalue");
    BAD("--context", "--context", "=x");
    BAD("--context", "--context", "bad key=x");
    BAD("--context", "--context", "k!=x");
    BAD("--context", "--context", "k\xc3\xa9=x");
    BAD("--context", "--context=");
}

static void test_context_limit(void **state)
{
    const char *list[2 * 65 + 1];
    char keys[65][16];

    (void)state;
    for (int i = 0; i < 65; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d=v", i);
        list[2 * i] = "--context";
        list[2 * i + 1] = keys[i];
    }
    list[128] = NULL;
    assert_int_equal(parse_list(list), 0);
    assert_int_equal(cfg.ncontext, 64);
    list[128] = "--context";
    list[129] = keys[64];
    list[130] = NULL;
    expect_error("--context", list);
}

static void test_flags(void **state)
{
    (void)state;
    OK("-q");
    assert_true(cfg.quiet);
    OK("--quiet", "--per-sample");
    assert_true(cfg.quiet);
    assert_true(cfg.per_sample);
    OK("-qn", "4");
    assert_true(cfg.quiet);
    WORKERS(4);
}

static void test_missing_values(void **state)
{
    const struct { const char *arg, *want; } cases[] = {
        { "--mode", msg("--mode needs a value; accepted: %s", MODE_NAMES) },
        { "-m", msg("--mode needs a value; accepted: %s", MODE_NAMES) },
        { "-t", msg("--task needs a value; accepted: %s", TASK_NAMES) },
        { "-n", "--workers needs a value; accepted: 1 to 100000, a range A..B, "
                "A..B:x2, or max" },
        { "--repetitions", "--repetitions needs a value; accepted: 1 to 1000000" },
        { "-w", "--warmup needs a value; accepted: 0 to 1000000" },
        { "--start", "--start needs a value; accepted: immediate, barrier" },
        { "-f", "--format needs a value; accepted: json, table, markdown, csv, bmf, "
                "github-action-benchmark" },
        { "-o", "--output needs a value; accepted: a file name, or - for stdout" },
        { "--context", "--context needs a value; accepted: KEY=VALUE" },
        { "--iterations", "--iterations needs a value; accepted: 1 to "
                          "18446744073709551615" },
        { "--sleep", "--sleep needs a value; accepted: a number with ns, us, ms or s, "
                     "e.g. 100ms" },
        { "--fib", "--fib needs a value; accepted: 0 to 93" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(PARSE("-q", cases[i].arg), -1);
        assert_string_equal(err.msg, cases[i].want);
    }
}

static void test_unknown_options(void **state)
{
    static const struct { const char *arg, *want; } cases[] = {
        { "--frobnicate", "unknown option '--frobnicate'; see concbench --help" },
        { "--frobnicate=3", "unknown option '--frobnicate'; see concbench --help" },
        { "-z", "unknown option '-z'; see concbench --help" },
        { "-qz", "unknown option '-z'; see concbench --help" },
        { "-?", "unknown option '-?'; see concbench --help" },
        { "--quiet=yes", "--quiet takes no value; see concbench --help" },
        { "--per-sample=1", "--per-sample takes no value; see concbench --help" },
        { "--w=3", "option '--w' is ambiguous; see concbench --help" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(PARSE(cases[i].arg), -1);
        assert_string_equal(err.msg, cases[i].want);
    }
}

static void test_repeated_calls(void **state)
{
    (void)state;
    assert_int_equal(PARSE("-qz", "-n", "4"), -1);
    OK("-q");
    assert_true(cfg.quiet);
    WORKERS(usable());
    OK("-m", "serial", "-n", "3", "--fib=10", "-o", "x", "--context", "a=b");
    OK("run");
    assert_defaults();
    assert_int_equal(PARSE("--help", "-n", "0"), 0);
    assert_int_equal(cmd, CB_CMD_HELP);
    OK("-n", "2");
    WORKERS(2);
    for (int i = 0; i < 100; i++) {
        OK("-r", "3", "-qn", "5");
        assert_int_equal(cfg.repetitions, 3);
        WORKERS(5);
    }
}

static bool task_reads(const struct cb_task *t, const char *flag)
{
    for (const struct cb_param_desc *d = t->params; d && d->flag; d++)
        if (strcmp(d->flag, flag) == 0)
            return true;
    return false;
}

/* An executor option no selected mode uses, a task option no selected
 * task reads, or an option whose required option is off changes nothing:
 * accepted (one set of options may serve a loop over tasks or modes) and
 * noted, naming where it applies. */
static void test_option_that_changes_nothing(void **state)
{
    (void)state;
    OK("-m", "threads,processes", "--pool-size=4");
    assert_int_equal(cfg.nignored, 1);
    assert_string_equal(cfg.ignored[0], "--pool-size changes nothing: it applies to "
                                        "--mode=thread-pool, process-pool, and none of them "
                                        "is selected");
    OK("-m", "threads,thread-pool", "--pool-size=4");
    assert_int_equal(cfg.nignored, 0);
    OK("-m", "serial", "--pin=spread");
    assert_non_null(strstr(cfg.ignored[0], "--mode=threads, processes"));
    OK("-m", "processes", "--transport=shm");
    assert_string_equal(cfg.ignored[0], "--transport changes nothing without --payload");
    OK("-m", "processes", "--transport=shm", "--payload=1KiB");
    assert_int_equal(cfg.nignored, 0);
    OK("--switch-interval=1ms", "-t", "io", "--iterations=5", "--lock=spin");
    assert_int_equal(cfg.nignored, 3);
    /* The readers come from the registry (a plug-in task may read it too). */
    assert_memory_equal(cfg.ignored[0], "--iterations changes nothing: only --task=cpu, lock, ",
                        strlen("--iterations changes nothing: only --task=cpu, lock, "));
    assert_non_null(strstr(cfg.ignored[0], " read it, and none of them is selected"));
    assert_null(strstr(cfg.ignored[0], ", io,"));
    assert_null(strstr(cfg.ignored[0], "=io,"));
    OK("--gil", "--switch-interval=1ms", "-t", "io");
    assert_int_equal(cfg.nignored, 0);
}

/* Every parameter a task describes is an option, by its flag. */
static void test_params_are_options(void **state)
{
    struct cb_params def;

    (void)state;
    cb_params_default(&def);
    for (size_t t = 0; cb_tasks[t]; t++) {
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++) {
            char opt[64], msg[128];

            snprintf(opt, sizeof opt, "--%s", d->flag);
            assert_int_equal(PARSE(opt), -1);
            snprintf(msg, sizeof msg, "--%s needs a value; accepted: ", d->flag);
            assert_memory_equal(err.msg, msg, strlen(msg));
            uint64_t want = 7;

            if (d->kind == CB_PARAM_CHOICE) {
                for (want = 0; d->choice(want + 1); want++)
                    ; /* the last choice: not the default 0 */
                snprintf(opt, sizeof opt, "--%s=%s", d->flag, d->choice(want));
            } else {
                want = d->min > want ? d->min : want; /* --region: a page */
                snprintf(opt, sizeof opt, "--%s=%llu%s", d->flag, (unsigned long long)want,
                         d->kind == CB_PARAM_DURATION ? "ns" : "");
            }
            char task[64];

            snprintf(task, sizeof task, "--task=%s", cb_tasks[t]->name);
            OK(opt, task, "-n", "2");
            assert_int_equal(cb_params_get(&cfg.params, d), want);
            assert_int_equal(cfg.nignored, 0);
            /* An option no selected task reads changes nothing. */
            if (!task_reads(cb_task_find("cpu"), d->flag)) {
                OK(opt, "--task=cpu");
                assert_int_equal(cfg.nignored, 1);
                snprintf(msg, sizeof msg, "--%s changes nothing: only --task=", d->flag);
                assert_memory_equal(cfg.ignored[0], msg, strlen(msg));
                assert_non_null(strstr(cfg.ignored[0], cb_tasks[t]->name));
            }
        }
    }
}

/* "(cpu; default: 100000000; lock: 10000000; fault: 1)": the tasks that
 * read --iterations with the run's default, then those with their own,
 * from the registry. */
static const char *iterations_tasks(void)
{
    static char buf[256];
    char more[160] = "";
    size_t used = 0, mused = 0;
    struct cb_params def;
    unsigned long long run_def;

    cb_params_default(&def);
    run_def = (unsigned long long)def.iterations;
    used += (size_t)snprintf(buf, sizeof buf, "(");
    for (size_t t = 0; cb_tasks[t]; t++)
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++) {
            if (strcmp(d->flag, "iterations") != 0)
                continue;
            if (d->def == run_def && used < sizeof buf)
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                         used > 1 ? ", " : "", cb_tasks[t]->name);
            else if (d->def != run_def && mused < sizeof more)
                mused += (size_t)snprintf(more + mused, sizeof more - mused, "; %s: %llu",
                                          cb_tasks[t]->name, (unsigned long long)d->def);
        }
    if (used < sizeof buf)
        snprintf(buf + used, sizeof buf - used, "; default: %llu%s)", run_def, more);
    return buf;
}

/* "(default: all but lock, fault)": the opt-in tasks, from the registry. */
static const char *default_tasks(void)
{
    static char buf[256];
    size_t used = (size_t)snprintf(buf, sizeof buf, "(default: all");

    for (size_t t = 0; cb_tasks[t]; t++)
        if (cb_tasks[t]->opt_in && used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     strstr(buf, " but ") ? ", " : " but ",
                                     cb_tasks[t]->name);
    if (used < sizeof buf)
        snprintf(buf + used, sizeof buf - used, ")");
    return buf;
}

static void test_usage(void **state)
{
    const char *const want[] = {
        "Usage: concbench [run] [OPTIONS]", "concbench list", "--version",
        "-m, --mode=LIST", MODE_NAMES, "(default: threads,processes)",
        "-t, --task=LIST", TASK_NAMES, default_tasks(),
        "-n, --workers=LIST", "1..64:x2", "max", "(default: max",
        "-r, --repetitions=N", "(default: 10)", "-w, --warmup=N", "(default: 1)",
        "--start=MODE", "immediate", "barrier", "(default: immediate)",
        "--iterations=N", iterations_tasks(),
        "--sleep=DURATION", "(io; default: 100ms)", "--fib=N", "(fib; default: 35)",
        "-f, --format=FORMAT", "json, table, markdown, csv, bmf,", "(default: json)",
        "-o, --output=FILE", "--context KEY=VALUE", "--per-sample", "-q, --quiet",
        "-h, --help", "-V, --version",
        "concbench --mode=threads --task=cpu -n 10",
        "concbench -m threads,processes,serial -t cpu -n 1,2,4 -f table",
        "concbench -t io -n 50 --sleep=100ms",
        "-o result.json --context commit=abc123",
    };
    const char *u = cb_cli_usage();
    size_t len = strlen(u);

    (void)state;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(u, want[i]))
            fail_msg("usage lacks '%s'", want[i]);
    assert_true(len > 1000 && len < 32768);
    assert_non_null(strstr(u, "\nExample")); /* the end, whole: never cut */
    assert_int_equal(u[len - 1], '\n');
    assert_null(strstr(strstr(u, "--sleep=DURATION") + 1, "--sleep=DURATION"));
    assert_string_equal(cb_cli_usage(), u);
}

static void test_list(void **state)
{
    static const char *const want[] = {
        "--iterations=N  steps of the counting loop (default 10000000)",
        "--sleep=DURATION  how long each worker sleeps (ns, us, ms, s) (default 100ms)",
        "(default 35)", "(CPU-bound)", "(I/O-bound)",
        "Modes (--mode=LIST; default: threads,processes)",
        "immediate", "barrier", "json", "table", "markdown", "csv",
        "--lock=KIND  mutex, spin, semaphore, or none (racing: lost updates counted) (default mutex)",
    };
    char *text = cb_cli_list();
    size_t width = 0;

    (void)state;
    assert_non_null(text);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("list lacks '%s'", want[i]);
    for (size_t t = 0; cb_tasks[t]; t++) {
        assert_non_null(strstr(text, cb_tasks[t]->name));
        assert_non_null(strstr(text, cb_tasks[t]->description));
    }
    for (size_t r = 0; cb_executors[r]; r++) {
        assert_non_null(strstr(text, cb_executors[r]->name));
        assert_non_null(strstr(text, cb_executors[r]->description));
    }
    /* One line per task, names in a column as wide as the widest. */
    for (size_t t = 0; cb_tasks[t]; t++)
        width = strlen(cb_tasks[t]->name) > width ? strlen(cb_tasks[t]->name) : width;
    for (size_t t = 0; cb_tasks[t]; t++)
        assert_non_null(strstr(text, msg("\n  %-*s  %s (%s)\n", (int)width, cb_tasks[t]->name,
                                         cb_tasks[t]->description,
                                         cb_tasks[t]->cpu_bound ? "CPU-bound" : "I/O-bound")));
    assert_non_null(strstr(text, msg("  %-*s  CPU-bound counting loop of --iterations steps "
                                     "(CPU-bound)\n", (int)width, "cpu")));
    assert_int_equal(text[strlen(text) - 1], '\n');
    free(text);
}

/* Found by fuzz_cli: an argument with a newline made a two-line error. */
static void test_control_chars(void **state)
{
    (void)state;
    BAD("'--?sleep'", "--\nsleep=100s");
    BAD("--mode", "--mode=thr\x1b[31meads");
    assert_null(strchr(err.msg, '\x1b'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_run_subcommand),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_bad_commands),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_tasks),
        cmocka_unit_test(test_workers_good),
        cmocka_unit_test(test_workers_max_list),
        cmocka_unit_test(test_workers_bad),
        cmocka_unit_test(test_repetitions_warmup),
        cmocka_unit_test(test_iterations),
        cmocka_unit_test(test_fib),
        cmocka_unit_test(test_sleep),
        cmocka_unit_test(test_start_format),
        cmocka_unit_test(test_output),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_context_limit),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_repeated_calls),
        cmocka_unit_test(test_params_are_options),
        cmocka_unit_test(test_option_that_changes_nothing),
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
