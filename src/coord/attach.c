/*
 * attach.c - accounts attached to the groups (see attach.h): every item
 * signal's (object, account) incidences in one table sorted by object, the
 * objects the groups hold, and a binomial test of each ungrouped account's
 * actions on them, repeated while accounts attach. Pair tests need two
 * accounts to meet twice; this needs one account to keep meeting a group.
 */
#include <chorus/attach.h>

#include "core/ctx.h"
#include "core/radix_sort.h"
#include "fdr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 16              /* generic object columns read */
#define MAX_SETS (5 + MAX_COLUMNS)
#define TOP 3                       /* held objects named per attached account */
#define NONE UINT32_MAX

void chorus_attach_defaults(chorus_attach_opts *o)
{
    o->min_members = 3;
    o->min_share = 0.5;
    o->fdr = 0.01;
    o->max_rounds = 10;
}

double chorus_binomial_sf(uint64_t k, uint64_t n, double p)
{
    if (k == 0)
        return 1.0;
    if (k > n || p <= 0.0)
        return 0.0;
    if (p >= 1.0)
        return 1.0;
    double kd = (double)k, nd = (double)n, q = 1.0 - p;
    if (kd > nd * p) { /* the upper tail from its largest term down */
        double log_pmf = lgamma(nd + 1) - lgamma(kd + 1) - lgamma(nd - kd + 1) + kd * log(p) +
                         (nd - kd) * log1p(-p);
        double sum = 1.0, term = 1.0;
        for (uint64_t j = k; j < n && term > 1e-17 * sum; j++) {
            term *= (nd - (double)j) / ((double)j + 1) * p / q;
            sum += term;
        }
        double s = exp(log_pmf) * sum;
        return s > 1.0 ? 1.0 : s;
    }
    double cdf = 0.0; /* k <= mean: one minus the lower tail */
    for (uint64_t i = 0; i < k; i++)
        cdf += exp(lgamma(nd + 1) - lgamma((double)i + 1) - lgamma(nd - (double)i + 1) +
                   (double)i * log(p) + (nd - (double)i) * log1p(-p));
    return cdf >= 1.0 ? 0.0 : 1.0 - cdf;
}

/* Every item signal's incidences: object o's accounts are user[start[o] ..
 * start[o + 1]), each with its actions on o; objects are numbered set by
 * set from base[s]. */
typedef struct table {
    chorus_actions *set[MAX_SETS];
    char name[MAX_SETS][64];
    uint32_t base[MAX_SETS + 1];
    size_t n_sets;
    uint32_t n_obj, n_acc;
    size_t *start;
    uint32_t *user, *count;
    size_t n_inc;
    uint64_t *actions; /* per account, on every set */
} table;

static chorus_rc read_sets(chorus_ctx *ctx, const chorus_corpus *c, const chorus_action_opts *act,
                           table *t)
{
    static const chorus_signal sig[] = {CHORUS_SIG_RETWEET, CHORUS_SIG_REPLY, CHORUS_SIG_LINK,
                                        CHORUS_SIG_LINK, CHORUS_SIG_HASHTAGS};
    uint32_t columns = chorus_corpus_object_columns(c);
    columns = columns < MAX_COLUMNS ? columns : MAX_COLUMNS;
    uint64_t objects = 0;
    chorus_rc rc = CHORUS_OK;
    for (size_t s = 0; !rc && s < 5 + columns; s++) {
        chorus_action_opts o;
        if (act)
            o = *act;
        else
            chorus_action_defaults(&o);
        o.link_domain = s == 3;
        o.object_column = s < 5 ? 0 : (uint32_t)(s - 5);
        rc = chorus_actions_build(ctx, c, s < 5 ? sig[s] : CHORUS_SIG_ACTION, &o, &t->set[s]);
        if (rc)
            break;
        if (s < 5)
            snprintf(t->name[s], sizeof t->name[s], "%s", s == 3 ? "domain" : chorus_signal_name(sig[s]));
        else
            snprintf(t->name[s], sizeof t->name[s], "action:%s",
                     chorus_corpus_object_column_name(c, (uint32_t)(s - 5)));
        t->base[s] = (uint32_t)objects;
        objects += chorus_actions_objects(t->set[s]);
        t->n_sets = s + 1;
        if (objects >= NONE)
            rc = ch_error(ctx, CHORUS_ELIMIT, "attach: more than 2^32 objects");
    }
    t->base[t->n_sets] = (uint32_t)objects;
    t->n_obj = (uint32_t)objects;
    return rc;
}

/* Sorted (object << 32 | account) keys of every action, and each
 * account's action count. */
static chorus_rc sorted_keys(chorus_ctx *ctx, table *t, uint64_t **keys, size_t *n)
{
    size_t total = 0, len;
    for (size_t s = 0; s < t->n_sets; s++)
        chorus_actions_data(t->set[s], &len), total += len;
    *keys = ch_alloc(ctx, (total ? total : 1) * sizeof **keys);
    t->actions = ch_calloc(ctx, (t->n_acc ? t->n_acc : 1) * sizeof *t->actions);
    if (!*keys || !t->actions)
        return ch_nomem(ctx);
    size_t k = 0;
    for (size_t s = 0; s < t->n_sets; s++) {
        const chorus_action *a = chorus_actions_data(t->set[s], &len);
        for (size_t i = 0; i < len; i++, k++) {
            (*keys)[k] = (uint64_t)(t->base[s] + a[i].object) << 32 | a[i].account;
            t->actions[a[i].account]++;
        }
    }
    *n = total;
    return ch_radix_sort_u64(ctx, *keys, NULL, total);
}

/* The table by object from the sorted keys (equal keys: one incidence). */
static chorus_rc build_table(chorus_ctx *ctx, table *t, const uint64_t *keys, size_t n)
{
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || keys[i] != keys[i - 1];
    t->start = ch_calloc(ctx, ((size_t)t->n_obj + 1) * sizeof *t->start);
    t->user = ch_alloc(ctx, (distinct ? distinct : 1) * sizeof *t->user);
    t->count = ch_alloc(ctx, (distinct ? distinct : 1) * sizeof *t->count);
    if (!t->start || !t->user || !t->count)
        return ch_nomem(ctx);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && keys[i] == keys[i - 1]) {
            t->count[m - 1]++;
            continue;
        }
        t->start[(keys[i] >> 32) + 1]++;
        t->user[m] = (uint32_t)keys[i];
        t->count[m++] = 1;
    }
    for (uint32_t o = 0; o < t->n_obj; o++)
        t->start[o + 1] += t->start[o];
    t->n_inc = distinct;
    return CHORUS_OK;
}

static void table_free(chorus_ctx *ctx, table *t)
{
    for (size_t s = 0; s < t->n_sets; s++)
        chorus_actions_free(t->set[s]);
    ch_free(ctx, t->start, ((size_t)t->n_obj + 1) * sizeof *t->start);
    ch_free(ctx, t->user, (t->n_inc ? t->n_inc : 1) * sizeof *t->user);
    ch_free(ctx, t->count, (t->n_inc ? t->n_inc : 1) * sizeof *t->count);
    ch_free(ctx, t->actions, (t->n_acc ? t->n_acc : 1) * sizeof *t->actions);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* The group holding object o (NONE when none does): the group with most
 * accounts on it (ties: the lowest number), when at least min_members
 * grouped accounts act on it and they are at least min_share of its
 * accounts or make at least min_share of its actions (a shortener that
 * the group's link pushers post all day is theirs even when as many slow
 * members post it once or twice). buf has room for any object's accounts. */
static uint32_t holder(const table *t, uint32_t o, const uint32_t *group,
                       const chorus_attach_opts *opts, uint32_t *buf)
{
    size_t m = 0;
    uint64_t grouped = 0, all = 0;
    for (size_t i = t->start[o]; i < t->start[o + 1]; i++) {
        all += t->count[i];
        if (group[t->user[i]] != NONE)
            buf[m++] = group[t->user[i]], grouped += t->count[i];
    }
    size_t users = t->start[o + 1] - t->start[o];
    if (m < opts->min_members || ((double)grouped < opts->min_share * (double)all &&
                                  (double)m < opts->min_share * (double)users))
        return NONE;
    qsort(buf, m, sizeof *buf, cmp_u32);
    uint32_t best = buf[0];
    size_t best_n = 0, run = 0;
    for (size_t i = 0; i < m; i++) {
        run = i > 0 && buf[i] == buf[i - 1] ? run + 1 : 1;
        if (run > best_n) /* strictly more: the lower group wins a tie */
            best = buf[i], best_n = run;
    }
    return best;
}

/* Scratch of the rounds, per object and per account. */
typedef struct rounds {
    uint32_t *owner; /* object -> holding group or NONE */
    uint64_t *hits;  /* account -> actions on held objects */
    uint32_t *buf;   /* an object's grouped accounts' groups */
    double *p;       /* tested accounts' p-values */
    uint32_t *tested;
    size_t buf_cap;
} rounds;

/* One vote of an attached account for a group: its actions on an object
 * the group holds. */
typedef struct vote {
    uint32_t account, group;
    uint64_t n;
} vote;

static int cmp_vote(const void *x, const void *y)
{
    const vote *a = x, *b = y;
    if (a->account != b->account)
        return (a->account > b->account) - (a->account < b->account);
    return (a->group > b->group) - (a->group < b->group);
}

/* The holders of every object this round; returns how many are held. */
static uint32_t hold(const table *t, const uint32_t *group, const chorus_attach_opts *o, rounds *w)
{
    uint32_t held = 0;
    for (uint32_t k = 0; k < t->n_obj; k++)
        held += (w->owner[k] = holder(t, k, group, o, w->buf)) != NONE;
    return held;
}

/* Each ungrouped account's actions on held objects; returns the rate
 * over all ungrouped accounts' actions. */
static double count_hits(const table *t, const uint32_t *group, rounds *w)
{
    memset(w->hits, 0, (t->n_acc ? t->n_acc : 1) * sizeof *w->hits);
    for (uint32_t k = 0; k < t->n_obj; k++)
        for (size_t i = t->start[k]; w->owner[k] != NONE && i < t->start[k + 1]; i++)
            if (group[t->user[i]] == NONE)
                w->hits[t->user[i]] += t->count[i];
    uint64_t hits = 0, all = 0;
    for (uint32_t a = 0; a < t->n_acc; a++)
        if (group[a] == NONE)
            hits += w->hits[a], all += t->actions[a];
    return all ? (double)hits / (double)all : 0.0;
}

/* The group of each account attached this round (pend[a] != NONE on
 * entry), as pend[a] = group + 1: the one holding most of its actions on
 * held objects (ties: the lowest number). */
static chorus_rc pick_groups(chorus_ctx *ctx, const table *t, const rounds *w, uint32_t *pend)
{
    vote *v = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t k = 0; k < t->n_obj; k++)
        for (size_t i = t->start[k]; w->owner[k] != NONE && i < t->start[k + 1]; i++) {
            if (pend[t->user[i]] == NONE)
                continue;
            if (ch_grow(ctx, (void **)&v, &cap, n + 1, sizeof *v))
                return ch_free(ctx, v, cap * sizeof *v), CHORUS_ENOMEM;
            v[n++] = (vote){t->user[i], w->owner[k], t->count[i]};
        }
    qsort(v, n, sizeof *v, cmp_vote);
    uint64_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        int same_acc = i > 0 && v[i].account == v[i - 1].account;
        run = same_acc && v[i].group == v[i - 1].group ? run + v[i].n : v[i].n;
        if (!same_acc)
            best = 0;
        if (run > best)
            best = run, pend[v[i].account] = v[i].group + 1;
    }
    ch_free(ctx, v, cap * sizeof *v);
    return CHORUS_OK;
}

/* One round: tests every ungrouped account that acted at all, attaches
 * those under the false discovery threshold that have a held object, and
 * only then gives them their groups (a round sees the groups it began
 * with). *added counts them. */
static chorus_rc run_round(chorus_ctx *ctx, const table *t, uint32_t *group,
                           const chorus_attach_opts *o, rounds *w, uint32_t *pend,
                           chorus_attach_result *r, size_t *cap, uint32_t round, size_t *added)
{
    *added = 0;
    r->held = hold(t, group, o, w);
    double rate = count_hits(t, group, w);
    size_t m = 0;
    for (uint32_t a = 0; a < t->n_acc; a++)
        if (group[a] == NONE && t->actions[a] > 0) {
            w->p[m] = chorus_binomial_sf(w->hits[a], t->actions[a], rate);
            w->tested[m++] = a;
        }
    double threshold = 0.0; /* p-values that underflow to 0 pass it */
    if (rate > 0 && ch_fdr_threshold(ctx, w->p, m, o->fdr, &threshold))
        return CHORUS_ENOMEM;
    for (size_t i = 0; i < m && rate > 0; i++) {
        uint32_t a = w->tested[i];
        if (w->hits[a] == 0 || w->p[i] > threshold)
            continue;
        if (ch_grow(ctx, (void **)&r->accounts, cap, r->n + 1, sizeof *r->accounts))
            return CHORUS_ENOMEM;
        r->accounts[r->n++] = (chorus_attached){a, NONE, round, w->hits[a], t->actions[a], rate,
                                                w->p[i], {NULL, 0}};
        pend[a] = 0;
        (*added)++;
    }
    chorus_rc rc = *added ? pick_groups(ctx, t, w, pend) : CHORUS_OK;
    for (size_t i = r->n - *added; !rc && i < r->n; i++) {
        chorus_attached *x = &r->accounts[i];
        x->group = group[x->account] = pend[x->account] - 1;
        pend[x->account] = NONE;
    }
    return rc;
}

/* One held object of an attached account, for its top list. */
typedef struct top_obj {
    uint32_t slot, object; /* index in r->accounts, object */
    uint32_t n;
} top_obj;

static int cmp_top(const void *x, const void *y)
{
    const top_obj *a = x, *b = y;
    if (a->slot != b->slot)
        return (a->slot > b->slot) - (a->slot < b->slot);
    if (a->n != b->n)
        return (a->n < b->n) - (a->n > b->n);
    return (a->object > b->object) - (a->object < b->object);
}

/* Appends "signal: label (n)" for object k to the text. */
static chorus_rc put_object(chorus_ctx *ctx, const table *t, uint32_t k, uint32_t n,
                            chorus_attach_result *r, size_t *cap)
{
    size_t s = 0;
    while (s + 1 < t->n_sets && t->base[s + 1] <= k)
        s++;
    chorus_str l = chorus_actions_label(t->set[s], k - t->base[s]);
    size_t len = l.len < 1024 ? l.len : 1024, need = r->text_len + len + 128;
    if (ch_grow(ctx, (void **)&r->text, cap, need, 1))
        return CHORUS_ENOMEM;
    r->text_len += (size_t)snprintf(r->text + r->text_len, need - r->text_len, "%s%s: %.*s (%u)",
                                    r->text_len && r->text[r->text_len - 1] != '\n' ? " | " : "",
                                    t->name[s], (int)len, l.ptr, n);
    return CHORUS_OK;
}

/* Each attached account's TOP most acted-on objects held after the last
 * round, as one string per account in r->text (pointers set once the
 * text stops moving). slot maps an account to its index in r->accounts. */
static chorus_rc name_tops(chorus_ctx *ctx, const table *t, const rounds *w, const uint32_t *slot,
                           chorus_attach_result *r)
{
    top_obj *v = NULL;
    size_t n = 0, cap = 0, text_cap = 0;
    chorus_rc rc = CHORUS_OK;
    for (uint32_t k = 0; !rc && k < t->n_obj; k++)
        for (size_t i = t->start[k]; !rc && w->owner[k] != NONE && i < t->start[k + 1]; i++)
            if (slot[t->user[i]] != NONE && !(rc = ch_grow(ctx, (void **)&v, &cap, n + 1, sizeof *v)))
                v[n++] = (top_obj){slot[t->user[i]], k, t->count[i]};
    if (!rc)
        qsort(v, n, sizeof *v, cmp_top);
    size_t *end = rc ? NULL : ch_alloc(ctx, (r->n ? r->n : 1) * 2 * sizeof *end);
    rc = rc ? rc : end ? CHORUS_OK : CHORUS_ENOMEM;
    for (size_t i = 0, j = 0; !rc && i < r->n; i++) {
        end[2 * i] = r->text_len;
        for (uint32_t shown = 0; !rc && j < n && v[j].slot == i; j++)
            if (shown++ < TOP)
                rc = put_object(ctx, t, v[j].object, v[j].n, r, &text_cap);
        end[2 * i + 1] = r->text_len;
        if (!rc && !(rc = ch_grow(ctx, (void **)&r->text, &text_cap, r->text_len + 1, 1)))
            r->text[r->text_len++] = '\n'; /* ends one account's string */
    }
    for (size_t i = 0; !rc && i < r->n; i++)
        r->accounts[i].top = (chorus_str){r->text + end[2 * i], end[2 * i + 1] - end[2 * i]};
    ch_free(ctx, end, (r->n ? r->n : 1) * 2 * sizeof *end);
    ch_free(ctx, v, cap * sizeof *v);
    r->text_cap = text_cap;
    return rc;
}

static int cmp_attached(const void *x, const void *y)
{
    const chorus_attached *a = x, *b = y;
    return (a->account > b->account) - (a->account < b->account);
}

static chorus_rc rounds_new(chorus_ctx *ctx, const table *t, rounds *w, uint32_t **pend)
{
    size_t widest = 1;
    for (uint32_t k = 0; k < t->n_obj; k++)
        if (t->start[k + 1] - t->start[k] > widest)
            widest = t->start[k + 1] - t->start[k];
    size_t na = t->n_acc ? t->n_acc : 1;
    w->owner = ch_alloc(ctx, (t->n_obj ? t->n_obj : 1) * sizeof *w->owner);
    w->hits = ch_alloc(ctx, na * sizeof *w->hits);
    w->buf = ch_alloc(ctx, widest * sizeof *w->buf);
    w->p = ch_alloc(ctx, na * sizeof *w->p);
    w->tested = ch_alloc(ctx, na * sizeof *w->tested);
    *pend = ch_alloc(ctx, na * sizeof **pend);
    w->buf_cap = widest;
    if (!w->owner || !w->hits || !w->buf || !w->p || !w->tested || !*pend)
        return ch_nomem(ctx);
    memset(*pend, 0xff, na * sizeof **pend);
    return CHORUS_OK;
}

static void rounds_free(chorus_ctx *ctx, const table *t, rounds *w, uint32_t *pend)
{
    size_t na = t->n_acc ? t->n_acc : 1;
    ch_free(ctx, w->owner, (t->n_obj ? t->n_obj : 1) * sizeof *w->owner);
    ch_free(ctx, w->hits, na * sizeof *w->hits);
    ch_free(ctx, w->buf, w->buf_cap * sizeof *w->buf);
    ch_free(ctx, w->p, na * sizeof *w->p);
    ch_free(ctx, w->tested, na * sizeof *w->tested);
    ch_free(ctx, pend, na * sizeof *pend);
}

/* The rounds, then the attached accounts in account order with their top
 * objects. pend doubles as the account -> slot map at the end. */
static chorus_rc attach_rounds(chorus_ctx *ctx, const table *t, const chorus_attach_opts *o,
                               uint32_t *group, chorus_attach_result *r)
{
    rounds w = {0};
    uint32_t *pend = NULL;
    chorus_rc rc = rounds_new(ctx, t, &w, &pend);
    size_t added = 1;
    while (!rc && added && r->rounds < o->max_rounds)
        rc = run_round(ctx, t, group, o, &w, pend, r, &r->cap, ++r->rounds, &added);
    if (!rc && added) /* max_rounds ended it: the holders of the final groups */
        r->held = hold(t, group, o, &w);
    if (!rc && r->n) {
        qsort(r->accounts, r->n, sizeof *r->accounts, cmp_attached);
        for (size_t i = 0; i < r->n; i++)
            pend[r->accounts[i].account] = (uint32_t)i;
        rc = name_tops(ctx, t, &w, pend, r);
    }
    rounds_free(ctx, t, &w, pend);
    return rc;
}

chorus_rc chorus_attach_accounts(chorus_ctx *ctx, const chorus_corpus *c,
                                 const chorus_action_opts *act, const chorus_attach_opts *opts,
                                 uint32_t *group, chorus_attach_result *out)
{
    chorus_attach_opts o;
    chorus_attach_defaults(&o);
    if (opts)
        o = *opts;
    memset(out, 0, sizeof *out);
    table t = {0};
    t.n_acc = chorus_corpus_account_count(c);
    uint64_t *keys = NULL;
    size_t n = 0;
    chorus_rc rc = read_sets(ctx, c, act, &t);
    if (!rc)
        rc = sorted_keys(ctx, &t, &keys, &n);
    if (!rc)
        rc = build_table(ctx, &t, keys, n);
    ch_free(ctx, keys, (n ? n : 1) * sizeof *keys);
    out->incidences = t.n_inc;
    if (!rc)
        rc = attach_rounds(ctx, &t, &o, group, out);
    if (rc) { /* group as it came */
        for (size_t i = 0; i < out->n; i++)
            group[out->accounts[i].account] = NONE;
        chorus_attach_free(ctx, out);
    }
    table_free(ctx, &t);
    return rc;
}

void chorus_attach_free(chorus_ctx *ctx, chorus_attach_result *r)
{
    ch_free(ctx, r->accounts, r->cap * sizeof *r->accounts);
    ch_free(ctx, r->text, r->text_cap);
    memset(r, 0, sizeof *r);
}
