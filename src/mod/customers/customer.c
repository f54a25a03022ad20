#include "core/common.h"

#include "core/text.h"
#include "mod/customers/customer.h"
#include "engine/rec_int.h"
#include "mod/sales/sales.h"
#include "mod/entities.h"

/* A list of e with the given parameters, as the caller sees it. */
static enum rp_err list(struct rec_ctx *ctx, const struct entity_def *e,
                        const struct rec_param *p, size_t n, struct rec_page *page)
{
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    if (!err)
        err = rec_list(ctx, e, q, page);
    return err;
}

#define P(k, v) ((struct rec_param){rp_str_c(k), rp_str_c(v)})

static int cmp_desc(const void *a, const void *b)
{
    const struct timeline_item *x = a, *y = b;
    return strcmp(y->at, x->at);
}

static enum rp_err add_created(struct rec_ctx *ctx, const struct entity_def *child,
                               const char *ref_field, const char *id, const char *before,
                               const char *limit, struct timeline_item *items, size_t *n)
{
    struct rec_param p[] = {P(ref_field, id), P("sort", "-created_at"), P("limit", limit),
                            P("created_at[lt]", before)};
    struct rec_page page;
    enum rp_err err = list(ctx, child, p, before[0] ? 4 : 3, &page);
    for (size_t i = 0; !err && i < page.nrows; i++)
        items[(*n)++] = (struct timeline_item){TL_CREATED, page.rows[i].created_at,
                                               &page.rows[i], NULL};
    return err;
}

enum rp_err customer_timeline(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                              struct rp_str before, size_t limit, struct timeline_item **items,
                              size_t *n, const char **next)
{
    if (e != &entity_accounts && e != &entity_contacts && e != &entity_leads &&
        e != &entity_opportunities)
        return rec_bad_request(ctx, "%s have no timeline", e->label_plural);
    if (limit == 0 || limit > CUSTOMER_MAX_TIMELINE)
        return rec_bad_request(ctx, "limit must be between 1 and %u", CUSTOMER_MAX_TIMELINE);
    const char *b = "";
    if (before.len) {
        int64_t ms;
        if (text_parse_datetime(before, &ms))
            return rec_bad_request(ctx, "before must be an RFC 3339 date-time");
        char *buf = arena_alloc(ctx->a, 32);
        text_format_datetime(ms, buf, 32);
        b = buf;
    }
    struct rec r;
    enum rp_err err = rec_get(ctx, e, id, &r);
    if (err)
        return err;
    const char *lim = arena_printf(ctx->a, "%zu", limit);
    /* Each source gives at most `limit` items older than `before`; merged, the newest
     * `limit` of them are exactly the page. */
    struct timeline_item *out = arena_calloc(ctx->a, limit * 4 + 1, sizeof(*out));
    size_t count = 0;
    struct rec_param ap[] = {P("related_type", e->name), P("related_id", r.id),
                             P("sort", "-created_at"), P("limit", lim), P("created_at[lt]", b)};
    struct rec_page acts;
    err = list(ctx, &entity_activities, ap, b[0] ? 5 : 4, &acts);
    for (size_t i = 0; !err && i < acts.nrows; i++)
        out[count++] = (struct timeline_item){TL_ACTIVITY, acts.rows[i].created_at,
                                              &acts.rows[i], NULL};
    if (!err && e == &entity_accounts) {
        err = add_created(ctx, &entity_contacts, "account_id", r.id, b, lim, out, &count);
        if (!err)
            err = add_created(ctx, &entity_opportunities, "account_id", r.id, b, lim, out, &count);
    } else if (!err && e == &entity_contacts) {
        err = add_created(ctx, &entity_opportunities, "contact_id", r.id, b, lim, out, &count);
    }
    struct rec_history_row *h = NULL;
    size_t nh = 0;
    if (!err)
        err = rec_history(ctx, e, id, RP_MAX_PAGE, &h, &nh);
    if (err)
        return err;
    size_t changes = 0;
    for (size_t i = 0; i < nh && changes < limit; i++) {
        /* A create writes one row per field; the record-level row stands for them. */
        if (strcmp(h[i].action, "create") == 0 && h[i].field)
            continue;
        if (b[0] && strcmp(h[i].at, b) >= 0)
            continue;
        out[count++] = (struct timeline_item){TL_CHANGE, h[i].at, NULL, &h[i]};
        changes++;
    }
    qsort(out, count, sizeof(*out), cmp_desc);
    *next = NULL;
    if (count > limit) {
        count = limit;
        *next = out[limit - 1].at;
    }
    *items = out;
    *n = count;
    return RP_OK;
}

static enum rp_err activity_time(struct rec_ctx *ctx, const char *account_id, const char *now,
                                 bool past, const char **out)
{
    struct rec_param p[] = {P("related_type", "accounts"), P("related_id", account_id),
                            P(past ? "start_at[lt]" : "start_at[gte]", now),
                            P("sort", past ? "-start_at" : "start_at"), P("limit", "1")};
    struct rec_page page;
    enum rp_err err = list(ctx, &entity_activities, p, RP_NELEM(p), &page);
    *out = !err && page.nrows ? rec__field(&page.rows[0], "start_at")->s : NULL;
    return err;
}

enum rp_err customer_summary(struct rec_ctx *ctx, struct rp_str account_id,
                             struct customer_summary *out)
{
    memset(out, 0, sizeof(*out));
    struct rec acc;
    enum rp_err err = rec_get(ctx, &entity_accounts, account_id, &acc);
    if (err)
        return err;
    struct rec_param cp[] = {P("account_id", acc.id), P("count", "true"), P("limit", "1")};
    struct rec_page page;
    err = list(ctx, &entity_contacts, cp, RP_NELEM(cp), &page);
    if (err)
        return err;
    out->contacts = page.total;
    struct rec_param op[] = {P("account_id", acc.id)};
    struct sales_stage_sum *stages;
    size_t nstages;
    err = sales_pipeline(ctx, op, RP_NELEM(op), &stages, &nstages);
    if (err)
        return err;
    struct sales_outcome_map map;
    int64_t weighted_x100 = 0;
    err = sales_outcomes(ctx, &map);
    for (size_t i = 0; !err && i < nstages; i++) {
        switch (sales_outcome_of(&map, stages[i].stage)) {
        case SALES_WON:
            out->won_deals += stages[i].count;
            out->won_amount += stages[i].amount;
            break;
        case SALES_LOST:
            out->lost_deals += stages[i].count;
            break;
        case SALES_OPEN:
            out->open_deals += stages[i].count;
            out->open_amount += stages[i].amount;
            weighted_x100 += stages[i].weighted_x100;
            break;
        }
    }
    out->weighted = sales_round_x100(weighted_x100);
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    if (!err)
        err = activity_time(ctx, acc.id, now, true, &out->last_activity_at);
    if (!err)
        err = activity_time(ctx, acc.id, now, false, &out->next_activity_at);
    return err;
}
