#include "json_util.h"

#include <stdlib.h>
#include <string.h>

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
