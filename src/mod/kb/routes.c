/* The knowledge base's routes: an article rendered, a preview of Markdown, versions,
 * votes and views, and suggestions while a text is typed. */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "engine/acl.h"
#include "mod/kb/kb.h"

/* The rendered Markdown of a body (NULL: none) into o as "html". */
static enum rp_err add_html(struct api_call *c, json_t *o, const char *body)
{
    const char *html = "";
    enum rp_err err = body ? kb_render(c->ctx.a, body, strlen(body), &html) : RP_OK;
    if (!err)
        json_object_set_new(o, "html", json_string(html));
    return err;
}

unsigned kb__get_html(struct api_call *c)
{
    struct rec r;
    enum rp_err err = rec_get(&c->ctx, meta_need("kb_articles"), c->req->params[0], &r);
    if (err)
        return api_fail(c, err);
    const struct rec_value *body = rec_field(&r, "body");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r.id));
    json_object_set_new(o, "title", api_str_or_null(rec_field(&r, "title")->s));
    json_object_set_new(o, "version", json_integer(r.version));
    /* A body the caller's role hides reads as null: nothing to render. */
    err = add_html(c, o, body->null ? NULL : arena_strndup(c->ctx.a, body->s, body->len));
    if (err) {
        json_decref(o);
        return api_fail(c, err);
    }
    return api_json(c, 200, o);
}

unsigned kb__post_render(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"body", NULL}, MSG("is not a render option"));
    json_t *body = json_object_get(root, "body");
    if (!json_is_string(body))
        rec_field_error(&c->ctx, "body", "must be Markdown text");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    json_t *o = json_object();
    const char *html;
    enum rp_err err = kb_render(c->ctx.a, json_string_value(body), json_string_length(body), &html);
    if (err == RP_ETOOBIG)
        err = rec_field_error(&c->ctx, "body", "is longer than %u bytes", KB_MAX_MARKDOWN);
    if (err) {
        json_decref(o);
        return api_fail(c, err);
    }
    json_object_set_new(o, "html", json_string(html));
    return api_json(c, 200, o);
}

static json_t *version_json(const struct kb_version *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(v->number));
    json_object_set_new(o, "at", json_string(v->at));
    json_object_set_new(o, "user_id", api_str_or_null(v->user_id));
    json_object_set_new(o, "title", json_string(v->title));
    json_t *changed = json_array();
    if (v->number == 1 || v->title_changed)
        json_array_append_new(changed, json_string("title"));
    if ((v->number == 1 && v->body) || v->body_changed)
        json_array_append_new(changed, json_string("body"));
    json_object_set_new(o, "changed", changed);
    return o;
}

unsigned kb__get_versions(struct api_call *c)
{
    struct kb_version *v;
    size_t n;
    enum rp_err err = kb_versions(&c->ctx, c->req->params[0], &v, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, version_json(&v[i]));
    return api_data(c, data);
}

unsigned kb__get_version(struct api_call *c)
{
    int64_t number;
    if (text_parse_i64(c->req->params[1], &number) || number < 1)
        return api_problem(c, 400, "a version is a number from 1");
    struct kb_version *v;
    size_t n;
    enum rp_err err = kb_versions(&c->ctx, c->req->params[0], &v, &n);
    if (err)
        return api_fail(c, err);
    if ((uint64_t)number > n)
        return api_problem(c, 404, "the article has no such version");
    const struct kb_version *it = &v[n - (size_t)number];
    json_t *o = version_json(it);
    json_object_set_new(o, "body", api_str_or_null(it->body));
    err = add_html(c, o, it->body);
    if (err) {
        json_decref(o);
        return api_fail(c, err);
    }
    return api_json(c, 200, o);
}

unsigned kb__post_feedback(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"helpful", NULL}, MSG("is not a feedback option"));
    json_t *helpful = json_object_get(root, "helpful");
    if (!json_is_boolean(helpful))
        rec_field_error(&c->ctx, "helpful", "must be true or false");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec art;
    enum rp_err err = kb_vote(&c->ctx, c->req->params[0], json_is_true(helpful), &art);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "helpful", json_boolean(json_is_true(helpful)));
    json_object_set_new(o, "helpful_count", json_integer(rec_field(&art, "helpful_count")->i));
    json_object_set_new(o, "not_helpful_count",
                        json_integer(rec_field(&art, "not_helpful_count")->i));
    return api_json(c, 200, o);
}

unsigned kb__post_view(struct api_call *c)
{
    int64_t views;
    enum rp_err err = kb_view(&c->ctx, c->req->params[0], &views);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "views", json_integer(views));
    return api_json(c, 200, o);
}

/* The language suggestions prefer: ?language=, else the caller's own (their locale,
 * else the request's). */
static const char *preferred_language(struct api_call *c, struct rp_str asked)
{
    if (asked.p)
        return arena_strndup(c->ctx.a, asked.p, asked.len);
    const char *locale = c->ctx.who ? c->ctx.who->locale : NULL;
    if (locale ? meta_locale_zh(locale) : c->ctx.lang == RP_LANG_ZH)
        return "zh-CN";
    return "en";
}

unsigned kb__get_suggest(struct api_call *c)
{
    struct http_req *req = c->req;
    struct rp_str q = {NULL, 0}, language = {NULL, 0}, limit = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++) {
        if (rp_str_eqc(req->query[i].key, "q"))
            q = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "language"))
            language = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "limit"))
            limit = req->query[i].value;
        else
            return api_problemf(c, 400, "unknown parameter %.*s: suggestions take q, language"
                                        " and limit",
                                (int)(req->query[i].key.len > 64 ? 64 : req->query[i].key.len),
                                req->query[i].key.p);
    }
    if (!q.p)
        return api_problem(c, 400, "give the text to match as ?q=");
    const struct field_def *lf = meta_field(meta_need("kb_articles"), RP_STR("language"));
    if (language.p && !meta_enum_has(lf, language))
        return api_problem(c, 400, "language must be en or zh-CN");
    int64_t max = KB_DEFAULT_SUGGEST;
    if (limit.p && (text_parse_i64(limit, &max) || max < 1 || max > KB_MAX_SUGGEST))
        return api_problemf(c, 400, "limit must be a number from 1 to %u", KB_MAX_SUGGEST);
    struct rec *rows;
    size_t n;
    enum rp_err err = kb_suggest(&c->ctx, q, preferred_language(c, language), (size_t)max, &rows,
                                 &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(rows[i].id));
        json_object_set_new(o, "title", api_str_or_null(rec_field(&rows[i], "title")->s));
        json_object_set_new(o, "language", json_string(rec_field(&rows[i], "language")->s));
        json_object_set_new(o, "visibility", json_string(rec_field(&rows[i], "visibility")->s));
        const struct rec_value *cat = rec_field(&rows[i], "category_id");
        json_object_set_new(o, "category_id", cat->null ? json_null() : json_string(cat->s));
        json_object_set_new(o, "helpful_count",
                            json_integer(rec_field(&rows[i], "helpful_count")->i));
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}
