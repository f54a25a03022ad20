/* JSON encoding of records and problem documents (jansson stays inside api/). */
#include "core/common.h"

#include "api/api_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"

enum rp_err api__dump(struct rp_buf *b, const json_t *v)
{
    if (!v) /* a document jansson could not build */
        return RP_ENOMEM;
    enum rp_err err = RP_OK;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        err = buf_addc(b, '{');
        bool first = true;
        json_object_foreach ((json_t *)(uintptr_t)v, key, x) {
            if (!err && !first)
                err = buf_addc(b, ',');
            first = false;
            if (!err)
                err = json_add_string(b, key, strlen(key));
            if (!err)
                err = buf_addc(b, ':');
            if (!err)
                err = api__dump(b, x);
        }
        return err ? err : buf_addc(b, '}');
    }
    case JSON_ARRAY:
        err = buf_addc(b, '[');
        for (size_t i = 0; !err && i < json_array_size(v); i++) {
            if (i)
                err = buf_addc(b, ',');
            if (!err)
                err = api__dump(b, json_array_get(v, i));
        }
        return err ? err : buf_addc(b, ']');
    case JSON_STRING:
        return json_add_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return json_add_int(b, (int64_t)json_integer_value(v));
    case JSON_REAL: { /* only inside stored JSON values: jansson's own digits */
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!text)
            return RP_ENOMEM;
        err = buf_adds(b, text);
        free(text);
        return err;
    }
    case JSON_TRUE:
        return buf_adds(b, "true");
    case JSON_FALSE:
        return buf_adds(b, "false");
    case JSON_NULL:
        return buf_adds(b, "null");
    }
    return RP_EINVAL;
}

static const char *reason(unsigned status)
{
    switch (status) {
    case 400: return MSG("Bad Request");
    case 401: return MSG("Unauthorized");
    case 403: return MSG("Forbidden");
    case 404: return MSG("Not Found");
    case 405: return MSG("Method Not Allowed");
    case 409: return MSG("Conflict");
    case 412: return MSG("Precondition Failed");
    case 413: return MSG("Content Too Large");
    case 415: return MSG("Unsupported Media Type");
    case 422: return MSG("Unprocessable Content");
    case 429: return MSG("Too Many Requests");
    case 431: return MSG("Request Header Fields Too Large");
    case 501: return MSG("Not Implemented");
    case 503: return MSG("Service Unavailable");
    default: return MSG("Internal Server Error");
    }
}

json_t *api__problem_doc(unsigned status, enum rp_lang lang, const char *detail)
{
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    /* RFC 9457 §3.1.4: a title does not change between occurrences "except for
     * localization". */
    json_object_set_new(p, "title", json_string(msg_tr(lang, reason(status))));
    json_object_set_new(p, "status", json_integer(status));
    if (detail)
        json_object_set_new(p, "detail", json_string(detail));
    return p;
}

const char *api__json_shape(struct rp_str body)
{
    size_t depth = 0, elements = 0;
    bool in_string = false;
    for (size_t i = 0; i < body.len; i++) {
        char ch = body.p[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        switch (ch) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > RP_MAX_JSON_DEPTH)
                return MSG("JSON nested deeper than 64 levels");
            elements++;
            break;
        case ']':
        case '}':
            if (depth)
                depth--;
            break;
        case ',':
            elements++;
            break;
        default:
            break;
        }
        if (elements > RP_MAX_JSON_ELEMENTS)
            return MSG("JSON with more than 10000 elements");
    }
    return NULL;
}

void api_on_error(struct http_req *req, unsigned status)
{
    const char *detail = status == 400   ? MSG("malformed request head: duplicate or conflicting"
                                           " Content-Length and Transfer-Encoding, a control"
                                           " character, or a folded header line")
                         : status == 501 ? MSG("only the chunked Transfer-Encoding is supported")
                         : status == 404 ? MSG("no such resource")
                         : status == 405 ? MSG("this resource does not allow that method")
                         : status == 413 ? MSG("the request body is larger than allowed")
                         : status == 431 ? MSG("the request headers are larger than allowed")
                                         : MSG("internal error");
    struct api_call c = {.req = req, .app = req->app};
    c.ctx.lang = msg_lang_parse(http_header(req, "Accept-Language"));
    api_problem(&c, status, detail);
}

/* A stored list or JSON value, compact: stored text may be spaced (PostgreSQL). */
static enum rp_err write_json_text(struct rp_buf *b, const struct rec_value *v)
{
    json_t *j = json_loadb(v->s, v->len, 0, NULL);
    if (!j)
        return buf_adds(b, "null");
    enum rp_err err = api__dump(b, j);
    json_decref(j);
    return err;
}

static enum rp_err write_value(struct rp_buf *b, struct arena *a, const struct field_def *f,
                               const struct rec_value *v)
{
    if (v->null)
        return buf_adds(b, "null");
    switch (f->type) {
    case FT_INT:
    case FT_PERCENT:
        return json_add_int(b, (int64_t)v->i);
    case FT_BOOL:
        return buf_adds(b, v->i ? "true" : "false");
    case FT_MONEY: {
        const char *t = rec_value_text(a, f, v);
        return json_add_string(b, t, strlen(t));
    }
    case FT_MULTI_ENUM:
    case FT_MULTI_REF:
    case FT_JSON:
        return write_json_text(b, v);
    default: /* stored text was checked on the way in; anything else is not JSON */
        return text_utf8_valid((struct rp_str){v->s, v->len}) ? json_add_string(b, v->s, v->len)
                                                               : buf_adds(b, "null");
    }
}

/* "key": with the comma before every key but the first. */
static enum rp_err write_key(struct rp_buf *b, const char *key, bool first)
{
    enum rp_err err = first ? RP_OK : buf_addc(b, ',');
    if (!err)
        err = json_add_string(b, key, strlen(key));
    return err ? err : buf_addc(b, ':');
}

enum rp_err api__write_text(struct rp_buf *b, const char *s)
{
    return s ? json_add_string(b, s, strlen(s)) : buf_adds(b, "null");
}

static enum rp_err write_text_or_null(struct rp_buf *b, const char *key, const char *s,
                                      bool first)
{
    enum rp_err err = write_key(b, key, first);
    return err ? err : api__write_text(b, s);
}

/* A record's members, without its braces. */
static enum rp_err write_members(struct rp_buf *b, struct arena *a, const struct rec *r)
{
    enum rp_err err = write_text_or_null(b, "id", r->id, true);
    for (size_t i = 0; !err && i < r->ent->nfields; i++) {
        const struct field_def *f = &r->ent->fields[i];
        if (f->type == FT_PASSWORD || rec_hidden(r, i))
            continue;
        err = write_key(b, f->name, false);
        if (!err)
            err = write_value(b, a, f, &r->v[i]);
    }
    if (!err)
        err = write_text_or_null(b, "owner_id", r->owner_id, false);
    if (!err)
        err = write_text_or_null(b, "created_by", r->created_by, false);
    if (!err)
        err = write_text_or_null(b, "created_at", r->created_at, false);
    if (!err)
        err = write_text_or_null(b, "updated_at", r->updated_at, false);
    if (!err)
        err = write_key(b, "version", false);
    if (!err)
        err = json_add_int(b, (int64_t)r->version);
    if (!err && r->deleted_at)
        err = write_text_or_null(b, "deleted_at", r->deleted_at, false);
    if (!err && r->deleted_at)
        err = write_text_or_null(b, "deleted_by", r->deleted_by, false);
    return err;
}

enum rp_err api__write_record(struct rp_buf *b, struct arena *a, const struct rec *r)
{
    return api_write_record_with(b, a, r, NULL);
}

enum rp_err api_write_record_with(struct rp_buf *b, struct arena *a, const struct rec *r,
                                  json_t *extra)
{
    enum rp_err err = buf_addc(b, '{');
    if (!err)
        err = write_members(b, a, r);
    const char *key;
    json_t *v;
    json_object_foreach(extra, key, v)
    {
        if (!err)
            err = write_key(b, key, false);
        if (!err)
            err = api__dump(b, v);
    }
    return err ? err : buf_addc(b, '}');
}

json_t *api_money(int64_t minor)
{
    char buf[32];
    text_format_money(minor, 2, buf, sizeof(buf));
    return json_string(buf);
}

json_t *api_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

enum rp_err api_write_records(struct rp_buf *b, struct arena *a, const struct rec *rows,
                               size_t n)
{
    enum rp_err err = buf_addc(b, '[');
    for (size_t i = 0; !err && i < n; i++) {
        if (i)
            err = buf_addc(b, ',');
        if (!err)
            err = api__write_record(b, a, &rows[i]);
    }
    return err ? err : buf_addc(b, ']');
}

json_t *api__record(struct arena *a, const struct rec *r)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    json_t *o = api__write_record(&b, a, r) ? NULL : json_loadb(b.p, b.len, 0, NULL);
    buf_release(&b);
    if (!o)
        LOG(LOG_ERROR, "a %s record could not be encoded", r->ent->name);
    return o ? o : json_null();
}
