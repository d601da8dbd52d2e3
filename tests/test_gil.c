/* The emulated GIL: exclusion, hand-over, fairness of the demo's shape,
 * and that processes (each with its own lock) are unaffected. */
#include "cb_test.h"

#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "concbench/gil.h"
#include "concbench/run.h"

#define NT 4

static struct cb_gil gil;
static _Atomic int inside;      /* workers in task code right now */
static _Atomic int max_inside;  /* most ever seen at once */
static _Atomic uint64_t checkpoints;
static _Atomic int first_in;    /* 1 until the first worker enters */

/* The first worker in holds the lock until every other one queues for
 * it (or a generous deadline passes): so they surely contend, even when a
 * busy machine would otherwise run them one after another. The hooks' arg
 * is the worker's lock (cb_gil_hooks). */
static void wait_for_queue(const struct cb_hooks *h)
{
    const struct cb_gil_worker *w = h ? h->arg : NULL;
    uint64_t until = cb_clock_now_ns() + 10000000000ull; /* 10 s */

    if (!w || !atomic_exchange(&first_in, 0))
        return;
    while (atomic_load(&w->gil->waiting) < NT - 1 && cb_clock_now_ns() < until)
        ;
}

/* A cpu-like task that counts how many workers are inside at once. */
static uint64_t guarded_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    uint64_t n = 0;

    (void)st;
    wait_for_queue(h);
    for (uint64_t i = 0; i < p->iterations; i++) {
        int now = atomic_fetch_add(&inside, 1) + 1;
        int seen = atomic_load(&max_inside);

        while (now > seen && !atomic_compare_exchange_weak(&max_inside, &seen, now))
            ;
        for (volatile int k = 0; k < 200; k++)
            ;
        n++;
        atomic_fetch_sub(&inside, 1);
        atomic_fetch_add(&checkpoints, 1);
        cb_hooks_checkpoint(h);
    }
    return n;
}

CB_TEST_SHARED_RECORDS(16)

static double run_wall(const struct cb_executor *r, const struct cb_task *task,
                       const struct cb_params *p, uint32_t n, bool gil_on)
{
    struct cb_run_opts o = { .gil = gil_on, .switch_ns = 1000000 };
    struct cb_run_spec spec = {
        .task = task, .params = p, .workers = n, .start = CB_START_BARRIER,
        .shared = shared, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };

    cb_shared_reset(shared, n);
    assert_int_equal(cb_run_sample(r, &spec, &t, &err), 0);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(shared->rec[i].status, CB_WORKER_OK);
        assert_true(shared->rec[i].checksum == task->expected(p));
    }
    return (double)(t.t1_ns - t.release_ns) / 1e9;
}

static void test_exclusion(void **state)
{
    struct cb_task task = *cb_task_find("cpu");
    struct cb_params p;
    double wait = 0;

    (void)state;
    task.run = guarded_run;
    cb_params_default(&p);
    p.iterations = 20000;
    atomic_store(&max_inside, 0);
    atomic_store(&first_in, 1);
    run_wall(cb_executor_find("threads"), &task, &p, NT, true);
    assert_int_equal(atomic_load(&max_inside), 1);
    for (uint32_t i = 0; i < NT; i++)
        wait += (double)shared->rec[i].gil_wait_ns;
    assert_true(wait > 0); /* they queued for it */
}

struct spin_arg {
    struct cb_gil_worker w;
    uint64_t until_ns;
    _Atomic uint64_t turns;
    struct spin_arg *other;
};

#define TURNS 5

/* Holds the lock in turn until both have had it TURNS times (or a
 * generous deadline passes on a very loaded machine). */
static void *take_turns(void *arg)
{
    struct spin_arg *a = arg;

    cb_gil_acquire(&a->w);
    while (cb_clock_now_ns() < a->until_ns &&
           (atomic_load(&a->turns) < TURNS || atomic_load(&a->other->turns) < TURNS)) {
        uint64_t before = a->w.since_ns;

        cb_gil_checkpoint(&a->w);
        if (a->w.since_ns != before)
            atomic_fetch_add(&a->turns, 1);
    }
    cb_gil_release(&a->w);
    return NULL;
}

static void test_hand_over(void **state)
{
    struct spin_arg a[2];
    pthread_t t[2];
    struct cb_hooks h;

    (void)state;
    assert_int_equal(cb_gil_init(&gil, 200000, NULL), 0); /* 200 us */
    for (int i = 0; i < 2; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].other = &a[1 - i];
        cb_gil_hooks(&a[i].w, &gil, &h);
        a[i].until_ns = cb_clock_now_ns() + 5000000000ull; /* 5 s */
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, take_turns, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cb_gil_destroy(&gil);
    /* Handed over both ways, repeatedly: not one long hold. */
    assert_true(atomic_load(&a[0].turns) >= TURNS && atomic_load(&a[1].turns) >= TURNS);
}

#define NQ 4

struct queued {
    struct cb_gil_worker w;
    int order;      /* 0 for the first to get the lock after the holder */
    long nvcsw;     /* voluntary context switches while queued */
};

static _Atomic int served;

/* Queues for the lock, notes when its turn came and how often it slept
 * on the way, holds the lock a moment and passes it on. */
static void *queue_then_hold(void *arg)
{
    struct queued *q = arg;
    struct rusage r0, r1;
    uint64_t until;

    getrusage(RUSAGE_THREAD, &r0);
    cb_gil_acquire(&q->w);
    getrusage(RUSAGE_THREAD, &r1);
    q->order = atomic_fetch_add(&served, 1);
    q->nvcsw = r1.ru_nvcsw - r0.ru_nvcsw;
    until = cb_clock_now_ns() + 2000000; /* 2 ms */
    while (cb_clock_now_ns() < until)
        ;
    cb_gil_release(&q->w);
    return NULL;
}

static int queue_length(void)
{
    int n = 0;

    pthread_mutex_lock(&gil.mu);
    for (const struct cb_gil_waiter *x = gil.head; x; x = x->next)
        n++;
    pthread_mutex_unlock(&gil.mu);
    return n;
}

/* The main thread holds the lock while NQ threads queue one after
 * another (each in line before the next starts), then lets go. */
static void run_queue(struct queued *q)
{
    struct cb_gil_worker holder;
    struct cb_hooks h;
    pthread_t t[NQ];

    assert_int_equal(cb_gil_init(&gil, 1000000, NULL), 0);
    cb_gil_hooks(&holder, &gil, &h);
    cb_gil_acquire(&holder);
    atomic_store(&served, 0);
    for (int i = 0; i < NQ; i++) {
        uint64_t until = cb_clock_now_ns() + 10000000000ull; /* 10 s */

        memset(&q[i], 0, sizeof q[i]);
        cb_gil_hooks(&q[i].w, &gil, &h);
        assert_int_equal(pthread_create(&t[i], NULL, queue_then_hold, &q[i]), 0);
        while (queue_length() < i + 1 && cb_clock_now_ns() < until)
            nanosleep(&(struct timespec){ 0, 100000 }, NULL);
        assert_int_equal(queue_length(), i + 1);
    }
    cb_gil_release(&holder);
    for (int i = 0; i < NQ; i++)
        pthread_join(t[i], NULL);
    cb_gil_destroy(&gil);
}

/* Hand-offs go in the order the workers queued. */
static void test_fifo_order(void **state)
{
    struct queued q[NQ];

    (void)state;
    run_queue(q);
    for (int i = 0; i < NQ; i++)
        assert_int_equal(q[i].order, i);
}

/* A drop wakes the next waiter alone: the last in line sleeps once (once
 * more at most, if it met a busy queue mutex on its way in), not once per
 * hand-off before its turn, as a broadcast would make it. */
static void test_one_wake_per_hand_off(void **state)
{
    struct queued q[NQ];

    (void)state;
    cb_test_need_timing();
    run_queue(q);
    for (int i = 0; i < NQ; i++)
        assert_true(q[i].nvcsw <= 2);
}

static uint64_t total_wait(uint32_t n)
{
    uint64_t sum = 0;

    for (uint32_t i = 0; i < n; i++)
        sum += shared->rec[i].gil_wait_ns;
    return sum;
}

/* The CPU time of the last run's workers, in seconds. */
static double total_cpu(uint32_t n)
{
    double cpu = 0;

    for (uint32_t i = 0; i < n; i++)
        cpu += (double)shared->rec[i].cpu_ns / 1e9;
    return cpu;
}

/* Whether two of the last run's workers were in their task at the same
 * time (by more than 1 ms): only then had one to queue for the lock. On a
 * busy machine short jobs can run one after another, hence long jobs. */
static bool overlapped(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            const struct cb_worker_record *a = &shared->rec[i], *b = &shared->rec[j];
            uint64_t start = a->start_ns > b->start_ns ? a->start_ns : b->start_ns;
            uint64_t end = a->end_ns < b->end_ns ? a->end_ns : b->end_ns;

            if (end > start + 1000000)
                return true;
        }
    return false;
}

/* Asserts that the workers queued for the lock if they ran at once. */
static void check_queued(uint32_t n, const char *test)
{
    if (overlapped(n))
        assert_true(total_wait(n) > 0);
    else
        printf("note: %s: the workers ran one after another (a busy machine): "
               "nothing to queue for, so the wait is not checked\n", test);
}

/* Work sized in CPU time, not steps: each worker's job lasts about
 * JOB_S of CPU on this build (sanitizers slow it several times), long
 * enough for workers to overlap on a busy machine. */
#define JOB_S 0.04

static uint64_t cpu_iterations_for(double seconds)
{
    struct cb_params p;
    double t0, t;

    cb_params_default(&p);
    p.iterations = 2000000;
    t0 = cb_test_thread_cpu_s();
    assert_int_equal(cb_task_find("cpu")->run(&p, NULL, NULL), p.iterations);
    t = cb_test_thread_cpu_s() - t0;
    return (uint64_t)((double)p.iterations * seconds / (t > 1e-6 ? t : 1e-6));
}

/* The smallest n (24..40) whose F(n) takes at least seconds of CPU;
 * each step up costs about 1.6 times more. */
static uint64_t fib_n_for(double seconds)
{
    struct cb_params p;
    double t0, t;

    cb_params_default(&p);
    p.fib_n = 24;
    t0 = cb_test_thread_cpu_s();
    assert_true(cb_task_find("fib")->run(&p, NULL, NULL) == cb_task_find("fib")->expected(&p));
    t = cb_test_thread_cpu_s() - t0;
    while (p.fib_n < 40 && t < seconds) {
        p.fib_n++;
        t *= 1.618;
    }
    return p.fib_n;
}

/* The classic demo's shape, as bounds that hold on a loaded machine too:
 * under the GIL, CPU-bound threads never use more than about one CPU at a
 * time, so they cannot finish faster than their own CPU time (without
 * the lock, 4 workers on 2 idle CPUs use 2). Each run is judged on its
 * own figures: on a shared VM the CPU time of the same work differs from
 * run to run by more than any bound across runs could allow. Processes
 * are unaffected. (run_wall checks every checksum: the work was done.) */
static void test_cpu_threads_serialised(void **state)
{
    struct cb_params p;

    (void)state;
    cb_test_need_timing();
    cb_params_default(&p);
    p.iterations = cpu_iterations_for(JOB_S);
    for (int i = 0; i < 3; i++) {
        double threads = run_wall(cb_executor_find("threads"), cb_task_find("cpu"), &p, 4, true);

        assert_true(total_cpu(4) / threads < 1.3);
        check_queued(4, __func__);
    }
    run_wall(cb_executor_find("processes"), cb_task_find("cpu"), &p, 4, true);
    /* Each process has its own lock, so nobody waits for it. */
    assert_true(total_wait(4) == 0);
}

/* fib is CPU-bound too: under the GIL its threads also use one CPU at
 * most and take turns (its recursion reaches the check points). */
static void test_fib_threads_serialised(void **state)
{
    struct cb_params p;
    double threads;

    (void)state;
    cb_test_need_timing();
    cb_params_default(&p);
    p.fib_n = fib_n_for(JOB_S);
    threads = run_wall(cb_executor_find("threads"), cb_task_find("fib"), &p, 4, true);
    assert_true(total_cpu(4) / threads < 1.3);
    check_queued(4, __func__);
}

static void test_io_still_overlaps(void **state)
{
    struct cb_params p;
    double wall;

    (void)state;
    cb_test_need_timing();
    cb_params_default(&p);
    p.sleep_ns = 100000000; /* 100 ms x 8 workers: 800 ms if serialised */
    wall = run_wall(cb_executor_find("threads"), cb_task_find("io"), &p, 8, true);
    assert_true(wall < 0.4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exclusion),
        cmocka_unit_test(test_hand_over),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_one_wake_per_hand_off),
        cmocka_unit_test(test_cpu_threads_serialised),
        cmocka_unit_test(test_fib_threads_serialised),
        cmocka_unit_test(test_io_still_overlaps),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
