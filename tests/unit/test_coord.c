/*
 * test_coord.c - co-action pairs: the exact cases the semantics are
 * defined by (inclusive window, repeated actions, min weight), and a
 * property test against a brute-force all-pairs reference on many small
 * random inputs with ties at the window edge, and a second one with many
 * accounts (every width of packed pair keys) that checks every field,
 * the evidence rows in order and the objects set aside.
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

/* The cap keeps per pair the closest co-action of each object first,
 * then the closest of the rest, in their order. A-B: o1 at delays 9, 2
 * and 5 (A 0, 1 / B 9, 3, 6 within 10 s), o2 at delay 7, o3 at delay 1. */
static void test_evidence_cap(void)
{
    chorus_action a[] = {{A, 1, S(0)}, {B, 1, S(9)}, {A, 2, S(100)}, {B, 2, S(107)},
                         {A, 3, S(200)}, {B, 3, S(201)}, {B, 1, S(2)}, {C, 4, S(300)},
                         {B, 4, S(301)}};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.window_ms = S(10);
    o.min_weight = 1;
    o.keep_evidence = 1;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, a, 9, &o, &c), CHORUS_OK);
    CHECK_INT(c.n, 2);          /* A-B, B-C */
    CHECK_INT(c.n_evidence, 5); /* A-B: o1 twice (delays 2, 9), o2, o3; B-C: o4 */
    CHECK_INT(chorus_copairs_cap_evidence(ctx, &c, 0), CHORUS_OK);
    CHECK_INT(c.n_evidence, 5);
    CHECK_INT(chorus_copairs_cap_evidence(ctx, &c, 3), CHORUS_OK);
    CHECK_INT(c.n_evidence, 4); /* the o1 co-action at 9 s goes: o1's closest is 2 s */
    CHECK_INT(c.evidence_dropped, 1);
    CHECK_INT(c.evidence[0].object, 1);
    CHECK_INT(c.evidence[0].time_b, S(2));
    CHECK_INT(c.evidence[1].object, 2);
    CHECK_INT(c.evidence[2].object, 3);
    CHECK_INT(c.evidence[3].pair, 1);
    CHECK_INT(chorus_copairs_cap_evidence(ctx, &c, 1), CHORUS_OK);
    CHECK_INT(c.n_evidence, 2); /* A-B keeps o3 (1 s), B-C its only row */
    CHECK_INT(c.evidence[0].object, 3);
    CHECK_INT(c.evidence[1].pair, 1);
    CHECK_INT(c.evidence_dropped, 3);
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
 * and 1 also share ten rare objects nobody else touches, each leading in
 * turn. The viral pairs are weight 5 too, but the null model expects that;
 * the rare pair it does not. */
static void test_significance_separates_viral_from_planted(void)
{
    enum { NACC = 50, RARE = 10 };
    chorus_action a[NACC * 7 + 2 * RARE];
    size_t n = 0;
    for (uint32_t v = 0; v < 5; v++)
        for (uint32_t k = 0; k < NACC; k++)
            a[n++] = (chorus_action){k, v, S(1000 * v + k % 30)};
    for (uint32_t r = 0; r < RARE; r++) { /* each leads in turn: two sources */
        a[n++] = (chorus_action){r % 2, 100 + r, S(5000 + 100 * r)};
        a[n++] = (chorus_action){1 - r % 2, 100 + r, S(5000 + 100 * r + 3)};
    }
    for (uint32_t k = 0; k < NACC; k++) /* everyone also posts something alone */
        a[n++] = (chorus_action){k, 1000 + k, S(9000 + k)};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.keep_evidence = 1;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, a, n, &o, &c), CHORUS_OK);
    CHECK_INT(chorus_copairs_significance(ctx, a, n, NULL, &o, &c), CHORUS_OK);
    const chorus_copair *planted = NULL, *viral = NULL;
    for (size_t i = 0; i < c.n; i++) {
        if (c.pairs[i].a == 0 && c.pairs[i].b == 1)
            planted = &c.pairs[i];
        if (c.pairs[i].a == 2 && c.pairs[i].b == 3)
            viral = &c.pairs[i];
    }
    CHECK(planted && viral);
    if (planted && viral) {
        CHECK_INT(planted->objects, 5 + RARE);
        CHECK_INT(viral->objects, 5);
        CHECK_INT(planted->sources, 2); /* account 0 leads the viral posts too */
        CHECK_INT(viral->sources, 1);
        CHECK(planted->p_value < 1e-4);
        CHECK(viral->p_value > 0.05);
        /* idf = ln(50 accounts / popularity): the rare objects (2 accounts)
         * weigh ln(25)^2 each, the viral ones 0, its own post ln(50)^2. */
        double r = log(25.0) * log(25.0), own = log(50.0) * log(50.0);
        CHECK(fabs(planted->similarity - RARE * r / (RARE * r + own)) < 1e-9);
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

/* Runs significance over a[0..n) with the given sources and strata (either
 * may be NULL); returns the pair (x, y), or one with p_value -1 when there
 * is none. */
static chorus_copair significance_of(chorus_action *a, size_t n, const uint32_t *source,
                                     const uint32_t *stratum, uint32_t x, uint32_t y)
{
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.keep_evidence = 1;
    chorus_copairs c;
    chorus_copair found = {.p_value = -1};
    CHECK_INT(chorus_copairs_compute(ctx, a, n, &o, &c), CHORUS_OK);
    CHECK_INT(chorus_copairs_significance(ctx, a, n, &(chorus_object_info){source, stratum}, &o, &c), CHORUS_OK);
    for (size_t i = 0; i < c.n; i++)
        if (c.pairs[i].a == x && c.pairs[i].b == y)
            found = c.pairs[i];
    chorus_copairs_free(ctx, &c);
    return found;
}

/* Six fans retweet each of twelve posts of one account (source 9999)
 * within seconds, among 200 other accounts; everyone otherwise acts alone.
 * An audience, not a team. The same actions with each post from a
 * different source are evidence. */
static void test_one_source_is_no_evidence(void)
{
    enum { FANS = 6, POSTS = 12, ACC = 206, OWN = 30 };
    size_t cap = FANS * POSTS + ACC * OWN, n = 0;
    chorus_action *a = malloc(cap * sizeof *a);
    uint32_t *one = malloc(cap * sizeof *one), *many = malloc(cap * sizeof *many);
    for (uint32_t p = 0; p < POSTS; p++) {
        one[p] = 9999, many[p] = 10000 + p;
        for (uint32_t f = 0; f < FANS; f++)
            a[n++] = (chorus_action){f, p, S(10000 * p + f)};
    }
    for (uint32_t f = 0; f < ACC; f++)
        for (uint32_t k = 0; k < OWN; k++) { /* each account's own posts: a background */
            uint32_t obj = POSTS + f * OWN + k;
            one[obj] = many[obj] = UINT32_MAX;
            a[n++] = (chorus_action){f, obj, S(500000 + 1000 * f + k)};
        }
    chorus_copair audience = significance_of(a, n, one, NULL, 0, 1);
    CHECK_INT(audience.objects, POSTS);
    CHECK_INT(audience.sources, 1);
    CHECK(audience.p_value == 1.0);
    chorus_copair team = significance_of(a, n, many, NULL, 0, 1);
    CHECK_INT(team.sources, POSTS);
    CHECK_INT(team.coshared, POSTS - 1); /* all but the main source's post */
    CHECK(team.p_value < 1e-6);
    free(a), free(one), free(many);
}

/* Ten accounts of a small language community (stratum 1) all act on the
 * same six objects, accounts 0 and 1 within seconds each time, among 200
 * accounts of another language posting alone. Against everyone, 0 and 1
 * look alike; within their community, everyone acts on those six. */
static void test_strata_compare_within_community(void)
{
    enum { COMM = 10, OBJS = 6, OTHERS = 200, OWN = 20 };
    size_t cap = COMM * OBJS + OTHERS * OWN, n = 0;
    chorus_action *a = malloc(cap * sizeof *a);
    uint32_t *stratum = malloc(cap * sizeof *stratum);
    for (uint32_t o = 0; o < OBJS; o++) {
        stratum[o] = 1;
        for (uint32_t k = 0; k < COMM; k++) /* first actor varies: many sources */
            a[n++] = (chorus_action){k, o, S(100000 * o + (k < 2 ? 500 + k : 1000 * ((k + o) % COMM)))};
    }
    for (uint32_t k = 0; k < OTHERS; k++)
        for (uint32_t j = 0; j < OWN; j++) {
            uint32_t obj = OBJS + k * OWN + j;
            stratum[obj] = 0;
            a[n++] = (chorus_action){COMM + k, obj, S(900000 + 100 * k + j)};
        }
    chorus_copair everyone = significance_of(a, n, NULL, NULL, 0, 1);
    chorus_copair within = significance_of(a, n, NULL, stratum, 0, 1);
    CHECK(everyone.p_value < 1e-6);
    CHECK(within.p_value > 0.5);
    free(a), free(stratum);
}

/* Accounts 0 and 1 are early together on three crowd objects (acted on by
 * twenty others over an hour), but each acts on twenty crowd objects: by
 * popularity they would share more than three anyway. The timing test
 * alone would flag them; the selection test does not. */
static void test_early_crowd_pair_fails_selection(void)
{
    enum { OBJS = 40, CROWD = 20 };
    chorus_action a[OBJS * CROWD + 40];
    size_t n = 0;
    for (uint32_t o = 0; o < OBJS; o++)
        for (uint32_t k = 0; k < CROWD; k++) /* accounts 2..41, first actor differs */
            a[n++] = (chorus_action){2 + (o + k) % 40, o, S(100000 * o + 180 * k + 200)};
    for (uint32_t o = 0; o < 20; o++) /* just after each object's first actor */
        a[n++] = (chorus_action){0, o, S(100000 * o + 210)};
    for (uint32_t o = 17; o < 37; o++)
        a[n++] = (chorus_action){1, o, S(100000 * o + (o < 20 ? 215 : 90000))};
    chorus_copair p = significance_of(a, n, NULL, NULL, 0, 1);
    CHECK_INT(p.objects, 3);
    CHECK_INT(p.coshared, 2); /* three, less the one from the main source */
    CHECK(p.p_value > 0.5);
}

/* No actions, and one action: no pairs, and the result is still freeable. */
static void test_no_or_one_action(void)
{
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.keep_evidence = 1;
    chorus_copairs c;
    CHECK_INT(chorus_copairs_compute(ctx, NULL, 0, &o, &c), CHORUS_OK);
    CHECK_INT(c.n, 0);
    CHECK_INT(c.n_evidence, 0);
    chorus_copairs_free(ctx, &c);
    chorus_action one[] = {{A, 1, S(5)}};
    CHECK_INT(chorus_copairs_compute(ctx, one, 1, &o, &c), CHORUS_OK);
    CHECK_INT(c.n, 0);
    CHECK_INT(c.coactions_seen, 0);
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
    chorus_copair_opts o = {w, minw, by_coactions, 0, 1, 2, 0, 1};
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

/* ---- brute force with many accounts: every field, evidence in order ---- */

typedef struct bf_co {
    uint32_t x, y, ia, ib; /* accounts x < y; their actions' indexes */
    size_t gen;            /* generation order: object, then i, then j */
} bf_co;

static const chorus_action *bf_acts;

/* The kernel's action order, defined: by object, time, then input order. */
static int bf_cmp_action(const void *p, const void *q)
{
    const chorus_action *a = &bf_acts[*(const uint32_t *)p], *b = &bf_acts[*(const uint32_t *)q];
    if (a->object != b->object)
        return a->object < b->object ? -1 : 1;
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    return *(const uint32_t *)p < *(const uint32_t *)q ? -1 : 1;
}

static int bf_cmp_co(const void *p, const void *q)
{
    const bf_co *a = p, *b = q;
    if (a->x != b->x || a->y != b->y)
        return a->x != b->x ? (a->x < b->x ? -1 : 1) : (a->y < b->y ? -1 : 1);
    return a->gen < b->gen ? -1 : a->gen > b->gen;
}

static int count_distinct(uint32_t *v, size_t m)
{
    int d = 0;
    for (size_t i = 0; i < m; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = v[k] == v[i];
        d += !seen;
    }
    return d;
}

/* Whether the kernel's pair q has the statistics of the co-actions
 * c[0..m) of one account pair (indexes into s, the actions in order). */
static int bf_pair_ok(const chorus_action *s, const bf_co *c, size_t m, const chorus_copair *q,
                      const uint32_t *acts)
{
    int64_t *d = malloc(m * sizeof *d), first = INT64_MAX, last = INT64_MIN;
    uint32_t *ia = malloc(m * sizeof *ia), *ib = malloc(m * sizeof *ib), *ob = malloc(m * sizeof *ob);
    for (size_t k = 0; k < m; k++) {
        int64_t ta = s[c[k].ia].time_ms, tb = s[c[k].ib].time_ms;
        first = ta < first ? ta : first, first = tb < first ? tb : first;
        last = ta > last ? ta : last, last = tb > last ? tb : last;
        d[k] = ta < tb ? tb - ta : ta - tb;
        ia[k] = c[k].ia, ib[k] = c[k].ib, ob[k] = s[c[k].ia].object;
    }
    qsort(d, m, sizeof *d, cmp64);
    int ok = q->a == c[0].x && q->b == c[0].y && q->coactions == m &&
             q->objects == (uint32_t)count_distinct(ob, m) && q->first_ms == first &&
             q->last_ms == last && q->median_delay_ms == d[(m - 1) / 2] &&
             q->part_a == (uint32_t)count_distinct(ia, m) &&
             q->part_b == (uint32_t)count_distinct(ib, m) && q->actions_a == acts[q->a] &&
             q->actions_b == acts[q->b];
    free(d), free(ia), free(ib), free(ob);
    return ok;
}

/* Compares the kernel on a[0..n) with opts o to brute force over all
 * pairs of actions, field by field and evidence row by row. */
static int compare_many(const chorus_action *orig, size_t n, const chorus_copair_opts *o)
{
    chorus_action *s = malloc(n * sizeof *s), *k = malloc(n * sizeof *k);
    uint32_t *idx = malloc(n * sizeof *idx), acts[1 << 12] = {0};
    bf_co *c = malloc((n * n / 2 + 1) * sizeof *c);
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i, acts[orig[i].account]++;
    bf_acts = orig;
    qsort(idx, n, sizeof *idx, bf_cmp_action);
    for (size_t i = 0; i < n; i++)
        s[i] = orig[idx[i]];
    size_t nc = 0, nskip = 0, seen = 0;
    uint32_t skip[64];
    for (size_t b = 0, e; b < n; b = e) {
        for (e = b; e < n && s[e].object == s[b].object;)
            e++;
        if (o->max_object_actions && e - b > o->max_object_actions) {
            skip[nskip++] = s[b].object;
            continue;
        }
        for (size_t i = b; i < e; i++)
            for (size_t j = i + 1; j < e; j++)
                if (s[j].time_ms - s[i].time_ms <= o->window_ms && s[i].account != s[j].account) {
                    int lo = s[i].account < s[j].account;
                    c[nc] = (bf_co){lo ? s[i].account : s[j].account, lo ? s[j].account : s[i].account,
                                    (uint32_t)(lo ? i : j), (uint32_t)(lo ? j : i), nc};
                    nc++;
                }
    }
    qsort(c, nc, sizeof *c, bf_cmp_co);
    memcpy(k, orig, n * sizeof *k);
    chorus_copairs r;
    int ok = chorus_copairs_compute(ctx, k, n, o, &r) == CHORUS_OK;
    ok = ok && r.coactions_seen == nc && r.n_skipped == nskip;
    for (size_t i = 0; ok && i < nskip; i++)
        ok = r.skipped[i].object == skip[i];
    size_t pairs = 0, ev = 0;
    for (size_t b = 0, e; ok && b < nc; b = e) {
        for (e = b; e < nc && c[e].x == c[b].x && c[e].y == c[b].y;)
            e++;
        seen++;
        uint32_t ob[4096];
        for (size_t q = b; q < e; q++)
            ob[q - b] = s[c[q].ia].object;
        uint64_t weight = o->weight_coactions ? e - b : (uint64_t)count_distinct(ob, e - b);
        if (weight < o->min_weight)
            continue;
        ok = pairs < r.n && bf_pair_ok(s, c + b, e - b, &r.pairs[pairs], acts);
        for (size_t q = b; ok && q < e; q++, ev++)
            ok = ev < r.n_evidence && r.evidence[ev].pair == pairs &&
                 r.evidence[ev].object == s[c[q].ia].object &&
                 r.evidence[ev].time_a == s[c[q].ia].time_ms &&
                 r.evidence[ev].time_b == s[c[q].ib].time_ms;
        pairs++;
    }
    ok = ok && r.n == pairs && r.n_evidence == ev && r.pairs_seen == seen;
    ok = ok && !memcmp(k, s, n * sizeof *s); /* actions left in the kernel's order */
    chorus_copairs_free(ctx, &r);
    free(s), free(k), free(idx), free(c);
    return ok;
}

/* Random inputs over 1 to 4096 accounts (pair keys of 2 to 24 bits: one
 * radix pass or several), few objects so runs are long, duplicate times,
 * every weight mode, bounds and windows; one round in ten with times
 * and window scaled by 2^45, too wide to pack with the object or the
 * delay with the pair. */
static void test_many_accounts_against_brute_force(void)
{
    uint64_t s = 777;
    int failures = 0;
    for (int round = 0; round < 400; round++) {
        enum { MAXN = 90 };
        chorus_action a[MAXN];
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = 2 + (s >> 33) % (MAXN - 1);
        uint32_t accounts = 1u << (round % 13), objects = 1 + (uint32_t)((s >> 45) % 4);
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t acc = (uint32_t)((s >> 16) % accounts);
            if ((s >> 60) < 6) /* a few accounts act often: pairs with many co-actions */
                acc = (uint32_t)((s >> 8) % 3) * (accounts / 3);
            a[i] = (chorus_action){acc, (uint32_t)((s >> 36) % objects) * 7, S((s >> 40) % 50) - S(20)};
        }
        int64_t scale = round % 10 == 3 ? (int64_t)1 << 45 : 1;
        for (size_t i = 0; i < n; i++)
            a[i].time_ms *= scale;
        chorus_copair_opts o;
        chorus_copair_defaults(&o);
        o.window_ms = S(round % 5 == 0 ? 0 : (round % 5) * 7) * scale;
        o.min_weight = (uint32_t)(round % 4);
        o.weight_coactions = (round / 4) % 2;
        o.max_object_actions = round % 7 == 0 ? 25 : 0;
        o.keep_evidence = 1;
        if (!compare_many(a, n, &o) && failures++ < 3)
            fprintf(stderr, "many-accounts mismatch in round %d (n %zu)\n", round, n);
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
    RUN(test_no_or_one_action);
    RUN(test_evidence);
    RUN(test_evidence_cap);
    RUN(test_window_auto);
    RUN(test_poisson_and_fdr);
    RUN(test_significance_separates_viral_from_planted);
    RUN(test_one_source_is_no_evidence);
    RUN(test_early_crowd_pair_fails_selection);
    RUN(test_strata_compare_within_community);
    RUN(test_against_brute_force);
    RUN(test_many_accounts_against_brute_force);
    chorus_ctx_free(ctx);
    TEST_END("test_coord");
}
