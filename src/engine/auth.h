/* Authentication: passwords (argon2id), database sessions with CSRF tokens, API
 * tokens, login throttling, and the first-start administrator. */
#ifndef RP_ENGINE_AUTH_H
#define RP_ENGINE_AUTH_H

#include "engine/acl.h"
#include "store/platform.h"

#define AUTH_COOKIE "rapport_session"

struct auth_login_result {
    char *session;       /* cookie value: returns owned by the arena; wiped on release */
    const char *csrf_token; /* derived from the session id; wiped on release */
    struct principal who;
    int64_t retry_after; /* seconds, with RP_ELIMIT */
};

/* Verifies a username and password and opens a session. RP_EAUTH for bad credentials
 * or an inactive user (the same answer, so accounts cannot be probed), RP_ELIMIT when
 * too many failures were seen for the user or the address. */
enum rp_err auth_login(struct rec_ctx *ctx, struct rp_str username, struct rp_str password,
                       const char *addr, struct auth_login_result *out);
/* HTTP Basic credentials (CalDAV and CardDAV clients): an API token's secret as the
 * password (its user's name required), or the user's password, checked under the same
 * throttle as auth_login but opening no session. RP_EAUTH, RP_ELIMIT (*retry_after set). */
enum rp_err auth_basic(struct rec_ctx *ctx, struct rp_str username, struct rp_str password,
                       const char *addr, struct principal *out, int64_t *retry_after);
/* Ends the caller's session. */
enum rp_err auth_logout(struct rec_ctx *ctx);
/* Resolves a session cookie or a bearer token to a principal. RP_EAUTH if invalid. */
enum rp_err auth_session(struct store_conn *c, struct arena *a, struct rp_str cookie,
                         struct principal *out);
enum rp_err auth_token(struct store_conn *c, struct arena *a, struct rp_str token,
                       struct principal *out);
/* The principal of an active user by id, for work done in their name without a
 * session (an import job runs as the user who queued it). RP_ENOTFOUND when the user
 * is gone or deactivated. */
enum rp_err auth_user(struct rec_ctx *ctx, const char *user_id, struct principal *out);
/* Constant-time comparison of the CSRF header with the session's token. */
bool auth_csrf_ok(const struct principal *who, struct rp_str header);
/* The Origin check of a state-changing cookie request (ASVS 4.2.2 / 50.2): the Origin
 * header, or the Referer when there is none, must name the configured public URL's
 * origin or, without one, http:// and the Host the request was sent to. Scheme, host
 * and port must all match (scheme and host in any case, default ports 80 and 443
 * filled in). True when neither header is present (non-browser clients); false for
 * "null", other schemes and foreign origins. */
bool auth_origin_ok(const char *origin, const char *referer, const char *host,
                    const char *public_url);
/* Sets the idle timeout of sessions (RP_SESSION_IDLE_MIN_S to RP_SESSION_TTL_S seconds);
 * false when out of range. Call once at start. */
bool auth_set_session_idle(int64_t seconds);

/* Creates an API token for the caller, who must be signed in with a session
 * (RP_EFORBIDDEN for an API token); *secret is shown to the user once. */
enum rp_err auth_token_create(struct rec_ctx *ctx, struct rp_str name, const char **id,
                              const char **secret);
enum rp_err auth_token_revoke(struct rec_ctx *ctx, struct rp_str id);
/* The caller's tokens (never their secrets), newest first. */
enum rp_err auth_token_list(struct rec_ctx *ctx, struct store_token **out, size_t *n);

/* Whether password is the signed-in caller's current one (constant time). */
enum rp_err auth_check_password(struct rec_ctx *ctx, struct rp_str password, bool *ok);
/* A new random secret: prefix and 256 bits in base64url, wiped when the arena is
 * released (session ids, token secrets, a first administrator's password). */
char *auth_new_secret(struct arena *a, const char *prefix);

/* Initialises libsodium; call once at start. */
enum rp_err auth_init(void);

#endif
