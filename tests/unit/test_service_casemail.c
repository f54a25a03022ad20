/* Unit tests for svc_case_number_parse (mod/service/case_mail.c): the case number a
 * received message's subject names, in its stored form, wherever a mail client put it —
 * in brackets, after "Re:" and "Fwd:", in lower case, written short — and none for
 * look-alikes inside words, without digits, or past the largest number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/mod/service/case_mail.c"

struct number_case {
    const char *name;
    const char *subject;
    const char *want; /* NULL: no number */
};

static const struct number_case NUMBERS[] = {
    {"as sent", "[CS-000123] Printer on fire", "CS-000123"},
    {"a reply", "Re: [CS-000123] Printer on fire", "CS-000123"},
    {"a forward of a reply", "Fwd: RE: AW: [CS-004711] 打印机", "CS-004711"},
    {"at the end", "Printer on fire CS-000042", "CS-000042"},
    {"lower case", "re: cs-000042", "CS-000042"},
    {"written short", "about CS-42 again", "CS-000042"},
    {"more than six digits", "CS-1234567", "CS-1234567"},
    {"Chinese around it", "回复：【CS-000009】仪器无法启动", "CS-000009"},
    {"the first of two", "CS-000001 and CS-000002", "CS-000001"},
    {"a look-alike first", "ABCS-000001 then CS-000002", "CS-000002"},
    {"inside a word", "XCS-000123", NULL},
    {"digits run into letters", "CS-000123abc", NULL},
    {"no digits", "CS- is our prefix", NULL},
    {"zero is no case", "CS-000000", NULL},
    {"past the largest number", "CS-99999999999999999999", NULL},
    {"no number at all", "Printer on fire", NULL},
    {"empty", "", NULL},
    {"the prefix at the very end", "ticket CS-", NULL},
};

static void test_numbers(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(NUMBERS); i++) {
        char got[SVC_CASE_NUMBER_MAX];
        bool found = svc_case_number_parse(rp_str_c(NUMBERS[i].subject), got);
        if (!NUMBERS[i].want && found)
            fail_msg("%s: got \"%s\", want none", NUMBERS[i].name, got);
        if (NUMBERS[i].want && !found)
            fail_msg("%s: got none, want \"%s\"", NUMBERS[i].name, NUMBERS[i].want);
        if (NUMBERS[i].want && strcmp(got, NUMBERS[i].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", NUMBERS[i].name, got, NUMBERS[i].want);
    }
}

/* A subject that is not a C string: the parser reads only its length. */
static void test_bounded(void **state)
{
    (void)state;
    char got[SVC_CASE_NUMBER_MAX];
    const char text[] = "CS-000077999";
    assert_true(svc_case_number_parse((struct rp_str){text, 9}, got));
    assert_string_equal(got, "CS-000077");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
