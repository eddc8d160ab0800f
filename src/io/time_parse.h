/*
 * time_parse.h - the time formats found in real inputs, to UTC
 * milliseconds: "YYYY-MM-DD HH:MM[:SS[.fff]]", ISO 8601 with T, Z or an
 * offset, "YYYY-MM-DD", Twitter v1.1 "Wed Oct 10 20:19:24 +0000 2018",
 * and unix seconds or milliseconds. Spreadsheet-damaged dates such as
 * "6/7/16 17:08" are rejected, never guessed.
 */
#ifndef CH_TIME_PARSE_H
#define CH_TIME_PARSE_H

#include <chorus/corpus.h>

/* Parses p[0..n). Returns 0 and sets *ms and *res, or -1 when the text is
 * not a valid time in an accepted format. Surrounding spaces are ignored. */
int ch_parse_time(const char *p, size_t n, int64_t *ms, chorus_time_res *res);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int64_t ch_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Civil date (year, month 1-12, day 1-31) of days since 1970-01-01. */
void ch_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Formats ms as "YYYY-MM-DDTHH:MM:SS[.mmm]Z" into out (>= 32 bytes);
 * milliseconds only when non-zero. Returns the length. */
size_t ch_format_time(int64_t ms, char *out);

#endif
