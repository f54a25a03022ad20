/* Accounts: the customer card — companies and other external parties (partners,
 * distributors, suppliers, banks) distinguished by type. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const char *const TYPES[] = {"customer", "prospect",  "partner", "distributor",
                                    "supplier", "competitor", "bank",   "other", NULL};
static const char *const INDUSTRIES[] = {
    "agriculture", "banking",     "chemicals",  "communications", "construction",
    "consulting",  "education",   "electronics", "energy",        "engineering",
    "entertainment", "finance",   "food",       "government",     "healthcare",
    "hospitality", "insurance",   "machinery",  "manufacturing",  "media",
    "nonprofit",   "recreation",  "retail",     "shipping",       "technology",
    "telecommunications", "transportation", "utilities", "other", NULL};
static const char *const SIZES[] = {"1-10", "11-50", "51-200", "201-1000", "1001-5000",
                                    "5000+", NULL};
static const char *const PAYMENT[] = {"bank_transfer", "credit_card", "cash", "check",
                                      "direct_debit", "letter_of_credit", "other", NULL};
static const char *const CREDIT[] = {"excellent", "good", "fair", "poor", "unknown", NULL};
static const char *const CATEGORY[] = {"key", "strategic", "standard", "small", NULL};
static const char *const STATUS[] = {"active", "inactive", "on_hold", "closed", NULL};
static const char *const TIER[] = {"A", "B", "C", NULL};

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview",
     .dup = DUP_COMPANY},
    {.name = "type", .label = "Type", .type = FT_ENUM, .flags = FF_INDEXED | FF_LIST,
     .enum_values = TYPES, .group = "overview"},
    {.name = "industry", .label = "Industry", .type = FT_ENUM, .flags = FF_INDEXED | FF_LIST,
     .enum_values = INDUSTRIES, .group = "overview"},
    {.name = "size", .label = "Size", .type = FT_ENUM, .enum_values = SIZES, .group = "overview"},
    {.name = "tax_id", .label = "Tax ID", .type = FT_STRING, .flags = FF_INDEXED | FF_SEARCH,
     .maxlen = 64, .group = "overview", .dup = DUP_TAX_ID},
    {.name = "website", .label = "Website", .type = FT_URL, .flags = FF_SEARCH,
     .group = "overview"},
    {.name = "phone", .label = "Phone", .type = FT_PHONE, .flags = FF_INDEXED | FF_SEARCH | FF_LIST,
     .group = "overview", .dup = DUP_PHONE},
    {.name = "email", .label = "Email", .type = FT_EMAIL, .flags = FF_INDEXED | FF_SEARCH,
     .group = "overview", .dup = DUP_EMAIL},
    {.name = "billing_street", .label = "Billing street", .type = FT_STRING, .maxlen = 200,
     .group = "address"},
    {.name = "billing_city", .label = "Billing city", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "address"},
    {.name = "billing_state", .label = "Billing state", .type = FT_STRING, .maxlen = 100,
     .group = "address"},
    {.name = "billing_postcode", .label = "Billing postcode", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 20, .group = "address"},
    {.name = "billing_country", .label = "Billing country", .type = FT_STRING, .flags = FF_INDEXED,
     .maxlen = 100, .group = "address"},
    {.name = "shipping_street", .label = "Shipping street", .type = FT_STRING, .maxlen = 200,
     .group = "address"},
    {.name = "shipping_city", .label = "Shipping city", .type = FT_STRING, .maxlen = 100,
     .group = "address"},
    {.name = "shipping_state", .label = "Shipping state", .type = FT_STRING, .maxlen = 100,
     .group = "address"},
    {.name = "shipping_postcode", .label = "Shipping postcode", .type = FT_STRING, .maxlen = 20,
     .group = "address"},
    {.name = "shipping_country", .label = "Shipping country", .type = FT_STRING, .maxlen = 100,
     .group = "address"},
    {.name = "payment_method", .label = "Payment method", .type = FT_ENUM, .enum_values = PAYMENT,
     .group = "finance"},
    {.name = "credit_rating", .label = "Credit rating", .type = FT_ENUM, .flags = FF_INDEXED,
     .enum_values = CREDIT, .group = "finance"},
    {.name = "annual_revenue", .label = "Annual revenue", .type = FT_MONEY, .flags = FF_INDEXED,
     .group = "finance", .range = &meta_range_amount},
    {.name = "category", .label = "Category", .type = FT_ENUM, .flags = FF_INDEXED,
     .enum_values = CATEGORY, .group = "classification"},
    {.name = "status", .label = "Status", .type = FT_ENUM, .flags = FF_INDEXED | FF_LIST,
     .enum_values = STATUS, .group = "classification", .def = "active"},
    {.name = "tier", .label = "Tier (manual)", .type = FT_ENUM, .flags = FF_INDEXED | FF_LIST,
     .enum_values = TIER, .group = "classification"},
    {.name = "tier_computed", .label = "Tier (by revenue)", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_READONLY, .enum_values = TIER, .group = "classification", .def = "C"},
    {.name = "parent_id", .label = "Parent account", .type = FT_REF, .flags = FF_INDEXED,
     .ref_entity = "accounts", .group = "classification"},
    {.name = "description", .label = "Description", .type = FT_TEXT, .flags = FF_SEARCH,
     .group = "description"},
};

const struct entity_def customers__accounts = {
    .name = "accounts",
    .label = "Account",
    .label_plural = "Accounts",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_DUPLICATES | EF_TIMELINE | EF_CUSTOMER_DATA,
};
