/*
 * output.h - writing results: CSV cells that are safe to open in a
 * spreadsheet, and JSON strings. Hostile text from the input (formulas,
 * quotes, newlines, invalid UTF-8) never changes a file's structure.
 */
#ifndef CHORUS_OUTPUT_H
#define CHORUS_OUTPUT_H

#include <stdio.h>
#include <chorus/chorus.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for chorus_csv_field. */
#define CHORUS_CSV_NEUTRALISE 1u /* prefix formula-like cells with ' */

/* Writes one CSV cell (RFC 4180 quoting when needed). With
 * CHORUS_CSV_NEUTRALISE, a cell whose first byte is = + - @ TAB or CR is
 * written with a leading apostrophe so spreadsheets show it as text; a
 * cell that is a plain number (e.g. "-12" or "-1.5") is left alone.
 * Returns 0, or -1 when the stream reports an error. */
int chorus_csv_field(FILE *out, const char *p, size_t n, unsigned flags);

/* The same cell as chorus_csv_field, written to out (at least 2 n + 3
 * bytes): for rows built in memory. Returns the bytes written. */
size_t chorus_csv_cell(char *out, const char *p, size_t n, unsigned flags);

/* Numbers written byte for byte as printf writes them, without printf
 * (rows of large outputs). out needs CHORUS_FMT_MAX bytes; no NUL is
 * written; each returns the bytes written.
 *   chorus_fmt_u64:     "%" PRIu64
 *   chorus_fmt_fixed:   "%.*f" (decimals 0 to 9 take the fast path)
 *   chorus_fmt_general: "%.*g" (precision 1 to 9 take the fast path) */
#define CHORUS_FMT_MAX 352
size_t chorus_fmt_u64(char *out, uint64_t v);
size_t chorus_fmt_fixed(char *out, double v, int decimals);
size_t chorus_fmt_general(char *out, double v, int precision);

/* Writes p[0..n) as a JSON string with quotes. Invalid UTF-8 bytes become
 * U+FFFD; '<', '>', '&', U+2028 and U+2029 are escaped as \uXXXX so the
 * string is also safe inside an HTML <script>. Returns 0 or -1. */
int chorus_json_string(FILE *out, const char *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
