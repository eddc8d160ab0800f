/*
 * hash.c - wraps XXH3 (libxxhash) as ch_hash64, and digests whole files
 * for run manifests. Kept out of the header so only this file depends on
 * xxhash.h.
 */
#include "hash.h"
#include "ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

uint64_t ch_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

chorus_rc chorus_file_digest(chorus_ctx *ctx, const char *path, uint64_t *hash, uint64_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot open: %s", path, strerror(errno));
    XXH3_state_t *st = XXH3_createState();
    char *buf = ch_alloc(ctx, 1 << 20);
    chorus_rc rc = CHORUS_OK;
    if (!st || !buf)
        rc = ch_nomem(ctx);
    else
        XXH3_64bits_reset(st);
    *size = 0;
    while (!rc) {
        ssize_t r = read(fd, buf, 1 << 20);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = ch_error(ctx, CHORUS_EIO, "%s: read failed: %s", path, strerror(errno));
        if (r <= 0)
            break;
        XXH3_64bits_update(st, buf, (size_t)r);
        *size += (uint64_t)r;
    }
    if (!rc)
        *hash = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    ch_free(ctx, buf, 1 << 20);
    close(fd);
    return rc;
}
