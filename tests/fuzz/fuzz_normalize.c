/*
 * fuzz_normalize.c - libFuzzer target for the match form (chorus_normalize).
 * The first byte picks the options, the rest is the text. Whatever the
 * bytes: the output is valid UTF-8 without NUL, the offsets never decrease
 * and stay within the input, the compact form is the output less its
 * spaces, and (unless max_bytes cut the input, either time) normalising
 * the output again gives it back unchanged. abort() otherwise.
 */
#include <chorus/text.h>

#include "core/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static chorus_ctx *ctx;
static chorus_normalizer *norm[64];
static chorus_text_buf out, again, compact;

static chorus_normalizer *normalizer(unsigned bits)
{
    if (!norm[bits]) {
        chorus_text_opts o;
        chorus_text_defaults(&o);
        o.keep_mentions = !(bits & 1);
        o.urls = (bits >> 1) % 3;
        o.join_affixes = !(bits & 8);
        o.strip_lead_mentions = (bits & 16) != 0;
        o.max_bytes = (bits & 32) ? 64 : o.max_bytes;
        o.max_repeat = (bits & 6) == 6 ? 1 : 2;
        if (chorus_normalizer_new(ctx, &o, &norm[bits]) != CHORUS_OK)
            abort();
    }
    return norm[bits];
}

static void check_output(const chorus_text_buf *b, size_t in_len)
{
    if (!ch_utf8_valid(b->text, b->len) || memchr(b->text, 0, b->len) || b->text[b->len])
        abort();
    for (size_t i = 0; i <= b->len; i++)
        if (b->src_off[i] > in_len || (i && b->src_off[i] < b->src_off[i - 1]))
            abort();
    if (b->len && (b->text[0] == ' ' || b->text[b->len - 1] == ' ' || strstr(b->text, "  ")))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) {
        ctx = chorus_ctx_new(NULL, NULL);
        chorus_text_buf_init(&out, ctx);
        chorus_text_buf_init(&again, ctx);
        chorus_text_buf_init(&compact, ctx);
    }
    if (size == 0)
        return 0;
    chorus_normalizer *n = normalizer(data[0] & 63);
    size--, data++;
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    if (size)
        memcpy(p, data, size);
    if (chorus_normalize(n, p, size, &out) != CHORUS_OK)
        abort();
    check_output(&out, size);
    if (chorus_text_compact(&out, &compact) != CHORUS_OK || memchr(compact.text, ' ', compact.len))
        abort();
    size_t spaces = 0;
    for (size_t i = 0; i < out.len; i++)
        spaces += out.text[i] == ' ';
    if (compact.len != out.len - spaces)
        abort();
    if (!out.truncated) {
        if (chorus_normalize(n, out.text, out.len, &again) != CHORUS_OK)
            abort();
        /* (an output longer than max_bytes is cut when read again) */
        if (!again.truncated && (again.len != out.len || memcmp(again.text, out.text, out.len)))
            abort();
    }
    free(p);
    return 0;
}
