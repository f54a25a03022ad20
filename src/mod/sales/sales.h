/* Sales: pipeline stages, the pipeline and forecast aggregates, lead conversion,
 * activity scheduling (conflicts, calendars) and the domain hooks of leads,
 * opportunities and activities. */
#ifndef RP_MOD_SALES_H
#define RP_MOD_SALES_H

#include "engine/rec.h"

/* Open deals at or above this probability count as "commit" in the forecast. */
#define SALES_COMMIT_PROBABILITY 80
#define SALES_COMMIT_PROBABILITY_SQL "80"
/* Activities one calendar answer may hold: a team's month fits easily. */
#define SALES_MAX_CALENDAR 2000u
/* Users one calendar request may name. */
#define SALES_MAX_CALENDAR_USERS 50u
/* Conflicting activities reported with a 409. */
#define SALES_MAX_CONFLICTS 20u
/* The longest a timed activity may last: bounds the calendar's and the conflict
 * check's index range (an activity overlapping a period starts at most this long
 * before it). */
#define SALES_MAX_ACTIVITY_DAYS 31

struct sales_stage_sum {
    const char *stage;
    const char *label;        /* NULL for a stage key no longer configured */
    int64_t sort_order;
    int64_t count;
    int64_t amount;           /* minor units */
    int64_t weighted_x100;    /* sum of amount × probability */
    int64_t weighted;         /* weighted_x100 / 100, rounded once: minor units */
};

struct sales_period {
    const char *period;       /* "YYYY-MM" */
    int64_t count;
    int64_t won;              /* closed won */
    int64_t commit;           /* won + open deals at SALES_COMMIT_PROBABILITY or more */
    int64_t best_case;        /* won + every open deal */
    int64_t weighted_x100;    /* won × 100 + open amount × probability */
    int64_t weighted;         /* weighted_x100 / 100, rounded once: minor units */
};

/* Hundredths of minor units to minor units, half away from zero. Weighted sums are
 * rounded once, at the end, so they equal the exact sum of the visible deals. */
int64_t sales_round_x100(int64_t x100);

enum sales_outcome { SALES_OPEN, SALES_WON, SALES_LOST };

/* The configured stages, to tell each stage key's outcome. */
struct sales_outcome_map {
    struct rec_page stages;
};

enum rp_err sales_outcomes(struct rec_ctx *ctx, struct sales_outcome_map *out);
/* The outcome of a stage key; a key no longer configured counts as open. */
enum sales_outcome sales_outcome_of(const struct sales_outcome_map *m, const char *stage);

/* Creates the default pipeline stages on an empty database. */
enum rp_err sales_bootstrap(struct store *s);

/* Pipeline by stage, in stage order (configured stages without deals included), for
 * the opportunities the caller may read, filtered by params like a list. */
enum rp_err sales_pipeline(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_stage_sum **rows, size_t *nrows);
/* Expected revenue by month of expected close date. */
enum rp_err sales_forecast(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_period **rows, size_t *nrows);

/* Activities of users (all the caller may read when nusers is 0) in [from, to):
 * from and to are RFC 3339 date-times. */
enum rp_err sales_calendar(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                           const struct rp_str *users, size_t nusers, struct rec **rows,
                           size_t *n);

struct sales_conversion {
    struct rp_str account_id;      /* link to this account instead of creating one */
    struct rp_str contact_id;      /* link to this contact instead of creating one */
    bool create_opportunity;
    const struct rec_input *opportunity; /* fields of the new opportunity */
    size_t nopportunity;
};

struct sales_converted {
    const char *account_id;
    const char *contact_id;
    const char *opportunity_id;  /* NULL when none was created */
};

/* Converts a lead in one transaction: creates (or links) the account and contact,
 * optionally an opportunity, and marks the lead converted. RP_ECONFLICT when it was
 * converted already. */
enum rp_err sales_convert_lead(struct rec_ctx *ctx, struct rp_str lead_id,
                               const struct sales_conversion *conv, struct sales_converted *out);

struct sales_stage_change {
    const char *at;
    const char *user_id;
    const char *from;
    const char *to;
    int64_t seconds_in_stage;  /* time spent in `from` before this change; -1 unknown */
};

/* Stage history of an opportunity, oldest first, with the time spent in each stage. */
enum rp_err sales_stage_history(struct rec_ctx *ctx, struct rp_str opportunity_id,
                                struct sales_stage_change **rows, size_t *n);

/* Won revenue counts for tiering when the deal closes within this many days. */
#define SALES_TIER_WINDOW_DAYS 365

/* Recomputes every account's tier_computed (A/B/C by the 80/15/5 Pareto rule over won
 * revenue in the last window_days), auditing each change. *changed counts accounts
 * whose tier moved. Admins and managers only when called for a user. */
enum rp_err sales_retier(struct rec_ctx *ctx, int64_t window_days, int64_t *changed);
/* Tiers are a property of all accounts together (one won deal moves the cut-offs), so
 * saving a deal only marks them stale; the server's maintenance loop calls this every
 * minute, and it retiers when a won deal changed since the last run in this process,
 * or a day has passed (the window slides). One caller thread at a time. */
enum rp_err sales_retier_if_due(struct rec_ctx *ctx, int64_t now_ms);

/* Domain hooks, called from crm/hooks.c. */
enum rp_err sales_validate_opportunity(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err sales_validate_activity(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* A lead becomes "converted" only by conversion. */
enum rp_err sales_validate_lead(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* Stage keys are snake_case identifiers. */
enum rp_err sales_validate_stage(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* RP_ECONFLICT while deals (recycle bin included) are in the stage. */
enum rp_err sales_stage_deletable(struct rec_ctx *ctx, const struct rec *stage);
/* After a deal is saved: marks the tiers stale when won revenue changed. */
enum rp_err sales_after_save_opportunity(struct rec_ctx *ctx, const struct rec *r,
                                         const struct rec *old);

#endif
