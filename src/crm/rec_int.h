/* Shared inside crm/ only: the engine's SQL column layout and helpers. */
#ifndef RP_CRM_REC_INT_H
#define RP_CRM_REC_INT_H

#include "crm/acl.h"
#include "crm/rec.h"

/* System columns read before the entity's own fields, in this order. */
#define REC_SYS_COLS "t.seq, t.id, t.created_at, t.updated_at, t.created_by, t.owner_id," \
                     " t.version, t.deleted_at"
#define REC_NSYS 8

/* The caller's scope, or SCOPE_ALL when the context acts for the system (ctx->sudo). */
enum acl_scope rec__scope(const struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action);
/* Storage class of a field: integer-valued types use rec_value.i. */
bool rec__is_int_type(enum field_type t);
/* SELECT <system columns>, <fields> FROM <table> t — built once per entity. */
const char *rec__select_sql(const struct entity_def *e);
/* Reads the current row of st into out (arena copies). */
void rec__read_row(struct rec_ctx *ctx, struct store_stmt *st, const struct entity_def *e,
                   struct rec *out);
/* Parses a filter or cursor value given as text into a stored value for field f.
 * Returns RP_EINVAL with a bad-request detail when it does not parse. */
enum rp_err rec__parse_text_value(struct rec_ctx *ctx, const struct field_def *f,
                                  struct rp_str text, struct store_val *out);
/* Domain hooks (crm/hooks.c). */
enum rp_err hooks_validate(struct rec_ctx *ctx, struct rec *rec, const struct rec *old);
enum rp_err hooks_after_save(struct rec_ctx *ctx, const struct rec *rec, const struct rec *old);

#endif
