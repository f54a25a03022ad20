/* Customer-service reports (docs/api.md, "Service reports"): open cases by age, SLA
 * compliance, first-response and resolution times, cases by product, type and channel,
 * and the backlog over time — each one GROUP BY in the database over the cases the
 * caller may read and the list filters they give. Every date and time bucket is in UTC
 * (the stored RFC 3339 text, cut or compared).
 *
 * A case records what the reports need about its clocks when they stop (the
 * measure hook below): how long the first response and the resolution took, and
 * whether each target was missed, because the stored due times are cleared once a
 * target is met. */
#ifndef RP_MOD_SERVICE_REPORTS_H
#define RP_MOD_SERVICE_REPORTS_H

#include "engine/module.h"

/* Age buckets of open cases: below 1, 3, 7 and 30 days, and older. */
#define SVC_AGE_BUCKETS 5
/* Time buckets of first responses and resolutions: below 1, 4, 8, 24, 72 and 168
 * hours, and longer. */
#define SVC_TIME_BUCKETS 7
/* Products a breakdown names at most; the rest are summed as "other". */
#define SVC_REPORT_MAX_PRODUCTS 50
/* Days a backlog covers at most (two years). */
#define SVC_BACKLOG_MAX_DAYS 731
/* Days a backlog covers when no range is given: 30 days, or 12 weeks. */
#define SVC_BACKLOG_DAYS 30
#define SVC_BACKLOG_WEEKS 12

/* The bucket keys, in order. */
extern const char *const svc_age_buckets[SVC_AGE_BUCKETS];
extern const char *const svc_time_buckets[SVC_TIME_BUCKETS];
/* Upper bounds of the time buckets but the last, in seconds. */
extern const int64_t svc_time_bounds[SVC_TIME_BUCKETS - 1];

/* Figures of one target (first response or resolution) in one group of the SLA
 * report: done within or past the target, and still running within or past it. */
struct svc_sla_count {
    int64_t met, breached, open_in_time, open_breached;
};

struct svc_sla_row {
    const char *key;  /* queue id, owner id or "YYYY-MM"; NULL: none */
    int64_t cases;    /* every case of the group, with a target or not */
    struct svc_sla_count target[2]; /* by enum svc_target */
};

/* One distribution of the times report. */
struct svc_times {
    int64_t count;
    int64_t sum_s;
    int64_t median_s, p90_s;  /* -1 without values */
    int64_t buckets[SVC_TIME_BUCKETS];
};

/* One group of the breakdown: its key (NULL: not set), its cases and the open ones. */
struct svc_count {
    const char *key;
    int64_t total, open;
};

/* The breakdown by one dimension ("product", "type", "channel"). */
struct svc_breakdown {
    struct svc_count *rows;
    size_t n;
};

/* ---- pure arithmetic (reports.c) ---- */

/* The share met / (met + breached), in tenths of a percent rounded half up; -1 when
 * nothing was done yet. */
int64_t svc_compliance_x10(const struct svc_sla_count *c);
/* The nearest-rank percentile's rank among n sorted values (1-based): the smallest
 * rank at or below which at least pct percent of the values are. */
int64_t svc_rank(int64_t n, int pct);
/* The Monday (days since 1970-01-01) of the week of day `days`, weeks Monday to
 * Sunday. */
int64_t svc_monday(int64_t days);

/* ---- statements (reports_sql.c), over the cases q selects ---- */

/* Open cases by age bucket (of now_ms) and priority: counts[bucket][priority index],
 * the priorities those of the field (prio, nprio at most 8). */
enum rp_err service__sql_age(struct rec_ctx *ctx, struct rec_query *q, int64_t now_ms,
                             const char *const *prio, size_t nprio,
                             int64_t (*counts)[8]);
/* The SLA figures grouped by group ("queue", "owner", "month"), as of now_ms. */
enum rp_err service__sql_sla(struct rec_ctx *ctx, struct rec_query *q, const char *group,
                             int64_t now_ms, struct svc_sla_row **rows, size_t *n);
/* The distributions of first-response and resolution times: out[enum svc_target]. */
enum rp_err service__sql_times(struct rec_ctx *ctx, struct rec_query *q,
                               struct svc_times out[2]);
/* Cases by product, type and channel (each group's rows in the database's order). */
enum rp_err service__sql_breakdown(struct rec_ctx *ctx, struct rec_query *q,
                                   struct svc_breakdown *product, struct svc_breakdown *type,
                                   struct svc_breakdown *channel);
/* Cases opened and resolved per UTC day from `from` to `to` (days since 1970-01-01,
 * inclusive): opened[i], resolved[i] for day from + i; *open_before counts the cases
 * open at the start of `from`. */
enum rp_err service__sql_backlog(struct rec_ctx *ctx, struct rec_query *q, int64_t from,
                                 int64_t to, int64_t *opened, int64_t *resolved,
                                 int64_t *open_before);

/* ---- the hook and the routes (reports.c) ---- */

/* Before a case is saved, after its clocks were planned with cache: the wall-clock
 * times to its first response and to its resolution once they happened, and whether
 * each target was missed. */
struct svc_sla_cache;
enum rp_err service__measure_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old,
                                  struct svc_sla_cache *cache);

struct api_call;
unsigned service__get_age_report(struct api_call *c);
unsigned service__get_sla_report(struct api_call *c);
unsigned service__get_times_report(struct api_call *c);
unsigned service__get_breakdown_report(struct api_call *c);
unsigned service__get_backlog_report(struct api_call *c);

#endif
