/*
 * trace_impl.h - what the files of src/trace share: the anchor index (a
 * sorted multimap from anchor hash to unit or article), a normalised text
 * as code points, and the state of one run.
 */
#ifndef CH_TRACE_IMPL_H
#define CH_TRACE_IMPL_H

#include "core/ctx.h"

#include <chorus/trace.h>

/* Anchor hash -> values (units or articles), built once then read. */
typedef struct tr_index {
    uint64_t *keys;
    uint32_t *vals;
    size_t n, cap, cap_vals;
    uint64_t *slot_key;            /* open addressing over the distinct keys */
    uint32_t *slot_start, *slot_count; /* count 0: the key is not to be used */
    size_t mask;
} tr_index;

chorus_rc tr_index_add(chorus_ctx *ctx, tr_index *ix, uint64_t key, uint32_t val);

/* Sorts, drops repeated (key, value) pairs and builds the table; keys
 * whose document frequency passes max_df are kept with count 0 (known,
 * unused). The frequency counts values, or with group_of (may be NULL)
 * the distinct groups of the values; stamp then has one zeroed entry per
 * group. */
chorus_rc tr_index_build(chorus_ctx *ctx, tr_index *ix, uint32_t max_df, const uint32_t *group_of,
                         uint32_t *stamp);

/* Values of key (count 0 when absent or unused); *raw gets the number of
 * values before the df cap (may be NULL). */
const uint32_t *tr_index_find(const tr_index *ix, uint64_t key, uint32_t *count, uint32_t *raw);

/* Values of key, the frequent ones too. */
const uint32_t *tr_index_find_all(const tr_index *ix, uint64_t key, uint32_t *count);

void tr_index_free(chorus_ctx *ctx, tr_index *ix);

/* One text as code points: cp[i] at byte off[i] of the match form tb,
 * whose src_off maps back to the original. */
typedef struct tr_text {
    chorus_text_buf tb;
    uint32_t *cp, *off;
    size_t n, cap;
    chorus_trace_anchor *anchors; /* winnowed anchors; the block holding all four arrays */
    uint64_t *hashes;             /* scratch for winnowing */
    size_t n_anchors;
} tr_text;

/* Bottom-k sketch of a text's code-point 5-gram set: its TR_SKETCH
 * smallest distinct 32-bit gram hashes, ascending. */
#define TR_SKETCH 64
typedef struct tr_sketch {
    uint32_t h[TR_SKETCH];
    uint32_t n;
} tr_sketch;

/* Sketch of cp[0..n) (a text shorter than a gram is one gram). */
void tr_sketch_make(const uint32_t *cp, size_t n, tr_sketch *out);

/* Jaccard estimate both / taken: of the TR_SKETCH smallest hashes of the
 * union of the two sketches (taken of them), how many are in both. Exact
 * when both texts have fewer than TR_SKETCH distinct grams. */
void tr_sketch_similarity(const tr_sketch *a, const tr_sketch *b, uint32_t *both,
                          uint32_t *taken);

/* Parent picker over the items of one group in time order: each item's
 * parent is, of the TR_RECENT most recent earlier items, the first item
 * and the representative (when earlier), the one with the highest sketch
 * similarity, ties to the most recent. */
#define TR_RECENT 32
typedef struct tr_parents {
    tr_sketch recent[TR_RECENT], first, rep_sketch;
    uint64_t recent_text[TR_RECENT]; /* hashes of their match forms */
    uint32_t recent_item[TR_RECENT], first_item, rep, rep_pos, seen;
} tr_parents;

/* Starts a group whose representative item is rep (UINT32_MAX: none). */
void tr_parents_reset(tr_parents *p, uint32_t rep);

/* The parent of item, the next of the group in time order, with sketch
 * k and text the hash of its match form (an earlier item with the same
 * text is taken at once); UINT32_MAX for the group's first item. */
uint32_t tr_parents_next(tr_parents *p, uint32_t item, const tr_sketch *k, uint64_t text);

/* The state of one run. */
typedef struct tr {
    chorus_ctx *ctx;
    const chorus_corpus *posts, *docs;
    const chorus_trace_opts *o;
    chorus_trace *res;
    chorus_normalizer *norm;
    uint32_t n_posts, n_docs, n_units;
    uint32_t *unit_first; /* n_units + 1: members of unit u are member[unit_first[u]..] */
    uint32_t *member;     /* posts, in time order within a unit */
    uint32_t *unit_rep;   /* the representative post of each unit */
    uint32_t *post_unit;  /* per post: its unit, or UINT32_MAX */
    uint32_t *post_parent; /* per clustered post: its parent in its unit, or UINT32_MAX */
    tr_parents *picker;   /* scratch of the parents of a unit */
    size_t cap_units, cap_members;
    int64_t *post_ms, *doc_ms;
    uint32_t *post_account, *doc_outlet, *outlet_items;
    uint32_t n_outlets;
    tr_index post_ix, doc_ix, boiler;
    tr_text src, tgt;
    void *matches;        /* scratch of tr_align_pair */
    uint32_t *reuse_unit; /* per reuse row: the source's unit, or UINT32_MAX for an article */
    size_t cap_reuse_unit;
    uint32_t *unit_stamp; /* per unit: 1 + the article that last copied it */
    uint32_t *post_votes; /* per post: shared anchors with the article at hand, else 0 */
    uint32_t *later;      /* posts after the article (quote.c's candidates) */
    size_t cap_later;
} tr;

/* Normalises item (a post, or an article when doc) into t. */
chorus_rc tr_text_load(tr *s, tr_text *t, uint32_t index, int doc);

/* Winnowed anchors of t (k, w) into t->anchors. */
chorus_rc tr_text_anchors(tr *s, tr_text *t, uint32_t k, uint32_t w);

void tr_text_free(chorus_ctx *ctx, tr_text *t);

/* Aligns source text a with target b (whose masked code points are
 * CHORUS_TRACE_MASKED) using their winnowed (k, w) anchors; adds a reuse
 * row per span of at least min_span. Returns the rows added in *added. */
chorus_rc tr_align_pair(tr *s, uint32_t src_item, uint32_t tgt_item, uint32_t unit, uint32_t k,
                        uint32_t w,
                        size_t *added);

/* Reuse from article d (loaded and masked in s->tgt) into the posts
 * later[0..n) (distinct; those within the lag after it sharing
 * min_anchors anchors): one alignment per unit, its earliest post, for
 * each unit that reuse rows from first_row on do not show d copying. */
chorus_rc tr_quotes(tr *s, uint32_t d, const uint32_t *later, size_t n, size_t first_row);

/* Frees tr_align_pair's scratch. */
void tr_pair_free(tr *s);

/* Provenance (clusters, trees) and laundering from the reuse rows. */
chorus_rc tr_provenance(tr *s);
chorus_rc tr_laundering(tr *s, const chorus_exposed *ex, const uint8_t *groups);

#endif
