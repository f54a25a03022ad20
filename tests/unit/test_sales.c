/* Sales domain rules that need no server: when the account tiers are recomputed, and
 * the times a stage change and a conversion are stamped with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/common.h"
#include "core/text.h"
#include "engine/jobs.h"
#include "mod/sales/sales.h"
#include "engine_fixture.h"

static const char *tier_of(struct efx *f, const char *account_id)
{
    struct rec r;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(account_id), &r), RP_OK);
    const struct rec_value *v = fx_val(&r, "tier_computed");
    return v->null ? "-" : v->s;
}

static const char *won_deal(struct efx *f, const char *account_id, const char *amount)
{
    char today[16];
    text_format_date(text_now_ms() / 86400000, today, sizeof(today));
    struct rec_input in[] = {IN_S("name", "deal"), IN_S("account_id", account_id),
                             IN_S("amount", amount), IN_S("stage", "closed_won"),
                             IN_S("expected_close_date", today)};
    return fx_create(f, NULL, meta_need("opportunities"), in, RP_NELEM(in)).id;
}

/* A clock the test sets. */
static int64_t test_now;

static int64_t test_clock(void)
{
    return test_now;
}

/* The tiers are the accounts.retier schedule's: it runs once a day, and at once (on the
 * next round of any server) after a won deal changed; a change that is no such thing
 * (a delete) waits for the daily run. */
static void test_retier_when_stale_or_daily(void **state)
{
    struct efx *f = *state;
    assert_int_equal(mod_bootstrap(f->s, false), RP_OK);
    const char *big = fx_account(f, NULL, "Big");
    const char *small = fx_account(f, NULL, "Small");
    const char *deal = won_deal(f, big, "1000000.00");
    won_deal(f, small, "1.00");
    assert_string_equal(tier_of(f, big), "C"); /* saving did not retier */

    test_now = text_now_ms();
    text_set_clock(test_clock);
    assert_int_equal(jobs_run_schedules(f->s, "test"), RP_OK);
    assert_string_equal(tier_of(f, big), "A");
    assert_string_equal(tier_of(f, small), "C");

    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("opportunities"), rp_str_c(deal), -1),
                     RP_OK);
    test_now += 3600000;
    assert_int_equal(jobs_run_schedules(f->s, "test"), RP_OK);
    assert_string_equal(tier_of(f, big), "A"); /* not stale, not a day yet */
    test_now += 86400000;
    assert_int_equal(jobs_run_schedules(f->s, "test"), RP_OK);
    assert_string_equal(tier_of(f, big), "C");
    assert_string_equal(tier_of(f, small), "A");

    /* A new won deal makes them due again: the next round retiers at once. */
    won_deal(f, big, "5000000.00");
    test_now += 60000;
    assert_int_equal(jobs_run_schedules(f->s, "test"), RP_OK);
    text_set_clock(NULL);
    assert_string_equal(tier_of(f, big), "A");
    assert_string_equal(tier_of(f, small), "C");
}

/* A clock that moves on a millisecond at every reading: a change that read it twice
 * would show two times. */
static int64_t tick_ms;

static int64_t ticking_clock(void)
{
    return tick_ms += 1;
}

static int clock_setup(void **state)
{
    tick_ms = INT64_C(1893456000000); /* 2030-01-01 */
    text_set_clock(ticking_clock);
    return efx_setup(state);
}

static int clock_teardown(void **state)
{
    text_set_clock(NULL);
    return efx_teardown(state);
}

/* A stage change is stamped with the change's own time, the one its audit rows (the
 * stage history) carry: stage_changed_at read the clock apart and was a millisecond
 * later whenever a millisecond passed between the two readings. */
static void test_stage_changed_at_is_the_change_time(void **state)
{
    struct efx *f = *state;
    assert_int_equal(mod_bootstrap(f->s, false), RP_OK);
    struct rec_input in[] = {IN_S("name", "deal")};
    struct rec r = fx_create(f, NULL, meta_need("opportunities"), in, 1);
    assert_string_equal(fx_val(&r, "stage_changed_at")->s, r.updated_at);
    static const char *const stages[] = {"proposal", "negotiation"};
    for (int i = 0; i < 2; i++) {
        struct rec_input st[] = {IN_S("stage", stages[i])};
        assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("opportunities"), rp_str_c(r.id), st,
                                    1, -1, &r),
                         RP_OK);
        assert_string_equal(fx_val(&r, "stage_changed_at")->s, r.updated_at);
    }
    /* A save that changes nothing keeps the record's time. */
    const char *before = r.updated_at;
    struct rec_input same[] = {IN_S("stage", stages[1])};
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("opportunities"), rp_str_c(r.id), same, 1,
                                -1, &r),
                     RP_OK);
    assert_string_equal(r.updated_at, before);
}

/* A conversion stamps the lead with the update's own time, as its audit rows. */
static void test_converted_at_is_the_change_time(void **state)
{
    struct efx *f = *state;
    assert_int_equal(mod_bootstrap(f->s, false), RP_OK);
    struct rec_input in[] = {IN_S("last_name", "Lee"), IN_S("company", "Lee Trading")};
    struct rec lead = fx_create(f, NULL, meta_need("leads"), in, RP_NELEM(in));
    struct sales_conversion conv = {.create_opportunity = false};
    struct sales_converted out;
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    ctx->allow_duplicate = true;
    assert_int_equal(sales_convert_lead(ctx, rp_str_c(lead.id), &conv, &out), RP_OK);
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("leads"), rp_str_c(lead.id), &lead), RP_OK);
    assert_string_equal(fx_val(&lead, "converted_at")->s, lead.updated_at);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retier_when_stale_or_daily, efx_setup,
                                        efx_teardown),
        cmocka_unit_test_setup_teardown(test_stage_changed_at_is_the_change_time, clock_setup,
                                        clock_teardown),
        cmocka_unit_test_setup_teardown(test_converted_at_is_the_change_time, clock_setup,
                                        clock_teardown),
    };
    return cmocka_run_group_tests_name("sales", tests, NULL, NULL);
}
