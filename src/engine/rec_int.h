/* Shared inside crm/ only: the engine's SQL column layout and helpers. */
#ifndef RP_ENGINE_REC_INT_H
#define RP_ENGINE_REC_INT_H

#include "engine/acl.h"
#include "engine/rec.h"

/* System columns read before the entity's own fields, in this order. */
#define REC_SYS_COLS "t.seq, t.id, t.created_at, t.updated_at, t.created_by, t.owner_id," \
                     " t.version, t.deleted_at"
#define REC_NSYS 8

/* The caller's scope, or SCOPE_ALL when the context acts for the system (ctx->sudo). */
enum acl_scope rec__scope(const struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action);
/* Whether a live record of e has `key` = key (dynamic enums). */
enum rp_err rec__key_exists(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                            bool *found);
/* Storage class of a field: integer-valued types use rec_value.i. */
bool rec__is_int_type(enum field_type t);
/* The statements of one entity, built once at start from metadata (query.c). */
struct rec_sql {
    const struct entity_def *e;
    char *columns;     /* SELECT <system columns>, <fields> (of t) */
    char *select;      /* columns FROM <table> t */
    char *get;         /* select … WHERE id = ? (live records) */
    char *get_any;     /* select … WHERE id = ? (recycle bin included) */
    char *insert;      /* INSERT (run with store_step_insert) */
    char *set_deleted; /* moves to or from the recycle bin */
};

/* The query plan of a list page (SQLite's EXPLAIN QUERY PLAN, one step per line into
 * out; a line "then" before the second statement of a page read in two), for tests of
 * the SQL the query builder writes. */
enum rp_err rec__list_plan(struct rec_ctx *ctx, const struct entity_def *e,
                           const struct rec_query *q, char *out, size_t size);

/* UPDATE of e setting updated_at, the version, owner_id when `owner`, and the fields
 * whose changed[i] is set, WHERE seq = ? AND version = ?: only the columns that
 * change, since SQLite rewrites the entries of every index on a column a statement
 * sets, changed or not (a PATCH of a contact's title rewrote all 18 of its indexes). */
enum rp_err rec__update_sql(const struct entity_def *e, bool owner, const bool *changed,
                            struct rp_buf *out);

/* Builds every entity's statements. Runs once, before the server starts threads. */
enum rp_err rec__build_sql(void);
/* Every row of a small entity (pipeline stages) read once per write transaction: the
 * page memoised by rec__memo_put, while the transaction lasts and writes none of e's
 * records; false outside a transaction or when nothing is memoised. */
bool rec__memo_get(struct rec_ctx *ctx, const struct entity_def *e, struct rec_page *out);
void rec__memo_put(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_page *page);
const struct rec_sql *rec__sql(const struct entity_def *e);
/* Reads the current row of st into out (arena copies). */
void rec__read_row(struct rec_ctx *ctx, struct store_stmt *st, const struct entity_def *e,
                   struct rec *out);
/* Parses a filter or cursor value given as text into a stored value for field f.
 * Returns RP_EINVAL with a bad-request detail when it does not parse. */
enum rp_err rec__parse_text_value(struct rec_ctx *ctx, const struct field_def *f,
                                  struct rp_str text, struct store_val *out);
/* Sales SQL (query.c), used by crm/sales.c. */
struct sales_stage_sum;
struct sales_period;
enum rp_err rec__pipeline(struct rec_ctx *ctx, struct rec_query *q, struct sales_stage_sum **rows,
                          size_t *n);
enum rp_err rec__forecast(struct rec_ctx *ctx, struct rec_query *q, struct sales_period **rows,
                          size_t *n);
enum rp_err rec__calendar(struct rec_ctx *ctx, const char *from, const char *to,
                          const char *const *users, size_t nusers, struct rec **rows, size_t *n);
/* Meetings and calls of any of users overlapping [start, end), other than act itself,
 * whoever may read them. */
enum rp_err rec__overlaps(struct rec_ctx *ctx, const struct rec *act, const char *start,
                          const char *end, const char *const *users, size_t nusers,
                          struct rec **rows, size_t *n);
/* Accounts whose revenue tier (Pareto over won deals closing on or after since, a
 * "YYYY-MM-DD" date) differs from the stored tier_computed: ids and new tiers. */
enum rp_err rec__tier_changes(struct rec_ctx *ctx, const char *since, const char ***ids,
                              const char ***tiers, size_t *n);
/* Sets one text field of a record in the recycle bin (merge re-pointing), audited. */
enum rp_err rec__repoint_deleted(struct rec_ctx *ctx, const struct entity_def *e,
                                 const struct rec *r, const char *field, const char *value);
/* Records of e (live) whose JSON id list `field` holds id. */
enum rp_err rec__list_containing(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *field, const char *id, struct rec ***rows, size_t *n);
/* History rows of a merge: "merge" on the survivor, "merged_into" on the other. */
enum rp_err rec__audit_merge(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct rec *keep, const struct rec *gone);
/* RP_EFORBIDDEN ("your role may not <verb> this <entity>") unless the caller may take
 * `action` on r, which they can read. */
enum rp_err rec__check_action(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct rec *r, enum acl_action action, const char *verb);
/* Loads a record by id without a permission check (domain code decides). */
enum rp_err rec__load(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                      bool with_deleted, struct rec *out);
/* Whether the caller may read r (RP_ENOTFOUND when not). */
enum rp_err rec__check_readable(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r);
/* Value of a named field of r (asserts the field exists). */
const struct rec_value *rec__field(const struct rec *r, const char *name);

/* Domain hooks (crm/hooks.c). */
enum rp_err rec__hooks_validate(struct rec_ctx *ctx, struct rec *rec, const struct rec *old);
/* Runs before a record comes back from the recycle bin; an error keeps it there. */
enum rp_err rec__hooks_before_restore(struct rec_ctx *ctx, struct rec *rec);
/* Runs before a record moves to the recycle bin; an error keeps it. */
enum rp_err rec__hooks_before_delete(struct rec_ctx *ctx, const struct rec *rec);
enum rp_err rec__hooks_after_save(struct rec_ctx *ctx, const struct rec *rec, const struct rec *old);

#endif
