/*
 * truth.c - the answers that come with the simulated data: every
 * account's campaign and strategy (truth_accounts.csv), the accounts a
 * takedown would expose (exposed_accounts.txt, biased to the blatant, as
 * real takedowns are), and manifest.json with every option and count.
 */
#include "sim/model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *sim_strategy_name(sim_strategy s)
{
    switch (s) {
    case SIM_STRAT_RETWEET_RING: return "retweet_ring";
    case SIM_STRAT_COPYPASTA: return "copypasta";
    case SIM_STRAT_LINK_PUSH: return "link_push";
    case SIM_STRAT_HASHTAG_SEQ: return "hashtag_sequence";
    case SIM_STRAT_SLOW: return "slow";
    default: return "";
    }
}

const char *sim_role_truth(sim_role r)
{
    switch (r) {
    case SIM_BENIGN_NEWS: return "benign:news_family";
    case SIM_BENIGN_FAN: return "benign:fan_community";
    case SIM_BENIGN_QUOTEBOT: return "benign:quote_bot";
    default: return "";
    }
}

chorus_rc sim_path(chorus_ctx *ctx, char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return ch_error(ctx, CHORUS_EUSAGE, "%s/%s: path too long", dir, name);
    return CHORUS_OK;
}

chorus_rc sim_close(chorus_ctx *ctx, FILE *f, const char *path)
{
    int bad = ferror(f), err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    return bad ? ch_error(ctx, CHORUS_EIO, "%s: write failed: %s", path, strerror(err)) : CHORUS_OK;
}

chorus_rc sim_write_truth(chorus_ctx *ctx, const char *path, const sim_world *w)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    fputs("account_id,campaign_id,strategy\n", f);
    for (uint32_t i = 0; i < w->n_acc; i++) {
        const sim_account *a = &w->acc[i];
        fwrite(a->id, 1, a->id_len, f);
        if (a->role == SIM_CAMPAIGN)
            fprintf(f, ",C%d,%s\n", a->group + 1, sim_strategy_name((sim_strategy)a->strategy));
        else
            fprintf(f, ",,%s\n", sim_role_truth((sim_role)a->role));
    }
    return sim_close(ctx, f, path);
}

/* ---- exposure: a takedown finds the loud accounts first ---- */

typedef struct scored {
    double score;
    uint32_t account;
} scored;

static int by_score(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->account < b->account ? -1 : a->account > b->account;
}

static int by_account(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    return a->account < b->account ? -1 : a->account > b->account;
}

/* Most active, youngest, on the campaign's client: blatant; plus noise. */
static void score_all(const sim_world *w, const uint32_t *n_posts, scored *s, uint32_t n)
{
    uint32_t max_posts = 1;
    int64_t oldest = INT64_MAX, youngest = INT64_MIN;
    for (uint32_t i = 0; i < n; i++) {
        const sim_account *a = &w->acc[s[i].account];
        max_posts = n_posts[s[i].account] > max_posts ? n_posts[s[i].account] : max_posts;
        oldest = a->created_ms < oldest ? a->created_ms : oldest;
        youngest = a->created_ms > youngest ? a->created_ms : youngest;
    }
    double span = youngest > oldest ? (double)(youngest - oldest) : 1;
    sim_rng r = sim_stream(w->opts->seed, 0x65787073ULL);
    for (uint32_t i = 0; i < n; i++) {
        const sim_account *a = &w->acc[s[i].account];
        const sim_group *g = &w->groups[a->group];
        s[i].score = 0.5 * n_posts[s[i].account] / max_posts +
                     0.3 * (double)(a->created_ms - oldest) / span +
                     0.3 * (a->client == g->client) + 0.5 * sim_unit(&r);
    }
}

chorus_rc sim_write_exposed(chorus_ctx *ctx, const char *path, const sim_world *w,
                            const uint32_t *n_posts, uint64_t *n_exposed)
{
    uint32_t n = 0;
    scored *s = ch_alloc(ctx, (size_t)(w->n_campaign_acc + 1) * sizeof *s);
    if (!s)
        return ch_nomem(ctx);
    for (uint32_t i = 0; i < w->n_acc; i++)
        if (w->acc[i].role == SIM_CAMPAIGN)
            s[n++] = (scored){0, i};
    score_all(w, n_posts, s, n);
    qsort(s, n, sizeof *s, by_score);
    uint32_t k = (uint32_t)((double)n * w->k.exposed + 0.5);
    k = n && !k ? 1 : k;
    qsort(s, k, sizeof *s, by_account); /* file order says nothing of the score */
    FILE *f = fopen(path, "wb");
    chorus_rc rc = CHORUS_OK;
    if (!f) {
        rc = ch_error(ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    } else {
        for (uint32_t i = 0; i < k; i++) {
            fwrite(w->acc[s[i].account].id, 1, w->acc[s[i].account].id_len, f);
            putc('\n', f);
        }
        rc = sim_close(ctx, f, path);
    }
    ch_free(ctx, s, (size_t)(w->n_campaign_acc + 1) * sizeof *s);
    if (n_exposed)
        *n_exposed = k;
    return rc;
}

/* ---- manifest.json: no time of day and no paths, so the bytes depend
 * on the options alone ---- */

static void manifest_options(FILE *f, const chorus_sim_opts *o, const sim_world *w)
{
    static const char *const formats[] = {"io", "v1", "v2"};
    char start[40];
    chorus_format_time_utc(o->start_ms, start);
    fprintf(f, "  \"options\": {\"seed\": %" PRIu64 ", \"posts\": %" PRIu64
               ", \"accounts\": %u, \"campaigns\": %u, \"days\": %u, \"difficulty\": \"%s\""
               ", \"time_resolution\": \"%s\", \"format\": \"%s\", \"start\": \"%s\"},\n",
            o->seed, o->posts, w->n_acc, o->campaigns, o->days,
            sim_difficulty_name(o->difficulty), o->second_resolution ? "second" : "minute",
            formats[o->format], start);
}

static void manifest_counts(FILE *f, const chorus_sim_counts *c, const sim_run *r)
{
    fprintf(f, "  \"counts\": {\"posts\": %" PRIu64 ", \"originals\": %" PRIu64
               ", \"retweets\": %" PRIu64 ", \"replies\": %" PRIu64 ", \"quotes\": %" PRIu64
               ", \"accounts\": %" PRIu64 ", \"users\": %" PRIu64
               ", \"campaign_accounts\": %" PRIu64 ", \"benign_accounts\": %" PRIu64
               ", \"campaign_posts\": %" PRIu64 ", \"campaign_actions\": %" PRIu64
               ", \"cascades\": %" PRIu64 ", \"cascade_retweets\": %" PRIu64
               ", \"documents\": %" PRIu64 ", \"laundered_documents\": %" PRIu64
               ", \"narratives\": %" PRIu64 ", \"narratives_used\": %zu"
               ", \"exposed_accounts\": %" PRIu64 "},\n",
            c->posts, r->tally.by_kind[CHORUS_KIND_POST], c->retweets, c->replies, c->quotes,
            c->accounts, r->users, c->campaign_accounts, c->benign_accounts, c->campaign_posts,
            r->tally.campaign_actions, r->cascades, r->tally.cascade_retweets, c->documents,
            c->laundered_documents, c->narratives, r->n_uses, c->exposed_accounts);
}

static void manifest_campaign(FILE *f, const sim_world *w, uint32_t i)
{
    const sim_group *g = &w->groups[i];
    fprintf(f, "    {\"id\": \"C%u\", \"accounts\": %u, \"country\": \"%s\", \"language\": \"%s\""
               ", \"client\": \"%s\", \"shortener\": \"%s\", \"strategies\": {",
            i + 1, g->n, sim_zones[g->zone].place, sim_zones[g->zone].lang[0] == 'f' ? "fa" : "en",
            g->client,
            g->shortener);
    const char *sep = "";
    for (int s = 1; s < SIM_STRAT_COUNT; s++)
        if (g->team_n[s]) {
            fprintf(f, "%s\"%s\": %u", sep, sim_strategy_name((sim_strategy)s), g->team_n[s]);
            sep = ", ";
        }
    fputs("}, \"narratives\": [", f);
    for (unsigned k = 0; k < g->n_narr; k++)
        fprintf(f, "%s\"%s\"", k ? ", " : "", w->narr[g->narr[k]].id);
    char wake[40];
    chorus_format_time_utc(g->wake_ms, wake);
    fprintf(f, "], \"sleepers_wake\": \"%s\"}%s\n", wake, i + 1 < w->n_campaigns ? "," : "");
}

chorus_rc sim_write_manifest(chorus_ctx *ctx, const char *path, const chorus_sim_opts *opts,
                             const chorus_sim_counts *c, const sim_run *r)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    fputs("{\n  \"chorus_version\": \"" CHORUS_VERSION "\",\n  \"command\": \"simulate\",\n", f);
    manifest_options(f, opts, r->w);
    manifest_counts(f, c, r);
    fputs("  \"campaigns\": [\n", f);
    for (uint32_t i = 0; i < r->w->n_campaigns; i++)
        manifest_campaign(f, r->w, i);
    fprintf(f, "  ],\n  \"files\": {\"posts\": \"%s\", \"users\": \"users.csv\", "
               "\"truth_accounts\": \"truth_accounts.csv\", "
               "\"exposed_accounts\": \"exposed_accounts.txt\", "
               "\"narratives\": \"narratives.csv\", \"documents\": \"documents.csv\", "
               "\"truth_docs\": \"truth_docs.csv\", "
               "\"truth_laundering\": \"truth_laundering.csv\", "
               "\"manifest\": \"manifest.json\"}\n}\n",
            opts->format == CHORUS_SIM_IO ? "tweets.csv" : "tweets.jsonl");
    return sim_close(ctx, f, path);
}
