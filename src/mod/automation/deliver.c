/* Posting deliveries (automation.h). The job "webhooks.deliver" names a subscription;
 * it takes the subscription's lease (one conditional update: of several servers only
 * one posts a subscription's deliveries at a time), then posts them in order over one
 * kept-open connection, committing each batch's outcomes together. A delivery that
 * fails is retried after a wait that doubles each time, and nothing later of that
 * subscription goes before it, so a receiver gets every change of a record in order;
 * after the last attempt it fails for good, the subscription pauses, and the
 * administrators get a notification. Posting comes before recording: a server that
 * stops between the two posts that delivery again (at least once; the receiver
 * recognises it by X-Rapport-Delivery). */
#include "core/common.h"

#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "engine/notify.h"
#include "mod/automation/automation.h"

/* Subscriptions a sweep wakes at most: the rest wait for the next sweep. */
#define SWEEP_MAX 200u

enum rp_err au__wake(struct rec_ctx *ctx, const char *id)
{
    bool was = false;
    enum rp_err err = au__sql_wake(ctx, id, &was);
    if (!err && !was)
        err = jobs_queue(ctx, "webhooks.deliver", id);
    return err;
}

void au__post(struct rec_ctx *ctx, const struct au_settings *s, const struct rec *hook,
              const char *delivery_id, const char *event, const char *body, size_t len,
              struct au_answer *out)
{
    struct arena *a = ctx->a;
    const char *secret = rec_text(a, hook, "secret");
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(h, arena_printf(a, "X-Rapport-Event: %s", event));
    h = curl_slist_append(h, arena_printf(a, "X-Rapport-Delivery: %s", delivery_id));
    h = curl_slist_append(h, arena_printf(a, "X-Rapport-Webhook: %s", hook->id));
    h = curl_slist_append(h, arena_printf(a, "X-Rapport-Signature: %s",
                                          au_signature(a, secret ? secret : "",
                                                       text_now_ms() / 1000, body, len)));
    struct au_request rq = {.method = "POST",
                            .url = rec_text(a, hook, "url"),
                            .allow = s->allow,
                            .headers = h,
                            .body = body,
                            .body_len = len,
                            .timeout_s = AU_TIMEOUT_S,
                            .max_answer = AU_MAX_ANSWER};
    if (!h) {
        *out = (struct au_answer){.error = "out of memory", .body = ""};
        return;
    }
    au_call(au_handle(), a, &rq, out);
    curl_slist_free_all(h);
}

/* The wait before attempt `attempts` + 1: base, 2 base, 4 base … at most
 * AU_MAX_BACKOFF_MS. */
static int64_t backoff(const struct au_settings *s, int64_t attempts)
{
    int64_t d = s->retry_base_s * 1000;
    for (int64_t i = 1; i < attempts && d < AU_MAX_BACKOFF_MS; i++)
        d *= 2;
    return d < AU_MAX_BACKOFF_MS ? d : AU_MAX_BACKOFF_MS;
}

/* Tells the administrators that hook paused. */
static enum rp_err tell_admins(struct rec_ctx *ctx, const char *hook_id, const char *why)
{
    const char **ids;
    size_t n = 0;
    struct rec hook;
    enum rp_err err = rec_get(ctx, meta_need("webhooks"), rp_str_c(hook_id), &hook);
    if (!err)
        err = au__admins(ctx, &ids, &n);
    for (size_t i = 0; i < n && !err; i++)
        err = notify_alert(ctx, ids[i], &hook, "Webhook %s is paused: %s",
                           rec_text(ctx->a, &hook, "name"), why);
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* One attempt's outcome, to be recorded. */
struct outcome {
    const struct au_pending *d;
    struct au_answer ans;
    bool ok;
};

/* Records a batch's outcomes, renews the lease, and on a failure schedules the retry
 * or pauses the subscription — all in one transaction. */
static enum rp_err record(struct rec_ctx *ctx, const struct au_settings *s, const char *hook_id,
                          const char *worker, const struct outcome *o, size_t n, bool *paused)
{
    int64_t now = text_now_ms();
    enum rp_err err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++) {
        const struct outcome *x = &o[i];
        int64_t attempts = x->d->attempts + 1;
        bool last = !x->ok && (attempts >= s->max_attempts || x->ans.refused);
        int64_t next = x->ok || last ? 0 : now + backoff(s, attempts);
        const char *answer = x->ans.error ? x->ans.error : x->ans.body;
        err = au__sql_attempt(ctx, x->d->id, x->ok ? "delivered" : last ? "failed" : "pending",
                              attempts, x->ans.status, answer, x->ans.ms, next, now);
        const char *pause = NULL;
        if (last)
            pause = arena_printf(ctx->a, "delivery %s failed %lld times, last: %s%s%s", x->d->id,
                                 (long long)attempts,
                                 x->ans.status ? arena_printf(ctx->a, "HTTP %ld", x->ans.status) : "",
                                 x->ans.status && x->ans.error ? " " : "",
                                 x->ans.error ? x->ans.error : "");
        if (!err)
            err = au__sql_tally(ctx, hook_id, x->ans.status, !x->ok, pause, now);
        if (!err && next)
            err = jobs_queue_at(ctx, "webhooks.deliver", hook_id, next);
        if (!err && pause) {
            *paused = true;
            LOG(LOG_WARN, "webhook %s paused: %s", hook_id, pause);
            err = tell_admins(ctx, hook_id, pause);
        }
    }
    bool claimed = false;
    if (!err)
        err = au__sql_claim(ctx, hook_id, worker, now, &claimed);
    return rec_tx_end(ctx, err);
}

enum rp_err au__deliver_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                            const char **result)
{
    const char *hook_id = arena_strndup(ctx->a, payload.p, payload.len);
    const char *worker = au__worker_name(ctx->a);
    bool claimed = false;
    size_t sent = 0;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = au__sql_claim(ctx, hook_id, worker, text_now_ms(), &claimed);
    /* Not ours (paused, or another server holds it): the flag is cleared so that the
     * next change, resume or release queues a job again. */
    if (!err && !claimed)
        err = au__sql_unwake(ctx, hook_id);
    err = rec_tx_end(ctx, err);
    if (err || !claimed) {
        *result = "{\"delivered\":0}";
        return err;
    }
    struct au_settings s;
    struct rec hook;
    err = au_settings_get(ctx, &s);
    if (!err)
        err = rec_get(ctx, meta_need("webhooks"), rp_str_c(hook_id), &hook);
    bool more = !err, paused = false;
    while (more && !paused && !atomic_load(stop)) {
        /* Each batch in its own arena mark: a long backlog does not grow memory. */
        struct au_pending *p;
        size_t n = 0, done = 0;
        err = au__sql_pending(ctx, hook_id, AU_BATCH, &p, &n);
        if (err)
            break;
        struct outcome *o = arena_calloc(ctx->a, n + 1, sizeof(*o));
        int64_t now = text_now_ms();
        bool failed = false, blocked = false;
        /* A batch ends early when slow answers eat into the lease. */
        for (; done < n && !failed && !atomic_load(stop) &&
               text_now_ms() - now < AU_LEASE_MS / 4;
             done++) {
            if (p[done].next_ms > now) {
                blocked = true; /* waiting for its retry: nothing after it goes first */
                break;
            }
            o[done].d = &p[done];
            au__post(ctx, &s, &hook, p[done].id, p[done].event, p[done].payload,
                     strlen(p[done].payload), &o[done].ans);
            o[done].ok = o[done].ans.status >= 200 && o[done].ans.status < 300;
            failed = !o[done].ok;
            sent += o[done].ok;
        }
        if (done)
            err = record(ctx, &s, hook_id, worker, o, done, &paused);
        more = !err && done > 0 && !failed && !blocked && (done < n || n == AU_BATCH);
    }
    /* Release, then look again: a change committed while the lease was held found it
     * taken and queued nothing, so its delivery is picked up here. */
    enum rp_err rerr = rec_tx_begin(ctx);
    if (!rerr)
        rerr = au__sql_release(ctx, hook_id, worker);
    if (!rerr && !paused)
        rerr = au__sql_wake_if_due(ctx, hook_id, text_now_ms());
    rerr = rec_tx_end(ctx, rerr);
    if (!err)
        err = rerr;
    *result = arena_printf(ctx->a, "{\"delivered\":%zu}", sent);
    return err;
}

enum rp_err au__sweep(struct rec_ctx *ctx)
{
    const char **ids;
    size_t n = 0;
    int64_t now = text_now_ms();
    enum rp_err err = au__sql_due_hooks(ctx, now, SWEEP_MAX, &ids, &n);
    if (err || n == 0)
        return err;
    err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++)
        err = jobs_queue(ctx, "webhooks.deliver", ids[i]);
    return rec_tx_end(ctx, err);
}

const char *au__worker_name(struct arena *a)
{
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    return arena_printf(a, "%s:%ld", host, (long)getpid());
}
