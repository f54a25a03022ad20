/* Signing in and out, the signed-in user, API tokens, and the security log. */
#include "core/common.h"

#include "api/api_int.h"
#include "api/handlers.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/secev.h"

static json_t *principal_json(const struct principal *w)
{
    json_t *u = json_object();
    json_object_set_new(u, "id", json_string(w->user_id));
    json_object_set_new(u, "username", json_string(w->username));
    json_object_set_new(u, "display_name", api_str_or_null(w->display_name));
    json_object_set_new(u, "role", json_string(w->role));
    json_object_set_new(u, "admin", json_boolean(acl_is_admin(w)));
    json_t *teams = json_loads(w->team_ids ? w->team_ids : "[]", 0, NULL);
    json_object_set_new(u, "team_ids", teams ? teams : json_array());
    json_object_set_new(u, "locale", api_str_or_null(w->locale));
    return u;
}

unsigned api__login(struct api_call *c)
{
    struct http_req *req = c->req;
    /* Login CSRF: a foreign page must not sign a browser in to an attacker's account. */
    if (!auth_origin_ok(http_header(req, "Origin"), http_header(req, "Referer"),
                        http_header(req, "Host"), c->app->public_url)) {
        return api_problem(c, 403, "the request comes from another site (Origin)");
    }
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *u = json_object_get(root, "username"), *p = json_object_get(root, "password");
    if (!json_is_string(u) || !json_is_string(p)) {
        if (!json_is_string(u))
            rec_field_error(&c->ctx, "username", "is required");
        if (!json_is_string(p))
            rec_field_error(&c->ctx, "password", "is required");
        return api_fail(c, RP_EINVAL);
    }
    struct auth_login_result res;
    enum rp_err err =
        auth_login(&c->ctx, (struct rp_str){json_string_value(u), json_string_length(u)},
                   (struct rp_str){json_string_value(p), json_string_length(p)}, req->addr, &res);
    if (err == RP_ELIMIT) {
        http_add_header(req, "Retry-After",
                        arena_printf(&req->a, "%lld", (long long)res.retry_after));
        rec_fail(&c->ctx, err, "too many failed sign-ins; wait and try again");
    } else if (err == RP_EAUTH) {
        rec_fail(&c->ctx, err, "wrong username or password");
    }
    if (err)
        return api_fail(c, err);
    char *cookie =
        arena_printf(&req->a, AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax;%s Max-Age=%d",
                     res.session, c->app->secure_cookies ? " Secure;" : "", RP_SESSION_TTL_S);
    arena_on_release(&req->a, buf_wipe_cstr, cookie);
    http_add_header(req, "Set-Cookie", cookie);
    json_t *out = json_object();
    json_object_set_new(out, "user", principal_json(&res.who));
    json_object_set_new(out, "csrf_token", json_string(res.csrf_token));
    return api_json(c, 200, out);
}

unsigned api__logout(struct api_call *c)
{
    struct http_req *req = c->req;
    enum rp_err err = auth_logout(&c->ctx);
    if (err)
        return api_fail(c, err);
    http_add_header(req, "Set-Cookie", AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return api_no_content(c);
}

unsigned api__me(struct api_call *c)
{
    json_t *out = json_object();
    json_object_set_new(out, "user", principal_json(c->who));
    if (c->who->csrf_token)
        json_object_set_new(out, "csrf_token", json_string(c->who->csrf_token));
    return api_json(c, 200, out);
}

unsigned api__token_create(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *name = json_object_get(root, "name");
    const char *id, *secret;
    enum rp_err err =
        json_is_string(name)
            ? auth_token_create(&c->ctx, rp_str_c(json_string_value(name)), &id, &secret)
            : rec_field_error(&c->ctx, "name", "is required");
    if (err)
        return api_fail(c, err);
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    json_object_set_new(out, "name", json_incref(name));
    json_object_set_new(out, "token", json_string(secret));
    return api_json(c, 201, out);
}

unsigned api__token_list(struct api_call *c)
{
    struct store_token *t;
    size_t n;
    enum rp_err err = auth_token_list(&c->ctx, &t, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(t[i].id));
        json_object_set_new(o, "name", json_string(t[i].name));
        json_object_set_new(o, "created_at", json_string(t[i].created_at));
        json_object_set_new(o, "last_used_at", api_str_or_null(t[i].last_used_at));
        json_object_set_new(o, "revoked_at", api_str_or_null(t[i].revoked_at));
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}

unsigned api__token_delete(struct api_call *c)
{
    struct http_req *req = c->req;
    enum rp_err err = auth_token_revoke(&c->ctx, req->params[0]);
    return err ? api_fail(c, err) : api_no_content(c);
}

unsigned api__security_events(struct api_call *c)
{
    struct http_req *req = c->req;
    int64_t limit = 100, before = 0;
    const char *action = NULL;
    for (size_t i = 0; i < req->nquery; i++) {
        const struct http_query_param *q = &req->query[i];
        if (rp_str_eqc(q->key, "action")) {
            action = arena_strndup(&req->a, q->value.p, q->value.len);
        } else if (!(rp_str_eqc(q->key, "limit") && !text_parse_i64(q->value, &limit)) &&
                   !(rp_str_eqc(q->key, "before") && !text_parse_i64(q->value, &before))) {
            return api_problem(c, 400,
                               "the security log takes limit, before (a number) and action");
        }
    }
    struct store_secev *ev;
    size_t n;
    enum rp_err err = secev_list(&c->ctx, before, action, limit, &ev, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(ev[i].seq));
        json_object_set_new(o, "at", json_string(ev[i].at));
        json_object_set_new(o, "actor_id", api_str_or_null(ev[i].actor_id));
        json_object_set_new(o, "addr", api_str_or_null(ev[i].addr));
        json_object_set_new(o, "request_id", api_str_or_null(ev[i].request_id));
        json_object_set_new(o, "action", json_string(ev[i].action));
        json_object_set_new(o, "object_type", api_str_or_null(ev[i].object_type));
        json_object_set_new(o, "object_id", api_str_or_null(ev[i].object_id));
        json_object_set_new(o, "outcome", json_string(ev[i].outcome));
        json_object_set_new(o, "detail", api_str_or_null(ev[i].detail));
        json_array_append_new(data, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    json_object_set_new(root, "next_before",
                        n == (size_t)limit ? json_integer(ev[n - 1].seq) : json_null());
    return api_json(c, 200, root);
}
