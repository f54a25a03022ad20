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
 * may read them: from and to are dates or RFC 3339 date-times. */
enum rp_err calendar_range(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                           const struct rp_str *users, size_t nusers, struct rec **rows,
                           size_t *n);

/* The calendar feed's window around today. */
#define CALENDAR_FEED_PAST_DAYS 90
#define CALENDAR_FEED_FUTURE_DAYS 365

struct exp;
/* Opens the caller's calendar feed: the activities they own or attend from 90 days back
 * to a year ahead, as iCalendar (engine/export.h: exp_next, exp_close). */
enum rp_err calendar_feed(struct rec_ctx *ctx, struct exp **out);

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
/* Meetings and calls of any of users overlapping [start, end), other than act itself,
 * whoever may read them. */
enum rp_err calendar_sql_overlaps(struct rec_ctx *ctx, const struct rec *act, const char *start,
                                  const char *end, const char *const *users, size_t nusers,
                                  struct rec **rows, size_t *n);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog calendar__messages;
/* Sets account_id on every activity (recycle bin included) that has none and is about a
 * record that has an account, in the caller's transaction, without audit rows (a link
 * the records always should have had); *filled counts them. Idempotent. */
enum rp_err calendar__sql_fill_accounts(struct rec_ctx *ctx, int64_t *filled);

#endif
