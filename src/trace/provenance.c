/*
 * provenance.c - from reuse rows to provenance: clusters (a near-duplicate
 * cluster alone, or everything reuse connects), each member's parent (a
 * time-directed tree), the earliest witness and the spread over time; and
 * laundering: articles whose passage first appeared on an exposed account
 * or a member of a coordinated group.
 */
#include "trace/trace_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct prov {
    tr *s;
    uint32_t n_nodes, n_comp, n_items, n_acc;
    uint32_t *uf;            /* union-find over units then articles */
    uint8_t *linked;         /* node has a reuse row */
    uint32_t *comp;          /* per root: its cluster, or UINT32_MAX */
    uint32_t *start, *items; /* items of cluster c: items[start[c]..start[c + 1]) */
    uint32_t *best_row;      /* per item: its best reuse row as target, or UINT32_MAX */
    uint32_t *depth, *acc_stamp, *out_stamp; /* per item; per account; per outlet */
    uint32_t *order;         /* clusters by first time */
} prov;

static uint32_t find(uint32_t *uf, uint32_t x)
{
    while (uf[x] != x)
        x = uf[x] = uf[uf[x]];
    return x;
}

static uint32_t node_of(const tr *s, uint32_t item)
{
    return item < s->n_posts ? s->post_unit[item] : s->n_units + (item - s->n_posts);
}

static int64_t item_ms(const tr *s, uint32_t item)
{
    return item < s->n_posts ? s->post_ms[item] : s->doc_ms[item - s->n_posts];
}

/* 1 when reuse row x makes a better parent than row y: the higher score,
 * ties to the most recent source (then the later item). */
static int better_parent(const tr *s, const chorus_trace_reuse *x, const chorus_trace_reuse *y)
{
    if (x->score != y->score)
        return x->score > y->score;
    int64_t tx = item_ms(s, x->source), ty = item_ms(s, y->source);
    return tx != ty ? tx > ty : x->source > y->source;
}

/* Joins the nodes of every reuse row and picks each target's best row. */
static void join_rows(prov *p)
{
    tr *s = p->s;
    for (uint32_t i = 0; i < p->n_nodes; i++)
        p->uf[i] = i;
    for (size_t r = 0; r < s->res->n_reuse; r++) {
        const chorus_trace_reuse *x = &s->res->reuse[r];
        uint32_t a = node_of(s, x->source), b = node_of(s, x->target);
        p->linked[a] = p->linked[b] = 1;
        a = find(p->uf, a), b = find(p->uf, b);
        if (a != b)
            p->uf[a > b ? a : b] = a < b ? a : b;
        uint32_t cur = p->best_row[x->target];
        if (cur == UINT32_MAX || better_parent(s, x, &s->res->reuse[cur]))
            p->best_row[x->target] = (uint32_t)r;
    }
}

static uint32_t node_items(const tr *s, uint32_t node)
{
    return node < s->n_units ? s->unit_first[node + 1] - s->unit_first[node] : 1;
}

/* Numbers the clusters (in node order) and lays out their items. */
static void gather(prov *p)
{
    tr *s = p->s;
    for (uint32_t v = 0; v < p->n_nodes; v++) {
        uint32_t r = find(p->uf, v);
        if (!p->linked[v] && node_items(s, v) < 2 && r == v)
            continue;
        if (p->comp[r] == UINT32_MAX)
            p->comp[r] = p->n_comp++;
        p->start[p->comp[r] + 1] += node_items(s, v);
    }
    for (uint32_t c = 0; c < p->n_comp; c++)
        p->start[c + 1] += p->start[c];
    p->n_items = p->start[p->n_comp];
}

static void place_items(prov *p, uint32_t *fill)
{
    tr *s = p->s;
    memcpy(fill, p->start, p->n_comp * sizeof *fill);
    for (uint32_t v = 0; v < p->n_nodes; v++) {
        uint32_t c = p->comp[find(p->uf, v)];
        if (c == UINT32_MAX)
            continue;
        if (v < s->n_units)
            for (uint32_t i = s->unit_first[v]; i < s->unit_first[v + 1]; i++)
                p->items[fill[c]++] = s->member[i];
        else
            p->items[fill[c]++] = s->n_posts + (v - s->n_units);
    }
}

typedef struct timed {
    int64_t ms;
    uint32_t item, comp;
} timed;

static int cmp_timed(const void *a, const void *b)
{
    const timed *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* Sorts each cluster's items by time (then item), and the clusters by
 * their first item into p->order. */
static chorus_rc sort_clusters(prov *p)
{
    tr *s = p->s;
    size_t n = p->n_items > p->n_comp ? p->n_items : p->n_comp;
    timed *t = ch_alloc(s->ctx, (n ? n : 1) * sizeof *t);
    if (!t)
        return ch_nomem(s->ctx);
    for (uint32_t c = 0; c < p->n_comp; c++) {
        uint32_t a = p->start[c], m = p->start[c + 1] - a;
        for (uint32_t i = 0; i < m; i++)
            t[i].ms = item_ms(s, p->items[a + i]), t[i].item = p->items[a + i];
        qsort(t, m, sizeof *t, cmp_timed);
        for (uint32_t i = 0; i < m; i++)
            p->items[a + i] = t[i].item;
    }
    for (uint32_t c = 0; c < p->n_comp; c++) {
        t[c].item = p->items[p->start[c]], t[c].ms = item_ms(s, t[c].item), t[c].comp = c;
    }
    qsort(t, p->n_comp, sizeof *t, cmp_timed);
    for (uint32_t c = 0; c < p->n_comp; c++)
        p->order[c] = t[c].comp;
    ch_free(s->ctx, t, (n ? n : 1) * sizeof *t);
    return CHORUS_OK;
}

static chorus_rc add_edge(tr *s, uint32_t cluster, uint32_t item, int64_t parent)
{
    chorus_trace *r = s->res;
    if (ch_grow(s->ctx, (void **)&r->edges, &r->cap_edges, r->n_edges + 1, sizeof *r->edges))
        return CHORUS_ENOMEM;
    chorus_trace_edge e = {cluster, item, parent};
    r->edges[r->n_edges++] = e;
    return CHORUS_OK;
}

static chorus_time_res time_res(const tr *s, uint32_t item)
{
    chorus_post_view v;
    if (item < s->n_posts)
        chorus_corpus_post(s->posts, item, &v);
    else
        chorus_corpus_post(s->docs, item - s->n_posts, &v);
    return v.time_res;
}

/* Counts a new account or outlet of cluster k at time ms. */
static void spread(const prov *p, chorus_trace_cluster *cl, uint32_t item, uint32_t k, int64_t ms)
{
    const tr *s = p->s;
    if (item < s->n_posts) {
        cl->posts++;
        uint32_t a = s->post_account[item];
        if (p->acc_stamp[a] == k + 1)
            return;
        p->acc_stamp[a] = k + 1;
        cl->accounts++;
        if (cl->accounts == 10)
            cl->to_10_accounts_ms = ms - cl->first_ms;
        if (cl->accounts == 100)
            cl->to_100_accounts_ms = ms - cl->first_ms;
        return;
    }
    cl->articles++;
    if (cl->first_outlet < 0)
        cl->first_outlet = item;
    uint32_t o = s->doc_outlet[item - s->n_posts];
    if (p->out_stamp[o] != k + 1)
        p->out_stamp[o] = k + 1, cl->outlets++;
}

/* Cluster k (number) from its items, with its tree edges. */
static chorus_rc one_cluster(prov *p, uint32_t k, uint32_t c)
{
    tr *s = p->s;
    chorus_trace *r = s->res;
    if (ch_grow(s->ctx, (void **)&r->clusters, &r->cap_clusters, r->n_clusters + 1,
                sizeof *r->clusters))
        return CHORUS_ENOMEM;
    chorus_trace_cluster *cl = &r->clusters[r->n_clusters++];
    memset(cl, 0, sizeof *cl);
    cl->narrative = -1;
    const uint32_t *it = p->items + p->start[c];
    cl->items = p->start[c + 1] - p->start[c];
    cl->earliest = it[0];
    cl->first_ms = item_ms(s, it[0]);
    cl->last_ms = item_ms(s, it[cl->items - 1]);
    cl->minute = time_res(s, it[0]) == CHORUS_TIME_MINUTE;
    cl->first_outlet = cl->to_10_accounts_ms = cl->to_100_accounts_ms = -1;
    chorus_rc rc = CHORUS_OK;
    for (uint32_t i = 0; i < cl->items && !rc; i++) {
        uint32_t x = it[i];
        int64_t ms = item_ms(s, x), parent = -1;
        if (x < s->n_posts && s->post_parent[x] != UINT32_MAX)
            parent = s->post_parent[x];
        else if (p->best_row[x] != UINT32_MAX) /* an article, or a post quoting one */
            parent = r->reuse[p->best_row[x]].source;
        p->depth[x] = parent < 0 ? 0 : p->depth[parent] + 1;
        cl->hops = p->depth[x] > cl->hops ? p->depth[x] : cl->hops;
        cl->ties += i > 0 && ms == cl->first_ms;
        spread(p, cl, x, k, ms);
        rc = add_edge(s, k, x, parent);
    }
    cl->passage = cl->articles > 0;
    return rc;
}

static void free_prov(prov *p)
{
    chorus_ctx *ctx = p->s->ctx;
    tr *s = p->s;
    size_t nn = p->n_nodes + 1, ni = (size_t)s->n_posts + s->n_docs + 1;
    ch_free(ctx, p->uf, nn * sizeof *p->uf);
    ch_free(ctx, p->linked, nn);
    ch_free(ctx, p->comp, nn * sizeof *p->comp);
    ch_free(ctx, p->start, (nn + 1) * sizeof *p->start);
    ch_free(ctx, p->order, nn * sizeof *p->order);
    ch_free(ctx, p->items, ni * sizeof *p->items);
    ch_free(ctx, p->best_row, ni * sizeof *p->best_row);
    ch_free(ctx, p->depth, ni * sizeof *p->depth);
    ch_free(ctx, p->acc_stamp, (p->n_acc + 1) * sizeof *p->acc_stamp);
    ch_free(ctx, p->out_stamp, (s->n_outlets + 1) * sizeof *p->out_stamp);
}

chorus_rc tr_provenance(tr *s)
{
    prov p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.n_nodes = s->n_units + s->n_docs;
    size_t nn = p.n_nodes + 1, ni = (size_t)s->n_posts + s->n_docs + 1;
    uint32_t n_acc = p.n_acc = s->posts ? chorus_corpus_account_count(s->posts) : 0;
    p.uf = ch_alloc(s->ctx, nn * sizeof *p.uf);
    p.linked = ch_calloc(s->ctx, nn);
    p.comp = ch_alloc(s->ctx, nn * sizeof *p.comp);
    p.start = ch_calloc(s->ctx, (nn + 1) * sizeof *p.start);
    p.order = ch_alloc(s->ctx, nn * sizeof *p.order);
    p.items = ch_alloc(s->ctx, ni * sizeof *p.items);
    p.best_row = ch_alloc(s->ctx, ni * sizeof *p.best_row);
    p.depth = ch_alloc(s->ctx, ni * sizeof *p.depth);
    p.acc_stamp = ch_calloc(s->ctx, (n_acc + 1) * sizeof *p.acc_stamp);
    p.out_stamp = ch_calloc(s->ctx, (s->n_outlets + 1) * sizeof *p.out_stamp);
    chorus_rc rc = CHORUS_OK;
    if (!p.uf || !p.linked || !p.comp || !p.start || !p.order || !p.items || !p.best_row ||
        !p.depth || !p.acc_stamp || !p.out_stamp)
        rc = ch_nomem(s->ctx);
    if (!rc) {
        memset(p.comp, 0xFF, nn * sizeof *p.comp);
        memset(p.best_row, 0xFF, ni * sizeof *p.best_row);
        join_rows(&p);
        gather(&p);
        place_items(&p, p.order); /* order is scratch until sort_clusters fills it */
        rc = sort_clusters(&p);
    }
    for (uint32_t k = 0; k < p.n_comp && !rc; k++)
        rc = one_cluster(&p, k, p.order[k]);
    s->res->stats.clusters = s->res->n_clusters;
    free_prov(&p);
    return rc;
}

/* Exposure date per account of the posts: INT64_MAX when not exposed,
 * INT64_MIN when exposed without a date. */
static int64_t *exposure(tr *s, const chorus_exposed *ex, uint32_t n_acc)
{
    int64_t *when = ch_alloc(s->ctx, (n_acc + 1) * sizeof *when);
    if (!when)
        return NULL;
    for (uint32_t a = 0; a <= n_acc; a++)
        when[a] = INT64_MAX;
    for (size_t i = 0; ex && s->posts && i < ex->n; i++) {
        int64_t a = chorus_corpus_find_account(s->posts, ex->ids[i].ptr, ex->ids[i].len);
        if (a < 0)
            continue;
        int64_t w = ex->when_ms[i];
        if (when[a] == INT64_MAX || w == INT64_MIN || (when[a] != INT64_MIN && w < when[a]))
            when[a] = w;
    }
    return when;
}

/* Reuse rows r[lo..hi) of one article: the earliest post among their
 * sources (the passage's earliest witness) and its best row; UINT32_MAX
 * when no post, or an article carried the passage earlier. */
static uint32_t origin_row(const tr *s, size_t lo, size_t hi, uint32_t *origin)
{
    const chorus_trace_reuse *r = s->res->reuse;
    uint32_t best = UINT32_MAX, o = UINT32_MAX;
    int64_t doc_first = INT64_MAX;
    for (size_t i = lo; i < hi; i++) {
        uint32_t f = r[i].source;
        if (s->reuse_unit[i] == UINT32_MAX) {
            int64_t t = item_ms(s, f);
            doc_first = t < doc_first ? t : doc_first;
            continue;
        }
        if (o == UINT32_MAX || s->post_ms[f] < s->post_ms[o] ||
            (s->post_ms[f] == s->post_ms[o] && f < o) || (f == o && r[i].score > r[best].score))
            o = f, best = (uint32_t)i;
    }
    if (o == UINT32_MAX || doc_first < s->post_ms[o])
        return UINT32_MAX;
    *origin = o;
    return best;
}

static chorus_rc add_launder(tr *s, uint32_t row, uint32_t origin, int64_t when, int by_group)
{
    chorus_trace *r = s->res;
    if (ch_grow(s->ctx, (void **)&r->launder, &r->cap_launder, r->n_launder + 1,
                sizeof *r->launder))
        return CHORUS_ENOMEM;
    chorus_trace_launder l = {r->reuse[row].target, origin, row, when, by_group};
    r->launder[r->n_launder++] = l;
    return CHORUS_OK;
}

/* Shared doc_k anchors that make an earlier article a witness of a passage. */
#define WITNESS_ANCHORS 2

/* Sets *first when an article published before before_ms carries the
 * passage of reuse row x: WITNESS_ANCHORS of the passage's article
 * anchors, however frequent (a talking point laundered by many outlets
 * is frequent among articles). The passage's earliest witness is then an
 * outlet, not the post. */
static chorus_rc outlet_first(tr *s, const chorus_trace_reuse *x, int64_t before_ms, int *first)
{
    uint32_t d = x->target - s->n_posts, *v = NULL;
    size_t n = 0, cap = 0;
    *first = 0;
    chorus_rc rc = tr_text_load(s, &s->tgt, d, 1);
    if (!rc)
        rc = tr_text_anchors(s, &s->tgt, s->o->doc_k, s->o->doc_w);
    for (size_t a = 0; a < s->tgt.n_anchors && !rc; a++) {
        uint32_t at = s->tgt.tb.src_off[s->tgt.off[s->tgt.anchors[a].pos]], cnt;
        if (at < x->target_start || at >= x->target_end)
            continue;
        const uint32_t *e = tr_index_find_all(&s->doc_ix, s->tgt.anchors[a].hash, &cnt);
        for (uint32_t i = 0; i < cnt && !rc; i++) {
            if (e[i] == d || s->doc_ms[e[i]] >= before_ms)
                continue;
            if (!(rc = ch_grow(s->ctx, (void **)&v, &cap, n + 1, sizeof *v)))
                v[n++] = e[i];
        }
    }
    for (size_t i = 0; i < n && !rc && !*first; i++) { /* n is small: a passage's anchors */
        size_t same = 0;
        for (size_t j = 0; j < n; j++)
            same += v[j] == v[i];
        *first = same >= WITNESS_ANCHORS;
    }
    ch_free(s->ctx, v, cap * sizeof *v);
    return rc;
}

chorus_rc tr_laundering(tr *s, const chorus_exposed *ex, const uint8_t *groups)
{
    uint32_t n_acc = s->posts ? chorus_corpus_account_count(s->posts) : 0;
    int64_t *when = exposure(s, ex, n_acc);
    if (!when)
        return ch_nomem(s->ctx);
    chorus_rc rc = CHORUS_OK;
    const chorus_trace_reuse *r = s->res->reuse;
    for (size_t lo = 0, hi; lo < s->res->n_reuse && !rc; lo = hi) {
        for (hi = lo; hi < s->res->n_reuse && r[hi].target == r[lo].target; hi++)
            ;
        if (r[lo].target < s->n_posts) /* a post quoting an article */
            continue;
        uint32_t origin, row = origin_row(s, lo, hi, &origin);
        if (row == UINT32_MAX)
            continue;
        uint32_t a = s->post_account[origin];
        int first = 0;
        if ((when[a] != INT64_MAX || (groups && groups[a])) &&
            (rc = outlet_first(s, &r[row], s->post_ms[origin], &first)))
            break;
        if (first)
            continue;
        if (when[a] != INT64_MAX)
            rc = add_launder(s, row, origin, when[a], 0);
        else if (groups && groups[a])
            rc = add_launder(s, row, origin, INT64_MIN, 1);
    }
    ch_free(s->ctx, when, (n_acc + 1) * sizeof *when);
    s->res->stats.laundering = s->res->n_launder;
    return rc;
}
