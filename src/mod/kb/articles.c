/* Articles: Markdown with a title, in a category, in one language with its translations
 * linked, draft, published or archived, internal or public; their versions. */
#include "core/common.h"

#include "mod/kb/kb.h"

static const char *const STATUS[] = {"draft", "published", "archived", NULL};
static const char *const STATUS_LABELS[] = {"Draft", "Published", "Archived", NULL};
static const char *const STATUS_LABELS_ZH[] = {"草稿", "已发布", "已归档", NULL};
static const char *const LANGUAGES[] = {"en", "zh-CN", NULL};
static const char *const LANGUAGE_LABELS[] = {"English", "Chinese (Simplified)", NULL};
static const char *const LANGUAGE_LABELS_ZH[] = {"英文", "简体中文", NULL};
static const char *const VISIBILITY[] = {"internal", "public", NULL};
static const char *const VISIBILITY_LABELS[] = {"Internal", "Public", NULL};
static const char *const VISIBILITY_LABELS_ZH[] = {"内部", "公开", NULL};

static const struct field_def FIELDS[] = {
    {.name = "title", .label = "Title", .label_zh = "标题", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "category_id", .label = "Category", .label_zh = "分类", .type = FT_REF,
     .ref_entity = "kb_categories", .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = STATUS, .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .def = "draft", .group = "overview"},
    {.name = "language", .label = "Language", .label_zh = "语言", .type = FT_ENUM,
     .enum_values = LANGUAGES, .enum_labels = LANGUAGE_LABELS,
     .enum_labels_zh = LANGUAGE_LABELS_ZH, .flags = FF_REQUIRED | FF_INDEXED | FF_LIST,
     .def = "en", .group = "overview"},
    {.name = "visibility", .label = "Visibility", .label_zh = "可见范围", .type = FT_ENUM,
     .enum_values = VISIBILITY, .enum_labels = VISIBILITY_LABELS,
     .enum_labels_zh = VISIBILITY_LABELS_ZH, .flags = FF_REQUIRED | FF_INDEXED,
     .def = "internal", .group = "overview"},
    {.name = "tags", .label = "Tags", .label_zh = "标签", .type = FT_STRING,
     .flags = FF_SEARCH, .maxlen = 255, .group = "overview"},
    {.name = "translation_of", .label = "Translation of", .label_zh = "译自", .type = FT_REF,
     .ref_entity = "kb_articles", .flags = FF_INDEXED, .group = "overview"},
    {.name = "body", .label = "Body (Markdown)", .label_zh = "正文（Markdown）", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "body"},
    {.name = "helpful_count", .label = "Helpful", .label_zh = "有帮助", .type = FT_INT,
     .flags = FF_READONLY | FF_LIST, .def = "0", .group = "feedback"},
    {.name = "not_helpful_count", .label = "Not helpful", .label_zh = "没有帮助", .type = FT_INT,
     .flags = FF_READONLY, .def = "0", .group = "feedback"},
    {.name = "views", .label = "Views", .label_zh = "浏览次数", .type = FT_INT,
     .flags = FF_READONLY | FF_LIST, .def = "0", .group = "feedback"},
};

const struct entity_def kb__articles = {
    .name = "kb_articles",
    .label = "Article",
    .label_plural = "Knowledge articles",
    .label_zh = "知识文章",
    .label_plural_zh = "知识文章",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "title",
    .default_sort = "title",
    .flags = EF_OWN_SCREEN,
};

static bool is(const struct rec_value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

enum rp_err kb__validate_article(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *body = rec_field(r, "body");
    if (is(rec_field(r, "status"), "published") && (body->null || body->len == 0))
        rec_field_error(ctx, "body", "a published article needs a body");
    const struct rec_value *of = rec_field(r, "translation_of");
    if (ctx->nerrors || of->null || !rec_changed(r, old, "translation_of"))
        return ctx->nerrors ? RP_EINVAL : RP_OK;
    if (r->id && of->len == strlen(r->id) && memcmp(of->s, r->id, of->len) == 0)
        return rec_field_error(ctx, "translation_of", "an article is not a translation of itself");
    const struct entity_def *e = meta_need("kb_articles");
    struct rec orig;
    enum rp_err err = rec_get(ctx, e, (struct rp_str){of->s, of->len}, &orig);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, "translation_of", "no %s with this id", rec_label(ctx, e));
    if (err)
        return err;
    if (!rec_field(&orig, "translation_of")->null)
        return rec_field_error(ctx, "translation_of",
                               "link a translation to the original article, not to another "
                               "translation");
    const struct rec_value *lang = rec_field(r, "language");
    if (is(rec_field(&orig, "language"), arena_strndup(ctx->a, lang->s, lang->len)))
        return rec_field_error(ctx, "translation_of",
                               "a translation is in another language than its original");
    return RP_OK;
}

/* The versions, from the article's field history: the groups of rows one write made
 * (one time and action), newest first; the state before a group is its rows' old
 * values, so the walk starts at the article as it is. */
enum rp_err kb_versions(struct rec_ctx *ctx, struct rp_str id, struct kb_version **out,
                        size_t *n)
{
    const struct entity_def *e = meta_need("kb_articles");
    struct rec cur;
    enum rp_err err = rec_get(ctx, e, id, &cur);
    struct rec_history_row *h;
    size_t nh = 0;
    if (!err)
        err = rec_history(ctx, e, id, KB_MAX_HISTORY_ROWS, &h, &nh);
    if (err)
        return err;
    const struct rec_value *t = rec_field(&cur, "title"), *b = rec_field(&cur, "body");
    const char *title = arena_strndup(ctx->a, t->s ? t->s : "", t->len);
    const char *body = b->null ? NULL : arena_strndup(ctx->a, b->s, b->len);
    struct kb_version *v = arena_calloc(ctx->a, nh + 1, sizeof(*v));
    size_t count = 0;
    for (size_t i = 0; i < nh;) {
        bool create = strcmp(h[i].action, "create") == 0;
        size_t k = i;
        bool tc = false, bc = false;
        while (k < nh && strcmp(h[k].action, h[i].action) == 0 && strcmp(h[k].at, h[i].at) == 0) {
            tc = tc || (h[k].field && strcmp(h[k].field, "title") == 0);
            bc = bc || (h[k].field && strcmp(h[k].field, "body") == 0);
            k++;
        }
        if (create || (strcmp(h[i].action, "update") == 0 && (tc || bc)))
            v[count++] = (struct kb_version){0, h[i].at, h[i].user_id, title, body, tc, bc};
        for (size_t j = i; j < k && !create && strcmp(h[j].action, "update") == 0; j++) {
            if (h[j].field && strcmp(h[j].field, "title") == 0)
                title = h[j].old_value ? h[j].old_value : "";
            else if (h[j].field && strcmp(h[j].field, "body") == 0)
                body = h[j].old_value;
        }
        i = k;
    }
    for (size_t i = 0; i < count; i++)
        v[i].number = (int64_t)(count - i);
    *out = v;
    *n = count;
    return RP_OK;
}
