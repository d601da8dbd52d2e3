/* processes: one forked child per job, fork / waitpid. Records come back
 * through the driver's MAP_SHARED mapping; the child _exits. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/executor.h"
#include "concbench/interrupt.h"
#include "concbench/shared.h"
#include "concbench/worker.h"
#include "unit_kinds.h"

/* The pids this sample started, so that another child of concbench's
 * (the sample server) ending is not taken for one of its units. Written
 * after each fork: memory the children never touch (cb_shared_parent_alloc),
 * pids following. */
struct proc_set {
    uint32_t n, cap;
    pid_t parent; /* read at open: no system call inside the timed create */
    pid_t pids[];
};

static size_t proc_set_size(uint32_t cap)
{
    return sizeof(struct proc_set) + (cap ? cap : 1) * sizeof(pid_t);
}

/* The child: its first instruction of its own (before it makes a system
 * call or writes to a page it shares with the parent: stamped as a raw
 * fork's child would be), then the harness's set-up, which the worker
 * records as waiting, never as creation or task time, then the unit. */
static _Noreturn void run_child(pid_t parent, cb_unit_fn fn, void *arg)
{
    cb_worker_mark_first();
    /* A handler it inherited (the parent's SIGINT cleanup, a test
     * framework's SIGSEGV catcher) must not run in the worker. */
    cb_interrupt_unit_defaults();
    /* A child must not outlive a killed parent and run on as an orphan. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != parent)
        _exit(125);
    fn(arg);
    _exit(0);
}

int cb_processes_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    struct proc_set *s = x->priv;
    pid_t parent = s ? s->parent : getpid();
    pid_t pid;
    uint64_t end;

    if (x->spawn) {
        int rc = x->spawn(arg, &pid);

        end = cb_clock_now_ns();
        if (rc != 0) {
            u->pid = 0;
            return rc;
        }
    } else {
        pid = fork();
        if (pid == 0)
            run_child(parent, fn, arg);
        end = cb_clock_now_ns();
    }
    /* Stamped before any write: a write to a page the fork made
     * copy-on-write (the stack's) is a fault, 2-6 us here, the parent's
     * bookkeeping, not the creation. */
    u->call_end_ns = end;
    if (pid < 0) {
        u->pid = 0;
        return errno;
    }
    u->pid = pid;
    if (s && s->n < s->cap)
        s->pids[s->n++] = pid;
    return 0;
}

/* The deadline is kept by the driver's watchdog, which kills every tracked
 * child when it passes: waitpid always returns. */
int cb_processes_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                          struct cb_unit_end *end)
{
    int status = 0;
    pid_t r;

    (void)x;
    (void)deadline_ns;
    memset(end, 0, sizeof *end);
    do
        r = waitpid(u->pid, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r != u->pid)
        return 0;
    if (WIFSIGNALED(status)) {
        end->signaled = true;
        end->code = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        end->exited = true;
        end->code = WEXITSTATUS(status);
    }
    u->pid = 0;
    return 0;
}

int cb_processes_kill(struct cb_exec *x, struct cb_unit *u)
{
    (void)x;
    if (u->pid > 0)
        kill(u->pid, SIGKILL);
    return 0;
}

/* Opens the set of pids this sample will start (at most units). */
int cb_processes_open(struct cb_exec *x, uint32_t units, struct cb_error *err)
{
    struct proc_set *s = cb_shared_parent_alloc(proc_set_size(units));

    if (!s) {
        cb_error_set(err, "out of memory for %u processes", units);
        return -1;
    }
    s->cap = units;
    s->parent = getpid();
    x->priv = s;
    return 0;
}

void cb_processes_close(struct cb_exec *x)
{
    struct proc_set *s = x->priv;

    if (s)
        cb_shared_parent_free(s, proc_set_size(s->cap));
    x->priv = NULL;
}

/* Whether child pid has ended; WNOWAIT leaves it to be reaped. */
static bool pid_ended(pid_t pid)
{
    siginfo_t info;

    memset(&info, 0, sizeof info);
    if (pid <= 0 || waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return false;
    return info.si_pid == pid;
}

bool cb_processes_any_ended(struct cb_exec *x)
{
    const struct proc_set *s = x->priv;
    siginfo_t info;

    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
        return false;
    if (!s)
        return true;
    /* The one waitid names may be another child of concbench's (the
     * sample server) while a unit has ended too: ask for each unit. */
    for (uint32_t i = 0; i < s->n; i++)
        if (s->pids[i] == info.si_pid || pid_ended(s->pids[i]))
            return true;
    return false;
}

bool cb_processes_ended(struct cb_exec *x, const struct cb_unit *u)
{
    (void)x;
    return pid_ended(u->pid);
}

const struct cb_executor cb_executor_processes = {
    .name = "processes",
    .description = "one forked child process per worker (fork/waitpid)",
    .order = 2,
    .contrast = "threads",
    CB_PROCESS_UNITS,
};
