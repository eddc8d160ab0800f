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

/* A 64-bit key with a 64-bit payload, sorted as one record. */
typedef struct ch_kv {
    uint64_t key, val;
} ch_kv;

/* Counts ch_radix_sort_kv needs, for any n and bits. */
#define CH_KV_COUNTS (6 * 4096)

/* Sorts r[0..n) stably by the low `bits` bits of key (the higher bits
 * ride along unsorted), in as few passes as cover them: big arrays of
 * narrow keys (packed account pairs) with a payload. tmp[0..n) is
 * scratch and counts holds CH_KV_COUNTS; nothing is allocated. Returns
 * the array that holds the result, r or tmp. */
ch_kv *ch_radix_sort_kv(ch_kv *r, ch_kv *tmp, size_t n, unsigned bits, size_t *counts);

#endif
