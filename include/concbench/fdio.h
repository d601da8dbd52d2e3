/* Whole transfers on file descriptors: write() and read() loop until
 * everything is moved, through EINTR and short counts. */
#ifndef CONCBENCH_FDIO_H
#define CONCBENCH_FDIO_H

#include <stddef.h>

/* Writes p[0..n) to fd. Returns the bytes written: n, or fewer with errno
 * set (EIO when write() made no progress). */
size_t cb_fd_write(int fd, const void *p, size_t n);

/* Reads up to n bytes from fd into p, stopping early only at end of file
 * or an error. Returns the bytes read. */
size_t cb_fd_read(int fd, void *p, size_t n);

#endif
