/*
 * test_time.c - unit tests of ch_parse_time and ch_format_time: every
 * accepted format with its exact UTC milliseconds and resolution, the
 * rejected shapes (spreadsheet dates, impossible dates, bad offsets, long
 * numbers), and format/parse round trips. Expected values were computed
 * independently with Python: (calendar.timegm(...) - offset_s) * 1000 + ms.
 */
#include "check.h"
#include "io/time_parse.h"

/* Parses s and checks the result; want_res < 0 means "must be rejected". */
#define PARSES(s, want_ms, want_res)                                     \
    do {                                                                 \
        int64_t ms_ = -1;                                                \
        chorus_time_res res_ = (chorus_time_res)-1;                      \
        int rc_ = ch_parse_time((s), strlen(s), &ms_, &res_);            \
        CHECK_INT(rc_, 0);                                               \
        if (rc_ == 0) {                                                  \
            CHECK_INT(ms_, (want_ms));                                   \
            CHECK_INT(res_, (want_res));                                 \
        } else                                                           \
            fprintf(stderr, "  (rejected \"%s\")\n", (s));               \
    } while (0)

#define REJECTS(s)                                                       \
    do {                                                                 \
        int64_t ms_ = 0;                                                 \
        chorus_time_res res_;                                            \
        int rc_ = ch_parse_time((s), strlen(s), &ms_, &res_);            \
        CHECK_INT(rc_, -1);                                              \
        if (rc_ != -1)                                                   \
            fprintf(stderr, "  (accepted \"%s\" as %lld)\n", (s), (long long)ms_); \
    } while (0)

/* Twitter IO archives: "YYYY-MM-DD HH:MM" with minute resolution. */
static void test_io_archive(void)
{
    PARSES("2018-10-10 20:19", 1539202740000, CHORUS_TIME_MINUTE);
    PARSES("2020-02-29 10:00", 1582970400000, CHORUS_TIME_MINUTE); /* leap day */
    PARSES("1970-01-01 00:00", 0, CHORUS_TIME_MINUTE);
    PARSES("1900-01-01 00:00", -2208988800000, CHORUS_TIME_MINUTE); /* first accepted year */
}

static void test_seconds_and_fraction(void)
{
    PARSES("2018-10-10 20:19:24", 1539202764000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10 20:19:24.123", 1539202764123, CHORUS_TIME_MS);
    PARSES("2018-10-10 20:19:24.5", 1539202764500, CHORUS_TIME_MS);
    PARSES("2018-10-10 20:19:24,5", 1539202764500, CHORUS_TIME_MS);
    PARSES("2018-10-10 20:19:24.123999", 1539202764123, CHORUS_TIME_MS); /* truncated */
    PARSES("2000-02-29 12:34:56.789", 951827696789, CHORUS_TIME_MS);
    /* A leap second lands on the next minute: 2017-01-01T00:00:00Z. */
    PARSES("2016-12-31 23:59:60", 1483228800000, CHORUS_TIME_SECOND);
}

static void test_iso(void)
{
    PARSES("2018-10-10T20:19:24Z", 1539202764000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10T20:19:24.5Z", 1539202764500, CHORUS_TIME_MS);
    PARSES("2018-10-10T20:19Z", 1539202740000, CHORUS_TIME_MINUTE);
    PARSES("2018-10-10T20:19:24", 1539202764000, CHORUS_TIME_SECOND);
    /* Offsets are east of UTC: 20:19:24+05:30 is 14:49:24Z. */
    PARSES("2018-10-10T20:19:24+05:30", 1539182964000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10T20:19:24+0530", 1539182964000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10T20:19:24-0800", 1539231564000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10T20:19:24-08:00", 1539231564000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10T20:19+05", 1539184740000, CHORUS_TIME_MINUTE);
    PARSES("2018-10-10 20:19:24 +0000", 1539202764000, CHORUS_TIME_SECOND);
    PARSES("2018-10-10 20:19:24 UTC", 1539202764000, CHORUS_TIME_SECOND);
}

static void test_date_only(void)
{
    PARSES("2018-10-10", 1539129600000, CHORUS_TIME_MINUTE);
    PARSES("2200-12-31", 7289568000000, CHORUS_TIME_MINUTE); /* last accepted year */
}

static void test_twitter_v1(void)
{
    PARSES("Wed Oct 10 20:19:24 +0000 2018", 1539202764000, CHORUS_TIME_SECOND);
    /* -0500: local 20:19:24 is 01:19:24Z the next day. */
    PARSES("Wed Oct 10 20:19:24 -0500 2018", 1539220764000, CHORUS_TIME_SECOND);
    PARSES("Thu Feb 29 10:00:00 +0000 2024", 1709200800000, CHORUS_TIME_SECOND);
}

static void test_unix(void)
{
    PARSES("1539202764", 1539202764000, CHORUS_TIME_SECOND);
    PARSES("1539202764.5", 1539202764500, CHORUS_TIME_MS);
    PARSES("1539202764.123", 1539202764123, CHORUS_TIME_MS);
    PARSES("1539202764.000", 1539202764000, CHORUS_TIME_SECOND); /* no real fraction */
    PARSES("1539202764123", 1539202764123, CHORUS_TIME_MS);      /* 13 digits: ms */
    PARSES("0", 0, CHORUS_TIME_SECOND);
}

/* Spaces, tabs and a stray CR around the text are ignored. */
static void test_surrounding_space(void)
{
    PARSES("  2018-10-10 20:19\t", 1539202740000, CHORUS_TIME_MINUTE);
    PARSES("\t1539202764\r", 1539202764000, CHORUS_TIME_SECOND);
    PARSES(" Wed Oct 10 20:19:24 +0000 2018 ", 1539202764000, CHORUS_TIME_SECOND);
}

static void test_rejects(void)
{
    REJECTS("6/7/16 17:08"); /* spreadsheet-damaged: never guessed */
    REJECTS("06/07/2016 17:08");
    REJECTS("2019-02-29 10:00"); /* not a leap year */
    REJECTS("2019-02-30");
    REJECTS("2019-04-31");
    REJECTS("2019-13-01");
    REJECTS("2019-00-10");
    REJECTS("2019-01-00");
    REJECTS("2019-01-01 24:00");
    REJECTS("2019-01-01 10:60");
    REJECTS("2019-01-01 10:00:61");
    REJECTS("2019-01-01 1:00");
    REJECTS("2019-01-01 10:00:5");
    REJECTS("2019-01-01 10:00:05.");
    REJECTS("2019-01-01X10:00");
    REJECTS("1899-12-31");
    REJECTS("2201-01-01");
    REJECTS("");
    REJECTS("   ");
    REJECTS("abc");
    REJECTS("2019-01-01T10:00+25:00");
    REJECTS("2019-01-01T10:00+05:60");
    REJECTS("2019-01-01T10:00+5");
    REJECTS("2019-01-01T10:00 PST");
    REJECTS("Wed Foo 10 20:19:24 +0000 2018");
    REJECTS("Wed Oct 32 20:19:24 +0000 2018");
    REJECTS("Wed Oct 10 20:19:24 +0000 18  ");
    REJECTS("12345678901234"); /* 14 digits: neither seconds nor ms */
    REJECTS("123456789012345678901234567890");
    REJECTS("1539202764.");
    REJECTS("1539202764x");
    REJECTS("-1539202764");
    /* Outside 1900-01-01Z..2201-01-01Z once the offset or epoch is applied. */
    REJECTS("1900-01-01T00:00+05:00");
    REJECTS("2200-12-31T23:00-05:00");
    REJECTS("15196066910");
    REJECTS("9999999999999");
}

/* Formats ms and checks the text, then parses it back to the same ms. */
static void check_round_trip(int64_t ms, const char *want)
{
    char buf[32];
    size_t n = ch_format_time(ms, buf);
    CHECK_STRN(buf, n, want);
    int64_t back = -1;
    chorus_time_res res;
    CHECK_INT(ch_parse_time(buf, n, &back, &res), 0);
    CHECK_INT(back, ms);
    CHECK_INT(res, ms % 1000 ? CHORUS_TIME_MS : CHORUS_TIME_SECOND);
}

static void test_format_round_trip(void)
{
    check_round_trip(0, "1970-01-01T00:00:00Z");
    check_round_trip(1539202764000, "2018-10-10T20:19:24Z");
    check_round_trip(1539202764123, "2018-10-10T20:19:24.123Z");
    check_round_trip(1539202764005, "2018-10-10T20:19:24.005Z");
    check_round_trip(951827696789, "2000-02-29T12:34:56.789Z");
    check_round_trip(-1, "1969-12-31T23:59:59.999Z");
    check_round_trip(-2208988800000, "1900-01-01T00:00:00Z");
    check_round_trip(7289654399999, "2200-12-31T23:59:59.999Z");
    /* Every input format comes back to its own ms through the ISO form. */
    static const char *inputs[] = {"2018-10-10 20:19", "2018-10-10T20:19:24-0800",
                                   "Wed Oct 10 20:19:24 -0500 2018", "1539202764.5",
                                   "1539202764123", "2016-12-31 23:59:60"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        int64_t ms, back = -1;
        chorus_time_res res;
        char buf[32];
        CHECK_INT(ch_parse_time(inputs[i], strlen(inputs[i]), &ms, &res), 0);
        size_t n = ch_format_time(ms, buf);
        CHECK_INT(ch_parse_time(buf, n, &back, &res), 0);
        CHECK_INT(back, ms);
    }
}

static void test_days_from_civil(void)
{
    CHECK_INT(ch_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(ch_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(ch_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(ch_days_from_civil(2018, 10, 10), 17814);
}

int main(void)
{
    RUN(test_io_archive);
    RUN(test_seconds_and_fraction);
    RUN(test_iso);
    RUN(test_date_only);
    RUN(test_twitter_v1);
    RUN(test_unix);
    RUN(test_surrounding_space);
    RUN(test_rejects);
    RUN(test_format_round_trip);
    RUN(test_days_from_civil);
    TEST_END("test_time");
}
