/*
 * fuzz_csv.c - libFuzzer target for the byte sources and the CSV reader.
 * Each input goes through one temporary file (named once per process,
 * removed at exit) into ch_source_open, so gzip, zstd and zip magic bytes
 * reach their decoders too. Every member is read to the end, every field
 * byte is read (ASan sees stale pointers) and the reader's invariants are
 * checked: abort() on a broken one.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp under -std=c17 */
#endif
#include "io/csv_reader.h"
#include "fuzz_input.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader's 4 MiB buffer and the source's 256 KiB one cost a fresh mmap
 * and page faults on every input under ASan (a few hundred runs a second).
 * Big blocks are therefore kept between runs, poisoned while unused so a
 * stale pointer into one still trips ASan. */
#define POOL_MIN ((size_t)64 << 10)
typedef struct pool_block {
    char *p;
    size_t cap;
    int used;
} pool_block;
static pool_block pool[4];

static void *pool_take(size_t n)
{
    for (size_t i = 0; i < 4; i++)
        if (pool[i].p && !pool[i].used && pool[i].cap >= n) {
            pool[i].used = 1;
            ASAN_UNPOISON_MEMORY_REGION(pool[i].p, n);
            return pool[i].p;
        }
    for (size_t i = 0; i < 4; i++)
        if (!pool[i].p) {
            pool[i].p = malloc(n);
            pool[i].cap = n;
            pool[i].used = pool[i].p != NULL;
            return pool[i].p;
        }
    return malloc(n);
}

/* Returns 1 when p was a pool block (now poisoned and free). */
static int pool_give(void *p)
{
    for (size_t i = 0; i < 4; i++)
        if (pool[i].p == p) {
            pool[i].used = 0;
            ASAN_POISON_MEMORY_REGION(pool[i].p, pool[i].cap);
            return 1;
        }
    return 0;
}

static void *fuzz_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize == 0) {
        if (ptr && !pool_give(ptr))
            free(ptr);
        return NULL;
    }
    if (!ptr)
        return nsize >= POOL_MIN ? pool_take(nsize) : malloc(nsize);
    if (nsize < POOL_MIN && osize < POOL_MIN)
        return realloc(ptr, nsize);
    void *q = nsize >= POOL_MIN ? pool_take(nsize) : malloc(nsize);
    if (!q)
        return NULL;
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    fuzz_alloc(NULL, ptr, osize, 0);
    return q;
}


/* Where field bytes are summed, so reading them cannot be optimised out. */
static volatile unsigned sink;

/* Reads every byte of the record's fields and checks what must hold. */
static void touch_record(const ch_csv *r, uint64_t *last_line)
{
    unsigned sum = 0;
    size_t nf = ch_csv_nfields(r);
    for (size_t i = 0; i < nf; i++) {
        chorus_str f = ch_csv_field(r, i);
        for (size_t k = 0; k < f.len; k++)
            sum += (unsigned char)f.ptr[k];
    }
    sink = sum;
    /* Each record starts after the previous one's line end. */
    if (ch_csv_line(r) <= *last_line)
        abort();
    *last_line = ch_csv_line(r);
    if (ch_csv_status_of(r) == CH_CSV_TOO_LARGE ? nf != 0 : nf == 0)
        abort();
}

static void read_members(ch_source *src, ch_csv *r, int peek)
{
    int more;
    while (!ch_source_next_member(src, &more) && more) {
        if (peek) { /* as ingest does, to sniff the format */
            const char *p;
            size_t n;
            if (ch_source_peek(src, &p, &n))
                return;
        }
        ch_csv_reset(r);
        uint64_t last_line = 0;
        int has;
        while (!ch_csv_next(r, &has) && has)
            touch_record(r, &last_line);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    if (!path)
        return 0;
    chorus_ctx *ctx = chorus_ctx_new(fuzz_alloc, NULL);
    if (!ctx)
        return 0;
    /* A limit that varies with the input, so the too-large paths (complete
     * and partial records) are fuzzed along with the normal ones. */
    chorus_set_record_limit(ctx, 16 + size % 1024);
    static const char delims[] = {',', ';', '\t', '|'};
    ch_source *src;
    if (!ch_source_open(ctx, path, &src)) {
        ch_csv *r;
        if (!ch_csv_open(ctx, src, delims[size % 4], &r)) {
            read_members(src, r, (int)(size / 4 % 2));
            ch_csv_close(r);
        }
        ch_source_close(src);
    }
    chorus_ctx_free(ctx);
    return 0;
}
