/* What the raw creation floors (cb_rawspawn, cb_stamp.so) stamp at a new
 * thread's or process's first instruction, and how they read its
 * run-queue wait: one definition for both, header-only (the bench
 * programs link nothing of concbench's). */
#ifndef CB_BENCH_RAW_STAMP_H
#define CB_BENCH_RAW_STAMP_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* The stamp page a child writes: its first instruction and its run-queue
 * wait then. */
struct stamp {
    uint64_t first_ns;
    uint64_t queue_ns;
};

/* The second field of /proc/thread-self/schedstat: the time this thread
 * waited in a run queue so far (0 when it cannot be read). */
static inline uint64_t queue_wait_ns(void)
{
    char buf[96];
    unsigned long long on_cpu, waited;
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return sscanf(buf, "%llu %llu", &on_cpu, &waited) == 2 ? (uint64_t)waited : 0;
}

#endif
