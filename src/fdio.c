#include "concbench/fdio.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

size_t cb_fd_write(int fd, const void *p, size_t n)
{
    const char *c = p;
    size_t done = 0;

    while (done < n) {
        ssize_t k = write(fd, c + done, n - done);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            break;
        }
        done += (size_t)k;
    }
    return done;
}

size_t cb_fd_read(int fd, void *p, size_t n)
{
    char *c = p;
    size_t done = 0;

    while (done < n) {
        ssize_t k = read(fd, c + done, n - done);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    return done;
}
