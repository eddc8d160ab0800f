/*
 * test_core.c - arena, interning, radix sort, UTF-8 validation, hashing
 * and the context's error and allocator handling.
 */
#include "check.h"
#include "core/arena.h"
#include "core/hash.h"
#include "core/intern.h"
#include "core/radix_sort.h"
#include "core/utf8.h"

#include <chorus/corpus.h>

#include <stdlib.h>

static void test_arena(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    ch_arena a;
    ch_arena_init(&a, ctx, 4096);
    char *p = ch_arena_dup(&a, "hello", 5);
    char *big = ch_arena_alloc(&a, 100000); /* own chunk */
    char *q = ch_arena_dup(&a, "world", 5);
    CHECK_STR(p, "hello");
    CHECK_STR(q, "world");
    CHECK(big != NULL);
    memset(big, 'x', 100000);
    CHECK_STR(p, "hello");
    CHECK(((uintptr_t)q & 7) == 0);
    CHECK(a.bytes >= 100000 + 4096);
    ch_arena_free(&a);
    chorus_ctx_free(ctx);
}

static void test_intern(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    ch_intern t;
    ch_intern_init(&t, ctx);
    char buf[32];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(buf, sizeof buf, "s%d", i);
        CHECK_INT(ch_intern_add(&t, buf, (size_t)n), i);
    }
    CHECK_INT(ch_intern_add(&t, "s123", 4), 123);
    CHECK_INT(ch_intern_find(&t, "s49999", 6), 49999);
    CHECK_INT(ch_intern_find(&t, "nope", 4), CH_NO_ID);
    CHECK_INT(ch_intern_add(&t, "a\0b", 3), 50000); /* embedded NUL is part of the key */
    CHECK_INT(ch_intern_add(&t, "a", 1), 50001);
    CHECK_STRN(ch_intern_str(&t, 77), ch_intern_len(&t, 77), "s77");
    ch_intern_free(&t);
    chorus_ctx_free(ctx);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_radix(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    enum { N = 100000 };
    uint64_t *k = malloc(N * sizeof *k), *ref = malloc(N * sizeof *ref);
    uint32_t *v = malloc(N * sizeof *v);
    uint64_t s = 42;
    for (int i = 0; i < N; i++) {
        s = ch_mix64(s + i);
        k[i] = (i % 3 == 0) ? (s & 0xffff) : s; /* mix small and large keys, many ties */
        ref[i] = k[i];
        v[i] = (uint32_t)i;
    }
    uint64_t *orig = malloc(N * sizeof *orig);
    memcpy(orig, k, N * sizeof *k);
    CHECK_INT(ch_radix_sort_u64(ctx, k, v, N), CHORUS_OK);
    qsort(ref, N, sizeof *ref, cmp_u64);
    int same = 1, payload = 1, stable = 1;
    for (int i = 0; i < N; i++) {
        same &= k[i] == ref[i];
        payload &= orig[v[i]] == k[i];
        if (i && k[i] == k[i - 1])
            stable &= v[i] > v[i - 1];
    }
    CHECK(same);
    CHECK(payload);
    CHECK(stable);
    uint64_t one[1] = {5};
    CHECK_INT(ch_radix_sort_u64(ctx, one, NULL, 1), CHORUS_OK);
    free(k), free(ref), free(v), free(orig);
    chorus_ctx_free(ctx);
}

/* Whether ch_radix_sort_kv sorted r[0..n) stably by the low `bits` bits
 * only (val holds the original index; high bits hold noise). */
static int kv_sorted(const ch_kv *r, size_t n, unsigned bits)
{
    uint64_t mask = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    for (size_t i = 1; i < n; i++) {
        uint64_t a = r[i - 1].key & mask, b = r[i].key & mask;
        if (a > b || (a == b && r[i - 1].val > r[i].val))
            return 0;
    }
    return 1;
}

static void test_radix_kv(void)
{
    static const size_t ns[] = {10, 1000, 5000, 300000};
    static const unsigned bits[] = {1, 13, 21, 23, 33, 64};
    ch_kv *r = malloc(300000 * sizeof *r), *tmp = malloc(300000 * sizeof *tmp);
    size_t *counts = malloc(CH_KV_COUNTS * sizeof *counts);
    uint64_t s = 7;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof bits / sizeof *bits; b++) {
            uint64_t low = bits[b] >= 64 ? UINT64_MAX : ((uint64_t)1 << bits[b]) - 1;
            for (size_t i = 0; i < ns[a]; i++) {
                s = ch_mix64(s + i);
                /* few distinct sorted values (many ties), noise above them */
                uint64_t key = (s >> 7) % 97;
                r[i] = (ch_kv){(key & low) | (bits[b] < 64 ? s << bits[b] : 0), i};
            }
            const ch_kv *out = ch_radix_sort_kv(r, tmp, ns[a], bits[b], counts);
            CHECK(kv_sorted(out, ns[a], bits[b]));
        }
    free(r), free(tmp), free(counts);
}

static void test_utf8(void)
{
    CHECK(ch_utf8_valid("plain ascii text, long enough", 29));
    CHECK(ch_utf8_valid("\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 8));            /* Arabic */
    CHECK(ch_utf8_valid("\xf0\x9f\x98\x80", 4));                            /* emoji */
    CHECK(!ch_utf8_valid("\xc0\xaf", 2));                                   /* overlong */
    CHECK(!ch_utf8_valid("\xed\xa0\x80", 3));                               /* surrogate */
    CHECK(!ch_utf8_valid("abc\xff", 4));
    CHECK(!ch_utf8_valid("\xe2\x80", 2));                                   /* truncated */
    CHECK(!ch_utf8_valid("\xf4\x90\x80\x80", 4));                           /* > U+10FFFF */
}

static size_t allocated;
static void *counting_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    (void)ud;
    allocated = allocated - (p ? osize : 0) + nsize;
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, nsize);
}

static void test_ctx(void)
{
    chorus_ctx *ctx = chorus_ctx_new(counting_alloc, NULL);
    CHECK(ctx != NULL);
    CHECK_STR(chorus_errmsg(ctx), "");
    CHECK_INT(chorus_seed(ctx), 1);
    chorus_set_seed(ctx, 99);
    CHECK_INT(chorus_seed(ctx), 99);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK(allocated > 0);
    CHECK_INT(chorus_ingest(c, "/nonexistent/file.csv", NULL, NULL), CHORUS_EIO);
    CHECK(strstr(chorus_errmsg(ctx), "/nonexistent/file.csv") != NULL);
    CHECK_INT(chorus_errcode(ctx), CHORUS_EIO);
    chorus_clear_error(ctx);
    CHECK_INT(chorus_errcode(ctx), CHORUS_OK);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    CHECK_INT(allocated, 0); /* every byte went back through the allocator */
    CHECK(ch_hash64("abc", 3, 0) == ch_hash64("abc", 3, 0));
    CHECK(ch_hash64("abc", 3, 0) != ch_hash64("abd", 3, 0));
}

int main(void)
{
    RUN(test_arena);
    RUN(test_intern);
    RUN(test_radix);
    RUN(test_radix_kv);
    RUN(test_utf8);
    RUN(test_ctx);
    TEST_END("test_core");
}
