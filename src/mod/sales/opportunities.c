/* Opportunities (deals): an amount moving through the pipeline stages. */
#include "core/common.h"

#include "mod/sales/sales.h"

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST | FF_TIMELINE,
     .ref_entity = "accounts", .group = "overview"},
    {.name = "contact_id", .label = "Primary contact", .label_zh = "联系人", .type = FT_REF,
     .flags = FF_INDEXED | FF_TIMELINE,
     .ref_entity = "contacts", .group = "overview"},
    {.name = "amount", .label = "Amount", .label_zh = "金额", .type = FT_MONEY,
     .flags = FF_INDEXED | FF_LIST, .group = "overview", .range = &meta_range_amount},
    {.name = "currency", .label = "Currency", .label_zh = "币种", .type = FT_ENUM,
     .flags = FF_REQUIRED, .enum_values = meta_currencies,
     .enum_labels = meta_currency_labels, .enum_labels_zh = meta_currency_labels_zh,
     .group = "overview", .def = "USD"},
    {.name = "stage", .label = "Stage", .label_zh = "阶段", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .ref_entity = "pipeline_stages",
     .group = "overview", .def = "prospecting"},
    {.name = "probability", .label = "Probability (%)", .label_zh = "可能性", .type = FT_PERCENT,
     .flags = FF_LIST, .group = "overview"},
    {.name = "expected_close_date", .label = "Expected close", .label_zh = "预计成交日期",
     .type = FT_DATE, .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "next_step", .label = "Next step", .label_zh = "下一步", .type = FT_STRING,
     .maxlen = 255, .group = "overview"},
    {.name = "lead_source", .label = "Lead source", .label_zh = "线索来源", .type = FT_ENUM,
     .flags = FF_INDEXED, .enum_values = meta_lead_sources,
     .enum_labels = meta_lead_source_labels, .enum_labels_zh = meta_lead_source_labels_zh,
     .group = "details"},
    {.name = "lost_reason", .label = "Lost reason", .label_zh = "丢单原因", .type = FT_STRING,
     .maxlen = 255, .group = "details"},
    {.name = "stage_changed_at", .label = "Stage changed", .label_zh = "阶段变更时间",
     .type = FT_DATETIME, .flags = FF_READONLY | FF_INDEXED, .group = "details"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
};

const struct entity_def sales__opportunities = {
    .name = "opportunities",
    .label = "Opportunity",
    .label_plural = "Opportunities",
    .label_zh = "商机",
    .label_plural_zh = "商机",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "expected_close_date",
    .totals = "stage,amount,probability",
    .flags = EF_TIMELINE,
};
