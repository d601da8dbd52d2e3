#include "concbench/floor.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/fdio.h"
#include "concbench/interrupt.h"

/* The same loop as the cpu task's, with nothing around it. */
static uint64_t bare_loop(uint64_t steps)
{
    uint64_t count = 0;

    for (uint64_t i = 0; i < steps; i++) {
        count++;
        __asm__ volatile("" : "+r"(count));
    }
    return count;
}

/* This thread's CPU time in ns; 0 when the clock cannot be read. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * CB_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* The loop's wall time in ns; its CPU time into *cpu_ns when cpu_ns is
 * not NULL (0 when the CPU clock cannot be read). */
static uint64_t time_loop(uint64_t steps, uint64_t *cpu_ns)
{
    uint64_t c0 = cpu_ns ? thread_cpu_ns() : 0, t0 = cb_clock_now_ns(), t1;

    if (bare_loop(steps) != steps)
        return 0;
    t1 = cb_clock_now_ns();
    if (cpu_ns) {
        uint64_t c1 = thread_cpu_ns();

        *cpu_ns = c0 && c1 > c0 ? c1 - c0 : 0;
    }
    return t1 - t0;
}

struct loop_run {
    uint64_t steps, ns, cpu_ns;
};

static void *loop_main(void *arg)
{
    struct loop_run *l = arg;

    l->ns = time_loop(l->steps, &l->cpu_ns);
    return NULL;
}

/* The loop in a thread of this process while the caller sleeps in the
 * join: the fallback when no process can be made. */
static uint64_t time_loop_apart(uint64_t steps, uint64_t *cpu_ns)
{
    struct loop_run l = { steps, 0, 0 };
    pthread_t t;

    if (pthread_create(&t, NULL, loop_main, &l) != 0)
        return time_loop(steps, cpu_ns);
    pthread_join(t, NULL);
    if (cpu_ns)
        *cpu_ns = l.cpu_ns;
    return l.ns;
}

/* The forked loop: it times itself and writes the reading to wfd. */
static _Noreturn void loop_child(int wfd, uint64_t steps)
{
    struct loop_run l = { steps, 0, 0 };

    l.ns = time_loop(steps, &l.cpu_ns);
    _exit(cb_fd_write(wfd, &l, sizeof l) == sizeof l ? 0 : 1);
}

/* The loop in a child process of its own while the caller sleeps on a
 * pipe. Not in the caller's thread: the thread that creates the next
 * sample's units must not be the one that just ran a CPU-bound loop for
 * milliseconds, which a busy machine's scheduler then took off its CPU
 * in the middle of the create call. Not in a thread of this process
 * either: the CPU that ran it would go idle still holding this address
 * space, and the next fork's TLB flush would then wait for that idle
 * virtual CPU to wake (traced here with ftrace's tlb_flush and
 * ipi_send_cpu: 23-40 us of the fork call). Falls back to a thread when
 * no process can be made or the child ended without a reading. */
static uint64_t time_loop_elsewhere(uint64_t steps, uint64_t *cpu_ns)
{
    struct loop_run l = { steps, 0, 0 };
    size_t got;
    pid_t pid;
    int fd[2];

    if (pipe2(fd, O_CLOEXEC) != 0)
        return time_loop_apart(steps, cpu_ns);
    pid = cb_interrupt_fork_helper();
    if (pid == 0) {
        close(fd[0]);
        loop_child(fd[1], steps);
    }
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        return time_loop_apart(steps, cpu_ns);
    }
    got = cb_fd_read(fd[0], &l, sizeof l);
    close(fd[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    /* A child killed before its reading (not by our Ctrl-C, which ends
     * this process too): the loop once more, here. */
    if (got != sizeof l)
        return time_loop_apart(steps, cpu_ns);
    if (cpu_ns)
        *cpu_ns = l.cpu_ns;
    return l.ns;
}

/* The loop's steps that last about target_ns as timed by timer: doubled
 * until a trial lasts 2 ms (or the target), then scaled, so the trials
 * are short and do not delay the caller. by_cpu: the trials' CPU time
 * instead of their wall time (where the clock reads), so that a trial
 * taken off its CPU does not shrink the loop. At least 1. */
static uint64_t size_loop(uint64_t target_ns, uint64_t (*timer)(uint64_t, uint64_t *),
                          bool by_cpu)
{
    uint64_t steps = 1u << 16, ns = 0;

    for (int i = 0; i < 40; i++) {
        uint64_t cpu = 0;

        ns = timer(steps, by_cpu ? &cpu : NULL);
        ns = cpu ? cpu : ns;
        if (ns >= 2000000u || ns >= target_ns)
            break;
        steps *= 2;
    }
    if (ns > 0)
        steps = (uint64_t)((double)steps * (double)target_ns / (double)ns);
    return steps ? steps : 1;
}

void cb_floor_calibrate(struct cb_floor *f, uint64_t target_ns)
{
    f->steps = size_loop(target_ns, time_loop_elsewhere, false);
    f->target_ns = target_ns;
}

int cb_floor_probe(uint64_t window_ns, uint64_t try_ns, struct cb_stats *s)
{
    double *v = malloc(CB_FLOOR_PROBE_MAX * sizeof *v);
    uint64_t steps, t0;
    size_t n = 0;
    int rc;

    memset(s, 0, sizeof *s);
    if (!v)
        return -1;
    steps = size_loop(try_ns, time_loop, true);
    t0 = cb_clock_now_ns();
    /* At least 3 tries, whatever the window; never more than fit. */
    for (size_t i = 0; i < CB_FLOOR_PROBE_MAX && (i < 3 || cb_clock_now_ns() - t0 < window_ns);
         i++) {
        uint64_t ns = time_loop(steps, NULL);

        if (ns)
            v[n++] = cb_clock_ns_to_s(ns);
    }
    rc = n ? cb_stats_compute(v, n, s) : -1;
    free(v);
    return rc;
}

int cb_floor_round(struct cb_floor *f, uint64_t *ns, uint64_t *cpu_ns,
                   struct cb_error *err)
{
    *ns = *cpu_ns = 0;
    if (!f->steps)
        return 0;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        double *v = realloc(f->wall_s, cap * sizeof *v);

        if (!v) {
            cb_error_set(err, "out of memory for the noise floor");
            return -1;
        }
        f->wall_s = v;
        f->cap = cap;
    }
    *ns = time_loop_elsewhere(f->steps, cpu_ns);
    if (*ns)
        f->wall_s[f->n++] = cb_clock_ns_to_s(*ns);
    return 0;
}

int cb_floor_finish(struct cb_floor *f, struct cb_error *err)
{
    memset(&f->stats, 0, sizeof f->stats);
    if (f->n == 0)
        return 0;
    if (cb_stats_compute(f->wall_s, f->n, &f->stats) != 0) {
        cb_error_set(err, "out of memory for the noise floor's statistics");
        return -1;
    }
    return 0;
}

void cb_floor_free(struct cb_floor *f)
{
    free(f->wall_s);
    memset(f, 0, sizeof *f);
}

bool cb_floor_warning(const struct cb_floor *f, char *buf, size_t len)
{
    if (f->stats.n < 2 || f->stats.cv <= CB_FLOOR_CV_WARN)
        return false;
    snprintf(buf, len, "noise floor: a bare loop as long as the median job varied by CV "
             "%.1f%% over %zu rounds; changes below about that size cannot be told from "
             "this machine's own noise (compare's default --threshold is %.0f%%): run "
             "more repetitions or on a quieter machine", f->stats.cv * 100, f->stats.n,
             CB_FLOOR_CV_WARN * 100);
    return true;
}

bool cb_floor_line(const struct cb_floor *f, char *buf, size_t len)
{
    if (f->stats.n == 0)
        return false;
    snprintf(buf, len, "noise floor: bare loop of %llu steps, median %.3g ms, CV %.1f%% "
             "over %zu rounds", (unsigned long long)f->steps, f->stats.median * 1e3,
             f->stats.cv * 100, f->stats.n);
    return true;
}
