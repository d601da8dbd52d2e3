#include "concbench/output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concbench/fdio.h"
#include "concbench/interrupt.h"
#include "concbench/utf8.h"

/* What a path names now; a symlink counts as what it points to. */
enum kind { KIND_NEW, KIND_FILE, KIND_DIR, KIND_SPECIAL };

static bool is_stdout(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

static enum kind kind_of(const char *path)
{
    struct stat st;

    if (path[strlen(path) - 1] == '/')
        return KIND_DIR;
    if (stat(path, &st) < 0)
        return KIND_NEW;
    if (S_ISDIR(st.st_mode))
        return KIND_DIR;
    return S_ISREG(st.st_mode) ? KIND_FILE : KIND_SPECIAL;
}

/* The path is escaped (concbench/utf8.h), as everywhere a file is named. */
static int fail(struct cb_error *err, const char *path, int errnum)
{
    char name[CB_ERROR_MAX];

    cb_utf8_escape(name, sizeof name, path);
    cb_error_set(err, "--output: cannot write '%s': %s", name, strerror(errnum));
    return -1;
}

/* Returns 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
    return cb_fd_write(fd, data, len) == len ? 0 : -1;
}

/* *base points into path; the directory is malloc'd, NULL if memory
 * runs out. */
static char *dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');

    *base = slash ? slash + 1 : path;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* An existing file keeps its mode; a new one gets 0666 minus the umask,
 * as open(O_CREAT) would have given it. */
static mode_t target_mode(const char *path)
{
    struct stat st;
    mode_t mask;

    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    /* umask() can only be read by setting it; restore at once. */
    mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

/* Makes the rename durable; a failure here loses nothing already written. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* CONCBENCH_SIGNAL_AT=PHASE (hidden, for tests): raises SIGTERM at that
 * instant of writing the output (create, write, rename, done), so that a
 * test hits each one for sure rather than by timing. */
static void signal_at(const char *phase)
{
    const char *at = getenv("CONCBENCH_SIGNAL_AT");

    if (at && strcmp(at, phase) == 0)
        raise(SIGTERM);
}

/* Written in place (stdout, a device, a FIFO): an interrupt meanwhile says
 * the output may be incomplete, after it that it was written. */
static int write_in_place(int fd, const char *name, const char *data, size_t len)
{
    int rc;

    cb_interrupt_output(name, false);
    signal_at("write");
    rc = write_all(fd, data, len);
    if (rc == 0)
        cb_interrupt_output(name, true);
    return rc;
}

static int write_stdout(const char *data, size_t len, struct cb_error *err)
{
    /* Anything already buffered by stdio must come first. */
    fflush(stdout);
    if (write_in_place(STDOUT_FILENO, NULL, data, len) < 0) {
        cb_error_set(err, "--output: cannot write to stdout: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* A device or FIFO (/dev/null, a named pipe) cannot be renamed over, and
 * must not be: it is written in place. */
static int write_special(const char *path, const char *data, size_t len,
                         struct cb_error *err)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC), errnum = 0;

    if (fd < 0)
        return fail(err, path, errno);
    if (write_in_place(fd, path, data, len) < 0)
        errnum = errno;
    if (close(fd) < 0 && errnum == 0)
        errnum = errno;
    return errnum ? fail(err, path, errnum) : 0;
}

/* Creates the temporary file and registers it with the interrupt handler,
 * the signals held in between so that none finds it unregistered. Returns
 * the descriptor, or -1 with errno set. */
static int create_temp(char *tmp)
{
    int fd, errnum;

    cb_interrupt_defer(true);
    fd = mkstemp(tmp);
    errnum = errno;
    if (fd >= 0) {
        signal_at("create");
        cb_interrupt_file(tmp);
    }
    cb_interrupt_defer(false);
    errno = errnum;
    return fd;
}

/* Returns 0, or an errno value; closes fd either way. */
static int fill(int fd, const char *target, const char *data, size_t len)
{
    int errnum = 0;

    signal_at("write");
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0 ||
        fchmod(fd, target_mode(target)) < 0)
        errnum = errno;
    /* close can report a delayed write error (NFS): that counts too. */
    if (close(fd) < 0 && errnum == 0)
        errnum = errno;
    return errnum;
}

/* Renames tmp over target and tells the handler, the signals held in
 * between: an interrupt says "written" exactly when the file was
 * replaced. Returns 0, or an errno value. */
static int commit(const char *tmp, const char *target, const char *name)
{
    int errnum = 0;

    cb_interrupt_defer(true);
    if (rename(tmp, target) < 0)
        errnum = errno;
    else
        signal_at("rename");
    if (errnum == 0)
        cb_interrupt_output(name, true);
    cb_interrupt_defer(false);
    return errnum;
}

/* Replaces target through a temporary file beside it; name is the path
 * the user gave, for the message. */
static int write_file(const char *target, const char *name, const char *data,
                      size_t len, struct cb_error *err)
{
    const char *base;
    char *dir = dir_of(target, &base), *tmp = NULL;
    int fd, rc = -1, errnum = ENOMEM;

    if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
        tmp = NULL;
        goto out;
    }
    fd = create_temp(tmp);
    if (fd < 0) {
        errnum = errno;
        goto out;
    }
    errnum = fill(fd, target, data, len);
    if (errnum == 0)
        errnum = commit(tmp, target, name);
    if (errnum) {
        /* Unlinked before it is forgotten: an interrupt in between
         * unlinks a name that is gone, never leaves one behind. */
        unlink(tmp);
        cb_interrupt_file(NULL);
        goto out;
    }
    sync_dir(dir);
    rc = 0;
out:
    if (rc < 0)
        fail(err, name, errnum);
    free(tmp);
    free(dir);
    return rc;
}

static int write_to(const char *path, const char *data, size_t len, struct cb_error *err)
{
    enum kind kind;
    char *real = NULL;
    int rc;

    if (is_stdout(path))
        return write_stdout(data, len, err);
    if (*path == '\0')
        return fail(err, path, ENOENT);
    kind = kind_of(path);
    if (kind == KIND_DIR)
        return fail(err, path, EISDIR);
    if (kind == KIND_SPECIAL)
        return write_special(path, data, len, err);
    /* A symlink stays a symlink: the file it points to is replaced. */
    if (kind == KIND_FILE && !(real = realpath(path, NULL)))
        return fail(err, path, errno);
    rc = write_file(real ? real : path, path, data, len, err);
    free(real);
    return rc;
}

int cb_output_write(const char *path, const char *data, size_t len,
                    struct cb_error *err)
{
    int rc = write_to(path, data, len, err);

    if (rc == 0)
        signal_at("done");
    return rc;
}

/* Checks that the temporary file can be created beside target, by
 * creating it (and removing it at once, the signals held in between so
 * that none leaves it behind): a directory that is missing, read-only,
 * full of inodes, or a name too long for ".NAME.XXXXXX" is found before
 * the run, not after it. */
static int check_dir(const char *target, const char *name, struct cb_error *err)
{
    const char *base;
    char *dir = dir_of(target, &base), *tmp = NULL;
    int fd, errnum = 0;

    if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
        free(dir);
        return fail(err, name, ENOMEM);
    }
    cb_interrupt_defer(true);
    fd = mkstemp(tmp);
    if (fd < 0) {
        errnum = errno;
    } else {
        close(fd);
        unlink(tmp);
    }
    cb_interrupt_defer(false);
    free(tmp);
    free(dir);
    return errnum ? fail(err, name, errnum) : 0;
}

int cb_output_check(const char *path, struct cb_error *err)
{
    enum kind kind;
    char *real = NULL;
    int rc;

    if (is_stdout(path))
        return 0;
    if (*path == '\0')
        return fail(err, path, ENOENT);
    kind = kind_of(path);
    if (kind == KIND_DIR)
        return fail(err, path, EISDIR);
    if (kind == KIND_SPECIAL)
        return access(path, W_OK) < 0 ? fail(err, path, errno) : 0;
    if (kind == KIND_FILE && !(real = realpath(path, NULL)))
        return fail(err, path, errno);
    rc = check_dir(real ? real : path, path, err);
    free(real);
    return rc;
}
