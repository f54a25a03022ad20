/* Service agreements: what a customer (an account) bought in support — a period, the
 * products covered, an SLA policy, and an entitlement of a number of cases or hours.
 * A new case on the account gets the agreement that applies to it (agreement_id), and
 * its SLA policy from it; a case is never refused for want of one: the agent sees a
 * warning (GET /service_agreements/check) when there is none, when it has expired or
 * when its entitlement is used up. Entitlement is consumed by the cases linked to the
 * agreement: counted, or their time spent added up, by one aggregate (sql.c). A
 * schedule marks agreements past their end `expired`, and N days before the end of an
 * active one leaves its account's owner a task to renew it, once. */
#include "core/common.h"

#include "api/route.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/share.h"
#include "mod/service/service.h"

static const char *const STATUS[] = {"draft", "active", "expired", "cancelled", NULL};
static const char *const STATUS_LABELS[] = {"Draft", "Active", "Expired", "Cancelled", NULL};
static const char *const STATUS_LABELS_ZH[] = {"草稿", "生效中", "已过期", "已取消", NULL};
static const char *const KINDS[] = {"none", "cases", "hours", NULL};
static const char *const KINDS_LABELS[] = {"None", "Number of cases", "Hours", NULL};
static const char *const KINDS_LABELS_ZH[] = {"无", "工单数", "小时数", NULL};

static const struct meta_range AMOUNT = {1, SVC_MAX_ENTITLEMENT};
static const struct meta_range REMIND = {0, SVC_MAX_REMIND_DAYS};

static const struct field_def FIELDS[] = {
    {.name = "number", .label = "Number", .label_zh = "编号", .type = FT_STRING,
     .flags = FF_READONLY | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 20,
     .group = "overview"},
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | FF_TIMELINE, .ref_entity = "accounts",
     .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = STATUS,
     .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH, .group = "overview",
     .def = "active"},
    {.name = "start_date", .label = "Start date", .label_zh = "开始日期", .type = FT_DATE,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "end_date", .label = "End date", .label_zh = "结束日期", .type = FT_DATE,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "sla_policy_id", .label = "SLA policy", .label_zh = "服务等级策略", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "sla_policies", .group = "overview"},
    /* Text until products exist: names separated by commas or lines; empty covers every
     * product. */
    {.name = "covered_products", .label = "Covered products", .label_zh = "覆盖产品",
     .type = FT_TEXT, .group = "coverage"},
    {.name = "entitlement_type", .label = "Entitlement", .label_zh = "服务权益", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_LIST, .enum_values = KINDS, .enum_labels = KINDS_LABELS,
     .enum_labels_zh = KINDS_LABELS_ZH, .group = "coverage", .def = "none"},
    {.name = "entitlement_amount", .label = "Entitlement amount", .label_zh = "权益数量",
     .type = FT_INT, .range = &AMOUNT, .group = "coverage"},
    {.name = "renewal_reminder_days", .label = "Renewal reminder (days before the end)",
     .label_zh = "续约提醒（到期前天数）", .type = FT_INT, .range = &REMIND, .group = "renewal",
     .def = "30"},
    {.name = "remind_on", .label = "Renewal reminder on", .label_zh = "续约提醒日期",
     .type = FT_DATE, .flags = FF_READONLY | FF_INDEXED, .group = "renewal"},
    {.name = "reminded_at", .label = "Renewal reminder sent", .label_zh = "续约提醒时间",
     .type = FT_DATETIME, .flags = FF_READONLY, .group = "renewal"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
};

const struct entity_def service__service_agreements = {
    .name = "service_agreements",
    .label = "Service agreement",
    .label_plural = "Service agreements",
    .label_zh = "服务协议",
    .label_plural_zh = "服务协议",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "-end_date",
    /* An account's agreements by end date: the one a new case gets is a seek, where
     * the list index (end_date) made the planner walk every agreement still running. */
    .indexes = "account_id,end_date",
};

/* ---- small helpers ---- */

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

static struct rp_str str_of(const struct rec_value *v)
{
    return v->null ? (struct rp_str){"", 0} : (struct rp_str){v->s, v->len};
}

static void set_text(struct rec *r, const char *field, const char *s)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = s ? (struct rec_value){false, 0, s, strlen(s)} : (struct rec_value){.null = true};
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The length of a separator of covered products at p (a comma, semicolon or line
 * break, ASCII or the full-width ones Chinese text uses: ，；、), or 0. */
static size_t separator(const char *p, size_t left)
{
    if (*p == ',' || *p == ';' || *p == '\n' || *p == '\r')
        return 1;
    static const char *const WIDE[] = {"\xef\xbc\x8c", "\xef\xbc\x9b", "\xe3\x80\x81"};
    for (size_t i = 0; i < RP_NELEM(WIDE); i++)
        if (left >= 3 && memcmp(p, WIDE[i], 3) == 0)
            return 3;
    return 0;
}

bool svc_agreement_covers(struct rp_str list, struct rp_str product)
{
    while (product.len && (*product.p == ' ' || *product.p == '\t'))
        product = (struct rp_str){product.p + 1, product.len - 1};
    while (product.len && (product.p[product.len - 1] == ' ' || product.p[product.len - 1] == '\t'))
        product.len--;
    if (!product.len)
        return true;
    bool any = false;
    for (size_t i = 0; i <= list.len;) {
        size_t j = i, sep = 0;
        while (j < list.len && !(sep = separator(list.p + j, list.len - j)))
            j++;
        size_t a = i, b = j;
        while (a < b && (list.p[a] == ' ' || list.p[a] == '\t'))
            a++;
        while (b > a && (list.p[b - 1] == ' ' || list.p[b - 1] == '\t'))
            b--;
        if (b > a) {
            any = true;
            size_t k = 0;
            while (b - a == product.len && k < product.len &&
                   lower(list.p[a + k]) == lower(product.p[k]))
                k++;
            if (b - a == product.len && k == product.len)
                return true;
        }
        i = j + (sep ? sep : 1);
    }
    return !any;
}

bool svc_remind_on(struct rp_str end_date, int64_t days, char out[11])
{
    int64_t end;
    if (text_parse_date(end_date, &end) != RP_OK || days < 0)
        return false;
    text_format_date(end - days, out, 11);
    return true;
}

/* Today (UTC) as YYYY-MM-DD. */
static void today(int64_t now_ms, char out[11])
{
    text_format_date(now_ms / 86400000, out, 11);
}

/* ---- hooks of agreements ---- */

enum rp_err service__validate_agreement(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *start = rec_field(r, "start_date"), *end = rec_field(r, "end_date");
    if (!start->null && !end->null && strcmp(end->s, start->s) < 0)
        rec_field_error(ctx, "end_date", "must not be before the start date");
    if (!is(rec_field(r, "entitlement_type"), "none") &&
        rec_field(r, "entitlement_amount")->null)
        rec_field_error(ctx, "entitlement_amount", "is required for an entitlement of cases or hours");
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

enum rp_err service__before_save_agreement(struct rec_ctx *ctx, struct rec *r,
                                           const struct rec *old)
{
    if (!old) {
        int64_t n;
        enum rp_err err = rec_next_number(ctx, SVC_AGREEMENT_COUNTER, &n);
        if (err)
            return err;
        set_text(r, "number", arena_printf(ctx->a, SVC_AGREEMENT_PREFIX "%06lld", (long long)n));
    }
    /* A new end is a new term: its reminder is still to come. */
    if (old && rec_changed(r, old, "end_date"))
        set_text(r, "reminded_at", NULL);
    const struct rec_value *days = rec_field(r, "renewal_reminder_days");
    char on[11];
    bool has = !days->null && svc_remind_on(str_of(rec_field(r, "end_date")), days->i, on);
    set_text(r, "remind_on", has ? arena_strdup(ctx->a, on) : NULL);
    return RP_OK;
}

enum rp_err service__after_save_agreement(struct rec_ctx *ctx, const struct rec *r,
                                          const struct rec *old)
{
    /* Sales reps read their customers' agreements, as they read their cases: the
     * account's owner gets a share to read the agreement. */
    return service__share_with_account_owner(ctx, r, old,
                                             "agreement shared with its account's owner");
}

/* ---- which agreement applies ---- */

/* The agreements of account `acc` the context may read, matching the extra filters,
 * sorted by `sort`, SVC_AGREEMENTS_MAX at most. */
static enum rp_err list_of(struct rec_ctx *ctx, struct rp_str acc, const struct rec_param *extra,
                           size_t nextra, const char *sort, struct rec_page *out)
{
    struct rec_param p[6];
    size_t n = 0;
    char lim[24];
    snprintf(lim, sizeof(lim), "%d", SVC_AGREEMENTS_MAX);
    p[n++] = (struct rec_param){RP_STR("account_id"), acc};
    p[n++] = (struct rec_param){RP_STR("sort"), rp_str_c(sort)};
    p[n++] = (struct rec_param){RP_STR("limit"), rp_str_c(lim)};
    for (size_t i = 0; i < nextra && n < RP_NELEM(p); i++)
        p[n++] = extra[i];
    const struct entity_def *e = meta_need("service_agreements");
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    return err ? err : rec_list(ctx, e, q, out);
}

/* Why an agreement does not serve a new case on `day`, or NULL when it does. */
static const char *warning_of(const struct rec *a, const char *day, int64_t cases,
                              int64_t minutes)
{
    const struct rec_value *st = rec_field(a, "status"), *end = rec_field(a, "end_date");
    if (is(st, "expired") || (!end->null && strncmp(end->s, day, 10) < 0))
        return "expired";
    if (!is(st, "active") || strncmp(rec_field(a, "start_date")->s, day, 10) > 0)
        return "inactive";
    const struct rec_value *kind = rec_field(a, "entitlement_type");
    const struct rec_value *amount = rec_field(a, "entitlement_amount");
    if (amount->null)
        return NULL;
    if ((is(kind, "cases") && cases >= amount->i) || (is(kind, "hours") && minutes >= amount->i * 60))
        return "exhausted";
    return NULL;
}

enum rp_err service__agreement_usage(struct rec_ctx *ctx, const struct rec *a, const char *day,
                                     struct svc_agreement_check *out)
{
    memset(out, 0, sizeof(*out));
    out->agreement = a;
    const char *id = a->id;
    enum rp_err err = service__sql_agreement_usage(ctx, &id, 1, &out->cases, &out->minutes);
    if (!err)
        out->warning = warning_of(a, day, out->cases, out->minutes);
    return err;
}

enum rp_err service__agreement_choose(struct rec_ctx *ctx, struct rp_str acc, struct rp_str product,
                                      const char *day, struct svc_agreement_check *out)
{
    memset(out, 0, sizeof(*out));
    struct rec_param in_force[] = {{RP_STR("status"), RP_STR("active")},
                                   {RP_STR("start_date[lte]"), rp_str_c(day)},
                                   {RP_STR("end_date[gte]"), rp_str_c(day)}};
    struct rec_page page;
    enum rp_err err = list_of(ctx, acc, in_force, RP_NELEM(in_force), "end_date,created_at", &page);
    if (err)
        return err;
    const struct rec **cand = arena_alloc(ctx->a, (page.nrows + 1) * sizeof(*cand));
    const char **ids = arena_alloc(ctx->a, (page.nrows + 1) * sizeof(*ids));
    size_t n = 0;
    for (size_t i = 0; i < page.nrows; i++)
        if (svc_agreement_covers(str_of(rec_field(&page.rows[i], "covered_products")), product)) {
            cand[n] = &page.rows[i];
            ids[n++] = page.rows[i].id;
        }
    if (n) {
        /* The one ending first that has entitlement left; else the first, exhausted. */
        int64_t *cases = arena_calloc(ctx->a, n, sizeof(*cases));
        int64_t *minutes = arena_calloc(ctx->a, n, sizeof(*minutes));
        if ((err = service__sql_agreement_usage(ctx, ids, n, cases, minutes)))
            return err;
        size_t pick = 0;
        while (pick < n && warning_of(cand[pick], day, cases[pick], minutes[pick]))
            pick++;
        if (pick == n)
            pick = 0;
        *out = (struct svc_agreement_check){cand[pick], true, cases[pick], minutes[pick],
                                            warning_of(cand[pick], day, cases[pick], minutes[pick])};
        return RP_OK;
    }
    if (page.nrows) {
        out->warning = "not_covered";
        return RP_OK;
    }
    /* None in force: the last that ran out before the day, if any, explains why. */
    struct rec_param ended[] = {{RP_STR("status[in]"), RP_STR("active,expired")},
                                {RP_STR("end_date[lt]"), rp_str_c(day)}};
    if ((err = list_of(ctx, acc, ended, RP_NELEM(ended), "-end_date,created_at", &page)))
        return err;
    for (size_t i = 0; i < page.nrows; i++)
        if (svc_agreement_covers(str_of(rec_field(&page.rows[i], "covered_products")), product))
            return service__agreement_usage(ctx, &page.rows[i], day, out);
    out->warning = "no_agreement";
    return RP_OK;
}

/* ---- cases and their agreement ---- */

enum rp_err service__validate_case_agreement(struct rec_ctx *ctx, struct rec *r,
                                             const struct rec *old)
{
    const struct rec_value *acc = rec_field(r, "account_id");
    struct rec_value *ag = (struct rec_value *)(uintptr_t)rec_field(r, "agreement_id");
    bool given = old ? rec_changed(r, old, "agreement_id") : !ag->null;
    bool moved = old ? rec_changed(r, old, "account_id") : true;
    if (!given && !moved)
        return RP_OK;
    const struct entity_def *ae = meta_need("service_agreements");
    const char *saved = rec_system_begin(ctx, "case agreement");
    enum rp_err err = RP_OK;
    struct svc_agreement_check chk = {0};
    struct rec picked;
    if (given && !ag->null) {
        /* The agent's choice: any agreement of the case's account. */
        err = rec_get(ctx, ae, (struct rp_str){ag->s, ag->len}, &picked);
        if (!err && (acc->null || !is(rec_field(&picked, "account_id"),
                                      arena_strndup(ctx->a, acc->s, acc->len))))
            err = rec_field_error(ctx, "agreement_id", "must be an agreement of the case's account");
        chk.agreement = err ? NULL : &picked;
    } else if (!given && !acc->null) {
        const struct rec_value *rep = rec_field(r, "reported_at");
        char day[11];
        snprintf(day, sizeof(day), "%.10s", rep->null ? r->created_at : rep->s);
        err = service__agreement_choose(ctx, (struct rp_str){acc->s, acc->len},
                                        str_of(rec_field(r, "product")), day, &chk);
        if (!chk.applies)
            chk.agreement = NULL;
        set_text(r, "agreement_id", chk.agreement ? chk.agreement->id : NULL);
    } else if (!given) {
        set_text(r, "agreement_id", NULL);
    }
    rec_system_end(ctx, saved);
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err;
    /* The SLA policy follows the agreement, unless the same request sets one. */
    const struct rec_value *pol = chk.agreement ? rec_field(chk.agreement, "sla_policy_id") : NULL;
    bool set_by_caller = old ? rec_changed(r, old, "sla_policy_id")
                             : !rec_field(r, "sla_policy_id")->null;
    if (pol && !pol->null && !set_by_caller)
        set_text(r, "sla_policy_id", arena_strndup(ctx->a, pol->s, pol->len));
    return RP_OK;
}

/* ---- renewal reminders and expiry ---- */

/* The task that reminds the account's owner to renew agreement a. */
static enum rp_err remind_owner(struct rec_ctx *ctx, const struct rec *a)
{
    const struct rec_value *acc = rec_field(a, "account_id");
    struct rec account, owner;
    enum rp_err err = rec_get(ctx, meta_need("accounts"), (struct rp_str){acc->s, acc->len},
                              &account);
    if (err || !account.owner_id)
        return err == RP_ENOTFOUND ? RP_OK : err;
    /* Written in the owner's language. */
    enum rp_lang lang = ctx->lang;
    err = rec_get(ctx, meta_need("users"), rp_str_c(account.owner_id), &owner);
    if (!err && is(rec_field(&owner, "locale"), "zh-CN"))
        ctx->lang = RP_LANG_ZH;
    const struct rec_value *num = rec_field(a, "number"), *end = rec_field(a, "end_date");
    const char *n = arena_strndup(ctx->a, num->s, num->len);
    const char *e = arena_strndup(ctx->a, end->s, end->len);
    const char *subject = rec_msgf(ctx, "Renew service agreement %s: it ends on %s", n, e);
    const struct rec_value *name = rec_field(a, "name");
    const char *what = rec_msgf(ctx, "Service agreement %s (%s) of this account ends on %s.", n,
                                arena_strndup(ctx->a, name->s, name->len), e);
    ctx->lang = lang;
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err;
    struct rec_input in[] = {rec_in_text("type", "task"),
                             rec_in_text("subject", subject),
                             rec_in_text("description", what),
                             rec_in_text("status", "planned"),
                             rec_in_text("priority", "high"),
                             rec_in_text("due_at", arena_printf(ctx->a, "%sT09:00:00Z", e)),
                             rec_in_text("related_type", "accounts"),
                             rec_in_text("related_id", account.id),
                             rec_in_text("owner_id", account.owner_id)};
    struct rec task;
    size_t nerr = ctx->nerrors;
    err = rec_create(ctx, meta_need("activities"), in, RP_NELEM(in), &task);
    /* An owner who left (deactivated) cannot be given a task: the reminder is then in
     * the agreement's history only, rather than retried every hour for ever. */
    if (err == RP_EINVAL) {
        ctx->nerrors = nerr;
        err = RP_OK;
    }
    return err;
}

/* Applies one step to agreement a in its own transaction: expire it, or remind. The
 * update checks a's version, so of several servers doing it at once one writes. */
static enum rp_err step(struct rec_ctx *ctx, const struct rec *a, bool expire, const char *now,
                        int64_t *done)
{
    struct rec_input in = expire ? rec_in_text("status", "expired") : rec_in_text("reminded_at", now);
    struct rec out;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_update(ctx, a->ent, rp_str_c(a->id), &in, 1, a->version, &out);
    if (!err && !expire)
        err = remind_owner(ctx, &out);
    err = rec_tx_end(ctx, err);
    if (err == RP_ESTALE || err == RP_ENOTFOUND) /* changed or deleted meanwhile */
        return RP_OK;
    if (!err)
        (*done)++;
    return err;
}

enum rp_err service_agreements_sweep(struct rec_ctx *ctx, int64_t now_ms, int64_t *expired,
                                     int64_t *reminded)
{
    *expired = *reminded = 0;
    char day[11], now[32];
    today(now_ms, day);
    text_format_datetime(now_ms, now, sizeof(now));
    const char *saved = rec_system_begin(ctx, "service agreement renewal");
    enum rp_err err = RP_OK;
    for (int expire = 1; expire >= 0 && !err; expire--) {
        struct rec *rows;
        size_t n;
        err = service__sql_agreements_due(ctx, day, expire, SVC_ESCALATE_BATCH, &rows, &n);
        for (size_t i = 0; i < n && !err; i++)
            err = step(ctx, &rows[i], expire, now, expire ? expired : reminded);
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err service__agreements_due(struct rec_ctx *ctx)
{
    int64_t expired, reminded;
    return service_agreements_sweep(ctx, text_now_ms(), &expired, &reminded);
}

enum rp_err service__agreements_check(struct rec_ctx *ctx, struct rp_str payload)
{
    if (payload.len)
        return rec_bad_request(ctx, "service_agreements.renew takes no payload");
    return RP_OK;
}

enum rp_err service__agreements_run(struct rec_ctx *ctx, struct rp_str payload,
                                    const atomic_bool *stop, const char **result)
{
    (void)stop;
    int64_t expired, reminded;
    enum rp_err err = service__agreements_check(ctx, payload);
    if (!err)
        err = service_agreements_sweep(ctx, text_now_ms(), &expired, &reminded);
    if (!err)
        *result = arena_printf(ctx->a, "{\"expired\":%lld,\"reminded\":%lld}", (long long)expired,
                               (long long)reminded);
    return err;
}

/* ---- routes ---- */

/* Hours with two decimals, from minutes. */
static json_t *hours(int64_t minutes)
{
    int64_t hundredths = (minutes * 100 + (minutes >= 0 ? 30 : -30)) / 60;
    return json_real((double)hundredths / 100.0);
}

static const char *warning_text(struct rec_ctx *ctx, const char *code)
{
    if (strcmp(code, "no_agreement") == 0)
        return rec_msgf(ctx, "No active service agreement");
    if (strcmp(code, "not_covered") == 0)
        return rec_msgf(ctx, "No active service agreement covers this product");
    if (strcmp(code, "expired") == 0)
        return rec_msgf(ctx, "The service agreement has expired");
    if (strcmp(code, "inactive") == 0)
        return rec_msgf(ctx, "The service agreement is not in force");
    return rec_msgf(ctx, "Entitlement exhausted");
}

static unsigned answer(struct api_call *c, const struct svc_agreement_check *k)
{
    json_t *o = json_object();
    json_t *ent = json_null();
    if (k->agreement) {
        json_object_set_new(o, "agreement", api_rec(c, k->agreement));
        const struct rec_value *kind = rec_field(k->agreement, "entitlement_type");
        const struct rec_value *amount = rec_field(k->agreement, "entitlement_amount");
        bool h = is(kind, "hours");
        ent = json_object();
        json_object_set_new(ent, "type", json_stringn(kind->s, kind->len));
        json_object_set_new(ent, "cases", json_integer(k->cases));
        json_object_set_new(ent, "minutes", json_integer(k->minutes));
        json_object_set_new(ent, "used", h ? hours(k->minutes) : json_integer(k->cases));
        bool counted = !is(kind, "none") && !amount->null;
        json_object_set_new(ent, "amount", counted ? json_integer(amount->i) : json_null());
        json_object_set_new(ent, "remaining",
                            !counted ? json_null()
                            : h      ? hours(amount->i * 60 - k->minutes)
                                     : json_integer(amount->i - k->cases));
    } else {
        json_object_set_new(o, "agreement", json_null());
    }
    json_object_set_new(o, "entitlement", ent);
    json_t *w = json_null();
    if (k->warning) {
        w = json_object();
        json_object_set_new(w, "code", json_string(k->warning));
        json_object_set_new(w, "message", json_string(warning_text(&c->ctx, k->warning)));
    }
    json_object_set_new(o, "warning", w);
    return api_json(c, 200, o);
}

unsigned service__get_agreement_check(struct api_call *c)
{
    struct rp_str acc = api_query(c, "account_id");
    struct rp_str product = api_query(c, "product");
    struct rp_str date = api_query(c, "date");
    if (!acc.p || !ids_valid(acc))
        return api_problem(c, 400, "account_id must be an account id");
    if (product.len > SVC_MAX_PRODUCT)
        return api_problem(c, 400, "product is too long");
    char day[11];
    int64_t d;
    if (date.p && (date.len != 10 || text_parse_date(date, &d) != RP_OK))
        return api_problem(c, 400, "date must be a date as YYYY-MM-DD");
    if (date.p)
        snprintf(day, sizeof(day), "%.10s", date.p);
    else
        today(text_now_ms(), day);
    struct rec account;
    struct svc_agreement_check k;
    enum rp_err err = rec_get(&c->ctx, meta_need("accounts"), acc, &account);
    if (!err)
        err = service__agreement_choose(&c->ctx, acc, product.p ? product : (struct rp_str){"", 0},
                                        day, &k);
    return err ? api_fail(c, err) : answer(c, &k);
}

unsigned service__get_agreement_usage(struct api_call *c)
{
    struct rec a;
    struct svc_agreement_check k;
    char day[11];
    today(text_now_ms(), day);
    enum rp_err err = rec_get(&c->ctx, meta_need("service_agreements"), c->req->params[0], &a);
    if (!err)
        err = service__agreement_usage(&c->ctx, &a, day, &k);
    return err ? api_fail(c, err) : answer(c, &k);
}
