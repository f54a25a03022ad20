#include "core/common.h"

#include <stdio.h>

#include "store/notify.h"
#include "store/store_int.h"

#define COLS                                                                               \
    "seq, id, user_id, kind, entity, record_id, title, actor_id, created_at, due_at,"      \
    " in_app, read_at, snooze_until, email_state, fire_key,"                                \
    " (SELECT coalesce(nullif(u.display_name, ''), u.username) FROM users u"                \
    " WHERE u.id = notifications.actor_id)"

static void read_row(struct store_stmt *st, struct arena *a, struct store_notification *o)
{
    o->seq = store_col_int(st, 0);
    o->id = store__col_dup(st, 1, a);
    o->user_id = store__col_dup(st, 2, a);
    o->kind = store__col_dup(st, 3, a);
    o->entity = store__col_dup(st, 4, a);
    o->record_id = store__col_dup(st, 5, a);
    o->title = store__col_dup(st, 6, a);
    o->actor_id = store__col_dup(st, 7, a);
    o->created_at = store__col_dup(st, 8, a);
    o->due_at = store__col_dup(st, 9, a);
    o->in_app = store_col_int(st, 10) != 0;
    o->read_at = store__col_dup(st, 11, a);
    o->snooze_until = store__col_dup(st, 12, a);
    o->email_state = store__col_dup(st, 13, a);
    o->fire_key = store__col_dup(st, 14, a);
    o->actor_name = store__col_dup(st, 15, a);
}

/* Runs a query of COLS and reads up to limit rows. */
static enum rp_err read_rows(struct store_conn *c, const char *sql, const struct store_val *v,
                             size_t nv, size_t limit, struct arena *a,
                             struct store_notification **out, size_t *n)
{
    struct store_stmt *st;
    *n = 0;
    *out = arena_calloc(a, limit ? limit : 1, sizeof(**out));
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    err = store_bind_all(st, v, nv);
    bool row;
    while (!err && !(err = store_step(st, &row)) && row && *n < limit)
        read_row(st, a, &(*out)[(*n)++]);
    store_done(st);
    return err;
}

enum rp_err store_notify_add(struct store_conn *c, const struct store_notification *n,
                             bool *added)
{
    struct store_val v[] = {
        store_cstr(n->id),         store_cstr(n->user_id),     store_cstr(n->kind),
        store_cstr(n->entity),     store_cstr(n->record_id),   store_cstr(n->title),
        store_cstr(n->actor_id),   store_cstr(n->created_at),  store_cstr(n->due_at),
        store_int(n->in_app),      store_cstr(n->email_state), store_cstr(n->fire_key)};
    enum rp_err err = store_exec(c,
                                 "INSERT INTO notifications(id, user_id, kind, entity, record_id,"
                                 " title, actor_id, created_at, due_at, in_app, email_state,"
                                 " fire_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                 " ON CONFLICT DO NOTHING",
                                 v, RP_NELEM(v));
    *added = !err && store_changes(c) == 1;
    return err;
}

enum rp_err store_notify_page(struct store_conn *c, const char *user_id, int64_t before_seq,
                              size_t limit, struct arena *a, struct store_notification **out,
                              size_t *n)
{
    struct store_val v[] = {store_cstr(user_id), store_int(before_seq ? before_seq : INT64_MAX),
                            store_int((int64_t)limit)};
    return read_rows(c,
                     "SELECT " COLS " FROM notifications WHERE user_id = ? AND in_app = 1"
                     " AND seq < ? ORDER BY seq DESC LIMIT ?",
                     v, RP_NELEM(v), limit, a, out, n);
}

enum rp_err store_notify_since(struct store_conn *c, const char *user_id, int64_t after_seq,
                               size_t limit, struct arena *a, struct store_notification **out,
                               size_t *n)
{
    struct store_val v[] = {store_cstr(user_id), store_int(after_seq), store_int((int64_t)limit)};
    return read_rows(c,
                     "SELECT " COLS " FROM notifications WHERE user_id = ? AND in_app = 1"
                     " AND seq > ? ORDER BY seq LIMIT ?",
                     v, RP_NELEM(v), limit, a, out, n);
}

enum rp_err store_notify_unread(struct store_conn *c, const char *user_id, int64_t *n)
{
    struct store_val v = store_cstr(user_id);
    return store_query_int(c,
                           "SELECT count(*) FROM notifications WHERE user_id = ? AND in_app = 1"
                           " AND read_at IS NULL",
                           &v, 1, n);
}

enum rp_err store_notify_get(struct store_conn *c, const char *user_id, const char *id,
                             struct arena *a, struct store_notification *out)
{
    struct store_stmt *st;
    struct store_val v[] = {store_cstr(id), store_cstr(user_id)};
    enum rp_err err = store__first_row(c,
                                       "SELECT " COLS " FROM notifications WHERE id = ?"
                                       " AND user_id = ? AND in_app = 1",
                                       v, RP_NELEM(v), &st);
    if (err)
        return err;
    read_row(st, a, out);
    store_done(st);
    return RP_OK;
}

enum rp_err store_notify_mark_read(struct store_conn *c, int64_t seq, const char *now)
{
    struct store_val v[] = {store_cstr(now), store_int(seq)};
    return store_exec(c,
                      "UPDATE notifications SET read_at = coalesce(read_at, ?),"
                      " snooze_until = NULL WHERE seq = ?",
                      v, RP_NELEM(v));
}

enum rp_err store_notify_read_all(struct store_conn *c, const char *user_id, const char *now,
                                  int64_t *n)
{
    struct store_val v[] = {store_cstr(now), store_cstr(user_id)};
    enum rp_err err = store_exec(c,
                                 "UPDATE notifications SET read_at = ?, snooze_until = NULL"
                                 " WHERE user_id = ? AND in_app = 1 AND read_at IS NULL",
                                 v, RP_NELEM(v));
    *n = err ? 0 : store_changes(c);
    return err;
}

enum rp_err store_notify_snooze(struct store_conn *c, int64_t seq, const char *now,
                                const char *until)
{
    struct store_val v[] = {store_cstr(now), store_cstr(until), store_int(seq)};
    return store_exec(c,
                      "UPDATE notifications SET read_at = coalesce(read_at, ?),"
                      " snooze_until = ? WHERE seq = ?",
                      v, RP_NELEM(v));
}

enum rp_err store_notify_snoozed(struct store_conn *c, const char *now, size_t limit,
                                 struct arena *a, struct store_notification **out, size_t *n)
{
    struct store_val v[] = {store_cstr(now), store_int((int64_t)limit)};
    return read_rows(c,
                     "SELECT " COLS " FROM notifications WHERE snooze_until IS NOT NULL"
                     " AND snooze_until <= ? ORDER BY snooze_until LIMIT ?",
                     v, RP_NELEM(v), limit, a, out, n);
}

enum rp_err store_notify_unsnooze(struct store_conn *c, int64_t seq, bool *claimed)
{
    struct store_val v = store_int(seq);
    enum rp_err err = store_exec(c,
                                 "UPDATE notifications SET snooze_until = NULL WHERE seq = ?"
                                 " AND snooze_until IS NOT NULL",
                                 &v, 1);
    *claimed = !err && store_changes(c) == 1;
    return err;
}

enum rp_err store_notify_pref(struct store_conn *c, const char *user_id, const char *kind,
                              struct arena *a, const char **channel)
{
    struct store_stmt *st;
    struct store_val v[] = {store_cstr(user_id), store_cstr(kind)};
    enum rp_err err = store__first_row(c,
                                       "SELECT channel FROM notification_prefs WHERE"
                                       " workspace_id = 1 AND user_id = ? AND kind = ?",
                                       v, RP_NELEM(v), &st);
    if (err)
        return err;
    *channel = store__col_dup(st, 0, a);
    store_done(st);
    return RP_OK;
}

enum rp_err store_notify_pref_set(struct store_conn *c, const char *user_id, const char *kind,
                                  const char *channel)
{
    struct store_val v[] = {store_cstr(user_id), store_cstr(kind), store_cstr(channel)};
    return store_exec(c,
                      "INSERT INTO notification_prefs(workspace_id, user_id, kind, channel)"
                      " VALUES (1, ?, ?, ?) ON CONFLICT (workspace_id, user_id, kind)"
                      " DO UPDATE SET channel = excluded.channel",
                      v, RP_NELEM(v));
}

enum rp_err store_notify_after(struct store_conn *c, int64_t after_seq, size_t limit,
                               struct arena *a, int64_t **seqs, const char ***users, size_t *n)
{
    struct store_stmt *st;
    *n = 0;
    *seqs = arena_calloc(a, limit, sizeof(**seqs));
    *users = arena_calloc(a, limit, sizeof(**users));
    enum rp_err err = store_prepare(c,
                                    "SELECT seq, user_id FROM notifications WHERE seq > ?"
                                    " AND in_app = 1 ORDER BY seq LIMIT ?",
                                    &st);
    if (err)
        return err;
    store_bind(st, 1, store_int(after_seq));
    store_bind(st, 2, store_int((int64_t)limit));
    bool row;
    while (!(err = store_step(st, &row)) && row && *n < limit) {
        (*seqs)[*n] = store_col_int(st, 0);
        (*users)[(*n)++] = store__col_dup(st, 1, a);
    }
    store_done(st);
    return err;
}

enum rp_err store_notify_max_seq(struct store_conn *c, int64_t *seq)
{
    return store_query_int(c, "SELECT coalesce(max(seq), 0) FROM notifications", NULL, 0, seq);
}

enum rp_err store_notify_swept(struct store_conn *c, const char *entity, struct arena *a,
                               const char **to)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(entity);
    enum rp_err err = store__first_row(c,
                                       "SELECT swept_to FROM notify_sweeps WHERE"
                                       " workspace_id = 1 AND entity = ?",
                                       &v, 1, &st);
    if (err)
        return err;
    *to = store__col_dup(st, 0, a);
    store_done(st);
    return RP_OK;
}

enum rp_err store_notify_set_swept(struct store_conn *c, const char *entity, const char *to)
{
    struct store_val v[] = {store_cstr(entity), store_cstr(to)};
    return store_exec(c,
                      "INSERT INTO notify_sweeps(workspace_id, entity, swept_to) VALUES (1, ?, ?)"
                      " ON CONFLICT (workspace_id, entity) DO UPDATE SET swept_to ="
                      " excluded.swept_to WHERE notify_sweeps.swept_to < excluded.swept_to",
                      v, RP_NELEM(v));
}

enum rp_err store_notify_due(struct store_conn *c, const char *table, const char *field,
                             const char *title, const char *from, const char *to, size_t limit,
                             struct arena *a, struct store_due **out, size_t *n)
{
    char sql[512];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT id, owner_id, %s, %s FROM %s WHERE %s > ? AND %s <= ?"
                       " AND deleted_at IS NULL AND owner_id IS NOT NULL AND workspace_id = 1"
                       " ORDER BY %s LIMIT ?",
                       title, field, table, field, field, field);
    RP_ASSERT(len > 0 && (size_t)len < sizeof(sql));
    struct store_stmt *st;
    *n = 0;
    *out = arena_calloc(a, limit, sizeof(**out));
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    store_bind(st, 1, store_cstr(from));
    store_bind(st, 2, store_cstr(to));
    store_bind(st, 3, store_int((int64_t)limit));
    bool row;
    while (!(err = store_step(st, &row)) && row && *n < limit) {
        struct store_due *d = &(*out)[(*n)++];
        d->id = store__col_dup(st, 0, a);
        d->owner_id = store__col_dup(st, 1, a);
        d->title = store__col_dup(st, 2, a);
        d->due_at = store__col_dup(st, 3, a);
    }
    store_done(st);
    return err;
}

enum rp_err store_notify_user_id(struct store_conn *c, const char *username, struct arena *a,
                                 const char **id)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(username);
    enum rp_err err = store__first_row(c,
                                       "SELECT id FROM users WHERE username = ? AND"
                                       " workspace_id = 1 AND active = 1 AND deleted_at IS NULL",
                                       &v, 1, &st);
    if (err)
        return err;
    *id = store__col_dup(st, 0, a);
    store_done(st);
    return RP_OK;
}
