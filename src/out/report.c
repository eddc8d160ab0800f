/*
 * report.c - report.html from a run's database: the page skeleton and the
 * plain-HTML overview (data, findings, parameters, how to read evidence),
 * the data as JSON in <script type="application/json">, and the bundled
 * script and stylesheet (web/) inline. The Content-Security-Policy allows
 * no request at all and only the embedded script, by its hash.
 */
#include "out/report_impl.h"

#include "core/ctx.h"

#include <chorus/corpus.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BUCKETS 500

int rep_has_table(rep *r, const char *name)
{
    sqlite3_stmt *st = rep_prepare(r, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

sqlite3_stmt *rep_prepare(rep *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int64_t rep_count(rep *r, const char *sql)
{
    sqlite3_stmt *st = rep_prepare(r, sql);
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Time span of the posts and a bucket that gives at most MAX_BUCKETS. */
static void time_buckets(rep *r)
{
    static const int64_t ladder[] = {60000, 300000, 900000, 3600000, 21600000, 86400000};
    r->t0 = rep_count(r, "SELECT min(time_ms) FROM posts");
    r->t1 = rep_count(r, "SELECT max(time_ms) FROM posts");
    if (r->t0 < 0 || r->t1 < r->t0) {
        r->t0 = r->t1 = 0, r->bucket_ms = 86400000, r->buckets = 0;
        return;
    }
    size_t i = 0;
    r->bucket_ms = ladder[0];
    while ((r->t1 - r->t0) / r->bucket_ms + 1 > MAX_BUCKETS)
        r->bucket_ms = ++i < sizeof ladder / sizeof *ladder ? ladder[i] : 2 * r->bucket_ms;
    r->buckets = (uint32_t)((r->t1 - r->t0) / r->bucket_ms + 1);
}

static const char style_note[] =
    "<p class=\"note\">This report shows <b>evidence of concerted behaviour</b>, not verdicts. "
    "Accounts that act in concert leave traces: the same objects shared within seconds, reused "
    "text, synchronised timing. Such evidence does not say who is behind an account, whether "
    "the accounts are run by one actor, or why; benign groups (fans, newsrooms, activists) "
    "coordinate too. Read every finding with its evidence, and do not label a person from "
    "it.</p>\n";

static void head(rep *r)
{
    fprintf(r->o,
            "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "script-src '%s'; style-src 'unsafe-inline'; img-src data: blob:; "
            "base-uri 'none'; form-action 'none'\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>chorus report</title>\n<style>\n",
            chorus_report_js_hash);
    fwrite(chorus_report_css, 1, chorus_report_css_len, r->o);
    fputs("\n</style></head>\n<body>\n<h1 id=\"title\">chorus report</h1>\n"
          "<nav><a href=\"#overview\">Overview</a><a href=\"#groups\">Groups</a>"
          "<a href=\"#accounts\">Accounts</a><a href=\"#timelines\">Timelines</a>"
          "<a href=\"#narratives\">Narratives</a><a href=\"#provenance\">Provenance</a>"
          "<a href=\"#more\">Other tables</a></nav>\n", r->o);
    fputs(style_note, r->o);
}

static void text(FILE *o, const char *s)
{
    fputs("<bdi>", o);
    chorus_html_text(o, s, strlen(s));
    fputs("</bdi>", o);
}

static void row_count(FILE *o, const char *label, int64_t v, const char *absent)
{
    fprintf(o, "<tr><th>%s</th><td class=\"n\">", label);
    if (v < 0)
        fprintf(o, "<span class=\"notrun\">%s</span>", absent);
    else
        fprintf(o, "%" PRId64, v);
    fputs("</td></tr>\n", o);
}

static void overview(rep *r)
{
    FILE *o = r->o;
    char t1[32], t2[32];
    chorus_format_time_utc(r->t0, t1);
    chorus_format_time_utc(r->t1, t2);
    fputs("<section id=\"overview\"><h2>Overview</h2>\n<h3>The data</h3>\n<table id=\"data-table\">\n", o);
    row_count(o, "posts", r->sum.posts, "");
    row_count(o, "accounts", r->sum.accounts, "");
    fprintf(o, "<tr><th>time span</th><td>%s &ndash; %s</td></tr>\n", t1, t2);
    sqlite3_stmt *st = rep_prepare(r, "SELECT path FROM input_files ORDER BY file_idx");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        fputs("<tr><th>input file</th><td>", o);
        text(o, p ? p : "");
        fputs("</td></tr>\n", o);
    }
    sqlite3_finalize(st);
    st = rep_prepare(r, "SELECT key, value FROM ingest_stats WHERE key IN ('rows_read', 'rows_skipped',"
                        " 'duplicates', 'invalid_utf8') OR (key LIKE 'skipped_%' AND value > 0)");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        fputs("<tr><th>", o);
        text(o, (const char *)sqlite3_column_text(st, 0));
        fprintf(o, "</th><td class=\"n\">%lld</td></tr>\n", (long long)sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    fputs("</table>\n<h3>What was found</h3>\n<table id=\"found-table\">\n", o);
    row_count(o, "coordinated groups", r->sum.groups, "not run");
    row_count(o, "accounts in groups", r->sum.grouped_accounts, "not run");
    row_count(o, "narratives matched", r->sum.narratives, "not run");
    row_count(o, "laundering chains", r->sum.laundering, "not run");
    row_count(o, "near-duplicate clusters", r->sum.clusters, "not run");
    fputs("</table>\n", o);
}

static void params(rep *r)
{
    FILE *o = r->o;
    fputs("<h3>Parameters</h3>\n<table id=\"params-table\">\n", o);
    fprintf(o, "<tr><th>chorus</th><td>%s</td></tr>\n", CHORUS_VERSION);
    for (size_t i = 0; i < r->info.n_params; i++) {
        fputs("<tr><th>", o);
        text(o, r->info.params[2 * i]);
        fputs("</th><td>", o);
        text(o, r->info.params[2 * i + 1]);
        fputs("</td></tr>\n", o);
    }
    fputs("</table></section>\n", o);
}

static const char sections[] =
    "<section id=\"groups\"><h2>Coordinated groups</h2>\n<p>Accounts linked by repeated "
    "co-actions that are unlikely by chance. Click a group (a row, or a node in the network) to "
    "open its evidence. Strength is the summed &minus;log<sub>10</sub>&nbsp;p of its members.</p>\n"
    "<div id=\"groups-body\"></div>\n<h3>Network</h3>\n<p>Nodes are accounts, coloured by group "
    "and sized by score; links are pairs with shared co-actions. Positions are computed by chorus "
    "(igraph, Fruchterman&ndash;Reingold per group). Hover for details; scroll to zoom.</p>\n"
    "<div id=\"network\"></div>\n<div id=\"group-detail\" class=\"detail\"></div></section>\n"
    "<section id=\"accounts\"><h2>Accounts in groups</h2><div id=\"accounts-body\"></div></section>\n"
    "<section id=\"timelines\"><h2>Timelines</h2><div id=\"timeline-all\"></div>"
    "<div id=\"timelines-body\"></div></section>\n"
    "<section id=\"narratives\"><h2>Narratives</h2><p>Talking points of the catalogue found in the "
    "posts: click one for its matches over time and its earliest witnesses.</p>"
    "<div id=\"narratives-body\"></div></section>\n"
    "<section id=\"provenance\"><h2>Provenance and laundering</h2><p>Outlet items whose text "
    "reuses earlier posts: click a chain for the two passages side by side, shared text "
    "highlighted.</p><div id=\"provenance-body\"></div></section>\n"
    "<section id=\"more\"><h2>Other tables</h2><div id=\"more-body\"></div></section>\n"
    "<noscript><p>The tables, the network and the timelines need JavaScript (embedded in this "
    "file; nothing is loaded from the network).</p></noscript>\n";

static chorus_rc write_page(rep *r)
{
    time_buckets(r);
    r->sum.posts = rep_count(r, "SELECT count(*) FROM posts");
    r->sum.accounts = rep_count(r, "SELECT count(*) FROM accounts");
    if (r->sum.posts < 0 || r->sum.accounts < 0)
        return ch_error(r->ctx, CHORUS_EINPUT, "report: the database has no posts or accounts table");
    int coord = rep_has_table(r, "group_members") && rep_has_table(r, "edges");
    r->sum.groups = coord ? rep_count(r, "SELECT count(DISTINCT group_id) FROM group_members") : -1;
    r->sum.grouped_accounts = coord ? rep_count(r, "SELECT count(*) FROM group_members") : -1;
    r->sum.narratives = rep_count(r, "SELECT count(*) FROM narrative_summary");
    r->sum.laundering = rep_count(r, "SELECT count(*) FROM laundering");
    r->sum.clusters = rep_count(r, "SELECT count(*) FROM cluster_summary");
    head(r);
    overview(r);
    params(r);
    fputs(sections, r->o);
    fputs("<script type=\"application/json\" id=\"chorus-data\">", r->o);
    chorus_rc rc = rep_write_data(r);
    if (rc)
        return rc;
    fputs("</script>\n<script>", r->o);
    fwrite(chorus_report_js, 1, chorus_report_js_len, r->o);
    fprintf(r->o, "</script>\n<p><small>chorus %s</small></p>\n</body></html>\n", CHORUS_VERSION);
    return CHORUS_OK;
}

static chorus_rc open_db(rep *r, const char *db_path)
{
    if (sqlite3_open_v2(db_path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        chorus_rc rc = ch_error(r->ctx, CHORUS_EIO, "%s: cannot open the database: %s", db_path,
                                r->db ? sqlite3_errmsg(r->db) : "out of memory");
        sqlite3_close(r->db);
        r->db = NULL;
        return rc;
    }
    if (rep_count(r, "SELECT count(*) FROM sqlite_master") < 0) {
        chorus_rc rc = ch_error(r->ctx, CHORUS_EINPUT, "%s: not a chorus database: %s", db_path,
                                sqlite3_errmsg(r->db));
        sqlite3_close(r->db);
        r->db = NULL;
        return rc;
    }
    return CHORUS_OK;
}

static void defaults(rep *r, const chorus_report_info *info)
{
    if (info)
        r->info = *info;
    if (!r->info.evidence_per_group)
        r->info.evidence_per_group = 500;
    if (!r->info.max_links)
        r->info.max_links = 10000;
    if (!r->info.max_rows)
        r->info.max_rows = 5000;
    if (!r->info.max_nodes)
        r->info.max_nodes = 20000;
    if (!r->info.max_evidence)
        r->info.max_evidence = 50000;
}

chorus_rc chorus_report_write(chorus_ctx *ctx, const char *db_path, const char *html_path,
                              const chorus_report_info *info, chorus_report_summary *sum)
{
    rep r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    defaults(&r, info);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", html_path, (long)getpid()) >= (int)sizeof tmp)
        return ch_error(ctx, CHORUS_EUSAGE, "%s: path too long", html_path);
    chorus_rc rc = open_db(&r, db_path);
    if (rc)
        return rc;
    if (!(r.o = fopen(tmp, "w"))) {
        sqlite3_close(r.db);
        return ch_error(ctx, CHORUS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    rc = write_page(&r);
    int werr = ferror(r.o);
    if ((fclose(r.o) != 0 || werr) && !rc)
        rc = ch_error(ctx, CHORUS_EIO, "%s: write failed: %s", tmp, strerror(errno));
    sqlite3_close(r.db);
    struct stat sb;
    if (!rc && stat(tmp, &sb) == 0)
        r.sum.bytes = (uint64_t)sb.st_size;
    if (!rc && rename(tmp, html_path) != 0)
        rc = ch_error(ctx, CHORUS_EIO, "%s: cannot rename into place: %s", html_path, strerror(errno));
    if (rc)
        unlink(tmp);
    else if (sum)
        *sum = r.sum;
    return rc;
}
