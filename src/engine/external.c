/* Upserts by another system's key (EF_EXTERNAL_ID): an ERP or a trading system keeps
 * its orders, products and prices current in the CRM by its own numbers, sending the
 * same call as often as it likes. */
#include "core/common.h"

#include "core/text.h"
#include "engine/rec.h"

/* The live record holding the key that the caller reads, if any (found false). */
static enum rp_err find(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                        struct rec *out, bool *found)
{
    const struct rec_param p[] = {{RP_STR("external_id"), key}, {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    *found = !err && page.nrows == 1;
    if (*found)
        *out = page.rows[0];
    return err;
}

/* One attempt in one transaction. */
static enum rp_err attempt(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                           const struct rec_input *in, size_t n, struct rec *out, bool *created)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    bool found = false;
    struct rec cur;
    if (!(err = find(ctx, e, key, &cur, &found)) && found) {
        *created = false;
        err = rec_update(ctx, e, rp_str_c(cur.id), in, n, -1, out);
    } else if (!err) {
        struct rec_input *all = arena_calloc(ctx->a, n + 1, sizeof(*all));
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!rp_str_eqc(in[i].field, "external_id"))
                all[k++] = in[i];
        all[k++] = (struct rec_input){.field = RP_STR("external_id"), .kind = IN_STRING,
                                      .s = key.p, .len = key.len};
        *created = true;
        err = rec_create(ctx, e, all, k, out);
    }
    return rec_tx_end(ctx, err);
}

enum rp_err rec_upsert_external(struct rec_ctx *ctx, const struct entity_def *e,
                                struct rp_str external, const struct rec_input *in, size_t n,
                                struct rec *out, bool *created)
{
    const struct field_def *f = meta_field(e, RP_STR("external_id"));
    RP_ASSERT((e->flags & EF_EXTERNAL_ID) && f);
    if (!external.len || !text_utf8_valid(external) || text_utf8_len(external) > meta_maxlen(f))
        return rec_field_error(ctx, "external_id", "must be text of 1 to %u characters",
                               meta_maxlen(f));
    for (size_t i = 0; i < n; i++)
        if (rp_str_eqc(in[i].field, "external_id") &&
            (in[i].kind != IN_STRING || in[i].len != external.len ||
             memcmp(in[i].s, external.p, external.len) != 0))
            return rec_field_error(ctx, "external_id", "is the one in the path: it cannot change");
    enum rp_err err = attempt(ctx, e, external, in, n, out, created);
    /* Another caller created the record between the look-up and the insert: it is there
     * now, and this call updates it. */
    if (err == RP_ECONFLICT && *created) {
        ctx->nerrors = 0;
        ctx->detail = NULL;
        ctx->problem = (struct rec_problem){0};
        err = attempt(ctx, e, external, in, n, out, created);
    }
    return err;
}
