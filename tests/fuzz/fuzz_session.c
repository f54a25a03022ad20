/* Fuzz target: session cookie, bearer token, CSRF token, If-Match and Content-Type
 * handling — everything api/ reads from request headers before it trusts a caller.
 *
 * Input: lines "METHOD", "Authorization", "rapport_session cookie", "X-CSRF-Token",
 * "If-Match", "Content-Type", then an optional JSON body; a missing line is an absent
 * header. Placeholders (@SESSION@, @CSRF@, @TOKEN@, …) stand for the real secrets of
 * the seeded sales rep. GET and HEAD ask GET /auth/me; any other method becomes a
 * PATCH of the rep's own account.
 *
 * The oracle is the authentication rule itself: a request passes iff it carries the
 * exact API token as "Bearer <token>", or (without a Bearer header) the exact session
 * cookie and — for a PATCH — the exact CSRF token. Passing without that, or being
 * refused with it, is a finding, as is a 5xx. */
#include <stdio.h>

#include "harness.h"

#define MAX_INPUT 8192
#define RESET_EVERY 2000
#define NLINES 6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *text = fz_input(data, size, MAX_INPUT, RESET_EVERY, &len);
    if (!text)
        return 0;
    const char *line[NLINES] = {NULL};
    char *p = text, *end = text + len;
    size_t n = 0;
    for (; n < NLINES && p < end; n++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        line[n] = p;
        if (!nl) {
            p = end;
            n++;
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    const char *method = line[0] ? line[0] : "GET";
    bool safe = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    char target[128];
    snprintf(target, sizeof(target), safe ? "/api/v1/auth/me" : "/api/v1/accounts/%s",
             fz_value("OWN"));
    static const char DEFAULT_BODY[] = "{\"phone\":\"+86 10 1234 5678\"}";
    bool has_body = n == NLINES && p < end;
    struct fz_req req = {.method = safe ? method : "PATCH", .target = target,
                         .authorization = line[1], .cookie = line[2], .csrf = line[3],
                         .if_match = line[4], .content_type = line[5],
                         .body = has_body ? p : DEFAULT_BODY,
                         .body_len = has_body ? (size_t)(end - p) : sizeof(DEFAULT_BODY) - 1};

    const char *token = fz_value("TOKEN"), *session = fz_value("SESSION"), *csrf = fz_value("CSRF");
    bool bearer = req.authorization && strncmp(req.authorization, "Bearer ", 7) == 0;
    bool token_ok = bearer && strcmp(req.authorization + 7, token) == 0;
    bool cookie_ok = !bearer && req.cookie && strcmp(req.cookie, session) == 0;
    bool csrf_ok = req.csrf && strcmp(req.csrf, csrf) == 0;
    bool allowed = token_ok || (cookie_ok && (safe || csrf_ok));

    struct fz_resp resp;
    fz_request(&req, &resp);
    bool refused = resp.status == 401 || resp.status == 403;
    if (!allowed && !refused)
        fz_fail("a request without valid credentials was let in", &req, &resp);
    if (allowed && refused)
        fz_fail("a request with valid credentials was refused", &req, &resp);
    if (allowed && safe && resp.status != 200)
        fz_fail("GET /auth/me with valid credentials failed", &req, &resp);
    free(resp.body);
    free(text);
    return 0;
}
