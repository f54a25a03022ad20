/* GET /api/v1/meta and the OpenAPI 3.1 document, both generated from metadata. */
#include "core/common.h"

#include "api/api.h"
#include "engine/acl.h"
#include "engine/meta.h"

static const char *const SCOPES[] = {"none", "own", "team", "all"};

/* A bound of a number field in its API form. */
static json_t *bound(struct arena *a, const struct field_def *f, const struct rec_value *v)
{
    return f->type == FT_MONEY ? json_string(rec_value_text(a, f, v)) : json_integer(v->i);
}

static json_t *enum_array(const char *const *values)
{
    json_t *a = json_array();
    for (const char *const *v = values; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

json_t *api__meta(struct rec_ctx *ctx)
{
    const struct principal *who = ctx->who;
    json_t *ents = json_array();
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (acl_scope(who, e, ACL_READ) == SCOPE_NONE)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(e->name));
        json_object_set_new(o, "label", json_string(e->label));
        json_object_set_new(o, "label_plural", json_string(e->label_plural));
        json_object_set_new(o, "title_field", json_string(e->title_field));
        json_object_set_new(o, "default_sort", json_string(e->default_sort));
        json_object_set_new(o, "deletable", json_boolean(!(e->flags & EF_NO_DELETE)));
        json_t *perm = json_object();
        static const char *const actions[] = {"read", "create", "edit", "delete", "export"};
        for (int a = 0; a < 5; a++)
            json_object_set_new(perm, actions[a],
                                json_string(SCOPES[acl_scope(who, e, (enum acl_action)a)]));
        json_object_set_new(o, "permissions", perm);
        json_t *fields = json_array();
        for (size_t i = 0; i < e->nfields; i++) {
            const struct field_def *f = &e->fields[i];
            json_t *fo = json_object();
            json_object_set_new(fo, "name", json_string(f->name));
            json_object_set_new(fo, "label", json_string(f->label));
            json_object_set_new(fo, "type", json_string(meta_type_name(f->type)));
            json_object_set_new(fo, "required", json_boolean(f->flags & FF_REQUIRED));
            json_object_set_new(fo, "unique", json_boolean(f->flags & FF_UNIQUE));
            json_object_set_new(fo, "indexed", json_boolean(f->flags & FF_INDEXED));
            json_object_set_new(fo, "searchable", json_boolean(f->flags & FF_SEARCH));
            json_object_set_new(fo, "readonly", json_boolean(f->flags & FF_READONLY));
            json_object_set_new(fo, "list", json_boolean(f->flags & FF_LIST));
            json_object_set_new(fo, "group", json_string(f->group ? f->group : "overview"));
            if (f->type == FT_STRING || f->type == FT_TEXT || f->type == FT_EMAIL ||
                f->type == FT_PHONE || f->type == FT_URL)
                json_object_set_new(fo, "maxlen", json_integer(meta_maxlen(f)));
            struct meta_range range;
            if (meta_range(f, &range)) {
                /* In the field's API form: money as a decimal string, numbers as numbers. */
                struct rec_value lo = {false, range.min, NULL, 0}, hi = {false, range.max, NULL, 0};
                json_object_set_new(fo, "min", bound(ctx->a, f, &lo));
                json_object_set_new(fo, "max", bound(ctx->a, f, &hi));
            }
            const char **values;
            size_t nvalues;
            if ((f->type == FT_ENUM || f->type == FT_MULTI_ENUM) &&
                rec_enum_values(ctx, f, &values, &nvalues) == RP_OK) {
                json_t *vals = json_array();
                for (size_t v = 0; v < nvalues; v++)
                    json_array_append_new(vals, json_string(values[v]));
                json_object_set_new(fo, "enum", vals);
            }
            if (f->ref_entity)
                json_object_set_new(fo, f->type == FT_ENUM ? "enum_source" : "ref",
                                    json_string(f->ref_entity));
            if (f->def)
                json_object_set_new(fo, "default", json_string(f->def));
            json_array_append_new(fields, fo);
        }
        json_object_set_new(o, "fields", fields);
        json_array_append_new(ents, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "entities", ents);
    return root;
}

/* ---- OpenAPI ---- */

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

static json_t *op(const char *summary, const char *opid, json_t *ok_status_resp,
                  const char *ok_status)
{
    json_t *o = json_object();
    json_object_set_new(o, "summary", json_string(summary));
    json_object_set_new(o, "operationId", json_string(opid));
    json_t *resps = json_object();
    json_object_set_new(resps, ok_status, ok_status_resp);
    json_object_set_new(resps, "default", problem_ref("An error, as RFC 9457 problem details"));
    json_object_set_new(o, "responses", resps);
    return o;
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

static void set_body(json_t *o, json_t *schema)
{
    json_t *mt = json_object();
    json_object_set_new(mt, "schema", schema);
    json_t *content = json_object();
    json_object_set_new(content, "application/json", mt);
    json_t *rb = json_object();
    json_object_set_new(rb, "required", json_true());
    json_object_set_new(rb, "content", content);
    json_object_set_new(o, "requestBody", rb);
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

static void entity_paths(json_t *paths, const struct entity_def *e)
{
    const char *n = e->name;
    json_t *coll = json_object();
    char buf[256];
    snprintf(buf, sizeof(buf), "List %s", e->label_plural);
    char id[128];
    snprintf(id, sizeof(id), "list_%s", n);
    json_t *list = op(buf, id, response("A page of records", list_schema(e->name), NULL), "200");
    json_t *lp = json_array();
    json_array_append_new(lp, param("limit", "query", "integer", false, "page size, 1-500"));
    json_array_append_new(lp, param("cursor", "query", "string", false, "next_cursor of the previous page"));
    json_array_append_new(lp, param("sort", "query", "string", false, "fields, - for descending"));
    json_array_append_new(lp, param("q", "query", "string", false, "full-text search; without sort, newest matches first"));
    json_array_append_new(lp, param("count", "query", "boolean", false, "add the total"));
    json_object_set_new(list, "parameters", lp);
    json_object_set_new(coll, "get", list);
    snprintf(buf, sizeof(buf), "Create a %s", e->label);
    snprintf(id, sizeof(id), "create_%s", n);
    json_t *create = op(buf, id, response("The new record", ref(e->name), NULL), "201");
    set_body(create, ref(e->name));
    json_object_set_new(coll, "post", create);
    snprintf(buf, sizeof(buf), "/api/v1/%s", n);
    json_object_set_new(paths, buf, coll);

    json_t *item = json_object();
    json_t *ip = json_array();
    json_array_append_new(ip, param("id", "path", "string", true, NULL));
    json_object_set_new(item, "parameters", ip);
    snprintf(buf, sizeof(buf), "Read a %s", e->label);
    snprintf(id, sizeof(id), "get_%s", n);
    json_object_set_new(item, "get", op(buf, id, response("The record", ref(e->name), NULL), "200"));
    snprintf(buf, sizeof(buf), "Change a %s", e->label);
    snprintf(id, sizeof(id), "update_%s", n);
    json_t *patch = op(buf, id, response("The changed record", ref(e->name), NULL), "200");
    set_body(patch, ref(e->name));
    json_object_set_new(item, "patch", patch);
    if (!(e->flags & EF_NO_DELETE)) {
        snprintf(buf, sizeof(buf), "Move a %s to the recycle bin", e->label);
        snprintf(id, sizeof(id), "delete_%s", n);
        json_object_set_new(item, "delete", op(buf, id, response("Deleted", NULL, NULL), "204"));
    }
    snprintf(buf, sizeof(buf), "/api/v1/%s/{id}", n);
    json_object_set_new(paths, buf, item);

    json_t *hist = json_object();
    json_object_set_new(hist, "parameters", json_copy(ip));
    snprintf(buf, sizeof(buf), "Field history of a %s", e->label);
    snprintf(id, sizeof(id), "history_%s", n);
    json_object_set_new(hist, "get", op(buf, id, response("Changes, newest first", NULL, NULL), "200"));
    snprintf(buf, sizeof(buf), "/api/v1/%s/{id}/history", n);
    json_object_set_new(paths, buf, hist);

    if (e->flags & EF_TIMELINE) {
        json_t *tl = json_object();
        json_object_set_new(tl, "parameters", json_copy(ip));
        snprintf(buf, sizeof(buf), "Timeline of a %s", e->label);
        snprintf(id, sizeof(id), "timeline_%s", n);
        json_object_set_new(tl, "get", op(buf, id, response("Events, newest first", NULL, NULL), "200"));
        snprintf(buf, sizeof(buf), "/api/v1/%s/{id}/timeline", n);
        json_object_set_new(paths, buf, tl);
    }
    if (e->flags & EF_DUPLICATES) {
        json_t *mg = json_object();
        json_object_set_new(mg, "parameters", json_copy(ip));
        snprintf(buf, sizeof(buf), "Merge other %s into this one", e->label_plural);
        snprintf(id, sizeof(id), "merge_%s", n);
        json_t *mop = op(buf, id, response("The surviving record", ref(e->name), NULL), "200");
        json_object_set_new(mg, "post", mop);
        snprintf(buf, sizeof(buf), "/api/v1/%s/{id}/merge", n);
        json_object_set_new(paths, buf, mg);
        json_t *dg = json_object();
        snprintf(buf, sizeof(buf), "Likely duplicate %s", e->label_plural);
        snprintf(id, sizeof(id), "duplicates_%s", n);
        json_object_set_new(dg, "get", op(buf, id, response("Groups of look-alikes", NULL, NULL), "200"));
        snprintf(buf, sizeof(buf), "/api/v1/%s/duplicates", n);
        json_object_set_new(paths, buf, dg);
    }
    if (!(e->flags & EF_NO_DELETE)) {
        json_t *rest = json_object();
        json_object_set_new(rest, "parameters", json_copy(ip));
        snprintf(buf, sizeof(buf), "Restore a %s from the recycle bin", e->label);
        snprintf(id, sizeof(id), "restore_%s", n);
        json_object_set_new(rest, "post", op(buf, id, response("The record", ref(e->name), NULL), "200"));
        snprintf(buf, sizeof(buf), "/api/v1/%s/{id}/restore", n);
        json_object_set_new(paths, buf, rest);
    }
}

static void simple_path(json_t *paths, const char *path, const char *method, const char *summary,
                        const char *opid, const char *status)
{
    json_t *p = json_object_get(paths, path);
    if (!p) {
        p = json_object();
        json_object_set_new(paths, path, p);
    }
    json_object_set_new(p, method, op(summary, opid, response("OK", NULL, NULL), status));
    if (strstr(path, "{id}") && !json_object_get(p, "parameters")) {
        json_t *ps = json_array();
        json_array_append_new(ps, param("id", "path", "string", true, NULL));
        json_object_set_new(p, "parameters", ps);
    }
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
    json_t *paths = json_object();
    simple_path(paths, "/api/v1/auth/login", "post", "Sign in", "login", "200");
    simple_path(paths, "/api/v1/auth/logout", "post", "Sign out", "logout", "204");
    simple_path(paths, "/api/v1/auth/me", "get", "The signed-in user", "me", "200");
    simple_path(paths, "/api/v1/auth/me", "patch",
                "Change my display name, e-mail, language or password", "update_me", "200");
    simple_path(paths, "/api/v1/tokens", "get", "My API tokens", "list_tokens", "200");
    simple_path(paths, "/api/v1/tokens", "post", "Create an API token", "create_token", "201");
    simple_path(paths, "/api/v1/security-events", "get", "The security log (administrators)",
                "security_events", "200");
    simple_path(paths, "/api/v1/meta", "get", "Entity metadata", "meta", "200");
    simple_path(paths, "/api/v1/search", "get", "Search every entity", "search", "200");
    simple_path(paths, "/api/v1/users/{id}/transfer", "post", "Transfer a user's records",
                "transfer_user", "200");
    simple_path(paths, "/api/v1/pipeline", "get", "Pipeline by stage", "pipeline", "200");
    simple_path(paths, "/api/v1/forecast", "get", "Expected revenue by month", "forecast", "200");
    simple_path(paths, "/api/v1/calendar", "get", "Activities of users in a range", "calendar",
                "200");
    simple_path(paths, "/api/v1/leads/{id}/convert", "post", "Convert a lead", "convert_lead",
                "200");
    simple_path(paths, "/api/v1/opportunities/{id}/stages", "get",
                "Stage history of an opportunity", "opportunity_stages", "200");
    simple_path(paths, "/api/v1/accounts/retier", "post", "Recompute revenue tiers",
                "retier_accounts", "200");
    simple_path(paths, "/api/v1/accounts/{id}/summary", "get", "Figures of the customer card",
                "account_summary", "200");
    simple_path(paths, "/api/v1/tokens/{id}", "delete", "Revoke an API token", "revoke_token",
                "204");
    simple_path(paths, "/api/v1/jobs", "post", "Queue a background job (administrators)",
                "create_job", "202");
    simple_path(paths, "/api/v1/jobs/{id}", "get", "A background job (administrators)", "get_job",
                "200");
    simple_path(paths, "/api/v1/imports", "post", "Import a CSV file (text/csv body)",
                "create_import", "202");
    simple_path(paths, "/api/v1/imports/{id}", "get", "An import's progress and row errors",
                "get_import", "200");
    simple_path(paths, "/api/v1/calendar.ics", "get", "My activities as iCalendar (?token=)",
                "calendar_feed", "200");
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        entity_paths(paths, e);
        char path[128], summary[128], opid[128];
        snprintf(path, sizeof(path), "/api/v1/%s/export", e->name);
        snprintf(summary, sizeof(summary), "Export %s (csv, xlsx; vcf, ics)", e->label_plural);
        snprintf(opid, sizeof(opid), "export_%s", e->name);
        simple_path(paths, path, "get", summary, opid, "200");
    }
    json_object_set_new(root, "paths", paths);
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
