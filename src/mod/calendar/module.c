/* The calendar module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/calendar/itip.h"

static const struct entity_def *const ENTITIES[] = {&calendar__activities};

static const struct rp_hooks HOOKS[] = {
    {.entity = "activities", .validate = calendar__validate_activity,
     .before_save = calendar__derive_account, .before_restore = calendar__validate_restored},
    /* Recurring activities (series.c). */
    {.entity = "activities", .before_save = calendar__derive_series,
     .after_save = calendar__series_saved, .before_delete = calendar__series_deleted},
    /* Meeting invitations by e-mail, and the answers received (itip.c). */
    {.entity = "activities", .before_save = calendar__itip_before_save,
     .after_save = calendar__itip_saved, .before_delete = calendar__itip_deleted},
    {.entity = "emails", .after_save = calendar__itip_answer},
    /* An activity belongs to the account of what it is about: it follows it. */
    {.entity = "contacts", .after_save = calendar__follow_account},
    {.entity = "opportunities", .after_save = calendar__follow_account},
    {.entity = "leads", .after_save = calendar__follow_account},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/calendar", .fn = calendar__get_range,
     .summary = "Activities of users in a range", .op_id = "calendar", .ok = 200,
     .answer = API_JSON, .flags = API_READ_REPLICA},
    {.method = "GET", .path = "/api/v1/calendar.ics", .fn = calendar__get_feed,
     .summary = "My activities as iCalendar (?token=)", .op_id = "calendar_feed", .ok = 200,
     .answer = API_FILE, .flags = API_PUBLIC},
    {.method = "GET", .path = "/api/v1/activities/{id}/occurrences/{start}",
     .fn = calendar__get_occurrence, .summary = "One occurrence of a repeating activity",
     .op_id = "get_occurrence", .ok = 200, .answer = API_JSON},
    {.method = "PATCH", .path = "/api/v1/activities/{id}/occurrences/{start}",
     .fn = calendar__patch_occurrence,
     .summary = "Change an occurrence, it and the following, or all (?scope=)",
     .op_id = "update_occurrence", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "DELETE", .path = "/api/v1/activities/{id}/occurrences/{start}",
     .fn = calendar__delete_occurrence,
     .summary = "Delete an occurrence, it and the following, or all (?scope=)",
     .op_id = "delete_occurrence", .ok = 204},
};

static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "team team team team team team"},
    {.role = "sales", .scopes = "team own own own own own"},
    {.role = "support", .scopes = "all own own none none none"},
    {.role = "marketing", .scopes = "all own own own all own"},
    {.role = "partner", .scopes = "own own own none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
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
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .bootstrap = calendar__bootstrap,
    .demo = calendar__demo,
    .messages = &calendar__messages,
};
