#include "core/common.h"

#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/secev.h"

enum rp_err secev_add(struct rec_ctx *ctx, const char *actor_id, const char *action,
                      const char *object_type, const char *object_id, const char *outcome,
                      const char *detail)
{
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    if (!actor_id && ctx->who)
        actor_id = ctx->who->user_id;
    struct store_secev row = {0,        now,         actor_id,  ctx->addr, ctx->request_id,
                              action,   object_type, object_id, outcome,   detail};
    return store_secev_add(ctx->conn, &row);
}

void secev_log(struct rec_ctx *ctx, const char *actor_id, const char *action,
               const char *object_type, const char *object_id, const char *outcome,
               const char *detail)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_tx_end(ctx, secev_add(ctx, actor_id, action, object_type, object_id, outcome,
                                        detail));
    if (err)
        LOG(LOG_ERROR, "cannot write security event %s: %s", action, rp_err_name(err));
}

enum rp_err secev_list(struct rec_ctx *ctx, int64_t before, const char *action, int64_t limit,
                       struct store_secev **out, size_t *n)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators read the security log");
    if (limit < 1 || limit > (int64_t)RP_MAX_SECURITY_EVENTS_PAGE)
        return rec_bad_request(ctx, "limit must be between 1 and %u",
                               RP_MAX_SECURITY_EVENTS_PAGE);
    return store_secev_list(ctx->conn, before, action, limit, ctx->a, out, n);
}
