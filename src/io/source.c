/*
 * source.c - plain, gzip (zlib), zstd (libzstd) and zip (libarchive) byte
 * streams behind one read call (see source.h). The first bytes are peeked
 * to pick the decoder, so stdin works for every kind. zlib and libzstd are
 * used directly for speed; libarchive handles zip members.
 */
#include "source.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CAP ((size_t)1 << 18)

struct ch_source {
    chorus_ctx *ctx;
    const char *path;
    int fd, own_fd;
    ch_source_kind kind;
    uint64_t size, bytes_in;
    unsigned char *in; /* compressed input buffer */
    size_t in_pos, in_len;
    int eof;
    int members_given; /* plain/gz/zst: 1 after the only member */
    int member_done;
    z_stream z;
    int z_init, z_end; /* z_end: last inflate returned Z_STREAM_END */
    ZSTD_DStream *zs;
    size_t zs_hint;
    struct archive *ar;
    char *member;
    char pend[4096]; /* peeked decompressed bytes, served before more reads */
    size_t pend_pos, pend_len;
};

/* One read(2) into buf, retried on EINTR; counts the bytes and notes the
 * end of the file. */
static chorus_rc read_fd(ch_source *s, void *buf, size_t cap, size_t *got)
{
    ssize_t r;
    do
        r = s->eof ? 0 : read(s->fd, buf, cap);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return ch_error(s->ctx, CHORUS_EIO, "%s: read failed: %s", s->path, strerror(errno));
    if (r == 0)
        s->eof = 1;
    s->bytes_in += (uint64_t)r;
    *got = (size_t)r;
    return CHORUS_OK;
}

/* Refills the input buffer once it is used up. */
static chorus_rc fill(ch_source *s)
{
    if (s->in_pos < s->in_len || s->eof)
        return CHORUS_OK;
    s->in_pos = s->in_len = 0;
    return read_fd(s, s->in, IN_CAP, &s->in_len);
}

/* Reads until at least n bytes are buffered or the file ends. */
static chorus_rc peek(ch_source *s, size_t n)
{
    while (s->in_len < n && !s->eof) {
        size_t got;
        chorus_rc rc = read_fd(s, s->in + s->in_len, IN_CAP - s->in_len, &got);
        if (rc)
            return rc;
        s->in_len += got;
    }
    return CHORUS_OK;
}

static la_ssize_t ar_read(struct archive *a, void *ud, const void **buf)
{
    ch_source *s = ud;
    if (fill(s)) {
        archive_set_error(a, EIO, "%s", chorus_errmsg(s->ctx));
        return -1;
    }
    *buf = s->in + s->in_pos;
    size_t n = s->in_len - s->in_pos;
    s->in_pos = s->in_len;
    return (la_ssize_t)n;
}

static chorus_rc open_decoder(ch_source *s)
{
    const unsigned char *m = s->in;
    if (s->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        s->kind = CH_SRC_GZIP;
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)
            return ch_nomem(s->ctx);
        s->z_init = 1;
    } else if (s->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        s->kind = CH_SRC_ZSTD;
        s->zs = ZSTD_createDStream();
        if (!s->zs)
            return ch_nomem(s->ctx);
        ZSTD_initDStream(s->zs);
    } else if (s->in_len >= 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4) {
        s->kind = CH_SRC_ZIP;
        s->ar = archive_read_new();
        if (!s->ar)
            return ch_nomem(s->ctx);
        archive_read_support_format_zip(s->ar);
        archive_read_support_filter_all(s->ar);
        if (archive_read_open(s->ar, s, NULL, ar_read, NULL) != ARCHIVE_OK)
            return ch_error(s->ctx, CHORUS_EINPUT, "%s: not a readable zip archive: %s", s->path,
                            archive_error_string(s->ar));
    } else {
        s->kind = CH_SRC_PLAIN;
    }
    return CHORUS_OK;
}

chorus_rc ch_source_open(chorus_ctx *ctx, const char *path, ch_source **out)
{
    *out = NULL;
    ch_source *s = ch_calloc(ctx, sizeof *s);
    if (!s)
        return ch_nomem(ctx);
    s->ctx = ctx;
    s->path = path;
    s->fd = -1;
    s->in = ch_alloc(ctx, IN_CAP);
    if (!s->in) {
        ch_source_close(s);
        return ch_nomem(ctx);
    }
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY);
        if (s->fd < 0) {
            chorus_rc rc = ch_error(ctx, CHORUS_EIO, "%s: cannot open: %s", path, strerror(errno));
            ch_source_close(s);
            return rc;
        }
        s->own_fd = 1;
        struct stat st;
        if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
            s->size = (uint64_t)st.st_size;
        else if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            chorus_rc rc = ch_error(ctx, CHORUS_EIO, "%s: is a directory", path);
            ch_source_close(s);
            return rc;
        }
    }
    chorus_rc rc = peek(s, 4);
    if (!rc)
        rc = open_decoder(s);
    if (rc) {
        ch_source_close(s);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}

chorus_rc ch_source_next_member(ch_source *s, int *more)
{
    *more = 0;
    if (s->kind != CH_SRC_ZIP) {
        if (!s->members_given) {
            s->members_given = 1;
            *more = 1;
        }
        return CHORUS_OK;
    }
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(s->ar, &e);
        if (r == ARCHIVE_EOF)
            return CHORUS_OK;
        if (r < ARCHIVE_WARN)
            return ch_error(s->ctx, CHORUS_EINPUT, "%s: damaged or truncated zip archive: %s",
                            s->path, archive_error_string(s->ar));
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *name = archive_entry_pathname(e);
        size_t n = name ? strlen(name) : 0;
        ch_free(s->ctx, s->member, s->member ? strlen(s->member) + 1 : 0);
        s->member = ch_alloc(s->ctx, n + 1);
        if (!s->member)
            return ch_nomem(s->ctx);
        memcpy(s->member, name ? name : "", n + 1);
        s->member_done = 0;
        s->pend_pos = s->pend_len = 0;
        *more = 1;
        return CHORUS_OK;
    }
}

const char *ch_source_member(const ch_source *s) { return s->member; }

static chorus_rc read_gzip(ch_source *s, void *buf, size_t cap, size_t *got)
{
    s->z.next_out = buf;
    s->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (s->z.avail_out == cap) {
        if (fill(s))
            return s->ctx->rc;
        if (s->in_pos == s->in_len) {
            if (!s->z_end)
                return ch_error(s->ctx, CHORUS_EINPUT, "%s: truncated gzip stream", s->path);
            break;
        }
        if (s->z_end) { /* another gzip member follows (concatenated .gz) */
            inflateReset(&s->z);
            s->z_end = 0;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int r = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (r == Z_STREAM_END)
            s->z_end = 1;
        else if (r != Z_OK && r != Z_BUF_ERROR)
            return ch_error(s->ctx, CHORUS_EINPUT, "%s: damaged gzip data: %s", s->path,
                            s->z.msg ? s->z.msg : "inflate failed");
    }
    *got = cap - s->z.avail_out;
    return CHORUS_OK;
}

static chorus_rc read_zstd(ch_source *s, void *buf, size_t cap, size_t *got)
{
    ZSTD_outBuffer ob = {buf, cap, 0};
    while (ob.pos == 0) {
        if (fill(s))
            return s->ctx->rc;
        if (s->in_pos == s->in_len) {
            if (s->zs_hint != 0)
                return ch_error(s->ctx, CHORUS_EINPUT, "%s: truncated zstd stream", s->path);
            break;
        }
        ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
        size_t r = ZSTD_decompressStream(s->zs, &ob, &ib);
        s->in_pos = ib.pos;
        if (ZSTD_isError(r))
            return ch_error(s->ctx, CHORUS_EINPUT, "%s: damaged zstd data: %s", s->path,
                            ZSTD_getErrorName(r));
        s->zs_hint = r;
    }
    *got = ob.pos;
    return CHORUS_OK;
}

static chorus_rc read_raw(ch_source *s, void *buf, size_t cap, size_t *got);

chorus_rc ch_source_peek(ch_source *s, const char **p, size_t *n)
{
    while (s->pend_len < sizeof s->pend) {
        size_t got;
        chorus_rc rc = read_raw(s, s->pend + s->pend_len, sizeof s->pend - s->pend_len, &got);
        if (rc)
            return rc;
        if (got == 0)
            break;
        s->pend_len += got;
    }
    *p = s->pend + s->pend_pos;
    *n = s->pend_len - s->pend_pos;
    return CHORUS_OK;
}

chorus_rc ch_source_read(ch_source *s, void *buf, size_t cap, size_t *got)
{
    if (s->pend_pos < s->pend_len) {
        size_t n = s->pend_len - s->pend_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, s->pend + s->pend_pos, n);
        s->pend_pos += n;
        if (s->pend_pos == s->pend_len)
            s->pend_pos = s->pend_len = 0;
        *got = n;
        return CHORUS_OK;
    }
    return read_raw(s, buf, cap, got);
}

/* Plain files: what is left of the peeked buffer, then straight into the
 * caller's buffer, saving a copy per byte. */
static chorus_rc read_plain(ch_source *s, void *buf, size_t cap, size_t *got)
{
    size_t n = s->in_len - s->in_pos;
    if (!n)
        return read_fd(s, buf, cap, got);
    if (n > cap)
        n = cap;
    memcpy(buf, s->in + s->in_pos, n);
    s->in_pos += n;
    *got = n;
    return CHORUS_OK;
}

static chorus_rc read_raw(ch_source *s, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    switch (s->kind) {
    case CH_SRC_PLAIN:
        return read_plain(s, buf, cap, got);
    case CH_SRC_GZIP:
        return read_gzip(s, buf, cap, got);
    case CH_SRC_ZSTD:
        return read_zstd(s, buf, cap, got);
    case CH_SRC_ZIP: {
        if (s->member_done)
            return CHORUS_OK;
        la_ssize_t r = archive_read_data(s->ar, buf, cap);
        if (r < 0)
            return ch_error(s->ctx, CHORUS_EINPUT, "%s: damaged or truncated zip member %s: %s",
                            s->path, s->member ? s->member : "?", archive_error_string(s->ar));
        if (r == 0)
            s->member_done = 1;
        *got = (size_t)r;
        return CHORUS_OK;
    }
    }
    return ch_error(s->ctx, CHORUS_EINTERNAL, "unknown source kind");
}

ch_source_kind ch_source_kind_of(const ch_source *s) { return s->kind; }
uint64_t ch_source_bytes_in(const ch_source *s) { return s->bytes_in; }
uint64_t ch_source_size(const ch_source *s) { return s->size; }
const char *ch_source_path(const ch_source *s) { return s->path; }

chorus_ctx *ch_source_bind(ch_source *s, chorus_ctx *ctx)
{
    chorus_ctx *old = s->ctx;
    s->ctx = ctx;
    return old;
}

void ch_source_close(ch_source *s)
{
    if (!s)
        return;
    if (s->z_init)
        inflateEnd(&s->z);
    if (s->zs)
        ZSTD_freeDStream(s->zs);
    if (s->ar)
        archive_read_free(s->ar);
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    ch_free(s->ctx, s->member, s->member ? strlen(s->member) + 1 : 0);
    ch_free(s->ctx, s->in, IN_CAP);
    ch_free(s->ctx, s, sizeof *s);
}
