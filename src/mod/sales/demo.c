/* The sales module's demo data: a deal on every demo account, across every stage and
 * around today, and sixty leads. */
#include "core/common.h"

#include "core/text.h"
#include "mod/sales/sales.h"

static const char *const STAGES[] = {"prospecting", "qualification", "needs_analysis", "proposal",
                                     "negotiation", "closed_won",    "closed_lost"};
static const char *const SOURCES[] = {"web",       "referral",   "campaign",
                                      "cold_call", "trade_show", "partner"};
static const char *const EN_WORDS[] = {"Acme",  "Globex", "Initech", "Umbrella", "Stark",
                                       "Wayne", "Wonka",  "Hooli",   "Vandelay", "Soylent"};
static const char *const FIRST[] = {"James", "Mary",  "Robert", "Linda",  "Michael",
                                    "Sarah", "David", "Emma",   "Daniel", "Olivia"};
static const char *const LAST[] = {"Smith",  "Johnson", "Brown", "Miller", "Davis",
                                   "Garcia", "Wilson",  "Clark", "Lewis",  "Walker"};
static const char *const ZH_CITIES[] = {"北京", "上海", "深圳", "广州", "杭州", "成都"};
static const char *const ZH_WORDS[] = {"华信", "东方", "长城", "新宇", "恒通", "瑞丰"};
static const char *const ZH_SURNAME[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵"};
static const char *const ZH_GIVEN[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "洋"};

/* Records of e in the order they were made, at most 500, with one filter or none. */
static enum rp_err oldest(struct rec_ctx *ctx, const char *entity, const char *field,
                          const char *value, size_t limit, struct rec_page *out)
{
    struct rec_param p[] = {{RP_STR("sort"), RP_STR("created_at")},
                            {RP_STR("limit"), rp_str_c(arena_printf(ctx->a, "%zu", limit))},
                            {rp_str_c(field ? field : ""), rp_str_c(value ? value : "")}};
    const struct entity_def *e = meta_need(entity);
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, field ? 3 : 2, &q);
    return err ? err : rec_list(ctx, e, q, out);
}

static const char *day(struct rec_ctx *ctx, int64_t offset)
{
    char *b = arena_alloc(ctx->a, 16);
    text_format_date(text_now_ms() / 86400000 + offset, b, 16);
    return b;
}

enum rp_err sales__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    struct rec_page accounts, people;
    enum rp_err err = oldest(ctx, "accounts", NULL, NULL, 500, &accounts);
    for (size_t i = 0; !err && i < accounts.nrows; i++) {
        const struct rec *acc = &accounts.rows[i];
        struct rec_page first;
        err = oldest(ctx, "contacts", "account_id", acc->id, 1, &first);
        if (err)
            break;
        struct rec opp;
        struct rec_input in[] = {
            rec_in_text("name", arena_printf(ctx->a, "%s — %s", rec_field(acc, "name")->s,
                                             rp_demo_rand(d, 2) ? "renewal" : "expansion")),
            rec_in_text("account_id", acc->id),
            rec_in_text("contact_id", first.nrows ? first.rows[0].id : ""),
            rec_in_text("amount", arena_printf(ctx->a, "%u00.00", 10 + rp_demo_rand(d, 2000))),
            rec_in_text("stage", RP_DEMO_PICK(d, STAGES)),
            rec_in_text("expected_close_date", day(ctx, (int64_t)rp_demo_rand(d, 180) - 60)),
            rec_in_text("lead_source", RP_DEMO_PICK(d, SOURCES)),
            rec_in_text("owner_id", acc->owner_id)};
        err = rec_create(ctx, meta_need("opportunities"), in, RP_NELEM(in), &opp);
    }
    /* Leads, of the people who own the accounts. */
    struct rec_param p[] = {{RP_STR("role[in]"), RP_STR("manager,sales")},
                            {RP_STR("sort"), RP_STR("username")}};
    struct rec_query *q;
    if (!err)
        err = rec_query_parse(ctx, meta_need("users"), p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, meta_need("users"), q, &people);
    for (int i = 0; !err && people.nrows > 1 && i < 60; i++) {
        bool zh = i % 2 == 0;
        struct rec lead;
        const char *company =
            zh ? arena_printf(ctx->a, "%s%s贸易公司", RP_DEMO_PICK(d, ZH_CITIES),
                              RP_DEMO_PICK(d, ZH_WORDS))
               : arena_printf(ctx->a, "%s Partners %d", RP_DEMO_PICK(d, EN_WORDS), i);
        struct rec_input in[] = {
            rec_in_text("first_name", zh ? RP_DEMO_PICK(d, ZH_GIVEN) : RP_DEMO_PICK(d, FIRST)),
            rec_in_text("last_name", zh ? RP_DEMO_PICK(d, ZH_SURNAME) : RP_DEMO_PICK(d, LAST)),
            rec_in_text("company", company),
            rec_in_text("email", arena_printf(ctx->a, "lead%d@example.org", i)),
            rec_in_text("source", RP_DEMO_PICK(d, SOURCES)),
            rec_in_text("rating", i % 3 == 0   ? "hot"
                                  : i % 3 == 1 ? "warm"
                                               : "cold"),
            rec_in_text("owner_id",
                        people.rows[1 + rp_demo_rand(d, (uint32_t)people.nrows - 1)].id)};
        err = rec_create(ctx, meta_need("leads"), in, RP_NELEM(in), &lead);
    }
    return err;
}
