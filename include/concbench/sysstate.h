/* The machine's state, as `pyperf system check` reads it: what else runs
 * (others' CPU, runnable tasks, steal, load), how the CPUs are set
 * (governor, turbo, transparent huge pages, a cgroup CPU quota) and what
 * build this is. Everything is read under a root directory prefix, so
 * tests can feed fake /proc and /sys trees. Prints nothing. */
#ifndef CONCBENCH_SYSSTATE_H
#define CONCBENCH_SYSSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/stats.h"

#define CB_SYSSTATE_MAX_CPUS 1024
#define CB_SYSSTATE_MAX_FINDINGS 12
#define CB_SYSSTATE_LINE 448 /* bytes of one problem line */
/* Others using at least this share of the usable CPUs (and 0.1 CPU) warn. */
#define CB_SYSSTATE_OTHERS_WARN 0.10
/* Steal above this share of the usable CPUs' time warns. */
#define CB_SYSSTATE_STEAL_WARN 0.01
/* A 1-minute load average at or above this many times the usable CPUs. */
#define CB_SYSSTATE_LOAD_WARN 2.0

/* Where to read and which CPUs' counters count. */
struct cb_sysstate_src {
    char root[256];      /* "" for this machine; a directory in tests */
    bool all_cpus;       /* every cpuN line of /proc/stat; else cpus[] */
    uint64_t cpus[CB_SYSSTATE_MAX_CPUS / 64]; /* bit N: CPU N counts */
};

/* One reading of the counters behind the per-sample figures. */
struct cb_sysstate_snap {
    bool valid;             /* /proc/stat was read */
    uint64_t mono_ns;       /* CLOCK_MONOTONIC when read */
    uint64_t busy_ns;       /* user+nice+system+irq+softirq, counted CPUs */
    uint64_t steal_ns;      /* steal, counted CPUs */
    uint64_t own_cpu_ns;    /* this process and its reaped children */
    uint32_t procs_running; /* machine-wide; this process included */
    uint32_t cpus;          /* CPUs counted */
};

/* What the rest of the machine did between two readings. */
struct cb_sysstate_delta {
    bool valid;
    uint64_t interval_ns;
    int64_t others_ns;      /* busy - own: tick-sampled, may be negative */
    uint64_t steal_ns;
    uint32_t procs_running; /* at the first reading, this process included */
    uint32_t cpus;          /* CPUs counted */
};

enum cb_sysstate_level { CB_SYSSTATE_OK, CB_SYSSTATE_NOTE, CB_SYSSTATE_WARN };

/* One line of `concbench check`; a WARN is a problem warned about. */
struct cb_sysstate_finding {
    const char *check;      /* "others_cpu", "governor", ...: stable names */
    const char *label;      /* "CPU use by others" */
    char value[160];
    enum cb_sysstate_level level;
    char advice[224];       /* why it matters / what to do; "" when ok */
};

/* The state of the machine for one run or one `check`. Strings are
 * "unknown" where the machine exposes nothing. */
struct cb_sysstate {
    bool collected;         /* false: nothing here (a zeroed state) */
    char governor[96];      /* "performance", or "mixed: a, b" */
    char turbo[16];         /* "on", "off" */
    char thp[16];           /* "always", "madvise", "never" */
    char build_type[32];    /* CMAKE_BUILD_TYPE, lower case */
    bool optimized;         /* built with optimisation (__OPTIMIZE__) */
    char sanitizers[64];    /* -fsanitize=...; "" when none */
    double cpu_quota;       /* CPUs the cgroup allows; 0 when no quota */
    char quota_source[32];  /* "cgroup v2 cpu.max", "cgroup v1", "none" */
    double load_avg[3];     /* -1 when unknown */
    long procs_running;     /* when collected, this process included; -1 */
    long usable_cpus, logical_cpus;
    /* What others did while concbench measured: over a run's samples, or
     * over `check`'s observation window. */
    bool measured;
    double others_cpu;      /* mean CPUs others used (busy - own) / time */
    double others_cpu_max;  /* the largest benchmark mean */
    double steal_s;         /* steal on the counted CPUs */
    double steal_frac;      /* steal / (time x counted CPUs) */
    double observed_s;      /* the time these cover */
    double procs_others;    /* runnable tasks besides concbench: when
                               collected, or the median over samples; -1 */
    /* `check` only: a bare loop of about 10 ms timed back to back in the
     * observation window (seconds); n is 0 when not probed, as in a
     * run, whose noise floor measures the same between its samples. Its
     * robust CV (cb_stats_robust_cv) above CB_FLOOR_CV_WARN warns. */
    struct cb_stats host_speed;
};

/* Fills src for this machine (root "") or for a fake tree under root,
 * counting the CPUs of this process's affinity mask (every CPU when root
 * is not "" or the mask cannot be read). Can't fail: a root too long is
 * cut, and then nothing under it reads. */
void cb_sysstate_src_init(struct cb_sysstate_src *src, const char *root);

/* Reads /proc/stat under src (NULL: this machine) and this process's
 * CPU time. Can't fail: on a read error snap->valid is false. Async-
 * signal-unsafe; cheap enough to call around every sample. */
void cb_sysstate_snapshot(const struct cb_sysstate_src *src,
                          struct cb_sysstate_snap *snap);

/* What others did between before and after. Invalid when either reading
 * is, or after precedes before. Can't fail. */
struct cb_sysstate_delta cb_sysstate_others(const struct cb_sysstate_snap *before,
                                            const struct cb_sysstate_snap *after);

/* Others' CPUs during d: others_ns / interval_ns, within 0 and the CPUs
 * counted (the 10 ms ticks of /proc/stat overshoot on short samples);
 * NAN when d is invalid or empty. Can't fail. */
double cb_sysstate_others_cpu(const struct cb_sysstate_delta *d);

/* Collects the static state (governor, turbo, THP, build, quota, load,
 * runnable tasks, CPU counts) under src (NULL: this machine); measured
 * stays false. Can't fail: what cannot be read is "unknown" / -1. */
void cb_sysstate_collect(const struct cb_sysstate_src *src, struct cb_sysstate *st);

/* Sets the measured figures of st from the sum of deltas over a time
 * (others_ns and steal_ns summed, interval the time they cover) and the
 * median runnable tasks besides this process (below 0: keep the value
 * collected). Can't fail. */
void cb_sysstate_measured(struct cb_sysstate *st, int64_t others_ns, uint64_t steal_ns,
                          uint64_t interval_ns, double procs_others);

/* Judges st: writes up to max findings, in a fixed order, to out and
 * returns how many (none when st was never collected). Those with level
 * WARN are the problems. Can't fail. */
size_t cb_sysstate_findings(const struct cb_sysstate *st,
                            struct cb_sysstate_finding *out, size_t max);

/* Writes the one-line warning of f ("LABEL: VALUE; ADVICE") to buf.
 * Can't fail. */
void cb_sysstate_problem_line(const struct cb_sysstate_finding *f, char *buf, size_t len);

#endif
