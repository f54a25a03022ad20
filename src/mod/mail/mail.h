/* Outgoing e-mail (issue 21, item 1): the administrator's SMTP settings, with the
 * password encrypted at rest; templates with logic-less merge fields; messages written
 * as `emails` records — the outbox — in the transaction of the change that caused them,
 * then sent in the background through libcurl (at least once, retried with backoff,
 * throttled per recipient domain), each attempt in the delivery log.
 *
 * Other modules send mail without this header: they create an `emails` record through
 * the engine (rec_create on meta_need("emails"), in their own transaction); the hooks
 * here check it, fill it in from its template and linked records, and queue it. */
#ifndef RP_MOD_MAIL_H
#define RP_MOD_MAIL_H

#include "core/buf.h"
#include "engine/module.h"

/* An address list of a message holds at most this many addresses: a person's mail, not
 * a mailing (mass mail is a campaign's work). */
#define MAIL_MAX_RECIPIENTS 50u
/* A mailing written in one request (POST /mail/batch, one transaction) holds at most
 * this many messages: a JSON body holds at most RP_MAX_JSON_ELEMENTS values, and a
 * message takes two or more (its object and a comma), so a request of
 * {"contact_id": …} objects carries up to about 5,000; larger mailings take several. */
#define MAIL_MAX_BATCH 5000u
/* Its body: 5,000 messages of up to a few kilobytes each. */
#define MAIL_MAX_BATCH_BODY (16u * 1024u * 1024u)
/* The longest address (RFC 5321: 64 for the local part, 255 for the domain). */
#define MAIL_MAX_ADDRESS 320u
/* A whole message built for sending: two bodies of RP_MAX_TEXT code points (four bytes
 * each), grown by a third by their transfer encoding, and the headers. */
#define MAIL_MAX_MESSAGE (12u * RP_MAX_TEXT + 65536u)
/* An SMTP answer kept in the delivery log. */
#define MAIL_MAX_ANSWER 300u
/* Messages one mail.send job sends at most: its own and the oldest others due (send.c).
 * A mailing queues one job per this many messages (emails.c). */
#define MAIL_SEND_BATCH 50u
/* A claimed message is someone else's for this long (a send's time-outs are shorter):
 * a server that stopped mid-send leaves it to others after that. */
#define MAIL_CLAIM_MS (5 * 60 * 1000)

/* ---- the message builder (message.c), pure ---- */

struct mail_addr {
    const char *name;   /* display name, NULL: none */
    const char *addr;   /* local@domain */
};

struct mail_msg {
    struct mail_addr from;
    const struct mail_addr *to;
    size_t nto;
    const struct mail_addr *cc;
    size_t ncc;
    const char *subject;
    const char *text;        /* NULL: no plain-text part */
    const char *html;        /* NULL: no HTML part */
    /* An iCalendar object (calendar_part: an invitation) sent as a text/calendar part
     * with its METHOD as the part's method, an alternative to the text; NULL: none. */
    const char *calendar;
    const char *message_id;  /* "<…@domain>" */
    const char *in_reply_to; /* the message answered, "<…>"; NULL: none */
    bool automatic;          /* an automatic answer: Auto-Submitted: auto-replied */
    int64_t date_ms;
};

/* Whether s (len bytes of UTF-8) may be a header value: no CR, LF or other control
 * character (a tab is allowed). */
bool mail_header_safe(const char *s, size_t len);
/* Whether addr is one plain address local@domain, printable ASCII with none of the
 * characters that would change a header or an SMTP command. */
bool mail_addr_valid(const char *addr, size_t len);
/* Parses a comma-separated list of addresses, each "addr" or "Name <addr>" (arena
 * memory); RP_EINVAL for a malformed one, RP_ETOOBIG past max. */
enum rp_err mail_parse_addrs(struct arena *a, const char *list, size_t len, size_t max,
                             struct mail_addr **out, size_t *n);
/* The RFC 5322 date of ms ("Sun, 06 Dec 2026 11:36:27 +0000"); buf holds 40. */
void mail_date(int64_t ms, char *buf, size_t size);
/* Appends text as a header value: as is when it is printable ASCII, else as RFC 2047
 * encoded-words (UTF-8, base64) that never split a character, folded so that no line
 * passes 78 characters; `col` is the column the value starts at. */
enum rp_err mail_add_encoded(struct rp_buf *b, const char *text, size_t col);
/* Builds the message (headers, then a text part, an HTML part, or both — and the
 * calendar part, when there is one — as multipart/alternative; UTF-8 bodies as
 * quoted-printable, or base64 when mostly not ASCII), lines ending in CRLF. RP_EINVAL when a header value is unsafe (the caller
 * checks first), RP_ETOOBIG past the buffer's maximum. */
enum rp_err mail_build(struct rp_buf *out, const struct mail_msg *m);

/* ---- templates (template.c), pure ---- */

/* The value of merge field object.field ("contact", "first_name") for a message, or NULL
 * when it has none. */
typedef const char *(*mail_lookup_fn)(void *arg, struct rp_str object, struct rp_str field);
/* Whether a merge field exists. */
typedef bool (*mail_known_fn)(void *arg, struct rp_str object, struct rp_str field);

/* Renders a template text: each {{object.field}} or {{object.field|default}} becomes the
 * field's value, or the default when the value is missing or empty; in HTML (html
 * true) values and defaults are escaped. RP_EINVAL for a malformed tag (the caller
 * checked the template when it was saved). */
enum rp_err mail_render(struct rp_buf *out, const char *tpl, size_t len, bool html,
                        mail_lookup_fn lookup, void *arg);
/* Checks a template text: every tag well formed and known. RP_EINVAL with *bad the
 * offending tag (or the text from an unclosed "{{"). */
enum rp_err mail_template_check(const char *tpl, size_t len, mail_known_fn known, void *arg,
                                struct rp_str *bad);

/* ---- the secret key and the settings (secret.c, settings.c) ---- */

/* The key the SMTP password is encrypted under: RAPPORT_SECRET_KEY (64 hex digits or
 * base64 of 32 bytes), else the file RAPPORT_SECRET_KEY_FILE names, else
 * MAIL_DEFAULT_KEY_FILE when it exists. RP_ENOTFOUND without one, RP_EINVAL when the
 * one given is not 32 bytes. */
#define MAIL_DEFAULT_KEY_FILE "data/secret.key"
enum rp_err mail_secret_key(unsigned char key[32]);
/* Encrypts a secret (crypto_secretbox) as "v1:" and base64 of nonce and box. */
enum rp_err mail_seal(struct arena *a, const unsigned char key[32], const char *plain,
                      const char **out);
/* Decrypts what mail_seal made; RP_EINVAL when it does not open under key. */
enum rp_err mail_open(struct arena *a, const unsigned char key[32], const char *sealed,
                      const char **out);

enum mail_security { MAIL_SEC_NONE, MAIL_SEC_STARTTLS, MAIL_SEC_TLS };

struct mail_settings {
    const char *host;          /* NULL: not configured */
    int64_t port;
    enum mail_security security;
    const char *user;          /* NULL: no AUTH */
    const char *password;      /* decrypted; NULL: none, or no key to open it */
    bool has_password;
    const char *from_address;
    const char *from_name;
    bool per_user_from;        /* a user's own address is the From of their mail */
    int64_t domain_per_minute; /* messages to one domain per minute; 0: no limit */
    int64_t retry_base_s;      /* the first retry's delay, doubled each time */
    int64_t max_attempts;
    int64_t timeout_s;
};

/* The settings (defaults where unset), the password decrypted when a key opens it. */
enum rp_err mail_settings_get(struct rec_ctx *ctx, struct mail_settings *out);
/* Changes settings from inputs (administrators only, in the security log): unknown
 * keys and bad values are field errors and change nothing; a password without a
 * secret key is refused. */
enum rp_err mail_settings_update(struct rec_ctx *ctx, const struct rec_input *in, size_t n);

/* ---- composing and sending ---- */

/* A message being composed: what was given, filled in by mail_compose. */
struct mail_draft {
    const char *to, *cc, *subject, *body_text, *body_html;  /* NULL: not given */
    const char *template_id, *contact_id, *lead_id, *account_id, *deal_id;
    const char *from_address, *from_name;                    /* set by mail_compose */
};

/* Fills a draft: the customer records it links to (a deal's account and contact, a
 * contact's account), which the caller must be able to read; the recipient from the
 * contact or lead; subject and bodies from the template merged with those records and
 * the caller; the sender from the settings. Field errors (RP_EINVAL) for what is
 * missing or unsafe. */
enum rp_err mail_compose(struct rec_ctx *ctx, struct mail_draft *d);
/* Sends one message now through the configured server (the settings' test message);
 * *answer is the server's last reply. RP_EIO when it could not be sent. */
enum rp_err mail_send_now(struct rec_ctx *ctx, const struct mail_settings *s,
                          const struct mail_msg *m, const char **answer);

/* ---- inside the module ---- */


extern const struct entity_def mail__emails;
extern const struct entity_def mail__templates;
extern const struct entity_def mail__deliveries;
extern const struct rp_module mod_mail;
extern const struct msg_catalog mail__messages;

enum rp_err mail__validate_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err mail__before_save_email(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err mail__email_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err mail__email_deleted(struct rec_ctx *ctx, const struct rec *r);
enum rp_err mail__email_restored(struct rec_ctx *ctx, struct rec *r);
enum rp_err mail__validate_template(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* While a mailing is written on this thread (batch.c): one mail.send job per
 * MAIL_SEND_BATCH of its messages instead of one each. */
void mail__batch_begin(void);
void mail__batch_end(void);
/* The job kind "mail.send" (send.c) and the schedule that requeues lost messages. */
enum rp_err mail__send_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                           const char **result);
enum rp_err mail__sweep(struct rec_ctx *ctx);
/* Whether merge field object.field exists (a known object, and one of its entity's
 * fields that is not a password). */
bool mail__merge_known(void *arg, struct rp_str object, struct rp_str field);

/* routes.c */
struct api_call;
unsigned mail__get_settings(struct api_call *c);
unsigned mail__put_settings(struct api_call *c);
unsigned mail__post_test(struct api_call *c);
unsigned mail__post_preview(struct api_call *c);
/* batch.c */
unsigned mail__post_batch(struct api_call *c);

/* sql.c */

/* Claims message id for worker until until_ms when it is queued, due at now and not
 * claimed by another; *claimed says whether it was. */
enum rp_err mail__sql_claim(struct rec_ctx *ctx, const char *id, const char *worker,
                            int64_t now_ms, bool *claimed);
/* Messages sent to domain since since_ms. */
enum rp_err mail__sql_sent_to_domain(struct rec_ctx *ctx, const char *domain, int64_t since_ms,
                                     int64_t *n);
/* Ids of queued messages due before before_ms and not claimed at now_ms, at most max
 * (arena memory). */
enum rp_err mail__sql_overdue(struct rec_ctx *ctx, int64_t before_ms, int64_t now_ms, size_t max,
                              const char ***ids, size_t *n);

/* A notification waiting for its e-mail (engine/notify.h: email_state "pending"), with
 * what its message needs: the recipient's address and language, the actor's name. */
struct mail__pending {
    int64_t seq;
    const char *user_id, *kind, *entity, *record_id, *title, *due_at, *created_at;
    const char *actor_name;   /* NULL: the system */
    const char *email;        /* the recipient's; NULL: none */
    const char *locale;
    bool active;              /* the recipient is an active, live user */
};
/* The oldest pending notifications, at most max (arena memory). */
enum rp_err mail__sql_pending(struct rec_ctx *ctx, size_t max, struct mail__pending **out,
                              size_t *n);
/* Moves notification seq from pending to state, in the caller's transaction; *claimed
 * is false when another server did first (the claim that makes an e-mail once). */
enum rp_err mail__sql_notify_claim(struct rec_ctx *ctx, int64_t seq, const char *state,
                                   bool *claimed);

/* notify.c: the job kind NOTIFY_EMAIL_JOB and the schedule that picks up what a stopped
 * server left pending. */
enum rp_err mail__notify_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                             const char **result);
enum rp_err mail__notify_sweep(struct rec_ctx *ctx);

#endif
