#include "concbench/record.h"

#include <stdio.h>

#include "concbench/sysname.h"

const struct cb_worker_record *cb_record_first_failure(const struct cb_worker_record *rec,
                                                       uint32_t n)
{
    const struct cb_worker_record *abandoned = NULL;

    for (uint32_t i = 0; i < n; i++) {
        if (rec[i].status == CB_WORKER_ABANDONED && !abandoned)
            abandoned = &rec[i];
        else if (rec[i].status != CB_WORKER_OK && rec[i].status != CB_WORKER_ABANDONED)
            return &rec[i];
    }
    return abandoned;
}

void cb_record_status_str(const struct cb_worker_record *rec, char *buf, size_t len)
{
    const char *name;

    switch ((enum cb_worker_status)rec->status) {
    case CB_WORKER_OK:
        snprintf(buf, len, "ok");
        break;
    case CB_WORKER_WRONG_CHECKSUM:
        snprintf(buf, len, "wrong-checksum");
        break;
    case CB_WORKER_CRASHED:
        name = cb_sysname_signal(rec->detail);
        if (name)
            snprintf(buf, len, "crashed: %s", name);
        else
            snprintf(buf, len, "crashed: signal %d", (int)rec->detail);
        break;
    case CB_WORKER_EXITED:
        snprintf(buf, len, "exit %d", (int)rec->detail);
        break;
    case CB_WORKER_NOT_STARTED:
        snprintf(buf, len, "not-started");
        break;
    case CB_WORKER_TIMEOUT:
        snprintf(buf, len, "timeout");
        break;
    case CB_WORKER_NO_MEMORY:
        snprintf(buf, len, "out-of-memory%s%.*s", rec->note[0] ? ": " : "",
                 (int)sizeof rec->note, rec->note);
        break;
    case CB_WORKER_BAD_PAYLOAD:
        snprintf(buf, len, "bad-payload");
        break;
    case CB_WORKER_ABANDONED:
        snprintf(buf, len, "abandoned: a worker sharing its state died");
        break;
    case CB_WORKER_SETUP_FAILED:
        snprintf(buf, len, "setup-failed%s%.*s", rec->note[0] ? ": " : "",
                 (int)sizeof rec->note, rec->note);
        break;
    case CB_WORKER_PENDING:
    default:
        snprintf(buf, len, "no-report");
        break;
    }
}
