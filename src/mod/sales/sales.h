/* The sales module (MISSION 4): leads and their conversion, opportunities on
 * configurable pipeline stages, the pipeline and forecast, stage history, and the
 * tiering of accounts by won revenue. */
#ifndef RP_MOD_SALES_H
#define RP_MOD_SALES_H

#include "engine/module.h"

/* Open deals at or above this probability count as "commit" in the forecast. */
#define SALES_COMMIT_PROBABILITY 80
#define SALES_COMMIT_PROBABILITY_SQL "80"
/* Won revenue counts for tiering when the deal closes within this many days. */
#define SALES_TIER_WINDOW_DAYS 365

extern const struct entity_def sales__leads;
extern const struct entity_def sales__opportunities;
extern const struct entity_def sales__pipeline_stages;

extern const struct rp_module mod_sales;

/* Totals are per currency (opportunities' currency field): amounts of different
 * currencies are never added into one honest number. Each total below carries its
 * figures per currency in by_currency (ncurrencies of them, by currency code, each with
 * `currency` set), and, for clients of earlier versions, the sums of all currencies
 * at its top level (exact only when one currency is used). */
struct sales_stage_sum {
    const char *currency;     /* by_currency entries: the ISO 4217 code ("" for none) */
    struct sales_stage_sum *by_currency;
    size_t ncurrencies;
    const char *stage;
    const char *label;        /* NULL for a stage key no longer configured */
    const char *label_zh;     /* NULL when the stage has no Chinese label */
    const char *outcome;      /* open, won or lost; NULL for a stage no longer configured */
    int64_t sort_order;
    int64_t count;
    int64_t amount;           /* minor units */
    int64_t weighted_x100;    /* sum of amount × probability */
    int64_t weighted;         /* weighted_x100 / 100, rounded once: minor units */
};

struct sales_period {
    const char *currency;     /* by_currency entries: the ISO 4217 code ("" for none) */
    struct sales_period *by_currency;
    size_t ncurrencies;
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

/* Pipeline by stage, in stage order (configured stages without deals included), for
 * the opportunities the caller may read, filtered by params like a list. */
enum rp_err sales_pipeline(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_stage_sum **rows, size_t *nrows);
/* Expected revenue by month of expected close date. */
enum rp_err sales_forecast(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_period **rows, size_t *nrows);

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

/* Recomputes every account's tier_computed (A/B/C by the 80/15/5 Pareto rule over won
 * revenue in the last window_days), auditing each change. *changed counts accounts
 * whose tier moved. Admins and managers only when called for a user. */
enum rp_err sales_retier(struct rec_ctx *ctx, int64_t window_days, int64_t *changed);

/* An account's deal amounts in one currency. */
struct sales_deal_money {
    const char *currency;     /* ISO 4217 code ("" for none) */
    int64_t open_amount;      /* minor units */
    int64_t weighted;
    int64_t won_amount;
};

struct sales_account_summary {
    struct sales_deal_money *by_currency; /* ncurrencies, by currency code; none when hidden */
    size_t ncurrencies;
    int64_t contacts;
    int64_t open_deals;
    int64_t open_amount;      /* minor units */
    int64_t weighted;         /* Σ open amount × probability / 100, minor units */
    int64_t won_deals;
    int64_t won_amount;
    int64_t lost_deals;
    int64_t activities;       /* about the account, its contacts, deals and leads */
    const char *last_activity_at;  /* NULL when none */
    const char *next_activity_at;
    bool amounts_hidden;      /* the caller's role hides deals' amounts: sums are 0 */
};

/* The figures of an account's card, counting only what the caller may read. */
enum rp_err sales_account_summary(struct rec_ctx *ctx, struct rp_str account_id,
                                  struct sales_account_summary *out);

/* ---- inside the module ---- */

/* Every configured stage, in pipeline order (stages.c). */
enum rp_err sales__stages(struct rec_ctx *ctx, struct rec_page *page);
const struct rec *sales__find_stage(const struct rec_page *stages, const char *key, size_t len);
/* Hooks (module.c lists them). Tiers are a property of all accounts together (one
 * won deal moves the cut-offs), so saving a deal that changes won revenue only makes
 * the accounts.retier schedule due (sales__tiers_touched). */
enum rp_err sales__validate_opportunity(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err sales__validate_lead(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err sales__validate_stage(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err sales__stage_deletable(struct rec_ctx *ctx, const struct rec *stage);
enum rp_err sales__tiers_touched(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err sales__bootstrap(struct rec_ctx *ctx, bool interactive);
/* Whether the caller's role hides opportunities' amount or probability. */
bool sales__amounts_hidden(const struct rec_ctx *ctx);
/* sales_pipeline without the check of hidden amounts (for counts). */
enum rp_err sales__pipeline_sums(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                                 struct sales_stage_sum **rows, size_t *nrows);
enum rp_err sales__demo(struct rp_demo *d);
/* routes.c: the module's HTTP handlers (api/route.h). */
struct api_call;
unsigned sales__get_pipeline(struct api_call *c);
unsigned sales__get_forecast(struct api_call *c);
unsigned sales__post_convert(struct api_call *c);
unsigned sales__get_stages(struct api_call *c);
unsigned sales__get_summary(struct api_call *c);
unsigned sales__post_retier(struct api_call *c);
/* The accounts.retier job kind and schedule (tiers.c). */
enum rp_err sales__retier_check(struct rec_ctx *ctx, struct rp_str payload);
enum rp_err sales__retier_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                              const char **result);
enum rp_err sales__retier_due(struct rec_ctx *ctx);
/* sql.c: the statements of this module. The pipeline and the forecast answer a row per
 * stage (month) and currency, ordered by both. */
enum rp_err sales__sql_pipeline(struct rec_ctx *ctx, struct rec_query *q,
                                struct sales_stage_sum **rows, size_t *n);
enum rp_err sales__sql_forecast(struct rec_ctx *ctx, struct rec_query *q,
                                struct sales_period **rows, size_t *n);
/* Accounts whose revenue tier (Pareto over won deals closing on or after since, a
 * "YYYY-MM-DD" date) differs from the stored tier_computed: ids and new tiers. */
enum rp_err sales__sql_tier_changes(struct rec_ctx *ctx, const char *since, const char ***ids,
                                    const char ***tiers, size_t *n);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog sales__messages;

#endif
