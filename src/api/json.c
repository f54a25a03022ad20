/* JSON encoding of records and answers (jansson stays inside api/). */
#include "core/common.h"

#include "api/api.h"
#include "core/text.h"

/* Answers can carry secrets (a new token, a CSRF token): wiped before free. */
static void free_json_text(void *p)
{
    buf_wipe_cstr(p);
    free(p);
}

/* A string as json_dumps writes it without flags: quotes, backslashes and control
 * characters escaped, everything else (UTF-8 included) as it is. jansson walks the
 * string a code point at a time through a callback; this copies the runs between
 * escapes (json_dumps was a fifth of a list page's CPU). */
static enum rp_err dump_string(struct rp_buf *b, const char *s, size_t n)
{
    enum rp_err err = buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; !err && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        err = buf_add(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (ch) {
        case '"': memcpy(esc, "\\\"", 3); break;
        case '\\': memcpy(esc, "\\\\", 3); break;
        case '\b': memcpy(esc, "\\b", 3); break;
        case '\f': memcpy(esc, "\\f", 3); break;
        case '\n': memcpy(esc, "\\n", 3); break;
        case '\r': memcpy(esc, "\\r", 3); break;
        case '\t': memcpy(esc, "\\t", 3); break;
        default: snprintf(esc, sizeof(esc), "\\u%04X", ch); break;
        }
        if (!err)
            err = buf_adds(b, esc);
    }
    if (!err)
        err = buf_add(b, s + run, n - run);
    return err ? err : buf_addc(b, '"');
}

enum rp_err api__dump(struct rp_buf *b, const json_t *v)
{
    enum rp_err err = RP_OK;
    char num[32];
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
                err = dump_string(b, key, strlen(key));
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
        return dump_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf_adds(b, num);
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

void api__json(struct http_req *req, unsigned status, json_t *root)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    enum rp_err err = api__dump(&b, root);
    json_decref(root);
    if (err) {
        buf_release(&b);
        api__problem(req, 500, err == RP_ETOOBIG ? "the answer is larger than allowed"
                                                 : "the answer could not be encoded");
        return;
    }
    size_t len;
    char *text = buf_steal(&b, &len);
    arena_on_release(&req->a, free_json_text, text);
    http_respond(req, status, "application/json; charset=utf-8", text, len);
}

static const char *reason(unsigned status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

json_t *api__problem_doc(unsigned status, const char *detail)
{
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title", json_string(reason(status)));
    json_object_set_new(p, "status", json_integer(status));
    if (detail)
        json_object_set_new(p, "detail", json_string(detail));
    return p;
}

void api__send_problem(struct http_req *req, unsigned status, json_t *doc)
{
    api__json(req, status, doc);
    req->resp_type = "application/problem+json; charset=utf-8";
}

void api__problem(struct http_req *req, unsigned status, const char *detail)
{
    api__send_problem(req, status, api__problem_doc(status, detail));
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
                return "JSON nested deeper than 64 levels";
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
            return "JSON with more than 10000 elements";
    }
    return NULL;
}

void api_on_error(struct http_req *req, unsigned status)
{
    const char *detail = status == 404   ? "no such resource"
                         : status == 405 ? "this resource does not allow that method"
                         : status == 413 ? "the request body is larger than allowed"
                         : status == 431 ? "the request headers are larger than allowed"
                                         : "internal error";
    api__problem(req, status, detail);
}

static json_t *value_json(struct arena *a, const struct field_def *f, const struct rec_value *v)
{
    if (v->null)
        return json_null();
    switch (f->type) {
    case FT_INT:
    case FT_PERCENT:
        return json_integer(v->i);
    case FT_BOOL:
        return json_boolean(v->i);
    case FT_MONEY:
        return json_string(rec_value_text(a, f, v));
    case FT_MULTI_ENUM:
    case FT_MULTI_REF:
    case FT_JSON: {
        json_t *j = json_loadb(v->s, v->len, 0, NULL);
        return j ? j : json_null();
    }
    default:
        return json_stringn(v->s, v->len);
    }
}

json_t *api__money(int64_t minor)
{
    char buf[32];
    text_format_money(minor, 2, buf, sizeof(buf));
    return json_string(buf);
}

json_t *api__str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *api__record(struct arena *a, const struct rec *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    for (size_t i = 0; i < r->ent->nfields; i++) {
        const struct field_def *f = &r->ent->fields[i];
        if (f->type == FT_PASSWORD)
            continue;
        json_object_set_new(o, f->name, value_json(a, f, &r->v[i]));
    }
    json_object_set_new(o, "owner_id", api__str_or_null(r->owner_id));
    json_object_set_new(o, "created_by", api__str_or_null(r->created_by));
    json_object_set_new(o, "created_at", json_string(r->created_at));
    json_object_set_new(o, "updated_at", json_string(r->updated_at));
    json_object_set_new(o, "version", json_integer(r->version));
    if (r->deleted_at)
        json_object_set_new(o, "deleted_at", json_string(r->deleted_at));
    return o;
}
