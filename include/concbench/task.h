/* The work one worker does. One file per task under src/tasks/. */
#ifndef CONCBENCH_TASK_H
#define CONCBENCH_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/params.h"

/* Calls a task makes so a runner can interpose (e.g. an emulated global
 * lock). Any function pointer may be NULL. */
struct cb_hooks {
    void (*checkpoint)(void *arg);  /* every few microseconds of CPU work */
    void (*block_begin)(void *arg); /* before a blocking call */
    void (*block_end)(void *arg);   /* after it returns */
    void *arg;
};

/* A task. Tasks are static and immutable. */
struct cb_task {
    const char *name;        /* "cpu", "io", "fib": the --task value */
    const char *description; /* one line, shown by `concbench list` */
    bool cpu_bound;
    /* The parameters this task reads, ending with a NULL flag. */
    const struct cb_param_desc *params;
    /* Checks p; on error fills err with one line and returns -1. */
    int (*check)(const struct cb_params *p, struct cb_error *err);
    /* Does the work; returns the checksum the parent verifies. hooks may
     * be NULL. Never fails once check() accepted p. */
    uint64_t (*run)(const struct cb_params *p, const struct cb_hooks *hooks);
    /* The checksum a correct run returns. Can't fail. */
    uint64_t (*expected)(const struct cb_params *p);
};

/* Every task, ending with NULL. */
extern const struct cb_task *const cb_tasks[];

/* Returns the task named name, or NULL if there is none. Can't fail. */
const struct cb_task *cb_task_find(const char *name);

/* Checks p against the ranges of the task's parameter descriptions and
 * then task->check(). Returns 0, or -1 with err naming the flag. */
int cb_task_check(const struct cb_task *task, const struct cb_params *p,
                  struct cb_error *err);

/* The tasks themselves (src/tasks/). */
extern const struct cb_task cb_task_cpu;
extern const struct cb_task cb_task_io;
extern const struct cb_task cb_task_fib;

/* Calls hooks->checkpoint if there is one. Inline: used in hot loops. */
static inline void cb_hooks_checkpoint(const struct cb_hooks *h)
{
    if (h && h->checkpoint)
        h->checkpoint(h->arg);
}

#endif
