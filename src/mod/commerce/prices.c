/* Price lists and the price of a product: a list is in one currency, for everyone or
 * for one account, one tier or one category of customers, valid between two days; its
 * entries price products by volume (an entry from 10 units applies to 10 and more). A
 * lookup weighs every list that could apply and answers the one that won, and why. */
#include "core/common.h"

#include <stdlib.h>

#include "core/text.h"
#include "mod/commerce/commerce.h"

/* The values of an account's tier and category (the customers module's): what a list
 * may target. */
static const char *const TIERS[] = {"A", "B", "C", NULL};
static const char *const CATEGORIES[] = {"key", "strategic", "standard", "small", NULL};
static const char *const CATEGORY_LABELS[] = {"Key", "Strategic", "Standard", "Small", NULL};
static const char *const CATEGORY_LABELS_ZH[] = {"重点", "战略", "标准", "小型", NULL};

static const struct field_def LIST_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 120, .group = "overview"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh,
     .flags = FF_REQUIRED | FF_CREATE_ONLY | FF_INDEXED | FF_LIST, .def = "USD",
     .group = "overview"},
    {.name = "active", .label = "Active", .label_zh = "启用", .type = FT_BOOL,
     .flags = FF_LIST, .def = "true", .group = "overview"},
    {.name = "valid_from", .label = "Valid from", .label_zh = "生效日期", .type = FT_DATE,
     .flags = FF_LIST, .group = "overview"},
    {.name = "valid_to", .label = "Valid to", .label_zh = "截止日期", .type = FT_DATE,
     .flags = FF_LIST, .group = "overview"},
    {.name = "account_id", .label = "For account", .label_zh = "适用客户", .type = FT_REF,
     .ref_entity = "accounts", .flags = FF_INDEXED | FF_LIST, .group = "target"},
    {.name = "account_tier", .label = "For tier", .label_zh = "适用等级", .type = FT_ENUM,
     .enum_values = TIERS, .enum_labels = TIERS, .enum_labels_zh = TIERS, .group = "target"},
    {.name = "account_category", .label = "For category", .label_zh = "适用类别",
     .type = FT_ENUM, .enum_values = CATEGORIES, .enum_labels = CATEGORY_LABELS,
     .enum_labels_zh = CATEGORY_LABELS_ZH, .group = "target"},
    {.name = "external_id", .label = "External ID", .label_zh = "外部编号", .type = FT_STRING,
     .flags = FF_UNIQUE | FF_INDEXED, .maxlen = 100, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .group = "target"},
};

const struct entity_def cm__price_lists = {
    .name = "price_lists",
    .label = "Price list",
    .label_plural = "Price lists",
    .label_zh = "价格表",
    .label_plural_zh = "价格表",
    .fields = LIST_FIELDS,
    .nfields = RP_NELEM(LIST_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_EXTERNAL_ID,
};

static const struct meta_range QUANTITY_RANGE = {1, CM_MAX_QUANTITY};

static const struct field_def ITEM_FIELDS[] = {
    {.name = "price_list_id", .label = "Price list", .label_zh = "价格表", .type = FT_REF,
     .ref_entity = "price_lists", .flags = FF_REQUIRED | FF_CREATE_ONLY | FF_INDEXED | FF_LIST,
     .group = "overview"},
    {.name = "name", .label = "Entry", .label_zh = "条目", .type = FT_STRING,
     .flags = FF_READONLY | FF_SEARCH, .maxlen = 240, .group = "overview"},
    {.name = "product_id", .label = "Product", .label_zh = "产品", .type = FT_REF,
     .ref_entity = "products", .flags = FF_REQUIRED | FF_LIST, .group = "overview"},
    {.name = "min_quantity", .label = "From quantity", .label_zh = "起订数量", .type = FT_INT,
     .flags = FF_REQUIRED | FF_LIST, .def = "1", .range = &QUANTITY_RANGE, .group = "overview"},
    {.name = "unit_price", .label = "Unit price", .label_zh = "单价", .type = FT_MONEY,
     .flags = FF_REQUIRED | FF_LIST, .range = &meta_range_amount, .currency_field = "currency",
     .group = "overview"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_READONLY | FF_LIST,
     .group = "overview"},
    {.name = "external_id", .label = "External ID", .label_zh = "外部编号", .type = FT_STRING,
     .flags = FF_UNIQUE | FF_INDEXED, .maxlen = 100, .group = "overview"},
};

const struct entity_def cm__price_list_items = {
    .name = "price_list_items",
    .label = "Price list entry",
    .label_plural = "Price list entries",
    .label_zh = "价格条目",
    .label_plural_zh = "价格条目",
    .fields = ITEM_FIELDS,
    .nfields = RP_NELEM(ITEM_FIELDS),
    .title_field = "name",
    .default_sort = "min_quantity",
    /* A lookup reads a product's entries, smallest volumes first. */
    .indexes = "product_id,min_quantity",
    .flags = EF_OWN_SCREEN | EF_EXTERNAL_ID,
};

enum rp_err cm__validate_price_list(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    int targets = !rec_field(r, "account_id")->null + !rec_field(r, "account_tier")->null +
                  !rec_field(r, "account_category")->null;
    if (targets > 1)
        rec_field_error(ctx, "account_id",
                        "a price list is for one account, one tier or one category, or for "
                        "everyone: not for several");
    const struct rec_value *from = rec_field(r, "valid_from"), *to = rec_field(r, "valid_to");
    if (!from->null && !to->null && strcmp(to->s, from->s) < 0)
        rec_field_error(ctx, "valid_to", "must not be before valid_from");
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

enum rp_err cm__validate_item(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const char *list_id = rec_text(ctx->a, r, "price_list_id");
    if (!old) {
        /* The entry's currency is its list's, which never changes. */
        struct rec list;
        const char *saved = rec_system_begin(ctx, "price list entry");
        enum rp_err err = rec_get(ctx, meta_need("price_lists"), rp_str_c(list_id), &list);
        rec_system_end(ctx, saved);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "price_list_id", "no %s with this id",
                                   rec_label(ctx, meta_need("price_lists")));
        if (err)
            return err;
        rec_set_text(r, "currency", rec_text(ctx->a, &list, "currency"));
    }
    if (old && !rec_changed(r, old, "product_id") && !rec_changed(r, old, "min_quantity"))
        return RP_OK;
    /* Its name, for lists and search, in no language: the product's and the volume
     * ("Flow sensor ≥ 10"), as they are now. */
    struct rec product;
    const char *saved = rec_system_begin(ctx, "price list entry");
    enum rp_err found = rec_get(ctx, meta_need("products"),
                                rp_str_c(rec_text(ctx->a, r, "product_id")), &product);
    rec_system_end(ctx, saved);
    if (found == RP_OK)
        rec_set_text(r, "name", arena_printf(ctx->a, "%s ≥ %lld", rec_text(ctx->a, &product, "name"),
                                             (long long)rec_field(r, "min_quantity")->i));
    else if (found != RP_ENOTFOUND) /* the engine names a bad reference */
        return found;
    bool taken = false;
    enum rp_err err = cm__sql_item_taken(ctx, list_id, rec_text(ctx->a, r, "product_id"),
                                         rec_field(r, "min_quantity")->i, r->id, &taken);
    if (!err && taken)
        err = rec_field_error(ctx, "min_quantity",
                              "this price list already prices the product from this quantity");
    return err;
}

/* How a candidate matches the buyer: CM_MATCH_NONE when it targets someone else. */
static enum cm_match match_of(const struct cm_candidate *c, const struct cm_buyer *b)
{
    if (c->account_id)
        return b->account_id && strcmp(c->account_id, b->account_id) == 0 ? CM_MATCH_ACCOUNT
                                                                           : CM_MATCH_NONE;
    if (c->tier)
        return b->tier && strcmp(c->tier, b->tier) == 0 ? CM_MATCH_TIER : CM_MATCH_NONE;
    if (c->category)
        return b->category && strcmp(c->category, b->category) == 0 ? CM_MATCH_CATEGORY
                                                                     : CM_MATCH_NONE;
    return CM_MATCH_DEFAULT;
}

/* Whether candidate a beats b, both of the same match. */
static bool beats(const struct cm_candidate *a, const struct cm_candidate *b)
{
    int from = strcmp(a->valid_from ? a->valid_from : "", b->valid_from ? b->valid_from : "");
    if (from)
        return from > 0;
    if (a->unit_price != b->unit_price)
        return a->unit_price < b->unit_price;
    return strcmp(a->list_id, b->list_id) < 0;
}

void cm_choose(const struct cm_candidate *c, size_t n, const struct cm_buyer *buyer,
               struct cm_price *out)
{
    *out = (struct cm_price){.considered = n};
    const struct cm_candidate *best = NULL;
    for (size_t i = 0; i < n; i++) {
        enum cm_match m = match_of(&c[i], buyer);
        if (m == CM_MATCH_NONE)
            continue;
        if (!best || m > out->match || (m == out->match && beats(&c[i], best))) {
            best = &c[i];
            out->match = m;
        }
    }
    if (!best)
        return;
    out->found = true;
    out->unit_price = best->unit_price;
    out->min_quantity = best->min_quantity;
    out->list_id = best->list_id;
    out->list_name = best->list_name;
}

/* Why the lookup answered what it did, in the caller's language. */
static const char *reason(struct rec_ctx *ctx, const struct cm_price *p, const char *currency,
                          const struct cm_buyer *b)
{
    const char *base;
    switch (p->match) {
    case CM_MATCH_ACCOUNT:
        base = rec_msgf(ctx, "the price list for this account");
        break;
    case CM_MATCH_TIER:
        base = rec_msgf(ctx, "the price list for tier %s accounts", b->tier);
        break;
    case CM_MATCH_CATEGORY:
        base = rec_msgf(ctx, "the price list for accounts of category %s", b->category);
        break;
    case CM_MATCH_DEFAULT:
        base = rec_msgf(ctx, "the price list for every customer");
        break;
    case CM_MATCH_NONE:
    default:
        return p->found ? rec_msgf(ctx, "the product's list price: no price list of %s prices it "
                                        "for this customer",
                                   currency)
                        : rec_msgf(ctx, "no price list of %s prices the product for this "
                                        "customer, and its list price is in another currency",
                                   currency);
    }
    const char *vol = p->min_quantity > 1
                          ? rec_msgf(ctx, ", the volume price from %lld units",
                                     (long long)p->min_quantity)
                          : "";
    const char *weighed = p->considered == 1
                              ? rec_msgf(ctx, " (1 price list weighed)")
                              : rec_msgf(ctx, " (%zu price lists weighed)", p->considered);
    return arena_printf(ctx->a, "%s%s%s", base, vol, weighed);
}

enum rp_err cm_buyer_of(struct rec_ctx *ctx, const char *account_id, struct cm_buyer *out)
{
    *out = (struct cm_buyer){0};
    if (!account_id)
        return RP_OK;
    struct rec a;
    const char *saved = rec_system_begin(ctx, "price lookup");
    enum rp_err err = rec_get(ctx, meta_need("accounts"), rp_str_c(account_id), &a);
    rec_system_end(ctx, saved);
    if (err)
        return err;
    out->account_id = account_id;
    out->tier = rec_text(ctx->a, &a, "tier");
    if (!out->tier)
        out->tier = rec_text(ctx->a, &a, "tier_computed");
    out->category = rec_text(ctx->a, &a, "category");
    return RP_OK;
}

/* By product, list, and the largest volume first (bytes, as strcmp: the database's
 * collation may order ids otherwise). */
static int offer_order(const void *x, const void *y)
{
    const struct cm_offer *a = x, *b = y;
    int c = strcmp(a->product_id, b->product_id);
    if (!c)
        c = strcmp(a->c.list_id, b->c.list_id);
    if (!c)
        c = (a->c.min_quantity < b->c.min_quantity) - (a->c.min_quantity > b->c.min_quantity);
    return c;
}

enum rp_err cm_pricer_load(struct rec_ctx *ctx, struct cm_pricer *p, const char *const *ids,
                           size_t n)
{
    enum rp_err err = cm__sql_offers(ctx, ids, n, p->currency, p->day, p->price_list_id,
                                     &p->offers, &p->noffers);
    if (err == RP_EFORBIDDEN) /* a role that reads no price list gets list prices */
        return RP_OK;
    if (!err && p->noffers)
        qsort(p->offers, p->noffers, sizeof(*p->offers), offer_order);
    return err;
}

void cm_pricer_price(struct rec_ctx *ctx, const struct cm_pricer *p, const struct rec *product,
                     int64_t quantity, struct cm_price *out)
{
    const char *own = rec_text(ctx->a, product, "currency");
    const char *currency = p->currency ? p->currency : own;
    /* The product's offers: a run of the sorted offers, found by binary search. */
    size_t lo = 0, hi = p->noffers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->offers[mid].product_id, product->id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    struct cm_candidate c[CM_MAX_CANDIDATES];
    size_t n = 0;
    for (size_t i = lo; i < p->noffers && strcmp(p->offers[i].product_id, product->id) == 0; i++) {
        const struct cm_candidate *o = &p->offers[i].c;
        /* Each list's largest volume at or below the quantity: its first such entry. */
        if (o->min_quantity > quantity || (n && strcmp(c[n - 1].list_id, o->list_id) == 0))
            continue;
        if (n < CM_MAX_CANDIDATES)
            c[n++] = *o;
    }
    cm_choose(c, n, p->buyer, out);
    if (!out->found && !p->price_list_id && strcmp(currency, own) == 0) {
        out->found = true;
        out->unit_price = rec_field(product, "list_price")->i;
        out->min_quantity = 1;
    }
    out->reason = reason(ctx, out, currency, p->buyer);
}

enum rp_err cm_price_of(struct rec_ctx *ctx, const struct rec *product,
                        const struct cm_buyer *buyer, int64_t quantity, const char *day,
                        const char *currency, const char *price_list_id, struct cm_price *out)
{
    struct cm_pricer p = {.buyer = buyer,
                          .currency = currency ? currency : rec_text(ctx->a, product, "currency"),
                          .day = day, .price_list_id = price_list_id};
    const char *id = product->id;
    enum rp_err err = cm_pricer_load(ctx, &p, &id, 1);
    if (!err)
        cm_pricer_price(ctx, &p, product, quantity, out);
    return err;
}
