/* The knowledge base (MISSION 7 and 10, issue 23): articles in Markdown, in categories
 * that form a tree, in English and Chinese with their translations linked, draft,
 * published or archived, internal or public; each edit of the title or the body is a
 * version (read back from the engine's field history); readers say whether an article
 * helped (once each) and its views are counted; suggestions rank published articles by
 * how well they match a text being typed (a case's subject), the reader's language
 * first. Rendering turns Markdown into HTML with cmark, raw HTML dropped and links and
 * images kept to safe schemes. */
#ifndef RP_MOD_KB_H
#define RP_MOD_KB_H

#include "engine/module.h"

/* The Markdown a render takes at most: an article body (RP_MAX_TEXT code points of up
 * to four bytes each). */
#define KB_MAX_MARKDOWN (4u * RP_MAX_TEXT)
/* How deep the category tree goes: deep enough for any real library, and a bound on
 * the walk that refuses a cycle. */
#define KB_MAX_CATEGORY_DEPTH 8
/* History rows read to find an article's versions: the last thousand changes of its
 * fields (each holds the old and new text, so the bound is one of memory too). */
#define KB_MAX_HISTORY_ROWS 1000u
/* Suggestions one request answers at most, and by default. */
#define KB_MAX_SUGGEST 20u
#define KB_DEFAULT_SUGGEST 5u
/* Words of a suggestion's text that count: a long subject's first dozen. */
#define KB_MAX_SUGGEST_TERMS 12u
/* Articles holding a word that suggestions rank, at most: the newest of them. A word in
 * most articles ("printer" in a printer maker's base) would otherwise have every
 * suggestion rank the whole base. */
#define KB_SUGGEST_CANDIDATES 500u

extern const struct entity_def kb__categories;
extern const struct entity_def kb__articles;
extern const struct entity_def kb__feedback;

extern const struct rp_module mod_kb;

/* ---- rendering (render.c) ---- */

/* Markdown as HTML (arena memory, NUL-terminated): CommonMark by cmark, raw HTML left
 * out, links only to http, https and mailto URLs or relative ones (others keep their
 * text and lose the link), images only from http, https or relative URLs (others
 * become their alt text). RP_ETOOBIG past KB_MAX_MARKDOWN, RP_ENOMEM when cmark fails. */
enum rp_err kb_render(struct arena *a, const char *md, size_t len, const char **html);
/* Whether a link's (image false) or an image's (image true) URL may stay. */
bool kb_url_allowed(const char *url, bool image);

/* ---- articles ---- */

/* One version of an article: its title and body after an edit of either (or its
 * creation). Numbered from 1, the creation, in the order they were made. */
struct kb_version {
    int64_t number;
    const char *at;
    const char *user_id;     /* NULL: the system */
    const char *title;
    const char *body;        /* NULL: no body */
    bool title_changed;
    bool body_changed;
};

/* The versions of an article the caller may read, newest first. */
enum rp_err kb_versions(struct rec_ctx *ctx, struct rp_str id, struct kb_version **out,
                        size_t *n);
/* Records the caller's vote on an article they may read: one per user and article, a
 * second vote replaces the first. The article's counts follow (*article: it after). */
enum rp_err kb_vote(struct rec_ctx *ctx, struct rp_str id, bool helpful, struct rec *article);
/* Counts a view of an article the caller may read; *views: its count after. */
enum rp_err kb_view(struct rec_ctx *ctx, struct rp_str id, int64_t *views);
/* The words of a text a suggestion looks for (borrowed from text), at most max: runs
 * of two or more ASCII letters and digits but the commonest English words, and each
 * pair of neighbouring characters of a run of other letters (Chinese has no spaces),
 * or the one character of a run of one; without repeats. Returns their number. */
size_t kb_suggest_terms(struct rp_str text, struct rp_str *terms, size_t max);
/* Published articles matching text, the best first, those in `language` before others
 * (language NULL: no preference); at most limit. */
enum rp_err kb_suggest(struct rec_ctx *ctx, struct rp_str text, const char *language,
                       size_t limit, struct rec **rows, size_t *n);

/* ---- inside the module ---- */

/* Hooks (articles.c, categories.c, feedback.c). */
enum rp_err kb__validate_article(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err kb__validate_category(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err kb__validate_feedback(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err kb__feedback_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err kb__demo(struct rp_demo *d);

/* routes.c: the module's HTTP handlers (api/route.h). */
struct api_call;
unsigned kb__get_html(struct api_call *c);
unsigned kb__post_render(struct api_call *c);
unsigned kb__get_versions(struct api_call *c);
unsigned kb__get_version(struct api_call *c);
unsigned kb__post_feedback(struct api_call *c);
unsigned kb__post_view(struct api_call *c);
unsigned kb__get_suggest(struct api_call *c);

/* sql.c */

/* Sets an article's helpful and not-helpful counts from its live feedback, without a
 * new version of the article (counts are not edits). */
enum rp_err kb__sql_recount(struct rec_ctx *ctx, const char *article_id);
/* Adds one to an article's views (no version either); *views: the count after. */
enum rp_err kb__sql_add_view(struct rec_ctx *ctx, const char *article_id, int64_t *views);
/* The caller's feedback on an article, if any (found false otherwise). */
enum rp_err kb__sql_feedback_of(struct rec_ctx *ctx, const char *article_id,
                                const char *owner_id, struct rec *out, bool *found);
/* Published articles the caller may read whose text holds any of terms, ranked. */
enum rp_err kb__sql_suggest(struct rec_ctx *ctx, const struct rp_str *terms, size_t nterms,
                            const char *language, size_t limit, struct rec **rows, size_t *n);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog kb__messages;

#endif
