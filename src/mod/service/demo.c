/* The service module's demo data: a service team (a lead and two agents), three queues
 * — key accounts (tier A), general, escalations —, service agreements of six accounts
 * (active, ending soon, used up, expired, of hours, draft), and 300 cases on the demo accounts
 * in every status, reported over the last ten days, so some clocks run, some are
 * paused, some are met and some are overdue. */
#include "core/common.h"

#include "core/text.h"
#include "mod/service/service.h"

#define DEMO_PASSWORD "demo-pass-123"
#define DEMO_CASES 300

static const char *const SUBJECTS[] = {
    "Cannot sign in to the portal", "Invoice shows the wrong amount", "Printer driver crashes",
    "Delivery arrived damaged",     "How do I export my data?",      "Request for a training session",
    "打印机无法连接网络",           "发票抬头需要更改",               "系统登录后页面空白",
    "申请延长服务期限"};
static const char *const PRODUCTS[] = {"Rapport Cloud", "Label printer", "Scanner", "培训服务"};
static const char *const TYPES[] = {"question", "problem", "incident", "request"};
static const char *const PRIORITIES[] = {"p1", "p2", "p3", "p3", "p4"};
static const char *const CHANNELS[] = {"phone", "email", "web", "portal", "chat"};
/* Each status, and the moves that reach it from "assigned". */
static const struct {
    const char *status;
    const char *path[4];
} STATES[] = {
    {"new", {NULL}},
    {"assigned", {NULL}},
    {"in_progress", {"in_progress", NULL}},
    {"waiting_on_customer", {"in_progress", "waiting_on_customer", NULL}},
    {"waiting_on_third_party", {"in_progress", "waiting_on_third_party", NULL}},
    {"resolved", {"in_progress", "resolved", NULL}},
    {"closed", {"in_progress", "resolved", "closed", NULL}},
    {"reopened", {"in_progress", "resolved", "reopened", NULL}},
};

static enum rp_err user(struct rp_demo *d, const char *name, const char *display,
                        const char *role, const char *team, const char **id)
{
    struct rp_str t = rp_str_c(team);
    struct rec_input in[] = {rec_in_text("username", name), rec_in_text("display_name", display),
                             rec_in_text("role", role), rec_in_text("password", DEMO_PASSWORD),
                             {.field = RP_STR("team_ids"), .kind = IN_LIST, .items = &t,
                              .nitems = 1}};
    struct rec u;
    enum rp_err err = rec_create(d->ctx, meta_need("users"), in, RP_NELEM(in), &u);
    *id = u.id;
    return err;
}

static enum rp_err queue(struct rp_demo *d, const char *name, const char *order,
                         const char *method, const char *tiers, const char *const *members,
                         size_t n, const char *manager, const char *escalation, const char **id)
{
    struct rp_str m[3], tier = rp_str_c(tiers ? tiers : "");
    for (size_t i = 0; i < n; i++)
        m[i] = rp_str_c(members[i]);
    struct rec_input in[8];
    size_t k = 0;
    in[k++] = rec_in_text("name", name);
    in[k++] = (struct rec_input){.field = RP_STR("rule_order"), .kind = IN_NUMBER, .s = order,
                                 .len = strlen(order)};
    in[k++] = rec_in_text("method", method);
    in[k++] = rec_in_text("manager_id", manager);
    in[k++] = (struct rec_input){.field = RP_STR("member_ids"), .kind = IN_LIST, .items = m,
                                 .nitems = n};
    if (tiers)
        in[k++] = (struct rec_input){.field = RP_STR("match_tiers"), .kind = IN_LIST,
                                     .items = &tier, .nitems = 1};
    if (escalation)
        in[k++] = rec_in_text("escalation_queue_id", escalation);
    else /* the escalation queue takes only what escalation sends it */
        in[k++] = rec_in_text("match_product", "escalated only");
    struct rec q;
    enum rp_err err = rec_create(d->ctx, meta_need("case_queues"), in, k, &q);
    *id = q.id;
    return err;
}

/* An agreement of account acc from `from` to `to` days from today. */
static enum rp_err agreement(struct rp_demo *d, const struct rec *acc, const char *name,
                             const char *status, int from, int to, const char *kind,
                             const char *amount, const char *products, const char *policy)
{
    struct rec_ctx *ctx = d->ctx;
    int64_t today = text_now_ms() / 86400000;
    char *start = arena_alloc(ctx->a, 11), *end = arena_alloc(ctx->a, 11);
    text_format_date(today + from, start, 11);
    text_format_date(today + to, end, 11);
    struct rec_input in[9];
    size_t n = 0;
    in[n++] = rec_in_text("name", name);
    in[n++] = rec_in_text("account_id", acc->id);
    in[n++] = rec_in_text("status", status);
    in[n++] = rec_in_text("start_date", start);
    in[n++] = rec_in_text("end_date", end);
    in[n++] = rec_in_text("entitlement_type", kind);
    if (amount)
        in[n++] = (struct rec_input){.field = RP_STR("entitlement_amount"), .kind = IN_NUMBER,
                                     .s = amount, .len = strlen(amount)};
    if (products)
        in[n++] = rec_in_text("covered_products", products);
    if (policy)
        in[n++] = rec_in_text("sla_policy_id", policy);
    struct rec a;
    return rec_create(ctx, meta_need("service_agreements"), in, n, &a);
}

/* Agreements of the first six accounts, before their cases are logged: one with a
 * premium policy, one ending within its reminder, one whose two cases use it up, one
 * expired, one of hours for two products, one draft. */
static enum rp_err agreements(struct rp_demo *d, const struct rec_page *acc)
{
    if (acc->nrows < 6)
        return RP_OK;
    struct rec_input pin[] = {rec_in_text("name", "Premium"),
                              {.field = RP_STR("p1_response"), .kind = IN_NUMBER, .s = "30", .len = 2},
                              {.field = RP_STR("p1_resolution"), .kind = IN_NUMBER, .s = "240", .len = 3},
                              {.field = RP_STR("p2_response"), .kind = IN_NUMBER, .s = "60", .len = 2},
                              {.field = RP_STR("p2_resolution"), .kind = IN_NUMBER, .s = "480", .len = 3},
                              {.field = RP_STR("p3_response"), .kind = IN_NUMBER, .s = "120", .len = 3},
                              {.field = RP_STR("p3_resolution"), .kind = IN_NUMBER, .s = "960", .len = 3},
                              {.field = RP_STR("p4_response"), .kind = IN_NUMBER, .s = "480", .len = 3},
                              {.field = RP_STR("p4_resolution"), .kind = IN_NUMBER, .s = "2880", .len = 4}};
    struct rec premium;
    enum rp_err err = rec_create(d->ctx, meta_need("sla_policies"), pin, RP_NELEM(pin), &premium);
    if (!err)
        err = agreement(d, &acc->rows[0], "Premium support", "active", -300, 65, "cases", "20",
                        NULL, premium.id);
    if (!err)
        err = agreement(d, &acc->rows[1], "Standard support", "active", -345, 20, "cases", "10",
                        NULL, NULL);
    if (!err)
        err = agreement(d, &acc->rows[2], "Starter pack", "active", -60, 305, "cases", "2", NULL,
                        NULL);
    if (!err)
        err = agreement(d, &acc->rows[3], "Support 2025", "expired", -400, -35, "cases", "10",
                        NULL, NULL);
    if (!err)
        err = agreement(d, &acc->rows[4], "打印机维保", "active", -100, 265, "hours", "40",
                        "Label printer, Scanner", NULL);
    if (!err)
        err = agreement(d, &acc->rows[5], "Renewal offer", "draft", 30, 395, "none", NULL, NULL,
                        NULL);
    return err;
}

/* A case on account acc in status STATES[s]. */
static enum rp_err one_case(struct rp_demo *d, const struct rec *acc, size_t s)
{
    struct rec_ctx *ctx = d->ctx;
    char *reported = arena_alloc(ctx->a, 32);
    text_format_datetime(text_now_ms() - (int64_t)rp_demo_rand(d, 10 * 24 * 60) * 60000, reported,
                         32);
    struct rec_input in[] = {rec_in_text("subject", RP_DEMO_PICK(d, SUBJECTS)),
                             rec_in_text("account_id", acc->id),
                             rec_in_text("type", RP_DEMO_PICK(d, TYPES)),
                             rec_in_text("priority", RP_DEMO_PICK(d, PRIORITIES)),
                             rec_in_text("channel", RP_DEMO_PICK(d, CHANNELS)),
                             rec_in_text("product", RP_DEMO_PICK(d, PRODUCTS)),
                             rec_in_text("reported_at", reported)};
    struct rec c;
    enum rp_err err = rec_create(ctx, meta_need("cases"), in, RP_NELEM(in), &c);
    for (size_t i = 0; !err && STATES[s].path[i]; i++) {
        struct rec_input step[4];
        size_t n = 0;
        step[n++] = rec_in_text("status", STATES[s].path[i]);
        if (strcmp(STATES[s].path[i], "resolved") == 0) {
            step[n++] = rec_in_text("resolution", "Explained the settings and checked with the"
                                                  " customer that it works.");
            const char *spent = arena_printf(ctx->a, "%u", 15 + rp_demo_rand(d, 16) * 15);
            step[n++] = (struct rec_input){.field = RP_STR("time_spent_min"), .kind = IN_NUMBER,
                                           .s = spent, .len = strlen(spent)};
        }
        if (strcmp(STATES[s].path[i], "closed") == 0)
            step[n++] = (struct rec_input){.field = RP_STR("satisfaction"), .kind = IN_NUMBER,
                                           .s = rp_demo_rand(d, 2) ? "5" : "4", .len = 1};
        err = rec_update(ctx, meta_need("cases"), rp_str_c(c.id), step, n, -1, &c);
    }
    return err;
}

enum rp_err service__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    struct rec team;
    struct rec_input tin[] = {rec_in_text("name", "Service desk"),
                              rec_in_text("description", "Customer service, all regions")};
    enum rp_err err = rec_create(ctx, meta_need("teams"), tin, RP_NELEM(tin), &team);
    const char *lead = NULL, *agents[2] = {NULL, NULL};
    if (!err)
        err = user(d, "grace", "Grace Service Lead", "manager", team.id, &lead);
    if (!err)
        err = user(d, "hugo", "Hugo Support", "support", team.id, &agents[0]);
    if (!err)
        err = user(d, "li", "李娜", "support", team.id, &agents[1]);
    struct rec_param p[] = {{RP_STR("sort"), RP_STR("created_at")},
                            {RP_STR("limit"), RP_STR("500")}};
    const struct entity_def *ae = meta_need("accounts");
    struct rec_query *q;
    struct rec_page accounts = {0};
    if (!err)
        err = rec_query_parse(ctx, ae, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, ae, q, &accounts);
    if (err || accounts.nrows == 0)
        return err;
    if ((err = agreements(d, &accounts)))
        return err;
    /* New cases first: no queue takes them yet. */
    size_t made = 0, per = DEMO_CASES / RP_NELEM(STATES);
    for (; !err && made < per; made++)
        err = one_case(d, &accounts.rows[made % accounts.nrows], 0);
    const char *esc, *key, *general;
    if (!err)
        err = queue(d, "Escalations", "900", "round_robin", NULL, &lead, 1, lead, NULL, &esc);
    if (!err)
        err = queue(d, "Key accounts", "10", "round_robin", "A", agents, 2, lead, esc, &key);
    if (!err)
        err = queue(d, "General", "100", "least_open", NULL, agents, 2, lead, esc, &general);
    for (; !err && made < DEMO_CASES; made++)
        err = one_case(d, &accounts.rows[made % accounts.nrows],
                       1 + (made - per) % (RP_NELEM(STATES) - 1));
    if (!err)
        d->notes[d->nnotes++] = "service desk: grace (lead), hugo and li (support), "
                                "3 queues, 300 cases, 6 service agreements";
    return err;
}
