/* Platform tables that are not records: sessions, API tokens, the audit log and login
 * throttling. Portable SQL over the generic statement API of db.h, so every backend
 * shares it. Strings returned are copied into the caller's arena. */
#ifndef RP_STORE_PLATFORM_H
#define RP_STORE_PLATFORM_H

#include "core/arena.h"
#include "store/db.h"

/* The signed-in principal as the session/token lookup finds it (joined with users). */
struct store_principal {
    const char *user_id;
    const char *username;
    const char *display_name;
    const char *role;
    const char *team_ids;    /* JSON array text, "[]" when none */
    const char *locale;
    const char *csrf_token;  /* sessions only */
    const char *last_used_at; /* tokens only; NULL when never used */
};

enum rp_err store_session_create(struct store_conn *c, const char *id_hash, const char *user_id,
                                 const char *csrf, int64_t now_ms, int64_t expires_ms,
                                 const char *addr);
/* RP_ENOTFOUND when absent, expired, or its user is deactivated or deleted. */
enum rp_err store_session_lookup(struct store_conn *c, const char *id_hash, int64_t now_ms,
                                 struct arena *a, struct store_principal *out);
enum rp_err store_session_delete(struct store_conn *c, const char *id_hash);
/* Revokes every session of a user (logout everywhere, deactivation) but `keep_hash`
 * (may be NULL): the session that made the change stays signed in. */
enum rp_err store_session_delete_user(struct store_conn *c, const char *user_id,
                                      const char *keep_hash);
/* Deletes expired sessions and login-throttle windows older than window_ms. */
enum rp_err store_session_purge(struct store_conn *c, int64_t now_ms, int64_t window_ms);
enum rp_err store_session_count(struct store_conn *c, int64_t now_ms, int64_t *out);

enum rp_err store_token_create(struct store_conn *c, const char *id, const char *user_id,
                               const char *name, const char *token_hash, const char *now);
enum rp_err store_token_lookup(struct store_conn *c, const char *token_hash, struct arena *a,
                               struct store_principal *out);
/* Records that a token was used at `now`. */
enum rp_err store_token_touch(struct store_conn *c, const char *token_hash, const char *now);
struct store_token {
    const char *id;
    const char *name;
    const char *created_at;
    const char *last_used_at;  /* NULL when never used */
    const char *revoked_at;    /* NULL while valid */
};

/* A user's tokens, newest first, copied into the arena. */
enum rp_err store_token_list(struct store_conn *c, const char *user_id, struct arena *a,
                             struct store_token **out, size_t *n);
/* RP_ENOTFOUND when the token does not exist or belongs to another user. */
enum rp_err store_token_revoke(struct store_conn *c, const char *id, const char *user_id,
                               const char *now);
enum rp_err store_token_revoke_user(struct store_conn *c, const char *user_id, const char *now);

struct store_audit {
    const char *at;
    const char *user_id;
    const char *entity;
    const char *record_id;
    const char *action;     /* create, update, delete, restore, transfer */
    const char *field;      /* NULL for record-level rows */
    struct store_val old_value;
    struct store_val new_value;
};

enum rp_err store_audit_add(struct store_conn *c, const struct store_audit *row);
/* Prepares the history of one record, newest first, rows with seq < before_seq (0: no
 * bound), at most limit: columns seq, at, user_id, action, field, old_value, new_value. */
enum rp_err store_audit_list(struct store_conn *c, const char *entity, const char *record_id,
                             int64_t before_seq, int64_t limit, struct store_stmt **out);

/* Failures recorded for key within the window ending now. */
enum rp_err store_throttle_get(struct store_conn *c, const char *key, int64_t now_ms,
                               int64_t window_ms, int64_t *failures, int64_t *window_start);
enum rp_err store_throttle_fail(struct store_conn *c, const char *key, int64_t now_ms,
                                int64_t window_ms);
enum rp_err store_throttle_clear(struct store_conn *c, const char *key);
/* Takes back one failure recorded in advance for an attempt that succeeded. */
enum rp_err store_throttle_refund(struct store_conn *c, const char *key);

/* Ids of live users who share at least one live team with team_ids (a JSON array).
 * Each id is arena-allocated; *n is the count. Backend-specific (JSON functions): it
 * lives with the backend's dialect, beside store_team_owner_condition. */
enum rp_err store_team_peers(struct store_conn *c, const char *team_ids, struct arena *a,
                             const char ***ids, size_t *n);



/* Duplicate-detection keys (normalised e-mail, phone, tax id, name) of records. */
enum rp_err store_dedup_replace(struct store_conn *c, const char *entity, const char *record_id,
                                const char *const *kinds, const char *const *keys, size_t n);
/* Ids of records of entity (other than except_id) having kind = key, at most max. */
enum rp_err store_dedup_find(struct store_conn *c, const char *entity, const char *kind,
                             const char *key, const char *except_id, size_t max, struct arena *a,
                             const char ***ids, size_t *n);

struct store_dedup_row {
    const char *kind;
    const char *key;
    const char *record_id;
};

/* Rows of the keys that more than one record of entity shares, grouped by (kind, key),
 * for at most max_groups keys. */
enum rp_err store_dedup_shared(struct store_conn *c, const char *entity, size_t max_groups,
                               struct arena *a, struct store_dedup_row **rows, size_t *n);

/* Moves every row of a record table owned by `from` to `to` (recycle bin included),
 * writing one audit row per record (action "transfer"). Runs inside the caller's
 * write transaction. `table` comes from metadata. */
enum rp_err store_transfer_owner(struct store_conn *c, const char *table, const char *from,
                                 const char *to, const char *now, const char *by,
                                 int64_t *moved);

/* The password hash and state of a live user found by username, for sign-in.
 * RP_ENOTFOUND when there is no such user. */
enum rp_err store_user_credentials(struct store_conn *c, const char *username, struct arena *a,
                                   const char **user_id, const char **hash, bool *active);
/* Number of users (live or not): zero means a fresh database. */
enum rp_err store_user_count(struct store_conn *c, int64_t *n);
#endif
