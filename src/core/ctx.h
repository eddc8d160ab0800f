/*
 * ctx.h - internal side of the context: allocation through the context's
 * allocator, error reporting onto the context, and the problem callback.
 * Every libchorus module includes this; nothing here is public.
 */
#ifndef CH_CTX_H
#define CH_CTX_H

#include <chorus/chorus.h>
#include <stdarg.h>
#include <stdbool.h>

struct chorus_ctx {
    chorus_alloc_fn alloc;
    void *alloc_ud;
    uint64_t seed;
    chorus_rc rc;
    char errmsg[1024];
    chorus_progress_fn progress;
    void *progress_ud;
    chorus_problem_fn problem;
    void *problem_ud;
    size_t record_limit;
    uint64_t memory_limit;
    uint32_t ingest_threads; /* 0: one per online CPU */
};

#if defined(__GNUC__)
#define CH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CH_PRINTF(a, b)
#endif

/* Sets the context's error and returns rc, so callers can `return ch_error(...)`. */
chorus_rc ch_error(chorus_ctx *ctx, chorus_rc rc, const char *fmt, ...) CH_PRINTF(3, 4);

/* Allocation through the context. NULL on failure (the caller reports it). */
void *ch_alloc(chorus_ctx *ctx, size_t n);
void *ch_calloc(chorus_ctx *ctx, size_t n);
void *ch_realloc(chorus_ctx *ctx, void *p, size_t old, size_t n);
void ch_free(chorus_ctx *ctx, void *p, size_t n);

/* Ensures *cap >= need elements of size elem in *p, growing by 1.5x.
 * Returns CHORUS_ENOMEM (message set) on failure; *p is then unchanged. */
chorus_rc ch_grow(chorus_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem);

/* Sets "out of memory" on the context and returns CHORUS_ENOMEM. */
chorus_rc ch_nomem(chorus_ctx *ctx);

/* Calls the progress callback if set; returns non-zero to stop. */
int ch_progress(chorus_ctx *ctx, const char *stage, uint64_t done, uint64_t total, uint64_t rows);

/* Calls the problem callback if set. */
void ch_report_problem(chorus_ctx *ctx, const chorus_problem *p);

#endif
