/* Roles: records an administrator edits (engine/acl.h reads them). Each grants, per
 * entity and action, a scope, and may hide fields or make them read-only. The
 * built-in roles are created at first start from the modules' default grants and are
 * edited like any other; `admin` stays an administrator. A role in use cannot be
 * deleted. Every change moves the metadata generation on, so it applies to every
 * session at its next request. */
#include "core/common.h"

#include "core/json.h"
#include "engine/acl.h"
#include "engine/custom.h"
#include "mod/platform/platform.h"

static const struct field_def FIELDS[] = {
    {.name = "key", .label = "Key", .label_zh = "键", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_LIST | FF_CREATE_ONLY, .maxlen = 40,
     .group = "overview"},
    {.name = "label", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "label_zh", .label = "Chinese name", .label_zh = "中文名称", .type = FT_STRING,
     .flags = FF_SEARCH, .maxlen = 100, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .maxlen = 2000, .group = "overview"},
    {.name = "admin", .label = "Administers the system", .label_zh = "系统管理员", .type = FT_BOOL,
     .flags = FF_LIST, .def = "false", .group = "access"},
    {.name = "grants", .label = "Permissions", .label_zh = "权限", .type = FT_JSON,
     .group = "access"},
    {.name = "field_rules", .label = "Field rules", .label_zh = "字段规则", .type = FT_JSON,
     .group = "access"},
    {.name = "builtin", .label = "Built in", .label_zh = "内置", .type = FT_BOOL,
     .flags = FF_READONLY | FF_LIST, .def = "false", .group = "access"},
    /* The entities whose default grants a built-in role was given, once each: an
     * entity an administrator then took out of its grants stays out. */
    {.name = "defaults_given", .label = "Defaults given for", .label_zh = "已授予默认权限",
     .type = FT_JSON, .flags = FF_READONLY, .group = "access"},
};

const struct entity_def platform__roles = {
    .name = "roles",
    .label = "Role",
    .label_plural = "Roles",
    .label_zh = "角色",
    .label_plural_zh = "角色",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "label",
    .default_sort = "key",
    .flags = EF_PLATFORM | EF_OWN_SCREEN,
};

static const struct {
    const char *key, *label;
    bool admin;
} BUILTIN[] = {
    {"admin", "Administrator", true}, {"manager", "Manager", false},
    {"sales", "Sales", false},        {"support", "Support", false},
    {"marketing", "Marketing", false}, {"partner", "Partner", false},
    {"readonly", "Read-only", false},
};

static const char *text_of(const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null ? NULL : v->s;
}

enum rp_err platform__validate_role(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *key = rec_field(r, "key");
    bool ok = !key->null && key->len >= 2 && key->s[0] >= 'a' && key->s[0] <= 'z';
    for (size_t i = 0; ok && i < key->len; i++)
        ok = (key->s[i] >= 'a' && key->s[i] <= 'z') || (key->s[i] >= '0' && key->s[i] <= '9') ||
             key->s[i] == '_';
    if (!ok)
        rec_field_error(ctx, "key", "use 2 to 40 lower-case letters, digits and _, from a letter");
    if (ok && strcmp(key->s, "admin") == 0 && !rec_field(r, "admin")->i)
        rec_field_error(ctx, "admin", "the admin role always administers the system");
    /* Whoever may edit roles, only administrators make one administer. */
    if (rec_field(r, "admin")->i && (!old || !rec_field(old, "admin")->i) && !rec_admin(ctx))
        rec_field_error(ctx, "admin", "only administrators make a role administer");
    const char *why = acl_check_grants(ctx->a, ctx->lang, text_of(r, "grants"),
                                       old ? text_of(old, "grants") : NULL);
    if (why)
        rec_field_error(ctx, "grants", "%s", why);
    why = acl_check_field_rules(ctx->a, ctx->lang, text_of(r, "field_rules"),
                                old ? text_of(old, "field_rules") : NULL);
    if (why)
        rec_field_error(ctx, "field_rules", "%s", why);
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

enum rp_err platform__role_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    (void)r;
    (void)old;
    return custom_changed(ctx);
}

/* Users who have the role, deactivated ones included. */
static enum rp_err members(struct rec_ctx *ctx, const char *key, int64_t *n)
{
    struct rec_param p[] = {{RP_STR("role"), rp_str_c(key)}, {RP_STR("count"), RP_STR("true")},
                            {RP_STR("limit"), RP_STR("1")}};
    const struct entity_def *users = meta_need("users");
    struct rec_query *q;
    struct rec_page page;
    const char *saved = rec_system_begin(ctx, "count a role's users");
    enum rp_err err = rec_query_parse(ctx, users, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, users, q, &page);
    rec_system_end(ctx, saved);
    *n = err ? 0 : page.total;
    return err;
}

enum rp_err platform__role_deletable(struct rec_ctx *ctx, const struct rec *r)
{
    const char *key = text_of(r, "key");
    if (strcmp(key, "admin") == 0)
        return rec_fail(ctx, RP_ECONFLICT, "the admin role cannot be deleted");
    int64_t n;
    enum rp_err err = members(ctx, key, &n);
    if (!err && n > 0)
        return rec_fail(ctx, RP_ECONFLICT,
                        "the role is in use by %lld user(s): give them another role first",
                        (long long)n);
    return err ? err : custom_changed(ctx);
}

enum rp_err platform__role_restored(struct rec_ctx *ctx, struct rec *r)
{
    (void)r;
    return custom_changed(ctx);
}

/* ---- grants as JSON ---- */

/* Appends "name":{"read":"team",…} for scopes "team own own own own own". */
static enum rp_err add_grant(struct rp_buf *b, const char *entity, const char *scopes)
{
    enum rp_err err = json_add_string(b, entity, strlen(entity));
    if (!err)
        err = buf_adds(b, ":{");
    const char *p = scopes;
    for (int a = 0; a < ACL_NACTIONS && !err && *p; a++) {
        size_t len = strcspn(p, " ");
        err = a ? buf_addc(b, ',') : RP_OK;
        if (!err)
            err = json_add_string(b, acl_action_names[a], strlen(acl_action_names[a]));
        if (!err)
            err = buf_addc(b, ':');
        if (!err)
            err = json_add_string(b, p, len);
        p += len;
        p += *p == ' ';
    }
    return err ? err : buf_addc(b, '}');
}

static bool listed(const struct rp_str *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (rp_str_eqc(items[i], name))
            return true;
    return false;
}

/* The role's grants with the default grant on every module entity it was never given
 * one for (given: a JSON list, or NULL): the text of the new grants, or NULL when
 * nothing is missing; *now_given is the list with those entities added. */
static const char *with_defaults(struct rec_ctx *ctx, const char *key, const char *grants,
                                 const char *given, const char **now_given)
{
    const char **names = NULL;
    struct rp_str *raw = NULL, *done = NULL;
    size_t n = 0, ndone = 0;
    if (grants && json_read_members(ctx->a, rp_str_c(grants), META_MAX_ENTITIES, &names, &raw,
                                    &n))
        n = 0;
    if (!given || json_read_list(ctx->a, rp_str_c(given), META_MAX_ENTITIES, &done, &ndone))
        ndone = 0;
    struct rp_str *all = arena_calloc(ctx->a, ndone + META_MAX_ENTITIES + 1, sizeof(*all));
    if (ndone)
        memcpy(all, done, ndone * sizeof(*all));
    size_t nall = ndone;
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT);
    enum rp_err err = buf_addc(&b, '{');
    for (size_t i = 0; i < n && !err; i++) {
        err = i ? buf_addc(&b, ',') : RP_OK;
        if (!err)
            err = json_add_string(&b, names[i], strlen(names[i]));
        if (!err)
            err = buf_printf(&b, ":%.*s", (int)raw[i].len, raw[i].p);
    }
    bool added = false;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *e = meta_entity_at(k);
        const char *scopes = mod_default_scopes(key, e);
        bool has = false;
        for (size_t i = 0; i < n; i++)
            has = has || strcmp(names[i], e->name) == 0;
        if (!scopes || listed(done, ndone, e->name))
            continue;
        all[nall++] = rp_str_c(e->name);
        if (has)
            continue;
        err = (n || added) ? buf_addc(&b, ',') : RP_OK;
        if (!err)
            err = add_grant(&b, e->name, scopes);
        added = true;
    }
    if (!err)
        err = buf_addc(&b, '}');
    const char *out = !err && added ? arena_strndup(ctx->a, buf_cstr(&b), b.len) : NULL;
    buf_reset(&b);
    *now_given = NULL;
    if (!err && nall > ndone && !json_add_list(&b, all, nall))
        *now_given = arena_strndup(ctx->a, buf_cstr(&b), b.len);
    buf_release(&b);
    return out;
}

static struct rec_input json_input(const char *field, const char *s)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_JSON, .s = s, .len = strlen(s)};
}

/* Every role, live (or in the recycle bin). */
static enum rp_err list_roles(struct rec_ctx *ctx, bool deleted, struct rec_page *page)
{
    struct rec_param p[] = {{RP_STR("limit"), RP_STR("500")}, {RP_STR("deleted"), RP_STR("only")}};
    const struct entity_def *roles = meta_need("roles");
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, roles, p, deleted ? 2 : 1, &q);
    return err ? err : rec_list(ctx, roles, q, page);
}

static const struct rec *find(const struct rec_page *page, const char *key)
{
    for (size_t i = 0; i < page->nrows; i++)
        if (strcmp(text_of(&page->rows[i], "key"), key) == 0)
            return &page->rows[i];
    return NULL;
}

/* Creates the built-in roles a database has never had (one deleted stays deleted),
 * and gives the built-in roles the default grants of entities they do not mention. */
enum rp_err platform__bootstrap_roles(struct rec_ctx *ctx)
{
    struct rec_page live, gone;
    enum rp_err err = list_roles(ctx, false, &live);
    if (!err)
        err = list_roles(ctx, true, &gone);
    const struct entity_def *roles = meta_need("roles");
    for (size_t i = 0; i < RP_NELEM(BUILTIN) && !err; i++) {
        const struct rec *r = find(&live, BUILTIN[i].key);
        const char *given;
        const char *grants =
            with_defaults(ctx, BUILTIN[i].key, r ? text_of(r, "grants") : NULL,
                          r ? text_of(r, "defaults_given") : NULL, &given);
        struct rec out;
        if (!r && !find(&gone, BUILTIN[i].key)) {
            struct rec_input in[] = {
                rec_in_text("key", BUILTIN[i].key), rec_in_text("label", BUILTIN[i].label),
                {.field = RP_STR("admin"), .kind = IN_BOOL, .b = BUILTIN[i].admin},
                {.field = RP_STR("builtin"), .kind = IN_BOOL, .b = true},
                json_input("grants", grants ? grants : "{}"),
                json_input("defaults_given", given ? given : "[]")};
            err = rec_create(ctx, roles, in, RP_NELEM(in), &out);
        } else if (r && rec_field(r, "builtin")->i && given) {
            const char *kept = text_of(r, "grants");
            struct rec_input in[] = {json_input("grants", grants ? grants : kept ? kept : "{}"),
                                     json_input("defaults_given", given)};
            err = rec_update(ctx, roles, rp_str_c(r->id), in, 2, r->version, &out);
        }
    }
    return err;
}

enum rp_err platform__load_roles(struct rec_ctx *ctx, struct acl_role_text **out, size_t *n)
{
    struct rec_page page;
    enum rp_err err = list_roles(ctx, false, &page);
    struct acl_role_text *roles = arena_calloc(ctx->a, page.nrows + 1, sizeof(*roles));
    for (size_t i = 0; !err && i < page.nrows; i++)
        roles[i] = (struct acl_role_text){text_of(&page.rows[i], "key"),
                                          rec_field(&page.rows[i], "admin")->i != 0,
                                          text_of(&page.rows[i], "grants"),
                                          text_of(&page.rows[i], "field_rules")};
    *out = roles;
    *n = err ? 0 : page.nrows;
    return err;
}

enum rp_err platform__entity_added(struct rec_ctx *ctx, const struct entity_def *e,
                                   const struct entity_def *like)
{
    struct rec_page page;
    enum rp_err err = list_roles(ctx, false, &page);
    for (size_t i = 0; i < page.nrows && !err; i++) {
        const struct rec *r = &page.rows[i];
        const char **names = NULL;
        struct rp_str *raw = NULL;
        size_t n = 0;
        const char *grants = text_of(r, "grants");
        if (grants && json_read_members(ctx->a, rp_str_c(grants), META_MAX_ENTITIES, &names,
                                        &raw, &n))
            n = 0;
        struct rp_buf b;
        buf_init(&b, RP_MAX_TEXT);
        err = buf_addc(&b, '{');
        struct rp_str copied = {NULL, 0};
        for (size_t k = 0; k < n && !err; k++) {
            if (strcmp(names[k], like->name) == 0)
                copied = raw[k];
            err = k ? buf_addc(&b, ',') : RP_OK;
            if (!err)
                err = json_add_string(&b, names[k], strlen(names[k]));
            if (!err)
                err = buf_printf(&b, ":%.*s", (int)raw[k].len, raw[k].p);
        }
        if (!err && copied.p) {
            err = n ? buf_addc(&b, ',') : RP_OK;
            if (!err)
                err = json_add_string(&b, e->name, strlen(e->name));
            if (!err)
                err = buf_printf(&b, ":%.*s", (int)copied.len, copied.p);
        }
        if (!err)
            err = buf_addc(&b, '}');
        if (!err && copied.p) {
            struct rec_input in[] = {
                json_input("grants", arena_strndup(ctx->a, buf_cstr(&b), b.len))};
            struct rec out;
            err = rec_update(ctx, meta_need("roles"), rp_str_c(r->id), in, 1, r->version, &out);
        }
        buf_release(&b);
    }
    return err;
}
