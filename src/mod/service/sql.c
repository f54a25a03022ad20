/* The service module's own statements, built with the engine's query builder. */
#include "core/common.h"

#include "engine/acl.h"
#include "engine/sqlb.h"
#include "mod/service/service.h"

/* The statuses of an open case, for IN: each an index seek on (queue_id, due_at) or
 * (owner_id, due_at), where NOT IN would read every case of the agent or queue. */
#define OPEN_STATUSES \
    "('new', 'assigned', 'in_progress', 'waiting_on_customer', 'waiting_on_third_party'," \
    " 'reopened')"

enum rp_err service__sql_open_counts(struct rec_ctx *ctx, const char *const *users, size_t n,
                                     int64_t *counts)
{
    /* Every open case counts, visible to the caller or not: the load is the agent's.
     * The running counts (entity_def.counts) hold it per status: a few rows each, all
     * members in one statement. */
    for (size_t i = 0; i < n; i++)
        counts[i] = 0;
    if (n == 0)
        return RP_OK;
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT owner_id, sum(n) FROM cases__counts WHERE workspace_id = 1"
                       " AND grp IN " OPEN_STATUSES " AND owner_id IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_add(&b, "%s", i ? ", ?" : "?");
        sqlb_param(ctx, &b, store_cstr(users[i]));
    }
    sqlb_add(&b, "%s", ") GROUP BY owner_id");
    struct store_stmt *st;
    enum rp_err err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    if (err)
        return err;
    bool row = false;
    while (!(err = store_step(st, &row)) && row) {
        size_t len;
        const char *id = store_col_text(st, 0, &len);
        for (size_t i = 0; i < n; i++)
            if (strlen(users[i]) == len && memcmp(users[i], id, len) == 0)
                counts[i] = store_col_int(st, 1);
    }
    store_done(st);
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

/* One part of a worklist: the open cases with a running clock by due time (`clocked`),
 * or those without one (paused, or no policy) by age; at most max. */
static enum rp_err worklist_part(struct rec_ctx *ctx, const char *queue_id, bool clocked,
                                 size_t max, struct rec **rows, size_t *n)
{
    static const char *const OPEN[] = {"new", "assigned", "in_progress", "waiting_on_customer",
                                       "waiting_on_third_party", "reopened"};
    const struct entity_def *e = meta_need("cases");
    const char *col = queue_id ? "queue_id" : "owner_id";
    const char *who = queue_id ? queue_id : ctx->who->user_id;
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL");
    if (clocked) {
        /* A seek of (queue_id | owner_id, due_at, seq): closed cases have no due time. */
        sqlb_add(&b, " AND t.status IN " OPEN_STATUSES " AND t.%s = ?"
                     " AND t.due_at IS NOT NULL ORDER BY t.due_at, t.seq LIMIT ?", col);
        sqlb_param(ctx, &b, store_cstr(who));
    } else {
        /* Each open status's oldest max without a due time, a seek of (…, status, due_at,
         * seq) each: the closed cases, which have none either, are never read. */
        sqlb_add(&b, "%s", " AND t.seq IN (");
        for (size_t i = 0; i < RP_NELEM(OPEN); i++) {
            sqlb_add(&b, "%sSELECT seq FROM (SELECT c.seq FROM cases c WHERE c.workspace_id = 1"
                         " AND c.deleted_at IS NULL AND c.%s = ? AND c.status = ?"
                         " AND c.due_at IS NULL ORDER BY c.seq LIMIT ?) s%zu",
                     i ? " UNION ALL " : "", col, i);
            sqlb_param(ctx, &b, store_cstr(who));
            sqlb_param(ctx, &b, store_cstr(OPEN[i]));
            sqlb_param(ctx, &b, store_int((int64_t)max));
        }
        sqlb_add(&b, "%s", ") ORDER BY t.seq LIMIT ?");
    }
    sqlb_param(ctx, &b, store_int((int64_t)max));
    err = sqlb_read(ctx, &b, e, max, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    return err;
}

enum rp_err service__sql_worklist(struct rec_ctx *ctx, const char *queue_id, size_t max,
                                  struct rec **rows, size_t *n)
{
    /* Two seeks of (queue_id, due_at) or (owner_id, due_at), never a sort of every open
     * case: the earliest due first, then — only when those are fewer than max — the
     * cases without a running clock. */
    struct rec *due, *rest = NULL;
    size_t ndue, nrest = 0;
    enum rp_err err = worklist_part(ctx, queue_id, true, max, &due, &ndue);
    if (!err && ndue < max)
        err = worklist_part(ctx, queue_id, false, max - ndue, &rest, &nrest);
    if (err)
        return err;
    *rows = arena_calloc(ctx->a, ndue + nrest + 1, sizeof(**rows));
    if (ndue)
        memcpy(*rows, due, ndue * sizeof(**rows));
    if (nrest)
        memcpy(*rows + ndue, rest, nrest * sizeof(**rows));
    *n = ndue + nrest;
    return RP_OK;
}

enum rp_err service__sql_fill_due(struct rec_ctx *ctx, int64_t *filled)
{
    /* Cases saved before due_at existed: the earlier of their running due times, as
     * service__plan sets it. Only those with a due time and none filled: running again
     * changes nothing. */
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE cases SET due_at = CASE"
                                 " WHEN response_due_at IS NULL THEN resolution_due_at"
                                 " WHEN resolution_due_at IS NULL"
                                 " OR response_due_at < resolution_due_at THEN response_due_at"
                                 " ELSE resolution_due_at END"
                                 " WHERE due_at IS NULL AND (response_due_at IS NOT NULL"
                                 " OR resolution_due_at IS NOT NULL)",
                                 NULL, 0);
    *filled = err ? 0 : store_changes(ctx->conn);
    return err;
}

enum rp_err service__sql_agreement_usage(struct rec_ctx *ctx, const char *const *ids, size_t n,
                                         int64_t *cases, int64_t *minutes)
{
    /* Every live case counts, visible to the caller or not: the entitlement is the
     * customer's. One seek of the agreement's index each: with IN and GROUP BY, and no
     * statistics yet, SQLite walked every case of the workspace instead. */
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < n && !err; i++) {
        struct store_val v[] = {store_cstr(ids[i])};
        struct store_stmt *st;
        cases[i] = minutes[i] = 0;
        err = store_prepare(ctx->conn,
                            "SELECT count(*), coalesce(sum(time_spent_min), 0) FROM cases"
                            " WHERE agreement_id = ? AND workspace_id = 1"
                            " AND deleted_at IS NULL",
                            &st);
        if (err)
            break;
        bool row = false;
        err = store_bind_all(st, v, RP_NELEM(v));
        if (!err && !(err = store_step(st, &row)) && row) {
            cases[i] = store_col_int(st, 0);
            minutes[i] = store_col_int(st, 1);
        }
        store_done(st);
    }
    return err;
}

enum rp_err service__sql_agreements_due(struct rec_ctx *ctx, const char *day, bool expire,
                                        size_t max, struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("service_agreements");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                       " AND t.status = 'active'");
    if (expire) {
        sqlb_add(&b, "%s", " AND t.end_date < ?");
        sqlb_param(ctx, &b, store_cstr(day));
    } else {
        sqlb_add(&b, "%s", " AND t.reminded_at IS NULL AND t.remind_on <= ? AND t.end_date >= ?");
        sqlb_param(ctx, &b, store_cstr(day));
        sqlb_param(ctx, &b, store_cstr(day));
    }
    sqlb_add(&b, "%s", " ORDER BY t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int((int64_t)max));
    enum rp_err err = sqlb_read(ctx, &b, e, max, 0, rows, n);
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
