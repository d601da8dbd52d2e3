/* --start-method=spawn: the parent's side (the spawn block, posix_spawn)
 * and the spawned image's entry point (--worker=FD:UNIT). */
#include "concbench/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concbench/fdio.h"
#include "concbench/interrupt.h"
#include "concbench/shared.h"
#include "concbench/version.h"
#include "concbench/worker.h"

/* Signals whose handler would keep a crash from killing a unit. */
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

#define CB_SPAWN_MAGIC UINT64_C(0x636f6e6362737077) /* "concbspw" */
#define WORKER_ARG "--worker="

/* The build a block comes from: a block from another concbench (another
 * layout of struct cb_params, cb_run_opts) is refused. */
static void build_id(char *buf, size_t len)
{
    snprintf(buf, len, "%s %s %zu/%zu/%zu", CB_VERSION, CB_BUILD_TYPE,
             sizeof(struct cb_spawn_block), sizeof(struct cb_params),
             sizeof(struct cb_run_opts));
}

int cb_spawn_block_open(struct cb_spawn_block *b, struct cb_error *err)
{
    int fd = memfd_create("concbench-spawn", MFD_CLOEXEC);

    b->magic = CB_SPAWN_MAGIC;
    b->block_size = (uint32_t)sizeof *b;
    build_id(b->version, sizeof b->version);
    if (fd < 0 || cb_fd_write(fd, b, sizeof *b) != sizeof *b) {
        cb_error_set(err, "cannot write the spawn block to a memfd: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Valgrind runs the program inside its tool, whose image /proc/self/exe
 * opens; it preloads its vgpreload libraries into the program. */
static bool under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");

    return p && strstr(p, "vgpreload");
}

/* The binary to spawn: the one running, even if its path has since been
 * rebuilt or deleted: /proc/self/exe opened once (it names the running
 * image's inode) and spawned through /proc/self/fd/N, N kept above the
 * descriptors a unit is handed. Where that cannot be opened, the path
 * the link reads (under valgrind it names the program, not the tool). */
static const char *self_exe(void)
{
    static char path[PATH_MAX];

    if (!path[0]) {
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int high = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 64) : -1;
        ssize_t n;

        if (fd >= 0)
            close(fd);
        if (high >= 0 && !under_valgrind()) {
            snprintf(path, sizeof path, "/proc/self/fd/%d", high);
            return path;
        }
        if (high >= 0)
            close(high);
        n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0)
            snprintf(path, sizeof path, "/proc/self/exe");
        else
            path[n] = '\0';
    }
    return path;
}

static int add_fd(posix_spawn_file_actions_t *fa, int fd, int to)
{
    return fd >= 0 ? posix_spawn_file_actions_adddup2(fa, fd, to) : 0;
}

/* Default dispositions for the signals concbench (or a test framework)
 * catches, none blocked: a crash kills the unit, as a fork's does.
 * Returns 0 with at initialised, or an errno value with nothing to
 * destroy. */
static int spawn_attrs(posix_spawnattr_t *at)
{
    sigset_t def, none;
    int rc = posix_spawnattr_init(at);

    if (rc != 0)
        return rc; /* nothing to destroy */
    sigemptyset(&def);
    sigemptyset(&none);
    cb_interrupt_unit_signals(&def);
    rc = posix_spawnattr_setsigdefault(at, &def);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(at, &none);
    if (rc == 0)
        rc = posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (rc != 0)
        posix_spawnattr_destroy(at);
    return rc;
}

int cb_spawn_unit(const struct cb_spawn_fds *fds, uint32_t unit, pid_t *pid)
{
    extern char **environ;
    char arg[64];
    char *argv[] = { program_invocation_name, arg, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int rc;

    snprintf(arg, sizeof arg, WORKER_ARG "%d:%" PRIu32, CB_SPAWN_FD_BLOCK, unit);
    rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return rc;
    rc = spawn_attrs(&at); /* on failure, destroyed already */
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    rc = add_fd(&fa, fds->block, CB_SPAWN_FD_BLOCK);
    if (rc == 0)
        rc = add_fd(&fa, fds->shared, CB_SPAWN_FD_SHARED);
    if (rc == 0)
        rc = add_fd(&fa, fds->state, CB_SPAWN_FD_STATE);
    if (rc == 0)
        rc = add_fd(&fa, fds->gate, CB_SPAWN_FD_GATE);
    if (rc == 0)
        rc = add_fd(&fa, fds->hold, CB_SPAWN_FD_HOLD);
    if (rc == 0)
        rc = posix_spawn(pid, self_exe(), &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc;
}

static bool host;

void cb_spawn_set_host(void)
{
    host = true;
}

bool cb_spawn_is_host(void)
{
    return host;
}

bool cb_spawn_is_worker_arg(const char *arg)
{
    return arg && strncmp(arg, WORKER_ARG, strlen(WORKER_ARG)) == 0;
}

/* FD:UNIT, both whole numbers. */
static bool parse_arg(const char *arg, int *fd, uint32_t *unit)
{
    char *end;
    long f;
    unsigned long u;

    arg += strlen(WORKER_ARG);
    errno = 0;
    f = strtol(arg, &end, 10);
    if (end == arg || *end != ':' || f < 0 || f > INT_MAX || errno)
        return false;
    arg = end + 1;
    u = strtoul(arg, &end, 10);
    if (end == arg || *end || errno || u > UINT32_MAX || *arg == '-')
        return false;
    *fd = (int)f;
    *unit = (uint32_t)u;
    return true;
}

/* Reads the block from fd, which must be a memfd (only a memfd has
 * seals to ask about) holding one of this build's. */
static bool read_block(int fd, struct cb_spawn_block *b)
{
    char want[sizeof b->version];
    struct stat st;

    if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) != 0 ||
        st.st_size != (off_t)sizeof *b || pread(fd, b, sizeof *b, 0) != (ssize_t)sizeof *b)
        return false;
    build_id(want, sizeof want);
    b->version[sizeof b->version - 1] = '\0';
    b->task[sizeof b->task - 1] = b->executor[sizeof b->executor - 1] = '\0';
    return b->magic == CB_SPAWN_MAGIC && b->block_size == sizeof *b &&
           strcmp(b->version, want) == 0;
}

int cb_spawn_worker_main(const char *arg, struct cb_error *err)
{
    struct cb_spawn_block b;
    uint32_t unit;
    int fd;

    /* The unit's first instruction of its own, as a forked unit's is
     * right after fork returns: what follows (reading the block, mapping
     * the memfds, rebuilding the worker's arguments) is the harness's
     * set-up, which the worker records as waiting (first_s -> start_s). */
    cb_worker_mark_first();
    if (!parse_arg(arg, &fd, &unit) || !read_block(fd, &b) || unit >= b.nunits ||
        b.nunits > b.capacity || b.workers > b.capacity) {
        cb_error_set(err, "--worker is concbench's own (a spawned unit's entry point), "
                     "not an option; see concbench --help");
        return 2;
    }
    /* As in a forked unit, a crash must kill it: the image's own start-up
     * (a sanitizer's runtime) may have installed handlers since exec. */
    for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++)
        signal(crash_sigs[i], SIG_DFL);
    /* A unit must not outlive its parent (the usual race: it may have
     * died before the request). */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0ul, 0ul, 0ul);
    if (getppid() != b.parent)
        return 125;
    if (cb_run_spawned(&b, unit, err) != 0)
        return 125;
    /* As a forked unit ends: no atexit handlers, no stdio flushing, no
     * leak check of the run it still holds. */
    _exit(0);
}
