/*
 * dedup_read.c - near-duplicate texts, reading: one pass over the corpus
 * brings each post to its match form, collapses exact copies through a
 * table of match-form hashes, and shingles and signs each distinct text
 * once, keeping its match form (for verification) and its band hashes.
 */
#include "text/dedup_impl.h"

#include "core/hash.h"
#include "core/pages.h"

#include <string.h>

#define PROGRESS_EVERY 65536
#define MAX_TEXTS (UINT32_MAX - 2)

/* The per-text arrays, for growing them all at once; band b is the
 * array CH_DD_FIXED + b. */
#define CH_DD_FIXED 5
static size_t text_arrays(ch_dd_texts *t, void ***arr, size_t *elem)
{
    size_t k = 0;
    arr[k] = (void **)&t->hash, elem[k++] = sizeof *t->hash;
    arr[k] = (void **)&t->count, elem[k++] = sizeof *t->count;
    arr[k] = (void **)&t->first, elem[k++] = sizeof *t->first;
    arr[k] = (void **)&t->set, elem[k++] = sizeof *t->set;
    arr[k] = (void **)&t->set_n, elem[k++] = sizeof *t->set_n;
    for (int b = 0; b < CH_MH_BANDS; b++)
        arr[k] = (void **)&t->band[b], elem[k++] = sizeof *t->band[b];
    return k;
}

/* Resizes every per-text array to cap entries; realloc, so that a large
 * array grows in place (no second copy at the peak). An array that fails
 * keeps its size (caps[] says which), and t->cap is the least of them. */
static chorus_rc resize_texts(ch_dd_run *r, size_t cap)
{
    ch_dd_texts *t = &r->t;
    void **arr[CH_DD_ARRAYS];
    size_t elem[CH_DD_ARRAYS], k = text_arrays(t, arr, elem), least = cap;
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0; i < k; i++) {
        if (t->caps[i] == cap)
            continue;
        void *p = ch_realloc(r->ctx, *arr[i], t->caps[i] * elem[i], cap * elem[i]);
        if (!p) {
            rc = ch_nomem(r->ctx);
            least = t->caps[i] < least ? t->caps[i] : least;
            continue;
        }
        ch_dd_account(r, ((int64_t)cap - (int64_t)t->caps[i]) * (int64_t)elem[i]);
        *arr[i] = p;
        t->caps[i] = cap;
    }
    t->cap = least;
    return rc;
}

/* Room for one more text in every per-text array. */
static chorus_rc grow_texts(ch_dd_run *r)
{
    ch_dd_texts *t = &r->t;
    if (t->n < t->cap)
        return CHORUS_OK;
    if (t->n >= MAX_TEXTS)
        return ch_error(r->ctx, CHORUS_ELIMIT, "dedup: more than %u distinct texts", MAX_TEXTS);
    size_t cap = t->n < 1024 ? 1024 : t->n + t->n / 2;
    return resize_texts(r, cap < MAX_TEXTS ? cap : MAX_TEXTS);
}

void ch_dd_free_band(ch_dd_run *r, unsigned b)
{
    ch_dd_texts *t = &r->t;
    ch_free(r->ctx, t->band[b], t->caps[CH_DD_FIXED + b] * sizeof *t->band[b]);
    ch_dd_account(r, -(int64_t)(t->caps[CH_DD_FIXED + b] * sizeof *t->band[b]));
    t->band[b] = NULL;
    t->caps[CH_DD_FIXED + b] = 0;
}

void ch_dd_free_texts(ch_dd_run *r)
{
    ch_dd_texts *t = &r->t;
    void **arr[CH_DD_ARRAYS];
    size_t elem[CH_DD_ARRAYS], k = text_arrays(t, arr, elem);
    for (size_t i = 0; i < k; i++)
        ch_free(r->ctx, *arr[i], t->caps[i] * elem[i]);
    ch_free(r->ctx, t->table, t->table_cap * sizeof *t->table);
    ch_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

/* Doubles the exact-duplicate table (kept at most half full). */
static chorus_rc grow_table(ch_dd_run *r)
{
    ch_dd_texts *t = &r->t;
    size_t cap = t->table_cap ? 2 * t->table_cap : 4096;
    uint64_t *tab = ch_calloc(r->ctx, cap * sizeof *tab);
    if (!tab)
        return ch_nomem(r->ctx);
    ch_hint_hugepages(tab, cap * sizeof *tab);
    for (size_t i = 0; i < t->table_cap; i++) {
        uint64_t e = t->table[i];
        if (!e)
            continue;
        size_t j = (size_t)t->hash[(uint32_t)e - 1] & (cap - 1);
        while (tab[j])
            j = (j + 1) & (cap - 1);
        tab[j] = e;
    }
    ch_free(r->ctx, t->table, t->table_cap * sizeof *t->table);
    ch_dd_account(r, (int64_t)((cap - t->table_cap) * sizeof *tab));
    t->table = tab;
    t->table_cap = cap;
    return CHORUS_OK;
}

/* The slot of hash h: its entry, or the empty slot where it goes. */
static size_t table_slot(const ch_dd_texts *t, uint64_t h)
{
    size_t j = (size_t)h & (t->table_cap - 1);
    for (;; j = (j + 1) & (t->table_cap - 1)) {
        uint64_t e = t->table[j];
        if (!e || ((e >> 32) == (h >> 32) && t->hash[(uint32_t)e - 1] == h))
            return j;
    }
}

chorus_rc ch_dd_add_text(ch_dd_run *r, uint32_t post, const ch_dd_form *f, const uint32_t *set,
                         const uint32_t *bands)
{
    ch_dd_texts *t = &r->t;
    chorus_rc rc = grow_texts(r);
    uint32_t *kept = rc ? NULL : ch_arena_alloc(&t->arena, (f->n_set + 1) * sizeof *kept);
    if (rc || !kept)
        return rc ? rc : CHORUS_ENOMEM;
    memcpy(kept, set, f->n_set * sizeof *kept);
    ch_dd_account(r, (int64_t)((f->n_set + 2) & ~(size_t)1) * 4);
    uint32_t x = (uint32_t)t->n++;
    t->hash[x] = f->hash;
    t->count[x] = 1;
    t->first[x] = post;
    t->set[x] = kept;
    t->set_n[x] = f->n_set | (f->words_shingled ? CH_DD_WORDS : 0);
    r->d->stats.word_shingled += f->words_shingled;
    t->table[f->slot] = (f->hash >> 32) << 32 | (x + 1);
    r->post_text[post] = x;
    for (unsigned k = 0; k < CH_MH_BANDS; k++) /* an empty set collides with nothing */
        t->band[k][x] = f->empty ? (uint32_t)ch_mix64(x ^ k) : bands[k];
    return CHORUS_OK;
}

chorus_rc ch_dd_shingle(const ch_dd_run *r, ch_shingles *s, const chorus_text_buf *b,
                        ch_dd_form *f, uint32_t bands[CH_MH_BANDS])
{
    f->words_shingled = r->o.long_words == 0 || b->words > r->o.long_words;
    chorus_rc rc = ch_shingles_of(s, b->text, b->len, f->words_shingled);
    if (!rc)
        rc = ch_shingles_pack(s);
    if (rc)
        return rc;
    f->n_set = (uint32_t)s->vn;
    f->empty = s->n == 0;
    uint32_t sig[CH_MH_K];
    ch_minhash(s, sig);
    for (unsigned k = 0; k < CH_MH_BANDS && !f->empty; k++)
        bands[k] = ch_minhash_band(sig, k);
    return CHORUS_OK;
}

chorus_rc ch_dd_lookup(ch_dd_run *r, uint32_t post, ch_dd_form *f)
{
    if (f->words < r->o.min_words) {
        r->d->stats.short_texts++;
        return CHORUS_OK;
    }
    r->d->stats.texts++;
    if (f->len >= CH_DD_WORDS)
        return ch_error(r->ctx, CHORUS_ELIMIT, "dedup: a match form of %zu bytes", f->len);
    ch_dd_texts *t = &r->t;
    chorus_rc rc;
    if (2 * (t->n + 1) > t->table_cap && (rc = grow_table(r)))
        return rc;
    f->slot = table_slot(t, f->hash);
    f->is_new = !t->table[f->slot];
    if (f->is_new)
        return CHORUS_OK;
    uint32_t x = (uint32_t)t->table[f->slot] - 1;
    r->d->stats.exact_groups += t->count[x] == 1;
    t->count[x]++;
    r->post_text[post] = x;
    return CHORUS_OK;
}

/* One post: its match form, found or added among the distinct texts. */
static chorus_rc read_post(ch_dd_run *r, chorus_normalizer *n, const chorus_post_view *v,
                           uint32_t i, chorus_text_buf *b)
{
    chorus_rc rc = chorus_normalize(n, v->text.ptr, v->text.len, b);
    if (rc || b->len == 0)
        return rc;
    ch_dd_form f = {.len = b->len, .words = b->words};
    if (b->words >= r->o.min_words && b->len < CH_DD_WORDS)
        f.hash = chorus_text_hash(b->text, b->len);
    uint32_t bands[CH_MH_BANDS];
    if ((rc = ch_dd_lookup(r, i, &f)) || !f.is_new)
        return rc;
    rc = ch_dd_shingle(r, &r->sa, b, &f, bands);
    return rc ? rc : ch_dd_add_text(r, i, &f, r->sa.v, bands);
}

static chorus_rc read_posts(ch_dd_run *r)
{
    chorus_rc rc = CHORUS_OK;
    for (uint32_t i = 0; i < r->n_posts && !rc; i++) {
        chorus_post_view v;
        chorus_corpus_post(r->c, i, &v);
        r->post_text[i] = UINT32_MAX;
        if (v.kind != CHORUS_KIND_RETWEET && v.text.len)
            rc = read_post(r, v.kind == CHORUS_KIND_REPLY ? r->norm_reply : r->norm, &v, i, &r->buf);
        if (!rc && i % PROGRESS_EVERY == 0 && ch_progress(r->ctx, "dedup: texts", i, r->n_posts, i))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
    return rc;
}

chorus_rc ch_dd_read(ch_dd_run *r)
{
    ch_arena_init(&r->t.arena, r->ctx, (size_t)1 << 20);
    r->t.ctx = r->ctx;
    r->post_text = ch_alloc(r->ctx, ((size_t)r->n_posts + 1) * sizeof *r->post_text);
    if (!r->post_text)
        return ch_nomem(r->ctx);
    ch_dd_account(r, ((int64_t)r->n_posts + 1) * 4);
    chorus_rc rc = r->o.threads > 1 ? ch_dd_read_batches(r) : read_posts(r);
    if (!rc && r->t.n + 1 < r->t.cap && resize_texts(r, r->t.n + 1))
        chorus_clear_error(r->ctx); /* the growth slack stays: harmless */
    ch_free(r->ctx, r->t.table, r->t.table_cap * sizeof *r->t.table); /* done with exact lookups */
    ch_dd_account(r, -(int64_t)(r->t.table_cap * sizeof *r->t.table));
    r->t.table = NULL;
    r->t.table_cap = 0;
    r->d->stats.unique = r->t.n;
    return rc;
}

chorus_rc ch_dd_match_form(ch_dd_run *r, uint32_t p)
{
    chorus_post_view v;
    chorus_corpus_post(r->c, p, &v);
    chorus_normalizer *n = v.kind == CHORUS_KIND_REPLY ? r->norm_reply : r->norm;
    return chorus_normalize(n, v.text.ptr, v.text.len, &r->buf);
}
