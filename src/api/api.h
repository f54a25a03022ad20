/* The REST API (DESIGN §5): the routes of the engine's generic records and the
 * platform (sign-in, tokens, metadata, jobs, imports, exports), with every module's
 * routes (api/route.h), on one router. Handlers translate requests into engine calls
 * and back: no permission decisions and no SQL here. */
#ifndef RP_API_H
#define RP_API_H

#include "engine/rec.h"
#include "http/http.h"

struct api_app {
    struct store *store;
    struct http_server *http;  /* for /metrics */
    bool secure_cookies;       /* the public URL is https: cookies get Secure */
    const char *public_url;    /* NULL, or the origin browsers use (Origin checks) */
    unsigned statement_timeout_ms; /* a request's reads: store_set_statement_timeout */
};

/* Routes the API answers at most, its own and the modules' together. */
#define API_MAX_ROUTES 256

/* The router's table for http_start: every route, each answered through the API's
 * dispatcher. Built on the first call, which must come before threads start. */
const struct http_route *api_http_routes(size_t *n);
/* For the engine's notification watcher (engine/notify.h, notify_watch_start): wakes
 * the event streams of user_id to send their new notifications; sends every stream a
 * heartbeat. cls is unused. */
void api_notify_news(void *cls, const char *user_id);
void api_notify_beat(void *cls);
/* Answers router-level failures (404, 405, 413, 431, 500) as problem+json. */
void api_on_error(struct http_req *req, unsigned status);

#endif
