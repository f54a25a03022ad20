/* Metadata and the OpenAPI document, health and metrics, background jobs and imports. */
#include "core/common.h"

#include <strings.h>

#include "api/api_int.h"
#include "api/handlers.h"
#include "engine/settings.h"
#include "engine/import_jobs.h"
#include "engine/jobs.h"
#include "engine/ops.h"

unsigned api__meta_route(struct api_call *c)
{
    return api_json(c, 200, api__meta(&c->ctx));
}

unsigned api__openapi_route(struct api_call *c)
{
    return api_json(c, 200, api__openapi());
}

unsigned api__health(struct api_call *c)
{
    struct ops_stats st;
    if (ops_stats(&c->ctx, &st))
        return api_problem(c, 503, "the database is not answering");
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    return api_json(c, 200, o);
}

unsigned api__metrics(struct api_call *c)
{
    struct http_req *req = c->req;
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    struct ops_stats st;
    enum rp_err err = ops_stats(&c->ctx, &st);
    if (!err)
        err = http_metrics_write(c->app->http, &b);
    if (!err)
        err = buf_printf(&b,
                         "# HELP rapport_db_size_bytes Size of the database.\n"
                         "# TYPE rapport_db_size_bytes gauge\n"
                         "rapport_db_size_bytes %lld\n"
                         "# HELP rapport_active_sessions Signed-in sessions not yet expired.\n"
                         "# TYPE rapport_active_sessions gauge\n"
                         "rapport_active_sessions %lld\n",
                         (long long)st.db_bytes, (long long)st.active_sessions);
    struct store_status db;
    const struct store_status *ha = &db;
    if (!err)
        err = ops_db_status(&c->ctx, &db);
    if (!err)
        err = buf_printf(&b,
                         "# HELP rapport_db_info The database servers this process uses.\n"
                         "# TYPE rapport_db_info gauge\n"
                         "rapport_db_info{backend=\"%s\",writes_to=\"%s\",reads_from=\"%s\"} 1\n"
                         "# HELP rapport_db_replica_lag_bytes WAL the read replica has yet to"
                         " replay (-1: no replica).\n"
                         "# TYPE rapport_db_replica_lag_bytes gauge\n"
                         "rapport_db_replica_lag_bytes %lld\n"
                         "# HELP rapport_db_reconnects_total Database connections made again"
                         " after a failure.\n"
                         "# TYPE rapport_db_reconnects_total counter\n"
                         "rapport_db_reconnects_total %lld\n"
                         "# HELP rapport_db_unavailable_total Statements that found the"
                         " database gone or read-only (answered 503).\n"
                         "# TYPE rapport_db_unavailable_total counter\n"
                         "rapport_db_unavailable_total %lld\n"
                         "# HELP rapport_db_replica_reads_total Requests whose reads ran on"
                         " the read replica.\n"
                         "# TYPE rapport_db_replica_reads_total counter\n"
                         "rapport_db_replica_reads_total %lld\n"
                         "# HELP rapport_db_replica_fallbacks_total Requests that would have"
                         " read the replica but read the primary: it was too far behind.\n"
                         "# TYPE rapport_db_replica_fallbacks_total counter\n"
                         "rapport_db_replica_fallbacks_total %lld\n",
                         store_backend(c->app->store), ha->writes_to, ha->reads_from,
                         (long long)ha->replica_lag_bytes, (long long)ha->reconnects,
                         (long long)ha->unavailable, (long long)ha->replica_reads,
                         (long long)ha->replica_fallbacks);
    if (err) {
        buf_release(&b);
        return api_fail(c, err);
    }
    char *text = arena_strndup(&req->a, buf_cstr(&b), b.len);
    size_t len = b.len;
    buf_release(&b);
    return api_answer(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

unsigned api__system_status(struct api_call *c)
{
    struct ops_stats st;
    struct store_status status;
    enum rp_err err = ops_status(&c->ctx, &st, &status);
    if (err)
        return api_fail(c, err);
    const struct store_status *db = &status;
    json_t *o = json_object();
    json_object_set_new(o, "backend", json_string(store_backend(c->app->store)));
    json_object_set_new(o, "db_bytes", json_integer(st.db_bytes));
    json_object_set_new(o, "active_sessions", json_integer(st.active_sessions));
    json_object_set_new(o, "writes_to", api_str_or_null(*db->writes_to ? db->writes_to : NULL));
    json_object_set_new(o, "reads_from", api_str_or_null(*db->reads_from ? db->reads_from : NULL));
    json_object_set_new(o, "replica_lag_bytes", db->replica_lag_bytes < 0
                                                    ? json_null()
                                                    : json_integer(db->replica_lag_bytes));
    json_object_set_new(o, "reconnects", json_integer(db->reconnects));
    json_object_set_new(o, "unavailable", json_integer(db->unavailable));
    json_object_set_new(o, "replica_reads", json_integer(db->replica_reads));
    json_object_set_new(o, "replica_fallbacks", json_integer(db->replica_fallbacks));
    return api_json(c, 200, o);
}

static json_t *job_json(const struct store_job *j)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(j->id));
    json_object_set_new(o, "kind", json_string(j->kind));
    json_object_set_new(o, "payload", json_string(j->payload));
    json_object_set_new(o, "state", json_string(j->state));
    json_object_set_new(o, "attempts", json_integer(j->attempts));
    json_object_set_new(o, "claimed_by", api_str_or_null(j->claimed_by));
    json_object_set_new(o, "result", api_str_or_null(j->result));
    json_object_set_new(o, "created_at", json_string(j->created_at));
    return o;
}

unsigned api__job_create(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *kind = json_object_get(root, "kind"), *payload = json_object_get(root, "payload");
    const char *id = NULL;
    enum rp_err err;
    if (!json_is_string(kind))
        err = rec_field_error(&c->ctx, "kind", "is required");
    else if (payload && !json_is_string(payload))
        err = rec_field_error(&c->ctx, "payload", "must be a string");
    else
        err = jobs_enqueue(&c->ctx, rp_str_c(json_string_value(kind)),
                           rp_str_c(payload ? json_string_value(payload) : ""), &id);
    struct store_job j;
    if (!err)
        err = jobs_get(&c->ctx, rp_str_c(id), &j);
    if (err)
        return api_fail(c, err);
    return api_json(c, 202, job_json(&j));
}

unsigned api__job_get(struct api_call *c)
{
    struct http_req *req = c->req;
    struct store_job j;
    enum rp_err err = jobs_get(&c->ctx, req->params[0], &j);
    if (err)
        return api_fail(c, err);
    return api_json(c, 200, job_json(&j));
}

/* The media types of files to import, and their formats. */
static const struct {
    const char *type;
    enum imp_format format;
} IMPORT_TYPES[] = {
    {"text/csv", IMP_CSV},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", IMP_XLSX},
    {"text/vcard", IMP_VCARD},
    {"text/x-vcard", IMP_VCARD},
    {"text/directory", IMP_VCARD},
};

/* An import request from the query (entity, on_duplicate, dry_run, encoding, map,
 * create_accounts) and a body whose Content-Type says its format; 0, or the status of
 * the problem answered. */
static unsigned import_request(struct api_call *c, struct import_jobs_request *out)
{
    struct http_req *req = c->req;
    const char *ct = http_header(req, "Content-Type");
    struct import_jobs_request r = {.on_dup = IMP_DUP_SKIP, .body = req->body};
    bool known = false;
    for (size_t i = 0; ct && i < RP_NELEM(IMPORT_TYPES) && !known; i++) {
        size_t n = strlen(IMPORT_TYPES[i].type);
        if (strncasecmp(ct, IMPORT_TYPES[i].type, n) == 0 &&
            (!ct[n] || ct[n] == ';' || ct[n] == ' ')) {
            r.format = IMPORT_TYPES[i].format;
            known = true;
        }
    }
    if (!known)
        return api_problem(c, 415, "send the file as text/csv, an Excel workbook"
                                   " (application/vnd.openxmlformats-officedocument"
                                   ".spreadsheetml.sheet) or text/vcard");
    struct rp_buf map;
    buf_init(&map, RP_MAX_SQL);
    const char *bad = NULL;
    for (size_t i = 0; i < req->nquery && !bad; i++) {
        struct rp_str k = req->query[i].key, v = req->query[i].value;
        if (rp_str_eqc(k, "entity")) {
            r.e = meta_entity(v);
            bad = r.e ? NULL : MSG("entity must name records that take imports (GET /api/v1/meta)");
        } else if (rp_str_eqc(k, "on_duplicate")) {
            bad = imp_dup_parse(v, &r.on_dup) ? NULL
                                              : MSG("on_duplicate must be skip, update or create");
        } else if (rp_str_eqc(k, "dry_run")) {
            r.dry_run = rp_str_eqc(v, "true");
            bad = r.dry_run || rp_str_eqc(v, "false") ? NULL : MSG("dry_run must be true or false");
        } else if (rp_str_eqc(k, "create_accounts")) {
            r.create_missing = rp_str_eqc(v, "true");
            bad = r.create_missing || rp_str_eqc(v, "false")
                      ? NULL
                      : MSG("create_accounts must be true or false");
        } else if (rp_str_eqc(k, "encoding")) {
            r.encoding = arena_strndup(&req->a, v.p, v.len);
        } else if (rp_str_eqc(k, "map")) {
            if (memchr(v.p, '\n', v.len) ||
                buf_printf(&map, "%s%.*s", map.len ? "\n" : "", (int)v.len, v.p))
                bad = MSG("map takes column=field");
        } else {
            bad = MSG("imports take entity, on_duplicate, dry_run, encoding, map and create_accounts");
        }
    }
    if (!bad && !r.e)
        bad = MSG("give the entity: ?entity=contacts");
    r.mapping = map.len ? arena_strndup(&req->a, buf_cstr(&map), map.len) : NULL;
    buf_release(&map);
    if (bad)
        return api_problem(c, 400, bad);
    *out = r;
    return 0;
}

unsigned api__import_create(struct api_call *c)
{
    struct http_req *req = c->req;
    struct import_jobs_request r;
    unsigned st = import_request(c, &r);
    if (st)
        return st;
    const char *id;
    enum rp_err err = import_jobs_submit(&c->ctx, &r, &id);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "status", json_string("queued"));
    http_add_header(req, "Location", arena_printf(&req->a, "/api/v1/imports/%s", id));
    return api_json(c, 202, o);
}

/* The rows a preview shows: enough to recognise the columns. */
#define PREVIEW_ROWS 5

unsigned api__import_preview(struct api_call *c)
{
    struct import_jobs_request r;
    unsigned st = import_request(c, &r);
    if (st)
        return st;
    struct imp_preview pv;
    enum rp_err err = import_jobs_preview(&c->ctx, &r, PREVIEW_ROWS, &pv);
    if (err)
        return api_fail(c, err);
    json_t *cols = json_array();
    for (size_t i = 0; i < pv.ncols; i++) {
        json_t *col = json_object();
        json_object_set_new(col, "header", json_string(pv.headers[i]));
        json_object_set_new(col, "field", api_str_or_null(pv.fields[i]));
        json_array_append_new(cols, col);
    }
    json_t *rows = json_array();
    for (size_t k = 0; k < pv.nrows; k++) {
        json_t *row = json_array();
        for (size_t i = 0; i < pv.ncols; i++)
            json_array_append_new(row, api_str_or_null(pv.rows[k][i]));
        json_array_append_new(rows, row);
    }
    json_t *o = json_object();
    json_object_set_new(o, "columns", cols);
    json_object_set_new(o, "rows", rows);
    return api_json(c, 200, o);
}

unsigned api__import_get(struct api_call *c)
{
    struct http_req *req = c->req;
    struct store_import_job j;
    struct store_import_error *errs;
    size_t n;
    enum rp_err err = import_jobs_get(&c->ctx, req->params[0], &j, &errs, &n);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(j.id));
    json_object_set_new(o, "entity", json_string(j.entity));
    json_object_set_new(o, "status", json_string(j.status));
    json_object_set_new(o, "dry_run", json_boolean(j.dry_run));
    json_object_set_new(o, "on_duplicate", json_string(j.on_duplicate));
    json_object_set_new(o, "format", json_string(j.format));
    json_object_set_new(o, "create_accounts", json_boolean(j.create_missing));
    const char *const names[] = {"rows_total",   "rows_done",    "rows_imported",
                                 "rows_updated", "rows_skipped", "rows_failed",
                                 "accounts_created"};
    const int64_t vals[] = {j.rows_total,   j.rows_done,    j.rows_imported,
                            j.rows_updated, j.rows_skipped, j.rows_failed,
                            j.refs_created};
    for (size_t i = 0; i < RP_NELEM(names); i++)
        json_object_set_new(o, names[i], json_integer(vals[i]));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "line", json_integer(errs[i].line));
        json_object_set_new(e, "field", api_str_or_null(errs[i].field));
        json_object_set_new(e, "message", json_string(errs[i].message));
        json_array_append_new(list, e);
    }
    json_object_set_new(o, "errors", list);
    json_object_set_new(o, "error", api_str_or_null(j.error));
    json_object_set_new(o, "created_at", json_string(j.created_at));
    json_object_set_new(o, "updated_at", json_string(j.updated_at));
    return api_json(c, 200, o);
}

/* ---- settings ---- */

static unsigned answer_settings(struct api_call *c, unsigned status)
{
    size_t n;
    const struct setting_def *defs = settings_defs(&n);
    int64_t *values = arena_calloc(&c->req->a, n, sizeof(*values));
    enum rp_err err = settings_all(&c->ctx, values);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(defs[i].key));
        json_object_set_new(o, "value", json_integer(values[i]));
        json_object_set_new(o, "default", json_integer(defs[i].def));
        json_object_set_new(o, "min", json_integer(defs[i].min));
        json_object_set_new(o, "max", json_integer(defs[i].max));
        json_object_set_new(o, "help", json_string(defs[i].help));
        json_array_append_new(data, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    return api_json(c, status, root);
}

unsigned api__settings_get(struct api_call *c)
{
    return answer_settings(c, 200);
}

unsigned api__settings_update(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    enum rp_err err = settings_update(&c->ctx, in, n);
    return err ? api_fail(c, err) : answer_settings(c, 200);
}
