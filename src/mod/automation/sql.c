/* The automation module's own statements: a change finding its subscriptions, the
 * lease a delivery job holds on a subscription (one conditional update, so of several
 * servers only one posts its deliveries), a subscription's pending deliveries in
 * order, and the outcome of attempts. Times are RFC 3339 text with milliseconds, which
 * sorts as time does. The delivery log is written here without audit rows: it is the
 * log itself (EF_LOG). */
#include "core/common.h"

#include "core/text.h"
#include "mod/automation/automation.h"

/* Subscriptions to one entity read per change at most. */
#define MAX_HOOKS 50u

static const char *fmt(struct rec_ctx *ctx, int64_t ms)
{
    return rec_datetime(ctx->a, ms);
}

static const char *col_text(struct rec_ctx *ctx, struct store_stmt *st, int i)
{
    size_t len;
    const char *s = store_col_text(st, i, &len);
    return s ? arena_strndup(ctx->a, s, len) : NULL;
}

enum rp_err au__sql_hooks_of(struct rec_ctx *ctx, const char *entity, struct au_hook **out,
                             size_t *n)
{
    struct store_val v[] = {store_cstr(entity)};
    struct store_stmt *st = NULL;
    *n = 0;
    *out = arena_calloc(ctx->a, MAX_HOOKS, sizeof(**out));
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT id, events FROM webhooks WHERE workspace_id = 1"
                                    " AND entity = ? AND deleted_at IS NULL AND active = 1"
                                    " ORDER BY seq",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < MAX_HOOKS) {
        (*out)[*n].id = col_text(ctx, st, 0);
        (*out)[*n].events = col_text(ctx, st, 1);
        (*n)++;
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err au__sql_wake(struct rec_ctx *ctx, const char *id, bool *was_set)
{
    struct store_val v[] = {store_cstr(id)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE webhooks SET wake = 1 WHERE workspace_id = 1 AND id = ?"
                                 " AND (wake IS NULL OR wake = 0)",
                                 v, RP_NELEM(v));
    *was_set = !err && store_changes(ctx->conn) == 0;
    return err;
}

enum rp_err au__sql_unwake(struct rec_ctx *ctx, const char *id)
{
    struct store_val v[] = {store_cstr(id)};
    return store_exec(ctx->conn, "UPDATE webhooks SET wake = 0 WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_claim(struct rec_ctx *ctx, const char *id, const char *worker,
                          int64_t now_ms, bool *claimed)
{
    const char *now = fmt(ctx, now_ms);
    struct store_val v[] = {store_cstr(worker), store_cstr(fmt(ctx, now_ms + AU_LEASE_MS)),
                            store_cstr(id), store_cstr(now), store_cstr(worker)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE webhooks SET lease_by = ?, lease_until = ?, wake = 0"
                                 " WHERE workspace_id = 1 AND id = ? AND deleted_at IS NULL"
                                 " AND active = 1 AND status = 'active'"
                                 " AND (lease_until IS NULL OR lease_until < ? OR lease_by = ?)",
                                 v, RP_NELEM(v));
    *claimed = !err && store_changes(ctx->conn) == 1;
    return err;
}

enum rp_err au__sql_release(struct rec_ctx *ctx, const char *id, const char *worker)
{
    struct store_val v[] = {store_cstr(id), store_cstr(worker)};
    return store_exec(ctx->conn,
                      "UPDATE webhooks SET lease_by = NULL, lease_until = NULL"
                      " WHERE workspace_id = 1 AND id = ? AND lease_by = ?",
                      v, RP_NELEM(v));
}

/* The first pending delivery's next attempt ("" for due now); *any false when none. */
static enum rp_err first_pending(struct rec_ctx *ctx, const char *id, const char **next,
                                 bool *any)
{
    struct store_val v[] = {store_cstr(id)};
    struct store_stmt *st = NULL;
    *any = false;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT coalesce(next_attempt_at, '') FROM webhook_deliveries"
                                    " WHERE workspace_id = 1 AND webhook_id = ?"
                                    " AND status = 'pending' AND deleted_at IS NULL"
                                    " ORDER BY seq LIMIT 1",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    if (!err && (err = store_step(st, any)) == RP_OK && *any)
        *next = col_text(ctx, st, 0);
    if (st)
        store_done(st);
    return err;
}

enum rp_err au__sql_wake_if_due(struct rec_ctx *ctx, const char *id, int64_t now_ms)
{
    const char *next = NULL;
    bool any;
    enum rp_err err = first_pending(ctx, id, &next, &any);
    if (!err && any && strcmp(next, fmt(ctx, now_ms)) <= 0)
        err = au__wake(ctx, id);
    return err;
}

enum rp_err au__sql_pending(struct rec_ctx *ctx, const char *webhook_id, size_t max,
                            struct au_pending **out, size_t *n)
{
    struct store_val v[] = {store_cstr(webhook_id), store_int((int64_t)max)};
    struct store_stmt *st = NULL;
    *n = 0;
    *out = arena_calloc(ctx->a, max, sizeof(**out));
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT id, event, payload, attempts, next_attempt_at"
                                    " FROM webhook_deliveries WHERE workspace_id = 1"
                                    " AND webhook_id = ? AND status = 'pending'"
                                    " AND deleted_at IS NULL ORDER BY seq LIMIT ?",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < max) {
        struct au_pending *p = &(*out)[(*n)++];
        p->id = col_text(ctx, st, 0);
        p->event = col_text(ctx, st, 1);
        p->payload = col_text(ctx, st, 2);
        if (!p->payload)
            p->payload = "";
        p->attempts = store_col_int(st, 3);
        const char *next = col_text(ctx, st, 4);
        if (next && text_parse_datetime(rp_str_c(next), &p->next_ms))
            p->next_ms = 0;
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err au__sql_attempt(struct rec_ctx *ctx, const char *id, const char *status,
                            int64_t attempts, long code, const char *answer, int64_t ms,
                            int64_t next_ms, int64_t now_ms)
{
    const char *now = fmt(ctx, now_ms);
    /* The answer is cut at AU_MAX_ANSWER bytes on a character boundary. */
    size_t len = answer ? strlen(answer) : 0;
    if (len > AU_MAX_ANSWER)
        len = AU_MAX_ANSWER;
    while (len && answer && len < strlen(answer) && ((unsigned char)answer[len] & 0xC0) == 0x80)
        len--;
    struct store_val v[] = {
        store_cstr(status),
        store_int(attempts),
        code ? store_int(code) : store_null(),
        len ? store_text(answer, len) : store_null(),
        store_int(ms),
        next_ms ? store_cstr(fmt(ctx, next_ms)) : store_null(),
        strcmp(status, "delivered") == 0 ? store_cstr(now) : store_null(),
        store_cstr(now),
        store_cstr(id),
    };
    return store_exec(ctx->conn,
                      "UPDATE webhook_deliveries SET status = ?, attempts = ?, response_code = ?,"
                      " response = ?, duration_ms = ?, next_attempt_at = ?, delivered_at = ?,"
                      " updated_at = ? WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_tally(struct rec_ctx *ctx, const char *id, long code, bool failed,
                          const char *pause, int64_t now_ms)
{
    struct store_val v[] = {
        code ? store_int(code) : store_null(),
        store_cstr(fmt(ctx, now_ms)),
        store_int(failed ? 1 : 0),
        store_int(pause ? 1 : 0),
        pause ? store_cstr(pause) : store_null(),
        store_cstr(id),
    };
    return store_exec(ctx->conn,
                      "UPDATE webhooks SET last_code = ?, last_delivery_at = ?,"
                      " failures = CASE WHEN ? = 1 THEN coalesce(failures, 0) + 1 ELSE 0 END,"
                      " status = CASE WHEN ? = 1 THEN 'paused' ELSE status END,"
                      " paused_reason = coalesce(?, paused_reason)"
                      " WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_due_hooks(struct rec_ctx *ctx, int64_t now_ms, size_t max, const char ***ids,
                              size_t *n)
{
    const char *now = fmt(ctx, now_ms);
    struct store_val v[] = {store_cstr(now), store_cstr(now), store_int((int64_t)max)};
    struct store_stmt *st = NULL;
    *n = 0;
    *ids = arena_calloc(ctx->a, max, sizeof(**ids));
    enum rp_err err = store_prepare(
        ctx->conn,
        "SELECT w.id FROM webhooks w WHERE w.workspace_id = 1 AND w.deleted_at IS NULL"
        " AND w.active = 1 AND w.status = 'active'"
        " AND (w.lease_until IS NULL OR w.lease_until < ?)"
        " AND (SELECT coalesce(d.next_attempt_at, '') FROM webhook_deliveries d"
        " WHERE d.workspace_id = 1 AND d.webhook_id = w.id AND d.status = 'pending'"
        " AND d.deleted_at IS NULL ORDER BY d.seq LIMIT 1) <= ?"
        " ORDER BY w.seq LIMIT ?",
        &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < max)
        (*ids)[(*n)++] = col_text(ctx, st, 0);
    if (st)
        store_done(st);
    return err;
}

enum rp_err au__sql_secret(struct rec_ctx *ctx, const char *id, const char *secret, int64_t now_ms)
{
    struct store_val v[] = {store_cstr(secret), store_cstr(fmt(ctx, now_ms)), store_cstr(id)};
    return store_exec(ctx->conn,
                      "UPDATE webhooks SET secret = ?, updated_at = ?, version = version + 1"
                      " WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_resume(struct rec_ctx *ctx, const char *id)
{
    struct store_val v[] = {store_cstr(id)};
    return store_exec(ctx->conn,
                      "UPDATE webhooks SET status = 'active', paused_reason = NULL, failures = 0"
                      " WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_redeliver(struct rec_ctx *ctx, const char *id, bool *changed)
{
    struct store_val v[] = {store_cstr(id)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE webhook_deliveries SET status = 'pending', attempts = 0,"
                                 " next_attempt_at = NULL WHERE workspace_id = 1 AND id = ?"
                                 " AND status = 'failed'",
                                 v, RP_NELEM(v));
    *changed = !err && store_changes(ctx->conn) == 1;
    return err;
}

enum rp_err au__sql_prune(struct rec_ctx *ctx, int64_t before_ms, int64_t *n)
{
    struct store_val v[] = {store_cstr(fmt(ctx, before_ms))};
    enum rp_err err = store_exec(ctx->conn,
                                 "DELETE FROM webhook_deliveries WHERE workspace_id = 1"
                                 " AND status <> 'pending' AND created_at < ?",
                                 v, RP_NELEM(v));
    *n = err ? 0 : store_changes(ctx->conn);
    return err;
}

/* ---- workflow rules ---- */

#define RULE_COLUMNS                                                                       \
    "id, name, entity, trigger, trigger_field, trigger_value, conditions, actions,"        \
    " offset_amount, offset_unit, offset_direction, swept_to, rr_next"

static void rule_of(struct rec_ctx *ctx, struct store_stmt *st, struct au_rule *r)
{
    r->id = col_text(ctx, st, 0);
    r->name = col_text(ctx, st, 1);
    r->entity = col_text(ctx, st, 2);
    r->trigger = col_text(ctx, st, 3);
    r->trigger_field = col_text(ctx, st, 4);
    r->trigger_value = col_text(ctx, st, 5);
    r->conditions = col_text(ctx, st, 6);
    r->actions = col_text(ctx, st, 7);
    r->offset_amount = store_col_int(st, 8);
    r->offset_unit = col_text(ctx, st, 9);
    r->offset_direction = col_text(ctx, st, 10);
    r->swept_to = col_text(ctx, st, 11);
    r->rr_next = store_col_int(st, 12);
    if (!r->trigger)
        r->trigger = "";
    if (!r->offset_unit)
        r->offset_unit = "days";
    if (!r->offset_direction)
        r->offset_direction = "before";
}

/* Rules of one entity read per change at most. */
#define MAX_RULES 100u

enum rp_err au__sql_rules_of(struct rec_ctx *ctx, const char *entity, bool timed,
                             struct au_rule **out, size_t *n)
{
    struct store_val v[] = {store_cstr(entity)};
    struct store_stmt *st = NULL;
    *n = 0;
    *out = arena_calloc(ctx->a, MAX_RULES, sizeof(**out));
    enum rp_err err = store_prepare(
        ctx->conn,
        timed ? "SELECT " RULE_COLUMNS " FROM workflows WHERE workspace_id = 1"
                " AND deleted_at IS NULL AND active = 1 AND trigger IN ('date', 'no_activity')"
                " ORDER BY seq"
              : "SELECT " RULE_COLUMNS " FROM workflows WHERE workspace_id = 1 AND entity = ?"
                " AND deleted_at IS NULL AND active = 1"
                " AND trigger NOT IN ('date', 'no_activity') ORDER BY seq",
        &st);
    if (!err && !timed)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < MAX_RULES)
        rule_of(ctx, st, &(*out)[(*n)++]);
    if (st)
        store_done(st);
    return err;
}

enum rp_err au__sql_rule(struct rec_ctx *ctx, const char *id, struct au_rule *out)
{
    struct store_val v[] = {store_cstr(id)};
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT " RULE_COLUMNS " FROM workflows WHERE workspace_id = 1"
                                    " AND id = ? AND deleted_at IS NULL",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    if (!err && (err = store_step(st, &row)) == RP_OK && row)
        rule_of(ctx, st, out);
    if (st)
        store_done(st);
    return err ? err : row ? RP_OK : RP_ENOTFOUND;
}

enum rp_err au__sql_rule_ran(struct rec_ctx *ctx, const char *id, int64_t now_ms)
{
    struct store_val v[] = {store_cstr(fmt(ctx, now_ms)), store_cstr(id)};
    return store_exec(ctx->conn,
                      "UPDATE workflows SET runs = coalesce(runs, 0) + 1, last_run_at = ?"
                      " WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_rr_next(struct rec_ctx *ctx, const char *id, int64_t next)
{
    struct store_val v[] = {store_int(next), store_cstr(id)};
    return store_exec(ctx->conn, "UPDATE workflows SET rr_next = ? WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_swept(struct rec_ctx *ctx, const char *id, int64_t to_ms)
{
    struct store_val v[] = {store_cstr(fmt(ctx, to_ms)), store_cstr(id)};
    return store_exec(ctx->conn, "UPDATE workflows SET swept_to = ? WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}

enum rp_err au__sql_run_done(struct rec_ctx *ctx, const char *id, const char *status,
                             const char *detail)
{
    struct store_val v[] = {store_cstr(status), store_cstr(detail),
                            store_cstr(fmt(ctx, text_now_ms())), store_cstr(id)};
    return store_exec(ctx->conn,
                      "UPDATE workflow_runs SET status = ?, detail = ?, updated_at = ?"
                      " WHERE workspace_id = 1 AND id = ?",
                      v, RP_NELEM(v));
}
