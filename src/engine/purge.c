/* Deleting records for good: one record from the recycle bin, or an entity's bin
 * emptied (administrators only). A record still referred to by a live record stays:
 * the purge would leave that record pointing at nothing. References held by records in
 * the recycle bin are cleared, audited, so that restoring one later brings back no
 * dangling link. The record's field history goes with it (an erasure leaves no copy of
 * its values); the security log keeps who purged what. */
#include "core/common.h"

#include "core/buf.h"
#include "core/text.h"
#include "engine/rec_int.h"
#include "engine/secev.h"
#include "store/platform.h"

/* One way records of `other` refer to records of the purged entity. */
struct ref_path {
    const struct entity_def *other;
    const struct field_def *f;
};

/* The records of p.other whose field holds id: live ones (with their count), or those in
 * the recycle bin (`deleted`), as one page of at most RP_MAX_PAGE. */
static enum rp_err referring(struct rec_ctx *ctx, const struct entity_def *e, struct ref_path p,
                             const char *id, bool deleted, struct rec_page *out)
{
    memset(out, 0, sizeof(*out));
    if (p.f->type == FT_MULTI_REF) {
        struct rec **rows;
        size_t n;
        enum rp_err err = rec__list_containing(ctx, p.other, p.f->name, id, deleted, &rows, &n);
        if (err)
            return err;
        out->rows = arena_calloc(ctx->a, n + 1, sizeof(*out->rows));
        for (size_t i = 0; i < n; i++)
            out->rows[i] = *rows[i];
        out->nrows = n;
        out->total = (int64_t)n;
        return RP_OK;
    }
    struct rec_param prm[] = {{rp_str_c(p.f->name), rp_str_c(id)},
                              {RP_STR("deleted"), deleted ? RP_STR("only") : RP_STR("false")},
                              {RP_STR("count"), deleted ? RP_STR("false") : RP_STR("true")},
                              {RP_STR("limit"), RP_STR("500")},
                              {rp_str_c(p.f->ref_type_field ? p.f->ref_type_field : ""),
                               rp_str_c(e->name)}};
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, p.other, prm, p.f->ref_type_field ? 5 : 4, &q);
    return err ? err : rec_list(ctx, p.other, q, out);
}

/* The JSON id list v without id, in the stored form (["id","id"]). */
static const char *list_without(struct rec_ctx *ctx, const struct rec_value *v, const char *id)
{
    char *out = arena_alloc(ctx->a, v->len + 1);
    size_t n = 0;
    out[n++] = '[';
    for (size_t p = 2; p + RP_ID_LEN <= v->len; p += RP_ID_LEN + 3) {
        if (memcmp(v->s + p, id, RP_ID_LEN) == 0)
            continue;
        if (n > 1)
            out[n++] = ',';
        out[n++] = '"';
        memcpy(out + n, v->s + p, RP_ID_LEN);
        n += RP_ID_LEN;
        out[n++] = '"';
    }
    out[n++] = ']';
    out[n] = '\0';
    return out;
}

/* Clears every reference to id held by records of p.other in the recycle bin. */
static enum rp_err clear_deleted_refs(struct rec_ctx *ctx, const struct entity_def *e,
                                      struct ref_path p, const char *id)
{
    for (;;) {
        struct rec_page page;
        enum rp_err err = referring(ctx, e, p, id, true, &page);
        if (err || page.nrows == 0)
            return err;
        for (size_t i = 0; i < page.nrows && !err; i++) {
            const struct rec *r = &page.rows[i];
            const char *value = p.f->type == FT_MULTI_REF
                                    ? list_without(ctx, rec_field(r, p.f->name), id)
                                    : NULL;
            err = rec_repoint_deleted(ctx, p.other, r, p.f->name, value);
        }
        if (err)
            return err;
    }
}

/* RP_ECONFLICT naming how many live records refer to r (*blocked), else RP_OK. */
static enum rp_err live_refs(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *r,
                             bool *blocked)
{
    struct rp_buf what;
    buf_init(&what, 1024);
    int64_t total = 0;
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *other = meta_entity_at(k);
        /* A record referring through two fields (an activity about the account that also
         * belongs to it) counts once: the ids of each field's page, told apart. Past a
         * page, the largest field's count stands for the rest. */
        const char **ids = NULL;
        size_t nids = 0;
        int64_t n = 0;
        for (size_t f = 0; f < other->nfields && !err; f++) {
            if (!meta_refers_to(other, &other->fields[f], e))
                continue;
            struct rec_page page;
            err = referring(ctx, e, (struct ref_path){other, &other->fields[f]}, r->id, false,
                            &page);
            if (err || page.nrows == 0)
                continue;
            const char **more = arena_calloc(ctx->a, nids + page.nrows, sizeof(*more));
            if (nids)
                memcpy(more, ids, nids * sizeof(*ids));
            ids = more;
            for (size_t i = 0; i < page.nrows; i++) {
                size_t j = 0;
                while (j < nids && strcmp(ids[j], page.rows[i].id) != 0)
                    j++;
                if (j == nids)
                    ids[nids++] = page.rows[i].id;
            }
            if (page.total > n)
                n = page.total;
        }
        if ((int64_t)nids > n)
            n = (int64_t)nids;
        if (!err && n)
            err = buf_printf(&what, "%s%lld %s", total ? ", " : "", (long long)n,
                             n == 1 ? rec_label(ctx, other) : rec_labels(ctx, other));
        total += n;
    }
    *blocked = !err && total > 0;
    if (*blocked)
        err = total == 1
                  ? rec_fail(ctx, RP_ECONFLICT,
                             "a live record still refers to this %s (%s): point it elsewhere or"
                             " delete it first",
                             rec_label(ctx, e), buf_cstr(&what))
                  : rec_fail(ctx, RP_ECONFLICT,
                             "%lld live records still refer to this %s (%s): point them"
                             " elsewhere or delete them first",
                             (long long)total, rec_label(ctx, e), buf_cstr(&what));
    buf_release(&what);
    return err;
}

/* Purges record id of e, which must be in the recycle bin, inside the caller's
 * transaction and system step. *blocked: live records still refer to it (RP_ECONFLICT). */
static enum rp_err purge_one(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                             bool *blocked)
{
    *blocked = false;
    struct rec r;
    enum rp_err err = rec__load(ctx, e, id, true, &r);
    if (!err && !r.deleted_at)
        err = rec_fail(ctx, RP_ECONFLICT,
                       "this %s is not in the recycle bin: delete it before purging it",
                       rec_label(ctx, e));
    if (!err)
        err = live_refs(ctx, e, &r, blocked);
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *other = meta_entity_at(k);
        for (size_t f = 0; f < other->nfields && !err; f++)
            if (meta_refers_to(other, &other->fields[f], e))
                err = clear_deleted_refs(ctx, e, (struct ref_path){other, &other->fields[f]},
                                         r.id);
    }
    rec__memo_drop(ctx, e);
    if (!err)
        err = store_record_purge(ctx->conn, e->name, meta_searchable(e), r.seq, r.id);
    if (!err) {
        int title = meta_field_index(e, rp_str_c(e->title_field));
        const char *name = title >= 0 ? rec_value_text(ctx->a, &e->fields[title], &r.v[title])
                                      : NULL;
        err = secev_add(ctx, NULL, "record_purge", e->name, r.id, "success", name ? name : "");
    }
    return err;
}

static enum rp_err admin_only(struct rec_ctx *ctx)
{
    return rec_admin(ctx) ? RP_OK
                          : rec_fail(ctx, RP_EFORBIDDEN,
                                     "only administrators delete records permanently");
}

enum rp_err rec_purge(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    /* References are looked up and cleared wherever they are, whoever can see them. */
    const char *saved = rec_system_begin(ctx, "purge");
    bool blocked;
    err = purge_one(ctx, e, id, &blocked);
    rec_system_end(ctx, saved);
    return rec_tx_end(ctx, err);
}

enum rp_err rec_purge_bin(struct rec_ctx *ctx, const struct entity_def *e, int64_t older_than_days,
                          struct rec_purged *out)
{
    memset(out, 0, sizeof(*out));
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    if (older_than_days < 0 || older_than_days > REC_MAX_PURGE_DAYS)
        return rec_field_error(ctx, "older_than_days", "must be a number of days from 0 to %d",
                               REC_MAX_PURGE_DAYS);
    char before[32];
    text_format_datetime(text_now_ms() - older_than_days * 86400000, before, sizeof(before));
    err = rec_tx_begin(ctx);
    if (err)
        return err;
    const char *saved = rec_system_begin(ctx, "purge");
    const char **ids;
    size_t n;
    err = store_bin_ids(ctx->conn, e->name, before, RP_MAX_PURGE, ctx->a, &ids, &n);
    for (size_t i = 0; i < n && !err; i++) {
        bool blocked;
        err = purge_one(ctx, e, rp_str_c(ids[i]), &blocked);
        if (blocked) { /* it stays; the others go */
            ctx->detail = NULL;
            err = RP_OK;
            out->kept++;
        } else if (!err) {
            out->purged++;
        }
    }
    out->more = !err && n == RP_MAX_PURGE;
    rec_system_end(ctx, saved);
    return rec_tx_end(ctx, err);
}
