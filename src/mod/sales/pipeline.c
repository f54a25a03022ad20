/* The pipeline by stage and the forecast by month, over the deals the caller may read. */
#include "core/common.h"

#include "mod/sales/sales.h"

int64_t sales_round_x100(int64_t x100)
{
    return x100 >= 0 ? (x100 + 50) / 100 : -((-x100 + 50) / 100);
}

bool sales__amounts_hidden(const struct rec_ctx *ctx)
{
    const struct entity_def *e = meta_need("opportunities");
    static const char *const FIELDS[] = {"amount", "probability"};
    for (size_t i = 0; i < RP_NELEM(FIELDS); i++)
        if (rec_field_rule(ctx, e, (size_t)meta_field_index(e, rp_str_c(FIELDS[i]))) ==
            ACL_FIELD_HIDDEN)
            return true;
    return false;
}

/* Totals of amounts the caller's role hides would tell them. */
static enum rp_err amounts_shown(struct rec_ctx *ctx)
{
    return sales__amounts_hidden(ctx)
               ? rec_fail(ctx, RP_EFORBIDDEN, "your role hides the amounts of opportunities")
               : RP_OK;
}

enum rp_err sales_pipeline(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_stage_sum **rows, size_t *nrows)
{
    enum rp_err err = amounts_shown(ctx);
    return err ? err : sales__pipeline_sums(ctx, params, n, rows, nrows);
}

/* Adds row (one currency's figures) to o: to its totals, and as one of its currencies
 * (room for max), in the order the rows come. */
static void add_currency(struct rec_ctx *ctx, struct sales_stage_sum *o,
                         const struct sales_stage_sum *row, size_t max)
{
    if (!o->by_currency)
        o->by_currency = arena_calloc(ctx->a, max, sizeof(*o->by_currency));
    o->by_currency[o->ncurrencies++] = *row;
    o->count += row->count;
    o->amount += row->amount;
    o->weighted_x100 += row->weighted_x100;
}

static void round_stage(struct sales_stage_sum *o)
{
    o->weighted = sales_round_x100(o->weighted_x100);
    for (size_t k = 0; k < o->ncurrencies; k++)
        o->by_currency[k].weighted = sales_round_x100(o->by_currency[k].weighted_x100);
}

enum rp_err sales__pipeline_sums(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                                 struct sales_stage_sum **rows, size_t *nrows)
{
    struct rec_query *q;
    struct sales_stage_sum *sums;
    size_t nsums;
    struct rec_page stages;
    enum rp_err err = rec_query_parse(ctx, meta_need("opportunities"), params, n, &q);
    if (!err)
        err = sales__sql_pipeline(ctx, q, &sums, &nsums);
    if (!err)
        err = sales__stages(ctx, &stages);
    if (err)
        return err;
    /* Configured stages first, in order, with zeros where no deal is; then any stage
     * key deals still carry after it was removed from the configuration. */
    struct sales_stage_sum *out = arena_calloc(ctx->a, stages.nrows + nsums + 1, sizeof(*out));
    size_t count = 0;
    for (size_t i = 0; i < stages.nrows; i++) {
        const struct rec *st = &stages.rows[i];
        struct sales_stage_sum *o = &out[count++];
        o->stage = rec_field(st, "key")->s;
        o->label = rec_field(st, "label")->s;
        const struct rec_value *zh = rec_field(st, "label_zh");
        o->label_zh = zh->null ? NULL : zh->s;
        const struct rec_value *outcome = rec_field(st, "outcome");
        o->outcome = outcome->null ? NULL : outcome->s;
        o->sort_order = rec_field(st, "sort_order")->i;
        for (size_t k = 0; k < nsums; k++)
            if (strcmp(sums[k].stage, o->stage) == 0)
                add_currency(ctx, o, &sums[k], nsums);
    }
    for (size_t k = 0; k < nsums; k++)
        if (!sales__find_stage(&stages, sums[k].stage, strlen(sums[k].stage))) {
            /* The rows come by stage: a stage's currencies follow one another. */
            if (!count || out[count - 1].sort_order != INT64_MAX ||
                strcmp(out[count - 1].stage, sums[k].stage) != 0)
                out[count++] = (struct sales_stage_sum){.stage = sums[k].stage,
                                                        .sort_order = INT64_MAX};
            add_currency(ctx, &out[count - 1], &sums[k], nsums);
        }
    for (size_t i = 0; i < count; i++)
        round_stage(&out[i]);
    *rows = out;
    *nrows = count;
    return RP_OK;
}

enum rp_err sales_forecast(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_period **rows, size_t *nrows)
{
    struct rec_query *q;
    struct sales_period *sums;
    size_t nsums = 0;
    enum rp_err err = amounts_shown(ctx);
    if (!err)
        err = rec_query_parse(ctx, meta_need("opportunities"), params, n, &q);
    if (!err)
        err = sales__sql_forecast(ctx, q, &sums, &nsums);
    if (err)
        return err;
    /* A month per row, its currencies (which follow one another) under it. */
    struct sales_period *out = arena_calloc(ctx->a, nsums + 1, sizeof(*out));
    size_t count = 0;
    for (size_t k = 0; k < nsums; k++) {
        const struct sales_period *row = &sums[k];
        if (!count || strcmp(out[count - 1].period, row->period) != 0) {
            size_t m = 1;
            while (k + m < nsums && strcmp(sums[k + m].period, row->period) == 0)
                m++;
            out[count++] = (struct sales_period){
                .period = row->period, .by_currency = arena_calloc(ctx->a, m, sizeof(*out))};
        }
        struct sales_period *o = &out[count - 1];
        struct sales_period *c = &o->by_currency[o->ncurrencies++];
        *c = *row;
        c->weighted = sales_round_x100(c->weighted_x100);
        o->count += row->count;
        o->won += row->won;
        o->commit += row->commit;
        o->best_case += row->best_case;
        o->weighted_x100 += row->weighted_x100;
    }
    for (size_t i = 0; i < count; i++)
        out[i].weighted = sales_round_x100(out[i].weighted_x100);
    *rows = out;
    *nrows = count;
    return RP_OK;
}
