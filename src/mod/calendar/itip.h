/* Meeting invitations by e-mail (iTIP, RFC 5546; issue 21 item 5), inside the calendar
 * module. A meeting with attendees and send_invitations set sends each attendee — a
 * contact at their e-mail, a user at theirs, never the organiser (the owner) — a
 * message with METHOD:REQUEST, an update (REQUEST, SEQUENCE one higher) when its time,
 * place, subject, repetition or attendees change, and METHOD:CANCEL to an attendee
 * taken off, and to all when it is cancelled or deleted. The messages are `emails`
 * records the mail module sends, their iCalendar object in calendar_part; nothing is
 * written while outgoing mail is not set up (docs/api.md, "Meeting invitations").
 *
 * The activity's read-only field `invitations` keeps what was sent and answered:
 *   {"sequence": 2, "attendees": [{"email": "…", "name": "…", "user_id": "…" | null,
 *    "contact_id": "…" | null, "status": "needs_action", "answered_at": null}]}
 * null while none was sent. An answer (METHOD:REPLY in a received e-mail) from an
 * attendee, about the meeting's UID and not older than its SEQUENCE, sets their status
 * and tells the organiser (notification kind "invitation"). */
#ifndef RP_MOD_CALENDAR_ITIP_H
#define RP_MOD_CALENDAR_ITIP_H

#include <libical/ical.h>

#include "core/buf.h"
#include "mod/calendar/calendar.h"

/* ---- ical.c: an activity as an iCalendar component ---- */

/* Where the fields of an activity come from: an export's text (a reference's name, for
 * the caller) or the record's own. */
struct calendar_ical_src {
    const char *(*text)(void *arg, const struct rec *r, const char *field);
    void *arg;
    struct arena *a;
};

/* The VEVENT (VTODO for a task with only a due time) of r, *out NULL when it has no
 * time at all; the VTIMEZONE its local times need is appended to zones. Returns owned:
 * icalcomponent_free it. */
enum rp_err calendar__ical_component(const struct calendar_ical_src *src, const struct rec *r,
                                     struct rp_buf *zones, icalcomponent **out);

/* ---- itip.c ---- */

/* An answer to an invitation, as a REPLY carries it. */
enum itip_partstat { ITIP_NEEDS_ACTION, ITIP_ACCEPTED, ITIP_DECLINED, ITIP_TENTATIVE };

struct itip_reply {
    const char *uid;        /* the event's UID */
    const char *attendee;   /* the answering attendee's address, without "mailto:" */
    enum itip_partstat status;
    int64_t sequence;       /* 0 when the reply gives none */
    bool instance;          /* it answers one occurrence (RECURRENCE-ID) */
};

/* Reads an iCalendar object that is a METHOD:REPLY with one VEVENT naming one attendee
 * with a PARTSTAT (arena memory). RP_EINVAL for anything else: not iCalendar, another
 * method, no or several attendees, an unknown status. Pure. */
enum rp_err calendar_itip_reply_parse(struct arena *a, const char *text, size_t len,
                                      struct itip_reply *out);
/* The status's name ("needs_action", "accepted", "declined", "tentative"). */
const char *calendar_itip_status_name(enum itip_partstat s);

/* Hooks: on activities, the invitations of a meeting (before_save decides and writes
 * `invitations`, after_save sends, before_delete cancels); on emails, a received
 * answer (after_save). */
enum rp_err calendar__itip_before_save(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err calendar__itip_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err calendar__itip_deleted(struct rec_ctx *ctx, const struct rec *r);
enum rp_err calendar__itip_answer(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);

#endif
