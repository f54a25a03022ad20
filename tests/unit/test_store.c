/* Unit tests for store/db.h on the SQLite backend: open and migrations, table sync,
 * constraints, transactions, the statement cache and substring full-text search.
 * Each test gets a fresh database in its own mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/db.h"
#include "store/platform.h"

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct store_conn *c;
};

static void remove_db_files(const struct fixture *f)
{
    static const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < RP_NELEM(suffixes); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/rapport-unit-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
    if (store_open(f->path, &f->s) || store_conn_get(f->s, &f->c)) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    remove_db_files(f);
    if (rmdir(f->dir) != 0)
        return -1; /* a file we did not expect was left behind */
    free(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->path, &f->s), RP_OK);
    assert_int_equal(store_conn_get(f->s, &f->c), RP_OK);
}

/* Runs a query that returns one integer. */
static int64_t query_int(struct store_conn *c, const char *sql, const struct store_val *vals,
                         size_t n)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, sql, &st), RP_OK);
    assert_int_equal(store_bind_all(st, vals, n), RP_OK);
    bool row = false;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    int64_t v = store_col_int(st, 0);
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_false(row);
    store_done(st);
    return v;
}

static int64_t count_rows(struct store_conn *c, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return query_int(c, sql, NULL, 0);
}

static bool has_column(struct store_conn *c, const char *table, const char *col, char *type,
                       size_t type_size)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "SELECT type FROM pragma_table_info(?) WHERE name = ?", &st),
                     RP_OK);
    struct store_val v[] = {store_cstr(table), store_cstr(col)};
    assert_int_equal(store_bind_all(st, v, 2), RP_OK);
    bool row = false;
    assert_int_equal(store_step(st, &row), RP_OK);
    if (row && type)
        snprintf(type, type_size, "%s", store_col_text(st, 0, NULL));
    store_done(st);
    return row;
}

static bool has_object(struct store_conn *c, const char *type, const char *name)
{
    struct store_val v[] = {store_cstr(type), store_cstr(name)};
    return query_int(c, "SELECT count(*) FROM sqlite_master WHERE type = ? AND name = ?", v, 2) ==
           1;
}

static int64_t column_count(struct store_conn *c, const char *table)
{
    struct store_val v = store_cstr(table);
    return query_int(c, "SELECT count(*) FROM pragma_table_info(?)", &v, 1);
}

/* Inserts a row into a synced record table with the required engine columns. */
static enum rp_err insert_rec(struct store_conn *c, const char *table, int64_t seq,
                              const char *id, int64_t ws, const char *email)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s(seq, id, workspace_id, created_at, updated_at, email)"
             " VALUES (?, ?, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', ?)",
             table);
    struct store_val v[] = {store_int(seq), store_cstr(id), store_int(ws), store_cstr(email)};
    return store_exec(c, sql, v, RP_NELEM(v));
}

static const struct store_column CONTACT_COLS[] = {
    {"name", STORE_COL_TEXT, false, false},
    {"email", STORE_COL_TEXT, true, false},
    {"score", STORE_COL_INT, false, true},
};

static void sync_contacts(struct store_conn *c)
{
    struct store_table t = {"contacts", CONTACT_COLS, RP_NELEM(CONTACT_COLS), true, NULL, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(c, &t), RP_OK);
}

/* ---- lifecycle and migrations ---- */

static void test_open_rejects_bad_urls(void **state)
{
    (void)state;
    struct store *s = NULL;
    assert_int_equal(store_open("", &s), RP_EINVAL);
    assert_int_equal(store_open("sqlite:", &s), RP_EINVAL);
    assert_int_equal(store_open("mysql://localhost/rapport", &s), RP_EINVAL);
    assert_null(s);
    /* A PostgreSQL server that does not answer: unavailable (a failover, a restart),
     * nothing opened. */
    assert_int_equal(store_open("postgres://127.0.0.1:1/rapport?connect_timeout=2", &s),
                     RP_EUNAVAIL);
    assert_null(s);
    /* A directory that does not exist cannot hold the database. */
    assert_int_equal(store_open("sqlite:/nonexistent-rapport-dir/x/y.db", &s), RP_EDB);
    assert_null(s);
}

static void test_open_url_forms(void **state)
{
    struct fixture *f = *state;
    /* "sqlite:PATH" opens the same file as the bare path. */
    assert_int_equal(store_exec(f->c, "CREATE TABLE marker(x INTEGER)", NULL, 0), RP_OK);
    store_close(f->s);
    char url[160];
    snprintf(url, sizeof(url), "sqlite:%s", f->path);
    assert_int_equal(store_open(url, &f->s), RP_OK);
    assert_int_equal(store_conn_get(f->s, &f->c), RP_OK);
    assert_true(has_object(f->c, "table", "marker"));
    int64_t bytes = 0;
    assert_int_equal(store_size(f->c, &bytes), RP_OK);
    assert_true(bytes > 0);
}

static void test_backup(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_exec(f->c, "CREATE TABLE t(seq INTEGER PRIMARY KEY, v TEXT)", NULL, 0),
                     RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES ('一'), ('two')", NULL, 0), RP_OK);
    char copy[160];
    snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
    int64_t bytes = 0;
    assert_int_equal(store_backup(f->s, copy, &bytes), RP_OK);
    assert_true(bytes > 0);
    /* Never over an existing file. */
    assert_int_equal(store_backup(f->s, copy, &bytes), RP_ECONFLICT);
    /* A write after the copy is not in it: the copy is one moment. */
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES ('later')", NULL, 0), RP_OK);
    struct store *s2;
    struct store_conn *c2;
    assert_int_equal(store_open(copy, &s2), RP_OK);
    assert_int_equal(store_conn_get(s2, &c2), RP_OK);
    assert_int_equal(count_rows(c2, "t"), 2);
    assert_int_equal(count_rows(c2, "schema_migrations"), 12);
    store_close(s2);
    char other[200];
    snprintf(other, sizeof(other), "%s.partial", copy);
    assert_int_not_equal(access(other, F_OK), 0);
    static const char *const SUFFIXES[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < RP_NELEM(SUFFIXES); i++) {
        snprintf(other, sizeof(other), "%s%s", copy, SUFFIXES[i]);
        unlink(other);
    }
    /* Into a directory that does not exist: an error, nothing left behind. */
    snprintf(copy, sizeof(copy), "%s/missing/copy.db", f->dir);
    assert_int_not_equal(store_backup(f->s, copy, &bytes), RP_OK);
}

static void test_migrations(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(count_rows(f->c, "schema_migrations"), 12);
    struct store_val v = store_int(1);
    assert_int_equal(query_int(f->c, "SELECT count(*) FROM schema_migrations WHERE version = ?",
                               &v, 1),
                     1);
    assert_true(has_object(f->c, "table", "sessions"));
    assert_true(has_object(f->c, "table", "api_tokens"));
    assert_true(has_object(f->c, "table", "audit_log"));
    assert_true(has_object(f->c, "table", "login_throttle"));
    assert_true(has_object(f->c, "table", "notifications"));
    assert_true(has_object(f->c, "table", "notification_prefs"));
    assert_true(has_object(f->c, "table", "notify_sweeps"));
    assert_true(has_object(f->c, "index", "audit_log_record"));
    assert_true(has_object(f->c, "table", "dedup_keys"));
    assert_true(has_object(f->c, "table", "phone_keys"));
    assert_true(has_object(f->c, "index", "phone_keys_record"));
    assert_true(has_object(f->c, "table", "counters"));
    assert_true(has_object(f->c, "table", "security_events"));
    assert_true(has_object(f->c, "trigger", "security_events_no_update"));
    assert_true(has_object(f->c, "trigger", "security_events_no_delete"));
    assert_true(has_object(f->c, "table", "idempotency_keys"));
    assert_true(has_object(f->c, "table", "jobs"));
    assert_true(has_object(f->c, "table", "import_jobs"));
    assert_true(has_object(f->c, "table", "import_errors"));
    assert_true(has_object(f->c, "table", "schedules"));
    assert_true(has_object(f->c, "table", "meta_state"));
    assert_true(has_object(f->c, "table", "custom_entities"));
    assert_true(has_object(f->c, "table", "custom_fields"));
    assert_true(has_object(f->c, "table", "record_shares"));
    assert_true(has_object(f->c, "index", "record_shares_seq"));
    assert_int_equal(query_int(f->c, "SELECT gen FROM meta_state WHERE id = 1", NULL, 0), 1);

    /* The applied time is a well-formed timestamp and survives reopening unchanged. */
    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c,
                                   "SELECT applied_at, name FROM schema_migrations ORDER BY version",
                                   &st),
                     RP_OK);
    bool row = false;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    char applied[64];
    size_t len = 0;
    snprintf(applied, sizeof(applied), "%s", store_col_text(st, 0, &len));
    assert_int_equal(len, 24);
    assert_string_equal(store_col_text(st, 1, NULL), "platform");
    store_done(st);

    /* Reopening applies nothing twice (a second run would fail on CREATE TABLE). */
    assert_int_equal(store_exec(f->c, "INSERT INTO login_throttle VALUES ('k', 1, 2)", NULL, 0),
                     RP_OK);
    reopen(f);
    reopen(f);
    assert_int_equal(count_rows(f->c, "schema_migrations"), 12);
    assert_int_equal(count_rows(f->c, "login_throttle"), 1);
    assert_int_equal(
        store_prepare(f->c, "SELECT applied_at FROM schema_migrations ORDER BY version", &st),
        RP_OK);
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    assert_string_equal(store_col_text(st, 0, NULL), applied);
    store_done(st);
}

/* ---- schema sync ---- */

static void test_sync_table(void **state)
{
    struct fixture *f = *state;
    sync_contacts(f->c);
    char type[32];
    static const char *engine_cols[] = {"seq", "id", "workspace_id", "created_at", "updated_at",
                                        "created_by", "owner_id", "version", "deleted_at",
                                        "deleted_by"};
    for (size_t i = 0; i < RP_NELEM(engine_cols); i++)
        if (!has_column(f->c, "contacts", engine_cols[i], NULL, 0))
            fail_msg("engine column %s is missing", engine_cols[i]);
    assert_true(has_column(f->c, "contacts", "name", type, sizeof(type)));
    assert_string_equal(type, "TEXT");
    assert_true(has_column(f->c, "contacts", "email", type, sizeof(type)));
    assert_string_equal(type, "TEXT");
    assert_true(has_column(f->c, "contacts", "score", type, sizeof(type)));
    assert_string_equal(type, "INTEGER");
    assert_false(has_column(f->c, "contacts", "phone", NULL, 0));
    assert_int_equal(column_count(f->c, "contacts"), 13);
    assert_true(has_object(f->c, "index", "contacts_email_key"));
    assert_false(has_object(f->c, "index", "contacts_email_uq"));
    assert_true(has_object(f->c, "index", "contacts_score"));
    assert_false(has_object(f->c, "index", "contacts_name"));
    assert_true(has_object(f->c, "index", "contacts_owner"));
    assert_true(has_object(f->c, "table", "contacts_fts"));
    /* Segments are merged sixteen at a time (creates at a million rows: +33%). */
    assert_int_equal(query_int(f->c, "SELECT v FROM contacts_fts_config WHERE k = 'automerge'",
                               NULL, 0),
                     RP_FTS_AUTOMERGE);
    assert_int_equal(query_int(f->c,
                               "SELECT v FROM contacts_fts_config WHERE k = 'crisismerge'", NULL,
                               0),
                     RP_FTS_CRISISMERGE);

    assert_int_equal(insert_rec(f->c, "contacts", 1, "id-1", 1, "a@example.com"), RP_OK);

    /* A second sync with one more column adds it and keeps the data. */
    static const struct store_column more[] = {
        {"name", STORE_COL_TEXT, false, false},
        {"email", STORE_COL_TEXT, true, false},
        {"score", STORE_COL_INT, false, true},
        {"phone", STORE_COL_TEXT, false, true},
    };
    struct store_table t2 = {"contacts", more, RP_NELEM(more), true, NULL, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t2), RP_OK);
    assert_true(has_column(f->c, "contacts", "phone", type, sizeof(type)));
    assert_string_equal(type, "TEXT");
    assert_true(has_object(f->c, "index", "contacts_phone"));
    assert_int_equal(column_count(f->c, "contacts"), 14);
    assert_int_equal(count_rows(f->c, "contacts"), 1);
    assert_int_equal(query_int(f->c, "SELECT count(*) FROM contacts WHERE phone IS NULL"
                                     " AND email = 'a@example.com' AND version = 1",
                               NULL, 0),
                     1);

    /* Syncing again, also after reopening, changes nothing. */
    assert_int_equal(store_sync_table(f->c, &t2), RP_OK);
    reopen(f);
    assert_int_equal(store_sync_table(f->c, &t2), RP_OK);
    assert_int_equal(column_count(f->c, "contacts"), 14);
    assert_int_equal(count_rows(f->c, "contacts"), 1);
}

/* The query plan of sql, one line per step. */
static void query_plan(struct store_conn *c, const char *sql, char *out, size_t size)
{
    char explain[512];
    snprintf(explain, sizeof(explain), "EXPLAIN QUERY PLAN %s", sql);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, explain, &st), RP_OK);
    bool row;
    size_t used = 0;
    out[0] = '\0';
    while (store_step(st, &row) == RP_OK && row && used < size)
        used += (size_t)snprintf(out + used, size - used, "%s\n", store_col_text(st, 3, NULL));
    store_done(st);
}

/* sql is answered through `uses` (a step of its plan), without sorting. */
static void assert_plan(struct store_conn *c, const char *sql, const char *uses)
{
    char plan[1024];
    query_plan(c, sql, plan, sizeof(plan));
    if (!strstr(plan, uses) || strstr(plan, "TEMP B-TREE"))
        fail_msg("plan of %s:\n%s(wanted %s, no sorting)", sql, plan, uses);
}

static void test_sync_list_and_totals_indexes(void **state)
{
    struct fixture *f = *state;
    static const char *const sort[] = {"name", NULL};
    static const char *const totals[] = {"stage", "amount", NULL};
    static const struct store_column cols[] = {
        {"name", STORE_COL_TEXT, false, false},
        {"stage", STORE_COL_TEXT, false, false},
        {"amount", STORE_COL_INT, false, true},
    };
    struct store_table t = {"deals", cols, RP_NELEM(cols), false, sort, totals, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    /* What an earlier version left: the sort columns alone, and an index of a column
     * that the totals index now leads. */
    assert_int_equal(store_exec(f->c, "CREATE INDEX deals_sort ON deals(name)", NULL, 0), RP_OK);
    assert_int_equal(store_exec(f->c, "CREATE INDEX deals_stage ON deals(stage)", NULL, 0), RP_OK);
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_false(has_object(f->c, "index", "deals_sort"));
    assert_false(has_object(f->c, "index", "deals_stage"));
    assert_true(has_object(f->c, "index", "deals_amount"));
    assert_true(has_object(f->c, "index", "deals__list"));
    assert_true(has_object(f->c, "index", "deals__totals"));
    assert_true(has_object(f->c, "index", "deals__count"));
    /* A team's count of one name seeks each member's entries (with the team condition
     * as the engine writes it); the totals are answered from their index alone; a page
     * walks the list index in order. */
    assert_int_equal(store_exec(f->c, "CREATE TABLE users(id TEXT, team_ids TEXT, deleted_at TEXT)",
                                NULL, 0),
                     RP_OK);
    assert_int_equal(store_exec(f->c, "CREATE TABLE teams(id TEXT, deleted_at TEXT)", NULL, 0),
                     RP_OK);
    struct rp_buf count;
    buf_init(&count, RP_MAX_SQL);
    struct store_val params[2];
    size_t nparams = 0;
    assert_int_equal(buf_adds(&count, "SELECT count(*) FROM deals t WHERE t.workspace_id = 1"
                                      " AND t.deleted_at IS NULL AND t.name = 'x' AND "),
                     RP_OK);
    assert_int_equal(store_team_owner_condition(f->s, &count, "t", "u1", "[\"team\"]", params,
                                                &nparams),
                     RP_OK);
    assert_plan(f->c, buf_cstr(&count), "COVERING INDEX deals__count (name=? AND owner_id=?");
    buf_release(&count);
    assert_plan(f->c,
                "SELECT t.stage, count(*), sum(t.amount) FROM deals t WHERE t.workspace_id = 1"
                " AND t.deleted_at IS NULL GROUP BY t.stage",
                "COVERING INDEX deals__totals");
    assert_plan(f->c,
                "SELECT t.amount FROM deals t WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                " ORDER BY t.name, t.seq LIMIT 21",
                "INDEX deals__list");
    /* Syncing again changes nothing. */
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "index", "deals__list"));
}

/* A span's index: what overlaps a range is found inside it, with the visibility
 * columns; it replaces the count index of the sort column that starts it. */
static void test_sync_span_index(void **state)
{
    struct fixture *f = *state;
    static const char *const sort[] = {"start_at", NULL};
    static const char *const span[] = {"start_at", "end_at", NULL};
    static const struct store_column cols[] = {
        {"start_at", STORE_COL_TEXT, false, false},
        {"end_at", STORE_COL_TEXT, false, true},
        {"subject", STORE_COL_TEXT, false, false},
    };
    struct store_table t = {"meetings", cols, RP_NELEM(cols), false, sort, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "index", "meetings__count"));
    t.span_columns = span;
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_false(has_object(f->c, "index", "meetings__count"));
    assert_true(has_object(f->c, "index", "meetings__span"));
    assert_true(has_object(f->c, "index", "meetings_end_at"));
    /* A calendar (the activities of some users, or those they attend) walks the span
     * index, whose overlap test needs no table read. */
    assert_plan(f->c,
                "SELECT t.subject FROM meetings t WHERE t.workspace_id = 1"
                " AND t.deleted_at IS NULL AND t.start_at >= 'a' AND t.start_at < 'b'"
                " AND t.end_at > 'a' AND (t.owner_id IN ('u1', 'u2') OR t.subject = 'x')",
                "INDEX meetings__span (start_at>? AND start_at<?)");
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "index", "meetings__span"));
}

/* Further indexes (store_table.indexes): each <table>__<columns> carries the visibility
 * columns not among its keys; a queue's open cases by due time are read in index order
 * (seq a key: due times tie), and an agent's open cases are counted inside (owner_id,
 * status). An index of a declared one's leading columns (an earlier version's) goes. */
static void test_further_indexes(void **state)
{
    struct fixture *f = *state;
    static const char *const by_queue[] = {"queue_id", "due_at", "seq", NULL};
    static const char *const by_owner[] = {"owner_id", "status", NULL};
    static const char *const *const indexes[] = {by_queue, by_owner, NULL};
    static const struct store_column cols[] = {
        {"queue_id", STORE_COL_TEXT, false, false},
        {"due_at", STORE_COL_TEXT, false, true},
        {"status", STORE_COL_TEXT, false, true},
    };
    struct store_table t = {"tickets", cols, RP_NELEM(cols), false, NULL, NULL, NULL, NULL,
                            indexes, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_int_equal(store_exec(f->c, "CREATE INDEX tickets__queue_id_due_at"
                                      " ON tickets(queue_id, due_at)", NULL, 0),
                     RP_OK);
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_false(has_object(f->c, "index", "tickets__queue_id_due_at"));
    assert_true(has_object(f->c, "index", "tickets__queue_id_due_at_seq"));
    assert_true(has_object(f->c, "index", "tickets__owner_id_status"));
    assert_plan(f->c,
                "SELECT t.seq FROM tickets t WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                " AND t.queue_id = 'q' AND t.due_at IS NOT NULL ORDER BY t.due_at, t.seq"
                " LIMIT 50",
                "INDEX tickets__queue_id_due_at_seq (queue_id=? AND due_at>?)");
    assert_plan(f->c,
                "SELECT count(*) FROM tickets WHERE workspace_id = 1 AND deleted_at IS NULL"
                " AND owner_id = 'u' AND status IN ('new', 'open')",
                "COVERING INDEX tickets__owner_id_status (owner_id=? AND status=?");
    /* Again: nothing changes. */
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "index", "tickets__queue_id_due_at_seq"));
}

/* ---- running sums ---- */

static const char *const DEAL_SORT[] = {"name", NULL};
static const char *const DEAL_TOTALS[] = {"stage", "amount", "prob", NULL};
static const struct store_column DEAL_COLS[] = {
    {"name", STORE_COL_TEXT, false, false},
    {"stage", STORE_COL_TEXT, false, false},
    {"amount", STORE_COL_INT, false, false},
    {"prob", STORE_COL_INT, false, false},
    {"cur", STORE_COL_TEXT, false, false},
};

/* A deal in USD, but deal 3's in CNY and any deal without a stage in no currency. */
static void deal(struct store_conn *c, int64_t seq, const char *owner, const char *stage,
                 int64_t amount, int64_t prob)
{
    char id[32];
    snprintf(id, sizeof(id), "deal-%lld", (long long)seq);
    struct store_val v[] = {store_int(seq), store_cstr(id), owner ? store_cstr(owner) : store_null(),
                            stage ? store_cstr(stage) : store_null(), store_int(amount),
                            prob >= 0 ? store_int(prob) : store_null(),
                            !stage ? store_null() : store_cstr(seq == 3 ? "CNY" : "USD")};
    assert_int_equal(store_exec(c,
                                "INSERT INTO deals(seq, id, created_at, updated_at, owner_id,"
                                " stage, amount, prob, cur) VALUES (?, ?, 'x', 'x', ?, ?, ?, ?, ?)",
                                v, RP_NELEM(v)),
                     RP_OK);
}

/* The running sums equal a fresh GROUP BY over the live rows. */
static void assert_sums_current(struct store_conn *c)
{
    static const char *const diff[] = {
        "SELECT count(*) FROM (SELECT workspace_id, owner_id, grp, cur, n, total, weighted"
        " FROM deals__sums WHERE n <> 0 EXCEPT SELECT workspace_id, coalesce(owner_id, ''),"
        " coalesce(stage, ''), coalesce(cur, ''), count(*), coalesce(sum(amount), 0),"
        " coalesce(sum(amount * coalesce(prob, 0)), 0) FROM deals WHERE deleted_at IS NULL"
        " GROUP BY 1, 2, 3, 4)",
        "SELECT count(*) FROM (SELECT workspace_id, coalesce(owner_id, ''), coalesce(stage, ''),"
        " coalesce(cur, ''), count(*), coalesce(sum(amount), 0),"
        " coalesce(sum(amount * coalesce(prob, 0)), 0) FROM deals WHERE deleted_at IS NULL"
        " GROUP BY 1, 2, 3, 4 EXCEPT SELECT workspace_id, owner_id, grp, cur, n, total, weighted"
        " FROM deals__sums)",
        "SELECT count(*) FROM deals__sums WHERE n = 0 AND (total <> 0 OR weighted <> 0)",
    };
    for (size_t i = 0; i < RP_NELEM(diff); i++)
        assert_int_equal(query_int(c, diff[i], NULL, 0), 0);
}

static void test_running_sums(void **state)
{
    struct fixture *f = *state;
    /* Rows written before the sums existed are summed when they are made. */
    struct store_table plain = {"deals", DEAL_COLS, RP_NELEM(DEAL_COLS), false, DEAL_SORT, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &plain), RP_OK);
    deal(f->c, 1, "u1", "won", 1000, 100);
    deal(f->c, 2, "u1", "won", 500, -1);
    deal(f->c, 3, NULL, NULL, 70, 10);
    /* Totals without a currency keep no running sums: they would add up currencies. */
    struct store_table nocur = {"deals", DEAL_COLS, RP_NELEM(DEAL_COLS), false, DEAL_SORT,
                                DEAL_TOTALS, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &nocur), RP_OK);
    assert_false(has_object(f->c, "table", "deals__sums"));
    assert_true(has_object(f->c, "index", "deals__totals"));
    /* Sums an earlier version made, without the currency, are made again. */
    static const char *const old_sums[] = {
        "CREATE TABLE deals__sums (workspace_id INTEGER, owner_id TEXT, grp TEXT, n INTEGER,"
        " total INTEGER, weighted INTEGER, PRIMARY KEY (workspace_id, owner_id, grp))",
        "INSERT INTO deals__sums VALUES (1, 'u1', 'won', 9, 9, 9)",
        "CREATE TRIGGER deals__sums_insert AFTER INSERT ON deals"
        " BEGIN UPDATE deals__sums SET n = n + 1; END"};
    for (size_t i = 0; i < RP_NELEM(old_sums); i++)
        assert_int_equal(store_exec(f->c, old_sums[i], NULL, 0), RP_OK);
    struct store_table t = {"deals", DEAL_COLS, RP_NELEM(DEAL_COLS), false, DEAL_SORT,
                            DEAL_TOTALS, NULL, "cur", NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "table", "deals__sums"));
    assert_false(has_object(f->c, "index", "deals__totals"));
    assert_true(has_object(f->c, "index", "deals__totals_cur"));
    assert_int_equal(query_int(f->c, "SELECT total FROM deals__sums WHERE owner_id = 'u1'"
                                     " AND grp = 'won' AND cur = 'USD'", NULL, 0),
                     1500);
    assert_sums_current(f->c);
    /* A second sync neither refills nor doubles them. */
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_sums_current(f->c);

    /* Every kind of write keeps them current. */
    deal(f->c, 4, "u2", "open", 300, 50);
    assert_sums_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET stage = 'open', amount = 900 WHERE seq = 1",
                                NULL, 0),
                     RP_OK);
    assert_sums_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET owner_id = 'u2' WHERE seq = 2", NULL, 0),
                     RP_OK);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET cur = 'EUR' WHERE seq = 1", NULL, 0),
                     RP_OK);
    assert_sums_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET deleted_at = 'x' WHERE seq = 4", NULL, 0),
                     RP_OK);
    assert_sums_current(f->c);
    assert_int_equal(query_int(f->c, "SELECT sum(n) FROM deals__sums WHERE owner_id = 'u2'",
                               NULL, 0),
                     1);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET name = 'renamed'", NULL, 0), RP_OK);
    assert_int_equal(store_exec(f->c, "UPDATE deals SET deleted_at = NULL WHERE seq = 4", NULL, 0),
                     RP_OK);
    assert_sums_current(f->c);
    assert_int_equal(store_exec(f->c, "DELETE FROM deals WHERE seq IN (3, 4)", NULL, 0), RP_OK);
    assert_sums_current(f->c);

    /* A write that would carry a sum past the integers is refused and changes nothing. */
    deal(f->c, 5, "u3", "big", INT64_MAX / 100, 100);
    struct store_val v[] = {store_int(6), store_cstr("deal-6"), store_int(INT64_MAX / 100)};
    assert_int_equal(store_exec(f->c,
                                "INSERT INTO deals(seq, id, created_at, updated_at, owner_id,"
                                " stage, amount, prob, cur) VALUES (?, ?, 'x', 'x', 'u3', 'big', ?, 100,"
                                " 'USD')",
                                v, RP_NELEM(v)),
                     RP_ERANGE);
    assert_int_equal(count_rows(f->c, "deals"), 3);
    assert_sums_current(f->c);
}

/* ---- running counts ---- */

/* The running counts equal a fresh GROUP BY over the live rows. */
static void assert_counts_current(struct store_conn *c)
{
    static const char *const diff[] = {
        "SELECT count(*) FROM (SELECT workspace_id, owner_id, grp, n FROM tickets__counts"
        " WHERE n <> 0 EXCEPT SELECT workspace_id, coalesce(owner_id, ''),"
        " coalesce(status, ''), count(*) FROM tickets WHERE deleted_at IS NULL"
        " GROUP BY 1, 2, 3)",
        "SELECT count(*) FROM (SELECT workspace_id, coalesce(owner_id, ''),"
        " coalesce(status, ''), count(*) FROM tickets WHERE deleted_at IS NULL"
        " GROUP BY 1, 2, 3 EXCEPT SELECT workspace_id, owner_id, grp, n FROM tickets__counts)",
        "SELECT count(*) FROM tickets__counts WHERE n < 0",
    };
    for (size_t i = 0; i < RP_NELEM(diff); i++)
        assert_int_equal(query_int(c, diff[i], NULL, 0), 0);
}

static void ticket(struct store_conn *c, int64_t seq, const char *owner, const char *status)
{
    char id[32];
    snprintf(id, sizeof(id), "ticket-%lld", (long long)seq);
    struct store_val v[] = {store_int(seq), store_cstr(id),
                            owner ? store_cstr(owner) : store_null(),
                            status ? store_cstr(status) : store_null()};
    assert_int_equal(store_exec(c,
                                "INSERT INTO tickets(seq, id, created_at, updated_at, owner_id,"
                                " status) VALUES (?, ?, 'x', 'x', ?, ?)",
                                v, RP_NELEM(v)),
                     RP_OK);
}

static void assert_stat(struct store_conn *c, const char *index, const char *want)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "SELECT stat FROM sqlite_stat1 WHERE idx = ?", &st), RP_OK);
    assert_int_equal(store_bind(st, 1, store_cstr(index)), RP_OK);
    bool row;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    assert_string_equal(store_col_text(st, 0, NULL), want);
    store_done(st);
}

/* ANALYZE counts NULLs as a value: an index whose column is all NULL says every row has
 * the value asked for, and SQLite never seeks it. Each sync says a value has a row
 * instead; a column whose one value is real keeps its figure. */
static void test_null_heavy_statistics(void **state)
{
    struct fixture *f = *state;
    static const struct store_column cols[] = {
        {"parent_id", STORE_COL_TEXT, false, true},
        {"status", STORE_COL_TEXT, false, true},
    };
    struct store_table t = {"tickets", cols, RP_NELEM(cols), false, NULL, NULL, NULL, NULL,
                            NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    for (int64_t i = 1; i <= 2000; i++)
        ticket(f->c, i, i % 2 ? "u1" : "u2", "open");
    assert_int_equal(store_analyze(f->c, "tickets"), RP_OK);
    assert_stat(f->c, "tickets_parent_id", "2000 2000");
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_stat(f->c, "tickets_parent_id", "2000 1");
    assert_stat(f->c, "tickets_status", "2000 2000");
    assert_plan(f->c,
                "SELECT count(*) FROM tickets WHERE workspace_id = 1 AND deleted_at IS NULL"
                " AND owner_id = 'u1' AND parent_id = 'p'",
                "INDEX tickets_parent_id (parent_id=?)");
}

/* An agent's open tickets, read from the counts. */
static int64_t open_of(struct store_conn *c, const char *owner)
{
    struct store_val v[] = {store_cstr(owner)};
    return query_int(c,
                     "SELECT coalesce(sum(n), 0) FROM tickets__counts WHERE workspace_id = 1"
                     " AND owner_id = ? AND grp IN ('new', 'open')",
                     v, RP_NELEM(v));
}

static void test_running_counts(void **state)
{
    struct fixture *f = *state;
    static const struct store_column cols[] = {
        {"subject", STORE_COL_TEXT, false, false},
        {"status", STORE_COL_TEXT, false, true},
    };
    /* Rows written before the counts existed are counted when they are made. */
    struct store_table t = {"tickets", cols, RP_NELEM(cols), false, NULL, NULL, NULL, NULL,
                            NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    ticket(f->c, 1, "u1", "open");
    ticket(f->c, 2, "u1", "closed");
    ticket(f->c, 3, NULL, NULL);
    assert_false(has_object(f->c, "table", "tickets__counts"));
    t.counts_column = "status";
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_true(has_object(f->c, "table", "tickets__counts"));
    assert_int_equal(open_of(f->c, "u1"), 1);
    assert_counts_current(f->c);
    /* A second sync neither refills nor doubles them. */
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    assert_counts_current(f->c);

    /* Every kind of write keeps them current: a new row, a status moved, an owner
     * changed, a row deleted, restored and purged, a write of another column. */
    ticket(f->c, 4, "u2", "new");
    ticket(f->c, 5, "u2", "open");
    assert_int_equal(open_of(f->c, "u2"), 2);
    assert_counts_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET status = 'closed' WHERE seq = 5",
                                NULL, 0),
                     RP_OK);
    assert_int_equal(open_of(f->c, "u2"), 1);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET owner_id = 'u1' WHERE seq = 4", NULL, 0),
                     RP_OK);
    assert_int_equal(open_of(f->c, "u1"), 2);
    assert_int_equal(open_of(f->c, "u2"), 0);
    assert_counts_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET deleted_at = 'x' WHERE seq = 1", NULL, 0),
                     RP_OK);
    assert_int_equal(open_of(f->c, "u1"), 1);
    assert_counts_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET subject = 'renamed'", NULL, 0), RP_OK);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET deleted_at = NULL WHERE seq = 1",
                                NULL, 0),
                     RP_OK);
    assert_int_equal(open_of(f->c, "u1"), 2);
    assert_counts_current(f->c);
    assert_int_equal(store_exec(f->c, "UPDATE tickets SET deleted_at = 'x' WHERE seq = 2", NULL, 0),
                     RP_OK);
    assert_int_equal(store_exec(f->c, "DELETE FROM tickets WHERE seq IN (2, 3)", NULL, 0), RP_OK);
    assert_counts_current(f->c);
    /* Rolled back with the write that caused it. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    ticket(f->c, 6, "u2", "open");
    assert_int_equal(open_of(f->c, "u2"), 1);
    store_rollback(f->c);
    assert_int_equal(open_of(f->c, "u2"), 0);
    assert_counts_current(f->c);
}

static void test_sync_in_transaction(void **state)
{
    struct fixture *f = *state;
    /* Sync runs "in one transaction with the other tables": a rolled-back sync leaves
     * nothing behind. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    sync_contacts(f->c);
    store_rollback(f->c);
    assert_false(has_object(f->c, "table", "contacts"));
    assert_int_equal(store_begin(f->c, true), RP_OK);
    sync_contacts(f->c);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_true(has_object(f->c, "table", "contacts"));
}

static void test_unique_conflict(void **state)
{
    struct fixture *f = *state;
    sync_contacts(f->c);
    assert_int_equal(insert_rec(f->c, "contacts", 1, "id-1", 1, "a@example.com"), RP_OK);
    assert_int_equal(store_changes(f->c), 1);
    /* The same value of a unique column in the same workspace. */
    assert_int_equal(insert_rec(f->c, "contacts", 2, "id-2", 1, "a@example.com"), RP_ECONFLICT);
    assert_int_equal(count_rows(f->c, "contacts"), 1);
    /* The same id. */
    assert_int_equal(insert_rec(f->c, "contacts", 3, "id-1", 1, "b@example.com"), RP_ECONFLICT);
    /* The same seq. */
    assert_int_equal(insert_rec(f->c, "contacts", 1, "id-3", 1, "c@example.com"), RP_ECONFLICT);
    assert_int_equal(count_rows(f->c, "contacts"), 1);
    /* Unique per workspace only. */
    assert_int_equal(insert_rec(f->c, "contacts", 4, "id-4", 2, "a@example.com"), RP_OK);
    /* Unique among live rows only: a soft-deleted row frees the value. */
    assert_int_equal(
        store_exec(f->c, "UPDATE contacts SET deleted_at = 'x' WHERE id = 'id-1'", NULL, 0),
        RP_OK);
    assert_int_equal(store_changes(f->c), 1);
    assert_int_equal(insert_rec(f->c, "contacts", 5, "id-5", 1, "a@example.com"), RP_OK);
    /* NULLs never conflict. */
    assert_int_equal(insert_rec(f->c, "contacts", 6, "id-6", 1, NULL), RP_OK);
    assert_int_equal(insert_rec(f->c, "contacts", 7, "id-7", 1, NULL), RP_OK);
    assert_int_equal(count_rows(f->c, "contacts"), 5);
    /* The connection stays usable after the failures. */
    assert_int_equal(query_int(f->c, "SELECT 40 + 2", NULL, 0), 42);
}

/* ---- transactions ---- */

/* Named counters (rec_next_number): 1, 2, 3 … per name; a rolled-back transaction gives
 * its value back, so numbers stay without gaps. */
static void test_counters(void **state)
{
    struct fixture *f = *state;
    int64_t n = 0;
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_counter_next(f->c, "cases.number", &n), RP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_counter_next(f->c, "cases.number", &n), RP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_counter_next(f->c, "quotes.number", &n), RP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_counter_next(f->c, "cases.number", &n), RP_OK);
    assert_int_equal(n, 3);
    store_rollback(f->c);
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_counter_next(f->c, "cases.number", &n), RP_OK);
    assert_int_equal(n, 3);
    assert_int_equal(store_commit(f->c), RP_OK);
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_exec(f->c, "CREATE TABLE t(seq INTEGER PRIMARY KEY, v TEXT)", NULL, 0),
                     RP_OK);
    struct store_val v = store_cstr("one");

    /* Rollback discards. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES (?)", &v, 1), RP_OK);
    assert_int_equal(count_rows(f->c, "t"), 1); /* visible inside the transaction */
    store_rollback(f->c);
    assert_int_equal(count_rows(f->c, "t"), 0);

    /* Commit keeps, across a reopen. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES (?)", &v, 1), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES (?)", &v, 1), RP_OK);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_int_equal(count_rows(f->c, "t"), 2);

    /* Rollback without a transaction is harmless. */
    store_rollback(f->c);
    store_rollback(f->c);
    assert_int_equal(count_rows(f->c, "t"), 2);

    /* A failed statement inside a transaction; rollback undoes the earlier ones. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(seq, v) VALUES (100, 'x')", NULL, 0), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(seq, v) VALUES (100, 'y')", NULL, 0),
                     RP_ECONFLICT);
    store_rollback(f->c);
    assert_int_equal(count_rows(f->c, "t"), 2);

    /* A read transaction. */
    assert_int_equal(store_begin(f->c, false), RP_OK);
    assert_int_equal(count_rows(f->c, "t"), 2);
    assert_int_equal(store_commit(f->c), RP_OK);

    /* A write transaction can begin again: the writer lock was released each time. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "DELETE FROM t", NULL, 0), RP_OK);
    assert_int_equal(store_changes(f->c), 2);
    assert_int_equal(store_commit(f->c), RP_OK);

    reopen(f);
    assert_int_equal(count_rows(f->c, "t"), 0);
}

/* Counts to n, one recursive step at a time: 1,000,000 takes 100-300 ms. */
static const char *counting(char *sql, size_t size, long n)
{
    snprintf(sql, size,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)"
             " SELECT count(*) FROM n", n);
    return sql;
}

/* Runs a one-row statement to its end; its error. */
static enum rp_err run_statement(struct store_conn *c, const char *sql)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, sql, &st), RP_OK);
    bool row = true;
    enum rp_err err = RP_OK;
    while (!err && row)
        err = store_step(st, &row);
    store_done(st);
    return err;
}

static void test_statement_timeout(void **state)
{
    struct fixture *f = *state;
    char sql[256];
    assert_int_equal(store_exec(f->c, "CREATE TABLE t(seq INTEGER PRIMARY KEY, v TEXT)", NULL, 0),
                     RP_OK);
    /* No limit by default: a long statement runs to its end. */
    assert_int_equal(query_int(f->c, counting(sql, sizeof(sql), 1000000), NULL, 0), 1000000);

    /* With one, a statement that would run for seconds stops with RP_ETIMEOUT... */
    assert_int_equal(store_set_statement_timeout(f->c, 50), RP_OK);
    assert_int_equal(run_statement(f->c, counting(sql, sizeof(sql), 100000000)), RP_ETIMEOUT);
    /* ...and the connection goes on. */
    assert_int_equal(count_rows(f->c, "t"), 0);

    /* Inside a read transaction, which then rolls back. */
    assert_int_equal(store_begin(f->c, false), RP_OK);
    assert_int_equal(run_statement(f->c, counting(sql, sizeof(sql), 100000000)), RP_ETIMEOUT);
    store_rollback(f->c);

    /* A statement is timed inside its own steps: the time its caller spends between
     * its rows (here another statement and a pause, past the limit) is not its own. */
    struct store_stmt *outer;
    assert_int_equal(store_prepare(f->c,
                                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                                   " FROM n WHERE i < 5000) SELECT i FROM n",
                                   &outer),
                     RP_OK);
    bool row;
    assert_int_equal(store_step(outer, &row), RP_OK);
    assert_true(row);
    assert_int_equal(run_statement(f->c, counting(sql, sizeof(sql), 100000000)), RP_ETIMEOUT);
    usleep(60 * 1000);
    int64_t rows = 1;
    for (;;) {
        assert_int_equal(store_step(outer, &row), RP_OK);
        if (!row)
            break;
        rows++;
    }
    store_done(outer);
    assert_int_equal(rows, 5000);

    /* A write transaction is never stopped: it commits or rolls back whole. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(query_int(f->c, counting(sql, sizeof(sql), 1000000), NULL, 0), 1000000);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES ('kept')", NULL, 0), RP_OK);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_int_equal(count_rows(f->c, "t"), 1);

    /* 0 lifts the limit. */
    assert_int_equal(store_set_statement_timeout(f->c, 0), RP_OK);
    assert_int_equal(query_int(f->c, counting(sql, sizeof(sql), 1000000), NULL, 0), 1000000);
}

static int64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* Commits leave the copying of the WAL into the database to the store's checkpointer
 * thread: the database file grows while the store is still open (SQLite's automatic
 * checkpoint is off, so nothing else would copy the pages before the close). */
static void test_checkpointer(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_exec(f->c, "CREATE TABLE t(seq INTEGER PRIMARY KEY, v TEXT)", NULL, 0),
                     RP_OK);
    int64_t before = file_size(f->path);
    char text[4000];
    memset(text, 'x', sizeof(text));
    struct store_val v = store_text(text, sizeof(text));
    for (int tx = 0; tx < 6; tx++) {
        assert_int_equal(store_begin(f->c, true), RP_OK);
        for (int i = 0; i < 250; i++)
            assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES (?)", &v, 1), RP_OK);
        assert_int_equal(store_commit(f->c), RP_OK);
    }
    /* 1,500 pages written: past RP_WAL_CHECKPOINT, so the thread has been woken. */
    int64_t after = before;
    for (int waited = 0; waited < 10000 && after < before + 4 * 1024 * 1024; waited += 20) {
        usleep(20 * 1000);
        after = file_size(f->path);
    }
    assert_true(after >= before + 4 * 1024 * 1024);
    assert_int_equal(count_rows(f->c, "t"), 1500);
}

static int64_t cache_kib(struct store_conn *c)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "PRAGMA cache_size", &st), RP_OK);
    bool row = false;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    int64_t v = store_col_int(st, 0);
    store_done(st);
    return -v;
}

/* The page-cache budget is shared among the connections the caller will use: a lone
 * connection has all of it, eight share it. */
static void test_cache_budget(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(cache_kib(f->c), RP_SQLITE_CACHE_KIB);
    store_set_connections(f->s, 8);
    const int each = (RP_SQLITE_CACHE_KIB - RP_SQLITE_CACHE_KIB / 4) / 8;
    assert_int_equal(cache_kib(f->c), each);
    /* A write transaction runs on the store's writer connection, with its own share;
     * what it wrote is read back on the thread's connection once committed. */
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(cache_kib(f->c), RP_SQLITE_CACHE_KIB / 4);
    assert_int_equal(store_exec(f->c, "CREATE TABLE w(x INTEGER)", NULL, 0), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO w VALUES (7)", NULL, 0), RP_OK);
    assert_int_equal(query_int(f->c, "SELECT x FROM w", NULL, 0), 7);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_int_equal(cache_kib(f->c), each);
    assert_int_equal(query_int(f->c, "SELECT x FROM w", NULL, 0), 7);
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO w VALUES (8)", NULL, 0), RP_OK);
    store_rollback(f->c);
    assert_int_equal(query_int(f->c, "SELECT count(*) FROM w", NULL, 0), 1);
    /* A bulk loader sizes the writer's cache alone: the open writer now, the readers
     * not at all. */
    store_set_write_cache(f->s, 262144);
    assert_int_equal(cache_kib(f->c), each);
    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(cache_kib(f->c), 262144);
    store_rollback(f->c);
}

/* Another thread has its own connection and sees only committed data. */
struct reader {
    struct store *s;
    int64_t count;
    enum rp_err err;
    bool distinct_conn;
    struct store_conn *main_conn;
};

static void *reader_main(void *p)
{
    struct reader *r = p;
    struct store_conn *c;
    r->err = store_conn_get(r->s, &c);
    if (r->err)
        return NULL;
    r->distinct_conn = c != r->main_conn;
    struct store_stmt *st;
    r->err = store_prepare(c, "SELECT count(*) FROM t", &st);
    if (r->err)
        return NULL;
    bool row = false;
    r->err = store_step(st, &row);
    r->count = row ? store_col_int(st, 0) : -1;
    store_done(st);
    return NULL; /* the connection closes when this thread exits */
}

static int64_t count_from_thread(struct fixture *f)
{
    struct reader r = {f->s, -1, RP_OK, false, f->c};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(r.err, RP_OK);
    assert_true(r.distinct_conn);
    return r.count;
}

static void test_isolation_between_threads(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_exec(f->c, "CREATE TABLE t(seq INTEGER PRIMARY KEY, v TEXT)", NULL, 0),
                     RP_OK);
    struct store_conn *again;
    assert_int_equal(store_conn_get(f->s, &again), RP_OK);
    assert_ptr_equal(again, f->c); /* one connection per thread */

    assert_int_equal(store_begin(f->c, true), RP_OK);
    assert_int_equal(store_exec(f->c, "INSERT INTO t(v) VALUES ('a')", NULL, 0), RP_OK);
    assert_int_equal(count_from_thread(f), 0);
    assert_int_equal(store_commit(f->c), RP_OK);
    assert_int_equal(count_from_thread(f), 1);
}

/* ---- statements ---- */

static void test_statement_cache(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT ? + 1";
    struct store_stmt *a, *b;
    assert_int_equal(store_prepare(f->c, sql, &a), RP_OK);
    assert_int_equal(store_bind(a, 1, store_int(41)), RP_OK);
    bool row = false;
    assert_int_equal(store_step(a, &row), RP_OK);
    assert_true(row);
    assert_int_equal(store_col_int(a, 0), 42);
    store_done(a);

    /* The same SQL again, sequentially: the cached statement comes back, reset and
     * with its bindings cleared. */
    assert_int_equal(store_prepare(f->c, sql, &b), RP_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(store_step(b, &row), RP_OK);
    assert_true(row);
    assert_true(store_col_null(b, 0)); /* NULL + 1: the old binding is gone */
    store_done(b);

    /* The same SQL while the first is still in use: a different statement, and both
     * run independently. */
    assert_int_equal(store_prepare(f->c, sql, &a), RP_OK);
    assert_int_equal(store_prepare(f->c, sql, &b), RP_OK);
    assert_ptr_not_equal(a, b);
    assert_int_equal(store_bind(a, 1, store_int(1)), RP_OK);
    assert_int_equal(store_bind(b, 1, store_int(10)), RP_OK);
    assert_int_equal(store_step(a, &row), RP_OK);
    assert_int_equal(store_step(b, &row), RP_OK);
    assert_int_equal(store_col_int(a, 0), 2);
    assert_int_equal(store_col_int(b, 0), 11);
    store_done(b);
    store_done(a);

    /* Different SQL, different statement. */
    struct store_stmt *c;
    assert_int_equal(store_prepare(f->c, "SELECT ? + 2", &c), RP_OK);
    assert_ptr_not_equal(c, a);
    store_done(c);

    /* Bad SQL is an error, not a crash, and is not cached. */
    assert_int_equal(store_prepare(f->c, "SELEKT nonsense", &c), RP_EDB);
    assert_int_equal(store_prepare(f->c, "SELECT * FROM no_such_table", &c), RP_EDB);
}

static void test_statement_cache_eviction(void **state)
{
    struct fixture *f = *state;
    /* More distinct statements than the cache holds, one after another. */
    char sql[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < (int)RP_STMT_CACHE + 40; i++) {
            snprintf(sql, sizeof(sql), "SELECT %d", i);
            assert_int_equal(query_int(f->c, sql, NULL, 0), i);
        }
    }
    /* More statements in use at once than the cache holds: the extra ones are
     * uncached and are freed by store_done (LeakSanitizer checks). */
    enum { N = RP_STMT_CACHE + 5 };
    struct store_stmt *held[N];
    for (int i = 0; i < N; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d * 2", i);
        assert_int_equal(store_prepare(f->c, sql, &held[i]), RP_OK);
    }
    for (int i = 0; i < N; i++) {
        bool row = false;
        assert_int_equal(store_step(held[i], &row), RP_OK);
        assert_true(row);
        assert_int_equal(store_col_int(held[i], 0), i * 2);
    }
    for (int i = N - 1; i >= 0; i--)
        store_done(held[i]);
    /* Everything still works afterwards. */
    assert_int_equal(query_int(f->c, "SELECT 7", NULL, 0), 7);
    assert_int_equal(query_int(f->c, "SELECT 0 * 2", NULL, 0), 0);
}

static void test_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(
        store_exec(f->c, "CREATE TABLE v(seq INTEGER PRIMARY KEY, i INTEGER, s TEXT)", NULL, 0),
        RP_OK);
    const char text[] = "客户 \"quoted\" x";
    struct store_val vals[] = {store_int(INT64_MIN), store_text(text, sizeof(text) - 1)};
    assert_int_equal(store_exec(f->c, "INSERT INTO v(i, s) VALUES (?, ?)", vals, 2), RP_OK);
    struct store_val nulls[] = {store_null(), store_cstr(NULL)};
    assert_int_equal(store_exec(f->c, "INSERT INTO v(i, s) VALUES (?, ?)", nulls, 2), RP_OK);
    /* Text is bound by length, not up to a NUL. */
    struct store_val part[] = {store_int(INT64_MAX), store_text("abcdef", 3)};
    assert_int_equal(store_exec(f->c, "INSERT INTO v(i, s) VALUES (?, ?)", part, 2), RP_OK);

    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c, "SELECT i, s FROM v ORDER BY seq", &st), RP_OK);
    bool row = false;
    size_t len = 0;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    assert_true(store_col_int(st, 0) == INT64_MIN);
    const char *s = store_col_text(st, 1, &len);
    assert_int_equal(len, sizeof(text) - 1);
    assert_memory_equal(s, text, len);
    assert_false(store_col_null(st, 1));

    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    assert_true(store_col_null(st, 0));
    assert_true(store_col_null(st, 1));
    len = 99;
    assert_null(store_col_text(st, 1, &len));
    assert_int_equal(len, 0);

    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    assert_true(store_col_int(st, 0) == INT64_MAX);
    assert_string_equal(store_col_text(st, 1, &len), "abc");
    assert_int_equal(len, 3);

    assert_int_equal(store_step(st, &row), RP_OK);
    assert_false(row);
    store_done(st);
}

/* ---- full-text search ---- */

static const struct store_column NOTE_COLS[] = {
    {"email", STORE_COL_TEXT, false, false},
};

static void put_note(struct fixture *f, int64_t seq, const char *text)
{
    char id[32];
    snprintf(id, sizeof(id), "note-%lld", (long long)seq);
    assert_int_equal(insert_rec(f->c, "notes", seq, id, 1, NULL), RP_OK);
    assert_int_equal(store_fts_put(f->c, "notes", seq, true, text, strlen(text)), RP_OK);
}

static void setup_notes(struct fixture *f)
{
    struct store_table t = {"notes", NOTE_COLS, RP_NELEM(NOTE_COLS), true, NULL, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(store_sync_table(f->c, &t), RP_OK);
    put_note(f, 1, "John Smith");
    put_note(f, 2, "重要客户名单");
    put_note(f, 3, "Jane Doe, smith & sons");
    put_note(f, 4, "Acme Corp 客户服务 hotline");
    put_note(f, 5, "say \"hi\" now");
}

/* Searches notes for every term; returns a bit mask of the matching seqs. */
static unsigned search(struct fixture *f, const char *const *terms, size_t nterms)
{
    struct rp_str t[RP_MAX_SEARCH_TERMS];
    assert_true(nterms <= RP_MAX_SEARCH_TERMS);
    for (size_t i = 0; i < nterms; i++)
        t[i] = rp_str_c(terms[i]);
    struct arena a;
    arena_init(&a);
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    assert_int_equal(buf_adds(&sql, "SELECT t.seq FROM notes t WHERE t.seq IN ("), RP_OK);
    struct store_val params[4];
    size_t nparams = 0;
    assert_int_equal(store_fts_matches(f->s, &sql, "notes", t, nterms, &a, params, &nparams),
                     RP_OK);
    assert_true(nparams >= 1 && nparams <= 2);
    assert_int_equal(buf_adds(&sql, ") ORDER BY t.seq"), RP_OK);
    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c, buf_cstr(&sql), &st), RP_OK);
    assert_int_equal(store_bind_all(st, params, nparams), RP_OK);
    unsigned mask = 0;
    bool row = false;
    enum rp_err err;
    while (!(err = store_step(st, &row)) && row) {
        int64_t seq = store_col_int(st, 0);
        assert_true(seq > 0 && seq < 32);
        mask |= 1u << seq;
    }
    assert_int_equal(err, RP_OK);
    store_done(st);
    buf_release(&sql);
    arena_release(&a);
    return mask;
}

#define SEARCH(...)                                                                      \
    search(f, (const char *const[]){__VA_ARGS__},                                         \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define SEQS1(a) (1u << (a))
#define SEQS2(a, b) (1u << (a) | 1u << (b))

static void test_fts_substring(void **state)
{
    struct fixture *f = *state;
    setup_notes(f);
    /* English: case-insensitive substrings, not just words or prefixes. */
    assert_int_equal(SEARCH("ohn"), SEQS1(1));
    assert_int_equal(SEARCH("OHN"), SEQS1(1));
    assert_int_equal(SEARCH("John"), SEQS1(1));
    assert_int_equal(SEARCH("smith"), SEQS2(1, 3));
    assert_int_equal(SEARCH("SMI"), SEQS2(1, 3));
    assert_int_equal(SEARCH("mith"), SEQS2(1, 3));
    assert_int_equal(SEARCH("John Smith"), SEQS1(1));
    assert_int_equal(SEARCH("hotline"), SEQS1(4));
    /* Chinese: a two-character substring inside a run without spaces. */
    assert_int_equal(SEARCH("客户"), SEQS2(2, 4));
    assert_int_equal(SEARCH("要客"), SEQS1(2));
    assert_int_equal(SEARCH("名单"), SEQS1(2));
    assert_int_equal(SEARCH("重要客户名单"), SEQS1(2));
    assert_int_equal(SEARCH("客户服务"), SEQS1(4));
    /* Quotes in a term are literal text, not query syntax. */
    assert_int_equal(SEARCH("\"hi\""), SEQS1(5));
    assert_int_equal(SEARCH("\"hi"), SEQS1(5));
}

static void test_fts_terms_and_misses(void **state)
{
    struct fixture *f = *state;
    setup_notes(f);
    /* Every term must match (AND). */
    assert_int_equal(SEARCH("smith", "jane"), SEQS1(3));
    assert_int_equal(SEARCH("smith", "ohn"), SEQS1(1));
    assert_int_equal(SEARCH("客户", "acme"), SEQS1(4));
    assert_int_equal(SEARCH("john", "doe"), 0);
    assert_int_equal(SEARCH("客户", "smith"), 0);
    /* Non-matches. */
    assert_int_equal(SEARCH("xyz"), 0);
    assert_int_equal(SEARCH("客服"), 0);
    assert_int_equal(SEARCH("户客"), 0);
    assert_int_equal(SEARCH("johnsmith"), 0);
    assert_int_equal(SEARCH("smiths"), 0);
    /* Query syntax words and characters are plain text. */
    assert_int_equal(SEARCH("OR"), SEQS1(4)); /* the "or" in "Corp", not an operator */
    assert_int_equal(SEARCH("AND"), 0);
    assert_int_equal(SEARCH("NEAR"), 0);
    assert_int_equal(SEARCH("sm*"), 0);
    assert_int_equal(SEARCH("(john)"), 0);
}

static void test_fts_update_and_delete(void **state)
{
    struct fixture *f = *state;
    setup_notes(f);
    /* Put replaces the text. */
    const char *bob = "Bob Jones";
    assert_int_equal(store_fts_put(f->c, "notes", 1, false, bob, strlen(bob)), RP_OK);
    assert_int_equal(SEARCH("ohn"), 0);
    assert_int_equal(SEARCH("smith"), SEQS1(3));
    assert_int_equal(SEARCH("bob"), SEQS1(1));
    /* Delete removes it. */
    assert_int_equal(store_fts_delete(f->c, "notes", 3), RP_OK);
    assert_int_equal(SEARCH("smith"), 0);
    assert_int_equal(count_rows(f->c, "notes"), 5); /* the record itself stays */
    /* Empty text removes it too. */
    assert_int_equal(store_fts_put(f->c, "notes", 2, false, "", 0), RP_OK);
    assert_int_equal(SEARCH("客户"), SEQS1(4));
    assert_int_equal(count_rows(f->c, "notes_fts"), 3);
    /* Deleting what is not there is fine. */
    assert_int_equal(store_fts_delete(f->c, "notes", 99), RP_OK);
    /* Text is bound by length. */
    assert_int_equal(store_fts_put(f->c, "notes", 2, false, "Carol Baskin", 5), RP_OK);
    assert_int_equal(SEARCH("carol"), SEQS1(2));
    assert_int_equal(SEARCH("baskin"), 0);
}

static void test_fts_in_transaction(void **state)
{
    struct fixture *f = *state;
    setup_notes(f);
    assert_int_equal(store_begin(f->c, true), RP_OK);
    const char *t = "Rollback Me";
    assert_int_equal(store_fts_put(f->c, "notes", 1, false, t, strlen(t)), RP_OK);
    assert_int_equal(SEARCH("back"), SEQS1(1));
    store_rollback(f->c);
    assert_int_equal(SEARCH("back"), 0);
    assert_int_equal(SEARCH("ohn"), SEQS1(1));
}

/* After a bulk load the full-text index is merged into one segment: fewer rows in its
 * data table, the same matches. */
static void test_fts_optimize(void **state)
{
    struct fixture *f = *state;
    setup_notes(f); /* five commits: five segments */
    const int64_t before = query_int(f->c, "SELECT count(*) FROM notes_fts_data", NULL, 0);
    assert_int_equal(store_fts_optimize(f->c, "notes"), RP_OK);
    assert_true(query_int(f->c, "SELECT count(*) FROM notes_fts_data", NULL, 0) < before);
    /* One segment: one more step of an incremental optimize finds nothing to merge. */
    const int64_t changes = query_int(f->c, "SELECT total_changes()", NULL, 0);
    assert_int_equal(store_exec(f->c, "INSERT INTO notes_fts(notes_fts, rank) VALUES ('merge', -1)",
                                NULL, 0),
                     RP_OK);
    assert_true(query_int(f->c, "SELECT total_changes()", NULL, 0) - changes < 2);
    assert_int_equal(SEARCH("ohn"), SEQS1(1));
    assert_int_equal(SEARCH("客户"), SEQS2(2, 4));
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_rejects_bad_urls),
        cmocka_unit_test_setup_teardown(test_open_url_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_list_and_totals_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_running_sums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_running_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_span_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_further_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_heavy_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isolation_between_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts_substring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts_terms_and_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts_update_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts_optimize, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
