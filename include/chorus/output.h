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

/* Writes p[0..n) as a JSON string with quotes. Invalid UTF-8 bytes become
 * U+FFFD; '<', '>', '&', U+2028 and U+2029 are escaped as \uXXXX so the
 * string is also safe inside an HTML <script>. Returns 0 or -1. */
int chorus_json_string(FILE *out, const char *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
