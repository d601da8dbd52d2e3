#include "concbench/record.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <errno.h>

static size_t shared_size(uint32_t n)
{
    return sizeof(struct cb_shared) +
           (size_t)n * (sizeof(struct cb_worker_record) + sizeof(struct cb_unit_record));
}

struct cb_shared *cb_shared_map(uint32_t n, struct cb_error *err)
{
    size_t size = shared_size(n);
    struct cb_shared *s;

    /* MAP_SHARED before any fork: a child's writes land in the parent's
     * view with no copying or serialisation. */
    s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        cb_error_set(err, "cannot map records for %u workers: %s", n, strerror(errno));
        return NULL;
    }
    s->capacity = n;
    /* Inherited at the same address by every fork: a pointer is fine. */
    s->unit = (struct cb_unit_record *)(void *)&s->rec[n];
    return s;
}

void cb_shared_reset(struct cb_shared *s, uint32_t n)
{
    atomic_store(&s->ready, 0);
    atomic_store(&s->abort, 0);
    atomic_store(&s->held, 0);
    memset(s->rec, 0, (size_t)n * sizeof s->rec[0]);
    memset(s->unit, 0, (size_t)n * sizeof s->unit[0]);
}

void cb_shared_unmap(struct cb_shared *s)
{
    if (s)
        munmap(s, shared_size(s->capacity));
}

const char *cb_signal_name(int sig)
{
    static const struct { int sig; const char *name; } names[] = {
        { SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
        { SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
        { SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
        { SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
        { SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
        { SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" },
        { SIGTSTP, "SIGTSTP" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
        { SIGSYS, "SIGSYS" },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    return NULL;
}

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
        name = cb_signal_name(rec->detail);
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
        snprintf(buf, len, "out-of-memory");
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
