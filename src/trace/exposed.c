/*
 * exposed.c - the list of exposed (taken-down) accounts: one id a line,
 * optionally a comma or tab and the date it was exposed. The list comes
 * from outside (a platform's takedown notice, an analyst), so any bytes
 * are handled: the ids are kept as the exact bytes given.
 */
#include "core/ctx.h"
#include "io/time_parse.h"

#include <chorus/trace.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define EXPOSED_MAX_BYTES ((size_t)256 << 20)

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static chorus_str trim(const char *p, size_t n)
{
    while (n && is_space(*p))
        p++, n--;
    while (n && is_space(p[n - 1]))
        n--;
    chorus_str s = {p, n};
    return s;
}

/* Adds one line; blank lines and comments are skipped. */
static chorus_rc add_line(chorus_exposed *e, const char *p, size_t n, size_t line)
{
    chorus_str l = trim(p, n);
    if (l.len == 0 || l.ptr[0] == '#')
        return CHORUS_OK;
    size_t cut = 0;
    while (cut < l.len && l.ptr[cut] != ',' && l.ptr[cut] != '\t')
        cut++;
    chorus_str id = trim(l.ptr, cut);
    if (id.len == 0)
        return ch_error(e->ctx, CHORUS_EINPUT, "exposed list, line %zu: no account id", line);
    int64_t when = INT64_MIN;
    if (cut < l.len) {
        chorus_str d = trim(l.ptr + cut + 1, l.len - cut - 1);
        chorus_time_res res;
        if (d.len && ch_parse_time(d.ptr, d.len, &when, &res) != 0)
            return ch_error(e->ctx, CHORUS_EINPUT, "exposed list, line %zu: bad date \"%.*s\"",
                            line, (int)(d.len > 40 ? 40 : d.len), d.ptr);
    }
    if (ch_grow(e->ctx, (void **)&e->ids, &e->cap, e->n + 1, sizeof *e->ids) ||
        ch_grow(e->ctx, (void **)&e->when_ms, &e->cap_when, e->n + 1, sizeof *e->when_ms))
        return CHORUS_ENOMEM;
    e->ids[e->n] = id;
    e->when_ms[e->n++] = when;
    return CHORUS_OK;
}

chorus_rc chorus_exposed_parse(chorus_ctx *ctx, const char *buf, size_t len, chorus_exposed **out)
{
    *out = NULL;
    chorus_exposed *e = ch_calloc(ctx, sizeof *e);
    if (!e)
        return ch_nomem(ctx);
    e->ctx = ctx;
    e->buf = ch_alloc(ctx, len ? len : 1);
    if (!e->buf) {
        ch_free(ctx, e, sizeof *e);
        return ch_nomem(ctx);
    }
    e->buf_len = len ? len : 1;
    if (len)
        memcpy(e->buf, buf, len);
    size_t start = len >= 3 && !memcmp(e->buf, "\xEF\xBB\xBF", 3) ? 3 : 0, line = 1;
    chorus_rc rc = CHORUS_OK;
    for (size_t i = start; i <= len && !rc; i++) {
        if (i < len && e->buf[i] != '\n')
            continue;
        rc = add_line(e, e->buf + start, i - start, line++);
        start = i + 1;
    }
    if (rc) {
        chorus_exposed_free(e);
        return rc;
    }
    *out = e;
    return CHORUS_OK;
}

chorus_rc chorus_exposed_read(chorus_ctx *ctx, const char *path, chorus_exposed **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    char *buf = NULL;
    chorus_rc rc = CHORUS_OK;
    for (;;) {
        if (n == cap && (rc = ch_grow(ctx, (void **)&buf, &cap, n + 65536, 1)))
            break;
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n > EXPOSED_MAX_BYTES) {
            rc = ch_error(ctx, CHORUS_ELIMIT, "%s: exposed list over 256 MiB", path);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = ch_error(ctx, CHORUS_EIO, "%s: read error", path);
    fclose(f);
    if (!rc && (rc = chorus_exposed_parse(ctx, buf, n, out)) == CHORUS_EINPUT) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", chorus_errmsg(ctx));
        rc = ch_error(ctx, CHORUS_EINPUT, "%s: %s", path, msg);
    }
    ch_free(ctx, buf, cap);
    return rc;
}

void chorus_exposed_free(chorus_exposed *e)
{
    if (!e)
        return;
    chorus_ctx *ctx = e->ctx;
    ch_free(ctx, e->ids, e->cap * sizeof *e->ids);
    ch_free(ctx, e->when_ms, e->cap_when * sizeof *e->when_ms);
    ch_free(ctx, e->buf, e->buf_len);
    ch_free(ctx, e, sizeof *e);
}
