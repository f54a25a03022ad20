#include "core/common.h"

#include <pthread.h>

#include "engine/acl.h"
#include "engine/meta.h"
#include "engine/module.h"
#include "engine/rec_int.h"

/* The system columns, in meta_system_fields' order. */
enum { SYS_ID, SYS_OWNER, SYS_CREATED_BY, SYS_CREATED_AT, SYS_UPDATED_AT, NSYS };

/* The system columns; owner_id and created_by refer to the entity flagged EF_USERS,
 * set in each snapshot (the engine names no entity). */
static const struct field_def SYS_FIELDS[NSYS] = {
    [SYS_ID] = {.name = "id", .label = "ID", .label_zh = "ID", .type = FT_REF},
    [SYS_OWNER] = {.name = "owner_id", .label = "Owner", .label_zh = "负责人", .type = FT_REF},
    [SYS_CREATED_BY] = {.name = "created_by", .label = "Created by", .label_zh = "创建人",
                        .type = FT_REF},
    [SYS_CREATED_AT] = {.name = "created_at", .label = "Created", .label_zh = "创建时间",
                        .type = FT_DATETIME},
    [SYS_UPDATED_AT] = {.name = "updated_at", .label = "Updated", .label_zh = "更新时间",
                        .type = FT_DATETIME},
};

/* A published registry. Snapshots are kept until exit (meta_release): a request may
 * hold an entity of an older one while a newer is published. */
struct meta_snap {
    uint64_t gen;
    struct arena a;           /* the copies */
    struct arena ext;         /* the extension's arena, taken over */
    struct entity_def *ents[META_MAX_ENTITIES];
    size_t n;
    const struct acl_role *roles;
    size_t nroles;
    struct field_def sys[NSYS]; /* the system columns (SYS_FIELDS) */
    struct meta_snap *older;
};

static _Atomic(struct meta_snap *) current;
static pthread_mutex_t publishing = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;

/* The current snapshot; the modules' entities alone until one is read from a
 * database. */
static const struct meta_snap *snap(void)
{
    struct meta_snap *s = atomic_load_explicit(&current, memory_order_acquire);
    if (s)
        return s;
    pthread_mutex_lock(&first);
    if (!atomic_load_explicit(&current, memory_order_acquire))
        RP_ASSERT(meta_publish(NULL) == RP_OK);
    pthread_mutex_unlock(&first);
    return atomic_load_explicit(&current, memory_order_acquire);
}

static const struct entity_def *meta_entity_in(const struct meta_snap *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(name, s->ents[i]->name) == 0)
            return s->ents[i];
    return NULL;
}

/* A copy of e in s with room for `extra` more fields. */
static struct entity_def *copy_entity(struct meta_snap *s, const struct entity_def *e,
                                      size_t extra)
{
    struct entity_def *c = arena_alloc(&s->a, sizeof(*c));
    *c = *e;
    struct field_def *f = arena_calloc(&s->a, e->nfields + extra + 1, sizeof(*f));
    if (e->nfields)
        memcpy(f, e->fields, e->nfields * sizeof(*f));
    c->fields = f;
    c->index = s->n;
    c->snap = s;
    return c;
}

static size_t count_list(const char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* A module's enum labels are as many as its values, in both languages, and a field
 * shown only for a value of another names a field of its entity: anything else is a
 * table out of step with itself, a programmer error. */
static void check_module_fields(const struct entity_def *e)
{
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        if (f->shown_when) {
            const char *eq = strchr(f->shown_when, '=');
            RP_ASSERT(eq);
            RP_ASSERT(meta_field(e, (struct rp_str){f->shown_when, (size_t)(eq - f->shown_when)}));
        }
        if (!f->enum_labels && !f->enum_labels_zh)
            continue;
        size_t n = count_list(f->enum_values);
        RP_ASSERT(count_list(f->enum_labels) == n && count_list(f->enum_labels_zh) == n);
    }
}

/* Sets the values and labels of every FF_TIMELINE_TYPES field of s: the entities of s
 * with a timeline, in the registry's order. */
static void timeline_types(struct meta_snap *s)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++)
        n += (s->ents[k]->flags & EF_TIMELINE) != 0;
    const char **v = arena_calloc(&s->a, n + 1, sizeof(*v));
    const char **en = arena_calloc(&s->a, n + 1, sizeof(*en));
    const char **zh = arena_calloc(&s->a, n + 1, sizeof(*zh));
    for (size_t k = 0, i = 0; k < s->n; k++) {
        const struct entity_def *e = s->ents[k];
        if (!(e->flags & EF_TIMELINE))
            continue;
        v[i] = e->name;
        en[i] = e->label;
        zh[i++] = e->label_zh ? e->label_zh : e->label;
    }
    for (size_t k = 0; k < s->n; k++)
        for (size_t i = 0; i < s->ents[k]->nfields; i++) {
            struct field_def *f = (struct field_def *)(uintptr_t)&s->ents[k]->fields[i];
            if (f->flags & FF_TIMELINE_TYPES) {
                f->enum_values = v;
                f->enum_labels = en;
                f->enum_labels_zh = zh;
            }
        }
}

static size_t added_to(const struct meta_extension *x, const char *entity)
{
    size_t n = 0;
    for (size_t i = 0; x && i < x->nfields; i++)
        n += strcmp(x->field_entity[i], entity) == 0;
    return n;
}

enum rp_err meta_publish(struct meta_extension *x)
{
    struct meta_snap *s = calloc(1, sizeof(*s));
    RP_ASSERT(s);
    arena_init(&s->a);
    arena_init(&s->ext);
    enum rp_err err = RP_OK;
    for (size_t m = 0; m < rp_nmodules; m++)
        for (size_t k = 0; k < rp_modules[m]->nentities; k++) {
            const struct entity_def *e = rp_modules[m]->entities[k];
            RP_ASSERT(s->n < META_MAX_ENTITIES);
            check_module_fields(e);
            s->ents[s->n] = copy_entity(s, e, added_to(x, e->name));
            s->n++;
        }
    for (size_t k = 0; x && k < x->nentities; k++) {
        if (s->n == META_MAX_ENTITIES || meta_entity_in(s, x->entities[k].name)) {
            err = RP_EINVAL;
            break;
        }
        s->ents[s->n] = copy_entity(s, &x->entities[k], added_to(x, x->entities[k].name));
        s->n++;
    }
    for (size_t i = 0; x && i < x->nfields && !err; i++) {
        struct entity_def *e =
            (struct entity_def *)(uintptr_t)meta_entity_in(s, x->field_entity[i]);
        if (!e || meta_field_index(e, rp_str_c(x->fields[i].name)) >= 0) {
            err = RP_EINVAL;
            break;
        }
        ((struct field_def *)(uintptr_t)e->fields)[e->nfields++] = x->fields[i];
    }
    if (!err)
        timeline_types(s);
    for (size_t k = 0; k < s->n && !err; k++)
        err = rec__entity_sql(&s->a, s->ents[k], &s->ents[k]->sql);
    memcpy(s->sys, SYS_FIELDS, sizeof(SYS_FIELDS));
    for (size_t k = 0; k < s->n; k++)
        if (s->ents[k]->flags & EF_USERS)
            s->sys[SYS_OWNER].ref_entity = s->sys[SYS_CREATED_BY].ref_entity = s->ents[k]->name;
    if (err) {
        arena_release(&s->a);
        free(s);
        if (x)
            arena_release(&x->a);
        return err;
    }
    if (x) {
        struct acl_role *roles;
        acl__build_roles(&s->a, s->ents, s->n, x->roles, x->nroles, &roles);
        s->gen = x->gen;
        s->roles = roles;
        s->nroles = x->nroles;
        s->ext = x->a;
        arena_init(&x->a);
    }
    pthread_mutex_lock(&publishing);
    s->older = atomic_load_explicit(&current, memory_order_relaxed);
    atomic_store_explicit(&current, s, memory_order_release);
    pthread_mutex_unlock(&publishing);
    return RP_OK;
}

uint64_t meta_generation(void)
{
    return snap()->gen;
}

const struct acl_role *meta_roles(const struct entity_def *e, size_t *n)
{
    const struct meta_snap *s = e && e->snap ? e->snap : snap();
    *n = s->nroles;
    return s->roles;
}

const struct acl_role *meta_role(const struct entity_def *e, const char *name)
{
    size_t n;
    const struct acl_role *roles = meta_roles(e, &n);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(acl_role_key(&roles[i]), name) == 0)
            return &roles[i];
    return NULL;
}

void meta_release(void)
{
    pthread_mutex_lock(&publishing);
    struct meta_snap *s = atomic_exchange(&current, NULL);
    while (s) {
        struct meta_snap *older = s->older;
        arena_release(&s->a);
        arena_release(&s->ext);
        free(s);
        s = older;
    }
    pthread_mutex_unlock(&publishing);
}

size_t meta_entity_count(void)
{
    return snap()->n;
}

const struct entity_def *meta_entity_at(size_t i)
{
    const struct meta_snap *s = snap();
    return i < s->n ? s->ents[i] : NULL;
}

const struct entity_def *meta_entity(struct rp_str name)
{
    const struct meta_snap *s = snap();
    for (size_t i = 0; i < s->n; i++)
        if (rp_str_eqc(name, s->ents[i]->name))
            return s->ents[i];
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

bool meta_refers_to(const struct entity_def *other, const struct field_def *f,
                    const struct entity_def *e)
{
    if (f->ref_type_field) {
        const struct field_def *type = meta_field(other, rp_str_c(f->ref_type_field));
        return type && meta_enum_has(type, rp_str_c(e->name));
    }
    bool to_e = f->ref_entity && strcmp(f->ref_entity, e->name) == 0;
    return (f->type == FT_REF || f->type == FT_MULTI_REF) && to_e;
}

#define MAX_SORT_TEXT 255u

bool meta_sortable(const struct field_def *f)
{
    switch (f->type) {
    case FT_PASSWORD:
    case FT_JSON:
    case FT_MULTI_ENUM:
    case FT_MULTI_REF:
    case FT_TEXT:
        return false;
    case FT_STRING:
    case FT_EMAIL:
    case FT_PHONE:
    case FT_URL:
        return meta_maxlen(f) <= MAX_SORT_TEXT;
    default:
        return true;
    }
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

const struct field_def *meta_system_fields(size_t *n)
{
    *n = NSYS;
    return snap()->sys;
}

const struct field_def *meta_system_field(struct rp_str name)
{
    const struct field_def *f = snap()->sys;
    for (size_t i = 0; i < NSYS; i++)
        if (rp_str_eqc(name, f[i].name))
            return &f[i];
    return NULL;
}

bool meta_locale_zh(const char *locale)
{
    return locale && strncmp(locale, "zh", 2) == 0;
}

const char *meta_field_label(const struct field_def *f, const char *locale)
{
    return meta_locale_zh(locale) && f->label_zh && f->label_zh[0] ? f->label_zh : f->label;
}

const char *const meta_currencies[] = {"USD", "EUR", "CNY", "GBP", "JPY", "HKD", "SGD", "AUD",
                                       "CAD", "CHF", "INR", "KRW", "TWD", NULL};
const char *const meta_currency_labels[] = {
    "US dollar",         "Euro",       "Chinese yuan",    "Pound sterling", "Japanese yen",
    "Hong Kong dollar",  "Singapore dollar", "Australian dollar", "Canadian dollar",
    "Swiss franc",       "Indian rupee", "South Korean won", "New Taiwan dollar", NULL};
const char *const meta_currency_labels_zh[] = {
    "美元", "欧元", "人民币", "英镑", "日元", "港币", "新加坡元", "澳元", "加元", "瑞士法郎",
    "印度卢比", "韩元", "新台币", NULL};
const char *const meta_lead_sources[] = {"web",        "referral", "campaign", "cold_call",
                                         "trade_show", "partner",  "email",    "other", NULL};
const char *const meta_lead_source_labels[] = {"Website",    "Referral", "Campaign", "Cold call",
                                               "Trade show", "Partner",  "E-mail",   "Other",
                                               NULL};
const char *const meta_lead_source_labels_zh[] = {"网站", "推荐", "营销活动", "陌生拜访",
                                                  "展会", "合作伙伴", "电子邮件", "其他", NULL};

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
