/*
 * csvdump.c - prints every CSV record of one input as a line of JSON:
 *   {"line":N,"status":"ok","fields":["...",...]}
 * ("member":"name" comes first for zip members). Bytes >= 0x80 are written
 * as \u00XX of the raw byte (the input is treated as Latin-1), so invalid
 * UTF-8 survives exactly. Used by tests/diff to compare with Python's csv.
 * Usage: csvdump FILE [DELIM]   (FILE "-" = stdin; DELIM one byte or "tab")
 */
#include "io/csv_reader.h"

#include <stdio.h>
#include <string.h>

static const char *status_name(ch_csv_status st)
{
    switch (st) {
    case CH_CSV_OK: return "ok";
    case CH_CSV_BAD_QUOTE: return "bad_quote";
    case CH_CSV_TOO_LARGE: return "too_large";
    case CH_CSV_UNTERMINATED: return "unterminated";
    }
    return "unknown";
}

/* Writes p[0..n) as a JSON string. Runs of plain bytes go out with one
 * fwrite, because fields in the differential test reach several MiB. */
static void put_json_string(const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
            continue;
        fwrite(p + run, 1, i - run, stdout);
        run = i + 1;
        if (c == '"' || c == '\\') {
            putchar('\\');
            putchar(c);
        } else {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            fputs(esc, stdout);
        }
    }
    fwrite(p + run, 1, n - run, stdout);
    putchar('"');
}

static void put_record(const ch_csv *r, const char *member)
{
    putchar('{');
    if (member) {
        fputs("\"member\":", stdout);
        put_json_string(member, strlen(member));
        putchar(',');
    }
    printf("\"line\":%llu,\"status\":\"%s\",\"fields\":[", (unsigned long long)ch_csv_line(r),
           status_name(ch_csv_status_of(r)));
    for (size_t i = 0; i < ch_csv_nfields(r); i++) {
        chorus_str f = ch_csv_field(r, i);
        if (i)
            putchar(',');
        put_json_string(f.ptr, f.len);
    }
    fputs("]}\n", stdout);
}

/* Dumps every member of src; a zip's members share one reader, reset
 * between them so line numbers restart at 1 as ingest does. */
static chorus_rc dump(chorus_ctx *ctx, ch_source *src, char delim)
{
    ch_csv *r;
    chorus_rc rc = ch_csv_open(ctx, src, delim, &r);
    if (rc)
        return rc;
    int more;
    while (!(rc = ch_source_next_member(src, &more)) && more) {
        ch_csv_reset(r);
        int has;
        while (!(rc = ch_csv_next(r, &has)) && has)
            put_record(r, ch_source_member(src));
        if (rc)
            break;
    }
    ch_csv_close(r);
    return rc;
}

static int parse_delim(const char *s, char *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(s) != 1)
        return -1;
    *out = s[0];
    return 0;
}

int main(int argc, char **argv)
{
    char delim = ',';
    if (argc < 2 || argc > 3 || (argc == 3 && parse_delim(argv[2], &delim))) {
        fprintf(stderr, "usage: csvdump FILE [DELIM]\n");
        return 2;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx) {
        fprintf(stderr, "csvdump: out of memory\n");
        return 1;
    }
    ch_source *src;
    chorus_rc rc = ch_source_open(ctx, argv[1], &src);
    if (!rc) {
        rc = dump(ctx, src, delim);
        ch_source_close(src);
    }
    if (fflush(stdout) != 0 && !rc) {
        fprintf(stderr, "csvdump: write failed\n");
        chorus_ctx_free(ctx);
        return 1;
    }
    if (rc)
        fprintf(stderr, "csvdump: %s\n", chorus_errmsg(ctx));
    chorus_ctx_free(ctx);
    return rc ? 1 : 0;
}
