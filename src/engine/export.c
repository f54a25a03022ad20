/* Exports (export.h): a keyset-paged walk of a list, written as CSV, XLSX, vCard or
 * iCalendar, audited when it ends. */
#include "core/common.h"

#include <libical/ical.h>
#include <xlsxwriter.h>

#include "core/buf.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/json.h"
#include "engine/export.h"
#include "engine/module.h"
#include "engine/secev.h"
#include "engine/rec_int.h"
#include "store/platform.h"

/* Titles of referenced records remembered per export before the cache starts over. */
#define TITLE_CACHE 256u
/* XLSX sheets end at 1,048,576 rows, the header included. */
#define XLSX_MAX_ROWS 1048575

struct title {
    const char *id;
    const char *title;
};

struct exp {
    struct store *store;
    const struct entity_def *e;
    const struct rec_exporter *format;
    struct principal who;
    struct rec_ctx ctx;
    struct arena a;          /* the export's own memory */
    struct arena page;       /* one page of rows */
    struct arena titles_a;
    struct title titles[TITLE_CACHE];
    struct rec_param *params;
    size_t nparams;          /* parameters, plus room for limit and cursor */
    const char *query;       /* the parameters as text, for the audit row */
    char *cursor;            /* heap: next page's cursor, NULL before the first */
    const struct rec *rows;  /* exp_open_rows: the rows, borrowed */
    size_t nrows;
    bool started;
    bool finished;
    bool audited;
    int64_t nwritten;
};

/* ---- opening ---- */

static void copy_principal(struct arena *a, const struct principal *from, struct principal *to)
{
    memset(to, 0, sizeof(*to));
    to->user_id = arena_strdup(a, from->user_id);
    to->username = from->username ? arena_strdup(a, from->username) : NULL;
    to->team_ids = from->team_ids ? arena_strdup(a, from->team_ids) : "[]";
    to->role = arena_strdup(a, from->role);
}

static struct exp *exp_new(struct rec_ctx *ctx, const struct entity_def *e,
                           const struct rec_exporter *f)
{
    struct exp *x = calloc(1, sizeof(*x));
    RP_ASSERT(x);
    arena_init(&x->a);
    arena_init(&x->page);
    arena_init(&x->titles_a);
    x->store = ctx->store;
    x->e = e;
    x->format = f;
    rec_ctx_init(&x->ctx, ctx->store, ctx->conn, &x->a, NULL);
    x->ctx.system = ctx->system;
    if (ctx->who) {
        copy_principal(&x->a, ctx->who, &x->who);
        x->who.mem = &x->a; /* the caller's scope is loaded once, not per page */
        x->ctx.who = &x->who;
    }
    return x;
}

static void exp_free(struct exp *x)
{
    arena_release(&x->page);
    arena_release(&x->titles_a);
    arena_release(&x->a);
    free(x->cursor);
    free(x);
}

enum rp_err exp_open(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_exporter *f,
                     const struct rec_param *params, size_t n, struct exp **out)
{
    *out = NULL;
    if (rec_scope(ctx, e, ACL_EXPORT) == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not export %s", e->label_plural);
    struct exp *x = exp_new(ctx, e, f);
    x->params = arena_calloc(&x->a, n + 2, sizeof(*x->params));
    struct rp_buf q;
    buf_init(&q, RP_MAX_SQL);
    for (size_t i = 0; i < n; i++) {
        if (rp_str_eqc(params[i].key, "limit") || rp_str_eqc(params[i].key, "cursor")) {
            buf_release(&q);
            exp_free(x);
            return rec_bad_request(ctx, "an export takes every row: no limit or cursor");
        }
        struct rp_str k = params[i].key, v = params[i].value;
        x->params[i].key = (struct rp_str){arena_strndup(&x->a, k.p, k.len), k.len};
        x->params[i].value = (struct rp_str){arena_strndup(&x->a, v.p, v.len), v.len};
        buf_printf(&q, "%s%.*s=%.*s", i ? "&" : "", (int)k.len, k.p, (int)v.len, v.p);
    }
    x->nparams = n;
    x->query = arena_strndup(&x->a, buf_cstr(&q), q.len);
    buf_release(&q);
    /* Parse once now, so a bad filter is an error before anything is sent. */
    struct rec_query *rq;
    enum rp_err err = rec_query_parse(ctx, e, x->params, n, &rq);
    if (err) {
        exp_free(x);
        return err;
    }
    *out = x;
    return RP_OK;
}

enum rp_err exp_open_rows(struct rec_ctx *ctx, const struct entity_def *e,
                          const struct rec_exporter *f, const struct rec *rows, size_t n,
                          const char *label, struct exp **out)
{
    *out = NULL;
    if (!ctx->who)
        return RP_EAUTH;
    struct exp *x = exp_new(ctx, e, f);
    x->rows = rows;
    x->nrows = n;
    x->query = arena_strdup(&x->a, label);
    *out = x;
    return RP_OK;
}

const char *exp_detail(const struct exp *x)
{
    return x->ctx.detail;
}

int64_t exp_rows(const struct exp *x)
{
    return x->nwritten;
}

/* ---- values ---- */

/* Characters a spreadsheet skips before it decides whether a cell is a formula, or
 * that a reader cannot see: whitespace, no-break and other Unicode spaces, zero-width
 * characters, direction marks, the byte-order mark. */
static bool invisible(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0xAD ||
           cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x2064) ||
           cp == 0x3000 || cp == 0xFEFF;
}

/* A character that starts a formula (= + - @, | for DDE), full-width forms as their
 * ASCII twins. */
static bool formula_start(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFF01 - 0x21;
    return cp == '=' || cp == '+' || cp == '-' || cp == '@' || cp == '|';
}

/* "+" then only digits, blanks, dashes and parentheses, with a digit: a phone number,
 * which no spreadsheet can run (it calls no function and reaches no other program). */
static bool phone_number(struct rp_str v, size_t plus)
{
    bool digit = false;
    for (size_t i = plus + 1; i < v.len; i++) {
        char c = v.p[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != ' ' && c != '-' && c != '(' && c != ')')
            return false;
    }
    return digit;
}

bool exp_needs_neutralising(struct rp_str v)
{
    /* Leading apostrophes are skipped first: "=x" gets one apostrophe and "'=x" another,
     * so import's single strip (imp_unneutralise) gives back exactly what was stored. */
    size_t i = 0;
    while (i < v.len && v.p[i] == '\'')
        i++;
    while (i < v.len) {
        size_t at = i;
        uint32_t cp = text_utf8_next(v.p, v.len, &i);
        if (invisible(cp))
            continue;
        return formula_start(cp) && !(cp == '+' && phone_number(v, at));
    }
    return false;
}

static bool is_text_type(enum field_type t)
{
    return t == FT_STRING || t == FT_TEXT || t == FT_EMAIL || t == FT_PHONE || t == FT_URL ||
           t == FT_ENUM;
}

enum rp_err exp_csv_field(struct rp_buf *b, struct rp_str v, bool text)
{
    bool neutral = text && exp_needs_neutralising(v);
    bool quote = neutral && (v.p[0] == '\t' || v.p[0] == '\r');
    for (size_t i = 0; i < v.len && !quote; i++)
        quote = v.p[i] == ',' || v.p[i] == '"' || v.p[i] == '\r' || v.p[i] == '\n';
    if (v.len && (v.p[0] == ' ' || v.p[v.len - 1] == ' '))
        quote = true;
    enum rp_err err = quote ? buf_addc(b, '"') : RP_OK;
    if (!err && neutral)
        err = buf_addc(b, '\'');
    for (size_t i = 0; i < v.len && !err; i++)
        err = v.p[i] == '"' ? buf_add(b, "\"\"", 2) : buf_addc(b, v.p[i]);
    if (!err && quote)
        err = buf_addc(b, '"');
    return err;
}

/* The title of a referenced record the caller can read, else its id. */
static const char *ref_title(struct exp *x, const struct field_def *f, const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    struct title *t = &x->titles[h % TITLE_CACHE];
    if (t->id && strcmp(t->id, id) == 0)
        return t->title;
    if (x->titles_a.total > (size_t)1024 * 1024) {
        arena_release(&x->titles_a);
        memset(x->titles, 0, sizeof(x->titles));
    }
    const struct entity_def *re = meta_entity(rp_str_c(f->ref_entity));
    struct rec r;
    const char *title = id;
    if (re && rec_get(&x->ctx, re, rp_str_c(id), &r) == RP_OK) {
        const struct rec_value *v = rec_field(&r, re->title_field);
        if (!v->null)
            title = v->s;
    }
    t->id = arena_strdup(&x->titles_a, id);
    t->title = arena_strdup(&x->titles_a, title);
    return t->title;
}

/* A list's stored JSON array of simple strings as "a;b". */
static const char *list_text(struct arena *a, const char *json, size_t len)
{
    struct rp_str *items;
    size_t n;
    if (json_read_list(a, (struct rp_str){json, len}, RP_MAX_IN_VALUES, &items, &n))
        return "";
    struct rp_buf b;
    buf_init(&b, len + 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_addc(&b, ';');
        buf_add(&b, items[i].p, items[i].len);
    }
    const char *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    return out;
}

/* A field's export text: API text form, titles for references, "a;b" for lists. */
static const char *cell_text(struct exp *x, const struct field_def *f, const struct rec_value *v)
{
    if (v->null)
        return NULL;
    if (f->type == FT_REF)
        return ref_title(x, f, v->s);
    if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF)
        return list_text(x->ctx.a, v->s, v->len);
    return rec_value_text(x->ctx.a, f, v);
}

/* Whether field i is a column of the export: not a password, nor one the caller's
 * role hides. */
static bool exported(struct exp *x, size_t i)
{
    return x->e->fields[i].type != FT_PASSWORD &&
           rec_field_rule(&x->ctx, x->e, i) != ACL_FIELD_HIDDEN;
}

/* ---- pages ---- */

static enum rp_err next_page(struct exp *x, struct rec_page *page)
{
    arena_release(&x->page);
    x->ctx.a = &x->page;
    enum rp_err err = store_conn_get(x->store, &x->ctx.conn);
    if (err)
        return err;
    if (x->rows) {
        *page = (struct rec_page){.rows = (struct rec *)(uintptr_t)x->rows, .nrows = x->nrows};
        x->finished = true;
        return RP_OK;
    }
    char limit[16];
    snprintf(limit, sizeof(limit), "%u", RP_EXPORT_PAGE);
    size_t n = x->nparams;
    x->params[n++] = (struct rec_param){RP_STR("limit"), rp_str_c(limit)};
    if (x->cursor)
        x->params[n++] = (struct rec_param){RP_STR("cursor"), rp_str_c(x->cursor)};
    struct rec_query *q;
    err = rec_query_parse(&x->ctx, x->e, x->params, n, &q);
    if (!err) {
        rec_query_for_export(q);
        err = rec_list(&x->ctx, x->e, q, page);
    }
    if (err)
        return err;
    free(x->cursor);
    x->cursor = page->next_cursor ? strdup(page->next_cursor) : NULL;
    RP_ASSERT(!page->next_cursor || x->cursor);
    x->finished = !page->next_cursor;
    return RP_OK;
}

/* ---- CSV ---- */

static enum rp_err csv_header(struct exp *x, struct rp_buf *b)
{
    enum rp_err err = buf_add(b, "\xEF\xBB\xBF", 3); /* spreadsheets read UTF-8 by it */
    bool first = true;
    for (size_t i = 0; i < x->e->nfields && !err; i++) {
        if (!exported(x, i))
            continue;
        if (!first)
            err = buf_addc(b, ',');
        first = false;
        if (!err)
            err = exp_csv_field(b, rp_str_c(x->e->fields[i].name), false);
    }
    return err ? err : buf_add(b, "\r\n", 2);
}

static enum rp_err csv_row(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    enum rp_err err = RP_OK;
    bool first = true;
    for (size_t i = 0; i < x->e->nfields && !err; i++) {
        const struct field_def *f = &x->e->fields[i];
        if (!exported(x, i))
            continue;
        if (!first)
            err = buf_addc(b, ',');
        first = false;
        const char *t = cell_text(x, f, &r->v[i]);
        if (t && !err)
            err = exp_csv_field(b, rp_str_c(t), is_text_type(f->type));
    }
    return err ? err : buf_add(b, "\r\n", 2);
}

static enum rp_err csv_record(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    return csv_row(x, r, b);
}

/* ---- formats ---- */

static const struct rec_exporter BUILTIN[] = {
    {.format = "csv", .content_type = "text/csv; charset=utf-8", .begin = csv_header,
     .record = csv_record},
    {.format = "xlsx",
     .content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

enum rp_err exp_format(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str name,
                       const struct rec_exporter **out)
{
    for (size_t i = 0; i < RP_NELEM(BUILTIN); i++)
        if (rp_str_eqc(name, BUILTIN[i].format)) {
            *out = &BUILTIN[i];
            return RP_OK;
        }
    const struct rec_exporter *other = NULL;
    for (size_t m = 0; m < rp_nmodules; m++)
        for (size_t k = 0; k < rp_modules[m]->nexporters; k++) {
            const struct rec_exporter *f = &rp_modules[m]->exporters[k];
            if (!rp_str_eqc(name, f->format))
                continue;
            if (!f->entity || strcmp(f->entity, e->name) == 0) {
                *out = f;
                return RP_OK;
            }
            other = f;
        }
    if (other)
        return rec_bad_request(ctx, "%s export is for %s", other->format, other->entity);
    return rec_bad_request(ctx, "format must be csv or xlsx, or one a module adds (vcf, ics)");
}

const char *exp_text(struct exp *x, const struct rec *r, const char *field)
{
    const struct field_def *f = meta_field(r->ent, rp_str_c(field));
    return f ? cell_text(x, f, rec_field(r, field)) : NULL;
}

struct arena *exp_arena(struct exp *x)
{
    return x->ctx.a;
}

/* ---- driving ---- */

/* Audits the export once: who, what, how many rows. Data leaving the system is also a
 * security event, and counts toward the caller's customer-data alert. */
static enum rp_err audit(struct exp *x)
{
    if (x->audited)
        return RP_OK;
    x->audited = true;
    enum rp_err err = store_conn_get(x->store, &x->ctx.conn);
    arena_release(&x->page);
    x->ctx.a = &x->page;
    char id[RP_ID_LEN + 1], now[32], rows[32];
    if (!err)
        err = ids_uuid7(id);
    text_format_datetime(text_now_ms(), now, sizeof(now));
    snprintf(rows, sizeof(rows), "%lld", (long long)x->nwritten);
    struct store_audit row = {now, x->ctx.who ? x->ctx.who->user_id : NULL, x->e->name, id,
                              "export", x->format->format, store_cstr(x->query),
                              store_cstr(rows)};
    if (!err)
        err = rec_tx_begin(&x->ctx);
    if (!err) {
        enum rp_err werr = store_audit_add(x->ctx.conn, &row);
        if (!werr)
            werr = secev_add(&x->ctx, NULL, "export", x->e->name, id, "success",
                             arena_printf(x->ctx.a, "format=%s rows=%s",
                                          x->format->format, rows));
        err = rec_tx_end(&x->ctx, werr);
    }
    if (!err)
        secev_customer_data(&x->ctx, x->e, NULL, x->nwritten);
    return err;
}

enum rp_err exp_next(struct exp *x, struct rp_buf *out, bool *done)
{
    *done = false;
    enum rp_err err = RP_OK;
    if (!x->started) {
        x->started = true;
        return x->format->begin ? x->format->begin(x, out) : RP_OK;
    }
    if (x->finished) {
        *done = true; /* the trailer goes out with the last piece */
        err = x->format->end ? x->format->end(x, out) : RP_OK;
        /* Audited before the client can have it all, not after the connection is done
         * with it: whoever has read an export finds it in the log. */
        return err ? err : audit(x);
    }
    struct rec_page page;
    err = next_page(x, &page);
    for (size_t i = 0; i < page.nrows && !err; i++) {
        err = x->format->record(x, &page.rows[i], out);
        x->nwritten++;
    }
    return err;
}

static void xlsx_cell(struct exp *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const struct field_def *f, const struct rec_value *v, lxw_format **fmt)
{
    if (v->null)
        return;
    switch (f->type) {
    case FT_MONEY:
        worksheet_write_number(ws, row, col, (double)v->i / 100.0, fmt[0]);
        return;
    case FT_INT:
    case FT_PERCENT:
        worksheet_write_number(ws, row, col, (double)v->i, NULL);
        return;
    case FT_BOOL:
        worksheet_write_boolean(ws, row, col, (int)v->i, NULL);
        return;
    case FT_DATE:
    case FT_DATETIME: {
        int64_t ms = 0, days = 0;
        if (f->type == FT_DATE)
            text_parse_date((struct rp_str){v->s, v->len}, &days);
        else
            text_parse_datetime((struct rp_str){v->s, v->len}, &ms);
        /* Excel's serial date: days since 1899-12-30, the time as a fraction. */
        double serial = f->type == FT_DATE ? (double)days + 25569.0
                                           : (double)ms / 86400000.0 + 25569.0;
        worksheet_write_number(ws, row, col, serial, fmt[f->type == FT_DATE ? 1 : 2]);
        return;
    }
    default: {
        const char *t = cell_text(x, f, v);
        struct rp_str s = rp_str_c(t);
        if (is_text_type(f->type) && exp_needs_neutralising(s))
            t = arena_printf(x->ctx.a, "'%s", t);
        worksheet_write_string(ws, row, col, t, NULL);
        return;
    }
    }
}

enum rp_err exp_xlsx(struct exp *x, const char *path)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return RP_EIO;
    lxw_worksheet *ws = workbook_add_worksheet(wb, x->e->label_plural);
    lxw_format *fmt[3] = {workbook_add_format(wb), workbook_add_format(wb),
                          workbook_add_format(wb)};
    format_set_num_format(fmt[0], "#,##0.00");
    format_set_num_format(fmt[1], "yyyy-mm-dd");
    format_set_num_format(fmt[2], "yyyy-mm-dd hh:mm:ss");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_col_t col = 0;
    for (size_t i = 0; i < x->e->nfields; i++)
        if (exported(x, i))
            worksheet_write_string(ws, 0, col++, x->e->fields[i].name, bold);
    enum rp_err err = RP_OK;
    x->started = true;
    while (!err && !x->finished) {
        struct rec_page page;
        err = next_page(x, &page);
        for (size_t r = 0; r < page.nrows && !err; r++) {
            if (x->nwritten == XLSX_MAX_ROWS) {
                err = rec_fail(&x->ctx, RP_ETOOBIG, "a worksheet holds 1,048,575 rows: use CSV");
                break;
            }
            col = 0;
            for (size_t i = 0; i < x->e->nfields; i++)
                if (exported(x, i))
                    xlsx_cell(x, ws, (lxw_row_t)(x->nwritten + 1), col++, &x->e->fields[i],
                              &page.rows[r].v[i], fmt);
            x->nwritten++;
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR && !err)
        err = RP_EIO;
    return err;
}

enum rp_err exp_close(struct exp *x)
{
    if (!x)
        return RP_OK;
    enum rp_err err = audit(x);
    exp_free(x);
    return err;
}
