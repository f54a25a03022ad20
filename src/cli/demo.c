/* `rapport demo`: a small company a new user can explore — two teams, a manager and
 * reps in each, ~200 accounts (English and Chinese names), their contacts, leads,
 * deals across every stage, and a month of activities around today. Deterministic:
 * the same seed gives the same data. Everything goes through the record engine. */
#include "core/common.h"

#include "cli/cli.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/rec.h"
#include "mod/calendar/calendar.h"
#include "mod/customers/customers.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"

#define DEMO_ACCOUNTS 200
#define DEMO_PASSWORD "demo-pass-123"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

#define PICK(a) ((a)[rnd(RP_NELEM(a))])

static const char *const EN_WORDS[] = {"Acme", "Globex", "Initech", "Umbrella", "Stark",
                                       "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent",
                                       "Tyrell", "Cyberdyne", "Aperture", "Gringotts", "Pied Piper",
                                       "Nakatomi", "Oscorp", "Massive Dynamic", "Dunder", "Prestige"};
static const char *const EN_SUFFIX[] = {"Inc.", "Ltd", "GmbH", "LLC", "Corp", "Group"};
static const char *const ZH_CITIES[] = {"北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉"};
static const char *const ZH_WORDS[] = {"华信", "东方", "长城", "新宇", "恒通", "瑞丰", "金桥", "天成",
                                       "博远", "汇智"};
static const char *const ZH_TRADE[] = {"科技", "贸易", "制造", "物流", "咨询", "软件"};
static const char *const FIRST[] = {"James", "Mary", "Robert", "Linda", "Michael", "Sarah",
                                    "David", "Emma", "Daniel", "Olivia"};
static const char *const LAST[] = {"Smith", "Johnson", "Brown", "Miller", "Davis", "Garcia",
                                   "Wilson", "Clark", "Lewis", "Walker"};
static const char *const ZH_SURNAME[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"};
static const char *const ZH_GIVEN[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"};
static const char *const INDUSTRIES[] = {"technology", "manufacturing", "retail", "finance",
                                         "healthcare", "energy", "education", "consulting"};
static const char *const STAGES[] = {"prospecting", "qualification", "needs_analysis", "proposal",
                                     "negotiation", "closed_won", "closed_lost"};
static const char *const SOURCES[] = {"web", "referral", "campaign", "cold_call", "trade_show",
                                      "partner"};

struct demo {
    struct rec_ctx ctx;
    struct arena a;
    const char *users[6];
    size_t nusers;
};

static struct rec_input S(const char *f, const char *v)
{
    return (struct rec_input){.field = rp_str_c(f), .kind = IN_STRING, .s = v, .len = strlen(v)};
}

static struct rec_input L(struct arena *a, const char *f, const char *one)
{
    struct rp_str *item = arena_alloc(a, sizeof(*item));
    *item = rp_str_c(one);
    return (struct rec_input){.field = rp_str_c(f), .kind = IN_LIST, .items = item, .nitems = 1};
}

static enum rp_err make(struct demo *d, const struct entity_def *e, struct rec_input *in,
                        size_t n, struct rec *out)
{
    d->ctx.nerrors = 0;
    d->ctx.detail = NULL;
    enum rp_err err = rec_create(&d->ctx, e, in, n, out);
    if (err == RP_EINVAL && d->ctx.nerrors)
        fprintf(stderr, "demo: %s.%s %s\n", e->name, d->ctx.errors[0].field,
                d->ctx.errors[0].message);
    return err;
}

static const char *when(struct demo *d, int64_t day_offset, int hour)
{
    int64_t today = text_now_ms() / 86400000;
    char *buf = arena_alloc(&d->a, 32);
    text_format_datetime((today + day_offset) * 86400000 + (int64_t)hour * 3600000, buf, 32);
    return buf;
}

static const char *date(struct demo *d, int64_t day_offset)
{
    const char *t = when(d, day_offset, 0);
    return arena_strndup(&d->a, t, 10);
}

static enum rp_err people(struct demo *d)
{
    struct rec t1, t2, u;
    struct rec_input a[] = {S("name", "East"), S("description", "Enterprise accounts, east region")};
    struct rec_input b[] = {S("name", "West"), S("description", "Mid-market, west region")};
    enum rp_err err = make(d, meta_need("teams"), a, 2, &t1);
    if (!err)
        err = make(d, meta_need("teams"), b, 2, &t2);
    static const struct {
        const char *user, *name, *role;
        int team;
    } USERS[] = {{"alice", "Alice Manager", "manager", 1}, {"bob", "Bob Sales", "sales", 1},
                 {"chen", "陈静", "sales", 1},             {"dora", "Dora Manager", "manager", 2},
                 {"emil", "Emil Sales", "sales", 2},       {"fang", "王芳", "sales", 2}};
    for (size_t i = 0; !err && i < RP_NELEM(USERS); i++) {
        struct rec_input in[] = {S("username", USERS[i].user), S("display_name", USERS[i].name),
                                 S("role", USERS[i].role), S("password", DEMO_PASSWORD),
                                 L(&d->a, "team_ids", USERS[i].team == 1 ? t1.id : t2.id)};
        err = make(d, meta_need("users"), in, RP_NELEM(in), &u);
        if (!err)
            d->users[d->nusers++] = u.id;
    }
    return err;
}

static enum rp_err account(struct demo *d, int i)
{
    bool zh = i % 3 == 0;
    const char *name = zh ? arena_printf(&d->a, "%s%s%s有限公司", PICK(ZH_CITIES), PICK(ZH_WORDS),
                                         PICK(ZH_TRADE))
                          : arena_printf(&d->a, "%s %s %d", PICK(EN_WORDS), PICK(EN_SUFFIX), i);
    const char *owner = d->users[1 + rnd(5)];
    struct rec acc;
    struct rec_input in[] = {S("name", name),
                             S("type", rnd(5) ? "customer" : "prospect"),
                             S("industry", PICK(INDUSTRIES)),
                             S("billing_city", zh ? PICK(ZH_CITIES) : "Springfield"),
                             S("billing_country", zh ? "China" : "United States"),
                             S("phone", zh ? arena_printf(&d->a, "+86 138 %04u %04u", rnd(10000),
                                                          rnd(10000))
                                           : arena_printf(&d->a, "+1 415 555 %04u", rnd(10000))),
                             S("annual_revenue", arena_printf(&d->a, "%u000.00", 50 + rnd(50000))),
                             S("owner_id", owner)};
    enum rp_err err = make(d, meta_need("accounts"), in, RP_NELEM(in), &acc);
    for (int k = 0; !err && k < 2; k++) {
        struct rec con;
        const char *first = zh ? PICK(ZH_GIVEN) : PICK(FIRST);
        const char *last = zh ? PICK(ZH_SURNAME) : PICK(LAST);
        struct rec_input cin[] = {S("first_name", first), S("last_name", last),
                                  S("title", k ? "Buyer" : "Director"),
                                  S("account_id", acc.id),
                                  S("email", arena_printf(&d->a, "contact%d.%d@example.com", i, k)),
                                  S("owner_id", owner)};
        err = make(d, meta_need("contacts"), cin, RP_NELEM(cin), &con);
        if (!err && k == 0) {
            const char *stage = PICK(STAGES);
            struct rec opp;
            struct rec_input oin[] = {
                S("name", arena_printf(&d->a, "%s — %s", name, rnd(2) ? "renewal" : "expansion")),
                S("account_id", acc.id), S("contact_id", con.id),
                S("amount", arena_printf(&d->a, "%u00.00", 10 + rnd(2000))),
                S("stage", stage), S("expected_close_date", date(d, (int64_t)rnd(180) - 60)),
                S("lead_source", PICK(SOURCES)), S("owner_id", owner)};
            err = make(d, meta_need("opportunities"), oin, RP_NELEM(oin), &opp);
            int64_t day = (int64_t)rnd(45) - 30;
            bool meeting = rnd(2);
            struct rec act;
            struct rec_input ain[] = {
                S("type", meeting ? "meeting" : "call"),
                S("subject", meeting ? "Review the proposal" : "Follow-up call"),
                S("start_at", when(d, day, 9 + (int)rnd(8))),
                S("end_at", when(d, day, 10 + (int)rnd(8) / 8 + 8)),
                S("status", day < 0 ? "held" : "planned"), S("related_type", "opportunities"),
                S("related_id", opp.id), S("owner_id", owner)};
            if (!err)
                err = make(d, meta_need("activities"), ain, RP_NELEM(ain), &act);
        }
    }
    return err;
}

static enum rp_err leads(struct demo *d)
{
    enum rp_err err = RP_OK;
    for (int i = 0; !err && i < 60; i++) {
        bool zh = i % 2 == 0;
        struct rec l;
        struct rec_input in[] = {
            S("first_name", zh ? PICK(ZH_GIVEN) : PICK(FIRST)),
            S("last_name", zh ? PICK(ZH_SURNAME) : PICK(LAST)),
            S("company", zh ? arena_printf(&d->a, "%s%s贸易公司", PICK(ZH_CITIES), PICK(ZH_WORDS))
                            : arena_printf(&d->a, "%s Partners %d", PICK(EN_WORDS), i)),
            S("email", arena_printf(&d->a, "lead%d@example.org", i)), S("source", PICK(SOURCES)),
            S("rating", i % 3 == 0 ? "hot" : i % 3 == 1 ? "warm" : "cold"),
            S("owner_id", d->users[1 + rnd(5)])};
        err = make(d, meta_need("leads"), in, RP_NELEM(in), &l);
    }
    return err;
}

int cli_demo(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : "sqlite:data/rapport.db";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else {
            fprintf(stderr, "usage: rapport demo [--db URL]\n");
            return 2;
        }
    }
    struct store *s;
    struct store_conn *c;
    /* The administrator comes from RAPPORT_ADMIN_PASSWORD, or else from the first
     * `rapport serve`, which prints a random password where its user is looking. */
    if (cli_open("demo", db, false, &s, &c))
        return 1;
    enum rp_err err;
    struct demo d = {0};
    arena_init(&d.a);
    rec_ctx_system(&d.ctx, s, c, &d.a, "demo");
    d.ctx.allow_conflict = true;  /* a demo calendar may double-book, as real ones do */
    d.ctx.allow_duplicate = true; /* generated names may look alike */
    struct rec_param p[] = {{RP_STR("count"), RP_STR("true")}, {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page;
    err = rec_query_parse(&d.ctx, meta_need("accounts"), p, 2, &q);
    if (!err)
        err = rec_list(&d.ctx, meta_need("accounts"), q, &page);
    if (!err && page.total > 0) {
        fprintf(stderr, "rapport demo: the database already holds accounts; demo data goes"
                        " into a new database only\n");
        arena_release(&d.a);
        store_close(s);
        return 1;
    }
    /* One transaction: a demo is loaded whole or not at all. */
    if (!err)
        err = rec_tx_begin(&d.ctx);
    if (!err) {
        err = people(&d);
        for (int i = 0; !err && i < DEMO_ACCOUNTS; i++)
            err = account(&d, i);
        if (!err)
            err = leads(&d);
        err = rec_tx_end(&d.ctx, err);
    }
    if (!err) {
        printf("demo data loaded: users alice, bob, chen, dora, emil, fang (password %s)\n",
               DEMO_PASSWORD);
        bool admin_pw = getenv("RAPPORT_ADMIN_PASSWORD") && *getenv("RAPPORT_ADMIN_PASSWORD");
        printf(admin_pw ? "administrator: admin, with the password in RAPPORT_ADMIN_PASSWORD\n"
                        : "administrator: the first `rapport serve` creates admin, with"
                          " RAPPORT_ADMIN_PASSWORD or a password it prints once\n");
    }
    else
        fprintf(stderr, "rapport demo: failed: %s\n", rp_err_name(err));
    arena_release(&d.a);
    store_close(s);
    return err ? 1 : 0;
}
