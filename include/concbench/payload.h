/* Result payloads: SIZE bytes of deterministic, checksummed content each
 * worker hands back to the parent, by pointer, pipe or shared memory. */
#ifndef CONCBENCH_PAYLOAD_H
#define CONCBENCH_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/record.h"

enum cb_payload_way {
    CB_PAYLOAD_NONE,
    CB_PAYLOAD_POINTER, /* threads: the buffer's address, no copy */
    CB_PAYLOAD_PIPE,    /* processes: write() into a pipe the parent reads */
    CB_PAYLOAD_SHM,     /* processes: memcpy into a MAP_SHARED slot */
};

/* Where one worker sends its payload. */
struct cb_payload_out {
    enum cb_payload_way way;
    uint64_t size;
    uint32_t id;  /* the worker's index: it seeds the content */
    int fd;       /* PIPE: write end */
    void *slot;   /* SHM: size bytes mapped shared */
    bool corrupt; /* fault injection: flip one byte after checksumming */
};

/* Fills buf with worker id's content; returns its checksum. Can't fail. */
uint64_t cb_payload_fill(void *buf, size_t size, uint32_t id);

/* The checksum of size bytes at buf. Can't fail. */
uint64_t cb_payload_sum(const void *buf, size_t size);

/* In the worker: produces the payload in a private buffer, then hands it
 * over as o says, stamping rec->send_ns and rec->payload_sum (and, for
 * POINTER and SHM, rec->recv_ns and rec->payload_bytes: the parent has
 * it once it is stored). POINTER leaves a malloc'd buffer in
 * rec->payload_ptr for the parent to free. A failure leaves
 * rec->payload_bytes short, which the parent reports. */
void cb_payload_send(const struct cb_payload_out *o, struct cb_worker_record *rec);

/* In the parent: reads size bytes from fd into buf (size bytes), stamps
 * rec->recv_ns and rec->payload_bytes. Stops early at EOF. Can't fail. */
void cb_payload_receive(int fd, void *buf, uint64_t size, struct cb_worker_record *rec);

/* In the parent: checks that buf holds worker id's full, correct payload
 * and marks rec CB_WORKER_BAD_PAYLOAD otherwise (unless it failed
 * already). buf may be NULL (nothing arrived). Can't fail. */
void cb_payload_verify(const void *buf, uint64_t size, uint32_t id,
                       struct cb_worker_record *rec);

#endif
