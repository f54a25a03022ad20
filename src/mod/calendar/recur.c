/* Recurrence (RFC 5545 RRULE, through libical): the checks of a rule and its expansion
 * into occurrences over any range. Pure logic on times, no records: schedule.c and
 * series.c apply it to activities.
 *
 * An occurrence keeps the series' wall-clock time in the series' time zone: the rule
 * is expanded in local time (a 09:00 meeting in America/New_York is at 14:00 UTC in
 * winter and 13:00 UTC in summer) and every occurrence is turned back into UTC. UNTIL
 * is applied here rather than by libical, so a date-only UNTIL means the end of that
 * day in the series' zone and a UTC one an instant, whatever libical's version does
 * across a DST change. */
#include "core/common.h"

#include <libical/ical.h>

#include "mod/calendar/calendar.h"

/* The parts of a rule the calendar understands; others (BYHOUR, BYMINUTE, BYSECOND,
 * BYWEEKNO, BYYEARDAY) would multiply occurrences within a day or exist for other
 * kinds of schedules. */
static const char *const PARTS[] = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY",
                                    "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", NULL};

static bool part_known(const char *p, size_t n)
{
    for (size_t i = 0; PARTS[i]; i++)
        if (strlen(PARTS[i]) == n && memcmp(PARTS[i], p, n) == 0)
            return true;
    return false;
}

static icaltimezone *zone_of(const char *tzid)
{
    if (!tzid || !*tzid || strcmp(tzid, "UTC") == 0)
        return icaltimezone_get_utc_timezone();
    return icaltimezone_get_builtin_timezone(tzid);
}

/* The rule's text parsed: RECUR_OK, or what is wrong with it. until_ms is the last
 * instant an occurrence may start (INT64_MAX: none), and the rule's own UNTIL cleared. */
static enum calendar_recur_bad parse(const char *rrule, icaltimezone *tz,
                                     struct icalrecurrencetype *r, int64_t *until_ms)
{
    size_t len = strlen(rrule);
    if (len == 0 || len > CALENDAR_RRULE_MAX)
        return RECUR_SYNTAX;
    bool count = false, until = false;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && rrule[j] != '=' && rrule[j] != ';')
            j++;
        if (j == len || rrule[j] != '=')
            return RECUR_SYNTAX;
        if (!part_known(rrule + i, j - i))
            return RECUR_PART;
        count |= j - i == 5 && memcmp(rrule + i, "COUNT", 5) == 0;
        until |= j - i == 5 && memcmp(rrule + i, "UNTIL", 5) == 0;
        while (j < len && rrule[j] != ';')
            j++;
        i = j + 1;
    }
    if (count && until)
        return RECUR_BOTH; /* RFC 5545 §3.3.10: MUST NOT occur together */
    *r = icalrecurrencetype_from_string(rrule);
    if (r->freq == ICAL_NO_RECURRENCE)
        return RECUR_SYNTAX;
    if (r->freq < ICAL_DAILY_RECURRENCE)
        return RECUR_FREQ;
    if (r->count > CALENDAR_RECUR_MAX_COUNT)
        return RECUR_COUNT;
    if (r->interval < 1)
        return RECUR_SYNTAX;
    *until_ms = INT64_MAX;
    if (!icaltime_is_null_time(r->until)) {
        struct icaltimetype u = r->until;
        if (u.is_date) {
            /* Through the end of that day where the series is. */
            u.is_date = 0;
            u.hour = 23;
            u.minute = 59;
            u.second = 59;
        }
        time_t t = icaltime_is_utc(u) ? icaltime_as_timet(u) : icaltime_as_timet_with_zone(u, tz);
        *until_ms = (int64_t)t * 1000 + 999;
        r->until = icaltime_null_time();
    }
    return RECUR_OK;
}

/* An iterator over a rule's occurrences as UTC milliseconds. */
struct iter {
    icalrecur_iterator *it;
    icaltimezone *tz;
    int64_t until_ms;
    int64_t frac;           /* the start's milliseconds, which libical does not keep */
    size_t steps;
};

static bool iter_open(struct iter *x, struct icalrecurrencetype r, icaltimezone *tz,
                      int64_t start_ms, int64_t until_ms)
{
    struct icaltimetype s = icaltime_from_timet_with_zone((time_t)(start_ms / 1000), 0, tz);
    x->it = icalrecur_iterator_new(r, s);
    x->tz = tz;
    x->until_ms = until_ms;
    x->frac = start_ms % 1000;
    x->steps = 0;
    return x->it != NULL;
}

/* Moves to the first occurrence at or after at (a rule without COUNT only). */
static void iter_skip_to(struct iter *x, int64_t at_ms)
{
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)(at_ms / 1000), 0, x->tz);
    icalrecur_iterator_set_start(x->it, t);
}

static bool iter_next(struct iter *x, int64_t *ms)
{
    if (++x->steps > CALENDAR_RECUR_MAX_STEPS)
        return false;
    struct icaltimetype t = icalrecur_iterator_next(x->it);
    if (icaltime_is_null_time(t))
        return false;
    *ms = (int64_t)icaltime_as_timet_with_zone(t, x->tz) * 1000 + x->frac;
    return *ms <= x->until_ms;
}

static void iter_close(struct iter *x)
{
    icalrecur_iterator_free(x->it);
}

enum calendar_recur_bad calendar_recur_check(const char *rrule, const char *tzid,
                                             int64_t start_ms, int64_t dur_ms, int64_t *first_ms,
                                             int64_t *last_end_ms)
{
    icaltimezone *tz = zone_of(tzid);
    if (!tz)
        return RECUR_TZ;
    struct icalrecurrencetype r;
    int64_t until_ms;
    enum calendar_recur_bad bad = parse(rrule, tz, &r, &until_ms);
    if (bad)
        return bad;
    if (until_ms < start_ms)
        return RECUR_UNTIL;
    struct iter x;
    if (!iter_open(&x, r, tz, start_ms, until_ms))
        return RECUR_EMPTY; /* libical found it can match no day */
    int64_t at = 0;
    if (!iter_next(&x, &at)) {
        bad = RECUR_EMPTY;
    } else if (at != start_ms) {
        /* DTSTART is the first occurrence (RFC 5545 §3.8.5.3): a start the rule would
         * not produce would be an extra one clients disagree about. */
        *first_ms = at;
        bad = RECUR_FIRST;
    } else if (r.count > 0) {
        int64_t next;
        while (iter_next(&x, &next))
            at = next;
        *last_end_ms = at + dur_ms;
    } else {
        *last_end_ms = until_ms == INT64_MAX ? INT64_MAX : until_ms + dur_ms;
    }
    iter_close(&x);
    return bad;
}

static bool excluded(const struct calendar_series *s, int64_t at)
{
    for (size_t i = 0; i < s->nexdates; i++)
        if (s->exdates[i] == at)
            return true;
    return false;
}

enum rp_err calendar_recur_expand(const struct calendar_series *s, int64_t from, int64_t to,
                                  int64_t *out, size_t max, size_t *n)
{
    *n = 0;
    icaltimezone *tz = zone_of(s->tzid);
    struct icalrecurrencetype r;
    int64_t until_ms;
    if (!tz || parse(s->rrule, tz, &r, &until_ms))
        return RP_EINVAL;
    struct iter x;
    if (!iter_open(&x, r, tz, s->start_ms, until_ms))
        return RP_EINVAL;
    /* Jump over the occurrences that end before the range, a day early for the hour a
     * DST change moves local times by; a COUNT has to be counted from the start. */
    int64_t skip = from - s->dur_ms - 86400000;
    if (r.count == 0 && skip > s->start_ms)
        iter_skip_to(&x, skip);
    enum rp_err err = RP_OK;
    int64_t at;
    while (iter_next(&x, &at) && at < to) {
        bool in = at + s->dur_ms > from || (s->dur_ms == 0 && at >= from);
        if (!in || excluded(s, at))
            continue;
        if (*n == max) {
            err = RP_ETOOBIG;
            break;
        }
        out[(*n)++] = at;
    }
    iter_close(&x);
    return err;
}

bool calendar_recur_has(const struct calendar_series *s, int64_t at)
{
    int64_t occ[4];
    size_t n;
    /* An occurrence starting exactly at `at` overlaps [at, at + 1). */
    if (calendar_recur_expand(s, at, at + 1, occ, RP_NELEM(occ), &n) == RP_EINVAL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (occ[i] == at)
            return true;
    return false;
}

enum rp_err calendar_recur_until(const char *rrule, int64_t until_ms, struct arena *a,
                                 const char **out)
{
    /* The rule's parts but COUNT and UNTIL, then UNTIL in UTC (RFC 5545: UTC when the
     * start has a time zone). */
    size_t len = strlen(rrule);
    char *s = arena_alloc(a, len + 32);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && rrule[j] != ';')
            j++;
        bool drop = (j - i >= 6 && memcmp(rrule + i, "COUNT=", 6) == 0) ||
                    (j - i >= 6 && memcmp(rrule + i, "UNTIL=", 6) == 0);
        if (!drop) {
            if (o)
                s[o++] = ';';
            memcpy(s + o, rrule + i, j - i);
            o += j - i;
        }
        i = j + 1;
    }
    struct icaltimetype u = icaltime_from_timet_with_zone((time_t)(until_ms / 1000), 0,
                                                          icaltimezone_get_utc_timezone());
    int w = snprintf(s + o, 32, ";UNTIL=%04d%02d%02dT%02d%02d%02dZ", u.year, u.month, u.day,
                     u.hour, u.minute, u.second);
    if (w < 0 || w >= 32)
        return RP_EINVAL;
    *out = s;
    return RP_OK;
}

int calendar_recur_count(const char *rrule)
{
    struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
    return r.freq == ICAL_NO_RECURRENCE ? 0 : r.count;
}

enum rp_err calendar_recur_with_count(const char *rrule, int count, struct arena *a,
                                      const char **out)
{
    size_t len = strlen(rrule);
    char *s = arena_alloc(a, len + 24);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && rrule[j] != ';')
            j++;
        if (!(j - i >= 6 && memcmp(rrule + i, "COUNT=", 6) == 0)) {
            if (o)
                s[o++] = ';';
            memcpy(s + o, rrule + i, j - i);
            o += j - i;
        }
        i = j + 1;
    }
    int w = snprintf(s + o, 24, ";COUNT=%d", count);
    if (w < 0 || w >= 24)
        return RP_EINVAL;
    *out = s;
    return RP_OK;
}
