/*
 * trace.h - provenance of reused text: which passages of news articles
 * (and of later articles, and of posts quoting articles) first appeared
 * in earlier posts or articles, the earliest witness, tree and spread of
 * each reuse cluster over time, and laundering chains from exposed
 * accounts into outlets. Anchors, the alignment and every rule are
 * described in docs/trace.md.
 */
#ifndef CHORUS_TRACE_H
#define CHORUS_TRACE_H

#include <chorus/dedup.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment scores, doubled so they stay integers: +2 a match, -1 a
 * mismatch, a gap of length L costs 5 + 0.5 (L - 1). */
#define CHORUS_TRACE_MATCH 4
#define CHORUS_TRACE_MISMATCH (-2)
#define CHORUS_TRACE_GAP_OPEN (-10)
#define CHORUS_TRACE_GAP_EXTEND (-1)

typedef struct chorus_trace_opts {
    int64_t max_lag_ms;     /* a source at most this much before its target (30 days) */
    uint32_t post_k, post_w; /* anchors matched against posts: k-code-point grams, winnowing
                                window w (14, 10) */
    uint32_t doc_k, doc_w;  /* anchors between articles (25, 26) */
    uint32_t min_span;      /* aligned spans shorter than this many code points of the match
                               form are dropped (50) */
    double min_identity;    /* ... and spans of lower identity (0.8) */
    uint32_t min_anchors;   /* shared anchors a post and an article need to be aligned (5) */
    uint32_t doc_min_anchors; /* ... two articles (4: stock phrases are no reuse) */
    uint32_t max_sources;   /* earlier articles aligned per article, most shared anchors
                               first (16) */
    uint32_t max_df_posts;  /* anchors found in more post units (near-duplicate clusters or
                               single posts) are not used (1000) */
    uint32_t max_df_docs;   /* anchors in more article units (near-duplicate clusters of
                               articles, or single articles) are not used between
                               articles (10) */
    uint32_t boiler_min;    /* an anchor an outlet repeats in at least this many of its own
                               items ... (5) */
    double boiler_share;    /* ... and in this share of them is boilerplate (0.5) */
    int same_source;        /* 1: also pairs from the same outlet (0) */
    chorus_dedup_opts dedup; /* the near-duplicate clusters of the posts (posts defaults) */
    chorus_dedup_opts doc_dedup; /* ... and of the articles (articles defaults) */
} chorus_trace_opts;

/* Fills o with the defaults above. */
void chorus_trace_defaults(chorus_trace_opts *o);

/* ---- the building blocks, public for tests ---- */

/* Code points of a UTF-8 string s[0..n) (invalid bytes decode as U+FFFD,
 * one byte each) into cp, with off[i] the byte offset of code point i and
 * off[count] = n; cp and off hold at least n + 1 entries. Returns count. */
size_t chorus_trace_decode(const char *s, size_t n, uint32_t *cp, uint32_t *off);

/* One anchor: the hash of the k code points from pos. */
typedef struct chorus_trace_anchor {
    uint64_t hash;
    uint32_t pos;
} chorus_trace_anchor;

/* Winnowed anchors of cp[0..n): hashes of every k-gram, then the minimum
 * of each window of w consecutive hashes (the rightmost on ties), each
 * position once, in order. Any common run of w + k - 1 code points
 * yields a common anchor. h (scratch for the gram hashes) and out hold
 * at least n entries each; returns how many anchors were written (0 when
 * n < k). */
size_t chorus_trace_winnow(const uint32_t *cp, size_t n, uint32_t k, uint32_t w, uint64_t *h,
                           chorus_trace_anchor *out);

/* One local alignment: code points [a_start, a_end) of a against
 * [b_start, b_end) of b, its score (doubled, as above), and its columns. */
typedef struct chorus_trace_span {
    uint32_t a_start, a_end, b_start, b_end;
    int32_t score;
    uint32_t columns, matches;
} chorus_trace_span;

/* Best local alignment (affine gaps, scores above) of a[0..na) and
 * b[0..nb) restricted to diagonals j - i in [dlo, dhi]. A code point of
 * b equal to CHORUS_TRACE_MASKED never matches. *span is zero when no
 * cell scores above 0. CHORUS_ELIMIT when the band holds more than 2^26
 * cells, CHORUS_ENOMEM. */
#define CHORUS_TRACE_MASKED 0xFFFFFFFFu
chorus_rc chorus_trace_align(chorus_ctx *ctx, const uint32_t *a, size_t na, const uint32_t *b,
                             size_t nb, int64_t dlo, int64_t dhi, chorus_trace_span *span);

/* ---- exposed accounts ---- */

/* Exposed (taken-down) accounts: ids, each with the date it was exposed
 * or INT64_MIN when not given. */
typedef struct chorus_exposed {
    chorus_str *ids;   /* owned */
    int64_t *when_ms;
    size_t n;
    chorus_ctx *ctx;   /* private from here on */
    char *buf;
    size_t buf_len, cap, cap_when;
} chorus_exposed;

/* Parses an exposed list: one account id a line; an optional second
 * column after a comma or tab is the exposure date (any time format
 * ingest accepts). Blank lines and lines starting with '#' are skipped;
 * CR LF line ends and a UTF-8 BOM are fine. A line with a date that does
 * not parse is CHORUS_EINPUT naming the line. buf is copied. *out is the
 * caller's, to free with chorus_exposed_free. */
chorus_rc chorus_exposed_parse(chorus_ctx *ctx, const char *buf, size_t len,
                               chorus_exposed **out);

/* Reads and parses the file at path (plain, at most 256 MiB). */
chorus_rc chorus_exposed_read(chorus_ctx *ctx, const char *path, chorus_exposed **out);

void chorus_exposed_free(chorus_exposed *e);

/* ---- the run ---- */

/* Items are numbered: posts first (item i is post i of the posts corpus),
 * then articles (item n_posts + j is post j of the articles corpus, whose
 * accounts are the outlets). */
typedef struct chorus_trace_reuse {
    uint32_t source, target;  /* items */
    uint32_t source_start, source_end, target_start, target_end; /* bytes of the original
                                                                    texts, [start, end) */
    float identity;           /* matching columns / alignment columns */
    float coverage;           /* aligned share of the source's match form */
    int32_t score;
} chorus_trace_reuse;

/* Spread of one cluster (a near-duplicate cluster alone, or the items
 * reuse connects: a passage cluster). Times in ms; -1 when never. */
typedef struct chorus_trace_cluster {
    int passage;              /* 1: holds an article or reuse; 0: a near-duplicate cluster */
    int64_t narrative;        /* catalogue narrative number (chorus_trace_narratives), or -1 */
    uint32_t items, posts, accounts, articles, outlets, hops;
    uint32_t earliest;        /* item */
    uint32_t ties;            /* other items at the earliest item's time */
    int minute;               /* the earliest time has minute resolution only */
    int64_t first_ms, last_ms;
    int64_t first_outlet;     /* item, or -1 */
    int64_t to_10_accounts_ms, to_100_accounts_ms; /* after first_ms, or -1 */
} chorus_trace_cluster;

/* A parent is the source of an article's best reuse row, or for a post
 * (and any narrative member) the earlier member most like it. */
typedef struct chorus_trace_edge {
    uint32_t cluster, item;   /* cluster number (from 0): index into clusters */
    int64_t parent;           /* item, or -1 for a root */
} chorus_trace_edge;

typedef struct chorus_trace_launder {
    uint32_t doc;             /* item (an article) */
    uint32_t origin;          /* item (a post): the earliest witness of the passage */
    uint32_t reuse;           /* index of the reuse row that carries the passage */
    int64_t exposed_ms;       /* the origin account's exposure date, or INT64_MIN */
    int by_group;             /* 1: the origin is in a coordinated group, not on the list */
} chorus_trace_launder;

typedef struct chorus_trace_stats {
    uint64_t posts, post_units, articles, post_anchors, doc_anchors, boiler_anchors;
    uint64_t candidates, aligned, reuse, clusters, laundering;
} chorus_trace_stats;

typedef struct chorus_trace {
    chorus_trace_reuse *reuse;     /* per article in order: rows into it (article sources
                                      first), then rows from it into later posts */
    size_t n_reuse;
    chorus_trace_cluster *clusters; /* by first time, then earliest item; narratives
                                      (chorus_trace_narratives) after them */
    size_t n_clusters;
    chorus_trace_edge *edges;      /* by cluster, then time (narratives' last) */
    size_t n_edges;
    chorus_trace_launder *launder; /* in article order */
    size_t n_launder;
    uint32_t n_posts;              /* items below this are posts */
    chorus_trace_stats stats;
    chorus_ctx *ctx;               /* private from here on */
    size_t cap_reuse, cap_clusters, cap_edges, cap_launder;
} chorus_trace;

/* Traces reuse from posts (may be empty) into articles (docs, may be
 * NULL) and from articles into later posts quoting them, then
 * provenance and laundering. exposed (may be NULL) names
 * accounts of posts; group_accounts (may be NULL, else one flag per
 * posts account) marks members of detected coordinated groups. o may be
 * NULL for the defaults. *out is the caller's (chorus_trace_free); it
 * does not point into the corpora. */
chorus_rc chorus_trace_run(chorus_ctx *ctx, const chorus_corpus *posts, const chorus_corpus *docs,
                           const chorus_exposed *exposed, const uint8_t *group_accounts,
                           const chorus_trace_opts *o, chorus_trace **out);

void chorus_trace_free(chorus_trace *t);

struct chorus_catalogue;

/* Adds one cluster per narrative of a built catalogue (match.h) found in
 * the posts or the articles (the same corpora as the run that made t):
 * its members are the items matching finds carrying it, and no reuse.
 * Its tree edges follow the earlier clusters' edges: each later member's
 * parent is the earlier member most like it (the sketches of
 * docs/trace.md, the default match form). Matching runs with the
 * catalogue's options. CHORUS_ENOMEM; the errors of chorus_match_corpus. */
chorus_rc chorus_trace_narratives(chorus_trace *t, const chorus_corpus *posts,
                                  const chorus_corpus *docs, const struct chorus_catalogue *cat);

#ifdef __cplusplus
}
#endif
#endif
