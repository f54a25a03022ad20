/* Queues and assignment: a queue gathers agents (its members) under a manager, takes
 * the cases its rules match, and hands each to a member — the next in turn (round
 * robin) or the one with the fewest open cases. A new case, and a reopened one, goes to
 * the first queue (by rule_order) whose rules all match: priority, channel, the
 * account's tier, the customer's language, and a product text. */
#include "core/common.h"

#include "core/ids.h"
#include "engine/acl.h"
#include "mod/service/service.h"

static const char *const PRIORITIES[] = {"p1", "p2", "p3", "p4", NULL};
static const char *const PRIORITIES_LABELS[] = {"P1 – critical", "P2 – high", "P3 – normal",
    "P4 – low", NULL};
static const char *const PRIORITIES_LABELS_ZH[] = {"P1 – 紧急", "P2 – 高", "P3 – 普通", "P4 – 低",
    NULL};
static const char *const CHANNELS[] = {"phone", "email", "web", "portal", "chat", NULL};
static const char *const CHANNELS_LABELS[] = {"Phone", "E-mail", "Web", "Portal", "Chat", NULL};
static const char *const CHANNELS_LABELS_ZH[] = {"电话", "邮件", "网站", "门户", "在线聊天", NULL};
static const char *const TIERS[] = {"A", "B", "C", NULL};
static const char *const TIERS_LABELS[] = {"A", "B", "C", NULL};
static const char *const TIERS_LABELS_ZH[] = {"A 级", "B 级", "C 级", NULL};
static const char *const METHODS[] = {"round_robin", "least_open", NULL};
static const char *const METHODS_LABELS[] = {"Round robin", "Fewest open cases", NULL};
static const char *const METHODS_LABELS_ZH[] = {"轮流分派", "未结工单最少者", NULL};

static const struct meta_range ORDER = {0, 100000};

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100,
     .group = "overview"},
    {.name = "member_ids", .label = "Members", .label_zh = "成员", .type = FT_MULTI_REF,
     .ref_entity = "users", .group = "overview"},
    {.name = "manager_id", .label = "Manager", .label_zh = "主管", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST, .ref_entity = "users", .group = "overview"},
    {.name = "escalation_queue_id", .label = "Escalation queue", .label_zh = "升级队列",
     .type = FT_REF, .ref_entity = "case_queues", .group = "overview"},
    /* The mailbox whose new messages become this queue's cases (case_mail.c). */
    {.name = "mailbox_id", .label = "Support mailbox", .label_zh = "客服邮箱", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "mailboxes", .group = "overview"},
    /* The template of the answer a new case from that mailbox sends its sender, with
     * the case's number in its subject; none: no answer. */
    {.name = "ack_template_id", .label = "Acknowledgement e-mail", .label_zh = "受理确认邮件",
     .type = FT_REF, .ref_entity = "email_templates", .group = "overview"},
    {.name = "method", .label = "Assignment", .label_zh = "分派方式", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_LIST, .enum_values = METHODS, .enum_labels = METHODS_LABELS,
     .enum_labels_zh = METHODS_LABELS_ZH, .group = "overview", .def = "round_robin"},
    {.name = "rule_order", .label = "Rule order", .label_zh = "规则顺序", .type = FT_INT,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .range = &ORDER, .group = "rules",
     .def = "100"},
    {.name = "match_priorities", .label = "Priorities", .label_zh = "优先级", .type = FT_MULTI_ENUM,
     .enum_values = PRIORITIES, .enum_labels = PRIORITIES_LABELS,
     .enum_labels_zh = PRIORITIES_LABELS_ZH, .group = "rules"},
    {.name = "match_channels", .label = "Channels", .label_zh = "渠道", .type = FT_MULTI_ENUM,
     .enum_values = CHANNELS, .enum_labels = CHANNELS_LABELS,
     .enum_labels_zh = CHANNELS_LABELS_ZH, .group = "rules"},
    {.name = "match_tiers", .label = "Account tiers", .label_zh = "客户等级", .type = FT_MULTI_ENUM,
     .enum_values = TIERS, .enum_labels = TIERS_LABELS, .enum_labels_zh = TIERS_LABELS_ZH,
     .group = "rules"},
    {.name = "match_languages", .label = "Customer's languages", .label_zh = "客户语言",
     .type = FT_MULTI_ENUM, .enum_values = service__languages,
     .enum_labels = service__languages_labels, .enum_labels_zh = service__languages_labels_zh,
     .group = "rules"},
    {.name = "match_product", .label = "Product contains", .label_zh = "产品包含",
     .type = FT_STRING, .maxlen = 200, .group = "rules"},
    {.name = "last_assigned_id", .label = "Last assigned to", .label_zh = "上次分派给",
     .type = FT_REF, .flags = FF_READONLY, .ref_entity = "users", .group = "rules"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .group = "description"},
};

const struct entity_def service__case_queues = {
    .name = "case_queues",
    .label = "Case queue",
    .label_plural = "Case queues",
    .label_zh = "工单队列",
    .label_plural_zh = "工单队列",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "rule_order",
    .flags = EF_PLATFORM, /* configuration, not customer records */
};

/* Whether a stored JSON list of keys (["p1","p2"]) is empty or holds `key`. */
static bool list_allows(const struct rec_value *list, const struct rec_value *key)
{
    if (list->null || list->len <= 2)
        return true;
    if (key->null)
        return false;
    for (size_t i = 0; i + key->len + 2 <= list->len; i++)
        if (list->s[i] == '"' && memcmp(list->s + i + 1, key->s, key->len) == 0 &&
            list->s[i + 1 + key->len] == '"')
            return true;
    return false;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether `text` holds `part`, ignoring the case of ASCII letters. */
static bool contains(const struct rec_value *text, const struct rec_value *part)
{
    if (part->null || part->len == 0)
        return true;
    if (text->null)
        return false;
    for (size_t i = 0; i + part->len <= text->len; i++) {
        size_t k = 0;
        while (k < part->len && lower(text->s[i + k]) == lower(part->s[k]))
            k++;
        if (k == part->len)
            return true;
    }
    return false;
}

/* The account's tier: set by hand, or else computed from revenue. */
static enum rp_err account_tier(struct rec_ctx *ctx, const struct rec *c, struct rec_value *out)
{
    *out = (struct rec_value){.null = true};
    const struct rec_value *acc = rec_field(c, "account_id");
    if (acc->null)
        return RP_OK;
    struct rec a;
    enum rp_err err = rec_get(ctx, meta_need("accounts"), (struct rp_str){acc->s, acc->len}, &a);
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err;
    *out = rec_field(&a, "tier")->null ? *rec_field(&a, "tier_computed") : *rec_field(&a, "tier");
    return RP_OK;
}

static enum rp_err pick_queue(struct rec_ctx *ctx, const struct rec *c, struct rec *out,
                              bool *found)
{
    *found = false;
    struct rec_param p[] = {{RP_STR("sort"), RP_STR("rule_order,created_at")},
                            {RP_STR("limit"), RP_STR("500")}};
    struct rec_query *q;
    struct rec_page page;
    const struct entity_def *e = meta_need("case_queues");
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    struct rec_value tier;
    if (!err)
        err = account_tier(ctx, c, &tier);
    for (size_t i = 0; !err && i < page.nrows; i++) {
        const struct rec *qr = &page.rows[i];
        if (list_allows(rec_field(qr, "match_priorities"), rec_field(c, "priority")) &&
            list_allows(rec_field(qr, "match_channels"), rec_field(c, "channel")) &&
            list_allows(rec_field(qr, "match_tiers"), &tier) &&
            list_allows(rec_field(qr, "match_languages"), rec_field(c, "language")) &&
            contains(rec_field(c, "product"), rec_field(qr, "match_product"))) {
            *out = *qr;
            *found = true;
            break;
        }
    }
    return err;
}

/* The queue's members who are active users, in the queue's order: one read of them
 * all. */
static enum rp_err active_members(struct rec_ctx *ctx, const struct rec *queue, const char ***out,
                                  size_t *n)
{
    const struct rec_value *m = rec_field(queue, "member_ids");
    size_t cap = m->null ? 0 : m->len / (RP_ID_LEN + 3) + 1;
    const char **ids = arena_alloc(ctx->a, (cap + 1) * sizeof(*ids));
    *n = 0;
    *out = ids;
    char *list = arena_alloc(ctx->a, cap * (RP_ID_LEN + 1) + 1);
    size_t len = 0, listed = 0;
    for (size_t p = 2; !m->null && p + RP_ID_LEN <= m->len && listed < RP_MAX_IN_VALUES;
         p += RP_ID_LEN + 3, listed++) {
        if (len)
            list[len++] = ',';
        memcpy(list + len, m->s + p, RP_ID_LEN);
        len += RP_ID_LEN;
    }
    if (!listed)
        return RP_OK;
    list[len] = '\0';
    char limit[16];
    snprintf(limit, sizeof(limit), "%zu", listed);
    struct rec_param p[] = {{RP_STR("id[in]"), rp_str_c(list)},
                            {RP_STR("active"), RP_STR("true")},
                            {RP_STR("limit"), rp_str_c(limit)}};
    const struct entity_def *ue = meta_need("users");
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(ctx, ue, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, ue, q, &page);
    for (size_t k = 0; !err && k < listed; k++) {
        const char *id = list + k * (RP_ID_LEN + 1);
        for (size_t i = 0; i < page.nrows; i++)
            if (memcmp(page.rows[i].id, id, RP_ID_LEN) == 0) {
                ids[(*n)++] = page.rows[i].id;
                break;
            }
    }
    return err;
}

static enum rp_err pick_member(struct rec_ctx *ctx, const struct rec *queue, const char **out)
{
    *out = NULL;
    const char **ids;
    size_t n;
    enum rp_err err = active_members(ctx, queue, &ids, &n);
    if (err || n == 0)
        return err;
    const struct rec_value *method = rec_field(queue, "method");
    if (method->len == 10 && memcmp(method->s, "least_open", 10) == 0) {
        int64_t *counts = arena_calloc(ctx->a, n, sizeof(*counts));
        if ((err = service__sql_open_counts(ctx, ids, n, counts)))
            return err;
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (counts[i] < counts[best])
                best = i;
        *out = ids[best];
        return RP_OK;
    }
    const struct rec_value *last = rec_field(queue, "last_assigned_id");
    size_t next = 0;
    for (size_t i = 0; !last->null && i < n; i++)
        if (strlen(ids[i]) == last->len && memcmp(ids[i], last->s, last->len) == 0)
            next = (i + 1) % n;
    *out = ids[next];
    struct rec_input in = rec_in_text("last_assigned_id", *out);
    struct rec updated;
    return rec_update(ctx, meta_need("case_queues"), rp_str_c(queue->id), &in, 1, -1, &updated);
}

enum rp_err service__assign(struct rec_ctx *ctx, struct rec *r, bool reopened)
{
    const char *saved = rec_system_begin(ctx, "case assignment");
    struct rec queue;
    bool found = false;
    enum rp_err err = RP_OK;
    const struct rec_value *qid = rec_field(r, "queue_id");
    if (!qid->null && !reopened) {
        err = rec_get(ctx, meta_need("case_queues"), (struct rp_str){qid->s, qid->len}, &queue);
        found = !err;
        if (err == RP_ENOTFOUND)
            err = RP_OK;
    } else {
        err = pick_queue(ctx, r, &queue, &found);
        if (!err && found) {
            struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, "queue_id");
            *v = (struct rec_value){false, 0, queue.id, strlen(queue.id)};
        }
    }
    /* A case made out for someone else than its author keeps that owner. */
    bool chosen = !reopened && r->owner_id && ctx->who && strcmp(r->owner_id, ctx->who->user_id);
    const char *agent = NULL;
    if (!err && found && !chosen)
        err = pick_member(ctx, &queue, &agent);
    rec_system_end(ctx, saved);
    if (err || !agent)
        return err;
    if (!r->owner_id || strcmp(r->owner_id, agent))
        r->owner_id = agent;
    if (!reopened) {
        struct rec_value *st = (struct rec_value *)(uintptr_t)rec_field(r, "status");
        *st = (struct rec_value){false, 0, "assigned", 8};
    }
    return RP_OK;
}
