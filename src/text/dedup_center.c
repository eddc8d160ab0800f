/*
 * dedup_center.c - center linkage. Each band's buckets are numbered (the
 * band hashes are overwritten with bucket numbers); then the distinct
 * texts, in order of priority (more copies first, then first seen), join
 * the first similar center they share a bucket with, or become a center.
 * Members are all similar to their center: no chains.
 */
#include "text/dedup_impl.h"

#include "core/radix_sort.h"

#include <string.h>

/* Centers kept per bucket: a text is compared with at most this many per
 * band (and each center once), so a bucket of any size stays linear. */
#define CENTERS 4
#define NONE UINT32_MAX
#define PROGRESS_EVERY 65536

/* Per band, per bucket: its centers in the order they came, NONE after
 * the last (one cache line holds a bucket's centers). */
typedef struct center_run {
    uint32_t *slot[CH_MH_BANDS];
    uint32_t nb[CH_MH_BANDS];                 /* buckets of 2 or more texts */
    uint32_t compared[CH_MH_BANDS * CENTERS]; /* centers the current text met */
    size_t n_compared;
} center_run;

/* Rewrites band b as bucket numbers (NONE for a text alone in its bucket). */
static chorus_rc number_buckets(ch_dd_run *r, center_run *cr, unsigned b, uint64_t *keys,
                                uint32_t *vals)
{
    size_t n = r->t.n;
    chorus_rc rc = ch_dd_sort_band(r, b, keys, vals);
    if (rc)
        return rc;
    uint32_t m = 0, *band = r->t.band[b];
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && keys[j] == keys[i]; j++)
            ;
        uint32_t id = j - i >= 2 ? m++ : NONE;
        for (size_t k = i; k < j; k++)
            band[vals[k]] = id;
    }
    cr->nb[b] = m;
    size_t bytes = ((size_t)m + 1) * CENTERS * sizeof(uint32_t);
    if (!(cr->slot[b] = ch_alloc(r->ctx, bytes)))
        return ch_nomem(r->ctx);
    memset(cr->slot[b], 0xFF, bytes);
    ch_dd_account(r, (int64_t)bytes);
    return CHORUS_OK;
}

/* Whether x was already compared with center c; notes it if not. */
static int seen(center_run *cr, uint32_t c)
{
    for (size_t i = 0; i < cr->n_compared; i++)
        if (cr->compared[i] == c)
            return 1;
    cr->compared[cr->n_compared++] = c;
    return 0;
}

/* Compares x with the centers of its buckets, band by band, and stops at
 * the first similar one (x is then its member, *joined). Trying first the
 * centers that share the most bands was measured: gathering all 42 bands
 * costs a cache miss a band for every text (slower), and gathering 7 at a
 * time saved 14% of the comparisons but no time. */
static chorus_rc try_centers(ch_dd_run *r, center_run *cr, uint32_t x, int *joined)
{
    chorus_dedup_stats *st = &r->d->stats;
    chorus_rc rc = CHORUS_OK;
    for (unsigned b = 0; b < CH_MH_BANDS && !rc && !*joined; b++) {
        uint32_t bk = r->t.band[b][x];
        const uint32_t *in = bk == NONE ? NULL : cr->slot[b] + (size_t)bk * CENTERS;
        for (unsigned k = 0; in && k < CENTERS && in[k] != NONE && !rc && !*joined; k++) {
            uint32_t c = in[k];
            st->candidates++;
            if (seen(cr, c)) {
                st->linked++;
                continue;
            }
            rc = ch_dd_judge(r, c, x, joined);
            if (!rc && *joined)
                r->parent[x] = c;
        }
    }
    return rc;
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

/* The loads of the texts two and one ahead in order (their bucket
 * numbers; then their buckets' first centers) start now, so that their
 * cache misses overlap instead of following one another. */
static void prefetch_ahead(const ch_dd_run *r, const center_run *cr, const uint64_t *order,
                           size_t n, size_t i)
{
    for (unsigned b = 0; b < CH_MH_BANDS && i + 2 < n; b++)
        __builtin_prefetch(&r->t.band[b][(uint32_t)order[i + 2]]);
    for (unsigned b = 0; b < CH_MH_BANDS && i + 1 < n; b++) {
        uint32_t bk = r->t.band[b][(uint32_t)order[i + 1]];
        if (bk != NONE)
            __builtin_prefetch(cr->slot[b] + (size_t)bk * CENTERS);
    }
}

/* The texts in order of priority: more copies first, then first seen. */
static chorus_rc link_in_order(ch_dd_run *r, center_run *cr, uint64_t *keys)
{
    size_t n = r->t.n;
    for (size_t x = 0; x < n; x++)
        keys[x] = (uint64_t)(UINT32_MAX - r->t.count[x]) << 32 | x;
    chorus_rc rc = ch_radix_sort_u64(r->ctx, keys, NULL, n);
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t x = (uint32_t)keys[i];
        prefetch_ahead(r, cr, keys, n, i);
        int joined = 0;
        cr->n_compared = 0;
        if (!(rc = try_centers(r, cr, x, &joined)) && !joined)
            add_center(r, cr, x);
        if (!rc && i % PROGRESS_EVERY == 0 && ch_progress(r->ctx, "dedup: centers", i, n, i))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
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
    chorus_rc rc = CHORUS_OK;
    for (unsigned b = 0; b < CH_MH_BANDS && !rc; b++) {
        rc = number_buckets(r, cr, b, keys, vals);
        if (!rc && ch_progress(r->ctx, "dedup: bands", b + 1, CH_MH_BANDS, b + 1))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
    if (!rc)
        rc = link_in_order(r, cr, keys);
    center_free(r, cr);
    return rc;
}
