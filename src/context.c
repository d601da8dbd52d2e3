#include "concbench/context.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "concbench/utf8.h"

/* Beyond any kernel's NR_CPUS; stops the EINVAL retry loop. */
#define MAX_CPUSET_CPUS (1 << 20)

/* A value read from a file, before it is escaped into its field. */
#define RAW_MAX 512

static const char unknown[] = "unknown";

/* Copies src escaped (concbench/utf8.h), cut to size-1 bytes only
 * between whole characters and escapes, so the value is always text. */
static void copy_str(char *dst, size_t size, const char *src)
{
    cb_utf8_escape(dst, size, src);
}

/* The mask may be wider than cpu_set_t on machines with more than
 * CPU_SETSIZE CPUs; the kernel says so with EINVAL, so grow and retry. */
static long affinity_count(void)
{
    for (int ncpus = CPU_SETSIZE; ncpus <= MAX_CPUSET_CPUS; ncpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(ncpus);
        size_t size = CPU_ALLOC_SIZE(ncpus);
        long n = -1;
        int saved;

        if (!set)
            return -1;
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0)
            n = CPU_COUNT_S(size, set);
        saved = errno;
        CPU_FREE(set);
        if (n >= 0 || saved != EINVAL)
            return n;
    }
    return -1;
}

long cb_context_usable_cpus(void)
{
    long n = affinity_count();

    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    size_t start = strspn(s, " \t");

    while (n > start && strchr(" \t\r\n", s[n - 1]))
        n--;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

/* A line "KEY<blanks>SEP value"; returns the value or NULL. */
static char *match_key(char *line, const char *key, char sep)
{
    size_t klen = strlen(key);
    char *p = line;

    if (strncmp(p, key, klen) != 0)
        return NULL;
    p += klen;
    p += strspn(p, " \t");
    return *p == sep ? p + 1 : NULL;
}

/* Finds the first "KEY SEP value" line of path. Lines longer than the
 * buffer (cpuinfo flags) are skipped rather than matched mid-line.
 * Returns 0 and fills out with the raw value, or -1 if the file or key is
 * missing. */
static int read_field(const char *path, const char *key, char sep,
                      char *out, size_t size)
{
    char line[1024];
    bool at_start = true;
    int rc = -1;
    FILE *f = fopen(path, "r");

    if (!f)
        return -1;
    while (rc != 0 && fgets(line, sizeof line, f)) {
        char *value = at_start ? match_key(line, key, sep) : NULL;

        at_start = strchr(line, '\n') != NULL;
        if (!value)
            continue;
        trim(value);
        snprintf(out, size, "%s", value);
        rc = 0;
    }
    fclose(f);
    return rc;
}

/* os-release values are shell-style: quoted, with backslash escapes. */
static void unquote(char *s)
{
    char *r = s;
    char *w = s;
    char quote = (*s == '"' || *s == '\'') ? *s : '\0';

    if (quote)
        r++;
    for (; *r && *r != quote; r++) {
        if (*r == '\\' && quote == '"' && r[1])
            r++;
        *w++ = *r;
    }
    *w = '\0';
}

static void collect_os(struct cb_context *ctx, const struct utsname *u)
{
    static const char *const paths[] = { "/etc/os-release",
                                         "/usr/lib/os-release" };

    char raw[RAW_MAX];

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (read_field(paths[i], "PRETTY_NAME", '=', raw, sizeof raw) == 0) {
            unquote(raw);
            copy_str(ctx->os, sizeof ctx->os, raw);
            if (ctx->os[0])
                return;
        }
    }
    copy_str(ctx->os, sizeof ctx->os, u ? u->sysname : unknown);
}

static void collect_cpu_model(struct cb_context *ctx)
{
    /* x86 says "model name"; ARM, MIPS and older kernels use the others. */
    static const char *const keys[] = { "model name", "Hardware",
                                        "cpu model", "Processor" };

    char raw[RAW_MAX];

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (read_field("/proc/cpuinfo", keys[i], ':', raw, sizeof raw) == 0 && raw[0]) {
            copy_str(ctx->cpu_model, sizeof ctx->cpu_model, raw);
            return;
        }
    }
    copy_str(ctx->cpu_model, sizeof ctx->cpu_model, unknown);
}

static void collect_date(struct cb_context *ctx)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == (time_t)-1 || !gmtime_r(&now, &tm) ||
        strftime(ctx->date, sizeof ctx->date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        copy_str(ctx->date, sizeof ctx->date, unknown);
}

static void collect_hostname(struct cb_context *ctx)
{
    char name[sizeof ctx->hostname + 1];

    /* POSIX leaves termination unspecified when the name is truncated. */
    name[sizeof name - 1] = '\0';
    if (gethostname(name, sizeof name - 1) != 0 || !name[0])
        copy_str(ctx->hostname, sizeof ctx->hostname, unknown);
    else
        copy_str(ctx->hostname, sizeof ctx->hostname, name);
}

static void collect_uname(struct cb_context *ctx)
{
    struct utsname u;
    bool ok = uname(&u) == 0;

    copy_str(ctx->kernel, sizeof ctx->kernel, ok ? u.release : unknown);
    copy_str(ctx->arch, sizeof ctx->arch, ok ? u.machine : unknown);
    collect_os(ctx, ok ? &u : NULL);
}

static void collect_numbers(struct cb_context *ctx)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    double la[3];
    int got = getloadavg(la, 3);

    ctx->logical_cpus = online > 0 ? online : -1;
    ctx->usable_cpus = cb_context_usable_cpus();
    /* memory_bytes is unsigned: 0 stands for unknown. */
    ctx->memory_bytes = pages > 0 && page_size > 0
                            ? (uint64_t)pages * (uint64_t)page_size
                            : 0;
    for (int i = 0; i < 3; i++)
        ctx->load_avg[i] = i < got ? la[i] : -1.0;
}

/* Characters a POSIX shell never treats specially in a word. */
static bool needs_quotes(const char *s)
{
    if (!*s)
        return true;
    for (; *s; s++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_@%+=:,./-", *s))
            return true;
    }
    return false;
}

/* Writes arg, quoted if needed, at out (when out is not NULL); returns the
 * number of bytes it takes, so one function both sizes and fills. */
static size_t quote_arg(const char *arg, char *out)
{
    size_t n = 0;

    if (!needs_quotes(arg)) {
        n = strlen(arg);
        if (out)
            memcpy(out, arg, n);
        return n;
    }
    for (const char *p = arg; *p; p++)
        n += *p == '\'' ? 4 : 1;
    if (out) {
        char *w = out;

        *w++ = '\'';
        for (const char *p = arg; *p; p++) {
            if (*p == '\'') {
                memcpy(w, "'\\''", 4);
                w += 4;
            } else {
                *w++ = *p;
            }
        }
        *w = '\'';
    }
    return n + 2;
}

static char *join_command(int argc, char **argv)
{
    size_t len = 1;
    char *cmd;
    char *w;

    for (int i = 0; i < argc; i++)
        len += quote_arg(argv[i], NULL) + (i > 0);
    cmd = malloc(len);
    if (!cmd)
        return NULL;
    w = cmd;
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            *w++ = ' ';
        w += quote_arg(argv[i], w);
    }
    *w = '\0';
    return cmd;
}

/* The --context pairs, escaped: keys and values are bytes from argv. */
static int escape_user(struct cb_context *ctx, const struct cb_config *cfg)
{
    struct cb_kv *kv = calloc(cfg->ncontext + 1, sizeof *kv);

    if (!kv)
        return -1;
    ctx->user = ctx->user_owned = kv;
    for (size_t i = 0; i < cfg->ncontext; i++) {
        char *key = strndup(cfg->context[i].key, cfg->context[i].key_len);
        char *ekey = key ? cb_utf8_escape_dup(key) : NULL;
        char *evalue = cb_utf8_escape_dup(cfg->context[i].value);

        free(key);
        if (!ekey || !evalue) {
            free(ekey);
            free(evalue);
            return -1;
        }
        kv[i] = (struct cb_kv){ ekey, strlen(ekey), evalue };
        ctx->nuser = i + 1;
    }
    return 0;
}

int cb_context_collect(struct cb_context *ctx, int argc, char **argv,
                       const struct cb_config *cfg, struct cb_error *err)
{
    char *joined;

    memset(ctx, 0, sizeof *ctx);
    joined = join_command(argv ? argc : 0, argv);
    ctx->command = joined ? cb_utf8_escape_dup(joined) : NULL;
    free(joined);
    if (!ctx->command || (cfg && escape_user(ctx, cfg) != 0)) {
        cb_context_free(ctx);
        cb_error_set(err, "context: out of memory copying the command line");
        return -1;
    }
    collect_date(ctx);
    collect_hostname(ctx);
    collect_uname(ctx);
    collect_cpu_model(ctx);
    collect_numbers(ctx);
    cb_sysstate_collect(NULL, &ctx->state);
    return 0;
}

void cb_context_free(struct cb_context *ctx)
{
    if (!ctx)
        return;
    free(ctx->command);
    ctx->command = NULL;
    for (size_t i = 0; ctx->user_owned && i < ctx->nuser; i++) {
        /* Allocated just above as char *; the struct holds them const. */
        free((char *)(uintptr_t)ctx->user_owned[i].key);
        free((char *)(uintptr_t)ctx->user_owned[i].value);
    }
    free(ctx->user_owned);
    ctx->user_owned = NULL;
    ctx->user = NULL;
    ctx->nuser = 0;
}
