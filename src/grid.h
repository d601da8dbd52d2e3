/* A grid of text cells rendered as an aligned text table or a markdown
 * table; shared by the run, compare and report renderers. Internal. */
#ifndef CONCBENCH_GRID_H
#define CONCBENCH_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define CB_GRID_CELL 256    /* bytes per cell, NUL included */
#define CB_GRID_MAX_COLS 72

/* Row 0 is the header. Callers fill cells with cb_grid_put() and count
 * the rows they use in nrows. Columns are left-aligned unless set in
 * right. Text output can colour one column: sgr, when not NULL,
 * holds an ANSI SGR sequence (or NULL) per row for column sgr_col. */
struct cb_grid {
    char (*cell)[CB_GRID_CELL];
    size_t nrows, ncols;
    bool right[CB_GRID_MAX_COLS];
    const char **sgr;
    size_t sgr_col;
};

/* Allocates room for rows x cols empty cells (row 0, the header, comes
 * on top); nrows starts at 0, every column left-aligned, no colour.
 * Returns 0, or -1 when out of memory or cols exceeds CB_GRID_MAX_COLS. */
int cb_grid_init(struct cb_grid *g, size_t rows, size_t cols);

/* Copies s into dst[0..len), truncated to fit: control characters become
 * '?', and for markdown a backslash goes before what markdown would read
 * as syntax, so no text from a file can break a table. Can't fail. */
void cb_grid_escape(char *dst, size_t len, const char *s, bool md);

/* Copies s into cell (r, c) with cb_grid_escape(). Can't fail. */
void cb_grid_put(struct cb_grid *g, size_t r, size_t c, const char *s, bool md);

/* Appends rows 0..nrows-1, columns padded to their widest cell by
 * display width: markdown with a rule under the header (right-aligned
 * columns marked), or text with two spaces between columns, a rule of
 * dashes under the header when rule is set, and no trailing blanks.
 * Can't fail (sb records allocation failure). */
void cb_grid_render(struct cb_strbuf *sb, const struct cb_grid *g, bool md, bool rule);

/* Frees the cells; a zeroed grid is accepted. */
void cb_grid_free(struct cb_grid *g);

#endif
