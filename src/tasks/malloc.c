/* malloc: each job allocates --iterations blocks of 1 to --block bytes
 * (sizes from a fixed seed, the same sequence in every job), writes the
 * first and last byte of each and frees it. glibc's mmap threshold is
 * fixed at --mmap-threshold by mallopt() before the job runs: left
 * dynamic, glibc raises it at the first free of an mmap'ed block and
 * every later block comes from the arena, so the run would measure
 * something else after its first operation. mallopt() is process-wide:
 * it is called in each job's unit (worker_setup: the child for
 * processes, the process running the threads otherwise) and stays set
 * there. glibc mmaps a block above the threshold only when the arena's
 * top chunk cannot hold it, and the top keeps M_TOP_PAD (128 KiB) spare
 * and is trimmed only above M_TRIM_THRESHOLD (128 KiB): how many blocks
 * were mmaped then depended on what the process had allocated before
 * (a copy of the loop: 33% of the blocks with the 14 KiB concbench's
 * processes inherit in use, 23% fresh). So the top pad is set to 0 and
 * the trim threshold to the mmap threshold: every block above the
 * threshold is mmaped and munmaped whatever the heap held. README.md, "Threads and
 * processes on one address space", says what the figures show. */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "concbench/task.h"

#define MALLOC_SEED UINT64_C(88172645463325252)

/* AddressSanitizer and ThreadSanitizer replace malloc, and their
 * mallopt() does nothing and returns 0: there is no threshold to set. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MALLOC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MALLOC_SANITIZED 1
#endif
#endif
#ifndef MALLOC_SANITIZED
#define MALLOC_SANITIZED 0
#endif
#define MALLOC_MAX_THRESHOLD (32u << 20) /* glibc: HEAP_MAX_SIZE / 2 */

static const struct cb_param_desc malloc_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT64_MAX,
      .def = 2000, .help = "blocks each job allocates, writes and frees",
      .json = CB_JSON_PARAMS },
    { .flag = "block", .json_name = "block_bytes", .kind = CB_PARAM_SIZE,
      CB_PARAM_AT(struct cb_params, block_bytes), .min = 1, .max = 1ull << 30,
      .def = 256u << 10, .help = "largest block; sizes are 1 to SIZE bytes",
      .json = CB_JSON_PARAMS },
    { .flag = "mmap-threshold", .json_name = "mmap_threshold_bytes",
      .kind = CB_PARAM_SIZE, CB_PARAM_AT(struct cb_params, mmap_threshold),
      .min = 0, .max = MALLOC_MAX_THRESHOLD, .def = 64u << 10,
      .help = "glibc's M_MMAP_THRESHOLD (larger blocks: mmap, munmap)",
      .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t next_size(uint64_t *x, uint64_t block)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return 1 + *x % block;
}

/* A block that cannot be had adds nothing: the checksum then says so. */
static uint64_t malloc_run(const struct cb_params *p, void *state,
                           const struct cb_hooks *h)
{
    uint64_t x = MALLOC_SEED, sum = 0;

    (void)state;
    for (uint64_t i = 0; i < p->iterations; i++) {
        size_t len = (size_t)next_size(&x, p->block_bytes);
        volatile unsigned char *b = malloc(len);

        if (b) {
            b[0] = (unsigned char)i;
            b[len - 1] = (unsigned char)i;
            sum += len + b[0] + b[len - 1];
            free((void *)b);
        }
        cb_hooks_checkpoint(h);
    }
    return sum;
}

static uint64_t malloc_expected(const struct cb_params *p)
{
    uint64_t x = MALLOC_SEED, sum = 0;

    for (uint64_t i = 0; i < p->iterations; i++)
        sum += next_size(&x, p->block_bytes) + 2 * (uint64_t)(unsigned char)i;
    return sum;
}

static uint64_t malloc_memory(const struct cb_params *p)
{
    return p->block_bytes;
}

static int malloc_worker_setup(const struct cb_params *p, void *state, uint32_t job,
                               void **local, struct cb_error *err)
{
    (void)state;
    (void)job;
    *local = NULL;
    if (MALLOC_SANITIZED)
        return 0;
    if (mallopt(M_MMAP_THRESHOLD, (int)p->mmap_threshold) != 1 ||
        mallopt(M_TOP_PAD, 0) != 1 || mallopt(M_TRIM_THRESHOLD, (int)p->mmap_threshold) != 1) {
        cb_error_set(err, "mallopt(M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_THRESHOLD) refused "
                     "(threshold %d)", (int)p->mmap_threshold);
        return -1;
    }
    return 0;
}

const struct cb_task cb_task_malloc = {
    .name = "malloc",
    .description = "allocator: each job mallocs, writes and frees --iterations "
                   "blocks up to --block (mmap threshold fixed); shows munmap's TLB "
                   "flushes costing threads, who share one address space",
    .cpu_bound = true,
    .opt_in = true, /* an address-space test, not one of the speed claims */
    .op = "malloc+write+free",
    .ops = cb_task_iterations,
    .params = malloc_params,
    .run = malloc_run,
    .expected = malloc_expected,
    .job_memory = malloc_memory,
    .worker_setup = malloc_worker_setup,
};
