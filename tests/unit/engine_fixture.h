/* Shared set-up for the record engine's unit tests (test_rec, test_acl, test_auth):
 * a fresh SQLite database in a mkdtemp directory with every entity table synced, one
 * arena for the whole test, and small helpers to build inputs and query parameters.
 * Included after <cmocka.h>; every helper is static inline so unused ones cost nothing. */
#ifndef RP_TEST_ENGINE_FIXTURE_H
#define RP_TEST_ENGINE_FIXTURE_H

#include <unistd.h>

#include "core/arena.h"
#include "core/ids.h"
#include "core/log.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/ops.h"
#include "engine/rec.h"
#include "mod/calendar/calendar.h"
#include "mod/customers/customers.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"
#include "store/db.h"

struct efx {
    char dir[64];
    char path[128];
    struct store *s;
    struct store_conn *c;
    struct arena a;     /* everything a test reads back lives here until teardown */
    struct rec_ctx ctx; /* reset by fx_ctx before every engine call */
    int64_t seeded_audit; /* audit rows of the seed data (roles, pipeline stages) */
};

static inline int efx_close(struct efx *f);

static inline int efx_open(struct efx **out)
{
    struct efx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/rapport-engine-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "sqlite:%s/t.db", f->dir);
    /* As a server opens it: tables, the built-in roles, the metadata with them. */
    if (ops_open(f->path, false, &f->s) || store_conn_get(f->s, &f->c)) {
        if (f->s)
            store_close(f->s);
        free(f);
        return -1;
    }
    arena_init(&f->a);
    if (store_query_int(f->c, "SELECT count(*) FROM audit_log", NULL, 0, &f->seeded_audit)) {
        efx_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

static inline int efx_close(struct efx *f)
{
    arena_release(&f->a);
    store_close(f->s);
    meta_release();
    static const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < RP_NELEM(suffixes); i++) {
        snprintf(p, sizeof(p), "%s/t.db%s", f->dir, suffixes[i]);
        unlink(p);
    }
    int rc = rmdir(f->dir);
    free(f);
    return rc == 0 ? 0 : -1;
}

static inline int efx_setup(void **state)
{
    struct efx *f;
    if (efx_open(&f))
        return -1;
    *state = f;
    return 0;
}

static inline int efx_teardown(void **state)
{
    return efx_close(*state);
}

/* A fresh context for one engine call (errors cleared). These tests use look-alike
 * records on purpose (sort ties, paging), so duplicate checks are off; they are
 * tested in test_dups.c and the API tests. */
static inline struct rec_ctx *fx_ctx(struct efx *f, struct principal *who)
{
    if (who)
        rec_ctx_init(&f->ctx, f->s, f->c, &f->a, who);
    else
        rec_ctx_system(&f->ctx, f->s, f->c, &f->a, "test");
    f->ctx.allow_duplicate = true;
    return &f->ctx;
}

/* True when ctx holds a field error for `field`. */
static inline bool fx_has_error(const struct rec_ctx *ctx, const char *field)
{
    for (size_t i = 0; i < ctx->nerrors; i++)
        if (strcmp(ctx->errors[i].field, field) == 0)
            return true;
    return false;
}

/* ---- inputs ---- */

#define IN_S(name, str)                                                                            \
    ((struct rec_input){.field = RP_STR(name), .kind = IN_STRING, .s = (str), .len = strlen(str)})
#define IN_N(name, num)                                                                            \
    ((struct rec_input){.field = RP_STR(name), .kind = IN_NUMBER, .s = (num), .len = strlen(num)})
#define IN_B(name, val) ((struct rec_input){.field = RP_STR(name), .kind = IN_BOOL, .b = (val)})
#define IN_0(name) ((struct rec_input){.field = RP_STR(name), .kind = IN_NULL})
#define IN_L(name, arr, n)                                                                         \
    ((struct rec_input){.field = RP_STR(name), .kind = IN_LIST, .items = (arr), .nitems = (n)})

#define PRM(k, v) ((struct rec_param){rp_str_c(k), rp_str_c(v)})

/* ---- common operations (assert success) ---- */

static inline struct rec fx_create(struct efx *f, struct principal *who, const struct entity_def *e,
                                   const struct rec_input *in, size_t n)
{
    struct rec r;
    struct rec_ctx *ctx = fx_ctx(f, who);
    enum rp_err err = rec_create(ctx, e, in, n, &r);
    if (err)
        fail_msg("rec_create(%s) failed: %s (%s%s%s)", e->name, rp_err_name(err),
                 ctx->nerrors ? ctx->errors[0].field : "", ctx->nerrors ? " " : "",
                 ctx->nerrors ? ctx->errors[0].message : (ctx->detail ? ctx->detail : ""));
    return r;
}

static inline const char *fx_team(struct efx *f, const char *name)
{
    struct rec_input in[] = {IN_S("name", name)};
    return fx_create(f, NULL, meta_need("teams"), in, 1).id;
}

/* Creates a user (as the system) and fills *p as a principal for it. team may be NULL. */
static inline const char *fx_user(struct efx *f, const char *username, const char *role,
                                  const char *team, struct principal *p)
{
    struct rp_str teams[1] = {rp_str_c(team)};
    struct rec_input in[] = {IN_S("username", username), IN_S("password", "correct horse"),
                             IN_S("role", role), IN_L("team_ids", teams, team ? 1 : 0)};
    struct rec r = fx_create(f, NULL, meta_need("users"), in, RP_NELEM(in));
    if (p) {
        memset(p, 0, sizeof(*p));
        p->user_id = r.id;
        p->username = arena_strdup(&f->a, username);
        p->team_ids = team ? arena_printf(&f->a, "[\"%s\"]", team) : "[]";
        p->role = arena_strdup(&f->a, role);
        p->peers_loaded = false;
    }
    return r.id;
}

static inline const char *fx_account(struct efx *f, struct principal *who, const char *name)
{
    struct rec_input in[] = {IN_S("name", name)};
    return fx_create(f, who, meta_need("accounts"), in, 1).id;
}

static inline const struct rec_value *fx_val(const struct rec *r, const char *field)
{
    int i = meta_field_index(r->ent, rp_str_c(field));
    if (i < 0)
        fail_msg("no field %s", field);
    return &r->v[i];
}

/* The same for a record passed by value (values live in the arena, not in r). */
static inline const struct rec_value *fx_v(struct rec r, const char *field)
{
    return fx_val(&r, field);
}

/* One integer from SQL (audit counts and the like). */
static inline int64_t fx_sql_int(struct efx *f, const char *sql, const struct store_val *v,
                                 size_t n)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c, sql, &st), RP_OK);
    assert_int_equal(store_bind_all(st, v, n), RP_OK);
    bool row = false;
    assert_int_equal(store_step(st, &row), RP_OK);
    assert_true(row);
    int64_t out = store_col_int(st, 0);
    store_done(st);
    return out;
}

static inline int64_t fx_audit_count(struct efx *f)
{
    /* Rows the seed data wrote when the database was opened are not counted. */
    return fx_sql_int(f, "SELECT count(*) FROM audit_log", NULL, 0) - f->seeded_audit;
}

/* Lists with params; returns the error (the page is filled on success). */
static inline enum rp_err fx_list(struct efx *f, struct principal *who, const struct entity_def *e,
                                  const struct rec_param *p, size_t n, struct rec_page *page)
{
    struct rec_ctx *ctx = fx_ctx(f, who);
    struct rec_query *q;
    memset(page, 0, sizeof(*page));
    enum rp_err err = rec_query_parse(ctx, e, p, n, &q);
    if (!err)
        err = rec_list(ctx, e, q, page);
    return err;
}

/* The number of live records visible to who (count=true). */
static inline int64_t fx_count(struct efx *f, struct principal *who, const struct entity_def *e)
{
    struct rec_param p[] = {PRM("count", "true")};
    struct rec_page page;
    assert_int_equal(fx_list(f, who, e, p, 1, &page), RP_OK);
    assert_true(page.has_total);
    return page.total;
}

/* True when the page holds a record with this id. */
static inline bool fx_page_has(const struct rec_page *page, const char *id)
{
    for (size_t i = 0; i < page->nrows; i++)
        if (strcmp(page->rows[i].id, id) == 0)
            return true;
    return false;
}

#endif
