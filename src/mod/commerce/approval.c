/* Discount approval: each role may give discounts up to its limit (discount_limits,
 * kept by administrators; a role without one has none). A quote whose largest line
 * discount is over its owner's limit cannot be sent until someone whose own limit
 * covers it — not the owner — approves it: asking leaves those approvers (the owner's
 * teams' managers, else the administrators) a task and a notification; the answer
 * notifies the owner. A change of the lines asks again. */
#include "core/common.h"

#include <jansson.h>

#include "engine/acl.h"
#include "engine/notify.h"
#include "core/text.h"
#include "mod/commerce/commerce.h"

static const struct meta_range LIMIT = {0, CM_BP};

static const struct field_def LIMIT_FIELDS[] = {
    {.name = "role", .label = "Role", .label_zh = "角色", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_LIST, .ref_entity = "roles", .group = "overview"},
    {.name = "max_discount", .label = "Largest discount (basis points: 1000 = 10%)",
     .label_zh = "最大折扣（万分比：1000 即 10%）", .type = FT_INT,
     .flags = FF_REQUIRED | FF_LIST, .range = &LIMIT, .group = "overview"},
};

const struct entity_def cm__discount_limits = {
    .name = "discount_limits",
    .label = "Discount limit",
    .label_plural = "Discount limits",
    .label_zh = "折扣权限",
    .label_plural_zh = "折扣权限",
    .fields = LIMIT_FIELDS,
    .nfields = RP_NELEM(LIMIT_FIELDS),
    .title_field = "role",
    .default_sort = "role",
    .flags = EF_PLATFORM, /* configuration, not customer records */
};

/* The discount limit of a role in basis points: its row's, or none (-1). */
static enum rp_err limit_of(struct rec_ctx *ctx, const char *role, int64_t *out)
{
    *out = -1;
    if (!role)
        return RP_OK;
    const struct entity_def *e = meta_need("discount_limits");
    const struct rec_param p[] = {{RP_STR("role"), rp_str_c(role)}, {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page;
    const char *saved = rec_system_begin(ctx, "discount limit");
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    rec_system_end(ctx, saved);
    if (!err && page.nrows)
        *out = rec_field(&page.rows[0], "max_discount")->i;
    return err;
}

/* The role of a user (read as the system), or NULL. */
static enum rp_err role_of(struct rec_ctx *ctx, const char *user_id, struct rec *user,
                           const char **role)
{
    *role = NULL;
    const char *saved = rec_system_begin(ctx, "discount limit");
    enum rp_err err = user_id ? rec_get(ctx, meta_need("users"), rp_str_c(user_id), user)
                              : RP_ENOTFOUND;
    rec_system_end(ctx, saved);
    if (!err)
        *role = rec_text(ctx->a, user, "role");
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* The largest discount of r's lines in basis points: a line's rate as given, or an
 * amount off as a share of the line's gross (rounded up, so 10.001 % is over a 10 %
 * limit; a rate's own rounding to the cent never is). */
static int64_t largest_discount(const struct rec *r)
{
    const struct rec_value *v = rec_field(r, "lines");
    json_t *lines = v->null ? NULL : json_loadb(v->s, v->len, 0, NULL);
    int64_t most = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        int64_t gross = 0, off = 0, bp = 0;
        const char *rate = json_string_value(json_object_get(l, "discount_percent"));
        const char *g = json_string_value(json_object_get(l, "gross"));
        const char *d = json_string_value(json_object_get(l, "discount_amount"));
        if (rate && !text_parse_money(rp_str_c(rate), 2, &bp) && bp > 0) {
            most = bp > most ? bp : most;
            continue;
        }
        if (!g || !d || text_parse_money(rp_str_c(g), 2, &gross) ||
            text_parse_money(rp_str_c(d), 2, &off) || gross <= 0 || off <= 0)
            continue;
        /* Exact while off × 10000 fits in 64 bits; past 922 trillion minor units a
         * rate is close enough, rounded up. */
        bp = off >= gross               ? CM_BP
             : off <= INT64_MAX / CM_BP ? (off * CM_BP + gross - 1) / gross
                                        : (int64_t)((long double)off * CM_BP / gross) + 1;
        most = bp > most ? bp : most;
    }
    json_decref(lines);
    return most;
}

enum rp_err cm__check_discount(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    int64_t most = largest_discount(r);
    rec_set_int(r, "max_discount", most);
    bool lines = !old || rec_changed(r, old, "lines") ||
                 (r->owner_id ? !old->owner_id || strcmp(r->owner_id, old->owner_id) != 0
                              : old->owner_id != NULL);
    if (!lines && old)
        return RP_OK;
    struct rec owner;
    const char *role;
    int64_t limit;
    enum rp_err err = role_of(ctx, r->owner_id, &owner, &role);
    if (!err)
        err = limit_of(ctx, role, &limit);
    if (err)
        return err;
    bool over = limit >= 0 && most > limit;
    rec_set_text(r, "approval", over ? "needed" : "not_needed");
    rec_set_text(r, "approved_by", NULL);
    return RP_OK;
}

/* The users who may approve q: active managers sharing a team with its owner whose
 * limit covers it, else the administrators; never the owner. */
static enum rp_err approvers(struct rec_ctx *ctx, const struct rec *q, const char ***ids,
                             size_t *n)
{
    *n = 0;
    *ids = arena_calloc(ctx->a, CM_MAX_APPROVERS + 1, sizeof(**ids));
    struct rec owner;
    const char *role;
    enum rp_err err = role_of(ctx, q->owner_id, &owner, &role);
    const char *teams = err || !role ? NULL : rec_text(ctx->a, &owner, "team_ids");
    json_t *mine = teams ? json_loads(teams, 0, NULL) : NULL;
    const struct entity_def *ue = meta_need("users");
    int64_t need = rec_field(q, "max_discount")->i;
    for (int pass = 0; !err && pass < 2 && !*n; pass++) {
        const struct rec_param p[] = {{RP_STR("role"), pass ? RP_STR("admin") : RP_STR("manager")},
                                      {RP_STR("active"), RP_STR("true")},
                                      {RP_STR("limit"), RP_STR("200")}};
        struct rec_query *qq;
        struct rec_page page;
        const char *saved = rec_system_begin(ctx, "discount approval");
        err = rec_query_parse(ctx, ue, p, RP_NELEM(p), &qq);
        if (!err)
            err = rec_list(ctx, ue, qq, &page);
        rec_system_end(ctx, saved);
        for (size_t i = 0; !err && i < page.nrows && *n < CM_MAX_APPROVERS; i++) {
            const struct rec *u = &page.rows[i];
            if (q->owner_id && strcmp(u->id, q->owner_id) == 0)
                continue;
            int64_t limit;
            if (!pass) {
                const char *t = rec_text(ctx->a, u, "team_ids");
                json_t *theirs = t ? json_loads(t, 0, NULL) : NULL;
                bool shared = false;
                for (size_t a = 0; a < json_array_size(mine) && !shared; a++)
                    for (size_t b = 0; b < json_array_size(theirs) && !shared; b++)
                        shared = json_equal(json_array_get(mine, a), json_array_get(theirs, b));
                json_decref(theirs);
                if (!shared || (err = limit_of(ctx, "manager", &limit)) ||
                    (limit >= 0 && limit < need))
                    continue;
            }
            (*ids)[(*n)++] = u->id;
        }
    }
    json_decref(mine);
    return err;
}

/* Whether two users share a team (read as the system). */
static enum rp_err shares_team(struct rec_ctx *ctx, const char *a, const char *b, bool *out)
{
    *out = false;
    struct rec ua, ub;
    const char *ra, *rb;
    enum rp_err err = role_of(ctx, a, &ua, &ra);
    if (!err)
        err = role_of(ctx, b, &ub, &rb);
    if (err || !ra || !rb)
        return err;
    const char *ta = rec_text(ctx->a, &ua, "team_ids"), *tb = rec_text(ctx->a, &ub, "team_ids");
    json_t *x = ta ? json_loads(ta, 0, NULL) : NULL, *y = tb ? json_loads(tb, 0, NULL) : NULL;
    for (size_t i = 0; i < json_array_size(x) && !*out; i++)
        for (size_t k = 0; k < json_array_size(y) && !*out; k++)
            *out = json_equal(json_array_get(x, i), json_array_get(y, k));
    json_decref(x);
    json_decref(y);
    return RP_OK;
}

/* Sets the approval members of a quote as the system, and reads it back. */
static enum rp_err set_approval(struct rec_ctx *ctx, const struct rec *q, const char *state,
                                const char *by, struct rec *out)
{
    struct rec_input in[] = {rec_in_text("approval", state), rec_in_opt("approved_by", by)};
    const char *saved = rec_system_begin(ctx, "discount approval");
    enum rp_err err = rec_update(ctx, q->ent, rp_str_c(q->id), in, RP_NELEM(in), q->version, out);
    rec_system_end(ctx, saved);
    return err;
}

/* Marks the approvers' open tasks about q completed: one of them decided. */
static enum rp_err close_tasks(struct rec_ctx *ctx, const struct rec *q)
{
    const struct entity_def *ae = meta_need("activities");
    const struct rec_param p[] = {{RP_STR("related_type"), RP_STR("quotes")},
                                  {RP_STR("related_id"), rp_str_c(q->id)},
                                  {RP_STR("type"), RP_STR("task")},
                                  {RP_STR("status"), RP_STR("planned")},
                                  {RP_STR("limit"), RP_STR("100")}};
    struct rec_query *qq;
    struct rec_page page;
    const char *saved = rec_system_begin(ctx, "discount approval");
    enum rp_err err = rec_query_parse(ctx, ae, p, RP_NELEM(p), &qq);
    if (!err)
        err = rec_list(ctx, ae, qq, &page);
    struct rec_input done = rec_in_text("status", "completed");
    for (size_t i = 0; !err && i < page.nrows; i++) {
        struct rec t;
        err = rec_update(ctx, ae, rp_str_c(page.rows[i].id), &done, 1, -1, &t);
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err cm_request_approval(struct rec_ctx *ctx, struct rp_str id, struct rec *out)
{
    struct rec q;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), id, &q);
    if (!err)
        err = rec_check_action(ctx, q.ent, &q, ACL_EDIT, MSG("ask approval for"));
    if (err)
        return err;
    if (!rec_is(&q, "approval", "needed") && !rec_is(&q, "approval", "rejected"))
        return rec_fail(ctx, RP_ECONFLICT, "this quote needs no approval now");
    const char **who;
    size_t n = 0;
    if ((err = approvers(ctx, &q, &who, &n)))
        return err;
    if (!n)
        return rec_fail(ctx, RP_ECONFLICT, "nobody may approve this discount: ask an administrator "
                                           "to raise a limit");
    if ((err = rec_tx_begin(ctx)))
        return err;
    err = set_approval(ctx, &q, "requested", NULL, out);
    const char *number = rec_text(ctx->a, out, "number");
    char pct[32];
    text_format_money(rec_field(out, "max_discount")->i, 2, pct, sizeof(pct));
    for (size_t i = 0; !err && i < n; i++) {
        struct rec_input task[] = {
            rec_in_text("type", "task"),
            rec_in_text("subject", rec_msgf(ctx, "Approve a discount of %s%% on quote %s", pct,
                                            number)),
            rec_in_text("status", "planned"),
            rec_in_text("priority", "high"),
            rec_in_text("due_at", cm__now(ctx)),
            rec_in_text("related_type", "quotes"),
            rec_in_text("related_id", out->id),
            rec_in_text("owner_id", who[i]),
        };
        struct rec t;
        const char *saved = rec_system_begin(ctx, "discount approval");
        err = rec_create(ctx, meta_need("activities"), task, RP_NELEM(task), &t);
        if (!err)
            err = notify_alert(ctx, who[i], out, "Approve a discount of %s%% on quote %s", pct,
                               number);
        rec_system_end(ctx, saved);
    }
    return rec_tx_end(ctx, err);
}

enum rp_err cm_decide_approval(struct rec_ctx *ctx, struct rp_str id, bool approve,
                               struct rec *out)
{
    struct rec q;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), id, &q);
    if (err)
        return err;
    const char *me = ctx->who ? ctx->who->user_id : NULL;
    int64_t limit = 0;
    if (!me || (q.owner_id && strcmp(me, q.owner_id) == 0))
        return rec_fail(ctx, RP_EFORBIDDEN, "a quote's owner does not approve their own discount");
    if (!acl_is_admin(ctx->who)) {
        /* The approvers asked: a manager of the owner's teams (or an administrator). */
        bool mine = false;
        if (!strcmp(ctx->who->role, "manager") && (err = shares_team(ctx, q.owner_id, me, &mine)))
            return err;
        if (!mine)
            return rec_fail(ctx, RP_EFORBIDDEN, "a discount is approved by a manager of the quote "
                                                "owner's teams, or an administrator");
        if ((err = limit_of(ctx, ctx->who->role, &limit)))
            return err;
        if (limit >= 0 && limit < rec_field(&q, "max_discount")->i)
            return rec_fail(ctx, RP_EFORBIDDEN, "this discount is over your own limit");
    }
    if (!rec_is(&q, "approval", "requested") && !rec_is(&q, "approval", "needed"))
        return rec_fail(ctx, RP_ECONFLICT, "this quote is not waiting for an approval");
    if ((err = rec_tx_begin(ctx)))
        return err;
    err = set_approval(ctx, &q, approve ? "approved" : "rejected", me, out);
    if (!err)
        err = close_tasks(ctx, out);
    const char *number = rec_text(ctx->a, out, "number");
    if (!err && out->owner_id) {
        const char *saved = rec_system_begin(ctx, "discount approval");
        err = approve ? notify_alert(ctx, out->owner_id, out, "The discount on quote %s is approved",
                                     number)
                      : notify_alert(ctx, out->owner_id, out, "The discount on quote %s is rejected",
                                     number);
        rec_system_end(ctx, saved);
    }
    return rec_tx_end(ctx, err);
}

enum rp_err cm__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    (void)interactive;
    /* The first start only: an administrator's later changes and deletions stay. */
    static const struct {
        const char *role, *bp;
    } SEED[] = {{"sales", "1000"}, {"marketing", "1000"}, {"partner", "500"}};
    enum rp_err err = rec_tx_begin(ctx);
    int64_t n = 0, rows = 0;
    if (!err)
        err = rec_next_number(ctx, "discount_limits.seeded", &n);
    /* A database that has them already (copied by `rapport migrate` from one that
     * had no counter yet) is not seeded again. */
    if (!err && n == 1)
        err = cm__sql_count_all(ctx, "discount_limits", &rows);
    if (!err && rows)
        n = 2;
    for (size_t i = 0; !err && n == 1 && i < RP_NELEM(SEED); i++) {
        struct rec_input in[] = {rec_in_text("role", SEED[i].role),
                                 {.field = RP_STR("max_discount"), .kind = IN_NUMBER,
                                  .s = SEED[i].bp, .len = strlen(SEED[i].bp)}};
        struct rec out;
        err = rec_create(ctx, meta_need("discount_limits"), in, RP_NELEM(in), &out);
    }
    if (!err && n == 1)
        err = cm__seed_currencies(ctx);
    return rec_tx_end(ctx, err);
}
