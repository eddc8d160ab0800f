/*
 * cmd_coord.c - `chorus coord`: the coordination network. Ingests the
 * inputs, reduces them to actions per signal, pairs the accounts that
 * co-acted within the window, and writes edges.csv and skipped_objects.csv
 * (docs/coordination.md gives the exact semantics).
 */
#include "cli.h"
#include "coord_mpi.h"

#include <chorus/actions.h>
#include <chorus/graph.h>
#include <chorus/dedup.h>
#include <chorus/output.h>
#include <chorus/text.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: chorus coord [options] INPUT... -o OUTDIR\n"
    "\n"
    "Finds account pairs that acted on the same object (retweeted post, link,\n"
    "reply target, hashtag sequence, retweeted author, normalised text, any\n"
    "mapped column) within a time window, and writes into OUTDIR:\n"
    "  edges.csv            one row per account pair and signal\n"
    "  evidence.csv         the strongest co-actions behind each edge (--evidence),\n"
    "                       both accounts' times\n"
    "  skipped_objects.csv  objects set aside (over --max-object-actions)\n"
    "  network.gexf, network.graphml   the network for Gephi\n"
    "  groups.csv, accounts.csv         groups (components, large ones split by\n"
    "                       Leiden) and each grouped account's evidence\n"
    "docs/coordination.md defines every column.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR            output folder (required; created if needed)\n"
    "  --signals LIST           comma-separated: retweet, reply, link, hashtags,\n"
    "                           fastretweet, tweet, similar, action (default:\n"
    "                           all the data has)\n"
    "  --window SPEC            co-action window in seconds, inclusive (default\n"
    "                           60, link and similar 1h, hashtags 72h): S for\n"
    "                           every signal (or with a unit: 90s, 15m, 72h,\n"
    "                           3d), auto (estimated per signal), or a list\n"
    "                           such as 300,link=1h,tweet=auto\n"
    "                           (docs/coordination.md)\n"
    "  --min-weight SPEC        keep pairs with weight >= N (default 2); per\n"
    "                           signal as --window, e.g. 2,tweet=3\n"
    "  --min-sources N          fdr: co-acted objects from at least N sources\n"
    "                           (default 2)\n"
    "  --min-words SPEC         tweet and similar: texts of at least N words\n"
    "                           (default 5, similar 15); per signal as --window\n"
    "  --weight W               objects (default) or coactions\n"
    "  --filter MODE            fdr (default): pairs significant against the null\n"
    "                           model at --fdr; none: every pair passing\n"
    "                           --min-weight, no statistics (raw mode)\n"
    "  --fdr Q                  false discovery rate per signal (default 0.01)\n"
    "  --attach on|off          on (default): attach to a group the accounts\n"
    "                           whose retweets, replies, links, link domains and\n"
    "                           hashtag sequences fall on the objects it holds\n"
    "                           far more often than other accounts' do (not in\n"
    "                           raw mode; docs/coordination.md)\n"
    "  --attach-share S         a group holds an object when its accounts are\n"
    "                           at least this share of the object's (default 0.5)\n"
    "  --db FILE                also write the corpus and the network tables\n"
    "                           (edges, evidence, group_members) to SQLite\n"
    "  --max-object-actions N   set aside objects with more actions (default 5000)\n"
    "  --evidence N             evidence.csv rows per edge: the N strongest\n"
    "                           co-actions (default 5; 0: every co-action)\n"
    "  --threads N              input read, signals and near-duplicate texts\n"
    "                           computed on N threads (default: the CPUs); the\n"
    "                           output does not depend on it\n"
    "  --fast S                 fastretweet: retweets within S seconds (default 10)\n"
    "  --link-level L           url (default) or domain\n"
    "  --min-hashtags N         hashtags signal: sequences of >= N (default 3)\n"
    "  -h, --help               this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

#define MAX_JOBS 16

/* The CSV files of a run, in coord_run.out. */
enum { OUT_EDGES, OUT_SKIPPED, OUT_EVIDENCE, OUT_GROUPS, OUT_ACCOUNTS, OUT_FILES };

typedef struct coord_run {
    const char *outdir, *signals;
    chorus_copair_opts pair;
    chorus_action_opts act;
    int64_t window[CHORUS_SIG_COUNT]; /* per signal, ms; WINDOW_AUTO: estimate it */
    int64_t min_weight[CHORUS_SIG_COUNT]; /* per signal: --min-weight */
    int raw;         /* --filter none: every pair, no statistics */
    const char *db_path;
    chorus_db *db;   /* with --db: the corpus and the network tables */
    double fdr;      /* --fdr: false discovery rate over each signal's tested pairs */
    cli_out out[OUT_FILES]; /* the CSV files, committed together when the run succeeds */
    uint64_t total_edges, total_skipped;
    uint32_t evidence_cap;   /* --evidence: rows per edge in evidence.csv, 0 all */
    uint32_t threads;        /* --threads: signals computed side by side */
    uint64_t total_evidence, total_dropped;
    chorus_graph_edge *graph; /* every edge, for network.gexf / .graphml */
    size_t n_graph, graph_cap;
    char names[16][96]; /* signal names the graph edges point at */
    int n_names;
    chorus_actions *net; /* the labels ("signal: label") of the co-actions' objects */
    const coord_coaction *co[MAX_JOBS]; /* each signal's co-actions behind its edges */
    size_t n_co[MAX_JOBS], n_parts;
    int64_t min_words[CHORUS_SIG_COUNT]; /* per text signal: --min-words */
    uint32_t *acc_stratum; /* per account: its language's stratum (0: unknown or rare) */
    coord_attach att;      /* --attach: accounts attached to the groups */
} coord_run;

#define WINDOW_AUTO (-1)
#define HASHTAGS_WINDOW_MS (72 * 3600 * INT64_C(1000)) /* default windows of three signals */
#define HOUR_WINDOW_MS (3600 * INT64_C(1000))               /* link and similar */
#define SIMILAR_MIN_WORDS 15 /* default --min-words of the similar signal */
#define OPT_MIN_WORDS 300 /* long options with no letter */
#define OPT_EVIDENCE 301
#define OPT_THREADS 302
#define OPT_ATTACH 303
#define OPT_ATTACH_SHARE 304
#define MAX_THREADS 16

static int parse_uint(const char *arg, const char *opt, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || v > max || *arg == '-') {
        cli_error("%s: not a number from 0 to %" PRIu64 ": \"%s\"", opt, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* A per-signal option: --window or --min-weight. */
typedef struct per_signal {
    const char *opt;
    uint64_t max;   /* largest value */
    int64_t scale;  /* stored value = given value x scale */
    int auto_ok;    /* "auto" allowed (stored as WINDOW_AUTO) */
    int64_t *value; /* per signal */
    int units;      /* a duration: "90", "90s", "15m", "72h" or "3d" */
} per_signal;

/* The seconds of unit suffix u (s, m, h, d), or 0 if it is none. */
static uint64_t unit_seconds(char u)
{
    switch (u) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    }
    return 0;
}

/* A value of o: a number, or with o->units a duration in seconds; 0 or -1. */
static int parse_signal_value(const per_signal *o, const char *val, uint64_t *v)
{
    if (!o->units)
        return parse_uint(val, o->opt, o->max, v);
    char *end;
    errno = 0;
    unsigned long long x = strtoull(val, &end, 10);
    uint64_t unit = end[0] && !end[1] ? unit_seconds(end[0]) : !end[0];
    if (errno || end == val || *val == '-' || !unit || x > o->max / unit) {
        cli_error("%s: not a duration from 0 to %" PRIu64 " s (90, 90s, 15m, 72h, 3d): \"%s\"",
                  o->opt, o->max, val);
        return -1;
    }
    *v = x * unit;
    return 0;
}

/* One item: "V" (every signal) or "SIGNAL=V"; 1 or -1. */
static int parse_signal_item(const per_signal *o, char *item)
{
    char *eq = strchr(item, '='), *val = eq ? eq + 1 : item;
    int sig = -1;
    if (eq) {
        *eq = 0;
        if ((sig = chorus_signal_from_name(item)) < 0)
            return cli_error("%s: \"%s\" is not a signal", o->opt, item), -1;
    }
    int is_auto = o->auto_ok && !strcmp(val, "auto");
    uint64_t v = 0;
    if (!is_auto && parse_signal_value(o, val, &v))
        return -1;
    for (int k = 0; k < CHORUS_SIG_COUNT; k++)
        if (k == sig || sig < 0)
            o->value[k] = is_auto ? WINDOW_AUTO : (int64_t)v * o->scale;
    return 1;
}

/* SPEC: comma-separated items, applied in order. */
static int parse_per_signal(const per_signal *o, const char *spec)
{
    char buf[512];
    if (snprintf(buf, sizeof buf, "%s", spec) >= (int)sizeof buf)
        return cli_error("%s: too long", o->opt), -1;
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save))
        if (parse_signal_item(o, item) < 0)
            return -1;
    return 1;
}

/* The coord-specific options; 1 handled, 0 not ours, -1 bad value. */
static int coord_option(coord_run *r, int opt, const char *arg)
{
    uint64_t v;
    switch (opt) {
    case 'o': r->outdir = arg; return 1;
    case 'S': r->signals = arg; return 1;
    case 'w': {
        per_signal o = {"--window", 86400 * 365, 1000, 1, r->window, 1};
        return parse_per_signal(&o, arg);
    }
    case 'W': {
        per_signal o = {"--min-weight", UINT32_MAX, 1, 0, r->min_weight, 0};
        return parse_per_signal(&o, arg);
    }
    case OPT_MIN_WORDS: {
        per_signal o = {"--min-words", 100000, 1, 0, r->min_words, 0};
        return parse_per_signal(&o, arg);
    }
    case 'M': return parse_uint(arg, "--min-sources", UINT32_MAX, &v) ? -1 : (r->pair.min_sources = (uint32_t)v, 1);
    case OPT_THREADS:
        if (parse_uint(arg, "--threads", MAX_THREADS, &v))
            return -1;
        if (v == 0)
            return cli_error("--threads: 1 to %d", MAX_THREADS), -1;
        r->threads = (uint32_t)v;
        return 1;
    case OPT_EVIDENCE: return parse_uint(arg, "--evidence", UINT32_MAX, &v) ? -1 : (r->evidence_cap = (uint32_t)v, 1);
    case 'B': return parse_uint(arg, "--max-object-actions", UINT32_MAX, &v) ? -1 : (r->pair.max_object_actions = (uint32_t)v, 1);
    case 'f': return parse_uint(arg, "--fast", 86400, &v) ? -1 : (r->act.fast_ms = (int64_t)v * 1000, 1);
    case 'H': return parse_uint(arg, "--min-hashtags", 256, &v) ? -1 : (r->act.min_hashtags = (uint32_t)v, 1);
    case 'g':
        if (strcmp(arg, "objects") && strcmp(arg, "coactions"))
            return cli_error("--weight: objects or coactions"), -1;
        r->pair.weight_coactions = strcmp(arg, "coactions") == 0;
        return 1;
    case 'F' + 256: /* --filter: 'F' is an ingest option */
        if (strcmp(arg, "none") && strcmp(arg, "fdr"))
            return cli_error("--filter: fdr (significant pairs) or none (raw pairs)"), -1;
        r->raw = strcmp(arg, "none") == 0;
        return 1;
    case 'Q': {
        char *end;
        r->fdr = strtod(arg, &end);
        if (*end || end == arg || !(r->fdr > 0 && r->fdr < 1))
            return cli_error("--fdr: a rate between 0 and 1, e.g. 0.01"), -1;
        return 1;
    }
    case 'd': r->db_path = arg; return 1;
    case OPT_ATTACH:
        if (strcmp(arg, "on") && strcmp(arg, "off"))
            return cli_error("--attach: on or off"), -1;
        r->att.on = strcmp(arg, "on") == 0;
        return 1;
    case OPT_ATTACH_SHARE: {
        char *end;
        double share = strtod(arg, &end);
        if (*end || end == arg || !(share > 0 && share <= 1))
            return cli_error("--attach-share: a share above 0 and at most 1, e.g. 0.5"), -1;
        r->att.opts.min_share = share;
        return 1;
    }
    case 'l':
        if (strcmp(arg, "url") && strcmp(arg, "domain"))
            return cli_error("--link-level: url or domain"), -1;
        r->act.link_domain = strcmp(arg, "domain") == 0;
        return 1;
    }
    return 0;
}

static void csv_cell(FILE *f, chorus_str s)
{
    chorus_csv_field(f, s.ptr, s.len, CHORUS_CSV_NEUTRALISE);
}

static void write_skipped(FILE *f, const chorus_actions *s, const char *signal,
                          const chorus_copairs *cp)
{
    for (size_t i = 0; i < cp->n_skipped; i++) {
        fprintf(f, "%s,", signal);
        csv_cell(f, chorus_actions_label(s, cp->skipped[i].object));
        fprintf(f, ",%u\n", cp->skipped[i].actions);
    }
}

/* Remembers a signal's pairs for the network files. */
static chorus_rc keep_for_graph(coord_run *r, const char *name, const chorus_copairs *cp)
{
    if (r->n_names == 16)
        return CHORUS_ELIMIT;
    char *stored = r->names[r->n_names++];
    snprintf(stored, sizeof r->names[0], "%s", name);
    size_t need = r->n_graph + cp->n;
    if (need > r->graph_cap) {
        size_t cap = need + need / 2 + 16;
        void *p = realloc(r->graph, cap * sizeof *r->graph);
        if (!p)
            return CHORUS_ENOMEM;
        r->graph = p;
        r->graph_cap = cap;
    }
    for (size_t i = 0; i < cp->n; i++) {
        const chorus_copair *q = &cp->pairs[i];
        r->graph[r->n_graph++] = (chorus_graph_edge){q->a, q->b, stored, q->objects, q->coactions,
                                                     (double)q->median_delay_ms / 1000.0, q->p_value,
                                                     q->first_ms, q->last_ms};
    }
    return CHORUS_OK;
}

/* Each account's stratum for the null model: its language (the profile's,
 * as the archive gives it), numbered in order of first appearance; 0 for
 * accounts without one and for languages past the first 30. */
static chorus_rc account_strata(coord_run *r, const chorus_corpus *c)
{
    uint32_t n = chorus_corpus_account_count(c), known = 0;
    char names[CHORUS_MAX_STRATA][16];
    r->acc_stratum = calloc(n ? n : 1, sizeof *r->acc_stratum);
    if (!r->acc_stratum)
        return CHORUS_ENOMEM;
    for (uint32_t k = 0; k < n; k++) {
        chorus_account_view v;
        chorus_corpus_account(c, k, &v);
        if (v.lang.len == 0 || v.lang.len >= sizeof names[0])
            continue;
        uint32_t j = 0;
        while (j < known && (strlen(names[j]) != v.lang.len || memcmp(names[j], v.lang.ptr, v.lang.len)))
            j++;
        if (j == known && known < CHORUS_MAX_STRATA - 1)
            snprintf(names[known++], sizeof names[0], "%.*s", (int)v.lang.len, v.lang.ptr);
        r->acc_stratum[k] = j < known ? j + 1 : 0;
    }
    return CHORUS_OK;
}

/* Each object's stratum: its first actor's (actions sorted by object, time). */
static uint32_t *object_strata(const coord_run *r, const chorus_action *a, size_t n, uint32_t objects)
{
    uint32_t *st = calloc(objects ? objects : 1, sizeof *st);
    for (size_t i = 0; st && i < n; i++)
        if (i == 0 || a[i].object != a[i - 1].object)
            st[a[i].object] = r->acc_stratum[a[i].account];
    return st;
}

static void print_signal(const coord_run *r, chorus_signal sig, const char *name, size_t n,
                         uint32_t objects, const chorus_copairs *cp, size_t tested, int64_t window_ms)
{
    fprintf(stderr, "%-12s %10zu actions %9u objects %12" PRIu64 " co-actions", name, n, objects,
            cp->coactions_seen);
    if (r->raw)
        fprintf(stderr, " %9zu edges", cp->n);
    else
        fprintf(stderr, " %9zu tested %7zu significant", tested, cp->n);
    fprintf(stderr, " %6zu set aside, window %.3f s%s\n", cp->n_skipped,
            (double)window_ms / 1000.0, r->window[sig] == WINDOW_AUTO ? " (auto)" : "");
}

/* One signal's run: what a thread computes, then the main thread writes. */
typedef struct sig_job {
    chorus_signal sig;
    uint32_t column;       /* action signal: the object column */
    char name[96];
    chorus_ctx *ctx;       /* the context that made (and frees) s and cp */
    chorus_actions *s;
    chorus_copairs cp;
    size_t n, tested;
    int64_t window_ms;
    coord_coaction *co;    /* every co-action behind the edges (before the evidence cap) */
    size_t n_co;
    uint32_t *objs;        /* the signal objects of co, in order of first appearance */
    uint32_t n_objs;
    chorus_rc rc;
} sig_job;

/* The co-actions behind the kept edges, before the evidence cap, for
 * groups.csv's top objects: both accounts and the object, numbered in
 * order of first appearance (j->objs: those numbers' signal objects). A
 * worker thread makes them; record_network names the objects. */
static chorus_rc network_coactions(sig_job *j)
{
    const chorus_copairs *cp = &j->cp;
    uint32_t n_obj = chorus_actions_objects(j->s);
    uint32_t *local = malloc((n_obj ? n_obj : 1) * sizeof *local);
    j->co = malloc((cp->n_evidence ? cp->n_evidence : 1) * sizeof *j->co);
    j->objs = malloc((n_obj ? n_obj : 1) * sizeof *j->objs);
    if (!local || !j->co || !j->objs)
        return free(local), CHORUS_ENOMEM;
    memset(local, 0xff, (n_obj ? n_obj : 1) * sizeof *local);
    for (size_t i = 0; i < cp->n_evidence; i++) {
        const chorus_coaction *e = &cp->evidence[i];
        const chorus_copair *p = &cp->pairs[e->pair];
        if (local[e->object] == UINT32_MAX)
            local[e->object] = j->n_objs, j->objs[j->n_objs++] = e->object;
        j->co[i] = (coord_coaction){p->a, p->b, local[e->object]};
    }
    j->n_co = cp->n_evidence;
    free(local);
    return CHORUS_OK;
}

/* Names a signal's co-action objects "signal: label" in the network's
 * label set r->net (interned: the same name is the same object, numbered
 * across signals in order), and renumbers j->co to those objects. */
static chorus_rc record_network(coord_run *r, sig_job *j)
{
    uint32_t *map = malloc((j->n_objs ? j->n_objs : 1) * sizeof *map);
    if (!map)
        return CHORUS_ENOMEM;
    char label[4200];
    chorus_rc rc = CHORUS_OK;
    for (uint32_t k = 0; !rc && k < j->n_objs; k++) {
        chorus_str l = chorus_actions_label(j->s, j->objs[k]);
        int n = snprintf(label, sizeof label, "%s: %.*s", j->name, (int)(l.len < 4096 ? l.len : 4096), l.ptr);
        size_t len;
        if (!(rc = chorus_actions_add(r->net, 0, label, (size_t)n, 0))) /* the label is what counts */
            map[k] = chorus_actions_data(r->net, &len)[len - 1].object;
    }
    for (size_t i = 0; !rc && i < j->n_co; i++)
        j->co[i].object = map[j->co[i].object];
    free(map);
    free(j->objs);
    j->objs = NULL;
    if (!rc && r->n_parts < MAX_JOBS)
        r->co[r->n_parts] = j->co, r->n_co[r->n_parts++] = j->n_co;
    return rc;
}

/* Keeps (with keep) the pairs under the false discovery threshold of
 * their p-values (all in raw mode), lists the co-actions behind them for
 * groups, then caps the evidence rows. */
static chorus_rc finish_signal(chorus_ctx *ctx, const coord_run *r, sig_job *j, int keep)
{
    chorus_rc rc = CHORUS_OK;
    double threshold;
    if (keep && !r->raw && !(rc = cli_mpi_threshold(ctx, &j->cp, r->fdr, &threshold, &j->tested)))
        chorus_copairs_keep(&j->cp, threshold);
    if (!rc)
        rc = network_coactions(j);
    if (!rc) /* after network_coactions: groups.csv counts every co-action */
        rc = chorus_copairs_cap_evidence(ctx, &j->cp, r->evidence_cap);
    return rc;
}

/* The similar signal's actions: near-duplicate clusters of the texts of
 * at least min_words words. */
static chorus_rc similar_actions(chorus_ctx *ctx, const chorus_corpus *c, uint32_t min_words,
                                 uint32_t threads, chorus_actions **out)
{
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.min_words = min_words;
    o.threads = threads;
    return chorus_text_similar_actions(ctx, c, &o, out);
}

/* Builds one signal's actions, pairs them and tests the pairs (across
 * processes: its shard of them), then finishes it. Reads r and
 * the corpus only, writes only into j: threads run it side by side, each
 * with its own context. */
static chorus_rc compute_signal(chorus_ctx *ctx, const coord_run *r, const chorus_corpus *c,
                                sig_job *j)
{
    chorus_action_opts act = r->act;
    chorus_copair_opts pair = r->pair;
    act.object_column = j->column;
    pair.min_weight = (uint32_t)r->min_weight[j->sig];
    chorus_rc rc;
    if (j->sig == CHORUS_SIG_TWEET)
        rc = chorus_text_tweet_actions_threads(ctx, c, NULL, (uint32_t)r->min_words[j->sig],
                                               r->threads, &j->s);
    else if (j->sig == CHORUS_SIG_SIMILAR)
        rc = similar_actions(ctx, c, (uint32_t)r->min_words[j->sig], r->threads, &j->s);
    else
        rc = chorus_actions_build(ctx, c, j->sig, &act, &j->s);
    if (rc)
        return rc;
    chorus_action *a = chorus_actions_data(j->s, &j->n);
    pair.window_ms = r->window[j->sig] == WINDOW_AUTO ? 60000 : r->window[j->sig];
    if (r->window[j->sig] == WINDOW_AUTO && j->n && (rc = chorus_window_auto(ctx, a, j->n, &pair.window_ms)))
        chorus_clear_error(ctx), rc = CHORUS_OK, pair.window_ms = 60000; /* nothing shared twice */
    j->window_ms = pair.window_ms;
    pair.shard = cli_mpi_rank();
    pair.shards = cli_mpi_ranks();
    if (!(rc = chorus_copairs_compute(ctx, a, j->n, &pair, &j->cp)) && !r->raw) {
        uint32_t *strata = object_strata(r, a, j->n, chorus_actions_objects(j->s));
        chorus_object_info info = {chorus_actions_sources(j->s), strata};
        rc = strata ? chorus_copairs_significance(ctx, a, j->n, &info, &pair, &j->cp) : CHORUS_ENOMEM;
        free(strata);
    }
    if (!rc && pair.shards < 2)
        rc = finish_signal(ctx, r, j, 1);
    return rc;
}

/* Across processes (main thread, every process, each signal in order),
 * after rc, this process's state so far: all stop together at the first
 * failure; else one threshold over every shard's p-values, each process
 * keeps its pairs under it, and process 0 merges them and finishes. */
static chorus_rc join_shards(const coord_run *r, sig_job *j, chorus_rc rc)
{
    double threshold;
    if ((rc = cli_mpi_agree(rc)))
        return rc;
    if (!r->raw && !(rc = cli_mpi_threshold(j->ctx, &j->cp, r->fdr, &threshold, &j->tested)))
        chorus_copairs_keep(&j->cp, threshold);
    if (!rc)
        rc = cli_mpi_gather(j->ctx, &j->cp);
    return !rc && cli_mpi_rank() == 0 ? finish_signal(j->ctx, r, j, 0) : rc;
}

/* Takes one computed signal into the network (graph edges, co-actions for
 * groups) and prints its summary (main thread, in the signal order). */
static chorus_rc record_signal(coord_run *r, sig_job *j)
{
    chorus_rc rc = keep_for_graph(r, j->name, &j->cp);
    if (!rc)
        rc = record_network(r, j);
    r->total_evidence += j->cp.n_evidence;
    r->total_dropped += j->cp.evidence_dropped;
    r->total_edges += j->cp.n;
    r->total_skipped += j->cp.n_skipped;
    if (!rc && (j->n || r->signals)) /* say nothing of signals the data does not have */
        print_signal(r, j->sig, j->name, j->n, chorus_actions_objects(j->s), &j->cp, j->tested,
                     j->window_ms);
    return rc;
}

/* The rows of edges.csv, evidence.csv and skipped_objects.csv (and the
 * database's), every signal in order, then network.gexf and .graphml.
 * Reads the jobs, the corpus and r's settings only, so it can run beside
 * the groups, with a context of its own (ctx). */
typedef struct row_writer {
    const coord_run *r;
    const chorus_corpus *c;
    const sig_job *jobs;
    size_t n_jobs;
    chorus_ctx *ctx;
    chorus_rc rc;
    char msg[4400]; /* what failed */
} row_writer;

static void *write_rows(void *arg)
{
    row_writer *w = arg;
    const coord_run *r = w->r;
    coord_rows *rows = coord_rows_new(w->c, r->out[OUT_EDGES].f, r->out[OUT_EVIDENCE].f);
    if (!rows)
        w->rc = CHORUS_ENOMEM;
    for (size_t k = 0; k < w->n_jobs && !w->rc; k++) {
        const sig_job *j = &w->jobs[k];
        if (coord_rows_signal(rows, j->name, j->s, &j->cp, !r->raw))
            w->rc = CHORUS_EIO;
        if (!w->rc && r->db && (w->rc = chorus_db_add_pairs(r->db, j->name, &j->cp, !r->raw, j->s)))
            snprintf(w->msg, sizeof w->msg, "%s", chorus_errmsg(w->ctx));
        write_skipped(r->out[OUT_SKIPPED].f, j->s, j->name, &j->cp);
    }
    if (coord_rows_free(rows) && !w->rc)
        w->rc = CHORUS_EIO;
    if (w->rc && !w->msg[0])
        snprintf(w->msg, sizeof w->msg, "%s/edges.csv, evidence.csv: %s", r->outdir,
                 w->rc == CHORUS_ENOMEM ? "out of memory" : "write failed");
    char gexf[4200], graphml[4200];
    snprintf(gexf, sizeof gexf, "%s/network.gexf", r->outdir);
    snprintf(graphml, sizeof graphml, "%s/network.graphml", r->outdir);
    if (!w->rc && (w->rc = chorus_graph_write(w->ctx, w->c, r->graph, r->n_graph, gexf, graphml)))
        snprintf(w->msg, sizeof w->msg, "%s", chorus_errmsg(w->ctx));
    return NULL;
}

/* The groups, while another thread writes the rows and the network files
 * (on one thread, or with --db, whose connection is not shared: one after
 * the other). Returns the first failure. */
static chorus_rc write_outputs(chorus_ctx *ctx, coord_run *r, const chorus_corpus *c,
                               const sig_job *jobs, size_t n_jobs)
{
    chorus_ctx *own = r->threads > 1 && !r->db ? chorus_ctx_new(NULL, NULL) : NULL;
    row_writer w = {r, c, jobs, n_jobs, own ? own : ctx, CHORUS_OK, ""};
    pthread_t tid;
    int started = own && pthread_create(&tid, NULL, write_rows, &w) == 0;
    if (!started) {
        w.ctx = ctx;
        write_rows(&w);
    }
    chorus_rc rc = started ? CHORUS_OK : w.rc;
    r->att.act = r->act;
    r->att.opts.fdr = r->fdr;
    if (!rc)
        rc = coord_write_groups(ctx, c, r->graph, r->n_graph,
                                &(coord_net){r->net, r->co, r->n_co, r->n_parts}, r->outdir,
                                r->out + OUT_GROUPS, r->raw, &r->att, r->db);
    if (started)
        pthread_join(tid, NULL);
    if (w.rc && (!rc || !started)) { /* the rows' failure, unless another was reported */
        rc = w.rc;
        cli_error("%s", w.msg);
    }
    chorus_ctx_free(own);
    return rc;
}

/* The signals' jobs, shared by the threads that take them in turn. */
typedef struct sig_pool {
    const coord_run *r;
    const chorus_corpus *c;
    sig_job *jobs;
    size_t n_jobs;
    size_t order[MAX_JOBS]; /* the order jobs are taken in */
    atomic_size_t next;
} sig_pool;

typedef struct sig_worker {
    sig_pool *pool;
    chorus_ctx *ctx;
} sig_worker;

/* Takes jobs until none is left; stops at its first failure. */
static void *sig_thread(void *arg)
{
    sig_worker *w = arg;
    for (;;) {
        size_t k = atomic_fetch_add(&w->pool->next, 1);
        if (k >= w->pool->n_jobs)
            break;
        sig_job *j = &w->pool->jobs[w->pool->order[k]];
        j->ctx = w->ctx;
        if ((j->rc = compute_signal(w->ctx, w->pool->r, w->pool->c, j)))
            break;
    }
    return NULL;
}

/* The longest jobs first (near-duplicate texts, then exact texts), so
 * that the others fill the threads beside them instead of after them. */
static void take_order(sig_pool *pool)
{
    static const chorus_signal first[] = {CHORUS_SIG_SIMILAR, CHORUS_SIG_TWEET};
    size_t n = 0;
    for (size_t f = 0; f <= 2; f++)
        for (size_t k = 0; k < pool->n_jobs; k++) {
            chorus_signal sig = pool->jobs[k].sig;
            if (f < 2 ? sig == first[f] : sig != first[0] && sig != first[1])
                pool->order[n++] = k;
        }
}

/* Computes every job on up to r->threads threads (this one included),
 * each thread with its own context (ctxs[0] is the caller's). */
static void compute_all(coord_run *r, const chorus_corpus *c, sig_job *jobs, size_t n_jobs,
                        chorus_ctx **ctxs, uint32_t n_threads)
{
    sig_pool pool = {.r = r, .c = c, .jobs = jobs, .n_jobs = n_jobs};
    take_order(&pool);
    sig_worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (uint32_t t = 0; t < n_threads; t++)
        w[t] = (sig_worker){&pool, ctxs[t]};
    for (uint32_t t = 1; t < n_threads; t++)
        started[t] = ctxs[t] && pthread_create(&tid[t], NULL, sig_thread, &w[t]) == 0;
    sig_thread(&w[0]); /* a thread that did not start leaves its share here */
    for (uint32_t t = 1; t < n_threads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

/* Whether the comma-separated list holds name. */
static int list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* Every name in --signals must be one this command builds. */
static int check_signals(const char *list)
{
    char buf[256];
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 200 ? len : 200), p);
        int sig = chorus_signal_from_name(buf);
        if (sig < 0) {
            cli_error("--signals: \"%s\" is not one of retweet, reply, link, hashtags, "
                      "fastretweet, tweet, similar, action", buf);
            return -1;
        }
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* The jobs: every signal in the list (or all that apply), in a fixed
 * order, the action signal once per object column. Returns how many. */
static size_t list_jobs(const coord_run *r, const chorus_corpus *c, sig_job *jobs, size_t cap)
{
    static const chorus_signal order[] = {CHORUS_SIG_RETWEET, CHORUS_SIG_REPLY, CHORUS_SIG_LINK,
                                          CHORUS_SIG_HASHTAGS, CHORUS_SIG_FASTRETWEET,
                                          CHORUS_SIG_TWEET, CHORUS_SIG_SIMILAR, CHORUS_SIG_ACTION};
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name = chorus_signal_name(order[i]);
        if (r->signals && !list_has(r->signals, name))
            continue;
        uint32_t columns = order[i] == CHORUS_SIG_ACTION ? chorus_corpus_object_columns(c) : 1;
        for (uint32_t k = 0; k < columns && n < cap; k++) {
            memset(&jobs[n], 0, sizeof jobs[n]);
            jobs[n].sig = order[i];
            jobs[n].column = k;
            if (order[i] == CHORUS_SIG_ACTION)
                snprintf(jobs[n].name, sizeof jobs[n].name, "action:%s", chorus_corpus_object_column_name(c, k));
            else
                snprintf(jobs[n].name, sizeof jobs[n].name, "%s", name);
            n++;
        }
    }
    return n;
}

/* Computes the signals side by side (--threads), takes them into the
 * network one by one in the fixed order, then writes the rows beside the
 * network files and groups: the files do not depend on the thread count. */
static chorus_rc run_signals(chorus_ctx *ctx, coord_run *r, const chorus_corpus *c)
{
    sig_job jobs[MAX_JOBS];
    size_t n_jobs = list_jobs(r, c, jobs, MAX_JOBS);
    uint32_t n_threads = r->threads < n_jobs ? r->threads : (uint32_t)n_jobs;
    chorus_ctx *ctxs[MAX_THREADS] = {ctx};
    for (uint32_t t = 1; t < n_threads; t++)
        ctxs[t] = chorus_ctx_new(NULL, NULL); /* NULL: that thread does not start */
    compute_all(r, c, jobs, n_jobs, ctxs, n_threads ? n_threads : 1);
    chorus_rc rc = CHORUS_OK;
    int root = cli_mpi_rank() == 0, shared = cli_mpi_ranks() > 1;
    for (size_t k = 0; k < n_jobs; k++) {
        sig_job *j = &jobs[k];
        rc = rc ? rc : !j->ctx ? CHORUS_EINTERNAL : j->rc; /* no ctx: a job no thread took */
        if (shared)
            rc = join_shards(r, j, rc);
        if (rc) {
            if (j->ctx && j->ctx != ctx && chorus_errcode(j->ctx))
                cli_error("%s", chorus_errmsg(j->ctx));
            break;
        }
        if (root && (rc = record_signal(r, j)) && j->ctx != ctx && chorus_errcode(j->ctx))
            cli_error("%s", chorus_errmsg(j->ctx));
    }
    rc = shared ? cli_mpi_agree(rc) : rc; /* the last signal's record */
    if (rc && chorus_errcode(ctx))
        cli_error("%s", chorus_errmsg(ctx));
    if (!rc && root)
        rc = write_outputs(ctx, r, c, jobs, n_jobs);
    for (size_t k = 0; k < n_jobs; k++)
        if (jobs[k].ctx) {
            chorus_copairs_free(jobs[k].ctx, &jobs[k].cp);
            chorus_actions_free(jobs[k].s);
            free(jobs[k].co);
            free(jobs[k].objs);
        }
    for (uint32_t t = 1; t < n_threads; t++)
        chorus_ctx_free(ctxs[t]);
    return rc;
}

/* The output folder and the CSV files (process 0 alone writes): 0, or -1
 * with the message printed. */
static int open_outputs(coord_run *r)
{
    if (cli_mpi_rank() != 0)
        return 0;
    if (cli_make_dir(r->outdir) != 0) {
        cli_error("%s: cannot create folder: %s", r->outdir, strerror(errno));
        return -1;
    }
    int opened = !cli_out_open(&r->out[OUT_EDGES], r->outdir, "edges.csv",
                               "account_a,account_b,signal,objects,coactions,first_time,last_time,"
                               "median_delay_s,similarity,p_value,actions_a,actions_b,balance,"
                               "sources,coshared\n") &&
                 !cli_out_open(&r->out[OUT_SKIPPED], r->outdir, "skipped_objects.csv",
                               "signal,object,actions\n") &&
                 !cli_out_open(&r->out[OUT_EVIDENCE], r->outdir, "evidence.csv",
                               "account_a,account_b,signal,object,time_a,time_b,delay_s\n");
    return opened ? 0 : -1;
}

static chorus_rc write_network(chorus_ctx *ctx, coord_run *r, const chorus_corpus *c)
{
    chorus_rc rc = cli_mpi_agree(open_outputs(r) ? CHORUS_EIO : CHORUS_OK);
    r->net = rc ? NULL : chorus_actions_new(ctx);
    if (!rc)
        rc = cli_mpi_agree(!r->net || account_strata(r, c) ? CHORUS_ENOMEM : CHORUS_OK);
    if (!rc)
        rc = run_signals(ctx, r, c);
    if (cli_out_close(r->out, OUT_FILES, !rc))
        rc = rc ? rc : CHORUS_EIO;
    free(r->graph);
    free(r->acc_stratum);
    chorus_actions_free(r->net);
    if (!rc && cli_mpi_rank() == 0) {
        fprintf(stderr, "groups:   %s/groups.csv, %s/accounts.csv\n"
                        "edges:    %s/edges.csv (%" PRIu64 " rows)\n"
                        "evidence: %s/evidence.csv (%" PRIu64 " rows, ",
                r->outdir, r->outdir, r->outdir, r->total_edges, r->outdir, r->total_evidence);
        if (r->evidence_cap)
            fprintf(stderr, "at most %u an edge: %" PRIu64 " more co-actions left out)\n",
                    r->evidence_cap, r->total_dropped);
        else
            fputs("every co-action)\n", stderr);
        if (r->att.on && !r->raw)
            fprintf(stderr, "attached: %zu accounts to the groups (%u rounds, %u objects held)\n",
                    r->att.attached, r->att.rounds, r->att.held);
        fprintf(stderr, "skipped:  %s/skipped_objects.csv (%" PRIu64 " objects over %u actions)\n"
                        "network:  %s/network.gexf, %s/network.graphml\n",
                r->outdir, r->total_skipped, r->pair.max_object_actions, r->outdir, r->outdir);
    }
    return rc;
}

/* coord_option for cli_option_loop. */
static int coord_option_cb(void *cmd, int opt, const char *arg)
{
    return coord_option((coord_run *)cmd, opt, arg);
}

static int parse_args(int argc, char **argv, coord_run *r, cli_ingest *in)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS,
        {"out", required_argument, 0, 'o'},          {"signals", required_argument, 0, 'S'},
        {"window", required_argument, 0, 'w'},       {"min-weight", required_argument, 0, 'W'},
        {"weight", required_argument, 0, 'g'},       {"filter", required_argument, 0, 'F' + 256},
        {"max-object-actions", required_argument, 0, 'B'}, {"fast", required_argument, 0, 'f'},
        {"link-level", required_argument, 0, 'l'},   {"min-hashtags", required_argument, 0, 'H'},
        {"fdr", required_argument, 0, 'Q'},         {"db", required_argument, 0, 'd'},
        {"min-sources", required_argument, 0, 'M'}, {"min-words", required_argument, 0, OPT_MIN_WORDS},
        {"evidence", required_argument, 0, OPT_EVIDENCE}, {"threads", required_argument, 0, OPT_THREADS},
        {"attach", required_argument, 0, OPT_ATTACH}, {"attach-share", required_argument, 0, OPT_ATTACH_SHARE},
        {"help", no_argument, 0, 'h'},               {0, 0, 0, 0}};
    int code = cli_option_loop(argc, argv, "ho:q", longopts, "coord", usage, in, coord_option_cb, r);
    if (code)
        return code;
    if (optind >= argc || !r->outdir) {
        cli_error("coord: %s (try 'chorus coord --help')",
                  optind >= argc ? "no input" : "no output folder: give -o OUTDIR");
        return EXIT_INPUT;
    }
    return r->signals && check_signals(r->signals) ? EXIT_INPUT : EXIT_OK;
}

static void coord_defaults(coord_run *r)
{
    memset(r, 0, sizeof *r);
    chorus_copair_defaults(&r->pair);
    r->pair.max_object_actions = 5000;
    r->pair.keep_evidence = 1;
    r->evidence_cap = 5;
    r->threads = cli_cpus(MAX_THREADS);
    r->fdr = 0.01;
    for (int k = 0; k < CHORUS_SIG_COUNT; k++) {
        r->window[k] = r->pair.window_ms;
        r->min_weight[k] = r->pair.min_weight;
        r->min_words[k] = CHORUS_TEXT_MIN_WORDS;
    }
    /* a short near-duplicate is a template (a fans' cheer), not evidence
     * of one hand (docs/coordination.md, "The similar signal") */
    r->min_words[CHORUS_SIG_SIMILAR] = SIMILAR_MIN_WORDS;
    /* content that is the same object (a rare tag sequence, a URL) shared
     * hours or days apart is still evidence; cheap, and it finds slower
     * operations (docs/coordination.md, "Default windows") */
    r->window[CHORUS_SIG_HASHTAGS] = HASHTAGS_WINDOW_MS;
    r->window[CHORUS_SIG_LINK] = HOUR_WINDOW_MS;
    r->window[CHORUS_SIG_SIMILAR] = HOUR_WINDOW_MS;
    chorus_action_defaults(&r->act);
    r->att.on = 1;
    chorus_attach_defaults(&r->att.opts);
}

chorus_rc coord_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db)
{
    coord_run r;
    coord_defaults(&r);
    r.outdir = outdir;
    r.db = db;
    return write_network(ctx, &r, c);
}

int cmd_coord(int argc, char **argv)
{
    coord_run r;
    cli_ingest in;
    coord_defaults(&r);
    cli_ingest_init(&in);
    int code = parse_args(argc, argv, &r, &in);
    if (code)
        return code < 0 ? EXIT_OK : code;
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    chorus_set_ingest_threads(ctx, r.threads);
    int root = cli_mpi_rank() == 0; /* across processes, the others only compute */
    if (!root)
        in.quiet = 1, in.problems_csv = NULL, r.db_path = NULL;
    chorus_rc rc = r.db_path
                       ? cli_ingest_to_db(ctx, &in, c, argv + optind, argc - optind, r.db_path, &r.db)
                       : cli_ingest_run(ctx, &in, c, argv + optind, argc - optind);
    if (!(rc = cli_mpi_agree(rc))) {
        if (root)
            cli_print_summary(stderr, c, &in);
        rc = write_network(ctx, &r, c);
    }
    if (r.db && !rc && (rc = chorus_db_commit(r.db)))
        cli_error("%s", chorus_errmsg(ctx));
    else if (r.db && rc)
        chorus_db_abort(r.db);
    if (!rc && r.db_path)
        fprintf(stderr, "database: %s\n", r.db_path);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
