/*
 * tweet_signal.c - the tweet signal: accounts that post the same text, as
 * the match form sees it. Every post but a retweet is one action whose
 * object is its match form; a retweet copies the original's text, which
 * the retweet signal already covers, so it must never count here. Posts go
 * in chunks: helper threads normalise chunks ahead into buffers while the
 * calling thread adds every chunk's actions in post order (normalising
 * itself the chunks no helper took), so the set never depends on threads.
 */
#include <chorus/text.h>

#include "core/ctx.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Labels longer than this are cut to LABEL_HEAD bytes plus "…" and the
 * match form's hash: evidence stays readable and distinct texts distinct. */
#define LABEL_MAX 256
#define LABEL_HEAD 200

#define CHUNK 2048       /* posts per chunk */
#define MAX_THREADS 16
#define REC_HEAD 16      /* a buffered action: account (4), label length (4), time (8) */
#define SLOT_BYTES ((size_t)CHUNK * (REC_HEAD + LABEL_MAX))

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

/* One thread's normalisers (a reply's with its leading mentions stripped). */
typedef struct norm {
    chorus_normalizer *n, *nr;
    chorus_text_buf b;
} norm;

static chorus_rc norm_new(chorus_ctx *ctx, const chorus_text_opts *o, norm *m)
{
    chorus_text_opts opts = *o;
    memset(m, 0, sizeof *m);
    chorus_text_buf_init(&m->b, ctx);
    chorus_rc rc = chorus_normalizer_new(ctx, &opts, &m->n);
    opts.strip_lead_mentions = 1;
    return rc ? rc : chorus_normalizer_new(ctx, &opts, &m->nr);
}

static void norm_free(norm *m)
{
    chorus_text_buf_free(&m->b);
    chorus_normalizer_free(m->n);
    chorus_normalizer_free(m->nr);
}

/* Post i's label into label (*len; 0: the post makes no action). */
static chorus_rc post_label(norm *m, const chorus_post_view *v, uint32_t min_words, char *label,
                            size_t *len)
{
    *len = 0;
    if (v->kind == CHORUS_KIND_RETWEET || v->text.len == 0)
        return CHORUS_OK;
    chorus_rc rc = chorus_normalize(v->kind == CHORUS_KIND_REPLY ? m->nr : m->n, v->text.ptr,
                                    v->text.len, &m->b);
    if (!rc && m->b.len && m->b.words >= min_words)
        *len = tweet_label(m->b.text, m->b.len, label);
    return rc;
}

/* A chunk normalised ahead by a helper: its actions as records. */
typedef struct slot {
    char *bytes;
    size_t len;
    uint32_t chunk; /* which chunk it holds */
    int ready;
    chorus_rc rc;
} slot;

typedef struct shared {
    const chorus_corpus *c;
    const chorus_text_opts *o;
    uint32_t min_words, np, n_chunks, n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next;     /* the next chunk to take */
    uint32_t consumed; /* chunks whose actions are added */
    int stop;
    slot *slots;
} shared;

typedef struct helper {
    shared *sh;
    chorus_ctx *ctx; /* its own: errors and allocations of this thread */
    chorus_rc rc;
    char msg[512];
} helper;

/* Normalises chunk k's posts into records. */
static chorus_rc fill_slot(shared *sh, norm *m, uint32_t k, slot *s)
{
    uint32_t end = sh->np - k * CHUNK < CHUNK ? sh->np : k * CHUNK + CHUNK;
    chorus_rc rc = CHORUS_OK;
    s->len = 0;
    for (uint32_t i = k * CHUNK; !rc && i < end; i++) {
        chorus_post_view v;
        size_t n;
        chorus_corpus_post(sh->c, i, &v);
        char *r = s->bytes + s->len;
        if ((rc = post_label(m, &v, sh->min_words, r + REC_HEAD, &n)) || n == 0)
            continue;
        uint32_t len = (uint32_t)n;
        memcpy(r, &v.account, 4);
        memcpy(r + 4, &len, 4);
        memcpy(r + 8, &v.time_ms, 8);
        s->len += REC_HEAD + n;
    }
    return rc;
}

/* Takes chunks ahead of the caller, while a slot is free for them. */
static void *help(void *arg)
{
    helper *h = arg;
    shared *sh = h->sh;
    norm m;
    h->rc = norm_new(h->ctx, sh->o, &m);
    pthread_mutex_lock(&sh->mu);
    while (!h->rc) {
        while (!sh->stop && sh->next < sh->n_chunks && sh->next >= sh->consumed + sh->n_slots)
            pthread_cond_wait(&sh->cv, &sh->mu);
        if (sh->stop || sh->next >= sh->n_chunks)
            break;
        uint32_t k = sh->next++;
        slot *s = &sh->slots[k % sh->n_slots];
        pthread_mutex_unlock(&sh->mu);
        chorus_rc rc = fill_slot(sh, &m, k, s);
        pthread_mutex_lock(&sh->mu);
        s->chunk = k, s->rc = rc, s->ready = 1;
        pthread_cond_broadcast(&sh->cv);
        if (rc)
            h->rc = rc;
    }
    if (h->rc) {
        snprintf(h->msg, sizeof h->msg, "%s", chorus_errmsg(h->ctx));
        sh->stop = 1;
        pthread_cond_broadcast(&sh->cv);
    }
    pthread_mutex_unlock(&sh->mu);
    norm_free(&m);
    return NULL;
}

/* Adds a helper's records of one chunk. */
static chorus_rc add_slot(chorus_actions *s, const slot *sl)
{
    chorus_rc rc = CHORUS_OK;
    for (size_t at = 0; !rc && at < sl->len;) {
        uint32_t account, len;
        int64_t time;
        memcpy(&account, sl->bytes + at, 4);
        memcpy(&len, sl->bytes + at + 4, 4);
        memcpy(&time, sl->bytes + at + 8, 8);
        rc = chorus_actions_add(s, account, sl->bytes + at + REC_HEAD, len, time);
        at += REC_HEAD + len;
    }
    return rc;
}

/* Chunk k's actions: normalised here when no helper took it, else taken
 * from its slot once ready. */
static chorus_rc add_chunk(shared *sh, norm *m, chorus_actions *s, uint32_t k)
{
    pthread_mutex_lock(&sh->mu);
    int own = sh->next == k;
    sh->next += own;
    slot *sl = own ? NULL : &sh->slots[k % sh->n_slots];
    while (!own && !sh->stop && !(sl->ready && sl->chunk == k))
        pthread_cond_wait(&sh->cv, &sh->mu);
    int stopped = !own && !(sl->ready && sl->chunk == k);
    pthread_mutex_unlock(&sh->mu);
    chorus_rc rc = stopped ? CHORUS_EINTERNAL : CHORUS_OK;
    uint32_t end = sh->np - k * CHUNK < CHUNK ? sh->np : k * CHUNK + CHUNK;
    char label[LABEL_MAX];
    for (uint32_t i = k * CHUNK; own && !rc && i < end; i++) {
        chorus_post_view v;
        size_t n;
        chorus_corpus_post(sh->c, i, &v);
        if (!(rc = post_label(m, &v, sh->min_words, label, &n)) && n)
            rc = chorus_actions_add(s, v.account, label, n, v.time_ms);
    }
    if (!own && !rc && !(rc = sl->rc))
        rc = add_slot(s, sl);
    pthread_mutex_lock(&sh->mu);
    if (sl)
        sl->ready = 0;
    sh->consumed = k + 1;
    sh->stop |= rc != CHORUS_OK;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

/* Starts up to n_help helpers; returns how many started. */
static uint32_t start_helpers(shared *sh, helper *h, pthread_t *tid, uint32_t n_help)
{
    uint32_t started = 0;
    for (uint32_t t = 0; t < n_help; t++) {
        h[started] = (helper){sh, chorus_ctx_new(NULL, NULL), CHORUS_OK, ""};
        if (!h[started].ctx)
            break;
        if (pthread_create(&tid[started], NULL, help, &h[started]) != 0) {
            chorus_ctx_free(h[started].ctx);
            break;
        }
        started++;
    }
    return started;
}

/* Every chunk in order; helpers (threads - 1 of them) normalise ahead. */
static chorus_rc run_chunks(chorus_ctx *ctx, shared *sh, norm *m, chorus_actions *s, uint32_t threads)
{
    helper h[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    uint32_t n_help = threads > 1 ? threads - 1 : 0;
    sh->n_slots = 2 * n_help + 2;
    sh->slots = n_help ? ch_calloc(ctx, sh->n_slots * sizeof *sh->slots) : NULL;
    for (uint32_t k = 0; sh->slots && k < sh->n_slots; k++)
        if (!(sh->slots[k].bytes = ch_alloc(ctx, SLOT_BYTES)))
            n_help = 0; /* no memory for helpers: all chunks here */
    uint32_t started = sh->slots && n_help ? start_helpers(sh, h, tid, n_help) : 0;
    chorus_rc rc = CHORUS_OK;
    for (uint32_t k = 0; !rc && k < sh->n_chunks; k++)
        rc = add_chunk(sh, m, s, k);
    pthread_mutex_lock(&sh->mu);
    sh->stop = 1;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    for (uint32_t t = 0; t < started; t++) {
        pthread_join(tid[t], NULL);
        if (h[t].rc && (!rc || rc == CHORUS_EINTERNAL))
            rc = ch_error(ctx, h[t].rc, "%s", h[t].msg);
        chorus_ctx_free(h[t].ctx);
    }
    for (uint32_t k = 0; sh->slots && k < sh->n_slots; k++)
        ch_free(ctx, sh->slots[k].bytes, SLOT_BYTES);
    ch_free(ctx, sh->slots, sh->n_slots * sizeof *sh->slots);
    return rc;
}

chorus_rc chorus_text_tweet_actions_threads(chorus_ctx *ctx, const chorus_corpus *c,
                                            const chorus_text_opts *o, uint32_t min_words,
                                            uint32_t threads, chorus_actions **out)
{
    *out = NULL;
    chorus_text_opts opts;
    if (o)
        opts = *o;
    else
        chorus_text_defaults(&opts);
    norm m;
    chorus_rc rc = norm_new(ctx, &opts, &m);
    chorus_actions *s = rc ? NULL : chorus_actions_new(ctx);
    if (!rc && !s)
        rc = CHORUS_ENOMEM;
    uint32_t np = chorus_corpus_post_count(c);
    shared sh = {c, &opts, min_words, np, (uint32_t)(((uint64_t)np + CHUNK - 1) / CHUNK), 0,
                 PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL};
    threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    if (!rc)
        rc = run_chunks(ctx, &sh, &m, s, threads < sh.n_chunks ? threads : 1);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    norm_free(&m);
    if (rc) {
        chorus_actions_free(s);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}

chorus_rc chorus_text_tweet_actions(chorus_ctx *ctx, const chorus_corpus *c,
                                    const chorus_text_opts *o, uint32_t min_words,
                                    chorus_actions **out)
{
    return chorus_text_tweet_actions_threads(ctx, c, o, min_words, 1, out);
}
