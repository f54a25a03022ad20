/* The mail module's own statements: claiming a message for sending (one conditional
 * update, so of several servers only one gets it), counting what went to a domain in
 * the last minute (throttling), and finding messages whose job was lost. Times are
 * stored as RFC 3339 text with milliseconds, which sorts as time does. */
#include "core/common.h"

#include "core/text.h"
#include "mod/mail/inbox.h"

static void fmt(int64_t ms, char *buf)
{
    text_format_datetime(ms, buf, 32);
}

/* The ids a statement selects (its first column), at most max, in the arena. */
static enum rp_err id_list(struct rec_ctx *ctx, const char *sql, const struct store_val *v,
                           size_t nv, size_t max, const char ***ids, size_t *n)
{
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn, sql, &st);
    if (!err)
        err = store_bind_all(st, v, nv);
    *ids = arena_calloc(ctx->a, max, sizeof(**ids));
    *n = 0;
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < max) {
        size_t len;
        const char *s = store_col_text(st, 0, &len);
        (*ids)[(*n)++] = arena_strndup(ctx->a, s, len);
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err mail__sql_claim(struct rec_ctx *ctx, const char *id, const char *worker,
                            int64_t now_ms, bool *claimed)
{
    char now[32], until[32];
    fmt(now_ms, now);
    fmt(now_ms + MAIL_CLAIM_MS, until);
    struct store_val v[] = {store_cstr(worker), store_cstr(until), store_cstr(id),
                            store_cstr(now), store_cstr(now)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE emails SET claimed_by = ?, claimed_until = ?"
                                 " WHERE workspace_id = 1 AND id = ? AND deleted_at IS NULL"
                                 " AND status = 'queued'"
                                 " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                                 " AND (claimed_until IS NULL OR claimed_until < ?)",
                                 v, RP_NELEM(v));
    *claimed = !err && store_changes(ctx->conn) == 1;
    return err;
}

enum rp_err mail__sql_sent_to_domain(struct rec_ctx *ctx, const char *domain, int64_t since_ms,
                                     int64_t *n)
{
    char since[32];
    fmt(since_ms, since);
    struct store_val v[] = {store_cstr(domain), store_cstr(since)};
    return store_query_int(ctx->conn,
                           "SELECT count(*) FROM emails WHERE workspace_id = 1"
                           " AND to_domain = ? AND sent_at >= ?",
                           v, RP_NELEM(v), n);
}

enum rp_err mail__sql_overdue(struct rec_ctx *ctx, int64_t before_ms, int64_t now_ms, size_t max,
                              const char ***ids, size_t *n)
{
    char before[32], now[32];
    fmt(before_ms, before);
    fmt(now_ms, now);
    struct store_val v[] = {store_cstr(before), store_cstr(now), store_int((int64_t)max)};
    return id_list(ctx,
                   "SELECT id FROM emails WHERE workspace_id = 1"
                   " AND status = 'queued' AND deleted_at IS NULL"
                   " AND next_attempt_at < ?"
                   " AND (claimed_until IS NULL OR claimed_until < ?)"
                   " ORDER BY next_attempt_at LIMIT ?",
                   v, RP_NELEM(v), max, ids, n);
}

/* ---- reading mailboxes ---- */

enum rp_err mail__sql_claim_mailbox(struct rec_ctx *ctx, const char *id, const char *worker,
                                    int64_t now_ms, bool *claimed)
{
    char now[32], until[32];
    fmt(now_ms, now);
    fmt(now_ms + MAIL_FETCH_CLAIM_MS, until);
    struct store_val v[] = {store_cstr(worker), store_cstr(until), store_cstr(id), store_cstr(now)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE mailboxes SET claimed_by = ?, claimed_until = ?"
                                 " WHERE workspace_id = 1 AND id = ? AND deleted_at IS NULL"
                                 " AND (claimed_until IS NULL OR claimed_until < ?)",
                                 v, RP_NELEM(v));
    *claimed = !err && store_changes(ctx->conn) == 1;
    return err;
}

enum rp_err mail__sql_message_known(struct rec_ctx *ctx, const char *message_id, bool *known)
{
    struct store_val v[] = {store_cstr(message_id)};
    int64_t n = 0;
    enum rp_err err = store_query_int(ctx->conn,
                                      "SELECT count(*) FROM (SELECT 1 FROM emails"
                                      " WHERE workspace_id = 1 AND message_id = ? LIMIT 1) k",
                                      v, RP_NELEM(v), &n);
    *known = n > 0;
    return err;
}

enum rp_err mail__sql_thread_of(struct rec_ctx *ctx, const char *message_id, const char **thread_id,
                                const char **deal_id)
{
    struct store_val v[] = {store_cstr(message_id)};
    struct store_stmt *st = NULL;
    *thread_id = *deal_id = NULL;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT thread_id, deal_id FROM emails WHERE workspace_id = 1"
                                    " AND message_id = ? AND deleted_at IS NULL"
                                    " ORDER BY created_at LIMIT 1",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    if (!err && (err = store_step(st, &row)) == RP_OK && row) {
        size_t len;
        const char *s = store_col_text(st, 0, &len);
        *thread_id = s ? arena_strndup(ctx->a, s, len) : NULL;
        s = store_col_text(st, 1, &len);
        *deal_id = s ? arena_strndup(ctx->a, s, len) : NULL;
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err mail__sql_due_mailboxes(struct rec_ctx *ctx, int64_t now_ms, size_t max,
                                    const char ***ids, size_t *n)
{
    char now[32];
    fmt(now_ms, now);
    struct store_val v[] = {store_cstr(now), store_int((int64_t)max)};
    return id_list(ctx,
                   "SELECT id FROM mailboxes WHERE workspace_id = 1"
                   " AND deleted_at IS NULL AND enabled = 1 AND password_set = 1"
                   " AND (claimed_until IS NULL OR claimed_until < ?)"
                   " ORDER BY last_fetch_at LIMIT ?",
                   v, RP_NELEM(v), max, ids, n);
}

/* ---- notification e-mails (notify_mail.c) ---- */

static const char *col_dup(struct arena *a, struct store_stmt *st, int col)
{
    size_t len;
    const char *s = store_col_null(st, col) ? NULL : store_col_text(st, col, &len);
    return s ? arena_strndup(a, s, len) : NULL;
}

enum rp_err mail__sql_pending(struct rec_ctx *ctx, size_t max, struct mail__pending **out,
                              size_t *n)
{
    struct store_val v = store_int((int64_t)max);
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT n.seq, n.user_id, n.kind, n.entity, n.record_id,"
                                    " n.title, n.due_at, n.created_at,"
                                    " (SELECT coalesce(nullif(a.display_name, ''), a.username)"
                                    " FROM users a WHERE a.id = n.actor_id),"
                                    " u.email, u.locale, CASE WHEN u.active = 1 AND"
                                    " u.deleted_at IS NULL THEN 1 ELSE 0 END"
                                    " FROM notifications n LEFT JOIN users u ON u.id = n.user_id"
                                    " WHERE n.email_state = 'pending' ORDER BY n.seq LIMIT ?",
                                    &st);
    if (!err)
        err = store_bind_all(st, &v, 1);
    *out = arena_calloc(ctx->a, max ? max : 1, sizeof(**out));
    *n = 0;
    bool row = false;
    while (!err && (err = store_step(st, &row)) == RP_OK && row && *n < max) {
        struct mail__pending *p = &(*out)[(*n)++];
        p->seq = store_col_int(st, 0);
        p->user_id = col_dup(ctx->a, st, 1);
        p->kind = col_dup(ctx->a, st, 2);
        p->entity = col_dup(ctx->a, st, 3);
        p->record_id = col_dup(ctx->a, st, 4);
        p->title = col_dup(ctx->a, st, 5);
        p->due_at = col_dup(ctx->a, st, 6);
        p->created_at = col_dup(ctx->a, st, 7);
        p->actor_name = col_dup(ctx->a, st, 8);
        p->email = col_dup(ctx->a, st, 9);
        p->locale = col_dup(ctx->a, st, 10);
        p->active = store_col_int(st, 11) != 0;
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err mail__sql_notify_claim(struct rec_ctx *ctx, int64_t seq, const char *state,
                                   bool *claimed)
{
    struct store_val v[] = {store_cstr(state), store_int(seq)};
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE notifications SET email_state = ?"
                                 " WHERE seq = ? AND email_state = 'pending'",
                                 v, RP_NELEM(v));
    *claimed = !err && store_changes(ctx->conn) == 1;
    return err;
}
