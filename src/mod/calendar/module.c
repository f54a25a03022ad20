/* The calendar module's descriptor. */
#include "core/common.h"

#include "mod/calendar/calendar.h"

static const struct entity_def *const ENTITIES[] = {&entity_activities};

static const struct rp_hooks HOOKS[] = {
    {.entity = "activities", .validate = calendar__validate_activity,
     .before_restore = calendar__validate_restored},
};

const struct rp_module mod_calendar = {
    .name = "calendar",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .exporters = &calendar__ical,
    .nexporters = 1,
};
