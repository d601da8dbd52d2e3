/* A grid of text cells rendered as an aligned text table or a markdown
 * table; shared by the compare and report renderers. Internal. */
#ifndef CONCBENCH_GRID_H
#define CONCBENCH_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define CB_GRID_CELL 128    /* bytes per cell, NUL included */
#define CB_GRID_MAX_COLS 72

/* Row 0 is the header. Callers fill cells with cb_grid_put() and count
 * the rows they use in nrows. */
struct cb_grid {
    char (*cell)[CB_GRID_CELL];
    size_t nrows, ncols;
};

/* Allocates room for rows x cols empty cells; nrows starts at 0. Returns
 * 0, or -1 when out of memory or cols exceeds CB_GRID_MAX_COLS. */
int cb_grid_init(struct cb_grid *g, size_t rows, size_t cols);

/* Copies s into cell (r, c), truncated to fit: control characters become
 * '?', and for markdown a backslash goes before what markdown would read
 * as syntax, so no text from a file can break the table. Can't fail. */
void cb_grid_put(struct cb_grid *g, size_t r, size_t c, const char *s, bool md);

/* Appends rows 0..nrows-1, columns padded to their widest cell by
 * display width: markdown with a rule under the header, or text with two
 * spaces between columns and no trailing blanks. Can't fail (sb records
 * allocation failure). */
void cb_grid_render(struct cb_strbuf *sb, const struct cb_grid *g, bool md);

/* Frees the cells; a zeroed grid is accepted. */
void cb_grid_free(struct cb_grid *g);

#endif
