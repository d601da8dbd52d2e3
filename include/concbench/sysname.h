/* The symbolic names of signal numbers and errno values. */
#ifndef CONCBENCH_SYSNAME_H
#define CONCBENCH_SYSNAME_H

/* Returns "SIGSEGV" etc. for a signal number, or NULL. Can't fail. */
const char *cb_sysname_signal(int sig);

/* Returns a name for an errno value ("EAGAIN"), or NULL if unknown. Can't
 * fail. */
const char *cb_sysname_errno(int errnum);

#endif
