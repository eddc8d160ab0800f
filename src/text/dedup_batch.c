/*
 * dedup_batch.c - near-duplicate texts, reading on several threads. Posts
 * go in batches: the threads bring a batch's posts to their match forms,
 * shingle and sign them side by side (each post once, whether or not its
 * text turns out to be a copy), then the calling thread takes the batch in
 * post order into the distinct texts, so the result is that of one thread.
 */
#include "text/dedup_impl.h"

#include "core/hash.h"
#include "core/parallel.h"

#include <stdio.h>
#include <string.h>

#define BATCH 8192
#define MAX_THREADS CH_PARALLEL_MAX
#define PROGRESS_EVERY 8
/* Set values a reader keeps for one batch (16 MB; a batch of posts
 * needs about 1 MB): a post past it is left for the calling thread to
 * shingle, so that a batch of huge texts holds no more than one would. */
#define VALUES_CAP ((size_t)1 << 22)

/* One post of a batch as a reader left it. */
typedef struct batch_post {
    ch_dd_form f;                 /* f.len 0: no text (a retweet, or empty) */
    size_t at;                    /* its set in its reader's values */
    int later;                    /* not shingled: over VALUES_CAP */
    uint32_t bands[CH_MH_BANDS];
} batch_post;

/* One thread's reader: its own context, normalisers and buffers. */
typedef struct reader {
    chorus_ctx *ctx;
    const ch_dd_run *r;
    batch_post *posts;      /* the batch's, shared */
    uint32_t from, to, step, first; /* posts first, first + step, ... of [from, to) */
    chorus_normalizer *norm, *norm_reply;
    chorus_text_buf buf;
    ch_shingles s;
    uint32_t *values;       /* the sets of this reader's posts */
    size_t n_values, cap;
    chorus_rc rc;
    char msg[256];
} reader;

/* Post i into its batch_post (and its set into rd->values). */
static chorus_rc read_one(reader *rd, uint32_t i, batch_post *p)
{
    chorus_post_view v;
    chorus_corpus_post(rd->r->c, i, &v);
    p->f = (ch_dd_form){0};
    p->later = 0;
    if (v.kind == CHORUS_KIND_RETWEET || v.text.len == 0)
        return CHORUS_OK;
    chorus_normalizer *n = v.kind == CHORUS_KIND_REPLY ? rd->norm_reply : rd->norm;
    chorus_rc rc = chorus_normalize(n, v.text.ptr, v.text.len, &rd->buf);
    p->f.len = rd->buf.len;
    p->f.words = rd->buf.words;
    if (rc || p->f.len == 0 || p->f.words < rd->r->o.min_words || p->f.len >= CH_DD_WORDS)
        return rc;
    p->f.hash = chorus_text_hash(rd->buf.text, rd->buf.len);
    p->later = rd->n_values + p->f.len > VALUES_CAP; /* at most a shingle a byte */
    if (p->later || (rc = ch_dd_shingle(rd->r, &rd->s, &rd->buf, &p->f, p->bands)))
        return rc;
    if (ch_grow(rd->ctx, (void **)&rd->values, &rd->cap, rd->n_values + rd->s.vn + 1,
                sizeof *rd->values))
        return CHORUS_ENOMEM;
    p->at = rd->n_values;
    memcpy(rd->values + rd->n_values, rd->s.v, rd->s.vn * sizeof *rd->values);
    rd->n_values += rd->s.vn;
    return CHORUS_OK;
}

/* A reader's share of the batch; stops at its first failure. */
static void *read_share(void *arg)
{
    reader *rd = arg;
    rd->n_values = 0;
    for (uint32_t i = rd->from + rd->first; i < rd->to && !rd->rc; i += rd->step)
        rd->rc = read_one(rd, i, &rd->posts[i - rd->from]);
    if (rd->rc)
        snprintf(rd->msg, sizeof rd->msg, "%s", chorus_errmsg(rd->ctx));
    return NULL;
}

/* Reads posts [from, to) on every reader; the first failure, its message
 * on r->ctx. */
static chorus_rc read_batch(ch_dd_run *r, reader *rd, unsigned n, uint32_t from, uint32_t to)
{
    for (unsigned t = 0; t < n; t++) {
        rd[t].from = from;
        rd[t].to = to;
    }
    ch_parallel(read_share, rd, sizeof *rd, n);
    for (unsigned t = 0; t < n; t++)
        if (rd[t].rc)
            return ch_error(r->ctx, rd[t].rc, "%s", rd[t].msg);
    return CHORUS_OK;
}

/* Takes posts [from, to) in order into the distinct texts. */
static chorus_rc take_batch(ch_dd_run *r, const reader *rd, unsigned n, uint32_t from,
                            uint32_t to)
{
    chorus_rc rc = CHORUS_OK;
    for (uint32_t i = from; i < to && !rc; i++) {
        batch_post *p = &rd[0].posts[i - from];
        r->post_text[i] = UINT32_MAX;
        if (p->f.len == 0 || (rc = ch_dd_lookup(r, i, &p->f)) || !p->f.is_new)
            continue;
        if (p->later && !(rc = ch_dd_match_form(r, i))) /* shingled here */
            rc = ch_dd_shingle(r, &r->sa, &r->buf, &p->f, p->bands);
        if (!rc)
            rc = ch_dd_add_text(r, i, &p->f,
                                p->later ? r->sa.v : rd[(i - from) % n].values + p->at, p->bands);
    }
    return rc;
}

static chorus_rc reader_new(ch_dd_run *r, reader *rd, batch_post *posts, unsigned t, unsigned n)
{
    memset(rd, 0, sizeof *rd);
    rd->ctx = chorus_ctx_new(r->ctx->alloc, r->ctx->alloc_ud);
    if (!rd->ctx)
        return ch_nomem(r->ctx);
    rd->r = r;
    rd->posts = posts;
    rd->first = t;
    rd->step = n;
    chorus_text_buf_init(&rd->buf, rd->ctx);
    ch_shingles_init(&rd->s, rd->ctx);
    chorus_rc rc = ch_dd_normalizers(rd->ctx, &r->o, &rd->norm, &rd->norm_reply);
    return rc ? ch_error(r->ctx, rc, "%s", chorus_errmsg(rd->ctx)) : CHORUS_OK;
}

static void reader_free(reader *rd)
{
    if (!rd->ctx)
        return;
    chorus_normalizer_free(rd->norm);
    chorus_normalizer_free(rd->norm_reply);
    chorus_text_buf_free(&rd->buf);
    ch_shingles_free(&rd->s);
    ch_free(rd->ctx, rd->values, rd->cap * sizeof *rd->values);
    chorus_ctx_free(rd->ctx);
}

chorus_rc ch_dd_read_batches(ch_dd_run *r)
{
    unsigned n = r->o.threads > MAX_THREADS ? MAX_THREADS : r->o.threads;
    reader rd[MAX_THREADS];
    memset(rd, 0, sizeof rd);
    batch_post *posts = ch_alloc(r->ctx, BATCH * sizeof *posts);
    chorus_rc rc = posts ? CHORUS_OK : ch_nomem(r->ctx);
    ch_dd_account(r, (int64_t)(BATCH * sizeof *posts));
    for (unsigned t = 0; t < n && !rc; t++)
        rc = reader_new(r, &rd[t], posts, t, n);
    for (uint32_t from = 0, k = 0; from < r->n_posts && !rc; from += BATCH, k++) {
        uint32_t to = r->n_posts - from < BATCH ? r->n_posts : from + BATCH;
        if (!(rc = read_batch(r, rd, n, from, to)))
            rc = take_batch(r, rd, n, from, to);
        if (!rc && k % PROGRESS_EVERY == 0 &&
            ch_progress(r->ctx, "dedup: texts", from, r->n_posts, from))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
    for (unsigned t = 0; t < n; t++)
        reader_free(&rd[t]);
    ch_free(r->ctx, posts, BATCH * sizeof *posts);
    ch_dd_account(r, -(int64_t)(BATCH * sizeof *posts));
    return rc;
}
