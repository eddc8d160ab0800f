/*
 * csv_file.c - the public CSV reader (see csv.h): a source and the RFC
 * 4180 state machine behind one handle, reading the first member of an
 * archive, with CSV-level damage reported as errors rather than skipped.
 */
#include <chorus/csv.h>

#include "io/csv_reader.h"
#include "io/source.h"

struct chorus_csv {
    chorus_ctx *ctx;
    ch_source *src;
    ch_csv *csv;
    const char *path;
};

chorus_rc chorus_csv_open(chorus_ctx *ctx, const char *path, chorus_csv **out)
{
    *out = NULL;
    chorus_csv *r = ch_calloc(ctx, sizeof *r);
    if (!r)
        return ch_nomem(ctx);
    r->ctx = ctx;
    r->path = path;
    int more = 0;
    chorus_rc rc = ch_source_open(ctx, path, &r->src);
    if (!rc)
        rc = ch_source_next_member(r->src, &more);
    if (!rc && !more)
        rc = ch_error(ctx, CHORUS_EINPUT, "%s: empty archive", path);
    if (!rc)
        rc = ch_csv_open(ctx, r->src, 0, &r->csv);
    if (rc) {
        chorus_csv_close(r);
        return rc;
    }
    *out = r;
    return CHORUS_OK;
}

chorus_rc chorus_csv_next(chorus_csv *r, int *has)
{
    chorus_rc rc = ch_csv_next(r->csv, has);
    if (rc || !*has || ch_csv_status_of(r->csv) == CH_CSV_OK)
        return rc;
    *has = 0;
    return ch_error(r->ctx, CHORUS_EINPUT, "%s:%llu: malformed CSV record", r->path,
                    (unsigned long long)ch_csv_line(r->csv));
}

size_t chorus_csv_nfields(const chorus_csv *r) { return ch_csv_nfields(r->csv); }
chorus_str chorus_csv_get(const chorus_csv *r, size_t i) { return ch_csv_field(r->csv, i); }
uint64_t chorus_csv_line(const chorus_csv *r) { return ch_csv_line(r->csv); }

void chorus_csv_close(chorus_csv *r)
{
    if (!r)
        return;
    ch_csv_close(r->csv);
    ch_source_close(r->src);
    ch_free(r->ctx, r, sizeof *r);
}
