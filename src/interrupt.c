#include "concbench/interrupt.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/sysname.h"
#include "concbench/utf8.h"

/* Where the output stands, for the one line the handler writes. */
enum out_state { OUT_NONE, OUT_TEMP, OUT_PARTIAL, OUT_WRITTEN };

static pid_t *_Atomic tracked_pids;
static _Atomic uint32_t tracked_n;
static char temp_path[4096];
static char out_name[4096]; /* escaped: it goes to the terminal */
static _Atomic int out_state;
static _Atomic bool has_workers;
static volatile sig_atomic_t deadline_hit;

static void say(const char *s)
{
    ssize_t r = write(STDERR_FILENO, s, strlen(s));

    (void)r;
}

/* What became of the output, said as it is. */
static void say_output(int state)
{
    if (state == OUT_WRITTEN || state == OUT_PARTIAL) {
        say(state == OUT_WRITTEN ? "output written to " : "output to ");
        say(out_name);
        say(state == OUT_WRITTEN ? "\n" : " may be incomplete\n");
        return;
    }
    say(atomic_load(&has_workers) ? "workers stopped, no output written\n"
                                  : "no output written\n");
}

/* Only async-signal-safe calls: kill, waitpid, unlink, write, _exit. */
static void on_signal(int sig)
{
    pid_t *pids = atomic_load(&tracked_pids);
    uint32_t n = pids ? atomic_load(&tracked_n) : 0;
    const char *name = cb_sysname_signal(sig);
    int state = atomic_load(&out_state);

    for (uint32_t i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGKILL);
    for (uint32_t i = 0; i < n; i++)
        if (pids[i] > 0)
            while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
                ;
    if (state == OUT_TEMP)
        unlink(temp_path);
    say("concbench: interrupted by ");
    say(name ? name : "a signal");
    say("; ");
    say_output(state);
    _exit(128 + sig);
}

/* The deadline passed: stop the children; the runner reaps them. */
static void on_alarm(int sig)
{
    pid_t *pids = atomic_load(&tracked_pids);
    uint32_t n = pids ? atomic_load(&tracked_n) : 0;
    int saved = errno;

    (void)sig;
    deadline_hit = 1;
    for (uint32_t i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGKILL);
    errno = saved;
}

void cb_interrupt_deadline(uint64_t ns)
{
    struct sigaction old;
    struct itimerval it;

    memset(&it, 0, sizeof it);
    if (ns) {
        /* The live disposition, not a flag of our own: a forked child
         * copies a flag, but may have had its handlers reset. */
        if (sigaction(SIGALRM, NULL, &old) != 0 || old.sa_handler != on_alarm) {
            struct sigaction sa;

            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_alarm;
            sa.sa_flags = SA_RESTART; /* waits go on; the kill ends them */
            sigemptyset(&sa.sa_mask);
            sigaction(SIGALRM, &sa, NULL);
        }
        deadline_hit = 0;
        it.it_value.tv_sec = (time_t)(ns / CB_NS_PER_S);
        it.it_value.tv_usec = (suseconds_t)(ns % CB_NS_PER_S / 1000u);
        if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
            it.it_value.tv_usec = 1;
    }
    setitimer(ITIMER_REAL, &it, NULL);
}

bool cb_interrupt_deadline_passed(void)
{
    return deadline_hit != 0;
}

static const int unit_sigs[] = { SIGSEGV, SIGBUS,  SIGILL,  SIGFPE,  SIGABRT, SIGINT,
                                 SIGTERM, SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM, SIGXFSZ };

void cb_interrupt_unit_signals(sigset_t *set)
{
    for (size_t i = 0; i < sizeof unit_sigs / sizeof unit_sigs[0]; i++)
        sigaddset(set, unit_sigs[i]);
}

void cb_interrupt_unit_defaults(void)
{
    sigset_t none;

    for (size_t i = 0; i < sizeof unit_sigs / sizeof unit_sigs[0]; i++)
        signal(unit_sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t cb_interrupt_fork_helper(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
    pid_t parent = getpid(), pid;
    int e;

    cb_interrupt_defer(true);
    pid = fork();
    if (pid == 0) {
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
        cb_interrupt_defer(false);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
        if (getppid() != parent)
            _exit(125);
        return 0;
    }
    e = errno;
    cb_interrupt_defer(false);
    errno = e;
    return pid;
}

static int install(struct cb_error *err)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;

    /* Past ulimit -f a write fails with EFBIG, which removes the
     * temporary file, rather than SIGXFSZ killing us beside it. */
    signal(SIGXFSZ, SIG_IGN);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* Block the others while one is handled: one cleanup, one exit. */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0) {
            cb_error_set(err, "cannot install a handler for %s: %s",
                         cb_sysname_signal(sigs[i]), strerror(errno));
            return -1;
        }
    return 0;
}

int cb_interrupt_install(struct cb_error *err)
{
    atomic_store(&has_workers, true);
    return install(err);
}

int cb_interrupt_install_output(struct cb_error *err)
{
    atomic_store(&has_workers, false);
    return install(err);
}

void cb_interrupt_defer(bool defer)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(defer ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void cb_interrupt_track(pid_t *pids, uint32_t n)
{
    atomic_store(&tracked_n, 0);
    atomic_store(&tracked_pids, pids);
    atomic_store(&tracked_n, pids ? n : 0);
}

/* The handled signals held back while the handler's view is changed, so
 * it never reads half of it; nests, unlike cb_interrupt_defer. */
static void hold(bool on, sigset_t *saved)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (on)
        pthread_sigmask(SIG_BLOCK, &set, saved);
    else
        pthread_sigmask(SIG_SETMASK, saved, NULL);
}

void cb_interrupt_file(const char *path)
{
    sigset_t saved;

    hold(true, &saved);
    atomic_store(&out_state, OUT_NONE);
    if (path && strlen(path) < sizeof temp_path) {
        memcpy(temp_path, path, strlen(path) + 1);
        atomic_store(&out_state, OUT_TEMP);
    }
    hold(false, &saved);
}

void cb_interrupt_output(const char *name, bool whole)
{
    sigset_t saved;

    hold(true, &saved);
    cb_utf8_escape(out_name, sizeof out_name, name ? name : "stdout");
    atomic_store(&out_state, whole ? OUT_WRITTEN : OUT_PARTIAL);
    hold(false, &saved);
}
