/* SQLite implementation of store/db.h: WAL, synchronous=FULL, one connection per
 * thread, a per-connection prepared-statement cache, one in-process writer path. */
#include "core/common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "core/log.h"
#include "store/db.h"
#include "store/store_int.h"

struct cached {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *stmt;
    uint64_t last_use;
};

struct store_stmt {
    sqlite3_stmt *stmt;
    struct store_conn *conn;
    bool cached;
    bool in_use;
};

struct store_conn {
    struct store *store;
    sqlite3 *db;
    struct cached cache[RP_STMT_CACHE];
    struct store_stmt handles[RP_STMT_CACHE];
    size_t ncache;
    uint64_t clock;
    bool in_tx;
    bool write_tx;
    struct store_conn *next;
};

struct store {
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock;          /* guards conns */
    pthread_mutex_t write_lock;    /* the one writer path */
    struct store_conn *conns;
};

static enum rp_err map_rc(sqlite3 *db, int rc, const char *what)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return RP_OK;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return RP_ECONFLICT;
        LOG(LOG_ERROR, "sqlite constraint failed during %s: %s", what,
            db ? sqlite3_errmsg(db) : "");
        return RP_EDB;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        LOG(LOG_WARN, "sqlite busy during %s", what);
        return RP_EBUSY;
    case SQLITE_NOMEM:
        return RP_ENOMEM;
    case SQLITE_TOOBIG:
        return RP_ETOOBIG;
    default:
        if (db && strcmp(sqlite3_errmsg(db), "integer overflow") == 0)
            return RP_ERANGE;
        LOG(LOG_ERROR, "sqlite error during %s: %s (%d)", what, db ? sqlite3_errmsg(db) : "",
            rc);
        return RP_EDB;
    }
}

static uint64_t hash_sql(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void conn_free(struct store_conn *c)
{
    for (size_t i = 0; i < c->ncache; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    if (c->in_tx)
        store_rollback(c);
    /* Lets SQLite refresh the planner statistics it found missing or stale. */
    sqlite3_exec(c->db, "PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(c->db);
    free(c);
}

static void conn_unlink(struct store *s, struct store_conn *c)
{
    pthread_mutex_lock(&s->lock);
    for (struct store_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void thread_exit(void *p)
{
    struct store_conn *c = p;
    conn_unlink(c->store, c);
    conn_free(c);
}

static enum rp_err conn_open(struct store *s, struct store_conn **out)
{
    static const char *pragmas = "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=FULL;"
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA mmap_size=268435456;"
                                 "PRAGMA cache_size=-32768;"
                                 "PRAGMA temp_store=MEMORY;";
    enum rp_err err = RP_OK;
    char *msg = NULL;
    struct store_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return RP_ENOMEM;
    c->store = s;
    int rc = sqlite3_open_v2(s->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        LOG(LOG_ERROR, "cannot open database: %s", c->db ? sqlite3_errmsg(c->db) : "");
        err = RP_EDB;
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 10000);
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        LOG(LOG_ERROR, "cannot configure database: %s", msg ? msg : "");
        err = RP_EDB;
        goto out;
    }
    err = store__sqlite_register_tokenizer(c->db);
    if (err)
        goto out;
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    *out = c;
out:
    sqlite3_free(msg);
    if (err) {
        sqlite3_close(c->db);
        free(c);
    }
    return err;
}

enum rp_err store_conn_get(struct store *s, struct store_conn **out)
{
    struct store_conn *c = pthread_getspecific(s->key);
    if (c) {
        *out = c;
        return RP_OK;
    }
    enum rp_err err = conn_open(s, &c);
    if (err)
        return err;
    pthread_setspecific(s->key, c);
    *out = c;
    return RP_OK;
}

enum rp_err store_open(const char *url, struct store **out)
{
    const char *path = url;
    if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strstr(url, "://")) {
        LOG(LOG_ERROR, "unsupported database url scheme (only sqlite: in this build)");
        return RP_EINVAL;
    }
    if (!*path)
        return RP_EINVAL;
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return RP_ENOMEM;
    s->path = strdup(path);
    if (!s->path || pthread_key_create(&s->key, thread_exit) != 0) {
        free(s->path);
        free(s);
        return RP_ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->write_lock, NULL);
    struct store_conn *c;
    enum rp_err err = store_conn_get(s, &c);
    if (!err)
        err = store__migrate(c);
    if (err) {
        store_close(s);
        return err;
    }
    *out = s;
    return RP_OK;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    pthread_setspecific(s->key, NULL);
    pthread_mutex_lock(&s->lock);
    struct store_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c) {
        struct store_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_lock);
    free(s->path);
    free(s);
}

const char *store_like_ci(const struct store *s)
{
    (void)s;
    return "LIKE"; /* SQLite's LIKE folds ASCII case */
}

enum rp_err store_size(struct store_conn *c, int64_t *bytes)
{
    return store_query_int(
        c, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", NULL, 0,
        bytes);
}

enum rp_err store_bulk(struct store_conn *c)
{
    int rc = sqlite3_exec(c->db, "PRAGMA mmap_size=0", NULL, NULL, NULL);
    return map_rc(c->db, rc, "bulk mode");
}

enum rp_err store_begin(struct store_conn *c, bool write)
{
    RP_ASSERT(!c->in_tx);
    if (write)
        pthread_mutex_lock(&c->store->write_lock);
    int rc = sqlite3_exec(c->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
    enum rp_err err = map_rc(c->db, rc, "begin");
    if (err) {
        if (write)
            pthread_mutex_unlock(&c->store->write_lock);
        return err;
    }
    c->in_tx = true;
    c->write_tx = write;
    return RP_OK;
}

static void end_tx(struct store_conn *c)
{
    if (c->write_tx)
        pthread_mutex_unlock(&c->store->write_lock);
    c->in_tx = false;
    c->write_tx = false;
}

enum rp_err store_commit(struct store_conn *c)
{
    RP_ASSERT(c->in_tx);
    int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    enum rp_err err = map_rc(c->db, rc, "commit");
    if (err) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    end_tx(c);
    return err;
}

void store_rollback(struct store_conn *c)
{
    if (!c->in_tx)
        return;
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    end_tx(c);
}

enum rp_err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    uint64_t h = hash_sql(sql);
    c->clock++;
    size_t victim = 0;
    for (size_t i = 0; i < c->ncache; i++) {
        struct cached *e = &c->cache[i];
        if (e->sql && e->hash == h && strcmp(e->sql, sql) == 0 && !c->handles[i].in_use) {
            e->last_use = c->clock;
            c->handles[i].in_use = true;
            *out = &c->handles[i];
            return RP_OK;
        }
        if (!c->handles[i].in_use && (c->handles[victim].in_use ||
                                      e->last_use < c->cache[victim].last_use))
            victim = i;
    }
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK)
        return map_rc(c->db, rc, "prepare");
    size_t slot;
    bool fresh = false;
    if (c->ncache < RP_STMT_CACHE) {
        slot = c->ncache++;
        fresh = true;
    } else if (!c->handles[victim].in_use) {
        slot = victim;
        sqlite3_finalize(c->cache[slot].stmt);
        free(c->cache[slot].sql);
        c->cache[slot] = (struct cached){NULL, 0, NULL, 0};
    } else {
        /* Every cached statement is in use (deep nesting): hand out an uncached one. */
        struct store_stmt *st = calloc(1, sizeof(*st));
        if (!st) {
            sqlite3_finalize(stmt);
            return RP_ENOMEM;
        }
        st->stmt = stmt;
        st->conn = c;
        st->in_use = true;
        *out = st;
        return RP_OK;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(stmt);
        if (fresh)
            c->ncache--; /* an emptied reused slot stays, with sql == NULL */
        return RP_ENOMEM;
    }
    c->cache[slot] = (struct cached){copy, h, stmt, c->clock};
    c->handles[slot] = (struct store_stmt){stmt, c, true, true};
    *out = &c->handles[slot];
    return RP_OK;
}

enum rp_err store_bind(struct store_stmt *st, int idx, struct store_val v)
{
    int rc;
    switch (v.type) {
    case STORE_INT:
        rc = sqlite3_bind_int64(st->stmt, idx, v.i);
        break;
    case STORE_TEXT:
        rc = sqlite3_bind_text64(st->stmt, idx, v.s ? v.s : "", v.len, SQLITE_STATIC,
                                 SQLITE_UTF8);
        break;
    default:
        rc = sqlite3_bind_null(st->stmt, idx);
        break;
    }
    return map_rc(st->conn->db, rc, "bind");
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
    int rc = sqlite3_step(st->stmt);
    *row = rc == SQLITE_ROW;
    return map_rc(st->conn->db, rc, "step");
}

bool store_col_null(struct store_stmt *st, int col)
{
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

int64_t store_col_int(struct store_stmt *st, int col)
{
    return sqlite3_column_int64(st->stmt, col);
}

const char *store_col_text(struct store_stmt *st, int col, size_t *len)
{
    const char *p = (const char *)sqlite3_column_text(st->stmt, col);
    if (len)
        *len = p ? (size_t)sqlite3_column_bytes(st->stmt, col) : 0;
    return p;
}

void store_done(struct store_stmt *st)
{
    sqlite3_reset(st->stmt);
    sqlite3_clear_bindings(st->stmt);
    if (st->cached) {
        st->in_use = false;
        return;
    }
    sqlite3_finalize(st->stmt);
    free(st);
}

int64_t store_changes(struct store_conn *c)
{
    return sqlite3_changes64(c->db);
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

enum rp_err store__exec_script(struct store_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        LOG(LOG_ERROR, "sqlite script failed: %s", msg ? msg : "");
        sqlite3_free(msg);
        return map_rc(NULL, rc, "script");
    }
    return RP_OK;
}
