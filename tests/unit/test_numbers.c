/*
 * test_numbers.c - the printf-free number writers of output.h against
 * snprintf itself: ties, values near ties, every magnitude a p-value or a
 * delay takes, signs, zero, infinities, NaN, and random values.
 * The writers exist to make output files faster, never different.
 */
#include "check.h"

#include <chorus/output.h>
#include <math.h>

static int mismatches;

/* Compares one value in the formats the coord rows use. */
static void same(double v)
{
    static const int fixed[] = {0, 1, 3, 4, 6, 9};
    char want[400], got[CHORUS_FMT_MAX];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        int n = snprintf(want, sizeof want, "%.*f", fixed[i], v);
        size_t k = chorus_fmt_fixed(got, v, fixed[i]);
        if ((size_t)n != k || memcmp(want, got, k)) {
            if (mismatches++ < 10)
                fprintf(stderr, "%%.%df of %.17g: \"%s\", got \"%.*s\"\n", fixed[i], v, want, (int)k, got);
        }
    }
    for (int prec = 0; prec <= 12; prec++) { /* 0 and over 9: the snprintf path */
        int n = snprintf(want, sizeof want, "%.*g", prec, v);
        size_t k = chorus_fmt_general(got, v, prec);
        if ((size_t)n != k || memcmp(want, got, k)) {
            if (mismatches++ < 10)
                fprintf(stderr, "%%.%dg of %.17g: \"%s\", got \"%.*s\"\n", prec, v, want, (int)k, got);
        }
    }
}

static void test_special(void)
{
    mismatches = 0;
    double v[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 0.125, 0.0625, 0.0005, 0.00049999999999999,
                  0.9995, 0.99949999999999994, 999.5, 9.995, 1e-4, 9.9995e-5, 0.001, 1e-300, 5e-324,
                  1e300, 1.7976931348623157e308, INFINITY, -INFINITY, NAN, 123456789.125, 4503599627370497.0,
                  1e22, 1e23, 0.1, 0.2, 0.3, 2.0 / 3, 1.0 / 3, 12.3456, 60.0, 59.999, 86400.5};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        same(v[i]);
        same(-v[i]);
    }
    CHECK_INT(mismatches, 0);
}

/* Halves, quarters, ... of integers: exact ties at every position. */
static void test_ties(void)
{
    mismatches = 0;
    for (int scale = 1; scale <= 1 << 14; scale *= 2)
        for (int i = 0; i < 3000; i++)
            same((double)i / scale);
    for (int i = 0; i < 30000; i++) /* milliseconds as seconds, as the delays are */
        same((double)i / 1000.0);
    CHECK_INT(mismatches, 0);
}

/* Random bit patterns over the magnitudes of p-values and shares. */
static void test_random(void)
{
    mismatches = 0;
    uint64_t s = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double v = i % 3 == 0 ? u : i % 3 == 1 ? pow(10.0, -320 * u) : u * pow(10.0, (int)(s % 40) - 10);
        same(v);
    }
    CHECK_INT(mismatches, 0);
}

static void test_u64_and_cell(void)
{
    char out[64];
    CHECK_STRN(out, chorus_fmt_u64(out, 0), "0");
    CHECK_STRN(out, chorus_fmt_u64(out, 18446744073709551615ull), "18446744073709551615");
    CHECK_STRN(out, chorus_csv_cell(out, "a,b", 3, CHORUS_CSV_NEUTRALISE), "\"a,b\"");
    CHECK_STRN(out, chorus_csv_cell(out, "=1+\"2\"", 6, CHORUS_CSV_NEUTRALISE), "\"'=1+\"\"2\"\"\"");
    CHECK_STRN(out, chorus_csv_cell(out, "-12.5", 5, CHORUS_CSV_NEUTRALISE), "-12.5");
    CHECK_STRN(out, chorus_csv_cell(out, "plain", 5, CHORUS_CSV_NEUTRALISE), "plain");
}

int main(void)
{
    RUN(test_special);
    RUN(test_ties);
    RUN(test_random);
    RUN(test_u64_and_cell);
    TEST_END("test_numbers");
}
