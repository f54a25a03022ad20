/* Sending: the job "mail.send" names one queued message; it claims that one and up to
 * MAIL_SEND_BATCH - 1 others that are due (so that no other server sends them while
 * this one does), builds them and hands them to the SMTP server through libcurl, over
 * up to SEND_PARALLEL connections at once that stay open from one job to the next,
 * then records each outcome and attempt in the delivery log, all in one transaction —
 * in that order, so a message is sent at least once and, but for a server stopping
 * between the hand-over and the record, once. A 4xx answer or a connection that fails
 * is retried later, the delay doubling each time; a 5xx answer fails the message for
 * good. */
#include "core/common.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "mod/mail/inbox.h"

/* Messages a sweep requeues at most: the rest wait for the next sweep. */
#define SWEEP_MAX 500u
/* A queued message overdue by this much has lost its job (a server stopped): the sweep
 * queues it again. */
#define SWEEP_GRACE_MS (2 * 60 * 1000)

/* SMTP connections one job sends over at once: the server's round trips of several
 * messages overlap (a message waits on four of them). */
#define SEND_PARALLEL 5u

enum outcome { SENT, RETRY, FAILED };

struct upload {
    const char *p;
    size_t len, off;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n, left = u->len - u->off;
    if (k > left)
        k = left;
    memcpy(dst, u->p + u->off, k);
    u->off += k;
    return k;
}

/* Keeps the server's last reply line: what the log shows. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)h;
    char *answer = arg;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    size_t n = size < MAIL_MAX_ANSWER ? size : MAIL_MAX_ANSWER;
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    /* Printable ASCII only: the answer is stored and shown. */
    for (size_t i = 0; i < n; i++)
        answer[i] = (data[i] >= 0x20 && data[i] < 0x7f) ? data[i] : '?';
    answer[n] = '\0';
    return 0;
}

/* Sets h up to hand the message u reads to the server, from `from` to rcpt; returns
 * the recipient list h uses, for the caller to free once h is done. */
static struct curl_slist *setup(CURL *h, const struct mail_settings *s, const char *from,
                                const struct mail_addr *rcpt, size_t nrcpt, struct upload *u,
                                char *errbuf, char *answer)
{
    answer[0] = '\0';
    errbuf[0] = '\0';
    char url[400], mfrom[MAIL_MAX_ADDRESS + 3];
    snprintf(url, sizeof(url), "%s://%s:%lld", s->security == MAIL_SEC_TLS ? "smtps" : "smtp",
             s->host, (long long)s->port);
    snprintf(mfrom, sizeof(mfrom), "<%s>", from);
    struct curl_slist *rcpts = NULL;
    char one[MAIL_MAX_ADDRESS + 3];
    for (size_t i = 0; i < nrcpt; i++) {
        snprintf(one, sizeof(one), "<%s>", rcpt[i].addr);
        struct curl_slist *next = curl_slist_append(rcpts, one);
        if (next)
            rcpts = next;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     s->security == MAIL_SEC_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    if (s->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mfrom);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s < 10 ? s->timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)s->timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, answer);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    return rcpts;
}

/* What a finished hand-over came to: its outcome, SMTP code (0: none) and answer (the
 * connection's failure when the server gave none). */
static enum outcome outcome_of(CURL *h, CURLcode rc, const char *errbuf, long *code,
                               char *answer)
{
    *code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    if (rc == CURLE_OK)
        return SENT;
    if (*code == 0 || !answer[0])
        snprintf(answer, MAIL_MAX_ANSWER + 1, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return *code >= 500 && *code < 600 ? FAILED : RETRY;
}

/* Hands a built message to the server on a connection of its own: its outcome, SMTP
 * code (0: none) and answer. */
static enum outcome deliver(const struct mail_settings *s, const char *from,
                            const struct mail_addr *rcpt, size_t nrcpt, const struct rp_buf *msg,
                            long *code, char *answer)
{
    *code = 0;
    answer[0] = '\0';
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "could not start an SMTP session");
        return RETRY;
    }
    struct upload u = {msg->p, msg->len, 0};
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *rcpts = setup(h, s, from, rcpt, nrcpt, &u, errbuf, answer);
    enum outcome o = outcome_of(h, curl_easy_perform(h), errbuf, code, answer);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    return o;
}

/* Builds m into msg (initialised here; the caller releases it) with its envelope's
 * recipients, To and Cc; false, with the answer, when it cannot be built. */
static bool build(struct arena *a, const struct mail_msg *m, struct rp_buf *msg,
                  struct mail_addr **rcpt, size_t *nrcpt, char *answer)
{
    buf_init(msg, MAIL_MAX_MESSAGE);
    enum rp_err err = mail_build(msg, m);
    if (err) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "the message could not be built (%s)",
                 rp_err_name(err));
        return false;
    }
    *rcpt = arena_calloc(a, m->nto + m->ncc + 1, sizeof(**rcpt));
    memcpy(*rcpt, m->to, m->nto * sizeof(**rcpt));
    if (m->ncc)
        memcpy(*rcpt + m->nto, m->cc, m->ncc * sizeof(**rcpt));
    *nrcpt = m->nto + m->ncc;
    return true;
}

/* Builds m and sends it (the test message). */
static enum outcome build_and_deliver(struct arena *a, const struct mail_settings *s,
                                      const struct mail_msg *m, long *code, char *answer)
{
    struct rp_buf msg;
    struct mail_addr *rcpt;
    size_t nrcpt;
    enum outcome o = FAILED;
    *code = 0;
    if (build(a, m, &msg, &rcpt, &nrcpt, answer))
        o = deliver(s, m->from.addr, rcpt, nrcpt, &msg, code, answer);
    buf_release(&msg);
    return o;
}

enum rp_err mail_send_now(struct rec_ctx *ctx, const struct mail_settings *s,
                          const struct mail_msg *m, const char **answer)
{
    long code;
    char text[MAIL_MAX_ANSWER + 1];
    enum outcome o = build_and_deliver(ctx->a, s, m, &code, text);
    *answer = arena_strdup(ctx->a, text);
    return o == SENT ? RP_OK : RP_EIO;
}

/* Records an attempt: the message's state, the delivery log's row, and the next try. */
static enum rp_err record(struct rec_ctx *ctx, const struct rec *r, enum outcome o, long code,
                          const char *answer, int64_t retry_at)
{
    static const char *const OUT[] = {"sent", "retry", "failed"};
    static const char *const STATE[] = {"sent", "queued", "failed"};
    int64_t attempt = rec_field(r, "attempts")->i + 1;
    int64_t now = text_now_ms();
    struct rec_input upd[] = {
        rec_in_text("status", STATE[o]),
        rec_in_int(ctx->a, "attempts", attempt),
        rec_in_opt("last_answer", answer[0] ? answer : NULL),
        rec_in_opt("sent_at", o == SENT ? rec_datetime(ctx->a, now) : NULL),
        rec_in_opt("next_attempt_at", o == RETRY ? rec_datetime(ctx->a, retry_at) : NULL),
        rec_in_opt("claimed_by", NULL),
        rec_in_opt("claimed_until", NULL),
    };
    struct rec_input log[] = {
        rec_in_text("email_id", r->id),
        rec_in_int(ctx->a, "attempt", attempt),
        rec_in_text("outcome", OUT[o]),
        code ? rec_in_int(ctx->a, "smtp_code", code) : rec_in_opt("smtp_code", NULL),
        rec_in_opt("answer", answer[0] ? answer : NULL),
        rec_in_opt("owner_id", r->owner_id),
    };
    /* A message of the system's (a notification e-mail) has no owner, nor has its log. */
    size_t nlog = RP_NELEM(log) - (r->owner_id ? 0 : 1);
    struct rec saved, row;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_update(ctx, meta_need("emails"), rp_str_c(r->id), upd, RP_NELEM(upd), -1, &saved);
    if (!err)
        err = rec_create(ctx, meta_need("email_deliveries"), log, nlog, &row);
    if (!err && o == RETRY)
        err = jobs_queue_at(ctx, "mail.send", r->id, retry_at);
    return rec_tx_end(ctx, err);
}

/* Puts a claimed message back, to be tried at `at` (throttled: no attempt made). */
static enum rp_err release(struct rec_ctx *ctx, const struct rec *r, int64_t at)
{
    struct rec_input upd[] = {rec_in_opt("next_attempt_at", rec_datetime(ctx->a, at)),
                              rec_in_opt("claimed_by", NULL), rec_in_opt("claimed_until", NULL)};
    struct rec saved;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_update(ctx, meta_need("emails"), rp_str_c(r->id), upd, RP_NELEM(upd), -1, &saved);
    if (!err)
        err = jobs_queue_at(ctx, "mail.send", r->id, at);
    return rec_tx_end(ctx, err);
}

/* The message of record r as the builder takes it; false (answer set) when it cannot
 * be: no sender, or addresses that no longer parse. */
static bool message_of(struct rec_ctx *ctx, const struct rec *r, const struct mail_settings *s,
                       struct mail_msg *m, char *answer)
{
    *m = (struct mail_msg){0};
    m->from.addr = rec_text(ctx->a, r, "from_address");
    m->from.name = rec_text(ctx->a, r, "from_name");
    if (!m->from.addr) {
        m->from.addr = s->from_address;
        m->from.name = s->from_name;
    }
    if (!m->from.addr) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "no From address: set one in the mail settings");
        return false;
    }
    const char *to = rec_text(ctx->a, r, "to_addresses"), *cc = rec_text(ctx->a, r, "cc_addresses");
    struct mail_addr *list;
    if (!to || mail_parse_addrs(ctx->a, to, strlen(to), MAIL_MAX_RECIPIENTS, &list, &m->nto) ||
        (cc && mail_parse_addrs(ctx->a, cc, strlen(cc), MAIL_MAX_RECIPIENTS,
                                (struct mail_addr **)(uintptr_t)&m->cc, &m->ncc))) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "the recipients' addresses are not valid");
        return false;
    }
    m->to = list;
    m->subject = rec_text(ctx->a, r, "subject");
    m->text = rec_text(ctx->a, r, "body_text");
    m->html = rec_text(ctx->a, r, "body_html");
    m->calendar = rec_text(ctx->a, r, "calendar_part");
    m->message_id = rec_text(ctx->a, r, "message_id");
    m->in_reply_to = rec_text(ctx->a, r, "in_reply_to");
    m->automatic = rec_field(r, "automatic")->i != 0;
    int64_t created = 0;
    text_parse_datetime(rp_str_c(r->created_at), &created);
    m->date_ms = created;
    return true;
}

const char *mail__worker_name(struct arena *a)
{
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    return arena_printf(a, "%s:%ld", host, (long)getpid());
}

/* ---- a job's messages ---- */

/* One message of a job, from its claim to its record. */
struct sending {
    struct rec r;
    bool gone;               /* deleted since it was claimed: nothing to do */
    const char *domain;      /* to_domain, throttling's key */
    int64_t release_at;      /* throttled: put back for then, no attempt made */
    struct mail_msg m;
    struct rp_buf msg;       /* built */
    struct mail_addr *rcpt;
    size_t nrcpt;
    bool ready;              /* built, to be handed over */
    struct upload up;
    struct curl_slist *rcpts;
    enum outcome o;
    long code;
    char answer[MAIL_MAX_ANSWER + 1];
    char errbuf[CURL_ERROR_SIZE];
};

/* The connections kept open between messages: the job runner's thread keeps a multi
 * handle (libcurl keeps its connections there, and reuses one for the next message to
 * the same server) and SEND_PARALLEL easy handles, freed when the thread ends. */
struct pool {
    CURLM *multi;
    CURL *h[SEND_PARALLEL];
};

static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_free(void *arg)
{
    struct pool *p = arg;
    for (size_t i = 0; i < SEND_PARALLEL; i++)
        if (p->h[i])
            curl_easy_cleanup(p->h[i]);
    if (p->multi)
        curl_multi_cleanup(p->multi);
    free(p);
}

static void pool_key_make(void)
{
    pthread_key_create(&pool_key, pool_free);
}

/* This thread's pool; NULL when libcurl could not make one. */
static struct pool *pool_get(void)
{
    pthread_once(&pool_once, pool_key_make);
    struct pool *p = pthread_getspecific(pool_key);
    if (p)
        return p;
    p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    bool ok = (p->multi = curl_multi_init()) != NULL;
    for (size_t i = 0; i < SEND_PARALLEL && ok; i++)
        ok = (p->h[i] = curl_easy_init()) != NULL;
    if (!ok || pthread_setspecific(pool_key, p) != 0) {
        pool_free(p);
        return NULL;
    }
    return p;
}

/* Claims the job's message and up to MAIL_SEND_BATCH - 1 others that are due, oldest
 * first, in one transaction (arena memory). */
static enum rp_err claim_batch(struct rec_ctx *ctx, const char *id, const char *worker,
                               int64_t now, const char ***ids, size_t *n)
{
    const char **due;
    size_t ndue = 0;
    bool claimed = false;
    *ids = arena_calloc(ctx->a, MAIL_SEND_BATCH, sizeof(**ids));
    *n = 0;
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = mail__sql_claim(ctx, id, worker, now, &claimed);
    if (!err && claimed)
        (*ids)[(*n)++] = id;
    if (!err)
        err = mail__sql_overdue(ctx, now + 1, now, MAIL_SEND_BATCH, &due, &ndue);
    for (size_t k = 0; k < ndue && *n < MAIL_SEND_BATCH && !err; k++) {
        if (strcmp(due[k], id) == 0)
            continue;
        err = mail__sql_claim(ctx, due[k], worker, now, &claimed);
        if (!err && claimed)
            (*ids)[(*n)++] = due[k];
    }
    return rec_tx_end(ctx, err);
}

/* Reads message i of v and readies it: throttled (put back), failed before any
 * attempt, or built to be handed over. The messages before it in v count towards
 * their domain's limit. */
static enum rp_err prepare(struct rec_ctx *ctx, const struct mail_settings *s, struct sending *v,
                           size_t i, const char *id, int64_t now)
{
    struct sending *x = &v[i];
    enum rp_err err = rec_get(ctx, meta_need("emails"), rp_str_c(id), &x->r);
    if (err == RP_ENOTFOUND)
        x->gone = true;
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err;
    x->domain = rec_text(ctx->a, &x->r, "to_domain");
    if (s->domain_per_minute && x->domain) {
        int64_t recent = 0;
        err = mail__sql_sent_to_domain(ctx, x->domain, now - 60000, &recent);
        for (size_t k = 0; k < i; k++)
            recent += v[k].ready && v[k].domain && strcmp(v[k].domain, x->domain) == 0;
        if (err)
            return err;
        if (recent >= s->domain_per_minute) {
            int64_t wait = 60000 / s->domain_per_minute;
            x->release_at = now + (wait < 1000 ? 1000 : wait);
            return RP_OK;
        }
    }
    if (!s->host) {
        snprintf(x->answer, sizeof(x->answer), "no SMTP server is configured");
        x->o = RETRY;
    } else if (!message_of(ctx, &x->r, s, &x->m, x->answer)) {
        x->o = x->m.from.addr ? FAILED : RETRY;
    } else if (!build(ctx->a, &x->m, &x->msg, &x->rcpt, &x->nrcpt, x->answer)) {
        x->o = FAILED;
    } else {
        x->up = (struct upload){x->msg.p, x->msg.len, 0};
        x->ready = true;
    }
    return RP_OK;
}

/* Hands the ready messages of v to the server, up to SEND_PARALLEL at once over the
 * pool's connections; each gets its outcome, code and answer. */
static void deliver_all(const struct mail_settings *s, struct sending *v, size_t n)
{
    struct pool *p = pool_get();
    CURL *idle[SEND_PARALLEL];
    size_t nidle = 0, next = 0, busy = 0;
    for (size_t i = 0; p && i < SEND_PARALLEL; i++)
        idle[nidle++] = p->h[i];
    for (;;) {
        while (next < n && (nidle || !p)) {
            struct sending *x = &v[next++];
            if (!x->ready)
                continue;
            CURL *h = p ? idle[--nidle] : NULL;
            if (h) {
                curl_easy_reset(h);
                x->rcpts = setup(h, s, x->m.from.addr, x->rcpt, x->nrcpt, &x->up, x->errbuf,
                                 x->answer);
                curl_easy_setopt(h, CURLOPT_PRIVATE, x);
            }
            if (!h || curl_multi_add_handle(p->multi, h) != CURLM_OK) {
                snprintf(x->answer, sizeof(x->answer), "could not start an SMTP session");
                x->o = RETRY;
                if (h)
                    idle[nidle++] = h;
                continue;
            }
            busy++;
        }
        if (!busy)
            return;
        int running, queued;
        curl_multi_perform(p->multi, &running);
        CURLMsg *done;
        while ((done = curl_multi_info_read(p->multi, &queued))) {
            if (done->msg != CURLMSG_DONE)
                continue;
            CURL *h = done->easy_handle;
            CURLcode rc = done->data.result;
            struct sending *x;
            curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)(void *)&x);
            x->o = outcome_of(h, rc, x->errbuf, &x->code, x->answer);
            curl_multi_remove_handle(p->multi, h);
            curl_slist_free_all(x->rcpts);
            x->rcpts = NULL;
            idle[nidle++] = h;
            busy--;
        }
        if (busy && (!nidle || next == n))
            curl_multi_poll(p->multi, NULL, 0, 1000, NULL);
    }
}

/* Records what became of message x (in the caller's transaction). */
static enum rp_err finish(struct rec_ctx *ctx, const struct mail_settings *s,
                          const struct sending *x)
{
    if (x->gone)
        return RP_OK;
    if (x->release_at)
        return release(ctx, &x->r, x->release_at);
    enum outcome o = x->o;
    int64_t attempt = rec_field(&x->r, "attempts")->i + 1;
    if (o == RETRY && attempt >= s->max_attempts)
        o = FAILED;
    /* The delay doubles with each attempt: base, 2 base, 4 base … at most a day. */
    int64_t delay = s->retry_base_s * 1000;
    for (int64_t i = 1; i < attempt && delay < 86400000; i++)
        delay *= 2;
    if (delay > 86400000)
        delay = 86400000;
    if (o != SENT)
        LOG(LOG_INFO, "mail %s: attempt %lld %s (%ld)", x->r.id, (long long)attempt,
            o == RETRY ? "will be retried" : "failed", x->code);
    return record(ctx, &x->r, o, x->code, x->answer, text_now_ms() + delay);
}

enum rp_err mail__send_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                           const char **result)
{
    (void)stop;
    const char *id = arena_strndup(ctx->a, payload.p, payload.len);
    int64_t now = text_now_ms();
    const char **ids;
    size_t n = 0, sent = 0;
    enum rp_err err = claim_batch(ctx, id, mail__worker_name(ctx->a), now, &ids, &n);
    if (err || n == 0) {
        *result = "{\"sent\":0}";
        return err;
    }
    struct mail_settings s;
    struct sending *v = arena_calloc(ctx->a, n, sizeof(*v));
    err = mail_settings_get(ctx, &s);
    for (size_t i = 0; i < n && !err; i++)
        err = prepare(ctx, &s, v, i, ids[i], now);
    if (!err)
        deliver_all(&s, v, n);
    /* Every outcome in one commit. */
    if (!err && !(err = rec_tx_begin(ctx))) {
        for (size_t i = 0; i < n && !err; i++) {
            err = finish(ctx, &s, &v[i]);
            sent += v[i].ready && v[i].o == SENT;
        }
        err = rec_tx_end(ctx, err);
    }
    for (size_t i = 0; i < n; i++)
        buf_release(&v[i].msg);
    *result = arena_printf(ctx->a, "{\"sent\":%zu}", sent);
    return err;
}

enum rp_err mail__sweep(struct rec_ctx *ctx)
{
    const char **ids;
    size_t n = 0;
    int64_t now = text_now_ms();
    enum rp_err err = mail__sql_overdue(ctx, now - SWEEP_GRACE_MS, now, SWEEP_MAX, &ids, &n);
    if (err || n == 0)
        return err;
    err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++)
        err = jobs_queue(ctx, "mail.send", ids[i]);
    err = rec_tx_end(ctx, err);
    if (!err)
        jobs_kick();
    return err;
}
