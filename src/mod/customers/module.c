/* The customers module's descriptor. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const struct entity_def *const ENTITIES[] = {&customers__accounts, &customers__contacts};

static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "team team team team team team"},
    {.role = "sales", .scopes = "team own own own own own"},
    {.role = "support", .scopes = "all own own none none none"},
    {.role = "marketing", .scopes = "all own own own all own"},
    {.role = "partner", .scopes = "own own own none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
};

const struct rp_module mod_customers = {
    .name = "customers",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .exporters = &customers__vcard,
    .nexporters = 1,
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .demo = customers__demo,
    .messages = &customers__messages,
};
