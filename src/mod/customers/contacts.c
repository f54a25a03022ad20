/* Contacts: the people at customers, with their place in the customer's org chart. */
#include "core/common.h"

#include "mod/entities.h"

const char *const meta_lead_sources[] = {"web", "referral", "campaign", "cold_call",
                                         "trade_show", "partner", "email", "other", NULL};
static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};

static const struct field_def FIELDS[] = {
    {"salutation", "Salutation", FT_ENUM, 0, 0, SALUTATIONS, NULL, "overview", NULL, NULL},
    {"first_name", "First name", FT_STRING, FF_INDEXED | FF_SEARCH | FF_LIST, 100, NULL, NULL,
     "overview", NULL, NULL},
    {"last_name", "Last name", FT_STRING, FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, 100,
     NULL, NULL, "overview", NULL, NULL},
    {"title", "Title", FT_STRING, FF_SEARCH | FF_LIST, 100, NULL, NULL, "overview", NULL, NULL},
    {"department", "Department", FT_STRING, FF_INDEXED, 100, NULL, NULL, "overview", NULL, NULL},
    {"account_id", "Account", FT_REF, FF_INDEXED | FF_LIST, 0, NULL, "accounts", "overview", NULL,
     NULL},
    {"reports_to_id", "Reports to", FT_REF, FF_INDEXED, 0, NULL, "contacts", "overview", NULL,
     NULL},
    {"email", "Email", FT_EMAIL, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL, "contact", NULL,
     NULL},
    {"email_secondary", "Other email", FT_EMAIL, FF_SEARCH, 0, NULL, NULL, "contact", NULL, NULL},
    {"phone_work", "Work phone", FT_PHONE, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL,
     "contact", NULL, NULL},
    {"phone_mobile", "Mobile phone", FT_PHONE, FF_INDEXED | FF_SEARCH, 0, NULL, NULL, "contact",
     NULL, NULL},
    {"street", "Street", FT_STRING, 0, 200, NULL, NULL, "address", NULL, NULL},
    {"city", "City", FT_STRING, FF_INDEXED | FF_SEARCH, 100, NULL, NULL, "address", NULL, NULL},
    {"state", "State", FT_STRING, 0, 100, NULL, NULL, "address", NULL, NULL},
    {"postcode", "Postcode", FT_STRING, FF_INDEXED, 20, NULL, NULL, "address", NULL, NULL},
    {"country", "Country", FT_STRING, FF_INDEXED, 100, NULL, NULL, "address", NULL, NULL},
    {"birthday", "Birthday", FT_DATE, 0, 0, NULL, NULL, "details", NULL, NULL},
    {"lead_source", "Lead source", FT_ENUM, FF_INDEXED, 0, meta_lead_sources, NULL, "details",
     NULL, NULL},
    {"do_not_call", "Do not call", FT_BOOL, 0, 0, NULL, NULL, "details", "false", NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL, NULL},
};

const struct entity_def entity_contacts = {
    .name = "contacts",
    .label = "Contact",
    .label_plural = "Contacts",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "last_name",
    .default_sort = "last_name,first_name",
};
