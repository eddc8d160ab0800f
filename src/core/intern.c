/*
 * intern.c - string interning (see intern.h). Strings are stored as
 * [uint32 length][bytes][NUL] in the arena. The table is kept under half
 * full so probes stay short; growing it rehashes each string once.
 */
#include "intern.h"
#include "hash.h"
#include "pages.h"

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
    ch_free(t->ctx, t->slots, t->nslots * sizeof *t->slots);
    memset(t, 0, sizeof *t);
}

static chorus_rc rehash(ch_intern *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 1024;
    ch_intern_slot *slots = ch_calloc(t->ctx, ns * sizeof *slots);
    if (!slots)
        return ch_nomem(t->ctx);
    ch_hint_hugepages(slots, ns * sizeof *slots);
    for (size_t k = 0; k < t->nslots; k++) {
        const ch_intern_slot *s = &t->slots[k];
        if (!s->id1)
            continue;
        size_t i = ch_intern_hash(s->str, ch_intern_len(t, s->id1 - 1)) & (ns - 1);
        while (slots[i].id1)
            i = (i + 1) & (ns - 1);
        slots[i] = *s;
    }
    ch_free(t->ctx, t->slots, t->nslots * sizeof *t->slots);
    t->slots = slots;
    t->nslots = ns;
    return CHORUS_OK;
}

static size_t probe(const ch_intern *t, const char *p, size_t n, uint64_t h)
{
    size_t mask = t->nslots - 1, i = h & mask;
    uint32_t hi = (uint32_t)(h >> 32);
    for (;;) {
        const ch_intern_slot *s = &t->slots[i];
        if (!s->id1)
            return i;
        if (s->hi == hi) {
            uint32_t len;
            memcpy(&len, s->str - sizeof len, sizeof len);
            if (len == n && memcmp(s->str, p, n) == 0)
                return i;
        }
        i = (i + 1) & mask;
    }
}

uint32_t ch_intern_find(const ch_intern *t, const char *p, size_t n)
{
    if (!t->nslots)
        return CH_NO_ID;
    const ch_intern_slot *s = &t->slots[probe(t, p, n, ch_intern_hash(p, n))];
    return s->id1 ? s->id1 - 1 : CH_NO_ID;
}

/* Copies the string as [length][bytes][NUL]; NULL on failure. */
static const char *store(ch_intern *t, const char *p, size_t n)
{
    uint32_t len = (uint32_t)n;
    char *d = ch_arena_alloc(&t->arena, sizeof len + n + 1);
    if (!d)
        return NULL;
    memcpy(d, &len, sizeof len);
    if (n)
        memcpy(d + sizeof len, p, n);
    d[sizeof len + n] = 0;
    return d + sizeof len;
}

uint32_t ch_intern_add(ch_intern *t, const char *p, size_t n)
{
    return ch_intern_add_hashed(t, p, n, ch_intern_hash(p, n));
}

uint32_t ch_intern_add_hashed(ch_intern *t, const char *p, size_t n, uint64_t h)
{
    if ((t->n + 1) * 2 > t->nslots && rehash(t))
        return CH_NO_ID;
    size_t i = probe(t, p, n, h);
    if (t->slots[i].id1)
        return t->slots[i].id1 - 1;
    if (n >= UINT32_MAX || t->n >= CH_NO_ID - 1) {
        ch_error(t->ctx, CHORUS_ELIMIT, "too many or too long strings to intern");
        return CH_NO_ID;
    }
    if (t->n == t->cap && ch_grow(t->ctx, (void **)&t->str, &t->cap, t->n + 1, sizeof *t->str))
        return CH_NO_ID;
    const char *d = store(t, p, n);
    if (!d)
        return CH_NO_ID;
    uint32_t id = (uint32_t)t->n++;
    t->str[id] = d;
    t->slots[i] = (ch_intern_slot){d, (uint32_t)(h >> 32), id + 1};
    return id;
}

uint64_t ch_intern_memory(const ch_intern *t)
{
    return t->arena.bytes + t->cap * sizeof *t->str + t->nslots * sizeof *t->slots;
}
