/*
 * evidence.c - the cap on evidence rows per pair (see coord.h). A pair of
 * a large run can rest on hundreds of co-actions; writing every one made
 * evidence.csv the bulk of a run's output and time. The rows kept are the
 * strongest: one per distinct object first, the closest in time first.
 */
#include <chorus/coord.h>

#include "core/ctx.h"

#include <stdlib.h>
#include <string.h>

/* A row's rank within its pair: lower is stronger. */
typedef struct rank {
    uint32_t repeat; /* 0: the closest co-action on its object; 1: another */
    uint32_t pos;    /* position within the pair's rows */
    int64_t delay;
} rank;

static int cmp_rank(const void *x, const void *y)
{
    const rank *a = x, *b = y;
    if (a->repeat != b->repeat)
        return a->repeat < b->repeat ? -1 : 1;
    if (a->delay != b->delay)
        return a->delay < b->delay ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int64_t delay_of(const chorus_coaction *e)
{
    int64_t d = e->time_a - e->time_b;
    return d < 0 ? -d : d;
}

/* Whether rank a is stronger than b (their order in cmp_rank). */
static int stronger(const rank *a, const rank *b)
{
    return cmp_rank(a, b) < 0;
}

/* Keeps x among the k strongest ranks so far, top[0..*n) strongest first
 * (a few per pair: insertion beats sorting every row). */
static void offer(rank *top, size_t *n, size_t k, rank x)
{
    if (*n == k && !stronger(&x, &top[k - 1]))
        return;
    size_t i = *n < k ? (*n)++ : k - 1;
    for (; i > 0 && stronger(&x, &top[i - 1]); i--)
        top[i] = top[i - 1];
    top[i] = x;
}

/* Ranks the m rows of one pair (by object, then time) into r, and marks
 * in keep[] the per_pair strongest: found by insertion into r when
 * per_pair is small, else by sorting all m. */
static void choose(const chorus_coaction *e, size_t m, uint32_t per_pair, rank *r, uint8_t *keep)
{
    int few = per_pair <= 16;
    size_t n = 0;
    for (size_t s = 0; s < m;) {
        size_t t = s, best = s;
        for (; t < m && e[t].object == e[s].object; t++)
            if (delay_of(&e[t]) < delay_of(&e[best]))
                best = t;
        for (size_t k = s; k < t; k++) {
            rank x = {k != best, (uint32_t)k, delay_of(&e[k])};
            if (few)
                offer(r, &n, per_pair, x);
            else
                r[k] = x;
        }
        s = t;
    }
    if (!few)
        qsort(r, m, sizeof *r, cmp_rank);
    memset(keep, 0, m);
    for (size_t k = 0; k < per_pair; k++)
        keep[r[k].pos] = 1;
}

chorus_rc chorus_copairs_cap_evidence(chorus_ctx *ctx, chorus_copairs *cp, uint32_t per_pair)
{
    if (per_pair == 0)
        return CHORUS_OK;
    size_t most = 0; /* the largest pair's rows: the scratch size */
    for (size_t s = 0; s < cp->n_evidence;) {
        size_t t = s;
        while (t < cp->n_evidence && cp->evidence[t].pair == cp->evidence[s].pair)
            t++;
        most = t - s > most ? t - s : most;
        s = t;
    }
    if (most <= per_pair)
        return CHORUS_OK;
    if (most > UINT32_MAX)
        return ch_error(ctx, CHORUS_ELIMIT, "more than 2^32 co-actions behind one pair");
    rank *r = ch_alloc(ctx, most * sizeof *r);
    uint8_t *keep = ch_alloc(ctx, most);
    if (!r || !keep) {
        ch_free(ctx, r, most * sizeof *r);
        ch_free(ctx, keep, most);
        return ch_nomem(ctx);
    }
    size_t out = 0;
    for (size_t s = 0; s < cp->n_evidence;) {
        size_t t = s;
        while (t < cp->n_evidence && cp->evidence[t].pair == cp->evidence[s].pair)
            t++;
        size_t m = t - s;
        if (m > per_pair)
            choose(cp->evidence + s, m, per_pair, r, keep);
        for (size_t k = 0; k < m; k++)
            if (m <= per_pair || keep[k])
                cp->evidence[out++] = cp->evidence[s + k];
        s = t;
    }
    cp->evidence_dropped += cp->n_evidence - out;
    cp->n_evidence = out;
    ch_free(ctx, r, most * sizeof *r);
    ch_free(ctx, keep, most);
    return CHORUS_OK;
}
