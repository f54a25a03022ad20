/* Unit tests for core/phone: every spelling of a number gives one E.164 key, extensions
 * are kept aside, and what is not a phone number is refused rather than guessed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/phone.h"

/* Reads in with home country iso (NULL: none) and compares the key with want (NULL:
 * not a phone number) and the extension with ext, naming the input on failure. */
static void key_ext(const char *in, const char *iso, const char *want, const char *ext)
{
    const struct phone_country *home = iso ? phone_country(iso) : NULL;
    if (iso)
        assert_non_null(home);
    struct phone_number pn;
    enum rp_err err = phone_parse(rp_str_c(in), home, &pn);
    if (!want && err == RP_OK)
        fail_msg("phone_parse(\"%s\", %s) = \"%s\", want not a number", in, iso, pn.key);
    if (want && err != RP_OK)
        fail_msg("phone_parse(\"%s\", %s) refused, want \"%s\"", in, iso, want);
    if (!want) {
        assert_string_equal(pn.key, "");
        return;
    }
    if (strcmp(pn.key, want) != 0)
        fail_msg("phone_parse(\"%s\", %s) = \"%s\", want \"%s\"", in, iso, pn.key, want);
    if (strcmp(pn.ext, ext) != 0)
        fail_msg("phone_parse(\"%s\", %s) extension \"%s\", want \"%s\"", in, iso, pn.ext, ext);
}

static void key_is(const char *in, const char *iso, const char *want)
{
    key_ext(in, iso, want, "");
}

static void test_cn_mobile(void **state)
{
    (void)state;
    static const char *const same[] = {
        "13855260424",
        "+86 138 5526 0424",
        "0086-138-5526-0424",
        "138 5526 0424",
        "138-5526-0424",
        "+8613855260424",
        "8613855260424",
        "86 138 5526 0424",
        "+86 (138) 5526 0424",
        "(+86) 138 5526 0424",
        "（＋８６）１３８５５２６０４２４",
        "+86.138.5526.0424",
        "  +86 138 5526 0424  ",
        "0086 13855260424",
        "tel:+86-138-5526-0424",
        "Tel: +86 138 5526 0424",
        "电话：138 5526 0424",
        "＋８６ １３８ ５５２６ ０４２４",
        "１３８５５２６０４２４",
        "１３８－５５２６－０４２４",
        "138\xe3\x80\x80" "5526\xe3\x80\x80" "0424",  /* ideographic spaces */
        "138\xc2\xa0" "5526\xc2\xa0" "0424",          /* no-break spaces */
        "138\xe2\x80\x93" "5526\xe2\x80\x93" "0424",  /* en dashes */
        "138 5526 0424 (mobile)",
        "13855260424（手机）",
        "013855260424",                                /* a stray trunk '0' */
        "+86 013855260424",
    };
    for (size_t i = 0; i < RP_NELEM(same); i++)
        key_is(same[i], "CN", "8613855260424");
    /* The country of an international spelling does not depend on the home. */
    key_is("+86 138 5526 0424", "US", "8613855260424");
    key_is("0086 138 5526 0424", NULL, "8613855260424");
}

static void test_cn_landline(void **state)
{
    (void)state;
    key_is("010-12345678", "CN", "861012345678");
    key_is("(010) 1234 5678", "CN", "861012345678");
    key_is("（０１０）１２３４５６７８", "CN", "861012345678");
    key_is("+86 10 1234 5678", "CN", "861012345678");
    key_is("+86 010 1234 5678", "CN", "861012345678");
    key_is("0086 10 12345678", "CN", "861012345678");
    key_is("020 1234 5678", "CN", "862012345678");
    key_is("0755-1234-5678", "CN", "8675512345678");
    key_is("0571-8765432", "CN", "865718765432");
    key_is("400-123-4567", "CN", "864001234567");
    key_is("800 123 4567", "CN", "868001234567");
    /* A local number without its area code is ambiguous: not guessed. */
    key_is("12345678", "CN", NULL);
    key_is("8765-4321", "CN", NULL);
    /* An area code starting with 1 is Beijing's "10" only; mobiles start 13-19. */
    key_is("011 1234 5678", "CN", NULL);
    key_is("12855260424", "CN", NULL);
    key_is("+86 128 5526 0424", "CN", NULL);
    key_is("+86 1234", "CN", NULL);
    key_is("0123", "CN", NULL);
}

static void test_nanp(void **state)
{
    (void)state;
    static const char *const same[] = {
        "(415) 555-0100", "415-555-0100", "415.555.0100", "4155550100", "1 415 555 0100",
        "1-415-555-0100", "+1 (415) 555-0100", "+14155550100", "001 415 555 0100",
        "011 1 415 555 0100",
    };
    for (size_t i = 0; i < RP_NELEM(same); i++)
        key_is(same[i], "US", "14155550100");
    key_is("+1 (415) 555-0100", "CN", "14155550100");
    key_is("(613) 555-0199", "CA", "16135550199");
    /* Area codes and exchanges start with 2-9; seven digits lack the area code. */
    key_is("(015) 555-0100", "US", NULL);
    key_is("(415) 155-0100", "US", NULL);
    key_is("555-0100", "US", NULL);
    key_is("+1 415 555 010", "US", NULL);
    key_is("+1 415 555 01000", "US", NULL);
    /* "011" is North America's international prefix, not China's. */
    key_is("011 44 20 7946 0958", "US", "442079460958");
    key_is("011 44 20 7946 0958", "CN", NULL);
}

static void test_extensions(void **state)
{
    (void)state;
    key_ext("+1 (415) 555-0100 x12", "CN", "14155550100", "12");
    key_ext("+1 (415) 555-0100 X12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100x12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100 ext. 12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100 ext 12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100 EXT:12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100 extension 12", "CN", "14155550100", "12");
    key_ext("+1.415.555.0100#12", "CN", "14155550100", "12");
    key_ext("+1 415 555 0100 #12", "CN", "14155550100", "12");
    key_ext("tel:+1-415-555-0100;ext=12", "CN", "14155550100", "12");
    key_ext("010-12345678转123", "CN", "861012345678", "123");
    key_ext("010-12345678 转 123", "CN", "861012345678", "123");
    key_ext("010-12345678 分机 123", "CN", "861012345678", "123");
    key_ext("010-12345678分机１２３", "CN", "861012345678", "123");
    key_ext("(415) 555-0100 x1234567890", "US", "14155550100", "1234567890");
    /* More digits than an extension has: a second number glued on, not an extension. */
    key_is("(415) 555-0100 x12345678901", "US", NULL);
    /* A marker without digits is a note after the number. */
    key_ext("(415) 555-0100 x", "US", "14155550100", "");
}

static void test_trunk_and_open_countries(void **state)
{
    (void)state;
    key_is("020 7946 0958", "GB", "442079460958");
    key_is("+44 (0)20 7946 0958", "CN", "442079460958");
    key_is("+44 20 7946 0958", "CN", "442079460958");
    key_is("+44 020 7946 0958", "CN", "442079460958");
    key_is("0044 (0)20 7946 0958", "CN", "442079460958");
    key_is("44 20 7946 0958", "GB", "442079460958");
    key_is("(0)20 7946 0958", "GB", "442079460958");
    key_is("030 1234567", "DE", "49301234567");
    key_is("+49 (0)30 1234567", "CN", "49301234567");
    key_is("+49 (0) 30 1234567", "CN", "49301234567");
    key_is("+49 (030) 1234567", "CN", "49301234567");
    key_is("01 23 45 67 89", "FR", "33123456789");
    key_is("06 12 34 56 78", "FR", "33612345678");
    key_is("090-1234-5678", "JP", "819012345678");
    key_is("010-1234-5678", "KR", "821012345678");
    /* Italy keeps the leading 0 of landlines in E.164. */
    key_is("06 1234 5678", "IT", "390612345678");
    key_is("+39 06 1234 5678", "CN", "390612345678");
    key_is("2123 4567", "HK", "85221234567");
    key_is("+852 2123 4567", "CN", "85221234567");
    key_is("612 345 678", "ES", "34612345678");
    /* A trunk country's national form needs its '0'; lengths are the country's. */
    key_is("2079460958", "GB", NULL);
    key_is("020 7946 09", "GB", NULL);
    key_is("01 23 45 67 8", "FR", NULL);
    key_is("2123 456", "HK", NULL);
    /* A country outside the table: digits after its code, at least PHONE_MIN_NSN. */
    key_is("+7 495 123 45 67", "CN", "74951234567");
    key_is("+380 44 123 4567", "CN", "380441234567");
    key_is("+380 12345", "CN", NULL);
}

static void test_junk(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "abc",
        "---",
        "()",
        "+",
        "12345",
        "123-45",
        "0 12345",
        "+1 2345",
        "0012345",
        "ext 123",
        "x12345",
        "call 13855260424",          /* words, not a label */
        "abc13855260424",
        "13855260424abc",            /* letters glued to the digits */
        "1385526o424",
        "+0 123 456 789",            /* country codes never start with 0 */
        "000 123 456 789",
        "+0086 138 5526 0424",
        "1234567890123456",          /* 16 digits: past E.164 */
        "+1234567890123456",
        "13855260424/13955260424",
        "13855260424 13955260424",
        "+86 138 5526 0424 0000 0000",
        "2026-12-06",
        "1.5",
        "john@example.com",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        key_is(bad[i], "CN", NULL);
    /* National forms need a home country. */
    key_is("13855260424", NULL, NULL);
    struct phone_number pn;
    assert_int_equal(phone_parse((struct rp_str){NULL, 0}, phone_country("CN"), &pn), RP_EINVAL);
}

static void test_notes_and_exactness(void **state)
{
    (void)state;
    const struct phone_country *cn = phone_country("CN");
    struct phone_number pn;
    assert_int_equal(phone_parse(rp_str_c(" 138-5526-0424 "), cn, &pn), RP_OK);
    assert_true(pn.exact);
    assert_int_equal(pn.cc_len, 2);
    assert_int_equal(phone_parse(rp_str_c("+1 415 555 0100 x12"), cn, &pn), RP_OK);
    assert_true(pn.exact);
    assert_int_equal(pn.cc_len, 1);
    /* A label, a note or a second number: read, but not the whole text. */
    static const char *const loose[] = {
        "Tel: 13855260424", "13855260424 (mobile)", "13855260424, 13955260424",
        "+86 138 5526 0424 +86 139 5526 0424", "13855260424; evenings", "x: 13855260424",
    };
    for (size_t i = 0; i < RP_NELEM(loose); i++) {
        assert_int_equal(phone_parse(rp_str_c(loose[i]), cn, &pn), RP_OK);
        assert_string_equal(pn.key, "8613855260424");
        assert_false(pn.exact);
    }
}

static void test_limits(void **state)
{
    (void)state;
    const struct phone_country *cn = phone_country("CN");
    struct phone_number pn;
    char buf[PHONE_MAX_INPUT + 2];
    memset(buf, ' ', sizeof(buf));
    memcpy(buf + PHONE_MAX_INPUT - 11, "13855260424", 11);
    assert_int_equal(phone_parse((struct rp_str){buf, PHONE_MAX_INPUT}, cn, &pn), RP_OK);
    assert_string_equal(pn.key, "8613855260424");
    assert_int_equal(phone_parse((struct rp_str){buf, PHONE_MAX_INPUT + 1}, cn, &pn), RP_EINVAL);
    /* A long run of digits stops at the digit buffer, not past it. */
    memset(buf, '9', sizeof(buf));
    assert_int_equal(phone_parse((struct rp_str){buf, PHONE_MAX_INPUT}, cn, &pn), RP_EINVAL);
    /* The slice ends the number; stray bytes are text like any other. */
    assert_int_equal(phone_parse((struct rp_str){"13855260424999", 11}, cn, &pn), RP_OK);
    assert_string_equal(pn.key, "8613855260424");
    assert_int_equal(phone_parse(rp_str_c("13855260424\xff"), cn, &pn), RP_EINVAL);
    assert_int_equal(phone_parse(rp_str_c("13855260424 \xff"), cn, &pn), RP_OK);
}

static void test_countries(void **state)
{
    (void)state;
    assert_string_equal(phone_country("cn")->cc, "86");
    assert_string_equal(phone_country("US")->cc, "1");
    assert_null(phone_country("XX"));
    assert_null(phone_country("CHN"));
    assert_null(phone_country(""));
    assert_null(phone_country(NULL));
    size_t n;
    const struct phone_country *all = phone_countries(&n);
    assert_string_equal(all[0].iso, "CN");
    for (size_t i = 0; i < n; i++) {
        assert_true(all[i].min_nsn <= all[i].max_nsn);
        assert_true(strlen(all[i].cc) + all[i].max_nsn <= PHONE_MAX_DIGITS);
        assert_ptr_equal(phone_country(all[i].iso), &all[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cn_mobile),
        cmocka_unit_test(test_cn_landline),
        cmocka_unit_test(test_nanp),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_trunk_and_open_countries),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_notes_and_exactness),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_countries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
