/* The texts of --help and `concbench list`, from the registries and the
 * option tables. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "strbuf.h"

#define HELP_COLUMN 28 /* where an option's help starts */
#define HELP_WIDTH 78  /* a default that would pass it gets its own line */

static const char *const format_help[] = {
    [CB_FORMAT_JSON] = "every sample, schema_version 1 (for keeping and comparing)",
    [CB_FORMAT_TABLE] = "aligned text for a terminal",
    [CB_FORMAT_MARKDOWN] = "a Markdown table",
    [CB_FORMAT_CSV] = "one row per benchmark (--per-sample: per sample and worker)",
    [CB_FORMAT_BMF] = "Bencher Metric Format: median wall and spawn latency, ns",
    [CB_FORMAT_GAB] = "github-action-benchmark customSmallerIsBetter array",
};

/* "--sleep=DURATION", or "--gil" for a flag. */
static void option_text(const struct cb_param_desc *d, char *buf, size_t len)
{
    const char *meta = cb_cli_metavar(d);

    snprintf(buf, len, "--%s%s%s", d->flag, meta ? "=" : "", meta ? meta : "");
}

/* The default as --help shows it; "" when it shows none. */
static void default_text(const struct cb_param_desc *d, char *buf, size_t len)
{
    struct cb_config *def;
    struct cb_option_view v;

    if (d->default_help || d->kind == CB_PARAM_FLAG) {
        snprintf(buf, len, "%s", d->default_help ? d->default_help : "");
        return;
    }
    /* On the heap: a config is too big for a small stack. */
    def = malloc(sizeof *def);
    if (!def) {
        snprintf(buf, len, "?");
        return;
    }
    cb_config_default(def);
    v = cb_option_view_config(def);
    cb_cli_value(d, cb_option_get(d, &v), buf, len);
    free(def);
}

/* The tasks that read the task option d and their defaults: "io;
 * default: 100ms", or for an option whose default differs by task
 * "cpu, lock; default: 10000000; fault: 1; tlb: 10000" (the tasks with
 * the run's default first). */
static void option_tasks(const struct cb_param_desc *d, char *buf, size_t len)
{
    struct cb_strbuf sb = { 0 };
    struct cb_params def;
    char v[32];

    cb_params_default(&def);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            default_text(d, v, sizeof v);
            cb_strbuf_printf(&sb, "; default: %s", v);
        }
        for (size_t t = 0; cb_tasks[t]; t++) {
            for (const struct cb_param_desc *e = cb_tasks[t]->params; e && e->flag; e++) {
                bool same = e->def == cb_params_get(&def, d);

                if (strcmp(e->flag, d->flag) != 0 || same != (pass == 0))
                    continue;
                cb_cli_value(e, e->def, v, sizeof v);
                if (pass == 0)
                    cb_strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", cb_tasks[t]->name);
                else
                    cb_strbuf_printf(&sb, "; %s: %s", cb_tasks[t]->name, v);
                break;
            }
        }
    }
    snprintf(buf, len, "%s", sb.failed || !sb.buf ? "" : sb.buf);
    cb_strbuf_free(&sb);
}

/* "all but lock, fault": the default task list, as the opt-in tasks
 * leave it. */
static void default_tasks(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "all");

    for (size_t t = 0; cb_tasks[t] && used < len; t++) {
        if (cb_tasks[t]->opt_in) {
            int n = snprintf(buf + used, len - used, "%s%s",
                             used == 3 ? " but " : ", ", cb_tasks[t]->name);

            used += n > 0 ? (size_t)n : len;
        }
    }
}

/* One executor- or run-scope line: the option, then its help from
 * HELP_COLUMN, one line per '\n', the default after the last. */
static void usage_line(struct cb_strbuf *sb, const struct cb_param_desc *d)
{
    char opt[64], def[64];
    const char *line = d->help;
    size_t last = 0;

    option_text(d, opt, sizeof opt);
    default_text(d, def, sizeof def);
    if (strlen(opt) + 8 > HELP_COLUMN)
        cb_strbuf_printf(sb, "      %s\n%*s", opt, HELP_COLUMN, "");
    else
        cb_strbuf_printf(sb, "      %-*s", HELP_COLUMN - 6, opt);
    while (line) {
        const char *nl = strchr(line, '\n');

        last = nl ? (size_t)(nl - line) : strlen(line);
        cb_strbuf_append(sb, line, last);
        if (nl)
            cb_strbuf_printf(sb, "\n%*s", HELP_COLUMN, "");
        line = nl ? nl + 1 : NULL;
    }
    if (def[0] && HELP_COLUMN + last + strlen(def) + 12 > HELP_WIDTH)
        cb_strbuf_printf(sb, "\n%*s(default: %s)", HELP_COLUMN, "", def);
    else if (def[0])
        cb_strbuf_printf(sb, " (default: %s)", def);
    cb_strbuf_puts(sb, "\n");
}

static void usage_section(struct cb_strbuf *sb, enum cb_param_section s)
{
    for (const struct cb_param_desc *d = cb_options; d->flag; d++)
        if (d->section == s)
            usage_line(sb, d);
}

static void usage_params(struct cb_strbuf *sb)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = cb_options_all(all, CB_OPTIONS_MAX);

    cb_strbuf_puts(sb, "\nTask parameters (N takes k, M, G for x1000, e.g. 10M; "
                   "DURATION takes ns,\nus, ms or s, e.g. 100ms):\n");
    for (size_t i = 0; i < n && all[i]->scope == CB_SCOPE_TASK; i++) {
        char opt[64], tasks[256];

        option_text(all[i], opt, sizeof opt);
        option_tasks(all[i], tasks, sizeof tasks);
        cb_strbuf_printf(sb, "      %-22s%s\n%28s(%s)\n", opt, all[i]->help, "", tasks);
    }
}

static void usage_run(struct cb_strbuf *sb, const struct cb_config *def)
{
    char modes[CB_CLI_ACCEPTED_MAX], tasks[CB_CLI_ACCEPTED_MAX];
    char defmodes[CB_CLI_ACCEPTED_MAX] = "", deftasks[CB_CLI_ACCEPTED_MAX];

    cb_cli_join(cb_cli_mode_name, ", ", modes, sizeof modes);
    cb_cli_join(cb_cli_task_name, ", ", tasks, sizeof tasks);
    default_tasks(deftasks, sizeof deftasks);
    for (size_t i = 0; i < def->nmodes; i++)
        snprintf(defmodes + strlen(defmodes), sizeof defmodes - strlen(defmodes),
                 "%s%s", i ? "," : "", def->modes[i]->name);
    cb_strbuf_printf(sb,
        "What to run:\n"
        "  -m, --mode=LIST           how workers are made, comma-separated:\n"
        "                            %s\n"
        "                            (default: %s)\n"
        "  -t, --task=LIST           the work, comma-separated: %s\n"
        "                            (default: %s)\n", modes, defmodes, tasks, deftasks);
    cb_strbuf_printf(sb,
        "  -n, --workers=LIST        jobs (runs of the task; also --jobs=LIST), each a\n"
        "                            thread or process in threads and processes mode;\n"
        "                            comma-separated: 1,2,4 or ranges\n"
        "                            1..16 (every count), 1..64:x2 (doubling), 2..32:+2\n"
        "                            (step), and max (the CPUs this process may use)\n"
        "                            (default: max; 1 to %u, at most %d in all)\n",
        CB_MAX_WORKERS, CB_MAX_LIST);
    cb_strbuf_printf(sb,
        "  -r, --repetitions=N       measured runs of each benchmark (default: %u)\n"
        "  -w, --warmup=N            unmeasured runs before them (default: %u)\n",
        def->repetitions, def->warmup);
    usage_section(sb, CB_SECTION_RUN);
    cb_strbuf_puts(sb, "\nThe classic claims (sizes take B, KiB, MiB, GiB, kB, MB, GB):\n");
    usage_section(sb, CB_SECTION_CLAIMS);
    cb_strbuf_puts(sb, "\nLimits:\n");
    usage_section(sb, CB_SECTION_LIMITS);
}

static void usage_output(struct cb_strbuf *sb, const struct cb_config *def)
{
    char formats[CB_CLI_ACCEPTED_MAX];

    cb_cli_join(cb_cli_format_name, ", ", formats, sizeof formats);
    cb_strbuf_printf(sb,
        "\nOutput:\n"
        "  -f, --format=FORMAT       %s (default: %s)\n"
        "  -o, --output=FILE         write to FILE, replaced atomically (default:\n"
        "                            stdout, also -)\n"
        "      --context KEY=VALUE   add KEY=VALUE to the result's context, e.g. a\n"
        "                            commit; repeatable (KEY: letters, digits, _ . -)\n"
        "      --per-sample          csv: one row per sample and worker instead\n"
        "                            of one per benchmark\n"
        "      --compare-to=BASE     then compare with the result file BASE; the\n"
        "                            verdicts go to stderr, exit 1 on a regression\n"
        "  -q, --quiet               no progress, warnings or summary on stderr\n"
        "  -h, --help                show this help\n"
        "  -V, --version             show the version\n",
        formats, cb_format_name(def->format));
    cb_strbuf_puts(sb,
        "\nExamples:\n"
        "  concbench --mode=threads --task=cpu -n 10\n"
        "  concbench -m threads,processes,serial -t cpu -n 1,2,4 -f table\n"
        "  concbench -t io -n 50 --sleep=100ms\n"
        "  concbench -o result.json --context commit=abc123\n"
        "\nExit status: 0 success, 1 a benchmark failed, 2 usage error, "
        "3 the output could not be\nwritten, "
        "128+signal interrupted (130: Ctrl-C).\n");
}

const char *cb_cli_usage(void)
{
    /* Built once and kept, never cut to a fixed size; the config is
     * static because it is too big for a small stack. */
    static char *text;
    static struct cb_config def;
    struct cb_strbuf sb;

    if (text)
        return text;
    cb_config_default(&def);
    cb_strbuf_init(&sb);
    cb_strbuf_puts(&sb,
        "Usage: concbench [run] [OPTIONS]\n"
        "       concbench list [--names]\n"
        "       concbench compare BASE.json NEW.json [OPTIONS] (see compare --help)\n"
        "       concbench report FILE.json... [OPTIONS] (see report --help)\n"
        "       concbench check [OPTIONS] (the machine's state; see check --help)\n"
        "       concbench --help | --version\n"
        "\nRuns the same work as threads and as processes, measures both on this\n"
        "machine, and writes the results (JSON by default). `concbench list` shows\n"
        "the tasks, their parameters and the modes.\n\n");
    usage_run(&sb, &def);
    usage_params(&sb);
    usage_output(&sb, &def);
    if (sb.failed || !sb.buf) {
        cb_strbuf_free(&sb);
        return "Usage: concbench [run] [OPTIONS] | list | --help | --version\n";
    }
    text = sb.buf; /* kept for the life of the process */
    return text;
}

static size_t widest(cb_cli_name_fn name_at)
{
    size_t w = 0;

    for (size_t i = 0; name_at(i); i++)
        w = strlen(name_at(i)) > w ? strlen(name_at(i)) : w;
    return w;
}

static void list_tasks(struct cb_strbuf *sb)
{
    int w = (int)widest(cb_cli_task_name);
    char deftasks[CB_CLI_ACCEPTED_MAX];

    default_tasks(deftasks, sizeof deftasks);
    cb_strbuf_printf(sb, "Tasks (--task=LIST; default: %s):\n", deftasks);
    for (size_t t = 0; cb_tasks[t]; t++) {
        const struct cb_task *task = cb_tasks[t];

        cb_strbuf_printf(sb, "  %-*s  %s (%s)\n", w, task->name, task->description,
                         task->cpu_bound ? "CPU-bound" : "I/O-bound");
        for (const struct cb_param_desc *d = task->params; d && d->flag; d++) {
            char opt[64], def[32];

            option_text(d, opt, sizeof opt);
            cb_cli_value(d, d->def, def, sizeof def);
            cb_strbuf_printf(sb, "  %-*s    %s  %s (default %s)\n", w, "", opt, d->help,
                             def);
        }
    }
}

static void list_choices(struct cb_strbuf *sb, cb_cli_name_fn name_at,
                         const char *const *help, size_t nhelp)
{
    int w = (int)widest(name_at);

    for (size_t i = 0; name_at(i); i++)
        cb_strbuf_printf(sb, "  %-*s  %s\n", w, name_at(i),
                         i < nhelp && help[i] ? help[i] : "");
}

/* "Start (--start; default: immediate):" and a line per choice, for each
 * option whose table line explains its choices. */
static void list_options(struct cb_strbuf *sb)
{
    for (const struct cb_param_desc *d = cb_options; d->flag; d++) {
        char def[64];
        size_t n = 0;

        if (d->kind != CB_PARAM_CHOICE || !d->choice_help)
            continue;
        while (d->choice_help[n])
            n++;
        default_text(d, def, sizeof def);
        cb_strbuf_printf(sb, "\n%c%s (--%s; default: %s):\n", d->flag[0] - 'a' + 'A',
                         d->flag + 1, d->flag, def);
        list_choices(sb, d->choice, d->choice_help, n);
    }
}

char *cb_cli_list(void)
{
    struct cb_config *def = malloc(sizeof *def); /* too big for a small stack */
    struct cb_strbuf sb;
    const char *mode_help[CB_MAX_LIST];
    size_t nmodes = 0;

    if (!def)
        return NULL;
    cb_config_default(def);
    cb_strbuf_init(&sb);
    list_tasks(&sb);
    for (; nmodes < CB_MAX_LIST && cb_executors[nmodes]; nmodes++)
        mode_help[nmodes] = cb_executors[nmodes]->description;
    cb_strbuf_puts(&sb, "\nModes (--mode=LIST; default:");
    for (size_t i = 0; i < def->nmodes; i++)
        cb_strbuf_printf(&sb, "%s%s", i ? "," : " ", def->modes[i]->name);
    cb_strbuf_puts(&sb, "):\n");
    list_choices(&sb, cb_cli_mode_name, mode_help, nmodes);
    list_options(&sb);
    cb_strbuf_printf(&sb, "\nFormats (--format; default: %s):\n", cb_format_name(def->format));
    list_choices(&sb, cb_cli_format_name, format_help, sizeof format_help / sizeof *format_help);
    free(def);
    return cb_strbuf_finish(&sb, NULL);
}

static void names_line(struct cb_strbuf *sb, const char *what, const char *prefix,
                       cb_cli_name_fn name_at)
{
    cb_strbuf_puts(sb, what);
    for (size_t i = 0; name_at(i); i++)
        cb_strbuf_printf(sb, " %s%s", prefix, name_at(i));
    cb_strbuf_puts(sb, "\n");
}

char *cb_cli_names(void)
{
    /* On the heap: the config and the option table are too big for a
     * small stack. */
    struct cb_config *cfg = malloc(sizeof *cfg);
    struct cli *cp = malloc(sizeof *cp);
    struct cb_error err;
    struct cb_strbuf sb;
    char *text;

    if (!cfg || !cp) {
        free(cfg);
        free(cp);
        return NULL;
    }
    cb_cli_init(cp, cfg, &err);
    cb_strbuf_init(&sb);
    cb_strbuf_puts(&sb, "commands");
    for (size_t i = 0; cb_cli_command_name(i); i++)
        cb_strbuf_printf(&sb, " %s", cb_cli_command_name(i));
    cb_strbuf_puts(&sb, "\n");
    names_line(&sb, "modes", "", cb_cli_mode_name);
    names_line(&sb, "tasks", "", cb_cli_task_name);
    names_line(&sb, "formats", "", cb_cli_format_name);
    cb_strbuf_puts(&sb, "options");
    for (const struct option *o = cp->longopts; o->name; o++)
        cb_strbuf_printf(&sb, " --%s", o->name);
    cb_strbuf_puts(&sb, "\n");
    names_line(&sb, "values --mode", "", cb_cli_mode_name);
    names_line(&sb, "values --task", "", cb_cli_task_name);
    names_line(&sb, "values --format", "", cb_cli_format_name);
    for (size_t i = 0; i < cp->nopts; i++) {
        if (cp->opts[i]->kind == CB_PARAM_CHOICE) {
            cb_strbuf_printf(&sb, "values --%s", cp->opts[i]->flag);
            names_line(&sb, "", "", cp->opts[i]->choice);
        }
    }
    text = cb_strbuf_finish(&sb, NULL);
    free(cp);
    free(cfg);
    return text;
}
