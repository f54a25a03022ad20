/* SLA policies and business-hours calendars, and the clocks of a case: a policy sets,
 * per priority, minutes of working time to the first response and to the resolution;
 * its calendar says which time is working time. A case stores its due times and its
 * next escalation point, recomputed whenever what they depend on changes, so lists sort
 * by urgency and the escalation sweep finds its cases through an index. */
#include "core/common.h"

#include "core/log.h"
#include "core/text.h"
#include "mod/service/service.h"

static const struct meta_range TARGET = {1, SVC_MAX_TARGET_MIN};

#define TARGET_FIELD(n, lab, labzh)                                                        \
    {.name = n, .label = lab, .label_zh = labzh, .type = FT_INT, .range = &TARGET,           \
     .group = "targets"}

static const struct field_def POLICY_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100,
     .group = "overview"},
    {.name = "is_default", .label = "Default policy", .label_zh = "默认策略", .type = FT_BOOL,
     .flags = FF_INDEXED | FF_LIST, .group = "overview", .def = "false"},
    {.name = "calendar_id", .label = "Business hours", .label_zh = "工作时间", .type = FT_REF,
     .flags = FF_LIST, .ref_entity = "business_calendars", .group = "overview"},
    TARGET_FIELD("p1_response", "P1 first response (minutes)", "P1 首次响应（分钟）"),
    TARGET_FIELD("p1_resolution", "P1 resolution (minutes)", "P1 解决（分钟）"),
    TARGET_FIELD("p2_response", "P2 first response (minutes)", "P2 首次响应（分钟）"),
    TARGET_FIELD("p2_resolution", "P2 resolution (minutes)", "P2 解决（分钟）"),
    TARGET_FIELD("p3_response", "P3 first response (minutes)", "P3 首次响应（分钟）"),
    TARGET_FIELD("p3_resolution", "P3 resolution (minutes)", "P3 解决（分钟）"),
    TARGET_FIELD("p4_response", "P4 first response (minutes)", "P4 首次响应（分钟）"),
    TARGET_FIELD("p4_resolution", "P4 resolution (minutes)", "P4 解决（分钟）"),
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .group = "description"},
};

const struct entity_def service__sla_policies = {
    .name = "sla_policies",
    .label = "SLA policy",
    .label_plural = "SLA policies",
    .label_zh = "服务等级策略",
    .label_plural_zh = "服务等级策略",
    .fields = POLICY_FIELDS,
    .nfields = RP_NELEM(POLICY_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM, /* configuration, not customer records */
};

#define HOURS_FIELD(n, lab, labzh, d)                                                      \
    {.name = n, .label = lab, .label_zh = labzh, .type = FT_STRING, .maxlen = 60,          \
     .group = "hours", .def = d}

static const char *const DAYS[] = {"hours_sun", "hours_mon", "hours_tue", "hours_wed",
                                   "hours_thu", "hours_fri", "hours_sat"};

static const struct field_def CALENDAR_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100,
     .group = "overview"},
    {.name = "time_zone", .label = "Time zone", .label_zh = "时区", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_LIST, .maxlen = 64, .group = "overview", .def = "UTC"},
    HOURS_FIELD("hours_mon", "Monday", "星期一", "09:00-17:00"),
    HOURS_FIELD("hours_tue", "Tuesday", "星期二", "09:00-17:00"),
    HOURS_FIELD("hours_wed", "Wednesday", "星期三", "09:00-17:00"),
    HOURS_FIELD("hours_thu", "Thursday", "星期四", "09:00-17:00"),
    HOURS_FIELD("hours_fri", "Friday", "星期五", "09:00-17:00"),
    HOURS_FIELD("hours_sat", "Saturday", "星期六", NULL),
    HOURS_FIELD("hours_sun", "Sunday", "星期日", NULL),
    {.name = "holidays", .label = "Holidays", .label_zh = "节假日", .type = FT_TEXT,
     .group = "hours"},
};

const struct entity_def service__business_calendars = {
    .name = "business_calendars",
    .label = "Business-hours calendar",
    .label_plural = "Business-hours calendars",
    .label_zh = "工作时间日历",
    .label_plural_zh = "工作时间日历",
    .fields = CALENDAR_FIELDS,
    .nfields = RP_NELEM(CALENDAR_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM,
};

static struct rp_str str_of(const struct rec_value *v)
{
    return v->null ? (struct rp_str){"", 0} : (struct rp_str){v->s, v->len};
}

/* Reads a calendar record into c; field errors when it does not parse. */
static enum rp_err calendar_of(struct rec_ctx *ctx, const struct rec *r, struct svc_calendar *c)
{
    memset(c, 0, sizeof(*c));
    const struct rec_value *tz = rec_field(r, "time_zone");
    const char *name = tz->null ? "UTC" : arena_strndup(ctx->a, tz->s, tz->len);
    c->zone = svc_zone(name);
    if (!c->zone)
        rec_field_error(ctx, "time_zone", "is not a time zone of the tz database");
    c->offset = svc_zone_offset;
    for (int d = 0; d < 7; d++)
        if (svc_parse_hours(str_of(rec_field(r, DAYS[d])), c->week[d], &c->nspans[d]))
            rec_field_error(ctx, DAYS[d],
                            "give working hours as 09:00-12:00,13:00-17:00, or leave it empty");
    if (svc_parse_holidays(str_of(rec_field(r, "holidays")), c->holidays, &c->nholidays))
        rec_field_error(ctx, "holidays", "give at most %d dates as YYYY-MM-DD",
                        SVC_MAX_HOLIDAYS);
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

enum rp_err service__validate_calendar(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    struct svc_calendar c;
    return calendar_of(ctx, r, &c);
}

enum rp_err service__validate_policy(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!rec_field(r, "is_default")->i || !rec_changed(r, old, "is_default"))
        return RP_OK;
    const struct rec *def;
    enum rp_err err = service__default_policy(ctx, &def);
    if (!err && def && strcmp(def->id, r->id))
        err = rec_field_error(ctx, "is_default",
                              "another policy is the default: make it not the default first");
    return err;
}

enum rp_err service__policy_calendar(struct rec_ctx *ctx, const struct rec *policy,
                                     struct svc_calendar *out)
{
    const struct rec_value *cid = rec_field(policy, "calendar_id");
    if (cid->null) {
        memset(out, 0, sizeof(*out));
        out->always = true;
        return RP_OK;
    }
    struct rec cal;
    const char *saved = rec_system_begin(ctx, "business calendar");
    enum rp_err err = rec_get(ctx, meta_need("business_calendars"),
                              (struct rp_str){cid->s, cid->len}, &cal);
    rec_system_end(ctx, saved);
    if (err == RP_ENOTFOUND) { /* deleted: every hour counts until another is set */
        memset(out, 0, sizeof(*out));
        out->always = true;
        return RP_OK;
    }
    if (err)
        return err;
    /* A calendar saved under different rules (a zone the system no longer knows) counts
     * as UTC rather than stopping every case that uses it. */
    size_t nerr = ctx->nerrors;
    if (calendar_of(ctx, &cal, out) == RP_EINVAL) {
        ctx->nerrors = nerr;
        if (!out->zone)
            out->offset = NULL;
    }
    return RP_OK;
}

enum rp_err service__default_policy(struct rec_ctx *ctx, const struct rec **out)
{
    *out = NULL;
    struct rec_param p[] = {{RP_STR("is_default"), RP_STR("true")},
                            {RP_STR("limit"), RP_STR("1")}};
    const struct entity_def *e = meta_need("sla_policies");
    struct rec_query *q;
    struct rec_page page;
    const char *saved = rec_system_begin(ctx, "default sla policy");
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    rec_system_end(ctx, saved);
    if (!err && page.nrows)
        *out = &page.rows[0];
    return err;
}

int64_t service__target(const struct rec *policy, const char *priority, enum svc_target t)
{
    char name[32];
    snprintf(name, sizeof(name), "%.2s_%s", priority,
             t == SVC_RESPONSE ? "response" : "resolution");
    for (size_t i = 0; i < policy->ent->nfields; i++)
        if (strcmp(policy->ent->fields[i].name, name) == 0)
            return policy->v[i].null ? 0 : policy->v[i].i;
    return 0;
}

static int64_t seconds_of(const struct rec_value *v)
{
    int64_t ms = 0;
    if (v->null || text_parse_datetime((struct rp_str){v->s, v->len}, &ms) != RP_OK)
        return -1;
    return ms / 1000;
}

static const char *format_s(struct rec_ctx *ctx, int64_t s)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime(s * 1000, b, 32);
    return b;
}

static void set_time(struct rec *r, const char *field, const char *s)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = s ? (struct rec_value){false, 0, s, strlen(s)} : (struct rec_value){.null = true};
}

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

/* The case's policy, or *found false. */
static enum rp_err policy_of(struct rec_ctx *ctx, const struct rec *c, struct rec *policy,
                             bool *found)
{
    *found = false;
    const struct rec_value *pid = rec_field(c, "sla_policy_id");
    if (pid->null)
        return RP_OK;
    const char *saved = rec_system_begin(ctx, "sla policy");
    enum rp_err err = rec_get(ctx, meta_need("sla_policies"), (struct rp_str){pid->s, pid->len},
                              policy);
    rec_system_end(ctx, saved);
    *found = !err;
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* Whether target t of case c is still running (not met, case not resolved). */
static bool running(const struct rec *c, enum svc_target t)
{
    const struct rec_value *st = rec_field(c, "status");
    if (is(st, "resolved") || is(st, "closed"))
        return false;
    return t == SVC_RESOLUTION || rec_field(c, "first_response_at")->null;
}

enum rp_err service__load_policy(struct rec_ctx *ctx, const struct rec *c,
                                 struct svc_sla_cache *cache)
{
    const struct rec_value *pid = rec_field(c, "sla_policy_id");
    if (pid->null) {
        cache->found = false;
        cache->policy_id = NULL;
        return RP_OK;
    }
    if (cache->policy_id && strlen(cache->policy_id) == pid->len &&
        memcmp(cache->policy_id, pid->s, pid->len) == 0)
        return RP_OK;
    cache->policy_id = NULL;
    enum rp_err err = policy_of(ctx, c, &cache->policy, &cache->found);
    if (!err && cache->found)
        err = service__policy_calendar(ctx, &cache->policy, &cache->cal);
    if (!err)
        cache->policy_id = arena_strndup(ctx->a, pid->s, pid->len);
    return err;
}

enum rp_err service__plan(struct rec_ctx *ctx, struct rec *r, struct svc_sla_cache *cache)
{
    static const char *const DUE[] = {"response_due_at", "resolution_due_at"};
    enum rp_err err = service__load_policy(ctx, r, cache);
    if (err)
        return err;
    bool found = cache->found;
    const struct rec *policy = &cache->policy;
    const struct svc_calendar *cal = &cache->cal;
    int64_t start = seconds_of(rec_field(r, "reported_at"));
    int64_t paused = rec_field(r, "paused_s")->i;
    bool stopped = !rec_field(r, "paused_at")->null;
    int64_t level = rec_field(r, "escalation_level")->i, next = INT64_MAX, first = -1;
    const struct rec_value *prio = rec_field(r, "priority");
    char pr[3] = {0};
    memcpy(pr, prio->s, prio->len < 2 ? prio->len : 2);
    for (int t = SVC_RESPONSE; t <= SVC_RESOLUTION; t++) {
        int64_t target = found ? service__target(policy, pr, (enum svc_target)t) * 60 : 0;
        int64_t due = -1, warn = -1;
        if (target > 0 && start >= 0 && running(r, (enum svc_target)t) && !stopped) {
            if (svc_add_working(cal, start, target + paused, &due) != RP_OK)
                due = -1;
            if (svc_add_working(cal, start, target * SVC_WARN_PERCENT / 100 + paused, &warn) !=
                RP_OK)
                warn = -1;
        }
        set_time(r, DUE[t], due >= 0 ? format_s(ctx, due) : NULL);
        if (due >= 0 && (first < 0 || due < first))
            first = due;
        int64_t point = level == 0 ? warn : level == 1 ? due : -1;
        if (point >= 0 && point < next)
            next = point;
    }
    set_time(r, "escalate_at", next != INT64_MAX ? format_s(ctx, next) : NULL);
    set_time(r, "due_at", first >= 0 ? format_s(ctx, first) : NULL);
    return RP_OK;
}

enum rp_err svc_case_sla(struct rec_ctx *ctx, const struct rec *c, int64_t now_ms,
                         struct svc_sla *out)
{
    struct svc_sla_cache *cache = arena_calloc(ctx->a, 1, sizeof(*cache));
    return svc_case_sla_cached(ctx, c, now_ms, cache, out);
}

enum rp_err svc_case_sla_cached(struct rec_ctx *ctx, const struct rec *c, int64_t now_ms,
                                struct svc_sla_cache *cache, struct svc_sla *out)
{
    static const char *const DUE[] = {"response_due_at", "resolution_due_at"};
    static const char *const DONE[] = {"first_response_at", "resolved_at"};
    memset(out, 0, sizeof(*out));
    enum rp_err err = service__load_policy(ctx, c, cache);
    if (err || !cache->found)
        return err;
    const struct rec *policy = &cache->policy;
    const struct svc_calendar *cal = &cache->cal;
    out->policy_id = policy->id;
    int64_t now = now_ms / 1000, start = seconds_of(rec_field(c, "reported_at"));
    int64_t paused = rec_field(c, "paused_s")->i;
    int64_t paused_at = seconds_of(rec_field(c, "paused_at"));
    const struct rec_value *prio = rec_field(c, "priority");
    char pr[3] = {0};
    memcpy(pr, prio->s, prio->len < 2 ? prio->len : 2);
    for (int t = SVC_RESPONSE; t <= SVC_RESOLUTION; t++) {
        struct svc_clock *k = &out->clocks[t];
        k->target_min = service__target(policy, pr, (enum svc_target)t);
        k->set = k->target_min > 0 && start >= 0;
        if (!k->set)
            continue;
        const struct rec_value *done = rec_field(c, DONE[t]), *due = rec_field(c, DUE[t]);
        bool closed = is(rec_field(c, "status"), "closed");
        int64_t end = !done->null ? seconds_of(done)
                    : closed ? seconds_of(rec_field(c, "closed_at")) : now;
        k->done_at = done->null ? NULL : done->s;
        k->paused = done->null && !closed && paused_at >= 0;
        int64_t used = svc_working_s(cal, start, end) - paused;
        if (k->paused)
            used -= svc_working_s(cal, paused_at, end);
        k->remaining_s = k->target_min * 60 - used;
        k->breached = k->remaining_s < 0;
        k->due_at = due->null ? NULL : due->s;
    }
    return RP_OK;
}

enum rp_err service__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    (void)interactive;
    int64_t filled = 0;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_tx_end(ctx, service__sql_fill_due(ctx, &filled));
    if (err)
        return err;
    if (filled)
        LOG(LOG_INFO, "cases: the next due time of %lld filled in", (long long)filled);
    /* A first policy, on office hours, so cases have clocks from the start; an
     * administrator changes or replaces it. Made once: a deleted one stays deleted. */
    const struct entity_def *pe = meta_need("sla_policies");
    int64_t total = 0;
    for (int pass = 0; pass < 2 && !err; pass++) {
        struct rec_param p[] = {{RP_STR("count"), RP_STR("true")},
                                {RP_STR("limit"), RP_STR("1")},
                                {RP_STR("deleted"), pass ? RP_STR("only") : RP_STR("false")}};
        struct rec_query *q;
        struct rec_page page;
        err = rec_query_parse(ctx, pe, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, pe, q, &page);
        total += err ? 0 : page.total;
    }
    if (err || total > 0)
        return err;
    struct rec cal, pol;
    struct rec_input ci[] = {rec_in_text("name", "Office hours")};
    if ((err = rec_tx_begin(ctx)))
        return err;
    err = rec_create(ctx, meta_need("business_calendars"), ci, RP_NELEM(ci), &cal);
    static const char *const TARGETS[][2] = {{"p1_response", "60"},    {"p1_resolution", "480"},
                                             {"p2_response", "240"},   {"p2_resolution", "1440"},
                                             {"p3_response", "480"},   {"p3_resolution", "2880"},
                                             {"p4_response", "1440"},  {"p4_resolution", "7200"}};
    struct rec_input pi[3 + RP_NELEM(TARGETS)];
    size_t n = 0;
    pi[n++] = rec_in_text("name", "Standard");
    pi[n++] = (struct rec_input){.field = RP_STR("is_default"), .kind = IN_BOOL, .b = true};
    if (!err)
        pi[n++] = rec_in_text("calendar_id", cal.id);
    for (size_t i = 0; i < RP_NELEM(TARGETS); i++)
        pi[n++] = (struct rec_input){.field = rp_str_c(TARGETS[i][0]), .kind = IN_NUMBER,
                                     .s = TARGETS[i][1], .len = strlen(TARGETS[i][1])};
    if (!err)
        err = rec_create(ctx, pe, pi, n, &pol);
    return rec_tx_end(ctx, err);
}
