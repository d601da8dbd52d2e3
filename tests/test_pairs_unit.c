/* The switch and msg tasks: checksums in every channel, placement and
 * mode that can run them, the job-count and mode checks, and a consumer
 * that never waits for ever for a producer that is not there. */
#include "cb_test.h"

#include <stdio.h>
#include <string.h>

#include "concbench/config.h"
#include "concbench/run.h"

CB_TEST_SHARED_RECORDS(8)

static void run_ok(const char *mode, struct cb_params *p, const struct cb_task *task,
                   uint32_t n)
{
    const struct cb_executor *x = cb_executor_find(mode);
    struct cb_run_opts o = { .switch_ns = 1000000 };
    struct cb_run_spec spec = {
        .task = task, .params = p, .workers = n, .start = CB_START_BARRIER,
        .shared = shared, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };
    struct cb_task_run tr;
    uint64_t total = 0;

    assert_int_equal(cb_task_check(task, p, &err), 0);
    cb_shared_reset(shared, n);
    assert_int_equal(cb_task_run_begin(task, p, n, x->separate_memory, &tr, &err), 0);
    spec.task_state = tr.state;
    assert_int_equal(cb_run_sample(x, &spec, &t, &err), 0);
    if (cb_task_run_end(task, &tr, &total))
        assert_int_equal(total, task->expected_total(p, n));
    cb_test_no_children();
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(shared->rec[i].status, CB_WORKER_OK);
        assert_int_equal(shared->rec[i].checksum, task->expected(p));
    }
}

static void test_switch_every_channel(void **state)
{
    const struct cb_task *task = cb_task_find("switch");
    struct cb_params p;

    (void)state;
    cb_params_default(&p);
    p.iterations = 500;
    for (uint32_t c = 0; c < 2; c++)
        for (uint32_t pl = 0; pl < 2; pl++) {
            p.switch_channel = c;
            p.switch_placement = pl;
            run_ok("threads", &p, task, 2);
            run_ok("processes", &p, task, 4);
        }
    /* 1 + 2 + 3 = 6 per end; mod 2^64 for a count whose half overflows. */
    p.iterations = 3;
    assert_int_equal(task->expected(&p), 6);
    assert_true(task->ops && task->ops(&p) == 3);
}

/* Alone, an end has no pair: it returns at once, and the checksum says. */
static void test_switch_without_pair(void **state)
{
    const struct cb_task *task = cb_task_find("switch");
    struct cb_params p;

    (void)state;
    cb_params_default(&p);
    assert_int_equal(task->run(&p, NULL, NULL), 0);
    assert_true(task->expected(&p) != 0);
}

static struct cb_config config(const char *modes, const char *tasks, uint32_t n)
{
    struct cb_config cfg;
    char buf[64];

    cb_config_default(&cfg);
    cfg.nmodes = cfg.ntasks = 0;
    snprintf(buf, sizeof buf, "%s", modes);
    for (char *s = strtok(buf, ","); s; s = strtok(NULL, ","))
        cfg.modes[cfg.nmodes++] = cb_executor_find(s);
    snprintf(buf, sizeof buf, "%s", tasks);
    for (char *s = strtok(buf, ","); s; s = strtok(NULL, ","))
        cfg.tasks[cfg.ntasks++] = cb_task_find(s);
    cfg.workers[0] = n;
    cfg.nworkers = 1;
    return cfg;
}

static void test_checks(void **state)
{
    struct cb_error err = { "" };
    struct cb_config cfg;

    (void)state;
    cfg = config("threads,processes", "switch,msg", 2);
    assert_int_equal(cb_config_check_tasks(&cfg, &err), 0);
    cfg = config("threads", "switch", 3);
    assert_int_equal(cb_config_check_tasks(&cfg, &err), -1);
    assert_memory_equal(err.msg, "-n 3: ", 6);
    cfg = config("threads,serial", "switch", 2);
    assert_int_equal(cb_config_check_tasks(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "--mode=serial"));
    /* msg has no pairs: any -n, and serial too. */
    cfg = config("serial", "msg", 3);
    assert_int_equal(cb_config_check_tasks(&cfg, &err), 0);
}

static void test_msg_every_channel(void **state)
{
    const struct cb_task *task = cb_task_find("msg");
    const uint64_t sizes[] = { 8, 64, 4096 };
    struct cb_params p;

    (void)state;
    cb_params_default(&p);
    p.iterations = 700; /* more than the ring holds at 4096 B */
    for (uint32_t c = 0; c < 3; c++)
        for (size_t s = 0; s < 3; s++) {
            p.msg_channel = c;
            p.message = sizes[s];
            run_ok("processes", &p, task, 3);
            if (c == 0) {
                run_ok("threads", &p, task, 3);
                run_ok("serial", &p, task, 2);
            }
        }
    assert_int_equal(task->op_bytes(&p), 4096);
}

/* Two producers expected, one sends: teardown still ends the consumer,
 * and the total says what arrived. */
static void test_msg_missing_producer(void **state)
{
    const struct cb_task *task = cb_task_find("msg");
    struct cb_error err = { "" };
    struct cb_params p;

    (void)state;
    cb_params_default(&p);
    p.iterations = 300;
    for (uint32_t c = 0; c < 3; c++)
        for (int pshared = 0; pshared < 2; pshared++) {
            struct cb_hooks h = { .job = 1, .jobs = 2 };
            struct cb_task_run tr;
            uint64_t total = 0;

            p.msg_channel = c;
            assert_int_equal(cb_task_run_begin(task, &p, 2, pshared, &tr, &err), 0);
            assert_int_equal(task->run(&p, tr.state, &h), 300);
            assert_true(cb_task_run_end(task, &tr, &total));
            assert_int_equal(total, 300);
            assert_true(total != task->expected_total(&p, 2));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_every_channel),
        cmocka_unit_test(test_switch_without_pair),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_msg_every_channel),
        cmocka_unit_test(test_msg_missing_producer),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
