/* The DAV module's own statements, built with the engine's query builder: a
 * collection's items as the caller may read them (sqlb_scope), its sync state, and the
 * names clients gave the records they created.
 *
 * dav_names keeps, per record a client created, the resource name it chose and the
 * UID it gave, so the record answers at that name with that UID. Records the CRM made
 * have none: they answer at "<id>.ics" or "<id>.vcf" with a UID made from their id. */
#include "core/common.h"

#include "engine/acl.h"
#include "engine/sqlb.h"
#include "mod/dav/dav.h"

static const struct entity_def *entity(enum dav_kind k)
{
    return meta_need(k == DAV_CALENDAR ? "activities" : "contacts");
}

static enum rp_err run(struct rec_ctx *ctx, struct sqlb *b)
{
    struct store_stmt *st = NULL;
    enum rp_err err = sqlb_prepare(ctx, b, &st);
    sqlb_release(b);
    bool row;
    if (!err)
        err = store_step(st, &row);
    if (st)
        store_done(st);
    return err;
}

enum rp_err dav__sql_init(struct rec_ctx *ctx)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "CREATE TABLE IF NOT EXISTS dav_names (workspace_id INTEGER NOT NULL"
                       " DEFAULT 1, kind INTEGER NOT NULL, name TEXT NOT NULL, record_id TEXT"
                       " NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (workspace_id, kind, name))");
    enum rp_err err = run(ctx, &b);
    if (!err) {
        sqlb_init(&b);
        sqlb_add(&b, "%s", "CREATE INDEX IF NOT EXISTS dav_names_record ON dav_names"
                           " (workspace_id, kind, record_id)");
        err = run(ctx, &b);
    }
    return err;
}

/* Appends the collection's conditions on `t` after sqlb_scope's WHERE. */
static void conditions(struct rec_ctx *ctx, struct sqlb *b, enum dav_kind k, const char *since,
                       bool deleted, const char *from, const char *to)
{
    if (!deleted)
        sqlb_add(b, "%s", " AND t.deleted_at IS NULL");
    if (k == DAV_CALENDAR) {
        const char *me = ctx->who->user_id;
        sqlb_add(b, "%s", " AND t.type IN ('call', 'meeting', 'task') AND (t.owner_id = ? OR ");
        sqlb_param(ctx, b, store_cstr(me));
        sqlb_json_list_has_any(ctx, b, "t.attendee_user_ids", &me, 1);
        sqlb_add(b, "%s", ")");
    }
    if (since) {
        sqlb_add(b, "%s", " AND t.updated_at > ?");
        sqlb_param(ctx, b, store_cstr(since));
    }
    if (k == DAV_CALENDAR && from && to) {
        /* Events overlapping [from, to) (one without length where it starts), series
         * whose occurrences may (repeat_until: routes.c expands them), tasks due in it,
         * and tasks with neither start nor due date, which every range matches
         * (RFC 4791 §9.9). */
        sqlb_add(b, "%s", " AND ((t.start_at < ? AND (t.end_at > ? OR ((t.end_at IS NULL OR"
                          " t.end_at = t.start_at) AND t.start_at >= ?)))"
                          " OR (t.repeat_until IS NOT NULL AND t.start_at < ? AND"
                          " t.repeat_until >= ?)"
                          " OR (t.start_at IS NULL AND t.due_at >= ? AND t.due_at < ?)"
                          " OR (t.start_at IS NULL AND t.due_at IS NULL))");
        sqlb_param(ctx, b, store_cstr(to));
        sqlb_param(ctx, b, store_cstr(from));
        sqlb_param(ctx, b, store_cstr(from));
        sqlb_param(ctx, b, store_cstr(to));
        sqlb_param(ctx, b, store_cstr(from));
        sqlb_param(ctx, b, store_cstr(from));
        sqlb_param(ctx, b, store_cstr(to));
    }
}

enum rp_err dav__sql_items(struct rec_ctx *ctx, enum dav_kind k, const char *since,
                           bool deleted, const char *from, const char *to, size_t max,
                           struct rec **rows, size_t *n)
{
    const struct entity_def *e = entity(k);
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    conditions(ctx, &b, k, since, deleted, from, to);
    /* Oldest change first: a sync cut short goes on from its last item. */
    sqlb_add(&b, "%s", " ORDER BY t.updated_at, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int((int64_t)max));
    err = sqlb_read(ctx, &b, e, max, 0, rows, n);
    sqlb_release(&b);
    for (size_t i = 0; !err && i < *n; i++)
        rec_mask(ctx, &(*rows)[i]);
    return err;
}

enum rp_err dav__sql_state(struct rec_ctx *ctx, enum dav_kind k, const char **latest,
                           int64_t *count)
{
    const struct entity_def *e = entity(k);
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "SELECT max(t.updated_at), sum(CASE WHEN t.deleted_at IS NULL THEN 1 ELSE 0"
                 " END) FROM %s t", e->name);
    *latest = NULL;
    *count = 0;
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    conditions(ctx, &b, k, NULL, true, NULL, NULL);
    struct store_stmt *st = NULL;
    err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    bool row = false;
    if (!err)
        err = store_step(st, &row);
    if (!err && row && !store_col_null(st, 0)) {
        size_t len;
        const char *s = store_col_text(st, 0, &len);
        *latest = arena_strndup(ctx->a, s, len);
        *count = store_col_int(st, 1);
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err dav__sql_names(struct rec_ctx *ctx, enum dav_kind k, struct dav_name **out,
                           size_t *n)
{
    const struct entity_def *e = entity(k);
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "SELECT d.record_id, d.name, d.uid FROM %s t JOIN dav_names d ON"
                 " d.workspace_id = t.workspace_id AND d.kind = ? AND d.record_id = t.id",
             e->name);
    sqlb_param(ctx, &b, store_int(k));
    *out = NULL;
    *n = 0;
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    conditions(ctx, &b, k, NULL, true, NULL, NULL);
    sqlb_add(&b, "%s", " ORDER BY d.record_id");
    struct store_stmt *st = NULL;
    err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    size_t cap = 0;
    bool row;
    while (!err && !(err = store_step(st, &row)) && row) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            struct dav_name *grown = arena_alloc(ctx->a, cap * sizeof(*grown));
            if (*n)
                memcpy(grown, *out, *n * sizeof(*grown));
            *out = grown;
        }
        size_t len;
        struct dav_name *d = &(*out)[(*n)++];
        const char *s = store_col_text(st, 0, &len);
        d->record_id = arena_strndup(ctx->a, s, len);
        s = store_col_text(st, 1, &len);
        d->name = arena_strndup(ctx->a, s, len);
        s = store_col_text(st, 2, &len);
        d->uid = arena_strndup(ctx->a, s, len);
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err dav__sql_lookup(struct rec_ctx *ctx, enum dav_kind k, const char *name,
                            struct dav_name *out)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT record_id, uid FROM dav_names WHERE workspace_id = 1 AND kind = ?"
                       " AND name = ?");
    sqlb_param(ctx, &b, store_int(k));
    sqlb_param(ctx, &b, store_cstr(name));
    struct store_stmt *st = NULL;
    enum rp_err err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    bool row = false;
    if (!err)
        err = store_step(st, &row);
    if (!err && !row)
        err = RP_ENOTFOUND;
    if (!err) {
        size_t len;
        const char *s = store_col_text(st, 0, &len);
        out->record_id = arena_strndup(ctx->a, s, len);
        s = store_col_text(st, 1, &len);
        out->uid = arena_strndup(ctx->a, s, len);
        out->name = name;
    }
    if (st)
        store_done(st);
    return err;
}

enum rp_err dav__sql_put_name(struct rec_ctx *ctx, enum dav_kind k, const char *name,
                              const char *record_id, const char *uid)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "DELETE FROM dav_names WHERE workspace_id = 1 AND kind = ? AND"
                       " (name = ? OR record_id = ?)");
    sqlb_param(ctx, &b, store_int(k));
    sqlb_param(ctx, &b, store_cstr(name));
    sqlb_param(ctx, &b, store_cstr(record_id));
    enum rp_err err = run(ctx, &b);
    if (err)
        return err;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "INSERT INTO dav_names (workspace_id, kind, name, record_id, uid)"
                       " VALUES (1, ?, ?, ?, ?)");
    sqlb_param(ctx, &b, store_int(k));
    sqlb_param(ctx, &b, store_cstr(name));
    sqlb_param(ctx, &b, store_cstr(record_id));
    sqlb_param(ctx, &b, store_cstr(uid));
    return run(ctx, &b);
}
