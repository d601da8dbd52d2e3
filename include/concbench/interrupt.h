/* SIGINT, SIGTERM and SIGHUP during a run: no child left behind, no output
 * file half-replaced, exit status 128 + signal. */
#ifndef CONCBENCH_INTERRUPT_H
#define CONCBENCH_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"

/* Installs handlers for SIGINT, SIGTERM and SIGHUP. On a signal the
 * handler kills (SIGKILL) and reaps every tracked child, unlinks the
 * tracked temporary file, writes one line to stderr and ends the process
 * with _exit(128 + signal); threads end with it. Returns 0, or -1 with err
 * set. */
int cb_interrupt_install(struct cb_error *err);

/* Tracks pids[0..n) as live children (entries <= 0 are skipped, so a
 * runner zeroes a pid once reaped). pids NULL stops tracking. The array
 * must stay valid until tracking stops. Async-signal-safe. */
void cb_interrupt_track(pid_t *pids, uint32_t n);

/* Updates the number of tracked children. Async-signal-safe. */
void cb_interrupt_track_count(uint32_t n);

/* Defers (true) or lets through again (false) SIGINT, SIGTERM and SIGHUP
 * in the calling thread, so a short section (fork and track the pid) is
 * not interrupted halfway. Can't fail. */
void cb_interrupt_defer(bool defer);

/* Arms a one-shot deadline ns from now (0 disarms). When it passes, every
 * tracked child is killed (SIGKILL) and cb_interrupt_deadline_passed()
 * turns true until the next arming. Can't fail. */
void cb_interrupt_deadline(uint64_t ns);

/* True once the armed deadline has passed. Async-signal-safe. */
bool cb_interrupt_deadline_passed(void);

/* Sets the temporary file the handler removes (NULL: none). The path is
 * copied; paths longer than 4095 bytes are not tracked. */
void cb_interrupt_file(const char *path);

#endif
