/*
 * csv_reader.c - the RFC 4180 state machine (see csv_reader.h). A record
 * is parsed from a buffer without writing to it; when the buffer ends
 * first, the partial record moves to the front, more is read, and the
 * record is parsed again. Only a complete record is unescaped in place.
 * Unquoted fields scan with a byte table; quoted ones jump with memchr.
 */
#include "csv_reader.h"

#include <string.h>

#define BUF_START ((size_t)1 << 22)

typedef struct field {
    size_t off, len;
    int esc; /* holds "" pairs to collapse */
} field;

struct ch_csv {
    chorus_ctx *ctx;
    ch_source *src;
    char delim;
    unsigned char special[256];
    char *buf;
    size_t cap, len, pos;
    int eof, skipping;
    uint64_t line;
    field *f;
    size_t nf, fcap;
    uint64_t rec_line;
    ch_csv_status status;
    int at_eof;
};

enum { REC_DONE, REC_MORE, REC_ERR };

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* High bit set in each byte of w equal to the byte repeated in pat; the
 * lowest set bit is always exact (carries only reach higher bytes). */
static inline uint64_t bytes_equal(uint64_t w, uint64_t pat)
{
    uint64_t x = w ^ pat;
    return (x - ONES) & ~x & HIGHS;
}

/* Index of the first delimiter, CR or LF at or after p (n if none):
 * eight bytes at a time, then a byte table for the tail. */
static inline size_t scan_plain(const ch_csv *r, size_t p, size_t n)
{
    const char *b = r->buf;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t pd = ONES * (unsigned char)r->delim, pn = ONES * '\n', pr = ONES * '\r';
    while (p + 8 <= n) {
        uint64_t w;
        memcpy(&w, b + p, 8);
        uint64_t m = bytes_equal(w, pd) | bytes_equal(w, pn) | bytes_equal(w, pr);
        if (m)
            return p + ((size_t)__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < n && !r->special[(unsigned char)b[p]])
        p++;
    return p;
}

chorus_rc ch_csv_open(chorus_ctx *ctx, ch_source *src, char delim, ch_csv **out)
{
    *out = NULL;
    ch_csv *r = ch_calloc(ctx, sizeof *r);
    if (!r)
        return ch_nomem(ctx);
    r->ctx = ctx;
    r->src = src;
    r->delim = delim ? delim : ',';
    r->special[(unsigned char)r->delim] = 1;
    r->special['\n'] = 1;
    r->special['\r'] = 1;
    r->cap = BUF_START;
    r->buf = ch_alloc(ctx, r->cap);
    if (!r->buf) {
        ch_free(ctx, r, sizeof *r);
        return ch_nomem(ctx);
    }
    r->line = 1;
    *out = r;
    return CHORUS_OK;
}

void ch_csv_close(ch_csv *r)
{
    if (!r)
        return;
    ch_free(r->ctx, r->buf, r->cap);
    ch_free(r->ctx, r->f, r->fcap * sizeof *r->f);
    ch_free(r->ctx, r, sizeof *r);
}

void ch_csv_reset(ch_csv *r)
{
    r->len = r->pos = 0;
    r->eof = r->skipping = 0;
    r->line = 1;
    r->nf = 0;
}

static uint64_t count_newlines(const char *p, size_t n)
{
    uint64_t c = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

static int grow_fields(ch_csv *r)
{
    return ch_grow(r->ctx, (void **)&r->f, &r->fcap, r->nf + 1, sizeof *r->f) ? -1 : 0;
}

static inline int add_field(ch_csv *r, size_t off, size_t len, int esc)
{
    if (r->nf == r->fcap && grow_fields(r))
        return -1;
    field *f = &r->f[r->nf++];
    f->off = off;
    f->len = len;
    f->esc = esc;
    return 0;
}

/* Scans a quoted field starting after its opening quote at *pp. Returns
 * REC_MORE when the buffer ends first, else stores the field. */
static int scan_quoted(ch_csv *r, size_t *pp, uint64_t *nl)
{
    const char *b = r->buf;
    size_t p = *pp, s = p, n = r->len;
    int esc = 0;
    for (;;) {
        const char *q = memchr(b + p, '"', n - p);
        if (!q) {
            if (!r->eof)
                return REC_MORE;
            r->status = CH_CSV_UNTERMINATED;
            *nl += count_newlines(b + s, n - s);
            if (add_field(r, s, n - s, esc))
                return REC_ERR;
            *pp = n;
            return REC_DONE;
        }
        size_t qi = (size_t)(q - b);
        if (qi + 1 >= n && !r->eof)
            return REC_MORE;
        if (qi + 1 < n && b[qi + 1] == '"') {
            esc = 1;
            p = qi + 2;
            continue;
        }
        *nl += count_newlines(b + s, qi - s);
        if (add_field(r, s, qi - s, esc))
            return REC_ERR;
        *pp = qi + 1;
        return REC_DONE;
    }
}

/* Parses one record at r->pos without writing to the buffer. */
static int parse_record(ch_csv *r, size_t *end, uint64_t *nl)
{
    const char *b = r->buf;
    const unsigned char *sp = r->special;
    size_t p = r->pos, n = r->len;
    r->nf = 0;
    r->status = CH_CSV_OK;
    *nl = 0;
    for (;;) {
        if (p < n && b[p] == '"') {
            p++;
            int rc = scan_quoted(r, &p, nl);
            if (rc != REC_DONE)
                return rc;
            if (p < n && !sp[(unsigned char)b[p]]) {
                /* Text after the closing quote: keep the row's shape, flag it. */
                r->status = CH_CSV_BAD_QUOTE;
                p = scan_plain(r, p, n);
            }
        } else {
            size_t s = p;
            p = scan_plain(r, p, n);
            if (p >= n && !r->eof)
                return REC_MORE;
            if (add_field(r, s, p - s, 0))
                return REC_ERR;
        }
        if (p >= n) {
            if (!r->eof)
                return REC_MORE;
            r->at_eof = 1;
            *end = p;
            return REC_DONE;
        }
        char c = b[p];
        if (c == r->delim) {
            p++;
            continue;
        }
        if (c == '\r') {
            if (p + 1 >= n && !r->eof)
                return REC_MORE;
            p += (p + 1 < n && b[p + 1] == '\n') ? 2 : 1;
        } else {
            p++;
        }
        (*nl)++;
        r->at_eof = 0;
        *end = p;
        return REC_DONE;
    }
}

static void unescape(ch_csv *r)
{
    for (size_t i = 0; i < r->nf; i++) {
        if (!r->f[i].esc)
            continue;
        char *s = r->buf + r->f[i].off, *d = s, *e = s + r->f[i].len;
        while (s < e) {
            if (*s == '"' && s + 1 < e && s[1] == '"')
                s++;
            *d++ = *s++;
        }
        r->f[i].len = (size_t)(d - (r->buf + r->f[i].off));
    }
}

/* Makes room and reads more input behind the partial record at pos.
 * *too_large is set instead when that record is already over the limit. */
static chorus_rc refill(ch_csv *r, int *too_large)
{
    size_t limit = r->ctx->record_limit;
    *too_large = r->len - r->pos > limit;
    if (*too_large)
        return CHORUS_OK;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        size_t ncap = r->cap * 2 > limit + 1 ? limit + 1 : r->cap * 2;
        char *nb = ch_realloc(r->ctx, r->buf, r->cap, ncap);
        if (!nb)
            return ch_nomem(r->ctx);
        r->buf = nb;
        r->cap = ncap;
    }
    size_t got;
    chorus_rc rc = ch_source_read(r->src, r->buf + r->len, r->cap - r->len, &got);
    if (rc)
        return rc;
    if (got == 0)
        r->eof = 1;
    r->len += got;
    return CHORUS_OK;
}

/* Drops bytes up to and including the next newline (after a too-large record). */
static chorus_rc skip_line(ch_csv *r)
{
    for (;;) {
        const char *nlp = memchr(r->buf + r->pos, '\n', r->len - r->pos);
        if (nlp) {
            r->line += count_newlines(r->buf + r->pos, (size_t)(nlp - (r->buf + r->pos))) + 1;
            r->pos = (size_t)(nlp - r->buf) + 1;
            return CHORUS_OK;
        }
        r->pos = r->len;
        if (r->eof)
            return CHORUS_OK;
        int tl;
        chorus_rc rc = refill(r, &tl);
        if (rc)
            return rc;
    }
}

chorus_rc ch_csv_next(ch_csv *r, int *has)
{
    *has = 0;
    for (;;) {
        /* Blank lines between records carry nothing. */
        while (r->pos < r->len && (r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r')) {
            if (r->buf[r->pos] == '\r' && r->pos + 1 >= r->len && !r->eof)
                break;
            if (r->buf[r->pos] == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n')
                r->pos++;
            r->pos++;
            r->line++;
        }
        if (r->pos >= r->len && r->eof)
            return CHORUS_OK;
        size_t end = 0;
        uint64_t nl = 0;
        int pr = r->pos < r->len ? parse_record(r, &end, &nl) : REC_MORE;
        if (pr == REC_ERR)
            return r->ctx->rc;
        if (pr == REC_DONE && end - r->pos > r->ctx->record_limit) {
            /* Complete but over the limit: skipped like a partial one. */
            r->rec_line = r->line;
            r->line += nl;
            r->pos = end;
            r->nf = 0;
            r->status = CH_CSV_TOO_LARGE;
            *has = 1;
            return CHORUS_OK;
        }
        if (pr == REC_DONE) {
            unescape(r);
            r->rec_line = r->line;
            r->line += nl;
            r->pos = end;
            *has = 1;
            return CHORUS_OK;
        }
        int too_large;
        chorus_rc rc = refill(r, &too_large);
        if (rc)
            return rc;
        if (too_large) {
            r->rec_line = r->line;
            r->nf = 0;
            r->status = CH_CSV_TOO_LARGE;
            if ((rc = skip_line(r)))
                return rc;
            *has = 1;
            return CHORUS_OK;
        }
    }
}

size_t ch_csv_nfields(const ch_csv *r) { return r->nf; }

chorus_str ch_csv_field(const ch_csv *r, size_t i)
{
    chorus_str s = {r->buf + r->f[i].off, r->f[i].len};
    return s;
}

ch_csv_status ch_csv_status_of(const ch_csv *r) { return r->status; }
uint64_t ch_csv_line(const ch_csv *r) { return r->rec_line; }
int ch_csv_ends_at_eof(const ch_csv *r) { return r->at_eof; }
