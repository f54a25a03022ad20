#include "core/common.h"

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/log.h"
#include "core/text.h"
#include "http/http.h"

#define MAX_SEGMENTS 8
#define NBUCKETS 12
static const double BUCKETS_S[NBUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

struct metric {
    const char *route;
    const char *method;
    unsigned status;
    uint64_t count;
};

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;
    atomic_int inflight;
    atomic_uint_fast64_t next_id;
    pthread_mutex_t mlock;
    struct metric metrics[RP_MAX_METRIC_ROUTES * 4];
    size_t nmetrics;
    uint64_t hist[NBUCKETS + 1];
    double hist_sum;
    uint64_t hist_count;
    /* The event streams open now (http_respond_events), ended by http_stop. */
    pthread_mutex_t wlock;
    struct http_waker *wakers;
    bool stopping;         /* under wlock */
};

/* An event stream's state. Lock order: the application's lock (held around wakes),
 * then lock; the server's wlock, then lock. fill runs without lock. */
struct http_waker {
    struct http_stream app;
    struct http_server *s;
    struct MHD_Connection *conn;
    pthread_mutex_t lock;
    bool suspended;        /* under lock: set aside until woken */
    bool pending;          /* under lock: woken while filling */
    struct http_waker *prev, *next; /* under the server's wlock */
};

const char *http_header(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

void http_respond(struct http_req *req, unsigned status, const char *type, const char *body,
                  size_t len)
{
    req->status = status;
    req->resp_type = type;
    req->resp_body = body;
    req->resp_len = len;
}

void http_respond_stream(struct http_req *req, unsigned status, const char *type,
                         const struct http_stream *stream)
{
    http_respond(req, status, type, "", 0);
    req->stream = *stream;
}

/* Whether the client closed its side: a waiting stream writes nothing for a long
 * time, and libmicrohttpd looks at no socket it has set aside. */
static bool peer_gone(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return false;
    struct pollfd p = {.fd = ci->connect_fd, .events = POLLIN};
    if (poll(&p, 1, 0) != 1)
        return false;
    if (p.revents & (POLLHUP | POLLERR))
        return true;
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static long waker_fill(void *cls, char *buf, size_t max)
{
    struct http_waker *w = cls;
    for (;;) {
        pthread_mutex_lock(&w->s->wlock);
        bool stopping = w->s->stopping;
        pthread_mutex_unlock(&w->s->wlock);
        if (stopping)
            return 0;
        if (peer_gone(w->conn))
            return -1;
        long n = w->app.fill(w->app.cls, buf, max);
        if (n != HTTP_STREAM_WAIT)
            return n;
        pthread_mutex_lock(&w->lock);
        if (w->pending) {
            w->pending = false;
            pthread_mutex_unlock(&w->lock);
            continue;
        }
        /* Suspending from the content reader is allowed (microhttpd.h); the reader is
         * called again once the connection is resumed. */
        w->suspended = true;
        MHD_suspend_connection(w->conn);
        pthread_mutex_unlock(&w->lock);
        return HTTP_STREAM_WAIT;
    }
}

static void waker_done(void *cls)
{
    struct http_waker *w = cls;
    pthread_mutex_lock(&w->s->wlock);
    if (w->prev)
        w->prev->next = w->next;
    else
        w->s->wakers = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&w->s->wlock);
    w->app.done(w->app.cls);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void http_stream_wake(struct http_waker *w)
{
    pthread_mutex_lock(&w->lock);
    if (w->suspended) {
        w->suspended = false;
        MHD_resume_connection(w->conn);
    } else {
        w->pending = true;
    }
    pthread_mutex_unlock(&w->lock);
}

void http_respond_events(struct http_req *req, unsigned status, const char *type,
                         const struct http_stream *stream, struct http_waker **waker)
{
    struct http_waker *w = calloc(1, sizeof(*w));
    if (!w) {
        stream->done(stream->cls);
        *waker = NULL;
        http_respond(req, 503, "text/plain; charset=utf-8", "out of memory\n", 14);
        return;
    }
    w->app = *stream;
    w->s = req->server;
    w->conn = req->conn;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_lock(&w->s->wlock);
    w->next = w->s->wakers;
    if (w->next)
        w->next->prev = w;
    w->s->wakers = w;
    pthread_mutex_unlock(&w->s->wlock);
    *waker = w;
    http_respond_stream(req, status, type, &(struct http_stream){waker_fill, waker_done, w});
}

void http_respond_fd(struct http_req *req, unsigned status, const char *type, int fd,
                     uint64_t size)
{
    http_respond(req, status, type, "", 0);
    req->resp_fd = fd;
    req->resp_fd_size = size;
}

void http_add_header(struct http_req *req, const char *name, const char *value)
{
    RP_ASSERT(req->nresp_headers < HTTP_MAX_HEADERS);
    req->resp_headers[req->nresp_headers][0] = name;
    req->resp_headers[req->nresp_headers][1] = value;
    req->nresp_headers++;
}

/* ---- routing ---- */

static size_t split(struct rp_str path, struct rp_str *segs, size_t max)
{
    size_t n = 0, i = 0;
    while (i < path.len) {
        while (i < path.len && path.p[i] == '/')
            i++;
        if (i >= path.len)
            break;
        size_t j = i;
        while (j < path.len && path.p[j] != '/')
            j++;
        if (n == max)
            return max + 1;
        segs[n++] = (struct rp_str){path.p + i, j - i};
        i = j;
    }
    return n;
}

/* Returns the matching route; *path_match tells whether some route matched the path
 * with another method (for 405). */
static const struct http_route *route(struct http_server *s, struct http_req *req,
                                      bool *path_match, bool quiet)
{
    struct rp_str segs[MAX_SEGMENTS];
    size_t n = split(req->path, segs, MAX_SEGMENTS);
    struct rp_buf allow;
    buf_init(&allow, 128);
    *path_match = false;
    if (n > MAX_SEGMENTS)
        return NULL;
    for (size_t r = 0; r < s->cfg.nroutes; r++) {
        const struct http_route *rt = &s->cfg.routes[r];
        struct rp_str psegs[MAX_SEGMENTS];
        size_t pn = split(rp_str_c(rt->pattern), psegs, MAX_SEGMENTS);
        if (pn != n)
            continue;
        size_t np = 0;
        bool ok = true;
        struct rp_str params[HTTP_MAX_PATH_PARAMS];
        for (size_t i = 0; i < n && ok; i++) {
            if (psegs[i].len && psegs[i].p[0] == '{') {
                if (np < HTTP_MAX_PATH_PARAMS)
                    params[np++] = segs[i];
            } else {
                ok = rp_str_eq(psegs[i], segs[i]);
            }
        }
        if (!ok)
            continue;
        *path_match = true;
        /* HEAD runs the GET handler; libmicrohttpd sends the headers only. */
        bool head_get = strcmp(req->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0;
        if (strcmp(rt->method, req->method) != 0 && !head_get) {
            if (!strstr(buf_cstr(&allow), rt->method))
                buf_printf(&allow, "%s%s", allow.len ? ", " : "", rt->method);
            continue;
        }
        memcpy(req->params, params, sizeof(params));
        buf_release(&allow);
        return rt;
    }
    if (*path_match && !quiet)
        http_add_header(req, "Allow", arena_strndup(&req->a, buf_cstr(&allow), allow.len));
    buf_release(&allow);
    return NULL;
}

/* ---- metrics and logs ---- */

/* Metrics keep static strings only: the request's own memory is gone by then. */
static const char *static_method(const char *m)
{
    static const char *const KNOWN[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < RP_NELEM(KNOWN); i++)
        if (strcmp(m, KNOWN[i]) == 0)
            return KNOWN[i];
    return "OTHER";
}

static void record(struct http_server *s, struct http_req *req, int64_t dur_us)
{
    const char *method = static_method(req->method);
    pthread_mutex_lock(&s->mlock);
    const char *rt = req->route ? req->route : "unmatched";
    size_t i;
    for (i = 0; i < s->nmetrics; i++)
        if (s->metrics[i].route == rt && s->metrics[i].status == req->status &&
            s->metrics[i].method == method)
            break;
    if (i == s->nmetrics && s->nmetrics < RP_NELEM(s->metrics))
        s->metrics[s->nmetrics++] = (struct metric){rt, method, req->status, 0};
    if (i < s->nmetrics)
        s->metrics[i].count++;
    double sec = (double)dur_us / 1e6;
    size_t b = 0;
    while (b < NBUCKETS && sec > BUCKETS_S[b])
        b++;
    s->hist[b]++;
    s->hist_sum += sec;
    s->hist_count++;
    pthread_mutex_unlock(&s->mlock);
}

enum rp_err http_metrics_write(struct http_server *s, struct rp_buf *out)
{
    pthread_mutex_lock(&s->mlock);
    buf_adds(out, "# HELP rapport_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE rapport_http_requests_total counter\n");
    for (size_t i = 0; i < s->nmetrics; i++)
        buf_printf(out, "rapport_http_requests_total{method=\"%s\",route=\"%s\",status=\"%u\"} %llu\n",
                   s->metrics[i].method, s->metrics[i].route, s->metrics[i].status,
                   (unsigned long long)s->metrics[i].count);
    buf_adds(out, "# HELP rapport_http_request_duration_seconds Time to answer a request.\n"
                  "# TYPE rapport_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += s->hist[b];
        buf_printf(out, "rapport_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                   BUCKETS_S[b], (unsigned long long)cum);
    }
    cum += s->hist[NBUCKETS];
    buf_printf(out, "rapport_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
               (unsigned long long)cum);
    buf_printf(out, "rapport_http_request_duration_seconds_sum %.6f\n", s->hist_sum);
    enum rp_err err = buf_printf(out, "rapport_http_request_duration_seconds_count %llu\n",
                                 (unsigned long long)s->hist_count);
    pthread_mutex_unlock(&s->mlock);
    return err;
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct http_req *req = cls;
    if (req->nquery == RP_MAX_QUERY_PARAMS + 1)
        return MHD_YES; /* the handler sees one too many and refuses */
    struct rp_str k = rp_str_c(key), v = rp_str_c(value ? value : "");
    if (!text_utf8_valid(k) || !text_utf8_valid(v))
        req->query_bad = true;
    req->query[req->nquery++] = (struct http_query_param){k, v};
    return MHD_YES;
}

struct head_fields {
    struct http_field *f;
    size_t n;
    size_t cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t klen, const char *value, size_t vlen)
{
    (void)kind;
    struct head_fields *h = cls;
    if (h->n == h->cap)
        return MHD_NO;
    /* libmicrohttpd 0.9.75 keeps each name and value where it read them, the value
     * after "name:" and its blanks, but joins an obsolete folded line onto a copy of
     * the name made elsewhere in its pool: a value that does not follow its own name
     * is such a join. */
    uintptr_t k = (uintptr_t)key, v = (uintptr_t)value;
    h->f[h->n++] = (struct http_field){
        {key, klen}, {value ? value : "", value ? vlen : 0},
        !value || v < k + klen + 1 || v > k + klen + 1 + RP_MAX_HEADER_BYTES};
    return MHD_YES;
}

static unsigned head_status(struct http_req *req)
{
    struct head_fields h = {NULL, 0, RP_MAX_HEADER_FIELDS + 1};
    h.f = arena_alloc(&req->a, h.cap * sizeof(*h.f));
    MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, collect_header, &h);
    return h.n == h.cap ? 431 : http_head_verdict(h.f, h.n);
}

/* cacheable: the handler chose a Cache-Control of its own (web UI files). */
static void add_security_headers(struct MHD_Response *resp, bool cacheable)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    /* No unsafe-inline or unsafe-eval anywhere: scripts and styles come from files. */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none';"
                            " base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    if (!cacheable)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static ssize_t stream_fill(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct http_stream *st = cls;
    long n = st->fill(st->cls, buf, max);
    if (n == HTTP_STREAM_WAIT)
        return 0; /* set aside (waker_fill): called again once woken */
    return n > 0 ? (ssize_t)n : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
                                       : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_done(void *cls)
{
    struct http_stream *st = cls;
    st->done(st->cls);
    free(st);
}

/* Streams move to the heap: the response may outlive the request. */
static struct MHD_Response *stream_response(struct http_req *req)
{
    struct http_stream *st = malloc(sizeof(*st));
    if (!st) {
        req->stream.done(req->stream.cls);
        return NULL;
    }
    *st = req->stream;
    req->stream.fill = NULL;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_fill, st, stream_done);
    if (!resp)
        stream_done(st);
    return resp;
}

static enum MHD_Result send_response(struct http_req *req)
{
    struct MHD_Response *resp;
    if (req->stream.fill) {
        resp = stream_response(req);
    } else if (req->resp_fd >= 0) {
        resp = MHD_create_response_from_fd64(req->resp_fd_size, req->resp_fd);
        if (!resp)
            close(req->resp_fd);
        req->resp_fd = -1;
    } else {
        resp = MHD_create_response_from_buffer(req->resp_len, (void *)(uintptr_t)req->resp_body,
                                               MHD_RESPMEM_MUST_COPY);
    }
    if (!resp)
        return MHD_NO;
    if (req->resp_type)
        MHD_add_response_header(resp, "Content-Type", req->resp_type);
    bool cacheable = false;
    for (size_t i = 0; i < req->nresp_headers; i++) {
        MHD_add_response_header(resp, req->resp_headers[i][0], req->resp_headers[i][1]);
        cacheable |= strcasecmp(req->resp_headers[i][0], "Cache-Control") == 0;
    }
    add_security_headers(resp, cacheable);
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (!req) {
        /* First call: set up, and answer later so keep-alive is kept (DESIGN §8). */
        req = calloc(1, sizeof(*req));
        if (!req)
            return MHD_NO;
        arena_init(&req->a);
        req->conn = conn;
        req->server = s;
        req->app = s->cfg.app;
        req->start_us = text_monotonic_us();
        req->id = atomic_fetch_add(&s->next_id, 1);
        req->method = arena_strdup(&req->a, method);
        req->path = (struct rp_str){arena_strdup(&req->a, url), strlen(url)};
        req->resp_fd = -1;
        bool path_match;
        const struct http_route *rt = route(s, req, &path_match, true);
        size_t max_body = rt && rt->max_body ? rt->max_body : RP_MAX_JSON_BODY;
        buf_init(&req->upload, max_body);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t n = 0;
        bool refuse_now = false;
        if (cl && (text_parse_i64(rp_str_c(cl), &n) || n < 0 || n > (int64_t)max_body)) {
            req->body_too_big = true;
            /* A client that sent Expect: 100-continue waits for our word before
             * sending: nothing to drain. */
            refuse_now = n < 0 || n > (int64_t)RP_MAX_DRAINED_BODY ||
                         MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
        }
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = req;
        unsigned refuse = head_status(req);
        if (!refuse && !refuse_now)
            return MHD_YES;
        /* Refuse a malformed or oversized head, and an announced body too large to
         * drain, at once, before any of the body is read, and close the connection:
         * nothing after this head on it can be trusted to start a request. */
        req->done = true;
        s->cfg.on_error(req, refuse ? refuse : 413);
        http_add_header(req, "Connection", "close");
        return send_response(req);
    }
    if (*upload_data_size) {
        if (!req->body_too_big && buf_add(&req->upload, upload_data, *upload_data_size))
            req->body_too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->done)
        return MHD_YES;
    req->done = true;
    req->body = (struct rp_str){buf_cstr(&req->upload), req->upload.len};
    req->query = arena_alloc(&req->a, (RP_MAX_QUERY_PARAMS + 1) * sizeof(*req->query));
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr[INET6_ADDRSTRLEN] = "-";
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  addr, sizeof(addr));
    req->addr = arena_strdup(&req->a, addr);

    bool path_match;
    const struct http_route *rt = route(s, req, &path_match, false);
    if (req->body_too_big) {
        req->route = rt ? rt->pattern : NULL;
        s->cfg.on_error(req, 413);
    } else if (!rt) {
        if (path_match || !http_static_serve(req, &s->cfg))
            s->cfg.on_error(req, path_match ? 405 : 404);
    } else {
        req->route = rt->pattern;
        rt->fn(req, rt->data);
    }
    if (!req->status)
        s->cfg.on_error(req, 500);
    return send_response(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (!req)
        return;
    int64_t dur = text_monotonic_us() - req->start_us;
    if (req->status) {
        record(s, req, dur);
        LOG(LOG_INFO, "req=%llu %s %s status=%u dur_us=%lld%s", (unsigned long long)req->id,
            static_method(req->method), req->route ? req->route : "-", req->status, (long long)dur,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    }
    buf_release_wipe(&req->upload); /* bodies carry passwords */
    if (req->stream.fill)
        req->stream.done(req->stream.cls); /* set but never sent */
    if (req->resp_fd >= 0)
        close(req->resp_fd);
    arena_release(&req->a);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

enum rp_err http_start(const struct http_config *cfg, struct http_server **out,
                       unsigned *port_out)
{
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return RP_ENOMEM;
    s->cfg = *cfg;
    pthread_mutex_init(&s->mlock, NULL);
    pthread_mutex_init(&s->wlock, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &sa.sin_addr) != 1) {
        LOG(LOG_ERROR, "listen address must be an IPv4 address");
        free(s);
        return RP_EINVAL;
    }
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 2u,
        MHD_OPTION_CONNECTION_TIMEOUT, RP_CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        RP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, RP_MAX_CONN_PER_IP,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)RP_MAX_REQUEST_HEAD, MHD_OPTION_END);
    if (!s->d) {
        LOG(LOG_ERROR, "cannot listen on %s:%u", cfg->host, cfg->port);
        pthread_mutex_destroy(&s->mlock);
        pthread_mutex_destroy(&s->wlock);
        free(s);
        return RP_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = di ? di->port : cfg->port;
    *out = s;
    return RP_OK;
}

void http_stop(struct http_server *s, int grace_ms)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Event streams never end on their own: each ends at its next fill. */
    pthread_mutex_lock(&s->wlock);
    s->stopping = true;
    for (struct http_waker *w = s->wakers; w; w = w->next)
        http_stream_wake(w);
    pthread_mutex_unlock(&s->wlock);
    for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mlock);
    pthread_mutex_destroy(&s->wlock);
    free(s);
}
