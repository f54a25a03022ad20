/* The calendar module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/calendar/calendar.h"

static const struct entity_def *const ENTITIES[] = {&entity_activities};

static const struct rp_hooks HOOKS[] = {
    {.entity = "activities", .validate = calendar__validate_activity,
     .before_restore = calendar__validate_restored},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/calendar", .fn = calendar__get_range,
     .summary = "Activities of users in a range", .op_id = "calendar", .ok = 200,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/calendar.ics", .fn = calendar__get_feed,
     .summary = "My activities as iCalendar (?token=)", .op_id = "calendar_feed", .ok = 200,
     .answer = API_FILE, .flags = API_PUBLIC},
};

const struct rp_module mod_calendar = {
    .name = "calendar",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .exporters = &calendar__ical,
    .nexporters = 1,
};
