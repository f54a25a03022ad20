/* The sales module's own statements, built with the engine's query builder (which adds
 * the caller's visibility) or, for the tiers, system work over every account. */
#include "core/common.h"

#include "engine/sqlb.h"
#include "mod/sales/sales.h"

/* One row of a GROUP BY: its key, its currency and its sums. */
struct group {
    const char *key;
    const char *currency;
    int64_t v[5];
};

/* Prepares b unless err is set already, reads every row (the key in column 0, the
 * currency in column 1 — "" for none —, nv sums after them) and releases b. */
static enum rp_err read_groups(struct rec_ctx *ctx, struct sqlb *b, enum rp_err err, size_t nv,
                               struct group **rows, size_t *n)
{
    RP_ASSERT(nv <= sizeof((*rows)->v) / sizeof((*rows)->v[0]));
    struct store_stmt *st = NULL;
    if (!err)
        err = sqlb_prepare(ctx, b, &st);
    sqlb_release(b);
    size_t cap = 16, count = 0;
    struct group *out = arena_calloc(ctx->a, cap, sizeof(*out));
    bool row;
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap)
            out = arena_grow(ctx->a, out, &cap, sizeof(*out));
        size_t len;
        const char *key = store_col_text(st, 0, &len);
        out[count].key = arena_strndup(ctx->a, key ? key : "", len);
        const char *cur = store_col_text(st, 1, &len);
        out[count].currency = arena_strndup(ctx->a, cur ? cur : "", cur ? len : 0);
        for (size_t i = 0; i < nv; i++)
            out[count].v[i] = store_col_int(st, (int)i + 2);
        count++;
    }
    if (st)
        store_done(st);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sums are beyond the range of a number");
    *rows = out;
    *n = err ? 0 : count;
    return err;
}

enum rp_err sales__sql_pipeline(struct rec_ctx *ctx, struct rec_query *q,
                                struct sales_stage_sum **rows, size_t *n)
{
    const struct entity_def *e = meta_need("opportunities");
    struct sqlb b;
    sqlb_init(&b);
    enum rp_err err;
    if (rec_query_is_plain(ctx, e, q)) {
        /* Every deal the caller may read: the running sums (store_table.totals_columns)
         * hold them per owner, stage and currency. */
        sqlb_add(&b, "%s", "SELECT t.grp, t.cur, sum(t.n), sum(t.total), sum(t.weighted)"
                      " FROM opportunities__sums t");
        err = sqlb_scope(ctx, e, q, &b);
        sqlb_add(&b, "%s", " GROUP BY t.grp, t.cur HAVING sum(t.n) > 0 ORDER BY t.grp, t.cur");
    } else {
        /* In the order of the totals index (stage, currency, amount, probability). */
        sqlb_add(&b, "%s", "SELECT t.stage, t.currency, count(*), coalesce(sum(t.amount), 0),"
                      " coalesce(sum(t.amount * coalesce(t.probability, 0)), 0)"
                      " FROM opportunities t");
        err = sqlb_where(ctx, e, q, &b);
        sqlb_add(&b, "%s", " GROUP BY t.stage, t.currency ORDER BY t.stage, t.currency");
    }
    struct group *g;
    err = read_groups(ctx, &b, err, 3, &g, n);
    struct sales_stage_sum *out = arena_calloc(ctx->a, *n + 1, sizeof(*out));
    for (size_t i = 0; i < *n; i++)
        out[i] = (struct sales_stage_sum){.stage = g[i].key, .currency = g[i].currency,
                                          .count = g[i].v[0], .amount = g[i].v[1],
                                          .weighted_x100 = g[i].v[2]};
    *rows = out;
    return err;
}

enum rp_err sales__sql_forecast(struct rec_ctx *ctx, struct rec_query *q,
                                struct sales_period **rows, size_t *n)
{
    const struct entity_def *e = meta_need("opportunities");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT ");
    sqlb_month_of(ctx, &b, "t.expected_close_date");
    /* Outcome of the stage: won counts in full, lost not at all, open by probability. */
    sqlb_add(&b, "%s",
        " AS period, t.currency AS cur, count(*),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' OR (s.outcome = 'open'"
        " AND coalesce(t.probability, 0) >= " SALES_COMMIT_PROBABILITY_SQL ")"
        " THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome IN ('won', 'open') THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' THEN t.amount * 100"
        " WHEN s.outcome = 'open' THEN t.amount * coalesce(t.probability, 0) ELSE 0 END), 0)"
        " FROM opportunities t LEFT JOIN pipeline_stages s ON s.key = t.stage"
        " AND s.workspace_id = t.workspace_id AND s.deleted_at IS NULL");
    enum rp_err err = sqlb_where(ctx, e, q, &b);
    sqlb_add(&b, "%s", " AND t.expected_close_date IS NOT NULL GROUP BY period, cur"
                       " ORDER BY period, cur");
    struct group *g;
    err = read_groups(ctx, &b, err, 5, &g, n);
    struct sales_period *out = arena_calloc(ctx->a, *n + 1, sizeof(*out));
    for (size_t i = 0; i < *n; i++)
        out[i] = (struct sales_period){.period = g[i].key, .currency = g[i].currency,
                                       .count = g[i].v[0], .won = g[i].v[1],
                                       .commit = g[i].v[2], .best_case = g[i].v[3],
                                       .weighted_x100 = g[i].v[4]};
    *rows = out;
    return err;
}

enum rp_err sales__sql_tier_changes(struct rec_ctx *ctx, const char *since, const char ***ids,
                                    const char ***tiers, size_t *n)
{
    /* Pareto: ranked by won revenue, the accounts making the first 80% are A, the next
     * 15% B, the rest (and accounts without won revenue) C. The ranked accounts drive
     * the join (each finds its account by the unique id); the others are those not
     * in w. An accounts LEFT JOIN ranked-subquery instead made SQLite scan the
     * materialised ranking once per account: minutes at 100,000 accounts. */
    static const char *SQL_TIERS =
        "WITH w AS (SELECT o.account_id AS id, sum(o.amount) AS r FROM opportunities o"
        "  JOIN pipeline_stages s ON s.key = o.stage AND s.outcome = 'won'"
        "  AND s.workspace_id = o.workspace_id AND s.deleted_at IS NULL"
        "  WHERE o.workspace_id = 1 AND o.deleted_at IS NULL AND o.account_id IS NOT NULL"
        "  AND o.amount > 0 AND o.expected_close_date >= ? GROUP BY o.account_id),"
        " k AS (SELECT id, sum(r) OVER (ORDER BY r DESC, id ROWS UNBOUNDED PRECEDING) - r"
        "  AS before, sum(r) OVER () AS total FROM w)"
        " SELECT id, tier FROM (SELECT a.id AS id, a.tier_computed AS old,"
        "  CASE WHEN k.before < k.total * 0.8 THEN 'A' WHEN k.before < k.total * 0.95"
        "  THEN 'B' ELSE 'C' END AS tier"
        "  FROM k JOIN accounts a ON a.id = k.id"
        "  WHERE a.workspace_id = 1 AND a.deleted_at IS NULL"
        " UNION ALL SELECT a.id, a.tier_computed, 'C' FROM accounts a"
        "  WHERE a.workspace_id = 1 AND a.deleted_at IS NULL AND a.id NOT IN (SELECT id FROM w)"
        " ) c WHERE old IS NULL OR old <> tier";
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, SQL_TIERS, &st);
    if (err)
        return err;
    size_t cap = 64, count = 0;
    const char **i_out = arena_alloc(ctx->a, cap * sizeof(char *));
    const char **t_out = arena_alloc(ctx->a, cap * sizeof(char *));
    bool row = false;
    err = store_bind(st, 1, store_cstr(since));
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap) {
            const char **bi = arena_alloc(ctx->a, cap * 2 * sizeof(char *));
            const char **bt = arena_alloc(ctx->a, cap * 2 * sizeof(char *));
            memcpy(bi, i_out, cap * sizeof(char *));
            memcpy(bt, t_out, cap * sizeof(char *));
            i_out = bi;
            t_out = bt;
            cap *= 2;
        }
        size_t len;
        const char *id = store_col_text(st, 0, &len);
        i_out[count] = arena_strndup(ctx->a, id, len);
        const char *tier = store_col_text(st, 1, &len);
        t_out[count] = arena_strndup(ctx->a, tier, len);
        count++;
    }
    store_done(st);
    *ids = i_out;
    *tiers = t_out;
    *n = count;
    return err;
}
