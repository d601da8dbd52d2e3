#include "json_util.h"

#include <stdlib.h>
#include <string.h>

cJSON *cb_json_push(cJSON *arr, cJSON *item)
{
    if (item && !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
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
