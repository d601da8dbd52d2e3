/* Payloads: deterministic content and checksums, and every way of
 * handing them back delivers every byte. */
#include "cb_test.h"

#include <stdlib.h>
#include <string.h>

#include "concbench/payload.h"
#include "concbench/run.h"

CB_TEST_SHARED_RECORDS(8)

static void test_content(void **state)
{
    unsigned char *a = malloc(1001), *b = malloc(1001);
    struct cb_worker_record rec;

    (void)state;
    assert_true(cb_payload_fill(a, 1001, 3) == cb_payload_fill(b, 1001, 3));
    assert_memory_equal(a, b, 1001);
    assert_true(cb_payload_fill(b, 1001, 4) != cb_payload_fill(a, 1001, 3));
    memset(&rec, 0, sizeof rec);
    rec.status = CB_WORKER_OK;
    rec.payload_bytes = 1001;
    rec.payload_sum = cb_payload_sum(a, 1001); /* what the worker sent */
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_OK);
    rec.payload_sum++; /* the worker's checksum disagrees */
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    rec.status = CB_WORKER_OK;
    rec.payload_sum--;
    a[1000] ^= 0x80; /* the last byte of the tail */
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    rec.status = CB_WORKER_OK;
    a[1000] ^= 0x80;
    /* Wrong content whose checksum the worker agrees with: the content
     * check alone catches it. */
    a[7] ^= 0x10;
    rec.payload_sum = cb_payload_sum(a, 1001);
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    rec.status = CB_WORKER_OK;
    a[7] ^= 0x10;
    rec.payload_sum = cb_payload_sum(a, 1001);
    cb_payload_verify(a, 1001, 4, &rec); /* another worker's payload */
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    rec.status = CB_WORKER_OK;
    a[500] ^= 1; /* one flipped bit */
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    rec.status = CB_WORKER_OK;
    rec.payload_bytes = 1000; /* short */
    cb_payload_fill(a, 1001, 3);
    cb_payload_verify(a, 1001, 3, &rec);
    assert_int_equal(rec.status, CB_WORKER_BAD_PAYLOAD);
    free(a);
    free(b);
}

static void run_payload(const struct cb_executor *r, enum cb_transport way, uint64_t size)
{
    struct cb_params p;
    struct cb_run_opts o = { .payload = size, .transport = way };
    struct cb_run_spec spec = {
        .task = cb_task_find("cpu"), .params = &p, .workers = 4, .start = CB_START_IMMEDIATE,
        .shared = shared, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };

    cb_params_default(&p);
    p.iterations = 1000;
    cb_shared_reset(shared, 4);
    assert_int_equal(cb_run_sample(r, &spec, &t, &err), 0);
    cb_test_no_children();
    for (uint32_t i = 0; i < 4; i++) {
        const struct cb_worker_record *w = &shared->rec[i];

        assert_int_equal(w->status, CB_WORKER_OK);
        assert_int_equal(w->payload_bytes, size);
        assert_true(w->recv_ns >= w->send_ns && w->send_ns > 0);
        assert_int_equal(w->payload_ptr, 0); /* the parent freed it */
        /* A child writing into shared pages it has not mapped yet takes
         * a fault per page. */
        if (r == cb_executor_find("processes") && way == CB_TRANSPORT_SHM && size >= 300000)
            assert_true(w->handoff_faults >= 1);
    }
}

static void test_every_way(void **state)
{
    static const uint64_t sizes[] = { 1, 4096, 300000 }; /* > a pipe's 64 KiB */

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        run_payload(cb_executor_find("threads"), CB_TRANSPORT_PIPE, sizes[i]);
        run_payload(cb_executor_find("serial"), CB_TRANSPORT_PIPE, sizes[i]);
        run_payload(cb_executor_find("processes"), CB_TRANSPORT_PIPE, sizes[i]);
        run_payload(cb_executor_find("processes"), CB_TRANSPORT_SHM, sizes[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_every_way),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
