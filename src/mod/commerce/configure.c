/* The configurator: a configurable product has option groups (required or optional,
 * with a least and a most number of choices), options with a price change (an amount
 * in the product's currency, or a percent of the base price), and rules: an option
 * requires another, excludes another, or allows only some quantities. A configuration
 * is checked against all of them at once — every broken rule is named — and priced:
 * the base price for the buyer plus each chosen option's change. */
#include "core/common.h"

#include <jansson.h>

#include "core/text.h"
#include "mod/commerce/commerce.h"

/* A product's `options`, read: groups and options by key, and the rules. */
struct opt {
    const char *key, *name, *name_zh, *group;
    int64_t amount; /* minor units, or basis points when percent */
    bool percent;
};
struct group {
    const char *key, *name, *name_zh;
    bool required;
    int64_t min, max;
};
struct rule {
    const char *kind, *option, *other;
    int64_t min, max;
};
struct model {
    struct group *groups;
    size_t ngroups;
    struct opt *opts;
    size_t nopts;
    struct rule *rules;
    size_t nrules;
};

static const char *str(struct rec_ctx *ctx, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? arena_strdup(ctx->a, s) : NULL;
}

static bool key_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (!n || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
              k[i] == '-'))
            return false;
    return true;
}

static const struct opt *find_opt(const struct model *m, const char *key)
{
    for (size_t i = 0; key && i < m->nopts; i++)
        if (strcmp(m->opts[i].key, key) == 0)
            return &m->opts[i];
    return NULL;
}

static int64_t int_or(json_t *v, int64_t def)
{
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

/* Reads the model from its JSON; with check, names every mistake as a field error of
 * `options` (a product being saved) and answers false. */
static bool read_model(struct rec_ctx *ctx, json_t *root, struct model *m, bool check)
{
    *m = (struct model){0};
    json_t *groups = json_object_get(root, "groups"), *rules = json_object_get(root, "rules");
    size_t ng = json_array_size(groups), nr = json_array_size(rules);
    if (check && (!json_is_object(root) || !json_is_array(groups) || !ng || ng > CM_MAX_GROUPS ||
                  (rules && (!json_is_array(rules) || nr > CM_MAX_RULES)))) {
        rec_field_error(ctx, "options",
                        "must be {\"groups\": [...], \"rules\": [...]}: 1 to %u groups, at most "
                        "%u rules",
                        CM_MAX_GROUPS, CM_MAX_RULES);
        return false;
    }
    size_t nerr = ctx->nerrors;
    m->groups = arena_calloc(ctx->a, ng + 1, sizeof(*m->groups));
    m->opts = arena_calloc(ctx->a, ng * CM_MAX_OPTIONS + 1, sizeof(*m->opts));
    m->rules = arena_calloc(ctx->a, nr + 1, sizeof(*m->rules));
    for (size_t g = 0; g < ng; g++) {
        json_t *jg = json_array_get(groups, g), *opts = json_object_get(jg, "options");
        struct group *G = &m->groups[m->ngroups++];
        *G = (struct group){.key = str(ctx, jg, "key"), .name = str(ctx, jg, "name"),
                            .name_zh = str(ctx, jg, "name_zh"),
                            .required = json_is_true(json_object_get(jg, "required"))};
        size_t no = json_array_size(opts);
        G->min = int_or(json_object_get(jg, "min"), G->required ? 1 : 0);
        G->max = int_or(json_object_get(jg, "max"), 1);
        if (check && (!key_ok(G->key) || !G->name || !no || no > CM_MAX_OPTIONS || G->min < 0 ||
                      G->max < G->min || G->max < 1 || (G->required && G->min < 1)))
            rec_field_error(ctx, "options",
                            "group %zu needs a key (a-z, 0-9, _ and -), a name, 1 to %u options, "
                            "and 0 <= min <= max (min 1 when required)",
                            g + 1, CM_MAX_OPTIONS);
        for (size_t o = 0; o < no && o < CM_MAX_OPTIONS; o++) {
            json_t *jo = json_array_get(opts, o);
            struct opt *O = &m->opts[m->nopts];
            *O = (struct opt){.key = str(ctx, jo, "key"), .name = str(ctx, jo, "name"),
                              .name_zh = str(ctx, jo, "name_zh"), .group = G->key};
            const char *price = str(ctx, jo, "price"), *pct = str(ctx, jo, "percent");
            bool bad = !key_ok(O->key) || !O->name || (price && pct) ||
                       (price && text_parse_money(rp_str_c(price), 2, &O->amount)) ||
                       (pct && text_parse_money(rp_str_c(pct), 2, &O->amount)) ||
                       O->amount < -META_MONEY_MAX || O->amount > META_MONEY_MAX ||
                       (pct && (O->amount < -CM_BP || O->amount > 10 * CM_BP));
            O->percent = pct != NULL;
            if (!bad && find_opt(m, O->key)) {
                if (check)
                    rec_field_error(ctx, "options", "option %s is listed twice", O->key);
                continue;
            }
            if (check && bad)
                rec_field_error(ctx, "options",
                                "option %zu of group %zu needs a key, a name, and a price change "
                                "as an amount (\"price\": \"12.50\") or a percent (\"percent\": "
                                "\"5\"), not both",
                                o + 1, g + 1);
            m->nopts += !bad;
        }
    }
    for (size_t r = 0; r < nr; r++) {
        json_t *jr = json_array_get(rules, r);
        struct rule *R = &m->rules[m->nrules++];
        *R = (struct rule){.kind = str(ctx, jr, "kind"), .option = str(ctx, jr, "option"),
                           .other = str(ctx, jr, "other"),
                           .min = int_or(json_object_get(jr, "min"), 1),
                           .max = int_or(json_object_get(jr, "max"), CM_MAX_QUANTITY)};
        bool pair = R->kind && (!strcmp(R->kind, "requires") || !strcmp(R->kind, "excludes"));
        bool qty = R->kind && !strcmp(R->kind, "quantity");
        if (check && (!(pair || qty) || !find_opt(m, R->option) || (pair && !find_opt(m, R->other)) ||
                      (qty && (R->min < 1 || R->max < R->min))))
            rec_field_error(ctx, "options",
                            "rule %zu: \"requires\" and \"excludes\" name an option and another, "
                            "\"quantity\" an option and 1 <= min <= max, all options of this "
                            "product",
                            r + 1);
    }
    return ctx->nerrors == nerr;
}

enum rp_err cm__check_options(struct rec_ctx *ctx, struct rec *r)
{
    const struct rec_value *v = rec_field(r, "options");
    if (v->null)
        return RP_OK;
    json_t *root = json_loadb(v->s, v->len, 0, NULL);
    struct model m;
    bool ok = read_model(ctx, root, &m, true);
    json_decref(root);
    return ok ? RP_OK : RP_EINVAL;
}

static bool chosen(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* The name of an option or a group in the caller's language. */
static const char *label(struct rec_ctx *ctx, const char *name, const char *name_zh)
{
    return ctx->lang == RP_LANG_ZH && name_zh ? name_zh : name;
}

/* An option's amount, in the product's currency, in `currency` at the day's rates
 * (through the base currency). */
static enum rp_err in_currency(struct rec_ctx *ctx, const struct rec *product, int64_t amount,
                               const char *currency, const char *day, int64_t *out)
{
    const char *own = rec_text(ctx->a, product, "currency");
    *out = amount;
    if (!currency || !own || strcmp(currency, own) == 0 || !amount)
        return RP_OK;
    int64_t from = 0, to = 0, base = 0;
    const char *d1, *d2;
    enum rp_err err = cm_rate_of(ctx, own, day, &from, &d1);
    if (!err)
        err = cm_rate_of(ctx, currency, day, &to, &d2);
    if (!err)
        err = cm_convert(amount, from, &base);
    if (!err)
        err = cm_convert_back(base, to, out);
    if (err == RP_ENOTFOUND || err == RP_ERANGE)
        return rec_field_error(ctx, "options",
                               "option prices are in %s: there is no exchange rate to %s on %s",
                               own, currency, day);
    return err;
}

enum rp_err cm_configure(struct rec_ctx *ctx, const struct rec *product, const char *const *keys,
                         size_t nkeys, int64_t quantity, int64_t base, const char *currency,
                         const char *day, struct cm_config *out)
{
    *out = (struct cm_config){.base = base, .unit_price = base};
    const struct rec_value *v = rec_field(product, "options");
    if (v->null)
        return rec_field_error(ctx, "options", "this product has no options to configure");
    json_t *root = json_loadb(v->s, v->len, 0, NULL);
    struct model m;
    read_model(ctx, root, &m, false);
    json_decref(root);
    out->chosen = arena_calloc(ctx->a, nkeys + 1, sizeof(*out->chosen));
    size_t nerr = ctx->nerrors;
    for (size_t i = 0; i < nkeys; i++) {
        const struct opt *o = find_opt(&m, keys[i]);
        if (!o) {
            rec_field_error(ctx, "options", "%s is not an option of this product", keys[i]);
            continue;
        }
        if (chosen(keys, i, keys[i])) {
            rec_field_error(ctx, "options", "%s is chosen twice", keys[i]);
            continue;
        }
        int64_t delta = o->percent ? cm_apply_bp(base, o->amount) : 0;
        if (!o->percent && in_currency(ctx, product, o->amount, currency, day, &delta))
            break;
        out->chosen[out->nchosen++] = (struct cm_choice){
            .key = o->key, .name = label(ctx, o->name, o->name_zh), .delta = delta};
        out->unit_price += delta;
    }
    for (size_t g = 0; g < m.ngroups; g++) {
        const struct group *G = &m.groups[g];
        int64_t n = 0;
        for (size_t i = 0; i < m.nopts; i++)
            n += strcmp(m.opts[i].group, G->key) == 0 && chosen(keys, nkeys, m.opts[i].key);
        const char *name = label(ctx, G->name, G->name_zh);
        if (n < G->min)
            rec_field_error(ctx, "options", "%s: choose at least %lld", name, (long long)G->min);
        else if (n > G->max)
            rec_field_error(ctx, "options", "%s: choose at most %lld", name, (long long)G->max);
    }
    for (size_t r = 0; r < m.nrules; r++) {
        const struct rule *R = &m.rules[r];
        const struct opt *a = find_opt(&m, R->option), *b = find_opt(&m, R->other);
        if (!a || !chosen(keys, nkeys, a->key))
            continue;
        const char *an = label(ctx, a->name, a->name_zh);
        if (!strcmp(R->kind, "requires") && b && !chosen(keys, nkeys, b->key))
            rec_field_error(ctx, "options", "%s requires %s", an, label(ctx, b->name, b->name_zh));
        else if (!strcmp(R->kind, "excludes") && b && chosen(keys, nkeys, b->key))
            rec_field_error(ctx, "options", "%s excludes %s", an, label(ctx, b->name, b->name_zh));
        else if (!strcmp(R->kind, "quantity") && (quantity < R->min || quantity > R->max))
            rec_field_error(ctx, "options", "%s comes in quantities from %lld to %lld", an,
                            (long long)R->min, (long long)R->max);
    }
    if (out->unit_price < 0)
        rec_field_error(ctx, "options", "the options take the price below zero");
    return ctx->nerrors > nerr ? RP_EINVAL : RP_OK;
}
