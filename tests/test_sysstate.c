/* cb_sysstate: the machine's state read from fake /proc and /sys trees
 * under a temporary root, and the judgement of each finding. */
#include "cb_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concbench/sysstate.h"
#include "concbench/sysstate_run.h"
#include "concbench/version.h"

struct tree {
    char root[64];
};

/* Writes text to root/path, making the directories on the way. */
static void put(const struct tree *t, const char *path, const char *text)
{
    char full[512];
    FILE *f;

    snprintf(full, sizeof full, "%s/%s", t->root, path);
    for (char *p = full + strlen(t->root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(full, 0755) != 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", full, strerror(errno));
        *p = '/';
    }
    f = fopen(full, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof *t);

    if (!t)
        return -1;
    snprintf(t->root, sizeof t->root, "/tmp/cb_sysstate_XXXXXX");
    if (!mkdtemp(t->root)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];
    int rc;

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    rc = system(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

static const char stat_text[] =
    "cpu  1000 10 500 9000 40 5 5 30 0 0\n"
    "cpu0 600 10 200 4000 20 5 5 10 0 0\n"
    "cpu1 400 0 300 5000 20 0 0 20 0 0\n"
    "intr 12345 1 2 3\n"
    "procs_running 3\n"
    "procs_blocked 0\n";

static uint64_t tick_ns(void)
{
    return 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

/* The aggregate line when every CPU counts; the counted cpuN lines else. */
static void test_snapshot_counts(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate_snap s;

    put(t, "proc/stat", stat_text);
    cb_sysstate_src_init(&src, t->root);
    assert_true(src.all_cpus);
    cb_sysstate_snapshot(&src, &s);
    assert_true(s.valid);
    /* user + nice + system + irq + softirq; guest is inside user. */
    assert_int_equal(s.busy_ns, 1520 * tick_ns());
    assert_int_equal(s.steal_ns, 30 * tick_ns());
    assert_int_equal(s.procs_running, 3);
    assert_int_equal(s.cpus, 2);
    src.all_cpus = false;
    src.cpus[0] = 1u << 1; /* cpu1 only */
    cb_sysstate_snapshot(&src, &s);
    assert_int_equal(s.busy_ns, 700 * tick_ns());
    assert_int_equal(s.steal_ns, 20 * tick_ns());
    assert_int_equal(s.cpus, 1);
}

static void test_snapshot_missing(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate_snap a, b;
    struct cb_sysstate_delta d;

    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_snapshot(&src, &a);
    assert_false(a.valid);
    put(t, "proc/stat", "intr 1\nprocs_running 1\n"); /* no cpu line */
    cb_sysstate_snapshot(&src, &b);
    assert_false(b.valid);
    d = cb_sysstate_others(&a, &b);
    assert_false(d.valid);
    assert_true(isnan(cb_sysstate_others_cpu(&d)));
}

/* Two readings of a file that moved on: busy minus our own CPU time. */
static void test_others_from_files(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate_snap a, b;
    struct cb_sysstate_delta d;

    put(t, "proc/stat", stat_text);
    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_snapshot(&src, &a);
    put(t, "proc/stat", "cpu  1100 10 500 9000 40 5 5 35 0 0\n"
                        "cpu0 700 10 200 4000 20 5 5 15 0 0\n"
                        "cpu1 400 0 300 5000 20 0 0 20 0 0\nprocs_running 1\n");
    cb_sysstate_snapshot(&src, &b);
    d = cb_sysstate_others(&a, &b);
    assert_true(d.valid);
    assert_int_equal(d.procs_running, 3);
    assert_int_equal(d.steal_ns, 5 * tick_ns());
    /* 100 ticks of busy time, less what this test spent between reads. */
    assert_true(d.others_ns <= (int64_t)(100 * tick_ns()));
    assert_true(d.others_ns > (int64_t)(100 * tick_ns()) - (int64_t)(b.own_cpu_ns - a.own_cpu_ns) - 1);
}

static void test_others_arithmetic(void **state)
{
    struct cb_sysstate_snap a = { .valid = true, .mono_ns = 1000, .busy_ns = 0,
                                  .own_cpu_ns = 0, .procs_running = 2, .cpus = 4 };
    struct cb_sysstate_snap b = a;
    struct cb_sysstate_delta d;

    (void)state;
    b.mono_ns = 1000 + 100000000;   /* 100 ms */
    b.busy_ns = 300000000;          /* 300 ms busy */
    b.own_cpu_ns = 100000000;       /* 100 ms of it ours */
    d = cb_sysstate_others(&a, &b);
    assert_true(fabs(cb_sysstate_others_cpu(&d) - 2.0) < 1e-9);
    /* The ticks overshoot: never above the CPUs counted. */
    b.busy_ns = 900000000;
    b.cpus = 2;
    d = cb_sysstate_others(&a, &b);
    assert_true(cb_sysstate_others_cpu(&d) == 2.0);
    /* ...nor below zero, though the raw difference is kept signed. */
    b.busy_ns = 50000000;
    d = cb_sysstate_others(&a, &b);
    assert_true(d.others_ns < 0);
    assert_true(cb_sysstate_others_cpu(&d) == 0.0);
    /* A counter going backwards is no reading. */
    b.busy_ns = 0;
    a.busy_ns = 10;
    d = cb_sysstate_others(&a, &b);
    assert_false(d.valid);
}

static void test_collect_unknown(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate st;

    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.governor, "unknown");
    assert_string_equal(st.turbo, "unknown");
    assert_string_equal(st.thp, "unknown");
    assert_true(st.cpu_quota == 0);
    assert_string_equal(st.quota_source, "none");
    assert_true(st.load_avg[0] < 0);
    assert_int_equal(st.procs_running, -1);
    assert_true(st.procs_others < 0);
    assert_false(st.measured);
    /* The build is this binary's, not the tree's. */
    assert_string_equal(st.sanitizers, CB_SANITIZE);
}

static void test_collect_values(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate st;

    put(t, "proc/stat", stat_text);
    put(t, "proc/loadavg", "4.50 2.25 1.00 3/120 999\n");
    put(t, "sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
    put(t, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
    put(t, "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n");
    put(t, "sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.governor, "performance");
    assert_string_equal(st.turbo, "off");
    assert_string_equal(st.thp, "madvise");
    assert_true(st.load_avg[0] == 4.5 && st.load_avg[2] == 1.0);
    assert_int_equal(st.procs_running, 3);
    assert_true(st.procs_others == 2);
    assert_int_equal(st.logical_cpus, 2);
    assert_int_equal(st.usable_cpus, 2);
    put(t, "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "powersave\n");
    put(t, "sys/devices/system/cpu/cpu2/cpufreq/scaling_governor", "powersave\n");
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.governor, "mixed: performance, powersave");
    /* Only the CPUs this process may use count. */
    src.all_cpus = false;
    src.cpus[0] = 1u; /* cpu0 */
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.governor, "performance");
    assert_int_equal(st.usable_cpus, 1);
}

/* acpi-cpufreq and amd-pstate say boost, not no_turbo. */
static void test_collect_boost(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate st;

    put(t, "sys/devices/system/cpu/cpufreq/boost", "1\n");
    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.turbo, "on");
    put(t, "sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
    cb_sysstate_collect(&src, &st);
    assert_string_equal(st.thp, "always");
}

/* cgroup v2: the tightest cpu.max from our cgroup up to the root. */
static void test_quota_v2(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate st;

    put(t, "proc/self/cgroup", "0::/a/b\n");
    put(t, "sys/fs/cgroup/a/cpu.max", "150000 100000\n");
    put(t, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_collect(&src, &st);
    assert_true(fabs(st.cpu_quota - 1.5) < 1e-9);
    assert_string_equal(st.quota_source, "cgroup v2 cpu.max");
    put(t, "sys/fs/cgroup/a/cpu.max", "max 100000\n");
    cb_sysstate_collect(&src, &st);
    assert_true(st.cpu_quota == 0);
    assert_string_equal(st.quota_source, "none");
}

/* cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us, -1 for none. */
static void test_quota_v1(void **state)
{
    const struct tree *t = *state;
    struct cb_sysstate_src src;
    struct cb_sysstate st;

    put(t, "proc/self/cgroup", "5:memory:/x\n4:cpu,cpuacct:/docker/abc\n0::/\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cb_sysstate_src_init(&src, t->root);
    cb_sysstate_collect(&src, &st);
    assert_true(fabs(st.cpu_quota - 0.5) < 1e-9);
    assert_string_equal(st.quota_source, "cgroup v1 cfs_quota_us");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");
    cb_sysstate_collect(&src, &st);
    assert_true(st.cpu_quota == 0);
}

static const struct cb_sysstate_finding *find(const struct cb_sysstate_finding *f, size_t n,
                                              const char *check)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].check, check) == 0)
            return &f[i];
    fail_msg("no finding %s", check);
    return NULL;
}

static void quiet_state(struct cb_sysstate *st)
{
    memset(st, 0, sizeof *st);
    st->collected = true;
    snprintf(st->governor, sizeof st->governor, "performance");
    snprintf(st->turbo, sizeof st->turbo, "off");
    snprintf(st->thp, sizeof st->thp, "madvise");
    snprintf(st->build_type, sizeof st->build_type, "release");
    st->optimized = true;
    st->load_avg[0] = st->load_avg[1] = st->load_avg[2] = 0.1;
    st->procs_running = 1;
    st->usable_cpus = st->logical_cpus = 2;
    cb_sysstate_measured(st, 0, 0, 1000000000, 0);
}

static size_t levels(const struct cb_sysstate *st, struct cb_sysstate_finding *f,
                     enum cb_sysstate_level level)
{
    size_t n = cb_sysstate_findings(st, f, CB_SYSSTATE_MAX_FINDINGS), k = 0;

    for (size_t i = 0; i < n; i++)
        k += f[i].level == level;
    return k;
}

static void test_findings_quiet(void **state)
{
    struct cb_sysstate_finding f[CB_SYSSTATE_MAX_FINDINGS];
    struct cb_sysstate st;
    char lines[CB_SYSSTATE_MAX_FINDINGS][CB_SYSSTATE_LINE];

    (void)state;
    quiet_state(&st);
    assert_int_equal(cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS), 9);
    assert_int_equal(levels(&st, f, CB_SYSSTATE_WARN), 0);
    assert_int_equal(levels(&st, f, CB_SYSSTATE_NOTE), 0);
    assert_int_equal(cb_sysstate_problems(&st, lines, CB_SYSSTATE_MAX_FINDINGS), 0);
    /* max bounds what is written; a state never collected has none. */
    assert_int_equal(cb_sysstate_findings(&st, f, 3), 3);
    st.collected = false;
    assert_int_equal(cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS), 0);
}

/* One CPU of two taken by another process: the case the load average and
 * steal both miss. */
static void test_findings_busy(void **state)
{
    struct cb_sysstate_finding f[CB_SYSSTATE_MAX_FINDINGS];
    struct cb_sysstate st;
    char lines[CB_SYSSTATE_MAX_FINDINGS][CB_SYSSTATE_LINE];
    size_t n;

    (void)state;
    quiet_state(&st);
    cb_sysstate_measured(&st, 950000000, 0, 1000000000, 1);
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "others_cpu")->level, CB_SYSSTATE_WARN);
    assert_int_equal(find(f, n, "procs_running")->level, CB_SYSSTATE_OK);
    assert_int_equal(cb_sysstate_problems(&st, lines, CB_SYSSTATE_MAX_FINDINGS), 1);
    assert_non_null(strstr(lines[0], "0.95 of 2 CPUs"));
    /* Below a tenth of the usable CPUs: background noise, no warning. */
    cb_sysstate_measured(&st, 150000000, 0, 1000000000, 0);
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "others_cpu")->level, CB_SYSSTATE_OK);
    /* Every CPU wanted by others; 5% steal; a load of 400. */
    cb_sysstate_measured(&st, 0, 100000000, 1000000000, 2);
    st.load_avg[0] = 400;
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "procs_running")->level, CB_SYSSTATE_WARN);
    assert_int_equal(find(f, n, "steal")->level, CB_SYSSTATE_WARN);
    assert_int_equal(find(f, n, "load_avg")->level, CB_SYSSTATE_WARN);
}

static void test_findings_setup(void **state)
{
    struct cb_sysstate_finding f[CB_SYSSTATE_MAX_FINDINGS];
    struct cb_sysstate st;
    size_t n;

    (void)state;
    quiet_state(&st);
    snprintf(st.governor, sizeof st.governor, "powersave");
    snprintf(st.turbo, sizeof st.turbo, "on");
    snprintf(st.thp, sizeof st.thp, "always");
    snprintf(st.sanitizers, sizeof st.sanitizers, "address,undefined");
    st.cpu_quota = 1.0;
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "governor")->level, CB_SYSSTATE_WARN);
    assert_int_equal(find(f, n, "turbo")->level, CB_SYSSTATE_NOTE);
    assert_int_equal(find(f, n, "thp")->level, CB_SYSSTATE_NOTE);
    assert_int_equal(find(f, n, "build")->level, CB_SYSSTATE_WARN);
    assert_non_null(strstr(find(f, n, "build")->value, "-fsanitize=address,undefined"));
    assert_int_equal(find(f, n, "cpu_quota")->level, CB_SYSSTATE_WARN);
    /* A quota of every usable CPU binds nothing; a debug build warns. */
    st.cpu_quota = 2.0;
    st.sanitizers[0] = '\0';
    st.optimized = false;
    snprintf(st.governor, sizeof st.governor, "unknown");
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "cpu_quota")->level, CB_SYSSTATE_OK);
    assert_int_equal(find(f, n, "build")->level, CB_SYSSTATE_WARN);
    assert_int_equal(find(f, n, "governor")->level, CB_SYSSTATE_NOTE);
}

/* check's probe: no finding where nothing was probed (a run); judged on
 * the 10th-90th percentile spread: ok when steady, even with one try held
 * off its CPU (a large CV, a small spread), ok at exactly 5%, a problem
 * above it. */
static void test_findings_host_speed(void **state)
{
    struct cb_sysstate_finding f[CB_SYSSTATE_MAX_FINDINGS];
    struct cb_sysstate st;
    char lines[CB_SYSSTATE_MAX_FINDINGS][CB_SYSSTATE_LINE];
    size_t n;

    (void)state;
    quiet_state(&st);
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(f[i].check, "host_speed");
    st.host_speed = (struct cb_stats){ .n = 50, .min = 0.0098, .p10 = 0.0099, .median = 0.010,
                                       .p90 = 0.0101, .max = 0.014, .cv = 0.056 };
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(n, 10);
    assert_int_equal(find(f, n, "host_speed")->level, CB_SYSSTATE_OK);
    assert_int_equal(cb_sysstate_problems(&st, lines, CB_SYSSTATE_MAX_FINDINGS), 0);
    /* (p90 - p10) / (2.5631 median) = 0.05 exactly: not above it. */
    st.host_speed.p10 = 0.010 - 0.0025631 / 4;
    st.host_speed.p90 = 0.010 + 0.0025631 / 4;
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "host_speed")->level, CB_SYSSTATE_OK);
    /* A CPU at two speeds: 10 and 18 ms. */
    st.host_speed.p10 = 0.010;
    st.host_speed.p90 = 0.018;
    st.host_speed.cv = 0.213;
    n = cb_sysstate_findings(&st, f, CB_SYSSTATE_MAX_FINDINGS);
    assert_int_equal(find(f, n, "host_speed")->level, CB_SYSSTATE_WARN);
    assert_int_equal(cb_sysstate_problems(&st, lines, CB_SYSSTATE_MAX_FINDINGS), 1);
    assert_non_null(strstr(lines[0], "CPU speed: a 10 ms bare loop, 50 tries: 10th-90th "
                                     "percentile 10 to 18 ms (robust CV 31.2%; CV 21.3%)"));
}

/* The real machine: whatever it exposes, collecting works and two
 * readings around a busy loop of our own leave others' share bounded. */
static void test_this_machine(void **state)
{
    struct cb_sysstate_snap a, b;
    struct cb_sysstate_delta d;
    struct cb_sysstate st;
    volatile uint64_t x = 0;

    (void)state;
    cb_sysstate_collect(NULL, &st);
    assert_string_equal(st.build_type, CB_BUILD_TYPE[0] ? CB_BUILD_TYPE : "none");
    assert_true(st.usable_cpus >= 1 || st.usable_cpus == -1);
    cb_sysstate_snapshot(NULL, &a);
    for (uint64_t i = 0; i < 20000000; i++)
        x += i;
    cb_sysstate_snapshot(NULL, &b);
    d = cb_sysstate_others(&a, &b);
    if (!d.valid)
        skip(); /* no /proc/stat here */
    assert_true(b.own_cpu_ns > a.own_cpu_ns);
    assert_true(cb_sysstate_others_cpu(&d) <= (double)d.cpus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_others_from_files, setup, teardown),
        cmocka_unit_test(test_others_arithmetic),
        cmocka_unit_test_setup_teardown(test_collect_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collect_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collect_boost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quota_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quota_v1, setup, teardown),
        cmocka_unit_test(test_findings_quiet),
        cmocka_unit_test(test_findings_busy),
        cmocka_unit_test(test_findings_setup),
        cmocka_unit_test(test_findings_host_speed),
        cmocka_unit_test(test_this_machine),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
