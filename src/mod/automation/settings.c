/* The administrator's automation settings (GET/PATCH /api/v1/automation/settings), kept
 * in the settings table under "automation.*" keys so every server reads the same at
 * once: the allow-list of addresses outgoing requests may reach although they are
 * private, and how deliveries are retried. */
#include "core/common.h"

#include <jansson.h>

#include "api/route.h"
#include "core/netaddr.h"
#include "core/text.h"
#include "engine/secev.h"
#include "mod/automation/automation.h"
#include "store/platform.h"

static const struct {
    const char *name;
    int64_t def, min, max;   /* numbers; def -1: the allow-list (text) */
} KEYS[] = {
    {"allow_list", -1, 0, 0},
    {"retry_base_s", 10, 1, 3600},
    {"max_attempts", 10, 1, 30},
};

static enum rp_err get(struct rec_ctx *ctx, const char *name, const char **v)
{
    return store_setting_get(ctx->conn, arena_printf(ctx->a, "automation.%s", name), ctx->a, v);
}

enum rp_err au_settings_get(struct rec_ctx *ctx, struct au_settings *out)
{
    const char *v[RP_NELEM(KEYS)] = {0};
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < RP_NELEM(KEYS) && !err; i++)
        err = get(ctx, KEYS[i].name, &v[i]);
    int64_t n[RP_NELEM(KEYS)];
    for (size_t i = 1; i < RP_NELEM(KEYS); i++)
        if (!v[i] || text_parse_i64(rp_str_c(v[i]), &n[i]))
            n[i] = KEYS[i].def;
    *out = (struct au_settings){.allow = v[0] && v[0][0] ? v[0] : NULL,
                                .retry_base_s = n[1],
                                .max_attempts = n[2]};
    return err;
}

static unsigned answer(struct api_call *c)
{
    struct au_settings s;
    enum rp_err err = au_settings_get(&c->ctx, &s);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "allow_list", json_string(s.allow ? s.allow : ""));
    json_object_set_new(o, "retry_base_s", json_integer(s.retry_base_s));
    json_object_set_new(o, "max_attempts", json_integer(s.max_attempts));
    return api_json(c, 200, o);
}

unsigned au__get_settings(struct api_call *c)
{
    if (!rec_admin(&c->ctx)) {
        rec_fail(&c->ctx, RP_EFORBIDDEN, "only administrators read the automation settings");
        return api_fail(c, RP_EFORBIDDEN);
    }
    return answer(c);
}

/* The stored text of one input, or NULL after a field error. */
static const char *value_of(struct rec_ctx *ctx, size_t k, const struct rec_input *in)
{
    const char *name = KEYS[k].name;
    struct rp_str s = {in->s, in->len};
    if (KEYS[k].def >= 0) {
        int64_t n;
        if (in->kind == IN_NULL)
            return "";
        if (in->kind != IN_NUMBER || text_parse_i64(s, &n) || n < KEYS[k].min || n > KEYS[k].max) {
            rec_field_error(ctx, name, "must be a whole number from %lld to %lld",
                            (long long)KEYS[k].min, (long long)KEYS[k].max);
            return NULL;
        }
        return arena_printf(ctx->a, "%lld", (long long)n);
    }
    if (in->kind == IN_NULL)
        return "";
    if (in->kind != IN_STRING || s.len > NETADDR_MAX_ALLOW || memchr(s.p, '\0', s.len)) {
        rec_field_error(ctx, name, "must be text of at most %u characters", NETADDR_MAX_ALLOW);
        return NULL;
    }
    const char *text = arena_strndup(ctx->a, s.p, s.len), *bad;
    size_t bad_len;
    if (!netaddr_allow_valid(text, &bad, &bad_len)) {
        rec_field_error(ctx, name,
                        "\"%.*s\" is not an address, a range (10.0.0.0/8) or a host name"
                        " (at most %u entries)",
                        (int)(bad_len > 100 ? 100 : bad_len), bad, NETADDR_MAX_ENTRIES);
        return NULL;
    }
    return text;
}

unsigned au__patch_settings(struct api_call *c)
{
    struct rec_ctx *ctx = &c->ctx;
    if (!rec_admin(ctx)) {
        rec_fail(ctx, RP_EFORBIDDEN, "only administrators change the automation settings");
        return api_fail(c, RP_EFORBIDDEN);
    }
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    const char **values = arena_calloc(ctx->a, n + 1, sizeof(*values));
    size_t *keys = arena_calloc(ctx->a, n + 1, sizeof(*keys));
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < RP_NELEM(KEYS) && !rp_str_eqc(in[i].field, KEYS[k].name))
            k++;
        if (k == RP_NELEM(KEYS)) {
            rec_field_error(ctx, arena_strndup(ctx->a, in[i].field.p, in[i].field.len),
                            "is not an automation setting");
            continue;
        }
        keys[i] = k;
        values[i] = value_of(ctx, k, &in[i]);
    }
    if (ctx->nerrors)
        return api_fail(c, RP_EINVAL);
    enum rp_err err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++) {
        const char *key = arena_printf(ctx->a, "automation.%s", KEYS[keys[i]].name);
        err = store_setting_put(ctx->conn, key, values[i]);
        if (!err)
            err = secev_add(ctx, NULL, "settings_change", "setting", key, "success", values[i]);
    }
    err = rec_tx_end(ctx, err);
    return err ? api_fail(c, err) : answer(c);
}
