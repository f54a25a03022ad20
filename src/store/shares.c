#include "core/common.h"

#include "store/shares.h"
#include "store/store_int.h"

#define SHARE_COLS "id, user_id, team_id, access, created_by, created_at"

static void read_share(struct store_stmt *st, struct arena *a, struct store_share *s)
{
    const char **cols[] = {&s->id,     &s->user_id,    &s->team_id,
                           &s->access, &s->created_by, &s->created_at};
    for (size_t i = 0; i < RP_NELEM(cols); i++)
        *cols[i] = store__col_dup(st, (int)i, a);
}

enum rp_err store_share_insert(struct store_conn *c, const char *entity, const char *record_id,
                               int64_t record_seq, const struct store_share *s)
{
    struct store_val v[] = {store_cstr(s->id),         store_cstr(entity),
                            store_cstr(record_id),     store_int(record_seq),
                            store_cstr(s->user_id),    store_cstr(s->team_id),
                            store_cstr(s->access),     store_cstr(s->created_by),
                            store_cstr(s->created_at)};
    return store_exec(c,
                      "INSERT INTO record_shares(id, entity, record_id, record_seq, user_id, team_id,"
                      " access, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_share_list(struct store_conn *c, const char *entity, const char *record_id,
                             struct arena *a, struct store_share **out, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT " SHARE_COLS " FROM record_shares"
                                    " WHERE entity = ? AND record_id = ? ORDER BY seq",
                                    &st);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(entity), store_cstr(record_id)};
    err = store_bind_all(st, v, RP_NELEM(v));
    size_t cap = 8, count = 0;
    struct store_share *rows = arena_alloc(a, cap * sizeof(*rows));
    bool row = !err;
    while (row && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            rows = arena_grow(a, rows, &cap, sizeof(*rows));
        read_share(st, a, &rows[count++]);
    }
    store_done(st);
    *out = rows;
    *n = count;
    return err;
}

enum rp_err store_share_get(struct store_conn *c, const char *entity, const char *record_id,
                            const char *id, struct arena *a, struct store_share *out)
{
    struct store_val v[] = {store_cstr(entity), store_cstr(record_id), store_cstr(id)};
    struct store_stmt *st;
    enum rp_err err = store__first_row(c,
                                       "SELECT " SHARE_COLS " FROM record_shares"
                                       " WHERE entity = ? AND record_id = ? AND id = ?",
                                       v, RP_NELEM(v), &st);
    if (err)
        return err;
    read_share(st, a, out);
    store_done(st);
    return RP_OK;
}

enum rp_err store_share_delete(struct store_conn *c, const char *id)
{
    struct store_val v[] = {store_cstr(id)};
    return store_exec(c, "DELETE FROM record_shares WHERE id = ?", v, RP_NELEM(v));
}

/* "(user_id = ? OR team_id IN (?, …))" with its parameters. */
static enum rp_err who_condition(struct rp_buf *sql, const char *user_id,
                                 const char *const *teams, size_t nteams,
                                 struct store_val *params, size_t *nparams)
{
    enum rp_err err = buf_adds(sql, "(user_id = ?");
    params[(*nparams)++] = store_cstr(user_id);
    if (!err && nteams)
        err = buf_adds(sql, " OR team_id IN (");
    for (size_t i = 0; i < nteams && !err; i++) {
        err = buf_adds(sql, i ? ", ?" : "?");
        params[(*nparams)++] = store_cstr(teams[i]);
    }
    if (!err && nteams)
        err = buf_addc(sql, ')');
    return err ? err : buf_addc(sql, ')');
}

enum rp_err store_share_access(struct store_conn *c, const char *entity, const char *record_id,
                               const char *user_id, const char *const *teams, size_t nteams,
                               int *out)
{
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    struct store_val *v = calloc(nteams + 3, sizeof(*v));
    if (!v)
        return RP_ENOMEM;
    size_t n = 2;
    v[0] = store_cstr(entity);
    v[1] = store_cstr(record_id);
    enum rp_err err = buf_adds(&sql, "SELECT max(CASE access WHEN 'edit' THEN 2 ELSE 1 END)"
                                     " FROM record_shares WHERE entity = ? AND record_id = ?"
                                     " AND ");
    if (!err)
        err = who_condition(&sql, user_id, teams, nteams, v, &n);
    int64_t access = 0;
    if (!err)
        err = store_query_int(c, buf_cstr(&sql), v, n, &access);
    *out = (int)access;
    free(v);
    buf_release(&sql);
    return err;
}

enum rp_err store_share_any(struct store_conn *c, const char *entity, const char *user_id,
                            const char *const *teams, size_t nteams, bool *out)
{
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    struct store_val *v = calloc(nteams + 2, sizeof(*v));
    if (!v)
        return RP_ENOMEM;
    size_t n = 1;
    v[0] = store_cstr(entity);
    enum rp_err err = buf_adds(&sql, "SELECT count(*) FROM (SELECT 1 FROM record_shares"
                                     " WHERE entity = ? AND ");
    if (!err)
        err = who_condition(&sql, user_id, teams, nteams, v, &n);
    if (!err)
        err = buf_adds(&sql, " LIMIT 1) s");
    int64_t count = 0;
    if (!err)
        err = store_query_int(c, buf_cstr(&sql), v, n, &count);
    *out = count > 0;
    free(v);
    buf_release(&sql);
    return err;
}

enum rp_err store_share_condition(struct rp_buf *sql, const char *alias, const char *entity,
                                  const char *user_id, const char *const *teams, size_t nteams,
                                  bool edit, struct store_val *params, size_t *nparams)
{
    /* Probed per row the owner condition leaves out, by the index on (entity,
     * record_seq): no list of every share is built for each statement. */
    enum rp_err err = buf_printf(sql,
                                 "EXISTS (SELECT 1 FROM record_shares s WHERE s.entity = ?"
                                 " AND s.record_seq = %s.seq%s AND ",
                                 alias, edit ? " AND s.access = 'edit'" : "");
    params[(*nparams)++] = store_cstr(entity);
    if (!err)
        err = who_condition(sql, user_id, teams, nteams, params, nparams);
    return err ? err : buf_addc(sql, ')');
}
