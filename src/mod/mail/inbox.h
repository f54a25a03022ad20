/* Incoming e-mail (issue 21, item 2): mailboxes — a user's own or a shared one — read
 * over IMAP through libcurl; each new message parsed (MIME) and, when it is from or to
 * a known contact or lead, written as an inbound `emails` record on their timelines,
 * threaded by Message-ID and References. Incremental by UIDVALIDITY and UID, once per
 * message across restarts and servers (its Message-ID is looked up before it is
 * written, and a mailbox is read by one server at a time), one message in memory at a
 * time. */
#ifndef RP_MOD_MAIL_INBOX_H
#define RP_MOD_MAIL_INBOX_H

#include "mod/mail/mail.h"

/* A message larger than this is logged from its header alone (with a note that its
 * body was not read): a mailbox of any size is read in bounded memory. */
#define MAIL_MAX_FETCH (25u * 1024u * 1024u)
/* Parts of one message looked at, and how deep multiparts may nest. */
#define MAIL_MAX_PARTS 200u
#define MAIL_MAX_DEPTH 12u
/* Attachments listed on a message (the rest are counted). */
#define MAIL_MAX_ATTACHMENTS 50u
/* A mailbox is read by one server: its claim, renewed with each batch written, lapses
 * this long after a server that stopped reading it. */
#define MAIL_FETCH_CLAIM_MS (10 * 60 * 1000)
/* Messages written per transaction while a mailbox is read: the mailbox's position
 * is saved with each batch, so a stop loses at most one batch's work. */
#define MAIL_FETCH_BATCH 50u

/* ---- the MIME parser (mime.c), pure ---- */

struct mail_attachment {
    const char *name;   /* UTF-8; "" when the part names none */
    const char *type;   /* "application/pdf" */
    size_t size;        /* decoded bytes */
};

struct mail_in {
    const char *message_id;   /* "<…>"; NULL: the message has none */
    const char *in_reply_to;  /* "<…>" or NULL */
    const char *thread_root;  /* the first of References, else In-Reply-To; NULL: none */
    const char *subject;      /* UTF-8, one line, at most 255 code points; "" when none */
    struct mail_addr from;    /* addr NULL: none readable */
    struct mail_addr *to, *cc;
    size_t nto, ncc;
    int64_t date_ms;          /* from the Date header; 0: none or unreadable */
    const char *text;         /* UTF-8 with LF line ends; NULL: no text part */
    const char *html;         /* the same for an HTML part */
    const char *calendar;     /* a text/calendar part (iTIP), UTF-8; NULL: none */
    struct mail_attachment *att;
    size_t natt;              /* listed */
    size_t natt_more;         /* past MAIL_MAX_ATTACHMENTS, counted only */
    bool truncated;           /* a body was longer than a record keeps */
    /* Sent by a machine, which an automatic answer must never answer (RFC 3834): an
     * auto-reply, a bounce, a list's or bulk mail, or a sender who asks for none. */
    bool automatic;
};

/* Parses an RFC 5322 message (MIME, RFC 2045–2047 and 2231) into arena memory,
 * leniently as mail clients do: unknown charsets and malformed parts are read as well
 * as they can be (invalid bytes become U+FFFD), never past len. RP_EINVAL when raw is
 * not a message at all (no header field before the body). */
enum rp_err mail_parse_message(struct arena *a, const char *raw, size_t len,
                               struct mail_in *out);
/* Decodes a header value's RFC 2047 encoded-words to UTF-8, control characters made
 * spaces. */
const char *mail_decode_header(struct arena *a, const char *value, size_t len);
/* An RFC 5322 date ("Sun, 6 Dec 2026 11:36:27 +0800", obsolete zones too) as UTC
 * milliseconds; RP_EINVAL when it is not one. */
enum rp_err mail_parse_date(const char *s, size_t len, int64_t *ms);

/* ---- inside the module ---- */

extern const struct entity_def mail__mailboxes;
enum rp_err mail__validate_mailbox(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err mail__mailbox_deleted(struct rec_ctx *ctx, const struct rec *r);
enum rp_err mail__mailbox_restored(struct rec_ctx *ctx, struct rec *r);
/* The mailbox's password, decrypted (*out NULL: none set, or no key to open it). */
enum rp_err mail__mailbox_password(struct rec_ctx *ctx, const char *id, const char **out);
struct api_call;
unsigned mail__put_mailbox_password(struct api_call *c);
unsigned mail__post_mailbox_fetch(struct api_call *c);
/* The job "mail.fetch" (payload: a mailbox id) and the schedule "mail.poll". */
enum rp_err mail__fetch_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                            const char **result);
enum rp_err mail__poll(struct rec_ctx *ctx);
/* This server, as claims name it ("host:pid"). */
const char *mail__worker_name(struct arena *a);

/* sql.c: claims mailbox id for worker when nobody holds it (*claimed); whether a
 * message with this Message-ID was written (live or deleted); the thread and deal of
 * the live message with this Message-ID (NULLs: none); the mailboxes to read now. */
enum rp_err mail__sql_claim_mailbox(struct rec_ctx *ctx, const char *id, const char *worker,
                                    int64_t now_ms, bool *claimed);
enum rp_err mail__sql_message_known(struct rec_ctx *ctx, const char *message_id, bool *known);
enum rp_err mail__sql_thread_of(struct rec_ctx *ctx, const char *message_id,
                                const char **thread_id, const char **deal_id);
enum rp_err mail__sql_due_mailboxes(struct rec_ctx *ctx, int64_t now_ms, size_t max,
                                    const char ***ids, size_t *n);

#endif
