/*
 * narratives.c - provenance per narrative: the posts and articles that
 * catalogue matching (match.h) finds carrying each talking point, ordered
 * by time, give its earliest witness and its spread, as for a reuse
 * cluster, and a tree: each later item's parent is the earlier item whose
 * text is most like its own (parents.c).
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
    tr *text;          /* enough of a run's state to load texts */
    tr_parents *picker;
    uint32_t *depth;   /* per item */
} nstate;

/* Tree edges of narrative cluster k from its items x[0..n) in time order;
 * sets its hops. */
static chorus_rc narrative_tree(chorus_trace *t, nstate *s, const nitem *x, size_t n, uint32_t k)
{
    chorus_trace_cluster *cl = &t->clusters[k];
    tr_sketch sk;
    tr_parents_reset(s->picker, UINT32_MAX);
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        int doc = x[i].item >= s->n_posts;
        if ((rc = tr_text_load(s->text, &s->text->src, doc ? x[i].item - s->n_posts : x[i].item,
                               doc)))
            break;
        tr_sketch_make(s->text->src.cp, s->text->src.n, &sk);
        uint32_t pa = tr_parents_next(s->picker, x[i].item, &sk,
                                      chorus_text_hash(s->text->src.tb.text, s->text->src.tb.len));
        s->depth[x[i].item] = pa == UINT32_MAX ? 0 : s->depth[pa] + 1;
        cl->hops = s->depth[x[i].item] > cl->hops ? s->depth[x[i].item] : cl->hops;
        if ((rc = ch_grow(t->ctx, (void **)&t->edges, &t->cap_edges, t->n_edges + 1,
                          sizeof *t->edges)))
            break;
        chorus_trace_edge e = {k, x[i].item, pa == UINT32_MAX ? -1 : (int64_t)pa};
        t->edges[t->n_edges++] = e;
    }
    return rc;
}

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
        rc = narrative_tree(t, s, v + i, j - i, (uint32_t)t->n_clusters - 1);
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
    size_t ni = (size_t)t->n_posts + (docs ? chorus_corpus_post_count(docs) : 0) + 1;
    tr text;
    memset(&text, 0, sizeof text);
    text.ctx = ctx, text.posts = posts, text.docs = docs;
    chorus_text_buf_init(&text.src.tb, ctx);
    nstate s = {posts, docs, t->n_posts, ch_calloc(ctx, (na + 1) * sizeof(uint32_t)),
                ch_calloc(ctx, (no + 1) * sizeof(uint32_t)), &text,
                ch_alloc(ctx, sizeof *s.picker), ch_alloc(ctx, ni * sizeof *s.depth)};
    chorus_rc rc = s.acc_stamp && s.out_stamp && s.picker && s.depth ? CHORUS_OK : ch_nomem(ctx);
    chorus_text_opts to;
    chorus_text_defaults(&to);
    if (!rc)
        rc = chorus_normalizer_new(ctx, &to, &text.norm);
    if (!rc)
        rc = collect(ctx, cat, posts, 0, &v, &n, &cap);
    if (!rc)
        rc = collect(ctx, cat, docs, t->n_posts, &v, &n, &cap);
    if (!rc && n)
        rc = add_narratives(t, &s, v, n);
    ch_free(ctx, v, cap * sizeof *v);
    ch_free(ctx, s.acc_stamp, (na + 1) * sizeof(uint32_t));
    ch_free(ctx, s.out_stamp, (no + 1) * sizeof(uint32_t));
    ch_free(ctx, s.picker, sizeof *s.picker);
    ch_free(ctx, s.depth, ni * sizeof *s.depth);
    tr_text_free(ctx, &text.src);
    chorus_normalizer_free(text.norm);
    return rc;
}
