/* Accounts: the customer card — companies and other external parties (partners,
 * distributors, suppliers, banks) distinguished by type. */
#include "core/common.h"

#include "mod/entities.h"

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
    {"name", "Name", FT_STRING, FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, 200, NULL, NULL,
     "overview", NULL, NULL},
    {"type", "Type", FT_ENUM, FF_INDEXED | FF_LIST, 0, TYPES, NULL, "overview", NULL, NULL},
    {"industry", "Industry", FT_ENUM, FF_INDEXED | FF_LIST, 0, INDUSTRIES, NULL, "overview", NULL,
     NULL},
    {"size", "Size", FT_ENUM, 0, 0, SIZES, NULL, "overview", NULL, NULL},
    {"tax_id", "Tax ID", FT_STRING, FF_INDEXED | FF_SEARCH, 64, NULL, NULL, "overview", NULL, NULL},
    {"website", "Website", FT_URL, FF_SEARCH, 0, NULL, NULL, "overview", NULL, NULL},
    {"phone", "Phone", FT_PHONE, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL, "overview",
     NULL, NULL},
    {"email", "Email", FT_EMAIL, FF_INDEXED | FF_SEARCH, 0, NULL, NULL, "overview", NULL, NULL},
    {"billing_street", "Billing street", FT_STRING, 0, 200, NULL, NULL, "address", NULL, NULL},
    {"billing_city", "Billing city", FT_STRING, FF_INDEXED | FF_SEARCH | FF_LIST, 100, NULL,
     NULL, "address", NULL, NULL},
    {"billing_state", "Billing state", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"billing_postcode", "Billing postcode", FT_STRING, FF_INDEXED, 20, NULL, NULL, "address",
     NULL, NULL},
    {"billing_country", "Billing country", FT_STRING, FF_INDEXED, 100, NULL, NULL, "address",
     NULL, NULL},
    {"shipping_street", "Shipping street", FT_STRING, 0, 200, NULL, NULL, "address", NULL, NULL},
    {"shipping_city", "Shipping city", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"shipping_state", "Shipping state", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"shipping_postcode", "Shipping postcode", FT_STRING, 0, 20, NULL, NULL, "address", NULL, NULL},
    {"shipping_country", "Shipping country", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"payment_method", "Payment method", FT_ENUM, 0, 0, PAYMENT, NULL, "finance", NULL, NULL},
    {"credit_rating", "Credit rating", FT_ENUM, FF_INDEXED, 0, CREDIT, NULL, "finance", NULL, NULL},
    {"annual_revenue", "Annual revenue", FT_MONEY, FF_INDEXED, 0, NULL, NULL, "finance", NULL,
     &meta_range_amount},
    {"category", "Category", FT_ENUM, FF_INDEXED, 0, CATEGORY, NULL, "classification", NULL, NULL},
    {"status", "Status", FT_ENUM, FF_INDEXED | FF_LIST, 0, STATUS, NULL, "classification",
     "active", NULL},
    {"tier", "Tier (manual)", FT_ENUM, FF_INDEXED | FF_LIST, 0, TIER, NULL, "classification",
     NULL, NULL},
    {"tier_computed", "Tier (by revenue)", FT_ENUM, FF_INDEXED | FF_READONLY, 0, TIER, NULL,
     "classification", "C", NULL},
    {"parent_id", "Parent account", FT_REF, FF_INDEXED, 0, NULL, "accounts", "classification",
     NULL, NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL, NULL},
};

const struct entity_def entity_accounts = {
    .name = "accounts",
    .label = "Account",
    .label_plural = "Accounts",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
};
