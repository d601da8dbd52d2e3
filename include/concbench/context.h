/* What machine made a result file. */
#ifndef CONCBENCH_CONTEXT_H
#define CONCBENCH_CONTEXT_H

#include <stdint.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/sysstate.h"

/* Every string here is text, escaped as concbench/utf8.h says: bytes
 * that are not UTF-8 or are control characters read \xNN. */
struct cb_context {
    char date[32];        /* ISO-8601 UTC, "2026-11-22T10:00:00Z" */
    char hostname[256];
    char os[128];         /* PRETTY_NAME from /etc/os-release, or sysname */
    char kernel[128];     /* uname release */
    char arch[64];        /* uname machine */
    char cpu_model[192];  /* /proc/cpuinfo "model name", or "unknown" */
    long logical_cpus;    /* online CPUs */
    long usable_cpus;     /* CPUs in this process's affinity mask */
    uint64_t memory_bytes; /* physical memory; 0 if unknown */
    double load_avg[3];
    char *command;        /* argv joined, shell-quoted, escaped; owned */
    const struct cb_kv *user; /* --context pairs, escaped */
    size_t nuser;
    struct cb_kv *user_owned; /* user as cb_context_collect allocated it */
    struct cb_sysstate state; /* the machine's state: before the run, and
                                 what others did during it */
};

/* Collects the context of this machine and run, every string escaped
 * (argv, --context pairs from cfg, host and system names are bytes that
 * need not be UTF-8). Fields that cannot be read get "unknown" or -1; only
 * allocation failure returns -1 (err set, nothing left to free). Free
 * with cb_context_free(). */
int cb_context_collect(struct cb_context *ctx, int argc, char **argv,
                       const struct cb_config *cfg, struct cb_error *err);

/* Frees what cb_context_collect allocated. Can't fail. */
void cb_context_free(struct cb_context *ctx);

/* Returns the number of CPUs this process may run on (>= 1). Can't fail. */
long cb_context_usable_cpus(void);

#endif
