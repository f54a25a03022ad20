/* Shared inside engine/ only: the record tables' column layout, the statements built
 * from metadata, and the pieces the engine's files share. Modules use engine/rec.h and
 * engine/sqlb.h, never this. */
#ifndef RP_ENGINE_REC_INT_H
#define RP_ENGINE_REC_INT_H

#include "engine/acl.h"
#include "engine/rec.h"

/* System columns read before the entity's own fields, in this order. */
#define REC_SYS_COLS "t.seq, t.id, t.created_at, t.updated_at, t.created_by, t.owner_id," \
                     " t.version, t.deleted_at, t.deleted_by"
#define REC_NSYS 9

/* ---- schema.c ---- */

/* Storage class of a field: integer-valued types use rec_value.i. */
bool rec__is_int_type(enum field_type t);
/* The statements of one entity, built once at start from metadata. */
struct rec_sql {
    char *columns;     /* SELECT <system columns>, <fields> (of t) */
    char *select;      /* columns FROM <table> t */
    char *get;         /* select … WHERE id = ? (live records) */
    char *get_any;     /* select … WHERE id = ? (recycle bin included) */
    char *insert;      /* INSERT (run with store_step_insert) */
    char *set_deleted; /* moves to or from the recycle bin */
};
/* Builds e's statements in a (a metadata snapshot's: e->sql). */
enum rp_err rec__entity_sql(struct arena *a, const struct entity_def *e,
                            const struct rec_sql **out);
/* UPDATE of e setting updated_at, the version, owner_id when `owner`, and the fields
 * whose changed[i] is set, WHERE seq = ? AND version = ?: only the columns that
 * change, since SQLite rewrites the entries of every index on a column a statement
 * sets, changed or not (a PATCH of a contact's title rewrote all 18 of its indexes). */
enum rp_err rec__update_sql(const struct entity_def *e, bool owner, const bool *changed,
                            struct rp_buf *out);

/* ---- ctx.c ---- */

/* A write to e's records ends what was memoised of them (NULL: everything). */
void rec__memo_drop(struct rec_ctx *ctx, const struct entity_def *e);

/* ---- read.c ---- */

/* Reads the current row of st into out (arena copies). */
void rec__read_row(struct rec_ctx *ctx, struct store_stmt *st, const struct entity_def *e,
                   struct rec *out);
/* Column col of st's row copied into the arena (NULL for NULL); *len when len. */
const char *rec__col_dup(struct rec_ctx *ctx, struct store_stmt *st, int col, size_t *len);
/* Loads a record by id without a permission check (the engine decides after);
 * with_deleted finds records in the recycle bin too. */
enum rp_err rec__load(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                      bool with_deleted, struct rec *out);
/* Whether record `id` (NULL: one not written yet) owned by `owner` is inside the
 * caller's scope for action, or shared with them for it (read, edit); a database
 * error while loading the caller's team or shares is an error, never a "no". */
enum rp_err rec__in_scope(struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action, const char *owner, const char *id, bool *ok);
/* RP_EFORBIDDEN (with a reason) unless the caller may take action on r, which they
 * can see. */
enum rp_err rec__check_owner_action(struct rec_ctx *ctx, const struct entity_def *e,
                                    enum acl_action action, const struct rec *r,
                                    const char *verb);

/* The scope of a list of e: the read scope, or for an export the narrower of the read
 * and export scopes. */
enum acl_scope rec__list_scope(const struct rec_ctx *ctx, const struct entity_def *e,
                               bool export);
/* Whether the caller's role hides a searchable field of e: then the full-text index,
 * which holds that field's text too, is not searched for them. */
bool rec__search_hidden(const struct rec_ctx *ctx, const struct entity_def *e);

/* ---- share.c ---- */

/* What record id's shares open to the caller: 0 nothing, 1 read, 2 edit. */
enum rp_err rec__shared(struct rec_ctx *ctx, const struct entity_def *e, const char *id,
                        int *access);
/* Whether records of e are shared with the caller, remembered in q (NULL: asked
 * anew). */
enum rp_err rec__query_shares(struct rec_ctx *ctx, const struct entity_def *e,
                              struct rec_query *q, bool *shared);

/* ---- values.c ---- */

/* Validates one input for field f and writes the stored value. Field errors are
 * recorded on ctx (RP_EINVAL); reference existence is checked later, in the write
 * transaction. */
enum rp_err rec__normalise(struct rec_ctx *ctx, const struct field_def *f,
                           const struct rec_input *in, struct rec_value *out);
/* A field's default (metadata text: "true", "12.30", "en") as an input to normalise. */
struct rec_input rec__default_input(const struct field_def *f);
/* Parses a filter or cursor value given as text into a stored value for field f.
 * Returns RP_EINVAL with a bad-request detail when it does not parse. */
enum rp_err rec__parse_text_value(struct rec_ctx *ctx, const struct field_def *f,
                                  struct rp_str text, struct store_val *out);

/* ---- audit.c ---- */

/* A field's value as its audit row holds it (passwords never). */
struct store_val rec__audit_val(struct rec_ctx *ctx, const struct field_def *f,
                                const struct rec_value *v);
/* Appends one audit row for r in the caller's transaction. */
enum rp_err rec__audit(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                       const char *at, const char *action, const char *field,
                       struct store_val oldv, struct store_val newv);
/* The initial values of a create's audit row (rec_history expands them). */
enum rp_err rec__initial_values(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r, struct store_val *out);
/* History rows of a merge: "merge" on the survivor, "merged_into" on the other. */
enum rp_err rec__audit_merge(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct rec *keep, const struct rec *gone);

/* ---- write.c ---- */

/* Writes r's searchable text into e's full-text index (fresh: r has no entry yet). */
enum rp_err rec__put_fts(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                         bool fresh);
/* The time of a change, as "YYYY-MM-DDTHH:MM:SS.mmmZ" in the arena. */
void rec__now_text(struct rec_ctx *ctx, const char **out);

/* ---- list.c ---- */

/* Whether a live record of e has `key` = key (dynamic enums). */
enum rp_err rec__key_exists(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                            bool *found);
/* The query plan of a list page (SQLite's EXPLAIN QUERY PLAN, one step per line into
 * out; a line "then" before the second statement of a page read in two), for tests of
 * the SQL the query builder writes. */
enum rp_err rec__list_plan(struct rec_ctx *ctx, const struct entity_def *e,
                           struct rec_query *q, char *out, size_t size);
/* Describes r, which the caller read, as a hit whose field `matched` matched (-1: none
 * known); its owner is named by rec__name_owners. */
void rec__hit(struct rec_ctx *ctx, const struct rec *r, int matched, struct rec_hit *out);
/* Sets the owner_name of hits[0..n), reading each owner once, as the caller. */
void rec__name_owners(struct rec_ctx *ctx, struct rec_hit *hits, size_t n);
/* Records of e whose JSON id list `field` holds id: live ones, or with `deleted` those
 * in the recycle bin. */
enum rp_err rec__list_containing(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *field, const char *id, bool deleted,
                                 struct rec ***rows, size_t *n);

#endif
