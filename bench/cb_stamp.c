/* cb_stamp.so: the floor of a spawned concbench unit's first instruction.
 * Preloaded (LD_PRELOAD) into a posix_spawn of the concbench binary by
 * cb_rawspawn --preload: its constructor runs once the dynamic linker
 * has loaded and relocated every library of that image, before the
 * image's own main. It stamps CLOCK_MONOTONIC and the run-queue wait so
 * far (/proc/thread-self/schedstat, as concbench reads it) into the page
 * of the inherited memfd named by CB_STAMP_FD, and leaves with _exit(0):
 * concbench's main never runs. Standalone, as cb_rawspawn is. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "raw_stamp.h"

__attribute__((constructor)) static void cb_stamp_first(void)
{
    struct timespec ts;
    const char *fdarg = getenv("CB_STAMP_FD");
    volatile struct stamp *page;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (!fdarg)
        return; /* not cb_rawspawn's child: let the program run */
    page = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED,
                (int)strtol(fdarg, NULL, 10), 0);
    if (page == MAP_FAILED)
        _exit(1);
    page->queue_ns = queue_wait_ns();
    page->first_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    _exit(0);
}
