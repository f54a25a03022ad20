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

/* Names of referenced records remembered from one page to the next (a direct-mapped
 * cache, started over past 1 MiB): the owners and the accounts that come back page
 * after page are read once. */
#define NAME_CACHE 1024u
#define NAME_CACHE_BYTES ((size_t)1024 * 1024)
/* XLSX sheets end at 1,048,576 rows, the header included. */
#define XLSX_MAX_ROWS 1048575

/* The name of a record, by id; name NULL: the caller may not read it. */
struct name {
    const char *id;
    const char *name;
};

/* A column of a CSV or XLSX export: a field's value, or the names of the records a
 * reference field (or the owner) points to. */
struct col {
    const struct field_def *f;  /* a field of e, or the system field owner_id */
    int field;                  /* its index in e->fields; -1 for owner_id */
    bool names;                 /* the referenced records' names, not the value */
    const char *header;
};

struct exp {
    struct store *store;
    const struct entity_def *e;
    const struct rec_exporter *format;
    struct principal who;
    struct rec_ctx ctx;
    struct arena a;          /* the export's own memory */
    struct arena page;       /* one page of rows */
    enum exp_headers headers;
    struct col *cols;        /* CSV and XLSX columns, in order */
    size_t ncols;
    struct arena names_a;    /* the cache's */
    struct name cache[NAME_CACHE];
    struct name *page_names; /* this page's referenced records, in x->page: an open */
    size_t npage_names;      /* addressing table npage_names long (a power of 2) */
    int64_t name_queries;    /* statements run to read names (for the unit tests) */
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

static void columns(struct exp *x);

static void copy_principal(struct arena *a, const struct principal *from, struct principal *to)
{
    memset(to, 0, sizeof(*to));
    to->user_id = arena_strdup(a, from->user_id);
    to->username = from->username ? arena_strdup(a, from->username) : NULL;
    to->team_ids = from->team_ids ? arena_strdup(a, from->team_ids) : "[]";
    to->role = arena_strdup(a, from->role);
    to->locale = from->locale ? arena_strdup(a, from->locale) : NULL;
}

static struct exp *exp_new(struct rec_ctx *ctx, const struct entity_def *e,
                           const struct rec_exporter *f)
{
    struct exp *x = calloc(1, sizeof(*x));
    RP_ASSERT(x);
    arena_init(&x->a);
    arena_init(&x->page);
    arena_init(&x->names_a);
    x->store = ctx->store;
    x->e = e;
    x->format = f;
    rec_ctx_init(&x->ctx, ctx->store, ctx->conn, &x->a, NULL);
    x->ctx.system = ctx->system;
    x->ctx.lang = ctx->lang;
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
    arena_release(&x->names_a);
    arena_release(&x->a);
    free(x->cursor);
    free(x);
}

enum rp_err exp_open(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_exporter *f,
                     enum exp_headers headers, const struct rec_param *params, size_t n,
                     struct exp **out)
{
    *out = NULL;
    if (rec_scope(ctx, e, ACL_EXPORT) == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not export %s", rec_labels(ctx, e));
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
    x->headers = headers;
    columns(x);
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
    columns(x);
    *out = x;
    return RP_OK;
}

bool exp_headers_parse(struct rp_str s, enum exp_headers *out)
{
    if (rp_str_eqc(s, "labels"))
        *out = EXP_LABELS;
    else if (rp_str_eqc(s, "keys"))
        *out = EXP_KEYS;
    else
        return false;
    return true;
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

/* ---- names of referenced records ---- */

static uint64_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return h;
}

/* The slot of id in this page's table: its entry, or the free one it would take. */
static struct name *page_slot(struct exp *x, const char *id)
{
    size_t mask = x->npage_names - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        struct name *s = &x->page_names[i];
        if (!s->id || strcmp(s->id, id) == 0)
            return s;
    }
}

/* How a record is named to people: its display field when it has one that is not
 * empty (a user's display name), else its title; NULL when neither can be read. */
static const char *record_name(const struct entity_def *re, const struct rec *r)
{
    if (re->display_field && meta_field(re, rp_str_c(re->display_field))) {
        const struct rec_value *v = rec_field(r, re->display_field);
        if (!v->null && v->len)
            return v->s;
    }
    const struct rec_value *t = rec_field(r, re->title_field);
    return t->null ? NULL : t->s;
}

/* Reads the names of ids[0..n) (records of re, at most RP_MAX_IN_VALUES) in one
 * statement, as the caller: what they may not read stays unnamed. Fills their slots
 * of the page table and the cache. */
static enum rp_err read_names(struct exp *x, const struct entity_def *re, const char **ids,
                              size_t n)
{
    struct rp_buf in;
    buf_init(&in, n * (RP_ID_LEN + 1) + 1);
    for (size_t i = 0; i < n; i++)
        buf_printf(&in, "%s%s", i ? "," : "", ids[i]);
    char limit[16];
    snprintf(limit, sizeof(limit), "%zu", n);
    struct rec_param p[] = {{RP_STR("id[in]"), {buf_cstr(&in), in.len}},
                            {RP_STR("limit"), rp_str_c(limit)}};
    struct rec_query *q;
    struct rec_page page = {0};
    enum rp_err err = rec_query_parse(&x->ctx, re, p, RP_NELEM(p), &q);
    if (!err) {
        x->name_queries++;
        err = rec_list(&x->ctx, re, q, &page);
    }
    buf_release(&in);
    if (err)
        return err;
    for (size_t k = 0; k < page.nrows; k++) {
        struct name *s = page_slot(x, page.rows[k].id);
        if (s->id) /* always: the rows are those asked for */
            s->name = record_name(re, &page.rows[k]);
    }
    if (x->names_a.total > NAME_CACHE_BYTES) {
        arena_release(&x->names_a);
        memset(x->cache, 0, sizeof(x->cache));
    }
    for (size_t i = 0; i < n; i++) {
        const struct name *s = page_slot(x, ids[i]);
        struct name *c = &x->cache[id_hash(ids[i]) % NAME_CACHE];
        c->id = arena_strdup(&x->names_a, s->id);
        c->name = s->name ? arena_strdup(&x->names_a, s->name) : NULL;
    }
    return RP_OK;
}

/* Whether f refers to records: a reference, a list of them, or a reference to a record
 * of any entity (named by its ref_type_field). Such a field has a names column. */
static bool refers(const struct field_def *f)
{
    return f->type == FT_REF || f->type == FT_MULTI_REF || f->ref_type_field;
}

/* The ids a value of field f holds (one, or a list's). */
static size_t value_ids(struct exp *x, const struct field_def *f, const struct rec_value *v,
                        struct rp_str **ids)
{
    static struct rp_str none;
    *ids = &none;
    if (v->null || !v->len)
        return 0;
    if (f->type != FT_MULTI_REF) {
        *ids = arena_alloc(x->ctx.a, sizeof(**ids));
        **ids = (struct rp_str){v->s, v->len};
        return 1;
    }
    size_t n;
    return json_read_list(x->ctx.a, (struct rp_str){v->s, v->len}, RP_MAX_IN_VALUES, ids, &n)
               ? 0
               : n;
}

/* The value of column c of r (owner_id is not a field: it is read off the record). */
static const struct rec_value *col_value(const struct col *c, const struct rec *r,
                                         struct rec_value *owner)
{
    if (c->field >= 0)
        return &r->v[c->field];
    *owner = (struct rec_value){.null = !r->owner_id, .s = r->owner_id,
                                .len = r->owner_id ? strlen(r->owner_id) : 0};
    return owner;
}

/* The entity the value of column c of r refers to: the field's, or for a reference to
 * any entity the one its type field names in r. NULL when none is known. */
static const struct entity_def *col_entity(const struct col *c, const struct rec *r)
{
    if (!c->f->ref_type_field)
        return c->f->ref_entity ? meta_entity(rp_str_c(c->f->ref_entity)) : NULL;
    int t = meta_field_index(r->ent, rp_str_c(c->f->ref_type_field));
    return t < 0 || r->v[t].null ? NULL : meta_entity((struct rp_str){r->v[t].s, r->v[t].len});
}

/* Ids of one entity waiting to be named, sent RP_MAX_IN_VALUES at a time. */
struct to_name {
    const struct entity_def *re;
    bool readable;
    const char **ids;
    size_t n;
};

/* Names, before a page is written, every record its names columns (and the module
 * formats' exp_text) will show: from the cache, else read for each entity in
 * statements of up to RP_MAX_IN_VALUES ids, so the statements a page costs do not
 * grow with its rows. The table lives in x->page, with the page. */
static enum rp_err name_page(struct exp *x, const struct rec *rows, size_t nrows)
{
    const struct entity_def *e = x->e;
    /* The columns that refer, the owner's first; and at most how many ids they hold
     * (a reference one, a list RP_MAX_IN_VALUES) to size the table. */
    struct col *cols = arena_calloc(x->ctx.a, e->nfields + 1, sizeof(*cols));
    size_t ncols = 0, want = 16;
    cols[ncols++] = (struct col){.f = meta_system_field(RP_STR("owner_id")), .field = -1};
    for (size_t i = 0; i < e->nfields; i++)
        if (refers(&e->fields[i]))
            cols[ncols++] = (struct col){.f = &e->fields[i], .field = (int)i};
    for (size_t r = 0; r < nrows; r++)
        for (size_t k = 0; k < ncols; k++) {
            const struct rec_value *v = cols[k].field < 0 ? NULL : &rows[r].v[cols[k].field];
            want += v && cols[k].f->type == FT_MULTI_REF && !v->null ? v->len / RP_ID_LEN + 1 : 1;
        }
    x->npage_names = 16;
    while (x->npage_names < 2 * want)
        x->npage_names *= 2;
    x->page_names = arena_calloc(x->ctx.a, x->npage_names, sizeof(*x->page_names));
    struct to_name todo[META_MAX_ENTITIES];
    size_t ntodo = 0;
    enum rp_err err = RP_OK;
    for (size_t r = 0; r < nrows && !err; r++)
        for (size_t k = 0; k < ncols && !err; k++) {
            const struct entity_def *re = col_entity(&cols[k], &rows[r]);
            if (!re)
                continue;
            struct rec_value ov;
            struct rp_str *ids;
            size_t n = value_ids(x, cols[k].f, col_value(&cols[k], &rows[r], &ov), &ids);
            struct to_name *t = NULL;
            for (size_t i = 0; i < n && !err; i++) {
                if (!ids_valid(ids[i]))
                    continue;
                const char *id = arena_strndup(x->ctx.a, ids[i].p, ids[i].len);
                struct name *s = page_slot(x, id);
                if (s->id)
                    continue;
                s->id = id;
                const struct name *c = &x->cache[id_hash(id) % NAME_CACHE];
                if (c->id && strcmp(c->id, id) == 0) {
                    /* Copied: the cache may start over before the page is written. */
                    s->name = c->name ? arena_strdup(x->ctx.a, c->name) : NULL;
                    continue;
                }
                for (size_t j = 0; j < ntodo && !t; j++)
                    if (todo[j].re == re)
                        t = &todo[j];
                if (!t) {
                    RP_ASSERT(ntodo < META_MAX_ENTITIES);
                    t = &todo[ntodo++];
                    *t = (struct to_name){re, rec_scope(&x->ctx, re, ACL_READ) != SCOPE_NONE,
                                          arena_calloc(x->ctx.a, RP_MAX_IN_VALUES,
                                                       sizeof(*t->ids)),
                                          0};
                }
                if (!t->readable)
                    continue; /* unnamed: the caller may read none of re */
                t->ids[t->n++] = id;
                if (t->n == RP_MAX_IN_VALUES) {
                    err = read_names(x, re, t->ids, t->n);
                    t->n = 0;
                }
            }
        }
    for (size_t j = 0; j < ntodo && !err; j++)
        if (todo[j].n)
            err = read_names(x, todo[j].re, todo[j].ids, todo[j].n);
    return err;
}

/* The name of record id, referenced from the page being written (name_page read it);
 * NULL when the caller may not read the record. */
static const char *name_of(struct exp *x, const char *id)
{
    if (!x->page_names)
        return NULL;
    const struct name *s = page_slot(x, id);
    return s->id ? s->name : NULL;
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

/* The names of the records a reference value points to, "a;b" for a list (those the
 * caller may not read left out); NULL when there is none to show. */
static const char *names_text(struct exp *x, const struct field_def *f, const struct rec_value *v)
{
    struct rp_str *ids;
    size_t n = value_ids(x, f, v, &ids);
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT); /* a list's names: as long as a long text at most */
    for (size_t k = 0; k < n; k++) {
        const char *name = name_of(x, arena_strndup(x->ctx.a, ids[k].p, ids[k].len));
        if (name && b.len)
            buf_addc(&b, ';');
        if (name)
            buf_add(&b, name, strlen(name));
    }
    const char *out = b.len ? arena_strndup(x->ctx.a, buf_cstr(&b), b.len) : NULL;
    buf_release(&b);
    return out;
}

/* A value's export text: its API text form, "a;b" for lists (ids for references). */
static const char *cell_text(struct exp *x, const struct field_def *f, const struct rec_value *v)
{
    if (v->null)
        return NULL;
    if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF)
        return list_text(x->ctx.a, v->s, v->len);
    return rec_value_text(x->ctx.a, f, v);
}

/* What column c shows of r, and whether it is free text (neutralised). */
static const char *col_text(struct exp *x, const struct col *c, const struct rec *r, bool *text)
{
    struct rec_value ov;
    const struct rec_value *v = col_value(c, r, &ov);
    *text = c->names || is_text_type(c->f->type);
    return c->names ? names_text(x, c->f, v) : cell_text(x, c->f, v);
}

/* ---- columns ---- */

/* Whether field i is a column of the export: not a password, nor one the caller's
 * role hides. */
static bool exported(struct exp *x, size_t i)
{
    return x->e->fields[i].type != FT_PASSWORD &&
           rec_field_rule(&x->ctx, x->e, i) != ACL_FIELD_HIDDEN;
}

/* A column's header. Keys: the field's API name, "<name>.name" for names. Labels, in
 * the caller's language: the field's label for its value, but for a reference the
 * label heads the names people read and "<label> ID" the ids beside them. */
static const char *col_header(struct exp *x, const struct col *c)
{
    const struct field_def *f = c->f;
    bool ref = refers(f);
    if (x->headers == EXP_KEYS)
        return c->names ? arena_printf(&x->a, "%s.name", f->name) : f->name;
    const char *label = meta_field_label(f, x->who.locale);
    return ref && !c->names ? arena_printf(&x->a, "%s ID", label) : label;
}

/* The columns, in order: each exported field's value, a reference's names right
 * after its ids; then the owner's id and name. */
static void columns(struct exp *x)
{
    const struct entity_def *e = x->e;
    x->cols = arena_calloc(&x->a, 2 * e->nfields + 2, sizeof(*x->cols));
    x->ncols = 0;
    for (size_t i = 0; i < e->nfields; i++) {
        if (!exported(x, i))
            continue;
        const struct field_def *f = &e->fields[i];
        x->cols[x->ncols++] = (struct col){.f = f, .field = (int)i};
        if (refers(f))
            x->cols[x->ncols++] = (struct col){.f = f, .field = (int)i, .names = true};
    }
    const struct field_def *owner = meta_system_field(RP_STR("owner_id"));
    x->cols[x->ncols++] = (struct col){.f = owner, .field = -1};
    x->cols[x->ncols++] = (struct col){.f = owner, .field = -1, .names = true};
    for (size_t k = 0; k < x->ncols; k++)
        x->cols[k].header = col_header(x, &x->cols[k]);
}

/* ---- pages ---- */

static enum rp_err next_page(struct exp *x, struct rec_page *page)
{
    arena_release(&x->page);
    x->ctx.a = &x->page;
    enum rp_err err = store_conn_get(x->store, &x->ctx.conn);
    if (err)
        return err;
    x->page_names = NULL; /* it was in the page's memory */
    if (x->rows) {
        *page = (struct rec_page){.rows = (struct rec *)(uintptr_t)x->rows, .nrows = x->nrows};
        x->finished = true;
        return name_page(x, page->rows, page->nrows);
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
    return name_page(x, page->rows, page->nrows);
}

/* ---- CSV ---- */

static enum rp_err csv_header(struct exp *x, struct rp_buf *b)
{
    enum rp_err err = buf_add(b, "\xEF\xBB\xBF", 3); /* spreadsheets read UTF-8 by it */
    for (size_t k = 0; k < x->ncols && !err; k++) {
        if (k)
            err = buf_addc(b, ',');
        /* An administrator's label is text like any: never a formula. */
        if (!err)
            err = exp_csv_field(b, rp_str_c(x->cols[k].header), true);
    }
    return err ? err : buf_add(b, "\r\n", 2);
}

static enum rp_err csv_row(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < x->ncols && !err; k++) {
        if (k)
            err = buf_addc(b, ',');
        bool text;
        const char *t = col_text(x, &x->cols[k], r, &text);
        if (t && !err)
            err = exp_csv_field(b, rp_str_c(t), text);
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
    const struct rec_value *v = f ? rec_field(r, field) : NULL;
    if (f && f->type == FT_REF)
        return v->null ? NULL : name_of(x, v->s);
    return f ? cell_text(x, f, v) : NULL;
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
    x->page_names = NULL; /* it was in the page's memory */
    x->ctx.a = &x->page;
    char id[RP_ID_LEN + 1], now[32], rows[32];
    if (!err)
        err = ids_uuid7(id);
    text_format_datetime(text_now_ms(), now, sizeof(now));
    snprintf(rows, sizeof(rows), "%lld", (long long)x->nwritten);
    struct store_audit row = {now, x->ctx.who ? x->ctx.who->user_id : NULL, x->e->name, id,
                              "export", x->format->format, store_cstr(x->query),
                              store_cstr(rows), NULL};
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

/* A text cell, neutralised like CSV's when it is free text. */
static void xlsx_text(struct exp *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const char *t, bool text, lxw_format *fmt)
{
    if (text && exp_needs_neutralising(rp_str_c(t)))
        t = arena_printf(x->ctx.a, "'%s", t);
    worksheet_write_string(ws, row, col, t, fmt);
}

/* Column c of r as a typed cell: numbers, money, dates and booleans as such. */
static void xlsx_cell(struct exp *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const struct col *c, const struct rec *r, lxw_format **fmt)
{
    struct rec_value ov;
    const struct rec_value *v = col_value(c, r, &ov);
    const struct field_def *f = c->f;
    if (v->null)
        return;
    switch (c->names ? FT_STRING : f->type) {
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
        bool text;
        const char *t = col_text(x, c, r, &text);
        if (t)
            xlsx_text(x, ws, row, col, t, text, NULL);
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
    /* The sheet is named as the header row is: the entity's name, or its label in the
     * caller's language (a label Excel refuses as a sheet name leaves "Sheet1"). */
    bool zh = meta_locale_zh(x->who.locale) && x->e->label_plural_zh;
    const char *sheet = x->headers == EXP_KEYS ? x->e->name
                        : zh                   ? x->e->label_plural_zh
                                               : x->e->label_plural;
    lxw_worksheet *ws = NULL;
    if (workbook_validate_sheet_name(wb, sheet) == LXW_NO_ERROR)
        ws = workbook_add_worksheet(wb, sheet);
    if (!ws)
        ws = workbook_add_worksheet(wb, NULL);
    lxw_format *fmt[3] = {workbook_add_format(wb), workbook_add_format(wb),
                          workbook_add_format(wb)};
    format_set_num_format(fmt[0], "#,##0.00");
    format_set_num_format(fmt[1], "yyyy-mm-dd");
    format_set_num_format(fmt[2], "yyyy-mm-dd hh:mm:ss");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (size_t k = 0; k < x->ncols; k++)
        xlsx_text(x, ws, 0, (lxw_col_t)k, x->cols[k].header, true, bold);
    /* The header row stays in view while scrolling. */
    worksheet_freeze_panes(ws, 1, 0);
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
            for (size_t k = 0; k < x->ncols; k++)
                xlsx_cell(x, ws, (lxw_row_t)(x->nwritten + 1), (lxw_col_t)k, &x->cols[k],
                          &page.rows[r], fmt);
            x->nwritten++;
        }
    }
    /* Filter buttons on the header over every row written. */
    if (x->ncols)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)x->nwritten, (lxw_col_t)(x->ncols - 1));
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
