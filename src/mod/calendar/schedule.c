/* Scheduling: the rules of meetings and calls (times, length, what they are about),
 * conflicts with the attendees' other meetings, and the calendar of a range. */
#include "core/common.h"

#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "mod/calendar/calendar.h"

/* The ids in a stored JSON list of ids (["id","id"…]). */
static size_t list_ids(const struct rec_value *v, const char **out, size_t max, struct arena *a)
{
    size_t n = 0;
    if (v->null)
        return 0;
    for (size_t p = 2; p + RP_ID_LEN <= v->len && n < max; p += RP_ID_LEN + 3)
        out[n++] = arena_strndup(a, v->s + p, RP_ID_LEN);
    return n;
}

static bool timed(const struct rec *r)
{
    const struct rec_value *t = rec_field(r, "type");
    return (t->len == 7 && memcmp(t->s, "meeting", 7) == 0) ||
           (t->len == 4 && memcmp(t->s, "call", 4) == 0);
}

static bool active_status(const struct rec *r)
{
    const struct rec_value *s = rec_field(r, "status");
    return !(s->len == 9 && memcmp(s->s, "cancelled", 9) == 0) &&
           !(s->len == 8 && memcmp(s->s, "not_held", 8) == 0);
}

/* An overlapping activity as the caller may see it: the record, or for one they may
 * not read its times only (someone is busy, not what they are doing or whose it is). */
static struct rec_problem_item conflict_of(struct rec_ctx *ctx, const struct rec *r)
{
    struct rec_problem_item it = {.score = -1};
    if (rec_check_readable(ctx, r->ent, r) == RP_OK) {
        struct rec *shown = arena_alloc(ctx->a, sizeof(*shown));
        *shown = *r;
        shown->v = arena_alloc(ctx->a, r->ent->nfields * sizeof(*shown->v));
        memcpy(shown->v, r->v, r->ent->nfields * sizeof(*shown->v));
        rec_mask(ctx, shown);
        it.rec = shown;
        return it;
    }
    it.names[0] = "start_at";
    it.texts[0] = rec_field(r, "start_at")->s;
    it.names[1] = "end_at";
    it.texts[1] = rec_field(r, "end_at")->s;
    it.ntexts = 2;
    return it;
}

static bool parse_ms(const struct rec_value *v, int64_t *ms)
{
    return !v->null && text_parse_datetime((struct rp_str){v->s, v->len}, ms) == RP_OK;
}

/* The times r takes: its own, or a series' occurrences from its start through the
 * look-ahead (CALENDAR_RECUR_CHECKED at most) that its exceptions do not replace. */
static enum rp_err own_times(struct rec_ctx *ctx, const struct rec *r, int64_t **starts,
                             size_t *n, int64_t *dur)
{
    int64_t start = 0, end = 0;
    parse_ms(rec_field(r, "start_at"), &start);
    parse_ms(rec_field(r, "end_at"), &end);
    *dur = end - start;
    *starts = arena_alloc(ctx->a, CALENDAR_RECUR_CHECKED * sizeof(**starts));
    struct calendar_series s;
    if (!calendar__series_of(ctx, r, &s)) {
        (*starts)[0] = start;
        *n = 1;
        return RP_OK;
    }
    enum rp_err err = calendar_recur_expand(
        &s, start, start + (int64_t)CALENDAR_RECUR_LOOKAHEAD_DAYS * 86400000, *starts,
        CALENDAR_RECUR_CHECKED, n);
    if (err != RP_ETOOBIG && err)
        return err;
    struct rec *ex;
    size_t nex = 0;
    const char *ids[] = {r->id};
    char from[32], to[32];
    text_format_datetime(start, from, sizeof(from));
    text_format_datetime(*n ? (*starts)[*n - 1] + 1 : start, to, sizeof(to));
    err = r->id ? calendar_sql_exceptions(ctx, ids, 1, from, to, &ex, &nex) : RP_OK;
    size_t k = 0;
    for (size_t i = 0; !err && i < *n; i++) {
        bool gone = false;
        for (size_t j = 0; j < nex && !gone; j++) {
            int64_t rid;
            gone = parse_ms(rec_field(&ex[j], "recurrence_id"), &rid) && rid == (*starts)[i];
        }
        if (!gone)
            (*starts)[k++] = (*starts)[i];
    }
    *n = k;
    return err;
}

static enum rp_err check_conflicts(struct rec_ctx *ctx, struct rec *r)
{
    const char *users[RP_MAX_IN_VALUES + 1];
    size_t n = 0;
    if (r->owner_id)
        users[n++] = r->owner_id;
    n += list_ids(rec_field(r, "attendee_user_ids"), users + n, RP_MAX_IN_VALUES, ctx->a);
    if (n == 0)
        return RP_OK;
    int64_t *starts, dur;
    size_t nstarts;
    enum rp_err err = own_times(ctx, r, &starts, &nstarts, &dur);
    if (err || nstarts == 0)
        return err;
    /* Everything busy in the span of r's times: activities (the first
     * CALENDAR_MAX_ACTIVITIES of a series' year) and other series' occurrences. */
    char from[32], to[32];
    text_format_datetime(starts[0], from, sizeof(from));
    text_format_datetime(starts[nstarts - 1] + dur, to, sizeof(to));
    bool series = nstarts > 1 || !rec_field(r, "rrule")->null;
    struct rec *rows;
    size_t nrows;
    err = calendar_sql_overlaps(ctx, r, from, to, users, n,
                                series ? CALENDAR_MAX_ACTIVITIES : CALENDAR_MAX_CONFLICTS, &rows,
                                &nrows);
    if (!err)
        err = calendar__occurrences(ctx, starts[0], starts[nstarts - 1] + dur, users, n, false,
                                    r->id, &rows, &nrows);
    if (err)
        return err;
    /* An exception does not clash with the occurrence it replaces. */
    const struct rec_value *sid = rec_field(r, "series_id"), *rid = rec_field(r, "recurrence_id");
    struct rec_problem_item *items = arena_alloc(ctx->a, CALENDAR_MAX_CONFLICTS * sizeof(*items));
    size_t nitems = 0;
    for (size_t i = 0; i < nrows && nitems < CALENDAR_MAX_CONFLICTS; i++) {
        int64_t bs, be;
        if (!parse_ms(rec_field(&rows[i], "start_at"), &bs) ||
            !parse_ms(rec_field(&rows[i], "end_at"), &be))
            continue;
        const struct rec_value *osid = rec_field(&rows[i], "series_id"),
                               *orid = rec_field(&rows[i], "recurrence_id");
        if (!sid->null && !orid->null && strcmp(rows[i].id, sid->s) == 0 &&
            strcmp(orid->s, rid->s) == 0)
            continue;
        if (r->id && !osid->null && strcmp(osid->s, r->id) == 0)
            continue; /* the series' own exceptions */
        bool hit = false;
        for (size_t j = 0; j < nstarts && !hit; j++)
            hit = starts[j] < be && bs < starts[j] + dur;
        if (hit)
            items[nitems++] = conflict_of(ctx, &rows[i]);
    }
    if (nitems == 0)
        return RP_OK;
    return rec_fail_with(ctx, RP_ECONFLICT, "conflicts", items, nitems,
                         nitems == 1 ? "the activity overlaps %zu other activity of its"
                                       " attendees; send allow_conflict=true to save it anyway"
                                     : "the activity overlaps %zu other activities of its"
                                       " attendees; send allow_conflict=true to save it anyway",
                         nitems);
}

enum rp_err calendar__validate_activity(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *start = rec_field(r, "start_at"), *end = rec_field(r, "end_at");
    if (timed(r)) {
        if (start->null)
            rec_field_error(ctx, "start_at", "is required for meetings and calls");
        if (end->null)
            rec_field_error(ctx, "end_at", "is required for meetings and calls");
    }
    int64_t s_ms, e_ms;
    if (!start->null && !end->null && strcmp(end->s, start->s) < 0)
        rec_field_error(ctx, "end_at", "must not be before start_at");
    else if (!start->null && !end->null &&
             text_parse_datetime((struct rp_str){start->s, start->len}, &s_ms) == RP_OK &&
             text_parse_datetime((struct rp_str){end->s, end->len}, &e_ms) == RP_OK &&
             e_ms - s_ms > (int64_t)CALENDAR_MAX_ACTIVITY_DAYS * 86400000)
        rec_field_error(ctx, "end_at", "an activity lasts at most %d days",
                        CALENDAR_MAX_ACTIVITY_DAYS);
    const struct rec_value *rt = rec_field(r, "related_type"), *rid = rec_field(r, "related_id");
    if (rt->null != rid->null)
        rec_field_error(ctx, rt->null ? "related_type" : "related_id",
                        "related_type and related_id go together");
    calendar__validate_recurrence(ctx, r, old);
    if (ctx->nerrors)
        return RP_EINVAL;
    if (!rt->null && (rec_changed(r, old, "related_type") || rec_changed(r, old, "related_id"))) {
        const struct entity_def *re = meta_entity((struct rp_str){rt->s, rt->len});
        struct rec target;
        enum rp_err err = rec_get(ctx, re, (struct rp_str){rid->s, rid->len}, &target);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "related_id", "no %s with this id", rec_label(ctx, re));
        if (err)
            return err;
    }
    bool moved = !old || rec_changed(r, old, "start_at") || rec_changed(r, old, "end_at") ||
                 rec_changed(r, old, "attendee_user_ids") || rec_changed(r, old, "status") ||
                 rec_changed(r, old, "rrule") || rec_changed(r, old, "timezone") ||
                 rec_changed(r, old, "exdates") ||
                 (r->owner_id && old->owner_id && strcmp(r->owner_id, old->owner_id) != 0);
    if (timed(r) && active_status(r) && moved && !ctx->allow_conflict)
        return check_conflicts(ctx, r);
    return RP_OK;
}

enum rp_err calendar__validate_restored(struct rec_ctx *ctx, struct rec *r)
{
    /* A restored meeting takes its slot again: checked as if new. */
    return calendar__validate_activity(ctx, r, NULL);
}

static enum rp_err parse_time(struct rec_ctx *ctx, const char *name, struct rp_str s,
                              const char **out)
{
    int64_t ms, days;
    char *buf = arena_alloc(ctx->a, 32);
    if (text_parse_datetime(s, &ms) == RP_OK) {
        text_format_datetime(ms, buf, 32);
    } else if (text_parse_date(s, &days) == RP_OK) {
        text_format_datetime(days * 86400000, buf, 32);
    } else {
        return rec_bad_request(ctx, "%s must be a date or an RFC 3339 date-time", name);
    }
    *out = buf;
    return RP_OK;
}

/* The range and users of a calendar request, checked. */
static enum rp_err range_args(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                              const struct rp_str *users, size_t *nusers, const char **f,
                              const char **t, const char ***ids)
{
    enum rp_err err = parse_time(ctx, "from", from, f);
    if (!err)
        err = parse_time(ctx, "to", to, t);
    if (err)
        return err;
    if (strcmp(*f, *t) >= 0)
        return rec_bad_request(ctx, "from must be before to");
    if (*nusers > CALENDAR_MAX_USERS)
        return rec_bad_request(ctx, "at most %u users", CALENDAR_MAX_USERS);
    *ids = arena_alloc(ctx->a, (*nusers + 1) * sizeof(**ids));
    for (size_t i = 0; i < *nusers; i++) {
        if (!ids_valid(users[i]))
            return rec_bad_request(ctx, "user_ids must be user ids");
        (*ids)[i] = arena_strndup(ctx->a, users[i].p, users[i].len);
    }
    if (*nusers == 0 && ctx->who) {
        (*ids)[0] = ctx->who->user_id;
        *nusers = 1;
    }
    return RP_OK;
}

static int by_start(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    const struct rec_value *sa = rec_field(a, "start_at"), *sb = rec_field(b, "start_at");
    const char *ka = sa->null ? rec_field(a, "due_at")->s : sa->s;
    const char *kb = sb->null ? rec_field(b, "due_at")->s : sb->s;
    int c = strcmp(ka ? ka : "", kb ? kb : "");
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

enum rp_err calendar_range(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                           const struct rp_str *users, size_t nusers, struct rec **rows,
                           size_t *n)
{
    const char *f, *t, **ids;
    enum rp_err err = range_args(ctx, from, to, users, &nusers, &f, &t, &ids);
    if (!err)
        err = calendar_sql_range(ctx, f, t, ids, nusers, rows, n);
    int64_t f_ms, t_ms;
    if (!err && (text_parse_datetime(rp_str_c(f), &f_ms) || text_parse_datetime(rp_str_c(t), &t_ms)))
        err = RP_EINVAL;
    if (!err)
        err = calendar__occurrences(ctx, f_ms, t_ms, ids, nusers, true, NULL, rows, n);
    if (!err && *n > CALENDAR_MAX_ACTIVITIES)
        return rec_bad_request(ctx, "more than %u activities in range: ask for a shorter period",
                               CALENDAR_MAX_ACTIVITIES);
    if (!err)
        qsort(*rows, *n, sizeof(**rows), by_start);
    return err;
}

enum rp_err calendar_range_series(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                                  const struct rp_str *users, size_t nusers, struct rec **rows,
                                  size_t *n)
{
    const char *f, *t, **ids;
    enum rp_err err = range_args(ctx, from, to, users, &nusers, &f, &t, &ids);
    if (!err)
        err = calendar_sql_range(ctx, f, t, ids, nusers, rows, n);
    struct rec *series;
    size_t nseries;
    if (!err)
        err = calendar_sql_series(ctx, f, t, ids, nusers, true, &series, &nseries);
    if (err)
        return err;
    struct rec *all = arena_alloc(ctx->a, (*n + nseries + 1) * sizeof(*all));
    memcpy(all, *rows, *n * sizeof(*all));
    memcpy(all + *n, series, nseries * sizeof(*all));
    *rows = all;
    *n += nseries;
    return RP_OK;
}
