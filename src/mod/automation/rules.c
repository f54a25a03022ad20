/* Running workflow rules (automation.h). A change of a record finds the active rules of
 * its entity; a rule whose trigger matches and whose conditions hold (a list of the
 * entity filtered by each condition group and the record's id: the list filter
 * language, evaluated by the engine) fires:
 *  - its field changes (set_fields, assign) are made at once, in the change's own
 *    transaction, for the user "via" the rule (the audit rows say so), with the power
 *    of the system — the administrator who wrote the rule decided;
 *  - its other actions (a task, an e-mail, a notification, a webhook call, a related
 *    record) are queued as one job of kind workflows.act, run after the commit;
 *  - a run is logged (`workflow_runs`) with what it did.
 * Field changes fire rules in turn: a thread-local depth counts the chain, and at
 * AU_MAX_DEPTH a rule does not fire but logs "depth_limit". Time-based rules (a date
 * field, no activity) are swept each minute by one server (the schedule's claim), and
 * each firing's key is unique, so a rule fires once per record and due time across
 * servers. */
#include "core/common.h"

#include <jansson.h>
#include <stdlib.h>

#include "api/route.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "engine/notify.h"
#include "mod/automation/automation.h"

/* How deep this thread is in a chain of rules (0: a user's own change). */
static _Thread_local int depth;

/* ---- conditions ---- */

/* A query-string part decoded ('+' is a space, %XX a byte), in the arena. */
static struct rp_str decode(struct arena *a, const char *p, size_t len)
{
    char *out = arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char byte;
        if (p[i] == '+') {
            out[o++] = ' ';
        } else if (p[i] == '%' && i + 2 < len && !text_unhex(p + i + 1, 2, &byte)) {
            out[o++] = (char)byte;
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    return (struct rp_str){out, o};
}

static bool reserved_key(struct rp_str k)
{
    static const char *const KEYS[] = {"limit", "cursor", "sort", "q", "count", "sum", "deleted"};
    for (size_t i = 0; i < RP_NELEM(KEYS); i++)
        if (rp_str_eqc(k, KEYS[i]))
            return true;
    return false;
}

/* Files x ("account.industry", dot at the '.') under the group's filters on the
 * record e's reference points to; false when the part before the dot names no
 * reference of e (account: account_id, or a reference field named so). */
static bool ref_param(struct rec_ctx *ctx, const struct entity_def *e, struct au_group *g,
                      struct rec_param x, const char *dot)
{
    struct rp_str name = {x.key.p, (size_t)(dot - x.key.p)};
    const struct field_def *f = meta_field(e, rp_str_c(arena_printf(ctx->a, "%.*s_id",
                                                                      (int)name.len, name.p)));
    if (!f || f->type != FT_REF)
        f = meta_field(e, name);
    const struct entity_def *re = f && f->type == FT_REF && f->ref_entity
                                      ? meta_entity(rp_str_c(f->ref_entity))
                                      : NULL;
    if (!re)
        return false;
    size_t k = 0;
    while (k < g->nrefs && g->refs[k].f != f)
        k++;
    if (k == AU_MAX_REFS)
        return false;
    struct au_ref *ref = &g->refs[k];
    if (k == g->nrefs) {
        g->nrefs++;
        *ref = (struct au_ref){f, re, arena_calloc(ctx->a, AU_MAX_FILTERS + 2, sizeof(*ref->p)), 0};
    }
    if (ref->n == AU_MAX_FILTERS)
        return false;
    x.key = (struct rp_str){dot + 1, (size_t)(x.key.p + x.key.len - dot - 1)};
    ref->p[ref->n++] = x;
    return true;
}

/* Whether filters p read as a list of e would read them; a field error naming the line
 * when not. */
static enum rp_err check_filters(struct rec_ctx *ctx, const struct entity_def *e,
                                 struct rec_param *p, size_t n, size_t line)
{
    struct rec_query *qq;
    size_t before = ctx->nerrors;
    const char *saved = rec_system_begin(ctx, "rule conditions");
    enum rp_err err = rec_query_parse(ctx, e, p, n, &qq);
    rec_system_end(ctx, saved);
    if (err != RP_EINVAL)
        return err;
    const char *why = ctx->detail            ? ctx->detail
                      : ctx->nerrors > before ? ctx->errors[before].message
                                              : "not a filter";
    ctx->detail = NULL;
    ctx->bad_request = false;
    ctx->nerrors = before;
    return rec_field_error(ctx, "conditions", "line %zu: %s", line, why);
}

enum rp_err au__conditions_parse(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *text, struct au_group **out, size_t *n)
{
    *out = arena_calloc(ctx->a, AU_MAX_GROUPS, sizeof(**out));
    *n = 0;
    size_t line = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        line++;
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        while (len && *p == ' ') {
            p++;
            len--;
        }
        if (len) {
            if (*n == AU_MAX_GROUPS)
                return rec_field_error(ctx, "conditions", "at most %u lines", AU_MAX_GROUPS);
            struct au_group *g = &(*out)[(*n)++];
            g->p = arena_calloc(ctx->a, AU_MAX_FILTERS + 2, sizeof(*g->p));
            for (const char *q = p, *end = p + len; q < end;) {
                const char *amp = memchr(q, '&', (size_t)(end - q));
                size_t plen = amp ? (size_t)(amp - q) : (size_t)(end - q);
                const char *eq = memchr(q, '=', plen);
                if (plen && (!eq || g->n == AU_MAX_FILTERS))
                    return rec_field_error(ctx, "conditions",
                                           "line %zu: write each condition as field=value or"
                                           " field[op]=value, at most %u, joined by &",
                                           line, AU_MAX_FILTERS);
                if (plen) {
                    struct rec_param x = {decode(ctx->a, q, (size_t)(eq - q)),
                                          decode(ctx->a, eq + 1, (size_t)(q + plen - eq - 1))};
                    const char *dot = memchr(x.key.p, '.', x.key.len);
                    if (reserved_key(x.key) || (dot && !ref_param(ctx, e, g, x, dot)))
                        return rec_field_error(ctx, "conditions",
                                               "line %zu: %.*s is not a condition", line,
                                               (int)x.key.len, x.key.p);
                    if (!dot)
                        g->p[g->n++] = x;
                }
                q += plen + 1;
            }
            /* Checked as the lists would read them. */
            enum rp_err err = check_filters(ctx, e, g->p, g->n, line);
            for (size_t k = 0; k < g->nrefs && !err; k++)
                err = check_filters(ctx, g->refs[k].e, g->refs[k].p, g->refs[k].n, line);
            if (err)
                return err;
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    return RP_OK;
}

/* Whether record id of e (in the recycle bin: `deleted`) passes filters p (n of them,
 * room for two more). */
static enum rp_err passes(struct rec_ctx *ctx, const struct entity_def *e, const char *id,
                          bool deleted, struct rec_param *p, size_t n, bool *ok)
{
    p[n++] = (struct rec_param){RP_STR("id"), rp_str_c(id)};
    if (deleted)
        p[n++] = (struct rec_param){RP_STR("deleted"), RP_STR("only")};
    struct rec_query *q;
    struct rec_page page = {0};
    const char *saved = rec_system_begin(ctx, "rule conditions");
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    rec_system_end(ctx, saved);
    *ok = !err && page.nrows > 0;
    return err;
}

/* Whether r (in the recycle bin: `deleted`) matches a group of the rule's conditions
 * (none: it does): its own filters, and those on the live records its references
 * point to. */
static enum rp_err conditions_hold(struct rec_ctx *ctx, const struct rec *r, bool deleted,
                                   const char *text, bool *ok)
{
    const struct entity_def *e = r->ent;
    *ok = true;
    if (!text || !text[0])
        return RP_OK;
    struct au_group *g;
    size_t n = 0;
    size_t nerrors = ctx->nerrors;
    enum rp_err err = au__conditions_parse(ctx, e, text, &g, &n);
    if (err) {
        ctx->nerrors = nerrors; /* a rule no longer valid (a field gone) holds no more */
        *ok = false;
        return err == RP_EINVAL ? RP_OK : err;
    }
    *ok = n == 0;
    for (size_t i = 0; i < n && !*ok && !err; i++) {
        err = passes(ctx, e, r->id, deleted, g[i].p, g[i].n, ok);
        for (size_t k = 0; k < g[i].nrefs && *ok && !err; k++) {
            const struct au_ref *ref = &g[i].refs[k];
            const char *to = rec_text(ctx->a, r, ref->f->name);
            *ok = to != NULL; /* no record to look at: the filter does not hold */
            if (to)
                err = passes(ctx, ref->e, to, false, ref->p, ref->n, ok);
        }
    }
    return err;
}

/* ---- values ---- */

/* s with every {{field}} replaced by that field of r in its API text form. */
static const char *merge(struct arena *a, const char *s, const struct rec *r)
{
    if (!s || !r || !strstr(s, "{{"))
        return s;
    struct rp_buf b;
    buf_init(&b, RP_MAX_TEXT * 4);
    enum rp_err err = RP_OK;
    for (const char *p = s; *p && !err;) {
        const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            err = buf_adds(&b, p);
            break;
        }
        err = buf_add(&b, p, (size_t)(open - p));
        struct rp_str name = {open + 2, (size_t)(close - open - 2)};
        int i = meta_field_index(r->ent, name);
        const char *v = rp_str_eqc(name, "id")   ? r->id
                        : i < 0 || r->v[i].null ? ""
                        : r->ent->fields[i].type == FT_PASSWORD
                            ? ""
                            : rec_value_text(a, &r->ent->fields[i], &r->v[i]);
        if (!err)
            err = buf_adds(&b, v ? v : "");
        p = close + 2;
    }
    const char *out = err ? s : arena_strndup(a, b.p, b.len);
    buf_release(&b);
    return out;
}

/* A JSON value as an engine input of field (strings merged with r). */
static struct rec_input input_of(struct arena *a, const char *field, json_t *v, const struct rec *r)
{
    struct rec_input in = {.field = rp_str_c(field), .kind = IN_NULL};
    if (json_is_string(v)) {
        const char *s = merge(a, json_string_value(v), r);
        in.kind = IN_STRING;
        in.s = s;
        in.len = strlen(s);
    } else if (json_is_integer(v)) {
        in.kind = IN_NUMBER;
        in.s = arena_printf(a, "%lld", (long long)json_integer_value(v));
        in.len = strlen(in.s);
    } else if (json_is_real(v)) {
        in.kind = IN_NUMBER;
        in.s = arena_printf(a, "%.17g", json_real_value(v));
        in.len = strlen(in.s);
    } else if (json_is_boolean(v)) {
        in.kind = IN_BOOL;
        in.b = json_is_true(v);
    } else if (json_is_array(v) || json_is_object(v)) {
        char *text = json_dumps(v, JSON_COMPACT);
        in.s = text ? arena_strdup(a, text) : "[]";
        in.len = strlen(in.s);
        free(text);
        in.kind = IN_JSON;
        size_t n = json_array_size(v);
        bool strings = json_is_array(v);
        for (size_t i = 0; i < n && strings; i++)
            strings = json_is_string(json_array_get(v, i));
        if (strings) {
            struct rp_str *items = arena_calloc(a, n + 1, sizeof(*items));
            for (size_t i = 0; i < n; i++)
                items[i] = rp_str_c(arena_strdup(a, json_string_value(json_array_get(v, i))));
            in.kind = IN_LIST;
            in.items = items;
            in.nitems = n;
        }
    }
    return in;
}

/* ---- a run's log ---- */

struct run {
    json_t *detail;              /* [{"action", "ok", "message"}] */
    bool queued;                 /* some actions wait for the job */
    bool failed;
};

static void note(struct run *run, const char *action, bool ok, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "action", json_string(action));
    json_object_set_new(o, "ok", json_boolean(ok));
    if (message)
        json_object_set_new(o, "message", json_string(message));
    json_array_append_new(run->detail, o);
    run->failed = run->failed || !ok;
}

/* The message of a refused write, taken out of ctx (the change it ran in goes on). */
static const char *refusal(struct rec_ctx *ctx, enum rp_err err)
{
    const char *why = ctx->nerrors ? arena_printf(ctx->a, "%s %s", ctx->errors[0].field,
                                                  ctx->errors[0].message)
                      : ctx->detail ? ctx->detail
                                    : rp_err_name(err);
    ctx->nerrors = 0;
    ctx->detail = NULL;
    ctx->bad_request = false;
    ctx->problem = (struct rec_problem){0};
    return why;
}

/* ---- field changes (in the change's transaction) ---- */

/* The active users of team_id, by id (at most 500). */
static enum rp_err team_members(struct rec_ctx *ctx, const char *team_id, const char ***ids,
                                size_t *n)
{
    const struct entity_def *ue = meta_need("users");
    const struct rec_param p[] = {{RP_STR("active"), RP_STR("true")},
                                  {RP_STR("sort"), RP_STR("id")},
                                  {RP_STR("limit"), RP_STR("500")}};
    struct rec_query *q;
    struct rec_page page = {0};
    enum rp_err err = rec_query_parse(ctx, ue, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, ue, q, &page);
    *n = 0;
    *ids = arena_calloc(ctx->a, page.nrows + 1, sizeof(**ids));
    char quoted[RP_ID_LEN + 3];
    snprintf(quoted, sizeof(quoted), "\"%s\"", team_id);
    for (size_t i = 0; !err && i < page.nrows; i++) {
        const char *teams = rec_text(ctx->a, &page.rows[i], "team_ids");
        if (teams && strstr(teams, quoted))
            (*ids)[(*n)++] = page.rows[i].id;
    }
    return err;
}

/* The owner an assign action gives r: a user, or one of a team's. */
static enum rp_err assignee(struct rec_ctx *ctx, const struct au_rule *rule, json_t *a,
                            const struct rec *r, const char **who, const char **why)
{
    *who = json_string_value(json_object_get(a, "user_id"));
    *why = NULL;
    const char *team = json_string_value(json_object_get(a, "team_id"));
    if (*who || !team)
        return RP_OK;
    const char **members;
    size_t n = 0;
    enum rp_err err = team_members(ctx, team, &members, &n);
    if (err || n == 0) {
        *why = "the team has no active member";
        return err;
    }
    const char *mode = json_string_value(json_object_get(a, "mode"));
    if (!mode || strcmp(mode, "round_robin") == 0) {
        *who = members[(size_t)rule->rr_next % n];
        return au__sql_rr_next(ctx, rule->id, (rule->rr_next + 1) % (int64_t)n);
    }
    /* least_loaded: the fewest live records of the entity. */
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < n && !err; i++) {
        const struct rec_param p[] = {{RP_STR("owner_id"), rp_str_c(members[i])},
                                      {RP_STR("count"), RP_STR("true")},
                                      {RP_STR("limit"), RP_STR("1")}};
        struct rec_query *q;
        struct rec_page page = {0};
        err = rec_query_parse(ctx, r->ent, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, r->ent, q, &page);
        if (!err && page.total < best) {
            best = page.total;
            *who = members[i];
        }
    }
    return err;
}

/* Makes the rule's field changes to r (a live record), for the user via the rule. */
static enum rp_err set_fields(struct rec_ctx *ctx, const struct au_rule *rule, json_t *actions,
                              const struct rec *r, struct run *run)
{
    enum rp_err err = RP_OK;
    for (size_t k = 0; k < json_array_size(actions) && !err; k++) {
        json_t *a = json_array_get(actions, k);
        const char *type = json_string_value(json_object_get(a, "type"));
        bool fields = type && strcmp(type, "set_fields") == 0;
        if (!fields && !(type && strcmp(type, "assign") == 0))
            continue;
        struct rec_input *in = arena_calloc(ctx->a, json_object_size(json_object_get(a, "values")) + 1,
                                            sizeof(*in));
        size_t n = 0;
        const char *why = NULL;
        if (fields) {
            const char *key;
            json_t *v;
            json_object_foreach(json_object_get(a, "values"), key, v)
                in[n++] = input_of(ctx->a, arena_strdup(ctx->a, key), v, r);
        } else {
            /* The team and its members' loads as they are, not as the user sees them. */
            const char *who;
            const char *sys = rec_system_begin(ctx, "workflow rule");
            err = assignee(ctx, rule, a, r, &who, &why);
            rec_system_end(ctx, sys);
            if (!err && who)
                in[n++] = rec_in_text("owner_id", who);
        }
        if (err || why) {
            if (why)
                note(run, type, false, why);
            continue;
        }
        struct rec out;
        depth++;
        const char *sys = rec_system_begin(ctx, "workflow rule");
        const char *via = rec_via_begin(ctx, arena_printf(ctx->a, "rule: %s", rule->name));
        err = rec_update(ctx, r->ent, rp_str_c(r->id), in, n, -1, &out);
        rec_via_end(ctx, via);
        rec_system_end(ctx, sys);
        depth--;
        if (err == RP_EINVAL || err == RP_ECONFLICT || err == RP_EFORBIDDEN) {
            note(run, type, false, refusal(ctx, err));
            err = RP_OK;
        } else if (!err) {
            note(run, type, true, NULL);
        }
    }
    return err;
}

/* ---- firing ---- */

static bool is_async(const char *type)
{
    return type && strcmp(type, "set_fields") != 0 && strcmp(type, "assign") != 0;
}

/* Logs a run of rule on r; *id is the run's. */
static enum rp_err log_run(struct rec_ctx *ctx, const struct au_rule *rule, const struct rec *r,
                           const char *trigger, const char *status, json_t *detail,
                           const char *fire_key, const char **id)
{
    char *text = json_dumps(detail, JSON_COMPACT);
    struct rec_input in[] = {
        rec_in_text("workflow_id", rule->id),
        rec_in_text("entity", r->ent->name),
        rec_in_text("record_id", r->id),
        rec_in_text("trigger", trigger),
        rec_in_text("status", status),
        rec_in_int(ctx->a, "depth", depth),
        (struct rec_input){.field = RP_STR("detail"), .kind = IN_JSON, .s = text ? text : "[]",
                           .len = text ? strlen(text) : 2},
        rec_in_opt("fire_key", fire_key),
    };
    struct rec row;
    const char *saved = rec_system_begin(ctx, "rule run");
    enum rp_err err = rec_create(ctx, meta_need("workflow_runs"), in, RP_NELEM(in), &row);
    rec_system_end(ctx, saved);
    free(text);
    *id = err ? NULL : row.id;
    if (!err)
        err = au__sql_rule_ran(ctx, rule->id, text_now_ms());
    return err;
}

/* Fires rule on r (its trigger matched): conditions, depth, field changes, the queued
 * rest, the log. *fired false when the conditions do not hold. event: what happened to
 * r — a record being deleted or restored gets no field changes (the first is on its
 * way to the recycle bin, the second still in it). dry: nothing is queued (a dry run,
 * rolled back by the caller). */
static enum rp_err fire(struct rec_ctx *ctx, const struct au_rule *rule, const struct rec *r,
                        const char *trigger, const char *event, const char *fire_key, bool dry,
                        json_t **detail_out, bool *fired)
{
    bool ok, in_bin = strcmp(event, "restored") == 0;
    bool deleted = in_bin || strcmp(event, "deleted") == 0;
    *fired = false;
    enum rp_err err = conditions_hold(ctx, r, in_bin, rule->conditions, &ok);
    if (err || !ok)
        return err;
    *fired = true;
    struct run run = {json_array(), false, false};
    const char *run_id;
    if (depth >= AU_MAX_DEPTH) {
        note(&run, "stop", false, "rules fired by rules stop at this depth");
        err = dry ? RP_OK : log_run(ctx, rule, r, trigger, "depth_limit", run.detail, fire_key, &run_id);
        *detail_out = run.detail;
        return err;
    }
    json_t *actions = json_loads(rule->actions ? rule->actions : "[]", 0, NULL);
    if (!deleted)
        err = set_fields(ctx, rule, actions, r, &run);
    for (size_t k = 0; k < json_array_size(actions) && !err; k++) {
        const char *type = json_string_value(json_object_get(json_array_get(actions, k), "type"));
        if (is_async(type)) {
            run.queued = true;
            if (dry)
                note(&run, type, true, "would run after the change is saved");
        }
    }
    json_decref(actions);
    if (!err && !dry) {
        err = log_run(ctx, rule, r, trigger,
                      run.queued ? "queued" : run.failed ? "failed" : "done", run.detail, fire_key,
                      &run_id);
        if (!err && run.queued)
            err = jobs_queue(ctx, "workflows.act", run_id);
    }
    *detail_out = run.detail;
    return err;
}

/* Whether rule's trigger matches a change of r (event; old before an update). */
static bool triggered(struct rec_ctx *ctx, const struct au_rule *rule, const char *event,
                      const struct rec *r, const struct rec *old)
{
    if (strcmp(rule->trigger, event) == 0)
        return strcmp(event, "updated") != 0 || old;
    if (strcmp(rule->trigger, "field_changed") != 0 ||
        (strcmp(event, "created") != 0 && strcmp(event, "updated") != 0))
        return false;
    int i = rule->trigger_field ? meta_field_index(r->ent, rp_str_c(rule->trigger_field)) : -1;
    if (i < 0)
        return rule->trigger_field && strcmp(rule->trigger_field, "owner_id") == 0 && old &&
               (r->owner_id ? !old->owner_id || strcmp(r->owner_id, old->owner_id) != 0
                            : old->owner_id != NULL);
    const struct field_def *f = &r->ent->fields[i];
    if (!rec_changed(r, old, f->name) || (!old && r->v[i].null))
        return false;
    /* On a create, a field left at its default did not change. */
    if (!old && f->def && strcmp(rec_value_text(ctx->a, f, &r->v[i]), f->def) == 0)
        return false;
    if (!rule->trigger_value || !rule->trigger_value[0])
        return true;
    return !r->v[i].null && strcmp(rec_value_text(ctx->a, f, &r->v[i]), rule->trigger_value) == 0;
}

enum rp_err au__rules_fire(struct rec_ctx *ctx, const char *event, const struct rec *r,
                           const struct rec *old)
{
    struct au_rule *rules;
    size_t n = 0;
    enum rp_err err = au__sql_rules_of(ctx, r->ent->name, false, &rules, &n);
    for (size_t i = 0; i < n && !err; i++) {
        if (!triggered(ctx, &rules[i], event, r, old))
            continue;
        json_t *detail = NULL;
        bool fired;
        err = fire(ctx, &rules[i], r, event, event, NULL, false, &detail, &fired);
        json_decref(detail);
    }
    return err;
}

/* ---- the queued actions (job workflows.act) ---- */

/* The activity a create_task action makes about r. */
static enum rp_err create_task(struct rec_ctx *ctx, json_t *a, const struct rec *r,
                               const char **why)
{
    int64_t due = text_now_ms();
    const char *field = json_string_value(json_object_get(a, "due_field"));
    int i = field ? meta_field_index(r->ent, rp_str_c(field)) : -1;
    if (i >= 0 && !r->v[i].null) {
        const char *t = rec_value_text(ctx->a, &r->ent->fields[i], &r->v[i]);
        int64_t ms = 0;
        if (r->ent->fields[i].type == FT_DATE)
            t = arena_printf(ctx->a, "%sT09:00:00Z", t);
        if (!text_parse_datetime(rp_str_c(t), &ms))
            due = ms;
    }
    json_t *days = json_object_get(a, json_object_get(a, "due_field") ? "due_offset_days"
                                                                      : "due_in_days");
    due += (int64_t)json_integer_value(days) * 86400000;
    const char *to = json_string_value(json_object_get(a, "assign_to"));
    const char *owner = !to || strcmp(to, "owner") == 0 ? r->owner_id : to;
    const char *prio = json_string_value(json_object_get(a, "priority"));
    const char *due_text = rec_datetime(ctx->a, due);
    struct rec_input in[8];
    size_t n = 0;
    in[n++] = rec_in_text("type", "task");
    in[n++] = rec_in_text("subject", merge(ctx->a, json_string_value(json_object_get(a, "subject")), r));
    in[n++] = rec_in_text("status", "planned");
    in[n++] = rec_in_text("priority", prio ? prio : "normal");
    in[n++] = rec_in_text("due_at", due_text);
    in[n++] = rec_in_opt("owner_id", owner);
    if (r->ent->flags & EF_TIMELINE) {
        in[n++] = rec_in_text("related_type", r->ent->name);
        in[n++] = rec_in_text("related_id", r->id);
    }
    struct rec out;
    enum rp_err err = rec_create(ctx, meta_need("activities"), in, n, &out);
    if (err == RP_EINVAL || err == RP_ECONFLICT || err == RP_EFORBIDDEN) {
        *why = refusal(ctx, err);
        return RP_OK;
    }
    return err;
}

/* The e-mail a send_email action writes (the mail module sends it). */
static enum rp_err send_email(struct rec_ctx *ctx, json_t *a, const struct rec *r,
                              const char **why)
{
    static const struct {
        const char *entity, *field;
    } LINKS[] = {{"contacts", "contact_id"}, {"leads", "lead_id"}, {"accounts", "account_id"},
                 {"opportunities", "deal_id"}};
    struct rec_input in[6];
    size_t n = 0;
    in[n++] = rec_in_text("template_id", json_string_value(json_object_get(a, "template_id")));
    for (size_t i = 0; i < RP_NELEM(LINKS); i++)
        if (strcmp(r->ent->name, LINKS[i].entity) == 0)
            in[n++] = rec_in_text(LINKS[i].field, r->id);
    const char *to = json_string_value(json_object_get(a, "to"));
    if (to && strcmp(to, "owner") == 0) {
        struct rec owner;
        enum rp_err err = r->owner_id ? rec_get(ctx, meta_need("users"), rp_str_c(r->owner_id), &owner)
                                      : RP_ENOTFOUND;
        const char *addr = err ? NULL : rec_text(ctx->a, &owner, "email");
        if (!addr) {
            *why = "the record's owner has no e-mail address";
            return err == RP_ENOTFOUND || !err ? RP_OK : err;
        }
        in[n++] = rec_in_text("to_addresses", addr);
    }
    in[n++] = rec_in_opt("owner_id", r->owner_id);
    struct rec out;
    enum rp_err err = rec_create(ctx, meta_need("emails"), in, n, &out);
    if (err == RP_EINVAL || err == RP_ECONFLICT || err == RP_EFORBIDDEN) {
        *why = refusal(ctx, err);
        return RP_OK;
    }
    return err;
}

static enum rp_err notify(struct rec_ctx *ctx, json_t *a, const struct rec *r)
{
    const char *msg = merge(ctx->a, json_string_value(json_object_get(a, "message")), r);
    json_t *to = json_object_get(a, "to");
    enum rp_err err = RP_OK;
    if (json_is_array(to)) {
        for (size_t i = 0; i < json_array_size(to) && !err; i++)
            if (json_is_string(json_array_get(to, i)))
                err = notify_alert(ctx, json_string_value(json_array_get(to, i)), r, "%s", msg);
    } else if (r->owner_id) {
        err = notify_alert(ctx, r->owner_id, r, "%s", msg);
    }
    return err == RP_ENOTFOUND ? RP_OK : err;
}

static void call_webhook(struct rec_ctx *ctx, const struct au_rule *rule, json_t *a,
                         const struct rec *r, bool *ok, const char **why)
{
    struct au_settings s;
    *ok = false;
    if (au_settings_get(ctx, &s)) {
        *why = "the settings could not be read";
        return;
    }
    json_t *head = json_object();
    json_object_set_new(head, "event", json_string("rule"));
    json_object_set_new(head, "rule_id", json_string(rule->id));
    json_object_set_new(head, "rule", json_string(rule->name));
    json_object_set_new(head, "entity", json_string(r->ent->name));
    json_object_set_new(head, "occurred_at", json_string(rec_datetime(ctx->a, text_now_ms())));
    const char *body = NULL;
    enum rp_err err = au__envelope(ctx, head, r, &body);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    hdr = hdr ? curl_slist_append(hdr, "X-Rapport-Event: rule") : NULL;
    struct au_request rq = {.method = "POST",
                            .url = json_string_value(json_object_get(a, "url")),
                            .allow = s.allow,
                            .headers = hdr,
                            .body = body,
                            .body_len = body ? strlen(body) : 0,
                            .timeout_s = AU_TIMEOUT_S,
                            .max_answer = AU_MAX_ANSWER};
    struct au_answer ans;
    if (err || !hdr) {
        *why = "out of memory";
    } else {
        au_call(au_handle(), ctx->a, &rq, &ans);
        *ok = ans.status >= 200 && ans.status < 300;
        *why = ans.error ? ans.error : arena_printf(ctx->a, "HTTP %ld", ans.status);
    }
    curl_slist_free_all(hdr);
}

static enum rp_err create_record(struct rec_ctx *ctx, json_t *a, const struct rec *r,
                                 const char **why)
{
    const struct entity_def *te = meta_entity(rp_str_c(json_string_value(json_object_get(a, "entity"))));
    if (!te) {
        *why = "the entity no longer exists";
        return RP_OK;
    }
    json_t *values = json_object_get(a, "values");
    struct rec_input *in = arena_calloc(ctx->a, json_object_size(values) + 2, sizeof(*in));
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(values, key, v)
        in[n++] = input_of(ctx->a, arena_strdup(ctx->a, key), v, r);
    const char *link = json_string_value(json_object_get(a, "link_field"));
    if (link)
        in[n++] = rec_in_text(arena_strdup(ctx->a, link), r->id);
    in[n++] = rec_in_opt("owner_id", r->owner_id);
    struct rec out;
    enum rp_err err = rec_create(ctx, te, in, n, &out);
    if (err == RP_EINVAL || err == RP_ECONFLICT || err == RP_EFORBIDDEN) {
        *why = refusal(ctx, err);
        return RP_OK;
    }
    return err;
}

enum rp_err au__act_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                        const char **result)
{
    (void)stop;
    struct rec run, rec;
    struct au_rule rule;
    enum rp_err err = rec_get(ctx, meta_need("workflow_runs"), payload, &run);
    const char *entity = err ? NULL : rec_text(ctx->a, &run, "entity");
    const struct entity_def *e = entity ? meta_entity(rp_str_c(entity)) : NULL;
    if (!err)
        err = au__sql_rule(ctx, rec_text(ctx->a, &run, "workflow_id"), &rule);
    if (!err && !e)
        err = RP_ENOTFOUND;
    if (!err) {
        /* The record as it is now (in the recycle bin after a delete). */
        err = rec_get(ctx, e, rp_str_c(rec_text(ctx->a, &run, "record_id")), &rec);
        if (err == RP_ENOTFOUND) {
            struct rec_query *q;
            struct rec_page page = {0};
            const struct rec_param p[] = {{RP_STR("id"), rp_str_c(rec_text(ctx->a, &run, "record_id"))},
                                          {RP_STR("deleted"), RP_STR("only")}};
            err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
            if (!err)
                err = rec_list(ctx, e, q, &page);
            if (!err && page.nrows)
                rec = page.rows[0];
            else if (!err)
                err = RP_ENOTFOUND;
        }
    }
    if (err == RP_ENOTFOUND) {
        *result = "{\"gone\":true}";
        return err == RP_ENOTFOUND ? RP_OK : err;
    }
    if (err)
        return err;
    const char *detail_text = rec_text(ctx->a, &run, "detail");
    struct run out = {json_loads(detail_text ? detail_text : "[]", 0, NULL), false, false};
    if (!json_is_array(out.detail)) {
        json_decref(out.detail);
        out.detail = json_array();
    }
    for (size_t k = 0; k < json_array_size(out.detail); k++)
        out.failed = out.failed || json_is_false(json_object_get(json_array_get(out.detail, k), "ok"));
    json_t *actions = json_loads(rule.actions ? rule.actions : "[]", 0, NULL);
    int saved_depth = depth;
    depth = (int)rec_field(&run, "depth")->i + 1;
    const char *via = rec_via_begin(ctx, arena_printf(ctx->a, "rule: %s", rule.name));
    for (size_t k = 0; k < json_array_size(actions) && !err; k++) {
        json_t *a = json_array_get(actions, k);
        const char *type = json_string_value(json_object_get(a, "type"));
        if (!is_async(type))
            continue;
        const char *why = NULL;
        bool ok = true;
        /* Each action in its own transaction: one refused does not undo the others. */
        err = rec_tx_begin(ctx);
        if (!err && strcmp(type, "create_task") == 0)
            err = create_task(ctx, a, &rec, &why);
        else if (!err && strcmp(type, "send_email") == 0)
            err = send_email(ctx, a, &rec, &why);
        else if (!err && strcmp(type, "notify") == 0)
            err = notify(ctx, a, &rec);
        else if (!err && strcmp(type, "create_record") == 0)
            err = create_record(ctx, a, &rec, &why);
        else if (!err && strcmp(type, "webhook") == 0)
            call_webhook(ctx, &rule, a, &rec, &ok, &why);
        err = rec_tx_end(ctx, err);
        /* A webhook's answer is its message either way; another action's is why it failed. */
        ok = (strcmp(type, "webhook") == 0 ? ok : !why) && !err;
        if (err == RP_EINVAL) {
            why = refusal(ctx, err);
            err = RP_OK;
        }
        note(&out, type, ok, ok && strcmp(type, "webhook") != 0 ? NULL : why);
    }
    rec_via_end(ctx, via);
    depth = saved_depth;
    json_decref(actions);
    char *text = json_dumps(out.detail, JSON_COMPACT);
    if (!err)
        err = au__sql_run_done(ctx, run.id, out.failed ? "failed" : "done", text ? text : "[]");
    free(text);
    json_decref(out.detail);
    *result = out.failed ? "{\"failed\":true}" : "{\"done\":true}";
    return err;
}

/* ---- time-based rules (schedule workflows.timed) ---- */

static int64_t offset_ms(const struct au_rule *rule)
{
    int64_t unit = strcmp(rule->offset_unit, "minutes") == 0 ? 60000
                   : strcmp(rule->offset_unit, "hours") == 0 ? 3600000
                                                              : 86400000;
    return rule->offset_amount * unit;
}

/* The bound of a filter on field f for time ms: a date's day, or the time. */
static const char *bound(struct arena *a, const struct field_def *f, int64_t ms)
{
    const char *t = rec_datetime(a, ms);
    return f && f->type == FT_DATE ? arena_strndup(a, t, 10) : t;
}

/* One page of e's live records whose field lies in (lo, hi], oldest first. */
static enum rp_err window(struct rec_ctx *ctx, const struct entity_def *e, const char *field,
                          const char *lo, const char *hi, const char *cursor,
                          struct rec_page *page)
{
    char gt[80], lte[80];
    snprintf(gt, sizeof(gt), "%s[gt]", field);
    snprintf(lte, sizeof(lte), "%s[lte]", field);
    struct rec_param p[6] = {{rp_str_c(gt), rp_str_c(lo)},
                             {rp_str_c(lte), rp_str_c(hi)},
                             {RP_STR("sort"), rp_str_c(field)},
                             {RP_STR("limit"), RP_STR("500")}};
    size_t n = 4;
    if (cursor)
        p[n++] = (struct rec_param){RP_STR("cursor"), rp_str_c(cursor)};
    struct rec_query *q;
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    return err ? err : rec_list(ctx, e, q, page);
}

/* When r was last touched: its own change, or the newest activity about it. */
static enum rp_err last_touch(struct rec_ctx *ctx, const struct rec *r, const char **at)
{
    *at = r->updated_at;
    if (!(r->ent->flags & EF_TIMELINE))
        return RP_OK;
    const struct entity_def *ae = meta_need("activities");
    const struct rec_param p[] = {{RP_STR("related_type"), rp_str_c(r->ent->name)},
                                  {RP_STR("related_id"), rp_str_c(r->id)},
                                  {RP_STR("sort"), RP_STR("-updated_at")},
                                  {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page = {0};
    enum rp_err err = rec_query_parse(ctx, ae, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, ae, q, &page);
    if (!err && page.nrows && strcmp(page.rows[0].updated_at, *at) > 0)
        *at = page.rows[0].updated_at;
    return err;
}

/* Fires rule on r unless it fired for this key already (the key is unique). */
static enum rp_err fire_once(struct rec_ctx *ctx, const struct au_rule *rule, const struct rec *r,
                             const char *key)
{
    json_t *detail = NULL;
    bool fired;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = fire(ctx, rule, r, rule->trigger, "due", key, false, &detail, &fired);
    json_decref(detail);
    err = rec_tx_end(ctx, err);
    if (err == RP_ECONFLICT) {
        refusal(ctx, err); /* fired already (another server, or an earlier sweep) */
        return RP_OK;
    }
    return err;
}

static enum rp_err sweep_rule(struct rec_ctx *ctx, const struct au_rule *rule, int64_t now)
{
    const struct entity_def *e = meta_entity(rp_str_c(rule->entity));
    if (!e)
        return RP_OK;
    int64_t from = 0;
    if (!rule->swept_to || text_parse_datetime(rp_str_c(rule->swept_to), &from))
        from = now;
    if (from >= now)
        return RP_OK;
    bool date = strcmp(rule->trigger, "date") == 0;
    int64_t off = offset_ms(rule) * (date && strcmp(rule->offset_direction, "before") == 0 ? -1 : 1);
    const char *field = date ? rule->trigger_field : "updated_at";
    const struct field_def *f = date ? meta_field(e, rp_str_c(field)) : NULL;
    if (date && !f)
        return RP_OK;
    const char *lo = bound(ctx->a, f, from - off), *hi = bound(ctx->a, f, now - off);
    const char *cursor = NULL;
    enum rp_err err = RP_OK;
    size_t seen = 0;
    /* Where a sweep cut short stopped: the due time of the last record it saw, less a
     * millisecond (records due then are looked at again; their keys are taken). */
    int64_t reached = now;
    /* Records whose due time passed in (from, now]; for no activity, also the records
     * whose newest activity did. */
    for (int pass = 0; pass < (date ? 1 : 2) && !err; pass++) {
        const struct entity_def *src = pass ? meta_need("activities") : e;
        if (pass && !(e->flags & EF_TIMELINE))
            break;
        cursor = NULL;
        do {
            struct rec_page page = {0};
            err = window(ctx, src, field, lo, hi, cursor, &page);
            for (size_t i = 0; i < page.nrows && !err; i++, seen++) {
                struct rec r = page.rows[i];
                if (pass) {
                    const char *rt = rec_text(ctx->a, &page.rows[i], "related_type");
                    const char *rid = rec_text(ctx->a, &page.rows[i], "related_id");
                    if (!rt || !rid || strcmp(rt, e->name) != 0)
                        continue;
                    err = rec_get(ctx, e, rp_str_c(rid), &r);
                    if (err == RP_ENOTFOUND) {
                        err = RP_OK;
                        continue;
                    }
                }
                const char *key;
                if (date) {
                    int j = meta_field_index(e, rp_str_c(field));
                    key = arena_printf(ctx->a, "%s:%s:%s", rule->id, r.id,
                                       rec_value_text(ctx->a, f, &r.v[j]));
                } else {
                    const char *touched;
                    int64_t t = 0;
                    if (!err)
                        err = last_touch(ctx, &r, &touched);
                    if (err || text_parse_datetime(rp_str_c(touched), &t) || t > now - off)
                        continue; /* touched since */
                    key = arena_printf(ctx->a, "%s:%s:%s", rule->id, r.id, touched);
                }
                if (!err)
                    err = fire_once(ctx, rule, &r, key);
            }
            cursor = page.next_cursor;
            if (cursor && seen >= AU_TIMED_BATCH * 20) {
                const struct rec *last = &page.rows[page.nrows - 1];
                const char *t = pass || !date ? last->updated_at
                                : rec_value_text(ctx->a, f, &last->v[meta_field_index(e, rp_str_c(field))]);
                int64_t ms = 0;
                if (f && f->type == FT_DATE)
                    t = arena_printf(ctx->a, "%sT00:00:00Z", t);
                if (!text_parse_datetime(rp_str_c(t), &ms) && ms + off - 1 < reached)
                    reached = ms + off - 1 > from ? ms + off - 1 : from;
                break;
            }
        } while (!err && cursor);
    }
    return err ? err : au__sql_swept(ctx, rule->id, reached);
}

enum rp_err au__timed(struct rec_ctx *ctx)
{
    struct au_rule *rules;
    size_t n = 0;
    int64_t now = text_now_ms();
    enum rp_err err = au__sql_rules_of(ctx, NULL, true, &rules, &n);
    for (size_t i = 0; i < n && !err; i++)
        err = sweep_rule(ctx, &rules[i], now);
    return err;
}

/* ---- the dry run ---- */

unsigned au__post_try(struct api_call *c)
{
    struct rec_ctx *ctx = &c->ctx;
    if (!rec_admin(ctx)) {
        rec_fail(ctx, RP_EFORBIDDEN, "only administrators manage workflow rules");
        return api_fail(c, RP_EFORBIDDEN);
    }
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"record_id", NULL}, MSG("is not a dry-run option"));
    const char *rid = json_string_value(json_object_get(root, "record_id"));
    if (!rid)
        rec_field_error(ctx, "record_id", "give the record to try the rule on");
    struct rec w, before, after;
    struct au_rule rule;
    enum rp_err err = ctx->nerrors ? RP_EINVAL : rec_get(ctx, meta_need("workflows"), c->req->params[0], &w);
    if (!err)
        err = au__sql_rule(ctx, w.id, &rule);
    const struct entity_def *e = err ? NULL : meta_entity(rp_str_c(rule.entity));
    if (!err && !e)
        err = rec_field_error(ctx, "entity", "is not a kind of record (give its API name: contacts)");
    if (!err)
        err = rec_get(ctx, e, rp_str_c(rid), &before);
    if (err == RP_ENOTFOUND && e)
        err = rec_field_error(ctx, "record_id", "no such record");
    if (err)
        return api_fail(c, err);
    /* Everything in a transaction that is rolled back: what the rule would change is
     * read back before the rollback. */
    json_t *detail = NULL;
    bool fired = false;
    err = rec_tx_begin(ctx);
    if (!err)
        err = fire(ctx, &rule, &before, "try", "try", NULL, true, &detail, &fired);
    if (!err)
        err = rec_get(ctx, e, rp_str_c(rid), &after);
    json_t *changes = json_object();
    for (size_t i = 0; !err && i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        if (f->type == FT_PASSWORD || !rec_changed(&after, &before, f->name))
            continue;
        json_t *pair = json_object();
        json_object_set_new(pair, "old", api_str_or_null(before.v[i].null ? NULL
                                                          : rec_value_text(ctx->a, f, &before.v[i])));
        json_object_set_new(pair, "new", api_str_or_null(after.v[i].null ? NULL
                                                          : rec_value_text(ctx->a, f, &after.v[i])));
        json_object_set_new(changes, f->name, pair);
    }
    if (!err && after.owner_id && (!before.owner_id || strcmp(after.owner_id, before.owner_id) != 0)) {
        json_t *pair = json_object();
        json_object_set_new(pair, "old", api_str_or_null(before.owner_id));
        json_object_set_new(pair, "new", json_string(after.owner_id));
        json_object_set_new(changes, "owner_id", pair);
    }
    enum rp_err kept = err;
    rec_tx_end(ctx, RP_EINVAL); /* rolled back, whatever happened */
    ctx->nerrors = 0;
    if (kept) {
        json_decref(detail);
        json_decref(changes);
        return api_fail(c, kept);
    }
    json_t *o = json_object();
    json_object_set_new(o, "matched", json_boolean(fired));
    json_object_set_new(o, "actions", detail ? detail : json_array());
    json_object_set_new(o, "changes", changes);
    return api_json(c, 200, o);
}
