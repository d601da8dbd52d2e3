/* Internal: appending to a cJSON array without leaking on failure. */
#ifndef CONCBENCH_JSON_PUSH_H
#define CONCBENCH_JSON_PUSH_H

#include <cjson/cJSON.h>

/* Appends item (which may be NULL: a failed create) to the array arr and
 * returns it; on failure deletes it and returns NULL. */
static inline cJSON *cb_json_push(cJSON *arr, cJSON *item)
{
    if (item && !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

#endif
