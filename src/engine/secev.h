/* The security log (issue 7 item 11): one append-only row per sign-in success or
 * failure, lockout, sign-out, password, role and team change, access denial, bulk
 * change and API-token event — time, actor, address, request id, action, object and
 * outcome. Rows never hold passwords, tokens or session ids: only ids and words. */
#ifndef RP_ENGINE_SECEV_H
#define RP_ENGINE_SECEV_H

#include "engine/rec.h"
#include "store/platform.h"

/* Appends an event inside the caller's open write transaction. actor_id NULL means
 * the caller (ctx->who), or nobody for system work. */
enum rp_err secev_add(struct rec_ctx *ctx, const char *actor_id, const char *action,
                      const char *object_type, const char *object_id, const char *outcome,
                      const char *detail);
/* Same, in a transaction of its own (for events after a rollback: denials, failures).
 * A failure to log is logged and not returned: the request's answer stands. */
void secev_log(struct rec_ctx *ctx, const char *actor_id, const char *action,
               const char *object_type, const char *object_id, const char *outcome,
               const char *detail);
/* Customer data seen (engine/meta.h, EF_CUSTOMER_DATA): a record opened by a user
 * outside its owner's team (record_id set; logged as "record_view"), or `records` of
 * them exported (record_id NULL; the export is logged by the export). Counted per
 * user; when a user's count within the settings' window passes the threshold, one
 * "data_alert" event tells administrators. Logged in a transaction of its own; a
 * failure is logged, not returned. */
void secev_customer_data(struct rec_ctx *ctx, const struct entity_def *e,
                         const char *record_id, int64_t records);
/* Events newest first, before event `before` (0: from the newest), optionally of one
 * action; administrators only (RP_EFORBIDDEN). limit 1..RP_MAX_SECURITY_EVENTS_PAGE. */
enum rp_err secev_list(struct rec_ctx *ctx, int64_t before, const char *action, int64_t limit,
                       struct store_secev **out, size_t *n);

#endif
