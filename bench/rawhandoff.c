/* Raw wake-up hand-off: one thread (or process) sleeps in a condition
 * variable wait; the other stamps the time, sets a flag and signals. The
 * sleeper's first instruction after waking stamps again; the difference
 * is one hand-off to an idle worker, the floor under a pool's dispatch
 * latency. Between rounds the signaller pauses --gap so the sleeper is
 * surely asleep again. processes: the mutex and condition variable are
 * PTHREAD_PROCESS_SHARED in a MAP_SHARED page, the child forked.
 * PLACEMENT: free (the scheduler's choice), same (both pinned to one
 * CPU: the sleeper runs once the signaller sleeps) or other (pinned to
 * two CPUs: the sleeper's CPU is idle, and on a virtual machine its
 * wake-up is the host's to schedule).
 * Prints median, p90, p99 and max in seconds, one line per model.
 * Standalone: it does not link the concbench library.
 *   cb_rawhandoff threads|processes|both [N] [GAP_US] [free|same|other] */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t round;      /* under mu: the signaller's latest round */
    uint64_t seen;       /* under mu: the last round the sleeper took */
    uint64_t sent_ns;    /* under mu: when that round was signalled */
    int asleep;          /* under mu: the sleeper is in its wait */
    uint64_t n;
    uint64_t lat[];      /* per round: signal → sleeper's first instruction */
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPUs of the placement: the signaller's and the sleeper's (-1:
 * free). */
static int signaller_cpu = -1, sleeper_cpu = -1;

/* Pins pid (0: this thread) to cpu; nothing when cpu < 0. Returns 0 or
 * -1 (errno set). */
static int pin(pid_t pid, int cpu)
{
    cpu_set_t set;

    if (cpu < 0)
        return 0;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(pid, sizeof set, &set);
}

/* Picks the CPUs for placement (free, same, other) from the usable ones.
 * Returns 0, or -1 when there are not enough. */
static int place(const char *placement)
{
    cpu_set_t set;
    int first = -1, second = -1;

    if (strcmp(placement, "free") == 0)
        return 0;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int c = 0; c < CPU_SETSIZE && second < 0; c++)
        if (CPU_ISSET(c, &set)) {
            if (first < 0)
                first = c;
            else
                second = c;
        }
    signaller_cpu = first;
    sleeper_cpu = strcmp(placement, "same") == 0 ? first : second;
    return first < 0 || sleeper_cpu < 0 ? -1 : 0;
}

static void sleeper(struct shared *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->seen < s->n) {
        s->asleep = 1;
        while (s->round == s->seen)
            pthread_cond_wait(&s->cv, &s->mu);
        s->lat[s->seen] = now_ns() - s->sent_ns;
        s->asleep = 0;
        s->seen++;
    }
    pthread_mutex_unlock(&s->mu);
}

static void *sleeper_thread(void *arg)
{
    sleeper(arg);
    return NULL;
}

static void signaller(struct shared *s, long gap_us)
{
    const struct timespec gap = { gap_us / 1000000, (gap_us % 1000000) * 1000 };

    for (uint64_t i = 0; i < s->n; i++) {
        for (;;) { /* until the sleeper took the last round and waits */
            int ready;

            pthread_mutex_lock(&s->mu);
            ready = s->seen == i && s->asleep;
            pthread_mutex_unlock(&s->mu);
            if (ready)
                break;
            nanosleep(&(struct timespec){ 0, 20000 }, NULL);
        }
        nanosleep(&gap, NULL);
        pthread_mutex_lock(&s->mu);
        s->sent_ns = now_ns();
        s->round++;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static struct shared *make_shared(uint64_t n, int pshared)
{
    size_t size = sizeof(struct shared) + n * sizeof(uint64_t);
    struct shared *s = mmap(NULL, size, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;

    if (s == MAP_FAILED)
        return NULL;
    memset(s, 0, size);
    s->n = n;
    pthread_mutexattr_init(&ma);
    pthread_condattr_init(&ca);
    if (pshared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    }
    pthread_mutex_init(&s->mu, &ma);
    pthread_cond_init(&s->cv, &ca);
    return s;
}

static int run(const char *model, uint64_t n, long gap_us, const char *placement)
{
    int procs = strcmp(model, "processes") == 0;
    struct shared *s = make_shared(n, procs);
    pthread_t t;
    pid_t pid = -1;
    double q[4];

    if (!s)
        return -1;
    if (pin(0, signaller_cpu) != 0)
        return -1;
    /* The sleeper is pinned from here, before its first round: a failure
     * is this function's, and no sleeper is left waiting. */
    if (procs) {
        pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            sleeper(s);
            _exit(0);
        }
        if (pin(pid, sleeper_cpu) != 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return -1;
        }
    } else {
        pthread_attr_t attr;
        cpu_set_t set;
        int rc;

        if (pthread_attr_init(&attr) != 0)
            return -1;
        CPU_ZERO(&set);
        if (sleeper_cpu >= 0) {
            CPU_SET(sleeper_cpu, &set);
            pthread_attr_setaffinity_np(&attr, sizeof set, &set);
        }
        rc = pthread_create(&t, &attr, sleeper_thread, s);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            errno = rc;
            return -1;
        }
    }
    signaller(s, gap_us);
    if (procs)
        waitpid(pid, NULL, 0);
    else
        pthread_join(t, NULL);
    qsort(s->lat, n, sizeof s->lat[0], cmp_u64);
    q[0] = (double)s->lat[n / 2] / 1e9;
    q[1] = (double)s->lat[n * 9 / 10] / 1e9;
    q[2] = (double)s->lat[n * 99 / 100] / 1e9;
    q[3] = (double)s->lat[n - 1] / 1e9;
    printf("%s median_s=%.9f p90_s=%.9f p99_s=%.9f max_s=%.9f n=%llu placement=%s\n", model,
           q[0], q[1], q[2], q[3], (unsigned long long)n, placement);
    return 0;
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : "both";
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000;
    long gap_us = argc > 3 ? strtol(argv[3], NULL, 10) : 200;
    const char *placement = argc > 4 ? argv[4] : "free";
    int both = strcmp(model, "both") == 0;

    if (argc > 5 || n < 1 || gap_us < 0 ||
        (!both && strcmp(model, "threads") != 0 && strcmp(model, "processes") != 0) ||
        (strcmp(placement, "free") != 0 && strcmp(placement, "same") != 0 &&
         strcmp(placement, "other") != 0)) {
        fprintf(stderr, "usage: cb_rawhandoff threads|processes|both [N>0] [GAP_US>=0] "
                        "[free|same|other]\n");
        return 2;
    }
    if (place(placement) != 0) {
        fprintf(stderr, "cb_rawhandoff: placement %s needs %s usable CPUs\n", placement,
                strcmp(placement, "other") == 0 ? "two" : "one");
        return 2;
    }
    if ((both || model[0] == 't') && run("threads", n, gap_us, placement) != 0) {
        perror("cb_rawhandoff: threads");
        return 1;
    }
    if ((both || model[0] == 'p') && run("processes", n, gap_us, placement) != 0) {
        perror("cb_rawhandoff: processes");
        return 1;
    }
    return 0;
}
