/*
 * utf8.c - UTF-8 validation (see utf8.h) with an ASCII fast path of eight
 * bytes at a time; the multi-byte rules are ch_utf8_seq's (utf8.h).
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

bool ch_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            i += 2; /* two-byte letters (Arabic, Persian, Cyrillic...) are common */
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}
