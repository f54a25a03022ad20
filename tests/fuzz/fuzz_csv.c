/* Fuzz target: CSV import (crm/import.h) — decoding, libcsv parsing, header mapping,
 * cell conversion, batches, duplicate handling — as a sales rep.
 *
 * Input: a first line "ENTITY [ENCODING] [dry] [skip|update|create]" (defaults:
 * contacts, UTF-8, a real import, skip), then the file's bytes. The import runs in
 * batches of 7 rows so that batch boundaries are reached by small inputs.
 *
 * Findings: a database failure, counters that do not add up (done = imported +
 * skipped + failed, updated within imported), a refused file or a dry run that changed
 * records or their history, and a real import whose records or history do not match
 * what it reports. */
#include <stdio.h>

#include "harness.h"

#include "engine/auth.h"
#include "engine/csv_import.h"
#include "mod/calendar/calendar.h"
#include "mod/customers/customers.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"
#include "engine/meta.h"

#define MAX_INPUT (256 * 1024)
#define RESET_EVERY 500

static int64_t rows_of(const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return fz_count(sql);
}

static _Noreturn void fail(const char *what, const char *opts)
{
    struct fz_req req = {.method = "IMPORT", .target = opts};
    struct fz_resp resp = {0};
    fz_fail(what, &req, &resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *text = fz_input(data, size, MAX_INPUT, RESET_EVERY, &len);
    if (!text)
        return 0;
    char *nl = memchr(text, '\n', len);
    char *body = nl ? nl + 1 : text + len;
    if (nl)
        *nl = '\0';
    const char *opts = nl ? text : "";
    struct imp_options o = {.e = meta_need("contacts"), .on_dup = IMP_DUP_SKIP, .batch = 7};
    char words[256];
    snprintf(words, sizeof(words), "%s", opts);
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        const struct entity_def *e = meta_entity(rp_str_c(w));
        if (e)
            o.e = e;
        else if (strcmp(w, "dry") == 0)
            o.dry_run = true;
        else if (!imp_dup_parse(rp_str_c(w), &o.on_dup) && imp_encoding_ok(w))
            o.encoding = w;
    }
    struct store_conn *c;
    struct arena a;
    arena_init(&a);
    struct principal who;
    if (store_conn_get(fz_store(), &c) ||
        auth_token(c, &a, rp_str_c(fz_value("TOKEN")), &who))
        fail("the harness's token does not sign in", opts);
    struct rec_ctx ctx;
    rec_ctx_init(&ctx, fz_store(), c, &a, &who);
    int64_t records0 = rows_of(o.e->name);
    /* Record history only: the import itself is audited (import, import_dry_run). */
    static const char *const HISTORY =
        "SELECT count(*) FROM audit_log WHERE action NOT LIKE 'import%'";
    int64_t audit0 = fz_count(HISTORY);
    struct imp_source src = {NULL, body, len - (size_t)(body - text)};
    struct imp_result res;
    memset(&res, 0, sizeof(res));
    enum rp_err err = imp_run(&ctx, &o, &src, &a, &res);
    int64_t created = rows_of(o.e->name) - records0;
    bool changed = created != 0 || fz_count(HISTORY) != audit0;
    if (err && err != RP_EINVAL)
        fail("the import failed in the database", opts);
    if (err == RP_EINVAL && !res.fatal)
        fail("a refused file without a reason", opts);
    if ((err || o.dry_run) && changed)
        fail("a refused file or a dry run changed the database", opts);
    if (!err && res.rows_done != res.rows_imported + res.rows_skipped + res.rows_failed)
        fail("rows done is not imported + skipped + failed", opts);
    if (res.rows_updated > res.rows_imported || res.rows_done > res.rows_total)
        fail("counters out of range", opts);
    if (!err && !o.dry_run && created != res.rows_imported - res.rows_updated)
        fail("the records created are not the rows reported imported", opts);
    /* (An update to the values a record already has writes no history.) */
    if (created > 0 && fz_count(HISTORY) - audit0 < created)
        fail("records created without their history", opts);
    arena_release(&a);
    free(text);
    return 0;
}
