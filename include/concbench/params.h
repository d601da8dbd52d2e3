/* Options described by tables: one line per option, read alike by the
 * CLI, --help, `concbench list`, the JSON writer, the loader and compare.
 * A task's own options are lines of its table (struct cb_task.params);
 * the executor- and run-scope options are the lines of cb_options[]
 * (options.h). */
#ifndef CONCBENCH_PARAMS_H
#define CONCBENCH_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cb_executor;

struct cb_params {
    uint64_t iterations; /* cpu, lock: steps of the counting loop */
    uint64_t sleep_ns;   /* io: how long each worker sleeps */
    uint64_t fib_n;      /* fib: which Fibonacci number to compute */
    uint32_t lock;       /* lock: enum cb_lock_kind (--lock) */
    /* The address-space tasks fault, malloc and tlb. */
    uint64_t region_bytes;   /* fault: bytes each job maps per iteration */
    uint64_t block_bytes;    /* malloc: largest block */
    uint64_t mmap_threshold; /* malloc: M_MMAP_THRESHOLD, in bytes */
    uint64_t tlb_pages;      /* tlb: pages each job writes and releases */
    /* switch and msg (src/tasks/switch.c, src/tasks/msg.c) */
    uint32_t switch_channel;   /* switch: enum cb_switch_channel */
    uint32_t switch_placement; /* switch: enum cb_switch_placement */
    uint32_t msg_channel;      /* msg: enum cb_msg_channel (processes) */
    uint64_t message;          /* msg: bytes per message */
};

/* --switch-channel: what carries the switch task's token. */
enum cb_switch_channel {
    CB_SWITCH_PIPE,  /* two pipes per pair, 8 bytes each way */
    CB_SWITCH_FUTEX, /* one futex word per pair */
};

/* --switch-placement: where a pair's two ends run. */
enum cb_switch_placement {
    CB_PLACE_SAME,  /* both on one CPU */
    CB_PLACE_SPLIT, /* on two CPUs */
};

/* --msg-channel: how a process sends the msg task's messages. */
enum cb_msg_channel {
    CB_MSG_PIPE,   /* one pipe every job writes to */
    CB_MSG_SOCKET, /* one AF_UNIX SOCK_SEQPACKET socket pair */
    CB_MSG_SHM,    /* a ring in MAP_SHARED memory */
};

/* --lock: how the lock task guards its counter. */
enum cb_lock_kind {
    CB_LOCK_MUTEX,     /* pthread_mutex_t */
    CB_LOCK_SPIN,      /* test-and-test-and-set on an atomic, yielding */
    CB_LOCK_SEMAPHORE, /* sem_t with a count of 1 */
    CB_LOCK_NONE,      /* no lock: a separate load and store, racing */
};

/* "mutex", "spin", "semaphore", "none"; NULL past the last kind. Can't fail. */
const char *cb_lock_name(size_t kind);

enum cb_param_kind {
    CB_PARAM_COUNT,    /* a plain integer; k, M, G multiply by 1000 */
    CB_PARAM_DURATION, /* nanoseconds; given with a unit, written in seconds */
    CB_PARAM_SIZE,     /* bytes; given with B, KiB, MB..., written in bytes */
    CB_PARAM_CHOICE,   /* an index into choice(); given and written by name */
    CB_PARAM_FLAG,     /* takes no value: given means 1 */
    CB_PARAM_SHAPE,    /* "PxT": P << 32 | T, each 1 to max; 0: none given;
                          written as the text "PxT" */
    CB_PARAM_FRACTION, /* parts of CB_FRACTION_ONE; given as 0.25 or 25%,
                          written as a number 0 to 1 */
};

/* A CB_PARAM_FRACTION value of 1 (the whole): parts per million. */
#define CB_FRACTION_ONE UINT64_C(1000000)

/* A CB_PARAM_SHAPE value's two halves. Can't fail. */
static inline uint32_t cb_shape_p(uint64_t v) { return (uint32_t)(v >> 32); }
static inline uint32_t cb_shape_t(uint64_t v) { return (uint32_t)v; }

/* Whose option it is, and so which struct holds its value. */
enum cb_param_scope {
    CB_SCOPE_TASK,     /* what a task reads: a member of struct cb_params */
    CB_SCOPE_EXECUTOR, /* how workers run: a member of struct cb_run_opts */
    CB_SCOPE_RUN,      /* the run as a whole: a member of struct cb_config
                          (offset) and of struct cb_cell (cell_offset) */
};

/* Where the JSON writer puts a value in each benchmark object (bits). */
enum cb_param_json {
    CB_JSON_NONE = 0,
    CB_JSON_PARAMS = 1, /* in "params" (numbers only; a flag is 1) */
    CB_JSON_BESIDE = 2, /* beside "params" (a flag is true) */
};

/* The --help section of an executor- or run-scope option; task options
 * are listed under "Task parameters". */
enum cb_param_section {
    CB_SECTION_RUN,    /* "What to run" */
    CB_SECTION_CLAIMS, /* "The classic claims" */
    CB_SECTION_LIMITS, /* "Limits" */
};

/* One option: a table line. Tables end with a line whose flag is NULL. */
struct cb_param_desc {
    const char *flag;      /* CLI option without dashes: "iterations" */
    const char *json_name; /* JSON key: "sleep_s"; NULL: not written */
    enum cb_param_kind kind;
    enum cb_param_scope scope;
    size_t offset;         /* of the member in its scope's struct */
    size_t cell_offset;    /* CB_SCOPE_RUN: of the member in struct cb_cell */
    size_t width;          /* sizeof the member: 1, 4 or 8 */
    uint64_t min, max;     /* COUNT, DURATION, SIZE: accepted, inclusive */
    uint64_t def;          /* the default (a task's own, for task lines) */
    const char *(*choice)(size_t i); /* CHOICE: names; NULL past the last */
    const char *const *choice_help;  /* CHOICE: one line per name, for
                                        `concbench list`; NULL: none */
    const char *noun;      /* CHOICE: "'x' is not a NOUN"; NULL: the flag */
    const char *metavar;   /* "KIND"; NULL: N, DURATION or SIZE by kind */
    const char *help;      /* task lines: one line; others: --help text,
                              '\n' between its lines */
    const char *default_help; /* NULL: the default value; "": not shown */
    const char *min_why;   /* SIZE: what needs min ("a thread needs") */
    enum cb_param_section section;
    unsigned json;         /* enum cb_param_json bits */
    bool omit_zero;        /* written only when not 0 */
    const char *requires;  /* written only when the option with this
                              flag is not 0 (--transport: --payload) */
    /* Written only for modes this returns true for; NULL: every mode. */
    bool (*applies)(const struct cb_executor *mode);
    /* compare: benchmarks that differ in it are not comparable. Values
     * in "params" always are; this is for those beside it. */
    bool distinguishes;
};

/* Designated initialisers of offset and width for a member. */
#define CB_PARAM_AT(type, member) \
    .offset = offsetof(type, member), .width = sizeof(((type *)0)->member)

/* Fills p with the defaults: for each member, the default of the first
 * task line that describes it (cb_tasks order); 0 when none does. Can't
 * fail. */
void cb_params_default(struct cb_params *p);

/* Returns the value of the task parameter d describes. Can't fail. */
uint64_t cb_params_get(const struct cb_params *p, const struct cb_param_desc *d);

/* Sets the value of the task parameter d describes. Can't fail. */
void cb_params_set(struct cb_params *p, const struct cb_param_desc *d, uint64_t v);

/* Reads / writes the width-byte member at base + offset as a uint64_t
 * (1: bool or uint8_t; 4: uint32_t or an enum; 8: uint64_t). Can't fail. */
uint64_t cb_param_load(const void *base, size_t offset, size_t width);
void cb_param_store(void *base, size_t offset, size_t width, uint64_t v);

#endif
