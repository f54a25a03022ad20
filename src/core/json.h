/* The one JSON module (DESIGN §2: jansson, wrapped once). api/ builds and parses the
 * API's documents with jansson; everything else that writes or reads JSON text — the
 * id and key lists stored in records, an audit row's initial values, a job's result —
 * goes through these functions, and so do api/'s own writers, so every string is
 * escaped one way. */
#ifndef RP_CORE_JSON_H
#define RP_CORE_JSON_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/common.h"

/* Appends s[0..n) as a JSON string: quotes, backslashes and control characters
 * escaped as json_dumps escapes them, everything else (UTF-8) as it is. RP_ETOOBIG
 * past b's maximum. */
enum rp_err json_add_string(struct rp_buf *b, const char *s, size_t n);
/* Appends a decimal integer. */
enum rp_err json_add_int(struct rp_buf *b, int64_t i);
/* Appends ["a","b"] for items. */
enum rp_err json_add_list(struct rp_buf *b, const struct rp_str *items, size_t n);

/* Reads a JSON array of at most max strings from text into *items (arena copies).
 * RP_EINVAL for anything else. */
enum rp_err json_read_list(struct arena *a, struct rp_str text, size_t max,
                           struct rp_str **items, size_t *n);
/* Reads a JSON object of at most max members whose values are strings or null, in
 * document order, into keys and values (NULL for null; arena copies). RP_EINVAL for
 * anything else. */
enum rp_err json_read_object(struct arena *a, struct rp_str text, size_t max,
                             const char ***keys, const char ***values, size_t *n);
/* Reads a JSON object of at most max members into keys and each value's JSON text
 * (compact; arena copies), in document order, to be read in turn with these
 * functions. RP_EINVAL for anything else. */
enum rp_err json_read_members(struct arena *a, struct rp_str text, size_t max,
                              const char ***keys, struct rp_str **values, size_t *n);

#endif
