/* Categories of articles: a tree (each names its parent), with a name in English and,
 * when it has one, in Chinese. */
#include "core/common.h"

#include "mod/kb/kb.h"

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "name_zh", .label = "Chinese name", .label_zh = "中文名称", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "parent_id", .label = "Parent category", .label_zh = "上级分类", .type = FT_REF,
     .ref_entity = "kb_categories", .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .group = "overview"},
};

const struct entity_def kb__categories = {
    .name = "kb_categories",
    .label = "Knowledge category",
    .label_plural = "Knowledge categories",
    .label_zh = "知识分类",
    .label_plural_zh = "知识分类",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_OWN_SCREEN,
};

enum rp_err kb__validate_category(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *p = rec_field(r, "parent_id");
    if (p->null || !rec_changed(r, old, "parent_id"))
        return RP_OK;
    /* Up from the new parent: the category itself on the way is a cycle. Read as the
     * system: a parent the caller cannot read still makes the tree. */
    struct rp_str at = {p->s, p->len};
    const char *saved = rec_system_begin(ctx, "category tree");
    enum rp_err err = RP_OK;
    int depth = 1;
    for (; !err && at.p; depth++) {
        if (r->id && rp_str_eqc(at, r->id)) {
            err = rec_field_error(ctx, "parent_id", "a category cannot be inside itself");
            break;
        }
        if (depth >= KB_MAX_CATEGORY_DEPTH) {
            err = rec_field_error(ctx, "parent_id", "categories go at most %d levels deep",
                                  KB_MAX_CATEGORY_DEPTH);
            break;
        }
        struct rec up;
        err = rec_get(ctx, meta_need("kb_categories"), at, &up);
        if (err == RP_ENOTFOUND)
            err = rec_field_error(ctx, "parent_id", "no %s with this id",
                                  rec_label(ctx, meta_need("kb_categories")));
        const struct rec_value *pp = err ? NULL : rec_field(&up, "parent_id");
        at = !pp || pp->null ? (struct rp_str){NULL, 0} : (struct rp_str){pp->s, pp->len};
    }
    rec_system_end(ctx, saved);
    return err;
}
