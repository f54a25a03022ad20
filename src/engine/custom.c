/* Custom fields and entities, and the metadata generation (custom.h). */
#include "core/common.h"

#include <pthread.h>

#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/custom.h"
#include "engine/jobs.h"
#include "engine/module.h"
#include "engine/rec_int.h"
#include "store/copy.h"
#include "store/meta.h"

/* ---- loading ---- */

static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static bool type_parse(const char *name, enum field_type *out)
{
    for (int t = FT_STRING; t <= FT_PASSWORD; t++)
        if (name && strcmp(name, meta_type_name((enum field_type)t)) == 0) {
            *out = (enum field_type)t;
            return true;
        }
    return false;
}

/* The field a stored definition describes (strings borrowed from the row). */
static bool field_of(struct arena *a, const struct store_custom_field *row, struct field_def *f)
{
    memset(f, 0, sizeof(*f));
    if (!type_parse(row->type, &f->type))
        return false;
    f->name = row->name;
    f->label = row->label;
    f->label_zh = row->label_zh;
    f->help = row->help;
    f->flags = (unsigned)row->flags | FF_CUSTOM;
    f->maxlen = (unsigned)row->maxlen;
    f->ref_entity = row->ref_entity;
    f->def = row->def;
    f->group = "custom";
    if (row->enum_values) {
        struct rp_str *items;
        size_t n;
        if (json_read_list(a, rp_str_c(row->enum_values), RP_MAX_ENUM_VALUES, &items, &n))
            return false;
        const char **values = arena_calloc(a, n + 1, sizeof(*values));
        for (size_t i = 0; i < n; i++)
            values[i] = items[i].p;
        f->enum_values = values;
    }
    if (row->has_min || row->has_max) {
        struct meta_range *r = arena_alloc(a, sizeof(*r));
        struct meta_range dflt = {INT64_MIN, INT64_MAX};
        if (f->type == FT_MONEY)
            dflt = (struct meta_range){-META_MONEY_MAX, META_MONEY_MAX};
        else if (f->type == FT_PERCENT)
            dflt = (struct meta_range){0, 100};
        r->min = row->has_min ? row->min : dflt.min;
        r->max = row->has_max ? row->max : dflt.max;
        f->range = r;
    }
    return true;
}

static enum rp_err load(struct store *s, struct store_conn *c, uint64_t gen)
{
    struct meta_extension x;
    memset(&x, 0, sizeof(x));
    arena_init(&x.a);
    x.gen = gen;
    struct store_custom_entity *ents;
    struct store_custom_field *fields;
    size_t nents, nfields;
    enum rp_err err = store_custom_entities(c, &x.a, &ents, &nents);
    if (!err)
        err = store_custom_fields(c, &x.a, &fields, &nfields);
    if (err) {
        arena_release(&x.a);
        return err;
    }
    x.entities = arena_calloc(&x.a, nents + 1, sizeof(*x.entities));
    x.field_entity = arena_calloc(&x.a, nfields + 1, sizeof(*x.field_entity));
    x.fields = arena_calloc(&x.a, nfields + 1, sizeof(*x.fields));
    for (size_t k = 0; k < nents; k++)
        x.entities[x.nentities++] = (struct entity_def){
            .name = ents[k].name,
            .label = ents[k].label,
            .label_plural = ents[k].label_plural,
            .label_zh = ents[k].label_zh,
            .label_plural_zh = ents[k].label_plural_zh,
            .title_field = ents[k].title_field,
            .default_sort = ents[k].title_field,
            .flags = EF_CUSTOM,
        };
    for (size_t i = 0; i < nfields; i++) {
        if (fields[i].deleted_at)
            continue;
        if (!field_of(&x.a, &fields[i], &x.fields[x.nfields])) {
            LOG(LOG_ERROR, "custom field %s.%s: unreadable definition, left out",
                fields[i].entity, fields[i].name);
            continue;
        }
        x.field_entity[x.nfields++] = fields[i].entity;
    }
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, s, c, &x.a, "load the roles");
    struct acl_role_text *roles;
    err = mod_roles(&ctx, &roles, &x.nroles);
    x.roles = roles;
    if (err) {
        arena_release(&x.a);
        return err;
    }
    err = meta_publish(&x);
    if (err)
        LOG(LOG_ERROR, "the custom metadata does not fit the modules' (%s): kept the last",
            rp_err_name(err));
    return err;
}

enum rp_err custom_refresh(struct store *s, struct store_conn *c, bool force)
{
    uint64_t gen;
    enum rp_err err = store_meta_gen(c, &gen);
    if (err || (!force && gen == meta_generation()))
        return err;
    pthread_mutex_lock(&loading);
    /* Another request may have loaded it meanwhile. */
    if (force || gen != meta_generation())
        err = load(s, c, gen);
    pthread_mutex_unlock(&loading);
    return err;
}

enum rp_err custom_changed(struct rec_ctx *ctx)
{
    return store_meta_bump(ctx->conn);
}

/* ---- checking a definition ---- */

static const char *const RESERVED[] = {
    /* the columns every record has, and the names lists and writes take */
    "id", "seq", "workspace_id", "created_at", "updated_at", "created_by", "owner_id",
    "version", "deleted_at", "limit", "cursor", "sort", "q", "count", "sum", "deleted",
    "team_id", "allow_duplicate", "allow_conflict", "format", "before", "token", "fields",
    "from",
    /* SQL keywords either backend reserves */
    "all", "alter", "analyze", "and", "any", "as", "asc", "between", "both", "by", "case",
    "cast", "check", "collate", "column", "constraint", "create", "cross", "current_date",
    "current_time", "current_timestamp", "current_user", "default", "delete", "desc",
    "distinct", "do", "drop", "else", "end", "except", "exists", "false", "fetch", "for",
    "foreign", "full", "grant", "group", "having", "in", "index", "inner", "insert",
    "intersect", "into", "is", "join", "key", "lateral", "leading", "left", "like", "natural",
    "not", "null", "offset", "on", "only", "or", "order", "outer", "primary", "references",
    "returning", "right", "select", "session_user", "set", "some", "table", "then", "to",
    "trailing", "transaction", "trigger", "true", "union", "unique", "update", "user",
    "using", "values", "when", "where", "window", "with",
};

/* A lower-case identifier of 2..40 characters that starts with a letter. */
static bool ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool reserved(const char *s)
{
    for (size_t i = 0; i < RP_NELEM(RESERVED); i++)
        if (strcmp(s, RESERVED[i]) == 0)
            return true;
    return false;
}

static const char *str_of(struct rec_ctx *ctx, const struct rec_input *in)
{
    return arena_strndup(ctx->a, in->s, in->len);
}

/* What a definition's members set, beside the field itself. */
struct def_in {
    bool has_type, has_enum, has_min, has_max, has_def, has_maxlen, has_ref;
    const char *min_text, *max_text;
    const struct rec_input *def;
};

static void want_bool(struct rec_ctx *ctx, const struct rec_input *in, unsigned flag,
                      unsigned *flags)
{
    if (in->kind != IN_BOOL) {
        rec_field_error(ctx, str_of(ctx, &(struct rec_input){.s = in->field.p,
                                                             .len = in->field.len}),
                        "must be true or false");
        return;
    }
    *flags = in->b ? *flags | flag : *flags & ~flag;
}

static const char *text_or_null(struct rec_ctx *ctx, const struct rec_input *in,
                                const char *member, unsigned max)
{
    if (in->kind == IN_NULL)
        return NULL;
    if (in->kind != IN_STRING || text_utf8_len((struct rp_str){in->s, in->len}) > max) {
        rec_field_error(ctx, member, "must be a text of at most %u characters", max);
        return NULL;
    }
    return in->len ? str_of(ctx, in) : NULL;
}

/* Reads the members of a field definition onto f (a new field, or a copy of the one
 * being changed). Field errors name the members. */
static void read_def(struct rec_ctx *ctx, const struct rec_input *in, size_t n, bool creating,
                     struct field_def *f, struct def_in *d)
{
    memset(d, 0, sizeof(*d));
    for (size_t i = 0; i < n; i++) {
        const struct rec_input *x = &in[i];
        struct rp_str k = x->field;
        if (rp_str_eqc(k, "name")) {
            if (!creating)
                rec_field_error(ctx, "name", "cannot be changed: add a new field instead");
            else if (x->kind != IN_STRING)
                rec_field_error(ctx, "name", "must be a text");
            else
                f->name = str_of(ctx, x);
        } else if (rp_str_eqc(k, "type")) {
            d->has_type = true;
            if (x->kind != IN_STRING || !type_parse(str_of(ctx, x), &f->type))
                rec_field_error(ctx, "type",
                                "must be string, text, email, phone, url, int, money, percent,"
                                " date, datetime, bool, enum, multi_enum, ref, multi_ref, json"
                                " or password");
        } else if (rp_str_eqc(k, "label")) {
            f->label = text_or_null(ctx, x, "label", 100);
        } else if (rp_str_eqc(k, "label_zh")) {
            f->label_zh = text_or_null(ctx, x, "label_zh", 100);
        } else if (rp_str_eqc(k, "help")) {
            f->help = text_or_null(ctx, x, "help", 500);
        } else if (rp_str_eqc(k, "required")) {
            want_bool(ctx, x, FF_REQUIRED, &f->flags);
        } else if (rp_str_eqc(k, "unique")) {
            want_bool(ctx, x, FF_UNIQUE, &f->flags);
        } else if (rp_str_eqc(k, "indexed")) {
            want_bool(ctx, x, FF_INDEXED, &f->flags);
        } else if (rp_str_eqc(k, "searchable")) {
            want_bool(ctx, x, FF_SEARCH, &f->flags);
        } else if (rp_str_eqc(k, "list")) {
            want_bool(ctx, x, FF_LIST, &f->flags);
        } else if (rp_str_eqc(k, "default")) {
            d->has_def = true;
            d->def = x;
        } else if (rp_str_eqc(k, "min") || rp_str_eqc(k, "max")) {
            bool min = rp_str_eqc(k, "min");
            const char *t = x->kind == IN_NUMBER || x->kind == IN_STRING ? str_of(ctx, x) : NULL;
            if (x->kind != IN_NULL && !t)
                rec_field_error(ctx, min ? "min" : "max", "must be a number");
            *(min ? &d->min_text : &d->max_text) = t;
            *(min ? &d->has_min : &d->has_max) = true;
        } else if (rp_str_eqc(k, "maxlen")) {
            int64_t v = 0;
            d->has_maxlen = true;
            if (x->kind != IN_NULL &&
                (x->kind != IN_NUMBER || text_parse_i64((struct rp_str){x->s, x->len}, &v) ||
                 v < 1 || v > RP_MAX_TEXT))
                rec_field_error(ctx, "maxlen", "must be a number of characters, 1 to %u",
                                RP_MAX_TEXT);
            f->maxlen = (unsigned)v;
        } else if (rp_str_eqc(k, "enum_values")) {
            d->has_enum = true;
            if (x->kind != IN_LIST || x->nitems == 0 || x->nitems > RP_MAX_ENUM_VALUES) {
                rec_field_error(ctx, "enum_values", "must be a list of 1 to %u values",
                                RP_MAX_ENUM_VALUES);
                continue;
            }
            const char **v = arena_calloc(ctx->a, x->nitems + 1, sizeof(*v));
            for (size_t j = 0; j < x->nitems; j++) {
                struct rp_str s = x->items[j];
                if (!s.len || text_utf8_len(s) > RP_MAX_ENUM_KEY || memchr(s.p, ',', s.len))
                    rec_field_error(ctx, "enum_values",
                                    "values are 1 to %u characters, without commas",
                                    RP_MAX_ENUM_KEY);
                for (size_t m = 0; m < j; m++)
                    if (s.len == x->items[m].len && !memcmp(s.p, x->items[m].p, s.len))
                        rec_field_error(ctx, "enum_values", "lists a value twice");
                v[j] = arena_strndup(ctx->a, s.p, s.len);
            }
            f->enum_values = v;
        } else if (rp_str_eqc(k, "ref_entity")) {
            d->has_ref = true;
            if (!creating)
                rec_field_error(ctx, "ref_entity", "cannot be changed");
            else if (x->kind != IN_STRING || !meta_entity((struct rp_str){x->s, x->len}))
                rec_field_error(ctx, "ref_entity", "must name an entity");
            else
                f->ref_entity = str_of(ctx, x);
        } else {
            rec_field_error(ctx, arena_strndup(ctx->a, k.p, k.len), "is not part of a field");
        }
    }
}

static bool is_list(enum field_type t)
{
    return t == FT_MULTI_ENUM || t == FT_MULTI_REF;
}

/* A default in its input form, as write.c reads metadata defaults. */
static struct rec_input def_input(const struct field_def *f)
{
    struct rec_input d = {.field = rp_str_c(f->name), .kind = IN_STRING, .s = f->def,
                          .len = strlen(f->def)};
    if (f->type == FT_BOOL) {
        d.kind = IN_BOOL;
        d.b = strcmp(f->def, "true") == 0;
    } else if (rec__is_int_type(f->type)) {
        d.kind = IN_NUMBER;
    }
    return d;
}

/* Checks what the type decides — enum values, a reference, bounds, a default — once
 * every member is read. */
static void check_def(struct rec_ctx *ctx, struct field_def *f, struct def_in *d)
{
    bool enumish = f->type == FT_ENUM || f->type == FT_MULTI_ENUM;
    bool refish = f->type == FT_REF || f->type == FT_MULTI_REF;
    if (!f->label)
        rec_field_error(ctx, "label", "is required");
    if (enumish && !f->enum_values)
        rec_field_error(ctx, "enum_values", "is required for an enum");
    if (!enumish && d->has_enum)
        rec_field_error(ctx, "enum_values", "is only for enums");
    if (refish && !f->ref_entity)
        rec_field_error(ctx, "ref_entity", "is required for a reference");
    if (!refish && d->has_ref)
        rec_field_error(ctx, "ref_entity", "is only for references");
    if (!refish)
        f->ref_entity = NULL;
    bool numeric = f->type == FT_INT || f->type == FT_MONEY || f->type == FT_PERCENT;
    if ((d->min_text || d->max_text) && !numeric)
        rec_field_error(ctx, d->min_text ? "min" : "max", "is only for int, money and percent");
    bool stringish = f->type == FT_STRING || f->type == FT_TEXT || f->type == FT_EMAIL ||
                     f->type == FT_PHONE || f->type == FT_URL;
    if (f->maxlen && !stringish)
        rec_field_error(ctx, "maxlen", "is only for texts");
    if ((f->flags & FF_SEARCH) && !stringish)
        rec_field_error(ctx, "searchable", "is only for texts");
    if ((f->flags & (FF_UNIQUE | FF_INDEXED)) &&
        (is_list(f->type) || f->type == FT_JSON || f->type == FT_PASSWORD || f->type == FT_TEXT))
        rec_field_error(ctx, (f->flags & FF_UNIQUE) ? "unique" : "indexed",
                        "is not for lists, long texts, JSON or passwords");
    if (ctx->nerrors)
        return;
    if (numeric && (d->has_min || d->has_max)) {
        struct meta_range r;
        if (!f->range || !meta_range(f, &r))
            r = f->type == FT_MONEY     ? (struct meta_range){-META_MONEY_MAX, META_MONEY_MAX}
                : f->type == FT_PERCENT ? (struct meta_range){0, 100}
                                        : (struct meta_range){INT64_MIN, INT64_MAX};
        const char *texts[2] = {d->min_text, d->max_text};
        int64_t *ends[2] = {&r.min, &r.max};
        for (int i = 0; i < 2; i++) {
            if (!(i ? d->has_max : d->has_min) || !texts[i])
                continue;
            struct field_def loose = *f;
            loose.range = NULL;
            loose.flags &= ~(unsigned)FF_REQUIRED;
            struct store_val v;
            size_t saved = ctx->nerrors;
            if (rec__parse_text_value(ctx, &loose, rp_str_c(texts[i]), &v)) {
                ctx->nerrors = saved;
                rec_field_error(ctx, i ? "max" : "min", "is not a value of the field");
            } else {
                *ends[i] = v.i;
            }
        }
        if (r.min > r.max)
            rec_field_error(ctx, "min", "is above max");
        struct meta_range *copy = arena_alloc(ctx->a, sizeof(*copy));
        *copy = r;
        f->range = copy;
    }
    if (d->has_def) {
        const struct rec_input *x = d->def;
        f->def = NULL;
        if (x->kind == IN_NULL)
            return;
        if (is_list(f->type) || f->type == FT_JSON || f->type == FT_PASSWORD || refish) {
            rec_field_error(ctx, "default", "is not for lists, references, JSON or passwords");
            return;
        }
        f->def = x->kind == IN_BOOL ? (x->b ? "true" : "false") : str_of(ctx, x);
    }
    if (f->def) {
        struct rec_input in = def_input(f);
        struct rec_value v;
        size_t saved = ctx->nerrors;
        if (rec__normalise(ctx, f, &in, &v)) {
            const char *why = ctx->nerrors > saved ? ctx->errors[saved].message : "is invalid";
            ctx->nerrors = saved;
            rec_field_error(ctx, "default", "is not a value of the field: %s", why);
        } else if (f->type == FT_MONEY) {
            f->def = rec_value_text(ctx->a, f, &v); /* "12.3" is kept as "12.30" */
        }
    }
}

/* The stored form of a field. */
static struct store_custom_field row_of(struct rec_ctx *ctx, const char *entity,
                                        const struct field_def *f)
{
    struct store_custom_field row = {
        .entity = entity,
        .name = f->name,
        .type = meta_type_name(f->type),
        .label = f->label,
        .label_zh = f->label_zh,
        .help = f->help,
        .flags = f->flags & ~(unsigned)FF_CUSTOM,
        .maxlen = f->maxlen,
        .ref_entity = f->ref_entity,
        .def = f->def,
    };
    if (f->enum_values) {
        size_t n = 0;
        while (f->enum_values[n])
            n++;
        struct rp_str *items = arena_calloc(ctx->a, n + 1, sizeof(*items));
        for (size_t i = 0; i < n; i++)
            items[i] = rp_str_c(f->enum_values[i]);
        struct rp_buf b;
        buf_init(&b, RP_MAX_TEXT);
        if (!json_add_list(&b, items, n))
            row.enum_values = arena_strndup(ctx->a, buf_cstr(&b), b.len);
        buf_release(&b);
    }
    if (f->range) {
        row.has_min = row.has_max = true;
        row.min = f->range->min;
        row.max = f->range->max;
    }
    return row;
}

/* The removed field of that name, if one waits to be dropped. */
static enum rp_err removed_field(struct rec_ctx *ctx, const char *entity, const char *name,
                                 const struct store_custom_field **out)
{
    struct store_custom_field *rows;
    size_t n;
    *out = NULL;
    enum rp_err err = store_custom_fields(ctx->conn, ctx->a, &rows, &n);
    for (size_t i = 0; !err && i < n; i++)
        if (strcmp(rows[i].entity, entity) == 0 && strcmp(rows[i].name, name) == 0)
            *out = &rows[i];
    return err;
}

static enum rp_err check_name(struct rec_ctx *ctx, const struct entity_def *e, const char *name)
{
    if (!name)
        return rec_field_error(ctx, "name", "is required");
    if (!ident_ok(name))
        return rec_field_error(ctx, "name",
                               "use 2 to 40 lower-case letters, digits and _, from a letter");
    if (reserved(name))
        return rec_field_error(ctx, "name", "is a reserved word: choose another");
    if (e && meta_field(e, rp_str_c(name)))
        return rec_field_error(ctx, "name", "%s already have a field %s", e->label_plural, name);
    const struct store_custom_field *gone = NULL;
    enum rp_err err = e ? removed_field(ctx, e->name, name, &gone) : RP_OK;
    if (!err && gone)
        return rec_field_error(ctx, "name", "was a field removed on %s: the name is free after %s",
                               gone->deleted_at, gone->drop_after);
    return err;
}

/* e's copy with f added (or put in place of the field of its name). */
static struct entity_def *with_field(struct rec_ctx *ctx, const struct entity_def *e,
                                     const struct field_def *f)
{
    struct entity_def *c = arena_alloc(ctx->a, sizeof(*c));
    *c = *e;
    struct field_def *fields = arena_calloc(ctx->a, e->nfields + 1, sizeof(*fields));
    memcpy(fields, e->fields, e->nfields * sizeof(*fields));
    int at = meta_field_index(e, rp_str_c(f->name));
    fields[at < 0 ? (int)e->nfields : at] = *f;
    c->fields = fields;
    c->nfields = e->nfields + (at < 0);
    return c;
}

static enum rp_err sync(struct rec_ctx *ctx, const struct entity_def *e)
{
    struct rec_table t;
    rec_store_table(e, &t);
    return store_sync_table(ctx->conn, &t.t);
}

static enum rp_err admin_only(struct rec_ctx *ctx)
{
    return rec_admin(ctx) ? RP_OK
                          : rec_fail(ctx, RP_EFORBIDDEN, "only administrators change fields");
}

/* After the change committed: this server's snapshot is the new one at once (the
 * others at their next request). */
static enum rp_err reload(struct rec_ctx *ctx, enum rp_err err)
{
    return err ? err : custom_refresh(ctx->store, ctx->conn, false);
}

/* Live rows of a table; an error counts as many, so nothing is allowed on it. */
static int64_t live_rows(struct rec_ctx *ctx, const char *table)
{
    int64_t n = 0;
    return store_count_live(ctx->conn, table, &n) ? INT64_MAX : n;
}

/* What adding f (or making it required or unique) asks of the rows e has. */
static enum rp_err check_rows(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct field_def *f, bool adding)
{
    int64_t n = 0;
    enum rp_err err = RP_OK;
    if (f->flags & FF_REQUIRED) {
        if (adding)
            n = f->def ? 0 : live_rows(ctx, e->name);
        else
            err = store_column_nulls(ctx->conn, e->name, f->name, &n);
        if (!err && n)
            rec_field_error(ctx, "required",
                            "%lld %s have no value: give a default, or fill them first",
                            (long long)n, e->label_plural);
    }
    if (!err && (f->flags & FF_UNIQUE)) {
        if (adding)
            n = f->def && live_rows(ctx, e->name) > 1;
        else
            err = store_column_duplicates(ctx->conn, e->name, f->name, &n);
        if (!err && n)
            rec_field_error(ctx, "unique", "%s share values of it", e->label_plural);
    }
    return err;
}

enum rp_err custom_field_add(struct rec_ctx *ctx, struct rp_str entity,
                             const struct rec_input *in, size_t n, const struct field_def **out)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    const struct entity_def *e = meta_entity(entity);
    if (!e)
        return RP_ENOTFOUND;
    size_t custom = 0;
    for (size_t i = 0; i < e->nfields; i++)
        custom += (e->fields[i].flags & FF_CUSTOM) != 0;
    if (custom >= RP_MAX_CUSTOM_FIELDS || e->nfields >= RP_MAX_ENTITY_FIELDS)
        return rec_bad_request(ctx, "%s have as many fields as they may", e->label_plural);
    struct field_def f = {.type = FT_STRING, .group = "custom", .flags = FF_CUSTOM};
    struct def_in d;
    read_def(ctx, in, n, true, &f, &d);
    if (!d.has_type)
        rec_field_error(ctx, "type", "is required");
    if ((err = check_name(ctx, e, f.name)))
        return err;
    if (!ctx->nerrors)
        check_def(ctx, &f, &d);
    if (ctx->nerrors)
        return RP_EINVAL;
    if ((err = rec_tx_begin(ctx)))
        return err;
    const char *now;
    rec__now_text(ctx, &now);
    struct store_custom_field row = row_of(ctx, e->name, &f);
    err = check_rows(ctx, e, &f, true);
    if (!err && ctx->nerrors)
        err = RP_EINVAL;
    if (!err)
        err = store_custom_field_insert(ctx->conn, &row, now, ctx->who ? ctx->who->user_id : NULL);
    if (!err)
        err = sync(ctx, with_field(ctx, e, &f));
    if (!err && f.def) {
        struct rec_input dv = def_input(&f);
        struct rec_value v;
        err = rec__normalise(ctx, &f, &dv, &v);
        if (!err)
            err = store_column_fill(ctx->conn, e->name, f.name,
                                    rec__is_int_type(f.type) ? store_int(v.i)
                                                             : store_text(v.s, v.len));
    }
    if (!err)
        err = custom_changed(ctx);
    err = reload(ctx, rec_tx_end(ctx, err));
    if (!err) {
        e = meta_entity(entity);
        *out = e ? meta_field(e, rp_str_c(f.name)) : NULL;
        err = *out ? RP_OK : RP_EDB;
    }
    return err;
}

/* Changing the type keeps every value only from a text to a longer one. */
static bool type_change_ok(enum field_type from, enum field_type to)
{
    if (from == to)
        return true;
    bool loose = from == FT_STRING || from == FT_EMAIL || from == FT_PHONE || from == FT_URL;
    return loose && (to == FT_STRING || to == FT_TEXT);
}

static const struct field_def *custom_field(struct rec_ctx *ctx, const struct entity_def *e,
                                            struct rp_str name)
{
    const struct field_def *f = e ? meta_field(e, name) : NULL;
    if (f && !(f->flags & FF_CUSTOM)) {
        rec_fail(ctx, RP_EINVAL, "%s is a built-in field: only custom fields change here",
                 f->name);
        return NULL;
    }
    return f;
}

enum rp_err custom_field_change(struct rec_ctx *ctx, struct rp_str entity, struct rp_str name,
                                const struct rec_input *in, size_t n,
                                const struct field_def **out)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    const struct entity_def *e = meta_entity(entity);
    const struct field_def *old = custom_field(ctx, e, name);
    if (!old)
        return ctx->detail ? rec_bad_request(ctx, "%s", ctx->detail) : RP_ENOTFOUND;
    struct field_def f = *old;
    struct def_in d;
    read_def(ctx, in, n, false, &f, &d);
    if (d.has_type && !ctx->nerrors && !type_change_ok(old->type, f.type))
        rec_field_error(ctx, "type", "changing %s to %s could lose values: add a new field",
                        meta_type_name(old->type), meta_type_name(f.type));
    if (d.has_maxlen && f.maxlen && old->maxlen != f.maxlen && f.maxlen < meta_maxlen(old))
        rec_field_error(ctx, "maxlen", "a shorter maximum could cut values: add a new field");
    if (!d.has_min && !d.has_max && f.range) {
        d.has_min = d.has_max = false; /* the bounds stay as they are */
    }
    if (!ctx->nerrors)
        check_def(ctx, &f, &d);
    if (ctx->nerrors)
        return RP_EINVAL;
    if ((err = rec_tx_begin(ctx)))
        return err;
    /* Enum values in use stay. */
    for (const char *const *v = old->enum_values; !err && d.has_enum && v && *v; v++) {
        if (meta_enum_has(&f, rp_str_c(*v)))
            continue;
        int64_t uses;
        err = store_column_uses(ctx->conn, e->name, f.name, is_list(f.type), *v, &uses);
        if (!err && uses)
            rec_field_error(ctx, "enum_values", "%s is the value of %lld %s: keep it", *v,
                            (long long)uses, uses == 1 ? e->label : e->label_plural);
    }
    bool tightened = ((f.flags & ~old->flags) & (FF_REQUIRED | FF_UNIQUE)) != 0;
    if (!err && tightened) {
        struct field_def check = f;
        check.flags &= ~old->flags;
        err = check_rows(ctx, e, &check, false);
    }
    if (!err && ctx->nerrors)
        err = RP_EINVAL;
    struct store_custom_field row = row_of(ctx, e->name, &f);
    if (!err)
        err = store_custom_field_update(ctx->conn, &row);
    if (!err && (f.flags ^ old->flags) & (FF_UNIQUE | FF_INDEXED))
        err = store_column_unindex(ctx->conn, e->name, f.name);
    if (!err)
        err = sync(ctx, with_field(ctx, e, &f));
    if (!err && (f.flags ^ old->flags) & FF_SEARCH)
        err = jobs_queue(ctx, "search.reindex", e->name);
    if (!err)
        err = custom_changed(ctx);
    err = reload(ctx, rec_tx_end(ctx, err));
    if (!err) {
        e = meta_entity(entity);
        *out = e ? meta_field(e, name) : NULL;
        err = *out ? RP_OK : RP_EDB;
    }
    return err;
}

enum rp_err custom_field_remove(struct rec_ctx *ctx, struct rp_str entity, struct rp_str name)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    const struct entity_def *e = meta_entity(entity);
    const struct field_def *f = custom_field(ctx, e, name);
    if (!f)
        return ctx->detail ? rec_bad_request(ctx, "%s", ctx->detail) : RP_ENOTFOUND;
    if (e->title_field && strcmp(e->title_field, f->name) == 0)
        return rec_bad_request(ctx, "%s names the records of %s: it stays", f->name,
                               e->label_plural);
    if ((err = rec_tx_begin(ctx)))
        return err;
    const char *now;
    rec__now_text(ctx, &now);
    char drop[32];
    text_format_datetime(text_now_ms() + (int64_t)RP_CUSTOM_FIELD_KEEP_DAYS * 86400000, drop,
                         sizeof(drop));
    struct store_custom_field row = row_of(ctx, e->name, f);
    row.deleted_at = now;
    row.drop_after = arena_strdup(ctx->a, drop);
    err = store_custom_field_update(ctx->conn, &row);
    if (!err)
        err = store_column_to_audit(ctx->conn, e->name, f->name, now,
                                    ctx->who ? ctx->who->user_id : NULL);
    /* Its indexes go now: the column only waits to be dropped. */
    if (!err)
        err = store_column_unindex(ctx->conn, e->name, f->name);
    if (!err)
        err = custom_changed(ctx);
    return reload(ctx, rec_tx_end(ctx, err));
}

enum rp_err custom_drop_due(struct rec_ctx *ctx)
{
    struct store_custom_field *rows;
    size_t n;
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    enum rp_err err = store_custom_fields(ctx->conn, ctx->a, &rows, &n);
    for (size_t i = 0; i < n && !err; i++) {
        if (!rows[i].drop_after || strcmp(rows[i].drop_after, now) > 0)
            continue;
        if ((err = rec_tx_begin(ctx)))
            break;
        err = store_column_drop(ctx->conn, rows[i].entity, rows[i].name);
        if (!err)
            err = store_custom_field_delete(ctx->conn, rows[i].entity, rows[i].name);
        if (!err)
            err = custom_changed(ctx);
        err = rec_tx_end(ctx, err);
        if (!err)
            LOG(LOG_INFO, "dropped the column of removed field %s.%s", rows[i].entity,
                rows[i].name);
    }
    return reload(ctx, err);
}

/* ---- the full-text index ---- */

enum rp_err custom_reindex_run(struct rec_ctx *ctx, struct rp_str payload,
                               const atomic_bool *stop, const char **result)
{
    const struct entity_def *e = meta_entity(payload);
    if (!e)
        return RP_OK; /* the entity went away: nothing to index */
    const char *cursor = NULL;
    int64_t done = 0;
    enum rp_err err = RP_OK;
    do {
        struct arena a;
        arena_init(&a);
        struct arena *saved = ctx->a;
        ctx->a = &a;
        struct rec_param p[] = {{RP_STR("limit"), RP_STR("500")},
                                {RP_STR("cursor"), rp_str_c(cursor ? cursor : "")}};
        struct rec_query *q;
        struct rec_page page;
        err = rec_query_parse(ctx, e, p, cursor ? 2 : 1, &q);
        if (!err)
            err = rec_list(ctx, e, q, &page);
        if (!err && !(err = rec_tx_begin(ctx))) {
            for (size_t i = 0; !err && i < page.nrows; i++)
                err = meta_searchable(e) ? rec__put_fts(ctx, e, &page.rows[i], false)
                                         : store_fts_delete(ctx->conn, e->name, page.rows[i].seq);
            err = rec_tx_end(ctx, err);
        }
        ctx->a = saved;
        done += err ? 0 : (int64_t)page.nrows;
        cursor = !err && page.next_cursor ? arena_strdup(ctx->a, page.next_cursor) : NULL;
        arena_release(&a);
    } while (!err && cursor && !atomic_load(stop));
    struct rp_buf b;
    buf_init(&b, 256);
    enum rp_err werr = buf_adds(&b, "{\"entity\":");
    if (!werr)
        werr = json_add_string(&b, e->name, strlen(e->name));
    if (!werr)
        werr = buf_adds(&b, ",\"records\":");
    if (!werr)
        werr = json_add_int(&b, done);
    if (!werr)
        werr = buf_addc(&b, '}');
    *result = werr ? NULL : arena_strndup(ctx->a, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

/* ---- custom entities ---- */

enum rp_err custom_entity_add(struct rec_ctx *ctx, const struct rec_input *in, size_t n,
                              const struct custom_field_input *fields, size_t nfields,
                              const struct entity_def **out)
{
    enum rp_err err = rec_admin(ctx) ? RP_OK
                                     : rec_fail(ctx, RP_EFORBIDDEN,
                                                "only administrators add entities");
    if (err)
        return err;
    if (meta_entity_count() >= META_MAX_ENTITIES)
        return rec_bad_request(ctx, "there are as many entities as there may be");
    struct store_custom_entity row = {0};
    const char *like_name = "accounts", *title = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct rec_input *x = &in[i];
        struct rp_str k = x->field;
        const char **to = rp_str_eqc(k, "name")              ? &row.name
                          : rp_str_eqc(k, "label")           ? &row.label
                          : rp_str_eqc(k, "label_plural")    ? &row.label_plural
                          : rp_str_eqc(k, "label_zh")        ? &row.label_zh
                          : rp_str_eqc(k, "label_plural_zh") ? &row.label_plural_zh
                          : rp_str_eqc(k, "permissions_like") ? &like_name
                          : rp_str_eqc(k, "title_field")     ? &title
                                                             : NULL;
        const char *member = arena_strndup(ctx->a, k.p, k.len);
        if (!to)
            rec_field_error(ctx, member, "is not part of an entity");
        else if (!rp_str_eqc(k, "fields"))
            *to = text_or_null(ctx, x, member, 100);
    }
    if (!row.name || !ident_ok(row.name) || reserved(row.name))
        rec_field_error(ctx, "name",
                        "use 2 to 40 lower-case letters, digits and _, from a letter, not a"
                        " reserved word");
    else if (meta_entity(rp_str_c(row.name)))
        rec_field_error(ctx, "name", "is an entity already");
    if (!row.label)
        rec_field_error(ctx, "label", "is required");
    if (!row.label_plural)
        rec_field_error(ctx, "label_plural", "is required");
    const struct entity_def *like = like_name ? meta_entity(rp_str_c(like_name)) : NULL;
    if (!like)
        rec_field_error(ctx, "permissions_like", "must name an entity");
    if (nfields == 0 || nfields > RP_MAX_CUSTOM_FIELDS)
        rec_field_error(ctx, "fields", "must list 1 to %u fields", RP_MAX_CUSTOM_FIELDS);
    if (ctx->nerrors)
        return RP_EINVAL;
    struct entity_def *e = arena_calloc(ctx->a, 1, sizeof(*e));
    struct field_def *defs = arena_calloc(ctx->a, nfields, sizeof(*defs));
    *e = (struct entity_def){.name = row.name, .label = row.label,
                             .label_plural = row.label_plural, .label_zh = row.label_zh,
                             .label_plural_zh = row.label_plural_zh, .fields = defs,
                             .flags = EF_CUSTOM};
    for (size_t i = 0; i < nfields; i++) {
        size_t before = ctx->nerrors;
        struct field_def *f = &defs[i];
        *f = (struct field_def){.type = FT_STRING, .group = "custom", .flags = FF_CUSTOM};
        struct def_in d;
        read_def(ctx, fields[i].in, fields[i].n, true, f, &d);
        if (!d.has_type)
            rec_field_error(ctx, "type", "is required");
        if (!ctx->nerrors && (err = check_name(ctx, e, f->name)))
            return err;
        if (!ctx->nerrors)
            check_def(ctx, f, &d);
        if (!ctx->nerrors && (f->flags & FF_REQUIRED) && f->ref_entity &&
            strcmp(f->ref_entity, row.name) == 0)
            rec_field_error(ctx, "required", "a record cannot require one of its own kind");
        /* Errors say which field: fields[2].type. */
        for (size_t k = before; k < ctx->nerrors; k++)
            ctx->errors[k].field = arena_printf(ctx->a, "fields[%zu].%s", i, ctx->errors[k].field);
        e->nfields = i + 1;
        if (ctx->nerrors)
            break;
    }
    for (size_t i = 0; i < e->nfields && !title && !ctx->nerrors; i++)
        if (defs[i].type == FT_STRING)
            title = defs[i].name;
    const struct field_def *tf = title ? meta_field(e, rp_str_c(title)) : NULL;
    if (!ctx->nerrors && (!tf || tf->type != FT_STRING))
        rec_field_error(ctx, "title_field", "must name one of its string fields");
    if (ctx->nerrors)
        return RP_EINVAL;
    row.title_field = tf->name;
    e->title_field = e->default_sort = tf->name;
    /* A list shows the name at least. */
    bool listed = false;
    for (size_t i = 0; i < e->nfields; i++)
        listed = listed || (defs[i].flags & FF_LIST);
    if (!listed)
        ((struct field_def *)(uintptr_t)tf)->flags |= FF_LIST;
    if ((err = rec_tx_begin(ctx)))
        return err;
    const char *now;
    const char *by = ctx->who ? ctx->who->user_id : NULL;
    rec__now_text(ctx, &now);
    err = store_custom_entity_insert(ctx->conn, &row, now, by);
    for (size_t i = 0; i < e->nfields && !err; i++) {
        struct store_custom_field fr = row_of(ctx, e->name, &defs[i]);
        err = store_custom_field_insert(ctx->conn, &fr, now, by);
    }
    if (!err)
        err = sync(ctx, e);
    if (!err)
        err = custom_changed(ctx);
    err = reload(ctx, rec_tx_end(ctx, err));
    const struct entity_def *made = err ? NULL : meta_entity(rp_str_c(row.name));
    if (!err && !made)
        err = RP_EDB;
    /* Then the modules extend what they keep per entity (the roles' grants), in a
     * transaction of its own: the new entity must be in the metadata for it. */
    if (!err) {
        const char *saved = rec_system_begin(ctx, "grants on a new entity");
        err = rec_tx_begin(ctx);
        if (!err)
            err = mod_entity_added(ctx, made, meta_entity(rp_str_c(like->name)));
        if (!err)
            err = custom_changed(ctx);
        err = reload(ctx, rec_tx_end(ctx, err));
        rec_system_end(ctx, saved);
        if (err)
            LOG(LOG_ERROR, "entity %s: the roles could not be given grants on it (%s)",
                row.name, rp_err_name(err));
        made = meta_entity(rp_str_c(row.name));
    }
    *out = made;
    return err;
}
