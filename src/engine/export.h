/* Export of any list the caller may export (DESIGN §6), with the list API's filters
 * and sort: CSV (RFC 4180, UTF-8 with a byte-order mark for spreadsheets), XLSX
 * (libxlsxwriter, typed cells, the header row frozen and filter buttons over the
 * data), and the formats modules add (struct rec_exporter: vCard, iCalendar). Rows are
 * read page by page through a keyset cursor, so memory stays one page deep whatever
 * the size of the list. Every export is audited with its row count.
 *
 * CSV and XLSX columns: every field the caller may see, in field order; a reference
 * (or a list of them) is two columns, its ids and then the names of the records they
 * point to (a user's display name, else the title; empty for a record the caller may
 * not read); last the owner's id and name. Names are read before a page is written,
 * for all its rows at once (a statement per RP_MAX_IN_VALUES ids per referenced
 * entity, and a bounded cache across pages), never a statement per row.
 *
 * Headers are labels in the caller's language (their locale: label_zh in Chinese),
 * for people: a reference's label heads its names and "<label> ID" its ids; or the
 * API's keys, for programs: the field name heads its value and "<name>.name" the
 * names. The columns are the same either way, only the header row differs; import
 * (csv_import.h) maps both back.
 *
 * Text cells that a spreadsheet would run as a formula are written with a leading
 * apostrophe; import takes it off again. A cell is one when its first visible
 * character, after whitespace and invisible characters (NBSP, zero-width space, BOM,
 * ideographic space …), is = + - @ or |, or a full-width form of them; a "+" followed
 * only by digits, blanks, dashes and parentheses is a phone number, and left alone. */
#ifndef RP_ENGINE_EXPORT_H
#define RP_ENGINE_EXPORT_H

#include "engine/rec.h"

/* An export in progress. Owns its memory and a copy of the caller's principal, so it
 * may outlive the request that opened it (a streamed response). */
struct exp;

/* A file format of exports. The engine writes CSV and XLSX for every entity; a module
 * adds formats for its own entities in its descriptor (vCard for contacts, iCalendar
 * for activities). */
struct rec_exporter {
    const char *format;        /* ?format= value and file extension: "vcf" */
    const char *entity;        /* the entity it writes; NULL: any */
    const char *content_type;
    /* Text before the first record and after the last; NULL: none. */
    enum rp_err (*begin)(struct exp *x, struct rp_buf *out);
    enum rp_err (*end)(struct exp *x, struct rp_buf *out);
    /* Appends one record; NULL for XLSX, a file written by exp_xlsx. */
    enum rp_err (*record)(struct exp *x, const struct rec *r, struct rp_buf *out);
};

/* The format `name` for exports of e. RP_EINVAL (a bad request, ctx->detail) when
 * there is none, or it is for another entity. */
enum rp_err exp_format(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str name,
                       const struct rec_exporter **out);

/* What heads the columns of a CSV or XLSX export (see above). */
enum exp_headers {
    EXP_LABELS, /* the fields' labels in the caller's language */
    EXP_KEYS,   /* the API's field names */
};

/* "labels" or "keys"; false when neither. */
bool exp_headers_parse(struct rp_str s, enum exp_headers *out);

/* Opens an export of e as ctx's principal, filtered and sorted by the list parameters
 * (limit and cursor are not allowed), its columns headed as `headers` says.
 * RP_EFORBIDDEN without the export permission, RP_EINVAL (ctx->detail) for bad
 * parameters. Returns owned: exp_close it. */
enum rp_err exp_open(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_exporter *f,
                     enum exp_headers headers, const struct rec_param *params, size_t n,
                     struct exp **out);
/* Opens an export of rows the caller has read already (borrowed until exp_close: a
 * module's feed, such as the calendar's), audited as `label`. */
enum rp_err exp_open_rows(struct rec_ctx *ctx, const struct entity_def *e,
                          const struct rec_exporter *f, const struct rec *rows, size_t n,
                          const char *label, struct exp **out);
/* Appends the next piece of a text export (every format but XLSX) to out; *done is set
 * after the last, which is audited before it is returned (see exp_close). The store
 * connection is the calling thread's. */
enum rp_err exp_next(struct exp *x, struct rp_buf *out, bool *done);
/* Writes the whole export as an XLSX workbook at path (constant-memory mode: rows go
 * to disk as they are written). */
enum rp_err exp_xlsx(struct exp *x, const char *path);
/* The detail of the last failure of exp_next or exp_xlsx (a bad cursor …), or NULL. */
const char *exp_detail(const struct exp *x);
/* Rows written so far. */
int64_t exp_rows(const struct exp *x);
/* Audits the export (who, what, how many rows) unless its last piece was, and frees
 * it: an export stopped half-way is audited with the rows it wrote. */
enum rp_err exp_close(struct exp *x);

/* For a module's exporter: a field of r as exports show it (its API text, "a;b" for
 * lists; for a reference the name of the record, NULL when the caller may not read
 * it; NULL when empty), and the memory one page of records is written from. */
const char *exp_text(struct exp *x, const struct rec *r, const char *field);
struct arena *exp_arena(struct exp *x);

/* Whether a text value needs the formula-neutralising apostrophe (the rule above);
 * import undoes exactly that with it. */
bool exp_needs_neutralising(struct rp_str v);

/* ---- pieces, exposed for unit tests ---- */

/* Appends v as one CSV field (quoted when needed), neutralised when `text` says the
 * value is free text. */
enum rp_err exp_csv_field(struct rp_buf *b, struct rp_str v, bool text);

#endif
