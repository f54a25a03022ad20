/* Recurring activities as records: the rules of a series and of its exceptions, what
 * is derived when one is saved, and the occurrences of series in a range (docs/api.md,
 * "Recurring activities"). recur.c does the arithmetic. */
#include "core/common.h"


#include "core/text.h"
#include "mod/calendar/calendar.h"

static struct rec_value text_value(const char *s)
{
    return (struct rec_value){false, 0, s, strlen(s)};
}

static void set_field(struct rec *r, const char *name, struct rec_value v)
{
    int i = meta_field_index(r->ent, rp_str_c(name));
    RP_ASSERT(i >= 0);
    r->v[i] = v;
}

static const char *format_ms(struct arena *a, int64_t ms)
{
    char *buf = arena_alloc(a, 32);
    text_format_datetime(ms, buf, 32);
    return buf;
}

static bool parse_ms(const struct rec_value *v, int64_t *ms)
{
    return !v->null && text_parse_datetime((struct rp_str){v->s, v->len}, ms) == RP_OK;
}

static int cmp_ms(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* The date-times of an exdates text ("t,t,…"), sorted, duplicates dropped: false when
 * one is not a date-time or there are too many. */
static bool parse_exdates(struct arena *a, const struct rec_value *v, int64_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (v->null || v->len == 0)
        return true;
    size_t cap = 1;
    for (size_t i = 0; i < v->len; i++)
        cap += v->s[i] == ',';
    if (cap > CALENDAR_RECUR_MAX_EXDATES)
        return false;
    int64_t *ms = arena_alloc(a, cap * sizeof(*ms));
    for (size_t i = 0; i <= v->len;) {
        size_t j = i;
        while (j < v->len && v->s[j] != ',')
            j++;
        struct rp_str one = {v->s + i, j - i};
        while (one.len && one.p[0] == ' ')
            one.p++, one.len--;
        if (text_parse_datetime(one, &ms[*n]) != RP_OK)
            return false;
        (*n)++;
        i = j + 1;
    }
    qsort(ms, *n, sizeof(*ms), cmp_ms);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || ms[k - 1] != ms[i])
            ms[k++] = ms[i];
    *n = k;
    *out = ms;
    return true;
}

static const char *join_exdates(struct arena *a, const int64_t *ms, size_t n)
{
    char *s = arena_alloc(a, n * 32 + 1);
    size_t o = 0;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            s[o++] = ',';
        text_format_datetime(ms[i], s + o, 32);
        o += strlen(s + o);
    }
    return s;
}

bool calendar__series_of(struct rec_ctx *ctx, const struct rec *r, struct calendar_series *s)
{
    const struct rec_value *rule = rec_field(r, "rrule"), *end = rec_field(r, "end_at");
    int64_t end_ms;
    *s = (struct calendar_series){0};
    if (rule->null || !parse_ms(rec_field(r, "start_at"), &s->start_ms))
        return false;
    s->rrule = rule->s;
    const struct rec_value *tz = rec_field(r, "timezone");
    s->tzid = tz->null ? NULL : tz->s;
    s->dur_ms = parse_ms(end, &end_ms) && end_ms > s->start_ms ? end_ms - s->start_ms : 0;
    int64_t *ex;
    if (!parse_exdates(ctx->a, rec_field(r, "exdates"), &ex, &s->nexdates))
        return false;
    s->exdates = ex;
    return true;
}

struct rec *calendar__occurrence(struct rec_ctx *ctx, const struct rec *r, int64_t at)
{
    struct rec *o = arena_alloc(ctx->a, sizeof(*o));
    *o = *r;
    o->v = arena_alloc(ctx->a, r->ent->nfields * sizeof(*o->v));
    memcpy(o->v, r->v, r->ent->nfields * sizeof(*o->v));
    int64_t start = 0, end;
    parse_ms(rec_field(r, "start_at"), &start);
    const char *s = format_ms(ctx->a, at);
    set_field(o, "start_at", text_value(s));
    set_field(o, "recurrence_id", text_value(s));
    if (parse_ms(rec_field(r, "end_at"), &end))
        set_field(o, "end_at", text_value(format_ms(ctx->a, at + (end - start))));
    return o;
}

static void rule_error(struct rec_ctx *ctx, enum calendar_recur_bad bad, int64_t first)
{
    switch (bad) {
    case RECUR_OK:
        break;
    case RECUR_SYNTAX:
        rec_field_error(ctx, "rrule", "is not an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO,WE)");
        break;
    case RECUR_PART:
        rec_field_error(ctx, "rrule", "may use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,"
                                      " BYMONTH, BYSETPOS and WKST only");
        break;
    case RECUR_FREQ:
        rec_field_error(ctx, "rrule", "repeats daily, weekly, monthly or yearly at most often");
        break;
    case RECUR_BOTH:
        rec_field_error(ctx, "rrule", "takes COUNT or UNTIL, not both");
        break;
    case RECUR_COUNT:
        rec_field_error(ctx, "rrule", "repeats at most %d times", CALENDAR_RECUR_MAX_COUNT);
        break;
    case RECUR_TZ:
        rec_field_error(ctx, "timezone", "is not a known time zone (an IANA name such as"
                                         " Europe/Berlin)");
        break;
    case RECUR_UNTIL:
        rec_field_error(ctx, "rrule", "ends (UNTIL) before start_at");
        break;
    case RECUR_EMPTY:
        rec_field_error(ctx, "rrule", "has no occurrence");
        break;
    case RECUR_FIRST:
        rec_field_error(ctx, "start_at", "must be the rule's first occurrence (%s)",
                        format_ms(ctx->a, first));
        break;
    }
}

/* The rules of an exception: its series exists, repeats, has this occurrence, and has
 * no other exception for it. */
static enum rp_err check_exception(struct rec_ctx *ctx, const struct rec *r)
{
    const struct rec_value *sid = rec_field(r, "series_id"), *rid = rec_field(r, "recurrence_id");
    struct rec series;
    enum rp_err err = rec_get(ctx, r->ent, (struct rp_str){sid->s, sid->len}, &series);
    if (err == RP_ENOTFOUND)
        return rec_field_error(ctx, "series_id", "no %s with this id", rec_label(ctx, r->ent));
    if (err)
        return err;
    struct calendar_series s;
    int64_t at;
    if (!calendar__series_of(ctx, &series, &s))
        return rec_field_error(ctx, "series_id", "is not a repeating activity");
    if (!parse_ms(rid, &at) || !calendar_recur_has(&s, at))
        return rec_field_error(ctx, "recurrence_id", "is not an occurrence of the series");
    struct rec *rows;
    size_t n;
    const char *ids[] = {series.id};
    err = calendar_sql_exceptions(ctx, ids, 1, rid->s, format_ms(ctx->a, at + 1), &rows, &n);
    for (size_t i = 0; !err && i < n; i++)
        if (!r->id || strcmp(rows[i].id, r->id) != 0)
            return rec_field_error(ctx, "recurrence_id", "the occurrence has an exception already");
    return err;
}

void calendar__validate_recurrence(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *rule = rec_field(r, "rrule"), *tz = rec_field(r, "timezone"),
                           *sid = rec_field(r, "series_id"),
                           *rid = rec_field(r, "recurrence_id");
    int64_t start, end, first = 0, last;
    if (!tz->null && tz->len && calendar_recur_check("FREQ=DAILY;COUNT=1", tz->s, 0, 0, &first,
                                                     &last) == RECUR_TZ)
        rule_error(ctx, RECUR_TZ, 0);
    int64_t *ex;
    size_t nex;
    if (!parse_exdates(ctx->a, rec_field(r, "exdates"), &ex, &nex))
        rec_field_error(ctx, "exdates", "takes at most %d date-times (RFC 3339, in UTC)"
                                        " separated by commas", CALENDAR_RECUR_MAX_EXDATES);
    bool moved_series = !old || rec_changed(r, old, "series_id") ||
                        rec_changed(r, old, "recurrence_id");
    if (old && moved_series && !ctx->system)
        rec_field_error(ctx, rec_changed(r, old, "series_id") ? "series_id" : "recurrence_id",
                        "is read-only");
    if (sid->null != rid->null)
        rec_field_error(ctx, sid->null ? "series_id" : "recurrence_id",
                        "series_id and recurrence_id go together");
    if (!rule->null && !sid->null)
        rec_field_error(ctx, "rrule", "is not for an exception of a series");
    if (!rule->null && !parse_ms(rec_field(r, "start_at"), &start))
        rec_field_error(ctx, "start_at", "is required for a repeating activity");
    if (ctx->nerrors)
        return;
    if (!rule->null) {
        int64_t dur = parse_ms(rec_field(r, "end_at"), &end) && end > start ? end - start : 0;
        rule_error(ctx, calendar_recur_check(rule->s, tz->null ? NULL : tz->s, start, dur, &first,
                                             &last),
                   first);
    }
    if (!ctx->nerrors && !sid->null && moved_series)
        check_exception(ctx, r);
}

enum rp_err calendar__derive_series(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    struct calendar_series s;
    if (!calendar__series_of(ctx, r, &s)) {
        set_field(r, "repeat_until", (struct rec_value){.null = true});
        return RP_OK;
    }
    int64_t first, last;
    if (calendar_recur_check(s.rrule, s.tzid, s.start_ms, s.dur_ms, &first, &last) != RECUR_OK)
        return RP_EINVAL; /* validated just before */
    set_field(r, "repeat_until", text_value(last == INT64_MAX ? CALENDAR_FOREVER
                                                              : format_ms(ctx->a, last)));
    /* EXDATEs that are no occurrence (any more) go; the rest in their stored form. */
    int64_t *keep = arena_alloc(ctx->a, (s.nexdates + 1) * sizeof(*keep));
    size_t k = 0;
    struct calendar_series plain = s;
    plain.nexdates = 0;
    for (size_t i = 0; i < s.nexdates; i++)
        if (calendar_recur_has(&plain, s.exdates[i]))
            keep[k++] = s.exdates[i];
    set_field(r, "exdates", k ? text_value(join_exdates(ctx->a, keep, k))
                              : (struct rec_value){.null = true});
    return RP_OK;
}

/* The live exceptions of series id. */
static enum rp_err exceptions_of(struct rec_ctx *ctx, const char *id, struct rec **rows,
                                 size_t *n)
{
    const char *ids[] = {id};
    return calendar_sql_exceptions(ctx, ids, 1, "0000-01-01T00:00:00.000Z", CALENDAR_FOREVER, rows,
                                   n);
}

/* Deletes exceptions of a series in the system's name: the caller changed or deleted
 * the series, which was theirs to do. */
static enum rp_err drop(struct rec_ctx *ctx, const struct rec *ex)
{
    const char *saved = rec_system_begin(ctx, "series exceptions");
    enum rp_err err = rec_delete(ctx, ex->ent, rp_str_c(ex->id), -1);
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err calendar__series_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!old || rec_field(old, "rrule")->null ||
        !(rec_changed(r, old, "rrule") || rec_changed(r, old, "start_at") ||
          rec_changed(r, old, "timezone") || rec_changed(r, old, "exdates")))
        return RP_OK;
    struct calendar_series s;
    bool repeats = calendar__series_of(ctx, r, &s);
    struct rec *rows;
    size_t n;
    enum rp_err err = exceptions_of(ctx, r->id, &rows, &n);
    for (size_t i = 0; !err && i < n; i++) {
        int64_t at;
        if (!repeats || !parse_ms(rec_field(&rows[i], "recurrence_id"), &at) ||
            !calendar_recur_has(&s, at))
            err = drop(ctx, &rows[i]);
    }
    return err;
}

enum rp_err calendar__series_deleted(struct rec_ctx *ctx, const struct rec *r)
{
    if (rec_field(r, "rrule")->null)
        return RP_OK;
    struct rec *rows;
    size_t n;
    enum rp_err err = exceptions_of(ctx, r->id, &rows, &n);
    for (size_t i = 0; !err && i < n; i++)
        err = drop(ctx, &rows[i]);
    return err;
}

bool calendar_series_overlaps(struct rec_ctx *ctx, const struct rec *r, int64_t from, int64_t to)
{
    struct calendar_series s;
    int64_t at;
    size_t n = 0;
    if (!calendar__series_of(ctx, r, &s))
        return false;
    /* RP_ETOOBIG: more than one, so there is one. */
    enum rp_err err = calendar_recur_expand(&s, from, to, &at, 1, &n);
    return err == RP_ETOOBIG || (!err && n > 0);
}

enum rp_err calendar_series_exceptions(struct rec_ctx *ctx, const struct rec *r,
                                       struct rec **rows, size_t *n)
{
    return exceptions_of(ctx, r->id, rows, n);
}

/* Whether exceptions (sorted by nothing; few) replace series id's occurrence at `at`. */
static bool replaced(const struct rec *ex, size_t n, const char *id, int64_t at)
{
    for (size_t i = 0; i < n; i++) {
        int64_t rid;
        if (strcmp(rec_field(&ex[i], "series_id")->s, id) == 0 &&
            parse_ms(rec_field(&ex[i], "recurrence_id"), &rid) && rid == at)
            return true;
    }
    return false;
}

enum rp_err calendar__occurrences(struct rec_ctx *ctx, int64_t from, int64_t to,
                                  const char *const *users, size_t nusers, bool scoped,
                                  const char *skip, struct rec **rows, size_t *n)
{
    struct rec *series, *ex = NULL;
    size_t nseries, nex = 0;
    enum rp_err err = calendar_sql_series(ctx, format_ms(ctx->a, from), format_ms(ctx->a, to),
                                          users, nusers, scoped, &series, &nseries);
    if (err || nseries == 0)
        return err;
    const char **ids = arena_alloc(ctx->a, nseries * sizeof(*ids));
    for (size_t i = 0; i < nseries; i++)
        ids[i] = series[i].id;
    /* An occurrence overlapping the range starts at most an activity's longest before. */
    err = calendar_sql_exceptions(ctx, ids, nseries,
                                  format_ms(ctx->a, from - (int64_t)CALENDAR_MAX_ACTIVITY_DAYS *
                                                               86400000),
                                  format_ms(ctx->a, to), &ex, &nex);
    if (err)
        return err;
    /* Room for one more than a calendar holds: the caller finds the answer full. */
    size_t room = CALENDAR_MAX_ACTIVITIES + 1;
    int64_t *occ = arena_alloc(ctx->a, room * sizeof(*occ));
    struct rec *all = arena_alloc(ctx->a, (*n + room) * sizeof(*all));
    memcpy(all, *rows, *n * sizeof(*all));
    size_t total = *n;
    for (size_t i = 0; i < nseries && total < *n + room; i++) {
        struct calendar_series s;
        if ((skip && strcmp(series[i].id, skip) == 0) || !calendar__series_of(ctx, &series[i], &s))
            continue;
        size_t k;
        /* RP_ETOOBIG: as many as there is room for; RP_EINVAL (a rule the checks would
         * refuse now, written before them): no occurrences. */
        if (calendar_recur_expand(&s, from, to, occ, *n + room - total, &k) == RP_EINVAL)
            continue;
        for (size_t j = 0; j < k; j++)
            if (!replaced(ex, nex, series[i].id, occ[j]))
                all[total++] = *calendar__occurrence(ctx, &series[i], occ[j]);
    }
    *rows = all;
    *n = total;
    return RP_OK;
}
