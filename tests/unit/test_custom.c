/* Unit tests for what an administrator changes at run time, as the engine applies it:
 * metadata snapshots (an older one stays usable after a newer is published), roles as
 * records (grants, field rules, team_and_below), record shares, custom fields and
 * entities (checks against data loss, removal into history, the column dropped
 * later), and the JSON reader the roles are parsed with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/json.h"
#include "engine/custom.h"
#include "engine/jobs.h"
#include "engine/module.h"
#include "engine/share.h"
#include "engine_fixture.h"

/* ---- helpers ---- */

static struct rec_input J(const char *field, const char *json) {
    return (struct rec_input){
        .field = rp_str_c(field), .kind = IN_JSON, .s = json, .len = strlen(json)};
}

/* Creates a role as the system and reloads the metadata (as the next request would). */
static void
role(struct efx *f, const char *key, const char *grants, const char *rules)
{
    struct rec_input in[] = {IN_S("key", key), IN_S("label", key), J("grants", grants),
                             rules ? J("field_rules", rules) : IN_0("field_rules")};
    fx_create(f, NULL, meta_need("roles"), in, RP_NELEM(in));
    assert_int_equal(custom_refresh(f->s, f->c, false), RP_OK);
}

static enum rp_err get(struct efx *f, struct principal *who, const char *entity, const char *id,
                       struct rec *out)
{
    return rec_get(fx_ctx(f, who), meta_need(entity), rp_str_c(id), out);
}

/* ---- the JSON reader ---- */

static void test_json_members(void **state)
{
    struct efx *f = *state;
    const char **keys;
    struct rp_str *vals;
    size_t n;
    assert_int_equal(
        json_read_members(&f->a, RP_STR("{\"a\": {\"x\": 1}, \"b\": [1, \"二\"], \"c\": null}"), 8,
                          &keys, &vals, &n),
        RP_OK);
    assert_int_equal(n, 3);
    assert_string_equal(keys[0], "a");
    assert_string_equal(vals[0].p, "{\"x\":1}");
    assert_string_equal(keys[1], "b");
    assert_string_equal(vals[1].p, "[1,\"二\"]");
    assert_string_equal(vals[2].p, "null");
    assert_int_equal(json_read_members(&f->a, RP_STR("[1]"), 8, &keys, &vals, &n), RP_EINVAL);
    assert_int_equal(json_read_members(&f->a, RP_STR("{\"a\":1,\"a\":2}"), 8, &keys, &vals, &n),
                     RP_EINVAL);
    assert_int_equal(json_read_members(&f->a, RP_STR("{\"a\":1,\"b\":2}"), 1, &keys, &vals, &n),
                     RP_EINVAL);
}

/* ---- snapshots ---- */

static void test_snapshot_survives_publish(void **state)
{
    struct efx *f = *state;
    const struct entity_def *before = meta_need("accounts");
    uint64_t gen = meta_generation();
    size_t nfields = before->nfields;
    struct rec_input def[] = {IN_S("name", "snap_note"), IN_S("type", "string"),
                              IN_S("label", "Note")};
    const struct field_def *fd;
    assert_int_equal(custom_field_add(fx_ctx(f, NULL), RP_STR("accounts"), def, 3, &fd), RP_OK);
    const struct entity_def *after = meta_need("accounts");
    assert_ptr_not_equal(before, after);
    assert_true(meta_generation() > gen);
    assert_int_equal(after->nfields, nfields + 1);
    assert_true(fd->flags & FF_CUSTOM);
    assert_string_equal(fd->group, "custom");
    assert_int_equal(after->index, before->index); /* entities keep their place */
    /* What a request held stays whole: its fields and its statements. */
    assert_int_equal(before->nfields, nfields);
    const char *id = fx_account(f, NULL, "Held by an older snapshot");
    struct rec r;
    assert_int_equal(rec_get(fx_ctx(f, NULL), before, rp_str_c(id), &r), RP_OK);
    assert_ptr_equal(r.ent, before);
    assert_int_equal(rec_get(fx_ctx(f, NULL), after, rp_str_c(id), &r), RP_OK);
    assert_true(fx_val(&r, "snap_note")->null);
    /* Reloading at the same generation keeps the snapshot. */
    assert_int_equal(custom_refresh(f->s, f->c, false), RP_OK);
    assert_ptr_equal(meta_need("accounts"), after);
}

/* ---- roles ---- */

static void test_role_grants_and_rules(void **state)
{
    struct efx *f = *state;
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_null(acl_check_grants(&f->a, RP_LANG_EN, "{\"accounts\": {\"read\": \"own\"}}", NULL));
    assert_non_null(acl_check_grants(&f->a, RP_LANG_EN, "{\"nope\": {\"read\": \"own\"}}", NULL));
    assert_non_null(
        acl_check_grants(&f->a, RP_LANG_EN, "{\"accounts\": {\"peek\": \"own\"}}", NULL));
    assert_non_null(
        acl_check_grants(&f->a, RP_LANG_EN, "{\"accounts\": {\"read\": \"everyone\"}}", NULL));
    assert_non_null(acl_check_grants(&f->a, RP_LANG_EN, "[1]", NULL));
    /* A name the old text had passes (a removed custom entity or field). */
    assert_null(acl_check_grants(&f->a, RP_LANG_EN, "{\"gone\": {\"read\": \"own\"}}",
                                 "{\"gone\": {\"read\": \"all\"}}"));
    assert_null(
        acl_check_field_rules(&f->a, RP_LANG_EN, "{\"accounts\": {\"phone\": \"hidden\"}}", NULL));
    assert_non_null(
        acl_check_field_rules(&f->a, RP_LANG_EN, "{\"accounts\": {\"phone\": \"secret\"}}", NULL));
    assert_non_null(acl_check_field_rules(&f->a, RP_LANG_EN,
                                          "{\"accounts\": {\"nofield\": \"hidden\"}}", NULL));
    assert_null(acl_check_field_rules(&f->a, RP_LANG_EN,
                                      "{\"accounts\": {\"nofield\": \"hidden\"}}",
                                      "{\"accounts\": {\"nofield\": \"readonly\"}}"));
    /* Validation of the record: the admin role stays admin; bad grants are a field error. */
    struct rec_input bad[] = {IN_S("key", "Bad Key"), IN_S("label", "x"),
                              J("grants", "{\"accounts\": {\"read\": \"sometimes\"}}")};
    struct rec r;
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_create(ctx, meta_need("roles"), bad, 3, &r), RP_EINVAL);
    assert_true(fx_has_error(ctx, "key"));
    assert_true(fx_has_error(ctx, "grants"));

    role(f, "peeker", "{\"accounts\": {\"read\": \"own\", \"create\": \"own\", \"edit\": \"own\"}}",
         "{\"accounts\": {\"phone\": \"hidden\", \"website\": \"readonly\"}}");
    struct principal P;
    fx_user(f, "peeker.p", "peeker", NULL, &P);
    assert_int_equal(acl_scope(&P, meta_need("accounts"), ACL_READ), SCOPE_OWN);
    assert_int_equal(acl_scope(&P, meta_need("accounts"), ACL_DELETE), SCOPE_NONE);
    assert_int_equal(acl_scope(&P, meta_need("contacts"), ACL_READ), SCOPE_NONE);
    assert_false(acl_is_admin(&P));
    struct rec_input in[] = {IN_S("name", "Peek Ltd"), IN_S("website", "https://peek.example")};
    ctx = fx_ctx(f, &P);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), in, 2, &r), RP_EINVAL);
    assert_true(fx_has_error(ctx, "website")); /* read-only for the role */
    struct rec_input ok[] = {IN_S("name", "Peek Ltd"), IN_S("phone", "+1 212 555 0100")};
    ctx = fx_ctx(f, &P);
    assert_int_equal(rec_create(ctx, meta_need("accounts"), ok, 2, &r), RP_EINVAL);
    assert_true(fx_has_error(ctx, "phone")); /* hidden: not a field for the role */
    struct rec mine = fx_create(f, &P, meta_need("accounts"), ok, 1);
    /* The system sets the hidden field; the role never reads it back. */
    struct rec_input phone[] = {IN_S("phone", "+1 212 555 0199")};
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(mine.id), phone, 1, -1, &r),
        RP_OK);
    assert_int_equal(get(f, &P, "accounts", mine.id, &r), RP_OK);
    int at = meta_field_index(r.ent, RP_STR("phone"));
    assert_true(rec_hidden(&r, (size_t)at));
    assert_true(r.v[at].null);
    /* Unchanged read-only values pass; a changed one does not. */
    struct rec_input same[] = {IN_0("website"), IN_S("description", "fine")};
    assert_int_equal(
        rec_update(fx_ctx(f, &P), meta_need("accounts"), rp_str_c(mine.id), same, 2, -1, &r),
        RP_OK);
    /* Filtering or sorting on the hidden field is as for no field. */
    struct rec_param p[] = {PRM("phone", "+1 212 555 0199")};
    struct rec_page page;
    assert_int_equal(fx_list(f, &P, meta_need("accounts"), p, 1, &page), RP_EINVAL);
    struct rec_param s[] = {PRM("sort", "phone")};
    assert_int_equal(fx_list(f, &P, meta_need("accounts"), s, 1, &page), RP_EINVAL);
    /* History leaves the hidden field out. */
    struct rec_history_row *h;
    size_t nh;
    assert_int_equal(
        rec_history(fx_ctx(f, &P), meta_need("accounts"), rp_str_c(mine.id), 50, &h, &nh), RP_OK);
    for (size_t i = 0; i < nh; i++)
        assert_true(!h[i].field || strcmp(h[i].field, "phone") != 0);
    /* A change to the role applies at the next reload: read none. */
    struct rec_param key[] = {PRM("key", "peeker")};
    assert_int_equal(fx_list(f, NULL, meta_need("roles"), key, 1, &page), RP_OK);
    struct rec_input none[] = {J("grants", "{\"accounts\": {\"read\": \"none\"}}")};
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("roles"), rp_str_c(page.rows[0].id), none, 1, -1, &r),
        RP_OK);
    assert_int_equal(custom_refresh(f->s, f->c, false), RP_OK);
    assert_int_equal(get(f, &P, "accounts", mine.id, &r), RP_ENOTFOUND);
    /* A role in use cannot be deleted, nor can admin. */
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_delete(ctx, meta_need("roles"), rp_str_c(page.rows[0].id), -1),
                     RP_ECONFLICT);
}

static void test_team_and_below(void **state)
{
    struct efx *f = *state;
    const char *top = fx_team(f, "Top");
    struct rec_input mid_in[] = {IN_S("name", "Mid"), IN_S("parent_id", top)};
    const char *mid = fx_create(f, NULL, meta_need("teams"), mid_in, 2).id;
    struct rec_input leaf_in[] = {IN_S("name", "Leaf"), IN_S("parent_id", mid)};
    const char *leaf = fx_create(f, NULL, meta_need("teams"), leaf_in, 2).id;
    /* A loop of parents is refused. */
    struct rec_input loop[] = {IN_S("parent_id", leaf)};
    struct rec r;
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("teams"), rp_str_c(top), loop, 1, -1, &r),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "parent_id"));
    role(f, "below", "{\"accounts\": {\"read\": \"team_and_below\"}}", NULL);
    role(f, "flat", "{\"accounts\": {\"read\": \"team\"}}", NULL);
    struct principal boss, mgr, rep, peer;
    fx_user(f, "boss", "below", top, &boss);
    fx_user(f, "mgr", "flat", top, &mgr);
    fx_user(f, "rep", "sales", leaf, &rep);
    fx_user(f, "peer", "sales", mid, &peer);
    const char *deep = fx_account(f, &rep, "Deep account");
    const char *middle = fx_account(f, &peer, "Middle account");
    assert_int_equal(get(f, &boss, "accounts", deep, &r), RP_OK);
    assert_int_equal(get(f, &boss, "accounts", middle, &r), RP_OK);
    assert_int_equal(fx_count(f, &boss, meta_need("accounts")), 2);
    assert_int_equal(get(f, &mgr, "accounts", deep, &r), RP_ENOTFOUND);
    assert_int_equal(fx_count(f, &mgr, meta_need("accounts")), 0);
    /* Moving the leaf out of the tree takes its records out of the boss's reach. */
    struct rec_input out[] = {IN_0("parent_id")};
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("teams"), rp_str_c(leaf), out, 1, -1, &r), RP_OK);
    struct principal boss2 = boss; /* a new request: nothing loaded yet */
    boss2.peers_loaded = boss2.below_loaded = boss2.teams_loaded = false;
    assert_int_equal(get(f, &boss2, "accounts", deep, &r), RP_ENOTFOUND);
    assert_int_equal(get(f, &boss2, "accounts", middle, &r), RP_OK);
}

/* ---- shares ---- */

static void test_shares(void **state)
{
    struct efx *f = *state;
    const char *t1 = fx_team(f, "Share one"), *t2 = fx_team(f, "Share two");
    struct principal A, B, C;
    fx_user(f, "share.a", "sales", t1, &A);
    fx_user(f, "share.b", "sales", t2, &B);
    fx_user(f, "share.c", "sales", t2, &C);
    const char *acc = fx_account(f, &A, "Shared 共享 account");
    struct rec r;
    assert_int_equal(get(f, &B, "accounts", acc, &r), RP_ENOTFOUND);
    assert_int_equal(fx_count(f, &B, meta_need("accounts")), 0);
    /* B may not share what B cannot see; bad input changes nothing. */
    struct store_share s;
    assert_int_equal(rec_share_add(fx_ctx(f, &B), meta_need("accounts"), rp_str_c(acc),
                                   rp_str_c(B.user_id), (struct rp_str){NULL, 0}, RP_STR("read"),
                                   &s),
                     RP_ENOTFOUND);
    struct rec_ctx *ctx = fx_ctx(f, &A);
    assert_int_equal(rec_share_add(ctx, meta_need("accounts"), rp_str_c(acc), rp_str_c(B.user_id),
                                   rp_str_c(t2), RP_STR("write"), &s),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "access"));
    /* A shares it with B to read. */
    assert_int_equal(rec_share_add(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc),
                                   rp_str_c(B.user_id), (struct rp_str){NULL, 0}, RP_STR("read"),
                                   &s),
                     RP_OK);
    assert_int_equal(get(f, &B, "accounts", acc, &r), RP_OK);
    assert_int_equal(fx_count(f, &B, meta_need("accounts")), 1);
    assert_int_equal(get(f, &C, "accounts", acc, &r), RP_ENOTFOUND);
    struct rec_input ch[] = {IN_S("description", "by B")};
    assert_int_equal(rec_update(fx_ctx(f, &B), meta_need("accounts"), rp_str_c(acc), ch, 1, -1, &r),
                     RP_EFORBIDDEN);
    /* Re-sharing with edit replaces the share: B edits, never deletes. */
    assert_int_equal(rec_share_add(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc),
                                   rp_str_c(B.user_id), (struct rp_str){NULL, 0}, RP_STR("edit"),
                                   &s),
                     RP_OK);
    struct store_share *list;
    size_t n;
    assert_int_equal(rec_shares(fx_ctx(f, &B), meta_need("accounts"), rp_str_c(acc), &list, &n),
                     RP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].access, "edit");
    assert_int_equal(rec_update(fx_ctx(f, &B), meta_need("accounts"), rp_str_c(acc), ch, 1, -1, &r),
                     RP_OK);
    assert_int_equal(rec_delete(fx_ctx(f, &B), meta_need("accounts"), rp_str_c(acc), -1),
                     RP_EFORBIDDEN);
    /* A team share opens it to C too. */
    struct store_share ts;
    assert_int_equal(rec_share_add(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc),
                                   (struct rp_str){NULL, 0}, rp_str_c(t2), RP_STR("read"), &ts),
                     RP_OK);
    assert_int_equal(get(f, &C, "accounts", acc, &r), RP_OK);
    /* Removing both: gone everywhere; the history has the four events. */
    assert_int_equal(
        rec_share_remove(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc), rp_str_c(s.id)),
        RP_OK);
    assert_int_equal(
        rec_share_remove(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc), rp_str_c(ts.id)),
        RP_OK);
    assert_int_equal(
        rec_share_remove(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc), rp_str_c(ts.id)),
        RP_ENOTFOUND);
    assert_int_equal(get(f, &B, "accounts", acc, &r), RP_ENOTFOUND);
    assert_int_equal(get(f, &C, "accounts", acc, &r), RP_ENOTFOUND);
    assert_int_equal(fx_count(f, &B, meta_need("accounts")), 0);
    struct rec_history_row *h;
    size_t nh, shares = 0, unshares = 0;
    assert_int_equal(rec_history(fx_ctx(f, &A), meta_need("accounts"), rp_str_c(acc), 50, &h, &nh),
                     RP_OK);
    for (size_t i = 0; i < nh; i++) {
        shares += strcmp(h[i].action, "share") == 0;
        unshares += strcmp(h[i].action, "unshare") == 0;
    }
    assert_int_equal(shares, 3);
    assert_int_equal(unshares, 2);
}

/* ---- custom fields ---- */

static void test_custom_field_checks(void **state)
{
    struct efx *f = *state;
    const struct field_def *fd;
    struct rec_ctx *ctx;
    fx_account(f, NULL, "Has records");
    /* Name checks. */
    const char *bad_names[] = {"select", "owner_id", "x", "Name", "9lives", "name"};
    for (size_t i = 0; i < RP_NELEM(bad_names); i++) {
        struct rec_input in[] = {IN_S("name", bad_names[i]), IN_S("type", "string"),
                                 IN_S("label", "L")};
        ctx = fx_ctx(f, NULL);
        assert_int_equal(custom_field_add(ctx, RP_STR("accounts"), in, 3, &fd), RP_EINVAL);
        assert_true(fx_has_error(ctx, "name"));
    }
    /* Type-decided members. */
    struct rec_input no_values[] = {IN_S("name", "grade"), IN_S("type", "enum"),
                                    IN_S("label", "T")};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_field_add(ctx, RP_STR("accounts"), no_values, 3, &fd), RP_EINVAL);
    assert_true(fx_has_error(ctx, "enum_values"));
    struct rec_input bounds[] = {IN_S("name", "score"), IN_S("type", "int"), IN_S("label", "S"),
                                 IN_N("min", "10"), IN_N("max", "1")};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_field_add(ctx, RP_STR("accounts"), bounds, 5, &fd), RP_EINVAL);
    assert_true(fx_has_error(ctx, "min"));
    /* Required over existing records needs a default, which fills them. */
    struct rec_input req[] = {IN_S("name", "region"), IN_S("type", "string"), IN_S("label", "R"),
                              IN_B("required", true)};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_field_add(ctx, RP_STR("accounts"), req, 4, &fd), RP_EINVAL);
    assert_true(fx_has_error(ctx, "required"));
    struct rec_input req2[] = {IN_S("name", "region"), IN_S("type", "string"), IN_S("label", "R"),
                               IN_B("required", true), IN_S("default", "华东")};
    assert_int_equal(custom_field_add(fx_ctx(f, NULL), RP_STR("accounts"), req2, 5, &fd), RP_OK);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM accounts WHERE region IS NULL", NULL, 0),
                     0);
    /* An enum: a value in use stays; a narrowing type change is refused. */
    const char *vals[] = {"gold", "silver"};
    struct rp_str items[] = {rp_str_c(vals[0]), rp_str_c(vals[1])};
    struct rec_input grade[] = {IN_S("name", "grade"), IN_S("type", "enum"), IN_S("label", "Grade"),
                                IN_L("enum_values", items, 2)};
    assert_int_equal(custom_field_add(fx_ctx(f, NULL), RP_STR("accounts"), grade, 4, &fd), RP_OK);
    struct rec_input acc[] = {IN_S("name", "Golden"), IN_S("grade", "gold")};
    struct rec golden = fx_create(f, NULL, meta_need("accounts"), acc, 2);
    struct rec_input drop_gold[] = {IN_L("enum_values", items + 1, 1)};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(
        custom_field_change(ctx, RP_STR("accounts"), RP_STR("grade"), drop_gold, 1, &fd),
        RP_EINVAL);
    assert_true(fx_has_error(ctx, "enum_values"));
    struct rec_input to_int[] = {IN_S("type", "int")};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_field_change(ctx, RP_STR("accounts"), RP_STR("region"), to_int, 1, &fd),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "type"));
    struct rec_input to_text[] = {IN_S("type", "text"), IN_S("label_zh", "区域")};
    assert_int_equal(
        custom_field_change(fx_ctx(f, NULL), RP_STR("accounts"), RP_STR("region"), to_text, 2, &fd),
        RP_OK);
    assert_int_equal(fd->type, FT_TEXT);
    assert_string_equal(fd->label_zh, "区域");
    /* Built-in fields do not change here. */
    struct rec_input label[] = {IN_S("label", "x")};
    assert_int_equal(
        custom_field_change(fx_ctx(f, NULL), RP_STR("accounts"), RP_STR("name"), label, 1, &fd),
        RP_EINVAL);
    /* Removal: gone from the metadata, kept in history, its name taken until dropped. */
    assert_int_equal(custom_field_remove(fx_ctx(f, NULL), RP_STR("accounts"), RP_STR("grade")),
                     RP_OK);
    assert_null(meta_field(meta_need("accounts"), RP_STR("grade")));
    struct rec_history_row *h;
    size_t nh;
    assert_int_equal(
        rec_history(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(golden.id), 50, &h, &nh),
        RP_OK);
    assert_string_equal(h[0].action, "field_delete");
    assert_string_equal(h[0].field, "grade");
    assert_string_equal(h[0].old_value, "gold");
    ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_field_add(ctx, RP_STR("accounts"), grade, 4, &fd), RP_EINVAL);
    assert_true(fx_has_error(ctx, "name"));
    /* The daily task drops the column once its time has come. */
    assert_int_equal(store_exec(f->c,
                                "UPDATE custom_fields SET drop_after = '2000-01-01T00:00:00.000Z'"
                                " WHERE name = 'grade'",
                                NULL, 0),
                     RP_OK);
    assert_int_equal(custom_drop_due(fx_ctx(f, NULL)), RP_OK);
    assert_int_equal(fx_sql_int(f,
                                "SELECT count(*) FROM pragma_table_info('accounts')"
                                " WHERE name = 'grade'",
                                NULL, 0),
                     0);
    assert_int_equal(custom_field_add(fx_ctx(f, NULL), RP_STR("accounts"), grade, 4, &fd), RP_OK);
    /* Not for anyone but administrators. */
    struct principal S;
    fx_user(f, "fields.s", "sales", NULL, &S);
    struct rec_input other[] = {IN_S("name", "other"), IN_S("type", "string"), IN_S("label", "O")};
    assert_int_equal(custom_field_add(fx_ctx(f, &S), RP_STR("accounts"), other, 3, &fd),
                     RP_EFORBIDDEN);
}

static void test_custom_entity(void **state)
{
    struct efx *f = *state;
    struct rec_input title[] = {IN_S("name", "title"), IN_S("type", "string"),
                                IN_S("label", "Title"), IN_B("searchable", true)};
    struct rec_input budget[] = {IN_S("name", "budget"), IN_S("type", "money"),
                                 IN_S("label", "Budget"), IN_S("min", "0")};
    struct custom_field_input fields[] = {{title, 4}, {budget, 4}};
    struct rec_input in[] = {IN_S("name", "projects"), IN_S("label", "Project"),
                             IN_S("label_plural", "Projects"), IN_S("label_zh", "项目")};
    const struct entity_def *e;
    assert_int_equal(custom_entity_add(fx_ctx(f, NULL), in, 4, fields, 2, &e), RP_OK);
    assert_string_equal(e->name, "projects");
    assert_true(e->flags & EF_CUSTOM);
    assert_string_equal(e->title_field, "title");
    assert_true(meta_searchable(e));
    /* A second with the same name, or a bad field, is refused and changes nothing. */
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(custom_entity_add(ctx, in, 4, fields, 2, &e), RP_EINVAL);
    assert_true(fx_has_error(ctx, "name"));
    struct rec_input bad[] = {IN_S("name", "money"), IN_S("type", "cash"), IN_S("label", "M")};
    struct custom_field_input bad_fields[] = {{bad, 3}};
    struct rec_input in2[] = {IN_S("name", "budgets"), IN_S("label", "Budget"),
                              IN_S("label_plural", "Budgets")};
    ctx = fx_ctx(f, NULL);
    size_t count = meta_entity_count();
    assert_int_equal(custom_entity_add(ctx, in2, 3, bad_fields, 1, &e), RP_EINVAL);
    assert_true(fx_has_error(ctx, "fields[0].type"));
    assert_int_equal(meta_entity_count(), count);
    /* Its records go through the engine like any other: bounds, search. */
    struct rec_input neg[] = {IN_S("title", "Website 网站"), IN_S("budget", "-1.00")};
    ctx = fx_ctx(f, NULL);
    struct rec r;
    assert_int_equal(rec_create(ctx, meta_need("projects"), neg, 2, &r), RP_EINVAL);
    assert_true(fx_has_error(ctx, "budget"));
    struct rec_input okv[] = {IN_S("title", "Website 网站"), IN_S("budget", "1200.50")};
    struct rec p = fx_create(f, NULL, meta_need("projects"), okv, 2);
    assert_int_equal(fx_val(&p, "budget")->i, 120050);
    struct rec_param q[] = {PRM("q", "网站")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("projects"), q, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    /* Without permissions_like, only administrators reach it. */
    struct principal S;
    fx_user(f, "projects.s", "sales", NULL, &S);
    assert_int_equal(acl_scope(&S, meta_need("projects"), ACL_READ), SCOPE_NONE);
    assert_int_equal(fx_list(f, &S, meta_need("projects"), NULL, 0, &page), RP_EFORBIDDEN);
}

/* ---- schedules ---- */

static void test_schedule_next(void **state)
{
    (void)state;
    const int64_t day = 86400000, hour = 3600000;
    const int64_t midnight = 20000 * day; /* 2024-10-04T00:00:00Z */
    struct rp_schedule every = {.name = "every", .every_s = 600};
    assert_int_equal(jobs_schedule_next(&every, midnight + 5), midnight + 5 + 600000);
    struct rp_schedule daily = {.name = "daily", .at_minute = 3 * 60};
    assert_int_equal(jobs_schedule_next(&daily, midnight + hour), midnight + 3 * hour);
    assert_int_equal(jobs_schedule_next(&daily, midnight + 3 * hour), midnight + day + 3 * hour);
    assert_int_equal(jobs_schedule_next(&daily, midnight + 4 * hour), midnight + day + 3 * hour);
    struct rp_schedule at_midnight = {.name = "midnight"};
    assert_int_equal(jobs_schedule_next(&at_midnight, midnight), midnight + day);
}

int main(void)
{
    log_set_level(LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_members, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_survives_publish, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_role_grants_and_rules, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_team_and_below, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_shares, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_custom_field_checks, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_custom_entity, efx_setup, efx_teardown),
        cmocka_unit_test(test_schedule_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
