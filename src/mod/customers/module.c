/* The customers module's descriptor. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const struct entity_def *const ENTITIES[] = {&entity_accounts, &entity_contacts};

const struct rp_module mod_customers = {
    .name = "customers",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .exporters = &customers__vcard,
    .nexporters = 1,
};
