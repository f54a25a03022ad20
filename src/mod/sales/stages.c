/* Pipeline stages: the configured steps of a deal, their outcomes, and the rules on
 * stages and on the deals that move through them. */
#include "core/common.h"

#include "core/text.h"
#include "mod/sales/sales.h"

static const struct {
    const char *key, *label, *label_zh, *probability, *order, *outcome;
} DEFAULT_STAGES[] = {
    {"prospecting", "Prospecting", "初步接洽", "10", "10", "open"},
    {"qualification", "Qualification", "需求确认", "20", "20", "open"},
    {"needs_analysis", "Needs analysis", "需求分析", "40", "30", "open"},
    {"proposal", "Proposal", "方案报价", "60", "40", "open"},
    {"negotiation", "Negotiation", "商务谈判", "80", "50", "open"},
    {"closed_won", "Closed won", "赢单", "100", "60", "won"},
    {"closed_lost", "Closed lost", "输单", "0", "70", "lost"},
};

static struct rec_input in_str(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = strlen(value)};
}

static struct rec_input in_num(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_NUMBER, .s = value,
                              .len = strlen(value)};
}

enum rp_err sales__stages(struct rec_ctx *ctx, struct rec_page *page)
{
    /* Saving a deal reads the stages twice (validation, outcome): once per transaction. */
    if (rec_memo_get(ctx, meta_need("pipeline_stages"), page))
        return RP_OK;
    struct rec_param p[] = {{RP_STR("limit"), RP_STR("500")}};
    struct rec_query *q;
    const char *saved = rec_system_begin(ctx, "pipeline stages"); /* stages are not secrets */
    enum rp_err err = rec_query_parse(ctx, meta_need("pipeline_stages"), p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, meta_need("pipeline_stages"), q, page);
    rec_system_end(ctx, saved);
    if (!err)
        rec_memo_put(ctx, meta_need("pipeline_stages"), page);
    return err;
}

const struct rec *sales__find_stage(const struct rec_page *stages, const char *key, size_t len)
{
    for (size_t i = 0; i < stages->nrows; i++) {
        const struct rec_value *k = rec_field(&stages->rows[i], "key");
        if (k->len == len && memcmp(k->s, key, len) == 0)
            return &stages->rows[i];
    }
    return NULL;
}

enum rp_err sales_outcomes(struct rec_ctx *ctx, struct sales_outcome_map *out)
{
    return sales__stages(ctx, &out->stages);
}

enum sales_outcome sales_outcome_of(const struct sales_outcome_map *m, const char *stage)
{
    const struct rec *st = sales__find_stage(&m->stages, stage, strlen(stage));
    const struct rec_value *o = st ? rec_field(st, "outcome") : NULL;
    if (o && o->len == 3 && memcmp(o->s, "won", 3) == 0)
        return SALES_WON;
    if (o && o->len == 4 && memcmp(o->s, "lost", 4) == 0)
        return SALES_LOST;
    return SALES_OPEN;
}

enum rp_err sales__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    (void)interactive;
    struct rec_page page;
    enum rp_err err = sales__stages(ctx, &page);
    for (size_t i = 0; !err && page.nrows == 0 && i < RP_NELEM(DEFAULT_STAGES); i++) {
        struct rec_input in[] = {in_str("key", DEFAULT_STAGES[i].key),
                                 in_str("label", DEFAULT_STAGES[i].label),
                                 in_str("label_zh", DEFAULT_STAGES[i].label_zh),
                                 in_num("probability", DEFAULT_STAGES[i].probability),
                                 in_num("sort_order", DEFAULT_STAGES[i].order),
                                 in_str("outcome", DEFAULT_STAGES[i].outcome)};
        struct rec r;
        err = rec_create(ctx, meta_need("pipeline_stages"), in, RP_NELEM(in), &r);
    }
    /* A database seeded before stages had a Chinese label: the default stages whose
     * label nobody changed get theirs; stages an administrator renamed keep none. */
    for (size_t i = 0; !err && i < page.nrows; i++) {
        const struct rec *st = &page.rows[i];
        const struct rec_value *k = rec_field(st, "key"), *l = rec_field(st, "label"),
                               *zh = rec_field(st, "label_zh");
        for (size_t d = 0; zh->null && d < RP_NELEM(DEFAULT_STAGES); d++) {
            if (!rp_str_eqc((struct rp_str){k->s, k->len}, DEFAULT_STAGES[d].key) ||
                !rp_str_eqc((struct rp_str){l->s, l->len}, DEFAULT_STAGES[d].label))
                continue;
            struct rec_input in[] = {in_str("label_zh", DEFAULT_STAGES[d].label_zh)};
            struct rec r;
            err = rec_update(ctx, meta_need("pipeline_stages"), rp_str_c(st->id), in,
                             RP_NELEM(in), -1, &r);
            break;
        }
    }
    return err;
}

enum rp_err sales__validate_stage(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *k = rec_field(r, "key");
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

enum rp_err sales__stage_deletable(struct rec_ctx *ctx, const struct rec *stage)
{
    const struct rec_value *k = rec_field(stage, "key");
    const char *key = arena_strndup(ctx->a, k->s, k->len);
    int64_t total = 0;
    /* Deals the caller cannot see use the stage too. */
    const char *saved = rec_system_begin(ctx, "deals in a stage");
    enum rp_err err = RP_OK;
    for (int pass = 0; pass < 2 && !err; pass++) {
        struct rec_param p[] = {{RP_STR("stage"), rp_str_c(key)},
                                {RP_STR("count"), RP_STR("true")},
                                {RP_STR("limit"), RP_STR("1")},
                                {RP_STR("deleted"), pass ? RP_STR("only") : RP_STR("false")}};
        struct rec_query *q;
        struct rec_page page;
        err = rec_query_parse(ctx, meta_need("opportunities"), p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, meta_need("opportunities"), q, &page);
        total += err ? 0 : page.total;
    }
    rec_system_end(ctx, saved);
    if (!err && total > 0)
        err = rec_fail(ctx, RP_ECONFLICT,
                       total == 1 ? "%lld deal is still in this stage: move it to another stage"
                                    " first"
                                  : "%lld deals are still in this stage: move them to another"
                                    " stage first",
                       (long long)total);
    return err;
}

enum rp_err sales__validate_opportunity(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!rec_changed(r, old, "stage"))
        return RP_OK;
    struct rec_page stages;
    enum rp_err err = sales__stages(ctx, &stages);
    if (err)
        return err;
    const struct rec_value *key = rec_field(r, "stage");
    const struct rec *stage = sales__find_stage(&stages, key->s, key->len);
    if (!stage)
        return rec_field_error(ctx, "stage", "is not one of the allowed values");
    /* A new stage brings its default probability unless the caller set one. */
    if (!rec_changed(r, old, "probability") || (!old && rec_field(r, "probability")->null)) {
        struct rec_value *p = (struct rec_value *)(uintptr_t)rec_field(r, "probability");
        *p = *rec_field(stage, "probability");
    }
    /* The change's own time (r->updated_at, which its audit rows carry). */
    struct rec_value *at = (struct rec_value *)(uintptr_t)rec_field(r, "stage_changed_at");
    *at = (struct rec_value){false, 0, r->updated_at, strlen(r->updated_at)};
    return RP_OK;
}

enum rp_err sales_stage_history(struct rec_ctx *ctx, struct rp_str opportunity_id,
                                struct sales_stage_change **rows, size_t *n)
{
    struct rec_history_row *h;
    size_t nh;
    enum rp_err err = rec_history(ctx, meta_need("opportunities"), opportunity_id, 500, &h, &nh);
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
