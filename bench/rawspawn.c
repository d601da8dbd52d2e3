/* cb_rawspawn: what creating a thread or a process costs with no harness
 * around it, so bench/overhead.sh can show how much concbench adds.
 * Standalone on purpose: it must not share code with what it checks. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 10000000ul

enum { CREATE_JOIN, SPAWN, NSERIES };

struct series {
    uint64_t *ns[NSERIES]; /* one sample per round, per measurement */
};

static void fail(const char *what, int err)
{
    fprintf(stderr, "cb_rawspawn: %s: %s\n", what, strerror(err));
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        fail("clock_gettime(CLOCK_MONOTONIC)", errno);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *empty_thread(void *arg)
{
    return arg;
}

/* The stamp is the thread's first act; pthread_join orders it before the
 * parent's read, so no atomics are needed. */
static void *stamp_thread(void *arg)
{
    *(uint64_t *)arg = now_ns();
    return NULL;
}

static void join(pthread_t t)
{
    int rc = pthread_join(t, NULL);

    if (rc != 0)
        fail("pthread_join", rc);
}

/* One round; returns create+join time, or the create-to-first-instruction
 * latency when spawn is set. */
static uint64_t thread_round(int spawn)
{
    uint64_t stamp = 0;
    pthread_t t;
    uint64_t t0 = now_ns();
    int rc = pthread_create(&t, NULL, spawn ? stamp_thread : empty_thread,
                            &stamp);

    if (rc != 0)
        fail("pthread_create", rc);
    join(t);
    return spawn ? stamp - t0 : now_ns() - t0;
}

static void reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            fail("waitpid", errno);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "cb_rawspawn: child %ld did not exit 0 (status %#x)\n",
                (long)pid, (unsigned)status);
        exit(1);
    }
}

/* The child stamps into the MAP_SHARED page and leaves at once: _exit,
 * not exit, so no atexit handlers or stdio flushing run in it. */
static uint64_t process_round(int spawn, volatile uint64_t *page)
{
    uint64_t t0 = now_ns();
    pid_t pid = fork();

    if (pid < 0)
        fail("fork", errno);
    if (pid == 0) {
        if (spawn)
            *page = now_ns();
        _exit(0);
    }
    reap(pid);
    return spawn ? *page - t0 : now_ns() - t0;
}

static void run(struct series *s, unsigned long warmup, unsigned long count,
                int processes, volatile uint64_t *page)
{
    for (int m = 0; m < NSERIES; m++) {
        for (unsigned long i = 0; i < warmup + count; i++) {
            uint64_t ns = processes ? process_round(m == SPAWN, page)
                                    : thread_round(m == SPAWN);

            if (i >= warmup)
                s->ns[m][i - warmup] = ns;
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Sorts v; returns the pct-th percentile in seconds: nearest rank, except
 * that the median of an even count is the mean of the two middle values. */
static double percentile_s(uint64_t *v, unsigned long n, unsigned pct)
{
    unsigned long rank = (pct * n + 99) / 100;

    qsort(v, n, sizeof *v, cmp_u64);
    if (pct == 50 && n % 2 == 0)
        return ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2e9;
    return (double)v[rank > 0 ? rank - 1 : 0] / 1e9;
}

static void print_model(const char *name, struct series *s, unsigned long n)
{
    double cj = percentile_s(s->ns[CREATE_JOIN], n, 50);
    double p50 = percentile_s(s->ns[SPAWN], n, 50);
    double p90 = percentile_s(s->ns[SPAWN], n, 90);

    printf("\"%s\": {\"create_join_median_s\": %.9g, \"spawn_median_s\": %.9g, "
           "\"spawn_p90_s\": %.9g}", name, cj, p50, p90);
}

static unsigned long parse_count(const char *flag, const char *arg,
                                 unsigned long min)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = arg && *arg != '-' ? strtoul(arg, &end, 10) : 0;
    if (!arg || *arg == '-' || errno || *end || end == arg || v < min ||
        v > MAX_COUNT) {
        fprintf(stderr, "cb_rawspawn: %s needs an integer from %lu to %lu\n",
                flag, min, MAX_COUNT);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv, unsigned long *count,
                       unsigned long *warmup)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--count") == 0) {
            *count = parse_count("--count", argv[++i], 1);
        } else if (strcmp(argv[i], "--warmup") == 0) {
            *warmup = parse_count("--warmup", argv[++i], 0);
        } else {
            fprintf(stderr, "cb_rawspawn: unknown argument '%s'; usage: "
                    "cb_rawspawn [--count N] [--warmup W]\n", argv[i]);
            exit(2);
        }
    }
}

static void alloc_series(struct series *s, unsigned long n)
{
    for (int m = 0; m < NSERIES; m++) {
        s->ns[m] = calloc(n, sizeof *s->ns[m]);
        if (!s->ns[m])
            fail("calloc", errno);
    }
}

static void free_series(struct series *s)
{
    for (int m = 0; m < NSERIES; m++)
        free(s->ns[m]);
}

int main(int argc, char **argv)
{
    unsigned long count = 100;
    unsigned long warmup = 10;
    struct series threads;
    struct series procs;
    size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
    void *page;

    parse_args(argc, argv, &count, &warmup);
    alloc_series(&threads, count);
    alloc_series(&procs, count);
    page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        fail("mmap", errno);
    run(&threads, warmup, count, 0, page);
    run(&procs, warmup, count, 1, page);
    printf("{");
    print_model("threads", &threads, count);
    printf(", ");
    print_model("processes", &procs, count);
    printf(", \"count\": %lu}\n", count);
    if (fflush(stdout) != 0 || ferror(stdout))
        fail("writing stdout", errno);
    free_series(&threads);
    free_series(&procs);
    if (munmap(page, page_size) != 0)
        fail("munmap", errno);
    return 0;
}
