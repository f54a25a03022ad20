/* Unit tests for permissions (crm/acl.c) as the record engine applies them: role
 * names, the scope table, own/team/all visibility in get, list, count and search,
 * edit and delete rights, owner assignment, platform entities and the transfer of
 * a user's records. One database for the group (users cost an argon2id hash each):
 *
 *   team1: sales A, manager M        team2: sales B        no team: readonly R, admin
 *   accounts: accA (A), accB (B), accM (M); contacts: conA (A), conB (B)
 *
 * Tests that change data use records of their own; the visibility tests, which count
 * records and users, run before the ones that add them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine_fixture.h"

struct world {
    struct efx *f;
    const char *team1, *team2;
    struct principal A, B, M, R, admin, P; /* P: a partner in team1 */
    const char *accA, *accB, *accM, *conA, *conB;
};

static const char *contact(struct efx *f, struct principal *who, const char *last,
                           const char *account)
{
    struct rec_input in[] = {IN_S("last_name", last), IN_S("account_id", account)};
    return fx_create(f, who, meta_need("contacts"), in, 2).id;
}

static int group_setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    if (!w || efx_open(&w->f)) {
        free(w);
        return -1;
    }
    struct efx *f = w->f;
    w->team1 = fx_team(f, "Team One");
    w->team2 = fx_team(f, "Team Two");
    fx_user(f, "sales.a", "sales", w->team1, &w->A);
    fx_user(f, "sales.b", "sales", w->team2, &w->B);
    fx_user(f, "manager.m", "manager", w->team1, &w->M);
    fx_user(f, "readonly.r", "readonly", NULL, &w->R);
    fx_user(f, "admin", "admin", NULL, &w->admin);
    fx_user(f, "partner.p", "partner", w->team1, &w->P);
    w->accA = fx_account(f, &w->A, "Alpha 北京 Trading");
    w->accB = fx_account(f, &w->B, "Bravo 北京 Trading");
    w->accM = fx_account(f, &w->M, "Mike 北京 Trading");
    w->conA = contact(f, &w->A, "Anders", w->accA);
    w->conB = contact(f, &w->B, "Bergman", w->accB);
    *state = w;
    return 0;
}

static int group_teardown(void **state)
{
    struct world *w = *state;
    int rc = efx_close(w->f);
    free(w);
    return rc;
}

/* The principal's peers are cached; a test that adds users starts them afresh. */
static struct efx *fresh(struct world *w)
{
    struct principal *all[] = {&w->A, &w->B, &w->M, &w->R, &w->admin, &w->P};
    for (size_t i = 0; i < RP_NELEM(all); i++)
        all[i]->peers_loaded = false;
    return w->f;
}

static enum rp_err get(struct efx *f, struct principal *who, const struct entity_def *e,
                       const char *id)
{
    struct rec r;
    return rec_get(fx_ctx(f, who), e, rp_str_c(id), &r);
}

/* Ids visible to who in a list of e (one page of 500). */
static struct rec_page list_all(struct efx *f, struct principal *who, const struct entity_def *e)
{
    struct rec_param p[] = {PRM("limit", "500"), PRM("count", "true")};
    struct rec_page page;
    assert_int_equal(fx_list(f, who, e, p, 2, &page), RP_OK);
    assert_int_equal(page.total, (int64_t)page.nrows);
    return page;
}

static bool search_has(struct efx *f, struct principal *who, const char *q, const char *id)
{
    struct rec_hit *hits;
    size_t n = 0;
    assert_int_equal(rec_search_all(fx_ctx(f, who), rp_str_c(q), 50, &hits, &n), RP_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(hits[i].id, id) == 0)
            return true;
    return false;
}

/* ---- roles and the scope table ---- */

static void test_role_names(void **state)
{
    (void)state;
    /* The database opened with the built-in roles, and only admin administers. */
    static const char *const builtin[] = {"admin",     "manager", "sales",   "support",
                                          "marketing", "partner", "readonly"};
    size_t n;
    meta_roles(NULL, &n);
    assert_int_equal(n, RP_NELEM(builtin));
    for (size_t i = 0; i < RP_NELEM(builtin); i++) {
        const struct acl_role *r = meta_role(NULL, builtin[i]);
        assert_non_null(r);
        assert_string_equal(acl_role_key(r), builtin[i]);
        struct principal p = {.user_id = "u", .role = builtin[i]};
        assert_int_equal(acl_is_admin(&p), i == 0);
    }
    assert_null(meta_role(NULL, "Admin"));
    assert_null(meta_role(NULL, "superuser"));
    assert_null(meta_role(NULL, NULL));
    static const char *const scopes[] = {"none", "own", "team", "team_and_below", "all"};
    for (size_t i = 0; i < RP_NELEM(scopes); i++) {
        enum acl_scope s = SCOPE_ALL;
        assert_true(acl_scope_parse(rp_str_c(scopes[i]), &s));
        assert_int_equal(s, (enum acl_scope)i);
        assert_string_equal(acl_scope_name(s), scopes[i]);
    }
    enum acl_scope s = SCOPE_OWN;
    assert_false(acl_scope_parse(RP_STR("everyone"), &s));
    assert_int_equal(s, SCOPE_OWN); /* untouched on failure */
}

static void test_scope_table(void **state)
{
    struct world *w = *state;
    /* No caller is denied: system work is asked for by name (rec_ctx_system). */
    assert_int_equal(acl_scope(NULL, meta_need("accounts"), ACL_READ), SCOPE_NONE);
    assert_int_equal(acl_scope(NULL, meta_need("users"), ACL_CREATE), SCOPE_NONE);
    /* CRM records. */
    assert_int_equal(acl_scope(&w->A, meta_need("accounts"), ACL_READ), SCOPE_TEAM);
    assert_int_equal(acl_scope(&w->A, meta_need("accounts"), ACL_CREATE), SCOPE_OWN);
    assert_int_equal(acl_scope(&w->A, meta_need("accounts"), ACL_EDIT), SCOPE_OWN);
    assert_int_equal(acl_scope(&w->A, meta_need("contacts"), ACL_DELETE), SCOPE_OWN);
    assert_int_equal(acl_scope(&w->M, meta_need("accounts"), ACL_EDIT), SCOPE_TEAM);
    assert_int_equal(acl_scope(&w->R, meta_need("accounts"), ACL_READ), SCOPE_ALL);
    assert_int_equal(acl_scope(&w->R, meta_need("accounts"), ACL_CREATE), SCOPE_NONE);
    assert_int_equal(acl_scope(&w->R, meta_need("accounts"), ACL_EXPORT), SCOPE_NONE);
    assert_int_equal(acl_scope(&w->admin, meta_need("accounts"), ACL_DELETE), SCOPE_ALL);
    assert_int_equal(acl_scope(&w->P, meta_need("accounts"), ACL_READ), SCOPE_OWN);
    /* Platform entities: admins change them, partners do not even read them. */
    assert_int_equal(acl_scope(&w->A, meta_need("users"), ACL_READ), SCOPE_ALL);
    assert_int_equal(acl_scope(&w->A, meta_need("users"), ACL_CREATE), SCOPE_NONE);
    assert_int_equal(acl_scope(&w->M, meta_need("teams"), ACL_EDIT), SCOPE_NONE);
    assert_int_equal(acl_scope(&w->P, meta_need("users"), ACL_READ), SCOPE_NONE);
    assert_int_equal(acl_scope(&w->admin, meta_need("teams"), ACL_CREATE), SCOPE_ALL);
}

static void test_peers_and_owner_scope(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    struct rec_ctx *ctx = fx_ctx(f, &w->A);
    assert_int_equal(acl_peers(ctx, false), RP_OK);
    assert_true(w->A.peers_loaded);
    assert_int_equal(w->A.npeers, 3); /* A, M and P share team1 */
    assert_true(acl_owner_in_scope(ctx, SCOPE_TEAM, w->M.user_id));
    assert_true(acl_owner_in_scope(ctx, SCOPE_TEAM, w->A.user_id));
    assert_false(acl_owner_in_scope(ctx, SCOPE_TEAM, w->B.user_id));
    assert_false(acl_owner_in_scope(ctx, SCOPE_TEAM, NULL));
    assert_true(acl_owner_in_scope(ctx, SCOPE_OWN, w->A.user_id));
    assert_false(acl_owner_in_scope(ctx, SCOPE_OWN, w->M.user_id));
    assert_false(acl_owner_in_scope(ctx, SCOPE_OWN, NULL));
    assert_false(acl_owner_in_scope(ctx, SCOPE_NONE, w->A.user_id));
    assert_true(acl_owner_in_scope(ctx, SCOPE_ALL, w->B.user_id));
    assert_true(acl_owner_in_scope(ctx, SCOPE_ALL, NULL));
    /* Someone without a team is their own only peer. */
    ctx = fx_ctx(f, &w->R);
    assert_int_equal(acl_peers(ctx, false), RP_OK);
    assert_int_equal(w->R.npeers, 1);
    assert_string_equal(w->R.peers[0], w->R.user_id);
}

/* ---- visibility ---- */

static void test_sales_isolation(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    /* A reads its own and its team's records … */
    assert_int_equal(get(f, &w->A, meta_need("accounts"), w->accA), RP_OK);
    assert_int_equal(get(f, &w->A, meta_need("accounts"), w->accM), RP_OK);
    assert_int_equal(get(f, &w->A, meta_need("contacts"), w->conA), RP_OK);
    /* … and B's records do not exist for A. */
    assert_int_equal(get(f, &w->A, meta_need("accounts"), w->accB), RP_ENOTFOUND);
    assert_int_equal(get(f, &w->A, meta_need("contacts"), w->conB), RP_ENOTFOUND);
    assert_int_equal(get(f, &w->B, meta_need("accounts"), w->accA), RP_ENOTFOUND);
    assert_int_equal(get(f, &w->B, meta_need("accounts"), w->accM), RP_ENOTFOUND);

    struct rec_page page = list_all(f, &w->A, meta_need("accounts"));
    assert_int_equal(page.nrows, 2);
    assert_true(fx_page_has(&page, w->accA));
    assert_true(fx_page_has(&page, w->accM));
    assert_false(fx_page_has(&page, w->accB));
    assert_int_equal(fx_count(f, &w->A, meta_need("accounts")), 2);
    assert_int_equal(fx_count(f, &w->A, meta_need("contacts")), 1);
    page = list_all(f, &w->B, meta_need("accounts"));
    assert_int_equal(page.nrows, 1);
    assert_string_equal(page.rows[0].id, w->accB);
    /* Filters and search cannot reach past the scope. */
    struct rec_param by_owner[] = {PRM("owner_id", w->B.user_id), PRM("count", "true")};
    assert_int_equal(fx_list(f, &w->A, meta_need("accounts"), by_owner, 2, &page), RP_OK);
    assert_int_equal(page.nrows, 0);
    assert_int_equal(page.total, 0);
    struct rec_param by_id[] = {PRM("id", w->accB)};
    assert_int_equal(fx_list(f, &w->A, meta_need("accounts"), by_id, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 0);
    struct rec_param q[] = {PRM("q", "Bravo"), PRM("count", "true")};
    assert_int_equal(fx_list(f, &w->A, meta_need("accounts"), q, 2, &page), RP_OK);
    assert_int_equal(page.total, 0);
    struct rec_param sum[] = {PRM("sum", "annual_revenue"), PRM("count", "true")};
    assert_int_equal(fx_list(f, &w->A, meta_need("accounts"), sum, 2, &page), RP_OK);
    assert_int_equal(page.total, 2);
    assert_false(search_has(f, &w->A, "Bravo", w->accB));
    assert_false(search_has(f, &w->A, "北京", w->accB));
    assert_false(search_has(f, &w->A, "Bergman", w->conB));
    assert_true(search_has(f, &w->A, "北京", w->accA));
    assert_true(search_has(f, &w->A, "北京", w->accM));
    assert_true(search_has(f, &w->B, "北京", w->accB));
    assert_false(search_has(f, &w->B, "北京", w->accA));

    /* A cannot change, delete, restore or see the history of B's records. */
    struct rec out;
    struct rec_input up[] = {IN_S("name", "Hijacked")};
    assert_int_equal(
        rec_update(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(w->accB), up, 1, -1, &out),
        RP_ENOTFOUND);
    assert_int_equal(rec_delete(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(w->accB), -1),
                     RP_ENOTFOUND);
    assert_int_equal(rec_delete(fx_ctx(f, &w->A), meta_need("contacts"), rp_str_c(w->conB), -1),
                     RP_ENOTFOUND);
    struct rec_history_row *h;
    size_t n;
    assert_int_equal(rec_history(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(w->accB), 10, &h, &n),
                     RP_ENOTFOUND);
    /* Team records are readable but not A's to change (sales edit/delete own). */
    assert_int_equal(
        rec_update(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(w->accM), up, 1, -1, &out),
        RP_EFORBIDDEN);
    assert_int_equal(rec_delete(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(w->accM), -1),
                     RP_EFORBIDDEN);
    /* A contact cannot point at an account A cannot see. */
    struct rec_input cin[] = {IN_S("last_name", "Spy"), IN_S("account_id", w->accB)};
    struct rec_ctx *ctx = fx_ctx(f, &w->A);
    assert_int_equal(rec_create(ctx, meta_need("contacts"), cin, 2, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "account_id"));
    struct rec_input mv[] = {IN_S("account_id", w->accB)};
    ctx = fx_ctx(f, &w->A);
    assert_int_equal(rec_update(ctx, meta_need("contacts"), rp_str_c(w->conA), mv, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "account_id"));

    /* Nothing of B's changed. */
    struct rec b;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(w->accB), &b), RP_OK);
    assert_int_equal(b.version, 1);
    assert_string_equal(fx_val(&b, "name")->s, "Bravo 北京 Trading");
    assert_int_equal(get(f, &w->admin, meta_need("accounts"), w->accM), RP_OK);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 2);
}

static void test_manager_admin_readonly_partner(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    /* Manager: the team's records. */
    assert_int_equal(get(f, &w->M, meta_need("accounts"), w->accA), RP_OK);
    assert_int_equal(get(f, &w->M, meta_need("contacts"), w->conA), RP_OK);
    assert_int_equal(get(f, &w->M, meta_need("accounts"), w->accB), RP_ENOTFOUND);
    struct rec_page page = list_all(f, &w->M, meta_need("accounts"));
    assert_int_equal(page.nrows, 2);
    assert_false(fx_page_has(&page, w->accB));
    assert_false(search_has(f, &w->M, "北京", w->accB));
    /* Admin: everything. */
    assert_int_equal(get(f, &w->admin, meta_need("accounts"), w->accB), RP_OK);
    assert_int_equal(get(f, &w->admin, meta_need("accounts"), w->accA), RP_OK);
    page = list_all(f, &w->admin, meta_need("accounts"));
    assert_int_equal(page.nrows, 3);
    assert_int_equal(fx_count(f, &w->admin, meta_need("contacts")), 2);
    assert_true(search_has(f, &w->admin, "北京", w->accB));
    assert_true(search_has(f, &w->admin, "北京", w->accA));
    /* Read-only: reads all, changes nothing. */
    assert_int_equal(get(f, &w->R, meta_need("accounts"), w->accA), RP_OK);
    assert_int_equal(get(f, &w->R, meta_need("accounts"), w->accB), RP_OK);
    assert_int_equal(fx_count(f, &w->R, meta_need("accounts")), 3);
    assert_true(search_has(f, &w->R, "Bergman", w->conB));
    struct rec out;
    struct rec_input in[] = {IN_S("name", "Readonly Co")};
    struct rec_ctx *ctx = fx_ctx(f, &w->R);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), in, 1, &out), RP_EFORBIDDEN);
    assert_non_null(ctx->detail);
    assert_int_equal(
        rec_update(fx_ctx(f, &w->R), meta_need("accounts"), rp_str_c(w->accA), in, 1, -1, &out),
        RP_EFORBIDDEN);
    assert_int_equal(rec_delete(fx_ctx(f, &w->R), meta_need("accounts"), rp_str_c(w->accA), -1),
                     RP_EFORBIDDEN);
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 3);
    /* Partner: own records only, and no directory. */
    assert_int_equal(get(f, &w->P, meta_need("accounts"), w->accA), RP_ENOTFOUND);
    assert_int_equal(fx_count(f, &w->P, meta_need("accounts")), 0);
    assert_int_equal(get(f, &w->P, meta_need("users"), w->A.user_id), RP_ENOTFOUND);
    assert_int_equal(get(f, &w->P, meta_need("users"), w->P.user_id), RP_ENOTFOUND);
    assert_int_equal(fx_list(f, &w->P, meta_need("users"), NULL, 0, &page), RP_EFORBIDDEN);
    assert_false(search_has(f, &w->P, "sales", w->A.user_id));
    assert_false(search_has(f, &w->P, "北京", w->accA));
}

static void test_team_edits(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    const char *acc = fx_account(f, &w->A, "Team Edit Co");
    struct rec out;
    /* The manager edits and deletes a team member's record. */
    struct rec_input up[] = {IN_S("billing_city", "杭州")};
    assert_int_equal(rec_update(fx_ctx(f, &w->M), meta_need("accounts"), rp_str_c(acc), up, 1, 1, &out),
                     RP_OK);
    assert_int_equal(out.version, 2);
    struct rec_history_row *h;
    size_t n;
    assert_int_equal(rec_history(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(acc), 10, &h, &n),
                     RP_OK);
    assert_string_equal(h[0].user_id, w->M.user_id);
    assert_string_equal(h[0].new_value, "杭州");
    /* The owner edits their own. */
    struct rec_input up2[] = {IN_S("billing_city", "苏州")};
    assert_int_equal(rec_update(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(acc), up2, 1, 2, &out),
                     RP_OK);
    /* B is outside the team. */
    assert_int_equal(rec_update(fx_ctx(f, &w->B), meta_need("accounts"), rp_str_c(acc), up, 1, -1, &out),
                     RP_ENOTFOUND);
    assert_int_equal(rec_delete(fx_ctx(f, &w->M), meta_need("accounts"), rp_str_c(acc), -1), RP_OK);
    /* A sees it in the bin (team scope) but may not restore it (delete scope own: it is A's). */
    struct rec_param bin[] = {PRM("deleted", "only")};
    struct rec_page page;
    assert_int_equal(fx_list(f, &w->A, meta_need("accounts"), bin, 1, &page), RP_OK);
    assert_true(fx_page_has(&page, acc));
    assert_int_equal(fx_list(f, &w->B, meta_need("accounts"), bin, 1, &page), RP_OK);
    assert_false(fx_page_has(&page, acc));
    assert_int_equal(rec_restore(fx_ctx(f, &w->B), meta_need("accounts"), rp_str_c(acc), &out),
                     RP_ENOTFOUND);
    assert_int_equal(rec_restore(fx_ctx(f, &w->A), meta_need("accounts"), rp_str_c(acc), &out), RP_OK);
    assert_string_equal(out.owner_id, w->A.user_id);
}

/* ---- owners ---- */

static void test_owner_assignment(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    int64_t before = fx_count(f, NULL, meta_need("accounts"));
    int64_t audits = fx_audit_count(f);
    struct rec out;
    struct rec_ctx *ctx;
    /* Sales create for themselves only. */
    struct rec_input toB[] = {IN_S("name", "For B"), IN_S("owner_id", w->B.user_id)};
    ctx = fx_ctx(f, &w->A);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), toB, 2, &out), RP_EFORBIDDEN);
    assert_non_null(ctx->detail);
    struct rec_input toM[] = {IN_S("name", "For M"), IN_S("owner_id", w->M.user_id)};
    assert_int_equal(rec_create(fx_ctx(f, &w->A), meta_need("accounts"), toM, 2, &out), RP_EFORBIDDEN);
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), before);
    assert_int_equal(fx_audit_count(f), audits);
    struct rec_input toA[] = {IN_S("name", "For A"), IN_S("owner_id", w->A.user_id)};
    assert_int_equal(rec_create(fx_ctx(f, &w->A), meta_need("accounts"), toA, 2, &out), RP_OK);
    assert_string_equal(out.owner_id, w->A.user_id);
    /* Managers assign within the team. */
    struct rec_input mToA[] = {IN_S("name", "M for A"), IN_S("owner_id", w->A.user_id)};
    assert_int_equal(rec_create(fx_ctx(f, &w->M), meta_need("accounts"), mToA, 2, &out), RP_OK);
    assert_string_equal(out.owner_id, w->A.user_id);
    assert_string_equal(out.created_by, w->M.user_id);
    assert_int_equal(get(f, &w->A, meta_need("accounts"), out.id), RP_OK);
    assert_int_equal(rec_create(fx_ctx(f, &w->M), meta_need("accounts"), toB, 2, &out), RP_EFORBIDDEN);
    /* Admins assign to anyone. */
    assert_int_equal(rec_create(fx_ctx(f, &w->admin), meta_need("accounts"), toB, 2, &out), RP_OK);
    assert_string_equal(out.owner_id, w->B.user_id);
    assert_int_equal(get(f, &w->B, meta_need("accounts"), out.id), RP_OK);
    const char *forB = out.id;
    /* Owners must be users. */
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    struct rec_input ghost[] = {IN_S("name", "Ghost"), IN_S("owner_id", missing)};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), ghost, 2, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "owner_id"));
    struct rec_input notid[] = {IN_S("name", "Ghost"), IN_S("owner_id", "bob")};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), notid, 2, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "owner_id"));
    struct rec_input teamid[] = {IN_S("name", "Ghost"), IN_S("owner_id", w->team1)};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), teamid, 2, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "owner_id"));
    /* Reassigning by update follows the same rule. */
    struct rec_input give[] = {IN_S("owner_id", w->A.user_id)};
    assert_int_equal(
        rec_update(fx_ctx(f, &w->B), meta_need("accounts"), rp_str_c(forB), give, 1, -1, &out),
        RP_EFORBIDDEN);
    struct rec g;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(forB), &g), RP_OK);
    assert_string_equal(g.owner_id, w->B.user_id);
    assert_int_equal(g.version, 1);
    assert_int_equal(
        rec_update(fx_ctx(f, &w->admin), meta_need("accounts"), rp_str_c(forB), give, 1, 1, &out),
        RP_OK);
    assert_int_equal(out.version, 2);
    assert_string_equal(out.owner_id, w->A.user_id);
    struct rec_history_row *h;
    size_t n;
    assert_int_equal(rec_history(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(forB), 10, &h, &n),
                     RP_OK);
    assert_string_equal(h[0].action, "update");
    assert_string_equal(h[0].field, "owner_id");
    assert_string_equal(h[0].old_value, w->B.user_id);
    assert_string_equal(h[0].new_value, w->A.user_id);
    assert_int_equal(get(f, &w->B, meta_need("accounts"), forB), RP_ENOTFOUND);
}

/* ---- platform entities ---- */

static void test_platform_entities(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    struct rec out;
    struct rec_input team[] = {IN_S("name", "Sneaky Team")};
    struct rp_str none[1] = {{NULL, 0}};
    struct rec_input user[] = {IN_S("username", "sneaky"), IN_S("password", "a-long-enough-pw"),
                               IN_S("role", "admin"), IN_L("team_ids", none, 0)};
    struct principal *nonadmins[] = {&w->A, &w->M, &w->R, &w->P};
    for (size_t i = 0; i < RP_NELEM(nonadmins); i++) {
        struct rec_ctx *ctx = fx_ctx(f, nonadmins[i]);
        assert_int_equal(rec_create(ctx, meta_need("teams"), team, 1, &out), RP_EFORBIDDEN);
        assert_int_equal(rec_create(fx_ctx(f, nonadmins[i]), meta_need("users"), user, 3, &out),
                         RP_EFORBIDDEN);
    }
    /* Not even to promote oneself. */
    struct rec_input promote[] = {IN_S("role", "admin")};
    assert_int_equal(
        rec_update(fx_ctx(f, &w->A), meta_need("users"), rp_str_c(w->A.user_id), promote, 1, -1, &out),
        RP_EFORBIDDEN);
    assert_int_equal(
        rec_update(fx_ctx(f, &w->M), meta_need("teams"), rp_str_c(w->team1), team, 1, -1, &out),
        RP_EFORBIDDEN);
    assert_int_equal(rec_delete(fx_ctx(f, &w->M), meta_need("teams"), rp_str_c(w->team2), -1),
                     RP_EFORBIDDEN);
    struct rec_param q[] = {PRM("role", "admin")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("users"), q, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    assert_int_equal(fx_count(f, NULL, meta_need("teams")), 2);
    /* Everyone but partners reads the directory. */
    assert_int_equal(get(f, &w->A, meta_need("users"), w->B.user_id), RP_OK);
    assert_int_equal(fx_count(f, &w->A, meta_need("users")), 6);
    assert_int_equal(fx_count(f, &w->R, meta_need("teams")), 2);
    /* The password is never read back. */
    struct rec u;
    assert_int_equal(rec_get(fx_ctx(f, &w->A), meta_need("users"), rp_str_c(w->B.user_id), &u), RP_OK);
    const struct rec_value *pw = fx_val(&u, "password");
    assert_null(rec_value_text(
        &f->a, &meta_need("users")->fields[meta_field_index(meta_need("users"), RP_STR("password"))], pw));
    /* An admin may. */
    assert_int_equal(rec_create(fx_ctx(f, &w->admin), meta_need("teams"), team, 1, &out), RP_OK);
    assert_int_equal(rec_delete(fx_ctx(f, &w->admin), meta_need("teams"), rp_str_c(out.id), -1), RP_OK);
    /* An admin cannot lock themselves out. */
    struct rec_input demote[] = {IN_S("role", "sales")};
    struct rec_ctx *ctx = fx_ctx(f, &w->admin);
    assert_int_equal(
        rec_update(ctx, meta_need("users"), rp_str_c(w->admin.user_id), demote, 1, -1, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "role"));
    struct rec_input off[] = {IN_B("active", false)};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_update(ctx, meta_need("users"), rp_str_c(w->admin.user_id), off, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "active"));
    /* Users must name real teams. */
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    struct rp_str bad_team[] = {rp_str_c(missing)};
    struct rec_input u2[] = {IN_S("username", "nobody"), IN_S("password", "a-long-enough-pw"),
                             IN_S("role", "sales"), IN_L("team_ids", bad_team, 1)};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_create(ctx, meta_need("users"), u2, 4, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "team_ids"));
}

/* ---- transfer ---- */

static void test_transfer(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    struct principal C, D;
    fx_user(f, "leaver.c", "sales", w->team1, &C);
    fx_user(f, "taker.d", "sales", w->team2, &D);
    fresh(w);
    const char *a1 = fx_account(f, &C, "Leaver One");
    const char *a2 = fx_account(f, &C, "Leaver Two");
    const char *c1 = contact(f, &C, "Leaverson", a1);
    const char *binned = fx_account(f, &C, "Leaver Binned");
    assert_int_equal(rec_delete(fx_ctx(f, &C), meta_need("accounts"), rp_str_c(binned), -1), RP_OK);
    int64_t moved = -1;
    struct rec_ctx *ctx;

    /* Only admins. */
    struct principal *nonadmins[] = {&w->M, &C, &w->R};
    for (size_t i = 0; i < RP_NELEM(nonadmins); i++) {
        ctx = fx_ctx(f, nonadmins[i]);
        assert_int_equal(rec_transfer_owner(ctx, rp_str_c(C.user_id), rp_str_c(D.user_id), &moved),
                         RP_EFORBIDDEN);
    }
    struct rec_param mine[] = {PRM("owner_id", C.user_id), PRM("count", "true")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("accounts"), mine, 2, &page), RP_OK);
    assert_int_equal(page.total, 2);
    /* Bad targets. */
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(C.user_id), rp_str_c(C.user_id), &moved),
                     RP_EINVAL);
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(C.user_id), rp_str_c(missing), &moved),
                     RP_EINVAL);
    assert_true(ctx->nerrors > 0);
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(missing), rp_str_c(D.user_id), &moved),
                     RP_ENOTFOUND);
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(C.user_id), RP_STR("x"), &moved), RP_EINVAL);
    struct rec g;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(a1), &g), RP_OK);
    assert_string_equal(g.owner_id, C.user_id);
    assert_int_equal(g.version, 1);

    /* The transfer: every record of C's, accounts and contacts alike, the recycle bin
     * included (so a restored record never comes back to a departed owner). */
    moved = -1;
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(C.user_id), rp_str_c(D.user_id), &moved),
                     RP_OK);
    assert_int_equal(moved, 4);
    const char *ids[] = {a1, a2, c1};
    const struct entity_def *ents[] = {meta_need("accounts"), meta_need("accounts"), meta_need("contacts")};
    for (size_t i = 0; i < RP_NELEM(ids); i++) {
        assert_int_equal(rec_get(fx_ctx(f, &D), ents[i], rp_str_c(ids[i]), &g), RP_OK);
        assert_string_equal(g.owner_id, D.user_id);
        assert_int_equal(g.version, 2);
        struct rec_history_row *h;
        size_t n;
        assert_int_equal(rec_history(fx_ctx(f, &D), ents[i], rp_str_c(ids[i]), 10, &h, &n), RP_OK);
        assert_string_equal(h[0].action, "transfer");
        assert_string_equal(h[0].field, "owner_id");
        assert_string_equal(h[0].old_value, C.user_id);
        assert_string_equal(h[0].new_value, D.user_id);
        assert_string_equal(h[0].user_id, w->admin.user_id);
        /* C (team1) no longer sees them. */
        assert_int_equal(get(f, &C, ents[i], ids[i]), RP_ENOTFOUND);
    }
    assert_int_equal(fx_list(f, NULL, meta_need("accounts"), mine, 2, &page), RP_OK);
    assert_int_equal(page.total, 0);
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), mine, 2, &page), RP_OK);
    assert_int_equal(page.total, 0);
    /* The recycle bin moved too. */
    struct rec b;
    assert_int_equal(rec_restore(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(binned), &b), RP_OK);
    assert_string_equal(b.owner_id, D.user_id);
    /* Other users' records are untouched. */
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(w->accA), &g), RP_OK);
    assert_string_equal(g.owner_id, w->A.user_id);
    assert_int_equal(g.version, 1);
    /* Another user's records: B's account and contact. */
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(w->B.user_id), rp_str_c(D.user_id), &moved),
                     RP_OK);
    assert_int_equal(moved, 2);
    assert_int_equal(get(f, &D, meta_need("accounts"), w->accB), RP_OK);
}

static void test_transfer_to_inactive(void **state)
{
    struct world *w = *state;
    struct efx *f = fresh(w);
    struct principal E;
    fx_user(f, "inactive.e", "sales", NULL, &E);
    struct rec out;
    struct rec_input off[] = {IN_B("active", false)};
    assert_int_equal(
        rec_update(fx_ctx(f, &w->admin), meta_need("users"), rp_str_c(E.user_id), off, 1, -1, &out),
        RP_OK);
    int64_t moved = -1;
    struct rec_ctx *ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_transfer_owner(ctx, rp_str_c(w->M.user_id), rp_str_c(E.user_id), &moved),
                     RP_EINVAL);
    assert_true(ctx->nerrors > 0);
    struct rec g;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(w->accM), &g), RP_OK);
    assert_string_equal(g.owner_id, w->M.user_id);
    /* Nor can records be assigned to them. */
    struct rec_input in[] = {IN_S("name", "To E"), IN_S("owner_id", E.user_id)};
    ctx = fx_ctx(f, &w->admin);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), in, 2, &out), RP_EINVAL);
    assert_true(fx_has_error(ctx, "owner_id"));
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_scope_table),
        cmocka_unit_test(test_peers_and_owner_scope),
        cmocka_unit_test(test_sales_isolation),
        cmocka_unit_test(test_manager_admin_readonly_partner),
        cmocka_unit_test(test_team_edits),
        cmocka_unit_test(test_owner_assignment),
        cmocka_unit_test(test_platform_entities),
        cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_transfer_to_inactive),
    };
    return cmocka_run_group_tests_name("acl", tests, group_setup, group_teardown);
}
