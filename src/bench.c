#include "concbench/bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/calibrate.h"
#include "concbench/clock.h"
#include "concbench/isolate.h"
#include "concbench/memory.h"
#include "concbench/shared.h"
#include "concbench/sysname.h"

/* Builds the cells (task x workers x mode, in that order). */
static int plan_cells(const struct cb_config *cfg, struct cb_results *out,
                      struct cb_error *err)
{
    size_t n = cfg->ntasks * cfg->nworkers * cfg->nmodes, k = 0;

    out->cells = calloc(n ? n : 1, sizeof *out->cells);
    if (!out->cells) {
        cb_error_set(err, "out of memory planning %zu benchmarks", n);
        return -1;
    }
    for (size_t t = 0; t < cfg->ntasks; t++)
        for (size_t w = 0; w < cfg->nworkers; w++)
            for (size_t m = 0; m < cfg->nmodes; m++) {
                struct cb_cell *c = &out->cells[k++];

                c->task = cfg->tasks[t];
                c->runner = cfg->modes[m];
                c->workers = cfg->workers[w];
                c->units = cb_executor_units(c->runner, c->workers, &cfg->run);
                snprintf(c->name, sizeof c->name, "%s/%s/%u", c->task->name,
                         c->runner->name, c->workers);
                cb_config_task_params(cfg, c->task, &c->params);
                c->ops_per_job = c->task->ops ? c->task->ops(&c->params) : 0;
                c->opts = cfg->run;
                c->start = cfg->start;
                c->warmup = cfg->warmup;
                c->repetitions = cfg->repetitions;
                c->max_time_ns = cfg->max_time_ns;
                c->min_time_ns = cfg->min_time_ns;
                c->speedup = NAN;
                snprintf(c->status, sizeof c->status, "ok");
                out->ncells = k;
                c->samples = calloc(cfg->repetitions ? cfg->repetitions : 1,
                                    sizeof *c->samples);
                if (!c->samples) {
                    cb_error_set(err, "out of memory for %s", c->name);
                    return -1;
                }
            }
    return 0;
}

/* Whether a run's total is right: equal to the expected one, or, where
 * the task measures lost updates (cb_task_total_measured), not above it. */
static bool total_right(const struct cb_cell *c, bool has_total, uint64_t total)
{
    uint64_t want;

    if (!has_total || !c->task->expected_total)
        return true;
    want = c->task->expected_total(&c->params, c->workers);
    return total == want || (total < want && cb_task_total_measured(c->task, &c->params));
}

/* A worker that ran but returned the wrong checksum is a failure; so is
 * every worker of a run whose total is wrong (a lost update under a
 * lock belongs to no one worker). */
static void verify(const struct cb_cell *c, struct cb_shared *sh, bool has_total,
                   uint64_t total)
{
    uint64_t want = c->task->expected(&c->params);
    bool total_ok = total_right(c, has_total, total);

    for (uint32_t i = 0; i < c->workers; i++) {
        struct cb_worker_record *r = &sh->rec[i];

        if (r->status == CB_WORKER_OK && (r->checksum != want || !total_ok))
            r->status = CB_WORKER_WRONG_CHECKSUM;
    }
}

/* The median of v[0..n) in ns; 0 for none or out of memory. */
static uint64_t median_ns(const double *v, size_t n)
{
    double m = NAN;

    cb_stats_median(v, n, &m);
    return isnan(m) ? 0 : (uint64_t)m;
}

/* The median run time of the ok jobs among rec[0..n); 0 when none. */
static uint64_t median_job_ns(const struct cb_worker_record *rec, uint32_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    uint64_t m;
    size_t k = 0;

    if (!v)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (rec[i].status == CB_WORKER_OK && rec[i].end_ns > rec[i].start_ns)
            v[k++] = (double)(rec[i].end_ns - rec[i].start_ns);
    m = median_ns(v, k);
    free(v);
    return m;
}

static int keep_sample(struct cb_cell *c, struct cb_shared *sh,
                       const struct cb_run_times *t, bool has_total,
                       uint64_t total, struct cb_error *err)
{
    struct cb_sample *s = &c->samples[c->nsamples];

    /* The records are cache-line aligned types: so must their copies be. */
    s->workers = aligned_alloc(CB_CACHE_LINE, (size_t)c->workers * sizeof *s->workers);
    s->units = aligned_alloc(CB_CACHE_LINE, (t->units ? t->units : 1) * sizeof *s->units);
    if (!s->workers || !s->units) {
        free(s->workers);
        free(s->units);
        s->workers = NULL;
        s->units = NULL;
        cb_error_set(err, "out of memory for the records of %s", c->name);
        return -1;
    }
    memcpy(s->workers, sh->rec, (size_t)c->workers * sizeof *s->workers);
    s->nworkers = c->workers;
    memcpy(s->units, sh->unit, (size_t)t->units * sizeof *s->units);
    s->nunits = t->units;
    s->times = *t;
    s->has_total = has_total;
    s->total = total;
    s->job_ns = median_job_ns(sh->rec, c->workers);
    cb_sample_summarise(s, c->start);
    c->nsamples++;
    return 0;
}

static void fail_cell(struct cb_cell *c, const struct cb_error *e)
{
    c->failed = true;
    snprintf(c->status, sizeof c->status, "error: %s", e->msg);
}

/* Where samples run: in this process, or, for executors whose units
 * share the caller's address space, in the sample server; so do those
 * of executors made of processes under --start-method=forkserver: their
 * units are forked from the server, a small process made before
 * --parent-memory, not from concbench. */
struct sampler {
    struct cb_shared *sh;
    struct cb_isolate iso;
    bool isolate;       /* in-process modes run in the server */
    bool forkserver;    /* so do process modes */
    bool next_isolated; /* the sample after this one runs in the server */
    unsigned char *parent_mem; /* --parent-memory, or NULL */
};

static bool isolated(const struct sampler *sp, const struct cb_cell *c)
{
    if (!c->runner) /* as run_sample: a cell without one never runs */
        return false;
    if (c->runner->separate_memory)
        return sp->forkserver && c->opts.start_method == CB_START_FORKSERVER;
    return sp->isolate;
}

/* Takes one sample of c into res. Returns 0, or -1 with e set when the
 * task's state or the sample server could not be had. */
static int take_sample(struct sampler *sp, const struct cb_cell *c,
                       struct cb_run_spec *spec, struct cb_isolate_result *res,
                       struct cb_error *e)
{
    struct cb_task_run tr;

    if (isolated(sp, c))
        return cb_isolate_run(&sp->iso, c->runner, spec, sp->next_isolated, res, e);
    memset(res, 0, sizeof *res);
    if (cb_task_run_begin(c->task, &c->params, spec->workers, c->runner->separate_memory,
                          &tr, e) != 0)
        return -1;
    spec->task_state = tr.state;
    spec->state_fd = tr.fd;
    spec->state_size = tr.size;
    res->rc = cb_run_sample(c->runner, spec, &res->times, e);
    /* Abandoned threads still run on the task state: leave it alone. */
    if (!res->times.abandoned)
        res->has_total = cb_task_run_end(c->task, &tr, &res->total);
    return 0;
}

/* The sample server died with the sample: a crash of one thread takes
 * its whole process, which is what this benchmark measured. */
static void fail_whole_process(struct cb_cell *c, const struct cb_isolate_result *res)
{
    const char *name = cb_sysname_signal(res->signal);

    c->failed = true;
    if (res->signal && name)
        snprintf(c->status, sizeof c->status, "crashed: %s, whole process", name);
    else if (res->signal)
        snprintf(c->status, sizeof c->status, "crashed: signal %d, whole process",
                 res->signal);
    else
        snprintf(c->status, sizeof c->status, "exit %d, whole process", res->exit_status);
}

/* Units ran past --timeout and cannot be killed. In the sample server,
 * the server ended with them and the run goes on (0); here, they still
 * run on the records and the task state: stop the whole run (1). */
static int fail_abandoned(const struct sampler *sp, struct cb_cell *c,
                          const struct cb_isolate_result *res, const struct cb_error *e)
{
    c->failed = true;
    if (!isolated(sp, c)) {
        snprintf(c->status, sizeof c->status, "%s", e->msg);
        return 1;
    }
    snprintf(c->status, sizeof c->status,
             "timeout: %u of %u %s still running after the --timeout; %s cannot be "
             "killed one by one, so their process (the sample server) was killed",
             res->times.abandoned, res->times.units, c->runner->unit_noun,
             c->runner->unit_noun);
    return 0;
}

/* A warmup is not kept, but a worker failing in it fails the cell: its
 * status says so unless a measured run fails too. The cell goes on. */
static void note_warmup_failure(struct cb_cell *c, const struct cb_shared *sh)
{
    const struct cb_worker_record *bad = cb_record_first_failure(sh->rec, c->workers);
    char what[sizeof c->status - 32];

    if (!bad || c->warmup_failed)
        return;
    cb_record_status_str(bad, what, sizeof what);
    c->warmup_failed = true;
    snprintf(c->status, sizeof c->status, "%s in a warmup run", what);
}

/* Runs one sample of c; keeps it unless it is a warmup. A cell whose
 * workers could not be created is marked failed and not run again. */
static int run_sample(struct sampler *sp, struct cb_cell *c, bool keep,
                      struct cb_error *err)
{
    struct cb_shared *sh = sp->sh;
    struct cb_run_spec spec = {
        .task = c->task, .params = &c->params, .workers = c->workers,
        .start = c->start, .shared = sh, .opts = &c->opts, .parent_mem = sp->parent_mem,
    };
    struct cb_isolate_result res;
    struct cb_sysstate_snap before, after;
    struct cb_error e = { "" };
    int rc;

    if (c->failed || !c->runner)
        return 0;
    cb_shared_reset(sh, c->workers);
    cb_sysstate_snapshot(NULL, &before);
    rc = take_sample(sp, c, &spec, &res, &e);
    cb_sysstate_snapshot(NULL, &after);
    after.own_cpu_ns += res.server_cpu_ns; /* the server's work is ours */
    if (rc != 0 || (res.rc != 0 && !res.times.abandoned && !res.died)) {
        fail_cell(c, &e);
        return 0;
    }
    if (res.timed_out) {
        c->failed = true;
        snprintf(c->status, sizeof c->status, "timeout: the sample ran past --timeout; "
                 "its process (the sample server) was killed");
        return 0;
    }
    if (res.died) {
        fail_whole_process(c, &res);
        return 0;
    }
    if (res.times.abandoned)
        return fail_abandoned(sp, c, &res, &e);
    verify(c, sh, res.has_total, res.total);
    rc = keep ? keep_sample(c, sh, &res.times, res.has_total, res.total, err) : 0;
    if (keep && rc == 0)
        c->samples[c->nsamples - 1].state = cb_sysstate_others(&before, &after);
    if (!keep)
        note_warmup_failure(c, sh);
    /* A worker killed at --timeout would be killed again every round. */
    for (uint32_t i = 0; i < c->workers && rc == 0; i++)
        if (sh->rec[i].status == CB_WORKER_TIMEOUT) {
            c->failed = true;
            snprintf(c->status, sizeof c->status, "timeout");
            break;
        }
    return rc;
}


/* --max-time: true when the round after `done` rounds (r of them measured)
 * would likely end past the cap; never before the minimum is measured. */
static bool out_of_time(const struct cb_config *cfg, uint64_t t0, uint32_t done)
{
    uint32_t measured = done > cfg->warmup ? done - cfg->warmup : 0;
    uint32_t least = cfg->repetitions < CB_MIN_REPETITIONS ? cfg->repetitions
                                                           : CB_MIN_REPETITIONS;
    uint64_t elapsed = cb_clock_now_ns() - t0;

    if (!cfg->max_time_ns || measured < least || done == 0)
        return false;
    return elapsed + elapsed / done > cfg->max_time_ns;
}

/* After each measured round: the noise floor, sized on the first to the
 * median job of the cells' latest samples, timed once, and told to the
 * samples of this round. Returns 0, or -1 with err set. */
/* Sizes the floor to the median job of this round's samples (once). */
static int size_floor(struct cb_results *out, struct cb_error *err)
{
    double *v = malloc((out->ncells ? out->ncells : 1) * sizeof *v);
    size_t k = 0;

    if (!v)
        return cb_error_set(err, "out of memory for the noise floor"), -1;
    for (size_t i = 0; i < out->ncells; i++) {
        const struct cb_cell *c = &out->cells[i];
        const struct cb_sample *s = c->nsamples ? &c->samples[c->nsamples - 1] : NULL;

        if (s && s->job_ns && !s->floor_ns)
            v[k++] = (double)s->job_ns;
    }
    if (k)
        cb_floor_calibrate(&out->floor, median_ns(v, k));
    free(v);
    return 0;
}

static int floor_round(struct cb_results *out, struct cb_error *err)
{
    uint64_t ns, cpu_ns;

    if (!out->floor.steps && size_floor(out, err) != 0)
        return -1;
    if (cb_floor_round(&out->floor, &ns, &cpu_ns, err) != 0)
        return -1;
    for (size_t i = 0; ns && i < out->ncells; i++) {
        struct cb_sample *s = out->cells[i].nsamples
                                  ? &out->cells[i].samples[out->cells[i].nsamples - 1]
                                  : NULL;

        if (s && !s->floor_ns) {
            s->floor_ns = ns;
            s->floor_cpu_ns = cpu_ns;
        }
    }
    return 0;
}

static bool given(const struct cb_config *cfg, const char *flag)
{
    for (size_t i = 0; flag && i < cfg->nparams_given; i++)
        if (strcmp(cfg->params_given[i], flag) == 0)
            return true;
    return false;
}

/* --min-time: each task sized once, its value given to all its cells
 * (and so written in their params), unless its size was given. */
static int size_jobs(const struct cb_config *cfg, struct cb_results *out,
                     struct cb_shared *sh, struct cb_error *err)
{
    for (size_t t = 0; cfg->min_time_ns && t < cfg->ntasks; t++) {
        const struct cb_task *task = cfg->tasks[t];
        struct cb_params p;
        bool first = true;

        if (given(cfg, task->size_param))
            continue;
        for (size_t i = 0; i < out->ncells; i++) {
            if (out->cells[i].task != task)
                continue;
            if (first && cb_calibrate(task, &out->cells[i].params, cfg->min_time_ns, sh,
                                      err) != 0)
                return -1;
            if (first)
                p = out->cells[i].params;
            out->cells[i].params = p;
            out->cells[i].ops_per_job = task->ops ? task->ops(&p) : 0;
            first = false;
        }
    }
    return 0;
}

static int run_rounds(const struct cb_config *cfg, struct cb_results *out,
                      struct sampler *sp, cb_progress_fn progress, void *arg,
                      struct cb_error *err)
{
    uint32_t rounds = cfg->warmup + cfg->repetitions;
    uint64_t t0 = cb_clock_now_ns();

    /* Round by round, every cell once per round, so drift on a noisy
     * machine hits all cells alike. */
    for (uint32_t r = 0; r < rounds; r++) {
        bool warm = r < cfg->warmup;

        if (out_of_time(cfg, t0, r))
            break;

        for (size_t i = 0; i < out->ncells; i++) {
            const struct cb_cell *next = &out->cells[(i + 1) % out->ncells];

            if (progress)
                progress(arg, &out->cells[i], r, rounds, warm);
            /* Not when the noise floor runs first: a server spinning
             * through it would then create from a CPU it had just
             * hogged, which the scheduler takes from it mid-create. */
            sp->next_isolated = isolated(sp, next) && !next->failed &&
                                (i + 1 < out->ncells || (r + 1 < rounds && warm));
            int rc = run_sample(sp, &out->cells[i], !warm, err);

            if (rc != 0)
                return rc;
        }
        if (!warm && floor_round(out, err) != 0)
            return -1;
    }
    return 0;
}

/* Threads ran past --timeout: they cannot be killed and still use the
 * shared records, so nothing else may run; the process must end soon. */
static void stop_everything(struct cb_results *out)
{
    for (size_t i = 0; i < out->ncells; i++)
        if (!out->cells[i].failed) {
            out->cells[i].failed = true;
            snprintf(out->cells[i].status, sizeof out->cells[i].status,
                     "stopped: threads of another benchmark ran past --timeout");
        }
}

/* More CPU-bound workers than CPUs time-share: the figure is then about
 * the scheduler as much as about threads or processes. */
static void warn_oversubscribed(struct cb_cell *c, long cpus)
{
    uint32_t units = cb_executor_units(c->runner, c->workers, &c->opts);

    if (!c->task->cpu_bound || !c->runner->concurrent || (long)units <= cpus ||
        c->nwarnings >= CB_MAX_WARNINGS)
        return;
    snprintf(c->warnings[c->nwarnings++], sizeof c->warnings[0],
             "%u CPU-bound workers on %ld usable CPUs time-share: this measures "
             "scheduling as much as parallelism", units, cpus);
}

int cb_bench_run(const struct cb_config *cfg, struct cb_results *out,
                 cb_progress_fn progress, void *arg, struct cb_error *err)
{
    struct sampler sp = { .sh = NULL, .iso = { 0, -1, -1 }, .isolate = false,
                          .forkserver = false };
    unsigned char *parent_mem = NULL;
    int rc, ret = -1;
    long cpus;

    if (cb_config_check_tasks(cfg, err) != 0 || cb_config_check_start_method(cfg, err) != 0)
        return -1;
    if (plan_cells(cfg, out, err) != 0)
        goto out;
    sp.sh = cb_shared_map(cb_config_max_workers(cfg), err);
    if (!sp.sh || size_jobs(cfg, out, sp.sh, err) != 0)
        goto out;
    /* The sample server exists before the parent's memory, as the runs of
     * the in-process modes did before there was one. */
    for (size_t m = 0; m < cfg->nmodes; m++) {
        sp.isolate |= !cfg->modes[m]->separate_memory &&
                      cfg->run.isolation == CB_ISOLATION_PROCESS;
        sp.forkserver |= cfg->modes[m]->separate_memory &&
                         cfg->run.start_method == CB_START_FORKSERVER;
    }
    if ((sp.isolate || sp.forkserver) && cb_isolate_start(&sp.iso, err) != 0)
        goto out;
    /* Touched before any worker exists: fork copies its page tables,
     * pthread_create does not. */
    if (cfg->run.parent_mem) {
        parent_mem = cb_memory_touch(cfg->run.parent_mem, err);
        if (!parent_mem)
            goto out;
        sp.parent_mem = parent_mem;
    }
    rc = run_rounds(cfg, out, &sp, progress, arg, err);
    if (rc < 0)
        goto out;
    if (rc > 0) {
        stop_everything(out);
        sp.sh = NULL; /* abandoned threads still write their records there */
    }
    cpus = cb_context_usable_cpus();
    for (size_t i = 0; i < out->ncells; i++) {
        /* How many really ran: --max-time, a timeout or a failure may
         * have stopped a benchmark short of -r. */
        out->cells[i].repetitions = (uint32_t)out->cells[i].nsamples;
        if (cb_cell_finish(&out->cells[i], err) != 0)
            goto out;
        warn_oversubscribed(&out->cells[i], cpus);
    }
    cb_results_speedups(out);
    if (cb_floor_finish(&out->floor, err) != 0)
        goto out;
    ret = 0;
out:
    cb_isolate_stop(&sp.iso);
    cb_shared_unmap(sp.sh);
    cb_memory_release(parent_mem, cfg->run.parent_mem);
    return ret;
}
