/* Operations: the figures /healthz and /metrics report about the store. */
#ifndef RP_CRM_OPS_H
#define RP_CRM_OPS_H

#include "crm/rec.h"

struct ops_stats {
    int64_t db_bytes;
    int64_t active_sessions;
};

/* Opens the database for serving or a sub-command: applies migrations, creates every
 * entity's table, the first admin and the default pipeline stages. auth_init() must
 * have run. Returns owned; store_close it. */
enum rp_err ops_open(const char *url, struct store **out);

/* How often `serve` runs ops_maintain. */
#define OPS_MAINTAIN_SECONDS 60

/* Background upkeep, run by one thread of `serve` between requests: recomputes the
 * account tiers when they are stale (see sales_retier_if_due). */
enum rp_err ops_maintain(struct store *s);

/* Reads the store's figures; an error means the database is not answering. */
enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out);

#endif
