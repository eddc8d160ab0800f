/*
 * accounts.c - the corpus's account table. An account's index is the
 * intern number of its id, so lookups and creation are one hash probe.
 * Referenced authors get stub entries; the first row that carries a
 * profile fills it in, later copies of the same profile cost one check.
 */
#include "corpus_impl.h"
#include "core/hash.h"
#include "io/fields.h"

#include <string.h>

#define PARTITION_SEED 0x63686f727573ULL /* fixed: partition keys must not change */

uint32_t ch_corpus_account_of(chorus_corpus *c, chorus_str id)
{
    return ch_corpus_account_hashed(c, id, ch_intern_hash(id.ptr, id.len));
}

uint32_t ch_corpus_account_hashed(chorus_corpus *c, chorus_str id, uint64_t h)
{
    size_t before = c->acct_ids.n;
    /* Room first, so the id table never holds an account the array lacks. */
    if (ch_grow(c->ctx, (void **)&c->acc, &c->acap, before + 1, sizeof *c->acc))
        return CH_NONE;
    uint32_t a = ch_intern_add_hashed(&c->acct_ids, id.ptr, id.len, h);
    if (a == CH_NO_ID || c->acct_ids.n == before)
        return a == CH_NO_ID ? CH_NONE : a;
    ch_account *acc = &c->acc[a];
    memset(acc, 0, sizeof *acc);
    acc->followers = acc->following = CH_COUNT_UNKNOWN;
    acc->created_ms = CH_TIME_UNKNOWN;
    acc->pseudonymised = ch_is_pseudonym(id.ptr, id.len);
    return a;
}

static int dup_str(chorus_corpus *c, chorus_str *dst, chorus_str src)
{
    if (src.len == 0) {
        *dst = (chorus_str){"", 0};
        return 0;
    }
    char *p = ch_arena_dup(&c->text, src.ptr, src.len);
    if (!p)
        return -1;
    *dst = (chorus_str){p, src.len};
    return 0;
}

chorus_rc ch_corpus_set_profile(chorus_corpus *c, uint32_t a, const ch_account_rec *rec)
{
    ch_account *acc = &c->acc[a];
    if (acc->has_profile)
        return CHORUS_OK;
    if (dup_str(c, &acc->display_name, rec->display_name) ||
        dup_str(c, &acc->screen_name, rec->screen_name) ||
        dup_str(c, &acc->location, rec->location) ||
        dup_str(c, &acc->description, rec->description) || dup_str(c, &acc->url, rec->url) ||
        dup_str(c, &acc->lang, rec->lang))
        return c->ctx->rc;
    acc->followers = rec->followers;
    acc->following = rec->following;
    acc->created_ms = rec->created_ms;
    acc->has_profile = 1;
    return CHORUS_OK;
}

chorus_rc ch_corpus_add_account(void *ud, const ch_account_rec *a)
{
    chorus_corpus *c = ud;
    uint32_t i = ch_corpus_account_of(c, a->id);
    if (i == CH_NONE)
        return c->ctx->rc;
    c->stats->accounts_rows++;
    return ch_corpus_set_profile(c, i, a);
}

uint32_t chorus_corpus_account_count(const chorus_corpus *c) { return (uint32_t)c->acct_ids.n; }

void chorus_corpus_account(const chorus_corpus *c, uint32_t i, chorus_account_view *v)
{
    const ch_account *a = &c->acc[i];
    v->id = (chorus_str){ch_intern_str(&c->acct_ids, i), ch_intern_len(&c->acct_ids, i)};
    v->display_name = a->display_name;
    v->screen_name = a->screen_name;
    v->location = a->location;
    v->description = a->description;
    v->url = a->url;
    v->lang = a->lang;
    v->followers = a->followers;
    v->following = a->following;
    v->created_ms = a->created_ms;
    v->n_posts = a->n_posts;
    v->pseudonymised = a->pseudonymised;
    if (!v->display_name.ptr)
        v->display_name = v->screen_name = v->location = v->description = v->url = v->lang =
            (chorus_str){"", 0};
}

int64_t chorus_corpus_find_account(const chorus_corpus *c, const char *id, size_t len)
{
    uint32_t a = ch_intern_find(&c->acct_ids, id, len);
    return a == CH_NO_ID ? -1 : (int64_t)a;
}

uint64_t chorus_corpus_account_hash(const chorus_corpus *c, uint32_t account)
{
    return ch_hash64(ch_intern_str(&c->acct_ids, account), ch_intern_len(&c->acct_ids, account),
                     PARTITION_SEED);
}

uint64_t chorus_corpus_string_hash(const chorus_corpus *c, uint32_t sid)
{
    chorus_str s = chorus_corpus_string(c, sid);
    return ch_hash64(s.ptr, s.len, PARTITION_SEED);
}
