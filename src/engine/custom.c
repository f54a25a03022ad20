/* Custom fields and entities, and the metadata generation (custom.h). */
#include "core/common.h"

#include <pthread.h>

#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/custom_int.h"
#include "engine/jobs.h"
#include "engine/module.h"
#include "engine/rec_int.h"
#include "store/meta.h"

/* ---- loading ---- */

static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;


/* The field a stored definition describes (strings borrowed from the row). */
static bool field_of(struct arena *a, const struct store_custom_field *row, struct field_def *f)
{
    memset(f, 0, sizeof(*f));
    if (!custom__type_parse(row->type, &f->type))
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
                            (long long)n, rec_labels(ctx, e));
    }
    if (!err && (f->flags & FF_UNIQUE)) {
        if (adding)
            n = f->def && live_rows(ctx, e->name) > 1;
        else
            err = store_column_duplicates(ctx->conn, e->name, f->name, &n);
        if (!err && n)
            rec_field_error(ctx, "unique", "%s share values of it", rec_labels(ctx, e));
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
        return rec_bad_request(ctx, "%s have as many fields as they may", rec_labels(ctx, e));
    struct field_def f = {.type = FT_STRING, .group = "custom", .flags = FF_CUSTOM};
    struct custom_def d;
    custom__read_def(ctx, in, n, e->name, &f, &d);
    if (!d.has_type)
        rec_field_error(ctx, "type", "is required");
    /* Every error at once: a bad name does not hide a bad label. */
    if ((err = custom__check_name(ctx, e, f.name)) && err != RP_EINVAL)
        return err;
    if (f.name)
        custom__check_def(ctx, &f, &d);
    if (ctx->nerrors)
        return RP_EINVAL;
    if ((err = rec_tx_begin(ctx)))
        return err;
    const char *now;
    rec__now_text(ctx, &now);
    struct store_custom_field row = custom__row_of(ctx, e->name, &f);
    err = check_rows(ctx, e, &f, true);
    if (!err && ctx->nerrors)
        err = RP_EINVAL;
    if (!err)
        err = store_custom_field_insert(ctx->conn, &row, now, ctx->who ? ctx->who->user_id : NULL);
    if (!err)
        err = sync(ctx, with_field(ctx, e, &f));
    if (!err && f.def) {
        struct rec_input dv = rec__default_input(&f);
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
    struct custom_def d;
    custom__read_def(ctx, in, n, NULL, &f, &d);
    if (d.has_type && !ctx->nerrors && !type_change_ok(old->type, f.type))
        rec_field_error(ctx, "type", "changing %s to %s could lose values: add a new field",
                        meta_type_name(old->type), meta_type_name(f.type));
    if (d.has_maxlen && f.maxlen && old->maxlen != f.maxlen && f.maxlen < meta_maxlen(old))
        rec_field_error(ctx, "maxlen", "a shorter maximum could cut values: add a new field");
    if (!d.has_min && !d.has_max && f.range) {
        d.has_min = d.has_max = false; /* the bounds stay as they are */
    }
    if (!ctx->nerrors)
        custom__check_def(ctx, &f, &d);
    if (ctx->nerrors)
        return RP_EINVAL;
    if ((err = rec_tx_begin(ctx)))
        return err;
    /* Enum values in use stay. */
    for (const char *const *v = old->enum_values; !err && d.has_enum && v && *v; v++) {
        if (meta_enum_has(&f, rp_str_c(*v)))
            continue;
        int64_t uses;
        err = store_column_uses(ctx->conn, e->name, f.name, custom__is_list(f.type), *v, &uses);
        if (!err && uses)
            rec_field_error(ctx, "enum_values", "%s is the value of %lld %s: keep it", *v,
                            (long long)uses, uses == 1 ? rec_label(ctx, e) : rec_labels(ctx, e));
    }
    bool tightened = ((f.flags & ~old->flags) & (FF_REQUIRED | FF_UNIQUE)) != 0;
    if (!err && tightened) {
        struct field_def check = f;
        check.flags &= ~old->flags;
        err = check_rows(ctx, e, &check, false);
    }
    if (!err && ctx->nerrors)
        err = RP_EINVAL;
    struct store_custom_field row = custom__row_of(ctx, e->name, &f);
    if (!err)
        err = store_custom_field_update(ctx->conn, &row);
    if (!err && (f.flags ^ old->flags) & (FF_UNIQUE | FF_INDEXED | FF_LIST))
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
                               rec_labels(ctx, e));
    if ((err = rec_tx_begin(ctx)))
        return err;
    const char *now;
    rec__now_text(ctx, &now);
    char drop[32];
    text_format_datetime(text_now_ms() + (int64_t)RP_CUSTOM_FIELD_KEEP_DAYS * 86400000, drop,
                         sizeof(drop));
    struct store_custom_field row = custom__row_of(ctx, e->name, f);
    row.deleted_at = now;
    row.drop_after = arena_strdup(ctx->a, drop);
    err = store_custom_field_update(ctx->conn, &row);
    /* History keeps the values, never a password's hash. */
    if (!err && f->type != FT_PASSWORD)
        err = store_column_to_audit(ctx->conn, e->name, f->name, now,
                                    ctx->who ? ctx->who->user_id : NULL);
    /* Its text leaves the full-text index. */
    if (!err && (f->flags & FF_SEARCH))
        err = jobs_queue(ctx, "search.reindex", e->name);
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
    const char *like_name = NULL, *title = NULL;
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
            *to = custom__text(ctx, x, member, 100);
    }
    if (!row.name || !custom__ident_ok(row.name) || custom__reserved(row.name))
        rec_field_error(ctx, "name",
                        "use 2 to 40 lower-case letters, digits and _, from a letter, not a"
                        " reserved word");
    else if (meta_entity(rp_str_c(row.name)))
        rec_field_error(ctx, "name", "is an entity already");
    if (!row.label)
        rec_field_error(ctx, "label", "is required");
    if (!row.label_plural)
        rec_field_error(ctx, "label_plural", "is required");
    /* Without permissions_like, only administrators reach the new records until a role
     * is given grants on them: failing closed. */
    const struct entity_def *like = like_name ? meta_entity(rp_str_c(like_name)) : NULL;
    if (like_name && !like)
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
        struct custom_def d;
        custom__read_def(ctx, fields[i].in, fields[i].n, row.name, f, &d);
        if (!d.has_type)
            rec_field_error(ctx, "type", "is required");
        /* A field error here is prefixed with the field's place below. */
        if (!ctx->nerrors && (err = custom__check_name(ctx, e, f->name)) && err != RP_EINVAL)
            return err;
        if (!ctx->nerrors)
            custom__check_def(ctx, f, &d);
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
        struct store_custom_field fr = custom__row_of(ctx, e->name, &defs[i]);
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
    if (!err && like) {
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
