/*
 * ingest_stage.c - the ingest stage as the command line runs it: options
 * shared by every command that reads posts, progress on a terminal, the
 * problems printed (the first few) and written (all, with --problems),
 * and the summary that ends a run.
 */
#include "cli.h"

#include <getopt.h>

#include <chorus/output.h>

#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char cli_ingest_help[] =
    "Input options:\n"
    "  --format FMT        auto (default), io, io-users, jsonl or csv (needs --map)\n"
    "  --map SPEC          column mapping for any CSV, e.g.\n"
    "                      account=author,time=published,text=body,url=link,id=doc_id\n"
    "                      fields: id account time text url source title kind ref_post\n"
    "                      ref_account hashtags mentions lang client account_name, and\n"
    "                      object=COLUMN (repeatable) for generic action tables\n"
    "  --delimiter C       CSV delimiter (default ',')\n"
    "  --strict            stop at the first bad row (default: skip, count, report)\n"
    "  --max-problems N    print at most N problems (default 10; all are counted)\n"
    "  --problems FILE     write every problem to FILE as CSV\n"
    "  --record-limit N    largest row or JSON line in bytes (default 64M)\n"
    "  --max-memory N      stop when the corpus holds more than N bytes (default: none)\n"
    "  -q, --quiet         no progress and no problem lines on stderr\n";

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("chorus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_code(chorus_rc rc)
{
    switch (rc) {
    case CHORUS_OK: return EXIT_OK;
    case CHORUS_EINPUT: case CHORUS_EUSAGE: case CHORUS_EIO: case CHORUS_ELIMIT: return EXIT_INPUT;
    default: return EXIT_INTERNAL;
    }
}

int cli_parse_whole(const char *arg, const char *opt, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi) {
        cli_error("%s: a whole number from %lld to %lld: \"%s\"", opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 1;
}

uint32_t cli_cpus(uint32_t max)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : (unsigned long)cpus > max ? max : (uint32_t)cpus;
}

const char *cli_bytes(uint64_t n, char *buf, size_t cap)
{
    static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

/* "64M", "2G", "1000": a size with an optional k/M/G suffix (powers of 2). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    int shift = 0;
    if (*end == 'k' || *end == 'K') shift = 10, end++;
    else if (*end == 'm' || *end == 'M') shift = 20, end++;
    else if (*end == 'g' || *end == 'G') shift = 30, end++;
    if (*end || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int cli_make_dir(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

chorus_corpus *cli_new_corpus(chorus_ctx **ctx)
{
    *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = *ctx ? chorus_corpus_new(*ctx) : NULL;
    if (!c) {
        cli_error("out of memory");
        chorus_ctx_free(*ctx);
        *ctx = NULL;
    }
    return c;
}

void cli_ingest_init(cli_ingest *in)
{
    memset(in, 0, sizeof *in);
    in->max_problems = 10;
}

static int parse_format(cli_ingest *in, const char *arg)
{
    static const struct { const char *name; chorus_format f; } fmts[] = {
        {"auto", CHORUS_FMT_AUTO}, {"io", CHORUS_FMT_IO_TWEETS}, {"io-users", CHORUS_FMT_IO_USERS},
        {"jsonl", CHORUS_FMT_JSONL}, {"csv", CHORUS_FMT_CSV_MAP},
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        if (strcmp(arg, fmts[i].name) == 0) {
            in->opts.format = fmts[i].f;
            return 1;
        }
    cli_error("--format: unknown format \"%s\" (auto, io, io-users, jsonl, csv)", arg);
    return -1;
}

int cli_ingest_option(cli_ingest *in, int opt, const char *arg)
{
    switch (opt) {
    case 'F': return parse_format(in, arg);
    case 'm': in->map_spec = (char *)arg; return 1;
    case 'D':
        if (strlen(arg) != 1 || *arg == '"' || *arg == '\n') {
            cli_error("--delimiter: one character other than a quote or newline");
            return -1;
        }
        in->opts.delimiter = *arg;
        return 1;
    case 's': in->opts.strict = 1; return 1;
    case 'q': in->quiet = 1; return 1;
    case 'P': in->max_problems = atoi(arg); return 1;
    case 'R': in->problems_csv = arg; return 1;
    case 'L':
    case 'M':
        if (parse_size(arg, opt == 'L' ? &in->record_limit : &in->max_memory) == 0)
            return 1;
        cli_error("%s: not a size: \"%s\"", opt == 'L' ? "--record-limit" : "--max-memory", arg);
        return -1;
    }
    return 0;
}

/* One progress line, rewritten in place: bytes for the ingest stage, items
 * done out of the total for the others (e.g. posts written to the db). */
static int on_progress(void *ud, const char *stage, uint64_t done, uint64_t total, uint64_t rows)
{
    cli_ingest *in = ud;
    double now = cli_now();
    if (now - in->last_progress < 0.25)
        return 0;
    if (in->stage_started == 0 || strcmp(stage, in->stage) != 0) {
        snprintf(in->stage, sizeof in->stage, "%s", stage);
        in->stage_started = now;
    }
    in->last_progress = now;
    double el = now - in->stage_started;
    char b1[32], b2[32];
    int bytes = strcmp(stage, "ingest") == 0;
    if (bytes)
        fprintf(stderr, "\r%s: %s", stage, cli_bytes(done, b1, sizeof b1));
    else
        fprintf(stderr, "\r%s: %" PRIu64, stage, done);
    if (total)
        fprintf(stderr, " of %s", bytes ? cli_bytes(total, b2, sizeof b2) : (snprintf(b2, sizeof b2, "%" PRIu64, total), b2));
    fprintf(stderr, ", %.0f %s/s", el > 0 ? (double)rows / el : 0.0, bytes ? "rows" : "items");
    if (total && done && done < total)
        fprintf(stderr, ", ETA %.0f s", el * (double)(total - done) / (double)done);
    fputs("   ", stderr);
    return 0;
}

/* Writes s with control bytes shown as '?', so hostile input cannot send
 * escape sequences to the analyst's terminal. */
static void put_safe(const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

static void on_problem(void *ud, const chorus_problem *p)
{
    cli_ingest *in = ud;
    in->problems_seen++;
    if (in->db && chorus_db_add_problem(in->db, p) != CHORUS_OK && !in->db_failed)
        in->db_failed = 1;
    if (in->problems_out) {
        FILE *o = in->problems_out;
        char line[32];
        int n = snprintf(line, sizeof line, "%" PRIu64, p->line);
        const char *reason = chorus_skip_reason_name(p->reason);
        chorus_csv_field(o, p->file, strlen(p->file), CHORUS_CSV_NEUTRALISE);
        fputc(',', o);
        chorus_csv_field(o, p->member ? p->member : "", p->member ? strlen(p->member) : 0,
                         CHORUS_CSV_NEUTRALISE);
        fprintf(o, ",%.*s,", n, line);
        chorus_csv_field(o, p->column ? p->column : "", p->column ? strlen(p->column) : 0,
                         CHORUS_CSV_NEUTRALISE);
        fprintf(o, ",%s,", reason);
        chorus_csv_field(o, p->detail, strlen(p->detail), CHORUS_CSV_NEUTRALISE);
        fputc('\n', o);
    }
    if (in->quiet || p->fatal || (int64_t)in->problems_seen > in->max_problems)
        return;
    if (in->last_progress > 0)
        fputc('\n', stderr);
    fputs("chorus: ", stderr);
    put_safe(p->file);
    if (p->member) {
        fputc('[', stderr);
        put_safe(p->member);
        fputc(']', stderr);
    }
    fprintf(stderr, ":%" PRIu64 ": %s%s", p->line, p->column ? p->column : "", p->column ? ": " : "");
    put_safe(p->detail);
    fprintf(stderr, " (%s, row skipped)\n", chorus_skip_reason_name(p->reason));
}

static chorus_rc open_problems(chorus_ctx *ctx, cli_ingest *in)
{
    if (!in->problems_csv)
        return CHORUS_OK;
    in->problems_out = fopen(in->problems_csv, "w");
    if (!in->problems_out) {
        cli_error("--problems %s: %s", in->problems_csv, strerror(errno));
        return CHORUS_EIO;
    }
    (void)ctx;
    fputs("file,member,line,column,reason,detail\n", in->problems_out);
    return CHORUS_OK;
}

chorus_rc cli_ingest_run(chorus_ctx *ctx, cli_ingest *in, chorus_corpus *c, char **inputs,
                         int n_inputs)
{
    chorus_rc rc = CHORUS_OK;
    if (in->map_spec) {
        if ((rc = chorus_column_map_parse(ctx, in->map_spec, &in->map))) {
            cli_error("%s", chorus_errmsg(ctx));
            return rc;
        }
        in->opts.map = &in->map;
    }
    if (in->record_limit)
        chorus_set_record_limit(ctx, (size_t)in->record_limit);
    chorus_set_memory_limit(ctx, in->max_memory);
    chorus_set_problem_handler(ctx, on_problem, in);
    cli_show_progress(ctx, in);
    if ((rc = open_problems(ctx, in)))
        return rc;
    in->started = cli_now();
    for (int i = 0; i < n_inputs && !rc; i++)
        rc = chorus_ingest(c, inputs[i], &in->opts, &in->stats);
    in->seconds = cli_now() - in->started;
    cli_end_progress(ctx, in);
    if (in->problems_out && fclose(in->problems_out) != 0 && !rc) {
        cli_error("--problems %s: %s", in->problems_csv, strerror(errno));
        rc = CHORUS_EIO;
    }
    in->problems_out = NULL;
    if (rc && chorus_errcode(ctx)) {
        cli_error("%s", chorus_errmsg(ctx));
        in->reported = 1;
    }
    chorus_set_problem_handler(ctx, NULL, NULL);
    return rc;
}

int cli_option_loop(int argc, char **argv, const char *shortopts, const struct option *longopts,
                    const char *name, const char *usage, cli_ingest *in,
                    int (*own)(void *cmd, int opt, const char *arg), void *cmd)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        int k = cli_ingest_option(in, opt, optarg);
        if (k == 0)
            k = own(cmd, opt, optarg);
        if (k < 0)
            return EXIT_INPUT;
        if (k > 0)
            continue;
        if (opt == 'h') {
            printf(usage, cli_ingest_help);
            return -1;
        }
        fprintf(stderr, "Try 'chorus %s --help'.\n", name);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

void cli_show_progress(chorus_ctx *ctx, cli_ingest *in)
{
    if (!in->quiet && isatty(2))
        chorus_set_progress(ctx, on_progress, in);
}

void cli_end_progress(chorus_ctx *ctx, cli_ingest *in)
{
    chorus_set_progress(ctx, NULL, NULL);
    if (in->last_progress > 0)
        fputc('\n', stderr);
    in->last_progress = 0;
    in->stage_started = 0;
}

chorus_rc cli_ingest_to_db(chorus_ctx *ctx, cli_ingest *in, chorus_corpus *c, char **inputs,
                           int n_inputs, const char *db_path, chorus_db **keep)
{
    chorus_rc rc = chorus_db_create(ctx, db_path, &in->db);
    if (rc) {
        cli_error("%s", chorus_errmsg(ctx));
        return rc;
    }
    rc = cli_ingest_run(ctx, in, c, inputs, n_inputs);
    if (!rc && in->db_failed)
        rc = chorus_errcode(ctx) ? chorus_errcode(ctx) : CHORUS_EDB;
    cli_show_progress(ctx, in);
    if (!rc)
        rc = chorus_db_write_corpus(in->db, c, &in->stats);
    cli_end_progress(ctx, in);
    if (!rc && keep)
        *keep = in->db; /* the caller adds its tables, then commits */
    else if (!rc)
        rc = chorus_db_commit(in->db);
    else
        chorus_db_abort(in->db);
    in->db = NULL;
    if (rc && chorus_errcode(ctx) && !in->reported)
        cli_error("%s", chorus_errmsg(ctx));
    return rc;
}

static void print_skips(FILE *out, const chorus_ingest_stats *st)
{
    fprintf(out, "rows skipped    %" PRIu64, st->rows_skipped);
    const char *sep = " (";
    for (int r = 0; r < CHORUS_SKIP_REASONS; r++)
        if (st->skipped_by_reason[r]) {
            fprintf(out, "%s%s %" PRIu64, sep, chorus_skip_reason_name(r), st->skipped_by_reason[r]);
            sep = ", ";
        }
    fputs(st->rows_skipped ? ")\n" : "\n", out);
}

static void print_posts(FILE *out, const chorus_corpus *c, const chorus_ingest_stats *st)
{
    const uint64_t *kinds = st->posts_by_kind;
    uint64_t pseudo = 0;
    chorus_account_view a;
    for (uint32_t i = 0; i < chorus_corpus_account_count(c); i++) {
        chorus_corpus_account(c, i, &a);
        pseudo += a.pseudonymised != 0;
    }
    fprintf(out, "posts           %u (original %" PRIu64 ", retweets %" PRIu64 ", replies %" PRIu64
                 ", quotes %" PRIu64 ")\n",
            chorus_corpus_post_count(c), kinds[0], kinds[1], kinds[2], kinds[3]);
    fprintf(out, "accounts        %u (%" PRIu64 " pseudonymised)\n", chorus_corpus_account_count(c),
            pseudo);
}

void cli_print_summary(FILE *out, const chorus_corpus *c, const cli_ingest *in)
{
    const chorus_ingest_stats *st = &in->stats;
    char b[32], t1[32], t2[32];
    fprintf(out, "files           %" PRIu64 " (%s)\n", st->files, cli_bytes(st->bytes, b, sizeof b));
    fprintf(out, "rows read       %" PRIu64 "\n", st->rows_read);
    fprintf(out, "rows kept       %" PRIu64 "\n", st->rows_kept);
    print_skips(out, st);
    print_posts(out, c, st);
    if (st->duplicates)
        fprintf(out, "duplicate ids   %" PRIu64 " (kept once)\n", st->duplicates);
    if (st->invalid_utf8)
        fprintf(out, "invalid UTF-8   %" PRIu64 " texts (kept as bytes)\n", st->invalid_utf8);
    int64_t first, last;
    chorus_corpus_time_span(c, &first, &last);
    if (chorus_corpus_post_count(c)) {
        chorus_format_time_utc(first, t1);
        chorus_format_time_utc(last, t2);
        fprintf(out, "time span       %s .. %s\n", t1, t2);
    }
    double s = in->seconds > 0 ? in->seconds : 1e-9;
    fprintf(out, "elapsed         %.2f s (%.1f MB/s, %.0f rows/s), corpus %s in memory\n", in->seconds,
            (double)st->bytes / 1e6 / s, (double)st->rows_read / s,
            cli_bytes(chorus_corpus_memory(c), b, sizeof b));
}
