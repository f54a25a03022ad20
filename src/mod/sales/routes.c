/* The sales module's routes: the pipeline and forecast, lead conversion, a deal's stage
 * history, the customer card's figures and retiering. */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "mod/sales/sales.h"

/* A stage's figures: count, amount and weighted amount. */
static void stage_figures(json_t *o, const struct sales_stage_sum *s)
{
    json_object_set_new(o, "count", json_integer(s->count));
    json_object_set_new(o, "amount", api_money(s->amount));
    json_object_set_new(o, "weighted", api_money(s->weighted));
}

/* A month's figures of the forecast. */
static void period_figures(json_t *o, const struct sales_period *p)
{
    json_object_set_new(o, "count", json_integer(p->count));
    json_object_set_new(o, "won", api_money(p->won));
    json_object_set_new(o, "commit", api_money(p->commit));
    json_object_set_new(o, "best_case", api_money(p->best_case));
    json_object_set_new(o, "weighted", api_money(p->weighted));
}

unsigned sales__get_pipeline(struct api_call *c)
{
    size_t n;
    struct rec_param *params = api_params(c, NULL, &n);
    struct sales_stage_sum *rows;
    size_t nrows;
    enum rp_err err = sales_pipeline(&c->ctx, params, n, &rows, &nrows);
    if (err)
        return api_fail(c, err);
    json_t *stages = json_array();
    for (size_t i = 0; i < nrows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "stage", json_string(rows[i].stage));
        json_object_set_new(o, "label", api_str_or_null(rows[i].label));
        json_object_set_new(o, "label_zh", api_str_or_null(rows[i].label_zh));
        json_object_set_new(o, "outcome", api_str_or_null(rows[i].outcome));
        stage_figures(o, &rows[i]);
        json_t *cur = json_array();
        for (size_t k = 0; k < rows[i].ncurrencies; k++) {
            json_t *m = json_object();
            json_object_set_new(m, "currency", json_string(rows[i].by_currency[k].currency));
            stage_figures(m, &rows[i].by_currency[k]);
            json_array_append_new(cur, m);
        }
        json_object_set_new(o, "by_currency", cur);
        json_array_append_new(stages, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "stages", stages);
    return api_json(c, 200, root);
}

unsigned sales__get_forecast(struct api_call *c)
{
    struct http_req *req = c->req;
    static const char *const SKIP[] = {"period", NULL};
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "period") && !rp_str_eqc(req->query[i].value, "month")) {
            return api_problem(c, 400, "period must be month");
        }
    size_t n;
    struct rec_param *params = api_params(c, SKIP, &n);
    struct sales_period *rows;
    size_t nrows;
    enum rp_err err = sales_forecast(&c->ctx, params, n, &rows, &nrows);
    if (err)
        return api_fail(c, err);
    json_t *periods = json_array();
    for (size_t i = 0; i < nrows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "period", json_string(rows[i].period));
        period_figures(o, &rows[i]);
        json_t *cur = json_array();
        for (size_t k = 0; k < rows[i].ncurrencies; k++) {
            json_t *m = json_object();
            json_object_set_new(m, "currency", json_string(rows[i].by_currency[k].currency));
            period_figures(m, &rows[i].by_currency[k]);
            json_array_append_new(cur, m);
        }
        json_object_set_new(o, "by_currency", cur);
        json_array_append_new(periods, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "period", json_string("month"));
    json_object_set_new(root, "periods", periods);
    return api_json(c, 200, root);
}

unsigned sales__post_convert(struct api_call *c)
{
    struct http_req *req = c->req;
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    c->ctx.allow_duplicate = api_flag(c, "allow_duplicate");
    struct sales_conversion conv = {{"", 0}, {"", 0}, false, NULL, 0};
    json_t *acc = json_object_get(root, "account_id"), *con = json_object_get(root, "contact_id");
    json_t *opp = json_object_get(root, "opportunity");
    api_only_keys(c, root, (const char *const[]){"account_id", "contact_id", "opportunity", NULL},
                  MSG("is not a conversion option"));
    if (acc && !json_is_null(acc) && !json_is_string(acc))
        rec_field_error(&c->ctx, "account_id", "must be an account id");
    if (con && !json_is_null(con) && !json_is_string(con))
        rec_field_error(&c->ctx, "contact_id", "must be a contact id");
    if (opp && !json_is_null(opp) && !json_is_object(opp))
        rec_field_error(&c->ctx, "opportunity", "must be an object of opportunity fields");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    if (json_is_string(acc))
        conv.account_id = (struct rp_str){json_string_value(acc), json_string_length(acc)};
    if (json_is_string(con))
        conv.contact_id = (struct rp_str){json_string_value(con), json_string_length(con)};
    if (json_is_object(opp)) {
        struct rec_input *in;
        size_t n;
        api_inputs(c, opp, &in, &n);
        conv.create_opportunity = true;
        conv.opportunity = in;
        conv.nopportunity = n;
    }
    struct sales_converted out;
    enum rp_err err = sales_convert_lead(&c->ctx, req->params[0], &conv, &out);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "account_id", json_string(out.account_id));
    json_object_set_new(o, "contact_id", json_string(out.contact_id));
    json_object_set_new(o, "opportunity_id", api_str_or_null(out.opportunity_id));
    return api_json(c, 200, o);
}

unsigned sales__get_stages(struct api_call *c)
{
    struct http_req *req = c->req;
    struct sales_stage_change *rows;
    size_t n;
    enum rp_err err = sales_stage_history(&c->ctx, req->params[0], &rows, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", json_string(rows[i].at));
        json_object_set_new(o, "user_id", api_str_or_null(rows[i].user_id));
        json_object_set_new(o, "from", api_str_or_null(rows[i].from));
        json_object_set_new(o, "to", api_str_or_null(rows[i].to));
        json_object_set_new(o, "seconds_in_previous",
                            rows[i].seconds_in_stage >= 0 ? json_integer(rows[i].seconds_in_stage)
                                                          : json_null());
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}

unsigned sales__get_summary(struct api_call *c)
{
    struct http_req *req = c->req;
    struct sales_account_summary s;
    enum rp_err err = sales_account_summary(&c->ctx, req->params[0], &s);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "contacts", json_integer(s.contacts));
    json_object_set_new(o, "open_deals", json_integer(s.open_deals));
    /* Null where the caller's role hides the amounts (the sums would tell them). */
    bool shown = !s.amounts_hidden;
    json_object_set_new(o, "open_amount", shown ? api_money(s.open_amount) : json_null());
    json_object_set_new(o, "weighted", shown ? api_money(s.weighted) : json_null());
    json_object_set_new(o, "won_deals", json_integer(s.won_deals));
    json_object_set_new(o, "won_amount", shown ? api_money(s.won_amount) : json_null());
    json_object_set_new(o, "lost_deals", json_integer(s.lost_deals));
    json_object_set_new(o, "activities", json_integer(s.activities));
    json_t *cur = json_array();
    for (size_t k = 0; k < s.ncurrencies; k++) {
        const struct sales_deal_money *m = &s.by_currency[k];
        json_t *x = json_object();
        json_object_set_new(x, "currency", json_string(m->currency));
        json_object_set_new(x, "open_amount", api_money(m->open_amount));
        json_object_set_new(x, "weighted", api_money(m->weighted));
        json_object_set_new(x, "won_amount", api_money(m->won_amount));
        json_array_append_new(cur, x);
    }
    json_object_set_new(o, "by_currency", shown ? cur : json_null());
    if (!shown)
        json_decref(cur);
    json_object_set_new(o, "last_activity_at", api_str_or_null(s.last_activity_at));
    json_object_set_new(o, "next_activity_at", api_str_or_null(s.next_activity_at));
    return api_json(c, 200, o);
}

unsigned sales__post_retier(struct api_call *c)
{
    struct http_req *req = c->req;
    int64_t window = SALES_TIER_WINDOW_DAYS;
    for (size_t i = 0; i < req->nquery; i++) {
        if (!rp_str_eqc(req->query[i].key, "window_days") ||
            text_parse_i64(req->query[i].value, &window)) {
            return api_problem(c, 400, "retier takes window_days (a number of days)");
        }
    }
    int64_t changed;
    enum rp_err err = sales_retier(&c->ctx, window, &changed);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "changed", json_integer(changed));
    json_object_set_new(o, "window_days", json_integer(window));
    return api_json(c, 200, o);
}
