/* Writing a report to stdout or, atomically, to a file. */
#ifndef CONCBENCH_OUTPUT_H
#define CONCBENCH_OUTPUT_H

#include <stddef.h>

#include "concbench/error.h"

/* Writes data[0..len) to path, or to stdout when path is NULL or "-".
 * A file is written to a temporary file in the same directory, flushed
 * and renamed over path: an existing file is replaced whole or left as it
 * was. Returns 0, or -1 with err naming the file (no temporary file is
 * left behind). Keeps the interrupt handler (concbench/interrupt.h) told
 * where the output stands at every instant: the temporary file to remove,
 * then written or not. */
int cb_output_write(const char *path, const char *data, size_t len,
                    struct cb_error *err);

/* Checks, before a run, that path can be written: a device or FIFO is
 * writable, otherwise the temporary file can be created (and is removed
 * at once) in its directory. Returns 0, or -1 with err naming the file. */
int cb_output_check(const char *path, struct cb_error *err);

#endif
