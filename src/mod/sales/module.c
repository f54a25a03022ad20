/* The sales module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/sales/sales.h"

static const struct entity_def *const ENTITIES[] = {&sales__pipeline_stages, &sales__leads,
                                                    &sales__opportunities};

static const struct rp_hooks HOOKS[] = {
    {.entity = "leads", .validate = sales__validate_lead},
    {.entity = "opportunities", .validate = sales__validate_opportunity,
     .after_save = sales__tiers_touched},
    {.entity = "pipeline_stages", .validate = sales__validate_stage,
     .before_delete = sales__stage_deletable},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/pipeline", .fn = sales__get_pipeline,
     .summary = "Pipeline by stage", .op_id = "pipeline", .ok = 200, .answer = API_JSON,
     .flags = API_READ_REPLICA},
    {.method = "GET", .path = "/api/v1/forecast", .fn = sales__get_forecast,
     .summary = "Expected revenue by month", .op_id = "forecast", .ok = 200, .answer = API_JSON,
     .flags = API_READ_REPLICA},
    {.method = "POST", .path = "/api/v1/leads/{id}/convert", .fn = sales__post_convert,
     .summary = "Convert a lead", .op_id = "convert_lead", .ok = 200, .body = API_JSON,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/opportunities/{id}/stages", .fn = sales__get_stages,
     .summary = "Stage history of an opportunity", .op_id = "opportunity_stages", .ok = 200,
     .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/accounts/retier", .fn = sales__post_retier,
     .summary = "Recompute revenue tiers", .op_id = "retier_accounts", .ok = 200,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/accounts/{id}/summary", .fn = sales__get_summary,
     .summary = "Figures of the customer card", .op_id = "account_summary", .ok = 200,
     .answer = API_JSON},
};

static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "team team team team team team"},
    {.role = "sales", .scopes = "team own own own own own"},
    {.role = "support", .scopes = "all own own none none none"},
    {.role = "marketing", .scopes = "all own own own all own"},
    {.role = "partner", .scopes = "own own own none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
    /* The stages every deal uses: read by all but partners, changed by admins. */
    {.role = "manager", .entity = "pipeline_stages", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "pipeline_stages", .scopes = "all none none none none none"},
    {.role = "support", .entity = "pipeline_stages", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "pipeline_stages", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "pipeline_stages", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "pipeline_stages", .scopes = "none none none none none none"},
};

static const struct rp_job_kind JOBS[] = {
    {.name = "accounts.retier", .check = sales__retier_check, .run = sales__retier_run},
};

static const struct rp_schedule SCHEDULES[] = {
    /* Daily, as the window slides; a won deal's change makes it due at once. */
    {.name = "accounts.retier", .every_s = 86400, .run = sales__retier_due},
};

const struct rp_module mod_sales = {
    .name = "sales",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .jobs = JOBS,
    .njobs = RP_NELEM(JOBS),
    .schedules = SCHEDULES,
    .nschedules = RP_NELEM(SCHEDULES),
    .bootstrap = sales__bootstrap,
    .demo = sales__demo,
    .messages = &sales__messages,
};
