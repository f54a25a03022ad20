/* The benchmark's two reference servers, with the same thread model as `rapport serve`
 * (libmicrohttpd, epoll, a pool of threads):
 *
 * - the ceiling: the least a server can do to answer `GET /api/v1/contacts/{id}` from
 *   Rapport's SQLite file — a primary-key lookup on a per-thread connection with a
 *   prepared statement, the row serialised with jansson. No sessions, no permissions,
 *   no routing, no logging. Rapport's figures are reported as a fraction of this
 *   server's, measured in the same run, because absolute figures on shared machines
 *   move by a third between runs;
 * - `--bare`: a fixed 400-byte JSON body for any request, no database: the HTTP limit of
 *   the machine (libmicrohttpd and the loopback, with wrk on the same cores).
 *
 * Both queue their answer on the second call of the access handler, as libmicrohttpd
 * wants: one queued on the first call (before the request was wholly read) makes
 * libmicrohttpd 0.9.75 answer `Connection: close`, so that every request paid a new TCP
 * connection — the ceiling of earlier runs was a third of what it should have been.
 *
 * usage: ceiling DB_PATH PORT THREADS | ceiling --bare PORT THREADS (port 0 picks a free
 * one; the first line of output says which). */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/api/v1/contacts/"

static const char *db_path;

struct worker {
    sqlite3 *db;
    sqlite3_stmt *get;
};

static _Thread_local struct worker w;

static int worker_open(void)
{
    if (w.get)
        return 0;
    /* The same per-connection settings as Rapport's store. */
    if (sqlite3_open_v2(db_path, &w.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ||
        /* as Rapport's: threads opening the file at once may find it busy a moment */
        sqlite3_busy_timeout(w.db, 10000) ||
        sqlite3_exec(w.db, "PRAGMA mmap_size=268435456; PRAGMA cache_size=-32768;", NULL,
                     NULL, NULL) ||
        sqlite3_prepare_v3(w.db,
                           "SELECT * FROM contacts WHERE id = ? AND workspace_id = 1"
                           " AND deleted_at IS NULL",
                           -1, SQLITE_PREPARE_PERSISTENT, &w.get, NULL)) {
        fprintf(stderr, "ceiling: %s\n", sqlite3_errmsg(w.db));
        return -1;
    }
    return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *row_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        json_t *v;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            v = json_integer(sqlite3_column_int64(st, i));
            break;
        case SQLITE_NULL:
            v = json_null();
            break;
        default:
            v = json_stringn((const char *)sqlite3_column_text(st, i),
                             (size_t)sqlite3_column_bytes(st, i));
        }
        json_object_set_new(o, sqlite3_column_name(st, i), v);
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* 400 bytes of JSON, about the size of a contact's answer. */
static const char BARE[] =
    "{\"id\":\"0192f2a4-7c1e-7b3d-9a55-3c2d1e0f4a6b\",\"first_name\":\"Wei\","
    "\"last_name\":\"Zhang\",\"email\":\"wei.zhang@example.com\",\"phone\":"
    "\"+86 21 5555 0100\",\"title\":\"Purchasing manager\",\"account_id\":"
    "\"0192f2a4-7c1e-7b3d-9a55-3c2d1e0f4a6c\",\"owner_id\":"
    "\"0192f2a4-7c1e-7b3d-9a55-3c2d1e0f4a6d\",\"created_at\":\"2026-12-05T10:00:00.000Z\","
    "\"updated_at\":\"2026-12-05T10:00:00.000Z\",\"version\":1,\"note\":\"xxxxxxxxxxxxxxxxxxxxxxxx\"}";
_Static_assert(sizeof(BARE) - 1 == 400, "the bare answer is 400 bytes");

static bool bare;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_len, void **state)
{
    (void)cls, (void)method, (void)version, (void)upload, (void)upload_len;
    static int seen;
    if (!*state) { /* the header is read: answer on the next call */
        *state = &seen;
        return MHD_YES;
    }
    if (bare)
        return reply(conn, 200, strdup(BARE));
    if (strncmp(url, PREFIX, strlen(PREFIX)) != 0 || worker_open())
        return reply(conn, 404, strdup("{\"status\":404}"));
    const char *id = url + strlen(PREFIX);
    sqlite3_bind_text(w.get, 1, id, -1, SQLITE_STATIC);
    char *body = sqlite3_step(w.get) == SQLITE_ROW ? row_json(w.get) : NULL;
    sqlite3_reset(w.get);
    return body ? reply(conn, 200, body) : reply(conn, 404, strdup("{\"status\":404}"));
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ceiling DB_PATH PORT THREADS | ceiling --bare PORT THREADS\n");
        return 2;
    }
    bare = strcmp(argv[1], "--bare") == 0;
    db_path = argv[1];
    unsigned threads = (unsigned)strtoul(argv[3], NULL, 10);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)strtoul(argv[2], NULL, 10)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL,
        on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE,
        threads ? threads : 2u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "ceiling: cannot listen on port %s\n", argv[2]);
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", di ? di->port : 0u);
    fflush(stdout);
    int sig;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    return 0;
}
