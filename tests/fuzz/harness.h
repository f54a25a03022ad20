/* Shared harness of the libFuzzer targets (tests/fuzz/README.md).
 *
 * The targets drive the real request path — router, handlers, record engine, store —
 * without libmicrohttpd's socket layer: harness.c includes src/http/server.c to reach
 * its router, and defines MHD_lookup_connection_value itself, so the handlers read the
 * request headers and cookie the fuzzer chose. Everything runs on a seeded SQLite
 * database in a temporary directory (on /dev/shm when it exists, to skip fsync).
 *
 * Inputs may name seeded objects with placeholders that fz_expand replaces:
 *   @ME@ @PEER@ @STRANGER@   users: the caller (sales, team A), a team mate, team B
 *   @OWN@ @TEAM@ @OTHER@     accounts owned by each of them
 *   @CONTACT@ @OPP@ @LEAD@ @ACT@   the caller's contact, opportunity, lead, activity
 *   @TEAMA@ @TEAMB@          the two teams
 *   @SESSION@ @CSRF@ @TOKEN@ the caller's session cookie, CSRF token, API token
 * FZ_TRACE=1 in the environment prints the status of every request on stderr. */
#ifndef RP_FUZZ_HARNESS_H
#define RP_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One request as the harness sends it. Strings are NUL-terminated; NULL = absent. */
struct fz_req {
    const char *method;
    const char *target;         /* "/api/v1/accounts?sort=-name", percent-encoded */
    const char *authorization;
    const char *cookie;         /* the value of the rapport_session cookie */
    const char *csrf;
    const char *if_match;
    const char *content_type;
    const char *body;
    size_t body_len;
    bool route_only;            /* match the route but do not run the handler */
};

struct fz_resp {
    unsigned status;
    bool routed;                /* a route matched method and path */
    char *body;                 /* malloc'ed, NUL-terminated; free it */
    size_t len;
};

/* Builds the seeded world on first use (aborts if that fails). */
void fz_init(void);
/* Restores the seeded database: targets that write call it every so many inputs so
 * the database stays small. */
void fz_reset(void);
/* The seeded value of a placeholder name ("OWN"), or NULL. */
const char *fz_value(const char *name);
/* A malloc'ed, NUL-terminated copy of data with placeholders replaced. */
char *fz_expand(const uint8_t *data, size_t size, size_t *len);
/* The start of every target: NULL when size is over max; otherwise builds the world,
 * restores the seeded database every reset_every calls (0: never), and returns
 * fz_expand's copy of the input. */
char *fz_input(const uint8_t *data, size_t size, size_t max, unsigned reset_every, size_t *len);
/* Splits a first line "METHOD TARGET" in place (the newline and the space become NULs);
 * a line without a space is a target for dflt_method. Returns what follows the first
 * line (the body), or the end of the text. */
char *fz_request_line(char *text, size_t len, const char *dflt_method, const char **method,
                      const char **target);
/* Runs one request. Aborts — a finding — when the answer is a 500, has no status,
 * or is a success whose JSON does not parse. */
void fz_request(const struct fz_req *in, struct fz_resp *out);
/* The seeded world's store, for targets that call the engine directly. */
struct store *fz_store(void);
/* Counts rows with SQL of the harness's own (audit rows, records). */
int64_t fz_count(const char *sql);
/* Reports a finding and aborts. */
_Noreturn void fz_fail(const char *what, const struct fz_req *in, const struct fz_resp *out);

#endif
