/* Accounts: the customer card — companies and other external parties (partners,
 * distributors, suppliers, banks) distinguished by type. */
#include "core/common.h"

#include "mod/customers/customers.h"

static const char *const TYPES[] = {"customer", "prospect",  "partner", "distributor",
                                    "supplier", "competitor", "bank",   "other", NULL};
static const char *const TYPES_LABELS[] = {"Customer", "Prospect", "Partner", "Distributor",
    "Supplier", "Competitor", "Bank", "Other", NULL};
static const char *const TYPES_LABELS_ZH[] = {"客户", "潜在客户", "合作伙伴", "经销商", "供应商", "竞争对手", "银行",
    "其他", NULL};
static const char *const INDUSTRIES[] = {
    "agriculture", "banking",     "chemicals",  "communications", "construction",
    "consulting",  "education",   "electronics", "energy",        "engineering",
    "entertainment", "finance",   "food",       "government",     "healthcare",
    "hospitality", "insurance",   "machinery",  "manufacturing",  "media",
    "nonprofit",   "recreation",  "retail",     "shipping",       "technology",
    "telecommunications", "transportation", "utilities", "other", NULL};
static const char *const INDUSTRIES_LABELS[] = {"Agriculture", "Banking", "Chemicals",
    "Communications", "Construction", "Consulting", "Education", "Electronics", "Energy",
    "Engineering", "Entertainment", "Finance", "Food", "Government", "Healthcare", "Hospitality",
    "Insurance", "Machinery", "Manufacturing", "Media", "Non-profit", "Recreation", "Retail",
    "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities", "Other", NULL};
static const char *const INDUSTRIES_LABELS_ZH[] = {"农业", "银行业", "化工", "通信", "建筑", "咨询", "教育", "电子",
    "能源", "工程", "娱乐", "金融", "食品", "政府", "医疗卫生", "酒店餐饮", "保险", "机械", "制造业", "传媒", "非营利组织", "休闲",
    "零售", "航运", "科技", "电信", "交通运输", "公用事业", "其他", NULL};
static const char *const SIZES[] = {"1-10", "11-50", "51-200", "201-1000", "1001-5000",
                                    "5000+", NULL};
static const char *const SIZES_LABELS[] = {"1–10 employees", "11–50 employees", "51–200 employees",
    "201–1000 employees", "1001–5000 employees", "Over 5000 employees", NULL};
static const char *const SIZES_LABELS_ZH[] = {"1–10 人", "11–50 人", "51–200 人", "201–1000 人",
    "1001–5000 人", "5000 人以上", NULL};
static const char *const PAYMENT[] = {"bank_transfer", "credit_card", "cash", "check",
                                      "direct_debit", "letter_of_credit", "other", NULL};
static const char *const PAYMENT_LABELS[] = {"Bank transfer", "Credit card", "Cash", "Check",
    "Direct debit", "Letter of credit", "Other", NULL};
static const char *const PAYMENT_LABELS_ZH[] = {"银行转账", "信用卡", "现金", "支票", "自动扣款", "信用证", "其他",
    NULL};
static const char *const CREDIT[] = {"excellent", "good", "fair", "poor", "unknown", NULL};
static const char *const CREDIT_LABELS[] = {"Excellent", "Good", "Fair", "Poor", "Unknown", NULL};
static const char *const CREDIT_LABELS_ZH[] = {"优秀", "良好", "一般", "较差", "未知", NULL};
static const char *const CATEGORY[] = {"key", "strategic", "standard", "small", NULL};
static const char *const CATEGORY_LABELS[] = {"Key", "Strategic", "Standard", "Small", NULL};
static const char *const CATEGORY_LABELS_ZH[] = {"重点", "战略", "标准", "小型", NULL};
static const char *const STATUS[] = {"active", "inactive", "on_hold", "closed", NULL};
static const char *const STATUS_LABELS[] = {"Active", "Inactive", "On hold", "Closed", NULL};
static const char *const STATUS_LABELS_ZH[] = {"活跃", "不活跃", "暂停", "已关闭", NULL};
static const char *const TIER[] = {"A", "B", "C", NULL};
static const char *const TIER_LABELS[] = {"A", "B", "C", NULL};
static const char *const TIER_LABELS_ZH[] = {"A", "B", "C", NULL};

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview",
     .dup = DUP_COMPANY},
    {.name = "type", .label = "Type", .label_zh = "类型", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = TYPES,
     .enum_labels = TYPES_LABELS, .enum_labels_zh = TYPES_LABELS_ZH, .group = "overview"},
    {.name = "industry", .label = "Industry", .label_zh = "行业", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = INDUSTRIES,
     .enum_labels = INDUSTRIES_LABELS, .enum_labels_zh = INDUSTRIES_LABELS_ZH, .group = "overview"},
    {.name = "size", .label = "Size", .label_zh = "规模", .type = FT_ENUM, .enum_values = SIZES,
    .enum_labels = SIZES_LABELS, .enum_labels_zh = SIZES_LABELS_ZH,
     .group = "overview"},
    {.name = "tax_id", .label = "Tax ID", .label_zh = "税号", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH, .maxlen = 64, .group = "overview", .dup = DUP_TAX_ID},
    {.name = "website", .label = "Website", .label_zh = "网站", .type = FT_URL, .flags = FF_SEARCH,
     .group = "overview"},
    {.name = "phone", .label = "Phone", .label_zh = "电话", .type = FT_PHONE,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .group = "overview", .dup = DUP_PHONE},
    {.name = "email", .label = "Email", .label_zh = "电子邮件", .type = FT_EMAIL,
     .flags = FF_INDEXED | FF_SEARCH, .group = "overview", .dup = DUP_EMAIL},
    {.name = "billing_street", .label = "Billing street", .label_zh = "账单街道", .type = FT_STRING,
     .maxlen = 200, .group = "address"},
    {.name = "billing_city", .label = "Billing city", .label_zh = "账单城市", .type = FT_STRING,
     .flags = FF_INDEXED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "address"},
    {.name = "billing_state", .label = "Billing state", .label_zh = "账单省份", .type = FT_STRING,
     .maxlen = 100, .group = "address"},
    {.name = "billing_postcode", .label = "Billing postcode", .label_zh = "账单邮编",
     .type = FT_STRING, .flags = FF_INDEXED, .maxlen = 20, .group = "address"},
    {.name = "billing_country", .label = "Billing country", .label_zh = "账单国家",
     .type = FT_STRING, .flags = FF_INDEXED, .maxlen = 100, .group = "address"},
    {.name = "shipping_street", .label = "Shipping street", .label_zh = "收货街道",
     .type = FT_STRING, .maxlen = 200, .group = "address"},
    {.name = "shipping_city", .label = "Shipping city", .label_zh = "收货城市", .type = FT_STRING,
     .maxlen = 100, .group = "address"},
    {.name = "shipping_state", .label = "Shipping state", .label_zh = "收货省份", .type = FT_STRING,
     .maxlen = 100, .group = "address"},
    {.name = "shipping_postcode", .label = "Shipping postcode", .label_zh = "收货邮编",
     .type = FT_STRING, .maxlen = 20, .group = "address"},
    {.name = "shipping_country", .label = "Shipping country", .label_zh = "收货国家",
     .type = FT_STRING, .maxlen = 100, .group = "address"},
    {.name = "payment_method", .label = "Payment method", .label_zh = "付款方式", .type = FT_ENUM,
     .enum_values = PAYMENT,
     .enum_labels = PAYMENT_LABELS, .enum_labels_zh = PAYMENT_LABELS_ZH, .group = "finance"},
    {.name = "credit_rating", .label = "Credit rating", .label_zh = "信用评级", .type = FT_ENUM,
     .flags = FF_INDEXED, .enum_values = CREDIT,
     .enum_labels = CREDIT_LABELS, .enum_labels_zh = CREDIT_LABELS_ZH, .group = "finance"},
    {.name = "annual_revenue", .label = "Annual revenue", .label_zh = "年收入", .type = FT_MONEY,
     .flags = FF_INDEXED, .group = "finance", .range = &meta_range_amount},
    {.name = "category", .label = "Category", .label_zh = "类别", .type = FT_ENUM,
     .flags = FF_INDEXED, .enum_values = CATEGORY,
     .enum_labels = CATEGORY_LABELS, .enum_labels_zh = CATEGORY_LABELS_ZH,
     .group = "classification"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = STATUS,
     .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH, .group = "classification",
     .def = "active"},
    {.name = "tier", .label = "Tier (manual)", .label_zh = "等级", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_LIST, .enum_values = TIER,
     .enum_labels = TIER_LABELS, .enum_labels_zh = TIER_LABELS_ZH, .group = "classification"},
    {.name = "tier_computed", .label = "Tier (by revenue)", .label_zh = "计算等级", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_READONLY, .enum_values = TIER,
     .enum_labels = TIER_LABELS, .enum_labels_zh = TIER_LABELS_ZH,
     .group = "classification", .def = "C"},
    {.name = "parent_id", .label = "Parent account", .label_zh = "上级", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "accounts", .group = "classification"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
};

const struct entity_def customers__accounts = {
    .name = "accounts",
    .label = "Account",
    .label_plural = "Accounts",
    .label_zh = "客户",
    .label_plural_zh = "客户",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_DUPLICATES | EF_TIMELINE | EF_CUSTOMER_DATA | EF_CREATE_BY_NAME,
};
