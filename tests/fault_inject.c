/* A test build's fault switch, linked into concbench-faulty only: the
 * library's cb_worker_fault() is a weak no-op, so the concbench users run
 * has no trace of it. CONCBENCH_FAULT=segv|abort|payload makes job 0 of
 * every sample crash after its task, before it reports, or damage one
 * byte of its payload on the way. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/worker.h"

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
