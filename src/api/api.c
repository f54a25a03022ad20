/* Route table and handlers. Each handler: authenticate, decode, call crm/, encode. */
#include "core/common.h"

#include <fcntl.h>
#include <math.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/auth.h"
#include "engine/meta.h"
#include "engine/duplicates.h"
#include "engine/idem.h"
#include "engine/export.h"
#include "engine/import_jobs.h"
#include "engine/ops.h"
#include "mod/calendar/calendar.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"
#include "engine/secev.h"
#include "engine/jobs.h"

#define HISTORY_LIMIT 500
#define SEARCH_PER_ENTITY 10

struct call {
    struct http_req *req;
    struct api_app *app;
    struct rec_ctx ctx;
    struct principal who;
};

/* ---- errors ---- */

static void fail(struct call *c, enum rp_err err)
{
    struct http_req *req = c->req;
    struct rec_ctx *ctx = &c->ctx;
    if (err == RP_EINVAL && !ctx->bad_request && ctx->nerrors) {
        json_t *p = api__problem_doc(422, "some fields are invalid");
        json_t *errs = json_array();
        for (size_t i = 0; i < ctx->nerrors; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string(ctx->errors[i].field));
            json_object_set_new(e, "message", json_string(ctx->errors[i].message));
            json_array_append_new(errs, e);
        }
        json_object_set_new(p, "errors", errs);
        api__send_problem(req, 422, p);
        return;
    }
    if (err == RP_ECONFLICT && ctx->nduplicates) {
        json_t *p = api__problem_doc(409, ctx->detail);
        json_t *list = json_array();
        for (size_t i = 0; i < ctx->nduplicates; i++) {
            const struct rec_duplicate *d = &ctx->duplicates[i];
            json_t *o = json_object();
            json_object_set_new(o, "id", json_string(d->rec.id));
            json_object_set_new(o, "score", json_integer(d->score));
            json_t *reasons = json_array();
            for (size_t k = 0; k < d->nreasons; k++)
                json_array_append_new(reasons, json_string(d->reasons[k]));
            json_object_set_new(o, "reasons", reasons);
            json_object_set_new(o, "record", api__record(&req->a, &d->rec));
            json_array_append_new(list, o);
        }
        json_object_set_new(p, "duplicates", list);
        api__send_problem(req, 409, p);
        return;
    }
    if (err == RP_ECONFLICT && ctx->nconflicts) {
        json_t *p = api__problem_doc(409, ctx->detail);
        json_t *list = json_array();
        for (size_t i = 0; i < ctx->nconflicts; i++) {
            const struct rec_conflict *k = &ctx->conflicts[i];
            json_t *o;
            if (k->hidden) {
                o = json_object();
                json_object_set_new(o, "start_at", json_string(k->start_at));
                json_object_set_new(o, "end_at", json_string(k->end_at));
            } else {
                o = api__record(&req->a, &k->rec);
            }
            json_array_append_new(list, o);
        }
        json_object_set_new(p, "conflicts", list);
        api__send_problem(req, 409, p);
        return;
    }
    if (err == RP_EFORBIDDEN && ctx->who)
        secev_log(ctx, NULL, "access_denied", "route", req->route, "denied",
                  arena_printf(&req->a, "%s %s", req->method, ctx->detail ? ctx->detail : ""));
    unsigned status;
    const char *detail = ctx->detail;
    switch (err) {
    case RP_EINVAL: status = 400; break;
    case RP_ENOTFOUND: status = 404; detail = "no such record"; break;
    case RP_EFORBIDDEN: status = 403; break;
    case RP_EAUTH: status = 401; detail = detail ? detail : "sign in first"; break;
    case RP_ECONFLICT: status = 409; break;
    case RP_ESTALE: status = 412; break;
    case RP_ETOOBIG: status = 413; break;
    case RP_ELIMIT: status = 429; break;
    case RP_EBUSY:
        status = 503;
        detail = "the database is busy, try again";
        http_add_header(req, "Retry-After", "1");
        break;
    case RP_ETIMEOUT:
        status = 503;
        detail = arena_printf(&req->a,
                              "the query ran longer than %u ms and was stopped: narrow the"
                              " filters, or sort by an indexed field",
                              c->app->statement_timeout_ms);
        break;
    default:
        status = 500;
        detail = "internal error";
        LOG(LOG_ERROR, "req=%llu failed: %s", (unsigned long long)req->id, rp_err_name(err));
        break;
    }
    api__problem(req, status, detail);
}

/* ---- request setup ---- */

static bool unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Opens the call: store connection and, when auth is set, the principal. */
static bool begin(struct call *c, struct http_req *req, bool auth)
{
    c->req = req;
    c->app = req->app;
    struct store_conn *conn = NULL;
    enum rp_err err = store_conn_get(c->app->store, &conn);
    if (!err)
        err = store_set_statement_timeout(conn, c->app->statement_timeout_ms);
    rec_ctx_init(&c->ctx, c->app->store, conn, &req->a, NULL);
    c->ctx.addr = req->addr;
    c->ctx.request_id = arena_printf(&req->a, "%llu", (unsigned long long)req->id);
    if (err) {
        fail(c, err);
        return false;
    }
    if (req->query_bad) {
        api__problem(req, 400, "query parameters must be UTF-8");
        return false;
    }
    if (!auth)
        return true;
    const char *authz = http_header(req, "Authorization");
    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        err = auth_token(conn, &req->a, rp_str_c(authz + 7), &c->who);
    } else {
        const char *cookie = http_cookie(req, AUTH_COOKIE);
        err = cookie ? auth_session(conn, &req->a, rp_str_c(cookie), &c->who) : RP_EAUTH;
        if (!err && unsafe_method(req->method)) {
            const char *csrf = http_header(req, "X-CSRF-Token");
            const char *why = NULL;
            if (!auth_csrf_ok(&c->who, rp_str_c(csrf ? csrf : "")))
                why = "missing or wrong X-CSRF-Token header";
            else if (!auth_origin_ok(http_header(req, "Origin"), http_header(req, "Referer"),
                                     http_header(req, "Host"), c->app->public_url))
                why = "the request comes from another site (Origin)";
            if (why) {
                c->ctx.who = &c->who;
                secev_log(&c->ctx, NULL, "csrf_denied", "route", req->route, "denied", why);
                api__problem(req, 403, why);
                return false;
            }
        }
    }
    if (err) {
        fail(c, err);
        return false;
    }
    c->ctx.who = &c->who;
    return true;
}

/* Zeroes every string of a request document before it is freed: bodies carry
 * passwords (sign-in, users, /auth/me). jansson owns the bytes; we may write them. */
static void wipe_strings(json_t *j)
{
    const char *key;
    json_t *v;
    size_t i;
    switch (json_typeof(j)) {
    case JSON_STRING:
        buf_wipe((void *)(uintptr_t)json_string_value(j), json_string_length(j));
        break;
    case JSON_OBJECT:
        json_object_foreach(j, key, v) wipe_strings(v);
        break;
    case JSON_ARRAY:
        json_array_foreach(j, i, v) wipe_strings(v);
        break;
    default:
        break;
    }
}

static void decref(void *p)
{
    wipe_strings(p);
    json_decref(p);
}

/* Parses a JSON object body; answers 415/400 itself and returns NULL on failure. */
static json_t *body_object(struct call *c)
{
    struct http_req *req = c->req;
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        api__problem(req, 415, "send the body as application/json");
        return NULL;
    }
    const char *shape = api__json_shape(req->body);
    if (shape) {
        api__problem(req, 400, shape);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(req->body.p, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        api__problem(req, 400,
                     arena_printf(&req->a, "malformed JSON at line %d, column %d: %s", jerr.line,
                                  jerr.column, jerr.text));
        return NULL;
    }
    if (!json_is_object(root)) {
        decref(root);
        api__problem(req, 400, "the body must be a JSON object");
        return NULL;
    }
    return root;
}


/* Number text that reads back as the same double, shortest first. */
static const char *number_text(struct arena *a, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        char *s = arena_printf(a, "%.*g", prec, d);
        if (strtod(s, NULL) == d)
            return s;
    }
    return arena_printf(a, "%.17g", d);
}

/* Decodes a JSON object into engine inputs. The root stays alive until the arena
 * is released, so the inputs may borrow its strings. */
static void decode_inputs(struct arena *a, json_t *root, struct rec_input **out, size_t *n)
{
    arena_on_release(a, decref, root);
    size_t cap = json_object_size(root);
    struct rec_input *in = arena_calloc(a, cap ? cap : 1, sizeof(*in));
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        struct rec_input *x = &in[k++];
        x->field = rp_str_c(key);
        switch (json_typeof(v)) {
        case JSON_NULL: x->kind = IN_NULL; break;
        case JSON_TRUE:
        case JSON_FALSE:
            x->kind = IN_BOOL;
            x->b = json_is_true(v);
            break;
        case JSON_STRING:
            x->kind = IN_STRING;
            x->s = json_string_value(v);
            x->len = json_string_length(v);
            break;
        case JSON_INTEGER:
            x->kind = IN_NUMBER;
            x->s = arena_printf(a, "%lld", (long long)json_integer_value(v));
            x->len = strlen(x->s);
            break;
        case JSON_REAL:
            x->kind = isfinite(json_real_value(v)) ? IN_NUMBER : IN_BAD;
            x->s = number_text(a, json_real_value(v));
            x->len = strlen(x->s);
            break;
        case JSON_ARRAY:
        case JSON_OBJECT: {
            bool strings = json_is_array(v);
            size_t i;
            json_t *it;
            json_array_foreach(v, i, it) strings = strings && json_is_string(it);
            if (strings) {
                size_t m = json_array_size(v);
                struct rp_str *items = arena_calloc(a, m ? m : 1, sizeof(*items));
                json_array_foreach(v, i, it) items[i] =
                    (struct rp_str){json_string_value(it), json_string_length(it)};
                x->kind = IN_LIST;
                x->items = items;
                x->nitems = m;
            }
            /* Lists also carry their JSON text, for JSON fields that take arrays. */
            char *text = json_dumps(v, JSON_COMPACT);
            if (!text) {
                x->kind = IN_BAD;
                break;
            }
            if (!strings)
                x->kind = IN_JSON;
            x->s = arena_strdup(a, text);
            x->len = strlen(x->s);
            free(text);
            break;
        }
        }
    }
    *out = in;
    *n = k;
}

static const struct entity_def *entity_or_404(struct call *c, struct rp_str name)
{
    const struct entity_def *e = meta_entity(name);
    if (!e)
        api__problem(c->req, 404, "no such resource");
    return e;
}

/* If-Match: "3", 3, or *; -1 when absent or *. */
static bool if_match(struct call *c, int64_t *version)
{
    *version = -1;
    const char *h = http_header(c->req, "If-Match");
    if (!h || strcmp(h, "*") == 0)
        return true;
    struct rp_str s = rp_str_c(h);
    if (s.len >= 2 && s.p[0] == 'W' && s.p[1] == '/') {
        s.p += 2;
        s.len -= 2;
    }
    if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"') {
        s.p++;
        s.len -= 2;
    }
    if (text_parse_i64(s, version) || *version < 0) {
        api__problem(c->req, 400, "If-Match must be an ETag from this API, like \"3\"");
        return false;
    }
    return true;
}

/* True when the query has name=true. */
static bool query_flag(struct http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, name) && rp_str_eqc(req->query[i].value, "true"))
            return true;
    return false;
}

/* The query parameters as engine list parameters, without the ones named in skip. */
static struct rec_param *list_params(struct http_req *req, const char *const *skip, size_t *n)
{
    struct rec_param *params = arena_calloc(&req->a, req->nquery + 1, sizeof(*params));
    size_t k = 0;
    for (size_t i = 0; i < req->nquery; i++) {
        bool skipped = false;
        for (const char *const *s = skip; s && *s; s++)
            skipped = skipped || rp_str_eqc(req->query[i].key, *s);
        if (!skipped)
            params[k++] = (struct rec_param){req->query[i].key, req->query[i].value};
    }
    *n = k;
    return params;
}

/* Opens an authenticated call on the entity named by the first path segment. */
static const struct entity_def *begin_entity(struct call *c, struct http_req *req)
{
    if (!begin(c, req, true))
        return NULL;
    return entity_or_404(c, req->params[0]);
}

static void send_record(struct call *c, unsigned status, const struct rec *r);

/* Answers with the record, or with the problem for err. */
static void reply_record(struct call *c, enum rp_err err, unsigned status, const struct rec *r)
{
    if (err)
        fail(c, err);
    else
        send_record(c, status, r);
}

/* Answers {"data": data}. */
static void send_data(struct http_req *req, json_t *data)
{
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    api__json(req, 200, root);
}

static void send_record(struct call *c, unsigned status, const struct rec *r)
{
    http_add_header(c->req, "ETag", arena_printf(&c->req->a, "\"%lld\"", (long long)r->version));
    if (status == 201)
        http_add_header(c->req, "Location",
                        arena_printf(&c->req->a, "/api/v1/%s/%s", r->ent->name, r->id));
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    api__respond(c->req, status, &b, api__write_record(&b, &c->req->a, r));
}

static void no_content(struct http_req *req)
{
    http_respond(req, 204, NULL, "", 0);
}

/* ---- idempotency keys ---- */

/* A response header set so far, or NULL. */
static const char *resp_header(struct http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nresp_headers; i++)
        if (strcmp(req->resp_headers[i][0], name) == 0)
            return req->resp_headers[i][1];
    return NULL;
}

/* With an Idempotency-Key header, opens the keyed write; answers a replay or an error
 * itself and returns false. Without one, does nothing. */
static bool idem_open(struct call *c, struct idem *st)
{
    struct http_req *req = c->req;
    st->key = NULL;
    const char *key = http_header(req, "Idempotency-Key");
    if (!key)
        return true;
    bool replayed;
    enum rp_err err = idem_begin(&c->ctx, rp_str_c(key), req->method, req->path, req->body, st,
                                 &replayed);
    if (err) {
        fail(c, err);
        return false;
    }
    if (!replayed)
        return true;
    const struct store_idem *r = &st->replay;
    if (r->location)
        http_add_header(req, "Location", r->location);
    if (r->etag)
        http_add_header(req, "ETag", r->etag);
    http_add_header(req, "Idempotent-Replayed", "true");
    http_respond(req, (unsigned)r->status, "application/json; charset=utf-8", r->body,
                 strlen(r->body));
    return false;
}

/* Ends a keyed write: stores the answer prepared for it and commits, or rolls back
 * when err is set. Answers err (or the commit's error) as a problem. */
static void idem_close(struct call *c, struct idem *st, enum rp_err err)
{
    struct http_req *req = c->req;
    if (st->key)
        err = idem_end(&c->ctx, st, err, req->status, resp_header(req, "Location"),
                       resp_header(req, "ETag"), req->resp_body);
    if (err) {
        req->nresp_headers = 0;
        fail(c, err);
    }
}

/* ---- records ---- */

static void h_list(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    size_t nparams;
    struct rec_param *params = list_params(req, NULL, &nparams);
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(&c.ctx, e, params, nparams, &q);
    if (!err)
        err = rec_list(&c.ctx, e, q, &page);
    if (err) {
        fail(&c, err);
        return;
    }
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    err = buf_adds(&b, "{\"data\":");
    if (!err)
        err = api__write_records(&b, &req->a, page.rows, page.nrows);
    if (!err)
        err = buf_adds(&b, ",\"next_cursor\":");
    if (!err)
        err = api__write_text(&b, page.next_cursor);
    if (!err && page.has_total)
        err = buf_printf(&b, ",\"total\":%lld", (long long)page.total);
    if (!err && page.nsums) {
        json_t *sums = json_object();
        for (size_t i = 0; i < page.nsums; i++) {
            const struct field_def *f = meta_field(e, rp_str_c(page.sum_fields[i]));
            struct rec_value v = {.i = page.sums[i]};
            json_object_set_new(sums, page.sum_fields[i],
                                f->type == FT_MONEY ? json_string(rec_value_text(&req->a, f, &v))
                                                    : json_integer(page.sums[i]));
        }
        err = buf_adds(&b, ",\"sum\":");
        if (!err)
            err = api__dump(&b, sums);
        json_decref(sums);
    }
    if (!err)
        err = buf_addc(&b, '}');
    api__respond(req, 200, &b, err);
}

static void h_create(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    struct rec_input *in;
    size_t n;
    decode_inputs(&req->a, root, &in, &n);
    struct idem idem;
    if (!idem_open(&c, &idem))
        return;
    struct rec r;
    c.ctx.allow_conflict = query_flag(req, "allow_conflict");
    c.ctx.allow_duplicate = query_flag(req, "allow_duplicate");
    enum rp_err err = rec_create(&c.ctx, e, in, n, &r);
    if (!err)
        send_record(&c, 201, &r);
    idem_close(&c, &idem, err);
}

static void h_get(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct rec r;
    enum rp_err err = rec_get(&c.ctx, e, req->params[1], &r);
    reply_record(&c, err, 200, &r);
}

static void h_update(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    int64_t version;
    if (!e || !if_match(&c, &version))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    struct rec_input *in;
    size_t n;
    decode_inputs(&req->a, root, &in, &n);
    struct idem idem;
    if (!idem_open(&c, &idem))
        return;
    struct rec r;
    c.ctx.allow_conflict = query_flag(req, "allow_conflict");
    c.ctx.allow_duplicate = query_flag(req, "allow_duplicate");
    enum rp_err err = rec_update(&c.ctx, e, req->params[1], in, n, version, &r);
    if (!err)
        send_record(&c, 200, &r);
    idem_close(&c, &idem, err);
}

static void h_delete(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    int64_t version;
    if (!e || !if_match(&c, &version))
        return;
    if (e->flags & EF_NO_DELETE) {
        http_add_header(req, "Allow", "GET, PATCH");
        api__problem(req, 405, "these records are deactivated, not deleted: PATCH active=false");
        return;
    }
    enum rp_err err = rec_delete(&c.ctx, e, req->params[1], version);
    if (err)
        fail(&c, err);
    else
        no_content(req);
}

static void h_restore(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct rec r;
    c.ctx.allow_conflict = query_flag(req, "allow_conflict");
    enum rp_err err = rec_restore(&c.ctx, e, req->params[1], &r);
    reply_record(&c, err, 200, &r);
}

/* One field-level history row, as history and timeline answers show it. */
static void history_fields(json_t *o, const struct rec_history_row *h)
{
    json_object_set_new(o, "user_id", api__str_or_null(h->user_id));
    json_object_set_new(o, "action", json_string(h->action));
    json_object_set_new(o, "field", api__str_or_null(h->field));
    json_object_set_new(o, "old", api__str_or_null(h->old_value));
    json_object_set_new(o, "new", api__str_or_null(h->new_value));
}

static void h_history(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct rec_history_row *rows;
    size_t n;
    enum rp_err err = rec_history(&c.ctx, e, req->params[1], HISTORY_LIMIT, &rows, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", json_string(rows[i].at));
        history_fields(o, &rows[i]);
        json_array_append_new(data, o);
    }
    send_data(req, data);
}

static void h_search(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct rp_str q = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "q"))
            q = req->query[i].value;
    if (!q.p) {
        api__problem(req, 400, "add the search text as ?q=");
        return;
    }
    struct rec_hit *hits;
    size_t n;
    enum rp_err err = rec_search_all(&c.ctx, q, SEARCH_PER_ENTITY, &hits, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "entity", json_string(hits[i].ent->name));
        json_object_set_new(o, "id", json_string(hits[i].id));
        json_object_set_new(o, "title", api__str_or_null(hits[i].title));
        json_array_append_new(data, o);
    }
    send_data(req, data);
}

static void h_transfer(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    json_t *to = json_object_get(root, "to_user_id");
    if (!json_is_string(to)) {
        rec_field_error(&c.ctx, "to_user_id", "is required");
        fail(&c, RP_EINVAL);
        return;
    }
    int64_t moved;
    enum rp_err err = rec_transfer_owner(&c.ctx, req->params[0],
                                         rp_str_c(json_string_value(to)), &moved);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "moved", json_integer(moved));
    api__json(req, 200, out);
}

/* ---- auth ---- */

static json_t *principal_json(const struct principal *w)
{
    json_t *u = json_object();
    json_object_set_new(u, "id", json_string(w->user_id));
    json_object_set_new(u, "username", json_string(w->username));
    json_object_set_new(u, "display_name", api__str_or_null(w->display_name));
    json_object_set_new(u, "role", json_string(acl_role_name(w->role)));
    json_t *teams = json_loads(w->team_ids ? w->team_ids : "[]", 0, NULL);
    json_object_set_new(u, "team_ids", teams ? teams : json_array());
    json_object_set_new(u, "locale", api__str_or_null(w->locale));
    return u;
}

static void h_login(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, false))
        return;
    /* Login CSRF: a foreign page must not sign a browser in to an attacker's account. */
    if (!auth_origin_ok(http_header(req, "Origin"), http_header(req, "Referer"),
                        http_header(req, "Host"), c.app->public_url)) {
        api__problem(req, 403, "the request comes from another site (Origin)");
        return;
    }
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    json_t *u = json_object_get(root, "username"), *p = json_object_get(root, "password");
    if (!json_is_string(u) || !json_is_string(p)) {
        if (!json_is_string(u))
            rec_field_error(&c.ctx, "username", "is required");
        if (!json_is_string(p))
            rec_field_error(&c.ctx, "password", "is required");
        fail(&c, RP_EINVAL);
        return;
    }
    struct auth_login_result res;
    enum rp_err err = auth_login(&c.ctx, (struct rp_str){json_string_value(u), json_string_length(u)},
                                 (struct rp_str){json_string_value(p), json_string_length(p)},
                                 req->addr, &res);
    if (err == RP_ELIMIT) {
        http_add_header(req, "Retry-After", arena_printf(&req->a, "%lld", (long long)res.retry_after));
        c.ctx.detail = "too many failed sign-ins; wait and try again";
    } else if (err == RP_EAUTH) {
        c.ctx.detail = "wrong username or password";
    }
    if (err) {
        fail(&c, err);
        return;
    }
    char *cookie = arena_printf(&req->a, AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax;%s Max-Age=%d",
                                res.session, c.app->secure_cookies ? " Secure;" : "", RP_SESSION_TTL_S);
    arena_on_release(&req->a, buf_wipe_cstr, cookie);
    http_add_header(req, "Set-Cookie", cookie);
    json_t *out = json_object();
    json_object_set_new(out, "user", principal_json(&res.who));
    json_object_set_new(out, "csrf_token", json_string(res.csrf_token));
    api__json(req, 200, out);
}

static void h_logout(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    enum rp_err err = auth_logout(&c.ctx);
    if (err) {
        fail(&c, err);
        return;
    }
    http_add_header(req, "Set-Cookie",
                    AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    no_content(req);
}

static void h_me(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *out = json_object();
    json_object_set_new(out, "user", principal_json(&c.who));
    if (c.who.csrf_token)
        json_object_set_new(out, "csrf_token", json_string(c.who.csrf_token));
    api__json(req, 200, out);
}

static void h_me_update(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    json_t *cur = json_incref(json_object_get(root, "current_password"));
    json_object_del(root, "current_password");
    if (cur)
        arena_on_release(&req->a, decref, cur);
    json_t *keep = json_object_get(root, "keep_tokens");
    if (keep && !json_is_boolean(keep)) {
        decref(root);
        fail(&c, rec_field_error(&c.ctx, "keep_tokens", "must be true or false"));
        return;
    }
    bool keep_tokens = json_is_true(keep);
    json_object_del(root, "keep_tokens");
    struct rec_input *in;
    size_t n;
    decode_inputs(&req->a, root, &in, &n);
    struct rp_str current = {"", 0};
    if (json_is_string(cur))
        current = (struct rp_str){json_string_value(cur), json_string_length(cur)};
    struct rec r;
    enum rp_err err =
        platform_update_me(&c.ctx, in, n, current, json_is_string(cur), keep_tokens, &r);
    reply_record(&c, err, 200, &r);
}

static void h_token_create(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    json_t *name = json_object_get(root, "name");
    const char *id, *secret;
    enum rp_err err = json_is_string(name)
                          ? auth_token_create(&c.ctx, rp_str_c(json_string_value(name)), &id, &secret)
                          : rec_field_error(&c.ctx, "name", "is required");
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    json_object_set_new(out, "name", json_incref(name));
    json_object_set_new(out, "token", json_string(secret));
    api__json(req, 201, out);
}

static void h_token_list(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct store_token *t;
    size_t n;
    enum rp_err err = auth_token_list(&c.ctx, &t, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(t[i].id));
        json_object_set_new(o, "name", json_string(t[i].name));
        json_object_set_new(o, "created_at", json_string(t[i].created_at));
        json_object_set_new(o, "last_used_at", api__str_or_null(t[i].last_used_at));
        json_object_set_new(o, "revoked_at", api__str_or_null(t[i].revoked_at));
        json_array_append_new(data, o);
    }
    send_data(req, data);
}

static void h_token_delete(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    enum rp_err err = auth_token_revoke(&c.ctx, req->params[0]);
    if (err)
        fail(&c, err);
    else
        no_content(req);
}

static void h_security_events(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    int64_t limit = 100, before = 0;
    const char *action = NULL;
    for (size_t i = 0; i < req->nquery; i++) {
        const struct http_query_param *q = &req->query[i];
        if (rp_str_eqc(q->key, "action")) {
            action = arena_strndup(&req->a, q->value.p, q->value.len);
        } else if (!(rp_str_eqc(q->key, "limit") && !text_parse_i64(q->value, &limit)) &&
                   !(rp_str_eqc(q->key, "before") && !text_parse_i64(q->value, &before))) {
            api__problem(req, 400, "the security log takes limit, before (a number) and action");
            return;
        }
    }
    struct store_secev *ev;
    size_t n;
    enum rp_err err = secev_list(&c.ctx, before, action, limit, &ev, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(ev[i].seq));
        json_object_set_new(o, "at", json_string(ev[i].at));
        json_object_set_new(o, "actor_id", api__str_or_null(ev[i].actor_id));
        json_object_set_new(o, "addr", api__str_or_null(ev[i].addr));
        json_object_set_new(o, "request_id", api__str_or_null(ev[i].request_id));
        json_object_set_new(o, "action", json_string(ev[i].action));
        json_object_set_new(o, "object_type", api__str_or_null(ev[i].object_type));
        json_object_set_new(o, "object_id", api__str_or_null(ev[i].object_id));
        json_object_set_new(o, "outcome", json_string(ev[i].outcome));
        json_object_set_new(o, "detail", api__str_or_null(ev[i].detail));
        json_array_append_new(data, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    json_object_set_new(root, "next_before",
                        n == (size_t)limit ? json_integer(ev[n - 1].seq) : json_null());
    api__json(req, 200, root);
}

/* ---- metadata and operations ---- */

static void h_meta(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    api__json(req, 200, api__meta(&c.ctx));
}

static void h_openapi(struct http_req *req)
{
    api__json(req, 200, api__openapi());
}

static void h_health(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, false))
        return;
    struct ops_stats st;
    if (ops_stats(&c.ctx, &st)) {
        api__problem(req, 503, "the database is not answering");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    api__json(req, 200, o);
}

static void h_metrics(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, false))
        return;
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    struct ops_stats st;
    enum rp_err err = ops_stats(&c.ctx, &st);
    if (!err)
        err = http_metrics_write(c.app->http, &b);
    if (!err)
        err = buf_printf(&b,
                         "# HELP rapport_db_size_bytes Size of the database.\n"
                         "# TYPE rapport_db_size_bytes gauge\n"
                         "rapport_db_size_bytes %lld\n"
                         "# HELP rapport_active_sessions Signed-in sessions not yet expired.\n"
                         "# TYPE rapport_active_sessions gauge\n"
                         "rapport_active_sessions %lld\n",
                         (long long)st.db_bytes, (long long)st.active_sessions);
    if (err) {
        buf_release(&b);
        fail(&c, err);
        return;
    }
    char *text = arena_strndup(&req->a, buf_cstr(&b), b.len);
    http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, b.len);
    buf_release(&b);
}

/* ---- sales ---- */

static void h_pipeline(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    size_t n;
    struct rec_param *params = list_params(req, NULL, &n);
    struct sales_stage_sum *rows;
    size_t nrows;
    enum rp_err err = sales_pipeline(&c.ctx, params, n, &rows, &nrows);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *stages = json_array();
    for (size_t i = 0; i < nrows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "stage", json_string(rows[i].stage));
        json_object_set_new(o, "label", api__str_or_null(rows[i].label));
        json_object_set_new(o, "count", json_integer(rows[i].count));
        json_object_set_new(o, "amount", api__money(rows[i].amount));
        json_object_set_new(o, "weighted", api__money(rows[i].weighted));
        json_array_append_new(stages, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "stages", stages);
    api__json(req, 200, root);
}

static void h_forecast(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    static const char *const SKIP[] = {"period", NULL};
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "period") && !rp_str_eqc(req->query[i].value, "month")) {
            api__problem(req, 400, "period must be month");
            return;
        }
    size_t n;
    struct rec_param *params = list_params(req, SKIP, &n);
    struct sales_period *rows;
    size_t nrows;
    enum rp_err err = sales_forecast(&c.ctx, params, n, &rows, &nrows);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *periods = json_array();
    for (size_t i = 0; i < nrows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "period", json_string(rows[i].period));
        json_object_set_new(o, "count", json_integer(rows[i].count));
        json_object_set_new(o, "won", api__money(rows[i].won));
        json_object_set_new(o, "commit", api__money(rows[i].commit));
        json_object_set_new(o, "best_case", api__money(rows[i].best_case));
        json_object_set_new(o, "weighted", api__money(rows[i].weighted));
        json_array_append_new(periods, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "period", json_string("month"));
    json_object_set_new(root, "periods", periods);
    api__json(req, 200, root);
}

static void h_calendar(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct rp_str from = {NULL, 0}, to = {NULL, 0}, users = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++) {
        if (rp_str_eqc(req->query[i].key, "from"))
            from = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "to"))
            to = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "user_ids"))
            users = req->query[i].value;
    }
    if (!from.p || !to.p) {
        api__problem(req, 400, "give the range as ?from=…&to=…");
        return;
    }
    struct rp_str ids[CALENDAR_MAX_USERS + 1];
    size_t nids = 0;
    for (size_t i = 0; users.p && i <= users.len;) {
        size_t j = i;
        while (j < users.len && users.p[j] != ',')
            j++;
        if (j > i && nids <= CALENDAR_MAX_USERS)
            ids[nids++] = (struct rp_str){users.p + i, j - i};
        i = j + 1;
    }
    struct rec *rows;
    size_t n;
    enum rp_err err = calendar_range(&c.ctx, from, to, ids, nids, &rows, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    err = buf_adds(&b, "{\"data\":");
    if (!err)
        err = api__write_records(&b, &req->a, rows, n);
    if (!err)
        err = buf_addc(&b, '}');
    api__respond(req, 200, &b, err);
}

static void h_convert(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    c.ctx.allow_duplicate = query_flag(req, "allow_duplicate");
    struct sales_conversion conv = {{"", 0}, {"", 0}, false, NULL, 0};
    json_t *acc = json_object_get(root, "account_id"), *con = json_object_get(root, "contact_id");
    json_t *opp = json_object_get(root, "opportunity");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "account_id") != 0 && strcmp(key, "contact_id") != 0 &&
            strcmp(key, "opportunity") != 0)
            rec_field_error(&c.ctx, key, "is not a conversion option");
    }
    if (acc && !json_is_null(acc) && !json_is_string(acc))
        rec_field_error(&c.ctx, "account_id", "must be an account id");
    if (con && !json_is_null(con) && !json_is_string(con))
        rec_field_error(&c.ctx, "contact_id", "must be a contact id");
    if (opp && !json_is_null(opp) && !json_is_object(opp))
        rec_field_error(&c.ctx, "opportunity", "must be an object of opportunity fields");
    if (c.ctx.nerrors) {
        fail(&c, RP_EINVAL);
        return;
    }
    if (json_is_string(acc))
        conv.account_id = (struct rp_str){json_string_value(acc), json_string_length(acc)};
    if (json_is_string(con))
        conv.contact_id = (struct rp_str){json_string_value(con), json_string_length(con)};
    if (json_is_object(opp)) {
        struct rec_input *in;
        size_t n;
        decode_inputs(&req->a, json_incref(opp), &in, &n);
        conv.create_opportunity = true;
        conv.opportunity = in;
        conv.nopportunity = n;
    }
    struct sales_converted out;
    enum rp_err err = sales_convert_lead(&c.ctx, req->params[0], &conv, &out);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "account_id", json_string(out.account_id));
    json_object_set_new(o, "contact_id", json_string(out.contact_id));
    json_object_set_new(o, "opportunity_id", api__str_or_null(out.opportunity_id));
    api__json(req, 200, o);
}

static void h_stages(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct sales_stage_change *rows;
    size_t n;
    enum rp_err err = sales_stage_history(&c.ctx, req->params[0], &rows, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", json_string(rows[i].at));
        json_object_set_new(o, "user_id", api__str_or_null(rows[i].user_id));
        json_object_set_new(o, "from", api__str_or_null(rows[i].from));
        json_object_set_new(o, "to", api__str_or_null(rows[i].to));
        json_object_set_new(o, "seconds_in_previous",
                            rows[i].seconds_in_stage >= 0 ? json_integer(rows[i].seconds_in_stage)
                                                          : json_null());
        json_array_append_new(data, o);
    }
    send_data(req, data);
}

static void h_timeline(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct rp_str before = {"", 0};
    size_t limit = 50;
    for (size_t i = 0; i < req->nquery; i++) {
        int64_t l;
        if (rp_str_eqc(req->query[i].key, "before")) {
            before = req->query[i].value;
        } else if (rp_str_eqc(req->query[i].key, "limit")) {
            if (text_parse_i64(req->query[i].value, &l) || l < 1 || l > REC_MAX_TIMELINE) {
                api__problem(req, 400, "limit must be between 1 and 200");
                return;
            }
            limit = (size_t)l;
        } else {
            api__problem(req, 400, "the timeline takes limit and before");
            return;
        }
    }
    struct rec_timeline_item *items;
    size_t n;
    const char *next;
    enum rp_err err = rec_timeline(&c.ctx, e, req->params[1], before, limit, &items, &n, &next);
    if (err) {
        fail(&c, err);
        return;
    }
    static const char *const KINDS[] = {"activity", "change", "created"};
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(KINDS[items[i].kind]));
        json_object_set_new(o, "at", json_string(items[i].at));
        if (items[i].record) {
            json_object_set_new(o, "entity", json_string(items[i].record->ent->name));
            json_object_set_new(o, "record", api__record(&req->a, items[i].record));
        } else {
            history_fields(o, items[i].change);
        }
        json_array_append_new(data, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    json_object_set_new(root, "next_before", api__str_or_null(next));
    api__json(req, 200, root);
}

static void h_summary(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct sales_account_summary s;
    enum rp_err err = sales_account_summary(&c.ctx, req->params[0], &s);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "contacts", json_integer(s.contacts));
    json_object_set_new(o, "open_deals", json_integer(s.open_deals));
    json_object_set_new(o, "open_amount", api__money(s.open_amount));
    json_object_set_new(o, "weighted", api__money(s.weighted));
    json_object_set_new(o, "won_deals", json_integer(s.won_deals));
    json_object_set_new(o, "won_amount", api__money(s.won_amount));
    json_object_set_new(o, "lost_deals", json_integer(s.lost_deals));
    json_object_set_new(o, "last_activity_at", api__str_or_null(s.last_activity_at));
    json_object_set_new(o, "next_activity_at", api__str_or_null(s.next_activity_at));
    api__json(req, 200, o);
}

static void h_retier(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    int64_t window = SALES_TIER_WINDOW_DAYS;
    for (size_t i = 0; i < req->nquery; i++) {
        if (!rp_str_eqc(req->query[i].key, "window_days") ||
            text_parse_i64(req->query[i].value, &window)) {
            api__problem(req, 400, "retier takes window_days (a number of days)");
            return;
        }
    }
    int64_t changed;
    enum rp_err err = sales_retier(&c.ctx, window, &changed);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "changed", json_integer(changed));
    json_object_set_new(o, "window_days", json_integer(window));
    api__json(req, 200, o);
}

static void h_duplicates(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct dups_group *groups;
    size_t n;
    enum rp_err err = dups_groups(&c.ctx, e, &groups, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *g = json_object();
        json_object_set_new(g, "reason", json_string(groups[i].reason));
        json_t *recs = json_array();
        for (size_t k = 0; k < groups[i].nrecords; k++)
            json_array_append_new(recs, api__record(&req->a, &groups[i].records[k]));
        json_object_set_new(g, "records", recs);
        json_array_append_new(data, g);
    }
    send_data(req, data);
}

static void h_merge(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    json_t *from = json_object_get(root, "from"), *fields = json_object_get(root, "fields");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "from") != 0 && strcmp(key, "fields") != 0)
            rec_field_error(&c.ctx, key, "is not a merge option");
    }
    if (!json_is_array(from))
        rec_field_error(&c.ctx, "from", "must be a list of record ids");
    if (fields && !json_is_object(fields))
        rec_field_error(&c.ctx, "fields", "must be an object of field values");
    size_t nfrom = json_is_array(from) ? json_array_size(from) : 0;
    struct rp_str *ids = arena_calloc(&req->a, nfrom + 1, sizeof(*ids));
    size_t i;
    json_array_foreach(from, i, v)
    {
        if (!json_is_string(v))
            rec_field_error(&c.ctx, "from", "must be a list of record ids");
        else
            ids[i] = (struct rp_str){json_string_value(v), json_string_length(v)};
    }
    if (c.ctx.nerrors) {
        fail(&c, RP_EINVAL);
        return;
    }
    struct rec_input *in = NULL;
    size_t nin = 0;
    if (fields)
        decode_inputs(&req->a, json_incref(fields), &in, &nin);
    struct rec r;
    enum rp_err err = dups_merge(&c.ctx, e, req->params[1], ids, nfrom, in, nin, &r);
    reply_record(&c, err, 200, &r);
}

/* ---- background jobs ---- */

static json_t *job_json(const struct store_job *j)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(j->id));
    json_object_set_new(o, "kind", json_string(j->kind));
    json_object_set_new(o, "payload", json_string(j->payload));
    json_object_set_new(o, "state", json_string(j->state));
    json_object_set_new(o, "attempts", json_integer(j->attempts));
    json_object_set_new(o, "claimed_by", api__str_or_null(j->claimed_by));
    json_object_set_new(o, "result", api__str_or_null(j->result));
    json_object_set_new(o, "created_at", json_string(j->created_at));
    return o;
}

static void h_job_create(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    json_t *root = body_object(&c);
    if (!root)
        return;
    arena_on_release(&req->a, decref, root);
    json_t *kind = json_object_get(root, "kind"), *payload = json_object_get(root, "payload");
    const char *id = NULL;
    enum rp_err err;
    if (!json_is_string(kind))
        err = rec_field_error(&c.ctx, "kind", "is required");
    else if (payload && !json_is_string(payload))
        err = rec_field_error(&c.ctx, "payload", "must be a string");
    else
        err = jobs_enqueue(&c.ctx, rp_str_c(json_string_value(kind)),
                           rp_str_c(payload ? json_string_value(payload) : ""), &id);
    struct store_job j;
    if (!err)
        err = jobs_get(&c.ctx, rp_str_c(id), &j);
    if (err) {
        fail(&c, err);
        return;
    }
    api__json(req, 202, job_json(&j));
}

static void h_job_get(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct store_job j;
    enum rp_err err = jobs_get(&c.ctx, req->params[0], &j);
    if (err) {
        fail(&c, err);
        return;
    }
    api__json(req, 200, job_json(&j));
}

/* ---- import and export ---- */

struct export_stream {
    struct exp *x;
    struct rp_buf b;
    size_t off;
    bool done;
};

static long export_fill(void *cls, char *buf, size_t max)
{
    struct export_stream *s = cls;
    while (s->off == s->b.len) {
        if (s->done)
            return 0;
        buf_reset(&s->b);
        s->off = 0;
        enum rp_err err = exp_next(s->x, &s->b, &s->done);
        if (err) {
            LOG(LOG_ERROR, "export stopped: %s", rp_err_name(err));
            return -1;
        }
    }
    size_t n = s->b.len - s->off < max ? s->b.len - s->off : max;
    memcpy(buf, s->b.p + s->off, n);
    s->off += n;
    return (long)n;
}

static void export_done(void *cls)
{
    struct export_stream *s = cls;
    if (exp_close(s->x))
        LOG(LOG_ERROR, "export: the audit row could not be written");
    buf_release(&s->b);
    free(s);
}

/* Streams a text export; the stream owns x from here on. */
static void send_export(struct http_req *req, struct exp *x, const struct rec_exporter *f,
                        const char *name)
{
    struct export_stream *s = calloc(1, sizeof(*s));
    RP_ASSERT(s);
    s->x = x;
    buf_init(&s->b, RP_MAX_RESPONSE);
    struct http_stream st = {export_fill, export_done, s};
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->a, "attachment; filename=\"%s.%s\"", name, f->format));
    http_respond_stream(req, 200, f->content_type, &st);
}

/* Writes an XLSX export to an unlinked temporary file and answers with it. */
static void send_xlsx(struct call *c, struct exp *x, const struct entity_def *e,
                      const struct rec_exporter *f)
{
    struct http_req *req = c->req;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *path = arena_printf(&req->a, "%s/rapport-export-XXXXXX", tmp);
    int fd = mkstemp(path);
    enum rp_err err = fd < 0 ? RP_EIO : RP_OK;
    if (fd >= 0)
        close(fd);
    if (!err)
        err = exp_xlsx(x, path);
    const char *detail = exp_detail(x) ? arena_strdup(&req->a, exp_detail(x)) : NULL;
    enum rp_err cerr = exp_close(x);
    fd = err ? -1 : open(path, O_RDONLY);
    if (fd >= 0 || !err)
        unlink(path);
    struct stat sb;
    if (!err && (fd < 0 || fstat(fd, &sb) != 0))
        err = RP_EIO;
    if (err || cerr) {
        if (fd >= 0)
            close(fd);
        unlink(path);
        c->ctx.detail = detail;
        fail(c, err ? err : cerr);
        return;
    }
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->a, "attachment; filename=\"%s.xlsx\"", e->name));
    http_respond_fd(req, 200, f->content_type, fd, (uint64_t)sb.st_size);
}

static void h_export(struct http_req *req)
{
    struct call c;
    const struct entity_def *e = begin_entity(&c, req);
    if (!e)
        return;
    struct rp_str format = RP_STR("csv");
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "format"))
            format = req->query[i].value;
    const struct rec_exporter *f;
    if (exp_format(&c.ctx, e, format, &f)) {
        fail(&c, RP_EINVAL);
        return;
    }
    static const char *const SKIP[] = {"format", NULL};
    size_t n;
    struct rec_param *params = list_params(req, SKIP, &n);
    struct exp *x;
    enum rp_err err = exp_open(&c.ctx, e, f, params, n, &x);
    if (err)
        fail(&c, err);
    else if (!f->record)
        send_xlsx(&c, x, e, f);
    else
        send_export(req, x, f, e->name);
}

static void h_calendar_ics(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, false))
        return;
    const char *token = NULL;
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "token"))
            token = arena_strndup(&req->a, req->query[i].value.p, req->query[i].value.len);
    enum rp_err err = token ? auth_token(c.ctx.conn, &req->a, rp_str_c(token), &c.who) : RP_EAUTH;
    struct exp *x = NULL;
    if (!err) {
        c.ctx.who = &c.who;
        err = calendar_feed(&c.ctx, &x);
    }
    if (err) {
        c.ctx.detail = "give an API token as ?token=";
        fail(&c, err);
        return;
    }
    send_export(req, x, &calendar__ical, "calendar");
}

static void h_import_create(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
        api__problem(req, 415, "send the file as text/csv");
        return;
    }
    struct import_jobs_request r = {.on_dup = IMP_DUP_SKIP, .body = req->body};
    struct rp_buf map;
    buf_init(&map, RP_MAX_SQL);
    const char *bad = NULL;
    for (size_t i = 0; i < req->nquery && !bad; i++) {
        struct rp_str k = req->query[i].key, v = req->query[i].value;
        if (rp_str_eqc(k, "entity")) {
            r.e = meta_entity(v);
            bad = r.e ? NULL : "entity must be accounts, contacts, leads, opportunities or activities";
        } else if (rp_str_eqc(k, "on_duplicate")) {
            bad = imp_dup_parse(v, &r.on_dup) ? NULL : "on_duplicate must be skip, update or create";
        } else if (rp_str_eqc(k, "dry_run")) {
            r.dry_run = rp_str_eqc(v, "true");
            bad = r.dry_run || rp_str_eqc(v, "false") ? NULL : "dry_run must be true or false";
        } else if (rp_str_eqc(k, "encoding")) {
            r.encoding = arena_strndup(&req->a, v.p, v.len);
        } else if (rp_str_eqc(k, "map")) {
            if (memchr(v.p, '\n', v.len) || buf_printf(&map, "%s%.*s", map.len ? "\n" : "",
                                                       (int)v.len, v.p))
                bad = "map takes column=field";
        } else {
            bad = "imports take entity, on_duplicate, dry_run, encoding and map";
        }
    }
    if (!bad && !r.e)
        bad = "give the entity: ?entity=contacts";
    r.mapping = map.len ? arena_strndup(&req->a, buf_cstr(&map), map.len) : NULL;
    buf_release(&map);
    if (bad) {
        api__problem(req, 400, bad);
        return;
    }
    const char *id;
    enum rp_err err = import_jobs_submit(&c.ctx, &r, &id);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "status", json_string("queued"));
    http_add_header(req, "Location", arena_printf(&req->a, "/api/v1/imports/%s", id));
    api__json(req, 202, o);
}

static void h_import_get(struct http_req *req)
{
    struct call c;
    if (!begin(&c, req, true))
        return;
    struct store_import_job j;
    struct store_import_error *errs;
    size_t n;
    enum rp_err err = import_jobs_get(&c.ctx, req->params[0], &j, &errs, &n);
    if (err) {
        fail(&c, err);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(j.id));
    json_object_set_new(o, "entity", json_string(j.entity));
    json_object_set_new(o, "status", json_string(j.status));
    json_object_set_new(o, "dry_run", json_boolean(j.dry_run));
    json_object_set_new(o, "on_duplicate", json_string(j.on_duplicate));
    const char *const names[] = {"rows_total",   "rows_done",    "rows_imported",
                                 "rows_updated", "rows_skipped", "rows_failed"};
    const int64_t vals[] = {j.rows_total,   j.rows_done,    j.rows_imported,
                            j.rows_updated, j.rows_skipped, j.rows_failed};
    for (size_t i = 0; i < RP_NELEM(names); i++)
        json_object_set_new(o, names[i], json_integer(vals[i]));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "line", json_integer(errs[i].line));
        json_object_set_new(e, "field", api__str_or_null(errs[i].field));
        json_object_set_new(e, "message", json_string(errs[i].message));
        json_array_append_new(list, e);
    }
    json_object_set_new(o, "errors", list);
    json_object_set_new(o, "error", api__str_or_null(j.error));
    json_object_set_new(o, "created_at", json_string(j.created_at));
    json_object_set_new(o, "updated_at", json_string(j.updated_at));
    api__json(req, 200, o);
}

const struct http_route api_routes[] = {
    {"GET", "/healthz", h_health},
    {"GET", "/metrics", h_metrics},
    {"POST", "/api/v1/auth/login", h_login},
    {"POST", "/api/v1/auth/logout", h_logout},
    {"GET", "/api/v1/auth/me", h_me},
    {"PATCH", "/api/v1/auth/me", h_me_update},
    {"POST", "/api/v1/tokens", h_token_create},
    {"GET", "/api/v1/tokens", h_token_list},
    {"DELETE", "/api/v1/tokens/{id}", h_token_delete},
    {"GET", "/api/v1/security-events", h_security_events},
    {"GET", "/api/v1/meta", h_meta},
    {"GET", "/api/v1/openapi.json", h_openapi},
    {"GET", "/api/v1/search", h_search},
    {"POST", "/api/v1/users/{id}/transfer", h_transfer},
    {"GET", "/api/v1/pipeline", h_pipeline},
    {"GET", "/api/v1/forecast", h_forecast},
    {"GET", "/api/v1/calendar", h_calendar},
    {"POST", "/api/v1/leads/{id}/convert", h_convert},
    {"GET", "/api/v1/opportunities/{id}/stages", h_stages},
    {"GET", "/api/v1/accounts/{id}/summary", h_summary},
    {"POST", "/api/v1/accounts/retier", h_retier},
    {"POST", "/api/v1/jobs", h_job_create},
    {"GET", "/api/v1/jobs/{id}", h_job_get},
    {"POST", "/api/v1/imports", h_import_create},
    {"GET", "/api/v1/imports/{id}", h_import_get},
    {"GET", "/api/v1/calendar.ics", h_calendar_ics},
    {"GET", "/api/v1/{res}/export", h_export},
    {"GET", "/api/v1/{res}", h_list},
    {"POST", "/api/v1/{res}", h_create},
    {"GET", "/api/v1/{res}/duplicates", h_duplicates},
    {"GET", "/api/v1/{res}/{id}", h_get},
    {"PATCH", "/api/v1/{res}/{id}", h_update},
    {"DELETE", "/api/v1/{res}/{id}", h_delete},
    {"POST", "/api/v1/{res}/{id}/restore", h_restore},
    {"POST", "/api/v1/{res}/{id}/merge", h_merge},
    {"GET", "/api/v1/{res}/{id}/history", h_history},
    {"GET", "/api/v1/{res}/{id}/timeline", h_timeline},
};
const size_t api_nroutes = RP_NELEM(api_routes);
const struct http_body_limit api_body_limits[] = {{h_import_create, RP_MAX_IMPORT_BODY}};
const size_t api_nbody_limits = RP_NELEM(api_body_limits);
