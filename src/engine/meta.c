#include "core/common.h"

#include <pthread.h>

#include "engine/meta.h"
#include "engine/module.h"

/* The entities of every module, in registry order, gathered once. */
#define META_MAX_ENTITIES 64

static const struct entity_def *entities[META_MAX_ENTITIES];
static size_t nentities;
static pthread_once_t gathered = PTHREAD_ONCE_INIT;

static void gather(void)
{
    for (size_t m = 0; m < rp_nmodules; m++)
        for (size_t k = 0; k < rp_modules[m]->nentities; k++) {
            RP_ASSERT(nentities < META_MAX_ENTITIES);
            entities[nentities++] = rp_modules[m]->entities[k];
        }
}

size_t meta_entity_count(void)
{
    pthread_once(&gathered, gather);
    return nentities;
}

const struct entity_def *meta_entity_at(size_t i)
{
    return i < meta_entity_count() ? entities[i] : NULL;
}

const struct entity_def *meta_entity(struct rp_str name)
{
    for (size_t i = 0; i < meta_entity_count(); i++)
        if (rp_str_eqc(name, entities[i]->name))
            return entities[i];
    return NULL;
}

const struct entity_def *meta_need(const char *name)
{
    const struct entity_def *e = meta_entity(rp_str_c(name));
    RP_ASSERT(e);
    return e;
}

int meta_field_index(const struct entity_def *e, struct rp_str name)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (rp_str_eqc(name, e->fields[i].name))
            return (int)i;
    return -1;
}

const struct field_def *meta_field(const struct entity_def *e, struct rp_str name)
{
    int i = meta_field_index(e, name);
    return i < 0 ? NULL : &e->fields[i];
}

bool meta_searchable(const struct entity_def *e)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (e->fields[i].flags & FF_SEARCH)
            return true;
    return false;
}

const char *meta_type_name(enum field_type t)
{
    static const char *names[] = {
        [FT_STRING] = "string", [FT_TEXT] = "text",     [FT_EMAIL] = "email",
        [FT_PHONE] = "phone",   [FT_URL] = "url",       [FT_INT] = "int",
        [FT_MONEY] = "money",   [FT_PERCENT] = "percent", [FT_DATE] = "date",
        [FT_DATETIME] = "datetime", [FT_BOOL] = "bool", [FT_ENUM] = "enum",
        [FT_MULTI_ENUM] = "multi_enum", [FT_REF] = "ref", [FT_MULTI_REF] = "multi_ref",
        [FT_JSON] = "json", [FT_PASSWORD] = "password",
    };
    return names[t];
}

bool meta_enum_has(const struct field_def *f, struct rp_str value)
{
    for (const char *const *v = f->enum_values; v && *v; v++)
        if (rp_str_eqc(value, *v))
            return true;
    return false;
}

unsigned meta_maxlen(const struct field_def *f)
{
    if (f->maxlen)
        return f->maxlen;
    switch (f->type) {
    case FT_TEXT:
    case FT_JSON:
        return RP_MAX_TEXT;
    case FT_URL:
        return 2048;
    case FT_PHONE:
        return 40;
    case FT_EMAIL:
        return 254;
    default:
        return RP_DEFAULT_STRLEN;
    }
}

const char *const meta_currencies[] = {"USD", "EUR", "CNY", "GBP", "JPY", "HKD", "SGD", "AUD",
                                       "CAD", "CHF", "INR", "KRW", "TWD", NULL};
const char *const meta_lead_sources[] = {"web",        "referral", "campaign", "cold_call",
                                         "trade_show", "partner",  "email",    "other", NULL};
const char *const meta_roles[] = {"admin",     "manager", "sales",    "support",
                                  "marketing", "partner", "readonly", NULL};

const struct meta_range meta_range_amount = {0, META_MONEY_MAX};

bool meta_range(const struct field_def *f, struct meta_range *out)
{
    if (f->type != FT_INT && f->type != FT_MONEY && f->type != FT_PERCENT)
        return false;
    if (f->range) {
        *out = *f->range;
        return true;
    }
    if (f->type == FT_INT)
        return false;
    *out = f->type == FT_PERCENT ? (struct meta_range){0, 100}
                                 : (struct meta_range){-META_MONEY_MAX, META_MONEY_MAX};
    return true;
}
