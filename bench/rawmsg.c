/* Raw message passing: P producers (threads or processes) each send N
 * messages of S bytes to one consumer (a thread of the main process,
 * started before the producers, as concbench's is) through one
 * pipe, one SOCK_SEQPACKET socket pair, a bounded ring guarded by a
 * mutex and two condition variables (ring), or a queue built as
 * concbench's msg task builds its own (queue: fixed-size slots in 64 KiB
 * under one mutex, waits on two futex event counters that are woken only
 * when someone waits, the consumer taking up to 64 messages per lock;
 * process-shared and robust in MAP_SHARED memory for processes, private
 * for threads). Every message carries its producer's number and sequence
 * number and bytes only they give, and the consumer checks them, as the
 * task's does; it takes up to 64 messages per call on every channel (one
 * read, one recvmmsg, one lock). Prints microseconds per message as the
 * producers see it (their send loop, wall and CPU time) and as the
 * consumer sees it (all messages received), and how many arrived intact.
 * Measured beside concbench's msg task (README, bench/addrspace.sh).
 * Standalone: it does not link the concbench library.
 *   cb_rawmsg threads|processes pipe|socket|ring|queue [P] [N] [S] */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RING_BYTES 65536u
#define BATCH 64u
#define HEADER 8u
#define MAX_P 64

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    uint64_t head, tail; /* bytes written, read */
    unsigned char data[RING_BYTES];
};

/* concbench's queue, written again: slots, event counters, waiters. */
struct queue {
    pthread_mutex_t mu;
    _Atomic uint32_t filled, freed, consumer_waits, producer_waits;
    uint64_t head, tail; /* messages put, taken */
    uint32_t slots, size;
    _Alignas(64) unsigned char data[RING_BYTES]; /* as the task's: a cache line */
};

enum { PIPE_CH, SOCK_CH, RING_CH, QUEUE_CH };

struct times {
    uint64_t send_ns[MAX_P], send_cpu_ns[MAX_P];
};

struct setup {
    int ch, fd[2], futex_flags;
    uint32_t p;
    uint64_t n, size;
    struct ring *ring;
    struct queue *queue;
    struct times *times; /* MAP_SHARED: children write theirs */
};

/* What the consumer writes for every message, on cache lines of its own:
 * beside what the producers read in their loop (S), each write would take
 * that line from them (the task's consumer keeps its counts apart too). */
struct counts {
    _Alignas(64) uint32_t next[MAX_P];
    uint64_t valid, invalid;
};

static struct setup S;
static struct counts C;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ring_put(struct ring *r, const unsigned char *m, uint64_t size)
{
    pthread_mutex_lock(&r->mu);
    while (r->head - r->tail + size > RING_BYTES)
        pthread_cond_wait(&r->not_full, &r->mu);
    for (uint64_t i = 0; i < size; i++)
        r->data[(r->head + i) % RING_BYTES] = m[i];
    r->head += size;
    pthread_cond_signal(&r->not_empty);
    pthread_mutex_unlock(&r->mu);
}

/* Up to max whole messages (all that are there, at least one). */
static size_t ring_get(struct ring *r, unsigned char *m, uint64_t size, size_t max)
{
    size_t k;

    pthread_mutex_lock(&r->mu);
    while (r->head - r->tail < size)
        pthread_cond_wait(&r->not_empty, &r->mu);
    k = (size_t)((r->head - r->tail) / size);
    k = k < max ? k : max;
    for (uint64_t i = 0; i < k * size; i++)
        m[i] = r->data[(r->tail + i) % RING_BYTES];
    r->tail += k * size;
    pthread_cond_broadcast(&r->not_full);
    pthread_mutex_unlock(&r->mu);
    return k;
}

static void fwait(_Atomic uint32_t *w, uint32_t ev, _Atomic uint32_t *waits)
{
    static const struct timespec limit = { 0, 100000000 };

    atomic_fetch_add(waits, 1);
    syscall(SYS_futex, w, FUTEX_WAIT | S.futex_flags, ev, &limit, NULL, 0);
    atomic_fetch_sub(waits, 1);
}

static void fwake(_Atomic uint32_t *w, _Atomic uint32_t *waits, int how_many)
{
    if (atomic_load(waits))
        syscall(SYS_futex, w, FUTEX_WAKE | S.futex_flags, how_many, NULL, NULL, 0);
}

static void queue_put(struct queue *q, const unsigned char *m)
{
    for (;;) {
        uint32_t ev;

        pthread_mutex_lock(&q->mu);
        if (q->head - q->tail < q->slots) {
            memcpy(q->data + (size_t)(q->head % q->slots) * q->size, m, q->size);
            q->head++;
            atomic_fetch_add(&q->filled, 1);
            pthread_mutex_unlock(&q->mu);
            fwake(&q->filled, &q->consumer_waits, 1);
            return;
        }
        ev = atomic_load(&q->freed);
        pthread_mutex_unlock(&q->mu);
        fwait(&q->freed, ev, &q->producer_waits);
    }
}

static size_t queue_take(struct queue *q, unsigned char *buf, size_t max)
{
    for (;;) {
        uint64_t k;
        uint32_t ev;

        pthread_mutex_lock(&q->mu);
        k = q->head - q->tail;
        if (k) {
            k = k < max ? k : max;
            for (uint64_t i = 0; i < k; i++)
                memcpy(buf + i * q->size, q->data + (size_t)((q->tail + i) % q->slots) * q->size,
                       q->size);
            q->tail += k;
            atomic_fetch_add(&q->freed, 1);
            pthread_mutex_unlock(&q->mu);
            fwake(&q->freed, &q->producer_waits, INT_MAX);
            return (size_t)k;
        }
        ev = atomic_load(&q->filled);
        pthread_mutex_unlock(&q->mu);
        fwait(&q->filled, ev, &q->consumer_waits);
    }
}

/* Message seq of producer id: its numbers, then bytes only it gives. */
/* The size is a parameter, as in the task: read from the global S inside
 * the loop, it would be reloaded after every byte stored (a char store
 * may alias it), 5% more CPU per message than the task's producer. */
static void fill(unsigned char *m, uint32_t size, uint32_t id, uint32_t seq)
{
    memcpy(m, &id, 4);
    memcpy(m + 4, &seq, 4);
    for (uint32_t k = HEADER; k < size; k++)
        m[k] = (unsigned char)(id * 131u + seq * 7u + k);
}

static void verify(const unsigned char *m)
{
    uint32_t id, seq, size = (uint32_t)S.size;
    int ok;

    memcpy(&id, m, 4);
    memcpy(&seq, m + 4, 4);
    ok = id < S.p && seq == C.next[id];
    for (uint32_t k = HEADER; ok && k < size; k++)
        ok = m[k] == (unsigned char)(id * 131u + seq * 7u + k);
    if (ok) {
        C.next[id]++;
        C.valid++;
    } else {
        C.invalid++;
    }
}

static void produce(uint32_t id)
{
    unsigned char m[4096];
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

    for (uint64_t i = 0; i < S.n; i++) {
        fill(m, (uint32_t)S.size, id, (uint32_t)i);
        if (S.ch == RING_CH)
            ring_put(S.ring, m, S.size);
        else if (S.ch == QUEUE_CH)
            queue_put(S.queue, m);
        else if ((S.ch == PIPE_CH ? write(S.fd[1], m, S.size)
                                  : send(S.fd[1], m, S.size, MSG_NOSIGNAL)) != (ssize_t)S.size)
            exit(1);
    }
    S.times->send_ns[id] = clock_ns(CLOCK_MONOTONIC) - t0;
    S.times->send_cpu_ns[id] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
}

static void *producer_thread(void *arg)
{
    produce((uint32_t)(intptr_t)arg);
    return NULL;
}

/* One call's worth of messages into buf, verified. A pipe may return a
 * part of a message: it is kept for the next call. */
static int consume(unsigned char *buf, size_t *have)
{
    size_t cap = BATCH * S.size, k = 0;

    if (S.ch == PIPE_CH) {
        ssize_t got = read(S.fd[0], buf + *have, cap - *have);

        if (got <= 0)
            return -1;
        *have += (size_t)got;
        k = *have / S.size;
        for (size_t i = 0; i < k; i++)
            verify(buf + i * S.size);
        memmove(buf, buf + k * S.size, *have - k * S.size);
        *have -= k * S.size;
        return 0;
    }
    if (S.ch == SOCK_CH) {
        struct mmsghdr hdr[BATCH];
        struct iovec iov[BATCH];
        int n;

        memset(hdr, 0, sizeof hdr);
        for (uint32_t i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){ buf + (size_t)i * S.size, S.size };
            hdr[i].msg_hdr.msg_iov = &iov[i];
            hdr[i].msg_hdr.msg_iovlen = 1;
        }
        n = recvmmsg(S.fd[0], hdr, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (hdr[i].msg_len == S.size)
                verify(buf + (size_t)i * S.size);
            else
                C.invalid++;
        }
        return 0;
    }
    k = S.ch == RING_CH ? ring_get(S.ring, buf, S.size, BATCH) : queue_take(S.queue, buf, BATCH);
    for (size_t i = 0; i < k; i++)
        verify(buf + i * S.size);
    return 0;
}

static void *shared_map(size_t len)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED) {
        perror("cb_rawmsg: mmap");
        exit(1);
    }
    memset(m, 0, len); /* faulted in here, not in the run */
    return m;
}

static void init_ring(int pshared)
{
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;

    S.ring = shared_map(sizeof *S.ring);
    pthread_mutexattr_init(&ma);
    pthread_condattr_init(&ca);
    if (pshared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    }
    pthread_mutex_init(&S.ring->mu, &ma);
    pthread_cond_init(&S.ring->not_empty, &ca);
    pthread_cond_init(&S.ring->not_full, &ca);
}

static void init_queue(int pshared)
{
    pthread_mutexattr_t ma;

    S.queue = shared_map(sizeof *S.queue);
    S.queue->size = (uint32_t)S.size;
    S.queue->slots = RING_BYTES / (uint32_t)S.size;
    S.futex_flags = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    pthread_mutexattr_init(&ma);
    if (pshared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    }
    pthread_mutex_init(&S.queue->mu, &ma);
}

static int channel_of(const char *name)
{
    static const char *const names[] = { "pipe", "socket", "ring", "queue" };

    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* The consumer: a thread started before any producer, as the task's is
 * (setup() starts it, then the units are created). */
static uint64_t consumer_end_ns;

static void *consumer(void *arg)
{
    static unsigned char buf[BATCH * 4096];
    size_t have = 0;

    (void)arg;
    while (C.valid + C.invalid < S.n * (uint64_t)S.p)
        if (consume(buf, &have) != 0)
            break;
    consumer_end_ns = clock_ns(CLOCK_MONOTONIC);
    return NULL;
}

int main(int argc, char **argv)
{
    int procs, p;
    uint64_t t0, total;
    pid_t pids[MAX_P];
    pthread_t th[MAX_P], cons;
    double send_sum = 0, cpu_sum = 0;

    if (argc < 3 || channel_of(argv[2]) < 0) {
        fprintf(stderr, "usage: cb_rawmsg threads|processes pipe|socket|ring|queue [P] [N] [S]\n");
        return 2;
    }
    procs = strcmp(argv[1], "processes") == 0;
    S.ch = channel_of(argv[2]);
    p = argc > 3 ? atoi(argv[3]) : 2;
    S.n = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
    S.size = argc > 5 ? strtoull(argv[5], NULL, 10) : 64;
    if (p < 1 || p > MAX_P || S.size < HEADER || S.size > 4096 || S.n < 1 || S.n > UINT32_MAX) {
        fprintf(stderr, "cb_rawmsg: P is 1 to %d, N 1 to 2^32-1, S %u to 4096\n", MAX_P, HEADER);
        return 2;
    }
    S.p = (uint32_t)p;
    S.times = shared_map(sizeof *S.times);
    if (S.ch == PIPE_CH && pipe(S.fd) != 0)
        return 1;
    if (S.ch == SOCK_CH && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, S.fd) != 0)
        return 1;
    if (S.ch == RING_CH)
        init_ring(procs);
    if (S.ch == QUEUE_CH)
        init_queue(procs);
    if (pthread_create(&cons, NULL, consumer, NULL) != 0)
        return 1;
    t0 = clock_ns(CLOCK_MONOTONIC);
    for (int i = 0; i < p; i++) {
        if (procs) {
            pids[i] = fork();
            if (pids[i] < 0)
                return 1;
            if (pids[i] == 0) {
                produce((uint32_t)i);
                _exit(0);
            }
        } else if (pthread_create(&th[i], NULL, producer_thread, (void *)(intptr_t)i) != 0) {
            return 1;
        }
    }
    for (int i = 0; i < p; i++) {
        if (procs)
            waitpid(pids[i], NULL, 0);
        else
            pthread_join(th[i], NULL);
        send_sum += (double)S.times->send_ns[i];
        cpu_sum += (double)S.times->send_cpu_ns[i];
    }
    pthread_join(cons, NULL);
    total = consumer_end_ns - t0;
    printf("%s %s: %d producers x %llu messages of %llu B: %.3f us per message per "
           "producer (cpu %.3f us), consumer %.3f us per message (%.1f MB/s), "
           "%llu of %llu intact\n",
           argv[1], argv[2], p, (unsigned long long)S.n, (unsigned long long)S.size,
           send_sum / p / 1000.0 / (double)S.n, cpu_sum / p / 1000.0 / (double)S.n,
           (double)total / 1000.0 / (double)(S.n * (uint64_t)p),
           (double)(S.n * (uint64_t)p * S.size) / ((double)total / 1e9) / 1e6,
           (unsigned long long)C.valid, (unsigned long long)S.n * (unsigned long long)p);
    return C.valid == S.n * (uint64_t)p ? 0 : 1;
}
