/* cb_rawrelease: the raw floor of a barrier start. N sleepers (threads or
 * forked processes) wait on a pipe; the parent closes its write end; each
 * wakes, sleeps --sleep from its own wake, stamps its end in shared
 * memory. Prints the run phase (close -> last end) and the release
 * spread (close -> last wake) in ns, one line per round, with no harness
 * around it, for bench/release.sh to hold concbench against.
 * Standalone on purpose: it must not share code with what it checks.
 *
 * usage: cb_rawrelease threads|processes N SLEEP_NS ROUNDS */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct slot {
    _Alignas(64) uint64_t woke, end;
};

static int gate_r;
static uint64_t sleep_ns;
static struct slot *slots;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleeper(size_t i)
{
    char c;
    struct timespec d;
    uint64_t until;

    /* As concbench's io task: wake on time, not 50 us late. */
    prctl(PR_SET_TIMERSLACK, 1ul, 0ul, 0ul, 0ul);
    while (read(gate_r, &c, 1) < 0 && errno == EINTR)
        ;
    slots[i].woke = now_ns();
    until = slots[i].woke + sleep_ns;
    d.tv_sec = (time_t)(until / 1000000000u);
    d.tv_nsec = (long)(until % 1000000000u);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
        ;
    slots[i].end = now_ns();
}

static void *thread_main(void *arg)
{
    sleeper((size_t)(uintptr_t)arg);
    return NULL;
}

static int round_once(int processes, size_t n, uint64_t *phase, uint64_t *spread)
{
    int fds[2];
    pthread_t *t = calloc(n, sizeof *t);
    pid_t *p = calloc(n, sizeof *p);
    uint64_t release, last_end = 0, last_wake = 0;
    pthread_attr_t attr;

    /* 256 KiB stacks, as bench/release.sh asks of concbench. */
    if (!t || !p || pipe(fds) != 0 || pthread_attr_init(&attr) != 0 ||
        pthread_attr_setstacksize(&attr, 256u << 10) != 0)
        return -1;
    gate_r = fds[0];
    memset(slots, 0, n * sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        if (processes) {
            p[i] = fork();
            if (p[i] == 0) {
                close(fds[1]);
                sleeper(i);
                _exit(0);
            }
        } else if (pthread_create(&t[i], &attr, thread_main, (void *)(uintptr_t)i) != 0) {
            return -1;
        }
    }
    usleep(200000); /* every sleeper is at the gate */
    release = now_ns();
    close(fds[1]);
    for (size_t i = 0; i < n; i++) {
        if (processes)
            waitpid(p[i], NULL, 0);
        else
            pthread_join(t[i], NULL);
    }
    for (size_t i = 0; i < n; i++) {
        last_end = slots[i].end > last_end ? slots[i].end : last_end;
        last_wake = slots[i].woke > last_wake ? slots[i].woke : last_wake;
    }
    *phase = last_end - release;
    *spread = last_wake - release;
    close(fds[0]);
    pthread_attr_destroy(&attr);
    free(t);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n, rounds;
    int processes;

    if (argc != 5 || (strcmp(argv[1], "threads") && strcmp(argv[1], "processes"))) {
        fprintf(stderr, "usage: cb_rawrelease threads|processes N SLEEP_NS ROUNDS\n");
        return 2;
    }
    processes = strcmp(argv[1], "processes") == 0;
    n = strtoul(argv[2], NULL, 10);
    sleep_ns = strtoull(argv[3], NULL, 10);
    rounds = strtoul(argv[4], NULL, 10);
    if (n == 0 || n > 100000 || rounds == 0) {
        fprintf(stderr, "cb_rawrelease: N 1..100000, ROUNDS >= 1\n");
        return 2;
    }
    slots = mmap(NULL, n * sizeof *slots, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED)
        return 1;
    for (size_t r = 0; r < rounds; r++) {
        uint64_t phase, spread;

        if (round_once(processes, n, &phase, &spread) != 0) {
            fprintf(stderr, "cb_rawrelease: cannot start %zu %s\n", n, argv[1]);
            return 1;
        }
        printf("%" PRIu64 " %" PRIu64 "\n", phase, spread);
    }
    return 0;
}
