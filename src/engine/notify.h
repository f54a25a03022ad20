/* Notifications (a generic engine service; names no entity): rows for a user about a
 * record — it was assigned to them, its reminder fell due, they were mentioned in it,
 * someone else changed it — written in the transaction of the change that caused
 * them, each user's channel per kind, and the watcher thread that tells the API which
 * users have news (Server-Sent Events) and fires due reminders.
 *
 * Kinds (NOTIFY_KINDS; a new kind is one line there and its text in api/):
 *  - assigned: a record's owner_id was set to a user by someone else (or by the
 *    system: automatic assignment), on create or update, any entity but the platform's;
 *  - mention:  an `@username` (core/mention.h) newly written into a long-text field
 *    (FT_TEXT: an activity's or note's description), for users who may read the
 *    record; mentions of others notify nobody and say nothing;
 *  - changed:  a record owned by the user changed by someone else (opt-in: off by
 *    default);
 *  - alert:    a module's word about a record for a user (notify_alert: a case at 80%
 *    of its target, a breach), in the user's language;
 *  - reminder: an FF_REMINDER date-time of a record reached, for its owner; fired once
 *    per (record, value) across every server (a unique claim key), late after a stop
 *    (the sweep resumes where the last one ended). Snoozing fires it again later;
 *  - invitation: an answer to a meeting's invitation came (notify_about, from the
 *    calendar module), for the organiser.
 *
 * Channels: in_app (the centre and the event stream), email, both, off. E-mail is a
 * seam for the mail module: a notification of a user who chose email or both is
 * stored with email_state "pending" (in the same transaction), together with one job
 * of kind NOTIFY_EMAIL_JOB per transaction when a module declares that kind; the
 * module's job claims and sends those rows (state pending → queued or skipped). */
#ifndef RP_ENGINE_NOTIFY_H
#define RP_ENGINE_NOTIFY_H

#include "engine/rec.h"
#include "store/notify.h"

enum notify_channel { NOTIFY_OFF, NOTIFY_IN_APP, NOTIFY_EMAIL, NOTIFY_BOTH };

struct notify_kind {
    const char *name;
    enum notify_channel def;   /* the channel of a user who never chose */
};

/* The kinds, in the order the preferences list them. */
const struct notify_kind *notify_kinds(size_t *n);
/* A channel's name ("in_app", "email", "both", "off") and back (false: unknown). */
const char *notify_channel_name(enum notify_channel ch);
bool notify_channel_parse(struct rp_str s, enum notify_channel *out);

/* The job kind that sends notification e-mails, declared by the module that does
 * (mail): queued in the transaction that stored a pending e-mail row (once per
 * transaction), so the e-mail leaves on the job runner's next look; with no module
 * declaring it, rows stay pending. */
#define NOTIFY_EMAIL_JOB "notify.email"

/* Page size of GET /notifications: default and most. */
#define NOTIFY_PAGE_DEFAULT 20
#define NOTIFY_PAGE_MAX 100
/* Longest snooze, in minutes (a week). */
#define NOTIFY_SNOOZE_MAX_MIN (7 * 24 * 60)
/* A reminder fired this long after it was due says so ("was due at …"). */
#define NOTIFY_LATE_MS 60000

/* Whether a reminder fired late: created (RFC 3339 text) more than NOTIFY_LATE_MS after
 * it was due (NULL: not a reminder). */
bool notify_late(const char *due_at, const char *created_at);
/* What a notification says, in lang (the centre's line, an e-mail's subject): "%s assigned
 * you: %s", "Reminder: %s (was due at …)", …; an alert's or an invitation answer's title
 * as it is (written in the recipient's language when raised). actor: who did it, or NULL. */
const char *notify_line(struct arena *a, enum rp_lang lang, const char *kind, const char *title,
                        const char *actor, const char *due_at, bool late);

/* From engine/write.c, after every create and update (in its transaction): the
 * assigned, changed and mention notifications of the write. */
enum rp_err notify_after_save(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);

/* A module's alert about record r for user_id, in the caller's transaction: its text
 * is fmt (English, looked up in the message catalogues like an error, core/msg.h) in
 * the user's language. Nothing for a user who may not read r, is gone, or turned
 * alerts off. */
enum rp_err notify_alert(struct rec_ctx *ctx, const char *user_id, const struct rec *r,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same under another kind a module writes (one of the kinds above: "invitation"),
 * its text the notification's title. */
enum rp_err notify_about(struct rec_ctx *ctx, const char *kind, const char *user_id,
                         const struct rec *r, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Rows about records the caller may no longer read are left out of both. */
/* The caller's notifications of the centre, newest first, before `cursor` (from an
 * earlier page's *next; empty: the first page), at most limit; *next is NULL on the
 * last page. RP_EINVAL (400) for a cursor this API did not give. */
enum rp_err notify_list(struct rec_ctx *ctx, struct rp_str cursor, size_t limit,
                        struct store_notification **rows, size_t *n, const char **next,
                        int64_t *unread);
/* The caller's notifications with seq > after, oldest first, at most limit, with the
 * unread count (an event stream's next events); *last: the seq of the last row read,
 * shown or not (after itself when none); *more: limit rows were read, more may follow. */
enum rp_err notify_since(struct rec_ctx *ctx, int64_t after, size_t limit,
                         struct store_notification **rows, size_t *n, int64_t *last,
                         bool *more, int64_t *unread);
/* Marks one of the caller's notifications read (a reminder: dismissed). RP_ENOTFOUND
 * for another user's or an unknown id. *out: the row as it is now. */
enum rp_err notify_read(struct rec_ctx *ctx, struct rp_str id, struct store_notification *out);
enum rp_err notify_read_all(struct rec_ctx *ctx, int64_t *n);
/* Snoozes one of the caller's reminders for minutes (1..NOTIFY_SNOOZE_MAX_MIN): read
 * now, fired again then. RP_EINVAL for another kind or a bad number. */
enum rp_err notify_snooze(struct rec_ctx *ctx, struct rp_str id, int64_t minutes,
                          struct store_notification *out);
/* The caller's channel of every kind, in notify_kinds order (channels[i]). */
enum rp_err notify_prefs(struct rec_ctx *ctx, enum notify_channel *channels);
/* Sets the caller's channel of n kinds, all or none; RP_EINVAL (a field error named by
 * the kind) for an unknown kind. */
enum rp_err notify_prefs_set(struct rec_ctx *ctx, const struct rp_str *kinds,
                             const enum notify_channel *channels, size_t n);

/* Fires the reminders that fell due and the snoozes that ended, on every server (each
 * once: claims in the database). In a system context on c. */
enum rp_err notify_sweep(struct store *s, struct store_conn *c);

/* The watcher: a thread per server that looks for notifications committed by any
 * server on the database every NOTIFY_POLL_MS and calls news(cls, user_id) for each
 * recipient, beat(cls) every NOTIFY_BEAT_MS (event-stream heartbeats), and runs
 * notify_sweep every NOTIFY_SWEEP_MS. */
#define NOTIFY_POLL_MS 100
#define NOTIFY_BEAT_MS 15000
#define NOTIFY_SWEEP_MS 2000
struct notify_watch;
enum rp_err notify_watch_start(struct store *s, void (*news)(void *cls, const char *user_id),
                               void (*beat)(void *cls), void *cls, struct notify_watch **out);
/* Stops and joins it; NULL is harmless. */
void notify_watch_stop(struct notify_watch *w);
/* Makes this process's watcher look now (engine/ctx.c, after a commit that wrote a
 * notification): a browser on this server hears of it at once, one on another server
 * within NOTIFY_POLL_MS. */
void notify_kick(void);

#endif
