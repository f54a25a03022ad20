#include "core/common.h"

#include <stdatomic.h>

#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/rec_int.h"
#include "mod/sales/sales.h"
#include "mod/entities.h"
#include "store/platform.h"

/* ---- stages ---- */

static const struct {
    const char *key, *label, *probability, *order, *outcome;
} DEFAULT_STAGES[] = {
    {"prospecting", "Prospecting", "10", "10", "open"},
    {"qualification", "Qualification", "20", "20", "open"},
    {"needs_analysis", "Needs analysis", "40", "30", "open"},
    {"proposal", "Proposal", "60", "40", "open"},
    {"negotiation", "Negotiation", "80", "50", "open"},
    {"closed_won", "Closed won", "100", "60", "won"},
    {"closed_lost", "Closed lost", "0", "70", "lost"},
};

static struct rec_input in_str(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = value ? strlen(value) : 0};
}

static struct rec_input in_num(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_NUMBER, .s = value,
                              .len = strlen(value)};
}

/* Every configured stage, in pipeline order (system read: stages are not secrets). */
static enum rp_err load_stages(struct rec_ctx *ctx, struct rec_page *page)
{
    /* Saving a deal reads the stages twice (validation, outcome): once per transaction. */
    if (rec__memo_get(ctx, &entity_pipeline_stages, page))
        return RP_OK;
    struct rec_param p[] = {{RP_STR("limit"), RP_STR("500")}};
    struct rec_query *q;
    bool sudo = ctx->sudo;
    ctx->sudo = true;
    enum rp_err err = rec_query_parse(ctx, &entity_pipeline_stages, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, &entity_pipeline_stages, q, page);
    ctx->sudo = sudo;
    if (!err)
        rec__memo_put(ctx, &entity_pipeline_stages, page);
    return err;
}

static const struct rec *find_stage(const struct rec_page *stages, const char *key, size_t len)
{
    for (size_t i = 0; i < stages->nrows; i++) {
        const struct rec_value *k = rec__field(&stages->rows[i], "key");
        if (k->len == len && memcmp(k->s, key, len) == 0)
            return &stages->rows[i];
    }
    return NULL;
}

enum rp_err sales_outcomes(struct rec_ctx *ctx, struct sales_outcome_map *out)
{
    return load_stages(ctx, &out->stages);
}

enum sales_outcome sales_outcome_of(const struct sales_outcome_map *m, const char *stage)
{
    const struct rec *st = find_stage(&m->stages, stage, strlen(stage));
    const struct rec_value *o = st ? rec__field(st, "outcome") : NULL;
    if (o && o->len == 3 && memcmp(o->s, "won", 3) == 0)
        return SALES_WON;
    if (o && o->len == 4 && memcmp(o->s, "lost", 4) == 0)
        return SALES_LOST;
    return SALES_OPEN;
}

enum rp_err sales_bootstrap(struct store *s)
{
    struct store_conn *c;
    enum rp_err err = store_conn_get(s, &c);
    if (err)
        return err;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_init(&ctx, s, c, &a, NULL);
    struct rec_page page;
    err = load_stages(&ctx, &page);
    for (size_t i = 0; !err && page.nrows == 0 && i < RP_NELEM(DEFAULT_STAGES); i++) {
        struct rec_input in[] = {in_str("key", DEFAULT_STAGES[i].key),
                                 in_str("label", DEFAULT_STAGES[i].label),
                                 in_num("probability", DEFAULT_STAGES[i].probability),
                                 in_num("sort_order", DEFAULT_STAGES[i].order),
                                 in_str("outcome", DEFAULT_STAGES[i].outcome)};
        struct rec r;
        err = rec_create(&ctx, &entity_pipeline_stages, in, RP_NELEM(in), &r);
    }
    arena_release(&a);
    return err;
}

/* ---- pipeline and forecast ---- */

int64_t sales_round_x100(int64_t x100)
{
    return x100 >= 0 ? (x100 + 50) / 100 : -((-x100 + 50) / 100);
}

enum rp_err sales_pipeline(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_stage_sum **rows, size_t *nrows)
{
    struct rec_query *q;
    struct sales_stage_sum *sums;
    size_t nsums;
    struct rec_page stages;
    enum rp_err err = rec_query_parse(ctx, &entity_opportunities, params, n, &q);
    if (!err)
        err = rec__pipeline(ctx, q, &sums, &nsums);
    if (!err)
        err = load_stages(ctx, &stages);
    if (err)
        return err;
    /* Configured stages first, in order, with zeros where no deal is; then any stage
     * key deals still carry after it was removed from the configuration. */
    struct sales_stage_sum *out = arena_calloc(ctx->a, stages.nrows + nsums + 1, sizeof(*out));
    size_t count = 0;
    for (size_t i = 0; i < stages.nrows; i++) {
        const struct rec *st = &stages.rows[i];
        struct sales_stage_sum *o = &out[count++];
        o->stage = rec__field(st, "key")->s;
        o->label = rec__field(st, "label")->s;
        o->sort_order = rec__field(st, "sort_order")->i;
        for (size_t k = 0; k < nsums; k++)
            if (strcmp(sums[k].stage, o->stage) == 0) {
                o->count = sums[k].count;
                o->amount = sums[k].amount;
                o->weighted_x100 = sums[k].weighted_x100;
            }
    }
    for (size_t k = 0; k < nsums; k++)
        if (!find_stage(&stages, sums[k].stage, strlen(sums[k].stage))) {
            out[count] = sums[k];
            out[count].sort_order = INT64_MAX;
            count++;
        }
    for (size_t i = 0; i < count; i++)
        out[i].weighted = sales_round_x100(out[i].weighted_x100);
    *rows = out;
    *nrows = count;
    return RP_OK;
}

enum rp_err sales_forecast(struct rec_ctx *ctx, const struct rec_param *params, size_t n,
                           struct sales_period **rows, size_t *nrows)
{
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, &entity_opportunities, params, n, &q);
    if (!err)
        err = rec__forecast(ctx, q, rows, nrows);
    for (size_t i = 0; !err && i < *nrows; i++)
        (*rows)[i].weighted = sales_round_x100((*rows)[i].weighted_x100);
    return err;
}

/* ---- calendar ---- */

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

enum rp_err sales_calendar(struct rec_ctx *ctx, struct rp_str from, struct rp_str to,
                           const struct rp_str *users, size_t nusers, struct rec **rows,
                           size_t *n)
{
    const char *f, *t;
    enum rp_err err = parse_time(ctx, "from", from, &f);
    if (!err)
        err = parse_time(ctx, "to", to, &t);
    if (err)
        return err;
    if (strcmp(f, t) >= 0)
        return rec_bad_request(ctx, "from must be before to");
    if (nusers > SALES_MAX_CALENDAR_USERS)
        return rec_bad_request(ctx, "at most %u users", SALES_MAX_CALENDAR_USERS);
    const char **ids = arena_alloc(ctx->a, (nusers + 1) * sizeof(*ids));
    for (size_t i = 0; i < nusers; i++) {
        if (!ids_valid(users[i]))
            return rec_bad_request(ctx, "user_ids must be user ids");
        ids[i] = arena_strndup(ctx->a, users[i].p, users[i].len);
    }
    if (nusers == 0 && ctx->who) {
        ids[0] = ctx->who->user_id;
        nusers = 1;
    }
    return rec__calendar(ctx, f, t, ids, nusers, rows, n);
}

/* ---- hooks ---- */

static bool changed(const struct rec *r, const struct rec *old, const char *field)
{
    if (!old)
        return true;
    const struct rec_value *a = rec__field(r, field), *b = rec__field(old, field);
    if (a->null || b->null)
        return a->null != b->null;
    if (a->s || b->s)
        return !a->s || !b->s || a->len != b->len || memcmp(a->s, b->s, a->len) != 0;
    return a->i != b->i;
}

/* Sets a datetime field to the time of the change being saved (r->updated_at, the
 * time its audit rows carry). */
static void stamp(struct rec *r, const char *field)
{
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec__field(r, field);
    *v = (struct rec_value){false, 0, r->updated_at, strlen(r->updated_at)};
}

enum rp_err sales_validate_opportunity(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!changed(r, old, "stage"))
        return RP_OK;
    struct rec_page stages;
    enum rp_err err = load_stages(ctx, &stages);
    if (err)
        return err;
    const struct rec_value *key = rec__field(r, "stage");
    const struct rec *stage = find_stage(&stages, key->s, key->len);
    if (!stage)
        return rec_field_error(ctx, "stage", "is not one of the allowed values");
    /* A new stage brings its default probability unless the caller set one. */
    if (!changed(r, old, "probability") || (!old && rec__field(r, "probability")->null)) {
        struct rec_value *p = (struct rec_value *)(uintptr_t)rec__field(r, "probability");
        *p = *rec__field(stage, "probability");
    }
    stamp(r, "stage_changed_at");
    return RP_OK;
}

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
    const struct rec_value *t = rec__field(r, "type");
    return (t->len == 7 && memcmp(t->s, "meeting", 7) == 0) ||
           (t->len == 4 && memcmp(t->s, "call", 4) == 0);
}

static bool active_status(const struct rec *r)
{
    const struct rec_value *s = rec__field(r, "status");
    return !(s->len == 9 && memcmp(s->s, "cancelled", 9) == 0) &&
           !(s->len == 8 && memcmp(s->s, "not_held", 8) == 0);
}

/* An overlapping activity as the caller may see it: one they may not read keeps its
 * times only (the rest is blanked here, and api/ writes nothing else of it). */
static struct rec_conflict conflict_of(struct rec_ctx *ctx, const struct rec *r)
{
    struct rec_conflict c = {*r, rec__check_readable(ctx, r->ent, r) != RP_OK,
                             rec__field(r, "start_at")->s, rec__field(r, "end_at")->s};
    if (!c.hidden)
        return c;
    c.rec.id = c.rec.created_at = c.rec.updated_at = c.rec.created_by = c.rec.owner_id = NULL;
    c.rec.seq = c.rec.version = 0;
    c.rec.v = arena_calloc(ctx->a, r->ent->nfields, sizeof(*c.rec.v));
    for (size_t i = 0; i < r->ent->nfields; i++)
        c.rec.v[i].null = true;
    return c;
}

static enum rp_err check_conflicts(struct rec_ctx *ctx, struct rec *r)
{
    const char *users[RP_MAX_IN_VALUES + 1];
    size_t n = 0;
    if (r->owner_id)
        users[n++] = r->owner_id;
    n += list_ids(rec__field(r, "attendee_user_ids"), users + n, RP_MAX_IN_VALUES, ctx->a);
    if (n == 0)
        return RP_OK;
    struct rec *rows;
    size_t nrows;
    enum rp_err err = rec__overlaps(ctx, r, rec__field(r, "start_at")->s,
                                    rec__field(r, "end_at")->s, users, n, &rows, &nrows);
    if (err || nrows == 0)
        return err;
    ctx->conflicts = arena_alloc(ctx->a, nrows * sizeof(*ctx->conflicts));
    for (size_t i = 0; i < nrows; i++)
        ctx->conflicts[i] = conflict_of(ctx, &rows[i]);
    ctx->nconflicts = nrows;
    return rec_fail(ctx, RP_ECONFLICT,
                    "the activity overlaps %zu other%s of its attendees; send"
                    " allow_conflict=true to save it anyway",
                    nrows, nrows == 1 ? " activity" : " activities");
}

enum rp_err sales_validate_activity(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *start = rec__field(r, "start_at"), *end = rec__field(r, "end_at");
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
             e_ms - s_ms > (int64_t)SALES_MAX_ACTIVITY_DAYS * 86400000)
        rec_field_error(ctx, "end_at", "an activity lasts at most %d days",
                        SALES_MAX_ACTIVITY_DAYS);
    const struct rec_value *rt = rec__field(r, "related_type"), *rid = rec__field(r, "related_id");
    if (rt->null != rid->null)
        rec_field_error(ctx, rt->null ? "related_type" : "related_id",
                        "related_type and related_id go together");
    if (ctx->nerrors)
        return RP_EINVAL;
    if (!rt->null && (changed(r, old, "related_type") || changed(r, old, "related_id"))) {
        const struct entity_def *re = meta_entity((struct rp_str){rt->s, rt->len});
        struct rec target;
        enum rp_err err = rec_get(ctx, re, (struct rp_str){rid->s, rid->len}, &target);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "related_id", "no %s with this id", re->label);
        if (err)
            return err;
    }
    bool moved = !old || changed(r, old, "start_at") || changed(r, old, "end_at") ||
                 changed(r, old, "attendee_user_ids") || changed(r, old, "status") ||
                 (r->owner_id && old->owner_id && strcmp(r->owner_id, old->owner_id) != 0);
    if (timed(r) && active_status(r) && moved && !ctx->allow_conflict)
        return check_conflicts(ctx, r);
    return RP_OK;
}

/* ---- lead conversion ---- */

/* Copies a lead field into an input for another entity's field. */
static void copy(const struct rec *lead, const char *from, const char *to, struct rec_input *in,
                 size_t *n)
{
    const struct rec_value *v = rec__field(lead, from);
    if (v->null)
        return;
    in[(*n)++] = (struct rec_input){.field = rp_str_c(to), .kind = IN_STRING, .s = v->s,
                                    .len = v->len};
}

static enum rp_err convert(struct rec_ctx *ctx, const struct rec *lead,
                           const struct sales_conversion *conv, struct sales_converted *out)
{
    struct rec acc, con, opp;
    enum rp_err err;
    if (conv->account_id.len) {
        err = rec_get(ctx, &entity_accounts, conv->account_id, &acc);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "account_id", "no account with this id");
    } else {
        struct rec_input in[16];
        size_t n = 0;
        const struct rec_value *company = rec__field(lead, "company");
        if (company->null) {
            const struct rec_value *first = rec__field(lead, "first_name"),
                                   *last = rec__field(lead, "last_name");
            const char *name = first->null ? arena_strndup(ctx->a, last->s, last->len)
                                           : arena_printf(ctx->a, "%.*s %.*s", (int)first->len,
                                                          first->s, (int)last->len, last->s);
            in[n++] = in_str("name", name);
        } else {
            copy(lead, "company", "name", in, &n);
        }
        copy(lead, "phone", "phone", in, &n);
        copy(lead, "email", "email", in, &n);
        copy(lead, "website", "website", in, &n);
        copy(lead, "street", "billing_street", in, &n);
        copy(lead, "city", "billing_city", in, &n);
        copy(lead, "state", "billing_state", in, &n);
        copy(lead, "postcode", "billing_postcode", in, &n);
        copy(lead, "country", "billing_country", in, &n);
        in[n++] = in_str("type", "customer");
        err = rec_create(ctx, &entity_accounts, in, n, &acc);
    }
    if (err)
        return err;
    if (conv->contact_id.len) {
        err = rec_get(ctx, &entity_contacts, conv->contact_id, &con);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "contact_id", "no contact with this id");
    } else {
        struct rec_input in[20];
        size_t n = 0;
        static const char *const SAME[] = {"salutation", "first_name", "last_name", "title",
                                           "email",      "street",     "city",      "state",
                                           "postcode",   "country",    "description"};
        for (size_t i = 0; i < RP_NELEM(SAME); i++)
            copy(lead, SAME[i], SAME[i], in, &n);
        copy(lead, "phone", "phone_work", in, &n);
        copy(lead, "mobile", "phone_mobile", in, &n);
        copy(lead, "source", "lead_source", in, &n);
        in[n++] = in_str("account_id", acc.id);
        err = rec_create(ctx, &entity_contacts, in, n, &con);
    }
    if (err)
        return err;
    out->account_id = acc.id;
    out->contact_id = con.id;
    out->opportunity_id = NULL;
    if (conv->create_opportunity) {
        size_t n = conv->nopportunity;
        struct rec_input *in = arena_calloc(ctx->a, n + 3, sizeof(*in));
        memcpy(in, conv->opportunity, n * sizeof(*in));
        in[n++] = in_str("account_id", acc.id);
        in[n++] = in_str("contact_id", con.id);
        const struct rec_value *src = rec__field(lead, "source");
        bool has_source = false;
        for (size_t i = 0; i < conv->nopportunity; i++)
            has_source = has_source || rp_str_eqc(in[i].field, "lead_source");
        if (!src->null && !has_source)
            in[n++] = (struct rec_input){.field = RP_STR("lead_source"), .kind = IN_STRING,
                                         .s = src->s, .len = src->len};
        err = rec_create(ctx, &entity_opportunities, in, n, &opp);
        if (err)
            return err;
        out->opportunity_id = opp.id;
    }
    struct rec_input mark[4];
    size_t n = 0;
    mark[n++] = in_str("status", "converted");
    mark[n++] = in_str("converted_account_id", out->account_id);
    mark[n++] = in_str("converted_contact_id", out->contact_id);
    if (out->opportunity_id)
        mark[n++] = in_str("converted_opportunity_id", out->opportunity_id);
    struct rec updated;
    ctx->internal = true; /* conversion links are read-only to clients */
    err = rec_update(ctx, &entity_leads, rp_str_c(lead->id), mark, n, lead->version, &updated);
    ctx->internal = false;
    return err;
}

enum rp_err sales_convert_lead(struct rec_ctx *ctx, struct rp_str lead_id,
                               const struct sales_conversion *conv, struct sales_converted *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec lead;
    err = rec_get(ctx, &entity_leads, lead_id, &lead);
    if (!err) {
        const struct rec_value *status = rec__field(&lead, "status");
        if (!rec__field(&lead, "converted_at")->null ||
            (status->len == 9 && memcmp(status->s, "converted", 9) == 0))
            err = rec_fail(ctx, RP_ECONFLICT, "this lead was converted already");
    }
    if (!err)
        err = convert(ctx, &lead, conv, out);
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

/* ---- stage history ---- */

enum rp_err sales_stage_history(struct rec_ctx *ctx, struct rp_str opportunity_id,
                                struct sales_stage_change **rows, size_t *n)
{
    struct rec_history_row *h;
    size_t nh;
    enum rp_err err = rec_history(ctx, &entity_opportunities, opportunity_id, 500, &h, &nh);
    if (err)
        return err;
    struct sales_stage_change *out = arena_calloc(ctx->a, nh + 1, sizeof(*out));
    size_t count = 0;
    int64_t prev_ms = -1;
    for (size_t i = nh; i-- > 0;) { /* history is newest first */
        if (!h[i].field || strcmp(h[i].field, "stage") != 0)
            continue;
        int64_t ms;
        bool timed_ok = text_parse_datetime(rp_str_c(h[i].at), &ms) == RP_OK;
        out[count] = (struct sales_stage_change){h[i].at, h[i].user_id, h[i].old_value,
                                                 h[i].new_value, -1};
        if (timed_ok && prev_ms >= 0)
            out[count].seconds_in_stage = (ms - prev_ms) / 1000;
        prev_ms = timed_ok ? ms : -1;
        count++;
    }
    *rows = out;
    *n = count;
    return RP_OK;
}

/* ---- tiering ---- */

/* Set when a won deal changed; the first maintenance run after start retiers too. */
static atomic_bool tiers_stale = true;

enum rp_err sales_retier(struct rec_ctx *ctx, int64_t window_days, int64_t *changed)
{
    *changed = 0;
    if (window_days < 1 || window_days > 3660)
        return rec_bad_request(ctx, "window_days must be between 1 and 3660");
    if (ctx->who && ctx->who->role != ROLE_ADMIN && ctx->who->role != ROLE_MANAGER)
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators and managers retier accounts");
    char since[32];
    text_format_date(text_now_ms() / 86400000 - window_days, since, sizeof(since));
    /* Ranked on a read snapshot, outside the write transaction: the ranking reads every
     * won deal, and writers need not wait for it. A deal saved meanwhile marks the
     * tiers stale again (sales_after_save_opportunity). */
    const char **ids, **tiers;
    size_t n;
    enum rp_err err = rec__tier_changes(ctx, since, &ids, &tiers, &n);
    /* Tiering is the system's work on every account, visible or not. Written in
     * transactions of RP_RETIER_BATCH accounts, so other writers get their turn
     * between them (tiers are derived: a later run finishes what a failed one left). */
    bool sudo = ctx->sudo, internal = ctx->internal;
    ctx->sudo = ctx->internal = true;
    for (size_t done = 0; done < n && !err;) {
        err = rec_tx_begin(ctx);
        if (err)
            break;
        for (size_t k = 0; k < RP_RETIER_BATCH && done < n && !err; k++, done++) {
            struct rec_input in = in_str("tier_computed", tiers[done]);
            struct rec r;
            err = rec_update(ctx, &entity_accounts, rp_str_c(ids[done]), &in, 1, -1, &r);
            if (err == RP_ENOTFOUND) /* deleted since it was ranked */
                err = RP_OK;
            else if (!err)
                (*changed)++;
        }
        err = rec_tx_end(ctx, err);
    }
    ctx->sudo = sudo;
    ctx->internal = internal;
    return err;
}

enum rp_err sales_after_save_opportunity(struct rec_ctx *ctx, const struct rec *r,
                                         const struct rec *old)
{
    struct sales_outcome_map map;
    enum rp_err err = sales_outcomes(ctx, &map);
    if (err)
        return err;
    bool won_now = sales_outcome_of(&map, rec__field(r, "stage")->s) == SALES_WON;
    bool won_before = old && sales_outcome_of(&map, rec__field(old, "stage")->s) == SALES_WON;
    bool relevant = won_now != won_before ||
                    (won_now && (changed(r, old, "amount") || changed(r, old, "account_id") ||
                                 changed(r, old, "expected_close_date")));
    if (relevant)
        atomic_store(&tiers_stale, true);
    return RP_OK;
}

enum rp_err sales_retier_if_due(struct rec_ctx *ctx, int64_t now_ms)
{
    static int64_t last_run_ms;
    if (!atomic_exchange(&tiers_stale, false) && now_ms - last_run_ms < 86400000)
        return RP_OK;
    last_run_ms = now_ms;
    int64_t n;
    enum rp_err err = sales_retier(ctx, SALES_TIER_WINDOW_DAYS, &n);
    if (err)
        atomic_store(&tiers_stale, true);
    return err;
}

/* ---- stage rules ---- */

enum rp_err sales_validate_stage(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *k = rec__field(r, "key");
    bool ok = !k->null && k->len > 0 && k->s[0] >= 'a' && k->s[0] <= 'z';
    for (size_t i = 0; ok && i < k->len; i++) {
        char c = k->s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (!ok)
        return rec_field_error(ctx, "key",
                               "use lower-case letters, digits and _, starting with a letter");
    return RP_OK;
}

enum rp_err sales_stage_deletable(struct rec_ctx *ctx, const struct rec *stage)
{
    const struct rec_value *k = rec__field(stage, "key");
    const char *key = arena_strndup(ctx->a, k->s, k->len);
    int64_t total = 0;
    bool sudo = ctx->sudo;
    ctx->sudo = true; /* deals the caller cannot see use the stage too */
    enum rp_err err = RP_OK;
    for (int pass = 0; pass < 2 && !err; pass++) {
        struct rec_param p[] = {{RP_STR("stage"), rp_str_c(key)},
                                {RP_STR("count"), RP_STR("true")},
                                {RP_STR("limit"), RP_STR("1")},
                                {RP_STR("deleted"), pass ? RP_STR("only") : RP_STR("false")}};
        struct rec_query *q;
        struct rec_page page;
        err = rec_query_parse(ctx, &entity_opportunities, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, &entity_opportunities, q, &page);
        total += err ? 0 : page.total;
    }
    ctx->sudo = sudo;
    if (!err && total > 0)
        err = rec_fail(ctx, RP_ECONFLICT,
                       "%lld deal%s still in this stage: move them to another stage first",
                       (long long)total, total == 1 ? " is" : "s are");
    return err;
}

enum rp_err sales_validate_lead(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *st = rec__field(r, "status");
    bool converted = st->len == 9 && memcmp(st->s, "converted", 9) == 0;
    if (converted && changed(r, old, "status") && !ctx->internal)
        return rec_field_error(ctx, "status", "is set by converting the lead");
    if (converted && changed(r, old, "status"))
        stamp(r, "converted_at"); /* the conversion's own time, as its audit rows */
    return RP_OK;
}
