/* Raw ping-pong: two threads or two processes pass a token back and
 * forth N times through two pipes or a futex word, pinned to one CPU
 * (same) or two (split). As in concbench's switch task, the main thread
 * creates both ends (end 0 first) and waits; each end pins itself, then
 * times its own loop, which starts at once (end 0's first wait may
 * include end 1's creation). Prints microseconds per round trip, the
 * mean of the two ends' loops (concbench reports the median of its two
 * jobs: the same), and the ends' mean CPU time per round trip. The
 * counterpart of `perf bench sched pipe [-T]` and lmbench lat_ctx,
 * measured beside concbench's switch task (README). Standalone: it does
 * not link the concbench library.
 *   cb_rawswitch threads|processes pipe|futex same|split [N] */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    _Atomic uint32_t word;
    int ping[2], pong[2];
    int futex_op_flag;
    uint64_t n;
    int cpu[2];
    uint64_t ns[2], cpu_ns[2]; /* each end's loop: wall, own CPU */
};

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t s;

    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    sched_setaffinity(0, sizeof s, &s);
}

static void fwait(struct shared *s, uint32_t v)
{
    while (atomic_load(&s->word) == v)
        syscall(SYS_futex, &s->word, FUTEX_WAIT | s->futex_op_flag, v, NULL, NULL, 0);
}

static void fpass(struct shared *s, uint32_t v)
{
    atomic_store(&s->word, v);
    syscall(SYS_futex, &s->word, FUTEX_WAKE | s->futex_op_flag, 1, NULL, NULL, 0);
}

static int use_pipe;

static void end(struct shared *s, int side)
{
    uint64_t t = 0, t0, c0;

    pin(s->cpu[side]);
    c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    t0 = clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < s->n; i++) {
        if (use_pipe) {
            if (side == 0) {
                if (write(s->ping[1], &t, 8) != 8 || read(s->pong[0], &t, 8) != 8)
                    exit(1);
            } else {
                if (read(s->ping[0], &t, 8) != 8 || write(s->pong[1], &t, 8) != 8)
                    exit(1);
            }
        } else if (side == 0) {
            fpass(s, 1);
            fwait(s, 1);
        } else {
            fwait(s, 0);
            fpass(s, 0);
        }
    }
    s->ns[side] = clock_ns(CLOCK_MONOTONIC) - t0;
    s->cpu_ns[side] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
}

static struct shared *the;

static void *thread_end(void *arg)
{
    end(the, (int)(intptr_t)arg);
    return NULL;
}

int main(int argc, char **argv)
{
    struct shared *s;
    int procs, ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    double per, cpu;

    if (argc < 4) {
        fprintf(stderr, "usage: cb_rawswitch threads|processes pipe|futex same|split [N]\n");
        return 2;
    }
    s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED || pipe(s->ping) || pipe(s->pong))
        return 1;
    procs = strcmp(argv[1], "processes") == 0;
    use_pipe = strcmp(argv[2], "pipe") == 0;
    s->futex_op_flag = procs ? 0 : FUTEX_PRIVATE_FLAG;
    s->n = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
    s->cpu[0] = 0;
    s->cpu[1] = strcmp(argv[3], "split") == 0 && ncpu > 1 ? 1 : 0;
    the = s;
    if (procs) {
        pid_t pid[2];

        for (int side = 0; side < 2; side++) {
            pid[side] = fork();
            if (pid[side] < 0)
                return 1;
            if (pid[side] == 0) {
                end(s, side);
                _exit(0);
            }
        }
        for (int side = 0; side < 2; side++)
            waitpid(pid[side], NULL, 0);
    } else {
        pthread_t th[2];

        for (int side = 0; side < 2; side++)
            if (pthread_create(&th[side], NULL, thread_end, (void *)(intptr_t)side) != 0)
                return 1;
        for (int side = 0; side < 2; side++)
            pthread_join(th[side], NULL);
    }
    per = (double)(s->ns[0] + s->ns[1]) / 2 / 1000.0 / (double)s->n;
    cpu = (double)(s->cpu_ns[0] + s->cpu_ns[1]) / 2 / 1000.0 / (double)s->n;
    printf("%s %s %s: %.3f us per round trip (%llu round trips; cpu %.3f us per "
           "round trip and end)\n", argv[1], argv[2], argv[3], per,
           (unsigned long long)s->n, cpu);
    return 0;
}
