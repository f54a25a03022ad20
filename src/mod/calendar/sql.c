/* The calendar module's own statements, built with the engine's query builder. */
#include "core/common.h"

#include "core/text.h"
#include "engine/sqlb.h"
#include "mod/calendar/calendar.h"

/* The earliest start of a timed activity that can still be running at `at`: the lower
 * bound that lets the start_at index serve overlap queries. */
static const char *earliest_start(struct rec_ctx *ctx, const char *at)
{
    int64_t ms = 0;
    if (text_parse_datetime(rp_str_c(at), &ms) != RP_OK)
        return at; /* the callers pass validated times */
    char *buf = arena_alloc(ctx->a, 32);
    text_format_datetime(ms - (int64_t)CALENDAR_MAX_ACTIVITY_DAYS * 86400000, buf, 32);
    return buf;
}

/* Appends: owned by one of users, or one of them attends. */
static void involving(struct rec_ctx *ctx, struct sqlb *b, const char *const *users, size_t n)
{
    sqlb_add(b, "%s", " AND (t.owner_id IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_add(b, "%s", i ? ", ?" : "?");
        sqlb_param(ctx, b, store_cstr(users[i]));
    }
    sqlb_add(b, "%s", ") OR ");
    sqlb_json_list_has_any(ctx, b, "t.attendee_user_ids", users, n);
    sqlb_add(b, "%s", ")");
}

enum rp_err calendar_sql_range(struct rec_ctx *ctx, const char *from, const char *to,
                               const char *const *users, size_t nusers, struct rec **rows,
                               size_t *n)
{
    const struct entity_def *e = meta_need("activities");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
    if (err) {
        sqlb_release(&b);
        return err;
    }
    /* Series come from calendar__occurrences, one row per occurrence. */
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.repeat_until IS NULL");
    /* Timed activities overlapping [from, to), and tasks due in it. */
    /* An activity ending exactly at `from` belongs to the range before; one without
     * length counts where it starts. `(start_at || '')` keeps the planner off the
     * start_at index for the tasks' branch (it would scan every untimed row). */
    sqlb_add(&b, "%s", " AND ((t.start_at >= ? AND t.start_at < ? AND (t.end_at > ? OR"
                  " ((t.end_at IS NULL OR t.end_at = t.start_at) AND t.start_at >= ?)))"
                  " OR ((t.start_at || '') IS NULL AND t.due_at >= ? AND t.due_at < ?))");
    sqlb_param(ctx, &b, store_cstr(earliest_start(ctx, from)));
    sqlb_param(ctx, &b, store_cstr(to));
    sqlb_param(ctx, &b, store_cstr(from));
    sqlb_param(ctx, &b, store_cstr(from));
    sqlb_param(ctx, &b, store_cstr(from));
    sqlb_param(ctx, &b, store_cstr(to));
    if (nusers)
        involving(ctx, &b, users, nusers);
    sqlb_add(&b, "%s", " ORDER BY coalesce(t.start_at, t.due_at), t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int(CALENDAR_MAX_ACTIVITIES + 1));
    err = sqlb_read(ctx, &b, e, CALENDAR_MAX_ACTIVITIES + 1, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    if (!err && *n > CALENDAR_MAX_ACTIVITIES)
        err = rec_bad_request(ctx, "more than %u activities in range: ask for a shorter period",
                              CALENDAR_MAX_ACTIVITIES);
    if (err == RP_ETOOBIG)
        err = rec_bad_request(ctx, "the activities in range hold too much text to show at"
                                   " once: ask for a shorter period");
    return err;
}

enum rp_err calendar_sql_overlaps(struct rec_ctx *ctx, const struct rec *act, const char *start,
                                  const char *end, const char *const *users, size_t nusers,
                                  size_t max, struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("activities");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    /* Every activity counts, visible to the caller or not: a colleague's private
     * meeting still makes them busy. */
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL"
                  " AND t.type IN ('meeting', 'call') AND t.status NOT IN ('cancelled', 'not_held')"
                  " AND t.start_at >= ? AND t.start_at < ? AND t.end_at > ? AND t.id <> ?"
                  " AND t.repeat_until IS NULL");
    sqlb_param(ctx, &b, store_cstr(earliest_start(ctx, start)));
    sqlb_param(ctx, &b, store_cstr(end));
    sqlb_param(ctx, &b, store_cstr(start));
    sqlb_param(ctx, &b, store_cstr(act->id ? act->id : ""));
    involving(ctx, &b, users, nusers);
    sqlb_add(&b, "%s", " ORDER BY t.start_at, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int((int64_t)max));
    enum rp_err err = sqlb_read(ctx, &b, e, max, 0, rows, n);
    sqlb_release(&b);
    return err;
}

/* Appends the account of what an activity of table `act` is about: the record itself
 * for an account, its link for the others. */
static void account_expr(struct rec_ctx *ctx, struct sqlb *b, const char *act)
{
    sqlb_add(b, "%s", "(CASE related_type");
    for (size_t i = 0; i < calendar__naccount_sources; i++) {
        const struct calendar_account_source *src = &calendar__account_sources[i];
        const struct entity_def *about = meta_need(src->entity);
        RP_ASSERT(!src->field || meta_field(about, rp_str_c(src->field)));
        sqlb_add(b, " WHEN ? THEN (SELECT s.%s FROM %s s WHERE s.id = %s.related_id)",
                 src->field ? src->field : "id", about->name, act);
        sqlb_param(ctx, b, store_cstr(src->entity));
    }
    sqlb_add(b, "%s", " END)");
}

enum rp_err calendar__sql_fill_accounts(struct rec_ctx *ctx, int64_t *filled)
{
    const struct entity_def *e = meta_need("activities");
    /* Every activity without the link that should have one, the recycle bin's included
     * (a restored one comes back on the right card); the rest are left as they are, so
     * running it again changes nothing. */
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "UPDATE %s SET account_id = ", e->name);
    account_expr(ctx, &b, e->name);
    sqlb_add(&b, "%s", " WHERE workspace_id = 1 AND account_id IS NULL"
                       " AND related_type IS NOT NULL AND ");
    account_expr(ctx, &b, e->name);
    sqlb_add(&b, "%s", " IS NOT NULL");
    struct store_stmt *st = NULL;
    enum rp_err err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    bool row;
    if (!err)
        err = store_step(st, &row);
    if (st)
        store_done(st);
    *filled = err ? 0 : store_changes(ctx->conn);
    return err;
}

enum rp_err calendar_sql_series(struct rec_ctx *ctx, const char *from, const char *to,
                                const char *const *users, size_t nusers, bool scoped,
                                struct rec **rows, size_t *n)
{
    const struct entity_def *e = meta_need("activities");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    if (scoped) {
        enum rp_err err = sqlb_scope(ctx, e, NULL, &b);
        if (err) {
            sqlb_release(&b);
            return err;
        }
    } else {
        sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.type IN ('meeting', 'call')"
                           " AND t.status NOT IN ('cancelled', 'not_held')");
    }
    /* repeat_until is set on series only: its index finds them, the ended ones left
     * out. An occurrence overlapping [from, to) starts before `to`, as the first did. */
    sqlb_add(&b, "%s", " AND t.deleted_at IS NULL AND t.repeat_until > ? AND t.start_at < ?");
    sqlb_param(ctx, &b, store_cstr(from));
    sqlb_param(ctx, &b, store_cstr(to));
    if (nusers)
        involving(ctx, &b, users, nusers);
    sqlb_add(&b, "%s", " ORDER BY t.start_at, t.seq LIMIT ?");
    sqlb_param(ctx, &b, store_int(CALENDAR_MAX_SERIES + 1));
    enum rp_err err = sqlb_read(ctx, &b, e, CALENDAR_MAX_SERIES + 1, RP_MAX_PAGE_TEXT, rows, n);
    sqlb_release(&b);
    if (!err && *n > CALENDAR_MAX_SERIES)
        err = rec_bad_request(ctx, "more than %u repeating activities in range: ask for fewer"
                                   " people", CALENDAR_MAX_SERIES);
    return err;
}

enum rp_err calendar_sql_exceptions(struct rec_ctx *ctx, const char *const *ids, size_t nids,
                                    const char *from, const char *to, struct rec **rows,
                                    size_t *n)
{
    const struct entity_def *e = meta_need("activities");
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", sqlb_select(e));
    sqlb_add(&b, "%s", " WHERE t.workspace_id = 1 AND t.deleted_at IS NULL AND t.series_id IN (");
    for (size_t i = 0; i < nids; i++) {
        sqlb_add(&b, "%s", i ? ", ?" : "?");
        sqlb_param(ctx, &b, store_cstr(ids[i]));
    }
    sqlb_add(&b, "%s", ") AND t.recurrence_id >= ? AND t.recurrence_id < ? LIMIT ?");
    sqlb_param(ctx, &b, store_cstr(from));
    sqlb_param(ctx, &b, store_cstr(to));
    sqlb_param(ctx, &b, store_int(CALENDAR_MAX_ACTIVITIES));
    enum rp_err err = sqlb_read(ctx, &b, e, CALENDAR_MAX_ACTIVITIES, 0, rows, n);
    sqlb_release(&b);
    return err;
}
