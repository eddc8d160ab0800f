/*
 * cmd_dedup.c - `chorus dedup`: near-duplicate text clusters. Ingests the
 * inputs, clusters the posts' texts (docs/dedup.md) and writes
 * clusters.csv (every clustered post) and cluster_summary.csv (one row
 * per cluster), and with a database the same rows as the tables clusters
 * and cluster_summary, with a summary of the work on stderr.
 */
#include "cli.h"

#include <chorus/dedup.h>
#include <chorus/output.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus dedup [options] INPUT... -o OUTDIR\n"
    "\n"
    "Finds clusters of posts whose texts are the same or nearly so (copy-pasta,\n"
    "lightly edited copies, a post quoted inside a longer one), after bringing\n"
    "every text to its match form (case, letter variants, invisibles, links).\n"
    "Retweets are left out: their text is the original's. Writes into OUTDIR:\n"
    "  clusters.csv         cluster_id,post_id,account_id,time,\n"
    "                       similarity_to_representative (clusters of 2 or more)\n"
    "  cluster_summary.csv  cluster_id,size,accounts,first_time,last_time,\n"
    "                       earliest_post,representative_text\n"
    "Clusters are numbered larger first. docs/dedup.md describes the method.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR        output folder (required; created if needed)\n"
    "  --kind K             posts (default) or articles (word shingles, stricter)\n"
    "  --threshold J        Jaccard of the shingle sets to join, 0 < J <= 1\n"
    "                       (default 0.5 for posts, 0.7 for articles)\n"
    "  --containment C      or this share of the smaller text's shingles inside\n"
    "                       the other's (default 0.8; above 1 turns it off)\n"
    "  --min-words N        leave out texts of fewer words (default 5)\n"
    "  --linkage L          center (default): each text joins the first similar\n"
    "                       cluster center (texts with more copies first), so\n"
    "                       every member is similar to its representative;\n"
    "                       single: every similar pair joins (edits of edits\n"
    "                       chain, and so can unrelated texts through them)\n"
    "  --threads N          compare texts on N threads (default: the CPUs, at\n"
    "                       most 64); the clusters do not depend on it\n"
    "  --db FILE            also write the corpus and the tables clusters and\n"
    "                       cluster_summary into a new SQLite database\n"
    "                       (docs/schema.md)\n"
    "  -h, --help           this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

typedef struct dedup_args {
    const char *outdir, *db_path;
    chorus_db *db; /* when set, the tables go into it too */
    chorus_dedup_kind kind;
    chorus_dedup_linkage linkage;
    double threshold, containment; /* < 0: the kind's default */
    long long min_words;           /* < 0: the default */
    long long threads;
} dedup_args;

static int parse_fraction(const char *arg, const char *opt, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v > 0 && v <= max)) {
        cli_error("%s: a number above 0 and at most %g: \"%s\"", opt, max, arg);
        return -1;
    }
    *out = v;
    return 1;
}

/* The dedup options; 1 handled, 0 not ours, -1 bad value. */
static int dedup_option(dedup_args *a, int opt, const char *arg)
{
    switch (opt) {
    case 'o': a->outdir = arg; return 1;
    case 'd': a->db_path = arg; return 1;
    case 'k':
        if (strcmp(arg, "posts") && strcmp(arg, "articles"))
            return cli_error("--kind: posts or articles"), -1;
        a->kind = strcmp(arg, "articles") ? CHORUS_DEDUP_POSTS : CHORUS_DEDUP_ARTICLES;
        return 1;
    case 'l':
        if (strcmp(arg, "center") && strcmp(arg, "single"))
            return cli_error("--linkage: center or single"), -1;
        a->linkage = strcmp(arg, "single") ? CHORUS_DEDUP_CENTER : CHORUS_DEDUP_SINGLE;
        return 1;
    case 'T': return parse_fraction(arg, "--threshold", 1, &a->threshold);
    case 'C': return parse_fraction(arg, "--containment", 1e9, &a->containment);
    case 'W': return cli_parse_whole(arg, "--min-words", 0, 100000, &a->min_words);
    case 'j': return cli_parse_whole(arg, "--threads", 1, 64, &a->threads);
    }
    return 0;
}

/* dedup_option for cli_option_loop. */
static int dedup_option_cb(void *cmd, int opt, const char *arg)
{
    return dedup_option((dedup_args *)cmd, opt, arg);
}

static int parse_args(int argc, char **argv, dedup_args *a, cli_ingest *in)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS,
        {"out", required_argument, 0, 'o'},       {"kind", required_argument, 0, 'k'},
        {"threshold", required_argument, 0, 'T'}, {"containment", required_argument, 0, 'C'},
        {"min-words", required_argument, 0, 'W'}, {"linkage", required_argument, 0, 'l'},
        {"db", required_argument, 0, 'd'},        {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int code = cli_option_loop(argc, argv, "ho:q", longopts, "dedup", usage, in, dedup_option_cb, a);
    if (code)
        return code;
    if (optind >= argc || !a->outdir) {
        cli_error("dedup: %s (try 'chorus dedup --help')",
                  optind >= argc ? "no input" : "no output folder: give -o OUTDIR");
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

static void csv_str(FILE *f, chorus_str s)
{
    chorus_csv_field(f, s.ptr, s.len, CHORUS_CSV_NEUTRALISE);
}

/* "12" for n into b (24 bytes); the length. Row writing is the bulk of
 * the output (one row per clustered post): no printf per field. */
static size_t put_uint(char *b, uint64_t n)
{
    char t[24];
    size_t k = 0, len = 0;
    do
        t[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    while (k > 0)
        b[len++] = t[--k];
    return len;
}

/* clusters.csv: one row per clustered post, cluster by cluster. */
static void write_members(FILE *f, const chorus_corpus *c, const chorus_dedup *d)
{
    char id[24], tail[64];
    for (size_t k = 0; k < d->n_clusters; k++) {
        const chorus_dedup_cluster *cl = &d->clusters[k];
        size_t nid = put_uint(id, k + 1);
        id[nid++] = ',';
        for (uint32_t i = 0; i < cl->size; i++) {
            const chorus_dedup_member *m = &d->members[cl->first_member + i];
            chorus_post_view v;
            chorus_account_view a;
            chorus_corpus_post(c, m->post, &v);
            chorus_corpus_account(c, v.account, &a);
            fwrite(id, 1, nid, f);
            csv_str(f, v.id);
            fputc(',', f);
            csv_str(f, a.id);
            size_t n = 0;
            tail[n++] = ',';
            n += chorus_format_time_utc(v.time_ms, tail + n);
            unsigned sim = (unsigned)((double)m->similarity * 10000 + 0.5); /* %.4f of 0..1 */
            tail[n++] = ',';
            tail[n++] = (char)('0' + sim / 10000);
            tail[n++] = '.';
            for (unsigned div = 1000; div > 0; div /= 10)
                tail[n++] = (char)('0' + sim / div % 10);
            tail[n++] = '\n';
            fwrite(tail, 1, n, f);
        }
    }
}

/* cluster_summary.csv: one row per cluster; the text is the
 * representative post's own text, as posted. */
static void write_summary(FILE *f, const chorus_corpus *c, const chorus_dedup *d)
{
    for (size_t k = 0; k < d->n_clusters; k++) {
        const chorus_dedup_cluster *cl = &d->clusters[k];
        chorus_post_view v;
        char t1[32], t2[32];
        chorus_format_time_utc(cl->first_ms, t1);
        chorus_format_time_utc(cl->last_ms, t2);
        fprintf(f, "%zu,%u,%u,%s,%s,", k + 1, cl->size, cl->accounts, t1, t2);
        chorus_corpus_post(c, cl->earliest, &v);
        csv_str(f, v.id);
        fputc(',', f);
        chorus_corpus_post(c, cl->representative, &v);
        csv_str(f, v.text);
        fputc('\n', f);
    }
}

static chorus_rc write_outputs(const dedup_args *a, const chorus_corpus *c, const chorus_dedup *d)
{
    if (cli_make_dir(a->outdir) != 0) {
        cli_error("%s: cannot create folder: %s", a->outdir, strerror(errno));
        return CHORUS_EIO;
    }
    cli_out o[2];
    int bad = cli_out_open(&o[0], a->outdir, "clusters.csv",
                           "cluster_id,post_id,account_id,time,similarity_to_representative\n") |
              cli_out_open(&o[1], a->outdir, "cluster_summary.csv",
                           "cluster_id,size,accounts,first_time,last_time,earliest_post,"
                           "representative_text\n");
    if (!bad) {
        write_members(o[0].f, c, d);
        write_summary(o[1].f, c, d);
    }
    bad |= cli_out_close(o, 2, !bad);
    return bad ? CHORUS_EIO : CHORUS_OK;
}

/* Text of a time for the database; t is at least 32 bytes. */
static chorus_db_value db_time(int64_t ms, char *t)
{
    return chorus_db_text((chorus_str){t, chorus_format_time_utc(ms, t)});
}

/* Table clusters: the rows of clusters.csv, raw text, typed numbers. */
static chorus_rc db_members(chorus_db *db, const chorus_corpus *c, const chorus_dedup *d)
{
    chorus_db_table *t;
    chorus_rc rc = chorus_db_table_open(
        db,
        "CREATE TABLE clusters(cluster_id INTEGER NOT NULL, post_id TEXT NOT NULL, "
        "account_id TEXT NOT NULL, time TEXT, similarity_to_representative REAL)",
        "clusters", 5, &t);
    for (size_t k = 0; !rc && k < d->n_clusters; k++) {
        const chorus_dedup_cluster *cl = &d->clusters[k];
        for (uint32_t i = 0; !rc && i < cl->size; i++) {
            const chorus_dedup_member *m = &d->members[cl->first_member + i];
            chorus_post_view v;
            chorus_account_view a;
            char tb[32];
            chorus_corpus_post(c, m->post, &v);
            chorus_corpus_account(c, v.account, &a);
            /* rounded as in the CSV, so both say the same */
            double sim = (double)(unsigned)((double)m->similarity * 10000 + 0.5) / 10000;
            chorus_db_value row[5] = {chorus_db_int((int64_t)k + 1), chorus_db_text(v.id),
                                      chorus_db_text(a.id), db_time(v.time_ms, tb),
                                      chorus_db_real(sim)};
            rc = chorus_db_table_row(t, row);
        }
    }
    chorus_db_table_close(t);
    return rc;
}

/* Table cluster_summary: the rows of cluster_summary.csv. */
static chorus_rc db_summary(chorus_db *db, const chorus_corpus *c, const chorus_dedup *d)
{
    chorus_db_table *t;
    chorus_rc rc = chorus_db_table_open(
        db,
        "CREATE TABLE cluster_summary(cluster_id INTEGER PRIMARY KEY, size INTEGER, "
        "accounts INTEGER, first_time TEXT, last_time TEXT, earliest_post TEXT, "
        "representative_text TEXT)",
        "cluster_summary", 7, &t);
    for (size_t k = 0; !rc && k < d->n_clusters; k++) {
        const chorus_dedup_cluster *cl = &d->clusters[k];
        chorus_post_view e, r;
        char t1[32], t2[32];
        chorus_corpus_post(c, cl->earliest, &e);
        chorus_corpus_post(c, cl->representative, &r);
        chorus_db_value row[7] = {chorus_db_int((int64_t)k + 1), chorus_db_int(cl->size),
                                  chorus_db_int(cl->accounts), db_time(cl->first_ms, t1),
                                  db_time(cl->last_ms, t2), chorus_db_text(e.id),
                                  chorus_db_text(r.text)};
        rc = chorus_db_table_row(t, row);
    }
    chorus_db_table_close(t);
    return rc;
}

/* Both tables and their index; the message, if any, printed. */
static chorus_rc write_db(chorus_ctx *ctx, chorus_db *db, const chorus_corpus *c,
                          const chorus_dedup *d)
{
    chorus_rc rc = db_members(db, c, d);
    if (!rc)
        rc = db_summary(db, c, d);
    if (!rc)
        rc = chorus_db_exec(db, "CREATE INDEX clusters_post_id ON clusters(post_id);"
                                "CREATE INDEX clusters_cluster_id ON clusters(cluster_id)");
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    return rc;
}

static void print_stats(const chorus_dedup_stats *st, double seconds)
{
    char b[32];
    fprintf(stderr, "texts           %" PRIu64 " (%" PRIu64 " with too few words left out)\n",
            st->texts, st->short_texts);
    fprintf(stderr, "distinct texts  %" PRIu64 " (%" PRIu64 " exact-duplicate groups, %" PRIu64
                    " shingled by words)\n",
            st->unique, st->exact_groups, st->word_shingled);
    fprintf(stderr, "candidate pairs %" PRIu64 " (%" PRIu64 " already linked or compared)\n",
            st->candidates, st->linked);
    fprintf(stderr, "verified pairs  %" PRIu64 " of %" PRIu64 " compared (%" PRIu64
                    " by containment; %" PRIu64 " shingle sets made)\n",
            st->joined, st->verified, st->by_containment, st->sets_made);
    fprintf(stderr, "clusters        %" PRIu64 " (%" PRIu64 " posts)\n", st->clusters, st->clustered);
    fprintf(stderr, "elapsed         %.2f s (dedup), working memory %s\n", seconds,
            cli_bytes(st->memory, b, sizeof b));
}

static chorus_rc run_dedup(chorus_ctx *ctx, cli_ingest *in, const dedup_args *a,
                           const chorus_corpus *c)
{
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, a->kind);
    o.linkage = a->linkage;
    if (a->threshold > 0)
        o.threshold = a->threshold;
    if (a->containment > 0)
        o.containment = a->containment;
    if (a->min_words >= 0)
        o.min_words = (uint32_t)a->min_words;
    o.threads = (uint32_t)a->threads;
    chorus_dedup *d = NULL;
    double t0 = cli_now();
    if (in)
        cli_show_progress(ctx, in);
    chorus_rc rc = chorus_dedup_run(ctx, c, &o, &d);
    if (in)
        cli_end_progress(ctx, in);
    if (rc) {
        cli_error("%s", chorus_errmsg(ctx));
        return rc;
    }
    rc = write_outputs(a, c, d);
    if (!rc && a->db)
        rc = write_db(ctx, a->db, c, d);
    print_stats(&d->stats, cli_now() - t0);
    if (!rc)
        fprintf(stderr, "clusters:  %s/clusters.csv\nsummary:   %s/cluster_summary.csv\n",
                a->outdir, a->outdir);
    chorus_dedup_free(d);
    return rc;
}

chorus_rc dedup_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db)
{
    dedup_args a = {outdir, NULL, db, CHORUS_DEDUP_POSTS, CHORUS_DEDUP_CENTER, -1, -1, -1,
                    cli_cpus(64)};
    return run_dedup(ctx, NULL, &a, c);
}

int cmd_dedup(int argc, char **argv)
{
    dedup_args a = {NULL, NULL, NULL, CHORUS_DEDUP_POSTS, CHORUS_DEDUP_CENTER, -1, -1, -1,
                    cli_cpus(64)};
    cli_ingest in;
    cli_ingest_init(&in);
    int code = parse_args(argc, argv, &a, &in);
    if (code)
        return code < 0 ? EXIT_OK : code;
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    chorus_rc rc = a.db_path ? cli_ingest_to_db(ctx, &in, c, argv + optind, argc - optind,
                                                a.db_path, &a.db)
                             : cli_ingest_run(ctx, &in, c, argv + optind, argc - optind);
    if (!rc) {
        cli_print_summary(stderr, c, &in);
        rc = run_dedup(ctx, &in, &a, c);
    }
    if (a.db && !rc && (rc = chorus_db_commit(a.db)))
        cli_error("%s", chorus_errmsg(ctx));
    else if (a.db && rc)
        chorus_db_abort(a.db);
    if (!rc && a.db_path)
        fprintf(stderr, "database: %s\n", a.db_path);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
