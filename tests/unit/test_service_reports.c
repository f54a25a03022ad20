/* Unit tests for the arithmetic of the service reports (mod/service/reports.c): the
 * share of targets met, rounded half up to a tenth of a percent; the nearest-rank
 * percentile's rank; the Monday of a day's week (UTC), across the epoch and the turn of
 * a year; and the time buckets' bounds. Every table row names its case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/mod/service/reports.c"

static void test_compliance(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t met, breached, open, x10;
    } CASES[] = {
        {"nothing done yet", 0, 0, 5, -1},
        {"all met", 4, 0, 0, 1000},
        {"none met", 0, 3, 2, 0},
        {"two of three: 66.67 rounds to 66.7", 2, 1, 0, 667},
        {"one of three: 33.33 rounds to 33.3", 1, 2, 0, 333},
        {"one of six: 16.67 rounds to 16.7", 1, 5, 9, 167},
        {"one of eight: 12.5 exactly", 1, 7, 0, 125},
        {"one of 16: 6.25 rounds half up to 6.3", 1, 15, 0, 63},
        {"1999 of 2000: 99.95 rounds half up to 100.0", 1999, 1, 0, 1000},
        {"large counts", 3000000000LL, 1000000000LL, 0, 750},
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++) {
        struct svc_sla_count c = {CASES[i].met, CASES[i].breached, CASES[i].open, 0};
        if (svc_compliance_x10(&c) != CASES[i].x10)
            fail_msg("%s: %lld, want %lld", CASES[i].name, (long long)svc_compliance_x10(&c),
                     (long long)CASES[i].x10);
    }
}

static void test_rank(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        int pct;
        int64_t rank;
    } CASES[] = {
        {1, 50, 1}, {1, 90, 1}, {2, 50, 1}, {2, 90, 2}, {3, 50, 2}, {3, 90, 3},
        {7, 50, 4}, {7, 90, 7}, {10, 50, 5}, {10, 90, 9}, {11, 90, 10}, {100, 90, 90},
        {101, 50, 51},
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++)
        if (svc_rank(CASES[i].n, CASES[i].pct) != CASES[i].rank)
            fail_msg("rank of p%d among %lld: %lld, want %lld", CASES[i].pct,
                     (long long)CASES[i].n, (long long)svc_rank(CASES[i].n, CASES[i].pct),
                     (long long)CASES[i].rank);
}

static int64_t day(const char *ymd)
{
    int64_t d = 0;
    if (text_parse_date(rp_str_c(ymd), &d) != RP_OK)
        fail_msg("bad date in the table: %s", ymd);
    return d;
}

static void test_monday(void **state)
{
    (void)state;
    static const struct {
        const char *day, *monday;
    } CASES[] = {
        {"1970-01-01", "1969-12-29"}, /* a Thursday: the epoch */
        {"1969-12-29", "1969-12-29"}, /* before the epoch, a Monday */
        {"1969-12-28", "1969-12-22"}, /* before the epoch, a Sunday */
        {"2026-12-06", "2026-11-30"}, /* a Sunday */
        {"2026-12-07", "2026-12-07"}, /* a Monday */
        {"2026-12-31", "2026-12-28"}, /* across the turn of the year */
        {"2027-01-03", "2026-12-28"},
        {"2024-02-29", "2024-02-26"}, /* a leap day */
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++)
        if (svc_monday(day(CASES[i].day)) != day(CASES[i].monday))
            fail_msg("the Monday of %s is not %s", CASES[i].day, CASES[i].monday);
}

static void test_buckets(void **state)
{
    (void)state;
    assert_string_equal(svc_age_buckets[0], "lt_1d");
    assert_string_equal(svc_age_buckets[SVC_AGE_BUCKETS - 1], "gt_30d");
    assert_string_equal(svc_time_buckets[SVC_TIME_BUCKETS - 1], "gt_7d");
    for (size_t i = 1; i < RP_NELEM(svc_time_bounds); i++)
        assert_true(svc_time_bounds[i - 1] < svc_time_bounds[i]);
    assert_int_equal(svc_time_bounds[RP_NELEM(svc_time_bounds) - 1], 7 * 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compliance),
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_monday),
        cmocka_unit_test(test_buckets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
