/*
 * dist.c - the generator's random distributions and alias tables, computed
 * with +, -, *, / and sqrt only (IEEE-754 rounds these exactly), so the
 * same seed gives the same bits on every machine; libm's exp, log and pow
 * may differ in the last bit between platforms and would change the bytes.
 */
#include "sim/model.h"

#include <math.h>
#include <string.h>

#define LN2 0.69314718055994530942
#define INV_LN2 1.44269504088896340736
#define SQRT2 1.41421356237309504880

double sim_log(double x)
{
    int e;
    double m = frexp(x, &e); /* exact: x = m * 2^e, m in [0.5, 1) */
    if (m < SQRT2 / 2) {
        m *= 2;
        e--;
    }
    /* ln(m) = 2 atanh(s), |s| <= 0.172: the series converges fast */
    double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
    for (int k = 1; k <= 23; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2 * sum + e * LN2;
}

double sim_exp(double x)
{
    double k = floor(x * INV_LN2 + 0.5);
    double r = x - k * LN2; /* |r| <= 0.35 */
    double term = 1, sum = 1;
    for (int i = 1; i <= 17; i++) {
        term *= r / i;
        sum += term;
    }
    return ldexp(sum, (int)k);
}

double sim_pow(double x, double y) { return sim_exp(y * sim_log(x)); }

/* Uniform in (0, 1]: never 0, so logs and inverse powers stay finite. */
static double open_unit(sim_rng *r) { return ((double)(sim_next(r) >> 11) + 1.0) * 0x1.0p-53; }

double sim_exponential(sim_rng *r, double mean) { return -mean * sim_log(open_unit(r)); }

double sim_pareto(sim_rng *r, double xmin, double alpha)
{
    return xmin * sim_pow(open_unit(r), -1.0 / alpha);
}

double sim_loglogistic_inv(double u, double median, double shape)
{
    if (u <= 0)
        return 0;
    if (u >= 1)
        u = 1 - 0x1.0p-53;
    return median * sim_pow(u / (1 - u), 1.0 / shape);
}

double sim_loglogistic(sim_rng *r, double median, double shape)
{
    return sim_loglogistic_inv(sim_unit(r), median, shape);
}

uint64_t sim_dither(sim_rng *r, double x)
{
    if (x <= 0)
        return 0;
    return (uint64_t)floor(x + sim_unit(r));
}

/* Vose's method: slots below their share borrow from one above it. */
static void alias_fill(sim_alias *t, double *p, uint32_t *small, uint32_t *large)
{
    uint32_t n = t->n, ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        p[i] = t->total > 0 ? p[i] * n / t->total : 1.0;
        if (p[i] < 1)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        t->slot[s].thr = (uint32_t)(p[s] * 4294967295.0);
        t->slot[s].alias = l;
        p[l] = (p[l] + p[s]) - 1;
        if (p[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl)
        t->slot[large[--nl]].thr = UINT32_MAX;
    while (ns)
        t->slot[small[--ns]].thr = UINT32_MAX; /* rounding leftovers */
}

chorus_rc sim_alias_build(chorus_ctx *ctx, sim_alias *t, const double *w, const uint32_t *item,
                          uint32_t n)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    if (n == 0)
        return CHORUS_OK;
    size_t sz = (size_t)n * sizeof(uint32_t);
    t->slot = ch_alloc(ctx, (size_t)n * sizeof *t->slot);
    double *p = ch_alloc(ctx, (size_t)n * sizeof *p);
    uint32_t *small = ch_alloc(ctx, sz), *large = ch_alloc(ctx, sz);
    chorus_rc rc = CHORUS_OK;
    if (!t->slot || !p || !small || !large) {
        rc = ch_nomem(ctx);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            p[i] = w[i] > 0 ? w[i] : 0;
            t->total += p[i];
            t->slot[i] = (sim_alias_slot){UINT32_MAX, i, item ? item[i] : i};
        }
        alias_fill(t, p, small, large);
    }
    ch_free(ctx, p, (size_t)n * sizeof *p);
    ch_free(ctx, small, sz);
    ch_free(ctx, large, sz);
    if (rc)
        sim_alias_free(ctx, t);
    return rc;
}

uint32_t sim_alias_draw(const sim_alias *t, sim_rng *r)
{
    if (t->n == 0)
        return SIM_NO_ACCOUNT;
    uint64_t x = sim_next(r);
    const sim_alias_slot *s = &t->slot[((x >> 32) * t->n) >> 32];
    return (uint32_t)x < s->thr ? s->item : t->slot[s->alias].item;
}

void sim_alias_free(chorus_ctx *ctx, sim_alias *t)
{
    ch_free(ctx, t->slot, (size_t)t->n * sizeof *t->slot);
    memset(t, 0, sizeof *t);
}
