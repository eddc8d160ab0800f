/*
 * match_score.c - scoring one unit (a short text, or one window of a long
 * one) against the catalogue: BM25 and rare 4-grams are accumulated over
 * postings, the best rows of each become candidates, and only those are
 * scored exactly (4-gram cosine and coverage) and fused by reciprocal
 * rank. Also the matched passage of a row (the densest run of matching
 * words) and keyword rules. docs/match.md explains each choice.
 */
#include "text/match_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A row enters the exact scoring only when the rare 4-grams it shares
 * with the unit reach this share of the threshold: coverage of all grams
 * and of the rare ones move together, and most rows touched by a common
 * word fall far below, so this is where most of the time is saved. */
#define PREFILTER 0.5

/* Gram-table lookups are cache misses; the slot this many grams ahead is
 * fetched while the current one is used. */
#define PREFETCH 8

/* Next value of a stamp; on wrap-around the n marks it guards are cleared. */
static uint32_t next_stamp(uint32_t *stamp, uint32_t *marks, size_t n)
{
    if (++*stamp == 0) {
        memset(marks, 0, n * sizeof *marks);
        *stamp = 1;
    }
    return *stamp;
}

/* Notes that this unit reached row r (its sums start from zero). */
static inline void touch(chorus_matcher *m, uint32_t r)
{
    if (!m->row_mark[r]) {
        m->row_mark[r] = 1;
        m->touched[m->n_touched++] = r;
    }
}

/* Clears what the last unit left in the per-row sums. */
static void clear_rows(chorus_matcher *m)
{
    for (size_t i = 0; i < m->n_touched; i++) {
        uint32_t r = m->touched[i];
        m->acc_est[r] = m->acc_bm25[r] = 0;
        m->row_mark[r] = 0;
    }
    m->n_touched = 0;
}

/* Marks the unit's distinct content words (term_stamp); when all adds
 * their BM25 postings too (ranking mode: a row may rank on words alone). */
static void add_words(chorus_matcher *m, size_t a, size_t b, int all)
{
    const chorus_catalogue *cat = m->cat;
    uint32_t gen = next_stamp(&m->term_gen, m->term_stamp, cat->n_words);
    for (size_t k = a; k < b; k++) {
        uint32_t t;
        if (!m->tx.w[k].content || !ch_mmap_get(&cat->word_map, m->tx.w[k].hash, &t) ||
            m->term_stamp[t] == gen)
            continue;
        m->term_stamp[t] = gen;
        for (uint32_t q = cat->wp_first[t]; all && q < cat->wp_first[t + 1]; q++) {
            touch(m, cat->wp_row[q]);
            m->acc_bm25[cat->wp_row[q]] += cat->wp_w[q];
        }
    }
}

/* BM25 of a candidate from its own words (threshold mode). */
static float row_bm25(const chorus_matcher *m, uint32_t row)
{
    const chorus_catalogue *cat = m->cat;
    const ch_mrow *r = &cat->rows[row];
    float s = 0;
    for (uint32_t e = r->w_first; e < r->w_first + r->w_n; e++)
        if (m->term_stamp[cat->rt_term[e]] == m->term_gen)
            s += cat->rt_w[e];
    return s;
}

static inline size_t set_home(uint64_t key, size_t mask)
{
    return (size_t)(key ^ key >> 29) & mask;
}

static const ch_qslot *set_find(const chorus_matcher *m, uint64_t key)
{
    for (size_t i = set_home(key, m->set_mask);; i = (i + 1) & m->set_mask) {
        const ch_qslot *s = &m->set[i];
        if (s->stamp != m->set_stamp)
            return NULL;
        if (s->key == key)
            return s;
    }
}

/* Frees the occurrence arrays (scratch: nothing in them is kept). */
static void free_occ(chorus_matcher *m)
{
    size_t c = m->q_cap;
    ch_free(m->ctx, m->q_hash, c * sizeof *m->q_hash);
    ch_free(m->ctx, m->q_touch, c * sizeof *m->q_touch);
    ch_free(m->ctx, m->q_next, c * sizeof *m->q_next);
    ch_free(m->ctx, m->q_mark, c * sizeof *m->q_mark);
    ch_free(m->ctx, m->used, c * sizeof *m->used);
    m->q_hash = NULL;
    m->q_touch = NULL;
    m->q_next = m->q_mark = m->used = NULL;
    m->q_cap = 0;
}

void ch_match_free_scratch(chorus_matcher *m)
{
    free_occ(m);
    ch_free(m->ctx, m->set, m->set_cap * sizeof *m->set);
    m->set = NULL;
    m->set_cap = 0;
}

/* Makes room for n gram occurrences and a set of at least 2n slots. */
static chorus_rc reserve_grams(chorus_matcher *m, size_t n)
{
    chorus_ctx *ctx = m->ctx;
    if (n > m->q_cap) {
        size_t nc = m->q_cap + m->q_cap / 2 > n ? m->q_cap + m->q_cap / 2 : n;
        free_occ(m);
        m->q_cap = nc;
        m->q_hash = ch_alloc(ctx, nc * sizeof *m->q_hash);
        m->q_touch = ch_alloc(ctx, nc * sizeof *m->q_touch);
        m->q_next = ch_alloc(ctx, nc * sizeof *m->q_next);
        m->q_mark = ch_calloc(ctx, nc * sizeof *m->q_mark);
        m->used = ch_alloc(ctx, nc * sizeof *m->used);
        if (!m->q_hash || !m->q_touch || !m->q_next || !m->q_mark || !m->used) {
            free_occ(m);
            return ch_nomem(ctx);
        }
        m->mark_stamp = 0;
    }
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    if (slots > m->set_cap) {
        ch_free(ctx, m->set, m->set_cap * sizeof *m->set);
        m->set = ch_calloc(ctx, slots * sizeof *m->set);
        m->set_cap = m->set ? slots : 0;
        if (!m->set)
            return ch_nomem(ctx);
        m->set_stamp = 0;
    }
    m->set_mask = slots - 1;
    return CHORUS_OK;
}

/* 1 + ln tf for small tf, from a table. */
static float log_tf(uint32_t tf)
{
    static const float t[8] = {0, 1, 1.6931472f, 2.0986123f, 2.3862944f, 2.6094379f, 2.7917595f,
                               2.9459101f};
    return tf < 8 ? t[tf] : 1 + logf((float)tf);
}

/* The 4-grams of words [a, b) into the set (occurrences chained by
 * gram), unless it holds them already. */
static chorus_rc build_set(chorus_matcher *m, size_t a, size_t b)
{
    if (m->set_a == a && m->set_b == b && m->set_valid)
        return CHORUS_OK;
    size_t n = ch_mtext_max_grams(&m->tx, a, b);
    chorus_rc rc = reserve_grams(m, n + 1);
    if (rc)
        return rc;
    n = ch_mtext_grams(&m->tx, a, b, m->q_hash, m->q_touch);
    if (++m->set_stamp == 0) { /* wrapped: stale slots could look in use */
        memset(m->set, 0, m->set_cap * sizeof *m->set);
        m->set_stamp = 1;
    }
    uint32_t st = m->set_stamp;
    m->n_used = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = m->q_hash[i];
        size_t j = set_home(key, m->set_mask);
        while (m->set[j].stamp == st && m->set[j].key != key)
            j = (j + 1) & m->set_mask;
        ch_qslot *s = &m->set[j];
        if (s->stamp != st) {
            *s = (ch_qslot){key, st, CH_M_NONE, 0, 0};
            m->used[m->n_used++] = (uint32_t)j;
        }
        m->q_next[i] = s->first;
        s->first = (uint32_t)i;
        s->tf++;
    }
    m->set_a = a, m->set_b = b, m->set_valid = 1;
    return CHORUS_OK;
}

/* The unit's 4-grams into the set; then each distinct one's idf, the
 * query norm, and the postings of the indexed ones. */
static chorus_rc add_grams(chorus_matcher *m, size_t a, size_t b)
{
    const chorus_catalogue *cat = m->cat;
    m->set_valid = 0; /* a new text may have the same range */
    chorus_rc rc = build_set(m, a, b);
    if (rc)
        return rc;
    double sq = 0;
    for (size_t u = 0; u < m->n_used; u++) {
        ch_qslot *s = &m->set[m->used[u]];
        if (u + PREFETCH < m->n_used) { /* the table is big: ask for a later slot now */
            uint64_t k = m->set[m->used[u + PREFETCH]].key;
            __builtin_prefetch(&cat->grams[(size_t)(k ^ k >> 29) & cat->gram_mask]);
        }
        const ch_gslot *g = ch_gram_find(cat->grams, cat->gram_mask, s->key);
        s->wq = log_tf(s->tf) * (g ? g->idf : cat->idf_unseen);
        sq += (double)s->wq * s->wq;
        if (!g)
            continue;
        for (uint32_t q = g->first; q < g->first + g->n; q++) {
            touch(m, cat->gp_row[q]);
            m->acc_est[cat->gp_row[q]] += cat->gp_w[q];
        }
    }
    m->q_norm = sqrt(sq);
    return CHORUS_OK;
}

/* ---- candidates ---- */

static inline float key_of(const ch_mcand *c, int by_est) { return by_est ? c->est : c->bm25; }

/* a before b: larger value, then the earlier row (ties must not depend
 * on the order rows were touched in). */
static inline int before(const ch_mcand *a, const ch_mcand *b, int by_est)
{
    float x = key_of(a, by_est), y = key_of(b, by_est);
    return x > y || (x == y && a->row < b->row);
}

/* Offers c to a min-heap h of the k best: h[0] is the worst kept. */
static void heap_offer(ch_mcand *h, size_t *n, size_t k, const ch_mcand *c, int by_est)
{
    size_t i;
    if (*n < k) {
        for (i = (*n)++; i > 0 && before(&h[(i - 1) / 2], c, by_est); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = *c;
        return;
    }
    if (!before(c, &h[0], by_est))
        return;
    for (i = 0;;) {
        size_t l = 2 * i + 1, w = i;
        const ch_mcand *worst = c;
        if (l < *n && before(worst, &h[l], by_est))
            w = l, worst = &h[l];
        if (l + 1 < *n && before(worst, &h[l + 1], by_est))
            w = l + 1;
        if (w == i)
            break;
        h[i] = h[w];
        i = w;
    }
    h[i] = *c;
}

/* The k best touched rows by BM25 and the k best by indexed-gram share,
 * among those that pass the prefilter; their union into m->cand. Without
 * words (threshold mode) the BM25 of the candidates is computed here. */
static void pick_candidates(chorus_matcher *m, int words)
{
    const chorus_catalogue *cat = m->cat;
    size_t k = cat->o.candidates;
    float pf = (float)(PREFILTER * cat->o.min_score), floor = (float)cat->o.min_score - 1e-4f;
    m->n_a = m->n_b = m->n_cand = 0;
    for (size_t i = 0; i < m->n_touched; i++) {
        uint32_t r = m->touched[i];
        float est = m->acc_est[r];
        /* a bound, not a guess: the grams not indexed cannot add more than
         * their share, so a row below the threshold even with all of them
         * is not scored */
        if (est < pf || 1 - (1 - est) * cat->idx_share[r] < floor)
            continue;
        ch_mcand c = {r, m->acc_bm25[r], m->acc_est[r], 0, 0, 0};
        if (words)
            heap_offer(m->heap_a, &m->n_a, k, &c, 0);
        if (c.est > 0)
            heap_offer(m->heap_b, &m->n_b, k, &c, 1);
    }
    for (int h = 0; h < 2; h++) {
        const ch_mcand *arr = h ? m->heap_b : m->heap_a;
        for (size_t i = 0, n = h ? m->n_b : m->n_a; i < n; i++) {
            if (m->row_mark[arr[i].row] == 2)
                continue;
            m->row_mark[arr[i].row] = 2;
            m->cand[m->n_cand] = arr[i];
            if (!words)
                m->cand[m->n_cand].bm25 = row_bm25(m, arr[i].row);
            m->n_cand++;
        }
    }
}

/* Cosine and coverage of one candidate, from its row's grams. */
static void score_exact(chorus_matcher *m, ch_mcand *c)
{
    const chorus_catalogue *cat = m->cat;
    const ch_mrow *row = &cat->rows[c->row];
    double dot = 0, cov = 0;
    for (uint32_t e = row->g_first; e < row->g_first + row->g_n; e++) {
        const ch_qslot *s = set_find(m, cat->rg_hash[e]);
        if (!s)
            continue;
        dot += (double)s->wq * cat->rg_w[e];
        cov += cat->rg_idf[e];
    }
    double den = m->q_norm * row->norm;
    c->cosine = den > 0 ? (float)(dot / den) : 0;
    c->score = row->mass > 0 ? (float)(cov / row->mass) : 0;
    if (c->score > 1) /* rounding */
        c->score = 1;
}

static int by_bm25(const void *a, const void *b)
{
    const ch_mcand *x = a, *y = b;
    return before(x, y, 0) ? -1 : before(y, x, 0) ? 1 : 0;
}

static int by_cosine(const void *a, const void *b)
{
    const ch_mcand *x = a, *y = b;
    if (x->cosine != y->cosine)
        return x->cosine > y->cosine ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* qsort, or an insertion sort for the few candidates of most units (the
 * library call costs more than the work there). */
static void sort_cands(ch_mcand *c, size_t n, int (*cmp)(const void *, const void *))
{
    if (n > 32) {
        qsort(c, n, sizeof *c, cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        ch_mcand x = c[i];
        size_t j = i;
        for (; j > 0 && cmp(&c[j - 1], &x) > 0; j--)
            c[j] = c[j - 1];
        c[j] = x;
    }
}

/* Reciprocal-rank fusion of the BM25 and the cosine rankings. */
static void fuse(chorus_matcher *m)
{
    double k = m->cat->o.rrf_k;
    sort_cands(m->cand, m->n_cand, by_bm25);
    for (size_t i = 0; i < m->n_cand; i++)
        m->cand[i].fused = (float)(1 / (k + (double)(i + 1)));
    sort_cands(m->cand, m->n_cand, by_cosine);
    for (size_t i = 0; i < m->n_cand; i++)
        m->cand[i].fused += (float)(1 / (k + (double)(i + 1)));
}

chorus_rc ch_match_unit(chorus_matcher *m, size_t a, size_t b)
{
    const chorus_catalogue *cat = m->cat;
    clear_rows(m);
    m->n_cand = 0;
    /* with a threshold, a row must share indexed grams (the prefilter), so
     * walking the words' postings would only find rows to throw away */
    int words = cat->o.min_score <= 0;
    add_words(m, a, b, words);
    chorus_rc rc = add_grams(m, a, b);
    if (rc)
        return rc;
    pick_candidates(m, words);
    for (size_t i = 0; i < m->n_cand; i++)
        score_exact(m, &m->cand[i]);
    m->st.rescored += m->n_cand;
    m->st.windows++;
    fuse(m);
    return CHORUS_OK;
}

/* ---- the passage ---- */

/* Marks the unit's gram occurrences that row has. */
static void mark_row(chorus_matcher *m, uint32_t row)
{
    const chorus_catalogue *cat = m->cat;
    const ch_mrow *r = &cat->rows[row];
    uint32_t st = next_stamp(&m->mark_stamp, m->q_mark, m->q_cap);
    for (uint32_t e = r->g_first; e < r->g_first + r->g_n; e++) {
        const ch_qslot *s = set_find(m, cat->rg_hash[e]);
        for (uint32_t i = s ? s->first : CH_M_NONE; i != CH_M_NONE; i = m->q_next[i])
            m->q_mark[i] = st;
    }
}

/* Anchor words with more content words than this between them are not
 * one passage: a synonym or a typo or two inside a talking point leave a
 * smaller gap (stopwords do not count: "who bulit it will be the first"
 * is one gap of one word). */
#define MAX_GAP 2

/* Share of matched grams (-1 without grams). */
static double share(uint32_t matched, uint32_t total)
{
    return total ? (double)matched / total : -1;
}

/* Counts, per word of the unit, its own 4-grams (" jobs ") that the row
 * has, and per junction of two words the grams across it ("bs o"). */
static void count_grams(chorus_matcher *m, size_t a, size_t b, uint32_t row)
{
    size_t nw = b - a, n = ch_mtext_max_grams(&m->tx, a, b);
    uint32_t *jtot = m->wtot + nw, *jmatch = m->wmatch + nw;
    mark_row(m, row);
    memset(m->wtot, 0, 2 * nw * sizeof *m->wtot);
    memset(m->wmatch, 0, 2 * nw * sizeof *m->wmatch);
    for (size_t i = 0; i < n; i++) {
        int16_t w0 = m->q_touch[i][0], w1 = m->q_touch[i][1];
        if (w0 < 0)
            continue;
        uint32_t *tot = w1 < 0 ? m->wtot : jtot, *mat = w1 < 0 ? m->wmatch : jmatch;
        tot[w0]++;
        mat[w0] += m->q_mark[i] == m->mark_stamp;
    }
}

/* Whether the row has every gram across junction j (words j and j + 1). */
static int junction(const chorus_matcher *m, size_t nw, size_t j)
{
    return share(m->wmatch[nw + j], m->wtot[nw + j]) >= 1;
}

/* A word that anchors the passage: a content word of the row (3/4 of its
 * own grams) that follows or precedes a neighbour as in the row (every
 * gram across). The same word elsewhere (a hashtag after the text, a name
 * in the next sentence) has no such neighbour. */
static int anchors(const chorus_matcher *m, size_t a, size_t nw, size_t k)
{
    if (!m->tx.w[a + k].content || share(m->wmatch[k], m->wtot[k]) < 0.75)
        return 0;
    return (k > 0 && junction(m, nw, k - 1)) || (k + 1 < nw && junction(m, nw, k));
}

/* Whether word k (own grams) joins the passage through the junction j. */
static int joins(const chorus_matcher *m, size_t nw, size_t k, size_t j)
{
    return share(m->wmatch[k], m->wtot[k]) >= 0.75 && junction(m, nw, j);
}

/* The passage of row in the unit: the largest group of anchor words, no
 * two more than MAX_GAP content words apart, from its first anchor to its last,
 * widened by the words next to it that are the row's in their place
 * ("The" before "Ostravin"); the whole unit when nothing anchors. */
chorus_rc ch_match_span(chorus_matcher *m, size_t a, size_t b, uint32_t row, uint32_t *start,
                        uint32_t *end)
{
    /* a window is widened by a stride each side: a talking point across
     * two windows is scored in one, but its passage is all of it */
    size_t s = m->cat->o.stride_words, n = m->tx.n;
    if (b - a < n) {
        a = a > s ? a - s : 0;
        b = b + s < n ? b + s : n;
    }
    chorus_rc rc = build_set(m, a, b);
    if (rc)
        return rc;
    size_t nw = b - a, bs = 0, be = nw - 1, best = 0, cs = 0, count = 0;
    count_grams(m, a, b, row);
    size_t gap = 0; /* content words since the last anchor */
    for (size_t k = 0; k < nw; k++) {
        if (!anchors(m, a, nw, k)) {
            gap += m->tx.w[a + k].content;
            continue;
        }
        if (!count || gap > MAX_GAP)
            cs = k, count = 0;
        gap = 0;
        if (++count > best)
            best = count, bs = cs, be = k;
    }
    while (best && bs > 0 && joins(m, nw, bs - 1, bs - 1))
        bs--;
    while (best && be + 1 < nw && joins(m, nw, be + 1, be))
        be++;
    const uint32_t *off = m->buf.src_off;
    *start = off[m->tx.w[a + bs].ms_start];
    *end = off[m->tx.w[a + be].ms_end];
    return CHORUS_OK;
}

/* ---- keyword rules ---- */

static int has_word(const ch_mtext *t, size_t a, size_t b, uint64_t h)
{
    for (size_t k = a; k < b; k++)
        if (t->w[k].hash == h)
            return 1;
    return 0;
}

static int term_holds(const chorus_matcher *m, size_t a, size_t b, const ch_mterm *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (!has_word(&m->tx, a, b, m->cat->rule_words[t->first + i]))
            return 0;
    return 1;
}

int ch_match_rule(const chorus_matcher *m, size_t a, size_t b, uint32_t row)
{
    const ch_mrow *r = &m->cat->rows[row];
    for (uint32_t i = 0; i < r->n_all; i++)
        if (!term_holds(m, a, b, &m->cat->terms[r->all_first + i]))
            return 0;
    if (!r->n_any)
        return 1;
    for (uint32_t i = 0; i < r->n_any; i++)
        if (term_holds(m, a, b, &m->cat->terms[r->any_first + i]))
            return 1;
    return 0;
}
