#include "grid.h"

#include <stdlib.h>
#include <string.h>

int cb_grid_init(struct cb_grid *g, size_t rows, size_t cols)
{
    memset(g, 0, sizeof *g);
    g->ncols = cols;
    g->cell = cols <= CB_GRID_MAX_COLS ? calloc((rows + 1) * cols, sizeof *g->cell) : NULL;
    return g->cell ? 0 : -1;
}

/* Bytes of the UTF-8 sequence a lead byte starts (1 for ASCII and for
 * stray bytes, which are copied as they are). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

void cb_grid_escape(char *dst, size_t len, const char *s, bool md)
{
    size_t j = 0;

    while (*s) {
        unsigned char c = (unsigned char)*s;
        bool esc = md && strchr("\\|*_`<>[]", *s);
        size_t n = seq_len(c);

        /* Truncate whole: never half a character or an escape. */
        if (j + n + esc + 1 > len)
            break;
        if (esc)
            dst[j++] = '\\';
        if (n == 1) {
            dst[j++] = c < 0x20 || c == 0x7f ? '?' : *s;
            s++;
            continue;
        }
        for (size_t k = 0; k < n && *s; k++)
            dst[j++] = *s++;
    }
    dst[j] = '\0';
}

void cb_grid_put(struct cb_grid *g, size_t r, size_t c, const char *s, bool md)
{
    cb_grid_escape(g->cell[r * g->ncols + c], CB_GRID_CELL, s, md);
}

/* One cell's text, coloured when asked, padded to w on the side away
 * from its alignment (not at all when it ends a text row). */
static void render_cell(struct cb_strbuf *sb, const char *s, size_t w, bool right,
                        bool pad_after, const char *sgr)
{
    size_t pad = w - cb_strbuf_width(s);

    if (right)
        cb_strbuf_repeat(sb, ' ', pad);
    cb_strbuf_printf(sb, "%s%s%s", sgr ? sgr : "", s, sgr ? "\033[0m" : "");
    if (!right && pad_after)
        cb_strbuf_repeat(sb, ' ', pad);
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
        const char *sgr = !md && g->sgr && c == g->sgr_col ? g->sgr[r] : NULL;

        cb_strbuf_puts(sb, md ? "| " : c ? "  " : "");
        render_cell(sb, row[c], w[c], g->right[c], md || !last, sgr);
        cb_strbuf_puts(sb, md ? (last ? " |\n" : " ") : (last ? "\n" : ""));
    }
}

/* The line under the header: markdown's rule with alignment marks, or a
 * text rule of dashes. */
static void render_rule(struct cb_strbuf *sb, const struct cb_grid *g, const size_t *w,
                        bool md)
{
    for (size_t c = 0; c < g->ncols; c++) {
        size_t dashes = w[c] ? w[c] : 1;
        bool last = c + 1 == g->ncols;

        if (!md) {
            cb_strbuf_puts(sb, c ? "  " : "");
            cb_strbuf_repeat(sb, '-', dashes);
            cb_strbuf_puts(sb, last ? "\n" : "");
            continue;
        }
        cb_strbuf_puts(sb, "| ");
        /* "---:" keeps the width; markdown needs one dash before the colon. */
        cb_strbuf_repeat(sb, '-', g->right[c] && dashes > 1 ? dashes - 1 : dashes);
        cb_strbuf_puts(sb, g->right[c] ? ":" : "");
        cb_strbuf_puts(sb, last ? " |\n" : " ");
    }
}

void cb_grid_render(struct cb_strbuf *sb, const struct cb_grid *g, bool md, bool rule)
{
    size_t w[CB_GRID_MAX_COLS] = { 0 };

    for (size_t i = 0; i < g->nrows * g->ncols; i++) {
        size_t cw = cb_strbuf_width(g->cell[i]);

        if (cw > w[i % g->ncols])
            w[i % g->ncols] = cw;
    }
    for (size_t r = 0; r < g->nrows; r++) {
        render_row(sb, g, r, w, md);
        if (r == 0 && (md || rule))
            render_rule(sb, g, w, md);
    }
}

void cb_grid_free(struct cb_grid *g)
{
    free(g->cell);
    g->cell = NULL;
}
