/* PostgreSQL backend of store/db.h (libpq): one connection per thread, statements
 * prepared once per connection and cached, `?` placeholders numbered to $n, every
 * value sent as text and typed by the server from its context.
 *
 * Transactions: a write transaction is READ COMMITTED and first takes the workspace's
 * transaction-scoped advisory lock, so writers run one at a time across every server
 * process, exactly as the SQLite backend's one writer path does; the engine's
 * read-check-write sequences (If-Match versions, unique checks, duplicate checks)
 * stay correct without serialization failures. A read transaction is REPEATABLE
 * READ, READ ONLY: one snapshot for a page and its totals. A statement outside any
 * transaction that meets a deadlock or serialization failure is run again here;
 * clients never see one. See docs/design.md, "PostgreSQL backend".
 *
 * High availability (docs/ha.md): the URL may name several hosts; libpq connects to
 * the first that matches target_session_attrs. A connection that fails, or finds the
 * server shutting down or read-only (a demoted primary), answers RP_EUNAVAIL and is
 * connected again before its next transaction. With a read replica
 * (store_open_read_replica), the reads of a request that allows it
 * (store_conn_read_replica: its statements outside write transactions, and its read
 * transactions) run on a second connection to the replica when, at the request's
 * first read, the replica has replayed the primary's WAL up to a fence no older than
 * half the staleness bound and up to this server's own last commit; otherwise on the
 * primary. */
#include "core/common.h"

#include <pthread.h>
#include <strings.h>

#include <libpq-fe.h>

#include "core/log.h"
#include "core/text.h"
#include "store/db.h"
#include "store/store_int.h"

/* Advisory lock keys of the write path: (RP_PG_LOCK_CLASS, workspace_id). */
#define RP_PG_LOCK_CLASS 0x52617070 /* "Rapp" */
/* Retries of a statement outside a transaction that lost a deadlock or serialization. */
#define RP_PG_RETRIES 5
/* How long a replica read waits for the replica to catch up to the fence, in polls of
 * RP_PG_REPLICA_POLL_MS, before it reads from the primary instead. */
#define RP_PG_REPLICA_POLLS 2
#define RP_PG_REPLICA_POLL_MS 10
/* A replica connection that finds a primary (no standby was up) looks for a standby
 * again after this long (us). */
#define RP_PG_STANDBY_SEARCH_US (5 * 1000000LL)
/* After the replica did not answer, requests read the primary without trying it for
 * this long (us): each try can take connect_timeout per host. */
#define RP_PG_REPLICA_RETRY_US (5 * 1000000LL)
/* Bytes of parameter text one statement may carry: the largest is an import's file,
 * hex-encoded (store/imports.c). */
#define RP_PG_MAX_PARAM_BYTES (2u * RP_MAX_IMPORT_BODY + 1024u * 1024u)
#define NUMERICOID 1700

struct pg_stmt {
    struct store_stmt base;
    char name[16];      /* prepared statement name on the connection */
    char *sql;          /* the original text, `?` placeholders (cache key) */
    uint64_t hash;
    uint64_t last_use;
    int nparams;
    struct rp_buf data; /* parameter values, NUL-separated */
    size_t *off;        /* offset into data per parameter */
    bool *null;
    const char **vals;  /* the values as libpq takes them, set at execution */
    PGresult *res;      /* result of the current execution */
    int row;            /* current row; -1 before the first step */
    bool in_use;
    bool cached;
    bool prepared; /* known to the server's session */
};

struct pg_conn {
    struct store_conn base;
    struct pg_store *store;
    PGconn *pg;
    struct pg_stmt *cache[RP_STMT_CACHE];
    size_t ncache;
    uint64_t clock;
    unsigned next_name;
    int64_t changes;
    bool in_tx;
    bool write_tx; /* in_tx, and a write transaction: no time limit */
    bool tx_failed; /* a statement failed: the transaction can only roll back */
    unsigned timeout_ms; /* the session's statement_timeout (store_set_statement_timeout) */
    int64_t sent_us;     /* when the statement being run was sent (text_monotonic_us) */
    bool broken;         /* the server went away or turned read-only: connect again */
    int64_t standby_search_us; /* replica connection: when it last looked for a standby */
    unsigned resets;     /* fresh sessions since it was opened */
    unsigned replica_resets; /* the replica's resets when the route was decided */
    bool is_replica;     /* a connection to the read replica (owned by a primary one) */
    bool replica_ok;     /* the request's reads may run on the replica */
    enum { ROUTE_UNDECIDED, ROUTE_REPLICA, ROUTE_PRIMARY } route; /* where they run */
    bool on_replica;     /* the current read transaction runs on `replica` */
    struct pg_conn *replica;
    struct pg_conn *next;
};

struct pg_store {
    struct store base;
    char *conninfo;
    char *read_conninfo; /* the read replica's, or NULL */
    unsigned max_lag_ms; /* the staleness bound of replica reads */
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns and the fields below */
    struct pg_conn *conns;
    /* The fence: a WAL position of the primary's a replica read must have replayed,
     * sampled at fence_us (text_monotonic_us) or this server's last commit. */
    uint64_t fence_lsn;
    int64_t fence_us;
    int64_t replica_retry_us; /* no replica tries before this (text_monotonic_us) */
    int64_t reconnects, unavailable, replica_reads, replica_fallbacks;
};

#define CONN(c) ((struct pg_conn *)(c))
#define STMT(st) ((struct pg_stmt *)(st))

static const struct store_ops OPS;

static void stat_add(struct pg_store *s, int64_t *counter)
{
    pthread_mutex_lock(&s->lock);
    (*counter)++;
    pthread_mutex_unlock(&s->lock);
}

/* Whether a failure means the server is gone, going, or read-only, rather than
 * something wrong with the statement: connection exceptions (class 08), shutdowns
 * (57P01-57P03), a failure libpq reports itself on a dead connection, or a primary
 * connection that finds its server read-only (25006 where a write may run: a demoted
 * primary; in our own READ ONLY transactions it would be a bug of ours). */
static bool unavailable(const struct pg_conn *c, const char *state)
{
    if (!*state)
        return PQstatus(c->pg) != CONNECTION_OK;
    if (strcmp(state, "25006") == 0)
        return !c->is_replica && (!c->in_tx || c->write_tx);
    return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
           strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* After a failed result of one of the store's own queries (the fence, the replica's
 * position, the status): marks the connection for a fresh session when the server is
 * gone. Counted nowhere: the request's own statements report what it answers. */
static void own_query_failed(struct pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (unavailable(c, state ? state : ""))
        c->broken = true;
}

/* Maps a failed result of sql to rp_err by SQLSTATE; the message is logged, never
 * returned. */
static enum rp_err map_result(struct pg_conn *c, const PGresult *res, const char *what,
                              const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        state = "";
    if (strcmp(state, "23505") == 0)
        return RP_ECONFLICT;
    if (strcmp(state, "22003") == 0)
        return RP_ERANGE;
    /* 57014: our statement_timeout, or a cancel (pg_cancel_backend, a shutdown). The
     * server counts the limit from when the statement reached it, after it was sent:
     * a statement stopped sooner was cancelled, and is busy like any cancel. */
    bool limited = c->timeout_ms && !(c->in_tx && c->write_tx);
    int64_t ran_ms = (text_monotonic_us() - c->sent_us) / 1000;
    if (strcmp(state, "57014") == 0 && limited && ran_ms >= c->timeout_ms) {
        const char *from = strstr(sql, " FROM ");
        LOG(LOG_WARN, "statement stopped after %lld ms:%.300s", (long long)ran_ms,
            from ? from : sql);
        return RP_ETIMEOUT;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0) {
        LOG(LOG_WARN, "postgres busy during %s (%s)", what, state);
        return RP_EBUSY;
    }
    if (strcmp(state, "54000") == 0 || strcmp(state, "54001") == 0)
        return RP_ETOOBIG;
    if (unavailable(c, state)) {
        LOG(LOG_WARN, "postgres unavailable during %s [%s]: %s", what, state,
            res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
        c->broken = true;
        stat_add(c->store, &c->store->unavailable);
        return RP_EUNAVAIL;
    }
    LOG(LOG_ERROR, "postgres error during %s: %s [%s]", what,
        res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg), state);
    return RP_EDB;
}

static bool retryable(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

/* Runs a parameterless command (BEGIN, COMMIT, DDL scripts). */
static enum rp_err simple(struct pg_conn *c, const char *sql, const char *what)
{
    c->sent_us = text_monotonic_us();
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType rs = PQresultStatus(res);
    enum rp_err err = RP_OK;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
        err = map_result(c, res, what, sql);
        if (c->in_tx)
            c->tx_failed = true;
    } else if (strcmp(what, "commit") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        err = RP_EDB; /* the server had aborted the transaction */
    }
    PQclear(res);
    return err;
}

/* ---- placeholders ---- */

enum rp_err store__pg_number_params(const char *sql, struct rp_buf *out, int *nparams)
{
    int n = 0;
    enum rp_err err = RP_OK;
    for (const char *p = sql; *p && !err; p++) {
        char q = *p;
        if (q == '\'' || q == '"') {
            /* a quoted string or identifier: copied through, doubled quotes included */
            const char *end = p + 1;
            while (*end && *end != q)
                end++;
            if (!*end)
                return RP_EINVAL;
            err = buf_add(out, p, (size_t)(end - p + 1));
            p = end;
        } else if (q == '-' && p[1] == '-') {
            const char *end = strchr(p, '\n');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            err = buf_add(out, p, len);
            p += len - 1;
        } else if (q == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (!end)
                return RP_EINVAL;
            err = buf_add(out, p, (size_t)(end + 2 - p));
            p = end + 1;
        } else if (q == '?') {
            if (p[1] >= '0' && p[1] <= '9')
                return RP_EINVAL; /* ?NNN is SQLite-only: write one ? per value */
            err = buf_printf(out, "$%d", ++n);
        } else {
            err = buf_addc(out, q);
        }
    }
    *nparams = n;
    return err;
}

/* ---- connections ---- */

static void stmt_free(struct pg_conn *c, struct pg_stmt *st, bool deallocate)
{
    if (deallocate && c->pg) {
        char sql[40];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
        PQclear(PQexec(c->pg, sql));
    }
    PQclear(st->res);
    buf_release(&st->data);
    free(st->off);
    free(st->null);
    free(st->vals);
    free(st->sql);
    free(st);
}

static void conn_free(struct pg_conn *c)
{
    if (c->replica)
        conn_free(c->replica);
    for (size_t i = 0; i < c->ncache; i++)
        stmt_free(c, c->cache[i], false);
    PQfinish(c->pg);
    free(c);
}

static void conn_unlink(struct pg_store *s, struct pg_conn *c)
{
    pthread_mutex_lock(&s->lock);
    for (struct pg_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void thread_exit(void *p)
{
    struct pg_conn *c = p;
    conn_unlink(c->store, c);
    conn_free(c);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation already exists, skipping" and the like */
}

/* Session settings every connection runs with; statement_timeout is the
 * connection's own (apply_timeout). */
static const char *SESSION_SQL = "SET lock_timeout = '10s';"
                                 "SET statement_timeout = 0;"
                                 "SET idle_in_transaction_session_timeout = '60s';"
                                 "SET TIME ZONE 'UTC'";

/* Defaults under the URL's own settings: a host that does not answer is given up
 * after a few seconds (the next host of the URL is tried), and a connection whose
 * server vanished is found dead by TCP keepalives within about 10 s. */
static const char *const CONNECT_KEYS[] = {"connect_timeout", "keepalives_idle",
                                           "keepalives_interval", "keepalives_count",
                                           "tcp_user_timeout", "dbname", NULL};

static enum rp_err conn_connect(struct pg_conn *c)
{
    const char *url = c->is_replica ? c->store->read_conninfo : c->store->conninfo;
    const char *values[] = {"3", "4", "2", "3", "10000", url, NULL};
    c->pg = PQconnectdbParams(CONNECT_KEYS, values, 1);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        LOG(LOG_ERROR, "cannot connect to postgres%s: %s", c->is_replica ? " (read replica)" : "",
            PQerrorMessage(c->pg));
        return RP_EUNAVAIL;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    if (PQsetClientEncoding(c->pg, "UTF8") != 0) {
        LOG(LOG_ERROR, "postgres: cannot use UTF8 client encoding");
        return RP_EDB;
    }
    return simple(c, SESSION_SQL, "connect");
}

/* Sets the session's statement_timeout to the connection's limit. */
static enum rp_err apply_timeout(struct pg_conn *c)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SET statement_timeout = %u", c->timeout_ms);
    return simple(c, sql, "statement timeout");
}

/* A connection to the primary, or (replica) to the read replica, owned by the primary
 * connection of its thread and not listed in s->conns. */
static enum rp_err conn_open(struct pg_store *s, bool replica, struct pg_conn **out)
{
    struct pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return RP_ENOMEM;
    c->base.store = &s->base;
    c->store = s;
    c->is_replica = replica;
    c->standby_search_us = text_monotonic_us();
    enum rp_err err = conn_connect(c);
    if (err) {
        PQfinish(c->pg);
        free(c);
        return err;
    }
    if (replica) {
        *out = c;
        return RP_OK;
    }
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    *out = c;
    return RP_OK;
}

/* Whether the server went away. libpq reports the first failure on a connection the
 * server has closed (a restart, `pg_ctl stop -m immediate`) while PQstatus still says
 * CONNECTION_OK; a trivial query then settles it (only after a failure, outside a
 * transaction). */
static bool conn_lost(struct pg_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        PQclear(PQexec(c->pg, "SELECT 1"));
    return PQstatus(c->pg) != CONNECTION_OK;
}

/* A fresh session on whichever host of the URL now matches, whose statements must be
 * prepared again. Only between transactions. */
static bool conn_reset(struct pg_conn *c)
{
    RP_ASSERT(!c->in_tx);
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return false;
    c->broken = false;
    c->resets++;
    for (size_t i = 0; i < c->ncache; i++)
        c->cache[i]->prepared = false;
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    return simple(c, SESSION_SQL, "reconnect") == RP_OK &&
           (!c->timeout_ms || apply_timeout(c) == RP_OK);
}

/* After the server went away or turned read-only (restart, failover): conn_reset.
 * A replica connection is reset only where its position is checked next
 * (replica_ready), never behind a request that already chose to read there. */
static bool conn_recover(struct pg_conn *c)
{
    if (c->is_replica || c->in_tx || (!c->broken && !conn_lost(c)))
        return false;
    LOG(LOG_WARN, "postgres connection lost: reconnecting");
    if (!conn_reset(c))
        return false;
    stat_add(c->store, &c->store->reconnects);
    LOG(LOG_WARN, "postgres: connected again to %s:%s", PQhost(c->pg), PQport(c->pg));
    return true;
}

static enum rp_err pg_conn_get(struct store *base, struct store_conn **out)
{
    struct pg_store *s = (struct pg_store *)base;
    struct pg_conn *c = pthread_getspecific(s->key);
    if (!c) {
        enum rp_err err = conn_open(s, false, &c);
        if (err)
            return err;
        pthread_setspecific(s->key, c);
    }
    *out = &c->base;
    return RP_OK;
}

enum rp_err store__pg_open(const char *conninfo, struct store **out)
{
    struct pg_store *s = calloc(1, sizeof(*s));
    if (!s)
        return RP_ENOMEM;
    s->base.ops = &OPS;
    s->conninfo = strdup(conninfo);
    if (!s->conninfo || pthread_key_create(&s->key, thread_exit) != 0) {
        free(s->conninfo);
        free(s);
        return RP_ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    *out = &s->base;
    return RP_OK;
}

static void pg_close(struct store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    pthread_setspecific(s->key, NULL);
    pthread_mutex_lock(&s->lock);
    struct pg_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c) {
        struct pg_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    free(s->conninfo);
    free(s->read_conninfo);
    free(s);
}

static enum rp_err pg_size(struct store_conn *c, int64_t *bytes)
{
    return store_query_int(c, "SELECT pg_database_size(current_database())", NULL, 0, bytes);
}

/* ---- transactions ---- */

uint64_t store__pg_lsn_parse(const char *text)
{
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long hi = strtoul(text, &end, 16);
    if (end == text || *end != '/' || hi > UINT32_MAX)
        return 0;
    const char *lo_text = end + 1;
    unsigned long lo = strtoul(lo_text, &end, 16);
    if (end == lo_text || *end || lo > UINT32_MAX || errno)
        return 0;
    return (uint64_t)hi << 32 | lo;
}

/* The primary's current WAL position, asked on c (connected again first if it had
 * failed); 0 when the primary does not answer. Outside any transaction. */
static uint64_t primary_lsn(struct pg_conn *c)
{
    if (c->broken)
        (void)conn_recover(c);
    c->sent_us = text_monotonic_us();
    PGresult *res = PQexec(c->pg, "SELECT pg_current_wal_lsn()");
    uint64_t lsn = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        own_query_failed(c, res);
    else if (PQntuples(res) == 1)
        lsn = store__pg_lsn_parse(PQgetvalue(res, 0, 0));
    PQclear(res);
    return lsn;
}

/* Raises the fence to lsn (a commit of this server's, or a sample of the primary). */
static void fence_raise(struct pg_store *s, uint64_t lsn, bool sampled)
{
    pthread_mutex_lock(&s->lock);
    if (lsn > s->fence_lsn)
        s->fence_lsn = lsn;
    if (sampled)
        s->fence_us = text_monotonic_us();
    pthread_mutex_unlock(&s->lock);
}

/* The fence a replica read must reach: sampled again on the primary (through c, which
 * is between transactions) when the last sample is older than half the bound. False
 * when the primary cannot tell. */
static bool fence_get(struct pg_conn *c, uint64_t *lsn)
{
    struct pg_store *s = c->store;
    pthread_mutex_lock(&s->lock);
    bool fresh = s->fence_us && text_monotonic_us() - s->fence_us < s->max_lag_ms * 500LL;
    *lsn = s->fence_lsn;
    pthread_mutex_unlock(&s->lock);
    if (fresh)
        return true;
    uint64_t now = primary_lsn(c);
    if (!now)
        return false;
    fence_raise(s, now, true);
    pthread_mutex_lock(&s->lock);
    *lsn = s->fence_lsn;
    pthread_mutex_unlock(&s->lock);
    return true;
}

/* How far the replica connection r has replayed: 1 and *lsn on a standby, 0 on a
 * primary (prefer-standby found no standby: current by definition), -1 when it
 * failed. */
static int replica_position(struct pg_conn *r, uint64_t *lsn)
{
    PGresult *res = PQexec(r->pg, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text");
    int where = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        where = PQgetvalue(res, 0, 0)[0] == 't';
        *lsn = where ? store__pg_lsn_parse(PQgetvalue(res, 0, 1)) : 0;
    } else {
        own_query_failed(r, res);
    }
    PQclear(res);
    return where;
}

/* c's replica connection, opened or connected again if need be, with c's time limit;
 * false while the replica does not answer (then not tried again for a while). */
static bool replica_connect(struct pg_conn *c)
{
    struct pg_store *s = c->store;
    int64_t now = text_monotonic_us();
    pthread_mutex_lock(&s->lock);
    bool resting = now < s->replica_retry_us;
    pthread_mutex_unlock(&s->lock);
    if (resting)
        return false;
    bool ok = c->replica || conn_open(s, true, &c->replica) == RP_OK;
    struct pg_conn *r = c->replica;
    if (ok && r->broken)
        ok = conn_reset(r);
    if (ok && r->timeout_ms != c->timeout_ms) {
        unsigned was = r->timeout_ms;
        r->timeout_ms = c->timeout_ms;
        ok = apply_timeout(r) == RP_OK;
        if (!ok)
            r->timeout_ms = was;
    }
    if (!ok) {
        LOG(LOG_WARN, "postgres: the read replica does not answer: reading the primary");
        pthread_mutex_lock(&s->lock);
        s->replica_retry_us = now + RP_PG_REPLICA_RETRY_US;
        pthread_mutex_unlock(&s->lock);
    }
    return ok;
}

/* Whether the replica has replayed up to the fence (waiting a little for it), checked
 * outside any transaction; false to read from the primary. */
static bool replica_ready(struct pg_conn *c)
{
    struct pg_store *s = c->store;
    uint64_t fence;
    if (!fence_get(c, &fence) || !replica_connect(c))
        return false;
    struct pg_conn *r = c->replica;
    for (int poll = 0; poll <= RP_PG_REPLICA_POLLS; poll++) {
        if (poll) {
            struct timespec nap = {0, RP_PG_REPLICA_POLL_MS * 1000000L};
            nanosleep(&nap, NULL);
        }
        uint64_t replayed;
        int where = replica_position(r, &replayed);
        if (where < 0)
            return false;
        /* On a primary (the standby was promoted, or was down when this connected):
         * look for a standby again now and then, to read there once there is one,
         * and check its position before reading there. */
        int64_t now = text_monotonic_us();
        if (!where && now - r->standby_search_us > RP_PG_STANDBY_SEARCH_US) {
            r->standby_search_us = now;
            if (!conn_reset(r))
                return false;
            continue;
        }
        if (!where || replayed >= fence) {
            c->replica_resets = r->resets;
            return true;
        }
    }
    stat_add(s, &s->replica_fallbacks);
    return false;
}

/* The store's queries never change data from a WITH. */
bool store__pg_is_query(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0;
}

/* Whether this request's reads go to the replica: decided at its first read, and again
 * after each of its writes (whose commit raised the fence). */
static bool use_replica(struct pg_conn *c)
{
    if (!c->replica_ok)
        return false;
    if (c->route == ROUTE_UNDECIDED) {
        c->route = replica_ready(c) ? ROUTE_REPLICA : ROUTE_PRIMARY;
        if (c->route == ROUTE_REPLICA)
            stat_add(c->store, &c->store->replica_reads);
    } else if (c->route == ROUTE_REPLICA && c->replica->resets != c->replica_resets) {
        c->route = ROUTE_PRIMARY; /* a session whose position nobody checked */
    }
    return c->route == ROUTE_REPLICA;
}

static enum rp_err begin_on(struct pg_conn *c, bool write)
{
    RP_ASSERT(!c->in_tx);
    bool tried = c->broken; /* one reset a request at most while no host answers */
    if (tried)
        (void)conn_recover(c);
    char sql[160];
    /* A write transaction is never stopped part-way: no time limit inside it. */
    if (write)
        snprintf(sql, sizeof(sql),
                 "BEGIN ISOLATION LEVEL READ COMMITTED;%s SELECT pg_advisory_xact_lock(%d, 1)",
                 c->timeout_ms ? " SET LOCAL statement_timeout = 0;" : "", RP_PG_LOCK_CLASS);
    else
        snprintf(sql, sizeof(sql), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    c->in_tx = true;
    c->write_tx = write;
    c->tx_failed = false;
    enum rp_err err = simple(c, sql, "begin");
    if (err) {
        /* if the server restarted since this connection's last use: nothing was done */
        c->in_tx = false;
        if (!tried && conn_recover(c)) {
            c->in_tx = true;
            c->tx_failed = false;
            err = simple(c, sql, "begin");
        }
    }
    if (err) {
        PQclear(PQexec(c->pg, "ROLLBACK"));
        c->in_tx = false;
    }
    return err;
}

static enum rp_err pg_begin(struct store_conn *base, bool write)
{
    struct pg_conn *c = CONN(base);
    RP_ASSERT(!c->in_tx && !c->on_replica);
    if (!write && use_replica(c)) {
        if (begin_on(c->replica, false) == RP_OK) {
            c->on_replica = true;
            return RP_OK;
        }
        c->route = ROUTE_PRIMARY; /* the replica just went away */
    }
    return begin_on(c, write);
}

static enum rp_err pg_commit(struct store_conn *base)
{
    struct pg_conn *c = CONN(base);
    if (c->on_replica) {
        c->on_replica = false;
        return pg_commit(&c->replica->base);
    }
    RP_ASSERT(c->in_tx);
    enum rp_err err;
    if (c->tx_failed) {
        LOG(LOG_ERROR, "postgres: commit of a failed transaction: rolled back");
        PQclear(PQexec(c->pg, "ROLLBACK"));
        err = RP_EDB;
    } else {
        err = simple(c, "COMMIT", "commit");
    }
    bool wrote = c->write_tx;
    c->in_tx = false;
    c->tx_failed = false;
    /* This server's replica reads from now on see what it just committed; this
     * request's next read decides again where it reads. */
    if (!err && wrote && c->store->read_conninfo) {
        fence_raise(c->store, primary_lsn(c), false);
        c->route = ROUTE_UNDECIDED;
    }
    return err;
}

static void pg_rollback(struct store_conn *base)
{
    struct pg_conn *c = CONN(base);
    if (c->on_replica) {
        c->on_replica = false;
        c = c->replica;
    }
    if (!c->in_tx)
        return;
    PQclear(PQexec(c->pg, "ROLLBACK"));
    c->in_tx = false;
    c->tx_failed = false;
}

/* ---- statements ---- */

static struct pg_stmt *stmt_new(struct pg_conn *c, const char *sql, uint64_t hash)
{
    struct pg_stmt *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->base.conn = &c->base;
    st->sql = strdup(sql);
    st->hash = hash;
    st->row = -1;
    buf_init(&st->data, RP_PG_MAX_PARAM_BYTES);
    snprintf(st->name, sizeof(st->name), "r%u", c->next_name++);
    if (!st->sql) {
        free(st);
        return NULL;
    }
    return st;
}

/* Prepares the statement on the server (again after a reconnect). */
static enum rp_err stmt_prepare(struct pg_conn *c, struct pg_stmt *st)
{
    struct rp_buf text;
    buf_init(&text, RP_MAX_SQL * 2);
    int n;
    enum rp_err err = store__pg_number_params(st->sql, &text, &n);
    if (err) {
        LOG(LOG_ERROR, "postgres: cannot number the placeholders of: %.200s", st->sql);
        buf_release(&text);
        return RP_EDB;
    }
    if (!st->off) {
        st->nparams = n;
        size_t cap = n ? (size_t)n : 1;
        st->off = calloc(cap, sizeof(*st->off));
        st->null = calloc(cap, sizeof(*st->null));
        st->vals = calloc(cap, sizeof(*st->vals));
        if (!st->off || !st->null || !st->vals) {
            buf_release(&text);
            return RP_ENOMEM;
        }
    }
    c->sent_us = text_monotonic_us();
    PGresult *res = PQprepare(c->pg, st->name, buf_cstr(&text), 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && conn_recover(c)) {
        PQclear(res);
        res = PQprepare(c->pg, st->name, buf_cstr(&text), 0, NULL);
    }
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        st->prepared = true;
    } else {
        err = map_result(c, res, "prepare", st->sql);
        if (c->in_tx)
            c->tx_failed = true;
    }
    PQclear(res);
    buf_release(&text);
    return err;
}

static void stmt_reset(struct pg_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    buf_reset(&st->data);
    for (int i = 0; i < st->nparams; i++) {
        st->off[i] = 0;
        st->null[i] = true;
    }
}

static enum rp_err pg_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
    struct pg_conn *c = CONN(base);
    /* A read transaction on the replica, or a query outside any transaction of a
     * request that reads there: the statement runs on the replica connection. A
     * change outside a transaction (none of the routes that read there makes one
     * today) stays on the primary, where it can run. */
    if (c->on_replica ||
        (!c->in_tx && c->replica_ok && store__pg_is_query(sql) && use_replica(c)))
        c = c->replica;
    uint64_t h = store__hash_sql(sql);
    c->clock++;
    size_t victim = SIZE_MAX;
    for (size_t i = 0; i < c->ncache; i++) {
        struct pg_stmt *e = c->cache[i];
        if (e->in_use)
            continue;
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            e->last_use = c->clock;
            e->in_use = true;
            stmt_reset(e);
            *out = &e->base;
            return RP_OK;
        }
        if (victim == SIZE_MAX || e->last_use < c->cache[victim]->last_use)
            victim = i;
    }
    struct pg_stmt *st = stmt_new(c, sql, h);
    if (!st)
        return RP_ENOMEM;
    enum rp_err err = stmt_prepare(c, st);
    if (err) {
        stmt_free(c, st, false);
        return err;
    }
    st->in_use = true;
    st->last_use = c->clock;
    stmt_reset(st);
    if (c->ncache < RP_STMT_CACHE) {
        st->cached = true;
        c->cache[c->ncache++] = st;
    } else if (victim != SIZE_MAX) {
        stmt_free(c, c->cache[victim], true);
        st->cached = true;
        c->cache[victim] = st;
    } /* else every cached statement is in use (deep nesting): this one is not cached */
    *out = &st->base;
    return RP_OK;
}

static enum rp_err pg_bind(struct store_stmt *base, int idx, struct store_val v)
{
    struct pg_stmt *st = STMT(base);
    RP_ASSERT(idx >= 1 && idx <= st->nparams);
    int i = idx - 1;
    st->null[i] = v.type == STORE_NULL;
    if (st->null[i])
        return RP_OK;
    st->off[i] = st->data.len;
    enum rp_err err;
    if (v.type == STORE_INT)
        err = buf_printf(&st->data, "%lld", (long long)v.i);
    else
        err = buf_add(&st->data, v.s ? v.s : "", v.len);
    if (!err)
        err = buf_addc(&st->data, '\0'); /* text values may be slices: terminate each */
    return err;
}

/* A numeric column (a sum over 64-bit integers) holding a value past int64. */
static bool row_out_of_range(const PGresult *res, int row)
{
    for (int col = 0; col < PQnfields(res); col++) {
        if (PQftype(res, col) != NUMERICOID || PQgetisnull(res, row, col))
            continue;
        errno = 0;
        char *end;
        (void)strtoll(PQgetvalue(res, row, col), &end, 10);
        if (errno == ERANGE)
            return true;
    }
    return false;
}

static enum rp_err execute(struct pg_stmt *st)
{
    struct pg_conn *c = CONN(st->base.conn);
    const char **vals = st->vals;
    for (int i = 0; i < st->nparams; i++)
        vals[i] = st->null[i] ? NULL : buf_cstr(&st->data) + st->off[i];
    for (int attempt = 0;; attempt++) {
        if (!st->prepared) {
            enum rp_err err = stmt_prepare(c, st);
            if (err)
                return err;
        }
        c->sent_us = text_monotonic_us();
        PGresult *res = PQexecPrepared(c->pg, st->name, st->nparams, vals, NULL, NULL, 0);
        ExecStatusType rs = PQresultStatus(res);
        if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
            st->res = res;
            const char *n = PQcmdTuples(res);
            c->changes = *n ? strtoll(n, NULL, 10) : 0;
            return RP_OK;
        }
        /* Outside a transaction the statement is the whole unit of work: run it again
         * after a lost deadlock or serialization failure, or on a new connection. */
        bool again = !c->in_tx && attempt < RP_PG_RETRIES && retryable(res);
        if (!again && attempt == 0 && conn_recover(c))
            again = true; /* prepared again at the top of the loop */
        if (!again) {
            enum rp_err err = map_result(c, res, "step", st->sql);
            if (c->in_tx)
                c->tx_failed = true;
            PQclear(res);
            return err;
        }
        PQclear(res);
    }
}

static enum rp_err pg_step(struct store_stmt *base, bool *row)
{
    struct pg_stmt *st = STMT(base);
    *row = false;
    if (!st->res) {
        enum rp_err err = execute(st);
        if (err)
            return err;
    }
    if (st->row + 1 >= PQntuples(st->res)) {
        st->row = PQntuples(st->res);
        return RP_OK;
    }
    st->row++;
    if (row_out_of_range(st->res, st->row))
        return RP_ERANGE;
    *row = true;
    return RP_OK;
}

static bool pg_col_null(struct store_stmt *base, int col)
{
    struct pg_stmt *st = STMT(base);
    return PQgetisnull(st->res, st->row, col);
}

static int64_t pg_col_int(struct store_stmt *base, int col)
{
    struct pg_stmt *st = STMT(base);
    if (PQgetisnull(st->res, st->row, col))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (v[0] == 't' || v[0] == 'f')
        return v[0] == 't'; /* boolean */
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct store_stmt *base, int col, size_t *len)
{
    struct pg_stmt *st = STMT(base);
    if (PQgetisnull(st->res, st->row, col)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

static void pg_done(struct store_stmt *base)
{
    struct pg_stmt *st = STMT(base);
    stmt_reset(st);
    if (st->cached) {
        st->in_use = false;
        return;
    }
    stmt_free(CONN(base->conn), st, true);
}

static enum rp_err pg_open_read_replica(struct store *base, const char *url, unsigned max_lag_ms)
{
    struct pg_store *s = (struct pg_store *)base;
    RP_ASSERT(!s->read_conninfo && max_lag_ms > 0);
    s->read_conninfo = strdup(url);
    s->max_lag_ms = max_lag_ms;
    return s->read_conninfo ? RP_OK : RP_ENOMEM;
}

static void pg_conn_read_replica(struct store_conn *base, bool allowed)
{
    struct pg_conn *c = CONN(base);
    c->replica_ok = allowed && c->store->read_conninfo;
    c->route = ROUTE_UNDECIDED;
}

static void host_port(const struct pg_conn *c, char *out, size_t size)
{
    snprintf(out, size, "%s:%s", PQhost(c->pg), PQport(c->pg));
}

static enum rp_err pg_status(struct store_conn *base, struct store_status *out)
{
    struct pg_conn *c = CONN(base);
    struct pg_store *s = c->store;
    pthread_mutex_lock(&s->lock);
    out->reconnects = s->reconnects;
    out->unavailable = s->unavailable;
    out->replica_reads = s->replica_reads;
    out->replica_fallbacks = s->replica_fallbacks;
    pthread_mutex_unlock(&s->lock);
    uint64_t primary = primary_lsn(c);
    if (!primary)
        return RP_EUNAVAIL;
    host_port(c, out->writes_to, sizeof(out->writes_to));
    uint64_t replayed;
    int where = s->read_conninfo && replica_connect(c) ? replica_position(c->replica, &replayed)
                                                       : -1;
    if (where >= 0) {
        /* on a primary (prefer-standby found no standby), nothing is behind */
        bool behind = where && replayed < primary;
        out->replica_lag_bytes = behind ? (int64_t)(primary - replayed) : 0;
        host_port(c->replica, out->reads_from, sizeof(out->reads_from));
    }
    return RP_OK;
}

static enum rp_err pg_set_statement_timeout(struct store_conn *base, unsigned ms)
{
    struct pg_conn *c = CONN(base);
    if (c->timeout_ms == ms)
        return RP_OK;
    RP_ASSERT(!c->in_tx);
    unsigned was = c->timeout_ms;
    c->timeout_ms = ms;
    enum rp_err err = apply_timeout(c);
    if (err)
        c->timeout_ms = was;
    return err;
}

static int64_t pg_changes(struct store_conn *c)
{
    return CONN(c)->changes;
}

static enum rp_err pg_exec_script(struct store_conn *c, const char *sql)
{
    return simple(CONN(c), sql, "script");
}

static enum rp_err pg_seq_follow(struct store_conn *c, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT setval(pg_get_serial_sequence('%s', 'seq'), coalesce(max(seq), 0) + 1,"
             " false) FROM %s",
             table, table);
    return simple(CONN(c), sql, "seq_follow");
}

static const struct store_ops OPS = {
    .name = "postgres",
    .close = pg_close,
    .conn_get = pg_conn_get,
    .set_statement_timeout = pg_set_statement_timeout,
    .open_read_replica = pg_open_read_replica,
    .conn_read_replica = pg_conn_read_replica,
    .status = pg_status,
    .size = pg_size,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .done = pg_done,
    .changes = pg_changes,
    .exec_script = pg_exec_script,
    .migrate = store__pg_migrate,
    .sync_table = store__pg_sync_table,
    .seq_follow = pg_seq_follow,
    .like_ci = "ILIKE",
    .returning_seq = " RETURNING seq",
    .skip_locked = " FOR UPDATE SKIP LOCKED",
    .team_peers_sql = store__pg_team_peers_sql,
    .teams_below_sql = store__pg_teams_below_sql,
    .json_array_has_any = store__pg_json_array_has_any,
    .month_of = store__pg_month_of,
    .fts_put = store__pg_fts_put,
    .fts_delete = store__pg_fts_delete,
    .fts_matches = store__pg_fts_matches,
};
