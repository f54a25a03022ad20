/* Tiering (MISSION 1): accounts ranked A/B/C by won revenue, the 80/20 rule, so reps
 * know where to focus. Recomputed for all accounts together: by the accounts.retier
 * schedule once a day as the window slides and at once after a won deal changed, and
 * by the accounts.retier job. */
#include "core/common.h"

#include <stdatomic.h>

#include "core/text.h"
#include "engine/acl.h"
#include "engine/jobs.h"
#include "mod/sales/sales.h"

static struct rec_input in_str(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = strlen(value)};
}

enum rp_err sales_retier(struct rec_ctx *ctx, int64_t window_days, int64_t *changed)
{
    *changed = 0;
    if (window_days < 1 || window_days > 3660)
        return rec_bad_request(ctx, "window_days must be between 1 and 3660");
    /* Tiers rank every account: for those who may edit more than their own. */
    if (rec_scope(ctx, meta_need("accounts"), ACL_EDIT) < SCOPE_TEAM)
        return rec_fail(ctx, RP_EFORBIDDEN,
                        "only administrators and managers (who edit their teams' accounts)"
                        " retier accounts");
    char since[32];
    text_format_date(text_now_ms() / 86400000 - window_days, since, sizeof(since));
    /* Ranked on a read snapshot, outside the write transaction: the ranking reads every
     * won deal, and writers need not wait for it. A deal saved meanwhile marks the
     * tiers stale again (sales_after_save_opportunity). */
    const char **ids, **tiers;
    size_t n;
    enum rp_err err = sales__sql_tier_changes(ctx, since, &ids, &tiers, &n);
    /* Tiering is the system's work on every account, visible or not. Written in
     * transactions of RP_RETIER_BATCH accounts, so other writers get their turn
     * between them (tiers are derived: a later run finishes what a failed one left). */
    const struct entity_def *accounts = meta_need("accounts");
    const char *saved = rec_system_begin(ctx, "account tiers");
    for (size_t done = 0; done < n && !err;) {
        err = rec_tx_begin(ctx);
        if (err)
            break;
        for (size_t k = 0; k < RP_RETIER_BATCH && done < n && !err; k++, done++) {
            struct rec_input in = in_str("tier_computed", tiers[done]);
            struct rec r;
            err = rec_update(ctx, accounts, rp_str_c(ids[done]), &in, 1, -1, &r);
            if (err == RP_ENOTFOUND) /* deleted since it was ranked */
                err = RP_OK;
            else if (!err)
                (*changed)++;
        }
        err = rec_tx_end(ctx, err);
    }
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err sales__tiers_touched(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    struct sales_outcome_map map;
    enum rp_err err = sales_outcomes(ctx, &map);
    if (err)
        return err;
    bool won_now = sales_outcome_of(&map, rec_field(r, "stage")->s) == SALES_WON;
    bool won_before = old && sales_outcome_of(&map, rec_field(old, "stage")->s) == SALES_WON;
    bool relevant = won_now != won_before ||
                    (won_now && (rec_changed(r, old, "amount") || rec_changed(r, old, "account_id") ||
                                 rec_changed(r, old, "expected_close_date")));
    /* The tiers' schedule runs on the next round of any server. */
    return relevant ? jobs_schedule_soon(ctx, "accounts.retier") : RP_OK;
}

static enum rp_err parse_window(struct rec_ctx *ctx, struct rp_str payload, int64_t *days)
{
    *days = SALES_TIER_WINDOW_DAYS;
    if (payload.len && text_parse_i64(payload, days))
        return rec_bad_request(ctx, "accounts.retier takes the window in days as its payload");
    if (*days < 1 || *days > 3660)
        return rec_bad_request(ctx, "window_days must be between 1 and 3660");
    return RP_OK;
}

enum rp_err sales__retier_check(struct rec_ctx *ctx, struct rp_str payload)
{
    int64_t days;
    return parse_window(ctx, payload, &days);
}

enum rp_err sales__retier_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                              const char **result)
{
    (void)stop;
    int64_t days, changed;
    enum rp_err err = parse_window(ctx, payload, &days);
    if (!err)
        err = sales_retier(ctx, days, &changed);
    if (!err)
        *result = arena_printf(ctx->a, "{\"changed\":%lld,\"window_days\":%lld}",
                               (long long)changed, (long long)days);
    return err;
}

enum rp_err sales__retier_due(struct rec_ctx *ctx)
{
    int64_t changed;
    return sales_retier(ctx, SALES_TIER_WINDOW_DAYS, &changed);
}
