/*
 * intern.c - string interning (see intern.h). The slot table holds ids
 * only; the per-id hash array makes rehashing and probing cheap. Load is
 * kept under 1/2 so linear probes stay short.
 */
#include "intern.h"
#include "hash.h"

#include <string.h>

void ch_intern_init(ch_intern *t, chorus_ctx *ctx)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    ch_arena_init(&t->arena, ctx, (size_t)1 << 20);
}

void ch_intern_free(ch_intern *t)
{
    ch_arena_free(&t->arena);
    ch_free(t->ctx, t->str, t->cap * sizeof *t->str);
    ch_free(t->ctx, t->len, t->cap * sizeof *t->len);
    ch_free(t->ctx, t->hash, t->cap * sizeof *t->hash);
    ch_free(t->ctx, t->slots, t->nslots * sizeof *t->slots);
    memset(t, 0, sizeof *t);
}

#define HASH_HIGH 0xffffffff00000000ULL

static uint64_t slot_value(uint64_t h, uint32_t id) { return (h & HASH_HIGH) | ((uint64_t)id + 1); }

static chorus_rc rehash(ch_intern *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 1024;
    uint64_t *slots = ch_calloc(t->ctx, ns * sizeof *slots);
    if (!slots)
        return ch_nomem(t->ctx);
    for (size_t id = 0; id < t->n; id++) {
        size_t i = t->hash[id] & (ns - 1);
        while (slots[i])
            i = (i + 1) & (ns - 1);
        slots[i] = slot_value(t->hash[id], (uint32_t)id);
    }
    ch_free(t->ctx, t->slots, t->nslots * sizeof *t->slots);
    t->slots = slots;
    t->nslots = ns;
    return CHORUS_OK;
}

static size_t probe(const ch_intern *t, const char *p, size_t n, uint64_t h)
{
    size_t mask = t->nslots - 1, i = h & mask;
    for (;;) {
        uint64_t s = t->slots[i];
        if (!s)
            return i;
        uint32_t id = (uint32_t)(s & 0xffffffffu) - 1;
        if ((s & HASH_HIGH) == (h & HASH_HIGH) && t->len[id] == n && memcmp(t->str[id], p, n) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

uint32_t ch_intern_find(const ch_intern *t, const char *p, size_t n)
{
    if (!t->nslots)
        return CH_NO_ID;
    uint64_t s = t->slots[probe(t, p, n, ch_hash64(p, n, 0))];
    return s ? (uint32_t)(s & 0xffffffffu) - 1 : CH_NO_ID;
}

static chorus_rc grow_arrays(ch_intern *t)
{
    size_t cap = t->cap;
    size_t c1 = cap, c2 = cap, c3 = cap;
    if (ch_grow(t->ctx, (void **)&t->str, &c1, t->n + 1, sizeof *t->str) ||
        ch_grow(t->ctx, (void **)&t->len, &c2, t->n + 1, sizeof *t->len) ||
        ch_grow(t->ctx, (void **)&t->hash, &c3, t->n + 1, sizeof *t->hash)) {
        /* Keep whichever arrays grew: cap stays the smallest of the three. */
        t->cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
        return CHORUS_ENOMEM;
    }
    t->cap = c1;
    return CHORUS_OK;
}

uint32_t ch_intern_add_h(ch_intern *t, const char *p, size_t n, uint64_t h)
{
    if ((t->n + 1) * 2 > t->nslots && rehash(t))
        return CH_NO_ID;
    size_t i = probe(t, p, n, h);
    if (t->slots[i])
        return (uint32_t)(t->slots[i] & 0xffffffffu) - 1;
    if (n > UINT32_MAX || t->n >= CH_NO_ID - 1) {
        ch_error(t->ctx, CHORUS_ELIMIT, "too many or too long strings to intern");
        return CH_NO_ID;
    }
    if (t->n == t->cap && grow_arrays(t))
        return CH_NO_ID;
    char *d = ch_arena_dup(&t->arena, p, n);
    if (!d)
        return CH_NO_ID;
    uint32_t id = (uint32_t)t->n++;
    t->str[id] = d;
    t->len[id] = (uint32_t)n;
    t->hash[id] = h;
    t->slots[i] = slot_value(h, id);
    return id;
}

uint32_t ch_intern_add(ch_intern *t, const char *p, size_t n)
{
    return ch_intern_add_h(t, p, n, ch_hash64(p, n, 0));
}

uint64_t ch_intern_memory(const ch_intern *t)
{
    return t->arena.bytes + t->cap * (sizeof *t->str + sizeof *t->len + sizeof *t->hash) +
           t->nslots * sizeof *t->slots;
}
