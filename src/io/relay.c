/*
 * relay.c - ch_read_source on two threads (see relay.h). The reading
 * thread runs the ordinary readers with a sink and callbacks that copy
 * each row, problem and progress report, with the reader's counts, into
 * batches of a small ring; the calling thread replays the batches in
 * order. The reading thread also hashes the strings the corpus interns
 * and checks texts' UTF-8, which the adding thread would otherwise do.
 */
#include "relay.h"
#include "core/intern.h"
#include "core/utf8.h"
#include "io/fields.h"

#include <pthread.h>
#include <string.h>

#define BATCH_BYTES ((size_t)1 << 19)
#define BATCH_EVENTS 2048
#define N_BATCHES 8
#define FETCH_AHEAD 32 /* events ahead: the event's first bytes, from the other core */
#define PREFETCH_FAR 16 /* events ahead: the table slots */
#define PREFETCH_NEAR 6 /* events ahead: what the slots point to */

enum { EV_POST, EV_ACCOUNT, EV_NAMES, EV_MEMBER, EV_PROBLEM, EV_PROGRESS };

/* Every event starts with the reader's counts when it made the event. */
typedef struct ev {
    uint32_t type, author; /* author: a post with its author's record */
    uint64_t rows_read, rows_kept, rows_skipped;
} ev;

typedef struct ev_post { ev h; ch_post_hints hints; ch_post_rec p; ch_account_rec a; } ev_post;
typedef struct ev_account { ev h; ch_account_rec a; } ev_account;
typedef struct ev_names { ev h; uint32_t n; const char **names; } ev_names;
typedef struct ev_problem { ev h; chorus_problem pb; uint64_t by_reason; } ev_problem;
typedef struct ev_progress { ev h; uint64_t done, total, rows; } ev_progress;

typedef struct batch {
    char *buf; /* events, each 8-aligned; pointers inside stay put */
    size_t cap, len;
    size_t off[BATCH_EVENTS];
    uint32_t n;
    struct batch *next;
} batch;

typedef struct relay {
    ch_reader *r; /* the caller's */
    const ch_source_hooks *hooks;
    ch_reader pr; /* the reading thread's: its own ctx, stats and sink */
    chorus_ctx pctx;
    chorus_ingest_stats pstats;
    ch_sink psink;
    pthread_mutex_t mu;
    pthread_cond_t ready_cv, free_cv;
    batch *ready, *ready_tail, *free_list, *cur;
    int done, stop;
    chorus_rc prc, fail;
    batch ring[N_BATCHES];
} relay;

/* ---- the reading thread ---- */

static batch *acquire(relay *rl)
{
    pthread_mutex_lock(&rl->mu);
    while (!rl->free_list && !rl->stop)
        pthread_cond_wait(&rl->free_cv, &rl->mu);
    batch *b = rl->stop ? NULL : rl->free_list;
    if (b)
        rl->free_list = b->next;
    pthread_mutex_unlock(&rl->mu);
    return b;
}

static void publish(relay *rl, batch *b)
{
    b->next = NULL;
    pthread_mutex_lock(&rl->mu);
    if (rl->ready_tail)
        rl->ready_tail->next = b;
    else
        rl->ready = b;
    rl->ready_tail = b;
    pthread_cond_signal(&rl->ready_cv);
    pthread_mutex_unlock(&rl->mu);
}

/* Room for one event of need bytes in the current batch, which is
 * published and replaced when full. NULL with rl->fail set on failure. */
static void *reserve(relay *rl, size_t need, uint32_t type)
{
    need = (need + 7) & ~(size_t)7;
    batch *b = rl->cur;
    if (b && (b->n == BATCH_EVENTS || b->len + need > b->cap) && b->n) {
        publish(rl, b);
        b = rl->cur = NULL;
    }
    if (!b && !(b = rl->cur = acquire(rl))) {
        rl->fail = ch_error(&rl->pctx, CHORUS_EINTERNAL, "ingest stopped");
        return NULL;
    }
    if (need > b->cap || (b->cap > BATCH_BYTES && need <= BATCH_BYTES)) {
        size_t ncap = need > BATCH_BYTES ? need : BATCH_BYTES;
        char *nb = ch_realloc(&rl->pctx, b->buf, b->cap, ncap);
        if (!nb) {
            rl->fail = ch_nomem(&rl->pctx);
            return NULL;
        }
        b->buf = nb;
        b->cap = ncap;
    }
    ev *e = (ev *)(b->buf + b->len);
    b->off[b->n++] = b->len;
    b->len += need;
    e->type = type;
    e->author = 0;
    e->rows_read = rl->pstats.rows_read;
    e->rows_kept = rl->pstats.rows_kept;
    e->rows_skipped = rl->pstats.rows_skipped;
    return e;
}

/* Moves a string's bytes to *cur; empty strings point at a literal. */
static inline void move_str(chorus_str *s, char **cur)
{
    if (s->len) {
        memcpy(*cur, s->ptr, s->len);
        s->ptr = *cur;
        *cur += s->len;
    } else if (s->ptr) {
        s->ptr = "";
    }
}

static char *move_cstr(const char *s, char **cur)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*cur, s, n);
    *cur += n;
    return d;
}

#define POST_STRS(X, p) do { X((p).id) X((p).account) X((p).text) X((p).ref_post) \
    X((p).ref_account) X((p).title) X((p).client) X((p).lang) X((p).source) } while (0)
#define ACCOUNT_STRS(X, a) do { X((a).id) X((a).display_name) X((a).screen_name) \
    X((a).location) X((a).description) X((a).url) X((a).lang) } while (0)
#define ADD_LEN(s) n += (s).len;
#define MOVE(s) move_str(&(s), &cur);

static size_t items_len(const chorus_str *s, uint32_t n)
{
    size_t t = 0;
    for (uint32_t i = 0; i < n; i++)
        t += s[i].len;
    return t;
}

static chorus_str *copy_items(chorus_str *d, const chorus_str *s, uint32_t n)
{
    if (n)
        memcpy(d, s, n * sizeof *d);
    return d;
}

static uint64_t id_number(chorus_str s)
{
    uint64_t v;
    if (ch_parse_u64(s.ptr, s.len, &v) || (s.len > 1 && s.ptr[0] == '0'))
        return UINT64_MAX;
    return v;
}

static void post_hints(ev_post *e, chorus_str *items, uint64_t *hashes, uint32_t nl)
{
    ch_post_hints *h = &e->hints;
    const ch_post_rec *p = &e->p;
    h->account = ch_intern_hash(p->account.ptr, p->account.len);
    h->ref_account = ch_intern_hash(p->ref_account.ptr, p->ref_account.len);
    h->client = ch_intern_hash(p->client.ptr, p->client.len);
    h->lang = ch_intern_hash(p->lang.ptr, p->lang.len);
    h->source = ch_intern_hash(p->source.ptr, p->source.len);
    h->title = ch_intern_hash(p->title.ptr, p->title.len);
    for (uint32_t i = 0; i < nl; i++)
        hashes[i] = ch_intern_hash(items[i].ptr, items[i].len);
    h->lists = hashes;
    h->id_num = id_number(p->id);
    h->ref_num = id_number(p->ref_post);
    h->text_valid = ch_utf8_valid(p->text.ptr, p->text.len);
    e->p.hints = h;
}

static chorus_rc capture_post(void *ud, const ch_post_rec *p, const ch_account_rec *author)
{
    relay *rl = ud;
    uint32_t nl = p->n_hashtags + p->n_urls + p->n_mentions, ni = nl + p->n_objects;
    size_t n = items_len(p->hashtags, p->n_hashtags) + items_len(p->urls, p->n_urls) +
               items_len(p->mentions, p->n_mentions) + items_len(p->objects, p->n_objects);
    POST_STRS(ADD_LEN, *p);
    if (author)
        ACCOUNT_STRS(ADD_LEN, *author);
    ev_post *e = rl->fail ? NULL
                          : reserve(rl, sizeof *e + ni * sizeof(chorus_str) + nl * sizeof(uint64_t) + n,
                                    EV_POST);
    if (!e)
        return rl->fail;
    e->p = *p;
    e->h.author = author != NULL;
    if (author)
        e->a = *author;
    chorus_str *items = (chorus_str *)(e + 1);
    uint64_t *hashes = (uint64_t *)(items + ni);
    char *cur = (char *)(hashes + nl);
    e->p.hashtags = copy_items(items, p->hashtags, p->n_hashtags);
    e->p.urls = copy_items(items + p->n_hashtags, p->urls, p->n_urls);
    e->p.mentions = copy_items(items + p->n_hashtags + p->n_urls, p->mentions, p->n_mentions);
    e->p.objects = copy_items(items + nl, p->objects, p->n_objects);
    for (uint32_t i = 0; i < ni; i++)
        move_str(&items[i], &cur);
    POST_STRS(MOVE, e->p);
    if (author)
        ACCOUNT_STRS(MOVE, e->a);
    post_hints(e, items, hashes, nl);
    return CHORUS_OK;
}

static chorus_rc capture_account(void *ud, const ch_account_rec *a)
{
    relay *rl = ud;
    size_t n = 0;
    ACCOUNT_STRS(ADD_LEN, *a);
    ev_account *e = rl->fail ? NULL : reserve(rl, sizeof *e + n, EV_ACCOUNT);
    if (!e)
        return rl->fail;
    e->a = *a;
    char *cur = (char *)(e + 1);
    ACCOUNT_STRS(MOVE, e->a);
    return CHORUS_OK;
}

static chorus_rc capture_names(void *ud, const char *const *names, uint32_t n)
{
    relay *rl = ud;
    size_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += strlen(names[i]) + 1;
    ev_names *e = rl->fail ? NULL : reserve(rl, sizeof *e + n * sizeof(char *) + bytes, EV_NAMES);
    if (!e)
        return rl->fail;
    e->n = n;
    e->names = (const char **)(e + 1);
    char *cur = (char *)(e->names + n);
    for (uint32_t i = 0; i < n; i++)
        e->names[i] = move_cstr(names[i], &cur);
    return CHORUS_OK;
}

static chorus_rc capture_member(void *ud)
{
    relay *rl = ud;
    return rl->fail || !reserve(rl, sizeof(ev), EV_MEMBER) ? rl->fail : CHORUS_OK;
}

static size_t cstr_size(const char *s) { return s ? strlen(s) + 1 : 0; }

static void capture_problem(void *ud, const chorus_problem *pb)
{
    relay *rl = ud;
    size_t n = cstr_size(pb->file) + cstr_size(pb->member) + cstr_size(pb->column) +
               cstr_size(pb->detail);
    ev_problem *e = rl->fail ? NULL : reserve(rl, sizeof *e + n, EV_PROBLEM);
    if (!e)
        return;
    char *cur = (char *)(e + 1);
    e->pb = *pb;
    e->pb.file = move_cstr(pb->file, &cur);
    e->pb.member = move_cstr(pb->member, &cur);
    e->pb.column = move_cstr(pb->column, &cur);
    e->pb.detail = move_cstr(pb->detail, &cur);
    int reason = pb->reason >= 0 && pb->reason < CHORUS_SKIP_REASONS ? pb->reason : 0;
    e->by_reason = rl->pstats.skipped_by_reason[reason];
}

static int capture_progress(void *ud, const char *stage, uint64_t done, uint64_t total,
                            uint64_t rows)
{
    relay *rl = ud;
    (void)stage;
    ev_progress *e = rl->fail ? NULL : reserve(rl, sizeof *e, EV_PROGRESS);
    if (!e)
        return 1;
    e->done = done;
    e->total = total;
    e->rows = rows;
    return 0;
}

static void *read_thread(void *arg)
{
    relay *rl = arg;
    static const ch_source_hooks hooks = {capture_member, NULL};
    chorus_rc rc = ch_read_source(&rl->pr, &hooks);
    if (!rc && rl->fail)
        rc = rl->fail;
    pthread_mutex_lock(&rl->mu);
    if (rl->cur && rl->cur->n) {
        rl->cur->next = NULL;
        if (rl->ready_tail)
            rl->ready_tail->next = rl->cur;
        else
            rl->ready = rl->cur;
        rl->ready_tail = rl->cur;
        rl->cur = NULL;
    }
    rl->prc = rc;
    rl->done = 1;
    pthread_cond_signal(&rl->ready_cv);
    pthread_mutex_unlock(&rl->mu);
    return NULL;
}

/* ---- the calling thread ---- */

static chorus_rc replay(relay *rl, const ev *e)
{
    ch_reader *r = rl->r;
    chorus_ingest_stats *st = r->stats;
    if (st) {
        st->rows_read = e->rows_read;
        st->rows_kept = e->rows_kept;
        st->rows_skipped = e->rows_skipped;
    }
    const void *x = e;
    switch (e->type) {
    case EV_POST: {
        const ev_post *p = x;
        return r->sink->post(r->sink->ud, &p->p, p->h.author ? &p->a : NULL);
    }
    case EV_ACCOUNT:
        return r->sink->account(r->sink->ud, &((const ev_account *)x)->a);
    case EV_NAMES: {
        const ev_names *nm = x;
        return r->sink->object_columns(r->sink->ud, nm->names, nm->n);
    }
    case EV_MEMBER:
        return rl->hooks->member ? rl->hooks->member(r->sink->ud) : CHORUS_OK;
    case EV_PROBLEM: {
        const ev_problem *pb = x;
        if (st && pb->pb.reason >= 0 && pb->pb.reason < CHORUS_SKIP_REASONS)
            st->skipped_by_reason[pb->pb.reason] = pb->by_reason;
        ch_report_problem(r->ctx, &pb->pb);
        return CHORUS_OK;
    }
    default: {
        const ev_progress *pg = x;
        if (!ch_progress(r->ctx, "ingest", pg->done, pg->total, pg->rows))
            return CHORUS_OK;
        return ch_error(r->ctx, CHORUS_EUSAGE, "%s: interrupted", r->path);
    }
    }
}

static void prefetch(relay *rl, const batch *b, uint32_t i, int near)
{
    if (i >= b->n || !rl->hooks->prefetch)
        return;
    const ev *e = (const ev *)(b->buf + b->off[i]);
    if (e->type == EV_POST)
        rl->hooks->prefetch(rl->r->sink->ud, &((const ev_post *)(const void *)e)->p, near);
}

static chorus_rc replay_batch(relay *rl, const batch *b)
{
    for (uint32_t i = 0; i < PREFETCH_FAR; i++)
        prefetch(rl, b, i, i >= PREFETCH_NEAR);
    for (uint32_t i = 0; i < PREFETCH_NEAR; i++)
        prefetch(rl, b, i, 1);
    for (uint32_t i = 0; i < b->n; i++) {
        if (i + FETCH_AHEAD < b->n)
            for (size_t o = 0; o < 512; o += 64)
                __builtin_prefetch(b->buf + b->off[i + FETCH_AHEAD] + o);
        prefetch(rl, b, i + PREFETCH_FAR, 0);
        prefetch(rl, b, i + PREFETCH_NEAR, 1);
        chorus_rc rc = replay(rl, (const ev *)(b->buf + b->off[i]));
        if (rc)
            return rc;
    }
    return CHORUS_OK;
}

static chorus_rc consume(relay *rl)
{
    for (;;) {
        pthread_mutex_lock(&rl->mu);
        while (!rl->ready && !rl->done)
            pthread_cond_wait(&rl->ready_cv, &rl->mu);
        batch *b = rl->ready;
        if (b && !(rl->ready = b->next))
            rl->ready_tail = NULL;
        pthread_mutex_unlock(&rl->mu);
        if (!b)
            return CHORUS_OK;
        chorus_rc rc = replay_batch(rl, b);
        b->n = 0;
        b->len = 0;
        pthread_mutex_lock(&rl->mu);
        b->next = rl->free_list;
        rl->free_list = b;
        rl->stop = rc != CHORUS_OK;
        pthread_cond_signal(&rl->free_cv);
        pthread_mutex_unlock(&rl->mu);
        if (rc)
            return rc;
    }
}

/* The reader's own counts, once every event is replayed. */
static void final_counts(relay *rl)
{
    chorus_ingest_stats *st = rl->r->stats;
    if (!st)
        return;
    st->rows_read = rl->pstats.rows_read;
    st->rows_kept = rl->pstats.rows_kept;
    st->rows_skipped = rl->pstats.rows_skipped;
    memcpy(st->skipped_by_reason, rl->pstats.skipped_by_reason, sizeof st->skipped_by_reason);
}

static int relay_init(relay *rl, ch_reader *r, const ch_source_hooks *hooks)
{
    memset(rl, 0, sizeof *rl);
    rl->r = r;
    rl->hooks = hooks;
    rl->pctx = *r->ctx;
    chorus_clear_error(&rl->pctx);
    chorus_set_problem_handler(&rl->pctx, capture_problem, rl);
    chorus_set_progress(&rl->pctx, r->ctx->progress ? capture_progress : NULL, rl);
    if (r->stats)
        rl->pstats = *r->stats;
    rl->psink = (ch_sink){rl, capture_post, r->sink->account ? capture_account : NULL,
                          r->sink->object_columns ? capture_names : NULL};
    rl->pr = *r;
    rl->pr.ctx = &rl->pctx;
    rl->pr.sink = &rl->psink;
    rl->pr.stats = r->stats ? &rl->pstats : NULL;
    for (int i = 0; i < N_BATCHES; i++) {
        batch *b = &rl->ring[i];
        if (!(b->buf = ch_alloc(r->ctx, BATCH_BYTES)))
            return -1;
        b->cap = BATCH_BYTES;
        b->next = rl->free_list;
        rl->free_list = b;
    }
    return 0;
}

static void relay_free(relay *rl)
{
    for (int i = 0; i < N_BATCHES; i++)
        ch_free(rl->r->ctx, rl->ring[i].buf, rl->ring[i].cap);
}

/* Reads on a second thread and replays here; -1 when no thread started. */
static int run(relay *rl, chorus_rc *out)
{
    pthread_t tid;
    chorus_ctx *own = ch_source_bind(rl->r->src, &rl->pctx);
    if (pthread_create(&tid, NULL, read_thread, rl) != 0) {
        ch_source_bind(rl->r->src, own);
        return -1;
    }
    chorus_rc rc = consume(rl);
    pthread_join(tid, NULL);
    ch_source_bind(rl->r->src, own);
    if (!rc) {
        final_counts(rl);
        if ((rc = rl->prc)) {
            rl->r->ctx->rc = rc;
            memcpy(rl->r->ctx->errmsg, rl->pctx.errmsg, sizeof rl->r->ctx->errmsg);
        }
    }
    *out = rc;
    return 0;
}

chorus_rc ch_read_source_relayed(ch_reader *r, const ch_source_hooks *hooks)
{
    relay *rl = ch_alloc(r->ctx, sizeof *rl);
    if (!rl)
        return ch_nomem(r->ctx);
    int started = -1;
    chorus_rc rc = CHORUS_OK;
    if (relay_init(rl, r, hooks) == 0 && pthread_mutex_init(&rl->mu, NULL) == 0) {
        if (pthread_cond_init(&rl->ready_cv, NULL) == 0) {
            if (pthread_cond_init(&rl->free_cv, NULL) == 0) {
                started = run(rl, &rc);
                pthread_cond_destroy(&rl->free_cv);
            }
            pthread_cond_destroy(&rl->ready_cv);
        }
        pthread_mutex_destroy(&rl->mu);
    }
    relay_free(rl);
    ch_free(r->ctx, rl, sizeof *rl);
    return started == 0 ? rc : ch_read_source(r, hooks);
}
