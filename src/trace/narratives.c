/*
 * narratives.c - provenance per narrative: the posts and articles that
 * catalogue matching (match.h) finds carrying each talking point, ordered
 * by time, give its earliest witness and its spread, as for a reuse
 * cluster. Matching is by meaning, not by shared passages, so there is
 * no tree: a narrative's rows are in provenance only.
 */
#include "trace/trace_impl.h"

#include <chorus/match.h>
#include <stdlib.h>
#include <string.h>

typedef struct nitem {
    uint32_t narrative;
    int64_t ms;
    uint32_t item;
} nitem;

static int cmp_nitem(const void *a, const void *b)
{
    const nitem *x = a, *y = b;
    if (x->narrative != y->narrative)
        return x->narrative < y->narrative ? -1 : 1;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* The matches of one corpus as (narrative, time, item), items from base. */
static chorus_rc collect(chorus_ctx *ctx, const chorus_catalogue *cat, const chorus_corpus *c,
                         uint32_t base, nitem **v, size_t *n, size_t *cap)
{
    if (!c || chorus_corpus_post_count(c) == 0)
        return CHORUS_OK;
    chorus_match_result *m = NULL;
    chorus_rc rc = chorus_match_corpus(ctx, cat, c, &m);
    for (size_t i = 0; !rc && i < m->n_hits; i++) {
        if ((rc = ch_grow(ctx, (void **)v, cap, *n + 1, sizeof **v)))
            break;
        chorus_post_view pv;
        chorus_corpus_post(c, m->hits[i].post, &pv);
        nitem x = {m->hits[i].narrative, pv.time_ms, base + m->hits[i].post};
        (*v)[(*n)++] = x;
    }
    chorus_match_result_free(m);
    return rc;
}

typedef struct nstate {
    const chorus_corpus *posts, *docs;
    uint32_t n_posts;
    uint32_t *acc_stamp, *out_stamp;
} nstate;

/* One narrative's cluster from its items x[0..n) (sorted, distinct). */
static void narrative_cluster(nstate *s, const nitem *x, size_t n, uint32_t stamp,
                              chorus_trace_cluster *cl)
{
    memset(cl, 0, sizeof *cl);
    cl->narrative = x[0].narrative;
    cl->earliest = x[0].item;
    cl->first_ms = x[0].ms, cl->last_ms = x[n - 1].ms;
    cl->first_outlet = cl->to_10_accounts_ms = cl->to_100_accounts_ms = -1;
    for (size_t i = 0; i < n; i++) {
        chorus_post_view v;
        int doc = x[i].item >= s->n_posts;
        chorus_corpus_post(doc ? s->docs : s->posts, doc ? x[i].item - s->n_posts : x[i].item, &v);
        if (i == 0)
            cl->minute = v.time_res == CHORUS_TIME_MINUTE;
        cl->items++;
        cl->ties += i > 0 && x[i].ms == cl->first_ms;
        if (doc) {
            cl->articles++;
            cl->first_outlet = cl->first_outlet < 0 ? x[i].item : cl->first_outlet;
            if (s->out_stamp[v.account] != stamp)
                s->out_stamp[v.account] = stamp, cl->outlets++;
            continue;
        }
        cl->posts++;
        if (s->acc_stamp[v.account] == stamp)
            continue;
        s->acc_stamp[v.account] = stamp;
        if (++cl->accounts == 10)
            cl->to_10_accounts_ms = x[i].ms - cl->first_ms;
        if (cl->accounts == 100)
            cl->to_100_accounts_ms = x[i].ms - cl->first_ms;
    }
}

static chorus_rc add_narratives(chorus_trace *t, nstate *s, nitem *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_nitem);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) /* one row per item and narrative */
        if (!m || v[i].narrative != v[m - 1].narrative || v[i].item != v[m - 1].item)
            v[m++] = v[i];
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0, j; i < m && !rc; i = j) {
        for (j = i; j < m && v[j].narrative == v[i].narrative; j++)
            ;
        if ((rc = ch_grow(t->ctx, (void **)&t->clusters, &t->cap_clusters, t->n_clusters + 1,
                          sizeof *t->clusters)))
            break;
        narrative_cluster(s, v + i, j - i, v[i].narrative + 1, &t->clusters[t->n_clusters++]);
    }
    return rc;
}

chorus_rc chorus_trace_narratives(chorus_trace *t, const chorus_corpus *posts,
                                  const chorus_corpus *docs, const chorus_catalogue *cat)
{
    chorus_ctx *ctx = t->ctx;
    nitem *v = NULL;
    size_t n = 0, cap = 0;
    uint32_t na = posts ? chorus_corpus_account_count(posts) : 0;
    uint32_t no = docs ? chorus_corpus_account_count(docs) : 0;
    nstate s = {posts, docs, t->n_posts, ch_calloc(ctx, (na + 1) * sizeof(uint32_t)),
                ch_calloc(ctx, (no + 1) * sizeof(uint32_t))};
    chorus_rc rc = s.acc_stamp && s.out_stamp ? CHORUS_OK : ch_nomem(ctx);
    if (!rc)
        rc = collect(ctx, cat, posts, 0, &v, &n, &cap);
    if (!rc)
        rc = collect(ctx, cat, docs, t->n_posts, &v, &n, &cap);
    if (!rc && n)
        rc = add_narratives(t, &s, v, n);
    ch_free(ctx, v, cap * sizeof *v);
    ch_free(ctx, s.acc_stamp, (na + 1) * sizeof(uint32_t));
    ch_free(ctx, s.out_stamp, (no + 1) * sizeof(uint32_t));
    return rc;
}
