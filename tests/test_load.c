/* cb_load: reading result files back, and refusing every bad one with a
 * single line that names the file. Files under tests/data come from
 * tests/data/generate.py. */
#include "cb_test.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/load.h"

#define DATA CB_SOURCE_DIR "/tests/data/"

static void test_good_file(void **state)
{
    struct cb_loaded l;
    struct cb_error err = { "" };
    const struct cb_loaded_cell *c;

    (void)state;
    assert_int_equal(cb_load_file(DATA "base.json", &l, &err), 0);
    assert_int_equal(l.ncells, 5);
    assert_string_equal(l.context.hostname, "ci-runner");
    assert_string_equal(l.context.cpu_model, "Test CPU");
    assert_string_equal(l.context.tool_version, "0.1.0");
    assert_int_equal(l.context.usable_cpus, 2);
    c = cb_load_find(&l, "cpu/threads/2");
    assert_non_null(c);
    assert_string_equal(c->task, "cpu");
    assert_string_equal(c->mode, "threads");
    assert_int_equal(c->workers, 2);
    assert_int_equal(c->nparams, 1);
    assert_string_equal(c->params[0].name, "iterations");
    assert_true(c->params[0].value == 1000000);
    assert_int_equal(c->nsamples, 10);
    assert_true(c->wall[0] > 0.0095 && c->wall[0] < 0.0105);
    assert_true(c->cpu[0] > c->wall[0]);
    assert_true(c->spawn[0] > 0);
    assert_null(cb_load_find(&l, "cpu/threads/3"));
    cb_load_free(&l);
    cb_load_free(&l); /* idempotent */
}

/* What a real run writes loads too, including a worker without numbers
 * (a failed worker) and NaN utilisation printed as null. */
static void test_minimal_text(void **state)
{
    static const char text[] =
        "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
        "\"benchmarks\":[{\"name\":\"cpu/threads/1\",\"task\":\"cpu\",\"mode\":\"threads\","
        "\"workers\":1,\"params\":{},\"start\":\"immediate\",\"status\":\"ok\","
        "\"samples\":[{\"wall_s\":1,\"user_s\":0.5,\"sys_s\":0.25,"
        "\"cpu_utilization\":null,\"workers\":[{\"id\":0,\"status\":\"no-report\"}]}]}]}";
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    assert_int_equal(cb_load_text("mem", text, sizeof text - 1, &l, &err), 0);
    assert_string_equal(l.context.hostname, "unknown");
    assert_int_equal(l.context.logical_cpus, -1);
    assert_int_equal(l.cells[0].nsamples, 1);
    assert_true(l.cells[0].cpu[0] == 0.75);
    assert_true(isnan(l.cells[0].spawn[0]));
    cb_load_free(&l);
}

/* context.state is optional; when present its fields are type-checked. */
static void test_state(void **state)
{
    static const char head[] = "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
                               "\"context\":";
    static const char tail[] = ",\"benchmarks\":[]}";
    static const struct { const char *ctx, *words; } bad[] = {
        { "{\"state\":3}", "context.state is not an object" },
        { "{\"state\":{\"cpu_quota\":\"x\"}}", "cpu_quota is not a number" },
        { "{\"state\":{\"governor\":1}}", "context.state.governor is not a string" },
        { "{\"state\":{\"problems\":[1]}}", "not an object" },
        { "{\"state\":{\"problems\":[{}]}}", "has no \"check\"" },
        { "{\"state\":{\"build\":[]}}", "context.state.build is not an object" },
    };
    char text[512];
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    snprintf(text, sizeof text, "%s{}%s", head, tail);
    assert_int_equal(cb_load_text("old", text, strlen(text), &l, &err), 0);
    assert_false(l.context.has_state);
    cb_load_free(&l);
    snprintf(text, sizeof text, "%s{\"state\":{\"governor\":\"powersave\",\"cpu_quota\":null,"
             "\"build\":{\"sanitizers\":\"thread\"},\"problems\":[{\"check\":\"steal\","
             "\"message\":\"m\"},{\"check\":\"build\"}],\"others_cpu\":null}}%s", head, tail);
    assert_int_equal(cb_load_text("new", text, strlen(text), &l, &err), 0);
    assert_true(l.context.has_state);
    assert_string_equal(l.context.governor, "powersave");
    assert_string_equal(l.context.turbo, "unknown");
    assert_string_equal(l.context.sanitizers, "thread");
    assert_true(l.context.cpu_quota == 0);
    assert_string_equal(l.context.problems, "steal, build");
    cb_load_free(&l);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "%s%s%s", head, bad[i].ctx, tail);
        if (cb_load_text("bad", text, strlen(text), &l, &err) != -1)
            fail_msg("%s loaded", bad[i].ctx);
        if (!strstr(err.msg, bad[i].words))
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].ctx, err.msg, bad[i].words);
    }
}

/* Each bad file: -1, a zeroed result, and one line that names the file
 * and contains the expected words. */
static void expect_bad(const char *name, const char *words)
{
    char path[512];
    struct cb_loaded l;
    struct cb_error err = { "" };

    snprintf(path, sizeof path, "%s%s", DATA "bad/", name);
    if (cb_load_file(path, &l, &err) != -1)
        fail_msg("%s loaded", name);
    assert_null(l.cells);
    assert_int_equal(l.ncells, 0);
    if (!strstr(err.msg, path) || !strstr(err.msg, words) || strchr(err.msg, '\n'))
        fail_msg("%s: got \"%s\", want the path and \"%s\"", name, err.msg, words);
    /* Nothing from the file reaches the terminal raw: no C0, DEL or C1. */
    for (const unsigned char *p = (const unsigned char *)err.msg; *p; p++)
        if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0))
            fail_msg("%s: control character 0x%02X in \"%s\"", name, *p, err.msg);
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_bad("missing.json", "cannot open");
    expect_bad("empty.json", "empty");
    expect_bad("notjson.json", "not JSON: syntax error at line 1");
    expect_bad("truncated.json", "truncated JSON");
    expect_bad("trailing.json", "unexpected text after the document");
    expect_bad("schema2.json", "schema_version 2 is not supported");
    expect_bad("notconcbench.json", "not a concbench result file");
    expect_bad("array.json", "top level is not an object");
    expect_bad("nan.json", "not JSON: NaN or Infinity at line 42, column 16");
    expect_bad("inf.json", "benchmarks[0].samples[0].wall_s is not a finite number");
    expect_bad("negative.json", "benchmarks[0].samples[0].wall_s is -1");
    expect_bad("deep.json", "nests deeper than");
    expect_bad("dupkey.json", "has the key \"wall_s\" twice");
    expect_bad("wrongtype.json", "benchmarks[0].samples[0].wall_s is not a number");
    expect_bad("noworkers.json", "benchmarks[0].workers is not a number");
    expect_bad("dupname.json", "benchmark \"cpu/threads/2\" appears twice");
    expect_bad("misnamed.json",
               "benchmark \"cpu/threads/2\": its task, mode and workers make "
               "\"cpu/processes/2\"");
    expect_bad("fewrecords.json", "benchmark \"cpu/processes/2\": benchmarks[1].samples[3] "
               "has 1 worker records, but workers is 2");
    expect_bad("repetitions.json",
               "benchmark \"cpu/threads/2\": repetitions is 9, but it has 10 samples");
    expect_bad("c1.json", "context.hostname contains a control character");
    expect_bad("esckey.json", "benchmarks[0].params has a key with a control character");
    expect_bad("nul.json", "NUL byte");
    expect_bad("latin1.json", "not UTF-8: invalid byte 0xE9");
}

static void test_directory(void **state)
{
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    assert_int_equal(cb_load_file(DATA "bad", &l, &err), -1);
    assert_non_null(strstr(err.msg, "is a directory"));
}

/* What is not a regular file or a pipe is refused by kind, at once:
 * before, a FIFO without a writer blocked in open() and /dev/zero was
 * read until the size cap. The alarm turns a hang into a failure. */
static void test_not_files(void **state)
{
    char dir[] = "/tmp/cb_test_load_XXXXXX", fifo[64], sock[64];
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct cb_loaded l;
    struct cb_error err = { "" };
    int s;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(sock, sizeof sock, "%s/sock", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(s >= 0);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    alarm(20);
    assert_int_equal(cb_load_file(fifo, &l, &err), -1);
    assert_non_null(strstr(err.msg, "is a pipe with nothing in it"));
    assert_int_equal(cb_load_file("/dev/zero", &l, &err), -1);
    assert_non_null(strstr(err.msg, "/dev/zero: is a device, not a result file"));
    assert_int_equal(cb_load_file(sock, &l, &err), -1);
    assert_non_null(strstr(err.msg, "is a socket, not a result file"));
    alarm(0);
    close(s);
    unlink(sock);
    unlink(fifo);
    rmdir(dir);
}

/* Forks a child that runs write_fn on the write end of a new pipe and
 * exits; returns its pid, and in path "/dev/fd/N" of the read end
 * (closed by the caller, fd in *rfd). */
static pid_t pipe_writer(void (*write_fn)(int fd), char path[64], int *rfd)
{
    int fds[2];
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        write_fn(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    snprintf(path, 64, "/dev/fd/%d", fds[0]);
    *rfd = fds[0];
    return pid;
}

/* base.json, after 200 ms. */
static void write_slowly(int fd)
{
    static char buf[1 << 16];
    int in = open(DATA "base.json", O_RDONLY);
    ssize_t n;

    usleep(200 * 1000);
    while (in >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n)
            _exit(1);
}

/* A pipe whose writer is slow to write is waited for and read. */
static void test_slow_pipe(void **state)
{
    int rfd, status;
    char path[64];
    struct cb_loaded l;
    struct cb_error err = { "" };
    pid_t pid;

    (void)state;
    pid = pipe_writer(write_slowly, path, &rfd);
    alarm(20);
    if (cb_load_file(path, &l, &err) != 0)
        fail_msg("%s", err.msg);
    alarm(0);
    assert_int_equal(l.ncells, 5);
    cb_load_free(&l);
    close(rfd);
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* A sparse file past the cap is refused from its size, without reading. */
static void test_huge_file(void **state)
{
    char path[] = "/tmp/cb_test_load_XXXXXX";
    int fd = mkstemp(path);
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)CB_LOAD_MAX_BYTES + 1), 0);
    close(fd);
    assert_int_equal(cb_load_file(path, &l, &err), -1);
    assert_non_null(strstr(err.msg, "larger than 64 MiB"));
    unlink(path);
}

/* Blanks until the reader goes away. */
static void write_forever(int fd)
{
    static char block[1 << 16];

    memset(block, ' ', sizeof block);
    while (write(fd, block, sizeof block) > 0)
        ;
}

/* The same through a pipe, where the size is unknown until read. */
static void test_huge_pipe(void **state)
{
    int rfd;
    char path[64];
    struct cb_loaded l;
    struct cb_error err = { "" };
    pid_t pid;

    (void)state;
    pid = pipe_writer(write_forever, path, &rfd);
    assert_int_equal(cb_load_file(path, &l, &err), -1);
    assert_non_null(strstr(err.msg, "larger than"));
    close(rfd);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* Strings are checked before they reach a terminal or a message. */
static void test_bad_strings(void **state)
{
    static const char ctl[] =
        "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
        "\"context\":{\"hostname\":\"a\\nb\"},\"benchmarks\":[]}";
    static const char bad_utf8_tail[] = "{\"a\":\"\xF0\x9F\"}";
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    assert_int_equal(cb_load_text("ctl", ctl, sizeof ctl - 1, &l, &err), -1);
    assert_non_null(strstr(err.msg, "context.hostname contains a control character"));
    assert_int_equal(cb_load_text("u8", bad_utf8_tail, sizeof bad_utf8_tail - 1, &l, &err), -1);
    assert_non_null(strstr(err.msg, "not UTF-8"));
    /* Not NUL-terminated: the loader must stay inside len. */
    assert_int_equal(cb_load_text("len", "{\"schema_version\":1}xyz", 20, &l, &err), -1);
    assert_non_null(strstr(err.msg, "not a concbench result file"));
}

/* The claims' medians: optional, but checked when present. */
static void test_claims(void **state)
{
    static const char head[] =
        "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
        "\"benchmarks\":[{\"name\":\"cpu/threads/1\",\"task\":\"cpu\",\"mode\":\"threads\","
        "\"workers\":1,\"params\":{},\"start\":\"immediate\",\"status\":\"ok\",%s"
        "\"samples\":[{\"wall_s\":1,\"user_s\":0,\"sys_s\":0,\"workers\":[{}]}]}]}";
    static const struct { const char *claims, *error; } bad[] = {
        { "\"memory_per_worker_kib\":5,", "benchmarks[0].memory_per_worker_kib is not an object" },
        { "\"gil_wait_s\":{},", "benchmarks[0].gil_wait_s has no \"median\"" },
        { "\"handoff_s\":{\"median\":-1},", "benchmarks[0].handoff_s.median is -1" },
        { "\"handoff_s\":{\"median\":1},\"handoff_s\":{\"median\":1},", "twice" },
    };
    char text[1024];
    struct cb_loaded l;
    struct cb_error err = { "" };

    (void)state;
    snprintf(text, sizeof text, head, "");
    assert_int_equal(cb_load_text("none", text, strlen(text), &l, &err), 0);
    assert_true(isnan(l.cells[0].mem_kib) && isnan(l.cells[0].handoff) &&
                isnan(l.cells[0].gil_wait));
    cb_load_free(&l);
    snprintf(text, sizeof text, head,
             "\"memory_per_worker_kib\":{\"median\":2048},\"handoff_s\":{\"median\":0.5},"
             "\"gil_wait_s\":{\"median\":0.25},");
    assert_int_equal(cb_load_text("all", text, strlen(text), &l, &err), 0);
    assert_true(l.cells[0].mem_kib == 2048 && l.cells[0].handoff == 0.5 &&
                l.cells[0].gil_wait == 0.25);
    cb_load_free(&l);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, head, bad[i].claims);
        assert_int_equal(cb_load_text("bad", text, strlen(text), &l, &err), -1);
        if (!strstr(err.msg, bad[i].error))
            fail_msg("got \"%s\", want \"%s\"", err.msg, bad[i].error);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_minimal_text),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_not_files),
        cmocka_unit_test(test_slow_pipe),
        cmocka_unit_test(test_huge_file),
        cmocka_unit_test(test_huge_pipe),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_claims),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
