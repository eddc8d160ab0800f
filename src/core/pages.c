/*
 * pages.c - page advice for big arrays (see pages.h): one madvise over
 * the whole pages (or huge pages) inside a range. MADV_POPULATE_WRITE
 * needs Linux 5.14; elsewhere, and on older kernels (EINVAL), each call
 * is a no-op.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "pages.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* madvise(advice) over the aligned blocks of align bytes inside p[0..n). */
static void advise_inside(void *p, size_t n, uintptr_t align, int advice)
{
    uintptr_t a = ((uintptr_t)p + align - 1) & ~(align - 1), b = ((uintptr_t)p + n) & ~(align - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, advice);
}

void ch_prefault(void *p, size_t n)
{
#if defined(MADV_POPULATE_WRITE)
    long ps = sysconf(_SC_PAGESIZE);
    advise_inside(p, n, ps > 0 ? (uintptr_t)ps : 4096, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

void ch_hint_hugepages(void *p, size_t n)
{
#if defined(MADV_HUGEPAGE)
    advise_inside(p, n, (uintptr_t)2 << 20, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}
