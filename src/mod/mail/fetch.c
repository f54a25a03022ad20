/* Reading a mailbox (the job "mail.fetch"; the schedule "mail.poll" queues one for each
 * mailbox due): claimed by one server, its folder examined, and the messages past the
 * last UID read fetched one at a time, parsed, and — when they are from or to a known
 * contact or lead, or the mailbox logs every message — written as received e-mails on
 * their timelines, a batch per transaction with the mailbox's position. A changed UIDVALIDITY starts the folder
 * again; the Message-ID keeps every message written once. */
#include "core/common.h"

#include <ctype.h>
#include <sodium.h>
#include <strings.h>

#include "core/log.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "mod/mail/imap.h"

/* UIDs looked at per FETCH of flags and sizes: libcurl (7.88) counts the lines of a
 * custom command's answer against its 300 KB limit of response headers far faster than
 * their size (500 lines of 46 bytes count as 333 KB), so a range stays small. */
#define RANGE 100u
/* Parsed messages of one batch kept in memory at most (their text). */
#define BATCH_BYTES (8u * 1024u * 1024u)
/* Addresses of one message looked up as customers at most. */
#define MAX_LOOKUPS 20u
/* Mailboxes the poll queues per turn at most: the rest wait for the next. */
#define POLL_MAX 200u
/* A reading's time-out for a stalled server, seconds. */
#define TIMEOUT_S 60

struct mailbox {
    const struct rec *r;
    const char *id, *owner_id, *own_addr, *owner_addr;
    bool shared, log_all;
};

struct fetched {
    struct mail_in m;
    const char *message_id;
    bool header_only;
};

struct reading {
    struct rec_ctx *ctx;
    struct mailbox mb;
    struct imap imap;
    uint32_t uidvalidity;
    uint32_t last_uid;           /* read and written up to here */
    int64_t logged;              /* written by this reading */
    uint32_t *unseen;            /* fetched here that were not \Seen before */
    size_t nunseen, capunseen;
};

static bool same_addr(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

/* ---- which customers a message is about ---- */

/* The first live record of entity whose `email` is addr (as written, or lower case). */
static enum rp_err find_by_email(struct rec_ctx *ctx, const char *entity, const char *addr,
                                 struct rec *out, bool *found)
{
    const struct entity_def *e = meta_need(entity);
    *found = false;
    char *low = arena_strdup(ctx->a, addr);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (int pass = 0; pass < 2 && !*found; pass++) {
        if (pass == 1 && !strcmp(low, addr))
            break;
        struct rec_param p[] = {{RP_STR("email"), rp_str_c(pass ? low : addr)},
                                {RP_STR("limit"), RP_STR("1")}};
        struct rec_query *q;
        struct rec_page page;
        enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, e, q, &page);
        if (err)
            return err;
        if (page.nrows) {
            *out = page.rows[0];
            *found = true;
        }
    }
    return RP_OK;
}

/* Whether addr is the mailbox's own (its user name, or its owner's address). */
static bool own(const struct mailbox *mb, const char *addr)
{
    return same_addr(addr, mb->own_addr) || same_addr(addr, mb->owner_addr);
}

/* The contact (or, without one, the lead) the message is from or to. */
static enum rp_err match(struct rec_ctx *ctx, const struct mailbox *mb, const struct mail_in *m,
                         struct rec *contact, bool *has_contact, struct rec *lead, bool *has_lead)
{
    const struct mail_addr *list[1 + 2 * 100];
    size_t n = 0;
    if (m->from.addr)
        list[n++] = &m->from;
    for (size_t i = 0; i < m->nto && n < RP_NELEM(list); i++)
        list[n++] = &m->to[i];
    for (size_t i = 0; i < m->ncc && n < RP_NELEM(list); i++)
        list[n++] = &m->cc[i];
    *has_contact = *has_lead = false;
    size_t looked = 0;
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < n && !err && !*has_contact && looked < MAX_LOOKUPS; i++) {
        if (own(mb, list[i]->addr))
            continue;
        looked++;
        err = find_by_email(ctx, "contacts", list[i]->addr, contact, has_contact);
        if (!err && !*has_contact && !*has_lead)
            err = find_by_email(ctx, "leads", list[i]->addr, lead, has_lead);
    }
    if (*has_contact)
        *has_lead = false;
    return err;
}

/* ---- writing one message ---- */

/* "Name <addr>, …" of a parsed list, at most max bytes (whole addresses). */
static const char *addr_text(struct arena *a, const struct mail_addr *list, size_t n, size_t max)
{
    struct rp_buf b;
    buf_init(&b, max);
    for (size_t i = 0; i < n; i++) {
        size_t at = b.len;
        enum rp_err err = buf_adds(&b, i ? ", " : "");
        /* The name goes in quotes, without the characters that would end them. */
        if (!err && list[i].name && list[i].name[0]) {
            err = buf_addc(&b, '"');
            for (const char *p = list[i].name; !err && *p; p++)
                if (*p != '"' && *p != '\\')
                    err = buf_addc(&b, *p);
            if (!err)
                err = buf_adds(&b, "\" ");
        }
        if (!err)
            err = buf_printf(&b, "<%s>", list[i].addr);
        if (err) {
            b.len = at;
            break;
        }
    }
    const char *s = b.len ? arena_strndup(a, b.p, b.len) : NULL;
    buf_release(&b);
    return s;
}

/* The attachment list: "name (type, N B)" a line, "… +N" for those past the limit. */
static const char *attachment_text(struct arena *a, const struct mail_in *m)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT);
    for (size_t i = 0; i < m->natt; i++)
        if (buf_printf(&b, "%s%s (%s, %zu B)", i ? "\n" : "",
                       m->att[i].name[0] ? m->att[i].name : "-", m->att[i].type, m->att[i].size))
            break;
    if (m->natt_more)
        buf_printf(&b, "\n… +%zu", m->natt_more);
    const char *s = b.len ? arena_strndup(a, b.p, b.len) : NULL;
    buf_release(&b);
    return s;
}

/* Writes a fetched message when it is new and about a customer, or the mailbox logs
 * every message (*logged). */
static enum rp_err log_message(struct reading *rd, const struct fetched *f, bool *logged)
{
    struct rec_ctx *ctx = rd->ctx;
    const struct mail_in *m = &f->m;
    *logged = false;
    bool known;
    enum rp_err err = mail__sql_message_known(ctx, f->message_id, &known);
    if (err || known)
        return err;
    struct rec contact, lead;
    bool has_contact, has_lead;
    err = match(ctx, &rd->mb, m, &contact, &has_contact, &lead, &has_lead);
    if (err || (!has_contact && !has_lead && !rd->mb.log_all))
        return err;
    const char *thread = NULL, *deal = NULL;
    if (m->in_reply_to)
        err = mail__sql_thread_of(ctx, m->in_reply_to, &thread, &deal);
    if (!err && !thread && m->thread_root &&
        (!m->in_reply_to || strcmp(m->thread_root, m->in_reply_to)))
        err = mail__sql_thread_of(ctx, m->thread_root, &thread, &deal);
    if (err)
        return err;
    if (!thread)
        thread = m->thread_root ? m->thread_root : f->message_id;
    const struct rec *who = has_contact ? &contact : has_lead ? &lead : NULL;
    const char *owner = rd->mb.shared && who ? who->owner_id : rd->mb.owner_id;
    bool outgoing = m->from.addr && own(&rd->mb, m->from.addr);
    struct arena *a = ctx->a;
    struct rec_input in[] = {
        rec_in_text("direction", outgoing ? "outbound" : "inbound"),
        rec_in_text("status", "received"),
        rec_in_opt("subject", m->subject[0] ? m->subject : NULL),
        rec_in_opt("from_address", m->from.addr),
        rec_in_opt("from_name", m->from.name && m->from.name[0] ? m->from.name : NULL),
        rec_in_opt("to_addresses", addr_text(a, m->to, m->nto, 2000)),
        rec_in_opt("cc_addresses", addr_text(a, m->cc, m->ncc, 2000)),
        rec_in_opt("body_text", m->text),
        rec_in_opt("body_html", m->html),
        rec_in_opt("calendar_part", m->calendar),
        rec_in_opt("attachments", attachment_text(a, m)),
        {.field = RP_STR("cut_short"), .kind = IN_BOOL, .b = f->header_only || m->truncated},
        {.field = RP_STR("automatic"), .kind = IN_BOOL, .b = m->automatic},
        rec_in_text("message_id", f->message_id),
        rec_in_opt("in_reply_to", m->in_reply_to),
        rec_in_text("thread_id", thread),
        rec_in_text("sent_at", rec_datetime(a, m->date_ms ? m->date_ms : text_now_ms())),
        rec_in_opt("contact_id", has_contact ? contact.id : NULL),
        rec_in_opt("lead_id", has_lead ? lead.id : NULL),
        rec_in_opt("account_id", has_contact ? rec_text(a, &contact, "account_id") : NULL),
        rec_in_opt("deal_id", deal),
        rec_in_text("mailbox_id", rd->mb.id),
        rec_in_opt("owner_id", owner),
    };
    struct rec saved;
    err = rec_create(ctx, meta_need("emails"), in, RP_NELEM(in), &saved);
    *logged = !err;
    return err;
}

static void arena_again(struct arena *a)
{
    arena_release(a);
    arena_init(a);
}

/* Writes messages and the mailbox's new position in one transaction, the engine's work
 * in an arena of its own (a mailbox of any size is read in bounded memory). RP_EINVAL:
 * the engine refused a message, and nothing was written. */
static enum rp_err write_tx(struct reading *rd, const struct fetched *batch, size_t n,
                            uint32_t upto)
{
    struct rec_ctx *ctx = rd->ctx;
    struct arena scratch, *saved_arena = ctx->a;
    arena_init(&scratch);
    ctx->a = &scratch;
    int64_t logged = 0;
    enum rp_err err = rec_tx_begin(ctx);
    for (size_t i = 0; !err && i < n; i++) {
        bool one;
        err = log_message(rd, &batch[i], &one);
        logged += one;
    }
    if (!err) {
        struct rec_input in[] = {
            rec_in_int(ctx->a, "uidvalidity", rd->uidvalidity),
            rec_in_int(ctx->a, "last_uid", upto),
            rec_in_int(ctx->a, "messages_logged",
                   rec_field(rd->mb.r, "messages_logged")->i + rd->logged + logged),
            /* The claim goes on while the reading does: a long one is not taken over. */
            rec_in_opt("claimed_until", rec_datetime(ctx->a, text_now_ms() + MAIL_FETCH_CLAIM_MS)),
        };
        struct rec saved;
        err = rec_update(ctx, meta_need("mailboxes"), rp_str_c(rd->mb.id), in, RP_NELEM(in), -1,
                         &saved);
    }
    err = rec_tx_end(ctx, err);
    if (err == RP_EINVAL && n == 1)
        log_write(LOG_WARN, "mail: message %s of mailbox %s not logged: %s",
                  batch[0].message_id, rd->mb.id,
                  ctx->nerrors ? ctx->errors[0].message : ctx->detail ? ctx->detail : "refused");
    /* The refusal's words lived in the scratch arena. */
    ctx->errors = NULL;
    ctx->nerrors = ctx->errcap = 0;
    ctx->detail = NULL;
    ctx->a = saved_arena;
    arena_release(&scratch);
    if (!err) {
        rd->last_uid = upto;
        rd->logged += logged;
    }
    return err;
}

/* Writes a batch and the mailbox's new position. A message the engine refuses (a link
 * to a record deleted meanwhile, a case another module's hook could not make) rolls its
 * batch back; then each message is written in a transaction of its own, and only the
 * refused one is left out — nothing it began (a case number) stays. */
static enum rp_err write_batch(struct reading *rd, const struct fetched *batch, size_t n,
                               uint32_t upto)
{
    enum rp_err err = write_tx(rd, batch, n, upto);
    for (size_t i = 0; err == RP_EINVAL && i < n; i++) {
        enum rp_err one = write_tx(rd, &batch[i], 1, rd->last_uid);
        if (one != RP_EINVAL && one)
            return one;
    }
    return err == RP_EINVAL ? write_tx(rd, NULL, 0, upto) : err;
}

/* ---- reading ---- */

/* An id for a message without a Message-ID: a hash of the message itself, so that the
 * same message gets the same id each time it is read. */
static const char *made_up_id(struct arena *a, const char *raw, size_t len)
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof(h), (const unsigned char *)raw, len, NULL, 0);
    text_hex(h, sizeof(h), hex);
    return arena_printf(a, "<%s@no-message-id.rapport.invalid>", hex);
}

static enum rp_err remember_unseen(struct reading *rd, uint32_t uid)
{
    if (rd->nunseen == rd->capunseen) {
        size_t cap = rd->capunseen ? 2 * rd->capunseen : 256;
        uint32_t *p = realloc(rd->unseen, cap * sizeof(*p));
        if (!p)
            return RP_ENOMEM;
        rd->unseen = p;
        rd->capunseen = cap;
    }
    rd->unseen[rd->nunseen++] = uid;
    return RP_OK;
}

/* Fetches and parses one message into f (arena a); *skip when it is not a message. */
static enum rp_err fetch_one(struct reading *rd, struct arena *a, const struct imap_item *it,
                             struct rp_buf *raw, struct fetched *f, bool *skip)
{
    *skip = false;
    f->header_only = it->size > MAIL_MAX_FETCH;
    enum rp_err err = imap_fetch(&rd->imap, rd->uidvalidity, it->uid, f->header_only, raw);
    if (err == RP_ETOOBIG && !f->header_only) {
        f->header_only = true; /* its size was not what the server said */
        err = imap_fetch(&rd->imap, rd->uidvalidity, it->uid, true, raw);
    }
    if (err)
        return err;
    if (!it->seen && (err = remember_unseen(rd, it->uid)))
        return err;
    if (mail_parse_message(a, raw->p ? raw->p : "", raw->len, &f->m)) {
        *skip = true;
        return RP_OK;
    }
    f->message_id = f->m.message_id ? f->m.message_id : made_up_id(a, raw->p, raw->len);
    return RP_OK;
}

/* Reads the messages past last_uid up to uidnext. */
static enum rp_err read_new(struct reading *rd, uint32_t uidnext, const atomic_bool *stop)
{
    struct fetched *batch = calloc(MAIL_FETCH_BATCH, sizeof(*batch));
    if (!batch)
        return RP_ENOMEM;
    struct arena ba, ra;
    arena_init(&ba);
    arena_init(&ra);
    struct rp_buf raw;
    buf_init(&raw, MAIL_MAX_FETCH);
    enum rp_err err = RP_OK;
    size_t nb = 0, bytes = 0;
    uint32_t upto = rd->last_uid;
    for (uint32_t from = rd->last_uid + 1; !err && from < uidnext && !atomic_load(stop);) {
        uint32_t to = uidnext - 1 - from < RANGE ? uidnext - 1 : from + RANGE - 1;
        struct imap_item *items;
        size_t n;
        arena_again(&ra);
        err = imap_range(&rd->imap, from, to, &ra, &items, &n);
        for (size_t i = 0; !err && i < n && !atomic_load(stop); i++) {
            bool skip;
            err = fetch_one(rd, &ba, &items[i], &raw, &batch[nb], &skip);
            if (err)
                break;
            upto = items[i].uid;
            if (!skip) {
                bytes += raw.len;
                nb++;
            }
            if (nb == MAIL_FETCH_BATCH || bytes >= BATCH_BYTES) {
                err = write_batch(rd, batch, nb, upto);
                arena_again(&ba);
                nb = bytes = 0;
            }
        }
        if (!err && !atomic_load(stop))
            upto = to; /* the range is read, the UIDs without messages too */
        if (!err && (nb || upto != rd->last_uid)) {
            err = write_batch(rd, batch, nb, upto);
            arena_again(&ba);
            nb = bytes = 0;
        }
        from = to + 1;
    }
    if (err == RP_EIO && nb)
        write_batch(rd, batch, nb, upto); /* what was read before the server failed */
    buf_release(&raw);
    arena_release(&ba);
    arena_release(&ra);
    free(batch);
    return err;
}

/* The mailbox's state at the end of a reading: when, and what failed (NULL: nothing);
 * the claim released. */
static enum rp_err finish(struct rec_ctx *ctx, const char *id, const char *fail,
                          const char *detail)
{
    struct rec_input in[] = {
        rec_in_opt("last_fetch_at", rec_datetime(ctx->a, text_now_ms())),
        rec_in_opt("last_error", fail),
        rec_in_opt("last_error_detail", detail && detail[0] ? detail : NULL),
        rec_in_opt("claimed_by", NULL),
        rec_in_opt("claimed_until", NULL),
    };
    struct rec saved;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_update(ctx, meta_need("mailboxes"), rp_str_c(id), in, RP_NELEM(in), -1, &saved);
    return rec_tx_end(ctx, err);
}

/* The owner's own address, read as the system. */
static const char *owner_address(struct rec_ctx *ctx, const char *owner_id)
{
    struct rec u;
    if (!owner_id || rec_get(ctx, meta_need("users"), rp_str_c(owner_id), &u))
        return NULL;
    return rec_text(ctx->a, &u, "email");
}

static enum rp_err read_mailbox(struct rec_ctx *ctx, const struct rec *r, const atomic_bool *stop,
                                const char **result)
{
    struct reading rd = {.ctx = ctx};
    rd.mb = (struct mailbox){
        .r = r, .id = r->id, .owner_id = r->owner_id,
        .own_addr = rec_text(ctx->a, r, "username"),
        .owner_addr = owner_address(ctx, r->owner_id),
        .shared = rec_field(r, "shared")->i != 0,
        .log_all = rec_field(r, "log_all")->i != 0,
    };
    const char *password;
    enum rp_err err = mail__mailbox_password(ctx, r->id, &password);
    if (err || !password) {
        enum rp_err e2 = finish(ctx, r->id, "no_password", NULL);
        return err ? err : e2;
    }
    struct imap_conf conf = {
        .host = rec_text(ctx->a, r, "host"),
        .port = rec_field(r, "port")->null ? 993 : rec_field(r, "port")->i,
        .security = MAIL_SEC_TLS,
        .user = rd.mb.own_addr,
        .password = password,
        .folder = rec_field(r, "folder")->null ? "INBOX" : rec_text(ctx->a, r, "folder"),
        .timeout_s = TIMEOUT_S,
    };
    const char *sec = rec_text(ctx->a, r, "security");
    if (sec && !strcmp(sec, "starttls"))
        conf.security = MAIL_SEC_STARTTLS;
    else if (sec && !strcmp(sec, "none"))
        conf.security = MAIL_SEC_NONE;
    if ((err = imap_open(&rd.imap, &conf)))
        return err;
    uint32_t uidnext = 0;
    err = imap_examine(&rd.imap, &rd.uidvalidity, &uidnext);
    if (!err) {
        const struct rec_value *v = rec_field(r, "uidvalidity"), *last = rec_field(r, "last_uid");
        /* A folder whose UIDVALIDITY changed is read again from its start. */
        rd.last_uid = !v->null && v->i == rd.uidvalidity && !last->null ? (uint32_t)last->i : 0;
        err = read_new(&rd, uidnext, stop);
    }
    enum imap_fail fail = err == RP_EIO ? rd.imap.fail : IMAP_OK;
    if (rd.nunseen && (!err || err == RP_EIO)) {
        /* Taken back even after a failure: what was fetched stays unread for its owner. */
        if (imap_unsee(&rd.imap, rd.unseen, rd.nunseen))
            log_write(LOG_WARN, "mail: mailbox %s: \\Seen not taken back: %s", r->id, rd.imap.err);
    }
    char detail[sizeof(rd.imap.err)];
    snprintf(detail, sizeof(detail), "%s", fail ? rd.imap.err : "");
    imap_close(&rd.imap);
    free(rd.unseen);
    if (err && err != RP_EIO)
        return err;
    *result = arena_printf(ctx->a, "{\"logged\":%lld,\"last_uid\":%u}", (long long)rd.logged,
                           rd.last_uid);
    return finish(ctx, r->id, mail__fail_name(fail), detail);
}

enum rp_err mail__fetch_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                            const char **result)
{
    const char *id = arena_strndup(ctx->a, payload.p, payload.len);
    bool claimed = false;
    enum rp_err err = mail__sql_claim_mailbox(ctx, id, mail__worker_name(ctx->a),
                                              text_now_ms(), &claimed);
    if (err || !claimed) {
        *result = claimed ? NULL : "{\"skipped\":\"read by another server\"}";
        return err;
    }
    struct rec r;
    err = rec_get(ctx, meta_need("mailboxes"), rp_str_c(id), &r);
    if (err == RP_ENOTFOUND)
        return RP_OK; /* deleted meanwhile */
    if (!err)
        err = read_mailbox(ctx, &r, stop, result);
    if (err)
        finish(ctx, id, "protocol", rp_err_name(err));
    return err;
}

enum rp_err mail__poll(struct rec_ctx *ctx)
{
    const char **ids;
    size_t n;
    enum rp_err err = mail__sql_due_mailboxes(ctx, text_now_ms(), POLL_MAX, &ids, &n);
    if (!err)
        err = rec_tx_begin(ctx);
    else
        return err;
    for (size_t i = 0; !err && i < n; i++)
        err = jobs_queue(ctx, "mail.fetch", ids[i]);
    err = rec_tx_end(ctx, err);
    if (!err && n)
        jobs_kick();
    return err;
}
