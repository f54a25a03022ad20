/* The call: every route's request set-up (connection, authentication, CSRF and Origin
 * checks, the entity of {res}), reading bodies and parameters, and the one set of
 * answers (api/route.h). Errors become HTTP here and nowhere else. */
#include "core/common.h"

#include <fcntl.h>
#include <math.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_int.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/auth.h"
#include "engine/custom.h"
#include "engine/export.h"
#include "engine/secev.h"

/* ---- answers ---- */

unsigned api_answer(struct api_call *c, unsigned status, const char *type, const char *body,
                    size_t len)
{
    http_respond(c->req, status, type, body, len);
    return status;
}

/* Answers secrets may hold (a new token, a CSRF token) are wiped before free. */
static void free_json_text(void *p)
{
    buf_wipe_cstr(p);
    free(p);
}

unsigned api_text(struct api_call *c, unsigned status, struct rp_buf *b, enum rp_err err)
{
    struct http_req *req = c->req;
    if (err) {
        LOG(LOG_ERROR, "req=%llu: the answer was not written: %s", (unsigned long long)req->id,
            rp_err_name(err));
        buf_release_wipe(b);
        return api_problem(c, 500, err == RP_ETOOBIG ? "the answer is larger than allowed"
                                                     : "the answer could not be encoded");
    }
    size_t len;
    char *text = buf_steal(b, &len);
    arena_on_release(&req->a, free_json_text, text);
    return api_answer(c, status, "application/json; charset=utf-8", text, len);
}

unsigned api_json(struct api_call *c, unsigned status, json_t *doc)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    enum rp_err err = api__dump(&b, doc);
    json_decref(doc);
    return api_text(c, status, &b, err);
}

unsigned api_data(struct api_call *c, json_t *data)
{
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    return api_json(c, 200, root);
}

unsigned api_record(struct api_call *c, unsigned status, const struct rec *r)
{
    struct http_req *req = c->req;
    http_add_header(req, "ETag", arena_printf(&req->a, "\"%lld\"", (long long)r->version));
    if (status == 201)
        http_add_header(req, "Location",
                        arena_printf(&req->a, "/api/v1/%s/%s", r->ent->name, r->id));
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    enum rp_err err = api__write_record(&b, &req->a, r);
    return api_text(c, status, &b, err);
}

unsigned api_no_content(struct api_call *c)
{
    return api_answer(c, 204, NULL, "", 0);
}

static unsigned send_problem(struct api_call *c, unsigned status, json_t *doc)
{
    /* The title and detail are in the language Accept-Language asked for. */
    http_add_header(c->req, "Vary", "Accept-Language");
    api_json(c, status, doc);
    c->req->resp_type = "application/problem+json; charset=utf-8";
    return c->req->status;
}

/* A problem whose detail is already in the caller's language. */
static unsigned problem(struct api_call *c, unsigned status, const char *detail)
{
    return send_problem(c, status, api__problem_doc(status, c->ctx.lang, detail));
}

unsigned api_problem(struct api_call *c, unsigned status, const char *detail)
{
    return problem(c, status, msg_tr(c->ctx.lang, detail));
}

unsigned api_problemf(struct api_call *c, unsigned status, const char *fmt, ...)
{
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, msg_tr(c->ctx.lang, fmt), cp);
    va_end(cp);
    char *detail = arena_alloc(&c->req->a, n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(detail, n > 0 ? (size_t)n + 1 : 1, msg_tr(c->ctx.lang, fmt), ap);
    va_end(ap);
    return problem(c, status, detail);
}

json_t *api_rec(struct api_call *c, const struct rec *r)
{
    return api__record(&c->req->a, r);
}

/* One item of a problem's records (struct rec_problem_item). */
static json_t *problem_item(struct api_call *c, const struct rec_problem_item *it)
{
    json_t *o = it->rec && !it->nest ? api_rec(c, it->rec) : json_object();
    for (size_t k = 0; k < it->ntexts; k++)
        json_object_set_new(o, it->names[k], api_str_or_null(it->texts[k]));
    if (it->score >= 0)
        json_object_set_new(o, "score", json_integer(it->score));
    if (it->nreasons) {
        json_t *reasons = json_array();
        for (size_t k = 0; k < it->nreasons; k++)
            json_array_append_new(reasons, json_string(it->reasons[k]));
        json_object_set_new(o, "reasons", reasons);
    }
    if (it->rec && it->nest)
        json_object_set_new(o, "record", api_rec(c, it->rec));
    return o;
}

unsigned api_fail(struct api_call *c, enum rp_err err)
{
    struct http_req *req = c->req;
    struct rec_ctx *ctx = &c->ctx;
    if (err == RP_EINVAL && !ctx->bad_request && ctx->nerrors) {
        json_t *p = api__problem_doc(422, ctx->lang, msg_tr(ctx->lang, "some fields are invalid"));
        json_t *errs = json_array();
        for (size_t i = 0; i < ctx->nerrors; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string(ctx->errors[i].field));
            json_object_set_new(e, "message", json_string(ctx->errors[i].message));
            json_array_append_new(errs, e);
        }
        json_object_set_new(p, "errors", errs);
        return send_problem(c, 422, p);
    }
    if (err == RP_ECONFLICT && ctx->problem.member) {
        json_t *p = api__problem_doc(409, ctx->lang, ctx->detail);
        json_t *list = json_array();
        for (size_t i = 0; i < ctx->problem.n; i++)
            json_array_append_new(list, problem_item(c, &ctx->problem.items[i]));
        json_object_set_new(p, ctx->problem.member, list);
        return send_problem(c, 409, p);
    }
    if (err == RP_EFORBIDDEN && ctx->who)
        secev_log(ctx, NULL, "access_denied", "route", req->route, "denied",
                  arena_printf(&req->a, "%s %s", req->method, ctx->detail ? ctx->detail : ""));
    unsigned status;
    /* ctx->detail is in the caller's language already; the texts below are not. */
    const char *detail = ctx->detail;
    switch (err) {
    case RP_EINVAL: status = 400; break;
    case RP_ENOTFOUND:
        status = 404;
        detail = msg_tr(ctx->lang, "no such record");
        break;
    case RP_EFORBIDDEN: status = 403; break;
    case RP_EAUTH:
        status = 401;
        detail = detail ? detail : msg_tr(ctx->lang, "sign in first");
        break;
    case RP_ECONFLICT: status = 409; break;
    case RP_ESTALE: status = 412; break;
    case RP_ETOOBIG: status = 413; break;
    case RP_ELIMIT: status = 429; break;
    case RP_EBUSY:
        status = 503;
        detail = msg_tr(ctx->lang, "the database is busy, try again");
        http_add_header(req, "Retry-After", "1");
        break;
    case RP_EUNAVAIL:
        status = 503;
        detail = msg_tr(ctx->lang, "the database cannot be reached just now (a failover?): try"
                                   " again in a few seconds");
        http_add_header(req, "Retry-After", "2");
        break;
    case RP_ETIMEOUT:
        status = 503;
        detail = rec_msgf(ctx,
                          "the query ran longer than %u ms and was stopped: narrow the"
                          " filters, or sort by an indexed field",
                          c->app->statement_timeout_ms);
        break;
    default:
        status = 500;
        detail = msg_tr(ctx->lang, "internal error");
        LOG(LOG_ERROR, "req=%llu failed: %s", (unsigned long long)req->id, rp_err_name(err));
        break;
    }
    return problem(c, status, detail);
}

/* ---- request set-up ---- */

static bool unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Opens the call: the store connection, and unless the route is public, the caller
 * (a session with its CSRF token and origin for unsafe methods, or an API token).
 * Returns 0, or the status of the problem answered. */
static unsigned begin(struct api_call *c, const struct api_route *rt, struct principal *who)
{
    struct http_req *req = c->req;
    struct store_conn *conn = NULL;
    enum rp_err err = store_conn_get(c->app->store, &conn);
    if (!err)
        err = store_set_statement_timeout(conn, c->app->statement_timeout_ms);
    rec_ctx_init(&c->ctx, c->app->store, conn, &req->a, NULL);
    c->ctx.lang = msg_lang_parse(http_header(req, "Accept-Language"));
    c->who = who;
    c->ctx.addr = req->addr;
    c->ctx.request_id = arena_printf(&req->a, "%llu", (unsigned long long)req->id);
    if (err)
        return api_fail(c, err);
    store_conn_read_replica(conn, false); /* the sign-in check reads the primary */
    if (req->query_bad)
        return api_problem(c, 400, "query parameters must be UTF-8");
    if (rt->flags & API_PUBLIC)
        return 0;
    const char *authz = http_header(req, "Authorization");
    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        err = auth_token(conn, &req->a, rp_str_c(authz + 7), who);
    } else {
        const char *cookie = http_cookie(req, AUTH_COOKIE);
        err = cookie ? auth_session(conn, &req->a, rp_str_c(cookie), who) : RP_EAUTH;
        if (!err && unsafe_method(req->method)) {
            const char *csrf = http_header(req, "X-CSRF-Token");
            const char *why = NULL;
            if (!auth_csrf_ok(who, rp_str_c(csrf ? csrf : "")))
                why = MSG("missing or wrong X-CSRF-Token header");
            else if (!auth_origin_ok(http_header(req, "Origin"), http_header(req, "Referer"),
                                     http_header(req, "Host"), c->app->public_url))
                why = MSG("the request comes from another site (Origin)");
            if (why) {
                c->ctx.who = who;
                secev_log(&c->ctx, NULL, "csrf_denied", "route", req->route, "denied", why);
                return api_problem(c, 403, why);
            }
        }
    }
    if (err)
        return api_fail(c, err);
    c->ctx.who = who;
    /* The session lookup read the database's metadata generation: another server's
     * change (a field, a role) is in this request's metadata. */
    if (who->meta_gen != meta_generation()) {
        err = custom_refresh(c->app->store, conn, false);
        if (err)
            LOG(LOG_WARN, "could not reload the metadata: %s", rp_err_name(err));
    }
    /* From here on (the metadata was read on the primary too) the route's reads may
     * come from the read replica. */
    store_conn_read_replica(conn, rt->flags & API_READ_REPLICA);
    return 0;
}

static bool applies(const struct api_route *rt, const struct entity_def *e)
{
    return (e->flags & rt->needs) == rt->needs && !(e->flags & rt->refuses);
}

/* The methods of rt's path that apply to e, for an Allow header ("GET, PATCH"), or
 * NULL when none does: a method the records refuse (DELETE of users) is 405, a path
 * they do not have (their timeline) 404. */
static const char *allowed_methods(struct api_call *c, const struct api_route *rt)
{
    size_t n;
    const struct api_route *all = api__routes(&n);
    const char *allow = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i].path, rt->path) && applies(&all[i], c->e))
            allow = allow ? arena_printf(&c->req->a, "%s, %s", allow, all[i].method)
                          : all[i].method;
    return allow;
}

/* The http layer's handler of every route: set-up, the route's handler, and a check
 * that it answered exactly what it returned. */
static void dispatch(struct http_req *req, const void *data)
{
    const struct api_route *rt = data;
    struct principal who;
    memset(&who, 0, sizeof(who));
    struct api_call c = {.req = req, .app = req->app};
    unsigned status = begin(&c, rt, &who);
    if (!status && strstr(rt->path, "{res}")) {
        c.e = meta_entity(req->params[0]);
        if (!c.e)
            status = api_problem(&c, 404, "no such resource");
        else if (!applies(rt, c.e)) {
            const char *allow = allowed_methods(&c, rt);
            if (allow)
                http_add_header(req, "Allow", allow);
            status = allow
                         ? api_problemf(&c, 405, "%s is not allowed on %s", req->method, c.e->name)
                         : api_problem(&c, 404, "no such resource for these records");
        }
    }
    if (!status)
        status = rt->fn(&c);
    RP_ASSERT(status && status == req->status);
}

const struct http_route *api_http_routes(size_t *n)
{
    static struct http_route table[API_MAX_ROUTES];
    static size_t count;
    if (!count) {
        size_t nr;
        const struct api_route *routes = api__routes(&nr);
        RP_ASSERT(nr <= API_MAX_ROUTES);
        for (size_t i = 0; i < nr; i++)
            table[i] = (struct http_route){routes[i].method, routes[i].path, dispatch,
                                           &routes[i], routes[i].max_body};
        count = nr;
        /* Messages in the caller's language from here on (core/msg.h). */
        msg_add(&api_messages);
        rec_messages_load();
    }
    *n = count;
    return table;
}

/* ---- reading the request ---- */

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

unsigned api_body(struct api_call *c, json_t **out)
{
    struct http_req *req = c->req;
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return api_problem(c, 415, "send the body as application/json");
    const char *shape = api__json_shape(req->body);
    if (shape)
        return api_problem(c, 400, shape);
    json_error_t jerr;
    json_t *root = json_loadb(req->body.p, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return api_problemf(c, 400, "malformed JSON at line %d, column %d: %s", jerr.line,
                            jerr.column, jerr.text);
    arena_on_release(&req->a, decref, root);
    if (!json_is_object(root))
        return api_problem(c, 400, "the body must be a JSON object");
    *out = root;
    return 0;
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

void api_only_keys(struct api_call *c, json_t *root, const char *const *keys, const char *why)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], key) != 0)
            i++;
        if (!keys[i])
            rec_field_error(&c->ctx, key, "%s", msg_tr(c->ctx.lang, why));
    }
}

void api_inputs(struct api_call *c, json_t *root, struct rec_input **out, size_t *n)
{
    struct arena *a = &c->req->a;
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
            struct rp_buf b;
            buf_init(&b, RP_MAX_JSON_BODY);
            if (api__dump(&b, v)) {
                x->kind = IN_BAD;
            } else {
                if (!strings)
                    x->kind = IN_JSON;
                x->s = arena_strndup(a, buf_cstr(&b), b.len);
                x->len = b.len;
            }
            buf_release(&b);
            break;
        }
        }
    }
    *out = in;
    *n = k;
}

struct rp_str api_query(struct api_call *c, const char *name)
{
    for (size_t i = 0; i < c->req->nquery; i++)
        if (rp_str_eqc(c->req->query[i].key, name))
            return c->req->query[i].value;
    return (struct rp_str){NULL, 0};
}

bool api_flag(struct api_call *c, const char *name)
{
    for (size_t i = 0; i < c->req->nquery; i++)
        if (rp_str_eqc(c->req->query[i].key, name) &&
            rp_str_eqc(c->req->query[i].value, "true"))
            return true;
    return false;
}

struct rec_param *api_params(struct api_call *c, const char *const *skip, size_t *n)
{
    struct http_req *req = c->req;
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

unsigned api_if_match(struct api_call *c, int64_t *version)
{
    *version = -1;
    const char *h = http_header(c->req, "If-Match");
    if (!h || strcmp(h, "*") == 0)
        return 0;
    struct rp_str s = rp_str_c(h);
    if (s.len >= 2 && s.p[0] == 'W' && s.p[1] == '/') {
        s.p += 2;
        s.len -= 2;
    }
    if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"') {
        s.p++;
        s.len -= 2;
    }
    if (text_parse_i64(s, version) || *version < 0)
        return api_problem(c, 400, "If-Match must be an ETag from this API, like \"3\"");
    return 0;
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

unsigned api__idem_open(struct api_call *c, struct idem *st)
{
    struct http_req *req = c->req;
    st->key = NULL;
    const char *key = http_header(req, "Idempotency-Key");
    if (!key)
        return 0;
    bool replayed;
    enum rp_err err = idem_begin(&c->ctx, rp_str_c(key), req->method, req->path, req->body, st,
                                 &replayed);
    if (err)
        return api_fail(c, err);
    if (!replayed)
        return 0;
    const struct store_idem *r = &st->replay;
    if (r->location)
        http_add_header(req, "Location", r->location);
    if (r->etag)
        http_add_header(req, "ETag", r->etag);
    http_add_header(req, "Idempotent-Replayed", "true");
    return api_answer(c, (unsigned)r->status, "application/json; charset=utf-8", r->body,
                      strlen(r->body));
}

unsigned api__idem_close(struct api_call *c, struct idem *st, enum rp_err err, unsigned status)
{
    struct http_req *req = c->req;
    if (st->key)
        err = idem_end(&c->ctx, st, err, req->status, resp_header(req, "Location"),
                       resp_header(req, "ETag"), req->resp_body);
    if (!err)
        return status;
    req->nresp_headers = 0;
    return api_fail(c, err);
}

/* ---- exports ---- */

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

/* Writes an XLSX export to an unlinked temporary file and answers with it. */
static unsigned send_file(struct api_call *c, struct exp *x, const struct rec_exporter *f,
                          const char *name)
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
        return api_fail(c, err ? err : cerr);
    }
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->a, "attachment; filename=\"%s.%s\"", name, f->format));
    http_respond_fd(req, 200, f->content_type, fd, (uint64_t)sb.st_size);
    return 200;
}

unsigned api_export(struct api_call *c, struct exp *x, const struct rec_exporter *f,
                    const char *name)
{
    if (!f->record)
        return send_file(c, x, f, name);
    struct http_req *req = c->req;
    struct export_stream *s = calloc(1, sizeof(*s));
    RP_ASSERT(s);
    s->x = x;
    buf_init(&s->b, RP_MAX_RESPONSE);
    struct http_stream st = {export_fill, export_done, s};
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->a, "attachment; filename=\"%s.%s\"", name, f->format));
    http_respond_stream(req, 200, f->content_type, &st);
    return 200;
}
