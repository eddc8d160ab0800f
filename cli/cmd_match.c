/*
 * cmd_match.c - `chorus match`: catalogue matching. Ingests the inputs,
 * reads the analyst's catalogue (--narratives), scores every post and
 * every window of every article against it (docs/match.md) and writes
 * matches.csv and narrative_summary.csv (and, with a database, the same
 * rows as the tables matches and narrative_summary); match_stage is the
 * same work for `chorus analyze`. Under mpirun each process matches its
 * shard of the distinct texts and process 0 merges and writes them.
 */
#include "cli.h"
#include "processes.h"

#include <chorus/match.h>
#include <chorus/output.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus match [options] INPUT... --narratives FILE -o OUTDIR\n"
    "\n"
    "Finds the posts and articles that carry the talking points of a catalogue.\n"
    "The catalogue is a CSV with the columns narrative_id,label,text (several\n"
    "rows may share an id: variants, translations) and, optionally, keyword\n"
    "rules all_terms,any_terms (terms separated by '|'; a rule only removes\n"
    "matches). Every text, and every window of a long one, is ranked against\n"
    "the catalogue (BM25 on words, TF-IDF cosine on character 4-grams, fused by\n"
    "reciprocal rank) and a narrative is reported when its score, the\n"
    "idf-weighted share of its 4-grams found in the text, reaches --min-score.\n"
    "Writes into OUTDIR:\n"
    "  matches.csv            doc_id,narrative_id,score,start,end,passage\n"
    "                         (start, end: byte offsets of the passage in the\n"
    "                         post's text; with --explain also rank,fused,bm25,\n"
    "                         cosine)\n"
    "  narrative_summary.csv  narrative_id,label,texts,accounts,first_time,last_time\n"
    "docs/match.md describes the method and the calibration of the threshold.\n"
    "\n"
    "Options:\n"
    "  -n, --narratives FILE  the catalogue (required)\n"
    "  -o, --out DIR          output folder (required; created if needed)\n"
    "  --min-score S          report scores of S or more, 0-1 (default 0.7)\n"
    "  --top N                at most N narratives per text, best rank first\n"
    "                         (default: every one that reaches the score)\n"
    "  --window N             texts of more than N + stride words are read in\n"
    "                         windows of N words (default 50)\n"
    "  --stride N             a window every N words (default 25)\n"
    "  --min-words N          skip texts and windows of fewer words, stopwords not\n"
    "                         counted (default 3)\n"
    "  --candidates N         rows scored exactly per text and ranking (default 30)\n"
    "  --skip-retweets        leave retweets out\n"
    "  --threads N            threads (default 0: one per CPU; the output is the\n"
    "                         same for any number)\n"
    "  --explain              add the columns rank,fused,bm25,cosine\n"
    "  --bm25-k1 X, --bm25-b X  BM25 term saturation (default 0.5) and length\n"
    "                         normalisation, 0-1 (default 0.25)\n"
    "  --rrf-k X              rank fusion constant: 1 / (X + rank) (default 60)\n"
    "  --db FILE              also write the corpus and the tables matches and\n"
    "                         narrative_summary into a new SQLite database\n"
    "                         (docs/schema.md)\n"
    "  -h, --help             this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

typedef struct match_args {
    const char *narratives, *outdir, *db_path;
    chorus_db *db; /* when set, the tables go into it too */
    chorus_match_opts o;
    int explain;
} match_args;

enum { OPT_K1 = 256, OPT_B, OPT_RRF };

static int parse_real(const char *arg, const char *opt, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= lo && v <= hi)) {
        cli_error("%s: a number from %g to %g: \"%s\"", opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 1;
}

static int parse_uint(const char *arg, const char *opt, long long lo, long long hi, uint32_t *out)
{
    long long v;
    int got = cli_parse_whole(arg, opt, lo, hi, &v);
    if (got > 0)
        *out = (uint32_t)v;
    return got;
}

/* The match options; 1 handled, 0 not ours, -1 bad value. */
static int match_option(match_args *a, int opt, const char *arg)
{
    char *end;
    switch (opt) {
    case 'n': a->narratives = arg; return 1;
    case 'o': a->outdir = arg; return 1;
    case 'S':
        errno = 0;
        a->o.min_score = strtod(arg, &end);
        if (errno || end == arg || *end || !(a->o.min_score >= 0 && a->o.min_score <= 1))
            return cli_error("--min-score: a number from 0 to 1: \"%s\"", arg), -1;
        return 1;
    case 't': return parse_uint(arg, "--top", 0, 1000000, &a->o.top);
    case 'w': return parse_uint(arg, "--window", 1, 1000, &a->o.window_words);
    case 'd': return parse_uint(arg, "--stride", 1, 1000, &a->o.stride_words);
    case 'W': return parse_uint(arg, "--min-words", 0, 1000, &a->o.min_words);
    case 'c': return parse_uint(arg, "--candidates", 1, 1000, &a->o.candidates);
    case 'r': a->o.skip_retweets = 1; return 1;
    case 'T': return parse_uint(arg, "--threads", 0, 64, &a->o.threads);
    case 'x': a->explain = 1; return 1;
    case 'b': a->db_path = arg; return 1;
    case OPT_K1: return parse_real(arg, "--bm25-k1", 0, 100, &a->o.k1);
    case OPT_B: return parse_real(arg, "--bm25-b", 0, 1, &a->o.b);
    case OPT_RRF: return parse_real(arg, "--rrf-k", 0, 1e6, &a->o.rrf_k);
    }
    return 0;
}

/* match_option for cli_option_loop. */
static int match_option_cb(void *cmd, int opt, const char *arg)
{
    return match_option((match_args *)cmd, opt, arg);
}

static int parse_args(int argc, char **argv, match_args *a, cli_ingest *in)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS,
        {"narratives", required_argument, 0, 'n'}, {"out", required_argument, 0, 'o'},
        {"min-score", required_argument, 0, 'S'},  {"top", required_argument, 0, 't'},
        {"window", required_argument, 0, 'w'},     {"stride", required_argument, 0, 'd'},
        {"min-words", required_argument, 0, 'W'},  {"candidates", required_argument, 0, 'c'},
        {"skip-retweets", no_argument, 0, 'r'},    {"explain", no_argument, 0, 'x'},
        {"threads", required_argument, 0, 'T'},    {"db", required_argument, 0, 'b'},
        {"bm25-k1", required_argument, 0, OPT_K1}, {"bm25-b", required_argument, 0, OPT_B},
        {"rrf-k", required_argument, 0, OPT_RRF},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int code = cli_option_loop(argc, argv, "hn:o:q", longopts, "match", usage, in, match_option_cb, a);
    if (code)
        return code;
    const char *missing = optind >= argc ? "no input"
                          : !a->narratives ? "no catalogue: give --narratives FILE"
                          : !a->outdir     ? "no output folder: give -o OUTDIR"
                                           : NULL;
    if (missing) {
        cli_error("match: %s (try 'chorus match --help')", missing);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

static void csv_str(FILE *f, chorus_str s)
{
    chorus_csv_field(f, s.ptr, s.len, CHORUS_CSV_NEUTRALISE);
}

/* matches.csv: one row per (text, narrative), in post order. */
static void write_matches(FILE *f, const chorus_corpus *c, const chorus_catalogue *cat,
                          const chorus_match_result *r, int explain)
{
    for (size_t i = 0; i < r->n_hits; i++) {
        const chorus_match_hit *h = &r->hits[i];
        chorus_post_view v;
        chorus_corpus_post(c, h->post, &v);
        size_t end = h->end <= v.text.len ? h->end : v.text.len;
        size_t start = h->start <= end ? h->start : end;
        csv_str(f, v.id);
        fputc(',', f);
        csv_str(f, chorus_catalogue_narrative_id(cat, h->narrative));
        fprintf(f, ",%.4f,%zu,%zu,", (double)h->score, start, end);
        chorus_csv_field(f, v.text.ptr + start, end - start, CHORUS_CSV_NEUTRALISE);
        if (explain)
            fprintf(f, ",%u,%.6f,%.4f,%.4f", h->rank, (double)h->fused, (double)h->bm25,
                    (double)h->cosine);
        fputc('\n', f);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Per narrative: texts, distinct accounts and the time span of its matches. */
typedef struct nar_sum {
    uint64_t texts, accounts;
    int64_t first, last;
} nar_sum;

static int summarise(const chorus_corpus *c, const chorus_match_result *r, nar_sum *s,
                     uint32_t n_nar)
{
    uint64_t *keys = malloc((r->n_hits + 1) * sizeof *keys);
    if (!keys)
        return -1;
    for (uint32_t k = 0; k <= n_nar; k++)
        s[k] = (nar_sum){0, 0, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < r->n_hits; i++) {
        chorus_post_view v;
        chorus_corpus_post(c, r->hits[i].post, &v);
        nar_sum *x = &s[r->hits[i].narrative];
        x->texts++;
        x->first = v.time_ms < x->first ? v.time_ms : x->first;
        x->last = v.time_ms > x->last ? v.time_ms : x->last;
        keys[i] = (uint64_t)r->hits[i].narrative << 32 | v.account;
    }
    qsort(keys, r->n_hits, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < r->n_hits; i++)
        if (i == 0 || keys[i] != keys[i - 1])
            s[keys[i] >> 32].accounts++;
    free(keys);
    return 0;
}

/* The per-narrative sums of r (n_narratives + 1 entries, freed by the
 * caller), or NULL (message printed) when memory runs out. */
static nar_sum *sum_narratives(const chorus_corpus *c, const chorus_catalogue *cat,
                               const chorus_match_result *r)
{
    uint32_t n = chorus_catalogue_narrative_count(cat);
    nar_sum *s = malloc((n + 1) * sizeof *s);
    if (!s || summarise(c, r, s, n)) {
        free(s);
        cli_error("out of memory");
        return NULL;
    }
    return s;
}

static void write_summary(FILE *f, const chorus_catalogue *cat, const nar_sum *s)
{
    uint32_t n = chorus_catalogue_narrative_count(cat);
    for (uint32_t k = 0; k < n; k++) {
        csv_str(f, chorus_catalogue_narrative_id(cat, k));
        fputc(',', f);
        csv_str(f, chorus_catalogue_narrative_label(cat, k));
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", s[k].texts, s[k].accounts);
        if (s[k].texts) {
            char t1[32], t2[32];
            chorus_format_time_utc(s[k].first, t1);
            chorus_format_time_utc(s[k].last, t2);
            fprintf(f, "%s,%s", t1, t2);
        } else
            fputc(',', f);
        fputc('\n', f);
    }
}

/* Creates the output folder; the message printed when it cannot. */
static chorus_rc outdir_ready(const char *outdir)
{
    if (cli_make_dir(outdir) == 0)
        return CHORUS_OK;
    cli_error("%s: cannot create folder: %s", outdir, strerror(errno));
    return CHORUS_EIO;
}

static chorus_rc write_outputs(const match_args *a, const chorus_corpus *c,
                               const chorus_catalogue *cat, const chorus_match_result *r,
                               const nar_sum *sums)
{
    if (outdir_ready(a->outdir))
        return CHORUS_EIO;
    cli_out o[2];
    int bad = cli_out_open(&o[0], a->outdir, "matches.csv",
                           a->explain ? "doc_id,narrative_id,score,start,end,passage,rank,fused,"
                                        "bm25,cosine\n"
                                      : "doc_id,narrative_id,score,start,end,passage\n") |
              cli_out_open(&o[1], a->outdir, "narrative_summary.csv",
                           "narrative_id,label,texts,accounts,first_time,last_time\n");
    if (!bad) {
        write_matches(o[0].f, c, cat, r, a->explain);
        write_summary(o[1].f, cat, sums);
    }
    bad |= cli_out_close(o, 2, !bad);
    return bad ? CHORUS_EIO : CHORUS_OK;
}

/* Table matches: the rows of matches.csv (without the --explain columns),
 * raw text, typed numbers. */
static chorus_rc db_matches(chorus_db *db, const chorus_corpus *c, const chorus_catalogue *cat,
                            const chorus_match_result *r)
{
    chorus_db_table *t;
    chorus_rc rc = chorus_db_table_open(
        db,
        "CREATE TABLE matches(doc_id TEXT NOT NULL, narrative_id TEXT NOT NULL, score REAL, "
        "start INTEGER, end INTEGER, passage TEXT)",
        "matches", 6, &t);
    for (size_t i = 0; !rc && i < r->n_hits; i++) {
        const chorus_match_hit *h = &r->hits[i];
        chorus_post_view v;
        chorus_corpus_post(c, h->post, &v);
        size_t end = h->end <= v.text.len ? h->end : v.text.len;
        size_t start = h->start <= end ? h->start : end;
        /* rounded as in the CSV, so both say the same */
        double score = (double)(int64_t)((double)h->score * 10000 + 0.5) / 10000;
        chorus_db_value row[6] = {
            chorus_db_text(v.id), chorus_db_text(chorus_catalogue_narrative_id(cat, h->narrative)),
            chorus_db_real(score), chorus_db_int((int64_t)start), chorus_db_int((int64_t)end),
            chorus_db_text((chorus_str){v.text.ptr + start, end - start})};
        rc = chorus_db_table_row(t, row);
    }
    chorus_db_table_close(t);
    return rc;
}

/* Table narrative_summary: the rows of narrative_summary.csv; the times
 * are NULL for a narrative without matches. */
static chorus_rc db_summary(chorus_db *db, const chorus_catalogue *cat, const nar_sum *s)
{
    chorus_db_table *t;
    chorus_rc rc = chorus_db_table_open(
        db,
        "CREATE TABLE narrative_summary(narrative_id TEXT PRIMARY KEY, label TEXT, "
        "texts INTEGER, accounts INTEGER, first_time TEXT, last_time TEXT)",
        "narrative_summary", 6, &t);
    uint32_t n = chorus_catalogue_narrative_count(cat);
    for (uint32_t k = 0; !rc && k < n; k++) {
        char t1[32], t2[32];
        chorus_db_value first = chorus_db_null(), last = chorus_db_null();
        if (s[k].texts) {
            first = chorus_db_text((chorus_str){t1, chorus_format_time_utc(s[k].first, t1)});
            last = chorus_db_text((chorus_str){t2, chorus_format_time_utc(s[k].last, t2)});
        }
        chorus_db_value row[6] = {chorus_db_text(chorus_catalogue_narrative_id(cat, k)),
                                  chorus_db_text(chorus_catalogue_narrative_label(cat, k)),
                                  chorus_db_int((int64_t)s[k].texts),
                                  chorus_db_int((int64_t)s[k].accounts), first, last};
        rc = chorus_db_table_row(t, row);
    }
    chorus_db_table_close(t);
    return rc;
}

/* Both tables and their indexes; the message, if any, printed. */
static chorus_rc write_db(chorus_ctx *ctx, chorus_db *db, const chorus_corpus *c,
                          const chorus_catalogue *cat, const chorus_match_result *r,
                          const nar_sum *sums)
{
    chorus_rc rc = db_matches(db, c, cat, r);
    if (!rc)
        rc = db_summary(db, cat, sums);
    if (!rc)
        rc = chorus_db_exec(db, "CREATE INDEX matches_doc_id ON matches(doc_id);"
                                "CREATE INDEX matches_narrative_id ON matches(narrative_id)");
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    return rc;
}

/* Reads and builds the catalogue, with a line about it on stderr. */
static chorus_rc load_catalogue(chorus_ctx *ctx, const match_args *a, chorus_catalogue **out)
{
    uint64_t skipped = 0;
    chorus_rc rc = chorus_catalogue_new(ctx, &a->o, out);
    if (!rc)
        rc = chorus_catalogue_read(*out, a->narratives, &skipped);
    if (!rc)
        rc = chorus_catalogue_build(*out);
    if (rc) {
        cli_error("%s", chorus_errmsg(ctx));
        chorus_catalogue_free(*out);
        *out = NULL;
        return rc;
    }
    chorus_catalogue_stats st;
    chorus_catalogue_stats_get(*out, &st);
    if (cli_mpi_rank() == 0)
        fprintf(stderr,
                "catalogue       %u rows of %u narratives (%u too short, %" PRIu64
                " empty; %u with keyword rules)\n",
                st.rows, st.narratives, st.rows_short, skipped, st.rules);
    return CHORUS_OK;
}

static void print_stats(const chorus_match_stats *st, double matching, double writing,
                        uint64_t cat_memory)
{
    char b[32];
    fprintf(stderr, "texts           %" PRIu64 " (%" PRIu64 " too short, %" PRIu64
                    " repeated an earlier text)\n",
            st->texts, st->short_texts, st->repeats);
    fprintf(stderr, "windows         %" PRIu64 " scored, %" PRIu64 " catalogue rows re-scored\n",
            st->windows, st->rescored);
    fprintf(stderr, "matches         %" PRIu64 " in %" PRIu64 " texts\n", st->hits, st->texts_hit);
    fprintf(stderr, "elapsed         %.2f s (match), %.2f s (files), catalogue %s\n", matching,
            writing, cli_bytes(cat_memory, b, sizeof b));
}

enum { G_HITS, G_TEXTS, G_SHORT, G_REPEATS, G_WINDOWS, G_RESCORED, G_FIELDS };

/* Process 0: the other shards' hits (their counts in h), merged with its own r. */
static chorus_rc root_gather(chorus_ctx *ctx, chorus_match_result **r, const uint64_t *h)
{
    unsigned n = cli_mpi_ranks();
    chorus_match_result *parts = calloc(n, sizeof *parts);
    const chorus_match_result **ptr = calloc(n, sizeof *ptr);
    int ok = parts && ptr;
    for (unsigned k = 1; ok && k < n; k++) {
        const uint64_t *x = h + (size_t)k * G_FIELDS;
        parts[k].n_hits = x[G_HITS];
        parts[k].stats = (chorus_match_stats){.texts = x[G_TEXTS], .short_texts = x[G_SHORT],
                                              .repeats = x[G_REPEATS], .windows = x[G_WINDOWS],
                                              .rescored = x[G_RESCORED]};
        ok = (parts[k].hits = malloc((x[G_HITS] + 1) * sizeof *parts[k].hits)) != NULL;
    }
    chorus_rc rc = cli_mpi_agree(ok ? CHORUS_OK : CHORUS_ENOMEM);
    for (unsigned k = 1; !rc && k < n; k++)
        rc = cli_mpi_recv(parts[k].hits, parts[k].n_hits * sizeof *parts[k].hits, k);
    chorus_match_result *merged = NULL;
    if (!rc) {
        ptr[0] = *r;
        for (unsigned k = 1; k < n; k++)
            ptr[k] = &parts[k];
        rc = chorus_match_results_merge(ctx, ptr, n, &merged);
    }
    if (!rc) {
        chorus_match_result_free(*r);
        *r = merged;
    }
    for (unsigned k = 1; parts && k < n; k++)
        free(parts[k].hits);
    free(parts);
    free((void *)ptr);
    return rc;
}

/* Every process's hits to process 0, which replaces *r by the merge of
 * all shards; the others' *r are freed and set to NULL. Collective. */
static chorus_rc gather_shards(chorus_ctx *ctx, chorus_match_result **r)
{
    if (cli_mpi_ranks() < 2)
        return CHORUS_OK;
    int root = cli_mpi_rank() == 0;
    const chorus_match_stats *s = &(*r)->stats;
    uint64_t mine[G_FIELDS] = {(*r)->n_hits, s->texts,   s->short_texts,
                               s->repeats,   s->windows, s->rescored};
    uint64_t *h = NULL;
    chorus_rc rc = cli_mpi_gather_all(mine, G_FIELDS, &h);
    if (!rc && root)
        rc = root_gather(ctx, r, h);
    else if (!rc && !(rc = cli_mpi_agree(CHORUS_OK))) {
        rc = cli_mpi_send((*r)->hits, (*r)->n_hits * sizeof *(*r)->hits, 0);
        chorus_match_result_free(*r);
        *r = NULL;
    }
    free(h);
    return rc;
}

/* Matching and files; in = NULL shows no progress. */
static chorus_rc run_match(chorus_ctx *ctx, cli_ingest *in, const match_args *a,
                           const chorus_corpus *c, const chorus_catalogue *cat)
{
    double t0 = cli_now();
    chorus_rc rc;
    chorus_match_result *r = NULL;
    if (in)
        cli_show_progress(ctx, in);
    rc = chorus_match_corpus(ctx, cat, c, &r);
    if (in)
        cli_end_progress(ctx, in);
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    if (!(rc = cli_mpi_agree(rc)) && (rc = gather_shards(ctx, &r)))
        cli_error("match: %s", rc == CHORUS_EIO      ? "sending between processes failed"
                               : rc == CHORUS_ENOMEM ? "out of memory"
                                                     : chorus_errmsg(ctx));
    double t1 = cli_now();
    nar_sum *sums = NULL;
    int writes = !rc && cli_mpi_rank() == 0; /* the other processes only match */
    if (writes && !(sums = sum_narratives(c, cat, r)))
        rc = CHORUS_ENOMEM;
    else if (writes)
        rc = write_outputs(a, c, cat, r, sums);
    if (writes && !rc && a->db)
        rc = write_db(ctx, a->db, c, cat, r, sums);
    free(sums);
    if (r && cli_mpi_rank() == 0) {
        chorus_catalogue_stats cs;
        chorus_catalogue_stats_get(cat, &cs);
        print_stats(&r->stats, t1 - t0, cli_now() - t1, cs.memory);
    }
    if (!rc && cli_mpi_rank() == 0)
        fprintf(stderr, "matches:  %s/matches.csv\nsummary:  %s/narrative_summary.csv\n",
                a->outdir, a->outdir);
    chorus_match_result_free(r);
    return rc;
}

chorus_rc match_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *narratives_path,
                      const char *outdir, chorus_db *db)
{
    match_args a = {.narratives = narratives_path, .outdir = outdir, .db = db};
    chorus_match_defaults(&a.o);
    a.o.shard = cli_mpi_rank();
    a.o.shards = cli_mpi_ranks();
    chorus_catalogue *cat;
    chorus_rc rc = cli_mpi_agree(load_catalogue(ctx, &a, &cat));
    if (rc) {
        chorus_catalogue_free(cat);
        return rc;
    }
    rc = run_match(ctx, NULL, &a, c, cat);
    chorus_catalogue_free(cat);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    match_args a = {.narratives = NULL};
    chorus_match_defaults(&a.o);
    cli_ingest in;
    cli_ingest_init(&in);
    int code = parse_args(argc, argv, &a, &in);
    if (code)
        return code < 0 ? EXIT_OK : code;
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    int root = cli_mpi_rank() == 0; /* across processes, the others only match */
    if (!root)
        in.quiet = 1, in.problems_csv = NULL, a.db_path = NULL;
    a.o.shard = cli_mpi_rank();
    a.o.shards = cli_mpi_ranks();
    /* the catalogue first: a bad one should not cost an ingest */
    chorus_catalogue *cat = NULL;
    chorus_rc rc = cli_mpi_agree(load_catalogue(ctx, &a, &cat));
    if (!rc)
        rc = cli_mpi_agree(a.db_path ? cli_ingest_to_db(ctx, &in, c, argv + optind, argc - optind,
                                                        a.db_path, &a.db)
                                     : cli_ingest_run(ctx, &in, c, argv + optind, argc - optind));
    if (!rc && cli_mpi_ranks() > 1) /* a folder process 0 cannot create stops every process now */
        rc = cli_mpi_agree(root ? outdir_ready(a.outdir) : CHORUS_OK);
    if (!rc) {
        if (root)
            cli_print_summary(stderr, c, &in);
        rc = run_match(ctx, &in, &a, c, cat);
    }
    if (a.db && !rc && (rc = chorus_db_commit(a.db)))
        cli_error("%s", chorus_errmsg(ctx));
    else if (a.db && rc)
        chorus_db_abort(a.db);
    if (!rc && a.db_path)
        fprintf(stderr, "database: %s\n", a.db_path);
    chorus_catalogue_free(cat);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
