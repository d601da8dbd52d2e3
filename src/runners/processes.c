/* processes: one forked child per worker, fork / waitpid. Records come
 * back through the MAP_SHARED mapping; the child _exits. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/interrupt.h"
#include "concbench/runner.h"
#include "concbench/worker.h"

/* A child starts from the parent's signal dispositions; a handler it
 * inherited (the parent's SIGINT cleanup, a test framework's SIGSEGV
 * catcher) must not run in the worker: a crash must kill it. */
static void child_default_signals(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
                                SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
    sigset_t none;

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static _Noreturn void child_main(const struct cb_run_spec *spec, struct cb_gate *gate,
                                 uint32_t i, pid_t parent)
{
    struct cb_worker_args a = {
        spec->task, spec->params, spec->hooks, gate,
        &spec->shared->rec[i], CB_SCOPE_PROCESS,
    };

    /* A child must not outlive a killed parent and run on as an orphan. */
    child_default_signals();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != parent)
        _exit(125);
    if (gate)
        cb_gate_child(gate);
    cb_worker_run(&a);
    _exit(0);
}

/* The gate-wait stops early if a child has already died (it will never
 * arrive). WNOWAIT leaves it to be reaped with the others. */
static bool children_alive(void *arg)
{
    siginfo_t info;

    (void)arg;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return true;
    return info.si_pid == 0;
}

static void record_exit(struct cb_worker_record *rec, int status)
{
    if (WIFSIGNALED(status)) {
        rec->status = CB_WORKER_CRASHED;
        rec->detail = WTERMSIG(status);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        rec->status = CB_WORKER_EXITED;
        rec->detail = WEXITSTATUS(status);
    } else if (!atomic_load(&rec->done)) {
        rec->status = CB_WORKER_PENDING;
    }
}

/* Zeroes each pid once reaped, so an interrupt never kills a reused pid. */
static void reap_all(const struct cb_run_spec *spec, pid_t *pids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int status = 0;
        pid_t r;

        do
            r = waitpid(pids[i], &status, 0);
        while (r < 0 && errno == EINTR);
        if (r == pids[i])
            record_exit(&spec->shared->rec[i], status);
        pids[i] = 0;
    }
}

/* Forks the workers; returns how many were created, and on failure the
 * fork errno in *rc. */
static uint32_t fork_all(const struct cb_run_spec *spec, struct cb_gate *gate,
                         pid_t *pids, int *rc)
{
    pid_t parent = getpid();
    uint32_t i;

    *rc = 0;
    for (i = 0; i < spec->workers; i++) {
        spec->shared->rec[i].create_ns = cb_clock_now_ns();
        pids[i] = fork();
        if (pids[i] == 0)
            child_main(spec, gate, i, parent);
        if (pids[i] < 0) {
            *rc = errno;
            break;
        }
        cb_interrupt_track_count(i + 1);
    }
    return i;
}

static void fail_message(const struct cb_run_spec *spec, const pid_t *pids,
                         uint32_t started, int rc, struct cb_error *err)
{
    const char *name = cb_errno_name(rc);

    (void)pids;
    for (uint32_t i = started; i < spec->workers; i++)
        spec->shared->rec[i].status = CB_WORKER_NOT_STARTED;
    cb_error_set(err, "fork failed for worker %u of %u: %s%s%s%s; the %u started "
                 "were killed and reaped%s", started + 1, spec->workers,
                 strerror(rc), name ? " (" : "", name ? name : "", name ? ")" : "",
                 started, rc == EAGAIN ? " (process limit: ulimit -u, "
                 "/proc/sys/kernel/pid_max or a pids cgroup)" : "");
}

static int processes_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                         struct cb_error *err)
{
    pid_t *pids = calloc(spec->workers, sizeof *pids);
    struct cb_gate gate, *gp = NULL;
    int rc = 0, ret = -1;

    if (!pids) {
        cb_error_set(err, "out of memory for %u processes", spec->workers);
        goto out;
    }
    if (spec->start == CB_START_BARRIER) {
        if (cb_gate_open(&gate, spec->shared, err) != 0)
            goto out;
        gp = &gate;
    }
    cb_interrupt_track(pids, 0);
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    t->started = fork_all(spec, gp, pids, &rc);
    if (rc != 0) {
        for (uint32_t i = 0; i < t->started; i++)
            kill(pids[i], SIGKILL);
    } else if (gp) {
        cb_gate_wait_ready(gp, t->started, children_alive, NULL);
    }
    t->ready_ns = cb_clock_now_ns();
    if (gp) {
        t->release_ns = cb_clock_now_ns();
        cb_gate_release(gp, rc != 0);
    }
    reap_all(spec, pids, t->started);
    t->t1_ns = cb_clock_now_ns();
    cb_interrupt_track(NULL, 0);
    if (rc != 0)
        fail_message(spec, pids, t->started, rc, err);
    else
        ret = 0;
out:
    if (gp)
        cb_gate_close(gp);
    free(pids);
    return ret;
}

const struct cb_runner cb_runner_processes = {
    .name = "processes",
    .description = "one forked child process per worker (fork/waitpid)",
    .run = processes_run,
};
