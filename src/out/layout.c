/*
 * layout.c - positions of the report's network nodes (see layout.h). A
 * group is laid out alone with igraph's Fruchterman-Reingold (grid variant
 * for big groups, fewer iterations as groups grow, so 100 000 accounts
 * stay in seconds), scaled into a square of side sqrt(size), and the
 * squares are packed in rows, largest first. igraph's random generator and
 * error handler are process-wide; they are set on each call.
 */
#include "out/layout.h"

#include "core/ctx.h"

#include <igraph/igraph.h>
#include <math.h>
#include <string.h>

/* Iterations: enough to settle small groups, bounded work for big ones
 * (an iteration costs O(n^2) below 1000 nodes, O(n + m) with the grid). */
static igraph_integer_t iterations(igraph_integer_t nv)
{
    return nv <= 100 ? 200 : nv <= 1000 ? 120 : nv <= 5000 ? 80 : 40;
}

/* Lays out one group (nodes first..first+nv, edges pairs[0..2m)) into
 * xy scaled to the unit square. */
static chorus_rc layout_one(chorus_ctx *ctx, uint32_t first, uint32_t nv, const uint32_t *pairs,
                            size_t m, float *xy)
{
    if (nv <= 2) {
        xy[0] = 0.5f, xy[1] = 0.5f;
        if (nv == 2)
            xy[0] = 0.15f, xy[2] = 0.85f, xy[3] = 0.5f;
        return CHORUS_OK;
    }
    igraph_vector_int_t ends;
    igraph_t g;
    igraph_matrix_t pos;
    if (igraph_vector_int_init(&ends, (igraph_integer_t)(2 * m)))
        return ch_nomem(ctx);
    for (size_t k = 0; k < 2 * m; k++)
        VECTOR(ends)[k] = pairs[k] - first;
    chorus_rc rc = CHORUS_OK;
    if (igraph_create(&g, &ends, nv, IGRAPH_UNDIRECTED)) {
        igraph_vector_int_destroy(&ends);
        return ch_error(ctx, CHORUS_EINTERNAL, "igraph: cannot build a group of %u nodes", nv);
    }
    if (igraph_matrix_init(&pos, 0, 0))
        rc = ch_nomem(ctx);
    else if (igraph_layout_fruchterman_reingold(&g, &pos, 0, iterations(nv), sqrt((double)nv) / 10.0,
                                                IGRAPH_LAYOUT_AUTOGRID, NULL, NULL, NULL, NULL, NULL))
        rc = ch_error(ctx, CHORUS_EINTERNAL, "igraph: layout of a group of %u nodes failed", nv);
    if (!rc) {
        double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
        for (uint32_t i = 0; i < nv; i++) {
            double x = MATRIX(pos, i, 0), y = MATRIX(pos, i, 1);
            x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
        }
        double s = fmax(fmax(x1 - x0, y1 - y0), 1e-9);
        for (uint32_t i = 0; i < nv; i++) {
            xy[2 * i] = (float)((MATRIX(pos, i, 0) - x0) / s);
            xy[2 * i + 1] = (float)((MATRIX(pos, i, 1) - y0) / s);
        }
        igraph_matrix_destroy(&pos);
    }
    igraph_destroy(&g);
    igraph_vector_int_destroy(&ends);
    return rc;
}

/* Packs the unit-square layouts: group squares of side sqrt(size) in rows
 * of a target width, in node order (groups are numbered largest first). */
static void pack(uint32_t n, const uint32_t *group, float *xy)
{
    double width = 1.3 * sqrt((double)n) + 1, x = 0, y = 0, row_h = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        while (j < n && group[j] == group[i])
            j++;
        double side = sqrt((double)(j - i)) + 0.6;
        if (x > 0 && x + side > width)
            x = 0, y += row_h, row_h = 0;
        for (uint32_t k = i; k < j; k++) {
            xy[2 * k] = (float)(x + 0.3 + xy[2 * k] * (side - 0.6));
            xy[2 * k + 1] = (float)(y + 0.3 + xy[2 * k + 1] * (side - 0.6));
        }
        x += side;
        row_h = fmax(row_h, side);
        i = j;
    }
}

chorus_rc chorus_layout_groups(chorus_ctx *ctx, uint32_t n, const uint32_t *group,
                               const uint32_t *pairs, size_t n_pairs, float *xy)
{
    igraph_set_error_handler(igraph_error_handler_ignore); /* errors come back as codes */
    chorus_rc rc = CHORUS_OK;
    size_t k = 0;
    for (uint32_t i = 0; !rc && i < n;) {
        uint32_t j = i;
        while (j < n && group[j] == group[i])
            j++;
        size_t m = k;
        while (m < n_pairs && group[pairs[2 * m]] == group[i])
            m++;
        igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)(ctx->seed + group[i]));
        rc = layout_one(ctx, i, j - i, pairs + 2 * k, m - k, xy + 2 * (size_t)i);
        k = m;
        i = j;
    }
    if (!rc)
        pack(n, group, xy);
    return rc;
}
