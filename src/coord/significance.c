/*
 * significance.c - how unlikely each co-action pair is by chance (see
 * coord.h and docs/coordination.md): a Poisson null model that keeps each
 * account's activity, each object's popularity and how bunched in time its
 * actions are; an IDF-weighted cosine similarity; Benjamini-Hochberg
 * control of the false discovery rate over the tested pairs.
 */
#include <chorus/coord.h>

#include "core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double chorus_poisson_sf(uint64_t k, double lambda)
{
    if (k == 0)
        return 1.0;
    if (lambda <= 0)
        return 0.0;
    double kd = (double)k;
    if (lambda < kd) {
        /* Upper tail as pmf(k) * sum_j lambda^j / ((k+1)...(k+j)): all terms positive. */
        double log_pmf = -lambda + kd * log(lambda) - lgamma(kd + 1.0);
        double sum = 1.0, term = 1.0;
        for (uint64_t j = 1; j < 100000 && term > 1e-17 * sum; j++) {
            term *= lambda / (kd + (double)j);
            sum += term;
        }
        double p = exp(log_pmf) * sum;
        return p > 1.0 ? 1.0 : p;
    }
    /* k <= lambda: one minus the lower tail, which is the smaller side. */
    double cdf = 0.0;
    for (uint64_t i = 0; i < k; i++)
        cdf += exp(-lambda + (double)i * log(lambda) - lgamma((double)i + 1.0));
    return cdf >= 1.0 ? 0.0 : 1.0 - cdf;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

double chorus_fdr_threshold(chorus_ctx *ctx, const double *p, size_t n, double q)
{
    if (n == 0)
        return 0.0;
    double *s = ch_alloc(ctx, n * sizeof *s);
    if (!s)
        return 0.0; /* nothing passes when memory runs out: never a false discovery */
    memcpy(s, p, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double t = 0.0;
    for (size_t i = n; i-- > 0;)
        if (s[i] <= q * (double)(i + 1) / (double)n) {
            t = s[i];
            break;
        }
    ch_free(ctx, s, n * sizeof *s);
    return t;
}

/* An object's popularity and, after sorting, the running sum of m^2 q. */
typedef struct popq {
    uint32_t m;
    double m2q, prefix;
} popq;

/* What the null model and the similarity need, per object and account. */
typedef struct model {
    uint32_t n_obj, n_acc;
    double *idf2;     /* per object: idf^2, 0 for objects set aside */
    uint32_t *m_o;    /* per object: distinct accounts (0 for objects set aside) */
    struct popq *by_m; /* objects by popularity, with prefix sums of m^2 q */
    size_t n_by_m;
    uint32_t *n_a;    /* per account: distinct objects acted on */
    double *w_a;      /* per account: sum of idf^2 over its objects */
    uint32_t *stamp;  /* per account: last object run that counted it */
    double T;         /* sum of m_o */
} model;

static int set_aside(const chorus_copairs *cp, uint32_t object)
{
    size_t lo = 0, hi = cp->n_skipped;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp->skipped[mid].object < object)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cp->n_skipped && cp->skipped[lo].object == object;
}

/* Share of an object's action pairs (i < j) at most window apart. */
static double window_share(const chorus_action *a, size_t s, size_t e, int64_t window)
{
    uint64_t k = e - s, within = 0;
    if (k < 2)
        return 1.0;
    for (size_t i = s, j = s; i < e; i++) {
        if (j < i)
            j = i;
        while (j + 1 < e && a[j + 1].time_ms - a[i].time_ms <= window)
            j++;
        within += j - i;
    }
    return (double)within / ((double)k * (double)(k - 1) / 2.0);
}

/* Distinct accounts of run [s, e); marks each with the stamp seen. */
static uint32_t run_accounts(model *m, const chorus_action *a, size_t s, size_t e, uint32_t seen)
{
    uint32_t d = 0;
    for (size_t i = s; i < e; i++)
        if (m->stamp[a[i].account] != seen) {
            m->stamp[a[i].account] = seen;
            d++;
        }
    return d;
}

/* Each object run once: its popularity, idf and time concentration, and
 * each account's distinct objects and weight. Stamps 2r and 2r+1 mark an
 * account as seen in run r, then as counted in it. */
static void scan_objects(model *m, const chorus_action *a, size_t n, const chorus_copairs *cp,
                         int64_t window)
{
    uint32_t run = 0, active = run_accounts(m, a, 0, n, UINT32_MAX);
    memset(m->stamp, 0, m->n_acc * sizeof *m->stamp);
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && a[e].object == a[s].object)
            e++;
        uint32_t obj = a[s].object;
        if (!set_aside(cp, obj)) {
            run++;
            double mo = run_accounts(m, a, s, e, 2 * run);
            double idf = log((double)active / mo);
            m->idf2[obj] = idf * idf;
            m->m_o[obj] = (uint32_t)mo;
            m->T += mo;
            m->by_m[m->n_by_m++] = (popq){(uint32_t)mo, mo * mo * window_share(a, s, e, window), 0};
            for (size_t i = s; i < e; i++)
                if (m->stamp[a[i].account] == 2 * run) {
                    m->stamp[a[i].account] = 2 * run + 1;
                    m->n_a[a[i].account]++;
                    m->w_a[a[i].account] += m->idf2[obj];
                }
        }
        s = e;
    }
}

static int cmp_popq(const void *x, const void *y)
{
    const popq *a = x, *b = y;
    return a->m < b->m ? -1 : a->m > b->m;
}

/* Sum of m^2 q over the objects with popularity below tau. */
static double sum_below(const model *m, double tau)
{
    size_t lo = 0, hi = m->n_by_m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)m->by_m[mid].m < tau)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? m->by_m[lo - 1].prefix : 0.0;
}

/* One pair: its similarity (idf^2 of the distinct co-acted objects over
 * both accounts' norms) and its p-value, counting as evidence only the
 * objects below tau = T / max(n_a, n_b): more popular ones, either account
 * would be expected to act on by chance. Walks the pair's evidence rows. */
static void test_pair(const model *m, chorus_copairs *cp, size_t *ev, uint32_t pair)
{
    chorus_copair *p = &cp->pairs[pair];
    uint32_t na = m->n_a[p->a], nb = m->n_a[p->b], last = UINT32_MAX;
    double tau = m->T / (double)(na > nb ? na : nb), shared = 0.0;
    uint64_t k = 0;
    for (; *ev < cp->n_evidence && cp->evidence[*ev].pair == pair; (*ev)++) {
        uint32_t o = cp->evidence[*ev].object;
        if (o != last) {
            shared += m->idf2[o];
            k += m->m_o[o] && (double)m->m_o[o] < tau;
        }
        last = o;
    }
    double norm = sqrt(m->w_a[p->a] * m->w_a[p->b]);
    p->similarity = norm > 0 ? shared / norm : 0.0;
    double lambda = (double)na * nb * sum_below(m, tau) / (m->T * m->T);
    p->p_value = chorus_poisson_sf(k, lambda);
}

static void model_free(chorus_ctx *ctx, model *m)
{
    ch_free(ctx, m->idf2, m->n_obj * sizeof *m->idf2);
    ch_free(ctx, m->m_o, m->n_obj * sizeof *m->m_o);
    ch_free(ctx, m->by_m, m->n_obj * sizeof *m->by_m);
    ch_free(ctx, m->n_a, m->n_acc * sizeof *m->n_a);
    ch_free(ctx, m->w_a, m->n_acc * sizeof *m->w_a);
    ch_free(ctx, m->stamp, m->n_acc * sizeof *m->stamp);
}

chorus_rc chorus_copairs_significance(chorus_ctx *ctx, const chorus_action *a, size_t n,
                                      const chorus_copair_opts *opts, chorus_copairs *cp)
{
    if (cp->n && !cp->evidence)
        return ch_error(ctx, CHORUS_EUSAGE, "significance needs pairs computed with keep_evidence");
    model m = {0};
    for (size_t i = 0; i < n; i++) {
        m.n_acc = a[i].account >= m.n_acc ? a[i].account + 1 : m.n_acc;
        m.n_obj = a[i].object >= m.n_obj ? a[i].object + 1 : m.n_obj;
    }
    m.n_acc = m.n_acc ? m.n_acc : 1;
    m.n_obj = m.n_obj ? m.n_obj : 1;
    m.idf2 = ch_calloc(ctx, m.n_obj * sizeof *m.idf2);
    m.n_a = ch_calloc(ctx, m.n_acc * sizeof *m.n_a);
    m.w_a = ch_calloc(ctx, m.n_acc * sizeof *m.w_a);
    m.stamp = ch_calloc(ctx, m.n_acc * sizeof *m.stamp);
    m.m_o = ch_calloc(ctx, m.n_obj * sizeof *m.m_o);
    m.by_m = ch_alloc(ctx, m.n_obj * sizeof *m.by_m);
    if (!m.idf2 || !m.n_a || !m.w_a || !m.stamp || !m.m_o || !m.by_m) {
        model_free(ctx, &m);
        return ch_nomem(ctx);
    }
    scan_objects(&m, a, n, cp, opts->window_ms);
    qsort(m.by_m, m.n_by_m, sizeof *m.by_m, cmp_popq);
    for (size_t i = 0; i < m.n_by_m; i++)
        m.by_m[i].prefix = (i ? m.by_m[i - 1].prefix : 0.0) + m.by_m[i].m2q;
    size_t ev = 0;
    for (size_t i = 0; i < cp->n; i++)
        test_pair(&m, cp, &ev, (uint32_t)i);
    model_free(ctx, &m);
    return CHORUS_OK;
}

size_t chorus_copairs_keep(chorus_copairs *cp, double threshold)
{
    size_t kept = 0, ev = 0, out_ev = 0;
    for (size_t i = 0; i < cp->n; i++) {
        int keep = cp->pairs[i].p_value <= threshold;
        for (; ev < cp->n_evidence && cp->evidence[ev].pair == i; ev++)
            if (keep) {
                cp->evidence[out_ev] = cp->evidence[ev];
                cp->evidence[out_ev++].pair = (uint32_t)kept;
            }
        if (keep)
            cp->pairs[kept++] = cp->pairs[i];
    }
    cp->n = kept;
    cp->n_evidence = out_ev;
    return kept;
}
