/*
 * align.c - banded local alignment with affine gaps (Smith-Waterman with
 * Gotoh's three states) on code points, with a traceback, so a reused
 * passage is reported as exact spans in both texts with its identity.
 * The band (a range of diagonals around the chained anchors) keeps the
 * cost linear in the passage length.
 */
#include "core/ctx.h"

#include <chorus/trace.h>
#include <string.h>

#define NEG (INT32_MIN / 4)
#define MAX_CELLS ((size_t)1 << 26)

/* Traceback bits of one cell. */
enum { FROM_ZERO = 0, FROM_DIAG = 1, FROM_E = 2, FROM_F = 3, E_EXT = 4, F_EXT = 8 };

typedef struct band {
    const uint32_t *a, *b;
    size_t na, nb;
    int64_t dlo;
    size_t w;
    uint8_t *tb; /* na rows of w cells */
} band;

static int32_t max3(int32_t x, int32_t y, int32_t z)
{
    int32_t m = x > y ? x : y;
    return m > z ? m : z;
}

/* Fills row i (1-based) from the previous one; updates the best cell. */
static void fill_row(const band *g, size_t i, int32_t *hp, int32_t *fp, int32_t *hc, int32_t *fc,
                     chorus_trace_span *best, size_t *bi, size_t *bj)
{
    int32_t e = NEG, hleft = NEG;
    uint8_t *tb = g->tb + (i - 1) * g->w;
    for (size_t x = 0; x < g->w; x++) {
        int64_t j = (int64_t)i + g->dlo + (int64_t)x;
        if (j < 1 || j > (int64_t)g->nb) {
            hc[x] = NEG, fc[x] = NEG, e = NEG, hleft = j < 1 ? 0 : NEG;
            tb[x] = 0;
            continue;
        }
        uint8_t bits = 0;
        int32_t eo = hleft + CHORUS_TRACE_GAP_OPEN, ee = e + CHORUS_TRACE_GAP_EXTEND;
        e = eo >= ee ? eo : ee;
        bits |= eo >= ee ? 0 : E_EXT;
        int32_t up_h = x + 1 < g->w ? hp[x + 1] : NEG, up_f = x + 1 < g->w ? fp[x + 1] : NEG;
        int32_t fo = up_h + CHORUS_TRACE_GAP_OPEN, fe = up_f + CHORUS_TRACE_GAP_EXTEND;
        int32_t f = fo >= fe ? fo : fe;
        bits |= fo >= fe ? 0 : F_EXT;
        uint32_t ca = g->a[i - 1], cb = g->b[j - 1];
        int32_t s = ca == cb && cb != CHORUS_TRACE_MASKED ? CHORUS_TRACE_MATCH : CHORUS_TRACE_MISMATCH;
        int32_t d = hp[x] + s, h = max3(d, e, f);
        if (h <= 0)
            h = 0;
        else
            bits |= d == h ? FROM_DIAG : e == h ? FROM_E : FROM_F;
        hc[x] = h, fc[x] = f, tb[x] = bits, hleft = h;
        if (h > best->score) {
            best->score = h;
            *bi = i, *bj = (size_t)j;
        }
    }
}

/* Walks back from the best cell, counting columns and matches. */
static void traceback(const band *g, size_t i, size_t j, chorus_trace_span *sp)
{
    int state = FROM_DIAG; /* in H */
    sp->a_end = (uint32_t)i, sp->b_end = (uint32_t)j;
    while (i > 0 && j > 0) {
        uint8_t bits = g->tb[(i - 1) * g->w + (size_t)((int64_t)j - (int64_t)i - g->dlo)];
        if (state == FROM_DIAG) {
            int from = bits & 3;
            if (from == FROM_ZERO)
                break;
            if (from != FROM_DIAG) {
                state = from;
                continue;
            }
            sp->columns++;
            sp->matches += g->a[i - 1] == g->b[j - 1] && g->b[j - 1] != CHORUS_TRACE_MASKED;
            i--, j--;
        } else if (state == FROM_E) {
            sp->columns++;
            state = bits & E_EXT ? FROM_E : FROM_DIAG;
            j--;
        } else {
            sp->columns++;
            state = bits & F_EXT ? FROM_F : FROM_DIAG;
            i--;
        }
    }
    sp->a_start = (uint32_t)i, sp->b_start = (uint32_t)j;
}

chorus_rc chorus_trace_align(chorus_ctx *ctx, const uint32_t *a, size_t na, const uint32_t *b,
                             size_t nb, int64_t dlo, int64_t dhi, chorus_trace_span *span)
{
    memset(span, 0, sizeof *span);
    if (na == 0 || nb == 0 || dhi < dlo)
        return CHORUS_OK;
    size_t w = (size_t)(dhi - dlo + 1);
    if (w > MAX_CELLS / na)
        return ch_error(ctx, CHORUS_ELIMIT, "alignment band too large (%zu x %zu)", na, w);
    band g = {a, b, na, nb, dlo, w, ch_alloc(ctx, na * w)};
    int32_t *rows = ch_alloc(ctx, 4 * w * sizeof *rows);
    if (!g.tb || !rows) {
        ch_free(ctx, g.tb, na * w);
        ch_free(ctx, rows, 4 * w * sizeof *rows);
        return ch_nomem(ctx);
    }
    int32_t *hp = rows, *fp = rows + w, *hc = rows + 2 * w, *fc = rows + 3 * w;
    for (size_t x = 0; x < w; x++) {
        int64_t j = dlo + (int64_t)x; /* row 0 */
        hp[x] = j >= 0 && j <= (int64_t)nb ? 0 : NEG;
        fp[x] = NEG;
    }
    size_t bi = 0, bj = 0;
    for (size_t i = 1; i <= na; i++) {
        fill_row(&g, i, hp, fp, hc, fc, span, &bi, &bj);
        int32_t *t = hp;
        hp = hc, hc = t, t = fp, fp = fc, fc = t;
    }
    if (span->score > 0)
        traceback(&g, bi, bj, span);
    ch_free(ctx, g.tb, na * w);
    ch_free(ctx, rows, 4 * w * sizeof *rows);
    return CHORUS_OK;
}
