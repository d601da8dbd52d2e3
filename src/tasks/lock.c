/* lock: every worker increments one shared counter --iterations times
 * under a lock (--lock=mutex|spin|semaphore), or with none (--lock=none:
 * a relaxed load, then a relaxed store, so concurrent workers lose
 * updates; the run reports how many instead of failing). For processes the lock and
 * the counter live in shared memory and the lock is PTHREAD_PROCESS_SHARED
 * (the semaphore pshared). A lost update shows in the run's total.
 *
 * A worker may die holding the lock. The mutex is robust: the next taker
 * gets EOWNERDEAD, makes it consistent and goes on (the count may then be
 * short, and the run's total says so). A semaphore or a spin lock has no
 * owner: the others would wait for ever, and the run driver ends the
 * sample when a worker of this (shares_state) task dies. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "concbench/record.h"
#include "concbench/task.h"

/* Increments between checkpoints, taken with the lock released: a worker
 * must never give up an emulated GIL while it holds this lock. */
#define LOCK_CHUNK 256u
#define SPINS_BEFORE_YIELD 64

struct lock_state {
    uint32_t kind;               /* enum cb_lock_kind */
    pthread_mutex_t mutex;
    sem_t sem;
    _Atomic uint32_t spin;
    /* Guarded by the lock; atomic only so that --lock=none's race is a
     * defined one (relaxed loads and stores: a plain mov on x86). */
    _Alignas(CB_CACHE_LINE) _Atomic uint64_t counter;
};

static const struct cb_param_desc lock_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT64_MAX,
      .def = 10000000u, .help = "steps of the counting loop", .json = CB_JSON_PARAMS },
    /* A name, not a number: beside params in the JSON. */
    { .flag = "lock", .json_name = "lock", .kind = CB_PARAM_CHOICE,
      CB_PARAM_AT(struct cb_params, lock), .def = CB_LOCK_MUTEX,
      .choice = cb_lock_name, .metavar = "KIND",
      .help = "mutex, spin, semaphore, or none (racing: lost updates counted)",
      .json = CB_JSON_BESIDE, .distinguishes = true },
    { .flag = NULL },
};

const char *cb_lock_name(size_t kind)
{
    static const char *const names[] = { "mutex", "spin", "semaphore", "none" };

    return kind < sizeof names / sizeof names[0] ? names[kind] : NULL;
}

static int init_mutex(struct lock_state *s, bool pshared, struct cb_error *err)
{
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);

    if (rc == 0 && pshared)
        rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    /* In both modes, so that threads and processes take the same lock. */
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(&s->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0)
        cb_error_set(err, "--lock=mutex: cannot create the mutex: %s", strerror(rc));
    return rc == 0 ? 0 : -1;
}

static int lock_setup(void *state, const struct cb_params *p, uint32_t jobs,
                      bool pshared, struct cb_error *err)
{
    struct lock_state *s = state;

    (void)jobs;
    memset(s, 0, sizeof *s);
    s->kind = p->lock;
    switch ((enum cb_lock_kind)p->lock) {
    case CB_LOCK_MUTEX:
        return init_mutex(s, pshared, err);
    case CB_LOCK_SEMAPHORE:
        if (sem_init(&s->sem, pshared ? 1 : 0, 1) != 0) {
            cb_error_set(err, "--lock=semaphore: cannot create the semaphore: %s",
                         strerror(errno));
            return -1;
        }
        return 0;
    case CB_LOCK_SPIN:
    case CB_LOCK_NONE:
        break;
    }
    return 0;
}

static void lock_teardown(void *state)
{
    struct lock_state *s = state;

    if (s->kind == CB_LOCK_MUTEX)
        pthread_mutex_destroy(&s->mutex);
    else if (s->kind == CB_LOCK_SEMAPHORE)
        sem_destroy(&s->sem);
}

/* Test-and-test-and-set; yields after a while, since on fewer cores
 * than workers the holder may be the one waiting for a CPU. */
static void spin_lock(_Atomic uint32_t *l)
{
    for (int spins = 0;; spins++) {
        if (atomic_load_explicit(l, memory_order_relaxed) == 0 &&
            atomic_exchange_explicit(l, 1, memory_order_acquire) == 0)
            return;
        if (spins >= SPINS_BEFORE_YIELD) {
            sched_yield();
            spins = 0;
        }
    }
}

/* Its holder died: the lock is ours, and the count it guarded may be one
 * short. Returns false when the mutex cannot be used any more. */
static bool lock_mutex(pthread_mutex_t *m)
{
    int rc = pthread_mutex_lock(m);

    if (rc == EOWNERDEAD)
        rc = pthread_mutex_consistent(m);
    return rc == 0;
}

/* Returns false when the lock cannot be taken: the worker stops short. */
static bool acquire(struct lock_state *s)
{
    if (s->kind == CB_LOCK_NONE)
        return true;
    if (s->kind == CB_LOCK_MUTEX)
        return lock_mutex(&s->mutex);
    if (s->kind == CB_LOCK_SEMAPHORE) {
        int rc;

        while ((rc = sem_wait(&s->sem)) != 0 && errno == EINTR)
            ;
        return rc == 0;
    }
    spin_lock(&s->spin);
    return true;
}

static void release(struct lock_state *s)
{
    if (s->kind == CB_LOCK_MUTEX)
        pthread_mutex_unlock(&s->mutex);
    else if (s->kind == CB_LOCK_SEMAPHORE)
        sem_post(&s->sem);
    else if (s->kind == CB_LOCK_SPIN)
        atomic_store_explicit(&s->spin, 0, memory_order_release);
}

/* Returns the worker's own increments; the run's total is checked on
 * the final counter. */
static uint64_t lock_run(const struct cb_params *p, void *state,
                         const struct cb_hooks *h)
{
    struct lock_state *s = state;
    uint64_t done = 0;

    while (done < p->iterations) {
        uint64_t left = p->iterations - done;
        uint64_t chunk = left < LOCK_CHUNK ? left : LOCK_CHUNK;

        for (uint64_t i = 0; i < chunk; i++) {
            if (!acquire(s))
                return done + i; /* short: a wrong checksum */
            /* Read, then write: a broken lock (or none) loses updates. */
            atomic_store_explicit(&s->counter,
                                  atomic_load_explicit(&s->counter, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
            release(s);
        }
        done += chunk;
        cb_hooks_checkpoint(h);
    }
    return done;
}

static uint64_t lock_total(const void *state)
{
    const struct lock_state *s = state;

    return atomic_load_explicit(&s->counter, memory_order_relaxed);
}

/* --lock=none: a short total is the lost updates, measured. */
static bool lock_total_measured(const struct cb_params *p)
{
    return p->lock == CB_LOCK_NONE;
}

static uint64_t lock_expected_total(const struct cb_params *p, uint32_t workers)
{
    return p->iterations * workers;
}

const struct cb_task cb_task_lock = {
    .name = "lock",
    .description = "workers increment one shared counter --iterations times "
                   "under --lock; shows a lock's cost shared by threads or by processes "
                   "(none: the updates a race loses)",
    .cpu_bound = true,
    .opt_in = true, /* a contention test, not one of the speed claims */
    .shares_state = true,
    .size_param = "iterations",
    .size_linear = true,
    .op = "locked increment",
    .ops = cb_task_iterations,
    .params = lock_params,
    .check = NULL, /* --lock is checked against its table line */
    .run = lock_run,
    .expected = cb_task_iterations,
    .state_size = sizeof(struct lock_state),
    .setup = lock_setup,
    .teardown = lock_teardown,
    .total = lock_total,
    .expected_total = lock_expected_total,
    .total_measured = lock_total_measured,
};
