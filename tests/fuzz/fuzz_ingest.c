/*
 * fuzz_ingest.c - libFuzzer target for the whole ingest path: format
 * detection, the IO archive tweets/users reader (lists, booleans, counts,
 * times), the mapped CSV reader and the corpus. The first input byte picks
 * auto-detection, a column mapping, or strict mode; the rest is the file.
 * Aborts when the row counts do not add up or a view reads bad memory;
 * then clusters the texts on one and on three threads (hostile texts in
 * the threaded paths) and aborts when the two differ.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp under -std=c17 */
#endif
#include <chorus/corpus.h>
#include <chorus/dedup.h>

#include "fuzz_input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static unsigned touch(chorus_str s)
{
    unsigned x = 0;
    for (size_t i = 0; i < s.len; i++)
        x += (unsigned char)s.ptr[i];
    return x;
}

static void touch_corpus(const chorus_corpus *c)
{
    volatile unsigned sink = 0;
    chorus_post_view v;
    for (uint32_t i = 0; i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &v);
        sink += touch(v.id) + touch(v.text) + touch(v.ref_post) + touch(v.client);
        for (uint32_t j = 0; j < v.n_hashtags + v.n_urls + v.n_mentions; j++)
            sink += touch(chorus_corpus_string(c, v.hashtags[j]));
        if (v.account >= chorus_corpus_account_count(c))
            abort();
        for (uint32_t k = 0; k < chorus_corpus_object_columns(c); k++)
            sink += chorus_corpus_post_object(c, i, k);
    }
    chorus_account_view a;
    for (uint32_t i = 0; i < chorus_corpus_account_count(c); i++) {
        chorus_corpus_account(c, i, &a);
        sink += touch(a.id) + touch(a.description);
    }
    (void)sink;
}

static chorus_dedup *dedup_on(chorus_ctx *ctx, const chorus_corpus *c, uint32_t threads)
{
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.min_words = 1;
    o.keep_pairs = 1;
    o.threads = threads;
    chorus_dedup *d = NULL;
    if (chorus_dedup_run(ctx, c, &o, &d) != CHORUS_OK)
        return NULL;
    d->stats.memory = 0;
    return d;
}

/* The same clusters, members, pairs and counts on one and three threads. */
static void check_dedup_threads(chorus_ctx *ctx, const chorus_corpus *c)
{
    chorus_dedup *one = dedup_on(ctx, c, 1), *three = dedup_on(ctx, c, 3);
    if (!one != !three)
        abort();
    if (one && (memcmp(&one->stats, &three->stats, sizeof one->stats) ||
                one->n_clusters != three->n_clusters || one->n_members != three->n_members ||
                one->n_pairs != three->n_pairs ||
                (one->n_members &&
                 memcmp(one->members, three->members, one->n_members * sizeof *one->members)) ||
                (one->n_pairs && memcmp(one->pairs, three->pairs, one->n_pairs * sizeof *one->pairs))))
        abort();
    chorus_dedup_free(one);
    chorus_dedup_free(three);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = size ? fuzz_input_file(data + 1, size - 1) : NULL;
    if (!path)
        return 0;
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_record_limit(ctx, 1 << 16);
    chorus_corpus *c = chorus_corpus_new(ctx);
    char spec[] = "account=a,time=t,id=i,text=x,url=u,hashtags=h,kind=k,ref_post=r,object=o";
    chorus_column_map map;
    if (chorus_column_map_parse(ctx, spec, &map))
        abort();
    chorus_ingest_opts o = {CHORUS_FMT_AUTO, (data[0] & 3) == 1 ? &map : NULL, (data[0] & 3) == 2,
                            (data[0] & 4) ? ';' : 0};
    chorus_ingest_stats st;
    memset(&st, 0, sizeof st);
    chorus_rc rc = chorus_ingest(c, path, &o, &st);
    if (rc == CHORUS_OK && st.rows_read != st.rows_kept + st.rows_skipped)
        abort();
    /* Kept rows are posts (new or duplicate) or account rows; API pages also
     * carry account objects that are not rows of their own. */
    if (st.posts + st.duplicates > st.rows_kept ||
        st.rows_kept > st.posts + st.duplicates + st.accounts_rows)
        abort();
    touch_corpus(c);
    check_dedup_threads(ctx, c);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return 0;
}
