/* The administrator's mail settings, kept in the settings table under "mail.*" keys so
 * every server reads the same at once; the SMTP password sealed under the secret key
 * (secret.c) and never handed out. */
#include "core/common.h"

#include "core/text.h"
#include "engine/secev.h"
#include "mod/mail/mail.h"

enum kind { K_TEXT, K_ADDRESS, K_NUMBER, K_BOOL, K_SECURITY, K_PASSWORD };

struct key {
    const char *name;        /* the input's name; "mail." + it in the table */
    enum kind kind;
    int64_t min, max;        /* numbers */
    unsigned maxlen;         /* texts */
};

static const struct key KEYS[] = {
    {"host", K_TEXT, 0, 0, 255},
    {"port", K_NUMBER, 1, 65535, 0},
    {"security", K_SECURITY, 0, 0, 0},
    {"user", K_TEXT, 0, 0, 255},
    {"password", K_PASSWORD, 0, 0, 255},
    {"from_address", K_ADDRESS, 0, 0, MAIL_MAX_ADDRESS},
    {"from_name", K_TEXT, 0, 0, 100},
    {"per_user_from", K_BOOL, 0, 0, 0},
    {"domain_per_minute", K_NUMBER, 0, 100000, 0},
    {"retry_base_s", K_NUMBER, 1, 86400, 0},
    {"max_attempts", K_NUMBER, 1, 50, 0},
    {"timeout_s", K_NUMBER, 1, 300, 0},
};

static const char *const SECURITY[] = {"none", "starttls", "tls"};

static const struct key *find(struct rp_str name)
{
    for (size_t i = 0; i < RP_NELEM(KEYS); i++)
        if (rp_str_eqc(name, KEYS[i].name))
            return &KEYS[i];
    return NULL;
}

static enum rp_err get(struct rec_ctx *ctx, const char *name, const char **v)
{
    return store_setting_get(ctx->conn, arena_printf(ctx->a, "mail.%s", name), ctx->a, v);
}

static int64_t number(const char *v, int64_t def)
{
    int64_t n;
    return v && !text_parse_i64(rp_str_c(v), &n) ? n : def;
}

enum rp_err mail_settings_get(struct rec_ctx *ctx, struct mail_settings *out)
{
    *out = (struct mail_settings){0};
    const char *v[RP_NELEM(KEYS)] = {0};
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < RP_NELEM(KEYS) && !err; i++)
        err = get(ctx, KEYS[i].name, &v[i]);
    if (err)
        return err;
    out->host = v[0] && v[0][0] ? v[0] : NULL;
    out->security = MAIL_SEC_NONE;
    for (size_t i = 0; v[2] && i < RP_NELEM(SECURITY); i++)
        if (strcmp(v[2], SECURITY[i]) == 0)
            out->security = (enum mail_security)i;
    out->port = number(v[1], out->security == MAIL_SEC_TLS ? 465 : 587);
    out->user = v[3] && v[3][0] ? v[3] : NULL;
    out->has_password = v[4] && v[4][0];
    unsigned char key[32];
    if (out->has_password && !mail_secret_key(key)) {
        if (mail_open(ctx->a, key, v[4], &out->password))
            out->password = NULL;
        buf_wipe(key, sizeof(key));
    }
    out->from_address = v[5] && v[5][0] ? v[5] : NULL;
    out->from_name = v[6] && v[6][0] ? v[6] : NULL;
    out->per_user_from = v[7] && strcmp(v[7], "true") == 0;
    out->domain_per_minute = number(v[8], 0);
    out->retry_base_s = number(v[9], 60);
    out->max_attempts = number(v[10], 8);
    out->timeout_s = number(v[11], 30);
    return RP_OK;
}

/* The stored text of one input, or a field error. */
static const char *value_of(struct rec_ctx *ctx, const struct key *k, const struct rec_input *in,
                            const unsigned char *key, bool has_key)
{
    const char *name = k->name;
    struct rp_str s = {in->s, in->len};
    if (in->kind == IN_NULL)
        return "";
    switch (k->kind) {
    case K_NUMBER: {
        int64_t n;
        if (in->kind != IN_NUMBER || text_parse_i64(s, &n) || n < k->min || n > k->max) {
            rec_field_error(ctx, name, "must be a whole number from %lld to %lld",
                            (long long)k->min, (long long)k->max);
            return NULL;
        }
        return arena_printf(ctx->a, "%lld", (long long)n);
    }
    case K_BOOL:
        if (in->kind != IN_BOOL) {
            rec_field_error(ctx, name, "must be true or false");
            return NULL;
        }
        return in->b ? "true" : "false";
    case K_SECURITY:
        for (size_t i = 0; in->kind == IN_STRING && i < RP_NELEM(SECURITY); i++)
            if (rp_str_eqc(s, SECURITY[i]))
                return SECURITY[i];
        rec_field_error(ctx, name, "must be none, starttls or tls");
        return NULL;
    case K_TEXT:
    case K_ADDRESS:
    case K_PASSWORD:
        break;
    }
    if (in->kind != IN_STRING) {
        rec_field_error(ctx, name, "must be text");
        return NULL;
    }
    if (text_utf8_len(s) > k->maxlen) {
        rec_field_error(ctx, name, "is longer than %u characters", k->maxlen);
        return NULL;
    }
    if (!mail_header_safe(s.p, s.len)) {
        rec_field_error(ctx, name, "must not hold line breaks or control characters");
        return NULL;
    }
    if (k->kind == K_ADDRESS && s.len && !mail_addr_valid(s.p, s.len)) {
        rec_field_error(ctx, name, "is not an e-mail address");
        return NULL;
    }
    if (k->kind != K_PASSWORD || s.len == 0)
        return arena_strndup(ctx->a, s.p, s.len);
    if (!has_key) {
        rec_field_error(ctx, name,
                        "cannot be kept: the server has no secret key (set "
                        "RAPPORT_SECRET_KEY or a key file, see the operations guide)");
        return NULL;
    }
    const char *plain = arena_strndup(ctx->a, s.p, s.len), *sealed = NULL;
    arena_on_release(ctx->a, buf_wipe_cstr, (void *)(uintptr_t)plain);
    if (mail_seal(ctx->a, key, plain, &sealed))
        rec_field_error(ctx, name, "could not be encrypted");
    return sealed;
}

enum rp_err mail_settings_update(struct rec_ctx *ctx, const struct rec_input *in, size_t n)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators change the mail settings");
    unsigned char key[32];
    enum rp_err kerr = mail_secret_key(key);
    const char **values = arena_calloc(ctx->a, n + 1, sizeof(*values));
    for (size_t i = 0; i < n; i++) {
        const struct key *k = find(in[i].field);
        if (!k)
            rec_field_error(ctx, arena_strndup(ctx->a, in[i].field.p, in[i].field.len),
                            "is not a mail setting");
        else
            values[i] = value_of(ctx, k, &in[i], key, kerr == RP_OK);
    }
    buf_wipe(key, sizeof(key));
    if (ctx->nerrors)
        return RP_EINVAL;
    enum rp_err err = rec_tx_begin(ctx);
    for (size_t i = 0; i < n && !err; i++) {
        const struct key *k = find(in[i].field);
        const char *table_key = arena_printf(ctx->a, "mail.%s", k->name);
        err = store_setting_put(ctx->conn, table_key, values[i]);
        /* The log says what changed, never a password. */
        if (!err)
            err = secev_add(ctx, NULL, "settings_change", "setting", table_key, "success",
                            k->kind == K_PASSWORD ? (values[i][0] ? "set" : "cleared") : values[i]);
    }
    return rec_tx_end(ctx, err);
}
