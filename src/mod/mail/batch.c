/* A mailing in one request: POST /api/v1/mail/batch writes up to MAIL_MAX_BATCH
 * messages to the outbox in one transaction — each exactly as POST /emails would
 * (permissions, composing from its template and records, checks, hooks), all or none.
 * Members of the body other than "messages" are every message's defaults (a template,
 * a subject); a message's own members win. The mailing queues one mail.send job per
 * MAIL_SEND_BATCH messages: each job sends that many. */
#include "core/common.h"

#include "api/route.h"
#include "mod/mail/mail.h"

/* The messages' fields an error names: "messages[3].to_addresses". */
static void name_errors(struct rec_ctx *ctx, size_t from, size_t i)
{
    for (size_t k = from; k < ctx->nerrors; k++)
        ctx->errors[k].field = arena_printf(ctx->a, "messages[%zu].%s", i, ctx->errors[k].field);
}

/* Writes message i: the defaults with its own members over them. */
static enum rp_err write_one(struct api_call *c, json_t *defaults, json_t *item, size_t i,
                             const char **id)
{
    struct rec_ctx *ctx = &c->ctx;
    if (!json_is_object(item))
        return rec_field_error(ctx, arena_printf(ctx->a, "messages[%zu]", i),
                               "must be an object of e-mail fields");
    json_t *m = json_copy(defaults);
    if (!m || json_object_update(m, item)) {
        json_decref(m);
        return RP_ENOMEM;
    }
    struct rec_input *in;
    size_t n, errors = ctx->nerrors;
    api_inputs(c, m, &in, &n);
    struct rec r;
    enum rp_err err = ctx->nerrors ? RP_EINVAL
                                   : rec_create(ctx, meta_need("emails"), in, n, &r);
    json_decref(m);
    if (err == RP_EINVAL)
        name_errors(ctx, errors, i);
    *id = err ? NULL : r.id;
    return err;
}

unsigned mail__post_batch(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_ctx *ctx = &c->ctx;
    json_t *msgs = json_object_get(root, "messages");
    size_t n = json_array_size(msgs);
    if (!json_is_array(msgs) || n == 0)
        rec_field_error(ctx, "messages", "give a list of messages");
    else if (n > MAIL_MAX_BATCH)
        rec_field_error(ctx, "messages", "holds more than %u messages", MAIL_MAX_BATCH);
    if (ctx->nerrors)
        return api_fail(c, RP_EINVAL);
    json_t *defaults = json_copy(root);
    if (!defaults)
        return api_fail(c, RP_ENOMEM);
    json_object_del(defaults, "messages");
    json_t *ids = json_array();
    enum rp_err err = rec_tx_begin(ctx);
    if (!err) {
        mail__batch_begin();
        for (size_t i = 0; i < n && !err; i++) {
            const char *id = NULL;
            err = write_one(c, defaults, json_array_get(msgs, i), i, &id);
            if (!err)
                json_array_append_new(ids, json_string(id));
        }
        mail__batch_end();
        err = rec_tx_end(ctx, err);
    }
    json_decref(defaults);
    if (err) {
        json_decref(ids);
        return api_fail(c, err);
    }
    json_t *o = json_object();
    json_object_set_new(o, "created", json_integer((json_int_t)n));
    json_object_set_new(o, "ids", ids);
    return api_json(c, 201, o);
}
