/* `rapport bench-data`: fills a database with a large, realistic, deterministic company
 * for the benchmark — teams of sales users, accounts, their contacts, leads, deals
 * across stages and close dates, a year of activities, and on request a service desk
 * with a year of cases and a knowledge base (bench/README.md, "Customer service"). Every record goes through
 * the record engine (validation, full-text index, duplicate keys, audit), committed in
 * batches, so the data is exactly what the API would have written. The same seed gives
 * the same values (ids and timestamps are new on every run). */
#include "core/common.h"

#include <sys/resource.h>

#include "cli/cli.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/rec.h"
#include "mod/calendar/calendar.h"
#include "mod/customers/customers.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"
#include "mod/service/service.h"

#define BENCH_PASSWORD "bench-password-2026"
/* The version of what this generator writes and how it leaves it. `make bench` keeps
 * generated data under it (bench/run.sh), so data from an earlier generator is never
 * measured as this one's: raise it with any change to the generated data or its
 * layout. 2: batches of 50,000 and full-text indexes merged at the end. 3: PostgreSQL
 * indexes ordered NULLS FIRST (a server started on version 2 data rebuilds them). 4:
 * PostgreSQL search tables with a statistics target of 1,000 (a server started on
 * earlier data analyses them, which the start-up figure would count). 5: North American
 * numbers with real exchanges, and phone keys (a server started on earlier data writes
 * them all first). 6: activities linked to their customer's account (account_id; a
 * server started on earlier data fills it in, a minute per million activities). 7: a
 * service desk, cases and knowledge-base articles on request (--cases, --articles), and
 * cases' next due time. */
#define BENCH_DATA_VERSION 7
#define TEAMS 4
#define REPS_PER_TEAM 5
/* The service desk: support agents and the queues they work. */
#define AGENTS 12

static const char *const EN_FIRST[] = {
    "James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel",
    "Olivia", "William", "Sophia", "Joseph", "Ava", "Thomas", "Mia", "Charles", "Isabella",
    "Matthew", "Amelia", "Anthony", "Harper", "Mark", "Evelyn", "Steven", "Abigail", "Paul",
    "Emily", "Andrew", "Ella", "Joshua", "Grace", "Kevin", "Chloe", "Brian", "Lily"};
static const char *const EN_LAST[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
    "Roberts"};
static const char *const ZH_SURNAME[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周",
                                         "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭",
                                         "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐"};
static const char *const ZH_GIVEN[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强",
                                       "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
                                       "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华"};
static const char *const EN_WORDS[] = {
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
    "Soylent", "Tyrell", "Cyberdyne", "Aperture", "Nakatomi", "Oscorp", "Dunder",
    "Prestige", "Northwind", "Contoso", "Fabrikam", "Litware", "Blue Yonder", "Wingtip"};
static const char *const EN_TRADE[] = {"Systems", "Logistics", "Foods", "Energy", "Labs",
                                       "Consulting", "Software", "Motors", "Health",
                                       "Capital"};
static const char *const EN_SUFFIX[] = {"Inc.", "Ltd", "GmbH", "LLC", "Corp", "Group"};
static const char *const EN_CITIES[] = {"New York", "Chicago", "Austin", "Seattle", "Boston",
                                        "Denver", "London", "Berlin", "Paris", "Toronto"};
static const char *const ZH_CITIES[] = {"北京", "上海", "深圳", "广州", "杭州",
                                        "成都", "南京", "武汉", "苏州", "西安"};
static const char *const ZH_WORDS[] = {"华信", "东方", "长城", "新宇", "恒通", "瑞丰",
                                       "金桥", "天成", "博远", "汇智", "中联", "宏达"};
static const char *const ZH_TRADE[] = {"科技", "贸易", "制造", "物流", "咨询", "软件", "电子"};
static const char *const TITLES[] = {"Director", "Buyer", "CEO", "CFO", "Engineer",
                                     "Purchasing Manager", "Analyst", "VP Sales", "总经理",
                                     "采购经理"};
static const char *const INDUSTRIES[] = {"technology", "manufacturing", "retail", "finance",
                                         "healthcare", "energy", "education", "consulting"};
static const char *const SOURCES[] = {"web", "referral", "campaign", "cold_call",
                                      "trade_show", "partner"};
/* Stages weighted like a real funnel: many early deals, fewer late ones. */
static const char *const STAGES[] = {"prospecting", "prospecting", "prospecting",
                                     "qualification", "qualification", "needs_analysis",
                                     "needs_analysis", "proposal", "negotiation",
                                     "closed_won", "closed_won", "closed_lost", "closed_lost"};
static const char *const LEAD_STATUS[] = {"new", "new", "contacted", "qualified",
                                          "unqualified"};
static const char *const RATINGS[] = {"hot", "warm", "cold"};
static const char *const ACT_TYPES[] = {"call", "call", "call", "call", "email", "email",
                                        "email", "task", "task", "meeting", "meeting",
                                        "meeting", "note"};
static const char *const SUBJECTS[] = {"Follow-up", "Discovery call", "Send the proposal",
                                       "Contract review", "Quarterly review", "Demo",
                                       "Pricing questions", "跟进电话", "合同评审", "产品演示"};
static const char *const RELATED[] = {"opportunities", "contacts", "accounts"};
static const char *const CASE_SUBJECTS[] = {
    "Cannot sign in", "Invoice shows the wrong amount", "Label printer jams",
    "Export is empty", "Scanner not detected", "Password reset link expired",
    "Slow search on the orders page", "Delivery address cannot be changed",
    "无法登录系统", "发票金额有误", "打印机卡纸", "导出文件为空"};
static const char *const CASE_PRODUCTS[] = {"Rapport Cloud", "Label printer", "Scanner",
                                            "Training", "培训服务"};
static const char *const CASE_TYPES[] = {"question", "problem", "problem", "incident",
                                         "request"};
static const char *const CASE_PRIORITIES[] = {"p1", "p2", "p2", "p3", "p3", "p3", "p3", "p4"};
static const char *const CASE_CHANNELS[] = {"phone", "phone", "email", "email", "web",
                                            "portal", "chat"};
/* Where a case stands, by the moves that bring a new case there: most of a year of
 * cases are closed; the open ones (one in ten) are recent. */
static const char *const *const CASE_PATHS[] = {
    (const char *const[]){"in_progress", "resolved", "closed", NULL},
    (const char *const[]){"in_progress", "resolved", NULL},
    (const char *const[]){NULL},
    (const char *const[]){"in_progress", NULL},
    (const char *const[]){"in_progress", "waiting_on_customer", NULL},
    (const char *const[]){"in_progress", "waiting_on_third_party", NULL},
};
/* The knowledge base's words: a domain word or two in every title, and bodies of the
 * common words of any text and rarer ones made of syllables (about 5,000 in each
 * language), so a word holds in as many articles as it would in a real base. */
static const char *const KB_EN[] = {"printer", "label", "invoice", "password", "export",
                                    "import", "scanner", "network", "delivery", "order",
                                    "account", "report", "sign-in", "settings", "update",
                                    "backup", "calendar", "mobile", "sync", "error"};
static const char *const KB_ZH[] = {"打印机", "标签", "发票", "密码", "导出", "导入",
                                    "扫描仪", "网络", "配送", "订单", "账户", "报表",
                                    "登录", "设置", "更新", "备份", "日历", "手机",
                                    "同步", "错误"};
static const char *const KB_COMMON_EN[] = {"the", "to", "and", "a", "of", "in", "is", "it",
                                           "you", "that", "on", "for", "with", "this",
                                           "check", "open", "click", "then", "when", "if"};
static const char *const KB_COMMON_ZH[] = {"的", "了", "在", "是", "我们", "可以", "如果",
                                           "然后", "点击", "打开", "检查", "需要", "请",
                                           "系统", "问题", "客户", "使用", "进行", "时", "后"};
static const char *const SYLLABLES_EN[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "vo",
                                           "pe", "da", "gu", "zi", "ba", "fo", "le", "mu",
                                           "xo", "re", "ti", "wa"};
static const char *const CHARS_ZH[] = {"控", "制", "器", "连", "接", "口", "驱", "动", "程",
                                       "序", "模", "块", "参", "数", "端", "版", "本", "纸",
                                       "墨", "盒", "电", "源", "线", "缆", "屏", "幕", "键",
                                       "盘", "卡", "槽", "内", "存", "硬", "盘", "缓", "冲",
                                       "队", "列", "证", "书", "权", "限", "日", "志", "配",
                                       "额", "报", "警", "温", "度", "速", "率", "格", "式",
                                       "字", "段", "路", "径", "文", "件", "夹", "包", "码",
                                       "扫", "描", "复", "印", "传", "真"};

/* An id kept for later references: the arena is released after every batch. */
typedef char bench_id[RP_ID_LEN + 1];

struct gen {
    struct rec_ctx ctx;
    struct arena a;
    uint64_t rng;
    int64_t today_ms;
    size_t in_batch;
    bench_id teams[TEAMS];
    bench_id reps[TEAMS * (REPS_PER_TEAM + 1)];
    size_t nreps;
    bench_id *accounts, *contacts, *opportunities;
    size_t naccounts, ncontacts, nopportunities;
    bench_id agents[AGENTS];
    bench_id categories[8];
    size_t ncases;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return (uint32_t)(g->rng % n);
}

#define PICK(g, arr) ((arr)[rnd((g), RP_NELEM(arr))])

static struct rec_input S(const char *f, const char *v)
{
    return (struct rec_input){.field = rp_str_c(f), .kind = IN_STRING, .s = v, .len = strlen(v)};
}

static struct rec_input NUM(const char *f, const char *v)
{
    return (struct rec_input){.field = rp_str_c(f), .kind = IN_NUMBER, .s = v, .len = strlen(v)};
}

/* A moment `minutes` from today's midnight UTC, in the API's datetime form. */
static const char *at(struct gen *g, int64_t minutes)
{
    char buf[32];
    text_format_datetime(g->today_ms + minutes * 60000, buf, sizeof(buf));
    return arena_strdup(&g->a, buf);
}

static const char *day(struct gen *g, int64_t days)
{
    const char *t = at(g, days * 1440);
    return arena_strndup(&g->a, t, 10);
}

/* Commits every RP_BENCH_BATCH records and starts the next transaction with a fresh arena. */
static enum rp_err batch_step(struct gen *g)
{
    if (++g->in_batch < RP_BENCH_BATCH)
        return RP_OK;
    g->in_batch = 0;
    enum rp_err err = rec_tx_end(&g->ctx, RP_OK);
    arena_release(&g->a);
    arena_init(&g->a);
    g->ctx.errors = NULL; /* lived in the released arena */
    g->ctx.errcap = 0;
    return err ? err : rec_tx_begin(&g->ctx);
}

static enum rp_err make(struct gen *g, const struct entity_def *e, struct rec_input *in,
                        size_t n, bench_id out)
{
    struct rec r;
    g->ctx.nerrors = 0;
    g->ctx.detail = NULL;
    enum rp_err err = rec_create(&g->ctx, e, in, n, &r);
    if (err == RP_EINVAL && g->ctx.nerrors)
        fprintf(stderr, "bench-data: %s.%s %s\n", e->name, g->ctx.errors[0].field,
                g->ctx.errors[0].message);
    if (!err && out)
        snprintf(out, sizeof(bench_id), "%s", r.id);
    return err ? err : batch_step(g);
}

static const char *owner(struct gen *g)
{
    return g->reps[rnd(g, (uint32_t)g->nreps)];
}

static enum rp_err people(struct gen *g)
{
    enum rp_err err = RP_OK;
    for (int t = 0; !err && t < TEAMS; t++) {
        struct rec_input team[] = {S("name", arena_printf(&g->a, "Bench team %d", t + 1))};
        err = make(g, meta_need("teams"), team, 1, g->teams[t]);
        for (int k = 0; !err && k <= REPS_PER_TEAM; k++) {
            const char *user = k ? arena_printf(&g->a, "bench-sales-%d-%d", t + 1, k)
                                 : arena_printf(&g->a, "bench-manager-%d", t + 1);
            struct rp_str team_id = rp_str_c(g->teams[t]);
            struct rec_input in[] = {
                S("username", user), S("display_name", user), S("role", k ? "sales" : "manager"),
                {.field = RP_STR("team_ids"), .kind = IN_LIST, .items = &team_id, .nitems = 1},
                S("password", BENCH_PASSWORD)};
            err = make(g, meta_need("users"), in, RP_NELEM(in), g->reps[g->nreps]);
            g->nreps++;
        }
    }
    return err;
}

/* The i-th North American number of an area code: exchanges start with 2-9, so every
 * one is a number the phone reader keys (core/phone.h), distinct up to 8 million. */
static const char *us_phone(struct gen *g, const char *area, size_t i)
{
    return arena_printf(&g->a, "+1 %s %03zu %04zu", area, 200 + i / 10000 % 800, i % 10000);
}

static enum rp_err account(struct gen *g, size_t i)
{
    bool zh = i % 3 == 0;
    const char *name = zh ? arena_printf(&g->a, "%s%s%s有限公司%zu", PICK(g, ZH_CITIES), PICK(g, ZH_WORDS),
                                PICK(g, ZH_TRADE), i)
                          : arena_printf(&g->a, "%s %s %s %zu", PICK(g, EN_WORDS), PICK(g, EN_TRADE),
                                PICK(g, EN_SUFFIX), i);
    struct rec_input in[] = {
        S("name", name), S("type", rnd(g, 4) ? "customer" : "prospect"),
        S("industry", PICK(g, INDUSTRIES)),
        S("billing_city", zh ? PICK(g, ZH_CITIES) : PICK(g, EN_CITIES)),
        S("billing_country", zh ? "China" : "United States"),
        S("phone", zh ? arena_printf(&g->a, "+86 10 %08zu", i) : us_phone(g, "212", i)),
        S("annual_revenue", arena_printf(&g->a, "%u000.00", 50 + rnd(g, 500000))),
        S("owner_id", owner(g))};
    return make(g, meta_need("accounts"), in, RP_NELEM(in), g->accounts[g->naccounts++]);
}

static enum rp_err contact(struct gen *g, size_t i)
{
    bool zh = i % 4 == 0;
    const char *first = zh ? PICK(g, ZH_GIVEN) : PICK(g, EN_FIRST);
    const char *last = zh ? PICK(g, ZH_SURNAME) : PICK(g, EN_LAST);
    struct rec_input in[] = {
        S("first_name", first), S("last_name", last), S("title", PICK(g, TITLES)),
        S("email", zh ? arena_printf(&g->a, "zh.%zu@example.cn", i) : arena_printf(&g->a, "%s.%s.%zu@example.com", first,
                                                              last, i)),
        S("phone_work", zh ? arena_printf(&g->a, "+86 21 %08zu", i) : us_phone(g, "415", i)),
        S("city", zh ? PICK(g, ZH_CITIES) : PICK(g, EN_CITIES)),
        S("lead_source", PICK(g, SOURCES)), S("owner_id", owner(g)),
        S("account_id", g->naccounts ? g->accounts[rnd(g, (uint32_t)g->naccounts)] : "")};
    return make(g, meta_need("contacts"), in, RP_NELEM(in) - !g->naccounts,
                g->contacts[g->ncontacts++]);
}

static enum rp_err lead(struct gen *g, size_t i)
{
    bool zh = i % 2 == 0;
    struct rec_input in[] = {
        S("first_name", zh ? PICK(g, ZH_GIVEN) : PICK(g, EN_FIRST)),
        S("last_name", zh ? PICK(g, ZH_SURNAME) : PICK(g, EN_LAST)),
        S("company", zh ? arena_printf(&g->a, "%s%s贸易公司%zu", PICK(g, ZH_CITIES), PICK(g, ZH_WORDS), i)
                        : arena_printf(&g->a, "%s Partners %zu", PICK(g, EN_WORDS), i)),
        S("email", arena_printf(&g->a, "lead.%zu@example.org", i)), S("source", PICK(g, SOURCES)),
        S("status", PICK(g, LEAD_STATUS)), S("rating", PICK(g, RATINGS)),
        S("owner_id", owner(g))};
    return make(g, meta_need("leads"), in, RP_NELEM(in), NULL);
}

static enum rp_err opportunity(struct gen *g, size_t i)
{
    const char *stage = PICK(g, STAGES);
    bool closed = strncmp(stage, "closed", 6) == 0;
    /* Closed deals closed in the last year; open ones close in the next six months. */
    int64_t close = closed ? -(int64_t)rnd(g, 365) : (int64_t)rnd(g, 180);
    struct rec_input in[] = {
        S("name", arena_printf(&g->a, "Deal %zu — %s", i, rnd(g, 2) ? "renewal" : "expansion")),
        S("amount", arena_printf(&g->a, "%u.00", 1000 + rnd(g, 500000))), S("stage", stage),
        S("expected_close_date", day(g, close)), S("lead_source", PICK(g, SOURCES)),
        S("currency", rnd(g, 5) ? "USD" : "CNY"), S("owner_id", owner(g)),
        S("account_id", g->naccounts ? g->accounts[rnd(g, (uint32_t)g->naccounts)] : "")};
    return make(g, meta_need("opportunities"), in, RP_NELEM(in) - !g->naccounts,
                g->opportunities[g->nopportunities++]);
}

static enum rp_err activity(struct gen *g)
{
    const char *type = PICK(g, ACT_TYPES);
    bool timed = strcmp(type, "meeting") == 0 || strcmp(type, "call") == 0;
    /* Over a year: nine months back, three ahead, in working hours. */
    int64_t d = (int64_t)rnd(g, 365) - 273;
    int64_t start = d * 1440 + 8 * 60 + (int64_t)rnd(g, 18) * 30;
    const char *status = d < 0 ? (timed ? "held" : "completed") : "planned";
    struct rec_input in[10];
    size_t n = 0;
    in[n++] = S("type", type);
    in[n++] = S("subject", PICK(g, SUBJECTS));
    in[n++] = S("status", status);
    in[n++] = S("owner_id", owner(g));
    if (timed) {
        in[n++] = S("start_at", at(g, start));
        in[n++] = S("end_at", at(g, start + 30 + 30 * (int64_t)rnd(g, 2)));
    } else if (strcmp(type, "task") == 0) {
        in[n++] = S("due_at", at(g, start));
    }
    const char *rel = PICK(g, RELATED);
    bench_id *pool = rel[0] == 'o' ? g->opportunities
                           : rel[0] == 'c' ? g->contacts : g->accounts;
    size_t npool = rel[0] == 'o' ? g->nopportunities
                   : rel[0] == 'c' ? g->ncontacts : g->naccounts;
    if (npool) {
        in[n++] = S("related_type", rel);
        in[n++] = S("related_id", pool[rnd(g, (uint32_t)npool)]);
    }
    return make(g, meta_need("activities"), in, n, NULL);
}

struct phase {
    const char *name;
    size_t count;
    enum rp_err (*one)(struct gen *g, size_t i);
};

static enum rp_err activity_i(struct gen *g, size_t i)
{
    (void)i;
    return activity(g);
}

/* The service desk: a team of support agents, four queues (critical cases, printers
 * and scanners, everything else, and the escalation queue), on the office-hours policy
 * the service module makes on first start. */
static enum rp_err service_desk(struct gen *g)
{
    bench_id team;
    struct rec_input tin[] = {S("name", "Bench service desk")};
    enum rp_err err = make(g, meta_need("teams"), tin, 1, team);
    struct rp_str team_id = rp_str_c(team);
    for (int k = 0; !err && k < AGENTS; k++) {
        const char *user = arena_printf(&g->a, "bench-support-%d", k + 1);
        struct rec_input in[] = {
            S("username", user), S("display_name", user), S("role", k ? "support" : "manager"),
            {.field = RP_STR("team_ids"), .kind = IN_LIST, .items = &team_id, .nitems = 1},
            S("password", BENCH_PASSWORD)};
        err = make(g, meta_need("users"), in, RP_NELEM(in), g->agents[k]);
    }
    struct rp_str all[AGENTS];
    for (int k = 0; k < AGENTS; k++)
        all[k] = rp_str_c(g->agents[k]);
    bench_id esc;
    struct rec_input ein[] = {
        S("name", "Bench escalations"), NUM("rule_order", "900"), S("method", "round_robin"),
        S("match_product", "escalated only"), S("manager_id", g->agents[0]),
        {.field = RP_STR("member_ids"), .kind = IN_LIST, .items = all, .nitems = 2}};
    if (!err)
        err = make(g, meta_need("case_queues"), ein, RP_NELEM(ein), esc);
    /* Critical cases by round robin among four agents; printers and scanners to four
     * others, the fewest open cases first; the rest to everyone but the lead. */
    struct rp_str p1 = RP_STR("p1");
    const struct {
        const char *name, *order, *method, *product;
        size_t first, n;
    } Q[] = {{"Bench critical", "10", "round_robin", NULL, 1, 4},
             {"Bench hardware", "20", "least_open", "printer", 5, 4},
             {"Bench general", "100", "round_robin", NULL, 1, AGENTS - 1}};
    for (size_t i = 0; !err && i < RP_NELEM(Q); i++) {
        struct rec_input in[8] = {
            S("name", Q[i].name), NUM("rule_order", Q[i].order), S("method", Q[i].method),
            S("manager_id", g->agents[0]), S("escalation_queue_id", esc),
            {.field = RP_STR("member_ids"), .kind = IN_LIST, .items = all + Q[i].first,
             .nitems = Q[i].n}};
        size_t n = 6;
        if (Q[i].product)
            in[n++] = S("match_product", Q[i].product);
        if (i == 0)
            in[n++] = (struct rec_input){.field = RP_STR("match_priorities"), .kind = IN_LIST,
                                         .items = &p1, .nitems = 1};
        err = make(g, meta_need("case_queues"), in, n, NULL);
    }
    /* A service agreement for every third account: a year from last month, fifty
     * cases, printers and scanners or everything. */
    for (size_t i = 0; !err && i < g->naccounts; i += 3) {
        struct rec_input in[] = {
            S("name", arena_printf(&g->a, "Bench support %zu", i)),
            S("account_id", g->accounts[i]), S("status", "active"),
            S("start_date", day(g, -30)), S("end_date", day(g, 335)),
            S("entitlement_type", "cases"), NUM("entitlement_amount", "50"),
            S("covered_products", i % 2 ? "Label printer, Scanner" : "")};
        err = make(g, meta_need("service_agreements"), in, RP_NELEM(in) - !(i % 2), NULL);
    }
    return err;
}

/* A case reported over the last year (closed ones) or the last eight hours (open ones:
 * a desk that keeps up), assigned and timed by the service module's rules (with the
 * agreement of its account when there is one), then moved along its path. */
static enum rp_err one_case(struct gen *g, size_t i)
{
    enum rp_err err = i ? RP_OK : service_desk(g);
    if (err)
        return err;
    uint32_t r = rnd(g, 100);
    size_t state = r < 86 ? 0 : r < 90 ? 1 : 2 + (r - 90) % 4;
    int64_t now_min = (text_now_ms() - g->today_ms) / 60000;
    int64_t back = state < 2 ? 1440 + (int64_t)rnd(g, 360 * 1440) : (int64_t)rnd(g, 480);
    back -= now_min; /* at() counts from midnight */
    struct rec_input in[] = {
        S("subject", arena_printf(&g->a, "%s #%zu", PICK(g, CASE_SUBJECTS), i)),
        S("type", PICK(g, CASE_TYPES)), S("priority", PICK(g, CASE_PRIORITIES)),
        S("channel", PICK(g, CASE_CHANNELS)), S("product", PICK(g, CASE_PRODUCTS)),
        S("reported_at", at(g, -back)),
        S("account_id", g->naccounts ? g->accounts[rnd(g, (uint32_t)g->naccounts)] : "")};
    bench_id id;
    err = make(g, meta_need("cases"), in, RP_NELEM(in) - !g->naccounts, id);
    for (const char *const *step = CASE_PATHS[state]; !err && *step; step++) {
        struct rec_input up[2] = {S("status", *step)};
        size_t n = 1;
        if (strcmp(*step, "resolved") == 0)
            up[n++] = S("resolution", "Walked the customer through the fix; confirmed it works.");
        struct rec out;
        g->ctx.nerrors = 0;
        err = rec_update(&g->ctx, meta_need("cases"), rp_str_c(id), up, n, -1, &out);
        if (err == RP_EINVAL && g->ctx.nerrors)
            fprintf(stderr, "bench-data: cases.%s %s\n", g->ctx.errors[0].field,
                    g->ctx.errors[0].message);
    }
    g->ncases++;
    return err;
}

/* A rarer word: three syllables, or two characters of Chinese. */
static const char *rare_word(struct gen *g, bool zh)
{
    if (zh)
        return arena_printf(&g->a, "%s%s", PICK(g, CHARS_ZH), PICK(g, CHARS_ZH));
    return arena_printf(&g->a, "%s%s%s", PICK(g, SYLLABLES_EN), PICK(g, SYLLABLES_EN),
                        PICK(g, SYLLABLES_EN));
}

/* A knowledge-base article: half in English, half in Chinese, most published, under
 * one of eight categories, with a few paragraphs of the domain's words. */
static enum rp_err article(struct gen *g, size_t i)
{
    if (i == 0)
        for (size_t k = 0; k < RP_NELEM(g->categories); k++) {
            struct rec_input in[] = {S("name", arena_printf(&g->a, "Bench topic %zu", k + 1))};
            enum rp_err err = make(g, meta_need("kb_categories"), in, 1, g->categories[k]);
            if (err)
                return err;
        }
    bool zh = i % 2 == 1;
    const char *const *w = zh ? KB_ZH : KB_EN;
    size_t nw = RP_NELEM(KB_EN);
    const char *title = zh ? arena_printf(&g->a, "%s%s问题的解决办法 %zu", w[rnd(g, (uint32_t)nw)],
                                          rare_word(g, true), i)
                           : arena_printf(&g->a, "How to fix %s %s problems (%zu)",
                                          w[rnd(g, (uint32_t)nw)], rare_word(g, false), i);
    struct rp_buf body;
    buf_init(&body, 4096);
    for (int para = 0; para < 3; para++) {
        for (int k = 0; k < 40; k++) {
            uint32_t r = rnd(g, 20);
            const char *word = r < 10  ? (zh ? PICK(g, KB_COMMON_ZH) : PICK(g, KB_COMMON_EN))
                               : r < 19 ? rare_word(g, zh)
                                        : w[rnd(g, (uint32_t)nw)];
            buf_printf(&body, "%s%s", word, zh ? "" : " ");
        }
        buf_adds(&body, zh ? "。\n\n" : ".\n\n");
    }
    uint32_t st = rnd(g, 10);
    struct rec_input in[] = {
        S("title", title), S("language", zh ? "zh-CN" : "en"),
        S("status", st < 8 ? "published" : st < 9 ? "draft" : "archived"),
        S("category_id", g->categories[rnd(g, RP_NELEM(g->categories))]),
        S("body", arena_strndup(&g->a, buf_cstr(&body), body.len))};
    buf_release(&body);
    return make(g, meta_need("kb_articles"), in, RP_NELEM(in), NULL);
}

/* Merges every full-text index into one segment, as an operator would after a bulk
 * load (store_fts_optimize): the load left a segment per transaction. */
static enum rp_err merge_fulltext(struct gen *g)
{
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < meta_entity_count() && !err; k++)
        if (meta_searchable(meta_entity_at(k)))
            err = store_fts_optimize(g->ctx.conn, meta_entity_at(k)->name);
    return err;
}

/* CPU time of the process (user and system), in ms: on a shared machine the wall
 * clock also counts the time other processes had the CPU. */
static int64_t cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static enum rp_err run(struct gen *g, const struct phase *p)
{
    int64_t t0 = text_now_ms(), c0 = cpu_ms();
    enum rp_err err = RP_OK;
    for (size_t i = 0; !err && i < p->count; i++)
        err = p->one(g, i);
    if (!err)
        err = rec_tx_end(&g->ctx, RP_OK);
    if (!err)
        err = rec_tx_begin(&g->ctx);
    int64_t ms = text_now_ms() - t0, cpu = cpu_ms() - c0;
    if (!err && p->count)
        printf("  %-14s %9zu in %6.1f s  (%.0f/s; CPU %.1f s, %.0f/s)\n", p->name, p->count,
               (double)ms / 1000, (double)p->count * 1000 / (double)(ms ? ms : 1),
               (double)cpu / 1000, (double)p->count * 1000 / (double)(cpu ? cpu : 1));
    fflush(stdout);
    return err;
}

/* The escalation sweep over the generated cases, timed: first the catch-up (what came
 * due while the data was written, applied a batch per level at a time, as servers do
 * after downtime), then the sweep every server runs each minute with nothing due. */
static enum rp_err sweep(struct gen *g)
{
    struct rec_param p[] = {
        {RP_STR("status[in]"),
         RP_STR("new,assigned,in_progress,waiting_on_customer,waiting_on_third_party,reopened")},
        {RP_STR("count"), RP_STR("true")},
        {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page = {0};
    enum rp_err err = rec_query_parse(&g->ctx, meta_need("cases"), p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(&g->ctx, meta_need("cases"), q, &page);
    int64_t t0 = text_now_ms(), total = 0, done = 1;
    while (!err && done) {
        err = service_escalate(&g->ctx, text_now_ms(), &done);
        total += done;
    }
    if (!err)
        printf("  %-14s %9lld in %6.3f s  (levels applied; %lld open cases)\n", "catch-up",
               (long long)total, (double)(text_now_ms() - t0) / 1000, (long long)page.total);
    t0 = text_now_ms();
    if (!err)
        err = service_escalate(&g->ctx, text_now_ms(), &done);
    if (!err)
        printf("  %-14s %9lld in %6.3f s  (over %lld open cases)\n", "sweep", (long long)done,
               (double)(text_now_ms() - t0) / 1000, (long long)page.total);
    return err;
}

static bool parse_count(const char *s, size_t *out)
{
    int64_t v;
    if (text_parse_i64(rp_str_c(s), &v) || v < 0 || v > 100000000)
        return false;
    *out = (size_t)v;
    return true;
}

static int usage(void)
{
    fprintf(stderr, "usage: rapport bench-data [--db URL] [--accounts N] [--contacts N]"
                    " [--leads N]\n                          [--opportunities N]"
                    " [--activities N] [--cases N] [--articles N]\n"
                    "                          [--seed S]\n"
                    "       rapport bench-data --version\n");
    return 2;
}

int cli_bench_data(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : "sqlite:data/rapport.db";
    size_t n[7] = {1000, 10000, 1000, 10000, 20000, 0, 0};
    static const char *const OPTS[] = {"--accounts", "--contacts", "--leads",
                                       "--opportunities", "--activities", "--cases",
                                       "--articles"};
    size_t seed = 1;
    if (argc == 1 && strcmp(argv[0], "--version") == 0) {
        printf("%d\n", BENCH_DATA_VERSION);
        return 0;
    }
    for (int i = 0; i < argc; i++) {
        bool ok = i + 1 < argc;
        if (ok && strcmp(argv[i], "--db") == 0) {
            db = argv[++i];
            continue;
        }
        if (ok && strcmp(argv[i], "--seed") == 0) {
            ok = parse_count(argv[++i], &seed);
        } else {
            size_t k = 0;
            while (k < RP_NELEM(OPTS) && strcmp(argv[i], OPTS[k]) != 0)
                k++;
            ok = ok && k < RP_NELEM(OPTS) && parse_count(argv[++i], &n[k]);
        }
        if (!ok)
            return usage();
    }

    struct store *s;
    struct store_conn *c;
    if (cli_open("bench-data", db, true, &s, &c))
        return 1;
    store_set_write_cache(s, RP_BENCH_WRITE_CACHE_KIB);
    enum rp_err err;
    struct gen *g = calloc(1, sizeof(*g));
    RP_ASSERT(g);
    g->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0xBF58476D1CE4E5B9ull);
    g->today_ms = text_now_ms() / 86400000 * 86400000;
    g->accounts = calloc(n[0] + 1, sizeof(bench_id));
    g->contacts = calloc(n[1] + 1, sizeof(bench_id));
    g->opportunities = calloc(n[3] + 1, sizeof(bench_id));
    RP_ASSERT(g->accounts && g->contacts && g->opportunities);
    arena_init(&g->a);
    rec_ctx_system(&g->ctx, s, c, &g->a, "bench-data");
    /* Generated calendars double-book and generated names look alike, as real ones do;
     * the checks still run their lookups only when asked to. */
    g->ctx.allow_conflict = true;
    g->ctx.allow_duplicate = true;

    const struct phase phases[] = {{"accounts", n[0], account},
                                   {"contacts", n[1], contact},
                                   {"leads", n[2], lead},
                                   {"opportunities", n[3], opportunity},
                                   {"activities", n[4], activity_i},
                                   {"cases", n[5], one_case},
                                   {"kb articles", n[6], article}};
    int64_t t0 = text_now_ms();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench-data: writing into %s\n", db);
    err = rec_tx_begin(&g->ctx);
    if (!err) {
        err = people(g);
        if (err == RP_ECONFLICT)
            fprintf(stderr, "rapport bench-data: the database already holds bench users;"
                            " bench data goes into a new database\n");
        for (size_t i = 0; !err && i < RP_NELEM(phases); i++)
            err = run(g, &phases[i]);
        int64_t t1 = text_now_ms(), changed = 0;
        if (!err)
            err = sales_retier(&g->ctx, SALES_TIER_WINDOW_DAYS, &changed);
        if (!err)
            printf("  %-14s %9lld in %6.1f s\n", "tiers", (long long)changed,
                   (double)(text_now_ms() - t1) / 1000);
        err = rec_tx_end(&g->ctx, err);
        t1 = text_now_ms();
        if (!err)
            err = merge_fulltext(g);
        if (!err)
            printf("  %-14s %9s in %6.1f s\n", "full-text", "", (double)(text_now_ms() - t1) / 1000);
        t1 = text_now_ms();
        if (!err)
            err = store_analyze(g->ctx.conn, NULL);
        if (!err)
            printf("  %-14s %9s in %6.1f s\n", "statistics", "", (double)(text_now_ms() - t1) / 1000);
        if (!err && n[5])
            err = sweep(g);
    }
    if (!err)
        printf("bench-data: done in %.1f s; sign in as bench-sales-1-1 or bench-manager-1"
               " (password %s)\n",
               (double)(text_now_ms() - t0) / 1000, BENCH_PASSWORD);
    else
        fprintf(stderr, "rapport bench-data: failed: %s (batches already committed stay)\n",
                rp_err_name(err));
    arena_release(&g->a);
    free(g->accounts);
    free(g->contacts);
    free(g->opportunities);
    free(g);
    store_close(s);
    return err ? 1 : 0;
}
