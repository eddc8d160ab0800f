/*
 * attach.h - accounts the pair tests miss but whose actions keep landing
 * on the objects a group holds (the retweeted posts, URLs, link domains,
 * replied-to posts and hashtag sequences its members act on, and nobody
 * much else). A one-sided binomial test per account against the rate of
 * every other ungrouped account, Benjamini-Hochberg across accounts;
 * docs/coordination.md ("Accounts attached to a group") has the method.
 */
#ifndef CHORUS_ATTACH_H
#define CHORUS_ATTACH_H

#include <chorus/actions.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_attach_opts {
    uint32_t min_members; /* a group holds an object that at least this many of its
                             grouped accounts act on (default 3) ... */
    double min_share;     /* ... and grouped accounts are at least this share of
                             the object's accounts or make at least this share
                             of its actions (default 0.5) */
    double fdr;           /* false discovery rate across tested accounts (default 0.01) */
    uint32_t max_rounds;  /* attached accounts count as grouped in the next round
                             (default 10; 1: one round) */
} chorus_attach_opts;

/* Fills o with the defaults above (caller owns o). */
void chorus_attach_defaults(chorus_attach_opts *o);

/* One attached account. */
typedef struct chorus_attached {
    uint32_t account, group; /* account index, the group it joins */
    uint32_t round;          /* 1 for the first round */
    uint64_t on_held;        /* its actions on objects the groups held in that round */
    uint64_t actions;        /* its actions on the read signals in all */
    double base_rate;        /* the share of ungrouped accounts' actions on held objects */
    double p_value;          /* P(X >= on_held), X ~ Binomial(actions, base_rate) */
    chorus_str top;          /* its most acted-on held objects: "signal: label (n) | ..." */
} chorus_attached;

typedef struct chorus_attach_result {
    chorus_attached *accounts; /* by account index */
    size_t n;
    uint32_t rounds;      /* rounds run (the last attached nobody, or max_rounds) */
    uint32_t held;        /* objects held by a group after the last round */
    uint64_t incidences;  /* distinct (object, account) pairs read */
    char *text;           /* the top strings (owned) */
    size_t text_len;
    size_t cap, text_cap; /* allocated sizes, for chorus_attach_free */
} chorus_attach_result;

/* Reads the actions of the item signals of c (retweet, reply, link, link
 * domains, hashtags with opts' min_hashtags, and every generic object
 * column), then attaches accounts round by round: group[0 ..
 * chorus_corpus_account_count(c)) holds each account's group (UINT32_MAX:
 * none) on entry and the attached accounts' groups on return. *out is
 * filled (free it with chorus_attach_free). Deterministic: no threads, no
 * random draws. act and opts may be NULL (defaults). CHORUS_ENOMEM when
 * memory runs out (group is then left as it came). */
chorus_rc chorus_attach_accounts(chorus_ctx *ctx, const chorus_corpus *c,
                                 const chorus_action_opts *act, const chorus_attach_opts *opts,
                                 uint32_t *group, chorus_attach_result *out);

/* Frees what chorus_attach_accounts put in r (r itself is the caller's). */
void chorus_attach_free(chorus_ctx *ctx, chorus_attach_result *r);

/* P(X >= k) for X ~ Binomial(n, p). */
double chorus_binomial_sf(uint64_t k, uint64_t n, double p);

#ifdef __cplusplus
}
#endif
#endif
