/* cb_rawaddr: the address-space effects behind concbench's fault, malloc
 * and tlb tasks, measured with nothing around them, so the README's
 * explanations rest on figures from this machine and bench/ can set
 * concbench's per-operation costs beside a raw loop of the same calls.
 * Standalone on purpose: it must not share code with what it checks.
 *
 *   cb_rawaddr fault|malloc|tlb [--mode threads|processes|serial] [-n N]
 *              [--iterations K] [--size BYTES] [--threshold BYTES]
 *              [--pages P] [--stride BYTES] [--rounds R]
 *
 * fault:  map --size bytes anonymous (MADV_NOHUGEPAGE), write one byte
 *         per page and read it back, unmap; K times. An operation is a
 *         page fault.
 * malloc: K blocks of 1..--size bytes (xorshift, fixed seed), each
 *         malloc'ed, its first and last byte written and read back,
 *         freed; mmap threshold fixed at --threshold, no top pad, trim
 *         threshold = --threshold (as the task). An operation is one
 *         malloc+write+free.
 * tlb:    one MAP_SHARED|MAP_ANONYMOUS region mapped before the workers
 *         exist; each writes its own P pages (and reads them back) and
 *         releases them with madvise(MADV_DONTNEED), K times (worker i's
 *         pages start at i * --stride, default P pages). An operation is
 *         one release.
 *
 * The accesses are volatile, as in concbench's tasks, so the compiler
 * keeps every one. --mode serial runs the one worker in the main thread
 * (-n 1 only), as concbench's serial mode runs a job in its own thread.
 * Workers wait for each other on a shared counter, then each times its
 * own loop. Prints one JSON line per round: per-operation microseconds
 * (wall and the worker's own CPU time) and minor faults of each worker.
 * Where the time goes: run it under
 * `perf record -e cpu-clock -g` (see README, "Threads and processes on
 * one address space"). */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define PAGE 4096u

enum test { FAULT, MALLOC, TLB };

enum mode { THREADS, PROCESSES, SERIAL };

struct opts {
    enum test test;
    enum mode mode;
    unsigned n, rounds, pages;
    uint64_t iterations, size, threshold, stride;
};

struct shared {
    _Atomic unsigned ready;
    uint64_t ns[MAX_WORKERS];
    uint64_t cpu_ns[MAX_WORKERS];
    uint64_t faults[MAX_WORKERS];
    uint64_t sum[MAX_WORKERS]; /* keeps the writes observable */
};

struct worker {
    const struct opts *o;
    struct shared *sh;
    unsigned char *region; /* tlb: the shared region */
    unsigned id;
};

static void fail(const char *what, int err)
{
    fprintf(stderr, "cb_rawaddr: %s: %s\n", what, strerror(err));
    exit(1);
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t minor_faults(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (uint64_t)ru.ru_minflt;
}

static uint64_t run_fault(const struct opts *o)
{
    uint64_t sum = 0;

    for (uint64_t i = 0; i < o->iterations; i++) {
        volatile unsigned char *m = mmap(NULL, o->size, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (m == MAP_FAILED)
            fail("mmap", errno);
        madvise((void *)m, o->size, MADV_NOHUGEPAGE);
        for (uint64_t off = 0; off < o->size; off += PAGE) {
            m[off] = 1;
            sum += m[off];
        }
        munmap((void *)m, o->size);
    }
    return sum;
}

static uint64_t run_malloc(const struct opts *o)
{
    uint64_t x = 88172645463325252ull, sum = 0;

    for (uint64_t i = 0; i < o->iterations; i++) {
        uint64_t len;
        volatile unsigned char *b;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        len = 1 + x % o->size;
        b = malloc(len);
        if (!b)
            fail("malloc", ENOMEM);
        b[0] = (unsigned char)i;
        b[len - 1] = (unsigned char)i;
        sum += len + b[0] + b[len - 1];
        free((void *)b);
    }
    return sum;
}

static uint64_t run_tlb(const struct opts *o, unsigned char *region, unsigned id)
{
    size_t len = (size_t)o->pages * PAGE;
    volatile unsigned char *mine = region + (size_t)id * o->stride;
    uint64_t sum = 0;

    for (uint64_t i = 0; i < o->iterations; i++) {
        for (size_t off = 0; off < len; off += PAGE) {
            mine[off] = (unsigned char)(i + 1);
            sum += mine[off];
        }
        if (madvise((void *)mine, len, MADV_DONTNEED) != 0)
            fail("madvise", errno);
    }
    return sum;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    const struct opts *o = w->o;
    int who = o->mode == PROCESSES ? RUSAGE_SELF : RUSAGE_THREAD;
    uint64_t t0, c0, f0, sum;

    atomic_fetch_add(&w->sh->ready, 1);
    while (atomic_load(&w->sh->ready) < o->n)
        ;
    f0 = minor_faults(who);
    c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    t0 = now_ns();
    sum = o->test == FAULT ? run_fault(o)
        : o->test == MALLOC ? run_malloc(o) : run_tlb(o, w->region, w->id);
    w->sh->ns[w->id] = now_ns() - t0;
    w->sh->cpu_ns[w->id] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    w->sh->faults[w->id] = minor_faults(who) - f0;
    w->sh->sum[w->id] = sum;
    return NULL;
}

static void start_all(const struct opts *o, struct worker *ws)
{
    pthread_t tids[MAX_WORKERS] = { 0 };
    pid_t pids[MAX_WORKERS] = { 0 };

    if (o->mode == SERIAL) {
        work(&ws[0]);
        return;
    }
    for (unsigned i = 0; i < o->n; i++) {
        if (o->mode == THREADS) {
            int rc = pthread_create(&tids[i], NULL, work, &ws[i]);

            if (rc != 0)
                fail("pthread_create", rc);
            continue;
        }
        pids[i] = fork();
        if (pids[i] < 0)
            fail("fork", errno);
        if (pids[i] == 0) {
            work(&ws[i]);
            _exit(0);
        }
    }
    for (unsigned i = 0; i < o->n; i++) {
        if (o->mode == THREADS)
            pthread_join(tids[i], NULL);
        else
            waitpid(pids[i], NULL, 0);
    }
}

static uint64_t ops(const struct opts *o)
{
    return o->test == FAULT ? o->iterations * ((o->size + PAGE - 1) / PAGE) : o->iterations;
}

static void round_once(const struct opts *o, struct shared *sh, unsigned char *region)
{
    struct worker ws[MAX_WORKERS];

    atomic_store(&sh->ready, 0);
    for (unsigned i = 0; i < MAX_WORKERS; i++)
        ws[i] = (struct worker){ .o = o, .sh = sh, .region = region, .id = i };
    start_all(o, ws);
    printf("{\"per_op_us\": [");
    for (unsigned i = 0; i < o->n; i++)
        printf("%s%.3f", i ? ", " : "", (double)sh->ns[i] / 1e3 / (double)ops(o));
    printf("], \"cpu_per_op_us\": [");
    for (unsigned i = 0; i < o->n; i++)
        printf("%s%.3f", i ? ", " : "", (double)sh->cpu_ns[i] / 1e3 / (double)ops(o));
    printf("], \"faults_per_op\": [");
    for (unsigned i = 0; i < o->n; i++)
        printf("%s%.3f", i ? ", " : "", (double)sh->faults[i] / (double)ops(o));
    printf("]}\n");
}

static uint64_t number(const char *s, const char *flag)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0) {
        fprintf(stderr, "cb_rawaddr: %s: '%s' is not a positive integer\n", flag, s);
        exit(2);
    }
    return v;
}

static enum mode mode_of(const char *v)
{
    if (strcmp(v, "threads") == 0)
        return THREADS;
    if (strcmp(v, "processes") == 0)
        return PROCESSES;
    if (strcmp(v, "serial") == 0)
        return SERIAL;
    fprintf(stderr, "cb_rawaddr: --mode: '%s'; accepted: threads, processes, serial\n", v);
    exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
    if (argc < 2 || (strcmp(argv[1], "fault") && strcmp(argv[1], "malloc") &&
                     strcmp(argv[1], "tlb"))) {
        fprintf(stderr, "usage: cb_rawaddr fault|malloc|tlb [--mode threads|processes|serial] "
                "[-n N] [--iterations K] [--size B] [--threshold B] [--pages P] "
                "[--rounds R]\n");
        exit(2);
    }
    o->test = argv[1][0] == 'f' ? FAULT : argv[1][0] == 'm' ? MALLOC : TLB;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];

        if (strcmp(f, "--mode") == 0)
            o->mode = mode_of(v);
        else if (strcmp(f, "-n") == 0)
            o->n = (unsigned)number(v, f);
        else if (strcmp(f, "--iterations") == 0)
            o->iterations = number(v, f);
        else if (strcmp(f, "--size") == 0)
            o->size = number(v, f);
        else if (strcmp(f, "--threshold") == 0)
            o->threshold = number(v, f);
        else if (strcmp(f, "--pages") == 0)
            o->pages = (unsigned)number(v, f);
        else if (strcmp(f, "--stride") == 0)
            o->stride = number(v, f);
        else if (strcmp(f, "--rounds") == 0)
            o->rounds = (unsigned)number(v, f);
        else {
            fprintf(stderr, "cb_rawaddr: unknown option %s\n", f);
            exit(2);
        }
    }
    if (o->n > MAX_WORKERS) {
        fprintf(stderr, "cb_rawaddr: -n: at most %d\n", MAX_WORKERS);
        exit(2);
    }
    if (o->mode == SERIAL && o->n != 1) {
        fprintf(stderr, "cb_rawaddr: --mode serial: -n must be 1\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct opts o = { .n = 1, .rounds = 5, .pages = 1, .iterations = 0,
                      .size = 0, .threshold = UINT64_C(64) * 1024 };
    struct shared *sh;
    unsigned char *region = NULL;

    parse(argc, argv, &o);
    if (!o.size) /* concbench's defaults */
        o.size = o.test == FAULT ? 128u << 20 : 256u << 10;
    if (!o.iterations)
        o.iterations = o.test == FAULT ? 1 : o.test == MALLOC ? 2000 : 10000;
    /* As concbench's malloc task: every block above the threshold is
     * mmaped, whatever the heap held before (no top pad, trimmed at the
     * threshold). */
    if (o.test == MALLOC && (!mallopt(M_MMAP_THRESHOLD, (int)o.threshold) ||
                             !mallopt(M_TOP_PAD, 0) ||
                             !mallopt(M_TRIM_THRESHOLD, (int)o.threshold)))
        fail("mallopt", EINVAL);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        fail("mmap", errno);
    if (o.stride < (uint64_t)o.pages * PAGE)
        o.stride = (uint64_t)o.pages * PAGE;
    if (o.test == TLB) {
        region = mmap(NULL, (size_t)o.n * o.stride, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (region == MAP_FAILED)
            fail("mmap", errno);
    }
    for (unsigned r = 0; r < o.rounds; r++)
        round_once(&o, sh, region);
    return 0;
}
