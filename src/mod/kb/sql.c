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

/* Appends the articles holding a term, the newest KB_SUGGEST_CANDIDATES of them: a set
 * of seq for IN. */
static void candidates(struct rec_ctx *ctx, struct sqlb *b, const struct rp_str *term)
{
    sqlb_add(b, "%s", "SELECT m.seq FROM (");
    sqlb_fts_matches(ctx, b, meta_need("kb_articles"), term, 1);
    sqlb_add(b, "%s", ") m ORDER BY m.seq DESC LIMIT ?");
    sqlb_param(ctx, b, store_int(KB_SUGGEST_CANDIDATES));
}

/* Appends a term's weight: 1 when the article's searchable text holds it, 2 more when
 * its title does (LIKE on the folded title, '!' escaping the pattern's wildcards). */
static void term_weight(struct rec_ctx *ctx, struct sqlb *b, const struct rp_str *term)
{
    sqlb_add(b, "%s", " + CASE WHEN t.seq IN (");
    candidates(ctx, b, term);
    sqlb_add(b, "%s", ") THEN 1 ELSE 0 END + CASE WHEN lower(t.title) LIKE ? ESCAPE '!'"
                      " THEN 2 ELSE 0 END");
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
    /* Ranked by seq and the columns of the rank alone (k), then the few that win are
     * read whole: sorting every candidate with its body is what took the time. */
    const struct entity_def *e = meta_need("kb_articles");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s JOIN (SELECT t.seq AS s, CASE WHEN t.language = ? THEN 0 ELSE 1 END AS lr,"
                 " (0", sqlb_select(e));
    sqlb_param(ctx, &b, store_cstr(language ? language : ""));
    for (size_t i = 0; i < nterms; i++)
        term_weight(ctx, &b, &terms[i]);
    sqlb_add(&b, "%s", ") AS w FROM kb_articles t");
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.status = 'published' AND (");
    for (size_t i = 0; i < nterms; i++) {
        sqlb_add(&b, "%s", i ? " OR t.seq IN (" : "t.seq IN (");
        candidates(ctx, &b, &terms[i]);
        sqlb_add(&b, "%s", ")");
    }
    sqlb_add(&b, "%s", ") ORDER BY lr, w DESC, t.helpful_count DESC, t.views DESC, t.seq LIMIT ?)"
                       " k ON k.s = t.seq"
                       " ORDER BY k.lr, k.w DESC, t.helpful_count DESC, t.views DESC, t.seq");
    sqlb_param(ctx, &b, store_int((int64_t)limit));
    err = sqlb_read(ctx, &b, e, limit, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    return err;
}
