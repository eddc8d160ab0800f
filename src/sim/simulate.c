/*
 * simulate.c - `chorus simulate` end to end: checks the options, builds
 * the world, runs the event queue in time order while each post is
 * written as it is made (ids from times, a bounded pool of recent
 * originals to share), then writes users, truth, exposure, narratives,
 * documents and the manifest. The same options give the same bytes.
 */
#include "sim/model.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_START_MS 1551398400000LL /* 2019-03-01 00:00 UTC */
#define PROGRESS_EVERY 65536

void chorus_sim_defaults(chorus_sim_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->seed = 1;
    opts->posts = 100000;
    opts->campaigns = 6;
    opts->days = 30;
    opts->difficulty = CHORUS_SIM_MEDIUM;
    opts->format = CHORUS_SIM_IO;
    opts->start_ms = DEFAULT_START_MS;
}

uint64_t sim_default_accounts(const chorus_sim_opts *o)
{
    uint64_t n = o->posts / 40, floor = (uint64_t)o->campaigns * 24;
    if (n < 100)
        n = 100;
    return n < floor ? floor : n;
}

static chorus_rc check_opts(chorus_ctx *ctx, const chorus_sim_opts *o)
{
    if (!o->out_dir || !*o->out_dir)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: no output folder");
    if (o->posts < 100 || o->posts > 10000000000ULL)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: posts must be 100 to 10^10, not %llu",
                        (unsigned long long)o->posts);
    if (o->days < 1 || o->days > 3650)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: days must be 1 to 3650, not %u", o->days);
    if (o->accounts && (o->accounts < 100 || o->accounts > 100000000))
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: accounts must be 100 to 10^8, not %u",
                        o->accounts);
    uint64_t acc = o->accounts ? o->accounts : sim_default_accounts(o);
    if (acc > 100000000)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: %llu accounts is too many (give --accounts)",
                        (unsigned long long)acc);
    if (o->campaigns > 1000 || (uint64_t)o->campaigns * 24 > acc)
        return ch_error(ctx, CHORUS_EUSAGE,
                        "simulate: %u campaigns need at least %u accounts (have %llu)",
                        o->campaigns, o->campaigns * 24, (unsigned long long)acc);
    if ((unsigned)o->difficulty > CHORUS_SIM_HARD || (unsigned)o->format > CHORUS_SIM_V2)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: unknown difficulty or format");
    if (o->start_ms < SIM_TWEPOCH_MS + SIM_DAY_MS || o->start_ms > 4102444800000LL)
        return ch_error(ctx, CHORUS_EUSAGE, "simulate: start must be between 2010-11 and 2100");
    return CHORUS_OK;
}

/* mkdir -p. */
static chorus_rc make_dir(chorus_ctx *ctx, const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return ch_error(ctx, CHORUS_EUSAGE, "%s: path too long", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return ch_error(ctx, CHORUS_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return ch_error(ctx, CHORUS_EIO, "%s: not a folder", buf);
    return CHORUS_OK;
}

/* ---- the pool of recent originals ---- */

void sim_pool_offer(sim_run *r, uint64_t id, int64_t t, uint32_t author, float weight,
                    const sim_content *c)
{
    if (sim_unit(&r->misc) >= r->pool_insert * (0.5 + weight))
        return;
    sim_original *o = &r->pool[r->pool_head];
    r->pool_meta[r->pool_head] = (sim_pool_meta){t, author, weight};
    o->id = id;
    o->t = t;
    o->author = author;
    o->weight = weight;
    sim_content_copy(&o->c, c);
    r->pool_head = (r->pool_head + 1) % SIM_POOL;
    if (r->pool_fill < SIM_POOL)
        r->pool_fill++;
}

const sim_original *sim_pool_pick(sim_run *r, sim_rng *rng, uint32_t not_author, int64_t now)
{
    const sim_original *best = NULL;
    for (int tries = 0; tries < 6 && r->pool_fill; tries++) {
        uint32_t age = (uint32_t)sim_below(rng, r->pool_fill); /* shares spread over hours */
        uint32_t i = (r->pool_head + SIM_POOL - 1 - age) % SIM_POOL;
        const sim_pool_meta *m = &r->pool_meta[i];
        if (m->author == not_author || m->t >= now)
            continue;
        best = &r->pool[i];
        if (sim_unit(rng) < m->weight)
            break;
    }
    return best;
}

/* ---- emission ---- */

/* A retweet's text, "RT @name: original", and its entities. */
static void retweet_post(sim_run *r, const sim_original *ref, sim_post *p)
{
    const sim_account *a = &r->w->acc[ref->author];
    char *t = r->rt_text;
    size_t n = 0;
    memcpy(t, "RT @", 4);
    n = 4;
    memcpy(t + n, a->screen_name, a->screen_len);
    n += a->screen_len;
    t[n++] = ':';
    t[n++] = ' ';
    memcpy(t + n, ref->c.text, ref->c.len);
    n += ref->c.len;
    t[n] = 0;
    p->text = t;
    p->text_len = n;
    p->mentions[p->n_mentions++] = ref->author;
    for (unsigned i = 0; i < ref->c.n_mentions && p->n_mentions < SIM_MAX_MENTIONS; i++)
        if (ref->c.mentions[i] != ref->author)
            p->mentions[p->n_mentions++] = ref->c.mentions[i];
}

static void fill_post(sim_run *r, const sim_act *a, uint64_t id, sim_post *p)
{
    memset(p, 0, sizeof *p);
    p->id = id;
    p->time_ms = a->t;
    p->account = a->account;
    p->kind = a->kind;
    p->ref_account = -1;
    if (a->ref) {
        p->ref_id = a->ref->id;
        p->ref_time_ms = a->ref->t;
        p->ref_account = a->ref->author;
    }
    const sim_content *c = a->kind == CHORUS_KIND_RETWEET ? &a->ref->c : a->c;
    if (a->kind == CHORUS_KIND_RETWEET) {
        retweet_post(r, a->ref, p);
    } else {
        p->text = c->text;
        p->text_len = c->len;
        for (unsigned i = 0; i < c->n_mentions; i++)
            p->mentions[p->n_mentions++] = c->mentions[i];
    }
    for (unsigned i = 0; i < c->n_tags; i++)
        p->hashtags[i] = c->tags[i];
    p->n_hashtags = c->n_tags;
    for (unsigned i = 0; i < c->n_urls; i++)
        p->urls[i] = sim_content_url_at(c, i);
    p->n_urls = c->n_urls;
    p->client = a->client ? a->client : r->w->acc[a->account].client;
    p->lang = c->lang;
}

/* Counts, first uses of narratives, the pool, progress. */
static chorus_rc after_emit(sim_run *r, const sim_act *a, uint64_t id)
{
    const sim_account *acc = &r->w->acc[a->account];
    r->tally.posts++;
    r->tally.by_kind[a->kind]++;
    r->tally.campaign_posts += acc->role == SIM_CAMPAIGN;
    r->tally.campaign_actions += a->campaign;
    r->n_posts[a->account]++;
    if (a->campaign && a->kind == CHORUS_KIND_POST && a->c->narrative >= 0 &&
        !r->used[a->c->narrative]) {
        r->used[a->c->narrative] = 1;
        r->uses[r->n_uses++] = (sim_use){(uint32_t)a->c->narrative, id, a->t, a->account};
    }
    if (a->pool_weight > 0 && a->kind != CHORUS_KIND_RETWEET)
        sim_pool_offer(r, id, a->t, a->account, a->pool_weight, a->c);
    if (r->tally.posts >= r->next_progress) {
        r->next_progress += PROGRESS_EVERY;
        if (ch_progress(r->ctx, "simulate", r->tally.posts, r->w->opts->posts, r->tally.posts))
            return ch_error(r->ctx, CHORUS_EUSAGE, "%s: interrupted", r->out.path);
    }
    return CHORUS_OK;
}

chorus_rc sim_emit(sim_run *r, const sim_act *a, uint64_t *id_out)
{
    if (a->t == r->last_ms) {
        if (++r->seq_in_ms >= (1u << 22))
            return ch_error(r->ctx, CHORUS_EINTERNAL, "simulate: too many posts in one ms");
    } else {
        r->last_ms = a->t;
        r->seq_in_ms = 0;
    }
    uint64_t id = ((uint64_t)(a->t - SIM_TWEPOCH_MS) << 22) | r->seq_in_ms;
    sim_post p;
    fill_post(r, a, id, &p);
    chorus_rc rc = r->out.post(&r->out, &p);
    if (rc)
        return rc;
    if (id_out)
        *id_out = id;
    return after_emit(r, a, id);
}

/* ---- the run ---- */

static chorus_rc dispatch(sim_run *r, const sim_event *ev)
{
    switch (ev->type) {
    case SIM_EV_MINUTE: return sim_organic_minute(r, ev->t);
    case SIM_EV_ORGANIC: return sim_organic_action(r, ev->t, ev->arg);
    case SIM_EV_PROC:
        return r->sched.procs[ev->arg]->cascade ? sim_cascade_step(r, ev->t, ev->arg)
                                                : sim_burst_step(r, ev->t, ev->arg);
    case SIM_EV_CASCADES: return sim_cascade_start(r, ev->t);
    case SIM_EV_CAMPAIGN: return sim_campaign_op(r, ev->t, ev->arg);
    default: return sim_benign_event(r, ev);
    }
}

/* The account of the next event, when it is known now (an organic action
 * or a planned step), else UINT32_MAX. */
static uint32_t next_account(const sim_run *r)
{
    if (r->sched.n == 0)
        return UINT32_MAX;
    const sim_event *e = &r->sched.heap[0];
    if (e->type == SIM_EV_ORGANIC)
        return e->arg;
    const sim_proc *p = e->type == SIM_EV_PROC ? r->sched.procs[e->arg] : NULL;
    if (!p)
        return UINT32_MAX;
    if (p->cascade)
        return p->pending;
    return p->next < p->n_steps ? p->steps[p->next].account : UINT32_MAX;
}

/* Fetches the next event's account while this event runs: accounts are
 * read at random, and this hides most of a cache miss. (Written in the
 * loop: GCC drops a helper that does nothing but prefetch as "pure".) */
#if defined(__GNUC__)
#define PREFETCH_ACCOUNT(r, a)                                                    \
    do {                                                                          \
        const char *x_ = (const char *)&(r)->w->acc[a];                           \
        __builtin_prefetch(x_);                                                   \
        __builtin_prefetch(x_ + 64);                                              \
        __builtin_prefetch(x_ + 128);                                             \
        __builtin_prefetch(x_ + sizeof(sim_account) - 1);                         \
        __builtin_prefetch(&(r)->w->active_from[a]);                              \
        __builtin_prefetch(&(r)->n_posts[a]);                                     \
    } while (0)
#else
#define PREFETCH_ACCOUNT(r, a) ((void)(a))
#endif

static chorus_rc run_events(sim_run *r)
{
    chorus_rc rc = sim_organic_start(r);
    if (!rc)
        rc = sim_campaigns_start(r);
    if (!rc)
        rc = sim_benign_start(r);
    sim_event ev;
    while (!rc && sim_sched_pop(&r->sched, &ev) && ev.t < r->w->end_ms) {
        uint32_t next = next_account(r);
        if (next != UINT32_MAX)
            PREFETCH_ACCOUNT(r, next);
        rc = dispatch(r, &ev);
    }
    return rc;
}

static chorus_rc run_init(sim_run *r, chorus_ctx *ctx, sim_world *w)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->w = w;
    sim_sched_init(&r->sched, ctx);
    r->last_ms = INT64_MIN;
    r->next_progress = PROGRESS_EVERY;
    uint64_t seed = w->opts->seed;
    r->org = sim_stream(seed, 0x6f7267ULL);
    r->casc = sim_stream(seed, 0x63617363ULL);
    r->misc = sim_stream(seed, 0x6d697363ULL);
    /* the pool spans about half a day of originals, whatever the volume */
    double per_half_day = (double)w->opts->posts * 0.5 / (2.0 * w->opts->days);
    r->pool_insert = per_half_day > SIM_POOL ? SIM_POOL / per_half_day : 1.0;
    r->n_posts = ch_calloc(ctx, (size_t)w->n_acc * sizeof *r->n_posts);
    r->pool = ch_alloc(ctx, SIM_POOL * sizeof *r->pool);
    r->pool_meta = ch_alloc(ctx, SIM_POOL * sizeof *r->pool_meta);
    r->uses = ch_alloc(ctx, (w->n_narr + 1) * sizeof *r->uses);
    r->used = ch_calloc(ctx, w->n_narr + 1);
    if (!r->n_posts || !r->pool || !r->pool_meta || !r->uses || !r->used)
        return ch_nomem(ctx);
    return CHORUS_OK;
}

static void run_free(sim_run *r)
{
    chorus_ctx *ctx = r->ctx;
    sim_sched_free(&r->sched);
    ch_free(ctx, r->n_posts, (size_t)r->w->n_acc * sizeof *r->n_posts);
    ch_free(ctx, r->pool, SIM_POOL * sizeof *r->pool);
    ch_free(ctx, r->pool_meta, SIM_POOL * sizeof *r->pool_meta);
    ch_free(ctx, r->uses, (r->w->n_narr + 1) * sizeof *r->uses);
    ch_free(ctx, r->used, r->w->n_narr + 1);
}

/* tweets.csv or tweets.jsonl, streamed through the format's writer. */
static chorus_rc write_posts(sim_run *r, const char *dir)
{
    const chorus_sim_opts *o = r->w->opts;
    char path[4200];
    chorus_rc rc = sim_path(r->ctx, path, sizeof path, dir,
                            o->format == CHORUS_SIM_IO ? "tweets.csv" : "tweets.jsonl");
    if (rc)
        return rc;
    FILE *f = fopen(path, "wb");
    if (!f)
        return ch_error(r->ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    r->out.ctx = r->ctx;
    r->out.f = f;
    r->out.path = path;
    r->out.accounts = r->w->acc;
    r->out.n_accounts = r->w->n_acc;
    r->out.second_resolution = o->second_resolution;
    rc = sim_output_init(&r->out, o->format);
    if (!rc)
        rc = run_events(r);
    if (rc) { /* keep the first error's message */
        char msg[sizeof r->ctx->errmsg];
        memcpy(msg, r->ctx->errmsg, sizeof msg);
        if (r->out.finish)
            r->out.finish(&r->out);
        fclose(f);
        memcpy(r->ctx->errmsg, msg, sizeof msg);
        r->ctx->rc = rc;
        return rc;
    }
    rc = r->out.finish(&r->out);
    chorus_rc rc2 = sim_close(r->ctx, f, path);
    r->out.path = NULL;
    return rc ? rc : rc2;
}

/* Everything after the posts: users, truth, exposure, narratives,
 * documents (laundered from the first uses), then the manifest. */
static chorus_rc write_rest(sim_run *r, const char *dir, chorus_sim_counts *c)
{
    chorus_ctx *ctx = r->ctx;
    const sim_world *w = r->w;
    char path[4200];
    uint64_t users = 0;
    chorus_rc rc = sim_path(ctx, path, sizeof path, dir, "users.csv");
    if (!rc)
        rc = sim_write_users(ctx, path, w->acc, w->n_acc, r->n_posts, &users);
    if (!rc && !(rc = sim_path(ctx, path, sizeof path, dir, "truth_accounts.csv")))
        rc = sim_write_truth(ctx, path, w);
    if (!rc && !(rc = sim_path(ctx, path, sizeof path, dir, "exposed_accounts.txt")))
        rc = sim_write_exposed(ctx, path, w, r->n_posts, &c->exposed_accounts);
    if (!rc)
        rc = sim_write_narratives(ctx, dir, &c->narratives);
    if (!rc)
        rc = sim_write_documents(ctx, w->opts, dir, r->uses, r->n_uses, &c->documents,
                                 &c->laundered_documents);
    r->users = users;
    if (!rc && !(rc = sim_path(ctx, path, sizeof path, dir, "manifest.json")))
        rc = sim_write_manifest(ctx, path, w->opts, c, r);
    return rc;
}

static void fill_counts(const sim_run *r, chorus_sim_counts *c)
{
    memset(c, 0, sizeof *c);
    c->posts = r->tally.posts;
    c->retweets = r->tally.by_kind[CHORUS_KIND_RETWEET];
    c->replies = r->tally.by_kind[CHORUS_KIND_REPLY];
    c->quotes = r->tally.by_kind[CHORUS_KIND_QUOTE];
    c->accounts = r->w->n_acc;
    c->campaign_accounts = r->w->n_campaign_acc;
    c->benign_accounts = r->w->n_benign_acc;
    c->campaign_posts = r->tally.campaign_posts;
}

chorus_rc chorus_simulate(chorus_ctx *ctx, const chorus_sim_opts *opts, chorus_sim_counts *counts)
{
    chorus_clear_error(ctx);
    chorus_rc rc = check_opts(ctx, opts);
    if (!rc)
        rc = make_dir(ctx, opts->out_dir);
    if (rc)
        return rc;
    sim_world w;
    sim_run r;
    chorus_sim_counts c;
    rc = sim_world_build(ctx, opts, &w);
    if (!rc)
        rc = run_init(&r, ctx, &w);
    else
        memset(&r, 0, sizeof r);
    if (!rc)
        rc = write_posts(&r, opts->out_dir);
    if (!rc) {
        fill_counts(&r, &c);
        rc = write_rest(&r, opts->out_dir, &c);
    }
    if (!rc && counts)
        *counts = c;
    if (r.ctx)
        run_free(&r);
    sim_world_free(&w);
    return rc;
}
