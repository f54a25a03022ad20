/* The platform module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/platform/platform.h"

static const struct entity_def *const ENTITIES[] = {&platform__users, &platform__teams,
                                                    &platform__roles};

static const struct rp_hooks HOOKS[] = {
    {.entity = "users", .validate = platform__validate_user, .after_save = platform__user_saved},
    {.entity = "roles",
     .validate = platform__validate_role,
     .after_save = platform__role_saved,
     .before_delete = platform__role_deletable,
     .before_restore = platform__role_restored},
};

/* The directory (users, teams, roles): read by everyone but partners, changed by
 * administrators. */
static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "all none none none none none"},
    {.role = "sales", .scopes = "all none none none none none"},
    {.role = "support", .scopes = "all none none none none none"},
    {.role = "marketing", .scopes = "all none none none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
};

static const struct api_route ROUTES[] = {
    {.method = "PATCH", .path = "/api/v1/auth/me", .fn = platform__patch_me,
     .summary = "Change my display name, e-mail, language or password", .op_id = "update_me",
     .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/users/{id}/transfer", .fn = platform__post_transfer,
     .summary = "Transfer a user's records", .op_id = "transfer_user", .ok = 200,
     .body = API_JSON, .answer = API_JSON},
};

const struct rp_module mod_platform = {
    .name = "platform",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .entity_added = platform__entity_added,
    .roles = platform__load_roles,
    .bootstrap = platform__bootstrap,
    .demo = platform__demo,
    .messages = &platform__messages,
};
