#include "core/common.h"

#include "core/text.h"
#include "crm/auth.h"
#include "crm/ops.h"
#include "crm/sales.h"
#include "store/platform.h"

enum rp_err ops_open(const char *url, struct store **out)
{
    struct store *s = NULL;
    struct store_conn *c;
    enum rp_err err = store_open(url, &s);
    if (!err)
        err = store_conn_get(s, &c);
    if (!err)
        err = rec_sync_schema(c);
    if (!err)
        err = auth_bootstrap(s);
    if (!err)
        err = sales_bootstrap(s);
    if (err) {
        store_close(s);
        return err;
    }
    *out = s;
    return RP_OK;
}

enum rp_err ops_maintain(struct store *s)
{
    struct store_conn *c;
    enum rp_err err = store_conn_get(s, &c);
    if (err)
        return err;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_init(&ctx, s, c, &a, NULL);
    err = sales_retier_if_due(&ctx, text_now_ms());
    arena_release(&a);
    return err;
}

enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out)
{
    enum rp_err err = store_size(ctx->conn, &out->db_bytes);
    if (!err)
        err = store_session_count(ctx->conn, text_now_ms(), &out->active_sessions);
    return err;
}
