/*
 * dedup_result.c - what a dedup result offers beyond its arrays: freeing
 * it, the similarity of two texts as a run measures it, and the `similar`
 * coordination signal (one action per clustered post, the object its
 * cluster's episode: a burst of copies, split from the next by a gap).
 */
#include "text/dedup_impl.h"

#include <stdio.h>
#include <string.h>

/* Labels: "cluster N: " and the representative's match form, cut at a
 * character boundary after LABEL_TEXT bytes and marked "…" (U+2026 never
 * occurs in a match form): readable in evidence.csv, distinct by N. */
#define LABEL_TEXT 120

void chorus_dedup_free(chorus_dedup *d)
{
    if (!d)
        return;
    chorus_ctx *ctx = d->ctx;
    ch_dd_priv *priv = d->priv;
    ch_free(ctx, d->clusters, (d->n_clusters + 1) * sizeof *d->clusters);
    ch_free(ctx, d->members, (d->n_members + 1) * sizeof *d->members);
    if (priv) {
        ch_free(ctx, d->pairs, priv->pairs_cap * sizeof *d->pairs);
        ch_arena_free(&priv->arena);
        ch_free(ctx, priv, sizeof *priv);
    }
    ch_free(ctx, d, sizeof *d);
}

chorus_rc chorus_dedup_similarity(chorus_ctx *ctx, const chorus_dedup_opts *o, const char *a,
                                  size_t na, const char *b, size_t nb, double *jaccard,
                                  double *containment)
{
    *jaccard = *containment = 0;
    chorus_dedup_opts def;
    if (!o) {
        chorus_dedup_defaults(&def, CHORUS_DEDUP_POSTS);
        o = &def;
    }
    chorus_normalizer *n = NULL;
    chorus_text_buf ba, bb;
    chorus_text_buf_init(&ba, ctx);
    chorus_text_buf_init(&bb, ctx);
    ch_shingles sa, sb;
    ch_shingles_init(&sa, ctx);
    ch_shingles_init(&sb, ctx);
    chorus_rc rc = chorus_normalizer_new(ctx, &o->text, &n);
    if (!rc && !(rc = chorus_normalize(n, a, na, &ba)))
        rc = chorus_normalize(n, b, nb, &bb);
    if (!rc) {
        uint32_t w = ba.words > bb.words ? ba.words : bb.words;
        int words = o->long_words == 0 || w > o->long_words;
        if (!(rc = ch_shingles_of(&sa, ba.text, ba.len, words)) && !(rc = ch_shingles_pack(&sa)) &&
            !(rc = ch_shingles_of(&sb, bb.text, bb.len, words)) && !(rc = ch_shingles_pack(&sb)))
            ch_set_similarity(sa.v, sa.vn, sb.v, sb.vn, jaccard, containment);
    }
    ch_shingles_free(&sa);
    ch_shingles_free(&sb);
    chorus_text_buf_free(&ba);
    chorus_text_buf_free(&bb);
    chorus_normalizer_free(n);
    return rc;
}

/* The label of cluster id, episode ep (0: the cluster's only one), with
 * match form m into buf (LABEL_TEXT + 48). */
static size_t cluster_label(size_t id, uint32_t ep, chorus_str m, char *buf)
{
    int k = ep ? snprintf(buf, 48, "cluster %zu.%u: ", id, ep) : snprintf(buf, 32, "cluster %zu: ", id);
    size_t head = m.len;
    if (head > LABEL_TEXT) {
        head = LABEL_TEXT;
        while (head > 0 && ((unsigned char)m.ptr[head] & 0xC0) == 0x80)
            head--;
    }
    memcpy(buf + k, m.ptr, head);
    size_t n = (size_t)k + head;
    if (head < m.len) {
        memcpy(buf + n, "\xE2\x80\xA6", 3);
        n += 3;
    }
    return n;
}

/* Whether member i of cl (i >= 1) starts a new episode: more than gap
 * after the one before (members are in time order). */
static int episode_starts(const chorus_corpus *c, const chorus_dedup *d,
                          const chorus_dedup_cluster *cl, uint32_t i)
{
    if (d->episode_gap_ms <= 0)
        return 0;
    chorus_post_view a, b;
    chorus_corpus_post(c, d->members[cl->first_member + i - 1].post, &a);
    chorus_corpus_post(c, d->members[cl->first_member + i].post, &b);
    return b.time_ms - a.time_ms > d->episode_gap_ms;
}

/* Adds the actions of cluster id (from 1) to s, one object per episode. */
static chorus_rc cluster_actions(chorus_actions *s, const chorus_corpus *c, const chorus_dedup *d,
                                 size_t id)
{
    const chorus_dedup_cluster *cl = &d->clusters[id - 1];
    uint32_t several = 0;
    for (uint32_t i = 1; i < cl->size && !several; i++)
        several = (uint32_t)episode_starts(c, d, cl, i);
    char label[LABEL_TEXT + 48];
    uint32_t ep = several;
    size_t n = cluster_label(id, ep, cl->match_form, label);
    chorus_rc rc = CHORUS_OK;
    for (uint32_t i = 0; i < cl->size && !rc; i++) {
        if (i > 0 && several && episode_starts(c, d, cl, i))
            n = cluster_label(id, ++ep, cl->match_form, label);
        chorus_post_view v;
        chorus_corpus_post(c, d->members[cl->first_member + i].post, &v);
        rc = chorus_actions_add(s, v.account, label, n, v.time_ms);
    }
    return rc;
}

chorus_rc chorus_dedup_actions(chorus_ctx *ctx, const chorus_corpus *c, const chorus_dedup *d,
                               chorus_actions **out)
{
    *out = NULL;
    chorus_actions *s = chorus_actions_new(ctx);
    if (!s)
        return ch_nomem(ctx);
    chorus_rc rc = CHORUS_OK;
    for (size_t k = 0; k < d->n_clusters && !rc; k++)
        rc = cluster_actions(s, c, d, k + 1);
    if (rc) {
        chorus_actions_free(s);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}

chorus_rc chorus_text_similar_actions(chorus_ctx *ctx, const chorus_corpus *c,
                                      const chorus_dedup_opts *o, chorus_actions **out)
{
    *out = NULL;
    chorus_dedup *d = NULL;
    chorus_rc rc = chorus_dedup_run(ctx, c, o, &d);
    if (!rc)
        rc = chorus_dedup_actions(ctx, c, d, out);
    chorus_dedup_free(d);
    return rc;
}
