/* The generic record engine: create, read, update, delete/restore, list, search and
 * history for every entity, driven by model/ metadata. Every operation runs in one
 * store transaction with its audit rows, and checks permissions (crm/acl.h) once.
 *
 * Values cross the boundary to api/ in two shapes: `struct rec_input` (a decoded JSON
 * scalar or list, not yet validated) going in, and `struct rec` (typed, validated)
 * coming out. All memory comes from the context's arena. */
#ifndef RP_ENGINE_REC_H
#define RP_ENGINE_REC_H

#include "core/arena.h"
#include "core/ids.h"
#include "core/msg.h"
#include "engine/meta.h"
#include "store/db.h"

struct principal;
struct rec_ctx;

/* Permissions (engine/acl.h): the actions a role grants on an entity, and how far
 * (whose records: the caller's, their teams', their teams' and every team below
 * them, everyone's). */
enum acl_action { ACL_READ, ACL_CREATE, ACL_EDIT, ACL_DELETE, ACL_EXPORT, ACL_IMPORT };
#define ACL_NACTIONS 6
enum acl_scope { SCOPE_NONE, SCOPE_OWN, SCOPE_TEAM, SCOPE_TEAM_BELOW, SCOPE_ALL };
/* What a role does with one field of an entity. */
enum acl_field_rule { ACL_FIELD_OPEN, ACL_FIELD_READONLY, ACL_FIELD_HIDDEN };

/* ---- inputs ---- */

enum rec_in_kind {
    IN_NULL,
    IN_STRING,   /* s/len: UTF-8 text (already validated) */
    IN_NUMBER,   /* s/len: the number's text, e.g. "12", "-0.5" */
    IN_BOOL,     /* b */
    IN_LIST,     /* items/nitems: a JSON array of strings (s/len: its JSON text) */
    IN_JSON,     /* s/len: any other JSON object or array, serialised */
    IN_BAD,      /* a value that could not be decoded */
};

struct rec_input {
    struct rp_str field;
    enum rec_in_kind kind;
    const char *s;
    size_t len;
    bool b;
    const struct rp_str *items;
    size_t nitems;
};

/* ---- values and records ---- */

/* One stored value. Integers (int, money in minor units, percent, bool) use `i`;
 * everything else is text in its canonical stored form (dates "YYYY-MM-DD", times
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", lists as JSON arrays). */
struct rec_value {
    bool null;
    int64_t i;
    const char *s;
    size_t len;
};

struct rec {
    const struct entity_def *ent;
    int64_t seq;
    const char *id;
    const char *created_at;
    const char *updated_at;
    const char *created_by;
    const char *owner_id;
    const char *deleted_at;  /* NULL unless in the recycle bin */
    const char *deleted_by;  /* who moved it there; NULL when live, or when deleted by
                              * the system or before this was kept and unknown */
    int64_t version;
    struct rec_value *v;     /* ent->nfields values, in field order */
    /* Per field, the caller's rule (enum acl_field_rule) when their role hides some:
     * a hidden field's value is null and is never written out. NULL: none hidden. */
    const unsigned char *rules;
};

/* Hides from r what the caller's role hides (rec.rules). Every record the engine hands
 * out has passed here; a module that hands out a record it read otherwise (as the
 * system) calls it first. */
void rec_mask(const struct rec_ctx *ctx, struct rec *r);

/* Whether field i of r is hidden from whoever read it. */
static inline bool rec_hidden(const struct rec *r, size_t i)
{
    return r->rules && r->rules[i] == ACL_FIELD_HIDDEN;
}

/* ---- context and errors ---- */

/* Records that explain a failure, for its problem+json answer (api/): the look-alikes of
 * a 409 duplicate, the meetings a new one overlaps. An item is a record (written whole,
 * its members inline or under "record") and/or members of its own. */
#define REC_PROBLEM_TEXTS 4

struct rec_problem_item {
    const struct rec *rec;          /* NULL: the members below only */
    bool nest;                      /* the record under "record", not inline */
    int score;                      /* member "score" when >= 0 */
    const char *reasons[4];         /* member "reasons", a list of nreasons */
    size_t nreasons;
    const char *names[REC_PROBLEM_TEXTS]; /* text members: "id", "start_at" … */
    const char *texts[REC_PROBLEM_TEXTS];
    size_t ntexts;
};

struct rec_problem {
    const char *member;             /* the answer's member ("duplicates"); NULL: none */
    const struct rec_problem_item *items;
    size_t n;
};

struct rec_field_error {
    const char *field;
    const char *message;
};

/* A save whose after_save hooks are running (private to engine/write.c). */
struct rec_saving {
    const struct entity_def *e;
    const char *id;
    bool again;                 /* a hook changed the record again */
    struct rec_saving *up;
};

/* Per-request engine context. */
struct rec_ctx {
    struct store *store;
    struct store_conn *conn;
    struct arena *a;
    struct principal *who;        /* the caller; NULL: nobody, who may do nothing */
    /* read-only: the system work being done (rec_ctx_system, rec_system_begin), which
     * passes every permission check and may set read-only fields; audit rows still
     * name `who`. NULL for a caller's own request. */
    const char *system;
    /* Filled on RP_EINVAL: per-field errors (422) and/or a detail message (400). */
    struct rec_field_error *errors;
    size_t nerrors;
    size_t errcap;
    const char *detail;
    bool bad_request;             /* RP_EINVAL means 400 (malformed) rather than 422 */
    /* The language messages are written in (core/msg.h): the caller's Accept-Language
     * on a request, English for system work and the command line. */
    enum rp_lang lang;
    /* Options of the request. */
    bool allow_conflict;          /* save a meeting even if it overlaps another */
    bool allow_duplicate;         /* save a record even if it looks like another */
    /* Filled by rec_fail_with: the records that explain the failure. */
    struct rec_problem problem;
    /* Where the request came from, for the security log (NULL for system work). */
    const char *addr;
    const char *request_id;
    /* private: nesting depth of rec_tx_begin */
    int tx_depth;
    /* private: a notification was written in this transaction (engine/notify.h): its
     * commit wakes this server's notification watcher at once */
    bool notified;
    /* private: a notification e-mail job was queued in this transaction
     * (NOTIFY_EMAIL_JOB): one per transaction, and its commit wakes the job runner */
    bool emailed;
    /* private: a job was queued in this transaction (jobs_queue): its commit wakes the
     * job runner */
    bool jobs_queued;
    /* What makes this context's changes for its user (rec_via_begin): audit rows carry
     * it, so the history says "by rule X". NULL: the user. */
    const char *via;
    /* private: the saves whose after_save hooks are running, innermost first
     * (engine/write.c) */
    struct rec_saving *saving;
    /* private: one small entity's rows as read in this transaction (rec__memo_*) */
    const struct entity_def *memo_ent;
    struct rec_page *memo;
    /* private: the owner last found active in this transaction (an import's rows) */
    char owner_ok[RP_ID_LEN + 1];
};

/* A context acting for who (NULL: nobody, who may do nothing). */
void rec_ctx_init(struct rec_ctx *ctx, struct store *s, struct store_conn *c, struct arena *a,
                  struct principal *who);
/* A context for work the system does on its own — seed data, a scheduled task, a
 * command-line tool run by the operator — named by `why` (for logs): every permission
 * check passes and audit rows name no user. The one way to get this power without a
 * principal: a context without one is denied everything. */
void rec_ctx_system(struct rec_ctx *ctx, struct store *s, struct store_conn *c, struct arena *a,
                    const char *why);
/* Inside a caller's request, one step done by the system in the caller's name (audit
 * rows name them): a merge re-pointing records the caller cannot see, a conversion
 * marking its lead, the stages every deal may use. Returns what rec_system_end must be
 * given back. The caller's own permissions decide before such a step, never during. */
const char *rec_system_begin(struct rec_ctx *ctx, const char *why);
void rec_system_end(struct rec_ctx *ctx, const char *saved);
/* Changes made from here to rec_via_end are made for the user by `via` (a workflow
 * rule: "rule: Won deals"): audit rows name both. Returns what rec_via_end must be
 * given back; nests. */
const char *rec_via_begin(struct rec_ctx *ctx, const char *via);
void rec_via_end(struct rec_ctx *ctx, const char *saved);
/* The functions below format their message in ctx->lang: fmt, the English text, is
 * looked up in the catalogues first (core/msg.h), so the translation takes the same
 * arguments; an entity's or field's label among them is given in that language too
 * (rec_label, rec_labels, rec_field_label). */
/* Records a field error (message copied into the arena). Returns RP_EINVAL. */
enum rp_err rec_field_error(struct rec_ctx *ctx, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a 400-class problem with a detail. Returns RP_EINVAL. */
enum rp_err rec_bad_request(struct rec_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records a detail for a non-validation failure (403, 409…) and returns err. */
enum rp_err rec_fail(struct rec_ctx *ctx, enum rp_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the records that explain it (items borrowed from the arena), answered
 * as member `member` of the problem. */
enum rp_err rec_fail_with(struct rec_ctx *ctx, enum rp_err err, const char *member,
                          const struct rec_problem_item *items, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* A message formatted in ctx->lang (in ctx->a), for text the functions above do not
 * carry: an import's row errors, a job's outcome. */
char *rec_msgf(const struct rec_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An entity's label, singular or plural, and a field's label, in ctx->lang (the English
 * label when the Chinese one is missing: custom entities and fields may lack one). */
const char *rec_label(const struct rec_ctx *ctx, const struct entity_def *e);
const char *rec_labels(const struct rec_ctx *ctx, const struct entity_def *e);
const char *rec_field_label(const struct rec_ctx *ctx, const struct field_def *f);
/* The engine's own messages in Chinese (engine/msg_zh.c). */
extern const struct msg_catalog rec_messages;
/* Adds the engine's catalogue and every module's to core/msg.h's (before threads
 * start): messages are then written in the caller's language. */
void rec_messages_load(void);

/* ---- transactions ---- */

/* Opens a write transaction, or joins the one the caller already opened: domain
 * services (lead conversion, merge) run several engine operations as one unit. */
enum rp_err rec_tx_begin(struct rec_ctx *ctx);
/* Leaves the transaction: the outermost level commits when err is RP_OK and rolls back
 * otherwise. Returns err, or the commit's error. */
enum rp_err rec_tx_end(struct rec_ctx *ctx, enum rp_err err);

/* ---- operations ---- */

/* Creates a record. Inputs may include owner_id (defaults to the caller).
 * Errors: RP_EINVAL (field errors), RP_EFORBIDDEN, RP_ECONFLICT (unique field). */
enum rp_err rec_create(struct rec_ctx *ctx, const struct entity_def *e,
                       const struct rec_input *in, size_t n, struct rec *out);
/* Reads a live record the caller may read. RP_ENOTFOUND otherwise. */
enum rp_err rec_get(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                    struct rec *out);
/* Partial update. expect_version < 0 skips the check; a mismatch is RP_ESTALE. */
enum rp_err rec_update(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       const struct rec_input *in, size_t n, int64_t expect_version,
                       struct rec *out);
/* rec_get for a person looking at the record (GET /{res}/{id}): customer data opened
 * outside its owner's team is in the security log (engine/secev.h). */
enum rp_err rec_view(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                     struct rec *out);
/* Creates the live record of e (EF_EXTERNAL_ID) whose external_id is `external`, or
 * updates the one there is, with the inputs (which may not name another external_id):
 * *created says which. Sending the same inputs again changes nothing. Two callers
 * upserting one key at once make one record: the one whose create lost to the other's
 * updates it. RP_EINVAL for an empty or over-long key. */
enum rp_err rec_upsert_external(struct rec_ctx *ctx, const struct entity_def *e,
                                struct rp_str external, const struct rec_input *in, size_t n,
                                struct rec *out, bool *created);
/* Moves a record to the recycle bin. */
enum rp_err rec_delete(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       int64_t expect_version);
/* Brings a record back from the recycle bin. RP_ECONFLICT when a live record now holds
 * one of its unique values. */
enum rp_err rec_restore(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        struct rec *out);

/* Deletes for good a record in the recycle bin, with its full-text entry, shares,
 * duplicate keys and field history, in one transaction, and writes the security log's
 * record_purge event (who, entity, id, title). Administrators only (RP_EFORBIDDEN).
 * RP_ECONFLICT when the record is live, or while live records still refer to it
 * (their number in the detail); references from records in the recycle bin are
 * cleared with history rows. RP_ENOTFOUND when there is no such record. */
enum rp_err rec_purge(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id);

/* Longest age a purge of the recycle bin takes, in days (100 years). */
#define REC_MAX_PURGE_DAYS 36500

struct rec_purged {
    int64_t purged;   /* records deleted for good */
    int64_t kept;     /* records left because live records still refer to them */
    bool more;        /* the call stopped at RP_MAX_PURGE: call again for the rest */
};

/* Empties e's recycle bin of the records deleted more than older_than_days ago (0: all),
 * each as rec_purge does, the oldest first, at most RP_MAX_PURGE, in one transaction.
 * Administrators only (RP_EFORBIDDEN); a bad age is RP_EINVAL. */
enum rp_err rec_purge_bin(struct rec_ctx *ctx, const struct entity_def *e, int64_t older_than_days,
                          struct rec_purged *out);

/* A list request, parsed from query parameters by rec_query_parse. */
struct rec_query;

struct rec_page {
    struct rec *rows;
    size_t nrows;
    const char *next_cursor;  /* NULL on the last page */
    bool has_total;
    int64_t total;
    const char **sum_fields;  /* money/int fields summed, with their sums */
    int64_t *sums;
    size_t nsums;
    /* The sums of money fields with a currency (field_def.currency_field), per
     * currency: by field in sum_fields order, then by currency code ("" for none). */
    struct rec_currency_sum *currency_sums;
    size_t ncurrency_sums;
};

struct rec_currency_sum {
    const char *field;
    const char *currency;
    int64_t sum;
};

struct rec_param {
    struct rp_str key;
    struct rp_str value;
};

/* Parses list parameters (limit, cursor, sort, q, count, sum, deleted, filters).
 * Unknown fields or operators, bad values and bad cursors are RP_EINVAL with
 * ctx->bad_request set. */
enum rp_err rec_query_parse(struct rec_ctx *ctx, const struct entity_def *e,
                            const struct rec_param *params, size_t n, struct rec_query **out);
enum rp_err rec_list(struct rec_ctx *ctx, const struct entity_def *e, struct rec_query *q,
                     struct rec_page *out);
/* Narrows a parsed list to the records the caller may export (DESIGN §6: a scope of
 * its own, never wider than reading). */
void rec_query_for_export(struct rec_query *q);

struct rec_history_row {
    int64_t seq;
    const char *at;
    const char *user_id;
    const char *action;
    const char *field;
    const char *old_value;  /* API text form, or NULL */
    const char *new_value;
    const char *via;        /* what made the change for the user (a rule's name), or NULL */
};

/* Field-level history of a record the caller may read, newest first. */
enum rp_err rec_history(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        size_t limit, struct rec_history_row **rows, size_t *n);

/* Items one timeline page holds at most. */
#define REC_MAX_TIMELINE 200u

enum rec_timeline_kind { TL_ACTIVITY, TL_CHANGE, TL_CREATED };

struct rec_timeline_item {
    enum rec_timeline_kind kind;
    const char *at;
    const struct rec *record;              /* TL_ACTIVITY and TL_CREATED */
    const struct rec_history_row *change;  /* TL_CHANGE */
};

/* The timeline of a record of an entity with EF_TIMELINE, newest first: its field
 * changes (a create is one item), the records linked to it through a reference to a
 * record of any entity (TL_ACTIVITY: an activity about it) or, for an entity another
 * rolls up to, through that FF_ROLLUP reference instead (TL_ACTIVITY: an activity about
 * the account or its contacts, deals and converted leads), and the records created
 * with an FF_TIMELINE reference to it (TL_CREATED: an account's contacts and deals),
 * as far as the caller may read them. `before` (RFC 3339, may be empty) pages back;
 * *next is the value for the next page or NULL. RP_EINVAL (400) for other entities. */
enum rp_err rec_timeline(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                         struct rp_str before, size_t limit, struct rec_timeline_item **items,
                         size_t *n, const char **next);

/* A record found by a search or a phone lookup, with what tells a person which one it
 * is: its title, its owner, a key field and the field that matched. */
struct rec_hit {
    const struct entity_def *ent;
    const char *id;
    const char *title;       /* a person's full name for entities of people */
    const char *owner_id;
    const char *owner_name;  /* NULL when the caller may not read the owner */
    /* The first list column other than the title with a value (an account's type, a
     * contact's job title), or NULL. */
    const struct field_def *key_field;
    const char *key_value;
    /* The field whose value matched, and that value, or NULL. */
    const struct field_def *matched;
    const char *matched_value;
};

/* Search across every entity the caller may read, at most `per_entity` full-text hits
 * from each. A text that is a phone number (phone_parse, exact) finds the records whose
 * phone fields hold it first, however either was written (engine/phones.h). */
enum rp_err rec_search_all(struct rec_ctx *ctx, struct rp_str q, size_t per_entity,
                           struct rec_hit **hits, size_t *n);

/* Moves every record owned by from_user to to_user (all entities, the recycle bin
 * included, so a restored record never returns to a departed owner), with an audit row
 * per record, in one transaction. Admin only. *moved counts the records. */
enum rp_err rec_transfer_owner(struct rec_ctx *ctx, struct rp_str from_user,
                               struct rp_str to_user, int64_t *moved);

/* Creates every entity table, column, index and full-text index. Run at start. */
enum rp_err rec_sync_schema(struct store_conn *c);

/* An entity's table as the store sees it (columns, list index), with its storage. */
struct rec_table {
    struct store_table t;
    struct store_column cols[RP_MAX_ENTITY_FIELDS];
    char sortbuf[256];
    const char *sortcols[RP_MAX_SORT_KEYS + 1];
    char totalsbuf[256];
    const char *totalscols[8];
    char spanbuf[128];
    const char *spancols[3];
    char indexbuf[RP_MAX_ENTITY_INDEXES][128];
    const char *indexcols[RP_MAX_ENTITY_INDEXES + RP_MAX_LIST_INDEXES][RP_MAX_INDEX_COLUMNS + 1];
    const char *const *indexes[RP_MAX_ENTITY_INDEXES + RP_MAX_LIST_INDEXES + 1];
};
void rec_store_table(const struct entity_def *e, struct rec_table *out);
/* Whether the store keeps <table>__<f>_seq for sorting a list by f: a list column
 * (FF_LIST) that can be sorted, unless the default sort or a declared index leads
 * with it, and only the first RP_MAX_LIST_INDEXES of them. A page sorted by it, either
 * way, reads its rows in order and checks visibility inside the index: without it,
 * sort=title sorted a team's 250,000 contacts for every page (4 s). */
bool rec__list_sort_index(const struct entity_def *e, const struct field_def *f);
/* Whether an index of e's table leads with field f (an entity field, or a system
 * field from meta_system_field): a filter on it can seek. */
bool rec__column_indexed(const struct entity_def *e, const struct field_def *f);

/* The allowed values of an enum field: its static list, or for a dynamic enum the keys
 * of the source entity's live records in their default order. Arena memory. */
enum rp_err rec_enum_values(struct rec_ctx *ctx, const struct field_def *f, const char ***values,
                            size_t *n);

/* ---- for modules' domain code ---- */

/* An input of text for field (seed and demo data, a module's own writes). */
static inline struct rec_input rec_in_text(const char *field, const char *s)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = s,
                              .len = strlen(s)};
}

/* The same, or null when s is NULL. */
static inline struct rec_input rec_in_opt(const char *field, const char *s)
{
    return s ? rec_in_text(field, s) : (struct rec_input){.field = rp_str_c(field), .kind = IN_NULL};
}

/* An input of a whole number for field (an int, or a bool as 0/1), its text in a. */
struct rec_input rec_in_int(struct arena *a, const char *field, int64_t v);
/* A time (ms since the epoch) as the engine stores and the API writes it
 * ("2026-12-07T08:00:00.000Z"), in a. */
const char *rec_datetime(struct arena *a, int64_t ms);
/* A text field of r as a string in the arena; NULL when it is null. */
const char *rec_text(struct arena *a, const struct rec *r, const char *field);
/* Whether a text field of r holds exactly s. */
bool rec_is(const struct rec *r, const char *field, const char *s);
/* Sets a text field of r, a record a hook is saving, to s (borrowed; NULL: null): the
 * values hooks derive. */
void rec_set_text(struct rec *r, const char *field, const char *s);
/* The same for an int, money, percent or bool field. */
void rec_set_int(struct rec *r, const char *field, int64_t i);

/* The caller's scope for action on e, or SCOPE_ALL when the context acts for the
 * system. */
enum acl_scope rec_scope(const struct rec_ctx *ctx, const struct entity_def *e,
                         enum acl_action action);
/* Whether the context administers: the system, or a caller whose role does. */
bool rec_admin(const struct rec_ctx *ctx);
/* What the caller's role does with field i of e (open for the system). A hidden field
 * is never read back, filtered, sorted or summed on, exported or shown in history;
 * neither kind is written by the caller. (Full-text search still matches the record's
 * searchable text, hidden fields' included; it answers titles only.) */
enum acl_field_rule rec_field_rule(const struct rec_ctx *ctx, const struct entity_def *e,
                                   size_t i);

/* Value of a named field of r (asserts the field exists: a module names its own
 * entity's fields). */
const struct rec_value *rec_field(const struct rec *r, const char *name);
/* Whether field `name` of r differs from old's (always, on a create: old NULL). */
bool rec_changed(const struct rec *r, const struct rec *old, const char *name);
/* RP_OK when the caller may read r, RP_ENOTFOUND when not (invisible records do not
 * exist). */
enum rp_err rec_check_readable(struct rec_ctx *ctx, const struct entity_def *e,
                               const struct rec *r);
/* Whether the caller may take `action` on r, which they can read (*ok); an error only
 * when their team could not be loaded. */
enum rp_err rec_may(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                    enum acl_action action, bool *ok);
/* RP_EFORBIDDEN ("your role may not <verb> this <entity>") unless the caller may take
 * `action` on r, which they can read. verb is a message marked MSG("…") in the
 * caller's catalogue: it is written in the caller's language. */
enum rp_err rec_check_action(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct rec *r, enum acl_action action, const char *verb);
/* Sets one text field (a link) of r, a record of e in the recycle bin, to value (NULL:
 * none), audited: a link kept right while the record waits there, so it comes back
 * right (a merge re-pointing references, a module's derived link). System work: no
 * permission check and no hook runs; live records change through rec_update. */
enum rp_err rec_repoint_deleted(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r, const char *field, const char *value);
/* Checks the reference `field` of r, a record of a tree (categories: each names its
 * parent), as a create (old NULL) or an update sets it: a field error when it names r
 * itself or a record below r, an unknown record, or makes the tree deeper than
 * max_depth. Read as the system: a parent the caller cannot read still counts. */
enum rp_err rec_check_tree(struct rec_ctx *ctx, const struct rec *r, const struct rec *old,
                           const char *field, int max_depth);
/* The next value (1, 2, …) of the workspace's counter `name` ("cases.number"), inside
 * the caller's write transaction: unique across every server of the database, and
 * gap-free, since a write that fails gives its value back with its rollback. */
enum rp_err rec_next_number(struct rec_ctx *ctx, const char *name, int64_t *out);
/* Every row of a small entity (pipeline stages) read once per write transaction: the
 * page memoised by rec_memo_put, while the transaction lasts and writes none of e's
 * records; false outside a transaction or when nothing is memoised. */
bool rec_memo_get(struct rec_ctx *ctx, const struct entity_def *e, struct rec_page *out);
void rec_memo_put(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_page *page);
/* Whether a parsed list has no filter, search, team or recycle-bin condition and no
 * record is shared with the caller: every record their role lets them read, by owner
 * (running totals can answer it). */
bool rec_query_is_plain(struct rec_ctx *ctx, const struct entity_def *e, struct rec_query *q);

/* Formats a value in its API text form (money "12.30", bool "true", ints as decimals,
 * other types as stored). Returns arena memory, or NULL for null. */
const char *rec_value_text(struct arena *a, const struct field_def *f, const struct rec_value *v);

#endif
