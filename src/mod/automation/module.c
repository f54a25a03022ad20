/* The automation module's descriptor (automation.h). */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "mod/automation/automation.h"

/* Delivered and failed deliveries are kept this long in the log. */
#define KEEP_DAYS 30

static const struct entity_def *const ENTITIES[] = {&au__webhooks, &au__deliveries,
                                                    &au__workflows, &au__runs};

static const struct rp_hooks HOOKS[] = {
    {.entity = "webhooks", .validate = au__validate_webhook,
     .before_save = au__before_save_webhook},
    {.entity = "workflows", .validate = au__validate_workflow,
     .before_save = au__before_save_workflow},
    /* Every entity's changes, after the other modules' hooks made them whole. */
    {.entity = RP_HOOK_ANY, .after_save = au__any_saved, .before_delete = au__any_deleted,
     .before_restore = au__any_restored},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/automation/settings", .fn = au__get_settings,
     .summary = "The automation settings: the allow-list of private addresses and retries"
                " (administrators)",
     .op_id = "automation_settings_get", .ok = 200, .answer = API_JSON},
    {.method = "PATCH", .path = "/api/v1/automation/settings", .fn = au__patch_settings,
     .summary = "Change the automation settings (administrators)",
     .op_id = "automation_settings_update", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/webhooks/{id}/test", .fn = au__post_test,
     .summary = "Post a signed test event to a webhook now and log the answer",
     .op_id = "webhook_test", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/webhooks/{id}/resume", .fn = au__post_resume,
     .summary = "Resume a paused webhook: its pending deliveries go again",
     .op_id = "webhook_resume", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/webhooks/{id}/rotate-secret", .fn = au__post_rotate,
     .summary = "Give a webhook a new signing secret (the old one stops at once)",
     .op_id = "webhook_rotate_secret", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/workflows/{id}/try", .fn = au__post_try,
     .summary = "Try a workflow rule on a record: what it would do, nothing saved",
     .op_id = "workflow_try", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/webhook_deliveries/{id}/redeliver",
     .fn = au__post_redeliver, .summary = "Deliver a failed delivery again, before later ones",
     .op_id = "webhook_redeliver", .ok = 200, .answer = API_JSON},
};

/* POST /jobs {"kind": "workflows.timed"}: the time-based rules' sweep now. */
static enum rp_err timed_check(struct rec_ctx *ctx, struct rp_str payload)
{
    return payload.len ? rec_bad_request(ctx, "workflows.timed takes no payload") : RP_OK;
}

static enum rp_err timed_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                             const char **result)
{
    (void)payload;
    (void)stop;
    *result = "{\"swept\":true}";
    return au__timed(ctx);
}

static const struct rp_job_kind JOBS[] = {
    {.name = "webhooks.deliver", .run = au__deliver_run},
    {.name = "workflows.act", .run = au__act_run},
    {.name = "workflows.timed", .check = timed_check, .run = timed_run},
};

static enum rp_err prune(struct rec_ctx *ctx)
{
    int64_t n = 0;
    return au__sql_prune(ctx, text_now_ms() - (int64_t)KEEP_DAYS * 86400000, &n);
}

static const struct rp_schedule SCHEDULES[] = {
    /* Subscriptions whose job was lost (a server stopped) or whose retry is due. */
    {.name = "webhooks.sweep", .every_s = 60, .run = au__sweep},
    {.name = "webhooks.prune", .every_s = 0, .at_minute = 3 * 60 + 20, .run = prune},
    /* Time-based workflow rules: what fell due since the last sweep. */
    {.name = "workflows.timed", .every_s = 60, .run = au__timed},
};

/* Webhooks and workflow rules are the administrators' alone (EF_PLATFORM): every other role gets none. */
static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "none none none none none none"},
    {.role = "sales", .scopes = "none none none none none none"},
    {.role = "support", .scopes = "none none none none none none"},
    {.role = "marketing", .scopes = "none none none none none none"},
    {.role = "partner", .scopes = "none none none none none none"},
    {.role = "readonly", .scopes = "none none none none none none"},
};

enum rp_err au__admins(struct rec_ctx *ctx, const char ***ids, size_t *n)
{
    const struct entity_def *ue = meta_need("users");
    const struct rec_param p[] = {{RP_STR("role"), RP_STR("admin")},
                                  {RP_STR("active"), RP_STR("true")},
                                  {RP_STR("limit"), RP_STR("50")}};
    struct rec_query *q;
    struct rec_page page = {0};
    const char *saved = rec_system_begin(ctx, "webhook alerts");
    enum rp_err err = rec_query_parse(ctx, ue, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, ue, q, &page);
    rec_system_end(ctx, saved);
    *n = 0;
    *ids = arena_calloc(ctx->a, page.nrows + 1, sizeof(**ids));
    for (size_t i = 0; !err && i < page.nrows; i++)
        (*ids)[(*n)++] = page.rows[i].id;
    return err;
}

const struct rp_module mod_automation = {
    .name = "automation",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .jobs = JOBS,
    .njobs = RP_NELEM(JOBS),
    .schedules = SCHEDULES,
    .nschedules = RP_NELEM(SCHEDULES),
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .messages = &au__messages,
};
