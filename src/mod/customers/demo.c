/* The customers module's demo data: 200 accounts, English and Chinese, of the demo's
 * managers and reps, with two contacts each. */
#include "core/common.h"

#include "core/text.h"
#include "mod/customers/customers.h"

#define DEMO_ACCOUNTS 200

static const char *const EN_WORDS[] = {
    "Acme",       "Globex",   "Initech", "Umbrella",        "Stark",     "Wayne",    "Wonka",
    "Hooli",      "Vandelay", "Soylent", "Tyrell",          "Cyberdyne", "Aperture", "Gringotts",
    "Pied Piper", "Nakatomi", "Oscorp",  "Massive Dynamic", "Dunder",    "Prestige"};
static const char *const EN_SUFFIX[] = {"Inc.", "Ltd", "GmbH", "LLC", "Corp", "Group"};
static const char *const ZH_CITIES[] = {"北京", "上海", "深圳", "广州",
                                        "杭州", "成都", "南京", "武汉"};
static const char *const ZH_WORDS[] = {"华信", "东方", "长城", "新宇", "恒通",
                                       "瑞丰", "金桥", "天成", "博远", "汇智"};
static const char *const ZH_TRADE[] = {"科技", "贸易", "制造", "物流", "咨询", "软件"};
static const char *const FIRST[] = {"James", "Mary",  "Robert", "Linda",  "Michael",
                                    "Sarah", "David", "Emma",   "Daniel", "Olivia"};
static const char *const LAST[] = {"Smith",  "Johnson", "Brown", "Miller", "Davis",
                                   "Garcia", "Wilson",  "Clark", "Lewis",  "Walker"};
static const char *const ZH_SURNAME[] = {"王", "李", "张", "刘", "陈",
                                         "杨", "黄", "赵", "周", "吴"};
static const char *const ZH_GIVEN[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"};
static const char *const INDUSTRIES[] = {"technology", "manufacturing", "retail",    "finance",
                                         "healthcare", "energy",        "education", "consulting"};

/* The demo's people who own records: managers and reps, by user name. */
static enum rp_err owners(struct rec_ctx *ctx, struct rec_page *out)
{
    struct rec_param p[] = {{RP_STR("role[in]"), RP_STR("manager,sales")},
                            {RP_STR("sort"), RP_STR("username")},
                            {RP_STR("limit"), RP_STR("500")}};
    const struct entity_def *users = meta_need("users");
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, users, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, users, q, out);
    return !err && out->nrows < 2 ? rec_bad_request(ctx, "the demo needs its people") : err;
}

static enum rp_err account(struct rp_demo *d, const struct rec_page *people, int i)
{
    struct rec_ctx *ctx = d->ctx;
    struct arena *a = ctx->a;
    bool zh = i % 3 == 0;
    const char *name =
        zh ? arena_printf(a, "%s%s%s有限公司", RP_DEMO_PICK(d, ZH_CITIES),
                          RP_DEMO_PICK(d, ZH_WORDS), RP_DEMO_PICK(d, ZH_TRADE))
           : arena_printf(a, "%s %s %d", RP_DEMO_PICK(d, EN_WORDS), RP_DEMO_PICK(d, EN_SUFFIX), i);
    /* Not the first manager: she oversees, her team sells. */
    const char *owner = people->rows[1 + rp_demo_rand(d, (uint32_t)people->nrows - 1)].id;
    const char *phone =
        zh ? arena_printf(a, "+86 138 %04u %04u", rp_demo_rand(d, 10000), rp_demo_rand(d, 10000))
           : arena_printf(a, "+1 415 555 %04u", rp_demo_rand(d, 10000));
    struct rec acc;
    struct rec_input in[] = {
        rec_in_text("name", name),
        rec_in_text("type", rp_demo_rand(d, 5) ? "customer" : "prospect"),
        rec_in_text("industry", RP_DEMO_PICK(d, INDUSTRIES)),
        rec_in_text("billing_city", zh ? RP_DEMO_PICK(d, ZH_CITIES) : "Springfield"),
        rec_in_text("billing_country", zh ? "China" : "United States"),
        rec_in_text("phone", phone),
        rec_in_text("annual_revenue", arena_printf(a, "%u000.00", 50 + rp_demo_rand(d, 50000))),
        rec_in_text("owner_id", owner)};
    enum rp_err err = rec_create(ctx, meta_need("accounts"), in, RP_NELEM(in), &acc);
    for (int k = 0; !err && k < 2; k++) {
        struct rec con;
        struct rec_input cin[] = {
            rec_in_text("first_name", zh ? RP_DEMO_PICK(d, ZH_GIVEN) : RP_DEMO_PICK(d, FIRST)),
            rec_in_text("last_name", zh ? RP_DEMO_PICK(d, ZH_SURNAME) : RP_DEMO_PICK(d, LAST)),
            rec_in_text("title", k ? "Buyer" : "Director"),
            rec_in_text("account_id", acc.id),
            rec_in_text("email", arena_printf(a, "contact%d.%d@example.com", i, k)),
            rec_in_text("owner_id", owner)};
        err = rec_create(ctx, meta_need("contacts"), cin, RP_NELEM(cin), &con);
    }
    return err;
}

enum rp_err customers__demo(struct rp_demo *d)
{
    struct rec_page people;
    enum rp_err err = owners(d->ctx, &people);
    for (int i = 0; !err && i < DEMO_ACCOUNTS; i++)
        err = account(d, &people, i);
    return err;
}
