/*
 * tweet_signal.c - the tweet signal: accounts that post the same text, as
 * the match form sees it. Every post but a retweet is one action whose
 * object is its match form; a retweet copies the original's text, which
 * the retweet signal already covers, so it must never count here.
 */
#include <chorus/text.h>

#include <stdio.h>
#include <string.h>

/* Labels longer than this are cut to LABEL_HEAD bytes plus "…" and the
 * match form's hash: evidence stays readable and distinct texts distinct. */
#define LABEL_MAX 256
#define LABEL_HEAD 200

/* The label of match form t[0..n) in buf (LABEL_MAX bytes); its length. */
static size_t tweet_label(const char *t, size_t n, char *buf)
{
    if (n <= LABEL_MAX) {
        memcpy(buf, t, n);
        return n;
    }
    size_t head = LABEL_HEAD;
    while (head > 0 && ((unsigned char)t[head] & 0xC0) == 0x80)
        head--; /* cut at a character boundary */
    memcpy(buf, t, head);
    int k = snprintf(buf + head, LABEL_MAX - head, "\xE2\x80\xA6%016llx",
                     (unsigned long long)chorus_text_hash(t, n));
    return head + (size_t)k;
}

/* One post's action, if its text makes one. */
static chorus_rc post_action(chorus_actions *s, chorus_normalizer *n, const chorus_post_view *v,
                             uint32_t min_words, chorus_text_buf *b, char *label)
{
    chorus_rc rc = chorus_normalize(n, v->text.ptr, v->text.len, b);
    if (rc || b->len == 0 || b->words < min_words)
        return rc;
    size_t k = tweet_label(b->text, b->len, label);
    return chorus_actions_add(s, v->account, label, k, v->time_ms);
}

chorus_rc chorus_text_tweet_actions(chorus_ctx *ctx, const chorus_corpus *c,
                                    const chorus_text_opts *o, uint32_t min_words,
                                    chorus_actions **out)
{
    *out = NULL;
    chorus_text_opts opts;
    if (o)
        opts = *o;
    else
        chorus_text_defaults(&opts);
    chorus_normalizer *n = NULL, *nr = NULL; /* nr for replies */
    chorus_rc rc = chorus_normalizer_new(ctx, &opts, &n);
    opts.strip_lead_mentions = 1;
    if (!rc)
        rc = chorus_normalizer_new(ctx, &opts, &nr);
    chorus_actions *s = rc ? NULL : chorus_actions_new(ctx);
    if (!rc && !s)
        rc = CHORUS_ENOMEM;
    chorus_text_buf b;
    chorus_text_buf_init(&b, ctx);
    char label[LABEL_MAX];
    uint32_t np = chorus_corpus_post_count(c);
    for (uint32_t i = 0; !rc && i < np; i++) {
        chorus_post_view v;
        chorus_corpus_post(c, i, &v);
        if (v.kind != CHORUS_KIND_RETWEET && v.text.len)
            rc = post_action(s, v.kind == CHORUS_KIND_REPLY ? nr : n, &v, min_words, &b, label);
    }
    chorus_text_buf_free(&b);
    chorus_normalizer_free(n);
    chorus_normalizer_free(nr);
    if (rc) {
        chorus_actions_free(s);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}
