/* The option tables: every line well-formed, parsed by its kind, written
 * where it says, and a task's own defaults under a given option. */
#include "cb_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "concbench/cli.h"
#include "concbench/executor.h"
#include "concbench/options.h"
#include "concbench/task.h"

static size_t all_options(const struct cb_param_desc **out)
{
    size_t n = cb_options_all(out, CB_OPTIONS_MAX);

    assert_true(n > 0 && n < CB_OPTIONS_MAX);
    return n;
}

static void check_line(const struct cb_param_desc *d)
{
    assert_non_null(d->help);
    assert_true(d->width == 1 || d->width == 4 || d->width == 8);
    assert_int_equal(d->json_name != NULL, d->json != CB_JSON_NONE);
    if (d->requires)
        assert_non_null(cb_options_find(d->requires));
    if (d->kind == CB_PARAM_CHOICE) {
        assert_non_null(d->choice);
        assert_non_null(d->choice((size_t)d->def));
    } else if (d->kind != CB_PARAM_FLAG) {
        assert_true(d->min <= d->max);
        /* 0 may stand for "none" (--stack-size) when it is not written. */
        assert_true((d->def >= d->min && d->def <= d->max) || (d->def == 0 && d->omit_zero));
    }
}

/* Unique flags; unique JSON keys where they are written. */
static void test_lines(void **state)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = all_options(all);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        check_line(all[i]);
        assert_ptr_equal(cb_options_find(all[i]->flag), all[i]);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(all[i]->flag, all[j]->flag);
            if (all[i]->json_name && all[j]->json_name && (all[i]->json & all[j]->json))
                assert_string_not_equal(all[i]->json_name, all[j]->json_name);
        }
    }
    for (size_t t = 0; cb_tasks[t]; t++)
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++) {
            check_line(d);
            assert_int_equal(d->scope, CB_SCOPE_TASK);
        }
    for (const struct cb_param_desc *d = cb_options; d->flag; d++)
        assert_int_not_equal(d->scope, CB_SCOPE_TASK);
}

/* A value of d, as typed, and what it is stored as. */
static uint64_t sample_value(const struct cb_param_desc *d, char *buf, size_t len)
{
    uint64_t v = d->max;

    switch (d->kind) {
    case CB_PARAM_COUNT: snprintf(buf, len, "--%s=%" PRIu64, d->flag, v); break;
    case CB_PARAM_DURATION: snprintf(buf, len, "--%s=%" PRIu64 "ns", d->flag, v); break;
    case CB_PARAM_SIZE: snprintf(buf, len, "--%s=%" PRIu64 "B", d->flag, v); break;
    case CB_PARAM_FLAG: snprintf(buf, len, "--%s", d->flag); v = 1; break;
    case CB_PARAM_SHAPE:
        snprintf(buf, len, "--%s=%" PRIu64 "x3", d->flag, v);
        v = v << 32 | 3;
        break;
    case CB_PARAM_CHOICE:
        for (v = 0; d->choice((size_t)v + 1); v++)
            ;
        snprintf(buf, len, "--%s=%s", d->flag, d->choice((size_t)v));
        break;
    case CB_PARAM_FRACTION:
        v = d->max / 4;
        snprintf(buf, len, "--%s=%g", d->flag, (double)v / (double)CB_FRACTION_ONE);
        break;
    }
    return v;
}

/* -t and -m arguments selecting a task that reads d and a mode it
 * applies to, and the option it requires (if any) switched on: an option
 * that would change nothing is refused. Each buffer holds 64 bytes, req
 * 128. */
static void where_it_applies(const struct cb_param_desc *d, char *task, char *mode, char *req)
{
    const char *t = "cpu", *m = "threads";
    const struct cb_param_desc *r = d->requires ? cb_options_find(d->requires) : NULL;

    for (size_t i = 0; cb_tasks[i]; i++)
        for (const struct cb_param_desc *p = cb_tasks[i]->params; p && p->flag; p++)
            if (d->scope == CB_SCOPE_TASK && strcmp(p->flag, d->flag) == 0 &&
                strcmp(t, "cpu") == 0)
                t = cb_tasks[i]->name;
    for (size_t i = 0; d->applies && cb_executors[i]; i++)
        if (d->applies(cb_executors[i])) {
            m = cb_executors[i]->name;
            break;
        }
    snprintf(task, 64, "--task=%s", t);
    snprintf(mode, 64, "--mode=%s", m);
    req[0] = '\0';
    if (r)
        (void)sample_value(r, req, 128);
}

/* Every line is an option of the command line, parsed by its kind and
 * stored where its scope says. */
static void test_every_line_parses(void **state)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = all_options(all);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        char arg[128], task[64], mode[64], req[128], prog[] = "concbench";
        char *argv[] = { prog, arg, task, mode, req, NULL };
        struct cb_config cfg;
        struct cb_option_view v;
        struct cb_error err = { "" };
        enum cb_command cmd;
        uint64_t want = sample_value(all[i], arg, sizeof arg);

        where_it_applies(all[i], task, mode, req);
        if (cb_cli_parse(req[0] ? 5 : 4, argv, &cfg, &cmd, &err) != 0)
            fail_msg("%s: %s", arg, err.msg);
        v = cb_option_view_config(&cfg);
        assert_int_equal(cb_option_get(all[i], &v), want);
        assert_int_equal(cfg.nignored, 0); /* it applies where it was given */
    }
}

static const struct cb_param_desc own_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT64_MAX, .def = 5,
      .help = "steps", .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

/* A task whose --iterations defaults to 5, not the cpu task's 10^7. */
static const struct cb_task own_default = { .name = "own", .params = own_params };

static uint64_t iterations_for(const struct cb_task *task, const char *arg)
{
    char prog[] = "concbench", copy[64], *argv[] = { prog, copy, NULL };
    struct cb_config cfg;
    struct cb_params p;
    struct cb_error err = { "" };
    enum cb_command cmd;

    snprintf(copy, sizeof copy, "%s", arg);
    assert_int_equal(cb_cli_parse(arg[0] ? 2 : 1, argv, &cfg, &cmd, &err), 0);
    cb_config_task_params(&cfg, task, &p);
    return p.iterations;
}

static void test_task_defaults(void **state)
{
    struct cb_config cfg;
    struct cb_params p;

    (void)state;
    assert_int_equal(iterations_for(&own_default, ""), 5);
    assert_int_equal(iterations_for(cb_task_find("cpu"), ""), 100000000u);
    /* Given, it applies to every task, even at the shared default. */
    assert_int_equal(iterations_for(&own_default, "--iterations=7"), 7);
    assert_int_equal(iterations_for(cb_task_find("cpu"), "--iterations=7"), 7);
    assert_int_equal(iterations_for(&own_default, "--iterations=10M"), 10000000u);
    /* Set in code, it applies too. */
    cb_config_default(&cfg);
    cfg.params.iterations = 3;
    cb_config_task_params(&cfg, &own_default, &p);
    assert_int_equal(p.iterations, 3);
}

/* Where the writer puts a value depends on the line's conditions. */
static void test_written(void **state)
{
    const struct cb_param_desc *pin = cb_options_find("pin");
    const struct cb_param_desc *transport = cb_options_find("transport");
    const struct cb_param_desc *sw = cb_options_find("switch-interval");
    const struct cb_param_desc *start = cb_options_find("start");
    const struct cb_param_desc *lock = cb_options_find("lock");
    struct cb_cell c;
    struct cb_option_view v;

    (void)state;
    memset(&c, 0, sizeof c);
    c.task = cb_task_find("lock");
    v = cb_option_view_cell(&c);
    assert_true(cb_option_written(start, &v, cb_executor_find("serial")));
    assert_true(cb_option_written(lock, &v, cb_executor_find("threads")));
    assert_false(cb_option_written(pin, &v, cb_executor_find("threads"))); /* none */
    c.opts.pin = CB_PIN_SPREAD;
    assert_true(cb_option_written(pin, &v, cb_executor_find("threads")));
    assert_false(cb_option_written(pin, &v, cb_executor_find("serial")));
    assert_false(cb_option_written(transport, &v, cb_executor_find("processes")));
    c.opts.payload = 1;
    assert_true(cb_option_written(transport, &v, cb_executor_find("processes")));
    assert_false(cb_option_written(transport, &v, cb_executor_find("threads")));
    c.opts.switch_ns = 1000;
    assert_false(cb_option_written(sw, &v, cb_executor_find("threads")));
    c.opts.gil = true;
    assert_true(cb_option_written(sw, &v, cb_executor_find("threads")));
    assert_int_equal(cb_option_get(sw, &v), 1000);
    c.start = CB_START_BARRIER;
    assert_string_equal(cb_option_choice(start, cb_option_get(start, &v)), "barrier");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_every_line_parses),
        cmocka_unit_test(test_task_defaults),
        cmocka_unit_test(test_written),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
