/* Currencies: the workspace's base currency and the ones it trades in (`currencies`,
 * kept by administrators: a document in a currency not enabled is refused), and dated
 * exchange rates (`exchange_rates`: one unit of a currency in the base currency, from a
 * day on). An amount is converted at the rate of its own day — the latest rate valid
 * from that day or before —, in integer minor units, half away from zero. */
#include "core/common.h"

#include "core/text.h"
#include "engine/sqlb.h"
#include "mod/commerce/commerce.h"

static const struct meta_range DECIMALS = {0, 3};

static const struct field_def CURRENCY_FIELDS[] = {
    {.name = "code", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_CREATE_ONLY | FF_LIST, .group = "overview"},
    {.name = "enabled", .label = "Enabled", .label_zh = "启用", .type = FT_BOOL,
     .flags = FF_LIST, .def = "true", .group = "overview"},
    {.name = "is_base", .label = "Base currency", .label_zh = "本位币", .type = FT_BOOL,
     .flags = FF_LIST, .def = "false", .group = "overview"},
    {.name = "decimals", .label = "Decimals (ISO 4217)", .label_zh = "小数位（ISO 4217）",
     .type = FT_INT, .flags = FF_LIST, .def = "2", .range = &DECIMALS, .group = "overview"},
};

const struct entity_def cm__currencies = {
    .name = "currencies",
    .label = "Currency",
    .label_plural = "Currencies",
    .label_zh = "币种",
    .label_plural_zh = "币种",
    .fields = CURRENCY_FIELDS,
    .nfields = RP_NELEM(CURRENCY_FIELDS),
    .title_field = "code",
    .default_sort = "code",
    .flags = EF_PLATFORM,
};

static const struct field_def RATE_FIELDS[] = {
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_REQUIRED | FF_LIST,
     .group = "overview"},
    {.name = "valid_from", .label = "Valid from", .label_zh = "生效日期", .type = FT_DATE,
     .flags = FF_REQUIRED | FF_LIST, .group = "overview"},
    {.name = "rate", .label = "Rate (one unit in the base currency)",
     .label_zh = "汇率（一单位折合本位币）", .type = FT_STRING, .flags = FF_REQUIRED | FF_LIST,
     .maxlen = 24, .group = "overview"},
    {.name = "source", .label = "Source", .label_zh = "来源", .type = FT_STRING, .maxlen = 100,
     .group = "overview"},
};

const struct entity_def cm__exchange_rates = {
    .name = "exchange_rates",
    .label = "Exchange rate",
    .label_plural = "Exchange rates",
    .label_zh = "汇率",
    .label_plural_zh = "汇率",
    .fields = RATE_FIELDS,
    .nfields = RP_NELEM(RATE_FIELDS),
    .title_field = "currency",
    .default_sort = "-valid_from",
    .indexes = "currency,valid_from",
    .flags = EF_PLATFORM,
};

enum rp_err cm_parse_rate(const char *s, int64_t *micros)
{
    return s && !text_parse_money(rp_str_c(s), 6, micros) && *micros > 0 && *micros <= CM_MAX_RATE
               ? RP_OK
               : RP_EINVAL;
}

enum rp_err cm__validate_rate(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    int64_t micros;
    if (cm_parse_rate(rec_text(ctx->a, r, "rate"), &micros))
        return rec_field_error(ctx, "rate",
                               "must be a positive number with at most 6 decimals, like 7.1234");
    if (old && !rec_changed(r, old, "currency") && !rec_changed(r, old, "valid_from"))
        return RP_OK;
    int64_t n = 0;
    enum rp_err err = cm__sql_rates_on(ctx, rec_text(ctx->a, r, "currency"),
                                       rec_text(ctx->a, r, "valid_from"), r->id, &n);
    if (!err && n)
        err = rec_field_error(ctx, "valid_from", "this currency has a rate from this day already");
    return err;
}

/* The currencies, read as the system: memoised for the transaction. */
static enum rp_err all_currencies(struct rec_ctx *ctx, struct rec_page *out)
{
    const struct entity_def *e = meta_need("currencies");
    if (rec_memo_get(ctx, e, out))
        return RP_OK;
    const struct rec_param p[] = {{RP_STR("limit"), RP_STR("100")}};
    struct rec_query *q;
    const char *saved = rec_system_begin(ctx, "currencies");
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, out);
    rec_system_end(ctx, saved);
    if (!err)
        rec_memo_put(ctx, e, out);
    return err;
}

enum rp_err cm_base_currency(struct rec_ctx *ctx, const char **code)
{
    struct rec_page page;
    enum rp_err err = all_currencies(ctx, &page);
    *code = NULL;
    for (size_t i = 0; !err && i < page.nrows && !*code; i++)
        if (rec_field(&page.rows[i], "is_base")->i)
            *code = rec_text(ctx->a, &page.rows[i], "code");
    return err;
}

enum rp_err cm__check_currency(struct rec_ctx *ctx, struct rec *r, const struct rec *old,
                               const char *field)
{
    if (!rec_changed(r, old, field) || rec_field(r, field)->null)
        return RP_OK;
    const char *code = rec_text(ctx->a, r, field);
    struct rec_page page;
    enum rp_err err = all_currencies(ctx, &page);
    bool listed = false, enabled = false;
    for (size_t i = 0; !err && i < page.nrows && !listed; i++)
        if ((listed = rec_is(&page.rows[i], "code", code)))
            enabled = rec_field(&page.rows[i], "enabled")->i != 0;
    /* A workspace that lists no currency at all trades in any. */
    if (err || enabled || !page.nrows)
        return err;
    return rec_field_error(ctx, field,
                           "%s is not enabled: an administrator enables it under Currencies", code);
}

enum rp_err cm__validate_money(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    return cm__check_currency(ctx, r, old, "currency");
}

enum rp_err cm__validate_currency(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (rec_field(r, "is_base")->i && !rec_field(r, "enabled")->i)
        return rec_field_error(ctx, "enabled", "the base currency is enabled");
    (void)old;
    return RP_OK;
}

enum rp_err cm__currency_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!rec_field(r, "is_base")->i || (old && rec_field(old, "is_base")->i))
        return RP_OK;
    /* One base currency: the one made base now. */
    struct rec_page page;
    enum rp_err err = all_currencies(ctx, &page);
    struct rec_input off = {.field = RP_STR("is_base"), .kind = IN_BOOL, .b = false};
    const char *saved = rec_system_begin(ctx, "base currency");
    for (size_t i = 0; !err && i < page.nrows; i++) {
        struct rec tmp;
        if (strcmp(page.rows[i].id, r->id) != 0 && rec_field(&page.rows[i], "is_base")->i)
            err = rec_update(ctx, r->ent, rp_str_c(page.rows[i].id), &off, 1, -1, &tmp);
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err cm__before_delete_currency(struct rec_ctx *ctx, const struct rec *r)
{
    if (rec_field(r, "is_base")->i)
        return rec_fail(ctx, RP_ECONFLICT, "the base currency stays: make another one base first");
    return RP_OK;
}

enum rp_err cm_rate_of(struct rec_ctx *ctx, const char *currency, const char *day, int64_t *micros,
                       const char **from)
{
    const char *base;
    enum rp_err err = cm_base_currency(ctx, &base);
    *micros = 0;
    *from = NULL;
    if (err)
        return err;
    if (base && strcmp(base, currency) == 0) {
        *micros = CM_RATE_ONE;
        return RP_OK;
    }
    const char *rate;
    if ((err = cm__sql_rate(ctx, currency, day, &rate, from)))
        return err;
    return rate && !cm_parse_rate(rate, micros) ? RP_OK : RP_ENOTFOUND;
}

enum rp_err cm_convert(int64_t amount, int64_t micros, int64_t *out)
{
    /* amount = q × 10^6 + r: q × micros checked for overflow, r × micros < 10^6 ×
     * CM_MAX_RATE fits, rounded half away from zero. */
    int64_t q = amount / CM_RATE_ONE, r = amount % CM_RATE_ONE, whole;
    int64_t frac = r * micros, part = frac / CM_RATE_ONE, rest = frac % CM_RATE_ONE;
    if (rest >= CM_RATE_ONE / 2)
        part++;
    else if (rest <= -CM_RATE_ONE / 2)
        part--;
    if (__builtin_mul_overflow(q, micros, &whole) || __builtin_add_overflow(whole, part, out) ||
        *out > META_MONEY_MAX || *out < -META_MONEY_MAX)
        return RP_ERANGE;
    return RP_OK;
}

enum rp_err cm_convert_back(int64_t base, int64_t micros, int64_t *out)
{
    /* base × 10^6 / micros, half away from zero: base = q × micros + r, so the result
     * is q × 10^6 + r × 10^6 / micros, with r < micros <= CM_MAX_RATE (r × 10^6 fits). */
    RP_ASSERT(micros > 0);
    int64_t q = base / micros, r = base % micros, whole;
    int64_t num = r * CM_RATE_ONE, part = num / micros, rest = num % micros;
    if (2 * (rest < 0 ? -rest : rest) >= micros)
        part += num < 0 ? -1 : 1;
    if (__builtin_mul_overflow(q, CM_RATE_ONE, &whole) || __builtin_add_overflow(whole, part, out) ||
        *out > META_MONEY_MAX || *out < -META_MONEY_MAX)
        return RP_ERANGE;
    return RP_OK;
}

enum rp_err cm__seed_currencies(struct rec_ctx *ctx)
{
    static const struct {
        const char *code, *base;
    } SEED[] = {{"USD", "true"}, {"CNY", "false"}, {"EUR", "false"}};
    enum rp_err err = RP_OK;
    for (size_t i = 0; !err && i < RP_NELEM(SEED); i++) {
        struct rec_input in[] = {rec_in_text("code", SEED[i].code),
                                 {.field = RP_STR("is_base"), .kind = IN_BOOL,
                                  .b = strcmp(SEED[i].base, "true") == 0}};
        struct rec out;
        err = rec_create(ctx, meta_need("currencies"), in, RP_NELEM(in), &out);
    }
    return err;
}
