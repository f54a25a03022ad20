/* Users: the people who sign in. Records like any other, so they list, filter and
 * audit through the engine; the password is write-only and stored as argon2id. */
#include "core/common.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/secev.h"
#include "mod/platform/platform.h"
#include "store/platform.h"

static const char *const LOCALES[] = {"en", "zh-CN", NULL};
static const char *const LOCALES_LABELS[] = {"English", "Simplified Chinese", NULL};
static const char *const LOCALES_LABELS_ZH[] = {"英语", "简体中文", NULL};

static const struct field_def FIELDS[] = {
    {.name = "username", .label = "Username", .label_zh = "用户名", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_LIST, .maxlen = 64, .group = "overview"},
    {.name = "display_name", .label = "Display name", .label_zh = "显示名称", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST | FF_INDEXED, .maxlen = 100, .group = "overview"},
    {.name = "email", .label = "Email", .label_zh = "电子邮件", .type = FT_EMAIL,
     .flags = FF_SEARCH | FF_LIST | FF_INDEXED, .group = "overview"},
    {.name = "password", .label = "Password", .label_zh = "密码", .type = FT_PASSWORD,
     .maxlen = RP_MAX_PASSWORD, .group = "access"},
    {.name = "role", .label = "Role", .label_zh = "角色", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .ref_entity = "roles", .group = "access"},
    {.name = "team_ids", .label = "Teams", .label_zh = "团队", .type = FT_MULTI_REF,
     .ref_entity = "teams", .group = "access"},
    {.name = "active", .label = "Active", .label_zh = "启用", .type = FT_BOOL,
     .flags = FF_INDEXED | FF_LIST, .group = "access", .def = "true"},
    {.name = "locale", .label = "Language", .label_zh = "语言", .type = FT_ENUM,
     .enum_values = LOCALES,
     .enum_labels = LOCALES_LABELS, .enum_labels_zh = LOCALES_LABELS_ZH,
     .group = "preferences", .def = "en"},
};

const struct entity_def platform__users = {
    .name = "users",
    .label = "User",
    .label_plural = "Users",
    .label_zh = "用户",
    .label_plural_zh = "用户",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "username",
    .display_field = "display_name",
    .default_sort = "username",
    .flags = EF_NO_DELETE | EF_PLATFORM | EF_USERS | EF_OWN_SCREEN,
};

enum rp_err platform__validate_user(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *u = rec_field(r, "username");
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
    if (!old && rec_field(r, "password")->null)
        return rec_field_error(ctx, "password", "is required");
    /* Administration is given by administrators only, whoever else may edit users. */
    const char *role = rec_field(r, "role")->s;
    if (rec_changed(r, old, "role") && acl_role_admin(role) && !rec_admin(ctx))
        return rec_field_error(ctx, "role", "only administrators give an administrator's role");
    if (old && ctx->who && strcmp(old->id, ctx->who->user_id) == 0) {
        /* Administrators cannot lock themselves out. */
        if (!rec_field(r, "active")->i)
            return rec_field_error(ctx, "active", "you cannot deactivate yourself");
        if (strcmp(rec_field(old, "role")->s, "admin") == 0 &&
            strcmp(rec_field(r, "role")->s, "admin") != 0)
            return rec_field_error(ctx, "role", "you cannot remove your own admin role");
    }
    return RP_OK;
}

enum rp_err platform__user_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!old)
        return secev_add(ctx, NULL, "user_create", "user", r->id, "success",
                         rec_field(r, "role")->s);
    bool deactivated = rec_field(old, "active")->i && !rec_field(r, "active")->i;
    const struct rec_value *pw = rec_field(r, "password");
    bool new_password = !pw->null && pw->s != rec_field(old, "password")->s;
    enum rp_err err = RP_OK;
    if (rec_changed(r, old, "role"))
        err = secev_add(ctx, NULL, "role_change", "user", r->id, "success", rec_field(r, "role")->s);
    if (!err && rec_changed(r, old, "team_ids"))
        err = secev_add(ctx, NULL, "team_change", "user", r->id, "success", NULL);
    if (!err && new_password)
        err = secev_add(ctx, NULL, "password_change", "user", r->id, "success", NULL);
    if (!err && rec_field(old, "active")->i != rec_field(r, "active")->i)
        err = secev_add(ctx, NULL, deactivated ? "user_deactivate" : "user_activate", "user",
                        r->id, "success", NULL);
    if (err || (!deactivated && !new_password))
        return err;
    /* A deactivated user, or one whose password changed, is signed out everywhere (but
     * in the session that changed their own password); deactivation, and a password set
     * by an administrator, also revoke their API tokens (a user changing their own
     * password decides in platform_update_me). Their records stay theirs. */
    bool self = ctx->who && strcmp(ctx->who->user_id, r->id) == 0;
    const char *keep = !deactivated && self ? ctx->who->session_hash : NULL;
    err = store_session_delete_user(ctx->conn, r->id, keep);
    if (!err && (deactivated || !self))
        err = store_token_revoke_user(ctx->conn, r->id, r->updated_at);
    return err;
}

/* On a database without an administrator (no user with the admin role or named admin),
 * creates `admin` with RAPPORT_ADMIN_PASSWORD, or, when interactive, with a random
 * password printed once on stderr; without either it leaves the database alone, so a
 * later start can create the administrator with the password its user chooses. A
 * RAPPORT_ADMIN_PASSWORD that an existing administrator makes unused is logged. */
enum rp_err platform__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    int64_t n;
    enum rp_err err = platform__bootstrap_roles(ctx);
    if (!err)
        err = store_admin_count(ctx->conn, &n);
    const char *pw = getenv("RAPPORT_ADMIN_PASSWORD");
    bool generated = !pw || !*pw;
    if (!err && n > 0 && !generated)
        LOG(LOG_WARN, "RAPPORT_ADMIN_PASSWORD is not used: the database has its administrator"
                      " already (the variable is read on the first start only)");
    if (err || n > 0 || (generated && !interactive))
        return err;
    if (generated)
        pw = auth_new_secret(ctx->a, "");
    struct rec_input in[] = {
        {.field = RP_STR("username"), .kind = IN_STRING, .s = "admin", .len = 5},
        {.field = RP_STR("display_name"), .kind = IN_STRING, .s = "Administrator", .len = 13},
        {.field = RP_STR("role"), .kind = IN_STRING, .s = "admin", .len = 5},
        {.field = RP_STR("password"), .kind = IN_STRING, .s = pw, .len = strlen(pw)},
    };
    struct rec r;
    err = rec_create(ctx, meta_need("users"), in, RP_NELEM(in), &r);
    if (!err) {
        if (generated)
            fprintf(stderr,
                    "\n  First start: created user 'admin' with password %s\n"
                    "  (shown once; set RAPPORT_ADMIN_PASSWORD to choose it)\n\n",
                    pw);
        else
            LOG(LOG_INFO, "first start: created user admin with RAPPORT_ADMIN_PASSWORD");
    }
    return err;
}

enum rp_err platform_update_me(struct rec_ctx *ctx, const struct rec_input *in, size_t n,
                           struct rp_str current_password, bool has_current, bool keep_tokens,
                           struct rec *out)
{
    static const char *const SELF[] = {"display_name", "email", "locale", "password"};
    bool new_password = false;
    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        for (size_t k = 0; k < RP_NELEM(SELF); k++)
            ok = ok || rp_str_eqc(in[i].field, SELF[k]);
        if (!ok)
            rec_field_error(ctx, arena_strndup(ctx->a, in[i].field.p, in[i].field.len),
                            "cannot be changed here");
        new_password = new_password || (rp_str_eqc(in[i].field, "password") &&
                                         in[i].kind != IN_NULL);
    }
    if (new_password && !ctx->who->session_hash)
        return rec_fail(ctx, RP_EFORBIDDEN,
                        "an API token cannot change the password: sign in with it");
    if (new_password) {
        bool ok = false;
        enum rp_err err = has_current ? auth_check_password(ctx, current_password, &ok) : RP_OK;
        if (err)
            return err;
        if (!has_current)
            rec_field_error(ctx, "current_password", "is required to set a new password");
        else if (!ok)
            rec_field_error(ctx, "current_password", "is wrong");
    }
    if (ctx->nerrors)
        return RP_EINVAL;
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    /* The fields were limited above; the audit still names the user. */
    const char *saved = rec_system_begin(ctx, "own profile");
    err = rec_update(ctx, meta_need("users"), rp_str_c(ctx->who->user_id), in, n, -1, out);
    rec_system_end(ctx, saved);
    /* A new password ends every API token too, unless the user keeps them: a token
     * taken along with the old password must not outlive it. */
    if (!err && new_password && !keep_tokens)
        err = store_token_revoke_user(ctx->conn, out->id, out->updated_at);
    if (!err && new_password && !keep_tokens)
        err = secev_add(ctx, NULL, "token_revoke", "user", out->id, "success",
                        "all tokens: password change");
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}
