#include "concbench/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void cb_error_set(struct cb_error *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* Messages quote user input (arguments, file names): a newline or a
     * terminal escape in it must not break the one-line promise. */
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

const char *cb_errno_name(int errnum)
{
    switch (errnum) {
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOSPC: return "ENOSPC";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EROFS: return "EROFS";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case EDQUOT: return "EDQUOT";
    default: return NULL;
    }
}
