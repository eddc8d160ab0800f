/*
 * arena.h - chunked bump allocator. Memory handed out stays put until the
 * arena is freed, so strings can be referenced by pointer. Used for texts
 * and interned strings: one malloc per chunk, never one per field.
 */
#ifndef CH_ARENA_H
#define CH_ARENA_H

#include "ctx.h"

typedef struct ch_arena_chunk ch_arena_chunk;

typedef struct ch_arena {
    chorus_ctx *ctx;
    ch_arena_chunk *head; /* newest chunk first */
    char *cur, *end;
    size_t chunk_size;
    uint64_t bytes; /* bytes reserved in chunks */
} ch_arena;

/* Prepares an empty arena whose chunks are chunk_size bytes (or larger for
 * big requests). Allocates nothing yet. */
void ch_arena_init(ch_arena *a, chorus_ctx *ctx, size_t chunk_size);

/* Frees every chunk. The arena may be reused after ch_arena_init. */
void ch_arena_free(ch_arena *a);

/* n bytes aligned to 8, or NULL with the ctx error set. */
void *ch_arena_alloc(ch_arena *a, size_t n);

/* Copies n bytes plus a NUL terminator; NULL with the ctx error set. */
char *ch_arena_dup(ch_arena *a, const char *p, size_t n);

#endif
