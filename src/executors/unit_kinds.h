/* The two kinds of unit the executors are made of, for executors that
 * start the same units in another shape (pools): threads (threads.c) and
 * forked processes (processes.c). Each function is the cb_executor
 * operation of the same name; see include/concbench/executor.h. */
#ifndef CONCBENCH_UNIT_KINDS_H
#define CONCBENCH_UNIT_KINDS_H

#include "concbench/executor.h"

int cb_threads_open(struct cb_exec *x, uint32_t units, struct cb_error *err);
void cb_threads_close(struct cb_exec *x);
int cb_threads_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg);
int cb_threads_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                    struct cb_unit_end *end);
int cb_threads_kill(struct cb_exec *x, struct cb_unit *u);

int cb_processes_open(struct cb_exec *x, uint32_t units, struct cb_error *err);
void cb_processes_close(struct cb_exec *x);
int cb_processes_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg);
int cb_processes_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                      struct cb_unit_end *end);
int cb_processes_kill(struct cb_exec *x, struct cb_unit *u);
bool cb_processes_any_ended(struct cb_exec *x);
bool cb_processes_ended(struct cb_exec *x, const struct cb_unit *u);

/* The traits and operations every executor made of forked processes
 * shares, as designated initialisers for its struct cb_executor. */
#define CB_PROCESS_UNITS                                                    \
    .separate_memory = true, .concurrent = true, .spawns = true,           \
    .killable = true, .create_call = "fork", .unit_noun = "processes",     \
    .open = cb_processes_open, .close = cb_processes_close,                \
    .start = cb_processes_start, .wait = cb_processes_wait,                \
    .kill = cb_processes_kill, .any_ended = cb_processes_any_ended,        \
    .ended = cb_processes_ended

/* The same for executors made of threads. */
#define CB_THREAD_UNITS                                                     \
    .concurrent = true, .spawns = true, .create_call = "pthread_create",   \
    .unit_noun = "threads", .open = cb_threads_open,                       \
    .close = cb_threads_close, .start = cb_threads_start,                  \
    .wait = cb_threads_wait, .kill = cb_threads_kill

#endif
