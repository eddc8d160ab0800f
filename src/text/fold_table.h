/*
 * fold_table.h - the generated per-code-point table of the match form
 * (fold_table.c, written by tests/tools/gen_fold_table.c): for every code
 * point its combining class, a few properties, and what it becomes
 * (itself, nothing, or a sequence in the pool); plus the composition pairs.
 */
#ifndef CH_FOLD_TABLE_H
#define CH_FOLD_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Entry layout (uint32): bits 0-7 canonical combining class, then flags,
 * then the pool index of the expansion (the pool holds its length first). */
#define CH_FOLD_CCC 0xFFu
#define CH_FOLD_LETTER 0x100u /* general category L* (before folding) */
#define CH_FOLD_MARK 0x200u   /* M* */
#define CH_FOLD_DIGIT 0x400u  /* Nd */
#define CH_FOLD_UPPER 0x800u  /* Lu, Lt: hashtag camelCase splits before these */
#define CH_FOLD_COMP2 0x1000u /* may compose with the code point before it */
#define CH_FOLD_DELETE 0x2000u
#define CH_FOLD_MAP 0x4000u
#define CH_FOLD_POOL_SHIFT 15

#define CH_FOLD_BLOCK 128

extern const uint16_t ch_fold_index[0x110000 / CH_FOLD_BLOCK];
extern const uint32_t ch_fold_blocks[];
extern const uint32_t ch_fold_pool[];
extern const size_t ch_fold_npairs;
/* Sorted: first << 42 | second << 21 | composite. */
extern const uint64_t ch_fold_pairs[];

/* The entry of code point cp (< 0x110000). */
static inline uint32_t ch_fold_entry(uint32_t cp)
{
    return ch_fold_blocks[(uint32_t)ch_fold_index[cp / CH_FOLD_BLOCK] * CH_FOLD_BLOCK +
                          cp % CH_FOLD_BLOCK];
}

#endif
