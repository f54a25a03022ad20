/* The statements of the service reports (reports.h), built with the engine's query
 * builder on the caller's list query: sqlb_where adds the caller's visibility of cases
 * and the filters they gave, so a report counts exactly the cases the list shows them.
 * One statement per report; the database groups, the module reads the groups.
 *
 * Instants are RFC 3339 text in UTC with milliseconds (text_format_datetime), on both
 * backends: text order is time order, and a UTC day or month is a prefix. */
#include "core/common.h"

#include "core/text.h"
#include "engine/sqlb.h"
#include "mod/service/reports.h"

/* When a case was reported (created_at for one saved before reported_at existed). */
#define REPORTED "coalesce(t.reported_at, t.created_at)"
/* When a case was resolved: closed without a resolution, when it was closed. */
#define RESOLVED "coalesce(t.resolved_at, t.closed_at)"
#define OPEN "t.status NOT IN ('resolved', 'closed')"

static const char *instant(struct rec_ctx *ctx, int64_t ms)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime(ms, b, 32);
    return b;
}

/* Prepares b (unless err), steps through its rows with row(st, arg) and releases b. */
static enum rp_err each_row(struct rec_ctx *ctx, struct sqlb *b, enum rp_err err,
                            enum rp_err (*row)(struct rec_ctx *, struct store_stmt *, void *),
                            void *arg)
{
    struct store_stmt *st = NULL;
    if (!err)
        err = sqlb_prepare(ctx, b, &st);
    sqlb_release(b);
    bool more;
    while (!err && !(err = store_step(st, &more)) && more)
        err = row(ctx, st, arg);
    if (st)
        store_done(st);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sums are beyond the range of a number");
    return err;
}

/* Column col as text in the arena, or NULL. */
static const char *text_col(struct rec_ctx *ctx, struct store_stmt *st, int col)
{
    if (store_col_null(st, col))
        return NULL;
    size_t len;
    const char *s = store_col_text(st, col, &len);
    return arena_strndup(ctx->a, s ? s : "", s ? len : 0);
}

/* ---- age ---- */

struct age_out {
    const char *const *prio;
    size_t nprio;
    int64_t (*counts)[8];
};

static enum rp_err age_row(struct rec_ctx *ctx, struct store_stmt *st, void *arg)
{
    struct age_out *o = arg;
    int64_t k = store_col_int(st, 0);
    const char *p = text_col(ctx, st, 1);
    for (size_t i = 0; p && i < o->nprio; i++)
        if (strcmp(p, o->prio[i]) == 0 && k >= 0 && k < SVC_AGE_BUCKETS)
            o->counts[k][i] += store_col_int(st, 2);
    return RP_OK;
}

enum rp_err service__sql_age(struct rec_ctx *ctx, struct rec_query *q, int64_t now_ms,
                             const char *const *prio, size_t nprio, int64_t (*counts)[8])
{
    static const int64_t DAYS[] = {1, 3, 7, 30};
    const struct entity_def *e = meta_need("cases");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT CASE");
    for (size_t i = 0; i < RP_NELEM(DAYS); i++) {
        sqlb_add(&b, " WHEN " REPORTED " > ? THEN %zu", i);
        sqlb_param(ctx, &b, store_cstr(instant(ctx, now_ms - DAYS[i] * 86400000)));
    }
    sqlb_add(&b, " ELSE %zu END AS k, t.priority AS p, count(*) FROM cases t", RP_NELEM(DAYS));
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    sqlb_add(&b, "%s", " AND " OPEN " GROUP BY k, p");
    struct age_out o = {prio, nprio, counts};
    return each_row(ctx, &b, err, age_row, &o);
}

/* ---- SLA compliance ---- */

struct sla_out {
    struct svc_sla_row *rows;
    size_t n, cap;
};

static enum rp_err sla_row(struct rec_ctx *ctx, struct store_stmt *st, void *arg)
{
    struct sla_out *o = arg;
    if (o->n == o->cap)
        o->rows = arena_grow(ctx->a, o->rows, &o->cap, sizeof(*o->rows));
    struct svc_sla_row *r = &o->rows[o->n++];
    r->key = text_col(ctx, st, 0);
    r->cases = store_col_int(st, 1);
    for (int t = 0; t < 2; t++) {
        struct svc_sla_count *c = &r->target[t];
        c->met = store_col_int(st, 2 + 4 * t);
        c->breached = store_col_int(st, 3 + 4 * t);
        c->open_in_time = store_col_int(st, 4 + 4 * t);
        c->open_breached = store_col_int(st, 5 + 4 * t);
    }
    return RP_OK;
}

/* The four counts of one target: its flag column, the condition of its being done and
 * its due column. A running clock is past its target when its due time has passed, or
 * (paused, its due time cleared) when it was past it at the last change. */
static void sla_counts(struct rec_ctx *ctx, struct sqlb *b, const char *flag, const char *done,
                       const char *due, const char *now)
{
    sqlb_add(b, ", sum(CASE WHEN %s = 0 AND %s THEN 1 ELSE 0 END)", flag, done);
    sqlb_add(b, ", sum(CASE WHEN %s = 1 AND %s THEN 1 ELSE 0 END)", flag, done);
    sqlb_add(b, ", sum(CASE WHEN %s = 0 AND NOT (%s) AND (%s IS NULL OR %s >= ?)"
                " THEN 1 ELSE 0 END)", flag, done, due, due);
    sqlb_param(ctx, b, store_cstr(now));
    sqlb_add(b, ", sum(CASE WHEN %s IS NOT NULL AND NOT (%s) AND (%s = 1 OR %s < ?)"
                " THEN 1 ELSE 0 END)", flag, done, flag, due);
    sqlb_param(ctx, b, store_cstr(now));
}

enum rp_err service__sql_sla(struct rec_ctx *ctx, struct rec_query *q, const char *group,
                             int64_t now_ms, struct svc_sla_row **rows, size_t *n)
{
    const struct entity_def *e = meta_need("cases");
    const char *now = instant(ctx, now_ms);
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT ");
    if (strcmp(group, "month") == 0)
        sqlb_month_of(ctx, &b, REPORTED);
    else
        sqlb_add(&b, "%s", strcmp(group, "owner") == 0 ? "t.owner_id" : "t.queue_id");
    sqlb_add(&b, "%s", " AS k, count(*)");
    sla_counts(ctx, &b, "t.response_breached", "t.first_response_at IS NOT NULL",
               "t.response_due_at", now);
    sla_counts(ctx, &b, "t.resolution_breached", "t.status IN ('resolved', 'closed')",
               "t.resolution_due_at", now);
    sqlb_add(&b, "%s", " FROM cases t");
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    sqlb_add(&b, "%s", " GROUP BY k");
    struct sla_out o = {arena_calloc(ctx->a, 16, sizeof(*o.rows)), 0, 16};
    err = each_row(ctx, &b, err, sla_row, &o);
    *rows = o.rows;
    *n = err ? 0 : o.n;
    return err;
}

/* ---- times ---- */

static enum rp_err times_row(struct rec_ctx *ctx, struct store_stmt *st, void *arg)
{
    (void)ctx;
    struct svc_times *out = arg;
    int64_t m = store_col_int(st, 0), k = store_col_int(st, 1);
    if (m < 0 || m > 1 || k < 0 || k >= SVC_TIME_BUCKETS)
        return RP_OK;
    struct svc_times *d = &out[m];
    d->buckets[k] = store_col_int(st, 2);
    d->count += d->buckets[k];
    d->sum_s += store_col_int(st, 3);
    /* The ranks fall in one bucket each. */
    if (!store_col_null(st, 4))
        d->median_s = store_col_int(st, 4);
    if (!store_col_null(st, 5))
        d->p90_s = store_col_int(st, 5);
    return RP_OK;
}

enum rp_err service__sql_times(struct rec_ctx *ctx, struct rec_query *q,
                               struct svc_times out[2])
{
    const struct entity_def *e = meta_need("cases");
    memset(out, 0, 2 * sizeof(*out));
    for (int t = 0; t < 2; t++)
        out[t].median_s = out[t].p90_s = -1;
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "WITH c AS (SELECT t.response_s AS a, t.resolution_s AS z FROM cases t");
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    /* Each value's rank among its target's values, for the percentiles. */
    sqlb_add(&b, "%s", "), v AS (SELECT 0 AS m, a AS x FROM c WHERE a IS NOT NULL"
                       " UNION ALL SELECT 1, z FROM c WHERE z IS NOT NULL),"
                       " w AS (SELECT m, x, row_number() OVER (PARTITION BY m ORDER BY x) AS rn,"
                       " count(*) OVER (PARTITION BY m) AS n FROM v)"
                       " SELECT m, CASE");
    for (size_t i = 0; i < RP_NELEM(svc_time_bounds); i++)
        sqlb_add(&b, " WHEN x < %lld THEN %zu", (long long)svc_time_bounds[i], i);
    sqlb_add(&b, " ELSE %zu END AS k, count(*), sum(x),", RP_NELEM(svc_time_bounds));
    /* Nearest rank: the value at rank ceil(n * p / 100), in integers. */
    sqlb_add(&b, "%s", " max(CASE WHEN rn = (n * 50 + 99) / 100 THEN x END),"
                       " max(CASE WHEN rn = (n * 90 + 99) / 100 THEN x END)"
                       " FROM w GROUP BY m, k");
    return each_row(ctx, &b, err, times_row, out);
}

/* ---- breakdown ---- */

struct breakdown_out {
    struct svc_breakdown *dim[3];
    size_t cap[3];
};

static enum rp_err breakdown_row(struct rec_ctx *ctx, struct store_stmt *st, void *arg)
{
    struct breakdown_out *o = arg;
    int64_t d = store_col_int(st, 0);
    if (d < 0 || d > 2)
        return RP_OK;
    struct svc_breakdown *x = o->dim[d];
    if (x->n == o->cap[d])
        x->rows = arena_grow(ctx->a, x->rows, &o->cap[d], sizeof(*x->rows));
    x->rows[x->n++] = (struct svc_count){text_col(ctx, st, 1), store_col_int(st, 2),
                                         store_col_int(st, 3)};
    return RP_OK;
}

enum rp_err service__sql_breakdown(struct rec_ctx *ctx, struct rec_query *q,
                                   struct svc_breakdown *product, struct svc_breakdown *type,
                                   struct svc_breakdown *channel)
{
    static const char *const DIMS[] = {"product", "type", "channel"};
    const struct entity_def *e = meta_need("cases");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "WITH c AS (SELECT t.product, t.type, t.channel, CASE WHEN " OPEN
                       " THEN 1 ELSE 0 END AS o FROM cases t");
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    sqlb_add(&b, "%s", ")");
    for (size_t i = 0; i < RP_NELEM(DIMS); i++)
        sqlb_add(&b, "%s SELECT %zu, %s, count(*), sum(o) FROM c GROUP BY %s",
                 i ? " UNION ALL" : "", i, DIMS[i], DIMS[i]);
    struct breakdown_out o = {{product, type, channel}, {16, 16, 16}};
    for (size_t i = 0; i < RP_NELEM(DIMS); i++)
        *o.dim[i] = (struct svc_breakdown){arena_calloc(ctx->a, 16, sizeof(struct svc_count)),
                                           0};
    err = each_row(ctx, &b, err, breakdown_row, &o);
    if (err)
        product->n = type->n = channel->n = 0;
    return err;
}

/* ---- backlog ---- */

struct backlog_out {
    int64_t from, to;
    int64_t *opened, *resolved, *open_before;
};

static enum rp_err backlog_row(struct rec_ctx *ctx, struct store_stmt *st, void *arg)
{
    (void)ctx;
    struct backlog_out *o = arg;
    size_t len;
    const char *day = store_col_text(st, 0, &len);
    int64_t opened = store_col_int(st, 1), resolved = store_col_int(st, 2), d;
    if (!day || len == 0) { /* before the range */
        *o->open_before += opened - resolved;
        return RP_OK;
    }
    if (text_parse_date((struct rp_str){day, len}, &d) == RP_OK && d >= o->from && d <= o->to) {
        o->opened[d - o->from] += opened;
        o->resolved[d - o->from] += resolved;
    }
    return RP_OK;
}

enum rp_err service__sql_backlog(struct rec_ctx *ctx, struct rec_query *q, int64_t from,
                                 int64_t to, int64_t *opened, int64_t *resolved,
                                 int64_t *open_before)
{
    const struct entity_def *e = meta_need("cases");
    const char *start = instant(ctx, from * 86400000), *end = instant(ctx, (to + 1) * 86400000);
    *open_before = 0;
    memset(opened, 0, (size_t)(to - from + 1) * sizeof(*opened));
    memset(resolved, 0, (size_t)(to - from + 1) * sizeof(*resolved));
    /* Each case once when reported and once when resolved, by UTC day; what happened
     * before the range comes as the day "" (the backlog the range starts with). */
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "WITH c AS (SELECT " REPORTED " AS o, " RESOLVED " AS r FROM cases t");
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    sqlb_add(&b, "%s", "), d AS (SELECT CASE WHEN o < ? THEN '' ELSE substr(o, 1, 10) END AS day,"
                       " 1 AS op, 0 AS re FROM c WHERE o < ?"
                       " UNION ALL SELECT CASE WHEN r < ? THEN '' ELSE substr(r, 1, 10) END,"
                       " 0, 1 FROM c WHERE r < ?)"
                       " SELECT day, sum(op), sum(re) FROM d GROUP BY day");
    for (int i = 0; i < 2; i++) {
        sqlb_param(ctx, &b, store_cstr(start));
        sqlb_param(ctx, &b, store_cstr(end));
    }
    struct backlog_out o = {from, to, opened, resolved, open_before};
    return each_row(ctx, &b, err, backlog_row, &o);
}
