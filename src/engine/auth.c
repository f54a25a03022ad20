#include "core/common.h"

#include <sodium.h>
#include <strings.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/auth.h"
#include "engine/password.h"
#include "engine/secev.h"
#include "store/platform.h"

#define SECRET_BYTES 32 /* 256-bit session ids and token secrets */
#define TOKEN_PREFIX "rpt_"

/* Verified against when the user name is unknown, so that an unknown user costs the
 * same argon2id work as a wrong password. Only its parameters matter (checked by
 * auth_init against the ones passwords are hashed with); the password behind it was
 * random and thrown away. A constant rather than a hash made at start: hashing takes
 * a fifth of a second, half of the server's start-up. */
static const char DUMMY_HASH[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$CSSDWwFYpdr6mfeWdQEKtA$"
    "77ZMwPOYznRrKLvIoLdOBXn8cu0Rc4Gk6dDYcoZ82oM";

/* The idle timeout of sessions, in milliseconds (set once at start). */
static int64_t idle_ms = RP_SESSION_IDLE_S * 1000LL;

enum rp_err auth_init(void)
{
    if (sodium_init() < 0)
        return RP_EIO;
    RP_ASSERT(crypto_pwhash_str_needs_rehash(DUMMY_HASH, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) ==
              0);
    return RP_OK;
}

bool auth_set_session_idle(int64_t seconds)
{
    if (seconds < RP_SESSION_IDLE_MIN_S || seconds > RP_SESSION_TTL_S)
        return false;
    idle_ms = seconds * 1000;
    return true;
}

/* A session's last use is written at most this often, so reads do not each take the
 * writer path; the idle timeout is therefore exact to within this interval. */
static int64_t touch_interval_ms(void)
{
    return idle_ms / 4 < 60000 ? idle_ms / 4 : 60000;
}

static void wipe(void *p)
{
    char *s = p;
    sodium_memzero(s, strlen(s));
}

/* A random secret as base64url, in the arena, wiped when the arena is released. */
enum rp_err auth_check_password(struct rec_ctx *ctx, struct rp_str password, bool *ok)
{
    *ok = false;
    const char *id, *hash;
    bool active;
    enum rp_err err =
        store_user_credentials(ctx->conn, ctx->who->username, ctx->a, &id, &hash, &active);
    if (err)
        return err;
    char *pw = arena_strndup(ctx->a, password.p, password.len);
    arena_on_release(ctx->a, wipe, pw);
    *ok = hash && password.len <= RP_MAX_PASSWORD_BYTES &&
          crypto_pwhash_str_verify(hash, pw, password.len) == 0;
    return RP_OK;
}

char *auth_new_secret(struct arena *a, const char *prefix)
{
    unsigned char raw[SECRET_BYTES];
    randombytes_buf(raw, sizeof(raw));
    size_t plen = strlen(prefix);
    char *out = arena_alloc(a, plen + text_b64_enclen(sizeof(raw)) + 1);
    memcpy(out, prefix, plen);
    text_b64_encode(raw, sizeof(raw), out + plen);
    sodium_memzero(raw, sizeof(raw));
    arena_on_release(a, wipe, out);
    return out;
}

/* The CSRF token of a session: a BLAKE2b hash of a label and the session id. Only the
 * holder of the id can compute it, and it cannot be derived from the stored hash of
 * the id (another message of the same secret), so nothing in the database is a token. */
static char *csrf_of(struct arena *a, const char *session, size_t len)
{
    static const char LABEL[] = "rapport csrf v1:";
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)LABEL, sizeof(LABEL) - 1);
    crypto_generichash_update(&st, (const unsigned char *)session, len);
    crypto_generichash_final(&st, h, sizeof(h));
    char *out = arena_alloc(a, text_b64_enclen(sizeof(h)) + 1);
    text_b64_encode(h, sizeof(h), out);
    sodium_memzero(h, sizeof(h));
    arena_on_release(a, wipe, out);
    return out;
}

/* Secrets are stored as the hex BLAKE2b hash: a database leak does not leak them. */
static char *secret_hash(struct arena *a, const char *s, size_t len)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, len, NULL, 0);
    char *out = arena_alloc(a, 65);
    text_hex(h, sizeof(h), out);
    return out;
}

static enum rp_err to_principal(const struct store_principal *sp, struct principal *out)
{
    memset(out, 0, sizeof(*out));
    out->user_id = sp->user_id;
    out->username = sp->username;
    out->display_name = sp->display_name;
    out->locale = sp->locale;
    out->team_ids = sp->team_ids;
    out->role = sp->role;
    out->meta_gen = sp->meta_gen;
    return sp->role ? RP_OK : RP_EAUTH;
}

enum rp_err auth_user(struct rec_ctx *ctx, const char *user_id, struct principal *out)
{
    struct store_principal sp;
    enum rp_err err = store_user_principal(ctx->conn, user_id, ctx->a, &sp);
    if (!err)
        err = to_principal(&sp, out);
    return err == RP_EAUTH ? RP_ENOTFOUND : err;
}

static enum rp_err throttled(struct rec_ctx *ctx, const char *key, int max, int64_t now,
                             int64_t *retry)
{
    int64_t fails, start;
    enum rp_err err =
        store_throttle_get(ctx->conn, key, now, RP_LOGIN_WINDOW_S * 1000LL, &fails, &start);
    if (err)
        return err;
    if (fails >= max) {
        int64_t r = (start + RP_LOGIN_WINDOW_S * 1000LL - now + 999) / 1000;
        *retry = r > *retry ? r : *retry;
        return RP_ELIMIT;
    }
    return RP_OK;
}

/* Counts an attempt against both throttles before the password is checked, in one
 * write transaction, so parallel attempts cannot all slip under the limit. */
static enum rp_err reserve_attempt(struct rec_ctx *ctx, const char *ukey, const char *akey,
                                   int64_t now, int64_t *retry)
{
    enum rp_err err = store_begin(ctx->conn, true);
    if (err)
        return err;
    enum rp_err e1 = throttled(ctx, ukey, RP_LOGIN_MAX_FAILS_USER, now, retry);
    enum rp_err e2 = throttled(ctx, akey, RP_LOGIN_MAX_FAILS_ADDR, now, retry);
    err = e1 ? e1 : e2;
    if (!err)
        err = store_throttle_fail(ctx->conn, ukey, now, RP_LOGIN_WINDOW_S * 1000LL);
    if (!err)
        err = store_throttle_fail(ctx->conn, akey, now, RP_LOGIN_WINDOW_S * 1000LL);
    if (err) {
        store_rollback(ctx->conn);
        return err;
    }
    return store_commit(ctx->conn);
}

/* The throttled password check shared by sign-in and HTTP Basic: RP_OK with the user's
 * id and the two throttle keys (to clear on success), RP_EAUTH, RP_ELIMIT. */
static enum rp_err verify_password(struct rec_ctx *ctx, struct rp_str username,
                                   struct rp_str password, const char *addr,
                                   const char **user_id_out, const char **ukey_out,
                                   const char **akey_out, int64_t *retry_after)
{
    ctx->addr = addr; /* the security log names the address counted by the throttle */
    if (username.len == 0 || username.len > 64 || password.len > RP_MAX_PASSWORD_BYTES) {
        secev_log(ctx, NULL, "login_failed", NULL, NULL, "failure", "malformed credentials");
        return RP_EAUTH;
    }
    const char *uname = arena_strndup(ctx->a, username.p, username.len);
    /* The throttle is keyed by a hash of the name: a password typed into the name box
     * must not be stored. */
    const char *ukey = arena_printf(ctx->a, "u:%s", secret_hash(ctx->a, uname, strlen(uname)));
    const char *akey = arena_printf(ctx->a, "a:%s", addr ? addr : "-");
    int64_t now = text_now_ms();
    /* The user's id, when the name is a user's; an unknown name is not logged (it may be
     * a password typed into the wrong box). */
    const char *user_id = NULL, *hash = NULL;
    bool active = false;
    enum rp_err uerr = store_user_credentials(ctx->conn, uname, ctx->a, &user_id, &hash, &active);
    if (uerr && uerr != RP_ENOTFOUND)
        return uerr;
    enum rp_err err = reserve_attempt(ctx, ukey, akey, now, retry_after);
    if (err == RP_ELIMIT)
        secev_log(ctx, user_id, "login_locked", "user", user_id, "denied",
                  user_id ? "too many failed sign-ins" : "too many failed sign-ins, unknown user");
    if (err)
        return err;

    char *pw = arena_strndup(ctx->a, password.p, password.len);
    arena_on_release(ctx->a, wipe, pw);
    bool ok = crypto_pwhash_str_verify(hash ? hash : DUMMY_HASH, pw, password.len) == 0;
    if (!ok || uerr || !active) {
        LOG(LOG_INFO, "sign-in failed");
        secev_log(ctx, user_id, "login_failed", "user", user_id, "failure",
                  uerr ? "unknown user" : !ok ? "wrong password" : "user deactivated");
        return RP_EAUTH; /* the failure is already counted */
    }
    *user_id_out = user_id;
    *ukey_out = ukey;
    *akey_out = akey;
    return RP_OK;
}

enum rp_err auth_login(struct rec_ctx *ctx, struct rp_str username, struct rp_str password,
                       const char *addr, struct auth_login_result *out)
{
    memset(out, 0, sizeof(*out));
    const char *user_id, *ukey, *akey;
    enum rp_err err =
        verify_password(ctx, username, password, addr, &user_id, &ukey, &akey, &out->retry_after);
    if (err)
        return err;
    int64_t now = text_now_ms();
    out->session = auth_new_secret(ctx->a, "");
    out->csrf_token = csrf_of(ctx->a, out->session, strlen(out->session));
    const char *h = secret_hash(ctx->a, out->session, strlen(out->session));
    err = store_begin(ctx->conn, true);
    if (err)
        return err;
    /* Sign-ins are rare next to reads: a good moment to drop what has expired. */
    err = store_session_purge(ctx->conn, now, now - idle_ms, RP_LOGIN_WINDOW_S * 1000LL,
                              RP_IDEMPOTENCY_TTL_S * 1000LL);
    if (!err)
        err = store_throttle_clear(ctx->conn, ukey);
    if (!err)
        err = store_throttle_refund(ctx->conn, akey);
    if (!err)
        err = store_session_create(ctx->conn, h, user_id, now, now + RP_SESSION_TTL_S * 1000LL,
                                   addr);
    if (!err)
        err = secev_add(ctx, user_id, "login", "user", user_id, "success", NULL);
    if (err) {
        store_rollback(ctx->conn);
        return err;
    }
    err = store_commit(ctx->conn);
    if (err)
        return err;
    LOG(LOG_INFO, "sign-in user=%s", user_id);
    return auth_session(ctx->conn, ctx->a, rp_str_c(out->session), &out->who);
}

enum rp_err auth_basic(struct rec_ctx *ctx, struct rp_str username, struct rp_str password,
                       const char *addr, struct principal *out, int64_t *retry_after)
{
    memset(out, 0, sizeof(*out));
    *retry_after = 0;
    if (password.len > strlen(TOKEN_PREFIX) &&
        memcmp(password.p, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0) {
        /* A token answers for its own user only: the name must be theirs. */
        enum rp_err err = auth_token(ctx->conn, ctx->a, password, out);
        if (!err && !rp_str_eq(username, rp_str_c(out->username)))
            err = RP_EAUTH;
        return err;
    }
    const char *user_id, *ukey, *akey;
    enum rp_err err =
        verify_password(ctx, username, password, addr, &user_id, &ukey, &akey, retry_after);
    if (err)
        return err;
    err = store_begin(ctx->conn, true);
    if (err)
        return err;
    err = store_throttle_clear(ctx->conn, ukey);
    if (!err)
        err = store_throttle_refund(ctx->conn, akey);
    if (err) {
        store_rollback(ctx->conn);
        return err;
    }
    err = store_commit(ctx->conn);
    if (!err)
        err = auth_user(ctx, user_id, out);
    return err == RP_ENOTFOUND ? RP_EAUTH : err;
}

enum rp_err auth_logout(struct rec_ctx *ctx)
{
    if (!ctx->who || !ctx->who->session_hash)
        return RP_OK;
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = store_session_delete(ctx->conn, ctx->who->session_hash);
    if (!err)
        err = secev_add(ctx, NULL, "logout", "user", ctx->who->user_id, "success", NULL);
    return rec_tx_end(ctx, err);
}

enum rp_err auth_session(struct store_conn *c, struct arena *a, struct rp_str cookie,
                         struct principal *out)
{
    if (cookie.len == 0 || cookie.len > 128)
        return RP_EAUTH;
    const char *h = secret_hash(a, cookie.p, cookie.len);
    struct store_principal sp;
    int64_t now = text_now_ms();
    enum rp_err err = store_session_lookup(c, h, now, now - idle_ms, a, &sp);
    if (err == RP_ENOTFOUND)
        return RP_EAUTH;
    if (err)
        return err;
    err = to_principal(&sp, out);
    out->session_hash = h;
    out->csrf_token = csrf_of(a, cookie.p, cookie.len);
    if (!err && now - sp.last_seen_ms >= touch_interval_ms()) {
        err = store_begin(c, true);
        if (!err) {
            err = store_session_touch(c, h, now);
            if (err)
                store_rollback(c);
            else
                err = store_commit(c);
        }
    }
    return err;
}

enum rp_err auth_token(struct store_conn *c, struct arena *a, struct rp_str token,
                       struct principal *out)
{
    if (token.len < 8 || token.len > 128)
        return RP_EAUTH;
    const char *h = secret_hash(a, token.p, token.len);
    struct store_principal sp;
    enum rp_err err = store_token_lookup(c, h, a, &sp);
    if (err == RP_ENOTFOUND)
        return RP_EAUTH;
    if (err)
        return err;
    err = to_principal(&sp, out);
    /* last_used_at is kept to the minute: a write per request would serialise every
     * token-authenticated read behind the writer. */
    char now[32], stale[32];
    int64_t ms = text_now_ms();
    text_format_datetime(ms, now, sizeof(now));
    text_format_datetime(ms - 60000, stale, sizeof(stale));
    if (!err && (!sp.last_used_at || strcmp(sp.last_used_at, stale) < 0)) {
        err = store_begin(c, true);
        if (!err) {
            err = store_token_touch(c, h, now);
            if (err)
                store_rollback(c);
            else
                err = store_commit(c);
        }
    }
    return err;
}

bool auth_csrf_ok(const struct principal *who, struct rp_str header)
{
    if (!who->csrf_token)
        return true;
    size_t n = strlen(who->csrf_token);
    return header.len == n && sodium_memcmp(header.p, who->csrf_token, n) == 0;
}

enum rp_err auth_token_create(struct rec_ctx *ctx, struct rp_str name, const char **id,
                              const char **secret)
{
    /* A token that could mint tokens would outlive its own revocation. */
    if (!ctx->who->session_hash)
        return rec_fail(ctx, RP_EFORBIDDEN,
                        "an API token cannot create tokens: sign in with your password");
    if (name.len == 0 || text_utf8_len(name) > 100)
        return rec_field_error(ctx, "name", "must be 1 to 100 characters");
    char buf[RP_ID_LEN + 1];
    enum rp_err err = ids_uuid7(buf);
    if (err)
        return err;
    *id = arena_strdup(ctx->a, buf);
    *secret = auth_new_secret(ctx->a, TOKEN_PREFIX);
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    err = store_begin(ctx->conn, true);
    if (err)
        return err;
    err = store_token_create(ctx->conn, *id, ctx->who->user_id,
                             arena_strndup(ctx->a, name.p, name.len),
                             secret_hash(ctx->a, *secret, strlen(*secret)), now);
    if (!err)
        err = secev_add(ctx, NULL, "token_create", "token", *id, "success", NULL);
    if (err) {
        store_rollback(ctx->conn);
        return err;
    }
    return store_commit(ctx->conn);
}

enum rp_err auth_token_list(struct rec_ctx *ctx, struct store_token **out, size_t *n)
{
    return store_token_list(ctx->conn, ctx->who->user_id, ctx->a, out, n);
}

enum rp_err auth_token_revoke(struct rec_ctx *ctx, struct rp_str id)
{
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    enum rp_err err = store_begin(ctx->conn, true);
    if (err)
        return err;
    const char *tid = arena_strndup(ctx->a, id.p, id.len);
    err = store_token_revoke(ctx->conn, tid, ctx->who->user_id, now);
    if (!err)
        err = secev_add(ctx, NULL, "token_revoke", "token", tid, "success", NULL);
    if (err) {
        store_rollback(ctx->conn);
        return err;
    }
    return store_commit(ctx->conn);
}

/* A web origin (RFC 6454): scheme, host and port, the port filled in from the scheme
 * when absent. */
struct origin {
    struct rp_str scheme;
    struct rp_str host;
    unsigned port;
};

/* All of s as host[:port]; the port defaults to dflt. An IPv6 literal keeps its
 * brackets. */
static bool parse_authority(struct rp_str s, unsigned dflt, struct origin *o)
{
    size_t i = 0;
    if (s.len && s.p[0] == '[') {
        while (i < s.len && s.p[i] != ']')
            i++;
        if (i == s.len)
            return false;
        i++;
    } else {
        while (i < s.len && s.p[i] != ':')
            i++;
    }
    o->host = (struct rp_str){s.p, i};
    if (o->host.len == 0)
        return false;
    for (size_t k = 0; k < o->host.len; k++)
        if (o->host.p[k] == '@' || o->host.p[k] == '\\' || (unsigned char)o->host.p[k] <= ' ')
            return false; /* userinfo, or no host at all */
    if (i == s.len) {
        o->port = dflt;
        return dflt != 0;
    }
    if (s.p[i] != ':' || i + 1 == s.len || s.len - i - 1 > 5)
        return false;
    unsigned port = 0;
    for (size_t k = i + 1; k < s.len; k++) {
        if (s.p[k] < '0' || s.p[k] > '9')
            return false;
        port = port * 10 + (unsigned)(s.p[k] - '0');
    }
    o->port = port;
    return port > 0 && port <= 65535;
}

/* The origin a URL ("scheme://host[:port][/…]") starts with; only http and https. */
static bool parse_origin(struct rp_str url, struct origin *o)
{
    const char *sep = url.len > 3 ? memchr(url.p, ':', url.len) : NULL;
    if (!sep || (size_t)(url.p + url.len - sep) < 3 || sep[1] != '/' || sep[2] != '/')
        return false;
    o->scheme = (struct rp_str){url.p, (size_t)(sep - url.p)};
    unsigned dflt;
    if (o->scheme.len == 4 && strncasecmp(o->scheme.p, "http", 4) == 0)
        dflt = 80;
    else if (o->scheme.len == 5 && strncasecmp(o->scheme.p, "https", 5) == 0)
        dflt = 443;
    else
        return false;
    size_t start = (size_t)(sep - url.p) + 3, i = start;
    while (i < url.len && url.p[i] != '/' && url.p[i] != '?' && url.p[i] != '#')
        i++;
    return parse_authority((struct rp_str){url.p + start, i - start}, dflt, o);
}

static bool same_text_ci(struct rp_str a, struct rp_str b)
{
    return a.len == b.len && strncasecmp(a.p, b.p, a.len) == 0;
}

static bool same_origin(const struct origin *a, const struct origin *b)
{
    return same_text_ci(a->scheme, b->scheme) && same_text_ci(a->host, b->host) &&
           a->port == b->port;
}

bool auth_origin_ok(const char *origin, const char *referer, const char *host,
                    const char *public_url)
{
    const char *from = origin ? origin : referer;
    if (!from)
        return true; /* not a browser, or one that sends neither: the CSRF token decides */
    struct origin o, want;
    if (!parse_origin(rp_str_c(from), &o))
        return false; /* "null" (sandboxed or file pages) and anything unparsable */
    if (public_url)
        return parse_origin(rp_str_c(public_url), &want) && same_origin(&o, &want);
    /* Without a public URL the page was loaded from this server itself, which speaks
     * plain HTTP: its origin is http:// and the Host the request was sent to. */
    want.scheme = RP_STR("http");
    return host && parse_authority(rp_str_c(host), 80, &want) && same_origin(&o, &want);
}
