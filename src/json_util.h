/* Internal: cJSON helpers shared by the JSON renderers. */
#ifndef CONCBENCH_JSON_UTIL_H
#define CONCBENCH_JSON_UTIL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "concbench/error.h"
#include "concbench/stats.h"

/* Appends item (which may be NULL: a failed create) to the array arr and
 * returns it; on failure deletes it and returns NULL. */
cJSON *cb_json_push(cJSON *arr, cJSON *item);

/* A string item holding s as text: as it is when it is clean text
 * (concbench/utf8.h), escaped otherwise, so what is written is always
 * valid UTF-8 without control characters. NULL if memory runs out. */
cJSON *cb_json_text(const char *s);

/* Adds key: s to the object o, key and value as cb_json_text makes them.
 * Returns false if memory runs out. */
bool cb_json_add_text(cJSON *o, const char *key, const char *s);

/* Adds name: {min, median, mean, stddev, max, p10, p90, mad, cv, n} of s
 * to the object o. Returns 0, or -1 if memory runs out. */
int cb_json_add_stats(cJSON *o, const char *name, const struct cb_stats *s);

/* Ends a document: when built is true, returns root printed with a final
 * newline (malloc'd, for the caller to free); otherwise, or out of
 * memory, NULL with err saying "out of memory rendering <what>". Deletes
 * root (which may be NULL) either way. */
char *cb_json_finish(cJSON *root, bool built, const char *what, struct cb_error *err);

#endif
