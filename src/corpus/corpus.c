/*
 * corpus.c - posts in columns (see corpus_impl.h): adding a post from a
 * reader's record, duplicate ids across files (kept once, counted), the
 * post view, and the corpus-wide accessors. Every repeated string is
 * interned; texts are copied once into the arena.
 */
#include "corpus_impl.h"
#include "core/hash.h"
#include "core/pages.h"
#include "core/utf8.h"
#include "io/fields.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

chorus_corpus *chorus_corpus_new(chorus_ctx *ctx)
{
    chorus_corpus *c = ch_calloc(ctx, sizeof *c);
    if (!c) {
        ch_nomem(ctx);
        return NULL;
    }
    c->ctx = ctx;
    ch_intern_init(&c->strs, ctx);
    ch_intern_init(&c->acct_ids, ctx);
    ch_arena_init(&c->text, ctx, (size_t)4 << 20);
    c->tmin = INT64_MAX;
    c->tmax = INT64_MIN;
    return c;
}

#define POST_ARRAYS(X)                                                                  \
    X(key) X(ref) X(acct) X(ref_acct) X(time) X(kind) X(res) X(file) X(txt) X(txt_len) \
    X(client) X(lang) X(source) X(title) X(list_off) X(n_tags) X(n_urls) X(n_ments)

void chorus_corpus_free(chorus_corpus *c)
{
    if (!c)
        return;
    chorus_ctx *ctx = c->ctx;
#define FREE_ARRAY(a) ch_free(ctx, c->a, c->pcap * sizeof *c->a);
    POST_ARRAYS(FREE_ARRAY)
#undef FREE_ARRAY
    for (uint32_t k = 0; k < c->n_objcols; k++) {
        ch_free(ctx, c->obj[k], c->pcap * sizeof *c->obj[k]);
        ch_free(ctx, c->obj_name[k], strlen(c->obj_name[k]) + 1);
    }
    ch_free(ctx, c->lists, c->lcap * sizeof *c->lists);
    ch_free(ctx, c->pslots, c->npslots * sizeof *c->pslots);
    ch_free(ctx, c->acc, c->acap * sizeof *c->acc);
    for (size_t i = 0; i < c->nfiles; i++)
        ch_free(ctx, c->files[i], strlen(c->files[i]) + 1);
    ch_free(ctx, c->files, c->fcap * sizeof *c->files);
    ch_intern_free(&c->strs);
    ch_intern_free(&c->acct_ids);
    ch_arena_free(&c->text);
    ch_free(ctx, c, sizeof *c);
}

static chorus_rc grow_posts(chorus_corpus *c)
{
    size_t ncap = c->pcap < 1024 ? 1024 : c->pcap + c->pcap / 2;
    if (ncap > UINT32_MAX - 1)
        return ch_error(c->ctx, CHORUS_ELIMIT, "more than 4 billion posts");
#define GROW_ARRAY(a)                                                                       \
    {                                                                                       \
        void *np = ch_realloc(c->ctx, c->a, c->pcap * sizeof *c->a, ncap * sizeof *c->a);  \
        if (!np)                                                                            \
            return ch_nomem(c->ctx);                                                        \
        c->a = np;                                                                          \
    }
    POST_ARRAYS(GROW_ARRAY)
    for (uint32_t k = 0; k < c->n_objcols; k++) {
        GROW_ARRAY(obj[k])
        memset(c->obj[k] + c->pcap, 0xff, (ncap - c->pcap) * sizeof *c->obj[k]);
    }
#undef GROW_ARRAY
    c->pcap = ncap;
    return CHORUS_OK;
}

/* A post id that is a decimal number without leading zeros is its own key. */
static inline int numeric_key(chorus_str id, uint64_t *v)
{
    return ch_parse_u64(id.ptr, id.len, v) == 0 && *v < CH_KEY_STR &&
           (id.len == 1 || id.ptr[0] != '0');
}

/* The key of a post id; num: the id as a number from the reading thread
 * (UINT64_MAX when it is not one), or NULL to parse it here. */
static uint64_t post_key(chorus_corpus *c, chorus_str id, const uint64_t *num, int *err)
{
    uint64_t v;
    *err = 0;
    if (num ? *num < CH_KEY_STR : numeric_key(id, &v))
        return num ? *num : v;
    uint32_t s = ch_intern_add(&c->strs, id.ptr, id.len);
    if (s == CH_NO_ID) {
        *err = 1;
        return CH_KEY_NONE;
    }
    return CH_KEY_STR | s;
}

uint64_t ch_corpus_post_key(chorus_corpus *c, chorus_str id, int *err)
{
    return post_key(c, id, NULL, err);
}

static chorus_rc rehash_posts(chorus_corpus *c)
{
    size_t ns = c->npslots ? c->npslots * 2 : 4096;
    while (ns < (c->np + 1) * 2)
        ns *= 2;
    uint64_t *slots = ch_calloc(c->ctx, ns * sizeof *slots);
    if (!slots)
        return ch_nomem(c->ctx);
    ch_hint_hugepages(slots, ns * sizeof *slots);
    for (size_t i = 0; i < c->np; i++) {
        size_t h = ch_mix64(c->key[i]) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = c->key[i] + 1;
    }
    ch_free(c->ctx, c->pslots, c->npslots * sizeof *c->pslots);
    c->pslots = slots;
    c->npslots = ns;
    return CHORUS_OK;
}

/* Slot for key: holds key+1 when the corpus has that post, else 0 (free).
 * Keys are stored in the table itself: one cache miss per lookup. */
static uint64_t *post_slot(chorus_corpus *c, uint64_t key)
{
    size_t mask = c->npslots - 1, h = ch_mix64(key) & mask;
    while (c->pslots[h] && c->pslots[h] != key + 1)
        h = (h + 1) & mask;
    return &c->pslots[h];
}

/* Whether c->key[0..np) holds key; they are in increasing order. */
static int sorted_has(const chorus_corpus *c, uint64_t key)
{
    size_t lo = 0, hi = c->np;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->np && c->key[lo] == key;
}

/* Whether the corpus holds a post with this key (*rc set on failure).
 * While keys come in increasing order, as in archive files sorted by
 * time, the key column is the index: a larger key is new, a smaller one
 * is searched. The first key out of order, or many searches (the same
 * file read twice), builds the hash table, used from then on. */
static int has_post(chorus_corpus *c, uint64_t key, chorus_rc *rc)
{
    *rc = CHORUS_OK;
    if (!c->pslots) {
        if (c->np == 0 || key > c->key[c->np - 1])
            return 0;
        if (++c->key_searches < 4096 + c->np / 8 && sorted_has(c, key))
            return 1;
        if ((*rc = rehash_posts(c)))
            return 0;
    } else if ((c->np + 1) * 2 > c->npslots && (*rc = rehash_posts(c))) {
        return 0;
    }
    return *post_slot(c, key) != 0;
}

/* The string's hash: the reading thread's when it computed one. */
#define HASH_OF(p, field, s) ((p)->hints ? (p)->hints->field : ch_intern_hash((s).ptr, (s).len))

static uint32_t intern_or_none(chorus_corpus *c, chorus_str s, uint64_t h, int *err)
{
    if (s.len == 0)
        return CH_NONE;
    uint32_t id = ch_intern_add_hashed(&c->strs, s.ptr, s.len, h);
    if (id == CH_NO_ID)
        *err = 1;
    return id;
}

static chorus_rc add_lists(chorus_corpus *c, const ch_post_rec *p, size_t i)
{
    size_t n = (size_t)p->n_hashtags + p->n_urls + p->n_mentions;
    if (ch_grow(c->ctx, (void **)&c->lists, &c->lcap, c->nl + n, sizeof *c->lists))
        return CHORUS_ENOMEM;
    c->list_off[i] = c->nl;
    c->n_tags[i] = (uint16_t)p->n_hashtags;
    c->n_urls[i] = (uint16_t)p->n_urls;
    c->n_ments[i] = (uint16_t)p->n_mentions;
    const chorus_str *src[3] = {p->hashtags, p->urls, p->mentions};
    uint32_t cnt[3] = {p->n_hashtags, p->n_urls, p->n_mentions};
    const uint64_t *h = p->hints ? p->hints->lists : NULL;
    for (int l = 0; l < 3; l++)
        for (uint32_t j = 0; j < cnt[l]; j++, h = h ? h + 1 : NULL) {
            chorus_str x = src[l][j];
            uint32_t s = ch_intern_add_hashed(&c->strs, x.ptr, x.len, h ? *h : ch_intern_hash(x.ptr, x.len));
            if (s == CH_NO_ID)
                return c->ctx->rc;
            c->lists[c->nl++] = s;
        }
    return CHORUS_OK;
}

static chorus_rc add_text(chorus_corpus *c, const ch_post_rec *p, size_t i)
{
    if (p->text.len > UINT32_MAX)
        return ch_error(c->ctx, CHORUS_ELIMIT, "text over 4 GiB");
    c->txt_len[i] = (uint32_t)p->text.len;
    c->txt[i] = "";
    if (p->text.len) {
        char *t = ch_arena_alloc(&c->text, p->text.len);
        if (!t)
            return c->ctx->rc;
        memcpy(t, p->text.ptr, p->text.len);
        c->txt[i] = t;
        if (!(p->hints ? p->hints->text_valid : ch_utf8_valid(t, p->text.len)))
            c->stats->invalid_utf8++;
    }
    return CHORUS_OK;
}

static chorus_rc add_refs_and_strings(chorus_corpus *c, const ch_post_rec *p, size_t i)
{
    int err = 0;
    c->ref[i] = p->ref_post.len
                    ? post_key(c, p->ref_post, p->hints ? &p->hints->ref_num : NULL, &err)
                    : CH_KEY_NONE;
    c->ref_acct[i] = CH_NONE;
    if (!err && p->ref_account.len &&
        (c->ref_acct[i] = ch_corpus_account_hashed(c, p->ref_account,
                                                   HASH_OF(p, ref_account, p->ref_account))) == CH_NONE)
        err = 1;
    c->client[i] = intern_or_none(c, p->client, HASH_OF(p, client, p->client), &err);
    c->lang[i] = intern_or_none(c, p->lang, HASH_OF(p, lang, p->lang), &err);
    c->source[i] = intern_or_none(c, p->source, HASH_OF(p, source, p->source), &err);
    c->title[i] = intern_or_none(c, p->title, HASH_OF(p, title, p->title), &err);
    for (uint32_t k = 0; k < c->n_objcols; k++)
        c->obj[k][i] = CH_NONE;
    for (uint32_t k = 0; k < p->n_objects && k < CH_MAX_OBJECT_COLUMNS; k++)
        if (c->cur_obj_map[k] != CH_NONE)
            c->obj[c->cur_obj_map[k]][i] =
                intern_or_none(c, p->objects[k], ch_intern_hash(p->objects[k].ptr, p->objects[k].len), &err);
    return err ? c->ctx->rc : CHORUS_OK;
}

static chorus_rc check_memory(chorus_corpus *c)
{
    uint64_t lim = c->ctx->memory_limit;
    if (lim && (c->np & 4095) == 0 && chorus_corpus_memory(c) > lim)
        return ch_error(c->ctx, CHORUS_ELIMIT,
                        "the corpus reached the memory limit of %" PRIu64 " bytes after %zu posts",
                        lim, c->np);
    return CHORUS_OK;
}

chorus_rc ch_corpus_add_post(void *ud, const ch_post_rec *p, const ch_account_rec *author)
{
    chorus_corpus *c = ud;
    int err;
    uint64_t key = post_key(c, p->id, p->hints ? &p->hints->id_num : NULL, &err);
    if (err)
        return c->ctx->rc;
    chorus_rc rc;
    if (has_post(c, key, &rc) || rc) {
        c->stats->duplicates += !rc;
        return rc;
    }
    if (c->np == c->pcap && (rc = grow_posts(c)))
        return rc;
    size_t i = c->np;
    uint32_t a = ch_corpus_account_hashed(c, p->account, HASH_OF(p, account, p->account));
    if (a == CH_NONE)
        return c->ctx->rc;
    if (author && author->id.len && (rc = ch_corpus_set_profile(c, a, author)))
        return rc;
    c->key[i] = key;
    c->acct[i] = a;
    c->time[i] = p->time_ms;
    c->kind[i] = (uint8_t)p->kind;
    c->res[i] = (uint8_t)p->time_res;
    c->file[i] = (uint16_t)(c->nfiles - 1);
    if ((rc = add_text(c, p, i)) || (rc = add_lists(c, p, i)) || (rc = add_refs_and_strings(c, p, i)))
        return rc;
    c->acc[a].n_posts++;
    if (p->time_ms < c->tmin) c->tmin = p->time_ms;
    if (p->time_ms > c->tmax) c->tmax = p->time_ms;
    if (c->pslots)
        *post_slot(c, key) = key + 1;
    c->np++;
    c->stats->posts++;
    c->stats->posts_by_kind[p->kind & 3]++;
    return check_memory(c);
}

void ch_corpus_prefetch(void *ud, const ch_post_rec *p, int near)
{
    const chorus_corpus *c = ud;
    const ch_post_hints *h = p->hints;
    uint32_t nl = p->n_hashtags + p->n_urls + p->n_mentions;
    if (!h)
        return;
    if (near) {
        uint32_t a = ch_intern_prefetch_str(&c->acct_ids, h->account);
        if (a != CH_NO_ID)
            __builtin_prefetch(&c->acc[a].has_profile);
        if (p->ref_account.len)
            ch_intern_prefetch_str(&c->acct_ids, h->ref_account);
        for (uint32_t j = 0; j < nl; j++)
            ch_intern_prefetch_str(&c->strs, h->lists[j]);
        return;
    }
    if (c->pslots && h->id_num < CH_KEY_STR)
        __builtin_prefetch(&c->pslots[ch_mix64(h->id_num) & (c->npslots - 1)]);
    ch_intern_prefetch(&c->acct_ids, h->account);
    if (p->ref_account.len)
        ch_intern_prefetch(&c->acct_ids, h->ref_account);
    for (uint32_t j = 0; j < nl; j++)
        ch_intern_prefetch(&c->strs, h->lists[j]);
}

chorus_rc ch_corpus_object_columns(void *ud, const char *const *names, uint32_t n)
{
    chorus_corpus *c = ud;
    for (uint32_t k = 0; k < CH_MAX_OBJECT_COLUMNS; k++)
        c->cur_obj_map[k] = CH_NONE;
    for (uint32_t k = 0; k < n && k < CH_MAX_OBJECT_COLUMNS; k++) {
        uint32_t j = 0;
        while (j < c->n_objcols && strcmp(c->obj_name[j], names[k]) != 0)
            j++;
        if (j == c->n_objcols) {
            if (j == CH_MAX_OBJECT_COLUMNS)
                return ch_error(c->ctx, CHORUS_ELIMIT, "more than %d object columns",
                                CH_MAX_OBJECT_COLUMNS);
            size_t len = strlen(names[k]);
            c->obj_name[j] = ch_alloc(c->ctx, len + 1);
            c->obj[j] = ch_alloc(c->ctx, (c->pcap ? c->pcap : 1) * sizeof *c->obj[j]);
            if (!c->obj_name[j] || !c->obj[j])
                return ch_nomem(c->ctx);
            memcpy(c->obj_name[j], names[k], len + 1);
            memset(c->obj[j], 0xff, c->pcap * sizeof *c->obj[j]);
            c->n_objcols++;
        }
        c->cur_obj_map[k] = j;
    }
    return CHORUS_OK;
}
