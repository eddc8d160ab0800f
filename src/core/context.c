/*
 * context.c - the chorus_ctx handle: allocator, seed, limits, callbacks and
 * the last error. Like sqlite3* or lua_State, it is the only state the
 * library keeps; there are no globals.
 */
#include "ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

chorus_ctx *chorus_ctx_new(chorus_alloc_fn alloc, void *alloc_ud)
{
    if (!alloc)
        alloc = default_alloc;
    chorus_ctx *ctx = alloc(alloc_ud, NULL, 0, sizeof *ctx);
    if (!ctx)
        return NULL;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc;
    ctx->alloc_ud = alloc_ud;
    ctx->seed = 1;
    ctx->record_limit = (size_t)64 << 20;
    return ctx;
}

void chorus_ctx_free(chorus_ctx *ctx)
{
    if (ctx)
        ctx->alloc(ctx->alloc_ud, ctx, sizeof *ctx, 0);
}

const char *chorus_errmsg(const chorus_ctx *ctx) { return ctx->errmsg; }
chorus_rc chorus_errcode(const chorus_ctx *ctx) { return ctx->rc; }

void chorus_clear_error(chorus_ctx *ctx)
{
    ctx->rc = CHORUS_OK;
    ctx->errmsg[0] = 0;
}

void chorus_set_seed(chorus_ctx *ctx, uint64_t seed) { ctx->seed = seed; }
uint64_t chorus_seed(const chorus_ctx *ctx) { return ctx->seed; }

void chorus_set_progress(chorus_ctx *ctx, chorus_progress_fn fn, void *ud)
{
    ctx->progress = fn;
    ctx->progress_ud = ud;
}

void chorus_set_problem_handler(chorus_ctx *ctx, chorus_problem_fn fn, void *ud)
{
    ctx->problem = fn;
    ctx->problem_ud = ud;
}

void chorus_set_record_limit(chorus_ctx *ctx, size_t bytes)
{
    ctx->record_limit = bytes ? bytes : 1;
}

size_t chorus_record_limit(const chorus_ctx *ctx) { return ctx->record_limit; }
void chorus_set_memory_limit(chorus_ctx *ctx, uint64_t bytes) { ctx->memory_limit = bytes; }
uint64_t chorus_memory_limit(const chorus_ctx *ctx) { return ctx->memory_limit; }
void chorus_set_ingest_threads(chorus_ctx *ctx, uint32_t n) { ctx->ingest_threads = n; }

uint32_t chorus_ingest_threads(const chorus_ctx *ctx)
{
    if (ctx->ingest_threads)
        return ctx->ingest_threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (uint32_t)n;
}

const char *chorus_rc_name(chorus_rc rc)
{
    switch (rc) {
    case CHORUS_OK: return "ok";
    case CHORUS_EINPUT: return "bad input";
    case CHORUS_EUSAGE: return "usage";
    case CHORUS_ENOMEM: return "out of memory";
    case CHORUS_EIO: return "i/o error";
    case CHORUS_ELIMIT: return "limit reached";
    case CHORUS_EINTERNAL: return "internal error";
    case CHORUS_EDB: return "database error";
    }
    return "unknown";
}

chorus_rc ch_error(chorus_ctx *ctx, chorus_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->rc = rc;
    return rc;
}

chorus_rc ch_nomem(chorus_ctx *ctx) { return ch_error(ctx, CHORUS_ENOMEM, "out of memory"); }

void *ch_alloc(chorus_ctx *ctx, size_t n)
{
    return ctx->alloc(ctx->alloc_ud, NULL, 0, n ? n : 1);
}

void *ch_calloc(chorus_ctx *ctx, size_t n)
{
    void *p = ch_alloc(ctx, n);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

void *ch_realloc(chorus_ctx *ctx, void *p, size_t old, size_t n)
{
    return ctx->alloc(ctx->alloc_ud, p, old, n ? n : 1);
}

void ch_free(chorus_ctx *ctx, void *p, size_t n)
{
    if (p)
        ctx->alloc(ctx->alloc_ud, p, n, 0);
}

chorus_rc ch_grow(chorus_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CHORUS_OK;
    size_t ncap = *cap < 16 ? 16 : *cap + *cap / 2;
    if (ncap < need)
        ncap = need;
    if (ncap > SIZE_MAX / elem)
        return ch_nomem(ctx);
    void *np = ch_realloc(ctx, *p, *cap * elem, ncap * elem);
    if (!np)
        return ch_nomem(ctx);
    *p = np;
    *cap = ncap;
    return CHORUS_OK;
}

int ch_progress(chorus_ctx *ctx, const char *stage, uint64_t done, uint64_t total, uint64_t rows)
{
    return ctx->progress ? ctx->progress(ctx->progress_ud, stage, done, total, rows) : 0;
}

void ch_report_problem(chorus_ctx *ctx, const chorus_problem *p)
{
    if (ctx->problem)
        ctx->problem(ctx->problem_ud, p);
}

