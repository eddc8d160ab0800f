/*
 * reader.c - what every reader shares: reporting bad rows (skip and count,
 * or stop in strict mode), fatal input errors, and choosing the reader for
 * a member from its first bytes: '{' or '[' starts JSON lines, anything
 * else is CSV whose header then tells which CSV dialect it is.
 */
#include "reader.h"

#include <stdio.h>
#include <string.h>

void ch_account_rec_init(ch_account_rec *a)
{
    memset(a, 0, sizeof *a);
    a->followers = a->following = CH_COUNT_UNKNOWN;
    a->created_ms = CH_TIME_UNKNOWN;
}

void ch_post_rec_init(ch_post_rec *p)
{
    memset(p, 0, sizeof *p);
    p->time_ms = CH_TIME_UNKNOWN;
    p->kind = CHORUS_KIND_POST;
}

static const char *const reason_names[CHORUS_SKIP_REASONS] = {
    "field_count", "missing_field", "bad_time", "bad_id", "bad_number",
    "bad_list", "bad_json", "too_large", "bad_quote",
};

const char *chorus_skip_reason_name(int reason)
{
    if (reason < 0 || reason >= CHORUS_SKIP_REASONS)
        return "unknown";
    return reason_names[reason];
}

static void where(const ch_reader *r, char *buf, size_t cap, uint64_t line)
{
    if (r->member)
        snprintf(buf, cap, "%s[%s]:%llu", r->path, r->member, (unsigned long long)line);
    else
        snprintf(buf, cap, "%s:%llu", r->path, (unsigned long long)line);
}

chorus_rc ch_reader_problem(ch_reader *r, uint64_t line, const char *column, int reason,
                            const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    int strict = r->opts && r->opts->strict;
    if (r->stats) {
        r->stats->rows_skipped++;
        r->stats->skipped_by_reason[reason]++;
    }
    chorus_problem pb = {r->path, r->member, line, column, reason, detail, strict};
    ch_report_problem(r->ctx, &pb);
    if (!strict)
        return CHORUS_OK;
    char w[1200];
    where(r, w, sizeof w, line);
    return ch_error(r->ctx, CHORUS_EINPUT, "%s: %s%s%s%s (%s; stopped by --strict)", w,
                    column ? "column " : "", column ? column : "", column ? ": " : "", detail,
                    chorus_skip_reason_name(reason));
}

chorus_rc ch_reader_fatal(ch_reader *r, uint64_t line, const char *fmt, ...)
{
    char detail[512], w[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    where(r, w, sizeof w, line);
    return ch_error(r->ctx, CHORUS_EINPUT, "%s: %s", w, detail);
}

chorus_rc ch_read_member(ch_reader *r)
{
    chorus_format f = r->opts ? r->opts->format : CHORUS_FMT_AUTO;
    if (f == CHORUS_FMT_AUTO) {
        const char *p;
        size_t n;
        chorus_rc rc = ch_source_peek(r->src, &p, &n);
        if (rc)
            return rc;
        size_t i = 0;
        if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            i++;
        f = (i < n && (p[i] == '{' || p[i] == '[')) ? CHORUS_FMT_JSONL : CHORUS_FMT_IO_TWEETS;
    }
    return f == CHORUS_FMT_JSONL ? ch_read_jsonl(r) : ch_read_csv(r);
}

chorus_rc ch_read_source(ch_reader *r, const ch_source_hooks *hooks)
{
    int more;
    chorus_rc rc;
    while (!(rc = ch_source_next_member(r->src, &more)) && more) {
        r->member = ch_source_member(r->src);
        if ((hooks->member && (rc = hooks->member(r->sink->ud))) || (rc = ch_read_member(r)))
            return rc;
    }
    return rc;
}
