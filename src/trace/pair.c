/*
 * pair.c - one candidate pair, source before target: normalised texts as
 * code points, outlet boilerplate masked out, shared winnowed anchors
 * chained along diagonals, and each chain aligned in a band around it.
 * Every span of at least min_span code points becomes a reuse row, with
 * offsets mapped back to the original bytes of both texts.
 */
#include "trace/trace_impl.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MATCHES 4096
#define MAX_SPANS 8
#define CHAIN_GAP 24 /* anchors whose diagonals differ by more start a new chain */
#define BAND 32      /* diagonals searched either side of a chain */
#define MAX_DRIFT 96 /* widest spread of diagonals in one chain */

chorus_rc tr_text_load(tr *s, tr_text *t, uint32_t index, int doc)
{
    chorus_post_view v;
    chorus_corpus_post(doc ? s->docs : s->posts, index, &v);
    chorus_rc rc = chorus_normalize(s->norm, v.text.ptr, v.text.len, &t->tb);
    if (rc)
        return rc;
    size_t need = t->tb.len + 1;
    if (need > t->cap) {
        /* one block: anchors (16 bytes each), hashes, code points, offsets */
        size_t ncap = need < 256 ? 256 : need + need / 2, a = sizeof *t->anchors, each = a + 16;
        char *blk = ch_alloc(s->ctx, ncap * each);
        if (!blk)
            return ch_nomem(s->ctx);
        ch_free(s->ctx, t->anchors, t->cap * each);
        t->anchors = (chorus_trace_anchor *)blk;
        t->hashes = (uint64_t *)(blk + ncap * a);
        t->cp = (uint32_t *)(blk + ncap * (a + 8));
        t->off = (uint32_t *)(blk + ncap * (a + 12));
        t->cap = ncap;
    }
    t->n = chorus_trace_decode(t->tb.text, t->tb.len, t->cp, t->off);
    t->n_anchors = 0;
    return CHORUS_OK;
}

chorus_rc tr_text_anchors(tr *s, tr_text *t, uint32_t k, uint32_t w)
{
    (void)s;
    size_t m = chorus_trace_winnow(t->cp, t->n, k, w, t->hashes, t->anchors), kept = 0;
    for (size_t i = 0; i < m; i++) {
        int masked = 0;
        for (uint32_t j = 0; j < k && !masked; j++)
            masked = t->cp[t->anchors[i].pos + j] == CHORUS_TRACE_MASKED;
        if (!masked)
            t->anchors[kept++] = t->anchors[i];
    }
    t->n_anchors = kept;
    return CHORUS_OK;
}

void tr_text_free(chorus_ctx *ctx, tr_text *t)
{
    chorus_text_buf_free(&t->tb);
    ch_free(ctx, t->anchors, t->cap * (sizeof *t->anchors + 16));
}

typedef struct match {
    int64_t diag;
    uint32_t s, t;
} match;

static int cmp_anchor_hash(const void *a, const void *b)
{
    const chorus_trace_anchor *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_match(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->diag != y->diag)
        return x->diag < y->diag ? -1 : 1;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Shared anchors of the source (sorted by hash here) and the target. */
static size_t find_matches(tr_text *a, const tr_text *b, match *out)
{
    qsort(a->anchors, a->n_anchors, sizeof *a->anchors, cmp_anchor_hash);
    size_t m = 0;
    for (size_t i = 0; i < b->n_anchors && m < MAX_MATCHES; i++) {
        size_t lo = 0, hi = a->n_anchors;
        uint64_t h = b->anchors[i].hash;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (a->anchors[mid].hash < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < a->n_anchors && a->anchors[lo].hash == h && m < MAX_MATCHES; lo++) {
            out[m].s = a->anchors[lo].pos, out[m].t = b->anchors[i].pos;
            out[m].diag = (int64_t)out[m].t - (int64_t)out[m].s;
            m++;
        }
    }
    qsort(out, m, sizeof *out, cmp_match);
    return m;
}

static int cmp_match_s(const void *a, const void *b)
{
    const match *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* The end of the chain that starts at m[i] (m sorted by diagonal): the
 * anchors whose diagonals lie close together, then (sorted by source
 * position) those close in the source; the rest is put back in order. */
static size_t chain_end(match *m, size_t i, size_t n, uint32_t k, uint32_t w)
{
    size_t j = i + 1;
    while (j < n && m[j].diag - m[j - 1].diag <= CHAIN_GAP && m[j].diag - m[i].diag <= MAX_DRIFT)
        j++;
    qsort(m + i, j - i, sizeof *m, cmp_match_s);
    size_t e = i + 1;
    while (e < j && m[e].s - m[e - 1].s <= 4 * (k + w))
        e++;
    if (e < j)
        qsort(m + e, j - e, sizeof *m, cmp_match);
    return e;
}

/* Aligns the box around one chain (matches c[0..n)) into *sp (absolute). */
static chorus_rc align_chain(tr *s, const match *c, size_t n, uint32_t k, uint32_t w,
                             chorus_trace_span *sp)
{
    const tr_text *a = &s->src, *b = &s->tgt;
    uint32_t smin = c[0].s, smax = c[0].s, tmin = c[0].t, tmax = c[0].t;
    int64_t dmin = c[0].diag, dmax = c[0].diag;
    for (size_t i = 1; i < n; i++) {
        smin = c[i].s < smin ? c[i].s : smin, smax = c[i].s > smax ? c[i].s : smax;
        tmin = c[i].t < tmin ? c[i].t : tmin, tmax = c[i].t > tmax ? c[i].t : tmax;
        dmin = c[i].diag < dmin ? c[i].diag : dmin, dmax = c[i].diag > dmax ? c[i].diag : dmax;
    }
    size_t pad = (size_t)(w + k);
    size_t s0 = smin > pad ? smin - pad : 0, t0 = tmin > pad ? tmin - pad : 0;
    size_t s1 = smax + k + pad < a->n ? smax + k + pad : a->n;
    size_t t1 = tmax + k + pad < b->n ? tmax + k + pad : b->n;
    int64_t shift = (int64_t)s0 - (int64_t)t0;
    chorus_rc rc = chorus_trace_align(s->ctx, a->cp + s0, s1 - s0, b->cp + t0, t1 - t0,
                                      dmin + shift - BAND, dmax + shift + BAND, sp);
    if (rc || sp->score <= 0)
        return rc;
    sp->a_start += (uint32_t)s0, sp->a_end += (uint32_t)s0;
    sp->b_start += (uint32_t)t0, sp->b_end += (uint32_t)t0;
    return CHORUS_OK;
}

/* 1 when sp's target range is mostly inside one already kept. */
static int overlaps(const chorus_trace_span *kept, size_t n, const chorus_trace_span *sp)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t lo = kept[i].b_start > sp->b_start ? kept[i].b_start : sp->b_start;
        uint32_t hi = kept[i].b_end < sp->b_end ? kept[i].b_end : sp->b_end;
        if (hi > lo && 2 * (hi - lo) >= sp->b_end - sp->b_start)
            return 1;
    }
    return 0;
}

/* Drops spaces matched at either end of a span: they carry no text. */
static void trim_span(const tr *s, chorus_trace_span *sp)
{
    const uint32_t *a = s->src.cp, *b = s->tgt.cp;
    while (sp->a_end > sp->a_start && sp->b_end > sp->b_start && a[sp->a_end - 1] == ' ' &&
           b[sp->b_end - 1] == ' ')
        sp->a_end--, sp->b_end--, sp->columns--, sp->matches--;
    while (sp->a_end > sp->a_start && sp->b_end > sp->b_start && a[sp->a_start] == ' ' &&
           b[sp->b_start] == ' ')
        sp->a_start++, sp->b_start++, sp->columns--, sp->matches--;
}

static chorus_rc add_row(tr *s, uint32_t src_item, uint32_t tgt_item, uint32_t unit,
                         chorus_trace_span *sp)
{
    trim_span(s, sp);
    chorus_trace *r = s->res;
    if (ch_grow(s->ctx, (void **)&r->reuse, &r->cap_reuse, r->n_reuse + 1, sizeof *r->reuse) ||
        ch_grow(s->ctx, (void **)&s->reuse_unit, &s->cap_reuse_unit, r->n_reuse + 1,
                sizeof *s->reuse_unit))
        return CHORUS_ENOMEM;
    const tr_text *a = &s->src, *b = &s->tgt;
    chorus_trace_reuse *x = &r->reuse[r->n_reuse];
    x->source = src_item, x->target = tgt_item;
    x->source_start = a->tb.src_off[a->off[sp->a_start]];
    x->source_end = a->tb.src_off[a->off[sp->a_end]];
    x->target_start = b->tb.src_off[b->off[sp->b_start]];
    x->target_end = b->tb.src_off[b->off[sp->b_end]];
    x->identity = sp->columns ? (float)sp->matches / (float)sp->columns : 0;
    x->coverage = a->n ? (float)(sp->a_end - sp->a_start) / (float)a->n : 0;
    x->score = sp->score;
    s->reuse_unit[r->n_reuse++] = unit;
    return CHORUS_OK;
}

void tr_pair_free(tr *s)
{
    ch_free(s->ctx, s->matches, MAX_MATCHES * sizeof(match));
}

chorus_rc tr_align_pair(tr *s, uint32_t src_item, uint32_t tgt_item, uint32_t unit, uint32_t k,
                        uint32_t w, size_t *added)
{
    *added = 0;
    if (!s->matches && !(s->matches = ch_alloc(s->ctx, MAX_MATCHES * sizeof(match))))
        return ch_nomem(s->ctx);
    match *m = s->matches;
    chorus_rc rc = tr_text_anchors(s, &s->src, k, w);
    size_t n = rc ? 0 : find_matches(&s->src, &s->tgt, m), n_kept = 0;
    /* a span of min_span holds at least this many anchors when w + k - 1
     * is under half of it (winnowing's guarantee, twice over) */
    size_t min_chain = 2 * (size_t)(w + k - 1) <= s->o->min_span ? 2 : 1;
    chorus_trace_span kept[MAX_SPANS];
    if (n < s->o->min_anchors)
        n = 0;
    for (size_t i = 0; i < n && !rc && n_kept < MAX_SPANS;) {
        size_t j = chain_end(m, i, n, k, w);
        if (j - i < min_chain) { /* too few anchors to hold a span of min_span */
            i = j;
            continue;
        }
        chorus_trace_span sp;
        rc = align_chain(s, m + i, j - i, k, w, &sp);
        uint32_t la = sp.a_end - sp.a_start, lb = sp.b_end - sp.b_start;
        if (!rc && sp.score > 0 && (la < lb ? la : lb) >= s->o->min_span &&
            sp.matches >= s->o->min_identity * sp.columns && !overlaps(kept, n_kept, &sp))
            kept[n_kept++] = sp;
        i = j;
    }
    for (size_t i = 0; i < n_kept && !rc; i++)
        rc = add_row(s, src_item, tgt_item, unit, &kept[i]);
    if (!rc)
        *added = n_kept;
    s->res->stats.aligned += n ? 1 : 0;
    return rc;
}
