/*
 * match_impl.h - inside catalogue matching (match.h): the words and
 * character 4-grams of a match form, the catalogue's index (words and
 * 4-grams to postings of catalogue rows, with BM25 and TF-IDF weights),
 * and the hash tables they share. docs/match.md describes the method.
 */
#ifndef CH_MATCH_IMPL_H
#define CH_MATCH_IMPL_H

#include <chorus/match.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/intern.h"

/* A run of letters longer than this is no word (base64, a URL without its
 * scheme, keyboard mashing): it would only add 4-grams nobody shares. */
#define CH_M_MAX_WORD_CP 40
/* Catalogue rows longer than this are refused: a talking point is a
 * sentence or two, and a row's postings are kept whole. */
#define CH_M_MAX_ROW_BYTES 65536
#define CH_M_MAX_ROWS 16777215u

/* One word of a match form: a maximal run of letters, marks and digits,
 * outside mentions and link tokens. */
typedef struct ch_mword {
    uint64_t hash;
    uint32_t ms_start, ms_end; /* bytes of the match form */
    uint32_t cp_first, cp_len; /* its code points in ch_mtext.cp */
    uint8_t content;           /* not a stopword */
    uint8_t mention;           /* a part of a mention's handle: counts for no minimum length */
} ch_mword;

/* The words of one match form, reused between texts. */
typedef struct ch_mtext {
    chorus_ctx *ctx;
    ch_mword *w;
    size_t n, cap;
    uint32_t *cp;
    size_t ncp, cpcap;
    uint32_t content; /* content words */
} ch_mtext;

/* An open-addressing map from a 64-bit hash (never 0) to a 32-bit value;
 * key and value side by side, so that a lookup touches one cache line. */
typedef struct ch_mslot {
    uint64_t key;
    uint32_t val, pad;
} ch_mslot;

typedef struct ch_mmap {
    ch_mslot *slots;
    size_t mask; /* slots - 1; 0 with slots NULL when empty */
} ch_mmap;

/* A catalogue row as indexed. */
typedef struct ch_mrow {
    chorus_str text;
    uint32_t narrative;
    uint32_t words;            /* content words: the BM25 document length */
    uint32_t w_first, w_n;     /* distinct content words (while adding) */
    uint32_t g_first, g_n;     /* distinct 4-grams: ag_* while adding, rg_* once built */
    uint32_t all_first, n_all; /* rule terms, in terms[] */
    uint32_t any_first, n_any;
    float norm;      /* length of its TF-IDF 4-gram vector */
    float mass;      /* sum of idf over its distinct 4-grams: the score's denominator */
    float rare_mass; /* the same over its indexed 4-grams (those with postings) */
} ch_mrow;

/* A distinct word or 4-gram of a row, and how often it occurs there. */
typedef struct ch_mcount {
    uint64_t hash;
    uint32_t tf;
} ch_mcount;

/* A 4-gram of the catalogue: all a text needs of it in one slot of an
 * open-addressing table, so that looking it up is one cache miss. */
typedef struct ch_gslot {
    uint64_t key;         /* the gram's hash; 0: empty slot */
    float idf;
    uint32_t first, n;    /* its postings: gp_*[first .. first + n) */
} ch_gslot;

static inline const ch_gslot *ch_gram_find(const ch_gslot *t, size_t mask, uint64_t key)
{
    for (size_t i = (size_t)(key ^ key >> 29) & mask;; i = (i + 1) & mask) {
        if (t[i].key == key)
            return &t[i];
        if (!t[i].key)
            return NULL;
    }
}

/* A rule term: words[first .. first + n) must all occur. */
typedef struct ch_mterm {
    uint32_t first, n;
} ch_mterm;

struct chorus_catalogue {
    chorus_ctx *ctx;
    chorus_match_opts o;
    int built;
    chorus_normalizer *norm;
    chorus_text_buf buf;
    ch_mtext tx;
    ch_arena arena; /* labels and row texts */
    ch_intern ids;  /* narrative ids: intern id = narrative number */
    chorus_str *labels;
    size_t labels_cap;
    ch_mrow *rows;
    size_t n_rows, rows_cap;
    uint32_t rows_short, n_rules;
    ch_mmap stop; /* stopword hashes */
    /* while adding: each row's distinct words and grams with their counts */
    ch_mcount *aw, *ag;
    size_t n_aw, aw_cap, n_ag, ag_cap;
    uint64_t *sort_tmp; /* one row's hashes, sorted to count them */
    size_t sort_cap;
    /* rules */
    ch_mterm *terms;
    size_t n_terms, terms_cap;
    uint64_t *rule_words;
    size_t n_rule_words, rule_words_cap;
    /* the index, once built */
    ch_mmap word_map; /* word hash -> term */
    uint32_t n_words;
    uint32_t *wp_first; /* n_words + 1: postings of term t are wp_*[wp_first[t] ..] */
    uint32_t *wp_row;
    float *wp_w; /* the term's BM25 weight in that row */
    ch_gslot *grams; /* the grams' table */
    size_t gram_mask; /* its slots - 1 */
    uint32_t n_grams;
    uint32_t *gp_row; /* postings: the rows that index a gram */
    float *gp_w;      /* idf / the row's rare_mass: sums to the share seen */
    float idf_unseen; /* idf of a gram no row has */
    uint32_t rare_df; /* grams in at most this many rows are indexed by every row */
    uint64_t *rg_hash; /* each row's distinct grams (g_first, g_n) */
    float *rg_w, *rg_idf;
    float *idx_share;  /* per row: rare_mass / mass, for the bound on its score */
    uint32_t *rt_term; /* each row's distinct content words (w_first, w_n) */
    float *rt_w;       /* and their BM25 weights */
    size_t n_wp, n_gp, n_rg, n_rt; /* lengths of wp_*, gp_*, rg_*, rt_* as allocated */
    uint64_t memory;
};

/* A distinct 4-gram of the unit being scored (matcher scratch). */
typedef struct ch_qslot {
    uint64_t key;
    uint32_t stamp; /* the slot is in use when it equals the matcher's set_stamp */
    uint32_t first; /* its first occurrence; the others follow q_next */
    uint32_t tf;
    float wq;       /* (1 + ln tf) idf */
} ch_qslot;

/* A catalogue row considered for the unit being scored. */
typedef struct ch_mcand {
    uint32_t row;
    float bm25, est;  /* BM25; share of its indexed-gram mass seen (the prefilter) */
    float cosine, score, fused;
} ch_mcand;

/* The best a text has shown of one narrative so far. */
typedef struct ch_mbest {
    uint32_t narrative, row;
    float score, cosine, bm25, fused;
    uint32_t start, end; /* bytes of the input */
    int has_span;
} ch_mbest;

#define CH_M_NONE UINT32_MAX

struct chorus_matcher {
    chorus_ctx *ctx;
    const chorus_catalogue *cat;
    chorus_normalizer *norm;
    chorus_text_buf buf;
    ch_mtext tx;
    /* occurrences of the unit's grams */
    uint64_t *q_hash;
    int16_t (*q_touch)[2];
    uint32_t *q_next, *q_mark;
    size_t q_cap;
    uint32_t mark_stamp;
    /* the unit's distinct grams */
    ch_qslot *set;
    size_t set_cap, set_mask;
    uint32_t set_stamp;
    uint32_t *used; /* slots in use, in order of first occurrence */
    size_t n_used;
    size_t set_a, set_b; /* the words whose grams the set holds */
    int set_valid;
    double q_norm;
    /* per catalogue row and word */
    float *acc_est, *acc_bm25; /* per row; zero but for the rows touched */
    uint8_t *row_mark;         /* per row: 1 touched by the unit, 2 a candidate */
    uint32_t *term_stamp;
    uint32_t term_gen;
    uint32_t *touched;
    size_t n_touched;
    /* candidates of the unit: two heaps, then their union */
    ch_mcand *heap_a, *heap_b, *cand;
    size_t n_a, n_b, n_cand;
    /* per word of the unit, for the passage */
    uint32_t *wtot, *wmatch;
    size_t w_cap;
    /* per narrative of the text */
    ch_mbest *best;
    uint32_t *best_of; /* narrative -> index in best, or CH_M_NONE */
    size_t n_best;
    chorus_match_hit *hits;
    size_t n_hits, hits_cap;
    chorus_match_stats st;
};

/* Scores words [a, b) of m->tx (match_score.c): fills m->cand with the
 * candidates, their exact scores and fused ranks. */
chorus_rc ch_match_unit(chorus_matcher *m, size_t a, size_t b);

/* The passage of row in unit [a, b) (widened by a stride each side when
 * it is a window): bytes of the input (match_score.c). Only fails when
 * out of memory. */
chorus_rc ch_match_span(chorus_matcher *m, size_t a, size_t b, uint32_t row, uint32_t *start,
                        uint32_t *end);

/* Frees the matcher's gram scratch (match_score.c). */
void ch_match_free_scratch(chorus_matcher *m);

/* Whether row's keyword rule holds for words [a, b) of m->tx. */
int ch_match_rule(const chorus_matcher *m, size_t a, size_t b, uint32_t row);

/* Prepares an empty word list. */
void ch_mtext_init(ch_mtext *t, chorus_ctx *ctx);
void ch_mtext_free(ch_mtext *t);

/* Splits the match form in b into words (stop says which are stopwords).
 * src is the input b was made from: its capitals split a mention's handle
 * into words (NULL: mentions give no words). Words past max_words are not
 * kept. */
chorus_rc ch_mtext_split(ch_mtext *t, const ch_mmap *stop, const chorus_text_buf *b,
                         const char *src, size_t max_words);

/* The number of 4-grams ch_mtext_grams gives for words [a, b) of t. */
size_t ch_mtext_max_grams(const ch_mtext *t, size_t a, size_t b);

/* Writes the 4-grams of words [a, b) (joined by single spaces, with a
 * space before and after; mention words in streams of their own after
 * the others) into hash[]; touch[i] holds the one or two words (indexes
 * relative to a, -1 for none) that gram i overlaps. touch may be NULL.
 * Returns the count. */
size_t ch_mtext_grams(const ch_mtext *t, size_t a, size_t b, uint64_t *hash, int16_t (*touch)[2]);

/* The hash of a word given as bytes (as ch_mtext_split hashes them). */
uint64_t ch_mword_hash(const char *p, size_t n);

/* Map: builds one with room for n keys; finds; adds (the key is new). */
chorus_rc ch_mmap_init(chorus_ctx *ctx, ch_mmap *m, size_t n);
void ch_mmap_free(chorus_ctx *ctx, ch_mmap *m);
void ch_mmap_put(ch_mmap *m, uint64_t key, uint32_t val);
static inline int ch_mmap_get(const ch_mmap *m, uint64_t key, uint32_t *val)
{
    if (!m->slots)
        return 0;
    for (size_t i = (size_t)(key ^ key >> 29) & m->mask;; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key) {
            *val = m->slots[i].val;
            return 1;
        }
        if (!m->slots[i].key)
            return 0;
    }
}

/* The built-in stopwords (English and Persian) into a map. */
chorus_rc ch_match_stopwords(chorus_ctx *ctx, ch_mmap *m);

/* Builds the index of a catalogue whose rows are all added (match_index.c). */
chorus_rc ch_catalogue_index(chorus_catalogue *cat);

#endif
