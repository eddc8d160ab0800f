/*
 * copairs.c - co-action pairs over actions (see coord.h). Actions are
 * radix-sorted by (object, time); a window slides over each object's run,
 * so work follows the co-actions that exist, never all pairs of a run.
 * Each co-action becomes one 16-byte record (packed pair key, the two
 * action indexes), the records are radix-sorted on the pair bits alone,
 * and every pair's statistics come from its run of records in one scan.
 */
#include <chorus/coord.h>

#include "core/ctx.h"
#include "core/radix_sort.h"

#include <stdlib.h>
#include <string.h>

void chorus_copair_defaults(chorus_copair_opts *o)
{
    o->window_ms = 60000;
    o->min_weight = 2;
    o->weight_coactions = 0;
    o->max_object_actions = 0;
    o->keep_evidence = 0;
    o->min_sources = 2;
}

double chorus_copair_balance(const chorus_copair *p)
{
    uint32_t lo = p->part_a < p->part_b ? p->part_a : p->part_b;
    uint32_t hi = p->part_a < p->part_b ? p->part_b : p->part_a;
    return hi ? (double)lo / hi : 0.0;
}

/* Stable sort by (object, time): by time first, then by object. */
static chorus_rc sort_actions(chorus_ctx *ctx, chorus_action *a, size_t n)
{
    if (n < 2)
        return CHORUS_OK;
    if (n > UINT32_MAX)
        return ch_error(ctx, CHORUS_ELIMIT, "more than 2^32 actions in one signal");
    uint64_t *keys = ch_alloc(ctx, n * sizeof *keys);
    uint32_t *idx = ch_alloc(ctx, n * sizeof *idx);
    chorus_action *tmp = ch_alloc(ctx, n * sizeof *tmp);
    chorus_rc rc = (!keys || !idx || !tmp) ? ch_nomem(ctx) : CHORUS_OK;
    int64_t tmin = INT64_MAX;
    for (size_t i = 0; !rc && i < n; i++)
        tmin = a[i].time_ms < tmin ? a[i].time_ms : tmin;
    for (size_t i = 0; !rc && i < n; i++) {
        keys[i] = (uint64_t)(a[i].time_ms - tmin);
        idx[i] = (uint32_t)i;
    }
    if (!rc)
        rc = ch_radix_sort_u64(ctx, keys, idx, n);
    for (size_t i = 0; !rc && i < n; i++)
        keys[i] = a[idx[i]].object;
    if (!rc)
        rc = ch_radix_sort_u64(ctx, keys, idx, n);
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            tmp[i] = a[idx[i]];
        memcpy(a, tmp, n * sizeof *a);
    }
    ch_free(ctx, keys, n * sizeof *keys);
    ch_free(ctx, idx, n * sizeof *idx);
    ch_free(ctx, tmp, n * sizeof *tmp);
    return rc;
}

/* The state of one computation. A record's key is the pair packed in
 * 2 * acc_bits bits (lower account high), its val the two action indexes
 * (i << 32 | j, i before j in time). Records are made object by object,
 * i then j ascending, and the sort is stable, so each pair's run of
 * records comes in that order: by object, then time. */
typedef struct walk {
    chorus_ctx *ctx;
    const chorus_action *a;
    size_t n;
    const chorus_copair_opts *o;
    chorus_copairs *out;
    unsigned acc_bits;
    ch_kv *rec;
    size_t n_rec, rec_cap;
    uint32_t *objects;    /* of each passing pair, after select_pairs */
    size_t n_pass, objects_cap;
    size_t skipped_cap;
} walk;

/* Records an object over the popularity bound. */
static chorus_rc set_aside(walk *w, uint32_t object, size_t len)
{
    chorus_copairs *o = w->out;
    if (ch_grow(w->ctx, (void **)&o->skipped, &w->skipped_cap, o->n_skipped + 1, sizeof *o->skipped))
        return CHORUS_ENOMEM;
    o->skipped[o->n_skipped].object = object;
    o->skipped[o->n_skipped].actions = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    o->n_skipped++;
    return CHORUS_OK;
}

/* The end of the object run that starts at s. */
static size_t run_end(const walk *w, size_t s)
{
    size_t e = s + 1;
    while (e < w->n && w->a[e].object == w->a[s].object)
        e++;
    return e;
}

static int over_bound(const walk *w, size_t s, size_t e)
{
    return w->o->max_object_actions && e - s > w->o->max_object_actions;
}

/* Action pairs within the window on [s, e), same accounts included: the
 * records' bound, in time linear in the run (the window's end only moves
 * forward). */
static size_t window_pairs(const walk *w, size_t s, size_t e)
{
    const chorus_action *a = w->a;
    size_t total = 0, j = s;
    for (size_t i = s; i < e; i++) {
        j = j > i ? j : i + 1;
        while (j < e && a[j].time_ms - a[i].time_ms <= w->o->window_ms)
            j++;
        total += j - i - 1;
    }
    return total;
}

/* Sets aside the runs over the bound and allocates the records of the
 * others, at most one per action pair within the window. */
static chorus_rc reserve(walk *w)
{
    size_t bound = 0;
    for (size_t s = 0; s < w->n;) {
        size_t e = run_end(w, s);
        if (over_bound(w, s, e)) {
            if (set_aside(w, w->a[s].object, e - s))
                return CHORUS_ENOMEM;
        } else
            bound += window_pairs(w, s, e);
        s = e;
    }
    w->rec_cap = bound ? bound : 1;
    w->rec = ch_alloc(w->ctx, w->rec_cap * sizeof *w->rec);
    return w->rec ? CHORUS_OK : ch_nomem(w->ctx);
}

/* One record per co-action (accounts differ) of each run in the bound. */
static void make_records(walk *w)
{
    const chorus_action *a = w->a;
    for (size_t s = 0; s < w->n;) {
        size_t e = run_end(w, s);
        for (size_t i = s; i < e && !over_bound(w, s, e); i++)
            for (size_t j = i + 1; j < e && a[j].time_ms - a[i].time_ms <= w->o->window_ms; j++) {
                uint32_t x = a[i].account, y = a[j].account;
                if (x == y)
                    continue;
                uint64_t key = x < y ? ((uint64_t)x << w->acc_bits) | y
                                     : ((uint64_t)y << w->acc_bits) | x;
                w->rec[w->n_rec++] = (ch_kv){key, (uint64_t)i << 32 | j};
            }
        s = e;
    }
    w->out->coactions_seen = w->n_rec;
}

#define AHEAD 16 /* records between a prefetch and its use */

static inline uint32_t rec_i(const ch_kv *r) { return (uint32_t)(r->val >> 32); }
static inline uint32_t rec_j(const ch_kv *r) { return (uint32_t)r->val; }

/* Distinct objects among the run r[0..m): its records come by object. */
static uint32_t run_objects(const walk *w, const ch_kv *r, size_t m)
{
    uint32_t objects = 1, last = w->a[rec_i(&r[0])].object;
    for (size_t k = 1; k < m; k++) {
        uint32_t o = w->a[rec_i(&r[k])].object;
        objects += o != last;
        last = o;
    }
    return objects;
}

/* The end of the run of records with the key of r[s], prefetching the
 * actions of the records ahead, whose objects the caller may look up. */
static size_t rec_run_end(const walk *w, size_t s)
{
    size_t e = s + 1;
    while (e < w->n_rec && w->rec[e].key == w->rec[s].key)
        e++;
    for (size_t k = s + AHEAD; k < e + AHEAD && k < w->n_rec; k++)
        __builtin_prefetch(&w->a[rec_i(&w->rec[k])]);
    return e;
}

/* Keeps the runs of the pairs whose weight reaches min_weight, moved to
 * the front of the records in order, and their object counts. */
static chorus_rc select_pairs(walk *w)
{
    size_t kept = 0;
    uint32_t minw = w->o->min_weight;
    for (size_t s = 0; s < w->n_rec;) {
        size_t e = rec_run_end(w, s), m = e - s;
        w->out->pairs_seen++;
        uint64_t weight = m;
        uint32_t objects = 0;
        if (m >= minw) { /* objects <= co-actions: below it, neither reaches min_weight */
            objects = run_objects(w, w->rec + s, m);
            weight = w->o->weight_coactions ? m : objects;
        }
        if (weight >= minw) {
            if (ch_grow(w->ctx, (void **)&w->objects, &w->objects_cap, w->n_pass + 1,
                        sizeof *w->objects))
                return CHORUS_ENOMEM;
            w->objects[w->n_pass++] = objects ? objects : run_objects(w, w->rec + s, m);
            memmove(w->rec + kept, w->rec + s, m * sizeof *w->rec);
            kept += m;
        }
        s = e;
    }
    if (w->n_pass >= UINT32_MAX)
        return ch_error(w->ctx, CHORUS_ELIMIT, "more than 2^32 account pairs in one signal");
    void *p = ch_realloc(w->ctx, w->rec, w->rec_cap * sizeof *w->rec,
                         (kept ? kept : 1) * sizeof *w->rec);
    if (!p)
        return ch_nomem(w->ctx);
    w->rec = p;
    w->n_rec = kept;
    w->rec_cap = kept ? kept : 1;
    return CHORUS_OK;
}

/* Scratch of one pair: its delays, and a stamp per action (the pair's
 * number + 1) so that each end's distinct actions count once. */
typedef struct scratch {
    uint64_t *delays;
    size_t cap;
    uint32_t *stamp;
} scratch;

/* Median delay, first and last time and balance of pair k from its run
 * r[0..m), and its evidence rows when kept (space reserved). */
static chorus_rc pair_stats(walk *w, const ch_kv *r, size_t m, uint32_t k, chorus_copair *p,
                            scratch *sc)
{
    const chorus_action *a = w->a;
    if (ch_grow(w->ctx, (void **)&sc->delays, &sc->cap, m, sizeof *sc->delays))
        return CHORUS_ENOMEM;
    p->first_ms = INT64_MAX;
    p->last_ms = INT64_MIN;
    chorus_coaction *ev = w->o->keep_evidence ? w->out->evidence + w->out->n_evidence : NULL;
    for (size_t q = 0; q < m; q++) {
        uint32_t i = rec_i(&r[q]), j = rec_j(&r[q]);
        const chorus_action *ai = &a[i], *aj = &a[j];
        p->first_ms = ai->time_ms < p->first_ms ? ai->time_ms : p->first_ms;
        p->last_ms = aj->time_ms > p->last_ms ? aj->time_ms : p->last_ms;
        /* delays are >= 0 (actions are in time order), so they sort as u64 */
        sc->delays[q] = (uint64_t)(aj->time_ms - ai->time_ms);
        int lower_first = ai->account < aj->account;
        uint32_t ia = lower_first ? i : j, ib = lower_first ? j : i;
        p->part_a += sc->stamp[ia] != k + 1; /* an action is at one end only */
        p->part_b += sc->stamp[ib] != k + 1;
        sc->stamp[ia] = sc->stamp[ib] = k + 1;
        if (ev)
            ev[q] = (chorus_coaction){k, ai->object, a[ia].time_ms, a[ib].time_ms};
    }
    w->out->n_evidence += ev ? m : 0;
    chorus_rc rc = ch_radix_sort_u64(w->ctx, sc->delays, NULL, m);
    p->median_delay_ms = (int64_t)sc->delays[(m - 1) / 2];
    return rc;
}

/* Prefetches what pair_stats reads of the records [s, e). */
static void prefetch_recs(const walk *w, const uint32_t *stamp, size_t s, size_t e)
{
    for (size_t k = s; k < e && k < w->n_rec; k++) {
        uint32_t i = rec_i(&w->rec[k]), j = rec_j(&w->rec[k]);
        __builtin_prefetch(&w->a[i]);
        __builtin_prefetch(&w->a[j]);
        __builtin_prefetch(&stamp[i]);
        __builtin_prefetch(&stamp[j]);
    }
}

/* After select_pairs: one chorus_copair per passing pair, in key order. */
static chorus_rc build_pairs(walk *w, const uint32_t *acts)
{
    chorus_copairs *o = w->out;
    size_t n = w->n_rec, np = w->n_pass;
    o->pairs = ch_calloc(w->ctx, (np ? np : 1) * sizeof *o->pairs);
    if (w->o->keep_evidence)
        o->evidence = ch_alloc(w->ctx, (n ? n : 1) * sizeof *o->evidence);
    scratch sc = {NULL, 0, ch_calloc(w->ctx, (w->n ? w->n : 1) * sizeof *sc.stamp)};
    chorus_rc rc = CHORUS_OK;
    if (!o->pairs || (w->o->keep_evidence && !o->evidence) || !sc.stamp)
        rc = ch_nomem(w->ctx);
    uint64_t mask = ((uint64_t)1 << w->acc_bits) - 1;
    prefetch_recs(w, sc.stamp, 0, AHEAD);
    size_t k = 0;
    for (size_t s = 0; !rc && s < n; k++) {
        size_t e = s + 1;
        while (e < n && w->rec[e].key == w->rec[s].key)
            e++;
        prefetch_recs(w, sc.stamp, s + AHEAD, e + AHEAD);
        chorus_copair *p = &o->pairs[k];
        p->a = (uint32_t)(w->rec[s].key >> w->acc_bits);
        p->b = (uint32_t)(w->rec[s].key & mask);
        p->objects = w->objects[k];
        p->coactions = e - s;
        p->actions_a = acts[p->a];
        p->actions_b = acts[p->b];
        p->p_value = 1.0;
        rc = pair_stats(w, w->rec + s, e - s, (uint32_t)k, p, &sc);
        s = e;
    }
    o->n = k;
    ch_free(w->ctx, sc.delays, sc.cap * sizeof *sc.delays);
    ch_free(w->ctx, sc.stamp, (w->n ? w->n : 1) * sizeof *sc.stamp);
    return rc;
}

/* Actions per account (index up to the largest account seen). */
static uint32_t *count_actions(chorus_ctx *ctx, const chorus_action *a, size_t n, size_t *len)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = a[i].account > max ? a[i].account : max;
    *len = (size_t)max + 1;
    uint32_t *c = ch_calloc(ctx, *len * sizeof *c);
    if (!c) {
        ch_nomem(ctx);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        c[a[i].account]++;
    return c;
}

/* Records, sorted by pair, selected, then the pairs. */
static chorus_rc pairs_of(walk *w, const uint32_t *acts, size_t n_acc)
{
    while (((size_t)1 << w->acc_bits) < n_acc)
        w->acc_bits++;
    chorus_rc rc = reserve(w);
    if (!rc) {
        make_records(w);
        rc = ch_radix_sort_kv(w->ctx, w->rec, w->n_rec, 2 * w->acc_bits);
    }
    if (!rc)
        rc = select_pairs(w);
    return rc ? rc : build_pairs(w, acts);
}

/* Gives the skipped objects their exact size, so that free() knows it. */
static chorus_rc fit_skipped(walk *w)
{
    chorus_copairs *out = w->out;
    if (w->skipped_cap <= out->n_skipped)
        return CHORUS_OK;
    void *p = ch_realloc(w->ctx, out->skipped, w->skipped_cap * sizeof *out->skipped,
                         (out->n_skipped ? out->n_skipped : 1) * sizeof *out->skipped);
    if (!p)
        return ch_nomem(w->ctx);
    out->skipped = p;
    w->skipped_cap = out->n_skipped;
    return CHORUS_OK;
}

chorus_rc chorus_copairs_compute(chorus_ctx *ctx, chorus_action *actions, size_t n,
                                 const chorus_copair_opts *opts, chorus_copairs *out)
{
    chorus_copair_opts defaults;
    if (!opts) {
        chorus_copair_defaults(&defaults);
        opts = &defaults;
    }
    memset(out, 0, sizeof *out);
    if (opts->window_ms < 0)
        return ch_error(ctx, CHORUS_EUSAGE, "the co-action window must not be negative");
    walk w = {.ctx = ctx, .a = actions, .n = n, .o = opts, .out = out};
    size_t n_acc = 0;
    uint32_t *acts = NULL;
    chorus_rc rc = sort_actions(ctx, actions, n);
    if (!rc && n && !(acts = count_actions(ctx, actions, n, &n_acc)))
        rc = CHORUS_ENOMEM;
    if (!rc)
        rc = pairs_of(&w, acts, n_acc);
    if (!rc)
        rc = fit_skipped(&w);
    ch_free(ctx, acts, n_acc * sizeof *acts);
    ch_free(ctx, w.rec, w.rec ? w.rec_cap * sizeof *w.rec : 0);
    ch_free(ctx, w.objects, w.objects_cap * sizeof *w.objects);
    if (rc)
        chorus_copairs_free(ctx, out);
    return rc;
}

void chorus_copairs_free(chorus_ctx *ctx, chorus_copairs *c)
{
    ch_free(ctx, c->pairs, (c->n ? c->n : 1) * sizeof *c->pairs);
    ch_free(ctx, c->skipped, (c->n_skipped ? c->n_skipped : 1) * sizeof *c->skipped);
    ch_free(ctx, c->evidence, (c->evidence ? (c->n_evidence ? c->n_evidence : 1) : 0) * sizeof *c->evidence);
    memset(c, 0, sizeof *c);
}

typedef struct spread {
    int64_t second, half; /* time to the second action; to half of the actions */
} spread;

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_second(const void *x, const void *y)
{
    const spread *a = x, *b = y;
    return a->second < b->second ? -1 : a->second > b->second;
}

chorus_rc chorus_window_auto(chorus_ctx *ctx, chorus_action *actions, size_t n, int64_t *window_ms)
{
    chorus_rc rc = sort_actions(ctx, actions, n);
    spread *sp = rc ? NULL : ch_alloc(ctx, (n ? n : 1) * sizeof *sp);
    if (!rc && !sp)
        rc = ch_nomem(ctx);
    size_t m = 0;
    for (size_t s = 0; !rc && s < n;) {
        size_t e = s + 1;
        while (e < n && actions[e].object == actions[s].object)
            e++;
        size_t k = e - s, h = (k + 1) / 2 - 1;
        if (k >= 2)
            sp[m++] = (spread){actions[s + 1].time_ms - actions[s].time_ms,
                               actions[s + (h < 1 ? 1 : h)].time_ms - actions[s].time_ms};
        s = e;
    }
    if (!rc && m == 0)
        rc = ch_error(ctx, CHORUS_EINPUT, "--window auto: no object was acted on twice");
    if (!rc) {
        qsort(sp, m, sizeof *sp, cmp_second);
        size_t q = m / 10 ? m / 10 : 1; /* the quickest 10% */
        int64_t *half = (int64_t *)sp; /* reuse the array: half values of the quickest */
        for (size_t i = 0; i < q; i++)
            half[i] = sp[i].half;
        qsort(half, q, sizeof *half, cmp_i64);
        *window_ms = half[(q - 1) / 2] < 1000 ? 1000 : half[(q - 1) / 2];
    }
    ch_free(ctx, sp, (n ? n : 1) * sizeof *sp);
    return rc;
}
