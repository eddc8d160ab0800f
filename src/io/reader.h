/*
 * reader.h - the state one ingest call shares with every reader: where
 * rows go (sink), where problems go (ctx callback and stats), and how
 * strict to be. ch_reader_problem is the single path for a bad row.
 */
#ifndef CH_READER_H
#define CH_READER_H

#include "core/ctx.h"
#include "io/record.h"
#include "io/source.h"

typedef struct ch_reader {
    chorus_ctx *ctx;
    ch_source *src;
    const char *path, *member;
    const chorus_ingest_opts *opts;
    ch_sink *sink;
    chorus_ingest_stats *stats;
} ch_reader;

/* Reports a bad row: counts it as skipped by reason and calls the problem
 * callback. In strict mode also sets the ctx error (file, line, column,
 * detail) and returns CHORUS_EINPUT; otherwise returns CHORUS_OK. */
chorus_rc ch_reader_problem(ch_reader *r, uint64_t line, const char *column, int reason,
                            const char *fmt, ...) CH_PRINTF(5, 6);

/* A fatal error in the input (truncation, unreadable header): sets the ctx
 * error naming file, member and line and returns CHORUS_EINPUT. */
chorus_rc ch_reader_fatal(ch_reader *r, uint64_t line, const char *fmt, ...) CH_PRINTF(3, 4);

/* Reads the current member of r->src whatever its format (auto-detected
 * unless opts->format says otherwise), pushing rows into r->sink. */
chorus_rc ch_read_member(ch_reader *r);

/* What the caller of ch_read_source adds to the sink: a call before each
 * member, and hints that a post comes soon, then very soon (near = 1);
 * either may be NULL. */
typedef struct ch_source_hooks {
    chorus_rc (*member)(void *ud);
    void (*prefetch)(void *ud, const ch_post_rec *p, int near);
} ch_source_hooks;

/* Reads every member of r->src in turn on this thread: hooks->member,
 * then ch_read_member. */
chorus_rc ch_read_source(ch_reader *r, const ch_source_hooks *hooks);

/* Per-format readers, called by ch_read_member. */
chorus_rc ch_read_jsonl(ch_reader *r);
chorus_rc ch_read_csv(ch_reader *r);

#endif
