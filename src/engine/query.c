/* List requests: parameters (limit, cursor, sort, q, count, sum, deleted, team_id)
 * and filters parsed against metadata into a struct rec_query. */
#include "core/common.h"

#include "core/ids.h"
#include "core/text.h"
#include "engine/query_int.h"

static const char *const OP_NAMES[] = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "like", "null"};

/* The column a list names, when the caller may see it. */
/* Field `name` of e, unless the caller's role hides it (then, as for no field, NULL). */
static const struct field_def *visible_field(struct rec_ctx *ctx, const struct entity_def *e,
                                             struct rp_str name)
{
    int i = meta_field_index(e, name);
    return i < 0 || rec_field_rule(ctx, e, (size_t)i) == ACL_FIELD_HIDDEN ? NULL : &e->fields[i];
}

static bool find_col(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str name,
                     struct col *out)
{
    const struct field_def *f = visible_field(ctx, e, name);
    if (!f)
        f = meta_system_field(name); /* id, owner_id, created_at … (meta.h) */
    if (!f || f->type == FT_PASSWORD) /* write-only: not even its emptiness is told */
        return false;
    out->name = f->name;
    out->f = f;
    out->is_int = rec__is_int_type(f->type);
    return true;
}

static bool text_like(enum field_type t)
{
    return t == FT_STRING || t == FT_TEXT || t == FT_EMAIL || t == FT_PHONE || t == FT_URL;
}

bool rec__next_sort_key(struct rp_str list, size_t *at, struct rp_str *key, bool *desc)
{
    if (*at > list.len)
        return false;
    size_t j = *at;
    while (j < list.len && list.p[j] != ',')
        j++;
    *key = (struct rp_str){list.p + *at, j - *at};
    *desc = key->len && key->p[0] == '-';
    key->p += *desc;
    key->len -= *desc;
    *at = j + 1;
    return true;
}

/* Appends to q the sort keys in s (comma-separated, '-' for descending). */
static enum rp_err parse_keys(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str s,
                              struct rec_query *q)
{
    struct rp_str key;
    bool desc;
    for (size_t at = 0; rec__next_sort_key(s, &at, &key, &desc);) {
        struct col c;
        if (!key.len || !find_col(ctx, e, key, &c) || !meta_sortable(c.f))
            return rec_bad_request(ctx, "cannot sort on '%.*s'", (int)(key.len > 64 ? 64 : key.len),
                                   key.p);
        if (q->nsort == RP_MAX_SORT_KEYS)
            return rec_bad_request(ctx, "at most %u sort keys", RP_MAX_SORT_KEYS);
        q->sort[q->nsort++] = (struct sort_key){c, desc};
    }
    return RP_OK;
}

/* A sort that begins the default sort (or its reverse) ends as the default does: the
 * list index then serves it alone. sort=last_name on contacts (last_name, first_name,
 * seq) otherwise sorted each name's rows by seq, 4-8 ms at 100,000 contacts instead of
 * 0.7, and more with more rows of a name. */
static void complete_from_default(struct rec_ctx *ctx, const struct entity_def *e,
                                  struct rec_query *q)
{
    struct rp_str key;
    bool desc, flip = false;
    size_t k = 0;
    for (size_t at = 0; q->nsort < RP_MAX_SORT_KEYS &&
                        rec__next_sort_key(rp_str_c(e->default_sort), &at, &key, &desc);
         k++) {
        flip = k ? flip : q->sort[0].desc != desc;
        if (k < q->nsort) {
            if (!rp_str_eqc(key, q->sort[k].col.name) || q->sort[k].desc != (desc != flip))
                return;
        } else {
            struct col c;
            if (!find_col(ctx, e, key, &c))
                return;
            q->sort[q->nsort++] = (struct sort_key){c, desc != flip};
        }
    }
}

enum rp_err rec__parse_sort(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str s,
                            struct rec_query *q)
{
    q->nsort = 0;
    enum rp_err err = parse_keys(ctx, e, s, q);
    if (!err)
        complete_from_default(ctx, e, q);
    return err;
}

enum rp_err rec__parse_terms(struct rec_ctx *ctx, struct rp_str s, struct rp_str *terms,
                               size_t *nterms)
{
    if (s.len > RP_MAX_SEARCH_QUERY)
        return rec_bad_request(ctx, "search text is longer than %u bytes", RP_MAX_SEARCH_QUERY);
    *nterms = 0;
    size_t i = 0;
    while (i < s.len) {
        while (i < s.len && (unsigned char)s.p[i] <= ' ')
            i++;
        size_t j = i;
        while (j < s.len && (unsigned char)s.p[j] > ' ')
            j++;
        if (j > i) {
            struct rp_str t = {s.p + i, j - i};
            /* One character is a term in scripts written without spaces (a Chinese
             * surname, 王: three UTF-8 bytes or more), not a Latin letter. */
            if (text_utf8_len(t) < 2 && t.len < 3)
                return rec_bad_request(ctx, "search terms need at least 2 characters, or one"
                                            " Chinese (or similar) character");
            if (*nterms == RP_MAX_SEARCH_TERMS)
                return rec_bad_request(ctx, "at most %u search terms", RP_MAX_SEARCH_TERMS);
            terms[(*nterms)++] = t;
        }
        i = j;
    }
    if (*nterms == 0)
        return rec_bad_request(ctx, "empty search");
    return RP_OK;
}

static enum rp_err parse_filter(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                                struct rp_str value, struct filter *out)
{
    struct rp_str name = key, opname = RP_STR("eq");
    const char *br = memchr(key.p, '[', key.len);
    if (br) {
        name.len = (size_t)(br - key.p);
        if (key.p[key.len - 1] != ']')
            return rec_bad_request(ctx, "malformed filter parameter");
        opname = (struct rp_str){br + 1, key.len - name.len - 2};
    }
    if (!find_col(ctx, e, name, &out->col))
        return rec_bad_request(ctx, "unknown parameter or field '%.*s'",
                               (int)(name.len > 64 ? 64 : name.len), name.p);
    size_t op = RP_NELEM(OP_NAMES);
    for (size_t i = 0; i < RP_NELEM(OP_NAMES); i++)
        if (rp_str_eqc(opname, OP_NAMES[i]))
            op = i;
    if (op == RP_NELEM(OP_NAMES))
        return rec_bad_request(ctx, "unknown filter operator '%.*s'",
                               (int)(opname.len > 16 ? 16 : opname.len), opname.p);
    out->op = (enum op)op;
    const struct field_def *f = out->col.f;
    if (out->op == OP_NULL) {
        out->vals = arena_alloc(ctx->a, sizeof(*out->vals));
        out->nvals = 1;
        if (rp_str_eqc(value, "true"))
            out->vals[0] = store_int(1);
        else if (rp_str_eqc(value, "false"))
            out->vals[0] = store_int(0);
        else
            return rec_bad_request(ctx, "%s[null] takes true or false", f->name);
        return RP_OK;
    }
    if (out->op == OP_LIKE) {
        if (!text_like(f->type))
            return rec_bad_request(ctx, "like applies to text fields only");
        if (text_utf8_len(value) > RP_MAX_LIKE_PATTERN)
            return rec_bad_request(ctx, "like patterns are at most %u characters",
                                   RP_MAX_LIKE_PATTERN);
        /* `*` is the wildcard; %, _ and \ match themselves. */
        char *pat = arena_alloc(ctx->a, value.len * 2 + 1);
        size_t n = 0;
        for (size_t i = 0; i < value.len; i++) {
            char c = value.p[i];
            if (c == '*') {
                pat[n++] = '%';
                continue;
            }
            if (c == '%' || c == '_' || c == '\\')
                pat[n++] = '\\';
            pat[n++] = c;
        }
        pat[n] = '\0';
        out->vals = arena_alloc(ctx->a, sizeof(*out->vals));
        out->vals[0] = store_text(pat, n);
        out->nvals = 1;
        return RP_OK;
    }
    size_t count = 1;
    if (out->op == OP_IN)
        for (size_t i = 0; i < value.len; i++)
            count += value.p[i] == ',';
    if (count > RP_MAX_IN_VALUES)
        return rec_bad_request(ctx, "at most %u values in an in filter", RP_MAX_IN_VALUES);
    out->vals = arena_alloc(ctx->a, count * sizeof(*out->vals));
    out->nvals = 0;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (out->op == OP_IN && j < value.len && value.p[j] != ',')
            j++;
        if (out->op != OP_IN)
            j = value.len;
        enum rp_err err =
            rec__parse_text_value(ctx, f, (struct rp_str){value.p + i, j - i}, &out->vals[out->nvals]);
        if (err)
            return err;
        if (out->vals[out->nvals].type == STORE_NULL)
            return rec_bad_request(ctx, "use %s[null]=true to find empty values", f->name);
        out->nvals++;
        if (j >= value.len)
            break;
        i = j + 1;
    }
    return RP_OK;
}

enum rp_err rec_query_parse(struct rec_ctx *ctx, const struct entity_def *e,
                            const struct rec_param *params, size_t n, struct rec_query **out)
{
    struct rec_query *q = arena_calloc(ctx->a, 1, sizeof(*q));
    q->limit = RP_DEFAULT_PAGE;
    q->filters = arena_calloc(ctx->a, n ? n : 1, sizeof(*q->filters));
    if (n > RP_MAX_QUERY_PARAMS)
        return rec_bad_request(ctx, "too many query parameters");
    enum rp_err err = rec__parse_sort(ctx, e, rp_str_c(e->default_sort), q);
    RP_ASSERT(err == RP_OK);
    q->default_sort = true;
    struct rp_str cursor = {NULL, 0};
    for (size_t i = 0; i < n && !err; i++) {
        struct rp_str k = params[i].key, v = params[i].value;
        if (rp_str_eqc(k, "limit")) {
            int64_t l;
            /* Above the maximum, the page is clamped to it (next_cursor goes on). */
            if (text_parse_i64(v, &l) || l < 1)
                err = rec_bad_request(ctx, "limit must be between 1 and %u", RP_MAX_PAGE);
            else
                q->limit = l > RP_MAX_PAGE ? RP_MAX_PAGE : (size_t)l;
        } else if (rp_str_eqc(k, "cursor")) {
            cursor = v;
        } else if (rp_str_eqc(k, "sort")) {
            err = rec__parse_sort(ctx, e, v, q);
            q->default_sort = false;
        } else if (rp_str_eqc(k, "q")) {
            err = !meta_searchable(e)
                      ? rec_bad_request(ctx, "%s cannot be searched", rec_labels(ctx, e))
                  : rec__search_hidden(ctx, e)
                      ? rec_bad_request(ctx,
                                        "%s cannot be searched with your role: it hides"
                                        " some of the text searched",
                                        rec_labels(ctx, e))
                      : rec__parse_terms(ctx, v, q->terms, &q->nterms);
        } else if (rp_str_eqc(k, "count")) {
            if (rp_str_eqc(v, "true"))
                q->count = true;
            else if (!rp_str_eqc(v, "false"))
                err = rec_bad_request(ctx, "count takes true or false");
        } else if (rp_str_eqc(k, "sum")) {
            const struct field_def *f = visible_field(ctx, e, v);
            if (!f || (f->type != FT_MONEY && f->type != FT_INT))
                err = rec_bad_request(ctx, "sum applies to money and number fields");
            else if (q->nsums == RP_NELEM(q->sums))
                err = rec_bad_request(ctx, "too many sums");
            else
                q->sums[q->nsums++] = f;
        } else if (rp_str_eqc(k, "deleted")) {
            if (rp_str_eqc(v, "only"))
                q->deleted_only = true;
            else if (!rp_str_eqc(v, "false"))
                err = rec_bad_request(ctx, "deleted takes only or false");
        } else if (rp_str_eqc(k, "team_id")) {
            if (!ids_valid(v))
                err = rec_bad_request(ctx, "team_id must be a team id");
            else
                q->team_json = arena_printf(ctx->a, "[\"%.*s\"]", (int)v.len, v.p);
        } else if (rp_str_eqc(k, "allow_duplicate") || rp_str_eqc(k, "allow_conflict")) {
            /* a create-time flag, harmless on lists */
        } else {
            err = parse_filter(ctx, e, k, v, &q->filters[q->nfilters++]);
        }
    }
    if (q->nterms && q->default_sort) {
        q->newest = true;
        q->nsort = 0;
    }
    if (!err && cursor.p)
        err = rec__cursor_decode(ctx, e, q, cursor);
    *out = q;
    return err;
}

void rec_query_for_export(struct rec_query *q)
{
    q->for_export = true;
}

bool rec_query_is_plain(struct rec_ctx *ctx, const struct entity_def *e, struct rec_query *q)
{
    bool shared = true;
    return !q->nfilters && !q->nterms && !q->team_json && !q->deleted_only &&
           !rec__query_shares(ctx, e, q, &shared) && !shared;
}
