/* Raw message passing: P producers (threads or processes) each send N
 * messages of S bytes to one consumer (the main thread) through one
 * pipe, one SOCK_SEQPACKET socket pair, or a bounded ring guarded by a
 * mutex and two condition variables (process-shared in MAP_SHARED memory
 * for processes, private for threads). Prints microseconds per message
 * as the producers see it (their send loop) and as the consumer sees it
 * (all messages received). Measured beside concbench's msg task
 * (README). Standalone: it does not link the concbench library.
 *   cb_rawmsg threads|processes pipe|socket|ring [P] [N] [S] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RING_BYTES 65536u

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    uint64_t head, tail; /* bytes written, read */
    unsigned char data[RING_BYTES];
};

enum { PIPE_CH, SOCK_CH, RING_CH };

struct setup {
    int ch, fd[2];
    uint64_t n, size;
    struct ring *ring;
    uint64_t send_ns[64];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
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

static void ring_get(struct ring *r, unsigned char *m, uint64_t size)
{
    pthread_mutex_lock(&r->mu);
    while (r->head - r->tail < size)
        pthread_cond_wait(&r->not_empty, &r->mu);
    for (uint64_t i = 0; i < size; i++)
        m[i] = r->data[(r->tail + i) % RING_BYTES];
    r->tail += size;
    pthread_cond_broadcast(&r->not_full);
    pthread_mutex_unlock(&r->mu);
}

static struct setup S;

static void produce(int id)
{
    unsigned char m[4096];
    uint64_t t0 = now_ns();

    for (uint64_t i = 0; i < S.n; i++) {
        memset(m, (int)(i + (uint64_t)id), S.size);
        if (S.ch == RING_CH)
            ring_put(S.ring, m, S.size);
        else if (write(S.fd[1], m, S.size) != (ssize_t)S.size)
            exit(1);
    }
    S.send_ns[id] = now_ns() - t0;
}

static void *producer_thread(void *arg)
{
    produce((int)(intptr_t)arg);
    return NULL;
}

static void init_ring(int pshared)
{
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;

    S.ring = mmap(NULL, sizeof *S.ring, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
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

int main(int argc, char **argv)
{
    int procs, p;
    uint64_t t0, total, *send_ns;
    unsigned char m[4096];
    pid_t pids[64];
    pthread_t th[64];
    double send_sum = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: cb_rawmsg threads|processes pipe|socket|ring [P] [N] [S]\n");
        return 2;
    }
    procs = strcmp(argv[1], "processes") == 0;
    S.ch = strcmp(argv[2], "pipe") == 0 ? PIPE_CH : strcmp(argv[2], "socket") == 0 ? SOCK_CH
                                                                                 : RING_CH;
    p = argc > 3 ? atoi(argv[3]) : 2;
    S.n = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
    S.size = argc > 5 ? strtoull(argv[5], NULL, 10) : 64;
    if (p < 1 || p > 64 || S.size < 1 || S.size > sizeof m)
        return 2;
    send_ns = mmap(NULL, 64 * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S.ch == PIPE_CH && pipe(S.fd) != 0)
        return 1;
    if (S.ch == SOCK_CH && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, S.fd) != 0)
        return 1;
    if (S.ch == RING_CH)
        init_ring(procs);
    t0 = now_ns();
    for (int i = 0; i < p; i++) {
        if (procs) {
            pids[i] = fork();
            if (pids[i] == 0) {
                produce(i);
                send_ns[i] = S.send_ns[i];
                _exit(0);
            }
        } else {
            pthread_create(&th[i], NULL, producer_thread, (void *)(intptr_t)i);
        }
    }
    for (uint64_t k = 0; k < S.n * (uint64_t)p; k++) {
        if (S.ch == RING_CH)
            ring_get(S.ring, m, S.size);
        else if (read(S.fd[0], m, S.size) != (ssize_t)S.size)
            return 1;
    }
    total = now_ns() - t0;
    for (int i = 0; i < p; i++) {
        if (procs)
            waitpid(pids[i], NULL, 0);
        else
            pthread_join(th[i], NULL);
        send_sum += (double)(procs ? send_ns[i] : S.send_ns[i]);
    }
    printf("%s %s: %d producers x %llu messages of %llu B: %.2f us per message per "
           "producer, consumer %.3f us per message (%.1f MB/s)\n",
           argv[1], argv[2], p, (unsigned long long)S.n, (unsigned long long)S.size,
           send_sum / p / 1000.0 / (double)S.n, (double)total / 1000.0 / (double)(S.n * (uint64_t)p),
           (double)(S.n * (uint64_t)p * S.size) / ((double)total / 1e9) / 1e6);
    return 0;
}
