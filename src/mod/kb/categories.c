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
    return rec_check_tree(ctx, r, old, "parent_id", KB_MAX_CATEGORY_DEPTH);
}
