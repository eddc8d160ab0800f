/*
 * cli.h - what the chorus subcommands share: exit codes, the ingest
 * options every command that reads posts accepts, progress on a terminal,
 * problem printing, and small output helpers.
 */
#ifndef CHORUS_CLI_H
#define CHORUS_CLI_H

#include <chorus/chorus.h>
#include <chorus/corpus.h>
#include <chorus/attach.h>
#include <chorus/db.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_INTERNAL = 2 };

/* Options of the ingest stage (shared by ingest and analyze). */
typedef struct cli_ingest {
    chorus_ingest_opts opts;
    chorus_column_map map;
    char *map_spec;
    int quiet, max_problems;
    const char *problems_csv;
    uint64_t record_limit, max_memory;
    /* filled while running */
    FILE *problems_out;
    chorus_db *db; /* when set, problems are recorded in it too */
    int db_failed, reported;
    uint64_t problems_seen;
    double started, last_progress, stage_started;
    char stage[32];
    chorus_ingest_stats stats;
    double seconds;
} cli_ingest;

/* The coordination stage with default options (as `chorus coord`), its
 * files in outdir and, when db is not NULL, its tables in db. */
chorus_rc coord_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db);

/* An output CSV being written (cli/out_file.c): f is DIR/NAME.tmp-PID
 * until it is committed, renamed onto path. */
typedef struct cli_out {
    FILE *f;
    int open; /* the temporary file exists */
    char path[4200];
    char tmp[4224];
} cli_out;

/* Creates o's temporary file and writes the header line; -1 (message
 * printed, o->f NULL) when it cannot. */
int cli_out_open(cli_out *o, const char *dir, const char *name, const char *header);

/* Closes o->f (nothing when it is NULL); -1 (message printed) when a write
 * did not reach the file. The temporary file stays until committed. */
int cli_out_finish(cli_out *o);

/* The n finished files o[0..n-1]: with commit, each renamed onto its path;
 * otherwise (or after a failed rename) removed, their paths left as they
 * were. -1 (message printed) when a rename fails. */
int cli_out_commit(cli_out *o, int n, int commit);

/* cli_out_finish on each of the n files, then cli_out_commit, which
 * commits only when commit is set and every write reached its file. */
int cli_out_close(cli_out *o, int n, int commit);

/* The rows of edges.csv and evidence.csv (cli/coord_rows.c): a writer in
 * front of the two files (the caller's, left open), then each signal's
 * rows in turn (stats: the significance columns are filled). The writer
 * buffers; coord_rows_free writes what is left and returns -1 when a
 * write failed (as does coord_rows_signal, or 0). */
typedef struct coord_rows coord_rows;
struct chorus_actions;
struct chorus_copairs;
coord_rows *coord_rows_new(const chorus_corpus *c, FILE *edges, FILE *evidence);
int coord_rows_signal(coord_rows *w, const char *signal, const struct chorus_actions *s,
                      const struct chorus_copairs *cp, int stats);
int coord_rows_free(coord_rows *w);

/* One co-action behind an edge: both accounts and the object (an object
 * of coord_net.labels). */
typedef struct coord_coaction {
    uint32_t a, b, object;
} coord_coaction;

/* The co-actions behind the network's edges, signal by signal (co[k][0 ..
 * n_co[k]) for k < parts), and their objects' labels "signal: label". */
typedef struct coord_net {
    const struct chorus_actions *labels;
    const coord_coaction *const *co;
    const size_t *n_co;
    size_t parts;
} coord_net;

/* Accounts attached to the groups after them (chorus_attach_accounts):
 * the settings, and what the run found for its summary. */
typedef struct coord_attach {
    int on;                  /* --attach on (the default; never in raw mode) */
    chorus_action_opts act;  /* the run's signal options (hashtag count) */
    chorus_attach_opts opts; /* --attach-share, --fdr */
    size_t attached;
    uint32_t rounds, held;
} coord_attach;

/* Groups of the coordination network and per-account evidence:
 * OUTDIR/groups.csv and OUTDIR/accounts.csv (cli/coord_groups.c) through
 * files[0] and files[1], left finished but not committed (the caller
 * commits them with the run's other files); net's co-actions give each
 * group's top objects; with att (may be NULL) accounts attached to the
 * groups join them. */
struct chorus_graph_edge;
chorus_rc coord_write_groups(chorus_ctx *ctx, const chorus_corpus *c,
                             const struct chorus_graph_edge *e, size_t n, const coord_net *net,
                             const char *outdir, cli_out files[2], int raw, coord_attach *att,
                             chorus_db *db);

/* Catalogue matching with default options (as `chorus match`): the
 * catalogue CSV at narratives_path against every post of c, written to
 * OUTDIR/matches.csv and OUTDIR/narrative_summary.csv (cli/cmd_match.c).
 * When db is not NULL, the same rows go into its tables matches and
 * narrative_summary (docs/schema.md). Problems are printed; the return
 * code says whether it worked. */
chorus_rc match_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *narratives_path,
                      const char *outdir, chorus_db *db);

/* Near-duplicate clusters with default options (as `chorus dedup`):
 * OUTDIR/clusters.csv and OUTDIR/cluster_summary.csv (cli/cmd_dedup.c)
 * and, when db is not NULL, its tables clusters and cluster_summary. */
chorus_rc dedup_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db);

/* Provenance with default options (as `chorus trace`): the articles at
 * docs (CSV doc_id,source,published,url,title,text) traced against the
 * posts of c; exposed (may be NULL) lists exposed accounts; accounts in a
 * group of OUTDIR/accounts.csv (written by coord_stage) count as origins
 * too; narratives (may be NULL) adds provenance per narrative of that
 * catalogue. Writes OUTDIR/reuse.csv, provenance.csv, tree.csv, laundering.csv
 * and, when db is not NULL, the same tables into it (cli/cmd_trace.c). */
chorus_rc trace_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db,
                      const char *docs, const char *exposed, const char *narratives);

/* Each subcommand: argv[0] is the subcommand name. Returns an exit code. */
int cmd_ingest(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_coord(int argc, char **argv);
int cmd_dedup(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Writes html from the database at db_path (chorus_report_write on a
 * context of its own) and, unless quiet, the report's summary line on
 * stderr. Returns an exit code; problems are printed. */
struct chorus_report_info;
int cli_write_report(const char *db_path, const char *html, const struct chorus_report_info *info,
                     int quiet);

int cmd_trace(int argc, char **argv);

/* Exit code for a library return code. */
int cli_exit_code(chorus_rc rc);

/* Prints "chorus: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Handles one ingest option (getopt_long code and optarg). Returns 1 if it
 * was one, 0 if not, -1 on a bad value (message printed). */
int cli_ingest_option(cli_ingest *in, int opt, const char *arg);

/* The option loop of a command that ingests: getopt_long over argv with
 * shortopts and longopts; each option goes to cli_ingest_option, then to
 * own(cmd, opt, arg) (1 handled, 0 not its, -1 bad value, message
 * printed). Returns EXIT_OK, -1 after printing usage (a printf format
 * taking cli_ingest_help) for --help, or EXIT_INPUT. */
struct option;
int cli_option_loop(int argc, char **argv, const char *shortopts, const struct option *longopts,
                    const char *name, const char *usage, cli_ingest *in,
                    int (*own)(void *cmd, int opt, const char *arg), void *cmd);

/* A new context and an empty corpus on it; NULL (message printed) when
 * memory runs out. Free with chorus_corpus_free, then chorus_ctx_free. */
chorus_corpus *cli_new_corpus(chorus_ctx **ctx);


/* mkdir -p: 0, or -1 with errno set. */
int cli_make_dir(const char *path);

/* Sets defaults. */
void cli_ingest_init(cli_ingest *in);

/* Ingests every input into c, with progress and problem reporting. */
chorus_rc cli_ingest_run(chorus_ctx *ctx, cli_ingest *in, chorus_corpus *c, char **inputs,
                         int n_inputs);

/* Ingests into a new database at db_path: the database is created first
 * (so problems land in it), then filled and committed; on any failure the
 * file at db_path is left as it was. With keep, the database is handed
 * back open instead of committed (the caller commits or aborts it). */
chorus_rc cli_ingest_to_db(chorus_ctx *ctx, cli_ingest *in, chorus_corpus *c, char **inputs,
                           int n_inputs, const char *db_path, chorus_db **keep);

/* Shows progress on stderr from now on when it is a terminal and not
 * --quiet; cli_end_progress stops it and ends the progress line. */
void cli_show_progress(chorus_ctx *ctx, cli_ingest *in);
void cli_end_progress(chorus_ctx *ctx, cli_ingest *in);

/* Writes the ingest summary (human-readable) to out. */
void cli_print_summary(FILE *out, const chorus_corpus *c, const cli_ingest *in);

/* Wall-clock seconds. */
double cli_now(void);

/* A whole number from lo to hi into *out: 1; else -1 with the message
 * printed (option opt). */
int cli_parse_whole(const char *arg, const char *opt, long long lo, long long hi, long long *out);

/* The CPUs online, from 1 to max. */
uint32_t cli_cpus(uint32_t max);

/* Formats bytes as "12.3 MB". */
const char *cli_bytes(uint64_t n, char *buf, size_t cap);

/* The ingest options' help text. */
extern const char cli_ingest_help[];

/* getopt_long entries for the ingest options (terminated by the caller's). */
#define CLI_INGEST_LONGOPTS                                       \
    {"format", required_argument, 0, 'F'},                        \
    {"map", required_argument, 0, 'm'},                           \
    {"delimiter", required_argument, 0, 'D'},                     \
    {"strict", no_argument, 0, 's'},                              \
    {"quiet", no_argument, 0, 'q'},                               \
    {"max-problems", required_argument, 0, 'P'},                  \
    {"problems", required_argument, 0, 'R'},                      \
    {"record-limit", required_argument, 0, 'L'},                  \
    {"max-memory", required_argument, 0, 'M'}

#endif
