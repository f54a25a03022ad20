/* Opportunities (deals): an amount moving through the pipeline stages. */
#include "core/common.h"

#include "mod/entities.h"

const char *const meta_currencies[] = {"USD", "EUR", "CNY", "GBP", "JPY", "HKD", "SGD", "AUD",
                                       "CAD", "CHF", "INR", "KRW", "TWD", NULL};

static const struct field_def FIELDS[] = {
    {"name", "Name", FT_STRING, FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, 200, NULL, NULL,
     "overview", NULL, NULL},
    {"account_id", "Account", FT_REF, FF_INDEXED | FF_LIST, 0, NULL, "accounts", "overview",
     NULL, NULL},
    {"contact_id", "Primary contact", FT_REF, FF_INDEXED, 0, NULL, "contacts", "overview", NULL,
     NULL},
    {"amount", "Amount", FT_MONEY, FF_INDEXED | FF_LIST, 0, NULL, NULL, "overview", NULL,
     &meta_range_amount},
    {"currency", "Currency", FT_ENUM, FF_REQUIRED, 0, meta_currencies, NULL, "overview", "USD",
     NULL},
    {"stage", "Stage", FT_ENUM, FF_REQUIRED | FF_INDEXED | FF_LIST, 0, NULL, "pipeline_stages",
     "overview", "prospecting", NULL},
    {"probability", "Probability (%)", FT_PERCENT, FF_LIST, 0, NULL, NULL, "overview", NULL, NULL},
    {"expected_close_date", "Expected close", FT_DATE, FF_INDEXED | FF_LIST, 0, NULL, NULL,
     "overview", NULL, NULL},
    {"next_step", "Next step", FT_STRING, 0, 255, NULL, NULL, "overview", NULL, NULL},
    {"lead_source", "Lead source", FT_ENUM, FF_INDEXED, 0, meta_lead_sources, NULL, "details",
     NULL, NULL},
    {"lost_reason", "Lost reason", FT_STRING, 0, 255, NULL, NULL, "details", NULL, NULL},
    {"stage_changed_at", "Stage changed", FT_DATETIME, FF_READONLY | FF_INDEXED, 0, NULL, NULL,
     "details", NULL, NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL, NULL},
};

const struct entity_def entity_opportunities = {
    .name = "opportunities",
    .label = "Opportunity",
    .label_plural = "Opportunities",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "expected_close_date",
    .totals = "stage,amount,probability",
};
