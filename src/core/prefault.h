/*
 * prefault.h - asking the kernel to map fresh memory in one call. A big
 * array written once from start to end in scattered places (the
 * co-action kernel's records) otherwise takes one page fault per 4 KB
 * page it touches; mapping them up front costs a fraction of that.
 */
#ifndef CH_PREFAULT_H
#define CH_PREFAULT_H

#include <stddef.h>

/* Maps the whole pages of p[0..n) now, writable (MADV_POPULATE_WRITE),
 * as the first writes would. A hint: where the system lacks it, or it
 * fails (no memory to spare now), nothing happens and the writes fault
 * as usual. p stays the caller's. */
void ch_prefault(void *p, size_t n);

#endif
