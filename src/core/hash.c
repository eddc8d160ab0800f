/*
 * hash.c - wraps XXH3 (libxxhash) as ch_hash64. Kept out of the header so
 * only this file depends on xxhash.h.
 */
#include "hash.h"

#include <xxhash.h>

uint64_t ch_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}
