/* db.h for every backend: picks the backend from the database url and dispatches
 * through its struct store_ops. The helpers built from the primitives (exec,
 * query_int, bind_all) and the migration runner live here once. */
#include "core/common.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/text.h"
#include "store/db.h"
#include "store/store_int.h"

#define OPS(s) ((s)->ops)
#define COPS(c) ((c)->store->ops)
#define SOPS(st) ((st)->conn->store->ops)

bool store_is_postgres_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

enum rp_err store_open(const char *url, struct store **out)
{
    struct store *s = NULL;
    enum rp_err err;
    if (store_is_postgres_url(url)) {
        err = store__pg_open(url, &s);
    } else {
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        if (strstr(url, "://")) {
            LOG(LOG_ERROR, "unsupported database url: use sqlite:PATH or postgres://...");
            return RP_EINVAL;
        }
        if (!*path)
            return RP_EINVAL;
        err = store__sqlite_open(path, &s);
    }
    if (err)
        return err;
    struct store_conn *c;
    err = store_conn_get(s, &c);
    if (!err)
        err = OPS(s)->migrate(c);
    if (err) {
        store_close(s);
        return err;
    }
    *out = s;
    return RP_OK;
}

const char *store_backend(const struct store *s)
{
    return OPS(s)->name;
}

void store_close(struct store *s)
{
    if (s)
        OPS(s)->close(s);
}

enum rp_err store_conn_get(struct store *s, struct store_conn **out)
{
    return OPS(s)->conn_get(s, out);
}

void store_set_connections(struct store *s, unsigned n)
{
    if (OPS(s)->set_connections && n > 0)
        OPS(s)->set_connections(s, n);
}

enum rp_err store_open_read_replica(struct store *s, const char *url, unsigned max_lag_ms)
{
    if (!OPS(s)->open_read_replica || !store_is_postgres_url(url)) {
        LOG(LOG_ERROR, "a read replica needs PostgreSQL, for the database and the replica");
        return RP_EINVAL;
    }
    return OPS(s)->open_read_replica(s, url, max_lag_ms);
}

void store_conn_read_replica(struct store_conn *c, bool allowed)
{
    if (COPS(c)->conn_read_replica)
        COPS(c)->conn_read_replica(c, allowed);
}

enum rp_err store_status(struct store_conn *c, struct store_status *out)
{
    memset(out, 0, sizeof(*out));
    out->replica_lag_bytes = -1;
    return COPS(c)->status ? COPS(c)->status(c, out) : RP_OK;
}

void store_set_write_cache(struct store *s, unsigned kib)
{
    if (OPS(s)->set_write_cache && kib > 0)
        OPS(s)->set_write_cache(s, kib);
}

bool store_trial_begin(struct store_conn *c, uint64_t steps)
{
    return COPS(c)->trial_begin && COPS(c)->trial_begin(c, steps);
}

bool store_trial_end(struct store_conn *c)
{
    return COPS(c)->trial_end && COPS(c)->trial_end(c);
}

enum rp_err store_index_hint(struct store_conn *c, struct rp_buf *sql, const char *index)
{
    return COPS(c)->index_hint ? COPS(c)->index_hint(sql, index) : RP_OK;
}

enum rp_err store_set_statement_timeout(struct store_conn *c, unsigned ms)
{
    return COPS(c)->set_statement_timeout(c, ms);
}

enum rp_err store_size(struct store_conn *c, int64_t *bytes)
{
    return COPS(c)->size(c, bytes);
}

enum rp_err store_backup(struct store *s, const char *dest_path, int64_t *bytes)
{
    if (!OPS(s)->backup)
        return RP_EINVAL;
    return OPS(s)->backup(s, dest_path, bytes);
}

enum rp_err store_analyze(struct store_conn *c, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "ANALYZE %s", table ? table : "");
    return store__exec_script(c, sql);
}

enum rp_err store_begin(struct store_conn *c, bool write)
{
    return COPS(c)->begin(c, write);
}

enum rp_err store_commit(struct store_conn *c)
{
    return COPS(c)->commit(c);
}

void store_rollback(struct store_conn *c)
{
    COPS(c)->rollback(c);
}

enum rp_err store_savepoint(struct store_conn *c)
{
    return store__exec_script(c, "SAVEPOINT rp_work");
}

enum rp_err store_savepoint_end(struct store_conn *c, bool keep)
{
    enum rp_err err = keep ? RP_OK : store__exec_script(c, "ROLLBACK TO SAVEPOINT rp_work");
    enum rp_err rel = store__exec_script(c, "RELEASE SAVEPOINT rp_work");
    return err ? err : rel;
}

enum rp_err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    return COPS(c)->prepare(c, sql, out);
}

enum rp_err store_prepare_insert(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    const char *ret = COPS(c)->returning_seq;
    if (!*ret)
        return store_prepare(c, sql, out);
    struct rp_buf b;
    buf_init(&b, RP_MAX_SQL);
    enum rp_err err = buf_printf(&b, "%s%s", sql, ret);
    if (!err)
        err = store_prepare(c, buf_cstr(&b), out);
    buf_release(&b);
    return err;
}

enum rp_err store_step_insert(struct store_stmt *st, int64_t *seq)
{
    bool row;
    enum rp_err err = store_step(st, &row);
    if (err)
        return err;
    if (SOPS(st)->last_seq) {
        *seq = SOPS(st)->last_seq(st->conn);
        return RP_OK;
    }
    RP_ASSERT(row);
    *seq = store_col_int(st, 0);
    return RP_OK;
}

enum rp_err store_bind(struct store_stmt *st, int idx, struct store_val v)
{
    return SOPS(st)->bind(st, idx, v);
}

enum rp_err store_bind_all(struct store_stmt *st, const struct store_val *vals, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum rp_err err = store_bind(st, (int)i + 1, vals[i]);
        if (err)
            return err;
    }
    return RP_OK;
}

enum rp_err store_step(struct store_stmt *st, bool *row)
{
    return SOPS(st)->step(st, row);
}

bool store_col_null(struct store_stmt *st, int col)
{
    return SOPS(st)->col_null(st, col);
}

int64_t store_col_int(struct store_stmt *st, int col)
{
    return SOPS(st)->col_int(st, col);
}

const char *store_col_text(struct store_stmt *st, int col, size_t *len)
{
    return SOPS(st)->col_text(st, col, len);
}

void store_done(struct store_stmt *st)
{
    SOPS(st)->done(st);
}

int64_t store_changes(struct store_conn *c)
{
    return COPS(c)->changes(c);
}

enum rp_err store_exec(struct store_conn *c, const char *sql, const struct store_val *vals,
                       size_t n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    err = store_bind_all(st, vals, n);
    bool row = true;
    while (!err && row)
        err = store_step(st, &row);
    store_done(st);
    return err;
}

enum rp_err store_query_int(struct store_conn *c, const char *sql, const struct store_val *vals,
                            size_t n, int64_t *out)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    bool row = false;
    err = store_bind_all(st, vals, n);
    if (!err)
        err = store_step(st, &row);
    *out = !err && row ? store_col_int(st, 0) : 0;
    store_done(st);
    return err;
}

uint64_t store__hash_sql(const char *s)
{
    /* Eight bytes a step: statements run to hundreds of bytes and are hashed on every
     * use. Collisions only cost a string comparison. */
    size_t n = strlen(s);
    uint64_t h = 1469598103934665603ull ^ n;
    for (; n >= 8; n -= 8, s += 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    for (; n; n--, s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

const char *store__col_dup(struct store_stmt *st, int col, struct arena *a)
{
    size_t len;
    const char *p = store_col_text(st, col, &len);
    return p ? arena_strndup(a, p, len) : NULL;
}

enum rp_err store__first_row(struct store_conn *c, const char *sql, const struct store_val *vals,
                             size_t n, struct store_stmt **st)
{
    enum rp_err err = store_prepare(c, sql, st);
    if (err)
        return err;
    bool row = false;
    err = store_bind_all(*st, vals, n);
    if (!err)
        err = store_step(*st, &row);
    if (!err && !row)
        err = RP_ENOTFOUND;
    if (err)
        store_done(*st);
    return err;
}

enum rp_err store__exec_script(struct store_conn *c, const char *sql)
{
    return COPS(c)->exec_script(c, sql);
}

enum rp_err store__apply_migrations(struct store_conn *c, const char *create_sql,
                                    const struct store_migration *m, size_t n)
{
    /* Each migration runs in a write transaction, which also serialises servers that
     * start at the same time on one database. */
    for (size_t i = 0; i < n; i++) {
        enum rp_err err = store_begin(c, true);
        if (err)
            return err;
        err = store__exec_script(c, create_sql);
        struct store_stmt *st;
        bool row = false;
        if (!err)
            err = store_prepare(c, "SELECT 1 FROM schema_migrations WHERE version = ?", &st);
        if (!err) {
            err = store_bind(st, 1, store_int(m[i].version));
            if (!err)
                err = store_step(st, &row);
            store_done(st);
        }
        if (!err && !row) {
            LOG(LOG_INFO, "applying migration %d (%s)", m[i].version, m[i].name);
            err = store__exec_script(c, m[i].sql);
            char now[32];
            text_format_datetime(text_now_ms(), now, sizeof(now));
            struct store_val v[] = {store_int(m[i].version), store_cstr(m[i].name),
                                    store_cstr(now)};
            if (!err)
                err = store_exec(c,
                                 "INSERT INTO schema_migrations(version, name, applied_at)"
                                 " VALUES (?, ?, ?)",
                                 v, 3);
        }
        if (!err)
            err = store_commit(c);
        else
            store_rollback(c);
        if (err)
            return err;
    }
    return RP_OK;
}

#define VISIBILITY_COLUMNS "owner_id, workspace_id, deleted_at"

/* Appends CREATE INDEX <table>__<suffix> ON <table>(cols…) carrying `carried` (the
 * visibility columns not among cols). Two underscores: no field's own index
 * (<table>_<field>) has that name. */
static enum rp_err derived_index(struct rp_buf *sql, const char *table, const char *suffix,
                                 const char *const *cols, const char *carried, bool postgres)
{
    enum rp_err err = buf_printf(sql, "CREATE INDEX IF NOT EXISTS %s__%s ON %s(", table, suffix,
                                 table);
    for (const char *const *c = cols; *c && !err; c++)
        err = buf_printf(sql, "%s%s%s", c == cols ? "" : ", ", *c,
                         postgres ? STORE_PG_KEY_ORDER : "");
    return err ? err : buf_printf(sql, "%s%s);", postgres ? ") INCLUDE (" : ", ", carried);
}

/* Whether t declares a further index of these columns (joined by '_'). */
static bool further_index(const struct store_table *t, const char *joined)
{
    for (const char *const *const *ix = t->indexes; ix && *ix; ix++) {
        char name[128] = "";
        for (const char *const *c = *ix; *c; c++)
            snprintf(name + strlen(name), sizeof(name) - strlen(name), "%s%s",
                     c == *ix ? "" : "_", *c);
        if (strcmp(name, joined) == 0)
            return true;
    }
    return false;
}

enum rp_err store__derived_indexes(struct rp_buf *sql, const struct store_table *t, bool postgres)
{
    /* <table>_sort (the sort columns alone) made every team-scoped row of a count a
     * table read; <table>__list replaces it. */
    enum rp_err err = buf_printf(sql, "DROP INDEX IF EXISTS %s_sort;", t->name);
    if (!err && t->sort_columns && t->sort_columns[0]) {
        /* seq orders ties, as every list does. */
        const char *keys[RP_MAX_SORT_KEYS + 2] = {0};
        size_t n = 0;
        for (; t->sort_columns[n] && n < RP_MAX_SORT_KEYS; n++)
            keys[n] = t->sort_columns[n];
        keys[n] = "seq";
        err = derived_index(sql, t->name, "list", keys, VISIBILITY_COLUMNS, postgres);
        /* The first sort column (a name) and then the owner: a team's count of the
         * records of one name seeks each member's entries instead of testing every
         * entry's owner. */
        const char *const first[] = {t->sort_columns[0], "owner_id", NULL};
        bool spanned = t->span_columns && strcmp(t->span_columns[0], first[0]) == 0;
        if (!err && spanned)
            err = buf_printf(sql, "DROP INDEX IF EXISTS %s__count;", t->name);
        else if (!err)
            err = derived_index(sql, t->name, "count", first, "workspace_id, deleted_at",
                                postgres);
    }
    if (!err && t->span_columns)
        err = derived_index(sql, t->name, "span", t->span_columns, VISIBILITY_COLUMNS,
                            postgres);
    if (!err && t->totals_columns && t->totals_columns[0] && t->totals_currency) {
        /* The group, then the currency: totals per group and currency. It replaces
         * <table>__totals, made by an earlier version without the currency. */
        const char *keys[8] = {t->totals_columns[0], t->totals_currency};
        size_t n = 2;
        for (const char *const *c = t->totals_columns + 1; *c && n < RP_NELEM(keys) - 1; c++)
            keys[n++] = *c;
        err = buf_printf(sql, "DROP INDEX IF EXISTS %s__totals;", t->name);
        if (!err)
            err = derived_index(sql, t->name, "totals_cur", keys, VISIBILITY_COLUMNS, postgres);
    } else if (!err && t->totals_columns && t->totals_columns[0]) {
        err = derived_index(sql, t->name, "totals", t->totals_columns, VISIBILITY_COLUMNS,
                            postgres);
    }
    for (const char *const *const *ix = t->indexes; ix && *ix && !err; ix++) {
        char suffix[128] = "", carried[64] = "";
        for (const char *const *c = *ix; *c; c++)
            snprintf(suffix + strlen(suffix), sizeof(suffix) - strlen(suffix), "%s%s",
                     c == *ix ? "" : "_", *c);
        static const char *const VISIBILITY[] = {"owner_id", "workspace_id", "deleted_at"};
        for (size_t v = 0; v < RP_NELEM(VISIBILITY); v++) {
            bool keyed = false;
            for (const char *const *c = *ix; *c; c++)
                keyed = keyed || strcmp(*c, VISIBILITY[v]) == 0;
            if (!keyed)
                snprintf(carried + strlen(carried), sizeof(carried) - strlen(carried), "%s%s",
                         carried[0] ? ", " : "", VISIBILITY[v]);
        }
        err = derived_index(sql, t->name, suffix, *ix, carried, postgres);
        /* It serves every lookup of an index on its leading columns, which an earlier
         * version may have made: that one would only cost writes. */
        char part[128] = "";
        for (const char *const *c = *ix; !err && c[0] && c[1]; c++) {
            snprintf(part + strlen(part), sizeof(part) - strlen(part), "%s%s",
                     c == *ix ? "" : "_", *c);
            if (c != *ix && !further_index(t, part))
                err = buf_printf(sql, "DROP INDEX IF EXISTS %s__%s;", t->name, part);
        }
    }
    return err;
}

enum rp_err store__add_deleted_by(struct rp_buf *sql, const char *table, const char *have,
                                  const char *text)
{
    if (strstr(have, "\ndeleted_by\n"))
        return RP_OK;
    /* One probe of audit_log_record (entity, record_id, seq) per deleted record. */
    return buf_printf(sql,
                      "ALTER TABLE %s ADD COLUMN deleted_by %s;"
                      "UPDATE %s SET deleted_by = (SELECT a.user_id FROM audit_log a"
                      " WHERE a.entity = '%s' AND a.record_id = %s.id AND a.action = 'delete'"
                      " ORDER BY a.seq DESC LIMIT 1) WHERE deleted_at IS NOT NULL;",
                      table, text, table, table, table);
}

/* Appends tmpl with @T, @G, @V, @W and @C replaced by names[0..4]. */
static enum rp_err expand(struct rp_buf *out, const char *tmpl, const char *const names[5])
{
    enum rp_err err = RP_OK;
    for (const char *p = tmpl; *p && !err; p++) {
        const char *k = p[0] == '@' ? strchr("TGVWC", p[1]) : NULL;
        if (k && p[1]) {
            err = buf_adds(out, names[k - "TGVWC"]);
            p++;
        } else {
            err = buf_addc(out, *p);
        }
    }
    return err;
}

enum rp_err store__sync_sums(struct store_conn *c, const struct store_table *t,
                             const char *exists_sql, const char *drop, const char *ddl)
{
    const char *const *tc = t->totals_columns;
    if (!tc || !tc[0] || !tc[1] || !tc[2] || tc[3] || !t->totals_currency)
        return RP_OK;
    const char *const names[5] = {t->name, tc[0], tc[1], tc[2], t->totals_currency};
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL * 4);
    int64_t existed = 0;
    enum rp_err err = expand(&sql, exists_sql, names);
    if (!err)
        err = store_query_int(c, buf_cstr(&sql), NULL, 0, &existed);
    buf_reset(&sql);
    if (!err && !existed)
        err = expand(&sql, drop, names);
    if (!err)
        err = expand(&sql, ddl, names);
    if (!err && !existed)
        err = expand(&sql,
                     "INSERT INTO @T__sums (workspace_id, owner_id, grp, cur, n, total, weighted)"
                     " SELECT workspace_id, coalesce(owner_id, ''), coalesce(@G, ''),"
                     " coalesce(@C, ''), count(*), coalesce(sum(@V), 0),"
                     " coalesce(sum(@V * coalesce(@W, 0)), 0) FROM @T WHERE deleted_at IS NULL"
                     " GROUP BY workspace_id, coalesce(owner_id, ''), coalesce(@G, ''),"
                     " coalesce(@C, '');",
                     names);
    if (!err)
        err = store__exec_script(c, buf_cstr(&sql));
    buf_release(&sql);
    return err;
}

enum rp_err store__sync_counts(struct store_conn *c, const struct store_table *t,
                               const char *exists_sql, const char *ddl)
{
    if (!t->counts_column)
        return RP_OK;
    const char *const names[5] = {t->name, t->counts_column, NULL, NULL, NULL};
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL * 4);
    int64_t existed = 0;
    enum rp_err err = expand(&sql, exists_sql, names);
    if (!err)
        err = store_query_int(c, buf_cstr(&sql), NULL, 0, &existed);
    buf_reset(&sql);
    if (!err)
        err = expand(&sql, ddl, names);
    if (!err && !existed)
        err = expand(&sql,
                     "INSERT INTO @T__counts (workspace_id, owner_id, grp, n)"
                     " SELECT workspace_id, coalesce(owner_id, ''), coalesce(@G, ''), count(*)"
                     " FROM @T WHERE deleted_at IS NULL"
                     " GROUP BY workspace_id, coalesce(owner_id, ''), coalesce(@G, '');",
                     names);
    if (!err)
        err = store__exec_script(c, buf_cstr(&sql));
    buf_release(&sql);
    return err;
}

enum rp_err store_sync_table(struct store_conn *c, const struct store_table *t)
{
    return COPS(c)->sync_table(c, t);
}

const char *store_like_ci(const struct store *s)
{
    return OPS(s)->like_ci;
}

bool store_fts_finds_like(const struct store *s)
{
    return OPS(s)->fts_finds_like;
}

const char *store__skip_locked(const struct store *s)
{
    return OPS(s)->skip_locked;
}

enum rp_err store_team_owner_condition(const struct store *s, struct rp_buf *sql,
                                       const char *alias, const char *user_id,
                                       const char *team_ids, struct store_val *params,
                                       size_t *nparams)
{
    params[(*nparams)++] = store_cstr(user_id);
    params[(*nparams)++] = store_cstr(team_ids ? team_ids : "[]");
    /* One IN over one set, so an index that leads with the filtered field and then
     * owner_id is sought once per owner (an OR of two conditions is not). */
    return buf_printf(sql, "%s.owner_id IN (SELECT CAST(? AS TEXT) UNION ALL %s)", alias,
                      OPS(s)->team_peers_sql);
}

enum rp_err store_team_peers(struct store_conn *c, const char *team_ids, struct arena *a,
                             const char ***ids, size_t *n)
{
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT DISTINCT id FROM (%s) p", COPS(c)->team_peers_sql);
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    err = store_bind(st, 1, store_cstr(team_ids));
    size_t cap = 16, count = 0;
    const char **out = arena_alloc(a, cap * sizeof(*out));
    bool row = !err;
    while (row && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            out = arena_grow(a, out, &cap, sizeof(*out));
        out[count++] = store__col_dup(st, 0, a);
    }
    store_done(st);
    *ids = out;
    *n = count;
    return err;
}

enum rp_err store_teams_below(struct store_conn *c, const char *team_ids, struct arena *a,
                              const char **out)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, COPS(c)->teams_below_sql, &st);
    if (err)
        return err;
    err = store_bind(st, 1, store_cstr(team_ids ? team_ids : "[]"));
    bool row = false;
    if (!err)
        err = store_step(st, &row);
    *out = !err && row ? store__col_dup(st, 0, a) : NULL;
    store_done(st);
    if (!err && !*out)
        *out = "[]";
    return err;
}

enum rp_err store_json_array_has_any(const struct store *s, struct rp_buf *sql,
                                     const char *column, size_t n)
{
    return OPS(s)->json_array_has_any(sql, column, n);
}

enum rp_err store_month_of(const struct store *s, struct rp_buf *sql, const char *column)
{
    return OPS(s)->month_of(sql, column);
}

enum rp_err store_fts_put(struct store_conn *c, const char *table, int64_t seq, bool fresh,
                          const char *text, size_t len)
{
    return COPS(c)->fts_put(c, table, seq, fresh, text, len);
}

enum rp_err store_fts_delete(struct store_conn *c, const char *table, int64_t seq)
{
    return COPS(c)->fts_delete(c, table, seq);
}

enum rp_err store_fts_optimize(struct store_conn *c, const char *table)
{
    return COPS(c)->fts_optimize ? COPS(c)->fts_optimize(c, table) : RP_OK;
}

enum rp_err store_fts_matches(struct store *s, struct rp_buf *sql, const char *table,
                              const struct rp_str *terms, size_t nterms, struct arena *a,
                              struct store_val *params, size_t *nparams)
{
    return OPS(s)->fts_matches(sql, table, terms, nterms, a, params, nparams);
}
