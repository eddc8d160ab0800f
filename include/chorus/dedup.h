/*
 * dedup.h - near-duplicate text clusters: posts (or articles) whose match
 * forms (text.h) are the same, or nearly so by shingle Jaccard or
 * containment, grouped into clusters; and the `similar` coordination
 * signal built on them. The method and its parameters are in docs/dedup.md.
 */
#ifndef CHORUS_DEDUP_H
#define CHORUS_DEDUP_H

#include <chorus/text.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chorus_dedup_kind {
    CHORUS_DEDUP_POSTS = 0, /* short texts: character 5-grams up to long_words words */
    CHORUS_DEDUP_ARTICLES   /* long texts: word 3-grams always, stricter threshold */
} chorus_dedup_kind;

/* How verified pairs make clusters. */
typedef enum chorus_dedup_linkage {
    CHORUS_DEDUP_CENTER = 0, /* each text joins the first similar center (texts with more
                                copies first), or becomes one: every member is similar to
                                its cluster's representative; no chains (the default) */
    CHORUS_DEDUP_SINGLE      /* every verified pair joins (union-find): edits of edits
                                chain, and so can unrelated texts through them */
} chorus_dedup_linkage;

/* MinHash values per text, and the LSH banding over them. */
#define CHORUS_DEDUP_HASHES 128
#define CHORUS_DEDUP_BANDS 42
#define CHORUS_DEDUP_ROWS 3

typedef struct chorus_dedup_opts {
    chorus_dedup_kind kind;
    chorus_dedup_linkage linkage; /* CHORUS_DEDUP_CENTER */
    double threshold;     /* Jaccard of the shingle sets to join (0.5 posts, 0.7 articles) */
    double containment;   /* or this share of the smaller set inside the larger (0.8; > 1: off) */
    uint32_t min_words;   /* texts with fewer words (chorus_text_buf.words) are left out (5) */
    uint32_t long_words;  /* texts with more words are shingled by words (posts 60;
                             articles 0: every text) */
    int keep_pairs;       /* record every verified pair in the result (tests, debugging) */
    uint32_t threads;     /* center linkage's comparisons on up to this many threads,
                             the caller's included (0 or 1: the caller's alone; at most
                             64); the result does not depend on it */
    int64_t episode_gap_ms; /* the similar signal: a cluster's posts more than this apart
                               start a new episode, its own object (posts 3 h; 0: one
                               object per cluster); see chorus_dedup_actions */
    chorus_text_opts text; /* the match form (chorus_text_defaults) */
} chorus_dedup_opts;

/* Fills o with the defaults of kind (above). */
void chorus_dedup_defaults(chorus_dedup_opts *o, chorus_dedup_kind kind);

/* Counts of one run, for the summary and for tests of the cost. */
typedef struct chorus_dedup_stats {
    uint64_t texts;        /* posts read (not retweets, not empty, >= min_words) */
    uint64_t short_texts;  /* posts left out for fewer than min_words words */
    uint64_t unique;       /* distinct match forms among the texts */
    uint64_t exact_groups; /* match forms shared by 2 or more posts */
    uint64_t word_shingled; /* distinct texts shingled by words (the rest by characters) */
    uint64_t candidates;   /* (center or anchor, text) pairs met in LSH buckets */
    uint64_t linked;       /* of those, not verified: already in one cluster (single),
                              or that center already compared (center) */
    uint64_t verified;     /* shingle-set comparisons made */
    uint64_t joined;       /* comparisons that passed (Jaccard or containment) */
    uint64_t by_containment; /* of those, passed by containment alone */
    uint64_t sets_made;    /* shingle sets made again from the corpus (texts shingled
                              differently, compared by words) */
    uint64_t clusters;     /* clusters of 2 or more posts */
    uint64_t clustered;    /* posts in them */
    uint64_t memory;       /* bytes of the largest working set (the corpus not counted) */
} chorus_dedup_stats;

/* One cluster of 2 or more posts. Post and account numbers are corpus
 * indexes (chorus_corpus_post / chorus_corpus_account). */
typedef struct chorus_dedup_cluster {
    uint32_t size;           /* posts */
    uint32_t accounts;       /* distinct accounts among them */
    uint32_t texts;          /* distinct match forms among them */
    uint32_t representative; /* the post whose match form most posts share (then the first) */
    uint32_t earliest;       /* the earliest post (then the first in the corpus) */
    int64_t first_ms, last_ms;
    size_t first_member;     /* its members are members[first_member .. + size) */
    chorus_str match_form;   /* the representative's match form (owned by the result) */
} chorus_dedup_cluster;

typedef struct chorus_dedup_member {
    uint32_t post;
    float similarity; /* Jaccard of its shingle set and the representative's (1: same match form) */
} chorus_dedup_member;

/* A verified pair (keep_pairs): the first posts of two distinct match forms. */
typedef struct chorus_dedup_pair {
    uint32_t a, b;
    float jaccard, containment;
} chorus_dedup_pair;

/* The clusters, numbered from 1 in order: clusters[i] has id i + 1.
 * Order: larger first, then earlier first_ms, then earlier post. Members
 * of a cluster are in time order (then corpus order). */
typedef struct chorus_dedup {
    chorus_dedup_cluster *clusters;
    size_t n_clusters;
    chorus_dedup_member *members;
    size_t n_members;
    chorus_dedup_pair *pairs; /* with keep_pairs, in the order they were verified */
    size_t n_pairs;
    chorus_dedup_stats stats;
    int64_t episode_gap_ms; /* the run's chorus_dedup_opts.episode_gap_ms; a caller may
                               change it before chorus_dedup_actions */
    chorus_ctx *ctx; /* private from here on */
    void *priv;
} chorus_dedup;

/* Clusters the texts of the corpus's posts: every post but retweets
 * (originals, replies read without their leading mentions, quotes), as
 * the tweet signal reads them. o may be NULL for the posts defaults.
 * *out is the caller's, to free with chorus_dedup_free; it does not
 * point into the corpus. CHORUS_EUSAGE for a threshold outside (0, 1],
 * CHORUS_ENOMEM when out of memory, CHORUS_ELIMIT past 2^32 - 2 texts. */
chorus_rc chorus_dedup_run(chorus_ctx *ctx, const chorus_corpus *c, const chorus_dedup_opts *o,
                           chorus_dedup **out);

/* Frees a result and everything it owns (NULL is fine). */
void chorus_dedup_free(chorus_dedup *d);

/* Jaccard and containment (|A and B| / the smaller set) of the shingle
 * sets of two texts a[0..na) and b[0..nb) (any bytes: they are brought to
 * their match forms first), as chorus_dedup_run compares them: options o
 * (NULL: the posts defaults), by words when either has more than
 * long_words words. Either is 0 when a text has no shingle. */
chorus_rc chorus_dedup_similarity(chorus_ctx *ctx, const chorus_dedup_opts *o, const char *a,
                                  size_t na, const char *b, size_t nb, double *jaccard,
                                  double *containment);

/* The similar signal from a result: one action per clustered post (its
 * account and time), the object its cluster's episode. A cluster's
 * members, in time order, start a new episode after a gap of more than
 * d->episode_gap_ms (0: the whole cluster is one episode), so each burst
 * of copies is an object of its own, and its first poster its source.
 * Objects are labelled "cluster N: " (one episode) or "cluster N.E: "
 * (episode E from 1, when the cluster has several) and the
 * representative's match form cut at 120 bytes (then "…"). *out is the
 * caller's, to free with chorus_actions_free. */
chorus_rc chorus_dedup_actions(chorus_ctx *ctx, const chorus_corpus *c, const chorus_dedup *d,
                               chorus_actions **out);

/* chorus_dedup_run then chorus_dedup_actions: the similar signal of a
 * corpus, for the coordination stage. *out is the caller's. */
chorus_rc chorus_text_similar_actions(chorus_ctx *ctx, const chorus_corpus *c,
                                      const chorus_dedup_opts *o, chorus_actions **out);

#ifdef __cplusplus
}
#endif
#endif
