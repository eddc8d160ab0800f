/*
 * match_catalogue.c - the analyst's catalogue of talking points: rows are
 * added (or read from a CSV narrative_id,label,text[,all_terms,any_terms]),
 * each brought to its match form and counted into distinct words and
 * 4-grams right away, so building the index (match_index.c) only sorts.
 */
#include "text/match_impl.h"

#include <chorus/csv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void chorus_match_defaults(chorus_match_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_score = CHORUS_MATCH_MIN_SCORE;
    o->window_words = 50;
    o->stride_words = 25;
    o->min_words = 3;
    o->candidates = 30;
    o->k1 = 0.5;
    o->b = 0.25;
    o->rrf_k = 60;
    chorus_text_defaults(&o->text);
}

static chorus_rc check_opts(chorus_ctx *ctx, const chorus_match_opts *o)
{
    if (o->window_words < 1 || o->window_words > 1000)
        return ch_error(ctx, CHORUS_EUSAGE, "match: window of 1 to 1000 words, not %u",
                        o->window_words);
    if (o->stride_words < 1 || o->stride_words > o->window_words)
        return ch_error(ctx, CHORUS_EUSAGE, "match: stride of 1 to %u words (the window), not %u",
                        o->window_words, o->stride_words);
    if (o->candidates < 1 || o->candidates > 1000)
        return ch_error(ctx, CHORUS_EUSAGE, "match: 1 to 1000 candidates, not %u", o->candidates);
    if (!(o->min_score >= 0 && o->min_score <= 1))
        return ch_error(ctx, CHORUS_EUSAGE, "match: min_score from 0 to 1");
    if (!(o->k1 >= 0 && o->k1 <= 100) || !(o->b >= 0 && o->b <= 1) || !(o->rrf_k >= 0))
        return ch_error(ctx, CHORUS_EUSAGE, "match: k1 from 0 to 100, b from 0 to 1, rrf_k >= 0");
    if (o->shards > 1 && o->shard >= o->shards)
        return ch_error(ctx, CHORUS_EUSAGE, "match: shard %u of %u", o->shard, o->shards);
    return CHORUS_OK;
}

chorus_rc chorus_catalogue_new(chorus_ctx *ctx, const chorus_match_opts *o,
                               chorus_catalogue **out)
{
    *out = NULL;
    chorus_match_opts d;
    if (!o) {
        chorus_match_defaults(&d);
        o = &d;
    }
    chorus_rc rc = check_opts(ctx, o);
    if (rc)
        return rc;
    chorus_catalogue *cat = ch_calloc(ctx, sizeof *cat);
    if (!cat)
        return ch_nomem(ctx);
    cat->ctx = ctx;
    cat->o = *o;
    chorus_text_buf_init(&cat->buf, ctx);
    ch_mtext_init(&cat->tx, ctx);
    ch_arena_init(&cat->arena, ctx, (size_t)1 << 16);
    ch_intern_init(&cat->ids, ctx);
    rc = chorus_normalizer_new(ctx, &o->text, &cat->norm);
    if (!rc)
        rc = ch_match_stopwords(ctx, &cat->stop);
    if (rc) {
        chorus_catalogue_free(cat);
        return rc;
    }
    *out = cat;
    return CHORUS_OK;
}

/* The arrays of the adding phase, no longer needed once built. */
static void free_adding(chorus_catalogue *cat)
{
    chorus_ctx *ctx = cat->ctx;
    ch_free(ctx, cat->aw, cat->aw_cap * sizeof *cat->aw);
    ch_free(ctx, cat->ag, cat->ag_cap * sizeof *cat->ag);
    ch_free(ctx, cat->sort_tmp, cat->sort_cap * sizeof *cat->sort_tmp);
    cat->aw = cat->ag = NULL;
    cat->sort_tmp = NULL;
    cat->aw_cap = cat->ag_cap = cat->sort_cap = cat->n_aw = cat->n_ag = 0;
}

void chorus_catalogue_free(chorus_catalogue *cat)
{
    if (!cat)
        return;
    chorus_ctx *ctx = cat->ctx;
    free_adding(cat);
    chorus_normalizer_free(cat->norm);
    chorus_text_buf_free(&cat->buf);
    ch_mtext_free(&cat->tx);
    ch_arena_free(&cat->arena);
    ch_intern_free(&cat->ids);
    ch_free(ctx, cat->labels, cat->labels_cap * sizeof *cat->labels);
    ch_free(ctx, cat->rows, cat->rows_cap * sizeof *cat->rows);
    ch_free(ctx, cat->terms, cat->terms_cap * sizeof *cat->terms);
    ch_free(ctx, cat->rule_words, cat->rule_words_cap * sizeof *cat->rule_words);
    ch_mmap_free(ctx, &cat->stop);
    ch_mmap_free(ctx, &cat->word_map);
    if (cat->grams)
        ch_free(ctx, cat->grams, (cat->gram_mask + 1) * sizeof *cat->grams);
    ch_free(ctx, cat->wp_first, (cat->n_words + 1) * sizeof *cat->wp_first);
    ch_free(ctx, cat->wp_row, cat->n_wp * sizeof *cat->wp_row);
    ch_free(ctx, cat->wp_w, cat->n_wp * sizeof *cat->wp_w);
    ch_free(ctx, cat->gp_row, cat->n_gp * sizeof *cat->gp_row);
    ch_free(ctx, cat->gp_w, cat->n_gp * sizeof *cat->gp_w);
    ch_free(ctx, cat->rt_term, cat->n_rt * sizeof *cat->rt_term);
    ch_free(ctx, cat->rt_w, cat->n_rt * sizeof *cat->rt_w);
    ch_free(ctx, cat->idx_share, (cat->n_rows + 1) * sizeof *cat->idx_share);
    ch_free(ctx, cat->rg_hash, cat->n_rg * sizeof *cat->rg_hash);
    ch_free(ctx, cat->rg_w, cat->n_rg * sizeof *cat->rg_w);
    ch_free(ctx, cat->rg_idf, cat->n_rg * sizeof *cat->rg_idf);
    ch_free(ctx, cat, sizeof *cat);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts h[0..n) and appends each distinct value with its count to
 * *arr; the row's range is *first, *count. */
static chorus_rc append_counted(chorus_catalogue *cat, uint64_t *h, size_t n, ch_mcount **arr,
                                size_t *len, size_t *cap, uint32_t *first, uint32_t *count)
{
    qsort(h, n, sizeof *h, cmp_u64);
    *first = (uint32_t)*len;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && h[j] == h[i])
            j++;
        if (ch_grow(cat->ctx, (void **)arr, cap, *len + 1, sizeof **arr))
            return CHORUS_ENOMEM;
        (*arr)[(*len)++] = (ch_mcount){h[i], (uint32_t)(j - i)};
        i = j;
    }
    *count = (uint32_t)(*len - *first);
    return CHORUS_OK;
}

/* Counts the row's distinct content words and 4-grams (cat->tx). */
static chorus_rc count_row(chorus_catalogue *cat, ch_mrow *r)
{
    const ch_mtext *t = &cat->tx;
    size_t need = ch_mtext_max_grams(t, 0, t->n);
    if (need < t->n)
        need = t->n;
    if (ch_grow(cat->ctx, (void **)&cat->sort_tmp, &cat->sort_cap, need + 1, sizeof *cat->sort_tmp))
        return CHORUS_ENOMEM;
    size_t n = 0;
    for (size_t k = 0; k < t->n; k++)
        if (t->w[k].content)
            cat->sort_tmp[n++] = t->w[k].hash;
    chorus_rc rc = append_counted(cat, cat->sort_tmp, n, &cat->aw, &cat->n_aw, &cat->aw_cap,
                                  &r->w_first, &r->w_n);
    if (rc)
        return rc;
    n = ch_mtext_grams(t, 0, t->n, cat->sort_tmp, NULL);
    return append_counted(cat, cat->sort_tmp, n, &cat->ag, &cat->n_ag, &cat->ag_cap, &r->g_first,
                          &r->g_n);
}

/* Appends the terms of a rule ("a|b c;d": three terms, the second of two
 * words) to cat->terms; *first and *n name them. */
static chorus_rc parse_terms(chorus_catalogue *cat, chorus_str s, uint32_t *first, uint32_t *n)
{
    *first = (uint32_t)cat->n_terms;
    *n = 0;
    size_t i = 0;
    while (i < s.len) {
        size_t j = i;
        while (j < s.len && s.ptr[j] != '|' && s.ptr[j] != ';')
            j++;
        chorus_rc rc = chorus_normalize(cat->norm, s.ptr + i, j - i, &cat->buf);
        if (!rc)
            rc = ch_mtext_split(&cat->tx, &cat->stop, &cat->buf, NULL, 64);
        if (rc)
            return rc;
        i = j + 1;
        if (!cat->tx.n)
            continue;
        if (ch_grow(cat->ctx, (void **)&cat->terms, &cat->terms_cap, cat->n_terms + 1,
                    sizeof *cat->terms) ||
            ch_grow(cat->ctx, (void **)&cat->rule_words, &cat->rule_words_cap,
                    cat->n_rule_words + cat->tx.n, sizeof *cat->rule_words))
            return CHORUS_ENOMEM;
        cat->terms[cat->n_terms++] = (ch_mterm){(uint32_t)cat->n_rule_words, (uint32_t)cat->tx.n};
        for (size_t k = 0; k < cat->tx.n; k++)
            cat->rule_words[cat->n_rule_words++] = cat->tx.w[k].hash;
        (*n)++;
    }
    return CHORUS_OK;
}

/* The narrative number of id, a new one (with its label) when unseen. */
static chorus_rc narrative_of(chorus_catalogue *cat, chorus_str id, chorus_str label,
                              uint32_t *out)
{
    uint32_t before = (uint32_t)cat->ids.n;
    uint32_t k = ch_intern_add(&cat->ids, id.ptr, id.len);
    if (k == CH_NO_ID)
        return chorus_errcode(cat->ctx);
    if (k == before) {
        if (ch_grow(cat->ctx, (void **)&cat->labels, &cat->labels_cap, k + 1, sizeof *cat->labels))
            return CHORUS_ENOMEM;
        char *p = ch_arena_dup(&cat->arena, label.ptr ? label.ptr : "", label.len);
        if (!p)
            return CHORUS_ENOMEM;
        cat->labels[k] = (chorus_str){p, label.len};
    }
    *out = k;
    return CHORUS_OK;
}

chorus_rc chorus_catalogue_add(chorus_catalogue *cat, chorus_str id, chorus_str label,
                               chorus_str text, chorus_str all_terms, chorus_str any_terms)
{
    if (cat->built)
        return ch_error(cat->ctx, CHORUS_EUSAGE, "match: the catalogue is already built");
    if (!id.len)
        return ch_error(cat->ctx, CHORUS_EUSAGE, "match: a catalogue row without an id");
    if (text.len > CH_M_MAX_ROW_BYTES)
        return ch_error(cat->ctx, CHORUS_ELIMIT, "match: narrative %.*s: text over %d bytes",
                        (int)(id.len > 64 ? 64 : id.len), id.ptr, CH_M_MAX_ROW_BYTES);
    if (cat->n_rows >= CH_M_MAX_ROWS)
        return ch_error(cat->ctx, CHORUS_ELIMIT, "match: over %u catalogue rows", CH_M_MAX_ROWS);
    uint32_t nar = 0;
    chorus_rc rc = narrative_of(cat, id, label, &nar);
    if (!rc)
        rc = chorus_normalize(cat->norm, text.ptr ? text.ptr : "", text.len, &cat->buf);
    /* a row's mentions give no words: a talking point is its words,
     * whoever it was addressed to; a text's name whom it is about */
    if (!rc)
        rc = ch_mtext_split(&cat->tx, &cat->stop, &cat->buf, NULL, SIZE_MAX);
    if (rc)
        return rc;
    if (cat->tx.content < cat->o.min_words) {
        cat->rows_short++;
        return CHORUS_OK;
    }
    if (ch_grow(cat->ctx, (void **)&cat->rows, &cat->rows_cap, cat->n_rows + 1, sizeof *cat->rows))
        return CHORUS_ENOMEM;
    ch_mrow *r = &cat->rows[cat->n_rows];
    memset(r, 0, sizeof *r);
    r->narrative = nar;
    r->words = cat->tx.content;
    char *p = ch_arena_dup(&cat->arena, text.ptr, text.len);
    if (!p)
        return CHORUS_ENOMEM;
    r->text = (chorus_str){p, text.len};
    if ((rc = count_row(cat, r)) || (rc = parse_terms(cat, all_terms, &r->all_first, &r->n_all)) ||
        (rc = parse_terms(cat, any_terms, &r->any_first, &r->n_any)))
        return rc;
    cat->n_rules += r->n_all || r->n_any;
    cat->n_rows++;
    return CHORUS_OK;
}

/* Column of name in the header (case-insensitive), or -1. */
static int column(const chorus_csv *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < chorus_csv_nfields(r); i++) {
        chorus_str f = chorus_csv_get(r, i);
        if (i == 0 && f.len >= 3 && !memcmp(f.ptr, "\xEF\xBB\xBF", 3)) /* a BOM */
            f.ptr += 3, f.len -= 3;
        if (f.len == n && !strncasecmp(f.ptr, name, n))
            return (int)i;
    }
    return -1;
}

static chorus_str field(const chorus_csv *r, int col)
{
    if (col < 0 || (size_t)col >= chorus_csv_nfields(r))
        return (chorus_str){"", 0};
    return chorus_csv_get(r, (size_t)col);
}

/* The rows after the header. */
static chorus_rc read_rows(chorus_catalogue *cat, chorus_csv *r, const char *path,
                           const int col[5], uint64_t *skipped)
{
    int has;
    chorus_rc rc;
    while (!(rc = chorus_csv_next(r, &has)) && has) {
        chorus_str id = field(r, col[0]), text = field(r, col[2]);
        if (!id.len || !text.len) {
            if (skipped)
                (*skipped)++;
            continue;
        }
        rc = chorus_catalogue_add(cat, id, field(r, col[1]), text, field(r, col[3]),
                                  field(r, col[4]));
        if (rc == CHORUS_ELIMIT || rc == CHORUS_EUSAGE) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", chorus_errmsg(cat->ctx));
            return ch_error(cat->ctx, CHORUS_EINPUT, "%s:%llu: %s", path,
                            (unsigned long long)chorus_csv_line(r), msg);
        }
        if (rc)
            return rc;
    }
    return rc;
}

chorus_rc chorus_catalogue_read(chorus_catalogue *cat, const char *path, uint64_t *skipped)
{
    chorus_csv *r;
    chorus_rc rc = chorus_csv_open(cat->ctx, path, &r);
    if (rc)
        return rc;
    int has = 0;
    rc = chorus_csv_next(r, &has);
    if (!rc && !has)
        rc = ch_error(cat->ctx, CHORUS_EINPUT, "%s: empty catalogue", path);
    int col[5] = {-1, -1, -1, -1, -1};
    if (!rc) {
        static const char *const names[5] = {"narrative_id", "label", "text", "all_terms",
                                             "any_terms"};
        for (int i = 0; i < 5; i++)
            col[i] = column(r, names[i]);
        if (col[0] < 0 || col[2] < 0)
            rc = ch_error(cat->ctx, CHORUS_EINPUT,
                          "%s: the catalogue needs the columns narrative_id, label, text", path);
    }
    if (!rc)
        rc = read_rows(cat, r, path, col, skipped);
    chorus_csv_close(r);
    return rc;
}

chorus_rc chorus_catalogue_build(chorus_catalogue *cat)
{
    if (cat->built)
        return CHORUS_OK;
    if (!cat->n_rows)
        return ch_error(cat->ctx, CHORUS_EINPUT,
                        "match: no catalogue row has %u words or more (stopwords not counted)",
                        cat->o.min_words);
    chorus_rc rc = ch_catalogue_index(cat);
    if (rc)
        return rc;
    free_adding(cat);
    cat->built = 1;
    return CHORUS_OK;
}

void chorus_catalogue_stats_get(const chorus_catalogue *cat, chorus_catalogue_stats *st)
{
    memset(st, 0, sizeof *st);
    st->rows = (uint32_t)cat->n_rows;
    st->rows_short = cat->rows_short;
    st->narratives = (uint32_t)cat->ids.n;
    st->rules = cat->n_rules;
    st->words = cat->n_words;
    st->grams = cat->n_grams;
    st->memory = cat->memory + cat->arena.bytes;
}

uint32_t chorus_catalogue_narrative_count(const chorus_catalogue *cat)
{
    return (uint32_t)cat->ids.n;
}

chorus_str chorus_catalogue_narrative_id(const chorus_catalogue *cat, uint32_t k)
{
    return (chorus_str){ch_intern_str(&cat->ids, k), ch_intern_len(&cat->ids, k)};
}

chorus_str chorus_catalogue_narrative_label(const chorus_catalogue *cat, uint32_t k)
{
    return cat->labels[k];
}

uint32_t chorus_catalogue_row_count(const chorus_catalogue *cat) { return (uint32_t)cat->n_rows; }

uint32_t chorus_catalogue_row_narrative(const chorus_catalogue *cat, uint32_t row)
{
    return cat->rows[row].narrative;
}

chorus_str chorus_catalogue_row_text(const chorus_catalogue *cat, uint32_t row)
{
    return cat->rows[row].text;
}
