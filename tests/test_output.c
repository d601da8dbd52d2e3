/* cb_output: atomic file writes, failures that leave the old file alone,
 * stdout. */
#include "cb_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concbench/output.h"

#define OLD "old contents\n"

/* fsync and close are wrapped at link time (tests/CMakeLists.txt): set
 * one of these to an errno and the next call fails with it, once. */
static int fail_fsync, fail_close;

int __real_fsync(int fd);
int __real_close(int fd);
int __wrap_fsync(int fd);
int __wrap_close(int fd);

int __wrap_fsync(int fd)
{
    int e = fail_fsync;

    if (!e)
        return __real_fsync(fd);
    fail_fsync = 0;
    errno = e;
    return -1;
}

/* A failing close still closes (as Linux does on EIO). */
int __wrap_close(int fd)
{
    int e = fail_close, rc = __real_close(fd);

    if (!e)
        return rc;
    fail_close = 0;
    errno = e;
    return -1;
}

struct dir {
    char path[256];
    char file[320]; /* path/out.json, holding OLD */
};

static int setup(void **state)
{
    struct dir *d = calloc(1, sizeof *d);

    assert_non_null(d);
    snprintf(d->path, sizeof d->path, "/tmp/cb_test_output.XXXXXX");
    assert_non_null(mkdtemp(d->path));
    snprintf(d->file, sizeof d->file, "%s/out.json", d->path);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    struct dir *d = *state;
    DIR *dir = opendir(d->path);
    struct dirent *e;
    char p[600];

    assert_non_null(dir);
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", d->path, e->d_name);
        if (unlink(p) < 0)
            rmdir(p);
    }
    closedir(dir);
    assert_int_equal(rmdir(d->path), 0);
    free(d);
    return 0;
}

static void put(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* Returns the malloc'd contents of path. */
static char *get(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 16);
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void assert_contents(const char *path, const char *want)
{
    char *got = get(path);

    assert_string_equal(got, want);
    free(got);
}

/* The entries of dir; fails on any leftover temporary (".out.json.*"). */
static int entries(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    int n = 0;

    assert_non_null(dir);
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.')
            fail_msg("temporary file left behind: %s", e->d_name);
        n++;
    }
    closedir(dir);
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_replace(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    const char *data = "{\n  \"schema_version\": 1\n}\n";
    struct stat before, after;

    put(d->file, OLD, 0640);
    assert_int_equal(stat(d->file, &before), 0);
    assert_int_equal(cb_output_write(d->file, data, strlen(data), &err), 0);
    assert_contents(d->file, data);
    assert_int_equal(stat(d->file, &after), 0);
    assert_true(before.st_ino != after.st_ino); /* renamed over, not rewritten */
    assert_int_equal(mode_of(d->file), 0640);   /* the old mode is kept */
    assert_int_equal(entries(d->path), 1);
}

static void test_new_file_umask(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    mode_t old = umask(027);

    assert_int_equal(cb_output_write(d->file, "x\n", 2, &err), 0);
    umask(old);
    assert_contents(d->file, "x\n");
    assert_int_equal(mode_of(d->file), 0640);
    assert_int_equal(entries(d->path), 1);
}

static void test_empty_data(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };

    put(d->file, OLD, 0644);
    assert_int_equal(cb_output_write(d->file, "", 0, &err), 0);
    assert_contents(d->file, "");
}

static void test_relative(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char cwd[512];

    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(d->path), 0);
    assert_int_equal(cb_output_write("out.json", "rel\n", 4, &err), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_contents(d->file, "rel\n");
    assert_int_equal(entries(d->path), 1);
}

static void test_missing_dir(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char path[400], want[600];

    put(d->file, OLD, 0644);
    snprintf(path, sizeof path, "%s/nope/x.json", d->path);
    assert_int_equal(cb_output_write(path, "new\n", 4, &err), -1);
    snprintf(want, sizeof want, "--output: cannot write '%s': No such file or directory", path);
    assert_string_equal(err.msg, want);
    assert_contents(d->file, OLD);
    assert_int_equal(entries(d->path), 1);
}

static void test_dir_as_path(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char sub[400], slash[400];

    put(d->file, OLD, 0644);
    snprintf(sub, sizeof sub, "%s/sub", d->path);
    snprintf(slash, sizeof slash, "%s/", d->path);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(cb_output_write(sub, "new\n", 4, &err), -1);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_non_null(strstr(err.msg, sub));
    assert_int_equal(cb_output_write(slash, "new\n", 4, &err), -1);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_int_equal(cb_output_write(d->path, "new\n", 4, &err), -1);
    assert_contents(d->file, OLD);
    assert_int_equal(mode_of(sub) & 0777, 0755);
    assert_int_equal(entries(d->path), 2);
    assert_int_equal(entries(sub), 0);
}

/* A write that fails half-way (file size limit) leaves the old file. */
static void test_write_fails(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    struct rlimit saved, small;
    char big[4096];
    int rc;

    put(d->file, OLD, 0644);
    memset(big, 'x', sizeof big);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 100;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = cb_output_write(d->file, big, sizeof big, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "File too large"));
    assert_contents(d->file, OLD);
    assert_int_equal(entries(d->path), 1);
}

/* Data that never reached the disk (fsync fails) or a delayed write error
 * that close reports (NFS): the old file stays, no temporary file is left,
 * and the message says why. */
static void test_flush_fails(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    int *which[] = { &fail_fsync, &fail_close };

    for (size_t i = 0; i < 2; i++) {
        put(d->file, OLD, 0644);
        *which[i] = EIO;
        assert_int_equal(cb_output_write(d->file, "new\n", 4, &err), -1);
        assert_int_equal(*which[i], 0); /* the failure was reached */
        assert_non_null(strstr(err.msg, d->file));
        assert_non_null(strstr(err.msg, "Input/output error"));
        assert_contents(d->file, OLD);
        assert_int_equal(entries(d->path), 1);
    }
}

/* Runs cb_output_write(path) with stdout sent to fd. */
static int write_to_stdout(int fd, const char *path, const char *data, struct cb_error *err)
{
    int saved = dup(STDOUT_FILENO), rc;

    assert_true(saved >= 0);
    fflush(stdout);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    rc = cb_output_write(path, data, strlen(data), err);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);
    return rc;
}

static void test_stdout(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    int fd = open(d->file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write_to_stdout(fd, NULL, "one\n", &err), 0);
    assert_int_equal(write_to_stdout(fd, "-", "two\n", &err), 0);
    close(fd);
    assert_contents(d->file, "one\ntwo\n");
    assert_int_equal(entries(d->path), 1);
}

static void test_stdout_epipe(void **state)
{
    struct cb_error err = { "" };
    int p[2];
    int rc;

    (void)state;
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    rc = write_to_stdout(p[1], "-", "lost\n", &err);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, "--output: cannot write to stdout: Broken pipe");
}

static void test_check(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char path[400];

    assert_int_equal(cb_output_check(NULL, &err), 0);
    assert_int_equal(cb_output_check("-", &err), 0);
    assert_int_equal(cb_output_check(d->file, &err), 0); /* need not exist */
    put(d->file, OLD, 0644);
    assert_int_equal(cb_output_check(d->file, &err), 0);
    assert_int_equal(cb_output_check(d->path, &err), -1);
    assert_non_null(strstr(err.msg, "Is a directory"));
    snprintf(path, sizeof path, "%s/nope/x.json", d->path);
    assert_int_equal(cb_output_check(path, &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_non_null(strstr(err.msg, path));
    snprintf(path, sizeof path, "%s/x.json", d->file);
    assert_int_equal(cb_output_check(path, &err), -1);
    assert_non_null(strstr(err.msg, "Not a directory"));
    assert_int_equal(entries(d->path), 1);
}

/* A name the target allows but its temporary file ".NAME.XXXXXX" does not
 * (over NAME_MAX): the write could only fail at the end, so the check
 * fails now, and leaves nothing behind. */
static void test_check_temp_name(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char path[700];
    int n = snprintf(path, sizeof path, "%s/", d->path);

    memset(path + n, 'a', 250);
    path[n + 250] = '\0';
    assert_int_equal(cb_output_check(path, &err), -1);
    assert_non_null(strstr(err.msg, "File name too long"));
    assert_int_equal(entries(d->path), 0);
    assert_int_equal(cb_output_write(path, "x", 1, &err), -1);
}

/* Writing through a symlink replaces its target; the link stays. */
static void test_symlink(void **state)
{
    struct dir *d = *state;
    struct cb_error err = { "" };
    char link[400];
    struct stat st;

    put(d->file, OLD, 0600);
    snprintf(link, sizeof link, "%s/latest.json", d->path);
    assert_int_equal(symlink("out.json", link), 0);
    assert_int_equal(cb_output_check(link, &err), 0);
    assert_int_equal(cb_output_write(link, "new\n", 4, &err), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_contents(d->file, "new\n");
    assert_int_equal(mode_of(d->file), 0600);
    assert_int_equal(entries(d->path), 2);
}

/* A device is written in place, never renamed over. */
static void test_device(void **state)
{
    struct cb_error err = { "" };
    struct stat st;

    (void)state;
    assert_int_equal(cb_output_check("/dev/null", &err), 0);
    assert_int_equal(cb_output_write("/dev/null", "gone\n", 5, &err), 0);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void test_empty_path(void **state)
{
    struct cb_error err = { "" };

    (void)state;
    assert_int_equal(cb_output_check("", &err), -1);
    assert_string_equal(err.msg, "--output: cannot write '': No such file or directory");
    assert_int_equal(cb_output_write("", "x", 1, &err), -1);
}

/* Checks and writes d->file as a user who may not write d->path:
 * both fail with EACCES and nothing is created. */
static int denied(const struct dir *d)
{
    struct cb_error err = { "" };

    if (cb_output_check(d->file, &err) != -1 || !strstr(err.msg, "Permission denied"))
        return 1;
    if (cb_output_write(d->file, "x\n", 2, &err) != -1 || !strstr(err.msg, "Permission denied"))
        return 2;
    return 0;
}

static void test_readonly_dir(void **state)
{
    struct dir *d = *state;
    pid_t pid;
    int status;

    if (geteuid() != 0) {
        assert_int_equal(chmod(d->path, 0500), 0);
        status = denied(d);
        assert_int_equal(chmod(d->path, 0700), 0);
        assert_int_equal(status, 0);
        return;
    }
    /* root writes anywhere: drop to nobody in a child. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(setgid(65534) == 0 && setuid(65534) == 0 ? denied(d) : 3);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(entries(d->path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_file_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_as_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout, setup, teardown),
        cmocka_unit_test(test_stdout_epipe),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_temp_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
        cmocka_unit_test(test_device),
        cmocka_unit_test(test_empty_path),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
