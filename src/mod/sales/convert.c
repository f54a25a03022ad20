/* Lead conversion: a qualified lead becomes an account (or joins one), a contact and
 * optionally an opportunity, in one transaction. */
#include "core/common.h"

#include "core/text.h"
#include "mod/sales/sales.h"

static struct rec_input in_str(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = value ? strlen(value) : 0};
}

/* Copies a lead field into an input for another entity's field. */
static void copy(const struct rec *lead, const char *from, const char *to, struct rec_input *in,
                 size_t *n)
{
    const struct rec_value *v = rec_field(lead, from);
    if (v->null)
        return;
    in[(*n)++] = (struct rec_input){.field = rp_str_c(to), .kind = IN_STRING, .s = v->s,
                                    .len = v->len};
}

static enum rp_err convert(struct rec_ctx *ctx, const struct rec *lead,
                           const struct sales_conversion *conv, struct sales_converted *out)
{
    struct rec acc, con, opp;
    enum rp_err err;
    if (conv->account_id.len) {
        err = rec_get(ctx, meta_need("accounts"), conv->account_id, &acc);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "account_id", "no account with this id");
    } else {
        struct rec_input in[16];
        size_t n = 0;
        const struct rec_value *company = rec_field(lead, "company");
        if (company->null) {
            const struct rec_value *first = rec_field(lead, "first_name"),
                                   *last = rec_field(lead, "last_name");
            struct rp_str given = first->null ? RP_STR("") : (struct rp_str){first->s, first->len};
            const char *name = text_person_name(ctx->a, given, (struct rp_str){last->s, last->len});
            in[n++] = in_str("name", name);
        } else {
            copy(lead, "company", "name", in, &n);
        }
        copy(lead, "phone", "phone", in, &n);
        copy(lead, "email", "email", in, &n);
        copy(lead, "website", "website", in, &n);
        copy(lead, "street", "billing_street", in, &n);
        copy(lead, "city", "billing_city", in, &n);
        copy(lead, "state", "billing_state", in, &n);
        copy(lead, "postcode", "billing_postcode", in, &n);
        copy(lead, "country", "billing_country", in, &n);
        in[n++] = in_str("type", "customer");
        err = rec_create(ctx, meta_need("accounts"), in, n, &acc);
    }
    if (err)
        return err;
    if (conv->contact_id.len) {
        err = rec_get(ctx, meta_need("contacts"), conv->contact_id, &con);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "contact_id", "no contact with this id");
    } else {
        struct rec_input in[20];
        size_t n = 0;
        static const char *const SAME[] = {"salutation", "first_name", "last_name", "title",
                                           "email",      "street",     "city",      "state",
                                           "postcode",   "country",    "description"};
        for (size_t i = 0; i < RP_NELEM(SAME); i++)
            copy(lead, SAME[i], SAME[i], in, &n);
        copy(lead, "phone", "phone_work", in, &n);
        copy(lead, "mobile", "phone_mobile", in, &n);
        copy(lead, "source", "lead_source", in, &n);
        in[n++] = in_str("account_id", acc.id);
        err = rec_create(ctx, meta_need("contacts"), in, n, &con);
    }
    if (err)
        return err;
    out->account_id = acc.id;
    out->contact_id = con.id;
    out->opportunity_id = NULL;
    if (conv->create_opportunity) {
        size_t n = conv->nopportunity;
        struct rec_input *in = arena_calloc(ctx->a, n + 3, sizeof(*in));
        memcpy(in, conv->opportunity, n * sizeof(*in));
        in[n++] = in_str("account_id", acc.id);
        in[n++] = in_str("contact_id", con.id);
        const struct rec_value *src = rec_field(lead, "source");
        bool has_source = false;
        for (size_t i = 0; i < conv->nopportunity; i++)
            has_source = has_source || rp_str_eqc(in[i].field, "lead_source");
        if (!src->null && !has_source)
            in[n++] = (struct rec_input){.field = RP_STR("lead_source"), .kind = IN_STRING,
                                         .s = src->s, .len = src->len};
        err = rec_create(ctx, meta_need("opportunities"), in, n, &opp);
        if (err)
            return err;
        out->opportunity_id = opp.id;
    }
    struct rec_input mark[4];
    size_t n = 0;
    mark[n++] = in_str("status", "converted");
    mark[n++] = in_str("converted_account_id", out->account_id);
    mark[n++] = in_str("converted_contact_id", out->contact_id);
    if (out->opportunity_id)
        mark[n++] = in_str("converted_opportunity_id", out->opportunity_id);
    struct rec updated;
    /* The conversion links are read-only to clients: the system sets them, after the
     * caller's own rights were checked on the lead (rec_get) and on what was created. */
    err = rec_check_action(ctx, meta_need("leads"), lead, ACL_EDIT, MSG("convert"));
    if (err)
        return err;
    const char *saved = rec_system_begin(ctx, "lead conversion");
    err = rec_update(ctx, meta_need("leads"), rp_str_c(lead->id), mark, n, lead->version, &updated);
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err sales_convert_lead(struct rec_ctx *ctx, struct rp_str lead_id,
                               const struct sales_conversion *conv, struct sales_converted *out)
{
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec lead;
    err = rec_get(ctx, meta_need("leads"), lead_id, &lead);
    if (!err) {
        const struct rec_value *status = rec_field(&lead, "status");
        if (!rec_field(&lead, "converted_at")->null ||
            (status->len == 9 && memcmp(status->s, "converted", 9) == 0))
            err = rec_fail(ctx, RP_ECONFLICT, "this lead was converted already");
    }
    if (!err)
        err = convert(ctx, &lead, conv, out);
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}

enum rp_err sales__validate_lead(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *st = rec_field(r, "status");
    bool converted = st->len == 9 && memcmp(st->s, "converted", 9) == 0;
    if (converted && rec_changed(r, old, "status") && !ctx->system)
        return rec_field_error(ctx, "status", "is set by converting the lead");
    if (converted && rec_changed(r, old, "status")) {
        /* The conversion's own time, as its audit rows. */
        struct rec_value *at = (struct rec_value *)(uintptr_t)rec_field(r, "converted_at");
        *at = (struct rec_value){false, 0, r->updated_at, strlen(r->updated_at)};
    }
    return RP_OK;
}
