/* Shared inside store/ only: the backend interface behind db.h.
 *
 * Each backend (sqlite.c, postgres.c) embeds the base structs below as the first
 * member of its own store, connection and statement, and fills one struct store_ops.
 * store.c implements db.h by dispatching through it, so one binary speaks both. */
#ifndef RP_STORE_INT_H
#define RP_STORE_INT_H

#include "store/db.h"
#include "store/platform.h"

struct sqlite3;

struct store_ops {
    const char *name; /* "sqlite", "postgres" */
    void (*close)(struct store *s);
    enum rp_err (*conn_get)(struct store *s, struct store_conn **out);
    void (*set_connections)(struct store *s, unsigned n); /* NULL: nothing to share */
    void (*set_write_cache)(struct store *s, unsigned kib); /* NULL: nothing to size */
    enum rp_err (*set_statement_timeout)(struct store_conn *c, unsigned ms);
    /* NULL: no high availability (SQLite). */
    enum rp_err (*open_read_replica)(struct store *s, const char *url, unsigned max_lag_ms);
    void (*conn_read_replica)(struct store_conn *c, bool allowed);
    enum rp_err (*status)(struct store_conn *c, struct store_status *out);
    /* NULL: the backend plans lists itself (store_trial_begin, store_index_hint). */
    bool (*trial_begin)(struct store_conn *c, uint64_t steps);
    bool (*trial_end)(struct store_conn *c);
    enum rp_err (*index_hint)(struct rp_buf *sql, const char *index);
    enum rp_err (*size)(struct store_conn *c, int64_t *bytes);
    /* An online copy into a file (NULL: the backend has its own tools). */
    enum rp_err (*backup)(struct store *s, const char *dest_path, int64_t *bytes);
    enum rp_err (*begin)(struct store_conn *c, bool write);
    enum rp_err (*commit)(struct store_conn *c);
    void (*rollback)(struct store_conn *c);
    enum rp_err (*prepare)(struct store_conn *c, const char *sql, struct store_stmt **out);
    enum rp_err (*bind)(struct store_stmt *st, int idx, struct store_val v);
    enum rp_err (*step)(struct store_stmt *st, bool *row);
    bool (*col_null)(struct store_stmt *st, int col);
    int64_t (*col_int)(struct store_stmt *st, int col);
    const char *(*col_text)(struct store_stmt *st, int col, size_t *len);
    void (*done)(struct store_stmt *st);
    int64_t (*changes)(struct store_conn *c);
    /* A multi-statement script without parameters (migrations, DDL). */
    enum rp_err (*exec_script)(struct store_conn *c, const char *sql);
    /* Applies the numbered platform migrations not yet recorded. */
    enum rp_err (*migrate)(struct store_conn *c);
    enum rp_err (*sync_table)(struct store_conn *c, const struct store_table *t);
    /* After rows were copied in with their seq: new rows continue past them (NULL
     * when the backend does that by itself). */
    enum rp_err (*seq_follow)(struct store_conn *c, const char *table);
    const char *like_ci;
    bool fts_finds_like; /* store_fts_finds_like */
    /* Appended to an INSERT into a record table so that its step returns the new seq
     * (PostgreSQL); "" where last_seq reads it instead (SQLite: RETURNING there runs
     * the insert under a statement journal, whose savepoint makes FTS5 flush its
     * pending index on every insert after a full-text write in the transaction). */
    const char *returning_seq;
    int64_t (*last_seq)(struct store_conn *c);
    /* Appended to the job-claim subquery: row locks that other claimers skip. */
    const char *skip_locked;
    /* The ids of the active users in any of the teams of a JSON array bound as its one
     * parameter (team membership is a JSON column: each dialect reads it its way). */
    const char *team_peers_sql;
    /* A JSON array of the teams of a JSON array bound as its one parameter and of every
     * team below them (teams.parent_id). */
    const char *teams_below_sql;
    enum rp_err (*json_array_has_any)(struct rp_buf *sql, const char *column, size_t n);
    enum rp_err (*month_of)(struct rp_buf *sql, const char *column);
    enum rp_err (*fts_put)(struct store_conn *c, const char *table, int64_t seq, bool fresh,
                           const char *text, size_t len);
    enum rp_err (*fts_delete)(struct store_conn *c, const char *table, int64_t seq);
    enum rp_err (*fts_optimize)(struct store_conn *c, const char *table); /* NULL: none */
    enum rp_err (*fts_matches)(struct rp_buf *sql, const char *table,
                               const struct rp_str *terms, size_t nterms, struct arena *a,
                               struct store_val *params, size_t *nparams);
};

/* The base every backend's structs start with. */
struct store {
    const struct store_ops *ops;
};
struct store_conn {
    struct store *store;
};
struct store_stmt {
    struct store_conn *conn;
};

/* Backend constructors: open the database named by the backend's part of the url. */
enum rp_err store__sqlite_open(const char *path, struct store **out);
enum rp_err store__pg_open(const char *conninfo, struct store **out);

/* FNV-1a of a statement's text, the key of the statement caches. */
uint64_t store__hash_sql(const char *s);
/* The dialect's row-lock clause for claiming jobs ("" when writers are serial). */
const char *store__skip_locked(const struct store *s);

/* A text column copied into the arena; NULL for NULL. */
const char *store__col_dup(struct store_stmt *st, int col, struct arena *a);

/* Runs sql with vals and steps to its first row: RP_OK leaves *st on that row for the
 * caller to read and store_done; RP_ENOTFOUND (no row) and errors leave nothing open. */
enum rp_err store__first_row(struct store_conn *c, const char *sql, const struct store_val *vals,
                             size_t n, struct store_stmt **st);

/* Appends the DDL of a record table's list and totals indexes (db.h, store_table),
 * and drops the indexes an earlier version made that these replace. `postgres` is the
 * dialect: PostgreSQL carries the visibility columns in INCLUDE (…) instead of at the
 * end of the key, and orders every key column NULLS FIRST (STORE_PG_KEY_ORDER). */
enum rp_err store__derived_indexes(struct rp_buf *sql, const struct store_table *t,
                                   bool postgres);

/* Appends the upgrade of a record table made before deleted_by existed (`have`: its
 * columns, newline-separated, as sync_table reads them; `text`: the dialect's text
 * type): the column, filled for the records already in the recycle bin with the user
 * of their last delete row in the audit log (NULL where that names nobody). Nothing
 * when the column is there. */
enum rp_err store__add_deleted_by(struct rp_buf *sql, const char *table, const char *have,
                                  const char *text);

/* Appended to every key column of a PostgreSQL index on a record table. Lists order
 * NULLs as SQLite does, first ascending and last descending (crm/query.c spells it out
 * in ORDER BY); a btree index in PostgreSQL's default order (NULLS LAST) serves neither
 * direction, so every list of one name read all its rows and sorted them. */
#define STORE_PG_KEY_ORDER " NULLS FIRST"

/* Creates the running sums of a table with a group, value, weight and currency (db.h)
 * from the dialect's DDL template (@T table, @G group, @V value, @W weight, @C
 * currency): its table, then whatever keeps it current. When `exists_sql` (a query of
 * one number: does the sums table exist, with its currency?) says no, runs `drop`
 * first (sums of an earlier version) and fills the new table from the rows. */
enum rp_err store__sync_sums(struct store_conn *c, const struct store_table *t,
                             const char *exists_sql, const char *drop, const char *ddl);

/* Creates the running counts of a table with a counts column (db.h) from the dialect's
 * DDL template (@T table, @G the column): its table, then whatever keeps it current.
 * When `exists_sql` (a query of one number: does the counts table exist?) says no,
 * fills the new table from the rows. */
enum rp_err store__sync_counts(struct store_conn *c, const struct store_table *t,
                               const char *exists_sql, const char *ddl);

/* Runs a multi-statement script without parameters (migrations, DDL). */
enum rp_err store__exec_script(struct store_conn *c, const char *sql);

/* One numbered migration: never edit one that has shipped, add the next number. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};
/* Applies the migrations not yet in schema_migrations, each in a write transaction.
 * create_sql makes the schema_migrations table when it is missing. */
enum rp_err store__apply_migrations(struct store_conn *c, const char *create_sql,
                                    const struct store_migration *m, size_t n);

/* SQLite dialect (sqlite_schema.c, sqlite_fts.c). */
enum rp_err store__sqlite_register_tokenizer(struct sqlite3 *db);
enum rp_err store__sqlite_migrate(struct store_conn *c);
enum rp_err store__sqlite_sync_table(struct store_conn *c, const struct store_table *t);
extern const char store__sqlite_team_peers_sql[];
extern const char store__sqlite_teams_below_sql[];
enum rp_err store__sqlite_json_array_has_any(struct rp_buf *sql, const char *column, size_t n);
enum rp_err store__sqlite_month_of(struct rp_buf *sql, const char *column);
enum rp_err store__sqlite_fts_put(struct store_conn *c, const char *table, int64_t seq,
                                  bool fresh, const char *text, size_t len);
enum rp_err store__sqlite_fts_delete(struct store_conn *c, const char *table, int64_t seq);
enum rp_err store__sqlite_fts_matches(struct rp_buf *sql, const char *table,
                                      const struct rp_str *terms, size_t nterms, struct arena *a,
                                      struct store_val *params, size_t *nparams);

/* PostgreSQL dialect (pg_schema.c). */
enum rp_err store__pg_migrate(struct store_conn *c);
enum rp_err store__pg_sync_table(struct store_conn *c, const struct store_table *t);
extern const char store__pg_team_peers_sql[];
extern const char store__pg_teams_below_sql[];
enum rp_err store__pg_json_array_has_any(struct rp_buf *sql, const char *column, size_t n);
enum rp_err store__pg_month_of(struct rp_buf *sql, const char *column);
enum rp_err store__pg_fts_put(struct store_conn *c, const char *table, int64_t seq,
                              bool fresh, const char *text, size_t len);
enum rp_err store__pg_fts_delete(struct store_conn *c, const char *table, int64_t seq);
enum rp_err store__pg_fts_matches(struct rp_buf *sql, const char *table,
                                  const struct rp_str *terms, size_t nterms, struct arena *a,
                                  struct store_val *params, size_t *nparams);

/* Rewrites `?` placeholders (outside quoted strings, identifiers and comments) to
 * $1, $2 … into out. Returns the number of parameters through *nparams. */
enum rp_err store__pg_number_params(const char *sql, struct rp_buf *out, int *nparams);
/* A pg_lsn's text ("16/B374D848") as a number; 0 when it is not one. */
uint64_t store__pg_lsn_parse(const char *text);
/* Whether sql only reads (a SELECT or WITH): what may run on a read replica. */
bool store__pg_is_query(const char *sql);

#endif
