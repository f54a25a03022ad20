/* Recurrence (mod/calendar/recur.c): rules checked, and occurrences expanded over a
 * range in the series' time zone — across DST changes in New York and Berlin (Shanghai
 * has none), month ends, the 5th weekday, COUNT and UNTIL, EXDATE — as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/common.h"
#include "core/text.h"
#include "mod/calendar/calendar.h"

static int64_t ms(const char *s)
{
    int64_t v = 0;
    if (text_parse_datetime(rp_str_c(s), &v) != RP_OK)
        fail_msg("bad time in the table: %s", s);
    return v;
}

struct expand_case {
    const char *what;
    const char *rrule;
    const char *tz;
    const char *start;
    int minutes;
    const char *exdates[3];
    const char *from, *to;
    const char *want[12];       /* NULL-terminated */
};

static const struct expand_case EXPAND[] = {
    {"weekly Mon/Wed 09:00 New York across the March DST change",
     "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "America/New_York", "2026-03-02T14:00:00Z", 30, {NULL},
     "2026-03-01T00:00:00Z", "2026-03-13T00:00:00Z",
     {"2026-03-02T14:00:00Z", "2026-03-04T14:00:00Z", "2026-03-09T13:00:00Z",
      "2026-03-11T13:00:00Z", NULL}},
    {"New York in November: back to 14:00 UTC", "FREQ=WEEKLY;BYDAY=MO", "America/New_York",
     "2026-10-26T13:00:00Z", 60, {NULL}, "2026-10-26T00:00:00Z", "2026-11-10T00:00:00Z",
     {"2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z", "2026-11-09T14:00:00Z", NULL}},
    {"daily 10:00 Berlin across 29 March", "FREQ=DAILY", "Europe/Berlin", "2026-03-27T09:00:00Z",
     60, {NULL}, "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z",
     {"2026-03-28T09:00:00Z", "2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z", NULL}},
    {"daily 10:00 Berlin across 25 October, from far ahead of the start", "FREQ=DAILY",
     "Europe/Berlin", "2026-01-01T09:00:00Z", 60, {NULL}, "2026-10-24T00:00:00Z",
     "2026-10-26T00:00:00Z", {"2026-10-24T08:00:00Z", "2026-10-25T09:00:00Z", NULL}},
    {"Shanghai keeps its UTC time all year", "FREQ=MONTHLY", "Asia/Shanghai",
     "2026-01-15T01:00:00Z", 60, {NULL}, "2026-03-01T00:00:00Z", "2026-08-01T00:00:00Z",
     {"2026-03-15T01:00:00Z", "2026-04-15T01:00:00Z", "2026-05-15T01:00:00Z",
      "2026-06-15T01:00:00Z", "2026-07-15T01:00:00Z", NULL}},
    {"BYMONTHDAY=31 skips the shorter months", "FREQ=MONTHLY;BYMONTHDAY=31", NULL,
     "2026-01-31T09:00:00Z", 60, {NULL}, "2026-01-01T00:00:00Z", "2026-09-01T00:00:00Z",
     {"2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z", "2026-05-31T09:00:00Z",
      "2026-07-31T09:00:00Z", "2026-08-31T09:00:00Z", NULL}},
    {"the 5th Monday, in the months that have one", "FREQ=MONTHLY;BYDAY=5MO", NULL,
     "2026-03-30T09:00:00Z", 60, {NULL}, "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z",
     {"2026-03-30T09:00:00Z", "2026-06-29T09:00:00Z", "2026-08-31T09:00:00Z",
      "2026-11-30T09:00:00Z", NULL}},
    {"the 2nd Tuesday every other month", "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", "Europe/Berlin",
     "2026-01-13T08:00:00Z", 60, {NULL}, "2026-02-01T00:00:00Z", "2026-08-01T00:00:00Z",
     {"2026-03-10T08:00:00Z", "2026-05-12T07:00:00Z", "2026-07-14T07:00:00Z", NULL}},
    {"the last Friday", "FREQ=MONTHLY;BYDAY=-1FR", NULL, "2026-01-30T16:00:00Z", 30, {NULL},
     "2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z",
     {"2026-02-27T16:00:00Z", "2026-03-27T16:00:00Z", "2026-04-24T16:00:00Z", NULL}},
    {"yearly on 29 February", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", NULL,
     "2028-02-29T09:00:00Z", 60, {NULL}, "2028-01-01T00:00:00Z", "2037-01-01T00:00:00Z",
     {"2028-02-29T09:00:00Z", "2032-02-29T09:00:00Z", "2036-02-29T09:00:00Z", NULL}},
    {"COUNT counts from the start, not the range", "FREQ=DAILY;COUNT=5", NULL,
     "2026-05-01T08:00:00Z", 15, {NULL}, "2026-05-04T00:00:00Z", "2026-06-01T00:00:00Z",
     {"2026-05-04T08:00:00Z", "2026-05-05T08:00:00Z", NULL}},
    {"a date UNTIL takes its whole day where the series is", "FREQ=DAILY;UNTIL=20260305",
     "America/New_York", "2026-03-01T23:30:00Z", 30, {NULL}, "2026-03-01T00:00:00Z",
     "2026-04-01T00:00:00Z",
     {"2026-03-01T23:30:00Z", "2026-03-02T23:30:00Z", "2026-03-03T23:30:00Z",
      "2026-03-04T23:30:00Z", "2026-03-05T23:30:00Z", NULL}},
    {"a UTC UNTIL is an instant", "FREQ=DAILY;UNTIL=20260303T080000Z", NULL,
     "2026-03-01T08:00:00Z", 30, {NULL}, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z",
     {"2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z", NULL}},
    {"EXDATEs are left out", "FREQ=DAILY;COUNT=4", NULL, "2026-03-01T08:00:00Z", 30,
     {"2026-03-02T08:00:00Z", "2026-03-04T08:00:00Z", NULL}, "2026-03-01T00:00:00Z",
     "2026-04-01T00:00:00Z", {"2026-03-01T08:00:00Z", "2026-03-03T08:00:00Z", NULL}},
    {"an occurrence running into the range is in it", "FREQ=WEEKLY", NULL,
     "2026-03-02T22:00:00Z", 240, {NULL}, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z",
     {"2026-03-09T22:00:00Z", NULL}},
    {"one ending as the range starts is not", "FREQ=WEEKLY", NULL, "2026-03-02T22:00:00Z", 120,
     {NULL}, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", {NULL}},
    {"every other week keeps its weeks when the range is years ahead",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", NULL, "2026-01-05T09:00:00Z", 60, {NULL},
     "2030-01-01T00:00:00Z", "2030-01-15T00:00:00Z",
     {"2030-01-02T09:00:00Z", "2030-01-14T09:00:00Z", NULL}},
};

static void test_expand(void **state)
{
    (void)state;
    for (size_t c = 0; c < RP_NELEM(EXPAND); c++) {
        const struct expand_case *t = &EXPAND[c];
        int64_t ex[3];
        size_t nex = 0;
        while (nex < 3 && t->exdates[nex]) {
            ex[nex] = ms(t->exdates[nex]);
            nex++;
        }
        struct calendar_series s = {t->rrule, t->tz, ms(t->start), (int64_t)t->minutes * 60000,
                                    ex, nex};
        int64_t first = 0, last = 0;
        if (calendar_recur_check(t->rrule, t->tz, s.start_ms, s.dur_ms, &first, &last) != RECUR_OK)
            fail_msg("%s: the rule is refused", t->what);
        int64_t out[64];
        size_t n;
        assert_int_equal(calendar_recur_expand(&s, ms(t->from), ms(t->to), out, 64, &n), RP_OK);
        size_t want = 0;
        while (t->want[want])
            want++;
        for (size_t i = 0; i < n || i < want; i++) {
            char got[32] = "-";
            if (i < n)
                text_format_datetime(out[i], got, sizeof(got));
            if (i >= n || i >= want || out[i] != ms(t->want[i]))
                fail_msg("%s: occurrence %zu is %s, wanted %s", t->what, i, got,
                         i < want ? t->want[i] : "none");
        }
        for (size_t i = 0; i < n; i++)
            assert_true(calendar_recur_has(&s, out[i]));
    }
}

struct check_case {
    const char *rrule;
    const char *tz;
    const char *start;
    enum calendar_recur_bad want;
};

static const struct check_case CHECK[] = {
    {"FREQ=SECONDLY", NULL, "2026-03-02T09:00:00Z", RECUR_FREQ},
    {"FREQ=MINUTELY;COUNT=5", NULL, "2026-03-02T09:00:00Z", RECUR_FREQ},
    {"FREQ=HOURLY", NULL, "2026-03-02T09:00:00Z", RECUR_FREQ},
    {"FREQ=DAILY;BYHOUR=9,10", NULL, "2026-03-02T09:00:00Z", RECUR_PART},
    {"FREQ=DAILY;BYSECOND=1", NULL, "2026-03-02T09:00:00Z", RECUR_PART},
    {"FREQ=FORTNIGHTLY", NULL, "2026-03-02T09:00:00Z", RECUR_SYNTAX},
    {"", NULL, "2026-03-02T09:00:00Z", RECUR_SYNTAX},
    {"FREQ", NULL, "2026-03-02T09:00:00Z", RECUR_SYNTAX},
    {"FREQ=DAILY;INTERVAL=0", NULL, "2026-03-02T09:00:00Z", RECUR_SYNTAX},
    {"FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z", NULL, "2026-03-02T09:00:00Z", RECUR_BOTH},
    {"FREQ=DAILY;COUNT=5001", NULL, "2026-03-02T09:00:00Z", RECUR_COUNT},
    {"FREQ=DAILY", "Nowhere/Atlantis", "2026-03-02T09:00:00Z", RECUR_TZ},
    {"FREQ=DAILY;UNTIL=20260301T000000Z", NULL, "2026-03-02T09:00:00Z", RECUR_UNTIL},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", NULL, "2026-01-30T09:00:00Z", RECUR_EMPTY},
    {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", NULL, "2026-01-30T09:00:00Z", RECUR_EMPTY},
    {"FREQ=WEEKLY;BYDAY=TU", NULL, "2026-03-02T09:00:00Z", RECUR_FIRST},
    {"FREQ=DAILY;COUNT=5000", "Europe/Berlin", "2026-03-02T09:00:00Z", RECUR_OK},
    {"FREQ=YEARLY;WKST=MO;BYMONTH=3;BYDAY=MO;BYSETPOS=1", NULL, "2026-03-02T09:00:00Z", RECUR_OK},
};

static void test_check(void **state)
{
    (void)state;
    for (size_t c = 0; c < RP_NELEM(CHECK); c++) {
        int64_t first = 0, last = 0;
        enum calendar_recur_bad got =
            calendar_recur_check(CHECK[c].rrule, CHECK[c].tz, ms(CHECK[c].start), 0, &first, &last);
        if (got != CHECK[c].want)
            fail_msg("%s: %d, wanted %d", CHECK[c].rrule, got, CHECK[c].want);
    }
    /* The first occurrence is named; the last end is known for COUNT and UNTIL. */
    int64_t first = 0, last = 0;
    assert_int_equal(calendar_recur_check("FREQ=WEEKLY;BYDAY=TU", NULL, ms("2026-03-02T09:00:00Z"),
                                          0, &first, &last),
                     RECUR_FIRST);
    assert_int_equal(first, ms("2026-03-03T09:00:00Z"));
    assert_int_equal(calendar_recur_check("FREQ=WEEKLY;COUNT=3", NULL, ms("2026-03-02T09:00:00Z"),
                                          3600000, &first, &last),
                     RECUR_OK);
    assert_int_equal(last, ms("2026-03-16T10:00:00Z"));
    assert_int_equal(calendar_recur_check("FREQ=WEEKLY", NULL, ms("2026-03-02T09:00:00Z"), 0,
                                          &first, &last),
                     RECUR_OK);
    assert_true(last == INT64_MAX);
}

static void test_rewrite(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *s;
    assert_int_equal(calendar_recur_until("FREQ=WEEKLY;COUNT=10;BYDAY=MO", ms("2026-03-18T12:59:59Z"),
                                          &a, &s),
                     RP_OK);
    assert_string_equal(s, "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260318T125959Z");
    assert_int_equal(calendar_recur_until("FREQ=DAILY;UNTIL=20300101", ms("2026-01-01T00:00:00Z"),
                                          &a, &s),
                     RP_OK);
    assert_string_equal(s, "FREQ=DAILY;UNTIL=20260101T000000Z");
    assert_int_equal(calendar_recur_count("FREQ=WEEKLY;COUNT=10;BYDAY=MO"), 10);
    assert_int_equal(calendar_recur_count("FREQ=WEEKLY"), 0);
    assert_int_equal(calendar_recur_with_count("FREQ=WEEKLY;COUNT=10;BYDAY=MO", 4, &a, &s), RP_OK);
    assert_string_equal(s, "FREQ=WEEKLY;BYDAY=MO;COUNT=4");
    arena_release(&a);
}

static void test_bounded(void **state)
{
    (void)state;
    /* A daily series without end over a century: as many as asked for, then full. */
    struct calendar_series s = {"FREQ=DAILY", NULL, ms("2026-01-01T09:00:00Z"), 3600000, NULL, 0};
    int64_t out[100];
    size_t n;
    assert_int_equal(calendar_recur_expand(&s, ms("2026-01-01T00:00:00Z"),
                                           ms("2126-01-01T00:00:00Z"), out, 100, &n),
                     RP_ETOOBIG);
    assert_int_equal(n, 100);
    /* A refused rule expands to nothing. */
    struct calendar_series bad = {"FREQ=SECONDLY", NULL, 0, 0, NULL, 0};
    assert_int_equal(calendar_recur_expand(&bad, 0, 86400000, out, 100, &n), RP_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_rewrite),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
