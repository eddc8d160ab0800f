/*
 * digits.h - fast decimal writing for the generators' hot loops: two
 * digits per table lookup, eight at a time in 32-bit arithmetic, no
 * printf. Header-only so the compiler can inline it into row writers.
 */
#ifndef CH_DIGITS_H
#define CH_DIGITS_H

#include <stdint.h>
#include <string.h>

/* The two digits of v < 100. */
static inline const char *ch_digit_pair(unsigned v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    return pairs + v * 2;
}

/* Exactly 8 digits of x < 10^8, ending at q. */
static inline void ch_put8(char *q, uint32_t x)
{
    uint32_t hi = x / 10000, lo = x % 10000;
    memcpy(q - 8, ch_digit_pair(hi / 100), 2);
    memcpy(q - 6, ch_digit_pair(hi % 100), 2);
    memcpy(q - 4, ch_digit_pair(lo / 100), 2);
    memcpy(q - 2, ch_digit_pair(lo % 100), 2);
}

/* The digits of x (no padding), ending at q; returns where they start. */
static inline char *ch_put_u32(char *q, uint32_t x)
{
    while (x >= 100) {
        q -= 2;
        memcpy(q, ch_digit_pair(x % 100), 2);
        x /= 100;
    }
    if (x >= 10) {
        q -= 2;
        memcpy(q, ch_digit_pair(x), 2);
    } else {
        *--q = (char)('0' + x);
    }
    return q;
}

/* Writes v in decimal at p and returns the end. Copies a fixed 24 bytes
 * (an inlined copy, unlike a variable one): p needs 24 bytes of room. */
static inline char *ch_write_u64(char *p, uint64_t v)
{
    char t[48], *e = t + 24, *q = e;
    while (v >= 100000000) {
        ch_put8(q, (uint32_t)(v % 100000000));
        q -= 8;
        v /= 100000000;
    }
    q = ch_put_u32(q, (uint32_t)v);
    memcpy(p, q, 24);
    return p + (e - q);
}

#endif
