/* `rapport demo`: a small company a new user can explore, written by every module's
 * demo (engine/module.h, in registry order: people, customers, deals and leads,
 * activities) through the record engine, in one transaction, into a database without
 * records. Deterministic: the same data every time. */
#include "core/common.h"

#include "cli/cli.h"
#include "engine/module.h"

/* Whether any entity but the platform's holds records. */
static enum rp_err has_records(struct rec_ctx *ctx, bool *out)
{
    struct rec_param p[] = {{RP_STR("count"), RP_STR("true")}, {RP_STR("limit"), RP_STR("1")}};
    enum rp_err err = RP_OK;
    *out = false;
    for (size_t k = 0; k < meta_entity_count() && !err && !*out; k++) {
        const struct entity_def *e = meta_entity_at(k);
        struct rec_query *q;
        struct rec_page page;
        if (e->flags & EF_PLATFORM)
            continue;
        err = rec_query_parse(ctx, e, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, e, q, &page);
        *out = !err && page.total > 0;
    }
    return err;
}

int cli_demo(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : "sqlite:data/rapport.db";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else {
            fprintf(stderr, "usage: rapport demo [--db URL]\n");
            return 2;
        }
    }
    struct store *s;
    struct store_conn *c;
    /* The administrator comes from RAPPORT_ADMIN_PASSWORD, or else from the first
     * `rapport serve`, which prints a random password where its user is looking. */
    if (cli_open("demo", db, false, &s, &c))
        return 1;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, s, c, &a, "demo");
    ctx.allow_conflict = true;  /* a demo calendar may double-book, as real ones do */
    ctx.allow_duplicate = true; /* generated names may look alike */
    bool used;
    enum rp_err err = has_records(&ctx, &used);
    if (!err && used) {
        fprintf(stderr, "rapport demo: the database already holds records; demo data goes"
                        " into a new database only\n");
        arena_release(&a);
        store_close(s);
        return 1;
    }
    /* One transaction: a demo is loaded whole or not at all. */
    struct rp_demo d = {.ctx = &ctx, .rng = 0x9E3779B97F4A7C15ull};
    if (!err && !(err = rec_tx_begin(&ctx)))
        err = rec_tx_end(&ctx, mod_demo(&d));
    if (!err) {
        printf("demo data loaded\n");
        for (size_t i = 0; i < d.nnotes; i++)
            printf("%s\n", d.notes[i]);
        bool admin_pw = getenv("RAPPORT_ADMIN_PASSWORD") && *getenv("RAPPORT_ADMIN_PASSWORD");
        printf(admin_pw ? "administrator: admin, with the password in RAPPORT_ADMIN_PASSWORD\n"
                        : "administrator: the first `rapport serve` creates admin, with"
                          " RAPPORT_ADMIN_PASSWORD or a password it prints once\n");
    } else {
        fprintf(stderr, "rapport demo: failed: %s\n", rp_err_name(err));
    }
    arena_release(&a);
    store_close(s);
    return err ? 1 : 0;
}
