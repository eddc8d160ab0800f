/*
 * csv_writer.c - CSV cells and JSON strings for every output file (see
 * output.h). Quoting follows RFC 4180; formula neutralisation follows the
 * OWASP CSV-injection advice (a leading apostrophe), sparing numbers so
 * negative values stay numeric.
 */
#include <chorus/output.h>

#include "core/utf8.h"

#include <string.h>

static int is_number(const char *p, size_t n)
{
    size_t i = (n && (p[0] == '-' || p[0] == '+')) ? 1 : 0;
    int digits = 0, dot = 0;
    for (; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9')
            digits = 1;
        else if (p[i] == '.' && !dot)
            dot = 1;
        else
            return 0;
    }
    return digits;
}

/* Whether the cell needs quotes; *formula: it also needs the apostrophe. */
static int needs_quotes(const char *p, size_t n, unsigned flags, int *formula)
{
    *formula = (flags & CHORUS_CSV_NEUTRALISE) && n && strchr("=+-@\t\r", p[0]) != NULL &&
               !is_number(p, n);
    int quote = *formula;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    return quote;
}

int chorus_csv_field(FILE *out, const char *p, size_t n, unsigned flags)
{
    int formula;
    if (!needs_quotes(p, n, flags, &formula))
        return fwrite(p, 1, n, out) == n ? 0 : -1;
    if (putc('"', out) == EOF || (formula && putc('\'', out) == EOF))
        return -1;
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '"') {
            if (fwrite(p + start, 1, i + 1 - start, out) != i + 1 - start || putc('"', out) == EOF)
                return -1;
            start = i + 1;
        }
    if (fwrite(p + start, 1, n - start, out) != n - start)
        return -1;
    return putc('"', out) == EOF ? -1 : 0;
}

size_t chorus_csv_cell(char *out, const char *p, size_t n, unsigned flags)
{
    int formula;
    if (!needs_quotes(p, n, flags, &formula)) {
        memcpy(out, p, n);
        return n;
    }
    size_t k = 0;
    out[k++] = '"';
    if (formula)
        out[k++] = '\'';
    for (size_t i = 0; i < n; i++) {
        out[k++] = p[i];
        if (p[i] == '"')
            out[k++] = '"';
    }
    out[k++] = '"';
    return k;
}

int chorus_json_string(FILE *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    putc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\')
                fprintf(out, "\\%c", c);
            else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
                fprintf(out, "\\u%04x", c);
            else
                putc((int)c, out);
            i++;
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        if (!len) {
            fputs("\\ufffd", out);
            i++;
        } else if (len == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            fprintf(out, "\\u%04x", s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
            i += 3;
        } else {
            fwrite(s + i, 1, len, out);
            i += len;
        }
    }
    return putc('"', out) == EOF || ferror(out) ? -1 : 0;
}
