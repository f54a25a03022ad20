/* Writing records: create, update, delete, restore and transfer, each in one
 * transaction with its audit rows and the modules' hooks. */
#include "core/common.h"

#include "core/buf.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/duplicates.h"
#include "engine/module.h"
#include "engine/notify.h"
#include "engine/phones.h"
#include "engine/rec_int.h"
#include "engine/secev.h"
#include "store/platform.h"

static bool value_eq(const struct field_def *f, const struct rec_value *a,
                     const struct rec_value *b)
{
    if (a->null || b->null)
        return a->null == b->null;
    if (rec__is_int_type(f->type))
        return a->i == b->i;
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static bool is_system_field(struct rp_str name)
{
    static const char *const SYS[] = {"id",         "created_at", "updated_at", "created_by",
                                      "version",    "deleted_at", "deleted_by", "seq",
                                      "workspace_id"};
    for (size_t i = 0; i < RP_NELEM(SYS); i++)
        if (rp_str_eqc(name, SYS[i]))
            return true;
    return false;
}

/* Applies inputs onto r. owner_id is returned through *owner when given. */
static enum rp_err apply_inputs(struct rec_ctx *ctx, const struct entity_def *e, bool creating,
                                const struct rec_input *in, size_t n, struct rec *r,
                                const char **owner)
{
    for (size_t k = 0; k < n; k++) {
        const struct rec_input *x = &in[k];
        char *fname = arena_strndup(ctx->a, x->field.p, x->field.len);
        if (rp_str_eqc(x->field, "owner_id")) {
            if (x->kind != IN_STRING || !ids_valid((struct rp_str){x->s, x->len}))
                rec_field_error(ctx, "owner_id", "must be a user id");
            else
                *owner = arena_strndup(ctx->a, x->s, x->len);
            continue;
        }
        if (is_system_field(x->field)) {
            rec_field_error(ctx, fname, "is read-only");
            continue;
        }
        int idx = meta_field_index(e, x->field);
        if (idx < 0) {
            rec_field_error(ctx, fname, "is not a field of %s", rec_labels(ctx, e));
            continue;
        }
        const struct field_def *f = &e->fields[idx];
        enum acl_field_rule rule = rec_field_rule(ctx, e, (size_t)idx);
        if (rule == ACL_FIELD_HIDDEN) {
            rec_field_error(ctx, fname, "is not a field of %s", rec_labels(ctx, e));
            continue;
        }
        if ((f->flags & FF_READONLY && !ctx->system) ||
            (!creating && (f->flags & FF_CREATE_ONLY))) {
            rec_field_error(ctx, fname, "is read-only");
            continue;
        }
        if (rule == ACL_FIELD_READONLY) {
            /* A form sends back what it shows: the value unchanged is no change. */
            struct rec_value v;
            size_t saved = ctx->nerrors;
            bool same = !creating && x->kind != IN_BAD && !rec__normalise(ctx, f, x, &v) &&
                        value_eq(f, &v, &r->v[idx]);
            ctx->nerrors = saved;
            if (!same)
                rec_field_error(ctx, fname, "is read-only for your role");
            continue;
        }
        if (x->kind == IN_BAD) {
            rec_field_error(ctx, fname, "has the wrong type");
            continue;
        }
        struct rec_value prev = r->v[idx];
        rec__normalise(ctx, f, x, &r->v[idx]);
        if (f->type == FT_PASSWORD && r->v[idx].null)
            r->v[idx] = prev; /* a password is replaced, never cleared */
    }
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

/* Checks that a referenced record exists and is visible to the caller. */
static enum rp_err check_ref(struct rec_ctx *ctx, const struct field_def *f, struct rp_str id)
{
    const struct entity_def *re = meta_entity(rp_str_c(f->ref_entity));
    RP_ASSERT(re);
    struct rec r;
    enum rp_err err = rec_get(ctx, re, id, &r);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, f->name, "no %s with this id", rec_label(ctx, re));
    return err;
}

#define MAX_HIERARCHY 64 /* depth of org charts and account trees we walk for cycles */

/* A reference to the same entity (parent account, reports-to) must not make a loop. */
static enum rp_err check_cycle(struct rec_ctx *ctx, const struct entity_def *e, int idx,
                               const struct rec *r)
{
    const struct field_def *f = &e->fields[idx];
    struct rp_str next = {r->v[idx].s, r->v[idx].len};
    enum rp_err err = RP_OK;
    for (int depth = 0; depth < MAX_HIERARCHY && next.len; depth++) {
        if (r->id && rp_str_eqc(next, r->id)) {
            err = rec_field_error(ctx, f->name, depth ? "would make a loop" : "cannot refer to itself");
            break;
        }
        struct rec up;
        if (rec__load(ctx, e, next, false, &up))
            break;
        next = up.v[idx].null ? (struct rp_str){NULL, 0}
                              : (struct rp_str){up.v[idx].s, up.v[idx].len};
    }
    return err;
}

/* Checks references that changed, inside the write transaction. */
static enum rp_err check_refs(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct rec *r, const struct rec *old)
{
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        const struct rec_value *v = &r->v[i];
        if (v->null || (old && value_eq(f, v, &old->v[i])))
            continue;
        if (f->type == FT_ENUM && !f->enum_values) {
            bool found;
            enum rp_err e2 = rec__key_exists(ctx, meta_entity(rp_str_c(f->ref_entity)),
                                             (struct rp_str){v->s, v->len}, &found);
            if (e2)
                return e2;
            if (!found)
                err = rec_field_error(ctx, f->name, "is not one of the allowed values");
        } else if (f->type == FT_REF) {
            enum rp_err e2 = check_ref(ctx, f, (struct rp_str){v->s, v->len});
            if (!e2 && strcmp(f->ref_entity, e->name) == 0)
                e2 = check_cycle(ctx, e, (int)i, r);
            if (e2 && e2 != RP_EINVAL)
                return e2;
            err = err ? err : e2;
        } else if (f->type == FT_MULTI_REF) {
            /* The stored form is ["id","id"…]: ids are 36 characters each. */
            for (size_t p = 2; p + RP_ID_LEN <= v->len; p += RP_ID_LEN + 3) {
                enum rp_err e2 = check_ref(ctx, f, (struct rp_str){v->s + p, RP_ID_LEN});
                if (e2 && e2 != RP_EINVAL)
                    return e2;
                if (e2) {
                    err = e2;
                    break;
                }
            }
        }
    }
    return err;
}

/* RP_OK when owner is an active user, else a field error on owner_id. Users cannot
 * change under this transaction but through this context: the last owner found
 * active is remembered while it lasts (an import's rows). */
static enum rp_err owner_active(struct rec_ctx *ctx, const char *owner)
{
    if (ctx->tx_depth > 0 && strcmp(ctx->owner_ok, owner) == 0)
        return RP_OK;
    bool active = false;
    enum rp_err err = store_user_active(ctx->conn, owner, &active);
    if (err == RP_ENOTFOUND || (!err && !active))
        return rec_field_error(ctx, "owner_id", "no active user with this id");
    if (!err && ctx->tx_depth > 0)
        snprintf(ctx->owner_ok, sizeof(ctx->owner_ok), "%s", owner);
    return err;
}

/* Checks that owner is an active user the caller may assign records to. The scope
 * comes first, so a caller learns nothing about ids outside it. */
static enum rp_err check_owner(struct rec_ctx *ctx, const struct entity_def *e,
                               enum acl_action action, const char *owner)
{
    bool ok;
    enum rp_err err = rec__in_scope(ctx, e, action, owner, NULL, &ok);
    if (err)
        return err;
    if (!ok)
        return rec_fail(ctx, RP_EFORBIDDEN, "you may not assign records to this user");
    return owner_active(ctx, owner);
}

static struct store_val value_val(const struct field_def *f, const struct rec_value *v)
{
    return v->null                     ? store_null()
           : rec__is_int_type(f->type) ? store_int(v->i)
                                       : store_text(v->s, v->len);
}

static void bind_values(struct store_stmt *st, int first, const struct entity_def *e,
                        const struct rec *r)
{
    for (size_t i = 0; i < e->nfields; i++)
        store_bind(st, first + (int)i, value_val(&e->fields[i], &r->v[i]));
}

enum rp_err rec__put_fts(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                        bool fresh)
{
    /* Every searchable field at its maximum fits: text is at most RP_MAX_TEXT code
     * points of at most 4 bytes, and there are few searchable fields. */
    struct rp_buf b;
    buf_init(&b, (size_t)RP_MAX_TEXT * 4 * 8);
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < e->nfields && !err; i++) {
        const struct field_def *f = &e->fields[i];
        if (!(f->flags & FF_SEARCH) || r->v[i].null)
            continue;
        const char *t = rec_value_text(ctx->a, f, &r->v[i]);
        if (t && b.len)
            err = buf_addc(&b, '\n');
        if (t && !err)
            err = buf_adds(&b, t);
    }
    if (!err)
        err = store_fts_put(ctx->conn, e->name, r->seq, fresh, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

void rec__now_text(struct rec_ctx *ctx, const char **out)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime(text_now_ms(), b, 32);
    *out = b;
}

/* ---- the rules of a write ---- */

/* Domain rules run in the write transaction, so what they read (a calendar, a stage
 * list) cannot change before the row is written: every module's validators, then the
 * duplicate check of an entity that has one, then the modules' last words. */
static enum rp_err validate(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    enum rp_err err = mod_validate(ctx, r, old);
    if (!err && dups_applies(r->ent))
        err = dups_check(ctx, r, old);
    if (!err)
        err = mod_before_save(ctx, r, old);
    return err;
}

static enum rp_err after_save(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    enum rp_err err = dups_applies(r->ent) ? dups_index(ctx, r, old) : RP_OK;
    if (!err && phones_applies(r->ent))
        err = phones_index(ctx, r, old);
    /* A module's hook may change this very record again (a workflow rule setting a
     * field): the caller then gets it as it is now, not as this write left it. */
    struct rec_saving frame = {r->ent, r->id, false, ctx->saving};
    ctx->saving = &frame;
    if (!err)
        err = mod_after_save(ctx, r, old);
    ctx->saving = frame.up;
    /* This write's notifications are about this write: a hook's own change of the
     * record notified about itself. */
    if (!err)
        err = notify_after_save(ctx, r, old);
    if (!err && frame.again)
        err = rec__load(ctx, r->ent, rp_str_c(r->id), false, r);
    return err;
}

/* Tells the saves of r in progress further up (their after_save hooks are running)
 * that r changed again. */
static void changed_again(struct rec_ctx *ctx, const struct rec *r)
{
    for (struct rec_saving *f = ctx->saving; f; f = f->up)
        if (f->e == r->ent && strcmp(f->id, r->id) == 0)
            f->again = true;
}

/* ---- create ---- */

enum rp_err rec_create(struct rec_ctx *ctx, const struct entity_def *e,
                       const struct rec_input *in, size_t n, struct rec *out)
{
    enum acl_scope scope = rec_scope(ctx, e, ACL_CREATE);
    if (scope == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not create %s", rec_labels(ctx, e));

    struct rec *r = out;
    memset(r, 0, sizeof(*r));
    r->ent = e;
    r->v = arena_calloc(ctx->a, e->nfields, sizeof(*r->v));
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        r->v[i].null = true;
        if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF)
            r->v[i] = (struct rec_value){false, 0, "[]", 2};
        if (f->def) {
            struct rec_input d = rec__default_input(f);
            RP_ASSERT(rec__normalise(ctx, f, &d, &r->v[i]) == RP_OK);
        }
    }
    const char *owner = ctx->who ? ctx->who->user_id : NULL;
    enum rp_err err = apply_inputs(ctx, e, true, in, n, r, &owner);
    for (size_t i = 0; i < e->nfields; i++)
        if ((e->fields[i].flags & FF_REQUIRED) && r->v[i].null) {
            bool reported = false;
            for (size_t k = 0; k < ctx->nerrors; k++)
                reported = reported || strcmp(ctx->errors[k].field, e->fields[i].name) == 0;
            if (!reported)
                rec_field_error(ctx, e->fields[i].name, "is required");
        }
    if (ctx->nerrors)
        return RP_EINVAL;
    if (err)
        return err;

    char id[RP_ID_LEN + 1];
    err = ids_uuid7(id);
    if (err)
        return err;
    r->id = arena_strdup(ctx->a, id);
    rec__now_text(ctx, &r->created_at);
    r->updated_at = r->created_at;
    r->created_by = ctx->who ? ctx->who->user_id : NULL;
    r->owner_id = owner;
    r->version = 1;

    err = rec_tx_begin(ctx);
    if (err)
        return err;
    if (owner)
        err = check_owner(ctx, e, ACL_CREATE, owner);
    if (!err)
        err = check_refs(ctx, e, r, NULL);
    if (!err && !ctx->nerrors)
        err = validate(ctx, r, NULL);
    struct store_stmt *st = NULL;
    if (!err)
        err = store_prepare_insert(ctx->conn, e->sql->insert, &st);
    rec__memo_drop(ctx, e);
    if (!err) {
        struct store_val sys[] = {store_cstr(r->id), store_cstr(r->created_at),
                                  store_cstr(r->updated_at), store_cstr(r->created_by),
                                  store_cstr(r->owner_id)};
        store_bind_all(st, sys, RP_NELEM(sys));
        bind_values(st, (int)RP_NELEM(sys) + 1, e, r);
        err = store_step_insert(st, &r->seq);
        store_done(st);
        if (err == RP_ECONFLICT)
            err = rec_fail(ctx, RP_ECONFLICT, "another %s has this value", rec_label(ctx, e));
    }
    if (!err && meta_searchable(e))
        err = rec__put_fts(ctx, e, r, true);
    struct store_val initial = store_null();
    if (!err)
        err = rec__initial_values(ctx, e, r, &initial);
    if (!err)
        err = rec__audit(ctx, e, r, r->created_at, "create", NULL, store_null(), initial);
    if (!err)
        err = after_save(ctx, r, NULL);
    err = rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
    if (!err)
        rec_mask(ctx, r);
    return err;
}

/* ---- update ---- */

/* Whether a write changes field f from `from` to `to` (a password given is a change). */
static bool field_changed(const struct field_def *f, const struct rec_value *to,
                          const struct rec_value *from)
{
    return f->type == FT_PASSWORD ? !to->null && to->s != from->s : !value_eq(f, to, from);
}

/* Writes r over old, setting only the fields whose changed[i] is set
 * (rec__update_sql). */
static enum rp_err write_row(struct rec_ctx *ctx, const struct entity_def *e, struct rec *r,
                             const struct rec *old, const bool *changed)
{
    rec__memo_drop(ctx, e);
    bool owner = r->owner_id != old->owner_id;
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    enum rp_err err = rec__update_sql(e, owner, changed, &sql);
    struct store_stmt *st = NULL;
    if (!err)
        err = store_prepare(ctx->conn, buf_cstr(&sql), &st);
    buf_release(&sql);
    if (err)
        return err;
    int k = 1;
    store_bind(st, k++, store_cstr(r->updated_at));
    if (owner)
        store_bind(st, k++, store_cstr(r->owner_id));
    for (size_t i = 0; i < e->nfields; i++)
        if (changed[i])
            store_bind(st, k++, value_val(&e->fields[i], &r->v[i]));
    store_bind(st, k++, store_int(r->seq));
    store_bind(st, k, store_int(old->version));
    bool row;
    err = store_step(st, &row);
    store_done(st);
    if (!err && store_changes(ctx->conn) != 1)
        err = RP_ESTALE;
    if (err == RP_ECONFLICT)
        err = rec_fail(ctx, RP_ECONFLICT, "another %s has this value", rec_label(ctx, e));
    return err;
}

enum rp_err rec_update(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       const struct rec_input *in, size_t n, int64_t expect_version,
                       struct rec *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec old;
    err = rec__load(ctx, e, id, false, &old);
    if (!err)
        err = rec_check_readable(ctx, e, &old);
    if (!err)
        err = rec__check_owner_action(ctx, e, ACL_EDIT, &old, MSG("change"));
    if (!err && expect_version >= 0 && expect_version != old.version)
        err = rec_fail(ctx, RP_ESTALE, "the %s was changed by someone else (now version %lld)",
                       rec_label(ctx, e), (long long)old.version);
    struct rec *r = out;
    if (!err) {
        *r = old;
        /* The change's one time, which domain rules stamp too (a deal's
         * stage_changed_at equals its audit rows' time); kept only if it changes. */
        rec__now_text(ctx, &r->updated_at);
        r->v = arena_alloc(ctx->a, e->nfields * sizeof(*r->v));
        memcpy(r->v, old.v, e->nfields * sizeof(*r->v));
        const char *owner = old.owner_id;
        err = apply_inputs(ctx, e, false, in, n, r, &owner);
        if (!err && owner && (!old.owner_id || strcmp(owner, old.owner_id) != 0)) {
            /* Giving a record away is for those whose role lets them edit it: an edit
             * share lets one change a record, not take it. */
            bool by_role = true;
            err = rec__in_scope(ctx, e, ACL_EDIT, old.owner_id, NULL, &by_role);
            if (!err)
                err = by_role ? check_owner(ctx, e, ACL_EDIT, owner)
                              : rec_fail(ctx, RP_EFORBIDDEN,
                                         "a shared %s changes owner only by those whose role"
                                         " may edit it",
                                         rec_label(ctx, e));
            r->owner_id = owner;
        }
        if (!err)
            err = check_refs(ctx, e, r, &old);
        if (!err && !ctx->nerrors)
            err = validate(ctx, r, &old);
    }
    bool changed = false, search_changed = false;
    bool *diff = arena_calloc(ctx->a, e->nfields, sizeof(*diff));
    if (!err) {
        changed = r->owner_id != old.owner_id;
        for (size_t i = 0; i < e->nfields; i++) {
            diff[i] = field_changed(&e->fields[i], &r->v[i], &old.v[i]);
            if (diff[i]) {
                changed = true;
                search_changed = search_changed || (e->fields[i].flags & FF_SEARCH);
            }
        }
    }
    if (!err && !changed)
        r->updated_at = old.updated_at;
    if (!err && changed) {
        r->version = old.version + 1;
        err = write_row(ctx, e, r, &old, diff);
        if (!err)
            changed_again(ctx, r);
        if (!err && search_changed)
            err = rec__put_fts(ctx, e, r, false);
        if (!err && r->owner_id != old.owner_id)
            err = rec__audit(ctx, e, r, r->updated_at, "update", "owner_id", store_cstr(old.owner_id),
                        store_cstr(r->owner_id));
        for (size_t i = 0; i < e->nfields && !err; i++) {
            const struct field_def *f = &e->fields[i];
            if (diff[i])
                err = rec__audit(ctx, e, r, r->updated_at, "update", f->name,
                            rec__audit_val(ctx, f, &old.v[i]), rec__audit_val(ctx, f, &r->v[i]));
        }
        if (!err)
            err = after_save(ctx, r, &old);
    }
    err = rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
    if (!err)
        rec_mask(ctx, r);
    return err;
}

/* ---- delete and restore ---- */

static enum rp_err set_deleted(struct rec_ctx *ctx, const struct entity_def *e, struct rec *r,
                               bool deleted)
{
    const char *now;
    rec__now_text(ctx, &now);
    rec__memo_drop(ctx, e);
    const char *by = deleted && ctx->who ? ctx->who->user_id : NULL;
    struct store_val v[] = {deleted ? store_cstr(now) : store_null(), store_cstr(by),
                            store_cstr(now), store_int(r->seq), store_int(r->version)};
    enum rp_err err = store_exec(ctx->conn, e->sql->set_deleted, v, RP_NELEM(v));
    if (err == RP_ECONFLICT)
        return rec_fail(ctx, RP_ECONFLICT, "a live %s now holds one of this record's unique values",
                        rec_label(ctx, e));
    if (err)
        return err;
    r->version++;
    r->updated_at = now;
    r->deleted_at = deleted ? now : NULL;
    r->deleted_by = by;
    if (meta_searchable(e))
        err = deleted ? store_fts_delete(ctx->conn, e->name, r->seq)
                      : rec__put_fts(ctx, e, r, false);
    if (!err)
        err = rec__audit(ctx, e, r, now, deleted ? "delete" : "restore", NULL, store_null(),
                    store_null());
    return err;
}

enum rp_err rec_delete(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       int64_t expect_version)
{
    if (e->flags & EF_NO_DELETE)
        return rec_fail(ctx, RP_EFORBIDDEN, "%s are deactivated, not deleted", rec_labels(ctx, e));
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec r;
    err = rec__load(ctx, e, id, false, &r);
    if (!err)
        err = rec_check_readable(ctx, e, &r);
    if (!err)
        err = rec__check_owner_action(ctx, e, ACL_DELETE, &r, MSG("delete"));
    if (!err)
        err = mod_before_delete(ctx, &r);
    if (!err && expect_version >= 0 && expect_version != r.version)
        err = rec_fail(ctx, RP_ESTALE, "the %s was changed by someone else", rec_label(ctx, e));
    if (!err)
        err = set_deleted(ctx, e, &r, true);
    return rec_tx_end(ctx, err);
}

enum rp_err rec_restore(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        struct rec *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = rec__load(ctx, e, id, true, out);
    if (!err && !out->deleted_at)
        err = RP_ENOTFOUND;
    if (!err)
        err = rec_check_readable(ctx, e, out);
    if (!err)
        err = rec__check_owner_action(ctx, e, ACL_DELETE, out, MSG("restore"));
    if (!err)
        err = mod_before_restore(ctx, out);
    if (!err)
        err = set_deleted(ctx, e, out, false);
    err = rec_tx_end(ctx, err);
    if (!err)
        rec_mask(ctx, out);
    return err;
}

/* ---- transfer ---- */

enum rp_err rec_transfer_owner(struct rec_ctx *ctx, struct rp_str from_user,
                               struct rp_str to_user, int64_t *moved)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators transfer records");
    *moved = 0;
    bool active;
    const char *from = arena_strndup(ctx->a, from_user.p, from_user.len);
    enum rp_err err = ids_valid(from_user) ? store_user_active(ctx->conn, from, &active)
                                           : RP_ENOTFOUND;
    if (err)
        return err;
    if (!ids_valid(to_user))
        return rec_field_error(ctx, "to_user_id", "must be a user id");
    if (rp_str_eqc(to_user, from))
        return rec_field_error(ctx, "to_user_id", "must be another user");
    const char *to = arena_strndup(ctx->a, to_user.p, to_user.len);
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = store_user_active(ctx->conn, to, &active);
    if (err == RP_ENOTFOUND || (!err && !active))
        err = rec_field_error(ctx, "to_user_id", "no active user with this id");
    rec__memo_drop(ctx, NULL);
    const char *now;
    rec__now_text(ctx, &now);
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (e->flags & EF_PLATFORM)
            continue;
        int64_t n = 0;
        err = store_transfer_owner(ctx->conn, e->name, from, to, now,
                                   ctx->who ? ctx->who->user_id : NULL, &n);
        *moved += n;
    }
    if (!err)
        err = secev_add(ctx, NULL, "records_transfer", "user", from, "success",
                        arena_printf(ctx->a, "%lld records to user %s", (long long)*moved, to));
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

/* ---- helpers for domain services ---- */

enum rp_err rec_check_action(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct rec *r, enum acl_action action, const char *verb)
{
    return rec__check_owner_action(ctx, e, action, r, verb);
}

enum rp_err rec_repoint_deleted(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r, const char *field, const char *value)
{
    int idx = meta_field_index(e, rp_str_c(field));
    RP_ASSERT(idx >= 0);
    struct rec copy = *r;
    copy.v = arena_alloc(ctx->a, e->nfields * sizeof(*copy.v));
    memcpy(copy.v, r->v, e->nfields * sizeof(*copy.v));
    copy.v[idx] = value ? (struct rec_value){false, 0, value, strlen(value)}
                        : (struct rec_value){.null = true};
    rec__now_text(ctx, &copy.updated_at);
    copy.version = r->version + 1;
    bool *diff = arena_calloc(ctx->a, e->nfields, sizeof(*diff));
    diff[idx] = true;
    enum rp_err err = write_row(ctx, e, &copy, r, diff);
    if (!err)
        err = rec__audit(ctx, e, &copy, copy.updated_at, "update", field,
                    rec__audit_val(ctx, &e->fields[idx], &r->v[idx]),
                    rec__audit_val(ctx, &e->fields[idx], &copy.v[idx]));
    return err;
}
