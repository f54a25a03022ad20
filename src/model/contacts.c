/* Contacts: the people at customers, with their place in the customer's org chart. */
#include "core/common.h"

#include "model/entities.h"

const char *const meta_lead_sources[] = {"web", "referral", "campaign", "cold_call",
                                         "trade_show", "partner", "email", "other", NULL};
static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};

static const struct field_def FIELDS[] = {
    {"salutation", "Salutation", FT_ENUM, 0, 0, SALUTATIONS, NULL, "overview", NULL},
    {"first_name", "First name", FT_STRING, FF_INDEXED | FF_SEARCH | FF_LIST, 100, NULL, NULL,
     "overview", NULL},
    {"last_name", "Last name", FT_STRING, FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, 100,
     NULL, NULL, "overview", NULL},
    {"title", "Title", FT_STRING, FF_SEARCH | FF_LIST, 100, NULL, NULL, "overview", NULL},
    {"department", "Department", FT_STRING, FF_INDEXED, 100, NULL, NULL, "overview", NULL},
    {"account_id", "Account", FT_REF, FF_INDEXED | FF_LIST, 0, NULL, "accounts", "overview", NULL},
    {"reports_to_id", "Reports to", FT_REF, FF_INDEXED, 0, NULL, "contacts", "overview", NULL},
    {"email", "Email", FT_EMAIL, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL, "contact", NULL},
    {"email_secondary", "Other email", FT_EMAIL, FF_SEARCH, 0, NULL, NULL, "contact", NULL},
    {"phone_work", "Work phone", FT_PHONE, FF_INDEXED | FF_SEARCH | FF_LIST, 0, NULL, NULL,
     "contact", NULL},
    {"phone_mobile", "Mobile phone", FT_PHONE, FF_INDEXED | FF_SEARCH, 0, NULL, NULL, "contact", NULL},
    {"street", "Street", FT_STRING, 0, 200, NULL, NULL, "address", NULL},
    {"city", "City", FT_STRING, FF_INDEXED | FF_SEARCH, 100, NULL, NULL, "address", NULL},
    {"state", "State", FT_STRING, 0, 100, NULL, NULL, "address", NULL},
    {"postcode", "Postcode", FT_STRING, FF_INDEXED, 20, NULL, NULL, "address", NULL},
    {"country", "Country", FT_STRING, FF_INDEXED, 100, NULL, NULL, "address", NULL},
    {"birthday", "Birthday", FT_DATE, 0, 0, NULL, NULL, "details", NULL},
    {"lead_source", "Lead source", FT_ENUM, FF_INDEXED, 0, meta_lead_sources, NULL, "details", NULL},
    {"do_not_call", "Do not call", FT_BOOL, 0, 0, NULL, NULL, "details", "false"},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL},
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
