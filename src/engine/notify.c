#include "core/common.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/mention.h"
#include "core/msg.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/jobs.h"
#include "engine/module.h"
#include "engine/notify.h"
#include "engine/rec_int.h"

/* ---- kinds and channels ---- */

static const struct notify_kind KINDS[] = {
    {"assigned", NOTIFY_IN_APP},
    {"mention", NOTIFY_IN_APP},
    {"reminder", NOTIFY_IN_APP},
    {"changed", NOTIFY_OFF},
    {"alert", NOTIFY_IN_APP},
    {"invitation", NOTIFY_IN_APP},
};

static const char *const CHANNELS[] = {"off", "in_app", "email", "both"};

const struct notify_kind *notify_kinds(size_t *n)
{
    *n = RP_NELEM(KINDS);
    return KINDS;
}

const char *notify_channel_name(enum notify_channel ch)
{
    return CHANNELS[ch];
}

bool notify_channel_parse(struct rp_str s, enum notify_channel *out)
{
    for (size_t i = 0; i < RP_NELEM(CHANNELS); i++)
        if (rp_str_eqc(s, CHANNELS[i])) {
            *out = (enum notify_channel)i;
            return true;
        }
    return false;
}

static const struct notify_kind *find_kind(struct rp_str name)
{
    for (size_t i = 0; i < RP_NELEM(KINDS); i++)
        if (rp_str_eqc(name, KINDS[i].name))
            return &KINDS[i];
    return NULL;
}

static enum rp_err channel_of(struct rec_ctx *ctx, const char *user_id,
                              const struct notify_kind *k, enum notify_channel *out)
{
    const char *name;
    enum rp_err err = store_notify_pref(ctx->conn, user_id, k->name, ctx->a, &name);
    *out = k->def;
    if (err == RP_ENOTFOUND)
        return RP_OK;
    if (!err && !notify_channel_parse(rp_str_c(name), out))
        *out = k->def;
    return err;
}

/* ---- writing ---- */

/* The notification of kind about r (or record id of e) for user_id, in the caller's
 * transaction, through the channels the user chose. A reminder (fire_key set) is
 * stored even when the user turned reminders off, invisible: its row is the claim
 * that it fired. */
static enum rp_err emit(struct rec_ctx *ctx, const char *kind, const char *user_id,
                        const struct entity_def *e, const char *record_id, const char *title,
                        const char *due_at, const char *fire_key, const char *actor)
{
    const struct notify_kind *k = find_kind(rp_str_c(kind));
    RP_ASSERT(k);
    enum notify_channel ch;
    enum rp_err err = channel_of(ctx, user_id, k, &ch);
    if (err || (ch == NOTIFY_OFF && !fire_key))
        return err;
    char id[RP_ID_LEN + 1];
    err = ids_uuid7(id);
    if (err)
        return err;
    struct store_notification n = {
        .id = id,
        .user_id = user_id,
        .kind = k->name,
        .entity = e->name,
        .record_id = record_id,
        .title = title ? title : "",
        .actor_id = actor,
        .due_at = due_at,
        .in_app = ch == NOTIFY_IN_APP || ch == NOTIFY_BOTH,
        .email_state = ch == NOTIFY_EMAIL || ch == NOTIFY_BOTH ? "pending" : NULL,
        .fire_key = fire_key,
    };
    rec__now_text(ctx, &n.created_at);
    bool added;
    err = store_notify_add(ctx->conn, &n, &added);
    ctx->notified = ctx->notified || (!err && added);
    if (!err && added && n.email_state && !ctx->emailed &&
        mod_job_kind(rp_str_c(NOTIFY_EMAIL_JOB))) {
        err = jobs_queue(ctx, NOTIFY_EMAIL_JOB, "");
        ctx->emailed = !err;
    }
    return err;
}

static const char *title_of(const struct rec *r)
{
    const struct entity_def *e = r->ent;
    for (size_t i = 0; e->title_field && i < e->nfields; i++)
        if (strcmp(e->fields[i].name, e->title_field) == 0 && !r->v[i].null)
            return r->v[i].s;
    return NULL;
}

/* Whether user_id may read r: a mention tells nothing to those who may not. */
static enum rp_err may_read(struct rec_ctx *ctx, const char *user_id, const struct rec *r,
                            bool *ok)
{
    struct principal p;
    *ok = false;
    enum rp_err err = auth_user(ctx, user_id, &p);
    if (err == RP_ENOTFOUND)
        return RP_OK;
    if (err)
        return err;
    struct rec_ctx as;
    rec_ctx_init(&as, ctx->store, ctx->conn, ctx->a, &p);
    err = rec_check_readable(&as, r->ent, r);
    *ok = !err;
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* The mentions newly written into field i of r. */
static enum rp_err mentions(struct rec_ctx *ctx, const struct rec *r, const struct rec *old,
                            size_t i, const char *actor)
{
    const struct rec_value *v = &r->v[i];
    if (v->null)
        return RP_OK;
    struct mention m[MENTION_MAX];
    size_t n = mention_parse((struct rp_str){v->s, v->len}, m);
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < n && !err; k++) {
        const struct rec_value *was = old ? &old->v[i] : NULL;
        if (was && !was->null && mention_has((struct rp_str){was->s, was->len}, m[k].name))
            continue;
        const char *user_id;
        bool ok = false;
        err = store_notify_user_id(ctx->conn, m[k].name, ctx->a, &user_id);
        if (err == RP_ENOTFOUND) {
            err = RP_OK;
            continue;
        }
        if (!err && actor && strcmp(user_id, actor) == 0)
            continue;
        if (!err)
            err = may_read(ctx, user_id, r, &ok);
        if (!err && ok)
            err = emit(ctx, "mention", user_id, r->ent, r->id, title_of(r), NULL, NULL, actor);
    }
    return err;
}

enum rp_err notify_after_save(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    const struct entity_def *e = r->ent;
    if (e->flags & EF_PLATFORM)
        return RP_OK;
    const char *actor = ctx->who ? ctx->who->user_id : NULL;
    const char *owner = r->owner_id;
    bool by_other = owner && (!actor || strcmp(actor, owner) != 0);
    bool new_owner = owner && (!old || !old->owner_id || strcmp(old->owner_id, owner) != 0);
    enum rp_err err = RP_OK;
    if (by_other && new_owner)
        err = emit(ctx, "assigned", owner, e, r->id, title_of(r), NULL, NULL, actor);
    else if (by_other && old && actor)
        err = emit(ctx, "changed", owner, e, r->id, title_of(r), NULL, NULL, actor);
    for (size_t i = 0; i < e->nfields && !err; i++)
        if (e->fields[i].type == FT_TEXT && rec_changed(r, old, e->fields[i].name))
            err = mentions(ctx, r, old, i, actor);
    return err;
}

__attribute__((format(printf, 5, 0))) static enum rp_err
vnotify(struct rec_ctx *ctx, const char *kind, const char *user_id, const struct rec *r,
        const char *fmt, va_list ap)
{
    struct principal p;
    enum rp_err err = auth_user(ctx, user_id, &p);
    if (err == RP_ENOTFOUND)
        return RP_OK;
    bool ok = false;
    if (!err)
        err = may_read(ctx, user_id, r, &ok);
    if (err || !ok)
        return err;
    /* In the recipient's language, as their errors would be. */
    enum rp_lang lang = meta_locale_zh(p.locale) ? RP_LANG_ZH : RP_LANG_EN;
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, msg_tr(lang, fmt), cp);
    va_end(cp);
    char *text = arena_alloc(ctx->a, n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(text, n > 0 ? (size_t)n + 1 : 1, msg_tr(lang, fmt), ap);
    return emit(ctx, kind, user_id, r->ent, r->id, text, NULL, NULL, NULL);
}

enum rp_err notify_alert(struct rec_ctx *ctx, const char *user_id, const struct rec *r,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum rp_err err = vnotify(ctx, "alert", user_id, r, fmt, ap);
    va_end(ap);
    return err;
}

enum rp_err notify_about(struct rec_ctx *ctx, const char *kind, const char *user_id,
                         const struct rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum rp_err err = vnotify(ctx, kind, user_id, r, fmt, ap);
    va_end(ap);
    return err;
}

/* ---- what a notification says ---- */

bool notify_late(const char *due_at, const char *created_at)
{
    int64_t due = 0, at = 0;
    return due_at && created_at && !text_parse_datetime(rp_str_c(due_at), &due) &&
           !text_parse_datetime(rp_str_c(created_at), &at) && at - due > NOTIFY_LATE_MS;
}

/* "2026-12-06 09:30 UTC" from a stored date-time. */
static const char *when(struct arena *a, const char *at)
{
    if (!at || strlen(at) < 16)
        return "";
    char *s = arena_strndup(a, at, 16);
    s[10] = ' ';
    return arena_printf(a, "%s UTC", s);
}

const char *notify_line(struct arena *a, enum rp_lang lang, const char *kind, const char *t,
                        const char *who, const char *due_at, bool late)
{
    if (strcmp(kind, "assigned") == 0)
        return who ? arena_printf(a, msg_tr(lang, "%s assigned you: %s"), who, t)
                   : arena_printf(a, msg_tr(lang, "Assigned to you: %s"), t);
    if (strcmp(kind, "mention") == 0)
        return who ? arena_printf(a, msg_tr(lang, "%s mentioned you in: %s"), who, t)
                   : arena_printf(a, msg_tr(lang, "You were mentioned in: %s"), t);
    if (strcmp(kind, "changed") == 0)
        return who ? arena_printf(a, msg_tr(lang, "%s changed: %s"), who, t)
                   : arena_printf(a, msg_tr(lang, "Changed: %s"), t);
    if (strcmp(kind, "reminder") == 0)
        return late ? arena_printf(a, msg_tr(lang, "Reminder: %s (was due at %s)"), t,
                                   when(a, due_at))
                    : arena_printf(a, msg_tr(lang, "Reminder: %s"), t);
    return t; /* an alert, an invitation answer: written in the recipient's language */
}

/* ---- reading and marking ---- */

static const char *me(struct rec_ctx *ctx)
{
    RP_ASSERT(ctx->who);
    return ctx->who->user_id;
}

/* Drops the rows about records the caller may no longer read (given away, deleted,
 * no longer shared): a notification tells nothing a record page would not. */
static enum rp_err keep_visible(struct rec_ctx *ctx, struct store_notification *rows, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        const struct entity_def *e = meta_entity(rp_str_c(rows[i].entity));
        struct rec r;
        enum rp_err err = e ? rec_get(ctx, e, rp_str_c(rows[i].record_id), &r) : RP_ENOTFOUND;
        if (err && err != RP_ENOTFOUND)
            return err;
        if (!err)
            rows[k++] = rows[i];
    }
    *n = k;
    return RP_OK;
}

enum rp_err notify_list(struct rec_ctx *ctx, struct rp_str cursor, size_t limit,
                        struct store_notification **rows, size_t *n, const char **next,
                        int64_t *unread)
{
    int64_t before = 0;
    if (cursor.len && (text_parse_i64(cursor, &before) || before <= 0))
        return rec_bad_request(ctx, "invalid cursor");
    *next = NULL;
    enum rp_err err = store_notify_page(ctx->conn, me(ctx), before, limit + 1, ctx->a, rows, n);
    if (!err && *n > limit) {
        *n = limit;
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)(*rows)[limit - 1].seq);
        *next = arena_strdup(ctx->a, buf);
    }
    if (!err)
        err = keep_visible(ctx, *rows, n);
    if (!err)
        err = store_notify_unread(ctx->conn, me(ctx), unread);
    return err;
}

enum rp_err notify_since(struct rec_ctx *ctx, int64_t after, size_t limit,
                         struct store_notification **rows, size_t *n, int64_t *last,
                         bool *more, int64_t *unread)
{
    enum rp_err err = store_notify_since(ctx->conn, me(ctx), after, limit, ctx->a, rows, n);
    *last = !err && *n ? (*rows)[*n - 1].seq : after;
    *more = !err && *n == limit;
    if (!err)
        err = keep_visible(ctx, *rows, n);
    if (!err)
        err = store_notify_unread(ctx->conn, me(ctx), unread);
    return err;
}

/* Loads one of the caller's notifications in a write transaction and applies `snooze`
 * minutes (0: marks it read). */
static enum rp_err mark(struct rec_ctx *ctx, struct rp_str id, int64_t snooze,
                        struct store_notification *out)
{
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    const char *sid = arena_strndup(ctx->a, id.p, id.len), *now;
    rec__now_text(ctx, &now);
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = store_notify_get(ctx->conn, me(ctx), sid, ctx->a, out);
    if (!err && snooze && strcmp(out->kind, "reminder") != 0)
        err = rec_bad_request(ctx, "only reminders can be snoozed");
    if (!err && snooze) {
        char until[32];
        text_format_datetime(text_now_ms() + snooze * 60000, until, sizeof(until));
        err = store_notify_snooze(ctx->conn, out->seq, now, until);
        out->snooze_until = arena_strdup(ctx->a, until);
    } else if (!err) {
        err = store_notify_mark_read(ctx->conn, out->seq, now);
        out->snooze_until = NULL;
    }
    if (!err && !out->read_at)
        out->read_at = now;
    return rec_tx_end(ctx, err);
}

enum rp_err notify_read(struct rec_ctx *ctx, struct rp_str id, struct store_notification *out)
{
    return mark(ctx, id, 0, out);
}

enum rp_err notify_snooze(struct rec_ctx *ctx, struct rp_str id, int64_t minutes,
                          struct store_notification *out)
{
    if (minutes < 1 || minutes > NOTIFY_SNOOZE_MAX_MIN)
        return rec_field_error(ctx, "minutes", "must be a whole number from 1 to %d",
                               NOTIFY_SNOOZE_MAX_MIN);
    return mark(ctx, id, minutes, out);
}

enum rp_err notify_read_all(struct rec_ctx *ctx, int64_t *n)
{
    const char *now;
    rec__now_text(ctx, &now);
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_tx_end(ctx, store_notify_read_all(ctx->conn, me(ctx), now, n));
    return err;
}

enum rp_err notify_prefs(struct rec_ctx *ctx, enum notify_channel *channels)
{
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < RP_NELEM(KINDS) && !err; i++)
        err = channel_of(ctx, me(ctx), &KINDS[i], &channels[i]);
    return err;
}

enum rp_err notify_prefs_set(struct rec_ctx *ctx, const struct rp_str *kinds,
                             const enum notify_channel *channels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!find_kind(kinds[i]))
            rec_field_error(ctx, arena_strndup(ctx->a, kinds[i].p, kinds[i].len),
                            "unknown notification kind");
    if (ctx->nerrors)
        return RP_EINVAL;
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++)
        err = store_notify_pref_set(ctx->conn, me(ctx), find_kind(kinds[i])->name,
                                    notify_channel_name(channels[i]));
    return rec_tx_end(ctx, err);
}

/* ---- the sweep: reminders and snoozes ---- */

/* Records read per sweep and entity; the rest wait for the next sweep. */
#define SWEEP_BATCH 200
/* How far before the last sweep a reminder is still looked for: one written with a
 * time just past, or by a transaction that committed after a sweep went by. */
#define SWEEP_SLACK_MS (5 * 60 * 1000)
/* A database never swept looks back this far (reminders older are history). */
#define SWEEP_FIRST_MS (7LL * 24 * 60 * 60 * 1000)
/* The sweep's mark is written at least this often when nothing fell due. */
#define SWEEP_MARK_MS 60000

static enum rp_err sweep_field(struct rec_ctx *ctx, const struct entity_def *e,
                               const struct field_def *f, int64_t now_ms)
{
    const char *swept;
    int64_t from_ms = now_ms - SWEEP_FIRST_MS;
    enum rp_err err = store_notify_swept(ctx->conn, e->name, ctx->a, &swept);
    if (err == RP_ENOTFOUND)
        err = RP_OK;
    else if (!err && text_parse_datetime(rp_str_c(swept), &from_ms) == RP_OK)
        from_ms -= SWEEP_SLACK_MS;
    int64_t mark_ms = from_ms + SWEEP_SLACK_MS;
    char from[32], to[32];
    text_format_datetime(from_ms, from, sizeof(from));
    text_format_datetime(now_ms, to, sizeof(to));
    struct store_due *due = NULL;
    size_t n = 0;
    if (!err)
        err = store_notify_due(ctx->conn, e->name, f->name, e->title_field, from, to,
                               SWEEP_BATCH, ctx->a, &due, &n);
    if (err || (n == 0 && now_ms - mark_ms < SWEEP_MARK_MS))
        return err;
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        size_t len = strlen(e->name) + strlen(due[i].id) + strlen(due[i].due_at) + 16;
        char *key = arena_alloc(ctx->a, len);
        snprintf(key, len, "reminder:%s:%s:%s", e->name, due[i].id, due[i].due_at);
        err = emit(ctx, "reminder", due[i].owner_id, e, due[i].id, due[i].title,
                   due[i].due_at, key, NULL);
    }
    if (!err)
        err = store_notify_set_swept(ctx->conn, e->name, n == SWEEP_BATCH ? due[n - 1].due_at : to);
    return rec_tx_end(ctx, err);
}

static enum rp_err sweep_snoozes(struct rec_ctx *ctx)
{
    const char *now;
    rec__now_text(ctx, &now);
    struct store_notification *rows;
    size_t n;
    enum rp_err err = store_notify_snoozed(ctx->conn, now, SWEEP_BATCH, ctx->a, &rows, &n);
    if (err || n == 0)
        return err;
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        bool claimed;
        err = store_notify_unsnooze(ctx->conn, rows[i].seq, &claimed);
        const struct entity_def *e = claimed ? meta_entity(rp_str_c(rows[i].entity)) : NULL;
        if (!err && e)
            err = emit(ctx, rows[i].kind, rows[i].user_id, e, rows[i].record_id, rows[i].title,
                       rows[i].due_at, NULL, NULL);
    }
    return rec_tx_end(ctx, err);
}

enum rp_err notify_sweep(struct store *s, struct store_conn *c)
{
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, s, c, &a, "notify.sweep");
    int64_t now = text_now_ms();
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *e = meta_entity_at(k);
        for (size_t i = 0; i < e->nfields && !err; i++)
            if ((e->fields[i].flags & FF_REMINDER) && e->fields[i].type == FT_DATETIME)
                err = sweep_field(&ctx, e, &e->fields[i], now);
    }
    if (!err)
        err = sweep_snoozes(&ctx);
    arena_release(&a);
    return err;
}

/* ---- the watcher ---- */

struct notify_watch {
    struct store *store;
    void (*news)(void *cls, const char *user_id);
    void (*beat)(void *cls);
    void *cls;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;             /* under lock */
    bool kick;             /* under lock: look now */
};

/* The watcher of this process, for notify_kick. */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct notify_watch *current;

void notify_kick(void)
{
    pthread_mutex_lock(&current_lock);
    if (current) {
        pthread_mutex_lock(&current->lock);
        current->kick = true;
        pthread_cond_signal(&current->wake);
        pthread_mutex_unlock(&current->lock);
    }
    pthread_mutex_unlock(&current_lock);
}

/* Recipients read per look; more wait for the next look (100 ms later). */
#define WATCH_BATCH 256

static void *watch_main(void *p)
{
    struct notify_watch *w = p;
    struct store_conn *c;
    int64_t after = 0;
    enum rp_err err = store_conn_get(w->store, &c);
    if (!err)
        err = store_notify_max_seq(c, &after);
    if (err) {
        LOG(LOG_ERROR, "notification watcher: %s", rp_err_name(err));
        return NULL;
    }
    int64_t last_beat = text_monotonic_us(), last_sweep = 0;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        pthread_mutex_unlock(&w->lock);
        struct arena a;
        arena_init(&a);
        int64_t *seqs;
        const char **users;
        size_t n = 0;
        err = store_notify_after(c, after, WATCH_BATCH, &a, &seqs, &users, &n);
        for (size_t i = 0; i < n && !err; i++) {
            w->news(w->cls, users[i]);
            after = seqs[i];
        }
        arena_release(&a);
        int64_t now = text_monotonic_us();
        if (now - last_beat >= NOTIFY_BEAT_MS * 1000LL) {
            w->beat(w->cls);
            last_beat = now;
        }
        if (!err && now - last_sweep >= NOTIFY_SWEEP_MS * 1000LL) {
            err = notify_sweep(w->store, c);
            last_sweep = now;
        }
        if (err)
            LOG(LOG_WARN, "notification watcher: %s", rp_err_name(err));
        pthread_mutex_lock(&w->lock);
        if (!w->stop && !w->kick) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            int64_t ns = until.tv_nsec + NOTIFY_POLL_MS * 1000000LL;
            until.tv_sec += (time_t)(ns / 1000000000);
            until.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        }
        w->kick = false;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum rp_err notify_watch_start(struct store *s, void (*news)(void *cls, const char *user_id),
                               void (*beat)(void *cls), void *cls, struct notify_watch **out)
{
    struct notify_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return RP_ENOMEM;
    *w = (struct notify_watch){.store = s, .news = news, .beat = beat, .cls = cls};
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return RP_ENOMEM;
    }
    pthread_mutex_lock(&current_lock);
    current = w;
    pthread_mutex_unlock(&current_lock);
    *out = w;
    return RP_OK;
}

void notify_watch_stop(struct notify_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&current_lock);
    if (current == w)
        current = NULL;
    pthread_mutex_unlock(&current_lock);
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}
