/* Reading the first worksheet of an Excel .xlsx workbook (ECMA-376: a ZIP of XML
 * parts, libzip and expat), row by row, as text cells an import takes like a CSV's:
 * shared and inline strings (rich text runs joined, phonetic runs left out), numbers
 * without float noise (1 stays "1", 0.1 + 0.2 is "0.3"; a percentage as shown, "30%"), booleans as "true"/"false",
 * cells whose style's number format is a date or a time as ISO 8601 ("2026-01-05",
 * "2026-01-05 09:30:00", "09:30:00"; the 1900 and 1904 date systems), a formula's
 * cached value, and cells placed by their reference ("C7"), the gaps empty.
 *
 * Hostile files are refused with a sentence in *fatal: not a ZIP (an encrypted
 * workbook is an OLE file, so is an .xls), encrypted entries, more inflated bytes than
 * the RP_MAX_XLSX_* limits (zip bombs), a DTD in any part (entity expansion), broken
 * XML, references past Excel's grid or out of order. The sentence is in the language
 * the caller asks for (expat's own words for broken XML stay English inside it). */
#ifndef RP_ENGINE_XLSX_READ_H
#define RP_ENGINE_XLSX_READ_H

#include "core/arena.h"
#include "core/msg.h"

/* One row with at least one non-empty cell. Borrowed until the callback returns. */
struct xlsx_row {
    int64_t num;                 /* the sheet's row number, 1 for the first */
    const struct rp_str *cells;  /* cells[0] is column A; trailing empty cells dropped */
    size_t n;                    /* at most RP_MAX_IMPORT_COLUMNS */
    size_t extra;                /* non-empty cells past RP_MAX_IMPORT_COLUMNS */
    bool too_big;                /* a cell longer than RP_MAX_IMPORT_FIELD (cut there) */
};

/* Called for each row in order; an error it returns stops the reading and is
 * returned by xlsx_read. */
typedef enum rp_err (*xlsx_row_fn)(void *cls, const struct xlsx_row *row);

/* Reads the first worksheet of the workbook in mem[0..len) or, when mem is NULL, in
 * the seekable file f (borrowed; its position is undefined afterwards). RP_EINVAL with
 * *fatal (in a, written in lang) for a file refused as a whole; RP_ENOMEM; or the
 * callback's error. */
enum rp_err xlsx_read(const char *mem, size_t len, FILE *f, xlsx_row_fn fn, void *cls,
                      struct arena *a, enum rp_lang lang, const char **fatal);

/* ---- pieces, exposed for unit tests ---- */

enum xlsx_numfmt { XLSX_NUMBER, XLSX_DATE, XLSX_DATETIME, XLSX_TIME, XLSX_PERCENT };

/* What a number format shows: a built-in id (14–22, 45–47 and the CJK date ids; 9 and
 * 10 are percentages) or a custom format code (y, m, d, h, s, or %, outside quotes,
 * brackets and escapes; only the first section counts). code may be NULL for a
 * built-in. A percentage cell reads as the number shown: 0.3 is "30%". */
enum xlsx_numfmt xlsx_numfmt_kind(int id, const char *code);
/* Writes a date serial as ISO 8601 text of the given kind into out (at least 24
 * bytes). False when the serial is no date (negative, past 9999-12-31). */
bool xlsx_serial_text(double serial, bool date1904, enum xlsx_numfmt kind, char *out,
                      size_t cap);
/* A number's shortest faithful text: integers as integers, others with at most 15
 * significant digits. v is a cell's <v> text; false when it is no number. */
bool xlsx_number_text(const char *v, char *out, size_t cap);

#endif
