/* The calendar module (MISSION 3): activities — meetings, calls, tasks, notes — on
 * people's calendars, with scheduling conflicts found and shown, and the calendar of a
 * person or a team. */
#ifndef RP_MOD_CALENDAR_H
#define RP_MOD_CALENDAR_H

#include "engine/module.h"

/* Activities one calendar answer may hold: a team's month fits easily. */
#define CALENDAR_MAX_ACTIVITIES 2000u
/* Users one calendar request may name. */
#define CALENDAR_MAX_USERS 50u
/* Conflicting activities reported with a 409. */
#define CALENDAR_MAX_CONFLICTS 20u
/* The longest a timed activity may last: bounds the calendar's and the conflict
 * check's index range (an activity overlapping a period starts at most this long
 * before it). */
#define CALENDAR_MAX_ACTIVITY_DAYS 31

extern const struct entity_def calendar__activities;

extern const struct rp_module mod_calendar;

/* Activities of users (the caller alone when nusers is 0) in [from, to), as the caller
 * may read them: from and to are dates or RFC 3339 date-times. A series is there once
 * per occurrence in the range (calendar__occurrence: its id, its times moved, and
 * recurrence_id the occurrence's start); an exception is there as itself. */
enum rp_err calendar_range(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                           const struct rp_str *users, size_t nusers, struct rec **rows,
                           size_t *n);

/* The same without expanding series: activities that do not repeat and exceptions in
 * [from, to), and the series with an occurrence that may be in it, as stored (rrule,
 * exdates): what iCalendar carries (the feed, CalDAV). */
enum rp_err calendar_range_series(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                                  const struct rp_str *users, size_t nusers, struct rec **rows,
                                  size_t *n);

/* The calendar feed's window around today. */
#define CALENDAR_FEED_PAST_DAYS 90
#define CALENDAR_FEED_FUTURE_DAYS 365

struct exp;
/* Opens the caller's calendar feed: the activities they own or attend from 90 days back
 * to a year ahead, as iCalendar (engine/export.h: exp_next, exp_close). */
enum rp_err calendar_feed(struct rec_ctx *ctx, struct exp **out);

/* ---- for CalDAV (mod/dav), which carries a series and its exceptions as one object:
 * the master component with RRULE and EXDATE, an override with RECURRENCE-ID per
 * exception (docs/dav.md) ---- */

/* Whether series r (rrule set) has an occurrence overlapping [from, to) (UTC ms; one
 * without length: starting in it). False for an activity that does not repeat. */
bool calendar_series_overlaps(struct rec_ctx *ctx, const struct rec *r, int64_t from, int64_t to);
/* The live exceptions of series r, whoever may read them (a share of the series covers
 * its exceptions). */
enum rp_err calendar_series_exceptions(struct rec_ctx *ctx, const struct rec *r,
                                       struct rec **rows, size_t *n);
/* Creates, or changes, the exception of series' occurrence at `at` with in, as
 * PATCH /activities/{id}/occurrences/{at}?scope=this does (the caller's right to edit
 * the series decides). A field error on recurrence_id when the series has no
 * occurrence there. */
enum rp_err calendar_occurrence_put(struct rec_ctx *ctx, const struct rec *series, int64_t at,
                                    const struct rec_input *in, size_t n, struct rec *out);
/* Deletes exception ex of series: its occurrence is the series' own again. */
enum rp_err calendar_occurrence_reset(struct rec_ctx *ctx, const struct rec *series,
                                      const struct rec *ex);

/* ---- inside the module ---- */

/* Hooks: the rules of an activity, and its conflicts (a 409 with "conflicts"). */
enum rp_err calendar__validate_activity(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err calendar__validate_restored(struct rec_ctx *ctx, struct rec *r);

/* rollup.c: the account an activity belongs to (account_id). */
struct calendar_account_source {
    const char *entity;    /* what an activity is about (related_type) */
    const char *field;     /* its reference to the account; NULL: it is the account */
};
extern const struct calendar_account_source calendar__account_sources[];
extern const size_t calendar__naccount_sources;
/* Hook (before_save) on activities: derives account_id when what the activity is about
 * changes. */
enum rp_err calendar__derive_account(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* Hook (after_save) on contacts, opportunities and leads: when the record's account
 * changes (a lead's on conversion), its activities follow it. */
enum rp_err calendar__follow_account(struct rec_ctx *ctx, const struct rec *r,
                                     const struct rec *old);
/* At every start: links the activities a database held before account_id existed
 * (calendar__sql_fill_accounts). */
enum rp_err calendar__bootstrap(struct rec_ctx *ctx, bool interactive);

/* The iCalendar format of exports (ical.c). */
extern const struct rec_exporter calendar__ical;
enum rp_err calendar__demo(struct rp_demo *d);
/* routes.c: the module's HTTP handlers (api/route.h). */
struct api_call;
unsigned calendar__get_range(struct api_call *c);
unsigned calendar__get_feed(struct api_call *c);

/* sql.c */

/* Activities visible to the caller in [from, to) (UTC date-times), of users if any. */
enum rp_err calendar_sql_range(struct rec_ctx *ctx, const char *from, const char *to,
                               const char *const *users, size_t nusers, struct rec **rows,
                               size_t *n);
/* Meetings and calls of any of users overlapping [start, end), other than act itself
 * and series (calendar__occurrences), whoever may read them: the first max. */
enum rp_err calendar_sql_overlaps(struct rec_ctx *ctx, const struct rec *act, const char *start,
                                  const char *end, const char *const *users, size_t nusers,
                                  size_t max, struct rec **rows, size_t *n);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog calendar__messages;
/* Sets account_id on every activity (recycle bin included) that has none and is about a
 * record that has an account, in the caller's transaction, without audit rows (a link
 * the records always should have had); *filled counts them. Idempotent. */
enum rp_err calendar__sql_fill_accounts(struct rec_ctx *ctx, int64_t *filled);

/* ---- recurring activities (recur.c, series.c, occurrences.c; docs/api.md) ----
 * A series is an activity with an rrule (RFC 5545 RRULE text) in its time zone
 * (IANA name, UTC when empty), whose start_at/end_at are its first occurrence; exdates
 * lists the occurrences deleted from it (UTC date-times, comma-separated). An exception
 * is an activity of its own with series_id (the series) and recurrence_id (the
 * original start of the occurrence it replaces). repeat_until (derived) is when the
 * last occurrence ends, CALENDAR_FOREVER for a series without end, and null for an
 * activity that does not repeat: the index the range queries read series by. */

/* The longest rule text. */
#define CALENDAR_RRULE_MAX 255
/* The largest COUNT: a daily meeting for over ten years. */
#define CALENDAR_RECUR_MAX_COUNT 5000
/* The most EXDATEs one series keeps. */
#define CALENDAR_RECUR_MAX_EXDATES 500
/* Iterator steps one expansion may take: bounds the work a sparse or never-matching
 * rule costs (a rule is expanded from its start, or from the range for rules without
 * COUNT, so this is ample for any real one). */
#define CALENDAR_RECUR_MAX_STEPS 100000u
/* How far ahead a new or changed series is checked for conflicts with other
 * activities, from its first occurrence: a year. */
#define CALENDAR_RECUR_LOOKAHEAD_DAYS 366
/* Occurrences of a series checked for conflicts (within the look-ahead). */
#define CALENDAR_RECUR_CHECKED 400u
/* Series one range or conflict query expands. */
#define CALENDAR_MAX_SERIES 500u
/* repeat_until of a series without end. */
#define CALENDAR_FOREVER "9999-12-31T23:59:59.999Z"

/* What is wrong with a rule (calendar_recur_check). */
enum calendar_recur_bad {
    RECUR_OK,
    RECUR_SYNTAX,  /* not an RRULE libical reads */
    RECUR_PART,    /* a part the calendar does not take (BYHOUR, …) */
    RECUR_FREQ,    /* SECONDLY, MINUTELY or HOURLY */
    RECUR_BOTH,    /* COUNT and UNTIL together */
    RECUR_COUNT,   /* COUNT above CALENDAR_RECUR_MAX_COUNT */
    RECUR_TZ,      /* an unknown time zone */
    RECUR_UNTIL,   /* UNTIL before the start */
    RECUR_EMPTY,   /* no occurrence at all */
    RECUR_FIRST,   /* the start is not the first occurrence (*first_ms is) */
};

/* A series as recur.c expands it: times in UTC milliseconds; borrowed strings. */
struct calendar_series {
    const char *rrule;
    const char *tzid;              /* NULL or "": UTC */
    int64_t start_ms;
    int64_t dur_ms;
    const int64_t *exdates;        /* starts left out */
    size_t nexdates;
};

/* Checks a rule for a series starting at start_ms in tzid and lasting dur_ms: RECUR_OK
 * and *last_end_ms (INT64_MAX: never), or what is wrong (*first_ms with RECUR_FIRST). */
enum calendar_recur_bad calendar_recur_check(const char *rrule, const char *tzid,
                                             int64_t start_ms, int64_t dur_ms, int64_t *first_ms,
                                             int64_t *last_end_ms);
/* The starts of s's occurrences overlapping [from, to) (one without length: starting in
 * it), in order, into out (at most max; RP_ETOOBIG when there are more). RP_EINVAL for a
 * rule calendar_recur_check refuses. */
enum rp_err calendar_recur_expand(const struct calendar_series *s, int64_t from, int64_t to,
                                  int64_t *out, size_t max, size_t *n);
/* Whether an occurrence of s starts at `at` (exdates left out). */
bool calendar_recur_has(const struct calendar_series *s, int64_t at);
/* rrule with its COUNT and UNTIL replaced by UNTIL=until (UTC). Returns owned by a. */
enum rp_err calendar_recur_until(const char *rrule, int64_t until_ms, struct arena *a,
                                 const char **out);
/* The rule's COUNT (0: none). */
int calendar_recur_count(const char *rrule);
/* rrule with COUNT=count instead of its own. Returns owned by a. */
enum rp_err calendar_recur_with_count(const char *rrule, int count, struct arena *a,
                                      const char **out);

/* series.c: an activity as a series (false when it does not repeat or is broken). */
bool calendar__series_of(struct rec_ctx *ctx, const struct rec *r, struct calendar_series *s);
/* A copy of series r moved to its occurrence at `at` (recurrence_id set to it). */
struct rec *calendar__occurrence(struct rec_ctx *ctx, const struct rec *r, int64_t at);
/* Hook parts: the rules of rrule, timezone, exdates, series_id and recurrence_id
 * (validate); repeat_until and tidy exdates (before_save); exceptions that no longer
 * match a changed series go (after_save); a deleted series takes its exceptions along
 * (before_delete). */
void calendar__validate_recurrence(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err calendar__derive_series(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err calendar__series_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err calendar__series_deleted(struct rec_ctx *ctx, const struct rec *r);
/* The occurrences of the series among users' (all when nusers is 0) that overlap
 * [from, to), as the caller may read them (scoped) or not (every one, for conflicts),
 * without those replaced by exceptions or of the series `skip` (NULL: none); appended
 * to *rows (grown in the arena). */
enum rp_err calendar__occurrences(struct rec_ctx *ctx, int64_t from, int64_t to,
                                  const char *const *users, size_t nusers, bool scoped,
                                  const char *skip, struct rec **rows, size_t *n);
/* occurrences.c: the routes of one occurrence. */
unsigned calendar__get_occurrence(struct api_call *c);
unsigned calendar__patch_occurrence(struct api_call *c);
unsigned calendar__delete_occurrence(struct api_call *c);

/* sql.c: the series (repeat_until set) of users whose occurrences may overlap [from, to),
 * readable by the caller when scoped, busy ones only (meetings and calls not cancelled)
 * when not. */
enum rp_err calendar_sql_series(struct rec_ctx *ctx, const char *from, const char *to,
                                const char *const *users, size_t nusers, bool scoped,
                                struct rec **rows, size_t *n);
/* The live exceptions of the series ids (at most CALENDAR_MAX_SERIES) whose original
 * start is in [from, to), whoever may read them. */
enum rp_err calendar_sql_exceptions(struct rec_ctx *ctx, const char *const *ids, size_t nids,
                                    const char *from, const char *to, struct rec **rows,
                                    size_t *n);

#endif
