/*
 * significance.c - how unlikely each co-action pair is by chance (see
 * coord.h and docs/coordination.md): a Poisson null model that keeps each
 * account's activity, each object's popularity and how bunched in time its
 * actions are; an IDF-weighted cosine similarity; Benjamini-Hochberg
 * control of the false discovery rate over the tested pairs.
 */
#define _DEFAULT_SOURCE /* lgamma_r: lgamma sets the global signgam, a race between signal threads */
#include <chorus/coord.h>

#include "core/ctx.h"
#include "fdr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ln(x!) for x >= 0, reentrant. */
static double log_factorial(double x)
{
    int sign;
    return lgamma_r(x + 1.0, &sign);
}

double chorus_poisson_sf(uint64_t k, double lambda)
{
    if (k == 0)
        return 1.0;
    if (lambda <= 0)
        return 0.0;
    double kd = (double)k;
    if (lambda < kd) {
        /* Upper tail as pmf(k) * sum_j lambda^j / ((k+1)...(k+j)): all terms positive. */
        double log_pmf = -lambda + kd * log(lambda) - log_factorial(kd);
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
        cdf += exp(-lambda + (double)i * log(lambda) - log_factorial((double)i));
    return cdf >= 1.0 ? 0.0 : 1.0 - cdf;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

chorus_rc ch_fdr_threshold(chorus_ctx *ctx, const double *p, size_t n, double q, double *t)
{
    *t = 0.0;
    if (n == 0)
        return CHORUS_OK;
    double *s = ch_alloc(ctx, n * sizeof *s);
    if (!s)
        return ch_nomem(ctx);
    memcpy(s, p, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    for (size_t i = n; i-- > 0;)
        if (s[i] <= q * (double)(i + 1) / (double)n) {
            *t = s[i];
            break;
        }
    ch_free(ctx, s, n * sizeof *s);
    return CHORUS_OK;
}

double chorus_fdr_threshold(chorus_ctx *ctx, const double *p, size_t n, double q)
{
    double t;
    /* nothing passes when memory runs out: never a false discovery */
    return ch_fdr_threshold(ctx, p, n, q, &t) ? 0.0 : t;
}

/* An object's popularity and, after sorting, running sums of m^2 q and m^2. */
typedef struct popq {
    uint32_t stratum, m;
    double m2q, prefix_q, prefix; /* prefix sums restart at each stratum */
} popq;

/* What the null model and the similarity need, per object and account. */
typedef struct model {
    uint32_t n_obj, n_acc;
    double *idf2;      /* per object: idf^2, 0 for objects set aside */
    uint32_t *m_o;     /* per object: distinct accounts (0 for objects set aside) */
    uint32_t *origin;  /* per object: its source account */
    uint8_t *strat;    /* per object: its stratum */
    size_t s_off[CHORUS_MAX_STRATA + 1]; /* each stratum's run in by_m */
    double T_s[CHORUS_MAX_STRATA];       /* sum of m_o per stratum */
    uint32_t na_s[CHORUS_MAX_STRATA], nb_s[CHORUS_MAX_STRATA]; /* the current pair's */
    double tau_s[CHORUS_MAX_STRATA];     /* the current pair's popularity bounds */
    struct popq *by_m; /* objects by popularity, with prefix sums */
    size_t n_by_m;
    uint32_t *n_a;     /* per account: distinct objects acted on */
    double *w_a;       /* per account: sum of idf^2 over its objects */
    uint32_t *stamp;   /* per account: last object run (or pair) that counted it */
    uint32_t *count;   /* per source account: the current pair's objects from it */
    size_t *off;       /* per account: start of its objects in objs (n_acc + 1) */
    uint32_t *objs;    /* every account's distinct objects, ascending */
    size_t n_objs_cap;
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

/* Each object run once: its popularity, idf, time concentration and
 * origin, and each account's distinct objects (counted, then listed when
 * objs is set). Stamps 2r and 2r+1 mark an account as seen in run r, then
 * as counted in it. */
static void scan_objects(model *m, const chorus_action *a, size_t n, const chorus_copairs *cp,
                         const chorus_object_info *info, int64_t window)
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
            const uint32_t *src = info ? info->source : NULL, *st = info ? info->stratum : NULL;
            m->origin[obj] = src && src[obj] != UINT32_MAX ? src[obj] : a[s].account;
            uint32_t k = st ? (st[obj] < CHORUS_MAX_STRATA ? st[obj] : CHORUS_MAX_STRATA - 1) : 0;
            m->strat[obj] = (uint8_t)k;
            m->T_s[k] += mo;
            m->by_m[m->n_by_m++] = (popq){k, (uint32_t)mo, mo * mo * window_share(a, s, e, window), 0, 0};
            for (size_t i = s; i < e; i++)
                if (m->stamp[a[i].account] == 2 * run) {
                    m->stamp[a[i].account] = 2 * run + 1;
                    m->objs[m->off[a[i].account] + m->n_a[a[i].account]++] = obj;
                    m->w_a[a[i].account] += m->idf2[obj];
                }
        }
        s = e;
    }
}

static int cmp_popq(const void *x, const void *y)
{
    const popq *a = x, *b = y;
    if (a->stratum != b->stratum)
        return a->stratum < b->stratum ? -1 : 1;
    return a->m < b->m ? -1 : a->m > b->m;
}

/* The end of stratum k's objects with popularity below tau, in by_m. */
static size_t count_below(const model *m, uint32_t k, double tau)
{
    size_t lo = m->s_off[k], hi = m->s_off[k + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)m->by_m[mid].m < tau)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether sorted list l[0..n) holds x. */
static int holds(const uint32_t *l, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && l[lo] == x;
}

/* Whether object o is below its stratum's popularity bound for the pair. */
static int below(const model *m, uint32_t o)
{
    return (double)m->m_o[o] < m->tau_s[m->strat[o]];
}

/* Each stratum's objects of account a, into cnt (CHORUS_MAX_STRATA). */
static void count_strata(const model *m, uint32_t a, uint32_t *cnt)
{
    memset(cnt, 0, CHORUS_MAX_STRATA * sizeof *cnt);
    const uint32_t *l = m->objs + m->off[a];
    for (uint32_t i = 0; i < m->n_a[a]; i++)
        cnt[m->strat[l[i]]]++;
}

/* The pair's popularity bounds (T_s / max(n_as, n_bs)) and the expected
 * co-acted (timing) and co-shared (selection) objects under the null. */
static void pair_null(model *m, uint32_t a, uint32_t b, double *lambda_w, double *lambda_s)
{
    count_strata(m, a, m->na_s);
    count_strata(m, b, m->nb_s);
    *lambda_w = *lambda_s = 0.0;
    for (uint32_t k = 0; k < CHORUS_MAX_STRATA; k++) {
        uint32_t na = m->na_s[k], nb = m->nb_s[k];
        m->tau_s[k] = na && nb ? m->T_s[k] / (double)(na > nb ? na : nb) : 0.0;
        size_t end = na && nb ? count_below(m, k, m->tau_s[k]) : 0;
        if (end <= m->s_off[k])
            continue;
        double scale = (double)na * nb / (m->T_s[k] * m->T_s[k]);
        *lambda_w += scale * m->by_m[end - 1].prefix_q;
        *lambda_s += scale * m->by_m[end - 1].prefix;
    }
}

/* Objects below their bound that both accounts acted on, at any time,
 * except those from source `skip`: the shorter list probed into the longer. */
static uint32_t coshared(const model *m, uint32_t a, uint32_t b, uint32_t skip)
{
    const uint32_t *la = m->objs + m->off[a], *lb = m->objs + m->off[b];
    size_t na = m->n_a[a], nb = m->n_a[b];
    if (na > nb) {
        const uint32_t *t = la;
        la = lb, lb = t;
        size_t u = na;
        na = nb, nb = u;
    }
    uint32_t k = 0;
    for (size_t i = 0; i < na; i++)
        k += below(m, la[i]) && m->origin[la[i]] != skip && holds(lb, nb, la[i]);
    return k;
}

/* The pair's distinct sources over its co-acted objects [s, e) of the
 * evidence, and the one behind the most objects (ties: the first seen). */
static uint32_t pair_sources(model *m, const chorus_copairs *cp, size_t s, size_t e, uint32_t mark,
                             uint32_t *top)
{
    uint32_t sources = 0, best = 0, last = UINT32_MAX;
    *top = UINT32_MAX;
    for (size_t i = s; i < e; i++) {
        uint32_t o = cp->evidence[i].object;
        if (o == last || !m->m_o[o])
            continue;
        last = o;
        uint32_t src = m->origin[o];
        if (m->stamp[src] != mark) {
            m->stamp[src] = mark;
            m->count[src] = 0;
            sources++;
        }
        if (++m->count[src] > best)
            best = m->count[src], *top = src;
    }
    return sources;
}

/* One pair: its similarity (idf^2 of the distinct co-acted objects over
 * both accounts' norms), its sources, and its p-value. Evidence counts
 * only objects below tau = T / max(n_a, n_b) (more popular ones, either
 * account would be expected to act on by chance) and not from the pair's
 * main source: co-actions that one account's audience explains are no
 * evidence of concert, so what remains must still be unlikely. */
static void test_pair(model *m, chorus_copairs *cp, size_t *ev, uint32_t pair, uint32_t min_sources)
{
    chorus_copair *p = &cp->pairs[pair];
    uint32_t last = UINT32_MAX, top;
    double shared = 0.0, lambda_w, lambda_s;
    size_t s = *ev;
    while (*ev < cp->n_evidence && cp->evidence[*ev].pair == pair)
        (*ev)++;
    p->sources = pair_sources(m, cp, s, *ev, pair + 1, &top);
    pair_null(m, p->a, p->b, &lambda_w, &lambda_s);
    uint64_t k = 0;
    for (size_t i = s; i < *ev; i++) {
        uint32_t o = cp->evidence[i].object;
        if (o != last && m->m_o[o]) {
            shared += m->idf2[o];
            k += below(m, o) && m->origin[o] != top;
        }
        last = o;
    }
    double norm = sqrt(m->w_a[p->a] * m->w_a[p->b]);
    p->similarity = norm > 0 ? shared / norm : 0.0;
    p->coshared = coshared(m, p->a, p->b, top);
    double p_time = chorus_poisson_sf(k, lambda_w), p_sel = chorus_poisson_sf(p->coshared, lambda_s);
    p->p_value = p->sources < min_sources ? 1.0 : (p_time > p_sel ? p_time : p_sel);
}

static void model_free(chorus_ctx *ctx, model *m)
{
    ch_free(ctx, m->idf2, m->n_obj * sizeof *m->idf2);
    ch_free(ctx, m->m_o, m->n_obj * sizeof *m->m_o);
    ch_free(ctx, m->origin, m->n_obj * sizeof *m->origin);
    ch_free(ctx, m->strat, m->n_obj * sizeof *m->strat);
    ch_free(ctx, m->by_m, m->n_obj * sizeof *m->by_m);
    ch_free(ctx, m->n_a, m->n_acc * sizeof *m->n_a);
    ch_free(ctx, m->w_a, m->n_acc * sizeof *m->w_a);
    ch_free(ctx, m->stamp, m->n_acc * sizeof *m->stamp);
    ch_free(ctx, m->count, m->n_acc * sizeof *m->count);
    ch_free(ctx, m->off, (m->n_acc + 1) * sizeof *m->off);
    ch_free(ctx, m->objs, m->n_objs_cap * sizeof *m->objs);
}

/* Sizes the model: accounts (actors and sources) and objects. */
static void model_size(model *m, const chorus_action *a, size_t n, const uint32_t *source)
{
    /* sources may name accounts with no action in the signal (an idol who never retweets) */
    for (size_t i = 0; i < n; i++) {
        m->n_acc = a[i].account >= m->n_acc ? a[i].account + 1 : m->n_acc;
        m->n_obj = a[i].object >= m->n_obj ? a[i].object + 1 : m->n_obj;
    }
    for (uint32_t o = 0; source && o < m->n_obj; o++)
        if (source[o] != UINT32_MAX && source[o] >= m->n_acc)
            m->n_acc = source[o] + 1;
    m->n_acc = m->n_acc ? m->n_acc : 1;
    m->n_obj = m->n_obj ? m->n_obj : 1;
    m->n_objs_cap = n ? n : 1;
}

/* Each account's slice of objs: room for its actions (an upper bound on
 * its distinct objects). */
static void model_offsets(model *m, const chorus_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->off[a[i].account + 1]++;
    for (uint32_t k = 0; k < m->n_acc; k++)
        m->off[k + 1] += m->off[k];
}

static chorus_rc model_alloc(chorus_ctx *ctx, model *m)
{
    m->idf2 = ch_calloc(ctx, m->n_obj * sizeof *m->idf2);
    m->m_o = ch_calloc(ctx, m->n_obj * sizeof *m->m_o);
    m->origin = ch_calloc(ctx, m->n_obj * sizeof *m->origin);
    m->strat = ch_calloc(ctx, m->n_obj * sizeof *m->strat);
    m->by_m = ch_alloc(ctx, m->n_obj * sizeof *m->by_m);
    m->n_a = ch_calloc(ctx, m->n_acc * sizeof *m->n_a);
    m->w_a = ch_calloc(ctx, m->n_acc * sizeof *m->w_a);
    m->stamp = ch_calloc(ctx, m->n_acc * sizeof *m->stamp);
    m->count = ch_calloc(ctx, m->n_acc * sizeof *m->count);
    m->off = ch_calloc(ctx, (m->n_acc + 1) * sizeof *m->off);
    m->objs = ch_alloc(ctx, m->n_objs_cap * sizeof *m->objs);
    if (m->idf2 && m->m_o && m->origin && m->strat && m->by_m && m->n_a && m->w_a && m->stamp && m->count && m->off && m->objs)
        return CHORUS_OK;
    return ch_nomem(ctx);
}

chorus_rc chorus_copairs_significance(chorus_ctx *ctx, const chorus_action *a, size_t n,
                                      const chorus_object_info *info,
                                      const chorus_copair_opts *opts, chorus_copairs *cp)
{
    if (cp->n && !cp->evidence)
        return ch_error(ctx, CHORUS_EUSAGE, "significance needs pairs computed with keep_evidence");
    model m = {0};
    model_size(&m, a, n, info ? info->source : NULL);
    if (model_alloc(ctx, &m)) {
        model_free(ctx, &m);
        return CHORUS_ENOMEM;
    }
    model_offsets(&m, a, n);
    scan_objects(&m, a, n, cp, info, opts->window_ms);
    qsort(m.by_m, m.n_by_m, sizeof *m.by_m, cmp_popq);
    for (size_t i = 0; i < m.n_by_m; i++) {
        double m2 = (double)m.by_m[i].m * m.by_m[i].m;
        int first = i == 0 || m.by_m[i - 1].stratum != m.by_m[i].stratum;
        m.by_m[i].prefix_q = (first ? 0.0 : m.by_m[i - 1].prefix_q) + m.by_m[i].m2q;
        m.by_m[i].prefix = (first ? 0.0 : m.by_m[i - 1].prefix) + m2;
        m.s_off[m.by_m[i].stratum + 1] = i + 1;
    }
    for (uint32_t k = 1; k <= CHORUS_MAX_STRATA; k++) /* empty strata: empty runs */
        m.s_off[k] = m.s_off[k] > m.s_off[k - 1] ? m.s_off[k] : m.s_off[k - 1];
    memset(m.stamp, 0, m.n_acc * sizeof *m.stamp);
    size_t ev = 0;
    for (size_t i = 0; i < cp->n; i++)
        test_pair(&m, cp, &ev, (uint32_t)i, opts->min_sources);
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
