/* The audit trail (DESIGN §7): one row per change, written in the change's own
 * transaction, and the field-level history read back from it. */
#include "core/common.h"

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "engine/rec_int.h"
#include "store/platform.h"

struct store_val rec__audit_val(struct rec_ctx *ctx, const struct field_def *f,
                                  const struct rec_value *v)
{
    if (f->type == FT_PASSWORD)
        return store_null();
    return store_cstr(rec_value_text(ctx->a, f, v));
}

enum rp_err rec__audit(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                         const char *at, const char *action, const char *field,
                         struct store_val oldv, struct store_val newv)
{
    if (e->flags & EF_LOG)
        return RP_OK;
    struct store_audit row = {at,     ctx->who ? ctx->who->user_id : NULL,
                              e->name, r->id, action, field, oldv, newv, ctx->via};
    return store_audit_add(ctx->conn, &row);
}

/* A create writes one audit row whose new value holds the initial values as a JSON
 * object in field order ({"field": "text", "password": null}); rec_history shows it
 * as the record-level row and one row per field, as if each had its own row. */
enum rp_err rec__initial_values(struct rec_ctx *ctx, const struct entity_def *e,
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
    enum rp_err err = buf_addc(&b, '{');
    for (size_t i = 0; i < e->nfields && !err; i++) {
        if (r->v[i].null)
            continue;
        if (b.len > 1)
            err = buf_addc(&b, ',');
        if (!err)
            err = json_add_string(&b, e->fields[i].name, strlen(e->fields[i].name));
        if (!err)
            err = buf_addc(&b, ':');
        if (!err)
            err = text[i] ? json_add_string(&b, text[i], strlen(text[i])) : buf_adds(&b, "null");
    }
    if (!err)
        err = buf_addc(&b, '}');
    if (!err)
        *out = store_text(arena_strndup(ctx->a, b.p, b.len), b.len);
    buf_release(&b);
    return err;
}

/* Adds a create row's per-field rows to out, newest (last field) first, then the
 * record-level row. */
/* Whether the caller's role hides the field an audit row names. */
static bool hidden_field(struct rec_ctx *ctx, const struct entity_def *e, const char *field)
{
    int i = field ? meta_field_index(e, rp_str_c(field)) : -1;
    return i >= 0 && rec_field_rule(ctx, e, (size_t)i) == ACL_FIELD_HIDDEN;
}

static enum rp_err expand_create(struct rec_ctx *ctx, const struct entity_def *e,
                                 const struct rec_history_row *h, struct rec_history_row *out,
                                 size_t limit, size_t *count)
{
    const char **names, **values;
    size_t nf;
    if (json_read_object(ctx->a, rp_str_c(h->new_value), RP_MAX_ENTITY_FIELDS, &names, &values,
                         &nf)) {
        LOG(LOG_ERROR, "audit row %lld: unreadable initial values", (long long)h->seq);
        return RP_EDB;
    }
    struct rec_history_row *fields = arena_alloc(ctx->a, (nf + 1) * sizeof(*fields));
    size_t kept = 0;
    for (size_t i = 0; i < nf; i++) {
        if (hidden_field(ctx, e, names[i]))
            continue;
        fields[kept] = *h;
        fields[kept].old_value = NULL;
        fields[kept].field = names[i];
        fields[kept++].new_value = values[i];
    }
    nf = kept;
    while (nf > 0 && *count < limit)
        out[(*count)++] = fields[--nf];
    if (*count < limit) {
        out[*count] = *h;
        out[(*count)++].new_value = NULL;
    }
    return RP_OK;
}


enum rp_err rec_history(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                        size_t limit, struct rec_history_row **rows, size_t *n)
{
    struct rec r;
    enum rp_err err = rec__load(ctx, e, id, true, &r);
    if (!err)
        err = rec_check_readable(ctx, e, &r);
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
        struct rec_history_row h = {store_col_int(st, 0), rec__col_dup(ctx, st, 1, NULL),
                                    rec__col_dup(ctx, st, 2, NULL), rec__col_dup(ctx, st, 3, NULL),
                                    rec__col_dup(ctx, st, 4, NULL), rec__col_dup(ctx, st, 5, NULL),
                                    rec__col_dup(ctx, st, 6, NULL), rec__col_dup(ctx, st, 7, NULL)};
        if (strcmp(h.action, "create") == 0 && !h.field && h.new_value && h.new_value[0] == '{')
            err = expand_create(ctx, e, &h, out, limit, &count);
        else if (!hidden_field(ctx, e, h.field))
            out[count++] = h;
        if (err)
            break;
    }
    store_done(st);
    *rows = out;
    *n = count;
    return err;
}

enum rp_err rec__audit_merge(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct rec *keep, const struct rec *gone)
{
    const char *now;
    rec__now_text(ctx, &now);
    enum rp_err err = rec__audit(ctx, e, keep, now, "merge", NULL, store_null(), store_cstr(gone->id));
    if (!err)
        err = rec__audit(ctx, e, gone, now, "merged_into", NULL, store_null(), store_cstr(keep->id));
    return err;
}
