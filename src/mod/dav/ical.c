/* Activities as CalDAV objects (RFC 5545 through libical): calls and meetings are
 * VEVENTs, tasks VTODOs, one per calendar object resource. The mapping both ways:
 *
 *   SUMMARY subject · DTSTART start_at · DTEND (or DURATION) end_at · DUE due_at ·
 *   VALUE=DATE all_day · LOCATION location · DESCRIPTION description ·
 *   PRIORITY 1-4 high, 5 normal, 6-9 low · STATUS CANCELLED cancelled, a task's
 *   COMPLETED completed · X-RAPPORT-TYPE the activity's type (call or meeting).
 *
 * Recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID, several components in one object)
 * is refused with a reason until activities can recur; read_times and the single
 * component check are where it will be read. */
#include "core/common.h"

#include <libical/ical.h>

#include "core/text.h"
#include "mod/dav/dav.h"

static const char *text(const struct rec *r, const char *name)
{
    const struct rec_value *v = rec_field(r, name);
    return v->null ? NULL : v->s;
}

/* A stored date-time as a UTC iCalendar time, or as a DATE (all-day). */
static struct icaltimetype ical_time(const char *stored, bool date, int plus_days)
{
    int64_t ms = 0;
    text_parse_datetime(rp_str_c(stored), &ms);
    ms += (int64_t)plus_days * 86400000;
    struct icaltimetype t =
        icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
    if (date) {
        t.is_date = 1;
        t.hour = t.minute = t.second = 0;
        t.zone = NULL;
    }
    return t;
}

enum rp_err dav_ical_write(struct arena *a, const struct rec *r, const char *uid, char **out)
{
    const char *type = text(r, "type"), *status = text(r, "status"),
               *start = text(r, "start_at"), *end = text(r, "end_at"), *due = text(r, "due_at");
    bool todo = type && strcmp(type, "task") == 0;
    bool all_day = rec_field(r, "all_day")->i != 0;
    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//Rapport//Rapport CRM//EN"));
    icalcomponent *c = todo ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
    icalcomponent_add_property(c, icalproperty_new_uid(uid ? uid : arena_printf(a, "%s@rapport",
                                                                                 r->id)));
    icalcomponent_add_property(c, icalproperty_new_dtstamp(ical_time(r->updated_at, false, 0)));
    icalcomponent_add_property(c, icalproperty_new_lastmodified(ical_time(r->updated_at, false, 0)));
    icalcomponent_add_property(c, icalproperty_new_created(ical_time(r->created_at, false, 0)));
    const char *subject = text(r, "subject");
    if (subject)
        icalcomponent_add_property(c, icalproperty_new_summary(subject));
    if (start) {
        icalcomponent_add_property(c, icalproperty_new_dtstart(ical_time(start, all_day, 0)));
        /* An all-day event's DTEND is the day after its last (RFC 5545 §3.6.1). */
        bool same_day = end && strncmp(end, start, 10) == 0;
        if (!todo && all_day)
            icalcomponent_add_property(
                c, icalproperty_new_dtend(ical_time(same_day || !end ? start : end, true,
                                                    same_day || !end ? 1 : 0)));
        else if (!todo && end)
            icalcomponent_add_property(c, icalproperty_new_dtend(ical_time(end, false, 0)));
    }
    if (todo && due)
        icalcomponent_add_property(c, icalproperty_new_due(ical_time(due, all_day, 0)));
    const char *loc = text(r, "location"), *desc = text(r, "description"),
               *prio = text(r, "priority");
    if (loc)
        icalcomponent_add_property(c, icalproperty_new_location(loc));
    if (desc)
        icalcomponent_add_property(c, icalproperty_new_description(desc));
    if (prio)
        icalcomponent_add_property(
            c, icalproperty_new_priority(strcmp(prio, "high") == 0  ? 1
                                         : strcmp(prio, "low") == 0 ? 9
                                                                    : 5));
    if (status && strcmp(status, "cancelled") == 0)
        icalcomponent_add_property(c, icalproperty_new_status(ICAL_STATUS_CANCELLED));
    else if (todo)
        icalcomponent_add_property(c, icalproperty_new_status(strcmp(status, "completed") == 0
                                                                  ? ICAL_STATUS_COMPLETED
                                                                  : ICAL_STATUS_NEEDSACTION));
    else
        icalcomponent_add_property(c, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
    if (!todo && type) {
        icalproperty *x = icalproperty_new_x(type);
        icalproperty_set_x_name(x, "X-RAPPORT-TYPE");
        icalcomponent_add_property(c, x);
    }
    icalcomponent_add_component(cal, c);
    char *s = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (!s)
        return RP_ENOMEM;
    *out = arena_strdup(a, s);
    free(s);
    return RP_OK;
}

/* ---- reading ---- */

struct inputs {
    struct rec_input in[16];
    size_t n;
};

static void put_text(struct inputs *x, const char *field, const char *s)
{
    RP_ASSERT(x->n < RP_NELEM(x->in));
    x->in[x->n++] = s ? rec_in_text(field, s)
                      : (struct rec_input){.field = rp_str_c(field), .kind = IN_NULL};
}

/* A time of the object as a stored date-time (NULL when absent): a DATE is its day's
 * midnight UTC, a time with a TZID is converted through its VTIMEZONE (or libical's
 * own zones), a floating time is taken as UTC. */
static const char *stored_time(struct rec_ctx *ctx, struct icaltimetype t, bool *is_date)
{
    if (icaltime_is_null_time(t))
        return NULL;
    char *buf = arena_alloc(ctx->a, 32);
    if (t.is_date) {
        *is_date = true;
        char d[16];
        int64_t days = 0;
        snprintf(d, sizeof(d), "%04d-%02d-%02d", t.year, t.month, t.day);
        if (text_parse_date(rp_str_c(d), &days))
            return NULL;
        text_format_datetime(days * 86400000, buf, 32);
        return buf;
    }
    time_t tt = icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
    text_format_datetime((int64_t)tt * 1000, buf, 32);
    return buf;
}

static bool recurring(icalcomponent *c)
{
    return icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
           icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) ||
           icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY) ||
           icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
}

/* The one VEVENT or VTODO of the object. */
static enum rp_err the_component(struct rec_ctx *ctx, icalcomponent *cal, icalcomponent **out)
{
    size_t n = 0;
    *out = NULL;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(c);
        if (k == ICAL_VTIMEZONE_COMPONENT)
            continue;
        if (k != ICAL_VEVENT_COMPONENT && k != ICAL_VTODO_COMPONENT)
            return rec_bad_request(ctx, "a calendar object here holds one VEVENT or VTODO");
        n++;
        *out = c;
    }
    if (n == 0)
        return rec_bad_request(ctx, "the calendar object holds no VEVENT or VTODO");
    if (n > 1 || recurring(*out))
        return rec_bad_request(ctx, "recurring events cannot be synchronised yet");
    return RP_OK;
}

/* A text property's value, unescaped, or NULL when absent or empty. */
static const char *nonempty(const char *v)
{
    return v && *v ? v : NULL;
}

static enum rp_err read_times(struct rec_ctx *ctx, icalcomponent *c, bool todo, struct inputs *x)
{
    bool date = false;
    const char *start = stored_time(ctx, icalcomponent_get_dtstart(c), &date);
    if (!todo && !start)
        return rec_bad_request(ctx, "the event has no valid DTSTART");
    const char *end = NULL, *due = NULL;
    if (todo) {
        due = stored_time(ctx, icalcomponent_get_due(c), &date);
    } else {
        bool end_date = false;
        end = stored_time(ctx, icalcomponent_get_dtend(c), &end_date);
        /* An all-day event's DTEND is the day after: the CRM keeps its last day. */
        if (date && end) {
            int64_t ms = 0;
            text_parse_datetime(rp_str_c(end), &ms);
            char *b = arena_alloc(ctx->a, 32);
            text_format_datetime(ms - 86400000, b, 32);
            end = strcmp(b, start) >= 0 ? b : start;
        }
    }
    put_text(x, "start_at", start);
    put_text(x, "end_at", end);
    put_text(x, "due_at", due);
    RP_ASSERT(x->n < RP_NELEM(x->in));
    x->in[x->n++] = (struct rec_input){.field = RP_STR("all_day"), .kind = IN_BOOL, .b = date};
    return RP_OK;
}

static const char *status_of(icalcomponent *c, bool todo, const struct rec *old)
{
    icalproperty_status s = icalcomponent_get_status(c);
    const char *was = old ? text(old, "status") : NULL;
    if (s == ICAL_STATUS_CANCELLED)
        return "cancelled";
    if (todo && s == ICAL_STATUS_COMPLETED)
        return "completed";
    /* Back from cancelled or completed; otherwise what the CRM knows (held, not held). */
    if (!was || strcmp(was, "cancelled") == 0 || strcmp(was, "completed") == 0)
        return "planned";
    return was;
}

static const char *priority_of(icalcomponent *c)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_PRIORITY_PROPERTY);
    int v = p ? icalproperty_get_priority(p) : 0;
    return v >= 1 && v <= 4 ? "high" : v >= 6 && v <= 9 ? "low" : "normal";
}

enum rp_err dav_ical_read(struct rec_ctx *ctx, struct rp_str body, const struct rec *old,
                          struct rec_input **in, size_t *n, const char **uid)
{
    if (!text_utf8_valid(body))
        return rec_bad_request(ctx, "the calendar object is not valid UTF-8");
    icalcomponent *cal = icalparser_parse_string(arena_strndup(ctx->a, body.p, body.len));
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        if (cal)
            icalcomponent_free(cal);
        return rec_bad_request(ctx, "the body is not an iCalendar VCALENDAR");
    }
    struct inputs *x = arena_alloc(ctx->a, sizeof(*x));
    x->n = 0;
    icalcomponent *c;
    enum rp_err err = RP_OK;
    if (icalcomponent_count_errors(cal) > 0)
        err = rec_bad_request(ctx, "the iCalendar object is malformed");
    if (!err)
        err = the_component(ctx, cal, &c);
    bool todo = !err && icalcomponent_isa(c) == ICAL_VTODO_COMPONENT;
    const char *u = err ? NULL : nonempty(icalcomponent_get_uid(c));
    if (!err && !u)
        err = rec_bad_request(ctx, "the calendar object has no UID");
    if (!err && u && strlen(u) > DAV_MAX_NAME)
        err = rec_bad_request(ctx, "the UID is longer than %u bytes", DAV_MAX_NAME);
    if (!err && old && (strcmp(text(old, "type"), "task") == 0) != todo)
        err = rec_bad_request(ctx, "a task stays a VTODO and an event a VEVENT");
    if (!err)
        err = read_times(ctx, c, todo, x);
    if (!err) {
        *uid = arena_strdup(ctx->a, u);
        if (!old) {
            const char *type = "meeting";
            for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
                 p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
                if (strcmp(icalproperty_get_x_name(p), "X-RAPPORT-TYPE") == 0 &&
                    strcmp(icalproperty_get_x(p), "call") == 0)
                    type = "call";
            put_text(x, "type", todo ? "task" : type);
        }
        const char *summary = nonempty(icalcomponent_get_summary(c));
        put_text(x, "subject", summary ? arena_strdup(ctx->a, summary) : NULL);
        const char *loc = nonempty(icalcomponent_get_location(c)),
                   *desc = nonempty(icalcomponent_get_description(c));
        put_text(x, "location", loc ? arena_strdup(ctx->a, loc) : NULL);
        put_text(x, "description", desc ? arena_strdup(ctx->a, desc) : NULL);
        put_text(x, "priority", priority_of(c));
        put_text(x, "status", status_of(c, todo, old));
    }
    icalcomponent_free(cal);
    *in = x->in;
    *n = x->n;
    return err;
}
