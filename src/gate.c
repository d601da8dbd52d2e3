#include "concbench/gate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static int gate_open(struct cb_gate *g, _Atomic uint32_t *count, _Atomic uint32_t *seq,
                     _Atomic uint32_t *abort, struct cb_error *err)
{
    int fds[2];

    g->rfd = g->wfd = -1;
    g->count = count;
    g->seq = seq;
    g->abort = abort;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        cb_error_set(err, "cannot create the start gate pipe: %s", strerror(errno));
        return -1;
    }
    g->rfd = fds[0];
    g->wfd = fds[1];
    return 0;
}

int cb_gate_open(struct cb_gate *g, struct cb_shared *shared, struct cb_error *err)
{
    return gate_open(g, &shared->ready, &shared->wake_seq, &shared->abort, err);
}

int cb_gate_open_hold(struct cb_gate *g, struct cb_shared *shared, struct cb_error *err)
{
    return gate_open(g, &shared->held, &shared->wake_seq, NULL, err);
}

/* The parent sleeps on the sequence word (shared across processes: not
 * a private futex). Bumping it before the wake means a nudge that comes
 * between the parent's look and its sleep is not lost: the word no
 * longer holds the value the parent would sleep on, so it does not. */
void cb_gate_nudge(struct cb_gate *g)
{
    atomic_fetch_add(g->seq, 1);
    syscall(SYS_futex, g->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void cb_gate_arrive(struct cb_gate *g)
{
    atomic_fetch_add(g->count, 1);
    cb_gate_nudge(g); /* every arrival wakes the parent to look */
}

bool cb_gate_pass(struct cb_gate *g)
{
    char c;
    ssize_t n;

    cb_gate_arrive(g);
    /* Nothing is ever written: read returns 0 (EOF) once every write end
     * is closed, i.e. when the parent releases the gate or dies. */
    do
        n = read(g->rfd, &c, 1);
    while (n < 0 && errno == EINTR);
    return !g->abort || atomic_load(g->abort) == 0;
}

void cb_gate_child(struct cb_gate *g)
{
    close_fd(&g->wfd);
}

int cb_gate_wait_ready(struct cb_gate *g, uint32_t n, bool (*alive)(void *), void *arg)
{
    /* alive() is asked at least this often: a dead unit never arrives.
     * Longer than a scheduler tick (4 ms at HZ=250): a sleep that ends
     * before the next tick reprograms the CPU's timer as it starts,
     * which in a virtual machine is an exit to the host (here 7-8 us
     * before the CPU is given up; a unit just woken on this CPU waits
     * for it). */
    const struct timespec nap = { 0, CB_GATE_NAP_NS };
    unsigned spins = 0;

    for (;;) {
        /* The sequence before the count: whatever arrives after this
         * read has changed the word, and the sleep returns at once. */
        uint32_t seq = atomic_load(g->seq);

        if (atomic_load(g->count) >= n)
            return 0;
        /* Spin briefly on the count alone (workers usually arrive within
         * microseconds), then sleep until an arrival or a nudge wakes
         * us, so as not to take a CPU from the workers: no polling while
         * a long sample runs. alive() may be a system call (waitid):
         * asked after each sleep, not on every spin, or the spinning
         * parent holds the CPU a unit it has just woken is queued on. */
        if (++spins <= 64)
            continue;
        syscall(SYS_futex, g->seq, FUTEX_WAIT, seq, &nap, NULL, 0);
        if (alive && !alive(arg))
            return -1;
    }
}

void cb_gate_release(struct cb_gate *g, bool abort)
{
    if (abort && g->abort)
        atomic_store(g->abort, 1);
    close_fd(&g->wfd);
}

void cb_gate_close(struct cb_gate *g)
{
    close_fd(&g->wfd);
    close_fd(&g->rfd);
}
