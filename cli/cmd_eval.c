/*
 * cmd_eval.c - `chorus eval`: scores a coordination run against ground
 * truth (chorus simulate's truth_accounts.csv). Campaign accounts are the
 * positives; organic and benign-coordinated accounts the negatives. An
 * account is flagged when it is in a group (OUTDIR/accounts.csv).
 */
#include "cli.h"

#include <chorus/csv.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus eval --truth TRUTH_ACCOUNTS_CSV OUTDIR\n"
    "\n"
    "Reads OUTDIR/accounts.csv (written by chorus coord) and the truth file\n"
    "(account_id,campaign_id,strategy) and prints account-level precision,\n"
    "recall and F1 of the flagged accounts (those in a group), the share of\n"
    "benign-coordinated and organic accounts flagged, and the ROC AUC of the\n"
    "score (accounts not flagged score 0), then flagged / accounts for each\n"
    "strategy of the truth file (empty: organic).\n"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

typedef struct scored {
    char *id;
    double score;
} scored;

typedef struct labelled {
    double score;
    int positive;
} labelled;

static int cmp_id(const void *x, const void *y)
{
    return strcmp(((const scored *)x)->id, ((const scored *)y)->id);
}

static int cmp_score(const void *x, const void *y)
{
    double a = ((const labelled *)x)->score, b = ((const labelled *)y)->score;
    return a < b ? -1 : a > b;
}

static char *dup_str(chorus_str s)
{
    char *d = malloc(s.len + 1);
    if (d) {
        memcpy(d, s.ptr, s.len);
        d[s.len] = 0;
    }
    return d;
}

/* Reads CSV column 0 and the named score column of accounts.csv. */
static int read_scores(chorus_ctx *ctx, const char *path, scored **out, size_t *n)
{
    chorus_csv *r;
    int has, col = -1;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (chorus_csv_open(ctx, path, &r))
        return -1;
    while (!chorus_csv_next(r, &has) && has) {
        if (col < 0) { /* the header */
            for (size_t i = 0; i < chorus_csv_nfields(r); i++) {
                chorus_str f = chorus_csv_get(r, i);
                if (f.len == 5 && memcmp(f.ptr, "score", 5) == 0)
                    col = (int)i;
            }
            if (col < 0)
                break;
            continue;
        }
        if ((size_t)col >= chorus_csv_nfields(r))
            continue;
        if (*n == cap && !(*out = realloc(*out, (cap = cap * 2 + 64) * sizeof **out)))
            break;
        chorus_str id = chorus_csv_get(r, 0);
        char *num = dup_str(chorus_csv_get(r, (size_t)col));
        /* Undo the formula neutralisation chorus applies to its CSV cells. */
        int neutralised = id.len > 1 && id.ptr[0] == '\'' && strchr("=+-@\t\r", id.ptr[1]);
        (*out)[*n].id = dup_str(neutralised ? (chorus_str){id.ptr + 1, id.len - 1} : id);
        (*out)[(*n)++].score = num ? atof(num) : 0.0;
        free(num);
    }
    int bad = chorus_errcode(ctx) != CHORUS_OK || col < 0;
    if (col < 0 && !chorus_errcode(ctx))
        cli_error("%s: no score column", path);
    chorus_csv_close(r);
    if (*n) /* qsort wants a real array even for none */
        qsort(*out, *n, sizeof **out, cmp_id);
    return bad ? -1 : 0;
}

/* Per-strategy counts: a few names in a truth file; the rest are "other". */
#define MAX_STRATS 32
#define STRAT_NAME 48

typedef struct strat_count {
    char name[STRAT_NAME];
    size_t accounts, flagged;
} strat_count;

typedef struct tally {
    size_t pos, neg, benign, tp, fp, benign_flagged, organic_flagged;
    labelled *all;
    size_t n, cap;
    strat_count strat[MAX_STRATS];
    size_t n_strat;
} tally;

static strat_count *strat_find(tally *t, const char *name)
{
    for (size_t i = 0; i < t->n_strat; i++)
        if (!strcmp(t->strat[i].name, name))
            return &t->strat[i];
    return NULL;
}

/* The slot of strategy s (empty: organic), added when new; the last
 * slot is "other", for the names past it. Control bytes print as '?'. */
static strat_count *strat_slot(tally *t, chorus_str s)
{
    char name[STRAT_NAME];
    size_t k = s.len < STRAT_NAME - 1 ? s.len : STRAT_NAME - 1;
    if (!s.len)
        k = strlen(strcpy(name, "organic"));
    else
        for (size_t i = 0; i < k; i++)
            name[i] = (unsigned char)s.ptr[i] < 0x20 || s.ptr[i] == 0x7f ? '?' : s.ptr[i];
    name[k] = 0;
    strat_count *c = strat_find(t, name);
    if (c)
        return c;
    if (t->n_strat >= MAX_STRATS - 1) {
        if ((c = strat_find(t, "other")))
            return c;
        k = strlen(strcpy(name, "other"));
    }
    c = &t->strat[t->n_strat++];
    memcpy(c->name, name, k + 1);
    return c;
}

static double score_of(const scored *s, size_t n, chorus_str id, int *found)
{
    char *key = dup_str(id);
    scored probe = {key, 0};
    const scored *hit = key ? bsearch(&probe, s, n, sizeof *s, cmp_id) : NULL;
    free(key);
    *found = hit != NULL;
    return hit ? hit->score : 0.0;
}

static int count_truth(chorus_ctx *ctx, const char *path, const scored *s, size_t n, tally *t)
{
    chorus_csv *r;
    int has, header = 1;
    if (chorus_csv_open(ctx, path, &r))
        return -1;
    while (!chorus_csv_next(r, &has) && has) {
        if (header || chorus_csv_nfields(r) < 3) {
            header = 0;
            continue;
        }
        chorus_str camp = chorus_csv_get(r, 1), strat = chorus_csv_get(r, 2);
        int found, positive = camp.len > 0, benign = strat.len >= 7 && !memcmp(strat.ptr, "benign:", 7);
        double score = score_of(s, n, chorus_csv_get(r, 0), &found);
        t->pos += positive;
        t->neg += !positive;
        t->benign += benign;
        t->tp += positive && found;
        t->fp += !positive && found;
        t->benign_flagged += benign && found;
        t->organic_flagged += !positive && !benign && found;
        strat_count *c = strat_slot(t, strat);
        c->accounts++;
        c->flagged += found;
        if (t->n == t->cap && !(t->all = realloc(t->all, (t->cap = t->cap * 2 + 256) * sizeof *t->all)))
            break;
        t->all[t->n++] = (labelled){score, positive};
    }
    int bad = chorus_errcode(ctx) != CHORUS_OK || !t->all;
    chorus_csv_close(r);
    return bad ? -1 : 0;
}

/* Mann-Whitney: the probability that a positive outscores a negative, ties half. */
static double roc_auc(tally *t)
{
    qsort(t->all, t->n, sizeof *t->all, cmp_score);
    double rank_sum = 0;
    for (size_t i = 0; i < t->n;) {
        size_t j = i;
        while (j < t->n && t->all[j].score == t->all[i].score)
            j++;
        double mid = (double)(i + j + 1) / 2.0; /* 1-based average rank of the tie */
        for (size_t k = i; k < j; k++)
            rank_sum += t->all[k].positive ? mid : 0;
        i = j;
    }
    if (!t->pos || !t->neg)
        return 0.5;
    return (rank_sum - (double)t->pos * (t->pos + 1) / 2.0) / ((double)t->pos * t->neg);
}

static int cmp_strat(const void *x, const void *y)
{
    const strat_count *a = x, *b = y; /* names, then other, then organic */
    int ao = !strcmp(a->name, "organic") * 2 + !strcmp(a->name, "other");
    int bo = !strcmp(b->name, "organic") * 2 + !strcmp(b->name, "other");
    return ao != bo ? ao - bo : strcmp(a->name, b->name);
}

/* Flagged / accounts per truth strategy, by name, other and organic last. */
static void report_strategies(tally *t)
{
    qsort(t->strat, t->n_strat, sizeof *t->strat, cmp_strat);
    printf("by strategy     flagged / accounts\n");
    for (size_t i = 0; i < t->n_strat; i++)
        printf("  %-26s %zu / %zu\n", t->strat[i].name, t->strat[i].flagged, t->strat[i].accounts);
}

static void report(tally *t)
{
    size_t flagged = t->tp + t->fp;
    double p = flagged ? (double)t->tp / flagged : 0, r = t->pos ? (double)t->tp / t->pos : 0;
    double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    size_t organic = t->neg - t->benign;
    printf("accounts        %zu (campaign %zu, benign-coordinated %zu, organic %zu)\n", t->n, t->pos,
           t->benign, organic);
    printf("flagged         %zu (true positives %zu)\n", flagged, t->tp);
    printf("precision       %.3f\nrecall          %.3f\nF1              %.3f\n", p, r, f1);
    printf("benign flagged  %.1f%%\norganic flagged %.2f%%\n",
           t->benign ? 100.0 * t->benign_flagged / t->benign : 0.0,
           organic ? 100.0 * t->organic_flagged / organic : 0.0);
    printf("ROC AUC         %.3f (score)\n", roc_auc(t));
    report_strategies(t);
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"truth", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *truth = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 't')
            truth = optarg;
        else if (opt == 'h')
            return fputs(usage, stdout), EXIT_OK;
        else
            return fputs("Try 'chorus eval --help'.\n", stderr), EXIT_INPUT;
    }
    if (!truth || optind != argc - 1) {
        cli_error("eval: give --truth FILE and one OUTDIR (try 'chorus eval --help')");
        return EXIT_INPUT;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/accounts.csv", argv[optind]);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    scored *s = NULL;
    size_t n = 0;
    tally t = {0};
    int bad = !ctx || read_scores(ctx, path, &s, &n) || count_truth(ctx, truth, s, n, &t);
    if (bad && ctx && chorus_errcode(ctx))
        cli_error("%s", chorus_errmsg(ctx));
    if (!bad)
        report(&t);
    for (size_t i = 0; i < n; i++)
        free(s[i].id);
    free(s);
    free(t.all);
    chorus_ctx_free(ctx);
    return bad ? EXIT_INPUT : EXIT_OK;
}
