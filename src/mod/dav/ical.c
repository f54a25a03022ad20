/* Activities as CalDAV objects (RFC 5545 through libical): calls and meetings are
 * VEVENTs, tasks VTODOs, one per calendar object resource. The mapping both ways:
 *
 *   SUMMARY subject · DTSTART start_at · DTEND (or DURATION) end_at · DUE due_at ·
 *   VALUE=DATE all_day · LOCATION location · DESCRIPTION description ·
 *   PRIORITY 1-4 high, 5 normal, 6-9 low · STATUS CANCELLED cancelled, a task's
 *   COMPLETED completed · X-RAPPORT-TYPE the activity's type (call or meeting).
 *
 * A series (docs/api.md, "Recurring activities") is one object: its master component
 * carries RRULE rrule, DTSTART;TZID timezone (with the VTIMEZONE) and EXDATE exdates,
 * and each exception of it is one more component with the series' UID and
 * RECURRENCE-ID its recurrence_id (RFC 5545 §3.8.4.4). RDATE is refused: a series
 * repeats by its rule. */
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

/* The built-in zone of a series' timezone, NULL for UTC or none. */
static icaltimezone *zone_of(const char *tzid)
{
    return tzid && *tzid && strcmp(tzid, "UTC") != 0 ? icaltimezone_get_builtin_timezone(tzid)
                                                      : NULL;
}

/* A time property in the series' zone: local time with TZID when it has one. */
static icalproperty *zoned(icalproperty *(*make)(struct icaltimetype), struct icaltimetype t,
                           const char *tzid)
{
    icaltimezone *tz = t.is_date ? NULL : zone_of(tzid);
    if (!tz)
        return make(t);
    icalproperty *p = make(icaltime_convert_to_zone(t, tz));
    icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
    return p;
}

static icalproperty *new_dtstart(struct icaltimetype t)
{
    return icalproperty_new_dtstart(t);
}

static icalproperty *new_dtend(struct icaltimetype t)
{
    return icalproperty_new_dtend(t);
}

static icalproperty *new_exdate(struct icaltimetype t)
{
    return icalproperty_new_exdate(t);
}

static icalproperty *new_recurrenceid(struct icaltimetype t)
{
    return icalproperty_new_recurrenceid(t);
}

/* One VEVENT or VTODO for activity r; tzid: the series' zone, for the times of a
 * series and its exceptions (NULL: UTC). */
static icalcomponent *component(const struct rec *r, const char *uid, const char *tzid)
{
    const char *type = text(r, "type"), *status = text(r, "status"),
               *start = text(r, "start_at"), *end = text(r, "end_at"), *due = text(r, "due_at");
    bool todo = type && strcmp(type, "task") == 0;
    bool all_day = rec_field(r, "all_day")->i != 0;
    icalcomponent *c = todo ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
    icalcomponent_add_property(c, icalproperty_new_uid(uid));
    icalcomponent_add_property(c, icalproperty_new_dtstamp(ical_time(r->updated_at, false, 0)));
    icalcomponent_add_property(c, icalproperty_new_lastmodified(ical_time(r->updated_at, false, 0)));
    icalcomponent_add_property(c, icalproperty_new_created(ical_time(r->created_at, false, 0)));
    const char *subject = text(r, "subject");
    if (subject)
        icalcomponent_add_property(c, icalproperty_new_summary(subject));
    if (start) {
        icalcomponent_add_property(c, zoned(new_dtstart, ical_time(start, all_day, 0), tzid));
        /* An all-day event's DTEND is the day after its last (RFC 5545 §3.6.1). */
        bool same_day = end && strncmp(end, start, 10) == 0;
        if (!todo && all_day)
            icalcomponent_add_property(
                c, icalproperty_new_dtend(ical_time(same_day || !end ? start : end, true,
                                                    same_day || !end ? 1 : 0)));
        else if (!todo && end)
            icalcomponent_add_property(c, zoned(new_dtend, ical_time(end, false, 0), tzid));
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
    return c;
}

/* The series' RRULE and EXDATEs on its master component. */
static void add_rule(struct arena *a, const struct rec *r, icalcomponent *c, const char *tzid)
{
    bool all_day = rec_field(r, "all_day")->i != 0;
    icalcomponent_add_property(c, icalproperty_new_rrule(
                                      icalrecurrencetype_from_string(text(r, "rrule"))));
    for (const char *p = text(r, "exdates"); p && *p;) {
        const char *comma = strchr(p, ',');
        const char *one = comma ? arena_strndup(a, p, (size_t)(comma - p)) : p;
        icalcomponent_add_property(c, zoned(new_exdate, ical_time(one, all_day, 0), tzid));
        p = comma ? comma + 1 : NULL;
    }
}

enum rp_err dav_ical_write(struct arena *a, const struct rec *r, const struct rec *ex, size_t nex,
                           const char *uid, char **out)
{
    bool series = text(r, "rrule") != NULL;
    const char *tzid = series ? text(r, "timezone") : NULL;
    if (!uid)
        uid = arena_printf(a, "%s@rapport", r->id);
    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//Rapport//Rapport CRM//EN"));
    icaltimezone *tz = zone_of(tzid);
    if (tz) {
        icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(tz));
        /* The TZID the times name, not libical's own prefixed one. */
        icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
        if (id)
            icalproperty_set_tzid(id, tzid);
        icalcomponent_add_component(cal, vtz);
    }
    icalcomponent *c = component(r, uid, tzid);
    if (series)
        add_rule(a, r, c, tzid);
    icalcomponent_add_component(cal, c);
    for (size_t i = 0; series && i < nex; i++) {
        const char *rid = text(&ex[i], "recurrence_id");
        if (!rid)
            continue;
        icalcomponent *o = component(&ex[i], uid, tzid);
        icalcomponent_add_property(
            o, zoned(new_recurrenceid, ical_time(rid, rec_field(r, "all_day")->i != 0, 0), tzid));
        icalcomponent_add_component(cal, o);
    }
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

/* A time property's value with its zone: TZID names a VTIMEZONE of the object or one
 * libical knows (an unknown one is taken as UTC, as stored_time does). */
static struct icaltimetype prop_time(icalcomponent *cal, icalproperty *p, struct icaltimetype t)
{
    icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    const char *tzid = tzp ? icalparameter_get_tzid(tzp) : NULL;
    if (tzid && !t.is_date && !icaltime_is_utc(t)) {
        icaltimezone *tz = icalcomponent_get_timezone(cal, tzid);
        t.zone = tz ? tz : icaltimezone_get_builtin_timezone(tzid);
    }
    return t;
}

/* The object's components: the master (no RECURRENCE-ID) and the overrides, all of one
 * kind and one UID. */
static enum rp_err the_components(struct rec_ctx *ctx, icalcomponent *cal, icalcomponent **master,
                                  icalcomponent ***ov, size_t *nov)
{
    size_t n = 0;
    *master = NULL;
    *nov = 0;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(c);
        if (k == ICAL_VTIMEZONE_COMPONENT)
            continue;
        if (k != ICAL_VEVENT_COMPONENT && k != ICAL_VTODO_COMPONENT)
            return rec_bad_request(ctx, "a calendar object here holds VEVENTs or VTODOs");
        n++;
    }
    if (n == 0)
        return rec_bad_request(ctx, "the calendar object holds no VEVENT or VTODO");
    if (n > DAV_MAX_OVERRIDES + 1)
        return rec_bad_request(ctx, "a series carries at most %u changed occurrences",
                               DAV_MAX_OVERRIDES);
    *ov = arena_alloc(ctx->a, n * sizeof(**ov));
    icalcomponent_kind kind = ICAL_NO_COMPONENT;
    const char *uid = NULL;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(c);
        if (k == ICAL_VTIMEZONE_COMPONENT)
            continue;
        const char *u = icalcomponent_get_uid(c);
        if ((kind != ICAL_NO_COMPONENT && k != kind) ||
            (uid && (!u || strcmp(u, uid) != 0)))
            return rec_bad_request(ctx, "the components of a calendar object share one UID and"
                                        " one kind");
        kind = k;
        uid = u ? u : "";
        if (icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY))
            return rec_bad_request(ctx, "RDATE is not supported: a series repeats by its RRULE");
        icalproperty *rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (!rid) {
            if (*master)
                return rec_bad_request(ctx, "the calendar object holds more than one VEVENT or"
                                            " VTODO without RECURRENCE-ID");
            *master = c;
            continue;
        }
        icalparameter *range = icalproperty_get_first_parameter(rid, ICAL_RANGE_PARAMETER);
        if (range || icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
            icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY))
            return rec_bad_request(ctx, "a changed occurrence (RECURRENCE-ID) changes itself"
                                        " only");
        (*ov)[(*nov)++] = c;
    }
    if (!*master)
        return rec_bad_request(ctx, "the calendar object has no VEVENT or VTODO without"
                                    " RECURRENCE-ID: changed occurrences come with their series");
    icalproperty *rule = icalcomponent_get_first_property(*master, ICAL_RRULE_PROPERTY);
    if (rule && icalcomponent_get_next_property(*master, ICAL_RRULE_PROPERTY))
        return rec_bad_request(ctx, "a series repeats by one RRULE");
    if (!rule && (*nov || icalcomponent_get_first_property(*master, ICAL_EXDATE_PROPERTY)))
        return rec_bad_request(ctx, "EXDATE and RECURRENCE-ID need a series: an RRULE");
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

/* The master's recurrence: rrule, timezone (the TZID of DTSTART) and exdates, or none of
 * them for an activity that does not repeat. */
static void read_rule(struct rec_ctx *ctx, icalcomponent *cal, icalcomponent *c,
                      struct inputs *x)
{
    icalproperty *rule = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
    if (!rule) {
        put_text(x, "rrule", NULL);
        put_text(x, "timezone", NULL);
        put_text(x, "exdates", NULL);
        return;
    }
    put_text(x, "rrule", arena_strdup(ctx->a, icalproperty_get_value_as_string(rule)));
    icalproperty *dtstart = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    icalparameter *tzp =
        dtstart ? icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER) : NULL;
    const char *tzid = tzp ? nonempty(icalparameter_get_tzid(tzp)) : NULL;
    /* libical's own zones name themselves with a prefix ("/freeassociation…/Europe/Berlin"):
     * the location is the IANA name. */
    icaltimezone *tz = tzid ? icalcomponent_get_timezone(cal, tzid) : NULL;
    const char *loc = tz ? icaltimezone_get_location(tz) : NULL;
    if (tzid && !icaltimezone_get_builtin_timezone(tzid) && loc &&
        icaltimezone_get_builtin_timezone(loc))
        tzid = loc;
    put_text(x, "timezone", tzid ? arena_strdup(ctx->a, tzid) : NULL);
    size_t count = 0, o = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY))
        count++;
    /* More than a series keeps: the calendar module's rule on exdates answers. */
    char *list = arena_alloc(ctx->a, count * 32 + 1);
    list[0] = '\0';
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        bool date = false;
        const char *t = stored_time(ctx, prop_time(cal, p, icalproperty_get_exdate(p)), &date);
        if (t)
            o += (size_t)snprintf(list + o, 33, "%s%s", o ? "," : "", t);
    }
    put_text(x, "exdates", o ? list : NULL);
}

/* The inputs of one component: times, texts, priority and status. */
static enum rp_err read_component(struct rec_ctx *ctx, icalcomponent *c, bool todo,
                                  const struct rec *old, struct inputs *x)
{
    enum rp_err err = read_times(ctx, c, todo, x);
    if (err)
        return err;
    const char *summary = nonempty(icalcomponent_get_summary(c));
    put_text(x, "subject", summary ? arena_strdup(ctx->a, summary) : NULL);
    const char *loc = nonempty(icalcomponent_get_location(c)),
               *desc = nonempty(icalcomponent_get_description(c));
    put_text(x, "location", loc ? arena_strdup(ctx->a, loc) : NULL);
    put_text(x, "description", desc ? arena_strdup(ctx->a, desc) : NULL);
    put_text(x, "priority", priority_of(c));
    put_text(x, "status", status_of(c, todo, old));
    return RP_OK;
}

enum rp_err dav_ical_read(struct rec_ctx *ctx, struct rp_str body, const struct rec *old,
                          struct dav_object *out)
{
    memset(out, 0, sizeof(*out));
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
    icalcomponent *c = NULL, **ov = NULL;
    size_t nov = 0;
    enum rp_err err = RP_OK;
    if (icalcomponent_count_errors(cal) > 0)
        err = rec_bad_request(ctx, "the iCalendar object is malformed");
    if (!err)
        err = the_components(ctx, cal, &c, &ov, &nov);
    bool todo = !err && icalcomponent_isa(c) == ICAL_VTODO_COMPONENT;
    const char *u = err ? NULL : nonempty(icalcomponent_get_uid(c));
    if (!err && !u)
        err = rec_bad_request(ctx, "the calendar object has no UID");
    if (!err && u && strlen(u) > DAV_MAX_NAME)
        err = rec_bad_request(ctx, "the UID is longer than %u bytes", DAV_MAX_NAME);
    if (!err && old && (strcmp(text(old, "type"), "task") == 0) != todo)
        err = rec_bad_request(ctx, "a task stays a VTODO and an event a VEVENT");
    if (!err && !old) {
        const char *type = "meeting";
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
            if (strcmp(icalproperty_get_x_name(p), "X-RAPPORT-TYPE") == 0 &&
                strcmp(icalproperty_get_x(p), "call") == 0)
                type = "call";
        put_text(x, "type", todo ? "task" : type);
    }
    if (!err)
        err = read_component(ctx, c, todo, old, x);
    if (!err)
        read_rule(ctx, cal, c, x);
    if (!err && nov)
        out->ov = arena_alloc(ctx->a, nov * sizeof(*out->ov));
    for (size_t i = 0; !err && i < nov; i++) {
        icalproperty *rid = icalcomponent_get_first_property(ov[i], ICAL_RECURRENCEID_PROPERTY);
        bool date = false;
        const char *at =
            stored_time(ctx, prop_time(cal, rid, icalproperty_get_recurrenceid(rid)), &date);
        struct inputs *y = arena_alloc(ctx->a, sizeof(*y));
        y->n = 0;
        if (!at || text_parse_datetime(rp_str_c(at), &out->ov[i].at))
            err = rec_bad_request(ctx, "a RECURRENCE-ID is not a valid time");
        for (size_t j = 0; !err && j < out->nov; j++)
            if (out->ov[j].at == out->ov[i].at)
                err = rec_bad_request(ctx, "two components change the same occurrence");
        if (!err)
            err = read_component(ctx, ov[i], todo, NULL, y);
        if (!err) {
            out->ov[i].in = y->in;
            out->ov[i].n = y->n;
            out->nov++;
        }
    }
    if (!err)
        out->uid = arena_strdup(ctx->a, u);
    icalcomponent_free(cal);
    out->in = x->in;
    out->n = x->n;
    return err;
}
