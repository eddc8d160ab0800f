/*
 * dedup_impl.h - inside near-duplicate detection: shingle sets, MinHash
 * signatures and band hashes (minhash.c), the pass that reads the corpus
 * and the LSH candidate search (dedup.c), the clusters (dedup_clusters.c).
 */
#ifndef CH_DEDUP_IMPL_H
#define CH_DEDUP_IMPL_H

#include <chorus/dedup.h>

#include "core/arena.h"
#include "core/ctx.h"

#define CH_MH_K CHORUS_DEDUP_HASHES
#define CH_MH_BANDS CHORUS_DEDUP_BANDS
#define CH_MH_ROWS CHORUS_DEDUP_ROWS

/* A shingle set: 64-bit hashes, sorted, distinct; packed, their top 32
 * bits (sorted, distinct: what is kept and compared); reusable scratch. */
typedef struct ch_shingles {
    chorus_ctx *ctx;
    uint64_t *h;
    size_t n, cap;
    uint32_t *v;
    size_t vn, vcap;
    uint32_t *pos;   /* scratch: the characters of the text without spaces */
    size_t pos_cap;
} ch_shingles;

/* Empty scratch allocating through ctx; ch_shingles_free releases the
 * buffers s owns, not s itself. */
void ch_shingles_init(ch_shingles *s, chorus_ctx *ctx);
void ch_shingles_free(ch_shingles *s);

/* Replaces s's set with the shingles of match form t[0..n): word 3-grams
 * when words is set, else character 5-grams of t without its spaces.
 * A text shorter than one shingle is one shingle; an empty one none. */
chorus_rc ch_shingles_of(ch_shingles *s, const char *t, size_t n, int words);

/* Packs s's set into s->v, s->vn (two shingles of one text share their
 * top 32 bits with odds of about n^2 / 2^33: the sets stay exact enough). */
chorus_rc ch_shingles_pack(ch_shingles *s);

/* Values that two packed sets share; when that cannot reach need, the
 * merge may stop early and return less (still under need). */
size_t ch_set_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t need);

/* Jaccard and containment of two packed sets (0 when either is empty). */
void ch_set_similarity(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                       double *jaccard, double *containment);

/* One-permutation MinHash of a non-empty set, densified: sig[k] equal for
 * two sets with probability their Jaccard. */
void ch_minhash(const ch_shingles *s, uint32_t sig[CH_MH_K]);

/* The 32-bit hash of band b (CH_MH_ROWS values) of a signature. */
uint32_t ch_minhash_band(const uint32_t sig[CH_MH_K], unsigned b);

/* Distinct texts: one per match form, numbered in the order first seen. */
typedef struct ch_dd_texts {
    chorus_ctx *ctx;
    size_t n, cap;
    uint64_t *hash;    /* chorus_text_hash of the match form */
    uint32_t *count;   /* posts with this match form */
    uint32_t *first;   /* the first of them (corpus index) */
    const uint32_t **set; /* its packed shingle set, in arena */
    uint32_t *set_n;   /* its size; top bit: shingled by words */
    uint32_t *band[CH_MH_BANDS]; /* band hashes, band-major */
#define CH_DD_ARRAYS (5 + CH_MH_BANDS)
    size_t caps[CH_DD_ARRAYS]; /* entries of each per-text array */
    uint64_t *table;   /* open addressing: hash high 32 bits << 32 | id + 1 */
    size_t table_cap;
    ch_arena arena;
} ch_dd_texts;

#define CH_DD_WORDS 0x80000000u

/* What a result owns beyond its arrays (chorus_dedup.priv). */
typedef struct ch_dd_priv {
    ch_arena arena;   /* the clusters' match forms */
    size_t pairs_cap; /* chorus_dedup.pairs */
} ch_dd_priv;

/* The working state of one run. */
typedef struct ch_dd_run {
    chorus_ctx *ctx;
    const chorus_corpus *c;
    chorus_dedup_opts o;
    uint32_t n_posts;
    uint32_t *post_text; /* per post: its distinct text, or UINT32_MAX */
    ch_dd_texts t;
    uint32_t *parent;    /* union-find over distinct texts */
    chorus_normalizer *norm, *norm_reply; /* replies lose their leading mentions */
    chorus_text_buf buf;
    ch_shingles sa, sb;  /* scratch sets */
    chorus_dedup *d;     /* the result being built */
    ch_dd_priv *priv;    /* d->priv */
    uint64_t memory;     /* bytes held now, for stats.memory */
} ch_dd_run;

/* The two normalisers of a run, made with ctx: posts, and replies
 * without their leading mentions (the people a reply answers, not what it
 * says), as the tweet signal reads them. */
chorus_rc ch_dd_normalizers(chorus_ctx *ctx, const chorus_dedup_opts *o, chorus_normalizer **norm,
                            chorus_normalizer **norm_reply);

/* Reads the corpus: match forms, exact duplicates, signatures (on
 * several threads: ch_dd_read_batches, dedup_batch.c). */
chorus_rc ch_dd_read(ch_dd_run *r);
chorus_rc ch_dd_read_batches(ch_dd_run *r);

/* One post's match form as the reading sees it. */
typedef struct ch_dd_form {
    uint64_t hash;      /* chorus_text_hash of the match form */
    size_t len;         /* its bytes (> 0) */
    uint32_t words;     /* its words */
    uint32_t n_set;     /* ch_dd_shingle: packed shingles */
    int words_shingled; /* ch_dd_shingle: by words */
    int empty;          /* ch_dd_shingle: no shingle at all */
    int is_new;         /* ch_dd_lookup: not among the distinct texts yet */
    size_t slot;        /* ch_dd_lookup: its slot in the table */
} ch_dd_form;

/* Counts post's form (too short; or a text) and finds it among the
 * distinct texts: a copy is counted there, a new one (f->is_new) waits
 * for ch_dd_add_text. Fails on a match form over the size limit. */
chorus_rc ch_dd_lookup(ch_dd_run *r, uint32_t post, ch_dd_form *f);

/* Shingles match form b into s (packed set), f's set fields and the band
 * hashes (not set when f->empty). Reads r only: threads may call it. */
chorus_rc ch_dd_shingle(const ch_dd_run *r, ch_shingles *s, const chorus_text_buf *b,
                        ch_dd_form *f, uint32_t bands[CH_MH_BANDS]);

/* Adds post's new form (after ch_dd_lookup) with its packed set (copied)
 * and band hashes as the next distinct text. */
chorus_rc ch_dd_add_text(ch_dd_run *r, uint32_t post, const ch_dd_form *f, const uint32_t *set,
                         const uint32_t *bands);

/* Frees the distinct texts; or just the band hashes of band b. */
void ch_dd_free_texts(ch_dd_run *r);
void ch_dd_free_band(ch_dd_run *r, unsigned b);

/* The LSH candidate search, verification and union-find. */
chorus_rc ch_dd_link(ch_dd_run *r);

/* Root of text x (path halving). */
uint32_t ch_dd_find(uint32_t *parent, uint32_t x);

/* The match form of post p into r->buf, read as the run reads it. */
chorus_rc ch_dd_match_form(ch_dd_run *r, uint32_t p);

/* Jaccard and containment of distinct texts a and x from their kept
 * sets; texts shingled differently are shingled again by words, from the
 * corpus, as chorus_dedup_similarity does. With quick set, a pair that
 * cannot pass the run's thresholds may stop early with both under them. */
chorus_rc ch_dd_compare(ch_dd_run *r, uint32_t a, uint32_t x, int quick, double *jaccard,
                        double *containment);

/* ch_dd_compare (quick) of two texts shingled alike: reads r only, so
 * threads may call it side by side. */
void ch_dd_compare_kept(const ch_dd_run *r, uint32_t a, uint32_t x, double *jaccard,
                        double *containment);

/* Whether a pair with these ratios passes the run's thresholds. */
int ch_dd_passes(const ch_dd_run *r, double jaccard, double containment);

/* Counts a comparison of texts a and x that gave these ratios and says
 * whether they join (keeping the pair with keep_pairs). */
chorus_rc ch_dd_record(ch_dd_run *r, uint32_t a, uint32_t x, double jaccard, double containment,
                       int *joined);

/* Compares texts a and x, counts the comparison, and says whether they
 * are similar enough to join (keeping the pair with keep_pairs). */
chorus_rc ch_dd_judge(ch_dd_run *r, uint32_t a, uint32_t x, int *joined);

/* Sorts the texts by their hash of band b: keys the hashes, vals the
 * texts (n = r->t.n each), texts in id order within a bucket. */
chorus_rc ch_dd_sort_band(ch_dd_run *r, unsigned b, uint64_t *keys, uint32_t *vals);

/* Center linkage (dedup_center.c): texts in order of priority join the
 * first similar center, or become one. keys and vals: scratch of n. */
chorus_rc ch_dd_link_center(ch_dd_run *r, uint64_t *keys, uint32_t *vals);

/* Whether text x is shingled by words. */
static inline int ch_dd_is_words(const ch_dd_texts *t, uint32_t x)
{
    return (t->set_n[x] & CH_DD_WORDS) != 0;
}

/* The clusters of 2 or more posts into r->d. */
chorus_rc ch_dd_clusters(ch_dd_run *r);

/* Notes that bytes more (or less, negative) are held now. */
void ch_dd_account(ch_dd_run *r, int64_t bytes);

#endif
