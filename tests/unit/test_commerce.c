/* The commerce module's pure parts: a quote's arithmetic against an independent
 * oracle over thousands of random quotes (amounts as a currency with 0, 2 or 3
 * decimals would have them, discounts as rates and amounts, taxes), its edges, and
 * the choice of a price list, rule by rule and at a tie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../src/mod/commerce/money.c"

/* The oracle: 128-bit integers, and half away from zero written as a comparison of
 * twice the remainder with the divisor, not as money.c's split of the numerator. */
__extension__ typedef __int128 wide;

static int64_t oracle_bp(int64_t num, int64_t bp)
{
    wide p = (wide)num * bp, q = p / 10000, r = p % 10000;
    if (r < 0)
        r = -r;
    if (2 * r >= 10000)
        q += p < 0 ? -1 : 1;
    return (int64_t)q;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t below(int64_t n)
{
    return (int64_t)(next() % (uint64_t)n);
}

static void test_apply_bp_matches_the_oracle(void **state)
{
    (void)state;
    static const int64_t EDGES[] = {0, 1, -1, 5, -5, 49, 50, 51, 9999, 10000, 10001, -10001,
                                    META_MONEY_MAX, -META_MONEY_MAX, INT64_MAX / 10000};
    static const int64_t RATES[] = {0, 1, 5000, 9999, 10000, 1300, 650, 1};
    for (size_t i = 0; i < RP_NELEM(EDGES); i++)
        for (size_t k = 0; k < RP_NELEM(RATES); k++)
            assert_int_equal(cm_apply_bp(EDGES[i], RATES[k]), oracle_bp(EDGES[i], RATES[k]));
    for (int i = 0; i < 200000; i++) {
        int64_t num = below(2 * META_MONEY_MAX) - META_MONEY_MAX, bp = below(CM_BP + 1);
        assert_int_equal(cm_apply_bp(num, bp), oracle_bp(num, bp));
    }
    /* Halves go away from zero: 0.01 at 50 % is 0.01, -0.01 at 50 % is -0.01. */
    assert_int_equal(cm_apply_bp(1, 5000), 1);
    assert_int_equal(cm_apply_bp(-1, 5000), -1);
    assert_int_equal(cm_apply_bp(3, 5000), 2);
    assert_int_equal(cm_apply_bp(1, 4999), 0);
}

/* A random quote's lines, priced by cm_price_line and summed by cm_add_line, against
 * the oracle line by line and in total. `decimals`: the currency's minor units, which
 * set how large amounts run (yen have none, dinars three). */
static void random_quote(int decimals)
{
    int64_t unit = decimals == 0 ? 1 : decimals == 2 ? 100 : 1000;
    struct cm_totals t = {0};
    wide gross = 0, disc = 0, tax = 0, total = 0;
    int64_t lines = 1 + below(50);
    for (int64_t i = 0; i < lines; i++) {
        struct cm_line_in in = {.quantity = 1 + below(i % 7 == 0 ? 100000 : 50),
                                .unit_price = below(50000 * unit) + below(unit),
                                .tax_bp = below(4) == 0 ? 0 : below(3001)};
        if (below(3) == 0)
            in.discount_bp = below(CM_BP + 1);
        else if (below(3) == 0)
            in.discount_amount = below(in.quantity * in.unit_price + 1);
        struct cm_line_out out;
        assert_int_equal(cm_price_line(&in, &out), RP_OK);
        wide g = (wide)in.quantity * in.unit_price;
        wide d = in.discount_amount ? in.discount_amount : oracle_bp((int64_t)g, in.discount_bp);
        wide x = oracle_bp((int64_t)(g - d), in.tax_bp);
        assert_true(out.gross == g && out.discount == d && out.net == g - d && out.tax == x &&
                    out.total == g - d + x);
        assert_int_equal(cm_add_line(&t, &out), RP_OK);
        gross += g;
        disc += d;
        tax += x;
        total += g - d + x;
    }
    assert_true(t.gross == gross && t.discount == disc && t.tax == tax && t.total == total &&
                t.net == gross - disc);
}

static void test_random_quotes_match_the_oracle(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++)
        random_quote((int[]){0, 2, 3}[i % 3]);
}

static void test_line_bounds(void **state)
{
    (void)state;
    struct cm_line_out out;
    struct cm_line_in ok = {.quantity = 3, .unit_price = 1999, .discount_bp = 1000, .tax_bp = 1300};
    assert_int_equal(cm_price_line(&ok, &out), RP_OK);
    /* 59.97 less 10 % (6.00, from 5.997) = 53.97; 13 % tax of it 7.02 (7.0161). */
    assert_int_equal(out.gross, 5997);
    assert_int_equal(out.discount, 600);
    assert_int_equal(out.net, 5397);
    assert_int_equal(out.tax, 702);
    assert_int_equal(out.total, 6099);
    struct cm_line_in bad = ok;
    bad.quantity = 0;
    assert_int_equal(cm_price_line(&bad, &out), RP_EINVAL);
    bad = ok;
    bad.discount_amount = 5; /* and a rate: one or the other */
    assert_int_equal(cm_price_line(&bad, &out), RP_EINVAL);
    bad = ok;
    bad.discount_bp = 0;
    bad.discount_amount = 5998; /* more than the line */
    assert_int_equal(cm_price_line(&bad, &out), RP_EINVAL);
    bad = ok;
    bad.tax_bp = CM_BP + 1;
    assert_int_equal(cm_price_line(&bad, &out), RP_EINVAL);
    bad = ok;
    bad.unit_price = -1;
    assert_int_equal(cm_price_line(&bad, &out), RP_EINVAL);
    struct cm_line_in big = {.quantity = CM_MAX_QUANTITY, .unit_price = META_MONEY_MAX};
    assert_int_equal(cm_price_line(&big, &out), RP_ERANGE);
    big = (struct cm_line_in){.quantity = 1, .unit_price = META_MONEY_MAX, .tax_bp = 1};
    assert_int_equal(cm_price_line(&big, &out), RP_ERANGE); /* the tax takes it past */
    struct cm_totals t = {0};
    big.tax_bp = 0;
    assert_int_equal(cm_price_line(&big, &out), RP_OK);
    assert_int_equal(cm_add_line(&t, &out), RP_OK);
    assert_int_equal(cm_add_line(&t, &out), RP_ERANGE);
}

/* ---- the choice of a price list ---- */

#define CAND(id_, acc_, tier_, cat_, from_, price_)                                            \
    {.list_id = (id_), .list_name = (id_), .account_id = (acc_), .tier = (tier_),             \
     .category = (cat_), .valid_from = (from_), .min_quantity = 1, .unit_price = (price_)}

static const struct cm_buyer BUYER = {.account_id = "acc-1", .tier = "A", .category = "key"};

static void expect(const struct cm_candidate *c, size_t n, const struct cm_buyer *b,
                   const char *list, enum cm_match m)
{
    struct cm_price p;
    cm_choose(c, n, b, &p);
    assert_int_equal(p.considered, n);
    if (!list) {
        assert_false(p.found);
        return;
    }
    assert_true(p.found);
    assert_string_equal(p.list_id, list);
    assert_int_equal(p.match, m);
}

static void test_choose_rule_by_rule(void **state)
{
    (void)state;
    const struct cm_candidate all[] = {
        CAND("default", NULL, NULL, NULL, NULL, 100),
        CAND("category", NULL, NULL, "key", NULL, 300),
        CAND("tier", NULL, "A", NULL, NULL, 400),
        CAND("account", "acc-1", NULL, NULL, NULL, 500),
        CAND("other-account", "acc-2", NULL, NULL, NULL, 1),
        CAND("other-tier", NULL, "B", NULL, NULL, 1),
        CAND("other-category", NULL, NULL, "small", NULL, 1),
    };
    /* The strongest match wins, however dear: account, then tier, category, default. */
    expect(all, RP_NELEM(all), &BUYER, "account", CM_MATCH_ACCOUNT);
    expect(all, 3, &BUYER, "tier", CM_MATCH_TIER);
    expect(all, 2, &BUYER, "category", CM_MATCH_CATEGORY);
    expect(all, 1, &BUYER, "default", CM_MATCH_DEFAULT);
    /* Lists for someone else never win, even alone. */
    expect(all + 4, 3, &BUYER, NULL, CM_MATCH_NONE);
    /* No account: only the lists for everyone. */
    const struct cm_buyer nobody = {0};
    expect(all, RP_NELEM(all), &nobody, "default", CM_MATCH_DEFAULT);
    /* The tier the account has, not the tier of another. */
    const struct cm_buyer b_tier = {.account_id = "acc-9", .tier = "B", .category = "small"};
    expect(all, RP_NELEM(all), &b_tier, "other-tier", CM_MATCH_TIER);
    expect(all, 0, &BUYER, NULL, CM_MATCH_NONE);
}

static void test_choose_latest_then_cheapest_then_id(void **state)
{
    (void)state;
    /* Of one strength, the list valid from the latest day; one valid always counts
     * as the earliest. */
    const struct cm_candidate dated[] = {
        CAND("always", NULL, NULL, NULL, NULL, 50),
        CAND("jan", NULL, NULL, NULL, "2026-01-01", 90),
        CAND("mar", NULL, NULL, NULL, "2026-03-01", 95),
        CAND("feb", NULL, NULL, NULL, "2026-02-01", 10),
    };
    expect(dated, RP_NELEM(dated), &BUYER, "mar", CM_MATCH_DEFAULT);
    /* A tie on the day: the lower price; a tie on both: the smaller id, in any order. */
    const struct cm_candidate tie[] = {
        CAND("b", NULL, "A", NULL, "2026-01-01", 70),
        CAND("a", NULL, "A", NULL, "2026-01-01", 80),
        CAND("c", NULL, "A", NULL, "2026-01-01", 70),
    };
    expect(tie, RP_NELEM(tie), &BUYER, "b", CM_MATCH_TIER);
    const struct cm_candidate rev[] = {tie[2], tie[1], tie[0]};
    expect(rev, RP_NELEM(rev), &BUYER, "b", CM_MATCH_TIER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_bp_matches_the_oracle),
        cmocka_unit_test(test_random_quotes_match_the_oracle),
        cmocka_unit_test(test_line_bounds),
        cmocka_unit_test(test_choose_rule_by_rule),
        cmocka_unit_test(test_choose_latest_then_cheapest_then_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
