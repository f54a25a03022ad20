/* The knowledge base's own statements: the counts of an article (written without a
 * new version: they are not edits), a reader's vote, and suggestions ranked by how
 * many words of a text an article holds, built with the engine's query builder. */
#include "core/common.h"

#include "engine/sqlb.h"
#include "mod/kb/kb.h"

enum rp_err kb__sql_recount(struct rec_ctx *ctx, const char *article_id)
{
    static const char *SQL_RECOUNT =
        "UPDATE kb_articles SET helpful_count = (SELECT count(*) FROM kb_feedback f"
        "  WHERE f.workspace_id = 1 AND f.deleted_at IS NULL AND f.article_id = ?"
        "  AND f.helpful = 1),"
        " not_helpful_count = (SELECT count(*) FROM kb_feedback f"
        "  WHERE f.workspace_id = 1 AND f.deleted_at IS NULL AND f.article_id = ?"
        "  AND f.helpful = 0)"
        " WHERE workspace_id = 1 AND id = ?";
    struct store_val v[] = {store_cstr(article_id), store_cstr(article_id),
                            store_cstr(article_id)};
    return store_exec(ctx->conn, SQL_RECOUNT, v, RP_NELEM(v));
}

enum rp_err kb__sql_add_view(struct rec_ctx *ctx, const char *article_id, int64_t *views)
{
    struct store_val v = store_cstr(article_id);
    enum rp_err err = store_exec(ctx->conn,
                                 "UPDATE kb_articles SET views = coalesce(views, 0) + 1"
                                 " WHERE workspace_id = 1 AND id = ?",
                                 &v, 1);
    if (!err)
        err = store_query_int(ctx->conn,
                              "SELECT views FROM kb_articles WHERE workspace_id = 1 AND id = ?",
                              &v, 1, views);
    return err;
}

enum rp_err kb__sql_feedback_of(struct rec_ctx *ctx, const char *article_id,
                                const char *owner_id, struct rec *out, bool *found)
{
    const struct entity_def *e = meta_need("kb_feedback");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL AND t.article_id = ?"
                       " AND t.owner_id = ? ORDER BY t.seq LIMIT 1");
    sqlb_param(ctx, &b, store_cstr(article_id));
    sqlb_param(ctx, &b, store_cstr(owner_id));
    struct rec *rows;
    size_t n = 0;
    enum rp_err err = sqlb_read(ctx, &b, e, 1, 0, &rows, &n);
    sqlb_release(&b);
    *found = !err && n == 1;
    if (*found)
        *out = rows[0];
    return err;
}

/* Appends a term's weight: 1 when the article is among the term's candidates (m<i>), 2
 * more when its title holds the term (LIKE on the folded title, '!' escaping the
 * pattern's wildcards). */
static void term_weight(struct rec_ctx *ctx, struct sqlb *b, size_t i, const struct rp_str *term)
{
    sqlb_add(b, " + CASE WHEN t.seq IN (SELECT seq FROM m%zu) THEN 1 ELSE 0 END"
                " + CASE WHEN lower(t.title) LIKE ? ESCAPE '!' THEN 2 ELSE 0 END", i);
    char *pat = arena_alloc(ctx->a, term->len * 2 + 3);
    size_t n = 0;
    pat[n++] = '%';
    for (size_t k = 0; k < term->len; k++) {
        char ch = term->p[k];
        if (ch == '%' || ch == '_' || ch == '!')
            pat[n++] = '!';
        pat[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    pat[n++] = '%';
    sqlb_param(ctx, b, store_text(pat, n));
}

enum rp_err kb__sql_suggest(struct rec_ctx *ctx, const struct rp_str *terms, size_t nterms,
                            const char *language, size_t limit, struct rec **rows, size_t *n)
{
    /* Each term's candidates (m<i>: the newest KB_SUGGEST_CANDIDATES articles holding it)
     * are matched once, then ranked by seq and the rank's columns alone (k), and the few
     * that win are read whole: a phrase of the full-text index is the costly part, and
     * sorting every candidate with its body was the other. */
    const struct entity_def *e = meta_need("kb_articles");
    struct sqlb b;
    sqlb_init(&b);
    for (size_t i = 0; i < nterms; i++) {
        sqlb_add(&b, "%s m%zu AS MATERIALIZED (SELECT f.seq FROM (", i ? "," : "WITH", i);
        sqlb_fts_matches(ctx, &b, e, &terms[i], 1);
        sqlb_add(&b, "%s", ") f ORDER BY f.seq DESC LIMIT ?)");
        sqlb_param(ctx, &b, store_int(KB_SUGGEST_CANDIDATES));
    }
    sqlb_add(&b, " %s JOIN (SELECT t.seq AS s, CASE WHEN t.language = ? THEN 0 ELSE 1 END AS lr,"
                 " (0", sqlb_select(e));
    sqlb_param(ctx, &b, store_cstr(language ? language : ""));
    for (size_t i = 0; i < nterms; i++)
        term_weight(ctx, &b, i, &terms[i]);
    sqlb_add(&b, "%s", ") AS w FROM kb_articles t");
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.status = 'published' AND t.seq IN (");
    for (size_t i = 0; i < nterms; i++)
        sqlb_add(&b, "%sSELECT seq FROM m%zu", i ? " UNION " : "", i);
    sqlb_add(&b, "%s", ") ORDER BY lr, w DESC, t.helpful_count DESC, t.views DESC, t.seq LIMIT ?)"
                       " k ON k.s = t.seq"
                       " ORDER BY k.lr, k.w DESC, t.helpful_count DESC, t.views DESC, t.seq");
    sqlb_param(ctx, &b, store_int((int64_t)limit));
    err = sqlb_read(ctx, &b, e, limit, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    return err;
}
