/* Opportunities (deals): an amount moving through the pipeline stages. */
#include "core/common.h"

#include "mod/sales/sales.h"

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "account_id", .label = "Account", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST | FF_TIMELINE,
     .ref_entity = "accounts", .group = "overview"},
    {.name = "contact_id", .label = "Primary contact", .type = FT_REF,
     .flags = FF_INDEXED | FF_TIMELINE,
     .ref_entity = "contacts", .group = "overview"},
    {.name = "amount", .label = "Amount", .type = FT_MONEY, .flags = FF_INDEXED | FF_LIST,
     .group = "overview", .range = &meta_range_amount},
    {.name = "currency", .label = "Currency", .type = FT_ENUM, .flags = FF_REQUIRED,
     .enum_values = meta_currencies, .group = "overview", .def = "USD"},
    {.name = "stage", .label = "Stage", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .ref_entity = "pipeline_stages",
     .group = "overview", .def = "prospecting"},
    {.name = "probability", .label = "Probability (%)", .type = FT_PERCENT, .flags = FF_LIST,
     .group = "overview"},
    {.name = "expected_close_date", .label = "Expected close", .type = FT_DATE,
     .flags = FF_INDEXED | FF_LIST, .group = "overview"},
    {.name = "next_step", .label = "Next step", .type = FT_STRING, .maxlen = 255,
     .group = "overview"},
    {.name = "lead_source", .label = "Lead source", .type = FT_ENUM, .flags = FF_INDEXED,
     .enum_values = meta_lead_sources, .group = "details"},
    {.name = "lost_reason", .label = "Lost reason", .type = FT_STRING, .maxlen = 255,
     .group = "details"},
    {.name = "stage_changed_at", .label = "Stage changed", .type = FT_DATETIME,
     .flags = FF_READONLY | FF_INDEXED, .group = "details"},
    {.name = "description", .label = "Description", .type = FT_TEXT, .flags = FF_SEARCH,
     .group = "description"},
};

const struct entity_def sales__opportunities = {
    .name = "opportunities",
    .label = "Opportunity",
    .label_plural = "Opportunities",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "expected_close_date",
    .totals = "stage,amount,probability",
    .flags = EF_TIMELINE,
};
