/* Reading records: rows into struct rec, point lookups and the permission checks on
 * one record. */
#include "core/common.h"

#include "core/ids.h"
#include "core/text.h"
#include "engine/rec_int.h"
#include "engine/secev.h"

const char *rec__col_dup(struct rec_ctx *ctx, struct store_stmt *st, int col, size_t *len)
{
    size_t n;
    const char *p = store_col_text(st, col, &n);
    if (len)
        *len = n;
    return p ? arena_strndup(ctx->a, p, n) : NULL;
}

void rec__read_row(struct rec_ctx *ctx, struct store_stmt *st, const struct entity_def *e,
                   struct rec *out)
{
    out->ent = e;
    out->rules = NULL;
    out->seq = store_col_int(st, 0);
    out->id = rec__col_dup(ctx, st, 1, NULL);
    out->created_at = rec__col_dup(ctx, st, 2, NULL);
    out->updated_at = rec__col_dup(ctx, st, 3, NULL);
    out->created_by = rec__col_dup(ctx, st, 4, NULL);
    out->owner_id = rec__col_dup(ctx, st, 5, NULL);
    out->version = store_col_int(st, 6);
    out->deleted_at = rec__col_dup(ctx, st, 7, NULL);
    out->deleted_by = rec__col_dup(ctx, st, 8, NULL);
    out->v = arena_calloc(ctx->a, e->nfields, sizeof(*out->v));
    for (size_t i = 0; i < e->nfields; i++) {
        int col = REC_NSYS + (int)i;
        struct rec_value *v = &out->v[i];
        v->null = store_col_null(st, col);
        if (v->null)
            continue;
        if (rec__is_int_type(e->fields[i].type))
            v->i = store_col_int(st, col);
        else
            v->s = rec__col_dup(ctx, st, col, &v->len);
    }
}

const struct rec_value *rec_field(const struct rec *r, const char *name)
{
    int i = meta_field_index(r->ent, rp_str_c(name));
    RP_ASSERT(i >= 0);
    return &r->v[i];
}

const char *rec_text(struct arena *a, const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null ? NULL : arena_strndup(a, v->s, v->len);
}

const char *rec_datetime(struct arena *a, int64_t ms)
{
    char *buf = arena_alloc(a, 32);
    text_format_datetime(ms, buf, 32);
    return buf;
}

struct rec_input rec_in_int(struct arena *a, const char *field, int64_t v)
{
    const char *s = arena_printf(a, "%lld", (long long)v);
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_NUMBER, .s = s,
                              .len = strlen(s)};
}

bool rec_is(const struct rec *r, const char *field, const char *s)
{
    const struct rec_value *v = rec_field(r, field);
    return !v->null && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

void rec_set_text(struct rec *r, const char *field, const char *s)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = s ? (struct rec_value){.s = s, .len = strlen(s)} : (struct rec_value){.null = true};
}

void rec_set_int(struct rec *r, const char *field, int64_t i)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, field);
    *v = (struct rec_value){.i = i};
}

enum rp_err rec__load(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        bool with_deleted, struct rec *out)
{
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    const struct rec_sql *q = e->sql;
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, with_deleted ? q->get_any : q->get, &st);
    if (err)
        return err;
    store_bind(st, 1, store_text(id.p, id.len));
    bool row;
    err = store_step(st, &row);
    if (!err && !row)
        err = RP_ENOTFOUND;
    if (!err)
        rec__read_row(ctx, st, e, out);
    store_done(st);
    return err;
}

enum acl_scope rec_scope(const struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action)
{
    return ctx->system ? SCOPE_ALL : acl_scope(ctx->who, e, action);
}

enum acl_scope rec__list_scope(const struct rec_ctx *ctx, const struct entity_def *e,
                               bool export)
{
    enum acl_scope read = rec_scope(ctx, e, ACL_READ);
    if (!export)
        return read;
    /* An export holds what the caller may read and export: the narrower scope (the
     * scopes nest: none ⊂ own ⊂ team ⊂ team_and_below ⊂ all). */
    enum acl_scope exp = rec_scope(ctx, e, ACL_EXPORT);
    return exp < read ? exp : read;
}

bool rec_admin(const struct rec_ctx *ctx)
{
    return ctx->system || acl_is_admin(ctx->who);
}

enum acl_field_rule rec_field_rule(const struct rec_ctx *ctx, const struct entity_def *e,
                                   size_t i)
{
    return ctx->system ? ACL_FIELD_OPEN : acl_field(ctx->who, e, i);
}

/* Whether a record owned by `owner` is inside the caller's scope for action; a
 * database error while loading the caller's team is an error, never a "no". */
enum rp_err rec__in_scope(struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action, const char *owner, const char *id, bool *ok)
{
    enum acl_scope scope = rec_scope(ctx, e, action);
    enum rp_err err = RP_OK;
    if (scope == SCOPE_TEAM || scope == SCOPE_TEAM_BELOW)
        err = acl_peers(ctx, scope == SCOPE_TEAM_BELOW);
    if (err)
        return err;
    *ok = acl_owner_in_scope(ctx, scope, owner);
    /* A share opens a record to read, or to edit, within entities the role reads. */
    bool shareable = action == ACL_READ || action == ACL_EDIT;
    if (!*ok && shareable && id && rec_scope(ctx, e, ACL_READ) != SCOPE_NONE) {
        int access;
        err = rec__shared(ctx, e, id, &access);
        *ok = !err && access >= (action == ACL_EDIT ? 2 : 1);
    }
    return err;
}

enum rp_err rec_check_readable(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r)
{
    bool ok;
    enum rp_err err = rec__in_scope(ctx, e, ACL_READ, r->owner_id, r->id, &ok);
    return err ? err : ok ? RP_OK : RP_ENOTFOUND;
}

enum rp_err rec_may(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                    enum acl_action action, bool *ok)
{
    *ok = false;
    if (action == ACL_DELETE && (e->flags & EF_NO_DELETE))
        return RP_OK;
    return rec__in_scope(ctx, e, action, r->owner_id, r->id, ok);
}

enum rp_err rec__check_owner_action(struct rec_ctx *ctx, const struct entity_def *e,
                                    enum acl_action action, const struct rec *r,
                                    const char *verb)
{
    bool ok;
    enum rp_err err = rec__in_scope(ctx, e, action, r->owner_id, r->id, &ok);
    if (!err && !ok)
        err = rec_fail(ctx, RP_EFORBIDDEN, "your role may not %s this %s", msg_tr(ctx->lang, verb),
                       rec_label(ctx, e));
    return err;
}

bool rec__search_hidden(const struct rec_ctx *ctx, const struct entity_def *e)
{
    for (size_t i = 0; i < e->nfields; i++)
        if ((e->fields[i].flags & FF_SEARCH) && rec_field_rule(ctx, e, i) == ACL_FIELD_HIDDEN)
            return true;
    return false;
}

void rec_mask(const struct rec_ctx *ctx, struct rec *r)
{
    const unsigned char *rules = ctx->system ? NULL : acl_field_rules(ctx->who, r->ent);
    if (!rules)
        return;
    bool hidden = false;
    for (size_t i = 0; i < r->ent->nfields; i++)
        if (rules[i] == ACL_FIELD_HIDDEN) {
            r->v[i] = (struct rec_value){.null = true};
            hidden = true;
        }
    r->rules = hidden ? rules : NULL;
}

enum rp_err rec_get(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                    struct rec *out)
{
    enum rp_err err = rec__load(ctx, e, id, false, out);
    if (!err)
        err = rec_check_readable(ctx, e, out);
    if (!err)
        rec_mask(ctx, out);
    return err;
}

enum rp_err rec_view(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                     struct rec *out)
{
    enum rp_err err = rec_get(ctx, e, id, out);
    if (err || !(e->flags & EF_CUSTOMER_DATA) || ctx->system || !ctx->who)
        return err;
    if (!(err = acl_peers(ctx, false)) && !acl_owner_in_scope(ctx, SCOPE_TEAM, out->owner_id))
        secev_customer_data(ctx, e, out->id, 1);
    return err;
}

bool rec_changed(const struct rec *r, const struct rec *old, const char *name)
{
    if (!old)
        return true;
    const struct rec_value *a = rec_field(r, name), *b = rec_field(old, name);
    if (a->null || b->null)
        return a->null != b->null;
    if (a->s || b->s)
        return !a->s || !b->s || a->len != b->len || memcmp(a->s, b->s, a->len) != 0;
    return a->i != b->i;
}
