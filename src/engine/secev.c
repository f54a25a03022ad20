#include "core/common.h"

#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/secev.h"
#include "engine/settings.h"
#include "store/platform.h"

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

/* The count and, when it crosses the threshold, the alert, in the caller's transaction. */
static enum rp_err count_access(struct rec_ctx *ctx, int64_t records)
{
    int64_t threshold, window, total;
    enum rp_err err = settings_get(ctx, "data_alert_threshold", &threshold);
    if (!err)
        err = settings_get(ctx, "data_alert_window_minutes", &window);
    if (err || threshold == 0)
        return err;
    int64_t now = text_now_ms();
    err = store_data_access_add(ctx->conn, ctx->who->user_id, now, records,
                                now - window * 60000, &total);
    /* Once per crossing: the count was below the threshold before this access. */
    if (!err && total > threshold && total - records <= threshold)
        err = secev_add(ctx, NULL, "data_alert", "user", ctx->who->user_id, "alert",
                        arena_printf(ctx->a, "records=%lld window_minutes=%lld threshold=%lld",
                                     (long long)total, (long long)window,
                                     (long long)threshold));
    return err;
}

void secev_customer_data(struct rec_ctx *ctx, const struct entity_def *e,
                         const char *record_id, int64_t records)
{
    if (!ctx->who || ctx->system || !(e->flags & EF_CUSTOMER_DATA) || records <= 0)
        return;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err) {
        if (record_id)
            err = secev_add(ctx, NULL, "record_view", e->name, record_id, "success", NULL);
        if (!err)
            err = count_access(ctx, records);
        err = rec_tx_end(ctx, err);
    }
    if (err)
        LOG(LOG_ERROR, "cannot count access to customer data: %s", rp_err_name(err));
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
