#include "core/common.h"

#include "store/platform.h"
#include "store/store_int.h"

enum rp_err store_session_create(struct store_conn *c, const char *id_hash, const char *user_id,
                                 int64_t now_ms, int64_t expires_ms, const char *addr)
{
    struct store_val v[] = {store_cstr(id_hash),   store_cstr(user_id), store_int(now_ms),
                            store_int(expires_ms), store_cstr(addr),    store_int(now_ms)};
    return store_exec(c,
                      "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at,"
                      " addr, last_seen_at) VALUES (?, ?, '', ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

/* Lookups join only active, live users: a deactivated user has no principal. */
#define PRINCIPAL_COLS                                                                     \
    "u.id, u.username, u.display_name, u.role, u.team_ids, u.locale,"                      \
    " (SELECT gen FROM meta_state WHERE id = 1)"

static void read_principal(struct store_stmt *st, struct arena *a, struct store_principal *out)
{
    out->user_id = store__col_dup(st, 0, a);
    out->username = store__col_dup(st, 1, a);
    out->display_name = store__col_dup(st, 2, a);
    out->role = store__col_dup(st, 3, a);
    out->team_ids = store_col_null(st, 4) ? "[]" : store__col_dup(st, 4, a);
    out->locale = store__col_dup(st, 5, a);
    out->meta_gen = (uint64_t)store_col_int(st, 6);
}

/* Runs a principal query (PRINCIPAL_COLS then one extra column) and reads its row. */
static enum rp_err lookup_principal(struct store_conn *c, const char *sql,
                                    const struct store_val *vals, size_t n, struct arena *a,
                                    struct store_principal *out)
{
    struct store_stmt *st;
    enum rp_err err = store__first_row(c, sql, vals, n, &st);
    if (err)
        return err;
    read_principal(st, a, out);
    out->last_used_at = store__col_dup(st, 7, a);
    out->last_seen_ms = store_col_int(st, 7);
    store_done(st);
    return RP_OK;
}

enum rp_err store_user_principal(struct store_conn *c, const char *user_id, struct arena *a,
                                 struct store_principal *out)
{
    struct store_val v[] = {store_cstr(user_id)};
    enum rp_err err = lookup_principal(c,
                                       "SELECT " PRINCIPAL_COLS ", NULL FROM users u"
                                       " WHERE u.id = ? AND u.workspace_id = 1"
                                       " AND u.active = 1 AND u.deleted_at IS NULL",
                                       v, RP_NELEM(v), a, out);
    out->last_used_at = NULL;
    return err;
}

enum rp_err store_session_lookup(struct store_conn *c, const char *id_hash, int64_t now_ms,
                                 int64_t idle_since_ms, struct arena *a,
                                 struct store_principal *out)
{
    struct store_val v[] = {store_cstr(id_hash), store_int(now_ms), store_int(idle_since_ms)};
    enum rp_err err = lookup_principal(c,
                                       "SELECT " PRINCIPAL_COLS ", s.last_seen_at FROM sessions s"
                                       " JOIN users u ON u.id = s.user_id"
                                       " WHERE s.id_hash = ? AND s.expires_at > ?"
                                       " AND s.last_seen_at > ?"
                                       " AND u.active = 1 AND u.deleted_at IS NULL",
                                       v, RP_NELEM(v), a, out);
    out->last_used_at = NULL;
    return err;
}

enum rp_err store_session_touch(struct store_conn *c, const char *id_hash, int64_t now_ms)
{
    struct store_val v[] = {store_int(now_ms), store_cstr(id_hash)};
    return store_exec(c, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", v,
                      RP_NELEM(v));
}

enum rp_err store_session_delete(struct store_conn *c, const char *id_hash)
{
    struct store_val v = store_cstr(id_hash);
    return store_exec(c, "DELETE FROM sessions WHERE id_hash = ?", &v, 1);
}

enum rp_err store_session_delete_user(struct store_conn *c, const char *user_id,
                                      const char *keep_hash)
{
    struct store_val v[] = {store_cstr(user_id), store_cstr(keep_hash ? keep_hash : "")};
    return store_exec(c, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", v, 2);
}

enum rp_err store_session_purge(struct store_conn *c, int64_t now_ms, int64_t idle_since_ms,
                                int64_t window_ms, int64_t idem_ms)
{
    struct store_val v[] = {store_int(now_ms), store_int(idle_since_ms)};
    enum rp_err err = store_exec(
        c, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", v, RP_NELEM(v));
    struct store_val w = store_int(now_ms - window_ms);
    if (!err)
        err = store_exec(c, "DELETE FROM login_throttle WHERE window_start <= ?", &w, 1);
    struct store_val k = store_int(now_ms - idem_ms);
    if (!err)
        err = store_exec(c, "DELETE FROM idempotency_keys WHERE created_at <= ?", &k, 1);
    /* Alert windows are hours at most: a day of counts is plenty. */
    struct store_val d = store_int(now_ms - 86400000);
    if (!err)
        err = store_exec(c, "DELETE FROM data_access WHERE at_ms <= ?", &d, 1);
    return err;
}

enum rp_err store_data_access_add(struct store_conn *c, const char *user_id, int64_t at_ms,
                                  int64_t records, int64_t since_ms, int64_t *total)
{
    struct store_val v[] = {store_cstr(user_id), store_int(at_ms), store_int(records)};
    enum rp_err err = store_exec(c, "INSERT INTO data_access(user_id, at_ms, records)"
                                    " VALUES (?, ?, ?)",
                                 v, RP_NELEM(v));
    struct store_val w[] = {store_cstr(user_id), store_int(since_ms)};
    if (!err)
        err = store_query_int(c,
                              "SELECT coalesce(sum(records), 0) FROM data_access"
                              " WHERE user_id = ? AND at_ms >= ?",
                              w, RP_NELEM(w), total);
    return err;
}

enum rp_err store_setting_get(struct store_conn *c, const char *key, struct arena *a,
                              const char **value)
{
    struct store_val v[] = {store_cstr(key)};
    struct store_stmt *st;
    enum rp_err err =
        store__first_row(c, "SELECT value FROM settings WHERE key = ?", v, RP_NELEM(v), &st);
    *value = NULL;
    if (err == RP_ENOTFOUND)
        return RP_OK;
    if (!err) {
        *value = store__col_dup(st, 0, a);
        store_done(st);
    }
    return err;
}

enum rp_err store_setting_put(struct store_conn *c, const char *key, const char *value)
{
    struct store_val v[] = {store_cstr(key), store_cstr(value)};
    enum rp_err err = store_exec(c, "DELETE FROM settings WHERE key = ?", v, 1);
    return err ? err : store_exec(c, "INSERT INTO settings(key, value) VALUES (?, ?)", v, 2);
}

enum rp_err store_counter_next(struct store_conn *c, const char *name, int64_t *out)
{
    struct store_val v[] = {store_cstr(name)};
    return store_query_int(c,
                           "INSERT INTO counters(workspace_id, name, value) VALUES (1, ?, 1)"
                           " ON CONFLICT (workspace_id, name)"
                           " DO UPDATE SET value = counters.value + 1 RETURNING value",
                           v, RP_NELEM(v), out);
}

enum rp_err store_session_count(struct store_conn *c, int64_t now_ms, int64_t *out)
{
    struct store_val v = store_int(now_ms);
    return store_query_int(c, "SELECT count(*) FROM sessions WHERE expires_at > ?", &v, 1, out);
}

enum rp_err store_token_create(struct store_conn *c, const char *id, const char *user_id,
                               const char *name, const char *token_hash, const char *now)
{
    struct store_val v[] = {store_cstr(id), store_cstr(user_id), store_cstr(name),
                            store_cstr(token_hash), store_cstr(now)};
    return store_exec(c,
                      "INSERT INTO api_tokens(id, user_id, name, token_hash, created_at)"
                      " VALUES (?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_token_lookup(struct store_conn *c, const char *token_hash, struct arena *a,
                               struct store_principal *out)
{
    struct store_val v = store_cstr(token_hash);
    return lookup_principal(c,
                            "SELECT " PRINCIPAL_COLS ", t.last_used_at FROM api_tokens t"
                            " JOIN users u ON u.id = t.user_id"
                            " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
                            " AND u.active = 1 AND u.deleted_at IS NULL",
                            &v, 1, a, out);
}

enum rp_err store_token_touch(struct store_conn *c, const char *token_hash, const char *now)
{
    struct store_val v[] = {store_cstr(now), store_cstr(token_hash)};
    return store_exec(c, "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?", v,
                      RP_NELEM(v));
}

enum rp_err store_token_list(struct store_conn *c, const char *user_id, struct arena *a,
                             struct store_token **out, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT id, name, created_at, last_used_at, revoked_at"
                                    " FROM api_tokens WHERE user_id = ? ORDER BY seq DESC",
                                    &st);
    if (err)
        return err;
    size_t cap = 8, count = 0;
    struct store_token *t = arena_alloc(a, cap * sizeof(*t));
    bool row = false;
    err = store_bind(st, 1, store_cstr(user_id));
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            t = arena_grow(a, t, &cap, sizeof(*t));
        t[count++] = (struct store_token){store__col_dup(st, 0, a), store__col_dup(st, 1, a),
                                          store__col_dup(st, 2, a), store__col_dup(st, 3, a),
                                          store__col_dup(st, 4, a)};
    }
    store_done(st);
    *out = t;
    *n = count;
    return err;
}

enum rp_err store_token_revoke(struct store_conn *c, const char *id, const char *user_id,
                               const char *now)
{
    struct store_val v[] = {store_cstr(now), store_cstr(id), store_cstr(user_id)};
    enum rp_err err = store_exec(c,
                                 "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?)"
                                 " WHERE id = ? AND user_id = ?",
                                 v, RP_NELEM(v));
    if (!err && store_changes(c) == 0)
        err = RP_ENOTFOUND;
    return err;
}

enum rp_err store_token_revoke_user(struct store_conn *c, const char *user_id, const char *now)
{
    struct store_val v[] = {store_cstr(now), store_cstr(user_id)};
    return store_exec(c,
                      "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ?"
                      " AND revoked_at IS NULL",
                      v, RP_NELEM(v));
}

enum rp_err store_audit_add(struct store_conn *c, const struct store_audit *r)
{
    struct store_val v[] = {store_cstr(r->at),     store_cstr(r->user_id), store_cstr(r->entity),
                            store_cstr(r->record_id), store_cstr(r->action), store_cstr(r->field),
                            r->old_value,          r->new_value,         store_cstr(r->via)};
    return store_exec(c,
                      "INSERT INTO audit_log(at, user_id, entity, record_id, action, field,"
                      " old_value, new_value, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_record_purge(struct store_conn *c, const char *table, bool fts, int64_t seq,
                               const char *id)
{
    char sql[256], answer[64];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE seq = ? AND deleted_at IS NOT NULL", table);
    /* A record's answer begins with its id (api/json.c). */
    snprintf(answer, sizeof(answer), "{\"id\":\"%s\"%%", id);
    struct store_val row = store_int(seq);
    struct store_val v[] = {store_cstr(table), store_cstr(id)};
    struct store_val idem = store_cstr(answer);
    enum rp_err err = store_exec(c, sql, &row, 1);
    if (!err && store_changes(c) != 1)
        err = RP_ENOTFOUND;
    if (!err && fts)
        err = store_fts_delete(c, table, seq);
    if (!err)
        err = store_exec(c, "DELETE FROM record_shares WHERE entity = ? AND record_id = ?", v, 2);
    if (!err)
        err = store_exec(c, "DELETE FROM dedup_keys WHERE entity = ? AND record_id = ?", v, 2);
    if (!err)
        err = store_exec(c, "DELETE FROM audit_log WHERE entity = ? AND record_id = ?", v, 2);
    if (!err)
        err = store_exec(c, "DELETE FROM idempotency_keys WHERE body LIKE ?", &idem, 1);
    return err;
}

enum rp_err store_bin_ids(struct store_conn *c, const char *table, const char *before, size_t max,
                          struct arena *a, const char ***ids, size_t *n)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT id FROM %s WHERE workspace_id = 1 AND deleted_at IS NOT NULL"
             " AND deleted_at < ? ORDER BY deleted_at, seq LIMIT ?",
             table);
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    /* "~" sorts after every RFC 3339 time: no bound. */
    struct store_val v[] = {store_cstr(before ? before : "~"), store_int((int64_t)max)};
    store_bind_all(st, v, RP_NELEM(v));
    const char **out = arena_alloc(a, (max + 1) * sizeof(*out));
    size_t count = 0;
    bool row;
    while (count < max && !(err = store_step(st, &row)) && row) {
        size_t len;
        const char *id = store_col_text(st, 0, &len);
        out[count++] = arena_strndup(a, id, len);
    }
    store_done(st);
    *ids = out;
    *n = err ? 0 : count;
    return err;
}

enum rp_err store_audit_list(struct store_conn *c, const char *entity, const char *record_id,
                             int64_t before_seq, int64_t limit, struct store_stmt **out)
{
    enum rp_err err = store_prepare(c,
                                    "SELECT seq, at, user_id, action, field, old_value, new_value,"
                                    " via FROM audit_log WHERE entity = ? AND record_id = ?"
                                    " AND seq < ? ORDER BY seq DESC LIMIT ?",
                                    out);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(entity), store_cstr(record_id),
                            store_int(before_seq > 0 ? before_seq : INT64_MAX), store_int(limit)};
    err = store_bind_all(*out, v, RP_NELEM(v));
    if (err)
        store_done(*out);
    return err;
}

enum rp_err store_throttle_get(struct store_conn *c, const char *key, int64_t now_ms,
                               int64_t window_ms, int64_t *failures, int64_t *window_start)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(
        c, "SELECT failures, window_start FROM login_throttle WHERE key = ?", &st);
    if (err)
        return err;
    store_bind(st, 1, store_cstr(key));
    bool row;
    err = store_step(st, &row);
    *failures = 0;
    *window_start = now_ms;
    if (!err && row && store_col_int(st, 1) > now_ms - window_ms) {
        *failures = store_col_int(st, 0);
        *window_start = store_col_int(st, 1);
    }
    store_done(st);
    return err;
}

enum rp_err store_throttle_fail(struct store_conn *c, const char *key, int64_t now_ms,
                                int64_t window_ms)
{
    struct store_val v[] = {store_cstr(key), store_int(now_ms), store_int(now_ms - window_ms),
                            store_int(now_ms - window_ms), store_int(now_ms)};
    return store_exec(c,
                      "INSERT INTO login_throttle(key, window_start, failures) VALUES (?, ?, 1)"
                      " ON CONFLICT(key) DO UPDATE SET"
                      " failures = CASE WHEN login_throttle.window_start <= ? THEN 1"
                      " ELSE login_throttle.failures + 1 END,"
                      " window_start = CASE WHEN login_throttle.window_start <= ? THEN ?"
                      " ELSE login_throttle.window_start END",
                      v, RP_NELEM(v));
}

enum rp_err store_throttle_refund(struct store_conn *c, const char *key)
{
    struct store_val v = store_cstr(key);
    return store_exec(c,
                      "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1"
                      " ELSE 0 END WHERE key = ?",
                      &v, 1);
}

enum rp_err store_throttle_clear(struct store_conn *c, const char *key)
{
    struct store_val v = store_cstr(key);
    return store_exec(c, "DELETE FROM login_throttle WHERE key = ?", &v, 1);
}

enum rp_err store_transfer_owner(struct store_conn *c, const char *table, const char *from,
                                 const char *to, const char *now, const char *by,
                                 int64_t *moved)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit_log(at, user_id, entity, record_id, action, field, old_value,"
             " new_value) SELECT ?, ?, ?, id, 'transfer', 'owner_id', owner_id, ? FROM %s"
             " WHERE owner_id = ? AND workspace_id = 1",
             table);
    struct store_val a[] = {store_cstr(now), store_cstr(by), store_cstr(table), store_cstr(to),
                            store_cstr(from)};
    enum rp_err err = store_exec(c, sql, a, RP_NELEM(a));
    if (err)
        return err;
    snprintf(sql, sizeof(sql),
             "UPDATE %s SET owner_id = ?, version = version + 1, updated_at = ?"
             " WHERE owner_id = ? AND workspace_id = 1",
             table);
    struct store_val u[] = {store_cstr(to), store_cstr(now), store_cstr(from)};
    err = store_exec(c, sql, u, RP_NELEM(u));
    if (!err)
        *moved = store_changes(c);
    return err;
}

enum rp_err store_user_credentials(struct store_conn *c, const char *username, struct arena *a,
                                   const char **user_id, const char **hash, bool *active)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(username);
    enum rp_err err = store__first_row(c,
                                       "SELECT id, password, active FROM users WHERE username = ?"
                                       " AND workspace_id = 1 AND deleted_at IS NULL",
                                       &v, 1, &st);
    if (err)
        return err;
    *user_id = store__col_dup(st, 0, a);
    *hash = store__col_dup(st, 1, a);
    *active = store_col_int(st, 2) != 0;
    store_done(st);
    return RP_OK;
}

enum rp_err store_user_active(struct store_conn *c, const char *id, bool *active)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(id);
    enum rp_err err = store__first_row(c,
                                       "SELECT active FROM users WHERE id = ?"
                                       " AND workspace_id = 1 AND deleted_at IS NULL",
                                       &v, 1, &st);
    if (err)
        return err;
    *active = store_col_int(st, 0) != 0;
    store_done(st);
    return RP_OK;
}

enum rp_err store_team_live(struct store_conn *c, const char *id, bool *live)
{
    struct store_val v = store_cstr(id);
    int64_t n = 0;
    enum rp_err err = store_query_int(c,
                                      "SELECT count(*) FROM teams WHERE id = ?"
                                      " AND workspace_id = 1 AND deleted_at IS NULL",
                                      &v, 1, &n);
    *live = n > 0;
    return err;
}

enum rp_err store_admin_count(struct store_conn *c, int64_t *n)
{
    return store_query_int(c, "SELECT count(*) FROM users WHERE role = 'admin' OR username = 'admin'",
                           NULL, 0, n);
}

enum rp_err store_dedup_replace(struct store_conn *c, const char *entity, const char *record_id,
                                bool is_new, const char *const *kinds, const char *const *keys,
                                size_t n)
{
    struct store_val d[] = {store_cstr(entity), store_cstr(record_id)};
    enum rp_err err = is_new ? RP_OK
                             : store_exec(c, "DELETE FROM dedup_keys WHERE entity = ? AND"
                                             " record_id = ?",
                                          d, RP_NELEM(d));
    for (size_t i = 0; i < n && !err; i++) {
        struct store_val v[] = {store_cstr(entity), store_cstr(kinds[i]), store_cstr(keys[i]),
                                store_cstr(record_id)};
        err = store_exec(c,
                         "INSERT INTO dedup_keys(entity, kind, key, record_id) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT DO NOTHING",
                         v, RP_NELEM(v));
    }
    return err;
}

enum rp_err store_dedup_find(struct store_conn *c, const char *entity, const char *kind,
                             const char *key, const char *except_id, size_t max, struct arena *a,
                             const char ***ids, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT record_id FROM dedup_keys WHERE workspace_id = 1"
                                    " AND entity = ? AND kind = ? AND key = ? AND record_id <> ?"
                                    " LIMIT ?",
                                    &st);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(entity), store_cstr(kind), store_cstr(key),
                            store_cstr(except_id ? except_id : ""), store_int((int64_t)max)};
    const char **out = arena_alloc(a, (max + 1) * sizeof(*out));
    size_t count = 0;
    bool row = false;
    err = store_bind_all(st, v, RP_NELEM(v));
    while (!err && count < max && !(err = store_step(st, &row)) && row)
        out[count++] = store__col_dup(st, 0, a);
    store_done(st);
    *ids = out;
    *n = count;
    return err;
}

enum rp_err store_dedup_shared(struct store_conn *c, const char *entity, size_t max_groups,
                               struct arena *a, struct store_dedup_row **rows, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(
        c,
        "SELECT d.kind, d.key, d.record_id FROM dedup_keys d JOIN ("
        " SELECT kind, key FROM dedup_keys WHERE workspace_id = 1 AND entity = ?"
        " AND kind <> 'name3' GROUP BY kind, key HAVING count(*) > 1 ORDER BY kind, key LIMIT ?) g"
        " ON g.kind = d.kind AND g.key = d.key"
        " WHERE d.workspace_id = 1 AND d.entity = ? ORDER BY d.kind, d.key, d.record_id",
        &st);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(entity), store_int((int64_t)max_groups), store_cstr(entity)};
    size_t cap = 32, count = 0;
    struct store_dedup_row *out = arena_alloc(a, cap * sizeof(*out));
    bool row = false;
    err = store_bind_all(st, v, RP_NELEM(v));
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            out = arena_grow(a, out, &cap, sizeof(*out));
        out[count++] = (struct store_dedup_row){store__col_dup(st, 0, a), store__col_dup(st, 1, a),
                                                store__col_dup(st, 2, a)};
    }
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}

enum rp_err store_phone_keys_replace(struct store_conn *c, const char *entity,
                                     const char *record_id, bool is_new,
                                     const char *const *fields, const char *const *keys,
                                     size_t n)
{
    struct store_val d[] = {store_cstr(entity), store_cstr(record_id)};
    enum rp_err err = is_new ? RP_OK
                             : store_exec(c, "DELETE FROM phone_keys WHERE entity = ? AND"
                                             " record_id = ?",
                                          d, RP_NELEM(d));
    for (size_t i = 0; i < n && !err; i++) {
        struct store_val v[] = {store_cstr(keys[i]), store_cstr(entity), store_cstr(record_id),
                                store_cstr(fields[i])};
        err = store_exec(c,
                         "INSERT INTO phone_keys(key, entity, record_id, field) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT DO NOTHING",
                         v, RP_NELEM(v));
    }
    return err;
}

enum rp_err store_phone_keys_find(struct store_conn *c, const char *key, size_t max,
                                  struct arena *a, struct store_phone_row **rows, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT entity, record_id, field FROM phone_keys"
                                    " WHERE workspace_id = 1 AND key = ?"
                                    " ORDER BY entity, record_id, field LIMIT ?",
                                    &st);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(key), store_int((int64_t)max)};
    struct store_phone_row *out = arena_calloc(a, max + 1, sizeof(*out));
    size_t count = 0;
    bool row = false;
    err = store_bind_all(st, v, RP_NELEM(v));
    while (!err && count < max && !(err = store_step(st, &row)) && row)
        out[count++] = (struct store_phone_row){store__col_dup(st, 0, a), store__col_dup(st, 1, a),
                                                store__col_dup(st, 2, a)};
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}

enum rp_err store_phone_keys_clear(struct store_conn *c)
{
    return store_exec(c, "DELETE FROM phone_keys WHERE workspace_id = 1", NULL, 0);
}

enum rp_err store_secev_add(struct store_conn *c, const struct store_secev *r)
{
    struct store_val v[] = {store_cstr(r->at),          store_cstr(r->actor_id),
                            store_cstr(r->addr),        store_cstr(r->request_id),
                            store_cstr(r->action),      store_cstr(r->object_type),
                            store_cstr(r->object_id),   store_cstr(r->outcome),
                            store_cstr(r->detail)};
    return store_exec(c,
                      "INSERT INTO security_events(at, actor_id, addr, request_id, action,"
                      " object_type, object_id, outcome, detail)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_secev_list(struct store_conn *c, int64_t before_seq, const char *action,
                             int64_t limit, struct arena *a, struct store_secev **out,
                             size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT seq, at, actor_id, addr, request_id, action,"
                                    " object_type, object_id, outcome, detail"
                                    " FROM security_events WHERE seq < ?"
                                    " AND (CAST(? AS TEXT) IS NULL OR action = ?) ORDER BY seq DESC LIMIT ?",
                                    &st);
    if (err)
        return err;
    struct store_val v[] = {store_int(before_seq > 0 ? before_seq : INT64_MAX),
                            store_cstr(action), store_cstr(action), store_int(limit)};
    size_t cap = 16, count = 0;
    struct store_secev *rows = arena_alloc(a, cap * sizeof(*rows));
    bool row = false;
    err = store_bind_all(st, v, RP_NELEM(v));
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            rows = arena_grow(a, rows, &cap, sizeof(*rows));
        rows[count++] = (struct store_secev){store_col_int(st, 0), store__col_dup(st, 1, a),
                                             store__col_dup(st, 2, a),    store__col_dup(st, 3, a),
                                             store__col_dup(st, 4, a),    store__col_dup(st, 5, a),
                                             store__col_dup(st, 6, a),    store__col_dup(st, 7, a),
                                             store__col_dup(st, 8, a),    store__col_dup(st, 9, a)};
    }
    store_done(st);
    *out = rows;
    *n = count;
    return err;
}

enum rp_err store_idem_get(struct store_conn *c, const char *user_id, const char *key,
                           struct arena *a, struct store_idem *out)
{
    struct store_stmt *st;
    struct store_val v[] = {store_cstr(user_id), store_cstr(key)};
    enum rp_err err = store__first_row(c,
                                       "SELECT fingerprint, status, location, etag, body"
                                       " FROM idempotency_keys WHERE user_id = ? AND key = ?",
                                       v, RP_NELEM(v), &st);
    if (err)
        return err;
    *out = (struct store_idem){store__col_dup(st, 0, a), store_col_int(st, 1),
                               store__col_dup(st, 2, a), store__col_dup(st, 3, a),
                               store__col_dup(st, 4, a)};
    store_done(st);
    return RP_OK;
}

enum rp_err store_idem_put(struct store_conn *c, const char *user_id, const char *key,
                           const struct store_idem *r, int64_t now_ms)
{
    struct store_val v[] = {store_cstr(user_id),     store_cstr(key),  store_cstr(r->fingerprint),
                            store_int(r->status),    store_cstr(r->location),
                            store_cstr(r->etag),     store_cstr(r->body), store_int(now_ms)};
    return store_exec(c,
                      "INSERT INTO idempotency_keys(user_id, key, fingerprint, status, location,"
                      " etag, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}
