/*
 * match_text.c - a matcher (per-thread scratch over a built catalogue)
 * and the matching of one text: its match form, its units (the whole
 * text, or windows of window_words words every stride_words), the best
 * unit per narrative, then ranks, the threshold, rules and the top limit.
 */
#include "text/match_impl.h"

#include <stdlib.h>
#include <string.h>

void chorus_matcher_free(chorus_matcher *m)
{
    if (!m)
        return;
    chorus_ctx *ctx = m->ctx;
    const chorus_catalogue *cat = m->cat;
    size_t nr = cat->n_rows, k = cat->o.candidates, nn = cat->ids.n;
    ch_match_free_scratch(m);
    chorus_normalizer_free(m->norm);
    chorus_text_buf_free(&m->buf);
    ch_mtext_free(&m->tx);
    ch_free(ctx, m->acc_est, nr * sizeof *m->acc_est);
    ch_free(ctx, m->acc_bm25, nr * sizeof *m->acc_bm25);
    ch_free(ctx, m->row_mark, nr);
    ch_free(ctx, m->touched, nr * sizeof *m->touched);
    ch_free(ctx, m->term_stamp, (cat->n_words + 1) * sizeof *m->term_stamp);
    ch_free(ctx, m->heap_a, k * sizeof *m->heap_a);
    ch_free(ctx, m->heap_b, k * sizeof *m->heap_b);
    ch_free(ctx, m->cand, 2 * k * sizeof *m->cand);
    ch_free(ctx, m->wtot, m->w_cap * sizeof *m->wtot);
    ch_free(ctx, m->wmatch, m->w_cap * sizeof *m->wmatch);
    ch_free(ctx, m->best, nn * sizeof *m->best);
    ch_free(ctx, m->best_of, nn * sizeof *m->best_of);
    ch_free(ctx, m->hits, m->hits_cap * sizeof *m->hits);
    ch_free(ctx, m, sizeof *m);
}

chorus_rc chorus_matcher_new(chorus_ctx *ctx, const chorus_catalogue *cat, chorus_matcher **out)
{
    *out = NULL;
    if (!cat->built)
        return ch_error(ctx, CHORUS_EUSAGE, "match: the catalogue is not built");
    chorus_matcher *m = ch_calloc(ctx, sizeof *m);
    if (!m)
        return ch_nomem(ctx);
    m->ctx = ctx;
    m->cat = cat;
    chorus_text_buf_init(&m->buf, ctx);
    ch_mtext_init(&m->tx, ctx);
    size_t nr = cat->n_rows, k = cat->o.candidates, nn = cat->ids.n;
    /* per word of the longest unit (a window widened for its passage, or a
     * whole text of window + stride words), then per junction */
    m->w_cap = 2 * ((size_t)cat->o.window_words + 2 * (size_t)cat->o.stride_words);
    m->acc_est = ch_calloc(ctx, nr * sizeof *m->acc_est);
    m->acc_bm25 = ch_calloc(ctx, nr * sizeof *m->acc_bm25);
    m->row_mark = ch_calloc(ctx, nr);
    m->touched = ch_alloc(ctx, nr * sizeof *m->touched);
    m->term_stamp = ch_calloc(ctx, (cat->n_words + 1) * sizeof *m->term_stamp);
    m->heap_a = ch_alloc(ctx, k * sizeof *m->heap_a);
    m->heap_b = ch_alloc(ctx, k * sizeof *m->heap_b);
    m->cand = ch_alloc(ctx, 2 * k * sizeof *m->cand);
    m->wtot = ch_alloc(ctx, m->w_cap * sizeof *m->wtot);
    m->wmatch = ch_alloc(ctx, m->w_cap * sizeof *m->wmatch);
    m->best = ch_alloc(ctx, nn * sizeof *m->best);
    m->best_of = ch_alloc(ctx, nn * sizeof *m->best_of);
    chorus_rc rc = CHORUS_OK;
    if (!m->acc_est || !m->acc_bm25 || !m->row_mark || !m->touched ||
        !m->term_stamp || !m->heap_a || !m->heap_b || !m->cand || !m->wtot || !m->wmatch ||
        !m->best || !m->best_of)
        rc = ch_nomem(ctx);
    if (!rc)
        rc = chorus_normalizer_new(ctx, &cat->o.text, &m->norm);
    if (rc) {
        chorus_matcher_free(m);
        return rc;
    }
    for (size_t i = 0; i < nn; i++)
        m->best_of[i] = CH_M_NONE;
    *out = m;
    return CHORUS_OK;
}

void chorus_matcher_stats(const chorus_matcher *m, chorus_match_stats *st) { *st = m->st; }

/* Folds the unit [a, b)'s candidates into the text's best per narrative:
 * the row with the highest score stands for its narrative (the passage is
 * computed for it), and the narrative keeps its best fused rank. */
static chorus_rc keep_best(chorus_matcher *m, size_t a, size_t b)
{
    const chorus_catalogue *cat = m->cat;
    for (size_t i = 0; i < m->n_cand; i++) {
        const ch_mcand *c = &m->cand[i];
        const ch_mrow *row = &cat->rows[c->row];
        if ((row->n_all || row->n_any) && !ch_match_rule(m, a, b, c->row))
            continue;
        uint32_t nar = row->narrative, j = m->best_of[nar];
        if (j == CH_M_NONE) {
            j = m->best_of[nar] = (uint32_t)m->n_best++;
            m->best[j] = (ch_mbest){nar, c->row, -1, 0, 0, c->fused, 0, 0, 0};
        }
        ch_mbest *bst = &m->best[j];
        if (c->fused > bst->fused)
            bst->fused = c->fused;
        if (c->score < bst->score || (c->score == bst->score && c->row >= bst->row))
            continue;
        bst->row = c->row;
        bst->score = c->score;
        bst->cosine = c->cosine;
        bst->bm25 = c->bm25;
        bst->has_span = c->score >= cat->o.min_score;
        chorus_rc rc = bst->has_span ? ch_match_span(m, a, b, c->row, &bst->start, &bst->end) : 0;
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

static int by_fused(const void *x, const void *y)
{
    const ch_mbest *a = x, *b = y;
    if (a->fused != b->fused)
        return a->fused > b->fused ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->narrative > b->narrative) - (a->narrative < b->narrative);
}

/* Ranks the text's narratives and keeps those that reach the threshold. */
static chorus_rc emit(chorus_matcher *m)
{
    const chorus_match_opts *o = &m->cat->o;
    qsort(m->best, m->n_best, sizeof *m->best, by_fused);
    m->n_hits = 0;
    for (size_t i = 0; i < m->n_best; i++) {
        const ch_mbest *b = &m->best[i];
        m->best_of[b->narrative] = CH_M_NONE;
        if (!b->has_span || b->score < o->min_score || (o->top && m->n_hits >= o->top))
            continue;
        if (ch_grow(m->ctx, (void **)&m->hits, &m->hits_cap, m->n_hits + 1, sizeof *m->hits))
            return CHORUS_ENOMEM;
        m->hits[m->n_hits++] = (chorus_match_hit){0, b->narrative, b->row, (uint32_t)i + 1,
                                                  b->score, b->cosine, b->bm25, b->fused,
                                                  b->start, b->end};
    }
    m->n_best = 0;
    m->st.hits += m->n_hits;
    m->st.texts_hit += m->n_hits > 0;
    return CHORUS_OK;
}

/* Every unit of the text in m->tx: one, or overlapping windows. */
static chorus_rc score_units(chorus_matcher *m)
{
    const chorus_match_opts *o = &m->cat->o;
    size_t n = m->tx.n, w = o->window_words, s = o->stride_words;
    if (n <= w + s)
        w = n; /* one unit: a post a little over the window is not cut */
    for (size_t a = 0;; a += s) {
        size_t b = a + w < n ? a + w : n, content = 0;
        for (size_t k = a; k < b; k++)
            content += m->tx.w[k].content && !m->tx.w[k].mention;
        if (content >= o->min_words) {
            chorus_rc rc = ch_match_unit(m, a, b);
            if (!rc)
                rc = keep_best(m, a, b);
            if (rc)
                return rc;
        }
        if (b == n)
            return CHORUS_OK;
    }
}

chorus_rc chorus_match_text(chorus_matcher *m, const char *s, size_t len,
                            const chorus_match_hit **hits, size_t *n)
{
    *hits = m->hits;
    *n = 0;
    m->n_hits = 0;
    m->st.texts++;
    chorus_rc rc = chorus_normalize(m->norm, s ? s : "", s ? len : 0, &m->buf);
    if (!rc)
        rc = ch_mtext_split(&m->tx, &m->cat->stop, &m->buf, s, SIZE_MAX);
    if (rc)
        return rc;
    if (m->tx.content < m->cat->o.min_words) {
        m->st.short_texts++;
        return CHORUS_OK;
    }
    rc = score_units(m);
    if (!rc)
        rc = emit(m);
    if (rc) {
        for (size_t i = 0; i < m->n_best; i++)
            m->best_of[m->best[i].narrative] = CH_M_NONE;
        m->n_best = 0;
        m->n_hits = 0;
        return rc;
    }
    *hits = m->hits;
    *n = m->n_hits;
    return CHORUS_OK;
}
