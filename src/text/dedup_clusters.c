/*
 * dedup_clusters.c - from linked texts to clusters: posts grouped by the
 * root of their text; clusters of 2 or more posts ordered larger first,
 * each with its representative (the match form most of its posts share),
 * accounts, times, and every member's Jaccard to the representative.
 */
#include "text/dedup_impl.h"

#include "core/radix_sort.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* One clustered post while the clusters are laid out. */
typedef struct cl_post {
    int64_t time_ms;
    uint32_t post, account;
} cl_post;

/* Working arrays; per text (n_texts), per cluster (n), per clustered post. */
typedef struct cl_work {
    uint32_t *cl;      /* per text: its cluster, or NONE */
    uint32_t *size;    /* per text while counting, then per cluster */
    uint32_t *best, *texts, *earliest, *pos;
    int64_t *first_ms, *last_ms;
    float *sim;        /* per text: Jaccard to its cluster's representative */
    cl_post *posts;    /* clustered posts, by cluster, then in time order */
    uint32_t n;
    size_t n_posts;
} cl_work;

/* Roots, post counts per root, and a cluster index per text in clusters
 * of 2 or more posts (numbered by root). */
static void find_clusters(ch_dd_run *r, cl_work *w)
{
    const ch_dd_texts *t = &r->t;
    memset(w->size, 0, t->n * sizeof *w->size);
    for (uint32_t x = 0; x < t->n; x++) {
        r->parent[x] = ch_dd_find(r->parent, x); /* straight to the root from now on */
        w->size[r->parent[x]] += t->count[x];
    }
    w->n = 0;
    w->n_posts = 0;
    for (uint32_t x = 0; x < t->n; x++)
        if (r->parent[x] == x && w->size[x] >= 2) {
            w->cl[x] = w->n++;
            w->n_posts += w->size[x];
        }
    for (uint32_t x = 0; x < t->n; x++) {
        uint32_t root = r->parent[x];
        w->cl[x] = w->size[root] >= 2 ? w->cl[root] : NONE;
    }
}

static chorus_rc work_alloc(ch_dd_run *r, cl_work *w)
{
    chorus_ctx *ctx = r->ctx;
    size_t n = r->t.n + 1;
    memset(w, 0, sizeof *w);
    w->cl = ch_alloc(ctx, n * sizeof *w->cl);
    w->size = ch_alloc(ctx, n * sizeof *w->size);
    w->sim = ch_alloc(ctx, n * sizeof *w->sim);
    if (!w->cl || !w->size || !w->sim)
        return ch_nomem(ctx);
    ch_dd_account(r, (int64_t)n * 12);
    find_clusters(r, w);
    size_t k = (size_t)w->n + 1;
    w->best = ch_alloc(ctx, k * sizeof *w->best);
    w->texts = ch_calloc(ctx, k * sizeof *w->texts);
    w->earliest = ch_alloc(ctx, k * sizeof *w->earliest);
    w->pos = ch_alloc(ctx, k * sizeof *w->pos);
    w->first_ms = ch_alloc(ctx, k * sizeof *w->first_ms);
    w->last_ms = ch_alloc(ctx, k * sizeof *w->last_ms);
    w->posts = ch_alloc(ctx, (w->n_posts + 1) * sizeof *w->posts);
    ch_dd_account(r, (int64_t)(k * 32 + (w->n_posts + 1) * sizeof *w->posts));
    if (!w->best || !w->texts || !w->earliest || !w->pos || !w->first_ms || !w->last_ms || !w->posts)
        return ch_nomem(ctx);
    return CHORUS_OK;
}

static void work_free(ch_dd_run *r, cl_work *w)
{
    chorus_ctx *ctx = r->ctx;
    size_t n = r->t.n + 1, k = (size_t)w->n + 1;
    ch_free(ctx, w->cl, n * sizeof *w->cl);
    ch_free(ctx, w->size, n * sizeof *w->size);
    ch_free(ctx, w->sim, n * sizeof *w->sim);
    ch_free(ctx, w->best, k * sizeof *w->best);
    ch_free(ctx, w->texts, k * sizeof *w->texts);
    ch_free(ctx, w->earliest, k * sizeof *w->earliest);
    ch_free(ctx, w->pos, k * sizeof *w->pos);
    ch_free(ctx, w->first_ms, k * sizeof *w->first_ms);
    ch_free(ctx, w->last_ms, k * sizeof *w->last_ms);
    ch_free(ctx, w->posts, (w->n_posts + 1) * sizeof *w->posts);
    if (w->posts) /* as work_alloc counted it */
        ch_dd_account(r, -(int64_t)(n * 12 + k * 32 + (w->n_posts + 1) * sizeof *w->posts));
}

/* Per cluster: sizes, distinct texts and the representative text (the
 * most posts, then the first seen: under center linkage, the center). */
static void cluster_texts(ch_dd_run *r, cl_work *w)
{
    const ch_dd_texts *t = &r->t;
    for (uint32_t k = 0; k < w->n; k++)
        w->best[k] = NONE;
    for (uint32_t x = 0; x < t->n; x++) {
        uint32_t k = w->cl[x];
        if (k == NONE)
            continue;
        w->texts[k]++;
        if (w->best[k] == NONE || t->count[x] > t->count[w->best[k]])
            w->best[k] = x;
    }
    for (uint32_t k = 0; k < w->n; k++) /* per text to per cluster: k <= its root's id */
        w->size[k] = w->size[r->parent[w->best[k]]];
}

static int earlier(int64_t ta, uint32_t pa, int64_t tb, uint32_t pb)
{
    return ta < tb || (ta == tb && pa < pb);
}

/* Times of each cluster: first, last, and the earliest post; the
 * clustered posts into w->posts, in corpus order. */
static void cluster_times(ch_dd_run *r, cl_work *w)
{
    for (uint32_t k = 0; k < w->n; k++) {
        w->earliest[k] = NONE;
        w->first_ms[k] = INT64_MAX;
        w->last_ms[k] = INT64_MIN;
    }
    size_t m = 0;
    for (uint32_t i = 0; i < r->n_posts; i++) {
        uint32_t x = r->post_text[i], k = x == NONE ? NONE : w->cl[x];
        if (k == NONE)
            continue;
        chorus_post_view v;
        chorus_corpus_post(r->c, i, &v);
        w->posts[m++] = (cl_post){v.time_ms, i, v.account};
        if (w->earliest[k] == NONE || earlier(v.time_ms, i, w->first_ms[k], w->earliest[k])) {
            w->earliest[k] = i;
            w->first_ms[k] = v.time_ms;
        }
        if (v.time_ms > w->last_ms[k])
            w->last_ms[k] = v.time_ms;
    }
}

/* The final order of the clusters into order[0..n): larger first, then
 * earlier first_ms, then the earlier post; three stable radix sorts, the
 * least significant key first. */
static chorus_rc order_clusters(ch_dd_run *r, const cl_work *w, uint32_t *order)
{
    uint64_t *keys = ch_alloc(r->ctx, ((size_t)w->n + 1) * sizeof *keys);
    if (!keys)
        return ch_nomem(r->ctx);
    chorus_rc rc = CHORUS_OK;
    for (uint32_t k = 0; k < w->n; k++) {
        order[k] = k;
        keys[k] = w->earliest[k];
    }
    for (int pass = 0; pass < 3 && !rc; pass++) {
        if (pass == 1)
            for (uint32_t i = 0; i < w->n; i++) /* signed to unsigned, order kept */
                keys[i] = (uint64_t)w->first_ms[order[i]] ^ (1ULL << 63);
        if (pass == 2)
            for (uint32_t i = 0; i < w->n; i++)
                keys[i] = UINT32_MAX - w->size[order[i]];
        rc = ch_radix_sort_u64(r->ctx, keys, order, w->n);
    }
    ch_free(r->ctx, keys, ((size_t)w->n + 1) * sizeof *keys);
    return rc;
}

static int by_time(const void *pa, const void *pb)
{
    const cl_post *a = pa, *b = pb;
    return earlier(a->time_ms, a->post, b->time_ms, b->post) ? -1
           : earlier(b->time_ms, b->post, a->time_ms, a->post);
}

/* Posts laid out by final cluster position, each cluster in time order. */
static chorus_rc layout_posts(ch_dd_run *r, cl_work *w, const uint32_t *order, size_t *start)
{
    cl_post *laid = ch_alloc(r->ctx, (w->n_posts + 1) * sizeof *laid);
    if (!laid)
        return ch_nomem(r->ctx);
    size_t off = 0;
    for (uint32_t p = 0; p < w->n; p++) {
        w->pos[order[p]] = p;
        start[p] = off;
        off += w->size[order[p]];
    }
    start[w->n] = off;
    for (size_t m = 0; m < w->n_posts; m++) {
        uint32_t k = w->cl[r->post_text[w->posts[m].post]];
        laid[start[w->pos[k]]++] = w->posts[m];
    }
    ch_dd_account(r, (int64_t)((w->n_posts + 1) * sizeof *laid)); /* both, for a moment */
    ch_free(r->ctx, w->posts, (w->n_posts + 1) * sizeof *w->posts);
    ch_dd_account(r, -(int64_t)((w->n_posts + 1) * sizeof *laid));
    w->posts = laid;
    for (uint32_t p = 0; p < w->n; p++) {
        start[p] -= w->size[order[p]];
        qsort(w->posts + start[p], w->size[order[p]], sizeof *w->posts, by_time);
    }
    return CHORUS_OK;
}

/* Jaccard of every text to its cluster's representative. */
static chorus_rc text_similarity(ch_dd_run *r, cl_work *w)
{
    chorus_rc rc = CHORUS_OK;
    for (uint32_t x = 0; x < r->t.n && !rc; x++) {
        uint32_t k = w->cl[x];
        double j = 1, c;
        if (k != NONE && x != w->best[k])
            rc = ch_dd_compare(r, w->best[k], x, 0, &j, &c);
        w->sim[x] = (float)j;
    }
    return rc;
}

/* Distinct accounts of cluster p's posts; mark[a] remembers the last
 * cluster that counted account a. */
static uint32_t count_accounts(const cl_post *p, size_t n, uint32_t *mark, uint32_t id)
{
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[p[i].account] != id) {
            mark[p[i].account] = id;
            k++;
        }
    return k;
}

/* One cluster of the result, at position p. */
static chorus_rc fill_cluster(ch_dd_run *r, const cl_work *w, uint32_t k, uint32_t p,
                              const size_t *start, uint32_t *mark)
{
    chorus_dedup *d = r->d;
    chorus_dedup_cluster *cl = &d->clusters[p];
    uint32_t b = w->best[k];
    chorus_rc rc = ch_dd_match_form(r, r->t.first[b]);
    size_t len = r->buf.len;
    const char *mf = rc ? NULL : ch_arena_dup(&r->priv->arena, r->buf.text, len);
    if (!mf)
        return rc ? rc : CHORUS_ENOMEM;
    *cl = (chorus_dedup_cluster){.size = w->size[k], .texts = w->texts[k],
                                 .representative = r->t.first[b], .earliest = w->earliest[k],
                                 .first_ms = w->first_ms[k], .last_ms = w->last_ms[k],
                                 .first_member = start[p], .match_form = {mf, len}};
    const cl_post *posts = w->posts + start[p];
    cl->accounts = count_accounts(posts, cl->size, mark, p + 1);
    for (uint32_t i = 0; i < cl->size; i++)
        d->members[start[p] + i] = (chorus_dedup_member){posts[i].post,
                                                         w->sim[r->post_text[posts[i].post]]};
    return CHORUS_OK;
}

static chorus_rc fill_result(ch_dd_run *r, cl_work *w, const uint32_t *order, const size_t *start)
{
    chorus_dedup *d = r->d;
    size_t na = chorus_corpus_account_count(r->c) + 1;
    d->n_clusters = w->n; /* first: chorus_dedup_free frees by these sizes */
    d->n_members = w->n_posts;
    uint32_t *mark = ch_calloc(r->ctx, na * sizeof *mark);
    d->clusters = ch_calloc(r->ctx, ((size_t)w->n + 1) * sizeof *d->clusters);
    d->members = ch_alloc(r->ctx, (w->n_posts + 1) * sizeof *d->members);
    if (!mark || !d->clusters || !d->members) {
        ch_free(r->ctx, mark, na * sizeof *mark);
        return ch_nomem(r->ctx);
    }
    d->stats.clusters = w->n;
    d->stats.clustered = w->n_posts;
    ch_dd_account(r, (int64_t)(na * 4 + w->n * sizeof *d->clusters + w->n_posts * 8));
    chorus_rc rc = CHORUS_OK;
    for (uint32_t p = 0; p < w->n && !rc; p++)
        rc = fill_cluster(r, w, order[p], p, start, mark);
    ch_free(r->ctx, mark, na * sizeof *mark);
    return rc;
}

chorus_rc ch_dd_clusters(ch_dd_run *r)
{
    cl_work w;
    chorus_rc rc = work_alloc(r, &w);
    uint32_t *order = NULL;
    size_t *start = NULL;
    if (!rc) {
        cluster_texts(r, &w);
        cluster_times(r, &w);
        order = ch_alloc(r->ctx, ((size_t)w.n + 1) * sizeof *order);
        start = ch_alloc(r->ctx, ((size_t)w.n + 1) * sizeof *start);
        rc = order && start ? order_clusters(r, &w, order) : ch_nomem(r->ctx);
    }
    if (!rc && !(rc = layout_posts(r, &w, order, start)))
        rc = text_similarity(r, &w);
    if (!rc)
        rc = fill_result(r, &w, order, start);
    ch_free(r->ctx, order, ((size_t)w.n + 1) * sizeof *order);
    ch_free(r->ctx, start, ((size_t)w.n + 1) * sizeof *start);
    work_free(r, &w);
    return rc;
}
