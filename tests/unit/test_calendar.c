/* The calendar module's statements that need no server: the account card's reads of
 * the activities that belong to an account (account_id) are index probes, never a walk
 * through every activity — before and after the planner has statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/common.h"
#include "engine/rec_int.h"
#include "engine_fixture.h"

/* Accounts and activities spread over them, many about no account, in one transaction. */
#define ACCOUNTS 40
#define PER_ACCOUNT 30
#define LOOSE 600

static const char *make_activities(struct efx *f, struct principal *who)
{
    const char *first = NULL;
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(rec_tx_begin(ctx), RP_OK);
    for (int a = 0; a < ACCOUNTS; a++) {
        struct rec_input acc_in[] = {IN_S("name", arena_printf(&f->a, "Account %d", a)),
                                     IN_S("owner_id", who->user_id)};
        struct rec acc;
        assert_int_equal(rec_create(ctx, meta_need("accounts"), acc_in, 2, &acc), RP_OK);
        first = first ? first : acc.id;
        for (int i = 0; i < PER_ACCOUNT; i++) {
            const char *day =
                arena_printf(&f->a, "2026-%02d-%02dT10:00:00Z", 1 + i % 12, 1 + a % 28);
            struct rec_input in[] = {IN_S("type", "note"), IN_S("subject", "about it"),
                                     IN_S("start_at", day), IN_S("related_type", "accounts"),
                                     IN_S("related_id", acc.id), IN_S("owner_id", who->user_id)};
            struct rec act;
            assert_int_equal(rec_create(ctx, meta_need("activities"), in, RP_NELEM(in), &act),
                             RP_OK);
        }
    }
    for (int i = 0; i < LOOSE; i++) {
        const char *day = arena_printf(&f->a, "2026-%02d-%02dT11:00:00Z", 1 + i % 12, 1 + i % 28);
        struct rec_input in[] = {IN_S("type", "task"), IN_S("subject", "loose"),
                                 IN_S("start_at", day), IN_S("owner_id", who->user_id)};
        struct rec act;
        assert_int_equal(rec_create(ctx, meta_need("activities"), in, RP_NELEM(in), &act), RP_OK);
    }
    assert_int_equal(rec_tx_end(ctx, RP_OK), RP_OK);
    return first;
}

/* The plan of a list of activities with parameters p, as `who` reads it: it must search
 * the account_id index and scan no activities. */
static void assert_probe(struct efx *f, struct principal *who, const struct rec_param *p, size_t n,
                         const char *what)
{
    struct rec_ctx *ctx = fx_ctx(f, who);
    struct rec_query *q;
    assert_int_equal(rec_query_parse(ctx, meta_need("activities"), p, n, &q), RP_OK);
    char plan[2048];
    assert_int_equal(rec__list_plan(ctx, meta_need("activities"), q, plan, sizeof(plan)), RP_OK);
    /* A team's scope reads the team's members (users, teams) by their own plans. */
    if (!strstr(plan, "SEARCH t USING INDEX activities_account_id (account_id=?)") ||
        strstr(plan, "SCAN t\n") || strstr(plan, "SCAN t "))
        fail_msg("%s:\n%s(wanted a search of activities_account_id and no scan of t)", what, plan);
}

static void assert_card_probes(struct efx *f, struct principal *who, const char *acc)
{
    /* The activities panel (the default order), the summary's last and next activity,
     * and a timeline page after the first. */
    struct rec_param panel[] = {PRM("account_id", acc), PRM("limit", "10")};
    struct rec_param last[] = {PRM("account_id", acc), PRM("start_at[lt]", "2026-06-01T00:00:00Z"),
                               PRM("sort", "-start_at"), PRM("limit", "1")};
    struct rec_param next[] = {PRM("account_id", acc), PRM("start_at[gte]", "2026-06-01T00:00:00Z"),
                               PRM("sort", "start_at"), PRM("limit", "1")};
    struct rec_param timeline[] = {PRM("account_id", acc), PRM("sort", "-created_at"),
                                   PRM("limit", "20"),
                                   PRM("created_at[lt]", "2099-01-01T00:00:00.000Z")};
    assert_probe(f, who, panel, RP_NELEM(panel), "the activities panel");
    assert_probe(f, who, last, RP_NELEM(last), "the last activity");
    assert_probe(f, who, next, RP_NELEM(next), "the next activity");
    assert_probe(f, who, timeline, RP_NELEM(timeline), "the timeline");
}

static void test_account_card_reads_are_index_probes(void **state)
{
    struct efx *f = *state;
    struct principal rep;
    const char *team = fx_team(f, "Sales");
    fx_user(f, "rep", "sales", team, &rep);
    const char *acc = make_activities(f, &rep);
    assert_card_probes(f, NULL, acc);
    assert_card_probes(f, &rep, acc);
    /* With the statistics an import or `rapport bench-data` leaves (ANALYZE). */
    assert_int_equal(store_exec(f->c, "ANALYZE", NULL, 0), RP_OK);
    assert_card_probes(f, NULL, acc);
    assert_card_probes(f, &rep, acc);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_account_card_reads_are_index_probes, efx_setup,
                                        efx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
