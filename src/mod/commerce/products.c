/* Products and their categories: a product has a SKU, a name and a description in
 * English and Chinese, a unit, a list price and a cost in its currency, a tax rate,
 * and, when it is a bundle, the products it is made of with their quantities. */
#include "core/common.h"

#include <jansson.h>

#include "mod/commerce/commerce.h"

static const struct field_def CATEGORY_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "name_zh", .label = "Chinese name", .label_zh = "中文名称", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "parent_id", .label = "Parent category", .label_zh = "上级分类", .type = FT_REF,
     .ref_entity = "product_categories", .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .group = "overview"},
};

const struct entity_def cm__categories = {
    .name = "product_categories",
    .label = "Product category",
    .label_plural = "Product categories",
    .label_zh = "产品分类",
    .label_plural_zh = "产品分类",
    .fields = CATEGORY_FIELDS,
    .nfields = RP_NELEM(CATEGORY_FIELDS),
    .title_field = "name",
    .default_sort = "name",
};

static const char *const UNITS[] = {"piece", "set", "box", "kg", "metre", "litre", "hour",
                                    "day", "month", "year", "licence", NULL};
static const char *const UNIT_LABELS[] = {"Piece", "Set", "Box", "Kilogram", "Metre", "Litre",
                                          "Hour", "Day", "Month", "Year", "Licence", NULL};
static const char *const UNIT_LABELS_ZH[] = {"件", "套", "箱", "千克", "米", "升",
                                             "小时", "天", "月", "年", "许可", NULL};
static const struct meta_range TAX_RANGE = {0, CM_BP};

static const struct field_def PRODUCT_FIELDS[] = {
    {.name = "sku", .label = "SKU", .label_zh = "产品编码", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 64,
     .group = "overview"},
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "name_zh", .label = "Chinese name", .label_zh = "中文名称", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "category_id", .label = "Category", .label_zh = "分类", .type = FT_REF,
     .ref_entity = "product_categories", .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "external_id", .label = "External ID", .label_zh = "外部编号", .type = FT_STRING,
     .flags = FF_UNIQUE | FF_INDEXED, .maxlen = 100, .group = "overview"},
    {.name = "active", .label = "Active", .label_zh = "在售", .type = FT_BOOL,
     .flags = FF_INDEXED | FF_LIST, .def = "true", .group = "overview"},
    {.name = "unit", .label = "Unit", .label_zh = "单位", .type = FT_ENUM, .enum_values = UNITS,
     .enum_labels = UNIT_LABELS, .enum_labels_zh = UNIT_LABELS_ZH, .flags = FF_REQUIRED,
     .def = "piece", .group = "overview"},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .enum_values = meta_currencies, .enum_labels = meta_currency_labels,
     .enum_labels_zh = meta_currency_labels_zh, .flags = FF_REQUIRED, .def = "USD",
     .group = "price"},
    {.name = "list_price", .label = "List price", .label_zh = "标价", .type = FT_MONEY,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .range = &meta_range_amount,
     .currency_field = "currency", .group = "price"},
    {.name = "cost", .label = "Cost", .label_zh = "成本", .type = FT_MONEY,
     .range = &meta_range_amount, .currency_field = "currency", .group = "price"},
    {.name = "tax_rate", .label = "Tax rate (basis points: 1300 = 13%)",
     .label_zh = "税率（万分比：1300 即 13%）", .type = FT_INT, .range = &TAX_RANGE, .def = "0",
     .group = "price"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
    {.name = "description_zh", .label = "Chinese description", .label_zh = "中文描述",
     .type = FT_TEXT, .flags = FF_SEARCH, .group = "description"},
    {.name = "options", .label = "Configuration options", .label_zh = "配置选项", .type = FT_JSON,
     .maxlen = 65536, .group = "configuration",
     .help = "Option groups with prices and rules: {\"groups\": [...], \"rules\": [...]}"},
    {.name = "components", .label = "Bundle of", .label_zh = "组合包含", .type = FT_JSON,
     .maxlen = 16384, .group = "bundle",
     .help = "A bundle: a list of {\"product_id\": …, \"quantity\": …}"},
};

const struct entity_def cm__products = {
    .name = "products",
    .label = "Product",
    .label_plural = "Products",
    .label_zh = "产品",
    .label_plural_zh = "产品",
    .fields = PRODUCT_FIELDS,
    .nfields = RP_NELEM(PRODUCT_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_EXTERNAL_ID,
};

enum rp_err cm__validate_category(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    return rec_check_tree(ctx, r, old, "parent_id", CM_MAX_CATEGORY_DEPTH);
}

/* Whether the product `id` holds `target` among its components, at any depth (read as
 * the system): a component that would make a bundle part of itself. Each product is
 * walked once; past CM_MAX_BUNDLE_WALK products the bundle is too large to check. */
static enum rp_err holds(struct rec_ctx *ctx, const char *id, const char *target, bool *found)
{
    const char **todo = arena_calloc(ctx->a, CM_MAX_BUNDLE_WALK, sizeof(*todo));
    size_t n = 0, next = 0;
    todo[n++] = id;
    enum rp_err err = RP_OK;
    while (!err && !*found && next < n) {
        struct rec p;
        err = rec_get(ctx, meta_need("products"), rp_str_c(todo[next++]), &p);
        if (err == RP_ENOTFOUND) {
            err = RP_OK;
            continue;
        }
        const struct rec_value *v = err ? NULL : rec_field(&p, "components");
        json_t *list = !v || v->null ? NULL : json_loadb(v->s, v->len, 0, NULL);
        for (size_t i = 0; !err && !*found && i < json_array_size(list); i++) {
            const char *c = json_string_value(json_object_get(json_array_get(list, i), "product_id"));
            bool seen = !c;
            for (size_t k = 0; !seen && k < n; k++)
                seen = strcmp(todo[k], c) == 0;
            if (seen)
                continue;
            if (strcmp(c, target) == 0)
                *found = true;
            else if (n == CM_MAX_BUNDLE_WALK)
                err = rec_field_error(ctx, "components",
                                      "bundles inside this bundle hold more than %u products",
                                      CM_MAX_BUNDLE_WALK);
            else
                todo[n++] = arena_strdup(ctx->a, c);
        }
        json_decref(list);
    }
    return err;
}

/* Checks a bundle's components and writes them back in one form: a list of
 * {"product_id", "quantity"}, each an existing product other than the bundle, once,
 * none holding the bundle itself. */
static enum rp_err check_components(struct rec_ctx *ctx, struct rec *r)
{
    const struct rec_value *v = rec_field(r, "components");
    json_t *list = json_loadb(v->s, v->len, 0, NULL);
    size_t n = json_array_size(list);
    if (!json_is_array(list) || n > CM_MAX_COMPONENTS) {
        json_decref(list);
        return rec_field_error(ctx, "components",
                               "must be a list of at most %u products with quantities",
                               CM_MAX_COMPONENTS);
    }
    json_t *out = json_array();
    const char *saved = rec_system_begin(ctx, "bundle");
    enum rp_err err = RP_OK;
    for (size_t i = 0; !err && i < n; i++) {
        json_t *o = json_array_get(list, i);
        const char *id = json_string_value(json_object_get(o, "product_id"));
        json_t *q = json_object_get(o, "quantity");
        if (!id || !json_is_integer(q) || json_integer_value(q) < 1 ||
            json_integer_value(q) > CM_MAX_QUANTITY) {
            err = rec_field_error(ctx, "components",
                                  "component %zu needs a product_id and a whole quantity from 1",
                                  i + 1);
            break;
        }
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(id, json_string_value(json_object_get(json_array_get(list, k),
                                                                        "product_id"))) == 0;
        struct rec p;
        bool loop = r->id && strcmp(id, r->id) == 0;
        if (!loop && !seen && (err = rec_get(ctx, meta_need("products"), rp_str_c(id), &p))) {
            if (err == RP_ENOTFOUND)
                err = rec_field_error(ctx, "components", "component %zu is not a product", i + 1);
            break;
        }
        if (!loop && !seen && r->id && (err = holds(ctx, id, r->id, &loop)))
            break;
        if (loop) {
            err = rec_field_error(ctx, "components", "a bundle cannot contain itself");
            break;
        }
        if (seen) {
            err = rec_field_error(ctx, "components", "component %zu is listed twice", i + 1);
            break;
        }
        json_t *c = json_object();
        json_object_set_new(c, "product_id", json_string(id));
        json_object_set_new(c, "quantity", json_integer(json_integer_value(q)));
        json_array_append_new(out, c);
    }
    rec_system_end(ctx, saved);
    if (!err) {
        char *s = json_dumps(out, JSON_COMPACT);
        rec_set_text(r, "components", n && s ? arena_strdup(ctx->a, s) : NULL);
        free(s);
    }
    json_decref(out);
    json_decref(list);
    return err;
}

enum rp_err cm__validate_product(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    enum rp_err err = RP_OK;
    if (!rec_field(r, "components")->null && rec_changed(r, old, "components"))
        err = check_components(ctx, r);
    if (!err && rec_changed(r, old, "options"))
        err = cm__check_options(ctx, r);
    return err;
}
