/* Entity metadata: what every record engine operation is driven by (DESIGN §4).
 * Pure data: behaviour lives in the modules' hooks (engine/module.h).
 *
 * Modules declare their entities as constants; what the engine reads is a snapshot:
 * copies of those, with the custom fields and custom entities an administrator added
 * (engine/custom.h) and the roles (engine/acl.h), published whole when any of them
 * changes. A snapshot is never changed or freed while the process runs, so whatever a
 * request holds stays valid and consistent; the next request sees the new one.
 * Entities keep their place (index) from one snapshot to the next. */
#ifndef RP_ENGINE_META_H
#define RP_ENGINE_META_H

#include "core/arena.h"
#include "core/common.h"

enum field_type {
    FT_STRING,     /* one line of text, maxlen code points */
    FT_TEXT,       /* long text */
    FT_EMAIL,
    FT_PHONE,
    FT_URL,
    FT_INT,
    FT_MONEY,      /* integer minor units, 2 decimals in the API */
    FT_PERCENT,    /* integer 0..100 */
    FT_DATE,       /* YYYY-MM-DD */
    FT_DATETIME,   /* UTC, RFC 3339 with Z */
    FT_BOOL,
    FT_ENUM,
    FT_MULTI_ENUM, /* JSON array of enum keys */
    FT_REF,        /* id of a record of ref_entity */
    FT_MULTI_REF,  /* JSON array of ids of ref_entity */
    FT_JSON,       /* free-form JSON document */
    FT_PASSWORD,   /* write-only: stored as an argon2id hash, never returned */
};

enum field_flag {
    FF_REQUIRED = 1 << 0,   /* must be present and non-null on create, never nulled */
    FF_UNIQUE = 1 << 1,     /* unique among live records */
    FF_INDEXED = 1 << 2,    /* has an index: cheap to filter and sort on */
    FF_SEARCH = 1 << 3,     /* part of the full-text index */
    FF_READONLY = 1 << 4,   /* set by the system or hooks, not by clients */
    FF_LIST = 1 << 5,       /* a default list column */
    FF_CREATE_ONLY = 1 << 6, /* may be set on create, not changed later */
    /* A reference whose records show on the referenced record's timeline when they
     * are created (an account's contacts and deals). */
    FF_TIMELINE = 1 << 7,
    FF_CUSTOM = 1 << 8,     /* added by an administrator (engine/custom.h) */
    /* A derived reference (FF_READONLY, kept by the owning module's hooks) to the record
     * this one rolls up to whatever it is about: an activity on a contact, a deal or a
     * converted lead belongs to that customer's account. The record then shows on the
     * referenced record's timeline in place of those linked to it through a
     * ref_type_field reference (which it includes), and /meta says "rollup". */
    FF_ROLLUP = 1 << 9,
    /* An enum whose values are the entities with a timeline (EF_TIMELINE), labelled
     * with their singular labels, set in each snapshot: the type field of a reference
     * to a record of any entity (an activity's related_type), so a module's entity with
     * a timeline has activities without the module that defines them naming it. */
    FF_TIMELINE_TYPES = 1 << 10,
    /* A date-time at which the record's owner is reminded of it (an activity's
     * reminder_at): engine/notify.h fires a reminder notification once per value. */
    FF_REMINDER = 1 << 11,
};

/* What a field tells about who a record is, for duplicate detection
 * (engine/duplicates.h): equal normalised keys, or similar names, mean probably the
 * same party however the values were typed. */
enum field_dup {
    DUP_NONE,
    DUP_EMAIL,       /* an e-mail address */
    DUP_PHONE,       /* a phone number (E.164 key) */
    DUP_TAX_ID,      /* a company's tax id */
    DUP_COMPANY,     /* a company name: matched by similarity too (one per entity) */
    DUP_FIRST_NAME,  /* with DUP_LAST_NAME, a person's name */
    DUP_LAST_NAME,
};

/* Bounds of a number field, in stored units (money in minor units), both included. */
struct meta_range {
    int64_t min;
    int64_t max;
};

struct field_def {
    const char *name;          /* snake_case; also the column name */
    const char *label;         /* English label */
    enum field_type type;
    unsigned flags;
    unsigned maxlen;           /* code points for strings; 0 = type default */
    const char *const *enum_values; /* NULL-terminated, for FT_ENUM / FT_MULTI_ENUM */
    /* What people read for each of enum_values, in the same order and as many, in English
     * and in Simplified Chinese: /meta sends them and the UI shows them instead of the
     * stored value. Every built-in enum has both; NULL (custom fields): the value shows. */
    const char *const *enum_labels;
    const char *const *enum_labels_zh;
    /* Resource name, for FT_REF / FT_MULTI_REF; for an FT_ENUM without enum_values, the
     * entity whose records' `key` field lists the allowed values (a dynamic enum). */
    const char *ref_entity;
    const char *group;         /* panel on the record page */
    const char *def;           /* default on create, in API text form ("true", "en") */
    /* Bounds of an int, money or percent value; NULL: those of its type (meta_range). */
    const struct meta_range *range;
    enum field_dup dup;        /* DUP_NONE unless the entity has EF_DUPLICATES */
    /* A reference to a record of any entity: the text field naming its entity (an
     * activity's related_id and related_type). Merges re-point it like a FT_REF. */
    const char *ref_type_field;
    /* The Chinese label (Simplified Chinese). Every built-in field has one; a custom
     * field has one when its administrator gave it (NULL: the English label shows).
     * /meta sends it, the UI shows it to zh-CN users, exports head columns with it and
     * import maps it back to the field. */
    const char *label_zh;
    const char *help;          /* custom fields: a hint shown under the input */
    /* "field=value": forms and record pages show the field only while the record's
     * `field` has that value (a call's direction on calls); stored either way. NULL:
     * always shown. */
    const char *shown_when;
    /* A money field's currency: the enum field holding it (a deal's amount: currency).
     * Amounts of different currencies are never added into one number: list sums,
     * running totals and reports answer them per currency. NULL: no currency. */
    const char *currency_field;
};

enum entity_flag {
    EF_NO_DELETE = 1 << 0,   /* records are deactivated, never deleted (users) */
    EF_PLATFORM = 1 << 1,    /* platform entity (users, teams): admin-managed */
    /* Records are checked for look-alikes when saved (409 with "duplicates"), grouped
     * by GET /{res}/duplicates and merged (POST /{res}/{id}/merge), by the fields
     * whose `dup` says who a record is. */
    EF_DUPLICATES = 1 << 2,
    /* Records have a timeline (GET /{res}/{id}/timeline): their changes, the records
     * created with an FF_TIMELINE reference to them, and the records of any entity
     * linked to them through a ref_type_field reference (activities). */
    EF_TIMELINE = 1 << 3,
    EF_CUSTOM = 1 << 4,      /* created by an administrator (engine/custom.h) */
    /* Records about customers (people and companies): opening one outside its owner's
     * team, and every export, is in the security log and counts toward the data
     * alert (engine/secev.h). */
    EF_CUSTOMER_DATA = 1 << 5,
    /* Its records are the people who sign in, own records and create them: what
     * owner_id and created_by refer to (one entity has it: the platform's users). */
    EF_USERS = 1 << 6,
    /* A record can be made from its name alone (the title field is all it needs): an
     * import's row naming one that does not exist may create it (create_accounts). */
    EF_CREATE_BY_NAME = 1 << 7,
    /* Its records are worked on a screen of their own (the administration's users,
     * teams, roles and stages; the knowledge base), not as a list of the navigation:
     * /meta says `"nav": false`. */
    EF_OWN_SCREEN = 1 << 8,
    /* Its records carry `external_id` (a unique FT_STRING field), another system's key
     * for them — an ERP's order number —, and are created or updated by it in one call
     * (PUT /{res}/external/{external_id}, rec_upsert_external). */
    EF_EXTERNAL_ID = 1 << 9,
    /* Its records are a log the system writes (webhook deliveries): no audit rows are
     * written for them, so their history is empty and a busy log does not double the
     * audit trail. */
    EF_LOG = 1 << 10,
};

struct meta_snap;
struct rec_sql;

struct entity_def {
    const char *name;          /* resource name, plural snake_case; also the table */
    const char *label;         /* singular English label */
    const char *label_plural;
    const struct field_def *fields;
    size_t nfields;
    const char *title_field;   /* the field that names a record in lists and search */
    /* The field that names a record to people, when set and not empty for the record
     * (a user's display name); title_field otherwise. Exports write it next to
     * references to the entity. NULL: title_field always. */
    const char *display_field;
    const char *default_sort;  /* e.g. "name" or "-created_at" */
    /* Columns that totals group by and add up, first the grouping ones, e.g.
     * "stage,amount,probability"; an index carrying them (and what visibility reads)
     * answers those totals without reading the table, per currency when the value has
     * one (field_def.currency_field). NULL for none. */
    const char *totals;
    /* The start and end columns of a span of time, e.g. "start_at,end_at": an index
     * carrying both (and what visibility reads) finds what overlaps a range — a
     * calendar, a clash — without reading the rows that end before it. NULL for none. */
    const char *span;
    /* Further indexes over several columns, ';' between indexes and ',' between their
     * columns (at most RP_MAX_ENTITY_INDEXES of RP_MAX_INDEX_COLUMNS), e.g.
     * "queue_id,due_at": a module's own statements that filter on the first and order by
     * the second (a queue's open cases, the most urgent first) read only the rows they
     * return. A field's own index is not made when one of these leads with it. NULL for
     * none. */
    const char *indexes;
    /* A field whose live records the store counts per owner and value (cases: status),
     * in the writing transaction: a module's own statements read <name>__counts
     * (store_table.counts_column) to learn how many open cases each agent holds without
     * reading them. NULL for none. */
    const char *counts;
    unsigned flags;
    /* Chinese labels (Chinese has no plural: usually both the same). Every built-in
     * entity has them; a custom entity when its administrator gave them. */
    const char *label_zh;
    const char *label_plural_zh;
    /* Set in a snapshot: the entity's place in the registry, the snapshot it belongs
     * to, and its statements (engine/schema.c). */
    size_t index;
    const struct meta_snap *snap;
    const struct rec_sql *sql;
};

struct acl_role;
struct acl_role_text;

/* What the database adds to the modules' metadata, for meta_publish: everything is
 * in `a`, which the snapshot takes over. */
struct meta_extension {
    uint64_t gen;                       /* meta_state.gen it was read at */
    struct arena a;
    struct entity_def *entities;        /* custom entities, oldest first */
    size_t nentities;
    /* Custom fields of the modules' entities, in the order they were added. */
    const char **field_entity;
    struct field_def *fields;
    size_t nfields;
    const struct acl_role_text *roles;  /* engine/acl.h */
    size_t nroles;
};

/* Entities in a registry at most, the modules' and custom ones. */
#define META_MAX_ENTITIES 64

/* The columns every record has besides its fields (id, owner_id, created_by,
 * created_at, updated_at), described as fields of the current snapshot: lists filter
 * and sort on them, /meta sends their labels and exports head their columns with
 * them. owner_id and created_by refer to the entity flagged EF_USERS. */
const struct field_def *meta_system_fields(size_t *n);
/* One of them by name, or NULL. */
const struct field_def *meta_system_field(struct rp_str name);
/* Whether a user's locale ("en", "zh-CN"; NULL: English) is Chinese. */
bool meta_locale_zh(const char *locale);
/* The label of f in the language of `locale`: label_zh in Chinese when f has one,
 * else the English label. */
const char *meta_field_label(const struct field_def *f, const char *locale);

/* The registry of entities, in the current snapshot. */
size_t meta_entity_count(void);
const struct entity_def *meta_entity_at(size_t i);
const struct entity_def *meta_entity(struct rp_str name);
const struct field_def *meta_field(const struct entity_def *e, struct rp_str name);
/* The entity a module depends on, by name (another module's: a module names other
 * modules' entities, never includes their headers). Asserts that it exists: a missing
 * one is a registry that lacks a module this one needs. */
const struct entity_def *meta_need(const char *name);
/* Publishes a snapshot of the modules' entities with x's additions (NULL: none), and
 * the statements of each (engine/schema.c); takes x->a over. Safe while other
 * threads read the current one. RP_EINVAL when x names an unknown entity. */
enum rp_err meta_publish(struct meta_extension *x);
/* The generation of the current snapshot: 0 before any was read from a database. */
uint64_t meta_generation(void);
/* The roles of e's snapshot (engine/acl.h), and one of them by name, or NULL. */
const struct acl_role *meta_roles(const struct entity_def *e, size_t *n);
const struct acl_role *meta_role(const struct entity_def *e, const char *name);
/* Frees every snapshot: only at exit, when no thread reads metadata any more. */
void meta_release(void);
/* Index of a field in e->fields, or -1. */
int meta_field_index(const struct entity_def *e, struct rp_str name);
/* Whether e has a full-text index: some field is FF_SEARCH. */
bool meta_searchable(const struct entity_def *e);
const char *meta_type_name(enum field_type t);
bool meta_enum_has(const struct field_def *f, struct rp_str value);
/* Whether field f of other may hold the id of a record of e: a reference to e, a list
 * of ids of e, or a reference to a record of any entity whose type field may name e. */
bool meta_refers_to(const struct entity_def *other, const struct field_def *f,
                    const struct entity_def *e);
/* Maximum length in code points for a string-like field. */
unsigned meta_maxlen(const struct field_def *f);
/* Whether a list may sort by f. Sort keys travel whole in cursors, so text keys are
 * limited to short fields (names, e-mails, codes): long text, lists and JSON are
 * filtered, not sorted. */
bool meta_sortable(const struct field_def *f);
/* The bounds of a number field (int, money, percent): its own, or its type's (percent
 * 0..100, money ±META_MONEY_MAX minor units). False for other fields, and for an int
 * without bounds of its own. */
bool meta_range(const struct field_def *f, struct meta_range *out);

/* The largest amount of money in minor units: a thousand of them still add up within
 * 64 bits, so totals over many records stay exact. */
#define META_MONEY_MAX (INT64_MAX / 1000)
/* Value lists shared by entities of several modules: ISO 4217 currencies, and where
 * leads and customers come from. NULL-terminated. */
extern const char *const meta_currencies[];
extern const char *const meta_currency_labels[];
extern const char *const meta_currency_labels_zh[];
extern const char *const meta_lead_sources[];
extern const char *const meta_lead_source_labels[];
extern const char *const meta_lead_source_labels_zh[];
/* Bounds shared by built-in fields. */
extern const struct meta_range meta_range_amount;  /* 0 .. META_MONEY_MAX */

#endif
