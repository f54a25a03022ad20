/* The customer service module (MISSION 7): cases with a gap-free number per workspace
 * and a status state machine, queues and the assignment of new and reopened cases,
 * SLA policies on business-hours calendars with clocks that count working time only
 * and pause while a case waits on its customer, and the escalation of cases that near
 * or pass their targets. */
#ifndef RP_MOD_SERVICE_H
#define RP_MOD_SERVICE_H

#include "engine/module.h"

/* The counter of case numbers (rec_next_number) and their form: CS-000123. */
#define SVC_NUMBER_COUNTER "cases.number"
#define SVC_NUMBER_PREFIX "CS-"
/* The first escalation level fires at this share of a target, in percent. */
#define SVC_WARN_PERCENT 80
/* The longest target of a policy, in minutes (a year). */
#define SVC_MAX_TARGET_MIN 525600
/* How far ahead a clock looks for working time, in days: a calendar without working
 * hours in ten years answers no due time. */
#define SVC_CLOCK_HORIZON_DAYS 3660
/* Working spans of one day at most, and holidays of a calendar at most. */
#define SVC_MAX_SPANS 4
#define SVC_MAX_HOLIDAYS 400
/* Cases one escalation run looks at, at most; a later run takes the rest. */
#define SVC_ESCALATE_BATCH 500
/* Cases a worklist answers at most. */
#define SVC_WORKLIST_MAX 200
/* Knowledge articles one case links at most: their ids fit one index entry on every
 * store (40 × 39 bytes; PostgreSQL's B-tree takes about 2,700). */
#define SVC_MAX_CASE_ARTICLES 40
/* Cases an article's list of linked cases answers at most, the newest first. */
#define SVC_LINKED_CASES_MAX 200

extern const struct entity_def service__cases;
extern const struct entity_def service__case_queues;
extern const struct entity_def service__sla_policies;
extern const struct entity_def service__business_calendars;

extern const struct rp_module mod_service;

/* ---- clocks (clock.c: pure arithmetic, no database) ---- */

/* A working span of a day, in minutes after local midnight: [start, end). */
struct svc_span {
    int start, end;
};

/* A business-hours calendar: weekly hours in local time, holidays (local dates, days
 * since 1970-01-01, ascending), and the zone's offset from UTC. Without `offset` the
 * zone is UTC. With `always` every second counts (no calendar: 24 × 7). */
struct svc_calendar {
    bool always;
    struct svc_span week[7][SVC_MAX_SPANS]; /* by weekday, 0 = Sunday */
    size_t nspans[7];
    int64_t holidays[SVC_MAX_HOLIDAYS];
    size_t nholidays;
    /* Seconds east of UTC at the UTC instant utc_s in `zone`. */
    int (*offset)(const void *zone, int64_t utc_s);
    const void *zone;
};

/* Parses one day's hours, "09:00-12:00,13:00-17:30" ("" or "closed": none), spans
 * ascending and not overlapping, 24:00 allowed as an end. RP_EINVAL otherwise. */
enum rp_err svc_parse_hours(struct rp_str s, struct svc_span *spans, size_t *n);
/* Parses holidays, "YYYY-MM-DD" dates separated by commas or white space, into days
 * (sorted). RP_EINVAL for a bad date or more than SVC_MAX_HOLIDAYS. */
enum rp_err svc_parse_holidays(struct rp_str s, int64_t *days, size_t *n);
/* Working seconds in [from_s, to_s) (0 when to_s <= from_s). */
int64_t svc_working_s(const struct svc_calendar *c, int64_t from_s, int64_t to_s);
/* The instant at which work_s working seconds after from_s have passed: *due_s.
 * RP_ENOTFOUND when the calendar has no working time within SVC_CLOCK_HORIZON_DAYS. */
enum rp_err svc_add_working(const struct svc_calendar *c, int64_t from_s, int64_t work_s,
                            int64_t *due_s);

/* ---- time zones (zone.c: the system tz database through libical) ---- */

/* The zone of an IANA name ("Asia/Shanghai", "UTC"), or NULL when unknown. Zones live
 * as long as the process. */
const void *svc_zone(const char *name);
/* Seconds east of UTC in zone at utc_s (struct svc_calendar.offset). */
int svc_zone_offset(const void *zone, int64_t utc_s);

/* ---- SLA of a case (sla.c) ---- */

enum svc_target { SVC_RESPONSE, SVC_RESOLUTION };

struct svc_clock {
    bool set;             /* the case has a policy with this target */
    int64_t target_min;   /* minutes of working time */
    const char *due_at;   /* RFC 3339; NULL while paused, or when met, or none found */
    const char *done_at;  /* when met (first response, resolution), or NULL */
    int64_t remaining_s;  /* working seconds left (negative: overdue by that much) */
    bool breached;        /* overdue, or met late */
    bool paused;
};

struct svc_sla {
    const char *policy_id;  /* NULL: no policy, no clocks */
    struct svc_clock clocks[2];
};

/* The SLA clocks of a case, as of now_ms. */
enum rp_err svc_case_sla(struct rec_ctx *ctx, const struct rec *c, int64_t now_ms,
                         struct svc_sla *out);

/* ---- inside the module ---- */

/* The calendar of a policy (sla.c): the policy's business calendar, or 24 × 7. */
enum rp_err service__policy_calendar(struct rec_ctx *ctx, const struct rec *policy,
                                     struct svc_calendar *out);
/* The default policy (is_default), or NULL when there is none. */
enum rp_err service__default_policy(struct rec_ctx *ctx, const struct rec **out);
/* A policy's target for a priority (p1..p4), minutes; 0 when not set. */
int64_t service__target(const struct rec *policy, const char *priority, enum svc_target t);
/* Recomputes the stored due times and the next escalation point of a case being saved
 * (sla.c), as of r->updated_at. */
enum rp_err service__plan(struct rec_ctx *ctx, struct rec *r);
/* Picks the queue and owner of a case being created or reopened (queues.c): the
 * queue given on create, else the first whose rules match; an agent of it, unless the
 * case was created for someone other than its author. A new case so assigned becomes
 * "assigned". */
enum rp_err service__assign(struct rec_ctx *ctx, struct rec *r, bool reopened);

/* Hooks (module.c lists them). */
enum rp_err service__validate_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__before_save_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__after_save_case(struct rec_ctx *ctx, const struct rec *r,
                                     const struct rec *old);
enum rp_err service__validate_calendar(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__validate_policy(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__bootstrap(struct rec_ctx *ctx, bool interactive);
enum rp_err service__demo(struct rp_demo *d);

/* Escalation (escalate.c): the schedule, and the job that runs it at once. */
enum rp_err service__escalate_due(struct rec_ctx *ctx);
enum rp_err service__escalate_check(struct rec_ctx *ctx, struct rp_str payload);
enum rp_err service__escalate_run(struct rec_ctx *ctx, struct rp_str payload,
                                  const atomic_bool *stop, const char **result);
/* Escalates the cases whose next point is at or before now_ms; *done counts levels
 * applied. */
enum rp_err service_escalate(struct rec_ctx *ctx, int64_t now_ms, int64_t *done);

/* routes.c */
struct api_call;
unsigned service__get_sla(struct api_call *c);
unsigned service__get_worklist(struct api_call *c);

/* ---- cases and knowledge articles (articles.c, markdown.c) ---- */

/* The number of ids in a stored list of ids (kb_articles): 0 for null. */
size_t service__article_count(const struct rec_value *list);
/* Appends text to b as Markdown that shows it as written: characters Markdown would
 * read as markup are escaped with a backslash (inline ones anywhere, block ones at the
 * start of a line), lines keep their breaks (a backslash before each newline inside a
 * paragraph), leading indentation that would make a code block is dropped, and runs of
 * blank lines become one paragraph break. RP_ETOOBIG when b is full. */
enum rp_err svc_md_quote(struct rp_buf *b, struct rp_str text);
unsigned service__get_case_articles(struct api_call *c);
unsigned service__get_article_cases(struct api_call *c);
unsigned service__post_case_article(struct api_call *c);

/* sql.c */
/* Open cases (not resolved or closed) of each user, for least-open assignment. */
enum rp_err service__sql_open_counts(struct rec_ctx *ctx, const char *const *users, size_t n,
                                     int64_t *counts);
/* Live cases whose escalate_at is at or before `at`, the earliest first, at most max. */
enum rp_err service__sql_escalation_due(struct rec_ctx *ctx, const char *at, size_t max,
                                        struct rec **rows, size_t *n);
/* Open cases the caller may read, of one queue or (queue_id NULL) owned by the caller,
 * the most urgent first: the earliest due time (due_at), then those without a running
 * clock (paused, no policy), the oldest first. */
enum rp_err service__sql_worklist(struct rec_ctx *ctx, const char *queue_id, struct rec **rows,
                                  size_t *n);
/* Cases the caller may read that link the article, the newest first, at most
 * SVC_LINKED_CASES_MAX. */
enum rp_err service__sql_linked_cases(struct rec_ctx *ctx, const char *article_id,
                                      struct rec **rows, size_t *n);

/* Fills due_at of the cases saved before it existed; *filled: how many. */
enum rp_err service__sql_fill_due(struct rec_ctx *ctx, int64_t *filled);

extern const struct msg_catalog service__messages;

#endif
