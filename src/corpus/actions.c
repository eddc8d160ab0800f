/*
 * actions.c - signals as action sets (see actions.h). Each action's object
 * is named by a label interned in the set, so every signal, whatever its
 * object (post, URL, hashtag sequence, author, column value), becomes the
 * same (account, object id, time) array for the co-action algorithm.
 */
#include <chorus/actions.h>

#include "core/intern.h"
#include "corpus_impl.h"

#include <string.h>

struct chorus_actions {
    chorus_ctx *ctx;
    ch_intern labels;
    chorus_action *a;
    size_t n, cap;
    uint32_t *source; /* per object: the account it came from, UINT32_MAX unknown */
    size_t source_cap;
};

static const char *const signal_names[CHORUS_SIG_COUNT] = {
    "retweet", "reply", "link", "hashtags", "fastretweet", "action", "tweet", "similar",
};

const char *chorus_signal_name(chorus_signal s)
{
    return (unsigned)s < CHORUS_SIG_COUNT ? signal_names[s] : "unknown";
}

int chorus_signal_from_name(const char *name)
{
    for (int i = 0; i < CHORUS_SIG_COUNT; i++)
        if (strcmp(name, signal_names[i]) == 0)
            return i;
    return -1;
}

void chorus_action_defaults(chorus_action_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_hashtags = 3;
    o->fast_ms = 10000;
}

chorus_actions *chorus_actions_new(chorus_ctx *ctx)
{
    chorus_actions *s = ch_calloc(ctx, sizeof *s);
    if (!s) {
        ch_nomem(ctx);
        return NULL;
    }
    s->ctx = ctx;
    ch_intern_init(&s->labels, ctx);
    return s;
}

void chorus_actions_free(chorus_actions *s)
{
    if (!s)
        return;
    ch_intern_free(&s->labels);
    ch_free(s->ctx, s->a, s->cap * sizeof *s->a);
    ch_free(s->ctx, s->source, s->source_cap * sizeof *s->source);
    ch_free(s->ctx, s, sizeof *s);
}

chorus_rc chorus_actions_add(chorus_actions *s, uint32_t account, const char *label, size_t len,
                             int64_t time_ms)
{
    uint32_t obj = ch_intern_add(&s->labels, label, len);
    if (obj == CH_NO_ID)
        return s->ctx->rc;
    if (s->n == s->cap && ch_grow(s->ctx, (void **)&s->a, &s->cap, s->n + 1, sizeof *s->a))
        return CHORUS_ENOMEM;
    s->a[s->n++] = (chorus_action){account, obj, time_ms};
    return CHORUS_OK;
}

chorus_rc chorus_actions_add_object(chorus_actions *s, uint32_t account, uint32_t object,
                                    int64_t time_ms)
{
    if (object >= s->labels.n)
        return ch_error(s->ctx, CHORUS_EUSAGE, "no object %u in the action set", object);
    if (s->n == s->cap && ch_grow(s->ctx, (void **)&s->a, &s->cap, s->n + 1, sizeof *s->a))
        return CHORUS_ENOMEM;
    s->a[s->n++] = (chorus_action){account, object, time_ms};
    return CHORUS_OK;
}

/* Makes room for a source per object up to `objects`, unknown by default. */
static chorus_rc grow_sources(chorus_actions *s, size_t objects)
{
    size_t had = s->source_cap;
    if (objects <= had)
        return CHORUS_OK;
    if (ch_grow(s->ctx, (void **)&s->source, &s->source_cap, objects, sizeof *s->source))
        return CHORUS_ENOMEM;
    memset(s->source + had, 0xff, (s->source_cap - had) * sizeof *s->source);
    return CHORUS_OK;
}

/* Records the source of the last action's object (the first one seen wins). */
static chorus_rc set_source(chorus_actions *s, uint32_t source)
{
    uint32_t obj = s->a[s->n - 1].object;
    if (grow_sources(s, (size_t)obj + 1))
        return CHORUS_ENOMEM;
    if (s->source[obj] == UINT32_MAX)
        s->source[obj] = source;
    return CHORUS_OK;
}

const uint32_t *chorus_actions_sources(const chorus_actions *s)
{
    return s->source_cap >= s->labels.n ? s->source : NULL;
}

chorus_action *chorus_actions_data(chorus_actions *s, size_t *n)
{
    *n = s->n;
    return s->a;
}

uint32_t chorus_actions_objects(const chorus_actions *s) { return (uint32_t)s->labels.n; }

chorus_str chorus_actions_label(const chorus_actions *s, uint32_t object)
{
    if (object >= s->labels.n)
        return (chorus_str){"", 0};
    return (chorus_str){ch_intern_str(&s->labels, object), ch_intern_len(&s->labels, object)};
}

/* The label buffer for one post's derived objects. */
#define LABEL_CAP 4096

static chorus_rc add_str(chorus_actions *s, const chorus_post_view *v, chorus_str label)
{
    return chorus_actions_add(s, v->account, label.ptr, label.len, v->time_ms);
}

/* Retweets within fast_ms of the original (timed by its snowflake id). */
static chorus_rc fast_retweet(chorus_actions *s, const chorus_corpus *c, const chorus_post_view *v,
                              const chorus_action_opts *o)
{
    uint64_t id = 0;
    if (v->kind != CHORUS_KIND_RETWEET || v->ref_account < 0 || v->ref_post.len == 0 ||
        v->ref_post.len > 20)
        return CHORUS_OK;
    for (size_t i = 0; i < v->ref_post.len; i++) {
        unsigned d = (unsigned char)v->ref_post.ptr[i] - '0';
        if (d > 9)
            return CHORUS_OK;
        id = id * 10 + d;
    }
    int64_t orig = chorus_snowflake_ms(id), delay = v->time_ms - orig;
    if (orig == INT64_MIN || delay < 0 || delay > o->fast_ms)
        return CHORUS_OK;
    chorus_account_view a;
    chorus_corpus_account(c, (uint32_t)v->ref_account, &a);
    chorus_rc rc = add_str(s, v, a.id);
    return rc ? rc : set_source(s, (uint32_t)v->ref_account);
}

/* Each distinct canonical URL of an original post (retweets re-share the
 * original's links, which the retweet signal already covers). */
static chorus_rc links(chorus_actions *s, const chorus_corpus *c, const chorus_post_view *v,
                       const chorus_action_opts *o, char *buf)
{
    if (v->kind == CHORUS_KIND_RETWEET)
        return CHORUS_OK;
    uint32_t seen[16];
    size_t nseen = 0;
    for (uint32_t k = 0; k < v->n_urls; k++) {
        chorus_str u = chorus_corpus_string(c, v->urls[k]);
        size_t n = chorus_url_canonical(u.ptr, u.len, o->link_domain, buf, LABEL_CAP);
        uint32_t obj = n ? ch_intern_add(&s->labels, buf, n) : CH_NO_ID;
        if (n && obj == CH_NO_ID)
            return s->ctx->rc;
        int repeat = obj == CH_NO_ID;
        for (size_t j = 0; j < nseen && !repeat; j++)
            repeat = seen[j] == obj;
        if (repeat)
            continue; /* the same link twice in one post is one action */
        if (nseen < 16)
            seen[nseen++] = obj;
        chorus_rc rc = add_str(s, v, (chorus_str){buf, n});
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

/* The ordered hashtag sequence of an original post, ASCII-lower-cased. */
static chorus_rc hashtags(chorus_actions *s, const chorus_corpus *c, const chorus_post_view *v,
                          const chorus_action_opts *o, char *buf)
{
    if (v->kind == CHORUS_KIND_RETWEET || v->n_hashtags < o->min_hashtags)
        return CHORUS_OK;
    size_t n = 0;
    for (uint32_t k = 0; k < v->n_hashtags; k++) {
        chorus_str t = chorus_corpus_string(c, v->hashtags[k]);
        if (n + t.len + 1 > LABEL_CAP)
            return CHORUS_OK; /* absurdly long sequences carry no evidence */
        if (k)
            buf[n++] = ' ';
        for (size_t i = 0; i < t.len; i++)
            buf[n++] = (char)(t.ptr[i] >= 'A' && t.ptr[i] <= 'Z' ? t.ptr[i] + 32 : t.ptr[i]);
    }
    return add_str(s, v, (chorus_str){buf, n});
}

/* A retweet or reply on the post it refers to, read from the corpus's
 * columns: these signals see most posts, and a full view costs more. */
static chorus_rc ref_action(chorus_actions *s, const chorus_corpus *c, chorus_signal sig, uint32_t i)
{
    chorus_post_kind want = sig == CHORUS_SIG_RETWEET ? CHORUS_KIND_RETWEET : CHORUS_KIND_REPLY;
    char buf[24];
    if (c->kind[i] != want)
        return CHORUS_OK;
    chorus_str ref = ch_corpus_key_str(c, c->ref[i], buf);
    if (!ref.len)
        return CHORUS_OK;
    chorus_rc rc = chorus_actions_add(s, c->acct[i], ref.ptr, ref.len, c->time[i]);
    return rc || c->ref_acct[i] == CH_NONE ? rc : set_source(s, c->ref_acct[i]);
}

static chorus_rc post_actions(chorus_actions *s, const chorus_corpus *c, chorus_signal sig,
                              const chorus_action_opts *o, uint32_t i, char *buf)
{
    if (sig == CHORUS_SIG_RETWEET || sig == CHORUS_SIG_REPLY)
        return ref_action(s, c, sig, i);
    int retweet = c->kind[i] == CHORUS_KIND_RETWEET;
    if (sig == CHORUS_SIG_FASTRETWEET ? !retweet : (sig == CHORUS_SIG_LINK || sig == CHORUS_SIG_HASHTAGS) && retweet)
        return CHORUS_OK; /* spares the view of posts the signal skips */
    chorus_post_view v;
    chorus_corpus_post(c, i, &v);
    switch (sig) {
    case CHORUS_SIG_FASTRETWEET: return fast_retweet(s, c, &v, o);
    case CHORUS_SIG_LINK: return links(s, c, &v, o, buf);
    case CHORUS_SIG_HASHTAGS: return hashtags(s, c, &v, o, buf);
    case CHORUS_SIG_ACTION: {
        uint32_t obj = chorus_corpus_post_object(c, i, o->object_column);
        return obj == UINT32_MAX ? CHORUS_OK : add_str(s, &v, chorus_corpus_string(c, obj));
    }
    default:
        return ch_error(s->ctx, CHORUS_EUSAGE, "the %s signal is built by the text stage",
                        chorus_signal_name(sig));
    }
}

chorus_rc chorus_actions_build(chorus_ctx *ctx, const chorus_corpus *c, chorus_signal sig,
                               const chorus_action_opts *opts, chorus_actions **out)
{
    chorus_action_opts defaults;
    if (!opts) {
        chorus_action_defaults(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    if (sig == CHORUS_SIG_ACTION && opts->object_column >= chorus_corpus_object_columns(c))
        return ch_error(ctx, CHORUS_EUSAGE, "no object column %u in the corpus", opts->object_column);
    chorus_actions *s = chorus_actions_new(ctx);
    char *buf = ch_alloc(ctx, LABEL_CAP);
    chorus_rc rc = (!s || !buf) ? ch_nomem(ctx) : CHORUS_OK;
    for (uint32_t i = 0; !rc && i < chorus_corpus_post_count(c); i++)
        rc = post_actions(s, c, sig, opts, i, buf);
    ch_free(ctx, buf, LABEL_CAP);
    if (!rc && s->source)
        rc = grow_sources(s, s->labels.n);
    if (rc) {
        chorus_actions_free(s);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}
