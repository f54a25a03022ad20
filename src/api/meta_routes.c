/* Changing the metadata: custom entities and custom fields (engine/custom.h), for
 * administrators. Answers describe what changed as GET /meta does. */
#include "core/common.h"

#include "api/api_int.h"
#include "api/handlers.h"
#include "engine/custom.h"

/* Whether /api/v1/<name> would be reached by a route of its own (the API's or a
 * module's) before the routes of every entity: such a name cannot be an entity's. */
static bool path_taken(const char *name)
{
    size_t n, len = strlen(name);
    const struct api_route *rts = api__routes(&n);
    static const char PREFIX[] = "/api/v1/";
    for (size_t i = 0; i < n; i++) {
        const char *p = rts[i].path;
        if (strstr(p, "{res}") || strncmp(p, PREFIX, sizeof(PREFIX) - 1) != 0)
            continue;
        p += sizeof(PREFIX) - 1;
        if (strncmp(p, name, len) == 0 && (p[len] == '\0' || p[len] == '/' || p[len] == '.'))
            return true;
    }
    return false;
}

unsigned api__meta_entity_create(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *fields = json_object_get(root, "fields");
    if (!json_is_array(fields) || json_array_size(fields) == 0 ||
        json_array_size(fields) > RP_MAX_CUSTOM_FIELDS)
        return api_fail(c, rec_field_error(&c->ctx, "fields", "must be a list of 1 to %u fields",
                                           RP_MAX_CUSTOM_FIELDS));
    json_t *name = json_object_get(root, "name");
    if (json_is_string(name) && path_taken(json_string_value(name)))
        return api_fail(c, rec_field_error(&c->ctx, "name",
                                           "is the path of another resource: choose another"));
    size_t nf = json_array_size(fields);
    struct custom_field_input *defs = arena_calloc(&c->req->a, nf, sizeof(*defs));
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(fields, i);
        if (!json_is_object(f))
            return api_fail(c, rec_field_error(&c->ctx, arena_printf(&c->req->a, "fields[%zu]", i),
                                               "must be an object"));
        struct rec_input *in;
        api_inputs(c, f, &in, &defs[i].n);
        defs[i].in = in;
    }
    /* The entity's own members, without the list of fields. */
    json_t *top = json_copy(root);
    json_object_del(top, "fields");
    struct rec_input *in;
    size_t n;
    api_inputs(c, top, &in, &n);
    const struct entity_def *e;
    enum rp_err err = custom_entity_add(&c->ctx, in, n, defs, nf, &e);
    unsigned status = err ? api_fail(c, err) : api_json(c, 201, api__entity_json(&c->ctx, e));
    json_decref(top); /* after: the inputs borrowed its strings */
    return status;
}

unsigned api__meta_field_create(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    const struct field_def *f;
    enum rp_err err = custom_field_add(&c->ctx, c->req->params[0], in, n, &f);
    if (err)
        return api_fail(c, err);
    const struct entity_def *e = meta_entity(c->req->params[0]);
    return api_json(c, 201, api__field_json(&c->ctx, e, (size_t)(f - e->fields)));
}

unsigned api__meta_field_update(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    const struct field_def *f;
    enum rp_err err = custom_field_change(&c->ctx, c->req->params[0], c->req->params[1], in, n, &f);
    if (err)
        return api_fail(c, err);
    const struct entity_def *e = meta_entity(c->req->params[0]);
    return api_json(c, 200, api__field_json(&c->ctx, e, (size_t)(f - e->fields)));
}

unsigned api__meta_field_delete(struct api_call *c)
{
    enum rp_err err = custom_field_remove(&c->ctx, c->req->params[0], c->req->params[1]);
    return err ? api_fail(c, err) : api_no_content(c);
}
