/*
 * hash.h - the one 64-bit string hash chorus uses everywhere (XXH3 from
 * libxxhash), behind our own name so the choice lives in one place.
 * Seeds are fixed constants where results must be stable across runs.
 */
#ifndef CH_HASH_H
#define CH_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit hash of p[0..n) under seed (xxHash XXH3); stable across
 * runs and machines, so ids and buckets derived from it are too. */
uint64_t ch_hash64(const void *p, size_t n, uint64_t seed);

/* 64-bit mix of an integer (splitmix64 finaliser). */
static inline uint64_t ch_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
