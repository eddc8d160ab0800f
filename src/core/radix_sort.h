/*
 * radix_sort.h - LSD radix sort of 64-bit keys with an optional 32-bit
 * payload. Stable; byte positions where all keys agree are skipped, so
 * small keys cost fewer passes. The workhorse for packed pair keys.
 */
#ifndef CH_RADIX_SORT_H
#define CH_RADIX_SORT_H

#include "ctx.h"

/* Sorts keys[0..n) ascending, permuting vals alongside (vals may be NULL).
 * Needs n * 12 bytes of scratch from the ctx allocator. */
chorus_rc ch_radix_sort_u64(chorus_ctx *ctx, uint64_t *keys, uint32_t *vals, size_t n);

#endif
