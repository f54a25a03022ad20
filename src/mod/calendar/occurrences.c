/* One occurrence of a series, read, changed or deleted with a scope (docs/api.md,
 * "Recurring activities"):
 *   GET    /api/v1/activities/{id}/occurrences/{start}
 *   PATCH  /api/v1/activities/{id}/occurrences/{start}?scope=this|following|all
 *   DELETE /api/v1/activities/{id}/occurrences/{start}?scope=this|following|all
 * {id} is the series, {start} the occurrence's original start. "this" makes or changes
 * the occurrence's exception (a delete adds an EXDATE); "following" ends the series
 * before the occurrence (UNTIL) and starts a new one there, which takes the later
 * exceptions along; "all" changes the series, moved by as much as the occurrence is.
 * Each is one transaction through the engine: permissions, validation, conflicts and
 * audit as for any change of an activity. */
#include "core/common.h"

#include "api/route.h"
#include "core/text.h"
#include "mod/calendar/calendar.h"

enum occ_scope { OCC_THIS, OCC_FOLLOWING, OCC_ALL };

/* Fields a change of an occurrence does not take: its scope sets them. */
static const char *const SET_BY_SCOPE[] = {"series_id", "recurrence_id", "exdates", NULL};

static bool set_by_scope(struct rp_str name)
{
    for (size_t i = 0; SET_BY_SCOPE[i]; i++)
        if (rp_str_eqc(name, SET_BY_SCOPE[i]))
            return true;
    return false;
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

static const struct rec_input *input(const struct rec_input *in, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (rp_str_eqc(in[i].field, name))
            return &in[i];
    return NULL;
}

static struct rec_input text_input(const char *field, const char *s)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = s ? IN_STRING : IN_NULL, .s = s,
                              .len = s ? strlen(s) : 0};
}

/* A stored value as an input, to copy a field from one activity to another. */
static struct rec_input copy_input(struct arena *a, const struct field_def *f,
                                   const struct rec_value *v)
{
    struct rec_input in = {.field = rp_str_c(f->name), .kind = IN_STRING, .s = v->s, .len = v->len};
    if (f->type == FT_BOOL) {
        in.kind = IN_BOOL;
        in.b = v->i != 0;
    } else if (f->type == FT_INT) {
        in.kind = IN_NUMBER;
        in.s = arena_printf(a, "%lld", (long long)v->i);
        in.len = strlen(in.s);
    } else if (f->type == FT_MULTI_REF) {
        /* ["id","id"…] */
        size_t n = 0;
        struct rp_str *items = arena_alloc(a, (v->len / (RP_ID_LEN + 3) + 1) * sizeof(*items));
        for (size_t p = 2; p + RP_ID_LEN <= v->len; p += RP_ID_LEN + 3)
            items[n++] = (struct rp_str){v->s + p, RP_ID_LEN};
        in.kind = IN_LIST;
        in.items = items;
        in.nitems = n;
    }
    return in;
}

/* The inputs of a new activity made from series r: the caller's (`in`), then r's
 * values of the fields they do not give, but those of recurrence and the derived
 * ones; the times and extra (nextra) go first. */
static struct rec_input *inputs_from(struct rec_ctx *ctx, const struct rec *r,
                                     const struct rec_input *in, size_t n,
                                     const struct rec_input *extra, size_t nextra, size_t *out)
{
    const struct entity_def *e = r->ent;
    struct rec_input *all = arena_alloc(ctx->a, (nextra + n + e->nfields + 1) * sizeof(*all));
    size_t k = 0;
    for (size_t i = 0; i < nextra; i++)
        all[k++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        bool given = false;
        for (size_t j = 0; j < nextra && !given; j++)
            given = rp_str_eqc(in[i].field, extra[j].field.p);
        if (!given)
            all[k++] = in[i];
    }
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        if ((f->flags & FF_READONLY) || r->v[i].null || input(all, k, f->name) ||
            strcmp(f->name, "rrule") == 0 || strcmp(f->name, "exdates") == 0 ||
            strcmp(f->name, "series_id") == 0 || strcmp(f->name, "recurrence_id") == 0)
            continue;
        all[k++] = copy_input(ctx->a, f, &r->v[i]);
    }
    if (r->owner_id && !input(all, k, "owner_id"))
        all[k++] = text_input("owner_id", r->owner_id);
    *out = k;
    return all;
}

/* The new times of something at [at, at + dur) moved as the caller's start_at and
 * end_at say (each may be absent): *start and *end. */
static enum rp_err moved(struct rec_ctx *ctx, const struct rec_input *in, size_t n, int64_t at,
                         int64_t dur, int64_t *start, int64_t *end)
{
    const struct rec_input *s = input(in, n, "start_at"), *e = input(in, n, "end_at");
    *start = at;
    *end = at + dur;
    if (s && (s->kind != IN_STRING ||
              text_parse_datetime((struct rp_str){s->s, s->len}, start) != RP_OK))
        return rec_field_error(ctx, "start_at", "must be an RFC 3339 date-time");
    if (e && (e->kind != IN_STRING ||
              text_parse_datetime((struct rp_str){e->s, e->len}, end) != RP_OK))
        return rec_field_error(ctx, "end_at", "must be an RFC 3339 date-time");
    if (s && !e)
        *end = *start + dur;
    return RP_OK;
}

/* The exceptions of series s with an original start in [from, to). */
static enum rp_err exceptions(struct rec_ctx *ctx, const struct rec *s, int64_t from, int64_t to,
                              struct rec **rows, size_t *n)
{
    const char *ids[] = {s->id};
    return calendar_sql_exceptions(ctx, ids, 1, format_ms(ctx->a, from), format_ms(ctx->a, to),
                                   rows, n);
}

/* The series and its occurrence at `at`: RP_ENOTFOUND unless it has one there. */
static enum rp_err load(struct rec_ctx *ctx, struct rp_str id, struct rp_str start,
                        struct rec *series, struct calendar_series *s, int64_t *at)
{
    const struct entity_def *e = meta_need("activities");
    if (text_parse_datetime(start, at) != RP_OK)
        return rec_bad_request(ctx, "an occurrence is named by its original start, an RFC 3339"
                                    " date-time");
    enum rp_err err = rec_get(ctx, e, id, series);
    if (err)
        return err;
    if (!calendar__series_of(ctx, series, s))
        return rec_fail(ctx, RP_ENOTFOUND, "the activity does not repeat");
    if (!calendar_recur_has(s, *at))
        return rec_fail(ctx, RP_ENOTFOUND, "the series has no occurrence at this time");
    return RP_OK;
}

/* The ms of series s's end before occurrence at (UNTIL), with its later EXDATEs
 * dropped by the derivation that follows. */
static enum rp_err end_before(struct rec_ctx *ctx, const struct rec *series, int64_t at,
                              int64_t version)
{
    const char *rule;
    enum rp_err err = calendar_recur_until(rec_field(series, "rrule")->s, at - 1000, ctx->a, &rule);
    struct rec_input in[] = {text_input("rrule", rule)};
    struct rec out;
    return err ? err : rec_update(ctx, series->ent, rp_str_c(series->id), in, 1, version, &out);
}

/* A system step of the split: an exception's link to its series (both fields, or
 * neither with sid NULL). */
static enum rp_err relink(struct rec_ctx *ctx, const struct rec *ex, const char *sid,
                          const char *rid)
{
    struct rec_input in[] = {text_input("series_id", sid), text_input("recurrence_id", rid)};
    struct rec out;
    const char *saved = rec_system_begin(ctx, "series split");
    enum rp_err err = rec_update(ctx, ex->ent, rp_str_c(ex->id), in, 2, -1, &out);
    rec_system_end(ctx, saved);
    return err;
}

/* Changing one occurrence is changing the series: the caller's right to edit it
 * decides, and its exception is written in their name as a step of that change (a
 * share of the series covers its exceptions). */
static enum rp_err as_series(struct rec_ctx *ctx, const struct rec *series)
{
    return rec_check_action(ctx, series->ent, series, ACL_EDIT, MSG("change"));
}

static enum rp_err edit_this(struct rec_ctx *ctx, const struct rec *series,
                             const struct calendar_series *s, int64_t at,
                             const struct rec_input *in, size_t n, struct rec *out)
{
    struct rec *ex;
    size_t nex;
    enum rp_err err = as_series(ctx, series);
    if (!err)
        err = exceptions(ctx, series, at, at + 1, &ex, &nex);
    if (err)
        return err;
    const char *saved;
    if (nex) {
        saved = rec_system_begin(ctx, "occurrence");
        err = rec_update(ctx, series->ent, rp_str_c(ex[0].id), in, n, -1, out);
        rec_system_end(ctx, saved);
        return err;
    }
    if (input(in, n, "rrule"))
        return rec_field_error(ctx, "rrule", "is not for an exception of a series");
    int64_t start, end;
    if ((err = moved(ctx, in, n, at, s->dur_ms, &start, &end)))
        return err;
    bool timed = !rec_field(series, "end_at")->null;
    struct rec_input extra[] = {
        text_input("start_at", format_ms(ctx->a, start)),
        text_input("end_at", timed ? format_ms(ctx->a, end) : NULL),
        text_input("series_id", series->id), text_input("recurrence_id", format_ms(ctx->a, at))};
    size_t k;
    struct rec_input *all = inputs_from(ctx, series, in, n, extra, RP_NELEM(extra), &k);
    saved = rec_system_begin(ctx, "occurrence");
    err = rec_create(ctx, series->ent, all, k, out);
    rec_system_end(ctx, saved);
    return err;
}

static enum rp_err edit_all(struct rec_ctx *ctx, const struct rec *series,
                            const struct calendar_series *s, int64_t at,
                            const struct rec_input *in, size_t n, int64_t version, struct rec *out)
{
    int64_t start, end;
    enum rp_err err = moved(ctx, in, n, at, s->dur_ms, &start, &end);
    if (err)
        return err;
    /* The series moves by as much as the occurrence did. */
    struct rec_input *all = arena_alloc(ctx->a, (n + 2) * sizeof(*all));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!rp_str_eqc(in[i].field, "start_at") && !rp_str_eqc(in[i].field, "end_at"))
            all[k++] = in[i];
    if (input(in, n, "start_at") || input(in, n, "end_at")) {
        int64_t first = s->start_ms + (start - at);
        all[k++] = text_input("start_at", format_ms(ctx->a, first));
        if (!rec_field(series, "end_at")->null || input(in, n, "end_at"))
            all[k++] = text_input("end_at", format_ms(ctx->a, first + (end - start)));
    }
    return rec_update(ctx, series->ent, rp_str_c(series->id), all, k, version, out);
}

static enum rp_err edit_following(struct rec_ctx *ctx, const struct rec *series,
                                  const struct calendar_series *s, int64_t at,
                                  const struct rec_input *in, size_t n, int64_t version,
                                  struct rec *out)
{
    int64_t start, end;
    enum rp_err err = moved(ctx, in, n, at, s->dur_ms, &start, &end);
    if (err)
        return err;
    /* The later exceptions leave the series while it ends, and join the new one. */
    struct rec *ex;
    size_t nex;
    if ((err = exceptions(ctx, series, at, INT64_MAX / 2, &ex, &nex)))
        return err;
    for (size_t i = 0; !err && i < nex; i++)
        err = relink(ctx, &ex[i], NULL, NULL);
    /* A COUNT goes on with what is left of it. */
    const char *rule = rec_field(series, "rrule")->s;
    int count = calendar_recur_count(rule);
    if (!err && count > 0) {
        struct calendar_series plain = *s;
        plain.nexdates = 0;
        int64_t *before = arena_alloc(ctx->a, (size_t)count * sizeof(*before));
        size_t nbefore;
        err = calendar_recur_expand(&plain, s->start_ms, at, before, (size_t)count, &nbefore);
        if (!err)
            err = calendar_recur_with_count(rule, count - (int)nbefore, ctx->a, &rule);
    }
    if (!err)
        err = end_before(ctx, series, at, version);
    if (err)
        return err;
    int64_t delta = start - at;
    char *exdates = arena_alloc(ctx->a, s->nexdates * 32 + 1);
    size_t o = 0;
    exdates[0] = '\0';
    for (size_t i = 0; i < s->nexdates; i++)
        if (s->exdates[i] >= at) {
            if (o)
                exdates[o++] = ',';
            text_format_datetime(s->exdates[i] + delta, exdates + o, 32);
            o += strlen(exdates + o);
        }
    bool timed = !rec_field(series, "end_at")->null;
    struct rec_input extra[] = {
        text_input("start_at", format_ms(ctx->a, start)),
        text_input("end_at", timed || input(in, n, "end_at") ? format_ms(ctx->a, end) : NULL),
        input(in, n, "rrule") ? *input(in, n, "rrule") : text_input("rrule", rule),
        text_input("exdates", o ? exdates : NULL)};
    size_t k;
    struct rec_input *all = inputs_from(ctx, series, in, n, extra, RP_NELEM(extra), &k);
    if ((err = rec_create(ctx, series->ent, all, k, out)))
        return err;
    struct calendar_series next;
    if (!calendar__series_of(ctx, out, &next))
        return RP_EINVAL;
    for (size_t i = 0; !err && i < nex; i++) {
        int64_t rid = 0;
        parse_ms(rec_field(&ex[i], "recurrence_id"), &rid);
        if (calendar_recur_has(&next, rid + delta)) {
            err = relink(ctx, &ex[i], out->id, format_ms(ctx->a, rid + delta));
        } else {
            const char *saved = rec_system_begin(ctx, "series split");
            err = rec_delete(ctx, ex[i].ent, rp_str_c(ex[i].id), -1);
            rec_system_end(ctx, saved);
        }
    }
    return err;
}

static enum rp_err delete_occurrences(struct rec_ctx *ctx, const struct rec *series,
                                      const struct calendar_series *s, int64_t at,
                                      enum occ_scope scope, int64_t version)
{
    if (scope == OCC_ALL || (scope == OCC_FOLLOWING && at == s->start_ms))
        return rec_delete(ctx, series->ent, rp_str_c(series->id), version);
    struct rec *ex;
    size_t nex;
    enum rp_err err = as_series(ctx, series);
    if (!err)
        err = exceptions(ctx, series, at, scope == OCC_THIS ? at + 1 : INT64_MAX / 2, &ex, &nex);
    const char *saved = rec_system_begin(ctx, "occurrence");
    for (size_t i = 0; !err && i < nex; i++)
        err = rec_delete(ctx, ex[i].ent, rp_str_c(ex[i].id), -1);
    rec_system_end(ctx, saved);
    if (err)
        return err;
    if (scope == OCC_FOLLOWING)
        return end_before(ctx, series, at, version);
    const struct rec_value *old = rec_field(series, "exdates");
    const char *at_s = format_ms(ctx->a, at);
    const char *list = old->null || old->len == 0 ? at_s : arena_printf(ctx->a, "%s,%s", old->s, at_s);
    struct rec_input in[] = {text_input("exdates", list)};
    struct rec out;
    return rec_update(ctx, series->ent, rp_str_c(series->id), in, 1, version, &out);
}

/* ---- the routes ---- */

static unsigned scope_of(struct api_call *c, enum occ_scope *out)
{
    struct rp_str s = api_query(c, "scope");
    if (rp_str_eqc(s, "this"))
        *out = OCC_THIS;
    else if (rp_str_eqc(s, "following"))
        *out = OCC_FOLLOWING;
    else if (rp_str_eqc(s, "all"))
        *out = OCC_ALL;
    else
        return api_problem(c, 400, "give the scope as ?scope=this, following or all");
    return 0;
}

unsigned calendar__get_occurrence(struct api_call *c)
{
    struct rec series;
    struct calendar_series s;
    int64_t at;
    enum rp_err err = load(&c->ctx, c->req->params[0], c->req->params[1], &series, &s, &at);
    struct rec *ex = NULL;
    size_t nex = 0;
    if (!err)
        err = exceptions(&c->ctx, &series, at, at + 1, &ex, &nex);
    if (err)
        return api_fail(c, err);
    if (nex) {
        struct rec mine;
        /* The exception as the caller may read it. */
        err = rec_get(&c->ctx, series.ent, rp_str_c(ex[0].id), &mine);
        return err ? api_fail(c, err) : api_record(c, 200, &mine);
    }
    return api_record(c, 200, calendar__occurrence(&c->ctx, &series, at));
}

unsigned calendar__patch_occurrence(struct api_call *c)
{
    enum occ_scope scope;
    int64_t version;
    json_t *root;
    unsigned st = scope_of(c, &scope);
    if (st || (st = api_if_match(c, &version)) || (st = api_body(c, &root)))
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    for (size_t i = 0; i < n; i++)
        if (set_by_scope(in[i].field))
            rec_field_error(&c->ctx, arena_strndup(c->ctx.a, in[i].field.p, in[i].field.len),
                            "is set by the scope of the change");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    c->ctx.allow_conflict = api_flag(c, "allow_conflict");
    c->ctx.allow_duplicate = api_flag(c, "allow_duplicate");
    struct rec series, out;
    struct calendar_series s;
    int64_t at;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = load(&c->ctx, c->req->params[0], c->req->params[1], &series, &s, &at);
    if (!err && scope == OCC_THIS)
        err = edit_this(&c->ctx, &series, &s, at, in, n, &out);
    else if (!err && (scope == OCC_ALL || at == s.start_ms))
        err = edit_all(&c->ctx, &series, &s, at, in, n, version, &out);
    else if (!err)
        err = edit_following(&c->ctx, &series, &s, at, in, n, version, &out);
    err = rec_tx_end(&c->ctx, err);
    return err ? api_fail(c, err) : api_record(c, 200, &out);
}

unsigned calendar__delete_occurrence(struct api_call *c)
{
    enum occ_scope scope;
    int64_t version;
    unsigned st = scope_of(c, &scope);
    if (st || (st = api_if_match(c, &version)))
        return st;
    struct rec series;
    struct calendar_series s;
    int64_t at;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = load(&c->ctx, c->req->params[0], c->req->params[1], &series, &s, &at);
    if (!err)
        err = delete_occurrences(&c->ctx, &series, &s, at, scope, version);
    err = rec_tx_end(&c->ctx, err);
    return err ? api_fail(c, err) : api_no_content(c);
}

enum rp_err calendar_occurrence_put(struct rec_ctx *ctx, const struct rec *series, int64_t at,
                                    const struct rec_input *in, size_t n, struct rec *out)
{
    struct calendar_series s;
    if (!calendar__series_of(ctx, series, &s))
        return rec_field_error(ctx, "series_id", "is not a repeating activity");
    if (!calendar_recur_has(&s, at))
        return rec_field_error(ctx, "recurrence_id", "is not an occurrence of the series");
    return edit_this(ctx, series, &s, at, in, n, out);
}

enum rp_err calendar_occurrence_reset(struct rec_ctx *ctx, const struct rec *series,
                                      const struct rec *ex)
{
    enum rp_err err = as_series(ctx, series);
    if (err)
        return err;
    const char *saved = rec_system_begin(ctx, "occurrence");
    err = rec_delete(ctx, ex->ent, rp_str_c(ex->id), -1);
    rec_system_end(ctx, saved);
    return err;
}
