/* msg: each job sends --iterations messages of --message bytes to one
 * consumer, a thread that setup() starts in the process the units are
 * created from (concbench, or the sample server) and teardown() joins.
 * Processes send through --msg-channel: one pipe, one AF_UNIX
 * SOCK_SEQPACKET socket pair, or a ring in MAP_SHARED memory (the
 * counterparts of multiprocessing.Queue and Pipe). Threads, and serial,
 * hand the same messages through an in-process queue: the same ring
 * code in private memory, with a process-private mutex and private
 * futexes. The consumer checks every message (job, sequence number,
 * bytes); the run's total is how many arrived intact and in order.
 * Nothing waits forever: every wait on the ring times out and re-checks,
 * a pipe or socket reads end of file once every writer is gone, and the
 * ring's mutex is robust, so a killed producer cannot hold it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "concbench/executor.h"
#include "concbench/record.h"
#include "concbench/task.h"

#define MQ_HEADER 8u                 /* job, then sequence number */
#define MQ_MAX 4096u                 /* PIPE_BUF: one atomic write */
#define MQ_RING_BYTES 65536u         /* a pipe's default capacity */
#define MQ_WAIT_NS 100000000         /* a ring wait re-checks this often */
#define MQ_BATCH 64u                 /* messages the consumer takes at once */
#define MQ_CHUNK 256u                /* messages between checkpoints */

/* How a run's messages travel: the processes' --msg-channel, or the
 * in-process queue. */
enum way { WAY_PIPE = CB_MSG_PIPE, WAY_SOCKET = CB_MSG_SOCKET, WAY_RING = CB_MSG_SHM };

/* A bounded queue of fixed-size messages. Waiting is on two futex event
 * counters (bumped under the mutex), never on a condition variable: a
 * process killed inside pthread_cond_wait can leave a shared condvar
 * blocking its next broadcast. */
struct ring {
    pthread_mutex_t mu;           /* robust when process-shared */
    _Atomic uint32_t filled;      /* bumped by each put */
    _Atomic uint32_t freed;       /* bumped by each take */
    _Atomic uint32_t consumer_waits, producer_waits;
    uint64_t head, tail;          /* messages put, taken: under mu */
    uint32_t slots, size;
    _Alignas(CB_CACHE_LINE) unsigned char data[];
};

struct msg_batch {
    struct mmsghdr hdr[MQ_BATCH];
    struct iovec iov[MQ_BATCH];
};

struct msg_state {
    uint32_t way;                 /* enum way */
    int futex_flags;              /* FUTEX_PRIVATE_FLAG in one process */
    uint32_t jobs, size;
    uint64_t iterations;
    int fd[2];                    /* pipe or socket: 0 reads, 1 writes */
    struct ring *ring;
    size_t ring_len;
    /* The consumer's, in the process that ran setup(). */
    uint32_t *next;               /* per job: the sequence number due */
    unsigned char *buf;
    struct msg_batch *batch;      /* recvmmsg's headers, off the stack */
    pthread_t consumer;
    _Atomic uint32_t stop;        /* set by teardown(): no more will come */
    uint64_t valid, invalid;      /* written by the consumer only */
};

static const char *channel_name(size_t i)
{
    static const char *const names[] = { "pipe", "socket", "shm" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static const char *const channel_help[] = {
    "one pipe every process writes to (multiprocessing.Queue's transport)",
    "one AF_UNIX SOCK_SEQPACKET socket pair (multiprocessing.Pipe's kind)",
    "a ring in MAP_SHARED memory under a robust process-shared mutex",
};

static bool separate_memory(const struct cb_executor *mode)
{
    return mode->separate_memory;
}

static const struct cb_param_desc msg_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT32_MAX,
      .def = 100000u, .help = "messages each job sends", .json = CB_JSON_PARAMS },
    { .flag = "message", .json_name = "message_bytes", .kind = CB_PARAM_SIZE,
      CB_PARAM_AT(struct cb_params, message), .min = MQ_HEADER, .max = MQ_MAX,
      .def = 64u, .min_why = "a job number and a sequence number need",
      .help = "msg: bytes per message (at most PIPE_BUF, one atomic write)",
      .json = CB_JSON_PARAMS },
    /* Threads always use the in-process queue: written for processes. */
    { .flag = "msg-channel", .json_name = "msg_channel", .kind = CB_PARAM_CHOICE,
      CB_PARAM_AT(struct cb_params, msg_channel), .def = CB_MSG_PIPE,
      .choice = channel_name, .choice_help = channel_help, .noun = "message channel",
      .metavar = "WAY", .help = "msg, processes: pipe, socket or shm (threads: a queue)",
      .json = CB_JSON_BESIDE, .applies = separate_memory, .distinguishes = true },
    { .flag = NULL },
};

static long futex(_Atomic uint32_t *w, int op, uint32_t v, const struct timespec *ts)
{
    return syscall(SYS_futex, w, op, v, ts, NULL, 0);
}

/* Waits while *w is still ev, at most MQ_WAIT_NS; counts itself in
 * *waits so that the other side wakes it only when someone waits. */
static void await_change(const struct msg_state *s, _Atomic uint32_t *w, uint32_t ev,
                         _Atomic uint32_t *waits)
{
    static const struct timespec limit = { 0, MQ_WAIT_NS };

    atomic_fetch_add(waits, 1);
    futex(w, FUTEX_WAIT | s->futex_flags, ev, &limit);
    atomic_fetch_sub(waits, 1);
}

static void bump(const struct msg_state *s, _Atomic uint32_t *w, _Atomic uint32_t *waits,
                 int how_many)
{
    if (atomic_load(waits))
        futex(w, FUTEX_WAKE | s->futex_flags, (uint32_t)how_many, NULL);
}

static void ring_lock(struct ring *r)
{
    /* The owner died holding it: what it guarded is consistent, since
     * head and tail move only after a whole message was copied. */
    if (pthread_mutex_lock(&r->mu) == EOWNERDEAD)
        pthread_mutex_consistent(&r->mu);
}

static void ring_put(struct msg_state *s, const unsigned char *m, const struct cb_hooks *h)
{
    struct ring *r = s->ring;

    for (;;) {
        uint32_t ev;

        ring_lock(r);
        if (r->head - r->tail < r->slots) {
            memcpy(r->data + (size_t)(r->head % r->slots) * r->size, m, r->size);
            r->head++;
            atomic_fetch_add(&r->filled, 1);
            pthread_mutex_unlock(&r->mu);
            bump(s, &r->filled, &r->consumer_waits, 1);
            return;
        }
        ev = atomic_load(&r->freed);
        pthread_mutex_unlock(&r->mu);
        cb_hooks_block_begin(h);
        await_change(s, &r->freed, ev, &r->producer_waits);
        cb_hooks_block_end(h);
    }
}

/* Up to max messages into buf; 0 once teardown() said stop and none is
 * left. */
static size_t ring_take(struct msg_state *s, unsigned char *buf, size_t max)
{
    struct ring *r = s->ring;

    for (;;) {
        uint64_t k;
        uint32_t ev;

        ring_lock(r);
        k = r->head - r->tail;
        if (k) {
            k = k < max ? k : max;
            for (uint64_t i = 0; i < k; i++)
                memcpy(buf + i * r->size, r->data + (size_t)((r->tail + i) % r->slots) * r->size,
                       r->size);
            r->tail += k;
            atomic_fetch_add(&r->freed, 1);
            pthread_mutex_unlock(&r->mu);
            bump(s, &r->freed, &r->producer_waits, INT_MAX);
            return (size_t)k;
        }
        ev = atomic_load(&r->filled);
        pthread_mutex_unlock(&r->mu);
        if (atomic_load(&s->stop))
            return 0;
        await_change(s, &r->filled, ev, &r->consumer_waits);
    }
}

/* Message seq of job: its numbers, then bytes only it would have. */
static void fill(unsigned char *m, uint32_t size, uint32_t job, uint32_t seq)
{
    memcpy(m, &job, 4);
    memcpy(m + 4, &seq, 4);
    for (uint32_t k = MQ_HEADER; k < size; k++)
        m[k] = (unsigned char)(job * 131u + seq * 7u + k);
}

static void verify(struct msg_state *s, const unsigned char *m)
{
    uint32_t job, seq;
    bool ok;

    memcpy(&job, m, 4);
    memcpy(&seq, m + 4, 4);
    ok = job < s->jobs && seq == s->next[job];
    for (uint32_t k = MQ_HEADER; ok && k < s->size; k++)
        ok = m[k] == (unsigned char)(job * 131u + seq * 7u + k);
    if (ok) {
        s->next[job]++;
        s->valid++;
    } else {
        s->invalid++;
    }
}

/* A pipe: whatever is there, whole messages verified, the rest kept. */
static bool consume_pipe(struct msg_state *s, size_t *have)
{
    size_t cap = (size_t)MQ_BATCH * s->size, whole;
    ssize_t n;

    do
        n = read(s->fd[0], s->buf + *have, cap - *have);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return false; /* every writer is gone */
    *have += (size_t)n;
    whole = *have / s->size * s->size;
    for (size_t off = 0; off < whole; off += s->size)
        verify(s, s->buf + off);
    memmove(s->buf, s->buf + whole, *have - whole);
    *have -= whole;
    return true;
}

/* A SEQPACKET socket: up to MQ_BATCH messages, one per datagram. The
 * headers (5 KiB) live in s->batch: the consumer's stack may be small. */
static bool consume_socket(struct msg_state *s)
{
    struct mmsghdr *hdr = s->batch->hdr;
    struct iovec *iov = s->batch->iov;
    int n;

    memset(hdr, 0, sizeof s->batch->hdr);
    for (uint32_t i = 0; i < MQ_BATCH; i++) {
        iov[i] = (struct iovec){ s->buf + (size_t)i * s->size, s->size };
        hdr[i].msg_hdr.msg_iov = &iov[i];
        hdr[i].msg_hdr.msg_iovlen = 1;
    }
    do
        n = recvmmsg(s->fd[0], hdr, MQ_BATCH, MSG_WAITFORONE, NULL);
    while (n < 0 && errno == EINTR);
    if (n <= 0 || hdr[0].msg_len == 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (hdr[i].msg_len == s->size)
            verify(s, s->buf + (size_t)i * s->size);
        else
            s->invalid++;
    }
    return true;
}

static void *consume(void *arg)
{
    struct msg_state *s = arg;
    uint64_t all = s->iterations * s->jobs;
    size_t have = 0;

    while (s->valid + s->invalid < all) {
        if (s->way == WAY_RING) {
            size_t k = ring_take(s, s->buf, MQ_BATCH);

            if (k == 0)
                break;
            for (size_t i = 0; i < k; i++)
                verify(s, s->buf + i * s->size);
        } else if (!(s->way == WAY_PIPE ? consume_pipe(s, &have) : consume_socket(s))) {
            break;
        }
    }
    return NULL;
}

static int open_ring(struct msg_state *s, bool pshared, struct cb_error *err)
{
    uint32_t slots = MQ_RING_BYTES / s->size;
    pthread_mutexattr_t attr;
    int rc;

    s->ring_len = sizeof *s->ring + (size_t)slots * s->size;
    s->ring = mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE,
                   (pshared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (s->ring == MAP_FAILED) {
        s->ring = NULL;
        cb_error_set(err, "msg: cannot map %zu bytes for the ring: %s", s->ring_len,
                     strerror(errno));
        return -1;
    }
    memset(s->ring, 0, s->ring_len); /* faulted in here, not in the run */
    s->ring->slots = slots;
    s->ring->size = s->size;
    rc = pthread_mutexattr_init(&attr);
    if (rc == 0 && pshared)
        rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0 && pshared)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(&s->ring->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc == 0)
        return 0;
    cb_error_set(err, "msg: cannot create the ring's mutex: %s", strerror(rc));
    munmap(s->ring, s->ring_len);
    s->ring = NULL;
    return -1;
}

static int open_channel(struct msg_state *s, bool pshared, struct cb_error *err)
{
    int rc = 0;

    if (s->way == WAY_RING)
        return open_ring(s, pshared, err);
    if (s->way == WAY_PIPE)
        rc = pipe2(s->fd, O_CLOEXEC);
    else
        rc = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->fd);
    if (rc == 0)
        return 0;
    s->fd[0] = s->fd[1] = -1;
    cb_error_set(err, "--msg-channel=%s: cannot make the channel: %s", channel_name(s->way),
                 strerror(errno));
    return -1;
}

static void close_channel(struct msg_state *s)
{
    for (int i = 0; i < 2; i++)
        if (s->fd[i] >= 0) {
            close(s->fd[i]);
            s->fd[i] = -1;
        }
    if (s->ring) {
        pthread_mutex_destroy(&s->ring->mu);
        munmap(s->ring, s->ring_len);
        s->ring = NULL;
    }
}

/* The consumer takes no signal: they stay the main thread's. */
static int start_consumer(struct msg_state *s, struct cb_error *err)
{
    sigset_t all, old;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&s->consumer, NULL, consume, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return 0;
    cb_error_set(err, "msg: cannot start the consumer thread: %s", strerror(rc));
    return -1;
}

static int msg_setup(void *state, const struct cb_params *p, uint32_t jobs, bool pshared,
                     struct cb_error *err)
{
    struct msg_state *s = state;

    memset(s, 0, sizeof *s);
    s->way = pshared ? p->msg_channel : WAY_RING;
    s->futex_flags = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    s->jobs = jobs;
    s->size = (uint32_t)p->message;
    s->iterations = p->iterations;
    s->fd[0] = s->fd[1] = -1;
    s->next = calloc(jobs ? jobs : 1, sizeof *s->next);
    s->buf = malloc((size_t)MQ_BATCH * s->size);
    s->batch = malloc(sizeof *s->batch);
    if (!s->next || !s->buf || !s->batch) {
        cb_error_set(err, "msg: out of memory for the consumer of %" PRIu32 " jobs", jobs);
    } else if (open_channel(s, pshared, err) == 0) {
        if (start_consumer(s, err) == 0)
            return 0;
        close_channel(s);
    }
    free(s->next);
    free(s->buf);
    free(s->batch);
    return -1;
}

/* Every unit has ended: the consumer drains what is left, then sees end
 * of file (the last write end closes here) or the stop flag. */
static void msg_teardown(void *state)
{
    struct msg_state *s = state;

    atomic_store(&s->stop, 1);
    if (s->ring)
        futex(&s->ring->filled, FUTEX_WAKE | s->futex_flags, INT_MAX, NULL);
    if (s->fd[1] >= 0) {
        close(s->fd[1]);
        s->fd[1] = -1;
    }
    pthread_join(s->consumer, NULL);
    close_channel(s);
    free(s->next);
    free(s->buf);
    free(s->batch);
    s->next = NULL;
    s->buf = NULL;
    s->batch = NULL;
}

static bool send_fd(const struct msg_state *s, const unsigned char *m,
                    const struct cb_hooks *h)
{
    ssize_t n;

    cb_hooks_block_begin(h);
    do
        n = s->way == WAY_PIPE ? write(s->fd[1], m, s->size)
                               : send(s->fd[1], m, s->size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    cb_hooks_block_end(h);
    return n == (ssize_t)s->size;
}

/* Returns the messages sent: all of them unless the channel failed. */
static uint64_t msg_run(const struct cb_params *p, void *state, const struct cb_hooks *h)
{
    struct msg_state *s = state;
    uint32_t job = h ? h->job : 0;
    unsigned char *m; /* one message, on the heap: stacks may be small */
    uint64_t i;

    if (!s || !(m = malloc(s->size)))
        return 0;
    for (i = 0; i < p->iterations; i++) {
        fill(m, s->size, job, (uint32_t)i);
        if (s->way == WAY_RING)
            ring_put(s, m, h);
        else if (!send_fd(s, m, h))
            break;
        if (i % MQ_CHUNK == MQ_CHUNK - 1)
            cb_hooks_checkpoint(h);
    }
    free(m);
    return i;
}

static uint64_t msg_total(const void *state)
{
    const struct msg_state *s = state;

    return s->valid;
}

static uint64_t msg_expected_total(const struct cb_params *p, uint32_t workers)
{
    return p->iterations * workers;
}

static uint64_t msg_op_bytes(const struct cb_params *p)
{
    return p->message;
}

const struct cb_task cb_task_msg = {
    .name = "msg",
    .description = "each job sends --iterations messages of --message bytes to one "
                   "consumer: processes through --msg-channel, threads through an "
                   "in-process queue; shows a kernel copy per message against a pointer "
                   "handed over in memory",
    .cpu_bound = false,
    .opt_in = true, /* a channel test, not one of the speed claims */
    .op = "message",
    .ops = cb_task_iterations,
    .op_bytes = msg_op_bytes,
    .shares_state = true, /* a channel every job writes to */
    .fork_only = true,    /* the channel's descriptors and ring pointers */
    .params = msg_params,
    .run = msg_run,
    .expected = cb_task_iterations,
    .state_size = sizeof(struct msg_state),
    .setup = msg_setup,
    .teardown = msg_teardown,
    .total = msg_total,
    .expected_total = msg_expected_total,
};
