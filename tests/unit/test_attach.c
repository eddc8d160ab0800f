/*
 * test_attach.c - accounts attached to groups (attach.h): the binomial
 * tail against a direct sum, and a small generic-object corpus where one
 * account joins a group in the first round, one in the second (through an
 * object held only once the first has joined), one joins the group that
 * holds most of its actions, and an echo of one held object stays out;
 * every out-of-memory point leaves the groups as they came.
 */
#include "check.h"

#include <chorus/attach.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

/* P(X >= k), X ~ Binomial(n, p), summed term by term in long double. */
static double direct_sf(unsigned k, unsigned n, double p)
{
    long double s = 0;
    for (unsigned j = k; j <= n; j++) {
        long double c = 1;
        for (unsigned i = 0; i < j; i++)
            c = c * (n - i) / (i + 1);
        s += c * powl(p, j) * powl(1 - p, n - j);
    }
    return (double)s;
}

static void test_binomial(void)
{
    static const double ps[] = {1e-4, 0.003, 0.1, 0.5, 0.9};
    for (unsigned n = 0; n <= 40; n++)
        for (unsigned k = 0; k <= n + 1; k++)
            for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
                double want = direct_sf(k, n, ps[i]), got = chorus_binomial_sf(k, n, ps[i]);
                if (fabs(got - want) > 1e-12 + 1e-9 * want) {
                    fprintf(stderr, "  k %u n %u p %g: %.17g, want %.17g\n", k, n, ps[i], got, want);
                    CHECK(0);
                    return;
                }
            }
    CHECK(chorus_binomial_sf(0, 5, 0.5) == 1.0);
    CHECK(chorus_binomial_sf(3, 5, 0.0) == 0.0);
    CHECK(chorus_binomial_sf(3, 5, 1.0) == 1.0);
    CHECK(chorus_binomial_sf(4000, 1000000, 1e-6) < 1e-300 || chorus_binomial_sf(4000, 1000000, 1e-6) == 0.0);
}

/* account,object rows of the corpus, one action each, a second apart. */
static void row(FILE *f, const char *account, const char *object, int *t)
{
    fprintf(f, "%s,%s,%d\n", account, object, 1600000000 + (*t)++);
}

/* Group 0: g0-g4 on H1-H4 and g0, g1 on L; group 1: k0-k3 on K1, K2.
 * T: H1, H2, H3, L and 5 objects of its own. V: L three times and 2 of
 * its own (L is held only once T counts as grouped). U: K1 and K2 twice
 * each, H1 once, 3 of its own. E: H4 once and 19 of its own. S: g2-g4
 * four times each and y0-y4 once each (3 accounts of 8, but 12 actions of
 * 17: held), the y also on 10 objects of their own. R: g0-g2 once each
 * and z four times (3 accounts of 4, held, though 3 actions of 7), z also
 * on 2 of its own. 60 others: 20 objects of their own each. */
static const char *write_corpus(void)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    FILE *f = fopen(path, "w");
    int t = 0;
    char a[32], o[32];
    fputs("account,object,time\n", f);
    for (int g = 0; g < 5; g++)
        for (int h = 1; h <= 4; h++)
            snprintf(a, sizeof a, "g%d", g), snprintf(o, sizeof o, "H%d", h), row(f, a, o, &t);
    row(f, "g0", "L", &t), row(f, "g1", "L", &t);
    for (int k = 0; k < 4; k++)
        snprintf(a, sizeof a, "k%d", k), row(f, a, "K1", &t), row(f, a, "K2", &t);
    const char *t_objs[] = {"H1", "H2", "H3", "L", "t1", "t2", "t3", "t4", "t5"};
    for (size_t i = 0; i < sizeof t_objs / sizeof *t_objs; i++)
        row(f, "T", t_objs[i], &t);
    const char *v_objs[] = {"L", "L", "L", "v1", "v2"};
    for (size_t i = 0; i < sizeof v_objs / sizeof *v_objs; i++)
        row(f, "V", v_objs[i], &t);
    const char *u_objs[] = {"K1", "K1", "K2", "K2", "H1", "u1", "u2", "u3"};
    for (size_t i = 0; i < sizeof u_objs / sizeof *u_objs; i++)
        row(f, "U", u_objs[i], &t);
    row(f, "E", "H4", &t);
    for (int i = 0; i < 19; i++)
        snprintf(o, sizeof o, "e%d", i), row(f, "E", o, &t);
    for (int y = 0; y < 5; y++) {
        snprintf(a, sizeof a, "y%d", y);
        row(f, a, "S", &t);
        for (int i = 0; i < 10; i++)
            snprintf(o, sizeof o, "y%d-%d", y, i), row(f, a, o, &t);
    }
    for (int g = 2; g < 5; g++)
        for (int i = 0; i < 4; i++)
            snprintf(a, sizeof a, "g%d", g), row(f, a, "S", &t);
    const char *z_objs[] = {"R", "R", "R", "R", "z1", "z2"};
    for (size_t i = 0; i < sizeof z_objs / sizeof *z_objs; i++)
        row(f, "z", z_objs[i], &t);
    row(f, "g0", "R", &t), row(f, "g1", "R", &t), row(f, "g2", "R", &t);
    for (int x = 0; x < 60; x++)
        for (int i = 0; i < 20; i++)
            snprintf(a, sizeof a, "x%d", x), snprintf(o, sizeof o, "x%d-%d", x, i), row(f, a, o, &t);
    fclose(f);
    return path;
}

static chorus_corpus *load(chorus_ctx *ctx, const char *path)
{
    char spec[] = "account=account,object=object,time=time";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts o = {CHORUS_FMT_CSV_MAP, &map, 0, 0};
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, &o, NULL), CHORUS_OK);
    return c;
}

/* The account index of id (UINT32_MAX when absent). */
static uint32_t account(const chorus_corpus *c, const char *id)
{
    for (uint32_t k = 0; k < chorus_corpus_account_count(c); k++) {
        chorus_account_view v;
        chorus_corpus_account(c, k, &v);
        if (v.id.len == strlen(id) && memcmp(v.id.ptr, id, v.id.len) == 0)
            return k;
    }
    return UINT32_MAX;
}

/* The groups given before attaching: g* in 0, k* in 1, the rest none. */
static void given_groups(const chorus_corpus *c, uint32_t *group)
{
    for (uint32_t k = 0; k < chorus_corpus_account_count(c); k++) {
        chorus_account_view v;
        chorus_corpus_account(c, k, &v);
        group[k] = v.id.len == 2 && v.id.ptr[0] == 'g' ? 0 : v.id.len == 2 && v.id.ptr[0] == 'k' ? 1 : UINT32_MAX;
    }
}

static const chorus_attached *find(const chorus_attach_result *r, uint32_t acc)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->accounts[i].account == acc)
            return &r->accounts[i];
    return NULL;
}

static void test_rounds(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = load(ctx, write_corpus());
    uint32_t n = chorus_corpus_account_count(c), *group = malloc(n * sizeof *group);
    given_groups(c, group);
    chorus_attach_result r;
    CHECK_INT(chorus_attach_accounts(ctx, c, NULL, NULL, group, &r), CHORUS_OK);
    CHECK_INT(r.n, 4);
    const chorus_attached *az = find(&r, account(c, "z"));
    CHECK(az && az->round == 1 && az->group == 0 && az->on_held == 4);
    const chorus_attached *at = find(&r, account(c, "T")), *av = find(&r, account(c, "V")),
                          *au = find(&r, account(c, "U"));
    CHECK(at && av && au && !find(&r, account(c, "E")));
    if (at && av && au) {
        CHECK_INT(at->round, 1); CHECK_INT(at->group, 0);
        CHECK_INT(at->on_held, 3); CHECK_INT(at->actions, 9);
        CHECK_INT(au->round, 1); CHECK_INT(au->group, 1);
        CHECK_INT(au->on_held, 5);
        CHECK_INT(av->round, 2); CHECK_INT(av->group, 0); CHECK_INT(av->on_held, 3);
        /* round 1: ungrouped accounts' actions on H1-H4, K1, K2, S, R over all theirs */
        double rate = (3.0 + 5 + 1 + 5 + 4) / (9 + 5 + 8 + 20 + 60 * 20 + 5 * 11 + 6);
        CHECK(fabs(at->base_rate - rate) < 1e-15);
        CHECK(fabs(at->p_value - chorus_binomial_sf(3, 9, rate)) < 1e-18);
        CHECK_STRN(au->top.ptr, au->top.len, "action:object: K1 (2) | action:object: K2 (2) | action:object: H1 (1)");
        CHECK_STRN(av->top.ptr, av->top.len, "action:object: L (3)");
    }
    CHECK_INT(r.rounds, 3); /* the third attaches nobody */
    CHECK_INT(r.held, 9);   /* H1-H4, K1, K2, L, S, R */
    CHECK_INT(group[account(c, "T")], 0);
    CHECK_INT(group[account(c, "V")], 0);
    CHECK_INT(group[account(c, "U")], 1);
    CHECK_INT(group[account(c, "E")], UINT32_MAX);
    chorus_attach_free(ctx, &r);
    chorus_attach_opts o;
    chorus_attach_defaults(&o);
    o.max_rounds = 1; /* V waits for T */
    given_groups(c, group);
    CHECK_INT(chorus_attach_accounts(ctx, c, NULL, &o, group, &r), CHORUS_OK);
    CHECK_INT(r.n, 3);
    CHECK_INT(group[account(c, "V")], UINT32_MAX);
    chorus_attach_free(ctx, &r);
    o.max_rounds = 10, o.min_share = 0.9; /* at most 5 of 6 (H2-H4), 4 of 5 (K1, K2), 12 of 17 (S), 3 of 4 (R) */
    given_groups(c, group);
    CHECK_INT(chorus_attach_accounts(ctx, c, NULL, &o, group, &r), CHORUS_OK);
    CHECK_INT(r.n, 0);
    CHECK_INT(r.held, 0);
    CHECK_INT(group[account(c, "T")], UINT32_MAX);
    chorus_attach_free(ctx, &r);
    free(group);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

/* An account whose p-value underflows to 0 is attached even when no other
 * p-value passes: g0-g4 hold H1, W acts on it 400 times (rate 400/6400,
 * P = 0.0625^400), 60 others on 100 objects of their own each. */
static void test_underflow(void)
{
    char path[128], a[32], o[32];
    snprintf(path, sizeof path, "%s/u.csv", dir);
    FILE *f = fopen(path, "w");
    int t = 0;
    fputs("account,object,time\n", f);
    for (int g = 0; g < 5; g++)
        snprintf(a, sizeof a, "g%d", g), row(f, a, "H1", &t);
    for (int i = 0; i < 400; i++)
        row(f, "W", "H1", &t);
    for (int x = 0; x < 60; x++)
        for (int i = 0; i < 100; i++)
            snprintf(a, sizeof a, "x%d", x), snprintf(o, sizeof o, "x%d-%d", x, i), row(f, a, o, &t);
    fclose(f);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = load(ctx, path);
    uint32_t n = chorus_corpus_account_count(c), *group = malloc(n * sizeof *group);
    given_groups(c, group);
    chorus_attach_result r;
    CHECK_INT(chorus_attach_accounts(ctx, c, NULL, NULL, group, &r), CHORUS_OK);
    CHECK_INT(r.n, 1);
    CHECK(r.n == 1 && r.accounts[0].p_value == 0.0 && r.accounts[0].on_held == 400);
    CHECK_INT(group[account(c, "W")], 0);
    chorus_attach_free(ctx, &r);
    free(group);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

/* Every allocation failure is CHORUS_ENOMEM with the groups untouched. */
static void test_out_of_memory(void)
{
    const char *path = write_corpus();
    for (long budget = 0;; budget++) {
        check_alloc_budget = 1000000;
        chorus_ctx *ctx = chorus_ctx_new(check_failing_alloc, NULL);
        chorus_corpus *c = load(ctx, path);
        uint32_t n = chorus_corpus_account_count(c), *group = malloc(n * sizeof *group);
        given_groups(c, group);
        chorus_attach_result r;
        check_alloc_budget = budget;
        chorus_rc rc = chorus_attach_accounts(ctx, c, NULL, NULL, group, &r);
        check_alloc_budget = 1000000;
        if (rc == CHORUS_OK) {
            CHECK_INT(r.n, 4);
            chorus_attach_free(ctx, &r);
        } else {
            CHECK_INT(rc, CHORUS_ENOMEM);
            uint32_t *want = malloc(n * sizeof *want);
            given_groups(c, want);
            CHECK(memcmp(group, want, n * sizeof *group) == 0);
            free(want);
        }
        free(group);
        chorus_corpus_free(c);
        chorus_ctx_free(ctx);
        if (rc == CHORUS_OK)
            break;
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/chorus-attach-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    RUN(test_binomial);
    RUN(test_rounds);
    RUN(test_underflow);
    RUN(test_out_of_memory);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 2;
    TEST_END("test_attach");
}
