/* Leads: people and companies not yet qualified; converted into an account, a contact
 * and optionally an opportunity (crm/sales.c). */
#include "core/common.h"

#include "mod/entities.h"

static const char *const STATUS[] = {"new", "contacted", "qualified", "unqualified", "converted",
                                     NULL};
static const char *const RATING[] = {"hot", "warm", "cold", NULL};
static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};

static const struct field_def FIELDS[] = {
    {"salutation", "Salutation", FT_ENUM, 0, 0, SALUTATIONS, NULL, "person", NULL, NULL},
    {"first_name", "First name", FT_STRING, FF_INDEXED | FF_SEARCH | FF_LIST, 100, NULL, NULL,
     "person", NULL, NULL},
    {"last_name", "Last name", FT_STRING, FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, 100,
     NULL, NULL, "person", NULL, NULL},
    {"title", "Title", FT_STRING, FF_SEARCH, 100, NULL, NULL, "person", NULL, NULL},
    {"email", "Email", FT_EMAIL, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL, "person", NULL,
     NULL},
    {"phone", "Phone", FT_PHONE, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL, "person", NULL,
     NULL},
    {"mobile", "Mobile", FT_PHONE, FF_INDEXED | FF_SEARCH, 0, NULL, NULL, "person", NULL, NULL},
    {"company", "Company", FT_STRING, FF_INDEXED | FF_SEARCH | FF_LIST, 200, NULL, NULL,
     "company", NULL, NULL},
    {"industry", "Industry", FT_STRING, FF_INDEXED, 100, NULL, NULL, "company", NULL, NULL},
    {"website", "Website", FT_URL, FF_SEARCH, 0, NULL, NULL, "company", NULL, NULL},
    {"street", "Street", FT_STRING, 0, 200, NULL, NULL, "address", NULL, NULL},
    {"city", "City", FT_STRING, FF_INDEXED | FF_SEARCH, 100, NULL, NULL, "address", NULL, NULL},
    {"state", "State", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"postcode", "Postcode", FT_STRING, FF_INDEXED, 20, NULL, NULL, "address", NULL, NULL},
    {"country", "Country", FT_STRING, FF_INDEXED, 100, NULL, NULL, "address", NULL, NULL},
    {"source", "Source", FT_ENUM, FF_INDEXED | FF_LIST, 0, meta_lead_sources, NULL, "status",
     NULL, NULL},
    {"status", "Status", FT_ENUM, FF_REQUIRED | FF_INDEXED | FF_LIST, 0, STATUS, NULL, "status",
     "new", NULL},
    {"rating", "Rating", FT_ENUM, FF_INDEXED | FF_LIST, 0, RATING, NULL, "status", NULL, NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL, NULL},
    {"converted_account_id", "Converted to account", FT_REF, FF_READONLY, 0, NULL, "accounts",
     "conversion", NULL, NULL},
    {"converted_contact_id", "Converted to contact", FT_REF, FF_READONLY, 0, NULL, "contacts",
     "conversion", NULL, NULL},
    {"converted_opportunity_id", "Converted to opportunity", FT_REF, FF_READONLY, 0, NULL,
     "opportunities", "conversion", NULL, NULL},
    {"converted_at", "Converted at", FT_DATETIME, FF_READONLY | FF_INDEXED, 0, NULL, NULL,
     "conversion", NULL, NULL},
};

const struct entity_def entity_leads = {
    .name = "leads",
    .label = "Lead",
    .label_plural = "Leads",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "last_name",
    .default_sort = "-created_at",
};
