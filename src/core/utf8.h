/*
 * utf8.h - UTF-8 validation: the corpus keeps texts as the bytes it was
 * given and counts the ones that are not valid UTF-8, so later stages
 * (and the analyst) know how damaged the input was.
 */
#ifndef CH_UTF8_H
#define CH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (2-4) of the valid multi-byte sequence at s, or 0 when s[0]
 * does not start one that is complete and well-formed within n bytes
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static inline size_t ch_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool ch_utf8_valid(const char *p, size_t n);

#endif
