/* fault: each job maps an anonymous region of --region bytes (no huge
 * pages), writes one byte in every page, and unmaps it, --iterations
 * times. An operation is a page fault: what a fresh buffer costs. The
 * measured threads-against-processes difference is in README.md,
 * "Threads and processes on one address space". */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "concbench/task.h"

#define FAULT_PAGE 4096u
#define FAULT_CHUNK 16u /* pages between checkpoints: tens of µs */

static const struct cb_param_desc fault_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = 1000000u,
      .def = 1, /* 32768 faults: tens of ms here */
      .help = "map, touch and unmap the region this many times",
      .json = CB_JSON_PARAMS },
    { .flag = "region", .json_name = "region_bytes", .kind = CB_PARAM_SIZE,
      CB_PARAM_AT(struct cb_params, region_bytes), .min = FAULT_PAGE,
      .max = 16ull << 30, .def = 128u << 20,
      .help = "bytes each job maps and touches (4KiB pages)",
      .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t fault_pages(const struct cb_params *p)
{
    return (p->region_bytes + FAULT_PAGE - 1) / FAULT_PAGE;
}

/* Writes one byte per page, reading each back: the sum proves every page
 * was reached. */
static uint64_t touch(volatile unsigned char *m, uint64_t pages, const struct cb_hooks *h)
{
    uint64_t sum = 0;

    for (uint64_t i = 0; i < pages; i++) {
        m[i * FAULT_PAGE] = 1;
        sum += m[i * FAULT_PAGE];
        if (i % FAULT_CHUNK == FAULT_CHUNK - 1)
            cb_hooks_checkpoint(h);
    }
    return sum;
}

/* An iteration that cannot map its region adds nothing: the checksum
 * then says so. */
static uint64_t fault_run(const struct cb_params *p, void *state,
                          const struct cb_hooks *h)
{
    uint64_t pages = fault_pages(p), sum = 0;
    size_t len = (size_t)(pages * FAULT_PAGE);

    (void)state;
    for (uint64_t it = 0; it < p->iterations; it++) {
        unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (m == MAP_FAILED)
            continue;
        /* 4 KiB faults in every mode, whatever THP is set to. */
        madvise(m, len, MADV_NOHUGEPAGE);
        sum += touch(m, pages, h);
        munmap(m, len);
    }
    return sum;
}

static uint64_t fault_expected(const struct cb_params *p)
{
    return fault_pages(p) * p->iterations;
}

static uint64_t fault_memory(const struct cb_params *p)
{
    return fault_pages(p) * FAULT_PAGE;
}

const struct cb_task cb_task_fault = {
    .name = "fault",
    .description = "page faults: each job maps --region, touches every page, "
                   "unmaps it, --iterations times; shows what a fault costs in one "
                   "shared address space or in one each",
    .cpu_bound = true,
    .opt_in = true, /* an address-space test, not one of the speed claims */
    .op = "page fault",
    .ops = fault_expected, /* one fault per page touched */
    .params = fault_params,
    .run = fault_run,
    .expected = fault_expected,
    .job_memory = fault_memory,
};
