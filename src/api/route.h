/* Routes (DESIGN §3): one table is the source of both the router and the OpenAPI
 * document. The API's own routes are in api/routes.c; a module lists its routes in its
 * descriptor (engine/module.h) and writes its handlers with the helpers below.
 *
 * A handler gets the call — the request, the caller, an engine context on the caller's
 * connection — set up by the dispatcher (authenticated unless API_PUBLIC), reads what
 * it needs, and returns the status it answers with. The answer itself is set by the one
 * helper whose value it returns (`return api_json(c, 200, doc);`,
 * `return api_fail(c, err);`), so a handler answers exactly once. */
#ifndef RP_API_ROUTE_H
#define RP_API_ROUTE_H

#include <jansson.h>

#include "engine/rec.h"
#include "http/http.h"

struct api_app;
struct principal;

/* One request being answered. */
struct api_call {
    struct http_req *req;        /* read-only */
    struct api_app *app;         /* read-only */
    struct rec_ctx ctx;          /* the caller's engine context (ctx.who: &who, or NULL) */
    /* The signed-in caller; on API_PUBLIC routes, zeroed room for a caller the handler
     * authenticates itself (ctx.who stays NULL until it sets it). */
    struct principal *who;
    const struct entity_def *e;  /* the entity of {res}, for routes with one */
};

typedef unsigned (*api_fn)(struct api_call *c);

enum api_route_flag {
    API_PUBLIC = 1 << 0,         /* no sign-in: the handler authenticates, if at all */
    /* Another protocol on the same server (WebDAV: PROPFIND, REPORT …), not the REST
     * API: left out of the OpenAPI document, described in its own doc. */
    API_NOT_REST = 1 << 1,
    /* Its reads may come from the read replica (store_conn_read_replica), up to the
     * documented staleness: lists, search, exports — never a record just saved. */
    API_READ_REPLICA = 1 << 2,
};

/* What an operation answers and takes, for the OpenAPI document. */
enum api_shape {
    API_NONE,                    /* nothing (204), or no body */
    API_JSON,                    /* a JSON object */
    API_RECORD,                  /* a record of {res} */
    API_PAGE,                    /* a page of records of {res} */
    API_IMPORT,                  /* a file to import: CSV, .xlsx or vCard (by Content-Type) */
    API_FILE,                    /* a file (exports, feeds) */
};

struct api_route {
    const char *method;          /* "GET", "POST", … */
    const char *path;            /* "/api/v1/{res}/{id}/merge" */
    api_fn fn;
    /* OpenAPI: "{label}" and "{labels}" stand for the entity's labels on {res} routes,
     * "{res}" for its name in the operation id. */
    const char *summary;
    const char *op_id;
    unsigned ok;                 /* the success status */
    enum api_shape body;         /* what the request carries */
    enum api_shape answer;       /* what the success answer carries */
    unsigned flags;              /* api_route_flag */
    size_t max_body;             /* 0: RP_MAX_JSON_BODY */
    /* {res} routes: the entities they apply to, those with every flag of `needs`
     * (EF_DUPLICATES for merges) and none of `refuses` (EF_NO_DELETE for deletes). */
    unsigned needs;
    unsigned refuses;
};

/* ---- reading the request ---- */

/* The JSON object body (415 for another type, 400 for malformed JSON): RP_OK, or the
 * status of the problem answered. The document lives until the call ends. */
unsigned api_body(struct api_call *c, json_t **root);
/* Gives every member of root that is not one of keys (NULL-terminated) the field error
 * why, a MSG("…") (in the caller's language). */
void api_only_keys(struct api_call *c, json_t *root, const char *const *keys, const char *why);
/* The members of a JSON object as engine inputs (borrowed from root). */
void api_inputs(struct api_call *c, json_t *root, struct rec_input **out, size_t *n);
/* The value of query parameter `name`, or {NULL, 0}. */
struct rp_str api_query(struct api_call *c, const char *name);
/* True when the query has name=true. */
bool api_flag(struct api_call *c, const char *name);
/* The query parameters as list parameters, without those named in skip (NULL-ended). */
struct rec_param *api_params(struct api_call *c, const char *const *skip, size_t *n);
/* The If-Match version (-1 when absent or *): 0, or the status of a 400 answered. */
unsigned api_if_match(struct api_call *c, int64_t *version);

/* ---- answering: each returns the status it answered with ---- */

/* A JSON document (stolen). */
unsigned api_json(struct api_call *c, unsigned status, json_t *doc);
/* {"data": data} (stolen), 200. */
unsigned api_data(struct api_call *c, json_t *data);
/* A record, with its ETag, and its Location on 201. */
unsigned api_record(struct api_call *c, unsigned status, const struct rec *r);
/* JSON text the handler wrote into b (stolen); 500 when err says it could not. */
unsigned api_text(struct api_call *c, unsigned status, struct rp_buf *b, enum rp_err err);
/* 204. */
unsigned api_no_content(struct api_call *c);
/* A body of another type (text, borrowed until the call ends). */
unsigned api_answer(struct api_call *c, unsigned status, const char *type, const char *body,
                    size_t len);
struct exp;
struct rec_exporter;
/* An export (engine/export.h), which it owns from here on: streamed as it is read, or
 * written to a temporary file first (XLSX); `name` is the file name's stem. */
unsigned api_export(struct api_call *c, struct exp *x, const struct rec_exporter *f,
                    const char *name);
/* An RFC 9457 problem with this status and detail: the detail, an English message (the
 * id of its translation, core/msg.h), in the caller's language. */
unsigned api_problem(struct api_call *c, unsigned status, const char *detail);
/* The same with a detail formatted from fmt, translated before formatting. */
unsigned api_problemf(struct api_call *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The problem for an engine error, from the context: field errors (422), the records
 * that explain a conflict (ctx.problem), 403, 404, 412, 503 … */
unsigned api_fail(struct api_call *c, enum rp_err err);

/* ---- encoding ---- */

/* Money in minor units as the API writes it ("12.30"). */
json_t *api_money(int64_t minor);
/* A JSON string, or null for NULL. */
json_t *api_str_or_null(const char *s);
/* A record as a JSON object. */
json_t *api_rec(struct api_call *c, const struct rec *r);
/* A record written as JSON text into b, the members of extra (an object, or NULL)
 * after its own: a list of records with a few members more each, without the JSON
 * tree of every record. */
enum rp_err api_write_record_with(struct rp_buf *b, struct arena *a, const struct rec *r,
                                  json_t *extra);
/* Records written as JSON text into b (the one encoder of records). */
enum rp_err api_write_records(struct rp_buf *b, struct arena *a, const struct rec *rows,
                              size_t n);

#endif
