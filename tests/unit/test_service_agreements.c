/* Unit tests for the pure parts of service agreements (mod/service/agreements.c): which
 * products a list of covered products covers, and the day of the renewal reminder.
 * Every table row names its case, so a failure says which. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/mod/service/agreements.c"

static void test_covers(void **state)
{
    (void)state;
    static const struct {
        const char *name, *list, *product;
        bool covered;
    } CASES[] = {
        {"empty list covers all", "", "Scanner", true},
        {"blank list covers all", " ,\n ; ", "Scanner", true},
        {"no product is covered", "Scanner", "", true},
        {"blank product is covered", "Scanner", "  ", true},
        {"one name", "Scanner", "Scanner", true},
        {"ASCII case ignored", "Label Printer", "label PRINTER", true},
        {"blanks around ignored", " Scanner ,Printer", "\tScanner ", true},
        {"second of commas", "Scanner, Label printer", "Label printer", true},
        {"lines", "Scanner\r\nLabel printer\n", "Label printer", true},
        {"semicolons", "Scanner;Cloud", "Cloud", true},
        {"full-width comma", "扫描仪，打印机", "打印机", true},
        {"full-width semicolon", "扫描仪；打印机", "扫描仪", true},
        {"enumeration comma", "扫描仪、打印机", "打印机", true},
        {"whole names only", "Label printer", "printer", false},
        {"not a prefix", "Scanner", "Scanner Pro", false},
        {"other product", "Scanner, Printer", "Router", false},
        {"Chinese, other", "打印机", "扫描仪", false},
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++)
        if (svc_agreement_covers(rp_str_c(CASES[i].list), rp_str_c(CASES[i].product)) !=
            CASES[i].covered)
            fail_msg("%s: expected %s", CASES[i].name, CASES[i].covered ? "covered" : "not covered");
}

static void test_remind_on(void **state)
{
    (void)state;
    static const struct {
        const char *name, *end;
        int64_t days;
        const char *want; /* NULL: refused */
    } CASES[] = {
        {"same day", "2026-03-31", 0, "2026-03-31"},
        {"month back", "2027-03-31", 31, "2027-02-28"},
        {"across a leap day", "2028-03-01", 1, "2028-02-29"},
        {"across a year", "2027-01-10", 30, "2026-12-11"},
        {"bad date", "2026-02-30", 1, NULL},
        {"not a date", "soon", 1, NULL},
        {"negative days", "2026-03-31", -1, NULL},
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++) {
        char out[11] = "";
        bool ok = svc_remind_on(rp_str_c(CASES[i].end), CASES[i].days, out);
        if (ok != (CASES[i].want != NULL) || (ok && strcmp(out, CASES[i].want)))
            fail_msg("%s: got %s %s", CASES[i].name, ok ? "day" : "refused", out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covers),
        cmocka_unit_test(test_remind_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
