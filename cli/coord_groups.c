/*
 * coord_groups.c - the last step of `chorus coord`: groups of accounts
 * (chorus_groups over the network's edges, weighted by shared objects)
 * and per-account evidence, written to groups.csv and accounts.csv.
 * docs/coordination.md defines the score and every column.
 */
#include "cli.h"

#include <chorus/actions.h>
#include <chorus/attach.h>
#include <chorus/coord.h>
#include <chorus/graph.h>
#include <chorus/output.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIGNALS 16
#define TOP 3 /* objects and pairs listed per group */

/* Per account, summed over its edges (one per pair and signal). */
typedef struct acc_sum {
    uint32_t edges;     /* pair-signal edges */
    uint64_t strength;  /* shared objects over those edges */
    double score;       /* -log10 p summed (capped at 300 an edge); raw mode: strength */
    uint32_t signals;   /* bit per signal name */
    uint32_t sig_edges[MAX_SIGNALS];    /* degree per signal */
    uint64_t sig_strength[MAX_SIGNALS]; /* strength per signal */
    uint32_t client[TOP], client_posts[TOP]; /* its most used clients (string ids) */
    const chorus_attached *att; /* attached to its group, not by edges (else NULL) */
} acc_sum;

typedef struct grp_sum {
    uint32_t accounts, edges, signals;
    uint32_t attached; /* of its accounts, those attached (chorus_attach_accounts) */
    uint64_t strength;
    int64_t first, last;
    uint32_t month_top, month_count; /* most common creation month (y*12+m) and its accounts */
    uint32_t client_top, client_posts, posts; /* most common client (string id), its posts, all posts */
    uint32_t top_obj[TOP], top_obj_acc[TOP]; /* objects most group accounts co-acted on */
    uint64_t top_obj_co[TOP];                /* and the co-action ends on them */
    size_t top_edge[TOP];                    /* strongest edges: lowest p, most objects */
    uint32_t n_top_obj, n_top_edge;
    double median_delay_s;                   /* lower median of the edges' median delays */
} grp_sum;

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Whether edge x is stronger evidence than y: lower p-value, then more objects. */
static int stronger(const chorus_graph_edge *x, const chorus_graph_edge *y)
{
    if (x->p_value != y->p_value)
        return x->p_value < y->p_value;
    return x->objects > y->objects;
}

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
        uint32_t acc = chorus_corpus_post_account(c, i), client = chorus_corpus_post_client(c, i);
        if (group[acc] != UINT32_MAX && client != UINT32_MAX)
            keys[n++] = (uint64_t)group[acc] << 32 | client;
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
        int sig = signal_bit(names, n_names, e[i].signal);
        uint32_t bit = 1u << sig;
        double s = raw ? (double)e[i].objects
                       : (e[i].p_value > 0 ? fmin(300.0, -log10(e[i].p_value)) : 300.0);
        uint32_t ends[2] = {e[i].a, e[i].b};
        for (int k = 0; k < 2; k++) {
            acc_sum *a = &acc[ends[k]];
            a->edges++;
            a->strength += e[i].objects;
            a->score += s;
            a->signals |= bit;
            a->sig_edges[sig]++;
            a->sig_strength[sig] += e[i].objects;
        }
        grp_sum *g = &grp[group[e[i].a]];
        g->edges++;
        g->strength += e[i].objects;
        g->signals |= bit;
        g->first = g->edges == 1 || e[i].first_ms < g->first ? e[i].first_ms : g->first;
        g->last = g->edges == 1 || e[i].last_ms > g->last ? e[i].last_ms : g->last;
    }
}

/* Whether object (acc, co) ranks above g's t-th top object: more accounts,
 * then more co-action ends (ties: the first seen stays ahead). */
static int above(const grp_sum *g, uint32_t t, uint32_t acc, uint64_t co)
{
    return acc > g->top_obj_acc[t] || (acc == g->top_obj_acc[t] && co > g->top_obj_co[t]);
}

/* Puts object o (acc accounts, co co-action ends) into g's top list, best first. */
static void top_object(grp_sum *g, uint32_t o, uint32_t acc, uint64_t co)
{
    uint32_t i = g->n_top_obj < TOP ? g->n_top_obj++ : TOP;
    if (i == TOP) {
        if (!above(g, TOP - 1, acc, co))
            return;
        i = TOP - 1;
    }
    for (; i > 0 && above(g, i - 1, acc, co); i--) {
        g->top_obj[i] = g->top_obj[i - 1];
        g->top_obj_acc[i] = g->top_obj_acc[i - 1];
        g->top_obj_co[i] = g->top_obj_co[i - 1];
    }
    g->top_obj[i] = o, g->top_obj_acc[i] = acc, g->top_obj_co[i] = co;
}

/* Puts edge i into g's strongest edges, best first. */
static void top_edge(grp_sum *g, const chorus_graph_edge *e, size_t i)
{
    uint32_t t = g->n_top_edge < TOP ? g->n_top_edge++ : TOP;
    if (t == TOP) {
        if (!stronger(&e[i], &e[g->top_edge[TOP - 1]]))
            return;
        t = TOP - 1;
    }
    for (; t > 0 && stronger(&e[i], &e[g->top_edge[t - 1]]); t--)
        g->top_edge[t] = g->top_edge[t - 1];
    g->top_edge[t] = i;
}

/* Per group, the objects its accounts co-acted on: for each object in id
 * order, its ends counted per group (accounts per group object, co-action
 * ends), and offered to the group's top list. */
typedef struct gcount {
    uint32_t object;   /* the object these counts are for (UINT32_MAX: none yet) */
    uint32_t accounts; /* distinct accounts of the group on it */
    uint64_t ends;     /* co-action ends of the group on it */
} gcount;

/* The ends of net's co-actions by grouped accounts, by object: a counting
 * sort of their accounts into *acc, object o's at start[o] .. start[o + 1]. */
static int ends_by_object(const coord_net *net, const uint32_t *group, uint32_t n_obj,
                          size_t *start, uint32_t **acc)
{
    for (size_t k = 0; k < net->parts; k++)
        for (size_t i = 0; i < net->n_co[k]; i++) {
            const coord_coaction *e = &net->co[k][i];
            start[e->object + 1] += (group[e->a] != UINT32_MAX) + (group[e->b] != UINT32_MAX);
        }
    for (uint32_t o = 0; o < n_obj; o++)
        start[o + 1] += start[o];
    size_t m = start[n_obj];
    if (!(*acc = malloc((m ? m : 1) * sizeof **acc)))
        return -1;
    for (size_t k = 0; k < net->parts; k++)
        for (size_t i = 0; i < net->n_co[k]; i++) {
            const coord_coaction *e = &net->co[k][i];
            if (group[e->a] != UINT32_MAX)
                (*acc)[start[e->object]++] = e->a;
            if (group[e->b] != UINT32_MAX)
                (*acc)[start[e->object]++] = e->b;
        }
    for (uint32_t o = n_obj; o > 0; o--) /* back to where each object begins */
        start[o] = start[o - 1];
    start[0] = 0;
    return 0;
}

/* Each group's top objects, by the distinct group accounts that co-acted
 * on them, then by their co-action ends (ties: the lower object id): the
 * ends sorted by object, an account counted once an object (seen[acc]). */
static int group_objects(const coord_net *net, const uint32_t *group, grp_sum *grp, uint32_t ng,
                         uint32_t n_acc)
{
    uint32_t n_obj = chorus_actions_objects(net->labels), *acc = NULL;
    size_t *start = calloc((size_t)n_obj + 1, sizeof *start);
    gcount *gc = malloc((ng ? ng : 1) * sizeof *gc);
    uint32_t *touched = malloc((ng ? ng : 1) * sizeof *touched);
    uint32_t *seen = malloc((n_acc ? n_acc : 1) * sizeof *seen);
    int bad = !start || !gc || !touched || !seen || ends_by_object(net, group, n_obj, start, &acc);
    for (uint32_t g = 0; !bad && g < ng; g++)
        gc[g].object = UINT32_MAX;
    for (uint32_t k = 0; !bad && k < n_acc; k++)
        seen[k] = UINT32_MAX;
    for (uint32_t obj = 0; !bad && obj < n_obj; obj++) {
        uint32_t nt = 0;
        for (size_t i = start[obj]; i < start[obj + 1]; i++) {
            uint32_t g = group[acc[i]];
            if (gc[g].object != obj)
                gc[g] = (gcount){obj, 0, 0}, touched[nt++] = g;
            gc[g].accounts += seen[acc[i]] != obj;
            seen[acc[i]] = obj;
            gc[g].ends++;
        }
        for (uint32_t t = 0; t < nt; t++)
            top_object(&grp[touched[t]], obj, gc[touched[t]].accounts, gc[touched[t]].ends);
    }
    free(acc), free(start), free(gc), free(touched), free(seen);
    return bad ? -1 : 0;
}

/* Each group's strongest edges (lowest p-value, then most objects) and the
 * lower median of its edges' median delays. */
static int group_edges(const chorus_graph_edge *e, size_t n, const uint32_t *group, grp_sum *grp,
                       uint32_t ng)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    size_t *start = calloc((size_t)ng + 1, sizeof *start), *fill = calloc((size_t)ng + 1, sizeof *fill);
    if (!d || !start || !fill)
        return free(d), free(start), free(fill), -1;
    for (size_t i = 0; i < n; i++) {
        start[group[e[i].a] + 1]++;
        top_edge(&grp[group[e[i].a]], e, i);
    }
    for (uint32_t g = 0; g < ng; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < n; i++)
        d[start[group[e[i].a]] + fill[group[e[i].a]]++] = e[i].median_delay_s;
    for (uint32_t g = 0; g < ng; g++) {
        size_t k = start[g + 1] - start[g];
        qsort(d + start[g], k, sizeof *d, cmp_double);
        grp[g].median_delay_s = k ? d[start[g] + (k - 1) / 2] : 0.0;
    }
    free(d), free(start), free(fill);
    return 0;
}

/* "signal: label (accounts)" for each top object, " | "-separated, as one cell. */
static void put_objects(FILE *f, const chorus_actions *net, const grp_sum *g)
{
    char cell[3 * 520];
    size_t len = 0;
    for (uint32_t t = 0; t < g->n_top_obj; t++) {
        chorus_str l = chorus_actions_label(net, g->top_obj[t]);
        int w = snprintf(cell + len, sizeof cell - len, "%s%.*s (%u)", t ? " | " : "",
                         (int)(l.len < 400 ? l.len : 400), l.ptr, g->top_obj_acc[t]);
        len += w > 0 && (size_t)w < sizeof cell - len ? (size_t)w : 0;
    }
    chorus_csv_field(f, cell, len, CHORUS_CSV_NEUTRALISE);
}

/* "a b signal objects p" for each strongest edge, " | "-separated. */
static void put_pairs(FILE *f, const chorus_corpus *c, const chorus_graph_edge *e, const grp_sum *g)
{
    char cell[3 * 240];
    size_t len = 0;
    for (uint32_t t = 0; t < g->n_top_edge; t++) {
        const chorus_graph_edge *x = &e[g->top_edge[t]];
        chorus_account_view va, vb;
        chorus_corpus_account(c, x->a, &va);
        chorus_corpus_account(c, x->b, &vb);
        int w = snprintf(cell + len, sizeof cell - len, "%s%.*s %.*s %s %u %.3g", t ? " | " : "",
                         (int)(va.id.len < 64 ? va.id.len : 64), va.id.ptr,
                         (int)(vb.id.len < 64 ? vb.id.len : 64), vb.id.ptr, x->signal, x->objects,
                         x->p_value);
        len += w > 0 && (size_t)w < sizeof cell - len ? (size_t)w : 0;
    }
    chorus_csv_field(f, cell, len, CHORUS_CSV_NEUTRALISE);
}

static void write_groups(FILE *f, const chorus_corpus *c, const grp_sum *grp, uint32_t ng,
                         const char **names, const chorus_actions *net, const chorus_graph_edge *e)
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
        fprintf(f, ",%.3f,%.3f,", s->posts ? (double)s->client_posts / s->posts : 0.0,
                s->median_delay_s);
        put_objects(f, net, s);
        fputc(',', f);
        put_pairs(f, c, e, s);
        fprintf(f, ",%u\n", s->attached);
    }
}

/* Each grouped account's most used clients: its posts counted by
 * (account, client) key, the top ones kept, most posts first. */
static int account_clients(const chorus_corpus *c, const uint32_t *group, acc_sum *acc)
{
    uint32_t np = chorus_corpus_post_count(c);
    uint64_t *keys = malloc(((size_t)np + 1) * sizeof *keys);
    if (!keys)
        return -1;
    size_t n = 0;
    for (uint32_t i = 0; i < np; i++) {
        uint32_t k = chorus_corpus_post_account(c, i), client = chorus_corpus_post_client(c, i);
        if (group[k] != UINT32_MAX && client != UINT32_MAX)
            keys[n++] = (uint64_t)k << 32 | client;
    }
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j] == keys[i])
            j++;
        acc_sum *a = &acc[keys[i] >> 32];
        uint32_t count = (uint32_t)(j - i), t = TOP;
        while (t > 0 && count > a->client_posts[t - 1]) {
            if (t < TOP)
                a->client[t] = a->client[t - 1], a->client_posts[t] = a->client_posts[t - 1];
            t--;
        }
        if (t < TOP)
            a->client[t] = (uint32_t)keys[i], a->client_posts[t] = count;
        i = j;
    }
    free(keys);
    return 0;
}

/* "name:value;..." per signal the account has, as one cell. */
static void put_per_signal(FILE *f, const char **names, const acc_sum *a, int strength)
{
    int first = 1;
    for (int i = 0; i < MAX_SIGNALS; i++)
        if (a->signals & (1u << i)) {
            fprintf(f, "%s%s:%" PRIu64, first ? "" : ";", names[i],
                    strength ? a->sig_strength[i] : (uint64_t)a->sig_edges[i]);
            first = 0;
        }
}

/* "client:posts;..." for the account's most used clients, as one cell. */
static void put_clients(FILE *f, const chorus_corpus *c, const acc_sum *a)
{
    char cell[TOP * 140];
    size_t len = 0;
    for (int t = 0; t < TOP && a->client_posts[t]; t++) {
        chorus_str name = chorus_corpus_string(c, a->client[t]);
        int w = snprintf(cell + len, sizeof cell - len, "%s%.*s:%u", t ? ";" : "",
                         (int)(name.len < 120 ? name.len : 120), name.ptr, a->client_posts[t]);
        len += w > 0 && (size_t)w < sizeof cell - len ? (size_t)w : 0;
    }
    chorus_csv_field(f, cell, len, CHORUS_CSV_NEUTRALISE);
}

static void write_account(FILE *f, const chorus_corpus *c, uint32_t k, uint32_t g, const acc_sum *a,
                          const char **names)
{
    chorus_account_view v;
    char created[32] = "";
    chorus_corpus_account(c, k, &v);
    if (v.created_ms != INT64_MIN)
        chorus_format_time_utc(v.created_ms, created);
    chorus_csv_field(f, v.id.ptr, v.id.len, CHORUS_CSV_NEUTRALISE);
    fprintf(f, ",%u,%.3f,%u,%" PRIu64 ",", g, a->score, a->edges, a->strength);
    put_signals(f, names, a->signals);
    fputc(',', f);
    put_per_signal(f, names, a, 0);
    fputc(',', f);
    put_per_signal(f, names, a, 1);
    fprintf(f, ",%u,%s,", v.n_posts, created);
    put_clients(f, c, a);
    fputc(',', f);
    chorus_csv_field(f, v.screen_name.ptr, v.screen_name.len, CHORUS_CSV_NEUTRALISE);
    if (a->att) {
        fprintf(f, ",%u,%.3g,%" PRIu64 ",%" PRIu64 ",", a->att->round, a->att->p_value,
                a->att->on_held, a->att->actions);
        chorus_csv_field(f, a->att->top.ptr, a->att->top.len, CHORUS_CSV_NEUTRALISE);
        fputc('\n', f);
    } else
        fputs(",,,,,\n", f);
}

/* accounts.csv: grouped accounts by group, then account index (a counting
 * sort: one pass over the accounts, whatever the number of groups). */
static int write_accounts(FILE *f, const chorus_corpus *c, const uint32_t *group, uint32_t ng,
                          const acc_sum *acc, const char **names)
{
    uint32_t n_acc = chorus_corpus_account_count(c);
    size_t *start = calloc((size_t)ng + 1, sizeof *start);
    uint32_t *order = malloc((n_acc ? n_acc : 1) * sizeof *order);
    if (!start || !order)
        return free(start), free(order), -1;
    for (uint32_t k = 0; k < n_acc; k++)
        if (group[k] != UINT32_MAX)
            start[group[k] + 1]++;
    for (uint32_t g = 0; g < ng; g++)
        start[g + 1] += start[g];
    for (uint32_t k = 0; k < n_acc; k++)
        if (group[k] != UINT32_MAX)
            order[start[group[k]]++] = k;
    for (size_t i = 0; i < (ng ? start[ng - 1] : 0); i++)
        write_account(f, c, order[i], group[order[i]], &acc[order[i]], names);
    free(start), free(order);
    return 0;
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
            rc = chorus_db_add_member(db, k, group[k], acc[k].score, acc[k].edges, acc[k].strength,
                                      acc[k].att);
    return rc;
}

/* The accounts attached to the groups (att->on, not in raw mode): their
 * groups into group, their tests into acc (pointing into res), counts into att. */
static chorus_rc attach(chorus_ctx *ctx, const chorus_corpus *c, coord_attach *att, int raw,
                        uint32_t *group, acc_sum *acc, chorus_attach_result *res)
{
    if (!att || !att->on || raw)
        return CHORUS_OK;
    chorus_rc rc = chorus_attach_accounts(ctx, c, &att->act, &att->opts, group, res);
    for (size_t i = 0; !rc && i < res->n; i++) {
        const chorus_attached *x = &res->accounts[i];
        acc[x->account].att = x;
        acc[x->account].score = x->p_value > 0 ? fmin(300.0, -log10(x->p_value)) : 300.0;
    }
    att->attached = res->n, att->rounds = res->rounds, att->held = res->held;
    return rc;
}

chorus_rc coord_write_groups(chorus_ctx *ctx, const chorus_corpus *c, const chorus_graph_edge *e,
                             size_t n, const coord_net *net, const char *outdir, cli_out files[2],
                             int raw, coord_attach *att, chorus_db *db)
{
    uint32_t n_acc = chorus_corpus_account_count(c), ng = 0;
    uint32_t *group = malloc((n_acc ? n_acc : 1) * sizeof *group);
    acc_sum *acc = calloc(n_acc ? n_acc : 1, sizeof *acc);
    chorus_attach_result res = {0};
    chorus_rc rc = group && acc ? compute(ctx, e, n, n_acc, group, &ng) : CHORUS_ENOMEM;
    if (!rc)
        rc = attach(ctx, c, att, raw, group, acc, &res);
    grp_sum *grp = rc ? NULL : calloc(ng ? ng : 1, sizeof *grp);
    const char *names[MAX_SIGNALS];
    int n_names = 0;
    if (!rc && grp) {
        for (uint32_t k = 0; k < n_acc; k++)
            if (group[k] != UINT32_MAX)
                grp[group[k]].accounts++, grp[group[k]].attached += acc[k].att != NULL;
        sum_edges(e, n, group, raw, acc, grp, names, &n_names);
        if (concentration(c, group, grp) || group_objects(net, group, grp, ng, n_acc) ||
            group_edges(e, n, group, grp, ng) || account_clients(c, group, acc))
            rc = CHORUS_ENOMEM;
        cli_out *gf = &files[0], *af = &files[1];
        int bad = cli_out_open(gf, outdir, "groups.csv",
                               "group_id,accounts,edges,strength,signals,first_time,last_time,"
                               "created_top_month,created_top_share,client_top,client_top_share,"
                               "median_delay_s,top_objects,top_pairs,attached\n") |
                  cli_out_open(af, outdir, "accounts.csv",
                               "account_id,group_id,score,edges,strength,signals,signal_edges,"
                               "signal_strength,posts,created_at,clients,screen_name,"
                               "attached_round,attached_p_value,attached_on_held,"
                               "attached_actions,attached_objects\n");
        if (gf->f)
            write_groups(gf->f, c, grp, ng, names, net->labels, e);
        if (af->f && write_accounts(af->f, c, group, ng, acc, names))
            rc = CHORUS_ENOMEM;
        bad |= cli_out_finish(gf) | cli_out_finish(af);
        if (bad)
            rc = rc ? rc : CHORUS_EIO;
        if (!rc && db && (rc = db_members(db, group, n_acc, acc)))
            cli_error("%s", chorus_errmsg(ctx));
    } else if (!rc)
        rc = CHORUS_ENOMEM;
    if (rc == CHORUS_ENOMEM)
        cli_error("out of memory");
    else if (rc && rc != CHORUS_EIO && !db)
        cli_error("%s", chorus_errmsg(ctx));
    chorus_attach_free(ctx, &res);
    free(group), free(acc), free(grp);
    return rc;
}
