/* SIGINT, SIGTERM and SIGHUP during a run: no child left behind, no output
 * file half-replaced, exit status 128 + signal. */
#ifndef CONCBENCH_INTERRUPT_H
#define CONCBENCH_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"

/* Installs handlers for SIGINT, SIGTERM and SIGHUP, for a run. On a
 * signal the handler kills (SIGKILL) and reaps every tracked child,
 * unlinks the tracked temporary file, writes one line to stderr saying
 * what became of the output ("workers stopped, no output written",
 * "output written to FILE", "output to FILE may be incomplete") and ends
 * the process with _exit(128 + signal); threads end with it. SIGXFSZ is
 * ignored, so a file past ulimit -f is a write error. Returns 0, or -1
 * with err set. */
int cb_interrupt_install(struct cb_error *err);

/* The same, for a subcommand that starts no worker (compare, report): the
 * line says only what became of the output. */
int cb_interrupt_install_output(struct cb_error *err);

/* Forks a helper child (the sample server, the noise floor's loop), with
 * SIGINT, SIGTERM and SIGHUP deferred over the fork so that none runs
 * concbench's cleanup in the child. In the child: those and SIGPIPE back
 * to their defaults (it ends as any process would), let through again,
 * and a death signal (SIGKILL) so that it never outlives the parent; a
 * child whose parent has already ended _exits (125) there. SIGALRM keeps
 * the parent's handler: the sample server arms --timeout deadlines of
 * its own. Returns as fork() does (errno kept on failure). */
pid_t cb_interrupt_fork_helper(void);

/* Adds to set every signal whose disposition a unit must not inherit:
 * those concbench handles or ignores (SIGINT, SIGTERM, SIGHUP, SIGALRM,
 * SIGXFSZ) and those a test framework or a sanitizer may catch (the crash
 * signals, SIGQUIT, SIGPIPE). A spawned unit gets them as its defaults
 * (posix_spawnattr_setsigdefault). Can't fail. */
void cb_interrupt_unit_signals(sigset_t *set);

/* In a forked unit: those signals back to their defaults and none
 * blocked, so a crash kills it and no cleanup of the parent's runs in it.
 * Can't fail. */
void cb_interrupt_unit_defaults(void);

/* Tracks pids[0..n) as live children (entries <= 0 are skipped, so a
 * runner zeroes a pid once reaped). pids NULL stops tracking. The array
 * must stay valid until tracking stops. Async-signal-safe. */
void cb_interrupt_track(pid_t *pids, uint32_t n);

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

/* Sets the temporary file the handler removes (NULL: none, and nothing
 * written yet). The path is copied; paths longer than 4095 bytes are not
 * tracked. Call it with the signals deferred (cb_interrupt_defer) between
 * creating the file and this call, so that no signal falls in between. */
void cb_interrupt_file(const char *path);

/* Tells the handler that the output went to name (NULL: stdout): whole,
 * or (whole false) that writing it in place has begun. Forgets the
 * temporary file. The name is copied, escaped (concbench/utf8.h). */
void cb_interrupt_output(const char *name, bool whole);

#endif
