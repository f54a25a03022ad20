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
/* Cases a worklist answers by default, and at most (?limit=). */
#define SVC_WORKLIST_DEFAULT 50
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
extern const struct entity_def service__service_agreements;
/* The languages a customer is served in (a case's `language`, a queue's
 * `match_languages`), with their labels in English and Chinese. */
extern const char *const service__languages[];
extern const char *const service__languages_labels[];
extern const char *const service__languages_labels_zh[];

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
/* The policy and calendar a run of cases last used: a worklist's cases mostly share one,
 * read once instead of for every case. Zeroed before the first use. */
struct svc_sla_cache {
    const char *policy_id; /* NULL: nothing kept */
    bool found;
    struct rec policy;
    struct svc_calendar cal;
};
/* svc_case_sla, keeping the policy and calendar in cache for the next case. */
enum rp_err svc_case_sla_cached(struct rec_ctx *ctx, const struct rec *c, int64_t now_ms,
                                struct svc_sla_cache *cache, struct svc_sla *out);

/* ---- inside the module ---- */

/* The calendar of a policy (sla.c): the policy's business calendar, or 24 × 7. */
enum rp_err service__policy_calendar(struct rec_ctx *ctx, const struct rec *policy,
                                     struct svc_calendar *out);
/* The default policy (is_default), or NULL when there is none. */
enum rp_err service__default_policy(struct rec_ctx *ctx, const struct rec **out);
/* A policy's target for a priority (p1..p4), minutes; 0 when not set. */
int64_t service__target(const struct rec *policy, const char *priority, enum svc_target t);
/* Fills cache with the policy of case c and its calendar (found false: none), unless
 * it holds them already. */
enum rp_err service__load_policy(struct rec_ctx *ctx, const struct rec *c,
                                 struct svc_sla_cache *cache);
/* Recomputes the stored due times and the next escalation point of a case being saved
 * (sla.c), as of r->updated_at, with its policy and calendar kept in cache (zeroed
 * before the first use). */
enum rp_err service__plan(struct rec_ctx *ctx, struct rec *r, struct svc_sla_cache *cache);
/* Picks the queue and owner of a case being created or reopened (queues.c): the
 * queue given on create, else the first whose rules match; an agent of it, unless the
 * case was created for someone other than its author. A new case so assigned becomes
 * "assigned". */
enum rp_err service__assign(struct rec_ctx *ctx, struct rec *r, bool reopened);

/* Hooks (module.c lists them). */
enum rp_err service__validate_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__before_save_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* Shares record r (of an entity with account_id) for reading with its account's owner
 * when the account is new or changed (sales reps read their customers' cases and
 * agreements), as the system, `why` in the history. */
enum rp_err service__share_with_account_owner(struct rec_ctx *ctx, const struct rec *r,
                                              const struct rec *old, const char *why);
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
enum rp_err service__sql_worklist(struct rec_ctx *ctx, const char *queue_id, size_t max,
                                  struct rec **rows, size_t *n);
/* Cases the caller may read that link the article, the newest first, at most
 * SVC_LINKED_CASES_MAX. */
enum rp_err service__sql_linked_cases(struct rec_ctx *ctx, const char *article_id,
                                      struct rec **rows, size_t *n);

/* Fills due_at of the cases saved before it existed; *filled: how many. */
enum rp_err service__sql_fill_due(struct rec_ctx *ctx, int64_t *filled);

/* ---- service agreements (agreements.c) ---- */

/* The counter of agreement numbers and their form: SA-000123. */
#define SVC_AGREEMENT_COUNTER "service_agreements.number"
#define SVC_AGREEMENT_PREFIX "SA-"
/* The largest entitlement (cases or hours), and reminder (days before the end). */
#define SVC_MAX_ENTITLEMENT 1000000
#define SVC_MAX_REMIND_DAYS 366
/* Agreements of one account a choice looks at, at most. */
#define SVC_AGREEMENTS_MAX 100
/* The longest product a check takes, in bytes (200 code points of a case's product). */
#define SVC_MAX_PRODUCT 800

/* The agreement that applies, what its cases used, and why it does not serve. */
struct svc_agreement_check {
    /* The agreement that applies; or, when none does, the last one that ended (NULL:
     * none, or none to show). */
    const struct rec *agreement;
    bool applies;                /* `agreement` applies (its entitlement may be used up) */
    int64_t cases;               /* live cases linked to it */
    int64_t minutes;             /* their time spent, added up */
    /* NULL, or "no_agreement", "not_covered", "expired", "inactive", "exhausted". */
    const char *warning;
};

/* Whether a list of covered products (separated by commas, semicolons or lines;
 * empty: every product) covers product, compared without surrounding blanks and the
 * case of ASCII letters. A case without a product is covered. */
bool svc_agreement_covers(struct rp_str list, struct rp_str product);
/* The day of the renewal reminder: end_date (YYYY-MM-DD) less `days`; false for a bad
 * date. */
bool svc_remind_on(struct rp_str end_date, int64_t days, char out[11]);
/* The agreement of account acc that applies on day (YYYY-MM-DD) to product (may be
 * empty), among those the context may read: an active one in force that covers it, the
 * one ending first with entitlement left (else the first, "exhausted"); or none, with
 * the reason ("not_covered", "expired" with the last one ended, "no_agreement"). */
enum rp_err service__agreement_choose(struct rec_ctx *ctx, struct rp_str acc,
                                      struct rp_str product, const char *day,
                                      struct svc_agreement_check *out);
/* What the cases of agreement a used, and why it does not serve on day, if so. */
enum rp_err service__agreement_usage(struct rec_ctx *ctx, const struct rec *a, const char *day,
                                     struct svc_agreement_check *out);
/* Hooks. A case gets its agreement on create and when its account changes (unless the
 * request names one, which must be of the case's account), and its SLA policy from it. */
enum rp_err service__validate_agreement(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err service__before_save_agreement(struct rec_ctx *ctx, struct rec *r,
                                           const struct rec *old);
enum rp_err service__after_save_agreement(struct rec_ctx *ctx, const struct rec *r,
                                          const struct rec *old);
enum rp_err service__validate_case_agreement(struct rec_ctx *ctx, struct rec *r,
                                             const struct rec *old);
/* Renewal: active agreements past their end become expired (*expired counts them), and
 * those whose remind_on has come get reminded_at and a task for their account's owner
 * (*reminded), each once, as of now_ms. */
enum rp_err service_agreements_sweep(struct rec_ctx *ctx, int64_t now_ms, int64_t *expired,
                                     int64_t *reminded);
enum rp_err service__agreements_due(struct rec_ctx *ctx);
enum rp_err service__agreements_check(struct rec_ctx *ctx, struct rp_str payload);
enum rp_err service__agreements_run(struct rec_ctx *ctx, struct rp_str payload,
                                    const atomic_bool *stop, const char **result);
unsigned service__get_agreement_check(struct api_call *c);
unsigned service__get_agreement_usage(struct api_call *c);
/* sql.c: the live cases linked to each of ids, and their time spent in minutes, visible
 * to the caller or not (one aggregate). */
enum rp_err service__sql_agreement_usage(struct rec_ctx *ctx, const char *const *ids, size_t n,
                                         int64_t *cases, int64_t *minutes);
/* sql.c: live active agreements past their end before `day` (expire), or whose
 * reminder is due on or before `day` and not yet sent (!expire), at most max. */
enum rp_err service__sql_agreements_due(struct rec_ctx *ctx, const char *day, bool expire,
                                        size_t max, struct rec **rows, size_t *n);

/* ---- cases by e-mail (case_mail.c) ---- */

/* Room for a case number (CS- and up to 12 digits), and the largest number read. */
#define SVC_CASE_NUMBER_MAX 24
#define SVC_CASE_NUMBER_LAST 999999999999LL
/* A case's and an e-mail's longest subject, and the subject of a case from a message
 * without one. */
#define SVC_MAX_SUBJECT 255
#define SVC_NO_SUBJECT "(no subject)"

/* The first case number a subject names ("Re: [CS-000123] …", "cs-123": CS- in any case
 * and digits, not inside a word) in its stored form (CS-000123): false when none. */
bool svc_case_number_parse(struct rp_str subject, char out[SVC_CASE_NUMBER_MAX]);
/* Hook on e-mails (the mail module's records): a received message of a mailbox goes on
 * the case its subject names (a case waiting on the customer moves to in progress), else
 * becomes a case of the queue fed by its mailbox; a message written on a case
 * (related_type "cases") gets the case's number in its subject. */
enum rp_err service__before_save_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old);

extern const struct msg_catalog service__messages;

#endif
