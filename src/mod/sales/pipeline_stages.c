/* Pipeline stages: the ordered steps of a deal, configurable per workspace by admins.
 * Opportunities name a stage by its key (a dynamic enum: FT_ENUM with ref_entity). */
#include "core/common.h"

#include "mod/sales/sales.h"

static const char *const OUTCOMES[] = {"open", "won", "lost", NULL};
static const char *const OUTCOMES_LABELS[] = {"Open", "Won", "Lost", NULL};
static const char *const OUTCOMES_LABELS_ZH[] = {"进行中", "赢单", "输单", NULL};

/* Positions on the board: a few dozen stages, numbered with gaps to insert between. */
static const struct meta_range ORDER = {0, 1000000};

static const struct field_def FIELDS[] = {
    {.name = "key", .label = "Key", .label_zh = "键", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_LIST | FF_CREATE_ONLY, .maxlen = 40,
     .group = "overview"},
    {.name = "label", .label = "Label", .label_zh = "标签", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_LIST | FF_SEARCH, .maxlen = 100, .group = "overview"},
    /* The label zh-CN users read (label when empty): stages are data, not metadata. */
    {.name = "label_zh", .label = "Chinese label", .label_zh = "中文标签", .type = FT_STRING,
     .flags = FF_LIST | FF_SEARCH, .maxlen = 100, .group = "overview"},
    {.name = "probability", .label = "Probability (%)", .label_zh = "可能性", .type = FT_PERCENT,
     .flags = FF_REQUIRED | FF_LIST, .group = "overview"},
    {.name = "sort_order", .label = "Order", .label_zh = "排序", .type = FT_INT,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .group = "overview", .range = &ORDER},
    {.name = "outcome", .label = "Outcome", .label_zh = "结果", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_LIST, .enum_values = OUTCOMES,
     .enum_labels = OUTCOMES_LABELS, .enum_labels_zh = OUTCOMES_LABELS_ZH,
     .group = "overview", .def = "open"},
};

const struct entity_def sales__pipeline_stages = {
    .name = "pipeline_stages",
    .label = "Pipeline stage",
    .label_plural = "Pipeline stages",
    .label_zh = "销售阶段",
    .label_plural_zh = "销售阶段",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "label",
    .default_sort = "sort_order",
    .flags = EF_PLATFORM | EF_OWN_SCREEN,
};
