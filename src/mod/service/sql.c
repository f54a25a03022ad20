/* The service module's own statements, built with the engine's query builder. */
#include "core/common.h"

#include "engine/acl.h"
#include "engine/sqlb.h"
#include "mod/service/service.h"

enum rp_err service__sql_open_counts(struct rec_ctx *ctx, const char *const *users, size_t n,
                                     int64_t *counts)
{
    /* Every open case counts, visible to the caller or not: the load is the agent's. */
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < n && !err; i++) {
        struct store_val v[] = {store_cstr(users[i])};
        err = store_query_int(ctx->conn,
                              "SELECT count(*) FROM cases WHERE workspace_id = 1"
                              " AND deleted_at IS NULL AND owner_id = ?"
                              " AND status NOT IN ('resolved', 'closed')",
                              v, RP_NELEM(v), &counts[i]);
    }
    return err;
}

enum rp_err service__sql_escalation_due(struct rec_ctx *ctx, const char *at, size_t max,
                                        struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("cases");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                       " AND t.escalate_at <= ? ORDER BY t.escalate_at, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_cstr(at));
    sqlb_param(ctx, &b, store_int((int64_t)max));
    enum rp_err err = sqlb_read(ctx, &b, e, max, 0, rows, n);
    sqlb_release(&b);
    return err;
}

enum rp_err service__sql_worklist(struct rec_ctx *ctx, const char *queue_id, struct rec **rows,
                                  size_t *n)
{
    const struct entity_def *e = meta_need("cases");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.status NOT IN ('resolved', 'closed')");
    if (queue_id) {
        sqlb_add(&b, "%s", " AND t.queue_id = ?");
        sqlb_param(ctx, &b, store_cstr(queue_id));
    } else {
        sqlb_add(&b, "%s", " AND t.owner_id = ?");
        sqlb_param(ctx, &b, store_cstr(ctx->who->user_id));
    }
    /* The earliest due time first; cases without one (paused, no policy) last. */
    sqlb_add(&b, "%s", " ORDER BY CASE WHEN coalesce(t.response_due_at, t.resolution_due_at)"
                       " IS NULL THEN 1 ELSE 0 END,"
                       " CASE WHEN t.response_due_at IS NULL THEN t.resolution_due_at"
                       " WHEN t.resolution_due_at IS NULL OR t.response_due_at <"
                       " t.resolution_due_at THEN t.response_due_at"
                       " ELSE t.resolution_due_at END, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int(SVC_WORKLIST_MAX));
    err = sqlb_read(ctx, &b, e, SVC_WORKLIST_MAX, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    return err;
}

enum rp_err service__sql_linked_cases(struct rec_ctx *ctx, const char *article_id,
                                      struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("cases");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    /* The index on kb_articles keeps the scan to the cases that link any article. */
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.kb_articles IS NOT NULL AND ");
    sqlb_json_list_has_any(ctx, &b, "t.kb_articles", &article_id, 1);
    sqlb_add(&b, "%s", " ORDER BY t.created_at DESC, t.seq DESC LIMIT ?");
    sqlb_param(ctx, &b, store_int(SVC_LINKED_CASES_MAX));
    err = sqlb_read(ctx, &b, e, SVC_LINKED_CASES_MAX, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    return err;
}
