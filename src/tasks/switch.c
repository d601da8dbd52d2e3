/* switch: jobs in pairs pass a token back and forth --iterations times
 * (--switch-channel=pipe|futex), each end pinned (--switch-placement:
 * both ends on one CPU, or on two). The counterpart of `perf bench sched
 * pipe [-T]` and lmbench lat_ctx: one operation is a round trip. The
 * pairs' channels are made in setup(), before any unit exists: forked
 * children inherit the pipes and share the MAP_SHARED futex words;
 * threads share both. Threads wait on private futexes, as a
 * process-private pthread mutex does; processes on shared ones. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "concbench/record.h"
#include "concbench/task.h"

/* One pair's channel, on its own cache line. */
struct pair {
    _Alignas(CB_CACHE_LINE) _Atomic uint32_t seq; /* futex: the last token */
    int ping[2];   /* pipe: end 0 writes, end 1 reads */
    int pong[2];   /* pipe: end 1 writes, end 0 reads */
    int cpu[2];    /* where each end runs */
};

struct switch_state {
    uint32_t channel;  /* enum cb_switch_channel */
    uint32_t npairs;
    int futex_flags;   /* FUTEX_PRIVATE_FLAG for threads */
    struct pair *pairs; /* npairs, MAP_SHARED */
    size_t pairs_len;
};

static const char *channel_name(size_t i)
{
    static const char *const names[] = { "pipe", "futex" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static const char *placement_name(size_t i)
{
    static const char *const names[] = { "same", "split" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static const char *const channel_help[] = {
    "two pipes per pair, 8 bytes each way (perf bench sched pipe)",
    "one futex word per pair (private for threads, shared for processes)",
};

static const char *const placement_help[] = {
    "both ends of a pair pinned to one CPU (pair k on CPU k mod n)",
    "the two ends of a pair pinned to two CPUs",
};

static const struct cb_param_desc switch_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = 1000000000u,
      .def = 20000u, .help = "round trips of each pair", .json = CB_JSON_PARAMS },
    { .flag = "switch-channel", .json_name = "switch_channel", .kind = CB_PARAM_CHOICE,
      CB_PARAM_AT(struct cb_params, switch_channel), .def = CB_SWITCH_PIPE,
      .choice = channel_name, .choice_help = channel_help, .noun = "switch channel",
      .metavar = "WAY", .help = "switch: pipe or futex", .json = CB_JSON_BESIDE,
      .distinguishes = true },
    { .flag = "switch-placement", .json_name = "switch_placement", .kind = CB_PARAM_CHOICE,
      CB_PARAM_AT(struct cb_params, switch_placement), .def = CB_PLACE_SAME,
      .choice = placement_name, .choice_help = placement_help, .noun = "placement",
      .metavar = "WHERE", .help = "switch: a pair's ends on the same CPU or split over two",
      .json = CB_JSON_BESIDE, .distinguishes = true },
    { .flag = NULL },
};

static int switch_check_jobs(const struct cb_params *p, uint32_t jobs, struct cb_error *err)
{
    (void)p;
    if (jobs % 2 == 0)
        return 0;
    cb_error_set(err, "-n %" PRIu32 ": the switch task runs jobs in pairs; accepted: an "
                 "even number of jobs (2, 4, ...)", jobs);
    return -1;
}

/* The CPUs this process may use, in *allowed; how many. */
static int usable_cpus(cpu_set_t *allowed)
{
    if (sched_getaffinity(0, sizeof *allowed, allowed) != 0)
        return 0;
    return CPU_COUNT(allowed);
}

/* The i-th CPU of set (from 0; i < its count). No array of CPU_SETSIZE
 * ints: 4 KiB is too much for a small stack. */
static int nth_cpu(const cpu_set_t *set, uint64_t i)
{
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set) && i-- == 0)
            return c;
    return 0;
}

/* Pair k on CPU k mod n (same), or its ends on CPUs 2k and 2k+1 mod n. */
static int place(struct switch_state *s, uint32_t placement, struct cb_error *err)
{
    cpu_set_t allowed;
    int n = usable_cpus(&allowed);

    if (n < 1 || (placement == CB_PLACE_SPLIT && n < 2)) {
        cb_error_set(err, "--switch-placement=%s: %d usable CPU%s; accepted: same%s",
                     placement_name(placement), n, n == 1 ? "" : "s",
                     n < 1 ? " on a machine with a usable CPU" : "");
        return -1;
    }
    for (uint32_t k = 0; k < s->npairs; k++) {
        uint64_t a = placement == CB_PLACE_SPLIT ? 2ull * k : k;
        uint64_t b = placement == CB_PLACE_SPLIT ? a + 1 : a;

        s->pairs[k].cpu[0] = nth_cpu(&allowed, a % (uint64_t)n);
        s->pairs[k].cpu[1] = nth_cpu(&allowed, b % (uint64_t)n);
    }
    return 0;
}

static void close_pipes(struct switch_state *s)
{
    for (uint32_t k = 0; k < s->npairs; k++) {
        struct pair *pr = &s->pairs[k];
        int *ends[] = { &pr->ping[0], &pr->ping[1], &pr->pong[0], &pr->pong[1] };

        for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
            if (*ends[i] >= 0) {
                close(*ends[i]);
                *ends[i] = -1;
            }
    }
}

static int open_pipes(struct switch_state *s, struct cb_error *err)
{
    for (uint32_t k = 0; k < s->npairs; k++)
        s->pairs[k].ping[0] = s->pairs[k].ping[1] = s->pairs[k].pong[0] =
            s->pairs[k].pong[1] = -1;
    for (uint32_t k = 0; s->channel == CB_SWITCH_PIPE && k < s->npairs; k++)
        if (pipe2(s->pairs[k].ping, O_CLOEXEC) != 0 || pipe2(s->pairs[k].pong, O_CLOEXEC) != 0) {
            cb_error_set(err, "switch: cannot make the pipes of pair %" PRIu32 " of %" PRIu32
                         ": %s (each pair needs 4 descriptors: ulimit -n)", k + 1,
                         s->npairs, strerror(errno));
            close_pipes(s);
            return -1;
        }
    return 0;
}

static int switch_setup(void *state, const struct cb_params *p, uint32_t jobs, bool pshared,
                        struct cb_error *err)
{
    struct switch_state *s = state;

    memset(s, 0, sizeof *s);
    s->channel = p->switch_channel;
    s->futex_flags = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    s->npairs = jobs / 2 ? jobs / 2 : 1;
    s->pairs_len = (size_t)s->npairs * sizeof *s->pairs;
    s->pairs = mmap(NULL, s->pairs_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
    if (s->pairs == MAP_FAILED) {
        cb_error_set(err, "switch: cannot map %zu bytes for %" PRIu32 " pairs: %s",
                     s->pairs_len, s->npairs, strerror(errno));
        return -1;
    }
    if (place(s, p->switch_placement, err) == 0 && open_pipes(s, err) == 0)
        return 0;
    munmap(s->pairs, s->pairs_len);
    return -1;
}

static void switch_teardown(void *state)
{
    struct switch_state *s = state;

    close_pipes(s);
    munmap(s->pairs, s->pairs_len);
}

/* Pins this job's end where setup() placed it, outside the timed run. */
static int switch_worker_setup(const struct cb_params *p, void *state, uint32_t job,
                               void **local, struct cb_error *err)
{
    struct switch_state *s = state;
    cpu_set_t one;
    int cpu;

    (void)p;
    (void)local;
    if (!s || job / 2 >= s->npairs)
        return 0;
    cpu = s->pairs[job / 2].cpu[job % 2];
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0)
        return 0;
    cb_error_set(err, "cannot pin job %" PRIu32 " to CPU %d: %s", job, cpu, strerror(errno));
    return -1;
}

/* Waits until the pair's word is no longer old; returns its new value. */
static uint32_t futex_await(struct switch_state *s, _Atomic uint32_t *w, uint32_t old,
                            const struct cb_hooks *h)
{
    uint32_t v = atomic_load_explicit(w, memory_order_acquire);

    if (v != old)
        return v;
    cb_hooks_block_begin(h);
    while ((v = atomic_load_explicit(w, memory_order_acquire)) == old)
        syscall(SYS_futex, w, FUTEX_WAIT | s->futex_flags, old, NULL, NULL, 0);
    cb_hooks_block_end(h);
    return v;
}

static void futex_pass(struct switch_state *s, _Atomic uint32_t *w, uint32_t v)
{
    atomic_store_explicit(w, v, memory_order_release);
    syscall(SYS_futex, w, FUTEX_WAKE | s->futex_flags, 1, NULL, NULL, 0);
}

/* One 8-byte token each way; a short read or write cannot happen on a
 * pipe for 8 bytes, and a failure (never seen) ends the run short. */
static bool pipe_recv(int fd, uint64_t *v, const struct cb_hooks *h)
{
    ssize_t n;

    cb_hooks_block_begin(h);
    do
        n = read(fd, v, sizeof *v);
    while (n < 0 && errno == EINTR);
    cb_hooks_block_end(h);
    return n == (ssize_t)sizeof *v;
}

static bool pipe_send(int fd, uint64_t v)
{
    ssize_t n;

    do
        n = write(fd, &v, sizeof v);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof v;
}

/* Tokens count hops: end 0 sends 2i+1 and gets back 2i+2, end 1 gets
 * 2i+1 and sends 2i+2. Either end adds (token + 1) / 2 = i + 1 for each
 * token it received, so a lost or wrong token shows in its checksum. */
static uint64_t run_pipe(struct pair *pr, bool second, uint64_t n, const struct cb_hooks *h)
{
    uint64_t sum = 0, v = 0;

    for (uint64_t i = 0; i < n; i++) {
        if (!second) {
            if (!pipe_send(pr->ping[1], 2 * i + 1) || !pipe_recv(pr->pong[0], &v, h))
                break;
        } else {
            if (!pipe_recv(pr->ping[0], &v, h) || !pipe_send(pr->pong[1], v + 1))
                break;
        }
        sum += (v + 1) / 2;
    }
    return sum;
}

/* The word holds the last token (below 2^31 + 1 for the accepted
 * --iterations, so it never wraps): end 1 waits for it to leave
 * 2i, end 0 for it to leave 2i+1. */
static uint64_t run_futex(struct switch_state *s, struct pair *pr, bool second, uint64_t n,
                          const struct cb_hooks *h)
{
    uint64_t sum = 0;

    for (uint64_t i = 0; i < n; i++) {
        uint32_t v;

        if (!second) {
            futex_pass(s, &pr->seq, (uint32_t)(2 * i + 1));
            v = futex_await(s, &pr->seq, (uint32_t)(2 * i + 1), h);
        } else {
            v = futex_await(s, &pr->seq, (uint32_t)(2 * i), h);
            futex_pass(s, &pr->seq, v + 1);
        }
        sum += ((uint64_t)v + 1) / 2;
    }
    return sum;
}

static uint64_t switch_run(const struct cb_params *p, void *state, const struct cb_hooks *h)
{
    struct switch_state *s = state;
    uint32_t job = h ? h->job : 0;

    /* Without a pair (a unit test calling run() alone) nothing runs. */
    if (!s || job / 2 >= s->npairs || (h && h->jobs % 2 != 0))
        return 0;
    if (s->channel == CB_SWITCH_FUTEX)
        return run_futex(s, &s->pairs[job / 2], job % 2 != 0, p->iterations, h);
    return run_pipe(&s->pairs[job / 2], job % 2 != 0, p->iterations, h);
}

/* Both ends: 1 + 2 + ... + iterations, mod 2^64. */
static uint64_t switch_expected(const struct cb_params *p)
{
    uint64_t n = p->iterations;

    return n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
}

const struct cb_task cb_task_switch = {
    .name = "switch",
    .description = "jobs in pairs pass a token back and forth --iterations times "
                   "(--switch-channel), pinned by --switch-placement; shows a switch's "
                   "cost, which placement dominates",
    .cpu_bound = false,
    .opt_in = true, /* pairs, pinned: not one of the speed claims */
    .op = "round trip",
    .ops = cb_task_iterations,
    .shares_state = true, /* a dead end leaves its peer waiting */
    .fork_only = true,    /* the pairs' pipes and the pointer to them */
    .all_at_once = true,  /* both ends of a pair must run */
    .params = switch_params,
    .check_jobs = switch_check_jobs,
    .run = switch_run,
    .expected = switch_expected,
    .state_size = sizeof(struct switch_state),
    .setup = switch_setup,
    .teardown = switch_teardown,
    .worker_setup = switch_worker_setup,
};
