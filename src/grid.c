#include "grid.h"

#include <stdlib.h>
#include <string.h>

int cb_grid_init(struct cb_grid *g, size_t rows, size_t cols)
{
    g->nrows = 0;
    g->ncols = cols;
    g->cell = cols <= CB_GRID_MAX_COLS ? calloc((rows + 1) * cols, sizeof *g->cell) : NULL;
    return g->cell ? 0 : -1;
}

void cb_grid_put(struct cb_grid *g, size_t r, size_t c, const char *s, bool md)
{
    char *dst = g->cell[r * g->ncols + c];
    size_t j = 0;

    for (; *s && j + 2 < CB_GRID_CELL; s++) {
        if (md && strchr("\\|*_`<>[]", *s))
            dst[j++] = '\\';
        dst[j++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    }
    dst[j] = '\0';
}

static void render_row(struct cb_strbuf *sb, const struct cb_grid *g, size_t r,
                       const size_t *w, bool md)
{
    char (*row)[CB_GRID_CELL] = g->cell + r * g->ncols;
    size_t n = g->ncols;

    /* A text row stops at its last filled cell: no trailing blanks. */
    while (!md && n > 1 && row[n - 1][0] == '\0')
        n--;
    for (size_t c = 0; c < n; c++) {
        bool last = c + 1 == n;

        cb_strbuf_puts(sb, md ? "| " : c ? "  " : "");
        cb_strbuf_puts(sb, row[c]);
        if (md || !last)
            cb_strbuf_repeat(sb, ' ', w[c] - cb_strbuf_width(row[c]));
        cb_strbuf_puts(sb, md ? (last ? " |\n" : " ") : (last ? "\n" : ""));
    }
}

void cb_grid_render(struct cb_strbuf *sb, const struct cb_grid *g, bool md)
{
    size_t w[CB_GRID_MAX_COLS] = { 0 };

    for (size_t i = 0; i < g->nrows * g->ncols; i++) {
        size_t cw = cb_strbuf_width(g->cell[i]);

        if (cw > w[i % g->ncols])
            w[i % g->ncols] = cw;
    }
    for (size_t r = 0; r < g->nrows; r++) {
        render_row(sb, g, r, w, md);
        for (size_t c = 0; md && r == 0 && c < g->ncols; c++) {
            cb_strbuf_puts(sb, "| ");
            cb_strbuf_repeat(sb, '-', w[c] ? w[c] : 1);
            cb_strbuf_puts(sb, c + 1 == g->ncols ? " |\n" : " ");
        }
    }
}

void cb_grid_free(struct cb_grid *g)
{
    free(g->cell);
    g->cell = NULL;
}
