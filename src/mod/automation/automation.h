/* Automation (issue 22): webhooks — every change of a subscribed entity posted, signed,
 * to another system — through a guarded outgoing HTTP client that never calls the
 * machine itself or a private network unless the administrator allows it.
 *
 * A change writes its deliveries (`webhook_deliveries`, a log) in its own transaction,
 * so a delivery exists exactly when the change was committed; the job queue then posts
 * them, one subscription's deliveries in order, one at a time, retrying a failed one
 * with exponential backoff before any later one goes; after the last attempt the
 * subscription pauses and the administrators are told. */
#ifndef RP_MOD_AUTOMATION_H
#define RP_MOD_AUTOMATION_H

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "engine/module.h"

struct api_call;

/* What a receiver answered, kept in the delivery log: its first bytes. */
#define AU_MAX_ANSWER 500u
/* A delivery's request may take this long (connect included). */
#define AU_TIMEOUT_S 10
/* A subscription's deliveries are one job's for this long (renewed each batch): a
 * server that stopped mid-way leaves them to another after that. */
#define AU_LEASE_MS (2 * 60 * 1000)
/* Deliveries read and posted per batch, their outcomes committed together. */
#define AU_BATCH 200u
/* The longest wait between two attempts of one delivery. */
#define AU_MAX_BACKOFF_MS (6 * 3600 * 1000)
/* The events a subscription may ask for; "test" is the administrator's "send test". */
#define AU_EVENTS "created", "updated", "deleted", "restored"

/* ---- the guarded outgoing client (outbound.c) ---- */

struct au_request {
    const char *method;          /* "POST", "GET" */
    const char *url;
    const char *allow;           /* the administrator's allow-list (core/netaddr.h) */
    struct curl_slist *headers;  /* borrowed */
    const char *body;
    size_t body_len;
    long timeout_s;
    size_t max_answer;           /* bytes of the answer's body kept */
};

struct au_answer {
    long status;                 /* HTTP status; 0 when none came */
    const char *body;            /* the first max_answer bytes, NUL-terminated */
    size_t len;
    /* Why there is no answer (refused address, time-out, connection refused …), in
     * English; NULL when one came. */
    const char *error;
    bool refused;                /* the guard refused the URL: retrying cannot help */
    int64_t ms;                  /* how long it took */
};

/* Whether url may be called: http or https, a host whose every address is public or
 * allowed. Resolves the host (the C library's resolver, which also reads numeric
 * shorthands like "127.1"). *why (arena text) says why not; *resolve is the
 * "host:port:addr,…" pin for CURLOPT_RESOLVE (NULL for a literal address). */
bool au_url_check(struct arena *a, const char *url, const char *allow, const char **why,
                  const char **resolve);
/* Makes one request with h (reset first; kept open between calls to reuse its
 * connection) to the addresses au_url_check approved, without following redirects and
 * without any proxy; a connection to any other address is refused at the socket.
 * Never fails: what went wrong is in out. */
void au_call(CURL *h, struct arena *a, const struct au_request *rq, struct au_answer *out);
/* This thread's easy handle for au_call (kept until the thread ends); NULL when
 * libcurl could not make one. */
CURL *au_handle(void);

/* ---- settings (settings.c) ---- */

struct au_settings {
    const char *allow;           /* allow-list; NULL: none */
    int64_t retry_base_s;        /* first wait after a failed attempt; doubles */
    int64_t max_attempts;        /* a delivery's attempts before it fails for good */
};
enum rp_err au_settings_get(struct rec_ctx *ctx, struct au_settings *out);
unsigned au__get_settings(struct api_call *c);
unsigned au__patch_settings(struct api_call *c);

/* ---- webhooks (webhooks.c) ---- */

extern const struct entity_def au__webhooks;
extern const struct entity_def au__deliveries;

enum rp_err au__validate_webhook(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err au__before_save_webhook(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* The hooks on every entity: a change's deliveries. */
enum rp_err au__any_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err au__any_deleted(struct rec_ctx *ctx, const struct rec *r);
enum rp_err au__any_restored(struct rec_ctx *ctx, struct rec *r);
/* A delivery's body: head's members (an object, taken over), then "record": r as the
 * API shows it (arena text). */
enum rp_err au__envelope(struct rec_ctx *ctx, json_t *head, const struct rec *r, const char **out);
/* The signature header's value for body at unix time t: "t=<t>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" under secret>" (arena). */
const char *au_signature(struct arena *a, const char *secret, int64_t t, const char *body,
                         size_t len);

unsigned au__post_test(struct api_call *c);
unsigned au__post_resume(struct api_call *c);
unsigned au__post_rotate(struct api_call *c);
unsigned au__post_redeliver(struct api_call *c);

/* ---- delivery (deliver.c) ---- */

enum rp_err au__deliver_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                            const char **result);
enum rp_err au__sweep(struct rec_ctx *ctx);
/* Queues the delivery job of webhook id in the caller's transaction, unless one is
 * queued and has not started. */
enum rp_err au__wake(struct rec_ctx *ctx, const char *id);
/* Posts body to a webhook now (the "send test"), signed, with the event header. */
void au__post(struct rec_ctx *ctx, const struct au_settings *s, const struct rec *hook,
              const char *delivery_id, const char *event, const char *body, size_t len,
              struct au_answer *out);

/* ---- workflow rules (workflows.c: definitions; rules.c: running them) ---- */

/* Actions one rule takes at most. */
#define AU_MAX_ACTIONS 10u
/* Condition groups (lines) of one rule at most, and filters per group. */
#define AU_MAX_GROUPS 10u
#define AU_MAX_FILTERS 20u
/* Rules whose actions change records fire rules in turn; a chain stops at this depth,
 * with a run logged as "depth_limit". */
#define AU_MAX_DEPTH 3
/* Records a time-based rule looks at per sweep at most (the rest: next sweep). */
#define AU_TIMED_BATCH 500u

extern const struct entity_def au__workflows;
extern const struct entity_def au__runs;

/* Whether e is one of this module's entities (they fire no webhooks nor rules). */
bool au__own_entity(const struct entity_def *e);
enum rp_err au__validate_workflow(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err au__before_save_workflow(struct rec_ctx *ctx, struct rec *r, const struct rec *old);

/* Filters on the record a reference of the rule's entity points to ("account.industry=
 * software": the deal's account). */
struct au_ref {
    const struct field_def *f;       /* the reference: account_id */
    const struct entity_def *e;      /* what it refers to: accounts */
    struct rec_param *p;
    size_t n;
};
/* Different references one line filters on at most. */
#define AU_MAX_REFS 4u
/* One line of a rule's conditions: list filters, all of which must hold — on the record
 * itself, and on the records its references point to. */
struct au_group {
    struct rec_param *p;
    size_t n;
    struct au_ref refs[AU_MAX_REFS];
    size_t nrefs;
};
/* Reads a rule's conditions (one group per line, `field[op]=value` joined by '&', a
 * reference's record's field as `ref.field[op]=value`) and checks each group as lists of
 * e and of the referenced entities would; RP_EINVAL with a field error on
 * "conditions". */
enum rp_err au__conditions_parse(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *text, struct au_group **out, size_t *n);
/* The rules of r's entity for a change: event is created, updated, deleted or
 * restored (old: the record before an update). In the change's transaction. */
enum rp_err au__rules_fire(struct rec_ctx *ctx, const char *event, const struct rec *r,
                           const struct rec *old);
/* The job running a rule run's queued actions. */
enum rp_err au__act_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                        const char **result);
/* The schedule of time-based rules. */
enum rp_err au__timed(struct rec_ctx *ctx);
/* POST /workflows/{id}/try: a dry run on a chosen record. */
unsigned au__post_try(struct api_call *c);

/* ---- the module's own statements (sql.c) ---- */

struct au_hook {
    const char *id;
    const char *events;          /* JSON array text */
};
/* The live, active subscriptions to entity (at most n of them). */
enum rp_err au__sql_hooks_of(struct rec_ctx *ctx, const char *entity, struct au_hook **out,
                             size_t *n);
/* Sets webhook id's wake flag; *was_set true when it already was. */
enum rp_err au__sql_wake(struct rec_ctx *ctx, const char *id, bool *was_set);
/* Takes webhook id's deliveries for worker until now_ms + AU_LEASE_MS, clearing its
 * wake flag; *claimed false when it is paused, inactive, gone or another's. */
enum rp_err au__sql_claim(struct rec_ctx *ctx, const char *id, const char *worker,
                          int64_t now_ms, bool *claimed);
/* Clears webhook id's wake flag (its job found it not to be taken). */
enum rp_err au__sql_unwake(struct rec_ctx *ctx, const char *id);
enum rp_err au__sql_release(struct rec_ctx *ctx, const char *id, const char *worker);
/* Wakes webhook id (au__wake) when its first pending delivery is due at now_ms. */
enum rp_err au__sql_wake_if_due(struct rec_ctx *ctx, const char *id, int64_t now_ms);

struct au_pending {
    const char *id;
    const char *event;
    const char *payload;
    int64_t attempts;
    int64_t next_ms;             /* 0: due now */
};
/* A webhook's pending deliveries in order (oldest change first), at most max. */
enum rp_err au__sql_pending(struct rec_ctx *ctx, const char *webhook_id, size_t max,
                            struct au_pending **out, size_t *n);
/* Records one attempt of a delivery: status "delivered", "pending" (retry at next_ms)
 * or "failed". */
enum rp_err au__sql_attempt(struct rec_ctx *ctx, const char *id, const char *status,
                            int64_t attempts, long code, const char *answer, int64_t ms,
                            int64_t next_ms, int64_t now_ms);
/* The subscription's tally after attempts: last code, consecutive failures (0 after a
 * success), paused with a reason when `pause` is set. */
enum rp_err au__sql_tally(struct rec_ctx *ctx, const char *id, long code, bool failed,
                          const char *pause, int64_t now_ms);
/* Active subscriptions with a delivery due and nobody holding them. */
enum rp_err au__sql_due_hooks(struct rec_ctx *ctx, int64_t now_ms, size_t max, const char ***ids,
                              size_t *n);
/* Gives webhook id a new signing secret (a new version, no audit row). */
enum rp_err au__sql_secret(struct rec_ctx *ctx, const char *id, const char *secret, int64_t now_ms);
/* Resumes a paused subscription (clears its failures). */
enum rp_err au__sql_resume(struct rec_ctx *ctx, const char *id);
/* Makes a failed delivery pending again, due now. */
enum rp_err au__sql_redeliver(struct rec_ctx *ctx, const char *id, bool *changed);
/* Deletes delivered and failed deliveries older than before_ms for good. */
enum rp_err au__sql_prune(struct rec_ctx *ctx, int64_t before_ms, int64_t *n);

/* A rule as the runtime reads it (sql.c). */
struct au_rule {
    const char *id, *name, *entity, *trigger, *trigger_field, *trigger_value;
    const char *conditions, *actions;
    int64_t offset_amount;
    const char *offset_unit, *offset_direction;
    const char *swept_to;
    int64_t rr_next;
};
/* The live, active rules of entity (timed: the time-based rules of every entity
 * instead), in order of creation. */
enum rp_err au__sql_rules_of(struct rec_ctx *ctx, const char *entity, bool timed,
                             struct au_rule **out, size_t *n);
/* One live rule by id; RP_ENOTFOUND when gone. */
enum rp_err au__sql_rule(struct rec_ctx *ctx, const char *id, struct au_rule *out);
/* Counts a run of rule id. */
enum rp_err au__sql_rule_ran(struct rec_ctx *ctx, const char *id, int64_t now_ms);
/* The member a round robin of rule id gives next. */
enum rp_err au__sql_rr_next(struct rec_ctx *ctx, const char *id, int64_t next);
/* How far the sweep of a time-based rule has looked. */
enum rp_err au__sql_swept(struct rec_ctx *ctx, const char *id, int64_t to_ms);
/* A run's outcome once its queued actions ran. */
enum rp_err au__sql_run_done(struct rec_ctx *ctx, const char *id, const char *status,
                             const char *detail);

/* ---- shared ---- */

const char *au__worker_name(struct arena *a);
/* The administrators' ids (active users of role admin), at most a few dozen. */
enum rp_err au__admins(struct rec_ctx *ctx, const char ***ids, size_t *n);

extern const struct msg_catalog au__messages;

#endif
