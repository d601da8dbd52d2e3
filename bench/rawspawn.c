/* cb_rawspawn: what creating a thread or a process costs with no harness
 * around it, so bench/overhead.sh can show how much concbench adds.
 * Standalone on purpose: it must not share code with what it checks.
 *
 * --gap sleeps before every create, as concbench's samples are preceded
 * by an idle stretch (a cold create costs several times a hot one on a
 * virtual machine); --parent-memory grows the parent's resident set to
 * concbench's, which a fork's page-table copy depends on.
 *
 * --mode spawn: posix_spawn instead of fork, the floor of concbench's
 * --start-method=spawn. Without --exe the child is this binary (argv
 * "--stamp FD": it maps the inherited memfd FD and stamps its first
 * instruction in main); with --exe PATH it is PATH run with the one
 * argument --exe-arg (default "--worker=x", which concbench refuses at
 * the start of main), and its "spawn" is the moment it was reaped: exec,
 * dynamic linking and main's start of that very binary, plus an exit.
 * With --exe PATH --preload SO the child is PATH with SO (cb_stamp.so)
 * preloaded, whose constructor stamps the page (named by CB_STAMP_FD in
 * the child's environment) once the image is loaded and relocated, before
 * PATH's main, and exits: that very binary to its first instruction,
 * timed as concbench's spawn_s is. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw_stamp.h"

#define MAX_COUNT 10000000ul
#define MAX_GAP_NS 10000000000ull        /* 10 s */
#define MAX_PARENT_KIB (64ul * 1024 * 1024) /* 64 GiB */

enum { CREATE_JOIN, SPAWN, CREATION, QUEUE, CALL, NSERIES };

/* How the gap before a create is spent: asleep; spinning in the creating
 * thread; spinning in a thread of its own while the creator waits in
 * pthread_join; spinning in a child process of its own while the creator
 * waits on a pipe (as concbench runs its noise-floor loop); or, with the
 * creator a child process of its own woken by its parent over a pipe,
 * the parent waiting for such a spinning child (as concbench's sample
 * server creates threads after concbench's own floor). */
enum { GAP_IDLE, GAP_BUSY, GAP_BUSY_THREAD, GAP_BUSY_PROCESS, GAP_SERVER };
static const char *const gap_kinds[] = { "idle", "busy", "busy-thread", "busy-process",
                                         "server" };

/* --gap-kind server, in the creating child: its ends of the two pipes. */
static int server_ready = -1, server_go = -1;

struct series {
    uint64_t *ns[NSERIES]; /* one sample per round, per measurement */
};

struct opts {
    unsigned long count, warmup;
    uint64_t gap_ns;
    int gap_kind; /* GAP_IDLE, GAP_BUSY, GAP_BUSY_THREAD, GAP_BUSY_PROCESS, GAP_SERVER */
    int prelude;  /* a child does concbench's start-up calls first */
    unsigned long parent_kib;
    int threads, processes, spawn;
    const char *exe, *exe_arg; /* spawn: the binary, its one argument */
    const char *preload;       /* spawn --exe: the stamping library */
    char **env;                /* spawn: the child's environment */
    int page_fd;               /* spawn: the stamp page's memfd */
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

static void first_instruction(volatile struct stamp *s)
{
    s->first_ns = now_ns();
    s->queue_ns = queue_wait_ns();
}

/* Sleeps ns (0: not at all), through signals. */
static void nap(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

    while (ns && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* --child-life: how long a stamped thread or child stays after its stamp
 * before it ends, as a concbench unit does its job (-t io --sleep). */
static uint64_t child_life_ns;

static void *empty_thread(void *arg)
{
    return arg;
}

/* The stamp is the thread's first act; pthread_join orders it before the
 * parent's read, so no atomics are needed. */
static void *stamp_thread(void *arg)
{
    first_instruction(arg);
    nap(child_life_ns);
    return NULL;
}

static void join(pthread_t t)
{
    int rc = pthread_join(t, NULL);

    if (rc != 0)
        fail("pthread_join", rc);
}

static void reap(pid_t pid);

static void spin_until(uint64_t until)
{
    while (now_ns() < until)
        ;
}

static void *spin_thread(void *arg)
{
    spin_until(*(const uint64_t *)arg);
    return NULL;
}

/* A child that spins until `until`, says so on a pipe and leaves; the
 * caller sleeps in the read, then reaps it. */
static void busy_process(uint64_t until)
{
    int fd[2];
    char c = 0;
    pid_t pid;

    if (pipe2(fd, O_CLOEXEC) != 0)
        fail("pipe (gap)", errno);
    pid = fork();
    if (pid < 0)
        fail("fork (gap)", errno);
    if (pid == 0) {
        spin_until(until);
        _exit(write(fd[1], &c, 1) == 1 ? 0 : 1);
    }
    close(fd[1]);
    while (read(fd[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(fd[0]);
    reap(pid);
}

/* The gap before a create: asleep (every CPU may go idle), spinning here
 * (this thread stays busy while the CPU the last unit ran on goes idle),
 * or spinning in a thread or a process of its own while this one sleeps
 * (a creator that has itself just spun for milliseconds is switched out
 * in the middle of the create call far more often on a busy machine). */
static void gap(uint64_t ns, int kind)
{
    uint64_t until = now_ns() + ns;
    pthread_t t;
    int rc;

    if (kind == GAP_BUSY) {
        spin_until(until);
    } else if (kind == GAP_BUSY_THREAD) {
        rc = pthread_create(&t, NULL, spin_thread, &until);
        if (rc != 0)
            fail("pthread_create (gap)", rc);
        join(t);
    } else if (kind == GAP_BUSY_PROCESS) {
        busy_process(until);
    } else if (kind == GAP_SERVER) {
        char c = 0;

        errno = 0;
        if (write(server_ready, &c, 1) != 1 || read(server_go, &c, 1) != 1)
            fail("the server's pipe", errno ? errno : EPIPE);
    } else {
        nap(ns);
    }
}

/* One round into v[]: create+join time, or (spawn set) create-to-first-
 * instruction, its run-queue wait and the create call's own time. */
static void thread_round(int spawn, uint64_t v[NSERIES])
{
    struct stamp stamp = { 0, 0 };
    pthread_t t;
    uint64_t t0 = now_ns(), t1;
    int rc = pthread_create(&t, NULL, spawn ? stamp_thread : empty_thread, &stamp);

    t1 = now_ns();
    if (rc != 0)
        fail("pthread_create", rc);
    join(t);
    if (!spawn) {
        v[CREATE_JOIN] = now_ns() - t0;
        return;
    }
    v[SPAWN] = stamp.first_ns - t0;
    v[QUEUE] = stamp.queue_ns;
    v[CREATION] = v[SPAWN] > v[QUEUE] ? v[SPAWN] - v[QUEUE] : 0;
    v[CALL] = t1 - t0;
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

/* What concbench's processes executor does in a child right after its
 * first-instruction stamp (src/executors/processes.c, run_child):
 * default dispositions for 12 signals (cb_interrupt_unit_signals), an
 * empty mask, a death signal, a check of the parent. Done here before the
 * stamp, only to measure what it would add to creation if it were counted
 * there (it includes the child's first system call, which costs more than
 * later ones). */
static void child_prelude(pid_t parent)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL,  SIGFPE,  SIGABRT, SIGINT,
                                SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGXFSZ };
    sigset_t none;

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != parent)
        _exit(125);
}

/* The child stamps into the MAP_SHARED page and leaves at once: _exit,
 * not exit, so no atexit handlers or stdio flushing run in it. */
static void process_round(int spawn, int prelude, volatile struct stamp *page,
                          uint64_t v[NSERIES])
{
    pid_t parent = getpid();
    uint64_t t0 = now_ns(), t1;
    pid_t pid = fork();

    if (pid == 0) {
        if (prelude)
            child_prelude(parent);
        if (spawn) {
            first_instruction(page);
            nap(child_life_ns);
        }
        _exit(0);
    }
    t1 = now_ns();
    if (pid < 0)
        fail("fork", errno);
    reap(pid);
    if (!spawn) {
        v[CREATE_JOIN] = now_ns() - t0;
        return;
    }
    v[SPAWN] = page->first_ns - t0;
    v[QUEUE] = page->queue_ns;
    v[CREATION] = v[SPAWN] > v[QUEUE] ? v[SPAWN] - v[QUEUE] : 0;
    v[CALL] = t1 - t0;
}

/* A posix_spawn child: this binary stamping through the memfd, --exe
 * with --preload stamping the same way from the preloaded library's
 * constructor, or --exe refusing its argument (stdout and stderr to
 * /dev/null; its "spawn" ends when it is reaped). */
static void spawn_round(int stamp, const struct opts *o, volatile struct stamp *page,
                        uint64_t v[NSERIES])
{
    char fdarg[32], name[] = "cb_rawspawn", flag[] = "--stamp";
    char *self[] = { name, flag, fdarg, NULL };
    char *other[] = { (char *)o->exe, (char *)o->exe_arg, NULL };
    int stamped = !o->exe || o->preload;
    posix_spawn_file_actions_t fa;
    uint64_t t0, t1;
    pid_t pid;
    int rc;

    snprintf(fdarg, sizeof fdarg, "%d", o->page_fd);
    posix_spawn_file_actions_init(&fa);
    if (!stamped) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    page->first_ns = 0;
    t0 = now_ns();
    rc = posix_spawn(&pid, o->exe ? o->exe : "/proc/self/exe", &fa, NULL,
                     o->exe ? other : self, o->env);
    t1 = now_ns();
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        fail("posix_spawn", rc);
    if (stamped) {
        reap(pid);
        if (!page->first_ns) {
            fprintf(stderr, "cb_rawspawn: the child exited without stamping%s\n",
                    o->preload ? " (is --preload a cb_stamp.so?)" : "");
            exit(1);
        }
    } else {
        int status;

        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                fail("waitpid", errno);
    }
    if (!stamp) {
        v[CREATE_JOIN] = now_ns() - t0;
        return;
    }
    v[SPAWN] = (stamped ? page->first_ns : now_ns()) - t0;
    v[QUEUE] = stamped ? page->queue_ns : 0;
    v[CREATION] = v[SPAWN] > v[QUEUE] ? v[SPAWN] - v[QUEUE] : 0;
    v[CALL] = t1 - t0;
}

static void run(struct series *s, const struct opts *o, int processes,
                volatile struct stamp *page)
{
    for (int m = CREATE_JOIN; m <= SPAWN; m++) {
        for (unsigned long i = 0; i < o->warmup + o->count; i++) {
            uint64_t v[NSERIES] = { 0 };

            gap(o->gap_ns, o->gap_kind);
            if (processes == 2)
                spawn_round(m == SPAWN, o, page, v);
            else if (processes)
                process_round(m == SPAWN, o->prelude, page, v);
            else
                thread_round(m == SPAWN, v);
            if (i < o->warmup)
                continue;
            for (int k = 0; k < NSERIES; k++)
                if (k == CREATE_JOIN ? m == CREATE_JOIN : m == SPAWN)
                    s->ns[k][i - o->warmup] = v[k];
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
    unsigned long mid = n / 2;

    qsort(v, n, sizeof *v, cmp_u64);
    if (pct == 50 && n % 2 == 0)
        return ((double)v[mid - 1] + (double)v[mid]) / 2e9;
    return (double)v[rank > 0 ? rank - 1 : 0] / 1e9;
}

static void print_model(const char *name, struct series *s, unsigned long n)
{
    double cj = percentile_s(s->ns[CREATE_JOIN], n, 50);
    double p50 = percentile_s(s->ns[SPAWN], n, 50);
    double p90 = percentile_s(s->ns[SPAWN], n, 90);

    printf("\"%s\": {\"create_join_median_s\": %.9g, \"spawn_median_s\": %.9g, "
           "\"spawn_p90_s\": %.9g, \"creation_median_s\": %.9g, "
           "\"queue_wait_median_s\": %.9g, \"create_call_median_s\": %.9g}",
           name, cj, p50, p90, percentile_s(s->ns[CREATION], n, 50),
           percentile_s(s->ns[QUEUE], n, 50), percentile_s(s->ns[CALL], n, 50));
}

static _Noreturn void usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "cb_rawspawn: %s%s%s; usage: cb_rawspawn [--count N] [--warmup W] "
            "[--mode threads|processes|both|spawn] [--exe PATH] [--exe-arg ARG] [--preload SO] "
            "[--gap DURATION] [--gap-kind idle|busy|busy-thread|busy-process|server] "
            "[--parent-memory KIB] "
            "[--child-prelude] [--child-life DURATION]\n",
            msg, " ", arg ? arg : "nothing");
    exit(2);
}

static unsigned long parse_count(const char *flag, const char *arg,
                                 unsigned long min, unsigned long max)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = arg && *arg != '-' ? strtoul(arg, &end, 10) : 0;
    if (!arg || *arg == '-' || errno || *end || end == arg || v < min || v > max) {
        fprintf(stderr, "cb_rawspawn: %s needs an integer from %lu to %lu\n",
                flag, min, max);
        exit(2);
    }
    return v;
}

/* "10ms", "500us", "2000ns", "0.01s" or a bare number of microseconds,
 * up to 10 s, for flag (--gap, --child-life). */
static uint64_t parse_gap(const char *flag, const char *arg)
{
    static const struct { const char *suffix; double ns; } units[] = {
        { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e3 },
    };
    static char msg[96];
    char *end = NULL;
    double v = -1;

    if (arg && *arg != '-') {
        errno = 0;
        v = strtod(arg, &end);
        if (errno || end == arg)
            v = -1;
    }
    for (size_t i = 0; v >= 0 && i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].suffix) == 0 && v * units[i].ns <= (double)MAX_GAP_NS)
            return (uint64_t)(v * units[i].ns);
    snprintf(msg, sizeof msg, "%s needs a duration up to 10s such as 10ms, 500us or 0, not",
             flag);
    usage_error(msg, arg);
    return 0;
}

static int parse_gap_kind(const char *arg)
{
    for (int k = GAP_IDLE; k <= GAP_SERVER; k++)
        if (arg && strcmp(arg, gap_kinds[k]) == 0)
            return k;
    usage_error("--gap-kind takes idle, busy, busy-thread, busy-process or server, not", arg);
    return GAP_IDLE;
}

static void parse_mode(struct opts *o, const char *arg)
{
    if (arg && strcmp(arg, "spawn") == 0)
        o->threads = o->processes = 0, o->spawn = 1;
    else if (arg && strcmp(arg, "threads") == 0)
        o->processes = 0;
    else if (arg && strcmp(arg, "processes") == 0)
        o->threads = 0;
    else if (!arg || strcmp(arg, "both") != 0)
        usage_error("--mode takes threads, processes, both or spawn, not", arg);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--child-prelude") == 0) {
            o->prelude = 1;
            continue;
        }
        if (strcmp(argv[i], "--count") == 0)
            o->count = parse_count("--count", val, 1, MAX_COUNT);
        else if (strcmp(argv[i], "--warmup") == 0)
            o->warmup = parse_count("--warmup", val, 0, MAX_COUNT);
        else if (strcmp(argv[i], "--gap") == 0)
            o->gap_ns = parse_gap("--gap", val);
        else if (strcmp(argv[i], "--child-life") == 0)
            child_life_ns = parse_gap("--child-life", val);
        else if (strcmp(argv[i], "--gap-kind") == 0)
            o->gap_kind = parse_gap_kind(val);
        else if (strcmp(argv[i], "--parent-memory") == 0)
            o->parent_kib = parse_count("--parent-memory", val, 0, MAX_PARENT_KIB);
        else if (strcmp(argv[i], "--mode") == 0)
            parse_mode(o, val);
        else if (strcmp(argv[i], "--exe") == 0 && val)
            o->exe = val;
        else if (strcmp(argv[i], "--exe-arg") == 0 && val)
            o->exe_arg = val;
        else if (strcmp(argv[i], "--preload") == 0 && val)
            o->preload = val;
        else
            usage_error("unknown argument", argv[i]);
        i++;
    }
}

/* This process's resident set (VmRSS), KiB; 0 if unreadable. */
static unsigned long rss_kib(void)
{
    char line[128];
    unsigned long kib = 0;
    FILE *f = fopen("/proc/self/status", "re");

    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* Grows the resident set to about kib with private, written pages (what
 * a fork copies page tables for). Returns the block (kept to the end). */
static void *grow_rss(unsigned long kib)
{
    unsigned long have = rss_kib();
    size_t bytes = kib > have ? (size_t)(kib - have) * 1024 : 0;
    long page = sysconf(_SC_PAGESIZE);
    char *p;

    if (!bytes)
        return NULL;
    p = malloc(bytes);
    if (!p)
        fail("malloc for --parent-memory", ENOMEM);
    for (size_t i = 0; i < bytes; i += (size_t)page)
        p[i] = 1;
    return p;
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

/* The spawned children's environment: ours, plus with --preload the
 * library (an absolute path, as the dynamic linker wants) and the stamp
 * page's descriptor. Kept to the end. */
static char **child_env(const struct opts *o)
{
    extern char **environ;
    static char preload[4096 + 16], fd[32];
    size_t n = 0;
    char **env;

    if (!o->preload)
        return environ;
    if (o->preload[0] != '/' || strlen(o->preload) > 4096)
        usage_error("--preload needs an absolute path to cb_stamp.so, not", o->preload);
    while (environ[n])
        n++;
    env = calloc(n + 3, sizeof *env);
    if (!env)
        fail("calloc", errno);
    n = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "CB_STAMP_FD=", 12) != 0)
            env[n++] = *e;
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", o->preload);
    snprintf(fd, sizeof fd, "CB_STAMP_FD=%d", o->page_fd);
    env[n++] = preload;
    env[n] = fd;
    return env;
}

/* A spawned child (--mode spawn without --exe): stamp and leave. */
static _Noreturn void stamp_child(const char *fdarg)
{
    uint64_t t = now_ns();
    long fd = fdarg ? strtol(fdarg, NULL, 10) : -1;
    volatile struct stamp *page = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE),
                                       PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);

    if (page == MAP_FAILED)
        _exit(1);
    page->queue_ns = queue_wait_ns();
    page->first_ns = t;
    _exit(0);
}

/* --gap-kind server: the measuring goes on in a child (it returns here
 * and carries on, printing the results); this parent spends each gap
 * waiting for a spinning child of its own, then wakes the creator, and
 * ends with it. Returns only in the child. */
static void become_server(uint64_t gap_ns)
{
    int ready[2], go[2];
    char c = 0;
    pid_t pid;

    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0)
        fail("pipe (server)", errno);
    pid = fork();
    if (pid < 0)
        fail("fork (server)", errno);
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        server_ready = ready[1];
        server_go = go[0];
        return;
    }
    close(ready[1]);
    close(go[0]);
    while (read(ready[0], &c, 1) == 1) {
        busy_process(now_ns() + gap_ns);
        if (write(go[1], &c, 1) != 1)
            fail("the server's pipe", errno);
    }
    reap(pid);
    exit(0);
}

int main(int argc, char **argv)
{
    struct opts o = { .count = 100, .warmup = 10, .threads = 1, .processes = 1,
                      .exe_arg = "--worker=x", .page_fd = -1 };
    struct series threads;
    struct series procs;
    size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
    void *page, *ballast;

    if (argc == 3 && strcmp(argv[1], "--stamp") == 0)
        stamp_child(argv[2]);
    parse_args(argc, argv, &o);
    alloc_series(&threads, o.count);
    alloc_series(&procs, o.count);
    /* A memfd (inherited, not close-on-exec) that a spawned child maps. */
    o.page_fd = memfd_create("cb_rawspawn", 0);
    if (o.page_fd < 0 || ftruncate(o.page_fd, (off_t)page_size) != 0)
        fail("memfd_create", errno);
    page = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, o.page_fd, 0);
    if (page == MAP_FAILED)
        fail("mmap", errno);
    if (o.preload && !o.exe)
        usage_error("--preload needs --exe PATH (the binary it is preloaded into), not", "nothing");
    o.env = child_env(&o);
    ballast = grow_rss(o.parent_kib);
    if (o.gap_kind == GAP_SERVER)
        become_server(o.gap_ns);
    if (o.threads)
        run(&threads, &o, 0, page);
    if (o.processes || o.spawn)
        run(&procs, &o, o.spawn ? 2 : 1, page);
    printf("{");
    if (o.threads)
        print_model("threads", &threads, o.count);
    if (o.threads && o.processes)
        printf(", ");
    if (o.processes || o.spawn)
        print_model(o.spawn ? "spawn" : "processes", &procs, o.count);
    printf(", \"count\": %lu, \"gap_s\": %.9g, \"gap_kind\": \"%s\", "
           "\"child_life_s\": %.9g, \"child_prelude\": %s, \"parent_rss_kib\": %lu}\n",
           o.count, (double)o.gap_ns / 1e9, gap_kinds[o.gap_kind],
           (double)child_life_ns / 1e9, o.prelude ? "true" : "false", rss_kib());
    if (fflush(stdout) != 0 || ferror(stdout))
        fail("writing stdout", errno);
    free(ballast);
    free_series(&threads);
    free_series(&procs);
    if (o.preload)
        free(o.env);
    if (munmap(page, page_size) != 0)
        fail("munmap", errno);
    return 0;
}
