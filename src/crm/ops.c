#include "core/common.h"

#include "core/text.h"
#include "crm/ops.h"
#include "store/platform.h"

enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out)
{
    enum rp_err err = store_size(ctx->conn, &out->db_bytes);
    if (!err)
        err = store_session_count(ctx->conn, text_now_ms(), &out->active_sessions);
    return err;
}
