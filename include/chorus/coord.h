/*
 * coord.h - co-action pairs: the one algorithm every coordination signal
 * runs on. A signal reduces the corpus to actions (account, object, time);
 * two actions co-occur when they are on the same object, by different
 * accounts, at most `window` apart (inclusive). See docs/coordination.md.
 */
#ifndef CHORUS_COORD_H
#define CHORUS_COORD_H

#include <chorus/chorus.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_action {
    uint32_t account; /* account index */
    uint32_t object;  /* dense object id within one signal */
    int64_t time_ms;
} chorus_action;

typedef struct chorus_copair_opts {
    int64_t window_ms;            /* co-occurrence window, inclusive (default 60 s) */
    uint32_t min_weight;          /* pairs below it are dropped (default 2) */
    int weight_coactions;         /* 0: weight = objects (default); 1: coactions */
    uint32_t max_object_actions;  /* objects with more actions are set aside (0 = no bound) */
    int keep_evidence;            /* also list every co-action of the kept pairs */
    uint32_t min_sources;         /* significance: distinct sources a pair needs (default 2) */
    uint32_t shard, shards;       /* compute only the pairs of shard `shard` of `shards`
                                     (default 0 of 1: all); see chorus_copairs_merge */
} chorus_copair_opts;

/* One account pair on one signal. a < b as account indexes. */
typedef struct chorus_copair {
    uint32_t a, b;
    uint32_t objects;         /* distinct objects co-acted on */
    uint64_t coactions;       /* co-occurring action pairs */
    int64_t first_ms;         /* earliest action time among the co-actions */
    int64_t last_ms;          /* latest action time among the co-actions */
    int64_t median_delay_ms;  /* median |t_a - t_b| over the co-actions (lower median) */
    uint32_t actions_a, actions_b; /* each account's actions in the signal */
    uint32_t part_a, part_b;  /* each account's actions that take part in the co-actions */
    double similarity;        /* IDF-weighted cosine (chorus_copairs_significance), else 0 */
    double p_value;           /* under the null model (chorus_copairs_significance), else 1 */
    uint32_t sources;         /* distinct sources of the co-acted objects (significance), else 0 */
    uint32_t coshared;        /* objects both acted on at any time (significance), else 0 */
} chorus_copair;

/* An object set aside because more actions than the bound hit it. */
typedef struct chorus_skipped_object {
    uint32_t object;
    uint32_t actions;
} chorus_skipped_object;

/* One co-action of a kept pair: the evidence behind an edge. */
typedef struct chorus_coaction {
    uint32_t pair;    /* index into chorus_copairs.pairs */
    uint32_t object;
    int64_t time_a, time_b; /* the lower-index account's action, the other's */
} chorus_coaction;

typedef struct chorus_copairs {
    chorus_copair *pairs; /* sorted by (a, b) */
    size_t n;
    chorus_skipped_object *skipped; /* sorted by object */
    size_t n_skipped;
    chorus_coaction *evidence; /* with keep_evidence: by pair, then object and time */
    size_t n_evidence;
    uint64_t coactions_seen; /* co-occurring action pairs generated, all pairs */
    uint64_t pairs_seen;     /* distinct account pairs before min_weight */
    uint64_t evidence_dropped; /* rows left out by chorus_copairs_cap_evidence */
} chorus_copairs;

/* Sets the defaults above. */
void chorus_copair_defaults(chorus_copair_opts *o);

/* Computes the co-action pairs of actions[0..n). Reorders actions (by
 * object, then time). Work is proportional to n log n plus the co-actions
 * that exist within the window: each object's actions are sorted by time
 * and a window slides over them. out is owned by the caller: free it with
 * chorus_copairs_free. */
chorus_rc chorus_copairs_compute(chorus_ctx *ctx, chorus_action *actions, size_t n,
                                 const chorus_copair_opts *opts, chorus_copairs *out);

/* Joins the shards of one signal into what one unsharded computation
 * gives. Each parts[k] was computed with opts shard k of n_parts (and
 * perhaps tested and kept under one common threshold): a pair lies in
 * exactly one shard (the shard of its bucket of pair keys), so the merge
 * interleaves the parts' pairs by (a, b) and renumbers their evidence;
 * skipped objects are the same in every part and come from parts[0];
 * the counts (coactions_seen, pairs_seen, evidence_dropped) are summed.
 * parts are read, not changed; out is owned by the caller (free it with
 * chorus_copairs_free). CHORUS_EINPUT when two parts hold the same pair. */
chorus_rc chorus_copairs_merge(chorus_ctx *ctx, const chorus_copairs *parts, size_t n_parts,
                               chorus_copairs *out);

/* Frees what chorus_copairs_compute allocated in c (c itself is not freed). */
void chorus_copairs_free(chorus_ctx *ctx, chorus_copairs *c);

/* Estimates the coordination interval from the actions themselves
 * (`--window auto`): among objects acted on at least twice, take the
 * quickest 10% by time from the first to the second action; for each of
 * them, the time from its first action until half of its actions had
 * happened (at least the second); the estimate is the median of those,
 * at least 1 s. Reorders actions like chorus_copairs_compute.
 * CHORUS_EINPUT when no object has two actions. */
chorus_rc chorus_window_auto(chorus_ctx *ctx, chorus_action *actions, size_t n, int64_t *window_ms);

/* Most communities (strata) the null model tells apart; higher ids share the last. */
#define CHORUS_MAX_STRATA 32

/* What the caller knows of each object (any field may be NULL). */
typedef struct chorus_object_info {
    const uint32_t *source;  /* the account an object comes from, UINT32_MAX unknown */
    const uint32_t *stratum; /* the community an object belongs to (e.g. a language) */
} chorus_object_info;

/* Adds similarity, p_value, sources and coshared to every pair of cp
 * (docs/coordination.md). similarity is the cosine of the two accounts'
 * object vectors weighted by inverse popularity, counting as shared only
 * the objects co-acted on within the window. The null model keeps each
 * account's activity in each stratum (n_as distinct objects), each
 * object's popularity m_o (T_s = sum m_o in its stratum) and how bunched
 * in time its actions are (q_o, the share of its action pairs within the
 * window): accounts choose objects within their communities (a language)
 * in proportion to popularity. Objects with m_o >= T_s / max(n_as, n_bs)
 * are evidence of nothing and not counted. Two Poisson tests: the objects
 * co-acted on within the window against lambda_w = sum_s n_as n_bs / T_s^2
 * * sum m_o^2 q_o (timing), and the objects both acted on at any time
 * against lambda_s = sum_s n_as n_bs / T_s^2 * sum m_o^2 (selection:
 * crowds that are early on the same popular posts but otherwise share
 * little fail it); p_value is the larger of the two. A pair whose co-acted
 * objects come from fewer than opts->min_sources distinct sources
 * (info->source, or the object's first actor) gets p_value 1, and the
 * objects of its main source are left out of both counts: an audience
 * following one account explains them. info may be NULL (one stratum,
 * sources from first actors). actions must be as chorus_copairs_compute
 * left them and cp must have been computed with keep_evidence. Objects
 * set aside take no part. */
chorus_rc chorus_copairs_significance(chorus_ctx *ctx, const chorus_action *actions, size_t n,
                                      const chorus_object_info *info,
                                      const chorus_copair_opts *opts, chorus_copairs *cp);

/* Benjamini-Hochberg: the largest p-value threshold that keeps the false
 * discovery rate at q over p[0..n) (0 when nothing passes). */
double chorus_fdr_threshold(chorus_ctx *ctx, const double *p, size_t n, double q);

/* Keeps the pairs with p_value <= threshold, and their evidence rows
 * (renumbered); the rest are dropped from cp. Returns how many remain. */
size_t chorus_copairs_keep(chorus_copairs *cp, double threshold);

/* Keeps at most per_pair evidence rows for each pair (0: all): the
 * strongest co-actions, ranked first by whether a row is the closest
 * co-action on its object (so the rows cover as many distinct objects as
 * they can), then by delay, then by their order; the rows kept stay in
 * their order (by pair, object, time). Adds the rows dropped to
 * cp->evidence_dropped. The pairs' statistics are not changed: they
 * were computed from every co-action. */
chorus_rc chorus_copairs_cap_evidence(chorus_ctx *ctx, chorus_copairs *cp, uint32_t per_pair);

/* P(X >= k) for X ~ Poisson(lambda). */
double chorus_poisson_sf(uint64_t k, double lambda);

typedef struct chorus_group_opts {
    uint32_t split_above;   /* components with more accounts are split by Leiden (default 50) */
    uint32_t iterations;    /* Leiden iterations, explicit for reproducibility (default 10) */
    double resolution;      /* modularity resolution (default 1) */
} chorus_group_opts;

/* Fills o with the defaults above (caller owns o). */
void chorus_group_defaults(chorus_group_opts *o);

/* Groups of accounts: the connected components of the network given by
 * edges (a[i], b[i]) with weights w[i] (parallel edges are summed), each
 * component larger than split_above split into communities by igraph's
 * Leiden (modularity, seeded by the context's seed). group[k] receives
 * account k's group, UINT32_MAX for accounts in no edge (group has
 * n_accounts entries, owned by the caller). Groups are numbered from 0 by
 * decreasing size, ties by their lowest account index. */
chorus_rc chorus_groups(chorus_ctx *ctx, const uint32_t *a, const uint32_t *b, const double *w,
                        size_t n_edges, uint32_t n_accounts, const chorus_group_opts *opts,
                        uint32_t *group, uint32_t *n_groups);

/* Balance of a pair's contributions, in [0, 1]: min(part_a, part_b) /
 * max(part_a, part_b). Near 0 when one hyperactive account makes the
 * co-actions on its own. */
double chorus_copair_balance(const chorus_copair *p);

#ifdef __cplusplus
}
#endif
#endif
