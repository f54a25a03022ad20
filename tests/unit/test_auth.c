/* Unit tests for crm/auth.c on SQLite: sign-in, sessions and CSRF tokens, sign-out,
 * login throttling, API tokens, and what deactivating a user or changing a password
 * does to them. Each test gets a fresh database with one user, alice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine_fixture.h"

#include "core/text.h"
#include "engine/secev.h"

#define PW "correct horse" /* the password fx_user gives */

struct afx {
    struct efx *f;
    struct principal admin;
    const char *alice;
};

static int setup(void **state)
{
    struct afx *x = calloc(1, sizeof(*x));
    if (!x || efx_open(&x->f)) {
        free(x);
        return -1;
    }
    x->alice = fx_user(x->f, "alice", "sales", NULL, NULL);
    /* An administrator principal (not a stored user: the engine only needs the role). */
    x->admin.user_id = "00000000-0000-7000-8000-000000000000";
    x->admin.role = "admin";
    x->admin.team_ids = "[]";
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct afx *x = *state;
    int rc = efx_close(x->f);
    free(x);
    return rc;
}

static enum rp_err login(struct efx *f, const char *user, const char *pw, const char *addr,
                         struct auth_login_result *out)
{
    return auth_login(fx_ctx(f, NULL), rp_str_c(user), rp_str_c(pw), addr, out);
}

static enum rp_err session(struct efx *f, const char *cookie, struct principal *p)
{
    return auth_session(f->c, &f->a, rp_str_c(cookie), p);
}

static void test_login_and_session(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", PW, "10.0.0.1", &res), RP_OK);
    assert_non_null(res.session);
    assert_non_null(res.csrf_token);
    assert_true(strlen(res.session) >= 40);
    assert_string_not_equal(res.session, res.csrf_token);
    assert_string_equal(res.who.user_id, x->alice);
    assert_string_equal(res.who.username, "alice");
    assert_string_equal(res.who.role, "sales");

    struct principal p;
    assert_int_equal(session(f, res.session, &p), RP_OK);
    assert_string_equal(p.user_id, x->alice);
    assert_string_equal(p.role, "sales");
    assert_non_null(p.session_hash);
    assert_string_equal(p.csrf_token, res.csrf_token);
    /* The session id is not stored in the clear. */
    struct store_val v = store_cstr(res.session);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM sessions WHERE id_hash = ?", &v, 1), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM sessions", NULL, 0), 1);

    /* CSRF. */
    assert_true(auth_csrf_ok(&p, rp_str_c(res.csrf_token)));
    assert_false(auth_csrf_ok(&p, RP_STR("")));
    char *wrong = arena_strdup(&f->a, res.csrf_token);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_false(auth_csrf_ok(&p, rp_str_c(wrong)));
    assert_false(auth_csrf_ok(&p, (struct rp_str){res.csrf_token, strlen(res.csrf_token) - 1}));

    /* Bad cookies. */
    assert_int_equal(session(f, "", &p), RP_EAUTH);
    assert_int_equal(session(f, "nonsense", &p), RP_EAUTH);
    char *near = arena_strdup(&f->a, res.session);
    near[3] = near[3] == 'x' ? 'y' : 'x';
    assert_int_equal(session(f, near, &p), RP_EAUTH);
    assert_int_equal(session(f, arena_printf(&f->a, "%s%s", res.session, res.session), &p),
                     RP_EAUTH);

    /* Two sign-ins, two sessions. */
    struct auth_login_result res2;
    assert_int_equal(login(f, "alice", PW, "10.0.0.1", &res2), RP_OK);
    assert_string_not_equal(res.session, res2.session);
    assert_int_equal(session(f, res.session, &p), RP_OK);
    assert_int_equal(session(f, res2.session, &p), RP_OK);
}

static void test_bad_credentials(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", "wrong password", "10.0.0.2", &res), RP_EAUTH);
    assert_null(res.session);
    assert_int_equal(login(f, "alice", "Correct horse", "10.0.0.2", &res), RP_EAUTH);
    assert_int_equal(login(f, "alice", "", "10.0.0.2", &res), RP_EAUTH);
    assert_int_equal(login(f, "bob", PW, "10.0.0.2", &res), RP_EAUTH); /* no such user */
    assert_int_equal(login(f, "", PW, "10.0.0.2", &res), RP_EAUTH);
    assert_int_equal(login(f, "ALICE", PW, "10.0.0.2", &res), RP_EAUTH);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM sessions", NULL, 0), 0);
    /* A few failures do not lock anyone out. */
    assert_int_equal(login(f, "alice", PW, "10.0.0.2", &res), RP_OK);
}

static void test_throttle(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    for (int i = 0; i < RP_LOGIN_MAX_FAILS_USER; i++)
        assert_int_equal(login(f, "alice", "wrong password", "10.0.0.3", &res), RP_EAUTH);
    /* Now even the right password is refused, from any address, with a retry time. */
    assert_int_equal(login(f, "alice", PW, "10.0.0.3", &res), RP_ELIMIT);
    assert_true(res.retry_after > 0);
    assert_true(res.retry_after <= RP_LOGIN_WINDOW_S);
    assert_null(res.session);
    assert_int_equal(login(f, "alice", PW, "10.9.9.9", &res), RP_ELIMIT);
    assert_true(res.retry_after > 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM sessions", NULL, 0), 0);
    /* Another user from the same address is not affected. */
    fx_user(f, "bob", "sales", NULL, NULL);
    assert_int_equal(login(f, "bob", PW, "10.0.0.3", &res), RP_OK);
}

static void test_logout(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result r1, r2;
    assert_int_equal(login(f, "alice", PW, "10.0.0.4", &r1), RP_OK);
    assert_int_equal(login(f, "alice", PW, "10.0.0.4", &r2), RP_OK);
    struct principal p;
    assert_int_equal(session(f, r1.session, &p), RP_OK);
    assert_int_equal(auth_logout(fx_ctx(f, &p)), RP_OK);
    assert_int_equal(session(f, r1.session, &p), RP_EAUTH);
    /* Only that session ended. */
    assert_int_equal(session(f, r2.session, &p), RP_OK);
    /* Without a session there is nothing to end. */
    assert_int_equal(auth_logout(fx_ctx(f, NULL)), RP_OK);
}

static void test_tokens(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", PW, "10.0.0.5", &res), RP_OK);
    struct principal who = res.who;
    const char *id = NULL, *secret = NULL;
    assert_int_equal(auth_token_create(fx_ctx(f, &who), RP_STR("ci"), &id, &secret), RP_OK);
    assert_true(ids_valid(rp_str_c(id)));
    assert_non_null(secret);
    assert_memory_equal(secret, "rpt_", 4);
    struct principal p;
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_OK);
    assert_string_equal(p.user_id, x->alice);
    assert_null(p.csrf_token);
    assert_true(auth_csrf_ok(&p, RP_STR(""))); /* tokens need no CSRF header */
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_OK); /* reusable */
    /* A token is not a session and a session is not a token. */
    assert_int_equal(session(f, secret, &p), RP_EAUTH);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(res.session), &p), RP_EAUTH);
    assert_int_equal(auth_token(f->c, &f->a, RP_STR("rpt_"), &p), RP_EAUTH);
    assert_int_equal(auth_token(f->c, &f->a, RP_STR("rpt_nonsense_nonsense"), &p), RP_EAUTH);
    /* Names. */
    struct rec_ctx *ctx = fx_ctx(f, &who);
    assert_int_equal(auth_token_create(ctx, RP_STR(""), &id, &secret), RP_EINVAL);
    assert_true(fx_has_error(ctx, "name"));
    /* Someone else cannot revoke it. */
    const char *id2, *secret2;
    assert_int_equal(auth_token_create(fx_ctx(f, &who), RP_STR("second"), &id2, &secret2), RP_OK);
    struct principal other = x->admin;
    assert_int_equal(auth_token_revoke(fx_ctx(f, &other), rp_str_c(id2)), RP_ENOTFOUND);
    assert_int_equal(auth_token_revoke(fx_ctx(f, &who), RP_STR("x")), RP_ENOTFOUND);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret2), &p), RP_OK);
    /* Revoking. */
    assert_int_equal(auth_token_revoke(fx_ctx(f, &who), rp_str_c(id2)), RP_OK);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret2), &p), RP_EAUTH);
    /* The first token is still good. */
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_OK);
}

/* A clock that moves on a millisecond at every reading. */
static int64_t tick_ms = INT64_C(1893456000000);

static int64_t ticking_clock(void)
{
    return tick_ms += 1;
}

static void test_deactivation_and_password_change(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", PW, "10.0.0.6", &res), RP_OK);
    const char *id, *secret;
    struct principal who = res.who;
    assert_int_equal(auth_token_create(fx_ctx(f, &who), RP_STR("ci"), &id, &secret), RP_OK);

    /* A new password set by an administrator signs alice out everywhere and revokes her
     * API tokens (a token taken with the old password must not outlive it). */
    struct rec out;
    struct rec_input pw[] = {IN_S("password", "battery staple")};
    assert_int_equal(
        rec_update(fx_ctx(f, &x->admin), meta_need("users"), rp_str_c(x->alice), pw, 1, -1, &out),
        RP_OK);
    struct principal p;
    assert_int_equal(session(f, res.session, &p), RP_EAUTH);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_EAUTH);
    assert_int_equal(login(f, "alice", PW, "10.0.0.6", &res), RP_EAUTH);
    assert_int_equal(login(f, "alice", "battery staple", "10.0.0.6", &res), RP_OK);
    /* A token may not mint another: that needs a session. */
    who = res.who;
    assert_int_equal(auth_token_create(fx_ctx(f, &who), RP_STR("ci2"), &id, &secret), RP_OK);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_OK);
    const char *id3, *secret3;
    assert_int_equal(auth_token_create(fx_ctx(f, &p), RP_STR("ci3"), &id3, &secret3),
                     RP_EFORBIDDEN);
    /* Too short a password is refused and the old one stays. */
    struct rec_input shortpw[] = {IN_S("password", "1234567")};
    struct rec_ctx *ctx = fx_ctx(f, &x->admin);
    assert_int_equal(rec_update(ctx, meta_need("users"), rp_str_c(x->alice), shortpw, 1, -1, &out),
                     RP_EINVAL);
    assert_true(fx_has_error(ctx, "password"));
    assert_int_equal(session(f, res.session, &p), RP_OK);

    /* Deactivation: sessions end, tokens are revoked, sign-in fails. On a clock that
     * moves on at every reading, so a revocation that read it apart would show. */
    struct rec_input off[] = {IN_B("active", false)};
    text_set_clock(ticking_clock);
    enum rp_err err =
        rec_update(fx_ctx(f, &x->admin), meta_need("users"), rp_str_c(x->alice), off, 1, -1, &out);
    text_set_clock(NULL);
    assert_int_equal(err, RP_OK);
    assert_int_equal(session(f, res.session, &p), RP_EAUTH);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_EAUTH);
    assert_int_equal(login(f, "alice", "battery staple", "10.0.0.6", &res), RP_EAUTH);
    /* The token was revoked at the deactivation's own time. */
    struct store_token *tokens;
    size_t ntokens;
    assert_int_equal(store_token_list(f->c, x->alice, &f->a, &tokens, &ntokens), RP_OK);
    assert_int_equal(ntokens, 2);
    assert_string_equal(tokens[0].id, id); /* newest first */
    assert_non_null(tokens[0].revoked_at);
    assert_string_equal(tokens[0].revoked_at, out.updated_at);
    /* Reactivation lets her sign in again; the revoked token stays revoked. */
    struct rec_input on[] = {IN_B("active", true)};
    assert_int_equal(
        rec_update(fx_ctx(f, &x->admin), meta_need("users"), rp_str_c(x->alice), on, 1, -1, &out),
        RP_OK);
    assert_int_equal(login(f, "alice", "battery staple", "10.0.0.6", &res), RP_OK);
    assert_int_equal(auth_token(f->c, &f->a, rp_str_c(secret), &p), RP_EAUTH);
}

static void test_bootstrap(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    /* A database with an administrator is left alone, whatever the environment says. */
    fx_user(f, "root", "admin", NULL, NULL);
    int64_t users = fx_sql_int(f, "SELECT count(*) FROM users", NULL, 0);
    setenv("RAPPORT_ADMIN_PASSWORD", "bootstrap-pass", 1);
    assert_int_equal(mod_bootstrap(f->s, true), RP_OK);
    unsetenv("RAPPORT_ADMIN_PASSWORD");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM users", NULL, 0), users);
    /* A database without one, but with other users (the demo company's): without a
     * password to use and no leave to make one up (rapport demo), nothing happens; the
     * next start with RAPPORT_ADMIN_PASSWORD creates admin with it. */
    struct efx *g = NULL;
    assert_int_equal(efx_open(&g), 0);
    struct rec_input rep[] = {IN_S("username", "rep"), IN_S("role", "sales"),
                              IN_S("password", "rep-password-1")};
    fx_create(g, NULL, meta_need("users"), rep, RP_NELEM(rep));
    assert_int_equal(mod_bootstrap(g->s, false), RP_OK);
    assert_int_equal(fx_sql_int(g, "SELECT count(*) FROM users", NULL, 0), 1);
    setenv("RAPPORT_ADMIN_PASSWORD", "bootstrap-pass", 1);
    assert_int_equal(mod_bootstrap(g->s, false), RP_OK);
    unsetenv("RAPPORT_ADMIN_PASSWORD");
    assert_int_equal(mod_bootstrap(g->s, true), RP_OK);
    assert_int_equal(fx_sql_int(g, "SELECT count(*) FROM users", NULL, 0), 2);
    struct auth_login_result res;
    assert_int_equal(login(g, "admin", "bootstrap-pass", "10.0.0.7", &res), RP_OK);
    assert_string_equal(res.who.role, "admin");
    assert_int_equal(efx_close(g), 0);
    /* An empty one without a password, when allowed, gets a random one. */
    assert_int_equal(efx_open(&g), 0);
    assert_int_equal(mod_bootstrap(g->s, true), RP_OK);
    assert_int_equal(fx_sql_int(g, "SELECT count(*) FROM users WHERE role = 'admin'", NULL, 0),
                     1);
    assert_int_equal(efx_close(g), 0);
}

static void test_session_timeouts(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    struct principal p;
    assert_int_equal(login(f, "alice", PW, "10.0.0.8", &res), RP_OK);
    assert_int_equal(session(f, res.session, &p), RP_OK);
    /* Idle: a session last seen 31 minutes ago is over (default 30). */
    struct store_val v = store_int(text_now_ms() - 31 * 60 * 1000LL);
    assert_int_equal(store_exec(f->c, "UPDATE sessions SET last_seen_at = ?", &v, 1), RP_OK);
    assert_int_equal(session(f, res.session, &p), RP_EAUTH);
    /* A longer idle timeout lets it live again; a use moves last_seen_at forward. */
    assert_true(auth_set_session_idle(3600));
    assert_int_equal(session(f, res.session, &p), RP_OK);
    assert_true(fx_sql_int(f, "SELECT min(last_seen_at) FROM sessions", NULL, 0) >
                text_now_ms() - 60000);
    assert_true(auth_set_session_idle(RP_SESSION_IDLE_S));
    assert_false(auth_set_session_idle(0));
    assert_false(auth_set_session_idle(RP_SESSION_TTL_S + 1));
    /* Absolute: 12 hours after sign-in, whatever the use. */
    assert_int_equal(fx_sql_int(f, "SELECT max(expires_at - created_at) FROM sessions", NULL, 0),
                     12 * 3600 * 1000LL);
    v = store_int(text_now_ms() - 1);
    assert_int_equal(store_exec(f->c, "UPDATE sessions SET expires_at = ?", &v, 1), RP_OK);
    assert_int_equal(session(f, res.session, &p), RP_EAUTH);
}

static void test_csrf_derived_not_stored(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", PW, "10.0.0.9", &res), RP_OK);
    /* The database holds neither the session id nor the CSRF token. */
    struct store_val v[] = {store_cstr(res.session), store_cstr(res.csrf_token)};
    assert_int_equal(fx_sql_int(f,
                                "SELECT count(*) FROM sessions WHERE id_hash = ?1 OR"
                                " csrf_token = ?2 OR instr(id_hash, ?1) OR instr(csrf_token, ?2)",
                                v, 2),
                     0);
    /* A session read back derives the same token. */
    struct principal p;
    assert_int_equal(session(f, res.session, &p), RP_OK);
    assert_string_equal(p.csrf_token, res.csrf_token);
}

static void test_origin(void **state)
{
    (void)state;
    const char *pub = "https://crm.example.com";
    assert_true(auth_origin_ok(NULL, NULL, "127.0.0.1:8080", NULL));
    assert_true(auth_origin_ok("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_true(auth_origin_ok(NULL, "http://127.0.0.1:8080/app/x?y", "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://evil.example", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://127.0.0.1:8081", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("null", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://127.0.0.1:8080.evil", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok(NULL, "https://evil.example/127.0.0.1:8080", "127.0.0.1:8080",
                                NULL));
    assert_false(auth_origin_ok("http://x", NULL, NULL, NULL));
    /* The scheme counts: this server speaks plain HTTP without a public URL. */
    assert_false(auth_origin_ok("https://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("ftp://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("ws://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_true(auth_origin_ok("HTTP://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_true(auth_origin_ok("http://CRM.local", NULL, "crm.local:80", NULL));
    assert_true(auth_origin_ok("http://crm.local:80", NULL, "crm.local", NULL));
    assert_false(auth_origin_ok("http://crm.local:8080", NULL, "crm.local", NULL));
    assert_false(auth_origin_ok("http://user@127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://127.0.0.1:08080x", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://127.0.0.1:", NULL, "127.0.0.1:8080", NULL));
    assert_false(auth_origin_ok("http://:8080", NULL, ":8080", NULL));
    assert_true(auth_origin_ok("http://[::1]:8080", NULL, "[::1]:8080", NULL));
    assert_false(auth_origin_ok("http://[::1]:8080", NULL, "[::2]:8080", NULL));
    /* With a public URL, only its origin counts (a proxy rewrites Host). */
    assert_true(auth_origin_ok("https://crm.example.com", NULL, "127.0.0.1:8080", pub));
    assert_true(auth_origin_ok("https://CRM.example.com", NULL, "127.0.0.1:8080", pub));
    assert_false(auth_origin_ok("http://crm.example.com", NULL, "crm.example.com", pub));
    assert_false(auth_origin_ok("https://crm.example.com.evil", NULL, "127.0.0.1", pub));
    assert_true(auth_origin_ok("HTTPS://crm.example.com:443", NULL, "127.0.0.1", pub));
    assert_false(auth_origin_ok("https://crm.example.com:8443", NULL, "127.0.0.1", pub));
    assert_true(auth_origin_ok("https://crm.example.com:8443", NULL, "x",
                               "https://crm.example.com:8443/crm/"));
}

static void test_security_events(void **state)
{
    struct afx *x = *state;
    struct efx *f = x->f;
    struct auth_login_result res;
    assert_int_equal(login(f, "alice", "not the password", "10.1.0.1", &res), RP_EAUTH);
    assert_int_equal(login(f, "nobody", PW, "10.1.0.1", &res), RP_EAUTH);
    assert_int_equal(login(f, "alice", PW, "10.1.0.1", &res), RP_OK);
    struct principal who = res.who;
    struct rec_ctx *ctx = fx_ctx(f, &who);
    assert_int_equal(auth_logout(ctx), RP_OK);
    struct store_val a = store_cstr(x->alice);
    assert_int_equal(fx_sql_int(f,
                                "SELECT count(*) FROM security_events WHERE action = 'login_failed'"
                                " AND actor_id = ? AND detail = 'wrong password'",
                                &a, 1),
                     1);
    /* An unknown name is not written down: it may be a password in the wrong box. */
    assert_int_equal(fx_sql_int(f,
                                "SELECT count(*) FROM security_events WHERE action = 'login_failed'"
                                " AND actor_id IS NULL AND object_id IS NULL",
                                NULL, 0),
                     1);
    assert_int_equal(fx_sql_int(f,
                                "SELECT count(*) FROM security_events WHERE actor_id = ? AND"
                                " outcome = 'success' AND action IN ('login', 'logout')",
                                &a, 1),
                     2);
    /* Only administrators read the log. */
    struct store_secev *ev;
    size_t n;
    assert_int_equal(secev_list(fx_ctx(f, &who), 0, NULL, 10, &ev, &n), RP_EFORBIDDEN);
    assert_int_equal(secev_list(fx_ctx(f, &x->admin), 0, "login", 10, &ev, &n), RP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].addr, "10.1.0.1");
    /* Append-only: the database refuses changes and deletions. */
    assert_int_not_equal(store_exec(f->c, "UPDATE security_events SET outcome = 'x'", NULL, 0),
                         RP_OK);
    assert_int_not_equal(store_exec(f->c, "DELETE FROM security_events", NULL, 0), RP_OK);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM security_events WHERE outcome = 'x'",
                                NULL, 0),
                     0);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_login_and_session),
        T(test_bad_credentials),
        T(test_throttle),
        T(test_logout),
        T(test_tokens),
        T(test_deactivation_and_password_change),
        T(test_bootstrap),
        T(test_session_timeouts),
        T(test_csrf_derived_not_stored),
        T(test_origin),
        T(test_security_events),
    };
#undef T
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
