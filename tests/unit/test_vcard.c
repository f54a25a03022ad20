/* Unit tests for engine/vcard_read: vCard 2.1 (bare types, QUOTED-PRINTABLE with soft
 * breaks, CHARSET), 3.0 and 4.0 (folding, escapes, groups, quoted parameters), names
 * from FN (Chinese family name first), the kinds of phone and e-mail, several cards and
 * their lines, the same cards whatever the chunks, and hostile input (an unknown
 * charset, bytes that are not UTF-8, an endless line, a card never closed, nesting),
 * and the cards' problems in Chinese. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/rec.h"
#include "engine/vcard_read.h"

#define MAX_CARDS 8

struct cards {
    int n;
    int64_t line[MAX_CARDS];
    char *v[MAX_CARDS][VCF_NSLOTS];
    char *error[MAX_CARDS];
};

static enum rp_err keep(void *cls, const struct vcf_card *c)
{
    struct cards *cs = cls;
    assert_true(cs->n < MAX_CARDS);
    cs->line[cs->n] = c->line;
    for (int s = 0; s < VCF_NSLOTS; s++)
        cs->v[cs->n][s] = strndup(c->v[s].p ? c->v[s].p : "", c->v[s].len);
    cs->error[cs->n] = c->error ? strdup(c->error) : NULL;
    cs->n++;
    return RP_OK;
}

static void drop(struct cards *cs)
{
    for (int i = 0; i < cs->n; i++) {
        for (int s = 0; s < VCF_NSLOTS; s++)
            free(cs->v[i][s]);
        free(cs->error[i]);
    }
    memset(cs, 0, sizeof(*cs));
}

/* Parses text fed in chunks of `chunk` bytes (0: all at once). */
static void parse(const char *text, size_t len, size_t chunk, struct cards *cs)
{
    memset(cs, 0, sizeof(*cs));
    struct vcf v;
    vcf_init(&v, RP_LANG_EN, keep, cs);
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t i = 0; i < len; i += chunk)
        assert_int_equal(vcf_feed(&v, text + i, len - i < chunk ? len - i : chunk), RP_OK);
    assert_int_equal(vcf_finish(&v), RP_OK);
    vcf_release(&v);
}

#define PARSE(lit, cs) parse((lit), sizeof(lit) - 1, 0, (cs))

static void test_v21(void **state)
{
    (void)state;
    /* 张三 in GBK is D5C5 C8FD; 李四 in UTF-8 quoted-printable with a soft break. */
    static const char T[] =
        "BEGIN:VCARD\r\n"
        "VERSION:2.1\r\n"
        "N;CHARSET=GBK;ENCODING=QUOTED-PRINTABLE:=D5=C5;=C8=FD;;;\r\n"
        "TEL;CELL;PREF:+86 139 0000 1111\r\n"
        "TEL;WORK;VOICE:010-12345678\r\n"
        "TEL;HOME:020-1\r\n"
        "TEL;FAX:020-2\r\n"
        "EMAIL;INTERNET:zhang@example.cn\r\n"
        "ORG;CHARSET=UTF-8;QUOTED-PRINTABLE:=E5=8D=8E=E4=B8=BA;=E7=A0=94=\r\n"
        "=E5=8F=91=E9=83=A8\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:first=0D=0Asecond =3D 2\r\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n"
        " AAAQABAAD\r\n"
        "\r\n"
        "END:VCARD\r\n";
    struct cards cs;
    PARSE(T, &cs);
    assert_int_equal(cs.n, 1);
    assert_null(cs.error[0]);
    assert_int_equal(cs.line[0], 1);
    assert_string_equal(cs.v[0][VCF_FAMILY], "张");
    assert_string_equal(cs.v[0][VCF_GIVEN], "三");
    assert_string_equal(cs.v[0][VCF_TEL_CELL], "+86 139 0000 1111");
    assert_string_equal(cs.v[0][VCF_TEL_WORK], "010-12345678");
    assert_string_equal(cs.v[0][VCF_TEL_HOME], "020-1");
    assert_string_equal(cs.v[0][VCF_TEL_FAX], "020-2");
    assert_string_equal(cs.v[0][VCF_EMAIL], "zhang@example.cn");
    assert_string_equal(cs.v[0][VCF_ORG], "华为");
    assert_string_equal(cs.v[0][VCF_DEPT], "研发部");
    assert_string_equal(cs.v[0][VCF_NOTE], "first\r\nsecond = 2");
    drop(&cs);
}

static void test_v3_v4(void **state)
{
    (void)state;
    static const char T[] =
        "BEGIN:VCARD\n"
        "VERSION:3.0\n"
        "FN:Anna Maria Schmidt\n"
        "N:Schmidt;Anna;Maria;Dr.;\n"
        "item1.EMAIL;TYPE=INTERNET:anna@example.de\n"
        "EMAIL;TYPE=\"work,pref\":anna.work@example.de\n"
        "TEL;TYPE=work,voice:+49 30 1\n"
        "TEL;TYPE=cell:+49 170 2\n"
        "TEL;TYPE=work:+49 30 3\n"
        "ADR;TYPE=work:;Floor 2;Main Street 1\\, Back;Berlin;BE;10115;Germany\n"
        "ADR;TYPE=home:;;Other 2;Hamburg;;;\n"
        "TITLE:Head of Sales\\; EMEA\n"
        "NOTE:Line one\\nLine two\\, with a comma \\\\ and a backslash\n"
        "BDAY:19800105\n"
        "URL:https://example.de\n"
        "END:VCARD\n"
        "BEGIN:VCARD\r\n"
        "VERSION:4.0\r\n"
        "FN:李小明\r\n"
        "TEL;VALUE=uri;TYPE=\"voice,cell\":tel:+86-138-5526-0424\r\n"
        "ORG:Very Long Company Name That Is Folded Over Several Lines Because It Is Lo\r\n"
        " ng\r\n"
        "\tEnough\r\n"
        "BDAY:--0415\r\n"
        "END:VCARD\r\n";
    struct cards cs;
    PARSE(T, &cs);
    assert_int_equal(cs.n, 2);
    assert_int_equal(cs.line[0], 1);
    assert_int_equal(cs.line[1], 17);
    assert_string_equal(cs.v[0][VCF_FAMILY], "Schmidt");
    assert_string_equal(cs.v[0][VCF_GIVEN], "Anna Maria");
    assert_string_equal(cs.v[0][VCF_PREFIX], "Dr.");
    assert_string_equal(cs.v[0][VCF_FN], "Anna Maria Schmidt");
    assert_string_equal(cs.v[0][VCF_EMAIL], "anna.work@example.de"); /* preferred first */
    assert_string_equal(cs.v[0][VCF_EMAIL2], "anna@example.de");
    assert_string_equal(cs.v[0][VCF_TEL_WORK], "+49 30 1");
    assert_string_equal(cs.v[0][VCF_TEL_CELL], "+49 170 2");
    assert_string_equal(cs.v[0][VCF_TEL_OTHER], "+49 30 3");
    assert_string_equal(cs.v[0][VCF_STREET], "Main Street 1, Back, Floor 2");
    assert_string_equal(cs.v[0][VCF_CITY], "Berlin");
    assert_string_equal(cs.v[0][VCF_REGION], "BE");
    assert_string_equal(cs.v[0][VCF_POSTCODE], "10115");
    assert_string_equal(cs.v[0][VCF_COUNTRY], "Germany");
    assert_string_equal(cs.v[0][VCF_TITLE], "Head of Sales; EMEA");
    assert_string_equal(cs.v[0][VCF_NOTE], "Line one\nLine two, with a comma \\ and a backslash");
    assert_string_equal(cs.v[0][VCF_BDAY], "1980-01-05");
    assert_string_equal(cs.v[0][VCF_URL], "https://example.de");
    /* No N: the family name comes first in a Chinese FN. */
    assert_string_equal(cs.v[1][VCF_FAMILY], "李");
    assert_string_equal(cs.v[1][VCF_GIVEN], "小明");
    assert_string_equal(cs.v[1][VCF_TEL_CELL], "+86-138-5526-0424");
    assert_string_equal(cs.v[1][VCF_ORG],
                        "Very Long Company Name That Is Folded Over Several Lines Because It Is"
                        " LongEnough");
    assert_string_equal(cs.v[1][VCF_BDAY], ""); /* no year */
    assert_null(cs.error[1]);
    drop(&cs);
}

static void split(const char *fn, const char *family, const char *given)
{
    struct rp_str f, g;
    vcf_split_name(rp_str_c(fn), &f, &g);
    assert_int_equal(f.len, strlen(family));
    assert_memory_equal(f.p, family, f.len);
    assert_int_equal(g.len, strlen(given));
    assert_memory_equal(g.p, given, g.len);
}

static void test_split_name(void **state)
{
    (void)state;
    split("李小明", "李", "小明");
    split("欧阳修", "欧阳", "修");
    split("王 芳", "王", "芳");
    split("王", "王", "");
    split("John Smith", "Smith", "John");
    split(" Mary Ann  Lee ", "Lee", "Mary Ann");
    split("Madonna", "Madonna", "");
    split("", "", "");
}

/* The same cards whatever the chunks the bytes come in. */
static void test_chunks(void **state)
{
    (void)state;
    static const char T[] =
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=E7=8E=8B;=\r\n"
        "=E8=8A=B3;;;\r\nEMAIL:wang@example.cn\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\n"
        "N:Doe;\r\n Jane;;;\r\nEND:VCARD";
    struct cards whole, bits;
    parse(T, sizeof(T) - 1, 0, &whole);
    assert_int_equal(whole.n, 2);
    assert_string_equal(whole.v[0][VCF_FAMILY], "王");
    assert_string_equal(whole.v[0][VCF_GIVEN], "芳");
    assert_string_equal(whole.v[1][VCF_GIVEN], "Jane");
    for (size_t chunk = 1; chunk < 8; chunk++) {
        parse(T, sizeof(T) - 1, chunk, &bits);
        assert_int_equal(bits.n, whole.n);
        for (int i = 0; i < whole.n; i++) {
            assert_int_equal(bits.line[i], whole.line[i]);
            for (int s = 0; s < VCF_NSLOTS; s++)
                assert_string_equal(bits.v[i][s], whole.v[i][s]);
        }
        drop(&bits);
    }
    drop(&whole);
}

static void test_hostile(void **state)
{
    (void)state;
    static const char T[] =
        "garbage before any card\r\n"
        "BEGIN:VCARD\r\n"                                    /* 2 */
        "N;CHARSET=NO-SUCH-CHARSET:x;y\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\n"                                    /* 5 */
        "N:\xff\xfe;bad\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\n"                                    /* 8 */
        "N:Outer;One\r\n"
        "AGENT:BEGIN:VCARD\r\n"
        "BEGIN:VCARD\r\n"
        "N:Inner;Two\r\n"
        "END:VCARD\r\n"
        "EMAIL:outer@example.com\r\n"
        "END:VCARD\r\n"
        "line without colon\r\n"
        "BEGIN:VCARD\r\n"                                    /* 17 */
        "N:Open;Never\r\n";
    struct cards cs;
    PARSE(T, &cs);
    assert_int_equal(cs.n, 4);
    assert_int_equal(cs.line[0], 2);
    assert_non_null(strstr(cs.error[0], "line 3: the N value is not readable as CHARSET=NO-SUCH"));
    assert_int_equal(cs.line[1], 5);
    assert_non_null(strstr(cs.error[1], "line 6: the N value is not valid UTF-8"));
    assert_int_equal(cs.line[2], 8);
    assert_null(cs.error[2]);
    assert_string_equal(cs.v[2][VCF_FAMILY], "Outer");
    assert_string_equal(cs.v[2][VCF_EMAIL], "outer@example.com");
    assert_int_equal(cs.line[3], 17);
    assert_string_equal(cs.v[3][VCF_FAMILY], "Open");
    assert_non_null(strstr(cs.error[3], "END:VCARD is missing"));
    drop(&cs);
}

/* A line past RP_MAX_VCARD_LINE: a photo's is dropped quietly, a note's is the
 * card's error; the parser's memory stays at the limit and the next cards are read. */
static void test_long_lines(void **state)
{
    (void)state;
    size_t big = RP_MAX_VCARD_LINE + 100;
    const char *head = "BEGIN:VCARD\nN:A;B\nPHOTO;ENCODING=b:";
    const char *mid = "\nNOTE:";
    const char *tail = "\nEND:VCARD\nBEGIN:VCARD\nN:C;D\nEND:VCARD\n";
    size_t len = strlen(head) + big + strlen(mid) + big + strlen(tail);
    char *t = malloc(len);
    size_t k = 0;
    memcpy(t + k, head, strlen(head)), k += strlen(head);
    memset(t + k, 'Q', big), k += big;
    memcpy(t + k, mid, strlen(mid)), k += strlen(mid);
    memset(t + k, 'n', big), k += big;
    memcpy(t + k, tail, strlen(tail)), k += strlen(tail);
    struct cards cs;
    parse(t, len, 65536, &cs);
    assert_int_equal(cs.n, 2);
    assert_non_null(strstr(cs.error[0], "line 4: the NOTE value is longer than 3 MiB"));
    assert_string_equal(cs.v[0][VCF_FAMILY], "A");
    assert_null(cs.error[1]);
    assert_string_equal(cs.v[1][VCF_FAMILY], "C");
    drop(&cs);
    free(t);
}

/* The callback's error stops the parser. */
static enum rp_err refuse(void *cls, const struct vcf_card *c)
{
    (void)c;
    ++*(int *)cls;
    return RP_EBUSY;
}

static void test_callback_stops(void **state)
{
    (void)state;
    static const char T[] = "BEGIN:VCARD\nN:A\nEND:VCARD\nBEGIN:VCARD\nN:B\nEND:VCARD\n";
    int n = 0;
    struct vcf v;
    vcf_init(&v, RP_LANG_EN, refuse, &n);
    assert_int_equal(vcf_feed(&v, T, sizeof(T) - 1), RP_EBUSY);
    assert_int_equal(vcf_finish(&v), RP_EBUSY);
    vcf_release(&v);
    assert_int_equal(n, 1);
}

/* A card's problem in the language the parser was given. */
static void test_chinese(void **state)
{
    (void)state;
    static const char T[] = "BEGIN:VCARD\nN;CHARSET=NO-SUCH:A\nEND:VCARD\nBEGIN:VCARD\nN:B\n";
    msg_add(&rec_messages);
    struct cards cs = {0};
    struct vcf v;
    vcf_init(&v, RP_LANG_ZH, keep, &cs);
    assert_int_equal(vcf_feed(&v, T, sizeof(T) - 1), RP_OK);
    assert_int_equal(vcf_finish(&v), RP_OK);
    vcf_release(&v);
    assert_int_equal(cs.n, 2);
    assert_string_equal(cs.error[0], "第 2 行：N 的值无法按 CHARSET=NO-SUCH 读取");
    assert_string_equal(cs.error[1], "第 4 行：名片不完整：缺少 END:VCARD");
    drop(&cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v21),
        cmocka_unit_test(test_v3_v4),
        cmocka_unit_test(test_split_name),
        cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_chinese),
    };
    return cmocka_run_group_tests_name("vcard", tests, NULL, NULL);
}
