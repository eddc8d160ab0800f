/*
 * anchors.c - the anchors of passage reuse: a match form as code points
 * (with byte offsets back into it), rolling hashes of its k-code-point
 * grams, and winnowing (Schleimer et al. 2003), which keeps few of them
 * yet guarantees a shared anchor in every common run of w + k - 1 code
 * points, whatever text surrounds it.
 */
#include "core/ctx.h"
#include "core/hash.h"
#include "core/utf8.h"

#include <chorus/trace.h>

size_t chorus_trace_decode(const char *s, size_t n, uint32_t *cp, uint32_t *off)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, m = 0;
    while (i < n) {
        size_t len = u[i] < 0x80 ? 1 : ch_utf8_seq(u + i, n - i);
        uint32_t c;
        if (len == 1)
            c = u[i];
        else if (len == 0) {
            c = 0xFFFD; /* the match form is valid UTF-8; raw input may not be */
            len = 1;
        } else {
            c = u[i] & (0xFF >> (len + 1));
            for (size_t j = 1; j < len; j++)
                c = (c << 6) | (u[i + j] & 0x3F);
        }
        off[m] = (uint32_t)i;
        cp[m++] = c;
        i += len;
    }
    off[m] = (uint32_t)n;
    return m;
}

/* Odd multiplier of the polynomial rolling hash (mod 2^64); the result is
 * mixed before use so that nearby grams get unrelated hashes. */
#define ROLL_BASE 0x100000001b3ULL

static uint64_t pow_base(uint32_t k)
{
    uint64_t p = 1;
    for (uint32_t i = 1; i < k; i++)
        p *= ROLL_BASE;
    return p;
}

/* Writes the mixed hash of every k-gram into h[0..n-k+1). */
static void gram_hashes(const uint32_t *cp, size_t n, uint32_t k, uint64_t *h)
{
    uint64_t top = pow_base(k), r = 0;
    for (size_t i = 0; i < k; i++)
        r = r * ROLL_BASE + (uint64_t)cp[i] + 1;
    h[0] = ch_mix64(r ^ k);
    for (size_t i = 1; i + k <= n; i++) {
        r = (r - ((uint64_t)cp[i - 1] + 1) * top) * ROLL_BASE + (uint64_t)cp[i + k - 1] + 1;
        h[i] = ch_mix64(r ^ k);
    }
}

/* Position of the rightmost minimum of h[from..to]. */
static size_t rightmost_min(const uint64_t *h, size_t from, size_t to)
{
    size_t best = from;
    for (size_t i = from + 1; i <= to; i++)
        if (h[i] <= h[best])
            best = i;
    return best;
}

size_t chorus_trace_winnow(const uint32_t *cp, size_t n, uint32_t k, uint32_t w, uint64_t *h,
                           chorus_trace_anchor *out)
{
    if (k == 0 || n < k)
        return 0;
    if (w == 0)
        w = 1;
    size_t ng = n - k + 1, m = 0, span = ng < w ? ng : w;
    gram_hashes(cp, n, k, h);
    size_t windows = ng - span + 1, last = (size_t)-1;
    size_t cur = rightmost_min(h, 0, span - 1);
    for (size_t s = 0; s < windows; s++) {
        size_t end = s + span - 1;
        if (s > 0) {
            if (cur < s)
                cur = rightmost_min(h, s, end);
            else if (h[end] <= h[cur])
                cur = end;
        }
        if (cur != last) {
            out[m].hash = h[cur];
            out[m].pos = (uint32_t)cur;
            m++;
            last = cur;
        }
    }
    return m;
}
