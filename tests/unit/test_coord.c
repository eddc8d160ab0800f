/*
 * test_coord.c - co-action pairs: the exact cases the semantics are
 * defined by (inclusive window, repeated actions, min weight), and a
 * property test against a brute-force all-pairs reference on many small
 * random inputs with ties at the window edge.
 */
#include "check.h"

#include <chorus/coord.h>
#include <math.h>
#include <stdlib.h>

static chorus_ctx *ctx;

static chorus_copairs run(chorus_action *a, size_t n, int64_t window_s, uint32_t min_weight)
{
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.window_ms = window_s * 1000;
    o.min_weight = min_weight;
    chorus_copairs out;
    CHECK_INT(chorus_copairs_compute(ctx, a, n, &o, &out), CHORUS_OK);
    return out;
}

static void release(chorus_copairs *c) { chorus_copairs_free(ctx, c); }

enum { A, B, C };
#define S(x) ((int64_t)(x) * 1000)

/* o1: A 0, B 10, C 11; o2 the same; window 10 s: A-B and B-C, no A-C. */
static void test_case_inclusive_window(void)
{
    chorus_action a[] = {{A, 1, S(0)}, {B, 1, S(10)}, {C, 1, S(11)},
                         {A, 2, S(0)}, {B, 2, S(10)}, {C, 2, S(11)}};
    chorus_copairs c = run(a, 6, 10, 1);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.pairs[0].a, A);
    CHECK_INT(c.pairs[0].b, B);
    CHECK_INT(c.pairs[0].objects, 2);
    CHECK_INT(c.pairs[0].coactions, 2);
    CHECK_INT(c.pairs[0].median_delay_ms, S(10));
    CHECK_INT(c.pairs[1].a, B);
    CHECK_INT(c.pairs[1].b, C);
    CHECK_INT(c.pairs[1].objects, 2);
    CHECK_INT(c.pairs[1].coactions, 2);
    CHECK_INT(c.pairs[1].first_ms, S(10));
    CHECK_INT(c.pairs[1].last_ms, S(11));
    release(&c);
}

/* o1: A 0, A 3, B 5: A-B with objects 1, coactions 2; never A-A. */
static void test_case_repeated_action(void)
{
    chorus_action a[] = {{A, 1, S(0)}, {A, 1, S(3)}, {B, 1, S(5)}};
    chorus_copairs c = run(a, 3, 10, 1);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.pairs[0].a, A);
    CHECK_INT(c.pairs[0].b, B);
    CHECK_INT(c.pairs[0].objects, 1);
    CHECK_INT(c.pairs[0].coactions, 2);
    CHECK_INT(c.pairs[0].part_a, 2);
    CHECK_INT(c.pairs[0].part_b, 1);
    CHECK_INT(c.pairs[0].actions_a, 2);
    CHECK_INT(c.pairs[0].median_delay_ms, S(2)); /* delays 2 and 5: lower median */
    release(&c);
}

/* o1: A 0, B 1; o2: A 100, B 101; o3: A 200, C 205; min weight 2: A-B only. */
static void test_case_min_weight(void)
{
    chorus_action a[] = {{A, 1, S(0)},   {B, 1, S(1)},   {A, 2, S(100)},
                         {B, 2, S(101)}, {A, 3, S(200)}, {C, 3, S(205)}};
    chorus_copairs c = run(a, 6, 10, 2);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.pairs[0].a, A);
    CHECK_INT(c.pairs[0].b, B);
    CHECK_INT(c.pairs_seen, 2);
    release(&c);
}

static void test_evidence(void)
{
    chorus_action a[] = {{A, 1, S(0)}, {B, 1, S(10)}, {C, 1, S(11)},
                         {A, 2, S(50)}, {B, 2, S(52)}};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.window_ms = S(10);
    o.min_weight = 1;
    o.keep_evidence = 1;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, a, 5, &o, &c), CHORUS_OK);
    CHECK_INT(c.n, 2);         /* A-B on o1 and o2, B-C on o1 */
    CHECK_INT(c.n_evidence, 3);
    CHECK_INT(c.evidence[0].pair, 0);
    CHECK_INT(c.evidence[0].object, 1);
    CHECK_INT(c.evidence[0].time_a, S(0));
    CHECK_INT(c.evidence[0].time_b, S(10));
    CHECK_INT(c.evidence[1].object, 2);
    CHECK_INT(c.evidence[1].time_b, S(52));
    CHECK_INT(c.evidence[2].pair, 1);
    CHECK_INT(c.evidence[2].time_a, S(10)); /* B is the lower index of B-C */
    CHECK_INT(c.evidence[2].time_b, S(11));
    chorus_copairs_free(ctx, &c);
}

static void test_window_auto(void)
{
    /* o1: 6 actions at 0, 2, 4, 9, 30, 80 s: second after 2 s, half (the
     * third) after 4 s. Nine slower objects: second after 20+ s. */
    chorus_action a[64];
    size_t n = 0;
    const int t1[] = {0, 2, 4, 9, 30, 80};
    for (int i = 0; i < 6; i++)
        a[n++] = (chorus_action){(uint32_t)i, 1, S(t1[i])};
    for (uint32_t o = 2; o <= 10; o++)
        for (int i = 0; i < 3; i++)
            a[n++] = (chorus_action){(uint32_t)i, o, S(1000 * o + i * (20 + (int)o))};
    a[n++] = (chorus_action){0, 99, S(5)}; /* acted on once: ignored */
    int64_t w = 0;
    CHECK_INT(chorus_window_auto(ctx, a, n, &w), CHORUS_OK);
    CHECK_INT(w, S(4));
    chorus_action same[] = {{A, 1, S(7)}, {B, 1, S(7)}};
    CHECK_INT(chorus_window_auto(ctx, same, 2, &w), CHORUS_OK);
    CHECK_INT(w, S(1)); /* never below one second */
    chorus_action once[] = {{A, 1, S(7)}, {B, 2, S(7)}};
    CHECK_INT(chorus_window_auto(ctx, once, 2, &w), CHORUS_EINPUT);
}

static void test_poisson_and_fdr(void)
{
    CHECK(fabs(chorus_poisson_sf(1, 1.0) - 0.6321205588) < 1e-9);
    CHECK(fabs(chorus_poisson_sf(3, 0.5) - 0.0143876780) < 1e-9);
    CHECK(chorus_poisson_sf(0, 2.0) == 1.0);
    CHECK(fabs(chorus_poisson_sf(10, 0.1) / 2.5163478e-17 - 1.0) < 1e-6);
    CHECK(fabs(chorus_poisson_sf(5, 20.0) - 0.9999831) < 1e-6); /* lower-tail branch */
    double p[] = {0.5, 0.001, 0.02, 0.01};
    CHECK(chorus_fdr_threshold(ctx, p, 4, 0.05) == 0.02);
    CHECK(chorus_fdr_threshold(ctx, p, 4, 0.001) == 0.0);
}

/* Fifty accounts all retweet five viral posts within seconds; accounts 0
 * and 1 also share five rare objects nobody else touches. The viral pairs
 * are weight 5 too, but the null model expects that; the rare pair it
 * does not. */
static void test_significance_separates_viral_from_planted(void)
{
    enum { NACC = 50 };
    chorus_action a[NACC * 7 + 10];
    size_t n = 0;
    for (uint32_t v = 0; v < 5; v++)
        for (uint32_t k = 0; k < NACC; k++)
            a[n++] = (chorus_action){k, v, S(1000 * v + k % 30)};
    for (uint32_t r = 0; r < 5; r++) {
        a[n++] = (chorus_action){0, 100 + r, S(5000 + 100 * r)};
        a[n++] = (chorus_action){1, 100 + r, S(5000 + 100 * r + 3)};
    }
    for (uint32_t k = 0; k < NACC; k++) /* everyone also posts something alone */
        a[n++] = (chorus_action){k, 1000 + k, S(9000 + k)};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.keep_evidence = 1;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, a, n, &o, &c), CHORUS_OK);
    CHECK_INT(chorus_copairs_significance(ctx, a, n, &o, &c), CHORUS_OK);
    const chorus_copair *planted = NULL, *viral = NULL;
    for (size_t i = 0; i < c.n; i++) {
        if (c.pairs[i].a == 0 && c.pairs[i].b == 1)
            planted = &c.pairs[i];
        if (c.pairs[i].a == 2 && c.pairs[i].b == 3)
            viral = &c.pairs[i];
    }
    CHECK(planted && viral);
    if (planted && viral) {
        CHECK_INT(planted->objects, 10);
        CHECK_INT(viral->objects, 5);
        CHECK(planted->p_value < 1e-6);
        CHECK(viral->p_value > 0.05);
        /* idf = ln(50 accounts / popularity): the 5 rare objects (2 accounts)
         * weigh ln(25)^2 each, the viral ones 0, its own post ln(50)^2. */
        double r = log(25.0) * log(25.0), own = log(50.0) * log(50.0);
        CHECK(fabs(planted->similarity - 5 * r / (5 * r + own)) < 1e-9);
        CHECK(viral->similarity < 0.1); /* viral objects carry almost no weight */
        double *p = malloc(c.n * sizeof *p);
        for (size_t i = 0; i < c.n; i++)
            p[i] = c.pairs[i].p_value;
        double t = chorus_fdr_threshold(ctx, p, c.n, 0.01);
        CHECK(planted->p_value <= t);
        CHECK(viral->p_value > t);
        free(p);
    }
    chorus_copairs_free(ctx, &c);
}

static void test_popular_object_set_aside(void)
{
    chorus_action a[40];
    for (int i = 0; i < 30; i++)
        a[i] = (chorus_action){(uint32_t)i, 7, S(i % 5)}; /* a viral object */
    for (int i = 30; i < 40; i++)
        a[i] = (chorus_action){(uint32_t)(i % 2), (uint32_t)(100 + i / 2), S(i)};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.max_object_actions = 20;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, a, 40, &o, &c), CHORUS_OK);
    CHECK_INT(c.n_skipped, 1);
    CHECK_INT(c.skipped[0].object, 7);
    CHECK_INT(c.skipped[0].actions, 30);
    CHECK_INT(c.n, 1); /* accounts 0 and 1 on the five small objects */
    CHECK_INT(c.pairs[0].objects, 5);
    chorus_copairs_free(ctx, &c);
}

/* ---- brute-force reference: every pair of actions, no sorting ---- */

#define NA 6 /* accounts */

typedef struct ref_pair {
    uint32_t objects, coactions, part_a, part_b;
    int64_t first, last, delays[400];
    int seen_obj[8], part_ia[64], part_ib[64];
} ref_pair;

static void reference(const chorus_action *a, size_t n, int64_t w, ref_pair r[NA][NA])
{
    memset(r, 0, sizeof(ref_pair) * NA * NA);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int64_t d = a[i].time_ms - a[j].time_ms;
            d = d < 0 ? -d : d;
            if (a[i].object != a[j].object || a[i].account == a[j].account || d > w)
                continue;
            int lo_i = a[i].account < a[j].account;
            size_t ia = lo_i ? i : j, ib = lo_i ? j : i;
            ref_pair *p = &r[a[ia].account][a[ib].account];
            if (!p->coactions || a[i].time_ms < p->first || a[j].time_ms < p->first)
                p->first = a[i].time_ms < a[j].time_ms ? a[i].time_ms : a[j].time_ms;
            int64_t hi = a[i].time_ms > a[j].time_ms ? a[i].time_ms : a[j].time_ms;
            if (!p->coactions || hi > p->last)
                p->last = hi;
            p->delays[p->coactions++] = d;
            if (!p->seen_obj[a[i].object]++)
                p->objects++;
            if (!p->part_ia[ia]++)
                p->part_a++;
            if (!p->part_ib[ib]++)
                p->part_b++;
        }
}

static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static int compare_one(const chorus_action *orig, size_t n, int64_t w, uint32_t minw, int by_coactions)
{
    static ref_pair r[NA][NA];
    chorus_action a[64];
    memcpy(a, orig, n * sizeof *a);
    reference(orig, n, w, r);
    chorus_copair_opts o = {w, minw, by_coactions, 0, 1};
    chorus_copairs c;
    if (chorus_copairs_compute(ctx, a, n, &o, &c))
        return 0;
    size_t k = 0;
    int ok = 1;
    for (uint32_t x = 0; x < NA && ok; x++)
        for (uint32_t y = x + 1; y < NA && ok; y++) {
            ref_pair *p = &r[x][y];
            uint64_t weight = by_coactions ? p->coactions : p->objects;
            if (!p->coactions || weight < minw)
                continue;
            qsort(p->delays, p->coactions, sizeof p->delays[0], cmp64);
            const chorus_copair *q = k < c.n ? &c.pairs[k++] : NULL;
            ok = q && q->a == x && q->b == y && q->objects == p->objects &&
                 q->coactions == p->coactions && q->first_ms == p->first &&
                 q->last_ms == p->last && q->part_a == p->part_a && q->part_b == p->part_b &&
                 q->median_delay_ms == p->delays[(p->coactions - 1) / 2];
        }
    ok = ok && k == c.n;
    uint64_t total = 0;
    for (size_t i = 0; i < c.n; i++)
        total += c.pairs[i].coactions;
    ok = ok && c.n_evidence == total; /* one evidence row per co-action of a kept pair */
    for (size_t i = 0; ok && i < c.n_evidence; i++) {
        const chorus_coaction *e = &c.evidence[i];
        int64_t d = e->time_a - e->time_b;
        ok = e->pair < c.n && (d < 0 ? -d : d) <= w && (i == 0 || e->pair >= c.evidence[i - 1].pair);
    }
    chorus_copairs_free(ctx, &c);
    return ok;
}

static void test_against_brute_force(void)
{
    uint64_t s = 12345;
    int failures = 0;
    for (int round = 0; round < 3000; round++) {
        chorus_action a[64];
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = 1 + (s >> 33) % 40;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            /* times in whole seconds over a short span: many ties, many at the edge */
            a[i] = (chorus_action){(uint32_t)((s >> 20) % NA), (uint32_t)((s >> 30) % 5),
                                   S((s >> 40) % 31)};
        }
        int64_t w = S(round % 3 == 0 ? 0 : 10);
        uint32_t minw = 1 + (uint32_t)(round % 2);
        if (!compare_one(a, n, w, minw, (round / 2) % 2)) {
            if (failures++ < 3)
                fprintf(stderr, "brute force mismatch in round %d (n %zu)\n", round, n);
        }
    }
    CHECK_INT(failures, 0);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    RUN(test_case_inclusive_window);
    RUN(test_case_repeated_action);
    RUN(test_case_min_weight);
    RUN(test_popular_object_set_aside);
    RUN(test_evidence);
    RUN(test_window_auto);
    RUN(test_poisson_and_fdr);
    RUN(test_significance_separates_viral_from_planted);
    RUN(test_against_brute_force);
    chorus_ctx_free(ctx);
    TEST_END("test_coord");
}
