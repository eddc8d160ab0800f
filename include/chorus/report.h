/*
 * report.h - the self-contained HTML report: one file, no external
 * requests, every string from the data escaped for where it lands. The
 * report is written from a run's SQLite database (chorus.db), so it only
 * depends on the tables there (docs/report.md), not on the stages.
 */
#ifndef CHORUS_REPORT_H
#define CHORUS_REPORT_H

#include <chorus/chorus.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_report_info {
    const char *const *params; /* "name", "value" pairs shown as parameters */
    size_t n_params;
    uint32_t evidence_per_group; /* co-actions listed per group; 0: 500 */
    uint32_t max_links;          /* network edges drawn at most, the strongest; 0: 10 000 */
    uint32_t max_rows;           /* rows of other stages' tables; 0: 5 000 */
    uint32_t max_nodes;    /* accounts drawn in the network (groups in order); 0: 20 000 */
    uint32_t max_evidence; /* co-actions listed over all groups; 0: 50 000 */
} chorus_report_info;

/* What the report holds, for the caller's summary (and the browser test).
 * A count is -1 when its table is absent (the stage did not run). */
typedef struct chorus_report_summary {
    int64_t posts, accounts;
    int64_t groups, grouped_accounts, links; /* groups table rows, accounts in groups, edges drawn */
    int64_t drawn;                           /* accounts drawn in the network */
    int64_t evidence;                        /* evidence rows listed, over all groups */
    int64_t narratives, laundering, clusters;
    uint64_t bytes; /* size of report.html */
} chorus_report_summary;

/* Reads the database at db_path (read-only) and writes the report to
 * html_path (through a temporary file renamed on success). info may be
 * NULL (defaults); sum, when not NULL, is filled. The caller keeps
 * ownership of everything passed in. Tables of stages that did not run
 * are reported as "not run"; a database without posts is an error. */
chorus_rc chorus_report_write(chorus_ctx *ctx, const char *db_path, const char *html_path,
                              const chorus_report_info *info, chorus_report_summary *sum);

/* Writes p[0..n) as HTML text: & < > " ' escaped, invalid UTF-8 as U+FFFD,
 * and bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)
 * shown as a visible "[U+202E]" instead of reordering the page. */
void chorus_html_text(FILE *out, const char *p, size_t n);

/* Writes p[0..n) as a quoted JSON string safe inside a <script> element:
 * < > & ' and U+2028/U+2029 as \u escapes (so "</script>" and "<!--"
 * cannot occur), control bytes escaped, invalid UTF-8 as \ufffd, bidi
 * controls shown as the text "[U+202E]" like chorus_html_text. */
void chorus_html_json_string(FILE *out, const char *p, size_t n);

/* The page's script and stylesheet (web/, bundled at build time and
 * embedded by the Makefile), and the script's CSP hash "sha256-...". */
extern const unsigned char chorus_report_js[], chorus_report_css[];
extern const size_t chorus_report_js_len, chorus_report_css_len;
extern const char chorus_report_js_hash[];

/* Number of interned strings (ids 0..n-1 for chorus_corpus_string). */
struct chorus_corpus;
uint32_t chorus_corpus_string_count(const struct chorus_corpus *c);

#ifdef __cplusplus
}
#endif
#endif
