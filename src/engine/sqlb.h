/* The query builder (DESIGN §3): SQL text made from metadata, with every value bound.
 * The engine's lists use it, and so do modules for statements of their own (their
 * sql.c): sqlb_scope and sqlb_where give them the caller's visibility, so a module
 * never writes a permission check.
 *
 * Appends are sticky-failing: the first that fails (the statement outgrew RP_MAX_SQL)
 * is kept in `err`, later ones do nothing, and sqlb_prepare answers it, so a statement
 * is never run with a piece missing. Parameters come from the context's arena. */
#ifndef RP_ENGINE_SQLB_H
#define RP_ENGINE_SQLB_H

#include "engine/rec.h"

struct sqlb {
    struct rp_buf sql;        /* read-only: the text so far */
    enum rp_err err;          /* read-only: the first append that failed */
    struct store_val *params; /* private */
    size_t nparams;
    size_t cap;
};

void sqlb_init(struct sqlb *b);
void sqlb_release(struct sqlb *b);
/* Appends SQL text. Identifiers in it come from metadata, never from input. */
void sqlb_add(struct sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a value to bind to the next `?`. */
void sqlb_param(struct rec_ctx *ctx, struct sqlb *b, struct store_val v);

/* "SELECT <system columns>, <fields> FROM <table> t" for e (every column of a record,
 * in the order rec__read_row reads). */
const char *sqlb_select(const struct entity_def *e);
/* " WHERE" the workspace is the caller's and `t.owner_id` is one whose records the
 * caller may read (or, after rec_query_for_export, export) or `t.id` a record shared
 * with them, with the list's team_id filter; q may be NULL (it remembers whether the
 * caller has shares). RP_EFORBIDDEN when the caller may read none of e. Over running
 * sums (no `t.id`), only after rec_query_is_plain said yes. */
enum rp_err sqlb_scope(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, struct sqlb *b);
/* sqlb_scope and the rest of a list's conditions on `t`: live (or recycle-bin) rows,
 * the filters and the search of q. */
enum rp_err sqlb_where(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, struct sqlb *b);
/* " AND (column holds one of values)": a JSON id list column (attendees). */
void sqlb_json_list_has_any(struct rec_ctx *ctx, struct sqlb *b, const char *column,
                            const char *const *values, size_t n);
/* Appends a query of the `seq` of e's records whose searchable text holds every term
 * (store_fts_matches). */
void sqlb_fts_matches(struct rec_ctx *ctx, struct sqlb *b, const struct entity_def *e,
                      const struct rp_str *terms, size_t n);
/* Appends the "YYYY-MM" month of a date column. */
void sqlb_month_of(struct rec_ctx *ctx, struct sqlb *b, const char *column);

/* Prepares the statement and binds its values. A statement past RP_MAX_SQL is the
 * caller's doing (hundreds of filters): RP_EINVAL with a bad-request detail. */
enum rp_err sqlb_prepare(struct rec_ctx *ctx, struct sqlb *b, struct store_stmt **st);
/* Runs a statement of sqlb_select rows of e: at most max into *rows (arena), the
 * fields hidden from the caller's role masked (rec_mask); with max_text, RP_ETOOBIG
 * once they hold more text than that. */
enum rp_err sqlb_read(struct rec_ctx *ctx, struct sqlb *b, const struct entity_def *e,
                      size_t max, size_t max_text, struct rec **rows, size_t *n);

#endif
