/*
 * cmd_trace.c - `chorus trace`: provenance of reused text. Ingests the
 * posts and the articles (--docs, a CSV read through a column mapping),
 * finds passages the articles share with earlier posts and articles, and
 * writes reuse.csv, provenance.csv, tree.csv and laundering.csv (and the
 * same tables into the database inside `chorus analyze`).
 */
#include "cli.h"

#include <chorus/csv.h>
#include <chorus/match.h>
#include <chorus/output.h>
#include <chorus/trace.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus trace [options] INPUT... --docs ARTICLES.csv -o OUTDIR\n"
    "\n"
    "Finds where reused text came from: passages of articles that appeared\n"
    "earlier in posts (INPUT, any format 'chorus ingest' reads) or in other\n"
    "outlets' articles, even when lightly edited; the earliest witness and\n"
    "spread of each reuse cluster; and laundering: articles carrying text\n"
    "whose earliest witness is an exposed account. Writes into OUTDIR:\n"
    "  reuse.csv        source_id,target_id,source_time,target_time,lag_s,\n"
    "                   source_start,source_end,target_start,target_end,\n"
    "                   identity,coverage (byte offsets into the original texts)\n"
    "  provenance.csv   one row per cluster (and narrative): earliest witness,\n"
    "                   first outlet, counts, time to reach 10 and 100\n"
    "                   accounts, hops\n"
    "  tree.csv         cluster_id,item_id,parent_id,lag_s\n"
    "  laundering.csv   outlet_doc_id,outlet,origin_post_id,origin_account,\n"
    "                   lag_s,identity,coverage,passage,exposed_at,exposure\n"
    "docs/trace.md describes the method.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR        output folder (required; created if needed)\n"
    "  --docs FILE          articles: CSV doc_id,source,published,url,title,text\n"
    "  --docs-map SPEC      their column mapping (default\n"
    "                       id=doc_id,account=source,time=published,text=text,\n"
    "                       title=title,url=url)\n"
    "  --exposed FILE       exposed accounts: one id a line, optionally a comma\n"
    "                       and the date it was exposed\n"
    "  --groups FILE        accounts.csv of 'chorus coord': accounts in a group\n"
    "                       count as laundering origins too\n"
    "  --narratives FILE    a catalogue (CSV narrative_id,label,text): adds one\n"
    "                       provenance row per narrative the posts or articles\n"
    "                       carry ('chorus match' finds them), and its tree\n"
    "                       (cluster_id narrative:ID in tree.csv)\n"
    "  --max-lag DAYS       a source at most this long before its target (30)\n"
    "  --min-span N         shortest passage reported, in characters (50)\n"
    "  --same-source        also reuse between items of the same outlet\n"
    "  -h, --help           this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

static const char default_map[] = "id=doc_id,account=source,source=source,time=published,"
                                  "text=text,title=title,url=url";

typedef struct trace_args {
    const char *outdir, *docs, *docs_map, *exposed, *groups, *narratives;
    chorus_trace_opts o;
    int quiet;
} trace_args;

/* Where the rows go: a CSV file, and a database table when there is one. */
typedef struct sink {
    cli_out out;
    chorus_db_table *t;
    int n;
    int failed;
} sink;

static void emit(sink *k, const chorus_db_value *v)
{
    for (int i = 0; i < k->n; i++) {
        if (i)
            putc(',', k->out.f);
        if (v[i].kind == CHORUS_DB_INT)
            fprintf(k->out.f, "%" PRId64, v[i].i);
        else if (v[i].kind == CHORUS_DB_REAL)
            fprintf(k->out.f, "%.4f", v[i].d);
        else if (v[i].kind == CHORUS_DB_TEXT)
            chorus_csv_field(k->out.f, v[i].s.ptr, v[i].s.len, CHORUS_CSV_NEUTRALISE);
    }
    putc('\n', k->out.f);
    if (k->t && !k->failed && chorus_db_table_row(k->t, v))
        k->failed = 1;
}

typedef struct column {
    const char *name, *type;
} column;

static const column reuse_cols[] = {
    {"source_id", "TEXT"},     {"target_id", "TEXT"},    {"source_time", "TEXT"},
    {"target_time", "TEXT"},   {"lag_s", "INTEGER"},     {"source_start", "INTEGER"},
    {"source_end", "INTEGER"}, {"target_start", "INTEGER"}, {"target_end", "INTEGER"},
    {"identity", "REAL"},      {"coverage", "REAL"}};
static const column prov_cols[] = {
    {"cluster_id", "INTEGER"},        {"kind", "TEXT"},
    {"items", "INTEGER"},             {"posts", "INTEGER"},
    {"accounts", "INTEGER"},          {"articles", "INTEGER"},
    {"outlets", "INTEGER"},           {"earliest_id", "TEXT"},
    {"earliest_source", "TEXT"},      {"earliest_time", "TEXT"},
    {"witness_note", "TEXT"},         {"first_outlet", "TEXT"},
    {"first_outlet_id", "TEXT"},      {"first_outlet_lag_s", "INTEGER"},
    {"to_10_accounts_s", "INTEGER"},  {"to_100_accounts_s", "INTEGER"},
    {"hops", "INTEGER"},              {"last_time", "TEXT"},
    {"narrative_id", "TEXT"}};
static const column tree_cols[] = {
    {"cluster_id", "INTEGER"}, {"item_id", "TEXT"}, {"parent_id", "TEXT"}, {"lag_s", "INTEGER"}};
static const column launder_cols[] = {
    {"outlet_doc_id", "TEXT"}, {"outlet", "TEXT"},     {"origin_post_id", "TEXT"},
    {"origin_account", "TEXT"}, {"lag_s", "INTEGER"},  {"identity", "REAL"},
    {"coverage", "REAL"},      {"passage", "TEXT"},    {"exposed_at", "TEXT"},
    {"exposure", "TEXT"}};
#define NCOL(a) ((int)(sizeof a / sizeof a[0]))

/* Opens NAME.csv in outdir and, with db, the table NAME. */
static chorus_rc sink_open(chorus_ctx *ctx, sink *k, const char *outdir, chorus_db *db,
                           const char *name, const column *cols, int n)
{
    char header[1024] = "", sql[2048], file[64];
    int len = snprintf(sql, sizeof sql, "CREATE TABLE %s(", name);
    for (int i = 0; i < n; i++) {
        strcat(header, i ? "," : "");
        strcat(header, cols[i].name);
        len += snprintf(sql + len, sizeof sql - (size_t)len, "%s%s %s", i ? ", " : "",
                        cols[i].name, cols[i].type);
    }
    strcat(header, "\n");
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    snprintf(file, sizeof file, "%s.csv", name);
    memset(k, 0, sizeof *k);
    k->n = n;
    if (cli_out_open(&k->out, outdir, file, header))
        return CHORUS_EIO;
    chorus_rc rc = db ? chorus_db_table_open(db, sql, name, n, &k->t) : CHORUS_OK;
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    return rc;
}

/* Closes the file and the table; reports a failed write. */
static chorus_rc sink_close(chorus_ctx *ctx, sink *k, chorus_rc rc)
{
    if (cli_out_close(&k->out, 1, !rc && !k->failed) && !rc)
        rc = CHORUS_EIO;
    chorus_db_table_close(k->t);
    if (k->failed && !rc) {
        cli_error("%s", chorus_errmsg(ctx));
        rc = CHORUS_EDB;
    }
    return rc;
}

/* The corpora behind item numbers. */
typedef struct items {
    const chorus_corpus *posts, *docs;
    uint32_t n_posts;
    const chorus_catalogue *cat; /* --narratives, or NULL */
} items;

typedef struct item {
    chorus_post_view v;
    chorus_str source;
    char when[32];
} item;

static void item_get(const items *it, uint32_t x, item *out)
{
    const chorus_corpus *c = x < it->n_posts ? it->posts : it->docs;
    chorus_corpus_post(c, x < it->n_posts ? x : x - it->n_posts, &out->v);
    chorus_account_view a;
    chorus_corpus_account(c, out->v.account, &a);
    out->source = a.id;
    chorus_format_time_utc(out->v.time_ms, out->when);
}

static chorus_str cstr(const char *s)
{
    chorus_str x = {s, strlen(s)};
    return x;
}

static chorus_db_value tval(const char *s)
{
    return chorus_db_text(cstr(s));
}

static void write_reuse(const chorus_trace *t, const items *it, sink *k)
{
    item s, g;
    for (size_t i = 0; i < t->n_reuse; i++) {
        const chorus_trace_reuse *r = &t->reuse[i];
        item_get(it, r->source, &s);
        item_get(it, r->target, &g);
        chorus_db_value v[] = {
            chorus_db_text(s.v.id), chorus_db_text(g.v.id), tval(s.when), tval(g.when),
            chorus_db_int((g.v.time_ms - s.v.time_ms) / 1000), chorus_db_int(r->source_start),
            chorus_db_int(r->source_end), chorus_db_int(r->target_start),
            chorus_db_int(r->target_end), chorus_db_real(r->identity), chorus_db_real(r->coverage)};
        emit(k, v);
    }
}

static chorus_db_value secs_or_null(int64_t ms)
{
    return ms < 0 ? chorus_db_null() : chorus_db_int(ms / 1000);
}

static void write_provenance(const chorus_trace *t, const items *it, sink *k)
{
    item e, o;
    for (size_t i = 0; i < t->n_clusters; i++) {
        const chorus_trace_cluster *c = &t->clusters[i];
        char note[64], last[32];
        item_get(it, c->earliest, &e);
        int n = c->ties ? snprintf(note, sizeof note, "tie:%u", c->ties)
                        : snprintf(note, sizeof note, "unique");
        if (c->minute)
            snprintf(note + n, sizeof note - (size_t)n, ";minute-resolution");
        chorus_format_time_utc(c->last_ms, last);
        int has_o = c->first_outlet >= 0;
        if (has_o)
            item_get(it, (uint32_t)c->first_outlet, &o);
        chorus_db_value v[] = {
            chorus_db_int((int64_t)i + 1),
            tval(c->narrative >= 0 ? "narrative" : c->passage ? "passage" : "near-duplicate"),
            chorus_db_int(c->items), chorus_db_int(c->posts), chorus_db_int(c->accounts),
            chorus_db_int(c->articles), chorus_db_int(c->outlets), chorus_db_text(e.v.id),
            chorus_db_text(e.source), tval(e.when), tval(note),
            has_o ? chorus_db_text(o.source) : chorus_db_null(),
            has_o ? chorus_db_text(o.v.id) : chorus_db_null(),
            has_o ? chorus_db_int((o.v.time_ms - c->first_ms) / 1000) : chorus_db_null(),
            secs_or_null(c->to_10_accounts_ms), secs_or_null(c->to_100_accounts_ms),
            chorus_db_int(c->hops), tval(last),
            c->narrative >= 0 ? chorus_db_text(chorus_catalogue_narrative_id(it->cat, (uint32_t)c->narrative))
                              : chorus_db_null()};
        emit(k, v);
    }
}

static void write_tree(const chorus_trace *t, const items *it, sink *k)
{
    item x, p;
    char label[512]; /* a longer narrative id is cut */
    for (size_t i = 0; i < t->n_edges; i++) {
        const chorus_trace_edge *e = &t->edges[i];
        int64_t narrative = t->clusters[e->cluster].narrative;
        item_get(it, e->item, &x);
        if (e->parent >= 0)
            item_get(it, (uint32_t)e->parent, &p);
        chorus_db_value id = chorus_db_int((int64_t)e->cluster + 1);
        if (narrative >= 0) { /* narrative:ID, never mistaken for a cluster number */
            chorus_str n = chorus_catalogue_narrative_id(it->cat, (uint32_t)narrative);
            int len = snprintf(label, sizeof label, "narrative:%.*s", (int)n.len, n.ptr);
            id = chorus_db_text((chorus_str){label, len < (int)sizeof label ? (size_t)len
                                                                            : sizeof label - 1});
        }
        chorus_db_value v[] = {
            id, chorus_db_text(x.v.id),
            e->parent >= 0 ? chorus_db_text(p.v.id) : chorus_db_null(),
            e->parent >= 0 ? chorus_db_int((x.v.time_ms - p.v.time_ms) / 1000) : chorus_db_null()};
        emit(k, v);
    }
}

static void write_laundering(const chorus_trace *t, const items *it, sink *k)
{
    item d, o;
    for (size_t i = 0; i < t->n_launder; i++) {
        const chorus_trace_launder *l = &t->launder[i];
        const chorus_trace_reuse *r = &t->reuse[l->reuse];
        item_get(it, l->doc, &d);
        item_get(it, l->origin, &o);
        char at[32] = "";
        const char *when = l->by_group ? "group" : "undated";
        if (!l->by_group && l->exposed_ms != INT64_MIN) {
            chorus_format_time_utc(l->exposed_ms, at);
            when = d.v.time_ms < l->exposed_ms ? "before" : "after";
        }
        chorus_str passage = {d.v.text.ptr + r->target_start, r->target_end - r->target_start};
        chorus_db_value v[] = {
            chorus_db_text(d.v.id), chorus_db_text(d.source), chorus_db_text(o.v.id),
            chorus_db_text(o.source), chorus_db_int((d.v.time_ms - o.v.time_ms) / 1000),
            chorus_db_real(r->identity), chorus_db_real(r->coverage), chorus_db_text(passage),
            at[0] ? tval(at) : chorus_db_null(), tval(when)};
        emit(k, v);
    }
}

static chorus_rc write_all(chorus_ctx *ctx, const chorus_trace *t, const items *it,
                           const char *outdir, chorus_db *db)
{
    static const char *const names[4] = {"reuse", "provenance", "tree", "laundering"};
    static const column *const cols[4] = {reuse_cols, prov_cols, tree_cols, launder_cols};
    static const int ncols[4] = {NCOL(reuse_cols), NCOL(prov_cols), NCOL(tree_cols),
                                 NCOL(launder_cols)};
    chorus_rc rc = CHORUS_OK;
    for (int i = 0; i < 4 && !rc; i++) {
        sink k;
        rc = sink_open(ctx, &k, outdir, db, names[i], cols[i], ncols[i]);
        if (!rc && i == 0)
            write_reuse(t, it, &k);
        else if (!rc && i == 1)
            write_provenance(t, it, &k);
        else if (!rc && i == 2)
            write_tree(t, it, &k);
        else if (!rc)
            write_laundering(t, it, &k);
        rc = sink_close(ctx, &k, rc);
    }
    return rc;
}

/* One flag per account of c: listed with a group in a coord accounts.csv. */
static chorus_rc read_groups(chorus_ctx *ctx, const char *path, const chorus_corpus *c,
                             uint8_t **out)
{
    chorus_csv *r;
    chorus_rc rc = chorus_csv_open(ctx, path, &r);
    if (rc)
        return rc;
    uint32_t n = chorus_corpus_account_count(c);
    uint8_t *g = calloc((size_t)n + 1, 1);
    int has = 1, first = 1;
    while (!rc && g && !(rc = chorus_csv_next(r, &has)) && has) {
        if (first) { /* the header */
            first = 0;
            continue;
        }
        if (chorus_csv_nfields(r) < 2 || chorus_csv_get(r, 1).len == 0)
            continue;
        chorus_str id = chorus_csv_get(r, 0);
        int64_t a = chorus_corpus_find_account(c, id.ptr, id.len);
        if (a >= 0)
            g[a] = 1;
    }
    chorus_csv_close(r);
    if (!g && !rc)
        rc = CHORUS_ENOMEM;
    if (rc)
        free(g), g = NULL;
    *out = g;
    return rc;
}

/* Reads the articles into docs through the mapping. */
static chorus_rc ingest_docs(chorus_ctx *ctx, const char *path, const char *map, int quiet,
                             chorus_corpus *docs)
{
    cli_ingest in;
    cli_ingest_init(&in);
    in.quiet = quiet;
    in.opts.format = CHORUS_FMT_CSV_MAP;
    in.map_spec = strdup(map);
    if (!in.map_spec)
        return CHORUS_ENOMEM;
    char *paths[1] = {(char *)path};
    chorus_rc rc = cli_ingest_run(ctx, &in, docs, paths, 1);
    free(in.map_spec);
    return rc;
}

/* Provenance per narrative of the catalogue at path (--narratives). */
static chorus_rc narratives(chorus_ctx *ctx, chorus_trace *t, const chorus_corpus *posts,
                            const chorus_corpus *docs, const char *path, chorus_catalogue **cat)
{
    chorus_rc rc = chorus_catalogue_new(ctx, NULL, cat);
    if (!rc)
        rc = chorus_catalogue_read(*cat, path, NULL);
    if (!rc)
        rc = chorus_catalogue_build(*cat);
    if (!rc)
        rc = chorus_trace_narratives(t, posts, docs, *cat);
    if (rc)
        cli_error("--narratives %s", chorus_errmsg(ctx));
    return rc;
}

static void print_summary(const chorus_trace *t, const char *outdir)
{
    const chorus_trace_stats *s = &t->stats;
    fprintf(stderr,
            "trace: %" PRIu64 " posts in %" PRIu64 " units, %" PRIu64 " articles; %" PRIu64
            " pairs aligned, %" PRIu64 " reused passages, %" PRIu64 " clusters, %" PRIu64
            " laundered articles\n",
            s->posts, s->post_units, s->articles, s->candidates, s->reuse, s->clusters,
            s->laundering);
    fprintf(stderr, "trace: reuse.csv, provenance.csv, tree.csv, laundering.csv in %s\n", outdir);
}

static chorus_rc run_trace(chorus_ctx *ctx, const chorus_corpus *posts, const trace_args *a,
                           chorus_db *db)
{
    chorus_corpus *docs = chorus_corpus_new(ctx);
    chorus_exposed *ex = NULL;
    uint8_t *groups = NULL;
    chorus_trace *t = NULL;
    chorus_catalogue *cat = NULL;
    chorus_rc rc = docs ? CHORUS_OK : CHORUS_ENOMEM;
    if (!rc && a->docs)
        rc = ingest_docs(ctx, a->docs, a->docs_map ? a->docs_map : default_map, a->quiet, docs);
    if (!rc && a->exposed && (rc = chorus_exposed_read(ctx, a->exposed, &ex)))
        cli_error("--exposed %s", chorus_errmsg(ctx));
    if (!rc && a->groups && (rc = read_groups(ctx, a->groups, posts, &groups)))
        cli_error("--groups %s", chorus_errmsg(ctx));
    if (!rc && (rc = chorus_trace_run(ctx, posts, docs, ex, groups, &a->o, &t)))
        cli_error("trace: %s", chorus_errmsg(ctx));
    if (!rc && a->narratives)
        rc = narratives(ctx, t, posts, docs, a->narratives, &cat);
    if (!rc) {
        items it = {posts, docs, t->n_posts, cat};
        rc = write_all(ctx, t, &it, a->outdir, db);
    }
    if (!rc && !a->quiet)
        print_summary(t, a->outdir);
    if (rc == CHORUS_ENOMEM && !chorus_errcode(ctx))
        cli_error("out of memory");
    chorus_trace_free(t);
    chorus_catalogue_free(cat);
    free(groups);
    chorus_exposed_free(ex);
    chorus_corpus_free(docs);
    return rc;
}

chorus_rc trace_stage(chorus_ctx *ctx, const chorus_corpus *c, const char *outdir, chorus_db *db,
                      const char *docs, const char *exposed, const char *narratives_path)
{
    trace_args a;
    memset(&a, 0, sizeof a);
    chorus_trace_defaults(&a.o);
    a.outdir = outdir, a.docs = docs, a.exposed = exposed, a.narratives = narratives_path;
    char groups[4200];
    snprintf(groups, sizeof groups, "%s/accounts.csv", outdir);
    FILE *g = fopen(groups, "rb");
    if (g) {
        fclose(g);
        a.groups = groups;
    }
    return run_trace(ctx, c, &a, db);
}

static int parse_number(const char *arg, const char *opt, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    if (errno || end == arg || *end || !(x >= lo && x <= hi)) {
        cli_error("%s: \"%s\" is not a number from %g to %g", opt, arg, lo, hi);
        return -1;
    }
    *out = x;
    return 1;
}

static int own_option(void *cmd, int opt, const char *arg)
{
    trace_args *a = cmd;
    double x;
    switch (opt) {
    case 'o': a->outdir = arg; return 1;
    case 'd': a->docs = arg; return 1;
    case 'p': a->docs_map = arg; return 1;
    case 'e': a->exposed = arg; return 1;
    case 'g': a->groups = arg; return 1;
    case 'N': a->narratives = arg; return 1;
    case 'S': a->o.same_source = 1; return 1;
    case 'l':
        if (parse_number(arg, "--max-lag", 0.0001, 36500, &x) < 0)
            return -1;
        a->o.max_lag_ms = (int64_t)(x * 86400000.0);
        return 1;
    case 'n':
        if (parse_number(arg, "--min-span", 1, 100000, &x) < 0)
            return -1;
        a->o.min_span = (uint32_t)x;
        return 1;
    default: return 0;
    }
}

int cmd_trace(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS,
        {"out", required_argument, 0, 'o'},        {"docs", required_argument, 0, 'd'},
        {"docs-map", required_argument, 0, 'p'},   {"exposed", required_argument, 0, 'e'},
        {"groups", required_argument, 0, 'g'},     {"max-lag", required_argument, 0, 'l'},
        {"min-span", required_argument, 0, 'n'},   {"same-source", no_argument, 0, 'S'},
        {"narratives", required_argument, 0, 'N'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    trace_args a;
    memset(&a, 0, sizeof a);
    chorus_trace_defaults(&a.o);
    cli_ingest in;
    cli_ingest_init(&in);
    int code = cli_option_loop(argc, argv, "ho:q", longopts, "trace", usage, &in, own_option, &a);
    if (code)
        return code < 0 ? EXIT_OK : code;
    if (!a.outdir || !a.docs || optind >= argc) {
        cli_error("trace: %s (try 'chorus trace --help')",
                  optind >= argc ? "no input"
                  : !a.outdir    ? "no output folder: give -o OUTDIR"
                                 : "no articles: give --docs FILE");
        return EXIT_INPUT;
    }
    if (cli_make_dir(a.outdir) != 0) {
        cli_error("%s: cannot create folder: %s", a.outdir, strerror(errno));
        return EXIT_INPUT;
    }
    a.quiet = in.quiet;
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    chorus_rc rc = cli_ingest_run(ctx, &in, c, argv + optind, argc - optind);
    if (!rc) {
        if (!in.quiet)
            cli_print_summary(stderr, c, &in);
        rc = run_trace(ctx, c, &a, NULL);
    }
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
