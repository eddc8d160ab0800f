/*
 * test_groups.c - groups of accounts: components, Leiden splitting of
 * large components (two cliques joined by one edge), numbering by size,
 * parallel edges merged, accounts in no edge left out, determinism.
 */
#include "check.h"

#include <chorus/coord.h>

enum { NACC = 16 };

/* Two 5-cliques (accounts 0-4 and 5-9) joined by the edge 4-5, a separate
 * pair 12-13 given twice (parallel edges), and accounts 10, 11, 14, 15 alone. */
static size_t edges(uint32_t *a, uint32_t *b, double *w)
{
    size_t n = 0;
    for (uint32_t base = 0; base <= 5; base += 5)
        for (uint32_t i = 0; i < 5; i++)
            for (uint32_t j = i + 1; j < 5; j++)
                a[n] = base + i, b[n] = base + j, w[n++] = 3.0;
    a[n] = 4, b[n] = 5, w[n++] = 1.0;
    a[n] = 13, b[n] = 12, w[n++] = 1.0;
    a[n] = 12, b[n] = 13, w[n++] = 2.0;
    return n;
}

static void test_components_and_split(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    uint32_t a[32], b[32], g[NACC], g2[NACC], ng;
    double w[32];
    size_t n = edges(a, b, w);
    chorus_group_opts o;
    chorus_group_defaults(&o);
    CHECK_INT(chorus_groups(ctx, a, b, w, n, NACC, &o, g, &ng), CHORUS_OK);
    CHECK_INT(ng, 2); /* the joined cliques are one small component */
    CHECK_INT(g[0], 0);
    CHECK_INT(g[9], 0);
    CHECK_INT(g[12], 1);
    CHECK_INT(g[13], 1);
    CHECK_INT(g[10], UINT32_MAX);
    o.split_above = 3; /* now the 10-account component is split */
    CHECK_INT(chorus_groups(ctx, a, b, w, n, NACC, &o, g, &ng), CHORUS_OK);
    CHECK_INT(ng, 3);
    CHECK(g[0] == g[1] && g[1] == g[2] && g[2] == g[3] && g[3] == g[4]);
    CHECK(g[5] == g[6] && g[6] == g[7] && g[7] == g[8] && g[8] == g[9]);
    CHECK(g[0] != g[5]);
    CHECK_INT(g[0], 0); /* equal sizes: the group with the lowest account first */
    CHECK_INT(g[5], 1);
    CHECK_INT(g[12], 2); /* the pair is small: never split */
    CHECK_INT(chorus_groups(ctx, a, b, w, n, NACC, &o, g2, &ng), CHORUS_OK);
    CHECK(memcmp(g, g2, sizeof g) == 0);
    CHECK_INT(chorus_groups(ctx, a, b, w, 0, NACC, &o, g, &ng), CHORUS_OK);
    CHECK_INT(ng, 0);
    a[0] = 3, b[0] = 3;
    CHECK_INT(chorus_groups(ctx, a, b, w, 1, NACC, &o, g, &ng), CHORUS_EUSAGE);
    chorus_ctx_free(ctx);
}

int main(void)
{
    RUN(test_components_and_split);
    TEST_END("test_groups");
}
