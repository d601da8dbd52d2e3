/* A test build's fault switch, linked into concbench-faulty only: the
 * library's cb_worker_fault() is a weak no-op, so the concbench users run
 * has no trace of it. CONCBENCH_FAULT=segv|abort|payload makes job 0 of
 * every sample crash after its task, before it reports, or damage one
 * byte of its payload on the way; CONCBENCH_SLOWDOWN=PCT makes every job
 * do PCT% more work. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/worker.h"

/* CONCBENCH_SLOWDOWN=PCT: every job does PCT% more work (--iterations
 * and --sleep scaled) while the file records the parameters as given. */
bool cb_worker_params(const struct cb_params *recorded, struct cb_params *run)
{
    const char *s = getenv("CONCBENCH_SLOWDOWN");
    unsigned long pct = s ? strtoul(s, NULL, 10) : 0;

    *run = *recorded;
    if (pct == 0 || pct > 1000)
        return false;
    run->iterations += run->iterations / 100 * pct + run->iterations % 100 * pct / 100;
    run->sleep_ns += run->sleep_ns / 100 * pct;
    return true;
}

bool cb_worker_fault(uint32_t job)
{
    const char *f = getenv("CONCBENCH_FAULT");

    if (!f || job != 0)
        return false;
    if (strcmp(f, "segv") == 0)
        raise(SIGSEGV);
    else if (strcmp(f, "abort") == 0)
        abort();
    return strcmp(f, "payload") == 0;
}
