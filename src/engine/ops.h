/* Operations: the figures /healthz and /metrics report about the store. */
#ifndef RP_ENGINE_OPS_H
#define RP_ENGINE_OPS_H

#include "engine/rec.h"
#include "store/copy.h"

struct ops_stats {
    int64_t db_bytes;
    int64_t active_sessions;
};

/* Opens the database for serving or a sub-command: applies migrations, creates every
 * entity's table and runs the modules' bootstraps (the first administrator, the
 * default pipeline stages; `interactive`: see struct rp_module). auth_init() must have
 * run. Returns owned; store_close it. */
enum rp_err ops_open(const char *url, bool interactive, struct store **out);

/* How often `serve` runs ops_maintain. */
#define OPS_MAINTAIN_SECONDS 60

/* Background upkeep, run by one thread of `serve` between requests: the modules'
 * scheduled tasks that are due (jobs_run_schedules). */
enum rp_err ops_maintain(struct store *s);
/* Copies the whole workspace of the database at from_url into the one at to_url,
 * which must be new or empty (its tables are created first), then verifies every
 * table by reading it back. report(arg, result) is called per table. RP_ECONFLICT:
 * the destination holds data; RP_EDB with *mismatch: a table did not verify. */
enum rp_err ops_migrate(const char *from_url, const char *to_url,
                        void (*report)(void *arg, const struct store_copy_result *r), void *arg,
                        bool *mismatch);

/* Reads the store's figures; an error means the database is not answering. */
enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out);
/* The database servers this process writes to and reads from (for /metrics; /healthz
 * leaves them out, so that a replica that does not answer never fails it). */
enum rp_err ops_db_status(struct rec_ctx *ctx, struct store_status *out);
/* Both, for the status page: administrators only (RP_EFORBIDDEN). */
enum rp_err ops_status(struct rec_ctx *ctx, struct ops_stats *st, struct store_status *db);

#endif
