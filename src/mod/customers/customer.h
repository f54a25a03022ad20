/* Customer 360: the timeline of a record and the figures of the customer card. */
#ifndef RP_MOD_CUSTOMER_H
#define RP_MOD_CUSTOMER_H

#include "engine/rec.h"

/* Items one timeline page holds at most. */
#define CUSTOMER_MAX_TIMELINE 200u

enum timeline_kind { TL_ACTIVITY, TL_CHANGE, TL_CREATED };

struct timeline_item {
    enum timeline_kind kind;
    const char *at;
    const struct rec *record;              /* TL_ACTIVITY and TL_CREATED */
    const struct rec_history_row *change;  /* TL_CHANGE */
};

/* Timeline of a record of accounts, contacts, leads or opportunities, newest first:
 * activities related to it, its field changes (stage changes included) and the
 * records created under it (an account's contacts and deals, a contact's deals).
 * `before` (RFC 3339, may be empty) pages back; *next is the value for the next page
 * or NULL. RP_EINVAL (400) for other entities. */
enum rp_err customer_timeline(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                              struct rp_str before, size_t limit, struct timeline_item **items,
                              size_t *n, const char **next);

struct customer_summary {
    int64_t contacts;
    int64_t open_deals;
    int64_t open_amount;      /* minor units */
    int64_t weighted;         /* Σ open amount × probability / 100, minor units */
    int64_t won_deals;
    int64_t won_amount;
    int64_t lost_deals;
    const char *last_activity_at;  /* NULL when none */
    const char *next_activity_at;
};

/* The figures of an account's card, counting only what the caller may read. */
enum rp_err customer_summary(struct rec_ctx *ctx, struct rp_str account_id,
                             struct customer_summary *out);

#endif
