/*
 * groups.c - groups of coordinated accounts (see coord.h): connected
 * components of the network, the large ones split by igraph's Leiden
 * algorithm. igraph's error handler and random generator are process-wide;
 * they are set on each call (no abort on error, the context's seed).
 */
#include <chorus/coord.h>

#include "core/ctx.h"
#include "core/radix_sort.h"

#include <igraph/igraph.h>
#include <stdlib.h>
#include <string.h>

void chorus_group_defaults(chorus_group_opts *o)
{
    o->split_above = 50;
    o->iterations = 10;
    o->resolution = 1.0;
}

/* The network on dense vertex ids: vertex v is account acct[v]. */
typedef struct net {
    uint32_t *vertex; /* account -> vertex, UINT32_MAX when absent */
    uint32_t *acct;   /* vertex -> account */
    uint32_t nv;
    igraph_vector_int_t ends;
    igraph_vector_t weights;
} net;

/* Merges parallel edges (summing weights) and numbers the vertices in
 * account order, so the result depends on the edges, not their order. */
static chorus_rc build(chorus_ctx *ctx, net *g, const uint32_t *a, const uint32_t *b,
                       const double *w, size_t n, uint32_t n_acc)
{
    uint64_t *key = ch_alloc(ctx, (n ? n : 1) * sizeof *key);
    uint32_t *idx = ch_alloc(ctx, (n ? n : 1) * sizeof *idx);
    g->vertex = ch_alloc(ctx, (n_acc ? n_acc : 1) * sizeof *g->vertex);
    g->acct = ch_alloc(ctx, (n_acc ? n_acc : 1) * sizeof *g->acct);
    chorus_rc rc = (!key || !idx || !g->vertex || !g->acct) ? ch_nomem(ctx) : CHORUS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (a[i] >= n_acc || b[i] >= n_acc || a[i] == b[i])
            rc = ch_error(ctx, CHORUS_EUSAGE, "group edge %zu is not a pair of accounts", i);
        key[i] = a[i] < b[i] ? (uint64_t)a[i] << 32 | b[i] : (uint64_t)b[i] << 32 | a[i];
        idx[i] = (uint32_t)i;
    }
    if (!rc)
        rc = ch_radix_sort_u64(ctx, key, idx, n);
    if (!rc) {
        memset(g->vertex, 0xff, (n_acc ? n_acc : 1) * sizeof *g->vertex);
        const uint32_t present = UINT32_MAX - 1;
        for (size_t i = 0; i < n; i++)
            g->vertex[key[i] >> 32] = g->vertex[(uint32_t)key[i]] = present;
        for (uint32_t k = 0; k < n_acc; k++)
            if (g->vertex[k] == present) {
                g->vertex[k] = g->nv;
                g->acct[g->nv++] = k;
            }
    }
    if (!rc && (igraph_vector_int_init(&g->ends, 0) || igraph_vector_init(&g->weights, 0)))
        rc = ch_nomem(ctx);
    for (size_t i = 0; !rc && i < n;) {
        double sum = 0;
        size_t j = i;
        while (j < n && key[j] == key[i])
            sum += w[idx[j++]];
        if (igraph_vector_int_push_back(&g->ends, g->vertex[key[i] >> 32]) ||
            igraph_vector_int_push_back(&g->ends, g->vertex[(uint32_t)key[i]]) ||
            igraph_vector_push_back(&g->weights, sum))
            rc = ch_nomem(ctx);
        i = j;
    }
    ch_free(ctx, key, (n ? n : 1) * sizeof *key);
    ch_free(ctx, idx, (n ? n : 1) * sizeof *idx);
    return rc;
}

static void net_free(chorus_ctx *ctx, net *g, uint32_t n_acc, int vectors)
{
    ch_free(ctx, g->vertex, (n_acc ? n_acc : 1) * sizeof *g->vertex);
    ch_free(ctx, g->acct, (n_acc ? n_acc : 1) * sizeof *g->acct);
    if (vectors) {
        igraph_vector_int_destroy(&g->ends);
        igraph_vector_destroy(&g->weights);
    }
}

/* Leiden on the whole graph, modularity objective: node weights are the
 * strengths and the resolution is scaled by 1 / (2 m), as igraph documents. */
static chorus_rc leiden(chorus_ctx *ctx, const igraph_t *graph, const igraph_vector_t *w,
                        const chorus_group_opts *o, igraph_vector_int_t *membership)
{
    igraph_vector_t strength;
    igraph_integer_t clusters;
    if (igraph_vector_init(&strength, 0))
        return ch_nomem(ctx);
    double m = igraph_vector_sum(w);
    chorus_rc rc = CHORUS_OK;
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)ctx->seed);
    if (igraph_strength(graph, &strength, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS, w) ||
        igraph_community_leiden(graph, w, &strength, o->resolution / (2.0 * (m > 0 ? m : 1.0)), 0.01,
                                0, (igraph_integer_t)o->iterations, membership, &clusters, NULL))
        rc = ch_error(ctx, CHORUS_EINTERNAL, "igraph: community detection failed");
    igraph_vector_destroy(&strength);
    return rc;
}

/* Runs of equal keys (vertices idx in ascending order) are the groups:
 * numbered by decreasing size, then by their lowest vertex. */
static chorus_rc number_groups(chorus_ctx *ctx, const uint64_t *key, const uint32_t *idx, uint32_t nv,
                               uint32_t *out, uint32_t *n_groups)
{
    uint64_t *order = ch_alloc(ctx, (nv ? nv : 1) * sizeof *order);
    uint32_t *start = ch_alloc(ctx, (nv ? nv : 1) * sizeof *start);
    chorus_rc rc = (!order || !start) ? ch_nomem(ctx) : CHORUS_OK;
    uint32_t ng = 0;
    for (uint32_t i = 0; !rc && i < nv;) {
        uint32_t j = i, lowest = idx[i];
        while (j < nv && key[j] == key[i])
            lowest = idx[j] < lowest ? idx[j] : lowest, j++;
        order[ng] = (uint64_t)(UINT32_MAX - (j - i)) << 32 | lowest;
        start[ng++] = i;
        i = j;
    }
    uint32_t *run = ch_alloc(ctx, (ng ? ng : 1) * sizeof *run);
    if (!rc && !run)
        rc = ch_nomem(ctx);
    for (uint32_t g = 0; !rc && g < ng; g++)
        run[g] = g;
    if (!rc)
        rc = ch_radix_sort_u64(ctx, order, run, ng);
    for (uint32_t g = 0; !rc && g < ng; g++)
        for (uint32_t i = start[run[g]]; i < nv && key[i] == key[start[run[g]]]; i++)
            out[idx[i]] = g;
    *n_groups = ng;
    ch_free(ctx, order, (nv ? nv : 1) * sizeof *order);
    ch_free(ctx, start, (nv ? nv : 1) * sizeof *start);
    ch_free(ctx, run, (ng ? ng : 1) * sizeof *run);
    return rc;
}

/* Group key of each vertex: its component, or (component, community) for
 * components over the size bound; then renumbered by size and lowest vertex. */
static chorus_rc label(chorus_ctx *ctx, uint32_t nv, const igraph_vector_int_t *comp,
                       const igraph_vector_int_t *csize, const igraph_vector_int_t *comm,
                       uint32_t split_above, uint32_t *out, uint32_t *n_groups)
{
    uint64_t *key = ch_alloc(ctx, (nv ? nv : 1) * sizeof *key);
    uint32_t *idx = ch_alloc(ctx, (nv ? nv : 1) * sizeof *idx);
    chorus_rc rc = (!key || !idx) ? ch_nomem(ctx) : CHORUS_OK;
    for (uint32_t v = 0; !rc && v < nv; v++) {
        igraph_integer_t c = VECTOR(*comp)[v];
        int split = VECTOR(*csize)[c] > (igraph_integer_t)split_above;
        key[v] = (uint64_t)c << 32 | (split ? (uint64_t)VECTOR(*comm)[v] : 0);
        idx[v] = v;
    }
    if (!rc)
        rc = ch_radix_sort_u64(ctx, key, idx, nv);
    rc = rc ? rc : number_groups(ctx, key, idx, nv, out, n_groups);
    ch_free(ctx, key, (nv ? nv : 1) * sizeof *key);
    ch_free(ctx, idx, (nv ? nv : 1) * sizeof *idx);
    return rc;
}

static chorus_rc communities(chorus_ctx *ctx, net *g, const chorus_group_opts *o, uint32_t *vgroup,
                             uint32_t *n_groups)
{
    igraph_t graph;
    igraph_vector_int_t comp, csize, comm;
    igraph_integer_t nc;
    if (igraph_create(&graph, &g->ends, g->nv, IGRAPH_UNDIRECTED))
        return ch_nomem(ctx);
    chorus_rc rc = CHORUS_OK;
    if (igraph_vector_int_init(&comp, 0) || igraph_vector_int_init(&csize, 0) ||
        igraph_vector_int_init(&comm, g->nv) ||
        igraph_connected_components(&graph, &comp, &csize, &nc, IGRAPH_WEAK))
        rc = ch_error(ctx, CHORUS_EINTERNAL, "igraph: connected components failed");
    int any_large = 0;
    for (igraph_integer_t c = 0; !rc && c < nc; c++)
        any_large |= VECTOR(csize)[c] > (igraph_integer_t)o->split_above;
    if (!rc && any_large)
        rc = leiden(ctx, &graph, &g->weights, o, &comm);
    if (!rc)
        rc = label(ctx, g->nv, &comp, &csize, &comm, o->split_above, vgroup, n_groups);
    igraph_vector_int_destroy(&comp);
    igraph_vector_int_destroy(&csize);
    igraph_vector_int_destroy(&comm);
    igraph_destroy(&graph);
    return rc;
}

chorus_rc chorus_groups(chorus_ctx *ctx, const uint32_t *a, const uint32_t *b, const double *w,
                        size_t n_edges, uint32_t n_accounts, const chorus_group_opts *opts,
                        uint32_t *group, uint32_t *n_groups)
{
    chorus_group_opts defaults;
    if (!opts) {
        chorus_group_defaults(&defaults);
        opts = &defaults;
    }
    *n_groups = 0;
    for (uint32_t k = 0; k < n_accounts; k++)
        group[k] = UINT32_MAX;
    igraph_set_error_handler(igraph_error_handler_ignore); /* errors come back as codes */
    net g = {0};
    chorus_rc rc = build(ctx, &g, a, b, w, n_edges, n_accounts);
    uint32_t *vgroup = rc ? NULL : ch_alloc(ctx, (g.nv ? g.nv : 1) * sizeof *vgroup);
    if (!rc && !vgroup)
        rc = ch_nomem(ctx);
    if (!rc && g.nv)
        rc = communities(ctx, &g, opts, vgroup, n_groups);
    for (uint32_t v = 0; !rc && v < g.nv; v++)
        group[g.acct[v]] = vgroup[v];
    ch_free(ctx, vgroup, (g.nv ? g.nv : 1) * sizeof *vgroup);
    net_free(ctx, &g, n_accounts, g.ends.stor_begin != NULL);
    return rc;
}
