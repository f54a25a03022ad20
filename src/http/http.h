/* HTTP server on libmicrohttpd: epoll thread pool, a router table, a per-request
 * arena, body size limits, security headers, an access log line per request and
 * request metrics. Knows nothing of the CRM: handlers are registered by api/. */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/common.h"

struct http_req;
struct http_server;

#define HTTP_MAX_PATH_PARAMS 4
#define HTTP_MAX_HEADERS 8

/* A streamed response body: fill writes up to max bytes into buf and returns how
 * many, 0 at the end, or -1 to abort the response (the client sees a cut stream).
 * done runs once when the response is finished with (sent, aborted or never sent). */
struct http_stream {
    long (*fill)(void *cls, char *buf, size_t max);
    void (*done)(void *cls);
    void *cls;
};

/* What the fill of an event stream (http_respond_events) returns when it has nothing
 * to send yet: the connection is set aside, holding no thread, until
 * http_stream_wake, and fill is then called again. */
#define HTTP_STREAM_WAIT (-2)

/* The handle that wakes a waiting event stream. */
struct http_waker;

struct http_query_param {
    struct rp_str key;
    struct rp_str value;
};

struct http_req {
    struct arena a;              /* request lifetime memory */
    const char *method;          /* read-only */
    struct rp_str path;          /* read-only, percent-decoded by the server */
    struct rp_str params[HTTP_MAX_PATH_PARAMS]; /* {name} segments of the route */
    struct http_query_param *query;
    size_t nquery;
    bool query_bad;              /* a query value was not valid UTF-8 */
    struct rp_str body;
    bool body_too_big;
    const char *route;           /* matched pattern, for logs and metrics */
    const char *addr;            /* client address text */
    void *app;                   /* the application pointer given at start */
    /* response, set through http_respond */
    unsigned status;
    const char *resp_type;
    const char *resp_body;
    size_t resp_len;
    const char *resp_headers[HTTP_MAX_HEADERS][2];
    size_t nresp_headers;
    struct http_stream stream;   /* private: set by http_respond_stream */
    int resp_fd;                 /* private: set by http_respond_fd, else -1 */
    uint64_t resp_fd_size;
    /* private */
    struct rp_buf upload;
    struct MHD_Connection *conn;
    int64_t start_us;
    uint64_t id;
    bool done;
    struct http_server *server;
};

typedef void (*http_handler)(struct http_req *req, const void *data);

/* One file of the web UI. The build embeds web/dist as http_web_assets
 * (build/gen/webassets.c, written by tools/webassets.mjs). */
struct http_asset {
    const char *path;          /* "/index.html", "/assets/app-HASH.js" */
    const char *type;          /* Content-Type */
    const char *etag;          /* strong ETag, quoted */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz;   /* gzip of data, NULL when that is not smaller */
    size_t gzlen;
    bool immutable;            /* content-hashed name: cacheable for a year */
};
extern const struct http_asset http_web_assets[];
extern const size_t http_web_nassets;

struct http_route {
    const char *method;   /* "GET", "POST", … */
    const char *pattern;  /* "/api/v1/{res}/{id}" */
    http_handler fn;
    const void *data;     /* given to fn with the request */
    size_t max_body;      /* request bodies up to this size; 0: RP_MAX_JSON_BODY */
};


/* Request header lookup (case-insensitive). Borrowed; NULL when absent. */
const char *http_header(struct http_req *req, const char *name);
const char *http_cookie(struct http_req *req, const char *name);
/* Sets the response. Body bytes are copied when sent. */
void http_respond(struct http_req *req, unsigned status, const char *type, const char *body,
                  size_t len);
/* Sets a streamed response (chunked): the body is produced by stream->fill as the client
 * reads, so it never has to fit in memory. The stream is copied; its done callback runs
 * in every case, also when the response could not be queued. */
void http_respond_stream(struct http_req *req, unsigned status, const char *type,
                         const struct http_stream *stream);
/* Sets a long-lived streamed response (Server-Sent Events) whose fill may answer
 * HTTP_STREAM_WAIT. *waker (owned by the server) wakes it from any thread; it is valid
 * until stream->done has run, so the caller forgets it there, under the same lock its
 * wakes are made under. When the server stops, waiting streams end. */
void http_respond_events(struct http_req *req, unsigned status, const char *type,
                         const struct http_stream *stream, struct http_waker **waker);
/* Makes a waiting event stream call its fill again (at once when it is waiting, else
 * right after its current fill). Any thread. */
void http_stream_wake(struct http_waker *w);
/* Sets a response whose body is the whole of an open file (taken: closed when sent). */
void http_respond_fd(struct http_req *req, unsigned status, const char *type, int fd,
                     uint64_t size);
/* Adds a response header (name and value borrowed from the arena or static). */
void http_add_header(struct http_req *req, const char *name, const char *value);

struct http_config {
    const char *host;           /* IPv4 literal */
    unsigned port;              /* 0 picks a free port */
    unsigned threads;
    const struct http_route *routes;
    size_t nroutes;
    void *app;
    /* Called when no route matches, or the method does not (status 404 or 405), for
     * oversized bodies (413) and headers (431), so the application answers in its error
     * format. */
    void (*on_error)(struct http_req *req, unsigned status);
    /* The web UI, answered for GET and HEAD outside /api/ when no route matches: files
     * from web_dir when set (development), else the embedded assets. */
    const struct http_asset *assets;
    size_t nassets;
    const char *web_dir;
};

/* Starts listening. *port_out receives the bound port. */
enum rp_err http_start(const struct http_config *cfg, struct http_server **out,
                       unsigned *port_out);
/* Answers a GET/HEAD for the web UI: the file at the request path, or index.html for
 * any client-side route (a last segment without a dot), with ETag/If-None-Match and
 * gzip. Returns false, answering nothing, when the path names no file. */
bool http_static_serve(struct http_req *req, const struct http_config *cfg);

/* Stops accepting, waits up to grace_ms for in-flight requests, then stops. */
void http_stop(struct http_server *s, int grace_ms);

/* One header line of a request head, as the HTTP parser read it. */
struct http_field {
    struct rp_str name;
    struct rp_str value;
    bool folded;                /* continued on an obsolete folded line (RFC 9112 §5.2) */
};

/* The status a request head must be refused with before its body is read, or 0 to go
 * on. Framing that two parsers could read differently is how requests are smuggled
 * past a proxy (RFC 9112 §6.3: answer 400 and close the connection): several
 * Content-Length or Transfer-Encoding fields, both at once, a control byte (a bare CR)
 * in a value, a name that is not a token, a folded line — all 400. A transfer coding
 * other than chunked is 501; a head past RP_MAX_HEADER_BYTES is 431. */
unsigned http_head_verdict(const struct http_field *fields, size_t n);

/* Prometheus text of the request counters and latency histogram. */
enum rp_err http_metrics_write(struct http_server *s, struct rp_buf *out);

#endif
