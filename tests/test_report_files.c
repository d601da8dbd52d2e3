/* `concbench report`: the figures of synthetic result files, checked
 * exactly, and the command through the built binary (exit codes, rows). */
#include "cb_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "concbench/report.h"
#include "concbench/review.h"

#define DATA CB_SOURCE_DIR "/tests/data/"

static char json[16384];
static const char *extra = ""; /* members bench() adds before "samples" */

/* Appends a benchmark with one sample per wall time; every worker of a
 * sample spawns in spawn seconds. */
static void bench(const char *task, const char *mode, int workers, const char *status,
                  const double *wall, size_t n, double spawn)
{
    size_t len = strlen(json);

    len += (size_t)snprintf(json + len, sizeof json - len,
                            "%s{\"name\":\"%s/%s/%d\",\"task\":\"%s\",\"mode\":\"%s\","
                            "\"workers\":%d,\"params\":{},\"start\":\"immediate\","
                            "\"status\":\"%s\",%s\"samples\":[",
                            json[len - 1] == '[' ? "" : ",", task, mode, workers, task, mode,
                            workers, status, extra);
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(json + len, sizeof json - len,
                                "%s{\"wall_s\":%g,\"user_s\":0,\"sys_s\":0,\"workers\":"
                                "[{\"id\":0,\"spawn_s\":%g,\"status\":\"ok\"}",
                                i ? "," : "", wall[i], spawn * (double)(i + 1));
        /* One record per worker, as concbench writes them. */
        for (int w = 1; w < workers; w++)
            len += (size_t)snprintf(json + len, sizeof json - len, ",{\"id\":%d}", w);
        len += (size_t)snprintf(json + len, sizeof json - len, "]}");
    }
    snprintf(json + len, sizeof json - len, "]}");
}

static void load(const char *host, struct cb_loaded *l)
{
    static const double s1[] = { 1.0, 3.0, 2.0 }, s2[] = { 4.0, 4.0, 4.0 };
    static const double t2[] = { 2.5, 2.5, 2.0 }, p2[] = { 2.0, 2.0, 2.0 };
    static const double t1[] = { 0.5, 0.5, 0.5 }, t4[] = { 1.0, 1.0, 1.0 };
    struct cb_error err = { "" };

    snprintf(json, sizeof json, "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
             "\"context\":{\"hostname\":\"%s\",\"cpu_model\":\"Test CPU\"},\"benchmarks\":[",
             host);
    bench("cpu", "serial", 1, "ok", s1, 3, 0);
    bench("cpu", "serial", 2, "ok", s2, 3, 0);
    bench("cpu", "threads", 2, "ok", t2, 3, 0.001);
    bench("cpu", "processes", 2, "ok", p2, 3, 0.002);
    bench("io", "threads", 1, "ok", t1, 3, 0.001);
    bench("io", "threads", 4, "ok", t4, 3, 0.001);
    bench("io", "processes", 4, "ok", t4, 3, 0.001);
    bench("io", "processes", 8, "crashed: SIGSEGV", t4, 3, 0.001);
    strcat(json, "]}");
    if (cb_load_text(host, json, strlen(json), l, &err) != 0)
        fail_msg("%s", err.msg);
}

static struct cb_review_figures figures(const struct cb_loaded *l, const char *name)
{
    struct cb_review_figures f;
    struct cb_error err = { "" };
    const struct cb_loaded_cell *c = cb_load_find(l, name);

    assert_non_null(c);
    assert_int_equal(cb_review_figures(l, c, &f, &err), 0);
    return f;
}

static void test_figures_over_serial(void **state)
{
    struct cb_loaded l;
    struct cb_review_figures f;

    (void)state;
    load("box", &l);
    f = figures(&l, "cpu/threads/2");
    assert_false(f.failed);
    assert_int_equal(f.base, CB_REVIEW_BASE_SERIAL);
    assert_float_equal(f.wall, 2.5, 1e-12);
    assert_float_equal(f.speedup, 1.6, 1e-12);
    assert_float_equal(f.efficiency, 0.8, 1e-12);
    assert_float_equal(f.spawn, 0.002, 1e-12); /* median of 1, 2, 3 ms */
    f = figures(&l, "cpu/processes/2");
    assert_float_equal(f.speedup, 2.0, 1e-12);
    assert_float_equal(f.efficiency, 1.0, 1e-12);
    assert_float_equal(f.spawn, 0.004, 1e-12);
    f = figures(&l, "cpu/serial/1");
    assert_float_equal(f.wall, 2.0, 1e-12);
    assert_float_equal(f.speedup, 1.0, 1e-12);
    assert_float_equal(cb_review_ratio(&l, "cpu", 2), 1.25, 1e-12);
    cb_load_free(&l);
}

static void test_figures_over_one_worker(void **state)
{
    struct cb_loaded l;
    struct cb_review_figures f;

    (void)state;
    load("box", &l);
    f = figures(&l, "io/threads/4"); /* no io serial: 4 x 0.5 s / 1 s */
    assert_int_equal(f.base, CB_REVIEW_BASE_ONE);
    assert_float_equal(f.speedup, 2.0, 1e-12);
    assert_float_equal(f.efficiency, 0.5, 1e-12);
    f = figures(&l, "io/processes/4"); /* no processes at 1 worker */
    assert_int_equal(f.base, CB_REVIEW_BASE_NONE);
    assert_true(isnan(f.speedup) && isnan(f.efficiency));
    assert_float_equal(f.wall, 1.0, 1e-12);
    f = figures(&l, "io/processes/8");
    assert_true(f.failed);
    assert_true(isnan(f.wall));
    assert_float_equal(cb_review_ratio(&l, "io", 4), 1.0, 1e-12);
    assert_true(isnan(cb_review_ratio(&l, "io", 8)));
    assert_true(isnan(cb_review_ratio(&l, "cpu", 1)));
    cb_load_free(&l);
}

static void test_render_side_by_side(void **state)
{
    struct cb_loaded l[3];
    struct cb_error err = { "" };
    char *text;

    (void)state;
    load("alpha", &l[0]);
    load("beta", &l[1]);
    load("alpha", &l[2]);
    text = cb_review_render(l, 3, CB_FORMAT_MARKDOWN, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "- A: alpha, Test CPU (alpha)\n- B: beta, Test CPU\n"));
    assert_non_null(strstr(text, "| A wall "));
    assert_non_null(strstr(text, "| C spawn |"));
    assert_non_null(strstr(text, "### Task io"));
    assert_non_null(strstr(text, "| 2       | threads   | 2.50 s | 1.60x (serial) | 80%  "));
    assert_non_null(strstr(text, "| 4       | threads   | 1.00 s | 2.00x (1 worker) | 50%  "));
    assert_non_null(strstr(text, "| 8       | processes | failed |"));
    assert_non_null(strstr(text, "| 2       | 1.25                |"));
    free(text);
    text = cb_review_render(l, 1, CB_FORMAT_TABLE, &err);
    assert_non_null(text);
    assert_null(strchr(text, '|'));
    assert_non_null(strstr(text, "\n2        threads    2.50 s  1.60x (serial)  80%"));
    free(text);
    assert_null(cb_review_render(l, 1, CB_FORMAT_JSON, &err));
    for (size_t i = 0; i < 3; i++)
        cb_load_free(&l[i]);
}

/* Memory, hand-off and GIL wait get a table of their own, only where a
 * file measured them. */
static void test_render_claims(void **state)
{
    static const char text[] =
        "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
        "\"benchmarks\":[{\"name\":\"cpu/threads/2\",\"task\":\"cpu\",\"mode\":\"threads\","
        "\"workers\":2,\"params\":{},\"start\":\"immediate\",\"status\":\"ok\","
        "\"memory_per_worker_kib\":{\"median\":2048},\"gil_wait_s\":{\"median\":0.012},"
        "\"samples\":[{\"wall_s\":1,\"user_s\":0,\"sys_s\":0,\"workers\":[{},{}]}]},"
        "{\"name\":\"cpu/processes/2\",\"task\":\"cpu\",\"mode\":\"processes\","
        "\"workers\":2,\"params\":{},\"start\":\"immediate\",\"status\":\"ok\","
        "\"samples\":[{\"wall_s\":1,\"user_s\":0,\"sys_s\":0,\"workers\":[{},{}]}]}]}";
    struct cb_loaded l[2];
    struct cb_error err = { "" };
    char *out, *section, *end;

    (void)state;
    assert_int_equal(cb_load_text("claims", text, sizeof text - 1, &l[0], &err), 0);
    load("plain", &l[1]);
    out = cb_review_render(l, 2, CB_FORMAT_TABLE, &err);
    assert_non_null(out);
    assert_non_null(strstr(out, "Memory per live worker (PSS), payload hand-off and GIL wait"));
    assert_non_null(strstr(out, "\n2        threads      2.00 MiB           -     12.0 ms"));
    /* A row no file has a figure for is left out (the next task's
     * tables follow the claims of cpu). */
    section = strstr(out, "Memory per live worker");
    end = strstr(section, "\nTask ");
    assert_non_null(end);
    *end = '\0';
    assert_null(strstr(section, "processes"));
    free(out);
    out = cb_review_render(&l[1], 1, CB_FORMAT_TABLE, &err);
    assert_non_null(out);
    assert_null(strstr(out, "Memory per live worker")); /* nothing measured it */
    free(out);
    cb_load_free(&l[0]);
    cb_load_free(&l[1]);
}

/* A lock --lock=none benchmark is ok with its lost updates shown; the
 * per-operation figures of a task that has them beside it. */
static void test_render_lost_updates(void **state)
{
    static const char text[] =
        "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
        "\"benchmarks\":[{\"name\":\"lock/threads/2\",\"task\":\"lock\",\"mode\":\"threads\","
        "\"workers\":2,\"params\":{\"iterations\":1000},\"start\":\"barrier\","
        "\"lock\":\"none\",\"status\":\"ok\",\"lost_updates\":{\"median\":321},"
        "\"per_op_s\":{\"median\":2e-9},\"ops_per_s\":5e8,"
        "\"samples\":[{\"wall_s\":1,\"user_s\":0,\"sys_s\":0,\"lost_updates\":321,"
        "\"workers\":[{},{}]}]},"
        "{\"name\":\"lock/processes/2\",\"task\":\"lock\",\"mode\":\"processes\","
        "\"workers\":2,\"params\":{\"iterations\":1000},\"start\":\"barrier\","
        "\"lock\":\"none\",\"status\":\"ok\","
        "\"samples\":[{\"wall_s\":1,\"user_s\":0,\"sys_s\":0,\"workers\":[{},{}]}]}]}";
    struct cb_loaded l;
    struct cb_error err = { "" };
    const struct cb_loaded_cell *c;
    char *out, *section;

    (void)state;
    assert_int_equal(cb_load_text("lost", text, sizeof text - 1, &l, &err), 0);
    c = cb_load_find(&l, "lock/threads/2");
    assert_non_null(c);
    assert_true(c->lost_updates == 321);
    assert_true(c->per_op == 2e-9);
    assert_true(isnan(cb_load_find(&l, "lock/processes/2")->lost_updates));
    out = cb_review_render(&l, 1, CB_FORMAT_TABLE, &err);
    assert_non_null(out);
    section = strstr(out, "updates lost (--lock=none, not a failure)");
    assert_non_null(section);
    assert_non_null(strstr(section, "threads  2.00 ns  5e+08           321"));
    assert_null(strstr(section, "processes")); /* nothing measured */
    assert_null(strstr(out, "failed"));
    free(out);
    cb_load_free(&l);
}

#define LATENCY(m, p) "{\"median\":" m ",\"p90\":" p ",\"p99\":" p ",\"max\":" p ",\"n\":24}"

/* A file with four models of cpu at 8 jobs, a pool's and the loop's
 * latency objects; one benchmark failed. */
static void load_models(struct cb_loaded *l)
{
    static const double tp[] = { 0.9, 1.0, 1.1 }, th[] = { 1.8, 2.0, 2.2 };
    static const double lp[] = { 4.0, 4.0, 4.0 }, one[] = { 1.0 };
    struct cb_error err = { "" };

    snprintf(json, sizeof json, "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
             "\"context\":{\"hostname\":\"m\",\"cpu_model\":\"Test CPU\"},\"benchmarks\":[");
    bench("cpu", "threads", 8, "ok", th, 3, 0.001);
    extra = "\"pool\":{\"size\":2,\"dispatch_s\":" LATENCY("2e-6", "5e-5")
            ",\"queue_wait_s\":" LATENCY("0.001", "0.003")
            ",\"completion_s\":" LATENCY("3e-6", "null") "},";
    bench("cpu", "thread-pool", 8, "ok", tp, 3, 0.001);
    extra = "\"loop\":{\"lateness_s\":" LATENCY("0.0002", "0.004") ",\"pending_job_bytes\":64},";
    bench("cpu", "loop", 8, "ok", lp, 3, 0.001);
    extra = "";
    bench("cpu", "process-pool", 8, "crashed: SIGSEGV", lp, 3, 0.001);
    bench("cpu", "threads", 1, "ok", one, 1, 0.001); /* alone at 1 job: no ranking */
    strcat(json, "]}");
    if (cb_load_text("models", json, strlen(json), l, &err) != 0)
        fail_msg("%s", err.msg);
}

/* The pool and loop objects are read back: median and p99, null as NAN,
 * absent as NAN; a malformed one is refused naming it. */
static void test_load_models(void **state)
{
    struct cb_loaded l;
    const struct cb_loaded_cell *c;
    struct cb_error err = { "" };
    char *bad;

    (void)state;
    load_models(&l);
    c = cb_load_find(&l, "cpu/thread-pool/8");
    assert_true(c->dispatch[0] == 2e-6 && c->dispatch[1] == 5e-5);
    assert_true(c->queue_wait[0] == 0.001 && c->queue_wait[1] == 0.003);
    assert_true(c->completion[0] == 3e-6 && isnan(c->completion[1]));
    assert_true(isnan(c->lateness[0]) && isnan(c->lateness[1]));
    c = cb_load_find(&l, "cpu/loop/8");
    assert_true(c->lateness[0] == 0.0002 && c->lateness[1] == 0.004);
    assert_true(isnan(c->dispatch[0]));
    cb_load_free(&l);
    bad = strstr(json, "\"pool\":{\"size\":2,");
    assert_non_null(bad);
    memcpy(bad, "\"pool\":7,\"size\":{", 17); /* still JSON: "pool" is a number */
    assert_int_equal(cb_load_text("bad", json, strlen(json), &l, &err), -1);
    assert_non_null(strstr(err.msg, "benchmarks[1].pool is not an object"));
    load_models(&l);
    cb_load_free(&l);
    bad = strstr(json, "\"lateness_s\":{\"median\":0.0002");
    assert_non_null(bad);
    memcpy(bad, "\"lateness_s\":{\"median\":-2e-04", 29);
    assert_int_equal(cb_load_text("bad", json, strlen(json), &l, &err), -1);
    assert_non_null(strstr(err.msg, "benchmarks[2].loop.lateness_s.median is -0.0002"));
}

/* Per job count, every mode ranked by median wall time, the winner's
 * margin over the runner-up in the run's own words; a failed mode last;
 * a job count with one mode has no ranking. */
static void test_render_wins(void **state)
{
    struct cb_loaded l[2];
    struct cb_error err = { "" };
    char *out, *section;

    (void)state;
    load_models(&l[0]);
    out = cb_review_render(l, 1, CB_FORMAT_TABLE, &err);
    assert_non_null(out);
    section = strstr(out, "Which model wins");
    assert_non_null(section);
    /* threads: median 2, MAD 0.2; thread-pool: 1, 0.1: 2 * 1.4826 *
     * sqrt(0.1^2 + 0.1^2) = 0.42 */
    assert_non_null(strstr(section, "\n8     1     thread-pool   1.00 s        winner\n"));
    assert_non_null(strstr(section, "\n8     2     threads       2.00 s  2.00 ± 0.42x\n"));
    assert_non_null(strstr(section, "\n8     3     loop          4.00 s  4.00 ± 0.59x\n"));
    assert_non_null(strstr(section, "\n8     -     process-pool  failed             -\n"));
    assert_non_null(strstr(section, "\n  8 jobs: thread-pool ran 2.00 ± 0.42 times faster "
                                    "than threads\n"));
    assert_null(strstr(section, "\n1 "));
    section = strstr(out, "Pools' dispatch, queue wait and completion latency");
    assert_non_null(section);
    /* No file has a completion p99 (null): no such column. */
    assert_non_null(strstr(section, "queue wait p99  completion p50  lateness p50"));
    assert_non_null(strstr(section, "\n8     thread-pool       2.00 µs       50.0 µs         "
                                    "1.00 ms         3.00 ms         3.00 µs             -"));
    assert_non_null(strstr(section, "\n8     loop                    -             -"));
    assert_non_null(strstr(section, "        200 µs       4.00 ms\n"));
    assert_null(strstr(section, "threads   ")); /* nothing measured */
    free(out);
    load_models(&l[1]);
    out = cb_review_render(l, 2, CB_FORMAT_MARKDOWN, &err);
    assert_non_null(out);
    assert_non_null(strstr(out, "#### Which model wins"));
    assert_non_null(strstr(out, "| jobs | file | rank | mode "));
    assert_non_null(strstr(out, "- B, 8 jobs: thread-pool ran 2.00 ± 0.42 times faster "
                                "than threads\n"));
    assert_non_null(strstr(out, "| 8    | B    | loop "));
    free(out);
    cb_load_free(&l[0]);
    cb_load_free(&l[1]);
    /* The plain file: each worker count of cpu has serial and more. */
    load("box", &l[0]);
    out = cb_review_render(l, 1, CB_FORMAT_TABLE, &err);
    assert_non_null(out);
    assert_non_null(strstr(out, "  2 jobs: processes ran 1.25 ± 0.00 times faster than "
                                "threads\n"));
    assert_null(strstr(out, "Pools' dispatch")); /* no pool, no loop */
    free(out);
    cb_load_free(&l[0]);
}

static void test_parse_args(void **state)
{
    struct cb_review_opts o;
    struct cb_error err = { "" };
    char a[][16] = { "report", "-f", "markdown", "a.json", "b.json", "-o", "x.md",
                     "--format=json", "table", "--bogus" };
    char *ok[] = { a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL };
    char *bad_fmt[] = { a[0], a[7], a[3], NULL };
    char *none[] = { a[0], a[1], a[8], NULL };
    char *unknown[] = { a[0], a[9], a[3], NULL };

    (void)state;
    assert_int_equal(cb_review_parse_args(7, ok, &o, &err), 0);
    assert_int_equal(o.format, CB_FORMAT_MARKDOWN);
    assert_int_equal(o.npaths, 2);
    assert_string_equal(o.paths[1], "b.json");
    assert_string_equal(o.output, "x.md");
    assert_int_equal(cb_review_parse_args(3, bad_fmt, &o, &err), -1);
    assert_string_equal(err.msg, "--format: 'json' is not accepted; accepted: table, markdown");
    assert_int_equal(cb_review_parse_args(3, none, &o, &err), -1);
    assert_non_null(strstr(err.msg, "needs 1 to 16 result files, got 0"));
    assert_int_equal(cb_review_parse_args(3, unknown, &o, &err), -1);
    assert_non_null(strstr(err.msg, "unknown option '--bogus'"));
}

/* Files set side by side that were not run alike: one line per kind of
 * difference, none when they agree. */
static void test_pool_warnings(void **state)
{
    struct cb_loaded l[2];
    struct cb_error err = { "" };
    char *w;

    (void)state;
    load("a.json", &l[0]);
    load("b.json", &l[1]);
    w = cb_review_pool_warnings(l, 2, &err);
    assert_string_equal(w, "");
    free(w);
    w = cb_review_pool_warnings(l, 1, &err);
    assert_string_equal(w, "");
    free(w);
    l[0].context.usable_cpus = 2;
    l[1].context.usable_cpus = 1;
    w = cb_review_pool_warnings(l, 2, &err);
    assert_string_equal(w, "report: the files differ in usable CPUs: a.json 2, b.json 1\n");
    free(w);
    l[1].context.usable_cpus = 2;
    /* Two benchmarks differ: the first is named, the other counted. */
    l[1].cells[2].nparams = 1;
    strcpy(l[1].cells[2].params[0].name, "iterations");
    l[1].cells[2].params[0].value = 2e6;
    for (size_t i = 0; i < l[1].cells[3].nchoices; i++)
        if (strcmp(l[1].cells[3].choices[i].key, "pin") == 0)
            strcpy(l[1].cells[3].choices[i].value, "spread");
    w = cb_review_pool_warnings(l, 2, &err);
    assert_string_equal(w, "report: the files differ in the parameters of cpu/threads/2: "
                           "start=immediate in a.json, start=immediate, iterations=2000000 "
                           "in b.json (and 1 more benchmarks)\n");
    free(w);
    cb_load_free(&l[0]);
    cb_load_free(&l[1]);
    /* A choice written at its default and the same choice absent (a file
     * older than the option) ran alike: no warning; another value does
     * differ. */
    load("a.json", &l[0]);
    load("b.json", &l[1]);
    for (size_t i = 0; i < l[1].cells[0].nchoices; i++)
        if (strcmp(l[1].cells[0].choices[i].key, "queue") == 0)
            strcpy(l[1].cells[0].choices[i].value, "shm");
    w = cb_review_pool_warnings(l, 2, &err);
    assert_string_equal(w, "");
    free(w);
    for (size_t i = 0; i < l[1].cells[0].nchoices; i++)
        if (strcmp(l[1].cells[0].choices[i].key, "queue") == 0)
            strcpy(l[1].cells[0].choices[i].value, "pipe");
    w = cb_review_pool_warnings(l, 2, &err);
    assert_non_null(strstr(w, "queue=pipe in b.json"));
    free(w);
    cb_load_free(&l[0]);
    cb_load_free(&l[1]);
}

/* Runs the binary with args; returns its exit status, stdout in out. */
static int run(const char *args, char *out, size_t len)
{
    char cmd[2048];
    FILE *p;
    size_t n;
    int st;

    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1 </dev/null", CB_BINARY, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_cli(void **state)
{
    static char out[65536];

    (void)state;
    assert_int_equal(run("report " DATA "base.json " DATA "other-host.json", out, sizeof out), 0);
    assert_non_null(strstr(out, "  A: ci-runner, Test CPU\n  B: laptop, Test CPU\n"));
    assert_non_null(strstr(out, "1        serial     9.09 ms  1.00x (serial)  100%"));
    assert_non_null(strstr(out, "Task io"));
    assert_int_equal(run("report -f markdown " DATA "base.json", out, sizeof out), 0);
    assert_non_null(strstr(out, "| 2       | threads   | 10.0 ms |"));
    assert_null(strstr(out, "warning"));
    /* Pooled files run with other parameters: one warning line. */
    assert_int_equal(run("report " DATA "base.json " DATA "params.json", out, sizeof out), 0);
    assert_non_null(strstr(out, "concbench: warning: report: the files differ in the "
                                "parameters of cpu/threads/2: start=immediate, "
                                "iterations=1000000 in "));
    assert_non_null(strstr(out, "base.json, start=immediate, iterations=2000000 in "));
    assert_null(strstr(strstr(out, "warning") + 1, "warning")); /* said once */
    assert_int_equal(run("report " DATA "base.json " DATA "bad/empty.json", out, sizeof out), 2);
    assert_non_null(strstr(out, "bad/empty.json: "));
    assert_null(strchr(strchr(out, '\n') + 1, '\n')); /* one line */
    assert_int_equal(run("report /nonexistent.json", out, sizeof out), 2);
    assert_int_equal(run("report", out, sizeof out), 2);
    assert_int_equal(run("report -f csv " DATA "base.json", out, sizeof out), 2);
    assert_int_equal(run("report --help", out, sizeof out), 0);
    assert_non_null(strstr(out, "Usage: concbench report"));
}

/* Colour: only on a terminal, never with NO_COLOR set (an empty one is
 * unset), never in a pipe. script(1) gives the run a terminal. */
static void test_colour(void **state)
{
    static char out[65536];
    const char *run_args = "-t cpu -m threads -n 1 -r 2 --iterations=1000 -f table -q";
    char args[1024];

    (void)state;
    assert_true(cb_report_colour_wanted(true, NULL));
    assert_true(cb_report_colour_wanted(true, ""));
    assert_false(cb_report_colour_wanted(true, "1"));
    assert_false(cb_report_colour_wanted(false, NULL));
    assert_int_equal(run(run_args, out, sizeof out), 0);
    assert_null(strchr(out, '\033'));
    if (system("command -v script >/dev/null 2>&1") != 0)
        skip();
    snprintf(args, sizeof args, "%s 2>&1; script -qec \"NO_COLOR=1 '%s' %s\" /dev/null",
             run_args, CB_BINARY, run_args);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_null(strchr(out, '\033'));
    snprintf(args, sizeof args, "%s 2>&1; script -qec \"'%s' %s\" /dev/null",
             run_args, CB_BINARY, run_args);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_true(strstr(out, "\033[32mok\033[0m  ") || strstr(out, "\033[33mok\033[0m  "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_over_serial),
        cmocka_unit_test(test_figures_over_one_worker),
        cmocka_unit_test(test_render_side_by_side),
        cmocka_unit_test(test_render_claims),
        cmocka_unit_test(test_render_lost_updates),
        cmocka_unit_test(test_load_models),
        cmocka_unit_test(test_render_wins),
        cmocka_unit_test(test_parse_args),
        cmocka_unit_test(test_pool_warnings),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_colour),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
