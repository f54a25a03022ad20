/* E-mails as records: the outbox (queued, then sent or failed), on the timelines of the
 * contact, lead, account and deal they concern; templates; and the delivery log. A
 * message is composed here — from its template and the records it links to — whoever
 * creates it: a user through POST /emails, or another module through the engine. */
#include "core/common.h"

#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/jobs.h"
#include "mod/mail/mail.h"

static const char *const DIRECTION[] = {"outbound", "inbound", NULL};
static const char *const DIRECTION_LABELS[] = {"Outgoing", "Incoming", NULL};
static const char *const DIRECTION_LABELS_ZH[] = {"发出", "收到", NULL};
static const char *const STATUS[] = {"queued", "sent", "failed", "received", NULL};
static const char *const STATUS_LABELS[] = {"Queued", "Sent", "Failed", "Received", NULL};
static const char *const STATUS_LABELS_ZH[] = {"排队中", "已发送", "发送失败", "已收到", NULL};
static const char *const LANGUAGES[] = {"en", "zh-CN", NULL};
static const char *const LANGUAGE_LABELS[] = {"English", "Chinese (Simplified)", NULL};
static const char *const LANGUAGE_LABELS_ZH[] = {"英文", "简体中文", NULL};
static const char *const OUTCOME[] = {"sent", "retry", "failed", NULL};
static const char *const OUTCOME_LABELS[] = {"Sent", "Will retry", "Failed", NULL};
static const char *const OUTCOME_LABELS_ZH[] = {"已发送", "将重试", "失败", NULL};

#define CO (FF_CREATE_ONLY)
#define RO (FF_READONLY)

static const struct field_def EMAIL_FIELDS[] = {
    {.name = "subject", .label = "Subject", .label_zh = "主题", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST | CO, .maxlen = 255, .group = "overview"},
    {.name = "to_addresses", .label = "To", .label_zh = "收件人", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST | CO, .maxlen = 2000, .group = "overview"},
    {.name = "cc_addresses", .label = "Cc", .label_zh = "抄送", .type = FT_STRING,
     .flags = CO, .maxlen = 2000, .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = STATUS, .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH,
     .flags = FF_INDEXED | FF_LIST | RO, .def = "queued", .group = "overview"},
    {.name = "direction", .label = "Direction", .label_zh = "方向", .type = FT_ENUM,
     .enum_values = DIRECTION, .enum_labels = DIRECTION_LABELS,
     .enum_labels_zh = DIRECTION_LABELS_ZH, .flags = RO, .def = "outbound",
     .group = "overview"},
    {.name = "from_address", .label = "From", .label_zh = "发件人", .type = FT_STRING,
     .flags = RO, .maxlen = MAIL_MAX_ADDRESS, .group = "overview"},
    {.name = "from_name", .label = "Sender name", .label_zh = "发件人名称", .type = FT_STRING,
     .flags = RO, .maxlen = 100, .group = "overview"},
    {.name = "template_id", .label = "Template", .label_zh = "模板", .type = FT_REF,
     .ref_entity = "email_templates", .flags = CO, .group = "overview"},
    {.name = "contact_id", .label = "Contact", .label_zh = "联系人", .type = FT_REF,
     .ref_entity = "contacts", .flags = FF_INDEXED | FF_TIMELINE | FF_LIST | CO,
     .group = "related"},
    {.name = "lead_id", .label = "Lead", .label_zh = "线索", .type = FT_REF,
     .ref_entity = "leads", .flags = FF_INDEXED | FF_TIMELINE | CO, .group = "related"},
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .ref_entity = "accounts", .flags = FF_INDEXED | FF_TIMELINE | CO, .group = "related"},
    {.name = "deal_id", .label = "Deal", .label_zh = "商机", .type = FT_REF,
     .ref_entity = "opportunities", .flags = FF_INDEXED | FF_TIMELINE | CO,
     .group = "related"},
    /* A record of any entity with a timeline the message concerns (a service case): it
     * shows on that record's timeline. */
    {.name = "related_type", .label = "Related to (type)", .label_zh = "关联类型",
     .type = FT_ENUM, .flags = FF_INDEXED | FF_TIMELINE_TYPES | CO, .group = "related"},
    {.name = "related_id", .label = "Related to", .label_zh = "关联记录", .type = FT_STRING,
     .flags = FF_INDEXED | CO, .maxlen = 36, .group = "related",
     .ref_type_field = "related_type"},
    {.name = "body_text", .label = "Text", .label_zh = "纯文本正文", .type = FT_TEXT,
     .flags = FF_SEARCH | CO, .group = "message"},
    {.name = "body_html", .label = "HTML", .label_zh = "HTML 正文", .type = FT_TEXT,
     .flags = CO, .group = "message"},
    {.name = "message_id", .label = "Message-ID", .label_zh = "邮件标识", .type = FT_STRING,
     .flags = FF_INDEXED | RO, .maxlen = 255, .group = "delivery"},
    /* The thread a message belongs to: the Message-ID it answers, and the first one of
     * its conversation (its References' first, or its own). */
    {.name = "in_reply_to", .label = "In reply to", .label_zh = "回复的邮件", .type = FT_STRING,
     .flags = RO, .maxlen = 255, .group = "delivery"},
    {.name = "thread_id", .label = "Thread", .label_zh = "会话", .type = FT_STRING,
     .flags = FF_INDEXED | RO, .maxlen = 255, .group = "delivery"},
    {.name = "mailbox_id", .label = "Mailbox", .label_zh = "邮箱", .type = FT_REF,
     .ref_entity = "mailboxes", .flags = RO, .group = "delivery"},
    /* The names and sizes of a received message's attachments, one per line. */
    {.name = "attachments", .label = "Attachments", .label_zh = "附件", .type = FT_TEXT,
     .flags = RO, .group = "message"},
    /* A received message whose body was too large to keep whole (or to read at all). */
    {.name = "cut_short", .label = "Cut short", .label_zh = "内容不完整", .type = FT_BOOL,
     .flags = RO, .group = "message"},
    /* Sent by a machine: received, an auto-reply, a bounce or a list's message (never
     * answered automatically); written by the system, an automatic answer (sent with
     * Auto-Submitted: auto-replied, RFC 3834). */
    {.name = "automatic", .label = "Automatic", .label_zh = "自动邮件", .type = FT_BOOL,
     .flags = RO, .group = "delivery"},
    /* An iCalendar object the message carries (an invitation, an answer to one), sent
     * as its text/calendar part; written by the system only. */
    {.name = "calendar_part", .label = "Calendar data", .label_zh = "日历数据", .type = FT_TEXT,
     .flags = RO, .group = "message"},
    {.name = "sent_at", .label = "Sent", .label_zh = "发送时间", .type = FT_DATETIME,
     .flags = FF_LIST | RO, .group = "delivery"},
    {.name = "attempts", .label = "Attempts", .label_zh = "尝试次数", .type = FT_INT,
     .flags = RO, .def = "0", .group = "delivery"},
    {.name = "last_answer", .label = "Server answer", .label_zh = "服务器应答", .type = FT_STRING,
     .flags = RO, .maxlen = MAIL_MAX_ANSWER, .group = "delivery"},
    {.name = "next_attempt_at", .label = "Next attempt", .label_zh = "下次尝试", .type = FT_DATETIME,
     .flags = RO, .group = "delivery"},
    /* What throttling counts by, and who holds the message while sending it. */
    {.name = "to_domain", .label = "Recipient domain", .label_zh = "收件域名", .type = FT_STRING,
     .flags = RO, .maxlen = 255, .group = "delivery"},
    {.name = "claimed_by", .label = "Sending server", .label_zh = "发送服务器", .type = FT_STRING,
     .flags = RO, .maxlen = 100, .group = "delivery"},
    {.name = "claimed_until", .label = "Claimed until", .label_zh = "占用至", .type = FT_DATETIME,
     .flags = RO, .group = "delivery"},
};

const struct entity_def mail__emails = {
    .name = "emails",
    .label = "E-mail",
    .label_plural = "E-mails",
    .label_zh = "邮件",
    .label_plural_zh = "邮件",
    .fields = EMAIL_FIELDS,
    .nfields = RP_NELEM(EMAIL_FIELDS),
    .title_field = "subject",
    .default_sort = "-created_at",
    .indexes = "status,next_attempt_at;to_domain,sent_at",
    .flags = EF_OWN_SCREEN,
};

static const struct field_def TEMPLATE_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "language", .label = "Language", .label_zh = "语言", .type = FT_ENUM,
     .enum_values = LANGUAGES, .enum_labels = LANGUAGE_LABELS,
     .enum_labels_zh = LANGUAGE_LABELS_ZH, .flags = FF_REQUIRED | FF_INDEXED | FF_LIST,
     .def = "en", .group = "overview"},
    {.name = "subject", .label = "Subject", .label_zh = "主题", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 255, .group = "overview"},
    {.name = "body_text", .label = "Text", .label_zh = "纯文本正文", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "message"},
    {.name = "body_html", .label = "HTML", .label_zh = "HTML 正文", .type = FT_TEXT,
     .group = "message"},
};

const struct entity_def mail__templates = {
    .name = "email_templates",
    .label = "E-mail template",
    .label_plural = "E-mail templates",
    .label_zh = "邮件模板",
    .label_plural_zh = "邮件模板",
    .fields = TEMPLATE_FIELDS,
    .nfields = RP_NELEM(TEMPLATE_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_OWN_SCREEN,
};

static const struct field_def DELIVERY_FIELDS[] = {
    {.name = "email_id", .label = "E-mail", .label_zh = "邮件", .type = FT_REF,
     .ref_entity = "emails", .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | RO,
     .group = "overview"},
    {.name = "attempt", .label = "Attempt", .label_zh = "第几次", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "outcome", .label = "Outcome", .label_zh = "结果", .type = FT_ENUM,
     .enum_values = OUTCOME, .enum_labels = OUTCOME_LABELS, .enum_labels_zh = OUTCOME_LABELS_ZH,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "smtp_code", .label = "SMTP code", .label_zh = "SMTP 代码", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "answer", .label = "Server answer", .label_zh = "服务器应答", .type = FT_STRING,
     .flags = FF_LIST | RO, .maxlen = MAIL_MAX_ANSWER, .group = "overview"},
};

const struct entity_def mail__deliveries = {
    .name = "email_deliveries",
    .label = "Delivery attempt",
    .label_plural = "Delivery log",
    .label_zh = "投递记录",
    .label_plural_zh = "投递记录",
    .fields = DELIVERY_FIELDS,
    .nfields = RP_NELEM(DELIVERY_FIELDS),
    .title_field = "answer",
    .default_sort = "-created_at",
    .flags = EF_OWN_SCREEN,
};

/* ---- merge fields ---- */

/* The objects a template names, and the entities they are records of. */
static const struct {
    const char *object;
    const char *entity;
} OBJECTS[] = {
    {"contact", "contacts"}, {"lead", "leads"}, {"account", "accounts"},
    {"deal", "opportunities"}, {"user", "users"},
};
#define NOBJECTS RP_NELEM(OBJECTS)

static int object_index(struct rp_str object)
{
    for (size_t i = 0; i < NOBJECTS; i++)
        if (rp_str_eqc(object, OBJECTS[i].object))
            return (int)i;
    return -1;
}

bool mail__merge_known(void *arg, struct rp_str object, struct rp_str field)
{
    (void)arg;
    int k = object_index(object);
    const struct entity_def *e = k < 0 ? NULL : meta_entity(rp_str_c(OBJECTS[k].entity));
    const struct field_def *f = e ? meta_field(e, field) : NULL;
    return f && f->type != FT_PASSWORD;
}

struct merge {
    struct rec_ctx *ctx;
    const struct rec *recs[NOBJECTS];
};

static const char *merge_lookup(void *arg, struct rp_str object, struct rp_str field)
{
    struct merge *m = arg;
    int k = object_index(object);
    const struct rec *r = k < 0 ? NULL : m->recs[k];
    int i = r ? meta_field_index(r->ent, field) : -1;
    if (i < 0 || r->ent->fields[i].type == FT_PASSWORD || rec_hidden(r, (size_t)i))
        return NULL;
    return rec_value_text(m->ctx->a, &r->ent->fields[i], &r->v[i]);
}

/* ---- a mailing's memo ---- */

/* Records a mailing's memo keeps: a message reads its template, contact, account,
 * deal or lead, and sender. */
#define MEMO_RECORDS 8

/* While a mailing is written on this thread (batch.c, one request of one caller in one
 * transaction that writes only e-mails), what its messages read repeatedly — the same
 * template, sender and often contacts and accounts, and the settings — is read once:
 * the records as the caller (or the system) read them, in the request's arena. */
static _Thread_local struct {
    size_t count;                 /* messages written, plus one; 0: no mailing */
    struct {
        const struct entity_def *e;
        const char *id;
        bool system;
        struct rec r;
    } recs[MEMO_RECORDS];
    size_t nrecs, next;
    bool has_settings;
    struct mail_settings settings;
} mailing;

void mail__batch_begin(void)
{
    memset(&mailing, 0, sizeof(mailing));
    mailing.count = 1;
}

void mail__batch_end(void)
{
    memset(&mailing, 0, sizeof(mailing));
}

/* rec_get, from the mailing's memo when it holds the record. */
static enum rp_err get(struct rec_ctx *ctx, const struct entity_def *e, const char *id,
                       struct rec *out)
{
    bool system = ctx->system != NULL;
    for (size_t i = 0; mailing.count && i < mailing.nrecs; i++)
        if (mailing.recs[i].e == e && mailing.recs[i].system == system &&
            strcmp(mailing.recs[i].id, id) == 0) {
            *out = mailing.recs[i].r;
            return RP_OK;
        }
    enum rp_err err = rec_get(ctx, e, rp_str_c(id), out);
    if (!err && mailing.count) {
        size_t k = mailing.next++ % MEMO_RECORDS;
        mailing.recs[k].e = e;
        mailing.recs[k].id = arena_strdup(ctx->a, id);
        mailing.recs[k].system = system;
        mailing.recs[k].r = *out;
        if (mailing.nrecs < MEMO_RECORDS)
            mailing.nrecs++;
    }
    return err;
}

/* mail_settings_get, once per mailing. */
static enum rp_err settings(struct rec_ctx *ctx, struct mail_settings *out)
{
    if (mailing.has_settings) {
        *out = mailing.settings;
        return RP_OK;
    }
    enum rp_err err = mail_settings_get(ctx, out);
    if (!err && mailing.count) {
        mailing.settings = *out;
        mailing.has_settings = true;
    }
    return err;
}

/* Reads the record *id of entity (field: the draft's field naming it) as the caller;
 * NULL id: none. */
static enum rp_err load(struct rec_ctx *ctx, const char *entity, const char *id,
                        const char *field, struct rec *out, const struct rec **slot)
{
    if (!id)
        return RP_OK;
    const struct entity_def *e = meta_need(entity);
    enum rp_err err = get(ctx, e, id, out);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, field, "no %s with this id", rec_label(ctx, e));
    if (!err)
        *slot = out;
    return err;
}

/* The same for a record the draft did not name but one it named links to (a contact's
 * account): kept as a link whether or not the caller may read it, merged only when
 * they may. */
static enum rp_err load_linked(struct rec_ctx *ctx, const char *entity, const char *id,
                               struct rec *out, const struct rec **slot)
{
    enum rp_err err = id ? get(ctx, meta_need(entity), id, out) : RP_OK;
    if (!err && id)
        *slot = out;
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* Renders a template text into *dst (when *dst was not given and the template has one);
 * one line when `line` (a subject: controls become spaces). */
static enum rp_err render(struct rec_ctx *ctx, struct merge *m, const char *tpl, bool html,
                          bool line, const char **dst)
{
    if (*dst || !tpl || !tpl[0])
        return RP_OK;
    struct rp_buf b;
    buf_init(&b, 4u * RP_MAX_TEXT);
    enum rp_err err = mail_render(&b, tpl, strlen(tpl), html, merge_lookup, m);
    if (!err) {
        char *s = arena_strndup(ctx->a, buf_cstr(&b), b.len);
        for (char *p = s; line && *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = ' ';
        *dst = s;
    }
    buf_release(&b);
    return err == RP_ETOOBIG ? rec_field_error(ctx, "template_id", "renders a text too long")
                             : err;
}

static void check_line(struct rec_ctx *ctx, const char *field, const char *s)
{
    if (s && !mail_header_safe(s, strlen(s)))
        rec_field_error(ctx, field, "must not hold line breaks or control characters");
}

static void check_addrs(struct rec_ctx *ctx, const char *field, const char *s)
{
    struct mail_addr *list;
    size_t n;
    enum rp_err err = s ? mail_parse_addrs(ctx->a, s, strlen(s), MAIL_MAX_RECIPIENTS, &list, &n)
                        : RP_OK;
    if (err == RP_ETOOBIG)
        rec_field_error(ctx, field, "holds more than %u addresses", MAIL_MAX_RECIPIENTS);
    else if (err)
        rec_field_error(ctx, field, "is not a list of e-mail addresses");
}

enum rp_err mail_compose(struct rec_ctx *ctx, struct mail_draft *d)
{
    struct merge m = {ctx, {0}};
    struct rec deal, contact, lead, account, user, tpl;
    bool contact_given = d->contact_id != NULL, account_given = d->account_id != NULL;
    /* Unsafe values are refused before anything is read or merged. */
    check_line(ctx, "subject", d->subject);
    check_line(ctx, "to_addresses", d->to);
    check_line(ctx, "cc_addresses", d->cc);
    if (ctx->nerrors)
        return RP_EINVAL;
    enum rp_err err = load(ctx, "opportunities", d->deal_id, "deal_id", &deal, &m.recs[3]);
    if (!err && m.recs[3]) {
        d->account_id = d->account_id ? d->account_id : rec_text(ctx->a, &deal, "account_id");
        d->contact_id = d->contact_id ? d->contact_id : rec_text(ctx->a, &deal, "contact_id");
    }
    if (!err && contact_given)
        err = load(ctx, "contacts", d->contact_id, "contact_id", &contact, &m.recs[0]);
    else if (!err)
        err = load_linked(ctx, "contacts", d->contact_id, &contact, &m.recs[0]);
    if (!err && m.recs[0] && !d->account_id)
        d->account_id = rec_text(ctx->a, &contact, "account_id");
    if (!err)
        err = load(ctx, "leads", d->lead_id, "lead_id", &lead, &m.recs[1]);
    if (!err && account_given)
        err = load(ctx, "accounts", d->account_id, "account_id", &account, &m.recs[2]);
    else if (!err)
        err = load_linked(ctx, "accounts", d->account_id, &account, &m.recs[2]);
    if (!err && ctx->who) {
        /* The sender, whose name a template may use: read as the system (a role may
         * not read users, and the sender is the caller). */
        const char *saved = rec_system_begin(ctx, "the sender of a message");
        err = get(ctx, meta_need("users"), ctx->who->user_id, &user);
        rec_system_end(ctx, saved);
        if (!err)
            m.recs[4] = &user;
    }
    if (!err && !d->to) {
        const struct rec *who = m.recs[0] ? m.recs[0] : m.recs[1];
        d->to = who ? rec_text(ctx->a, who, "email") : NULL;
    }
    if (!err && d->template_id) {
        err = load(ctx, "email_templates", d->template_id, "template_id", &tpl, &(const struct rec *){NULL});
        if (!err && !ctx->nerrors) {
            err = render(ctx, &m, rec_text(ctx->a, &tpl, "subject"), false, true, &d->subject);
            if (!err)
                err = render(ctx, &m, rec_text(ctx->a, &tpl, "body_text"), false, false,
                             &d->body_text);
            if (!err)
                err = render(ctx, &m, rec_text(ctx->a, &tpl, "body_html"), true, false,
                             &d->body_html);
        }
    }
    if (err && err != RP_EINVAL)
        return err;
    if (!d->to || !d->to[0])
        rec_field_error(ctx, "to_addresses", "give an address, or a contact or lead with one");
    else
        check_addrs(ctx, "to_addresses", d->to);
    check_addrs(ctx, "cc_addresses", d->cc);
    if (!d->subject || !d->subject[0])
        rec_field_error(ctx, "subject", "give a subject, or a template with one");
    else if (text_utf8_len(rp_str_c(d->subject)) > 255)
        rec_field_error(ctx, "subject", "is longer than %u characters", 255u);
    if ((!d->body_text || !d->body_text[0]) && (!d->body_html || !d->body_html[0]))
        rec_field_error(ctx, "body_text", "give a text or HTML body, or a template with one");
    if (ctx->nerrors)
        return RP_EINVAL;
    struct mail_settings s;
    err = settings(ctx, &s);
    if (err)
        return err;
    const char *uaddr = m.recs[4] ? rec_text(ctx->a, &user, "email") : NULL;
    if (s.per_user_from && uaddr && mail_addr_valid(uaddr, strlen(uaddr))) {
        d->from_address = uaddr;
        d->from_name = rec_text(ctx->a, &user, "display_name");
    } else {
        d->from_address = s.from_address;
        d->from_name = s.from_name;
    }
    return RP_OK;
}

/* ---- hooks ---- */

/* A message read from a mailbox, written by the system as it came (fetch.c), with
 * status "received": nothing of it is composed, and it is not sent. */
static bool inbound(const struct rec_ctx *ctx, const struct rec *r)
{
    return ctx->system && rec_is(r, "status", "received");
}

/* The record a message is related to (related_type, related_id): both or neither, and
 * one the caller may read. */
static enum rp_err check_related(struct rec_ctx *ctx, const struct rec *r)
{
    const struct rec_value *rt = rec_field(r, "related_type"), *rid = rec_field(r, "related_id");
    if (rt->null != rid->null)
        return rec_field_error(ctx, rt->null ? "related_type" : "related_id",
                               "related_type and related_id go together");
    if (rt->null)
        return RP_OK;
    const struct entity_def *re = meta_entity((struct rp_str){rt->s, rt->len});
    struct rec target;
    enum rp_err err = rec_get(ctx, re, (struct rp_str){rid->s, rid->len}, &target);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, "related_id", "no %s with this id", rec_label(ctx, re));
    return err;
}

enum rp_err mail__validate_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (old || inbound(ctx, r))
        return RP_OK; /* a message is written once; sending changes only its delivery */
    enum rp_err err = check_related(ctx, r);
    if (err)
        return err;
    struct arena *a = ctx->a;
    struct mail_draft d = {
        .to = rec_text(a, r, "to_addresses"), .cc = rec_text(a, r, "cc_addresses"),
        .subject = rec_text(a, r, "subject"), .body_text = rec_text(a, r, "body_text"),
        .body_html = rec_text(a, r, "body_html"), .template_id = rec_text(a, r, "template_id"),
        .contact_id = rec_text(a, r, "contact_id"), .lead_id = rec_text(a, r, "lead_id"),
        .account_id = rec_text(a, r, "account_id"), .deal_id = rec_text(a, r, "deal_id"),
    };
    err = mail_compose(ctx, &d);
    if (err)
        return err;
    rec_set_text(r, "to_addresses", d.to);
    rec_set_text(r, "subject", d.subject);
    rec_set_text(r, "body_text", d.body_text && d.body_text[0] ? d.body_text : NULL);
    rec_set_text(r, "body_html", d.body_html && d.body_html[0] ? d.body_html : NULL);
    rec_set_text(r, "contact_id", d.contact_id);
    rec_set_text(r, "account_id", d.account_id);
    rec_set_text(r, "from_address", d.from_address);
    rec_set_text(r, "from_name", d.from_name);
    return RP_OK;
}

enum rp_err mail__before_save_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (old)
        return RP_OK;
    if (inbound(ctx, r))
        return RP_OK;
    char id[RP_ID_LEN + 1], now[32];
    enum rp_err err = ids_uuid7(id);
    if (err)
        return err;
    const char *from = rec_text(ctx->a, r, "from_address");
    const char *at = from ? strchr(from, '@') : NULL;
    const char *mid = arena_printf(ctx->a, "<%s@%s>", id, at ? at + 1 : "rapport.invalid");
    rec_set_text(r, "message_id", mid);
    /* A message written here starts its conversation, unless the system wrote it as
     * an answer (in_reply_to) in one. */
    if (rec_field(r, "thread_id")->null)
        rec_set_text(r, "thread_id", mid);
    rec_set_text(r, "status", "queued");
    rec_set_text(r, "direction", "outbound");
    text_format_datetime(text_now_ms(), now, sizeof(now));
    rec_set_text(r, "next_attempt_at", arena_strdup(ctx->a, now));
    /* Throttling counts by the first recipient's domain, lower case. */
    const char *to = rec_text(ctx->a, r, "to_addresses");
    struct mail_addr *list;
    size_t n = 0;
    if (to && !mail_parse_addrs(ctx->a, to, strlen(to), MAIL_MAX_RECIPIENTS, &list, &n) && n) {
        char *dom = arena_strdup(ctx->a, strchr(list[0].addr, '@') + 1);
        for (char *p = dom; *p; p++)
            *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
        rec_set_text(r, "to_domain", dom);
    }
    return RP_OK;
}

enum rp_err mail__email_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (old || inbound(ctx, r))
        return RP_OK;
    /* A job sends up to MAIL_SEND_BATCH due messages: a mailing needs one per that
     * many (each message more would be a job that finds nothing left to send). */
    if (mailing.count && (mailing.count++ - 1) % MAIL_SEND_BATCH != 0)
        return RP_OK;
    /* Queued with the change that caused it; the runner is woken now and finds the job
     * once this transaction commits (or at its next look). */
    enum rp_err err = jobs_queue(ctx, "mail.send", r->id);
    if (!err)
        jobs_kick();
    return err;
}

/* The delivery log of a message, live or in the recycle bin (at most RP_MAX_PAGE
 * rows: a message is tried at most 50 times). */
static enum rp_err deliveries(struct rec_ctx *ctx, const char *email_id, bool deleted,
                              struct rec_page *page)
{
    const struct entity_def *e = meta_need("email_deliveries");
    struct rec_param p[] = {{RP_STR("email_id"), rp_str_c(email_id)},
                            {RP_STR("limit"), RP_STR("500")},
                            {RP_STR("deleted"), RP_STR("only")}};
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, deleted ? 3 : 2, &q);
    return err ? err : rec_list(ctx, e, q, page);
}

/* A message's delivery log goes to the recycle bin with it and comes back with it, so
 * that purging the message purges its log too. */
enum rp_err mail__email_deleted(struct rec_ctx *ctx, const struct rec *r)
{
    const char *saved = rec_system_begin(ctx, "the delivery log follows its message");
    struct rec_page page;
    enum rp_err err = deliveries(ctx, r->id, false, &page);
    for (size_t i = 0; !err && i < page.nrows; i++)
        err = rec_delete(ctx, meta_need("email_deliveries"), rp_str_c(page.rows[i].id), -1);
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err mail__email_restored(struct rec_ctx *ctx, struct rec *r)
{
    const char *saved = rec_system_begin(ctx, "the delivery log follows its message");
    struct rec_page page;
    struct rec back;
    enum rp_err err = deliveries(ctx, r->id, true, &page);
    for (size_t i = 0; !err && i < page.nrows; i++)
        err = rec_restore(ctx, meta_need("email_deliveries"), rp_str_c(page.rows[i].id), &back);
    rec_system_end(ctx, saved);
    return err;
}

static void check_template_text(struct rec_ctx *ctx, const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    struct rp_str bad;
    if (!v->null && mail_template_check(v->s, v->len, mail__merge_known, NULL, &bad))
        rec_field_error(ctx, field, "has an unknown or malformed merge field %.*s", (int)bad.len,
                        bad.p);
}

enum rp_err mail__validate_template(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *s = rec_field(r, "subject");
    if (!s->null && !mail_header_safe(s->s, s->len))
        rec_field_error(ctx, "subject", "must not hold line breaks or control characters");
    check_template_text(ctx, r, "subject");
    check_template_text(ctx, r, "body_text");
    check_template_text(ctx, r, "body_html");
    const struct rec_value *t = rec_field(r, "body_text"), *h = rec_field(r, "body_html");
    if ((t->null || !t->len) && (h->null || !h->len))
        rec_field_error(ctx, "body_text", "give a text or HTML body");
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}
