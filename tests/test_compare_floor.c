/* compare --per-floor (each sample over its round's floor reading per
 * loop step) and the work check (a CPU-bound task's CPU time weighed
 * against its wall time), on result files built here. */
#include "cb_test.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/compare.h"

#define N 12

/* How one side's samples are made: sample i has wall time wall * (1 +
 * spread_i), CPU time cpu * (1 + cpu_spread_i), a floor reading of floor_s
 * for steps loop steps (none when steps is 0), of floor_cpu CPU seconds
 * (none when 0) and others_cpu others. */
struct side {
    double wall, cpu, floor_s, steps, others;
    double wall_jitter, cpu_jitter; /* relative spread over the samples */
    double floor_cpu;
};

/* A deterministic spread in [-1, 1] that differs between samples. */
static double jitter(size_t i)
{
    return (double)((i * 7) % N) / (N - 1) * 2 - 1;
}

static cJSON *sample(const struct side *s, size_t i)
{
    cJSON *o = cJSON_CreateObject(), *w = cJSON_AddArrayToObject(o, "workers");
    double cpu = s->cpu * (1 + s->cpu_jitter * jitter(i));

    cJSON_AddNumberToObject(o, "wall_s", s->wall * (1 + s->wall_jitter * jitter((i + 3) % N)));
    cJSON_AddNumberToObject(o, "user_s", cpu);
    cJSON_AddNumberToObject(o, "sys_s", 0);
    cJSON_AddNumberToObject(o, "cpu_s", cpu);
    cJSON_AddNumberToObject(o, "others_cpu", s->others);
    if (s->steps > 0)
        cJSON_AddNumberToObject(o, "floor_s", s->floor_s * (1 + 0.01 * jitter(i)));
    if (s->steps > 0 && s->floor_cpu > 0)
        cJSON_AddNumberToObject(o, "floor_cpu_s", s->floor_cpu * (1 + 0.01 * jitter((i + 5) % N)));
    cJSON_AddItemToArray(w, cJSON_CreateObject());
    return o;
}

static void add_cell(cJSON *arr, const char *task, const struct side *s)
{
    char name[64];
    cJSON *b = cJSON_CreateObject(), *p, *samples;

    snprintf(name, sizeof name, "%s/threads/1", task);
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddStringToObject(b, "task", task);
    cJSON_AddStringToObject(b, "mode", "threads");
    cJSON_AddNumberToObject(b, "workers", 1);
    p = cJSON_AddObjectToObject(b, "params");
    cJSON_AddNumberToObject(p, "iterations", 1000000);
    cJSON_AddStringToObject(b, "start", "immediate");
    cJSON_AddStringToObject(b, "status", "ok");
    samples = cJSON_AddArrayToObject(b, "samples");
    for (size_t i = 0; i < N; i++)
        cJSON_AddItemToArray(samples, sample(s, i));
    cJSON_AddItemToArray(arr, b);
}

/* A result file with cells cpu/threads/1 and io/threads/1, both from s. */
static void load(const char *name, const struct side *s, struct cb_loaded *out)
{
    struct cb_error err = { "" };
    cJSON *root = cJSON_CreateObject(), *tool, *ctx, *arr;
    char *text;

    cJSON_AddNumberToObject(root, "schema_version", 1);
    tool = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(tool, "name", "concbench");
    ctx = cJSON_AddObjectToObject(root, "context");
    cJSON_AddStringToObject(ctx, "hostname", "test");
    if (s->steps > 0)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(root, "noise_floor"), "steps", s->steps);
    arr = cJSON_AddArrayToObject(root, "benchmarks");
    add_cell(arr, "cpu", s);
    add_cell(arr, "io", s);
    text = cJSON_PrintUnformatted(root);
    assert_non_null(text);
    if (cb_load_text(name, text, strlen(text), out, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    free(text);
    cJSON_Delete(root);
}

static void compare(const struct side *b, const struct side *n, const struct cb_compare_opts *o,
                    struct cb_comparison *c)
{
    struct cb_error err = { "" };
    struct cb_loaded lb, ln;

    load("BASE", b, &lb);
    load("NEW", n, &ln);
    if (cb_compare_loaded(o, &lb, &ln, c, &err) != 0)
        fail_msg("compare: %s", err.msg);
}

static bool has_note(const struct cb_comparison *c, const char *part)
{
    for (size_t i = 0; i < c->nnotes; i++)
        if (strstr(c->notes[i], part))
            return true;
    return false;
}

/* The loader keeps the floor per loop step and others' CPU per sample. */
static void test_load_floor(void **state)
{
    const struct side s = { 0.01, 0.01, 0.002, 1000, 0.5, 0, 0, 0.0015 };
    const struct side old = { 0.01, 0.01, 0.002, 0, 0.5, 0, 0, 0 };
    struct cb_loaded l;

    (void)state;
    load("F", &s, &l);
    assert_true(fabs(l.cells[0].floor[0] - 0.002 * (1 + 0.01 * jitter(0)) / 1000) < 1e-15);
    assert_true(fabs(l.cells[0].others[3] - 0.5) < 1e-12);
    assert_true(cb_compare_has_floor(&l.cells[0]));
    assert_true(fabs(l.cells[0].floor_cpu[0] - 0.0015 * (1 + 0.01 * jitter(5)) / 1000) < 1e-15);
    assert_true(cb_compare_has_floor_cpu(&l.cells[0]));
    cb_load_free(&l);
    load("OLD", &old, &l);
    assert_true(isnan(l.cells[0].floor[0]));
    assert_false(cb_compare_has_floor(&l.cells[0]));
    assert_true(isnan(l.cells[0].floor_cpu[0]));
    assert_false(cb_compare_has_floor_cpu(&l.cells[0]));
    cb_load_free(&l);
}

/* A host twice as slow in NEW moves wall time and floor alike: per floor
 * nothing changed, although NEW sized its loop to other steps. */
static void test_per_floor(void **state)
{
    const struct side b = { 0.010, 0.010, 0.002, 1000, 0, 0.02, 0.01, 0 };
    const struct side n = { 0.020, 0.010, 0.008, 2000, 0, 0.02, 0.01, 0 };
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_row *r;

    (void)state;
    cb_compare_opts_default(&o);
    o.wall_only = true;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    cb_compare_free(&c);
    o.per_floor = true;
    compare(&b, &n, &o, &c);
    r = &c.rows[0];
    assert_true(r->per_floor);
    assert_int_equal(r->verdict, CB_VERDICT_UNCHANGED);
    /* 10 ms of wall time over 2 us a step: about 5000 steps. */
    assert_true(fabs(r->base_median / 5000 - 1) < 0.03);
    assert_true(fabs(r->change) < 0.03);
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
}

/* A file without floor readings: compared undivided, with a note. */
static void test_per_floor_old_file(void **state)
{
    const struct side b = { 0.010, 0.010, 0, 0, 0, 0.02, 0.01, 0 };
    const struct side n = { 0.020, 0.010, 0.004, 1000, 0, 0.02, 0.01, 0 };
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    o.per_floor = o.wall_only = true;
    compare(&b, &n, &o, &c);
    assert_false(c.rows[0].per_floor);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_true(fabs(c.rows[0].base_median - 0.010) < 0.001);
    assert_true(has_note(&c, "BASE has no floor_s"));
    cb_compare_free(&c);
}

/* Wall time 30% up, CPU time not, others busy: waiting, not work. The
 * io task (not CPU-bound) keeps its wall-time verdict. */
static void test_work_waiting(void **state)
{
    const struct side b = { 0.010, 0.010, 0.002, 1000, 0.5, 0.02, 0.01, 0 };
    struct side n = { 0.013, 0.010, 0.002, 1000, 0.5, 0.02, 0.01, 0 };
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_INCONCLUSIVE);
    assert_int_equal(c.rows[0].tested, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].work, CB_WORK_WAITING);
    assert_true(c.rows[0].work_checked);
    assert_non_null(strstr(c.rows[0].note, "waiting for a CPU"));
    assert_int_equal(c.rows[1].verdict, CB_VERDICT_SLOWER); /* io */
    assert_false(c.rows[1].work_checked);
    cb_compare_free(&c);
    /* Nobody else used the CPUs: the slowdown is the benchmark's own. */
    n.others = 0;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].work, CB_WORK_NONE);
    cb_compare_free(&c);
    /* --wall-only: the wall-time test alone. */
    n.others = 0.5;
    o.wall_only = true;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_false(c.rows[0].work_checked);
    cb_compare_free(&c);
}

/* CPU time 10% up under wall-time noise of +-60%: more work, slower. */
static void test_work_more(void **state)
{
    const struct side b = { 0.010, 0.010, 0.002, 1000, 1, 0.6, 0.01, 0 };
    const struct side n = { 0.011, 0.011, 0.002, 1000, 1, 0.6, 0.01, 0 };
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(&b, &n, &o, &c);
    assert_int_not_equal(c.rows[0].tested, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].work, CB_WORK_MORE);
    assert_int_equal(c.rows[0].cpu_verdict, CB_VERDICT_SLOWER);
    assert_true(fabs(c.rows[0].cpu_change - 0.1) < 0.02);
    assert_true(cb_compare_failed(&c));
    assert_int_not_equal(c.rows[1].verdict, CB_VERDICT_SLOWER); /* io */
    cb_compare_free(&c);
}

/* The host 8% slower in NEW, the floor's CPU time with it, others busy:
 * with --cpu-floor the CPU time over the floor's is unchanged, so the
 * wall time's slowdown is waiting (inconclusive); by default the CPU time
 * is compared undivided and the 8% is more work. */
static void test_work_floor_cpu(void **state)
{
    const struct side b = { 0.010, 0.010, 0.002, 1000, 0.5, 0.02, 0.01, 0.002 };
    struct side n = { 0.0108, 0.0108, 0.002, 1000, 0.5, 0.02, 0.01, 0.00216 };
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_error err = { "" };
    char *json;
    cJSON *root;

    (void)state;
    cb_compare_opts_default(&o);
    compare(&b, &n, &o, &c);
    assert_false(c.rows[0].cpu_per_floor);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    cb_compare_free(&c);
    o.cpu_floor = true;
    compare(&b, &n, &o, &c);
    assert_true(c.rows[0].work_checked && c.rows[0].cpu_per_floor);
    assert_true(fabs(c.rows[0].cpu_change) < 0.01);
    assert_int_equal(c.rows[0].cpu_verdict, CB_VERDICT_UNCHANGED);
    assert_int_not_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    assert_non_null(json);
    root = cJSON_Parse(json);
    free(json);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(root, "benchmarks"), 0), "cpu_per_floor")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(root, "benchmarks"), 1), "cpu_per_floor")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "options"),
                                                 "cpu_floor")));
    cJSON_Delete(root);
    cb_compare_free(&c);
    /* 10% more work on an unchanged host: slower, over the floor too. */
    n.wall = n.cpu = 0.011;
    n.floor_cpu = 0.002;
    compare(&b, &n, &o, &c);
    assert_true(c.rows[0].cpu_per_floor);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_true(fabs(c.rows[0].cpu_change - 0.1) < 0.02);
    cb_compare_free(&c);
    /* BASE without the floor's CPU time: compared undivided. */
    n.floor_cpu = 0.00216;
    n.wall = n.cpu = 0.0108;
    {
        struct side old = b;

        old.floor_cpu = 0;
        compare(&old, &n, &o, &c);
        assert_false(c.rows[0].cpu_per_floor);
        assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
        cb_compare_free(&c);
    }
}

/* --cpu-floor, others idle: a host 8% slower (its bare loop too) is not
 * this benchmark's slowdown, but waiting of the benchmark's own (the wall
 * time 30% up, CPU time and floor unchanged) still is. */
static void test_work_host(void **state)
{
    const struct side b = { 0.010, 0.010, 0.002, 1000, 0, 0.02, 0.01, 0.002 };
    struct side n = { 0.0108, 0.0108, 0.002, 1000, 0, 0.02, 0.01, 0.00216 };
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    o.cpu_floor = true;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].tested, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_INCONCLUSIVE);
    assert_int_equal(c.rows[0].work, CB_WORK_HOST);
    assert_non_null(strstr(c.rows[0].note, "the host ran slower"));
    cb_compare_free(&c);
    o.cpu_floor = false;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    cb_compare_free(&c);
    o.cpu_floor = true;
    n.wall = 0.013;
    n.cpu = 0.010;
    n.floor_cpu = 0.002;
    compare(&b, &n, &o, &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_SLOWER);
    assert_int_equal(c.rows[0].work, CB_WORK_NONE);
    cb_compare_free(&c);
}

static void test_parse(void **state)
{
    char bad[][16] = { "compare", "--per-floor", "--metric=cpu", "a", "b" };
    char good[][16] = { "compare", "--per-floor", "--wall-only", "a", "b" };
    char *argv[6] = { NULL };
    struct cb_compare_opts o;
    struct cb_error err = { "" };

    (void)state;
    for (size_t i = 0; i < 5; i++)
        argv[i] = bad[i];
    assert_int_equal(cb_compare_parse_args(5, argv, false, &o, &err), -1);
    assert_non_null(strstr(err.msg, "--per-floor"));
    for (size_t i = 0; i < 5; i++)
        argv[i] = good[i];
    assert_int_equal(cb_compare_parse_args(5, argv, false, &o, &err), 0);
    assert_true(o.per_floor && o.wall_only);
    assert_false(o.cpu_floor);
    snprintf(good[2], sizeof good[2], "--cpu-floor");
    assert_int_equal(cb_compare_parse_args(5, argv, false, &o, &err), 0);
    assert_true(o.cpu_floor && o.per_floor && !o.wall_only);
    /* --cpu-floor is the work check's: not without it. */
    snprintf(good[1], sizeof good[1], "--wall-only");
    assert_int_equal(cb_compare_parse_args(5, argv, false, &o, &err), -1);
    assert_non_null(strstr(err.msg, "--cpu-floor"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_floor),
        cmocka_unit_test(test_per_floor),
        cmocka_unit_test(test_per_floor_old_file),
        cmocka_unit_test(test_work_waiting),
        cmocka_unit_test(test_work_more),
        cmocka_unit_test(test_work_floor_cpu),
        cmocka_unit_test(test_work_host),
        cmocka_unit_test(test_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
