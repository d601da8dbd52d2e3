/* The sample server: in-process samples (threads, serial) run in a child,
 * so that a crash or a runaway thread ends that child, not concbench. */
#include "concbench/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/fdio.h"
#include "concbench/interrupt.h"
#include "concbench/shared.h"

/* Pointers are valid in the server: it is a fork made after every object
 * they point to existed, and those never change (tasks, executors, the
 * records' MAP_SHARED mapping). Parameters and options go by value. */
struct request {
    const struct cb_executor *x;
    const struct cb_task *task;
    const struct cb_hooks *hooks;
    struct cb_shared *shared;
    struct cb_params params;
    struct cb_run_opts opts;
    uint32_t workers;
    enum cb_start start;
    bool spin; /* the next sample comes here too: wait for it busy */
};

struct reply {
    struct cb_isolate_result res;
    char err[CB_ERROR_MAX];
};

/* How long the server keeps its CPU busy waiting for the next request
 * before it blocks: concbench goes from one sample to the next in about
 * 0.1 ms, and a server that slept in between would create its threads
 * from a cold, idle CPU, which here costs twice a hot create. */
#define SPIN_NS 2000000u

/* Reads one request, spinning first (see SPIN_NS) when the last one said
 * another follows at once; never while concbench runs a sample of its
 * own, which the spinning would disturb. Returns whether a whole request
 * arrived (false: the pipe closed or failed). */
static bool next_request(int fd, struct request *q, bool spin)
{
    uint64_t until = cb_clock_now_ns() + SPIN_NS;
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };

    while (spin && poll(&p, 1, 0) == 0 && cb_clock_now_ns() < until)
        ;
    return cb_fd_read(fd, q, sizeof *q) == sizeof *q;
}

static uint64_t process_cpu_ns(void)
{
    struct timespec ts = { 0, 0 };

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * CB_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void serve_one(const struct request *q, struct reply *r)
{
    struct cb_run_spec spec = {
        .task = q->task, .params = &q->params, .hooks = q->hooks, .workers = q->workers,
        .start = q->start, .shared = q->shared, .opts = &q->opts,
    };
    struct cb_error e = { "" };
    struct cb_task_run tr;
    uint64_t c0 = process_cpu_ns();

    memset(r, 0, sizeof *r);
    /* Processes (--start-method=forkserver) share the state by MAP_SHARED. */
    if (cb_task_run_begin(q->task, &q->params, q->workers, q->x->separate_memory, &tr,
                          &e) != 0) {
        r->res.rc = -1;
    } else {
        spec.task_state = tr.state;
        r->res.rc = cb_run_sample(q->x, &spec, &r->res.times, &e);
        /* Abandoned threads still use the state: the server ends next. */
        if (!r->res.times.abandoned)
            r->res.has_total = cb_task_run_end(q->task, &tr, &r->res.total);
    }
    r->res.server_cpu_ns = process_cpu_ns() - c0;
    memcpy(r->err, e.msg, sizeof r->err);
}

/* The server's life: one request, one reply, until the pipe closes or a
 * sample leaves threads running that cannot be stopped. */
static _Noreturn void serve(int req, int rep)
{
    struct request q = { .spin = false };
    struct reply r;

    while (next_request(req, &q, q.spin)) {
        serve_one(&q, &r);
        if (cb_fd_write(rep, &r, sizeof r) != sizeof r || r.res.times.abandoned)
            _exit(0);
    }
    _exit(0);
}

int cb_isolate_start(struct cb_isolate *is, struct cb_error *err)
{
    int q[2], r[2];
    int fork_errno;

    is->pid = 0;
    is->req = is->rep = -1;
    if (pipe2(q, O_CLOEXEC) != 0) {
        cb_error_set(err, "cannot make the sample server's pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(r, O_CLOEXEC) != 0) {
        cb_error_set(err, "cannot make the sample server's pipe: %s", strerror(errno));
        close(q[0]);
        close(q[1]);
        return -1;
    }
    is->pid = cb_interrupt_fork_helper();
    if (is->pid == 0) {
        close(q[1]);
        close(r[0]);
        serve(q[0], r[1]);
    }
    fork_errno = errno;
    close(q[0]);
    close(r[1]);
    is->req = q[1];
    is->rep = r[0];
    if (is->pid < 0) {
        is->pid = 0;
        cb_error_set(err, "cannot start the sample server: fork: %s", strerror(fork_errno));
        cb_isolate_stop(is);
        return -1;
    }
    return 0;
}

/* The server is gone: how it ended goes into res. */
static void reap(struct cb_isolate *is, struct cb_isolate_result *res)
{
    int status = 0;
    pid_t w;

    do
        w = waitpid(is->pid, &status, 0);
    while (w < 0 && errno == EINTR);
    res->died = true;
    if (w == is->pid && WIFSIGNALED(status))
        res->signal = WTERMSIG(status);
    else if (w == is->pid && WIFEXITED(status))
        res->exit_status = WEXITSTATUS(status);
    is->pid = 0;
    cb_isolate_stop(is);
}

/* Waits for the reply at most --timeout and a second (the server's own
 * driver ends thread samples at the deadline and replies; a serial
 * sample, a call, cannot be cut short there). Past that the server is
 * killed. Returns whether a reply is there. */
static bool reply_in_time(struct cb_isolate *is, uint64_t timeout_ns)
{
    struct pollfd p = { .fd = is->rep, .events = POLLIN, .revents = 0 };
    uint64_t until = cb_clock_now_ns() + timeout_ns + CB_NS_PER_S;
    int rc;

    if (!timeout_ns)
        return true;
    do {
        uint64_t now = cb_clock_now_ns();

        rc = now >= until ? 0 : poll(&p, 1, (int)((until - now) / 1000000u) + 1);
    } while (rc < 0 && errno == EINTR);
    if (rc > 0)
        return true;
    kill(is->pid, SIGKILL);
    return false;
}

int cb_isolate_run(struct cb_isolate *is, const struct cb_executor *x,
                   const struct cb_run_spec *spec, bool more, struct cb_isolate_result *res,
                   struct cb_error *err)
{
    static const struct cb_run_opts none;
    struct request q;
    struct reply r;
    size_t got;

    /* Whole bytes, padding too, cross the pipe. */
    memset(&q, 0, sizeof q);
    q.x = x;
    q.task = spec->task;
    q.hooks = spec->hooks;
    q.shared = spec->shared;
    q.params = *spec->params;
    q.opts = spec->opts ? *spec->opts : none;
    q.workers = spec->workers;
    q.start = spec->start;
    q.spin = more;
    memset(res, 0, sizeof *res);
    if (is->pid == 0 && cb_isolate_start(is, err) != 0)
        return -1;
    /* An interrupt now must take the server (and its threads) with it. */
    cb_interrupt_track(&is->pid, 1);
    if (cb_fd_write(is->req, &q, sizeof q) != sizeof q)
        got = 0;
    else if (!reply_in_time(is, q.opts.timeout_ns))
        got = 0, res->timed_out = true; /* killed: reaped below */
    else
        got = cb_fd_read(is->rep, &r, sizeof r);
    cb_interrupt_track(NULL, 0);
    if (got != sizeof r) {
        reap(is, res);
        return 0;
    }
    *res = r.res;
    cb_error_set(err, "%s", r.err);
    if (res->times.abandoned)
        cb_isolate_stop(is); /* it ends itself, with the threads it could not stop */
    return 0;
}

void cb_isolate_stop(struct cb_isolate *is)
{
    if (is->req >= 0)
        close(is->req);
    if (is->rep >= 0)
        close(is->rep);
    is->req = is->rep = -1;
    if (is->pid > 0)
        while (waitpid(is->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    is->pid = 0;
}
