/* Fuzz target: JSON request bodies decoded against entity metadata.
 *
 * Input: a first line "METHOD PATH" ("POST /api/v1/accounts", "PATCH /api/v1/leads/@LEAD@",
 * "POST /api/v1/leads/@LEAD@/convert"), then the JSON body; placeholders as in
 * harness.h. The request runs as a sales rep (bearer token) through the real handler:
 * JSON parsing, decoding into engine inputs, validation, permission checks, duplicate
 * and calendar checks, and the write.
 *
 * Findings: a 5xx, a missing answer, invalid JSON, and any failed request (4xx) that
 * changed a record or wrote an audit row. */
#include <stdio.h>

#include "harness.h"

#define MAX_INPUT (64 * 1024)
/* Writes that succeed grow the database; it is restored from the seed this often. */
#define RESET_EVERY 1000

/* A fingerprint of every record table and the audit log: rows, versions, recycle bin. */
static int64_t state(void)
{
    static const char *const TABLES[] = {"accounts", "contacts",  "leads", "opportunities",
                                         "activities", "users", "teams", "pipeline_stages"};
    int64_t sum = fz_count("SELECT count(*) * 1000003 FROM audit_log");
    for (size_t i = 0; i < RP_NELEM(TABLES); i++) {
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) * 7919 + coalesce(sum(version), 0) * 31 + count(deleted_at)"
                 " FROM %s",
                 TABLES[i]);
        sum += fz_count(sql);
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *text = fz_input(data, size, MAX_INPUT, RESET_EVERY, &len);
    if (!text)
        return 0;
    const char *method, *target;
    char *body = fz_request_line(text, len, "POST", &method, &target);
    /* Sign-in runs argon2id (tens of milliseconds): fuzzed in fuzz_session instead. */
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strstr(target, "/auth/")) {
        free(text);
        return 0;
    }
    char auth[160];
    snprintf(auth, sizeof(auth), "Bearer %s", fz_value("TOKEN"));
    struct fz_req req = {.method = method, .target = target, .authorization = auth,
                         .content_type = "application/json", .body = body,
                         .body_len = len - (size_t)(body - text)};
    int64_t before = state();
    struct fz_resp resp;
    fz_request(&req, &resp);
    if (resp.status >= 400 && state() != before)
        fz_fail("a failed request changed the database", &req, &resp);
    if (resp.status == 201 && !strstr(resp.body, "\"id\""))
        fz_fail("a created record came back without an id", &req, &resp);
    free(resp.body);
    free(text);
    return 0;
}
