/* `concbench compare` and `run --compare-to` through the built binary:
 * exit codes, one-line errors naming the file, and the outputs. */
#include "cb_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA CB_SOURCE_DIR "/tests/data/"

static char dir[] = "/tmp/cb_test_compare_XXXXXX";
static char out[8192 * 16], err[8192];

static void slurp(const char *name, char *buf, size_t len)
{
    char path[256];
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs concbench with args (a shell fragment); returns its exit status. */
static int run(const char *args)
{
    char cmd[2048];
    int st;

    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s </dev/null >out 2>err", dir, CB_BINARY, args);
    st = system(cmd);
    assert_true(WIFEXITED(st));
    slurp("out", out, sizeof out);
    slurp("err", err, sizeof err);
    return WEXITSTATUS(st);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(run("compare " DATA "base.json " DATA "same.json"), 0);
    assert_int_equal(run("compare " DATA "base.json " DATA "slower.json"), 1);
    assert_int_equal(run("compare " DATA "base.json " DATA "slower.json --fail-on=never"), 0);
    assert_int_equal(run("compare " DATA "base.json " DATA "faster.json"), 0);
    assert_int_equal(run("compare " DATA "base.json " DATA "few.json"), 0);
    assert_int_equal(run("compare " DATA "base.json " DATA "few.json --fail-on=inconclusive"), 1);
    assert_int_equal(run("compare --help"), 0);
    assert_non_null(strstr(out, "Usage: concbench compare"));
}

static void expect_usage(const char *args, const char *words)
{
    assert_int_equal(run(args), 2);
    if (!strstr(err, words) || strchr(err, '\n') != err + strlen(err) - 1)
        fail_msg("%s: stderr \"%s\", want one line with \"%s\"", args, err, words);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_usage("compare " DATA "base.json " DATA "bad/truncated.json",
                 DATA "bad/truncated.json: truncated JSON");
    expect_usage("compare " DATA "bad/schema2.json " DATA "base.json",
                 DATA "bad/schema2.json: schema_version");
    expect_usage("compare nothere.json " DATA "base.json", "nothere.json: cannot open");
    expect_usage("compare " DATA "base.json " DATA "bad/deep.json", "nests deeper");
    expect_usage("compare " DATA "base.json", "needs two result files");
    expect_usage("compare a b --alpha=2", "--alpha: '2' is not accepted");
    expect_usage("compare a b --bogus", "unknown option '--bogus'");
    expect_usage("--compare-to=" DATA "bad/notjson.json -t cpu -n 1 -r 1 -m threads",
                 "notjson.json: not JSON");
}

static void test_json_output(void **state)
{
    cJSON *root, *rows;

    (void)state;
    assert_int_equal(run("compare -f json " DATA "base.json " DATA "slower.json"), 1);
    root = cJSON_Parse(out);
    assert_non_null(root);
    rows = cJSON_GetObjectItem(root, "benchmarks");
    assert_int_equal(cJSON_GetArraySize(rows), 5);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "verdict")->valuestring,
                        "slower");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "failed")));
    cJSON_Delete(root);
    /* -o writes the file, stdout stays empty; not a tty: json. */
    assert_int_equal(run("compare " DATA "base.json " DATA "same.json -o cmp.json"), 0);
    assert_string_equal(out, "");
    slurp("cmp.json", out, sizeof out);
    root = cJSON_Parse(out);
    assert_non_null(root);
    cJSON_Delete(root);
    assert_int_equal(run("compare -f markdown " DATA "base.json " DATA "other-host.json"), 0);
    assert_non_null(strstr(out, "| hostname"));
}

static void test_run_compare_to(void **state)
{
    cJSON *root;

    (void)state;
    assert_int_equal(run("-t cpu -m threads,processes,serial -n 1 -r 6 --iterations=20k "
                         "-q -o base.json"), 0);
    /* Against itself a run may drift either way on a busy machine; what
     * matters is the table on stderr and an exit of 0 or 1, never 2. */
    assert_true(run("-t cpu -m threads,processes,serial -n 1 -r 6 --iterations=20k -q "
                    "--compare-to=base.json") <= 1);
    assert_non_null(strstr(err, "concbench compare: BASE base.json"));
    assert_non_null(strstr(err, "cpu/threads/1"));
    root = cJSON_Parse(out);
    assert_non_null(root); /* the results still own stdout */
    cJSON_Delete(root);
    /* Other parameters are not a slowdown but a different benchmark; with
     * nothing of BASE compared, the gate fails rather than pass on nothing. */
    assert_int_equal(run("-t cpu -m threads -n 1 -r 6 --iterations=80k -q "
                         "--compare-to=base.json -o new.json"), 1);
    assert_non_null(strstr(err, "not comparable: iterations: 20000 vs 80000"));
    assert_non_null(strstr(err, "cpu/serial/1: only in BASE"));
    assert_non_null(strstr(err, "FAIL (--fail-on=slower): nothing was compared"));
    /* A run of part of BASE's suite leaves the rest unjudged: 1. */
    assert_int_equal(run("-t cpu -m threads -n 1 -r 6 --iterations=20k -q "
                         "--compare-to=base.json -o new.json"), 1);
    assert_non_null(strstr(err, "2 only in BASE, 0 only in NEW; 1 of 3 BASE benchmarks "
                                "compared: FAIL"));
}

/* The new tasks and their parameters through compare: lost updates
 * (--lock=none) are not a failure, an address-space task compares with
 * itself, and --cow-touch or --lock tell benchmarks apart. */
static void test_new_tasks(void **state)
{
    (void)state;
    assert_int_equal(run("-t lock --lock=none --start=barrier -m threads,processes -n 2 -r 5 "
                         "-w 0 --iterations=100k -q -o lost.json"), 0);
    assert_int_equal(run("compare lost.json lost.json --fail-on=slower -f table"), 0);
    assert_non_null(strstr(out, "0 failed"));
    assert_int_equal(run("-t lock --lock=mutex -m threads -n 2 -r 5 -w 0 --iterations=100k "
                         "-q -o locked.json"), 0);
    assert_int_equal(run("compare lost.json locked.json -f table"), 1);
    assert_non_null(strstr(out, "lock/threads/2: not comparable"));
    assert_int_equal(run("-t tlb,switch -m threads,processes -n 2 -r 5 -w 0 "
                         "--iterations=200 -q -o as.json"), 0);
    assert_int_equal(run("compare as.json as.json -f table"), 0);
    assert_non_null(strstr(out, "4 of 4 BASE benchmarks compared"));
    assert_int_equal(run("-t cpu --iterations=1k -m processes -n 2 -r 5 -w 0 "
                         "--parent-memory=1MiB -q -o cow0.json"), 0);
    assert_int_equal(run("-t cpu --iterations=1k -m processes -n 2 -r 5 -w 0 "
                         "--parent-memory=1MiB --cow-touch=0.5 -q -o cow5.json"), 0);
    assert_int_equal(run("compare cow0.json cow5.json -f table"), 1);
    assert_non_null(strstr(out, "cpu/processes/2: not comparable"));
    assert_non_null(strstr(out, "cow_touch"));
}

/* Writes text to name in dir. */
/* Writes the result file from without its noise floor, as an older
 * concbench wrote it. */
static void strip_floor(const char *from, const char *to)
{
    char path[256], *text;
    cJSON *root;
    FILE *f;

    slurp(from, out, sizeof out);
    root = cJSON_Parse(out);
    assert_non_null(root);
    cJSON_DeleteItemFromObject(root, "noise_floor");
    for (cJSON *b = cJSON_GetObjectItem(root, "benchmarks")->child; b; b = b->next)
        for (cJSON *s = cJSON_GetObjectItem(b, "samples")->child; s; s = s->next)
            cJSON_DeleteItemFromObject(s, "floor_s");
    text = cJSON_Print(root);
    snprintf(path, sizeof path, "%s/%s", dir, to);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    cJSON_Delete(root);
}

/* --per-floor on two real runs: every row divided by its rounds' floor,
 * the work check in the JSON; an old file without floors is noted. */
static void test_per_floor(void **state)
{
    cJSON *root, *rows;

    (void)state;
    assert_int_equal(run("-t cpu,io -m threads -n 1 -r 5 -w 0 --iterations=2M --sleep=1ms "
                         "-q -o f1.json"), 0);
    assert_int_equal(run("-t cpu,io -m threads -n 1 -r 5 -w 0 --iterations=2M --sleep=1ms "
                         "-q -o f2.json"), 0);
    assert_true(run("compare f1.json f2.json --per-floor -f json") <= 1);
    root = cJSON_Parse(out);
    assert_non_null(root);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "options"),
                                                 "per_floor")));
    rows = cJSON_GetObjectItem(root, "benchmarks");
    assert_int_equal(cJSON_GetArraySize(rows), 2);
    for (cJSON *r = rows->child; r; r = r->next) {
        const char *name = cJSON_GetObjectItem(r, "name")->valuestring;

        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "per_floor")));
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r, "base_median")));
        /* The work check runs on the CPU-bound task only. */
        assert_true(strcmp(name, "cpu/threads/1") == 0
                        ? cJSON_IsString(cJSON_GetObjectItem(r, "work_check"))
                        : cJSON_IsNull(cJSON_GetObjectItem(r, "work_check")));
    }
    cJSON_Delete(root);
    strip_floor("f1.json", "old.json");
    assert_true(run("compare old.json f2.json --per-floor -f json") <= 1);
    assert_non_null(strstr(out, "old.json has no floor_s in some samples"));
    /* Asked for in the options, done in no row. */
    assert_non_null(strstr(out, "\"per_floor\":\ttrue"));
    assert_null(strstr(strstr(out, "\"per_floor\":\ttrue") + 1, "\"per_floor\":\ttrue"));
    assert_int_equal(run("compare f1.json f2.json --per-floor --metric=spawn"), 2);
    assert_non_null(strstr(err, "--per-floor: only with --metric=wall"));
    assert_true(strchr(err, '\n') == err + strlen(err) - 1); /* one line */
}

/* The cpu row's cpu_per_floor in compare's JSON output (out). */
static cJSON *cpu_per_floor(cJSON *root)
{
    cJSON *rows = cJSON_GetObjectItem(root, "benchmarks");

    for (cJSON *r = rows ? rows->child : NULL; r; r = r->next)
        if (strcmp(cJSON_GetObjectItem(r, "name")->valuestring, "cpu/threads/1") == 0)
            return cJSON_GetObjectItem(r, "cpu_per_floor");
    return NULL;
}

/* Each sample records the floor's CPU time; --cpu-floor has the work
 * check divide by it, the default does not. */
static void test_cpu_floor(void **state)
{
    cJSON *root, *s;

    (void)state;
    assert_int_equal(run("-t cpu,io -m threads -n 1 -r 5 -w 0 --iterations=2M --sleep=1ms "
                         "-q -o g1.json"), 0);
    assert_int_equal(run("-t cpu,io -m threads -n 1 -r 5 -w 0 --iterations=2M --sleep=1ms "
                         "-q -o g2.json"), 0);
    slurp("g1.json", out, sizeof out);
    root = cJSON_Parse(out);
    assert_non_null(root);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
        cJSON_GetObjectItem(root, "benchmarks"), 0), "samples"), 0);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(s, "floor_cpu_s")) > 0);
    cJSON_Delete(root);
    assert_true(run("compare g1.json g2.json -f json") <= 1);
    root = cJSON_Parse(out);
    assert_non_null(root);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "options"),
                                                  "cpu_floor")));
    assert_true(cJSON_IsFalse(cpu_per_floor(root)));
    cJSON_Delete(root);
    assert_true(run("compare g1.json g2.json --cpu-floor -f json") <= 1);
    root = cJSON_Parse(out);
    assert_non_null(root);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "options"),
                                                 "cpu_floor")));
    assert_true(cJSON_IsTrue(cpu_per_floor(root)));
    cJSON_Delete(root);
    assert_int_equal(run("compare g1.json g2.json --cpu-floor --wall-only"), 2);
    assert_non_null(strstr(err, "--cpu-floor"));
    assert_true(strchr(err, '\n') == err + strlen(err) - 1); /* one line */
}

static void put(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Valid files that leave BASE unjudged: exit 1 (not 2), with the reason
 * in the summary line; --allow-missing passes only what was compared. */
static void test_gate(void **state)
{
    (void)state;
    assert_int_equal(run("compare -f table " DATA "base.json " DATA "params.json"), 1);
    assert_non_null(strstr(out, "1 not comparable, 1 only in BASE, 1 only in NEW; "
                                "3 of 5 BASE benchmarks compared: FAIL (--fail-on=slower): "
                                "2 of 5 BASE benchmarks have no comparable counterpart"));
    assert_string_equal(err, "");
    assert_int_equal(run("compare -f table " DATA "base.json " DATA "params.json "
                         "--allow-missing"), 0);
    assert_non_null(strstr(out, "pass (--fail-on=slower, --allow-missing)"));
    assert_int_equal(run("compare " DATA "base.json " DATA "params.json --fail-on=never"), 0);
    put("empty.json", "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
                      "\"context\":{},\"benchmarks\":[]}\n");
    assert_int_equal(run("compare -f table " DATA "base.json empty.json"), 1);
    assert_non_null(strstr(out, "nothing was compared (5 in BASE, 0 in NEW)"));
    assert_int_equal(run("compare " DATA "base.json empty.json --allow-missing"), 1);
    assert_int_equal(run("compare " DATA "base.json empty.json --fail-on=inconclusive"), 1);
    /* A failure in BASE alone leaves no gap NEW could fill. */
    assert_int_equal(run("compare " DATA "failed.json " DATA "base.json"), 0);
}

static void test_bmf(void **state)
{
    cJSON *root, *b;

    (void)state;
    assert_int_equal(run("-t cpu -m threads -n 1 -r 3 --iterations=10k -q -f bmf"), 0);
    root = cJSON_Parse(out);
    assert_non_null(root);
    b = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "cpu/threads/1"), "latency");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(b, "value")));
    assert_true(cJSON_GetObjectItem(b, "lower_value")->valuedouble <=
                cJSON_GetObjectItem(b, "value")->valuedouble);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "cpu/threads/1"), "gil-wait"));
    cJSON_Delete(root);
    /* The claims' measures, in bytes and nanoseconds, when measured. */
    assert_int_equal(run("-t cpu -m processes -n 2 -r 3 --iterations=10k -q -f bmf "
                         "--gil --payload=64KiB --worker-memory=1MiB"), 0);
    root = cJSON_Parse(out);
    assert_non_null(root);
    b = cJSON_GetObjectItem(root, "cpu/processes/2");
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "memory-per-worker"),
                                    "value")->valuedouble >= 1 << 20);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "handoff-latency"),
                                    "value")->valuedouble > 0);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "gil-wait"),
                                                   "value")));
    cJSON_Delete(root);
    assert_int_equal(run("-t cpu -m threads -n 1 -r 3 --iterations=10k -q "
                         "-f github-action-benchmark"), 0);
    root = cJSON_Parse(out);
    assert_true(cJSON_IsArray(root));
    b = cJSON_GetArrayItem(root, 0);
    assert_string_equal(cJSON_GetObjectItem(b, "name")->valuestring, "cpu/threads/1");
    assert_string_equal(cJSON_GetObjectItem(b, "unit")->valuestring, "ns");
    assert_true(cJSON_IsString(cJSON_GetObjectItem(b, "range")));
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_run_compare_to),
        cmocka_unit_test(test_per_floor),
        cmocka_unit_test(test_cpu_floor),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_bmf),
        cmocka_unit_test(test_new_tasks),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
