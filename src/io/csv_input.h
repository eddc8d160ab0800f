/*
 * csv_input.h - what the CSV dialect readers share: the header (column
 * names by index) and the loop step that yields only well-formed rows,
 * reporting the rest (quote errors, wrong field counts, oversize rows).
 */
#ifndef CH_CSV_INPUT_H
#define CH_CSV_INPUT_H

#include "io/csv_reader.h"
#include "io/reader.h"

typedef struct ch_header {
    char **names; /* NUL-terminated copies, BOM and spaces trimmed */
    size_t n;
} ch_header;

/* Index of the column named name (ASCII case-insensitive), or -1. */
int ch_header_find(const ch_header *h, const char *name);

/* Next well-formed row: *has = 0 at the end of the member. Rows with the
 * wrong number of fields or CSV errors are reported (and stop the run in
 * strict mode). Counts rows_read and calls the progress callback. */
chorus_rc ch_csv_row(ch_reader *r, ch_csv *csv, const ch_header *h, int *has);

/* The dialect readers; each loops over the member's rows. */
chorus_rc ch_read_io_tweets(ch_reader *r, ch_csv *csv, const ch_header *h);
chorus_rc ch_read_io_users(ch_reader *r, ch_csv *csv, const ch_header *h);
chorus_rc ch_read_mapped(ch_reader *r, ch_csv *csv, const ch_header *h);

/* Field i of the current row as a mutable span (readers may unescape
 * list items in place). */
static inline chorus_str ch_row_field(const ch_csv *csv, int i)
{
    if (i < 0)
        return (chorus_str){"", 0};
    return ch_csv_field(csv, (size_t)i);
}

#endif
