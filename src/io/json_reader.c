/*
 * json_reader.c - Twitter API JSON lines into post and account records:
 * v1.1 tweet objects, v2 response pages ({"data", "includes"}) and v2
 * flattened tweets (twarc2 style), told apart per object by shape. Each
 * physical line is read into a buffer capped at the record limit and parsed
 * on its own with json-c; strings handed to the sink point into the parsed
 * line and die with it.
 */
#include "reader.h"

#include "io/time_parse.h"

#include <inttypes.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Real tweets nest about ten levels (retweet > quote > user > entities);
 * far deeper input is hostile and would only cost stack in json-c. */
#define JL_DEPTH 64
#define JL_BUF_START ((size_t)1 << 16)
/* Numeric ids printed per row: post, author, references, mentions. */
#define JL_NUMS (CH_MAX_LIST + 16)

/* One entry of a v2 page's includes, found by id. */
typedef struct jl_ent {
    const char *id;
    size_t len, pos; /* pos: index in the includes array, for first-wins */
    json_object *o;
} jl_ent;

typedef struct jl_index {
    jl_ent *e;
    size_t n, cap;
} jl_index;

/* Storage behind one post record; reused for every row. */
typedef struct jl_row {
    ch_post_rec p;
    ch_account_rec author, other;
    chorus_str tags[CH_MAX_LIST], urls[CH_MAX_LIST], ments[CH_MAX_LIST];
    int64_t tag_at[CH_MAX_LIST];
    char num[JL_NUMS][24];
    uint32_t n_num;
} jl_row;

typedef struct jl {
    ch_reader *r;
    chorus_ctx *ctx;
    json_tokener *tok;
    char *buf;
    size_t cap, max, len, pos, scanned; /* scanned: bytes after pos without '\n' */
    int eof;
    jl_row *row;
    jl_index users, tweets;
} jl;

enum { LN_END, LN_OK, LN_TOO_LARGE };

/* ---- line reading ---- */

/* Moves the unread tail to the front and reads more behind it, growing the
 * buffer up to max. *full: the buffer is at max and holds no newline. */
static chorus_rc refill(jl *j, int *full)
{
    *full = 0;
    if (j->pos > 0) {
        memmove(j->buf, j->buf + j->pos, j->len - j->pos);
        j->len -= j->pos;
        j->pos = 0;
    }
    if (j->len == j->cap) {
        if (j->cap >= j->max) {
            *full = 1;
            return CHORUS_OK;
        }
        size_t ncap = j->cap > j->max / 2 ? j->max : j->cap * 2;
        char *nb = ch_realloc(j->ctx, j->buf, j->cap, ncap);
        if (!nb)
            return ch_nomem(j->ctx);
        j->buf = nb;
        j->cap = ncap;
    }
    size_t got;
    chorus_rc rc = ch_source_read(j->r->src, j->buf + j->len, j->cap - j->len, &got);
    if (rc)
        return rc;
    j->len += got;
    if (got == 0)
        j->eof = 1;
    return CHORUS_OK;
}

/* Drops the rest of an over-long line, up to and including its newline. */
static chorus_rc skip_rest(jl *j)
{
    for (;;) {
        const char *nl = memchr(j->buf + j->pos, '\n', j->len - j->pos);
        if (nl) {
            j->pos = (size_t)(nl - j->buf) + 1;
            return CHORUS_OK;
        }
        j->pos = j->len;
        if (j->eof)
            return CHORUS_OK;
        int full;
        chorus_rc rc = refill(j, &full);
        if (rc)
            return rc;
    }
}

/* The next physical line without its '\n'. Bytes already searched are not
 * searched again, so a long line costs linear time while it accumulates. */
static chorus_rc next_line(jl *j, chorus_str *out, int *st)
{
    for (;;) {
        char *s = j->buf + j->pos;
        size_t avail = j->len - j->pos;
        char *nl = memchr(s + j->scanned, '\n', avail - j->scanned);
        if (nl || (j->eof && avail)) {
            out->ptr = s;
            out->len = nl ? (size_t)(nl - s) : avail;
            j->pos += nl ? out->len + 1 : avail;
            j->scanned = 0;
            *st = LN_OK;
            return CHORUS_OK;
        }
        if (j->eof) {
            *st = LN_END;
            return CHORUS_OK;
        }
        j->scanned = avail;
        int full;
        chorus_rc rc = refill(j, &full);
        if (rc)
            return rc;
        if (full) {
            j->scanned = 0;
            *st = LN_TOO_LARGE;
            return skip_rest(j);
        }
    }
}

/* ---- small JSON accessors (all accept NULL or a wrong type) ---- */

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Present, even as null (get gives NULL for a null member). */
static int has(json_object *o, const char *key)
{
    return json_object_object_get_ex(o, key, NULL);
}

static int is_obj(json_object *o) { return o && json_object_is_type(o, json_type_object); }
static int is_arr(json_object *o) { return o && json_object_is_type(o, json_type_array); }

static size_t arr_len(json_object *a) { return is_arr(a) ? json_object_array_length(a) : 0; }

/* A non-empty string member; empty strings count as absent. */
static int str_at(json_object *o, const char *key, chorus_str *out)
{
    json_object *v = get(o, key);
    if (!v || !json_object_is_type(v, json_type_string))
        return 0;
    int n = json_object_get_string_len(v);
    if (n <= 0)
        return 0;
    out->ptr = json_object_get_string(v);
    out->len = (size_t)n;
    return 1;
}

/* An id from a string, or from an integer printed exactly (json-c keeps
 * integers as int64/uint64, never as double). 1 found, 0 absent, -1 not
 * usable (negative, zero, fractional or another type). */
static int id_value(jl_row *w, json_object *v, chorus_str *out)
{
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_string)) {
        int n = json_object_get_string_len(v);
        if (n <= 0)
            return 0;
        out->ptr = json_object_get_string(v);
        out->len = (size_t)n;
        return 1;
    }
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0 ||
        w->n_num == JL_NUMS)
        return -1;
    char *b = w->num[w->n_num++];
    int n = snprintf(b, sizeof w->num[0], "%" PRIu64, json_object_get_uint64(v));
    out->ptr = b;
    out->len = (size_t)n;
    return 1;
}

/* id_value of key, else of alt (may be NULL) when key is absent. */
static int id_pair(jl_row *w, json_object *o, const char *key, const char *alt, chorus_str *out)
{
    int st = id_value(w, get(o, key), out);
    if (st == 0 && alt)
        st = id_value(w, get(o, alt), out);
    return st;
}

/* A time string: 1 parsed, 0 absent, -1 not a time. */
static int time_at(json_object *o, const char *key, int64_t *ms, chorus_time_res *res)
{
    chorus_str s;
    if (!str_at(o, key, &s))
        return 0;
    return ch_parse_time(s.ptr, s.len, ms, res) == 0 ? 1 : -1;
}

static int64_t count_at(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
        return CH_COUNT_UNKNOWN;
    return json_object_get_int64(v);
}

/* ---- lists ---- */

/* Where a hashtag starts in the text: v1.1 indices[0] or v2 start. */
static int64_t tag_pos(json_object *item)
{
    json_object *ix = get(item, "indices"), *v = get(item, "start");
    if (arr_len(ix) > 0)
        v = json_object_array_get_idx(ix, 0);
    if (!v || !json_object_is_type(v, json_type_int))
        return INT64_MAX;
    return json_object_get_int64(v);
}

/* Stable insertion sort by position: lists are short and nearly sorted. */
static void sort_tags(jl_row *w)
{
    for (uint32_t i = 1; i < w->p.n_hashtags; i++) {
        chorus_str s = w->tags[i];
        int64_t at = w->tag_at[i];
        uint32_t k = i;
        for (; k > 0 && w->tag_at[k - 1] > at; k--) {
            w->tags[k] = w->tags[k - 1];
            w->tag_at[k] = w->tag_at[k - 1];
        }
        w->tags[k] = s;
        w->tag_at[k] = at;
    }
}

/* v1.1 entities.hashtags[].text or v2 entities.hashtags[].tag, in text order. */
static void take_tags(jl_row *w, json_object *arr)
{
    size_t n = arr_len(arr);
    for (size_t i = 0; i < n && w->p.n_hashtags < CH_MAX_LIST; i++) {
        json_object *it = json_object_array_get_idx(arr, i);
        chorus_str s;
        if (!str_at(it, "text", &s) && !str_at(it, "tag", &s))
            continue;
        w->tag_at[w->p.n_hashtags] = tag_pos(it);
        w->tags[w->p.n_hashtags++] = s;
    }
    sort_tags(w);
}

/* The link as the author meant it: expanded, else unwound, else t.co. */
static void take_urls(jl_row *w, json_object *arr)
{
    size_t n = arr_len(arr);
    for (size_t i = 0; i < n && w->p.n_urls < CH_MAX_LIST; i++) {
        json_object *it = json_object_array_get_idx(arr, i);
        chorus_str s;
        if (str_at(it, "expanded_url", &s) || str_at(it, "unwound_url", &s) ||
            str_at(it, "url", &s))
            w->urls[w->p.n_urls++] = s;
    }
}

/* Mentioned account ids (v1.1 id_str/id, v2 id); names are not kept. */
static void take_mentions(jl_row *w, json_object *arr)
{
    size_t n = arr_len(arr);
    for (size_t i = 0; i < n && w->p.n_mentions < CH_MAX_LIST; i++) {
        json_object *it = json_object_array_get_idx(arr, i);
        chorus_str s;
        if (id_pair(w, it, "id_str", "id", &s) > 0)
            w->ments[w->p.n_mentions++] = s;
    }
}

static void take_entities(jl_row *w, json_object *ents, const char *mentions_key)
{
    take_tags(w, get(ents, "hashtags"));
    take_urls(w, get(ents, "urls"));
    take_mentions(w, get(ents, mentions_key));
}

/* ---- accounts ---- */

/* The profile link as typed (entities.url) rather than its t.co wrapper. */
static void user_url(json_object *u, chorus_str *out)
{
    json_object *urls = get(get(get(u, "entities"), "url"), "urls");
    if (arr_len(urls) > 0 && str_at(json_object_array_get_idx(urls, 0), "expanded_url", out))
        return;
    str_at(u, "url", out);
}

/* Fields v1.1 and v2 user objects share. */
static void user_common(jl_row *w, json_object *u, ch_account_rec *a)
{
    ch_account_rec_init(a);
    id_pair(w, u, "id_str", "id", &a->id);
    str_at(u, "name", &a->display_name);
    str_at(u, "location", &a->location);
    str_at(u, "description", &a->description);
    user_url(u, &a->url);
    chorus_time_res res;
    if (time_at(u, "created_at", &a->created_ms, &res) <= 0)
        a->created_ms = CH_TIME_UNKNOWN;
}

static void v1_user(jl_row *w, json_object *u, ch_account_rec *a)
{
    user_common(w, u, a);
    str_at(u, "screen_name", &a->screen_name);
    str_at(u, "lang", &a->lang);
    a->followers = count_at(u, "followers_count");
    a->following = count_at(u, "friends_count");
}

static void v2_user(jl_row *w, json_object *u, ch_account_rec *a)
{
    user_common(w, u, a);
    str_at(u, "username", &a->screen_name);
    json_object *pm = get(u, "public_metrics");
    a->followers = count_at(pm, "followers_count");
    a->following = count_at(pm, "following_count");
}

/* ---- emitting ---- */

static void count_row(jl *j)
{
    if (j->r->stats)
        j->r->stats->rows_read++;
}

static jl_row *row_reset(jl *j)
{
    jl_row *w = j->row;
    ch_post_rec_init(&w->p);
    ch_account_rec_init(&w->author);
    w->p.hashtags = w->tags;
    w->p.urls = w->urls;
    w->p.mentions = w->ments;
    w->n_num = 0;
    return w;
}

/* Hands a referenced tweet's author on as an account row, so the corpus
 * learns the profile of accounts that are only retweeted or quoted. */
static chorus_rc emit_user(jl *j, json_object *u, int v2)
{
    if (!is_obj(u) || !j->r->sink->account)
        return CHORUS_OK;
    ch_account_rec *a = &j->row->other;
    if (v2)
        v2_user(j->row, u, a);
    else
        v1_user(j->row, u, a);
    return a->id.len ? j->r->sink->account(j->r->sink->ud, a) : CHORUS_OK;
}

/* rows_kept only: stats->posts counts distinct posts, which the corpus
 * knows and the reader does not. */
static chorus_rc emit_post(jl *j, const ch_account_rec *author)
{
    chorus_rc rc = j->r->sink->post(j->r->sink->ud, &j->row->p, author);
    if (rc)
        return rc;
    if (j->r->stats)
        j->r->stats->rows_kept++;
    return CHORUS_OK;
}

/* Reports a required id that is absent (st 0) or unusable (st -1). */
static chorus_rc bad_id(jl *j, uint64_t line, const char *col, int st)
{
    if (st == 0)
        return ch_reader_problem(j->r, line, col, CHORUS_SKIP_MISSING, "missing");
    return ch_reader_problem(j->r, line, col, CHORUS_SKIP_BAD_ID, "not a usable id");
}

static chorus_rc bad_time(jl *j, uint64_t line, const char *col, int st)
{
    if (st == 0)
        return ch_reader_problem(j->r, line, col, CHORUS_SKIP_MISSING, "missing");
    return ch_reader_problem(j->r, line, col, CHORUS_SKIP_BAD_TIME, "not a time");
}

/* Keeps only the anchor text of an HTML source ("<a ...>Twitter Web App</a>"). */
static chorus_str anchor_text(chorus_str s)
{
    if (s.len == 0 || s.ptr[0] != '<')
        return s;
    const char *end = s.ptr + s.len, *gt = memchr(s.ptr, '>', s.len);
    if (!gt)
        return s;
    const char *b = gt + 1, *e = memchr(b, '<', (size_t)(end - b));
    chorus_str t = {b, (size_t)((e ? e : end) - b)};
    return t;
}

static void client_lang(jl_row *w, json_object *t)
{
    chorus_str s;
    if (str_at(t, "source", &s))
        w->p.client = anchor_text(s);
    str_at(t, "lang", &w->p.lang);
}

/* ---- v1.1 ---- */

/* Sets kind and references; returns the tweet whose text and entities
 * the post carries (the original, for a retweet) and, in *ref_user, the
 * embedded author of the retweeted or quoted tweet.
 * Precedence is retweet > quote > reply > post: a reply that quotes is a
 * quote, since a post keeps one reference and the quote is its content. */
static json_object *v1_refs(jl_row *w, json_object *t, json_object **ref_user)
{
    ch_post_rec *p = &w->p;
    json_object *rt = get(t, "retweeted_status"), *qs = get(t, "quoted_status");
    *ref_user = NULL;
    if (is_obj(rt)) {
        p->kind = CHORUS_KIND_RETWEET;
        id_pair(w, rt, "id_str", "id", &p->ref_post);
        *ref_user = get(rt, "user");
        id_pair(w, *ref_user, "id_str", "id", &p->ref_account);
        return rt;
    }
    if (id_pair(w, t, "quoted_status_id_str", "quoted_status_id", &p->ref_post) > 0 ||
        id_pair(w, qs, "id_str", "id", &p->ref_post) > 0) {
        p->kind = CHORUS_KIND_QUOTE;
        *ref_user = get(qs, "user");
        id_pair(w, *ref_user, "id_str", "id", &p->ref_account);
    } else if (id_pair(w, t, "in_reply_to_status_id_str", "in_reply_to_status_id",
                       &p->ref_post) > 0) {
        p->kind = CHORUS_KIND_REPLY;
        id_pair(w, t, "in_reply_to_user_id_str", "in_reply_to_user_id", &p->ref_account);
    }
    return t;
}

/* Text and entities, preferring the untruncated forms: full_text
 * (extended mode), then extended_tweet (compatibility mode), then text. */
static void v1_content(jl_row *w, json_object *c)
{
    json_object *ext = get(c, "extended_tweet");
    if (!str_at(c, "full_text", &w->p.text) && !str_at(ext, "full_text", &w->p.text))
        str_at(c, "text", &w->p.text);
    json_object *ents = get(ext, "entities");
    take_entities(w, is_obj(ents) ? ents : get(c, "entities"), "user_mentions");
}

static chorus_rc v1_tweet(jl *j, json_object *t, uint64_t line)
{
    jl_row *w = row_reset(j);
    json_object *user = get(t, "user"), *ref_user;
    int st;
    if ((st = id_pair(w, t, "id_str", "id", &w->p.id)) <= 0)
        return bad_id(j, line, "id_str", st);
    if ((st = id_pair(w, user, "id_str", "id", &w->p.account)) <= 0)
        return bad_id(j, line, "user.id_str", st);
    if ((st = time_at(t, "created_at", &w->p.time_ms, &w->p.time_res)) <= 0)
        return bad_time(j, line, "created_at", st);
    v1_user(w, user, &w->author);
    v1_content(w, v1_refs(w, t, &ref_user));
    client_lang(w, t);
    chorus_rc rc = emit_user(j, ref_user, 0);
    return rc ? rc : emit_post(j, &w->author);
}

/* ---- v2 ---- */

static int key_cmp(const jl_ent *e, const char *id, size_t len)
{
    if (e->len != len)
        return e->len < len ? -1 : 1;
    return memcmp(e->id, id, len);
}

static int ent_cmp(const void *a, const void *b)
{
    const jl_ent *x = a, *y = b;
    int c = key_cmp(x, y->id, y->len);
    if (c)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Indexes the objects of an includes array by their string id. */
static chorus_rc index_build(jl *j, jl_index *ix, json_object *arr)
{
    size_t n = arr_len(arr);
    ix->n = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        chorus_str id;
        if (!str_at(o, "id", &id))
            continue;
        chorus_rc rc = ch_grow(j->ctx, (void **)&ix->e, &ix->cap, ix->n + 1, sizeof *ix->e);
        if (rc)
            return rc;
        jl_ent e = {id.ptr, id.len, i, o};
        ix->e[ix->n++] = e;
    }
    if (ix->n > 1)
        qsort(ix->e, ix->n, sizeof *ix->e, ent_cmp);
    return CHORUS_OK;
}

/* The first entry (lowest pos) with this id, or NULL. */
static const jl_ent *index_find(const jl_index *ix, chorus_str id)
{
    size_t lo = 0, hi = ix->n;
    if (!id.len)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&ix->e[mid], id.ptr, id.len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && key_cmp(&ix->e[lo], id.ptr, id.len) == 0 ? &ix->e[lo] : NULL;
}

static int ref_rank(json_object *item)
{
    chorus_str t;
    if (!str_at(item, "type", &t))
        return 0;
    if (t.len == 9 && memcmp(t.ptr, "retweeted", 9) == 0)
        return 3;
    if (t.len == 6 && memcmp(t.ptr, "quoted", 6) == 0)
        return 2;
    return t.len == 10 && memcmp(t.ptr, "replied_to", 10) == 0;
}

/* referenced_tweets[] entry that wins by the v1.1 precedence, and its rank. */
static json_object *v2_best_ref(json_object *t, int *rank)
{
    json_object *refs = get(t, "referenced_tweets"), *best = NULL;
    size_t n = arr_len(refs);
    *rank = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *it = json_object_array_get_idx(refs, i);
        int k = ref_rank(it);
        if (k > *rank) {
            *rank = k;
            best = it;
        }
    }
    return best;
}

/* As v1_refs, for v2. The referenced tweet is inlined in the entry
 * (flattened) or found in includes.tweets (page). */
static json_object *v2_refs(jl *j, jl_row *w, json_object *t, json_object **ref_user)
{
    static const chorus_post_kind kinds[4] = {CHORUS_KIND_POST, CHORUS_KIND_REPLY,
                                              CHORUS_KIND_QUOTE, CHORUS_KIND_RETWEET};
    ch_post_rec *p = &w->p;
    int rank;
    json_object *ref = v2_best_ref(t, &rank), *orig = NULL;
    *ref_user = NULL;
    if (!ref)
        return t;
    p->kind = kinds[rank];
    id_pair(w, ref, "id", NULL, &p->ref_post);
    if (has(ref, "text") || has(ref, "author_id")) {
        orig = ref;
    } else {
        const jl_ent *e = index_find(&j->tweets, p->ref_post);
        orig = e ? e->o : NULL;
    }
    *ref_user = get(orig, "author");
    if (id_pair(w, orig, "author_id", NULL, &p->ref_account) <= 0)
        id_pair(w, *ref_user, "id", NULL, &p->ref_account);
    if (p->kind == CHORUS_KIND_REPLY && !p->ref_account.len)
        id_pair(w, t, "in_reply_to_user_id", NULL, &p->ref_account);
    /* v2 truncates retweet text ("RT @x: ..."); the original is whole. */
    return p->kind == CHORUS_KIND_RETWEET && is_obj(orig) ? orig : t;
}

/* Long tweets keep their whole text and entities in note_tweet. */
static void v2_content(jl_row *w, json_object *c)
{
    json_object *note = get(c, "note_tweet"), *ents = get(note, "entities");
    if (!str_at(note, "text", &w->p.text))
        str_at(c, "text", &w->p.text);
    take_entities(w, is_obj(ents) ? ents : get(c, "entities"), "mentions");
}

/* The author's profile: inlined (flattened) or from includes.users. */
static const ch_account_rec *v2_author(jl *j, jl_row *w, json_object *t)
{
    json_object *u = get(t, "author");
    if (!is_obj(u)) {
        const jl_ent *e = index_find(&j->users, w->p.account);
        u = e ? e->o : NULL;
    }
    if (!u)
        return NULL;
    v2_user(w, u, &w->author);
    return &w->author;
}

static chorus_rc v2_tweet(jl *j, json_object *t, uint64_t line)
{
    jl_row *w = row_reset(j);
    json_object *ref_user;
    int st;
    if ((st = id_pair(w, t, "id", NULL, &w->p.id)) <= 0)
        return bad_id(j, line, "id", st);
    if ((st = id_pair(w, t, "author_id", NULL, &w->p.account)) == 0)
        st = id_pair(w, get(t, "author"), "id", NULL, &w->p.account);
    if (st <= 0)
        return bad_id(j, line, "author_id", st);
    if ((st = time_at(t, "created_at", &w->p.time_ms, &w->p.time_res)) <= 0)
        return bad_time(j, line, "created_at", st);
    const ch_account_rec *author = v2_author(j, w, t);
    v2_content(w, v2_refs(j, w, t, &ref_user));
    client_lang(w, t);
    /* On a page the referenced authors come with includes.users. */
    chorus_rc rc = j->users.n ? CHORUS_OK : emit_user(j, ref_user, 1);
    return rc ? rc : emit_post(j, author);
}

/* Emits includes.users in page order, each id once per page. */
static chorus_rc v2_page_users(jl *j, json_object *users)
{
    size_t n = arr_len(users);
    for (size_t i = 0; i < n; i++) {
        json_object *u = json_object_array_get_idx(users, i);
        chorus_str id;
        if (!str_at(u, "id", &id))
            continue;
        const jl_ent *e = index_find(&j->users, id);
        if (!e || e->pos != i)
            continue;
        row_reset(j);
        chorus_rc rc = emit_user(j, u, 1);
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

static chorus_rc not_object(jl *j, uint64_t line, const char *col)
{
    count_row(j);
    return ch_reader_problem(j->r, line, col, CHORUS_SKIP_BAD_JSON, "not a JSON object");
}

/* Each tweet of "data" is a row; data may also be a single tweet. */
static chorus_rc v2_page_data(jl *j, json_object *data, uint64_t line)
{
    if (!data)
        return CHORUS_OK;
    if (is_obj(data)) {
        count_row(j);
        return v2_tweet(j, data, line);
    }
    if (!is_arr(data))
        return not_object(j, line, "data");
    size_t n = json_object_array_length(data);
    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(data, i);
        chorus_rc rc;
        if (is_obj(t)) {
            count_row(j);
            rc = v2_tweet(j, t, line);
        } else {
            rc = not_object(j, line, "data");
        }
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

static chorus_rc v2_page(jl *j, json_object *page, uint64_t line)
{
    json_object *inc = get(page, "includes");
    chorus_rc rc = index_build(j, &j->users, get(inc, "users"));
    if (!rc)
        rc = index_build(j, &j->tweets, get(inc, "tweets"));
    if (!rc)
        rc = v2_page_users(j, get(inc, "users"));
    if (!rc)
        rc = v2_page_data(j, get(page, "data"), line);
    j->users.n = j->tweets.n = 0;
    return rc;
}

/* ---- dispatch ---- */

/* Streaming API control messages ({"delete": ...}, {"limit": ...}) carry
 * no tweet; they are not rows and are passed over silently. */
static int is_notice(json_object *o)
{
    static const char *const keys[] = {"delete", "limit", "scrub_geo", "status_withheld",
                                       "user_withheld", "disconnect", "warning"};
    if (has(o, "id") || has(o, "id_str"))
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (has(o, keys[i]))
            return 1;
    return 0;
}

static chorus_rc do_object(jl *j, json_object *o, uint64_t line)
{
    if (!is_obj(o))
        return not_object(j, line, NULL);
    if (has(o, "data") && !has(o, "id"))
        return v2_page(j, o, line);
    if (is_notice(o))
        return CHORUS_OK;
    count_row(j);
    if (has(o, "id_str") || is_obj(get(o, "user")))
        return v1_tweet(j, o, line);
    if (has(o, "author_id") || is_obj(get(o, "author")))
        return v2_tweet(j, o, line);
    if (has(o, "id"))
        return ch_reader_problem(j->r, line, "user", CHORUS_SKIP_MISSING,
                                 "tweet has neither user nor author_id");
    return ch_reader_problem(j->r, line, "id_str", CHORUS_SKIP_MISSING, "not a tweet object");
}

/* A line holds one object, or an array whose elements are rows. */
static chorus_rc do_value(jl *j, json_object *v, uint64_t line)
{
    if (!is_arr(v))
        return do_object(j, v, line);
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        chorus_rc rc = do_object(j, json_object_array_get_idx(v, i), line);
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

static int only_space(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* Parses a whole line. *ok = 0 when it is not one JSON value (reported). */
static chorus_rc parse_line(jl *j, chorus_str s, uint64_t line, json_object **out, int *ok)
{
    json_tokener_reset(j->tok);
    json_object *o = json_tokener_parse_ex(j->tok, s.ptr, (int)s.len);
    enum json_tokener_error e = json_tokener_get_error(j->tok);
    size_t end = json_tokener_get_parse_end(j->tok);
    if (e == json_tokener_continue) {
        /* A bare number may go on; a space tells json-c it has ended. */
        o = json_tokener_parse_ex(j->tok, " ", 1);
        e = json_tokener_get_error(j->tok);
        end = s.len;
    }
    *out = o;
    *ok = e == json_tokener_success && only_space(s.ptr + end, s.len - end);
    if (*ok)
        return CHORUS_OK;
    json_object_put(o);
    *out = NULL;
    count_row(j);
    const char *why = e == json_tokener_success    ? "text after the JSON value"
                      : e == json_tokener_continue ? "the JSON value is cut short"
                                                   : json_tokener_error_desc(e);
    return ch_reader_problem(j->r, line, NULL, CHORUS_SKIP_BAD_JSON, "not valid JSON: %s", why);
}

/* One physical line: trims a BOM (first line), blanks and '\r'. */
static chorus_rc do_line(jl *j, chorus_str s, uint64_t line)
{
    if (line == 1 && s.len >= 3 && memcmp(s.ptr, "\xEF\xBB\xBF", 3) == 0) {
        s.ptr += 3;
        s.len -= 3;
    }
    while (s.len && (s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == ' ' ||
                     s.ptr[s.len - 1] == '\t'))
        s.len--;
    if (only_space(s.ptr, s.len))
        return CHORUS_OK;
    json_object *o;
    int ok;
    chorus_rc rc = parse_line(j, s, line, &o, &ok);
    if (rc || !ok)
        return rc;
    rc = do_value(j, o, line);
    json_object_put(o);
    return rc;
}

static chorus_rc too_large(jl *j, uint64_t line)
{
    count_row(j);
    return ch_reader_problem(j->r, line, NULL, CHORUS_SKIP_TOO_LARGE,
                             "line longer than the record limit of %zu bytes", j->max - 1);
}

/* ---- setup ---- */

static void jl_close(jl *j)
{
    if (j->tok)
        json_tokener_free(j->tok);
    ch_free(j->ctx, j->buf, j->cap);
    ch_free(j->ctx, j->row, sizeof *j->row);
    ch_free(j->ctx, j->users.e, j->users.cap * sizeof *j->users.e);
    ch_free(j->ctx, j->tweets.e, j->tweets.cap * sizeof *j->tweets.e);
}

/* json-c takes lengths as int, so a line can be at most INT_MAX - 1 bytes
 * whatever the record limit says. */
static chorus_rc jl_open(jl *j, ch_reader *r)
{
    memset(j, 0, sizeof *j);
    j->r = r;
    j->ctx = r->ctx;
    size_t limit = r->ctx->record_limit;
    j->max = limit < (size_t)INT_MAX - 1 ? limit + 1 : (size_t)INT_MAX;
    j->cap = j->max < JL_BUF_START ? j->max : JL_BUF_START;
    j->buf = ch_alloc(j->ctx, j->cap);
    j->row = ch_alloc(j->ctx, sizeof *j->row);
    j->tok = json_tokener_new_ex(JL_DEPTH);
    if (!j->buf || !j->row || !j->tok)
        return ch_nomem(j->ctx);
    return CHORUS_OK;
}

/* Every 64Ki lines, as the CSV readers do; non-zero asks to stop. */
static chorus_rc progress(jl *j, uint64_t line)
{
    ch_reader *r = j->r;
    if ((line & 0xffff) != 0 ||
        !ch_progress(r->ctx, "ingest", ch_source_bytes_in(r->src), ch_source_size(r->src),
                     r->stats ? r->stats->rows_read : line))
        return CHORUS_OK;
    return ch_error(r->ctx, CHORUS_EUSAGE, "%s: interrupted", r->path);
}

chorus_rc ch_read_jsonl(ch_reader *r)
{
    jl j;
    chorus_rc rc = jl_open(&j, r);
    uint64_t line = 0;
    while (!rc) {
        chorus_str s = {NULL, 0};
        int st;
        rc = next_line(&j, &s, &st);
        if (rc || st == LN_END)
            break;
        line++;
        rc = st == LN_TOO_LARGE ? too_large(&j, line) : do_line(&j, s, line);
        if (!rc)
            rc = progress(&j, line);
    }
    jl_close(&j);
    return rc;
}
