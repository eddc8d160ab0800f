/*
 * match.h - catalogue matching: which posts and articles carry the talking
 * points of an analyst's catalogue (CSV narrative_id,label,text; several
 * rows may share an id: variants, translations). The catalogue is indexed,
 * never the corpus; every text (every window of a long one) is ranked
 * against it by BM25 over match-form words and TF-IDF cosine over
 * character 4-grams, fused by reciprocal rank, and reported when its score
 * (the share of a row's 4-gram weight found in the passage) reaches a
 * calibrated threshold. The method and the calibration: docs/match.md.
 */
#ifndef CHORUS_MATCH_H
#define CHORUS_MATCH_H

#include <chorus/corpus.h>
#include <chorus/text.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default threshold on chorus_match_hit.score, calibrated on labelled
 * data (docs/match.md, docs/quality.md). */
#define CHORUS_MATCH_MIN_SCORE 0.7

typedef struct chorus_match_opts {
    double min_score;      /* report a narrative whose score reaches this
                              (CHORUS_MATCH_MIN_SCORE) */
    uint32_t top;          /* at most this many narratives per text, best fused rank first
                              (0, the default: every one that reaches min_score) */
    uint32_t window_words; /* texts of more than window + stride words are scored by
                              windows of this many words (50) */
    uint32_t stride_words; /* a window starts every this many words (25) */
    uint32_t min_words;    /* texts, windows and catalogue rows with fewer content words
                              (not stopwords) are skipped (3) */
    uint32_t candidates;   /* rows re-scored per text from each ranking (30) */
    double k1, b;          /* BM25 term saturation and length normalisation (0.5, 0.25:
                              tuned on CheckThat! 2020 train, docs/quality.md) */
    double rrf_k;          /* reciprocal-rank fusion: 1 / (rrf_k + rank) (60) */
    int skip_retweets;     /* chorus_match_corpus leaves retweets out (0) */
    uint32_t threads;      /* chorus_match_corpus: threads to use, 0 for one per online
                              CPU (the default; the result is the same for any number,
                              but the allocator must then be thread-safe, as malloc is) */
    uint32_t shard, shards; /* chorus_match_corpus: score only the distinct texts of
                              shard `shard` of `shards` (0 or 1: all, the default);
                              chorus_match_results_merge joins the shards, so that
                              processes can share the work */
    chorus_text_opts text; /* the match form (chorus_text_defaults) */
} chorus_match_opts;

/* Fills o with the defaults above. */
void chorus_match_defaults(chorus_match_opts *o);

typedef struct chorus_catalogue chorus_catalogue;

/* Counts of a built catalogue. */
typedef struct chorus_catalogue_stats {
    uint32_t rows;         /* rows indexed */
    uint32_t rows_short;   /* rows left out: fewer than min_words content words */
    uint32_t narratives;   /* distinct narrative ids (of every row read) */
    uint32_t rules;        /* rows with a keyword rule */
    uint32_t words, grams; /* distinct words and 4-grams in the index */
    uint64_t memory;       /* bytes the catalogue holds */
} chorus_catalogue_stats;

/* Creates an empty catalogue with options o (NULL: the defaults), which it
 * copies. *out is the caller's, to free with chorus_catalogue_free.
 * CHORUS_EUSAGE for options out of range (window 1-1000 words, stride
 * 1-window, candidates 1-1000, min_score 0-1, k1 >= 0, b in 0-1). */
chorus_rc chorus_catalogue_new(chorus_ctx *ctx, const chorus_match_opts *o,
                               chorus_catalogue **out);

void chorus_catalogue_free(chorus_catalogue *cat);

/* Adds one row (copied): the narrative's id, its label (may be empty; the
 * first row's label names the narrative), the text, and an optional
 * keyword rule: all_terms (every one must occur in the text, or in the
 * window of a long one) and any_terms (at least one must), each a list of
 * terms separated by '|' or ';', a term being one or more words, compared
 * in the match form. A rule only ever removes matches: a word alone is
 * no evidence of a talking point. CHORUS_EUSAGE after
 * chorus_catalogue_build or for an empty id, CHORUS_ELIMIT past
 * 16,777,215 rows or a text over 64 KiB. */
chorus_rc chorus_catalogue_add(chorus_catalogue *cat, chorus_str id, chorus_str label,
                               chorus_str text, chorus_str all_terms, chorus_str any_terms);

/* Adds every row of a CSV file (plain or compressed, as chorus_ingest
 * opens them) whose header names narrative_id, label and text (any order,
 * any case; other columns are ignored) and optionally all_terms and
 * any_terms. Rows with an empty id or text are skipped (*skipped counts
 * them, may be NULL). CHORUS_EINPUT for a missing column or a damaged
 * file (the message names file and line). */
chorus_rc chorus_catalogue_read(chorus_catalogue *cat, const char *path, uint64_t *skipped);

/* Builds the index once every row is in: document frequencies, BM25 and
 * TF-IDF weights, postings. CHORUS_EINPUT when no row has enough words. */
chorus_rc chorus_catalogue_build(chorus_catalogue *cat);

void chorus_catalogue_stats_get(const chorus_catalogue *cat, chorus_catalogue_stats *st);

/* Narratives are numbered 0..n-1 in order of first appearance; their ids
 * and labels point into the catalogue. */
uint32_t chorus_catalogue_narrative_count(const chorus_catalogue *cat);
chorus_str chorus_catalogue_narrative_id(const chorus_catalogue *cat, uint32_t k);
chorus_str chorus_catalogue_narrative_label(const chorus_catalogue *cat, uint32_t k);

/* Catalogue rows indexed (short rows are not), in order of addition. */
uint32_t chorus_catalogue_row_count(const chorus_catalogue *cat);
uint32_t chorus_catalogue_row_narrative(const chorus_catalogue *cat, uint32_t row);
chorus_str chorus_catalogue_row_text(const chorus_catalogue *cat, uint32_t row);

/* One narrative found in one text. */
typedef struct chorus_match_hit {
    uint32_t post;       /* corpus index (chorus_match_corpus; 0 from chorus_match_text) */
    uint32_t narrative;  /* catalogue narrative number */
    uint32_t row;        /* the catalogue row (variant) that scored best */
    uint32_t rank;       /* 1-based place of the narrative among the text's candidates,
                            by fused rank (before the threshold) */
    float score;         /* idf-weighted share of the row's distinct character 4-grams
                            present in the passage's window, 0-1: the calibrated score */
    float cosine;        /* TF-IDF cosine of the 4-gram vectors of row and window */
    float bm25;          /* BM25 of the row for the window's words */
    float fused;         /* reciprocal-rank fusion of the BM25 and cosine rankings */
    uint32_t start, end; /* the matched passage: bytes [start, end) of the original text */
} chorus_match_hit;

/* Work done, for the summary and for tests of the cost. In a corpus run,
 * short_texts, windows and rescored count distinct texts only. */
typedef struct chorus_match_stats {
    uint64_t texts;      /* texts looked at (posts with a text) */
    uint64_t short_texts; /* of those, skipped: fewer than min_words content words */
    uint64_t repeats;    /* posts whose text an earlier post had, byte for byte */
    uint64_t windows;    /* units scored (a short text is one) */
    uint64_t rescored;   /* candidate rows scored exactly */
    uint64_t hits;       /* matches reported */
    uint64_t texts_hit;  /* texts with at least one */
} chorus_match_stats;

typedef struct chorus_matcher chorus_matcher;

/* A matcher scores texts against a built catalogue, which must outlive it;
 * it holds scratch memory, so use one per thread. *out is the caller's, to
 * free with chorus_matcher_free. CHORUS_EUSAGE when cat is not built. */
chorus_rc chorus_matcher_new(chorus_ctx *ctx, const chorus_catalogue *cat,
                             chorus_matcher **out);

void chorus_matcher_free(chorus_matcher *m);

/* Scores s[0..len) (any bytes): *hits (owned by the matcher, valid until
 * its next call) gets the narratives it carries, in fused-rank order, and
 * *n their number (0 for a short text). Offsets are into s. */
chorus_rc chorus_match_text(chorus_matcher *m, const char *s, size_t len,
                            const chorus_match_hit **hits, size_t *n);

/* The matcher's counts so far. */
void chorus_matcher_stats(const chorus_matcher *m, chorus_match_stats *st);

/* Every match of a corpus: hits in post order, then fused-rank order. */
typedef struct chorus_match_result {
    chorus_match_hit *hits;
    size_t n_hits;
    chorus_match_stats stats;
    chorus_ctx *ctx; /* private from here on */
    size_t cap;
} chorus_match_result;

/* Scores the text of every post of c (the catalogue's options say which).
 * Texts identical to an earlier post's are not scored again. *out is the
 * caller's, to free with chorus_match_result_free; it does not point into
 * the corpus. Progress is reported as stage "match". CHORUS_ENOMEM,
 * CHORUS_ELIMIT past 2^31 hits, CHORUS_EUSAGE when cat is not built or
 * the progress callback asked to stop. */
chorus_rc chorus_match_corpus(chorus_ctx *ctx, const chorus_catalogue *cat, const chorus_corpus *c,
                              chorus_match_result **out);

void chorus_match_result_free(chorus_match_result *r);

/* Joins the results of shards 0..n_parts-1 (each from chorus_match_corpus
 * with that shard of n_parts, on the same corpus and catalogue) into the
 * result of one unsharded run: hits in post order (a text belongs to one
 * shard), stats summed (texts and repeats are every shard's own). The
 * parts stay the caller's; *out is the caller's, to free with
 * chorus_match_result_free. CHORUS_EUSAGE when two parts hold hits of one
 * post; CHORUS_ENOMEM. */
chorus_rc chorus_match_results_merge(chorus_ctx *ctx, const chorus_match_result *const *parts,
                                     size_t n_parts, chorus_match_result **out);

#ifdef __cplusplus
}
#endif
#endif
