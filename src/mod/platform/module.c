/* The platform module's descriptor. */
#include "core/common.h"

#include "mod/platform/platform.h"

static const struct entity_def *const ENTITIES[] = {&entity_users, &entity_teams};

static const struct rp_hooks HOOKS[] = {
    {.entity = "users", .validate = platform__validate_user, .after_save = platform__user_saved},
};

const struct rp_module mod_platform = {
    .name = "platform",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .bootstrap = platform__bootstrap,
};
