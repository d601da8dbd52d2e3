/* Signals during a run: every child killed and reaped, the old output file
 * intact, exit 128 + signal; and children that outlive a SIGKILLed parent
 * die with it. Runs the built binary. */
#include "cb_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define OLD_CONTENT "{\"old\": true}\n"

static char dir[] = "/tmp/cb-signals-XXXXXX";
static char out[sizeof dir + 16];

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Children of pid, from /proc/PID/task/PID/children (or a /proc scan). */
static int children_of(pid_t pid, pid_t *kids, int max)
{
    char path[64];
    FILE *f;
    int n = 0;
    long k;

    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (n < max && fscanf(f, "%ld", &k) == 1)
        kids[n++] = (pid_t)k;
    fclose(f);
    return n;
}

static pid_t start(const char *const argv[])
{
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(null, STDERR_FILENO);
        dup2(null, STDOUT_FILENO);
        /* execv does not modify argv; its prototype predates const. */
        execv(CB_BINARY, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    return pid;
}

/* Waits until pid has n children (the run is under way). */
static int wait_children(pid_t pid, pid_t *kids, int n)
{
    int got = 0;

    for (int i = 0; i < 500 && got < n; i++) {
        pause_ms(10);
        got = children_of(pid, kids, n);
    }
    return got;
}

/* Threads of pid (its /proc/PID/task entries), waiting up to 5 s for at
 * least n: the workers exist, so the signal handlers are installed. */
static int wait_threads(pid_t pid, int n)
{
    char path[64];
    int got = 0;

    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    for (int i = 0; i < 500 && got < n; i++) {
        DIR *d = opendir(path);
        struct dirent *e;

        pause_ms(10);
        got = 0;
        while (d && (e = readdir(d)) != NULL)
            got += e->d_name[0] != '.';
        if (d)
            closedir(d);
    }
    return got;
}

static void write_old(void)
{
    FILE *f = fopen(out, "w");

    assert_non_null(f);
    fputs(OLD_CONTENT, f);
    fclose(f);
}

static void check_old_and_alone(void)
{
    char buf[64] = "";
    FILE *f = fopen(out, "r");
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;

    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, OLD_CONTENT);
    assert_non_null(d);
    while ((e = readdir(d)))
        files += e->d_name[0] != '.' || strncmp(e->d_name, ".out", 4) == 0;
    closedir(d);
    assert_int_equal(files, 1); /* no temporary file left */
}

static void interrupted(const char *mode, int sig)
{
    const char *argv[] = { "concbench", "-m", mode, "-t", "io", "-n", "3",
                     "--sleep=5s", "-r", "2", "-o", out, NULL };
    pid_t kids[8] = { 0 }, pid;
    int status, nkids = 0;

    write_old();
    pid = start(argv);
    if (strcmp(mode, "processes") == 0) {
        nkids = wait_children(pid, kids, 3);
    } else {
        /* Threads run in the sample server, a child of concbench. */
        nkids = wait_children(pid, kids, 1);
        assert_int_equal(nkids, 1);
        assert_true(wait_threads(kids[0], 4) >= 4); /* main + 3 workers */
    }
    assert_true(strcmp(mode, "processes") != 0 || nkids == 3);
    kill(pid, sig);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + sig);
    for (int i = 0; i < nkids; i++) /* killed and reaped: gone */
        assert_int_equal(kill(kids[i], 0), -1);
    check_old_and_alone();
    cb_test_no_children();
}

static void test_sigterm_processes(void **state) { (void)state; interrupted("processes", SIGTERM); }
static void test_sigint_processes(void **state) { (void)state; interrupted("processes", SIGINT); }
static void test_sighup_processes(void **state) { (void)state; interrupted("processes", SIGHUP); }
static void test_sigint_threads(void **state) { (void)state; interrupted("threads", SIGINT); }

/* As a subreaper this test inherits the orphans, so it can see them die. */
static void test_parent_killed(void **state)
{
    const char *argv[] = { "concbench", "-m", "processes", "-t", "io", "-n", "3",
                     "--sleep=20s", "-r", "1", "-w", "0", NULL };
    pid_t kids[8], pid;
    int status, reaped = 0;
    uint64_t t0;

    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1ul, 0ul, 0ul, 0ul), 0);
    pid = start(argv);
    assert_int_equal(wait_children(pid, kids, 3), 3);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    t0 = cb_clock_now_ns();
    while (reaped < 3 && cb_test_since(t0) < 5.0) {
        pid_t k = waitpid(-1, &status, 0);

        assert_true(k > 0);
        /* Killed by PR_SET_PDEATHSIG, or (forked just before the parent
         * died, before its prctl) it saw the new parent and exited 125. */
        if (WIFSIGNALED(status))
            assert_int_equal(WTERMSIG(status), SIGKILL);
        else
            assert_int_equal(WEXITSTATUS(status), 125);
        reaped++;
    }
    assert_int_equal(reaped, 3);
    assert_true(cb_test_since(t0) < 8.0); /* not the 20 s sleep */
    cb_test_no_children();
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(out, sizeof out, "%s/out.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(out);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_processes),
        cmocka_unit_test(test_sigint_processes),
        cmocka_unit_test(test_sighup_processes),
        cmocka_unit_test(test_sigint_threads),
        cmocka_unit_test(test_parent_killed),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
