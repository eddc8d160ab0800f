/*
 * match_corpus.c - catalogue matching over a whole corpus. Posts with the
 * same text, byte for byte (retweets, copy-pasta), are matched once: the
 * texts are grouped by hash first, worker threads then match the first
 * post of each group in chunks, and the hits are handed out to every post
 * of its group in post order. The result is the same for any number of
 * threads; only the time changes.
 */
#include "text/match_impl.h"

#include "core/hash.h"
#include "core/parallel.h"
#include "core/radix_sort.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define MAX_HITS ((size_t)1 << 31)
#define CHUNK 4096 /* texts a worker takes at a time */
#define MAX_THREADS CH_PARALLEL_MAX

void chorus_match_result_free(chorus_match_result *r)
{
    if (!r)
        return;
    ch_free(r->ctx, r->hits, r->cap * sizeof *r->hits);
    ch_free(r->ctx, r, sizeof *r);
}

/* ---- groups of identical texts ---- */

typedef struct groups {
    uint32_t *lead;  /* the first post of each group, in post order */
    uint32_t n_lead;
    uint32_t *of;    /* per post: its group, or CH_M_NONE (no text, or left out) */
    uint32_t n_posts;
} groups;

static chorus_str post_text(const chorus_corpus *c, uint32_t i, int skip_retweets)
{
    chorus_post_view v;
    chorus_corpus_post(c, i, &v);
    if (skip_retweets && v.kind == CHORUS_KIND_RETWEET)
        return (chorus_str){"", 0};
    return v.text;
}

/* Groups posts (sorted by text hash in key/post) whose texts are equal. */
static void assign_groups(const chorus_corpus *c, const uint64_t *key, const uint32_t *post,
                          groups *g)
{
    for (size_t i = 0; i < g->n_posts;) {
        size_t j = i + 1;
        while (j < g->n_posts && key[j] == key[i])
            j++;
        /* the sort is stable: post[i] is the run's first post */
        chorus_str lead = post_text(c, post[i], 0);
        for (size_t q = i; q < j && key[i]; q++) {
            chorus_str t = q == i ? lead : post_text(c, post[q], 0);
            int same = t.len == lead.len && !memcmp(t.ptr, lead.ptr, t.len);
            g->of[post[q]] = same ? post[i] : post[q]; /* a hash collision: its own group */
        }
        i = j;
    }
    for (uint32_t p = 0; p < g->n_posts; p++) /* group numbers in post order */
        if (g->of[p] == p) {
            g->of[p] = g->n_lead;
            g->lead[g->n_lead++] = p;
        } else if (g->of[p] != CH_M_NONE)
            g->of[p] = g->of[g->of[p]];
}

static chorus_rc make_groups(chorus_ctx *ctx, const chorus_corpus *c, int skip_retweets, groups *g)
{
    size_t n = g->n_posts = chorus_corpus_post_count(c);
    uint64_t *key = ch_alloc(ctx, (n + 1) * sizeof *key);
    uint32_t *post = ch_alloc(ctx, (n + 1) * sizeof *post);
    g->of = ch_alloc(ctx, (n + 1) * sizeof *g->of);
    g->lead = ch_alloc(ctx, (n + 1) * sizeof *g->lead);
    chorus_rc rc = key && post && g->of && g->lead ? CHORUS_OK : ch_nomem(ctx);
    for (size_t i = 0; i < n && !rc; i++) {
        chorus_str t = post_text(c, (uint32_t)i, skip_retweets);
        key[i] = t.len ? ch_hash64(t.ptr, t.len, 0x6d656d6fULL) | 1 : 0;
        post[i] = (uint32_t)i;
        g->of[i] = CH_M_NONE;
    }
    if (!rc)
        rc = ch_radix_sort_u64(ctx, key, post, n);
    if (!rc)
        assign_groups(c, key, post, g);
    ch_free(ctx, key, (n + 1) * sizeof *key);
    ch_free(ctx, post, (n + 1) * sizeof *post);
    return rc;
}

static void free_groups(chorus_ctx *ctx, groups *g)
{
    ch_free(ctx, g->of, ((size_t)g->n_posts + 1) * sizeof *g->of);
    ch_free(ctx, g->lead, ((size_t)g->n_posts + 1) * sizeof *g->lead);
}

/* ---- workers ---- */

/* Where a chunk's hits went: worker w's hits [first, first + n). */
typedef struct chunk_out {
    uint32_t worker;
    size_t first, n;
} chunk_out;

typedef struct shared {
    const chorus_catalogue *cat;
    const chorus_corpus *c;
    const groups *g;
    chorus_ctx *caller; /* progress goes through it, from worker 0 only */
    uint32_t n_chunks;
    uint32_t shard, shards; /* this shard matches chunks shard, shard + shards, ... */
    uint32_t n_mine, leads_mine; /* its chunks, and the groups in them */
    atomic_uint next_chunk, done;
    atomic_int stop;
    chunk_out *chunks;
} shared;

typedef struct worker {
    shared *sh;
    uint32_t id;
    chorus_ctx *ctx; /* its own: errors and allocations of this thread */
    chorus_match_hit *hits; /* hits of its groups; .post is the group */
    size_t n_hits, cap;
    chorus_match_stats ms;
    chorus_rc rc;
} worker;

/* Matches group k's text; its hits go to the worker's list. */
static chorus_rc match_group(worker *w, chorus_matcher *m, uint32_t k)
{
    chorus_str t = post_text(w->sh->c, w->sh->g->lead[k], 0);
    const chorus_match_hit *h;
    size_t n;
    chorus_rc rc = chorus_match_text(m, t.ptr, t.len, &h, &n);
    if (rc)
        return rc;
    if (w->n_hits + n > MAX_HITS)
        return ch_error(w->ctx, CHORUS_ELIMIT, "match: over %zu matches", MAX_HITS);
    if (ch_grow(w->ctx, (void **)&w->hits, &w->cap, w->n_hits + n, sizeof *w->hits))
        return CHORUS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        w->hits[w->n_hits] = h[i];
        w->hits[w->n_hits++].post = k;
    }
    return CHORUS_OK;
}

/* Takes chunks of groups until none is left, or something failed or
 * asked to stop. Worker 0 reports progress for all. */
static chorus_rc work(worker *w)
{
    shared *sh = w->sh;
    chorus_matcher *m;
    chorus_rc rc = chorus_matcher_new(w->ctx, sh->cat, &m);
    while (!rc && !atomic_load(&sh->stop)) {
        uint32_t j = atomic_fetch_add(&sh->next_chunk, 1);
        if (j >= sh->n_mine)
            break;
        uint32_t k = j * sh->shards + sh->shard, from = k * CHUNK;
        uint32_t to = sh->g->n_lead - from < CHUNK ? sh->g->n_lead : from + CHUNK;
        size_t first = w->n_hits;
        for (uint32_t i = from; i < to && !rc; i++)
            rc = match_group(w, m, i);
        sh->chunks[k] = (chunk_out){w->id, first, w->n_hits - first};
        unsigned done = atomic_fetch_add(&sh->done, to - from) + (to - from);
        if (!rc && w->id == 0 && ch_progress(sh->caller, "match", done, sh->leads_mine, done))
            atomic_store(&sh->stop, 1);
    }
    if (m) {
        chorus_matcher_stats(m, &w->ms);
        chorus_matcher_free(m);
    }
    return rc;
}

static void *work_thread(void *arg)
{
    worker *w = arg;
    w->rc = work(w);
    if (w->rc)
        atomic_store(&w->sh->stop, 1);
    return NULL;
}

/* The chunks of groups, and which of them (and how many groups) this shard matches. */
static void share_chunks(shared *sh, const chorus_match_opts *o)
{
    uint32_t n_lead = sh->g->n_lead;
    sh->n_chunks = (uint32_t)(((size_t)n_lead + CHUNK - 1) / CHUNK);
    sh->shards = o->shards > 1 ? o->shards : 1;
    sh->shard = o->shards > 1 ? o->shard : 0;
    sh->n_mine = sh->n_chunks > sh->shard ? (sh->n_chunks - sh->shard - 1) / sh->shards + 1 : 0;
    sh->leads_mine = 0;
    for (uint32_t k = sh->shard; k < sh->n_chunks; k += sh->shards)
        sh->leads_mine += n_lead - k * CHUNK < CHUNK ? n_lead - k * CHUNK : CHUNK;
}

static uint32_t thread_count(const chorus_match_opts *o, uint32_t n_chunks)
{
    long t = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (t < 1)
        t = 1;
    if (t > MAX_THREADS)
        t = MAX_THREADS;
    if (t > (long)n_chunks) /* the chunks this shard matches */
        t = n_chunks ? (long)n_chunks : 1;
    return (uint32_t)t;
}

/* Runs workers 1.. on threads and worker 0 here (the chunks go to
 * whichever asks first). The first error wins. */
static chorus_rc run_workers(chorus_ctx *ctx, shared *sh, worker *w, uint32_t nw)
{
    ch_parallel(work_thread, w, sizeof *w, nw);
    for (uint32_t i = 0; i < nw; i++)
        if (w[i].rc) {
            if (w[i].ctx != ctx)
                ch_error(ctx, w[i].rc, "%s", chorus_errmsg(w[i].ctx));
            return w[i].rc;
        }
    if (atomic_load(&sh->stop))
        return ch_error(ctx, CHORUS_EUSAGE, "match: interrupted");
    return CHORUS_OK;
}

static void free_workers(chorus_ctx *ctx, worker *w, uint32_t nw)
{
    for (uint32_t i = 0; i < nw; i++) {
        if (!w[i].ctx)
            continue;
        ch_free(w[i].ctx, w[i].hits, w[i].cap * sizeof *w[i].hits);
        if (w[i].ctx != ctx)
            chorus_ctx_free(w[i].ctx);
    }
    ch_free(ctx, w, nw * sizeof *w);
}

/* Every post's hits: its group's, from the workers' lists in group order. */
static chorus_rc merge(chorus_ctx *ctx, const shared *sh, const worker *w, chorus_match_result *r)
{
    const groups *g = sh->g;
    size_t *first = ch_alloc(ctx, ((size_t)g->n_lead + 1) * sizeof *first), total = 0;
    if (!first)
        return ch_nomem(ctx);
    const chorus_match_hit **src =
        (const chorus_match_hit **)ch_alloc(ctx, ((size_t)g->n_lead + 1) * sizeof *src);
    chorus_rc rc = src ? CHORUS_OK : ch_nomem(ctx);
    /* group k's hits: src[k][0 .. first[k + 1] - first[k]) */
    size_t at = 0;
    for (uint32_t c = 0, k = 0; c < sh->n_chunks && !rc; c++) {
        const chunk_out *o = &sh->chunks[c];
        const chorus_match_hit *h = w[o->worker].hits + o->first;
        for (uint32_t end = c + 1 < sh->n_chunks ? (c + 1) * CHUNK : g->n_lead; k < end; k++) {
            size_t i = (size_t)(h - (w[o->worker].hits + o->first));
            src[k] = h;
            first[k] = at;
            while (i < o->n && h->post == k)
                h++, i++;
            at += (size_t)(h - src[k]);
        }
    }
    first[g->n_lead] = at;
    for (uint32_t p = 0; p < g->n_posts && !rc; p++)
        total += g->of[p] == CH_M_NONE ? 0 : first[g->of[p] + 1] - first[g->of[p]];
    if (!rc && total > MAX_HITS)
        rc = ch_error(ctx, CHORUS_ELIMIT, "match: over %zu matches", MAX_HITS);
    if (!rc && !(r->hits = ch_alloc(ctx, (total + 1) * sizeof *r->hits)))
        rc = ch_nomem(ctx);
    if (!rc)
        r->cap = total + 1;
    for (uint32_t p = 0; p < g->n_posts && !rc; p++) {
        uint32_t k = g->of[p];
        for (size_t i = 0; k != CH_M_NONE && i < first[k + 1] - first[k]; i++) {
            r->hits[r->n_hits] = src[k][i];
            r->hits[r->n_hits++].post = p;
        }
    }
    ch_free(ctx, first, ((size_t)g->n_lead + 1) * sizeof *first);
    ch_free(ctx, (void *)src, ((size_t)g->n_lead + 1) * sizeof *src);
    return rc;
}

static void sum_stats(const groups *g, const worker *w, uint32_t nw, chorus_match_result *r)
{
    chorus_match_stats *st = &r->stats;
    for (uint32_t p = 0; p < g->n_posts; p++)
        st->texts += g->of[p] != CH_M_NONE;
    st->repeats = st->texts - g->n_lead;
    for (uint32_t i = 0; i < nw; i++) {
        st->short_texts += w[i].ms.short_texts;
        st->windows += w[i].ms.windows;
        st->rescored += w[i].ms.rescored;
    }
    st->hits = r->n_hits;
    for (size_t i = 0; i < r->n_hits; i++)
        st->texts_hit += i == 0 || r->hits[i].post != r->hits[i - 1].post;
}

chorus_rc chorus_match_corpus(chorus_ctx *ctx, const chorus_catalogue *cat, const chorus_corpus *c,
                              chorus_match_result **out)
{
    *out = NULL;
    if (!cat->built)
        return ch_error(ctx, CHORUS_EUSAGE, "match: the catalogue is not built");
    groups g = {0};
    chorus_match_result *r = ch_calloc(ctx, sizeof *r);
    chorus_rc rc = r ? make_groups(ctx, c, cat->o.skip_retweets, &g) : ch_nomem(ctx);
    if (r)
        r->ctx = ctx;
    shared sh = {.cat = cat, .c = c, .g = &g, .caller = ctx};
    share_chunks(&sh, &cat->o);
    atomic_init(&sh.next_chunk, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.stop, 0);
    uint32_t nw = thread_count(&cat->o, sh.n_mine);
    sh.chunks = rc ? NULL : ch_calloc(ctx, ((size_t)sh.n_chunks + 1) * sizeof *sh.chunks);
    worker *w = rc ? NULL : ch_calloc(ctx, nw * sizeof *w);
    if (!rc && (!sh.chunks || !w))
        rc = ch_nomem(ctx);
    for (uint32_t i = 0; i < nw && !rc; i++) {
        w[i] = (worker){.sh = &sh, .id = i};
        w[i].ctx = nw == 1 ? ctx : chorus_ctx_new(ctx->alloc, ctx->alloc_ud);
        if (!w[i].ctx)
            rc = ch_nomem(ctx);
    }
    if (!rc)
        rc = run_workers(ctx, &sh, w, nw);
    if (!rc)
        rc = merge(ctx, &sh, w, r);
    if (!rc)
        sum_stats(&g, w, nw, r);
    if (w)
        free_workers(ctx, w, nw);
    ch_free(ctx, sh.chunks, ((size_t)sh.n_chunks + 1) * sizeof *sh.chunks);
    free_groups(ctx, &g);
    if (rc) {
        chorus_match_result_free(r);
        return rc;
    }
    *out = r;
    return CHORUS_OK;
}

/* ---- shards ---- */

/* The part whose next hit has the lowest post (n_parts if none is left);
 * CHORUS_EUSAGE when two parts hold that post. */
static chorus_rc next_part(const chorus_match_result *const *parts, size_t n_parts,
                           const size_t *at, size_t *best)
{
    *best = n_parts;
    for (size_t k = 0; k < n_parts; k++) {
        if (at[k] == parts[k]->n_hits)
            continue;
        uint32_t p = parts[k]->hits[at[k]].post;
        if (*best < n_parts && p == parts[*best]->hits[at[*best]].post)
            return CHORUS_EUSAGE;
        if (*best == n_parts || p < parts[*best]->hits[at[*best]].post)
            *best = k;
    }
    return CHORUS_OK;
}

/* Copies the parts' hits into r, a post's hits at a time, in post order. */
static chorus_rc interleave(chorus_ctx *ctx, const chorus_match_result *const *parts,
                            size_t n_parts, size_t *at, chorus_match_result *r)
{
    for (;;) {
        size_t k;
        if (next_part(parts, n_parts, at, &k))
            return ch_error(ctx, CHORUS_EUSAGE, "match: two shards matched one post");
        if (k == n_parts)
            return CHORUS_OK;
        const chorus_match_result *p = parts[k];
        uint32_t post = p->hits[at[k]].post;
        r->stats.texts_hit++;
        while (at[k] < p->n_hits && p->hits[at[k]].post == post)
            r->hits[r->n_hits++] = p->hits[at[k]++];
    }
}

chorus_rc chorus_match_results_merge(chorus_ctx *ctx, const chorus_match_result *const *parts,
                                     size_t n_parts, chorus_match_result **out)
{
    *out = NULL;
    size_t total = 0;
    for (size_t k = 0; k < n_parts; k++)
        total += parts[k]->n_hits;
    chorus_match_result *r = ch_calloc(ctx, sizeof *r);
    size_t *at = ch_calloc(ctx, (n_parts + 1) * sizeof *at);
    chorus_rc rc = r && at ? CHORUS_OK : ch_nomem(ctx);
    if (r) {
        r->ctx = ctx;
        if (!rc && !(r->hits = ch_alloc(ctx, (total + 1) * sizeof *r->hits)))
            rc = ch_nomem(ctx);
        r->cap = r->hits ? total + 1 : 0;
    }
    for (size_t k = 0; !rc && k < n_parts; k++) {
        const chorus_match_stats *s = &parts[k]->stats;
        r->stats.texts = s->texts; /* every shard counts every text */
        r->stats.repeats = s->repeats;
        r->stats.short_texts += s->short_texts;
        r->stats.windows += s->windows;
        r->stats.rescored += s->rescored;
    }
    if (!rc)
        rc = interleave(ctx, parts, n_parts, at, r);
    ch_free(ctx, at, (n_parts + 1) * sizeof *at);
    if (rc) {
        chorus_match_result_free(r);
        return rc;
    }
    r->stats.hits = r->n_hits;
    *out = r;
    return CHORUS_OK;
}
