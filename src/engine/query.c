/* Lists: parameter parsing, the query builder (SQL from metadata only; every value
 * bound), keyset cursors, counts and sums, and search across entities. */
#include "core/common.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/rec_int.h"
#include "mod/sales/sales.h"
#include "mod/entities.h"

/* ---- per-entity statements ---- */

#define MAX_ENTITIES 64

static struct rec_sql SQL[MAX_ENTITIES];
static size_t NSQL;

const struct rec_sql *rec__sql(const struct entity_def *e)
{
    for (size_t i = 0; i < NSQL; i++)
        if (SQL[i].e == e)
            return &SQL[i];
    RP_ASSERT(!"entity SQL not built: rec_sync_schema must run first");
    return NULL;
}

static char *steal(struct rp_buf *b)
{
    return buf_steal(b, NULL);
}

static enum rp_err build_entity(const struct entity_def *e, struct rec_sql *out)
{
    struct rp_buf cols, sel, ins, get, any, del;
    buf_init(&cols, RP_MAX_SQL);
    buf_init(&sel, RP_MAX_SQL);
    buf_init(&ins, RP_MAX_SQL);
    buf_init(&get, RP_MAX_SQL);
    buf_init(&any, RP_MAX_SQL);
    buf_init(&del, RP_MAX_SQL);
    enum rp_err err = buf_adds(&cols, "SELECT " REC_SYS_COLS);
    if (!err)
        err = buf_printf(&ins,
                         "INSERT INTO %s (id, workspace_id, created_at, updated_at, created_by,"
                         " owner_id, version",
                         e->name);
    for (size_t i = 0; i < e->nfields && !err; i++) {
        err = buf_printf(&cols, ", t.%s", e->fields[i].name);
        if (!err)
            err = buf_printf(&ins, ", %s", e->fields[i].name);
    }
    if (!err)
        err = buf_printf(&sel, "%s FROM %s t", buf_cstr(&cols), e->name);
    if (!err)
        err = buf_adds(&ins, ") VALUES (?, 1, ?, ?, ?, ?, 1");
    for (size_t i = 0; i < e->nfields && !err; i++)
        err = buf_adds(&ins, ", ?");
    if (!err)
        err = buf_adds(&ins, ")");
    if (!err)
        err = buf_printf(&get, "%s WHERE t.id = ? AND t.workspace_id = 1 AND t.deleted_at IS NULL",
                         buf_cstr(&sel));
    if (!err)
        err = buf_printf(&any, "%s WHERE t.id = ? AND t.workspace_id = 1", buf_cstr(&sel));
    if (!err)
        err = buf_printf(&del,
                         "UPDATE %s SET deleted_at = ?, updated_at = ?, version = version + 1"
                         " WHERE seq = ? AND version = ?",
                         e->name);
    if (err) {
        buf_release(&cols);
        buf_release(&sel);
        buf_release(&ins);
        buf_release(&get);
        buf_release(&any);
        buf_release(&del);
        return err;
    }
    *out = (struct rec_sql){e,           steal(&cols), steal(&sel), steal(&get),
                            steal(&any), steal(&ins),  steal(&del)};
    return RP_OK;
}

enum rp_err rec__update_sql(const struct entity_def *e, bool owner, const bool *changed,
                            struct rp_buf *out)
{
    enum rp_err err = buf_printf(out, "UPDATE %s SET updated_at = ?, version = version + 1%s",
                                 e->name, owner ? ", owner_id = ?" : "");
    for (size_t i = 0; i < e->nfields && !err; i++)
        if (changed[i])
            err = buf_printf(out, ", %s = ?", e->fields[i].name);
    return err ? err : buf_adds(out, " WHERE seq = ? AND version = ?");
}

enum rp_err rec__build_sql(void)
{
    if (NSQL)
        return RP_OK; /* metadata is static: built once per process */
    RP_ASSERT(meta_entity_count() <= MAX_ENTITIES);
    for (size_t k = 0; k < meta_entity_count(); k++) {
        enum rp_err err = build_entity(meta_entity_at(k), &SQL[k]);
        if (err)
            return err;
    }
    NSQL = meta_entity_count();
    return RP_OK;
}

enum op { OP_EQ, OP_NE, OP_LT, OP_LTE, OP_GT, OP_GTE, OP_IN, OP_LIKE, OP_NULL };
static const char *const OP_NAMES[] = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "like", "null"};
static const char *const OP_SQL[] = {"=", "<>", "<", "<=", ">", ">="};

/* A column the query may use: an entity field or a system column. */
struct col {
    const char *name;
    const struct field_def *f;  /* NULL for system columns */
    bool is_int;
};

struct filter {
    struct col col;
    enum op op;
    struct store_val *vals;
    size_t nvals;
};

struct sort_key {
    struct col col;
    bool desc;
};

struct rec_query {
    size_t limit;
    const char *team_json;  /* team_id filter: owned by members of this team, as ["id"] */
    struct filter *filters;
    size_t nfilters;
    struct sort_key sort[RP_MAX_SORT_KEYS];
    size_t nsort;
    struct rp_str terms[RP_MAX_SEARCH_TERMS];
    size_t nterms;
    bool default_sort;      /* no sort= was given */
    /* A search without sort=: the newest matches first, read in the full-text index's
     * own order, so a page is done after its first matches however many there are
     * (sorting by name would read and sort every match: 15,000 for a 3-letter term
     * in a million contacts). */
    bool newest;
    bool count;
    const struct field_def *sums[RP_MAX_SORT_KEYS];
    size_t nsums;
    bool deleted_only;
    bool for_export;        /* rows the caller may export, not only read */
    /* decoded cursor */
    bool has_cursor;
    struct store_val after[RP_MAX_SORT_KEYS];
    int64_t after_seq;
};

/* System columns that can be filtered and sorted. */
static const struct field_def SYS_FIELDS[] = {
    {"id", "ID", FT_REF, 0, 0, NULL, NULL, NULL, NULL, NULL},
    {"owner_id", "Owner", FT_REF, 0, 0, NULL, NULL, NULL, NULL, NULL},
    {"created_by", "Created by", FT_REF, 0, 0, NULL, NULL, NULL, NULL, NULL},
    {"created_at", "Created", FT_DATETIME, 0, 0, NULL, NULL, NULL, NULL, NULL},
    {"updated_at", "Updated", FT_DATETIME, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static bool find_col(const struct entity_def *e, struct rp_str name, struct col *out)
{
    const struct field_def *f = meta_field(e, name);
    if (!f)
        for (size_t i = 0; i < RP_NELEM(SYS_FIELDS); i++)
            if (rp_str_eqc(name, SYS_FIELDS[i].name))
                f = &SYS_FIELDS[i];
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

/* Sort keys travel whole in cursors, so text keys are limited to short fields (names,
 * e-mails, codes): long text and URLs are filtered, not sorted. */
#define MAX_SORT_TEXT 255u

static bool sortable(const struct field_def *f)
{
    switch (f->type) {
    case FT_PASSWORD:
    case FT_JSON:
    case FT_MULTI_ENUM:
    case FT_MULTI_REF:
    case FT_TEXT:
        return false;
    case FT_STRING:
    case FT_EMAIL:
    case FT_PHONE:
    case FT_URL:
        return meta_maxlen(f) <= MAX_SORT_TEXT;
    default:
        return true;
    }
}

/* ---- cursor: base64url of [fingerprint u32][nkeys u8]{tag value}*[seq i64] ---- */

static uint32_t fingerprint(const struct entity_def *e, const struct rec_query *q)
{
    uint32_t h = 2166136261u;
    const char *s = e->name;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    for (size_t i = 0; i < q->nsort; i++) {
        for (s = q->sort[i].col.name; *s; s++)
            h = (h ^ (unsigned char)*s) * 16777619u;
        h = (h ^ (q->sort[i].desc ? '-' : '+')) * 16777619u;
    }
    return q->newest ? (h ^ '#') * 16777619u : h;
}

static void put_u64(struct rp_buf *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        buf_addc(b, (char)(v >> (i * 8)));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static const char *encode_cursor(struct rec_ctx *ctx, const struct entity_def *e,
                                 const struct rec_query *q, const struct rec *last)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_CURSOR);
    uint32_t fp = fingerprint(e, q);
    for (int i = 3; i >= 0; i--)
        buf_addc(&b, (char)(fp >> (i * 8)));
    buf_addc(&b, (char)q->nsort);
    for (size_t i = 0; i < q->nsort; i++) {
        const struct col *c = &q->sort[i].col;
        const char *text = NULL;
        int64_t iv = 0;
        bool null = false;
        int idx = meta_field_index(e, rp_str_c(c->name));
        if (idx >= 0) {
            null = last->v[idx].null;
            iv = last->v[idx].i;
            text = last->v[idx].s;
        } else {
            text = strcmp(c->name, "id") == 0           ? last->id
                   : strcmp(c->name, "owner_id") == 0   ? last->owner_id
                   : strcmp(c->name, "created_by") == 0 ? last->created_by
                   : strcmp(c->name, "created_at") == 0 ? last->created_at
                                                        : last->updated_at;
            null = text == NULL;
        }
        if (null) {
            buf_addc(&b, 'N');
        } else if (c->is_int) {
            buf_addc(&b, 'I');
            put_u64(&b, (uint64_t)iv);
        } else {
            size_t len = strlen(text); /* <= MAX_SORT_TEXT code points: fits 16 bits */
            buf_addc(&b, 'T');
            buf_addc(&b, (char)(len >> 8));
            buf_addc(&b, (char)(len & 0xFF));
            buf_add(&b, text, len);
        }
    }
    put_u64(&b, (uint64_t)last->seq);
    char *out = arena_alloc(ctx->a, text_b64_enclen(b.len) + 1);
    text_b64_encode((const unsigned char *)buf_cstr(&b), b.len, out);
    buf_release(&b);
    return out;
}

static enum rp_err decode_cursor(struct rec_ctx *ctx, const struct entity_def *e,
                                 struct rec_query *q, struct rp_str s)
{
    unsigned char raw[RP_MAX_CURSOR];
    size_t n;
    if (s.len > text_b64_enclen(RP_MAX_CURSOR) || text_b64_decode(s, raw, sizeof(raw), &n) ||
        n < 13)
        return rec_bad_request(ctx, "invalid cursor");
    uint32_t fp = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    if (fp != fingerprint(e, q) || raw[4] != q->nsort)
        return rec_bad_request(ctx, "the cursor belongs to a different list or sort");
    size_t p = 5;
    for (size_t i = 0; i < q->nsort; i++) {
        if (p >= n)
            return rec_bad_request(ctx, "invalid cursor");
        char tag = (char)raw[p++];
        if (tag == 'N') {
            q->after[i] = store_null();
        } else if (tag == 'I' && q->sort[i].col.is_int && p + 8 <= n) {
            q->after[i] = store_int((int64_t)get_u64(raw + p));
            p += 8;
        } else if (tag == 'T' && !q->sort[i].col.is_int && p + 2 <= n &&
                   p + 2 + ((size_t)raw[p] << 8 | raw[p + 1]) <= n) {
            size_t len = (size_t)raw[p] << 8 | raw[p + 1];
            p += 2;
            const char *t = arena_strndup(ctx->a, (const char *)raw + p, len);
            if (!text_utf8_valid((struct rp_str){t, len}))
                return rec_bad_request(ctx, "invalid cursor");
            q->after[i] = store_text(t, len);
            p += len;
        } else {
            return rec_bad_request(ctx, "invalid cursor");
        }
    }
    if (p + 8 != n)
        return rec_bad_request(ctx, "invalid cursor");
    q->after_seq = (int64_t)get_u64(raw + p);
    q->has_cursor = true;
    return RP_OK;
}

/* ---- parsing ---- */

static enum rp_err parse_sort(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str s,
                              struct rec_query *q)
{
    q->nsort = 0;
    size_t i = 0;
    while (i <= s.len) {
        size_t j = i;
        while (j < s.len && s.p[j] != ',')
            j++;
        struct rp_str key = {s.p + i, j - i};
        bool desc = false;
        if (key.len && key.p[0] == '-') {
            desc = true;
            key.p++;
            key.len--;
        }
        struct col c;
        if (!key.len || !find_col(e, key, &c) || !sortable(c.f))
            return rec_bad_request(ctx, "cannot sort on '%.*s'", (int)(key.len > 64 ? 64 : key.len),
                                   key.p);
        if (q->nsort == RP_MAX_SORT_KEYS)
            return rec_bad_request(ctx, "at most %u sort keys", RP_MAX_SORT_KEYS);
        q->sort[q->nsort++] = (struct sort_key){c, desc};
        i = j + 1;
    }
    return RP_OK;
}

static enum rp_err parse_terms(struct rec_ctx *ctx, struct rp_str s, struct rp_str *terms,
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
            if (text_utf8_len(t) < 2)
                return rec_bad_request(ctx, "search terms need at least 2 characters");
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
    if (!find_col(e, name, &out->col))
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
    enum rp_err err = parse_sort(ctx, e, rp_str_c(e->default_sort), q);
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
            err = parse_sort(ctx, e, v, q);
            q->default_sort = false;
        } else if (rp_str_eqc(k, "q")) {
            err = meta_searchable(e) ? parse_terms(ctx, v, q->terms, &q->nterms)
                      : rec_bad_request(ctx, "%s cannot be searched", e->label_plural);
        } else if (rp_str_eqc(k, "count")) {
            if (rp_str_eqc(v, "true"))
                q->count = true;
            else if (!rp_str_eqc(v, "false"))
                err = rec_bad_request(ctx, "count takes true or false");
        } else if (rp_str_eqc(k, "sum")) {
            const struct field_def *f = meta_field(e, v);
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
        err = decode_cursor(ctx, e, q, cursor);
    *out = q;
    return err;
}

void rec_query_for_export(struct rec_query *q)
{
    q->for_export = true;
}

/* ---- the query builder ---- */

struct sqlb {
    struct rp_buf sql;
    enum rp_err err;  /* sticky: the first append that failed */
    struct store_val *params;
    size_t nparams;
    size_t cap;
};

/* Appends SQL text; a failure is kept in b->err and later appends are skipped, so a
 * statement is never run with a piece missing. */
__attribute__((format(printf, 2, 3))) static void sql(struct sqlb *b, const char *fmt, ...)
{
    if (b->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->err = buf_vprintf(&b->sql, fmt, ap);
    va_end(ap);
}

/* Makes room for `extra` more parameters. */
static void reserve(struct rec_ctx *ctx, struct sqlb *b, size_t extra)
{
    if (b->nparams + extra > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        while (cap < b->nparams + extra)
            cap *= 2;
        struct store_val *p = arena_alloc(ctx->a, cap * sizeof(*p));
        if (b->nparams)
            memcpy(p, b->params, b->nparams * sizeof(*p));
        b->params = p;
        b->cap = cap;
    }
}

static void param(struct rec_ctx *ctx, struct sqlb *b, struct store_val v)
{
    reserve(ctx, b, 1);
    b->params[b->nparams++] = v;
}

/* WHERE the workspace is ours and `t.owner_id` is one whose rows the caller may read
 * (or export), with the team_id filter: what records and running sums both carry. */
static enum rp_err scope_where(struct rec_ctx *ctx, const struct entity_def *e,
                               const struct rec_query *q, struct sqlb *b)
{
    sql(b, "%s", " WHERE t.workspace_id = 1");
    enum acl_scope scope = rec__scope(ctx, e, q->for_export ? ACL_EXPORT : ACL_READ);
    if (scope == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not %s %s",
                        q->for_export ? "export" : "read", e->label_plural);
    if (scope == SCOPE_OWN) {
        sql(b, "%s", " AND t.owner_id = ?");
        param(ctx, b, store_cstr(ctx->who->user_id));
    } else if (scope == SCOPE_TEAM) {
        /* One subquery, two parameters, however large the team. */
        sql(b, "%s", " AND ");
        reserve(ctx, b, 2);
        if (!b->err)
            b->err = store_team_owner_condition(ctx->store, &b->sql, "t", ctx->who->user_id,
                                                ctx->who->team_ids, b->params, &b->nparams);
    }
    if (q->team_json) {
        sql(b, "%s", " AND ");
        reserve(ctx, b, 2);
        if (!b->err)
            b->err = store_team_owner_condition(ctx->store, &b->sql, "t", "", q->team_json,
                                                b->params, &b->nparams);
    }
    return RP_OK;
}

/* WHERE conditions shared by the page query (page: true) and the count query. A page
 * of the newest matches has its search terms in the FROM clause (list_page). */
static enum rp_err where(struct rec_ctx *ctx, const struct entity_def *e,
                         const struct rec_query *q, bool page, struct sqlb *b)
{
    enum rp_err err = scope_where(ctx, e, q, b);
    if (err)
        return err;
    sql(b, " AND t.deleted_at IS %s", q->deleted_only ? "NOT NULL" : "NULL");
    for (size_t i = 0; i < q->nfilters; i++) {
        const struct filter *f = &q->filters[i];
        const char *c = f->col.name;
        switch (f->op) {
        case OP_NULL:
            sql(b, " AND t.%s IS %s", c, f->vals[0].i ? "NULL" : "NOT NULL");
            break;
        case OP_LIKE:
            sql(b, " AND t.%s %s ? ESCAPE '\\'", c, store_like_ci(ctx->store));
            param(ctx, b, f->vals[0]);
            break;
        case OP_IN:
            sql(b, " AND t.%s IN (", c);
            for (size_t k = 0; k < f->nvals; k++) {
                sql(b, "%s", k ? ", ?" : "?");
                param(ctx, b, f->vals[k]);
            }
            sql(b, ")");
            break;
        case OP_NE:
            sql(b, " AND (t.%s <> ? OR t.%s IS NULL)", c, c);
            param(ctx, b, f->vals[0]);
            break;
        default:
            sql(b, " AND t.%s %s ?", c, OP_SQL[f->op]);
            param(ctx, b, f->vals[0]);
            break;
        }
    }
    if (q->nterms && !(page && q->newest)) {
        sql(b, "%s", " AND t.seq IN (");
        reserve(ctx, b, q->nterms);
        err = store_fts_matches(ctx->store, &b->sql, e->name, q->terms, q->nterms, ctx->a,
                                b->params, &b->nparams);
        if (err)
            return err;
        sql(b, "%s", ")");
    }
    return RP_OK;
}

/* Keyset condition: rows strictly after the cursor in (sort keys…, seq) order, with
 * NULL first ascending and last descending (ORDER BY says so explicitly). */
static void keyset(struct rec_ctx *ctx, const struct rec_query *q, size_t i, struct sqlb *b)
{
    if (i == q->nsort) {
        bool desc = q->nsort ? q->sort[q->nsort - 1].desc : q->newest;
        sql(b, "%s.seq %s ?", q->newest ? "f" : "t", desc ? "<" : ">");
        param(ctx, b, store_int(q->after_seq));
        return;
    }
    const char *c = q->sort[i].col.name;
    bool desc = q->sort[i].desc;
    struct store_val v = q->after[i];
    sql(b, "(");
    if (v.type == STORE_NULL) {
        if (desc)
            sql(b, "t.%s IS NULL AND (", c);
        else
            sql(b, "t.%s IS NOT NULL OR (t.%s IS NULL AND (", c, c);
    } else {
        if (desc)
            sql(b, "t.%s < ? OR t.%s IS NULL OR (t.%s = ? AND (", c, c, c);
        else
            sql(b, "t.%s > ? OR (t.%s = ? AND (", c, c);
        param(ctx, b, v);
        param(ctx, b, v);
    }
    keyset(ctx, q, i + 1, b);
    sql(b, "%s", (v.type == STORE_NULL && desc) ? "))" : ")))");
}

/* Columns the store declares NOT NULL (store/db.h) that a list can sort by. */
static bool never_null(const struct col *c)
{
    return strcmp(c->name, "id") == 0 || strcmp(c->name, "created_at") == 0 ||
           strcmp(c->name, "updated_at") == 0;
}

/* Whether the rows after the cursor lie in two ranges of the first sort key:
 * descending after a value, the smaller values and then the NULLs (which sort last);
 * ascending after a NULL, the rest of the NULLs and then every value. No one range
 * covers both, so the page reads them as two statements (list_page). */
static bool split_after(const struct rec_query *q)
{
    if (!q->has_cursor || q->nsort == 0 || never_null(&q->sort[0].col))
        return false;
    bool null = q->after[0].type == STORE_NULL;
    return q->sort[0].desc ? !null : null;
}

/* The condition for the rows after the cursor in range `part` (0, or 1 for the
 * second range of split_after): the keyset condition, led by a bound on the first sort
 * key that it implies. With the cursor's values as parameters the planner sees no
 * range through the keyset's OR: it walked the list index from its start on every
 * page, so a page cost its depth and an export of a million contacts (2,000 pages)
 * took 162 s instead of 4. */
static void after_cursor(struct rec_ctx *ctx, const struct rec_query *q, int part,
                         struct sqlb *b)
{
    if (q->nsort) {
        const struct sort_key *k = &q->sort[0];
        if (part == 1) {
            /* Every row of the second range comes after the cursor. */
            sql(b, "t.%s IS %sNULL", k->col.name, k->desc ? "" : "NOT ");
            return;
        }
        if (q->after[0].type != STORE_NULL) {
            sql(b, "t.%s %s ? AND ", k->col.name, k->desc ? "<=" : ">=");
            param(ctx, b, q->after[0]);
        } else if (!k->desc) {
            sql(b, "t.%s IS NULL AND ", k->col.name);
        }
    }
    keyset(ctx, q, 0, b);
}

/* Prepares the built statement and binds its parameters. A statement that grew past
 * the SQL limit is the caller's doing (hundreds of filters): a 400, not a 500. */
static enum rp_err prepare_built(struct rec_ctx *ctx, struct sqlb *b, struct store_stmt **st)
{
    enum rp_err err = b->err;
    if (err == RP_ETOOBIG)
        return rec_bad_request(ctx, "the query is too complex: use fewer filters or values");
    if (!err)
        err = store_prepare(ctx->conn, buf_cstr(&b->sql), st);
    if (err)
        return err;
    err = store_bind_all(*st, b->params, b->nparams);
    if (err)
        store_done(*st);
    return err;
}

static enum rp_err run_aggregates(struct rec_ctx *ctx, const struct entity_def *e,
                                  const struct rec_query *q, struct rec_page *out)
{
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s", "SELECT count(*)");
    for (size_t i = 0; i < q->nsums; i++)
        sql(&b, ", coalesce(sum(t.%s), 0)", q->sums[i]->name);
    sql(&b, " FROM %s t", e->name);
    struct store_stmt *st = NULL;
    enum rp_err err = where(ctx, e, q, false, &b);
    if (!err)
        err = prepare_built(ctx, &b, &st);
    buf_release(&b.sql);
    if (err)
        return err;
    bool row;
    err = store_step(st, &row);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sum is beyond the range of a number");
    if (!err && row) {
        out->has_total = q->count;
        out->total = store_col_int(st, 0);
        out->nsums = q->nsums;
        out->sum_fields = arena_alloc(ctx->a, (q->nsums + 1) * sizeof(char *));
        out->sums = arena_alloc(ctx->a, (q->nsums + 1) * sizeof(int64_t));
        for (size_t i = 0; i < q->nsums; i++) {
            out->sum_fields[i] = q->sums[i]->name;
            out->sums[i] = store_col_int(st, 1 + (int)i);
        }
    }
    store_done(st);
    return err;
}

/* Prepares the statement for range `part` of a list page (see after_cursor), reading
 * at most `limit` rows, after `prefix` (list_page: none; rec__list_plan: EXPLAIN QUERY
 * PLAN). */
static enum rp_err page_statement(struct rec_ctx *ctx, const struct entity_def *e,
                                  const struct rec_query *q, int part, size_t limit,
                                  const char *prefix, struct store_stmt **st)
{
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s", prefix);
    if (q->newest) {
        /* The matches drive the join, in their index's order (SQLite's full-text index
         * hands them out newest first and stops when the page is full). */
        sql(&b, "%s FROM (", rec__sql(e)->columns);
        reserve(ctx, &b, q->nterms);
        if (!b.err)
            b.err = store_fts_matches(ctx->store, &b.sql, e->name, q->terms, q->nterms, ctx->a,
                                      b.params, &b.nparams);
        sql(&b, ") f JOIN %s t ON t.seq = f.seq", e->name);
    } else {
        sql(&b, "%s", rec__sql(e)->select);
    }
    enum rp_err err = where(ctx, e, q, true, &b);
    if (!err && q->has_cursor) {
        sql(&b, "%s", " AND ");
        after_cursor(ctx, q, part, &b);
    }
    if (!err) {
        sql(&b, "%s", " ORDER BY ");
        /* NULL placement is spelled out, seq's too, so every backend orders as keyset()
         * expects and as the list indexes are ordered (PostgreSQL's are NULLS FIRST). */
        for (size_t i = 0; i < q->nsort; i++)
            sql(&b, "t.%s%s, ", q->sort[i].col.name,
                q->sort[i].desc ? " DESC NULLS LAST" : " NULLS FIRST");
        if (q->newest)
            sql(&b, "%s", "f.seq DESC LIMIT ?");
        else
            sql(&b, "t.seq%s LIMIT ?",
                q->nsort && q->sort[q->nsort - 1].desc ? " DESC NULLS LAST" : " NULLS FIRST");
        param(ctx, &b, store_int((int64_t)limit));
        err = prepare_built(ctx, &b, st);
    }
    buf_release(&b.sql);
    return err;
}

enum rp_err rec__list_plan(struct rec_ctx *ctx, const struct entity_def *e,
                           const struct rec_query *q, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    enum rp_err err = RP_OK;
    for (int part = 0; part < (split_after(q) ? 2 : 1) && !err; part++) {
        if (part && used < size)
            used += (size_t)snprintf(out + used, size - used, "then\n");
        struct store_stmt *st = NULL;
        err = page_statement(ctx, e, q, part, q->limit + 1, "EXPLAIN QUERY PLAN ", &st);
        if (err)
            return err;
        bool row;
        while (!(err = store_step(st, &row)) && row && used < size)
            used += (size_t)snprintf(out + used, size - used, "%s\n",
                                     store_col_text(st, 3, NULL));
        store_done(st);
    }
    return err;
}

/* Bytes of text a record read from the store holds: what its answer is made of. */
static size_t text_bytes(const struct rec *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ent->nfields; i++)
        n += r->v[i].null ? 0 : r->v[i].len;
    return n;
}

/* Reads a page (one more row than asked, for the next cursor), from one statement or,
 * when the rows after the cursor lie in two ranges, from two in turn. Rows are read
 * into an array that grows: a large limit costs nothing unless the rows exist. A page
 * whose rows hold RP_MAX_PAGE_TEXT bytes of text ends there, with a next cursor. */
static enum rp_err list_page(struct rec_ctx *ctx, const struct entity_def *e,
                             struct rec_query *q, struct rec_page *out)
{
    size_t cap = 0, text = 0;
    enum rp_err err = RP_OK;
    for (int part = 0; part < (split_after(q) ? 2 : 1) && !err && !out->next_cursor; part++) {
        struct store_stmt *st = NULL;
        err = page_statement(ctx, e, q, part, q->limit + 1 - out->nrows, "", &st);
        if (err)
            return err;
        bool row;
        while (!(err = store_step(st, &row)) && row) {
            if (out->nrows == q->limit || text >= RP_MAX_PAGE_TEXT) {
                out->next_cursor = encode_cursor(ctx, e, q, &out->rows[out->nrows - 1]);
                break;
            }
            if (out->nrows == cap)
                out->rows = arena_grow(ctx->a, out->rows, &cap, sizeof(*out->rows));
            rec__read_row(ctx, st, e, &out->rows[out->nrows]);
            text += text_bytes(&out->rows[out->nrows++]);
        }
        store_done(st);
    }
    return err;
}

enum rp_err rec_list(struct rec_ctx *ctx, const struct entity_def *e, struct rec_query *q,
                     struct rec_page *out)
{
    memset(out, 0, sizeof(*out));
    if (q->limit == 0)
        return RP_OK;
    /* With a count or sums, page and totals are read in one snapshot so they agree
     * (inside an engine transaction they already are). */
    bool totals = q->count || q->nsums;
    bool snapshot = totals && ctx->tx_depth == 0;
    enum rp_err err = snapshot ? store_begin(ctx->conn, false) : RP_OK;
    if (err)
        return err;
    err = list_page(ctx, e, q, out);
    if (!err && totals)
        err = run_aggregates(ctx, e, q, out);
    if (snapshot) {
        if (err)
            store_rollback(ctx->conn);
        else
            err = store_commit(ctx->conn);
    }
    return err;
}

enum rp_err rec__key_exists(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                            bool *found)
{
    char sqltext[256];
    snprintf(sqltext, sizeof(sqltext),
             "SELECT 1 FROM %s t WHERE t.key = ? AND t.workspace_id = 1 AND t.deleted_at IS NULL",
             e->name);
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, sqltext, &st);
    if (err)
        return err;
    err = store_bind(st, 1, store_text(key.p, key.len));
    if (!err)
        err = store_step(st, found);
    store_done(st);
    return err;
}

enum rp_err rec_enum_values(struct rec_ctx *ctx, const struct field_def *f, const char ***values,
                            size_t *n)
{
    *n = 0;
    if (f->enum_values) {
        size_t count = 0;
        while (f->enum_values[count])
            count++;
        *values = (const char **)(uintptr_t)f->enum_values;
        *n = count;
        return RP_OK;
    }
    const struct entity_def *src = meta_entity(rp_str_c(f->ref_entity));
    int key = meta_field_index(src, RP_STR("key"));
    RP_ASSERT(key >= 0);
    struct rec_query q = {0};
    q.limit = RP_MAX_PAGE;
    enum rp_err err = parse_sort(ctx, src, rp_str_c(src->default_sort), &q);
    RP_ASSERT(err == RP_OK);
    bool sudo = ctx->sudo;
    ctx->sudo = true; /* allowed values are not secrets */
    struct rec_page page;
    err = rec_list(ctx, src, &q, &page);
    ctx->sudo = sudo;
    if (err)
        return err;
    const char **out = arena_alloc(ctx->a, (page.nrows + 1) * sizeof(*out));
    for (size_t i = 0; i < page.nrows; i++)
        out[i] = page.rows[i].v[key].s;
    *values = out;
    *n = page.nrows;
    return RP_OK;
}

enum rp_err rec_search_all(struct rec_ctx *ctx, struct rp_str q, size_t per_entity,
                           struct rec_hit **hits, size_t *n)
{
    struct rec_query query = {0};
    enum rp_err err = parse_terms(ctx, q, query.terms, &query.nterms);
    if (err)
        return err;
    size_t cap = per_entity * meta_entity_count();
    struct rec_hit *out = arena_calloc(ctx->a, cap ? cap : 1, sizeof(*out));
    size_t count = 0;
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (!meta_searchable(e) || rec__scope(ctx, e, ACL_READ) == SCOPE_NONE)
            continue;
        struct rec_query eq = query;
        eq.limit = per_entity;
        eq.newest = true;
        struct rec_page page;
        err = rec_list(ctx, e, &eq, &page);
        if (err)
            return err;
        int title = meta_field_index(e, rp_str_c(e->title_field));
        for (size_t i = 0; i < page.nrows; i++) {
            out[count].ent = e;
            out[count].id = page.rows[i].id;
            out[count].title = title >= 0 ? page.rows[i].v[title].s : page.rows[i].id;
            count++;
        }
    }
    *hits = out;
    *n = count;
    return RP_OK;
}

/* ---- sales aggregates and schedules ---- */

enum rp_err rec__pipeline(struct rec_ctx *ctx, struct rec_query *q, struct sales_stage_sum **rows,
                          size_t *n)
{
    const struct entity_def *e = &entity_opportunities;
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    enum rp_err err;
    if (!q->nfilters && !q->nterms && !q->team_json && !q->deleted_only) {
        /* Every deal the caller may read: the running sums (store_table.totals_columns)
         * hold them per owner and stage. */
        sql(&b, "%s", "SELECT t.grp, sum(t.n), sum(t.total), sum(t.weighted)"
                      " FROM opportunities__sums t");
        err = scope_where(ctx, e, q, &b);
        sql(&b, "%s", " GROUP BY t.grp HAVING sum(t.n) > 0");
    } else {
        sql(&b, "%s", "SELECT t.stage, count(*), coalesce(sum(t.amount), 0),"
                      " coalesce(sum(t.amount * coalesce(t.probability, 0)), 0)"
                      " FROM opportunities t");
        err = where(ctx, e, q, false, &b);
        sql(&b, "%s", " GROUP BY t.stage");
    }
    struct store_stmt *st = NULL;
    if (!err)
        err = prepare_built(ctx, &b, &st);
    buf_release(&b.sql);
    if (err)
        return err;
    size_t cap = 16, count = 0;
    struct sales_stage_sum *out = arena_calloc(ctx->a, cap, sizeof(*out));
    bool row;
    while (!(err = store_step(st, &row)) && row) {
        if (count == cap)
            out = arena_grow(ctx->a, out, &cap, sizeof(*out));
        size_t len;
        const char *stage = store_col_text(st, 0, &len);
        out[count].stage = arena_strndup(ctx->a, stage ? stage : "", len);
        out[count].count = store_col_int(st, 1);
        out[count].amount = store_col_int(st, 2);
        out[count].weighted_x100 = store_col_int(st, 3);
        count++;
    }
    store_done(st);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sums are beyond the range of a number");
    *rows = out;
    *n = count;
    return err;
}

enum rp_err rec__forecast(struct rec_ctx *ctx, struct rec_query *q, struct sales_period **rows,
                          size_t *n)
{
    const struct entity_def *e = &entity_opportunities;
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s", "SELECT ");
    if (!b.err)
        b.err = store_month_of(ctx->store, &b.sql, "t.expected_close_date");
    /* Outcome of the stage: won counts in full, lost not at all, open by probability. */
    sql(&b, "%s",
        " AS period, count(*),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' OR (s.outcome = 'open'"
        " AND coalesce(t.probability, 0) >= " SALES_COMMIT_PROBABILITY_SQL ")"
        " THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome IN ('won', 'open') THEN t.amount ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN s.outcome = 'won' THEN t.amount * 100"
        " WHEN s.outcome = 'open' THEN t.amount * coalesce(t.probability, 0) ELSE 0 END), 0)"
        " FROM opportunities t LEFT JOIN pipeline_stages s ON s.key = t.stage"
        " AND s.workspace_id = t.workspace_id AND s.deleted_at IS NULL");
    struct store_stmt *st = NULL;
    enum rp_err err = where(ctx, e, q, false, &b);
    sql(&b, "%s", " AND t.expected_close_date IS NOT NULL GROUP BY period ORDER BY period");
    if (!err)
        err = prepare_built(ctx, &b, &st);
    buf_release(&b.sql);
    if (err)
        return err;
    size_t cap = 16, count = 0;
    struct sales_period *out = arena_calloc(ctx->a, cap, sizeof(*out));
    bool row;
    while (!(err = store_step(st, &row)) && row) {
        if (count == cap)
            out = arena_grow(ctx->a, out, &cap, sizeof(*out));
        size_t len;
        const char *p = store_col_text(st, 0, &len);
        out[count].period = arena_strndup(ctx->a, p ? p : "", len);
        out[count].count = store_col_int(st, 1);
        out[count].won = store_col_int(st, 2);
        out[count].commit = store_col_int(st, 3);
        out[count].best_case = store_col_int(st, 4);
        out[count].weighted_x100 = store_col_int(st, 5);
        count++;
    }
    store_done(st);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sums are beyond the range of a number");
    *rows = out;
    *n = count;
    return err;
}

/* Rows of activities matching the built statement, into a page. */
/* Reads at most max rows; RP_ETOOBIG once they hold more than max_text bytes of text
 * (0: no such limit). */
static enum rp_err read_page(struct rec_ctx *ctx, struct sqlb *b, const struct entity_def *e,
                             size_t max, size_t max_text, struct rec **rows, size_t *n)
{
    struct store_stmt *st = NULL;
    enum rp_err err = prepare_built(ctx, b, &st);
    if (err)
        return err;
    struct rec *out = arena_calloc(ctx->a, max + 1, sizeof(*out));
    size_t count = 0, text = 0;
    bool row;
    while (count < max && !(err = store_step(st, &row)) && row) {
        rec__read_row(ctx, st, e, &out[count]);
        text += text_bytes(&out[count++]);
        if (max_text && text > max_text) {
            err = RP_ETOOBIG;
            break;
        }
    }
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}

/* Appends: owned by one of users, or one of them attends. */
/* The earliest start of a timed activity that can still be running at `at`: the lower
 * bound that lets the start_at index serve overlap queries. */
static const char *earliest_start(struct rec_ctx *ctx, const char *at)
{
    int64_t ms = 0;
    if (text_parse_datetime(rp_str_c(at), &ms) != RP_OK)
        return at; /* the callers pass validated times */
    char *buf = arena_alloc(ctx->a, 32);
    text_format_datetime(ms - (int64_t)SALES_MAX_ACTIVITY_DAYS * 86400000, buf, 32);
    return buf;
}

static void involving(struct rec_ctx *ctx, struct sqlb *b, const char *const *users, size_t n)
{
    sql(b, "%s", " AND (t.owner_id IN (");
    for (size_t i = 0; i < n; i++) {
        sql(b, "%s", i ? ", ?" : "?");
        param(ctx, b, store_cstr(users[i]));
    }
    sql(b, "%s", ") OR ");
    if (!b->err)
        b->err = store_json_array_has_any(ctx->store, &b->sql, "t.attendee_user_ids", n);
    for (size_t i = 0; i < n; i++)
        param(ctx, b, store_cstr(users[i]));
    sql(b, "%s", ")");
}

enum rp_err rec__calendar(struct rec_ctx *ctx, const char *from, const char *to,
                          const char *const *users, size_t nusers, struct rec **rows, size_t *n)
{
    const struct entity_def *e = &entity_activities;
    struct rec_query q = {0};
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s", rec__sql(e)->select);
    enum rp_err err = where(ctx, e, &q, false, &b);
    if (err) {
        buf_release(&b.sql);
        return err;
    }
    /* Timed activities overlapping [from, to), and tasks due in it. */
    /* An activity ending exactly at `from` belongs to the range before; one without
     * length counts where it starts. `(start_at || '')` keeps the planner off the
     * start_at index for the tasks' branch (it would scan every untimed row). */
    sql(&b, "%s", " AND ((t.start_at >= ? AND t.start_at < ? AND (t.end_at > ? OR"
                  " ((t.end_at IS NULL OR t.end_at = t.start_at) AND t.start_at >= ?)))"
                  " OR ((t.start_at || '') IS NULL AND t.due_at >= ? AND t.due_at < ?))");
    param(ctx, &b, store_cstr(earliest_start(ctx, from)));
    param(ctx, &b, store_cstr(to));
    param(ctx, &b, store_cstr(from));
    param(ctx, &b, store_cstr(from));
    param(ctx, &b, store_cstr(from));
    param(ctx, &b, store_cstr(to));
    if (nusers)
        involving(ctx, &b, users, nusers);
    sql(&b, "%s", " ORDER BY coalesce(t.start_at, t.due_at), t.seq LIMIT ?");
    param(ctx, &b, store_int(SALES_MAX_CALENDAR + 1));
    err = read_page(ctx, &b, e, SALES_MAX_CALENDAR + 1, RP_MAX_PAGE_TEXT, rows, n);
    buf_release(&b.sql);
    if (!err && *n > SALES_MAX_CALENDAR)
        err = rec_bad_request(ctx, "more than %u activities in range: ask for a shorter period",
                              SALES_MAX_CALENDAR);
    if (err == RP_ETOOBIG)
        err = rec_bad_request(ctx, "the activities in range hold too much text to show at"
                                   " once: ask for a shorter period");
    return err;
}

enum rp_err rec__overlaps(struct rec_ctx *ctx, const struct rec *act, const char *start,
                          const char *end, const char *const *users, size_t nusers,
                          struct rec **rows, size_t *n)
{
    const struct entity_def *e = &entity_activities;
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s", rec__sql(e)->select);
    /* Every activity counts, visible to the caller or not: a colleague's private
     * meeting still makes them busy. */
    sql(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                  " AND t.type IN ('meeting', 'call') AND t.status NOT IN ('cancelled', 'not_held')"
                  " AND t.start_at >= ? AND t.start_at < ? AND t.end_at > ? AND t.id <> ?");
    param(ctx, &b, store_cstr(earliest_start(ctx, start)));
    param(ctx, &b, store_cstr(end));
    param(ctx, &b, store_cstr(start));
    param(ctx, &b, store_cstr(act->id ? act->id : ""));
    involving(ctx, &b, users, nusers);
    sql(&b, "%s", " ORDER BY t.start_at, t.seq LIMIT ?");
    param(ctx, &b, store_int(SALES_MAX_CONFLICTS));
    enum rp_err err = read_page(ctx, &b, e, SALES_MAX_CONFLICTS, 0, rows, n);
    buf_release(&b.sql);
    return err;
}

enum rp_err rec__tier_changes(struct rec_ctx *ctx, const char *since, const char ***ids,
                              const char ***tiers, size_t *n)
{
    /* Pareto: ranked by won revenue, the accounts making the first 80% are A, the next
     * 15% B, the rest (and accounts without won revenue) C. The ranked accounts drive
     * the join (each finds its account by the unique id); the others are those not
     * in w. An accounts LEFT JOIN ranked-subquery instead made SQLite scan the
     * materialised ranking once per account: minutes at 100,000 accounts. */
    static const char *SQL_TIERS =
        "WITH w AS (SELECT o.account_id AS id, sum(o.amount) AS r FROM opportunities o"
        "  JOIN pipeline_stages s ON s.key = o.stage AND s.outcome = 'won'"
        "  AND s.workspace_id = o.workspace_id AND s.deleted_at IS NULL"
        "  WHERE o.workspace_id = 1 AND o.deleted_at IS NULL AND o.account_id IS NOT NULL"
        "  AND o.amount > 0 AND o.expected_close_date >= ? GROUP BY o.account_id),"
        " k AS (SELECT id, sum(r) OVER (ORDER BY r DESC, id ROWS UNBOUNDED PRECEDING) - r"
        "  AS before, sum(r) OVER () AS total FROM w)"
        " SELECT id, tier FROM (SELECT a.id AS id, a.tier_computed AS old,"
        "  CASE WHEN k.before < k.total * 0.8 THEN 'A' WHEN k.before < k.total * 0.95"
        "  THEN 'B' ELSE 'C' END AS tier"
        "  FROM k JOIN accounts a ON a.id = k.id"
        "  WHERE a.workspace_id = 1 AND a.deleted_at IS NULL"
        " UNION ALL SELECT a.id, a.tier_computed, 'C' FROM accounts a"
        "  WHERE a.workspace_id = 1 AND a.deleted_at IS NULL AND a.id NOT IN (SELECT id FROM w)"
        " ) c WHERE old IS NULL OR old <> tier";
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, SQL_TIERS, &st);
    if (err)
        return err;
    size_t cap = 64, count = 0;
    const char **i_out = arena_alloc(ctx->a, cap * sizeof(char *));
    const char **t_out = arena_alloc(ctx->a, cap * sizeof(char *));
    bool row = false;
    err = store_bind(st, 1, store_cstr(since));
    while (!err && !(err = store_step(st, &row)) && row) {
        if (count == cap) {
            const char **bi = arena_alloc(ctx->a, cap * 2 * sizeof(char *));
            const char **bt = arena_alloc(ctx->a, cap * 2 * sizeof(char *));
            memcpy(bi, i_out, cap * sizeof(char *));
            memcpy(bt, t_out, cap * sizeof(char *));
            i_out = bi;
            t_out = bt;
            cap *= 2;
        }
        size_t len;
        const char *id = store_col_text(st, 0, &len);
        i_out[count] = arena_strndup(ctx->a, id, len);
        const char *tier = store_col_text(st, 1, &len);
        t_out[count] = arena_strndup(ctx->a, tier, len);
        count++;
    }
    store_done(st);
    *ids = i_out;
    *tiers = t_out;
    *n = count;
    return err;
}

enum rp_err rec__list_containing(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *field, const char *id, struct rec ***rows, size_t *n)
{
    struct sqlb b = {0};
    buf_init(&b.sql, RP_MAX_SQL);
    sql(&b, "%s WHERE t.workspace_id = 1 AND t.deleted_at IS NULL AND ", rec__sql(e)->select);
    char col[80];
    snprintf(col, sizeof(col), "t.%s", field);
    if (!b.err)
        b.err = store_json_array_has_any(ctx->store, &b.sql, col, 1);
    param(ctx, &b, store_cstr(id));
    sql(&b, "%s", " LIMIT ?");
    param(ctx, &b, store_int(RP_MAX_PAGE));
    struct rec *found;
    enum rp_err err = read_page(ctx, &b, e, RP_MAX_PAGE, 0, &found, n);
    buf_release(&b.sql);
    if (err)
        return err;
    struct rec **out = arena_alloc(ctx->a, (*n + 1) * sizeof(*out));
    for (size_t i = 0; i < *n; i++)
        out[i] = &found[i];
    *rows = out;
    return RP_OK;
}
