/* Activities as iCalendar (RFC 5545, through libical): GET /activities/export?format=ics
 * and the calendar feed that Outlook, Google Calendar and Thunderbird subscribe to. */
#include "core/common.h"

#include <libical/ical.h>

#include "core/text.h"
#include "engine/export.h"
#include "mod/calendar/calendar.h"

static struct icaltimetype ical_time(const char *stored)
{
    int64_t ms = 0;
    text_parse_datetime(rp_str_c(stored), &ms);
    return icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
}

static enum rp_err vevent(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    const char *start = exp_text(x, r, "start_at"), *end = exp_text(x, r, "end_at"),
               *due = exp_text(x, r, "due_at"), *status = exp_text(x, r, "status");
    if (!start && !due)
        return RP_OK; /* nothing to place on a calendar */
    bool todo = !start;
    icalcomponent *c = todo ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
    icalcomponent_add_property(c, icalproperty_new_uid(
                                      arena_printf(exp_arena(x), "%s@rapport", r->id)));
    icalcomponent_add_property(c, icalproperty_new_dtstamp(ical_time(r->updated_at)));
    icalcomponent_add_property(c, icalproperty_new_lastmodified(ical_time(r->updated_at)));
    icalcomponent_add_property(c, icalproperty_new_summary(exp_text(x, r, "subject")));
    if (todo) {
        icalcomponent_add_property(c, icalproperty_new_due(ical_time(due)));
    } else {
        icalcomponent_add_property(c, icalproperty_new_dtstart(ical_time(start)));
        if (end)
            icalcomponent_add_property(c, icalproperty_new_dtend(ical_time(end)));
    }
    const char *loc = exp_text(x, r, "location"), *desc = exp_text(x, r, "description");
    if (loc)
        icalcomponent_add_property(c, icalproperty_new_location(loc));
    if (desc)
        icalcomponent_add_property(c, icalproperty_new_description(desc));
    icalcomponent_add_property(c, icalproperty_new_categories(exp_text(x, r, "type")));
    if (status && strcmp(status, "cancelled") == 0)
        icalcomponent_add_property(c, icalproperty_new_status(ICAL_STATUS_CANCELLED));
    else if (status && (strcmp(status, "held") == 0 || strcmp(status, "completed") == 0))
        icalcomponent_add_property(
            c, icalproperty_new_status(todo ? ICAL_STATUS_COMPLETED : ICAL_STATUS_CONFIRMED));
    char *s = icalcomponent_as_ical_string_r(c);
    icalcomponent_free(c);
    if (!s)
        return RP_ENOMEM;
    enum rp_err err = buf_adds(b, s);
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
    enum rp_err err = calendar_range(ctx, rp_str_c(from), rp_str_c(to), NULL, 0, &rows, &n);
    return err ? err
               : exp_open_rows(ctx, meta_need("activities"), &calendar__ical, rows, n,
                               "calendar feed", out);
}
