/* Leads: people and companies not yet qualified; converted into an account, a contact
 * and optionally an opportunity (crm/sales.c). */
#include "core/common.h"

#include "mod/sales/sales.h"

static const char *const STATUS[] = {"new", "contacted", "qualified", "unqualified", "converted",
                                     NULL};
static const char *const STATUS_LABELS[] = {"New", "Contacted", "Qualified", "Unqualified",
    "Converted", NULL};
static const char *const STATUS_LABELS_ZH[] = {"新建", "已联系", "已确认", "不合格", "已转化", NULL};
static const char *const RATING[] = {"hot", "warm", "cold", NULL};
static const char *const RATING_LABELS[] = {"Hot", "Warm", "Cold", NULL};
static const char *const RATING_LABELS_ZH[] = {"热", "温", "冷", NULL};
static const char *const SALUTATIONS[] = {"mr", "ms", "mrs", "dr", "prof", NULL};
static const char *const SALUTATIONS_LABELS[] = {"Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", NULL};
static const char *const SALUTATIONS_LABELS_ZH[] = {"先生", "女士", "夫人", "博士", "教授", NULL};

static const struct field_def FIELDS[] = {
    {.name = "salutation", .label = "Salutation", .label_zh = "称呼", .type = FT_ENUM,
     .enum_values = SALUTATIONS,
     .enum_labels = SALUTATIONS_LABELS, .enum_labels_zh = SALUTATIONS_LABELS_ZH, .group = "person"},
    {.name = "first_name", .label = "First name", .label_zh = "名", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "person",
     .dup = DUP_FIRST_NAME},
    {.name = "last_name", .label = "Last name", .label_zh = "姓", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "person",
     .dup = DUP_LAST_NAME},
    {.name = "title", .label = "Title", .label_zh = "职位", .type = FT_STRING, .flags = FF_SEARCH,
     .maxlen = 100, .group = "person"},
    {.name = "email", .label = "Email", .label_zh = "电子邮件", .type = FT_EMAIL,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "person", .dup = DUP_EMAIL},
    {.name = "phone", .label = "Phone", .label_zh = "电话", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "person", .dup = DUP_PHONE},
    {.name = "mobile", .label = "Mobile", .label_zh = "手机", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH, .group = "person", .dup = DUP_PHONE},
    {.name = "company", .label = "Company", .label_zh = "公司", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "company",
     .dup = DUP_COMPANY},
    {.name = "industry", .label = "Industry", .label_zh = "行业", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 100, .group = "company"},
    {.name = "website", .label = "Website", .label_zh = "网站", .type = FT_URL, .flags = FF_SEARCH,
     .group = "company"},
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
    {.name = "source", .label = "Source", .label_zh = "来源", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = meta_lead_sources,
     .enum_labels = meta_lead_source_labels, .enum_labels_zh = meta_lead_source_labels_zh,
     .group = "status"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = STATUS,
     .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH, .group = "status",
     .def = "new"},
    {.name = "rating", .label = "Rating", .label_zh = "评级", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = RATING,
     .enum_labels = RATING_LABELS, .enum_labels_zh = RATING_LABELS_ZH, .group = "status"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
    {.name = "converted_account_id", .label = "Converted to account", .label_zh = "转化为客户",
     .type = FT_REF, .flags = FF_READONLY, .ref_entity = "accounts", .group = "conversion"},
    {.name = "converted_contact_id", .label = "Converted to contact", .label_zh = "转化为联系人",
     .type = FT_REF, .flags = FF_READONLY, .ref_entity = "contacts", .group = "conversion"},
    {.name = "converted_opportunity_id", .label = "Converted to opportunity",
     .label_zh = "转化为商机", .type = FT_REF, .flags = FF_READONLY, .ref_entity = "opportunities",
     .group = "conversion"},
    {.name = "converted_at", .label = "Converted at", .label_zh = "转化时间", .type = FT_DATETIME,
     .flags = FF_READONLY | FF_INDEXED, .group = "conversion"},
};

const struct entity_def sales__leads = {
    .name = "leads",
    .label = "Lead",
    .label_plural = "Leads",
    .label_zh = "线索",
    .label_plural_zh = "线索",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "last_name",
    .default_sort = "-created_at",
    .flags = EF_DUPLICATES | EF_TIMELINE | EF_CUSTOMER_DATA,
};
