/* The demo's catalogue and quotes: a tree of categories, sixty products named in
 * English and Chinese (twelve families in five sizes), two bundles, three price lists
 * (for everyone with volume prices, for tier A accounts, and for one account), a
 * letterhead, and quotes in every status, the accepted ones primary for their deals. */
#include "core/common.h"

#include "core/text.h"
#include "mod/commerce/commerce.h"

static const struct {
    const char *name, *name_zh;
    int parent;
} CATEGORIES[] = {
    {"Hardware", "硬件", -1}, {"Sensors", "传感器", 0}, {"Controllers", "控制器", 0},
    {"Software", "软件", -1}, {"Services", "服务", -1},
};

static const struct {
    int category;
    const char *sku, *name, *name_zh, *unit;
    int64_t price; /* the smallest size's, in cents */
    int64_t tax_bp;
} FAMILIES[] = {
    {1, "TS", "Temperature sensor", "温度传感器", "piece", 4900, 1300},
    {1, "PS", "Pressure sensor", "压力传感器", "piece", 8900, 1300},
    {1, "FS", "Flow sensor", "流量传感器", "piece", 12900, 1300},
    {1, "HS", "Humidity sensor", "湿度传感器", "piece", 3900, 1300},
    {2, "PLC", "Programmable controller", "可编程控制器", "piece", 45000, 1300},
    {2, "IO", "Remote I/O module", "远程输入输出模块", "piece", 18000, 1300},
    {2, "GW", "Industrial gateway", "工业网关", "piece", 32000, 1300},
    {2, "HMI", "Touch panel", "触摸屏", "piece", 52000, 1300},
    {3, "SCADA", "SCADA licence", "组态软件许可", "licence", 150000, 600},
    {3, "HIST", "Historian licence", "历史数据库许可", "licence", 90000, 600},
    {4, "INST", "On-site installation", "现场安装", "day", 80000, 600},
    {4, "TRAIN", "Operator training", "操作员培训", "day", 60000, 600},
};

static const struct {
    const char *code, *name, *name_zh;
    int64_t factor_pct;
} SIZES[] = {
    {"S", "small", "小型", 100}, {"M", "standard", "标准型", 140}, {"L", "large", "大型", 190},
    {"XL", "heavy-duty", "重载型", 260}, {"EX", "explosion-proof", "防爆型", 350},
};

static enum rp_err create(struct rec_ctx *ctx, const char *entity, struct rec_input *in, size_t n,
                          struct rec *out)
{
    return rec_create(ctx, meta_need(entity), in, n, out);
}

static const char *cents(struct rec_ctx *ctx, int64_t c)
{
    return arena_printf(ctx->a, "%lld.%02lld", (long long)(c / 100), (long long)(c % 100));
}

static enum rp_err catalogue(struct rp_demo *d, const char **products, int64_t *prices)
{
    struct rec_ctx *ctx = d->ctx;
    const char *cats[RP_NELEM(CATEGORIES)];
    enum rp_err err = RP_OK;
    for (size_t i = 0; !err && i < RP_NELEM(CATEGORIES); i++) {
        struct rec_input in[3] = {rec_in_text("name", CATEGORIES[i].name),
                                  rec_in_text("name_zh", CATEGORIES[i].name_zh)};
        size_t n = 2;
        if (CATEGORIES[i].parent >= 0)
            in[n++] = rec_in_text("parent_id", cats[CATEGORIES[i].parent]);
        struct rec c;
        err = create(ctx, "product_categories", in, n, &c);
        cats[i] = err ? NULL : c.id;
    }
    size_t k = 0;
    for (size_t f = 0; !err && f < RP_NELEM(FAMILIES); f++)
        for (size_t s = 0; !err && s < RP_NELEM(SIZES); s++, k++) {
            int64_t price = FAMILIES[f].price * SIZES[s].factor_pct / 100;
            struct rec_input in[] = {
                rec_in_text("sku", arena_printf(ctx->a, "%s-%s", FAMILIES[f].sku, SIZES[s].code)),
                rec_in_text("name",
                            arena_printf(ctx->a, "%s, %s", FAMILIES[f].name, SIZES[s].name)),
                rec_in_text("name_zh",
                            arena_printf(ctx->a, "%s（%s）", FAMILIES[f].name_zh, SIZES[s].name_zh)),
                rec_in_text("category_id", cats[FAMILIES[f].category]),
                rec_in_text("unit", FAMILIES[f].unit),
                rec_in_text("currency", "USD"),
                rec_in_text("list_price", cents(ctx, price)),
                rec_in_text("cost", cents(ctx, price * 55 / 100)),
                {.field = rp_str_c("tax_rate"), .kind = IN_NUMBER,
                 .s = arena_printf(ctx->a, "%lld", (long long)FAMILIES[f].tax_bp)},
                rec_in_text("description",
                            arena_printf(ctx->a, "%s in the %s size.", FAMILIES[f].name,
                                         SIZES[s].name)),
            };
            in[8].len = strlen(in[8].s);
            struct rec p;
            err = create(ctx, "products", in, RP_NELEM(in), &p);
            products[k] = err ? NULL : p.id;
            prices[k] = price;
        }
    /* Two bundles: a starter kit of sensors and a controller, and a SCADA system with
     * its installation and training. */
    static const struct {
        const char *sku, *name, *name_zh;
        size_t parts[3];
        int64_t qty[3];
    } BUNDLES[] = {
        {"KIT-START", "Starter kit", "入门套装", {0, 5, 20}, {4, 2, 1}},
        {"KIT-SCADA", "SCADA system", "组态系统", {40, 50, 55}, {1, 2, 1}},
    };
    for (size_t b = 0; !err && b < RP_NELEM(BUNDLES); b++) {
        int64_t sum = 0;
        const char *parts = "[";
        for (size_t i = 0; i < 3; i++) {
            sum += prices[BUNDLES[b].parts[i]] * BUNDLES[b].qty[i];
            parts = arena_printf(ctx->a, "%s%s{\"product_id\":\"%s\",\"quantity\":%lld}", parts,
                                 i ? "," : "", products[BUNDLES[b].parts[i]],
                                 (long long)BUNDLES[b].qty[i]);
        }
        parts = arena_printf(ctx->a, "%s]", parts);
        struct rec_input in[] = {
            rec_in_text("sku", BUNDLES[b].sku), rec_in_text("name", BUNDLES[b].name),
            rec_in_text("name_zh", BUNDLES[b].name_zh), rec_in_text("unit", "set"),
            rec_in_text("list_price", cents(ctx, sum * 90 / 100)),
            {.field = rp_str_c("components"), .kind = IN_JSON, .s = parts, .len = strlen(parts)},
        };
        struct rec p;
        err = create(ctx, "products", in, RP_NELEM(in), &p);
    }
    /* Two configurable products: a flow meter and a control cabinet, built to order. */
    static const struct {
        const char *sku, *name, *name_zh, *price, *options;
    } CONFIGURABLE[] = {
        {"CFG-FLOW", "Flow meter, built to order", "定制流量计", "900.00",
         "{\"groups\":[{\"key\":\"size\",\"name\":\"Pipe size\",\"name_zh\":\"管径\","
         "\"required\":true,\"options\":[{\"key\":\"dn25\",\"name\":\"DN25\",\"price\":"
         "\"0\"},{\"key\":\"dn50\",\"name\":\"DN50\",\"price\":\"120.00\"},{\"key\":"
         "\"dn100\",\"name\":\"DN100\",\"price\":\"380.00\"}]},{\"key\":\"housing\","
         "\"name\":\"Housing\",\"name_zh\":\"外壳\",\"required\":true,\"options\":[{"
         "\"key\":\"aluminium\",\"name\":\"Aluminium\",\"name_zh\":\"铝\",\"price\":"
         "\"0\"},{\"key\":\"stainless\",\"name\":\"Stainless steel\",\"name_zh\":\"不锈钢"
         "\",\"percent\":\"15\"}]},{\"key\":\"extras\",\"name\":\"Extras\",\"name_zh\":"
         "\"附加\",\"max\":2,\"options\":[{\"key\":\"display\",\"name\":\"Local display\","
         "\"name_zh\":\"就地显示\",\"price\":\"80.00\"},{\"key\":\"hart\",\"name\":"
         "\"HART protocol\",\"name_zh\":\"HART 协议\",\"price\":\"150.00\"},{\"key\":"
         "\"exproof\",\"name\":\"Explosion-proof certificate\",\"name_zh\":\"防爆认证\","
         "\"percent\":\"25\"}]}],\"rules\":[{\"kind\":\"requires\",\"option\":"
         "\"exproof\",\"other\":\"stainless\"},{\"kind\":\"excludes\",\"option\":"
         "\"dn100\",\"other\":\"display\"},{\"kind\":\"quantity\",\"option\":"
         "\"exproof\",\"min\":1,\"max\":20}]}"},
        {"CFG-CAB", "Control cabinet, built to order", "定制控制柜", "2400.00",
         "{\"groups\":[{\"key\":\"plc\",\"name\":\"Controller\",\"name_zh\":\"控制器\","
         "\"required\":true,\"options\":[{\"key\":\"plc_s\",\"name\":\"Small PLC\","
         "\"name_zh\":\"小型 PLC\",\"price\":\"0\"},{\"key\":\"plc_l\",\"name\":"
         "\"Large PLC\",\"name_zh\":\"大型 PLC\",\"price\":\"650.00\"}]},{\"key\":"
         "\"panel\",\"name\":\"Operator panel\",\"name_zh\":\"操作面板\",\"options\":[{"
         "\"key\":\"hmi7\",\"name\":\"7-inch touch panel\",\"name_zh\":\"7 寸触摸屏\","
         "\"price\":\"420.00\"},{\"key\":\"hmi12\",\"name\":\"12-inch touch panel\","
         "\"name_zh\":\"12 寸触摸屏\",\"price\":\"780.00\"}]}],\"rules\":[{\"kind\":"
         "\"requires\",\"option\":\"hmi12\",\"other\":\"plc_l\"}]}"},
    };
    for (size_t i = 0; !err && i < RP_NELEM(CONFIGURABLE); i++) {
        struct rec_input in[] = {
            rec_in_text("sku", CONFIGURABLE[i].sku), rec_in_text("name", CONFIGURABLE[i].name),
            rec_in_text("name_zh", CONFIGURABLE[i].name_zh),
            rec_in_text("category_id", cats[2]),
            rec_in_text("list_price", CONFIGURABLE[i].price),
            {.field = rp_str_c("options"), .kind = IN_JSON, .s = CONFIGURABLE[i].options,
             .len = strlen(CONFIGURABLE[i].options)},
        };
        struct rec p;
        err = create(ctx, "products", in, RP_NELEM(in), &p);
    }
    return err;
}

/* The price lists: for everyone (5 % off from 10 units, 10 % from 100), for tier A
 * accounts (8 % off), and for one account (12 % off its sensors). */
static enum rp_err price_lists(struct rp_demo *d, const char **products, const int64_t *prices,
                               size_t n, const char *account_id)
{
    struct rec_ctx *ctx = d->ctx;
    static const struct {
        const char *name, *field, *value;
        int64_t off_pct[3];
    } LISTS[] = {
        {"Standard 2026", NULL, NULL, {0, 5, 10}},
        {"Tier A customers", "account_tier", "A", {8, 0, 0}},
        {"Framework agreement", "account_id", NULL, {12, 0, 0}},
    };
    static const int64_t FROM[] = {1, 10, 100};
    enum rp_err err = RP_OK;
    for (size_t l = 0; !err && l < RP_NELEM(LISTS); l++) {
        struct rec_input in[4] = {rec_in_text("name", LISTS[l].name),
                                  rec_in_text("currency", "USD"),
                                  rec_in_text("valid_from", "2026-01-01")};
        size_t k = 3;
        if (LISTS[l].field)
            in[k++] = rec_in_text(LISTS[l].field, LISTS[l].value ? LISTS[l].value : account_id);
        struct rec list;
        if (!LISTS[l].value && LISTS[l].field && !account_id)
            continue;
        if ((err = create(ctx, "price_lists", in, k, &list)))
            break;
        for (size_t p = 0; !err && p < n; p++) {
            if (l == 2 && p >= 20) /* the framework agreement covers sensors */
                break;
            for (size_t t = 0; !err && t < 3; t++) {
                if (t && !LISTS[l].off_pct[t])
                    continue;
                int64_t price = prices[p] * (100 - LISTS[l].off_pct[t]) / 100;
                char qty[24];
                snprintf(qty, sizeof(qty), "%lld", (long long)FROM[t]);
                struct rec_input e[] = {
                    rec_in_text("price_list_id", list.id), rec_in_text("product_id", products[p]),
                    {.field = rp_str_c("min_quantity"), .kind = IN_NUMBER,
                     .s = arena_strdup(ctx->a, qty), .len = strlen(qty)},
                    rec_in_text("unit_price", cents(ctx, price)),
                };
                struct rec item;
                err = create(ctx, "price_list_items", e, RP_NELEM(e), &item);
            }
        }
    }
    return err;
}

static enum rp_err move(struct rec_ctx *ctx, const char *id, const char *status)
{
    struct rec_input in = rec_in_text("status", status);
    struct rec out;
    return rec_update(ctx, meta_need("quotes"), rp_str_c(id), &in, 1, -1, &out);
}

/* Quotes for the first deals: every status, the accepted ones primary for their deal. */
static enum rp_err quotes(struct rp_demo *d, const char **products, size_t nproducts)
{
    struct rec_ctx *ctx = d->ctx;
    const struct rec_param P[] = {{RP_STR("sort"), RP_STR("created_at")},
                                         {RP_STR("limit"), RP_STR("24")}};
    const struct entity_def *oe = meta_need("opportunities");
    struct rec_query *q;
    struct rec_page deals;
    enum rp_err err = rec_query_parse(ctx, oe, P, RP_NELEM(P), &q);
    if (!err)
        err = rec_list(ctx, oe, q, &deals);
    static const char *const STATUS[] = {"draft", "sent", "accepted", "rejected", "expired"};
    for (size_t i = 0; !err && i < deals.nrows; i++) {
        const struct rec *o = &deals.rows[i];
        const char *status = STATUS[i % RP_NELEM(STATUS)];
        const char *lines = "[";
        size_t nl = 1 + rp_demo_rand(d, 5);
        for (size_t k = 0; k < nl; k++)
            lines = arena_printf(ctx->a, "%s%s{\"product_id\":\"%s\",\"quantity\":%u%s}", lines,
                                 k ? "," : "", products[rp_demo_rand(d, (uint32_t)nproducts)],
                                 1 + rp_demo_rand(d, 3) * (1 + rp_demo_rand(d, 40)),
                                 k == 0 && i % 3 == 0 ? ",\"discount_percent\":\"5\"" : "");
        lines = arena_printf(ctx->a, "%s]", lines);
        const char *acc = rec_text(ctx->a, o, "account_id");
        struct rec_input in[8] = {
            rec_in_text("name", rec_text(ctx->a, o, "name")),
            rec_in_text("opportunity_id", o->id),
            rec_in_text("owner_id", o->owner_id),
            rec_in_text("valid_until", i % RP_NELEM(STATUS) == 4 ? "2026-01-31" : "2027-12-31"),
            {.field = rp_str_c("lines"), .kind = IN_JSON, .s = lines, .len = strlen(lines)},
            rec_in_text("terms", "Prices in USD, excluding shipping. Payment within 30 days of "
                                 "delivery. 12 months' warranty.\n价格以美元计，不含运费。交货后 "
                                 "30 天内付款。保修 12 个月。"),
        };
        size_t n = 6;
        if (acc)
            in[n++] = rec_in_text("account_id", acc);
        if (strcmp(status, "accepted") == 0)
            in[n++] = (struct rec_input){.field = rp_str_c("is_primary"), .kind = IN_BOOL, .b = true};
        struct rec quote;
        err = create(ctx, "quotes", in, n, &quote);
        if (!err && strcmp(status, "draft") != 0)
            err = move(ctx, quote.id, "sent");
        if (!err && strcmp(status, "draft") != 0 && strcmp(status, "sent") != 0)
            err = move(ctx, quote.id, status);
    }
    return err;
}

/* Random product lines of a demo order (JSON text). */
static const char *random_lines(struct rp_demo *d, const char **products, size_t nproducts)
{
    struct rec_ctx *ctx = d->ctx;
    const char *lines = "[";
    size_t nl = 1 + rp_demo_rand(d, 4);
    for (size_t k = 0; k < nl; k++)
        lines = arena_printf(ctx->a, "%s%s{\"product_id\":\"%s\",\"quantity\":%u}", lines,
                             k ? "," : "", products[rp_demo_rand(d, (uint32_t)nproducts)],
                             1 + rp_demo_rand(d, 60));
    return arena_printf(ctx->a, "%s]", lines);
}

/* Orders: one from each accepted quote, the rest placed directly, in every status,
 * those shipped with a shipment. Contracts: over the accounts, in every status. */
static enum rp_err orders_and_contracts(struct rp_demo *d, const char **products,
                                        size_t nproducts, const struct rec_page *accounts)
{
    struct rec_ctx *ctx = d->ctx;
    static const char *const FLOW[] = {"confirmed", "in_production", "partially_shipped",
                                       "shipped",   "delivered",     "invoiced",
                                       "paid",      "cancelled"};
    const struct entity_def *qe = meta_need("quotes"), *oe = meta_need("orders");
    const struct rec_param P[] = {{RP_STR("status"), RP_STR("accepted")},
                                  {RP_STR("limit"), RP_STR("50")}};
    struct rec_query *q;
    struct rec_page accepted = {0};
    enum rp_err err = rec_query_parse(ctx, qe, P, RP_NELEM(P), &q);
    if (!err)
        err = rec_list(ctx, qe, q, &accepted);
    size_t made = 0;
    for (size_t i = 0; !err && i < accepted.nrows; i++, made++) {
        struct rec o;
        err = cm_order_from_quote(ctx, rp_str_c(accepted.rows[i].id), &o);
    }
    for (size_t i = 0; !err && made < 80 && accounts->nrows; i++, made++) {
        const struct rec *acc = &accounts->rows[i % accounts->nrows];
        const char *lines = random_lines(d, products, nproducts);
        char day[16];
        text_format_date(text_now_ms() / 86400000 - (int64_t)(made * 4), day, sizeof(day));
        struct rec_input in[] = {
            rec_in_text("name", arena_printf(ctx->a, "%s — order %zu", rec_text(ctx->a, acc, "name"),
                                             made + 1)),
            rec_in_text("account_id", acc->id),
            rec_in_text("order_date", day),
            {.field = rp_str_c("lines"), .kind = IN_JSON, .s = lines, .len = strlen(lines)},
            rec_in_opt("owner_id", acc->owner_id),
        };
        struct rec o;
        err = rec_create(ctx, oe, in, acc->owner_id ? RP_NELEM(in) : RP_NELEM(in) - 1, &o);
        const char *to = FLOW[made % RP_NELEM(FLOW)];
        struct rec_input st = rec_in_text("status", to);
        if (!err && strcmp(to, "confirmed") != 0)
            err = rec_update(ctx, oe, rp_str_c(o.id), &st, 1, -1, &o);
        bool shipped = strcmp(to, "confirmed") && strcmp(to, "in_production") && strcmp(to, "cancelled");
        if (!err && shipped) {
            struct rec_input sh[] = {
                rec_in_text("order_id", o.id),
                rec_in_text("carrier", (made % 2) ? "sf_express" : "dhl"),
                rec_in_text("tracking_number", arena_printf(ctx->a, "SF%010zu", 1400000000 + made)),
                rec_in_text("shipped_at", arena_printf(ctx->a, "%sT10:00:00Z", day)),
            };
            struct rec s;
            err = rec_create(ctx, meta_need("shipments"), sh, RP_NELEM(sh), &s);
        }
    }
    static const char *const STATUS[] = {"active", "active", "active", "draft", "expired",
                                         "terminated", "renewed"};
    static const char *const TYPE[] = {"sales", "framework", "service", "licence", "distribution"};
    int64_t now = text_now_ms() / 86400000;
    for (size_t i = 0; !err && i < 40 && accounts->nrows; i++) {
        const struct rec *acc = &accounts->rows[(i * 7) % accounts->nrows];
        const char *status = STATUS[i % RP_NELEM(STATUS)];
        bool past = strcmp(status, "expired") == 0 || strcmp(status, "renewed") == 0;
        /* Active ones end over the next year, some within their notice period. */
        int64_t end = past ? now - 10 - (int64_t)i : now + 5 + (int64_t)(i * 9);
        char start[16], stop[16];
        text_format_date(end - 365, start, sizeof(start));
        text_format_date(end, stop, sizeof(stop));
        struct rec_input in[9] = {
            rec_in_text("name", arena_printf(ctx->a, "%s %s contract", rec_text(ctx->a, acc, "name"),
                                             TYPE[i % RP_NELEM(TYPE)])),
            rec_in_text("account_id", acc->id),
            rec_in_text("type", TYPE[i % RP_NELEM(TYPE)]),
            rec_in_text("status", status),
            rec_in_text("start_date", start),
            rec_in_text("end_date", stop),
            rec_in_text("value", cents(ctx, 1000000 + (int64_t)rp_demo_rand(d, 50000000))),
            rec_in_text("renewal_terms", "Renews for 12 months unless either side gives 60 days' "
                                         "notice. 除非任何一方提前 60 天通知，合同自动续期 12 个月。"),
        };
        size_t n = 8;
        if (acc->owner_id)
            in[n++] = rec_in_text("owner_id", acc->owner_id);
        struct rec c;
        err = rec_create(ctx, meta_need("contracts"), in, n, &c);
    }
    return err;
}

enum rp_err cm__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    enum { N = RP_NELEM(FAMILIES) * RP_NELEM(SIZES) };
    const char *products[N];
    int64_t prices[N];
    struct rec_input lh[] = {
        rec_in_text("company_name", "Rapport Demo Industrial Ltd. 瑞普演示工业有限公司"),
        rec_in_text("address", "88 Century Avenue, Pudong, Shanghai 200120, China\n上海市浦东新区"
                               "世纪大道 88 号"),
        rec_in_text("phone", "+86 21 5555 0100"), rec_in_text("email", "sales@example.com"),
        rec_in_text("website", "https://example.com"), rec_in_text("tax_id", "91310000MA1FL0000X"),
        rec_in_text("footer", "Bank: Example Bank Shanghai Branch, account 6222 0000 0000 0000"),
    };
    struct rec letterhead;
    enum rp_err err = create(ctx, "letterheads", lh, RP_NELEM(lh), &letterhead);
    if (!err)
        err = catalogue(d, products, prices);
    /* The account of the framework agreement: the first one. */
    const struct rec_param P[] = {{RP_STR("sort"), RP_STR("created_at")},
                                  {RP_STR("limit"), RP_STR("100")}};
    const struct entity_def *ae = meta_need("accounts");
    struct rec_query *q;
    struct rec_page first = {0};
    if (!err)
        err = rec_query_parse(ctx, ae, P, RP_NELEM(P), &q);
    if (!err)
        err = rec_list(ctx, ae, q, &first);
    if (!err)
        err = price_lists(d, products, prices, N, first.nrows ? first.rows[0].id : NULL);
    if (!err)
        err = quotes(d, products, N);
    if (!err)
        err = orders_and_contracts(d, products, N, &first);
    if (!err)
        d->notes[d->nnotes++] = "products and quotes: 64 products in English and Chinese (2 "
                                "configurable), 3 price lists, quotes in every status, 80 orders, 40 contracts";
    return err;
}
