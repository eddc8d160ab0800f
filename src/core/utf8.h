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
 * does not start one that is complete and well-formed within n bytes. */
size_t ch_utf8_seq(const unsigned char *s, size_t n);

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool ch_utf8_valid(const char *p, size_t n);

#endif
