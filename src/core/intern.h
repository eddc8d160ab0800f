/*
 * intern.h - string interning: each distinct byte string gets a dense
 * uint32 id, stored once in an arena. Open addressing; each slot holds
 * the id with half of its hash, so a probe touches the bytes only when
 * that half matches.
 */
#ifndef CH_INTERN_H
#define CH_INTERN_H

#include "arena.h"

#define CH_NO_ID UINT32_MAX

typedef struct ch_intern {
    chorus_ctx *ctx;
    ch_arena arena;
    const char **str; /* id -> bytes (NUL-terminated copy) */
    uint32_t *len;    /* id -> length */
    uint64_t *hash;   /* id -> hash */
    size_t n, cap;
    uint64_t *slots; /* high 32 bits of the hash | (id+1); 0 = empty */
    size_t nslots;   /* power of two */
} ch_intern;

void ch_intern_init(ch_intern *t, chorus_ctx *ctx);
void ch_intern_free(ch_intern *t);

/* Id of the string, adding it if new. CH_NO_ID on failure (ctx error set). */
uint32_t ch_intern_add(ch_intern *t, const char *p, size_t n);

/* Id of the string with a precomputed ch_hash64(p, n, 0), adding it if new. */
uint32_t ch_intern_add_h(ch_intern *t, const char *p, size_t n, uint64_t h);

/* Id of the string or CH_NO_ID when absent. */
uint32_t ch_intern_find(const ch_intern *t, const char *p, size_t n);

static inline const char *ch_intern_str(const ch_intern *t, uint32_t id) { return t->str[id]; }
static inline uint32_t ch_intern_len(const ch_intern *t, uint32_t id) { return t->len[id]; }

/* Bytes held (arena plus arrays). */
uint64_t ch_intern_memory(const ch_intern *t);

#endif
