/*
 * csv_input.c - entry point for CSV members: reads the header, picks the
 * dialect (a column mapping if given, else the IO archive tweets or users
 * layout by column names), and provides the shared row step that turns
 * CSV-level errors into reported, counted problems.
 */
#include "csv_input.h"
#include "io/fields.h"

#include <string.h>
#include <strings.h>

int ch_header_find(const ch_header *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->names[i], name) == 0)
            return (int)i;
    return -1;
}

static void header_free(chorus_ctx *ctx, ch_header *h)
{
    for (size_t i = 0; i < h->n; i++)
        ch_free(ctx, h->names[i], strlen(h->names[i]) + 1);
    ch_free(ctx, h->names, h->n * sizeof *h->names);
    h->names = NULL;
    h->n = 0;
}

static chorus_rc header_copy(chorus_ctx *ctx, const ch_csv *csv, ch_header *h)
{
    h->n = 0;
    h->names = ch_calloc(ctx, ch_csv_nfields(csv) * sizeof *h->names);
    if (!h->names)
        return ch_nomem(ctx);
    for (size_t i = 0; i < ch_csv_nfields(csv); i++) {
        chorus_str s = ch_csv_field(csv, i);
        if (i == 0 && s.len >= 3 && memcmp(s.ptr, "\xEF\xBB\xBF", 3) == 0) {
            s.ptr += 3;
            s.len -= 3;
        }
        s = ch_trim(s);
        h->names[i] = ch_alloc(ctx, s.len + 1);
        if (!h->names[i])
            return ch_nomem(ctx);
        memcpy(h->names[i], s.ptr, s.len);
        h->names[i][s.len] = 0;
        h->n++;
    }
    return CHORUS_OK;
}

static chorus_rc row_problem(ch_reader *r, ch_csv *csv, const ch_header *h)
{
    uint64_t line = ch_csv_line(csv);
    switch (ch_csv_status_of(csv)) {
    case CH_CSV_TOO_LARGE:
        return ch_reader_problem(r, line, NULL, CHORUS_SKIP_TOO_LARGE,
                                 "row longer than the record limit of %zu bytes",
                                 r->ctx->record_limit);
    case CH_CSV_BAD_QUOTE:
        return ch_reader_problem(r, line, NULL, CHORUS_SKIP_BAD_QUOTE,
                                 "text after a closing quote");
    case CH_CSV_UNTERMINATED:
        return ch_reader_fatal(r, line, "file ends inside a quoted field that starts in this row "
                                        "(truncated or damaged file)");
    case CH_CSV_OK:
        break;
    }
    size_t nf = ch_csv_nfields(csv);
    if (nf < h->n && ch_csv_ends_at_eof(csv))
        return ch_reader_fatal(r, line, "last row has %zu of %zu fields and no line end "
                                        "(truncated file)", nf, h->n);
    return ch_reader_problem(r, line, NULL, CHORUS_SKIP_FIELD_COUNT,
                             "%zu fields, the header has %zu", nf, h->n);
}

chorus_rc ch_csv_row(ch_reader *r, ch_csv *csv, const ch_header *h, int *has)
{
    for (;;) {
        chorus_rc rc = ch_csv_next(csv, has);
        if (rc || !*has)
            return rc;
        if (r->stats && (++r->stats->rows_read & 0xffff) == 0 &&
            ch_progress(r->ctx, "ingest", ch_source_bytes_in(r->src), ch_source_size(r->src),
                        r->stats->rows_read))
            return ch_error(r->ctx, CHORUS_EUSAGE, "%s: interrupted", r->path);
        if (ch_csv_status_of(csv) == CH_CSV_OK && ch_csv_nfields(csv) == h->n)
            return CHORUS_OK;
        if ((rc = row_problem(r, csv, h)))
            return rc;
    }
}

chorus_rc ch_read_csv(ch_reader *r)
{
    ch_csv *csv;
    char delim = r->opts ? r->opts->delimiter : 0;
    chorus_rc rc = ch_csv_open(r->ctx, r->src, delim, &csv);
    if (rc)
        return rc;
    int has;
    ch_header h = {NULL, 0};
    rc = ch_csv_next(csv, &has);
    if (!rc && has && ch_csv_status_of(csv) != CH_CSV_OK)
        rc = ch_reader_fatal(r, ch_csv_line(csv), "unreadable CSV header");
    if (!rc && has)
        rc = header_copy(r->ctx, csv, &h);
    if (!rc && has) {
        chorus_format f = r->opts ? r->opts->format : CHORUS_FMT_AUTO;
        int map = r->opts && r->opts->map;
        if (f == CHORUS_FMT_CSV_MAP || (map && f == CHORUS_FMT_AUTO))
            rc = ch_read_mapped(r, csv, &h);
        else if (ch_header_find(&h, "tweetid") >= 0 && f != CHORUS_FMT_IO_USERS)
            rc = ch_read_io_tweets(r, csv, &h);
        else if (ch_header_find(&h, "userid") >= 0 && ch_header_find(&h, "tweetid") < 0)
            rc = ch_read_io_users(r, csv, &h);
        else
            rc = ch_reader_fatal(r, 1, "header matches no known layout (IO archive tweets or "
                                       "users); give a column mapping with --map");
    }
    header_free(r->ctx, &h);
    ch_csv_close(csv);
    return rc;
}
