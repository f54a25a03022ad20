/* The platform module's demo data: two teams, a manager and two reps in each. */
#include "core/common.h"

#include "mod/platform/platform.h"

#define DEMO_PASSWORD "demo-pass-123"

enum rp_err platform__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    struct rec t[2], u;
    struct rec_input east[] = {rec_in_text("name", "East"),
                               rec_in_text("description", "Enterprise accounts, east region")};
    struct rec_input west[] = {rec_in_text("name", "West"),
                               rec_in_text("description", "Mid-market, west region")};
    enum rp_err err = rec_create(ctx, meta_need("teams"), east, 2, &t[0]);
    if (!err)
        err = rec_create(ctx, meta_need("teams"), west, 2, &t[1]);
    static const struct {
        const char *user, *name, *role;
        int team;
    } USERS[] = {{"alice", "Alice Manager", "manager", 0},
                 {"bob", "Bob Sales", "sales", 0},
                 {"chen", "陈静", "sales", 0},
                 {"dora", "Dora Manager", "manager", 1},
                 {"emil", "Emil Sales", "sales", 1},
                 {"fang", "王芳", "sales", 1}};
    for (size_t i = 0; !err && i < RP_NELEM(USERS); i++) {
        struct rp_str team = rp_str_c(t[USERS[i].team].id);
        struct rec_input in[] = {
            rec_in_text("username", USERS[i].user),
            rec_in_text("display_name", USERS[i].name),
            rec_in_text("role", USERS[i].role),
            rec_in_text("password", DEMO_PASSWORD),
            {.field = RP_STR("team_ids"), .kind = IN_LIST, .items = &team, .nitems = 1}};
        err = rec_create(ctx, meta_need("users"), in, RP_NELEM(in), &u);
    }
    if (!err)
        d->notes[d->nnotes++] =
            "users alice, bob, chen, dora, emil, fang (password " DEMO_PASSWORD ")";
    return err;
}
