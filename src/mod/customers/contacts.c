/* Contacts: the people at customers, with their place in the customer's org chart. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};

static const struct field_def FIELDS[] = {
    {.name = "salutation", .label = "Salutation", .type = FT_ENUM, .enum_values = SALUTATIONS,
     .group = "overview"},
    {.name = "first_name", .label = "First name", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview",
     .dup = DUP_FIRST_NAME},
    {.name = "last_name", .label = "Last name", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview",
     .dup = DUP_LAST_NAME},
    {.name = "title", .label = "Title", .type = FT_STRING, .flags = FF_SEARCH | FF_LIST,
     .maxlen = 100, .group = "overview"},
    {.name = "department", .label = "Department", .type = FT_STRING, .flags = FF_INDEXED,
     .maxlen = 100, .group = "overview"},
    {.name = "account_id", .label = "Account", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST | FF_TIMELINE,
     .ref_entity = "accounts", .group = "overview"},
    {.name = "reports_to_id", .label = "Reports to", .type = FT_REF, .flags = FF_INDEXED,
     .ref_entity = "contacts", .group = "overview"},
    {.name = "email", .label = "Email", .type = FT_EMAIL, .flags = FF_INDEXED | FF_SEARCH | FF_LIST,
     .group = "contact", .dup = DUP_EMAIL},
    {.name = "email_secondary", .label = "Other email", .type = FT_EMAIL, .flags = FF_SEARCH,
     .group = "contact", .dup = DUP_EMAIL},
    {.name = "phone_work", .label = "Work phone", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "contact", .dup = DUP_PHONE},
    {.name = "phone_mobile", .label = "Mobile phone", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH, .group = "contact", .dup = DUP_PHONE},
    {.name = "street", .label = "Street", .type = FT_STRING, .maxlen = 200, .group = "address"},
    {.name = "city", .label = "City", .type = FT_STRING, .flags = FF_INDEXED | FF_SEARCH,
     .maxlen = 100, .group = "address"},
    {.name = "state", .label = "State", .type = FT_STRING, .maxlen = 100, .group = "address"},
    {.name = "postcode", .label = "Postcode", .type = FT_STRING, .flags = FF_INDEXED, .maxlen = 20,
     .group = "address"},
    {.name = "country", .label = "Country", .type = FT_STRING, .flags = FF_INDEXED, .maxlen = 100,
     .group = "address"},
    {.name = "birthday", .label = "Birthday", .type = FT_DATE, .group = "details"},
    {.name = "lead_source", .label = "Lead source", .type = FT_ENUM, .flags = FF_INDEXED,
     .enum_values = meta_lead_sources, .group = "details"},
    {.name = "do_not_call", .label = "Do not call", .type = FT_BOOL, .group = "details",
     .def = "false"},
    {.name = "description", .label = "Description", .type = FT_TEXT, .flags = FF_SEARCH,
     .group = "description"},
};

const struct entity_def customers__contacts = {
    .name = "contacts",
    .label = "Contact",
    .label_plural = "Contacts",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "last_name",
    .default_sort = "last_name,first_name",
    .flags = EF_DUPLICATES | EF_TIMELINE | EF_CUSTOMER_DATA,
};
