/*
 * csv.h - reading any CSV file (plain, .gz, .zst, .zip, "-") record by
 * record with chorus's RFC 4180 reader: for side inputs such as truth
 * files, catalogues and account lists. Fields live until the next call.
 */
#ifndef CHORUS_CSV_H
#define CHORUS_CSV_H

#include <chorus/corpus.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_csv chorus_csv;

/* Opens path; *out is owned by the caller (chorus_csv_close). */
chorus_rc chorus_csv_open(chorus_ctx *ctx, const char *path, chorus_csv **out);

/* Next record: *has = 0 at the end. A malformed record (bad quote, too
 * long, unterminated) is an error naming the file and line. */
chorus_rc chorus_csv_next(chorus_csv *r, int *has);

size_t chorus_csv_nfields(const chorus_csv *r);
chorus_str chorus_csv_get(const chorus_csv *r, size_t i);
uint64_t chorus_csv_line(const chorus_csv *r);

void chorus_csv_close(chorus_csv *r);

#ifdef __cplusplus
}
#endif
#endif
