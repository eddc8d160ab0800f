/*
 * match_index.c - builds the catalogue's index once every row is added:
 * words and 4-grams are sorted by hash to count in how many rows each
 * occurs, then laid out as postings (row, weight) behind a hash map.
 * Weights are computed here once (BM25 per word and row, TF-IDF per gram
 * and row) so that scoring a text only adds numbers.
 */
#include "text/match_impl.h"

#include "core/pages.h"
#include "core/radix_sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Entries (distinct word or gram of a row) sorted by hash: keys, the entry
 * index beside each, and the row of every entry. */
typedef struct sorted {
    uint64_t *key;
    uint32_t *ent, *row;
    size_t n;
} sorted;

static void sorted_free(chorus_ctx *ctx, sorted *s)
{
    ch_free(ctx, s->key, (s->n + 1) * sizeof *s->key);
    ch_free(ctx, s->ent, (s->n + 1) * sizeof *s->ent);
    ch_free(ctx, s->row, (s->n + 1) * sizeof *s->row);
    memset(s, 0, sizeof *s);
}

/* Sorts the n entries of arr (rows' ranges from first/count members). */
static chorus_rc sort_entries(chorus_catalogue *cat, const ch_mcount *arr, size_t n, int grams,
                              sorted *s)
{
    chorus_ctx *ctx = cat->ctx;
    s->n = n;
    s->key = ch_alloc(ctx, (n + 1) * sizeof *s->key);
    s->ent = ch_alloc(ctx, (n + 1) * sizeof *s->ent);
    s->row = ch_alloc(ctx, (n + 1) * sizeof *s->row);
    if (!s->key || !s->ent || !s->row)
        return ch_nomem(ctx);
    for (size_t r = 0; r < cat->n_rows; r++) {
        const ch_mrow *row = &cat->rows[r];
        uint32_t f = grams ? row->g_first : row->w_first, c = grams ? row->g_n : row->w_n;
        for (uint32_t j = f; j < f + c; j++)
            s->row[j] = (uint32_t)r;
    }
    for (size_t j = 0; j < n; j++) {
        s->key[j] = arr[j].hash;
        s->ent[j] = (uint32_t)j;
    }
    /* stable: within one hash, entries stay in row order */
    return ch_radix_sort_u64(ctx, s->key, s->ent, n);
}

/* Distinct keys of a sorted list. */
static uint32_t count_distinct(const sorted *s)
{
    uint32_t d = 0;
    for (size_t i = 0; i < s->n; i++)
        d += i == 0 || s->key[i] != s->key[i - 1];
    return d;
}

/* Words: BM25 weight idf * tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)). */
static chorus_rc index_words(chorus_catalogue *cat, const sorted *s)
{
    chorus_ctx *ctx = cat->ctx;
    double N = (double)cat->n_rows, dl_sum = 0;
    for (size_t r = 0; r < cat->n_rows; r++)
        dl_sum += cat->rows[r].words;
    double avgdl = dl_sum / N, k1 = cat->o.k1, b = cat->o.b;
    cat->n_words = count_distinct(s);
    cat->n_wp = cat->n_rt = s->n + 1;
    cat->wp_first = ch_alloc(ctx, (cat->n_words + 1) * sizeof *cat->wp_first);
    cat->wp_row = ch_alloc(ctx, cat->n_wp * sizeof *cat->wp_row);
    cat->wp_w = ch_alloc(ctx, cat->n_wp * sizeof *cat->wp_w);
    cat->rt_term = ch_alloc(ctx, cat->n_rt * sizeof *cat->rt_term);
    cat->rt_w = ch_alloc(ctx, cat->n_rt * sizeof *cat->rt_w);
    if (!cat->wp_first || !cat->wp_row || !cat->wp_w || !cat->rt_term || !cat->rt_w ||
        ch_mmap_init(ctx, &cat->word_map, cat->n_words))
        return ch_nomem(ctx);
    uint32_t t = 0;
    for (size_t i = 0; i < s->n; t++) {
        size_t j = i;
        while (j < s->n && s->key[j] == s->key[i])
            j++;
        double df = (double)(j - i), idf = log(1 + (N - df + 0.5) / (df + 0.5));
        cat->wp_first[t] = (uint32_t)i;
        ch_mmap_put(&cat->word_map, s->key[i], t);
        for (size_t q = i; q < j; q++) {
            uint32_t r = s->row[s->ent[q]];
            double tf = cat->aw[s->ent[q]].tf, dl = cat->rows[r].words;
            cat->wp_row[q] = r;
            cat->wp_w[q] = (float)(idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)));
            cat->rt_term[s->ent[q]] = t;
            cat->rt_w[s->ent[q]] = cat->wp_w[q];
        }
        i = j;
    }
    cat->wp_first[t] = (uint32_t)s->n;
    cat->memory += (cat->n_words + 1) * 4 + s->n * 16 + (cat->word_map.mask + 1) * 16;
    return CHORUS_OK;
}

/* Grams in more rows than this are indexed only by the rows for which
 * they are among the rarest (below): they cannot tell rows apart, and
 * walking their long lists would dominate the time. */
static uint32_t rare_df(size_t rows)
{
    size_t d = rows / 500;
    return (uint32_t)(d < 16 ? 16 : d);
}

/* Every row indexes at least its ROW_INDEXED rarest grams, so that a row
 * of common words can still be found through its grams. */
#define ROW_INDEXED 16

static inline float smooth_idf(double n_rows, size_t df)
{
    return (float)(log((n_rows + 1) / ((double)df + 1)) + 1);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Which entries a row indexes (flag[e]), and its rare_mass. df[e] is the
 * entry's document frequency; tmp has room for the longest row. */
static void pick_indexed(chorus_catalogue *cat, const uint32_t *df, uint8_t *flag, uint32_t *tmp)
{
    double N = (double)cat->n_rows;
    for (size_t r = 0; r < cat->n_rows; r++) {
        ch_mrow *row = &cat->rows[r];
        uint32_t cut = cat->rare_df;
        if (row->g_n) {
            memcpy(tmp, df + row->g_first, row->g_n * sizeof *tmp);
            qsort(tmp, row->g_n, sizeof *tmp, cmp_u32);
            uint32_t own = tmp[(row->g_n < ROW_INDEXED ? row->g_n : ROW_INDEXED) - 1];
            cut = own > cut ? own : cut;
        }
        double mass = 0;
        for (uint32_t e = row->g_first; e < row->g_first + row->g_n; e++) {
            flag[e] = df[e] <= cut;
            mass += flag[e] ? smooth_idf(N, df[e]) : 0;
        }
        row->rare_mass = (float)mass;
    }
}

/* Each entry's document frequency, from the sorted runs. */
static void entry_df(const sorted *s, uint32_t *df)
{
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->key[j] == s->key[i])
            j++;
        for (size_t q = i; q < j; q++)
            df[s->ent[q]] = (uint32_t)(j - i);
        i = j;
    }
}

/* The gram arrays: the map, idf, postings (row, idf / rare_mass). */
static chorus_rc gram_arrays(chorus_catalogue *cat, const sorted *s, size_t n_post)
{
    chorus_ctx *ctx = cat->ctx;
    cat->n_rg = s->n + 1;
    cat->n_gp = n_post + 1;
    size_t slots = 64;
    while (slots < (size_t)cat->n_grams * 2)
        slots *= 2;
    cat->grams = ch_calloc(ctx, slots * sizeof *cat->grams);
    cat->gram_mask = cat->grams ? slots - 1 : 0;
    if (cat->grams)
        ch_hint_hugepages(cat->grams, slots * sizeof *cat->grams);
    cat->gp_row = ch_alloc(ctx, cat->n_gp * sizeof *cat->gp_row);
    cat->gp_w = ch_alloc(ctx, cat->n_gp * sizeof *cat->gp_w);
    cat->rg_hash = ch_alloc(ctx, cat->n_rg * sizeof *cat->rg_hash);
    cat->rg_w = ch_alloc(ctx, cat->n_rg * sizeof *cat->rg_w);
    cat->rg_idf = ch_alloc(ctx, cat->n_rg * sizeof *cat->rg_idf);
    if (!cat->grams || !cat->gp_row || !cat->gp_w || !cat->rg_hash || !cat->rg_w || !cat->rg_idf)
        return ch_nomem(ctx);
    return CHORUS_OK;
}

static void put_gram(chorus_catalogue *cat, ch_gslot g)
{
    size_t i = (size_t)(g.key ^ g.key >> 29) & cat->gram_mask;
    while (cat->grams[i].key)
        i = (i + 1) & cat->gram_mask;
    cat->grams[i] = g;
}

/* Grams: smooth idf ln((N + 1) / (df + 1)) + 1, row weight (1 + ln tf) idf. */
static chorus_rc index_grams(chorus_catalogue *cat, const sorted *s, const uint8_t *flag)
{
    double N = (double)cat->n_rows;
    size_t n_post = 0;
    for (size_t e = 0; e < s->n; e++)
        n_post += flag[e];
    chorus_rc rc = gram_arrays(cat, s, n_post);
    if (rc)
        return rc;
    uint32_t p = 0;
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->key[j] == s->key[i])
            j++;
        float idf = smooth_idf(N, j - i);
        uint32_t first = p;
        for (size_t q = i; q < j; q++) {
            uint32_t e = s->ent[q], r = s->row[e];
            cat->rg_hash[e] = s->key[q];
            cat->rg_idf[e] = idf;
            cat->rg_w[e] = (float)((1 + log((double)cat->ag[e].tf)) * idf);
            if (flag[e]) {
                cat->gp_row[p] = r;
                cat->gp_w[p++] = idf / cat->rows[r].rare_mass;
            }
        }
        put_gram(cat, (ch_gslot){s->key[i], idf, first, p - first});
        i = j;
    }
    cat->memory += s->n * 16 + (size_t)p * 8 + (cat->gram_mask + 1) * sizeof *cat->grams;
    return CHORUS_OK;
}

/* Sorts the grams, chooses what each row indexes, builds the arrays. */
static chorus_rc grams(chorus_catalogue *cat)
{
    chorus_ctx *ctx = cat->ctx;
    sorted s = {0};
    size_t longest = 1;
    for (size_t r = 0; r < cat->n_rows; r++)
        longest = cat->rows[r].g_n > longest ? cat->rows[r].g_n : longest;
    chorus_rc rc = sort_entries(cat, cat->ag, cat->n_ag, 1, &s);
    uint32_t *df = ch_alloc(ctx, (s.n + 1) * sizeof *df);
    uint32_t *tmp = ch_alloc(ctx, longest * sizeof *tmp);
    uint8_t *flag = ch_alloc(ctx, s.n + 1);
    if (!rc && (!df || !tmp || !flag))
        rc = ch_nomem(ctx);
    if (!rc) {
        cat->n_grams = count_distinct(&s);
        cat->rare_df = rare_df(cat->n_rows);
        cat->idf_unseen = smooth_idf((double)cat->n_rows, 0);
        entry_df(&s, df);
        pick_indexed(cat, df, flag, tmp);
        rc = index_grams(cat, &s, flag);
    }
    ch_free(ctx, df, (s.n + 1) * sizeof *df);
    ch_free(ctx, tmp, longest * sizeof *tmp);
    ch_free(ctx, flag, s.n + 1);
    sorted_free(ctx, &s);
    return rc;
}

/* Each row's vector length, idf mass and the share of it indexed. */
static chorus_rc row_norms(chorus_catalogue *cat)
{
    cat->idx_share = ch_alloc(cat->ctx, (cat->n_rows + 1) * sizeof *cat->idx_share);
    if (!cat->idx_share)
        return ch_nomem(cat->ctx);
    for (size_t r = 0; r < cat->n_rows; r++) {
        ch_mrow *row = &cat->rows[r];
        double sq = 0, mass = 0;
        for (uint32_t e = row->g_first; e < row->g_first + row->g_n; e++) {
            sq += (double)cat->rg_w[e] * cat->rg_w[e];
            mass += cat->rg_idf[e];
        }
        row->norm = (float)sqrt(sq);
        row->mass = (float)mass;
        cat->idx_share[r] = mass > 0 ? (float)(row->rare_mass / mass) : 0;
    }
    cat->memory += cat->n_rows * sizeof *cat->idx_share;
    return CHORUS_OK;
}

chorus_rc ch_catalogue_index(chorus_catalogue *cat)
{
    sorted s = {0};
    chorus_rc rc = sort_entries(cat, cat->aw, cat->n_aw, 0, &s);
    if (!rc)
        rc = index_words(cat, &s);
    sorted_free(cat->ctx, &s);
    if (!rc)
        rc = grams(cat);
    if (!rc)
        rc = row_norms(cat);
    cat->memory += cat->rows_cap * sizeof *cat->rows;
    return rc;
}
