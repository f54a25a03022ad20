/* Idempotency keys (draft-ietf-httpapi-idempotency-key-header): a client that sends
 * `Idempotency-Key` with a write may retry it after a timeout or a crash and gets the
 * first answer again instead of a second write. The answer is stored in the write's own
 * transaction, so either both the write and its answer are committed or neither is. */
#ifndef RP_ENGINE_IDEM_H
#define RP_ENGINE_IDEM_H

#include "engine/rec.h"
#include "store/platform.h"

struct idem {
    const char *key;          /* NULL: the request had no key */
    const char *fingerprint;
    struct store_idem replay; /* the stored answer, when idem_begin found one */
};

/* Starts a keyed write for the caller: validates the key (1 to 255 printable ASCII
 * characters, else RP_EINVAL with a detail), opens the write transaction and looks
 * the key up. With a stored answer for the same method, path and body, *replayed is
 * true, st->replay holds it and the transaction is closed. The same key with another
 * request is RP_EINVAL (422 in the API). Otherwise the transaction stays open for the
 * write; idem_end must follow. */
enum rp_err idem_begin(struct rec_ctx *ctx, struct rp_str key, const char *method,
                       struct rp_str path, struct rp_str body, struct idem *st,
                       bool *replayed);
/* Stores the answer (when err is RP_OK) and commits, or rolls back when err is set:
 * failed writes change nothing, so a retry runs again. Returns err or the store's. */
enum rp_err idem_end(struct rec_ctx *ctx, struct idem *st, enum rp_err err, unsigned status,
                     const char *location, const char *etag, const char *body);

#endif
