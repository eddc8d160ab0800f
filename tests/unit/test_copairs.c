/*
 * test_copairs.c - the co-action kernel's paths that depend on the input's
 * layout: actions already in time order are sorted by object alone. The
 * kernel must give the same result, field by field and row by row, as on
 * the same actions out of time order (the general sort, checked against
 * brute force in test_coord.c).
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

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    RUN(test_in_time_order_as_out_of_order);
    chorus_ctx_free(ctx);
    TEST_END("test_copairs");
}
