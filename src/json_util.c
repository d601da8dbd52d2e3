#include "json_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/json_keys.h"
#include "concbench/utf8.h"

cJSON *cb_json_push(cJSON *arr, cJSON *item)
{
    if (item && !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

cJSON *cb_json_text(const char *s)
{
    char *escaped;
    cJSON *item;

    if (cb_utf8_is_text(s))
        return cJSON_CreateString(s);
    escaped = cb_utf8_escape_dup(s);
    item = escaped ? cJSON_CreateString(escaped) : NULL;
    free(escaped);
    return item;
}

bool cb_json_add_text(cJSON *o, const char *key, const char *s)
{
    char *ekey = cb_utf8_is_text(key) ? NULL : cb_utf8_escape_dup(key);
    cJSON *item = cb_json_text(s);
    bool ok = item && (cb_utf8_is_text(key) || ekey) &&
              cJSON_AddItemToObject(o, ekey ? ekey : key, item);

    if (!ok)
        cJSON_Delete(item);
    free(ekey);
    return ok;
}

char *cb_json_finish(cJSON *root, bool built, const char *what, struct cb_error *err)
{
    char *text = built && root ? cJSON_Print(root) : NULL, *out = NULL;
    size_t len = text ? strlen(text) : 0;

    if (text && (out = malloc(len + 2)) != NULL) {
        memcpy(out, text, len);
        memcpy(out + len, "\n", 2);
    }
    if (!out)
        cb_error_set(err, "out of memory rendering %s", what);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

int cb_json_add_stats(cJSON *o, const char *name, const struct cb_stats *s)
{
    cJSON *st = cJSON_AddObjectToObject(o, name);
    char n[24];

    snprintf(n, sizeof n, "%" PRIu64, (uint64_t)s->n);
    if (!st || !cJSON_AddNumberToObject(st, "min", s->min) ||
        !cJSON_AddNumberToObject(st, CB_KEY_MEDIAN, s->median) ||
        !cJSON_AddNumberToObject(st, "mean", s->mean) ||
        !cJSON_AddNumberToObject(st, "stddev", s->stddev) ||
        !cJSON_AddNumberToObject(st, "max", s->max) ||
        !cJSON_AddNumberToObject(st, "p10", s->p10) ||
        !cJSON_AddNumberToObject(st, "p90", s->p90) ||
        !cJSON_AddNumberToObject(st, "mad", s->mad) ||
        !cJSON_AddNumberToObject(st, "cv", s->cv) || !cJSON_AddRawToObject(st, "n", n))
        return -1;
    return 0;
}
