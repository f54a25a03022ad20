#include "core/common.h"

#include <sodium.h>

#include "core/text.h"
#include "engine/acl.h"
#include "engine/idem.h"

static void hash_part(crypto_generichash_state *st, const char *p, size_t len)
{
    uint64_t n = len; /* length-prefixed, so parts cannot run into each other */
    crypto_generichash_update(st, (const unsigned char *)&n, sizeof(n));
    crypto_generichash_update(st, (const unsigned char *)p, len);
}

static const char *fingerprint(struct arena *a, const char *method, struct rp_str path,
                               struct rp_str body)
{
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    hash_part(&st, method, strlen(method));
    hash_part(&st, path.p, path.len);
    hash_part(&st, body.p, body.len);
    crypto_generichash_final(&st, h, sizeof(h));
    char *out = arena_alloc(a, 2 * sizeof(h) + 1);
    text_hex(h, sizeof(h), out);
    return out;
}

enum rp_err idem_begin(struct rec_ctx *ctx, struct rp_str key, const char *method,
                       struct rp_str path, struct rp_str body, struct idem *st,
                       bool *replayed)
{
    *replayed = false;
    memset(st, 0, sizeof(*st));
    if (key.len == 0 || key.len > RP_MAX_IDEMPOTENCY_KEY)
        return rec_bad_request(ctx, "Idempotency-Key must be 1 to %u characters",
                               RP_MAX_IDEMPOTENCY_KEY);
    for (size_t i = 0; i < key.len; i++)
        if (key.p[i] < 0x21 || key.p[i] > 0x7e)
            return rec_bad_request(ctx, "Idempotency-Key must be printable ASCII");
    RP_ASSERT(ctx->who);
    st->key = arena_strndup(ctx->a, key.p, key.len);
    st->fingerprint = fingerprint(ctx->a, method, path, body);
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    err = store_idem_get(ctx->conn, ctx->who->user_id, st->key, ctx->a, &st->replay);
    if (err == RP_ENOTFOUND)
        return RP_OK; /* the transaction stays open for the write */
    if (!err && strcmp(st->replay.fingerprint, st->fingerprint) != 0)
        err = rec_field_error(ctx, "Idempotency-Key",
                              "was already used for another request; use a new key");
    *replayed = !err;
    /* Nothing was written: closing with an error only rolls the read back. */
    rec_tx_end(ctx, RP_ECONFLICT);
    return err;
}

enum rp_err idem_end(struct rec_ctx *ctx, struct idem *st, enum rp_err err, unsigned status,
                     const char *location, const char *etag, const char *body)
{
    if (!err) {
        struct store_idem row = {st->fingerprint, status, location, etag, body};
        err = store_idem_put(ctx->conn, ctx->who->user_id, st->key, &row, text_now_ms());
    }
    return rec_tx_end(ctx, err);
}
