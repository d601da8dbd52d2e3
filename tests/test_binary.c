/* The built concbench, run as a user runs it: exit codes, stdout (the JSON
 * contract of DESIGN.md and the text formats), stderr, and -o files. */
#include "cb_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "concbench/options.h"
#include "concbench/version.h"

/* A run of concbench must end well within this, or the test fails. */
#ifndef RUN_LIMIT_S
#define RUN_LIMIT_S 20.0
#endif
#define MAX_ARGV 64
#define EPS 1e-6 /* seconds: rounding of nanoseconds printed as seconds */

/* What one run of the binary left behind. */
struct run {
    int code;           /* exit status, or 128 + signal */
    char *out, *err;    /* stdout and stderr, NUL-terminated */
    size_t out_len, err_len;
};

struct buf {
    char *data;
    size_t len, cap;
};

/* ---- running the binary ------------------------------------------------ */

/* Reads what fd has into b; returns false at end of file. */
static bool drain(int fd, struct buf *b)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);

    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, chunk, (size_t)n);
    b->len += (size_t)n;
    b->data[b->len] = '\0';
    return true;
}

static double remaining_s(uint64_t t0)
{
    return RUN_LIMIT_S - cb_test_since(t0);
}

/* Reads both pipes until both are closed (and set to -1 in fds) or time is
 * up; returns false if time ran out. */
static bool collect(int fds[2], struct buf out[2], uint64_t t0)
{
    struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };

    while (p[0].fd >= 0 || p[1].fd >= 0) {
        double left = remaining_s(t0);

        if (left <= 0)
            return false;
        if (poll(p, 2, (int)(left * 1000) + 1) < 0) {
            if (errno == EINTR)
                continue;
            fail_msg("poll: %s", strerror(errno));
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd >= 0 && p[i].revents && !drain(p[i].fd, &out[i])) {
                close(p[i].fd);
                p[i].fd = fds[i] = -1;
            }
        }
    }
    return true;
}

/* Waits for pid until time is up; returns false if it is still running. */
static bool reap(pid_t pid, int *status, uint64_t t0)
{
    const struct timespec ms = { 0, 1000000 };

    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);

        if (got == pid)
            return true;
        assert_true(got == 0 || errno == EINTR);
        if (remaining_s(t0) <= 0)
            return false;
        nanosleep(&ms, NULL);
    }
}

static pid_t spawn(const char *const argv[], int out_fd, int err_fd)
{
    extern char **environ;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    pid_t pid;
    int rc;

    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    assert_int_equal(posix_spawnattr_init(&at), 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    /* Its own process group, so a hung run is killed with all its workers. */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0)
        fail_msg("posix_spawn %s: %s", argv[0], strerror(rc));
    return pid;
}

/* Runs argv (argv[0] the program) with stdin from /dev/null, stdout and
 * stderr captured apart. Fails the test, after killing the run's process
 * group, if it takes longer than RUN_LIMIT_S. Caller frees with
 * run_free(). */
static void run_argv(struct run *r, const char *const argv[])
{
    int po[2], pe[2], fds[2], status = 0;
    struct buf out[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
    uint64_t t0 = cb_clock_now_ns();
    bool in_time;
    pid_t pid;

    assert_int_equal(pipe2(po, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
    pid = spawn(argv, po[1], pe[1]);
    close(po[1]);
    close(pe[1]);
    fds[0] = po[0];
    fds[1] = pe[0];
    in_time = collect(fds, out, t0) && reap(pid, &status, t0);
    if (!in_time) {
        char cmd[512] = "";

        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        for (int i = 0; i < 2; i++) {
            if (fds[i] >= 0)
                close(fds[i]);
            free(out[i].data);
        }
        for (size_t i = 0, n = 0; argv[i] && n < sizeof cmd; i++)
            n += (size_t)snprintf(cmd + n, sizeof cmd - n, " %s", argv[i]);
        fail_msg("still running after %g s, killed:%s", RUN_LIMIT_S, cmd);
    }
    cb_test_no_children();
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = out[0].data ? out[0].data : strdup("");
    r->err = out[1].data ? out[1].data : strdup("");
    r->out_len = out[0].len;
    r->err_len = out[1].len;
    assert_non_null(r->out);
    assert_non_null(r->err);
}

/* run_argv with CB_BINARY prepended to the NULL-terminated args. */
static void run_list(struct run *r, const char *const *args)
{
    const char *argv[MAX_ARGV + 2] = { CB_BINARY };
    size_t n = 0;

    while (args[n]) {
        assert_true(n < MAX_ARGV);
        argv[n + 1] = args[n];
        n++;
    }
    argv[n + 1] = NULL;
    run_argv(r, argv);
}

#define RUN(r, ...) run_list((r), (const char *const[]){ __VA_ARGS__, NULL })

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ---- checking the output ----------------------------------------------- */

static void expect_exit(const struct run *r, int code)
{
    if (r->code != code)
        fail_msg("exit %d, expected %d; stderr:\n%s", r->code, code, r->err);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* stderr is empty or only "concbench: warning:" lines. */
static void expect_clean_stderr(const struct run *r)
{
    const char *line = r->err;

    while (*line) {
        const char *nl = strchr(line, '\n');

        if (strncmp(line, "concbench: warning:", 19) != 0)
            fail_msg("unexpected stderr line: %s", line);
        if (!nl)
            fail_msg("stderr does not end with a newline: %s", line);
        line = nl + 1;
    }
}

/* Exit 0, clean stderr, stdout one JSON document ending with a newline.
 * Caller frees with cJSON_Delete(). */
static cJSON *expect_json_run(const struct run *r)
{
    cJSON *root;

    expect_exit(r, 0);
    expect_clean_stderr(r);
    assert_true(r->out_len > 0);
    assert_int_equal(r->out[r->out_len - 1], '\n');
    root = cJSON_Parse(r->out);
    if (!root)
        fail_msg("stdout is not JSON near: %.60s", cJSON_GetErrorPtr());
    return root;
}

static cJSON *field(const cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v)
        fail_msg("missing field \"%s\"", key);
    return v;
}

static const cJSON *get_obj(const cJSON *obj, const char *key)
{
    const cJSON *v = field(obj, key);

    if (!cJSON_IsObject(v))
        fail_msg("\"%s\" is not an object", key);
    return v;
}

static const cJSON *get_arr(const cJSON *obj, const char *key, int n)
{
    const cJSON *v = field(obj, key);

    if (!cJSON_IsArray(v))
        fail_msg("\"%s\" is not an array", key);
    if (n >= 0 && cJSON_GetArraySize(v) != n)
        fail_msg("\"%s\" has %d elements, expected %d", key,
                 cJSON_GetArraySize(v), n);
    return v;
}

static const char *get_str(const cJSON *obj, const char *key)
{
    const cJSON *v = field(obj, key);

    if (!cJSON_IsString(v) || !v->valuestring)
        fail_msg("\"%s\" is not a string", key);
    return v->valuestring;
}

static double get_num(const cJSON *obj, const char *key)
{
    const cJSON *v = field(obj, key);

    if (!cJSON_IsNumber(v))
        fail_msg("\"%s\" is not a number", key);
    return v->valuedouble;
}

/* A count: a non-negative integer. */
static double get_count(const cJSON *obj, const char *key)
{
    double v = get_num(obj, key);

    if (v < 0 || v != floor(v))
        fail_msg("\"%s\" is %.17g, not a count", key, v);
    return v;
}

static void expect_str(const cJSON *obj, const char *key, const char *want)
{
    const char *got = get_str(obj, key);

    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" is \"%s\", expected \"%s\"", key, got, want);
}

static void expect_num(const cJSON *obj, const char *key, double want)
{
    double got = get_num(obj, key);

    if (fabs(got - want) > 1e-12 * fabs(want))
        fail_msg("\"%s\" is %.17g, expected %.17g", key, got, want);
}

/* a <= b, with what was compared in the message. */
#define EXPECT_LE(a, b)                                                      \
    do {                                                                     \
        double a_ = (a), b_ = (b);                                           \
        if (!(a_ <= b_))                                                     \
            fail_msg("%s <= %s: %.17g > %.17g", #a, #b, a_, b_);             \
    } while (0)

static bool contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* ---- the JSON contract ------------------------------------------------- */

static void check_tool(const cJSON *root)
{
    const cJSON *tool = get_obj(root, "tool");

    expect_num(root, "schema_version", 1);
    expect_str(tool, "name", "concbench");
    expect_str(tool, "version", CB_VERSION);
    expect_str(tool, "compiler", CB_COMPILER);
    expect_str(tool, "build_type", CB_BUILD_TYPE);
}

/* "2026-01-31T12:00:00Z" and the like: ISO-8601, UTC. */
static void check_date(const char *d)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";

    for (size_t i = 0; shape[i]; i++) {
        bool digit = d[i] >= '0' && d[i] <= '9';

        if (shape[i] == 'd' ? !digit : d[i] != shape[i])
            fail_msg("date \"%s\" is not ISO-8601", d);
    }
    if (d[strlen(d) - 1] != 'Z')
        fail_msg("date \"%s\" is not UTC (no Z)", d);
}

/* args: the NULL-terminated arguments the run was given. */
/* context.state: what others did during the run, and the setup. */
static void check_state(const cJSON *st)
{
    static const char *const strs[] = { "governor", "turbo", "transparent_hugepages",
                                        "cpu_quota_source" };
    const cJSON *p;

    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        get_str(st, strs[i]);
    assert_true(get_num(st, "others_cpu") >= 0);
    assert_true(get_num(st, "steal_s") >= 0);
    assert_true(get_num(st, "observed_s") > 0);
    assert_true(get_count(st, "procs_running") >= 1);
    get_arr(st, "load_avg", 3);
    get_str(get_obj(st, "build"), "type");
    assert_true(cJSON_IsBool(field(get_obj(st, "build"), "optimized")));
    assert_true(cJSON_IsNull(field(st, "cpu_quota")) || get_num(st, "cpu_quota") > 0);
    cJSON_ArrayForEach(p, get_arr(st, "problems", -1)) {
        get_str(p, "check");
        get_str(p, "message");
    }
}

static const cJSON *check_context(const cJSON *root, const char *const *args)
{
    const cJSON *ctx = get_obj(root, "context");
    const cJSON *load = get_arr(ctx, "load_avg", 3), *v;
    static const char *const strs[] = { "hostname", "os", "kernel", "arch",
                                        "cpu_model" };
    const char *command = get_str(ctx, "command");
    double logical = get_count(ctx, "logical_cpus");
    double usable = get_count(ctx, "usable_cpus");

    check_date(get_str(ctx, "date"));
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        get_str(ctx, strs[i]);
    assert_true(logical >= 1);
    assert_true(usable >= 1);
    EXPECT_LE(usable, logical);
    assert_true(get_count(ctx, "memory_bytes") > 0);
    cJSON_ArrayForEach(v, load) {
        assert_true(cJSON_IsNumber(v));
        assert_true(v->valuedouble >= 0);
    }
    for (size_t i = 0; args[i]; i++)
        if (!contains(command, args[i]))
            fail_msg("context.command \"%s\" lacks \"%s\"", command, args[i]);
    check_state(get_obj(ctx, "state"));
    return ctx;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The summary b.key of the n values vals. */
static void check_stats(const cJSON *b, const char *key, const double *vals,
                        size_t n)
{
    const cJSON *s = get_obj(b, key);
    double min = get_num(s, "min"), med = get_num(s, "median");
    double max = get_num(s, "max"), mean = get_num(s, "mean");
    double p10 = get_num(s, "p10"), p90 = get_num(s, "p90");
    double *sorted = malloc(n * sizeof *sorted), sum = 0;

    EXPECT_LE(min, p10);
    EXPECT_LE(p10, med);
    EXPECT_LE(med, p90);
    EXPECT_LE(p90, max);
    EXPECT_LE(min, mean);
    EXPECT_LE(mean, max);
    assert_true(get_num(s, "stddev") >= 0);
    assert_true(get_num(s, "mad") >= 0);
    assert_true(get_num(s, "cv") >= 0);
    /* The summary is of exactly the samples shown. */
    assert_non_null(sorted);
    memcpy(sorted, vals, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (size_t i = 0; i < n; i++)
        sum += vals[i];
    expect_num(s, "min", sorted[0]);
    expect_num(s, "max", sorted[n - 1]);
    expect_num(s, "median", n % 2 ? sorted[n / 2]
                                  : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    if (fabs(mean - sum / (double)n) > 1e-9)
        fail_msg("%s.mean %.17g, of the samples %.17g", key, mean, sum / n);
    free(sorted);
    if (cJSON_GetObjectItemCaseSensitive(s, "n"))
        expect_num(s, "n", (double)n);
}

struct task_case {
    const char *task;
    const char *param;      /* its key in "params" */
    double param_value;
    double checksum;
};

static const struct task_case tasks[] = {
    { "cpu", "iterations", 200000, 200000 },
    { "io", "sleep_s", 0.005, 5000000 },
    { "fib", "fib_n", 18, 2584 },
};

/* The io task of BASE (below). */
static const struct task_case io_1ms = { "io", "sleep_s", 0.001, 1000000 };

static const struct task_case *task_case(const char *task)
{
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        if (strcmp(tasks[i].task, task) == 0)
            return &tasks[i];
    fail_msg("no task case for %s", task);
    return NULL;
}

/* The params of a benchmark: its task's parameter, none of the others. */
static void check_params(const cJSON *b, const struct task_case *tc)
{
    const cJSON *params = get_obj(b, "params");

    expect_num(params, tc->param, tc->param_value);
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        if (strcmp(tasks[i].task, tc->task) != 0 &&
            cJSON_GetObjectItemCaseSensitive(params, tasks[i].param))
            fail_msg("params of %s has %s", tc->task, tasks[i].param);
}

/* One worker; returns its run_s. Checks the timing order the start mode
 * promises against the sample's wall time. */
static double check_worker(const cJSON *w, int id, const struct task_case *tc,
                           const char *start, double wall)
{
    double start_s = get_num(w, "start_s"), run_s = get_num(w, "run_s");

    expect_num(w, "id", id);
    expect_str(w, "status", "ok");
    expect_num(w, "checksum", tc->checksum);
    assert_true(get_num(w, "spawn_s") >= 0);
    assert_true(start_s >= 0);
    assert_true(run_s > 0);
    assert_true(get_num(w, "cpu_s") >= 0);
    assert_true(get_count(w, "cpu") >= 0);
    if (strcmp(tc->task, "io") == 0) /* a sleep never ends early */
        EXPECT_LE(tc->param_value, run_s + EPS);
    /* Immediate: wall runs from the first creation to the last reap;
     * barrier: from the release, which precedes every task start. */
    if (strcmp(start, "immediate") == 0)
        EXPECT_LE(start_s + run_s, wall + EPS);
    else
        EXPECT_LE(run_s, wall + EPS);
    return run_s;
}

/* The samples of b; fills walls[] and spawns[] (reps and reps*workers). */
static void check_samples(const cJSON *b, const struct task_case *tc, int reps,
                          int workers, double *walls, double *spawns)
{
    const cJSON *samples = get_arr(b, "samples", reps), *s;
    const char *start = get_str(b, "start"), *mode = get_str(b, "mode");
    int i = 0;

    cJSON_ArrayForEach(s, samples) {
        const cJSON *ws = get_arr(s, "workers", workers), *w;
        double wall = get_num(s, "wall_s"), prev_end = 0;
        int id = 0;

        assert_true(wall > 0);
        assert_true(get_num(s, "user_s") >= 0);
        assert_true(get_num(s, "sys_s") >= 0);
        get_count(s, "max_rss_kib");
        get_count(s, "ctx_voluntary");
        get_count(s, "ctx_involuntary");
        /* Others' CPUs: never below 0 nor above the machine's CPUs. */
        assert_true(get_num(s, "others_cpu") >= 0);
        EXPECT_LE(get_num(s, "others_cpu"), (double)sysconf(_SC_NPROCESSORS_ONLN));
        assert_true(get_count(s, "procs_running") >= 1);
        walls[i] = wall;
        cJSON_ArrayForEach(w, ws) {
            double run_s = check_worker(w, id, tc, start, wall);

            /* serial: one after another, never overlapping */
            if (strcmp(mode, "serial") == 0) {
                EXPECT_LE(prev_end, get_num(w, "start_s") + EPS);
                prev_end = get_num(w, "start_s") + run_s;
            }
            /* barrier: every worker was created before any task began
             * (serial has nothing to hold back: one runs after another) */
            if (strcmp(start, "barrier") == 0 && strcmp(mode, "serial") != 0 &&
                cJSON_GetObjectItemCaseSensitive(s, "create_s"))
                EXPECT_LE(get_num(s, "create_s"), get_num(w, "start_s") + EPS);
            spawns[i * workers + id] = get_num(w, "spawn_s");
            id++;
        }
        i++;
    }
}

/* One benchmark of the contract, with every sample and worker. */
static void check_benchmark(const cJSON *b, const struct task_case *tc,
                            const char *mode, int workers, const char *start,
                            int warmup, int reps)
{
    const char *task = tc->task;
    double *walls = calloc((size_t)reps, sizeof *walls);
    double *spawns = calloc((size_t)(reps * workers), sizeof *spawns);
    char name[64];

    assert_non_null(walls);
    assert_non_null(spawns);
    snprintf(name, sizeof name, "%s/%s/%d", task, mode, workers);
    expect_str(b, "name", name);
    expect_str(b, "task", task);
    expect_str(b, "mode", mode);
    expect_num(b, "workers", workers);
    check_params(b, tc);
    expect_str(b, "start", start);
    expect_num(b, "warmup", warmup);
    expect_num(b, "repetitions", reps);
    expect_str(b, "status", "ok");
    check_samples(b, tc, reps, workers, walls, spawns);
    expect_num(get_obj(b, "others_cpu"), "n", reps);
    assert_true(get_num(b, "steal_s") >= 0);
    check_stats(b, "wall_s", walls, (size_t)reps);
    check_stats(b, "spawn_s", spawns, (size_t)(reps * workers));
    free(walls);
    free(spawns);
}

/* The benchmark named name in root; fails if there is none. */
static const cJSON *find_benchmark(const cJSON *root, const char *name)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, get_arr(root, "benchmarks", -1))
        if (strcmp(get_str(b, "name"), name) == 0)
            return b;
    fail_msg("no benchmark %s", name);
    return NULL;
}

/* ---- 1. every mode x task, the whole contract -------------------------- */

struct cell_case {
    const char *name, *mode, *task;
};

static const struct cell_case cells[] = {
    { "cell cpu/threads", "threads", "cpu" },
    { "cell io/threads", "threads", "io" },
    { "cell fib/threads", "threads", "fib" },
    { "cell cpu/processes", "processes", "cpu" },
    { "cell io/processes", "processes", "io" },
    { "cell fib/processes", "processes", "fib" },
    { "cell cpu/serial", "serial", "cpu" },
    { "cell io/serial", "serial", "io" },
    { "cell fib/serial", "serial", "fib" },
};

static void test_cell(void **state)
{
    const struct cell_case *c = *state;
    const char *args[] = { "-m", c->mode, "-t", c->task, "--iterations=200000",
                           "--sleep=5ms", "--fib=18", "-n", "2", "-r", "3",
                           "-w", "1", NULL };
    struct run r;
    cJSON *root;
    const cJSON *b;

    run_list(&r, args);
    root = expect_json_run(&r);
    check_tool(root);
    check_context(root, args);
    b = cJSON_GetArrayItem(get_arr(root, "benchmarks", 1), 0);
    check_benchmark(b, task_case(c->task), c->mode, 2, "immediate", 1, 3);
    /* a speed-up needs serial in the run; serial's own is 1 */
    if (strcmp(c->mode, "serial") == 0)
        expect_num(b, "speedup", 1);
    else
        assert_null(cJSON_GetObjectItemCaseSensitive(b, "speedup"));
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 2. speed-ups against serial --------------------------------------- */

static void test_speedup(void **state)
{
    static const char *const modes[] = { "threads", "processes", "serial" };
    struct run r;
    cJSON *root;
    const cJSON *b;

    (void)state;
    RUN(&r, "-m", "threads,processes,serial", "-t", "io,fib", "--sleep=2ms",
        "--fib=18", "-n", "2", "-r", "2", "-w", "0");
    root = expect_json_run(&r);
    get_arr(root, "benchmarks", 6);
    cJSON_ArrayForEach(b, field(root, "benchmarks")) {
        const char *task = get_str(b, "task");
        char name[64];
        const cJSON *serial;
        double want;

        snprintf(name, sizeof name, "%s/serial/2", task);
        serial = find_benchmark(root, name);
        want = get_num(get_obj(serial, "wall_s"), "median") /
               get_num(get_obj(b, "wall_s"), "median");
        expect_num(b, "speedup", want);
        if (strcmp(get_str(b, "mode"), "serial") == 0)
            expect_num(b, "speedup", 1.0);
    }
    for (size_t m = 0; m < 3; m++) {
        char name[64];

        snprintf(name, sizeof name, "fib/%s/2", modes[m]);
        check_benchmark(find_benchmark(root, name), task_case("fib"),
                        modes[m], 2, "immediate", 0, 2);
    }
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 3. --start=barrier ------------------------------------------------ */

static void test_barrier(void **state)
{
    static const char *const modes[] = { "threads", "processes", "serial" };
    static const char *const tnames[] = { "cpu", "io" };
    struct run r;
    cJSON *root;

    (void)state;
    RUN(&r, "--start=barrier", "-m", "threads,processes,serial", "-t", "cpu,io",
        "--iterations=200000", "--sleep=5ms", "-n", "2", "-r", "2", "-w", "1");
    root = expect_json_run(&r);
    get_arr(root, "benchmarks", 6);
    for (size_t m = 0; m < 3; m++) {
        for (size_t t = 0; t < 2; t++) {
            char name[64];

            snprintf(name, sizeof name, "%s/%s/2", tnames[t], modes[m]);
            check_benchmark(find_benchmark(root, name), task_case(tnames[t]),
                            modes[m], 2, "barrier", 1, 2);
        }
    }
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 4. I/O waits overlap in threads and in processes ------------------ */

/* n io workers sleeping together take far less than n sleeps: at most
 * `share` of that, a bound that holds on a loaded machine. */
static void check_io_overlap(const char *mode, const char *n, int workers,
                             const char *sleep, double sleep_s, double share)
{
    struct run r;
    cJSON *root;
    const cJSON *b, *sample, *w;
    double median;

    RUN(&r, "-m", mode, "-t", "io", "-n", n, sleep, "-r", "1", "-w", "0");
    root = expect_json_run(&r);
    b = cJSON_GetArrayItem(get_arr(root, "benchmarks", 1), 0);
    expect_num(b, "workers", workers);
    expect_str(b, "status", "ok");
    sample = cJSON_GetArrayItem(get_arr(b, "samples", 1), 0);
    cJSON_ArrayForEach(w, get_arr(sample, "workers", workers)) {
        expect_str(w, "status", "ok");
        expect_num(w, "checksum", sleep_s * 1e9);
    }
    median = get_num(get_obj(b, "wall_s"), "median");
    EXPECT_LE(sleep_s - EPS, median); /* the sleep itself */
    EXPECT_LE(median, workers * sleep_s * share);
    cJSON_Delete(root);
    run_free(&r);
}

static void test_io_overlap_threads(void **state)
{
    (void)state;
    /* 50 x 100 ms: 5 s one after another; under 2.5 s even where thread
     * creation is slow (ThreadSanitizer took 1.3 s with a busy loop on
     * every CPU). */
    check_io_overlap("threads", "50", 50, "--sleep=100ms", 0.1, 0.5);
}

static void test_io_overlap_processes(void **state)
{
    (void)state;
    /* 20 x 250 ms: 5 s one after another; under 2.5 s even where fork is
     * slow (sanitizers, a loaded machine). */
    check_io_overlap("processes", "20", 20, "--sleep=250ms", 0.25, 0.5);
}

/* The claims' options are recorded in params as numbers, given on the
 * command line; gil also as true beside them. */
static void test_claim_params(void **state)
{
    struct run r;
    cJSON *root;
    const cJSON *b, *p;

    (void)state;
    RUN(&r, "-m", "processes", "-t", "cpu", "--iterations=1000", "-n", "2", "-r", "1",
        "-w", "0", "--worker-memory=64KiB", "--parent-memory=1MiB", "--payload=4KiB",
        "--transport=shm", "--gil", "--switch-interval=2ms");
    root = expect_json_run(&r);
    b = cJSON_GetArrayItem(get_arr(root, "benchmarks", 1), 0);
    p = get_obj(b, "params");
    expect_num(p, "worker_memory_bytes", 65536);
    expect_num(p, "parent_memory_bytes", 1048576);
    expect_num(p, "payload_bytes", 4096);
    expect_num(p, "gil", 1);
    expect_num(p, "switch_interval_s", 0.002);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "gil")));
    expect_str(b, "transport", "shm");
    expect_str(b, "status", "ok");
    cJSON_Delete(root);
    run_free(&r);
}

/* The address-space tasks, tiny, in every mode: checksums verified, the
 * per-operation figures and their parameters recorded. */
static void test_address_space_tasks(void **state)
{
    static const char *const names[] = { "fault", "malloc", "tlb" };
    static const char *const keys[] = { "region_bytes", "mmap_threshold_bytes", "tlb_pages" };
    static const double values[] = { 65536, 65536, 2 };
    struct run r;
    cJSON *root;
    const cJSON *b;
    int n = 0;

    (void)state;
    RUN(&r, "-m", "threads,processes,serial", "-t", "fault,malloc,tlb", "-n", "2",
        "-r", "1", "-w", "0", "--iterations=20", "--region=64KiB", "--block=128KiB",
        "--tlb-pages=2");
    root = expect_json_run(&r);
    cJSON_ArrayForEach(b, get_arr(root, "benchmarks", 9)) {
        size_t t = 0;

        /* The last name is the one left: t stays within the arrays. */
        while (t < 2 && strcmp(get_str(b, "task"), names[t]) != 0)
            t++;
        assert_string_equal(get_str(b, "task"), names[t]);
        expect_str(b, "status", "ok");
        expect_num(get_obj(b, "params"), "iterations", 20);
        expect_num(get_obj(b, "params"), keys[t], values[t]);
        expect_num(b, "ops_per_job", t == 0 ? 20 * 16 : 20);
        assert_true(get_num(get_obj(b, "per_op_s"), "median") > 0);
        n++;
    }
    assert_int_equal(n, 9);
    cJSON_Delete(root);
    run_free(&r);
}

/* fault's per-worker page-fault counter matches the pages it touched
 * (one first write per page, no huge pages), CPU migrations are a count
 * or null, and at -n 2 the answer compares threads with processes. */
static void test_fault_counters(void **state)
{
    /* --region=1MiB, --iterations=4: 256 pages touched 4 times. */
    const double touched = 1048576.0 / 4096 * 4;
    struct run r;
    cJSON *root;
    const cJSON *b, *s, *w;

    (void)state;
    if (sysconf(_SC_PAGESIZE) != 4096)
        skip(); /* the task writes one byte every 4 KiB */
    if (CB_TEST_TSAN) {
        /* ThreadSanitizer faults in shadow memory for every page too. */
        printf("skip: test_fault_counters: under ThreadSanitizer a page touched costs "
               "faults of its shadow memory as well\n");
        skip();
    }
    RUN(&r, "-m", "threads,processes", "-t", "fault", "-n", "2", "-r", "2", "-w", "0",
        "--iterations=4", "--region=1MiB");
    root = expect_json_run(&r);
    cJSON_ArrayForEach(b, get_arr(root, "benchmarks", 2)) {
        cJSON_ArrayForEach(s, get_arr(b, "samples", 2)) {
            const cJSON *mig = cJSON_GetObjectItemCaseSensitive(s, "cpu_migrations");

            assert_true(cJSON_IsNull(mig) || get_count(s, "cpu_migrations") >= 0);
            get_count(s, "major_faults");
            cJSON_ArrayForEach(w, get_arr(s, "workers", 2)) {
                double minor = get_count(w, "minor_faults");

                if (minor < touched * 0.9 || minor > touched * 1.1)
                    fail_msg("%s: minor_faults %.0f, touched %.0f pages",
                             get_str(b, "mode"), minor, touched);
            }
        }
    }
    cJSON_Delete(root);
    run_free(&r);
    RUN(&r, "-m", "threads,processes", "-t", "fault", "-n", "2", "-r", "2", "-w", "0",
        "--iterations=2", "--region=256KiB", "-f", "table");
    expect_exit(&r, 0);
    assert_true(contains(r.out, "fault, 2 workers: "));
    assert_true(contains(r.out, " times faster than "));
    run_free(&r);
}

/* --lock=none: the run exits 0, its benchmarks ok, and reports the
 * updates it lost per sample and over the benchmark (any count). */
static void test_lock_none(void **state)
{
    struct run r;
    cJSON *root;
    const cJSON *b, *s;

    (void)state;
    RUN(&r, "-m", "threads,processes", "-t", "lock", "--lock=none", "--start=barrier", "-n", "2",
        "-r", "2", "-w", "0", "--iterations=100000");
    root = expect_json_run(&r);
    cJSON_ArrayForEach(b, get_arr(root, "benchmarks", 2)) {
        expect_str(b, "status", "ok");
        expect_str(b, "lock", "none");
        assert_true(get_num(get_obj(b, "lost_updates"), "median") >= 0);
        cJSON_ArrayForEach(s, get_arr(b, "samples", 2))
            EXPECT_LE(get_count(s, "lost_updates") + get_count(s, "checksum"), 2 * 100000);
    }
    cJSON_Delete(root);
    run_free(&r);
}

/* One run of cpu with --parent-memory=64MiB and --cow-touch=frac under
 * threads and processes: mem/worker of each mode (KiB) into kib[0..1];
 * cow_touch is in the processes' params only. */
static void cow_run(const char *frac, double want_recorded, double kib[2])
{
    char arg[48];
    struct run r;
    cJSON *root;
    const cJSON *b;
    int i = 0;

    snprintf(arg, sizeof arg, "--cow-touch=%s", frac);
    RUN(&r, "-m", "threads,processes", "-t", "cpu", "--iterations=1000", "-n", "2", "-r", "2",
        "-w", "0", "--parent-memory=64MiB", arg);
    root = expect_json_run(&r);
    cJSON_ArrayForEach(b, get_arr(root, "benchmarks", 2)) {
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(get_obj(b, "params"), "cow_touch");

        expect_str(b, "status", "ok");
        expect_str(b, "mode", i == 0 ? "threads" : "processes");
        if (i == 0 || want_recorded == 0)
            assert_null(rec); /* threads: not theirs; 0: omitted */
        else
            expect_num(get_obj(b, "params"), "cow_touch", want_recorded);
        kib[i++] = get_num(get_obj(b, "memory_per_worker_kib"), "median");
    }
    cJSON_Delete(root);
    run_free(&r);
}

/* --cow-touch: a process's memory grows by about the fraction of the
 * parent's it wrote (generous bounds: PSS, not timing); threads, whose
 * writes would land in the one shared copy, are unaffected. */
static void test_cow_touch(void **state)
{
    const double parent = 64.0 * 1024; /* KiB */
    double none[2], half[2], all[2];

    (void)state;
    if (CB_TEST_TSAN) {
        /* Each write also writes TSan's shadow of the page: copied too. */
        printf("skip: test_cow_touch: under ThreadSanitizer a page written copies its "
               "shadow memory as well\n");
        skip();
    }
    cow_run("0", 0, none);
    cow_run("50%", 0.5, half);
    cow_run("1", 1, all);
    if (half[1] - none[1] < 0.3 * parent || half[1] - none[1] > 0.7 * parent)
        fail_msg("cow 0.5: processes mem/worker %.0f KiB, at 0 %.0f KiB, parent %.0f KiB",
                 half[1], none[1], parent);
    if (all[1] - none[1] < 0.7 * parent || all[1] - none[1] > 1.3 * parent)
        fail_msg("cow 1: processes mem/worker %.0f KiB, at 0 %.0f KiB, parent %.0f KiB",
                 all[1], none[1], parent);
    if (fabs(all[0] - none[0]) > 0.1 * parent || fabs(half[0] - none[0]) > 0.1 * parent)
        fail_msg("threads mem/worker moved with --cow-touch: %.0f, %.0f, %.0f KiB",
                 none[0], half[0], all[0]);
}

/* n jobs of a fault region that cannot all fit are refused before
 * anything runs, naming the task. */
static void test_fault_memory_refused(void **state)
{
    struct run r;

    (void)state;
    RUN(&r, "-m", "threads", "-t", "fault", "--region=16GiB", "-n", "64", "-r", "1");
    expect_exit(&r, 2);
    assert_int_equal(r.out_len, 0);
    assert_int_equal(count_lines(r.err), 1);
    assert_true(contains(r.err, "fault task's memory"));
    run_free(&r);
}

/* --pin is recorded in the benchmark, and only when a worker pins. */
static void test_pin_recorded(void **state)
{
    static const char *const modes[] = { "threads", "processes", "serial" };
    struct run r;
    cJSON *root;
    const cJSON *b;

    (void)state;
    RUN(&r, "-m", "threads,processes,serial", "-t", "io", "--sleep=1ms", "-n", "2",
        "-r", "1", "-w", "0", "--pin=spread");
    root = expect_json_run(&r);
    for (int i = 0; i < 3; i++) {
        b = cJSON_GetArrayItem(get_arr(root, "benchmarks", 3), i);
        expect_str(b, "mode", modes[i]);
        if (i < 2)
            expect_str(b, "pin", "spread");
        else /* serial never pins: it would pin the caller */
            assert_null(cJSON_GetObjectItemCaseSensitive(b, "pin"));
    }
    cJSON_Delete(root);
    run_free(&r);
    RUN(&r, "-m", "threads", "-t", "io", "--sleep=1ms", "-n", "1", "-r", "1", "-w", "0");
    root = expect_json_run(&r);
    b = cJSON_GetArrayItem(get_arr(root, "benchmarks", 1), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(b, "pin")); /* --pin=none */
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 5. usage errors: exit 2, one line naming the flag, no stdout ----- */

struct bad_case {
    const char *args[8];    /* NULL-terminated, after the small base run */
    const char *names[2];   /* the line names one of these (flag or file) */
    const char *value;      /* and quotes this, if not NULL */
};

static const struct bad_case bad_cases[] = {
    { { "-m", "bogus" }, { "--mode" }, "bogus" },
    { { "--mode=threads,bogus" }, { "--mode" }, "bogus" },
    { { "-t", "bogus" }, { "--task" }, "bogus" },
    { { "-n", "0" }, { "--workers", "-n" }, "0" },
    { { "-n", "-3" }, { "--workers", "-n" }, "-3" },
    { { "-n", "abc" }, { "--workers", "-n" }, "abc" },
    { { "-n", "99999999999999999999" }, { "--workers", "-n" },
      "99999999999999999999" },
    { { "--sleep=5parsecs" }, { "--sleep" }, "5parsecs" },
    { { "--iterations=18446744073709551616" }, { "--iterations" },
      "18446744073709551616" },
    { { "--fib=94" }, { "--fib" }, "94" },
    { { "--region=1KiB" }, { "--region" }, "1KiB" },
    { { "--block=0" }, { "--block" }, "0" },
    { { "--mmap-threshold=33MiB" }, { "--mmap-threshold" }, "33MiB" },
    { { "--tlb-pages=513" }, { "--tlb-pages" }, "513" },
    { { "--cow-touch=1.5", "--parent-memory=1MiB" }, { "--cow-touch" }, "1.5" },
    { { "--cow-touch=-0.1", "--parent-memory=1MiB" }, { "--cow-touch" }, "-0.1" },
    { { "--cow-touch=101%", "--parent-memory=1MiB" }, { "--cow-touch" }, "101%" },
    { { "--bogus-option" }, { "--bogus-option" }, NULL },
    { { "-r", "0" }, { "--repetitions", "-r" }, NULL },
    { { "--format=xml" }, { "--format" }, "xml" },
    { { "--start=later" }, { "--start" }, "later" },
    { { "--pin=bogus" }, { "--pin" }, "bogus" },
    { { "-o", "/nonexistent-dir/x.json" },
      { "--output", "/nonexistent-dir/x.json" }, NULL },
    { { "--mode" }, { "--mode" }, NULL }, /* the value is missing */
};

/* The base run is small and quick, in case a bad flag is not refused. */
#define BASE "-m", "threads", "-t", "io", "--sleep=1ms", "-n", "1", "-r", "1", \
             "-w", "0", "-q"

static void expect_usage_error(const struct run *r, const char *what,
                               const char *const names[2], const char *value)
{
    if (r->code != 2)
        fail_msg("%s: exit %d, expected 2; stderr: %s", what, r->code, r->err);
    if (r->out_len != 0)
        fail_msg("%s: stdout not empty: %.80s", what, r->out);
    if (count_lines(r->err) != 1 || r->err[r->err_len - 1] != '\n')
        fail_msg("%s: stderr is not one line: \"%s\"", what, r->err);
    if (strncmp(r->err, "concbench: ", 11) != 0)
        fail_msg("%s: stderr does not start \"concbench: \": %s", what, r->err);
    if (!contains(r->err, names[0]) &&
        !(names[1] && contains(r->err, names[1])))
        fail_msg("%s: stderr does not name %s: %s", what, names[0], r->err);
    if (value && !contains(r->err, value))
        fail_msg("%s: stderr does not quote '%s': %s", what, value, r->err);
}

static void test_usage_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        const char *argv[MAX_ARGV] = { CB_BINARY, BASE };
        size_t n = 1;
        struct run r;

        while (argv[n])
            n++;
        for (size_t a = 0; c->args[a]; a++)
            argv[n++] = c->args[a];
        argv[n] = NULL;
        run_argv(&r, argv);
        expect_usage_error(&r, c->args[0], c->names, c->value);
        run_free(&r);
    }
}

/* --cow-touch without --parent-memory, or with no process of its own to
 * copy a page into (BASE is threads alone), changes nothing: as every
 * such option, it runs, with one warning naming what it needs. */
static void test_cow_touch_changes_nothing(void **state)
{
    static const char *const cases[][3] = {
        { "--cow-touch=0.5", "--mode=processes",
          "--cow-touch changes nothing without --parent-memory" },
        { "--cow-touch=0.5", "--parent-memory=1MiB", "--cow-touch changes nothing: it "
                                                      "applies to --mode=processes" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[MAX_ARGV] = { CB_BINARY, "-m", "threads", "-t", "io", "--sleep=1ms",
                                       "-n", "1", "-r", "1", "-w", "0", "-f", "csv",
                                       cases[i][0], cases[i][1], NULL };
        struct run r;

        run_argv(&r, argv);
        expect_exit(&r, 0);
        if (!contains(r.err, cases[i][2]))
            fail_msg("%s %s: no warning \"%s\": %s", cases[i][0],
                     cases[i][1] ? cases[i][1] : "", cases[i][2], r.err);
        run_free(&r);
    }
}

static void test_unknown_subcommand(void **state)
{
    static const char *const names[2] = { "frobnicate", NULL };
    struct run r;

    (void)state;
    RUN(&r, "frobnicate", BASE);
    expect_usage_error(&r, "frobnicate", names, NULL);
    run_free(&r);
}

/* check: every finding, whatever the state, and exit 0; JSON that says
 * the same; refused arguments are usage errors. */
static void test_check(void **state)
{
    static const char *const labels[] = {
        "CPU use by others", "runnable tasks", "CPU steal", "load average",
        "frequency governor", "turbo/boost", "transparent huge pages",
        "concbench build", "container CPU quota", "CPU speed",
    };
    static const char *const names[2] = { "check", NULL };
    struct run r;
    cJSON *root;
    const cJSON *host;

    (void)state;
    RUN(&r, "check");
    expect_exit(&r, 0);
    assert_int_equal(r.err_len, 0);
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!contains(r.out, labels[i]))
            fail_msg("check does not mention %s:\n%s", labels[i], r.out);
    run_free(&r);
    RUN(&r, "check", "-f", "json");
    root = expect_json_run(&r);
    expect_str(root, "kind", "concbench-check");
    get_arr(root, "findings", (int)(sizeof labels / sizeof labels[0]));
    check_state(get_obj(root, "state"));
    /* check's own probe: at least 3 tries of the bare loop, in order. */
    host = get_obj(get_obj(root, "state"), "host_speed");
    assert_true(get_count(host, "tries") >= 3);
    assert_true(get_num(get_obj(host, "wall_s"), "min") > 0);
    assert_true(get_num(get_obj(host, "wall_s"), "min") <=
                get_num(get_obj(host, "wall_s"), "median"));
    assert_true(get_num(get_obj(host, "wall_s"), "median") <=
                get_num(get_obj(host, "wall_s"), "max"));
    assert_true(get_num(host, "cv") >= 0 && get_num(host, "robust_cv") >= 0);
    assert_true(get_num(root, "usable_cpus") >= 1);
    cJSON_Delete(root);
    run_free(&r);
    RUN(&r, "check", "now");
    expect_usage_error(&r, "check now", names, "now");
    run_free(&r);
}

/* ---- 6. --version, --help, list ---------------------------------------- */

static void test_version(void **state)
{
    static const char *const flags[] = { "--version", "-V" };
    const char *want = "concbench " CB_VERSION;

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct run r;

        RUN(&r, flags[i]);
        expect_exit(&r, 0);
        assert_int_equal(r.err_len, 0);
        if (strncmp(r.out, want, strlen(want)) != 0 ||
            (r.out[strlen(want)] != ' ' && r.out[strlen(want)] != '\n'))
            fail_msg("%s printed \"%s\", expected \"%s ...\"", flags[i],
                     r.out, want);
        assert_int_equal(count_lines(r.out), 1);
        run_free(&r);
    }
}

/* Runs concbench with arg: exit 0, nothing on stderr, and every word on
 * stdout. */
static void expect_mentions(const char *arg, const char *const *words, size_t n)
{
    struct run r;

    RUN(&r, arg);
    expect_exit(&r, 0);
    assert_int_equal(r.err_len, 0);
    for (size_t i = 0; i < n; i++)
        if (!contains(r.out, words[i]))
            fail_msg("%s does not mention %s", arg, words[i]);
    run_free(&r);
}

static void test_help(void **state)
{
    static const char *const opts[] = {
        "--mode", "--task", "--workers", "--repetitions", "--warmup",
        "--iterations", "--sleep", "--fib", "--start", "--format", "--output",
        "--context", "--per-sample", "--quiet", "--help", "--version",
    };
    struct run r;

    const struct cb_param_desc *table[CB_OPTIONS_MAX];
    const char *flags[CB_OPTIONS_MAX];
    char text[CB_OPTIONS_MAX][64];
    size_t n = cb_options_all(table, CB_OPTIONS_MAX);

    (void)state;
    expect_mentions("--help", opts, sizeof opts / sizeof opts[0]);
    for (size_t i = 0; i < n; i++) { /* and every line of the option tables */
        snprintf(text[i], sizeof text[i], "--%s", table[i]->flag);
        flags[i] = text[i];
    }
    expect_mentions("--help", flags, n);
    RUN(&r, "-h");
    expect_exit(&r, 0);
    assert_true(contains(r.out, "--mode"));
    run_free(&r);
}

static void test_list(void **state)
{
    static const char *const words[] = {
        "100000000", "100ms", "35", "immediate", "barrier",
        "json", "table", "markdown", "csv",
    };
    const char *names[2u * CB_MAX_LIST];
    size_t n = 0;

    (void)state;
    expect_mentions("list", words, sizeof words / sizeof words[0]);
    for (size_t t = 0; cb_tasks[t] && n < CB_MAX_LIST; t++)
        names[n++] = cb_tasks[t]->name;
    for (size_t m = 0; cb_executors[m] && n < sizeof names / sizeof names[0]; m++)
        names[n++] = cb_executors[m]->name;
    expect_mentions("list", names, n);
}

/* ---- 7. -o FILE -------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *data = NULL;
    size_t cap = 0;

    assert_non_null(f);
    assert_int_not_equal(getdelim(&data, &cap, '\0', f), -1);
    fclose(f);
    return data;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Fails unless dir holds exactly the one file name (no temp files left). */
static void expect_only_file(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    const struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, name) != 0) {
            closedir(d);
            fail_msg("%s: unexpected file %s left behind", dir, e->d_name);
        }
        n++;
    }
    closedir(d);
    assert_int_equal(n, 1);
}

static void expect_json_file(const char *path)
{
    char *text = read_file(path);
    cJSON *root = cJSON_Parse(text);

    if (!root)
        fail_msg("%s is not JSON: %.80s", path, text);
    check_tool(root);
    get_arr(root, "benchmarks", 1);
    cJSON_Delete(root);
    free(text);
}

/* A fresh directory for -o, so leftovers can be seen; the fixture's state. */
struct out_dir {
    char dir[32];
    char path[64];  /* dir/r.json */
};

static int out_dir_setup(void **state)
{
    struct out_dir *o = calloc(1, sizeof *o);

    if (!o)
        return -1;
    snprintf(o->dir, sizeof o->dir, "/tmp/cb-test-binary-XXXXXX");
    if (!mkdtemp(o->dir)) {
        free(o);
        return -1;
    }
    snprintf(o->path, sizeof o->path, "%s/r.json", o->dir);
    *state = o;
    return 0;
}

/* Removes the directory and whatever a failed test left in it. */
static int out_dir_teardown(void **state)
{
    struct out_dir *o = *state;
    DIR *d = opendir(o->dir);
    const struct dirent *e;
    int rc = 0;

    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            rc |= unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    rc |= rmdir(o->dir);
    free(o);
    return rc == 0 ? 0 : -1;
}

/* A successful -o run: exit 0, nothing on stdout or stderr, a JSON file. */
static void expect_written(const struct out_dir *o)
{
    struct run r;

    RUN(&r, BASE, "-o", o->path);
    expect_exit(&r, 0);
    assert_int_equal(r.out_len, 0);
    assert_int_equal(r.err_len, 0);
    run_free(&r);
    expect_json_file(o->path);
    expect_only_file(o->dir, "r.json");
}

static void test_output_new(void **state)
{
    const struct out_dir *o = *state;
    struct stat st;
    mode_t mask = umask(022);

    umask(mask);
    expect_written(o);
    /* as a shell redirection would make it, not the temp file's 0600 */
    assert_int_equal(stat(o->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0666 & ~mask);
}

/* An existing file is replaced by a rename: a new inode, the old mode. */
static void test_output_replace(void **state)
{
    const struct out_dir *o = *state;
    struct stat before, after;

    write_file(o->path, "old content\n");
    assert_int_equal(chmod(o->path, 0640), 0);
    assert_int_equal(stat(o->path, &before), 0);
    expect_written(o);
    assert_int_equal(stat(o->path, &after), 0);
    assert_true(before.st_ino != after.st_ino);
    assert_int_equal(after.st_mode & 07777, 0640);
}

/* A run refused with exit 2 leaves the old file as it was. */
static void test_output_kept_on_error(void **state)
{
    const struct out_dir *o = *state;
    const char *old = "old content\n";
    struct run r;
    char *text;

    write_file(o->path, old);
    RUN(&r, BASE, "-o", o->path, "--mode=bogus");
    expect_exit(&r, 2);
    assert_int_equal(r.out_len, 0);
    run_free(&r);
    RUN(&r, "-o", o->path, BASE, "--fib=94");
    expect_exit(&r, 2);
    run_free(&r);
    text = read_file(o->path);
    assert_string_equal(text, old);
    free(text);
    expect_only_file(o->dir, "r.json");
}

/* -o - is stdout. */
static void test_output_dash(void **state)
{
    struct run r;
    cJSON *root;

    (void)state;
    RUN(&r, BASE, "-o", "-");
    root = expect_json_run(&r);
    check_benchmark(cJSON_GetArrayItem(get_arr(root, "benchmarks", 1), 0),
                    &io_1ms, "threads", 1, "immediate", 0, 1);
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 8. --context KEY=VALUE -------------------------------------------- */

static void test_user_context(void **state)
{
    const char *args[] = { BASE, "--context", "commit=abc123", "--context",
                           "branch=main", "--context=runner=ci-7", NULL };
    struct run r;
    cJSON *root;
    const cJSON *user;

    (void)state;
    run_list(&r, args);
    root = expect_json_run(&r);
    user = get_obj(check_context(root, args), "user");
    expect_str(user, "commit", "abc123");
    expect_str(user, "branch", "main");
    expect_str(user, "runner", "ci-7");
    assert_int_equal(cJSON_GetArraySize(user), 3);
    cJSON_Delete(root);
    run_free(&r);
}

/* ---- 9. table, markdown, csv ------------------------------------------- */

#define TWO_CELLS "-m", "threads,serial", "-t", "io", "--sleep=1ms", \
                  "-n", "2", "-r", "2", "-w", "0", "-q"

static void test_text_formats(void **state)
{
    static const char *const formats[] = { "table", "markdown" };

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct run r;

        RUN(&r, TWO_CELLS, "-f", formats[i]);
        expect_exit(&r, 0);
        assert_int_equal(r.err_len, 0);
        if (!contains(r.out, "io/threads/2") || !contains(r.out, "io/serial/2"))
            fail_msg("%s lacks a benchmark name:\n%s", formats[i], r.out);
        if (i == 1 && !contains(r.out, "| io/threads/2 "))
            fail_msg("markdown has no table row for io/threads/2:\n%s", r.out);
        run_free(&r);
    }
}

/* Splits text into lines (in place); returns how many. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;

    for (char *p = text; *p; n++) {
        char *nl = strchr(p, '\n');

        assert_non_null(nl); /* every line ends with a newline */
        assert_true(n < max);
        *nl = '\0';
        lines[n] = p;
        p = nl + 1;
    }
    return n;
}

/* The i-th comma-separated field of line, copied into out. */
static void csv_field(const char *line, int i, char *out, size_t len)
{
    const char *p = line, *end;

    for (; i > 0; i--) {
        p = strchr(p, ',');
        assert_non_null(p);
        p++;
    }
    end = strchr(p, ',');
    if (!end)
        end = p + strlen(p);
    assert_true((size_t)(end - p) < len);
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
}

/* The index of column name in the header; fails if there is none. */
static int csv_column(const char *header, const char *name)
{
    char cell[64];

    for (int i = 0; i < 64; i++) {
        csv_field(header, i, cell, sizeof cell);
        if (strcmp(cell, name) == 0)
            return i;
    }
    fail_msg("csv header has no column %s: %s", name, header);
    return -1;
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_csv(void **state)
{
    static const char *const names[] = { "io/threads/2", "io/serial/2" };
    char *lines[16], cell[64];
    struct run r;

    (void)state;
    RUN(&r, TWO_CELLS, "-f", "csv");
    expect_exit(&r, 0);
    assert_int_equal(r.err_len, 0);
    assert_int_equal(split_lines(r.out, lines, 16), 3);
    assert_true(strncmp(lines[0], "name,", 5) == 0);
    for (size_t i = 1; i < 3; i++) {
        assert_int_equal(count_char(lines[i], ','), count_char(lines[0], ','));
        csv_field(lines[i], csv_column(lines[0], "name"), cell, sizeof cell);
        assert_string_equal(cell, names[i - 1]);
        csv_field(lines[i], csv_column(lines[0], "status"), cell, sizeof cell);
        assert_string_equal(cell, "ok");
        csv_field(lines[i], csv_column(lines[0], "samples"), cell, sizeof cell);
        assert_string_equal(cell, "2");
    }
    csv_field(lines[2], csv_column(lines[0], "speedup"), cell, sizeof cell);
    assert_true(strtod(cell, NULL) == 1.0);
    run_free(&r);
}

static void test_csv_per_sample(void **state)
{
    char *lines[32], cell[64];
    int seen[2][2][2] = { { { 0 } } }; /* benchmark, sample, worker */
    struct run r;
    int c_name, c_sample, c_worker, c_sum;

    (void)state;
    RUN(&r, TWO_CELLS, "-f", "csv", "--per-sample");
    expect_exit(&r, 0);
    assert_int_equal(r.err_len, 0);
    /* header + 2 benchmarks x 2 samples x 2 workers */
    assert_int_equal(split_lines(r.out, lines, 32), 1 + 8);
    c_name = csv_column(lines[0], "name");
    c_sample = csv_column(lines[0], "sample");
    c_worker = csv_column(lines[0], "worker");
    c_sum = csv_column(lines[0], "checksum");
    for (size_t i = 1; i < 9; i++) {
        int b, s, w;

        assert_int_equal(count_char(lines[i], ','), count_char(lines[0], ','));
        csv_field(lines[i], c_name, cell, sizeof cell);
        b = strcmp(cell, "io/serial/2") == 0;
        if (!b && strcmp(cell, "io/threads/2") != 0)
            fail_msg("unexpected row: %s", lines[i]);
        csv_field(lines[i], c_sample, cell, sizeof cell);
        s = atoi(cell);
        csv_field(lines[i], c_worker, cell, sizeof cell);
        w = atoi(cell);
        assert_in_range(s, 0, 1);
        assert_in_range(w, 0, 1);
        seen[b][s][w]++;
        csv_field(lines[i], c_sum, cell, sizeof cell);
        assert_string_equal(cell, "1000000");
    }
    for (int i = 0; i < 8; i++)
        assert_int_equal(seen[i / 4][i / 2 % 2][i % 2], 1);
    run_free(&r);
}

/* ---- main -------------------------------------------------------------- */

/* One named test per mode x task, so a failure says which. */
#define CELL(i) { cells[i].name, test_cell, NULL, NULL, (void *)&cells[i] }
#define OUT_TEST(f) \
    cmocka_unit_test_setup_teardown(f, out_dir_setup, out_dir_teardown)

/* Without the binary every test would fail the same way: say so once. */
static int binary_exists(void **state)
{
    (void)state;
    if (access(CB_BINARY, X_OK) == 0)
        return 0;
    fprintf(stderr, "%s: %s\n", CB_BINARY, strerror(errno));
    return -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CELL(0), CELL(1), CELL(2), CELL(3), CELL(4), CELL(5), CELL(6), CELL(7),
        CELL(8),
        cmocka_unit_test(test_speedup),
        cmocka_unit_test(test_barrier),
        cmocka_unit_test(test_io_overlap_threads),
        cmocka_unit_test(test_io_overlap_processes),
        cmocka_unit_test(test_pin_recorded),
        cmocka_unit_test(test_claim_params),
        cmocka_unit_test(test_address_space_tasks),
        cmocka_unit_test(test_fault_memory_refused),
        cmocka_unit_test(test_fault_counters),
        cmocka_unit_test(test_lock_none),
        cmocka_unit_test(test_cow_touch),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_cow_touch_changes_nothing),
        cmocka_unit_test(test_unknown_subcommand),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_check),
        OUT_TEST(test_output_new),
        OUT_TEST(test_output_replace),
        OUT_TEST(test_output_kept_on_error),
        cmocka_unit_test(test_output_dash),
        cmocka_unit_test(test_user_context),
        cmocka_unit_test(test_text_formats),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_per_sample),
    };

    _Static_assert(sizeof cells / sizeof cells[0] == 9, "CELL() list");
    return cmocka_run_group_tests(tests, binary_exists, NULL);
}
