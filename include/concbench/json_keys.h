/* The keys of a result file (DESIGN.md, "Output contract") that a reader
 * looks up: the writer (report_json.c, report_state.c), the loader
 * (load.c) and compare name them only through these, so a key cannot
 * drift between the file and its readers. Keys only the writer uses stay
 * at their one place of use; option keys come from the option tables
 * (options.h, each task's cb_param_desc). schema_version 1: never rename. */
#ifndef CONCBENCH_JSON_KEYS_H
#define CONCBENCH_JSON_KEYS_H

/* The top level. */
#define CB_KEY_SCHEMA_VERSION "schema_version"
#define CB_KEY_TOOL "tool"
#define CB_KEY_CONTEXT "context"
#define CB_KEY_BENCHMARKS "benchmarks"

/* tool */
#define CB_KEY_NAME "name"                /* also a benchmark's name */
#define CB_KEY_VERSION "version"
#define CB_KEY_BUILD_TYPE "build_type"
#define CB_JSON_TOOL_NAME "concbench"     /* tool.name's value in every result */

/* context */
#define CB_KEY_DATE "date"
#define CB_KEY_HOSTNAME "hostname"
#define CB_KEY_OS "os"
#define CB_KEY_KERNEL "kernel"
#define CB_KEY_ARCH "arch"
#define CB_KEY_CPU_MODEL "cpu_model"
#define CB_KEY_LOGICAL_CPUS "logical_cpus"
#define CB_KEY_USABLE_CPUS "usable_cpus"
#define CB_KEY_STATE "state"

/* context.state (the machine state) */
#define CB_KEY_GOVERNOR "governor"
#define CB_KEY_TURBO "turbo"
#define CB_KEY_THP "transparent_hugepages"
#define CB_KEY_CPU_QUOTA "cpu_quota"
#define CB_KEY_BUILD "build"
#define CB_KEY_SANITIZERS "sanitizers"    /* in state.build */
#define CB_KEY_PROBLEMS "problems"
#define CB_KEY_CHECK "check"              /* in each problems[] item */

/* benchmarks[] */
#define CB_KEY_TASK "task"
#define CB_KEY_MODE "mode"
#define CB_KEY_STATUS "status"            /* also each worker's */
#define CB_KEY_WORKERS "workers"          /* a count here, in a sample the array */
#define CB_KEY_PARAMS "params"
#define CB_KEY_SAMPLES "samples"
#define CB_KEY_MEMORY_PER_WORKER_KIB "memory_per_worker_kib" /* statistics */
#define CB_KEY_PER_OP_S "per_op_s"         /* statistics: a job's run / its ops */
#define CB_KEY_OPS_PER_S "ops_per_s"       /* a number: 1 / per_op_s median */
#define CB_KEY_LOST_UPDATES "lost_updates" /* --lock=none: per sample, statistics */
#define CB_KEY_HANDOFF_S "handoff_s"      /* statistics here; a worker's number */
#define CB_KEY_GIL_WAIT_S "gil_wait_s"    /* statistics here; a worker's number */
#define CB_KEY_MEDIAN "median"            /* in every statistics object */

/* benchmarks[].samples[] (wall_s and spawn_s: statistics in a benchmark) */
#define CB_KEY_WALL_S "wall_s"
#define CB_KEY_CPU_S "cpu_s"
#define CB_KEY_USER_S "user_s"
#define CB_KEY_SYS_S "sys_s"
#define CB_KEY_MEMORY "memory"
#define CB_KEY_PER_WORKER_KIB "per_worker_kib" /* in a sample's memory */
#define CB_KEY_SPAWN_S "spawn_s"          /* each worker's and unit's */

#endif
