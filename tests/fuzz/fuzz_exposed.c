/*
 * fuzz_exposed.c - libFuzzer target for chorus_exposed_parse, the reader
 * of exposed-account lists. Any bytes must parse or fail with a message;
 * every id parsed must be non-empty, inside the parser's copy, and free of
 * line breaks; abort() otherwise.
 */
#include <chorus/trace.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx)
        return 0;
    chorus_exposed *e = NULL;
    chorus_rc rc = chorus_exposed_parse(ctx, (const char *)data, size, &e);
    if (rc == CHORUS_OK) {
        for (size_t i = 0; i < e->n; i++) {
            chorus_str id = e->ids[i];
            if (id.len == 0 || id.ptr < e->buf || id.ptr + id.len > e->buf + e->buf_len ||
                memchr(id.ptr, '\n', id.len))
                abort();
        }
        chorus_exposed_free(e);
    } else if (e || rc != CHORUS_EINPUT || chorus_errmsg(ctx)[0] == 0) {
        abort();
    }
    chorus_ctx_free(ctx);
    return 0;
}
