/* Notifications as the database keeps them (engine/notify.h): the rows, each user's
 * choice of channel per kind, and how far the reminder sweep has looked. Portable SQL
 * over db.h. Strings returned are copied into the caller's arena; times are RFC 3339
 * text (text_format_datetime), which sorts as it reads. */
#ifndef RP_STORE_NOTIFY_H
#define RP_STORE_NOTIFY_H

#include "core/arena.h"
#include "store/db.h"

struct store_notification {
    int64_t seq;              /* read only */
    const char *id;
    const char *user_id;      /* the recipient */
    const char *kind;
    const char *entity;
    const char *record_id;
    const char *title;
    const char *actor_id;     /* NULL: the system */
    const char *created_at;
    const char *due_at;       /* reminders: when it was due; else NULL */
    bool in_app;              /* shown in the notification centre */
    const char *read_at;      /* NULL while unread */
    const char *snooze_until; /* a snoozed reminder: when it comes back */
    const char *email_state;  /* "pending" for the mail module; NULL: no e-mail */
    const char *fire_key;     /* unique when set (a reminder's claim); NULL */
    const char *actor_name;   /* read only: the actor's display name or username */
};

/* Adds n in the caller's transaction; *added is false when a row with its fire_key
 * is there already (another server fired the reminder). */
enum rp_err store_notify_add(struct store_conn *c, const struct store_notification *n,
                             bool *added);
/* The user's notifications of the centre, newest first, seq < before_seq (0: no
 * bound), at most limit. */
enum rp_err store_notify_page(struct store_conn *c, const char *user_id, int64_t before_seq,
                              size_t limit, struct arena *a, struct store_notification **out,
                              size_t *n);
/* The user's notifications of the centre with seq > after_seq, oldest first, at most
 * limit (an event stream's next events). */
enum rp_err store_notify_since(struct store_conn *c, const char *user_id, int64_t after_seq,
                               size_t limit, struct arena *a, struct store_notification **out,
                               size_t *n);
enum rp_err store_notify_unread(struct store_conn *c, const char *user_id, int64_t *n);
/* One of the user's notifications of the centre; RP_ENOTFOUND for another's. */
enum rp_err store_notify_get(struct store_conn *c, const char *user_id, const char *id,
                             struct arena *a, struct store_notification *out);
/* Marks one read (and ends its snooze). */
enum rp_err store_notify_mark_read(struct store_conn *c, int64_t seq, const char *now);
/* Marks every unread notification of the user read; *n: how many. */
enum rp_err store_notify_read_all(struct store_conn *c, const char *user_id, const char *now,
                                  int64_t *n);
/* Marks one read, to come back at until. */
enum rp_err store_notify_snooze(struct store_conn *c, int64_t seq, const char *now,
                                const char *until);
/* Snoozed notifications due by now, at most limit, oldest first. */
enum rp_err store_notify_snoozed(struct store_conn *c, const char *now, size_t limit,
                                 struct arena *a, struct store_notification **out, size_t *n);
/* Ends the snooze of row seq; *claimed is false when another server did first. */
enum rp_err store_notify_unsnooze(struct store_conn *c, int64_t seq, bool *claimed);

/* The user's channel for kind; RP_ENOTFOUND when they never chose. */
enum rp_err store_notify_pref(struct store_conn *c, const char *user_id, const char *kind,
                              struct arena *a, const char **channel);
enum rp_err store_notify_pref_set(struct store_conn *c, const char *user_id, const char *kind,
                                  const char *channel);

/* Notifications of the centre with seq > after_seq, oldest first, at most limit: their
 * seq and recipient (the watcher's look for news). */
enum rp_err store_notify_after(struct store_conn *c, int64_t after_seq, size_t limit,
                               struct arena *a, int64_t **seqs, const char ***users, size_t *n);
enum rp_err store_notify_max_seq(struct store_conn *c, int64_t *seq);

/* How far the reminder sweep of entity has looked; RP_ENOTFOUND the first time. */
enum rp_err store_notify_swept(struct store_conn *c, const char *entity, struct arena *a,
                               const char **to);
enum rp_err store_notify_set_swept(struct store_conn *c, const char *entity, const char *to);

/* The id of the active user with this username; RP_ENOTFOUND when none. */
enum rp_err store_notify_user_id(struct store_conn *c, const char *username, struct arena *a,
                                 const char **id);

/* A live record whose reminder falls due. */
struct store_due {
    const char *id;
    const char *owner_id;
    const char *title;
    const char *due_at;
};
/* Live records of `table` with an owner whose datetime column `field` lies in
 * (from, to], soonest first, at most limit; `title` is the column named in
 * notifications (identifiers from metadata). */
enum rp_err store_notify_due(struct store_conn *c, const char *table, const char *field,
                             const char *title, const char *from, const char *to, size_t limit,
                             struct arena *a, struct store_due **out, size_t *n);

#endif
