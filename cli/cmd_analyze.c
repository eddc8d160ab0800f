/*
 * cmd_analyze.c - `chorus analyze`: the main job. Ingests the inputs and
 * writes everything into one output folder: chorus.db, manifest.json and
 * report.html. Each analysis stage of chorus adds its tables and sections
 * here; the run summary on stderr says what was found and where.
 */
#include "cli.h"
#include "coord_mpi.h"

#include <chorus/db.h>
#include <chorus/output.h>
#include <chorus/report.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: chorus analyze [options] INPUT... -o OUTDIR\n"
    "\n"
    "Runs the main job on the inputs and writes into OUTDIR (created if\n"
    "needed):\n"
    "  chorus.db       SQLite database of everything (docs/schema.md)\n"
    "  manifest.json   version, parameters, inputs with sizes and digests,\n"
    "                  row counts, skipped rows by reason, time per stage\n"
    "  report.html     self-contained report; open it in any browser\n"
    "  edges.csv, evidence.csv, groups.csv, accounts.csv, skipped_objects.csv,\n"
    "  network.gexf, network.graphml   the coordination network, as\n"
    "                  'chorus coord' writes it with its defaults\n"
    "  clusters.csv, cluster_summary.csv   near-duplicate texts ('chorus dedup')\n"
    "  matches.csv, narrative_summary.csv  with --narratives: the catalogue's\n"
    "                  talking points found in the posts ('chorus match')\n"
    "  reuse.csv, provenance.csv, tree.csv, laundering.csv  with --docs: text\n"
    "                  the articles reuse, its earliest witness and spread, and\n"
    "                  laundering from exposed or grouped accounts ('chorus trace')\n"
    "Inputs are read as by 'chorus ingest' (see its --help for formats).\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR       output folder (required)\n"
    "  --narratives FILE   a catalogue of talking points to match (CSV\n"
    "                      narrative_id,label,text; see 'chorus match --help')\n"
    "  --docs FILE         articles to trace (CSV doc_id,source,published,url,\n"
    "                      title,text; see 'chorus trace --help')\n"
    "  --exposed FILE      exposed accounts, one a line (optionally ,DATE)\n"
    "  -h, --help          this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

typedef struct run {
    const char *outdir;
    char **inputs;
    int n_inputs, argc;
    char **argv;
    const char *narratives; /* --narratives: the catalogue, or NULL */
    const char *docs, *exposed; /* --docs, --exposed: for the trace stage, or NULL */
    double t_ingest, t_db, t_coord, t_dedup, t_match, t_trace, t_report;
    char started[32];
} run;

static void out_path(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static void json_kv_str(FILE *o, const char *k, const char *v, const char *sep)
{
    fprintf(o, "  \"%s\": ", k);
    chorus_json_string(o, v, strlen(v));
    fputs(sep, o);
}

static void manifest_inputs(FILE *o, chorus_ctx *ctx, const run *r)
{
    fputs("  \"inputs\": [", o);
    for (int i = 0; i < r->n_inputs; i++) {
        uint64_t h = 0, size = 0;
        int ok = strcmp(r->inputs[i], "-") != 0 && !chorus_file_digest(ctx, r->inputs[i], &h, &size);
        fputs(i ? ",\n    {\"path\": " : "\n    {\"path\": ", o);
        chorus_json_string(o, r->inputs[i], strlen(r->inputs[i]));
        if (ok)
            fprintf(o, ", \"bytes\": %" PRIu64 ", \"xxh3_64\": \"%016" PRIx64 "\"}", size, h);
        else
            fputs(", \"bytes\": null, \"xxh3_64\": null}", o);
    }
    fputs("\n  ],\n", o);
}

static void manifest_counts(FILE *o, const chorus_corpus *c, const chorus_ingest_stats *st)
{
    fprintf(o, "  \"counts\": {\"files\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"rows_read\": %" PRIu64
               ", \"rows_kept\": %" PRIu64 ", \"rows_skipped\": %" PRIu64 ", \"posts\": %u"
               ", \"accounts\": %u, \"duplicates\": %" PRIu64 ", \"invalid_utf8\": %" PRIu64 "},\n",
            st->files, st->bytes, st->rows_read, st->rows_kept, st->rows_skipped,
            chorus_corpus_post_count(c), chorus_corpus_account_count(c), st->duplicates,
            st->invalid_utf8);
    fputs("  \"skipped_by_reason\": {", o);
    for (int i = 0; i < CHORUS_SKIP_REASONS; i++)
        fprintf(o, "%s\"%s\": %" PRIu64, i ? ", " : "", chorus_skip_reason_name(i),
                st->skipped_by_reason[i]);
    fputs("},\n", o);
}

static int write_manifest(chorus_ctx *ctx, const run *r, const chorus_corpus *c,
                          const cli_ingest *in)
{
    cli_out m;
    if (cli_out_open(&m, r->outdir, "manifest.json", "{\n"))
        return CHORUS_EIO;
    FILE *o = m.f;
    json_kv_str(o, "chorus_version", CHORUS_VERSION, ",\n");
    json_kv_str(o, "started", r->started, ",\n");
    fputs("  \"arguments\": [", o);
    for (int i = 0; i < r->argc; i++) {
        fputs(i ? ", " : "", o);
        chorus_json_string(o, r->argv[i], strlen(r->argv[i]));
    }
    fputs("],\n", o);
    manifest_inputs(o, ctx, r);
    manifest_counts(o, c, &in->stats);
    fprintf(o, "  \"seconds\": {\"ingest\": %.3f, \"database\": %.3f, \"coordination\": %.3f, "
               "\"near_duplicates\": %.3f, \"narratives\": %.3f, \"trace\": %.3f, "
               "\"report\": %.3f}\n}\n",
            r->t_ingest, r->t_db, r->t_coord, r->t_dedup, r->t_match, r->t_trace, r->t_report);
    return cli_out_close(&m, 1, 1) ? CHORUS_EIO : CHORUS_OK;
}

static chorus_rc write_outputs(chorus_ctx *ctx, run *r, chorus_corpus *c, cli_ingest *in,
                               const char *db_path)
{
    char report[4200], manifest[4200];
    out_path(report, sizeof report, r->outdir, "report.html");
    out_path(manifest, sizeof manifest, r->outdir, "manifest.json");
    double t = cli_now();
    const char *params[] = {"inputs", r->inputs[0], "output folder", r->outdir, "narratives",
                            r->narratives ? r->narratives : "(none)"};
    chorus_report_info info = {.params = params, .n_params = 3};
    int code = cli_write_report(db_path, report, &info, in->quiet);
    r->t_report = cli_now() - t;
    if (code)
        return code == EXIT_INPUT ? CHORUS_EINPUT : CHORUS_EINTERNAL;
    chorus_rc rc = write_manifest(ctx, r, c, in);
    if (rc)
        return rc;
    fprintf(stderr, "results:  %s\nreport:   %s\nmanifest: %s\n", db_path, report, manifest);
    return CHORUS_OK;
}

static int parse_args(int argc, char **argv, run *r, cli_ingest *in)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS, {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
        {"narratives", required_argument, 0, 'n'}, {"docs", required_argument, 0, 'd'},
        {"exposed", required_argument, 0, 'e'}, {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
        int k = cli_ingest_option(in, opt, optarg);
        if (k < 0)
            return EXIT_INPUT;
        if (k > 0)
            continue;
        if (opt == 'o')
            r->outdir = optarg;
        else if (opt == 'n')
            r->narratives = optarg;
        else if (opt == 'd')
            r->docs = optarg;
        else if (opt == 'e')
            r->exposed = optarg;
        else if (opt == 'h') {
            printf(usage, cli_ingest_help);
            return -1;
        } else {
            fprintf(stderr, "Try 'chorus analyze --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (optind >= argc || !r->outdir) {
        cli_error("analyze: %s (try 'chorus analyze --help')",
                  optind >= argc ? "no input" : "no output folder: give -o OUTDIR");
        return EXIT_INPUT;
    }
    r->inputs = argv + optind;
    r->n_inputs = argc - optind;
    return EXIT_OK;
}

/* "stage 2/5: coordination" on a terminal, so a long run shows where it is. */
static void begin_stage(const cli_ingest *in, int *k, int n, const char *name, double *t)
{
    if (!in->quiet && isatty(2))
        fprintf(stderr, "stage %d/%d: %s\n", ++*k, n, name);
    *t = cli_now();
}

/* The analysis stages after ingest, each timed for the manifest. */
static chorus_rc run_stages(chorus_ctx *ctx, run *r, const chorus_corpus *c, const cli_ingest *in,
                            chorus_db *db)
{
    int k = 0, n = 2 + (r->narratives != NULL) + (r->docs != NULL);
    double t;
    begin_stage(in, &k, n, "coordination", &t);
    chorus_rc rc = cli_mpi_agree(coord_stage(ctx, c, r->outdir, db));
    r->t_coord = cli_now() - t;
    int root = cli_mpi_rank() == 0; /* across processes the others share coord and match */
    if (!rc) {
        if (root) {
            begin_stage(in, &k, n, "near-duplicate texts", &t);
            rc = dedup_stage(ctx, c, r->outdir, db);
            r->t_dedup = cli_now() - t;
        }
        rc = cli_mpi_agree(rc); /* the others wait here while process 0 clusters */
    }
    if (!rc && r->narratives) {
        begin_stage(in, &k, n, "catalogue matching", &t);
        rc = match_stage(ctx, c, r->narratives, r->outdir, db);
        r->t_match = cli_now() - t;
    }
    if (!root)
        return rc;
    if (!rc && r->docs) {
        begin_stage(in, &k, n, "provenance and laundering", &t);
        rc = trace_stage(ctx, c, r->outdir, db, r->docs, r->exposed, r->narratives);
        r->t_trace = cli_now() - t;
    }
    return rc;
}

int cmd_analyze(int argc, char **argv)
{
    run r;
    cli_ingest in;
    memset(&r, 0, sizeof r);
    cli_ingest_init(&in);
    r.argc = argc;
    r.argv = argv;
    int code = parse_args(argc, argv, &r, &in);
    if (code)
        return code < 0 ? EXIT_OK : code;
    int root = cli_mpi_rank() == 0; /* across processes, the others only read, pair and match */
    int made = !root || cli_make_dir(r.outdir) == 0;
    if (!made)
        cli_error("%s: cannot create folder: %s", r.outdir, strerror(errno));
    if (cli_mpi_agree(made ? CHORUS_OK : CHORUS_EIO))
        return EXIT_INPUT;
    if (!root)
        in.quiet = 1, in.problems_csv = NULL;
    chorus_format_time_utc((int64_t)time(NULL) * 1000, r.started);
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    char db_path[4200];
    out_path(db_path, sizeof db_path, r.outdir, "chorus.db");
    double t = cli_now();
    chorus_db *db = NULL;
    chorus_rc rc = root ? cli_ingest_to_db(ctx, &in, c, r.inputs, r.n_inputs, db_path, &db)
                        : cli_ingest_run(ctx, &in, c, r.inputs, r.n_inputs);
    r.t_ingest = in.seconds;
    r.t_db = cli_now() - t - in.seconds;
    if (!(rc = cli_mpi_agree(rc))) {
        if (root)
            cli_print_summary(stderr, c, &in);
        rc = run_stages(ctx, &r, c, &in, db);
    }
    if (db && !rc && (rc = chorus_db_commit(db)))
        cli_error("%s", chorus_errmsg(ctx));
    else if (db && rc)
        chorus_db_abort(db);
    if (!rc && root)
        rc = write_outputs(ctx, &r, c, &in, db_path);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
