/* Fuzz target: request routing and list query parsing.
 *
 * Input: one line "METHOD TARGET" ("GET /api/v1/accounts?sort=-name&annual_revenue[gte]=5"),
 * placeholders as in harness.h. Every method is routed; GET and HEAD requests also run
 * their handler as a sales rep (bearer token) on the seeded database — lists with their
 * filters, operators, sort, limit, cursor, q, count and sum, search, history, timeline,
 * pipeline, forecast, calendar. When a list answers with a next_cursor, the next page is
 * fetched too, so decoding real cursors is fuzzed along with forged ones.
 *
 * Findings: a 5xx, a missing answer, invalid JSON, a next page that fails, or the id of
 * the account owned by the other team's rep in any successful answer (a leak). */
#include <jansson.h>
#include <stdio.h>

#include "harness.h"

#define MAX_INPUT 8192

/* Fetches the page after `resp` when it has a next_cursor. */
static void follow_cursor(const struct fz_req *first, const struct fz_resp *resp)
{
    json_t *j = json_loadb(resp->body, resp->len, 0, NULL);
    json_t *cur = json_object_get(j, "next_cursor");
    if (json_is_string(cur) && !strstr(first->target, "cursor")) {
        size_t n = strlen(first->target) + json_string_length(cur) + 16;
        char *target = malloc(n);
        RP_ASSERT(target);
        snprintf(target, n, "%s%scursor=%s", first->target,
                 strchr(first->target, '?') ? "&" : "?", json_string_value(cur));
        struct fz_req next = *first;
        next.target = target;
        struct fz_resp r2;
        fz_request(&next, &r2);
        if (r2.status != 200)
            fz_fail("the next_cursor of a page does not fetch the next page", &next, &r2);
        free(r2.body);
        free(target);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *text = fz_input(data, size, MAX_INPUT, 0, &len);
    if (!text)
        return 0;
    const char *method, *target;
    fz_request_line(text, len, "GET", &method, &target);
    bool read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    char auth[160];
    snprintf(auth, sizeof(auth), "Bearer %s", fz_value("TOKEN"));
    struct fz_req req = {.method = method, .target = target, .authorization = auth,
                         .route_only = !read};
    struct fz_resp resp;
    fz_request(&req, &resp);
    const char *foreign = fz_value("OTHER");
    if (resp.status == 200 && strstr(resp.body, foreign))
        fz_fail("a record of another team leaked into the answer", &req, &resp);
    if (read && resp.status == 200)
        follow_cursor(&req, &resp);
    free(resp.body);
    free(text);
    return 0;
}
