/* Reading and checking a custom field's definition as an administrator sends it
 * (custom.h): names, types, enum values, references, bounds and defaults. */
#include "core/common.h"

#include "core/json.h"
#include "core/text.h"
#include "engine/custom_int.h"
#include "engine/rec_int.h"

bool custom__type_parse(const char *name, enum field_type *out)
{
    for (int t = FT_STRING; t <= FT_PASSWORD; t++)
        if (name && strcmp(name, meta_type_name((enum field_type)t)) == 0) {
            *out = (enum field_type)t;
            return true;
        }
    return false;
}

static const char *const RESERVED[] = {
    /* the columns every record has, and the names lists and writes take */
    "id", "seq", "workspace_id", "created_at", "updated_at", "created_by", "owner_id",
    "version", "deleted_at", "deleted_by", "limit", "cursor", "sort", "q", "count", "sum", "deleted",
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
bool custom__ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

bool custom__reserved(const char *s)
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

const char *custom__text(struct rec_ctx *ctx, const struct rec_input *in,
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

void custom__read_def(struct rec_ctx *ctx, const struct rec_input *in, size_t n, const char *self,
                     struct field_def *f, struct custom_def *d)
{
    bool creating = self != NULL;
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
            if (x->kind != IN_STRING || !custom__type_parse(str_of(ctx, x), &f->type))
                rec_field_error(ctx, "type",
                                "must be string, text, email, phone, url, int, money, percent,"
                                " date, datetime, bool, enum, multi_enum, ref, multi_ref, json"
                                " or password");
        } else if (rp_str_eqc(k, "label")) {
            f->label = custom__text(ctx, x, "label", 100);
        } else if (rp_str_eqc(k, "label_zh")) {
            f->label_zh = custom__text(ctx, x, "label_zh", 100);
        } else if (rp_str_eqc(k, "help")) {
            f->help = custom__text(ctx, x, "help", 500);
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
            else if (x->kind != IN_STRING || (!meta_entity((struct rp_str){x->s, x->len}) &&
                                               !rp_str_eqc((struct rp_str){x->s, x->len}, self)))
                rec_field_error(ctx, "ref_entity", "must name an entity");
            else
                f->ref_entity = str_of(ctx, x);
        } else {
            rec_field_error(ctx, arena_strndup(ctx->a, k.p, k.len), "is not part of a field");
        }
    }
}

bool custom__is_list(enum field_type t)
{
    return t == FT_MULTI_ENUM || t == FT_MULTI_REF;
}

/* Checks what the type decides — enum values, a reference, bounds, a default — once
 * every member is read. */
void custom__check_def(struct rec_ctx *ctx, struct field_def *f, struct custom_def *d)
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
        (custom__is_list(f->type) || f->type == FT_JSON || f->type == FT_PASSWORD ||
         f->type == FT_TEXT))
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
            /* A bound is a value of the field (money as "12.30"), within its type's. */
            struct field_def loose = *f;
            loose.range = NULL;
            loose.flags &= ~(unsigned)FF_REQUIRED;
            struct rec_input in = {.field = rp_str_c(f->name), .kind = IN_NUMBER,
                                   .s = texts[i], .len = strlen(texts[i])};
            struct rec_value v;
            size_t saved = ctx->nerrors;
            if (rec__normalise(ctx, &loose, &in, &v) || v.null) {
                const char *why = ctx->nerrors > saved ? ctx->errors[saved].message
                                                       : msg_tr(ctx->lang, "is not a number");
                ctx->nerrors = saved;
                rec_field_error(ctx, i ? "max" : "min", "%s", why);
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
        if (custom__is_list(f->type) || f->type == FT_JSON || f->type == FT_PASSWORD || refish) {
            rec_field_error(ctx, "default", "is not for lists, references, JSON or passwords");
            return;
        }
        f->def = x->kind == IN_BOOL ? (x->b ? "true" : "false") : str_of(ctx, x);
        if (f->type == FT_BOOL && strcmp(f->def, "true") != 0 && strcmp(f->def, "false") != 0) {
            f->def = NULL;
            rec_field_error(ctx, "default", "must be true or false");
            return;
        }
    }
    if (f->def) {
        struct rec_input in = rec__default_input(f);
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
struct store_custom_field custom__row_of(struct rec_ctx *ctx, const char *entity,
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

enum rp_err custom__check_name(struct rec_ctx *ctx, const struct entity_def *e, const char *name)
{
    if (!name)
        return rec_field_error(ctx, "name", "is required");
    if (!custom__ident_ok(name))
        return rec_field_error(ctx, "name",
                               "use 2 to 40 lower-case letters, digits and _, from a letter");
    if (custom__reserved(name))
        return rec_field_error(ctx, "name", "is a reserved word: choose another");
    if (e && meta_field(e, rp_str_c(name)))
        return rec_field_error(ctx, "name", "%s already have a field %s", rec_labels(ctx, e), name);
    const struct store_custom_field *gone = NULL;
    enum rp_err err = e ? removed_field(ctx, e->name, name, &gone) : RP_OK;
    if (!err && gone)
        return rec_field_error(ctx, "name", "was a field removed on %s: the name is free after %s",
                               gone->deleted_at, gone->drop_after);
    return err;
}

