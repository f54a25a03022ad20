/* The figures of the customer card (GET /accounts/{id}/summary): contacts, open, won
 * and lost deals with their amounts, the activities with the last and the next one
 * (those about the account, its contacts, deals and converted leads) — counting only
 * what the caller may read. */
#include "core/common.h"

#include "core/text.h"
#include "mod/sales/sales.h"

/* A list of e with the given parameters, as the caller sees it: empty for a role that
 * reads none of e (the card counts what the caller may read). */
static enum rp_err list(struct rec_ctx *ctx, const struct entity_def *e,
                        const struct rec_param *p, size_t n, struct rec_page *page)
{
    memset(page, 0, sizeof(*page));
    if (rec_scope(ctx, e, ACL_READ) == SCOPE_NONE)
        return RP_OK;
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    if (!err)
        err = rec_list(ctx, e, q, page);
    return err;
}

#define P(k, v) ((struct rec_param){rp_str_c(k), rp_str_c(v)})

/* The entry of currency cur in out->by_currency (room for max), made when new; kept in
 * currency order. weighted holds Σ amount × probability until summed up. */
static struct sales_deal_money *money_of(struct rec_ctx *ctx, struct sales_account_summary *out,
                                         const char *cur, size_t max)
{
    if (!out->by_currency)
        out->by_currency = arena_calloc(ctx->a, max, sizeof(*out->by_currency));
    size_t i = 0;
    while (i < out->ncurrencies && strcmp(out->by_currency[i].currency, cur) < 0)
        i++;
    if (i == out->ncurrencies || strcmp(out->by_currency[i].currency, cur) != 0) {
        memmove(&out->by_currency[i + 1], &out->by_currency[i],
                (out->ncurrencies - i) * sizeof(*out->by_currency));
        out->by_currency[i] = (struct sales_deal_money){.currency = cur};
        out->ncurrencies++;
    }
    return &out->by_currency[i];
}

/* Sets p (room for 2) to the filter of the activities on the account's card: those
 * that belong to it (the calendar's account_id: about it, its contacts, its deals and
 * its converted leads), or for a role that does not see that link those about the
 * account itself. Returns how many parameters it set. */
static size_t card_activities(struct rec_ctx *ctx, const char *account_id, struct rec_param *p)
{
    const struct entity_def *e = meta_need("activities");
    int i = meta_field_index(e, RP_STR("account_id"));
    if (i >= 0 && rec_field_rule(ctx, e, (size_t)i) != ACL_FIELD_HIDDEN) {
        p[0] = P("account_id", account_id);
        return 1;
    }
    p[0] = P("related_type", "accounts");
    p[1] = P("related_id", account_id);
    return 2;
}

static enum rp_err activity_time(struct rec_ctx *ctx, const char *account_id, const char *now,
                                 bool past, const char **out)
{
    struct rec_param p[5];
    size_t n = card_activities(ctx, account_id, p);
    p[n++] = P(past ? "start_at[lt]" : "start_at[gte]", now);
    p[n++] = P("sort", past ? "-start_at" : "start_at");
    p[n++] = P("limit", "1");
    struct rec_page page;
    enum rp_err err = list(ctx, meta_need("activities"), p, n, &page);
    *out = !err && page.nrows ? rec_field(&page.rows[0], "start_at")->s : NULL;
    return err;
}

static enum rp_err activity_count(struct rec_ctx *ctx, const char *account_id, int64_t *out)
{
    struct rec_param p[4];
    size_t n = card_activities(ctx, account_id, p);
    p[n++] = P("count", "true");
    p[n++] = P("limit", "1");
    struct rec_page page;
    enum rp_err err = list(ctx, meta_need("activities"), p, n, &page);
    *out = err ? 0 : page.total;
    return err;
}

enum rp_err sales_account_summary(struct rec_ctx *ctx, struct rp_str account_id,
                                  struct sales_account_summary *out)
{
    memset(out, 0, sizeof(*out));
    struct rec acc;
    enum rp_err err = rec_get(ctx, meta_need("accounts"), account_id, &acc);
    if (err)
        return err;
    struct rec_param cp[] = {P("account_id", acc.id), P("count", "true"), P("limit", "1")};
    struct rec_page page;
    err = list(ctx, meta_need("contacts"), cp, RP_NELEM(cp), &page);
    if (err)
        return err;
    out->contacts = page.total;
    struct rec_param op[] = {P("account_id", acc.id)};
    struct sales_stage_sum *stages = NULL;
    size_t nstages = 0;
    if (rec_scope(ctx, meta_need("opportunities"), ACL_READ) != SCOPE_NONE)
        err = sales__pipeline_sums(ctx, op, RP_NELEM(op), &stages, &nstages);
    if (err)
        return err;
    struct sales_outcome_map map;
    int64_t weighted_x100 = 0;
    err = sales_outcomes(ctx, &map);
    size_t ncur = 0;
    for (size_t i = 0; i < nstages; i++)
        ncur += stages[i].ncurrencies;
    for (size_t i = 0; !err && i < nstages; i++) {
        enum sales_outcome outcome = sales_outcome_of(&map, stages[i].stage);
        for (size_t k = 0; k < stages[i].ncurrencies; k++) {
            const struct sales_stage_sum *c = &stages[i].by_currency[k];
            if (outcome == SALES_LOST) {
                out->lost_deals += c->count;
                continue;
            }
            struct sales_deal_money *m = money_of(ctx, out, c->currency, ncur);
            if (outcome == SALES_WON) {
                out->won_deals += c->count;
                out->won_amount += c->amount;
                m->won_amount += c->amount;
            } else {
                out->open_deals += c->count;
                out->open_amount += c->amount;
                weighted_x100 += c->weighted_x100;
                m->open_amount += c->amount;
                m->weighted += c->weighted_x100;
            }
        }
    }
    out->weighted = sales_round_x100(weighted_x100);
    for (size_t k = 0; k < out->ncurrencies; k++)
        out->by_currency[k].weighted = sales_round_x100(out->by_currency[k].weighted);
    if (sales__amounts_hidden(ctx)) {
        out->amounts_hidden = true; /* counts only: the sums would tell the amounts */
        out->open_amount = out->won_amount = out->weighted = 0;
        out->ncurrencies = 0;
    }
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    if (!err)
        err = activity_time(ctx, acc.id, now, true, &out->last_activity_at);
    if (!err)
        err = activity_time(ctx, acc.id, now, false, &out->next_activity_at);
    if (!err)
        err = activity_count(ctx, acc.id, &out->activities);
    return err;
}
