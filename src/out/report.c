/*
 * report.c - report.html: the overview of what was read (posts, accounts,
 * time span, activity per day, top hashtags, links, clients and accounts,
 * ingest problems by reason, parameters). Self-contained: inline CSS and
 * SVG, a Content-Security-Policy that forbids every request.
 */
#include <chorus/report.h>

#include "core/ctx.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TOP_N 20
#define MAX_BARS 400

static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>chorus report</title>\n<style>\n"
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;"
    "color:#222}\nh1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}\n"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;text-align:left;"
    "border-bottom:1px solid #eee;vertical-align:top}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n.note{background:#f5f7fa;border-left:4px solid #7a9;"
    "padding:.6em 1em}\nbdi{unicode-bidi:isolate}svg rect{fill:#4a7fb0}\n</style></head>\n"
    "<body dir=\"ltr\">\n<h1>chorus report</h1>\n"
    "<p class=\"note\">This report shows evidence, not verdicts. Accounts that act in concert "
    "leave traces (shared objects, close timings, reused text); such evidence says nothing "
    "about who is behind an account or why. Read every finding with its evidence.</p>\n";

static void text(FILE *o, chorus_str s)
{
    fputs("<bdi>", o);
    chorus_html_text(o, s.ptr, s.len);
    fputs("</bdi>", o);
}

static void row_u64(FILE *o, const char *label, uint64_t v)
{
    fprintf(o, "<tr><th>%s</th><td class=\"n\">%" PRIu64 "</td></tr>\n", label, v);
}

static void overview(FILE *o, const chorus_corpus *c, const chorus_ingest_stats *st)
{
    uint64_t kinds[4] = {0, 0, 0, 0};
    chorus_post_view v;
    for (uint32_t i = 0; i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &v);
        kinds[v.kind]++;
    }
    fputs("<h2>The data</h2>\n<table>\n", o);
    row_u64(o, "posts", chorus_corpus_post_count(c));
    row_u64(o, "original posts", kinds[CHORUS_KIND_POST]);
    row_u64(o, "retweets", kinds[CHORUS_KIND_RETWEET]);
    row_u64(o, "replies", kinds[CHORUS_KIND_REPLY]);
    row_u64(o, "quotes", kinds[CHORUS_KIND_QUOTE]);
    row_u64(o, "accounts", chorus_corpus_account_count(c));
    int64_t a, b;
    char t1[32], t2[32];
    chorus_corpus_time_span(c, &a, &b);
    chorus_format_time_utc(a, t1);
    chorus_format_time_utc(b, t2);
    fprintf(o, "<tr><th>time span</th><td>%s &ndash; %s</td></tr>\n", t1, t2);
    for (uint32_t f = 0; f < chorus_corpus_file_count(c); f++) {
        const char *name = chorus_corpus_file_name(c, f);
        fputs("<tr><th>input file</th><td>", o);
        text(o, (chorus_str){name, strlen(name)});
        fputs("</td></tr>\n", o);
    }
    if (st) {
        row_u64(o, "rows read", st->rows_read);
        row_u64(o, "rows kept", st->rows_kept);
        row_u64(o, "rows skipped", st->rows_skipped);
        for (int r = 0; r < CHORUS_SKIP_REASONS; r++)
            if (st->skipped_by_reason[r])
                fprintf(o, "<tr><th>&nbsp;&nbsp;skipped: %s</th><td class=\"n\">%" PRIu64
                           "</td></tr>\n", chorus_skip_reason_name(r), st->skipped_by_reason[r]);
        row_u64(o, "duplicate post ids", st->duplicates);
        row_u64(o, "texts with invalid UTF-8", st->invalid_utf8);
    }
    fputs("</table>\n", o);
}

/* Posts per day (or per week/month when the span is long) as SVG bars. */
static chorus_rc activity(FILE *o, chorus_ctx *ctx, const chorus_corpus *c)
{
    uint32_t n = chorus_corpus_post_count(c);
    if (!n)
        return CHORUS_OK;
    int64_t a, b;
    chorus_corpus_time_span(c, &a, &b);
    int64_t bucket = 86400000;
    while ((b - a) / bucket + 1 > MAX_BARS)
        bucket *= 2;
    size_t nb = (size_t)((b - a) / bucket + 1);
    uint32_t *cnt = ch_calloc(ctx, nb * sizeof *cnt), max = 1;
    if (!cnt)
        return ch_nomem(ctx);
    chorus_post_view v;
    for (uint32_t i = 0; i < n; i++) {
        chorus_corpus_post(c, i, &v);
        uint32_t k = ++cnt[(v.time_ms - a) / bucket];
        if (k > max)
            max = k;
    }
    fputs("<h2>Activity</h2>\n<p>Posts per ", o);
    if (bucket == 86400000)
        fputs("day", o);
    else
        fprintf(o, "%" PRId64 " days", bucket / 86400000);
    fprintf(o, " (tallest bar: %u posts).</p>\n", max);
    fprintf(o, "<svg width=\"100%%\" height=\"160\" viewBox=\"0 0 %zu 100\" "
               "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"posts over time\">\n", nb);
    for (size_t i = 0; i < nb; i++)
        if (cnt[i]) {
            double h = 100.0 * cnt[i] / max;
            fprintf(o, "<rect x=\"%zu\" y=\"%.2f\" width=\"0.9\" height=\"%.2f\"><title>%u</title></rect>\n",
                    i, 100 - h, h, cnt[i]);
        }
    fputs("</svg>\n", o);
    ch_free(ctx, cnt, nb * sizeof *cnt);
    return CHORUS_OK;
}

/* Indices of the k largest counts, largest first (ties: lower index). */
static size_t top_k(const uint32_t *cnt, size_t n, uint32_t *out, size_t k)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cnt[i] || (m == k && cnt[i] <= cnt[out[m - 1]]))
            continue;
        size_t j = m < k ? m++ : m - 1;
        while (j > 0 && cnt[out[j - 1]] < cnt[i]) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = (uint32_t)i;
    }
    return m;
}

static void top_table(FILE *o, const char *title, const char *what, const chorus_corpus *c,
                      const uint32_t *cnt, size_t n, int accounts)
{
    uint32_t top[TOP_N];
    size_t m = top_k(cnt, n, top, TOP_N);
    if (!m)
        return;
    fprintf(o, "<h2>%s</h2>\n<table><tr><th>%s</th><th>posts</th></tr>\n", title, what);
    for (size_t i = 0; i < m; i++) {
        fputs("<tr><td>", o);
        if (accounts) {
            chorus_account_view av;
            chorus_corpus_account(c, top[i], &av);
            text(o, av.screen_name.len ? av.screen_name : av.id);
        } else
            text(o, chorus_corpus_string(c, top[i]));
        fprintf(o, "</td><td class=\"n\">%u</td></tr>\n", cnt[top[i]]);
    }
    fputs("</table>\n", o);
}

/* Top hashtags, links and clients (strings) and the most active accounts. */
static chorus_rc tops(FILE *o, chorus_ctx *ctx, const chorus_corpus *c)
{
    size_t ns = chorus_corpus_string_count(c), na = chorus_corpus_account_count(c);
    uint32_t *tags = ch_calloc(ctx, (ns + 1) * sizeof *tags);
    uint32_t *urls = ch_calloc(ctx, (ns + 1) * sizeof *urls);
    uint32_t *clients = ch_calloc(ctx, (ns + 1) * sizeof *clients);
    uint32_t *acc = ch_calloc(ctx, (na + 1) * sizeof *acc);
    chorus_rc rc = CHORUS_OK;
    if (!tags || !urls || !clients || !acc)
        rc = ch_nomem(ctx);
    chorus_post_view v;
    for (uint32_t i = 0; !rc && i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &v);
        for (uint32_t j = 0; j < v.n_hashtags; j++)
            tags[v.hashtags[j]]++;
        for (uint32_t j = 0; j < v.n_urls; j++)
            urls[v.urls[j]]++;
        if (v.client_sid != UINT32_MAX)
            clients[v.client_sid]++;
        acc[v.account]++;
    }
    if (!rc) {
        top_table(o, "Most used hashtags", "hashtag", c, tags, ns, 0);
        top_table(o, "Most shared links", "link", c, urls, ns, 0);
        top_table(o, "Clients", "client", c, clients, ns, 0);
        top_table(o, "Most active accounts", "account", c, acc, na, 1);
    }
    ch_free(ctx, tags, (ns + 1) * sizeof *tags);
    ch_free(ctx, urls, (ns + 1) * sizeof *urls);
    ch_free(ctx, clients, (ns + 1) * sizeof *clients);
    ch_free(ctx, acc, (na + 1) * sizeof *acc);
    return rc;
}

static void params(FILE *o, const chorus_report_info *info)
{
    if (!info || !info->n_params)
        return;
    fputs("<h2>Parameters</h2>\n<table>\n", o);
    for (size_t i = 0; i < info->n_params; i++) {
        const char *k = info->params[2 * i], *v = info->params[2 * i + 1];
        fputs("<tr><th>", o);
        text(o, (chorus_str){k, strlen(k)});
        fputs("</th><td>", o);
        text(o, (chorus_str){v, strlen(v)});
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
}

static chorus_rc write_body(FILE *o, chorus_ctx *ctx, const chorus_corpus *c,
                            const chorus_report_info *info)
{
    fputs(head, o);
    overview(o, c, info ? info->stats : NULL);
    chorus_rc rc = activity(o, ctx, c);
    if (!rc)
        rc = tops(o, ctx, c);
    params(o, info);
    fprintf(o, "<p><small>chorus %s</small></p>\n</body></html>\n", CHORUS_VERSION);
    return rc;
}

chorus_rc chorus_report_write(chorus_ctx *ctx, const chorus_corpus *c, const char *path,
                              const chorus_report_info *info)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ch_error(ctx, CHORUS_EUSAGE, "%s: path too long", path);
    FILE *o = fopen(tmp, "w");
    if (!o)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    chorus_rc rc = write_body(o, ctx, c, info);
    int werr = ferror(o);
    if (fclose(o) != 0 || werr) {
        if (!rc)
            rc = ch_error(ctx, CHORUS_EIO, "%s: write failed: %s", tmp, strerror(errno));
    }
    if (!rc && rename(tmp, path) != 0)
        rc = ch_error(ctx, CHORUS_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}
