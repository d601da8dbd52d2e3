#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/json_keys.h"
#include "concbench/options.h"
#include "concbench/version.h"
#include "json_util.h"
#include "report_state.h"
#include "report_internal.h"

static int add_num(cJSON *o, const char *name, double v)
{
    return cJSON_AddNumberToObject(o, name, v) ? 0 : -1;
}

static int add_str(cJSON *o, const char *name, const char *s)
{
    /* Every string of a result goes through here: always text. */
    return cb_json_add_text(o, name, s ? s : "") ? 0 : -1;
}

/* A double holds integers exactly only up to 2^53; raw text keeps
 * checksums and counters exact. */
static int add_u64(cJSON *o, const char *name, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return cJSON_AddRawToObject(o, name, buf) ? 0 : -1;
}

/* A counter, or null when it could not be read (never 0 for unknown). */
static int add_u64_or_null(cJSON *o, const char *name, uint64_t v, bool known)
{
    if (known)
        return add_u64(o, name, v);
    return cJSON_AddNullToObject(o, name) ? 0 : -1;
}

static cJSON *push_obj(cJSON *arr)
{
    return cb_json_push(arr, cJSON_CreateObject());
}

static int add_tool(cJSON *root)
{
    cJSON *t = cJSON_AddObjectToObject(root, CB_KEY_TOOL);

    if (!t || add_str(t, CB_KEY_NAME, CB_JSON_TOOL_NAME) ||
        add_str(t, CB_KEY_VERSION, CB_VERSION) || add_str(t, "compiler", CB_COMPILER) ||
        add_str(t, CB_KEY_BUILD_TYPE, CB_BUILD_TYPE))
        return -1;
    return 0;
}

static int add_user(cJSON *ctx, const struct cb_context *c)
{
    cJSON *u = cJSON_AddObjectToObject(ctx, "user");

    if (!u)
        return -1;
    for (size_t i = 0; i < c->nuser; i++) {
        /* The key points into argv ("KEY=VALUE") and is not terminated. */
        char *key = strndup(c->user[i].key, c->user[i].key_len);
        int rc;

        if (!key)
            return -1;
        /* A repeated --context KEY: the last one wins, keys stay unique. */
        cJSON_DeleteItemFromObjectCaseSensitive(u, key);
        rc = add_str(u, key, c->user[i].value);
        free(key);
        if (rc)
            return -1;
    }
    return 0;
}

static int add_load(cJSON *ctx, const double load[3])
{
    cJSON *a = cJSON_AddArrayToObject(ctx, "load_avg");

    if (!a)
        return -1;
    for (int i = 0; i < 3; i++)
        if (!cb_json_push(a, cJSON_CreateNumber(load[i])))
            return -1;
    return 0;
}

static int add_context(cJSON *root, const struct cb_context *c)
{
    cJSON *o = cJSON_AddObjectToObject(root, CB_KEY_CONTEXT);

    if (!o || add_str(o, CB_KEY_DATE, c->date) || add_str(o, CB_KEY_HOSTNAME, c->hostname) ||
        add_str(o, CB_KEY_OS, c->os) || add_str(o, CB_KEY_KERNEL, c->kernel) ||
        add_str(o, CB_KEY_ARCH, c->arch) || add_str(o, CB_KEY_CPU_MODEL, c->cpu_model) ||
        add_num(o, CB_KEY_LOGICAL_CPUS, (double)c->logical_cpus) ||
        add_num(o, CB_KEY_USABLE_CPUS, (double)c->usable_cpus) ||
        add_u64(o, "memory_bytes", c->memory_bytes) || add_load(o, c->load_avg) ||
        add_str(o, "command", c->command) || add_user(o, c) ||
        cb_report_state_json(o, CB_KEY_STATE, &c->state))
        return -1;
    return 0;
}

/* One option's value as its kind is written: durations in seconds,
 * fractions as 0 to 1, choices by name, a flag as 1 in params (numbers only: compare reads
 * every params value as a number) and as true beside them. */
static int add_option(cJSON *o, const struct cb_param_desc *d, uint64_t v, bool beside)
{
    switch (d->kind) {
    case CB_PARAM_DURATION: return add_num(o, d->json_name, cb_clock_ns_to_s(v));
    case CB_PARAM_CHOICE: return add_str(o, d->json_name, cb_option_choice(d, v));
    case CB_PARAM_FLAG:
        if (beside)
            return cJSON_AddBoolToObject(o, d->json_name, v != 0) ? 0 : -1;
        return add_num(o, d->json_name, (double)v);
    case CB_PARAM_SHAPE: {
        char shape[32];

        snprintf(shape, sizeof shape, "%" PRIu32 "x%" PRIu32, cb_shape_p(v), cb_shape_t(v));
        return add_str(o, d->json_name, shape);
    }
    case CB_PARAM_FRACTION:
        return add_num(o, d->json_name, (double)v / (double)CB_FRACTION_ONE);
    case CB_PARAM_COUNT: case CB_PARAM_SIZE: break;
    }
    return add_u64(o, d->json_name, v);
}

/* The options of c's task, then of cb_options[], that go where (in
 * params or beside them) and are written for c (cb_option_written). */
static int add_options(cJSON *o, const struct cb_cell *c, enum cb_param_json where)
{
    struct cb_option_view v = cb_option_view_cell(c);
    const struct cb_param_desc *const lists[] = { c->task->params, cb_options };

    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
        for (const struct cb_param_desc *d = lists[l]; d && d->flag; d++)
            if ((d->json & where) && cb_option_written(d, &v, c->runner) &&
                add_option(o, d, cb_option_get(d, &v), where == CB_JSON_BESIDE))
                return -1;
    return 0;
}

static int add_params(cJSON *b, const struct cb_cell *c)
{
    cJSON *p = cJSON_AddObjectToObject(b, CB_KEY_PARAMS);

    return p ? add_options(p, c, CB_JSON_PARAMS) : -1;
}

static int add_worker_numbers(cJSON *o, const struct cb_sample *s,
                              const struct cb_worker_record *w)
{
    uint64_t t0 = s->times.t0_ns;

    if (add_num(o, CB_KEY_SPAWN_S, cb_clock_secs(w->create_ns, w->first_ns)) ||
        add_num(o, "create_s", cb_clock_secs(t0, w->create_ns)) ||
        add_num(o, "first_s", cb_clock_secs(t0, w->first_ns)) ||
        add_num(o, "start_s", cb_clock_secs(t0, w->start_ns)) ||
        add_num(o, "end_s", cb_clock_secs(t0, w->end_ns)) ||
        add_num(o, "run_s", cb_clock_secs(w->start_ns, w->end_ns)) ||
        add_num(o, CB_KEY_CPU_S, cb_clock_ns_to_s(w->cpu_ns)) ||
        add_num(o, CB_KEY_USER_S, cb_clock_ns_to_s(w->user_ns)) ||
        add_num(o, CB_KEY_SYS_S, cb_clock_ns_to_s(w->sys_ns)) ||
        add_u64_or_null(o, "ctx_voluntary", w->ctx_voluntary, w->usage_known != 0) ||
        add_u64_or_null(o, "ctx_involuntary", w->ctx_involuntary, w->usage_known != 0) ||
        add_u64_or_null(o, "minor_faults", w->minor_faults, w->usage_known != 0) ||
        add_u64_or_null(o, "major_faults", w->major_faults, w->usage_known != 0) ||
        add_u64_or_null(o, "cpu_migrations", w->cpu_migrations, w->migrations_known != 0) ||
        add_u64(o, "max_rss_kib", w->max_rss_kib) || add_num(o, "cpu", w->cpu) ||
        add_u64(o, "checksum", w->checksum))
        return -1;
    return 0;
}

/* Signed seconds from..to: a unit may start before its create call
 * returns, so a start delay can be negative. */
static double signed_secs(uint64_t from, uint64_t to)
{
    return to >= from ? cb_clock_secs(from, to) : -cb_clock_secs(to, from);
}

/* What creating the unit cost the caller, and how long after that the
 * unit first ran (0 for both when the unit was never created). */
static int add_creation(cJSON *o, uint64_t create_ns, uint64_t created_ns, uint64_t first_ns)
{
    bool known = create_ns && created_ns;

    return add_num(o, "create_call_s", known ? cb_clock_secs(create_ns, created_ns) : 0) ||
           add_num(o, "start_delay_s", known ? signed_secs(created_ns, first_ns) : 0);
}

/* Barrier: how long after the gate opened this worker got going. */
static int add_release(cJSON *o, const struct cb_sample *s, const struct cb_worker_record *w)
{
    return w->released_ns &&
           add_num(o, "release_delay_s", signed_secs(s->times.release_ns, w->released_ns));
}

/* Pools: which unit ran the job, and its dispatch, queue wait and
 * completion latency. */
static int add_pool_job(cJSON *o, const struct cb_cell *c, const struct cb_worker_record *w)
{
    uint64_t could = w->create_ns > w->free_ns ? w->create_ns : w->free_ns;

    if (!c->runner->pooled || !w->create_ns)
        return 0;
    if (add_num(o, "unit", w->unit - 1) ||
        add_num(o, "dispatch_s", cb_clock_secs(could, w->first_ns)) ||
        add_num(o, "pool_queue_wait_s", cb_clock_secs(w->create_ns, could)))
        return -1;
    return w->seen_ns && add_num(o, "completion_s", cb_clock_secs(w->end_ns, w->seen_ns));
}

static int add_quantiles(cJSON *o, const char *name, const struct cb_quantiles *q)
{
    cJSON *st = cJSON_AddObjectToObject(o, name);

    if (!st || add_num(st, "median", q->median) || add_num(st, "p90", q->p90) ||
        add_num(st, "p99", q->p99) || add_num(st, "max", q->max) || add_u64(st, "n", q->n))
        return -1;
    return 0;
}

/* An event loop's figures, per benchmark. */
static int add_loop(cJSON *b, const struct cb_cell *c)
{
    cJSON *l;

    if (!c->loop.measured)
        return 0;
    l = cJSON_AddObjectToObject(b, "loop");
    if (!l || add_quantiles(l, "lateness_s", &c->loop.lateness) ||
        add_num(l, "pending_job_bytes", c->loop.pending_job_bytes))
        return -1;
    return 0;
}

/* A pool's figures, per benchmark: as schbench reports wake-up latency. */
static int add_pool(cJSON *b, const struct cb_cell *c)
{
    cJSON *p;

    if (!c->pool.measured)
        return 0;
    p = cJSON_AddObjectToObject(b, "pool");
    if (!p || add_num(p, "size", c->units) || add_num(p, "chunk", c->opts.chunk ? c->opts.chunk : 1) ||
        add_num(p, "create_s", c->pool.create_s) || add_num(p, "jobs_per_s", c->pool.jobs_per_s) ||
        add_quantiles(p, "dispatch_s", &c->pool.dispatch) ||
        add_quantiles(p, "queue_wait_s", &c->pool.queue_wait) ||
        add_quantiles(p, "completion_s", &c->pool.completion))
        return -1;
    return 0;
}

/* The run-queue wait before the first instruction, when it was read. */
static int add_queue(cJSON *o, bool known, uint64_t ns)
{
    return known && add_num(o, "queue_wait_s", cb_clock_ns_to_s(ns));
}

/* The fields of the claims that were asked for: GIL wait, hand-off. */
static int add_worker_claims(cJSON *o, const struct cb_cell *c,
                             const struct cb_worker_record *w)
{
    if (c->opts.gil && add_num(o, CB_KEY_GIL_WAIT_S, cb_clock_ns_to_s(w->gil_wait_ns)))
        return -1;
    if (c->opts.payload && (add_num(o, CB_KEY_HANDOFF_S, cb_clock_secs(w->send_ns, w->recv_ns)) ||
                            add_u64(o, "handoff_faults", w->handoff_faults) ||
                            add_u64(o, "payload_bytes", w->payload_bytes)))
        return -1;
    return 0;
}

static int add_worker(cJSON *arr, const struct cb_cell *c, const struct cb_sample *s,
                      uint32_t id)
{
    const struct cb_worker_record *w = &s->workers[id];
    cJSON *o = push_obj(arr);
    char status[64];

    if (!o || add_num(o, "id", id))
        return -1;
    /* A worker that never finished its record has no numbers to show. */
    if (atomic_load(&w->done) &&
        (add_worker_numbers(o, s, w) || add_worker_claims(o, c, w) ||
         add_creation(o, w->create_ns, w->created_ns, w->first_ns) ||
         add_queue(o, w->queue_known, w->queue_wait_ns) || add_release(o, s, w) ||
         add_pool_job(o, c, w) ||
         (w->deadline_ns && add_num(o, "lateness_s", cb_clock_secs(w->deadline_ns, w->end_ns)))))
        return -1;
    cb_record_status_str(w, status, sizeof status);
    return add_str(o, CB_KEY_STATUS, status);
}

/* PSS of every worker alive at once; per worker: what the set added to
 * the parent's PSS before it spawned them. */
static int add_memory(cJSON *o, const struct cb_sample *s)
{
    const struct cb_run_memory *m = &s->times.memory;
    double per_worker;
    cJSON *mo;

    if (!cb_sample_worker_kib(s, &per_worker))
        return 0;
    mo = cJSON_AddObjectToObject(o, CB_KEY_MEMORY);
    if (!mo || add_u64(mo, "total_pss_kib", m->total_pss_kib) ||
        add_u64(mo, "baseline_pss_kib", m->baseline_kib) ||
        add_num(mo, CB_KEY_PER_WORKER_KIB, per_worker))
        return -1;
    return 0;
}

static int add_sample_claims(cJSON *o, const struct cb_cell *c, const struct cb_sample *s)
{
    uint64_t lost;

    if (add_memory(o, s))
        return -1;
    if (s->has_total && add_u64(o, "checksum", s->total))
        return -1;
    if (cb_cell_lost_updates(c, s, &lost) && add_u64(o, CB_KEY_LOST_UPDATES, lost))
        return -1;
    if (c->opts.payload && add_u64(o, "payload_bytes", s->payload_bytes))
        return -1;
    if (s->floor_ns && add_num(o, "floor_s", cb_clock_ns_to_s(s->floor_ns)))
        return -1;
    if (s->floor_cpu_ns && add_num(o, "floor_cpu_s", cb_clock_ns_to_s(s->floor_cpu_ns)))
        return -1;
    if (s->release_spread_ns &&
        add_num(o, "release_spread_s", cb_clock_ns_to_s(s->release_spread_ns)))
        return -1;
    return 0;
}

/* One creation record per unit of execution that was created. */
static int add_units(cJSON *o, const struct cb_sample *s)
{
    cJSON *arr = cJSON_AddArrayToObject(o, "units");

    if (!arr)
        return -1;
    for (uint32_t i = 0; i < s->nunits; i++) {
        const struct cb_unit_record *u = &s->units[i];
        cJSON *uo;

        if (!u->create_ns)
            continue; /* never created */
        uo = push_obj(arr);
        if (!uo || add_num(uo, "id", i) || add_num(uo, "jobs", u->jobs) ||
            add_num(uo, "first_job", u->first_job))
            return -1;
        if (atomic_load(&u->done) &&
            (add_num(uo, CB_KEY_SPAWN_S, cb_clock_secs(u->create_ns, u->first_ns)) ||
             add_creation(uo, u->create_ns, u->created_ns, u->first_ns) ||
             add_queue(uo, u->queue_known, u->queue_wait_ns) ||
             add_num(uo, "cpu", u->cpu)))
            return -1;
    }
    return 0;
}

static int add_sample(cJSON *arr, const struct cb_cell *c, const struct cb_sample *s)
{
    cJSON *o = push_obj(arr), *workers;
    double cpu = cb_clock_ns_to_s(s->cpu_ns);
    double wall = cb_clock_ns_to_s(s->wall_ns);

    if (!o || add_num(o, CB_KEY_WALL_S, wall) ||
        add_num(o, "create_s", cb_clock_secs(s->times.t0_ns, s->times.ready_ns)) ||
        add_num(o, "release_s", cb_clock_secs(s->times.t0_ns, s->times.release_ns)) ||
        (s->times.release_cpu_known && add_num(o, "release_cpu", s->times.release_cpu)) ||
        add_num(o, CB_KEY_CPU_S, cpu) ||
        add_num(o, CB_KEY_USER_S, cb_clock_ns_to_s(s->user_ns)) ||
        add_num(o, CB_KEY_SYS_S, cb_clock_ns_to_s(s->sys_ns)) ||
        add_num(o, "cpu_utilization", s->wall_ns ? cpu / wall : NAN) ||
        add_u64(o, "max_rss_kib", s->max_rss_kib) ||
        add_u64_or_null(o, "ctx_voluntary", s->ctx_voluntary, s->usage_known) ||
        add_u64_or_null(o, "ctx_involuntary", s->ctx_involuntary, s->usage_known) ||
        add_u64_or_null(o, "minor_faults", s->minor_faults, s->usage_known) ||
        add_u64_or_null(o, "major_faults", s->major_faults, s->usage_known) ||
        add_u64_or_null(o, "cpu_migrations", s->cpu_migrations, s->migrations_known) ||
        add_sample_claims(o, c, s) || add_units(o, s) || cb_report_sample_state_json(o, s))
        return -1;
    workers = cJSON_AddArrayToObject(o, CB_KEY_WORKERS);
    if (!workers)
        return -1;
    for (uint32_t i = 0; i < s->nworkers; i++)
        if (add_worker(workers, c, s, i))
            return -1;
    return 0;
}

static int add_lists(cJSON *b, const struct cb_cell *c)
{
    cJSON *warnings = cJSON_AddArrayToObject(b, "warnings");
    cJSON *samples;

    if (!warnings)
        return -1;
    for (size_t i = 0; i < c->nwarnings; i++)
        if (!cb_json_push(warnings, cb_json_text(c->warnings[i])))
            return -1;
    samples = cJSON_AddArrayToObject(b, CB_KEY_SAMPLES);
    if (!samples)
        return -1;
    for (size_t i = 0; i < c->nsamples; i++)
        if (add_sample(samples, c, &c->samples[i]))
            return -1;
    return 0;
}

/* The claims' figures over the whole cell, present when measured. */
/* Tasks that count operations: per operation, and how many a second one
 * job did (the median's reciprocal); tasks whose operations move bytes
 * (messages), how many bytes a second. */
static int add_per_op(cJSON *b, const struct cb_cell *c)
{
    double per_s = c->per_op.median > 0 ? 1 / c->per_op.median : 0;

    if (!c->ops_per_job || !c->per_op.n)
        return 0;
    if (add_str(b, "op", c->task->op) || add_u64(b, "ops_per_job", c->ops_per_job) ||
        cb_json_add_stats(b, CB_KEY_PER_OP_S, &c->per_op) || add_num(b, CB_KEY_OPS_PER_S, per_s))
        return -1;
    if (c->task->op_bytes &&
        add_num(b, "bytes_per_s", per_s * (double)c->task->op_bytes(&c->params)))
        return -1;
    return 0;
}

/* The lost updates of the cell's samples, as statistics (nothing when
 * the cell does not measure them). */
static int add_lost_updates(cJSON *b, const struct cb_cell *c)
{
    double *v = c->nsamples ? calloc(c->nsamples, sizeof *v) : NULL;
    struct cb_stats st;
    size_t n = 0;
    uint64_t lost;
    int rc = 0;

    if (!v)
        return 0;
    for (size_t i = 0; i < c->nsamples; i++)
        if (cb_cell_lost_updates(c, &c->samples[i], &lost))
            v[n++] = (double)lost;
    if (n && cb_stats_compute(v, n, &st) == 0)
        rc = cb_json_add_stats(b, CB_KEY_LOST_UPDATES, &st);
    free(v);
    return rc;
}

static int add_claim_stats(cJSON *b, const struct cb_cell *c)
{
    if (add_lost_updates(b, c))
        return -1;
    if (c->mem_kib.n && cb_json_add_stats(b, CB_KEY_MEMORY_PER_WORKER_KIB, &c->mem_kib))
        return -1;
    if (c->opts.payload && c->handoff.n && cb_json_add_stats(b, CB_KEY_HANDOFF_S, &c->handoff))
        return -1;
    if (c->opts.gil && c->gil_wait.n && cb_json_add_stats(b, CB_KEY_GIL_WAIT_S, &c->gil_wait))
        return -1;
    if (c->creation.n && (cb_json_add_stats(b, "creation_s", &c->creation) ||
                          cb_json_add_stats(b, "queue_wait_s", &c->queue_wait)))
        return -1;
    if (c->release_spread.n && cb_json_add_stats(b, "release_spread_s", &c->release_spread))
        return -1;
    return add_per_op(b, c) || add_pool(b, c) || add_loop(b, c);
}

static int add_benchmark(cJSON *arr, const struct cb_cell *c)
{
    cJSON *b = push_obj(arr);

    if (!b || add_str(b, CB_KEY_NAME, c->name) || add_str(b, CB_KEY_TASK, c->task->name) ||
        add_str(b, CB_KEY_MODE, c->runner->name) || add_num(b, CB_KEY_WORKERS, c->workers) ||
        add_num(b, "units", c->units ? c->units : c->workers) ||
        add_params(b, c) || add_options(b, c, CB_JSON_BESIDE) ||
        add_num(b, "warmup", c->warmup) || add_num(b, "repetitions", c->repetitions) ||
        add_str(b, CB_KEY_STATUS, c->status))
        return -1;
    /* No serial baseline: no speed-up, rather than a made-up number. */
    if (!isnan(c->speedup) && add_num(b, "speedup", c->speedup))
        return -1;
    if (cb_json_add_stats(b, CB_KEY_WALL_S, &c->wall) ||
        cb_json_add_stats(b, CB_KEY_SPAWN_S, &c->spawn) ||
        cb_json_add_stats(b, "cpu_utilization", &c->util) || add_claim_stats(b, c) ||
        cb_report_cell_state_json(b, c) || add_lists(b, c))
        return -1;
    return 0;
}

static int add_benchmarks(cJSON *root, const struct cb_results *r)
{
    cJSON *arr = cJSON_AddArrayToObject(root, CB_KEY_BENCHMARKS);

    if (!arr)
        return -1;
    for (size_t i = 0; i < r->ncells; i++)
        if (add_benchmark(arr, &r->cells[i]))
            return -1;
    return 0;
}

/* The machine's own noise, beside the benchmarks: never one of them. */
static int add_floor(cJSON *root, const struct cb_floor *f)
{
    cJSON *o;

    if (f->stats.n == 0)
        return 0;
    o = cJSON_AddObjectToObject(root, "noise_floor");
    if (!o || add_u64(o, "steps", f->steps) ||
        add_num(o, "target_s", cb_clock_ns_to_s(f->target_ns)) ||
        cb_json_add_stats(o, "wall_s", &f->stats) || add_num(o, "cv", f->stats.cv))
        return -1;
    return 0;
}

char *cb_report_json(const struct cb_results *r, struct cb_error *err)
{
    cJSON *root = cJSON_CreateObject();
    bool built = root && !add_num(root, CB_KEY_SCHEMA_VERSION, 1) && !add_tool(root) &&
                 !add_context(root, &r->context) && !add_benchmarks(root, r) &&
                 !add_floor(root, &r->floor);

    return cb_json_finish(root, built, "the JSON report", err);
}
