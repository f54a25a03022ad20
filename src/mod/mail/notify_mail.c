/* Notification e-mails (engine/notify.h, "the e-mail seam"): a notification of a user
 * who chose e-mail (or both) for its kind waits with email_state "pending"; here each
 * becomes a message in the outbox, written in the recipient's language and sent like
 * any other (mail.send: at least once, retried, throttled).
 *
 * Once across servers: a row is claimed by the conditional update pending → queued in
 * the transaction that writes its message, so of several servers only one writes it.
 * States after pending: "queued" (its message is in the outbox; the message's own
 * status tells the rest), "skipped" (nothing to send: no mail server or From address
 * configured, the recipient has no valid address or is no longer active), "failed"
 * (the message could not be written). None of them is looked at again.
 *
 * Wake-up: the engine queues one NOTIFY_EMAIL_JOB job in each transaction that stores
 * a pending row, so a message leaves on the job runner's next look; the schedule
 * mail.notify (every minute, one server per turn) picks up rows whose job was lost —
 * a server that stopped — with one indexed read when there are none. */
#include "core/common.h"

#include <stdlib.h>

#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "engine/notify.h"
#include "mod/mail/mail.h"

/* Notifications read per look, and handled per job at most: a longer backlog is
 * continued by the next job, so one job never holds the runner for long. */
#define NOTIFY_BATCH 100u
#define NOTIFY_JOB_MAX 1000u
/* The longest record title in a subject, in characters (a subject holds 255). */
#define NOTIFY_TITLE_MAX 150u

/* A title fit for a subject line: control characters become spaces, and it is cut at
 * NOTIFY_TITLE_MAX characters (never inside one). */
static const char *clean_title(struct arena *a, const char *title)
{
    char *s = arena_strdup(a, title ? title : "");
    size_t len = strlen(s), i = 0, chars = 0;
    while (i < len && chars < NOTIFY_TITLE_MAX) {
        text_utf8_next(s, len, &i);
        chars++;
    }
    s[i] = '\0';
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return s;
}

/* What the notification says, in lang: the subject, and the first line of the text. */
static const char *line_of(struct arena *a, enum rp_lang lang, const struct mail__pending *p)
{
    return notify_line(a, lang, p->kind, clean_title(a, p->title), p->actor_name, p->due_at,
                       notify_late(p->due_at, p->created_at));
}

/* The web UI's address for links (--public-url, RAPPORT_PUBLIC_URL) without a final
 * slash; NULL when the server was not told it. */
static const char *web_url(struct arena *a)
{
    const char *u = getenv("RAPPORT_PUBLIC_URL");
    if (!u || !u[0] || !mail_header_safe(u, strlen(u)))
        return NULL;
    char *s = arena_strdup(a, u);
    for (size_t n = strlen(s); n && s[n - 1] == '/'; n--)
        s[n - 1] = '\0';
    return s;
}

/* The message's text: the line, a link to the record, why it was sent. */
static const char *body_of(struct arena *a, enum rp_lang lang, const struct mail__pending *p,
                           const char *line)
{
    const char *url = web_url(a);
    if (!url)
        return arena_printf(a, "%s\n\n-- \n%s\n", line,
                            msg_tr(lang, "You receive this e-mail because of your notification"
                                         " settings in Rapport."));
    return arena_printf(a, "%s\n\n%s %s/r/%s/%s\n\n-- \n%s %s/notifications\n", line,
                        msg_tr(lang, "Open it:"), url, p->entity, p->record_id,
                        msg_tr(lang, "You receive this e-mail because of your notification"
                                     " settings:"),
                        url);
}

/* Writes the message of p (claiming p first) in one transaction, as the system's (no
 * owner: it is nobody's record, and no one is told it was assigned to them); *state is
 * what became of p, NULL when another server had it. */
static enum rp_err write_one(struct rec_ctx *ctx, const struct mail_settings *s,
                             const struct mail__pending *p, const char **state)
{
    bool sendable = s->host && s->from_address && p->active && p->email &&
                    mail_addr_valid(p->email, strlen(p->email));
    enum rp_lang lang = meta_locale_zh(p->locale) ? RP_LANG_ZH : RP_LANG_EN;
    const char *line = line_of(ctx->a, lang, p);
    struct rec_input in[] = {
        rec_in_text("to_addresses", p->email ? p->email : ""),
        rec_in_text("subject", line),
        rec_in_text("body_text", body_of(ctx->a, lang, p, line)),
    };
    /* Each row in its own context: one row's field errors are not the next one's. */
    struct rec_ctx one;
    rec_ctx_system(&one, ctx->store, ctx->conn, ctx->a, "a notification e-mail");
    bool claimed = false;
    struct rec email;
    *state = sendable ? "queued" : "skipped";
    enum rp_err err = rec_tx_begin(&one);
    if (!err)
        err = mail__sql_notify_claim(&one, p->seq, *state, &claimed);
    if (!err && claimed && sendable)
        err = rec_create(&one, meta_need("emails"), in, RP_NELEM(in), &email);
    err = rec_tx_end(&one, err);
    if (err == RP_EINVAL) {
        /* A message that cannot be written now never can be: say so, and go on. */
        *state = "failed";
        LOG(LOG_WARN, "notification %lld: its e-mail could not be written", (long long)p->seq);
        err = rec_tx_begin(&one);
        if (!err)
            err = mail__sql_notify_claim(&one, p->seq, *state, &claimed);
        err = rec_tx_end(&one, err);
    }
    if (!claimed)
        *state = NULL;
    return err;
}

/* Turns pending notifications into messages until none is left, max are done or *stop
 * is set; *more says whether some may be left. */
static enum rp_err send_pending(struct rec_ctx *ctx, size_t max, const atomic_bool *stop,
                                int64_t *queued, int64_t *skipped, bool *more)
{
    struct mail_settings s;
    enum rp_err err = mail_settings_get(ctx, &s);
    *queued = *skipped = 0;
    *more = false;
    size_t done = 0;
    while (!err && done < max && !(stop && atomic_load(stop))) {
        struct mail__pending *rows;
        size_t n = 0;
        err = mail__sql_pending(ctx, NOTIFY_BATCH, &rows, &n);
        for (size_t i = 0; i < n && !err; i++) {
            const char *state;
            err = write_one(ctx, &s, &rows[i], &state);
            if (state && strcmp(state, "queued") == 0)
                (*queued)++;
            else if (state)
                (*skipped)++;
        }
        done += n;
        *more = n == NOTIFY_BATCH;
        if (!*more)
            break;
    }
    if (!err && (*queued || *skipped))
        LOG(LOG_INFO, "notification e-mails: %lld queued, %lld skipped", (long long)*queued,
            (long long)*skipped);
    return err;
}

enum rp_err mail__notify_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                             const char **result)
{
    (void)payload;
    int64_t queued, skipped;
    bool more;
    enum rp_err err = send_pending(ctx, NOTIFY_JOB_MAX, stop, &queued, &skipped, &more);
    if (!err && more) {
        /* The rest is the next job's (the runner takes it at once). */
        err = rec_tx_begin(ctx);
        if (!err)
            err = jobs_queue(ctx, NOTIFY_EMAIL_JOB, "");
        err = rec_tx_end(ctx, err);
    }
    *result = arena_printf(ctx->a, "{\"queued\":%lld,\"skipped\":%lld}", (long long)queued,
                           (long long)skipped);
    return err;
}

enum rp_err mail__notify_sweep(struct rec_ctx *ctx)
{
    int64_t queued, skipped;
    bool more;
    return send_pending(ctx, NOTIFY_JOB_MAX, NULL, &queued, &skipped, &more);
}
