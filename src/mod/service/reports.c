/* The service reports' routes (docs/api.md, "Service reports"), the arithmetic around
 * their statements (reports_sql.c), and the hook that records on each case what they
 * count: the wall-clock times to its first response and to its resolution, and whether
 * it missed each target of its SLA policy. */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "mod/service/reports.h"
#include "mod/service/service.h"

const char *const svc_age_buckets[SVC_AGE_BUCKETS] = {"lt_1d", "1_3d", "3_7d", "7_30d",
                                                      "gt_30d"};
const char *const svc_time_buckets[SVC_TIME_BUCKETS] = {"lt_1h", "1_4h", "4_8h", "8_24h",
                                                        "1_3d", "3_7d", "gt_7d"};
const int64_t svc_time_bounds[SVC_TIME_BUCKETS - 1] = {3600, 4 * 3600, 8 * 3600, 24 * 3600,
                                                       72 * 3600, 168 * 3600};

/* ---- arithmetic ---- */

int64_t svc_compliance_x10(const struct svc_sla_count *c)
{
    int64_t done = c->met + c->breached;
    return done > 0 ? (c->met * 2000 + done) / (2 * done) : -1;
}

int64_t svc_rank(int64_t n, int pct)
{
    return (n * pct + 99) / 100;
}

int64_t svc_monday(int64_t days)
{
    /* 1970-01-01 was a Thursday: day 0 is 3 days after a Monday. */
    int64_t since = (days + 3) % 7;
    return days - (since < 0 ? since + 7 : since);
}

/* ---- the hook ---- */

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

/* Milliseconds of a stored instant, or -1. */
static int64_t ms_of(const struct rec_value *v)
{
    int64_t ms;
    if (v->null || text_parse_datetime((struct rp_str){v->s, v->len}, &ms) != RP_OK)
        return -1;
    return ms;
}

static void set_int(struct rec *r, const char *field, bool null, int64_t i)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = null ? (struct rec_value){.null = true} : (struct rec_value){.i = i};
}

static bool done(const struct rec *r)
{
    const struct rec_value *st = rec_field(r, "status");
    return is(st, "resolved") || is(st, "closed");
}

enum rp_err service__measure_case(struct rec_ctx *ctx, struct rec *r, const struct rec *old,
                                  struct svc_sla_cache *cache)
{
    int64_t reported = ms_of(rec_field(r, "reported_at"));
    int64_t first = ms_of(rec_field(r, "first_response_at"));
    int64_t end = ms_of(rec_field(r, "resolved_at"));
    if (end < 0 && is(rec_field(r, "status"), "closed"))
        end = ms_of(rec_field(r, "closed_at"));
    set_int(r, "response_s", reported < 0 || first < 0, (first - reported) / 1000);
    set_int(r, "resolution_s", reported < 0 || end < 0, (end - reported) / 1000);
    /* Whether a target was missed changes only where its clock does (service__plan),
     * and is kept once the target is met: later pauses do not make it met. */
    if (old && !rec_changed(r, old, "status") && !rec_changed(r, old, "priority") &&
        !rec_changed(r, old, "sla_policy_id") && !rec_changed(r, old, "escalation_level"))
        return RP_OK;
    bool response = !old || rec_field(old, "first_response_at")->null;
    bool resolution = !old || !done(old) || !done(r);
    int64_t now;
    if ((!response && !resolution) ||
        text_parse_datetime(rp_str_c(r->updated_at), &now) != RP_OK)
        return RP_OK;
    struct svc_sla sla;
    enum rp_err err = svc_case_sla_cached(ctx, r, now, cache, &sla);
    if (err)
        return err;
    const struct svc_clock *k = sla.clocks;
    if (response)
        set_int(r, "response_breached", !k[SVC_RESPONSE].set, k[SVC_RESPONSE].breached);
    if (resolution)
        set_int(r, "resolution_breached", !k[SVC_RESOLUTION].set, k[SVC_RESOLUTION].breached);
    return RP_OK;
}

/* ---- reading the request ---- */

/* The caller's list query on cases from every query parameter but those in skip. */
static enum rp_err cases_query(struct api_call *c, const char *const *skip,
                               struct rec_query **q)
{
    size_t n;
    struct rec_param *p = api_params(c, skip, &n);
    return rec_query_parse(&c->ctx, meta_need("cases"), p, n, q);
}

/* The value of parameter name among choices (NULL-terminated; the first when absent),
 * or NULL when it is none of them. */
static const char *choice(struct api_call *c, const char *name, const char *const *choices)
{
    struct rp_str v = api_query(c, name);
    if (!v.p)
        return choices[0];
    for (size_t i = 0; choices[i]; i++)
        if (rp_str_eqc(v, choices[i]))
            return choices[i];
    return NULL;
}

static json_t *as_of(int64_t now_ms)
{
    char b[32];
    text_format_datetime(now_ms, b, sizeof(b));
    return json_string(b);
}

/* ---- age ---- */

unsigned service__get_age_report(struct api_call *c)
{
    const struct field_def *f = meta_field(meta_need("cases"), RP_STR("priority"));
    size_t np = 0;
    while (f->enum_values[np])
        np++;
    RP_ASSERT(np <= 8);
    struct rec_query *q;
    int64_t counts[SVC_AGE_BUCKETS][8] = {{0}};
    int64_t now = text_now_ms();
    enum rp_err err = cases_query(c, NULL, &q);
    if (!err)
        err = service__sql_age(&c->ctx, q, now, f->enum_values, np, counts);
    if (err)
        return api_fail(c, err);
    json_t *buckets = json_array(), *prio = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < np; i++)
        json_array_append_new(prio, json_string(f->enum_values[i]));
    for (size_t k = 0; k < SVC_AGE_BUCKETS; k++) {
        json_t *o = json_object(), *by = json_object();
        int64_t sum = 0;
        for (size_t i = 0; i < np; i++) {
            json_object_set_new(by, f->enum_values[i], json_integer(counts[k][i]));
            sum += counts[k][i];
        }
        json_object_set_new(o, "bucket", json_string(svc_age_buckets[k]));
        json_object_set_new(o, "total", json_integer(sum));
        json_object_set_new(o, "by_priority", by);
        json_array_append_new(buckets, o);
        total += sum;
    }
    json_t *root = json_object();
    json_object_set_new(root, "as_of", as_of(now));
    json_object_set_new(root, "priorities", prio);
    json_object_set_new(root, "buckets", buckets);
    json_object_set_new(root, "total", json_integer(total));
    return api_json(c, 200, root);
}

/* ---- SLA compliance ---- */

static json_t *target_json(const struct svc_sla_count *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "met", json_integer(t->met));
    json_object_set_new(o, "breached", json_integer(t->breached));
    json_object_set_new(o, "open_in_time", json_integer(t->open_in_time));
    json_object_set_new(o, "open_breached", json_integer(t->open_breached));
    int64_t x10 = svc_compliance_x10(t);
    char b[32];
    snprintf(b, sizeof(b), "%lld.%lld", (long long)(x10 / 10), (long long)(x10 % 10));
    json_object_set_new(o, "compliance_percent", x10 < 0 ? json_null() : json_string(b));
    return o;
}

static void sla_figures(json_t *o, const struct svc_sla_row *r)
{
    json_object_set_new(o, "cases", json_integer(r->cases));
    json_object_set_new(o, "first_response", target_json(&r->target[SVC_RESPONSE]));
    json_object_set_new(o, "resolution", target_json(&r->target[SVC_RESOLUTION]));
}

/* Keys in byte order, none last. */
static int by_key(const void *a, const void *b)
{
    const char *x = ((const struct svc_sla_row *)a)->key;
    const char *y = ((const struct svc_sla_row *)b)->key;
    return !x || !y ? (x == NULL) - (y == NULL) : strcmp(x, y);
}

unsigned service__get_sla_report(struct api_call *c)
{
    static const char *const GROUPS[] = {"queue", "owner", "month", NULL};
    static const char *const SKIP[] = {"group", NULL};
    const char *group = choice(c, "group", GROUPS);
    if (!group)
        return api_problem(c, 400, "group must be queue, owner or month");
    struct rec_query *q;
    struct svc_sla_row *rows;
    size_t n = 0;
    int64_t now = text_now_ms();
    enum rp_err err = cases_query(c, SKIP, &q);
    if (!err)
        err = service__sql_sla(&c->ctx, q, group, now, &rows, &n);
    if (err)
        return api_fail(c, err);
    qsort(rows, n, sizeof(*rows), by_key);
    struct svc_sla_row total = {0};
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", api_str_or_null(rows[i].key));
        sla_figures(o, &rows[i]);
        json_array_append_new(data, o);
        total.cases += rows[i].cases;
        for (int t = 0; t < 2; t++) {
            total.target[t].met += rows[i].target[t].met;
            total.target[t].breached += rows[i].target[t].breached;
            total.target[t].open_in_time += rows[i].target[t].open_in_time;
            total.target[t].open_breached += rows[i].target[t].open_breached;
        }
    }
    json_t *root = json_object(), *sum = json_object();
    sla_figures(sum, &total);
    json_object_set_new(root, "group", json_string(group));
    json_object_set_new(root, "as_of", as_of(now));
    json_object_set_new(root, "rows", data);
    json_object_set_new(root, "total", sum);
    return api_json(c, 200, root);
}

/* ---- times ---- */

static json_t *times_json(const struct svc_times *d)
{
    json_t *o = json_object(), *buckets = json_array();
    json_object_set_new(o, "count", json_integer(d->count));
    json_object_set_new(o, "average_seconds",
                        d->count ? json_integer((d->sum_s + d->count / 2) / d->count)
                                 : json_null());
    json_object_set_new(o, "median_seconds", d->median_s >= 0 ? json_integer(d->median_s)
                                                               : json_null());
    json_object_set_new(o, "p90_seconds", d->p90_s >= 0 ? json_integer(d->p90_s) : json_null());
    for (size_t k = 0; k < SVC_TIME_BUCKETS; k++) {
        json_t *b = json_object();
        json_object_set_new(b, "bucket", json_string(svc_time_buckets[k]));
        json_object_set_new(b, "count", json_integer(d->buckets[k]));
        json_array_append_new(buckets, b);
    }
    json_object_set_new(o, "buckets", buckets);
    return o;
}

unsigned service__get_times_report(struct api_call *c)
{
    struct rec_query *q;
    struct svc_times d[2];
    enum rp_err err = cases_query(c, NULL, &q);
    if (!err)
        err = service__sql_times(&c->ctx, q, d);
    if (err)
        return api_fail(c, err);
    json_t *root = json_object();
    json_object_set_new(root, "clock", json_string("wall"));
    json_object_set_new(root, "first_response", times_json(&d[SVC_RESPONSE]));
    json_object_set_new(root, "resolution", times_json(&d[SVC_RESOLUTION]));
    return api_json(c, 200, root);
}

/* ---- breakdown ---- */

static json_t *count_json(const char *key, int64_t total, int64_t open)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", api_str_or_null(key));
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "open", json_integer(open));
    return o;
}

/* The most cases first, then by key; none last. */
static int by_total(const void *a, const void *b)
{
    const struct svc_count *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return !x->key || !y->key ? (x->key == NULL) - (y->key == NULL) : strcmp(x->key, y->key);
}

/* An enum's groups: each value in the field's order (zeros too), then any other key
 * cases still hold, then none. */
static json_t *enum_json(const struct field_def *f, const struct svc_breakdown *d)
{
    json_t *out = json_array();
    for (size_t v = 0; f->enum_values[v]; v++) {
        int64_t total = 0, open = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->rows[i].key && strcmp(d->rows[i].key, f->enum_values[v]) == 0) {
                total = d->rows[i].total;
                open = d->rows[i].open;
            }
        json_array_append_new(out, count_json(f->enum_values[v], total, open));
    }
    for (int none = 0; none < 2; none++)
        for (size_t i = 0; i < d->n; i++) {
            const struct svc_count *r = &d->rows[i];
            if (none ? r->key != NULL
                     : !r->key || meta_enum_has(f, rp_str_c(r->key)))
                continue;
            json_array_append_new(out, count_json(r->key, r->total, r->open));
        }
    return out;
}

unsigned service__get_breakdown_report(struct api_call *c)
{
    const struct entity_def *e = meta_need("cases");
    struct rec_query *q;
    struct svc_breakdown product, type, channel;
    enum rp_err err = cases_query(c, NULL, &q);
    if (!err)
        err = service__sql_breakdown(&c->ctx, q, &product, &type, &channel);
    if (err)
        return api_fail(c, err);
    qsort(product.rows, product.n, sizeof(*product.rows), by_total);
    json_t *products = json_array();
    struct svc_count rest = {NULL, 0, 0};
    size_t others = 0;
    for (size_t i = 0; i < product.n; i++) {
        const struct svc_count *r = &product.rows[i];
        if (i < SVC_REPORT_MAX_PRODUCTS) {
            json_array_append_new(products, count_json(r->key, r->total, r->open));
            continue;
        }
        others++;
        rest.total += r->total;
        rest.open += r->open;
    }
    json_t *root = json_object(), *other = json_null();
    if (others) {
        other = count_json(NULL, rest.total, rest.open);
        json_object_del(other, "key");
        json_object_set_new(other, "products", json_integer((json_int_t)others));
    }
    json_object_set_new(root, "by_product", products);
    json_object_set_new(root, "other_products", other);
    json_object_set_new(root, "by_type", enum_json(meta_field(e, RP_STR("type")), &type));
    json_object_set_new(root, "by_channel",
                        enum_json(meta_field(e, RP_STR("channel")), &channel));
    return api_json(c, 200, root);
}

/* ---- backlog ---- */

/* Parameter name as a date (days), or *days unchanged when absent; false when bad. */
static bool date_param(struct api_call *c, const char *name, int64_t *days)
{
    struct rp_str v = api_query(c, name);
    return !v.p || text_parse_date(v, days) == RP_OK;
}

unsigned service__get_backlog_report(struct api_call *c)
{
    static const char *const PERIODS[] = {"day", "week", NULL};
    static const char *const SKIP[] = {"period", "from", "to", NULL};
    const char *period = choice(c, "period", PERIODS);
    if (!period)
        return api_problem(c, 400, "period must be day or week");
    bool weeks = strcmp(period, "week") == 0;
    int64_t to = text_now_ms() / 86400000, from;
    if (!date_param(c, "to", &to))
        return api_problemf(c, 400, "%s must be a date like 2026-01-31", "to");
    from = weeks ? svc_monday(to) - 7 * (SVC_BACKLOG_WEEKS - 1) : to - (SVC_BACKLOG_DAYS - 1);
    if (!date_param(c, "from", &from))
        return api_problemf(c, 400, "%s must be a date like 2026-01-31", "from");
    if (from > to)
        return api_problem(c, 400, "from must not be after to");
    if (to - from + 1 > SVC_BACKLOG_MAX_DAYS)
        return api_problemf(c, 400, "a backlog covers at most %d days", SVC_BACKLOG_MAX_DAYS);
    if (weeks) { /* whole weeks, Monday to Sunday */
        from = svc_monday(from);
        to = svc_monday(to) + 6;
    }
    size_t ndays = (size_t)(to - from + 1);
    int64_t *opened = arena_calloc(&c->req->a, ndays, sizeof(*opened));
    int64_t *resolved = arena_calloc(&c->req->a, ndays, sizeof(*resolved));
    int64_t open;
    struct rec_query *q;
    enum rp_err err = cases_query(c, SKIP, &q);
    if (!err)
        err = service__sql_backlog(&c->ctx, q, from, to, opened, resolved, &open);
    if (err)
        return api_fail(c, err);
    json_t *root = json_object(), *periods = json_array();
    char b[16];
    json_object_set_new(root, "period", json_string(period));
    text_format_date(from, b, sizeof(b));
    json_object_set_new(root, "from", json_string(b));
    text_format_date(to, b, sizeof(b));
    json_object_set_new(root, "to", json_string(b));
    json_object_set_new(root, "open_before", json_integer(open));
    size_t step = weeks ? 7 : 1;
    for (size_t i = 0; i < ndays; i += step) {
        int64_t in = 0, out = 0;
        for (size_t k = i; k < i + step; k++) {
            in += opened[k];
            out += resolved[k];
        }
        open += in - out;
        json_t *o = json_object();
        text_format_date(from + (int64_t)i, b, sizeof(b));
        json_object_set_new(o, "start", json_string(b));
        json_object_set_new(o, "opened", json_integer(in));
        json_object_set_new(o, "resolved", json_integer(out));
        json_object_set_new(o, "open_at_end", json_integer(open));
        json_array_append_new(periods, o);
    }
    json_object_set_new(root, "periods", periods);
    return api_json(c, 200, root);
}
