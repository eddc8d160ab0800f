/*
 * numbers.c - numbers written as printf writes them (see output.h), for
 * output files of millions of rows where printf's format parsing was most
 * of the time. Values within a hair of a rounding tie, and values out of
 * the fast paths' range, go to snprintf, so the bytes are always printf's.
 */
#include <chorus/output.h>

#include "core/digits.h"

#include <math.h>
#include <string.h>

/* 10^k for 0 <= k <= 22: exact doubles. */
static double pow10_of(int k)
{
    static const double p[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return p[k];
}

/* a * 10^k in steps of exact powers: under 16 roundings for |k| <= 330. */
static double scale_by(double a, int k)
{
    for (; k > 22; k -= 22)
        a *= 1e22;
    for (; k < -22; k += 22)
        a /= 1e22;
    return k >= 0 ? a * pow10_of(k) : a / pow10_of(-k);
}

size_t chorus_fmt_u64(char *out, uint64_t v)
{
    char t[24];
    char *e = ch_write_u64(t, v);
    memcpy(out, t, (size_t)(e - t));
    return (size_t)(e - t);
}

/* Rounds a * 10^k (a >= 0) to an integer as printf rounds the exact
 * value: to nearest, ties to even. For 0 <= k <= 22 the power is exact and
 * fma gives the product's rounding error, so the tie test is exact; other
 * powers are inexact and the value must be clearly off a tie. Returns 0
 * when it cannot tell (or the result is too large): printf decides. */
static int round_scaled(double a, int k, uint64_t *r)
{
    if (k >= 0 && k <= 22) {
        double s = pow10_of(k), x = a * s;
        if (!(x < 4503599627370496.0)) /* 2^52: x - floor(x) exact below */
            return 0;
        double err = fma(a, s, -x), fl = floor(x);
        double cmp = ((x - fl) - 0.5) + err; /* its sign is exact */
        *r = (uint64_t)fl + (cmp > 0 || (cmp == 0 && ((uint64_t)fl & 1)));
        return 1;
    }
    double x = scale_by(a, k); /* relative error under 2^-49 */
    if (!(x < 1e9)) /* so the error stays under 1e-6 */
        return 0;
    double fl = floor(x), f = x - fl;
    if (fabs(f - 0.5) < 1e-3)
        return 0;
    *r = (uint64_t)fl + (f > 0.5);
    return 1;
}

/* Writes r (an integer) as "int.frac" with `decimals` digits after the point. */
static size_t put_scaled(char *out, uint64_t r, int decimals)
{
    uint64_t scale = (uint64_t)pow10_of(decimals);
    size_t n = chorus_fmt_u64(out, r / scale);
    if (decimals == 0)
        return n;
    out[n++] = '.';
    uint64_t frac = r % scale;
    for (int k = decimals - 1; k >= 0; k--, frac /= 10)
        out[n + (size_t)k] = (char)('0' + frac % 10);
    return n + (size_t)decimals;
}

size_t chorus_fmt_fixed(char *out, double v, int decimals)
{
    uint64_t r;
    if (decimals < 0 || decimals > 9 || !round_scaled(fabs(v), decimals, &r))
        return (size_t)snprintf(out, CHORUS_FMT_MAX, "%.*f", decimals, v);
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    return n + put_scaled(out + n, r, decimals);
}

/* Drops trailing zeros after a decimal point, and the point if bare. */
static size_t trim_zeros(char *s, size_t n)
{
    if (!memchr(s, '.', n))
        return n;
    while (s[n - 1] == '0')
        n--;
    return s[n - 1] == '.' ? n - 1 : n;
}

/* %.Pg of a > 0 given its P significant digits r (10^(P-1) <= r < 10^P)
 * and decimal exponent x: fixed notation when -4 <= x < P, else
 * d.ddde[+-]XX; trailing zeros dropped either way. */
static size_t put_general(char *out, uint64_t r, int x, int prec)
{
    char d[24];
    size_t nd = chorus_fmt_u64(d, r), n = 0;
    if (x < -4 || x >= prec) {
        out[n++] = d[0];
        out[n++] = '.';
        memcpy(out + n, d + 1, nd - 1);
        n = trim_zeros(out, n + nd - 1);
        out[n++] = 'e';
        out[n++] = x < 0 ? '-' : '+';
        unsigned ex = (unsigned)(x < 0 ? -x : x);
        if (ex < 10)
            out[n++] = '0';
        return n + chorus_fmt_u64(out + n, ex);
    }
    if (x < 0) {
        memcpy(out, "0.", 2), n = 2;
        for (int k = -1; k > x; k--)
            out[n++] = '0';
        memcpy(out + n, d, nd);
        return trim_zeros(out, n + nd);
    }
    memcpy(out, d, (size_t)x + 1);
    n = (size_t)x + 1;
    out[n++] = '.';
    memcpy(out + n, d + x + 1, nd - (size_t)x - 1);
    return trim_zeros(out, n + nd - (size_t)x - 1);
}

size_t chorus_fmt_general(char *out, double v, int prec)
{
    double a = fabs(v);
    if (a == 0 && prec >= 1 && prec <= 9)
        return signbit(v) ? (memcpy(out, "-0", 2), 2) : (out[0] = '0', 1);
    int ok = prec >= 1 && prec <= 9 && a >= 1e-300 && a < 1e300;
    int x = ok ? (int)floor(log10(a)) : 0; /* the exponent, give or take one */
    uint64_t r = 0, lo = ok ? (uint64_t)pow10_of(prec - 1) : 1, hi = lo * 10;
    for (int tries = 0; ok; tries++) {
        ok = tries < 4 && round_scaled(a, prec - 1 - x, &r);
        if (ok && r >= hi)
            x++; /* rounds up to 10^prec: one more digit before the point */
        else if (ok && r < lo)
            x--;
        else
            break;
    }
    if (!ok)
        return (size_t)snprintf(out, CHORUS_FMT_MAX, "%.*g", prec, v);
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    return n + put_general(out + n, r, x, prec);
}
