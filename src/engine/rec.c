/* The record engine's write path and point reads. Lists and search are in query.c. */
#include "core/common.h"

#include <sodium.h>

#include "core/buf.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/password.h"
#include "engine/rec_int.h"
#include "engine/secev.h"
#include "mod/entities.h"
#include "store/platform.h"

/* ---- context and errors ---- */

void rec_ctx_init(struct rec_ctx *ctx, struct store *s, struct store_conn *c, struct arena *a,
                  struct principal *who)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->store = s;
    ctx->conn = c;
    ctx->a = a;
    ctx->who = who;
}

__attribute__((format(printf, 2, 0))) static char *vfmt(struct arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *p = arena_alloc(a, n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(p, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    return p;
}

enum rp_err rec_field_error(struct rec_ctx *ctx, const char *field, const char *fmt, ...)
{
    if (ctx->nerrors == ctx->errcap) {
        size_t cap = ctx->errcap ? ctx->errcap * 2 : 8;
        struct rec_field_error *e = arena_alloc(ctx->a, cap * sizeof(*e));
        if (ctx->nerrors)
            memcpy(e, ctx->errors, ctx->nerrors * sizeof(*e));
        ctx->errors = e;
        ctx->errcap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    ctx->errors[ctx->nerrors].field = arena_strdup(ctx->a, field);
    ctx->errors[ctx->nerrors].message = vfmt(ctx->a, fmt, ap);
    va_end(ap);
    ctx->nerrors++;
    return RP_EINVAL;
}

enum rp_err rec_bad_request(struct rec_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->detail = vfmt(ctx->a, fmt, ap);
    va_end(ap);
    ctx->bad_request = true;
    return RP_EINVAL;
}

enum rp_err rec_fail(struct rec_ctx *ctx, enum rp_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->detail = vfmt(ctx->a, fmt, ap);
    va_end(ap);
    return err;
}

/* ---- transactions ---- */

enum rp_err rec_tx_begin(struct rec_ctx *ctx)
{
    if (ctx->tx_depth++ > 0)
        return RP_OK;
    enum rp_err err = store_begin(ctx->conn, true);
    if (err)
        ctx->tx_depth = 0;
    return err;
}

bool rec__memo_get(struct rec_ctx *ctx, const struct entity_def *e, struct rec_page *out)
{
    if (ctx->tx_depth == 0 || ctx->memo_ent != e)
        return false;
    *out = *ctx->memo;
    return true;
}

void rec__memo_put(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_page *page)
{
    if (ctx->tx_depth == 0)
        return;
    ctx->memo = arena_alloc(ctx->a, sizeof(*ctx->memo));
    *ctx->memo = *page;
    ctx->memo_ent = e;
}

/* A write to e's records ends what was memoised of them. */
static void memo_drop(struct rec_ctx *ctx, const struct entity_def *e)
{
    if (!e || ctx->memo_ent == e)
        ctx->memo_ent = NULL;
    if (!e || e == &entity_users)
        ctx->owner_ok[0] = '\0';
}

enum rp_err rec_tx_end(struct rec_ctx *ctx, enum rp_err err)
{
    RP_ASSERT(ctx->tx_depth > 0);
    if (--ctx->tx_depth > 0)
        return err; /* the outermost caller commits or rolls back */
    memo_drop(ctx, NULL);
    if (err) {
        store_rollback(ctx->conn);
        /* A write that would carry a running total (store_table.totals_columns) past
         * the range of an integer is refused like any other bad value. */
        return err == RP_ERANGE ? rec_bad_request(ctx, "this would put a total beyond the"
                                                       " range of a number")
                                : err;
    }
    return store_commit(ctx->conn);
}

/* ---- schema ---- */

bool rec__is_int_type(enum field_type t)
{
    return t == FT_INT || t == FT_MONEY || t == FT_PERCENT || t == FT_BOOL;
}

/* Splits a comma-separated column list into cols (NULL-terminated, at most max names;
 * a leading '-' of a descending sort key is dropped). Returns how many. */
static size_t split_columns(const char *list, char *buf, size_t size, const char **cols,
                            size_t max)
{
    memset(cols, 0, (max + 1) * sizeof(*cols));
    snprintf(buf, size, "%s", list ? list : "");
    size_t n = 0;
    for (char *p = buf; p && *p && n < max;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        cols[n++] = *p == '-' ? p + 1 : p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

void rec_store_table(const struct entity_def *e, struct rec_table *out)
{
    /* The default sort's columns, for the list index; the totals' for theirs. */
    size_t ns = split_columns(e->default_sort, out->sortbuf, sizeof(out->sortbuf), out->sortcols,
                              RP_MAX_SORT_KEYS);
    size_t nt = split_columns(e->totals, out->totalsbuf, sizeof(out->totalsbuf),
                              out->totalscols, RP_NELEM(out->totalscols) - 1);
    size_t nspan = split_columns(e->span, out->spanbuf, sizeof(out->spanbuf), out->spancols,
                                 RP_NELEM(out->spancols) - 1);
    RP_ASSERT(nspan == 0 || nspan == 2);
    size_t n = 0;
    RP_ASSERT(e->nfields <= RP_NELEM(out->cols));
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        /* The list or totals index starting with this column serves its lookups too:
         * a second index would only cost every write. */
        bool leads = (ns && strcmp(out->sortcols[0], f->name) == 0) ||
                     (nt && strcmp(out->totalscols[0], f->name) == 0);
        out->cols[n++] = (struct store_column){
            f->name, rec__is_int_type(f->type) ? STORE_COL_INT : STORE_COL_TEXT,
            (f->flags & FF_UNIQUE) != 0, (f->flags & FF_INDEXED) && !leads};
    }
    out->t = (struct store_table){e->name, out->cols, n, meta_searchable(e), out->sortcols,
                                  nt ? out->totalscols : NULL, nspan ? out->spancols : NULL};
}

enum rp_err rec_sync_schema(struct store_conn *c)
{
    enum rp_err err = store_begin(c, true);
    if (err)
        return err;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        struct rec_table t;
        rec_store_table(meta_entity_at(k), &t);
        err = store_sync_table(c, &t.t);
    }
    if (err) {
        store_rollback(c);
        return err;
    }
    err = store_commit(c);
    if (!err)
        err = rec__build_sql();
    return err;
}

/* ---- reading rows ---- */

static const char *col_dup(struct rec_ctx *ctx, struct store_stmt *st, int col, size_t *len)
{
    size_t n;
    const char *p = store_col_text(st, col, &n);
    if (len)
        *len = n;
    return p ? arena_strndup(ctx->a, p, n) : NULL;
}

void rec__read_row(struct rec_ctx *ctx, struct store_stmt *st, const struct entity_def *e,
                   struct rec *out)
{
    out->ent = e;
    out->seq = store_col_int(st, 0);
    out->id = col_dup(ctx, st, 1, NULL);
    out->created_at = col_dup(ctx, st, 2, NULL);
    out->updated_at = col_dup(ctx, st, 3, NULL);
    out->created_by = col_dup(ctx, st, 4, NULL);
    out->owner_id = col_dup(ctx, st, 5, NULL);
    out->version = store_col_int(st, 6);
    out->deleted_at = col_dup(ctx, st, 7, NULL);
    out->v = arena_calloc(ctx->a, e->nfields, sizeof(*out->v));
    for (size_t i = 0; i < e->nfields; i++) {
        int col = REC_NSYS + (int)i;
        struct rec_value *v = &out->v[i];
        v->null = store_col_null(st, col);
        if (v->null)
            continue;
        if (rec__is_int_type(e->fields[i].type))
            v->i = store_col_int(st, col);
        else
            v->s = col_dup(ctx, st, col, &v->len);
    }
}

const struct rec_value *rec__field(const struct rec *r, const char *name)
{
    int i = meta_field_index(r->ent, rp_str_c(name));
    RP_ASSERT(i >= 0);
    return &r->v[i];
}

/* Loads a record by id; with_deleted also finds records in the recycle bin. */
static enum rp_err load(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        bool with_deleted, struct rec *out)
{
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    const struct rec_sql *q = rec__sql(e);
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, with_deleted ? q->get_any : q->get, &st);
    if (err)
        return err;
    store_bind(st, 1, store_text(id.p, id.len));
    bool row;
    err = store_step(st, &row);
    if (!err && !row)
        err = RP_ENOTFOUND;
    if (!err)
        rec__read_row(ctx, st, e, out);
    store_done(st);
    return err;
}

enum acl_scope rec__scope(const struct rec_ctx *ctx, const struct entity_def *e,
                          enum acl_action action)
{
    return ctx->sudo ? SCOPE_ALL : acl_scope(ctx->who, e, action);
}

/* Whether a record owned by `owner` is inside the caller's scope for action; a
 * database error while loading the caller's team is an error, never a "no". */
static enum rp_err in_scope(struct rec_ctx *ctx, const struct entity_def *e,
                            enum acl_action action, const char *owner, bool *ok)
{
    enum acl_scope scope = rec__scope(ctx, e, action);
    if (scope == SCOPE_TEAM) {
        enum rp_err err = acl_peers(ctx);
        if (err)
            return err;
    }
    *ok = acl_owner_in_scope(ctx, scope, owner);
    return RP_OK;
}

enum rp_err rec__load(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                      bool with_deleted, struct rec *out)
{
    return load(ctx, e, id, with_deleted, out);
}

/* RP_ENOTFOUND unless the caller may read r: invisible records do not exist. */
static enum rp_err check_readable(struct rec_ctx *ctx, const struct entity_def *e,
                                  const struct rec *r)
{
    bool ok;
    enum rp_err err = in_scope(ctx, e, ACL_READ, r->owner_id, &ok);
    return err ? err : ok ? RP_OK : RP_ENOTFOUND;
}

/* RP_EFORBIDDEN (with a reason) unless the caller may act on a record they can see. */
static enum rp_err check_action(struct rec_ctx *ctx, const struct entity_def *e,
                                enum acl_action action, const char *owner, const char *verb)
{
    bool ok;
    enum rp_err err = in_scope(ctx, e, action, owner, &ok);
    if (!err && !ok)
        err = rec_fail(ctx, RP_EFORBIDDEN, "your role may not %s this %s", verb, e->label);
    return err;
}

enum rp_err rec__check_readable(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct rec *r)
{
    return check_readable(ctx, e, r);
}

enum rp_err rec_get(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                    struct rec *out)
{
    enum rp_err err = load(ctx, e, id, false, out);
    if (!err)
        err = check_readable(ctx, e, out);
    return err;
}

/* ---- value validation ---- */

static bool has_control(const char *s, size_t len, bool allow_newlines)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && !(allow_newlines && (c == '\n' || c == '\r')))
            return true;
        if (c == 0x7F)
            return true;
    }
    return false;
}

static bool email_ok(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (!at || at == s || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return false;
    const char *dom = at + 1;
    size_t dlen = len - (size_t)(dom - s);
    const char *dot = memchr(dom, '.', dlen);
    if (!dot || dot == dom || dom[dlen - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == ',' || s[i] == '<' || s[i] == '>')
            return false;
    return true;
}

static bool phone_ok(const char *s, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if (!strchr("+-() ./xX#", c) && !(c == 'e' || c == 't'))
            return false;
    }
    return digits >= 3;
}

static bool url_ok(const char *s, size_t len)
{
    return (len > 8 && strncmp(s, "https://", 8) == 0) ||
           (len > 7 && strncmp(s, "http://", 7) == 0);
}

/* Serialises a list of validated simple strings (enum keys, ids) as a JSON array. */
static const char *json_list(struct rec_ctx *ctx, const struct rp_str *items, size_t n,
                             size_t *len)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT);
    buf_addc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_addc(&b, ',');
        buf_addc(&b, '"');
        buf_add(&b, items[i].p, items[i].len);
        buf_addc(&b, '"');
    }
    buf_addc(&b, ']');
    const char *out = arena_strndup(ctx->a, buf_cstr(&b), b.len);
    *len = b.len;
    buf_release(&b);
    return out;
}

/* Checks that a referenced record exists and is visible to the caller. */
static enum rp_err check_ref(struct rec_ctx *ctx, const struct field_def *f, struct rp_str id)
{
    const struct entity_def *re = meta_entity(rp_str_c(f->ref_entity));
    RP_ASSERT(re);
    struct rec r;
    enum rp_err err = rec_get(ctx, re, id, &r);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, f->name, "no %s with this id", re->label);
    return err;
}

static enum rp_err hash_password(struct rec_ctx *ctx, const struct field_def *f,
                                 const char *pw, size_t len, struct rec_value *out)
{
    const char *weak = password_weakness(pw, len);
    if (weak)
        return rec_field_error(ctx, f->name, "%s", weak);
    char *hash = arena_alloc(ctx->a, crypto_pwhash_STRBYTES);
    enum rp_err err = password_hash(hash, pw, len);
    if (err)
        return err;
    out->null = false;
    out->s = hash;
    out->len = strlen(hash);
    return RP_OK;
}

/* Validates one input for field f and writes the stored value. Field errors are
 * recorded on ctx (RP_EINVAL); reference existence is checked later, in the write
 * transaction. */

/* RP_EINVAL with a field error when a number is outside its field's bounds. */
static enum rp_err check_range(struct rec_ctx *ctx, const struct field_def *f, int64_t v)
{
    struct meta_range r;
    if (!meta_range(f, &r) || (v >= r.min && v <= r.max))
        return RP_OK;
    struct rec_value lo = {false, r.min, NULL, 0}, hi = {false, r.max, NULL, 0};
    return rec_field_error(ctx, f->name, "must be between %s and %s",
                           rec_value_text(ctx->a, f, &lo), rec_value_text(ctx->a, f, &hi));
}
static enum rp_err normalise(struct rec_ctx *ctx, const struct field_def *f,
                             const struct rec_input *in, struct rec_value *out)
{
    memset(out, 0, sizeof(*out));
    if (in->kind == IN_NULL || (in->kind == IN_STRING && in->len == 0)) {
        if (f->flags & FF_REQUIRED)
            return rec_field_error(ctx, f->name, "is required");
        if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF) {
            out->s = "[]"; /* an empty list, never null */
            out->len = 2;
            return RP_OK;
        }
        out->null = true;
        return RP_OK;
    }
    switch (f->type) {
    case FT_STRING:
    case FT_TEXT:
    case FT_EMAIL:
    case FT_PHONE:
    case FT_URL:
    case FT_PASSWORD: {
        if (in->kind != IN_STRING)
            return rec_field_error(ctx, f->name, "must be a string");
        struct rp_str s = {in->s, in->len};
        if (text_utf8_len(s) > meta_maxlen(f))
            return rec_field_error(ctx, f->name, "must be at most %u characters",
                                   meta_maxlen(f));
        if (has_control(in->s, in->len, f->type == FT_TEXT))
            return rec_field_error(ctx, f->name, "must not contain control characters");
        if (f->type == FT_EMAIL && !email_ok(in->s, in->len))
            return rec_field_error(ctx, f->name, "is not a valid e-mail address");
        if (f->type == FT_PHONE && !phone_ok(in->s, in->len))
            return rec_field_error(ctx, f->name, "is not a valid phone number");
        if (f->type == FT_URL && !url_ok(in->s, in->len))
            return rec_field_error(ctx, f->name, "must be an http:// or https:// address");
        if (f->type == FT_PASSWORD)
            return hash_password(ctx, f, in->s, in->len, out);
        out->s = arena_strndup(ctx->a, in->s, in->len);
        out->len = in->len;
        return RP_OK;
    }
    case FT_INT:
    case FT_PERCENT: {
        if (in->kind != IN_NUMBER)
            return rec_field_error(ctx, f->name, "must be a whole number");
        if (text_parse_i64((struct rp_str){in->s, in->len}, &out->i))
            return rec_field_error(ctx, f->name, "must be a whole number");
        return check_range(ctx, f, out->i);
    }
    case FT_MONEY:
        if ((in->kind != IN_NUMBER && in->kind != IN_STRING) ||
            text_parse_money((struct rp_str){in->s, in->len}, 2, &out->i))
            return rec_field_error(ctx, f->name,
                                   "must be an amount with at most 2 decimals, like 1234.50");
        return check_range(ctx, f, out->i);
    case FT_BOOL:
        if (in->kind != IN_BOOL)
            return rec_field_error(ctx, f->name, "must be true or false");
        out->i = in->b;
        return RP_OK;
    case FT_DATE: {
        int64_t days;
        if (in->kind != IN_STRING || text_parse_date((struct rp_str){in->s, in->len}, &days))
            return rec_field_error(ctx, f->name, "must be a date like 2026-01-31");
        out->s = arena_strndup(ctx->a, in->s, in->len);
        out->len = in->len;
        return RP_OK;
    }
    case FT_DATETIME: {
        int64_t ms;
        if (in->kind != IN_STRING || text_parse_datetime((struct rp_str){in->s, in->len}, &ms))
            return rec_field_error(ctx, f->name,
                                   "must be a date-time like 2026-01-31T09:30:00Z, in the"
                                   " years 0001 to 9999 UTC");
        char *buf = arena_alloc(ctx->a, 32);
        text_format_datetime(ms, buf, 32);
        out->s = buf;
        out->len = strlen(buf);
        return RP_OK;
    }
    case FT_ENUM:
        /* A dynamic enum (values are records' keys) is checked in the transaction. */
        if (in->kind != IN_STRING ||
            (f->enum_values ? !meta_enum_has(f, (struct rp_str){in->s, in->len})
                            : in->len > RP_MAX_ENUM_KEY))
            return rec_field_error(ctx, f->name, "is not one of the allowed values");
        out->s = arena_strndup(ctx->a, in->s, in->len);
        out->len = in->len;
        return RP_OK;
    case FT_MULTI_ENUM:
    case FT_MULTI_REF: {
        if (in->kind != IN_LIST)
            return rec_field_error(ctx, f->name, "must be a list of strings");
        if (in->nitems > RP_MAX_IN_VALUES)
            return rec_field_error(ctx, f->name, "has too many values");
        struct rp_str *uniq = arena_alloc(ctx->a, (in->nitems + 1) * sizeof(*uniq));
        size_t n = 0;
        for (size_t i = 0; i < in->nitems; i++) {
            struct rp_str it = in->items[i];
            if (f->type == FT_MULTI_ENUM ? !meta_enum_has(f, it) : !ids_valid(it))
                return rec_field_error(ctx, f->name, "contains an invalid value");
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup = dup || rp_str_eq(uniq[k], it);
            if (!dup)
                uniq[n++] = it;
        }
        out->s = json_list(ctx, uniq, n, &out->len);
        return RP_OK;
    }
    case FT_REF:
        if (in->kind != IN_STRING || !ids_valid((struct rp_str){in->s, in->len}))
            return rec_field_error(ctx, f->name, "must be a record id");
        out->s = arena_strndup(ctx->a, in->s, in->len);
        out->len = in->len;
        return RP_OK;
    case FT_JSON:
        if (in->kind != IN_JSON && in->kind != IN_LIST)
            return rec_field_error(ctx, f->name, "must be a JSON object or array");
        if (in->len > meta_maxlen(f))
            return rec_field_error(ctx, f->name, "is too large");
        out->s = arena_strndup(ctx->a, in->s, in->len);
        out->len = in->len;
        return RP_OK;
    }
    return rec_field_error(ctx, f->name, "unsupported field type");
}

enum rp_err rec__parse_text_value(struct rec_ctx *ctx, const struct field_def *f,
                                  struct rp_str text, struct store_val *out)
{
    struct rec_input in = {.field = rp_str_c(f->name), .kind = IN_STRING, .s = text.p,
                           .len = text.len};
    if (f->type == FT_INT || f->type == FT_PERCENT || f->type == FT_MONEY)
        in.kind = IN_NUMBER;
    if (f->type == FT_BOOL) {
        in.kind = IN_BOOL;
        if (rp_str_eqc(text, "true") || rp_str_eqc(text, "1"))
            in.b = true;
        else if (!rp_str_eqc(text, "false") && !rp_str_eqc(text, "0"))
            return rec_bad_request(ctx, "filter on %s: expected true or false", f->name);
    }
    if (f->type == FT_PASSWORD || f->type == FT_JSON || f->type == FT_MULTI_ENUM ||
        f->type == FT_MULTI_REF)
        return rec_bad_request(ctx, "cannot filter or sort on %s", f->name);
    if (f->type == FT_REF) {
        /* Any text compares safely; a non-id simply matches nothing. */
        *out = store_text(arena_strndup(ctx->a, text.p, text.len), text.len);
        return RP_OK;
    }
    struct field_def loose = *f;
    loose.flags &= ~(unsigned)FF_REQUIRED;
    loose.maxlen = RP_MAX_TEXT;
    struct rec_value v;
    size_t saved = ctx->nerrors;
    if (normalise(ctx, &loose, &in, &v)) {
        const char *msg = ctx->nerrors > saved ? ctx->errors[saved].message : "is invalid";
        ctx->nerrors = saved;
        return rec_bad_request(ctx, "filter value for %s %s", f->name, msg);
    }
    if (v.null)
        *out = store_null();
    else if (rec__is_int_type(f->type))
        *out = store_int(v.i);
    else
        *out = store_text(v.s, v.len);
    return RP_OK;
}

const char *rec_value_text(struct arena *a, const struct field_def *f, const struct rec_value *v)
{
    if (v->null)
        return NULL;
    switch (f->type) {
    case FT_MONEY: {
        char *b = arena_alloc(a, 32);
        text_format_money(v->i, 2, b, 32);
        return b;
    }
    case FT_BOOL:
        return v->i ? "true" : "false";
    case FT_INT:
    case FT_PERCENT:
        return arena_printf(a, "%lld", (long long)v->i);
    case FT_PASSWORD:
        return NULL;
    default:
        return v->s;
    }
}

/* ---- applying inputs ---- */

static bool value_eq(const struct field_def *f, const struct rec_value *a,
                     const struct rec_value *b)
{
    if (a->null || b->null)
        return a->null == b->null;
    if (rec__is_int_type(f->type))
        return a->i == b->i;
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static bool is_system_field(struct rp_str name)
{
    static const char *const SYS[] = {"id",         "created_at", "updated_at", "created_by",
                                      "version",    "deleted_at", "seq",        "workspace_id"};
    for (size_t i = 0; i < RP_NELEM(SYS); i++)
        if (rp_str_eqc(name, SYS[i]))
            return true;
    return false;
}

/* Applies inputs onto r. owner_id is returned through *owner when given. */
static enum rp_err apply_inputs(struct rec_ctx *ctx, const struct entity_def *e, bool creating,
                                const struct rec_input *in, size_t n, struct rec *r,
                                const char **owner)
{
    for (size_t k = 0; k < n; k++) {
        const struct rec_input *x = &in[k];
        char *fname = arena_strndup(ctx->a, x->field.p, x->field.len);
        if (rp_str_eqc(x->field, "owner_id")) {
            if (x->kind != IN_STRING || !ids_valid((struct rp_str){x->s, x->len}))
                rec_field_error(ctx, "owner_id", "must be a user id");
            else
                *owner = arena_strndup(ctx->a, x->s, x->len);
            continue;
        }
        if (is_system_field(x->field)) {
            rec_field_error(ctx, fname, "is read-only");
            continue;
        }
        int idx = meta_field_index(e, x->field);
        if (idx < 0) {
            rec_field_error(ctx, fname, "is not a field of %s", e->label_plural);
            continue;
        }
        const struct field_def *f = &e->fields[idx];
        if ((f->flags & FF_READONLY && !ctx->internal) ||
            (!creating && (f->flags & FF_CREATE_ONLY))) {
            rec_field_error(ctx, fname, "is read-only");
            continue;
        }
        if (x->kind == IN_BAD) {
            rec_field_error(ctx, fname, "has the wrong type");
            continue;
        }
        struct rec_value prev = r->v[idx];
        normalise(ctx, f, x, &r->v[idx]);
        if (f->type == FT_PASSWORD && r->v[idx].null)
            r->v[idx] = prev; /* a password is replaced, never cleared */
    }
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

#define MAX_HIERARCHY 64 /* depth of org charts and account trees we walk for cycles */

/* A reference to the same entity (parent account, reports-to) must not make a loop. */
static enum rp_err check_cycle(struct rec_ctx *ctx, const struct entity_def *e, int idx,
                               const struct rec *r)
{
    const struct field_def *f = &e->fields[idx];
    struct rp_str next = {r->v[idx].s, r->v[idx].len};
    enum rp_err err = RP_OK;
    for (int depth = 0; depth < MAX_HIERARCHY && next.len; depth++) {
        if (r->id && rp_str_eqc(next, r->id)) {
            err = rec_field_error(ctx, f->name, depth ? "would make a loop" : "cannot refer to itself");
            break;
        }
        struct rec up;
        if (load(ctx, e, next, false, &up))
            break;
        next = up.v[idx].null ? (struct rp_str){NULL, 0}
                              : (struct rp_str){up.v[idx].s, up.v[idx].len};
    }
    return err;
}

/* Checks references that changed, inside the write transaction. */
static enum rp_err check_refs(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct rec *r, const struct rec *old)
{
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        const struct rec_value *v = &r->v[i];
        if (v->null || (old && value_eq(f, v, &old->v[i])))
            continue;
        if (f->type == FT_ENUM && !f->enum_values) {
            bool found;
            enum rp_err e2 = rec__key_exists(ctx, meta_entity(rp_str_c(f->ref_entity)),
                                             (struct rp_str){v->s, v->len}, &found);
            if (e2)
                return e2;
            if (!found)
                err = rec_field_error(ctx, f->name, "is not one of the allowed values");
        } else if (f->type == FT_REF) {
            enum rp_err e2 = check_ref(ctx, f, (struct rp_str){v->s, v->len});
            if (!e2 && strcmp(f->ref_entity, e->name) == 0)
                e2 = check_cycle(ctx, e, (int)i, r);
            if (e2 && e2 != RP_EINVAL)
                return e2;
            err = err ? err : e2;
        } else if (f->type == FT_MULTI_REF) {
            /* The stored form is ["id","id"…]: ids are 36 characters each. */
            for (size_t p = 2; p + RP_ID_LEN <= v->len; p += RP_ID_LEN + 3) {
                enum rp_err e2 = check_ref(ctx, f, (struct rp_str){v->s + p, RP_ID_LEN});
                if (e2 && e2 != RP_EINVAL)
                    return e2;
                if (e2) {
                    err = e2;
                    break;
                }
            }
        }
    }
    return err;
}

/* Checks that owner is an active user the caller may assign records to. The scope
 * comes first, so a caller learns nothing about ids outside it. */
static enum rp_err check_owner(struct rec_ctx *ctx, const struct entity_def *e,
                               enum acl_action action, const char *owner)
{
    bool ok;
    enum rp_err err = in_scope(ctx, e, action, owner, &ok);
    if (err)
        return err;
    if (!ok)
        return rec_fail(ctx, RP_EFORBIDDEN, "you may not assign records to this user");
    /* Users cannot change under this transaction but through this context. */
    if (ctx->tx_depth > 0 && strcmp(ctx->owner_ok, owner) == 0)
        return RP_OK;
    struct rec u;
    err = load(ctx, &entity_users, rp_str_c(owner), false, &u);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, "owner_id", "no active user with this id");
    if (err)
        return err;
    int active = meta_field_index(&entity_users, RP_STR("active"));
    if (active >= 0 && !u.v[active].null && !u.v[active].i)
        return rec_field_error(ctx, "owner_id", "no active user with this id");
    if (ctx->tx_depth > 0)
        snprintf(ctx->owner_ok, sizeof(ctx->owner_ok), "%s", owner);
    return RP_OK;
}

static struct store_val value_val(const struct field_def *f, const struct rec_value *v)
{
    return v->null                     ? store_null()
           : rec__is_int_type(f->type) ? store_int(v->i)
                                       : store_text(v->s, v->len);
}

static void bind_values(struct store_stmt *st, int first, const struct entity_def *e,
                        const struct rec *r)
{
    for (size_t i = 0; i < e->nfields; i++)
        store_bind(st, first + (int)i, value_val(&e->fields[i], &r->v[i]));
}

static enum rp_err put_fts(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                           bool fresh)
{
    /* Every searchable field at its maximum fits: text is at most RP_MAX_TEXT code
     * points of at most 4 bytes, and there are few searchable fields. */
    struct rp_buf b;
    buf_init(&b, (size_t)RP_MAX_TEXT * 4 * 8);
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < e->nfields && !err; i++) {
        const struct field_def *f = &e->fields[i];
        if (!(f->flags & FF_SEARCH) || r->v[i].null)
            continue;
        const char *t = rec_value_text(ctx->a, f, &r->v[i]);
        if (t && b.len)
            err = buf_addc(&b, '\n');
        if (t && !err)
            err = buf_adds(&b, t);
    }
    if (!err)
        err = store_fts_put(ctx->conn, e->name, r->seq, fresh, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

static struct store_val audit_val(struct rec_ctx *ctx, const struct field_def *f,
                                  const struct rec_value *v)
{
    if (f->type == FT_PASSWORD)
        return store_null();
    return store_cstr(rec_value_text(ctx->a, f, v));
}

static enum rp_err audit(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                         const char *at, const char *action, const char *field,
                         struct store_val oldv, struct store_val newv)
{
    struct store_audit row = {at,     ctx->who ? ctx->who->user_id : NULL,
                              e->name, r->id, action, field, oldv, newv};
    return store_audit_add(ctx->conn, &row);
}

/* A create writes one audit row whose new value holds the initial values as a JSON
 * object in field order ({"field": "text", "password": null}); rec_history shows it
 * as the record-level row and one row per field, as if each had its own row. */
static void json_quoted(struct rp_buf *b, const char *s)
{
    buf_addc(b, '"');
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_addc(b, (char)c);
        }
    }
    buf_addc(b, '"');
}

static enum rp_err initial_values(struct rec_ctx *ctx, const struct entity_def *e,
                                  const struct rec *r, struct store_val *out)
{
    const char **text = arena_alloc(ctx->a, e->nfields * sizeof(*text));
    size_t max = 2;
    for (size_t i = 0; i < e->nfields; i++) {
        text[i] = r->v[i].null ? NULL : rec_value_text(ctx->a, &e->fields[i], &r->v[i]);
        if (!r->v[i].null)
            max += strlen(e->fields[i].name) + 8 + (text[i] ? 6 * strlen(text[i]) : 0);
    }
    if (max == 2)
        return RP_OK; /* no values: the record-level row alone */
    struct rp_buf b;
    buf_init(&b, max + 1);
    buf_addc(&b, '{');
    for (size_t i = 0; i < e->nfields; i++) {
        if (r->v[i].null)
            continue;
        if (b.len > 1)
            buf_addc(&b, ',');
        json_quoted(&b, e->fields[i].name);
        buf_addc(&b, ':');
        if (text[i])
            json_quoted(&b, text[i]);
        else
            buf_adds(&b, "null");
    }
    enum rp_err err = buf_addc(&b, '}');
    if (!err)
        *out = store_text(arena_strndup(ctx->a, b.p, b.len), b.len);
    buf_release(&b);
    return err;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads one JSON string (as json_quoted writes it) or null at *p into the arena. */
static enum rp_err json_take(struct arena *a, const char **p, const char **out)
{
    const char *s = *p;
    if (strncmp(s, "null", 4) == 0) {
        *out = NULL;
        *p = s + 4;
        return RP_OK;
    }
    if (*s++ != '"')
        return RP_EDB;
    size_t n = 0;
    char *o = arena_alloc(a, strlen(s) + 1);
    for (; *s && *s != '"'; s++) {
        if (*s != '\\')
            o[n++] = *s;
        else if (s[1] == 'u' && strncmp(s + 2, "00", 2) == 0 && hex(s[4]) >= 0 && hex(s[5]) >= 0)
            o[n++] = (char)(hex(s[4]) * 16 + hex(s[5])), s += 5;
        else if (s[1])
            o[n++] = *++s;
        else
            return RP_EDB;
    }
    if (*s != '"')
        return RP_EDB;
    o[n] = '\0';
    *out = o;
    *p = s + 1;
    return RP_OK;
}

/* Adds a create row's per-field rows to out, newest (last field) first, then the
 * record-level row. */
static enum rp_err expand_create(struct rec_ctx *ctx, const struct entity_def *e,
                                 const struct rec_history_row *h, struct rec_history_row *out,
                                 size_t limit, size_t *count)
{
    struct rec_history_row *fields = arena_alloc(ctx->a, e->nfields * sizeof(*fields));
    size_t nf = 0;
    const char *p = h->new_value + 1;
    while (*p && *p != '}' && nf < e->nfields) {
        fields[nf] = *h;
        fields[nf].old_value = NULL;
        enum rp_err err = json_take(ctx->a, &p, &fields[nf].field);
        if (!err && *p++ != ':')
            err = RP_EDB;
        if (!err)
            err = json_take(ctx->a, &p, &fields[nf].new_value);
        if (err || !fields[nf].field) {
            LOG(LOG_ERROR, "audit row %lld: unreadable initial values", (long long)h->seq);
            return RP_EDB;
        }
        nf++;
        if (*p == ',')
            p++;
    }
    while (nf > 0 && *count < limit)
        out[(*count)++] = fields[--nf];
    if (*count < limit) {
        out[*count] = *h;
        out[(*count)++].new_value = NULL;
    }
    return RP_OK;
}

static void now_text(struct rec_ctx *ctx, const char **out)
{
    char *b = arena_alloc(ctx->a, 32);
    text_format_datetime(text_now_ms(), b, 32);
    *out = b;
}

/* ---- create ---- */

enum rp_err rec_create(struct rec_ctx *ctx, const struct entity_def *e,
                       const struct rec_input *in, size_t n, struct rec *out)
{
    enum acl_scope scope = rec__scope(ctx, e, ACL_CREATE);
    if (scope == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not create %s", e->label_plural);

    struct rec *r = out;
    memset(r, 0, sizeof(*r));
    r->ent = e;
    r->v = arena_calloc(ctx->a, e->nfields, sizeof(*r->v));
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        r->v[i].null = true;
        if (f->type == FT_MULTI_ENUM || f->type == FT_MULTI_REF)
            r->v[i] = (struct rec_value){false, 0, "[]", 2};
        if (f->def) {
            struct rec_input d = {.field = rp_str_c(f->name), .kind = IN_STRING, .s = f->def,
                                  .len = strlen(f->def)};
            if (f->type == FT_BOOL) {
                d.kind = IN_BOOL;
                d.b = strcmp(f->def, "true") == 0;
            } else if (rec__is_int_type(f->type)) {
                d.kind = IN_NUMBER;
            }
            RP_ASSERT(normalise(ctx, f, &d, &r->v[i]) == RP_OK);
        }
    }
    const char *owner = ctx->who ? ctx->who->user_id : NULL;
    enum rp_err err = apply_inputs(ctx, e, true, in, n, r, &owner);
    for (size_t i = 0; i < e->nfields; i++)
        if ((e->fields[i].flags & FF_REQUIRED) && r->v[i].null) {
            bool reported = false;
            for (size_t k = 0; k < ctx->nerrors; k++)
                reported = reported || strcmp(ctx->errors[k].field, e->fields[i].name) == 0;
            if (!reported)
                rec_field_error(ctx, e->fields[i].name, "is required");
        }
    if (ctx->nerrors)
        return RP_EINVAL;
    if (err)
        return err;

    char id[RP_ID_LEN + 1];
    err = ids_uuid7(id);
    if (err)
        return err;
    r->id = arena_strdup(ctx->a, id);
    now_text(ctx, &r->created_at);
    r->updated_at = r->created_at;
    r->created_by = ctx->who ? ctx->who->user_id : NULL;
    r->owner_id = owner;
    r->version = 1;

    err = rec_tx_begin(ctx);
    if (err)
        return err;
    if (owner)
        err = check_owner(ctx, e, ACL_CREATE, owner);
    if (!err)
        err = check_refs(ctx, e, r, NULL);
    /* Domain rules run in the transaction, so what they read (a calendar, a stage
     * list) cannot change before the insert. */
    if (!err && !ctx->nerrors)
        err = rec__hooks_validate(ctx, r, NULL);
    struct store_stmt *st = NULL;
    if (!err)
        err = store_prepare_insert(ctx->conn, rec__sql(e)->insert, &st);
    memo_drop(ctx, e);
    if (!err) {
        struct store_val sys[] = {store_cstr(r->id), store_cstr(r->created_at),
                                  store_cstr(r->updated_at), store_cstr(r->created_by),
                                  store_cstr(r->owner_id)};
        store_bind_all(st, sys, RP_NELEM(sys));
        bind_values(st, (int)RP_NELEM(sys) + 1, e, r);
        err = store_step_insert(st, &r->seq);
        store_done(st);
        if (err == RP_ECONFLICT)
            err = rec_fail(ctx, RP_ECONFLICT, "a %s with this value already exists", e->label);
    }
    if (!err && meta_searchable(e))
        err = put_fts(ctx, e, r, true);
    struct store_val initial = store_null();
    if (!err)
        err = initial_values(ctx, e, r, &initial);
    if (!err)
        err = audit(ctx, e, r, r->created_at, "create", NULL, store_null(), initial);
    if (!err)
        err = rec__hooks_after_save(ctx, r, NULL);
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

/* ---- update ---- */

/* Whether a write changes field f from `from` to `to` (a password given is a change). */
static bool field_changed(const struct field_def *f, const struct rec_value *to,
                          const struct rec_value *from)
{
    return f->type == FT_PASSWORD ? !to->null && to->s != from->s : !value_eq(f, to, from);
}

/* Writes r over old, setting only the fields whose changed[i] is set
 * (rec__update_sql). */
static enum rp_err write_row(struct rec_ctx *ctx, const struct entity_def *e, struct rec *r,
                             const struct rec *old, const bool *changed)
{
    memo_drop(ctx, e);
    bool owner = r->owner_id != old->owner_id;
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    enum rp_err err = rec__update_sql(e, owner, changed, &sql);
    struct store_stmt *st = NULL;
    if (!err)
        err = store_prepare(ctx->conn, buf_cstr(&sql), &st);
    buf_release(&sql);
    if (err)
        return err;
    int k = 1;
    store_bind(st, k++, store_cstr(r->updated_at));
    if (owner)
        store_bind(st, k++, store_cstr(r->owner_id));
    for (size_t i = 0; i < e->nfields; i++)
        if (changed[i])
            store_bind(st, k++, value_val(&e->fields[i], &r->v[i]));
    store_bind(st, k++, store_int(r->seq));
    store_bind(st, k, store_int(old->version));
    bool row;
    err = store_step(st, &row);
    store_done(st);
    if (!err && store_changes(ctx->conn) != 1)
        err = RP_ESTALE;
    if (err == RP_ECONFLICT)
        err = rec_fail(ctx, RP_ECONFLICT, "a %s with this value already exists", e->label);
    return err;
}

enum rp_err rec_update(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       const struct rec_input *in, size_t n, int64_t expect_version,
                       struct rec *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec old;
    err = load(ctx, e, id, false, &old);
    if (!err)
        err = check_readable(ctx, e, &old);
    if (!err)
        err = check_action(ctx, e, ACL_EDIT, old.owner_id, "change");
    if (!err && expect_version >= 0 && expect_version != old.version)
        err = rec_fail(ctx, RP_ESTALE, "the %s was changed by someone else (now version %lld)",
                       e->label, (long long)old.version);
    struct rec *r = out;
    if (!err) {
        *r = old;
        /* The change's one time, which domain rules stamp too (a deal's
         * stage_changed_at equals its audit rows' time); kept only if it changes. */
        now_text(ctx, &r->updated_at);
        r->v = arena_alloc(ctx->a, e->nfields * sizeof(*r->v));
        memcpy(r->v, old.v, e->nfields * sizeof(*r->v));
        const char *owner = old.owner_id;
        err = apply_inputs(ctx, e, false, in, n, r, &owner);
        if (!err && owner && (!old.owner_id || strcmp(owner, old.owner_id) != 0)) {
            err = check_owner(ctx, e, ACL_EDIT, owner);
            r->owner_id = owner;
        }
        if (!err)
            err = check_refs(ctx, e, r, &old);
        if (!err && !ctx->nerrors)
            err = rec__hooks_validate(ctx, r, &old);
    }
    bool changed = false, search_changed = false;
    bool *diff = arena_calloc(ctx->a, e->nfields, sizeof(*diff));
    if (!err) {
        changed = r->owner_id != old.owner_id;
        for (size_t i = 0; i < e->nfields; i++) {
            diff[i] = field_changed(&e->fields[i], &r->v[i], &old.v[i]);
            if (diff[i]) {
                changed = true;
                search_changed = search_changed || (e->fields[i].flags & FF_SEARCH);
            }
        }
    }
    if (!err && !changed)
        r->updated_at = old.updated_at;
    if (!err && changed) {
        r->version = old.version + 1;
        err = write_row(ctx, e, r, &old, diff);
        if (!err && search_changed)
            err = put_fts(ctx, e, r, false);
        if (!err && r->owner_id != old.owner_id)
            err = audit(ctx, e, r, r->updated_at, "update", "owner_id", store_cstr(old.owner_id),
                        store_cstr(r->owner_id));
        for (size_t i = 0; i < e->nfields && !err; i++) {
            const struct field_def *f = &e->fields[i];
            if (diff[i])
                err = audit(ctx, e, r, r->updated_at, "update", f->name,
                            audit_val(ctx, f, &old.v[i]), audit_val(ctx, f, &r->v[i]));
        }
        if (!err)
            err = rec__hooks_after_save(ctx, r, &old);
    }
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

/* ---- delete and restore ---- */

static enum rp_err set_deleted(struct rec_ctx *ctx, const struct entity_def *e, struct rec *r,
                               bool deleted)
{
    const char *now;
    now_text(ctx, &now);
    memo_drop(ctx, e);
    struct store_val v[] = {deleted ? store_cstr(now) : store_null(), store_cstr(now),
                            store_int(r->seq), store_int(r->version)};
    enum rp_err err = store_exec(ctx->conn, rec__sql(e)->set_deleted, v, RP_NELEM(v));
    if (err == RP_ECONFLICT)
        return rec_fail(ctx, RP_ECONFLICT,
                        "a live %s now holds one of this record's unique values", e->label);
    if (err)
        return err;
    r->version++;
    r->updated_at = now;
    r->deleted_at = deleted ? now : NULL;
    if (meta_searchable(e))
        err = deleted ? store_fts_delete(ctx->conn, e->name, r->seq)
                      : put_fts(ctx, e, r, false);
    if (!err)
        err = audit(ctx, e, r, now, deleted ? "delete" : "restore", NULL, store_null(),
                    store_null());
    return err;
}

enum rp_err rec_delete(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       int64_t expect_version)
{
    if (e->flags & EF_NO_DELETE)
        return rec_fail(ctx, RP_EFORBIDDEN, "%s are deactivated, not deleted", e->label_plural);
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec r;
    err = load(ctx, e, id, false, &r);
    if (!err)
        err = check_readable(ctx, e, &r);
    if (!err)
        err = check_action(ctx, e, ACL_DELETE, r.owner_id, "delete");
    if (!err)
        err = rec__hooks_before_delete(ctx, &r);
    if (!err && expect_version >= 0 && expect_version != r.version)
        err = rec_fail(ctx, RP_ESTALE, "the %s was changed by someone else", e->label);
    if (!err)
        err = set_deleted(ctx, e, &r, true);
    return rec_tx_end(ctx, err);
}

enum rp_err rec_restore(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        struct rec *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = load(ctx, e, id, true, out);
    if (!err && !out->deleted_at)
        err = RP_ENOTFOUND;
    if (!err)
        err = check_readable(ctx, e, out);
    if (!err)
        err = check_action(ctx, e, ACL_DELETE, out->owner_id, "restore");
    if (!err)
        err = rec__hooks_before_restore(ctx, out);
    if (!err)
        err = set_deleted(ctx, e, out, false);
    return rec_tx_end(ctx, err);
}

/* ---- history ---- */

enum rp_err rec_history(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        size_t limit, struct rec_history_row **rows, size_t *n)
{
    struct rec r;
    enum rp_err err = load(ctx, e, id, true, &r);
    if (!err)
        err = check_readable(ctx, e, &r);
    if (err)
        return err;
    struct store_stmt *st;
    err = store_audit_list(ctx->conn, e->name, r.id, 0, (int64_t)limit, &st);
    if (err)
        return err;
    struct rec_history_row *out = arena_calloc(ctx->a, limit ? limit : 1, sizeof(*out));
    size_t count = 0;
    bool row;
    while (count < limit && !(err = store_step(st, &row)) && row) {
        struct rec_history_row h = {store_col_int(st, 0), col_dup(ctx, st, 1, NULL),
                                    col_dup(ctx, st, 2, NULL), col_dup(ctx, st, 3, NULL),
                                    col_dup(ctx, st, 4, NULL), col_dup(ctx, st, 5, NULL),
                                    col_dup(ctx, st, 6, NULL)};
        if (strcmp(h.action, "create") == 0 && !h.field && h.new_value && h.new_value[0] == '{')
            err = expand_create(ctx, e, &h, out, limit, &count);
        else
            out[count++] = h;
        if (err)
            break;
    }
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}

/* ---- transfer ---- */

enum rp_err rec_transfer_owner(struct rec_ctx *ctx, struct rp_str from_user,
                               struct rp_str to_user, int64_t *moved)
{
    if (ctx->who && ctx->who->role != ROLE_ADMIN)
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators transfer records");
    *moved = 0;
    struct rec from;
    enum rp_err err = load(ctx, &entity_users, from_user, false, &from);
    if (err)
        return err;
    if (!ids_valid(to_user))
        return rec_field_error(ctx, "to_user_id", "must be a user id");
    if (rp_str_eqc(to_user, from.id))
        return rec_field_error(ctx, "to_user_id", "must be another user");
    const char *to = arena_strndup(ctx->a, to_user.p, to_user.len);
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = check_owner(ctx, &entity_accounts, ACL_CREATE, to);
    memo_drop(ctx, NULL);
    const char *now;
    now_text(ctx, &now);
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (e->flags & EF_PLATFORM)
            continue;
        int64_t n = 0;
        err = store_transfer_owner(ctx->conn, e->name, from.id, to, now,
                                   ctx->who ? ctx->who->user_id : NULL, &n);
        *moved += n;
    }
    if (!err)
        err = secev_add(ctx, NULL, "records_transfer", "user", from.id, "success",
                        arena_printf(ctx->a, "%lld records to user %s", (long long)*moved, to));
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

/* ---- helpers for domain services ---- */

enum rp_err rec__check_action(struct rec_ctx *ctx, const struct entity_def *e,
                              const struct rec *r, enum acl_action action, const char *verb)
{
    return check_action(ctx, e, action, r->owner_id, verb);
}

enum rp_err rec__audit_merge(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct rec *keep, const struct rec *gone)
{
    const char *now;
    now_text(ctx, &now);
    enum rp_err err = audit(ctx, e, keep, now, "merge", NULL, store_null(), store_cstr(gone->id));
    if (!err)
        err = audit(ctx, e, gone, now, "merged_into", NULL, store_null(), store_cstr(keep->id));
    return err;
}

enum rp_err rec__repoint_deleted(struct rec_ctx *ctx, const struct entity_def *e,
                                 const struct rec *r, const char *field, const char *value)
{
    int idx = meta_field_index(e, rp_str_c(field));
    RP_ASSERT(idx >= 0);
    struct rec copy = *r;
    copy.v = arena_alloc(ctx->a, e->nfields * sizeof(*copy.v));
    memcpy(copy.v, r->v, e->nfields * sizeof(*copy.v));
    copy.v[idx] = (struct rec_value){false, 0, value, strlen(value)};
    now_text(ctx, &copy.updated_at);
    copy.version = r->version + 1;
    bool *diff = arena_calloc(ctx->a, e->nfields, sizeof(*diff));
    diff[idx] = true;
    enum rp_err err = write_row(ctx, e, &copy, r, diff);
    if (!err)
        err = audit(ctx, e, &copy, copy.updated_at, "update", field,
                    audit_val(ctx, &e->fields[idx], &r->v[idx]),
                    audit_val(ctx, &e->fields[idx], &copy.v[idx]));
    return err;
}
