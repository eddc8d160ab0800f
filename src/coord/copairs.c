/*
 * copairs.c - co-action pairs over actions (see coord.h). Actions are
 * radix-sorted by (object, time); a window slides over each object's run,
 * so work follows the co-actions that exist, never all pairs of a run.
 * Each co-action becomes one 16-byte record (packed pair key and delay,
 * where its two actions sit in a copy ordered by account) written
 * straight to the bucket of its pair's top bits; each bucket is
 * radix-sorted on the remaining pair bits while it fits a cache, and
 * every pair's statistics come from its run of records.
 */
#include <chorus/coord.h>

#include "core/ctx.h"
#include "core/pages.h"
#include "core/radix_sort.h"

#include <stddef.h>
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
    o->shard = 0;
    o->shards = 1;
}

double chorus_copair_balance(const chorus_copair *p)
{
    uint32_t lo = p->part_a < p->part_b ? p->part_a : p->part_b;
    uint32_t hi = p->part_a < p->part_b ? p->part_b : p->part_a;
    return hi ? (double)lo / hi : 0.0;
}

/* Stable sort by (object, time) in two sorts: by time, then by object. */
static chorus_rc sort_actions_wide(chorus_ctx *ctx, chorus_action *a, size_t n, int64_t tmin)
{
    uint64_t *keys = ch_alloc(ctx, n * sizeof *keys);
    uint32_t *idx = ch_alloc(ctx, n * sizeof *idx);
    chorus_action *tmp = ch_alloc(ctx, n * sizeof *tmp);
    chorus_rc rc = (!keys || !idx || !tmp) ? ch_nomem(ctx) : CHORUS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        keys[i] = (uint64_t)a[i].time_ms - (uint64_t)tmin;
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

static unsigned bits_of(uint64_t v)
{
    unsigned b = 0;
    while (b < 64 && (v >> b))
        b++;
    return b;
}

/* A buffer of max(n, 1) actions on huge pages. */
static chorus_rc alloc_spare(chorus_ctx *ctx, size_t n, chorus_action **spare)
{
    *spare = ch_alloc(ctx, (n ? n : 1) * sizeof **spare);
    if (!*spare)
        return ch_nomem(ctx);
    ch_hint_hugepages(*spare, n * sizeof **spare);
    return CHORUS_OK;
}

_Static_assert(sizeof(ch_kv) == sizeof(chorus_action), "the sort's buffer serves as the spare");

/* Stable sort by (object, time). When both fit one 64-bit key (object
 * and the time since the first action), one sort of the actions as
 * records, by object alone when they come in time order; otherwise two.
 * With spare, also a buffer of max(n, 1) actions on huge pages, the
 * sort's own when it has one: memory already paged in. */
static chorus_rc sort_actions(chorus_ctx *ctx, chorus_action *a, size_t n, chorus_action **spare)
{
    if (n > UINT32_MAX)
        return ch_error(ctx, CHORUS_ELIMIT, "more than 2^32 actions in one signal");
    if (n < 2)
        return spare ? alloc_spare(ctx, n, spare) : CHORUS_OK;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    uint32_t omax = 0;
    int in_order = 1; /* by time already (posts usually are): sort by object alone */
    for (size_t i = 0; i < n; i++) {
        tmin = a[i].time_ms < tmin ? a[i].time_ms : tmin;
        tmax = a[i].time_ms > tmax ? a[i].time_ms : tmax;
        omax = a[i].object > omax ? a[i].object : omax;
        in_order &= i == 0 || a[i].time_ms >= a[i - 1].time_ms;
    }
    unsigned tb = bits_of((uint64_t)tmax - (uint64_t)tmin), ob = bits_of(omax), bits = tb + ob;
    if (bits > 64 || tb == 64) {
        chorus_rc rc = sort_actions_wide(ctx, a, n, tmin);
        return rc || !spare ? rc : alloc_spare(ctx, n, spare);
    }
    ch_kv *r = ch_alloc(ctx, n * sizeof *r), *tmp = ch_alloc(ctx, n * sizeof *tmp);
    size_t *counts = ch_alloc(ctx, CH_KV_COUNTS * sizeof *counts);
    chorus_rc rc = (!r || !tmp || !counts) ? ch_nomem(ctx) : CHORUS_OK;
    if (!rc) {
        ch_hint_hugepages(r, n * sizeof *r);
        ch_hint_hugepages(tmp, n * sizeof *tmp);
    }
    /* key: object above the time since tmin; or, in time order and when
     * that time fits 32 bits, the object alone (the time rides in val) */
    unsigned ts = in_order && tb <= 32 ? 32 : 0, os = ts ? 0 : tb;
    for (size_t i = 0; !rc && i < n; i++) {
        uint64_t t = (uint64_t)a[i].time_ms - (uint64_t)tmin;
        r[i] = (ch_kv){(uint64_t)a[i].object << os | (ts ? 0 : t),
                       a[i].account | (ts ? t << 32 : 0)};
    }
    ch_kv *s = rc ? NULL : ch_radix_sort_kv(r, tmp, n, ts ? ob : bits, counts);
    uint64_t tmask = ((uint64_t)1 << tb) - 1;
    for (size_t i = 0; s && i < n; i++) {
        uint64_t t = ts ? s[i].val >> 32 : s[i].key & tmask;
        a[i] = (chorus_action){(uint32_t)s[i].val, (uint32_t)(s[i].key >> os),
                               (int64_t)((uint64_t)tmin + t)};
    }
    chorus_action *kept = spare && s ? (chorus_action *)s : NULL;
    if (kept)
        *spare = kept;
    ch_free(ctx, r == (ch_kv *)kept ? NULL : r, n * sizeof *r);
    ch_free(ctx, tmp == (ch_kv *)kept ? NULL : tmp, n * sizeof *tmp);
    ch_free(ctx, counts, CH_KV_COUNTS * sizeof *counts);
    return rc;
}

/* The state of one computation. A record's key is the pair packed in
 * 2 * acc_bits bits (lower account high), with the delay above it and
 * A_FIRST when they fit (delay_shift > 0), its val the places in look
 * of the lower account's action and of the other's (pa << 32 | pb).
 * Records go straight to the bucket of their pair's top bits, object by
 * object, i then j ascending (i before j in time); each bucket is then
 * sorted stably on the low bits while it fits a cache, so each pair's
 * run of records comes by object, then time. look holds the actions by
 * account: a bucket's lower accounts are few, so their actions are a few
 * cache lines; only the other side's are anywhere. */
typedef struct walk {
    chorus_ctx *ctx;
    const chorus_action *a;
    const chorus_action *look; /* by account, then (object, time) */
    const uint32_t *place;     /* a[i] is look[place[i]] */
    size_t n;
    const chorus_copair_opts *o;
    chorus_copairs *out;
    const uint32_t *acts; /* actions per account */
    unsigned acc_bits, delay_shift, low_bits;
    uint64_t pair_mask;
    size_t n_buckets, *start; /* bucket b is rec[start[b] .. start[b + 1]) */
    ch_kv *rec, *tmp;         /* all records; scratch of the largest bucket */
    size_t n_rec, n_tmp;
    size_t *counts;           /* CH_KV_COUNTS */
    uint32_t *stamp;          /* per place in look: the last pair (+ 1) it was counted in */
    uint64_t *delays;
    size_t delays_cap, pairs_cap, evidence_cap, skipped_cap;
    size_t pairs_mapped, evidence_mapped; /* elements prefaulted */
} walk;

#define A_FIRST ((uint64_t)1 << 63) /* in a record's key: the lower account acted first */

/* Records an object over the popularity bound. */
static chorus_rc set_aside(walk *w, uint32_t object, size_t len)
{
    chorus_copairs *o = w->out;
    if (ch_grow(w->ctx, (void **)&o->skipped, &w->skipped_cap, o->n_skipped + 1,
                sizeof *o->skipped))
        return CHORUS_ENOMEM;
    o->skipped[o->n_skipped].object = object;
    o->skipped[o->n_skipped].actions = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    o->n_skipped++;
    return CHORUS_OK;
}

/* The co-actions (accounts differ) of the object run [s, e): counted per
 * bucket, or (fill) written to their bucket, advancing pos; with sharded,
 * only the pairs of this shard's buckets. Callers pass fill and sharded
 * as constants, so the unsharded walk has no shard test. The layout in
 * locals: the stores through pos could otherwise alias it. */
static inline void walk_run(walk *w, size_t s, size_t e, size_t *pos, int fill, int sharded)
{
    const chorus_action *a = w->a;
    const int64_t window = w->o->window_ms;
    const unsigned acc = w->acc_bits, dshift = w->delay_shift, low = w->low_bits;
    const uint32_t *place = w->place;
    const uint32_t shards = w->o->shards, shard = w->o->shard;
    ch_kv *rec = w->rec;
    for (size_t i = s; i < e; i++)
        for (size_t j = i + 1; j < e && a[j].time_ms - a[i].time_ms <= window; j++) {
            uint32_t x = a[i].account, y = a[j].account;
            if (x == y)
                continue;
            uint64_t pair = x < y ? ((uint64_t)x << acc) | y : ((uint64_t)y << acc) | x;
            size_t b = (size_t)(pair >> low);
            if (sharded && b % shards != shard)
                continue; /* another process's pair */
            if (!fill) {
                pos[b + 1]++;
                continue;
            }
            uint64_t pi = place[i], pj = place[j], key = pair;
            if (dshift)
                key |= (uint64_t)(a[j].time_ms - a[i].time_ms) << dshift | (x < y ? A_FIRST : 0);
            /* the bucket's line after next, for writing: 4,096 buckets
             * take turns, so it is fetched well before its first write */
            size_t at = pos[b]++;
            __builtin_prefetch((const void *)((uintptr_t)&rec[at] + 128), 1);
            rec[at] = (ch_kv){key, x < y ? pi << 32 | pj : pj << 32 | pi};
        }
}

/* Walks every object run within the bound: counts its co-actions per
 * bucket, or (fill) writes them to their bucket. Counting sets the runs
 * over the bound aside. */
static chorus_rc walk_records(walk *w, size_t *pos, int fill)
{
    const chorus_action *a = w->a;
    for (size_t s = 0; s < w->n;) {
        size_t e = s + 1;
        while (e < w->n && a[e].object == a[s].object)
            e++;
        uint32_t bound = w->o->max_object_actions;
        if (bound && e - s > bound) {
            if (!fill && set_aside(w, a[s].object, e - s))
                return CHORUS_ENOMEM;
        } else if (w->o->shards > 1)
            fill ? walk_run(w, s, e, pos, 1, 1) : walk_run(w, s, e, pos, 0, 1);
        else
            fill ? walk_run(w, s, e, pos, 1, 0) : walk_run(w, s, e, pos, 0, 0);
        s = e;
    }
    return CHORUS_OK;
}

/* Every co-action's record in its bucket, in the walk's order. */
static chorus_rc make_records(walk *w)
{
    size_t nb = w->n_buckets;
    w->start = ch_calloc(w->ctx, 2 * (nb + 1) * sizeof *w->start);
    if (!w->start)
        return ch_nomem(w->ctx);
    size_t *pos = w->start + nb + 1;
    chorus_rc rc = walk_records(w, w->start, 0);
    for (size_t b = 0; !rc && b < nb; b++) {
        size_t len = w->start[b + 1];
        w->n_tmp = len > w->n_tmp ? len : w->n_tmp;
        w->start[b + 1] += w->start[b];
    }
    w->n_rec = w->start[nb];
    w->out->coactions_seen = w->n_rec;
    if (!rc) {
        w->rec = ch_alloc(w->ctx, (w->n_rec ? w->n_rec : 1) * sizeof *w->rec);
        w->tmp = ch_alloc(w->ctx, (w->n_tmp ? w->n_tmp : 1) * sizeof *w->tmp);
        w->counts = ch_alloc(w->ctx, CH_KV_COUNTS * sizeof *w->counts);
        if (!w->rec || !w->tmp || !w->counts)
            return ch_nomem(w->ctx);
        if (ch_grow(w->ctx, (void **)&w->delays, &w->delays_cap, w->n_tmp ? w->n_tmp : 1,
                    sizeof *w->delays))
            return CHORUS_ENOMEM; /* a pair's run is in one bucket */
        ch_prefault(w->rec, w->n_rec * sizeof *w->rec);
        if (w->o->keep_evidence && ch_grow(w->ctx, (void **)&w->out->evidence, &w->evidence_cap,
                                           w->n_rec, sizeof *w->out->evidence))
            return CHORUS_ENOMEM;
        memcpy(pos, w->start, nb * sizeof *pos);
        rc = walk_records(w, pos, 1);
    }
    return rc;
}

#define AHEAD 16 /* records between a prefetch and its use */

static inline uint32_t rec_a(const ch_kv *r) { return (uint32_t)(r->val >> 32); }
static inline uint32_t rec_b(const ch_kv *r) { return (uint32_t)r->val; }

/* The times of a record's two actions: the lower account's (ta, looked
 * up), the other's from the delay and A_FIRST when packed (no look-up
 * far away), else looked up. */
static inline int64_t time_b(const walk *w, const ch_kv *r, int64_t ta)
{
    if (!w->delay_shift)
        return w->look[rec_b(r)].time_ms;
    uint64_t delay = (r->key & ~A_FIRST) >> w->delay_shift;
    return (int64_t)(r->key & A_FIRST ? (uint64_t)ta + delay : (uint64_t)ta - delay);
}

/* Prefetches the other account's actions of the records r[s..e) of the
 * sorted bucket r[0..n) when their times are looked up, but those of runs
 * of one record when min_weight leaves them out unread (most runs). */
static void prefetch_recs(const walk *w, const ch_kv *r, size_t n, size_t s, size_t e)
{
    int singles = w->o->min_weight >= 2;
    for (size_t k = s; !w->delay_shift && k < e; k++) {
        uint64_t pair = r[k].key & w->pair_mask;
        if (singles && (k == 0 || (r[k - 1].key & w->pair_mask) != pair) &&
            (k + 1 == n || (r[k + 1].key & w->pair_mask) != pair))
            continue;
        __builtin_prefetch(&w->look[rec_b(&r[k])]);
    }
}

/* Distinct objects among the run r[0..m): its records come by object. */
static uint32_t run_objects(const walk *w, const ch_kv *r, size_t m)
{
    uint32_t objects = 1, last = w->look[rec_a(&r[0])].object;
    for (size_t k = 1; k < m; k++) {
        uint32_t o = w->look[rec_a(&r[k])].object;
        objects += o != last;
        last = o;
    }
    return objects;
}

/* Whether the pair of the run r[0..m) reaches min_weight. Objects are at
 * most the co-actions; a run comes by object, so one whose first and last
 * records share the object has one: most runs are decided from two
 * actions at most. */
static int passes(const walk *w, const ch_kv *r, size_t m)
{
    uint32_t minw = w->o->min_weight;
    if (m < minw)
        return 0;
    if (w->o->weight_coactions || minw <= 1)
        return 1;
    if (w->look[rec_a(&r[0])].object == w->look[rec_a(&r[m - 1])].object)
        return 0;
    return minw == 2 || run_objects(w, r, m) >= minw;
}

#define FEW 16 /* an object's records up to this many compare their actions */

/* Whether action v came earlier among the len records of the pair on its
 * object (an action has one object, so only those can repeat it; most
 * pairs have one record an object). The first FEW are compared, in
 * seen[0..FEW); past them each action gets the stamp mark. */
static int seen_before(walk *w, uint32_t *seen, size_t len, uint32_t v, uint32_t mark)
{
    if (len < FEW) {
        int dup = 0;
        for (size_t k = 0; k < len; k++)
            dup |= seen[k] == v;
        seen[len] = v;
        return dup;
    }
    if (len == FEW)
        for (size_t k = 0; k < FEW; k++)
            w->stamp[seen[k]] = mark;
    int dup = w->stamp[v] == mark;
    w->stamp[v] = mark;
    return dup;
}

/* The element of rank k in d[0..m) (reordered), m small: quickselect
 * around the middle element, with Lomuto's partition written without
 * branches on the values (delays are random: a branch would mispredict). */
static uint64_t select_small(uint64_t *d, size_t m, size_t k)
{
    size_t lo = 0, hi = m - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i = lo;
        uint64_t pivot = d[mid];
        d[mid] = d[hi];
        for (size_t j = lo; j < hi; j++) { /* d[lo..i) < pivot <= d[i..j) */
            uint64_t v = d[j];
            size_t below = v < pivot;
            d[j] = d[i];
            d[i] = v;
            i += below;
        }
        d[hi] = d[i];
        d[i] = pivot;
        if (i == k)
            return pivot;
        if (k < i)
            hi = i - 1;
        else
            lo = i + 1;
    }
    return d[k];
}

/* The lower median of d[0..m) (reordered): short arrays by quickselect,
 * longer ones by a radix select, 8 bits at a time from the top, keeping
 * only the values of the bucket that holds it (linear, whatever the data). */
static uint64_t median_of(uint64_t *d, size_t m)
{
    size_t rank = (m - 1) / 2, n = m;
    if (m <= 64)
        return select_small(d, m, rank);
    uint64_t top = 0;
    for (size_t q = 0; q < n; q++)
        top |= d[q];
    for (int shift = (int)((bits_of(top) + 7) / 8) * 8 - 8; shift >= 0 && n > 1; shift -= 8) {
        size_t count[256] = {0}, below = 0, b = 0;
        for (size_t q = 0; q < n; q++)
            count[(d[q] >> shift) & 0xff]++;
        while (below + count[b] <= rank)
            below += count[b++];
        size_t kept = 0;
        for (size_t q = 0; q < n; q++)
            if (((d[q] >> shift) & 0xff) == b)
                d[kept++] = d[q];
        n = kept, rank -= below;
    }
    return d[rank]; /* the values left agree on every digit */
}

/* Objects, first and last time, median delay and balance of pair p (number k)
 * from its run r[0..m), and its evidence rows when kept (space reserved).
 * Distinct actions at each end: within each object's records (they come
 * together), by comparing, or by stamps (the pair's number + 1) past FEW. */
static void pair_stats(walk *w, const ch_kv *r, size_t m, uint32_t k, chorus_copair *p)
{
    const chorus_action *a = w->look;
    uint32_t ends[2 * FEW];
    size_t seg = 0; /* the first record on the current object */
    p->first_ms = INT64_MAX;
    p->last_ms = INT64_MIN;
    chorus_coaction *ev = w->o->keep_evidence ? w->out->evidence + w->out->n_evidence : NULL;
    for (size_t q = 0; q < m; q++) {
        uint32_t ia = rec_a(&r[q]), ib = rec_b(&r[q]);
        const chorus_action *x = &a[ia];
        int64_t ta = x->time_ms, tb = time_b(w, &r[q], ta);
        int64_t ti = ta < tb ? ta : tb, tj = ta < tb ? tb : ta;
        if (q == 0 || x->object != a[rec_a(&r[q - 1])].object)
            p->objects++, seg = q;
        p->first_ms = ti < p->first_ms ? ti : p->first_ms;
        p->last_ms = tj > p->last_ms ? tj : p->last_ms;
        w->delays[q] = (uint64_t)tj - (uint64_t)ti;
        p->part_a += !seen_before(w, ends, q - seg, ia, k + 1); /* an action is at one end only */
        p->part_b += !seen_before(w, ends + FEW, q - seg, ib, k + 1);
        if (ev)
            ev[q] = (chorus_coaction){k, x->object, ta, tb};
    }
    w->out->n_evidence += ev ? m : 0;
    p->median_delay_ms = (int64_t)median_of(w->delays, m);
}

#define MAP_AHEAD ((size_t)2 << 20) /* bytes prefaulted at a time */

/* ch_grow for the result's big arrays, written from start to end: their
 * pages are mapped a stretch at a time ahead of the writes (*mapped
 * elements so far; a grown array's new part is not all used). */
static chorus_rc grow_mapped(walk *w, void **p, size_t *cap, size_t *mapped, size_t need,
                             size_t elem)
{
    if (ch_grow(w->ctx, p, cap, need, elem))
        return CHORUS_ENOMEM;
    if (need > *mapped) {
        size_t from = *mapped, end = need + MAP_AHEAD / elem;
        end = end < *cap ? end : *cap;
        ch_prefault((char *)*p + from * elem, (end - from) * elem);
        *mapped = end;
    }
    return CHORUS_OK;
}

/* Adds the pair of the run r[0..m). */
static chorus_rc add_pair(walk *w, const ch_kv *r, size_t m)
{
    chorus_copairs *o = w->out;
    if (o->n >= UINT32_MAX - 1)
        return ch_error(w->ctx, CHORUS_ELIMIT, "more than 2^32 account pairs in one signal");
    if (grow_mapped(w, (void **)&o->pairs, &w->pairs_cap, &w->pairs_mapped, o->n + 1,
                    sizeof *o->pairs) ||
        (w->o->keep_evidence &&
         grow_mapped(w, (void **)&o->evidence, &w->evidence_cap, &w->evidence_mapped,
                     o->n_evidence + m, sizeof *o->evidence)))
        return CHORUS_ENOMEM;
    uint64_t pair = r[0].key & w->pair_mask;
    chorus_copair *p = &o->pairs[o->n];
    *p = (chorus_copair){.a = (uint32_t)(pair >> w->acc_bits),
                         .b = (uint32_t)(pair & (((uint64_t)1 << w->acc_bits) - 1)),
                         .coactions = m,
                         .p_value = 1.0};
    p->actions_a = w->acts[p->a];
    p->actions_b = w->acts[p->b];
    pair_stats(w, r, m, (uint32_t)o->n++, p);
    return CHORUS_OK;
}

/* Every pair of the sorted bucket r[0..n): counted, and added when its
 * weight reaches min_weight. */
static chorus_rc bucket_pairs(walk *w, const ch_kv *r, size_t n)
{
    chorus_rc rc = CHORUS_OK;
    prefetch_recs(w, r, n, 0, n < AHEAD ? n : AHEAD);
    for (size_t s = 0; !rc && s < n;) {
        uint64_t pair = r[s].key & w->pair_mask;
        size_t e = s + 1;
        while (e < n && (r[e].key & w->pair_mask) == pair)
            e++;
        size_t m = e - s;
        prefetch_recs(w, r, n, s + AHEAD < n ? s + AHEAD : n, e + AHEAD < n ? e + AHEAD : n);
        w->out->pairs_seen++;
        if (passes(w, r + s, m))
            rc = add_pair(w, r + s, m);
        s = e;
    }
    return rc;
}

/* The records' layout: pair bits, and the delay and A_FIRST above them
 * when they fit (a delay is at most the window and the span of all times); buckets of
 * the pairs' top 12 bits. */
static void layout(walk *w, size_t n_acc)
{
    w->acc_bits = n_acc ? bits_of(n_acc - 1) : 0;
    unsigned pair_bits = 2 * w->acc_bits;
    w->pair_mask = pair_bits < 64 ? ((uint64_t)1 << pair_bits) - 1 : UINT64_MAX;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < w->n; i++) {
        lo = w->a[i].time_ms < lo ? w->a[i].time_ms : lo;
        hi = w->a[i].time_ms > hi ? w->a[i].time_ms : hi;
    }
    uint64_t span = w->n ? (uint64_t)hi - (uint64_t)lo : 0;
    uint64_t most = (uint64_t)w->o->window_ms < span ? (uint64_t)w->o->window_ms : span;
    w->delay_shift = pair_bits && pair_bits + bits_of(most) < 64 ? pair_bits : 0;
    unsigned top = pair_bits < 12 ? pair_bits : 12;
    w->low_bits = pair_bits - top;
    w->n_buckets = (size_t)1 << top;
}

/* The pairs of the actions, bucket by bucket. */
static chorus_rc pairs_of(walk *w, size_t n_acc)
{
    layout(w, n_acc);
    size_t n_look = w->n ? w->n : 1;
    w->stamp = ch_calloc(w->ctx, n_look * sizeof *w->stamp);
    if (!w->stamp)
        return ch_nomem(w->ctx);
    ch_hint_hugepages(w->stamp, n_look * sizeof *w->stamp);
    chorus_rc rc = make_records(w);
    for (size_t b = 0; !rc && b < w->n_buckets; b++) {
        size_t s = w->start[b], len = w->start[b + 1] - s;
        const ch_kv *r = ch_radix_sort_kv(w->rec + s, w->tmp, len, w->low_bits, w->counts);
        rc = bucket_pairs(w, r, len);
    }
    return rc;
}

/* Shrinks a grown array to n elements (1 when empty), so free() knows its size. */
static chorus_rc fit(chorus_ctx *ctx, void **p, size_t *cap, size_t n, size_t elem)
{
    size_t want = n ? n : 1;
    if (*cap == want && *p)
        return CHORUS_OK;
    void *q = *p ? ch_realloc(ctx, *p, *cap * elem, want * elem) : ch_calloc(ctx, want * elem);
    if (!q)
        return ch_nomem(ctx);
    *p = q;
    *cap = want;
    return CHORUS_OK;
}

/* look[0..n): the actions a[0..n) by account (a counting sort, stable,
 * so each account's come by object, then time), and *place (allocated,
 * n elements) where each went. acts: actions per account, n_acc of them. */
static chorus_rc by_account(chorus_ctx *ctx, const chorus_action *a, size_t n, const uint32_t *acts,
                            size_t n_acc, chorus_action *look, uint32_t **place)
{
    uint32_t *next = ch_alloc(ctx, (n_acc ? n_acc : 1) * sizeof *next);
    *place = ch_alloc(ctx, (n ? n : 1) * sizeof **place);
    if (!next || !*place) {
        ch_free(ctx, next, next ? (n_acc ? n_acc : 1) * sizeof *next : 0);
        return ch_nomem(ctx);
    }
    ch_hint_hugepages(*place, n * sizeof **place);
    uint32_t sum = 0;
    for (size_t k = 0; k < n_acc; k++)
        next[k] = sum, sum += acts[k];
    for (size_t i = 0; i < n; i++) {
        uint32_t p = next[a[i].account]++;
        (*place)[i] = p;
        look[p] = a[i];
    }
    ch_free(ctx, next, (n_acc ? n_acc : 1) * sizeof *next);
    return CHORUS_OK;
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
    size_t n_look = w->n ? w->n : 1;
    ch_free(w->ctx, w->start, w->start ? 2 * (w->n_buckets + 1) * sizeof *w->start : 0);
    ch_free(w->ctx, w->rec, w->rec ? (w->n_rec ? w->n_rec : 1) * sizeof *w->rec : 0);
    ch_free(w->ctx, w->tmp, w->tmp ? (w->n_tmp ? w->n_tmp : 1) * sizeof *w->tmp : 0);
    ch_free(w->ctx, w->counts, w->counts ? CH_KV_COUNTS * sizeof *w->counts : 0);
    ch_free(w->ctx, w->stamp, w->stamp ? n_look * sizeof *w->stamp : 0);
    ch_free(w->ctx, w->delays, w->delays_cap * sizeof *w->delays);
}

/* Fixes the result's arrays to their exact sizes. */
static chorus_rc fit_all(walk *w)
{
    chorus_copairs *o = w->out;
    chorus_rc rc = fit(w->ctx, (void **)&o->pairs, &w->pairs_cap, o->n, sizeof *o->pairs);
    if (!rc && w->o->keep_evidence)
        rc = fit(w->ctx, (void **)&o->evidence, &w->evidence_cap, o->n_evidence,
                 sizeof *o->evidence);
    if (!rc && w->skipped_cap > o->n_skipped)
        rc = fit(w->ctx, (void **)&o->skipped, &w->skipped_cap, o->n_skipped, sizeof *o->skipped);
    return rc;
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
    if (opts->shards > 1 && opts->shard >= opts->shards)
        return ch_error(ctx, CHORUS_EUSAGE, "shard %u of %u does not exist", opts->shard, opts->shards);
    walk w = {.ctx = ctx, .a = actions, .n = n, .o = opts, .out = out};
    size_t n_acc = 0;
    uint32_t *acts = NULL, *place = NULL;
    chorus_action *look = NULL;
    chorus_rc rc = sort_actions(ctx, actions, n, &look);
    if (!rc && n && !(acts = count_actions(ctx, actions, n, &n_acc)))
        rc = CHORUS_ENOMEM;
    if (!rc)
        rc = by_account(ctx, actions, n, acts, n_acc, look, &place);
    w.acts = acts;
    w.look = look;
    w.place = place;
    if (!rc)
        rc = pairs_of(&w, n_acc);
    walk_free(&w);
    if (!rc)
        rc = fit_all(&w);
    ch_free(ctx, acts, n_acc * sizeof *acts);
    ch_free(ctx, place, place ? (n ? n : 1) * sizeof *place : 0);
    ch_free(ctx, look, (n ? n : 1) * sizeof *look);
    if (rc) {
        w.out->n = w.pairs_cap, w.out->n_evidence = w.evidence_cap,
        w.out->n_skipped = w.skipped_cap;
        chorus_copairs_free(ctx, out);
    }
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
    chorus_rc rc = sort_actions(ctx, actions, n, NULL);
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
