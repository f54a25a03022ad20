/* A quote's arithmetic, in integer minor units: no floating point anywhere, every
 * product checked for overflow, one rounding rule (per line, half away from zero). */
#include "core/common.h"

#include "mod/commerce/commerce.h"

int64_t cm_apply_bp(int64_t num, int64_t bp)
{
    RP_ASSERT(bp >= 0 && bp <= CM_BP);
    /* num = q × 10000 + r: q × bp is exact and fits (|q × bp| <= |num|); r × bp < 10^8
     * carries the fraction, rounded half away from zero. */
    int64_t q = num / CM_BP, r = num % CM_BP;
    int64_t frac = r * bp;
    int64_t whole = frac / CM_BP, rest = frac % CM_BP;
    if (rest >= CM_BP / 2)
        whole++;
    else if (rest <= -CM_BP / 2)
        whole--;
    return q * bp + whole;
}

enum rp_err cm_price_line(const struct cm_line_in *in, struct cm_line_out *out)
{
    *out = (struct cm_line_out){0};
    if (in->quantity < 1 || in->quantity > CM_MAX_QUANTITY || in->unit_price < 0 ||
        in->unit_price > META_MONEY_MAX || in->discount_bp < 0 || in->discount_bp > CM_BP ||
        in->discount_amount < 0 || in->tax_bp < 0 || in->tax_bp > CM_BP ||
        (in->discount_bp && in->discount_amount))
        return RP_EINVAL;
    int64_t gross;
    if (__builtin_mul_overflow(in->quantity, in->unit_price, &gross) || gross > META_MONEY_MAX)
        return RP_ERANGE;
    if (in->discount_amount > gross)
        return RP_EINVAL;
    out->gross = gross;
    out->discount = in->discount_amount ? in->discount_amount : cm_apply_bp(gross, in->discount_bp);
    out->net = gross - out->discount;
    out->tax = cm_apply_bp(out->net, in->tax_bp);
    out->total = out->net + out->tax;
    return out->total > META_MONEY_MAX ? RP_ERANGE : RP_OK;
}

enum rp_err cm_add_line(struct cm_totals *t, const struct cm_line_out *l)
{
    t->gross += l->gross;
    t->discount += l->discount;
    t->net += l->net;
    t->tax += l->tax;
    t->total += l->total;
    /* Each figure of a line is at most META_MONEY_MAX (INT64_MAX / 1000), so a sum of
     * two stays far inside int64 and is checked at every step. */
    return t->gross > META_MONEY_MAX || t->total > META_MONEY_MAX ? RP_ERANGE : RP_OK;
}
