#include "concbench/sysstate.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/version.h"


static const char unknown[] = "unknown";

/* ---- files under the root ---------------------------------------------- */

/* A path too long for out is left empty, and then simply not found. */
static void join(char *out, size_t len, const struct cb_sysstate_src *src, const char *path)
{
    size_t a = strlen(src->root), b = strlen(path);

    out[0] = '\0';
    if (a + b >= len)
        return;
    memcpy(out, src->root, a);
    memcpy(out + a, path, b + 1);
}

/* Reads the small file root/path into buf (cut at len-1 bytes), without
 * its trailing newline. Returns 0, or -1 when it cannot be read. */
static int read_small(const struct cb_sysstate_src *src, const char *path, char *buf,
                      size_t len)
{
    char full[512];
    ssize_t n;
    int fd;

    join(full, sizeof full, src, path);
    fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* ---- /proc/stat -------------------------------------------------------- */

static bool counted(const struct cb_sysstate_src *src, unsigned long cpu)
{
    return cpu < CB_SYSSTATE_MAX_CPUS && (src->cpus[cpu / 64] >> (cpu % 64) & 1u);
}

struct stat_totals {
    uint64_t busy_ticks, steal_ticks;
    uint32_t procs_running, counted, logical;
    bool have_cpu;
};

/* One "cpu..." line: the aggregate when every CPU counts, else the
 * counted cpuN lines. */
static void add_cpu_line(const struct cb_sysstate_src *src, const char *line,
                         struct stat_totals *t)
{
    unsigned long long v[8] = { 0 };
    unsigned long cpu = 0;
    const char *p = line + 3;
    bool aggregate = *p == ' ';

    if (!aggregate) {
        char *end;

        cpu = strtoul(p, &end, 10);
        if (end == p)
            return;
        p = end;
        t->logical++;
    }
    if (sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) < 4)
        return;
    if (aggregate ? !src->all_cpus : src->all_cpus || !counted(src, cpu))
        return;
    /* user nice system idle iowait irq softirq steal; guest time is
     * already inside user and nice. */
    t->busy_ticks += v[0] + v[1] + v[2] + v[5] + v[6];
    t->steal_ticks += v[7];
    t->counted += !aggregate;
    t->have_cpu = true;
}

/* Lines longer than the buffer (intr, softirq) are skipped, not split. */
static int read_stat(const struct cb_sysstate_src *src, struct stat_totals *t)
{
    char path[512], line[512];
    bool at_start = true;
    FILE *f;

    memset(t, 0, sizeof *t);
    join(path, sizeof path, src, "/proc/stat");
    f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        bool start = at_start;

        at_start = strchr(line, '\n') != NULL;
        if (!start)
            continue;
        if (strncmp(line, "cpu", 3) == 0)
            add_cpu_line(src, line, t);
        else if (strncmp(line, "procs_running ", 14) == 0)
            t->procs_running = (uint32_t)strtoul(line + 14, NULL, 10);
    }
    fclose(f);
    return t->have_cpu ? 0 : -1;
}

static uint64_t ticks_ns(uint64_t ticks)
{
    long hz = sysconf(_SC_CLK_TCK);

    return ticks * (CB_NS_PER_S / (uint64_t)(hz > 0 ? hz : 100));
}

/* CPU time of this process (every thread, live or gone) and of the
 * children it has reaped. */
static uint64_t own_cpu_ns(void)
{
    struct timespec ts;
    struct rusage ru;
    uint64_t ns = 0;

    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
        ns = (uint64_t)ts.tv_sec * CB_NS_PER_S + (uint64_t)ts.tv_nsec;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        ns += ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * CB_NS_PER_S +
              ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
    return ns;
}

/* ---- the source -------------------------------------------------------- */

static void mask_from_affinity(struct cb_sysstate_src *src)
{
    cpu_set_t *set = CPU_ALLOC(CB_SYSSTATE_MAX_CPUS);
    size_t size = CPU_ALLOC_SIZE(CB_SYSSTATE_MAX_CPUS);

    /* Wider masks than this fail with EINVAL: then every CPU counts. */
    if (!set)
        return;
    CPU_ZERO_S(size, set);
    if (sched_getaffinity(0, size, set) == 0 && CPU_COUNT_S(size, set) > 0) {
        src->all_cpus = false;
        for (unsigned i = 0; i < CB_SYSSTATE_MAX_CPUS; i++)
            if (CPU_ISSET_S(i, size, set))
                src->cpus[i / 64] |= 1ull << (i % 64);
    }
    CPU_FREE(set);
}

void cb_sysstate_src_init(struct cb_sysstate_src *src, const char *root)
{
    memset(src, 0, sizeof *src);
    snprintf(src->root, sizeof src->root, "%s", root ? root : "");
    src->all_cpus = true;
    if (!src->root[0])
        mask_from_affinity(src);
}

static struct cb_sysstate_src machine;
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;

static void init_machine(void)
{
    cb_sysstate_src_init(&machine, "");
}

static const struct cb_sysstate_src *source(const struct cb_sysstate_src *src)
{
    if (src)
        return src;
    pthread_once(&machine_once, init_machine);
    return &machine;
}

/* ---- snapshots --------------------------------------------------------- */

void cb_sysstate_snapshot(const struct cb_sysstate_src *src, struct cb_sysstate_snap *snap)
{
    struct stat_totals t;

    src = source(src);
    memset(snap, 0, sizeof *snap);
    snap->valid = read_stat(src, &t) == 0;
    snap->mono_ns = cb_clock_now_ns();
    snap->own_cpu_ns = own_cpu_ns();
    snap->busy_ns = ticks_ns(t.busy_ticks);
    snap->steal_ns = ticks_ns(t.steal_ticks);
    snap->procs_running = t.procs_running;
    snap->cpus = src->all_cpus ? t.logical : t.counted;
}

struct cb_sysstate_delta cb_sysstate_others(const struct cb_sysstate_snap *before,
                                            const struct cb_sysstate_snap *after)
{
    struct cb_sysstate_delta d = { 0 };

    if (!before->valid || !after->valid || after->mono_ns < before->mono_ns ||
        after->busy_ns < before->busy_ns || after->steal_ns < before->steal_ns ||
        after->own_cpu_ns < before->own_cpu_ns)
        return d;
    d.valid = true;
    d.interval_ns = after->mono_ns - before->mono_ns;
    d.others_ns = (int64_t)(after->busy_ns - before->busy_ns) -
                  (int64_t)(after->own_cpu_ns - before->own_cpu_ns);
    d.steal_ns = after->steal_ns - before->steal_ns;
    d.procs_running = before->procs_running;
    d.cpus = after->cpus;
    return d;
}

double cb_sysstate_others_cpu(const struct cb_sysstate_delta *d)
{
    if (!d->valid || d->interval_ns == 0)
        return NAN;
    double v = d->others_ns > 0 ? (double)d->others_ns / (double)d->interval_ns : 0.0;

    return d->cpus > 0 && v > d->cpus ? (double)d->cpus : v;
}

/* ---- the static state -------------------------------------------------- */

/* "always [madvise] never": the bracketed word. */
static void collect_thp(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    char buf[128];
    char *open_b, *close_b;

    snprintf(st->thp, sizeof st->thp, "%s", unknown);
    if (read_small(src, "/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf) != 0)
        return;
    open_b = strchr(buf, '[');
    close_b = open_b ? strchr(open_b, ']') : NULL;
    if (close_b && close_b > open_b + 1 && (size_t)(close_b - open_b) <= sizeof st->thp)
        snprintf(st->thp, sizeof st->thp, "%.*s", (int)(close_b - open_b - 1), open_b + 1);
}

/* intel_pstate says no_turbo; acpi-cpufreq and amd-pstate say boost. */
static void collect_turbo(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    char buf[16];

    snprintf(st->turbo, sizeof st->turbo, "%s", unknown);
    if (read_small(src, "/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof buf) == 0 &&
        (buf[0] == '0' || buf[0] == '1'))
        snprintf(st->turbo, sizeof st->turbo, "%s", buf[0] == '1' ? "off" : "on");
    else if (read_small(src, "/sys/devices/system/cpu/cpufreq/boost", buf, sizeof buf) == 0 &&
             (buf[0] == '0' || buf[0] == '1'))
        snprintf(st->turbo, sizeof st->turbo, "%s", buf[0] == '1' ? "on" : "off");
}

static bool cpu_exists(const struct cb_sysstate_src *src, unsigned cpu)
{
    char path[512];

    snprintf(path, sizeof path, "%s/sys/devices/system/cpu/cpu%u", src->root, cpu);
    return access(path, F_OK) == 0;
}

/* Appends gov to the distinct governors seen, ", "-separated; returns
 * whether it was new. */
static bool add_governor(char *list, size_t len, const char *gov)
{
    size_t n = strlen(gov), used = strlen(list);

    for (const char *p = list; (p = strstr(p, gov)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return false;
    snprintf(list + used, len - used, "%s%s", used ? ", " : "", gov);
    return true;
}

static void collect_governor(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    char list[96] = "", gov[64], path[96];
    size_t kinds = 0;

    for (unsigned cpu = 0; cpu < CB_SYSSTATE_MAX_CPUS; cpu++) {
        if (src->all_cpus && !cpu_exists(src, cpu))
            break;
        if (!src->all_cpus && !counted(src, cpu))
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor",
                 cpu);
        if (read_small(src, path, gov, sizeof gov) == 0 && gov[0])
            kinds += add_governor(list, sizeof list, gov);
    }
    if (!list[0])
        snprintf(st->governor, sizeof st->governor, "%s", unknown);
    else
        snprintf(st->governor, sizeof st->governor, "%s%s", kinds > 1 ? "mixed: " : "", list);
}

static void collect_build(struct cb_sysstate *st)
{
    snprintf(st->build_type, sizeof st->build_type, "%s",
             CB_BUILD_TYPE[0] ? CB_BUILD_TYPE : "none");
    snprintf(st->sanitizers, sizeof st->sanitizers, "%s", CB_SANITIZE);
#ifdef __OPTIMIZE__
    st->optimized = true;
#else
    st->optimized = false;
#endif
}

static void collect_load(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    char buf[128];

    st->load_avg[0] = st->load_avg[1] = st->load_avg[2] = -1;
    if (read_small(src, "/proc/loadavg", buf, sizeof buf) == 0 &&
        sscanf(buf, "%lf %lf %lf", &st->load_avg[0], &st->load_avg[1], &st->load_avg[2]) != 3)
        st->load_avg[0] = st->load_avg[1] = st->load_avg[2] = -1;
}

static void collect_counts(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    struct stat_totals t;

    st->procs_running = st->usable_cpus = st->logical_cpus = -1;
    st->procs_others = -1;
    if (read_stat(src, &t) != 0)
        return;
    st->procs_running = t.procs_running;
    st->procs_others = t.procs_running >= 1 ? (double)t.procs_running - 1 : -1;
    st->logical_cpus = t.logical;
    st->usable_cpus = src->all_cpus ? (long)t.logical : (long)t.counted;
}

/* ---- the cgroup CPU quota ---------------------------------------------- */

/* The quota in CPUs of one cgroup directory; 0 when it sets none. */
static double quota_at(const struct cb_sysstate_src *src, const char *dir, bool v2)
{
    char path[560], buf[64];
    double q, p;

    snprintf(path, sizeof path, "%s/%s", dir, v2 ? "cpu.max" : "cpu.cfs_quota_us");
    /* "max 100000" and "-1" read as no quota. */
    if (read_small(src, path, buf, sizeof buf) != 0 ||
        sscanf(buf, "%lf %lf", &q, &p) != (v2 ? 2 : 1))
        return 0;
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    if (!v2 && (read_small(src, path, buf, sizeof buf) != 0 || sscanf(buf, "%lf", &p) != 1))
        return 0;
    return q > 0 && p > 0 ? q / p : 0;
}

/* The tightest quota from mount/cgpath up to the mount's root: a parent's
 * limit binds its children. */
static double quota_walk(const struct cb_sysstate_src *src, const char *mount,
                         const char *cgpath, bool v2)
{
    char dir[512];
    double best = 0;
    size_t base;

    snprintf(dir, sizeof dir, "%s%s", mount, strcmp(cgpath, "/") == 0 ? "" : cgpath);
    base = strlen(mount);
    for (;;) {
        double q = quota_at(src, dir, v2);
        char *slash;

        if (q > 0 && (best == 0 || q < best))
            best = q;
        if (strlen(dir) <= base)
            break;
        slash = strrchr(dir + base, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    return best;
}

/* "cpu,cpuacct" holds "cpu" as a whole item? */
static bool has_cpu_controller(const char *list)
{
    size_t n = strcspn(list, ":");

    for (const char *p = list; p < list + n;) {
        size_t k = strcspn(p, ",:");

        if (k == 3 && strncmp(p, "cpu", 3) == 0)
            return true;
        p += k + (p[k] == ',');
        if (k == 0)
            break;
    }
    return false;
}

static double quota_v1(const struct cb_sysstate_src *src, const char *controllers,
                       const char *cgpath)
{
    char mount[160];
    size_t n = strcspn(controllers, ":");
    double q;

    /* Mounted as the list ("cpu,cpuacct") or as "cpu" (often a link). */
    snprintf(mount, sizeof mount, "/sys/fs/cgroup/%.*s", (int)n, controllers);
    q = quota_walk(src, mount, cgpath, false);
    return q > 0 ? q : quota_walk(src, "/sys/fs/cgroup/cpu", cgpath, false);
}

static void collect_quota(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    char path[512], line[512];
    FILE *f;

    st->cpu_quota = 0;
    snprintf(st->quota_source, sizeof st->quota_source, "none");
    join(path, sizeof path, src, "/proc/self/cgroup");
    f = fopen(path, "re");
    if (!f)
        return;
    while (st->cpu_quota == 0 && fgets(line, sizeof line, f)) {
        char *ctrl = strchr(line, ':'), *cg;

        line[strcspn(line, "\n")] = '\0';
        cg = ctrl ? strchr(ctrl + 1, ':') : NULL;
        if (!cg || cg[1] != '/')
            continue;
        if (ctrl[1] == ':') {
            st->cpu_quota = quota_walk(src, "/sys/fs/cgroup", cg + 1, true);
            snprintf(st->quota_source, sizeof st->quota_source, "cgroup v2 cpu.max");
        } else if (has_cpu_controller(ctrl + 1)) {
            st->cpu_quota = quota_v1(src, ctrl + 1, cg + 1);
            snprintf(st->quota_source, sizeof st->quota_source, "cgroup v1 cfs_quota_us");
        }
    }
    fclose(f);
    if (st->cpu_quota == 0)
        snprintf(st->quota_source, sizeof st->quota_source, "none");
}

void cb_sysstate_collect(const struct cb_sysstate_src *src, struct cb_sysstate *st)
{
    src = source(src);
    memset(st, 0, sizeof *st);
    st->collected = true;
    collect_governor(src, st);
    collect_turbo(src, st);
    collect_thp(src, st);
    collect_build(st);
    collect_quota(src, st);
    collect_load(src, st);
    collect_counts(src, st);
}

void cb_sysstate_measured(struct cb_sysstate *st, int64_t others_ns, uint64_t steal_ns,
                          uint64_t interval_ns, double procs_others)
{
    long cpus = st->usable_cpus > 0 ? st->usable_cpus : 1;

    st->measured = interval_ns > 0;
    if (!st->measured)
        return;
    st->observed_s = cb_clock_ns_to_s(interval_ns);
    st->others_cpu = others_ns > 0 ? (double)others_ns / (double)interval_ns : 0;
    /* The ticks can overshoot by one per CPU and reading. */
    if (st->usable_cpus > 0 && st->others_cpu > (double)st->usable_cpus)
        st->others_cpu = (double)st->usable_cpus;
    st->steal_s = cb_clock_ns_to_s(steal_ns);
    st->steal_frac = (double)steal_ns / ((double)interval_ns * (double)cpus);
    if (procs_others >= 0)
        st->procs_others = procs_others;
}
