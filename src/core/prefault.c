/*
 * prefault.c - mapping fresh memory in one call (see prefault.h): one
 * madvise over the whole pages of a range instead of a fault per page.
 * Linux 5.14 and later; elsewhere, and on older kernels (EINVAL), a no-op.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void ch_prefault(void *p, size_t n)
{
#if defined(MADV_POPULATE_WRITE)
    long ps = sysconf(_SC_PAGESIZE);
    uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + n) & ~(page - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}
