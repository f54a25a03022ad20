/* Roles, scopes and field rules (acl.h). */
#include "core/common.h"

#include "core/json.h"
#include "engine/acl.h"
#include "store/platform.h"

static const char *const SCOPE_NAMES[] = {"none", "own", "team", "team_and_below", "all"};
const char *const acl_action_names[ACL_NACTIONS] = {"read",   "create", "edit",
                                                    "delete", "export", "import"};
static const char *const RULE_NAMES[] = {"open", "readonly", "hidden"};

const char *acl_role_key(const struct acl_role *r)
{
    return r->key;
}

const char *acl_scope_name(enum acl_scope s)
{
    return SCOPE_NAMES[s];
}

bool acl_scope_parse(struct rp_str name, enum acl_scope *out)
{
    for (size_t i = 0; i < RP_NELEM(SCOPE_NAMES); i++)
        if (rp_str_eqc(name, SCOPE_NAMES[i])) {
            *out = (enum acl_scope)i;
            return true;
        }
    return false;
}

static int action_index(const char *name)
{
    for (int i = 0; i < ACL_NACTIONS; i++)
        if (strcmp(name, acl_action_names[i]) == 0)
            return i;
    return -1;
}

static int rule_index(const char *name)
{
    for (int i = 0; i < (int)RP_NELEM(RULE_NAMES); i++)
        if (name && strcmp(name, RULE_NAMES[i]) == 0)
            return i;
    return -1;
}

static struct entity_def *find(struct entity_def *const *ents, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ents[i]->name, name) == 0)
            return ents[i];
    return NULL;
}

/* The members of an object of objects: {"accounts": {…}, …}. */
static enum rp_err members(struct arena *a, const char *text, const char ***keys,
                           struct rp_str **values, size_t *n)
{
    *n = 0;
    if (!text)
        return RP_OK;
    return json_read_members(a, rp_str_c(text), META_MAX_ENTITIES, keys, values, n);
}

static void build_one(struct arena *a, struct entity_def *const *ents, size_t nents,
                      const struct acl_role_text *in, struct acl_role *out)
{
    out->key = in->key;
    out->admin = in->admin;
    out->grants = arena_calloc(a, nents ? nents : 1, sizeof(*out->grants));
    const char **keys, **acts, **vals;
    struct rp_str *raw;
    size_t n, m;
    if (!members(a, in->grants, &keys, &raw, &n))
        for (size_t i = 0; i < n; i++) {
            struct entity_def *e = find(ents, nents, keys[i]);
            if (!e || json_read_object(a, raw[i], ACL_NACTIONS * 2, &acts, &vals, &m))
                continue;
            for (size_t k = 0; k < m; k++) {
                int act = action_index(acts[k]);
                enum acl_scope sc;
                if (act >= 0 && vals[k] && acl_scope_parse(rp_str_c(vals[k]), &sc))
                    out->grants[e->index].scope[act] = (unsigned char)sc;
            }
        }
    if (!members(a, in->field_rules, &keys, &raw, &n))
        for (size_t i = 0; i < n; i++) {
            struct entity_def *e = find(ents, nents, keys[i]);
            if (!e || json_read_object(a, raw[i], RP_MAX_ENTITY_FIELDS, &acts, &vals, &m))
                continue;
            struct acl_grant *g = &out->grants[e->index];
            for (size_t k = 0; k < m; k++) {
                int f = meta_field_index(e, rp_str_c(acts[k]));
                int rule = rule_index(vals[k]);
                if (f < 0 || rule <= 0)
                    continue;
                if (!g->fields)
                    g->fields = arena_calloc(a, e->nfields, 1);
                g->fields[f] = (unsigned char)rule;
            }
        }
}

void acl__build_roles(struct arena *a, struct entity_def *const *ents, size_t nents,
                      const struct acl_role_text *in, size_t n, struct acl_role **out)
{
    struct acl_role *roles = arena_calloc(a, n ? n : 1, sizeof(*roles));
    for (size_t i = 0; i < n; i++)
        build_one(a, ents, nents, &in[i], &roles[i]);
    *out = roles;
}

/* Whether old (an object of objects) names entity, and field in it when field. */
static bool had(struct arena *a, const char *old, const char *entity, const char *field)
{
    const char **keys, **inner, **vals;
    struct rp_str *raw;
    size_t n, m;
    if (members(a, old, &keys, &raw, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i], entity) != 0)
            continue;
        if (!field)
            return true;
        if (json_read_object(a, raw[i], RP_MAX_ENTITY_FIELDS, &inner, &vals, &m))
            return false;
        for (size_t k = 0; k < m; k++)
            if (strcmp(inner[k], field) == 0)
                return true;
    }
    return false;
}

const char *acl_check_grants(struct arena *a, enum rp_lang lang, const char *grants,
                             const char *old)
{
    const char **keys, **acts, **vals;
    struct rp_str *raw;
    size_t n, m;
    if (members(a, grants, &keys, &raw, &n))
        return msg_tr(lang, "must be an object of entities, each an object of actions and scopes");
    for (size_t i = 0; i < n; i++) {
        if (!meta_entity(rp_str_c(keys[i])) && !had(a, old, keys[i], NULL))
            return arena_printf(a, msg_tr(lang, "names %s, which is not an entity"), keys[i]);
        if (json_read_object(a, raw[i], ACL_NACTIONS * 2, &acts, &vals, &m))
            return arena_printf(a, msg_tr(lang, "%s: must be an object of actions and scopes"),
                                keys[i]);
        for (size_t k = 0; k < m; k++) {
            enum acl_scope sc;
            if (action_index(acts[k]) < 0)
                return arena_printf(a,
                                    msg_tr(lang,
                                           "%s: %s is not an action (read, create, edit, delete,"
                                           " export, import)"),
                                    keys[i], acts[k]);
            if (!vals[k] || !acl_scope_parse(rp_str_c(vals[k]), &sc))
                return arena_printf(a,
                                    msg_tr(lang, "%s.%s: the scope must be none, own, team,"
                                                 " team_and_below or all"),
                                    keys[i], acts[k]);
        }
    }
    return NULL;
}

const char *acl_check_field_rules(struct arena *a, enum rp_lang lang, const char *rules,
                                  const char *old)
{
    const char **keys, **fields, **vals;
    struct rp_str *raw;
    size_t n, m;
    if (members(a, rules, &keys, &raw, &n))
        return msg_tr(lang, "must be an object of entities, each an object of fields and rules");
    for (size_t i = 0; i < n; i++) {
        const struct entity_def *e = meta_entity(rp_str_c(keys[i]));
        if (!e && !had(a, old, keys[i], NULL))
            return arena_printf(a, msg_tr(lang, "names %s, which is not an entity"), keys[i]);
        if (json_read_object(a, raw[i], RP_MAX_ENTITY_FIELDS, &fields, &vals, &m))
            return arena_printf(a, msg_tr(lang, "%s: must be an object of fields and rules"),
                                keys[i]);
        for (size_t k = 0; k < m; k++) {
            if ((!e || !meta_field(e, rp_str_c(fields[k]))) && !had(a, old, keys[i], fields[k]))
                return arena_printf(a, msg_tr(lang, "%s: %s is not one of its fields"), keys[i],
                                    fields[k]);
            if (rule_index(vals[k]) < 0)
                return arena_printf(
                    a, msg_tr(lang, "%s.%s: the rule must be open, readonly or hidden"), keys[i],
                    fields[k]);
        }
    }
    return NULL;
}

static const struct acl_role *role_of(const struct principal *who, const struct entity_def *e)
{
    return who ? meta_role(e, who->role) : NULL;
}

enum acl_scope acl_scope(const struct principal *who, const struct entity_def *e,
                         enum acl_action action)
{
    const struct acl_role *r = role_of(who, e);
    if (!r)
        return SCOPE_NONE; /* nobody: system work asks for its own context */
    if (r->admin)
        return SCOPE_ALL;
    return (enum acl_scope)r->grants[e->index].scope[action];
}

enum acl_field_rule acl_field(const struct principal *who, const struct entity_def *e, size_t i)
{
    const struct acl_role *r = role_of(who, e);
    if (!r)
        return ACL_FIELD_HIDDEN;
    const unsigned char *rules = r->admin ? NULL : r->grants[e->index].fields;
    return rules ? (enum acl_field_rule)rules[i] : ACL_FIELD_OPEN;
}

const unsigned char *acl_field_rules(const struct principal *who, const struct entity_def *e)
{
    const struct acl_role *r = role_of(who, e);
    return r && !r->admin ? r->grants[e->index].fields : NULL;
}

bool acl_role_admin(const char *key)
{
    const struct acl_role *r = meta_role(NULL, key);
    return r && r->admin;
}

bool acl_is_admin(const struct principal *who)
{
    const struct acl_role *r = role_of(who, NULL);
    return r && r->admin;
}

/* ids as a list that includes the caller. */
/* Where what the caller's scope loads lives (struct principal: mem). */
static struct arena *scope_mem(const struct rec_ctx *ctx)
{
    return ctx->who->mem ? ctx->who->mem : ctx->a;
}

static const char **with_self(struct rec_ctx *ctx, const char **ids, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(ids[i], ctx->who->user_id) == 0)
            return ids;
    const char **all = arena_alloc(scope_mem(ctx), (*n + 1) * sizeof(*all));
    if (*n)
        memcpy(all, ids, *n * sizeof(*all));
    all[(*n)++] = ctx->who->user_id;
    return all;
}

enum rp_err acl_peers(struct rec_ctx *ctx, bool below)
{
    struct principal *who = ctx->who;
    if (!who)
        return RP_OK;
    const char **ids;
    size_t n;
    enum rp_err err = RP_OK;
    const char *const *mine;
    acl_teams(ctx, &mine, &n); /* loaded with the rest, in the same memory */
    if (!who->peers_loaded) {
        err = store_team_peers(ctx->conn, who->team_ids, scope_mem(ctx), &ids, &n);
        if (err)
            return err;
        who->peers = with_self(ctx, ids, &n);
        who->npeers = n;
        who->peers_loaded = true;
    }
    if (below && !who->below_loaded) {
        const char *teams;
        err = store_teams_below(ctx->conn, who->team_ids, scope_mem(ctx), &teams);
        if (!err)
            err = store_team_peers(ctx->conn, teams, scope_mem(ctx), &ids, &n);
        if (err)
            return err;
        who->below_team_ids = teams;
        who->peers_below = with_self(ctx, ids, &n);
        who->npeers_below = n;
        who->below_loaded = true;
    }
    return RP_OK;
}

void acl_teams(struct rec_ctx *ctx, const char *const **teams, size_t *n)
{
    struct principal *who = ctx->who;
    if (!who->teams_loaded) {
        struct rp_str *items;
        size_t count = 0;
        if (json_read_list(scope_mem(ctx), rp_str_c(who->team_ids ? who->team_ids : "[]"), 1000,
                           &items, &count))
            count = 0;
        const char **ids = arena_calloc(scope_mem(ctx), count + 1, sizeof(*ids));
        for (size_t i = 0; i < count; i++)
            ids[i] = items[i].p;
        who->teams = ids;
        who->nteams = count;
        who->teams_loaded = true;
    }
    *teams = who->teams;
    *n = who->nteams;
}

static bool listed(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

bool acl_owner_in_scope(struct rec_ctx *ctx, enum acl_scope scope, const char *owner_id)
{
    switch (scope) {
    case SCOPE_ALL:
        return true;
    case SCOPE_NONE:
        return false;
    case SCOPE_OWN:
        return owner_id && strcmp(owner_id, ctx->who->user_id) == 0;
    case SCOPE_TEAM:
        RP_ASSERT(ctx->who->peers_loaded);
        return listed(ctx->who->peers, ctx->who->npeers, owner_id);
    case SCOPE_TEAM_BELOW:
        RP_ASSERT(ctx->who->below_loaded);
        return listed(ctx->who->peers_below, ctx->who->npeers_below, owner_id);
    }
    return false;
}
