/* The platform module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/platform/platform.h"

static const struct entity_def *const ENTITIES[] = {&entity_users, &entity_teams};

static const struct rp_hooks HOOKS[] = {
    {.entity = "users", .validate = platform__validate_user, .after_save = platform__user_saved},
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
    .bootstrap = platform__bootstrap,
};
