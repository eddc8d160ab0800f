/*
 * fuzz_catalogue.c - libFuzzer target for the narratives catalogue reader
 * (chorus_catalogue_read, then the index build). Any bytes must load or
 * fail with CHORUS_EINPUT and a message; a built catalogue must hold rows
 * and name every narrative with a non-empty id; abort() otherwise.
 */
#include <chorus/match.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader takes a path: the input goes to a file of this process. */
static int write_input(char *path, size_t cap, const uint8_t *data, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, cap, "%s/fuzz_catalogue_%ld.csv", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

static void check_built(const chorus_catalogue *cat)
{
    uint32_t n = chorus_catalogue_narrative_count(cat);
    if (n == 0 || chorus_catalogue_row_count(cat) == 0)
        abort();
    for (uint32_t k = 0; k < n; k++)
        if (chorus_catalogue_narrative_id(cat, k).len == 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_catalogue *cat = NULL;
    if (!ctx || !write_input(path, sizeof path, data, size) || chorus_catalogue_new(ctx, NULL, &cat)) {
        chorus_ctx_free(ctx);
        return 0;
    }
    chorus_rc rc = chorus_catalogue_read(cat, path, NULL);
    if (!rc)
        rc = chorus_catalogue_build(cat);
    if (rc == CHORUS_OK)
        check_built(cat);
    else if (rc != CHORUS_EINPUT || chorus_errmsg(ctx)[0] == 0)
        abort();
    chorus_catalogue_free(cat);
    chorus_ctx_free(ctx);
    unlink(path);
    return 0;
}
