/* Export of any list the caller may export (DESIGN §6), with the list API's filters
 * and sort: CSV (RFC 4180, UTF-8 with a byte-order mark for spreadsheets), XLSX
 * (libxlsxwriter, typed cells), vCard 4.0 (RFC 6350, contacts) and iCalendar
 * (RFC 5545 via libical, activities). Rows are read page by page through a keyset
 * cursor, so memory stays one page deep whatever the size of the list. Every export is
 * audited with its row count.
 *
 * Text cells that a spreadsheet would run as a formula are written with a leading
 * apostrophe; import takes it off again. A cell is one when its first visible
 * character, after whitespace and invisible characters (NBSP, zero-width space, BOM,
 * ideographic space …), is = + - @ or |, or a full-width form of them; a "+" followed
 * only by digits, blanks, dashes and parentheses is a phone number, and left alone. */
#ifndef RP_ENGINE_EXPORT_H
#define RP_ENGINE_EXPORT_H

#include "engine/rec.h"

enum exp_format { EXP_CSV, EXP_XLSX, EXP_VCF, EXP_ICS };

bool exp_format_parse(struct rp_str s, enum exp_format *out);
const char *exp_format_name(enum exp_format f);
const char *exp_content_type(enum exp_format f);

/* An export in progress. Owns its memory and a copy of the caller's principal, so it
 * may outlive the request that opened it (a streamed response). */
struct exp;

/* Opens an export of e as ctx's principal, filtered and sorted by the list parameters
 * (limit and cursor are not allowed). RP_EFORBIDDEN without the export permission,
 * RP_EINVAL (ctx->detail) for bad parameters or a format the entity has not (vCard is
 * for contacts, iCalendar for activities). Returns owned: exp_close it. */
enum rp_err exp_open(struct rec_ctx *ctx, const struct entity_def *e, enum exp_format f,
                     const struct rec_param *params, size_t n, struct exp **out);
/* Opens the calendar feed of the caller: the activities they own or attend from 90
 * days back to a year ahead, as iCalendar. */
enum rp_err exp_open_feed(struct rec_ctx *ctx, struct exp **out);
/* Appends the next piece of a text export (CSV, vCard, iCalendar) to out; *done is
 * set after the last. The store connection is the calling thread's. */
enum rp_err exp_next(struct exp *x, struct rp_buf *out, bool *done);
/* Writes the whole export as an XLSX workbook at path (constant-memory mode: rows go
 * to disk as they are written). */
enum rp_err exp_xlsx(struct exp *x, const char *path);
/* The detail of the last failure of exp_next or exp_xlsx (a bad cursor …), or NULL. */
const char *exp_detail(const struct exp *x);
/* Rows written so far. */
int64_t exp_rows(const struct exp *x);
/* Audits the export (who, what, how many rows) and frees it. */
enum rp_err exp_close(struct exp *x);

/* Whether a text value needs the formula-neutralising apostrophe (the rule above);
 * import undoes exactly that with it. */
bool exp_needs_neutralising(struct rp_str v);

/* ---- pieces, exposed for unit tests ---- */

/* Appends v as one CSV field (quoted when needed), neutralised when `text` says the
 * value is free text. */
enum rp_err exp_csv_field(struct rp_buf *b, struct rp_str v, bool text);

#endif
