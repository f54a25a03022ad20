/* Cases and knowledge articles: a case links the articles that answer it (its
 * kb_articles list, written like any field, each id an article its writer may read);
 * the links read both ways, each side showing only what the caller may read; and a
 * resolved case becomes a draft article, linked back to it, in one transaction. The
 * knowledge base is reached by its entity's name and knows nothing of cases. */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "engine/acl.h"
#include "mod/service/service.h"

/* An article's title holds at most this many code points (the knowledge base's
 * metadata): a longer subject is cut. */
#define ARTICLE_TITLE_MAX 200u
/* The Markdown of an article made from a case: its description and resolution (each at
 * most RP_MAX_TEXT code points of up to four bytes, about twice that once escaped)
 * and two headings. */
#define ARTICLE_BODY_MAX (2u * 2u * 4u * RP_MAX_TEXT + 256u)

/* The ids of a stored list of ids (["id","id"], spaced or not): each quoted string,
 * borrowed from the value. */
static size_t list_ids(const struct rec_value *list, struct rp_str *ids, size_t max)
{
    size_t n = 0;
    if (list->null)
        return 0;
    const char *p = list->s, *end = list->s + list->len;
    while (n < max) {
        const char *open = memchr(p, '"', (size_t)(end - p));
        if (!open)
            break;
        const char *close = memchr(open + 1, '"', (size_t)(end - open - 1));
        if (!close)
            break;
        ids[n++] = (struct rp_str){open + 1, (size_t)(close - open - 1)};
        p = close + 1;
    }
    return n;
}

size_t service__article_count(const struct rec_value *list)
{
    struct rp_str ids[RP_MAX_IN_VALUES];
    return list_ids(list, ids, RP_NELEM(ids));
}

static json_t *article_json(const struct rec *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "title", api_str_or_null(rec_field(a, "title")->s));
    static const char *const KEYS[] = {"language", "status", "visibility"};
    for (size_t i = 0; i < RP_NELEM(KEYS); i++)
        json_object_set_new(o, KEYS[i], api_str_or_null(rec_field(a, KEYS[i])->s));
    const struct rec_value *cat = rec_field(a, "category_id");
    json_object_set_new(o, "category_id", cat->null ? json_null() : json_string(cat->s));
    return o;
}

unsigned service__get_case_articles(struct api_call *c)
{
    struct rec r;
    enum rp_err err = rec_get(&c->ctx, meta_need("cases"), c->req->params[0], &r);
    if (err)
        return api_fail(c, err);
    struct rp_str ids[SVC_MAX_CASE_ARTICLES];
    size_t n = list_ids(rec_field(&r, "kb_articles"), ids, RP_NELEM(ids));
    const struct entity_def *ke = meta_need("kb_articles");
    json_t *data = json_array();
    for (size_t i = 0; i < n && !err; i++) {
        struct rec a;
        err = rec_get(&c->ctx, ke, ids[i], &a);
        if (!err)
            json_array_append_new(data, article_json(&a));
        else if (err == RP_ENOTFOUND)
            err = RP_OK; /* one the caller may not read, or deleted: not shown */
    }
    if (err) {
        json_decref(data);
        return api_fail(c, err);
    }
    return api_data(c, data);
}

unsigned service__get_article_cases(struct api_call *c)
{
    struct rec a;
    enum rp_err err = rec_get(&c->ctx, meta_need("kb_articles"), c->req->params[0], &a);
    struct rec *rows = NULL;
    size_t n = 0;
    if (!err)
        err = service__sql_linked_cases(&c->ctx, a.id, &rows, &n);
    if (err == RP_EFORBIDDEN)
        err = RP_OK; /* a reader of articles who may read no case sees none linked */
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    static const char *const KEYS[] = {"number", "subject", "status", "priority",
                                       "account_id", "resolved_at"};
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(rows[i].id));
        for (size_t k = 0; k < RP_NELEM(KEYS); k++)
            json_object_set_new(o, KEYS[k], api_str_or_null(rec_field(&rows[i], KEYS[k])->s));
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

/* The first max code points of s. */
static struct rp_str cut(struct rp_str s, size_t max)
{
    size_t i = 0;
    for (size_t k = 0; k < max && i < s.len; k++)
        text_utf8_next(s.p, s.len, &i);
    return (struct rp_str){s.p, i};
}

/* One part of the article's body: a heading and a field of the case, quoted. */
static enum rp_err add_part(struct rp_buf *b, const char *heading, const struct rec_value *v)
{
    if (v->null || v->len == 0)
        return RP_OK;
    enum rp_err err = b->len ? buf_adds(b, "\n\n") : RP_OK;
    if (!err)
        err = buf_printf(b, "## %s\n\n", heading);
    return err ? err : svc_md_quote(b, (struct rp_str){v->s, v->len});
}

/* The article's body: the case's description and resolution, each under a heading in
 * the article's language; NULL when the case has neither. */
static enum rp_err article_body(struct rec_ctx *ctx, const struct rec *r, enum rp_lang lang,
                                const char **out)
{
    struct rp_buf b;
    buf_init(&b, ARTICLE_BODY_MAX);
    enum rp_err err = add_part(&b, msg_tr(lang, "Problem"), rec_field(r, "description"));
    if (!err)
        err = add_part(&b, msg_tr(lang, "Solution"), rec_field(r, "resolution"));
    if (!err && b.len)
        err = buf_addc(&b, '\n');
    *out = b.len ? arena_strdup(ctx->a, buf_cstr(&b)) : NULL;
    buf_release(&b);
    return err;
}

/* Creates the draft and links it to the case, as the caller: reading the case, editing
 * it and creating articles are each their role's to allow. */
static enum rp_err article_from_case(struct api_call *c, struct rec *art)
{
    struct rec_ctx *ctx = &c->ctx;
    const struct entity_def *ce = meta_need("cases");
    struct rec r;
    enum rp_err err = rec_get(ctx, ce, c->req->params[0], &r);
    if (err)
        return err;
    if (!is(rec_field(&r, "status"), "resolved") && !is(rec_field(&r, "status"), "closed"))
        return rec_fail(ctx, RP_ECONFLICT,
                        "only a resolved or closed case becomes an article: resolve it first");
    if ((err = rec_check_action(ctx, ce, &r, ACL_EDIT, MSG("change"))))
        return err;
    struct rp_str ids[SVC_MAX_CASE_ARTICLES + 1];
    size_t n = list_ids(rec_field(&r, "kb_articles"), ids, SVC_MAX_CASE_ARTICLES);
    if (n == SVC_MAX_CASE_ARTICLES)
        return rec_fail(ctx, RP_ECONFLICT, "a case links at most %d articles",
                        SVC_MAX_CASE_ARTICLES);
    /* The article is in the caller's language: their own, else the request's. */
    const char *locale = ctx->who ? ctx->who->locale : NULL;
    bool zh = locale ? meta_locale_zh(locale) : ctx->lang == RP_LANG_ZH;
    const char *body;
    if ((err = article_body(ctx, &r, zh ? RP_LANG_ZH : RP_LANG_EN, &body)))
        return err;
    const struct rec_value *subj = rec_field(&r, "subject");
    struct rp_str title = cut((struct rp_str){subj->s, subj->len}, ARTICLE_TITLE_MAX);
    struct rec_input in[] = {
        rec_in_text("title", arena_strndup(ctx->a, title.p, title.len)),
        rec_in_text("language", zh ? "zh-CN" : "en"),
        rec_in_text("status", "draft"),
        rec_in_text("visibility", "internal"),
        body ? rec_in_text("body", body) : (struct rec_input){.field = RP_STR("body"), .kind = IN_NULL},
    };
    if ((err = rec_create(ctx, meta_need("kb_articles"), in, RP_NELEM(in), art)))
        return err;
    ids[n++] = rp_str_c(art->id);
    struct rec_input link = {.field = RP_STR("kb_articles"), .kind = IN_LIST, .items = ids,
                             .nitems = n};
    struct rec after;
    return rec_update(ctx, ce, rp_str_c(r.id), &link, 1, r.version, &after);
}

unsigned service__post_case_article(struct api_call *c)
{
    struct rec art;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = rec_tx_end(&c->ctx, article_from_case(c, &art));
    if (err)
        return api_fail(c, err);
    return api_record(c, 201, &art);
}
