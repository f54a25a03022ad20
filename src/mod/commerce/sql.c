/* The module's own statements: a price lookup's candidates (scoped to the price lists
 * the caller reads), the uniqueness of a list's entry, a deal's other primary quotes
 * and the quotes past their validity. */
#include "core/common.h"

#include "engine/sqlb.h"
#include "mod/commerce/commerce.h"

static const char *col_text(struct rec_ctx *ctx, struct store_stmt *st, int col)
{
    size_t len = 0;
    const char *s = store_col_null(st, col) ? NULL : store_col_text(st, col, &len);
    return s ? arena_strndup(ctx->a, s, len) : NULL;
}

/* " IN (?, ?, …)" of n ids. */
static void in_list(struct rec_ctx *ctx, struct sqlb *b, const char *const *ids, size_t n)
{
    sqlb_add(b, "%s", " IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_add(b, "%s?", i ? ", " : "");
        sqlb_param(ctx, b, store_cstr(ids[i]));
    }
    sqlb_add(b, "%s", ")");
}

enum rp_err cm__sql_offers(struct rec_ctx *ctx, const char *const *product_ids, size_t n,
                           const char *currency, const char *day, const char *price_list_id,
                           struct cm_offer **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!n)
        return RP_OK;
    struct sqlb b;
    sqlb_init(&b);
    /* Every entry of the products in the lists that apply, by product, list and the
     * largest volume first: a line's candidates are then each list's first entry at or
     * below its quantity. */
    /* CROSS JOIN: SQLite then reads the entries first, through the products' index,
     * and each one's list by its id. Left to itself with hundreds of products it reads
     * every entry of every list instead (0.26 s at 300,000 entries, not 1 ms). The
     * PostgreSQL planner treats it as the inner join it is. */
    sqlb_add(&b, "%s", "SELECT i.product_id, t.id, t.name, t.account_id, t.account_tier,"
                       " t.account_category, t.valid_from, i.min_quantity, i.unit_price"
                       " FROM price_list_items i CROSS JOIN price_lists t");
    enum rp_err err = sqlb_scope(ctx, meta_need("price_lists"), NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    sqlb_add(&b, "%s", " AND t.id = i.price_list_id"
                       " AND t.deleted_at IS NULL AND t.active = 1 AND t.currency = ?"
                       " AND (t.valid_from IS NULL OR t.valid_from <= ?)"
                       " AND (t.valid_to IS NULL OR t.valid_to >= ?)"
                       " AND i.workspace_id = 1 AND i.deleted_at IS NULL AND i.product_id");
    sqlb_param(ctx, &b, store_cstr(currency));
    sqlb_param(ctx, &b, store_cstr(day));
    sqlb_param(ctx, &b, store_cstr(day));
    in_list(ctx, &b, product_ids, n);
    if (price_list_id) {
        sqlb_add(&b, "%s", " AND t.id = ?");
        sqlb_param(ctx, &b, store_cstr(price_list_id));
    }
    sqlb_add(&b, "%s", " LIMIT ?");
    sqlb_param(ctx, &b, store_int(CM_MAX_OFFERS));
    struct store_stmt *st;
    if ((err = sqlb_prepare(ctx, &b, &st))) {
        sqlb_release(&b);
        return err;
    }
    size_t cap = 64, count = 0;
    struct cm_offer *o = arena_calloc(ctx->a, cap, sizeof(*o));
    bool row = false;
    while (!(err = store_step(st, &row)) && row) {
        if (count == cap) {
            struct cm_offer *more = arena_calloc(ctx->a, cap * 2, sizeof(*more));
            memcpy(more, o, count * sizeof(*o));
            o = more;
            cap *= 2;
        }
        o[count++] = (struct cm_offer){
            .product_id = col_text(ctx, st, 0),
            .c = {.list_id = col_text(ctx, st, 1), .list_name = col_text(ctx, st, 2),
                  .account_id = col_text(ctx, st, 3), .tier = col_text(ctx, st, 4),
                  .category = col_text(ctx, st, 5), .valid_from = col_text(ctx, st, 6),
                  .min_quantity = store_col_int(st, 7), .unit_price = store_col_int(st, 8)}};
    }
    store_done(st);
    sqlb_release(&b);
    *out = o;
    *nout = count;
    return err;
}

enum rp_err cm__sql_products(struct rec_ctx *ctx, const char *const *ids, size_t n,
                             struct rec **rows, size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    if (!n)
        return RP_OK;
    const struct entity_def *e = meta_need("products");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL AND t.id");
    in_list(ctx, &b, ids, n);
    enum rp_err err = sqlb_read(ctx, &b, e, n, 0, rows, nrows);
    sqlb_release(&b);
    return err;
}

enum rp_err cm__sql_item_taken(struct rec_ctx *ctx, const char *list_id, const char *product_id,
                               int64_t min_quantity, const char *self_id, bool *taken)
{
    struct store_val v[] = {store_cstr(list_id), store_cstr(product_id), store_int(min_quantity),
                            store_cstr(self_id ? self_id : "")};
    int64_t count = 0;
    enum rp_err err = store_query_int(
        ctx->conn,
        "SELECT count(*) FROM price_list_items WHERE workspace_id = 1 AND deleted_at IS NULL"
        " AND price_list_id = ? AND product_id = ? AND min_quantity = ? AND id <> ?",
        v, RP_NELEM(v), &count);
    *taken = count > 0;
    return err;
}

/* The ids a statement answers in its first column, at most max. */
static enum rp_err read_ids(struct rec_ctx *ctx, const char *sql, const struct store_val *v,
                            size_t nv, size_t max, const char ***ids, size_t *n)
{
    *ids = arena_calloc(ctx->a, max + 1, sizeof(**ids));
    *n = 0;
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn, sql, &st);
    if (!err)
        err = store_bind_all(st, v, nv);
    bool row = false;
    while (!err && !(err = store_step(st, &row)) && row && *n < max)
        (*ids)[(*n)++] = col_text(ctx, st, 0);
    if (st)
        store_done(st);
    return err;
}

enum rp_err cm__sql_other_primaries(struct rec_ctx *ctx, const char *opportunity_id,
                                    const char *self_id, const char ***ids, size_t *n)
{
    struct store_val v[] = {store_cstr(opportunity_id), store_cstr(self_id)};
    return read_ids(ctx,
                    "SELECT id FROM quotes WHERE workspace_id = 1 AND deleted_at IS NULL"
                    " AND opportunity_id = ? AND is_primary = 1 AND id <> ? ORDER BY seq",
                    v, RP_NELEM(v), 100, ids, n);
}

enum rp_err cm__sql_expired(struct rec_ctx *ctx, const char *day, size_t max, const char ***ids,
                            size_t *n)
{
    struct store_val v[] = {store_cstr(day), store_int((int64_t)max)};
    return read_ids(ctx,
                    "SELECT id FROM quotes WHERE workspace_id = 1 AND deleted_at IS NULL"
                    " AND status = 'sent' AND valid_until < ? ORDER BY seq LIMIT ?",
                    v, RP_NELEM(v), max, ids, n);
}

enum rp_err cm__sql_orders_of_quote(struct rec_ctx *ctx, const char *quote_id, int64_t *n)
{
    struct store_val v = store_cstr(quote_id);
    return store_query_int(ctx->conn,
                           "SELECT count(*) FROM orders WHERE workspace_id = 1"
                           " AND deleted_at IS NULL AND quote_id = ?",
                           &v, 1, n);
}

enum rp_err cm__sql_contracts_due(struct rec_ctx *ctx, const char *day, bool ended, size_t max,
                                  struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("contracts");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL AND t.status = 'active'");
    if (ended) {
        sqlb_add(&b, "%s", " AND t.end_date < ?");
        sqlb_param(ctx, &b, store_cstr(day));
    } else {
        sqlb_add(&b, "%s", " AND t.end_date >= ? AND t.remind_on <= ?"
                           " AND (t.reminded_for IS NULL OR t.reminded_for <> t.end_date)");
        sqlb_param(ctx, &b, store_cstr(day));
        sqlb_param(ctx, &b, store_cstr(day));
    }
    sqlb_add(&b, "%s", " ORDER BY t.end_date, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int((int64_t)max));
    enum rp_err err = sqlb_read(ctx, &b, e, max, 0, rows, n);
    sqlb_release(&b);
    return err;
}

enum rp_err cm__sql_account_sums(struct rec_ctx *ctx, const char *entity, const char *field,
                                 const char *day, const char *account_id,
                                 const char *const *statuses, struct cm_money_sum **out, size_t *n)
{
    const struct entity_def *e = meta_need(entity);
    *out = NULL;
    *n = 0;
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "SELECT t.currency, substr(t.%s, 1, 10) AS d, count(*), coalesce(sum(t.%s), 0)"
                 " FROM %s t", day, field, e->name);
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err == RP_EFORBIDDEN ? RP_OK : err; /* a role that reads none: nothing */
    }
    /* `t.status || ''`: no index on the status alone (the totals') may be chosen over
     * the account's: an account's rows, not every account's paid orders. */
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.account_id = ? AND t.status || '' IN (");
    sqlb_param(ctx, &b, store_cstr(account_id));
    for (size_t i = 0; statuses[i]; i++) {
        sqlb_add(&b, "%s?", i ? ", " : "");
        sqlb_param(ctx, &b, store_cstr(statuses[i]));
    }
    sqlb_add(&b, "%s", ") GROUP BY t.currency, d ORDER BY t.currency, d LIMIT ?");
    sqlb_param(ctx, &b, store_int(CM_MAX_SUM_ROWS));
    struct store_stmt *st;
    if ((err = sqlb_prepare(ctx, &b, &st))) {
        sqlb_release(&b);
        return err;
    }
    struct cm_money_sum *s = arena_calloc(ctx->a, CM_MAX_SUM_ROWS, sizeof(*s));
    size_t count = 0;
    bool row = false;
    while (!(err = store_step(st, &row)) && row && count < CM_MAX_SUM_ROWS)
        s[count++] = (struct cm_money_sum){.currency = col_text(ctx, st, 0),
                                           .day = col_text(ctx, st, 1),
                                           .count = store_col_int(st, 2),
                                           .total = store_col_int(st, 3)};
    store_done(st);
    sqlb_release(&b);
    *out = s;
    *n = count;
    return err;
}

enum rp_err cm__sql_rate(struct rec_ctx *ctx, const char *currency, const char *day,
                         const char **rate, const char **from)
{
    *rate = *from = NULL;
    struct store_val v[] = {store_cstr(currency), store_cstr(day)};
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT rate, valid_from FROM exchange_rates"
                                    " WHERE workspace_id = 1 AND deleted_at IS NULL"
                                    " AND currency = ? AND valid_from <= ?"
                                    " ORDER BY valid_from DESC LIMIT 1",
                                    &st);
    if (!err)
        err = store_bind_all(st, v, RP_NELEM(v));
    bool row = false;
    if (!err && !(err = store_step(st, &row)) && row) {
        *rate = col_text(ctx, st, 0);
        *from = col_text(ctx, st, 1);
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err cm__sql_rates_of(struct rec_ctx *ctx, const char *currency, struct cm_rate **out,
                             size_t *n)
{
    *n = 0;
    *out = arena_calloc(ctx->a, CM_MAX_RATES, sizeof(**out));
    struct store_val v = store_cstr(currency);
    struct store_stmt *st = NULL;
    enum rp_err err = store_prepare(ctx->conn,
                                    "SELECT valid_from, rate FROM exchange_rates"
                                    " WHERE workspace_id = 1 AND deleted_at IS NULL"
                                    " AND currency = ? ORDER BY valid_from LIMIT 10000",
                                    &st);
    if (!err)
        err = store_bind_all(st, &v, 1);
    bool row = false;
    while (!err && !(err = store_step(st, &row)) && row && *n < CM_MAX_RATES) {
        struct cm_rate *r = &(*out)[*n];
        r->from = col_text(ctx, st, 0);
        *n += !cm_parse_rate(col_text(ctx, st, 1), &r->micros);
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err cm__sql_count_all(struct rec_ctx *ctx, const char *table, int64_t *n)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE workspace_id = 1", table);
    return store_query_int(ctx->conn, sql, NULL, 0, n);
}

enum rp_err cm__sql_rates_on(struct rec_ctx *ctx, const char *currency, const char *day,
                             const char *self_id, int64_t *n)
{
    struct store_val v[] = {store_cstr(currency), store_cstr(day), store_cstr(self_id ? self_id : "")};
    return store_query_int(ctx->conn,
                           "SELECT count(*) FROM exchange_rates WHERE workspace_id = 1"
                           " AND deleted_at IS NULL AND currency = ? AND valid_from = ? AND id <> ?",
                           v, RP_NELEM(v), n);
}

enum rp_err cm__sql_versions_after(struct rec_ctx *ctx, const char *quote_id, int64_t *n)
{
    struct store_val v = store_cstr(quote_id);
    return store_query_int(ctx->conn,
                           "SELECT count(*) FROM quotes WHERE workspace_id = 1"
                           " AND deleted_at IS NULL AND previous_version_id = ?",
                           &v, 1, n);
}
