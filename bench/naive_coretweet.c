/*
 * naive_coretweet.c - the naive baseline that simulated data must defeat:
 * co-retweets within a window (inclusive), pair weight = distinct posts
 * co-retweeted, an edge at weight >= min-weight, every account on an edge
 * flagged. No statistics, no bound on viral posts. It runs chorus's own
 * retweet signal and co-action pairs (docs/coordination.md).
 */
#include <chorus/actions.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: naive_coretweet TWEETS_FILE [--window 60] [--min-weight 2] [--out flagged.txt]\n"
    "Flags every account that co-retweeted (retweets of the same post within\n"
    "--window seconds, inclusive) at least --min-weight distinct posts with\n"
    "another account; writes their ids to --out, one per line.\n";

typedef struct args {
    const char *input, *out;
    int64_t window_s;
    uint32_t min_weight;
} args;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_args(int argc, char **argv, args *a)
{
    *a = (args){.window_s = 60, .min_weight = 2};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(s, "--window") && more)
            a->window_s = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(s, "--min-weight") && more)
            a->min_weight = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(s, "--out") && more)
            a->out = argv[++i];
        else if (s[0] == '-' || a->input)
            return -1;
        else
            a->input = s;
    }
    return a->window_s < 0 || a->min_weight < 1 || !a->input ? -1 : 0;
}

/* Writes the ids of the accounts on an edge; returns how many. */
static int64_t write_flagged(const chorus_corpus *c, const chorus_copairs *p, const char *path)
{
    uint32_t n_acc = chorus_corpus_account_count(c);
    uint8_t *flag = calloc(n_acc ? n_acc : 1, 1);
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!flag || (path && !f)) {
        free(flag);
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        flag[p->pairs[i].a] = flag[p->pairs[i].b] = 1;
    int64_t n = 0;
    for (uint32_t i = 0; i < n_acc; i++) {
        if (!flag[i])
            continue;
        n++;
        chorus_account_view v;
        chorus_corpus_account(c, i, &v);
        if (f)
            fprintf(f, "%.*s\n", (int)v.id.len, v.id.ptr);
    }
    free(flag);
    return f && fclose(f) != 0 ? -1 : n;
}

static int run(chorus_ctx *ctx, chorus_corpus *c, const args *a)
{
    double t0 = now_s();
    chorus_actions *s = NULL;
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.window_ms = a->window_s * 1000;
    o.min_weight = a->min_weight;
    chorus_copairs p;
    if (chorus_ingest(c, a->input, NULL, NULL) || chorus_actions_build(ctx, c, CHORUS_SIG_RETWEET, NULL, &s))
        return fprintf(stderr, "naive_coretweet: %s\n", chorus_errmsg(ctx)), 1;
    size_t n;
    chorus_action *acts = chorus_actions_data(s, &n);
    double t1 = now_s();
    if (chorus_copairs_compute(ctx, acts, n, &o, &p)) {
        chorus_actions_free(s);
        return fprintf(stderr, "naive_coretweet: %s\n", chorus_errmsg(ctx)), 2;
    }
    int64_t flagged = write_flagged(c, &p, a->out);
    printf("posts %u\n", chorus_corpus_post_count(c));
    printf("retweets %zu, posts retweeted %u, co-retweets %" PRIu64 ", account pairs %" PRIu64
           ", edges %zu, flagged accounts %" PRId64 "\n",
           n, chorus_actions_objects(s), p.coactions_seen, p.pairs_seen, p.n, flagged);
    printf("window %" PRId64 " s, min weight %u; ingest %.2f s, detect %.2f s\n", a->window_s,
           a->min_weight, t1 - t0, now_s() - t1);
    printf("time %.2f s\n", now_s() - t0);
    chorus_copairs_free(ctx, &p);
    chorus_actions_free(s);
    return flagged < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    args a;
    if (parse_args(argc, argv, &a)) {
        fputs(usage, stderr);
        return 1;
    }
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = ctx ? chorus_corpus_new(ctx) : NULL;
    int rc = c ? run(ctx, c, &a) : 2;
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return rc;
}
