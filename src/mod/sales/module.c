/* The sales module's descriptor. */
#include "core/common.h"

#include "mod/sales/sales.h"

static const struct entity_def *const ENTITIES[] = {&entity_pipeline_stages, &entity_leads,
                                                    &entity_opportunities};

static const struct rp_hooks HOOKS[] = {
    {.entity = "leads", .validate = sales__validate_lead},
    {.entity = "opportunities", .validate = sales__validate_opportunity,
     .after_save = sales__tiers_touched},
    {.entity = "pipeline_stages", .validate = sales__validate_stage,
     .before_delete = sales__stage_deletable},
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
    .jobs = JOBS,
    .njobs = RP_NELEM(JOBS),
    .schedules = SCHEDULES,
    .nschedules = RP_NELEM(SCHEDULES),
    .bootstrap = sales__bootstrap,
};
