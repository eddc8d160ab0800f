/*
 * csv_reader.h - streaming RFC 4180 CSV records over a ch_source. Fields
 * point into the reader's buffer and live until the next call. Quoted
 * fields may hold delimiters, quotes ("") and newlines; lines are counted
 * physically so problems name the line where a row starts.
 */
#ifndef CH_CSV_READER_H
#define CH_CSV_READER_H

#include "io/source.h"
#include <chorus/corpus.h>

typedef enum ch_csv_status {
    CH_CSV_OK = 0,
    CH_CSV_BAD_QUOTE,    /* text after a closing quote; fields are best effort */
    CH_CSV_TOO_LARGE,    /* record over the limit; skipped to the next line, no fields */
    CH_CSV_UNTERMINATED  /* the input ends inside a quoted field */
} ch_csv_status;

typedef struct ch_csv ch_csv;

/* Creates a reader over src (not owned). delim 0 means ','. */
chorus_rc ch_csv_open(chorus_ctx *ctx, ch_source *src, char delim, ch_csv **out);
void ch_csv_close(ch_csv *r);

/* Reads the next record. *has = 0 at the end of the member. Blank lines are
 * skipped. Errors: reading or decompressing failed (message on ctx). */
chorus_rc ch_csv_next(ch_csv *r, int *has);

/* The current record. */
size_t ch_csv_nfields(const ch_csv *r);
chorus_str ch_csv_field(const ch_csv *r, size_t i);
ch_csv_status ch_csv_status_of(const ch_csv *r);
uint64_t ch_csv_line(const ch_csv *r);        /* physical line where it starts */
int ch_csv_ends_at_eof(const ch_csv *r);      /* no line terminator after it */

/* Forgets everything buffered and starts again at line 1 for a new member
 * of the same source. */
void ch_csv_reset(ch_csv *r);

#endif
