/* SQLite DDL: numbered platform migrations, record tables from metadata, and the
 * full-text index (FTS5 with Rapport's bigram tokenizer).
 *
 * An embedded database holds one workspace, so its indexes do not lead with
 * workspace_id: a constant first column only blurs the planner's choice between them.
 * Unique indexes keep it, since uniqueness is per workspace. */
#include "core/common.h"

#include <stdio.h>

#include "core/log.h"
#include "core/text.h"
#include "store/db.h"
#include "store/platform.h"
#include "store/store_int.h"

/* Numbered migrations, applied in order and recorded in schema_migrations. Never edit
 * one that has shipped: add the next number. pg_schema.c keeps the same numbers. */
static const struct store_migration MIGRATIONS[] = {
    {1, "platform",
     "CREATE TABLE sessions ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " id_hash TEXT NOT NULL UNIQUE,"
     " user_id TEXT NOT NULL,"
     " csrf_token TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " expires_at INTEGER NOT NULL,"
     " addr TEXT);"
     "CREATE INDEX sessions_user ON sessions(user_id);"
     "CREATE TABLE api_tokens ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " id TEXT NOT NULL UNIQUE,"
     " user_id TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " token_hash TEXT NOT NULL UNIQUE,"
     " created_at TEXT NOT NULL,"
     " last_used_at TEXT,"
     " revoked_at TEXT);"
     "CREATE INDEX api_tokens_user ON api_tokens(user_id);"
     "CREATE TABLE audit_log ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " at TEXT NOT NULL,"
     " user_id TEXT,"
     " entity TEXT NOT NULL,"
     " record_id TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " field TEXT,"
     " old_value TEXT,"
     " new_value TEXT);"
     "CREATE INDEX audit_log_record ON audit_log(entity, record_id, seq);"
     "CREATE TABLE login_throttle ("
     " key TEXT PRIMARY KEY,"
     " window_start INTEGER NOT NULL,"
     " failures INTEGER NOT NULL) WITHOUT ROWID;"},
    {2, "duplicate keys",
     "CREATE TABLE dedup_keys ("
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " entity TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " key TEXT NOT NULL,"
     " record_id TEXT NOT NULL,"
     " PRIMARY KEY (workspace_id, entity, kind, key, record_id)) WITHOUT ROWID;"
     "CREATE INDEX dedup_keys_record ON dedup_keys(entity, record_id);"},
    {3, "session timeouts, security events, idempotency keys",
     /* The idle timeout counts from last_seen_at. CSRF tokens are now derived from the
      * session id, so the stored copies go. */
     "ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;"
     "UPDATE sessions SET last_seen_at = created_at, csrf_token = '';"
     "CREATE TABLE security_events ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " at TEXT NOT NULL,"
     " actor_id TEXT,"
     " addr TEXT,"
     " request_id TEXT,"
     " action TEXT NOT NULL,"
     " object_type TEXT,"
     " object_id TEXT,"
     " outcome TEXT NOT NULL,"
     " detail TEXT);"
     "CREATE INDEX security_events_action ON security_events(action, seq);"
     /* Append-only: no code path updates or deletes, and the database refuses to. */
     "CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events"
     " BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;"
     "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events"
     " BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;"
     "CREATE TABLE idempotency_keys ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " user_id TEXT NOT NULL,"
     " key TEXT NOT NULL,"
     " fingerprint TEXT NOT NULL,"
     " status INTEGER NOT NULL,"
     " location TEXT,"
     " etag TEXT,"
     " body TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " UNIQUE (user_id, key));"
     "CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);"},
    {4, "jobs",
     "CREATE TABLE jobs ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " id TEXT NOT NULL UNIQUE,"
     " kind TEXT NOT NULL,"
     " payload TEXT NOT NULL,"
     " state TEXT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0,"
     " run_at INTEGER NOT NULL,"
     " claimed_by TEXT,"
     " claimed_at INTEGER,"
     " finished_at INTEGER,"
     " result TEXT,"
     " created_at TEXT NOT NULL);"
     "CREATE INDEX jobs_due ON jobs(state, run_at, seq);"},
    {5, "import jobs",
     "CREATE TABLE import_jobs ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " id TEXT NOT NULL UNIQUE,"
     " user_id TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " on_duplicate TEXT NOT NULL,"
     " dry_run INTEGER NOT NULL,"
     " encoding TEXT,"
     " mapping TEXT,"
     " status TEXT NOT NULL,"
     " rows_total INTEGER NOT NULL DEFAULT 0,"
     " rows_done INTEGER NOT NULL DEFAULT 0,"
     " rows_imported INTEGER NOT NULL DEFAULT 0,"
     " rows_updated INTEGER NOT NULL DEFAULT 0,"
     " rows_skipped INTEGER NOT NULL DEFAULT 0,"
     " rows_failed INTEGER NOT NULL DEFAULT 0,"
     " error TEXT,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " body TEXT);" /* the file, hex-encoded (any bytes, either backend) */
     "CREATE INDEX import_jobs_status ON import_jobs(status, seq);"
     "CREATE TABLE import_errors ("
     " seq INTEGER PRIMARY KEY,"
     " job_id TEXT NOT NULL,"
     " line INTEGER NOT NULL,"
     " field TEXT,"
     " message TEXT NOT NULL);"
     "CREATE INDEX import_errors_job ON import_errors(job_id, seq);"},
    {6, "schedules",
     "CREATE TABLE schedules ("
     " name TEXT PRIMARY KEY,"
     " next_at INTEGER NOT NULL,"
     " last_by TEXT,"
     " last_at INTEGER);"},
    {7, "custom fields and entities, record sharing",
     /* The generation of the metadata (custom fields and entities, roles): every
      * server compares it with its own at each request (engine/custom.h). */
     "CREATE TABLE meta_state (id INTEGER PRIMARY KEY, gen INTEGER NOT NULL);"
     "INSERT INTO meta_state(id, gen) VALUES (1, 1);"
     "CREATE TABLE custom_entities ("
     " seq INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL UNIQUE,"
     " label TEXT NOT NULL,"
     " label_plural TEXT NOT NULL,"
     " label_zh TEXT,"
     " label_plural_zh TEXT,"
     " title_field TEXT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " created_by TEXT);"
     "CREATE TABLE custom_fields ("
     " seq INTEGER PRIMARY KEY,"
     " entity TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " type TEXT NOT NULL,"
     " label TEXT NOT NULL,"
     " label_zh TEXT,"
     " help TEXT,"
     " flags INTEGER NOT NULL,"
     " maxlen INTEGER,"
     " enum_values TEXT,"
     " ref_entity TEXT,"
     " def TEXT,"
     " min_value INTEGER,"
     " max_value INTEGER,"
     " created_at TEXT NOT NULL,"
     " created_by TEXT,"
     " deleted_at TEXT,"
     " drop_after TEXT);"
     "CREATE UNIQUE INDEX custom_fields_name ON custom_fields(entity, name);"
     "CREATE TABLE record_shares ("
     " seq INTEGER PRIMARY KEY,"
     " id TEXT NOT NULL UNIQUE,"
     " entity TEXT NOT NULL,"
     " record_id TEXT NOT NULL,"
     /* The record's seq: lists probe shares by it, which every index of the record
      * table carries, so a shared list is still read from its index alone. */
     " record_seq INTEGER NOT NULL,"
     " user_id TEXT,"
     " team_id TEXT,"
     " access TEXT NOT NULL,"
     " created_by TEXT,"
     " created_at TEXT NOT NULL);"
     "CREATE INDEX record_shares_record ON record_shares(entity, record_id);"
     "CREATE INDEX record_shares_seq ON record_shares(entity, record_seq);"
     "CREATE INDEX record_shares_user ON record_shares(entity, user_id);"
     "CREATE INDEX record_shares_team ON record_shares(entity, team_id);"
     /* What administrators set (engine/settings.h), and the customer records each
      * user looked at outside their team or exported, counted for alerts. */
     "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "CREATE TABLE data_access ("
     " seq INTEGER PRIMARY KEY,"
     " user_id TEXT NOT NULL,"
     " at_ms INTEGER NOT NULL,"
     " records INTEGER NOT NULL);"
     "CREATE INDEX data_access_user ON data_access(user_id, at_ms);"},
    {8, "phone keys",
     /* The E.164 key of every phone field of every record (core/phone.h): a number
      * typed any way is found in one probe of the primary key, whatever the entity.
      * Filled for the records written before by engine/phones.c at start. */
     "CREATE TABLE phone_keys ("
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " key TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " record_id TEXT NOT NULL,"
     " field TEXT NOT NULL,"
     " PRIMARY KEY (workspace_id, key, entity, record_id, field)) WITHOUT ROWID;"
     "CREATE INDEX phone_keys_record ON phone_keys(entity, record_id);"},
    {9, "import formats",
     /* The file's format (csv, xlsx, vcf), whether rows may create the records they
      * name (create_accounts), and how many they did. */
     "ALTER TABLE import_jobs ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';"
     "ALTER TABLE import_jobs ADD COLUMN create_missing INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE import_jobs ADD COLUMN refs_created INTEGER NOT NULL DEFAULT 0;"},
    {10, "counters",
     /* Named gap-free counters per workspace (engine/rec.h, rec_next_number): a case's
      * number. A row is updated inside the transaction that uses its value, so a
      * rolled-back write gives its number back. */
     "CREATE TABLE counters ("
     " workspace_id INTEGER NOT NULL,"
     " name TEXT NOT NULL,"
     " value INTEGER NOT NULL,"
     " PRIMARY KEY (workspace_id, name)) WITHOUT ROWID;"},
    {14, "notifications",
     /* Notifications (engine/notify.h): one row per recipient, written in the
      * transaction of the change that caused it. in_app: shown in the notification
      * centre; email_state 'pending': the recipient chose e-mail, for the mail module
      * to send. fire_key: a reminder's (entity, record, due time) — unique, so each
      * falls due once whatever the number of servers. */
     "CREATE TABLE notifications ("
     " seq INTEGER PRIMARY KEY,"
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " id TEXT NOT NULL UNIQUE,"
     " user_id TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " record_id TEXT NOT NULL,"
     " title TEXT NOT NULL,"
     " actor_id TEXT,"
     " created_at TEXT NOT NULL,"
     " due_at TEXT,"
     " in_app INTEGER NOT NULL,"
     " read_at TEXT,"
     " snooze_until TEXT,"
     " email_state TEXT,"
     " fire_key TEXT UNIQUE);"
     "CREATE INDEX notifications_user ON notifications(user_id, in_app, seq);"
     "CREATE INDEX notifications_unread ON notifications(user_id, in_app, read_at);"
     "CREATE INDEX notifications_snoozed ON notifications(snooze_until)"
     " WHERE snooze_until IS NOT NULL;"
     "CREATE INDEX notifications_email ON notifications(email_state)"
     " WHERE email_state IS NOT NULL;"
     "CREATE TABLE notification_prefs ("
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " user_id TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " channel TEXT NOT NULL,"
     " PRIMARY KEY (workspace_id, user_id, kind)) WITHOUT ROWID;"
     /* How far the reminder sweep has looked, per entity. */
     "CREATE TABLE notify_sweeps ("
     " workspace_id INTEGER NOT NULL DEFAULT 1,"
     " entity TEXT NOT NULL,"
     " swept_to TEXT NOT NULL,"
     " PRIMARY KEY (workspace_id, entity)) WITHOUT ROWID;"},
    {15, "audit via",
     /* What made a change on the user's behalf (a workflow rule), shown in the history
      * beside the user: NULL for the user's own changes. */
     "ALTER TABLE audit_log ADD COLUMN via TEXT;"},
};

enum rp_err store__sqlite_migrate(struct store_conn *c)
{
    return store__apply_migrations(c,
                                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version INTEGER PRIMARY KEY,"
                                   " name TEXT NOT NULL,"
                                   " applied_at TEXT NOT NULL)",
                                   MIGRATIONS, RP_NELEM(MIGRATIONS));
}

/* Names of the existing columns of a table, into a newline-separated buffer. */
static enum rp_err existing_columns(struct store_conn *c, const char *table, struct rp_buf *out)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, "SELECT name FROM pragma_table_info(?)", &st);
    if (err)
        return err;
    store_bind(st, 1, store_cstr(table));
    bool row;
    buf_addc(out, '\n');
    while (!(err = store_step(st, &row)) && row) {
        buf_adds(out, store_col_text(st, 0, NULL));
        buf_addc(out, '\n');
    }
    store_done(st);
    return err;
}

static const char *coltype(enum store_coltype t)
{
    return t == STORE_COL_INT ? "INTEGER" : "TEXT";
}

/* Running sums (db.h, totals_columns), kept by triggers. An upsert's SELECT needs its
 * WHERE clause (SQLite's parser). STRICT: a sum past the range of an integer, which
 * SQLite would turn into a floating-point number, fails the write instead. Sums made by
 * an earlier version, without the currency, are dropped with their triggers and made
 * again. */
static const char SUMS_EXISTS[] =
    "SELECT count(*) FROM pragma_table_info('@T__sums') WHERE name = 'cur'";
static const char SUMS_DROP[] =
    "DROP TRIGGER IF EXISTS @T__sums_insert; DROP TRIGGER IF EXISTS @T__sums_delete;"
    "DROP TRIGGER IF EXISTS @T__sums_update; DROP TABLE IF EXISTS @T__sums;";
static const char SUMS_DDL[] =
    "CREATE TABLE IF NOT EXISTS @T__sums ("
    " workspace_id INTEGER NOT NULL, owner_id TEXT NOT NULL, grp TEXT NOT NULL,"
    " cur TEXT NOT NULL, n INTEGER NOT NULL, total INTEGER NOT NULL,"
    " weighted INTEGER NOT NULL,"
    " PRIMARY KEY (workspace_id, owner_id, grp, cur)) STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER IF NOT EXISTS @T__sums_insert AFTER INSERT ON @T"
    " WHEN new.deleted_at IS NULL BEGIN"
    " INSERT INTO @T__sums VALUES (new.workspace_id, coalesce(new.owner_id, ''),"
    " coalesce(new.@G, ''), coalesce(new.@C, ''), 1, coalesce(new.@V, 0),"
    " coalesce(new.@V, 0) * coalesce(new.@W, 0))"
    " ON CONFLICT DO UPDATE SET n = n + 1, total = total + excluded.total,"
    " weighted = weighted + excluded.weighted; END;"
    "CREATE TRIGGER IF NOT EXISTS @T__sums_delete AFTER DELETE ON @T"
    " WHEN old.deleted_at IS NULL BEGIN"
    " UPDATE @T__sums SET n = n - 1, total = total - coalesce(old.@V, 0),"
    " weighted = weighted - coalesce(old.@V, 0) * coalesce(old.@W, 0)"
    " WHERE workspace_id = old.workspace_id AND owner_id = coalesce(old.owner_id, '')"
    " AND grp = coalesce(old.@G, '') AND cur = coalesce(old.@C, ''); END;"
    "CREATE TRIGGER IF NOT EXISTS @T__sums_update"
    " AFTER UPDATE OF workspace_id, owner_id, deleted_at, @G, @C, @V, @W ON @T BEGIN"
    " UPDATE @T__sums SET n = n - 1, total = total - coalesce(old.@V, 0),"
    " weighted = weighted - coalesce(old.@V, 0) * coalesce(old.@W, 0)"
    " WHERE old.deleted_at IS NULL AND workspace_id = old.workspace_id"
    " AND owner_id = coalesce(old.owner_id, '') AND grp = coalesce(old.@G, '')"
    " AND cur = coalesce(old.@C, '');"
    " INSERT INTO @T__sums SELECT new.workspace_id, coalesce(new.owner_id, ''),"
    " coalesce(new.@G, ''), coalesce(new.@C, ''), 1, coalesce(new.@V, 0),"
    " coalesce(new.@V, 0) * coalesce(new.@W, 0)"
    " WHERE new.deleted_at IS NULL"
    " ON CONFLICT DO UPDATE SET n = n + 1, total = total + excluded.total,"
    " weighted = weighted + excluded.weighted; END;";

/* Running counts (db.h, counts_column), kept by triggers as the sums are. */
static const char COUNTS_EXISTS[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '@T__counts'";
static const char COUNTS_DDL[] =
    "CREATE TABLE IF NOT EXISTS @T__counts ("
    " workspace_id INTEGER NOT NULL, owner_id TEXT NOT NULL, grp TEXT NOT NULL,"
    " n INTEGER NOT NULL, PRIMARY KEY (workspace_id, owner_id, grp)) STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER IF NOT EXISTS @T__counts_insert AFTER INSERT ON @T"
    " WHEN new.deleted_at IS NULL BEGIN"
    " INSERT INTO @T__counts VALUES (new.workspace_id, coalesce(new.owner_id, ''),"
    " coalesce(new.@G, ''), 1) ON CONFLICT DO UPDATE SET n = n + 1; END;"
    "CREATE TRIGGER IF NOT EXISTS @T__counts_delete AFTER DELETE ON @T"
    " WHEN old.deleted_at IS NULL BEGIN"
    " UPDATE @T__counts SET n = n - 1 WHERE workspace_id = old.workspace_id"
    " AND owner_id = coalesce(old.owner_id, '') AND grp = coalesce(old.@G, ''); END;"
    "CREATE TRIGGER IF NOT EXISTS @T__counts_update"
    " AFTER UPDATE OF workspace_id, owner_id, deleted_at, @G ON @T BEGIN"
    " UPDATE @T__counts SET n = n - 1 WHERE old.deleted_at IS NULL"
    " AND workspace_id = old.workspace_id AND owner_id = coalesce(old.owner_id, '')"
    " AND grp = coalesce(old.@G, '');"
    " INSERT INTO @T__counts SELECT new.workspace_id, coalesce(new.owner_id, ''),"
    " coalesce(new.@G, ''), 1 WHERE new.deleted_at IS NULL"
    " ON CONFLICT DO UPDATE SET n = n + 1; END;";

/* Statistics for the indexes of a table the planner has statistics for, made since
 * (by this version, at start): without them it takes a new index for the best, and a
 * rep's contacts sorted by title walked all of contacts__title_seq (100 ms) instead of
 * seeking the rep's 40,000 and sorting them. */
static enum rp_err analyze_new_indexes(struct store_conn *c, const char *table)
{
    struct store_val v[] = {store_cstr(table)};
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(c,
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1"
                        " AND EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = ?1)"
                        " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE tbl = ?1"
                        " AND idx IS NOT NULL)",
                        &st);
    if (!err)
        err = store_bind_all(st, v, 1);
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    bool row = !err;
    while (row && !(err = store_step(st, &row)) && row)
        err = buf_printf(&sql, "ANALYZE %s;", store_col_text(st, 0, NULL));
    if (st)
        store_done(st);
    if (!err && sql.len) {
        /* From a sample of each index (analysis_limit): a full ANALYZE of the new
         * indexes of the benchmark's data took minutes; the planner needs proportions. */
        LOG(LOG_INFO, "statistics for new indexes: %s", buf_cstr(&sql));
        err = store__exec_script(c, "PRAGMA analysis_limit = 2000");
        if (!err)
            err = store__exec_script(c, buf_cstr(&sql));
        enum rp_err reset = store__exec_script(c, "PRAGMA analysis_limit = 0");
        err = err ? err : reset;
    }
    buf_release(&sql);
    return err;
}

/* ANALYZE counts a column's NULLs as one of its values: at a million contacts none of
 * which reports to anyone, contacts_reports_to_id says a million rows a value, and
 * SQLite never seeks it for reports_to_id = ?: a contact's page listed the contacts
 * reporting to it by reading the team's 250,000 (300 ms). For an index of table whose
 * first column the statistics say has two values or fewer over at least a thousand
 * rows, the NULLs are counted through the index; when they are most of the rows, the
 * statistics say how many rows a non-NULL value has instead (a column of truly few
 * values keeps its figure). Each start looks again, as SQLite's own PRAGMA optimize
 * may have analysed the table anew. */
static enum rp_err null_heavy_statistics(struct store_conn *c, const char *table)
{
    struct store_val v[] = {store_cstr(table)};
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(
        c,
        "SELECT s.idx, s.stat, i.name FROM sqlite_stat1 s, pragma_index_info(s.idx) i"
        " WHERE s.tbl = ?1 AND i.seqno = 0 AND i.name IS NOT NULL",
        &st);
    if (!err)
        err = store_bind_all(st, v, 1);
    struct {
        char idx[128], col[64], rest[128];
        int64_t rows, per_value;
    } ix[64];
    size_t n = 0;
    bool row = !err;
    while (row && !(err = store_step(st, &row)) && row && n < RP_NELEM(ix)) {
        const char *stat = store_col_text(st, 1, NULL);
        char *end = NULL;
        long long rows = strtoll(stat ? stat : "", &end, 10);
        long long per = strtoll(end, &end, 10);
        if (rows < 1000 || per * 2 <= rows)
            continue;
        snprintf(ix[n].idx, sizeof(ix[n].idx), "%s", store_col_text(st, 0, NULL));
        snprintf(ix[n].col, sizeof(ix[n].col), "%s", store_col_text(st, 2, NULL));
        snprintf(ix[n].rest, sizeof(ix[n].rest), "%s", end);
        ix[n].rows = rows;
        ix[n].per_value = per;
        n++;
    }
    if (st)
        store_done(st);
    bool changed = false;
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    for (size_t i = 0; i < n && !err; i++) {
        int64_t nulls = 0, values = 0;
        buf_reset(&sql);
        err = buf_printf(&sql, "SELECT count(*) FROM %s INDEXED BY %s WHERE %s IS NULL", table,
                         ix[i].idx, ix[i].col);
        if (!err)
            err = store_query_int(c, buf_cstr(&sql), NULL, 0, &nulls);
        if (err || nulls * 2 <= ix[i].rows)
            continue;
        buf_reset(&sql);
        err = buf_printf(&sql,
                         "SELECT count(DISTINCT %s) FROM %s INDEXED BY %s WHERE %s IS NOT NULL",
                         ix[i].col, table, ix[i].idx, ix[i].col);
        if (!err)
            err = store_query_int(c, buf_cstr(&sql), NULL, 0, &values);
        int64_t nonnull = ix[i].rows - nulls;
        int64_t per = values ? (nonnull + values - 1) / values : 1;
        if (err || per < 1 || per * 2 > ix[i].rows)
            continue;
        char stat[192];
        snprintf(stat, sizeof(stat), "%lld %lld%s", (long long)ix[i].rows, (long long)per,
                 ix[i].rest);
        struct store_val u[] = {store_cstr(stat), store_cstr(table), store_cstr(ix[i].idx)};
        err = store_exec(c, "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx = ?", u, 3);
        LOG(LOG_INFO, "statistics of %s: %lld of %lld rows are NULL, %lld a value", ix[i].idx,
            (long long)nulls, (long long)ix[i].rows, (long long)per);
        changed = true;
    }
    buf_release(&sql);
    /* The planner reads sqlite_stat1 again. */
    return !err && changed ? store__exec_script(c, "ANALYZE sqlite_schema") : err;
}

/* The planner's statistics, where it has some (a fresh database has none). */
static enum rp_err planner_statistics(struct store_conn *c, const char *table)
{
    int64_t stats = 0;
    enum rp_err err = store_query_int(
        c, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'", NULL, 0, &stats);
    if (!err && stats)
        err = analyze_new_indexes(c, table);
    if (!err && stats)
        err = null_heavy_statistics(c, table);
    return err;
}

enum rp_err store__sqlite_sync_table(struct store_conn *c, const struct store_table *t)
{
    struct rp_buf sql, have;
    buf_init(&sql, RP_MAX_SQL * 4);
    buf_init(&have, RP_MAX_SQL * 4);
    enum rp_err err = RP_OK;

    buf_printf(&sql,
               "CREATE TABLE IF NOT EXISTS %s ("
               " seq INTEGER PRIMARY KEY,"
               " id TEXT NOT NULL UNIQUE,"
               " workspace_id INTEGER NOT NULL DEFAULT 1,"
               " created_at TEXT NOT NULL,"
               " updated_at TEXT NOT NULL,"
               " created_by TEXT,"
               " owner_id TEXT,"
               " version INTEGER NOT NULL DEFAULT 1,"
               " deleted_at TEXT,"
               " deleted_by TEXT);"
               "CREATE INDEX IF NOT EXISTS %s_owner ON %s(owner_id);"
               "CREATE INDEX IF NOT EXISTS %s_created ON %s(created_at);"
               "CREATE INDEX IF NOT EXISTS %s_updated ON %s(updated_at);",
               t->name, t->name, t->name, t->name, t->name, t->name, t->name);
    err = store__exec_script(c, buf_cstr(&sql));
    if (err)
        goto out;
    err = existing_columns(c, t->name, &have);
    if (!err) {
        buf_reset(&sql);
        err = store__add_deleted_by(&sql, t->name, buf_cstr(&have), "TEXT");
    }
    if (!err && sql.len)
        err = store__exec_script(c, buf_cstr(&sql));
    if (err)
        goto out;
    for (size_t i = 0; i < t->ncolumns; i++) {
        const struct store_column *col = &t->columns[i];
        char needle[128];
        snprintf(needle, sizeof(needle), "\n%s\n", col->name);
        buf_reset(&sql);
        if (!strstr(buf_cstr(&have), needle))
            buf_printf(&sql, "ALTER TABLE %s ADD COLUMN %s %s;", t->name, col->name,
                       coltype(col->type));
        /* Led by the column, not the workspace: an index led by workspace_id would serve
         * `workspace_id = 1`, which every statement has, and tempt the planner (SQLite's
         * without statistics) to read a whole table through it. `_uq` was the name of
         * that earlier order. */
        if (col->unique)
            buf_printf(&sql,
                       "DROP INDEX IF EXISTS %s_%s_uq;"
                       " CREATE UNIQUE INDEX IF NOT EXISTS %s_%s_key ON %s(%s, workspace_id)"
                       " WHERE deleted_at IS NULL;",
                       t->name, col->name, t->name, col->name, t->name, col->name);
        else if (col->indexed)
            buf_printf(&sql, "CREATE INDEX IF NOT EXISTS %s_%s ON %s(%s);",
                       t->name, col->name, t->name, col->name);
        else /* one an earlier version made, or the list or totals index leads with it */
            buf_printf(&sql, "DROP INDEX IF EXISTS %s_%s;", t->name, col->name);
        if (sql.len) {
            err = store__exec_script(c, buf_cstr(&sql));
            if (err)
                goto out;
        }
    }
    buf_reset(&sql);
    err = store__derived_indexes(&sql, t, false);
    if (!err)
        err = store__exec_script(c, buf_cstr(&sql));
    if (!err)
        err = store__sync_sums(c, t, SUMS_EXISTS, SUMS_DROP, SUMS_DDL);
    if (!err)
        err = store__sync_counts(c, t, COUNTS_EXISTS, COUNTS_DDL);
    if (err)
        goto out;
    if (t->fts) {
        buf_reset(&sql);
        /* Each write transaction adds a segment to the index. FTS5 merges segments as
         * it goes, by default four of a level at a time, inside the writing
         * transaction: at a million contacts that merging was 40% of a create.
         * Sixteen at a time rewrites each entry half as often (log16, not log4, of
         * the segments), and a crisis merge (all of a level at once, a stall of
         * hundreds of milliseconds) waits for 64. Creates: +33%, p99 halved. */
        buf_printf(&sql,
                   "CREATE VIRTUAL TABLE IF NOT EXISTS %s_fts USING fts5(body,"
                   " tokenize='rapport');"
                   "INSERT INTO %s_fts(%s_fts, rank) VALUES ('automerge', %u);"
                   "INSERT INTO %s_fts(%s_fts, rank) VALUES ('crisismerge', %u);",
                   t->name, t->name, t->name, RP_FTS_AUTOMERGE, t->name, t->name,
                   RP_FTS_CRISISMERGE);
        err = store__exec_script(c, buf_cstr(&sql));
    }
    if (!err)
        err = planner_statistics(c, t->name);
out:
    buf_release(&sql);
    buf_release(&have);
    return err;
}

/* Team membership lives in users.team_ids (a JSON array). A team that was deleted no
 * longer makes its members peers. */
const char store__sqlite_team_peers_sql[] =
    "SELECT u.id FROM users u, json_each(u.team_ids) j WHERE u.deleted_at IS NULL"
    " AND j.value IN (SELECT value FROM json_each(?))"
    " AND j.value IN (SELECT id FROM teams WHERE deleted_at IS NULL)";

/* UNION, not UNION ALL: a loop of parents (which validation refuses) still ends. */
const char store__sqlite_teams_below_sql[] =
    "WITH RECURSIVE below(id) AS (SELECT value FROM json_each(?)"
    " WHERE value IN (SELECT id FROM teams WHERE deleted_at IS NULL)"
    " UNION SELECT t.id FROM teams t JOIN below b ON t.parent_id = b.id"
    " WHERE t.deleted_at IS NULL)"
    " SELECT json_group_array(id) FROM below";

enum rp_err store__sqlite_json_array_has_any(struct rp_buf *sql, const char *column, size_t n)
{
    enum rp_err err = buf_printf(sql, "EXISTS (SELECT 1 FROM json_each(%s) j WHERE j.value IN (",
                                 column);
    for (size_t i = 0; i < n && !err; i++)
        err = buf_adds(sql, i ? ", ?" : "?");
    return err ? err : buf_adds(sql, "))");
}

enum rp_err store__sqlite_month_of(struct rp_buf *sql, const char *column)
{
    return buf_printf(sql, "substr(%s, 1, 7)", column);
}

enum rp_err store__sqlite_fts_put(struct store_conn *c, const char *table, int64_t seq,
                                  bool fresh, const char *text, size_t len)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "DELETE FROM %s_fts WHERE rowid = ?", table);
    struct store_val v[] = {store_int(seq), store_text(text, len)};
    enum rp_err err = fresh ? RP_OK : store_exec(c, sql, v, 1);
    if (err || len == 0)
        return err;
    snprintf(sql, sizeof(sql), "INSERT INTO %s_fts(rowid, body) VALUES (?, ?)", table);
    return store_exec(c, sql, v, 2);
}

enum rp_err store__sqlite_fts_delete(struct store_conn *c, const char *table, int64_t seq)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "DELETE FROM %s_fts WHERE rowid = ?", table);
    struct store_val v = store_int(seq);
    return store_exec(c, sql, &v, 1);
}

enum rp_err store__sqlite_fts_matches(struct rp_buf *sql, const char *table,
                                      const struct rp_str *terms, size_t nterms, struct arena *a,
                                      struct store_val *params, size_t *nparams)
{
    /* Each term becomes an FTS5 phrase; the tokenizer splits it into overlapping
     * bigrams, so the phrase matches exactly where the term is a substring. */
    struct rp_buf q;
    buf_init(&q, RP_MAX_SEARCH_QUERY * 2 + 16 * RP_MAX_SEARCH_TERMS);
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < nterms && !err; i++) {
        if (i)
            err = buf_adds(&q, " AND ");
        if (!err)
            err = buf_addc(&q, '"');
        for (size_t k = 0; k < terms[i].len && !err; k++) {
            if (terms[i].p[k] == '"')
                err = buf_addc(&q, '"');
            if (!err)
                err = buf_addc(&q, terms[i].p[k]);
        }
        if (!err)
            err = buf_addc(&q, '"');
    }
    if (!err)
        err = buf_printf(sql, "SELECT rowid AS seq FROM %s_fts WHERE %s_fts MATCH ?", table, table);
    if (!err) {
        char *text = arena_strndup(a, buf_cstr(&q), q.len);
        params[(*nparams)++] = store_text(text, q.len);
    }
    buf_release(&q);
    return err;
}
