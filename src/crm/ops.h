/* Operations: the figures /healthz and /metrics report about the store. */
#ifndef RP_CRM_OPS_H
#define RP_CRM_OPS_H

#include "crm/rec.h"

struct ops_stats {
    int64_t db_bytes;
    int64_t active_sessions;
};

/* Reads the store's figures; an error means the database is not answering. */
enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out);

#endif
