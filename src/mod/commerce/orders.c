/* Orders and their shipments: an order is made from an accepted quote (its lines
 * copied and frozen) or directly (priced like a quote), numbered SO-000123, and moves
 * forward from confirmed to paid — or is cancelled — keeping the time of each status
 * and who set it; an ERP keeps it current by its own number (external_id). Shipments
 * carry a carrier and a tracking number and show on the account's timeline. */
#include "core/common.h"

#include <jansson.h>

#include "engine/acl.h"
#include "mod/commerce/commerce.h"

/* The statuses in their order: an order only moves forward (cancelled aside). */
static const char *const STATUS[] = {"confirmed", "in_production", "partially_shipped",
                                     "shipped",   "delivered",     "invoiced",
                                     "paid",      "cancelled",     NULL};
static const char *const STATUS_LABELS[] = {"Confirmed", "In production", "Partially shipped",
                                            "Shipped",   "Delivered",     "Invoiced",
                                            "Paid",      "Cancelled",     NULL};
static const char *const STATUS_LABELS_ZH[] = {"已确认", "生产中", "部分发货", "已发货", "已送达",
                                               "已开票", "已付款", "已取消", NULL};

static const struct field_def ORDER_FIELDS[] = {
    {.name = "number", .label = "Number", .label_zh = "编号", .type = FT_STRING,
     .flags = FF_READONLY | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 20, .group = "overview"},
    {.name = "name", .label = "Subject", .label_zh = "主题", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .ref_entity = "accounts", .flags = FF_INDEXED | FF_LIST | FF_TIMELINE, .group = "overview"},
    {.name = "contact_id", .label = "Contact", .label_zh = "联系人", .type = FT_REF,
     .ref_entity = "contacts", .flags = FF_INDEXED, .group = "overview"},
    {.name = "opportunity_id", .label = "Deal", .label_zh = "商机", .type = FT_REF,
     .ref_entity = "opportunities", .flags = FF_INDEXED | FF_TIMELINE, .group = "overview"},
    {.name = "quote_id", .label = "From quote", .label_zh = "来源报价", .type = FT_REF,
     .ref_entity = "quotes", .flags = FF_CREATE_ONLY | FF_INDEXED, .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = STATUS, .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .def = "confirmed", .group = "overview"},
    {.name = "order_date", .label = "Order date", .label_zh = "下单日期", .type = FT_DATE,
     .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "external_id", .label = "External ID", .label_zh = "外部编号", .type = FT_STRING,
     .flags = FF_UNIQUE | FF_INDEXED | FF_SEARCH, .maxlen = 100, .group = "overview"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_REQUIRED, .def = "USD",
     .group = "terms"},
    {.name = "price_list_id", .label = "Price list", .label_zh = "价格表", .type = FT_REF,
     .ref_entity = "price_lists", .group = "terms"},
    {.name = "notes", .label = "Notes", .label_zh = "备注", .type = FT_TEXT, .group = "terms"},
    CM_PRICED_FIELDS,
    {.name = "status_log", .label = "Status history", .label_zh = "状态记录", .type = FT_JSON,
     .flags = FF_READONLY, .maxlen = 16384, .group = "totals"},
};

const struct entity_def cm__orders = {
    .name = "orders",
    .label = "Order",
    .label_plural = "Orders",
    .label_zh = "订单",
    .label_plural_zh = "订单",
    .fields = ORDER_FIELDS,
    .nfields = RP_NELEM(ORDER_FIELDS),
    .title_field = "name",
    .default_sort = "-created_at",
    /* An account's card adds up its orders by status (lifetime value: the paid ones). */
    .totals = "status,total",
    .indexes = "account_id,status",
    .flags = EF_EXTERNAL_ID,
};

static const char *const CARRIERS[] = {"sf_express", "ems", "jd_logistics", "dhl", "fedex", "ups",
                                       "own", "other", NULL};
static const char *const CARRIER_LABELS[] = {"SF Express", "EMS", "JD Logistics", "DHL", "FedEx",
                                             "UPS", "Own delivery", "Other", NULL};
static const char *const CARRIER_LABELS_ZH[] = {"顺丰速运", "中国邮政 EMS", "京东物流", "DHL 快递",
                                                "联邦快递", "UPS 快递", "自行配送", "其他", NULL};

static const struct field_def SHIPMENT_FIELDS[] = {
    {.name = "order_id", .label = "Order", .label_zh = "订单", .type = FT_REF,
     .ref_entity = "orders", .flags = FF_REQUIRED | FF_CREATE_ONLY | FF_INDEXED | FF_LIST,
     .group = "overview"},
    {.name = "tracking_number", .label = "Tracking number", .label_zh = "运单号",
     .type = FT_STRING, .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 60,
     .group = "overview"},
    {.name = "carrier", .label = "Carrier", .label_zh = "承运商", .type = FT_ENUM,
     .enum_values = CARRIERS, .enum_labels = CARRIER_LABELS, .enum_labels_zh = CARRIER_LABELS_ZH,
     .flags = FF_REQUIRED | FF_LIST, .def = "other", .group = "overview"},
    {.name = "shipped_at", .label = "Shipped", .label_zh = "发货时间", .type = FT_DATETIME,
     .flags = FF_LIST, .group = "overview"},
    {.name = "delivered_at", .label = "Delivered", .label_zh = "送达时间", .type = FT_DATETIME,
     .flags = FF_LIST, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .ref_entity = "accounts", .flags = FF_READONLY | FF_INDEXED | FF_TIMELINE,
     .group = "overview"},
    {.name = "notes", .label = "Notes", .label_zh = "备注", .type = FT_TEXT, .group = "overview"},
};

const struct entity_def cm__shipments = {
    .name = "shipments",
    .label = "Shipment",
    .label_plural = "Shipments",
    .label_zh = "发货",
    .label_plural_zh = "发货",
    .fields = SHIPMENT_FIELDS,
    .nfields = RP_NELEM(SHIPMENT_FIELDS),
    .title_field = "tracking_number",
    .default_sort = "-created_at",
    .flags = EF_OWN_SCREEN,
};

static int status_index(const char *s)
{
    for (int i = 0; STATUS[i]; i++)
        if (strcmp(STATUS[i], s) == 0)
            return i;
    return -1;
}

/* r's status log with one entry more: the status it takes now, when and by whom. */
static void log_status(struct rec_ctx *ctx, struct rec *r, const char *status)
{
    const struct rec_value *v = rec_field(r, "status_log");
    json_t *log = v->null ? NULL : json_loadb(v->s, v->len, 0, NULL);
    if (!json_is_array(log)) {
        json_decref(log);
        log = json_array();
    }
    json_t *e = json_object();
    json_object_set_new(e, "status", json_string(status));
    json_object_set_new(e, "at", json_string(cm__now(ctx)));
    const char *by = ctx->who && !ctx->system ? ctx->who->user_id : NULL;
    json_object_set_new(e, "by", by ? json_string(by) : json_null());
    json_array_append_new(log, e);
    char *s = json_dumps(log, JSON_COMPACT);
    rec_set_text(r, "status_log", arena_strdup(ctx->a, s));
    free(s);
    json_decref(log);
}

/* An order from a quote takes the quote's lines, currency and totals as they are:
 * priced when the customer accepted them. One order per accepted quote. */
static enum rp_err take_quote(struct rec_ctx *ctx, struct rec *r)
{
    struct rec q;
    const char *saved = rec_system_begin(ctx, "order from a quote");
    enum rp_err err = rec_get(ctx, meta_need("quotes"), rp_str_c(rec_text(ctx->a, r, "quote_id")),
                              &q);
    rec_system_end(ctx, saved);
    if (err == RP_ENOTFOUND)
        return RP_OK; /* the engine names the bad reference */
    int64_t made = 0;
    if (!err && !rec_is(&q, "status", "accepted"))
        return rec_field_error(ctx, "quote_id", "only an accepted quote becomes an order");
    if (!err)
        err = cm__sql_orders_of_quote(ctx, q.id, &made);
    if (!err && made)
        return rec_field_error(ctx, "quote_id", "this quote is an order already");
    /* The customer, the deal and the terms are the quote's too. */
    static const char *const COPY[] = {"lines",          "currency",      "account_id",
                                       "contact_id",     "opportunity_id", "price_list_id"};
    for (size_t i = 0; !err && i < RP_NELEM(COPY); i++)
        rec_set_text(r, COPY[i], rec_text(ctx->a, &q, COPY[i]));
    static const char *const TOTALS[] = {"subtotal", "discount_total", "tax_total", "total"};
    for (size_t i = 0; !err && i < RP_NELEM(TOTALS); i++)
        rec_set_int(r, TOTALS[i], rec_field(&q, TOTALS[i])->i);
    return err;
}

enum rp_err cm__validate_order(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const char *to = rec_text(ctx->a, r, "status");
    enum rp_err err = RP_OK;
    if (!old) {
        int64_t n;
        if ((err = rec_next_number(ctx, CM_ORDER_COUNTER, &n)))
            return err;
        rec_set_text(r, "number", arena_printf(ctx->a, CM_ORDER_PREFIX "%06lld", (long long)n));
        if (rec_field(r, "order_date")->null)
            rec_set_text(r, "order_date", cm__today(ctx));
        log_status(ctx, r, to);
        return rec_field(r, "quote_id")->null ? cm__price_lines(ctx, r, old) : take_quote(ctx, r);
    }
    const char *from = rec_text(ctx->a, old, "status");
    int a = status_index(from), b = status_index(to);
    bool cancel = strcmp(to, "cancelled") == 0;
    if (strcmp(from, to) != 0) {
        if (strcmp(from, "cancelled") == 0 || strcmp(from, "paid") == 0 ||
            (!cancel && b < a) || (cancel && strcmp(from, "paid") == 0))
            return rec_field_error(ctx, "status",
                                   "an order moves forward, from confirmed to paid, or is "
                                   "cancelled before it is paid");
        log_status(ctx, r, to);
    }
    bool priced = rec_changed(r, old, "lines") || rec_changed(r, old, "currency") ||
                  rec_changed(r, old, "price_list_id") || rec_changed(r, old, "account_id");
    if (!priced)
        return RP_OK;
    if (!rec_field(old, "quote_id")->null || strcmp(from, "confirmed") != 0) {
        static const char *const FROZEN[] = {"lines", "currency", "price_list_id", "account_id"};
        for (size_t i = 0; i < RP_NELEM(FROZEN); i++)
            if (rec_changed(r, old, FROZEN[i]))
                rec_field_error(ctx, FROZEN[i],
                                "an order from a quote, or in production, keeps its lines, "
                                "currency and account");
        return RP_EINVAL;
    }
    return cm__price_lines(ctx, r, old);
}

enum rp_err cm__validate_shipment(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (old)
        return RP_OK;
    /* The account of the order: the shipment shows on its timeline. */
    struct rec order;
    const char *saved = rec_system_begin(ctx, "shipment");
    enum rp_err err = rec_get(ctx, meta_need("orders"), rp_str_c(rec_text(ctx->a, r, "order_id")),
                              &order);
    rec_system_end(ctx, saved);
    if (err == RP_ENOTFOUND)
        return RP_OK; /* the engine names the bad reference */
    if (!err && rec_is(&order, "status", "cancelled"))
        return rec_field_error(ctx, "order_id", "a cancelled order is not shipped");
    if (!err)
        rec_set_text(r, "account_id", rec_text(ctx->a, &order, "account_id"));
    return err;
}

enum rp_err cm_order_from_quote(struct rec_ctx *ctx, struct rp_str quote_id, struct rec *out)
{
    struct rec q;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), quote_id, &q);
    if (err)
        return err;
    static const char *const COPY[] = {"name", "account_id", "contact_id", "opportunity_id",
                                       "price_list_id", NULL};
    struct rec_input in[8];
    size_t n = 0;
    for (size_t i = 0; COPY[i]; i++)
        if (!rec_field(&q, COPY[i])->null)
            in[n++] = rec_in_text(COPY[i], rec_text(ctx->a, &q, COPY[i]));
    in[n++] = rec_in_text("quote_id", q.id);
    return rec_create(ctx, meta_need("orders"), in, n, out);
}

/* The rate of a day among a currency's rates (the oldest first): the latest from that
 * day or before; 0 when none. */
static int64_t rate_on(const struct cm_rate *r, size_t n, const char *day)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(r[mid].from, day) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? r[lo - 1].micros : 0;
}

/* Sums rows of (currency, day) per currency, and into the base currency at each day's
 * rate. */
static enum rp_err sum_rows(struct rec_ctx *ctx, const char *base, const struct cm_money_sum *rows,
                            size_t n, struct cm_sums *out)
{
    *out = (struct cm_sums){.by_currency = arena_calloc(ctx->a, n + 1, sizeof(*out->by_currency))};
    struct cm_rate *rates = NULL;
    size_t nrates = 0;
    enum rp_err err = RP_OK;
    for (size_t i = 0; !err && i < n; i++) {
        const struct cm_money_sum *r = &rows[i];
        bool fresh = !i || strcmp(r->currency, rows[i - 1].currency) != 0;
        if (fresh) {
            out->by_currency[out->n++] = (struct cm_money_sum){.currency = r->currency};
            if (base && strcmp(r->currency, base) != 0)
                err = cm__sql_rates_of(ctx, r->currency, &rates, &nrates);
        }
        struct cm_money_sum *c = &out->by_currency[out->n - 1];
        if (__builtin_add_overflow(c->total, r->total, &c->total))
            return RP_ERANGE;
        c->count += r->count;
        int64_t micros = !base ? 0 : strcmp(r->currency, base) == 0 ? CM_RATE_ONE
                                 : r->day ? rate_on(rates, nrates, r->day) : 0;
        int64_t in_base = 0;
        if (!micros || cm_convert(r->total, micros, &in_base) ||
            __builtin_add_overflow(out->base_total, in_base, &out->base_total))
            out->missing = out->missing ? out->missing : r->currency;
    }
    return err;
}

enum rp_err cm_account_summary(struct rec_ctx *ctx, struct rp_str account_id,
                               struct cm_account_summary *out)
{
    *out = (struct cm_account_summary){0};
    struct rec acc;
    enum rp_err err = rec_get(ctx, meta_need("accounts"), account_id, &acc);
    static const char *const OPEN[] = {"draft", "sent", NULL};
    static const char *const ORDERS[] = {"confirmed", "in_production", "partially_shipped",
                                         "shipped", "delivered", "invoiced", "paid", NULL};
    static const char *const PAID[] = {"paid", NULL};
    static const char *const ACTIVE[] = {"active", NULL};
    const struct {
        const char *entity, *field, *day;
        const char *const *statuses;
        struct cm_sums *out;
    } PARTS[] = {
        {"quotes", "total", "created_at", OPEN, &out->open_quotes},
        {"orders", "total", "order_date", ORDERS, &out->orders},
        {"orders", "total", "order_date", PAID, &out->paid},
        {"contracts", "value", "start_date", ACTIVE, &out->active_contracts},
    };
    if (!err)
        err = cm_base_currency(ctx, &out->base);
    for (size_t i = 0; !err && i < RP_NELEM(PARTS); i++) {
        struct cm_money_sum *rows;
        size_t n;
        err = cm__sql_account_sums(ctx, PARTS[i].entity, PARTS[i].field, PARTS[i].day, acc.id,
                                   PARTS[i].statuses, &rows, &n);
        if (!err)
            err = sum_rows(ctx, out->base, rows, n, PARTS[i].out);
    }
    return err;
}
