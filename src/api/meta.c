/* GET /api/v1/meta: the entities the caller may read, their fields and permissions. */
#include "core/common.h"

#include <jansson.h>

#include "api/api_int.h"
#include "engine/acl.h"
#include "engine/import_jobs.h"
#include "engine/meta.h"

/* A bound of a number field in its API form. */
static json_t *bound(struct arena *a, const struct field_def *f, const struct rec_value *v)
{
    return f->type == FT_MONEY ? json_string(rec_value_text(a, f, v)) : json_integer(v->i);
}

/* A field as /meta describes it to the caller. */
json_t *api__field_json(struct rec_ctx *ctx, const struct entity_def *e, size_t i)
{
    const struct field_def *f = &e->fields[i];
    enum acl_field_rule rule = rec_field_rule(ctx, e, i);
    json_t *fo = json_object();
    json_object_set_new(fo, "name", json_string(f->name));
    json_object_set_new(fo, "label", json_string(f->label));
    if (f->label_zh)
        json_object_set_new(fo, "label_zh", json_string(f->label_zh));
    if (f->help)
        json_object_set_new(fo, "help", json_string(f->help));
    json_object_set_new(fo, "custom", json_boolean(f->flags & FF_CUSTOM));
    json_object_set_new(fo, "type", json_string(meta_type_name(f->type)));
    json_object_set_new(fo, "required", json_boolean(f->flags & FF_REQUIRED));
    json_object_set_new(fo, "unique", json_boolean(f->flags & FF_UNIQUE));
    json_object_set_new(fo, "indexed", json_boolean(f->flags & FF_INDEXED));
    json_object_set_new(fo, "searchable", json_boolean(f->flags & FF_SEARCH));
    json_object_set_new(fo, "readonly",
                        json_boolean((f->flags & FF_READONLY) || rule == ACL_FIELD_READONLY));
    json_object_set_new(fo, "list", json_boolean(f->flags & FF_LIST));
    json_object_set_new(fo, "sortable", json_boolean(meta_sortable(f)));
    if (f->flags & FF_ROLLUP)
        json_object_set_new(fo, "rollup", json_true());
    json_object_set_new(fo, "group", json_string(f->group ? f->group : "overview"));
    if (f->shown_when) {
        const char *eq = strchr(f->shown_when, '=');
        RP_ASSERT(eq);
        json_t *w = json_object();
        size_t n = (size_t)(eq - f->shown_when);
        json_object_set_new(w, "field", json_stringn(f->shown_when, n));
        json_object_set_new(w, "value", json_string(eq + 1));
        json_object_set_new(fo, "shown_when", w);
    }
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
    if (f->enum_labels && f->enum_labels_zh) {
        json_t *en = json_object(), *zh = json_object();
        for (size_t v = 0; f->enum_values[v]; v++) {
            json_object_set_new(en, f->enum_values[v], json_string(f->enum_labels[v]));
            json_object_set_new(zh, f->enum_values[v], json_string(f->enum_labels_zh[v]));
        }
        json_object_set_new(fo, "enum_labels", en);
        json_object_set_new(fo, "enum_labels_zh", zh);
    }
    if (f->ref_entity)
        json_object_set_new(fo, f->type == FT_ENUM ? "enum_source" : "ref",
                            json_string(f->ref_entity));
    if (f->def)
        json_object_set_new(fo, "default", json_string(f->def));
    return fo;
}

/* An entity as /meta describes it to the caller: the fields their role shows. */
json_t *api__entity_json(struct rec_ctx *ctx, const struct entity_def *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "label", json_string(e->label));
    json_object_set_new(o, "label_plural", json_string(e->label_plural));
    json_object_set_new(o, "title_field", json_string(e->title_field));
    if (e->display_field)
        json_object_set_new(o, "display_field", json_string(e->display_field));
    json_object_set_new(o, "default_sort", json_string(e->default_sort));
    json_object_set_new(o, "deletable", json_boolean(!(e->flags & EF_NO_DELETE)));
    json_object_set_new(o, "custom", json_boolean(e->flags & EF_CUSTOM));
    json_object_set_new(o, "shareable", json_boolean(!(e->flags & EF_PLATFORM)));
    /* A list of the navigation, or shown on a screen of its own. */
    json_object_set_new(o, "nav", json_boolean(!(e->flags & EF_OWN_SCREEN)));
    json_object_set_new(o, "duplicates", json_boolean(e->flags & EF_DUPLICATES));
    json_object_set_new(o, "timeline", json_boolean(e->flags & EF_TIMELINE));
    json_object_set_new(o, "importable", json_boolean(import_jobs_entity_ok(e)));
    /* An import may create its records from a name (create_accounts). */
    json_object_set_new(o, "create_by_name", json_boolean(e->flags & EF_CREATE_BY_NAME));
    if (e->label_zh)
        json_object_set_new(o, "label_zh", json_string(e->label_zh));
    if (e->label_plural_zh)
        json_object_set_new(o, "label_plural_zh", json_string(e->label_plural_zh));
    json_t *perm = json_object();
    for (int a = 0; a < ACL_NACTIONS; a++)
        json_object_set_new(perm, acl_action_names[a],
                            json_string(acl_scope_name(rec_scope(ctx, e, (enum acl_action)a))));
    json_object_set_new(o, "permissions", perm);
    json_t *fields = json_array();
    for (size_t i = 0; i < e->nfields; i++)
        if (rec_field_rule(ctx, e, i) != ACL_FIELD_HIDDEN)
            json_array_append_new(fields, api__field_json(ctx, e, i));
    json_object_set_new(o, "fields", fields);
    return o;
}

json_t *api__meta(struct rec_ctx *ctx)
{
    json_t *ents = json_array();
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (rec_scope(ctx, e, ACL_READ) != SCOPE_NONE)
            json_array_append_new(ents, api__entity_json(ctx, e));
    }
    /* The columns every record has besides its fields, with their labels (the UI's
     * owner column, for one). */
    json_t *sys = json_array();
    size_t nsys;
    const struct field_def *sf = meta_system_fields(&nsys);
    for (size_t i = 0; i < nsys; i++) {
        const struct field_def *f = &sf[i];
        json_t *fo = json_object();
        json_object_set_new(fo, "name", json_string(f->name));
        json_object_set_new(fo, "label", json_string(f->label));
        json_object_set_new(fo, "label_zh", json_string(f->label_zh));
        json_object_set_new(fo, "type", json_string(meta_type_name(f->type)));
        if (f->ref_entity)
            json_object_set_new(fo, "ref", json_string(f->ref_entity));
        json_array_append_new(sys, fo);
    }
    json_t *root = json_object();
    json_object_set_new(root, "entities", ents);
    json_object_set_new(root, "system_fields", sys);
    return root;
}
