/* Unit tests for the record engine (crm/rec.c, crm/query.c) on SQLite: validation on
 * create and update, versions and history, the recycle bin, unique fields, list
 * filters, sorting, keyset pagination, counts and sums, and full-text search.
 * Each test gets a fresh database (engine_fixture.h); most work as the system
 * (who = NULL); permissions are in test_acl.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/query_int.h"
#include "engine/rec_int.h"
#include "engine_fixture.h"

/* ---- helpers ---- */

/* rec_create that is expected to fail with err; returns the context for inspection. */
static struct rec_ctx *create_fails(struct efx *f, struct principal *who,
                                    const struct entity_def *e, const struct rec_input *in,
                                    size_t n, enum rp_err want)
{
    struct rec r;
    struct rec_ctx *ctx = fx_ctx(f, who);
    enum rp_err err = rec_create(ctx, e, in, n, &r);
    if (err != want)
        fail_msg("rec_create(%s): want %s, got %s", e->name, rp_err_name(want), rp_err_name(err));
    return ctx;
}

/* A create of one account field that must be rejected with a field error on it. */
static void account_field_rejected(struct efx *f, struct rec_input bad)
{
    struct rec_input in[] = {IN_S("name", "Acme"), bad};
    struct rec_ctx *ctx = create_fails(f, NULL, meta_need("accounts"), in, 2, RP_EINVAL);
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)bad.field.len, bad.field.p);
    if (!fx_has_error(ctx, name))
        fail_msg("no field error on %s for value '%.*s'", name, (int)bad.len, bad.s ? bad.s : "");
    assert_false(ctx->bad_request);
}

/* A create of one account field that must succeed; returns the record. */
static struct rec account_with(struct efx *f, struct rec_input x)
{
    struct rec_input in[] = {IN_S("name", "Acme"), x};
    return fx_create(f, NULL, meta_need("accounts"), in, 2);
}

static struct rec get_ok(struct efx *f, const struct entity_def *e, const char *id)
{
    struct rec r;
    enum rp_err err = rec_get(fx_ctx(f, NULL), e, rp_str_c(id), &r);
    if (err)
        fail_msg("rec_get(%s): %s", id, rp_err_name(err));
    return r;
}

static size_t history(struct efx *f, const struct entity_def *e, const char *id,
                      struct rec_history_row **rows)
{
    size_t n = 0;
    assert_int_equal(rec_history(fx_ctx(f, NULL), e, rp_str_c(id), 1000, rows, &n), RP_OK);
    return n;
}

/* The history row for (action, field), newest first; NULL when absent. */
static const struct rec_history_row *history_find(struct rec_history_row *rows, size_t n,
                                                  const char *action, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].action, action) == 0 &&
            (field ? rows[i].field && strcmp(rows[i].field, field) == 0 : !rows[i].field))
            return &rows[i];
    return NULL;
}

static size_t history_count(struct rec_history_row *rows, size_t n, const char *action)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcmp(rows[i].action, action) == 0;
    return k;
}

static enum rp_err list_err(struct efx *f, const struct entity_def *e, const struct rec_param *p,
                            size_t n)
{
    struct rec_page page;
    return fx_list(f, NULL, e, p, n, &page);
}

/* A list request that must be refused as a bad request (400). */
static void list_bad(struct efx *f, const struct entity_def *e, const struct rec_param *p, size_t n)
{
    enum rp_err err = list_err(f, e, p, n);
    if (err != RP_EINVAL || !f->ctx.bad_request)
        fail_msg("list %.*s=%.*s: want a bad request, got %s (bad_request=%d)",
                 (int)p[n - 1].key.len, p[n - 1].key.p, (int)p[n - 1].value.len, p[n - 1].value.p,
                 rp_err_name(err), f->ctx.bad_request);
    assert_non_null(f->ctx.detail);
}

/* Lists with one extra parameter and returns the page (asserting success). */
static struct rec_page list_ok(struct efx *f, const struct entity_def *e, const struct rec_param *p,
                               size_t n)
{
    struct rec_page page;
    enum rp_err err = fx_list(f, NULL, e, p, n, &page);
    if (err)
        fail_msg("list failed: %s (%s)", rp_err_name(err), f->ctx.detail ? f->ctx.detail : "");
    return page;
}

/* ---- create ---- */

static void test_create_defaults_and_system_fields(void **state)
{
    struct efx *f = *state;
    struct principal who;
    const char *uid = fx_user(f, "owner", "admin", NULL, &who);
    struct rec_input in[] = {IN_S("name", "Acme Ltd")};
    struct rec r = fx_create(f, &who, meta_need("accounts"), in, 1);
    assert_true(ids_valid(rp_str_c(r.id)));
    assert_int_equal(r.version, 1);
    assert_string_equal(r.owner_id, uid);
    assert_string_equal(r.created_by, uid);
    assert_null(r.deleted_at);
    assert_string_equal(fx_val(&r, "status")->s, "active");
    assert_true(fx_val(&r, "type")->null);
    assert_true(fx_val(&r, "annual_revenue")->null);

    /* What is stored reads back the same. */
    struct rec g = get_ok(f, meta_need("accounts"), r.id);
    assert_string_equal(g.id, r.id);
    assert_int_equal(g.version, 1);
    assert_string_equal(g.owner_id, uid);
    assert_string_equal(fx_val(&g, "name")->s, "Acme Ltd");
    assert_string_equal(fx_val(&g, "status")->s, "active");
    assert_string_equal(g.created_at, r.created_at);
    assert_int_equal(strlen(g.created_at), 24);

    /* Contacts: the bool default. */
    struct rec_input cin[] = {IN_S("last_name", "Wang")};
    struct rec c = fx_create(f, &who, meta_need("contacts"), cin, 1);
    assert_false(fx_val(&c, "do_not_call")->null);
    assert_int_equal(fx_val(&c, "do_not_call")->i, 0);
    /* An explicit value overrides the default. */
    struct rec_input in2[] = {IN_S("name", "Held"), IN_S("status", "on_hold")};
    assert_string_equal(fx_v(fx_create(f, &who, meta_need("accounts"), in2, 2), "status")->s, "on_hold");
    /* Two records never share an id. */
    assert_string_not_equal(fx_account(f, NULL, "X"), fx_account(f, NULL, "X"));
}

static void test_create_required_and_unknown(void **state)
{
    struct efx *f = *state;
    /* Missing name. */
    struct rec_input in1[] = {IN_S("status", "active")};
    struct rec_ctx *ctx = create_fails(f, NULL, meta_need("accounts"), in1, 1, RP_EINVAL);
    assert_int_equal(ctx->nerrors, 1);
    assert_string_equal(ctx->errors[0].field, "name");
    assert_false(ctx->bad_request);
    /* No inputs at all. */
    ctx = create_fails(f, NULL, meta_need("accounts"), NULL, 0, RP_EINVAL);
    assert_true(fx_has_error(ctx, "name"));
    /* Explicit null and the empty string are missing too. */
    struct rec_input in2[] = {IN_0("name")};
    assert_true(fx_has_error(create_fails(f, NULL, meta_need("accounts"), in2, 1, RP_EINVAL), "name"));
    struct rec_input in3[] = {IN_S("name", "")};
    ctx = create_fails(f, NULL, meta_need("accounts"), in3, 1, RP_EINVAL);
    assert_int_equal(ctx->nerrors, 1); /* reported once, not twice */
    assert_string_equal(ctx->errors[0].field, "name");
    /* Unknown fields, system fields. */
    struct rec_input in4[] = {IN_S("name", "Acme"), IN_S("colour", "red")};
    ctx = create_fails(f, NULL, meta_need("accounts"), in4, 2, RP_EINVAL);
    assert_int_equal(ctx->nerrors, 1);
    assert_string_equal(ctx->errors[0].field, "colour");
    struct rec_input in5[] = {IN_S("name", "Acme"), IN_N("version", "7")};
    assert_true(
        fx_has_error(create_fails(f, NULL, meta_need("accounts"), in5, 2, RP_EINVAL), "version"));
    struct rec_input in6[] = {IN_S("name", "Acme"), IN_S("id", "x")};
    assert_true(fx_has_error(create_fails(f, NULL, meta_need("accounts"), in6, 2, RP_EINVAL), "id"));
    /* Several problems are all reported. */
    struct rec_input in7[] = {IN_S("type", "nope"), IN_S("email", "bad"), IN_S("colour", "x")};
    ctx = create_fails(f, NULL, meta_need("accounts"), in7, 3, RP_EINVAL);
    assert_true(fx_has_error(ctx, "type"));
    assert_true(fx_has_error(ctx, "email"));
    assert_true(fx_has_error(ctx, "colour"));
    assert_true(fx_has_error(ctx, "name"));
    assert_int_equal(ctx->nerrors, 4);
    /* Wrong JSON shape. */
    struct rec_input bad = {.field = RP_STR("name"), .kind = IN_BAD};
    struct rec_input in8[] = {bad};
    assert_true(fx_has_error(create_fails(f, NULL, meta_need("accounts"), in8, 1, RP_EINVAL), "name"));
    struct rec_input in9[] = {IN_N("name", "12")};
    assert_true(fx_has_error(create_fails(f, NULL, meta_need("accounts"), in9, 1, RP_EINVAL), "name"));
    /* Nothing was written by any of these. */
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 0);
    assert_int_equal(fx_audit_count(f), 0);
}

static void test_create_enums_and_money(void **state)
{
    struct efx *f = *state;
    account_field_rejected(f, IN_S("type", "customers"));
    account_field_rejected(f, IN_S("type", "Customer"));
    account_field_rejected(f, IN_N("type", "1"));
    struct rec r = account_with(f, IN_S("type", "customer"));
    assert_string_equal(fx_val(&r, "type")->s, "customer");

    /* Money: minor units, at most two decimals. */
    assert_int_equal(
        fx_v((r = account_with(f, IN_N("annual_revenue", "0.10"))), "annual_revenue")->i, 10);
    assert_int_equal(fx_v((r = account_with(f, IN_N("annual_revenue", "12"))), "annual_revenue")->i,
                     1200);
    assert_int_equal(
        fx_v((r = account_with(f, IN_N("annual_revenue", "1234.5"))), "annual_revenue")->i, 123450);
    r = account_with(f, IN_S("annual_revenue", "99.99")); /* a string amount is accepted */
    assert_int_equal(fx_val(&r, "annual_revenue")->i, 9999);
    /* Stored exactly. */
    assert_int_equal(fx_v((r = get_ok(f, meta_need("accounts"), r.id)), "annual_revenue")->i, 9999);
    account_field_rejected(f, IN_N("annual_revenue", "0.105"));
    account_field_rejected(f, IN_N("annual_revenue", "1.001"));
    account_field_rejected(f, IN_N("annual_revenue", "1e3"));
    account_field_rejected(f, IN_S("annual_revenue", "abc"));
    account_field_rejected(f, IN_B("annual_revenue", true));
    account_field_rejected(f, IN_N("annual_revenue", "99999999999999999999"));
    /* Below the field's bounds (metadata): annual revenue is never negative. */
    account_field_rejected(f, IN_N("annual_revenue", "-0.01"));
    account_field_rejected(f, IN_B("status", true));
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 5);
}

static void test_create_email_url_phone(void **state)
{
    struct efx *f = *state;
    static const char *good_emails[] = {"a@b.cn", "li.wei+crm@example.com.cn", "x_y@sub.d.org"};
    static const char *bad_emails[] = {"plain",  "a@b",       "@b.com",    "a@@b.com", "a@b.com.",
                                       "a@.com", "a b@c.com", "a@b,c.com", "<a@b.com>"};
    for (size_t i = 0; i < RP_NELEM(good_emails); i++) {
        struct rec r = account_with(f, IN_S("email", good_emails[i]));
        assert_string_equal(fx_val(&r, "email")->s, good_emails[i]);
    }
    for (size_t i = 0; i < RP_NELEM(bad_emails); i++)
        account_field_rejected(f, IN_S("email", bad_emails[i]));

    static const char *good_urls[] = {"https://example.com", "http://例子.cn/路径?q=1"};
    static const char *bad_urls[] = {"example.com", "ftp://example.com", "https://",
                                     "javascript:alert(1)", "HTTPS//x"};
    for (size_t i = 0; i < RP_NELEM(good_urls); i++)
        account_with(f, IN_S("website", good_urls[i]));
    for (size_t i = 0; i < RP_NELEM(bad_urls); i++)
        account_field_rejected(f, IN_S("website", bad_urls[i]));

    static const char *good_phones[] = {"+86 10 1234 5678", "(555) 123-4567", "123",
                                        "+1 555 0100 ext 12"};
    static const char *bad_phones[] = {"12", "call me", "555-CALL", "+86 10 1234\n5678"};
    for (size_t i = 0; i < RP_NELEM(good_phones); i++)
        account_with(f, IN_S("phone", good_phones[i]));
    for (size_t i = 0; i < RP_NELEM(bad_phones); i++)
        account_field_rejected(f, IN_S("phone", bad_phones[i]));
    /* Control characters in one-line strings; newlines are fine in text. */
    account_field_rejected(f, IN_S("billing_city", "Bei\njing"));
    account_field_rejected(f, IN_S("billing_city", "Bei\x7Fjing"));
    struct rec r = account_with(f, IN_S("description", "line one\nline two\r\n\tend"));
    assert_string_equal(fx_val(&r, "description")->s, "line one\nline two\r\n\tend");
}

/* n copies of a UTF-8 character. */
static char *repeat(struct efx *f, const char *ch, size_t n)
{
    size_t cl = strlen(ch);
    char *s = arena_alloc(&f->a, cl * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * cl, ch, cl);
    s[cl * n] = '\0';
    return s;
}

static void test_create_string_lengths(void **state)
{
    struct efx *f = *state;
    /* accounts.name: 200 code points, not bytes. */
    struct rec_input in200[] = {IN_S("name", repeat(f, "客", 200))};
    struct rec r = fx_create(f, NULL, meta_need("accounts"), in200, 1);
    assert_int_equal(fx_val(&r, "name")->len, 600);
    assert_string_equal(fx_v(get_ok(f, meta_need("accounts"), r.id), "name")->s, repeat(f, "客", 200));
    struct rec_input in201[] = {IN_S("name", repeat(f, "客", 201))};
    assert_true(fx_has_error(create_fails(f, NULL, meta_need("accounts"), in201, 1, RP_EINVAL), "name"));
    struct rec_input ascii200[] = {IN_S("name", repeat(f, "a", 200))};
    fx_create(f, NULL, meta_need("accounts"), ascii200, 1);
    struct rec_input ascii201[] = {IN_S("name", repeat(f, "a", 201))};
    create_fails(f, NULL, meta_need("accounts"), ascii201, 1, RP_EINVAL);
    /* tax_id: 64. */
    account_with(f, IN_S("tax_id", repeat(f, "9", 64)));
    account_field_rejected(f, IN_S("tax_id", repeat(f, "9", 65)));
    /* Emails default to 254. */
    char *longmail = arena_printf(&f->a, "%s@example.com", repeat(f, "m", 243));
    assert_int_equal(strlen(longmail), 255);
    account_field_rejected(f, IN_S("email", longmail));
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 3);
}

static void test_create_refs(void **state)
{
    struct efx *f = *state;
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    struct rec_input in1[] = {IN_S("last_name", "Li"), IN_S("account_id", missing)};
    struct rec_ctx *ctx = create_fails(f, NULL, meta_need("contacts"), in1, 2, RP_EINVAL);
    assert_int_equal(ctx->nerrors, 1);
    assert_string_equal(ctx->errors[0].field, "account_id");
    struct rec_input in2[] = {IN_S("last_name", "Li"), IN_S("account_id", "not-an-id")};
    assert_true(
        fx_has_error(create_fails(f, NULL, meta_need("contacts"), in2, 2, RP_EINVAL), "account_id"));
    /* A deleted account cannot be referred to. */
    const char *gone = fx_account(f, NULL, "Gone");
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(gone), -1), RP_OK);
    struct rec_input in3[] = {IN_S("last_name", "Li"), IN_S("account_id", gone)};
    assert_true(
        fx_has_error(create_fails(f, NULL, meta_need("contacts"), in3, 2, RP_EINVAL), "account_id"));
    /* An account id is not a contact id. */
    const char *acc = fx_account(f, NULL, "Acme");
    struct rec_input in4[] = {IN_S("last_name", "Li"), IN_S("reports_to_id", acc)};
    assert_true(
        fx_has_error(create_fails(f, NULL, meta_need("contacts"), in4, 2, RP_EINVAL), "reports_to_id"));
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 0);
    struct rec_input ok[] = {IN_S("last_name", "Li"), IN_S("account_id", acc)};
    struct rec c = fx_create(f, NULL, meta_need("contacts"), ok, 2);
    assert_string_equal(fx_val(&c, "account_id")->s, acc);
    /* A record cannot be its own parent, nor make a loop. */
    const char *parent = fx_account(f, NULL, "Parent");
    struct rec_input child_in[] = {IN_S("name", "Child"), IN_S("parent_id", parent)};
    struct rec child = fx_create(f, NULL, meta_need("accounts"), child_in, 2);
    struct rec_input loop[] = {IN_S("parent_id", child.id)};
    struct rec out;
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(parent), loop, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "parent_id"));
    struct rec_input self[] = {IN_S("parent_id", parent)};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(parent), self, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "parent_id"));
}

/* Within one transaction the engine remembers the owner it found active (an import's
 * rows), but a change to users in that transaction makes it look again. */
static void test_owner_checked_again_after_user_change(void **state)
{
    struct efx *f = *state;
    const char *u = fx_user(f, "rep", "sales", NULL, NULL);
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_tx_begin(ctx), RP_OK);
    struct rec_input first[] = {IN_S("last_name", "Li"), IN_S("owner_id", u)};
    struct rec r;
    assert_int_equal(rec_create(ctx, meta_need("contacts"), first, 2, &r), RP_OK);
    struct rec_input off[] = {IN_B("active", false)};
    assert_int_equal(rec_update(ctx, meta_need("users"), rp_str_c(u), off, 1, -1, &r), RP_OK);
    struct rec_input second[] = {IN_S("last_name", "Wu"), IN_S("owner_id", u)};
    assert_int_equal(rec_create(ctx, meta_need("contacts"), second, 2, &r), RP_EINVAL);
    assert_true(fx_has_error(ctx, "owner_id"));
    assert_int_equal(rec_tx_end(ctx, RP_OK), RP_OK);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 1);
}

/* A failed create writes nothing: no row, no audit, no search entry. */
static void test_failed_create_changes_nothing(void **state)
{
    struct efx *f = *state;
    fx_account(f, NULL, "Existing");
    int64_t audits = fx_audit_count(f);
    assert_true(audits > 0);
    struct rec_input in[] = {IN_S("name", "Zebra Unfindable"), IN_S("email", "nope")};
    create_fails(f, NULL, meta_need("accounts"), in, 2, RP_EINVAL);
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    struct rec_input in2[] = {IN_S("name", "Zebra Unfindable"), IN_S("parent_id", missing)};
    create_fails(f, NULL, meta_need("accounts"), in2, 2, RP_EINVAL); /* fails inside the txn */
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 1);
    assert_int_equal(fx_audit_count(f), audits);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM accounts", NULL, 0), 1);
    struct rec_param p[] = {PRM("q", "Zebra")};
    assert_int_equal(list_ok(f, meta_need("accounts"), p, 1).nrows, 0);
}

/* ---- update ---- */

static void test_update_partial_version_history(void **state)
{
    struct efx *f = *state;
    struct rec_input in[] = {IN_S("name", "Acme"), IN_S("billing_city", "Shanghai"),
                             IN_N("annual_revenue", "0.10"), IN_S("type", "prospect")};
    struct rec r = fx_create(f, NULL, meta_need("accounts"), in, RP_NELEM(in));
    struct rec_history_row *h;
    size_t n0 = history(f, meta_need("accounts"), r.id, &h);
    /* create: one row for the record, one per non-null field (4 given + the status and
     * tier_computed defaults) */
    assert_int_equal(n0, 7);
    assert_int_equal(history_count(h, n0, "create"), 7);
    const struct rec_history_row *row = history_find(h, n0, "create", "annual_revenue");
    assert_non_null(row);
    assert_null(row->old_value);
    assert_string_equal(row->new_value, "0.10");
    assert_non_null(history_find(h, n0, "create", NULL));

    /* Partial update: only what is given changes. */
    struct rec_input up[] = {IN_N("annual_revenue", "0.20"), IN_S("type", "customer")};
    struct rec out;
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), up, 2, 1, &out),
                     RP_OK);
    assert_int_equal(out.version, 2);
    assert_int_equal(fx_val(&out, "annual_revenue")->i, 20);
    struct rec g = get_ok(f, meta_need("accounts"), r.id);
    assert_int_equal(g.version, 2);
    assert_string_equal(fx_val(&g, "name")->s, "Acme");
    assert_string_equal(fx_val(&g, "billing_city")->s, "Shanghai");
    assert_string_equal(fx_val(&g, "status")->s, "active");
    assert_string_equal(fx_val(&g, "type")->s, "customer");
    assert_int_equal(fx_val(&g, "annual_revenue")->i, 20);
    assert_string_equal(g.created_at, r.created_at);
    assert_true(strcmp(g.updated_at, r.updated_at) >= 0);

    size_t n1 = history(f, meta_need("accounts"), r.id, &h);
    assert_int_equal(n1, n0 + 2);
    assert_int_equal(history_count(h, n1, "update"), 2);
    row = history_find(h, n1, "update", "annual_revenue");
    assert_non_null(row);
    assert_string_equal(row->old_value, "0.10");
    assert_string_equal(row->new_value, "0.20");
    row = history_find(h, n1, "update", "type");
    assert_non_null(row);
    assert_string_equal(row->old_value, "prospect");
    assert_string_equal(row->new_value, "customer");
    assert_true(h[0].seq > h[n1 - 1].seq); /* newest first */
    assert_string_equal(h[0].action, "update");

    /* Clearing a field: new value null. */
    struct rec_input clr[] = {IN_0("billing_city")};
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), clr, 1, -1, &out), RP_OK);
    assert_int_equal(out.version, 3);
    assert_true(fx_v(get_ok(f, meta_need("accounts"), r.id), "billing_city")->null);
    size_t n2 = history(f, meta_need("accounts"), r.id, &h);
    assert_int_equal(n2, n1 + 1);
    assert_string_equal(h[0].field, "billing_city");
    assert_string_equal(h[0].old_value, "Shanghai");
    assert_null(h[0].new_value);
    /* A required field cannot be cleared. */
    struct rec_input noname[] = {IN_0("name")};
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(r.id), noname, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "name"));
    assert_int_equal(get_ok(f, meta_need("accounts"), r.id).version, 3);
}

static void test_update_noop_stale_and_failures(void **state)
{
    struct efx *f = *state;
    struct rec_input in[] = {IN_S("name", "Acme"), IN_N("annual_revenue", "5")};
    struct rec r = fx_create(f, NULL, meta_need("accounts"), in, 2);
    int64_t audits = fx_audit_count(f);
    struct rec out;

    /* A no-op update (same values, money in another spelling) keeps the version. */
    struct rec_input same[] = {IN_S("name", "Acme"), IN_N("annual_revenue", "5.00")};
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), same, 2, 1, &out), RP_OK);
    assert_int_equal(out.version, 1);
    assert_int_equal(get_ok(f, meta_need("accounts"), r.id).version, 1);
    assert_int_equal(fx_audit_count(f), audits);
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), NULL, 0, -1, &out), RP_OK);
    assert_int_equal(out.version, 1);

    /* Stale version: nothing changes. */
    struct rec_input up[] = {IN_S("name", "Changed")};
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(r.id), up, 1, 2, &out), RP_ESTALE);
    assert_non_null(ctx->detail);
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), up, 1, 0, &out),
                     RP_ESTALE);
    struct rec g = get_ok(f, meta_need("accounts"), r.id);
    assert_int_equal(g.version, 1);
    assert_string_equal(fx_val(&g, "name")->s, "Acme");
    assert_int_equal(fx_audit_count(f), audits);

    /* One bad field spoils the whole update. */
    struct rec_input mixed[] = {IN_S("name", "Changed"), IN_S("email", "bad")};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(r.id), mixed, 2, 1, &out),
                     RP_EINVAL);
    assert_int_equal(ctx->nerrors, 1);
    assert_string_equal(ctx->errors[0].field, "email");
    char missing[RP_ID_LEN + 1];
    assert_int_equal(ids_uuid7(missing), RP_OK);
    struct rec_input badref[] = {IN_S("name", "Changed"), IN_S("parent_id", missing)};
    ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_update(ctx, meta_need("accounts"), rp_str_c(r.id), badref, 2, 1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "parent_id"));
    g = get_ok(f, meta_need("accounts"), r.id);
    assert_int_equal(g.version, 1);
    assert_string_equal(fx_val(&g, "name")->s, "Acme");
    assert_int_equal(fx_audit_count(f), audits);
    struct rec_param p[] = {PRM("q", "Changed")};
    assert_int_equal(list_ok(f, meta_need("accounts"), p, 1).nrows, 0);

    /* Unknown and garbage ids. */
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(missing), up, 1, -1, &out),
        RP_ENOTFOUND);
    assert_int_equal(
        rec_update(fx_ctx(f, NULL), meta_need("accounts"), RP_STR("x'; --"), up, 1, -1, &out),
        RP_ENOTFOUND);
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(missing), &out),
                     RP_ENOTFOUND);
    /* An account id is not found among contacts. */
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("contacts"), rp_str_c(r.id), &out),
                     RP_ENOTFOUND);

    /* A good update after all that: version 2, and the search index follows. */
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(r.id), up, 1, 1, &out),
                     RP_OK);
    assert_int_equal(out.version, 2);
    assert_int_equal(list_ok(f, meta_need("accounts"), p, 1).nrows, 1);
    struct rec_param p2[] = {PRM("q", "Acme")};
    assert_int_equal(list_ok(f, meta_need("accounts"), p2, 1).nrows, 0);
}

/* ---- delete and restore ---- */

static void test_delete_restore(void **state)
{
    struct efx *f = *state;
    const char *keep = fx_account(f, NULL, "Keep Co");
    const char *id = fx_account(f, NULL, "Binned Co");
    struct rec r;
    /* Stale delete refused. */
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), 5), RP_ESTALE);
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), 1), RP_OK);
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), &r), RP_ENOTFOUND);
    /* Deleting twice: not found. */
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), -1), RP_ENOTFOUND);
    struct rec_input up[] = {IN_S("name", "Edited")};
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), up, 1, -1, &r),
                     RP_ENOTFOUND);

    struct rec_page page = list_ok(f, meta_need("accounts"), NULL, 0);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(page.rows[0].id, keep);
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 1);
    struct rec_param bin[] = {PRM("deleted", "only"), PRM("count", "true")};
    page = list_ok(f, meta_need("accounts"), bin, 2);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(page.rows[0].id, id);
    assert_non_null(page.rows[0].deleted_at);
    assert_int_equal(page.total, 1);
    struct rec_param q[] = {PRM("q", "Binned")};
    assert_int_equal(list_ok(f, meta_need("accounts"), q, 1).nrows, 0);

    /* Restore. */
    assert_int_equal(rec_restore(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), &r), RP_OK);
    assert_null(r.deleted_at);
    assert_int_equal(r.version, 3);
    r = get_ok(f, meta_need("accounts"), id);
    assert_int_equal(r.version, 3);
    assert_string_equal(fx_val(&r, "name")->s, "Binned Co");
    assert_int_equal(fx_count(f, NULL, meta_need("accounts")), 2);
    assert_int_equal(list_ok(f, meta_need("accounts"), bin, 2).nrows, 0);
    assert_int_equal(list_ok(f, meta_need("accounts"), q, 1).nrows, 1);
    /* Restoring a live record: not found. */
    assert_int_equal(rec_restore(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(id), &r),
                     RP_ENOTFOUND);

    struct rec_history_row *h;
    size_t n = history(f, meta_need("accounts"), id, &h);
    assert_int_equal(history_count(h, n, "delete"), 1);
    assert_int_equal(history_count(h, n, "restore"), 1);
    assert_string_equal(h[0].action, "restore");
    assert_string_equal(h[1].action, "delete");
    assert_null(h[0].field);
}

static void test_unique(void **state)
{
    struct efx *f = *state;
    const char *t1 = fx_team(f, "Sales East");
    int64_t audits = fx_audit_count(f);
    struct rec_input in[] = {IN_S("name", "Sales East")};
    struct rec_ctx *ctx = create_fails(f, NULL, meta_need("teams"), in, 1, RP_ECONFLICT);
    assert_non_null(ctx->detail);
    assert_int_equal(fx_count(f, NULL, meta_need("teams")), 1);
    assert_int_equal(fx_audit_count(f), audits);
    /* Renaming another team to the taken name. */
    const char *t2 = fx_team(f, "Sales West");
    struct rec out;
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("teams"), rp_str_c(t2), in, 1, -1, &out),
                     RP_ECONFLICT);
    assert_string_equal(fx_v(get_ok(f, meta_need("teams"), t2), "name")->s, "Sales West");
    assert_int_equal(get_ok(f, meta_need("teams"), t2).version, 1);
    /* A deleted record frees its value; restoring it then conflicts. */
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("teams"), rp_str_c(t1), -1), RP_OK);
    const char *t3 = fx_team(f, "Sales East");
    assert_string_not_equal(t1, t3);
    assert_int_equal(rec_restore(fx_ctx(f, NULL), meta_need("teams"), rp_str_c(t1), &out), RP_ECONFLICT);
    struct rec_param bin[] = {PRM("deleted", "only")};
    assert_int_equal(list_ok(f, meta_need("teams"), bin, 1).nrows, 1);
    /* Usernames too. */
    fx_user(f, "dup", "sales", NULL, NULL);
    struct rec_input u[] = {IN_S("username", "dup"), IN_S("password", "a-long-enough-pw"),
                            IN_S("role", "sales")};
    create_fails(f, NULL, meta_need("users"), u, 3, RP_ECONFLICT);
}

/* ---- lists ---- */

struct person {
    const char *first, *last;
    const char *city;
};

/* 30 contacts: few distinct last names, several NULL first names and cities. */
static void make_people(struct efx *f, const char **ids)
{
    static const char *firsts[] = {"Ann", NULL, "Bo", "Cai", NULL, "Ann", "Dan"};
    static const char *lasts[] = {"Wang", "Li", "Zhang", "Wang", "Li"};
    for (int i = 0; i < 30; i++) {
        struct rec_input in[3];
        size_t n = 0;
        in[n++] = IN_S("last_name", lasts[i % 5]);
        if (firsts[i % 7])
            in[n++] = IN_S("first_name", firsts[i % 7]);
        if (i % 3 == 0)
            in[n++] = IN_S("city", i % 2 ? "Beijing" : "Shanghai");
        ids[i] = fx_create(f, NULL, meta_need("contacts"), in, n).id;
    }
}

/* Pages through a list with `limit`; checks it matches one big page exactly. */
static void check_paging(struct efx *f, const char *sort, size_t limit, const char *filter_k,
                         const char *filter_v)
{
    struct rec_param big[3] = {PRM("limit", "500"), PRM("sort", sort)};
    size_t nb = 2;
    if (filter_k)
        big[nb++] = PRM(filter_k, filter_v);
    struct rec_page all = list_ok(f, meta_need("contacts"), big, nb);
    assert_null(all.next_cursor);

    char lim[16];
    snprintf(lim, sizeof(lim), "%zu", limit);
    size_t seen = 0, pages = 0;
    const char *cursor = NULL;
    do {
        struct rec_param p[4] = {PRM("limit", lim), PRM("sort", sort)};
        size_t np = 2;
        if (filter_k)
            p[np++] = PRM(filter_k, filter_v);
        if (cursor)
            p[np++] = PRM("cursor", cursor);
        struct rec_page page = list_ok(f, meta_need("contacts"), p, np);
        assert_true(page.nrows <= limit);
        if (page.next_cursor)
            assert_int_equal(page.nrows, limit);
        for (size_t i = 0; i < page.nrows; i++, seen++) {
            if (seen >= all.nrows)
                fail_msg("sort=%s limit=%zu: more rows than one big page (%zu)", sort, limit,
                         all.nrows);
            if (strcmp(page.rows[i].id, all.rows[seen].id) != 0)
                fail_msg("sort=%s limit=%zu: row %zu differs from the big page", sort, limit, seen);
        }
        cursor = page.next_cursor;
        if (++pages > all.nrows + 2)
            fail_msg("sort=%s limit=%zu: paging does not end", sort, limit);
    } while (cursor);
    if (seen != all.nrows)
        fail_msg("sort=%s limit=%zu: saw %zu rows of %zu", sort, limit, seen, all.nrows);
}

static void test_list_sort_and_paging(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);

    /* The big page holds each record once. */
    struct rec_param p[] = {PRM("limit", "500"), PRM("sort", "first_name,-last_name")};
    struct rec_page all = list_ok(f, meta_need("contacts"), p, 2);
    assert_int_equal(all.nrows, 30);
    for (int i = 0; i < 30; i++) {
        int hits = 0;
        for (size_t k = 0; k < all.nrows; k++)
            hits += strcmp(all.rows[k].id, ids[i]) == 0;
        assert_int_equal(hits, 1);
    }
    /* And in the asked order: NULL first names first, then first_name ascending,
     * last_name descending within one first name. */
    int fi = meta_field_index(meta_need("contacts"), RP_STR("first_name"));
    int li = meta_field_index(meta_need("contacts"), RP_STR("last_name"));
    for (size_t k = 1; k < all.nrows; k++) {
        const struct rec_value *a = &all.rows[k - 1].v[fi], *b = &all.rows[k].v[fi];
        if (a->null && b->null)
            ;
        else if (a->null)
            continue;
        else {
            assert_false(b->null);
            int c = strcmp(a->s, b->s);
            assert_true(c <= 0);
            if (c != 0)
                continue;
        }
        assert_true(strcmp(all.rows[k - 1].v[li].s, all.rows[k].v[li].s) >= 0);
    }
    assert_true(all.rows[0].v[fi].null);
    assert_false(all.rows[29].v[fi].null);

    /* -first_name: NULLs last. */
    struct rec_param d[] = {PRM("limit", "500"), PRM("sort", "-first_name")};
    struct rec_page desc = list_ok(f, meta_need("contacts"), d, 2);
    assert_string_equal(desc.rows[0].v[fi].s, "Dan");
    assert_true(desc.rows[29].v[fi].null);

    static const char *sorts[] = {"first_name,-last_name",
                                  "-first_name",
                                  "first_name",
                                  "last_name,first_name",
                                  "-last_name,-first_name",
                                  "-city,last_name",
                                  "city",
                                  "-created_at",
                                  "last_name",
                                  "-id",
                                  "do_not_call,-city"};
    static const size_t limits[] = {7, 1, 4, 29, 30};
    for (size_t s = 0; s < RP_NELEM(sorts); s++)
        for (size_t l = 0; l < RP_NELEM(limits); l++)
            check_paging(f, sorts[s], limits[l], NULL, NULL);
    /* The default sort, and paging under a filter. */
    check_paging(f, "last_name,first_name", 7, "last_name[ne]", "Li");
    check_paging(f, "-first_name", 3, "city[null]", "true");

    /* A page exactly at the end has no cursor. */
    struct rec_param e[] = {PRM("limit", "30")};
    assert_null(list_ok(f, meta_need("contacts"), e, 1).next_cursor);
    struct rec_param e2[] = {PRM("limit", "29")};
    assert_non_null(list_ok(f, meta_need("contacts"), e2, 1).next_cursor);
    /* Default page size 50. */
    assert_int_equal(list_ok(f, meta_need("contacts"), NULL, 0).nrows, 30);
}

/* A list sorted by a list column, either way, or by the start of the default sort
 * reads its index in order: no sort of the rows (TEMP B-TREE). */
static void test_list_sorts_read_an_index(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);
    static const char *const sorts[][2] = {
        {"title", "contacts__title_seq"},         {"-title", "contacts__title_seq"},
        {"email", "contacts__email_seq"},         {"-phone_work", "contacts__phone_work_seq"},
        {"account_id", "contacts__account_id_seq"}, {"last_name", "contacts__list"},
        {"-last_name", "contacts__list"},         {"-last_name,-first_name", "contacts__list"},
    };
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    for (size_t i = 0; i < RP_NELEM(sorts); i++) {
        struct rec_param p[] = {PRM("limit", "5"), PRM("sort", sorts[i][0])};
        struct rec_query *q;
        assert_int_equal(rec_query_parse(ctx, meta_need("contacts"), p, 2, &q), RP_OK);
        char plan[2048];
        assert_int_equal(rec__list_plan(ctx, meta_need("contacts"), q, plan, sizeof(plan)), RP_OK);
        if (!strstr(plan, sorts[i][1]) || strstr(plan, "TEMP B-TREE"))
            fail_msg("sort=%s:\n%s(wanted %s, in order)", sorts[i][0], plan, sorts[i][1]);
    }
    /* sort=last_name orders ties as the default sort does. */
    struct rec_param a[] = {PRM("limit", "500"), PRM("sort", "last_name")};
    struct rec_param b[] = {PRM("limit", "500"), PRM("sort", "last_name,first_name")};
    struct rec_page pa = list_ok(f, meta_need("contacts"), a, 2);
    struct rec_page pb = list_ok(f, meta_need("contacts"), b, 2);
    assert_int_equal(pa.nrows, pb.nrows);
    for (size_t i = 0; i < pa.nrows; i++)
        assert_string_equal(pa.rows[i].id, pb.rows[i].id);
}

/* A filtered page sorted by an indexed column is read by walking the sort index, or,
 * when that walk runs past its budget, by the filter's index or the database's plan:
 * the rows and their pages are the same whichever plan reads them. */
static void test_list_plans_agree(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);
    struct principal who;
    const char *uid = fx_user(f, "rep", "sales", NULL, &who);
    static const char *const names[] = {"Wang", "李", "张伟"};
    for (int i = 0; i < 8; i++) {
        struct rec_input in[] = {IN_S("last_name", names[i % 3]), IN_S("owner_id", uid),
                                 IN_S("city", "Beijing")};
        fx_create(f, NULL, meta_need("contacts"), in, 3);
    }
    static const char *const cases[][3] = {
        {"first_name", "city", "Beijing"},        {"-first_name", "owner_id", NULL},
        {"first_name", "last_name[like]", "*an*"}, {"-last_name", "city[null]", "true"},
        {"last_name", "owner_id", NULL},          {"-email", "city", "Shanghai"},
        {"owner_id", "city", "Beijing"},          {"-created_at", "owner_id", NULL},
        /* like: the full-text index finds the pattern's words (two characters or more,
         * or one Chinese), and the pattern decides. */
        {"-first_name", "city[like]", "*EI*"},    {"last_name", "last_name[like]", "*W*ng*"},
        {"first_name", "last_name[like]", "*张*"}, {"-last_name", "last_name[like]", "李*"},
        {"first_name", "city[like]", "*ei*ng"},
    };
    for (size_t c = 0; c < RP_NELEM(cases); c++) {
        const char *v = cases[c][2] ? cases[c][2] : uid;
        struct rec_param p[] = {PRM("limit", "500"), PRM("sort", cases[c][0]),
                                PRM(cases[c][1], v), PRM("count", "true")};
        rec__list_trial_steps = RP_LIST_TRIAL_STEPS;
        struct rec_page walked = list_ok(f, meta_need("contacts"), p, 3);
        struct rec_page counted = list_ok(f, meta_need("contacts"), p, 4);
        check_paging(f, cases[c][0], 2, cases[c][1], v);
        rec__list_trial_steps = 0;
        struct rec_page other = list_ok(f, meta_need("contacts"), p, 3);
        struct rec_page recounted = list_ok(f, meta_need("contacts"), p, 4);
        check_paging(f, cases[c][0], 2, cases[c][1], v);
        rec__list_trial_steps = RP_LIST_TRIAL_STEPS;
        if (walked.nrows != other.nrows || walked.nrows == 0)
            fail_msg("sort=%s %s: %zu rows walking, %zu otherwise", cases[c][0], cases[c][1],
                     walked.nrows, other.nrows);
        assert_int_equal(counted.total, walked.nrows);
        assert_int_equal(recounted.total, walked.nrows);
        for (size_t i = 0; i < walked.nrows; i++)
            assert_string_equal(walked.rows[i].id, other.rows[i].id);
    }
}

/* Pages through all accounts two at a time; fails unless the pages match one big
 * page exactly (each record once, same order). */
static void page_accounts(struct efx *f, const char *sort, size_t want)
{
    struct rec_param big[] = {PRM("limit", "500"), PRM("sort", sort)};
    struct rec_page all = list_ok(f, meta_need("accounts"), big, 2);
    assert_int_equal(all.nrows, want);
    const char *cursor = NULL;
    size_t seen = 0;
    for (int pages = 0; pages < 20; pages++) {
        struct rec_param p[3] = {PRM("limit", "2"), PRM("sort", sort)};
        size_t np = 2;
        if (cursor)
            p[np++] = PRM("cursor", cursor);
        struct rec_page page;
        enum rp_err err = fx_list(f, NULL, meta_need("accounts"), p, np, &page);
        if (err)
            fail_msg("sort=%s page %d: %s (%s)", sort, pages, rp_err_name(err),
                     f->ctx.detail ? f->ctx.detail : "");
        for (size_t i = 0; i < page.nrows; i++, seen++)
            if (seen >= all.nrows || strcmp(page.rows[i].id, all.rows[seen].id) != 0)
                fail_msg("sort=%s page %d: row %zu repeated or out of order", sort, pages, seen);
        cursor = page.next_cursor;
        if (!cursor)
            break;
    }
    assert_null(cursor);
    assert_int_equal(seen, want);
}

/* Sort keys longer than the 255 bytes a cursor keeps: paging must still end and show
 * each record once. 90 Chinese characters are 270 bytes. */
static void test_paging_long_keys(void **state)
{
    struct efx *f = *state;
    const char *prefix = repeat(f, "客", 90);
    for (int i = 0; i < 6; i++) {
        struct rec_input a[] = {IN_S("name", arena_printf(&f->a, "%s%d", prefix, i % 3))};
        fx_create(f, NULL, meta_need("accounts"), a, 1);
    }
    page_accounts(f, "name", 6);
    page_accounts(f, "-name", 6);
}

/* The same where the 255-byte cut falls inside a 2-byte character. */
static void test_paging_long_keys_split_char(void **state)
{
    struct efx *f = *state;
    for (int i = 0; i < 5; i++) {
        struct rec_input a[] = {
            IN_S("name", arena_printf(&f->a, "ab%s%d", repeat(f, "é", 130), i))};
        fx_create(f, NULL, meta_need("accounts"), a, 1);
    }
    page_accounts(f, "name", 5);
}

static void test_list_cursor_errors(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);
    struct rec_param p[] = {PRM("limit", "5"), PRM("sort", "first_name")};
    struct rec_page page = list_ok(f, meta_need("contacts"), p, 2);
    const char *cursor = page.next_cursor;
    assert_non_null(cursor);
    /* The cursor works with its own sort. */
    struct rec_param ok[] = {PRM("limit", "5"), PRM("sort", "first_name"), PRM("cursor", cursor)};
    assert_int_equal(list_ok(f, meta_need("contacts"), ok, 3).nrows, 5);
    /* …and the parameter order does not matter. */
    struct rec_param ok2[] = {PRM("cursor", cursor), PRM("sort", "first_name")};
    assert_int_equal(list_err(f, meta_need("contacts"), ok2, 2), RP_OK);
    /* A different sort, direction, or entity. */
    struct rec_param b1[] = {PRM("sort", "-first_name"), PRM("cursor", cursor)};
    list_bad(f, meta_need("contacts"), b1, 2);
    struct rec_param b2[] = {PRM("sort", "last_name"), PRM("cursor", cursor)};
    list_bad(f, meta_need("contacts"), b2, 2);
    struct rec_param b3[] = {PRM("cursor", cursor)}; /* the default sort */
    list_bad(f, meta_need("contacts"), b3, 1);
    struct rec_param b4[] = {PRM("sort", "first_name"), PRM("cursor", cursor)};
    list_bad(f, meta_need("accounts"), b4, 2);
    /* Garbage. */
    static const char *garbage[] = {"", "x", "!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                    "eyJpZCI6MX0"};
    for (size_t i = 0; i < RP_NELEM(garbage); i++) {
        struct rec_param g[] = {PRM("sort", "first_name"), PRM("cursor", garbage[i])};
        list_bad(f, meta_need("contacts"), g, 2);
    }
    /* A cursor cut short or with a byte changed at its end. */
    size_t len = strlen(cursor);
    char *cut = arena_strndup(&f->a, cursor, len - 2);
    struct rec_param c1[] = {PRM("sort", "first_name"), PRM("cursor", cut)};
    list_bad(f, meta_need("contacts"), c1, 2);
    char *longer = arena_printf(&f->a, "%sAAAA", cursor);
    struct rec_param c2[] = {PRM("sort", "first_name"), PRM("cursor", longer)};
    list_bad(f, meta_need("contacts"), c2, 2);
    char *huge = repeat(f, "A", 2000);
    struct rec_param c3[] = {PRM("sort", "first_name"), PRM("cursor", huge)};
    list_bad(f, meta_need("contacts"), c3, 2);
}

static void test_list_bad_params(void **state)
{
    struct efx *f = *state;
    static const char *const bad[][2] = {
        {"limit", "0"},
        {"limit", "-1"},
        {"limit", "ten"},
        {"limit", ""},
        {"sort", "colour"},
        {"sort", "-"},
        {"sort", ""},
        {"sort", "last_name,"},
        {"sort", "a,b,c,d,e"},
        {"sort", "first_name,last_name,city,country,title"},
        {"colour", "red"},
        {"last_name[regex]", "x"},
        {"last_name[", "x"},
        {"last_name[eq", "x"},
        {"birthday", "yesterday"},
        {"do_not_call", "maybe"},
        {"birthday[like]", "2*"},
        {"first_name[null]", "yes"},
        {"count", "yes"},
        {"sum", "last_name"},
        {"sum", "nope"},
        {"deleted", "true"},
        {"q", "x"},
        {"q", ""},
        {"q", "   "},
        {"last_name[eq]", ""},
        {"created_at[gt]", "today"},
        {"last_name[in]", "Li,,Wang"},
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++) {
        struct rec_param p[] = {PRM(bad[i][0], bad[i][1])};
        list_bad(f, meta_need("contacts"), p, 1);
    }
    /* A limit above the maximum is clamped, not refused. */
    struct rec_page page;
    struct rec_param big[] = {PRM("limit", "100000")};
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), big, 1, &page), RP_OK);
    /* The limits on numbers of things. */
    struct rec_param many[RP_MAX_QUERY_PARAMS + 1];
    for (size_t i = 0; i < RP_NELEM(many); i++)
        many[i] = PRM("last_name", "x");
    list_bad(f, meta_need("contacts"), many, RP_NELEM(many));
    struct rec_param in[] = {
        PRM("last_name[in]", arena_printf(&f->a, "%sx", repeat(f, "x,", RP_MAX_IN_VALUES)))};
    list_bad(f, meta_need("contacts"), in, 1);
    struct rec_param terms[] = {PRM("q", "aa bb cc dd ee ff gg hh ii")};
    list_bad(f, meta_need("contacts"), terms, 1);
    struct rec_param longq[] = {PRM("q", repeat(f, "a", RP_MAX_SEARCH_QUERY + 1))};
    list_bad(f, meta_need("contacts"), longq, 1);
    /* Accepted edge values. */
    struct rec_param good[] = {
        PRM("limit", "1"),
        PRM("limit", "500"),
        PRM("deleted", "false"),
        PRM("count", "false"),
        PRM("sort", "-updated_at"),
        PRM("last_name[in]", arena_printf(&f->a, "%sx", repeat(f, "x,", RP_MAX_IN_VALUES - 1)))};
    assert_int_equal(list_err(f, meta_need("contacts"), good, RP_NELEM(good)), RP_OK);
}

static size_t count_where(struct efx *f, const char *k, const char *v)
{
    struct rec_param p[] = {PRM("limit", "500"), PRM(k, v), PRM("count", "true")};
    struct rec_page page = list_ok(f, meta_need("contacts"), p, 3);
    assert_int_equal(page.total, (int64_t)page.nrows);
    return page.nrows;
}

static void test_list_filters(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);
    /* last_name cycles Wang, Li, Zhang, Wang, Li: 12 Wang, 12 Li, 6 Zhang. */
    assert_int_equal(count_where(f, "last_name", "Wang"), 12);
    assert_int_equal(count_where(f, "last_name[eq]", "Li"), 12);
    assert_int_equal(count_where(f, "last_name[ne]", "Li"), 18);
    assert_int_equal(count_where(f, "last_name[in]", "Li,Zhang"), 18);
    assert_int_equal(count_where(f, "last_name[in]", "Zhang"), 6);
    assert_int_equal(count_where(f, "last_name[lt]", "Wang"), 12);
    assert_int_equal(count_where(f, "last_name[lte]", "Wang"), 24);
    assert_int_equal(count_where(f, "last_name[gt]", "Wang"), 6);
    assert_int_equal(count_where(f, "last_name[gte]", "Wang"), 18);
    assert_int_equal(count_where(f, "last_name[like]", "W*"), 12);
    assert_int_equal(count_where(f, "last_name[like]", "*an*"), 18);
    assert_int_equal(count_where(f, "last_name[like]", "wang"), 12); /* case-insensitive */
    assert_int_equal(count_where(f, "last_name[like]", "W"), 0);     /* no wildcard: whole */
    assert_int_equal(count_where(f, "last_name[like]", "W_ng"), 0);  /* _ is literal */
    assert_int_equal(count_where(f, "last_name[like]", "%"), 0);     /* % is literal */
    assert_int_equal(count_where(f, "last_name[like]", "*"), 30);
    /* first_name cycles Ann, -, Bo, Cai, -, Ann, Dan over i % 7: NULL for i%7 in {1,4}. */
    size_t nulls = 0;
    for (int i = 0; i < 30; i++)
        nulls += i % 7 == 1 || i % 7 == 4;
    assert_int_equal(count_where(f, "first_name[null]", "true"), nulls);
    assert_int_equal(count_where(f, "first_name[null]", "false"), 30 - nulls);
    /* ne keeps NULLs (they are not "Ann"). */
    size_t anns = 0;
    for (int i = 0; i < 30; i++)
        anns += i % 7 == 0 || i % 7 == 5;
    assert_int_equal(count_where(f, "first_name", "Ann"), anns);
    assert_int_equal(count_where(f, "first_name[ne]", "Ann"), 30 - anns);
    /* city: i % 3 == 0 → i odd Beijing, even Shanghai (i = 0, 6, 12, 18, 24 / 3, 9, …). */
    assert_int_equal(count_where(f, "city", "Shanghai"), 5);
    assert_int_equal(count_where(f, "city", "Beijing"), 5);
    assert_int_equal(count_where(f, "city[null]", "true"), 20);
    /* Filters combine with AND. */
    struct rec_param p[] = {PRM("last_name", "Wang"), PRM("first_name", "Ann"),
                            PRM("limit", "500")};
    size_t want = 0;
    static const char *lasts[] = {"Wang", "Li", "Zhang", "Wang", "Li"};
    for (int i = 0; i < 30; i++)
        want += strcmp(lasts[i % 5], "Wang") == 0 && (i % 7 == 0 || i % 7 == 5);
    assert_int_equal(list_ok(f, meta_need("contacts"), p, 3).nrows, want);
    /* Bool and system columns. */
    assert_int_equal(count_where(f, "do_not_call", "false"), 30);
    assert_int_equal(count_where(f, "do_not_call", "true"), 0);
    assert_int_equal(count_where(f, "id", ids[4]), 1);
    assert_int_equal(count_where(f, "id[in]", arena_printf(&f->a, "%s,%s", ids[1], ids[2])), 2);
    assert_int_equal(count_where(f, "id", "not-an-id"), 0);
    assert_int_equal(count_where(f, "created_at[gte]", "2000-01-01T00:00:00Z"), 30);
    /* Quotes and SQL in values are values. */
    assert_int_equal(count_where(f, "last_name", "x' OR '1'='1"), 0);
    assert_int_equal(count_where(f, "last_name[in]", "Wang,x') OR 1=1 --"), 12);
}

static void test_list_count_and_sum(void **state)
{
    struct efx *f = *state;
    static const char *revenue[] = {"0.10", "0.20", NULL, "1000000.05", "0.05"};
    for (size_t i = 0; i < RP_NELEM(revenue); i++) {
        struct rec_input in[2] = {IN_S("name", i < 2 ? "Small" : "Other")};
        size_t n = 1;
        if (revenue[i])
            in[n++] = IN_N("annual_revenue", revenue[i]);
        fx_create(f, NULL, meta_need("accounts"), in, n);
    }
    struct rec_param p[] = {PRM("name", "Small"), PRM("count", "true"),
                            PRM("sum", "annual_revenue")};
    struct rec_page page = list_ok(f, meta_need("accounts"), p, 3);
    assert_true(page.has_total);
    assert_int_equal(page.total, 2);
    assert_int_equal(page.nsums, 1);
    assert_string_equal(page.sum_fields[0], "annual_revenue");
    assert_int_equal(page.sums[0], 30);
    /* All: 10 + 20 + 100000005 + 5. */
    struct rec_param all[] = {PRM("sum", "annual_revenue"), PRM("limit", "1"),
                              PRM("count", "true")};
    page = list_ok(f, meta_need("accounts"), all, 3);
    assert_int_equal(page.nrows, 1);
    assert_int_equal(page.total, 5); /* the total is of the whole list, not the page */
    assert_int_equal(page.sums[0], 100000040);
    /* Without count, no total is claimed. */
    struct rec_param s[] = {PRM("sum", "annual_revenue")};
    page = list_ok(f, meta_need("accounts"), s, 1);
    assert_false(page.has_total);
    assert_int_equal(page.sums[0], 100000040);
    /* An empty result sums to zero. */
    struct rec_param none[] = {PRM("name", "Nobody"), PRM("sum", "annual_revenue"),
                               PRM("count", "true")};
    page = list_ok(f, meta_need("accounts"), none, 3);
    assert_int_equal(page.total, 0);
    assert_int_equal(page.sums[0], 0);
    /* Money filters take API amounts. */
    struct rec_param gt[] = {PRM("annual_revenue[gte]", "0.2"), PRM("count", "true")};
    assert_int_equal(list_ok(f, meta_need("accounts"), gt, 2).total, 2);
    struct rec_param eq[] = {PRM("annual_revenue", "0.10"), PRM("count", "true")};
    assert_int_equal(list_ok(f, meta_need("accounts"), eq, 2).total, 1);
    struct rec_param badm[] = {PRM("annual_revenue", "0.101")};
    list_bad(f, meta_need("accounts"), badm, 1);
    /* Sorting by money is numeric. */
    struct rec_param srt[] = {PRM("sort", "-annual_revenue")};
    page = list_ok(f, meta_need("accounts"), srt, 1);
    assert_int_equal(fx_val(&page.rows[0], "annual_revenue")->i, 100000005);
    assert_int_equal(fx_val(&page.rows[3], "annual_revenue")->i, 5);
    assert_true(fx_val(&page.rows[4], "annual_revenue")->null);
}

/* ---- full-text search ---- */

static void test_search(void **state)
{
    struct efx *f = *state;
    const char *bj = fx_account(f, NULL, "北京重要客户有限公司");
    struct rec_input in[] = {IN_S("name", "上海客户服务中心"), IN_S("billing_city", "上海")};
    const char *sh = fx_create(f, NULL, meta_need("accounts"), in, 2).id;
    struct rec_input in2[] = {IN_S("name", "Acme Trading"), IN_S("email", "sales@acme.example"),
                              IN_S("description", "Key customer in 北京")};
    const char *acme = fx_create(f, NULL, meta_need("accounts"), in2, 3).id;

    struct rec_param q1[] = {PRM("q", "客户")};
    struct rec_page page = list_ok(f, meta_need("accounts"), q1, 1);
    assert_int_equal(page.nrows, 2);
    assert_true(fx_page_has(&page, bj));
    assert_true(fx_page_has(&page, sh));
    struct rec_param q2[] = {PRM("q", "北京 客户")}; /* AND */
    page = list_ok(f, meta_need("accounts"), q2, 1);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(page.rows[0].id, bj);
    struct rec_param q3[] = {PRM("q", "北京")};
    page = list_ok(f, meta_need("accounts"), q3, 1);
    assert_int_equal(page.nrows, 2);
    assert_true(fx_page_has(&page, acme));
    struct rec_param q4[] = {PRM("q", "ACME customer")};
    page = list_ok(f, meta_need("accounts"), q4, 1);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(page.rows[0].id, acme);
    struct rec_param q5[] = {PRM("q", "客户 acme")};
    assert_int_equal(list_ok(f, meta_need("accounts"), q5, 1).nrows, 0);
    struct rec_param q6[] = {PRM("q", "有限 中心")};
    assert_int_equal(list_ok(f, meta_need("accounts"), q6, 1).nrows, 0);
    /* q combines with filters and count. */
    struct rec_param q7[] = {PRM("q", "客户"), PRM("billing_city", "上海"), PRM("count", "true")};
    page = list_ok(f, meta_need("accounts"), q7, 3);
    assert_int_equal(page.nrows, 1);
    assert_int_equal(page.total, 1);
    assert_string_equal(page.rows[0].id, sh);
    /* Non-search fields are not indexed: billing_street. */
    struct rec_input up[] = {IN_S("billing_street", "Zebra Road")};
    struct rec out;
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(acme), up, 1, -1, &out),
                     RP_OK);
    struct rec_param q8[] = {PRM("q", "zebra")};
    assert_int_equal(list_ok(f, meta_need("accounts"), q8, 1).nrows, 0);
    /* One Chinese character is a term (both accounts hold 客); one Latin letter is not. */
    struct rec_param c1[] = {PRM("q", "客")};
    assert_int_equal(list_ok(f, meta_need("accounts"), c1, 1).nrows, 2);
    struct rec_param b1[] = {PRM("q", "x")};
    list_bad(f, meta_need("accounts"), b1, 1);
    struct rec_param b2[] = {PRM("q", "客户 x")};
    list_bad(f, meta_need("accounts"), b2, 1);

    /* Across entities. */
    struct rec_input c[] = {IN_S("last_name", "王"), IN_S("first_name", "客户经理")};
    const char *wang = fx_create(f, NULL, meta_need("contacts"), c, 2).id;
    struct rec_hit *hits;
    size_t n = 0;
    assert_int_equal(rec_search_all(fx_ctx(f, NULL), RP_STR("客户"), 10, &hits, &n), RP_OK);
    assert_int_equal(n, 3);
    size_t accounts = 0, contacts = 0;
    for (size_t i = 0; i < n; i++) {
        if (hits[i].ent == meta_need("accounts"))
            accounts++;
        if (hits[i].ent == meta_need("contacts")) {
            contacts++;
            assert_string_equal(hits[i].id, wang);
            /* A person in full, family name first; the matched field named. */
            assert_string_equal(hits[i].title, "王客户经理");
            assert_string_equal(hits[i].matched->name, "first_name");
            assert_string_equal(hits[i].matched_value, "客户经理");
        }
    }
    assert_int_equal(accounts, 2);
    assert_int_equal(contacts, 1);
    assert_int_equal(rec_search_all(fx_ctx(f, NULL), RP_STR("客户"), 1, &hits, &n), RP_OK);
    assert_int_equal(n, 2); /* at most one per entity */
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_search_all(ctx, RP_STR("a"), 10, &hits, &n), RP_EINVAL);
    assert_true(ctx->bad_request);

    /* A number finds the record holding it however either is written, first, once;
     * one-digit parts of a number are no reason to refuse it. */
    struct rec_input m[] = {IN_S("last_name", "Li"), IN_S("phone_mobile", "+86 138 5526 0424")};
    const char *li = fx_create(f, NULL, meta_need("contacts"), m, 2).id;
    static const char *const spellings[] = {"138-5526-0424", "13855260424", "0086 138 5526 0424",
                                            "8 6 1 3 8 5 5 2 6 0 4 2 4"};
    for (size_t k = 0; k < RP_NELEM(spellings); k++) {
        ctx = fx_ctx(f, NULL);
        assert_int_equal(rec_search_all(ctx, rp_str_c(spellings[k]), 10, &hits, &n), RP_OK);
        assert_true(n >= 1);
        assert_string_equal(hits[0].id, li);
        assert_string_equal(hits[0].matched->name, "phone_mobile");
        assert_string_equal(hits[0].matched_value, "+86 138 5526 0424");
        for (size_t i = 1; i < n; i++)
            assert_string_not_equal(hits[i].id, li);
        assert_null(ctx->detail);
    }
}

/* An update sets only the columns that change: SQLite rewrites the entries of every
 * index on a column that a statement sets, changed or not. */
static void test_update_sets_only_changed_columns(void **state)
{
    (void)state;
    const struct entity_def *e = meta_need("contacts");
    bool changed[64] = {false};
    assert_true(e->nfields <= RP_NELEM(changed));
    changed[meta_field_index(e, rp_str_c("title"))] = true;
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    assert_int_equal(rec__update_sql(e, false, changed, &sql), RP_OK);
    assert_string_equal(buf_cstr(&sql), "UPDATE contacts SET updated_at = ?, version = version + 1,"
                                         " title = ? WHERE seq = ? AND version = ?");
    buf_reset(&sql);
    changed[meta_field_index(e, rp_str_c("email"))] = true;
    assert_int_equal(rec__update_sql(e, true, changed, &sql), RP_OK);
    assert_string_equal(buf_cstr(&sql),
                        "UPDATE contacts SET updated_at = ?, version = version + 1, owner_id = ?,"
                        " title = ?, email = ? WHERE seq = ? AND version = ?");
    buf_release(&sql);
}

/* The page after a cursor seeks to it: the keyset condition, an OR of parameters,
 * shows SQLite no range, so without a bound on the first sort key every page walked
 * the index from its start. Where the rows after the cursor are two ranges of the index
 * (the NULLs and the values), the page reads each in turn, and `seek` names both. */
static void assert_page_after_seeks(struct efx *f, const char *sort, const char *seek)
{
    struct rec_param p[] = {PRM("limit", "5"), PRM("sort", sort), PRM("cursor", "")};
    struct rec_page first = list_ok(f, meta_need("contacts"), p, 2);
    assert_non_null(first.next_cursor);
    p[2].value = rp_str_c(first.next_cursor);
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    struct rec_query *q;
    assert_int_equal(rec_query_parse(ctx, meta_need("contacts"), p, 3, &q), RP_OK);
    char plan[2048];
    assert_int_equal(rec__list_plan(ctx, meta_need("contacts"), q, plan, sizeof(plan)), RP_OK);
    if (!strstr(plan, seek) || strstr(plan, "SCAN"))
        fail_msg("sort=%s, page 2:\n%s(wanted %s)", sort, plan, seek);
}

static void test_list_page_after_cursor_seeks(void **state)
{
    struct efx *f = *state;
    const char *ids[30];
    make_people(f, ids);
    assert_page_after_seeks(f, "last_name,first_name", "contacts__list (last_name>?)");
    assert_page_after_seeks(f, "-created_at", "(created_at<?)");
    /* 30 people, 9 without a first name: a cursor on a first name, then on a NULL. */
    assert_page_after_seeks(f, "-first_name",
                            "(first_name<?)\nthen\nSEARCH t USING INDEX contacts__first_name_seq"
                            " (first_name=?)");
    assert_page_after_seeks(f, "first_name",
                            "(first_name=?)\nthen\nSEARCH t USING INDEX contacts__first_name_seq"
                            " (first_name>?)");
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, efx_setup, efx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_defaults_and_system_fields),
        T(test_create_required_and_unknown),
        T(test_create_enums_and_money),
        T(test_create_email_url_phone),
        T(test_create_string_lengths),
        T(test_create_refs),
        T(test_owner_checked_again_after_user_change),
        T(test_failed_create_changes_nothing),
        T(test_update_partial_version_history),
        T(test_update_sets_only_changed_columns),
        T(test_update_noop_stale_and_failures),
        T(test_delete_restore),
        T(test_unique),
        T(test_list_sort_and_paging),
        T(test_list_sorts_read_an_index),
        T(test_list_plans_agree),
        T(test_paging_long_keys),
        T(test_paging_long_keys_split_char),
        T(test_list_page_after_cursor_seeks),
        T(test_list_cursor_errors),
        T(test_list_bad_params),
        T(test_list_filters),
        T(test_list_count_and_sum),
        T(test_search),
    };
#undef T
    return cmocka_run_group_tests_name("rec", tests, NULL, NULL);
}
