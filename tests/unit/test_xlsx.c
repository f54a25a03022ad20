/* Unit tests for engine/xlsx_read: number formats, date serials, numbers without float
 * noise, and whole workbooks built in memory — strings shared, inline and rich, dates
 * by style in both date systems, gaps, and hostile files (not a ZIP, an encrypted or
 * old workbook, a DTD, a part that unpacks past its limit, broken references), and
 * the refusals in Chinese. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "engine/rec.h"
#include "engine/xlsx_read.h"
#include "xlsx_fixture.h"

/* ---- pure pieces ---- */

static void test_numfmt(void **state)
{
    (void)state;
    assert_int_equal(xlsx_numfmt_kind(0, NULL), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(2, NULL), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(14, NULL), XLSX_DATE);
    assert_int_equal(xlsx_numfmt_kind(17, NULL), XLSX_DATE);
    assert_int_equal(xlsx_numfmt_kind(18, NULL), XLSX_TIME);
    assert_int_equal(xlsx_numfmt_kind(21, NULL), XLSX_TIME);
    assert_int_equal(xlsx_numfmt_kind(22, NULL), XLSX_DATETIME);
    assert_int_equal(xlsx_numfmt_kind(31, NULL), XLSX_DATE); /* yyyy"年"m"月"d"日" */
    assert_int_equal(xlsx_numfmt_kind(164, "yyyy-mm-dd"), XLSX_DATE);
    assert_int_equal(xlsx_numfmt_kind(164, "yyyy/m/d h:mm"), XLSX_DATETIME);
    assert_int_equal(xlsx_numfmt_kind(164, "hh:mm:ss"), XLSX_TIME);
    assert_int_equal(xlsx_numfmt_kind(164, "mmm-yy"), XLSX_DATE);
    assert_int_equal(xlsx_numfmt_kind(164, "yyyy\"年\"m\"月\"d\"日\""), XLSX_DATE);
    assert_int_equal(xlsx_numfmt_kind(164, "[$-804]yyyy/m/d"), XLSX_DATE);
    /* Letters in quotes, colours, escapes and later sections are no date. */
    assert_int_equal(xlsx_numfmt_kind(164, "#,##0.00 \"days\""), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "[Red]0.00"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "0\\d"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "0.00;[Red]\"minus\" yyyy"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "General"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(9, NULL), XLSX_PERCENT);
    assert_int_equal(xlsx_numfmt_kind(10, NULL), XLSX_PERCENT);
    assert_int_equal(xlsx_numfmt_kind(164, "0.0%"), XLSX_PERCENT);
    assert_int_equal(xlsx_numfmt_kind(164, "0\"%\""), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "0.00E+00"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "\"unclosed"), XLSX_NUMBER);
    assert_int_equal(xlsx_numfmt_kind(164, "[unclosed"), XLSX_NUMBER);
}

static void serial(double v, int date1904, enum xlsx_numfmt kind, const char *want)
{
    char out[32];
    assert_true(xlsx_serial_text(v, date1904, kind, out, sizeof(out)));
    assert_string_equal(out, want);
}

static void test_serials(void **state)
{
    (void)state;
    serial(1, 0, XLSX_DATE, "1900-01-01");
    serial(59, 0, XLSX_DATE, "1900-02-28");
    serial(60, 0, XLSX_DATE, "1900-02-29"); /* Lotus's day that never was */
    serial(61, 0, XLSX_DATE, "1900-03-01");
    serial(45000, 0, XLSX_DATE, "2023-03-15");
    serial(46027, 0, XLSX_DATE, "2026-01-05");
    serial(46027.395833333336, 0, XLSX_DATETIME, "2026-01-05 09:30:00");
    serial(46027.99999999, 0, XLSX_DATETIME, "2026-01-06 00:00:00"); /* rounds up a day */
    serial(0.5, 0, XLSX_TIME, "12:00:00");
    serial(2958465, 0, XLSX_DATE, "9999-12-31");
    serial(0, 1, XLSX_DATE, "1904-01-01");
    serial(44538, 1, XLSX_DATE, "2025-12-09");
    char out[32];
    assert_false(xlsx_serial_text(-1, 0, XLSX_DATE, out, sizeof(out)));
    assert_false(xlsx_serial_text(0, 0, XLSX_DATE, out, sizeof(out)));
    assert_false(xlsx_serial_text(3e6, 0, XLSX_DATE, out, sizeof(out)));
    assert_false(xlsx_serial_text(1.0 / 0.0, 0, XLSX_DATE, out, sizeof(out)));
}

static void number(const char *v, const char *want)
{
    char out[64];
    if (!want) {
        assert_false(xlsx_number_text(v, out, sizeof(out)));
        return;
    }
    assert_true(xlsx_number_text(v, out, sizeof(out)));
    assert_string_equal(out, want);
}

static void test_numbers(void **state)
{
    (void)state;
    number("1", "1");
    number("13800138000", "13800138000");
    number("1.0", "1");
    number("-0", "0");
    number("0.30000000000000004", "0.3");
    number("1234.5", "1234.5");
    number("1234567.8900000001", "1234567.89");
    number("1E-3", "0.001");
    number("2.5E+2", "250");
    number("1e20", "1e+20");
    number("", NULL);
    number("abc", NULL);
    number("0x10", NULL);
    number("nan", NULL);
    number("inf", NULL);
    number("1 2", NULL);
}

/* ---- workbooks ---- */

struct got {
    char text[4096];
    int rows;
    size_t extra;
    bool too_big;
};

/* Rows as "num:a|b|c;" */
static enum rp_err collect(void *cls, const struct xlsx_row *r)
{
    struct got *g = cls;
    size_t n = strlen(g->text);
    snprintf(g->text + n, sizeof(g->text) - n, "%lld:", (long long)r->num);
    for (size_t i = 0; i < r->n; i++) {
        n = strlen(g->text);
        snprintf(g->text + n, sizeof(g->text) - n, "%s%.*s", i ? "|" : "",
                 (int)(r->cells[i].len < 64 ? r->cells[i].len : 64), r->cells[i].p);
    }
    n = strlen(g->text);
    snprintf(g->text + n, sizeof(g->text) - n, ";");
    g->rows++;
    g->extra += r->extra;
    g->too_big |= r->too_big;
    return RP_OK;
}

static enum rp_err read_parts(const struct xf_part *parts, size_t n, int date1904, struct got *g,
                              const char **fatal)
{
    size_t len;
    char *x = xf_build(parts, n, date1904, 1, &len);
    struct arena a;
    arena_init(&a);
    memset(g, 0, sizeof(*g));
    enum rp_err err = xlsx_read(x, len, NULL, collect, g, &a, RP_LANG_EN, fatal);
    if (*fatal)
        *fatal = strdup(*fatal);
    arena_release(&a);
    free(x);
    return err;
}

static enum rp_err read_sheet(const char *sheet_data, struct got *g, const char **fatal)
{
    static char sheet[65536];
    snprintf(sheet, sizeof(sheet), "<?xml version=\"1.0\"?><worksheet " XF_MAIN "><sheetData>%s"
                                   "</sheetData></worksheet>", sheet_data);
    const struct xf_part parts[] = {{"xl/worksheets/sheet1.xml", sheet, 0}};
    return read_parts(parts, 1, 0, g, fatal);
}

static const char STRINGS[] =
    "<?xml version=\"1.0\"?><sst " XF_MAIN " count=\"4\" uniqueCount=\"4\">"
    "<si><t>姓名</t></si>"
    "<si><t xml:space=\"preserve\">  Email </t></si>"
    "<si><r><t>王</t></r><r><rPr><b/></rPr><t>小明</t></r><rPh sb=\"0\" eb=\"1\"><t>ワン</t></rPh></si>"
    "<si><t>a&amp;b &lt;c&gt;</t></si>"
    "</sst>";

static const char STYLES[] =
    "<?xml version=\"1.0\"?><styleSheet " XF_MAIN ">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d h:mm\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"#,##0.00&quot; days&quot;\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"20\"/><xf numFmtId=\"9\"/></cellXfs></styleSheet>";

static void test_workbook(void **state)
{
    (void)state;
    static const char SHEET[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        "<worksheet " XF_MAIN "><dimension ref=\"A1:F6\"/><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"inlineStr\"><is><t>生日</t></is></c>"
        "<c r=\"D1\" t=\"str\"><v>Amount</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\" t=\"s\"><v>3</v></c>"
        "<c r=\"C2\" s=\"1\"><v>46027</v></c><c r=\"D2\"><v>0.30000000000000004</v></c>"
        "<c r=\"F2\" s=\"0\"/></row>"
        "<row r=\"3\" spans=\"1:6\"><c r=\"A3\" s=\"3\"/></row>" /* styled, empty: skipped */
        "<row r=\"5\"><c r=\"C5\" s=\"2\"><v>46027.395833333336</v></c>"
        "<c r=\"D5\" s=\"3\"><v>1234.5</v></c><c r=\"E5\" t=\"b\"><v>1</v></c>"
        "<c r=\"F5\" t=\"e\"><v>#DIV/0!</v></c></row>"
        "<row><c><f>SUM(1,2)</f><v>3</v></c><c t=\"b\"><v>0</v></c><c s=\"4\"><v>0.5</v></c>"
        "<c t=\"inlineStr\"><is><r><t>rich </t></r><r><t>text</t></r></is></c>"
        "<c s=\"5\"><v>7.0000000000000007E-2</v></c></row>"
        "</sheetData></worksheet>";
    const struct xf_part parts[] = {{"xl/worksheets/sheet1.xml", SHEET, 0},
                                    {"xl/sharedStrings.xml", STRINGS, 0},
                                    {"xl/styles.xml", STYLES, 0}};
    struct got g;
    const char *fatal = NULL;
    assert_int_equal(read_parts(parts, 3, 0, &g, &fatal), RP_OK);
    assert_null(fatal);
    assert_string_equal(g.text,
                        "1:姓名|  Email |生日|Amount;"
                        "2:王小明|a&b <c>|2026-01-05|0.3;"
                        "5:||2026-01-05 09:30:00|1234.5|true|#DIV/0!;"
                        "6:3|false|12:00:00|rich text|7%;");
    /* The 1904 date system. */
    assert_int_equal(read_parts(parts, 3, 1, &g, &fatal), RP_OK);
    assert_non_null(strstr(g.text, "2:王小明|a&b <c>|2030-01-06|0.3;"));
}

/* A workbook that is not written by Excel: prefixed names, no styles or shared
 * strings, a read from a FILE. */
static void test_plain_and_file(void **state)
{
    (void)state;
    static const char SHEET[] =
        "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<x:sheetData><x:row><x:c t=\"inlineStr\"><x:is><x:t>name</x:t></x:is></x:c></x:row>"
        "<x:row><x:c t=\"inlineStr\"><x:is><x:t>Acme</x:t></x:is></x:c></x:row></x:sheetData>"
        "</x:worksheet>";
    const struct xf_part parts[] = {{"xl/worksheets/sheet1.xml", SHEET, 0}};
    size_t len;
    char *x = xf_build(parts, 1, 0, 0, &len);
    FILE *f = tmpfile();
    assert_int_equal(fwrite(x, 1, len, f), len);
    struct arena a;
    arena_init(&a);
    struct got g = {0};
    const char *fatal = NULL;
    assert_int_equal(xlsx_read(NULL, 0, f, collect, &g, &a, RP_LANG_EN, &fatal), RP_OK);
    assert_string_equal(g.text, "1:name;2:Acme;");
    /* The caller's FILE stays open and usable. */
    rewind(f);
    assert_int_equal(fgetc(f), 'P');
    fclose(f);
    arena_release(&a);
    free(x);
}

static void test_wide_row(void **state)
{
    (void)state;
    struct got g;
    const char *fatal = NULL;
    assert_int_equal(read_sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>"
                                "<c r=\"JZ1\"><v>1</v></c><c r=\"XFD1\"><v>2</v></c></row>",
                                &g, &fatal),
                     RP_OK);
    assert_string_equal(g.text, "1:a;");
    assert_int_equal(g.extra, 2);
}

static void test_big_cell(void **state)
{
    (void)state;
    size_t n = RP_MAX_IMPORT_FIELD + 10;
    char *sheet = malloc(n + 512);
    int k = snprintf(sheet, 512,
                     "<worksheet " XF_MAIN "><sheetData><row><c t=\"inlineStr\"><is><t>");
    memset(sheet + k, 'x', n);
    snprintf(sheet + k + n, 512, "</t></is></c></row></sheetData></worksheet>");
    const struct xf_part parts[] = {{"xl/worksheets/sheet1.xml", sheet, 0}};
    struct got g;
    const char *fatal = NULL;
    assert_int_equal(read_parts(parts, 1, 0, &g, &fatal), RP_OK);
    assert_true(g.too_big);
    free(sheet);
}

static void refused(const char *sheet_data, const char *why)
{
    struct got g;
    const char *fatal = NULL;
    assert_int_equal(read_sheet(sheet_data, &g, &fatal), RP_EINVAL);
    assert_non_null(fatal);
    if (!strstr(fatal, why))
        fail_msg("\"%s\" does not say \"%s\"", fatal, why);
    free((void *)(uintptr_t)fatal);
}

static void test_hostile_sheets(void **state)
{
    (void)state;
    refused("<row r=\"2\"/><row r=\"1\"/>", "row 1 comes after row 2");
    refused("<row r=\"0\"/>", "outside the sheet");
    refused("<row r=\"1048577\"/>", "outside the sheet");
    refused("<row><c r=\"XFE1\"><v>1</v></c></row>", "outside the sheet");
    refused("<row><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>", "out of order");
    refused("<row><c r=\"1\"><v>1</v></c></row>", "outside the sheet");
    refused("<row><c t=\"s\"><v>0</v></c></row>", "a text the workbook does not have");
    refused("<row><c>", "mismatched tag");
}

static void refused_file(const char *bytes, size_t len, const char *why)
{
    struct arena a;
    arena_init(&a);
    struct got g = {0};
    const char *fatal = NULL;
    assert_int_equal(xlsx_read(bytes, len, NULL, collect, &g, &a, RP_LANG_EN, &fatal), RP_EINVAL);
    assert_non_null(fatal);
    if (!strstr(fatal, why))
        fail_msg("\"%s\" does not say \"%s\"", fatal, why);
    arena_release(&a);
}

static void test_hostile_files(void **state)
{
    (void)state;
    refused_file("name,email\n", 11, "not an .xlsx workbook");
    refused_file("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "encrypted workbook or an old .xls");
    refused_file("PK\x03\x04garbage", 11, "damaged");
    refused_file("", 0, "not an .xlsx workbook");
    /* A ZIP without a workbook. */
    const struct xf_part none[] = {{"hello.txt", "hi", 0}};
    size_t len;
    char *x = xf_build(none, 1, 0, 1, &len);
    refused_file(x, len, "no xl/worksheets/sheet1.xml");
    /* Cut short. */
    refused_file(x, len / 2, "damaged");
    free(x);
    /* Billion laughs: a DTD is refused before any entity is expanded. */
    static const char LAUGHS[] =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<sst " XF_MAIN "><si><t>&lol3;</t></si></sst>";
    const struct xf_part laughs[] = {{"xl/sharedStrings.xml", LAUGHS, 0},
                                     {"xl/worksheets/sheet1.xml", "<worksheet/>", 0}};
    x = xf_build(laughs, 2, 0, 1, &len);
    refused_file(x, len, "declares a DTD");
    free(x);
    /* A part that unpacks past its limit (a small zip bomb: 9 MiB of spaces). */
    size_t big = RP_MAX_XLSX_PART + (1u << 20);
    char *spaces = malloc(big + 256);
    int k = snprintf(spaces, 256, "<styleSheet " XF_MAIN ">");
    memset(spaces + k, ' ', big);
    snprintf(spaces + k + big, 256 - (size_t)k, "</styleSheet>");
    const struct xf_part bomb[] = {{"xl/styles.xml", spaces, 0},
                                   {"xl/worksheets/sheet1.xml", "<worksheet/>", 0}};
    x = xf_build(bomb, 2, 0, 1, &len);
    assert_true(len < 64 * 1024); /* it really is a bomb */
    refused_file(x, len, "xl/styles.xml unpacks to more than 8 MiB");
    free(x);
    free(spaces);
}

/* An error from the row callback stops the reading and comes back. */
static enum rp_err stop_at_two(void *cls, const struct xlsx_row *r)
{
    int *n = cls;
    return ++*n == 2 && r->num == 2 ? RP_EBUSY : RP_OK;
}

static void test_callback_stops(void **state)
{
    (void)state;
    static const char SHEET[] = "<worksheet " XF_MAIN "><sheetData><row><c><v>1</v></c></row>"
                                "<row><c><v>2</v></c></row><row><c><v>3</v></c></row>"
                                "</sheetData></worksheet>";
    const struct xf_part parts[] = {{"xl/worksheets/sheet1.xml", SHEET, 0}};
    size_t len;
    char *x = xf_build(parts, 1, 0, 1, &len);
    struct arena a;
    arena_init(&a);
    int n = 0;
    const char *fatal = NULL;
    assert_int_equal(xlsx_read(x, len, NULL, stop_at_two, &n, &a, RP_LANG_EN, &fatal), RP_EBUSY);
    assert_int_equal(n, 2);
    assert_null(fatal);
    arena_release(&a);
    free(x);
}

/* A refusal in the language asked for; expat's words stay English inside it. */
static void zh_refused(const char *bytes, size_t len, const char *want)
{
    struct arena a;
    arena_init(&a);
    struct got g = {0};
    const char *fatal = NULL;
    assert_int_equal(xlsx_read(bytes, len, NULL, collect, &g, &a, RP_LANG_ZH, &fatal), RP_EINVAL);
    assert_non_null(fatal);
    assert_string_equal(fatal, want);
    arena_release(&a);
}

static void test_chinese(void **state)
{
    (void)state;
    msg_add(&rec_messages);
    zh_refused("name,email\n", 11, "该文件不是 .xlsx 工作簿（ZIP 压缩包）");
    static const char ROWS[] = "<worksheet " XF_MAIN "><sheetData><row r=\"2\"/><row r=\"1\"/>"
                               "</sheetData></worksheet>";
    static const char BROKEN[] = "<worksheet " XF_MAIN "><sheetData><row><c>";
    const struct xf_part rows[] = {{"xl/worksheets/sheet1.xml", ROWS, 0}};
    const struct xf_part broken[] = {{"xl/worksheets/sheet1.xml", BROKEN, 0}};
    size_t len;
    char *x = xf_build(rows, 1, 0, 1, &len);
    zh_refused(x, len, "第 1 行排在第 2 行之后：工作表已损坏");
    free(x);
    x = xf_build(broken, 1, 0, 1, &len);
    zh_refused(x, len, "xl/worksheets/sheet1.xml，第 1 行：no element found");
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numfmt),
        cmocka_unit_test(test_serials),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_workbook),
        cmocka_unit_test(test_plain_and_file),
        cmocka_unit_test(test_wide_row),
        cmocka_unit_test(test_big_cell),
        cmocka_unit_test(test_hostile_sheets),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_chinese),
    };
    return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}
