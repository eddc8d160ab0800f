/*
 * dedup_center.c - center linkage. Each band's buckets are numbered (the
 * band hashes are overwritten with bucket numbers); then the distinct
 * texts, in order of priority (more copies first, then first seen), join
 * the first similar center they share a bucket with, or become a center.
 * Members are all similar to their center: no chains. On several
 * threads, the bands are numbered side by side, and each block of texts
 * is first compared with the centers of the blocks before it, side by
 * side (a plan per text), then taken in order: the result is the same on
 * any number of threads.
 */
#include "text/dedup_impl.h"

#include "core/parallel.h"
#include "core/radix_sort.h"

#include <stdio.h>
#include <string.h>

/* Centers kept per bucket: a text is compared with at most this many per
 * band (and each center once), so a bucket of any size stays linear. */
#define CENTERS 4
#define NONE UINT32_MAX
#define PROGRESS_EVERY 65536
#define BLOCK 2048
#define MAX_MET (CH_MH_BANDS * CENTERS)
#define MAX_THREADS CH_PARALLEL_MAX

_Static_assert(MAX_MET <= UINT8_MAX, "a plan's length fits a byte");

/* Per band, per bucket: its centers in the order they came, NONE after
 * the last (one cache line holds a bucket's centers). */
typedef struct center_run {
    uint32_t *slot[CH_MH_BANDS];
    uint32_t nb[CH_MH_BANDS];                 /* buckets of 2 or more texts */
    uint32_t compared[CH_MH_BANDS * CENTERS]; /* centers the current text met */
    size_t n_compared;
} center_run;

/* One thread's share of the band numbering: bands first, first + step,
 * ..., with its own scratch and context (share 0: the run's). */
typedef struct numberer {
    ch_dd_texts *t;
    center_run *cr;
    chorus_ctx *ctx;
    uint64_t *keys;
    uint32_t *vals;
    unsigned first, step;
    chorus_rc rc;
    char msg[256];
} numberer;

/* Rewrites band b as bucket numbers (NONE for a text alone in its
 * bucket) and gives each bucket of 2 or more texts its centers' slots. */
static chorus_rc number_band(numberer *w, unsigned b)
{
    size_t n = w->t->n;
    uint32_t m = 0, *band = w->t->band[b];
    for (size_t x = 0; x < n; x++) {
        w->keys[x] = band[x];
        w->vals[x] = (uint32_t)x;
    }
    chorus_rc rc = ch_radix_sort_u64(w->ctx, w->keys, w->vals, n); /* stable: ids in order */
    if (rc)
        return rc;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && w->keys[j] == w->keys[i]; j++)
            ;
        uint32_t id = j - i >= 2 ? m++ : NONE;
        for (size_t k = i; k < j; k++)
            band[w->vals[k]] = id;
    }
    w->cr->nb[b] = m;
    size_t bytes = ((size_t)m + 1) * CENTERS * sizeof(uint32_t);
    if (!(w->cr->slot[b] = ch_alloc(w->ctx, bytes)))
        return ch_nomem(w->ctx);
    memset(w->cr->slot[b], 0xFF, bytes);
    return CHORUS_OK;
}

static void *number_share(void *arg)
{
    numberer *w = arg;
    for (unsigned b = w->first; b < CH_MH_BANDS && !w->rc; b += w->step)
        w->rc = number_band(w, b);
    if (w->rc)
        snprintf(w->msg, sizeof w->msg, "%s", chorus_errmsg(w->ctx));
    return NULL;
}

/* Shares 1 .. n-1 of the band numbering: their contexts and scratch;
 * returns how many shares there are (fewer when memory is short). */
static unsigned numberers_new(ch_dd_run *r, numberer *w, unsigned n)
{
    size_t len = r->t.n + 1;
    for (unsigned t = 1; t < n; t++) {
        w[t] = w[0];
        w[t].ctx = chorus_ctx_new(r->ctx->alloc, r->ctx->alloc_ud);
        w[t].keys = w[t].ctx ? ch_alloc(w[t].ctx, len * sizeof *w[t].keys) : NULL;
        w[t].vals = w[t].keys ? ch_alloc(w[t].ctx, len * sizeof *w[t].vals) : NULL;
        if (!w[t].vals) {
            if (w[t].ctx)
                ch_free(w[t].ctx, w[t].keys, len * sizeof *w[t].keys);
            chorus_ctx_free(w[t].ctx);
            n = t;
        }
    }
    for (unsigned t = 0; t < n; t++) {
        w[t].first = t;
        w[t].step = n;
    }
    return n;
}

/* Every band numbered, on up to r->o.threads threads; keys and vals are
 * the calling thread's scratch (r->t.n each). */
static chorus_rc number_bands(ch_dd_run *r, center_run *cr, uint64_t *keys, uint32_t *vals)
{
    numberer w[MAX_THREADS];
    unsigned want = r->o.threads < CH_MH_BANDS ? r->o.threads : CH_MH_BANDS;
    w[0] = (numberer){&r->t, cr, r->ctx, keys, vals, 0, 1, CHORUS_OK, ""};
    unsigned n = numberers_new(r, w, want > MAX_THREADS ? MAX_THREADS : want < 1 ? 1 : want);
    size_t len = r->t.n + 1, scratch = len * 12 + (n - 1) * len * 24; /* sorts', shares' */
    ch_dd_account(r, (int64_t)scratch);
    ch_parallel(number_share, w, sizeof *w, n);
    chorus_rc rc = w[0].rc;
    for (unsigned t = 1; t < n; t++) {
        if (w[t].rc && !rc)
            rc = ch_error(r->ctx, w[t].rc, "%s", w[t].msg);
        ch_free(w[t].ctx, w[t].keys, len * sizeof *w[t].keys);
        ch_free(w[t].ctx, w[t].vals, len * sizeof *w[t].vals);
        chorus_ctx_free(w[t].ctx);
    }
    ch_dd_account(r, -(int64_t)scratch);
    for (unsigned b = 0; b < CH_MH_BANDS; b++)
        if (cr->slot[b])
            ch_dd_account(r, (int64_t)(((size_t)cr->nb[b] + 1) * CENTERS * sizeof(uint32_t)));
    if (!rc && ch_progress(r->ctx, "dedup: bands", CH_MH_BANDS, CH_MH_BANDS, CH_MH_BANDS))
        rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    return rc;
}

/* Whether c is in list[0..*n); adds it if not (a text meets a center once). */
static int seen(uint32_t *list, size_t *n, uint32_t c)
{
    for (size_t i = 0; i < *n; i++)
        if (list[i] == c)
            return 1;
    list[(*n)++] = c;
    return 0;
}

/* What a plan says of one center a text meets: met before; compared, not
 * similar; similar (the plan ends); shingled unlike the text (compared
 * when the text is taken, as that needs the corpus). */
enum { MET_SEEN, MET_FAR, MET_NEAR, MET_LATER };

typedef struct met {
    uint32_t center, what;
    double jaccard, containment;
} met;

/* The plans of a block: per text, up to MAX_MET centers it meets. */
typedef struct block_plan {
    const ch_dd_run *r;
    const center_run *cr;
    const uint64_t *order; /* the texts in order (low 32 bits) */
    const uint32_t *rank;  /* per text: its place in order */
    size_t from, to;       /* the block: order[from .. to) */
    unsigned threads;
    met *met;              /* text order[from + i]: met[i * MAX_MET ..] */
    uint8_t *n_met;
} block_plan;

/* A center met by the text being taken: from its plan when the center is
 * older than the block, else compared now. */
static chorus_rc meet(ch_dd_run *r, center_run *cr, const block_plan *bp, uint32_t x,
                      uint32_t c, const met **m, const met *end, int *joined)
{
    chorus_dedup_stats *st = &r->d->stats;
    st->candidates++;
    if (!bp || bp->rank[c] >= bp->from) {
        if (seen(cr->compared, &cr->n_compared, c))
            return st->linked++, CHORUS_OK;
        return ch_dd_judge(r, c, x, joined);
    }
    if (*m == end || (*m)->center != c)
        return ch_error(r->ctx, CHORUS_EINTERNAL, "dedup: a plan out of step");
    const met *e = (*m)++;
    if (e->what == MET_SEEN)
        return st->linked++, CHORUS_OK;
    return e->what == MET_LATER ? ch_dd_judge(r, c, x, joined)
                                : ch_dd_record(r, c, x, e->jaccard, e->containment, joined);
}

/* Compares x with the centers of its buckets, band by band, and stops at
 * the first similar one (x is then its member, *joined); with a plan,
 * m[0 .. n_m) is x's. Trying first the centers that share the most bands
 * was measured: gathering all 42 bands costs a cache miss a band for
 * every text (slower), and gathering 7 at a time saved 14% of the
 * comparisons but no time. */
static chorus_rc try_centers(ch_dd_run *r, center_run *cr, const block_plan *bp, uint32_t x,
                             const met *m, size_t n_m, int *joined)
{
    chorus_rc rc = CHORUS_OK;
    const met *end = m ? m + n_m : NULL;
    cr->n_compared = 0;
    for (unsigned b = 0; b < CH_MH_BANDS && !rc && !*joined; b++) {
        uint32_t bk = r->t.band[b][x];
        const uint32_t *in = bk == NONE ? NULL : cr->slot[b] + (size_t)bk * CENTERS;
        for (unsigned k = 0; in && k < CENTERS && in[k] != NONE && !rc && !*joined; k++) {
            rc = meet(r, cr, bp, x, in[k], &m, end, joined);
            if (!rc && *joined)
                r->parent[x] = in[k];
        }
    }
    return rc;
}

/* x's plan against the centers there are now (reads only). */
static uint8_t plan_text(const ch_dd_run *r, const center_run *cr, uint32_t x, met *m)
{
    uint32_t met_before[MAX_MET];
    size_t n = 0, n_before = 0;
    for (unsigned b = 0; b < CH_MH_BANDS; b++) {
        uint32_t bk = r->t.band[b][x];
        const uint32_t *in = bk == NONE ? NULL : cr->slot[b] + (size_t)bk * CENTERS;
        for (unsigned k = 0; in && k < CENTERS && in[k] != NONE; k++) {
            met *e = &m[n++];
            *e = (met){in[k], MET_SEEN, 0, 0};
            if (seen(met_before, &n_before, in[k]))
                continue;
            if (ch_dd_is_words(&r->t, in[k]) != ch_dd_is_words(&r->t, x)) {
                e->what = MET_LATER;
                continue;
            }
            ch_dd_compare_kept(r, in[k], x, &e->jaccard, &e->containment);
            e->what = ch_dd_passes(r, e->jaccard, e->containment) ? MET_NEAR : MET_FAR;
            if (e->what == MET_NEAR)
                return (uint8_t)n;
        }
    }
    return (uint8_t)n;
}

/* x becomes a center in each of its buckets that has room. */
static void add_center(ch_dd_run *r, center_run *cr, uint32_t x)
{
    for (unsigned b = 0; b < CH_MH_BANDS; b++) {
        uint32_t bk = r->t.band[b][x];
        uint32_t *in = bk == NONE ? NULL : cr->slot[b] + (size_t)bk * CENTERS;
        for (unsigned k = 0; in && k < CENTERS; k++)
            if (in[k] == NONE) {
                in[k] = x;
                break;
            }
    }
}

/* The loads of the texts three, two and one steps ahead in order (their
 * bucket numbers; their buckets' centers; those centers' sets) start now,
 * so that their cache misses overlap instead of following one another. */
static void prefetch_ahead(const ch_dd_run *r, const center_run *cr, const uint64_t *order,
                           size_t to, size_t i, size_t step)
{
    const ch_dd_texts *t = &r->t;
    for (unsigned b = 0; b < CH_MH_BANDS && i + 3 * step < to; b++)
        __builtin_prefetch(&t->band[b][(uint32_t)order[i + 3 * step]]);
    for (unsigned b = 0; b < CH_MH_BANDS && i + 2 * step < to; b++) {
        uint32_t bk = t->band[b][(uint32_t)order[i + 2 * step]];
        if (bk != NONE)
            __builtin_prefetch(cr->slot[b] + (size_t)bk * CENTERS);
    }
    for (unsigned b = 0; b < CH_MH_BANDS && i + step < to; b++) {
        uint32_t bk = t->band[b][(uint32_t)order[i + step]];
        const uint32_t *in = bk == NONE ? NULL : cr->slot[b] + (size_t)bk * CENTERS;
        for (unsigned k = 0; in && k < CENTERS && in[k] != NONE; k++) {
            __builtin_prefetch(&t->set[in[k]]);
            __builtin_prefetch(&t->set_n[in[k]]);
        }
    }
}

typedef struct planner {
    block_plan *bp;
    unsigned t;
} planner;

/* Thread t's share of a block: every threads-th text from its t-th. */
static void *plan_share(void *arg)
{
    const planner *p = arg;
    block_plan *bp = p->bp;
    for (size_t i = bp->from + p->t; i < bp->to; i += bp->threads) {
        prefetch_ahead(bp->r, bp->cr, bp->order, bp->to, i, bp->threads);
        size_t k = i - bp->from;
        bp->n_met[k] = plan_text(bp->r, bp->cr, (uint32_t)bp->order[i], bp->met + k * MAX_MET);
    }
    return NULL;
}

/* The plans of block [from, to), on bp->threads threads (this one
 * included). */
static void plan_block(block_plan *bp, size_t from, size_t to)
{
    planner p[MAX_THREADS];
    bp->from = from;
    bp->to = to;
    for (unsigned t = 0; t < bp->threads; t++)
        p[t] = (planner){bp, t};
    ch_parallel(plan_share, p, sizeof *p, bp->threads);
}

/* Takes the texts order[from .. to) in order: each joins a center or
 * becomes one. */
static chorus_rc take_block(ch_dd_run *r, center_run *cr, const block_plan *bp,
                            const uint64_t *order, size_t from, size_t to)
{
    chorus_rc rc = CHORUS_OK;
    for (size_t i = from; i < to && !rc; i++) {
        uint32_t x = (uint32_t)order[i];
        int joined = 0;
        prefetch_ahead(r, cr, order, to, i, 1);
        const met *m = bp ? bp->met + (i - from) * MAX_MET : NULL;
        if (!(rc = try_centers(r, cr, bp, x, m, bp ? bp->n_met[i - from] : 0, &joined)) && !joined)
            add_center(r, cr, x);
        if (!rc && i % PROGRESS_EVERY == 0 &&
            ch_progress(r->ctx, "dedup: centers", i, r->t.n, i))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
    return rc;
}

/* The texts in order of priority: more copies first, then first seen;
 * on several threads block by block, each planned before it is taken. */
static chorus_rc link_in_order(ch_dd_run *r, center_run *cr, uint64_t *keys, uint32_t *rank)
{
    size_t n = r->t.n;
    for (size_t x = 0; x < n; x++)
        keys[x] = (uint64_t)(UINT32_MAX - r->t.count[x]) << 32 | x;
    chorus_rc rc = ch_radix_sort_u64(r->ctx, keys, NULL, n);
    unsigned threads = r->o.threads > MAX_THREADS ? MAX_THREADS : r->o.threads;
    if (rc || threads < 2 || n <= BLOCK)
        return rc ? rc : take_block(r, cr, NULL, keys, 0, n);
    for (size_t i = 0; i < n; i++)
        rank[(uint32_t)keys[i]] = (uint32_t)i;
    size_t bytes = (size_t)BLOCK * MAX_MET * sizeof(met);
    block_plan bp = {r, cr, keys, rank, 0, 0, threads, ch_alloc(r->ctx, bytes),
                     ch_alloc(r->ctx, BLOCK)};
    if (!bp.met || !bp.n_met)
        rc = ch_nomem(r->ctx);
    ch_dd_account(r, (int64_t)bytes + BLOCK);
    for (size_t from = 0; from < n && !rc; from += BLOCK) {
        size_t to = n - from < BLOCK ? n : from + BLOCK;
        plan_block(&bp, from, to);
        rc = take_block(r, cr, &bp, keys, from, to);
    }
    ch_free(r->ctx, bp.met, bytes);
    ch_free(r->ctx, bp.n_met, BLOCK);
    ch_dd_account(r, -(int64_t)bytes - BLOCK);
    return rc;
}

static void center_free(ch_dd_run *r, center_run *cr)
{
    for (unsigned b = 0; b < CH_MH_BANDS; b++) {
        size_t bytes = ((size_t)cr->nb[b] + 1) * CENTERS * sizeof(uint32_t);
        ch_free(r->ctx, cr->slot[b], bytes);
        ch_dd_account(r, cr->slot[b] ? -(int64_t)bytes : 0);
    }
    ch_free(r->ctx, cr, sizeof *cr);
}

chorus_rc ch_dd_link_center(ch_dd_run *r, uint64_t *keys, uint32_t *vals)
{
    center_run *cr = ch_calloc(r->ctx, sizeof *cr);
    if (!cr)
        return ch_nomem(r->ctx);
    chorus_rc rc = number_bands(r, cr, keys, vals);
    if (!rc)
        rc = link_in_order(r, cr, keys, vals);
    center_free(r, cr);
    return rc;
}
