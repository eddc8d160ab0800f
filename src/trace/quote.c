/*
 * quote.c - reuse the other way round: an article quoted by later posts.
 * A post unit that shares an article's passage but did not carry it
 * before the article is a target: its earliest such post within the lag
 * after the article is aligned against the article, as a source.
 */
#include "trace/trace_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct quoter {
    uint32_t unit;
    int64_t ms;
    uint32_t post;
} quoter;

static int cmp_quoter(const void *a, const void *b)
{
    const quoter *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    return x->post < y->post ? -1 : x->post > y->post;
}

static void swap_texts(tr *s)
{
    tr_text t = s->src;
    s->src = s->tgt;
    s->tgt = t;
}

/* Aligns article d (loaded, masked, in s->tgt) as the source of the
 * earliest post of each unit of q[0..n) (sorted) that is not stamped. */
static chorus_rc align_quoters(tr *s, uint32_t d, const quoter *q, size_t n)
{
    chorus_rc rc = CHORUS_OK;
    swap_texts(s); /* the article becomes the source */
    for (size_t i = 0; i < n && !rc; i++) {
        if ((i > 0 && q[i].unit == q[i - 1].unit) || s->unit_stamp[q[i].unit] == d + 1)
            continue;
        size_t added;
        s->res->stats.candidates++;
        if (!(rc = tr_text_load(s, &s->tgt, q[i].post, 0)) &&
            !(rc = tr_text_anchors(s, &s->tgt, s->o->post_k, s->o->post_w)))
            rc = tr_align_pair(s, s->n_posts + d, q[i].post, UINT32_MAX, s->o->post_k,
                               s->o->post_w, &added);
    }
    swap_texts(s);
    return rc;
}

chorus_rc tr_quotes(tr *s, uint32_t d, const uint32_t *later, size_t n, size_t first_row)
{
    for (size_t r = first_row; r < s->res->n_reuse; r++) /* units the article copied */
        if (s->reuse_unit[r] != UINT32_MAX)
            s->unit_stamp[s->reuse_unit[r]] = d + 1;
    if (n == 0)
        return CHORUS_OK;
    quoter *q = ch_alloc(s->ctx, n * sizeof *q);
    if (!q)
        return ch_nomem(s->ctx);
    for (size_t i = 0; i < n; i++)
        q[i].unit = s->post_unit[later[i]], q[i].ms = s->post_ms[later[i]], q[i].post = later[i];
    qsort(q, n, sizeof *q, cmp_quoter);
    chorus_rc rc = align_quoters(s, d, q, n);
    ch_free(s->ctx, q, n * sizeof *q);
    return rc;
}
