/* processes: one forked child per job, fork / waitpid. Records come back
 * through the driver's MAP_SHARED mapping; the child _exits. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/executor.h"
#include "unit_kinds.h"

/* The pids this sample started, so that another child of concbench's
 * (the sample server) ending is not taken for one of its units. */
struct proc_set {
    pid_t *pids;
    uint32_t n, cap;
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

int cb_processes_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    pid_t parent = getpid();

    if (x->spawn) {
        int rc = x->spawn(arg, &u->pid);

        if (rc != 0) {
            u->pid = 0;
            return rc;
        }
    } else {
        u->pid = fork();
    }
    if (u->pid < 0) {
        u->pid = 0;
        return errno;
    }
    if (u->pid > 0) {
        struct proc_set *s = x->priv;

        if (s && s->n < s->cap)
            s->pids[s->n++] = u->pid;
        return 0;
    }
    /* A child must not outlive a killed parent and run on as an orphan. */
    child_default_signals();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != parent)
        _exit(125);
    fn(arg);
    _exit(0);
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

/* Whether a child has already ended; WNOWAIT leaves it to be reaped. */
int cb_processes_open(struct cb_exec *x, uint32_t units, struct cb_error *err)
{
    struct proc_set *s = calloc(1, sizeof *s);

    if (!s || !(s->pids = calloc(units ? units : 1, sizeof *s->pids))) {
        free(s);
        cb_error_set(err, "out of memory for %u processes", units);
        return -1;
    }
    s->cap = units;
    x->priv = s;
    return 0;
}

void cb_processes_close(struct cb_exec *x)
{
    struct proc_set *s = x->priv;

    if (s)
        free(s->pids);
    free(s);
    x->priv = NULL;
}

bool cb_processes_any_ended(struct cb_exec *x)
{
    const struct proc_set *s = x->priv;
    siginfo_t info;

    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
        return false;
    for (uint32_t i = 0; s && i < s->n; i++)
        if (s->pids[i] == info.si_pid)
            return true;
    return !s; /* not ours: not a unit of this sample */
}

bool cb_processes_ended(struct cb_exec *x, const struct cb_unit *u)
{
    siginfo_t info;

    (void)x;
    memset(&info, 0, sizeof info);
    if (u->pid <= 0 || waitid(P_PID, (id_t)u->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return false;
    return info.si_pid == u->pid;
}

const struct cb_executor cb_executor_processes = {
    .name = "processes",
    .description = "one forked child process per worker (fork/waitpid)",
    .order = 2,
    .contrast = "threads",
    CB_PROCESS_UNITS,
};
