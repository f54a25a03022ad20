#include "core/common.h"

#include "engine/acl.h"
#include "store/platform.h"

static const char *const ROLE_NAMES[] = {"admin",     "manager", "sales",   "support",
                                         "marketing", "partner", "readonly"};

bool acl_role_parse(const char *name, enum acl_role *out)
{
    for (size_t i = 0; i < RP_NELEM(ROLE_NAMES); i++) {
        if (name && strcmp(name, ROLE_NAMES[i]) == 0) {
            *out = (enum acl_role)i;
            return true;
        }
    }
    return false;
}

const char *acl_role_name(enum acl_role r)
{
    return ROLE_NAMES[r];
}

#define N SCOPE_NONE
#define O SCOPE_OWN
#define T SCOPE_TEAM
#define A SCOPE_ALL

/* Scopes on CRM records, by role: read, create, edit, delete, export. */
static const enum acl_scope RECORD_SCOPES[][5] = {
    [ROLE_ADMIN] = {A, A, A, A, A},
    [ROLE_MANAGER] = {T, T, T, T, T},
    [ROLE_SALES] = {T, O, O, O, O},
    [ROLE_SUPPORT] = {A, O, O, N, N},
    [ROLE_MARKETING] = {A, O, O, O, A},
    [ROLE_PARTNER] = {O, O, O, N, N},
    [ROLE_READONLY] = {A, N, N, N, N},
};

/* Scopes on platform entities (users, teams): only admins change them; everyone but
 * partners can read the directory (owner pickers, calendars of colleagues). */
static const enum acl_scope PLATFORM_SCOPES[][5] = {
    [ROLE_ADMIN] = {A, A, A, A, A},
    [ROLE_MANAGER] = {A, N, N, N, N},
    [ROLE_SALES] = {A, N, N, N, N},
    [ROLE_SUPPORT] = {A, N, N, N, N},
    [ROLE_MARKETING] = {A, N, N, N, N},
    [ROLE_PARTNER] = {N, N, N, N, N},
    [ROLE_READONLY] = {A, N, N, N, N},
};

/* Import is a permission of its own; every imported row is also checked against the
 * role's create scope by the engine. */
static const enum acl_scope IMPORT_SCOPES[] = {
    [ROLE_ADMIN] = A,    [ROLE_MANAGER] = T, [ROLE_SALES] = O,    [ROLE_SUPPORT] = N,
    [ROLE_MARKETING] = O, [ROLE_PARTNER] = N, [ROLE_READONLY] = N,
};

#undef N
#undef O
#undef T
#undef A

enum acl_scope acl_scope(const struct principal *who, const struct entity_def *e,
                         enum acl_action action)
{
    if (!who)
        return SCOPE_NONE; /* nobody: system work asks for its own context */
    if (action == ACL_IMPORT)
        return e->flags & EF_PLATFORM ? SCOPE_NONE : IMPORT_SCOPES[who->role];
    if (e->flags & EF_PLATFORM)
        return PLATFORM_SCOPES[who->role][action];
    return RECORD_SCOPES[who->role][action];
}

enum rp_err acl_peers(struct rec_ctx *ctx)
{
    struct principal *who = ctx->who;
    if (!who || who->peers_loaded)
        return RP_OK;
    const char **ids;
    size_t n;
    enum rp_err err = store_team_peers(ctx->conn, who->team_ids, ctx->a, &ids, &n);
    if (err)
        return err;
    bool self = false;
    for (size_t i = 0; i < n; i++)
        self = self || strcmp(ids[i], who->user_id) == 0;
    if (!self) {
        const char **all = arena_alloc(ctx->a, (n + 1) * sizeof(*all));
        if (n)
            memcpy(all, ids, n * sizeof(*all));
        all[n++] = who->user_id;
        ids = all;
    }
    who->peers = ids;
    who->npeers = n;
    who->peers_loaded = true;
    return RP_OK;
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
        if (!owner_id)
            return false;
        for (size_t i = 0; i < ctx->who->npeers; i++)
            if (strcmp(ctx->who->peers[i], owner_id) == 0)
                return true;
        return false;
    }
    return false;
}
