/* The CalDAV and CardDAV server (RFC 4791, RFC 6352, with the WebDAV of RFC 4918 and
 * the sync-collection report of RFC 6578 that clients need): each user has one calendar,
 * the calls, meetings and tasks they own or attend, and one address book, the contacts
 * their role lets them read. Clients authenticate with HTTP Basic (the user's password
 * or an API token); reads and writes go through the record engine, so permissions,
 * validation, duplicates and audit are the CRM's own (docs/dav.md). */
#ifndef RP_MOD_DAV_H
#define RP_MOD_DAV_H

#include "engine/module.h"

/* Largest PUT body: one event or one card (a photo in a card is dropped, not stored). */
#define DAV_MAX_PUT (256u * 1024u)
/* Largest PROPFIND or REPORT body: a multiget naming every item of a big collection. */
#define DAV_MAX_XML (4u * 1024u * 1024u)
/* Nesting of a request's XML: a filter is five levels deep, a PROPFIND three. */
#define DAV_MAX_XML_DEPTH 16
/* Properties one PROPFIND or REPORT may ask for. */
#define DAV_MAX_PROPS 64
/* Hrefs one multiget may name. */
#define DAV_MAX_HREFS 20000u
/* Items one listing answers (PROPFIND Depth 1, a query, a sync): past it the answer ends
 * with a 507 for the collection (RFC 6578 §3.6) and the client asks again. */
#define DAV_MAX_ITEMS 20000u
/* A sync token is never later than this long ago: a write may commit after a later
 * one (PostgreSQL), so the last moments before a sync are reported again in the next
 * (clients compare ETags; RFC 6578 allows it) rather than missed. */
#define DAV_SYNC_OVERLAP_MS 1000
/* Longest resource name (the last segment of an item's path). */
#define DAV_MAX_NAME 255u

/* The two kinds of collection. */
enum dav_kind { DAV_CALENDAR, DAV_ADDRESSBOOK };

/* ---- xml.c: request bodies ---- */

enum dav_report {
    DAV_PROPFIND,
    DAV_CALENDAR_QUERY,
    DAV_CALENDAR_MULTIGET,
    DAV_ADDRESSBOOK_QUERY,
    DAV_ADDRESSBOOK_MULTIGET,
    DAV_SYNC_COLLECTION,
};

/* A property: its namespace and local name (borrowed from the arena). */
struct dav_prop {
    const char *ns;
    const char *name;
};

/* What a PROPFIND or REPORT body asks. */
struct dav_body {
    enum dav_report kind;
    bool allprop;              /* <allprop/>, or an empty PROPFIND body */
    bool propname;             /* <propname/> */
    struct dav_prop props[DAV_MAX_PROPS];
    size_t nprops;
    const char **hrefs;        /* multigets: percent-encoded as sent */
    size_t nhrefs;
    const char *start, *end;   /* a query's time-range (iCalendar UTC text) or NULL */
    bool events, todos;        /* a calendar query's comp-filter: which components */
    const char *sync_token;    /* sync-collection: the token sent, "" for none */
};

/* Parses a PROPFIND (report false) or REPORT body with expat: no DTD (so no entity is
 * ever expanded), at most DAV_MAX_XML_DEPTH levels, DAV_MAX_PROPS properties and
 * DAV_MAX_HREFS hrefs. RP_EINVAL with a bad-request detail in ctx when it is not well
 * formed or not a request this server answers. */
enum rp_err dav_xml_parse(struct rec_ctx *ctx, struct rp_str body, bool report,
                          struct dav_body *out);
/* Appends s escaped for XML text or an attribute (& < > " and CR as &#13;, so an
 * iCalendar's CRLF survives). */
enum rp_err dav_xml_escape(struct rp_buf *b, const char *s, size_t len);

/* ---- ical.c: activities as iCalendar ---- */

/* Changed occurrences one object may carry (beyond its master). */
#define DAV_MAX_OVERRIDES 500u

/* One activity as a VCALENDAR with a VEVENT (calls, meetings) or VTODO (tasks); a series
 * (rrule set) with its RRULE, EXDATEs, DTSTART;TZID and VTIMEZONE, and its exceptions ex
 * (nex) as components with RECURRENCE-ID. uid: the UID a client gave it, or NULL for
 * "<id>@rapport" (the calendar feed's). Returns owned text in a. */
enum rp_err dav_ical_write(struct arena *a, const struct rec *r, const struct rec *ex, size_t nex,
                           const char *uid, char **out);

/* A changed occurrence (RECURRENCE-ID) of a client's object. */
struct dav_override {
    int64_t at;                /* the occurrence's original start, UTC ms */
    struct rec_input *in;      /* its inputs, as for any activity but type */
    size_t n;
};

/* A client's iCalendar object read: the engine inputs of its master component (rrule,
 * timezone and exdates included, null when it does not repeat), its UID and its
 * overrides. */
struct dav_object {
    struct rec_input *in;
    size_t n;
    const char *uid;
    struct dav_override *ov;
    size_t nov;
};

/* Reads a client's iCalendar object: one VEVENT or VTODO without RECURRENCE-ID (with any
 * VTIMEZONE), and, when it has an RRULE, components of the same UID with RECURRENCE-ID.
 * old is the activity being replaced (NULL on create): PUT replaces, so properties
 * absent from the object clear the fields they map to. RP_EINVAL with a bad-request
 * detail when it is not iCalendar or not such an object (RDATE, several masters, a
 * RECURRENCE-ID without a series). The rule itself is the calendar module's to judge. */
enum rp_err dav_ical_read(struct rec_ctx *ctx, struct rp_str body, const struct rec *old,
                          struct dav_object *out);

/* ---- vcard.c: contacts as vCard ---- */

/* One contact as vCard 4.0; uid as above ("urn:uuid:<id>" when NULL). */
enum rp_err dav_vcard_write(struct arena *a, const struct rec *r, const char *uid, char **out);
/* The engine inputs of a client's vCard (one card, read by engine/vcard_read.h): fields
 * the card does not carry are cleared; *uid its UID. RP_EINVAL with a detail when it is
 * not a whole card. */
enum rp_err dav_vcard_read(struct rec_ctx *ctx, struct rp_str body, struct rec_input **in,
                           size_t *n, const char **uid);

/* ---- sql.c ---- */

/* A resource name a client chose for a record, with the UID it gave it. */
struct dav_name {
    const char *record_id;
    const char *name;
    const char *uid;
};

/* Creates the names table if missing (bootstrap). */
enum rp_err dav__sql_init(struct rec_ctx *ctx);
/* The items of the caller's collection visible to them: activities (calls, meetings,
 * tasks) they own or attend, or contacts; with deleted, those in the recycle bin too.
 * since (a stored date-time) keeps those changed after it; from/to (stored
 * date-times) those in a range. At most max rows. */
enum rp_err dav__sql_items(struct rec_ctx *ctx, enum dav_kind k, const char *since,
                           bool deleted, const char *from, const char *to, size_t max,
                           struct rec **rows, size_t *n);
/* The sync state of the collection: the latest change (recycle bin included; NULL when
 * empty) and the live items' count. */
enum rp_err dav__sql_state(struct rec_ctx *ctx, enum dav_kind k, const char **latest,
                           int64_t *count);
/* The names of the collection's items that have one, sorted by record id. */
enum rp_err dav__sql_names(struct rec_ctx *ctx, enum dav_kind k, struct dav_name **out,
                           size_t *n);
/* The record a client's name stands for, or RP_ENOTFOUND. */
enum rp_err dav__sql_lookup(struct rec_ctx *ctx, enum dav_kind k, const char *name,
                            struct dav_name *out);
/* Sets the name and UID of a record (replacing what the name stood for), in the
 * caller's transaction. */
enum rp_err dav__sql_put_name(struct rec_ctx *ctx, enum dav_kind k, const char *name,
                              const char *record_id, const char *uid);

/* ---- routes.c ---- */

struct api_call;
unsigned dav__well_known(struct api_call *c);
unsigned dav__options(struct api_call *c);
unsigned dav__propfind(struct api_call *c);
unsigned dav__report(struct api_call *c);
unsigned dav__get(struct api_call *c);
unsigned dav__put(struct api_call *c);
unsigned dav__delete(struct api_call *c);

enum rp_err dav__bootstrap(struct rec_ctx *ctx, bool interactive);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog dav__messages;

extern const struct rp_module mod_dav;

#endif
