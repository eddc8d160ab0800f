/*
 * test_copairs.c - the co-action kernel's paths that depend on the input's
 * layout: actions already in time order are sorted by object alone. The
 * kernel must give the same result, field by field and row by row, as on
 * the same actions out of time order (the general sort, checked against
 * brute force in test_coord.c). And the shards of a distributed run:
 * computed, tested and kept shard by shard, then merged, the pairs must
 * be the unsharded ones, bit for bit.
 */
#include "check.h"

#include <chorus/coord.h>

static chorus_ctx *ctx;

static uint64_t rng = 2026;

static uint64_t next(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 16;
}

/* Stable insertion sort by time: the input of the in-order path. */
static void by_time(chorus_action *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        chorus_action x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].time_ms > x.time_ms; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static int same_pairs(const chorus_copairs *p, const chorus_copairs *q)
{
    if (p->n != q->n || p->n_evidence != q->n_evidence || p->n_skipped != q->n_skipped ||
        p->pairs_seen != q->pairs_seen || p->coactions_seen != q->coactions_seen)
        return 0;
    for (size_t i = 0; i < p->n; i++) {
        const chorus_copair *x = &p->pairs[i], *y = &q->pairs[i];
        if (x->a != y->a || x->b != y->b || x->coactions != y->coactions || x->objects != y->objects ||
            x->first_ms != y->first_ms || x->last_ms != y->last_ms ||
            x->median_delay_ms != y->median_delay_ms || x->part_a != y->part_a ||
            x->part_b != y->part_b || x->actions_a != y->actions_a || x->actions_b != y->actions_b)
            return 0;
    }
    for (size_t i = 0; i < p->n_evidence; i++) {
        const chorus_coaction *x = &p->evidence[i], *y = &q->evidence[i];
        if (x->pair != y->pair || x->object != y->object || x->time_a != y->time_a ||
            x->time_b != y->time_b)
            return 0;
    }
    for (size_t i = 0; i < p->n_skipped; i++)
        if (p->skipped[i].object != q->skipped[i].object ||
            p->skipped[i].actions != q->skipped[i].actions)
            return 0;
    return 1;
}

/* Random actions in time order (duplicate times, objects of up to 31 bits,
 * spans under and over 2^32 ms) against the same actions with two
 * neighbours of different times swapped: out of order, the same result
 * (ties of object and time keep their order either way). */
static void test_in_time_order_as_out_of_order(void)
{
    enum { MAXN = 200 };
    static chorus_action t[MAXN], u[MAXN];
    int failures = 0, rounds = 0;
    for (int round = 0; round < 300; round++) {
        size_t n = 3 + next() % (MAXN - 3);
        uint32_t accounts = 1u << (round % 11), objects = 1 + (uint32_t)(next() % 6);
        uint32_t ostep = round % 3 == 0 ? 1u << 28 : 1u + (uint32_t)(round % 5);
        int64_t tstep = round % 4 == 1 ? (int64_t)1 << 27 : 1000;
        for (size_t i = 0; i < n; i++)
            t[i] = (chorus_action){(uint32_t)(next() % accounts), (uint32_t)(next() % objects) * ostep,
                                   (int64_t)(next() % 40) * tstep - 7000};
        by_time(t, n);
        size_t k = 0;
        while (k + 1 < n && t[k].time_ms == t[k + 1].time_ms)
            k++;
        if (k + 1 == n)
            continue; /* one time only: no swap makes it out of order */
        memcpy(u, t, n * sizeof *t);
        chorus_action x = u[k];
        u[k] = u[k + 1], u[k + 1] = x;
        chorus_copair_opts o;
        chorus_copair_defaults(&o);
        o.window_ms = (int64_t)(round % 5) * 3 * tstep;
        o.min_weight = (uint32_t)(round % 3);
        o.weight_coactions = round % 7 == 2;
        o.max_object_actions = round % 6 == 5 ? 40 : 0;
        o.keep_evidence = 1;
        chorus_copairs p, q;
        int ok = chorus_copairs_compute(ctx, t, n, &o, &p) == CHORUS_OK;
        ok = ok && chorus_copairs_compute(ctx, u, n, &o, &q) == CHORUS_OK;
        ok = ok && same_pairs(&p, &q) && !memcmp(t, u, n * sizeof *t);
        if (!ok && failures++ < 3)
            fprintf(stderr, "in-order mismatch in round %d (n %zu)\n", round, n);
        chorus_copairs_free(ctx, &p);
        chorus_copairs_free(ctx, &q);
        rounds++;
    }
    CHECK_INT(failures, 0);
    CHECK(rounds > 250);
}

/* The statistics significance adds, compared bit for bit. */
static int same_tests(const chorus_copairs *p, const chorus_copairs *q)
{
    for (size_t i = 0; i < p->n && i < q->n; i++) {
        const chorus_copair *x = &p->pairs[i], *y = &q->pairs[i];
        if (memcmp(&x->similarity, &y->similarity, sizeof x->similarity) ||
            memcmp(&x->p_value, &y->p_value, sizeof x->p_value) || x->sources != y->sources ||
            x->coshared != y->coshared)
            return 0;
    }
    return p->n == q->n;
}

/* Computes (and with test, tests and keeps under the common threshold)
 * the actions a[0..n) whole into one, and in `shards` shards merged into
 * merged; each computation on its own copy of the actions (they are
 * reordered). */
static int whole_and_merged(const chorus_action *a, size_t n, chorus_copair_opts o, uint32_t shards,
                            int test, chorus_copairs *one, chorus_copairs *merged)
{
    enum { MAXS = 7 };
    static chorus_action c[600];
    chorus_copairs parts[MAXS];
    memset(parts, 0, sizeof parts);
    static double p[1 << 18]; /* 600 actions make fewer pairs */
    size_t np = 0;
    memcpy(c, a, n * sizeof *a);
    int ok = chorus_copairs_compute(ctx, c, n, &o, one) == CHORUS_OK;
    ok = ok && (!test || chorus_copairs_significance(ctx, c, n, NULL, &o, one) == CHORUS_OK);
    for (uint32_t k = 0; ok && k < shards; k++) {
        o.shard = k, o.shards = shards;
        memcpy(c, a, n * sizeof *a);
        ok = chorus_copairs_compute(ctx, c, n, &o, &parts[k]) == CHORUS_OK;
        ok = ok && (!test || chorus_copairs_significance(ctx, c, n, NULL, &o, &parts[k]) == CHORUS_OK);
        for (size_t i = 0; ok && i < parts[k].n && np < (1 << 18); i++)
            p[np++] = parts[k].pairs[i].p_value;
    }
    if (ok && test) { /* one threshold over every shard's p-values, as over the whole */
        double th = chorus_fdr_threshold(ctx, p, np, 0.05);
        ok = np == one->n;
        chorus_copairs_keep(one, th);
        for (uint32_t k = 0; k < shards; k++)
            chorus_copairs_keep(&parts[k], th);
    }
    ok = ok && chorus_copairs_merge(ctx, parts, shards, merged) == CHORUS_OK;
    for (uint32_t k = 0; k < shards; k++)
        chorus_copairs_free(ctx, &parts[k]);
    return ok;
}

/* n actions: random ones over accounts and objects, a third of them
 * following the one before by one of accounts 0-5, and the last fifth by
 * 4 more accounts on objects of their own, 7 s apart, first actor in turn. */
static void team_actions(chorus_action *a, size_t n, uint32_t accounts, uint32_t objects)
{
    size_t team = n - n / 5;
    for (size_t i = 0; i < team; i++)
        a[i] = i && next() % 3 == 0
                   ? (chorus_action){(uint32_t)(next() % 6), a[i - 1].object,
                                     a[i - 1].time_ms + (int64_t)(next() % 500)}
                   : (chorus_action){(uint32_t)(next() % accounts), (uint32_t)(next() % objects),
                                     (int64_t)(next() % 3000) * 100};
    for (size_t i = team; i < n; i++) {
        uint32_t g = (uint32_t)((i - team) / 4);
        a[i] = (chorus_action){accounts + (uint32_t)(i + g) % 4, objects + g,
                               (int64_t)g * 7000 + (int64_t)(i % 4)};
    }
}

/* Random actions over 3 to 5,000 accounts (from 4 buckets to all 4,096),
 * a third following the one before by one of 6 accounts, a fifth by 4
 * more accounts on objects of their own (pairs that pass the test), 2 to 7
 * shards (more shards than buckets leaves some empty), raw or tested and
 * kept under the false discovery threshold of all shards' p-values: the
 * merged shards equal the whole. */
static void test_shards_merge_as_whole(void)
{
    static chorus_action a[600];
    int failures = 0, tested = 0, nonempty = 0;
    for (int round = 0; round < 200; round++) {
        size_t n = 20 + next() % 580;
        uint32_t accounts = round % 4 == 0 ? 3 : 50 + (uint32_t)(next() % 4950);
        uint32_t objects = round % 3 == 0 ? 1 + (uint32_t)(next() % 40) : 100 + (uint32_t)(next() % 900);
        team_actions(a, n, accounts, objects);
        chorus_copair_opts o;
        chorus_copair_defaults(&o);
        o.window_ms = 1000 + (int64_t)(round % 5) * 20000;
        o.min_weight = 1 + (uint32_t)(round % 2);
        o.max_object_actions = round % 6 == 5 ? 30 : 0;
        o.keep_evidence = round % 5 != 4;
        int test = o.keep_evidence && round % 2 == 0;
        chorus_copairs one, merged;
        int ok = whole_and_merged(a, n, o, 2 + (uint32_t)(round % 6), test, &one, &merged);
        ok = ok && same_pairs(&one, &merged) && same_tests(&one, &merged) &&
             (o.keep_evidence || !merged.evidence);
        if (!ok && failures++ < 3)
            fprintf(stderr, "shard mismatch in round %d (n %zu)\n", round, n);
        tested += test && one.n > 0; /* some kept */
        nonempty += one.n > 0;
        chorus_copairs_free(ctx, &one);
        chorus_copairs_free(ctx, &merged);
    }
    CHECK_INT(failures, 0);
    CHECK(tested > 25); /* tested rounds with pairs kept */
    CHECK(nonempty > 140);
}

/* A pair in two parts is a caller's mistake, said, not merged twice. */
static void test_merge_rejects_a_pair_twice(void)
{
    chorus_action a[] = {{1, 7, 0}, {2, 7, 10}, {1, 8, 100}, {2, 8, 105}};
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.keep_evidence = 1;
    chorus_copairs one, twice[2], out;
    CHECK_INT(chorus_copairs_compute(ctx, a, 4, &o, &one), CHORUS_OK);
    CHECK_INT(one.n, 1);
    twice[0] = twice[1] = one;
    CHECK_INT(chorus_copairs_merge(ctx, twice, 2, &out), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), "two shards") != NULL);
    CHECK(out.pairs == NULL && out.n == 0);
    o.shard = 3, o.shards = 3;
    CHECK_INT(chorus_copairs_compute(ctx, a, 4, &o, &out), CHORUS_EUSAGE);
    chorus_copairs_free(ctx, &one);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    RUN(test_in_time_order_as_out_of_order);
    RUN(test_shards_merge_as_whole);
    RUN(test_merge_rejects_a_pair_twice);
    chorus_ctx_free(ctx);
    TEST_END("test_copairs");
}
