/* Cases: a customer's question or problem, numbered CS-000123 per workspace, moving
 * through a documented state machine (docs/api.md, "Cases"), assigned to a queue and
 * an agent, and timed by its SLA policy. */
#include "core/common.h"

#include "core/text.h"
#include "engine/share.h"
#include "mod/service/reports.h"
#include "mod/service/service.h"

static const char *const TYPES[] = {"question", "problem", "incident", "request", NULL};
static const char *const TYPES_LABELS[] = {"Question", "Problem", "Incident", "Request", NULL};
static const char *const TYPES_LABELS_ZH[] = {"咨询", "问题", "故障", "请求", NULL};
static const char *const PRIORITIES[] = {"p1", "p2", "p3", "p4", NULL};
static const char *const PRIORITIES_LABELS[] = {"P1 – critical", "P2 – high", "P3 – normal",
    "P4 – low", NULL};
static const char *const PRIORITIES_LABELS_ZH[] = {"P1 – 紧急", "P2 – 高", "P3 – 普通", "P4 – 低",
    NULL};
static const char *const STATUS[] = {"new", "assigned", "in_progress", "waiting_on_customer",
    "waiting_on_third_party", "resolved", "closed", "reopened", NULL};
static const char *const STATUS_LABELS[] = {"New", "Assigned", "In progress",
    "Waiting on customer", "Waiting on third party", "Resolved", "Closed", "Reopened", NULL};
static const char *const STATUS_LABELS_ZH[] = {"新建", "已分派", "处理中", "等待客户", "等待第三方",
    "已解决", "已关闭", "已重新打开", NULL};
static const char *const CHANNELS[] = {"phone", "email", "web", "portal", "chat", NULL};
static const char *const CHANNELS_LABELS[] = {"Phone", "E-mail", "Web", "Portal", "Chat", NULL};
static const char *const CHANNELS_LABELS_ZH[] = {"电话", "邮件", "网站", "门户", "在线聊天", NULL};

const char *const service__languages[] = {"en", "zh-CN", NULL};
const char *const service__languages_labels[] = {"English", "Chinese (Simplified)", NULL};
const char *const service__languages_labels_zh[] = {"英文", "简体中文", NULL};

static const struct meta_range SATISFACTION = {1, 5};
static const struct meta_range LEVEL = {0, 2};
static const struct meta_range TIME_SPENT = {0, SVC_MAX_TARGET_MIN};

static const struct field_def FIELDS[] = {
    {.name = "number", .label = "Number", .label_zh = "编号", .type = FT_STRING,
     .flags = FF_READONLY | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 20,
     .group = "overview"},
    {.name = "subject", .label = "Subject", .label_zh = "主题", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 255, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST | FF_TIMELINE, .ref_entity = "accounts", .group = "overview"},
    {.name = "contact_id", .label = "Contact", .label_zh = "联系人", .type = FT_REF,
     .flags = FF_INDEXED | FF_TIMELINE, .ref_entity = "contacts", .group = "overview"},
    {.name = "type", .label = "Type", .label_zh = "类型", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED, .enum_values = TYPES, .enum_labels = TYPES_LABELS,
     .enum_labels_zh = TYPES_LABELS_ZH, .group = "overview", .def = "question"},
    {.name = "priority", .label = "Priority", .label_zh = "优先级", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = PRIORITIES,
     .enum_labels = PRIORITIES_LABELS, .enum_labels_zh = PRIORITIES_LABELS_ZH,
     .group = "overview", .def = "p3"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = STATUS,
     .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH, .group = "overview",
     .def = "new"},
    {.name = "channel", .label = "Channel", .label_zh = "渠道", .type = FT_ENUM,
     .flags = FF_INDEXED, .enum_values = CHANNELS, .enum_labels = CHANNELS_LABELS,
     .enum_labels_zh = CHANNELS_LABELS_ZH, .group = "overview", .def = "phone"},
    {.name = "product", .label = "Product", .label_zh = "产品", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH, .maxlen = 200, .group = "overview"},
    {.name = "language", .label = "Customer's language", .label_zh = "客户语言",
     .type = FT_ENUM, .enum_values = service__languages,
     .enum_labels = service__languages_labels, .enum_labels_zh = service__languages_labels_zh,
     .group = "overview"},
    {.name = "agreement_id", .label = "Service agreement", .label_zh = "服务协议", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "service_agreements", .group = "overview"},
    {.name = "queue_id", .label = "Queue", .label_zh = "队列", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST, .ref_entity = "case_queues", .group = "assignment"},
    {.name = "reassign_reason", .label = "Reason for reassignment", .label_zh = "转派原因",
     .type = FT_STRING, .maxlen = 255, .group = "assignment"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
    {.name = "resolution", .label = "Resolution", .label_zh = "解决方案", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "resolution"},
    {.name = "satisfaction", .label = "Satisfaction (1–5)", .label_zh = "满意度（1–5）",
     .type = FT_INT, .range = &SATISFACTION, .group = "resolution"},
    {.name = "time_spent_min", .label = "Time spent (minutes)", .label_zh = "耗时（分钟）",
     .type = FT_INT, .range = &TIME_SPENT, .group = "resolution"},
    /* Knowledge articles that answer the case (articles.c lists them both ways). */
    {.name = "kb_articles", .label = "Knowledge articles", .label_zh = "知识文章",
     .type = FT_MULTI_REF, .ref_entity = "kb_articles",
     .group = "resolution"},
    {.name = "reported_at", .label = "Reported", .label_zh = "报告时间", .type = FT_DATETIME,
     .flags = FF_INDEXED | FF_CREATE_ONLY, .group = "sla"},
    {.name = "sla_policy_id", .label = "SLA policy", .label_zh = "服务等级策略", .type = FT_REF,
     .ref_entity = "sla_policies", .group = "sla"},
    {.name = "first_response_at", .label = "First response", .label_zh = "首次响应时间",
     .type = FT_DATETIME, .flags = FF_READONLY, .group = "sla"},
    {.name = "resolved_at", .label = "Resolved", .label_zh = "解决时间", .type = FT_DATETIME,
     .flags = FF_READONLY, .group = "sla"},
    {.name = "closed_at", .label = "Closed", .label_zh = "关闭时间", .type = FT_DATETIME,
     .flags = FF_READONLY, .group = "sla"},
    {.name = "response_due_at", .label = "First response due", .label_zh = "首次响应期限",
     .type = FT_DATETIME, .flags = FF_READONLY, .group = "sla"},
    {.name = "resolution_due_at", .label = "Resolution due", .label_zh = "解决期限",
     .type = FT_DATETIME, .flags = FF_READONLY | FF_INDEXED | FF_LIST, .group = "sla"},
    /* The earlier of the two due times still running: what the worklist orders by. */
    {.name = "due_at", .label = "Next due", .label_zh = "下一期限", .type = FT_DATETIME,
     .flags = FF_READONLY, .group = "sla"},
    {.name = "paused_at", .label = "SLA paused since", .label_zh = "计时暂停起始",
     .type = FT_DATETIME, .flags = FF_READONLY, .group = "sla"},
    {.name = "paused_s", .label = "SLA paused (working seconds)", .label_zh = "计时暂停时长（工作秒）",
     .type = FT_INT, .flags = FF_READONLY, .group = "sla", .def = "0"},
    {.name = "escalation_level", .label = "Escalation level", .label_zh = "升级级别",
     .type = FT_INT, .flags = FF_READONLY, .range = &LEVEL, .group = "sla",
     .def = "0"},
    {.name = "escalate_at", .label = "Next escalation", .label_zh = "下次升级时间",
     .type = FT_DATETIME, .flags = FF_READONLY | FF_INDEXED, .group = "sla"},
    /* What the reports count (reports.c): wall-clock times and missed targets. */
    {.name = "response_s", .label = "Time to first response (seconds)",
     .label_zh = "首次响应用时（秒）", .type = FT_INT, .flags = FF_READONLY, .group = "sla"},
    {.name = "resolution_s", .label = "Time to resolution (seconds)", .label_zh = "解决用时（秒）",
     .type = FT_INT, .flags = FF_READONLY, .group = "sla"},
    {.name = "response_breached", .label = "First response target missed",
     .label_zh = "首次响应超时", .type = FT_BOOL, .flags = FF_READONLY, .group = "sla"},
    {.name = "resolution_breached", .label = "Resolution target missed", .label_zh = "解决超时",
     .type = FT_BOOL, .flags = FF_READONLY, .group = "sla"},
};

const struct entity_def service__cases = {
    .name = "cases",
    .label = "Case",
    .label_plural = "Cases",
    .label_zh = "服务工单",
    .label_plural_zh = "服务工单",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "subject",
    .default_sort = "-created_at",
    /* A queue's and an agent's open cases by urgency (the worklist: due times tie
     * often, business hours round them, so seq is a key), their cases by status (the
     * lists "my open cases" and a queue's) and by status without a due time in age
     * order (the worklist's cases without a running clock). */
    .indexes = "queue_id,due_at,seq;owner_id,due_at,seq;queue_id,status,due_at,seq;"
               "owner_id,status,due_at,seq",
    /* Each agent's cases per status, kept as they are written: assignment to the one
     * with the fewest open cases reads a few rows, not every open case of the queue. */
    .counts = "status",
    /* A timeline: its changes (status moves, reassignments with their reasons,
     * escalations) and the calls, notes and e-mails logged on it; it shows on its
     * account's and contact's timelines too. */
    .flags = EF_CUSTOMER_DATA | EF_TIMELINE,
};

/* ---- the state machine ---- */

static const struct {
    const char *from;
    const char *const to[8];
} MOVES[] = {
    {"new", {"assigned", "in_progress", "waiting_on_customer", "waiting_on_third_party",
             "resolved", "closed", NULL}},
    {"assigned", {"in_progress", "waiting_on_customer", "waiting_on_third_party", "resolved",
                  "closed", NULL}},
    {"in_progress", {"assigned", "waiting_on_customer", "waiting_on_third_party", "resolved",
                     NULL}},
    {"waiting_on_customer", {"in_progress", "waiting_on_third_party", "resolved", "closed",
                             NULL}},
    {"waiting_on_third_party", {"in_progress", "waiting_on_customer", "resolved", NULL}},
    {"resolved", {"closed", "reopened", NULL}},
    {"closed", {"reopened", NULL}},
    {"reopened", {"assigned", "in_progress", "waiting_on_customer", "waiting_on_third_party",
                  "resolved", NULL}},
};

/* The statuses a case may move to from `from`, NULL-terminated. */
static const char *const *next_statuses(const char *from, size_t len)
{
    static const char *const NONE[] = {NULL};
    for (size_t i = 0; i < RP_NELEM(MOVES); i++)
        if (strlen(MOVES[i].from) == len && memcmp(MOVES[i].from, from, len) == 0)
            return MOVES[i].to;
    return NONE;
}

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

static void set_text(struct rec *r, const char *field, const char *s)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = s ? (struct rec_value){false, 0, s, strlen(s)} : (struct rec_value){.null = true};
}

static void set_int(struct rec *r, const char *field, int64_t i)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = (struct rec_value){.i = i};
}

static enum rp_err check_move(struct rec_ctx *ctx, const struct rec_value *from,
                              const struct rec_value *to)
{
    const char *const *next = next_statuses(from->s, from->len);
    for (size_t i = 0; next[i]; i++)
        if (is(to, next[i]))
            return RP_OK;
    const char *f = arena_strndup(ctx->a, from->s, from->len);
    const char *t = arena_strndup(ctx->a, to->s, to->len);
    struct rp_buf b;
    buf_init(&b, 256);
    for (size_t i = 0; next[i]; i++)
        if (buf_adds(&b, i ? ", " : "") || buf_adds(&b, next[i]))
            break;
    const char *allowed = arena_strdup(ctx->a, buf_cstr(&b));
    buf_release(&b);
    return rec_field_error(ctx, "status",
                           "a case cannot move from %s to %s: the next status is one of %s", f,
                           t, allowed);
}

enum rp_err service__validate_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *status = rec_field(r, "status");
    if (!old && !is(status, "new"))
        rec_field_error(ctx, "status", "a new case starts as new");
    if (old && rec_changed(r, old, "status"))
        check_move(ctx, rec_field(old, "status"), status);
    if (is(status, "resolved") && rec_field(r, "resolution")->null)
        rec_field_error(ctx, "resolution", "is required to resolve a case");
    if (service__article_count(rec_field(r, "kb_articles")) > SVC_MAX_CASE_ARTICLES)
        rec_field_error(ctx, "kb_articles", "a case links at most %d articles",
                        SVC_MAX_CASE_ARTICLES);
    const struct rec_value *rep = rec_field(r, "reported_at");
    if (!old && !rep->null && strcmp(rep->s, r->created_at) > 0)
        rec_field_error(ctx, "reported_at", "must not be in the future");
    /* A person who hands a case to someone else says why; the reason is in its
     * history next to the change of owner. */
    bool reassigned = old && r->owner_id && old->owner_id && strcmp(r->owner_id, old->owner_id);
    const struct rec_value *why = rec_field(r, "reassign_reason");
    if (reassigned && !ctx->system && (!rec_changed(r, old, "reassign_reason") || why->null))
        rec_field_error(ctx, "reassign_reason", "give a reason when you reassign a case");
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

/* Working seconds of a pause that ends now, on the case's clock. */
static enum rp_err pause_s(struct rec_ctx *ctx, const struct rec *r, const char *since,
                           struct svc_sla_cache *cache, int64_t *out)
{
    *out = 0;
    if (!since)
        return RP_OK;
    enum rp_err err = service__load_policy(ctx, r, cache);
    int64_t a, b;
    if (!err && cache->found && text_parse_datetime(rp_str_c(since), &a) == RP_OK &&
        text_parse_datetime(rp_str_c(r->updated_at), &b) == RP_OK)
        *out = svc_working_s(&cache->cal, a / 1000, b / 1000);
    return err;
}

/* A case's number, owner, pauses and clocks, as it is created or changed. */
static enum rp_err plan_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old,
                             struct svc_sla_cache *cache)
{
    enum rp_err err = RP_OK;
    const struct rec_value *status = rec_field(r, "status");
    if (!old) {
        int64_t n;
        if ((err = rec_next_number(ctx, SVC_NUMBER_COUNTER, &n)))
            return err;
        set_text(r, "number", arena_printf(ctx->a, SVC_NUMBER_PREFIX "%06lld", (long long)n));
        if (rec_field(r, "reported_at")->null)
            set_text(r, "reported_at", r->created_at);
        if (rec_field(r, "sla_policy_id")->null) {
            const struct rec *policy;
            if ((err = service__default_policy(ctx, &policy)))
                return err;
            if (policy)
                set_text(r, "sla_policy_id", policy->id);
        }
        if ((err = service__assign(ctx, r, false)))
            return err;
        return service__plan(ctx, r, cache);
    }
    if (!rec_changed(r, old, "status"))
        return rec_changed(r, old, "priority") || rec_changed(r, old, "sla_policy_id") ||
                       rec_changed(r, old, "escalation_level")
                   ? service__plan(ctx, r, cache)
                   : RP_OK;
    const struct rec_value *was = rec_field(old, "status");
    /* The first answer to the customer: any step past new and assigned. */
    if (rec_field(r, "first_response_at")->null && !is(status, "assigned") &&
        !is(status, "reopened"))
        set_text(r, "first_response_at", r->updated_at);
    if (is(status, "resolved"))
        set_text(r, "resolved_at", r->updated_at);
    if (is(status, "closed"))
        set_text(r, "closed_at", r->updated_at);
    /* The clocks stop while the case waits on its customer, and while it is resolved
     * or closed: a reopened case goes on where it stopped. */
    int64_t add = 0;
    if (is(was, "waiting_on_customer")) {
        const struct rec_value *p = rec_field(old, "paused_at");
        err = pause_s(ctx, r, p->null ? NULL : p->s, cache, &add);
        set_text(r, "paused_at", NULL);
    } else if (is(status, "reopened")) {
        const struct rec_value *res = rec_field(old, "resolved_at");
        const struct rec_value *cl = rec_field(old, "closed_at");
        err = pause_s(ctx, r, !res->null ? res->s : !cl->null ? cl->s : NULL, cache,
                     &add);
        set_text(r, "resolved_at", NULL);
        set_text(r, "closed_at", NULL);
    }
    if (err)
        return err;
    set_int(r, "paused_s", rec_field(r, "paused_s")->i + add);
    if (is(status, "waiting_on_customer"))
        set_text(r, "paused_at", r->updated_at);
    if (is(status, "reopened") && (err = service__assign(ctx, r, true)))
        return err;
    return service__plan(ctx, r, cache);
}

enum rp_err service__before_save_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    /* The clocks and the measures read one policy and calendar. */
    struct svc_sla_cache cache = {0};
    enum rp_err err = plan_case(ctx, r, old, &cache);
    return err ? err : service__measure_case(ctx, r, old, &cache);
}

enum rp_err service__share_with_account_owner(struct rec_ctx *ctx, const struct rec *r,
                                              const struct rec *old, const char *why)
{
    const struct rec_value *acc = rec_field(r, "account_id");
    if (acc->null || !rec_changed(r, old, "account_id"))
        return RP_OK;
    const char *saved = rec_system_begin(ctx, why);
    struct rec account;
    enum rp_err err = rec_get(ctx, meta_need("accounts"), (struct rp_str){acc->s, acc->len},
                              &account);
    if (!err && account.owner_id && (!r->owner_id || strcmp(account.owner_id, r->owner_id))) {
        struct store_share sh;
        err = rec_share_add(ctx, r->ent, rp_str_c(r->id), rp_str_c(account.owner_id),
                            (struct rp_str){NULL, 0}, RP_STR("read"), &sh);
    }
    rec_system_end(ctx, saved);
    return err == RP_ENOTFOUND ? RP_OK : err;
}

enum rp_err service__after_save_case(struct rec_ctx *ctx, const struct rec *r,
                                     const struct rec *old)
{
    /* Sales reps read their customers' cases: the account's owner gets a share to
     * read each case of the account (engine/share.h). */
    return service__share_with_account_owner(ctx, r, old, "case shared with its account's owner");
}
