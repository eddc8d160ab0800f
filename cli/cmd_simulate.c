/*
 * cmd_simulate.c - `chorus simulate`: writes a synthetic data set with
 * ground truth (planted campaigns, benign coordinated groups, laundered
 * articles) into a folder, deterministically for a seed, and prints what
 * it wrote. Progress goes to stderr only when stderr is a terminal.
 */
#include "cli.h"

#include <chorus/sim.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: chorus simulate --out DIR [options]\n"
    "\n"
    "Writes a synthetic social-media and news data set with known answers into\n"
    "DIR (created if needed; files in it are replaced). All content is\n"
    "fictional: invented countries, parties, companies, outlets and people.\n"
    "The same options give the same bytes on every machine.\n"
    "\n"
    "The posts mix an organic background (heavy-tailed activity, daily rhythms\n"
    "by time zone, replies, quotes, popular links and hashtags), hard negatives\n"
    "that coordinate for harmless reasons (viral retweet cascades, news desks\n"
    "posting the same headline within a minute, fan communities, scheduled\n"
    "quote bots, users repeating a talking point) and planted campaigns\n"
    "(retweet rings, copy-pasta, link pushing, hashtag sequences, slow teams)\n"
    "that camouflage themselves. docs/simulate.md describes the model.\n"
    "\n"
    "Files written:\n"
    "  tweets.csv            posts, Twitter IO archive format (31 columns);\n"
    "                        tweets.jsonl with --format v1 or v2\n"
    "  users.csv             the 10-column users file: every account that posted\n"
    "  documents.csv         news articles (doc_id,source,published,url,title,text)\n"
    "  narratives.csv        the talking points campaigns push\n"
    "  truth_accounts.csv    account_id,campaign_id,strategy for every account\n"
    "  truth_docs.csv        id,kind,narrative_id,relation for every document\n"
    "  truth_laundering.csv  doc_id,origin_post_id of laundered articles\n"
    "  exposed_accounts.txt  campaign accounts a takedown exposed (the blatant ones)\n"
    "  manifest.json         version, every option and every count\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR             output folder (required)\n"
    "  --seed S                  random seed (default 1)\n"
    "  --posts N                 posts to write, within 1% (default 100000;\n"
    "                            k and M suffixes: 250k, 10M)\n"
    "  --accounts N              accounts in total (default posts/40, at least 100)\n"
    "  --campaigns N             planted campaigns (default 6)\n"
    "  --days N                  time span in days from 2019-03-01 (default 30)\n"
    "  --difficulty D            easy, medium (default) or hard: hard turns up the\n"
    "                            camouflage, the co-action delays and the benign\n"
    "                            coordinated groups and viral cascades\n"
    "  --time-resolution R       minute (default, as the real releases) or second\n"
    "  --format F                io (default), v1 (API v1.1 JSON lines) or v2\n"
    "                            (API v2 JSON lines, one page per line)\n"
    "  -q, --quiet               no progress on stderr\n"
    "  -h, --help                this help\n"
    "\n"
    "Exit status: 0 success, 1 bad usage or a folder or file that cannot be\n"
    "written, 2 internal error (out of memory, a bug).\n";

typedef struct sim_cli {
    chorus_sim_opts opts;
    int quiet;
    double started, last_progress;
} sim_cli;

/* A count: digits with an optional k (10^3) or M (10^6) suffix. */
static int parse_count(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1000, end++;
    else if (*end == 'M')
        mul = 1000000, end++;
    if (errno || end == s || *end || *s == '-' || v > max / mul) {
        cli_error("%s: not a count: \"%s\" (digits, or with a k or M suffix)", opt, s);
        return -1;
    }
    *out = (uint64_t)v * mul;
    return 0;
}

static int parse_choice(const char *opt, const char *s, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    cli_error("%s: unknown value \"%s\" (try 'chorus simulate --help')", opt, s);
    return -1;
}

static int option(sim_cli *c, int opt, const char *arg)
{
    static const char *const difficulties[] = {"easy", "medium", "hard"};
    static const char *const resolutions[] = {"minute", "second"};
    static const char *const formats[] = {"io", "v1", "v2"};
    chorus_sim_opts *o = &c->opts;
    uint64_t v;
    int k;
    switch (opt) {
    case 'o': o->out_dir = arg; return 0;
    case 'S': return parse_count("--seed", arg, UINT64_MAX, &o->seed);
    case 'P': return parse_count("--posts", arg, UINT64_MAX, &o->posts);
    case 'A':
        if (parse_count("--accounts", arg, UINT32_MAX, &v))
            return -1;
        o->accounts = (uint32_t)v;
        return 0;
    case 'C':
        if (parse_count("--campaigns", arg, UINT32_MAX, &v))
            return -1;
        o->campaigns = (uint32_t)v;
        return 0;
    case 'N':
        if (parse_count("--days", arg, UINT32_MAX, &v))
            return -1;
        o->days = (uint32_t)v;
        return 0;
    case 'd':
        if (parse_choice("--difficulty", arg, difficulties, 3, &k))
            return -1;
        o->difficulty = (chorus_sim_difficulty)k;
        return 0;
    case 'r':
        if (parse_choice("--time-resolution", arg, resolutions, 2, &k))
            return -1;
        o->second_resolution = k;
        return 0;
    case 'F':
        if (parse_choice("--format", arg, formats, 3, &k))
            return -1;
        o->format = (chorus_sim_format)k;
        return 0;
    case 'q': c->quiet = 1; return 0;
    }
    fprintf(stderr, "Try 'chorus simulate --help'.\n");
    return -1;
}

/* 1 when --help was answered, -1 on a usage error, 0 to run. */
static int parse_args(int argc, char **argv, sim_cli *c)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},        {"seed", required_argument, 0, 'S'},
        {"posts", required_argument, 0, 'P'},      {"accounts", required_argument, 0, 'A'},
        {"campaigns", required_argument, 0, 'C'},  {"days", required_argument, 0, 'N'},
        {"difficulty", required_argument, 0, 'd'}, {"time-resolution", required_argument, 0, 'r'},
        {"format", required_argument, 0, 'F'},     {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (option(c, opt, optarg))
            return -1;
    }
    if (optind < argc) {
        cli_error("simulate: unexpected argument \"%s\" (try 'chorus simulate --help')",
                  argv[optind]);
        return -1;
    }
    if (!c->opts.out_dir) {
        cli_error("simulate: no output folder: give --out DIR (try 'chorus simulate --help')");
        return -1;
    }
    return 0;
}

static int on_progress(void *ud, const char *stage, uint64_t done, uint64_t total, uint64_t rows)
{
    sim_cli *c = ud;
    double now = cli_now();
    if (now - c->last_progress < 0.25)
        return 0;
    c->last_progress = now;
    double el = now - c->started, rate = el > 0 ? (double)rows / el : 0;
    fprintf(stderr, "\r%s: %" PRIu64 " of about %" PRIu64 " posts, %.0f rows/s", stage, done,
            total, rate);
    if (rate > 0 && done < total)
        fprintf(stderr, ", ETA %.0f s", (double)(total - done) / rate);
    fputs("   ", stderr);
    return 0;
}

static void print_summary(const sim_cli *c, const chorus_sim_counts *n, double seconds)
{
    const chorus_sim_opts *o = &c->opts;
    int io = o->format == CHORUS_SIM_IO;
    printf("output          %s\n", o->out_dir);
    printf("posts           %" PRIu64 " (original %" PRIu64 ", retweets %" PRIu64
           ", replies %" PRIu64 ", quotes %" PRIu64 ") in %s\n",
           n->posts, n->posts - n->retweets - n->replies - n->quotes, n->retweets, n->replies,
           n->quotes, io ? "tweets.csv" : "tweets.jsonl");
    printf("accounts        %" PRIu64 " (campaign %" PRIu64 " in %u campaigns, benign "
           "coordinated %" PRIu64 ")\n",
           n->accounts, n->campaign_accounts, o->campaigns, n->benign_accounts);
    printf("campaign posts  %" PRIu64 "\n", n->campaign_posts);
    printf("exposed         %" PRIu64 " campaign accounts\n", n->exposed_accounts);
    printf("narratives      %" PRIu64 " rows\n", n->narratives);
    printf("documents       %" PRIu64 " (laundered %" PRIu64 ")\n", n->documents,
           n->laundered_documents);
    printf("elapsed         %.2f s (%.0f rows/s)\n", seconds,
           seconds > 0 ? (double)n->posts / seconds : 0.0);
}

int cmd_simulate(int argc, char **argv)
{
    sim_cli c;
    memset(&c, 0, sizeof c);
    chorus_sim_defaults(&c.opts);
    int parsed = parse_args(argc, argv, &c);
    if (parsed)
        return parsed > 0 ? EXIT_OK : EXIT_INPUT;
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    if (!c.quiet && isatty(2))
        chorus_set_progress(ctx, on_progress, &c);
    chorus_sim_counts n;
    c.started = cli_now();
    chorus_rc rc = chorus_simulate(ctx, &c.opts, &n);
    double seconds = cli_now() - c.started;
    if (c.last_progress > 0)
        fputc('\n', stderr);
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    else
        print_summary(&c, &n, seconds);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
