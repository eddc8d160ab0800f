/*
 * chorus.h - the context handle of libchorus: options, allocator, seed,
 * progress and problem callbacks, and the last error.
 * Every other libchorus call takes a chorus_ctx; nothing in the library is
 * global, prints, or exits. Include <chorus/corpus.h> for ingest.
 */
#ifndef CHORUS_CHORUS_H
#define CHORUS_CHORUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHORUS_VERSION "0.1.0"

/* Return codes. Every fallible call returns one; the message is on the ctx. */
typedef enum chorus_rc {
    CHORUS_OK = 0,
    CHORUS_EINPUT = 1,    /* malformed or truncated input */
    CHORUS_EUSAGE = 2,    /* bad argument or option from the caller */
    CHORUS_ENOMEM = 3,    /* allocation failed */
    CHORUS_EIO = 4,       /* the operating system refused (open, read, write) */
    CHORUS_ELIMIT = 5,    /* a size cap was reached (hostile or absurd input) */
    CHORUS_EINTERNAL = 6, /* a bug in chorus or a library it wraps */
    CHORUS_EDB = 7        /* the database layer failed */
} chorus_rc;

/* Allocator, as in Lua: nsize == 0 frees ptr; otherwise (re)allocates.
 * Work asked to use threads (ingest, dedup, match, coord's signals)
 * calls it from several threads at once: it must be thread-safe, as
 * malloc is. */
typedef void *(*chorus_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Called now and then during long work: bytes done out of bytes_total
 * (0 when unknown), rows done. Return non-zero to ask the work to stop. */
typedef int (*chorus_progress_fn)(void *ud, const char *stage, uint64_t bytes_done,
                                  uint64_t bytes_total, uint64_t rows_done);

/* One problem with one input row. Strings are valid only during the call. */
typedef struct chorus_problem {
    const char *file;   /* path as given, "-" for stdin */
    const char *member; /* archive member name, or NULL */
    uint64_t line;      /* physical line where the row starts (1-based) */
    const char *column; /* column or field name, or NULL for the whole row */
    int reason;         /* a chorus_skip_reason (see corpus.h) */
    const char *detail; /* human-readable: what was wrong */
    int fatal;          /* 1 when the row stops the run (strict mode) */
} chorus_problem;

typedef void (*chorus_problem_fn)(void *ud, const chorus_problem *p);

typedef struct chorus_ctx chorus_ctx;

/* Creates a context. alloc may be NULL for malloc/realloc/free.
 * Returns NULL only when the context itself cannot be allocated. */
chorus_ctx *chorus_ctx_new(chorus_alloc_fn alloc, void *alloc_ud);

/* Frees the context. Objects created with it must be freed first. */
void chorus_ctx_free(chorus_ctx *ctx);

/* The message of the last error (never NULL; "" after success). */
const char *chorus_errmsg(const chorus_ctx *ctx);

/* The code of the last error. */
chorus_rc chorus_errcode(const chorus_ctx *ctx);

/* Clears the last error. */
void chorus_clear_error(chorus_ctx *ctx);

/* Seed for every randomised step; the same seed gives the same results. */
void chorus_set_seed(chorus_ctx *ctx, uint64_t seed);
uint64_t chorus_seed(const chorus_ctx *ctx);

/* Progress callback (NULL to disable). */
void chorus_set_progress(chorus_ctx *ctx, chorus_progress_fn fn, void *ud);

/* Problem callback, called once per skipped or fatal row (NULL to disable). */
void chorus_set_problem_handler(chorus_ctx *ctx, chorus_problem_fn fn, void *ud);

/* Caps the bytes that one record (CSV row or JSON line) may span.
 * Default 64 MiB. Longer records are skipped with CHORUS_SKIP_TOO_LARGE. */
void chorus_set_record_limit(chorus_ctx *ctx, size_t bytes);
size_t chorus_record_limit(const chorus_ctx *ctx);

/* Caps the bytes held by one corpus. Default 0: no cap beyond the system. */
void chorus_set_memory_limit(chorus_ctx *ctx, uint64_t bytes);
uint64_t chorus_memory_limit(const chorus_ctx *ctx);

/* Threads chorus_ingest may use: 1 reads and adds rows on the calling
 * thread; 2 or more read and parse on a second thread while the calling
 * thread adds the rows (the corpus is the same either way). 0, the
 * default, means one per online CPU. With more than one, the allocator
 * is called from both threads; callbacks only from the calling one. */
void chorus_set_ingest_threads(chorus_ctx *ctx, uint32_t n);
uint32_t chorus_ingest_threads(const chorus_ctx *ctx);

/* XXH3-64 digest and size of a file's bytes, for manifests. */
chorus_rc chorus_file_digest(chorus_ctx *ctx, const char *path, uint64_t *hash, uint64_t *size);

/* Name of a return code, e.g. "bad input". */
const char *chorus_rc_name(chorus_rc rc);

#ifdef __cplusplus
}
#endif
#endif
