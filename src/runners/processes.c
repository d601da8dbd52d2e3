/* processes: one forked child per worker, fork / waitpid. Records come
 * back through the MAP_SHARED mapping; the child _exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/interrupt.h"
#include "concbench/runner.h"
#include "concbench/worker.h"
#include "runner_internal.h"

/* What every child of one run shares besides the records. */
struct proc_run {
    struct cb_gate *gate;    /* NULL: immediate */
    struct cb_gate hold;
    int *rfds;               /* pipe transport: parent's read ends */
    unsigned char *slots;    /* workers x payload bytes where payloads land:
                                shm: shared with the children; pipe: the
                                parent's alone (not inherited) */
    size_t slots_len;
    bool shm;
};

/* A child starts from the parent's signal dispositions; a handler it
 * inherited (the parent's SIGINT cleanup, a test framework's SIGSEGV
 * catcher) must not run in the worker: a crash must kill it. */
static void child_default_signals(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
                                SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
                                SIGALRM };
    sigset_t none;

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Each child runs under its own, uncontended lock: a process has its own
 * interpreter, and so its own GIL. */
static _Noreturn void child_main(const struct cb_run_spec *spec, struct proc_run *pr,
                                 uint32_t i, int wfd, pid_t parent)
{
    struct cb_worker_args a = cb_runner_args(spec, i, CB_SCOPE_PROCESS);
    const struct cb_run_opts *o = cb_runner_opts(spec);
    struct cb_gil gil;

    /* A child must not outlive a killed parent and run on as an orphan. */
    child_default_signals();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != parent)
        _exit(125);
    if (pr->gate)
        cb_gate_child(pr->gate);
    cb_gate_child(&pr->hold);
    a.gate = pr->gate;
    a.hold = &pr->hold;
    if (o->gil && cb_gil_init(&gil, o->switch_ns, NULL) == 0)
        a.gil = &gil;
    if (a.payload.size) {
        a.payload.way = pr->shm ? CB_PAYLOAD_SHM : CB_PAYLOAD_PIPE;
        a.payload.fd = wfd;
        a.payload.slot = pr->shm ? pr->slots + (size_t)i * a.payload.size : NULL;
    }
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
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
        cb_interrupt_deadline_passed()) {
        rec->status = CB_WORKER_TIMEOUT; /* killed by the --timeout watchdog */
        rec->detail = SIGKILL;
    } else if (WIFSIGNALED(status)) {
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

/* The pipe for worker i's payload, made just before its fork so that
 * no other child inherits its write end (EOF must mean "i is gone"). */
static int payload_pipe(struct proc_run *pr, uint32_t i, int *wfd)
{
    int fds[2];

    *wfd = -1;
    if (!pr->rfds)
        return 0;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pr->rfds[i] = fds[0];
    *wfd = fds[1];
    return 0;
}

/* Forks the workers; returns how many were created, and on failure the
 * errno in *rc. */
static uint32_t fork_all(const struct cb_run_spec *spec, struct proc_run *pr,
                         pid_t *pids, int *rc)
{
    pid_t parent = getpid();
    uint32_t i;
    int wfd;

    *rc = 0;
    for (i = 0; i < spec->workers; i++) {
        if (payload_pipe(pr, i, &wfd) != 0) {
            *rc = errno;
            break;
        }
        /* An interrupt between fork() and tracking the pid would leave
         * that child unkilled: hold signals over both (the child clears
         * its mask). */
        cb_interrupt_defer(true);
        spec->shared->rec[i].create_ns = cb_clock_now_ns();
        pids[i] = fork();
        if (pids[i] == 0)
            child_main(spec, pr, i, wfd, parent);
        *rc = pids[i] < 0 ? errno : 0;
        if (pids[i] > 0)
            cb_interrupt_track_count(i + 1);
        cb_interrupt_defer(false);
        if (wfd >= 0)
            close(wfd);
        if (*rc != 0)
            break;
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
                 started, cb_runner_limit_hint(rc, false));
}

/* Reads every pipe in worker order, as one consumer drains a queue. */
static void receive_payloads(const struct cb_run_spec *spec, struct proc_run *pr,
                             uint32_t n)
{
    uint64_t size = cb_runner_opts(spec)->payload;

    for (uint32_t i = 0; pr->rfds && i < n; i++)
        cb_payload_receive(pr->rfds[i], pr->slots + (size_t)i * size, size,
                           &spec->shared->rec[i]);
}

/* After the timed run, as for threads: every payload is in its slot. */
static void check_slots(const struct cb_run_spec *spec, struct proc_run *pr, uint32_t n)
{
    uint64_t size = cb_runner_opts(spec)->payload;

    for (uint32_t i = 0; pr->slots && i < n; i++)
        cb_payload_verify(pr->slots + (size_t)i * size, size, i, &spec->shared->rec[i]);
}

static int run_children(const struct cb_run_spec *spec, struct proc_run *pr,
                        pid_t *pids, struct cb_run_times *t)
{
    int rc = 0;

    cb_interrupt_track(pids, 0);
    cb_runner_baseline(t);
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    if (cb_runner_opts(spec)->timeout_ns)
        cb_interrupt_deadline(cb_runner_opts(spec)->timeout_ns);
    t->started = fork_all(spec, pr, pids, &rc);
    if (rc != 0) {
        for (uint32_t i = 0; i < t->started; i++)
            kill(pids[i], SIGKILL);
    } else if (pr->gate) {
        cb_gate_wait_ready(pr->gate, t->started, children_alive, NULL);
    }
    t->ready_ns = cb_clock_now_ns();
    if (pr->gate) {
        t->release_ns = cb_clock_now_ns();
        cb_gate_release(pr->gate, rc != 0);
    }
    /* Workers are held, and measured, before they send their payloads. */
    cb_runner_hold(&pr->hold, rc == 0 ? t->started : 0, pids, children_alive, t);
    if (rc == 0)
        receive_payloads(spec, pr, t->started);
    reap_all(spec, pids, t->started);
    t->t1_ns = cb_clock_now_ns();
    if (cb_runner_opts(spec)->timeout_ns)
        cb_interrupt_deadline(0);
    cb_interrupt_track(NULL, 0);
    if (rc == 0)
        check_slots(spec, pr, t->started);
    return rc;
}

/* Maps the slots the payloads land in, one per worker, and writes every
 * page before the run, so the parent's side of a hand-off is never the
 * first touch of fresh memory (which on some virtual machines costs more
 * than the copy). The pipe transport's slots stay with the parent
 * (MADV_DONTFORK), so its writes into them are not copy-on-write faults.
 * A child's first write to its shared slot still faults on every page:
 * that is part of what shared memory costs, and handoff_faults counts it. */
static int payload_setup(const struct cb_run_spec *spec, struct proc_run *pr,
                         struct cb_error *err)
{
    const struct cb_run_opts *o = cb_runner_opts(spec);

    if (o->payload == 0)
        return 0;
    pr->shm = o->transport == CB_TRANSPORT_SHM;
    pr->slots_len = (size_t)o->payload * spec->workers;
    pr->slots = mmap(NULL, pr->slots_len, PROT_READ | PROT_WRITE,
                     (pr->shm ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (pr->slots == MAP_FAILED ||
        (!pr->shm && madvise(pr->slots, pr->slots_len, MADV_DONTFORK) != 0)) {
        cb_error_set(err, "cannot map %zu bytes for %u payloads: %s", pr->slots_len,
                     spec->workers, strerror(errno));
        if (pr->slots == MAP_FAILED)
            pr->slots = NULL;
        return -1;
    }
    memset(pr->slots, 0xa5, pr->slots_len);
    if (pr->shm)
        return 0;
    pr->rfds = malloc(spec->workers * sizeof *pr->rfds);
    if (!pr->rfds) {
        cb_error_set(err, "out of memory for %u payload pipes", spec->workers);
        return -1;
    }
    for (uint32_t i = 0; i < spec->workers; i++)
        pr->rfds[i] = -1;
    return 0;
}

static void payload_cleanup(const struct cb_run_spec *spec, struct proc_run *pr)
{
    if (pr->slots)
        munmap(pr->slots, pr->slots_len);
    for (uint32_t i = 0; pr->rfds && i < spec->workers; i++)
        if (pr->rfds[i] >= 0)
            close(pr->rfds[i]);
    free(pr->rfds);
}

static int processes_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                         struct cb_error *err)
{
    pid_t *pids = calloc(spec->workers, sizeof *pids);
    struct proc_run pr = { NULL, { -1, -1, NULL, NULL }, NULL, NULL, 0, false };
    struct cb_gate gate;
    int rc = 0, ret = -1;

    if (!pids) {
        cb_error_set(err, "out of memory for %u processes", spec->workers);
        goto out;
    }
    if (payload_setup(spec, &pr, err) != 0 ||
        cb_gate_open_hold(&pr.hold, spec->shared, err) != 0)
        goto out;
    if (spec->start == CB_START_BARRIER) {
        if (cb_gate_open(&gate, spec->shared, err) != 0)
            goto out;
        pr.gate = &gate;
    }
    rc = run_children(spec, &pr, pids, t);
    if (rc != 0)
        fail_message(spec, pids, t->started, rc, err);
    else
        ret = 0;
out:
    if (pr.gate)
        cb_gate_close(pr.gate);
    cb_gate_close(&pr.hold);
    payload_cleanup(spec, &pr);
    free(pids);
    return ret;
}

const struct cb_runner cb_runner_processes = {
    .name = "processes",
    .description = "one forked child process per worker (fork/waitpid)",
    .separate_memory = true,
    .run = processes_run,
};
