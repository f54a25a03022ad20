/* Contracts: an account's agreement, numbered CT-000123, with its term, value, status
 * (draft, active, expired, terminated, renewed), signing date and renewal terms. Before
 * an active contract ends its owner gets a task to renew it (once per end date); at its
 * end it expires, or — with auto_renew — is followed by a new contract for the same
 * term and marked renewed. */
#include "core/common.h"

#include "core/text.h"
#include "mod/commerce/commerce.h"

static const char *const TYPES[] = {"sales", "framework", "service", "licence", "distribution",
                                    "nda", "other", NULL};
static const char *const TYPE_LABELS[] = {"Sales", "Framework", "Service", "Licence",
                                          "Distribution", "NDA", "Other", NULL};
static const char *const TYPE_LABELS_ZH[] = {"销售合同", "框架协议", "服务合同", "许可协议",
                                             "经销协议", "保密协议", "其他", NULL};
static const char *const STATUS[] = {"draft", "active", "expired", "terminated", "renewed", NULL};
static const char *const STATUS_LABELS[] = {"Draft", "Active", "Expired", "Terminated", "Renewed",
                                            NULL};
static const char *const STATUS_LABELS_ZH[] = {"草稿", "生效", "已到期", "已终止", "已续约", NULL};
static const struct meta_range NOTICE = {0, 365};

static const struct field_def FIELDS[] = {
    {.name = "number", .label = "Number", .label_zh = "编号", .type = FT_STRING,
     .flags = FF_READONLY | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 20, .group = "overview"},
    {.name = "name", .label = "Title", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .ref_entity = "accounts", .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | FF_TIMELINE,
     .group = "overview"},
    {.name = "type", .label = "Type", .label_zh = "类型", .type = FT_ENUM, .enum_values = TYPES,
     .enum_labels = TYPE_LABELS, .enum_labels_zh = TYPE_LABELS_ZH, .flags = FF_REQUIRED | FF_LIST,
     .def = "sales", .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = STATUS, .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .def = "draft", .group = "overview"},
    {.name = "opportunity_id", .label = "Deal", .label_zh = "商机", .type = FT_REF,
     .ref_entity = "opportunities", .flags = FF_INDEXED, .group = "overview"},
    {.name = "quote_id", .label = "Quote", .label_zh = "报价", .type = FT_REF,
     .ref_entity = "quotes", .group = "overview"},
    {.name = "start_date", .label = "Start", .label_zh = "开始日期", .type = FT_DATE,
     .flags = FF_LIST, .group = "term"},
    {.name = "end_date", .label = "End", .label_zh = "结束日期", .type = FT_DATE,
     .flags = FF_INDEXED | FF_LIST, .group = "term"},
    {.name = "signed_date", .label = "Signed", .label_zh = "签订日期", .type = FT_DATE,
     .group = "term"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_REQUIRED, .def = "USD",
     .group = "term"},
    {.name = "value", .label = "Value", .label_zh = "合同金额", .type = FT_MONEY,
     .flags = FF_LIST, .range = &meta_range_amount, .currency_field = "currency",
     .group = "term"},
    {.name = "auto_renew", .label = "Renews automatically", .label_zh = "自动续约",
     .type = FT_BOOL, .def = "false", .group = "renewal"},
    {.name = "renewal_notice_days", .label = "Renewal reminder (days before the end)",
     .label_zh = "续约提醒（到期前天数）", .type = FT_INT, .range = &NOTICE, .def = "30",
     .group = "renewal"},
    {.name = "renewal_terms", .label = "Renewal terms", .label_zh = "续约条款", .type = FT_TEXT,
     .group = "renewal"},
    {.name = "remind_on", .label = "Reminder due on", .label_zh = "提醒日期", .type = FT_DATE,
     .flags = FF_READONLY, .group = "renewal"},
    {.name = "reminded_for", .label = "Reminded for the end on", .label_zh = "已提醒的到期日",
     .type = FT_DATE, .flags = FF_READONLY, .group = "renewal"},
    {.name = "renewed_by_id", .label = "Renewed by", .label_zh = "续约合同", .type = FT_REF,
     .ref_entity = "contracts", .flags = FF_READONLY, .group = "renewal"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "renewal"},
};

const struct entity_def cm__contracts = {
    .name = "contracts",
    .label = "Contract",
    .label_plural = "Contracts",
    .label_zh = "合同",
    .label_plural_zh = "合同",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "-created_at",
    .totals = "status,value",
    .indexes = "status,end_date",
    .flags = EF_TIMELINE,
};

enum rp_err cm__validate_contract(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!old) {
        int64_t n;
        enum rp_err err = rec_next_number(ctx, CM_CONTRACT_COUNTER, &n);
        if (err)
            return err;
        rec_set_text(r, "number", arena_printf(ctx->a, CM_CONTRACT_PREFIX "%06lld", (long long)n));
    }
    const struct rec_value *start = rec_field(r, "start_date"), *end = rec_field(r, "end_date");
    if (!start->null && !end->null && strcmp(end->s, start->s) < 0)
        rec_field_error(ctx, "end_date", "must not be before the start");
    if (rec_is(r, "status", "active") && (start->null || end->null))
        rec_field_error(ctx, start->null ? "start_date" : "end_date",
                        "an active contract has a start and an end");
    int64_t day;
    if (ctx->nerrors)
        return RP_EINVAL;
    if (end->null || text_parse_date((struct rp_str){end->s, end->len}, &day)) {
        rec_set_text(r, "remind_on", NULL);
        return RP_OK;
    }
    char *on = arena_alloc(ctx->a, 16);
    text_format_date(day - rec_field(r, "renewal_notice_days")->i, on, 16);
    rec_set_text(r, "remind_on", on);
    return RP_OK;
}

/* The task that reminds the contract's owner to renew it, in the owner's language. */
static enum rp_err remind(struct rec_ctx *ctx, const struct rec *c)
{
    struct rec owner;
    enum rp_err err = c->owner_id ? rec_get(ctx, meta_need("users"), rp_str_c(c->owner_id), &owner)
                                  : RP_ENOTFOUND;
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err;
    enum rp_lang lang = ctx->lang;
    if (rec_is(&owner, "locale", "zh-CN"))
        ctx->lang = RP_LANG_ZH;
    const char *num = rec_text(ctx->a, c, "number"), *end = rec_text(ctx->a, c, "end_date");
    const char *subject = rec_msgf(ctx, "Renew contract %s: it ends on %s", num, end);
    const char *what = rec_msgf(ctx, "Contract %s (%s) ends on %s.", num,
                                rec_text(ctx->a, c, "name"), end);
    ctx->lang = lang;
    struct rec_input in[] = {rec_in_text("type", "task"),
                             rec_in_text("subject", subject),
                             rec_in_text("description", what),
                             rec_in_text("status", "planned"),
                             rec_in_text("priority", "high"),
                             rec_in_text("due_at", arena_printf(ctx->a, "%sT09:00:00Z", end)),
                             rec_in_text("related_type", "contracts"),
                             rec_in_text("related_id", c->id),
                             rec_in_text("owner_id", c->owner_id)};
    struct rec task;
    size_t nerr = ctx->nerrors;
    err = rec_create(ctx, meta_need("activities"), in, RP_NELEM(in), &task);
    if (err == RP_EINVAL) { /* an owner who left gets no task; the contract says it */
        ctx->nerrors = nerr;
        err = RP_OK;
    }
    return err;
}

/* The contract that follows c for the same term, from the day after its end. */
static enum rp_err follow(struct rec_ctx *ctx, const struct rec *c, struct rec *out)
{
    int64_t s, e;
    if (text_parse_date(rp_str_c(rec_text(ctx->a, c, "start_date")), &s) ||
        text_parse_date(rp_str_c(rec_text(ctx->a, c, "end_date")), &e))
        return RP_EINVAL;
    char start[16], end[16];
    text_format_date(e + 1, start, sizeof(start));
    text_format_date(e + 1 + (e - s), end, sizeof(end));
    static const char *const COPY[] = {"name", "account_id", "type", "opportunity_id", "currency",
                                       "value", "auto_renew", "renewal_notice_days",
                                       "renewal_terms", "description", NULL};
    struct rec_input in[16];
    size_t n = 0;
    for (size_t i = 0; COPY[i]; i++) {
        const struct field_def *f = meta_field(c->ent, rp_str_c(COPY[i]));
        const char *v = rec_value_text(ctx->a, f, rec_field(c, COPY[i]));
        if (!v)
            continue;
        in[n] = rec_in_text(COPY[i], v);
        if (f->type == FT_BOOL)
            in[n] = (struct rec_input){.field = rp_str_c(COPY[i]), .kind = IN_BOOL,
                                       .b = rec_field(c, COPY[i])->i != 0};
        else if (f->type == FT_INT)
            in[n].kind = IN_NUMBER;
        n++;
    }
    in[n++] = rec_in_text("status", "active");
    in[n++] = rec_in_text("start_date", start);
    in[n++] = rec_in_text("end_date", end);
    if (c->owner_id)
        in[n++] = rec_in_text("owner_id", c->owner_id);
    return rec_create(ctx, c->ent, in, n, out);
}

/* One contract's step, in its own transaction; the update checks c's version, so of
 * several servers doing it at once one writes. */
static enum rp_err step(struct rec_ctx *ctx, const struct rec *c, bool ended, int64_t *renewed,
                        int64_t *expired, int64_t *reminded)
{
    enum rp_err err = rec_tx_begin(ctx);
    struct rec next, out;
    bool renew = ended && rec_field(c, "auto_renew")->i;
    if (err)
        return err;
    if (renew && !(err = follow(ctx, c, &next))) {
        struct rec_input in[] = {rec_in_text("status", "renewed"),
                                 rec_in_text("renewed_by_id", next.id)};
        err = rec_update(ctx, c->ent, rp_str_c(c->id), in, RP_NELEM(in), c->version, &out);
    } else if (ended && !err) {
        struct rec_input in = rec_in_text("status", "expired");
        err = rec_update(ctx, c->ent, rp_str_c(c->id), &in, 1, c->version, &out);
    } else if (!err) {
        struct rec_input in = rec_in_text("reminded_for", rec_text(ctx->a, c, "end_date"));
        err = rec_update(ctx, c->ent, rp_str_c(c->id), &in, 1, c->version, &out);
        if (!err)
            err = remind(ctx, &out);
    }
    err = rec_tx_end(ctx, err);
    if (err == RP_ESTALE || err == RP_ENOTFOUND) /* changed or deleted meanwhile */
        return RP_OK;
    if (!err)
        (*(renew ? renewed : ended ? expired : reminded))++;
    return err;
}

enum rp_err cm_contracts_sweep(struct rec_ctx *ctx, int64_t now_ms, int64_t *renewed,
                               int64_t *expired, int64_t *reminded)
{
    *renewed = *expired = *reminded = 0;
    char day[16];
    text_format_date(now_ms / 86400000, day, sizeof(day));
    const char *saved = rec_system_begin(ctx, "contract renewal");
    enum rp_err err = RP_OK;
    for (int ended = 1; ended >= 0 && !err; ended--) {
        struct rec *rows;
        size_t n = 0;
        err = cm__sql_contracts_due(ctx, day, ended, CM_SWEEP_BATCH, &rows, &n);
        for (size_t i = 0; i < n && !err; i++)
            err = step(ctx, &rows[i], ended, renewed, expired, reminded);
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err cm__contracts_due(struct rec_ctx *ctx)
{
    int64_t renewed, expired, reminded;
    return cm_contracts_sweep(ctx, text_now_ms(), &renewed, &expired, &reminded);
}

enum rp_err cm__contracts_check(struct rec_ctx *ctx, struct rp_str payload)
{
    return payload.len ? rec_bad_request(ctx, "contracts.renew takes no payload") : RP_OK;
}

enum rp_err cm__contracts_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                              const char **result)
{
    (void)stop;
    int64_t renewed, expired, reminded;
    enum rp_err err = cm__contracts_check(ctx, payload);
    if (!err)
        err = cm_contracts_sweep(ctx, text_now_ms(), &renewed, &expired, &reminded);
    if (!err)
        *result = arena_printf(ctx->a, "{\"renewed\":%lld,\"expired\":%lld,\"reminded\":%lld}",
                               (long long)renewed, (long long)expired, (long long)reminded);
    return err;
}
