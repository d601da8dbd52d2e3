#include "concbench/pool_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/fdio.h"

#define MAX_PIPE_BYTES (1u << 20) /* the usual /proc/sys/fs/pipe-max-size */

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Best effort: a pipe too small only makes the parent feed it in turns. */
static void enlarge(int fd, size_t want)
{
    if (want > 65536u)
        (void)fcntl(fd, F_SETPIPE_SZ, (int)(want < MAX_PIPE_BYTES ? want : MAX_PIPE_BYTES));
}

int cb_pool_pipe_open(struct cb_pool_pipe *q, uint32_t jobs, uint32_t chunk,
                      uint32_t units, struct cb_error *err)
{
    int jp[2], dp[2];

    memset(q, 0, sizeof *q);
    q->job_r = q->job_w = q->done_r = q->done_w = -1;
    q->jobs = jobs;
    q->chunk = chunk ? chunk : 1;
    q->units = units;
    q->out = calloc(units ? units : 1, sizeof *q->out);
    if (!q->out)
        return cb_error_set(err, "out of memory for a pool of %u processes", units), -1;
    if (pipe2(jp, O_CLOEXEC) != 0)
        return cb_error_set(err, "cannot create the pool's job pipe: %s", strerror(errno)), -1;
    q->job_r = jp[0];
    q->job_w = jp[1];
    if (pipe2(dp, O_CLOEXEC) != 0)
        return cb_error_set(err, "cannot create the pool's completion pipe: %s",
                            strerror(errno)), -1;
    q->done_r = dp[0];
    q->done_w = dp[1];
    if (fcntl(q->job_w, F_SETFL, O_NONBLOCK) != 0 || fcntl(q->done_r, F_SETFL, O_NONBLOCK) != 0)
        return cb_error_set(err, "cannot make the pool's pipes non-blocking: %s",
                            strerror(errno)), -1;
    enlarge(q->job_w, ((size_t)jobs / q->chunk + 1) * sizeof(struct cb_pool_pipe_job));
    enlarge(q->done_w, ((size_t)jobs + units) * sizeof(uint32_t));
    return 0;
}

void cb_pool_pipe_child(struct cb_pool_pipe *q)
{
    close_fd(&q->job_w);
    close_fd(&q->done_r);
}

/* The descriptors that fit in one write, at most. */
#define FEED_BATCH 64
_Static_assert(FEED_BATCH * sizeof(struct cb_pool_pipe_job) <= 4096, "PIPE_BUF");

bool cb_pool_pipe_feed(struct cb_pool_pipe *q)
{
    struct cb_pool_pipe_job batch[FEED_BATCH];

    while (q->job_w >= 0 && q->next < q->jobs) {
        uint64_t now = cb_clock_now_ns();
        uint32_t n = 0, at = q->next;
        ssize_t put;

        for (; n < FEED_BATCH && at < q->jobs; n++) {
            uint32_t k = q->jobs - at < q->chunk ? q->jobs - at : q->chunk;

            batch[n] = (struct cb_pool_pipe_job){ at, k, now };
            at += k;
        }
        /* At most PIPE_BUF bytes: written whole or not at all (EAGAIN),
         * never torn between readers. */
        put = write(q->job_w, batch, n * sizeof batch[0]);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            break; /* full (EAGAIN): later; nobody reads (EPIPE): never */
        for (size_t i = 0; i < (size_t)put / sizeof batch[0]; i++)
            q->next += batch[i].count;
    }
    return q->next >= q->jobs;
}

void cb_pool_pipe_stop(struct cb_pool_pipe *q)
{
    close_fd(&q->job_w);
}

void cb_pool_pipe_drain(struct cb_pool_pipe *q, struct cb_worker_record *rec)
{
    uint32_t msg[256];
    ssize_t got;

    while (q->done_r >= 0 && (got = read(q->done_r, msg, sizeof msg)) > 0) {
        uint64_t now = cb_clock_now_ns();

        for (size_t i = 0; i < (size_t)got / sizeof msg[0]; i++) {
            uint32_t m = msg[i], u = m & ~CB_POOL_PIPE_OUT;

            if (!(m & CB_POOL_PIPE_OUT) && m < q->jobs)
                rec[m].seen_ns = now;
            else if ((m & CB_POOL_PIPE_OUT) && u < q->units && !q->out[u]) {
                q->out[u] = true;
                q->outs++;
            }
        }
    }
}

void cb_pool_pipe_wait(const struct cb_pool_pipe *q, int timeout_ms)
{
    struct pollfd p[2] = { { q->done_r, POLLIN, 0 }, { -1, POLLOUT, 0 } };

    if (q->job_w >= 0 && q->next < q->jobs)
        p[1].fd = q->job_w;
    (void)poll(p, 2, timeout_ms);
}

void cb_pool_pipe_close(struct cb_pool_pipe *q)
{
    close_fd(&q->job_r);
    close_fd(&q->job_w);
    close_fd(&q->done_r);
    close_fd(&q->done_w);
    free(q->out);
    q->out = NULL;
}

bool cb_pool_pipe_take(int fd, struct cb_pool_pipe_job *d)
{
    return cb_fd_read(fd, d, sizeof *d) == sizeof *d && d->count > 0;
}

void cb_pool_pipe_tell(int fd, uint32_t msg)
{
    (void)cb_fd_write(fd, &msg, sizeof msg);
}
