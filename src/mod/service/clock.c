/* SLA clocks: working time on a business-hours calendar, as plain arithmetic on UTC
 * seconds. A calendar's hours are local: each local day's spans are turned into UTC
 * instants with the zone's offset at that moment, so a clock follows daylight saving
 * (an hour more or less of night, never of work). */
#include "core/common.h"

#include "core/text.h"
#include "mod/service/service.h"

#define DAY_S 86400
/* The largest offset of any zone from UTC (Kiribati, +14:00), with a margin. */
#define MAX_OFFSET_S (15 * 3600)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int offset_at(const struct svc_calendar *c, int64_t utc_s)
{
    return c->offset ? c->offset(c->zone, utc_s) : 0;
}

/* The UTC instant of a local time. In a gap (clocks jumping forward) the time is
 * taken with the offset before the jump; in an overlap, the first of the two. */
static int64_t local_to_utc(const struct svc_calendar *c, int64_t local_s)
{
    int64_t u = local_s - offset_at(c, local_s);
    return local_s - offset_at(c, u);
}

static bool holiday(const struct svc_calendar *c, int64_t day)
{
    size_t lo = 0, hi = c->nholidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->holidays[mid] == day)
            return true;
        if (c->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* 1970-01-01 was a Thursday (4). */
static int weekday(int64_t day)
{
    return (int)(((day % 7) + 7 + 4) % 7);
}

/* A walk over working spans, clipped to [from_s, to_s). */
struct walk {
    int64_t from_s, to_s;   /* the window spans are clipped to */
    int64_t left;           /* svc_add_working: working seconds still to pass */
    int64_t sum;            /* svc_working_s: working seconds seen */
    int64_t due;
};

/* Takes the working spans of local day `day`, in UTC, in order: adds up their length,
 * or (adding) spends w->left on them; true once it is spent, at w->due. */
static bool day_spans(const struct svc_calendar *c, int64_t day, struct walk *w, bool adding)
{
    if (holiday(c, day))
        return false;
    int wd = weekday(day);
    for (size_t i = 0; i < c->nspans[wd]; i++) {
        int64_t us = local_to_utc(c, day * DAY_S + (int64_t)c->week[wd][i].start * 60);
        int64_t ue = local_to_utc(c, day * DAY_S + (int64_t)c->week[wd][i].end * 60);
        if (us < w->from_s)
            us = w->from_s;
        if (ue > w->to_s)
            ue = w->to_s;
        if (ue <= us)
            continue;
        if (!adding) {
            w->sum += ue - us;
        } else if (w->left <= ue - us) {
            w->due = us + w->left;
            return true;
        } else {
            w->left -= ue - us;
        }
    }
    return false;
}

int64_t svc_working_s(const struct svc_calendar *c, int64_t from_s, int64_t to_s)
{
    if (to_s <= from_s)
        return 0;
    if (c->always)
        return to_s - from_s;
    struct walk w = {.from_s = from_s, .to_s = to_s};
    int64_t first = floor_div(from_s - MAX_OFFSET_S, DAY_S);
    int64_t last = floor_div(to_s + MAX_OFFSET_S, DAY_S);
    for (int64_t day = first; day <= last; day++)
        day_spans(c, day, &w, false);
    return w.sum;
}

enum rp_err svc_add_working(const struct svc_calendar *c, int64_t from_s, int64_t work_s,
                            int64_t *due_s)
{
    if (work_s <= 0 || c->always) {
        *due_s = from_s + (work_s > 0 ? work_s : 0);
        return RP_OK;
    }
    struct walk w = {.from_s = from_s, .to_s = INT64_MAX, .left = work_s};
    int64_t first = floor_div(from_s - MAX_OFFSET_S, DAY_S);
    for (int64_t day = first; day <= first + SVC_CLOCK_HORIZON_DAYS; day++) {
        if (day_spans(c, day, &w, true)) {
            *due_s = w.due;
            return RP_OK;
        }
    }
    return RP_ENOTFOUND;
}

/* "HH:MM" at s[*i], 00:00..24:00, in minutes. */
static bool parse_hhmm(struct rp_str s, size_t *i, int *out)
{
    if (*i + 5 > s.len || s.p[*i + 2] != ':')
        return false;
    const char *p = s.p + *i;
    for (int k = 0; k < 5; k++)
        if (k != 2 && (p[k] < '0' || p[k] > '9'))
            return false;
    int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *out = h * 60 + m;
    *i += 5;
    return true;
}

static void skip_spaces(struct rp_str s, size_t *i)
{
    while (*i < s.len && s.p[*i] == ' ')
        (*i)++;
}

enum rp_err svc_parse_hours(struct rp_str s, struct svc_span *spans, size_t *n)
{
    *n = 0;
    size_t i = 0;
    skip_spaces(s, &i);
    if (i == s.len || rp_str_eqc((struct rp_str){s.p + i, s.len - i}, "closed"))
        return RP_OK;
    for (;;) {
        struct svc_span sp;
        skip_spaces(s, &i);
        if (!parse_hhmm(s, &i, &sp.start))
            return RP_EINVAL;
        skip_spaces(s, &i);
        if (i >= s.len || s.p[i] != '-')
            return RP_EINVAL;
        i++;
        skip_spaces(s, &i);
        if (!parse_hhmm(s, &i, &sp.end) || sp.end <= sp.start || *n == SVC_MAX_SPANS ||
            (*n && sp.start < spans[*n - 1].end))
            return RP_EINVAL;
        spans[(*n)++] = sp;
        skip_spaces(s, &i);
        if (i == s.len)
            return RP_OK;
        if (s.p[i] != ',')
            return RP_EINVAL;
        i++;
    }
}

enum rp_err svc_parse_holidays(struct rp_str s, int64_t *days, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < s.len;) {
        char ch = s.p[i];
        if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < s.len && s.p[j] != ',' && s.p[j] != ' ' && s.p[j] != '\n' && s.p[j] != '\r' &&
               s.p[j] != '\t')
            j++;
        int64_t d;
        if (text_parse_date((struct rp_str){s.p + i, j - i}, &d) != RP_OK)
            return RP_EINVAL;
        size_t k = *n;
        while (k > 0 && days[k - 1] > d)
            k--;
        if (!(k > 0 && days[k - 1] == d)) {
            if (*n == SVC_MAX_HOLIDAYS)
                return RP_EINVAL;
            memmove(days + k + 1, days + k, (*n - k) * sizeof(*days));
            days[k] = d;
            (*n)++;
        }
        i = j;
    }
    return RP_OK;
}
