/* The one store interface. crm/ talks to the database only through this header;
 * sqlite.c (the embedded default) and postgres.c (scale-out) implement it; store.c
 * picks one from the database url and dispatches.
 *
 * Conventions every backend honours:
 *  - SQL given to store_prepare uses `?` placeholders; a backend that numbers its
 *    parameters ($1, $2 …) rewrites them. Identifiers in SQL come from metadata only.
 *  - Every table has `seq` (64-bit integer primary key, insertion order) and the
 *    engine's record tables also carry `id` (UUIDv7 text) and `workspace_id`.
 *  - Dialect differences (DDL, full-text search, upsert) are behind the functions in
 *    the "dialect" section, never spelled out in crm/.
 *  - Backend errors become rp_err here: unique violations are RP_ECONFLICT, a lock
 *    held past the busy timeout is RP_EBUSY, anything else RP_EDB (logged, with the
 *    backend message, never returned to clients); integer overflow in arithmetic
 *    (sum) is RP_ERANGE.
 *
 * Threads: struct store is shared; every thread gets its own struct store_conn from
 * store_conn_get(); a connection and its statements are used by one thread only. */
#ifndef RP_STORE_DB_H
#define RP_STORE_DB_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/common.h"

struct store;
struct store_conn;
struct store_stmt;

enum store_vtype { STORE_NULL, STORE_INT, STORE_TEXT };

/* A bound parameter or a read value. Text is borrowed. */
struct store_val {
    enum store_vtype type;
    int64_t i;
    const char *s;
    size_t len;
};

static inline struct store_val store_int(int64_t i)
{
    return (struct store_val){STORE_INT, i, NULL, 0};
}
static inline struct store_val store_text(const char *s, size_t len)
{
    return (struct store_val){STORE_TEXT, 0, s, len};
}
static inline struct store_val store_cstr(const char *s)
{
    return s ? store_text(s, strlen(s)) : (struct store_val){STORE_NULL, 0, NULL, 0};
}
static inline struct store_val store_null(void)
{
    return (struct store_val){STORE_NULL, 0, NULL, 0};
}

/* ---- lifecycle ---- */

/* Opens the database named by url ("sqlite:PATH"; a bare path means sqlite;
 * "postgres://…" or "postgresql://…" a libpq connection URI), creating it (SQLite) and
 * applying the numbered platform migrations. Returns owned; store_close it. */
enum rp_err store_open(const char *url, struct store **out);
/* True when url names a PostgreSQL database. */
bool store_is_postgres_url(const char *url);
/* "sqlite" or "postgres". */
const char *store_backend(const struct store *s);
/* Closes every connection. No thread may be using the store any more. */
void store_close(struct store *s);
/* The calling thread's connection, opened on first use and closed when the thread
 * exits or the store closes. Borrowed. */
enum rp_err store_conn_get(struct store *s, struct store_conn **out);
/* How many connections the caller will use at once (the server: one per worker
 * thread). SQLite shares its page-cache budget, RP_SQLITE_CACHE_KIB, among them, so
 * the cache of a server stays within the budget and a single-connection command (an
 * import) gets all of it. Applies to the calling thread's connection and to those
 * opened afterwards. PostgreSQL's caches are the server's own: nothing to do. */
void store_set_connections(struct store *s, unsigned n);
/* For a bulk loader alone on a database (`rapport bench-data`), whose transactions
 * change more pages than the shared budget holds: SQLite's writer keeps up to kib KiB of
 * pages, so a transaction's changed pages stay in memory until it commits instead of
 * spilling into the WAL part-way and being written again. PostgreSQL: nothing to do. */
void store_set_write_cache(struct store *s, unsigned kib);
/* High availability (PostgreSQL; docs/ha.md). A read replica for the reads (outside
 * write transactions) of connections that allow it (store_conn_read_replica): url is a libpq
 * URI (several hosts and target_session_attrs=prefer-standby, typically). A replica
 * read sees every write acknowledged more than max_lag_ms before it began, and every
 * write this process committed; a replica behind that reads from the primary instead.
 * RP_EINVAL for SQLite, RP_ENOMEM. */
enum rp_err store_open_read_replica(struct store *s, const char *url, unsigned max_lag_ms);
/* Whether this connection's reads may run on the read replica from now on (set by
 * each request: lists, search and exports allow it; a record and its timeline, read
 * right after the user saved it, do not). No effect without a replica. */
void store_conn_read_replica(struct store_conn *c, bool allowed);
/* What the server is connected to, for /metrics and the status page. */
struct store_status {
    char writes_to[160];       /* host:port of the primary this connection writes to */
    char reads_from[160];      /* host:port of the read replica, "" when none */
    int64_t replica_lag_bytes; /* WAL the replica has yet to replay; -1: unknown, none */
    int64_t reconnects;        /* connections made again after a failure (this process) */
    int64_t unavailable;       /* statements that found the database gone or read-only */
    int64_t replica_reads;     /* requests whose reads ran on the replica */
    int64_t replica_fallbacks; /* replica reads sent to the primary: the replica was behind */
};
/* Fills *out for c's store (zeros and "" for SQLite). RP_EUNAVAIL when the primary
 * does not answer. */
enum rp_err store_status(struct store_conn *c, struct store_status *out);
/* Gives every statement this connection runs outside a write transaction a time
 * limit of ms milliseconds (0: none, the default). A statement past it stops and
 * fails with RP_ETIMEOUT; a read transaction it was part of must be rolled back.
 * Statements of write transactions are never stopped. The server sets it on each
 * request's connection (RP_STATEMENT_TIMEOUT_MS); commands and jobs leave it off.
 * RP_EDB when PostgreSQL refuses the setting (the connection keeps its former limit). */
enum rp_err store_set_statement_timeout(struct store_conn *c, unsigned ms);
/* A trial run: the statements this connection runs until store_trial_end stop after
 * about `steps` steps of the database's virtual machine and fail with RP_ETIMEOUT,
 * quietly. A list tries the plan that walks its sort index this way, and when the
 * filters make that walk long, runs the statement again for the database's own plan
 * (engine/list.c). False, and nothing is set, where the backend plans every list well
 * itself (PostgreSQL, which knows each value's frequency) or inside a write
 * transaction. A read-only statement stopped inside a read transaction leaves it as it
 * was. */
bool store_trial_begin(struct store_conn *c, uint64_t steps);
/* Ends the trial; true when its budget stopped a statement (and not the statement time
 * limit, whose RP_ETIMEOUT is the caller's answer). */
bool store_trial_end(struct store_conn *c);
/* Appends to a statement's FROM <table> t the hint that it reads `index` (SQLite's
 * INDEXED BY). Only after store_trial_begin said true. */
enum rp_err store_index_hint(struct store_conn *c, struct rp_buf *sql, const char *index);
/* Size of the database in bytes (for /metrics). */
enum rp_err store_size(struct store_conn *c, int64_t *bytes);

/* Refreshes the query planner's statistics (ANALYZE), after a bulk load: without them
 * SQLite guesses that an equality on any index beats a range, and picks the owner
 * index over a date range for a team's calendar. Only `table` and its indexes, or
 * every table when it is NULL. */
enum rp_err store_analyze(struct store_conn *c, const char *table);
/* Online backup to the new file dest_path while other connections and processes go on
 * writing: a consistent copy of one moment, checked (integrity_check) before it is
 * renamed into place, so dest_path is either a whole, valid database or absent.
 * RP_ECONFLICT when dest_path exists; RP_EBUSY when the database stayed locked past
 * the busy timeout; RP_EINVAL when the backend has no such copy (PostgreSQL: use
 * pg_dump). *bytes is the size of the copy. */
enum rp_err store_backup(struct store *s, const char *dest_path, int64_t *bytes);


/* ---- transactions ---- */

/* Begins a transaction. Write transactions are serialised (one writer path). */
enum rp_err store_begin(struct store_conn *c, bool write);
enum rp_err store_commit(struct store_conn *c);
/* Rolls back if a transaction is open; harmless otherwise. */
void store_rollback(struct store_conn *c);
/* A savepoint in the open transaction, for work that may have to be undone alone (an
 * import's row and the records it created): store_savepoint sets it;
 * store_savepoint_end releases it, keeping the work, or first rolls back to it. One
 * at a time. */
enum rp_err store_savepoint(struct store_conn *c);
enum rp_err store_savepoint_end(struct store_conn *c, bool keep);

/* ---- statements ---- */

/* Returns a prepared statement for sql (cached per connection), borrowed until
 * store_done. Parameters are numbered from 1. */
enum rp_err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out);
/* An INSERT of one row into a record table (sql without RETURNING): prepared like
 * store_prepare, run with store_step_insert, which gives the new row's seq. */
enum rp_err store_prepare_insert(struct store_conn *c, const char *sql, struct store_stmt **out);
enum rp_err store_step_insert(struct store_stmt *st, int64_t *seq);
enum rp_err store_bind(struct store_stmt *st, int idx, struct store_val v);
/* Binds vals[0..n) to parameters 1..n. */
enum rp_err store_bind_all(struct store_stmt *st, const struct store_val *vals, size_t n);
/* Advances; *row tells whether a row is available. */
enum rp_err store_step(struct store_stmt *st, bool *row);
/* Column accessors for the current row (columns numbered from 0). Text is borrowed
 * until the next step or store_done. */
bool store_col_null(struct store_stmt *st, int col);
int64_t store_col_int(struct store_stmt *st, int col);
const char *store_col_text(struct store_stmt *st, int col, size_t *len);
/* Resets the statement and hands it back to the cache. */
void store_done(struct store_stmt *st);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t store_changes(struct store_conn *c);

/* Prepares, binds, runs to completion and finishes: for statements without rows. */
enum rp_err store_exec(struct store_conn *c, const char *sql, const struct store_val *vals,
                       size_t n);

/* Runs a query whose first column of the first row is an integer (count, sum);
 * *out is 0 when there is no row. */
enum rp_err store_query_int(struct store_conn *c, const char *sql, const struct store_val *vals,
                            size_t n, int64_t *out);

/* ---- dialect: schema ---- */

enum store_coltype { STORE_COL_TEXT, STORE_COL_INT };

struct store_column {
    const char *name;
    enum store_coltype type;
    bool unique;   /* unique among live rows of a workspace */
    bool indexed;
};

/* A record table as the engine needs it. Besides `columns`, the store adds seq, id,
 * workspace_id, created_at, updated_at, created_by, owner_id, version, deleted_at,
 * with indexes for the default sorts.
 *
 * The list and totals indexes also carry the columns every visibility check reads
 * (owner_id, workspace_id, deleted_at): a team's page, its count and its totals are
 * filtered inside the index, and only the rows a page returns are read from the table. */
struct store_table {
    const char *name;
    const struct store_column *columns;
    size_t ncolumns;
    bool fts;      /* keep a full-text index <name>_fts */
    /* Columns of the default list sort, for an index that serves the first page of
     * every unfiltered list without sorting. NULL-terminated; may be NULL. */
    const char *const *sort_columns;
    /* Columns of the entity's totals, for an index that answers them alone:
     * NULL-terminated; may be NULL. When they are three, a group, a value and a
     * weight (opportunities: stage, amount, probability), and the value has a
     * currency (totals_currency), the store also keeps running sums,
     * <name>__sums(workspace_id, owner_id, grp, cur, n, total, weighted): per
     * workspace, owner ('' for none), group ('' for none) and currency ('' for none),
     * the live rows' count, sum of value and sum of value × weight, maintained by
     * triggers in the writing transaction, so totals over a million rows are a few
     * rows' reads. */
    const char *const *totals_columns;
    /* The start and end columns of a span of time, for an index that finds what
     * overlaps a range inside it: <name>__span(start, end) carrying owner_id,
     * workspace_id, deleted_at. When start is also the first sort column, the span index
     * serves that column's counts and there is no <name>__count. NULL or two columns. */
    const char *const *span_columns;
    /* The currency of the totals' value (opportunities: currency), or NULL. Sums of
     * money are per currency: the running sums (kept only with one) have a column
     * `cur` after grp, and the totals index carries it second. */
    const char *totals_currency;
    /* Further indexes, each a NULL-terminated list of columns: <name>__<columns joined
     * by '_'>, carrying owner_id, workspace_id, deleted_at. One replaces an index of
     * its leading columns (of two or more) that is not declared itself.
     * NULL-terminated; may be NULL. */
    const char *const *const *indexes;
    /* A column whose live rows the store counts per workspace, owner and value:
     * <name>__counts(workspace_id, owner_id, grp, n), owner and value '' for none, kept
     * by triggers in the writing transaction and filled from the rows when made, so
     * "how many open cases has each agent" reads a few rows however many there are.
     * NULL: none. */
    const char *counts_column;
};

/* Creates the table, adds missing columns and indexes, creates the full-text index.
 * Idempotent; runs at start, in one transaction with the other tables. */
enum rp_err store_sync_table(struct store_conn *c, const struct store_table *t);

/* ---- dialect: operators ---- */

/* The case-insensitive (for ASCII at least) LIKE operator: "LIKE" or "ILIKE". */
const char *store_like_ci(const struct store *s);
/* Whether store_fts_matches finds every record whose full-text body holds the term as
 * store_like_ci would find it, case folded alike: SQLite's LIKE and its bigram index
 * both fold ASCII only. PostgreSQL's ILIKE folds all of Unicode, its index ASCII: no. */
bool store_fts_finds_like(const struct store *s);

/* ---- dialect: team scope ---- */

/* Appends a condition true when `alias.owner_id` is user_id or a live user who shares
 * a live team with team_ids (a JSON array of team ids). Appends its values to params
 * (caller capacity: *nparams + 2). */
enum rp_err store_team_owner_condition(const struct store *s, struct rp_buf *sql,
                                       const char *alias, const char *user_id,
                                       const char *team_ids, struct store_val *params,
                                       size_t *nparams);

/* Appends a condition true when the JSON array in `column` holds one of n values
 * (bound by the caller, n placeholders). */
enum rp_err store_json_array_has_any(const struct store *s, struct rp_buf *sql,
                                     const char *column, size_t n);
/* Appends an expression giving the "YYYY-MM" month of a "YYYY-MM-DD" date column. */
enum rp_err store_month_of(const struct store *s, struct rp_buf *sql, const char *column);

/* ---- dialect: full-text search ---- */

/* Replaces the searchable text of row `seq` of `table`; fresh says the row has none
 * yet (a record just inserted), so there is nothing to remove first. */
enum rp_err store_fts_put(struct store_conn *c, const char *table, int64_t seq, bool fresh,
                          const char *text, size_t len);
enum rp_err store_fts_delete(struct store_conn *c, const char *table, int64_t seq);
/* Merges table's full-text index into one segment, after a bulk load. SQLite's FTS5
 * index keeps a segment per loading transaction, and the merges that later writes set
 * off then rewrote the large ones: creates on freshly generated data ran at 811-890/s
 * (p99 215 ms), and at 1,440-1,540/s (p99 26-31 ms) after this. Called outside a
 * transaction, the merge commits in steps, so other writers wait for a step at most.
 * PostgreSQL: nothing to do. */
enum rp_err store_fts_optimize(struct store_conn *c, const char *table);
/* Appends to sql a query of one column, the `seq` of every row of table whose text
 * contains every term (each term a substring match, case-insensitive for ASCII, any
 * script including Chinese: terms of two characters or more), in no particular order.
 * Appends the values to bind to params (caller capacity of at least *nparams + nterms). */
enum rp_err store_fts_matches(struct store *s, struct rp_buf *sql, const char *table,
                              const struct rp_str *terms, size_t nterms, struct arena *a,
                              struct store_val *params, size_t *nparams);

#endif
