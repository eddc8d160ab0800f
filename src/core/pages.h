/*
 * pages.h - advice to the kernel about the pages of big arrays: map them
 * now, in one call, or back them with huge pages. Hints only: where the
 * system lacks one, or it fails, nothing happens and the memory works as
 * usual. The caller keeps the memory.
 */
#ifndef CH_PAGES_H
#define CH_PAGES_H

#include <stddef.h>

/* Maps the whole pages of p[0..n) now, writable (MADV_POPULATE_WRITE),
 * as the first writes would: a big array written once in scattered
 * places (the co-action kernel's records) otherwise takes one page fault
 * per 4 KB page it touches; mapping them up front costs a fraction. */
void ch_prefault(void *p, size_t n);

/* Asks the kernel to back [p, p+n) with huge pages where it can: big hash
 * tables are probed at random, and 4 KiB pages turn each probe into a
 * TLB miss as well as a cache miss. */
void ch_hint_hugepages(void *p, size_t n);

#endif
