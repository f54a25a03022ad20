/* The REST API (DESIGN §5): HTTP handlers that translate requests into crm/ calls and
 * back. No permission decisions and no SQL here. */
#ifndef RP_API_H
#define RP_API_H

#include <jansson.h>

#include "engine/rec.h"
#include "http/http.h"

struct api_app {
    struct store *store;
    struct http_server *http;  /* for /metrics */
    bool secure_cookies;       /* the public URL is https: cookies get Secure */
    const char *public_url;    /* NULL, or the origin browsers use (Origin checks) */
    unsigned statement_timeout_ms; /* a request's reads: store_set_statement_timeout */
};

/* The route table, for http_start. */
extern const struct http_route api_routes[];
extern const size_t api_nroutes;
/* Routes that take bodies above the JSON limit (POST /imports). */
extern const struct http_body_limit api_body_limits[];
extern const size_t api_nbody_limits;
/* Answers router-level failures (404, 405, 413, 500) as problem+json. */
void api_on_error(struct http_req *req, unsigned status);

/* ---- shared inside api/ ---- */

/* NULL when a request body is within the shape limits (RP_MAX_JSON_DEPTH levels of
 * nesting, RP_MAX_JSON_ELEMENTS containers and separators), else why not. A pre-scan
 * before the parser, so an abusive document never allocates a tree. */
const char *api__json_shape(struct rp_str body);
/* Sends a JSON document (steals root). */
void api__json(struct http_req *req, unsigned status, json_t *root);
/* Appends v (borrowed) as json_dumps(v, JSON_COMPACT) would write it (the same bytes).
 * RP_ETOOBIG past b's maximum; RP_ENOMEM when v is NULL (jansson could not build it)
 * or memory runs out. */
enum rp_err api__dump(struct rp_buf *b, const json_t *v);
/* Sends a problem+json answer. */
void api__problem(struct http_req *req, unsigned status, const char *detail);
/* A problem document to extend (errors, duplicates, conflicts) before api__send_problem
 * sends it (steals doc). */
json_t *api__problem_doc(unsigned status, const char *detail);
void api__send_problem(struct http_req *req, unsigned status, json_t *doc);
/* Money in minor units as the API writes it ("12.30"). */
json_t *api__money(int64_t minor);
/* A JSON string, or null for NULL. */
json_t *api__str_or_null(const char *s);
/* Encodes a record. */
json_t *api__record(struct arena *a, const struct rec *r);
/* The same record written as JSON text (the one encoder of records; api__record
 * parses it back for answers that embed records in larger documents), and an array
 * of them. RP_ETOOBIG past b's maximum, RP_ENOMEM. */
enum rp_err api__write_record(struct rp_buf *b, struct arena *a, const struct rec *r);
enum rp_err api__write_records(struct rp_buf *b, struct arena *a, const struct rec *rows,
                               size_t n);
/* Appends s (borrowed) as a JSON string, or null for NULL. RP_ETOOBIG past b's
 * maximum. */
enum rp_err api__write_text(struct rp_buf *b, const char *s);
/* Answers status with the JSON text in b, which it steals; or 500 (logged) when err
 * is set. */
void api__respond(struct http_req *req, unsigned status, struct rp_buf *b, enum rp_err err);
/* Metadata documents. */
json_t *api__meta(struct rec_ctx *ctx);
json_t *api__openapi(void);

#endif
