/* Activities as iCalendar (RFC 5545, through libical): GET /activities/export?format=ics
 * and the calendar feed that Outlook, Google Calendar and Thunderbird subscribe to. */
#include "core/common.h"


#include <libical/ical.h>

#include "core/text.h"
#include "engine/export.h"
#include "mod/calendar/itip.h"

static struct icaltimetype ical_time(const char *stored)
{
    int64_t ms = 0;
    text_parse_datetime(rp_str_c(stored), &ms);
    return icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
}

/* A stored time in the series' zone (TZID) when it has one. */
static struct icaltimetype zoned_time(const char *stored, const char *tzid)
{
    struct icaltimetype t = ical_time(stored);
    icaltimezone *tz = tzid && *tzid && strcmp(tzid, "UTC") != 0
                           ? icaltimezone_get_builtin_timezone(tzid)
                           : NULL;
    return tz ? icaltime_convert_to_zone(t, tz) : t;
}

static icalproperty *with_tzid(icalproperty *p, const char *tzid, struct icaltimetype t)
{
    if (!icaltime_is_utc(t))
        icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
    return p;
}

/* The recurrence of a series (RRULE, EXDATE) or an exception (RECURRENCE-ID), and the
 * VTIMEZONE its local times need: written before the event (RFC 5545 lets components
 * come in any order; a zone two series share is written for each). */
static enum rp_err recurrence(const struct calendar_ical_src *src, const struct rec *r,
                              icalcomponent *c, const char *tzid, struct rp_buf *b)
{
    const char *rule = src->text(src->arg, r, "rrule"), *ex = src->text(src->arg, r, "exdates"),
               *rid = src->text(src->arg, r, "recurrence_id");
    if (rule) {
        icalcomponent_add_property(c, icalproperty_new_rrule(icalrecurrencetype_from_string(rule)));
        for (const char *p = ex; p && *p;) {
            const char *comma = strchr(p, ',');
            const char *one = comma ? arena_strndup(src->a, p, (size_t)(comma - p)) : p;
            struct icaltimetype t = zoned_time(one, tzid);
            icalcomponent_add_property(c, with_tzid(icalproperty_new_exdate(t), tzid, t));
            p = comma ? comma + 1 : NULL;
        }
    }
    if (rid) {
        struct icaltimetype t = zoned_time(rid, tzid);
        icalcomponent_add_property(c, with_tzid(icalproperty_new_recurrenceid(t), tzid, t));
    }
    icaltimezone *tz = tzid && *tzid && strcmp(tzid, "UTC") != 0 && (rule || rid)
                           ? icaltimezone_get_builtin_timezone(tzid)
                           : NULL;
    if (!tz)
        return RP_OK;
    icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(tz));
    /* The TZID the events name, not libical's own prefixed one. */
    icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    if (id)
        icalproperty_set_tzid(id, tzid);
    char *s = icalcomponent_as_ical_string_r(vtz);
    icalcomponent_free(vtz);
    if (!s)
        return RP_ENOMEM;
    enum rp_err err = buf_adds(b, s);
    free(s);
    return err;
}

enum rp_err calendar__ical_component(const struct calendar_ical_src *src, const struct rec *r,
                                    struct rp_buf *zones, icalcomponent **out)
{
    *out = NULL;
    const char *start = src->text(src->arg, r, "start_at"), *end = src->text(src->arg, r, "end_at"),
               *due = src->text(src->arg, r, "due_at"), *status = src->text(src->arg, r, "status");
    if (!start && !due)
        return RP_OK; /* nothing to place on a calendar */
    bool todo = !start;
    icalcomponent *c = todo ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
    /* An exception shares its series' UID (RFC 5545 §3.8.4.4). */
    const struct rec_value *sid = rec_field(r, "series_id");
    const char *series = sid->null ? NULL : sid->s, *tzid = src->text(src->arg, r, "timezone");
    icalcomponent_add_property(c, icalproperty_new_uid(arena_printf(
                                      src->a, "%s@rapport", series ? series : r->id)));
    icalcomponent_add_property(c, icalproperty_new_dtstamp(ical_time(r->updated_at)));
    icalcomponent_add_property(c, icalproperty_new_lastmodified(ical_time(r->updated_at)));
    icalcomponent_add_property(c, icalproperty_new_summary(src->text(src->arg, r, "subject")));
    if (todo) {
        icalcomponent_add_property(c, icalproperty_new_due(ical_time(due)));
    } else {
        /* Local times in the series' zone, so occurrences keep theirs across DST. */
        bool zoned = src->text(src->arg, r, "rrule") || series;
        struct icaltimetype s = zoned ? zoned_time(start, tzid) : ical_time(start);
        icalcomponent_add_property(c, with_tzid(icalproperty_new_dtstart(s), tzid, s));
        if (end) {
            struct icaltimetype e = zoned ? zoned_time(end, tzid) : ical_time(end);
            icalcomponent_add_property(c, with_tzid(icalproperty_new_dtend(e), tzid, e));
        }
    }
    const char *loc = src->text(src->arg, r, "location"),
               *desc = src->text(src->arg, r, "description");
    if (loc)
        icalcomponent_add_property(c, icalproperty_new_location(loc));
    if (desc)
        icalcomponent_add_property(c, icalproperty_new_description(desc));
    icalcomponent_add_property(c, icalproperty_new_categories(src->text(src->arg, r, "type")));
    if (status && strcmp(status, "cancelled") == 0)
        icalcomponent_add_property(c, icalproperty_new_status(ICAL_STATUS_CANCELLED));
    else if (status && (strcmp(status, "held") == 0 || strcmp(status, "completed") == 0))
        icalcomponent_add_property(
            c, icalproperty_new_status(todo ? ICAL_STATUS_COMPLETED : ICAL_STATUS_CONFIRMED));
    enum rp_err err = todo ? RP_OK : recurrence(src, r, c, tzid, zones);
    if (err)
        icalcomponent_free(c);
    else
        *out = c;
    return err;
}

static const char *export_text(void *arg, const struct rec *r, const char *field)
{
    return exp_text(arg, r, field);
}

static enum rp_err vevent(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    struct calendar_ical_src src = {export_text, x, exp_arena(x)};
    icalcomponent *c;
    enum rp_err err = calendar__ical_component(&src, r, b, &c);
    if (err || !c)
        return err;
    char *s = icalcomponent_as_ical_string_r(c);
    icalcomponent_free(c);
    if (!s)
        return RP_ENOMEM;
    err = buf_adds(b, s);
    free(s);
    return err;
}

static enum rp_err begin(struct exp *x, struct rp_buf *out)
{
    (void)x;
    return buf_adds(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                         "PRODID:-//Rapport//Rapport CRM//EN\r\nCALSCALE:GREGORIAN\r\n"
                         "METHOD:PUBLISH\r\nX-WR-CALNAME:Rapport\r\n");
}

static enum rp_err end(struct exp *x, struct rp_buf *out)
{
    (void)x;
    return buf_adds(out, "END:VCALENDAR\r\n");
}

const struct rec_exporter calendar__ical = {
    .format = "ics",
    .entity = "activities",
    .content_type = "text/calendar; charset=utf-8",
    .begin = begin,
    .end = end,
    .record = vevent,
};

enum rp_err calendar_feed(struct rec_ctx *ctx, struct exp **out)
{
    int64_t now = text_now_ms();
    char from[32], to[32];
    text_format_datetime(now - (int64_t)CALENDAR_FEED_PAST_DAYS * 86400000, from, sizeof(from));
    text_format_datetime(now + (int64_t)CALENDAR_FEED_FUTURE_DAYS * 86400000, to, sizeof(to));
    struct rec *rows;
    size_t n;
    enum rp_err err =
        calendar_range_series(ctx, rp_str_c(from), rp_str_c(to), NULL, 0, &rows, &n);
    return err ? err
               : exp_open_rows(ctx, meta_need("activities"), &calendar__ical, rows, n,
                               "calendar feed", out);
}
