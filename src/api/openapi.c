/* The OpenAPI 3.1 document, generated from the route table (api__routes) and the
 * entity metadata: each route once, a {res} route once per entity it applies to. */
#include "core/common.h"

#include <jansson.h>

#include "api/api_int.h"
#include "engine/meta.h"

static json_t *enum_array(const char *const *values)
{
    json_t *a = json_array();
    for (const char *const *v = values; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

static json_t *ref(const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, "$ref", json_sprintf("#/components/schemas/%s", name));
    return o;
}

static json_t *field_schema(const struct field_def *f)
{
    json_t *s = json_object();
    const char *type = "string", *format = NULL;
    switch (f->type) {
    case FT_INT: type = "integer"; format = "int64"; break;
    case FT_PERCENT: type = "integer"; break;
    case FT_BOOL: type = "boolean"; break;
    case FT_MONEY: format = "decimal"; break;
    case FT_DATE: format = "date"; break;
    case FT_DATETIME: format = "date-time"; break;
    case FT_EMAIL: format = "email"; break;
    case FT_URL: format = "uri"; break;
    case FT_REF: format = "uuid"; break;
    case FT_PASSWORD: format = "password"; break;
    case FT_MULTI_ENUM:
    case FT_MULTI_REF: type = "array"; break;
    case FT_JSON: type = NULL; break;
    default: break;
    }
    if (type) {
        json_t *types = json_array();
        json_array_append_new(types, json_string(type));
        if (!(f->flags & FF_REQUIRED))
            json_array_append_new(types, json_string("null"));
        json_object_set_new(s, "type", types);
    }
    if (format)
        json_object_set_new(s, "format", json_string(format));
    struct meta_range range;
    bool ranged = meta_range(f, &range);
    if (f->type == FT_MONEY)
        json_object_set_new(s, "pattern", json_string(ranged && range.min >= 0
                                                          ? "^[0-9]+(\\.[0-9]{1,2})?$"
                                                          : "^-?[0-9]+(\\.[0-9]{1,2})?$"));
    if (ranged && f->type != FT_MONEY) {
        json_object_set_new(s, "minimum", json_integer(range.min));
        json_object_set_new(s, "maximum", json_integer(range.max));
    }
    json_object_set_new(s, "title", json_string(f->label));
    if (f->type == FT_ENUM && f->enum_values) {
        json_t *vals = enum_array(f->enum_values);
        if (!(f->flags & FF_REQUIRED))
            json_array_append_new(vals, json_null());
        json_object_set_new(s, "enum", vals);
    }
    if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF) {
        json_t *items = json_object();
        json_object_set_new(items, "type", json_string("string"));
        if (f->enum_values)
            json_object_set_new(items, "enum", enum_array(f->enum_values));
        json_object_set_new(s, "items", items);
    }
    if (f->type == FT_PASSWORD)
        json_object_set_new(s, "writeOnly", json_true());
    if (f->flags & FF_READONLY)
        json_object_set_new(s, "readOnly", json_true());
    if (f->type == FT_STRING || f->type == FT_TEXT || f->type == FT_EMAIL ||
        f->type == FT_PHONE || f->type == FT_URL)
        json_object_set_new(s, "maxLength", json_integer(meta_maxlen(f)));
    return s;
}

static json_t *sys_string(const char *format, bool nullable)
{
    json_t *s = json_object();
    json_t *types = json_array();
    json_array_append_new(types, json_string("string"));
    if (nullable)
        json_array_append_new(types, json_string("null"));
    json_object_set_new(s, "type", types);
    if (format)
        json_object_set_new(s, "format", json_string(format));
    json_object_set_new(s, "readOnly", json_true());
    return s;
}

static json_t *entity_schema(const struct entity_def *e)
{
    json_t *props = json_object();
    json_object_set_new(props, "id", sys_string("uuid", false));
    for (size_t i = 0; i < e->nfields; i++)
        json_object_set_new(props, e->fields[i].name, field_schema(&e->fields[i]));
    json_t *owner = sys_string("uuid", true);
    json_object_del(owner, "readOnly");
    json_object_set_new(props, "owner_id", owner);
    json_object_set_new(props, "created_by", sys_string("uuid", true));
    json_object_set_new(props, "created_at", sys_string("date-time", false));
    json_object_set_new(props, "updated_at", sys_string("date-time", false));
    json_object_set_new(props, "deleted_at", sys_string("date-time", false));
    json_object_set_new(props, "deleted_by", sys_string("uuid", true));
    json_t *ver = json_object();
    json_object_set_new(ver, "type", json_string("integer"));
    json_object_set_new(ver, "readOnly", json_true());
    json_object_set_new(props, "version", ver);
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("object"));
    json_object_set_new(s, "title", json_string(e->label));
    json_object_set_new(s, "properties", props);
    json_object_set_new(s, "additionalProperties", json_false());
    return s;
}

static json_t *response(const char *desc, json_t *schema, const char *type)
{
    json_t *r = json_object();
    json_object_set_new(r, "description", json_string(desc));
    if (schema) {
        json_t *mt = json_object();
        json_object_set_new(mt, "schema", schema);
        json_t *content = json_object();
        json_object_set_new(content, type ? type : "application/json", mt);
        json_object_set_new(r, "content", content);
    }
    return r;
}

static json_t *problem_ref(const char *desc)
{
    return response(desc, ref("Problem"), "application/problem+json");
}

static json_t *param(const char *name, const char *in, const char *type, bool required,
                     const char *desc)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(name));
    json_object_set_new(p, "in", json_string(in));
    json_object_set_new(p, "required", json_boolean(required));
    if (desc)
        json_object_set_new(p, "description", json_string(desc));
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string(type));
    json_object_set_new(p, "schema", s);
    return p;
}

static json_t *list_schema(const char *name)
{
    json_t *data = json_object();
    json_object_set_new(data, "type", json_string("array"));
    json_object_set_new(data, "items", ref(name));
    json_t *props = json_object();
    json_object_set_new(props, "data", data);
    json_t *cur = json_object();
    json_t *types = json_array();
    json_array_append_new(types, json_string("string"));
    json_array_append_new(types, json_string("null"));
    json_object_set_new(cur, "type", types);
    json_object_set_new(props, "next_cursor", cur);
    json_t *total = json_object();
    json_object_set_new(total, "type", json_string("integer"));
    json_object_set_new(props, "total", total);
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("object"));
    json_object_set_new(s, "properties", props);
    return s;
}

/* tmpl with {res}, {label} and {labels} replaced by e's name and labels. */
static void expand(char *out, size_t cap, const char *tmpl, const struct entity_def *e)
{
    static const char *const TOKENS[] = {"{res}", "{labels}", "{label}"};
    size_t len = 0;
    while (*tmpl && len + 1 < cap) {
        const char *with = NULL;
        size_t tlen = 0;
        for (size_t i = 0; e && i < RP_NELEM(TOKENS) && !with; i++)
            if (!strncmp(tmpl, TOKENS[i], strlen(TOKENS[i]))) {
                tlen = strlen(TOKENS[i]);
                with = i == 0 ? e->name : i == 1 ? e->label_plural : e->label;
            }
        if (with) {
            len += (size_t)snprintf(out + len, cap - len, "%s", with);
            len = len < cap ? len : cap - 1;
            tmpl += tlen;
        } else {
            out[len++] = *tmpl++;
        }
    }
    out[len] = '\0';
}

static json_t *object_schema(void)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("object"));
    return s;
}

/* The schema of a body or answer of this shape, and its media type. */
static json_t *shape_schema(enum api_shape shape, const struct entity_def *e, const char **type)
{
    *type = "application/json";
    switch (shape) {
    case API_NONE: return NULL;
    case API_JSON: return object_schema();
    case API_RECORD: return e ? ref(e->name) : object_schema();
    case API_PAGE: return e ? list_schema(e->name) : object_schema();
    case API_IMPORT: *type = "text/csv"; break;
    case API_FILE: *type = "application/octet-stream"; break;
    }
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("string"));
    return s;
}

static const char *status_text(unsigned status)
{
    switch (status) {
    case 201: return "Created";
    case 202: return "Accepted: the work goes on in the background";
    case 204: return "Done, nothing to answer";
    default: return "OK";
    }
}

static json_t *operation(const struct api_route *rt, const struct entity_def *e,
                         const char *path)
{
    char text[256];
    json_t *o = json_object();
    expand(text, sizeof(text), rt->summary, e);
    json_object_set_new(o, "summary", json_string(text));
    expand(text, sizeof(text), rt->op_id, e);
    json_object_set_new(o, "operationId", json_string(text));
    json_t *params = json_array();
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
        json_array_append_new(params, param(name, "path", "string", true, NULL));
    }
    if (rt->answer == API_PAGE) {
        json_array_append_new(params,
                              param("limit", "query", "integer", false, "page size, 1-500"));
        json_array_append_new(params, param("cursor", "query", "string", false,
                                            "next_cursor of the previous page"));
        json_array_append_new(params, param("sort", "query", "string", false,
                                            "fields, - for descending"));
        json_array_append_new(params,
                              param("q", "query", "string", false,
                                    "full-text search; without sort, newest matches first"));
        json_array_append_new(params, param("count", "query", "boolean", false, "add the total"));
    }
    if (json_array_size(params))
        json_object_set_new(o, "parameters", params);
    else
        json_decref(params);
    const char *type;
    json_t *body = shape_schema(rt->body, e, &type);
    if (body) {
        json_t *mt = json_object();
        json_object_set_new(mt, "schema", body);
        json_t *content = json_object();
        json_object_set_new(content, type, mt);
        /* An import takes a workbook or vCards as well (POST /imports). */
        static const char *const MORE[] = {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/vcard"};
        for (size_t i = 0; rt->body == API_IMPORT && i < RP_NELEM(MORE); i++) {
            json_t *more = json_object();
            json_object_set_new(more, "schema", shape_schema(API_IMPORT, e, &type));
            json_object_set_new(content, MORE[i], more);
        }
        json_t *rb = json_object();
        json_object_set_new(rb, "required", json_true());
        json_object_set_new(rb, "content", content);
        json_object_set_new(o, "requestBody", rb);
    }
    json_t *answer = shape_schema(rt->answer, e, &type);
    json_t *resps = json_object();
    char status[8];
    snprintf(status, sizeof(status), "%u", rt->ok);
    json_object_set_new(resps, status, response(status_text(rt->ok), answer, type));
    json_object_set_new(resps, "default", problem_ref("An error, as RFC 9457 problem details"));
    json_object_set_new(o, "responses", resps);
    if (rt->flags & API_PUBLIC)
        json_object_set_new(o, "security", json_array());
    return o;
}

static void add_operation(json_t *paths, const struct api_route *rt, const struct entity_def *e)
{
    char path[256], method[16];
    expand(path, sizeof(path), rt->path, e);
    size_t i = 0;
    for (; rt->method[i] && i + 1 < sizeof(method); i++)
        method[i] = (char)(rt->method[i] - 'A' + 'a');
    method[i] = '\0';
    json_t *item = json_object_get(paths, path);
    if (!item) {
        item = json_object();
        json_object_set_new(paths, path, item);
    }
    json_object_set_new(item, method, operation(rt, e, path));
}

static json_t *paths(void)
{
    json_t *out = json_object();
    size_t n;
    const struct api_route *rts = api__routes(&n);
    for (size_t i = 0; i < n; i++) {
        const struct api_route *rt = &rts[i];
        if (rt->flags & API_NOT_REST)
            continue;
        if (!strstr(rt->path, "{res}")) {
            add_operation(out, rt, NULL);
            continue;
        }
        for (size_t k = 0; k < meta_entity_count(); k++) {
            const struct entity_def *e = meta_entity_at(k);
            if ((e->flags & rt->needs) == rt->needs && !(e->flags & rt->refuses))
                add_operation(out, rt, e);
        }
    }
    return out;
}

static json_t *problem_schema(void)
{
    json_t *props = json_object();
    static const char *const str[] = {"type", "title", "detail"};
    for (int i = 0; i < 3; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(props, str[i], s);
    }
    json_t *st = json_object();
    json_object_set_new(st, "type", json_string("integer"));
    json_object_set_new(props, "status", st);
    json_t *errs = json_object();
    json_object_set_new(errs, "type", json_string("array"));
    json_object_set_new(props, "errors", errs);
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("object"));
    json_object_set_new(s, "properties", props);
    return s;
}

json_t *api__openapi(void)
{
    json_t *root = json_object();
    json_object_set_new(root, "openapi", json_string("3.1.0"));
    json_t *info = json_object();
    json_object_set_new(info, "title", json_string("Rapport CRM API"));
    json_object_set_new(info, "version", json_string("1"));
    json_object_set_new(info, "description",
                        json_string("Generated from the entity metadata of this server."));
    json_object_set_new(root, "info", info);
    json_object_set_new(root, "paths", paths());
    json_t *schemas = json_object();
    for (size_t k = 0; k < meta_entity_count(); k++)
        json_object_set_new(schemas, meta_entity_at(k)->name, entity_schema(meta_entity_at(k)));
    json_object_set_new(schemas, "Problem", problem_schema());
    json_t *sec = json_object();
    json_t *bearer = json_object();
    json_object_set_new(bearer, "type", json_string("http"));
    json_object_set_new(bearer, "scheme", json_string("bearer"));
    json_object_set_new(sec, "bearer", bearer);
    json_t *cookie = json_object();
    json_object_set_new(cookie, "type", json_string("apiKey"));
    json_object_set_new(cookie, "in", json_string("cookie"));
    json_object_set_new(cookie, "name", json_string("rapport_session"));
    json_object_set_new(sec, "session", cookie);
    json_t *comps = json_object();
    json_object_set_new(comps, "schemas", schemas);
    json_object_set_new(comps, "securitySchemes", sec);
    json_object_set_new(root, "components", comps);
    json_t *security = json_array();
    json_t *s1 = json_object();
    json_object_set_new(s1, "bearer", json_array());
    json_array_append_new(security, s1);
    json_t *s2 = json_object();
    json_object_set_new(s2, "session", json_array());
    json_array_append_new(security, s2);
    json_object_set_new(root, "security", security);
    return root;
}
