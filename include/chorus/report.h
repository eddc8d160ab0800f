/*
 * report.h - the self-contained HTML report: one file, no external
 * requests, every string from the data escaped for where it lands.
 */
#ifndef CHORUS_REPORT_H
#define CHORUS_REPORT_H

#include <chorus/corpus.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_report_info {
    const chorus_ingest_stats *stats; /* may be NULL */
    const char *const *params;        /* "name", "value" pairs shown as parameters */
    size_t n_params;
} chorus_report_info;

/* Writes the report of corpus c to path (through a temporary file renamed
 * on success). The caller keeps ownership of everything passed in. */
chorus_rc chorus_report_write(chorus_ctx *ctx, const chorus_corpus *c, const char *path,
                              const chorus_report_info *info);

/* Writes p[0..n) as HTML text: & < > " ' escaped, invalid UTF-8 as U+FFFD,
 * and bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)
 * shown as a visible "[U+202E]" instead of reordering the page. */
void chorus_html_text(FILE *out, const char *p, size_t n);

/* Number of interned strings (ids 0..n-1 for chorus_corpus_string). */
uint32_t chorus_corpus_string_count(const chorus_corpus *c);

#ifdef __cplusplus
}
#endif
#endif
