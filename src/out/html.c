/*
 * html.c - escaping text for the HTML report (see report.h): as HTML text
 * and as JSON strings inside <script>. Input text is adversarial: markup
 * must stay text, nothing may close the script element, and bidi controls
 * must not turn the report's own words around, so they are shown rather
 * than obeyed.
 */
#include <chorus/report.h>

#include "core/utf8.h"

/* Code point of a valid 3-byte sequence, or 0. */
static unsigned cp3(const unsigned char *s)
{
    return ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
}

static int is_bidi_control(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

static void ascii(FILE *out, unsigned char c)
{
    switch (c) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default:
        if (c < 0x20 && c != '\n' && c != '\t')
            fputs("\xEF\xBF\xBD", out);
        else
            putc(c, out);
    }
}

void chorus_html_text(FILE *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            ascii(out, s[i++]);
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        if (!len) {
            fputs("\xEF\xBF\xBD", out);
            i++;
            continue;
        }
        unsigned cp = len == 2 ? ((s[i] & 0x1fu) << 6) | (s[i + 1] & 0x3fu) : len == 3 ? cp3(s + i) : 0;
        if (is_bidi_control(cp))
            fprintf(out, "[U+%04X]", cp);
        else
            fwrite(s + i, 1, len, out);
        i += len;
    }
}

/* One ASCII byte inside a JSON string that sits in a <script> element:
 * < > & become \u escapes, so "</script>" and "<!--" cannot appear. */
static void json_ascii(FILE *out, unsigned char c)
{
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\t': fputs("\\t", out); break;
    case '<': case '>': case '&': case '\'':
        fprintf(out, "\\u%04x", c);
        break;
    default:
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            putc(c, out);
    }
}

void chorus_html_json_string(FILE *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    putc('"', out);
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            json_ascii(out, s[i++]);
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        if (!len) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        unsigned cp = len == 2 ? ((s[i] & 0x1fu) << 6) | (s[i + 1] & 0x3fu) : len == 3 ? cp3(s + i) : 0;
        if (is_bidi_control(cp))
            fprintf(out, "[U+%04X]", cp);
        else if (cp == 0x2028 || cp == 0x2029)
            fprintf(out, "\\u%04x", cp);
        else
            fwrite(s + i, 1, len, out);
        i += len;
    }
    putc('"', out);
}
