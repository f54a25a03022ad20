/* The calendar module's demo data: a call or a meeting about every demo deal, in the
 * month around today. */
#include "core/common.h"

#include "core/text.h"
#include "mod/calendar/calendar.h"

static const char *at(struct rec_ctx *ctx, int64_t day, int hour)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime((text_now_ms() / 86400000 + day) * 86400000 + (int64_t)hour * 3600000, b,
                         32);
    return b;
}

enum rp_err calendar__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    struct rec_param p[] = {{RP_STR("sort"), RP_STR("created_at")},
                            {RP_STR("limit"), RP_STR("500")}};
    const struct entity_def *opps = meta_need("opportunities");
    struct rec_query *q;
    struct rec_page deals;
    enum rp_err err = rec_query_parse(ctx, opps, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, opps, q, &deals);
    for (size_t i = 0; !err && i < deals.nrows; i++) {
        int64_t day = (int64_t)rp_demo_rand(d, 45) - 30;
        bool meeting = rp_demo_rand(d, 2);
        int hour = 9 + (int)rp_demo_rand(d, 8);
        struct rec act;
        struct rec_input in[] = {
            rec_in_text("type", meeting ? "meeting" : "call"),
            rec_in_text("subject", meeting ? "Review the proposal" : "Follow-up call"),
            rec_in_text("start_at", at(ctx, day, hour)),
            rec_in_text("end_at", at(ctx, day, hour + 1)),
            rec_in_text("status", day < 0 ? "held" : "planned"),
            rec_in_text("related_type", "opportunities"),
            rec_in_text("related_id", deals.rows[i].id),
            rec_in_text("owner_id", deals.rows[i].owner_id)};
        err = rec_create(ctx, meta_need("activities"), in, RP_NELEM(in), &act);
    }
    return err;
}
