/* Memory of live workers: proportional set size (PSS) from
 * /proc/PID/smaps_rollup, and touched allocations. */
#ifndef CONCBENCH_MEMORY_H
#define CONCBENCH_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"

/* Reads the Pss line of /proc/PID/smaps_rollup (pid 0: this process), in
 * KiB. Returns 0, or -1 with err set (*kib untouched). */
int cb_memory_pss_kib(pid_t pid, uint64_t *kib, struct cb_error *err);

/* Reads this process's PSS plus that of the n children in pids (a 0 pid
 * is skipped) into *kib. Returns 0, or -1 with err set. */
int cb_memory_pss_sum(const pid_t *pids, uint32_t n, uint64_t *kib,
                      struct cb_error *err);

/* What can be allocated without swapping or meeting a container's limit:
 * MemAvailable from /proc/meminfo, or less when this process's memory
 * cgroup (v2 memory.max, v1 memory.limit_in_bytes) leaves less. Returns 0,
 * or -1 when /proc/meminfo can't be read (*bytes untouched). */
int cb_memory_available(uint64_t *bytes);

/* Allocates size bytes and writes every page, so they count in the
 * caller's RSS and PSS. Returns NULL for size 0 or when out of memory
 * (then *err is set when err is not NULL); free with cb_memory_release(). */
void *cb_memory_touch(size_t size, struct cb_error *err);

/* Frees what cb_memory_touch() returned; NULL is accepted. */
void cb_memory_release(void *p, size_t size);

#endif
