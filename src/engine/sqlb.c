/* The query builder (engine/sqlb.h). */
#include "core/common.h"

#include "core/text.h"
#include "engine/acl.h"
#include "engine/query_int.h"
#include "store/shares.h"

static const char *const OP_SQL[] = {"=", "<>", "<", "<=", ">", ">="};

void sqlb_init(struct sqlb *b)
{
    memset(b, 0, sizeof(*b));
    buf_init(&b->sql, RP_MAX_SQL);
}

void sqlb_release(struct sqlb *b)
{
    buf_release(&b->sql);
}

/* Appends SQL text; a failure is kept in b->err and later appends are skipped, so a
 * statement is never run with a piece missing. */
void sqlb_add(struct sqlb *b, const char *fmt, ...)
{
    if (b->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->err = buf_vprintf(&b->sql, fmt, ap);
    va_end(ap);
}

/* Makes room for `extra` more parameters. */
static void reserve(struct rec_ctx *ctx, struct sqlb *b, size_t extra)
{
    if (b->nparams + extra > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        while (cap < b->nparams + extra)
            cap *= 2;
        struct store_val *p = arena_alloc(ctx->a, cap * sizeof(*p));
        if (b->nparams)
            memcpy(p, b->params, b->nparams * sizeof(*p));
        b->params = p;
        b->cap = cap;
    }
}

void sqlb_param(struct rec_ctx *ctx, struct sqlb *b, struct store_val v)
{
    reserve(ctx, b, 1);
    b->params[b->nparams++] = v;
}

/* WHERE the workspace is ours and `t.owner_id` is one whose rows the caller may read
 * (or export), with the team_id filter: what records and running sums both carry. */
enum rp_err sqlb_scope(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, struct sqlb *b)
{
    sqlb_add(b, "%s", " WHERE t.workspace_id = 1");
    bool export = q && q->for_export;
    enum acl_scope scope = rec__list_scope(ctx, e, export);
    if (scope == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN,
                        export ? "your role may not export %s" : "your role may not read %s",
                        rec_labels(ctx, e));
    bool shared = false;
    enum rp_err err = scope == SCOPE_ALL ? RP_OK : rec__query_shares(ctx, e, q, &shared);
    if (scope == SCOPE_TEAM_BELOW && !err)
        err = acl_peers(ctx, true);
    if (err)
        return err;
    /* Without shares, the owner condition alone: an index that leads with a filtered
     * field and then owner_id serves it, where an OR would not. */
    if (scope != SCOPE_ALL)
        sqlb_add(b, "%s", shared ? " AND (" : " AND ");
    if (scope == SCOPE_OWN) {
        sqlb_add(b, "%s", "t.owner_id = ?");
        sqlb_param(ctx, b, store_cstr(ctx->who->user_id));
    } else if (scope == SCOPE_TEAM || scope == SCOPE_TEAM_BELOW) {
        /* One subquery, two parameters, however large the team. */
        reserve(ctx, b, 2);
        if (!b->err)
            b->err = store_team_owner_condition(
                ctx->store, &b->sql, "t", ctx->who->user_id,
                scope == SCOPE_TEAM ? ctx->who->team_ids : ctx->who->below_team_ids, b->params,
                &b->nparams);
    }
    if (shared) {
        const char *const *teams;
        size_t nteams;
        acl_teams(ctx, &teams, &nteams);
        sqlb_add(b, "%s", " OR ");
        reserve(ctx, b, 2 + nteams);
        if (!b->err)
            b->err = store_share_condition(&b->sql, "t", e->name, ctx->who->user_id, teams,
                                           nteams, false, b->params, &b->nparams);
        sqlb_add(b, "%s", ")");
    }
    if (q && q->team_json) {
        sqlb_add(b, "%s", " AND ");
        reserve(ctx, b, 2);
        if (!b->err)
            b->err = store_team_owner_condition(ctx->store, &b->sql, "t", "", q->team_json,
                                                b->params, &b->nparams);
    }
    return RP_OK;
}

enum rp_err rec__where(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, bool page, struct sqlb *b)
{
    enum rp_err err = sqlb_scope(ctx, e, q, b);
    if (err)
        return err;
    sqlb_add(b, " AND t.deleted_at IS %s", q->deleted_only ? "NOT NULL" : "NULL");
    for (size_t i = 0; i < q->nfilters; i++) {
        const struct filter *f = &q->filters[i];
        const char *c = f->col.name;
        switch (f->op) {
        case OP_NULL:
            sqlb_add(b, " AND t.%s IS %s", c, f->vals[0].i ? "NULL" : "NOT NULL");
            break;
        case OP_LIKE:
            sqlb_add(b, " AND t.%s %s ? ESCAPE '\\'", c, store_like_ci(ctx->store));
            sqlb_param(ctx, b, f->vals[0]);
            break;
        case OP_IN:
            sqlb_add(b, " AND t.%s IN (", c);
            for (size_t k = 0; k < f->nvals; k++) {
                sqlb_add(b, "%s", k ? ", ?" : "?");
                sqlb_param(ctx, b, f->vals[k]);
            }
            sqlb_add(b, ")");
            break;
        case OP_NE:
            sqlb_add(b, " AND (t.%s <> ? OR t.%s IS NULL)", c, c);
            sqlb_param(ctx, b, f->vals[0]);
            break;
        default:
            sqlb_add(b, " AND t.%s %s ?", c, OP_SQL[f->op]);
            sqlb_param(ctx, b, f->vals[0]);
            break;
        }
    }
    if (q->like_by_fts) {
        struct rp_str terms[RP_MAX_SEARCH_TERMS];
        size_t n = 0;
        for (size_t i = 0; i < q->nfilters; i++)
            n += rec__like_terms(ctx, e, &q->filters[i], terms + n, RP_NELEM(terms) - n);
        if (n) {
            sqlb_add(b, "%s", " AND t.seq IN (");
            sqlb_fts_matches(ctx, b, e, terms, n);
            sqlb_add(b, "%s", ")");
        }
    }
    if (q->nterms && !(page && q->newest)) {
        sqlb_add(b, "%s", " AND t.seq IN (");
        sqlb_fts_matches(ctx, b, e, q->terms, q->nterms);
        sqlb_add(b, "%s", ")");
    }
    return RP_OK;
}

size_t rec__like_terms(struct rec_ctx *ctx, const struct entity_def *e, const struct filter *f,
                       struct rp_str *terms, size_t max)
{
    if (f->op != OP_LIKE || !(f->col.f->flags & FF_SEARCH) || (f->col.f->flags & FF_CUSTOM) ||
        !meta_searchable(e))
        return 0;
    const char *p = f->vals[0].s;
    size_t len = f->vals[0].len, n = 0, bytes = 0;
    char *word = arena_alloc(ctx->a, len + 1);
    size_t w = 0;
    for (size_t i = 0; i <= len && n < max; i++) {
        bool end = i == len || p[i] == '%' || (unsigned char)p[i] <= ' ' || p[i] == 0x7F;
        if (!end) {
            if (p[i] == '\\' && i + 1 < len)
                i++;
            word[w++] = p[i];
            continue;
        }
        struct rp_str t = {word, w};
        bool findable = w && (text_utf8_len(t) >= 2 || w >= 3);
        if (findable && bytes + w <= RP_MAX_SEARCH_QUERY) {
            terms[n++] = t;
            bytes += w;
            word += w;
        }
        w = 0;
    }
    return n;
}

void sqlb_fts_matches(struct rec_ctx *ctx, struct sqlb *b, const struct entity_def *e,
                      const struct rp_str *terms, size_t n)
{
    reserve(ctx, b, n);
    if (!b->err)
        b->err = store_fts_matches(ctx->store, &b->sql, e->name, terms, n, ctx->a, b->params,
                                   &b->nparams);
}

enum rp_err sqlb_prepare(struct rec_ctx *ctx, struct sqlb *b, struct store_stmt **st)
{
    enum rp_err err = b->err;
    if (err == RP_ETOOBIG)
        return rec_bad_request(ctx, "the query is too complex: use fewer filters or values");
    if (!err)
        err = store_prepare(ctx->conn, buf_cstr(&b->sql), st);
    if (err)
        return err;
    err = store_bind_all(*st, b->params, b->nparams);
    if (err)
        store_done(*st);
    return err;
}

enum rp_err sqlb_where(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, struct sqlb *b)
{
    return rec__where(ctx, e, q, false, b);
}

const char *sqlb_select(const struct entity_def *e)
{
    return e->sql->select;
}

void sqlb_json_list_has_any(struct rec_ctx *ctx, struct sqlb *b, const char *column,
                            const char *const *values, size_t n)
{
    if (!b->err)
        b->err = store_json_array_has_any(ctx->store, &b->sql, column, n);
    for (size_t i = 0; i < n; i++)
        sqlb_param(ctx, b, store_cstr(values[i]));
}

void sqlb_month_of(struct rec_ctx *ctx, struct sqlb *b, const char *column)
{
    if (!b->err)
        b->err = store_month_of(ctx->store, &b->sql, column);
}

size_t rec__text_bytes(const struct rec *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ent->nfields; i++)
        n += r->v[i].null ? 0 : r->v[i].len;
    return n;
}

enum rp_err sqlb_read(struct rec_ctx *ctx, struct sqlb *b, const struct entity_def *e,
                      size_t max, size_t max_text, struct rec **rows, size_t *n)
{
    struct store_stmt *st = NULL;
    enum rp_err err = sqlb_prepare(ctx, b, &st);
    if (err)
        return err;
    struct rec *out = arena_calloc(ctx->a, max + 1, sizeof(*out));
    size_t count = 0, text = 0;
    bool row;
    while (count < max && !(err = store_step(st, &row)) && row) {
        rec__read_row(ctx, st, e, &out[count]);
        /* The caller's hidden fields are gone before a module can hand a row out. */
        rec_mask(ctx, &out[count]);
        text += rec__text_bytes(&out[count++]);
        if (max_text && text > max_text) {
            err = RP_ETOOBIG;
            break;
        }
    }
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}
