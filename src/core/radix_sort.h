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

/* Sorts r[0..n) stably by the low `bits` bits of key (higher bits must be
 * 0), in as few passes of up to 12 bits as cover them: big arrays of
 * narrow keys (packed account pairs) with a payload, in few passes.
 * Needs n * 16 bytes of scratch from the ctx allocator. */
chorus_rc ch_radix_sort_kv(chorus_ctx *ctx, ch_kv *r, size_t n, unsigned bits);

#endif
