/* Workflow rules (automation.h): the entities — a rule and its run log — and the checks
 * of a rule's definition: its trigger against the entity's fields, its conditions in
 * the list filter language, its actions and what each needs. What a rule does when it
 * fires is rules.c. */
#include "core/common.h"

#include <jansson.h>

#include "api/route.h"
#include "core/text.h"
#include "mod/automation/automation.h"

#define RO FF_READONLY

static const char *const TRIGGERS[] = {"created", "updated", "field_changed", "deleted",
                                       "restored", "date", "no_activity", NULL};
static const char *const TRIGGER_LABELS[] = {
    "Record created", "Record updated", "A field changed", "Record deleted",
    "Record restored", "Before or after a date", "No activity for a while", NULL};
static const char *const TRIGGER_LABELS_ZH[] = {"记录创建", "记录更新", "字段变更", "记录删除",
                                                "记录恢复", "日期之前或之后", "一段时间无活动",
                                                NULL};
static const char *const UNITS[] = {"minutes", "hours", "days", NULL};
static const char *const UNIT_LABELS[] = {"Minutes", "Hours", "Days", NULL};
static const char *const UNIT_LABELS_ZH[] = {"分钟", "小时", "天", NULL};
static const char *const DIRECTIONS[] = {"before", "after", NULL};
static const char *const DIRECTION_LABELS[] = {"Before", "After", NULL};
static const char *const DIRECTION_LABELS_ZH[] = {"之前", "之后", NULL};
static const struct meta_range OFFSET_RANGE = {0, 100000};

static const struct field_def WORKFLOW_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING, .maxlen = 100,
     .flags = FF_REQUIRED | FF_LIST | FF_SEARCH, .group = "overview"},
    {.name = "entity", .label = "Records", .label_zh = "记录类型", .type = FT_STRING,
     .maxlen = 64, .flags = FF_REQUIRED | FF_LIST | FF_INDEXED, .group = "overview",
     .help = "The records the rule watches, by their API name (opportunities)"},
    {.name = "active", .label = "Active", .label_zh = "启用", .type = FT_BOOL, .def = "true",
     .flags = FF_LIST, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "说明", .type = FT_TEXT,
     .group = "overview"},
    {.name = "trigger", .label = "When", .label_zh = "触发条件", .type = FT_ENUM,
     .enum_values = TRIGGERS, .enum_labels = TRIGGER_LABELS, .enum_labels_zh = TRIGGER_LABELS_ZH,
     .flags = FF_REQUIRED | FF_LIST, .group = "trigger"},
    {.name = "trigger_field", .label = "Field", .label_zh = "字段", .type = FT_STRING,
     .maxlen = 64, .group = "trigger",
     .help = "A field changed: the field; a date: the date field"},
    {.name = "trigger_value", .label = "Changed to", .label_zh = "变更为", .type = FT_STRING,
     .maxlen = 255, .group = "trigger",
     .help = "A field changed: only when it changes to this value (empty: any change)"},
    {.name = "offset_amount", .label = "How long", .label_zh = "时长", .type = FT_INT,
     .range = &OFFSET_RANGE, .group = "trigger"},
    {.name = "offset_unit", .label = "Unit", .label_zh = "单位", .type = FT_ENUM,
     .enum_values = UNITS, .enum_labels = UNIT_LABELS, .enum_labels_zh = UNIT_LABELS_ZH,
     .def = "days", .group = "trigger"},
    {.name = "offset_direction", .label = "Before or after", .label_zh = "之前或之后",
     .type = FT_ENUM, .enum_values = DIRECTIONS, .enum_labels = DIRECTION_LABELS,
     .enum_labels_zh = DIRECTION_LABELS_ZH, .def = "before", .group = "trigger"},
    {.name = "conditions", .label = "Only if", .label_zh = "仅当", .type = FT_TEXT,
     .maxlen = 4000, .group = "conditions",
     .help = "List filters (stage=negotiation&amount[gte]=10000); one group per line, any"
             " line may match"},
    {.name = "actions", .label = "Then", .label_zh = "执行动作", .type = FT_JSON,
     .flags = FF_REQUIRED, .group = "actions"},
    {.name = "runs", .label = "Runs", .label_zh = "运行次数", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "log"},
    {.name = "last_run_at", .label = "Last run", .label_zh = "最近运行", .type = FT_DATETIME,
     .flags = FF_LIST | RO, .group = "log"},
    /* Time-based rules: how far the sweep has looked (rules.c); round robin's next. */
    {.name = "swept_to", .label = "Checked up to", .label_zh = "已检查至",
     .type = FT_DATETIME, .flags = RO, .group = "log"},
    {.name = "rr_next", .label = "Next in turn", .label_zh = "轮到的下一位", .type = FT_INT,
     .flags = RO, .group = "log"},
};

const struct entity_def au__workflows = {
    .name = "workflows",
    .label = "Workflow rule",
    .label_plural = "Workflow rules",
    .label_zh = "工作流规则",
    .label_plural_zh = "工作流规则",
    .fields = WORKFLOW_FIELDS,
    .nfields = RP_NELEM(WORKFLOW_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM | EF_OWN_SCREEN,
};

static const char *const RUN_STATUS[] = {"done", "queued", "failed", "depth_limit", NULL};
static const char *const RUN_STATUS_LABELS[] = {"Done", "Queued", "Failed",
                                                "Stopped: too deep", NULL};
static const char *const RUN_STATUS_LABELS_ZH[] = {"完成", "排队中", "失败", "已停止：嵌套过深",
                                                   NULL};

static const struct field_def RUN_FIELDS[] = {
    {.name = "workflow_id", .label = "Rule", .label_zh = "规则", .type = FT_REF,
     .ref_entity = "workflows", .flags = FF_REQUIRED | FF_LIST | FF_INDEXED | RO,
     .group = "overview"},
    {.name = "entity", .label = "Records", .label_zh = "记录类型", .type = FT_STRING,
     .maxlen = 64, .flags = FF_LIST | RO, .group = "overview"},
    {.name = "record_id", .label = "Record", .label_zh = "记录", .type = FT_STRING,
     .maxlen = 36, .flags = FF_LIST | FF_INDEXED | RO, .group = "overview"},
    {.name = "trigger", .label = "Trigger", .label_zh = "触发", .type = FT_STRING,
     .maxlen = 40, .flags = FF_LIST | RO, .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = RUN_STATUS, .enum_labels = RUN_STATUS_LABELS,
     .enum_labels_zh = RUN_STATUS_LABELS_ZH, .flags = FF_LIST | RO, .group = "overview"},
    {.name = "depth", .label = "Depth", .label_zh = "嵌套层级", .type = FT_INT, .flags = RO,
     .group = "overview"},
    {.name = "detail", .label = "What it did", .label_zh = "执行情况", .type = FT_JSON,
     .flags = RO, .group = "overview"},
    /* A time-based firing's key (rule, record, due time): unique, so each fires once
     * whatever the number of servers. */
    {.name = "fire_key", .label = "Firing", .label_zh = "触发键", .type = FT_STRING,
     .maxlen = 200, .flags = FF_UNIQUE | RO, .group = "overview"},
};

const struct entity_def au__runs = {
    .name = "workflow_runs",
    .label = "Rule run",
    .label_plural = "Rule runs",
    .label_zh = "规则运行记录",
    .label_plural_zh = "规则运行记录",
    .fields = RUN_FIELDS,
    .nfields = RP_NELEM(RUN_FIELDS),
    .title_field = "record_id",
    .default_sort = "-created_at",
    .flags = EF_PLATFORM | EF_OWN_SCREEN | EF_LOG,
};

/* ---- checking a definition ---- */

bool au__own_entity(const struct entity_def *e)
{
    static const char *const OWN[] = {"webhooks", "webhook_deliveries", "workflows",
                                      "workflow_runs"};
    for (size_t i = 0; i < RP_NELEM(OWN); i++)
        if (strcmp(e->name, OWN[i]) == 0)
            return true;
    return false;
}

static bool is_date(const struct field_def *f)
{
    return f->type == FT_DATE || f->type == FT_DATETIME;
}

/* A field of e that an action may set: an entity field a client may write. */
static bool settable(const struct entity_def *e, const char *name)
{
    const struct field_def *f = meta_field(e, rp_str_c(name));
    return f && !(f->flags & FF_READONLY) && f->type != FT_PASSWORD;
}

static const char *const ACTIONS[] = {"set_fields", "assign", "create_task", "send_email",
                                      "notify", "webhook", "create_record"};

/* Checks action k of a rule on e; field errors name "actions". */
static void check_action(struct rec_ctx *ctx, const struct entity_def *e, size_t k, json_t *a)
{
    const char *type = json_string_value(json_object_get(a, "type"));
    size_t t = 0;
    while (type && t < RP_NELEM(ACTIONS) && strcmp(type, ACTIONS[t]) != 0)
        t++;
    if (!json_is_object(a) || !type || t == RP_NELEM(ACTIONS)) {
        rec_field_error(ctx, "actions",
                        "action %zu: type must be set_fields, assign, create_task, send_email,"
                        " notify, webhook or create_record",
                        k + 1);
        return;
    }
    json_t *v;
    const char *key;
    switch (t) {
    case 0: /* set_fields */
        v = json_object_get(a, "values");
        if (!json_is_object(v) || json_object_size(v) == 0)
            rec_field_error(ctx, "actions", "action %zu: set_fields needs values: {field: value}",
                            k + 1);
        json_object_foreach(v, key, a)
        {
            if (!settable(e, key))
                rec_field_error(ctx, "actions", "action %zu: %s is not a field a rule may set",
                                k + 1, key);
        }
        break;
    case 1: /* assign */
        if (!json_is_string(json_object_get(a, "user_id")) &&
            !json_is_string(json_object_get(a, "team_id")))
            rec_field_error(ctx, "actions", "action %zu: assign needs a user_id or a team_id",
                            k + 1);
        key = json_string_value(json_object_get(a, "mode"));
        if (key && strcmp(key, "round_robin") != 0 && strcmp(key, "least_loaded") != 0)
            rec_field_error(ctx, "actions", "action %zu: mode must be round_robin or least_loaded",
                            k + 1);
        break;
    case 2: /* create_task */
        if (!json_is_string(json_object_get(a, "subject")))
            rec_field_error(ctx, "actions", "action %zu: create_task needs a subject", k + 1);
        key = json_string_value(json_object_get(a, "due_field"));
        if (key && (!meta_field(e, rp_str_c(key)) || !is_date(meta_field(e, rp_str_c(key)))))
            rec_field_error(ctx, "actions", "action %zu: due_field must be a date field", k + 1);
        break;
    case 3: /* send_email */
        if (!json_is_string(json_object_get(a, "template_id")))
            rec_field_error(ctx, "actions", "action %zu: send_email needs a template_id", k + 1);
        key = json_string_value(json_object_get(a, "to"));
        if (key && strcmp(key, "record") != 0 && strcmp(key, "owner") != 0)
            rec_field_error(ctx, "actions", "action %zu: to must be record or owner", k + 1);
        break;
    case 4: /* notify */
        if (!json_is_string(json_object_get(a, "message")))
            rec_field_error(ctx, "actions", "action %zu: notify needs a message", k + 1);
        break;
    case 5: /* webhook */
        if (!json_is_string(json_object_get(a, "url")))
            rec_field_error(ctx, "actions", "action %zu: webhook needs a url", k + 1);
        break;
    default: { /* create_record */
        const char *name = json_string_value(json_object_get(a, "entity"));
        const struct entity_def *te = name ? meta_entity(rp_str_c(name)) : NULL;
        if (!te || au__own_entity(te)) {
            rec_field_error(ctx, "actions", "action %zu: create_record needs an entity", k + 1);
            break;
        }
        key = json_string_value(json_object_get(a, "link_field"));
        if (key && !settable(te, key))
            rec_field_error(ctx, "actions", "action %zu: %s is not a field of %s", k + 1, key, name);
        v = json_object_get(a, "values");
        if (v && !json_is_object(v))
            rec_field_error(ctx, "actions", "action %zu: values must be an object", k + 1);
        json_object_foreach(v, key, a)
        {
            if (!settable(te, key))
                rec_field_error(ctx, "actions", "action %zu: %s is not a field of %s", k + 1, key,
                                name);
        }
    }
    }
}

enum rp_err au__validate_workflow(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const char *name = rec_text(ctx->a, r, "entity");
    const struct entity_def *e = name ? meta_entity(rp_str_c(name)) : NULL;
    if (!e || au__own_entity(e)) {
        rec_field_error(ctx, "entity", "is not a kind of record (give its API name: contacts)");
        return RP_OK;
    }
    const char *field = rec_text(ctx->a, r, "trigger_field");
    const struct field_def *f = field ? meta_field(e, rp_str_c(field)) : NULL;
    bool timed = rec_is(r, "trigger", "date") || rec_is(r, "trigger", "no_activity");
    bool owner = field && strcmp(field, "owner_id") == 0;
    if (rec_is(r, "trigger", "field_changed") && !owner && (!f || f->type == FT_PASSWORD))
        rec_field_error(ctx, "trigger_field", "must be a field of %s", rec_labels(ctx, e));
    if (rec_is(r, "trigger", "date") && (!f || !is_date(f)))
        rec_field_error(ctx, "trigger_field", "must be a date field of %s", rec_labels(ctx, e));
    if (timed && rec_field(r, "offset_amount")->null)
        rec_field_error(ctx, "offset_amount", "is needed for a time-based rule");
    if (rec_is(r, "trigger", "no_activity") && rec_field(r, "offset_amount")->i < 1)
        rec_field_error(ctx, "offset_amount", "must be at least 1 for no activity");
    /* The conditions: each line parsed as a list's filters. */
    const char *cond = rec_text(ctx->a, r, "conditions");
    struct au_group *groups;
    size_t ngroups = 0;
    if (cond) {
        enum rp_err err = au__conditions_parse(ctx, e, cond, &groups, &ngroups);
        if (err && err != RP_EINVAL)
            return err;
    }
    const char *actions = rec_text(ctx->a, r, "actions");
    json_t *list = actions ? json_loads(actions, 0, NULL) : NULL;
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > AU_MAX_ACTIONS)
        rec_field_error(ctx, "actions", "must be a list of 1 to %u actions", AU_MAX_ACTIONS);
    for (size_t k = 0; json_is_array(list) && k < json_array_size(list) && k < AU_MAX_ACTIONS; k++)
        check_action(ctx, e, k, json_array_get(list, k));
    json_decref(list);
    return RP_OK;
}

enum rp_err au__before_save_workflow(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    /* A time-based rule looks at what falls due from now on, not at the past. */
    bool timed = rec_is(r, "trigger", "date") || rec_is(r, "trigger", "no_activity");
    if (timed && (!old || rec_changed(r, old, "trigger") || rec_changed(r, old, "active") ||
                  rec_changed(r, old, "trigger_field")))
        rec_set_text(r, "swept_to", rec_datetime(ctx->a, text_now_ms()));
    return RP_OK;
}
