/*
 * fuzz_json.c - libFuzzer target for the JSON lines reader. Each input is
 * written to one temporary file (named once per process, removed at exit)
 * and read twice with ch_read_jsonl: with the default record limit and with
 * a tiny one, so the over-long-line path is fuzzed too. The sink reads every
 * byte it is given, so a dangling borrowed string shows up under ASan.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp under -std=c17 */
#endif
#include "io/reader.h"
#include "fuzz_input.h"
#include "io/source.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static unsigned touch(chorus_str s)
{
    unsigned h = 0;
    for (size_t i = 0; i < s.len; i++)
        h = h * 31 + (unsigned char)s.ptr[i];
    return h;
}

static unsigned touch_acc(const ch_account_rec *a)
{
    return touch(a->id) + touch(a->display_name) + touch(a->screen_name) + touch(a->location) +
           touch(a->description) + touch(a->url) + touch(a->lang);
}

static chorus_rc on_post(void *ud, const ch_post_rec *p, const ch_account_rec *a)
{
    unsigned *h = ud;
    *h += touch(p->id) + touch(p->account) + touch(p->text) + touch(p->ref_post) +
          touch(p->ref_account) + touch(p->client) + touch(p->lang);
    for (uint32_t i = 0; i < p->n_hashtags; i++)
        *h += touch(p->hashtags[i]);
    for (uint32_t i = 0; i < p->n_urls; i++)
        *h += touch(p->urls[i]);
    for (uint32_t i = 0; i < p->n_mentions; i++)
        *h += touch(p->mentions[i]);
    if (a)
        *h += touch_acc(a);
    return CHORUS_OK;
}

static chorus_rc on_account(void *ud, const ch_account_rec *a)
{
    *(unsigned *)ud += touch_acc(a);
    return CHORUS_OK;
}

static void read_once(const char *path, size_t limit)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx)
        return;
    if (limit)
        chorus_set_record_limit(ctx, limit);
    ch_source *src = NULL;
    int more = 0;
    unsigned h = 0;
    chorus_ingest_stats st = {0};
    chorus_ingest_opts o = {CHORUS_FMT_JSONL, NULL, 0, 0};
    ch_sink sink = {&h, on_post, on_account, NULL};
    if (ch_source_open(ctx, path, &src) == CHORUS_OK &&
        ch_source_next_member(src, &more) == CHORUS_OK && more) {
        ch_reader r = {ctx, src, path, ch_source_member(src), &o, &sink, &st};
        ch_read_jsonl(&r);
        if (st.rows_read != st.rows_kept + st.rows_skipped)
            abort(); /* every row is either kept or reported */
    }
    ch_source_close(src);
    chorus_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    if (!path)
        return 0;
    read_once(path, 0);
    read_once(path, 64);
    return 0;
}
