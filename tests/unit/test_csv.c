/*
 * test_csv.c - unit tests of the CSV reader and the byte sources under it:
 * quoting, line ends, physical line numbers, status codes, the record
 * limit, records bigger than the first buffer, other delimiters, and
 * gzip/zstd/zip inputs (made here with zlib, libzstd and libarchive),
 * truncated archives, missing files and peek-then-read.
 */
#include "check.h"
#include "io/csv_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/chorus-test-csv-XXXXXX";

/* Paths of the files a test wrote, removed at the end. */
static char made[64][256];
static int n_made;

static const char *tmp_path(const char *name)
{
    char *p = made[n_made++ % 64];
    snprintf(p, sizeof made[0], "%s/%s", tmpdir, name);
    return p;
}

static const char *write_file(const char *name, const void *data, size_t n)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        perror(path);
        exit(2);
    }
    fclose(f);
    return path;
}

static const char *write_str(const char *name, const char *s)
{
    return write_file(name, s, strlen(s));
}

/* An open reader over the first member of one file. */
typedef struct rd {
    chorus_ctx *ctx;
    ch_source *src;
    ch_csv *csv;
    chorus_rc rc; /* of the last rd_next */
} rd;

static int rd_open_ctx(rd *r, chorus_ctx *ctx, const char *path, char delim)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    int more = 0;
    if (ch_source_open(ctx, path, &r->src) || ch_source_next_member(r->src, &more) || !more ||
        ch_csv_open(ctx, r->src, delim, &r->csv)) {
        fprintf(stderr, "cannot open %s: %s\n", path, chorus_errmsg(ctx));
        return -1;
    }
    return 0;
}

static int rd_open(rd *r, const char *path, char delim)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    return ctx ? rd_open_ctx(r, ctx, path, delim) : -1;
}

/* 1 with a record, 0 at the end, -1 on error (code in r->rc). */
static int rd_next(rd *r)
{
    int has = 0;
    r->rc = ch_csv_next(r->csv, &has);
    return r->rc ? -1 : has;
}

static void rd_close(rd *r)
{
    ch_csv_close(r->csv);
    ch_source_close(r->src);
    chorus_ctx_free(r->ctx);
}

#define FIELD_IS(r, i, s)                                  \
    do {                                                   \
        chorus_str f_ = ch_csv_field((r)->csv, (i));       \
        CHECK_STRN(f_.ptr, f_.len, (s));                   \
    } while (0)

/* Expects a record with the given start line, status and field count. */
#define RECORD(r, line, st, nf)                              \
    do {                                                     \
        CHECK_INT(rd_next(r), 1);                            \
        CHECK_INT(ch_csv_line((r)->csv), (line));            \
        CHECK_INT(ch_csv_status_of((r)->csv), (st));         \
        CHECK_INT(ch_csv_nfields((r)->csv), (nf));           \
    } while (0)

static void test_quoted_newlines(void)
{
    rd r;
    if (rd_open(&r, write_str("qnl.csv", "a,\"b\nc\"\nd,\"e\r\nf\n\ng\"\nh,i\n"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "a");
    FIELD_IS(&r, 1, "b\nc");
    RECORD(&r, 3, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "e\r\nf\n\ng");
    RECORD(&r, 7, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "h");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_doubled_quotes(void)
{
    rd r;
    if (rd_open(&r, write_str("dq.csv", "\"x\"\"y\",\"\"\"\"\"\",\"\",\"a\"\"\"\n"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 4);
    FIELD_IS(&r, 0, "x\"y");
    FIELD_IS(&r, 1, "\"\"");
    FIELD_IS(&r, 2, "");
    FIELD_IS(&r, 3, "a\"");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_crlf(void)
{
    rd r;
    if (rd_open(&r, write_str("crlf.csv", "a,b\r\n\"c\",d\r\n,\r\n"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "b");
    RECORD(&r, 2, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "c");
    FIELD_IS(&r, 1, "d");
    RECORD(&r, 3, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "");
    FIELD_IS(&r, 1, "");
    CHECK_INT(ch_csv_ends_at_eof(r.csv), 0);
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

/* A lone CR ends a record (old Mac files) but is data inside quotes. */
static void test_lone_cr(void)
{
    rd r;
    if (rd_open(&r, write_str("cr.csv", "a,b\rc,\"d\re\"\rf\r"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "b");
    RECORD(&r, 2, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "c");
    FIELD_IS(&r, 1, "d\re");
    RECORD(&r, 3, CH_CSV_OK, 1);
    FIELD_IS(&r, 0, "f");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_blank_lines(void)
{
    rd r;
    if (rd_open(&r, write_str("blank.csv", "\n\r\na\n\n\r\n\nb,c\n\n"), 0))
        return;
    RECORD(&r, 3, CH_CSV_OK, 1);
    FIELD_IS(&r, 0, "a");
    RECORD(&r, 7, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "c");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    /* Only blank lines, and an empty file: no records at all. */
    if (rd_open(&r, write_str("blank2.csv", "\n\n\r\n"), 0))
        return;
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    if (rd_open(&r, write_str("empty.csv", ""), 0))
        return;
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_no_final_newline(void)
{
    rd r;
    if (rd_open(&r, write_str("noeol.csv", "a,b\nc,d"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    CHECK_INT(ch_csv_ends_at_eof(r.csv), 0);
    RECORD(&r, 2, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "d");
    CHECK_INT(ch_csv_ends_at_eof(r.csv), 1);
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    /* A trailing empty field and a quoted last field at EOF. */
    if (rd_open(&r, write_str("noeol2.csv", "x,\n\"y\",\"z\""), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "");
    RECORD(&r, 2, CH_CSV_OK, 2);
    FIELD_IS(&r, 1, "z");
    CHECK_INT(ch_csv_ends_at_eof(r.csv), 1);
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_unterminated(void)
{
    rd r;
    if (rd_open(&r, write_str("unterm.csv", "a,b\nc,\"d\ne,f\n"), 0))
        return;
    RECORD(&r, 1, CH_CSV_OK, 2);
    RECORD(&r, 2, CH_CSV_UNTERMINATED, 2);
    FIELD_IS(&r, 0, "c");
    FIELD_IS(&r, 1, "d\ne,f\n");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static void test_bad_quote(void)
{
    rd r;
    if (rd_open(&r, write_str("badq.csv", "\"ab\"cd,e\n\"x\" ,y\nok,1\n"), 0))
        return;
    RECORD(&r, 1, CH_CSV_BAD_QUOTE, 2); /* the row keeps its shape */
    FIELD_IS(&r, 0, "ab");
    FIELD_IS(&r, 1, "e");
    RECORD(&r, 2, CH_CSV_BAD_QUOTE, 2);
    FIELD_IS(&r, 1, "y");
    RECORD(&r, 3, CH_CSV_OK, 2); /* and the status does not stick */
    FIELD_IS(&r, 0, "ok");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

/* A record longer than the limit is reported with no fields; the reader
 * resumes at the next line and keeps counting lines. */
static void test_too_large(void)
{
    size_t big = 3000;
    char *doc = malloc(big + 64);
    if (!doc)
        return;
    strcpy(doc, "a,1\n\"");
    memset(doc + 5, 'x', big);
    doc[1000] = '\n'; /* a quoted newline inside the skipped record */
    strcpy(doc + 5 + big, "\"\nb,2\n\nc,3\n");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_record_limit(ctx, 1024);
    rd r;
    if (rd_open_ctx(&r, ctx, write_str("large.csv", doc), 0)) {
        free(doc);
        return;
    }
    RECORD(&r, 1, CH_CSV_OK, 2);
    RECORD(&r, 2, CH_CSV_TOO_LARGE, 0);
    RECORD(&r, 4, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "b");
    RECORD(&r, 6, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "c");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    free(doc);
}

/* The same when the record does not fit the first 4 MiB buffer and is
 * found too large before it is complete. */
static void test_too_large_partial(void)
{
    size_t big = (size_t)6 << 20;
    char *doc = malloc(big + 64);
    if (!doc)
        return;
    strcpy(doc, "a,1\n");
    memset(doc + 4, 'y', big);
    strcpy(doc + 4 + big, "\nb,2\n");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_record_limit(ctx, (size_t)5 << 20);
    rd r;
    if (rd_open_ctx(&r, ctx, write_str("large2.csv", doc), 0)) {
        free(doc);
        return;
    }
    RECORD(&r, 1, CH_CSV_OK, 2);
    RECORD(&r, 2, CH_CSV_TOO_LARGE, 0);
    RECORD(&r, 3, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "b");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    free(doc);
}

/* Builds: a small record, then one quoted field of about 5 MiB with
 * doubled quotes and newlines in it (so the record crosses the reader's
 * 4 MiB first buffer and the 256 KiB reads), then a last record. */
static char *big_doc(size_t *n, size_t *field_len, size_t *field_lines)
{
    size_t body = (size_t)5 << 20;
    char *d = malloc(body * 2 + 64);
    if (!d)
        return NULL;
    size_t k = 0;
    k += (size_t)sprintf(d, "first,1\nbig,\"");
    *field_len = *field_lines = 0;
    for (size_t i = 0; i < body; i++) {
        char c = (char)('a' + i % 26);
        if (i % 1000 == 999)
            c = '"';
        else if (i % 4099 == 4098)
            c = '\n';
        if (c == '"')
            d[k++] = '"';
        if (c == '\n')
            (*field_lines)++;
        d[k++] = c;
        (*field_len)++;
    }
    k += (size_t)sprintf(d + k, "\",end\nlast,2\n");
    *n = k;
    return d;
}

static void test_big_record(void)
{
    size_t n, flen, flines;
    char *d = big_doc(&n, &flen, &flines);
    if (!d)
        return;
    rd r;
    if (rd_open(&r, write_file("big.csv", d, n), 0)) {
        free(d);
        return;
    }
    RECORD(&r, 1, CH_CSV_OK, 2);
    RECORD(&r, 2, CH_CSV_OK, 3);
    chorus_str f = ch_csv_field(r.csv, 1);
    CHECK_INT(f.len, flen);
    CHECK(f.len > ((size_t)4 << 20));
    int same = 1;
    for (size_t i = 0; i < flen && i < f.len && same; i++) {
        char c = (char)('a' + i % 26);
        c = i % 1000 == 999 ? '"' : i % 4099 == 4098 ? '\n' : c;
        same = f.ptr[i] == c;
    }
    CHECK(same);
    FIELD_IS(&r, 2, "end");
    RECORD(&r, 2 + flines + 1, CH_CSV_OK, 2);
    FIELD_IS(&r, 0, "last");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
    free(d);
}

static void test_semicolon(void)
{
    rd r;
    if (rd_open(&r, write_str("semi.csv", "a;b,c;\"d;e\"\n1;;\"\"\"\"\n"), ';'))
        return;
    RECORD(&r, 1, CH_CSV_OK, 3);
    FIELD_IS(&r, 0, "a");
    FIELD_IS(&r, 1, "b,c");
    FIELD_IS(&r, 2, "d;e");
    RECORD(&r, 2, CH_CSV_OK, 3);
    FIELD_IS(&r, 1, "");
    FIELD_IS(&r, 2, "\"");
    CHECK_INT(rd_next(&r), 0);
    rd_close(&r);
}

static const char sample[] = "id,text\n1,\"hello, world\"\n2,\"two\nlines\"\n3,last\n";

/* Checks that a reader over any kind of source sees `sample`. */
static void check_sample(rd *r)
{
    RECORD(r, 1, CH_CSV_OK, 2);
    FIELD_IS(r, 1, "text");
    RECORD(r, 2, CH_CSV_OK, 2);
    FIELD_IS(r, 1, "hello, world");
    RECORD(r, 3, CH_CSV_OK, 2);
    FIELD_IS(r, 1, "two\nlines");
    RECORD(r, 5, CH_CSV_OK, 2);
    FIELD_IS(r, 1, "last");
    CHECK_INT(rd_next(r), 0);
}

/* gzip (not zlib) framing into a malloc'd buffer. */
static unsigned char *gzip_mem(const void *data, size_t n, size_t *out_n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int r = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_n = cap - z.avail_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static unsigned char *zstd_mem(const void *data, size_t n, size_t *out_n)
{
    size_t cap = ZSTD_compressBound(n);
    unsigned char *out = malloc(cap);
    if (!out)
        return NULL;
    *out_n = ZSTD_compress(out, cap, data, n, 3);
    if (ZSTD_isError(*out_n)) {
        free(out);
        return NULL;
    }
    return out;
}

static void test_gzip(void)
{
    size_t n;
    unsigned char *gz = gzip_mem(sample, strlen(sample), &n);
    CHECK(gz != NULL);
    if (!gz)
        return;
    rd r;
    if (!rd_open(&r, write_file("sample.csv.gz", gz, n), 0)) {
        CHECK_INT(ch_source_kind_of(r.src), CH_SRC_GZIP);
        check_sample(&r);
        rd_close(&r);
    }
    free(gz);
}

static void test_zstd(void)
{
    size_t n;
    unsigned char *zs = zstd_mem(sample, strlen(sample), &n);
    CHECK(zs != NULL);
    if (!zs)
        return;
    rd r;
    /* No telling extension: the kind comes from the magic bytes. */
    if (!rd_open(&r, write_file("sample.bin", zs, n), 0)) {
        CHECK_INT(ch_source_kind_of(r.src), CH_SRC_ZSTD);
        check_sample(&r);
        rd_close(&r);
    }
    free(zs);
}

static int zip_add(struct archive *a, const char *name, const char *data)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)strlen(data));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    int r = archive_write_header(a, e);
    if (r == ARCHIVE_OK && archive_write_data(a, data, strlen(data)) != (la_ssize_t)strlen(data))
        r = ARCHIVE_FATAL;
    archive_entry_free(e);
    return r;
}

static const char *write_zip(void)
{
    const char *path = tmp_path("two.zip");
    struct archive *a = archive_write_new();
    int ok = a && archive_write_set_format_zip(a) == ARCHIVE_OK &&
             archive_write_open_filename(a, path) == ARCHIVE_OK &&
             zip_add(a, "first.csv", sample) == ARCHIVE_OK &&
             zip_add(a, "second.csv", "k,v\n\nx,\"y\"\"z\"\n") == ARCHIVE_OK &&
             archive_write_close(a) == ARCHIVE_OK;
    if (!ok)
        fprintf(stderr, "zip: %s\n", a ? archive_error_string(a) : "no memory");
    archive_write_free(a);
    return ok ? path : NULL;
}

/* Two members, read one after the other with the reader reset between. */
static void test_zip_members(void)
{
    const char *path = write_zip();
    CHECK(path != NULL);
    if (!path)
        return;
    rd r;
    if (rd_open(&r, path, 0))
        return;
    CHECK_INT(ch_source_kind_of(r.src), CH_SRC_ZIP);
    CHECK_STR(ch_source_member(r.src), "first.csv");
    check_sample(&r);
    int more = 0;
    CHECK_INT(ch_source_next_member(r.src, &more), CHORUS_OK);
    CHECK_INT(more, 1);
    if (more) {
        CHECK_STR(ch_source_member(r.src), "second.csv");
        ch_csv_reset(r.csv);
        RECORD(&r, 1, CH_CSV_OK, 2);
        FIELD_IS(&r, 0, "k");
        RECORD(&r, 3, CH_CSV_OK, 2);
        FIELD_IS(&r, 1, "y\"z");
        CHECK_INT(rd_next(&r), 0);
        CHECK_INT(ch_source_next_member(r.src, &more), CHORUS_OK);
        CHECK_INT(more, 0);
    }
    rd_close(&r);
}

/* Many rows, so that half of the compressed file is well inside the data.
 * *rows gets their number. */
static char *many_rows(size_t *n, int *rows)
{
    char *d = malloc(200000);
    size_t k = 0;
    int i = 0;
    for (; d && k < 190000; i++)
        k += (size_t)sprintf(d + k, "%d,row number %d,\"q%d\"\n", i, i * 7919, i);
    *n = k;
    *rows = i;
    return d;
}

/* Reads every record; returns the first error code (or OK). */
static chorus_rc read_to_end(rd *r)
{
    int h;
    while ((h = rd_next(r)) == 1)
        ;
    return h < 0 ? r->rc : CHORUS_OK;
}

static void check_truncated(const char *name, unsigned char *(*pack)(const void *, size_t, size_t *))
{
    size_t n, zn;
    int rows;
    char *d = many_rows(&n, &rows);
    unsigned char *z = d ? pack(d, n, &zn) : NULL;
    CHECK(z != NULL);
    if (z) {
        const char *path = write_file(name, z, zn / 2);
        rd r;
        if (!rd_open(&r, path, 0)) {
            CHECK_INT(read_to_end(&r), CHORUS_EINPUT);
            CHECK(strstr(chorus_errmsg(r.ctx), path) != NULL);
            CHECK(strstr(chorus_errmsg(r.ctx), "truncated") != NULL);
            rd_close(&r);
        }
        /* The whole file reads cleanly: the error came from the cut. */
        path = write_file(name, z, zn);
        if (!rd_open(&r, path, 0)) {
            CHECK_INT(read_to_end(&r), CHORUS_OK);
            CHECK_INT(ch_csv_line(r.csv), rows); /* the last row's line */
            rd_close(&r);
        }
    }
    free(z);
    free(d);
}

static void test_truncated(void)
{
    check_truncated("cut.csv.gz", gzip_mem);
    check_truncated("cut.csv.zst", zstd_mem);
}

static void test_missing_file(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    ch_source *s = (ch_source *)1;
    const char *path = tmp_path("does-not-exist.csv");
    CHECK_INT(ch_source_open(ctx, path, &s), CHORUS_EIO);
    CHECK(s == NULL);
    CHECK_INT(chorus_errcode(ctx), CHORUS_EIO);
    CHECK(strstr(chorus_errmsg(ctx), path) != NULL);
    chorus_ctx_free(ctx);
}

/* Peeked bytes come back again from the reads, in order, then the rest. */
static void check_peek(const char *path, const char *want, size_t n)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    ch_source *s;
    int more;
    if (ch_source_open(ctx, path, &s) || ch_source_next_member(s, &more)) {
        CHECK(0);
        chorus_ctx_free(ctx);
        return;
    }
    const char *p;
    size_t pn;
    CHECK_INT(ch_source_peek(s, &p, &pn), CHORUS_OK);
    CHECK_INT(pn, n < 4096 ? n : 4096);
    CHECK(memcmp(p, want, pn) == 0);
    char *got = malloc(n + 1);
    size_t k = 0, g = 1;
    while (got && g && k <= n)
        if (ch_source_read(s, got + k, n + 1 - k, &g))
            break;
        else
            k += g;
    CHECK_INT(k, n);
    CHECK(got && memcmp(got, want, n) == 0);
    free(got);
    ch_source_close(s);
    chorus_ctx_free(ctx);
}

static void test_peek_then_read(void)
{
    size_t n, zn;
    int rows;
    char *d = many_rows(&n, &rows);
    if (!d)
        return;
    check_peek(write_file("peek.csv", d, n), d, n);
    unsigned char *z = gzip_mem(d, n, &zn);
    if (z)
        check_peek(write_file("peek.csv.gz", z, zn), d, n);
    free(z);
    check_peek(write_str("peek-short.csv", "a,b\n"), "a,b\n", 4);
    free(d);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_quoted_newlines);
    RUN(test_doubled_quotes);
    RUN(test_crlf);
    RUN(test_lone_cr);
    RUN(test_blank_lines);
    RUN(test_no_final_newline);
    RUN(test_unterminated);
    RUN(test_bad_quote);
    RUN(test_too_large);
    RUN(test_too_large_partial);
    RUN(test_big_record);
    RUN(test_semicolon);
    RUN(test_gzip);
    RUN(test_zstd);
    RUN(test_zip_members);
    RUN(test_truncated);
    RUN(test_missing_file);
    RUN(test_peek_then_read);
    for (int i = 0; i < n_made && i < 64; i++)
        unlink(made[i]);
    rmdir(tmpdir);
    TEST_END("test_csv");
}
