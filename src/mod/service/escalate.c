/* Escalation: every minute, on one server, the cases whose next escalation point has
 * passed move up a level — at SVC_WARN_PERCENT of a target their owner is warned (a
 * notification, and the level change on the case's timeline and in its history), at a
 * breach the priority goes up one step, the case moves to its queue's escalation queue,
 * and its owner and that queue's manager are told. A level is stored on the case, so each applies once per case; the
 * sweep reads due points from the stored escalate_at, so after a downtime it applies
 * every level that fell due meanwhile, in order. */
#include "core/common.h"

#include "core/text.h"
#include "engine/notify.h"
#include "mod/service/service.h"

static const char *raised(const struct rec_value *p)
{
    if (p->len == 2 && p->s[0] == 'p' && p->s[1] > '1' && p->s[1] <= '4') {
        static const char *const UP[] = {"p1", "p1", "p2", "p3"};
        return UP[p->s[1] - '1'];
    }
    return "p1";
}

/* Applies the next level to case c, as the system. */
static enum rp_err escalate_one(struct rec_ctx *ctx, const struct rec *c)
{
    int64_t level = rec_field(c, "escalation_level")->i;
    struct rec_input in[3];
    size_t n = 0;
    char lv[24];
    snprintf(lv, sizeof(lv), "%lld", (long long)(level + 1));
    in[n++] = (struct rec_input){.field = RP_STR("escalation_level"), .kind = IN_NUMBER, .s = lv,
                                 .len = strlen(lv)};
    if (level == 1) {
        in[n++] = rec_in_text("priority", raised(rec_field(c, "priority")));
        const struct rec_value *qid = rec_field(c, "queue_id");
        struct rec queue;
        enum rp_err err = qid->null ? RP_ENOTFOUND
                                    : rec_get(ctx, meta_need("case_queues"),
                                              (struct rp_str){qid->s, qid->len}, &queue);
        if (err && err != RP_ENOTFOUND)
            return err;
        const struct rec_value *to = err ? NULL : rec_field(&queue, "escalation_queue_id");
        if (to && !to->null)
            in[n++] = (struct rec_input){.field = RP_STR("queue_id"), .kind = IN_STRING,
                                         .s = to->s, .len = to->len};
    }
    struct rec out;
    enum rp_err err = rec_update(ctx, c->ent, rp_str_c(c->id), in, n, c->version, &out);
    if (err) /* RP_ESTALE: another server applied it first */
        return err;
    const struct rec_value *num = rec_field(&out, "number");
    int len = num->null ? 0 : (int)num->len;
    const char *number = num->null ? "" : num->s;
    /* The owner hears of the warning; at a breach the owner and the manager of the
     * queue the case is in now. */
    if (!err && level == 0 && out.owner_id)
        err = notify_alert(ctx, out.owner_id, &out,
                           "Case %.*s has used %d%% of its SLA target", len, number,
                           SVC_WARN_PERCENT);
    if (!err && level == 1) {
        const struct rec_value *qid = rec_field(&out, "queue_id");
        struct rec queue;
        const char *manager = NULL;
        if (!qid->null) {
            err = rec_get(ctx, meta_need("case_queues"), (struct rp_str){qid->s, qid->len},
                          &queue);
            if (!err && !rec_field(&queue, "manager_id")->null)
                manager = rec_field(&queue, "manager_id")->s;
            if (err == RP_ENOTFOUND)
                err = RP_OK;
        }
        const char *to[2] = {out.owner_id, manager};
        for (size_t i = 0; i < 2 && !err; i++)
            if (to[i] && (i == 0 || !to[0] || strcmp(to[0], to[i]) != 0))
                err = notify_alert(ctx, to[i], &out,
                                   "Case %.*s missed its SLA target and was escalated", len,
                                   number);
    }
    return err;
}

enum rp_err service_escalate(struct rec_ctx *ctx, int64_t now_ms, int64_t *done)
{
    *done = 0;
    char at[32];
    text_format_datetime(now_ms, at, sizeof(at));
    const char *saved = rec_system_begin(ctx, "case escalation");
    enum rp_err err = RP_OK;
    /* Each pass applies one level; a case that passed both points while the servers
     * were down comes up again in the next pass with its next point. */
    for (int pass = 0; pass < 2 && !err; pass++) {
        struct rec *rows;
        size_t n;
        err = service__sql_escalation_due(ctx, at, SVC_ESCALATE_BATCH, &rows, &n);
        for (size_t i = 0; i < n && !err; i++) {
            err = rec_tx_begin(ctx);
            if (!err)
                err = escalate_one(ctx, &rows[i]);
            err = rec_tx_end(ctx, err);
            if (err == RP_ESTALE || err == RP_ENOTFOUND) /* changed or deleted meanwhile */
                err = RP_OK;
            else if (!err)
                (*done)++;
        }
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err service__escalate_due(struct rec_ctx *ctx)
{
    int64_t done;
    return service_escalate(ctx, text_now_ms(), &done);
}

enum rp_err service__escalate_check(struct rec_ctx *ctx, struct rp_str payload)
{
    if (payload.len)
        return rec_bad_request(ctx, "cases.escalate takes no payload");
    return RP_OK;
}

enum rp_err service__escalate_run(struct rec_ctx *ctx, struct rp_str payload,
                                  const atomic_bool *stop, const char **result)
{
    (void)stop;
    int64_t done;
    enum rp_err err = service__escalate_check(ctx, payload);
    if (!err)
        err = service_escalate(ctx, text_now_ms(), &done);
    if (!err)
        *result = arena_printf(ctx->a, "{\"escalated\":%lld}", (long long)done);
    return err;
}
