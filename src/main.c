/* concbench: threads against processes, measured on this machine.
 * main only dispatches; the library does the work and returns errors. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "concbench/answer.h"
#include "concbench/bench.h"
#include "concbench/check.h"
#include "concbench/cli.h"
#include "concbench/compare.h"
#include "concbench/interrupt.h"
#include "concbench/output.h"
#include "concbench/progress.h"
#include "concbench/report.h"
#include "concbench/review.h"
#include "concbench/spawn.h"
#include "concbench/sysstate_run.h"
#include "concbench/version.h"

/* DESIGN.md's exit codes: 3 is "the output could not be written", the
 * same in every subcommand. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_WRITE = 3 };

static int fail(int code, const char *msg)
{
    fprintf(stderr, "concbench: %s\n", msg);
    return code;
}

/* Writes text to stdout and flushes it, so that a full device or a closed
 * pipe is found here: EXIT_OK, or EXIT_WRITE with one line. */
static int put_stdout(const char *text)
{
    char msg[160];

    if (fputs(text, stdout) >= 0 && fflush(stdout) == 0)
        return EXIT_OK;
    snprintf(msg, sizeof msg, "cannot write to stdout: %s", strerror(errno));
    clearerr(stdout);
    return fail(EXIT_WRITE, msg);
}

/* Warnings and failed cells go to stderr, so a JSON stdout stays clean;
 * the warnings not when quiet (-q, or on the terminal already). */
static void tell_problems(const struct cb_results *r, bool quiet)
{
    /* On the heap: 5 KiB is too much for a small stack (ulimit -s). */
    char (*lines)[CB_SYSSTATE_LINE] = quiet ? NULL : calloc(CB_SYSSTATE_MAX_FINDINGS,
                                                            sizeof *lines);
    size_t n = lines ? cb_sysstate_problems(&r->context.state, lines,
                                            CB_SYSSTATE_MAX_FINDINGS) : 0;
    char floor[512];

    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "concbench: warning: %s\n", lines[i]);
    if (!quiet && cb_floor_warning(&r->floor, floor, sizeof floor))
        fprintf(stderr, "concbench: warning: %s\n", floor);
    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *c = &r->cells[i];

        if (c->failed)
            fprintf(stderr, "concbench: %s: %s\n", c->name, c->status);
        for (size_t w = 0; w < c->nwarnings && !quiet; w++)
            fprintf(stderr, "concbench: warning: %s: %s\n", c->name, c->warnings[w]);
    }
    free(lines);
}

/* Runs the benchmarks, drawing progress when a person watches stderr. */
static int run_benchmarks(const struct cb_config *cfg, struct cb_results *res,
                          struct cb_error *err)
{
    struct cb_progress prog;
    bool live = !cfg->quiet && isatty(STDERR_FILENO);
    int rc;

    cb_progress_init(&prog, stderr, (uint64_t)cfg->ntasks * cfg->nmodes *
                                        cfg->nworkers * (cfg->warmup + cfg->repetitions));
    rc = cb_bench_run(cfg, res, live ? cb_progress_step : NULL, &prog, err);
    if (live)
        cb_progress_done(&prog);
    return rc;
}

/* JSON for a file or a pipe, a person at the terminal: show them a table.
 * Returns whether the warnings are on the terminal already: in that
 * table, or in a table or markdown report written to it. */
static bool summarise(const struct cb_config *cfg, const struct cb_results *res)
{
    bool to_file = cfg->output || !isatty(STDOUT_FILENO), shown;
    char *table;

    if (!to_file && (cfg->format == CB_FORMAT_TABLE || cfg->format == CB_FORMAT_MARKDOWN))
        return true;
    if (cfg->quiet || cfg->format != CB_FORMAT_JSON || !to_file ||
        !isatty(STDERR_FILENO))
        return false;
    table = cb_report_render(res, CB_FORMAT_TABLE, false, NULL);
    shown = table != NULL;
    if (shown)
        fputs(table, stderr);
    free(table);
    return shown;
}

/* On a terminal the answer is the last thing a run prints, whatever went
 * before it; shown is true when the table that ends with it was last. */
static void tell_answer(const struct cb_config *cfg, const struct cb_results *res, bool shown)
{
    char *lines;
    size_t n = 0;

    if (cfg->quiet || !isatty(STDERR_FILENO) || (shown && !cfg->compare_to))
        return;
    lines = cb_answer_render(res, false, &n);
    if (lines && n)
        fprintf(stderr, "summary:\n%s", lines);
    free(lines);
}

static int cmd_list(bool names)
{
    char *text = names ? cb_cli_names() : cb_cli_list();
    int code;

    if (!text)
        return fail(EXIT_FAILED, "out of memory");
    code = put_stdout(text);
    free(text);
    return code;
}

static int cmd_version(void)
{
    char line[256];

    snprintf(line, sizeof line, "concbench %s (%s, %s)\n", CB_VERSION, CB_BUILD_TYPE,
             CB_COMPILER);
    return put_stdout(line);
}

/* compare BASE NEW: 0 no regression, 1 a regression, 2 bad input, 3 the
 * output could not be written. */
static int compare_with(int argc, char **argv, struct cb_comparison *c)
{
    struct cb_compare_opts o;
    struct cb_error err = { "" };
    char *text;
    int code = EXIT_USAGE;

    if (cb_compare_parse_args(argc - 1, argv + 1, isatty(STDOUT_FILENO), &o, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    if (o.help)
        return put_stdout(cb_compare_usage());
    if (cb_interrupt_install_output(&err) != 0)
        return fail(EXIT_FAILED, err.msg);
    if (cb_output_check(o.output, &err) != 0 || cb_compare_files(&o, c, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    text = cb_compare_render(c, o.format, &err);
    /* A write error is not a regression: 3, never the gate's 1. */
    if (!text)
        fail(EXIT_USAGE, err.msg);
    else if (cb_output_write(o.output, text, strlen(text), &err) != 0)
        code = fail(EXIT_WRITE, err.msg);
    else
        code = cb_compare_failed(c) ? EXIT_FAILED : EXIT_OK;
    free(text);
    cb_compare_free(c);
    return code;
}

static int cmd_compare(int argc, char **argv)
{
    struct cb_comparison *c = calloc(1, sizeof *c); /* big: off the stack */
    int code;

    if (!c)
        return fail(EXIT_FAILED, "out of memory");
    code = compare_with(argc, argv, c);
    free(c);
    return code;
}

/* report FILE...: 0 done, 2 bad input, 3 a write error. */
static int cmd_report(int argc, char **argv)
{
    struct cb_review_opts o;
    struct cb_error err = { "" };
    char *text, *warnings = NULL;
    int code = EXIT_OK;

    if (cb_review_parse_args(argc - 1, argv + 1, &o, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    if (o.help)
        return put_stdout(cb_review_usage());
    if (cb_interrupt_install_output(&err) != 0)
        return fail(EXIT_FAILED, err.msg);
    if (cb_output_check(o.output, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    text = cb_review_files(&o, &warnings, &err);
    /* Each warning line once, before the report: "concbench: warning: report: ..." */
    for (char *line = warnings, *nl; line && (nl = strchr(line, '\n')); line = nl + 1)
        fprintf(stderr, "concbench: warning: %.*s\n", (int)(nl - line), line);
    if (!text)
        code = fail(EXIT_USAGE, err.msg);
    else if (cb_output_write(o.output, text, strlen(text), &err) != 0)
        code = fail(EXIT_WRITE, err.msg);
    free(warnings);
    free(text);
    return code;
}

/* check: the machine's state; 0 whatever it is, 2 bad input, 3 a write
 * error. */
static int cmd_check(int argc, char **argv)
{
    struct cb_check_opts o;
    struct cb_sysstate st;
    struct cb_error err = { "" };
    char *text;
    int code = EXIT_OK;

    if (cb_check_parse_args(argc - 1, argv + 1, &o, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    if (o.help)
        return put_stdout(cb_check_usage());
    if (cb_output_check(o.output, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    cb_check_observe(&st, CB_CHECK_WINDOW_NS);
    text = cb_check_render(&st, o.format, &err);
    if (!text)
        code = fail(EXIT_USAGE, err.msg);
    else if (cb_output_write(o.output, text, strlen(text), &err) != 0)
        code = fail(EXIT_WRITE, err.msg);
    free(text);
    return code;
}

/* --compare-to: the verdicts of this run against base go to stderr, so
 * the results keep stdout. Takes base over. */
static int compare_run(const struct cb_config *cfg, struct cb_loaded *base,
                       const struct cb_results *res, int code)
{
    struct cb_compare_opts o;
    struct cb_comparison *c;
    struct cb_error err = { "" };
    char *text;

    if (!cfg->compare_to)
        return code;
    c = calloc(1, sizeof *c); /* big: off the stack */
    if (!c)
        return fail(EXIT_FAILED, "out of memory");
    cb_compare_opts_default(&o);
    o.base_path = cfg->compare_to;
    if (cb_compare_results(&o, base, res, c, &err) != 0) {
        free(c);
        return fail(EXIT_FAILED, err.msg);
    }
    text = cb_compare_render(c, CB_FORMAT_TABLE, &err);
    if (text)
        fputs(text, stderr);
    code = cb_compare_failed(c) ? EXIT_FAILED : code;
    free(text);
    cb_compare_free(c);
    free(c);
    return code;
}

static int run_with(const struct cb_config *cfg, int argc, char **argv,
                    struct cb_results *resp, struct cb_loaded *basep)
{
    struct cb_error err = { "" };
    char *text = NULL;
    int code = EXIT_FAILED;
    bool shown;

    if (cb_output_check(cfg->output, &err) != 0 || cb_bench_check(cfg, &err) != 0 ||
        (cfg->compare_to && cb_load_file(cfg->compare_to, basep, &err) != 0))
        return fail(EXIT_USAGE, err.msg);
    if (cb_interrupt_install(&err) != 0 ||
        cb_context_collect(&resp->context, argc, argv, cfg, &err) != 0 ||
        run_benchmarks(cfg, resp, &err) != 0 || cb_sysstate_run(resp, &err) != 0)
        goto out;
    shown = summarise(cfg, resp);
    tell_problems(resp, shown || cfg->quiet);
    text = cfg->format == CB_FORMAT_TABLE && !cfg->output &&
           cb_report_colour_wanted(isatty(STDOUT_FILENO), getenv("NO_COLOR"))
               ? cb_report_render_colour(resp, &err)
               : cb_report_render(resp, cfg->format, cfg->per_sample, &err);
    if (!text)
        goto out;
    if (cb_output_write(cfg->output, text, strlen(text), &err) != 0) {
        code = EXIT_WRITE;
        goto out;
    }
    code = compare_run(cfg, basep, resp, cb_results_failed(resp) ? EXIT_FAILED : EXIT_OK);
    tell_answer(cfg, resp, shown);
out:
    if ((code == EXIT_FAILED || code == EXIT_WRITE) && err.msg[0])
        fail(code, err.msg);
    free(text);
    cb_results_free(resp);
    cb_load_free(basep);
    return code;
}

/* The results and the base are big: off the stack (ulimit -s). */
static int cmd_run(const struct cb_config *cfg, int argc, char **argv)
{
    struct cb_results *res = calloc(1, sizeof *res);
    struct cb_loaded *base = calloc(1, sizeof *base);
    int code;

    for (size_t i = 0; i < cfg->nignored && !cfg->quiet; i++)
        fprintf(stderr, "concbench: warning: %s\n", cfg->ignored[i]);
    code = res && base ? run_with(cfg, argc, argv, res, base)
                           : fail(EXIT_FAILED, "out of memory");

    free(res);
    free(base);
    return code;
}

/* The config is big: on the heap, so that concbench runs under a small
 * ulimit -s. */
static struct cb_config *cfg_alloc(void)
{
    return calloc(1, sizeof(struct cb_config));
}

static int dispatch(struct cb_config *cfg, int argc, char **argv)
{
    struct cb_error err = { "" };
    enum cb_command cmd;

    if (cb_cli_parse(argc, argv, cfg, &cmd, &err) != 0)
        return fail(EXIT_USAGE, err.msg);
    switch (cmd) {
    case CB_CMD_HELP:
        return put_stdout(cb_cli_usage());
    case CB_CMD_VERSION:
        return cmd_version();
    case CB_CMD_LIST: case CB_CMD_NAMES:
        return cmd_list(cmd == CB_CMD_NAMES);
    case CB_CMD_COMPARE:
        return cmd_compare(argc, argv);
    case CB_CMD_REPORT:
        return cmd_report(argc, argv);
    case CB_CMD_CHECK:
        return cmd_check(argc, argv);
    case CB_CMD_RUN:
        break;
    }
    return cmd_run(cfg, argc, argv);
}

int main(int argc, char **argv)
{
    struct cb_config *cfg;
    int code;

    /* A unit of --start-method=spawn: concbench's own child, not a user's
     * command (refused, exit 2, when it is not). Main's first act, so the
     * unit's first instruction is stamped before anything else runs (its
     * signal dispositions stay as a forked unit's: SIGPIPE default). */
    if (argc == 2 && cb_spawn_is_worker_arg(argv[1])) {
        struct cb_error err = { "" };

        code = cb_spawn_worker_main(argv[1], &err);
        if (err.msg[0])
            fprintf(stderr, "concbench: %s\n", err.msg);
        return code;
    }
    /* A closed stdout (concbench | head) is a write error we report, not
     * a signal that kills us mid-run. */
    signal(SIGPIPE, SIG_IGN);
    /* This main enters a spawned unit above: --start-method=spawn may run
     * this binary again. */
    cb_spawn_set_host();
    cfg = cfg_alloc();
    if (!cfg)
        return fail(EXIT_FAILED, "out of memory");
    code = dispatch(cfg, argc, argv);
    free(cfg);
    return code;
}
