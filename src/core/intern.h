/*
 * intern.h - string interning: each distinct byte string gets a dense
 * uint32 id, stored once in an arena with its length just before it.
 * Open addressing; a slot holds the string's address, half of its hash
 * and its id, so a lookup touches two cache lines: the slot and the bytes.
 */
#ifndef CH_INTERN_H
#define CH_INTERN_H

#include "arena.h"
#include "hash.h"

#include <string.h>

#define CH_NO_ID UINT32_MAX

typedef struct ch_intern_slot {
    const char *str; /* bytes, preceded by their uint32 length */
    uint32_t hi;     /* high half of the hash */
    uint32_t id1;    /* id + 1; 0 = empty slot */
} ch_intern_slot;

typedef struct ch_intern {
    chorus_ctx *ctx;
    ch_arena arena;
    const char **str; /* id -> bytes (NUL-terminated copy) */
    size_t n, cap;
    ch_intern_slot *slots;
    size_t nslots; /* power of two */
} ch_intern;

/* An empty table allocating through ctx; ch_intern_free releases what
 * the table owns (its slots and copies), not t itself. */
void ch_intern_init(ch_intern *t, chorus_ctx *ctx);
void ch_intern_free(ch_intern *t);

/* The hash a table uses for a string; another thread may compute it ahead. */
static inline uint64_t ch_intern_hash(const char *p, size_t n) { return ch_hash64(p, n, 0); }

/* Id of the string, adding it if new. CH_NO_ID on failure (ctx error set). */
uint32_t ch_intern_add(ch_intern *t, const char *p, size_t n);

/* ch_intern_add with h = ch_intern_hash(p, n) already computed. */
uint32_t ch_intern_add_hashed(ch_intern *t, const char *p, size_t n, uint64_t h);

/* Asks the cache for the slot where a string of hash h would start its
 * probe, a few rows before it is looked up. A hint only. */
static inline void ch_intern_prefetch(const ch_intern *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[h & (t->nslots - 1)]);
}

/* Later, once that slot is in the cache: asks for the string it points
 * to when the hash matches, and returns that string's id (a guess:
 * CH_NO_ID when the first slot does not match). */
static inline uint32_t ch_intern_prefetch_str(const ch_intern *t, uint64_t h)
{
    if (!t->nslots)
        return CH_NO_ID;
    const ch_intern_slot *s = &t->slots[h & (t->nslots - 1)];
    if (!s->id1 || s->hi != (uint32_t)(h >> 32))
        return CH_NO_ID;
    __builtin_prefetch(s->str - sizeof(uint32_t));
    return s->id1 - 1;
}

/* Id of the string or CH_NO_ID when absent. */
uint32_t ch_intern_find(const ch_intern *t, const char *p, size_t n);

static inline const char *ch_intern_str(const ch_intern *t, uint32_t id) { return t->str[id]; }

static inline uint32_t ch_intern_len(const ch_intern *t, uint32_t id)
{
    uint32_t n;
    memcpy(&n, t->str[id] - sizeof n, sizeof n);
    return n;
}

/* Bytes held (arena plus arrays). */
uint64_t ch_intern_memory(const ch_intern *t);

#endif
