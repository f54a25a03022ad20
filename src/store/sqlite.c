/* SQLite backend of store/db.h: WAL, every acknowledged write on disk (group
 * commit, below), one connection per thread, a per-connection prepared-statement
 * cache, one in-process writer path.
 *
 * Group commit. synchronous=FULL makes every COMMIT wait for its own fsync of the
 * WAL, so writers queue behind the disk one fsync at a time (a few hundred commits a
 * second at best). Instead, connections run with synchronous=NORMAL (a COMMIT writes
 * its WAL frames without syncing; checkpoints still sync) and every write — a
 * transaction or an autocommit statement — waits, before it returns, until an fsync
 * of the WAL that began after its frames were written has finished. Whoever waits
 * first does the fsync for everyone who committed before it started; the others wait
 * for it. A write that returns has reached the disk exactly as with
 * synchronous=FULL, and N concurrent writers share one fsync instead of queueing
 * for N. (Readers may see a commit a few milliseconds before it is durable; its
 * writer has not answered yet.)
 *
 * Checkpoints. SQLite's automatic checkpoint runs inside the commit that took the WAL
 * past its threshold, while that writer still holds the write lock, so every writer
 * behind it waited for the copy and its fsync. Here a thread of the store does them
 * with a connection of its own: a commit that leaves the WAL past RP_WAL_CHECKPOINT
 * pages wakes it, and it runs a passive checkpoint beside the writers, on the other
 * core. Should it fall far behind (RP_WAL_CHECKPOINT_INLINE pages), the committing
 * connection checkpoints itself, as SQLite would have. */
#include "core/common.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/log.h"
#include "core/text.h"
#include "store/db.h"
#include "store/store_int.h"

struct cached {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *stmt;
    uint64_t last_use;
};

struct sq_stmt {
    struct store_stmt base;
    sqlite3_stmt *stmt;
    bool cached;
    bool in_use;
    /* Time limit (store_set_statement_timeout): what a run of the statement has spent
     * inside sqlite3_step so far, and when the step in progress began (0: no limit).
     * The time a caller takes between rows is its own, not the statement's. */
    int64_t spent_us;
    int64_t step_began_us;
};

struct sq_conn {
    struct store_conn base;
    struct sq_store *store;
    /* Where this thread's calls run: its own connection, or during a write
     * transaction the store's one writer connection (sq_begin). */
    struct sq_conn *on;
    sqlite3 *db;
    struct cached cache[RP_STMT_CACHE];
    struct sq_stmt handles[RP_STMT_CACHE];
    size_t ncache;
    uint64_t clock;
    bool in_tx;
    bool write_tx;
    unsigned timeout_ms;     /* store_set_statement_timeout; 0: none */
    struct sq_stmt *running; /* the statement inside sqlite3_step, for progress() */
    /* store_trial_begin: progress() calls left before the statement stops, and
     * whether the trial stopped one. */
    bool trial;
    bool trial_stopped;
    uint64_t trial_left;
    struct sq_conn *next;
};

struct sq_store {
    struct store base;
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock;          /* guards conns */
    pthread_mutex_t write_lock;    /* the one writer path, and its connection: */
    struct sq_conn *writer;        /* every write transaction runs on it */
    struct sq_conn *conns;
    /* Group commit: commits are numbered as they finish writing; `synced` is the
     * highest number known to be on disk; one thread fsyncs at a time. */
    pthread_mutex_t sync_lock;
    pthread_cond_t synced_cond;
    uint64_t committed;
    uint64_t synced;
    bool syncing;
    /* The checkpointer thread (see the top of the file), woken through ckpt_cond. */
    pthread_mutex_t ckpt_lock;
    pthread_cond_t ckpt_cond;
    pthread_t ckpt_thread;
    bool ckpt_started;
    bool ckpt_due;
    bool ckpt_stop;
    int cache_kib;  /* page cache of each worker's connection (store_set_connections) */
    int writer_kib; /* and of the writer's */
};

#define CONN(c) ((struct sq_conn *)(c))
#define RUN(c) (CONN(c)->on)
#define STMT(st) ((struct sq_stmt *)(st))

static const struct store_ops OPS;

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
        if (rc == SQLITE_CONSTRAINT_DATATYPE) /* a STRICT running sum left the integers */
            return RP_ERANGE;
        LOG(LOG_ERROR, "sqlite constraint failed during %s: %s", what,
            db ? sqlite3_errmsg(db) : "");
        return RP_EDB;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        LOG(LOG_WARN, "sqlite busy during %s", what);
        return RP_EBUSY;
    case SQLITE_INTERRUPT: /* progress() stopped a statement at its time limit */
        return RP_ETIMEOUT;
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

static void sq_rollback(struct store_conn *base);

/* Numbers a write that has just finished writing its WAL frames. */
static uint64_t commit_ticket(struct sq_store *s)
{
    pthread_mutex_lock(&s->sync_lock);
    uint64_t t = ++s->committed;
    pthread_mutex_unlock(&s->sync_lock);
    return t;
}

/* The write-ahead log file of a connection that has just written (so has it open). */
static sqlite3_file *wal_file(struct sq_conn *c)
{
    sqlite3_file *wal = NULL;
    int rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    return rc == SQLITE_OK && wal && wal->pMethods ? wal : NULL;
}

/* Returns once write `ticket` is on disk, fsyncing the WAL (the file of the
 * connection that wrote it) when nobody else is. */
static enum rp_err wait_durable(struct sq_store *s, sqlite3_file *wal, uint64_t ticket)
{
    enum rp_err err = RP_OK;
    pthread_mutex_lock(&s->sync_lock);
    while (!err && s->synced < ticket) {
        if (s->syncing) {
            pthread_cond_wait(&s->synced_cond, &s->sync_lock);
            continue;
        }
        s->syncing = true;
        uint64_t upto = s->committed;
        pthread_mutex_unlock(&s->sync_lock);
        int rc = wal ? wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) : SQLITE_IOERR;
        pthread_mutex_lock(&s->sync_lock);
        s->syncing = false;
        if (rc == SQLITE_OK && upto > s->synced)
            s->synced = upto;
        pthread_cond_broadcast(&s->synced_cond);
        if (rc != SQLITE_OK) {
            LOG(LOG_ERROR, "cannot sync the write-ahead log (sqlite code %d)", rc);
            err = RP_EIO;
        }
    }
    pthread_mutex_unlock(&s->sync_lock);
    return err;
}

static void conn_free(struct sq_conn *c)
{
    for (size_t i = 0; i < c->ncache; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    if (c->in_tx)
        sq_rollback(&c->base);
    /* Lets SQLite refresh the planner statistics it found missing or stale. */
    sqlite3_exec(c->db, "PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(c->db);
    free(c);
}

static void conn_unlink(struct sq_store *s, struct sq_conn *c)
{
    pthread_mutex_lock(&s->lock);
    for (struct sq_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void thread_exit(void *p)
{
    struct sq_conn *c = p;
    conn_unlink(c->store, c);
    conn_free(c);
}

static void *checkpointer(void *arg)
{
    struct sq_store *s = arg;
    sqlite3 *db = NULL;
    pthread_mutex_lock(&s->ckpt_lock);
    for (;;) {
        while (!s->ckpt_due && !s->ckpt_stop)
            pthread_cond_wait(&s->ckpt_cond, &s->ckpt_lock);
        if (s->ckpt_stop)
            break;
        s->ckpt_due = false;
        pthread_mutex_unlock(&s->ckpt_lock);
        /* A checkpoint only acts on a connection that has opened the WAL. */
        if (!db && (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                    NULL) != SQLITE_OK ||
                    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)) {
            LOG(LOG_ERROR, "checkpointer cannot open the database: %s",
                db ? sqlite3_errmsg(db) : "");
            sqlite3_close(db);
            db = NULL;
        }
        /* Passive: copies what no reader still needs, never waits for anyone. */
        int rc = db ? sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL,
                                                NULL)
                    : SQLITE_OK;
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            LOG(LOG_WARN, "checkpoint failed: %s", sqlite3_errmsg(db));
        pthread_mutex_lock(&s->ckpt_lock);
    }
    pthread_mutex_unlock(&s->ckpt_lock);
    sqlite3_close(db);
    return NULL;
}

/* SQLite calls this after each commit with the WAL's length in pages. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sq_store *s = arg;
    if (pages >= RP_WAL_CHECKPOINT_INLINE)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    else if (pages >= RP_WAL_CHECKPOINT) {
        pthread_mutex_lock(&s->ckpt_lock);
        if (!s->ckpt_started)
            s->ckpt_started = pthread_create(&s->ckpt_thread, NULL, checkpointer, s) == 0;
        s->ckpt_due = true;
        pthread_cond_signal(&s->ckpt_cond);
        pthread_mutex_unlock(&s->ckpt_lock);
    }
    return SQLITE_OK;
}

static enum rp_err set_cache(sqlite3 *db, int kib)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", kib);
    return map_rc(db, sqlite3_exec(db, sql, NULL, NULL, NULL), "cache size");
}

/* SQLite's progress handler: a nonzero answer stops the running statement with
 * SQLITE_INTERRUPT. Called every RP_SQLITE_PROGRESS_STEPS steps of any statement of
 * the connection, so it only reads the clock when the statement has a deadline. */
static int progress(void *arg)
{
    struct sq_conn *c = arg;
    if (c->trial && c->trial_left == 0) {
        c->trial_stopped = true;
        return 1;
    }
    c->trial_left -= c->trial;
    const struct sq_stmt *st = c->running;
    return st && st->step_began_us &&
           st->spent_us + text_coarse_us() - st->step_began_us > c->timeout_ms * INT64_C(1000);
}

static enum rp_err conn_open(struct sq_store *s, struct sq_conn **out)
{
    static const char *pragmas = "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=NORMAL;" /* + group commit */
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA mmap_size=0;" /* no remap after others commit */
                                 "PRAGMA temp_store=MEMORY;";
    enum rp_err err = RP_OK;
    char *msg = NULL;
    struct sq_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return RP_ENOMEM;
    c->base.store = &s->base;
    c->on = c;
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
    sqlite3_wal_hook(c->db, wal_hook, s); /* instead of the automatic checkpoint */
    sqlite3_progress_handler(c->db, RP_SQLITE_PROGRESS_STEPS, progress, c);
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        LOG(LOG_ERROR, "cannot configure database: %s", msg ? msg : "");
        err = RP_EDB;
        goto out;
    }
    err = set_cache(c->db, s->cache_kib);
    if (!err)
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

static enum rp_err sq_conn_get(struct store *base, struct store_conn **out)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = pthread_getspecific(s->key);
    if (!c) {
        enum rp_err err = conn_open(s, &c);
        if (err)
            return err;
        pthread_setspecific(s->key, c);
    }
    *out = &c->base;
    return RP_OK;
}

/* Before SQLite starts: no global memory statistics, whose mutex every allocation of
 * every connection would take. */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum rp_err store__sqlite_open(const char *path, struct store **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    struct sq_store *s = calloc(1, sizeof(*s));
    if (!s)
        return RP_ENOMEM;
    s->base.ops = &OPS;
    s->path = strdup(path);
    if (!s->path || pthread_key_create(&s->key, thread_exit) != 0) {
        free(s->path);
        free(s);
        return RP_ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->sync_lock, NULL);
    pthread_cond_init(&s->synced_cond, NULL);
    pthread_mutex_init(&s->ckpt_lock, NULL);
    pthread_cond_init(&s->ckpt_cond, NULL);
    s->cache_kib = RP_SQLITE_CACHE_KIB;
    s->writer_kib = RP_SQLITE_CACHE_KIB;
    *out = &s->base;
    return RP_OK;
}

static void sq_close(struct store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    pthread_mutex_lock(&s->ckpt_lock);
    s->ckpt_stop = true;
    pthread_cond_signal(&s->ckpt_cond);
    pthread_mutex_unlock(&s->ckpt_lock);
    if (s->ckpt_started)
        pthread_join(s->ckpt_thread, NULL);
    pthread_setspecific(s->key, NULL);
    pthread_mutex_lock(&s->lock);
    struct sq_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c) {
        struct sq_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->sync_lock);
    pthread_cond_destroy(&s->synced_cond);
    pthread_mutex_destroy(&s->ckpt_lock);
    pthread_cond_destroy(&s->ckpt_cond);
    free(s->path);
    free(s);
}

static void sq_set_connections(struct store *base, unsigned n)
{
    struct sq_store *s = (struct sq_store *)base;
    /* A server's writer keeps a quarter (the inner pages of every index it writes),
     * its workers share the rest; a command alone may use the whole budget on
     * either connection. */
    int writer = n > 1 ? RP_SQLITE_CACHE_KIB / 4 : RP_SQLITE_CACHE_KIB;
    int each = n > 1 ? (RP_SQLITE_CACHE_KIB - writer) / (int)n : RP_SQLITE_CACHE_KIB;
    s->cache_kib = each > 1024 ? each : 1024;
    struct sq_conn *c = pthread_getspecific(s->key);
    if (c)
        set_cache(c->db, s->cache_kib);
    pthread_mutex_lock(&s->write_lock);
    s->writer_kib = writer;
    if (s->writer)
        set_cache(s->writer->db, writer);
    pthread_mutex_unlock(&s->write_lock);
}

static void sq_set_write_cache(struct store *base, unsigned kib)
{
    struct sq_store *s = (struct sq_store *)base;
    pthread_mutex_lock(&s->write_lock);
    s->writer_kib = (int)(kib < (1u << 30) ? kib : 1u << 30);
    if (s->writer)
        set_cache(s->writer->db, s->writer_kib);
    pthread_mutex_unlock(&s->write_lock);
}

static enum rp_err sq_size(struct store_conn *c, int64_t *bytes)
{
    return store_query_int(
        c, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", NULL, 0,
        bytes);
}

/* FTS5's incremental optimize: 'merge' with a negative page count starts merging every
 * segment into one, each later 'merge' continues it, and a step that changes fewer than
 * two rows found nothing left to do. Each step is a transaction of its own, so writers
 * wait for one step (about RP_FTS_MERGE_PAGES pages written), not for the whole index. */
static enum rp_err sq_fts_optimize(struct store_conn *c, const char *table)
{
    char sql[256];
    for (bool first = true;; first = false) {
        snprintf(sql, sizeof(sql), "INSERT INTO %s_fts(%s_fts, rank) VALUES ('merge', %d)",
                 table, table, first ? -RP_FTS_MERGE_PAGES : RP_FTS_MERGE_PAGES);
        int before = sqlite3_total_changes(RUN(c)->db);
        enum rp_err err = store_exec(c, sql, NULL, 0);
        if (err || sqlite3_total_changes(RUN(c)->db) - before < 2)
            return err;
    }
}

/* Flushes a file or directory to disk. */
static bool sync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* integrity_check of an open database: RP_OK when it answers exactly "ok". */
static enum rp_err integrity(sqlite3 *db)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return map_rc(db, rc, "integrity_check");
    rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0 &&
              sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok)
        LOG(LOG_ERROR, "the backup copy failed its integrity check");
    return ok ? RP_OK : RP_EDB;
}

static enum rp_err sq_backup(struct store *base, const char *dest_path, int64_t *bytes)
{
    struct stat sb;
    if (stat(dest_path, &sb) == 0)
        return RP_ECONFLICT;
    struct store_conn *c;
    enum rp_err err = sq_conn_get(base, &c);
    if (err)
        return err;
    char part[4096];
    if ((size_t)snprintf(part, sizeof(part), "%s.partial", dest_path) >= sizeof(part))
        return RP_EINVAL;
    unlink(part);
    sqlite3 *dest = NULL;
    int rc = sqlite3_open_v2(part, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = store__sqlite_register_tokenizer(dest) ? SQLITE_ERROR : SQLITE_OK;
    if (rc != SQLITE_OK) {
        err = map_rc(dest, rc, "open backup file");
        goto out;
    }
    /* One step over every page: the copy is read in a single read transaction, a
     * snapshot that writers in WAL mode never block nor change. */
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", RUN(c)->db, "main");
    if (!b) {
        err = map_rc(dest, sqlite3_errcode(dest), "backup");
        goto out;
    }
    for (int waited = 0;;) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= 10000)
            break;
        sqlite3_sleep(50);
        waited += 50;
    }
    int frc = sqlite3_backup_finish(b);
    err = map_rc(dest, rc == SQLITE_DONE ? frc : rc, "backup");
    /* The copy is a standalone file: no WAL beside it. */
    if (!err)
        err = map_rc(dest, sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL),
                     "backup journal mode");
    if (!err)
        err = integrity(dest);
out:
    sqlite3_close(dest);
    if (!err && !sync_path(part))
        err = RP_EIO;
    if (!err && rename(part, dest_path) != 0)
        err = RP_EIO;
    if (err) {
        unlink(part);
        return err;
    }
    /* The rename is durable once the directory is flushed. */
    char dir[4096];
    const char *slash = strrchr(dest_path, '/');
    size_t dlen = slash ? (size_t)(slash - dest_path) : 0;
    snprintf(dir, sizeof(dir), "%.*s", (int)(dlen ? dlen : 1), dlen ? dest_path : ".");
    sync_path(dir);
    *bytes = stat(dest_path, &sb) == 0 ? (int64_t)sb.st_size : 0;
    return RP_OK;
}

/* Write transactions run on one connection, in turn (write_lock): its page cache
 * stays valid from one write to the next, where a worker's own connection finds its
 * cache dropped whenever another connection has committed (at a million contacts a
 * create read about 135 pages through system calls). */
static enum rp_err sq_begin(struct store_conn *base, bool write)
{
    struct sq_conn *c = CONN(base);
    struct sq_store *s = c->store;
    RP_ASSERT(c->on == c && !c->in_tx);
    enum rp_err err = RP_OK;
    if (write) {
        pthread_mutex_lock(&s->write_lock);
        if (!s->writer && !(err = conn_open(s, &s->writer)))
            err = set_cache(s->writer->db, s->writer_kib);
        if (err) {
            pthread_mutex_unlock(&s->write_lock);
            return err;
        }
        c->on = s->writer;
    }
    struct sq_conn *x = c->on;
    int rc = sqlite3_exec(x->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
    err = map_rc(x->db, rc, "begin");
    if (err) {
        c->on = c;
        if (write)
            pthread_mutex_unlock(&s->write_lock);
        return err;
    }
    x->in_tx = true;
    x->write_tx = write;
    return RP_OK;
}

static void end_tx(struct sq_conn *c)
{
    struct sq_conn *x = c->on;
    bool write = x->write_tx;
    x->in_tx = false;
    x->write_tx = false;
    c->on = c;
    if (write)
        pthread_mutex_unlock(&c->store->write_lock);
}

static enum rp_err sq_commit(struct store_conn *base)
{
    struct sq_conn *c = CONN(base), *x = c->on;
    RP_ASSERT(x->in_tx);
    bool write = x->write_tx;
    int rc = sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL);
    enum rp_err err = map_rc(x->db, rc, "commit");
    if (err) {
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    }
    /* Numbered before the writer lock is released, so in commit order. */
    uint64_t ticket = !err && write ? commit_ticket(c->store) : 0;
    sqlite3_file *wal = ticket ? wal_file(x) : NULL;
    end_tx(c);
    return ticket ? wait_durable(c->store, wal, ticket) : err;
}

static void sq_rollback(struct store_conn *base)
{
    struct sq_conn *c = CONN(base), *x = c->on;
    if (!x->in_tx)
        return;
    sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    end_tx(c);
}

static enum rp_err sq_prepare(struct store_conn *run, const char *sql, struct store_stmt **out)
{
    struct sq_conn *c = RUN(run);
    struct store_conn *base = &c->base; /* the statement belongs to where it runs */
    uint64_t h = store__hash_sql(sql);
    c->clock++;
    size_t victim = 0;
    for (size_t i = 0; i < c->ncache; i++) {
        struct cached *e = &c->cache[i];
        if (e->sql && e->hash == h && strcmp(e->sql, sql) == 0 && !c->handles[i].in_use) {
            e->last_use = c->clock;
            c->handles[i].in_use = true;
            *out = &c->handles[i].base;
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
        struct sq_stmt *st = calloc(1, sizeof(*st));
        if (!st) {
            sqlite3_finalize(stmt);
            return RP_ENOMEM;
        }
        st->stmt = stmt;
        st->base.conn = base;
        st->in_use = true;
        *out = &st->base;
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
    c->handles[slot] = (struct sq_stmt){{base}, stmt, true, true, 0, 0};
    *out = &c->handles[slot].base;
    return RP_OK;
}

static enum rp_err sq_bind(struct store_stmt *base, int idx, struct store_val v)
{
    struct sq_stmt *st = STMT(base);
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
    return map_rc(CONN(base->conn)->db, rc, "bind");
}

/* A run of a statement is timed from its first step, inside sqlite3_step only.
 * Statements of a write transaction run on the writer, which never has a limit. */
static enum rp_err sq_step(struct store_stmt *base, bool *row)
{
    struct sq_stmt *st = STMT(base);
    struct sq_conn *c = CONN(base->conn);
    if (!sqlite3_stmt_busy(st->stmt))
        st->spent_us = 0;
    st->step_began_us = c->timeout_ms ? text_coarse_us() : 0;
    c->running = st; /* only while SQLite runs it: between rows the caller's time is its own */
    int rc = sqlite3_step(st->stmt);
    c->running = NULL;
    if (st->step_began_us)
        st->spent_us += text_coarse_us() - st->step_began_us;
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_INTERRUPT && !c->trial) {
        const char *sql = sqlite3_sql(st->stmt), *from = strstr(sql, " FROM ");
        LOG(LOG_WARN, "statement stopped after %u ms:%.300s", c->timeout_ms, from ? from : sql);
    }
    enum rp_err err = map_rc(c->db, rc, "step");
    /* A write outside a transaction committed on its own: make it durable too. */
    if (!err && rc == SQLITE_DONE && !c->in_tx && !sqlite3_stmt_readonly(st->stmt))
        err = wait_durable(c->store, wal_file(c), commit_ticket(c->store));
    return err;
}

static bool sq_col_null(struct store_stmt *st, int col)
{
    return sqlite3_column_type(STMT(st)->stmt, col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct store_stmt *st, int col)
{
    return sqlite3_column_int64(STMT(st)->stmt, col);
}

static const char *sq_col_text(struct store_stmt *base, int col, size_t *len)
{
    struct sq_stmt *st = STMT(base);
    const char *p = (const char *)sqlite3_column_text(st->stmt, col);
    if (len)
        *len = p ? (size_t)sqlite3_column_bytes(st->stmt, col) : 0;
    return p;
}

static void sq_done(struct store_stmt *base)
{
    struct sq_stmt *st = STMT(base);
    sqlite3_reset(st->stmt);
    sqlite3_clear_bindings(st->stmt);
    if (st->cached) {
        st->in_use = false;
        return;
    }
    sqlite3_finalize(st->stmt);
    free(st);
}

static enum rp_err sq_set_statement_timeout(struct store_conn *base, unsigned ms)
{
    CONN(base)->timeout_ms = ms;
    return RP_OK;
}

static bool sq_trial_begin(struct store_conn *base, uint64_t steps)
{
    struct sq_conn *c = CONN(base);
    /* A read-only statement stopped inside a read transaction leaves it as it was (no
     * rollback: SQLite's vdbeHalt); a write transaction's statements are never tried. */
    if (c->on != c || c->write_tx)
        return false;
    c->trial = true;
    c->trial_stopped = false;
    c->trial_left = steps / RP_SQLITE_PROGRESS_STEPS;
    return true;
}

static bool sq_trial_end(struct store_conn *base)
{
    struct sq_conn *c = CONN(base);
    c->trial = false;
    return c->trial_stopped;
}

static enum rp_err sq_index_hint(struct rp_buf *sql, const char *index)
{
    return buf_printf(sql, " INDEXED BY %s", index);
}

static int64_t sq_changes(struct store_conn *c)
{
    return sqlite3_changes64(RUN(c)->db);
}

static int64_t sq_last_seq(struct store_conn *c)
{
    return sqlite3_last_insert_rowid(RUN(c)->db);
}

static enum rp_err sq_exec_script(struct store_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(RUN(c)->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        LOG(LOG_ERROR, "sqlite script failed: %s", msg ? msg : "");
        sqlite3_free(msg);
        return map_rc(NULL, rc, "script");
    }
    struct sq_conn *sc = RUN(c);
    return sc->in_tx ? RP_OK : wait_durable(sc->store, wal_file(sc), commit_ticket(sc->store));
}

static const struct store_ops OPS = {
    .name = "sqlite",
    .close = sq_close,
    .set_connections = sq_set_connections,
    .set_write_cache = sq_set_write_cache,
    .set_statement_timeout = sq_set_statement_timeout,
    .trial_begin = sq_trial_begin,
    .trial_end = sq_trial_end,
    .index_hint = sq_index_hint,
    .conn_get = sq_conn_get,
    .size = sq_size,
    .backup = sq_backup,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .col_null = sq_col_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .done = sq_done,
    .changes = sq_changes,
    .exec_script = sq_exec_script,
    .migrate = store__sqlite_migrate,
    .sync_table = store__sqlite_sync_table,
    .like_ci = "LIKE", /* SQLite's LIKE folds ASCII case */
    .fts_finds_like = true, /* so does the bigram tokenizer */
    .returning_seq = "",
    .last_seq = sq_last_seq,
    .skip_locked = "", /* one writer at a time: nothing to skip */
    .team_peers_sql = store__sqlite_team_peers_sql,
    .teams_below_sql = store__sqlite_teams_below_sql,
    .json_array_has_any = store__sqlite_json_array_has_any,
    .month_of = store__sqlite_month_of,
    .fts_put = store__sqlite_fts_put,
    .fts_delete = store__sqlite_fts_delete,
    .fts_optimize = sq_fts_optimize,
    .fts_matches = store__sqlite_fts_matches,
};
