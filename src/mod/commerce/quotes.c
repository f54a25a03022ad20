/* Quotes: a numbered offer to an account in one currency, its lines priced from the
 * price lists, its totals computed in the same write as its lines; draft → sent →
 * accepted, rejected or expired, frozen once sent (a change is a new version, which
 * keeps the number); the deal's primary quote sets the deal's amount. */
#include "core/common.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/text.h"
#include "mod/commerce/commerce.h"

static const char *const STATUS[] = {"draft", "sent", "accepted", "rejected", "expired", NULL};
static const char *const STATUS_LABELS[] = {"Draft", "Sent", "Accepted", "Rejected", "Expired",
                                            NULL};
static const char *const STATUS_LABELS_ZH[] = {"草稿", "已发送", "已接受", "已拒绝", "已过期",
                                               NULL};

static const char *const APPROVAL[] = {"not_needed", "needed", "requested", "approved",
                                       "rejected", NULL};
static const char *const APPROVAL_LABELS[] = {"Not needed", "Needed", "Requested", "Approved",
                                              "Rejected", NULL};
static const char *const APPROVAL_LABELS_ZH[] = {"无需审批", "需要审批", "已申请", "已批准",
                                                 "已驳回", NULL};

static const struct field_def FIELDS[] = {
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
    {.name = "is_primary", .label = "Primary quote of the deal", .label_zh = "商机的主报价",
     .type = FT_BOOL, .def = "false", .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = STATUS, .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .def = "draft", .group = "overview"},
    {.name = "revision", .label = "Version", .label_zh = "版本", .type = FT_INT,
     .flags = FF_READONLY, .def = "1", .group = "overview"},
    {.name = "previous_version_id", .label = "Previous version", .label_zh = "上一版本",
     .type = FT_REF, .ref_entity = "quotes", .flags = FF_CREATE_ONLY | FF_INDEXED,
     .group = "overview"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_REQUIRED, .def = "USD",
     .group = "terms"},
    {.name = "price_list_id", .label = "Price list", .label_zh = "价格表", .type = FT_REF,
     .ref_entity = "price_lists", .group = "terms"},
    {.name = "valid_until", .label = "Valid until", .label_zh = "有效期至", .type = FT_DATE,
     .flags = FF_INDEXED | FF_LIST, .group = "terms"},
    {.name = "terms", .label = "Terms", .label_zh = "条款", .type = FT_TEXT, .group = "terms"},
    CM_PRICED_FIELDS,
    {.name = "max_discount", .label = "Largest discount (basis points)",
     .label_zh = "最大折扣（万分比）", .type = FT_INT, .flags = FF_READONLY, .def = "0",
     .group = "approval"},
    {.name = "approval", .label = "Discount approval", .label_zh = "折扣审批", .type = FT_ENUM,
     .enum_values = APPROVAL, .enum_labels = APPROVAL_LABELS, .enum_labels_zh = APPROVAL_LABELS_ZH,
     .flags = FF_READONLY | FF_INDEXED, .def = "not_needed", .group = "approval"},
    {.name = "approved_by", .label = "Approved by", .label_zh = "审批人", .type = FT_REF,
     .ref_entity = "users", .flags = FF_READONLY, .group = "approval"},
    {.name = "sent_at", .label = "Sent", .label_zh = "发送时间", .type = FT_DATETIME,
     .flags = FF_READONLY, .group = "totals"},
    {.name = "decided_at", .label = "Accepted or rejected", .label_zh = "答复时间",
     .type = FT_DATETIME, .flags = FF_READONLY, .group = "totals"},
};

const struct entity_def cm__quotes = {
    .name = "quotes",
    .label = "Quote",
    .label_plural = "Quotes",
    .label_zh = "报价",
    .label_plural_zh = "报价",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "-created_at",
    .totals = "status,total",
    .flags = EF_TIMELINE,
};

/* What a frozen quote may still change: its status (forward), whether it is its
 * deal's primary quote, and the times its status keeps. */
static bool unfrozen(const char *field)
{
    static const char *const OPEN[] = {"status", "is_primary", "sent_at", "decided_at", NULL};
    for (size_t i = 0; OPEN[i]; i++)
        if (strcmp(field, OPEN[i]) == 0)
            return true;
    return false;
}

/* Whether a quote may move from status `from` to `to`. */
static bool may_move(const char *from, const char *to)
{
    return strcmp(from, to) == 0 || (strcmp(from, "draft") == 0 && strcmp(to, "sent") == 0) ||
           (strcmp(from, "sent") == 0 &&
            (strcmp(to, "accepted") == 0 || strcmp(to, "rejected") == 0 ||
             strcmp(to, "expired") == 0));
}

const char *cm__now(struct rec_ctx *ctx)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime(text_now_ms(), b, 32);
    return b;
}

const char *cm__today(struct rec_ctx *ctx)
{
    char *b = arena_alloc(ctx->a, 16);
    text_format_date(text_now_ms() / 86400000, b, 16);
    return b;
}

/* A number of a line: an integer, or its decimal text, or a real (as JSON text
 * carries one), with at most `scale` fraction digits; absent: *present false. */
static bool line_number(json_t *v, int scale, int64_t *out, bool *present)
{
    *present = v && !json_is_null(v);
    if (!*present)
        return true;
    char buf[64];
    const char *s = buf;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v))
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
    else
        return false;
    return text_parse_money(rp_str_c(s), scale, out) == RP_OK;
}

static json_t *money(int64_t minor)
{
    char b[32];
    text_format_money(minor, 2, b, sizeof(b));
    return json_string(b);
}

/* What one line says, read from its JSON. */
struct line {
    const char *product_id, *description, *price_source, *price_list_id;
    const char **options;     /* the chosen options' keys (a configurable product) */
    size_t noptions;
    bool looked_up;           /* sent with a price it says a lookup gave */
    int64_t quantity, unit_price, discount_bp, discount_amount, tax_bp;
    bool has_price, has_tax;
};

/* The members a line may carry: its inputs, and what a line read back holds besides
 * (a client sends lines back as it got them). */
static const char *const LINE_KEYS[] = {
    "product_id", "description", "quantity", "unit_price", "discount_percent", "discount_amount",
    "tax_rate", "price_source", "price_list_id", "options", "sku", "name", "name_zh", "unit",
    "options_text", "gross", "discount", "net", "tax", "total", NULL};

static bool known_key(const char *k)
{
    for (size_t i = 0; LINE_KEYS[i]; i++)
        if (strcmp(k, LINE_KEYS[i]) == 0)
            return true;
    return false;
}

/* Reads line i (1-based in messages); false with a field error when it is wrong. */
static bool read_line(struct rec_ctx *ctx, json_t *o, size_t i, struct line *l)
{
    *l = (struct line){0};
    if (!json_is_object(o)) {
        rec_field_error(ctx, "lines", "line %zu must be an object", i);
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!known_key(k)) {
            rec_field_error(ctx, "lines", "line %zu: %s is not a member of a line", i, k);
            return false;
        }
    }
    json_t *pid = json_object_get(o, "product_id"), *desc = json_object_get(o, "description");
    if ((pid && !json_is_null(pid) && !json_is_string(pid)) ||
        (desc && !json_is_null(desc) && !json_is_string(desc))) {
        rec_field_error(ctx, "lines", "line %zu: product_id and description are text", i);
        return false;
    }
    l->product_id = json_string_value(pid);
    l->description = json_string_value(desc);
    if (!l->product_id && (!l->description || !*l->description)) {
        rec_field_error(ctx, "lines", "line %zu needs a product or a description", i);
        return false;
    }
    if (l->description && text_utf8_len(rp_str_c(l->description)) > 2000) {
        rec_field_error(ctx, "lines", "line %zu: the description is longer than 2000 characters",
                        i);
        return false;
    }
    json_t *qv = json_object_get(o, "quantity");
    bool q_has = false;
    int64_t bp = 0;
    if (!(json_is_integer(qv) || json_is_string(qv)) || !line_number(qv, 0, &l->quantity, &q_has) ||
        !q_has || l->quantity < 1 || l->quantity > CM_MAX_QUANTITY) {
        rec_field_error(ctx, "lines", "line %zu: quantity must be a whole number from 1 to %lld",
                        i, (long long)CM_MAX_QUANTITY);
        return false;
    }
    if (!line_number(json_object_get(o, "unit_price"), 2, &l->unit_price, &l->has_price) ||
        l->unit_price < 0 || l->unit_price > META_MONEY_MAX) {
        rec_field_error(ctx, "lines", "line %zu: unit_price must be an amount like 1234.50", i);
        return false;
    }
    bool has_pct, has_amt;
    if (!line_number(json_object_get(o, "discount_percent"), 2, &l->discount_bp, &has_pct) ||
        l->discount_bp < 0 || l->discount_bp > CM_BP ||
        !line_number(json_object_get(o, "discount_amount"), 2, &l->discount_amount, &has_amt) ||
        l->discount_amount < 0) {
        rec_field_error(ctx, "lines",
                        "line %zu: a discount is a percent from 0 to 100 or an amount, with at "
                        "most 2 decimals",
                        i);
        return false;
    }
    if (l->discount_bp && l->discount_amount) {
        rec_field_error(ctx, "lines",
                        "line %zu: give a discount as a percent or as an amount, not both", i);
        return false;
    }
    if (!line_number(json_object_get(o, "tax_rate"), 2, &bp, &l->has_tax) || bp < 0 || bp > CM_BP) {
        rec_field_error(ctx, "lines", "line %zu: tax_rate is a percent from 0 to 100", i);
        return false;
    }
    l->tax_bp = bp;
    json_t *opts = json_object_get(o, "options");
    if (opts && !json_is_null(opts)) {
        size_t n = json_array_size(opts);
        bool ok = json_is_array(opts) && n <= CM_MAX_GROUPS * CM_MAX_OPTIONS && l->product_id;
        l->options = arena_calloc(ctx->a, n + 1, sizeof(*l->options));
        for (size_t j = 0; ok && j < n; j++) {
            const char *key = json_string_value(json_array_get(opts, j));
            ok = key != NULL;
            l->options[l->noptions++] = key ? arena_strdup(ctx->a, key) : NULL;
        }
        if (!ok) {
            rec_field_error(ctx, "lines", "line %zu: options are the keys of a product's options",
                            i);
            return false;
        }
    }
    /* A line sent back as it was read says where its price came from: a claim the
     * pricing checks, never takes on trust. */
    const char *src = json_string_value(json_object_get(o, "price_source"));
    l->looked_up = l->has_price && src &&
                   (strcmp(src, "price_list") == 0 || strcmp(src, "list_price") == 0);
    l->price_source = "manual";
    return true;
}

static void set_opt(json_t *o, const char *key, const char *s)
{
    json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static json_t *percent(int64_t bp)
{
    char b[32];
    text_format_money(bp, 2, b, sizeof(b));
    return json_string(b);
}

/* Records by id (bytes, as strcmp). */
static int by_id(const void *x, const void *y)
{
    return strcmp(((const struct rec *)x)->id, ((const struct rec *)y)->id);
}

enum rp_err cm__price_lines(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    bool repricing = old && (rec_changed(r, old, "currency") || rec_changed(r, old, "account_id") ||
                             rec_changed(r, old, "price_list_id"));
    const struct rec_value *v = rec_field(r, "lines");
    json_t *list = v->null ? json_array() : json_loadb(v->s, v->len, 0, NULL);
    if (!json_is_array(list) || json_array_size(list) > CM_MAX_LINES) {
        json_decref(list);
        return rec_field_error(ctx, "lines", "must be a list of at most %u lines", CM_MAX_LINES);
    }
    const char *currency = rec_text(ctx->a, r, "currency");
    const char *list_id = rec_text(ctx->a, r, "price_list_id");
    struct cm_buyer buyer;
    enum rp_err err = cm_buyer_of(ctx, rec_text(ctx->a, r, "account_id"), &buyer);
    if (err == RP_ENOTFOUND) /* the engine names the bad reference */
        err = cm_buyer_of(ctx, NULL, &buyer);
    const char *day = cm__today(ctx);
    /* First the lines as written, then their products and their prices read at once (a
     * statement each, not one per line), then each line priced. */
    size_t nlines = json_array_size(list), nids = 0;
    struct line *ls = arena_calloc(ctx->a, nlines + 1, sizeof(*ls));
    const char **ids = arena_calloc(ctx->a, nlines + 1, sizeof(*ids));
    for (size_t i = 0; !err && i < nlines; i++) {
        if (!read_line(ctx, json_array_get(list, i), i + 1, &ls[i]))
            err = RP_EINVAL;
        else if (ls[i].product_id)
            ids[nids++] = ls[i].product_id;
    }
    struct rec *products = NULL;
    size_t nproducts = 0;
    struct cm_pricer pricer = {.buyer = &buyer, .currency = currency, .day = day,
                               .price_list_id = list_id};
    if (!err) {
        const char *saved = rec_system_begin(ctx, "quote line");
        err = cm__sql_products(ctx, ids, nids, &products, &nproducts);
        rec_system_end(ctx, saved);
    }
    if (!err && nproducts)
        qsort(products, nproducts, sizeof(*products), by_id);
    if (!err)
        err = cm_pricer_load(ctx, &pricer, ids, nids);
    struct cm_totals t = {0};
    json_t *out = json_array();
    for (size_t i = 0; !err && i < nlines; i++) {
        struct line l = ls[i];
        json_t *o = json_object();
        struct rec p;
        bool product = false;
        if (l.product_id) {
            const struct rec key = {.id = l.product_id};
            const struct rec *found =
                nproducts ? bsearch(&key, products, nproducts, sizeof(*products), by_id) : NULL;
            if (!found)
                err = rec_field_error(ctx, "lines", "line %zu: no product with this id", i + 1);
            else
                p = *found;
            product = !err;
            /* A product no longer sold is not offered anew; lines that had it keep it. */
            const struct rec_value *was = old ? rec_field(old, "lines") : NULL;
            bool kept = (was && !was->null && strstr(was->s, l.product_id)) ||
                        (meta_field(r->ent, RP_STR("previous_version_id")) &&
                         !rec_field(r, "previous_version_id")->null);
            if (product && !rec_field(&p, "active")->i && !kept)
                err = rec_field_error(ctx, "lines", "line %zu: %s is no longer sold", i + 1,
                                      rec_text(ctx->a, &p, "name"));
        } else if (!l.has_price) {
            err = rec_field_error(ctx, "lines", "line %zu: a line without a product needs a "
                                                "unit_price",
                                  i + 1);
        }
        /* The lookup, for a line without a price or one that says a lookup gave it. */
        struct cm_price price = {0};
        bool lookup = product && (!l.has_price || l.looked_up);
        if (!err && lookup) {
            cm_pricer_price(ctx, &pricer, &p, l.quantity, &price);
            if (!price.found && (!l.has_price || repricing))
                err = rec_field_error(ctx, "lines",
                                      "line %zu: no price for this product in %s: give a "
                                      "unit_price",
                                      i + 1, currency);
        }
        const char *options_text = NULL;
        int64_t expected = price.unit_price;
        /* A configurable product is configured: its required groups are checked even
         * when the line chose nothing. */
        if (!err && product && (l.options || !rec_field(&p, "options")->null)) {
            struct cm_config cfg;
            size_t before = ctx->nerrors;
            err = cm_configure(ctx, &p, l.options, l.noptions, l.quantity,
                               price.found ? price.unit_price : l.unit_price, currency, day, &cfg);
            /* The rules broken, named on the line. */
            for (size_t k = before; k < ctx->nerrors; k++) {
                ctx->errors[k].field = "lines";
                ctx->errors[k].message =
                    arena_printf(ctx->a, "%s %s", rec_msgf(ctx, "line %zu:", i + 1),
                                 ctx->errors[k].message);
            }
            expected = cfg.unit_price;
            for (size_t k = 0; !err && k < cfg.nchosen; k++)
                options_text = options_text ? arena_printf(ctx->a, "%s; %s", options_text,
                                                           cfg.chosen[k].name)
                                            : cfg.chosen[k].name;
        }
        /* A price looked up now; or one sent back that the lookup still gives, unless
         * the currency, the customer or the price list changed (then the lookup's);
         * any other given price is the user's own. */
        if (!err && price.found && (!l.has_price || repricing || expected == l.unit_price)) {
            l.unit_price = expected;
            l.price_source = price.list_id ? "price_list" : "list_price";
            l.price_list_id = price.list_id;
        }
        if (!err && product && !l.has_tax)
            l.tax_bp = rec_field(&p, "tax_rate")->i;
        struct cm_line_out lo;
        if (!err) {
            struct cm_line_in in = {l.quantity, l.unit_price, l.discount_bp, l.discount_amount,
                                    l.tax_bp};
            err = cm_price_line(&in, &lo);
            if (err == RP_EINVAL)
                err = rec_field_error(ctx, "lines",
                                      "line %zu: the discount is more than the line's amount",
                                      i + 1);
            else if (!err)
                err = cm_add_line(&t, &lo);
            if (err == RP_ERANGE)
                err = rec_field_error(ctx, "lines", "line %zu: the amounts are too large", i + 1);
        }
        if (err) {
            json_decref(o);
            break;
        }
        set_opt(o, "product_id", product ? p.id : NULL);
        set_opt(o, "sku", product ? rec_text(ctx->a, &p, "sku") : NULL);
        set_opt(o, "name", product ? rec_text(ctx->a, &p, "name") : NULL);
        set_opt(o, "name_zh", product ? rec_text(ctx->a, &p, "name_zh") : NULL);
        set_opt(o, "unit", product ? rec_text(ctx->a, &p, "unit") : NULL);
        set_opt(o, "description", l.description);
        if (l.options) {
            json_t *keys = json_array();
            for (size_t k = 0; k < l.noptions; k++)
                json_array_append_new(keys, json_string(l.options[k]));
            json_object_set_new(o, "options", keys);
            set_opt(o, "options_text", options_text);
        }
        json_object_set_new(o, "quantity", json_integer(l.quantity));
        json_object_set_new(o, "unit_price", money(l.unit_price));
        json_object_set_new(o, "price_source", json_string(l.price_source));
        set_opt(o, "price_list_id", l.price_list_id);
        json_object_set_new(o, "discount_percent", percent(l.discount_bp));
        json_object_set_new(o, "discount_amount", money(l.discount_amount));
        json_object_set_new(o, "tax_rate", percent(l.tax_bp));
        json_object_set_new(o, "gross", money(lo.gross));
        json_object_set_new(o, "discount", money(lo.discount));
        json_object_set_new(o, "net", money(lo.net));
        json_object_set_new(o, "tax", money(lo.tax));
        json_object_set_new(o, "total", money(lo.total));
        json_array_append_new(out, o);
    }
    if (!err) {
        char *s = json_dumps(out, JSON_COMPACT);
        if (!s || strlen(s) > CM_MAX_LINES_JSON)
            err = rec_field_error(ctx, "lines", "is too large");
        else
            rec_set_text(r, "lines", arena_strdup(ctx->a, s));
        free(s);
        rec_set_int(r, "subtotal", t.gross);
        rec_set_int(r, "discount_total", t.discount);
        rec_set_int(r, "tax_total", t.tax);
        rec_set_int(r, "total", t.total);
    }
    json_decref(out);
    json_decref(list);
    return err;
}

/* Whether the caller may bind r's deal to it: a primary quote sets its deal's amount, so
 * whoever makes it primary (or moves it to another deal, or restores it) must be allowed
 * to edit that deal. The system may. */
static enum rp_err may_bind_deal(struct rec_ctx *ctx, const struct rec *r)
{
    const char *opp = rec_text(ctx->a, r, "opportunity_id");
    if (ctx->system || !opp || !rec_field(r, "is_primary")->i)
        return RP_OK;
    struct rec deal;
    const struct entity_def *oe = meta_need("opportunities");
    enum rp_err err = rec_get(ctx, oe, rp_str_c(opp), &deal);
    bool ok = false;
    if (!err)
        err = rec_may(ctx, oe, &deal, ACL_EDIT, &ok);
    if (err == RP_ENOTFOUND) /* the engine names a bad reference */
        return RP_OK;
    if (!err && !ok)
        err = rec_field_error(ctx, "is_primary",
                              "the primary quote sets its deal's amount: your role may not change "
                              "this deal");
    return err;
}

/* A new version: its predecessor must be a quote the caller reads, no longer a draft
 * and not revised yet; the version keeps its number. */
static enum rp_err take_version(struct rec_ctx *ctx, struct rec *r)
{
    const char *prev_id = rec_text(ctx->a, r, "previous_version_id");
    struct rec prev;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), rp_str_c(prev_id), &prev);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, "previous_version_id", "no %s with this id",
                               rec_label(ctx, meta_need("quotes")));
    if (err)
        return err;
    if (rec_is(&prev, "status", "draft"))
        return rec_field_error(ctx, "previous_version_id",
                               "a draft is changed as it is: only a sent quote gets a new version");
    int64_t later = 0;
    if ((err = cm__sql_versions_after(ctx, prev.id, &later)))
        return err;
    if (later)
        return rec_field_error(ctx, "previous_version_id",
                               "this version has a newer one already: revise the newest");
    rec_set_text(r, "number", rec_text(ctx->a, &prev, "number"));
    rec_set_int(r, "revision", rec_field(&prev, "revision")->i + 1);
    return RP_OK;
}

enum rp_err cm__validate_quote(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const char *to = rec_text(ctx->a, r, "status");
    enum rp_err err = RP_OK;
    if ((!old || rec_changed(r, old, "is_primary") || rec_changed(r, old, "opportunity_id")) &&
        (err = may_bind_deal(ctx, r)))
        return err;
    if (!old) {
        if (strcmp(to, "draft") != 0)
            return rec_field_error(ctx, "status", "a new quote is a draft");
        if (!rec_field(r, "previous_version_id")->null) {
            err = take_version(ctx, r);
        } else {
            int64_t n;
            if (!(err = rec_next_number(ctx, CM_QUOTE_COUNTER, &n)))
                rec_set_text(r, "number",
                             arena_printf(ctx->a, CM_QUOTE_PREFIX "%06lld", (long long)n));
        }
        if (!err)
            err = cm__price_lines(ctx, r, old);
        return err ? err : cm__check_discount(ctx, r, NULL);
    }
    const char *from = rec_text(ctx->a, old, "status");
    if (!may_move(from, to))
        return rec_field_error(ctx, "status",
                               "a quote goes from draft to sent, then to accepted, rejected or "
                               "expired");
    if (strcmp(from, "draft") != 0) {
        for (size_t i = 0; i < r->ent->nfields; i++) {
            const char *f = r->ent->fields[i].name;
            if (!unfrozen(f) && !(r->ent->fields[i].flags & FF_CUSTOM) && rec_changed(r, old, f))
                rec_field_error(ctx, f, "a sent quote does not change: make a new version");
        }
        if (ctx->nerrors)
            return RP_EINVAL;
    } else {
        if ((rec_changed(r, old, "lines") || rec_changed(r, old, "currency") ||
             rec_changed(r, old, "price_list_id") || rec_changed(r, old, "account_id")) &&
            (err = cm__price_lines(ctx, r, old)))
            return err;
        if ((err = cm__check_discount(ctx, r, old)))
            return err;
    }
    if (strcmp(from, to) != 0 && strcmp(to, "sent") == 0) {
        const struct rec_value *lines = rec_field(r, "lines");
        if (lines->null || strcmp(lines->s, "[]") == 0)
            return rec_field_error(ctx, "lines", "a quote is sent with one line at least");
        if (!rec_is(r, "approval", "not_needed") && !rec_is(r, "approval", "approved"))
            return rec_field_error(ctx, "status",
                                   "the discount is over the owner's limit: a manager approves it "
                                   "before the quote is sent");
        rec_set_text(r, "sent_at", cm__now(ctx));
    }
    if (strcmp(from, to) != 0 && (strcmp(to, "accepted") == 0 || strcmp(to, "rejected") == 0))
        rec_set_text(r, "decided_at", cm__now(ctx));
    return RP_OK;
}

/* r, a primary quote of a deal, takes it over: the deal takes its total and currency,
 * and the deal's other primary quotes stop being primary — as the system, once the
 * caller was found to be allowed (may_bind_deal). */
static enum rp_err take_over_deal(struct rec_ctx *ctx, const struct rec *r)
{
    const char *opp_id = rec_text(ctx->a, r, "opportunity_id");
    const char *saved = rec_system_begin(ctx, "primary quote");
    const char **ids;
    size_t n = 0;
    enum rp_err err = cm__sql_other_primaries(ctx, opp_id, r->id, &ids, &n);
    struct rec_input off = {.field = rp_str_c("is_primary"), .kind = IN_BOOL, .b = false};
    struct rec tmp;
    for (size_t i = 0; !err && i < n; i++)
        err = rec_update(ctx, r->ent, rp_str_c(ids[i]), &off, 1, -1, &tmp);
    const struct entity_def *oe = meta_need("opportunities");
    struct rec deal;
    if (!err)
        err = rec_get(ctx, oe, rp_str_c(opp_id), &deal);
    const char *total = rec_value_text(ctx->a, meta_field(r->ent, rp_str_c("total")),
                                       rec_field(r, "total"));
    if (!err && (rec_field(&deal, "amount")->null ||
                 rec_field(&deal, "amount")->i != rec_field(r, "total")->i ||
                 !rec_is(&deal, "currency", rec_text(ctx->a, r, "currency")))) {
        struct rec_input in[] = {
            {.field = rp_str_c("amount"), .kind = IN_STRING, .s = total, .len = strlen(total)},
            rec_in_text("currency", rec_text(ctx->a, r, "currency")),
        };
        err = rec_update(ctx, oe, rp_str_c(opp_id), in, RP_NELEM(in), -1, &tmp);
    }
    rec_system_end(ctx, saved);
    return err == RP_ENOTFOUND ? RP_OK : err;
}

enum rp_err cm__quote_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!rec_field(r, "is_primary")->i || rec_field(r, "opportunity_id")->null)
        return RP_OK;
    if (old && !rec_changed(r, old, "is_primary") && !rec_changed(r, old, "total") &&
        !rec_changed(r, old, "currency") && !rec_changed(r, old, "opportunity_id"))
        return RP_OK;
    return take_over_deal(ctx, r);
}

enum rp_err cm__quote_restored(struct rec_ctx *ctx, struct rec *r)
{
    if (!rec_field(r, "is_primary")->i || rec_field(r, "opportunity_id")->null)
        return RP_OK;
    /* A primary quote comes back as its deal's primary quote. */
    enum rp_err err = may_bind_deal(ctx, r);
    if (!err && ctx->nerrors)
        err = RP_EINVAL;
    return err ? err : take_over_deal(ctx, r);
}

enum rp_err cm__before_delete_quote(struct rec_ctx *ctx, const struct rec *r)
{
    if (rec_is(r, "status", "accepted"))
        return rec_fail(ctx, RP_ECONFLICT, "an accepted quote is kept: it is the customer's word");
    return RP_OK;
}

/* A quote's lines for its next version: a line whose product has since been deleted
 * becomes a free-text line naming it, at its price, so the version can still be made. */
static const char *carry_lines(struct rec_ctx *ctx, const char *text)
{
    json_t *lines = json_loads(text, 0, NULL);
    bool changed = false;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        const char *pid = json_string_value(json_object_get(l, "product_id"));
        struct rec p;
        const char *saved = rec_system_begin(ctx, "quote version");
        enum rp_err err = pid ? rec_get(ctx, meta_need("products"), rp_str_c(pid), &p) : RP_OK;
        rec_system_end(ctx, saved);
        if (err != RP_ENOTFOUND)
            continue;
        const char *name = json_string_value(json_object_get(l, "name"));
        const char *sku = json_string_value(json_object_get(l, "sku"));
        const char *desc = json_string_value(json_object_get(l, "description"));
        const char *what = name && sku ? arena_printf(ctx->a, "%s (%s)", name, sku)
                           : name      ? name
                                       : sku;
        if (desc)
            what = what ? arena_printf(ctx->a, "%s — %s", what, desc) : desc;
        json_object_set_new(l, "description", json_string(what ? what : "?"));
        static const char *const DROP[] = {"product_id", "price_source", "price_list_id",
                                           "options", "options_text"};
        for (size_t k = 0; k < RP_NELEM(DROP); k++)
            json_object_del(l, DROP[k]);
        changed = true;
    }
    char *s = changed ? json_dumps(lines, JSON_COMPACT) : NULL;
    const char *out = s ? arena_strdup(ctx->a, s) : text;
    free(s);
    json_decref(lines);
    return out;
}

enum rp_err cm_revise(struct rec_ctx *ctx, struct rp_str id, struct rec *out)
{
    struct rec q;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), id, &q);
    /* A new version replaces the quote for its customer: whoever may change it. */
    if (!err)
        err = rec_check_action(ctx, q.ent, &q, ACL_EDIT, MSG("revise"));
    if (err)
        return err;
    static const char *const COPY[] = {"name", "account_id", "contact_id", "opportunity_id",
                                       "currency", "price_list_id", "valid_until", "terms",
                                       "lines", NULL};
    struct rec_input in[16];
    size_t n = 0;
    for (size_t i = 0; COPY[i]; i++) {
        const struct rec_value *v = rec_field(&q, COPY[i]);
        if (v->null)
            continue;
        in[n] = rec_in_text(COPY[i], arena_strndup(ctx->a, v->s, v->len));
        if (strcmp(COPY[i], "lines") == 0) {
            in[n] = rec_in_text(COPY[i], carry_lines(ctx, in[n].s));
            in[n].kind = IN_JSON;
        }
        n++;
    }
    in[n++] = rec_in_text("previous_version_id", q.id);
    in[n++] = (struct rec_input){.field = rp_str_c("is_primary"), .kind = IN_BOOL,
                                 .b = rec_field(&q, "is_primary")->i != 0};
    if ((err = rec_tx_begin(ctx)))
        return err;
    err = rec_create(ctx, meta_need("quotes"), in, n, out);
    return rec_tx_end(ctx, err);
}

enum rp_err cm__expire_quotes(struct rec_ctx *ctx)
{
    const char **ids;
    size_t n = 0;
    enum rp_err err = cm__sql_expired(ctx, cm__today(ctx), 500, &ids, &n);
    struct rec_input in = rec_in_text("status", "expired");
    for (size_t i = 0; !err && i < n; i++) {
        struct rec tmp;
        if ((err = rec_tx_begin(ctx)))
            break;
        err = rec_tx_end(ctx, rec_update(ctx, meta_need("quotes"), rp_str_c(ids[i]), &in, 1, -1, &tmp));
    }
    return err;
}
