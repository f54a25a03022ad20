/* Meeting invitations by e-mail (itip.h): REQUEST and CANCEL sent as `emails` records
 * with their iCalendar object in calendar_part, and the REPLY of a received e-mail
 * setting the answering attendee's status. */
#include "core/common.h"

#include <jansson.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"
#include "engine/notify.h"
#include "mod/calendar/itip.h"
#include "store/platform.h"

/* ---- answers ---- */

static const char *const STATUS_NAMES[] = {"needs_action", "accepted", "declined", "tentative"};

const char *calendar_itip_status_name(enum itip_partstat s)
{
    return STATUS_NAMES[s];
}

static bool status_of(icalparameter_partstat p, enum itip_partstat *out)
{
    switch (p) {
    case ICAL_PARTSTAT_NEEDSACTION: *out = ITIP_NEEDS_ACTION; return true;
    case ICAL_PARTSTAT_ACCEPTED: *out = ITIP_ACCEPTED; return true;
    case ICAL_PARTSTAT_DECLINED: *out = ITIP_DECLINED; return true;
    case ICAL_PARTSTAT_TENTATIVE: *out = ITIP_TENTATIVE; return true;
    default: return false;
    }
}

static icalparameter_partstat partstat_of(enum itip_partstat s)
{
    static const icalparameter_partstat P[] = {ICAL_PARTSTAT_NEEDSACTION, ICAL_PARTSTAT_ACCEPTED,
                                               ICAL_PARTSTAT_DECLINED, ICAL_PARTSTAT_TENTATIVE};
    return P[s];
}

/* An address without its "mailto:" (any case), NULL when it has none. */
static const char *mailto(const char *v)
{
    return v && strncasecmp(v, "mailto:", 7) == 0 && v[7] ? v + 7 : NULL;
}

static enum rp_err reply_event(struct arena *a, icalcomponent *ev, struct itip_reply *out)
{
    icalproperty *uid = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
    icalproperty *att = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
    if (!uid || !icalproperty_get_uid(uid) || !att ||
        icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY))
        return RP_EINVAL;
    const char *addr = mailto(icalproperty_get_attendee(att));
    icalparameter *ps = icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER);
    if (!addr || !ps || !status_of(icalparameter_get_partstat(ps), &out->status))
        return RP_EINVAL;
    icalproperty *seq = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
    out->uid = arena_strdup(a, icalproperty_get_uid(uid));
    out->attendee = arena_strdup(a, addr);
    out->sequence = seq ? icalproperty_get_sequence(seq) : 0;
    out->instance = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY) != NULL;
    return out->sequence < 0 ? RP_EINVAL : RP_OK;
}

enum rp_err calendar_itip_reply_parse(struct arena *a, const char *text, size_t len,
                                      struct itip_reply *out)
{
    *out = (struct itip_reply){0};
    if (len == 0 || memchr(text, '\0', len))
        return RP_EINVAL;
    char *copy = arena_strndup(a, text, len);
    icalcomponent *root = icalparser_parse_string(copy);
    if (!root)
        return RP_EINVAL;
    enum rp_err err = RP_EINVAL;
    icalcomponent *cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root : NULL;
    icalproperty *m = cal ? icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) : NULL;
    icalcomponent *ev = cal ? icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT)
                            : NULL;
    if (m && icalproperty_get_method(m) == ICAL_METHOD_REPLY && ev &&
        !icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        err = reply_event(a, ev, out);
    icalcomponent_free(root);
    return err;
}

/* ---- what an activity holds ---- */

struct attendee {
    const char *email, *name, *user_id, *contact_id, *answered_at;
    enum itip_partstat status;
};

struct invitations {
    int64_t sequence;
    struct attendee *list;
    size_t n;
};

/* A meeting that is one of its own (not an exception of a series, which carries its
 * series' UID: its changes reach attendees with the series). */
static bool meeting(const struct rec *r)
{
    return rec_is(r, "type", "meeting") && rec_field(r, "series_id")->null;
}

static const char *member(struct arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? arena_strdup(a, s) : NULL;
}

/* r's `invitations`; false when none was sent (or the value is not ours). */
static bool inv_read(struct arena *a, const struct rec *r, struct invitations *out)
{
    *out = (struct invitations){0};
    const struct rec_value *v = rec_field(r, "invitations");
    json_t *root = v->null ? NULL : json_loadb(v->s, v->len, 0, NULL);
    json_t *seq = json_object_get(root, "sequence"), *list = json_object_get(root, "attendees");
    if (!json_is_integer(seq) || !json_is_array(list)) {
        json_decref(root);
        return false;
    }
    out->sequence = json_integer_value(seq);
    out->list = arena_calloc(a, json_array_size(list) + 1, sizeof(*out->list));
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        struct attendee *t = &out->list[out->n];
        t->email = member(a, o, "email");
        t->name = member(a, o, "name");
        t->user_id = member(a, o, "user_id");
        t->contact_id = member(a, o, "contact_id");
        t->answered_at = member(a, o, "answered_at");
        const char *st = member(a, o, "status");
        for (size_t k = 0; st && k < RP_NELEM(STATUS_NAMES); k++)
            if (strcmp(st, STATUS_NAMES[k]) == 0)
                t->status = (enum itip_partstat)k;
        out->n += t->email != NULL;
    }
    json_decref(root);
    return true;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The JSON text of inv (arena memory). */
static const char *inv_text(struct arena *a, const struct invitations *inv)
{
    json_t *list = json_array();
    for (size_t i = 0; i < inv->n; i++) {
        const struct attendee *t = &inv->list[i];
        json_t *o = json_object();
        json_object_set_new(o, "email", json_string(t->email));
        json_object_set_new(o, "name", str_or_null(t->name));
        json_object_set_new(o, "user_id", str_or_null(t->user_id));
        json_object_set_new(o, "contact_id", str_or_null(t->contact_id));
        json_object_set_new(o, "status", json_string(STATUS_NAMES[t->status]));
        json_object_set_new(o, "answered_at", str_or_null(t->answered_at));
        json_array_append_new(list, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "sequence", json_integer(inv->sequence));
    json_object_set_new(root, "attendees", list);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    RP_ASSERT(s);
    const char *out = arena_strdup(a, s);
    free(s);
    return out;
}

/* Whether outgoing mail is set up: the mail module's server setting (its "mail.*" keys
 * in the settings table, read by name as other modules' entities are). */
static enum rp_err mail_ready(struct rec_ctx *ctx, bool *out)
{
    const char *host = NULL;
    enum rp_err err = store_setting_get(ctx->conn, "mail.host", ctx->a, &host);
    *out = !err && host && host[0];
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* A record read as the system (an attendee the caller may not read is still invited);
 * *found false when there is none. */
static enum rp_err read_sys(struct rec_ctx *ctx, const char *entity, const char *id,
                            struct rec *out, bool *found)
{
    const char *saved = rec_system_begin(ctx, "a meeting's invitations");
    enum rp_err err = rec_get(ctx, meta_need(entity), rp_str_c(id), out);
    rec_system_end(ctx, saved);
    *found = !err;
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* A name as an iCalendar CN and a display name take it: no quotes or controls. */
static const char *clean_name(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    char *c = arena_strdup(a, s);
    for (char *p = c; *p; p++)
        if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return c;
}

/* The ids of a list field (a JSON array of ids). */
static size_t ids_of(struct arena *a, const struct rec *r, const char *field, const char ***out)
{
    const struct rec_value *v = rec_field(r, field);
    json_t *arr = v->null ? NULL : json_loadb(v->s, v->len, 0, NULL);
    size_t n = json_array_size(arr);
    *out = arena_calloc(a, n + 1, sizeof(**out));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (json_string_value(json_array_get(arr, i)))
            (*out)[k++] = arena_strdup(a, json_string_value(json_array_get(arr, i)));
    json_decref(arr);
    return k;
}

static const struct attendee *find_by_ref(const struct invitations *inv, const struct attendee *t)
{
    for (size_t i = 0; inv && i < inv->n; i++) {
        const struct attendee *o = &inv->list[i];
        if ((t->user_id && o->user_id && strcmp(t->user_id, o->user_id) == 0) ||
            (t->contact_id && o->contact_id && strcmp(t->contact_id, o->contact_id) == 0))
            return strcasecmp(o->email, t->email) == 0 ? o : NULL;
    }
    return NULL;
}

/* Whether an address can go into a message's To and an iCalendar mailto: as it is:
 * printable ASCII, one '@' with text on both sides, none of the characters that would
 * change a header or a property. */
static bool addr_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 320)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || strchr("<>()[],;:\\\"", *s))
            return false;
    return true;
}

static bool listed(const struct invitations *inv, const char *email)
{
    for (size_t i = 0; i < inv->n; i++)
        if (strcasecmp(inv->list[i].email, email) == 0)
            return true;
    return false;
}

/* The attendees r names that have an address (the organiser left out), with the answers
 * of `kept` when they were invited at the same address and `keep` says so. */
static enum rp_err attendees(struct rec_ctx *ctx, const struct rec *r,
                             const struct invitations *kept, bool keep, struct invitations *out)
{
    const char **users, **contacts;
    size_t nu = ids_of(ctx->a, r, "attendee_user_ids", &users);
    size_t nc = ids_of(ctx->a, r, "attendee_contact_ids", &contacts);
    out->list = arena_calloc(ctx->a, nu + nc + 1, sizeof(*out->list));
    out->n = 0;
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < nu + nc && !err; i++) {
        bool user = i < nu, found;
        const char *id = user ? users[i] : contacts[i - nu];
        struct rec x;
        if (user && r->owner_id && strcmp(id, r->owner_id) == 0)
            continue;
        err = read_sys(ctx, user ? "users" : "contacts", id, &x, &found);
        const char *email = !err && found ? rec_text(ctx->a, &x, "email") : NULL;
        if (!email || !addr_ok(email) || listed(out, email))
            continue; /* nobody to write to, or invited already */
        struct attendee *t = &out->list[out->n++];
        t->email = email;
        if (user) {
            t->user_id = id;
            t->name = clean_name(ctx->a, rec_text(ctx->a, &x, "display_name"));
        } else {
            const char *f = rec_text(ctx->a, &x, "first_name");
            const char *l = rec_text(ctx->a, &x, "last_name");
            t->contact_id = id;
            t->name = clean_name(ctx->a, f && l ? arena_printf(ctx->a, "%s %s", f, l) : f ? f : l);
        }
        const struct attendee *was = keep ? find_by_ref(kept, t) : NULL;
        if (was) {
            t->status = was->status;
            t->answered_at = was->answered_at;
        }
    }
    return err;
}

/* What attendees are told of: a change of time, place, subject, repetition, status or
 * attendees. */
static const char *const SIGNIFICANT[] = {"start_at", "end_at", "all_day", "location", "subject",
                                          "rrule", "timezone", "exdates", "status",
                                          "attendee_user_ids", "attendee_contact_ids"};
/* Of those, a change that asks everyone to answer again. */
static const char *const RETIME[] = {"start_at", "end_at", "all_day", "rrule", "timezone"};

static bool no_ids(const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null || (v->len == 2 && memcmp(v->s, "[]", 2) == 0);
}

static bool any_changed(const struct rec *r, const struct rec *old, const char *const *f,
                        size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rec_changed(r, old, f[i]))
            return true;
    return false;
}

enum rp_err calendar__itip_before_save(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!meeting(r) || rec_field(r, "send_invitations")->i == 0)
        return RP_OK;
    bool cancelled = rec_is(r, "status", "cancelled");
    if (cancelled && (!old || rec_is(old, "status", "cancelled")))
        return RP_OK;
    struct invitations inv;
    bool sent = inv_read(ctx->a, r, &inv);
    if (sent && !any_changed(r, old, SIGNIFICANT, RP_NELEM(SIGNIFICANT)))
        return RP_OK;
    bool nobody = no_ids(r, "attendee_user_ids") && no_ids(r, "attendee_contact_ids");
    if (!sent && (cancelled || nobody))
        return RP_OK; /* nobody was invited, nor is to be */
    bool ready;
    enum rp_err err = mail_ready(ctx, &ready);
    if (err || !ready)
        return err;
    struct invitations now = {0};
    err = attendees(ctx, r, &inv, sent && !any_changed(r, old, RETIME, RP_NELEM(RETIME)), &now);
    if (err || (now.n == 0 && (!sent || inv.n == 0)))
        return err;
    now.sequence = sent ? inv.sequence + 1 : 0;
    rec_set_text(r, "invitations", inv_text(ctx->a, &now));
    return RP_OK;
}

/* ---- messages ---- */

enum itip_method { ITIP_REQUEST, ITIP_UPDATE, ITIP_CANCEL };

/* One message's making: the meeting, its organiser, in their language. */
struct sending {
    struct rec_ctx *ctx;
    const struct rec *r;
    const char *org_email, *org_name;
    enum rp_lang lang;
    int64_t sequence;
};

static const char *plain_text(void *arg, const struct rec *r, const char *field)
{
    const struct field_def *f = meta_field(r->ent, rp_str_c(field));
    return rec_value_text(arg, f, rec_field(r, field));
}

static void add_attendee(struct arena *a, icalcomponent *ev, const struct attendee *t)
{
    icalproperty *p = icalproperty_new_attendee(arena_printf(a, "mailto:%s", t->email));
    if (t->name && t->name[0])
        icalproperty_add_parameter(p, icalparameter_new_cn(t->name));
    icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
    icalproperty_add_parameter(p, icalparameter_new_partstat(partstat_of(t->status)));
    icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    icalcomponent_add_property(ev, p);
}

/* The iCalendar object of a message: the meeting with its organiser and attendees
 * (all of them, or `only` alone: a CANCEL to one taken off). */
static enum rp_err calendar_object(struct sending *s, enum itip_method method,
                                   const struct invitations *inv, const struct attendee *only,
                                   const char **out)
{
    struct arena *a = s->ctx->a;
    struct calendar_ical_src src = {plain_text, a, a};
    struct rp_buf b;
    buf_init(&b, 4u * RP_MAX_TEXT + 65536u);
    enum rp_err err = buf_printf(&b,
                                 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                                 "PRODID:-//Rapport//Rapport CRM//EN\r\nCALSCALE:GREGORIAN\r\n"
                                 "METHOD:%s\r\n",
                                 method == ITIP_CANCEL ? "CANCEL" : "REQUEST");
    icalcomponent *ev = NULL;
    if (!err)
        err = calendar__ical_component(&src, s->r, &b, &ev);
    if (!err && ev) {
        icalproperty *stamp = icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY);
        icalproperty_set_dtstamp(stamp, icaltime_from_timet_with_zone(
                                            (time_t)(text_now_ms() / 1000), 0,
                                            icaltimezone_get_utc_timezone()));
        icalcomponent_add_property(ev, icalproperty_new_sequence((int)s->sequence));
        icalproperty *org =
            icalproperty_new_organizer(arena_printf(a, "mailto:%s", s->org_email));
        if (s->org_name && s->org_name[0])
            icalproperty_add_parameter(org, icalparameter_new_cn(s->org_name));
        icalcomponent_add_property(ev, org);
        for (size_t i = 0; i < inv->n; i++)
            if (!only || only == &inv->list[i])
                add_attendee(a, ev, &inv->list[i]);
        if (method == ITIP_CANCEL) {
            icalproperty *st = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
            if (st)
                icalproperty_set_status(st, ICAL_STATUS_CANCELLED);
            else
                icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CANCELLED));
        }
        char *text = icalcomponent_as_ical_string_r(ev);
        err = text ? buf_adds(&b, text) : RP_ENOMEM;
        free(text);
    }
    if (ev)
        icalcomponent_free(ev);
    if (!err)
        err = buf_adds(&b, "END:VCALENDAR\r\n");
    if (!err)
        *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

/* "2026-12-06 09:30" of a stored date-time (the date alone for an all-day meeting). */
static const char *shown_time(struct arena *a, const char *at, bool all_day)
{
    if (!at || strlen(at) < 16)
        return NULL;
    char *s = arena_strndup(a, at, all_day ? 10 : 16);
    if (!all_day)
        s[10] = ' ';
    return s;
}

/* The message's text, in the organiser's language. */
static const char *body_of(struct sending *s, enum itip_method method)
{
    struct arena *a = s->ctx->a;
    const struct rec *r = s->r;
    const char *subject = rec_text(a, r, "subject"), *loc = rec_text(a, r, "location");
    const char *who = s->org_name && s->org_name[0] ? s->org_name : s->org_email;
    bool all_day = rec_field(r, "all_day")->i != 0;
    const char *from = shown_time(a, rec_text(a, r, "start_at"), all_day),
               *to = shown_time(a, rec_text(a, r, "end_at"), all_day),
               *rule = rec_text(a, r, "rrule"), *tz = rec_text(a, r, "timezone");
    const char *head =
        method == ITIP_CANCEL
            ? arena_printf(a, msg_tr(s->lang, "%s cancelled the meeting: %s"), who, subject)
        : method == ITIP_UPDATE
            ? arena_printf(a, msg_tr(s->lang, "%s changed the meeting: %s"), who, subject)
            : arena_printf(a, msg_tr(s->lang, "%s invites you to: %s"), who, subject);
    const char *text = arena_printf(a, "%s\n\n", head);
    if (from)
        text = arena_printf(a, "%s%s\n", text,
                            arena_printf(a, msg_tr(s->lang, "When: %s to %s (UTC)"), from,
                                         to ? to : from));
    if (rule)
        text = arena_printf(a, "%s%s\n", text,
                            arena_printf(a, msg_tr(s->lang, "Repeats: %s (time zone %s)"), rule,
                                         tz && tz[0] ? tz : "UTC"));
    if (loc)
        text = arena_printf(a, "%s%s\n", text, arena_printf(a, msg_tr(s->lang, "Where: %s"), loc));
    if (method != ITIP_CANCEL)
        text = arena_printf(a, "%s\n%s\n", text,
                            msg_tr(s->lang, "Answer from your calendar program: accept, "
                                            "tentative or decline."));
    return text;
}

/* Writes one message to t: an `emails` record as the system (its calendar_part is
 * read-only), on the contact's timeline when t is a contact. */
static enum rp_err send_one(struct sending *s, enum itip_method method,
                            const struct invitations *inv, const struct attendee *t,
                            bool only)
{
    struct arena *a = s->ctx->a;
    const char *subject = rec_text(a, s->r, "subject"), *cal;
    enum rp_err err = calendar_object(s, method, inv, only ? t : NULL, &cal);
    if (err)
        return err;
    const char *title;
    if (method == ITIP_CANCEL)
        title = arena_printf(a, msg_tr(s->lang, "Cancelled: %s"), subject);
    else if (method == ITIP_UPDATE)
        title = arena_printf(a, msg_tr(s->lang, "Updated invitation: %s"), subject);
    else
        title = arena_printf(a, msg_tr(s->lang, "Invitation: %s"), subject);
    /* One line, as a message's subject must be. */
    char *line = arena_strdup(a, title);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    struct rec_input in[5] = {
        rec_in_text("to_addresses", t->email),
        rec_in_text("subject", line), /* a subject of 200 and a prefix */
        rec_in_text("body_text", body_of(s, method)),
        rec_in_text("calendar_part", cal),
    };
    size_t n = 4;
    if (t->contact_id)
        in[n++] = rec_in_text("contact_id", t->contact_id);
    struct rec out;
    const char *saved = rec_system_begin(s->ctx, "a meeting's invitation");
    err = rec_create(s->ctx, meta_need("emails"), in, n, &out);
    rec_system_end(s->ctx, saved);
    return err;
}

/* The organiser: the meeting's owner, at their address (the mail settings' From when
 * they have none), in their language. */
static enum rp_err organiser(struct sending *s)
{
    struct rec u;
    bool found = false;
    enum rp_err err = s->r->owner_id ? read_sys(s->ctx, "users", s->r->owner_id, &u, &found)
                                     : RP_OK;
    if (err)
        return err;
    s->org_email = found ? rec_text(s->ctx->a, &u, "email") : NULL;
    s->org_name = found ? clean_name(s->ctx->a, rec_text(s->ctx->a, &u, "display_name")) : NULL;
    s->lang = found && meta_locale_zh(rec_text(s->ctx->a, &u, "locale")) ? RP_LANG_ZH : RP_LANG_EN;
    if (!s->org_email) {
        err = store_setting_get(s->ctx->conn, "mail.from_address", s->ctx->a, &s->org_email);
        if (err == RP_ENOTFOUND || !s->org_email)
            s->org_email = "calendar@rapport.invalid";
        err = err == RP_ENOTFOUND ? RP_OK : err;
    }
    return err;
}

static bool same(const struct attendee *x, const struct attendee *y)
{
    return ((x->user_id && y->user_id && strcmp(x->user_id, y->user_id) == 0) ||
            (x->contact_id && y->contact_id && strcmp(x->contact_id, y->contact_id) == 0)) &&
           strcasecmp(x->email, y->email) == 0;
}

enum rp_err calendar__itip_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    struct invitations now, was;
    if (!meeting(r) || !inv_read(ctx->a, r, &now))
        return RP_OK;
    bool had = old && inv_read(ctx->a, old, &was);
    if (had && was.sequence == now.sequence)
        return RP_OK; /* an answer came: nothing to tell */
    struct sending s = {.ctx = ctx, .r = r, .sequence = now.sequence};
    enum rp_err err = organiser(&s);
    bool cancelled = rec_is(r, "status", "cancelled");
    for (size_t i = 0; i < now.n && !err; i++) {
        bool again = had && find_by_ref(&was, &now.list[i]);
        err = send_one(&s, cancelled ? ITIP_CANCEL : again ? ITIP_UPDATE : ITIP_REQUEST, &now,
                       &now.list[i], false);
    }
    for (size_t i = 0; had && i < was.n && !err; i++) {
        bool kept = false;
        for (size_t k = 0; k < now.n && !kept; k++)
            kept = same(&was.list[i], &now.list[k]);
        if (!kept)
            err = send_one(&s, ITIP_CANCEL, &was, &was.list[i], true);
    }
    return err;
}

enum rp_err calendar__itip_deleted(struct rec_ctx *ctx, const struct rec *r)
{
    struct invitations inv;
    if (!meeting(r) || rec_is(r, "status", "cancelled") || !inv_read(ctx->a, r, &inv) || !inv.n)
        return RP_OK;
    bool ready;
    enum rp_err err = mail_ready(ctx, &ready);
    if (err || !ready)
        return err;
    struct sending s = {.ctx = ctx, .r = r, .sequence = inv.sequence + 1};
    err = organiser(&s);
    for (size_t i = 0; i < inv.n && !err; i++)
        err = send_one(&s, ITIP_CANCEL, &inv, &inv.list[i], false);
    return err;
}

/* ---- answers received ---- */

/* The meeting a UID of ours names ("<id>@rapport"), read as the system. */
static enum rp_err meeting_of(struct rec_ctx *ctx, const char *uid, struct rec *out, bool *found)
{
    const char *at = strchr(uid, '@');
    *found = false;
    if (!at || strcmp(at, "@rapport") != 0 || !ids_valid((struct rp_str){uid, (size_t)(at - uid)}))
        return RP_OK;
    return read_sys(ctx, "activities", arena_strndup(ctx->a, uid, (size_t)(at - uid)), out, found);
}

static enum rp_err tell_organiser(struct rec_ctx *ctx, const struct rec *act,
                                  const struct attendee *t)
{
    const char *who = t->name && t->name[0] ? t->name : t->email;
    const char *subject = rec_text(ctx->a, act, "subject");
    if (!act->owner_id)
        return RP_OK;
    switch (t->status) {
    case ITIP_ACCEPTED:
        return notify_about(ctx, "invitation", act->owner_id, act, "%s accepted: %s", who,
                            subject);
    case ITIP_DECLINED:
        return notify_about(ctx, "invitation", act->owner_id, act, "%s declined: %s", who,
                            subject);
    case ITIP_TENTATIVE:
        return notify_about(ctx, "invitation", act->owner_id, act,
                            "%s tentatively accepted: %s", who, subject);
    case ITIP_NEEDS_ACTION:
        break;
    }
    return RP_OK;
}

enum rp_err calendar__itip_answer(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    /* Only a message the system wrote as received: a user cannot answer for anyone. */
    if (old || !ctx->system || !rec_is(r, "direction", "inbound") || !rec_is(r, "status", "received"))
        return RP_OK;
    const struct rec_value *cal = rec_field(r, "calendar_part");
    const char *from = rec_text(ctx->a, r, "from_address");
    struct itip_reply rep;
    if (cal->null || !from || calendar_itip_reply_parse(ctx->a, cal->s, cal->len, &rep) ||
        rep.instance || rep.status == ITIP_NEEDS_ACTION || strcasecmp(rep.attendee, from) != 0)
        return RP_OK; /* not an answer we read, or one for somebody else */
    struct rec act;
    bool found;
    enum rp_err err = meeting_of(ctx, rep.uid, &act, &found);
    struct invitations inv;
    if (err || !found || !meeting(&act) || !inv_read(ctx->a, &act, &inv) ||
        rep.sequence < inv.sequence)
        return err; /* not ours, not invited, or an answer to an older version */
    struct attendee *t = NULL;
    for (size_t i = 0; i < inv.n && !t; i++)
        if (strcasecmp(inv.list[i].email, rep.attendee) == 0)
            t = &inv.list[i];
    if (!t)
        return RP_OK;
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    t->status = rep.status;
    t->answered_at = arena_strdup(ctx->a, now);
    const char *json = inv_text(ctx->a, &inv);
    struct rec_input in = {.field = RP_STR("invitations"), .kind = IN_JSON, .s = json,
                           .len = strlen(json)};
    struct rec saved_act;
    bool conflict = ctx->allow_conflict;
    const char *saved = rec_system_begin(ctx, "an answer to a meeting's invitation");
    ctx->allow_conflict = true;
    err = rec_update(ctx, act.ent, rp_str_c(act.id), &in, 1, -1, &saved_act);
    ctx->allow_conflict = conflict;
    rec_system_end(ctx, saved);
    if (err == RP_EINVAL) {
        /* The meeting no longer passes its own rules (they changed since it was saved):
         * the answer is not kept, the message is. */
        LOG(LOG_WARN, "invitations: the answer of %s to %s is not kept: the meeting does not "
                      "validate", rep.attendee, act.id);
        ctx->nerrors = 0;
        ctx->detail = NULL;
        ctx->bad_request = false;
        return RP_OK;
    }
    return err ? err : tell_organiser(ctx, &saved_act, t);
}
