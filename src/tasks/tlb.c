/* tlb: one region mapped MAP_SHARED | MAP_ANONYMOUS before any job
 * exists (the task's run-wide state: the same mapping in every mode);
 * job i writes its own --tlb-pages pages and releases them with
 * madvise(MADV_DONTNEED), --iterations times. An operation is a release:
 * its cost is the TLB flush, local when only this job's CPU uses the
 * address space, sent to every other CPU running it otherwise. README.md,
 * "Threads and processes on one address space", has the figures. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "concbench/task.h"

#define TLB_PAGE 4096u

static const struct cb_param_desc tlb_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT64_MAX,
      .def = 10000, .help = "write-and-release rounds of each job",
      .json = CB_JSON_PARAMS },
    { .flag = "tlb-pages", .json_name = "tlb_pages", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, tlb_pages), .min = 1, .max = 512,
      .def = 1, .help = "pages each job writes and releases per round",
      .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static size_t tlb_state_bytes(const struct cb_params *p, uint32_t jobs)
{
    return (size_t)jobs * (size_t)p->tlb_pages * TLB_PAGE;
}

/* Each page is written with the round's number and read back; pages
 * released with MADV_DONTNEED come back on the next write (the shmem
 * page stays, only this address space's entry and TLB entries go). A
 * release that fails adds nothing: the checksum then says so. */
static uint64_t tlb_run(const struct cb_params *p, void *state,
                        const struct cb_hooks *h)
{
    size_t len = (size_t)p->tlb_pages * TLB_PAGE;
    uint32_t job = h ? h->job : 0;
    volatile unsigned char *mine = (unsigned char *)state + (size_t)job * len;
    uint64_t sum = 0;

    for (uint64_t i = 0; i < p->iterations; i++) {
        for (size_t off = 0; off < len; off += TLB_PAGE) {
            mine[off] = (unsigned char)(i + 1);
            sum += mine[off];
        }
        if (madvise((void *)mine, len, MADV_DONTNEED) != 0)
            sum -= 1;
        cb_hooks_checkpoint(h);
    }
    return sum;
}

/* Round i writes (i + 1) mod 256: every 256 rounds add 0 + 1 + ... +
 * 255 = 32640 per page, and the r rounds left 1 + ... + r. */
static uint64_t tlb_expected(const struct cb_params *p)
{
    uint64_t r = p->iterations % 256u;

    return (p->iterations / 256u * 32640u + r * (r + 1) / 2) * p->tlb_pages;
}

/* The pages stay in the shared region (shmem) after a release. */
static uint64_t tlb_memory(const struct cb_params *p)
{
    return p->tlb_pages * TLB_PAGE;
}

const struct cb_task cb_task_tlb = {
    .name = "tlb",
    .description = "TLB shootdowns: each job writes its own page(s) of one "
                   "shared region and releases them (MADV_DONTNEED); shows a release "
                   "flushing every CPU a shared address space runs on",
    .cpu_bound = true,
    .opt_in = true, /* an address-space test, not one of the speed claims */
    .op = "release",
    .ops = cb_task_iterations,
    .params = tlb_params,
    .run = tlb_run,
    .expected = tlb_expected,
    .state_bytes = tlb_state_bytes,
    .job_memory = tlb_memory,
};
