#include "concbench/payload.h"

#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "concbench/clock.h"
#include "concbench/fdio.h"

/* xorshift64: cheap, deterministic, different for every worker. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t seed(uint32_t id)
{
    return 0x9e3779b97f4a7c15ull ^ ((uint64_t)id + 1) * 0xbf58476d1ce4e5b9ull;
}

uint64_t cb_payload_fill(void *buf, size_t size, uint32_t id)
{
    uint64_t s = seed(id);
    unsigned char *p = buf;

    for (size_t i = 0; i < size; i += 8) {
        uint64_t v = next(&s);
        size_t n = size - i < 8 ? size - i : 8;

        memcpy(p + i, &v, n);
    }
    return cb_payload_sum(buf, size);
}

/* Whether buf holds worker id's content: the same stream, regenerated
 * and compared as it goes, so checking needs no second buffer. */
static bool matches(const void *buf, size_t size, uint32_t id)
{
    uint64_t s = seed(id);
    const unsigned char *p = buf;

    for (size_t i = 0; i < size; i += 8) {
        uint64_t v = next(&s);

        if (memcmp(p + i, &v, size - i < 8 ? size - i : 8) != 0)
            return false;
    }
    return true;
}

/* FNV-1a over 8-byte words, the tail byte by byte. */
uint64_t cb_payload_sum(const void *buf, size_t size)
{
    const unsigned char *p = buf;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;

    for (; i + 8 <= size; i += 8) {
        uint64_t v;

        memcpy(&v, p + i, 8);
        h = (h ^ v) * 0x100000001b3ull;
    }
    for (; i < size; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Page faults the calling thread has taken so far. */
static uint64_t faults(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

void cb_payload_send(const struct cb_payload_out *o, struct cb_worker_record *rec)
{
    unsigned char *buf;
    uint64_t f0;

    if (o->way == CB_PAYLOAD_NONE || o->size == 0)
        return;
    buf = malloc(o->size);
    if (!buf) {
        /* Memory, not the hand-off: out-of-memory, never bad-payload. */
        rec->status = CB_WORKER_NO_MEMORY;
        snprintf(rec->note, sizeof rec->note, "malloc of the %llu-byte --payload failed",
                 (unsigned long long)o->size);
        return;
    }
    rec->payload_sum = cb_payload_fill(buf, o->size, o->id);
    if (o->corrupt)
        buf[o->size / 2] ^= 0x40; /* damaged on the way: the parent must notice */
    f0 = faults();
    rec->send_ns = cb_clock_now_ns();
    if (o->way == CB_PAYLOAD_POINTER) {
        rec->payload_ptr = (uint64_t)(uintptr_t)buf;
        rec->payload_bytes = o->size;
        rec->recv_ns = cb_clock_now_ns();
        return; /* the parent owns buf now */
    }
    if (o->way == CB_PAYLOAD_SHM) {
        /* A child's first write to each shared page is a page fault:
         * part of what shared memory costs, counted in handoff_faults. */
        memcpy(o->slot, buf, o->size);
        rec->payload_bytes = o->size;
        rec->recv_ns = cb_clock_now_ns();
    } else {
        cb_fd_write(o->fd, buf, o->size); /* a short write: the parent sees fewer bytes */
    }
    rec->handoff_faults = faults() - f0;
    free(buf);
}

void cb_payload_receive(int fd, void *buf, uint64_t size, struct cb_worker_record *rec)
{
    size_t done = cb_fd_read(fd, buf, size);

    rec->recv_ns = cb_clock_now_ns();
    rec->payload_bytes = done;
}

void cb_payload_verify(const void *buf, uint64_t size, uint32_t id,
                       struct cb_worker_record *rec)
{
    if (rec->status != CB_WORKER_OK)
        return;
    /* Every byte as produced, and the worker's own checksum of what it
     * sent agrees: nothing lost, reordered or corrupted on the way. */
    if (!buf || rec->payload_bytes != size || !matches(buf, size, id) ||
        cb_payload_sum(buf, size) != rec->payload_sum)
        rec->status = CB_WORKER_BAD_PAYLOAD;
}
