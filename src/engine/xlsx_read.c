/* The first worksheet of an .xlsx workbook, row by row (xlsx_read.h): the package's
 * relationships lead to the workbook, its first sheet, shared strings and styles;
 * each part is inflated in chunks into an expat parser with a byte budget. */
#include "core/common.h"

#include <expat.h>
#include <math.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "core/buf.h"
#include "engine/xlsx_read.h"

#define CHUNK (64u * 1024u)
/* Excel's grid: 1,048,576 rows, 16,384 columns (XFD). */
#define MAX_ROW 1048576
#define MAX_COL 16384
/* Custom number formats remembered (ids 164 and up); others count as General. */
#define MAX_NUMFMTS 1024u

/* ---- pure pieces ---- */

enum xlsx_numfmt xlsx_numfmt_kind(int id, const char *code)
{
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return XLSX_DATE; /* 27–36, 50–58: the built-in dates of the CJK locales */
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
        return XLSX_TIME;
    if (id == 22)
        return XLSX_DATETIME;
    if (id == 9 || id == 10)
        return XLSX_PERCENT;
    if (!code)
        return XLSX_NUMBER;
    bool date = false, time = false, month = false, percent = false;
    for (const char *c = code; *c && *c != ';'; c++) {
        switch (*c) {
        case '"': /* literal text */
            c++;
            while (*c && *c != '"')
                c++;
            if (!*c)
                c--;
            break;
        case '[': /* colour, condition, locale; [h] and [mm] are elapsed time */
            if (c[1] == 'h' || c[1] == 'H' || c[1] == 'm' || c[1] == 'M' || c[1] == 's' ||
                c[1] == 'S')
                time = true;
            while (*c && *c != ']')
                c++;
            if (!*c)
                c--;
            break;
        case '\\': /* the next character literally */
        case '_':  /* a space as wide as the next character */
        case '*':  /* the next character repeated */
            if (c[1])
                c++;
            break;
        case 'y': case 'Y': case 'd': case 'D':
            date = true;
            break;
        case 'h': case 'H': case 's': case 'S':
            time = true;
            break;
        case 'm': case 'M':
            month = true;
            break;
        case '%':
            percent = true;
            break;
        default:
            break;
        }
    }
    if (month && !time)
        date = true; /* "m" is a minute only next to hours or seconds */
    return date && time ? XLSX_DATETIME : date ? XLSX_DATE : time ? XLSX_TIME
           : percent                                        ? XLSX_PERCENT
                                                            : XLSX_NUMBER;
}

/* The civil date of a day count since 1970-01-01 (H. Hinnant's algorithm). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool xlsx_serial_text(double serial, bool date1904, enum xlsx_numfmt kind, char *out, size_t cap)
{
    /* 2958465 is 9999-12-31 in the 1900 system. */
    if (!isfinite(serial) || serial < 0 || serial >= 2958466.0)
        return false;
    int64_t days = (int64_t)floor(serial);
    int64_t secs = (int64_t)llround((serial - (double)days) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    if (kind == XLSX_TIME) {
        snprintf(out, cap, "%02d:%02d:%02d", hh, mi, ss);
        return true;
    }
    if (days < 1 && !date1904)
        return false; /* "1900-01-00": a time without a date */
    /* Days since 1970-01-01: the 1904 system counts from 1904-01-01 (-24107); the
     * 1900 system from 1899-12-31, with Lotus's 1900-02-29 (serial 60) after day 59,
     * so from serial 61 on it counts from 1899-12-30 (-25569). */
    int64_t unix_days = date1904 ? days - 24107 : days >= 61 ? days - 25569 : days - 25568;
    if (!date1904 && days == 60) {
        snprintf(out, cap, "1900-02-29"); /* no such day: validation says so */
        return true;
    }
    int y, m, d;
    civil(unix_days, &y, &m, &d);
    if (y > 9999)
        return false;
    if (kind == XLSX_DATETIME)
        snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
    else
        snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
    return true;
}

bool xlsx_number_text(const char *v, char *out, size_t cap)
{
    while (*v == ' ')
        v++;
    if (!*v)
        return false;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(x) || (x == 0 && errno == ERANGE) || strchr(v, 'x') ||
        strchr(v, 'X') || strchr(v, 'n') || strchr(v, 'N'))
        return false; /* junk, hexadecimal, inf, nan */
    if (x == floor(x) && fabs(x) < 1e15)
        snprintf(out, cap, "%.0f", x == 0 ? 0.0 : x); /* no "-0" */
    else
        snprintf(out, cap, "%.15g", x);
    return true;
}

/* ---- the package ---- */

struct xr {
    zip_t *z;
    struct arena *a;
    enum rp_lang lang;       /* of *fatal */
    const char **fatal;
    uint64_t total;          /* bytes inflated in this pass */
    /* the part being parsed */
    XML_Parser p;
    const char *part;
    bool stopped;            /* a handler stopped the parser: fatal or err is set */
    enum rp_err err;
    /* package and workbook */
    const char *workbook;    /* e.g. "xl/workbook.xml" */
    const char *sheet_rid;
    const char *sheet, *strings, *styles;  /* part names */
    bool date1904;
    /* shared strings */
    struct rp_str *ss;
    size_t nss, sscap;
    bool in_si, in_t, in_rph;
    /* styles */
    int numfmt_id[MAX_NUMFMTS];
    const char *numfmt_code[MAX_NUMFMTS];
    size_t nnumfmts;
    bool in_cellxfs;
    unsigned char *xf_kind;  /* enum xlsx_numfmt per cell style */
    int *xf_fmt;
    size_t nxf;
    /* the sheet */
    xlsx_row_fn fn;
    void *cls;
    bool in_data, in_v, in_is;
    int64_t row_num;         /* current row, 0 before the first */
    int64_t col;             /* current cell's column, 0-based; -1 before the first */
    char ctype[12];          /* the cell's t attribute */
    long cstyle;
    struct rp_buf text;      /* the text being collected (a cell's, a shared string's) */
    bool text_big;
    struct rp_buf row;       /* the row's cells, each NUL-terminated */
    size_t off[RP_MAX_IMPORT_COLUMNS], len[RP_MAX_IMPORT_COLUMNS];
    struct rp_str cells[RP_MAX_IMPORT_COLUMNS];
    size_t ncells, extra;
    bool row_big;
};

static const char *local(const char *name)
{
    const char *s = strrchr(name, '|');
    return s ? s + 1 : name;
}

static bool is(const char *name, const char *want)
{
    return strcmp(local(name), want) == 0;
}

static const char *attr(const char **atts, const char *want)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (is(atts[i], want))
            return atts[i + 1];
    return NULL;
}

/* Stops the part's parser with a fatal problem (first one wins), in x->lang. */
static void fail(struct xr *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct xr *x, const char *fmt, ...)
{
    if (!x->stopped) {
        va_list ap;
        va_start(ap, fmt);
        char msg[256];
        vsnprintf(msg, sizeof(msg), msg_tr(x->lang, fmt), ap);
        va_end(ap);
        *x->fatal = arena_strdup(x->a, msg);
        x->err = RP_EINVAL;
        x->stopped = true;
    }
    XML_StopParser(x->p, XML_FALSE);
}

static void stop_with(struct xr *x, enum rp_err err)
{
    if (!x->stopped) {
        x->err = err;
        x->stopped = true;
    }
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL no_dtd(void *ud, const XML_Char *name, const XML_Char *sysid,
                           const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    struct xr *x = ud;
    fail(x, "%s declares a DTD, which workbooks never do: the file is refused", x->part);
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void collect(struct xr *x, const XML_Char *s, int len)
{
    if (!x->text_big && buf_add(&x->text, s, (size_t)len))
        x->text_big = true;
}

/* Opens part `name` and feeds it to a parser with these handlers. A missing part is
 * RP_ENOTFOUND when optional, else fatal. */
static enum rp_err parse_part(struct xr *x, const char *name, uint64_t cap, bool optional,
                              XML_StartElementHandler start, XML_EndElementHandler end,
                              XML_CharacterDataHandler chars)
{
    zip_int64_t idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
    if (idx < 0) {
        if (optional)
            return RP_ENOTFOUND;
        *x->fatal = arena_printf(x->a, msg_tr(x->lang, "the workbook has no %s: it is not an .xlsx"
                                                         " file"), name);
        return RP_EINVAL;
    }
    zip_stat_t st;
    if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) != 0 ||
        ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)) {
        *x->fatal = msg_tr(x->lang, "the workbook is encrypted: save it without a password and"
                                    " import it again");
        return RP_EINVAL;
    }
    zip_file_t *zf = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
    if (!zf) {
        *x->fatal = arena_printf(x->a, msg_tr(x->lang, "%s cannot be unpacked (an unusual"
                                                       " compression?): save the workbook"
                                                       " again with Excel or LibreOffice"),
                                 name);
        return RP_EINVAL;
    }
    XML_Parser p = XML_ParserCreateNS(NULL, '|');
    char *chunk = malloc(CHUNK);
    if (!p || !chunk) {
        if (p)
            XML_ParserFree(p);
        free(chunk);
        zip_fclose(zf);
        return RP_ENOMEM;
    }
    x->p = p;
    x->part = name;
    x->stopped = false;
    x->err = RP_OK;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, chars);
    XML_SetStartDoctypeDeclHandler(p, no_dtd);
    uint64_t got = 0;
    enum rp_err err = RP_OK;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, CHUNK);
        if (n < 0) {
            *x->fatal = arena_printf(x->a, msg_tr(x->lang, "%s is damaged (the ZIP data does"
                                                           " not unpack)"), name);
            err = RP_EINVAL;
            break;
        }
        got += (uint64_t)n;
        x->total += (uint64_t)n;
        if (got > cap || x->total > RP_MAX_XLSX_TOTAL) {
            if (got > cap)
                *x->fatal = arena_printf(x->a, msg_tr(x->lang, "%s unpacks to more than %llu MiB:"
                                                               " the file is refused (split the"
                                                               " sheet into several files)"),
                                         name, (unsigned long long)cap >> 20);
            else
                *x->fatal = arena_printf(x->a, msg_tr(x->lang, "the workbook unpacks to more than"
                                                               " %llu MiB: the file is refused"
                                                               " (split the sheet into several"
                                                               " files)"),
                                         (unsigned long long)RP_MAX_XLSX_TOTAL >> 20);
            err = RP_EINVAL;
            break;
        }
        if (XML_Parse(p, chunk, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (x->stopped) {
                err = x->err;
            } else {
                /* expat's words for what is wrong stay English. */
                *x->fatal = arena_printf(x->a, msg_tr(x->lang, "%s, line %lu: %s"), name,
                                         (unsigned long)XML_GetCurrentLineNumber(p),
                                         XML_ErrorString(XML_GetErrorCode(p)));
                err = RP_EINVAL;
            }
            break;
        }
        if (n == 0)
            break;
    }
    free(chunk);
    XML_ParserFree(p);
    x->p = NULL;
    zip_fclose(zf);
    return err;
}

/* The directory of a part name, with its slash ("xl/" of "xl/workbook.xml"). */
static const char *part_dir(struct arena *a, const char *name)
{
    const char *s = strrchr(name, '/');
    return s ? arena_strndup(a, name, (size_t)(s - name) + 1) : "";
}

/* A relationship's target as a part name: absolute ("/xl/…") or relative to dir. */
static const char *target_part(struct xr *x, const char *dir, const char *target)
{
    if (target[0] == '/')
        return arena_strdup(x->a, target + 1);
    while (strncmp(target, "../", 3) == 0 && *dir) {
        size_t n = strlen(dir) - 1; /* drop the last directory */
        while (n > 0 && dir[n - 1] != '/')
            n--;
        dir = arena_strndup(x->a, dir, n);
        target += 3;
    }
    return arena_printf(x->a, "%s%s", dir, target);
}

static bool type_is(const char *type, const char *suffix)
{
    size_t n = strlen(type), k = strlen(suffix);
    return n >= k && strcmp(type + n - k, suffix) == 0;
}

static void XMLCALL no_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

static void XMLCALL no_chars(void *ud, const XML_Char *s, int len)
{
    (void)ud, (void)s, (void)len;
}

/* _rels/.rels: where the workbook is. */
static void XMLCALL root_rel(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (is(name, "Relationship") && type && target && type_is(type, "/officeDocument"))
        x->workbook = target_part(x, "", target);
}

/* xl/workbook.xml: the first sheet's relationship and the date system. */
static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    if (is(name, "workbookPr")) {
        const char *v = attr(atts, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (is(name, "sheet") && !x->sheet_rid) {
        const char *rid = attr(atts, "id");
        if (rid)
            x->sheet_rid = arena_strdup(x->a, rid);
    }
}

/* xl/_rels/workbook.xml.rels: the parts of the first sheet, strings and styles. */
static void XMLCALL workbook_rel(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (!is(name, "Relationship") || !id || !type || !target)
        return;
    const char *dir = part_dir(x->a, x->workbook);
    if (x->sheet_rid && strcmp(id, x->sheet_rid) == 0)
        x->sheet = target_part(x, dir, target);
    else if (type_is(type, "/sharedStrings"))
        x->strings = target_part(x, dir, target);
    else if (type_is(type, "/styles"))
        x->styles = target_part(x, dir, target);
}

/* ---- shared strings: <si> holds <t>, or runs <r><t>; <rPh> is phonetic ---- */

static void XMLCALL ss_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "si") == 0) {
        x->in_si = true;
        buf_reset(&x->text);
        x->text_big = false;
    } else if (strcmp(l, "rPh") == 0) {
        x->in_rph = true;
    } else if (strcmp(l, "t") == 0 && x->in_si && !x->in_rph) {
        x->in_t = true;
    }
}

static void XMLCALL ss_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(l, "rPh") == 0) {
        x->in_rph = false;
    } else if (strcmp(l, "si") == 0 && x->in_si) {
        x->in_si = false;
        if (x->text_big) {
            fail(x, "a text in the workbook is longer than %u KiB", RP_MAX_IMPORT_FIELD / 1024);
            return;
        }
        if (x->nss == RP_MAX_XLSX_STRINGS) {
            fail(x, "the workbook has more than %u texts", RP_MAX_XLSX_STRINGS);
            return;
        }
        if (x->nss == x->sscap)
            x->ss = arena_grow(x->a, x->ss, &x->sscap, sizeof(*x->ss));
        x->ss[x->nss++] = (struct rp_str){arena_strndup(x->a, buf_cstr(&x->text), x->text.len),
                                          x->text.len};
    }
}

static void XMLCALL ss_chars(void *ud, const XML_Char *s, int len)
{
    struct xr *x = ud;
    if (x->in_t)
        collect(x, s, len);
}

/* ---- styles: custom number formats, and each cell style's format ---- */

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "numFmt") == 0 && x->nnumfmts < MAX_NUMFMTS) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        long v;
        if (id && code && parse_long(id, 0, INT32_MAX, &v)) {
            x->numfmt_id[x->nnumfmts] = (int)v;
            x->numfmt_code[x->nnumfmts++] = arena_strdup(x->a, code);
        }
    } else if (strcmp(l, "cellXfs") == 0) {
        x->in_cellxfs = true;
    } else if (strcmp(l, "xf") == 0 && x->in_cellxfs && x->nxf < RP_MAX_XLSX_STYLES) {
        const char *id = attr(atts, "numFmtId");
        long v = 0;
        x->xf_fmt[x->nxf++] = id && parse_long(id, 0, INT32_MAX, &v) ? (int)v : 0;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    if (is(name, "cellXfs"))
        x->in_cellxfs = false;
}

/* ---- the sheet ---- */

/* "AB12" → column 27 (0-based 27), false past XFD or without letters. */
static bool ref_col(const char *r, int64_t *col)
{
    int64_t c = 0;
    size_t i = 0;
    for (; (r[i] >= 'A' && r[i] <= 'Z') || (r[i] >= 'a' && r[i] <= 'z'); i++) {
        c = c * 26 + ((r[i] | 0x20) - 'a' + 1);
        if (c > MAX_COL)
            return false;
    }
    *col = c - 1;
    return i > 0;
}

static enum rp_err put_cell(struct xr *x, int64_t col, const char *s, size_t n)
{
    if (col >= (int64_t)RP_MAX_IMPORT_COLUMNS) {
        x->extra += n > 0;
        return RP_OK;
    }
    if (n == 0)
        return RP_OK;
    while (x->ncells < (size_t)col) { /* the gap before it: empty cells */
        x->off[x->ncells] = x->row.len;
        x->len[x->ncells++] = 0;
        if (buf_addc(&x->row, '\0'))
            return RP_ETOOBIG;
    }
    x->off[x->ncells] = x->row.len;
    x->len[x->ncells++] = n;
    if (buf_add(&x->row, s, n) || buf_addc(&x->row, '\0'))
        return RP_ETOOBIG;
    return RP_OK;
}

/* The cell's text from its type, style and collected value. */
static void end_cell(struct xr *x)
{
    const char *v = buf_cstr(&x->text);
    size_t n = x->text.len;
    char num[64];
    const char *t = x->ctype;
    if (x->text_big)
        x->row_big = true;
    if (strcmp(t, "s") == 0 && n) {
        long k;
        if (!parse_long(v, 0, (long)x->nss - 1, &k)) {
            fail(x, "row %lld: a cell refers to a text the workbook does not have",
                 (long long)x->row_num);
            return;
        }
        v = x->ss[k].p;
        n = x->ss[k].len;
    } else if (strcmp(t, "b") == 0 && n) {
        v = strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ? "true" : "false";
        n = strlen(v);
    } else if ((t[0] == '\0' || strcmp(t, "n") == 0) && n) {
        enum xlsx_numfmt kind = x->cstyle >= 0 && (size_t)x->cstyle < x->nxf
                                    ? (enum xlsx_numfmt)x->xf_kind[x->cstyle]
                                    : XLSX_NUMBER;
        char *end;
        double d = strtod(v, &end);
        char pct[40];
        if (kind == XLSX_PERCENT && !*end && isfinite(d)) {
            /* Scaled in decimal, not binary: 0.07 is "7", not "7.000000000000001". */
            snprintf(pct, sizeof(pct), "%.13g", d * 100);
            if (xlsx_number_text(pct, num, sizeof(num) - 1)) {
                n = strlen(num);
                num[n++] = '%';
                num[n] = '\0';
                v = num;
            }
        } else if (kind != XLSX_NUMBER && !*end &&
                   xlsx_serial_text(d, x->date1904, kind, num, sizeof(num))) {
            v = num;
            n = strlen(num);
        } else if (xlsx_number_text(v, num, sizeof(num))) {
            v = num;
            n = strlen(num);
        }
    } /* str (a formula's text), inlineStr, e (#N/A …), d (ISO 8601): the text itself */
    enum rp_err err = put_cell(x, x->col, v, n);
    if (err == RP_ETOOBIG)
        x->row_big = true;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "sheetData") == 0) {
        x->in_data = true;
    } else if (!x->in_data) {
        return;
    } else if (strcmp(l, "row") == 0) {
        const char *r = attr(atts, "r");
        long num = (long)x->row_num + 1;
        if (r && !parse_long(r, 1, MAX_ROW, &num)) {
            fail(x, "a row is numbered \"%.20s\", outside the sheet", r);
            return;
        }
        if (num <= x->row_num || num > MAX_ROW) {
            fail(x, "row %ld comes after row %lld: the sheet is damaged", num,
                 (long long)x->row_num);
            return;
        }
        x->row_num = num;
        x->col = -1;
        x->ncells = x->extra = 0;
        x->row_big = false;
        buf_reset(&x->row);
    } else if (strcmp(l, "c") == 0) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        int64_t col = x->col + 1;
        if (r && !ref_col(r, &col)) {
            fail(x, "row %lld: a cell is placed at \"%.20s\", outside the sheet",
                 (long long)x->row_num, r);
            return;
        }
        if (col <= x->col || col >= MAX_COL) {
            fail(x, "row %lld: the cells are out of order: the sheet is damaged",
                 (long long)x->row_num);
            return;
        }
        x->col = col;
        snprintf(x->ctype, sizeof(x->ctype), "%s", t ? t : "");
        long st = -1;
        x->cstyle = s && parse_long(s, 0, RP_MAX_XLSX_STYLES, &st) ? st : -1;
        buf_reset(&x->text);
        x->text_big = false;
    } else if (strcmp(l, "v") == 0) {
        x->in_v = true;
    } else if (strcmp(l, "is") == 0) {
        x->in_is = true;
    } else if (strcmp(l, "rPh") == 0) {
        x->in_rph = true;
    } else if (strcmp(l, "t") == 0 && x->in_is && !x->in_rph) {
        x->in_t = true;
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (!x->in_data)
        return;
    if (strcmp(l, "v") == 0) {
        x->in_v = false;
    } else if (strcmp(l, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(l, "rPh") == 0) {
        x->in_rph = false;
    } else if (strcmp(l, "is") == 0) {
        x->in_is = false;
    } else if (strcmp(l, "c") == 0) {
        end_cell(x);
    } else if (strcmp(l, "row") == 0) {
        if (x->ncells == 0 && x->extra == 0)
            return; /* an empty row (styled, or its cells blank) */
        for (size_t i = 0; i < x->ncells; i++)
            x->cells[i] = (struct rp_str){buf_cstr(&x->row) + x->off[i], x->len[i]};
        struct xlsx_row row = {x->row_num, x->cells, x->ncells, x->extra, x->row_big};
        enum rp_err err = x->fn(x->cls, &row);
        if (err)
            stop_with(x, err);
    } else if (strcmp(l, "sheetData") == 0) {
        x->in_data = false;
    }
}

static void XMLCALL sheet_chars(void *ud, const XML_Char *s, int len)
{
    struct xr *x = ud;
    if (x->in_v || x->in_t)
        collect(x, s, len);
}

/* ---- driving ---- */

static enum rp_err open_zip(struct xr *x, const char *mem, size_t len, FILE *f)
{
    unsigned char magic[4] = {0};
    if (mem) {
        memcpy(magic, mem, len < 4 ? len : 4);
    } else {
        rewind(f);
        if (fread(magic, 1, 4, f) != 4)
            memset(magic, 0, 4);
        rewind(f);
    }
    if (memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0) {
        *x->fatal = msg_tr(x->lang, "the file is an encrypted workbook or an old .xls: save it"
                                    " as .xlsx without a password");
        return RP_EINVAL;
    }
    if (memcmp(magic, "PK\x03\x04", 4) != 0) {
        *x->fatal = msg_tr(x->lang, "the file is not an .xlsx workbook (a ZIP archive)");
        return RP_EINVAL;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *zs = NULL;
    if (mem) {
        zs = zip_source_buffer_create(mem, len, 0, &ze);
    } else {
        /* libzip closes the stream it is given: give it its own. */
        int fd = dup(fileno(f));
        FILE *own = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (!own && fd >= 0)
            close(fd);
        zs = own ? zip_source_filep_create(own, 0, -1, &ze) : NULL;
        if (!zs && own)
            fclose(own);
    }
    if (zs)
        x->z = zip_open_from_source(zs, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (zs && !x->z)
        zip_source_free(zs);
    zip_error_fini(&ze);
    if (!x->z) {
        *x->fatal = msg_tr(x->lang, "the .xlsx file is damaged (its ZIP directory cannot be"
                                    " read)");
        return RP_EINVAL;
    }
    return RP_OK;
}

enum rp_err xlsx_read(const char *mem, size_t len, FILE *f, xlsx_row_fn fn, void *cls,
                      struct arena *a, enum rp_lang lang, const char **fatal)
{
    *fatal = NULL;
    struct xr *x = calloc(1, sizeof(*x));
    if (!x)
        return RP_ENOMEM;
    x->a = a;
    x->lang = lang;
    x->fatal = fatal;
    x->fn = fn;
    x->cls = cls;
    buf_init(&x->text, RP_MAX_IMPORT_FIELD);
    /* A row's cells, each at the field limit, would be abuse: 8 MiB is plenty. */
    buf_init(&x->row, (size_t)8 * 1024 * 1024 + RP_MAX_IMPORT_COLUMNS);
    enum rp_err err = open_zip(x, mem, len, f);
    if (!err)
        err = parse_part(x, "_rels/.rels", RP_MAX_XLSX_PART, true, root_rel, no_end, no_chars);
    if (err == RP_ENOTFOUND || (!err && !x->workbook)) {
        x->workbook = "xl/workbook.xml";
        err = RP_OK;
    }
    if (!err)
        err = parse_part(x, x->workbook, RP_MAX_XLSX_PART, false, workbook_start, no_end, no_chars);
    if (!err && !x->sheet_rid) {
        *fatal = msg_tr(lang, "the workbook has no worksheet");
        err = RP_EINVAL;
    }
    if (!err) {
        const char *dir = part_dir(a, x->workbook);
        const char *base = strrchr(x->workbook, '/') ? strrchr(x->workbook, '/') + 1 : x->workbook;
        err = parse_part(x, arena_printf(a, "%s_rels/%s.rels", dir, base), RP_MAX_XLSX_PART,
                         false, workbook_rel, no_end, no_chars);
    }
    if (!err && !x->sheet) {
        *fatal = msg_tr(lang, "the workbook's first sheet is missing from the file");
        err = RP_EINVAL;
    }
    if (!err && x->strings) {
        err = parse_part(x, x->strings, RP_MAX_XLSX_STRINGS_XML, true, ss_start, ss_end, ss_chars);
        err = err == RP_ENOTFOUND ? RP_OK : err;
    }
    if (!err && x->styles) {
        x->xf_fmt = arena_calloc(a, RP_MAX_XLSX_STYLES, sizeof(*x->xf_fmt));
        err = parse_part(x, x->styles, RP_MAX_XLSX_PART, true, styles_start, styles_end, no_chars);
        err = err == RP_ENOTFOUND ? RP_OK : err;
        x->xf_kind = arena_calloc(a, x->nxf + 1, 1);
        for (size_t i = 0; i < x->nxf; i++) {
            const char *code = NULL;
            for (size_t k = 0; k < x->nnumfmts; k++)
                if (x->numfmt_id[k] == x->xf_fmt[i])
                    code = x->numfmt_code[k];
            /* A custom format may redefine a built-in id: its code decides then. */
            x->xf_kind[i] = (unsigned char)(code ? xlsx_numfmt_kind(-1, code)
                                                 : xlsx_numfmt_kind(x->xf_fmt[i], NULL));
        }
    }
    if (!err) {
        x->in_rph = x->in_t = false;
        err = parse_part(x, x->sheet, RP_MAX_XLSX_SHEET, false, sheet_start, sheet_end,
                         sheet_chars);
    }
    if (x->z)
        zip_discard(x->z);
    buf_release(&x->text);
    buf_release(&x->row);
    free(x);
    return err;
}
