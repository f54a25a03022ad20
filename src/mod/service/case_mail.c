/* Cases by e-mail: a message a mailbox received becomes a case of the queue that mailbox
 * feeds, or — when its subject names a case's number — goes on that case; and a message
 * written on a case carries the case's number in its subject, so that the answer comes
 * back to it. The service module reaches e-mails only through the engine: the `emails`
 * records the mail module keeps, with their generic related_type/related_id. */
#include "core/common.h"

#include <ctype.h>
#include <strings.h>

#include "core/log.h"
#include "core/text.h"
#include "mod/service/service.h"

bool svc_case_number_parse(struct rp_str subject, char out[SVC_CASE_NUMBER_MAX])
{
    const size_t plen = strlen(SVC_NUMBER_PREFIX);
    for (size_t i = 0; i + plen < subject.len; i++) {
        const char *p = subject.p + i;
        if (strncasecmp(p, SVC_NUMBER_PREFIX, plen) != 0 ||
            (i > 0 && isalnum((unsigned char)p[-1])))
            continue;
        size_t k = plen;
        int64_t n = 0;
        while (i + k < subject.len && isdigit((unsigned char)p[k]) && n <= SVC_CASE_NUMBER_LAST)
            n = n * 10 + (p[k++] - '0');
        bool ended = i + k == subject.len || !isalnum((unsigned char)p[k]);
        if (k > plen && ended && n > 0 && n <= SVC_CASE_NUMBER_LAST) {
            snprintf(out, SVC_CASE_NUMBER_MAX, SVC_NUMBER_PREFIX "%06lld", (long long)n);
            return true;
        }
    }
    return false;
}

/* The first live record of entity whose field is value; *found false: none. */
static enum rp_err find_one(struct rec_ctx *ctx, const char *entity, const char *field,
                            const char *value, struct rec *out, bool *found)
{
    const struct entity_def *e = meta_need(entity);
    struct rec_param p[] = {{rp_str_c(field), rp_str_c(value)}, {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    *found = !err && page.nrows > 0;
    if (*found)
        *out = page.rows[0];
    return err;
}

/* Links the message to case c; its owner works the case, so the message is theirs. */
static void link_case(struct rec *r, const struct rec *c)
{
    rec_set_text(r, "related_type", "cases");
    rec_set_text(r, "related_id", c->id);
    if (c->owner_id)
        r->owner_id = c->owner_id;
}

/* A customer's answer to a case waiting on them: work on it goes on. */
static enum rp_err answered(struct rec_ctx *ctx, const struct rec *c)
{
    if (!rec_is(c, "status", "waiting_on_customer"))
        return RP_OK;
    struct rec_input in = rec_in_text("status", "in_progress");
    struct rec out;
    return rec_update(ctx, c->ent, rp_str_c(c->id), &in, 1, c->version, &out);
}

/* The answer to the sender of message r that made case c, when queue names a template:
 * never to a machine (an auto-reply, a bounce, a list: RFC 3834), itself marked as
 * automatic, in the message's thread; the number goes in its subject (on_case). */
static enum rp_err acknowledge(struct rec_ctx *ctx, const struct rec *r, const struct rec *c,
                               const struct rec *queue)
{
    const char *template = rec_text(ctx->a, queue, "ack_template_id");
    const char *to = rec_text(ctx->a, r, "from_address");
    if (!template || !to || rec_field(r, "automatic")->i != 0)
        return RP_OK;
    struct rec_input in[] = {
        rec_in_text("template_id", template),
        rec_in_text("to_addresses", to),
        rec_in_opt("contact_id", rec_text(ctx->a, c, "contact_id")),
        rec_in_opt("account_id", rec_text(ctx->a, c, "account_id")),
        rec_in_text("related_type", "cases"),
        rec_in_text("related_id", c->id),
        rec_in_opt("in_reply_to", rec_text(ctx->a, r, "message_id")),
        rec_in_opt("thread_id", rec_text(ctx->a, r, "thread_id")),
        {.field = RP_STR("automatic"), .kind = IN_BOOL, .b = true},
        rec_in_opt("owner_id", c->owner_id),
    };
    struct rec out;
    size_t saved = ctx->nerrors;
    enum rp_err err = rec_create(ctx, meta_need("emails"), in, RP_NELEM(in), &out);
    if (err == RP_EINVAL) {
        /* Refused before anything was written (its template no longer renders, say):
         * the case stands, unanswered. */
        log_write(LOG_WARN, "service: no acknowledgement of case %s: %s",
                  rec_text(ctx->a, c, "number"),
                  ctx->nerrors > saved ? ctx->errors[saved].message : "invalid");
        ctx->nerrors = saved;
        err = RP_OK;
    }
    return err;
}

/* A new case from a message to the mailbox a queue is fed by. */
static enum rp_err new_case(struct rec_ctx *ctx, struct rec *r, const struct rec *queue)
{
    const char *subject = rec_text(ctx->a, r, "subject");
    struct rec_input in[] = {
        rec_in_text("subject", subject && subject[0] ? subject : SVC_NO_SUBJECT),
        rec_in_opt("description", rec_text(ctx->a, r, "body_text")),
        rec_in_text("channel", "email"),
        rec_in_opt("contact_id", rec_text(ctx->a, r, "contact_id")),
        rec_in_opt("account_id", rec_text(ctx->a, r, "account_id")),
        rec_in_text("queue_id", queue->id),
    };
    struct rec c;
    enum rp_err err = rec_create(ctx, meta_need("cases"), in, RP_NELEM(in), &c);
    if (!err) {
        link_case(r, &c);
        err = acknowledge(ctx, r, &c, queue);
    }
    return err;
}

/* A message a mailbox received: on the case its subject names, else a new case of the
 * queue its mailbox feeds, else nothing. */
static enum rp_err received(struct rec_ctx *ctx, struct rec *r)
{
    const char *subject = rec_text(ctx->a, r, "subject");
    char number[SVC_CASE_NUMBER_MAX];
    struct rec found;
    bool has = false;
    enum rp_err err = RP_OK;
    if (subject && svc_case_number_parse(rp_str_c(subject), number))
        err = find_one(ctx, "cases", "number", number, &found, &has);
    if (!err && has) {
        link_case(r, &found);
        return answered(ctx, &found);
    }
    if (!err)
        err = find_one(ctx, "case_queues", "mailbox_id", rec_text(ctx->a, r, "mailbox_id"),
                       &found, &has);
    if (!err && has)
        err = new_case(ctx, r, &found);
    if (err == RP_EINVAL)
        log_write(LOG_WARN, "service: no case from message %s: %s",
                  rec_text(ctx->a, r, "message_id"),
                  ctx->nerrors ? ctx->errors[0].message : "invalid");
    return err;
}

/* A message written on a case: its subject carries the case's number. */
static enum rp_err on_case(struct rec_ctx *ctx, struct rec *r)
{
    struct rec c;
    enum rp_err err = rec_get(ctx, meta_need("cases"), rp_str_c(rec_text(ctx->a, r, "related_id")),
                              &c);
    if (err)
        return err == RP_ENOTFOUND ? RP_OK : err; /* mail's validator said why */
    const char *number = rec_text(ctx->a, &c, "number");
    const char *subject = rec_text(ctx->a, r, "subject");
    char named[SVC_CASE_NUMBER_MAX];
    if (!number || !subject ||
        (svc_case_number_parse(rp_str_c(subject), named) && strcmp(named, number) == 0))
        return RP_OK;
    const char *s = arena_printf(ctx->a, "[%s] %s", number, subject);
    if (text_utf8_len(rp_str_c(s)) > SVC_MAX_SUBJECT)
        return rec_field_error(ctx, "subject",
                               "leave room for the case number: at most %u characters",
                               (unsigned)(SVC_MAX_SUBJECT - strlen(number) - 3));
    rec_set_text(r, "subject", s);
    return RP_OK;
}

enum rp_err service__before_save_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (old)
        return RP_OK;
    if (ctx->system && rec_is(r, "status", "received") && rec_is(r, "direction", "inbound") &&
        !rec_field(r, "mailbox_id")->null && rec_field(r, "related_type")->null)
        return received(ctx, r);
    if (!rec_is(r, "status", "received") && rec_is(r, "related_type", "cases"))
        return on_case(ctx, r);
    return RP_OK;
}
