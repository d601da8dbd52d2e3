#include "concbench/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Finds the line "KEY N kB" in f (key includes the colon). */
static int parse_kib(FILE *f, const char *key, uint64_t *kib)
{
    char line[256];
    size_t len = strlen(key);

    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0 && sscanf(line + len, " %" SCNu64, kib) == 1)
            return 0;
    return -1;
}

/* The first number in the file at dir/name; false when there is none
 * ("max": no limit). */
static bool read_number(const char *dir, const char *name, uint64_t *out)
{
    char *path = NULL; /* on the heap: paths are long, stacks may be small */
    FILE *f;
    bool ok;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return false;
    f = fopen(path, "re");
    free(path);
    if (!f)
        return false;
    ok = fscanf(f, "%" SCNu64, out) == 1;
    fclose(f);
    return ok;
}

/* What this process's memory cgroup (a container's limit) leaves free,
 * v2 or v1; UINT64_MAX when there is no limit or none can be read. */
static uint64_t cgroup_room(void)
{
    static const struct { const char *prefix, *root, *limit, *usage; } kinds[] = {
        { "0::", "/sys/fs/cgroup", "memory.max", "memory.current" },
        { ":memory:", "/sys/fs/cgroup/memory", "memory.limit_in_bytes",
          "memory.usage_in_bytes" },
    };
    /* On the heap: the lines and paths are long, stacks may be small. */
    char *line = NULL, *dir;
    size_t cap = 0;
    uint64_t room = UINT64_MAX, limit, usage;
    FILE *f = fopen("/proc/self/cgroup", "re");

    while (f && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            const char *at = strstr(line, kinds[k].prefix);

            if (!at || (k == 0 && at != line))
                continue;
            if (asprintf(&dir, "%s%s", kinds[k].root, at + strlen(kinds[k].prefix)) < 0)
                continue;
            if (read_number(dir, kinds[k].limit, &limit) &&
                read_number(dir, kinds[k].usage, &usage)) {
                uint64_t left = limit > usage ? limit - usage : 0;

                if (left < room)
                    room = left;
            }
            free(dir);
        }
    }
    free(line);
    if (f)
        fclose(f);
    return room;
}

int cb_memory_available(uint64_t *bytes)
{
    FILE *f = fopen("/proc/meminfo", "re");
    uint64_t kib = 0, room;
    int rc;

    if (!f)
        return -1;
    rc = parse_kib(f, "MemAvailable:", &kib);
    fclose(f);
    if (rc != 0 || kib > UINT64_MAX / 1024)
        return -1;
    room = cgroup_room();
    *bytes = kib * 1024 < room ? kib * 1024 : room;
    return 0;
}

int cb_memory_pss_kib(pid_t pid, uint64_t *kib, struct cb_error *err)
{
    char path[64];
    FILE *f;
    uint64_t v = 0;
    int rc;

    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/smaps_rollup");
    else
        snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
    f = fopen(path, "re");
    if (!f) {
        cb_error_set(err, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    rc = parse_kib(f, "Pss:", &v);
    fclose(f);
    if (rc != 0) {
        cb_error_set(err, "%s has no Pss line", path);
        return -1;
    }
    *kib = v;
    return 0;
}

int cb_memory_pss_sum(const pid_t *pids, uint32_t n, uint64_t *kib,
                      struct cb_error *err)
{
    uint64_t sum = 0, v = 0;

    if (cb_memory_pss_kib(0, &v, err) != 0)
        return -1;
    sum = v;
    for (uint32_t i = 0; pids && i < n; i++) {
        if (pids[i] == 0)
            continue;
        if (cb_memory_pss_kib(pids[i], &v, err) != 0)
            return -1;
        sum += v;
    }
    *kib = sum;
    return 0;
}

/* mmap rather than malloc: the pages are fresh and private, and munmap
 * gives them back at once, so the next sample starts from the same PSS. */
void *cb_memory_touch(size_t size, struct cb_error *err)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p;

    if (size == 0)
        return NULL;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        if (err)
            cb_error_set(err, "cannot allocate %zu bytes: %s", size, strerror(errno));
        return NULL;
    }
    for (size_t off = 0; off < size; off += (size_t)(page > 0 ? page : 4096))
        p[off] = (char)(off | 1);
    return p;
}

void cb_memory_release(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}
