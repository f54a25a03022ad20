/* Values: what an input may be for each field type, and the stored and API text
 * forms. */
#include "core/common.h"

#include <sodium.h>

#include "core/buf.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/text.h"
#include "engine/password.h"
#include "engine/phones.h"
#include "engine/rec_int.h"

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

/* ASCII digits and the signs of a dialled number, or any spelling core/phone.h reads
 * ("010-12345678转123", full-width digits, "电话：…"). */
static bool phone_ok(const char *s, size_t len)
{
    struct phone_number pn;
    if (phone_parse((struct rp_str){s, len}, phones_home(), &pn) == RP_OK)
        return true;
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

/* A list of validated simple strings (enum keys, ids) as its stored JSON array. */
static const char *json_list(struct rec_ctx *ctx, const struct rp_str *items, size_t n,
                             size_t *len)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT);
    enum rp_err err = json_add_list(&b, items, n);
    RP_ASSERT(!err); /* at most RP_MAX_IN_VALUES short strings */
    const char *out = arena_strndup(ctx->a, buf_cstr(&b), b.len);
    *len = b.len;
    buf_release(&b);
    return out;
}

static enum rp_err hash_password(struct rec_ctx *ctx, const struct field_def *f,
                                 const char *pw, size_t len, struct rec_value *out)
{
    const char *weak = password_weakness(pw, len);
    if (weak)
        return rec_field_error(ctx, f->name, "%s", msg_tr(ctx->lang, weak));
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
enum rp_err rec__normalise(struct rec_ctx *ctx, const struct field_def *f,
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

struct rec_input rec__default_input(const struct field_def *f)
{
    struct rec_input d = {.field = rp_str_c(f->name), .kind = IN_STRING, .s = f->def,
                          .len = strlen(f->def)};
    if (f->type == FT_BOOL) {
        d.kind = IN_BOOL;
        d.b = strcmp(f->def, "true") == 0;
    } else if (rec__is_int_type(f->type)) {
        d.kind = IN_NUMBER;
    }
    return d;
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
    if (rec__normalise(ctx, &loose, &in, &v)) {
        const char *msg =
            ctx->nerrors > saved ? ctx->errors[saved].message : msg_tr(ctx->lang, "is invalid");
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
