/*
 * time_parse.c - strict, allocation-free parsing of input times (see
 * time_parse.h). Each format is matched by shape first, then every field
 * is range-checked, so "2019-02-30" or "25:00" fail instead of rolling
 * over. Civil-date arithmetic after Howard Hinnant's days_from_civil.
 */
#include "time_parse.h"

#include "core/digits.h"

#include <stdio.h>
#include <string.h>

int64_t ch_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void ch_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int64_t to_ms(int y, int mo, int d, int h, int mi, int s, int frac_ms)
{
    int64_t days = ch_days_from_civil(y, (unsigned)mo, (unsigned)d);
    return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + frac_ms;
}

static int check_date(int y, int mo, int d)
{
    return (y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 &&
            d <= days_in_month(y, mo)) ? 0 : -1;
}

/* Parses "HH:MM[:SS[.fff...]]" at p; returns bytes used or -1. */
static int parse_clock(const char *p, size_t n, int *h, int *mi, int *s, int *ms,
                       chorus_time_res *res)
{
    if (n < 5 || p[2] != ':' || digits(p, 2, h) || digits(p + 3, 2, mi) || *h > 23 || *mi > 59)
        return -1;
    size_t i = 5;
    *s = 0;
    *ms = 0;
    *res = CHORUS_TIME_MINUTE;
    if (i < n && p[i] == ':') {
        if (n < 8 || digits(p + 6, 2, s) || *s > 60)
            return -1;
        i = 8;
        *res = CHORUS_TIME_SECOND;
        if (i < n && (p[i] == '.' || p[i] == ',')) {
            i++;
            int scale = 100, any = 0;
            while (i < n && p[i] >= '0' && p[i] <= '9') {
                *ms += (p[i] - '0') * scale;
                scale /= 10;
                i++;
                any = 1;
            }
            if (!any)
                return -1;
            *res = CHORUS_TIME_MS;
        }
    }
    return (int)i;
}

/* "Z", "+HH:MM", "+HHMM", "+HH", " +0000", "UTC" or nothing; minutes east. */
static int parse_zone(const char *p, size_t n, int *off_min)
{
    *off_min = 0;
    size_t i = 0;
    if (i < n && p[i] == ' ')
        i++;
    if (i == n)
        return 0;
    if ((n - i == 1 && p[i] == 'Z') || (n - i == 3 && memcmp(p + i, "UTC", 3) == 0))
        return 0;
    if (p[i] != '+' && p[i] != '-')
        return -1;
    int sign = p[i] == '-' ? -1 : 1, hh, mm = 0;
    i++;
    size_t rest = n - i;
    if (rest == 2 && !digits(p + i, 2, &hh)) {
    } else if (rest == 4 && !digits(p + i, 2, &hh) && !digits(p + i + 2, 2, &mm)) {
    } else if (rest == 5 && p[i + 2] == ':' && !digits(p + i, 2, &hh) && !digits(p + i + 3, 2, &mm)) {
    } else
        return -1;
    if (hh > 23 || mm > 59)
        return -1;
    *off_min = sign * (hh * 60 + mm);
    return 0;
}

static int parse_iso(const char *p, size_t n, int64_t *out, chorus_time_res *res)
{
    int y, mo, d;
    if (n < 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) || digits(p + 5, 2, &mo) ||
        digits(p + 8, 2, &d) || check_date(y, mo, d))
        return -1;
    if (n == 10) {
        *out = to_ms(y, mo, d, 0, 0, 0, 0);
        *res = CHORUS_TIME_MINUTE;
        return 0;
    }
    if (p[10] != ' ' && p[10] != 'T')
        return -1;
    int h, mi, s, ms, off;
    int used = parse_clock(p + 11, n - 11, &h, &mi, &s, &ms, res);
    if (used < 0 || parse_zone(p + 11 + used, n - 11 - (size_t)used, &off))
        return -1;
    *out = to_ms(y, mo, d, h, mi, s, ms) - (int64_t)off * 60000;
    return 0;
}

/* "Wed Oct 10 20:19:24 +0000 2018" */
static int parse_twitter(const char *p, size_t n, int64_t *out, chorus_time_res *res)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (n != 30 || p[3] != ' ' || p[7] != ' ' || p[10] != ' ' || p[19] != ' ' || p[25] != ' ')
        return -1;
    int mo = 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(p + 4, months + 3 * i, 3) == 0)
            mo = i + 1;
    int d, y, h, mi, s, ms, off;
    if (!mo || digits(p + 8, 2, &d) || digits(p + 26, 4, &y) || check_date(y, mo, d))
        return -1;
    if (parse_clock(p + 11, 8, &h, &mi, &s, &ms, res) != 8 || parse_zone(p + 20, 5, &off))
        return -1;
    *out = to_ms(y, mo, d, h, mi, s, ms) - (int64_t)off * 60000;
    return 0;
}

/* Unix seconds (up to 11 digits, optional fraction) or milliseconds (13). */
static int parse_unix(const char *p, size_t n, int64_t *out, chorus_time_res *res)
{
    size_t i = 0;
    int64_t v = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && i < 14)
        v = v * 10 + (p[i++] - '0');
    size_t nd = i;
    if (nd == 0)
        return -1;
    if (i == n && nd >= 12 && nd <= 13) {
        *out = v;
        *res = CHORUS_TIME_MS;
        return 0;
    }
    if (nd > 11)
        return -1;
    int64_t frac = 0;
    *res = CHORUS_TIME_SECOND;
    if (i < n && p[i] == '.') {
        i++;
        int scale = 100;
        size_t fs = i;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            frac += (p[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == fs)
            return -1;
        if (frac)
            *res = CHORUS_TIME_MS;
    }
    if (i != n)
        return -1;
    *out = v * 1000 + frac;
    return 0;
}

int ch_parse_time(const char *p, size_t n, int64_t *ms, chorus_time_res *res)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    if (n == 0)
        return -1;
    int rc = (n >= 10 && p[4] == '-')  ? parse_iso(p, n, ms, res)
             : (n == 30 && p[3] == ' ') ? parse_twitter(p, n, ms, res)
                                        : parse_unix(p, n, ms, res);
    /* One range for every format (1900-01-01Z to 2201-01-01Z), so a time
     * chorus accepts can always be written and read back. */
    if (rc == 0 && (*ms < -2208988800000LL || *ms >= 7289654400000LL))
        return -1;
    return rc;
}

/* "YYYY-MM-DDTHH:MM:SS" of a year 0..9999 into out (19 bytes), with table digits. */
static void put_civil(char *out, unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    memcpy(out, ch_digit_pair(y / 100), 2);
    memcpy(out + 2, ch_digit_pair(y % 100), 2);
    out[4] = '-';
    memcpy(out + 5, ch_digit_pair(mo), 2);
    out[7] = '-';
    memcpy(out + 8, ch_digit_pair(d), 2);
    out[10] = 'T';
    memcpy(out + 11, ch_digit_pair(h), 2);
    out[13] = ':';
    memcpy(out + 14, ch_digit_pair(mi), 2);
    out[16] = ':';
    memcpy(out + 17, ch_digit_pair(s), 2);
}

size_t ch_format_time(int64_t ms, char *out)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned mo, d;
    ch_civil_from_days(days, &y, &mo, &d);
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60);
    int f = (int)(rem % 1000);
    if (y < 0 || y > 9999) /* far from any real post: the general path */
        return (size_t)snprintf(out, 32, f ? "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ"
                                           : "%04lld-%02u-%02uT%02d:%02d:%02dZ",
                                (long long)y, mo, d, h, mi, s, f);
    put_civil(out, (unsigned)y, mo, d, (unsigned)h, (unsigned)mi, (unsigned)s);
    size_t n = 19;
    if (f) {
        out[n++] = '.';
        out[n++] = (char)('0' + f / 100);
        memcpy(out + n, ch_digit_pair((unsigned)f % 100), 2);
        n += 2;
    }
    out[n++] = 'Z';
    out[n] = 0;
    return n;
}

int64_t chorus_snowflake_ms(uint64_t id)
{
    /* Snowflake ids began on 2010-11-04; before that ids were sequential
     * and small. Accept times up to 2100 so damaged ids are not trusted. */
    const int64_t epoch = 1288834974657LL, end_2100 = 4102444800000LL;
    int64_t ms = (int64_t)(id >> 22) + epoch;
    if ((id >> 22) == 0 || ms > end_2100)
        return INT64_MIN;
    return ms;
}

size_t chorus_format_time_utc(int64_t ms, char *out) { return ch_format_time(ms, out); }
