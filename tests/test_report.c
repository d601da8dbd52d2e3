/* cb_report_render and cb_results: synthetic results rendered as json,
 * table, markdown and csv, the JSON parsed back against the contract. */
#include "cb_test.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/answer.h"
#include "concbench/report.h"
#include "concbench/sysstate_run.h"
#include "concbench/results.h"
#include "concbench/version.h"

#define MS 1000000ull
#define BIG (1ull << 63)
#define NCELLS 5

enum { SERIAL, THREADS, PROCESSES, IO, FIB };

static const char *const fib_status =
    "error: cannot create worker 2, \"ulimit -u\" | EAGAIN";

/* --context pairs point into argv; these stand in for it. */
static const char arg_branch[] = "branch=main";
static const char arg_branch2[] = "branch=dev";
static const struct cb_kv user_kv[] = {
    { arg_branch, 6, arg_branch + 7 },
    { "ci=yes", 2, "yes" },
    { arg_branch2, 6, arg_branch2 + 7 },
};

static void near(double got, double want, double eps, const char *what, int line)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("line %d: %s = %.17g, want %.17g", line, what, got, want);
}
#define assert_near(got, want, eps) near((got), (want), (eps), #got, __LINE__)

/* ---- building the results ------------------------------------------ */

static void fill_sample(struct cb_sample *s, uint32_t nw, uint64_t t0, uint64_t wall)
{
    s->nworkers = nw;
    s->workers = aligned_alloc(CB_CACHE_LINE, nw * sizeof *s->workers);
    assert_non_null(s->workers);
    memset(s->workers, 0, nw * sizeof *s->workers);
    s->times = (struct cb_run_times){
        .t0_ns = t0, .ready_ns = t0 + 20000, .release_ns = t0, .t1_ns = t0 + wall,
        .started = nw,
    };
    for (uint32_t i = 0; i < nw; i++) {
        struct cb_worker_record *w = &s->workers[i];

        w->create_ns = t0 + 1000 * i;
        w->first_ns = w->create_ns + 50000 + 1000 * i; /* 50 us, 51 us */
        w->start_ns = w->first_ns + 500;
        w->end_ns = t0 + wall - 100;
        w->user_ns = wall / 4;
        w->sys_ns = MS;
        w->cpu_ns = w->user_ns + w->sys_ns; /* the exact clock agrees */
        w->ctx_voluntary = 3;
        w->ctx_involuntary = 1 + i;
        w->minor_faults = 100 + i;
        w->major_faults = i;
        w->cpu_migrations = 2;
        w->migrations_known = i == 1; /* the first worker's was not read */
        w->usage_known = 1;
        w->max_rss_kib = 2048 + i;
        w->checksum = 10000000;
        w->cpu = (int32_t)i;
        w->status = CB_WORKER_OK;
        atomic_store(&w->done, 1);
    }
}

static void make_cell(struct cb_cell *c, const struct cb_task *task,
                      const struct cb_executor *runner, size_t nsamples)
{
    snprintf(c->name, sizeof c->name, "%s/%s/2", task->name, runner->name);
    c->task = task;
    c->runner = runner;
    c->workers = 2;
    cb_params_default(&c->params);
    c->start = CB_START_IMMEDIATE;
    c->warmup = 1;
    c->repetitions = 3;
    c->nsamples = nsamples;
    c->samples = nsamples ? calloc(nsamples, sizeof *c->samples) : NULL;
    if (nsamples)
        assert_non_null(c->samples);
}

static void make_context(struct cb_context *ctx)
{
    snprintf(ctx->date, sizeof ctx->date, "2026-01-02T03:04:05Z");
    snprintf(ctx->hostname, sizeof ctx->hostname, "host1");
    snprintf(ctx->os, sizeof ctx->os, "Debian GNU/Linux 12 (bookworm)");
    snprintf(ctx->kernel, sizeof ctx->kernel, "6.1.0-test");
    snprintf(ctx->arch, sizeof ctx->arch, "x86_64");
    snprintf(ctx->cpu_model, sizeof ctx->cpu_model, "Test CPU @ 3.00GHz");
    ctx->logical_cpus = 8;
    ctx->usable_cpus = 4;
    ctx->memory_bytes = 1ull << 34;
    ctx->load_avg[0] = 0.5;
    ctx->load_avg[1] = 0.25;
    ctx->load_avg[2] = 0.125;
    ctx->command = strdup("concbench --task=cpu,io -n 2");
    assert_non_null(ctx->command);
    ctx->user = user_kv;
    ctx->nuser = 3;
}

/* Worker faults, set before the samples are summarised. */
static void break_workers(struct cb_results *r)
{
    struct cb_worker_record *w;

    r->cells[THREADS].samples[0].workers[0].checksum = BIG;
    r->cells[THREADS].samples[0].workers[1].checksum = UINT64_MAX;
    w = &r->cells[PROCESSES].samples[0].workers[1];
    atomic_store(&w->done, 0);
    w->status = CB_WORKER_CRASHED;
    w->detail = SIGSEGV;
    w = &r->cells[PROCESSES].samples[1].workers[0];
    atomic_store(&w->done, 0);
    w->status = CB_WORKER_PENDING;
    r->cells[FIB].failed = true;
    snprintf(r->cells[FIB].status, sizeof r->cells[FIB].status, "%s", fib_status);
}

static int setup(void **state)
{
    static const uint64_t walls[NCELLS][3] = {
        { 200 * MS, 210 * MS, 190 * MS }, { 100 * MS, 105 * MS, 95 * MS },
        { 110 * MS, 100 * MS, 120 * MS }, { 100 * MS, 150 * MS, 100 * MS },
    };
    struct cb_results *r = calloc(1, sizeof *r);
    struct cb_error err = { "" };

    assert_non_null(r);
    make_context(&r->context);
    r->cells = calloc(NCELLS, sizeof *r->cells);
    assert_non_null(r->cells);
    r->ncells = NCELLS;
    make_cell(&r->cells[SERIAL], cb_task_find("cpu"), cb_executor_find("serial"), 3);
    make_cell(&r->cells[THREADS], cb_task_find("cpu"), cb_executor_find("threads"), 3);
    make_cell(&r->cells[PROCESSES], cb_task_find("cpu"), cb_executor_find("processes"), 3);
    make_cell(&r->cells[IO], cb_task_find("io"), cb_executor_find("threads"), 3);
    make_cell(&r->cells[FIB], cb_task_find("fib"), cb_executor_find("threads"), 0);
    for (size_t c = 0; c < NCELLS; c++)
        for (size_t s = 0; s < r->cells[c].nsamples; s++)
            fill_sample(&r->cells[c].samples[s], 2, 1000000000ull * (s + 1), walls[c][s]);
    break_workers(r);
    for (size_t c = 0; c < NCELLS; c++) {
        for (size_t s = 0; s < r->cells[c].nsamples; s++)
            cb_sample_summarise(&r->cells[c].samples[s], r->cells[c].start);
        assert_int_equal(cb_cell_finish(&r->cells[c], &err), 0);
        assert_true(isnan(r->cells[c].speedup));
    }
    cb_results_speedups(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct cb_results *r = *state;

    cb_results_free(r);
    assert_null(r->cells);
    assert_int_equal(r->ncells, 0);
    free(r);
    return 0;
}

static char *render(const struct cb_results *r, enum cb_format f, bool per_sample)
{
    struct cb_error err = { "" };
    char *s = cb_report_render(r, f, per_sample, &err);
    const char *show = getenv("CB_TEST_SHOW"); /* e.g. =json: print it */

    if (!s)
        fail_msg("render failed: %s", err.msg);
    if (show && strcmp(show, cb_format_name(f)) == 0)
        fputs(s, stderr);
    assert_true(strlen(s) > 0);
    assert_int_equal(s[strlen(s) - 1], '\n');
    return s;
}

/* ---- results ------------------------------------------------------- */

static void test_results(void **state)
{
    const struct cb_results *r = *state;
    const struct cb_cell *c = &r->cells[PROCESSES];
    const struct cb_sample *s = &c->samples[0];

    assert_true(cb_results_failed(r));
    assert_string_equal(r->cells[SERIAL].status, "ok");
    assert_false(r->cells[THREADS].failed);
    assert_string_equal(c->status, "crashed: SIGSEGV");
    assert_true(c->failed);
    assert_string_equal(r->cells[FIB].status, fib_status);
    assert_int_equal(r->cells[FIB].wall.n, 0);
    /* Only done workers count. */
    assert_int_equal(s->user_ns, 110 * MS / 4);
    assert_int_equal(s->sys_ns, MS);
    assert_int_equal(s->cpu_ns, 110 * MS / 4 + MS);
    assert_int_equal(s->max_rss_kib, 2048);
    assert_int_equal(s->ctx_involuntary, 1);
    assert_int_equal(c->spawn.n, 4);
    assert_int_equal(r->cells[THREADS].spawn.n, 6);
    assert_near(r->cells[THREADS].spawn.median, 50.5e-6, 1e-12);
    assert_near(r->cells[THREADS].wall.median, 0.1, 1e-12);
    assert_near(r->cells[THREADS].util.median, (25 + 1) * 2 / 100.0, 1e-9);
    assert_near(r->cells[SERIAL].speedup, 1.0, 1e-12);
    assert_near(r->cells[THREADS].speedup, 2.0, 1e-12);
    assert_near(r->cells[PROCESSES].speedup, 0.2 / 0.11, 1e-12);
    assert_true(isnan(r->cells[IO].speedup));
    assert_true(isnan(r->cells[FIB].speedup));
    assert_int_equal(r->cells[IO].nwarnings, 1);
    assert_int_equal(r->cells[THREADS].nwarnings, 0);
    assert_string_equal(r->cells[IO].warnings[0],
                        "wall time varies: CV 24.7% > 10%; results may be unstable "
                        "(noisy machine?); try more --repetitions");
}

static void test_barrier_wall(void **state)
{
    struct cb_sample s = { 0 };

    (void)state;
    fill_sample(&s, 1, 1000, 5000);
    s.times.release_ns = 3000;
    cb_sample_summarise(&s, CB_START_BARRIER);
    assert_int_equal(s.wall_ns, 3000); /* t1 6000 - release 3000 */
    cb_sample_summarise(&s, CB_START_IMMEDIATE);
    assert_int_equal(s.wall_ns, 5000);
    free(s.workers);
}

/* A serial cell with other workers or start is no baseline. */
static void test_speedup_match(void **state)
{
    struct cb_results *r = *state;

    r->cells[SERIAL].workers = 4;
    cb_results_speedups(r);
    assert_true(isnan(r->cells[THREADS].speedup));
    r->cells[SERIAL].workers = 2;
    r->cells[SERIAL].start = CB_START_BARRIER;
    cb_results_speedups(r);
    assert_true(isnan(r->cells[THREADS].speedup));
    assert_near(r->cells[SERIAL].speedup, 1.0, 1e-12);
    r->cells[SERIAL].start = CB_START_IMMEDIATE;
    r->cells[SERIAL].params.iterations++;
    cb_results_speedups(r);
    assert_true(isnan(r->cells[THREADS].speedup));
    r->cells[SERIAL].params.iterations--;
    r->cells[SERIAL].params.sleep_ns++; /* not a cpu parameter */
    cb_results_speedups(r);
    assert_near(r->cells[THREADS].speedup, 2.0, 1e-12);
}

/* ---- json ---------------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!v)
        fail_msg("missing key \"%s\"", key);
    return v;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);

    if (!cJSON_IsNumber(v))
        fail_msg("\"%s\" is not a number", key);
    return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);

    if (!cJSON_IsString(v))
        fail_msg("\"%s\" is not a string", key);
    return v->valuestring;
}

/* o is an object with exactly these keys. */
static void check_keys(const cJSON *o, const char *const *keys, size_t n)
{
    assert_true(cJSON_IsObject(o));
    assert_int_equal(cJSON_GetArraySize(o), n);
    for (size_t i = 0; i < n; i++)
        get(o, keys[i]);
}

static void check_stats(const cJSON *b, const char *name, double n)
{
    static const char *const keys[] = {
        "min", "median", "mean", "stddev", "max", "p10", "p90", "mad", "cv", "n",
    };
    const cJSON *s = get(b, name);

    check_keys(s, keys, 10);
    for (size_t i = 0; i < 10; i++)
        num(s, keys[i]);
    assert_near(num(s, "n"), n, 0);
}

static cJSON *parse(const char *text)
{
    cJSON *root = cJSON_Parse(text);

    if (!root)
        fail_msg("JSON does not parse near: %.40s", cJSON_GetErrorPtr());
    return root;
}

static void test_json_top(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    static const char *const top[] = { "schema_version", "tool", "context", "benchmarks" };
    static const char *const tool[] = { "name", "version", "compiler", "build_type" };
    const cJSON *t = get(root, "tool");

    check_keys(root, top, 4);
    assert_near(num(root, "schema_version"), 1, 0);
    check_keys(t, tool, 4);
    assert_string_equal(str(t, "name"), "concbench");
    assert_string_equal(str(t, "version"), CB_VERSION);
    assert_string_equal(str(t, "compiler"), CB_COMPILER);
    assert_string_equal(str(t, "build_type"), CB_BUILD_TYPE);
    assert_true(cJSON_IsArray(get(root, "benchmarks")));
    assert_int_equal(cJSON_GetArraySize(get(root, "benchmarks")), NCELLS);
    assert_int_equal(text[0], '{');
    cJSON_Delete(root);
    free(text);
}

static void test_json_context(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    const cJSON *c = get(root, "context"), *load, *user;
    static const char *const keys[] = {
        "date", "hostname", "os", "kernel", "arch", "cpu_model", "logical_cpus",
        "usable_cpus", "memory_bytes", "load_avg", "command", "user",
    };

    check_keys(c, keys, 12);
    assert_string_equal(str(c, "date"), "2026-01-02T03:04:05Z");
    assert_string_equal(str(c, "hostname"), "host1");
    assert_string_equal(str(c, "os"), "Debian GNU/Linux 12 (bookworm)");
    assert_string_equal(str(c, "kernel"), "6.1.0-test");
    assert_string_equal(str(c, "arch"), "x86_64");
    assert_string_equal(str(c, "cpu_model"), "Test CPU @ 3.00GHz");
    assert_near(num(c, "logical_cpus"), 8, 0);
    assert_near(num(c, "usable_cpus"), 4, 0);
    assert_near(num(c, "memory_bytes"), 17179869184.0, 0);
    assert_string_equal(str(c, "command"), "concbench --task=cpu,io -n 2");
    load = get(c, "load_avg");
    assert_true(cJSON_IsArray(load));
    assert_int_equal(cJSON_GetArraySize(load), 3);
    assert_near(cJSON_GetArrayItem(load, 2)->valuedouble, 0.125, 0);
    user = get(c, "user");
    assert_true(cJSON_IsObject(user));
    assert_int_equal(cJSON_GetArraySize(user), 2); /* branch given twice */
    assert_string_equal(str(user, "branch"), "dev");
    assert_string_equal(str(user, "ci"), "yes");
    cJSON_Delete(root);
    free(text);
}

static const cJSON *bench(const cJSON *root, int i)
{
    return cJSON_GetArrayItem(get(root, "benchmarks"), i);
}

static void check_benchmark(const cJSON *b, bool has_speedup)
{
    static const char *const keys[] = {
        "name", "task", "mode", "workers", "units", "params", "start", "warmup",
        "repetitions", "status", "wall_s", "spawn_s", "cpu_utilization",
        "warnings", "samples", "speedup",
    };

    check_keys(b, keys, has_speedup ? 16 : 15);
    str(b, "name");
    str(b, "task");
    str(b, "mode");
    str(b, "start");
    str(b, "status");
    assert_near(num(b, "workers"), 2, 0);
    assert_near(num(b, "warmup"), 1, 0);
    assert_near(num(b, "repetitions"), 3, 0);
    assert_true(cJSON_IsObject(get(b, "params")));
    assert_true(cJSON_IsArray(get(b, "warnings")));
    assert_true(cJSON_IsArray(get(b, "samples")));
    if (has_speedup)
        num(b, "speedup");
}

static void test_json_benchmarks(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    const cJSON *b;

    for (int i = 0; i < NCELLS; i++)
        check_benchmark(bench(root, i), i == SERIAL || i == THREADS || i == PROCESSES);
    b = bench(root, THREADS);
    assert_string_equal(str(b, "name"), "cpu/threads/2");
    assert_string_equal(str(b, "task"), "cpu");
    assert_string_equal(str(b, "mode"), "threads");
    assert_string_equal(str(b, "start"), "immediate");
    assert_string_equal(str(b, "status"), "ok");
    assert_near(num(b, "speedup"), 2.0, 1e-12);
    assert_near(num(bench(root, SERIAL), "speedup"), 1.0, 0);
    assert_int_equal(cJSON_GetArraySize(get(b, "params")), 1);
    assert_near(num(get(b, "params"), "iterations"), 100000000, 0);
    assert_near(num(get(bench(root, IO), "params"), "sleep_s"), 0.1, 0);
    assert_int_equal(cJSON_GetArraySize(get(bench(root, IO), "params")), 1);
    assert_near(num(get(bench(root, FIB), "params"), "fib_n"), 35, 0);
    check_stats(b, "wall_s", 3);
    check_stats(b, "spawn_s", 6);
    check_stats(b, "cpu_utilization", 3);
    assert_near(num(get(b, "wall_s"), "median"), 0.1, 1e-12);
    assert_near(num(get(b, "spawn_s"), "median"), 50.5e-6, 1e-12);
    assert_int_equal(cJSON_GetArraySize(get(b, "warnings")), 0);
    assert_int_equal(cJSON_GetArraySize(get(b, "samples")), 3);
    assert_true(cJSON_IsString(cJSON_GetArrayItem(get(bench(root, IO), "warnings"), 0)));
    assert_string_equal(str(bench(root, PROCESSES), "status"), "crashed: SIGSEGV");
    b = bench(root, FIB);
    assert_string_equal(str(b, "status"), fib_status);
    check_stats(b, "wall_s", 0);
    assert_int_equal(cJSON_GetArraySize(get(b, "samples")), 0);
    cJSON_Delete(root);
    free(text);
}

static const char *const sample_keys[] = {
    "wall_s", "create_s", "release_s", "cpu_s", "user_s", "sys_s", "cpu_utilization", "max_rss_kib",
    "ctx_voluntary", "ctx_involuntary", "workers", "units", "minor_faults", "major_faults",
    "cpu_migrations",
};
static const char *const worker_keys[] = {
    "id", "spawn_s", "create_s", "first_s", "start_s", "end_s", "run_s", "cpu_s", "user_s", "sys_s",
    "ctx_voluntary", "ctx_involuntary", "max_rss_kib", "cpu", "checksum", "status",
    "create_call_s", "start_delay_s", "minor_faults", "major_faults", "cpu_migrations",
};

static void test_json_samples(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    const cJSON *s = cJSON_GetArrayItem(get(bench(root, THREADS), "samples"), 1);
    const cJSON *w = cJSON_GetArrayItem(get(s, "workers"), 1);

    check_keys(s, sample_keys, 15);
    for (size_t i = 0; i + 1 < 11; i++)
        num(s, sample_keys[i]);
    assert_near(num(s, "wall_s"), 0.105, 1e-12);
    assert_near(num(s, "create_s"), 20e-6, 1e-12);
    assert_near(num(s, "release_s"), 0, 1e-12);
    assert_near(num(s, "cpu_s"), 2 * 0.105 / 4 + 0.002, 1e-12);
    assert_near(num(s, "user_s"), 2 * 0.105 / 4, 1e-12);
    assert_near(num(s, "sys_s"), 0.002, 1e-12);
    assert_near(num(s, "cpu_utilization"), (2 * 0.105 / 4 + 0.002) / 0.105, 1e-12);
    assert_near(num(s, "max_rss_kib"), 2049, 0);
    assert_near(num(s, "ctx_voluntary"), 6, 0);
    assert_near(num(s, "ctx_involuntary"), 3, 0);
    assert_near(num(s, "minor_faults"), 201, 0);
    assert_near(num(s, "major_faults"), 1, 0);
    /* One worker's migrations unknown: the sum is unknown, not a part. */
    assert_true(cJSON_IsNull(get(s, "cpu_migrations")));
    assert_int_equal(cJSON_GetArraySize(get(s, "workers")), 2);
    check_keys(w, worker_keys, 21);
    assert_near(num(w, "minor_faults"), 101, 0);
    assert_near(num(w, "cpu_migrations"), 2, 0);
    assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(get(s, "workers"), 0), "cpu_migrations")));
    for (size_t i = 0; i + 1 < 16; i++)
        num(w, worker_keys[i]);
    assert_string_equal(str(w, "status"), "ok");
    assert_near(num(w, "id"), 1, 0);
    assert_near(num(w, "spawn_s"), 51e-6, 1e-12);
    assert_near(num(w, "create_s"), 1e-6, 1e-12);
    assert_near(num(w, "first_s"), 52e-6, 1e-12);
    assert_near(num(w, "start_s"), 52.5e-6, 1e-12);
    assert_near(num(w, "end_s"), 0.105 - 100e-9, 1e-12);
    assert_near(num(w, "run_s"), 0.105 - 100e-9 - 52.5e-6, 1e-12);
    assert_near(num(w, "cpu_s"), 0.105 / 4 + 0.001, 1e-12);
    assert_near(num(w, "cpu"), 1, 0);
    assert_near(num(w, "checksum"), 10000000, 0);
    cJSON_Delete(root);
    free(text);
}

/* A gated sample names the CPU its gate was opened from; an ungated one
 * (release_cpu_known false, as in the other tests) has no such key. */
static void test_json_release_cpu(void **state)
{
    struct cb_results *r = *state;
    struct cb_sample *sa = &r->cells[THREADS].samples[1];
    char *text;
    cJSON *root;
    const cJSON *samples;

    sa->times.release_cpu = 1;
    sa->times.release_cpu_known = true;
    root = parse(text = render(r, CB_FORMAT_JSON, false));
    samples = get(bench(root, THREADS), "samples");
    assert_near(num(cJSON_GetArrayItem(samples, 1), "release_cpu"), 1, 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(samples, 0),
                                                 "release_cpu"));
    cJSON_Delete(root);
    free(text);
}

/* A worker whose getrusage could not be read has null faults and
 * switches, and so has its sample's sum: never a made-up 0. */
static void test_json_usage_unknown(void **state)
{
    struct cb_results *r = *state;
    struct cb_sample *sa = &r->cells[THREADS].samples[1];
    char *text;
    cJSON *root;
    const cJSON *s, *w0, *w1;

    sa->workers[0].usage_known = 0;
    cb_sample_summarise(sa, r->cells[THREADS].start);
    root = parse(text = render(r, CB_FORMAT_JSON, false));
    s = cJSON_GetArrayItem(get(bench(root, THREADS), "samples"), 1);
    w0 = cJSON_GetArrayItem(get(s, "workers"), 0);
    w1 = cJSON_GetArrayItem(get(s, "workers"), 1);
    for (size_t i = 0; i < 4; i++) {
        static const char *const keys[] = { "minor_faults", "major_faults", "ctx_voluntary",
                                            "ctx_involuntary" };

        assert_true(cJSON_IsNull(get(s, keys[i])));
        assert_true(cJSON_IsNull(get(w0, keys[i])));
        num(w1, keys[i]);
    }
    assert_near(num(cJSON_GetArrayItem(get(bench(root, THREADS), "samples"), 0),
                    "minor_faults"), 201, 0);
    cJSON_Delete(root);
    free(text);
}

/* Crashed and silent workers carry their status only. */
static void test_json_failed_workers(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    const cJSON *samples = get(bench(root, PROCESSES), "samples");
    const cJSON *crashed = cJSON_GetArrayItem(get(cJSON_GetArrayItem(samples, 0), "workers"), 1);
    const cJSON *silent = cJSON_GetArrayItem(get(cJSON_GetArrayItem(samples, 1), "workers"), 0);
    static const char *const keys[] = { "id", "status" };

    check_keys(crashed, keys, 2);
    assert_near(num(crashed, "id"), 1, 0);
    assert_string_equal(str(crashed, "status"), "crashed: SIGSEGV");
    assert_null(cJSON_GetObjectItemCaseSensitive(crashed, "spawn_s"));
    check_keys(silent, keys, 2);
    assert_near(num(silent, "id"), 0, 0);
    assert_string_equal(str(silent, "status"), "no-report");
    assert_near(num(cJSON_GetArrayItem(samples, 0), "user_s"), 0.110 / 4, 1e-12);
    cJSON_Delete(root);
    free(text);
}

/* Checksums above 2^53 are printed digit for digit. */
static void test_json_big_checksum(void **state)
{
    char *text = render(*state, CB_FORMAT_JSON, false);
    cJSON *root = parse(text);
    const cJSON *s = cJSON_GetArrayItem(get(bench(root, THREADS), "samples"), 0);
    const cJSON *w = cJSON_GetArrayItem(get(s, "workers"), 0);

    assert_non_null(strstr(text, "\"checksum\":\t9223372036854775808,"));
    assert_non_null(strstr(text, "\"checksum\":\t18446744073709551615,"));
    assert_null(strstr(text, "e+18"));
    assert_near(num(w, "checksum"), 9223372036854775808.0, 0);
    assert_non_null(strstr(text, "\"iterations\":\t100000000\n"));
    cJSON_Delete(root);
    free(text);
}

static void test_json_empty(void **state)
{
    struct cb_results r;
    char *text;
    cJSON *root;

    (void)state;
    memset(&r, 0, sizeof r);
    text = render(&r, CB_FORMAT_JSON, false);
    root = parse(text);
    assert_int_equal(cJSON_GetArraySize(get(root, "benchmarks")), 0);
    assert_string_equal(str(get(root, "context"), "command"), "");
    cJSON_Delete(root);
    free(text);
}

/* The machine state: per sample, per benchmark, over the run in
 * context.state; its problems lead the table's warnings. */
static void test_state(void **state)
{
    struct cb_results *r = *state;
    struct cb_cell *c = &r->cells[THREADS];
    struct cb_error err = { "" };
    const cJSON *st, *b, *s;
    char *text;
    cJSON *root;

    cb_sysstate_collect(NULL, &r->context.state);
    snprintf(r->context.state.build_type, sizeof r->context.state.build_type, "release");
    r->context.state.optimized = true;
    r->context.state.sanitizers[0] = '\0';
    r->context.state.load_avg[0] = 0;
    for (size_t i = 0; i < c->nsamples; i++)
        c->samples[i].state = (struct cb_sysstate_delta){
            .valid = true, .interval_ns = 100 * MS, .others_ns = (int64_t)(100 * MS),
            .steal_ns = 10 * MS, .procs_running = 2, .cpus = 4 };
    assert_int_equal(cb_cell_finish(c, &err), 0);
    assert_int_equal(cb_sysstate_run(r, &err), 0);
    assert_true(fabs(r->context.state.others_cpu - 1.0) < 1e-9);
    text = render(r, CB_FORMAT_JSON, false);
    root = parse(text);
    st = get(get(root, "context"), "state");
    assert_near(num(st, "others_cpu"), 1.0, 1e-9);
    assert_near(num(st, "steal_s"), 0.03, 1e-9);
    assert_near(num(st, "procs_running_others"), 1, 0);
    assert_string_equal(str(cJSON_GetArrayItem(get(st, "problems"), 0), "check"), "others_cpu");
    b = cJSON_GetArrayItem(get(root, "benchmarks"), THREADS);
    assert_near(num(get(b, "others_cpu"), "median"), 1.0, 1e-9);
    assert_near(num(get(b, "procs_running"), "max"), 2, 0);
    assert_near(num(b, "steal_s"), 0.03, 1e-9);
    s = cJSON_GetArrayItem(get(b, "samples"), 0);
    assert_near(num(s, "others_cpu"), 1.0, 1e-9);
    /* Benchmarks whose samples have no reading have no such fields. */
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(get(root, "benchmarks"),
                                                                    SERIAL), "others_cpu"));
    cJSON_Delete(root);
    free(text);
    text = render(r, CB_FORMAT_TABLE, false);
    assert_non_null(strstr(text, "warnings:\n  machine: CPU use by others: 1.00 of"));
    free(text);
}

/* The ratio is slow / fast, whichever way round it is asked; a failed
 * benchmark has none. */
static void test_answer_ratio(void **state)
{
    const struct cb_results *r = *state;
    struct cb_answer_ratio a = { 0, 0 };

    assert_true(cb_answer_ratio(&r->cells[THREADS], &r->cells[SERIAL], &a));
    assert_near(a.ratio, 2.0, 1e-12);
    assert_near(a.err, 2.0 * sqrt(2.0) * CB_ANSWER_MAD_SIGMA * 0.05, 1e-12);
    assert_true(cb_answer_ratio(&r->cells[SERIAL], &r->cells[THREADS], &a));
    assert_near(a.ratio, 0.5, 1e-12);
    assert_false(cb_answer_ratio(&r->cells[THREADS], &r->cells[PROCESSES], &a));
    assert_false(cb_answer_ratio(&r->cells[FIB], &r->cells[THREADS], &a));
}

/* ---- text formats -------------------------------------------------- */

/* Display columns of s[0..n): UTF-8 continuation bytes take none. */
static size_t columns(const char *s, size_t n)
{
    size_t w = 0;

    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* Returns line i (0-based) of text in buf, or "" past the end. */
static const char *line(const char *text, int i, char *buf, size_t len)
{
    const char *p = text, *nl;

    for (; i > 0 && p; i--)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    if (!p)
        return "";
    nl = strchr(p, '\n');
    snprintf(buf, len, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
    return buf;
}

/* Display columns of line i of text. */
static size_t line_width(const char *text, int i)
{
    char buf[1024];

    line(text, i, buf, sizeof buf);
    return columns(buf, strlen(buf));
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void test_table(void **state)
{
    char *text = render(*state, CB_FORMAT_TABLE, false);
    char buf[1024];
    size_t width = line_width(text, 0);

    assert_non_null(strstr(line(text, 0, buf, sizeof buf), "benchmark"));
    assert_non_null(strstr(buf, "median wall"));
    assert_non_null(strstr(buf, "±MAD"));
    assert_non_null(strstr(buf, "speed-up"));
    assert_non_null(strstr(buf, "CPU util"));
    assert_null(strstr(buf, "mem/worker")); /* nothing measured it */
    assert_null(strstr(buf, "faults/op"));  /* no task with operations */
    assert_null(strstr(buf, "lost updates"));
    assert_int_equal(line(text, 1, buf, sizeof buf)[0], '-');
    /* Every line of the table is as wide as the header, µ or not. */
    for (int i = 1; i < NCELLS + 2; i++)
        assert_int_equal(line_width(text, i), width);
    line(text, 2 + THREADS, buf, sizeof buf);
    assert_true(starts(buf, "cpu/threads/2 "));
    assert_non_null(strstr(buf, "100 ms"));
    assert_non_null(strstr(buf, "50.5 µs"));
    assert_non_null(strstr(buf, "2.00x"));
    assert_non_null(strstr(line(text, 2 + SERIAL, buf, sizeof buf), "1.00x"));
    assert_non_null(strstr(line(text, 2 + PROCESSES, buf, sizeof buf), "crashed: SIGSEGV"));
    assert_non_null(strstr(line(text, 2 + IO, buf, sizeof buf), " -  "));
    assert_non_null(strstr(line(text, 2 + FIB, buf, sizeof buf), fib_status));
    assert_string_equal(line(text, NCELLS + 2, buf, sizeof buf), "");
    assert_string_equal(line(text, NCELLS + 3, buf, sizeof buf), "warnings:");
    assert_non_null(strstr(line(text, NCELLS + 4, buf, sizeof buf),
                           "io/threads/2: wall time varies: CV 24.7% > 10%"));
    /* The answer comes last. Medians 100 and 200 ms, MADs 5 and 10 ms:
     * 2 x sqrt(2 x (1.4826 x 0.05)^2) = 0.21. The crashed processes
     * benchmark is in no answer. */
    assert_string_equal(line(text, NCELLS + 5, buf, sizeof buf), "");
    assert_string_equal(line(text, NCELLS + 6, buf, sizeof buf), "summary:");
    assert_string_equal(line(text, NCELLS + 7, buf, sizeof buf),
                        "  cpu, 2 workers: threads ran 2.00 ± 0.21 times faster than serial");
    assert_int_equal(count_lines(text), NCELLS + 8);
    free(text);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);

    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* Pipes that are not escaped by a backslash. */
static int pipes(const char *s)
{
    int n = 0;

    for (size_t i = 0; s[i]; i++)
        n += s[i] == '|' && (i == 0 || s[i - 1] != '\\');
    return n;
}

static void test_markdown(void **state)
{
    char *text = render(*state, CB_FORMAT_MARKDOWN, false);
    char buf[1024], want[256];

    snprintf(want, sizeof want, "Machine: Test CPU @ 3.00GHz, 4/8 CPUs usable/logical, "
             "kernel 6.1.0-test; concbench %s", CB_VERSION);
    assert_string_equal(line(text, 0, buf, sizeof buf), want);
    assert_string_equal(line(text, 1, buf, sizeof buf), "");
    assert_true(starts(line(text, 2, buf, sizeof buf), "| benchmark "));
    assert_non_null(strstr(line(text, 3, buf, sizeof buf), "---:"));
    for (int i = 2; i < NCELLS + 4; i++)
        assert_int_equal(pipes(line(text, i, buf, sizeof buf)), 11);
    assert_true(starts(line(text, 4 + THREADS, buf, sizeof buf), "| cpu/threads/2 "));
    assert_non_null(strstr(buf, " 2.00x |"));
    assert_non_null(strstr(line(text, 4 + FIB, buf, sizeof buf), "\\| EAGAIN"));
    assert_non_null(strstr(text, "\n- `io/threads/2`: wall time varies: CV 24.7%"));
    assert_true(ends_with(text, "\n**Summary**\n\n"
                          "- cpu, 2 workers: threads ran 2.00 ± 0.21 times faster than serial\n"));
    free(text);
}

/* Splits a csv line into fields, honouring quotes; returns the count. */
static int csv_split(const char *s, char fields[][256], int max)
{
    int n = 0;
    size_t j = 0;
    bool quoted = false;

    for (;; s++) {
        if (quoted && *s == '"' && s[1] == '"') {
            fields[n][j++] = *s++;
        } else if (*s == '"') {
            quoted = !quoted;
        } else if ((*s == ',' && !quoted) || *s == '\0') {
            fields[n++][j] = '\0';
            j = 0;
            if (*s == '\0' || n == max)
                return n;
        } else {
            fields[n][j++] = *s;
        }
    }
}

static void test_csv(void **state)
{
    char *text = render(*state, CB_FORMAT_CSV, false);
    char buf[1024], f[32][256];

    assert_string_equal(line(text, 0, buf, sizeof buf),
                        "name,task,mode,workers,start,status,samples,wall_median_s,"
                        "wall_mean_s,wall_stddev_s,wall_min_s,wall_max_s,wall_p10_s,"
                        "wall_p90_s,wall_mad_s,wall_cv,spawn_median_s,spawn_p90_s,"
                        "cpu_utilization,speedup,params,memory_per_worker_kib,"
                        "handoff_median_s,gil_wait_median_s,dispatch_median_s,"
                        "dispatch_p99_s,lateness_p99_s");
    assert_int_equal(count_lines(text), 1 + NCELLS);
    for (int i = 0; i <= NCELLS; i++)
        assert_int_equal(csv_split(line(text, i, buf, sizeof buf), f, 32), 27);
    csv_split(line(text, 1 + THREADS, buf, sizeof buf), f, 32);
    assert_true(starts(buf, "cpu/threads/2,cpu,threads,2,immediate,ok,3,0.100000000,"));
    assert_string_equal(f[16], "0.000050500");
    assert_string_equal(f[19], "2.000000");
    assert_string_equal(f[20], "iterations=100000000");
    csv_split(line(text, 1 + IO, buf, sizeof buf), f, 32);
    assert_string_equal(f[19], "");
    assert_string_equal(f[20], "sleep_s=0.1");
    csv_split(line(text, 1 + FIB, buf, sizeof buf), f, 32);
    assert_non_null(strstr(buf, ",\"error: cannot create worker 2, \"\"ulimit -u\"\" | EAGAIN\","));
    assert_string_equal(f[5], fib_status);
    assert_string_equal(f[6], "0");
    assert_string_equal(f[7], "");
    free(text);
}

static void test_csv_per_sample(void **state)
{
    char *text = render(*state, CB_FORMAT_CSV, true);
    char buf[1024], f[32][256];

    assert_string_equal(line(text, 0, buf, sizeof buf),
                        "name,task,mode,workers,sample,worker,wall_s,spawn_s,start_s,"
                        "run_s,cpu_s,cpu,checksum,status,gil_wait_s,handoff_s,payload_bytes");
    /* 4 cells with samples x 3 samples x 2 workers; fib has none. */
    assert_int_equal(count_lines(text), 1 + 4 * 3 * 2);
    for (int i = 0; i <= 24; i++)
        assert_int_equal(csv_split(line(text, i, buf, sizeof buf), f, 32), 17);
    /* serial rows come first: threads sample 0 worker 0 is line 7. */
    csv_split(line(text, 7, buf, sizeof buf), f, 32);
    assert_string_equal(f[0], "cpu/threads/2");
    assert_string_equal(f[4], "0");
    assert_string_equal(f[5], "0");
    assert_string_equal(f[6], "0.100000000");
    assert_string_equal(f[7], "0.000050000");
    assert_string_equal(f[12], "9223372036854775808");
    assert_string_equal(f[13], "ok");
    /* processes sample 0 worker 1 crashed: no numbers. */
    csv_split(line(text, 14, buf, sizeof buf), f, 32);
    assert_string_equal(f[0], "cpu/processes/2");
    assert_string_equal(f[5], "1");
    assert_string_equal(f[6], "0.110000000");
    for (int i = 7; i < 13; i++)
        assert_string_equal(f[i], "");
    assert_string_equal(f[13], "crashed: SIGSEGV");
    free(text);
}

/* Whether s is valid UTF-8 (no sequence cut short). */
static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0;

        if (n == 0)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[k] & 0xc0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

/* A status too long for its column is cut between characters, never
 * inside one, in text and in markdown. */
static void test_long_status(void **state)
{
    struct cb_results *r = *state;
    struct cb_cell *c = &r->cells[FIB];
    size_t used = 1;
    char *text;

    c->status[0] = 'x'; /* odd byte offsets: a byte-wise cut splits a character */
    while (used + 3 < sizeof c->status) {
        memcpy(c->status + used, "\xc3\xa9", 2); /* é */
        used += 2;
    }
    c->status[used] = '\0';
    text = render(r, CB_FORMAT_TABLE, false);
    assert_true(valid_utf8(text));
    assert_non_null(strstr(text, "\xc3\xa9\xc3\xa9"));
    free(text);
    text = render(r, CB_FORMAT_MARKDOWN, false);
    assert_true(valid_utf8(text));
    free(text);
}

/* Colour: red for a failed benchmark, yellow for a warned one, green for
 * the rest, on the status only; never in markdown. */
static void test_colour(void **state)
{
    struct cb_error err = { "" };
    char *text = cb_report_render_colour(*state, &err);
    char buf[1024];

    assert_non_null(text);
    assert_non_null(strstr(line(text, 2 + PROCESSES, buf, sizeof buf),
                           "\033[31mcrashed: SIGSEGV\033[0m"));
    assert_non_null(strstr(line(text, 2 + IO, buf, sizeof buf), "\033[33mok\033[0m"));
    assert_non_null(strstr(line(text, 2 + SERIAL, buf, sizeof buf), "\033[32mok\033[0m"));
    assert_null(strstr(line(text, 0, buf, sizeof buf), "\033[")); /* the header */
    free(text);
    text = render(*state, CB_FORMAT_MARKDOWN, false);
    assert_null(strchr(text, '\033'));
    free(text);
}

/* ---- the claims' figures ------------------------------------------ */

/* The threads cell measured memory (2 of 3 samples), the GIL wait and a
 * payload hand-off; every other cell measured none of them. */
static void add_claims(struct cb_results *r)
{
    struct cb_cell *c = &r->cells[THREADS];
    struct cb_error err = { "" };

    c->opts.gil = true;
    c->opts.payload = 1 << 20;
    for (size_t s = 0; s < c->nsamples; s++) {
        struct cb_sample *sa = &c->samples[s];

        for (uint32_t w = 0; w < sa->nworkers; w++) {
            sa->workers[w].gil_wait_ns = (s + 1) * MS; /* 1, 1, 2, 2, 3, 3 ms */
            sa->workers[w].send_ns = 5 * MS;
            sa->workers[w].recv_ns = 5 * MS + 2000 * (w + 1); /* 2 or 4 us */
            sa->workers[w].payload_bytes = 1 << 20;
        }
        if (s == 2)
            continue; /* not measured */
        sa->times.held_ns = sa->times.t1_ns - 10;
        sa->times.unheld_ns = sa->times.t1_ns - 5;
        sa->times.memory = (struct cb_run_memory){
            .valid = true, .baseline_kib = 1000, .total_pss_kib = 1000 + 2 * 8192 * (s + 1),
        };
        cb_sample_summarise(sa, c->start);
    }
    assert_int_equal(cb_cell_finish(c, &err), 0);
    cb_results_speedups(r);
}

static void test_claims(void **state)
{
    struct cb_results *r = *state;
    const struct cb_cell *c = &r->cells[THREADS];
    char *text;
    char buf[1024], f[32][256];
    cJSON *root;
    const cJSON *b;

    add_claims(r);
    assert_int_equal(c->mem_kib.n, 2);
    assert_near(c->mem_kib.median, 12288, 1e-9); /* of 8192 and 16384 */
    assert_int_equal(c->gil_wait.n, 6);
    assert_near(c->gil_wait.median, 2e-3, 1e-12);
    assert_int_equal(c->handoff.n, 6);
    assert_near(c->handoff.median, 3e-6, 1e-12);
    assert_int_equal(r->cells[PROCESSES].mem_kib.n, 0);

    text = render(r, CB_FORMAT_TABLE, false);
    line(text, 0, buf, sizeof buf);
    assert_non_null(strstr(buf, "mem/worker"));
    assert_non_null(strstr(buf, "hand-off"));
    assert_non_null(strstr(buf, "GIL wait"));
    line(text, 2 + THREADS, buf, sizeof buf);
    assert_non_null(strstr(buf, "12.0 MiB"));
    assert_non_null(strstr(buf, "3.00 \xc2\xb5s"));
    assert_true(ends(buf, "2.00 ms"));
    assert_true(ends(line(text, 2 + SERIAL, buf, sizeof buf), " -"));
    free(text);
    /* Markdown: the new columns are figures, right-aligned like the rest. */
    text = render(r, CB_FORMAT_MARKDOWN, false);
    line(text, 3, buf, sizeof buf);
    assert_true(ends(buf, "---------: | -------: | -------: |"));
    free(text);

    root = parse(text = render(r, CB_FORMAT_JSON, false));
    b = cJSON_GetArrayItem(get(root, "benchmarks"), THREADS);
    check_stats(b, "memory_per_worker_kib", 2);
    check_stats(b, "handoff_s", 6);
    check_stats(b, "gil_wait_s", 6);
    assert_near(num(get(b, "gil_wait_s"), "median"), 2e-3, 1e-12);
    b = cJSON_GetArrayItem(get(root, "benchmarks"), PROCESSES);
    assert_null(cJSON_GetObjectItemCaseSensitive(b, "memory_per_worker_kib"));
    assert_null(cJSON_GetObjectItemCaseSensitive(b, "gil_wait_s"));
    cJSON_Delete(root);
    free(text);

    text = render(r, CB_FORMAT_CSV, false);
    csv_split(line(text, 1 + THREADS, buf, sizeof buf), f, 32);
    assert_string_equal(f[21], "12288.000");
    assert_string_equal(f[22], "0.000003000");
    assert_string_equal(f[23], "0.002000000");
    csv_split(line(text, 1 + PROCESSES, buf, sizeof buf), f, 32);
    assert_string_equal(f[21], "");
    free(text);
}

/* The counters (per operation, migrations per job) show beside the
 * per-operation figure of a task that has one, "-" where unread; lost
 * updates beside a --lock=none run, which is ok. */
static void test_counters(void **state)
{
    struct cb_results *r = *state;
    struct cb_cell *t = &r->cells[THREADS], *p = &r->cells[PROCESSES];
    char *text;
    char buf[1024];

    t->ops_per_job = 10;
    t->per_op = (struct cb_stats){ .n = 1, .median = 1e-6 };
    for (size_t i = 0; i < t->nsamples; i++)
        t->samples[i].migrations_known = true;
    p->task = cb_task_find("lock");
    assert_non_null(p->task);
    p->params.lock = CB_LOCK_NONE;
    p->params.iterations = 1000;
    for (size_t i = 0; i < p->nsamples; i++) {
        p->samples[i].has_total = true;
        p->samples[i].total = 1500 + i; /* lost: 500, 499, ... */
    }
    text = render(r, CB_FORMAT_TABLE, false);
    line(text, 0, buf, sizeof buf);
    assert_non_null(strstr(buf, "per op"));
    assert_non_null(strstr(buf, "faults/op"));
    assert_non_null(strstr(buf, "switches/op"));
    assert_non_null(strstr(buf, "migrations"));
    assert_true(ends(buf, "lost updates"));
    /* 201 minor + 1 major faults, 9 switches, 4 migrations over 2 jobs
     * of 10 operations each. */
    line(text, 2 + THREADS, buf, sizeof buf);
    assert_non_null(strstr(buf, "1.00 \xc2\xb5s"));
    assert_non_null(strstr(buf, " 10.1 "));
    assert_non_null(strstr(buf, " 0.45 "));
    assert_non_null(strstr(buf, " 2.0 "));
    assert_true(ends(buf, " -"));
    line(text, 2 + PROCESSES, buf, sizeof buf);
    assert_true(ends(buf, " 500") || ends(buf, " 499"));
    assert_true(ends(line(text, 2 + SERIAL, buf, sizeof buf), " -"));
    assert_non_null(strstr(text, "faults/op, switches/op: page faults"));
    free(text);
    /* A migration count that could not be read is no count. */
    t->samples[0].migrations_known = t->samples[1].migrations_known = false;
    if (t->nsamples > 2)
        t->samples[2].migrations_known = false;
    text = render(r, CB_FORMAT_TABLE, false);
    line(text, 2 + THREADS, buf, sizeof buf);
    assert_non_null(strstr(buf, " 0.45 "));
    assert_null(strstr(buf, " 2.0 "));
    free(text);
}

/* A pool's dispatch and the loop's lateness: columns of the table and
 * csv where a cell has them, measures of the BMF and github-action-
 * benchmark exports beside the existing ones. */
static void test_models(void **state)
{
    struct cb_results *r = *state;
    const struct cb_cell *t = &r->cells[THREADS], *io = &r->cells[IO];
    char *text, buf[1024], f[32][256], want[160];
    cJSON *root;
    const cJSON *b, *e;
    size_t nusable = 0, found = 0;

    r->cells[THREADS].pool = (struct cb_pool_figures){
        .measured = true, .dispatch = { 6, 2e-6, 3e-6, 5e-5, 6e-5 } };
    r->cells[IO].loop = (struct cb_loop_figures){
        .measured = true, .lateness = { 6, 1e-4, 2e-4, 3e-4, 4e-4 } };
    text = render(r, CB_FORMAT_TABLE, false);
    assert_true(ends(line(text, 0, buf, sizeof buf), "dispatch p50  dispatch p99  lateness p99"));
    line(text, 2 + THREADS, buf, sizeof buf);
    assert_true(ends(buf, "2.00 \xc2\xb5s       50.0 \xc2\xb5s             -"));
    assert_true(ends(line(text, 2 + IO, buf, sizeof buf), "-             -        300 \xc2\xb5s"));
    assert_non_null(strstr(text, "\ndispatch p50, p99: a pool's job"));
    free(text);
    text = render(r, CB_FORMAT_MARKDOWN, false);
    assert_non_null(strstr(text, "| dispatch p50 | dispatch p99 | lateness p99 |"));
    free(text);

    text = render(r, CB_FORMAT_CSV, false);
    assert_true(ends(line(text, 0, buf, sizeof buf),
                     ",gil_wait_median_s,dispatch_median_s,dispatch_p99_s,lateness_p99_s"));
    assert_int_equal(csv_split(line(text, 1 + THREADS, buf, sizeof buf), f, 32), 27);
    assert_string_equal(f[24], "0.000002000");
    assert_string_equal(f[25], "0.000050000");
    assert_string_equal(f[26], "");
    csv_split(line(text, 1 + IO, buf, sizeof buf), f, 32);
    assert_string_equal(f[24], "");
    assert_string_equal(f[26], "0.000300000");
    free(text);

    root = parse(text = render(r, CB_FORMAT_BMF, false));
    b = get(root, t->name);
    assert_near(num(get(b, "latency"), "value"), t->wall.median * 1e9, 1e-3); /* kept */
    assert_near(num(get(b, "dispatch-latency"), "value"), 2000, 1e-6);
    assert_near(num(get(b, "dispatch-latency"), "upper_value"), 50000, 1e-6);
    assert_null(cJSON_GetObjectItemCaseSensitive(b, "loop-lateness"));
    b = get(root, io->name);
    assert_near(num(get(b, "loop-lateness"), "value"), 300000, 1e-6);
    assert_near(num(get(b, "loop-lateness"), "upper_value"), 400000, 1e-6);
    assert_null(cJSON_GetObjectItemCaseSensitive(get(root, r->cells[SERIAL].name),
                                                 "dispatch-latency"));
    cJSON_Delete(root);
    free(text);

    root = parse(text = render(r, CB_FORMAT_GAB, false));
    for (size_t i = 0; i < r->ncells; i++)
        nusable += !r->cells[i].failed && r->cells[i].wall.n > 0;
    assert_int_equal(cJSON_GetArraySize(root), (int)nusable + 2);
    cJSON_ArrayForEach(e, root) {
        const char *name = cJSON_GetStringValue(get(e, "name"));

        snprintf(want, sizeof want, "%s dispatch median", t->name);
        if (strcmp(name, want) == 0) {
            assert_near(num(e, "value"), 2000, 1e-6);
            assert_string_equal(cJSON_GetStringValue(get(e, "range")), "max 60000");
            assert_string_equal(cJSON_GetStringValue(get(e, "unit")), "ns");
            found++;
        }
        snprintf(want, sizeof want, "%s loop lateness p99", io->name);
        if (strcmp(name, want) == 0) {
            assert_near(num(e, "value"), 300000, 1e-6);
            found++;
        }
    }
    assert_int_equal(found, 2);
    cJSON_Delete(root);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_results, setup, teardown),
        cmocka_unit_test(test_barrier_wall),
        cmocka_unit_test_setup_teardown(test_speedup_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_top, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_ratio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_benchmarks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_samples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_failed_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_release_cpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_usage_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_big_checksum, setup, teardown),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_per_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_models, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_colour, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
