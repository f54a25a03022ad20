/* Domain hooks: behaviour particular to one entity, run by the engine inside the
 * write transaction. Keep entity files in model/ pure data; put behaviour here. */
#include "core/common.h"

#include "engine/rec_int.h"
#include "engine/duplicates.h"
#include "mod/sales/sales.h"
#include "engine/secev.h"
#include "mod/entities.h"
#include "store/platform.h"

static const struct rec_value *field(const struct rec *r, const char *name)
{
    int i = meta_field_index(r->ent, rp_str_c(name));
    RP_ASSERT(i >= 0);
    return &r->v[i];
}

static bool same_text(const struct rec_value *a, const struct rec_value *b)
{
    if (a->null || b->null)
        return a->null == b->null;
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static enum rp_err users_validate(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *u = field(r, "username");
    if (!u->null) {
        for (size_t i = 0; i < u->len; i++) {
            char c = u->s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-' || c == '@'))
                return rec_field_error(ctx, "username",
                                       "use lower-case letters, digits and . _ - @ only");
        }
        if (u->len < 2)
            return rec_field_error(ctx, "username", "must be at least 2 characters");
    }
    if (!old && field(r, "password")->null)
        return rec_field_error(ctx, "password", "is required");
    if (old && ctx->who && strcmp(old->id, ctx->who->user_id) == 0) {
        /* Administrators cannot lock themselves out. */
        if (!field(r, "active")->i)
            return rec_field_error(ctx, "active", "you cannot deactivate yourself");
        if (strcmp(field(old, "role")->s, "admin") == 0 &&
            strcmp(field(r, "role")->s, "admin") != 0)
            return rec_field_error(ctx, "role", "you cannot remove your own admin role");
    }
    return RP_OK;
}

static enum rp_err users_after_save(struct rec_ctx *ctx, const struct rec *r,
                                    const struct rec *old)
{
    if (!old)
        return secev_add(ctx, NULL, "user_create", "user", r->id, "success",
                         field(r, "role")->s);
    bool deactivated = field(old, "active")->i && !field(r, "active")->i;
    const struct rec_value *pw = field(r, "password");
    bool new_password = !pw->null && pw->s != field(old, "password")->s;
    enum rp_err err = RP_OK;
    if (!same_text(field(old, "role"), field(r, "role")))
        err = secev_add(ctx, NULL, "role_change", "user", r->id, "success", field(r, "role")->s);
    if (!err && !same_text(field(old, "team_ids"), field(r, "team_ids")))
        err = secev_add(ctx, NULL, "team_change", "user", r->id, "success", NULL);
    if (!err && new_password)
        err = secev_add(ctx, NULL, "password_change", "user", r->id, "success", NULL);
    if (!err && field(old, "active")->i != field(r, "active")->i)
        err = secev_add(ctx, NULL, deactivated ? "user_deactivate" : "user_activate", "user",
                        r->id, "success", NULL);
    if (err || (!deactivated && !new_password))
        return err;
    /* A deactivated user, or one whose password changed, is signed out everywhere (but
     * in the session that changed their own password); deactivation, and a password set
     * by an administrator, also revoke their API tokens (a user changing their own
     * password decides in auth_update_me). Their records stay theirs. */
    bool self = ctx->who && strcmp(ctx->who->user_id, r->id) == 0;
    const char *keep = !deactivated && self ? ctx->who->session_hash : NULL;
    err = store_session_delete_user(ctx->conn, r->id, keep);
    if (!err && (deactivated || !self))
        err = store_token_revoke_user(ctx->conn, r->id, r->updated_at);
    return err;
}

enum rp_err rec__hooks_before_restore(struct rec_ctx *ctx, struct rec *rec)
{
    /* A restored meeting takes its slot again: check it as if new. */
    if (rec->ent == &entity_activities)
        return sales_validate_activity(ctx, rec, NULL);
    return RP_OK;
}

enum rp_err rec__hooks_before_delete(struct rec_ctx *ctx, const struct rec *rec)
{
    if (rec->ent == &entity_pipeline_stages)
        return sales_stage_deletable(ctx, rec);
    return RP_OK;
}

enum rp_err rec__hooks_validate(struct rec_ctx *ctx, struct rec *rec, const struct rec *old)
{
    if (rec->ent == &entity_leads) {
        enum rp_err err = sales_validate_lead(ctx, rec, old);
        if (err)
            return err;
    }
    if (dups_applies(rec->ent))
        return dups_check(ctx, rec, old);
    if (rec->ent == &entity_users)
        return users_validate(ctx, rec, old);
    if (rec->ent == &entity_opportunities)
        return sales_validate_opportunity(ctx, rec, old);
    if (rec->ent == &entity_pipeline_stages)
        return sales_validate_stage(ctx, rec, old);
    if (rec->ent == &entity_activities)
        return sales_validate_activity(ctx, rec, old);
    return RP_OK;
}

enum rp_err rec__hooks_after_save(struct rec_ctx *ctx, const struct rec *rec, const struct rec *old)
{
    if (rec->ent == &entity_users)
        return users_after_save(ctx, rec, old);
    if (dups_applies(rec->ent))
        return dups_index(ctx, rec, old);
    if (rec->ent == &entity_opportunities)
        return sales_after_save_opportunity(ctx, rec, old);
    return RP_OK;
}
