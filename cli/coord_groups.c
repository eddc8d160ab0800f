/*
 * coord_groups.c - the last step of `chorus coord`: groups of accounts
 * (chorus_groups over the network's edges, weighted by shared objects)
 * and per-account evidence, written to groups.csv and accounts.csv.
 * docs/coordination.md defines the score and every column.
 */
#include "cli.h"

#include <chorus/coord.h>
#include <chorus/graph.h>
#include <chorus/output.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIGNALS 16

/* Per account, summed over its edges (one per pair and signal). */
typedef struct acc_sum {
    uint32_t edges;     /* pair-signal edges */
    uint64_t strength;  /* shared objects over those edges */
    double score;       /* -log10 p summed (capped at 300 an edge); raw mode: strength */
    uint32_t signals;   /* bit per signal name */
} acc_sum;

typedef struct grp_sum {
    uint32_t accounts, edges, signals;
    uint64_t strength;
    int64_t first, last;
    uint32_t month_top, month_count; /* most common creation month (y*12+m) and its accounts */
    uint32_t client_top, client_posts, posts; /* most common client (string id), its posts, all posts */
} grp_sum;

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* For each group, the most common value among keys (group << 32 | value),
 * and how many times it occurs; ties go to the smaller value. */
static void top_values(uint64_t *keys, size_t n, grp_sum *grp, int client)
{
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j] == keys[i])
            j++;
        grp_sum *g = &grp[keys[i] >> 32];
        uint32_t value = (uint32_t)keys[i], count = (uint32_t)(j - i);
        uint32_t *top = client ? &g->client_top : &g->month_top;
        uint32_t *best = client ? &g->client_posts : &g->month_count;
        if (count > *best)
            *top = value, *best = count;
        if (client)
            g->posts += count;
        i = j;
    }
}

/* Concentration of creation dates (by month) and of clients (by post):
 * accounts made in one burst and run through one tool are evidence. */
static int concentration(const chorus_corpus *c, const uint32_t *group, grp_sum *grp)
{
    uint32_t n_acc = chorus_corpus_account_count(c), np = chorus_corpus_post_count(c);
    uint64_t *keys = malloc(((size_t)(n_acc > np ? n_acc : np) + 1) * sizeof *keys);
    if (!keys)
        return -1;
    size_t n = 0;
    for (uint32_t k = 0; k < n_acc; k++) {
        chorus_account_view v;
        chorus_corpus_account(c, k, &v);
        if (group[k] == UINT32_MAX || v.created_ms == INT64_MIN)
            continue;
        char iso[32];
        chorus_format_time_utc(v.created_ms, iso);
        uint32_t month = (uint32_t)(atoi(iso) * 12 + atoi(iso + 5) - 1);
        keys[n++] = (uint64_t)group[k] << 32 | month;
    }
    top_values(keys, n, grp, 0);
    n = 0;
    for (uint32_t i = 0; i < np; i++) {
        chorus_post_view v;
        chorus_corpus_post(c, i, &v);
        if (group[v.account] != UINT32_MAX && v.client_sid != UINT32_MAX)
            keys[n++] = (uint64_t)group[v.account] << 32 | v.client_sid;
    }
    top_values(keys, n, grp, 1);
    free(keys);
    return 0;
}

/* Index of the signal name among the distinct names seen (pointer identity). */
static int signal_bit(const char **names, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (names[i] == s)
            return i;
    if (*n == MAX_SIGNALS)
        return MAX_SIGNALS - 1;
    names[*n] = s;
    return (*n)++;
}

static void put_signals(FILE *f, const char **names, uint32_t bits)
{
    int first = 1;
    for (int i = 0; i < MAX_SIGNALS; i++)
        if (bits & (1u << i)) {
            fputs(first ? "" : ";", f);
            fputs(names[i], f);
            first = 0;
        }
}

static void sum_edges(const chorus_graph_edge *e, size_t n, const uint32_t *group, int raw,
                      acc_sum *acc, grp_sum *grp, const char **names, int *n_names)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t bit = 1u << signal_bit(names, n_names, e[i].signal);
        double s = raw ? (double)e[i].objects
                       : (e[i].p_value > 0 ? fmin(300.0, -log10(e[i].p_value)) : 300.0);
        uint32_t ends[2] = {e[i].a, e[i].b};
        for (int k = 0; k < 2; k++) {
            acc_sum *a = &acc[ends[k]];
            a->edges++;
            a->strength += e[i].objects;
            a->score += s;
            a->signals |= bit;
        }
        grp_sum *g = &grp[group[e[i].a]];
        g->edges++;
        g->strength += e[i].objects;
        g->signals |= bit;
        g->first = g->edges == 1 || e[i].first_ms < g->first ? e[i].first_ms : g->first;
        g->last = g->edges == 1 || e[i].last_ms > g->last ? e[i].last_ms : g->last;
    }
}

static void write_groups(FILE *f, const chorus_corpus *c, const grp_sum *grp, uint32_t ng,
                         const char **names)
{
    for (uint32_t g = 0; g < ng; g++) {
        const grp_sum *s = &grp[g];
        char t1[32], t2[32];
        chorus_format_time_utc(s->first, t1);
        chorus_format_time_utc(s->last, t2);
        fprintf(f, "%u,%u,%u,%" PRIu64 ",", g, s->accounts, s->edges, s->strength);
        put_signals(f, names, s->signals);
        fprintf(f, ",%s,%s,", t1, t2);
        if (s->month_count)
            fprintf(f, "%04u-%02u,%.3f,", s->month_top / 12, s->month_top % 12 + 1,
                    (double)s->month_count / s->accounts);
        else
            fputs(",,", f);
        chorus_str client = chorus_corpus_string(c, s->client_top);
        if (s->posts)
            chorus_csv_field(f, client.ptr, client.len, CHORUS_CSV_NEUTRALISE);
        fprintf(f, ",%.3f\n", s->posts ? (double)s->client_posts / s->posts : 0.0);
    }
}

static void write_accounts(FILE *f, const chorus_corpus *c, const uint32_t *group, uint32_t ng,
                           const acc_sum *acc, const char **names)
{
    uint32_t n_acc = chorus_corpus_account_count(c);
    for (uint32_t g = 0; g < ng; g++)
        for (uint32_t k = 0; k < n_acc; k++) {
            if (group[k] != g)
                continue;
            chorus_account_view v;
            char created[32] = "";
            chorus_corpus_account(c, k, &v);
            if (v.created_ms != INT64_MIN)
                chorus_format_time_utc(v.created_ms, created);
            chorus_csv_field(f, v.id.ptr, v.id.len, CHORUS_CSV_NEUTRALISE);
            fprintf(f, ",%u,%.3f,%u,%" PRIu64 ",", g, acc[k].score, acc[k].edges, acc[k].strength);
            put_signals(f, names, acc[k].signals);
            fprintf(f, ",%u,%s,", v.n_posts, created);
            chorus_csv_field(f, v.screen_name.ptr, v.screen_name.len, CHORUS_CSV_NEUTRALISE);
            fputc('\n', f);
        }
}

static chorus_rc compute(chorus_ctx *ctx, const chorus_graph_edge *e, size_t n, uint32_t n_acc,
                         uint32_t *group, uint32_t *ng)
{
    uint32_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    double *w = malloc((n ? n : 1) * sizeof *w);
    chorus_rc rc = a && b && w ? CHORUS_OK : CHORUS_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++)
        a[i] = e[i].a, b[i] = e[i].b, w[i] = e[i].objects;
    if (!rc)
        rc = chorus_groups(ctx, a, b, w, n, n_acc, NULL, group, ng);
    free(a), free(b), free(w);
    return rc;
}

/* Group members into the database, account order. */
static chorus_rc db_members(chorus_db *db, const uint32_t *group, uint32_t n_acc, const acc_sum *acc)
{
    chorus_rc rc = CHORUS_OK;
    for (uint32_t k = 0; !rc && k < n_acc; k++)
        if (group[k] != UINT32_MAX)
            rc = chorus_db_add_member(db, k, group[k], acc[k].score, acc[k].edges, acc[k].strength);
    return rc;
}

chorus_rc coord_write_groups(chorus_ctx *ctx, const chorus_corpus *c, const chorus_graph_edge *e,
                             size_t n, const char *outdir, int raw, chorus_db *db)
{
    uint32_t n_acc = chorus_corpus_account_count(c), ng = 0;
    uint32_t *group = malloc((n_acc ? n_acc : 1) * sizeof *group);
    acc_sum *acc = calloc(n_acc ? n_acc : 1, sizeof *acc);
    chorus_rc rc = group && acc ? compute(ctx, e, n, n_acc, group, &ng) : CHORUS_ENOMEM;
    grp_sum *grp = rc ? NULL : calloc(ng ? ng : 1, sizeof *grp);
    const char *names[MAX_SIGNALS];
    int n_names = 0;
    if (!rc && grp) {
        for (uint32_t k = 0; k < n_acc; k++)
            if (group[k] != UINT32_MAX)
                grp[group[k]].accounts++;
        sum_edges(e, n, group, raw, acc, grp, names, &n_names);
        if (concentration(c, group, grp))
            rc = CHORUS_ENOMEM;
        FILE *gf = cli_open_csv(outdir, "groups.csv",
                                "group_id,accounts,edges,strength,signals,first_time,last_time,"
                                "created_top_month,created_top_share,client_top,client_top_share\n");
        FILE *af = cli_open_csv(outdir, "accounts.csv", "account_id,group_id,score,edges,strength,signals,posts,created_at,screen_name\n");
        if (gf)
            write_groups(gf, c, grp, ng, names);
        if (af)
            write_accounts(af, c, group, ng, acc, names);
        int bad = !gf || !af;
        bad |= gf && fclose(gf) != 0;
        bad |= af && fclose(af) != 0;
        if (bad)
            rc = CHORUS_EIO;
        if (!rc && db && (rc = db_members(db, group, n_acc, acc)))
            cli_error("%s", chorus_errmsg(ctx));
    } else if (!rc)
        rc = CHORUS_ENOMEM;
    if (rc == CHORUS_ENOMEM)
        cli_error("out of memory");
    else if (rc && rc != CHORUS_EIO && !db)
        cli_error("%s", chorus_errmsg(ctx));
    free(group), free(acc), free(grp);
    return rc;
}
