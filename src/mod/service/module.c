/* The service module's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/service/reports.h"
#include "mod/service/service.h"

static const struct entity_def *const ENTITIES[] = {
    &service__business_calendars, &service__sla_policies, &service__case_queues,
    &service__cases, &service__service_agreements};

static const struct rp_hooks HOOKS[] = {
    {.entity = "cases", .validate = service__validate_case,
     .before_save = service__before_save_case, .after_save = service__after_save_case},
    {.entity = "business_calendars", .validate = service__validate_calendar},
    {.entity = "sla_policies", .validate = service__validate_policy},
    {.entity = "cases", .validate = service__validate_case_agreement},
    {.entity = "service_agreements", .validate = service__validate_agreement,
     .before_save = service__before_save_agreement, .after_save = service__after_save_agreement},
    {.entity = "emails", .before_save = service__before_save_email},
};

#define REPORT(name, what)                                                                  \
    {.method = "GET", .path = "/api/v1/cases/reports/" #name,                               \
     .fn = service__get_##name##_report, .summary = what, .op_id = "case_report_" #name,     \
     .ok = 200, .answer = API_JSON, .flags = API_READ_REPLICA}

static const struct api_route ROUTES[] = {
    /* Reports first: /cases/{id}/sla would take /cases/reports/sla. */
    REPORT(age, "Open cases by age and priority"),
    REPORT(sla, "SLA compliance by queue, agent or month"),
    REPORT(times, "First-response and resolution times"),
    REPORT(breakdown, "Cases by product, type and channel"),
    REPORT(backlog, "Cases opened, resolved and open per day or week"),
    {.method = "GET", .path = "/api/v1/cases/{id}/sla", .fn = service__get_sla,
     .summary = "SLA clocks of a case", .op_id = "case_sla", .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/cases/worklist", .fn = service__get_worklist,
     .summary = "My open cases, or a queue's, the most urgent first", .op_id = "case_worklist",
     .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/service_agreements/check",
     .fn = service__get_agreement_check,
     .summary = "The service agreement that applies to a new case of an account, its"
                " entitlement left, and a warning when there is none, or it expired or ran out",
     .op_id = "service_agreement_check", .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/service_agreements/{id}/usage",
     .fn = service__get_agreement_usage,
     .summary = "The entitlement a service agreement's cases used and have left",
     .op_id = "service_agreement_usage", .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/cases/{id}/articles", .fn = service__get_case_articles,
     .summary = "Knowledge articles a case links (those you may read)",
     .op_id = "case_articles", .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/kb_articles/{id}/cases", .fn = service__get_article_cases,
     .summary = "Cases that link a knowledge article (those you may read)",
     .op_id = "kb_article_cases", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/cases/{id}/article", .fn = service__post_case_article,
     .summary = "A draft knowledge article from a resolved case, linked to it",
     .op_id = "case_article", .ok = 201, .answer = API_JSON},
};

static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "all all all team team team"},
    {.role = "support", .scopes = "all all all all all all"},
    /* Sales reps read the cases of their customers: each case is shared with its
     * account's owner (cases.c). */
    {.role = "sales", .scopes = "own none none none none none"},
    {.role = "marketing", .scopes = "none none none none none none"},
    {.role = "partner", .scopes = "none none none none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
    /* Queues, policies and calendars: read by the service desk, kept by admins and
     * (queues) by support. */
    {.role = "support", .entity = "case_queues", .scopes = "all all all none none none"},
    {.role = "manager", .entity = "case_queues", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "case_queues", .scopes = "all none none none none none"},
    {.role = "support", .entity = "sla_policies", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "sla_policies", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "sla_policies", .scopes = "all none none none none none"},
    {.role = "support", .entity = "business_calendars", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "business_calendars", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "business_calendars", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "case_queues", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "sla_policies", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "business_calendars", .scopes = "all none none none none none"},
    /* Agreements: kept by support, read and amended by managers; sales reps read their
     * accounts' ones as they do cases (each is shared with its account's owner). */
    {.role = "manager", .entity = "service_agreements", .scopes = "all none all none team none"},
};

static const struct rp_job_kind JOBS[] = {
    {.name = "cases.escalate", .check = service__escalate_check, .run = service__escalate_run},
    {.name = "service_agreements.renew", .check = service__agreements_check,
     .run = service__agreements_run},
};

static const struct rp_schedule SCHEDULES[] = {
    {.name = "cases.escalate", .every_s = 60, .run = service__escalate_due},
    {.name = "service_agreements.renew", .every_s = 3600, .run = service__agreements_due},
};

const struct rp_module mod_service = {
    .name = "service",
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
    .bootstrap = service__bootstrap,
    .demo = service__demo,
    .messages = &service__messages,
};
