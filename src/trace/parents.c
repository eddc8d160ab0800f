/*
 * parents.c - who copied whom inside a group of similar items: each item
 * (in time order) gets as parent the earlier item whose text is most like
 * its own, by the Jaccard similarity of code-point 5-gram sets estimated
 * from bottom-k sketches, looking only at a bounded set of earlier items
 * (the most recent ones, the first, the representative) so the work per
 * item stays constant however large the group.
 */
#include "trace/trace_impl.h"

#include "core/hash.h"

#include <string.h>

/* Code points per shingle. */
#define SHINGLE 5

/* Inserts h into the sorted sketch k (kept to the TR_SKETCH smallest). */
static void sketch_add(tr_sketch *k, uint32_t h)
{
    if (k->n == TR_SKETCH && h >= k->h[TR_SKETCH - 1])
        return;
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (k->h[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < k->n && k->h[lo] == h)
        return;
    uint32_t keep = k->n < TR_SKETCH ? k->n : TR_SKETCH - 1;
    memmove(k->h + lo + 1, k->h + lo, (keep - lo) * sizeof *k->h);
    k->h[lo] = h;
    k->n = keep + 1;
}

void tr_sketch_make(const uint32_t *cp, size_t n, tr_sketch *out)
{
    out->n = 0;
    size_t grams = n >= SHINGLE ? n - SHINGLE + 1 : (n ? 1 : 0);
    for (size_t i = 0; i < grams; i++) {
        uint64_t x = 0x9E3779B97F4A7C15ULL;
        for (size_t j = i; j < i + SHINGLE && j < n; j++)
            x = (x ^ cp[j]) * 0x100000001B3ULL;
        sketch_add(out, (uint32_t)(ch_mix64(x) >> 32));
    }
}

void tr_sketch_similarity(const tr_sketch *a, const tr_sketch *b, uint32_t *both,
                          uint32_t *taken)
{
    uint32_t i = 0, j = 0, n = 0, m = 0;
    while (n < TR_SKETCH && i < a->n && j < b->n) { /* without branches: the hot loop */
        uint32_t x = a->h[i], y = b->h[j];
        m += x == y;
        i += x <= y, j += y <= x;
        n++;
    }
    uint32_t rest = (a->n - i) + (b->n - j); /* one sketch is used up: the rest are single */
    n += rest < TR_SKETCH - n ? rest : TR_SKETCH - n;
    *both = m, *taken = n;
}

void tr_parents_reset(tr_parents *p, uint32_t rep)
{
    p->seen = 0;
    p->rep = rep;
    p->rep_pos = UINT32_MAX;
}

/* 1 when candidate (m, n) at position pos beats the best so far: a higher
 * similarity m / n, ties to the more recent (higher position). */
static int beats(uint32_t m, uint32_t n, uint32_t pos, uint32_t bm, uint32_t bn, uint32_t bpos)
{
    uint64_t x = (uint64_t)m * (bn ? bn : 1), y = (uint64_t)bm * (n ? n : 1);
    if (bpos == UINT32_MAX || x != y)
        return bpos == UINT32_MAX || x > y;
    return pos > bpos;
}

typedef struct pick {
    uint32_t m, n, pos, item;
} pick;

static void consider(pick *b, const tr_sketch *k, const tr_sketch *self, uint32_t pos,
                     uint32_t item)
{
    uint32_t m, n;
    tr_sketch_similarity(k, self, &m, &n);
    if (beats(m, n, pos, b->m, b->n, b->pos))
        b->m = m, b->n = n, b->pos = pos, b->item = item;
}

/* The best of the earlier items for sketch k, the item at position pos. */
static uint32_t best_earlier(const tr_parents *p, const tr_sketch *k, uint32_t pos,
                             uint64_t text)
{
    uint32_t from = pos > TR_RECENT ? pos - TR_RECENT : 0;
    for (uint32_t q = pos; q-- > from;) /* the same text: similarity 1, the most recent */
        if (p->recent_text[q % TR_RECENT] == text)
            return p->recent_item[q % TR_RECENT];
    pick b = {0, 0, UINT32_MAX, UINT32_MAX};
    for (uint32_t q = pos; q-- > from && !(b.n && b.m == b.n);) /* 1 cannot be beaten */
        consider(&b, &p->recent[q % TR_RECENT], k, q, p->recent_item[q % TR_RECENT]);
    if (from > 0)
        consider(&b, &p->first, k, 0, p->first_item);
    if (p->rep_pos != UINT32_MAX && p->rep_pos < from)
        consider(&b, &p->rep_sketch, k, p->rep_pos, p->rep);
    return b.item;
}

uint32_t tr_parents_next(tr_parents *p, uint32_t item, const tr_sketch *k, uint64_t text)
{
    uint32_t pos = p->seen++, parent = best_earlier(p, k, pos, text);
    p->recent_text[pos % TR_RECENT] = text;
    p->recent[pos % TR_RECENT] = *k;
    p->recent_item[pos % TR_RECENT] = item;
    if (pos == 0)
        p->first = *k, p->first_item = item;
    if (item == p->rep)
        p->rep_sketch = *k, p->rep_pos = pos;
    return parent;
}
