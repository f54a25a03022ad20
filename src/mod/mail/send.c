/* Sending: the job "mail.send" takes one queued message, claims it (so that no other
 * server sends it while this one does), builds it and hands it to the SMTP server
 * through libcurl, then records the outcome and the attempt in the delivery log — in
 * that order, so a message is sent at least once and, but for a server stopping
 * between the hand-over and the record, once. A 4xx answer or a connection that fails
 * is retried later, the delay doubling each time; a 5xx answer fails the message for
 * good. */
#include "core/common.h"

#include <curl/curl.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "mod/mail/mail.h"

/* Messages a sweep requeues at most: the rest wait for the next sweep. */
#define SWEEP_MAX 500u
/* A queued message overdue by this much has lost its job (a server stopped): the sweep
 * queues it again. */
#define SWEEP_GRACE_MS (2 * 60 * 1000)

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

/* Hands a built message to the server: its outcome, SMTP code (0: none) and answer. */
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
    struct upload u = {msg->p, msg->len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
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
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s < 10 ? s->timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)s->timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, answer);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    if (rc == CURLE_OK)
        return SENT;
    /* No reply from a server: the connection's failure is the answer. */
    if (*code == 0 || !answer[0])
        snprintf(answer, MAIL_MAX_ANSWER + 1, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return *code >= 500 && *code < 600 ? FAILED : RETRY;
}

/* Builds m and sends it (the test message, and each queued one). */
static enum outcome build_and_deliver(struct arena *a, const struct mail_settings *s,
                                      const struct mail_msg *m, long *code, char *answer)
{
    struct rp_buf msg;
    buf_init(&msg, MAIL_MAX_MESSAGE);
    enum rp_err err = mail_build(&msg, m);
    if (err) {
        buf_release(&msg);
        snprintf(answer, MAIL_MAX_ANSWER + 1, "the message could not be built (%s)",
                 rp_err_name(err));
        *code = 0;
        return FAILED;
    }
    struct mail_addr *rcpt = arena_calloc(a, m->nto + m->ncc + 1, sizeof(*rcpt));
    memcpy(rcpt, m->to, m->nto * sizeof(*rcpt));
    if (m->ncc)
        memcpy(rcpt + m->nto, m->cc, m->ncc * sizeof(*rcpt));
    enum outcome o = deliver(s, m->from.addr, rcpt, m->nto + m->ncc, &msg, code, answer);
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

static const char *text_of(struct arena *a, const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null ? NULL : arena_strndup(a, v->s, v->len);
}

static struct rec_input in_text(const char *field, const char *s)
{
    return s ? rec_in_text(field, s) : (struct rec_input){.field = rp_str_c(field), .kind = IN_NULL};
}

static struct rec_input in_int(struct arena *a, const char *field, int64_t v)
{
    const char *s = arena_printf(a, "%lld", (long long)v);
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_NUMBER, .s = s,
                              .len = strlen(s)};
}

static const char *datetime(struct arena *a, int64_t ms)
{
    char *buf = arena_alloc(a, 32);
    text_format_datetime(ms, buf, 32);
    return buf;
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
        in_int(ctx->a, "attempts", attempt),
        in_text("last_answer", answer[0] ? answer : NULL),
        in_text("sent_at", o == SENT ? datetime(ctx->a, now) : NULL),
        in_text("next_attempt_at", o == RETRY ? datetime(ctx->a, retry_at) : NULL),
        in_text("claimed_by", NULL),
        in_text("claimed_until", NULL),
    };
    struct rec_input log[] = {
        rec_in_text("email_id", r->id),
        in_int(ctx->a, "attempt", attempt),
        rec_in_text("outcome", OUT[o]),
        code ? in_int(ctx->a, "smtp_code", code) : in_text("smtp_code", NULL),
        in_text("answer", answer[0] ? answer : NULL),
        in_text("owner_id", r->owner_id),
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
    struct rec_input upd[] = {in_text("next_attempt_at", datetime(ctx->a, at)),
                              in_text("claimed_by", NULL), in_text("claimed_until", NULL)};
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
    m->from.addr = text_of(ctx->a, r, "from_address");
    m->from.name = text_of(ctx->a, r, "from_name");
    if (!m->from.addr) {
        m->from.addr = s->from_address;
        m->from.name = s->from_name;
    }
    if (!m->from.addr) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "no From address: set one in the mail settings");
        return false;
    }
    const char *to = text_of(ctx->a, r, "to_addresses"), *cc = text_of(ctx->a, r, "cc_addresses");
    struct mail_addr *list;
    if (!to || mail_parse_addrs(ctx->a, to, strlen(to), MAIL_MAX_RECIPIENTS, &list, &m->nto) ||
        (cc && mail_parse_addrs(ctx->a, cc, strlen(cc), MAIL_MAX_RECIPIENTS,
                                (struct mail_addr **)(uintptr_t)&m->cc, &m->ncc))) {
        snprintf(answer, MAIL_MAX_ANSWER + 1, "the recipients' addresses are not valid");
        return false;
    }
    m->to = list;
    m->subject = text_of(ctx->a, r, "subject");
    m->text = text_of(ctx->a, r, "body_text");
    m->html = text_of(ctx->a, r, "body_html");
    m->message_id = text_of(ctx->a, r, "message_id");
    int64_t created = 0;
    text_parse_datetime(rp_str_c(r->created_at), &created);
    m->date_ms = created;
    return true;
}

static const char *worker_name(struct arena *a)
{
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    return arena_printf(a, "%s:%ld", host, (long)getpid());
}

enum rp_err mail__send_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                           const char **result)
{
    (void)stop;
    const char *id = arena_strndup(ctx->a, payload.p, payload.len);
    int64_t now = text_now_ms();
    bool claimed = false;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = mail__sql_claim(ctx, id, worker_name(ctx->a), now, &claimed);
    err = rec_tx_end(ctx, err);
    if (err || !claimed) {
        *result = "{\"sent\":false}";
        return err;
    }
    struct rec r;
    struct mail_settings s;
    err = rec_get(ctx, meta_need("emails"), rp_str_c(id), &r);
    if (!err)
        err = mail_settings_get(ctx, &s);
    if (err)
        return err;
    const char *domain = text_of(ctx->a, &r, "to_domain");
    int64_t recent = 0;
    if (s.domain_per_minute && domain)
        err = mail__sql_sent_to_domain(ctx, domain, now - 60000, &recent);
    if (err)
        return err;
    if (s.domain_per_minute && recent >= s.domain_per_minute) {
        int64_t wait = 60000 / s.domain_per_minute;
        *result = "{\"sent\":false,\"throttled\":true}";
        return release(ctx, &r, now + (wait < 1000 ? 1000 : wait));
    }
    char answer[MAIL_MAX_ANSWER + 1] = "";
    long code = 0;
    struct mail_msg m;
    enum outcome o;
    if (!s.host) {
        snprintf(answer, sizeof(answer), "no SMTP server is configured");
        o = RETRY;
    } else if (!message_of(ctx, &r, &s, &m, answer)) {
        o = m.from.addr ? FAILED : RETRY;
    } else {
        o = build_and_deliver(ctx->a, &s, &m, &code, answer);
    }
    int64_t attempt = rec_field(&r, "attempts")->i + 1;
    if (o == RETRY && attempt >= s.max_attempts)
        o = FAILED;
    /* The delay doubles with each attempt: base, 2 base, 4 base … at most a day. */
    int64_t delay = s.retry_base_s * 1000;
    for (int64_t i = 1; i < attempt && delay < 86400000; i++)
        delay *= 2;
    if (delay > 86400000)
        delay = 86400000;
    if (o != SENT)
        LOG(LOG_INFO, "mail %s: attempt %lld %s (%ld)", r.id, (long long)attempt,
            o == RETRY ? "will be retried" : "failed", code);
    *result = o == SENT ? "{\"sent\":true}" : "{\"sent\":false}";
    return record(ctx, &r, o, code, answer, text_now_ms() + delay);
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
