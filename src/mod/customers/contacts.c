/* Contacts: the people at customers, with their place in the customer's org chart. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};
static const char *const SALUTATIONS_LABELS[] = {"Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", NULL};
static const char *const SALUTATIONS_LABELS_ZH[] = {"先生", "女士", "夫人", "博士", "教授", NULL};

static const struct field_def FIELDS[] = {
    {.name = "salutation", .label = "Salutation", .label_zh = "称呼", .type = FT_ENUM,
     .enum_values = SALUTATIONS,
     .enum_labels = SALUTATIONS_LABELS, .enum_labels_zh = SALUTATIONS_LABELS_ZH,
     .group = "overview"},
    {.name = "first_name", .label = "First name", .label_zh = "名", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview",
     .dup = DUP_FIRST_NAME},
    {.name = "last_name", .label = "Last name", .label_zh = "姓", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview",
     .dup = DUP_LAST_NAME},
    {.name = "title", .label = "Title", .label_zh = "职位", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "department", .label = "Department", .label_zh = "部门", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 100, .group = "overview"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .flags = FF_INDEXED | FF_LIST | FF_TIMELINE,
     .ref_entity = "accounts", .group = "overview"},
    {.name = "reports_to_id", .label = "Reports to", .label_zh = "上级联系人", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "contacts", .group = "overview"},
    {.name = "email", .label = "Email", .label_zh = "电子邮件", .type = FT_EMAIL,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "contact", .dup = DUP_EMAIL},
    {.name = "email_secondary", .label = "Other email", .label_zh = "其他电子邮件",
     .type = FT_EMAIL, .flags = FF_SEARCH, .group = "contact", .dup = DUP_EMAIL},
    {.name = "phone_work", .label = "Work phone", .label_zh = "工作电话", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "contact", .dup = DUP_PHONE},
    {.name = "phone_mobile", .label = "Mobile phone", .label_zh = "手机", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH, .group = "contact", .dup = DUP_PHONE},
    {.name = "street", .label = "Street", .label_zh = "街道", .type = FT_STRING, .maxlen = 200,
     .group = "address"},
    {.name = "city", .label = "City", .label_zh = "城市", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH, .maxlen = 100, .group = "address"},
    {.name = "state", .label = "State", .label_zh = "省份", .type = FT_STRING, .maxlen = 100,
     .group = "address"},
    {.name = "postcode", .label = "Postcode", .label_zh = "邮编", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 20, .group = "address"},
    {.name = "country", .label = "Country", .label_zh = "国家", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 100, .group = "address"},
    {.name = "birthday", .label = "Birthday", .label_zh = "生日", .type = FT_DATE,
     .group = "details"},
    {.name = "lead_source", .label = "Lead source", .label_zh = "线索来源", .type = FT_ENUM,
     .flags = FF_INDEXED, .enum_values = meta_lead_sources,
     .enum_labels = meta_lead_source_labels, .enum_labels_zh = meta_lead_source_labels_zh,
     .group = "details"},
    {.name = "do_not_call", .label = "Do not call", .label_zh = "请勿致电", .type = FT_BOOL,
     .group = "details", .def = "false"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
};

const struct entity_def customers__contacts = {
    .name = "contacts",
    .label = "Contact",
    .label_plural = "Contacts",
    .label_zh = "联系人",
    .label_plural_zh = "联系人",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "last_name",
    .default_sort = "last_name,first_name",
    .flags = EF_DUPLICATES | EF_TIMELINE | EF_CUSTOMER_DATA,
};
