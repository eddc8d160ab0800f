/*
 * copairs_merge.c - joins the shards of one signal's co-action pairs. Each
 * process of a distributed run computes and tests only the pairs of its
 * shard (chorus_copair_opts shard/shards); one process merges the shards
 * into exactly what a single computation gives, so results do not depend
 * on how many processes ran.
 */
#include <chorus/coord.h>

#include "core/ctx.h"

#include <string.h>

/* The part whose next pair is the lowest (a, b); n_parts when all are done. */
static size_t lowest(const chorus_copairs *parts, size_t n_parts, const size_t *at)
{
    size_t best = n_parts;
    uint64_t key = UINT64_MAX;
    for (size_t k = 0; k < n_parts; k++) {
        if (at[k] >= parts[k].n)
            continue;
        const chorus_copair *p = &parts[k].pairs[at[k]];
        uint64_t x = (uint64_t)p->a << 32 | p->b;
        if (best == n_parts || x < key)
            best = k, key = x;
    }
    return best;
}

static chorus_rc merge_alloc(chorus_ctx *ctx, const chorus_copairs *parts, size_t n_parts,
                             chorus_copairs *out)
{
    size_t n = 0, n_ev = 0;
    int has_ev = 0;
    for (size_t k = 0; k < n_parts; k++) {
        n += parts[k].n;
        n_ev += parts[k].n_evidence;
        has_ev |= parts[k].evidence != NULL;
        out->coactions_seen += parts[k].coactions_seen;
        out->pairs_seen += parts[k].pairs_seen;
        out->evidence_dropped += parts[k].evidence_dropped;
    }
    size_t n_sk = n_parts ? parts[0].n_skipped : 0;
    out->pairs = ch_alloc(ctx, (n ? n : 1) * sizeof *out->pairs);
    out->skipped = ch_alloc(ctx, (n_sk ? n_sk : 1) * sizeof *out->skipped);
    out->evidence = has_ev ? ch_alloc(ctx, (n_ev ? n_ev : 1) * sizeof *out->evidence) : NULL;
    if (!out->pairs || !out->skipped || (has_ev && !out->evidence)) {
        ch_free(ctx, out->pairs, (n ? n : 1) * sizeof *out->pairs);
        ch_free(ctx, out->skipped, (n_sk ? n_sk : 1) * sizeof *out->skipped);
        ch_free(ctx, out->evidence, has_ev ? (n_ev ? n_ev : 1) * sizeof *out->evidence : 0);
        memset(out, 0, sizeof *out);
        return ch_nomem(ctx);
    }
    if (n_sk)
        memcpy(out->skipped, parts[0].skipped, n_sk * sizeof *out->skipped);
    out->n_skipped = n_sk;
    return CHORUS_OK;
}

chorus_rc chorus_copairs_merge(chorus_ctx *ctx, const chorus_copairs *parts, size_t n_parts,
                               chorus_copairs *out)
{
    memset(out, 0, sizeof *out);
    size_t *at = ch_calloc(ctx, 2 * (n_parts ? n_parts : 1) * sizeof *at), *ev = at + n_parts;
    chorus_rc rc = at ? merge_alloc(ctx, parts, n_parts, out) : ch_nomem(ctx);
    /* one scan of the heads per pair: the parts are the processes of a run, a few */
    for (size_t k; !rc && (k = lowest(parts, n_parts, at)) < n_parts; at[k]++) {
        const chorus_copair *p = &parts[k].pairs[at[k]];
        if (out->n && out->pairs[out->n - 1].a == p->a && out->pairs[out->n - 1].b == p->b) {
            rc = ch_error(ctx, CHORUS_EINPUT, "merging shards: pair %u-%u is in two shards", p->a, p->b);
            break;
        }
        for (; ev[k] < parts[k].n_evidence && parts[k].evidence[ev[k]].pair == at[k]; ev[k]++) {
            out->evidence[out->n_evidence] = parts[k].evidence[ev[k]];
            out->evidence[out->n_evidence++].pair = (uint32_t)out->n;
        }
        out->pairs[out->n++] = *p;
    }
    ch_free(ctx, at, 2 * (n_parts ? n_parts : 1) * sizeof *at);
    if (rc && out->pairs) {
        size_t n = 0, n_ev = 0;
        for (size_t k = 0; k < n_parts; k++)
            n += parts[k].n, n_ev += parts[k].n_evidence;
        out->n = n, out->n_evidence = n_ev; /* the sizes allocated, for the free */
        chorus_copairs_free(ctx, out);
    }
    return rc;
}
