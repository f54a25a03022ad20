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

void api__json(struct http_req *req, unsigned status, json_t *root)
{
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text) {
        api__problem(req, 500, "the answer could not be encoded");
        return;
    }
    arena_on_release(&req->a, free_json_text, text);
    http_respond(req, status, "application/json; charset=utf-8", text, strlen(text));
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
