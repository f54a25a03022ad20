/* The module's routes: a product's price for a customer, a quote's new version, and a
 * quote as a PDF. */
#include "core/common.h"

#include <stdlib.h>

#include "api/route.h"
#include "core/text.h"
#include "mod/commerce/commerce.h"

/* The query parameters of a route, by the names it takes: vals[i] for names[i]
 * ({NULL, 0} when absent). 0, or the status of the 400 answered for another name. */
static unsigned query_params(struct api_call *c, const char *const *names, struct rp_str *vals,
                             const char *takes)
{
    struct http_req *req = c->req;
    for (size_t k = 0; names[k]; k++)
        vals[k] = (struct rp_str){NULL, 0};
    for (size_t i = 0; i < req->nquery; i++) {
        size_t k = 0;
        while (names[k] && !rp_str_eqc(req->query[i].key, names[k]))
            k++;
        if (!names[k])
            return api_problemf(c, 400, "unknown parameter %.*s: this takes %s",
                                (int)(req->query[i].key.len > 64 ? 64 : req->query[i].key.len),
                                req->query[i].key.p, takes);
        vals[k] = req->query[i].value;
    }
    return 0;
}

static const char *dup(struct api_call *c, struct rp_str s)
{
    return s.p ? arena_strndup(c->ctx.a, s.p, s.len) : NULL;
}

static const char *const MATCHES[] = {"list_price", "default", "category", "tier", "account"};

unsigned cm__get_price(struct api_call *c)
{
    static const char *const NAMES[] = {"product_id", "account_id", "quantity", "date",
                                        "currency",   "price_list_id", NULL};
    struct rp_str v[RP_NELEM(NAMES)];
    unsigned st = query_params(c, NAMES, v, "product_id, account_id, quantity, date, currency "
                                            "and price_list_id");
    if (st)
        return st;
    int64_t quantity = 1, days;
    if (!v[0].p)
        rec_field_error(&c->ctx, "product_id", "give the product as ?product_id=");
    if (v[2].p && (text_parse_i64(v[2], &quantity) || quantity < 1 || quantity > CM_MAX_QUANTITY))
        rec_field_error(&c->ctx, "quantity", "must be a whole number from 1 to %lld",
                        (long long)CM_MAX_QUANTITY);
    if (v[3].p && text_parse_date(v[3], &days))
        rec_field_error(&c->ctx, "date", "must be a date like 2026-01-31");
    const struct field_def *cur = meta_field(meta_need("products"), RP_STR("currency"));
    if (v[4].p && !meta_enum_has(cur, v[4]))
        rec_field_error(&c->ctx, "currency", "is not a currency of the CRM");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    char day[16];
    text_format_date(v[3].p ? days : text_now_ms() / 86400000, day, sizeof(day));
    struct rec product;
    enum rp_err err = rec_get(&c->ctx, meta_need("products"), v[0], &product);
    struct cm_buyer buyer = {0};
    if (!err && v[1].p) {
        /* The caller must read the account they price for. */
        struct rec account;
        err = rec_get(&c->ctx, meta_need("accounts"), v[1], &account);
        if (!err)
            err = cm_buyer_of(&c->ctx, account.id, &buyer);
    }
    if (!err && v[5].p) {
        /* A price list named must be one the caller reads. */
        struct rec list;
        err = rec_get(&c->ctx, meta_need("price_lists"), v[5], &list);
    }
    struct cm_price p;
    if (!err)
        err = cm_price_of(&c->ctx, &product, &buyer, quantity, day, dup(c, v[4]), dup(c, v[5]), &p);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "product_id", json_string(product.id));
    json_object_set_new(o, "account_id", api_str_or_null(buyer.account_id));
    json_object_set_new(o, "quantity", json_integer(quantity));
    json_object_set_new(o, "date", json_string(day));
    json_object_set_new(o, "currency",
                        json_string(v[4].p ? dup(c, v[4]) : rec_text(c->ctx.a, &product, "currency")));
    json_object_set_new(o, "found", json_boolean(p.found));
    json_object_set_new(o, "unit_price", p.found ? api_money(p.unit_price) : json_null());
    json_object_set_new(o, "min_quantity", p.found ? json_integer(p.min_quantity) : json_null());
    json_object_set_new(o, "match", p.found ? json_string(MATCHES[p.match]) : json_null());
    json_t *list = json_null();
    if (p.list_id) {
        list = json_object();
        json_object_set_new(list, "id", json_string(p.list_id));
        json_object_set_new(list, "name", api_str_or_null(p.list_name));
    }
    json_object_set_new(o, "price_list", list);
    json_object_set_new(o, "considered", json_integer((json_int_t)p.considered));
    json_object_set_new(o, "reason", json_string(p.reason));
    return api_data(c, o);
}

unsigned cm__post_revise(struct api_call *c)
{
    struct rec r;
    enum rp_err err = cm_revise(&c->ctx, c->req->params[0], &r);
    return err ? api_fail(c, err) : api_record(c, 201, &r);
}

unsigned cm__get_pdf(struct api_call *c)
{
    static const char *const NAMES[] = {"paper", NULL};
    struct rp_str v[RP_NELEM(NAMES)];
    unsigned st = query_params(c, NAMES, v, "paper");
    if (st)
        return st;
    enum cm_paper paper = CM_A4;
    if (v[0].p && rp_str_eqc(v[0], "letter"))
        paper = CM_LETTER;
    else if (v[0].p && !rp_str_eqc(v[0], "a4"))
        return api_problem(c, 400, "paper must be a4 or letter");
    unsigned char *pdf = NULL;
    size_t len = 0;
    const char *name = NULL;
    enum rp_err err = cm_quote_pdf(&c->ctx, c->req->params[0], paper, &pdf, &len, &name);
    if (err)
        return api_fail(c, err);
    /* The number is ours (Q-000123), never a user's text: no quoting to worry about. */
    http_add_header(c->req, "Content-Disposition",
                    arena_printf(c->ctx.a, "inline; filename=\"%s\"", name));
    char *body = arena_alloc(c->ctx.a, len);
    memcpy(body, pdf, len);
    free(pdf);
    return api_answer(c, 200, "application/pdf", body, len);
}

unsigned cm__post_order(struct api_call *c)
{
    struct rec r;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = rec_tx_end(&c->ctx, cm_order_from_quote(&c->ctx, c->req->params[0], &r));
    return err ? api_fail(c, err) : api_record(c, 201, &r);
}

/* {"by_currency": [{"currency","count","total"}], "base_total", "missing_rate"}. */
static json_t *sums(const struct cm_sums *s, const char *base)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "currency", json_string(s->by_currency[i].currency));
        json_object_set_new(o, "count", json_integer(s->by_currency[i].count));
        json_object_set_new(o, "total", api_money(s->by_currency[i].total));
        json_array_append_new(a, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "by_currency", a);
    json_object_set_new(o, "base_total", base && !s->missing ? api_money(s->base_total) : json_null());
    json_object_set_new(o, "missing_rate", api_str_or_null(s->missing));
    return o;
}

unsigned cm__get_account_summary(struct api_call *c)
{
    struct cm_account_summary s;
    enum rp_err err = cm_account_summary(&c->ctx, c->req->params[0], &s);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "base_currency", api_str_or_null(s.base));
    json_object_set_new(o, "open_quotes", sums(&s.open_quotes, s.base));
    json_object_set_new(o, "orders", sums(&s.orders, s.base));
    json_object_set_new(o, "lifetime_value", sums(&s.paid, s.base));
    json_object_set_new(o, "active_contracts", sums(&s.active_contracts, s.base));
    return api_data(c, o);
}

unsigned cm__post_request_approval(struct api_call *c)
{
    struct rec r;
    enum rp_err err = cm_request_approval(&c->ctx, c->req->params[0], &r);
    return err ? api_fail(c, err) : api_record(c, 200, &r);
}

unsigned cm__post_approval(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"approve", NULL},
                  MSG("is not a member of an approval: send {\"approve\": true or false}"));
    json_t *a = json_object_get(root, "approve");
    if (!json_is_boolean(a))
        rec_field_error(&c->ctx, "approve", "must be true or false");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec r;
    enum rp_err err = cm_decide_approval(&c->ctx, c->req->params[0], json_is_true(a), &r);
    return err ? api_fail(c, err) : api_record(c, 200, &r);
}

unsigned cm__post_configure(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root,
                  (const char *const[]){"options", "quantity", "account_id", "currency", "date",
                                        NULL},
                  MSG("is not a member of a configuration: send options, quantity, account_id, "
                      "currency and date"));
    json_t *opts = json_object_get(root, "options"), *q = json_object_get(root, "quantity");
    size_t n = json_array_size(opts);
    const char **keys = arena_calloc(c->ctx.a, n + 1, sizeof(*keys));
    if (!json_is_array(opts) || n > CM_MAX_GROUPS * CM_MAX_OPTIONS)
        rec_field_error(&c->ctx, "options", "must be a list of the keys of the chosen options");
    for (size_t i = 0; i < n && !c->ctx.nerrors; i++)
        if (!(keys[i] = json_string_value(json_array_get(opts, i))))
            rec_field_error(&c->ctx, "options", "must be a list of the keys of the chosen options");
    int64_t quantity = q ? (int64_t)json_integer_value(q) : 1;
    if (q && (!json_is_integer(q) || quantity < 1 || quantity > CM_MAX_QUANTITY))
        rec_field_error(&c->ctx, "quantity", "must be a whole number from 1 to %lld",
                        (long long)CM_MAX_QUANTITY);
    const char *account = json_string_value(json_object_get(root, "account_id"));
    const char *currency = json_string_value(json_object_get(root, "currency"));
    const char *date = json_string_value(json_object_get(root, "date"));
    int64_t days;
    if (date && text_parse_date(rp_str_c(date), &days))
        rec_field_error(&c->ctx, "date", "must be a date like 2026-01-31");
    const struct field_def *cur = meta_field(meta_need("products"), RP_STR("currency"));
    if (currency && !meta_enum_has(cur, rp_str_c(currency)))
        rec_field_error(&c->ctx, "currency", "is not a currency of the CRM");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec product;
    enum rp_err err = rec_get(&c->ctx, meta_need("products"), c->req->params[0], &product);
    struct cm_buyer buyer = {0};
    if (!err && account) {
        struct rec acc;
        err = rec_get(&c->ctx, meta_need("accounts"), rp_str_c(account), &acc);
        if (err == RP_ENOTFOUND)
            err = rec_field_error(&c->ctx, "account_id", "no %s with this id",
                                  rec_label(&c->ctx, meta_need("accounts")));
        if (!err)
            err = cm_buyer_of(&c->ctx, acc.id, &buyer);
    }
    char day[16];
    text_format_date(date ? days : text_now_ms() / 86400000, day, sizeof(day));
    struct cm_price p;
    if (!err)
        err = cm_price_of(&c->ctx, &product, &buyer, quantity, day, currency, NULL, &p);
    if (!err && !p.found)
        err = rec_field_error(&c->ctx, "currency", "no price for this product in %s", currency);
    struct cm_config cfg;
    if (!err)
        err = cm_configure(&c->ctx, &product, keys, n, quantity, p.unit_price, currency, day,
                           &cfg);
    if (err)
        return api_fail(c, err);
    json_t *chosen = json_array();
    for (size_t i = 0; i < cfg.nchosen; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(cfg.chosen[i].key));
        json_object_set_new(o, "name", api_str_or_null(cfg.chosen[i].name));
        json_object_set_new(o, "delta", api_money(cfg.chosen[i].delta));
        json_array_append_new(chosen, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "product_id", json_string(product.id));
    json_object_set_new(o, "quantity", json_integer(quantity));
    json_object_set_new(o, "base_price", api_money(cfg.base));
    json_object_set_new(o, "options", chosen);
    json_object_set_new(o, "unit_price", api_money(cfg.unit_price));
    struct cm_line_in in = {.quantity = quantity, .unit_price = cfg.unit_price};
    struct cm_line_out lo;
    json_object_set_new(o, "total", cm_price_line(&in, &lo) ? json_null() : api_money(lo.gross));
    json_object_set_new(o, "reason", json_string(p.reason));
    return api_data(c, o);
}

unsigned cm__get_convert(struct api_call *c)
{
    static const char *const NAMES[] = {"amount", "currency", "to", "date", NULL};
    struct rp_str v[RP_NELEM(NAMES)];
    unsigned st = query_params(c, NAMES, v, "amount, currency, to and date");
    if (st)
        return st;
    int64_t amount = 0, days = 0;
    if (!v[0].p || text_parse_money(v[0], 2, &amount) || amount < -META_MONEY_MAX ||
        amount > META_MONEY_MAX)
        rec_field_error(&c->ctx, "amount", "must be an amount like 1234.50");
    const struct field_def *cur = meta_field(meta_need("products"), RP_STR("currency"));
    if (!v[1].p || !meta_enum_has(cur, v[1]))
        rec_field_error(&c->ctx, "currency", "is not a currency of the CRM");
    if (v[2].p && !meta_enum_has(cur, v[2]))
        rec_field_error(&c->ctx, "to", "is not a currency of the CRM");
    if (v[3].p && text_parse_date(v[3], &days))
        rec_field_error(&c->ctx, "date", "must be a date like 2026-01-31");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    char day[16];
    text_format_date(v[3].p ? days : text_now_ms() / 86400000, day, sizeof(day));
    const char *base, *from = dup(c, v[1]), *from_day = NULL, *to_day = NULL;
    enum rp_err err = cm_base_currency(&c->ctx, &base);
    const char *to = v[2].p ? dup(c, v[2]) : base;
    if (!err && !base)
        return api_problem(c, 409, "the workspace has no base currency: an administrator sets one "
                                   "under Currencies");
    int64_t in_rate = 0, out_rate = 0, in_base = 0, out = 0;
    if (!err)
        err = cm_rate_of(&c->ctx, from, day, &in_rate, &from_day);
    if (!err)
        err = cm_rate_of(&c->ctx, to, day, &out_rate, &to_day);
    if (err == RP_ENOTFOUND)
        return api_problemf(c, 409, "no exchange rate of %s or %s on %s", from, to, day);
    if (!err)
        err = cm_convert(amount, in_rate, &in_base);
    if (!err)
        err = cm_convert_back(in_base, out_rate, &out);
    if (err == RP_ERANGE)
        return api_problem(c, 422, "the amount converted is too large");
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "amount", api_money(amount));
    json_object_set_new(o, "currency", json_string(from));
    json_object_set_new(o, "to", json_string(to));
    json_object_set_new(o, "converted", api_money(out));
    json_object_set_new(o, "base_currency", json_string(base));
    json_object_set_new(o, "date", json_string(day));
    json_object_set_new(o, "rate_from", api_str_or_null(from_day));
    json_object_set_new(o, "rate_to", api_str_or_null(to_day));
    return api_data(c, o);
}
