/* Unit tests for engine/dupkeys: e-mail, tax id and name keys, name similarity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/text.h"
#include "engine/dupkeys.h"

static struct arena A;

static int setup(void **state)
{
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&A);
    return 0;
}

/* Compares a key with the expected one (NULL: no key), naming the input on failure. */
static void key_is(const char *fn, const char *in, const char *got, const char *want)
{
    if (!want && got)
        fail_msg("%s(\"%s\") = \"%s\", want NULL", fn, in, got);
    if (want && !got)
        fail_msg("%s(\"%s\") = NULL, want \"%s\"", fn, in, want);
    if (want && strcmp(got, want) != 0)
        fail_msg("%s(\"%s\") = \"%s\", want \"%s\"", fn, in, got, want);
}

static void email_is(const char *in, const char *want)
{
    key_is("dupkey_email", in, dupkey_email(&A, rp_str_c(in)), want);
}

static void tax_is(const char *in, const char *want)
{
    key_is("dupkey_tax_id", in, dupkey_tax_id(&A, rp_str_c(in)), want);
}

static void name_is(const char *in, const char *want)
{
    key_is("dupkey_name", in, dupkey_name(&A, rp_str_c(in)), want);
}

static void same_name(const char *x, const char *y)
{
    const char *kx = dupkey_name(&A, rp_str_c(x)), *ky = dupkey_name(&A, rp_str_c(y));
    if (strcmp(kx, ky) != 0)
        fail_msg("dupkey_name(\"%s\") = \"%s\" but dupkey_name(\"%s\") = \"%s\"", x, kx, y, ky);
}

/* Fills buf with n bytes: `pad` repeated, then `tail` at the end. */
static struct rp_str padded(char *buf, size_t n, char pad, const char *tail)
{
    size_t t = strlen(tail);
    memset(buf, pad, n - t);
    memcpy(buf + n - t, tail, t);
    return (struct rp_str){buf, n};
}

/* ---- dupkey_email ---- */

static void test_email_gmail(void **state)
{
    (void)state;
    email_is("John.Smith+crm@Gmail.com", "johnsmith@gmail.com");
    email_is("johnsmith@gmail.com", "johnsmith@gmail.com");
    email_is("j.o.h.n.smith@googlemail.com", "johnsmith@gmail.com");
    email_is("JohnSmith@GoogleMail.COM", "johnsmith@gmail.com");
    email_is("  John.Smith@GMAIL.COM \t\r\n", "johnsmith@gmail.com");
    email_is("a+b+c@gmail.com", "a@gmail.com");
    email_is("a.+b.c@gmail.com", "a@gmail.com");
    /* Nothing left of the local part. */
    email_is("+tag@gmail.com", NULL);
    email_is("...@gmail.com", NULL);
    email_is(".+x@gmail.com", NULL);
}

static void test_email_other_domains(void **state)
{
    (void)state;
    /* Dots and plus parts may name different mailboxes elsewhere: kept. */
    email_is("John.Smith+crm@Example.com", "john.smith+crm@example.com");
    email_is("john.smith@example.com", "john.smith@example.com");
    email_is("  SALES@ACME.CO.UK  ", "sales@acme.co.uk");
    email_is("j.s@sub.gmail.com", "j.s@sub.gmail.com");
    email_is("j.s@gmail.com.evil.org", "j.s@gmail.com.evil.org");
    email_is("j.s@notgmail.com", "j.s@notgmail.com");
    email_is("j.s+x@outlook.com", "j.s+x@outlook.com");
    email_is("first_last@my-company.cn", "first_last@my-company.cn");
    email_is("a@b.co", "a@b.co");
    email_is("o'brien@example.ie", "o'brien@example.ie");
    /* Non-ASCII is kept as written; only ASCII is lower-cased. */
    email_is("张三@例子.中国", "张三@例子.中国");
    email_is("Zoë@Example.DE", "zoë@example.de");
}

static void test_email_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "plain",
        "plain.example.com",
        "@example.com",
        "user@",
        "user@localhost",
        "a@@b.com",
        "a@b@c.com",
        "a b@c.com",
        "a@b .com",
        "Ann <ann@x.org>",
        "<ann@x.org>",
        "\"ann\"@x.org",
        "a@b..com",
        "a@.b.com",
        "a@b.com.",
        "a,b@c.com",
        "a@b.com; c@d.com",
        "a@b.com,c@d.com",
        "a@exa!mple.com",
        "a@[127.0.0.1]",
        "mailto:a@b.com",
        "a\t@b.com",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        email_is(bad[i], NULL);
    assert_null(dupkey_email(&A, (struct rp_str){NULL, 0}));
    assert_null(dupkey_email(&A, (struct rp_str){"a\0b@c.com", 9}));
    assert_null(dupkey_email(&A, (struct rp_str){"a@b.com\x7f", 8}));
}

static void test_email_lengths(void **state)
{
    (void)state;
    char buf[2048];
    /* 254 bytes is the longest address; 255 is not one. */
    assert_string_equal(dupkey_email(&A, padded(buf, 254, 'a', "@example.com")) + 242,
                        "@example.com");
    assert_null(dupkey_email(&A, padded(buf, 255, 'a', "@example.com")));
    /* Surrounding whitespace does not count, but the raw input is capped too. */
    struct rp_str s = padded(buf, DUPKEY_MAX_INPUT, ' ', "ann@x.org");
    assert_string_equal(dupkey_email(&A, s), "ann@x.org");
    s = padded(buf, DUPKEY_MAX_INPUT + 1, ' ', "ann@x.org");
    assert_null(dupkey_email(&A, s));
}

static void test_email_slice(void **state)
{
    (void)state;
    /* Only the slice is read: the bytes after it are not part of the address. */
    assert_string_equal(dupkey_email(&A, (struct rp_str){"Ann@X.org.evil", 9}), "ann@x.org");
    assert_string_equal(dupkey_email(&A, (struct rp_str){"a.b@gmail.comX", 13}),
                        "ab@gmail.com");
}

/* ---- dupkey_tax_id ---- */

static void test_tax_id(void **state)
{
    (void)state;
    tax_is("DE123456789", "DE123456789");
    tax_is("de 123.456.789", "DE123456789");
    tax_is("de-123/456/789", "DE123456789");
    tax_is("  12-3456789 ", "123456789");
    tax_is("91310000-MA1FL/1234x", "91310000MA1FL1234X");
    tax_is("９１３１００００ＭＡ１ＦＬ１２３４Ｘ", "91310000MA1FL1234X");
    tax_is("gb\t123\n4567\xc2\xa0" "89", "GB123456789");
    tax_is("GB\xe3\x80\x80" "123", "GB123");  /* ideographic space */
    tax_is("fr_12:345", "FR_12:345");
    tax_is("ü123", "ü123");
    tax_is("", NULL);
    tax_is("   ", NULL);
    tax_is(" .-/ ", NULL);
    tax_is("\xe3\x80\x80", NULL);
    assert_null(dupkey_tax_id(&A, (struct rp_str){NULL, 0}));
    assert_string_equal(dupkey_tax_id(&A, (struct rp_str){"ab-12zz", 5}), "AB12");

    char buf[2048];
    struct rp_str s = padded(buf, DUPKEY_MAX_INPUT, ' ', "x1");
    assert_string_equal(dupkey_tax_id(&A, s), "X1");
    s = padded(buf, DUPKEY_MAX_INPUT + 1, ' ', "x1");
    assert_null(dupkey_tax_id(&A, s));
}

/* ---- dupkey_name ---- */

static void test_name_legal_forms_en(void **state)
{
    (void)state;
    static const char *const acme[] = {
        "Acme",
        "acme",
        "ACME",
        "Acme Inc.",
        "ACME, Inc",
        "acme incorporated",
        "Acme Corp.",
        "Acme Corporation",
        "Acme Co.",
        "Acme Co., Ltd.",
        "Acme Co.,Ltd.",
        "Acme Company Limited",
        "Acme Ltd",
        "Acme LLC",
        "Acme L.L.C.",
        "Acme PLC",
        "Acme P.L.C.",
        "Acme Pty Ltd",
        "Acme Pte. Ltd.",
        "Acme K.K.",
        "Acme KK",
        "Acme (Inc.)",
        "  Acme   Inc  ",
    };
    for (size_t i = 0; i < RP_NELEM(acme); i++)
        name_is(acme[i], "acme");
}

static void test_name_legal_forms_eu(void **state)
{
    (void)state;
    name_is("Siemens AG", "siemens");
    name_is("Robert Bosch GmbH", "robertbosch");
    name_is("Acme S.A.", "acme");
    name_is("Acme SA", "acme");
    name_is("Acme SARL", "acme");
    name_is("Acme B.V.", "acme");
    name_is("Acme N.V.", "acme");
    name_is("Acme S.r.l.", "acme");
    name_is("Acme SRL", "acme");
    name_is("Acme S.p.A.", "acme");
    name_is("Acme SpA", "acme");
    name_is("Nokia Oyj Oy", "nokiaoyj");
    name_is("Volvo AB", "volvo");
    name_is("Equinor AS", "equinor");
}

static void test_name_legal_forms_only_at_end(void **state)
{
    (void)state;
    /* Legal words elsewhere are part of the name. */
    name_is("Co-operative Bank", "cooperativebank");
    name_is("The Company Store", "thecompanystore");
    name_is("Inc Magazine Group", "incmagazinegroup");
    /* Only whole words. */
    name_is("Acmeinc", "acmeinc");
    name_is("Disco", "disco");
    name_is("Lotus SAS", "lotussas");
    /* Something must stay in front of a legal form. */
    name_is("Limited", "limited");
    name_is("Inc.", "inc");
    name_is("AG", "ag");
    name_is("Company Limited", "company");
    name_is("Co. Ltd.", "co");
    /* Initials that are not a legal form are kept as letters. */
    name_is("A.C.M.E.", "acme");
    name_is("J.P. Morgan", "jpmorgan");
}

static void test_name_chinese(void **state)
{
    (void)state;
    same_name("北京重要客户有限公司", "北京重要客户");
    name_is("北京重要客户有限公司", "北京重要客户");
    name_is("腾讯控股有限公司", "腾讯");
    name_is("华为技术有限公司", "华为技术");
    name_is("阿里巴巴集团控股有限公司", "阿里巴巴");
    name_is("中国平安保险（集团）股份有限公司", "中国平安保险");
    name_is("北京某某科技有限责任公司", "北京某某科技");
    name_is("万科企业股份有限公司", "万科企业");
    name_is("海尔集团公司", "海尔");
    name_is("北京重要客户 有限公司", "北京重要客户");
    name_is("北京重要客户　有限公司", "北京重要客户");
    name_is("「北京」重要·客户", "北京重要客户");
    name_is("北京、重要。客户", "北京重要客户");
    /* Traditional forms. */
    name_is("台灣積體電路製造股份有限公司", "台灣積體電路製造");
    name_is("長江集團有限公司", "長江");
    name_is("某某有限責任公司", "某某");
    /* Mixed with Latin text. */
    name_is("Acme有限公司", "acme");
    name_is("上海 Acme Co., Ltd.", "上海acme");
    name_is("Acme (China) Co., Ltd.", "acmechina");
    /* Something must stay. */
    name_is("有限公司", "有限公司");
    name_is("公司", "公司");
    name_is("控股公司", "控股");
}

static void test_name_width_and_case(void **state)
{
    (void)state;
    same_name("ＡＣＭＥ", "acme");
    name_is("ＡＣＭＥ", "acme");
    name_is("Ａｃｍｅ　Ｉｎｃ．", "acme");
    name_is("ＡＢＣ１２３", "abc123");
    name_is("ＡＣＭＥ（ＣＨＩＮＡ）ＣＯ．，ＬＴＤ．", "acmechina");
    name_is("Société Générale SA", "sociétégénérale");
    same_name("SOCIÉTÉ GÉNÉRALE", "société générale");
    name_is("Müller & Söhne GmbH", "müllersöhne");
    name_is("ÆRØ", "ærø");
}

static void test_name_punctuation(void **state)
{
    (void)state;
    name_is("  Acme -- Widgets!!  ", "acmewidgets");
    name_is("AT&T", "att");
    name_is("McDonald's", "mcdonalds");
    name_is("McDonald\xe2\x80\x99s Corp", "mcdonalds");  /* right single quote */
    name_is("Acme\xe2\x84\xa2", "acme");                 /* trade mark sign */
    name_is("\xc2\xab" "Acme\xc2\xbb \xc2\xa9 2024", "acme2024");
    name_is("\xef\xbb\xbf" "Acme", "acme");              /* BOM */
    name_is("Acme\xe2\x80\x8b" "Inc", "acme");           /* zero-width space */
    name_is("Acme 😀", "acme😀");
    name_is("", "");
    name_is("   ", "");
    name_is("...!!!", "");
    name_is("（）【】", "");
    assert_string_equal(dupkey_name(&A, (struct rp_str){NULL, 0}), "");
}

static void test_name_slice_and_bad_bytes(void **state)
{
    (void)state;
    assert_string_equal(dupkey_name(&A, (struct rp_str){"Acme Inc.XYZ", 9}), "acme");
    assert_string_equal(dupkey_name(&A, (struct rp_str){"Acme\0Inc", 8}), "acme");
    /* Stray bytes separate words and never leak into the key. */
    name_is("Ac\xffme", "acme");
    name_is("acme\xe5\x8c", "acme");
    name_is("\xc0\xaf" "acme", "acme");       /* overlong '/' */
    name_is("ac\xed\xa0\x80me", "acme");      /* surrogate */
    name_is("\xf4\x90\x80\x80" "acme", "acme");  /* past U+10FFFF */
}

static void test_name_long_input(void **state)
{
    (void)state;
    /* "a" then 1000 "é": the cut at DUPKEY_MAX_INPUT would fall inside a code point. */
    char buf[2048];
    buf[0] = 'a';
    for (size_t i = 0; i < 1000; i++)
        memcpy(buf + 1 + 2 * i, "\xc3\xa9", 2);
    struct rp_str s = {buf, 2001};
    const char *k = dupkey_name(&A, s);
    assert_int_equal(strlen(k), DUPKEY_MAX_INPUT - 1);
    assert_true(text_utf8_valid(rp_str_c(k)));

    /* Many one-letter words: the word table holds them all. */
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = i % 2 ? ' ' : 'x';
    k = dupkey_name(&A, (struct rp_str){buf, sizeof(buf)});
    assert_int_equal(strlen(k), DUPKEY_MAX_INPUT / 2);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = i % 2 ? '.' : 'x';
    k = dupkey_name(&A, (struct rp_str){buf, sizeof(buf)});
    assert_int_equal(strlen(k), DUPKEY_MAX_INPUT / 2);
}

/* ---- dupkey_similarity ---- */

static void test_similarity_basic(void **state)
{
    (void)state;
    assert_int_equal(dupkey_similarity("acme", "acme"), 100);
    assert_int_equal(dupkey_similarity("北京重要客户", "北京重要客户"), 100);
    int s = dupkey_similarity("acmee", "acme");
    assert_true(s >= 75 && s < 100);
    assert_int_equal(s, dupkey_similarity("acme", "acmee"));
    assert_true(dupkey_similarity("acme", "globex") < 30);
    assert_true(dupkey_similarity("acmewidgets", "initech") < 30);
    assert_true(dupkey_similarity("北京重要客户", "上海航运") < 30);
    assert_true(dupkey_similarity("北京重要客户", "北京重要客戶") >= 60);
    assert_true(dupkey_similarity("microsoft", "microsfot") >= 50);
    /* Dice on bigram multisets: "ab" vs "abc" is 2*1/(1+2). */
    assert_int_equal(dupkey_similarity("ab", "abc"), 67);
    assert_int_equal(dupkey_similarity("aaaa", "aa"), 50);
    assert_int_equal(dupkey_similarity("ab", "ba"), 0);
    /* Same bigrams, different strings: never 100. */
    assert_int_equal(dupkey_similarity("abca", "bcab"), 99);
}

static void test_similarity_short_and_empty(void **state)
{
    (void)state;
    assert_int_equal(dupkey_similarity("a", "a"), 100);
    assert_int_equal(dupkey_similarity("a", "b"), 0);
    assert_int_equal(dupkey_similarity("a", "ab"), 0);
    assert_int_equal(dupkey_similarity("ab", "a"), 0);
    assert_int_equal(dupkey_similarity("北", "北"), 100);
    assert_int_equal(dupkey_similarity("北", "京"), 0);
    assert_int_equal(dupkey_similarity("", ""), 0);
    assert_int_equal(dupkey_similarity("", "acme"), 0);
    assert_int_equal(dupkey_similarity(NULL, "acme"), 0);
    assert_int_equal(dupkey_similarity("acme", NULL), 0);
    assert_int_equal(dupkey_similarity(NULL, NULL), 0);
}

static void test_similarity_of_name_keys(void **state)
{
    (void)state;
    const char *x = dupkey_name(&A, rp_str_c("Acme Inc"));
    const char *y = dupkey_name(&A, rp_str_c("ACME Incorporated"));
    assert_int_equal(dupkey_similarity(x, y), 100);
    x = dupkey_name(&A, rp_str_c("北京重要客户有限公司"));
    y = dupkey_name(&A, rp_str_c("北京重要客戶"));
    assert_true(dupkey_similarity(x, y) >= 60);
    x = dupkey_name(&A, rp_str_c("Acme Widgets Ltd"));
    y = dupkey_name(&A, rp_str_c("Acme Widget Co."));
    assert_true(dupkey_similarity(x, y) >= 85);
}

static void test_similarity_long(void **state)
{
    (void)state;
    /* Keys past DUPKEY_MAX_INPUT are compared on their first DUPKEY_MAX_INPUT bytes. */
    char *x = arena_alloc(&A, 3001), *y = arena_alloc(&A, 3001);
    for (size_t i = 0; i < 1000; i++) {
        memcpy(x + 3 * i, "北", 3);
        memcpy(y + 3 * i, "北", 3);
    }
    x[3000] = y[3000] = '\0';
    y[2999] = 'x'; /* differs only past the cap (and breaks the last code point) */
    assert_int_equal(dupkey_similarity(x, y), 100);
    y[3] = 'x';
    int s = dupkey_similarity(x, y);
    assert_true(s >= 90 && s < 100);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_email_gmail),
        T(test_email_other_domains),
        T(test_email_invalid),
        T(test_email_lengths),
        T(test_email_slice),
        T(test_tax_id),
        T(test_name_legal_forms_en),
        T(test_name_legal_forms_eu),
        T(test_name_legal_forms_only_at_end),
        T(test_name_chinese),
        T(test_name_width_and_case),
        T(test_name_punctuation),
        T(test_name_slice_and_bad_bytes),
        T(test_name_long_input),
        T(test_similarity_basic),
        T(test_similarity_short_and_empty),
        T(test_similarity_of_name_keys),
        T(test_similarity_long),
    };
#undef T
    return cmocka_run_group_tests_name("dedup", tests, NULL, NULL);
}
