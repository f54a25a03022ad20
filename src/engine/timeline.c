/* Timelines (GET /{res}/{id}/timeline): what happened around a record, newest first —
 * its field changes, the records linked to it through a reference to a record of any
 * entity (activities) or rolling up to it (FF_ROLLUP: the activities of an account's
 * contacts, deals and converted leads), and the records created with an FF_TIMELINE
 * reference to it (an account's contacts and deals). Driven by metadata: an entity
 * with EF_TIMELINE has one. */
#include "core/common.h"

#include "core/text.h"
#include "engine/rec_int.h"

/* A list of e with the given parameters, as the caller sees it. */
static enum rp_err list(struct rec_ctx *ctx, const struct entity_def *e,
                        const struct rec_param *p, size_t n, struct rec_page *page)
{
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    if (!err)
        err = rec_list(ctx, e, q, page);
    return err;
}

#define P(k, v) ((struct rec_param){rp_str_c(k), rp_str_c(v)})

static int cmp_desc(const void *a, const void *b)
{
    const struct rec_timeline_item *x = a, *y = b;
    return strcmp(y->at, x->at);
}

/* Appends the records of `other` whose field links to subject (created_at < before when
 * before is set), newest first, at most limit; `type_field`: the field naming subject's
 * entity for a reference to a record of any entity. */
static enum rp_err add_linked(struct rec_ctx *ctx, const struct entity_def *other,
                              const struct field_def *f, const struct rec *subject,
                              const char *before, const char *limit,
                              enum rec_timeline_kind kind, struct rec_timeline_item *items,
                              size_t *n, size_t cap)
{
    struct rec_param p[5];
    size_t np = 0;
    p[np++] = P(f->name, subject->id);
    if (f->ref_type_field)
        p[np++] = P(f->ref_type_field, subject->ent->name);
    p[np++] = P("sort", "-created_at");
    p[np++] = P("limit", limit);
    if (before[0])
        p[np++] = P("created_at[lt]", before);
    struct rec_page page;
    enum rp_err err = list(ctx, other, p, np, &page);
    /* A linked entity the caller may not read adds nothing. */
    if (err == RP_EFORBIDDEN) {
        ctx->detail = NULL;
        return RP_OK;
    }
    for (size_t i = 0; !err && i < page.nrows && *n < cap; i++)
        items[(*n)++] = (struct rec_timeline_item){kind, page.rows[i].created_at,
                                                   &page.rows[i], NULL};
    return err;
}

/* The FF_ROLLUP field through which other's records roll up to a record of e (an
 * activity's account), or NULL: none, or the caller's role hides it (they then see
 * those linked to the record itself). */
static const struct field_def *rollup_field(const struct rec_ctx *ctx,
                                            const struct entity_def *other,
                                            const struct entity_def *e)
{
    for (size_t i = 0; i < other->nfields; i++) {
        const struct field_def *f = &other->fields[i];
        if ((f->flags & FF_ROLLUP) && strcmp(f->ref_entity, e->name) == 0)
            return rec_field_rule(ctx, other, i) == ACL_FIELD_HIDDEN ? NULL : f;
    }
    return NULL;
}

enum rp_err rec_timeline(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                         struct rp_str before, size_t limit, struct rec_timeline_item **items,
                         size_t *n, const char **next)
{
    if (!(e->flags & EF_TIMELINE))
        return rec_bad_request(ctx, "%s have no timeline", rec_labels(ctx, e));
    if (limit == 0 || limit > REC_MAX_TIMELINE)
        return rec_bad_request(ctx, "limit must be between 1 and %u", REC_MAX_TIMELINE);
    const char *b = "";
    if (before.len) {
        int64_t ms;
        if (text_parse_datetime(before, &ms))
            return rec_bad_request(ctx, "before must be an RFC 3339 date-time");
        char *buf = arena_alloc(ctx->a, 32);
        text_format_datetime(ms, buf, 32);
        b = buf;
    }
    struct rec r;
    enum rp_err err = rec_get(ctx, e, id, &r);
    if (err)
        return err;
    const char *lim = arena_printf(ctx->a, "%zu", limit);
    /* Each source gives at most `limit` items older than `before`; merged, the newest
     * `limit` of them are exactly the page. */
    size_t sources = 1;
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *other = meta_entity_at(k);
        for (size_t f = 0; f < other->nfields; f++)
            sources += (other->fields[f].ref_type_field &&
                        meta_refers_to(other, &other->fields[f], e)) ||
                       (other->fields[f].flags & FF_ROLLUP) ||
                       ((other->fields[f].flags & FF_TIMELINE) &&
                        strcmp(other->fields[f].ref_entity, e->name) == 0);
    }
    size_t cap = limit * sources;
    struct rec_timeline_item *out = arena_calloc(ctx->a, cap + 1, sizeof(*out));
    size_t count = 0;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *other = meta_entity_at(k);
        const struct field_def *up = rollup_field(ctx, other, e);
        for (size_t i = 0; i < other->nfields && !err; i++) {
            const struct field_def *f = &other->fields[i];
            if (f == up || (f->ref_type_field && !up && meta_refers_to(other, f, e)))
                err = add_linked(ctx, other, f, &r, b, lim, TL_ACTIVITY, out, &count, cap);
            else if ((f->flags & FF_TIMELINE) && strcmp(f->ref_entity, e->name) == 0)
                err = add_linked(ctx, other, f, &r, b, lim, TL_CREATED, out, &count, cap);
        }
    }
    struct rec_history_row *h = NULL;
    size_t nh = 0;
    if (!err)
        err = rec_history(ctx, e, id, RP_MAX_PAGE, &h, &nh);
    if (err)
        return err;
    size_t changes = 0;
    for (size_t i = 0; i < nh && changes < limit && count < cap; i++) {
        /* A create writes one row per field; the record-level row stands for them. */
        if (strcmp(h[i].action, "create") == 0 && h[i].field)
            continue;
        if (b[0] && strcmp(h[i].at, b) >= 0)
            continue;
        out[count++] = (struct rec_timeline_item){TL_CHANGE, h[i].at, NULL, &h[i]};
        changes++;
    }
    qsort(out, count, sizeof(*out), cmp_desc);
    *next = NULL;
    if (count > limit) {
        count = limit;
        *next = out[limit - 1].at;
    }
    *items = out;
    *n = count;
    return RP_OK;
}
