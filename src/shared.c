#include "concbench/shared.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t cb_shared_size(uint32_t n)
{
    return sizeof(struct cb_shared) +
           (size_t)n * (sizeof(struct cb_worker_record) + sizeof(struct cb_unit_record) +
                        sizeof(uint32_t));
}

struct cb_shared *cb_shared_map(uint32_t n, struct cb_error *err)
{
    size_t size = cb_shared_size(n);
    struct cb_shared *s;
    /* A memfd, not MAP_ANONYMOUS: a spawned unit (a fresh image) maps the
     * same pages from it; a forked one inherits the mapping as before. */
    int fd = memfd_create("concbench-records", MFD_CLOEXEC);

    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        cb_error_set(err, "cannot make the records' memfd for %u workers: %s", n,
                     strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    /* MAP_SHARED before any fork: a child's writes land in the parent's
     * view with no copying or serialisation. */
    s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED) {
        cb_error_set(err, "cannot map records for %u workers: %s", n, strerror(errno));
        close(fd);
        return NULL;
    }
    s->capacity = n;
    s->memfd = fd;
    /* Inherited at the same address by every fork: a pointer is fine. */
    s->unit = (struct cb_unit_record *)(void *)&s->rec[n];
    s->done_ids = (_Atomic uint32_t *)(void *)&s->unit[n];
    return s;
}

void cb_shared_reset(struct cb_shared *s, uint32_t n)
{
    atomic_store(&s->ready, 0);
    atomic_store(&s->abort, 0);
    atomic_store(&s->held, 0);
    memset(s->rec, 0, (size_t)n * sizeof s->rec[0]);
    memset(s->unit, 0, (size_t)n * sizeof s->unit[0]);
    atomic_store(&s->next_job, 0);
    atomic_store(&s->done_count, 0);
    atomic_store(&s->queued_ns, 0);
    for (uint32_t i = 0; i < n; i++)
        atomic_store_explicit(&s->done_ids[i], UINT32_MAX, memory_order_relaxed);
}

struct cb_shared *cb_shared_attach(int fd, uint32_t n, struct cb_error *err)
{
    struct cb_shared *s = mmap(NULL, cb_shared_size(n), PROT_READ | PROT_WRITE, MAP_SHARED,
                               fd, 0);

    if (s == MAP_FAILED) {
        cb_error_set(err, "cannot map the records' memfd: %s", strerror(errno));
        return NULL;
    }
    /* The pointers in the mapping are the parent's: this process has
     * its own, which the workers read through a->rec, a->unit. */
    return s;
}

struct cb_unit_record *cb_shared_unit(struct cb_shared *s, uint32_t i)
{
    return (struct cb_unit_record *)(void *)&s->rec[s->capacity] + i;
}

_Atomic uint32_t *cb_shared_done_id(struct cb_shared *s, uint32_t i)
{
    return (_Atomic uint32_t *)(void *)cb_shared_unit(s, s->capacity) + i;
}

void *cb_shared_parent_alloc(size_t size)
{
    size_t len = size ? size : 1;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

void cb_shared_parent_free(void *p, size_t size)
{
    if (p)
        munmap(p, size ? size : 1);
}

void cb_shared_unmap(struct cb_shared *s)
{
    if (!s)
        return;
    if (s->memfd >= 0)
        close(s->memfd);
    munmap(s, cb_shared_size(s->capacity));
}
