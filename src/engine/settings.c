#include "core/common.h"

#include "core/text.h"
#include "engine/secev.h"
#include "engine/settings.h"
#include "store/platform.h"

static const struct setting_def DEFS[] = {
    {"data_alert_threshold", 200, 0, 1000000,
     "customer records one user may open outside their team or export within the window"
     " before administrators are alerted (0: never)"},
    {"data_alert_window_minutes", 60, 1, 7 * 24 * 60,
     "the window, in minutes, over which customer records are counted for the alert"},
};

const struct setting_def *settings_defs(size_t *n)
{
    *n = RP_NELEM(DEFS);
    return DEFS;
}

static const struct setting_def *find(struct rp_str key)
{
    for (size_t i = 0; i < RP_NELEM(DEFS); i++)
        if (rp_str_eqc(key, DEFS[i].key))
            return &DEFS[i];
    return NULL;
}

enum rp_err settings_get(struct rec_ctx *ctx, const char *key, int64_t *out)
{
    const struct setting_def *d = find(rp_str_c(key));
    RP_ASSERT(d);
    const char *v;
    enum rp_err err = store_setting_get(ctx->conn, key, ctx->a, &v);
    *out = d->def;
    if (!err && v && text_parse_i64(rp_str_c(v), out))
        *out = d->def;
    return err;
}

enum rp_err settings_all(struct rec_ctx *ctx, int64_t *out)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators read the settings");
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < RP_NELEM(DEFS) && !err; i++)
        err = settings_get(ctx, DEFS[i].key, &out[i]);
    return err;
}

enum rp_err settings_update(struct rec_ctx *ctx, const struct rec_input *in, size_t n)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators change settings");
    const char **values = arena_calloc(ctx->a, n + 1, sizeof(*values));
    for (size_t i = 0; i < n; i++) {
        const struct setting_def *d = find(in[i].field);
        const char *name = arena_strndup(ctx->a, in[i].field.p, in[i].field.len);
        int64_t v = 0;
        if (!d) {
            rec_field_error(ctx, name, "is not a setting");
        } else if (in[i].kind == IN_NULL) {
            values[i] = NULL;
        } else if (in[i].kind != IN_NUMBER ||
                   text_parse_i64((struct rp_str){in[i].s, in[i].len}, &v) || v < d->min ||
                   v > d->max) {
            rec_field_error(ctx, name, "must be a whole number from %lld to %lld",
                            (long long)d->min, (long long)d->max);
        } else {
            values[i] = arena_printf(ctx->a, "%lld", (long long)v);
        }
    }
    if (ctx->nerrors)
        return RP_EINVAL;
    enum rp_err err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++) {
        const struct setting_def *d = find(in[i].field);
        const char *v = values[i] ? values[i] : arena_printf(ctx->a, "%lld", (long long)d->def);
        err = store_setting_put(ctx->conn, d->key, v);
        if (!err)
            err = secev_add(ctx, NULL, "settings_change", "setting", d->key, "success", v);
    }
    return rec_tx_end(ctx, err);
}
