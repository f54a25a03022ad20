/* Unit tests for core/text: numbers, money, dates, UTF-8, base64url, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/text.h"

#define S(lit) RP_STR(lit)

/* ---- text_parse_i64 ---- */

static void i64_ok(const char *s, int64_t want)
{
    int64_t v = 12345;
    assert_int_equal(text_parse_i64(rp_str_c(s), &v), RP_OK);
    assert_true(v == want);
}

static void i64_bad(const char *s)
{
    int64_t v = 0;
    if (text_parse_i64(rp_str_c(s), &v) != RP_EINVAL)
        fail_msg("text_parse_i64 accepted \"%s\"", s);
}

static void test_i64_valid(void **state)
{
    (void)state;
    i64_ok("0", 0);
    i64_ok("-0", 0);
    i64_ok("7", 7);
    i64_ok("007", 7);
    i64_ok("123456789", 123456789);
    i64_ok("-42", -42);
    i64_ok("9223372036854775807", INT64_MAX);
    i64_ok("-9223372036854775808", INT64_MIN);
    i64_ok("-9223372036854775807", -INT64_MAX);
}

static void test_i64_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "-",
        "+1",
        "--1",
        " 1",
        "1 ",
        "1a",
        "a1",
        "0x10",
        "1-",
        "1.0",
        "1e3",
        "9223372036854775808",   /* INT64_MAX + 1 */
        "-9223372036854775809",  /* INT64_MIN - 1 */
        "18446744073709551615",  /* UINT64_MAX */
        "18446744073709551616",  /* UINT64_MAX + 1 */
        "99999999999999999999",
        "-99999999999999999999",
        "123456789012345678901234567890",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        i64_bad(bad[i]);
}

static void test_i64_slice(void **state)
{
    (void)state;
    /* Only the slice is parsed: the bytes after it are not part of the number. */
    int64_t v = 0;
    struct rp_str s = {"12345xyz", 3};
    assert_int_equal(text_parse_i64(s, &v), RP_OK);
    assert_true(v == 123);
    struct rp_str nul = {"12\0003", 4};
    assert_int_equal(text_parse_i64(nul, &v), RP_EINVAL);
}

/* ---- money ---- */

static void money_ok(const char *s, int scale, int64_t want)
{
    int64_t v = 12345;
    enum rp_err err = text_parse_money(rp_str_c(s), scale, &v);
    if (err != RP_OK)
        fail_msg("text_parse_money rejected \"%s\" (scale %d)", s, scale);
    if (v != want)
        fail_msg("text_parse_money(\"%s\", %d) = %lld, want %lld", s, scale, (long long)v,
                 (long long)want);
}

static void money_bad(const char *s, int scale)
{
    int64_t v = 0;
    if (text_parse_money(rp_str_c(s), scale, &v) != RP_EINVAL)
        fail_msg("text_parse_money accepted \"%s\" (scale %d)", s, scale);
}

static void test_money_valid(void **state)
{
    (void)state;
    money_ok("0", 2, 0);
    money_ok("0.10", 2, 10);
    money_ok("0.01", 2, 1);
    money_ok("12", 2, 1200);
    money_ok("1.5", 2, 150);
    money_ok("-0.5", 2, -50);
    money_ok("-12", 2, -1200);
    money_ok("1234.56", 2, 123456);
    money_ok("0.00", 2, 0);
    money_ok("007.25", 2, 725);
    /* The largest amounts that fit in int64 minor units. */
    money_ok("92233720368547758.07", 2, INT64_MAX);
    money_ok("-92233720368547758.07", 2, -INT64_MAX);
    money_ok("92233720368547758", 2, 9223372036854775800);
    money_ok("9223372036854775807", 0, INT64_MAX);
    /* Other scales. */
    money_ok("12", 0, 12);
    money_ok("-3", 0, -3);
    money_ok("1.234", 3, 1234);
    money_ok("1.2", 3, 1200);
}

static void test_money_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "-",
        ".",
        "-.",
        "1.",
        "-1.",
        "1.234",   /* more fraction digits than the scale */
        "0.001",
        "1e3",
        "1E3",
        "1,000",
        "1 000",
        "1.2.3",
        "1..2",
        "+1",
        "--1",
        " 1",
        "1 ",
        "abc",
        "1.5x",
        "0x10",
        "92233720368547758.08",  /* INT64_MAX + 1 minor units */
        "92233720368547759",      /* overflows when scaled */
        "100000000000000000",
        "99999999999999999999.99",
        "-92233720368547758.09",
        "123456789012345678901234567890123", /* longer than any amount */
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        money_bad(bad[i], 2);
    money_bad("1.5", 0);
    money_bad("1.0", 0);
    money_bad("9223372036854775808", 0);
}

static void money_fmt(int64_t minor, int scale, const char *want)
{
    char buf[32];
    memset(buf, 'X', sizeof(buf));
    text_format_money(minor, scale, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_money_format(void **state)
{
    (void)state;
    money_fmt(0, 2, "0.00");
    money_fmt(10, 2, "0.10");
    money_fmt(1, 2, "0.01");
    money_fmt(1200, 2, "12.00");
    money_fmt(150, 2, "1.50");
    money_fmt(-50, 2, "-0.50");
    money_fmt(-5, 2, "-0.05");
    money_fmt(-123456, 2, "-1234.56");
    money_fmt(INT64_MAX, 2, "92233720368547758.07");
    money_fmt(INT64_MIN, 2, "-92233720368547758.08");
    money_fmt(-7, 0, "-7");
    money_fmt(42, 0, "42");
    money_fmt(1234, 3, "1.234");
}

static void test_money_round_trip(void **state)
{
    (void)state;
    static const int64_t vals[] = {0,   1,      -1,       9,         10,          99,
                                   100, -100,   101,      123456789, -987654321,  1000000,
                                   5,   -99999, INT64_MAX, -INT64_MAX, 4200000000000};
    for (int scale = 0; scale <= 4; scale++) {
        for (size_t i = 0; i < RP_NELEM(vals); i++) {
            char buf[32];
            text_format_money(vals[i], scale, buf, sizeof(buf));
            int64_t back = 0;
            if (text_parse_money(rp_str_c(buf), scale, &back) != RP_OK || back != vals[i])
                fail_msg("money round trip failed for %lld scale %d (\"%s\")",
                         (long long)vals[i], scale, buf);
        }
    }
}

/* ---- dates ---- */

static int64_t date_of(const char *s)
{
    int64_t d = 0;
    enum rp_err err = text_parse_date(rp_str_c(s), &d);
    if (err != RP_OK)
        fail_msg("text_parse_date rejected \"%s\"", s);
    return d;
}

static void date_bad(const char *s)
{
    int64_t d = 0;
    if (text_parse_date(rp_str_c(s), &d) != RP_EINVAL)
        fail_msg("text_parse_date accepted \"%s\"", s);
}

static void test_date_valid(void **state)
{
    (void)state;
    assert_true(date_of("1970-01-01") == 0);
    assert_true(date_of("1970-01-02") == 1);
    assert_true(date_of("1969-12-31") == -1);
    assert_true(date_of("2000-01-01") == 10957);
    assert_true(date_of("2024-01-01") == 19723);
    assert_true(date_of("0001-01-01") == -719162);
    assert_true(date_of("9999-12-31") == 2932896);
    /* Leap years: every 4th, not every 100th, but every 400th. */
    assert_true(date_of("2024-02-29") == date_of("2024-02-28") + 1);
    assert_true(date_of("2024-03-01") == date_of("2024-02-29") + 1);
    assert_true(date_of("2000-02-29") == date_of("2000-03-01") - 1);
    assert_true(date_of("2023-03-01") == date_of("2023-02-28") + 1);
    assert_true(date_of("2024-12-31") - date_of("2024-01-01") == 365);
    assert_true(date_of("2023-12-31") - date_of("2023-01-01") == 364);
    assert_true(date_of("2024-04-30") + 1 == date_of("2024-05-01"));
}

static void test_date_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2023-02-29", /* not a leap year */
        "1900-02-29", /* divisible by 100, not by 400 */
        "2100-02-29",
        "2024-02-30", /* February never has 30 days */
        "2024-02-31",
        "2024-04-31",
        "2024-06-31",
        "2024-09-31",
        "2024-11-31",
        "2024-01-32",
        "2024-13-01",
        "2024-00-10",
        "2024-01-00",
        "0000-01-01",
        "2024-1-01",
        "2024-01-1",
        "24-01-01",
        "2024/01/01",
        "2024-01-01T",
        "2024-01-01 ",
        " 2024-01-01",
        "20240101",
        "abcd-ef-gh",
        "2024-0a-01",
        "2024--1-01",
        "+2024-01-01",
        "2024-01-01T00:00:00Z",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        date_bad(bad[i]);
}

static void test_date_format_round_trip(void **state)
{
    (void)state;
    char buf[16];
    text_format_date(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01");
    text_format_date(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31");
    text_format_date(19782, buf, sizeof(buf));
    assert_string_equal(buf, "2024-02-29");
    text_format_date(-719162, buf, sizeof(buf));
    assert_string_equal(buf, "0001-01-01");
    text_format_date(2932896, buf, sizeof(buf));
    assert_string_equal(buf, "9999-12-31");
    /* Every day from 1600 to 2400 formats and parses back to itself, and the text
     * form sorts like the day number. */
    char prev[16] = "";
    for (int64_t d = date_of("1600-01-01"); d <= date_of("2400-12-31"); d++) {
        text_format_date(d, buf, sizeof(buf));
        assert_int_equal(strlen(buf), 10);
        int64_t back = 0;
        if (text_parse_date(rp_str_c(buf), &back) != RP_OK || back != d)
            fail_msg("date round trip failed for day %lld (\"%s\")", (long long)d, buf);
        assert_true(strcmp(prev, buf) < 0);
        memcpy(prev, buf, sizeof(buf));
    }
}

/* ---- date-times ---- */

static int64_t dt_of(const char *s)
{
    int64_t ms = 0;
    enum rp_err err = text_parse_datetime(rp_str_c(s), &ms);
    if (err != RP_OK)
        fail_msg("text_parse_datetime rejected \"%s\"", s);
    return ms;
}

static void dt_bad(const char *s)
{
    int64_t ms = 0;
    if (text_parse_datetime(rp_str_c(s), &ms) != RP_EINVAL)
        fail_msg("text_parse_datetime accepted \"%s\"", s);
}

static void test_datetime_valid(void **state)
{
    (void)state;
    const int64_t y2024 = 1704067200000; /* 2024-01-01T00:00:00Z */
    assert_true(dt_of("1970-01-01T00:00:00Z") == 0);
    assert_true(dt_of("2024-01-01T00:00:00Z") == y2024);
    assert_true(dt_of("2024-01-01T00:00:00z") == y2024);
    assert_true(dt_of("2024-01-01t00:00:00Z") == y2024);
    assert_true(dt_of("2024-01-01T12:34:56Z") == y2024 + (12 * 3600 + 34 * 60 + 56) * 1000);
    assert_true(dt_of("1969-12-31T23:59:59Z") == -1000);
    assert_true(dt_of("1969-12-31T23:59:59.999Z") == -1);
    /* Fractions: milliseconds kept, finer digits dropped. */
    assert_true(dt_of("1970-01-01T00:00:00.1Z") == 100);
    assert_true(dt_of("1970-01-01T00:00:00.12Z") == 120);
    assert_true(dt_of("1970-01-01T00:00:00.123Z") == 123);
    assert_true(dt_of("1970-01-01T00:00:00.1239Z") == 123);
    assert_true(dt_of("1970-01-01T00:00:00.123456789Z") == 123);
    assert_true(dt_of("1970-01-01T00:00:00.000Z") == 0);
    /* Offsets are normalised to UTC. */
    assert_true(dt_of("2024-01-01T08:00:00+08:00") == y2024);
    assert_true(dt_of("2023-12-31T19:30:00-04:30") == y2024);
    assert_true(dt_of("2024-01-01T00:00:00+00:00") == y2024);
    assert_true(dt_of("2024-01-01T00:00:00-00:00") == y2024);
    assert_true(dt_of("2024-01-01T05:45:00.250+05:45") == y2024 + 250);
    assert_true(dt_of("2024-01-01T00:00:00+23:59") == y2024 - (23 * 60 + 59) * 60000);
    /* Offsets cross day, month and year boundaries. */
    assert_true(dt_of("2024-03-01T01:00:00+08:00") == dt_of("2024-02-29T17:00:00Z"));
    /* Leap day. */
    assert_true(dt_of("2024-02-29T00:00:00Z") == dt_of("2024-02-28T00:00:00Z") + 86400000);
}

static void test_datetime_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2024-01-01",                  /* a bare date is not a date-time */
        "2024-01-01T00:00:00",         /* no zone */
        "2024-01-01T00:00Z",           /* no seconds */
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:61Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01X00:00:00Z",
        "2024-01-01T0:00:00Z ",
        "2024-01-01T00-00-00Z",
        "2024-01-01T00:00:00.Z",       /* fraction without digits */
        "2024-01-01T00:00:00.1234567890Z", /* more than nanoseconds */
        "2024-01-01T00:00:00.12a4Z",
        "2024-01-01T00:00:00ZZ",
        "2024-01-01T00:00:00Z ",
        " 2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00+0800",
        "2024-01-01T00:00:00+08",
        "2024-01-01T00:00:00+8:00",
        "2024-01-01T00:00:00+08:0",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+08:60",
        "2024-01-01T00:00:00+08:00Z",
        "2024-01-01T00:00:00+08:00x",
        "2024-01-01T00:00:00 08:00",
        "2024-01-01T00:00:00UTC",
        "garbage garbage garbage",
        "2024-01-01T00:00:00.000000000000000000000000Z",
        /* Instants outside the years 0001 to 9999 UTC, reached through an offset. */
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T23:59:59.999-00:01",
        "0001-01-01T00:00:00+00:01",
        "0001-01-01T08:00:00+08:01",
        "0000-12-31T23:59:59Z",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        dt_bad(bad[i]);
    /* The edges themselves are fine. */
    assert_true(dt_of("9999-12-31T23:59:59.999Z") == 253402300799999);
    assert_true(dt_of("9999-12-31T23:59:59.999+00:00") == 253402300799999);
    assert_true(dt_of("0001-01-01T00:00:00Z") == -62135596800000);
    assert_true(dt_of("0001-01-01T08:00:00+08:00") == -62135596800000);
}

static void test_datetime_slice(void **state)
{
    (void)state;
    const char *s = "2024-01-01T00:00:00Z and more";
    int64_t ms = 0;
    assert_int_equal(text_parse_datetime((struct rp_str){s, 20}, &ms), RP_OK);
    assert_true(ms == 1704067200000);
    assert_int_equal(text_parse_datetime((struct rp_str){s, 19}, &ms), RP_EINVAL);
}

static void test_datetime_format_round_trip(void **state)
{
    (void)state;
    char buf[32];
    text_format_datetime(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    text_format_datetime(1704067200123, buf, sizeof(buf));
    assert_string_equal(buf, "2024-01-01T00:00:00.123Z");
    text_format_datetime(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    text_format_datetime(-86400000, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T00:00:00.000Z");
    text_format_datetime(951782400000 + 3723004, buf, sizeof(buf));
    assert_string_equal(buf, "2000-02-29T01:02:03.004Z");
    assert_int_equal(strlen(buf), 24);

    static const int64_t vals[] = {
        0, 1, -1, 999, 1000, -1000, 86399999, 86400000, -86400001,
        1704067200000, 1709164800000, 253402300799999, /* 9999-12-31T23:59:59.999Z */
        -62135596800000,                              /* 0001-01-01T00:00:00.000Z */
        1234567890123, -1234567890123,
    };
    for (size_t i = 0; i < RP_NELEM(vals); i++) {
        text_format_datetime(vals[i], buf, sizeof(buf));
        assert_int_equal(strlen(buf), 24);
        int64_t back = 0;
        if (text_parse_datetime(rp_str_c(buf), &back) != RP_OK || back != vals[i])
            fail_msg("datetime round trip failed for %lld (\"%s\")", (long long)vals[i], buf);
    }
    /* A sweep with an odd stride covers every hour, minute and millisecond pattern. */
    for (int64_t ms = -5000000000000; ms < 5000000000000; ms += 7919113571) {
        text_format_datetime(ms, buf, sizeof(buf));
        int64_t back = 0;
        if (text_parse_datetime(rp_str_c(buf), &back) != RP_OK || back != ms)
            fail_msg("datetime round trip failed for %lld (\"%s\")", (long long)ms, buf);
    }
}

static void test_now_ms(void **state)
{
    (void)state;
    int64_t a = text_now_ms();
    int64_t b = text_now_ms();
    assert_true(a > 1704067200000); /* after 2024-01-01 */
    assert_true(b >= a);
}

/* ---- UTF-8 ---- */

static bool utf8(const char *s, size_t n)
{
    return text_utf8_valid((struct rp_str){s, n});
}

#define U8(lit) utf8((lit), sizeof(lit) - 1)

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(U8(""));
    assert_true(U8("hello, world"));
    assert_true(U8("\x7f"));
    assert_true(U8("客户"));
    assert_true(U8("重要客户名单"));
    assert_true(U8("Grüße, café"));
    assert_true(U8("\xc2\x80"));             /* U+0080, smallest 2-byte */
    assert_true(U8("\xdf\xbf"));             /* U+07FF */
    assert_true(U8("\xe0\xa0\x80"));         /* U+0800, smallest 3-byte */
    assert_true(U8("\xed\x9f\xbf"));         /* U+D7FF, just below surrogates */
    assert_true(U8("\xee\x80\x80"));         /* U+E000, just above surrogates */
    assert_true(U8("\xef\xbf\xbf"));         /* U+FFFF */
    assert_true(U8("\xf0\x90\x80\x80"));     /* U+10000, smallest 4-byte */
    assert_true(U8("\xf0\x9f\x98\x80"));     /* U+1F600 emoji */
    assert_true(U8("\xf4\x8f\xbf\xbf"));     /* U+10FFFF, the last code point */
}

static void test_utf8_invalid(void **state)
{
    (void)state;
    /* NUL anywhere. */
    assert_false(U8("\0"));
    assert_false(U8("a\0b"));
    assert_false(U8("客\0户"));
    /* Overlong encodings. */
    assert_false(U8("\xc0\x80"));             /* NUL as 2 bytes */
    assert_false(U8("\xc0\xaf"));             /* '/' as 2 bytes */
    assert_false(U8("\xc1\xbf"));
    assert_false(U8("\xe0\x80\xaf"));         /* '/' as 3 bytes */
    assert_false(U8("\xe0\x9f\xbf"));         /* U+07FF as 3 bytes */
    assert_false(U8("\xf0\x80\x80\xaf"));     /* '/' as 4 bytes */
    assert_false(U8("\xf0\x8f\xbf\xbf"));     /* U+FFFF as 4 bytes */
    /* UTF-16 surrogates. */
    assert_false(U8("\xed\xa0\x80"));         /* U+D800 */
    assert_false(U8("\xed\xbf\xbf"));         /* U+DFFF */
    assert_false(U8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
    /* Beyond U+10FFFF. */
    assert_false(U8("\xf4\x90\x80\x80"));     /* U+110000 */
    assert_false(U8("\xf5\x80\x80\x80"));
    assert_false(U8("\xf7\xbf\xbf\xbf"));
    assert_false(U8("\xf8\x88\x80\x80\x80")); /* 5-byte form */
    assert_false(U8("\xfc\x84\x80\x80\x80\x80"));
    assert_false(U8("\xfe"));
    assert_false(U8("\xff"));
    /* Truncated sequences. */
    assert_false(U8("\xc3"));
    assert_false(U8("abc\xc3"));
    assert_false(U8("\xe5\xae"));             /* first two bytes of 客 */
    assert_false(U8("\xf0\x9f\x98"));
    assert_false(utf8("客户", 5));            /* slice ends inside 户 */
    /* Stray or wrong continuation bytes. */
    assert_false(U8("\x80"));
    assert_false(U8("\xbf"));
    assert_false(U8("a\x80" "b"));
    assert_false(U8("\xc3\x28"));
    assert_false(U8("\xe5\xae\x41"));
    assert_false(U8("\xe5\x41\xa2"));
    assert_false(U8("\xf0\x9f\x98\x41"));
    assert_false(U8("\xc3\xa9\xa9"));         /* é followed by a stray continuation */
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_len(S("")), 0);
    assert_int_equal(text_utf8_len(S("abc")), 3);
    assert_int_equal(text_utf8_len(S("客户")), 2);
    assert_int_equal(text_utf8_len(S("重要客户名单")), 6);
    assert_int_equal(text_utf8_len(S("a客b\xf0\x9f\x98\x80")), 4);
    assert_int_equal(text_utf8_len(S("café")), 4);
    assert_int_equal(text_utf8_len(S("\xf4\x8f\xbf\xbf")), 1);
}

/* ---- base64url ---- */

static void b64_enc(const char *in, const char *want)
{
    char out[64];
    size_t n = strlen(in);
    assert_int_equal(text_b64_enclen(n), strlen(want));
    memset(out, 'X', sizeof(out));
    text_b64_encode((const unsigned char *)in, n, out);
    assert_string_equal(out, want);
}

static void test_b64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 §10 test vectors, without padding. */
    b64_enc("", "");
    b64_enc("f", "Zg");
    b64_enc("fo", "Zm8");
    b64_enc("foo", "Zm9v");
    b64_enc("foob", "Zm9vYg");
    b64_enc("fooba", "Zm9vYmE");
    b64_enc("foobar", "Zm9vYmFy");
    /* The URL alphabet: '-' and '_' instead of '+' and '/'. */
    static const unsigned char hi[] = {0xfb, 0xff};
    char out[8];
    text_b64_encode(hi, 2, out);
    assert_string_equal(out, "-_8");
    static const unsigned char ones[] = {0xff, 0xff, 0xff};
    text_b64_encode(ones, 3, out);
    assert_string_equal(out, "____");

    unsigned char dec[16];
    size_t n = 99;
    assert_int_equal(text_b64_decode(S("-_8"), dec, sizeof(dec), &n), RP_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(dec, hi, 2);
    assert_int_equal(text_b64_decode(S(""), dec, sizeof(dec), &n), RP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(text_b64_decode(S("Zm9vYmFy"), dec, sizeof(dec), &n), RP_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(dec, "foobar", 6);
}

static void test_b64_round_trip(void **state)
{
    (void)state;
    unsigned char in[300], dec[300];
    char enc[402];
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < sizeof(in); i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (unsigned char)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof(in); n++) {
        size_t elen = text_b64_enclen(n);
        assert_true(elen + 1 <= sizeof(enc));
        memset(enc, 'X', sizeof(enc));
        text_b64_encode(in, n, enc);
        assert_int_equal(strlen(enc), elen);
        for (size_t k = 0; k < elen; k++) {
            char c = enc[k];
            assert_true((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_');
        }
        size_t outlen = 0;
        /* Exactly n bytes of room is enough. */
        assert_int_equal(text_b64_decode((struct rp_str){enc, elen}, dec, n, &outlen), RP_OK);
        assert_int_equal(outlen, n);
        assert_memory_equal(dec, in, n);
        /* One byte less is too little. */
        if (n > 0)
            assert_int_equal(text_b64_decode((struct rp_str){enc, elen}, dec, n - 1, &outlen),
                             RP_ETOOBIG);
    }
}

static void b64_bad(const char *s)
{
    unsigned char out[64];
    size_t n = 0;
    if (text_b64_decode(rp_str_c(s), out, sizeof(out), &n) != RP_EINVAL)
        fail_msg("text_b64_decode accepted \"%s\"", s);
}

static void test_b64_invalid(void **state)
{
    (void)state;
    b64_bad("Z");          /* 1 mod 4 characters cannot encode whole bytes */
    b64_bad("Zm9vY");
    b64_bad("Zg==");       /* padding is not part of the alphabet */
    b64_bad("Zg=");
    b64_bad("Zm+v");       /* standard alphabet */
    b64_bad("Zm/v");
    b64_bad("Zm9 v");
    b64_bad("Zm9v\n");
    b64_bad("Zm.v");
    b64_bad("Zm9v\xc3\xa9");
    /* Non-zero leftover bits: each byte string has exactly one encoding. */
    b64_bad("Zh");         /* "f" is "Zg" */
    b64_bad("Zm9");        /* "fo" is "Zm8" */
    b64_bad("-_9");
    unsigned char out[4];
    size_t n = 0;
    struct rp_str nul = {"Zm\0v", 4};
    assert_int_equal(text_b64_decode(nul, out, sizeof(out), &n), RP_EINVAL);
}

/* ---- people's names ---- */

static void test_person_name(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_true(text_has_cjk(S("李")));
    assert_true(text_has_cjk(S("Ming 明")));
    assert_false(text_has_cjk(S("Müller")));
    assert_false(text_has_cjk(S("")));
    assert_false(text_has_cjk(S("\xe3\x80\x81"))); /* an ideographic comma is no name */
    assert_string_equal(text_person_name(&a, S("小明"), S("李")), "李小明");
    assert_string_equal(text_person_name(&a, S("Ming"), S("李")), "李Ming");
    assert_string_equal(text_person_name(&a, S("Anna"), S("Berg")), "Anna Berg");
    assert_string_equal(text_person_name(&a, S(""), S("Berg")), "Berg");
    assert_string_equal(text_person_name(&a, S("Anna"), S("")), "Anna");
    assert_string_equal(text_person_name(&a, S(""), S("")), "");
    arena_release(&a);
}

/* ---- hex ---- */

static void test_hex(void **state)
{
    (void)state;
    static const unsigned char in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    char out[2 * sizeof(in) + 2];
    memset(out, 'X', sizeof(out));
    text_hex(in, sizeof(in), out);
    assert_string_equal(out, "00017f80abcdefff");
    assert_int_equal(out[sizeof(out) - 1], 'X'); /* nothing past the NUL */
    char empty[2] = {'X', 'X'};
    text_hex(in, 0, empty);
    assert_int_equal(empty[0], '\0');
    assert_int_equal(empty[1], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i64_valid),
        cmocka_unit_test(test_i64_invalid),
        cmocka_unit_test(test_i64_slice),
        cmocka_unit_test(test_money_valid),
        cmocka_unit_test(test_money_invalid),
        cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_money_round_trip),
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_invalid),
        cmocka_unit_test(test_date_format_round_trip),
        cmocka_unit_test(test_datetime_valid),
        cmocka_unit_test(test_datetime_invalid),
        cmocka_unit_test(test_datetime_slice),
        cmocka_unit_test(test_datetime_format_round_trip),
        cmocka_unit_test(test_now_ms),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_b64_vectors),
        cmocka_unit_test(test_b64_round_trip),
        cmocka_unit_test(test_b64_invalid),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_person_name),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
