/* Unit tests for the SLA clocks (mod/service/clock.c): working time on business-hours
 * calendars, across a weekend, a holiday, time zones and their daylight-saving changes,
 * and a pause, against values computed by hand; and the parsers of hours and holidays.
 * Every table row names its case, so a failure says which. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/mod/service/clock.c"

#include "core/text.h"

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    if (text_parse_datetime(rp_str_c(rfc3339), &ms) != RP_OK)
        fail_msg("bad time in the table: %s", rfc3339);
    return ms / 1000;
}

/* Monday to Friday 09:00-17:00 in zone (NULL: UTC), with holidays. */
static void office(struct svc_calendar *c, const char *zone, const char *holidays)
{
    memset(c, 0, sizeof(*c));
    for (int d = 1; d <= 5; d++) {
        c->week[d][0] = (struct svc_span){9 * 60, 17 * 60};
        c->nspans[d] = 1;
    }
    if (zone) {
        c->zone = svc_zone(zone);
        assert_non_null(c->zone);
        c->offset = svc_zone_offset;
    }
    assert_int_equal(svc_parse_holidays(rp_str_c(holidays), c->holidays, &c->nholidays), RP_OK);
}

struct due_case {
    const char *name;
    const char *zone;
    const char *from;
    int64_t minutes;
    const char *want;
};

/* 2026-12-07 is a Monday; 2026-12-25 a Friday (a holiday below). Europe/Berlin moves
 * to summer time on Sunday 2027-03-28, America/New_York on Sunday 2027-03-14. */
static const struct due_case DUE[] = {
    {"within a day", NULL, "2026-12-07T10:00:00Z", 60, "2026-12-07T11:00:00Z"},
    {"ends exactly at closing", NULL, "2026-12-07T09:00:00Z", 480, "2026-12-07T17:00:00Z"},
    {"overnight", NULL, "2026-12-07T16:30:00Z", 60, "2026-12-08T09:30:00Z"},
    {"before opening", NULL, "2026-12-07T06:00:00Z", 30, "2026-12-07T09:30:00Z"},
    {"over the weekend", NULL, "2026-12-11T16:00:00Z", 120, "2026-12-14T10:00:00Z"},
    {"from a Saturday", NULL, "2026-12-12T10:00:00Z", 30, "2026-12-14T09:30:00Z"},
    {"over a holiday and the weekend", NULL, "2026-12-24T16:00:00Z", 120,
     "2026-12-28T10:00:00Z"},
    {"a week of work", NULL, "2026-12-07T09:00:00Z", 5 * 480, "2026-12-11T17:00:00Z"},
    {"Berlin in winter (UTC+1)", "Europe/Berlin", "2026-12-07T07:00:00Z", 60,
     "2026-12-07T09:00:00Z"},
    {"Berlin across the change to summer time", "Europe/Berlin", "2027-03-26T15:00:00Z", 120,
     "2027-03-29T08:00:00Z"},
    {"New York across the change to summer time", "America/New_York", "2027-03-12T21:00:00Z",
     120, "2027-03-15T14:00:00Z"},
    {"New York back to winter time", "America/New_York", "2027-11-05T20:00:00Z", 120,
     "2027-11-08T15:00:00Z"},
    {"Shanghai (UTC+8, no daylight saving)", "Asia/Shanghai", "2026-12-07T00:00:00Z", 30,
     "2026-12-07T01:30:00Z"},
};

static void test_due_times(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(DUE); i++) {
        struct svc_calendar c;
        office(&c, DUE[i].zone, "2026-12-25");
        int64_t due;
        if (svc_add_working(&c, at(DUE[i].from), DUE[i].minutes * 60, &due) != RP_OK)
            fail_msg("%s: no due time", DUE[i].name);
        char got[32];
        text_format_datetime(due * 1000, got, sizeof(got));
        if (due != at(DUE[i].want))
            fail_msg("%s: due %s, want %s", DUE[i].name, got, DUE[i].want);
        /* And back: the working time up to the due time is the target. */
        int64_t back = svc_working_s(&c, at(DUE[i].from), due);
        if (back != DUE[i].minutes * 60)
            fail_msg("%s: %lld working seconds up to the due time, want %lld", DUE[i].name,
                     (long long)back, (long long)DUE[i].minutes * 60);
    }
}

struct span_case {
    const char *name;
    const char *zone;
    const char *from, *to;
    int64_t want_min;
};

static const struct span_case SPANS[] = {
    {"one working day and an hour", NULL, "2026-12-07T08:00:00Z", "2026-12-08T10:00:00Z",
     9 * 60},
    {"Friday afternoon to Monday morning", NULL, "2026-12-11T16:00:00Z",
     "2026-12-14T10:00:00Z", 120},
    {"over the holiday", NULL, "2026-12-24T12:00:00Z", "2026-12-28T12:00:00Z", 8 * 60},
    {"a weekend alone", NULL, "2026-12-12T00:00:00Z", "2026-12-14T00:00:00Z", 0},
    {"backwards", NULL, "2026-12-08T10:00:00Z", "2026-12-07T10:00:00Z", 0},
    {"the Berlin day that lost an hour is a Sunday: Monday counts 8 hours", "Europe/Berlin",
     "2027-03-27T00:00:00Z", "2027-03-30T00:00:00Z", 8 * 60},
};

static void test_working_time(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(SPANS); i++) {
        struct svc_calendar c;
        office(&c, SPANS[i].zone, "2026-12-25");
        int64_t got = svc_working_s(&c, at(SPANS[i].from), at(SPANS[i].to));
        if (got != SPANS[i].want_min * 60)
            fail_msg("%s: %lld minutes, want %lld", SPANS[i].name, (long long)got / 60,
                     (long long)SPANS[i].want_min);
    }
}

/* A case reported Monday 09:00 with 8 working hours to resolution waits on its customer
 * from Monday 11:00 to Tuesday 11:00: 6 + 2 paused working hours move the due time
 * from Monday 17:00 to Tuesday 17:00. */
static void test_pause(void **state)
{
    (void)state;
    struct svc_calendar c;
    office(&c, NULL, "");
    int64_t paused = svc_working_s(&c, at("2026-12-07T11:00:00Z"), at("2026-12-08T11:00:00Z"));
    assert_int_equal(paused, 8 * 3600);
    int64_t due;
    assert_int_equal(svc_add_working(&c, at("2026-12-07T09:00:00Z"), 8 * 3600 + paused, &due),
                     RP_OK);
    assert_int_equal(due, at("2026-12-08T17:00:00Z"));
    /* Time used when the clock stopped at the resume: 2 hours of the 8. */
    int64_t used = svc_working_s(&c, at("2026-12-07T09:00:00Z"), at("2026-12-08T11:00:00Z")) -
                   paused;
    assert_int_equal(used, 2 * 3600);
}

static void test_always_and_never(void **state)
{
    (void)state;
    struct svc_calendar always = {.always = true};
    int64_t due;
    assert_int_equal(svc_add_working(&always, 1000, 3600, &due), RP_OK);
    assert_int_equal(due, 4600);
    assert_int_equal(svc_working_s(&always, 1000, 4600), 3600);
    struct svc_calendar never;
    memset(&never, 0, sizeof(never));
    assert_int_equal(svc_add_working(&never, 1000, 60, &due), RP_ENOTFOUND);
    assert_int_equal(svc_working_s(&never, 0, 86400 * 30), 0);
}

struct hours_case {
    const char *in;
    bool ok;
    size_t n;
    int first_start, last_end;
};

static const struct hours_case HOURS[] = {
    {"09:00-17:00", true, 1, 540, 1020},
    {"09:00-12:00,13:00-17:30", true, 2, 540, 1050},
    {" 08:00 - 12:00 , 13:00 - 24:00 ", true, 2, 480, 1440},
    {"", true, 0, 0, 0},
    {"closed", true, 0, 0, 0},
    {"00:00-24:00", true, 1, 0, 1440},
    {"17:00-09:00", false, 0, 0, 0},
    {"09:00-12:00,11:00-13:00", false, 0, 0, 0},
    {"9:00-17:00", false, 0, 0, 0},
    {"09:60-17:00", false, 0, 0, 0},
    {"24:30-25:00", false, 0, 0, 0},
    {"09:00-17:00;", false, 0, 0, 0},
    {"01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00", false, 0, 0, 0},
};

static void test_parse_hours(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(HOURS); i++) {
        struct svc_span sp[SVC_MAX_SPANS];
        size_t n;
        enum rp_err err = svc_parse_hours(rp_str_c(HOURS[i].in), sp, &n);
        if ((err == RP_OK) != HOURS[i].ok)
            fail_msg("\"%s\": %s, want %s", HOURS[i].in, err ? "refused" : "taken",
                     HOURS[i].ok ? "taken" : "refused");
        if (!HOURS[i].ok)
            continue;
        assert_int_equal(n, HOURS[i].n);
        if (n && (sp[0].start != HOURS[i].first_start || sp[n - 1].end != HOURS[i].last_end))
            fail_msg("\"%s\": %d..%d", HOURS[i].in, sp[0].start, sp[n - 1].end);
    }
}

static void test_parse_holidays(void **state)
{
    (void)state;
    int64_t d[SVC_MAX_HOLIDAYS];
    size_t n;
    assert_int_equal(svc_parse_holidays(rp_str_c("2027-01-01, 2026-12-25\n2026-12-26 2027-01-01"),
                                        d, &n),
                     RP_OK);
    assert_int_equal(n, 3);
    int64_t want;
    text_parse_date(rp_str_c("2026-12-25"), &want);
    assert_int_equal(d[0], want);
    text_parse_date(rp_str_c("2027-01-01"), &want);
    assert_int_equal(d[2], want);
    assert_int_equal(svc_parse_holidays(rp_str_c("2026-13-01"), d, &n), RP_EINVAL);
    assert_int_equal(svc_parse_holidays(rp_str_c("Christmas"), d, &n), RP_EINVAL);
    assert_int_equal(svc_parse_holidays(rp_str_c(""), d, &n), RP_OK);
    assert_int_equal(n, 0);
}

static void test_unknown_zone(void **state)
{
    (void)state;
    assert_null(svc_zone("Mars/Olympus_Mons"));
    assert_null(svc_zone(""));
    assert_non_null(svc_zone("UTC"));
    assert_int_equal(svc_zone_offset(svc_zone("Asia/Shanghai"), at("2026-07-01T00:00:00Z")),
                     8 * 3600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_times),     cmocka_unit_test(test_working_time),
        cmocka_unit_test(test_pause),         cmocka_unit_test(test_always_and_never),
        cmocka_unit_test(test_parse_hours),   cmocka_unit_test(test_parse_holidays),
        cmocka_unit_test(test_unknown_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
