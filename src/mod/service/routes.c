/* The service module's routes: a case's SLA clocks, and the worklist of open cases —
 * the caller's own or a queue's — the most urgent first, each with its clocks. */
#include "core/common.h"

#include "api/route.h"
#include "core/ids.h"
#include "core/text.h"
#include "mod/service/service.h"

static json_t *clock_json(const struct svc_clock *k)
{
    if (!k->set)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "target_minutes", json_integer(k->target_min));
    json_object_set_new(o, "due_at", api_str_or_null(k->due_at));
    json_object_set_new(o, "done_at", api_str_or_null(k->done_at));
    json_object_set_new(o, "remaining_seconds", json_integer(k->remaining_s));
    json_object_set_new(o, "overdue_seconds",
                        json_integer(k->remaining_s < 0 ? -k->remaining_s : 0));
    json_object_set_new(o, "breached", json_boolean(k->breached));
    json_object_set_new(o, "paused", json_boolean(k->paused));
    return o;
}

static json_t *sla_json(const struct svc_sla *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "policy_id", api_str_or_null(s->policy_id));
    json_object_set_new(o, "first_response", clock_json(&s->clocks[SVC_RESPONSE]));
    json_object_set_new(o, "resolution", clock_json(&s->clocks[SVC_RESOLUTION]));
    return o;
}

unsigned service__get_sla(struct api_call *c)
{
    struct rec r;
    enum rp_err err = rec_get(&c->ctx, meta_need("cases"), c->req->params[0], &r);
    struct svc_sla sla;
    if (!err)
        err = svc_case_sla(&c->ctx, &r, text_now_ms(), &sla);
    if (err)
        return api_fail(c, err);
    return api_json(c, 200, sla_json(&sla));
}

unsigned service__get_worklist(struct api_call *c)
{
    struct rp_str q = api_query(c, "queue_id"), limit = api_query(c, "limit");
    int64_t max = SVC_WORKLIST_DEFAULT;
    if (limit.p && (text_parse_i64(limit, &max) || max < 1 || max > SVC_WORKLIST_MAX))
        return api_problemf(c, 400, "limit must be between 1 and %u", SVC_WORKLIST_MAX);
    const char *queue = NULL;
    if (q.p) {
        if (!ids_valid(q))
            return api_problem(c, 400, "queue_id must be a queue id");
        queue = arena_strndup(&c->req->a, q.p, q.len);
    }
    struct rec *rows;
    size_t n;
    enum rp_err err = service__sql_worklist(&c->ctx, queue, (size_t)max, &rows, &n);
    if (err)
        return api_fail(c, err);
    /* Written as text: 50 records through a JSON tree each cost twice the query. */
    int64_t now = text_now_ms();
    struct svc_sla_cache *cache = arena_calloc(&c->req->a, 1, sizeof(*cache));
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    err = buf_adds(&b, "{\"data\":[");
    for (size_t i = 0; i < n && !err; i++) {
        struct svc_sla sla;
        if ((err = svc_case_sla_cached(&c->ctx, &rows[i], now, cache, &sla))) {
            buf_release_wipe(&b);
            return api_fail(c, err);
        }
        json_t *extra = json_pack("{s:o}", "sla", sla_json(&sla));
        err = i ? buf_addc(&b, ',') : RP_OK;
        if (!err)
            err = api_write_record_with(&b, &c->req->a, &rows[i], extra);
        json_decref(extra);
    }
    if (!err)
        err = buf_adds(&b, "]}");
    return api_text(c, 200, &b, err);
}
