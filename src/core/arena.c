/*
 * arena.c - chunked bump allocator (see arena.h). Chunks are linked
 * newest-first; a request larger than the chunk size gets its own chunk so
 * the current chunk's free tail is not wasted.
 */
#include "arena.h"

#include <string.h>

struct ch_arena_chunk {
    ch_arena_chunk *next;
    size_t size;
    /* data follows, 8-byte aligned */
};

void ch_arena_init(ch_arena *a, chorus_ctx *ctx, size_t chunk_size)
{
    memset(a, 0, sizeof *a);
    a->ctx = ctx;
    a->chunk_size = chunk_size < 4096 ? 4096 : chunk_size;
}

void ch_arena_free(ch_arena *a)
{
    ch_arena_chunk *c = a->head;
    while (c) {
        ch_arena_chunk *next = c->next;
        ch_free(a->ctx, c, c->size);
        c = next;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
    a->bytes = 0;
}

static ch_arena_chunk *new_chunk(ch_arena *a, size_t data)
{
    size_t size = sizeof(ch_arena_chunk) + data;
    if (size < data)
        return NULL;
    ch_arena_chunk *c = ch_alloc(a->ctx, size);
    if (!c)
        return NULL;
    c->size = size;
    a->bytes += size;
    return c;
}

void *ch_arena_alloc(ch_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(a->end - a->cur) >= n && a->cur) {
        void *p = a->cur;
        a->cur += n;
        return p;
    }
    if (n > a->chunk_size / 4) {
        /* Big request: own chunk, linked behind the current one. */
        ch_arena_chunk *c = new_chunk(a, n);
        if (!c) {
            ch_nomem(a->ctx);
            return NULL;
        }
        if (a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = NULL;
            a->head = c;
            a->cur = a->end = (char *)(c + 1) + n;
        }
        return c + 1;
    }
    ch_arena_chunk *c = new_chunk(a, a->chunk_size);
    if (!c) {
        ch_nomem(a->ctx);
        return NULL;
    }
    c->next = a->head;
    a->head = c;
    a->cur = (char *)(c + 1) + n;
    a->end = (char *)(c + 1) + a->chunk_size;
    return c + 1;
}

char *ch_arena_dup(ch_arena *a, const char *p, size_t n)
{
    char *d = ch_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    return d;
}
