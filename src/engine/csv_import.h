/* Import through the record engine, of CSV files, Excel workbooks (.xlsx: their first
 * worksheet, engine/xlsx_read.h) and vCards (people: engine/vcard_read.h), whose rows
 * all take the one path described here. CSV import: RFC 4180 parsing (libcsv), UTF-8 or GBK /
 * GB18030 input (iconv), a byte-order mark, CRLF; columns mapped to fields by header
 * (field names, labels in English and Chinese, common aliases) or explicitly; every
 * row validated, permission-checked and audited by rec_create, duplicates skipped,
 * updated or created; rows committed in batches of RP_IMPORT_BATCH, each batch whole or
 * not at all.
 *
 * A file is read twice: a first pass checks its structure (quotes, field sizes,
 * encoding) and counts the rows, so a malformed file is refused before anything is
 * written; the second pass imports. */
#ifndef RP_ENGINE_CSV_IMPORT_H
#define RP_ENGINE_CSV_IMPORT_H

#include "engine/rec.h"

enum imp_dup { IMP_DUP_SKIP, IMP_DUP_UPDATE, IMP_DUP_CREATE };

/* What the file is. A workbook's rows are numbered as the sheet numbers them; a
 * vCard becomes a row of the fields it fills (columns named by field), numbered by the
 * line of its BEGIN:VCARD. */
enum imp_format { IMP_CSV, IMP_XLSX, IMP_VCARD };

/* "csv", "xlsx", "vcf"; false when unknown. */
bool imp_format_parse(struct rp_str s, enum imp_format *out);
const char *imp_format_name(enum imp_format f);
/* Whether entity e takes files of format f: vCards go into people (records with a
 * first and a last name). */
bool imp_format_ok(const struct entity_def *e, enum imp_format f);

/* "skip", "update", "create"; false when unknown. */
bool imp_dup_parse(struct rp_str s, enum imp_dup *out);
const char *imp_dup_name(enum imp_dup d);

/* A column given to a field by the user (--map col=field); an empty field ignores the
 * column. */
struct imp_mapping {
    struct rp_str column;
    struct rp_str field;
};

struct imp_error {
    int64_t line;          /* physical line of the file where the row starts */
    const char *field;     /* NULL for the row as a whole */
    const char *message;
};

struct imp_result {
    int64_t rows_total;    /* data rows in the file (known after the first pass) */
    int64_t rows_done;
    int64_t rows_imported; /* created, or updated with IMP_DUP_UPDATE */
    int64_t rows_updated;  /* of rows_imported, the updates */
    int64_t rows_skipped;  /* duplicates left alone */
    int64_t rows_failed;
    /* Records created because a row named one that did not exist (create_missing);
     * in a dry run, those that would be. */
    int64_t refs_created;
    struct imp_error *errors; /* the first RP_MAX_IMPORT_ERRORS */
    size_t nerrors;
    size_t errcap;
    const char *fatal;     /* a file-level problem: nothing was imported */
    const char **ignored;  /* header columns mapped to no field */
    size_t nignored;
};

struct imp_options {
    const struct entity_def *e;
    enum imp_format format;
    enum imp_dup on_dup;
    /* A reference cell naming no record of an entity flagged EF_CREATE_BY_NAME
     * (accounts) creates one with that name, once per name, when the row is otherwise
     * good (imp_forbidden_create says whether the caller may). */
    bool create_missing;
    bool dry_run;          /* validate everything, commit nothing */
    const char *encoding;  /* NULL or "utf-8", "gbk", "gb18030" */
    const struct imp_mapping *map;
    size_t nmap;
    size_t batch;          /* rows per transaction; 0 means RP_IMPORT_BATCH */
    /* The language of the file's problems (res->fatal); a row's errors are in the
     * language of the context that saves it (ctx->lang). English by default. */
    enum rp_lang lang;
    /* Called after every batch and at the end (borrowed result). */
    void (*progress)(void *cls, const struct imp_result *r);
    /* Asked after every batch: true stops the import there (RP_EBUSY). May be NULL. */
    bool (*stop)(void *cls);
    void *cls;
};

/* The input: a seekable file or a memory block (borrowed). */
struct imp_source {
    FILE *f;
    const char *mem;
    size_t len;
};

/* Whether an encoding name is accepted (case-insensitive). */
bool imp_encoding_ok(const char *name);

/* With o->create_missing: the first entity o->e refers to that an import would create
 * records of and the caller may not create, or NULL when there is none. */
const struct entity_def *imp_forbidden_create(const struct rec_ctx *ctx,
                                              const struct imp_options *o);

/* Imports src into o->e as ctx's principal. Row problems are reported in res (which
 * lives in `a`) and do not stop the import; RP_EINVAL with res->fatal is a file the
 * import refused as a whole (nothing written); other errors are database failures,
 * after which the batch in progress was rolled back; RP_EFORBIDDEN with res->fatal when
 * the caller may not create what create_missing would (nothing written). */
enum rp_err imp_run(struct rec_ctx *ctx, const struct imp_options *o, struct imp_source *src,
                    struct arena *a, struct imp_result *res);

/* The first rows of a file as an import would read them (a workbook must be whole; a
 * CSV's or vCard file's beginning is enough): each column's header and the
 * field it goes to ("full_name": a person's whole name; NULL: ignored), then up to
 * max_rows rows of cells (NULL past the end of a short row). */
struct imp_preview {
    size_t ncols;
    const char **headers;
    const char **fields;
    size_t nrows;
    const char ***rows;
};

/* Reads the header and the first max_rows rows of src (the beginning of a file is
 * enough) with o's encoding and mapping. RP_EINVAL with *fatal for a file that cannot
 * be read (an empty one, bytes invalid in the encoding, a misplaced quote). */
enum rp_err imp_preview(const struct imp_options *o, struct imp_source *src, size_t max_rows,
                        struct arena *a, struct imp_preview *out, const char **fatal);

/* ---- pieces, exposed for unit tests ---- */

/* The field a header names for entity e: the field's name or label (English or
 * Chinese), the other column an export gives a reference ("<label> ID", "<name>.name":
 * export.h), or an alias in English or Chinese (姓名, 公司, 电话, 邮箱 …). "full_name"
 * means a person's whole name, split into first and last name. NULL when none.
 *
 * A reference fed by two columns takes, row by row, the id when it names a record the
 * caller can see, else the name (looked up like any): an export imports into its own
 * database by id and into another by name. */
const char *imp_header_field(const struct entity_def *e, struct rp_str header);
/* Undoes export's formula neutralisation: "'=x" is "=x" (export.h). Borrowed slice. */
struct rp_str imp_unneutralise(struct rp_str v);

#endif
