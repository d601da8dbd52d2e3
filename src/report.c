#include "concbench/report.h"

#include <stdbool.h>

#include "report_bmf.h"
#include "report_internal.h"

char *cb_report_render_colour(const struct cb_results *r, struct cb_error *err)
{
    return cb_report_table(r, false, true, err);
}

bool cb_report_colour_wanted(bool tty, const char *no_color)
{
    return tty && (!no_color || !no_color[0]);
}

char *cb_report_render(const struct cb_results *r, enum cb_format f,
                       bool per_sample, struct cb_error *err)
{
    switch (f) {
    case CB_FORMAT_TABLE:
        return cb_report_table(r, false, false, err);
    case CB_FORMAT_MARKDOWN:
        return cb_report_table(r, true, false, err);
    case CB_FORMAT_CSV:
        return cb_report_csv(r, per_sample, err);
    case CB_FORMAT_BMF: case CB_FORMAT_GAB: return cb_report_bmf(r, f, err);
    case CB_FORMAT_JSON:
        break;
    }
    return cb_report_json(r, err);
}
