/* Shared inside api/ only: encoders, problem documents, idempotency and exports of
 * the API's own routes. Modules use api/route.h. */
#ifndef RP_API_INT_H
#define RP_API_INT_H

#include "api/api.h"
#include "api/route.h"
#include "engine/idem.h"

/* ---- json.c ---- */

/* NULL when a request body is within the shape limits (RP_MAX_JSON_DEPTH levels of
 * nesting, RP_MAX_JSON_ELEMENTS containers and separators), else why not. A pre-scan
 * before the parser, so an abusive document never allocates a tree. */
const char *api__json_shape(struct rp_str body);
/* Appends v (borrowed) as json_dumps(v, JSON_COMPACT) would write it (the same bytes).
 * RP_ETOOBIG past b's maximum; RP_ENOMEM when v is NULL (jansson could not build it)
 * or memory runs out. */
enum rp_err api__dump(struct rp_buf *b, const json_t *v);
/* A problem document (RFC 9457) to extend before it is sent: its title in lang, the
 * detail as given (already in lang). */
json_t *api__problem_doc(unsigned status, enum rp_lang lang, const char *detail);
/* A record written as JSON text (the one encoder of records; api__record parses it
 * back for answers that embed records in larger documents). RP_ETOOBIG past b's
 * maximum, RP_ENOMEM. */
enum rp_err api__write_record(struct rp_buf *b, struct arena *a, const struct rec *r);
json_t *api__record(struct arena *a, const struct rec *r);
/* Appends s (borrowed) as a JSON string, or null for NULL. */
enum rp_err api__write_text(struct rp_buf *b, const char *s);

/* The API's messages in Chinese (api/msg_zh.c). */
extern const struct msg_catalog api_messages;

/* ---- call.c ---- */

/* Opens a keyed write for an Idempotency-Key header: 0 to go on (st->key NULL without
 * one), or the status of the replay or problem answered. */
unsigned api__idem_open(struct api_call *c, struct idem *st);
/* Ends a keyed write with the answer of status (which the handler set), or rolls back
 * when err is set; returns the status finally answered. */
unsigned api__idem_close(struct api_call *c, struct idem *st, enum rp_err err, unsigned status);

/* ---- meta.c, openapi.c ---- */

json_t *api__meta(struct rec_ctx *ctx);
json_t *api__entity_json(struct rec_ctx *ctx, const struct entity_def *e);
json_t *api__field_json(struct rec_ctx *ctx, const struct entity_def *e, size_t i);
json_t *api__openapi(void);
/* Every route: the API's own, then each module's (routes.c). */
const struct api_route *api__routes(size_t *n);

#endif
