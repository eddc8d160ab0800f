/*
 * copairs.c - co-action pairs over actions (see coord.h). Actions are
 * radix-sorted by (object, time); a window slides over each object's run,
 * so work follows the co-actions that exist, never all pairs of a run.
 * Pass 1 counts each account pair's objects and co-actions from packed
 * (a << 32 | b) keys; pass 2 collects delays only for pairs that pass.
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

/* Growable arrays of u64 keys with a u32 or record payload. */
typedef struct u64vec {
    uint64_t *v;
    size_t n, cap;
} u64vec;

static chorus_rc push64(chorus_ctx *ctx, u64vec *a, uint64_t x)
{
    if (a->n == a->cap && ch_grow(ctx, (void **)&a->v, &a->cap, a->n + 1, sizeof *a->v))
        return CHORUS_ENOMEM;
    a->v[a->n++] = x;
    return CHORUS_OK;
}

static void free64(chorus_ctx *ctx, u64vec *a)
{
    ch_free(ctx, a->v, a->cap * sizeof *a->v);
    memset(a, 0, sizeof *a);
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

static inline uint64_t pair_key(uint32_t x, uint32_t y)
{
    return x < y ? ((uint64_t)x << 32) | y : ((uint64_t)y << 32) | x;
}

/* The state both passes share while walking object runs. */
typedef struct walk {
    chorus_ctx *ctx;
    const chorus_action *a;
    size_t n;
    const chorus_copair_opts *o;
    chorus_copairs *out;
    /* pass 1 */
    u64vec local;          /* this object's co-action keys */
    u64vec keys;           /* distinct (pair, object): pair keys */
    uint32_t *cnt;         /* co-actions per (pair, object), parallel to keys */
    size_t cnt_cap;
    /* pass 2 */
    const uint64_t *pass; /* keys of the pairs that passed, sorted */
    size_t n_pass;
    uint64_t *set;        /* the same keys, hashed (open addressing, 0 = empty) */
    size_t set_mask;
    unsigned set_shift;   /* 64 - log2(slots): the product's top bits pick a slot */
    u64vec rec_keys;      /* one per co-action of a passing pair */
    struct coact *rec;
    size_t rec_cap;
    size_t skipped_cap;
} walk;

typedef struct coact {
    int64_t first, last, delay;
    uint32_t ia, ib; /* action indexes of the pair's lower and higher account */
} coact;

/* Records an object over the popularity bound (pass 1 only). */
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

/* Pass 1 on one object's run [s, e): its distinct pair keys, each with
 * the number of co-actions, appended to w->keys / w->cnt. */
static chorus_rc count_run(walk *w, size_t s, size_t e)
{
    const chorus_action *a = w->a;
    chorus_rc rc = CHORUS_OK;
    w->local.n = 0;
    for (size_t i = s; i < e && !rc; i++)
        for (size_t j = i + 1; j < e && a[j].time_ms - a[i].time_ms <= w->o->window_ms && !rc; j++)
            if (a[i].account != a[j].account)
                rc = push64(w->ctx, &w->local, pair_key(a[i].account, a[j].account));
    if (rc || (rc = ch_radix_sort_u64(w->ctx, w->local.v, NULL, w->local.n)))
        return rc;
    w->out->coactions_seen += w->local.n;
    for (size_t i = 0; i < w->local.n;) {
        size_t j = i;
        while (j < w->local.n && w->local.v[j] == w->local.v[i])
            j++;
        if ((rc = push64(w->ctx, &w->keys, w->local.v[i])) ||
            ch_grow(w->ctx, (void **)&w->cnt, &w->cnt_cap, w->keys.n, sizeof *w->cnt))
            return rc ? rc : CHORUS_ENOMEM;
        w->cnt[w->keys.n - 1] = (uint32_t)(j - i);
        i = j;
    }
    return CHORUS_OK;
}

static size_t slot_of(const walk *w, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> w->set_shift);
}

/* Whether the pair passed: one hash probe (about one cache miss) per
 * co-action, where a binary search over millions of keys costs a dozen.
 * Key 0 never occurs: a pair's accounts differ, so its low half is > 0. */
static int passes(const walk *w, uint64_t key)
{
    for (size_t i = slot_of(w, key);; i = (i + 1) & w->set_mask) {
        if (w->set[i] == key)
            return 1;
        if (w->set[i] == 0)
            return 0;
    }
}

/* The hash set of the passing keys, at most half full. */
static chorus_rc build_set(walk *w)
{
    size_t ns = 16;
    w->set_shift = 60;
    while (ns < 2 * w->n_pass + 2)
        ns *= 2, w->set_shift--;
    w->set = ch_calloc(w->ctx, ns * sizeof *w->set);
    if (!w->set)
        return ch_nomem(w->ctx);
    w->set_mask = ns - 1;
    for (size_t k = 0; k < w->n_pass; k++) {
        size_t i = slot_of(w, w->pass[k]);
        while (w->set[i])
            i = (i + 1) & w->set_mask;
        w->set[i] = w->pass[k];
    }
    return CHORUS_OK;
}

/* Pass 2 on one object's run: a record per co-action of a passing pair. */
static chorus_rc collect_run(walk *w, size_t s, size_t e)
{
    const chorus_action *a = w->a;
    for (size_t i = s; i < e; i++)
        for (size_t j = i + 1; j < e && a[j].time_ms - a[i].time_ms <= w->o->window_ms; j++) {
            if (a[i].account == a[j].account)
                continue;
            uint64_t key = pair_key(a[i].account, a[j].account);
            if (!passes(w, key))
                continue;
            if (push64(w->ctx, &w->rec_keys, key) ||
                ch_grow(w->ctx, (void **)&w->rec, &w->rec_cap, w->rec_keys.n, sizeof *w->rec))
                return CHORUS_ENOMEM;
            int lower_first = a[i].account < a[j].account;
            w->rec[w->rec_keys.n - 1] = (coact){a[i].time_ms, a[j].time_ms,
                                                a[j].time_ms - a[i].time_ms,
                                                (uint32_t)(lower_first ? i : j),
                                                (uint32_t)(lower_first ? j : i)};
        }
    return CHORUS_OK;
}

/* Calls pass 1 or 2 on every object run, setting aside runs over the bound. */
static chorus_rc walk_runs(walk *w, int pass)
{
    chorus_rc rc = CHORUS_OK;
    for (size_t s = 0; s < w->n && !rc;) {
        size_t e = s + 1;
        while (e < w->n && w->a[e].object == w->a[s].object)
            e++;
        uint32_t bound = w->o->max_object_actions;
        if (bound && e - s > bound)
            rc = pass == 1 ? set_aside(w, w->a[s].object, e - s) : CHORUS_OK;
        else
            rc = pass == 1 ? count_run(w, s, e) : collect_run(w, s, e);
        s = e;
    }
    return rc;
}

/* After pass 1: the keys of pairs whose weight reaches min_weight, in key
 * order, with their object counts. */
static chorus_rc select_pairs(walk *w, uint32_t **objects)
{
    size_t n = w->keys.n;
    uint32_t *idx = ch_alloc(w->ctx, (n ? n : 1) * sizeof *idx);
    *objects = ch_alloc(w->ctx, (n ? n : 1) * sizeof **objects);
    if (!idx || !*objects) {
        ch_free(w->ctx, idx, (n ? n : 1) * sizeof *idx);
        return ch_nomem(w->ctx);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    chorus_rc rc = ch_radix_sort_u64(w->ctx, w->keys.v, idx, n);
    size_t kept = 0;
    for (size_t i = 0; !rc && i < n;) {
        size_t j = i;
        uint64_t coactions = 0;
        while (j < n && w->keys.v[j] == w->keys.v[i])
            coactions += w->cnt[idx[j++]];
        uint64_t weight = w->o->weight_coactions ? coactions : (uint64_t)(j - i);
        w->out->pairs_seen++;
        if (weight >= w->o->min_weight) {
            w->keys.v[kept] = w->keys.v[i];
            (*objects)[kept++] = (uint32_t)(j - i);
        }
        i = j;
    }
    ch_free(w->ctx, idx, (n ? n : 1) * sizeof *idx);
    w->pass = w->keys.v;
    w->n_pass = kept;
    return rc ? rc : build_set(w);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Distinct values among v[0..n) (sorts v). */
static size_t distinct(chorus_ctx *ctx, uint64_t *v, size_t n, chorus_rc *rc)
{
    if ((*rc = ch_radix_sort_u64(ctx, v, NULL, n)))
        return 0;
    size_t d = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        d += v[i] != v[i - 1];
    return d;
}

/* One pair from its co-action records idx[s..e) (all the same key). */
static chorus_rc make_pair(walk *w, const uint32_t *idx, size_t s, size_t e, chorus_copair *p,
                           u64vec *scratch)
{
    size_t m = e - s;
    if (ch_grow(w->ctx, (void **)&scratch->v, &scratch->cap, m, sizeof *scratch->v))
        return CHORUS_ENOMEM;
    int64_t *delays = (int64_t *)scratch->v;
    p->first_ms = INT64_MAX;
    p->last_ms = INT64_MIN;
    for (size_t k = 0; k < m; k++) {
        const coact *c = &w->rec[idx[s + k]];
        p->first_ms = c->first < p->first_ms ? c->first : p->first_ms;
        p->last_ms = c->last > p->last_ms ? c->last : p->last_ms;
        delays[k] = c->delay;
    }
    /* delays are >= 0 (actions are in time order), so they sort as u64 */
    chorus_rc rc = ch_radix_sort_u64(w->ctx, scratch->v, NULL, m);
    if (rc)
        return rc;
    p->median_delay_ms = delays[(m - 1) / 2];
    p->coactions = m;
    for (size_t k = 0; k < m; k++)
        scratch->v[k] = w->rec[idx[s + k]].ia;
    p->part_a = (uint32_t)distinct(w->ctx, scratch->v, m, &rc);
    for (size_t k = 0; !rc && k < m; k++)
        scratch->v[k] = w->rec[idx[s + k]].ib;
    if (!rc)
        p->part_b = (uint32_t)distinct(w->ctx, scratch->v, m, &rc);
    return rc;
}

/* The co-actions idx[s..e) of pair k, as evidence rows (space reserved). */
static void add_evidence(walk *w, const uint32_t *idx, size_t s, size_t e, uint32_t k)
{
    for (size_t i = s; i < e; i++) {
        const coact *c = &w->rec[idx[i]];
        w->out->evidence[w->out->n_evidence++] =
            (chorus_coaction){k, w->a[c->ia].object, w->a[c->ia].time_ms, w->a[c->ib].time_ms};
    }
}

/* After pass 2: one chorus_copair per passing pair, in key order. */
static chorus_rc build_pairs(walk *w, const uint32_t *objects, const uint32_t *acts)
{
    size_t n = w->rec_keys.n;
    chorus_copairs *o = w->out;
    uint32_t *idx = ch_alloc(w->ctx, (n ? n : 1) * sizeof *idx);
    o->pairs = ch_calloc(w->ctx, (w->n_pass ? w->n_pass : 1) * sizeof *o->pairs);
    if (w->o->keep_evidence)
        o->evidence = ch_alloc(w->ctx, (n ? n : 1) * sizeof *o->evidence);
    if (!idx || !o->pairs || (w->o->keep_evidence && !o->evidence)) {
        ch_free(w->ctx, idx, (n ? n : 1) * sizeof *idx);
        return ch_nomem(w->ctx);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    chorus_rc rc = ch_radix_sort_u64(w->ctx, w->rec_keys.v, idx, n);
    u64vec scratch = {0};
    size_t k = 0;
    for (size_t i = 0; !rc && i < n; k++) {
        size_t j = i;
        while (j < n && w->rec_keys.v[j] == w->rec_keys.v[i])
            j++;
        if (w->o->keep_evidence)
            add_evidence(w, idx, i, j, (uint32_t)k);
        chorus_copair *p = &o->pairs[k];
        p->a = (uint32_t)(w->rec_keys.v[i] >> 32);
        p->b = (uint32_t)w->rec_keys.v[i];
        p->objects = objects[k];
        p->actions_a = acts[p->a];
        p->actions_b = acts[p->b];
        p->p_value = 1.0;
        rc = make_pair(w, idx, i, j, p, &scratch);
        i = j;
    }
    o->n = k;
    free64(w->ctx, &scratch);
    ch_free(w->ctx, idx, (n ? n : 1) * sizeof *idx);
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

static void walk_free(walk *w)
{
    free64(w->ctx, &w->local);
    free64(w->ctx, &w->keys);
    free64(w->ctx, &w->rec_keys);
    ch_free(w->ctx, w->cnt, w->cnt_cap * sizeof *w->cnt);
    ch_free(w->ctx, w->rec, w->rec_cap * sizeof *w->rec);
    ch_free(w->ctx, w->set, w->set ? (w->set_mask + 1) * sizeof *w->set : 0);
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
    uint32_t *objects = NULL, *acts = NULL;
    chorus_rc rc = sort_actions(ctx, actions, n);
    if (!rc && n && !(acts = count_actions(ctx, actions, n, &n_acc)))
        rc = CHORUS_ENOMEM;
    if (!rc && !(rc = walk_runs(&w, 1)) && !(rc = select_pairs(&w, &objects)) &&
        !(rc = walk_runs(&w, 2)))
        rc = build_pairs(&w, objects, acts);
    if (!rc && w.skipped_cap > out->n_skipped) { /* exact size, so free() knows it */
        void *p = ch_realloc(ctx, out->skipped, w.skipped_cap * sizeof *out->skipped,
                             (out->n_skipped ? out->n_skipped : 1) * sizeof *out->skipped);
        if (p)
            out->skipped = p;
        else
            rc = ch_nomem(ctx);
        w.skipped_cap = out->n_skipped;
    }
    ch_free(ctx, objects, (w.keys.n ? w.keys.n : 1) * sizeof *objects);
    ch_free(ctx, acts, n_acc * sizeof *acts);
    walk_free(&w);
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
