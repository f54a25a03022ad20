/* Platform tables that are not records: sessions, API tokens, the audit log, login
 * throttling, the security log and idempotency keys. Portable SQL over the generic statement API of db.h, so every backend
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
    const char *last_used_at; /* tokens only; NULL when never used */
    int64_t last_seen_ms;     /* sessions only: the last use recorded */
    uint64_t meta_gen;        /* meta_state.gen: the database's metadata generation */
};

/* The principal of an active user by id (a job runs as the user who queued it).
 * RP_ENOTFOUND when there is no such active user. */
enum rp_err store_user_principal(struct store_conn *c, const char *user_id, struct arena *a,
                                 struct store_principal *out);
/* Stores a session by the hash of its id; the CSRF token is derived from the id by
 * crm/auth.c, so nothing stored can be replayed as one. */
enum rp_err store_session_create(struct store_conn *c, const char *id_hash, const char *user_id,
                                 int64_t now_ms, int64_t expires_ms, const char *addr);
/* RP_ENOTFOUND when absent, past expires_at (now_ms), idle since before idle_since_ms,
 * or its user is deactivated or deleted. */
enum rp_err store_session_lookup(struct store_conn *c, const char *id_hash, int64_t now_ms,
                                 int64_t idle_since_ms, struct arena *a,
                                 struct store_principal *out);
/* Records a use of the session at now_ms (the idle timeout counts from it). */
enum rp_err store_session_touch(struct store_conn *c, const char *id_hash, int64_t now_ms);
enum rp_err store_session_delete(struct store_conn *c, const char *id_hash);
/* Revokes every session of a user (logout everywhere, deactivation) but `keep_hash`
 * (may be NULL): the session that made the change stays signed in. */
enum rp_err store_session_delete_user(struct store_conn *c, const char *user_id,
                                      const char *keep_hash);
/* Deletes expired sessions, sessions idle since before idle_since_ms, login-throttle
 * windows older than window_ms and idempotency keys older than idem_ms. */
enum rp_err store_session_purge(struct store_conn *c, int64_t now_ms, int64_t idle_since_ms,
                                int64_t window_ms, int64_t idem_ms);
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
    const char *via;        /* what made the change for the user (a rule); NULL: they did */
};

enum rp_err store_audit_add(struct store_conn *c, const struct store_audit *row);
/* Prepares the history of one record, newest first, rows with seq < before_seq (0: no
 * bound), at most limit: columns seq, at, user_id, action, field, old_value, new_value, via. */
enum rp_err store_audit_list(struct store_conn *c, const char *entity, const char *record_id,
                             int64_t before_seq, int64_t limit, struct store_stmt **out);

/* Removes record `id` (row `seq` of `table`, an entity's) for good, in the caller's
 * transaction: the row, its full-text entry (when `fts`), its shares, its duplicate
 * keys, its field history, and the stored answers of idempotent requests that carried
 * it (they would hand its values out again for a day). */
enum rp_err store_record_purge(struct store_conn *c, const char *table, bool fts, int64_t seq,
                               const char *id);
/* Ids of at most max records of `table` in the recycle bin, deleted before `before`
 * (RFC 3339; NULL: whenever), oldest deletion first, copied into the arena. */
enum rp_err store_bin_ids(struct store_conn *c, const char *table, const char *before, size_t max,
                          struct arena *a, const char ***ids, size_t *n);

/* Failures recorded for key within the window ending now. */
enum rp_err store_throttle_get(struct store_conn *c, const char *key, int64_t now_ms,
                               int64_t window_ms, int64_t *failures, int64_t *window_start);
enum rp_err store_throttle_fail(struct store_conn *c, const char *key, int64_t now_ms,
                                int64_t window_ms);
enum rp_err store_throttle_clear(struct store_conn *c, const char *key);
/* Takes back one failure recorded in advance for an attempt that succeeded. */
enum rp_err store_throttle_refund(struct store_conn *c, const char *key);

/* Ids of live users who share at least one live team with team_ids (a JSON array).
 * Each id is arena-allocated; *n is the count. The query is the
 * backend's (team membership is JSON); store_team_owner_condition uses the same one. */
enum rp_err store_team_peers(struct store_conn *c, const char *team_ids, struct arena *a,
                             const char ***ids, size_t *n);
/* The live teams of team_ids (a JSON array) and every live team below them (through
 * parent_id), as a JSON array. */
enum rp_err store_teams_below(struct store_conn *c, const char *team_ids, struct arena *a,
                              const char **out);

/* Duplicate-detection keys (normalised e-mail, phone, tax id, name) of records;
 * is_new: the record was created in this transaction and has no keys to replace. */
enum rp_err store_dedup_replace(struct store_conn *c, const char *entity, const char *record_id,
                                bool is_new, const char *const *kinds, const char *const *keys, size_t n);
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

/* Phone keys (core/phone.h) of records' phone fields, one row per field that holds a
 * number, found by key in one index probe whatever the entity. is_new: the record was
 * created in this transaction and has no keys to replace. */
enum rp_err store_phone_keys_replace(struct store_conn *c, const char *entity,
                                     const char *record_id, bool is_new,
                                     const char *const *fields, const char *const *keys,
                                     size_t n);

struct store_phone_row {
    const char *entity;
    const char *record_id;
    const char *field;
};

/* The rows having key, at most max, by entity and record. */
enum rp_err store_phone_keys_find(struct store_conn *c, const char *key, size_t max,
                                  struct arena *a, struct store_phone_row **rows, size_t *n);
/* Removes every phone key (before they are all written again). */
enum rp_err store_phone_keys_clear(struct store_conn *c);

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
/* Whether the user with this id is active; RP_ENOTFOUND when there is none. */
enum rp_err store_user_active(struct store_conn *c, const char *id, bool *active);
/* Whether a team with this id exists outside the recycle bin. */
enum rp_err store_team_live(struct store_conn *c, const char *id, bool *live);
/* Number of users (active or not) who are administrators or named admin: zero means
 * the database has no administrator yet. */
enum rp_err store_admin_count(struct store_conn *c, int64_t *n);

/* ---- security events: append-only (the SQLite schema refuses UPDATE and DELETE) ---- */

struct store_secev {
    int64_t seq;              /* set when read */
    const char *at;           /* RFC 3339 UTC */
    const char *actor_id;     /* user id; NULL when unknown (failed sign-in) */
    const char *addr;         /* client address */
    const char *request_id;
    const char *action;       /* login, login_failed, login_locked, logout, … */
    const char *object_type;  /* user, token, an entity name, a route */
    const char *object_id;
    const char *outcome;      /* success, failure, denied */
    const char *detail;       /* short words, never a secret */
};

enum rp_err store_secev_add(struct store_conn *c, const struct store_secev *row);
/* Counts `records` customer records a user saw or exported at at_ms, and gives the
 * total since since_ms, this one included. */
enum rp_err store_data_access_add(struct store_conn *c, const char *user_id, int64_t at_ms,
                                  int64_t records, int64_t since_ms, int64_t *total);
/* The next value of the workspace's counter `name` (1 first), in the caller's write
 * transaction: the row stays locked until it ends, and a rollback gives it back. */
enum rp_err store_counter_next(struct store_conn *c, const char *name, int64_t *out);
/* A setting's value (NULL when unset), and setting it. */
enum rp_err store_setting_get(struct store_conn *c, const char *key, struct arena *a,
                              const char **value);
enum rp_err store_setting_put(struct store_conn *c, const char *key, const char *value);
/* Events newest first with seq < before_seq (0: no bound) and, when action is not
 * NULL, that action; at most limit, copied into the arena. */
enum rp_err store_secev_list(struct store_conn *c, int64_t before_seq, const char *action,
                             int64_t limit, struct arena *a, struct store_secev **out,
                             size_t *n);

/* ---- idempotency keys: a write's answer, stored in the write's transaction ---- */

struct store_idem {
    const char *fingerprint;  /* hash of method, path and body of the first request */
    int64_t status;
    const char *location;     /* NULL when the answer had none */
    const char *etag;
    const char *body;
};

/* The stored answer for (user_id, key); RP_ENOTFOUND when there is none. */
enum rp_err store_idem_get(struct store_conn *c, const char *user_id, const char *key,
                           struct arena *a, struct store_idem *out);
enum rp_err store_idem_put(struct store_conn *c, const char *user_id, const char *key,
                           const struct store_idem *row, int64_t now_ms);
#endif
