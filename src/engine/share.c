/* Record sharing (share.h). */
#include "core/common.h"

#include "core/ids.h"
#include "engine/acl.h"
#include "engine/query_int.h"
#include "engine/rec_int.h"
#include "engine/share.h"
#include "store/platform.h"

enum rp_err rec__shared(struct rec_ctx *ctx, const struct entity_def *e, const char *record_id,
                        int *access)
{
    *access = 0;
    if (!ctx->who || !record_id)
        return RP_OK;
    const char *const *teams;
    size_t nteams;
    acl_teams(ctx, &teams, &nteams);
    return store_share_access(ctx->conn, e->name, record_id, ctx->who->user_id, teams, nteams,
                              access);
}

enum rp_err rec__query_shares(struct rec_ctx *ctx, const struct entity_def *e,
                              struct rec_query *q, bool *shared)
{
    if (q && q->shares) {
        *shared = q->shares == 2;
        return RP_OK;
    }
    *shared = false;
    enum acl_scope scope = rec__list_scope(ctx, e, q && q->for_export);
    enum rp_err err = RP_OK;
    if (ctx->who && scope != SCOPE_NONE && scope != SCOPE_ALL) {
        const char *const *teams;
        size_t nteams;
        acl_teams(ctx, &teams, &nteams);
        err = store_share_any(ctx->conn, e->name, ctx->who->user_id, teams, nteams, shared);
    }
    if (!err && q)
        q->shares = *shared ? 2 : 1;
    return err;
}

/* "user:<id>" or "team:<id>": who a share is for, in the record's history. */
static const char *grantee(struct rec_ctx *ctx, const struct store_share *s)
{
    return s->user_id ? arena_printf(ctx->a, "user:%s", s->user_id)
                      : arena_printf(ctx->a, "team:%s", s->team_id);
}

/* Loads the record and checks that the caller may edit it (and so share it); with
 * deleted, a record in the recycle bin too (its shares can be removed there). */
static enum rp_err editable(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                            bool deleted, struct rec *r)
{
    enum rp_err err = rec__load(ctx, e, id, deleted, r);
    if (!err)
        err = rec_check_readable(ctx, e, r);
    if (!err)
        err = rec_check_action(ctx, e, r, ACL_EDIT, MSG("share"));
    return err;
}

/* A live user or team id for a share, or a field error. */
static enum rp_err grantee_exists(struct rec_ctx *ctx, bool user, struct rp_str id)
{
    bool found = false;
    const char *sid = arena_strndup(ctx->a, id.p, id.len);
    enum rp_err err = !ids_valid(id) ? RP_OK
                      : user         ? store_user_active(ctx->conn, sid, &found)
                                     : store_team_live(ctx->conn, sid, &found);
    if (err == RP_ENOTFOUND)
        err = RP_OK, found = false;
    if (!err && !found)
        return rec_field_error(ctx, user ? "user_id" : "team_id",
                               user ? "no active user with this id" : "no such team");
    return err;
}

enum rp_err rec_share_add(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                          struct rp_str user_id, struct rp_str team_id, struct rp_str access,
                          struct store_share *out)
{
    bool edit = rp_str_eqc(access, "edit");
    if (!edit && !rp_str_eqc(access, "read"))
        rec_field_error(ctx, "access", "must be read or edit");
    if (!user_id.p == !team_id.p)
        rec_field_error(ctx, user_id.p ? "team_id" : "user_id",
                        "give either user_id or team_id");
    if (ctx->nerrors)
        return RP_EINVAL;
    struct rp_str who = user_id.p ? user_id : team_id;
    enum rp_err err = grantee_exists(ctx, user_id.p != NULL, who);
    if (err)
        return err;
    char sid[RP_ID_LEN + 1];
    if ((err = ids_uuid7(sid)))
        return err;
    const char *now;
    rec__now_text(ctx, &now);
    const char *wid = arena_strndup(ctx->a, who.p, who.len);
    *out = (struct store_share){arena_strdup(ctx->a, sid), user_id.p ? wid : NULL,
                                team_id.p ? wid : NULL, edit ? "edit" : "read",
                                ctx->who ? ctx->who->user_id : NULL, now};
    if ((err = rec_tx_begin(ctx)))
        return err;
    struct rec r;
    err = editable(ctx, e, id, false, &r);
    struct store_share *old;
    size_t n = 0;
    if (!err)
        err = store_share_list(ctx->conn, e->name, r.id, ctx->a, &old, &n);
    for (size_t i = 0; i < n && !err; i++) {
        bool same = old[i].user_id ? out->user_id && strcmp(old[i].user_id, out->user_id) == 0
                                   : out->team_id && strcmp(old[i].team_id, out->team_id) == 0;
        if (same)
            err = store_share_delete(ctx->conn, old[i].id);
    }
    if (!err)
        err = store_share_insert(ctx->conn, e->name, r.id, r.seq, out);
    if (!err)
        err = rec__audit(ctx, e, &r, now, "share", grantee(ctx, out), store_null(),
                         store_cstr(out->access));
    return rec_tx_end(ctx, err);
}

enum rp_err rec_shares(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       struct store_share **out, size_t *n)
{
    struct rec r;
    enum rp_err err = rec_get(ctx, e, id, &r);
    return err ? err : store_share_list(ctx->conn, e->name, r.id, ctx->a, out, n);
}

enum rp_err rec_share_remove(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                             struct rp_str share_id)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec r;
    struct store_share s;
    err = editable(ctx, e, id, true, &r);
    if (!err)
        err = ids_valid(share_id)
                  ? store_share_get(ctx->conn, e->name, r.id,
                                    arena_strndup(ctx->a, share_id.p, share_id.len), ctx->a, &s)
                  : RP_ENOTFOUND;
    if (!err)
        err = store_share_delete(ctx->conn, s.id);
    const char *now;
    rec__now_text(ctx, &now);
    if (!err)
        err = rec__audit(ctx, e, &r, now, "unshare", grantee(ctx, &s), store_cstr(s.access),
                         store_null());
    return rec_tx_end(ctx, err);
}
