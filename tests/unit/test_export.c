/* Unit tests for exports (engine/export.c) against a fresh database (engine_fixture.h):
 * every built-in label has its Chinese twin in the metadata; every header an export
 * writes, in English, in Chinese and as keys, maps back to its field on import; names
 * of referenced records and owners are read a page at a time (a bounded number of
 * statements, not one per row) and only where the caller may read them; a labelled
 * export imports back into its own database by id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/engine/export.c"
#include "engine/csv_import.h"
#include "engine_fixture.h"

/* Splits one CSV line (no quotes in these tests' values) into at most max cells. */
static size_t split_line(char *line, char **cells, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        cells[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static int col_of(char **head, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(head[i], name) == 0)
            return (int)i;
    fail_msg("no column %s", name);
    return -1;
}

/* A principal of role `role` for user id, in `locale`. */
static struct principal who_as(const char *id, const char *role, const char *team,
                               const char *locale, struct arena *a)
{
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.user_id = id;
    p.username = "tester";
    p.role = role;
    p.team_ids = team ? arena_printf(a, "[\"%s\"]", team) : "[]";
    p.locale = locale;
    return p;
}

/* Runs a CSV export of e as ctx's caller to its end; returns the text (in f->a) and
 * the statements it ran to read names. */
static char *export_csv(struct efx *f, struct rec_ctx *ctx, const struct entity_def *e,
                        enum exp_headers headers, const struct rec_param *p, size_t np,
                        int64_t *queries)
{
    const struct rec_exporter *fmt;
    assert_int_equal(exp_format(ctx, e, RP_STR("csv"), &fmt), RP_OK);
    struct exp *x;
    enum rp_err err = exp_open(ctx, e, fmt, headers, p, np, &x);
    if (err)
        fail_msg("exp_open(%s): %s %s", e->name, rp_err_name(err), ctx->detail ? ctx->detail : "");
    struct rp_buf b;
    buf_init(&b, 64u * 1024 * 1024);
    bool done = false;
    while (!err && !done)
        err = exp_next(x, &b, &done);
    if (err)
        fail_msg("exp_next: %s %s", rp_err_name(err), exp_detail(x) ? exp_detail(x) : "");
    if (queries)
        *queries = x->name_queries;
    assert_int_equal(exp_close(x), RP_OK);
    char *out = arena_strndup(&f->a, buf_cstr(&b), b.len);
    buf_release(&b);
    return out;
}

static void test_labels_are_metadata(void **state)
{
    (void)state;
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (e->flags & EF_CUSTOM)
            continue;
        if (!e->label_zh || !*e->label_zh || !e->label_plural_zh || !*e->label_plural_zh)
            fail_msg("entity %s has no Chinese label", e->name);
        for (size_t i = 0; i < e->nfields; i++) {
            const struct field_def *fd = &e->fields[i];
            if (!fd->label_zh || !*fd->label_zh)
                fail_msg("%s.%s has no Chinese label", e->name, fd->name);
            for (size_t j = 0; j < i; j++)
                if (strcmp(fd->label, e->fields[j].label) == 0 ||
                    strcmp(fd->label_zh, e->fields[j].label_zh) == 0)
                    fail_msg("%s.%s and %s share a label", e->name, fd->name,
                             e->fields[j].name);
        }
    }
    size_t nsys;
    const struct field_def *sys = meta_system_fields(&nsys);
    for (size_t i = 0; i < nsys; i++)
        assert_non_null(sys[i].label_zh);
    /* The owner refers to users, whose flag says so: the engine names no entity. */
    assert_string_equal(meta_system_field(RP_STR("owner_id"))->ref_entity, "users");
    assert_string_equal(meta_field_label(meta_system_field(RP_STR("owner_id")), "zh-CN"),
                        "负责人");
    assert_string_equal(meta_field_label(meta_system_field(RP_STR("owner_id")), "en"), "Owner");
    assert_string_equal(meta_field_label(meta_system_field(RP_STR("owner_id")), NULL), "Owner");
}

/* Every column of every entity's export, under every kind of header, is unique in its
 * header row and maps back to its field on import (the owner's columns to none: an
 * import gives its records to whoever imports them). */
static void test_headers_map_back(void **state)
{
    struct efx *f = *state;
    static const struct {
        enum exp_headers h;
        const char *locale;
    } KINDS[] = {{EXP_LABELS, "en"}, {EXP_LABELS, "zh-CN"}, {EXP_KEYS, "zh-CN"}};
    const char *admin = fx_user(f, "boss", "admin", NULL, NULL);
    for (size_t k = 0; k < meta_entity_count(); k++) {
        const struct entity_def *e = meta_entity_at(k);
        for (size_t m = 0; m < RP_NELEM(KINDS); m++) {
            struct principal p = who_as(admin, "admin", NULL, KINDS[m].locale, &f->a);
            struct rec_ctx *ctx = fx_ctx(f, &p);
            const struct rec_exporter *fmt;
            assert_int_equal(exp_format(ctx, e, RP_STR("csv"), &fmt), RP_OK);
            struct exp *x;
            if (exp_open(ctx, e, fmt, KINDS[m].h, NULL, 0, &x) == RP_EFORBIDDEN)
                continue; /* roles are not exported */
            for (size_t c = 0; c < x->ncols; c++) {
                const struct col *col = &x->cols[c];
                for (size_t d = 0; d < c; d++)
                    if (strcmp(col->header, x->cols[d].header) == 0)
                        fail_msg("%s: two columns headed %s", e->name, col->header);
                const char *got = imp_header_field(e, rp_str_c(col->header));
                const char *want = col->field >= 0 ? col->f->name : NULL;
                if (want ? !got || strcmp(got, want) != 0 : got != NULL)
                    fail_msg("%s: header '%s' maps to %s, not %s", e->name, col->header,
                             got ? got : "nothing", want ? want : "nothing");
            }
            x->audited = true; /* nothing was exported */
            exp_close(x);
        }
    }
}

/* 520 contacts, each at its own account, owned by two users: the names take a handful
 * of statements per page of 500, whatever the rows; the owner's display name shows,
 * else the username; labels are in the caller's language. */
static void test_names_by_page(void **state)
{
    struct efx *f = *state;
    struct rec_input du[] = {IN_S("username", "ann"), IN_S("display_name", "Ann Owner"),
                             IN_S("password", "correct horse"), IN_S("role", "admin")};
    const char *ann = fx_create(f, NULL, meta_need("users"), du, RP_NELEM(du)).id;
    const char *bob = fx_user(f, "bob", "admin", NULL, NULL); /* no display name */
    enum { N = 520 };
    static const char *accounts[N];
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof(name), "Acct %03d", i);
        struct rec_input in[] = {IN_S("name", name)};
        accounts[i] = fx_create(f, NULL, meta_need("accounts"), in, 1).id;
        char last[32];
        snprintf(last, sizeof(last), "Lee%03d", i);
        struct rec_input c[] = {IN_S("last_name", last), IN_S("account_id", accounts[i]),
                                IN_S("owner_id", i % 2 ? bob : ann)};
        fx_create(f, NULL, meta_need("contacts"), c, RP_NELEM(c));
    }
    struct principal p = who_as(ann, "admin", NULL, "zh-CN", &f->a);
    struct rec_param sort[] = {PRM("sort", "last_name")};
    int64_t queries = 0;
    char *csv = export_csv(f, fx_ctx(f, &p), meta_need("contacts"), EXP_LABELS, sort, 1, &queries);
    /* Two pages: five statements for 500 accounts and one for the owners on the first,
     * one for 20 accounts on the second (the owners are remembered). */
    if (queries > 8)
        fail_msg("%lld statements read the names of 520 rows", (long long)queries);
    assert_true(queries >= 6);
    assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
    char *line = csv + 3, *next = strstr(line, "\r\n");
    *next = '\0';
    char *head[64];
    size_t nh = split_line(line, head, 64);
    int acc_id = col_of(head, nh, "客户 ID"), acc = col_of(head, nh, "客户");
    int own_id = col_of(head, nh, "负责人 ID"), own = col_of(head, nh, "负责人");
    assert_int_equal(acc, acc_id + 1);
    assert_int_equal(own, (int)nh - 1);
    assert_int_equal(own_id, (int)nh - 2);
    col_of(head, nh, "姓");
    int rows = 0;
    for (line = next + 2; *line; line = next + 2, rows++) {
        next = strstr(line, "\r\n");
        *next = '\0';
        char *cells[64];
        assert_int_equal(split_line(line, cells, 64), nh);
        char want[32];
        snprintf(want, sizeof(want), "Acct %03d", rows);
        assert_string_equal(cells[acc], want);
        assert_string_equal(cells[acc_id], accounts[rows]);
        assert_string_equal(cells[own_id], rows % 2 ? bob : ann);
        assert_string_equal(cells[own], rows % 2 ? "bob" : "Ann Owner");
    }
    assert_int_equal(rows, N);
}

/* A sales rep exports their own contact of an account outside their team: its id,
 * but no name (the rep may not read it), as vCard's ORG shows none either. */
static void test_names_only_where_readable(void **state)
{
    struct efx *f = *state;
    const char *team = fx_team(f, "East");
    struct principal rep;
    fx_user(f, "rep", "sales", team, &rep);
    const char *far = fx_account(f, NULL, "Far Away Ltd");
    struct rec_input own[] = {IN_S("name", "Near Co")};
    const char *near = fx_create(f, &rep, meta_need("accounts"), own, 1).id;
    struct rec_input c1[] = {IN_S("last_name", "Far"), IN_S("account_id", far),
                             IN_S("owner_id", rep.user_id)};
    struct rec_input c2[] = {IN_S("last_name", "Near"), IN_S("account_id", near)};
    fx_create(f, NULL, meta_need("contacts"), c1, RP_NELEM(c1));
    fx_create(f, &rep, meta_need("contacts"), c2, RP_NELEM(c2));
    struct rec_param sort[] = {PRM("sort", "last_name")};
    char *csv = export_csv(f, fx_ctx(f, &rep), meta_need("contacts"), EXP_KEYS, sort, 1, NULL);
    char *line = csv + 3, *next = strstr(line, "\r\n");
    *next = '\0';
    char *head[64];
    size_t nh = split_line(line, head, 64);
    int acc_id = col_of(head, nh, "account_id"), acc = col_of(head, nh, "account_id.name");
    col_of(head, nh, "owner_id");
    col_of(head, nh, "owner_id.name");
    char *cells[64];
    line = next + 2;
    next = strstr(line, "\r\n");
    *next = '\0';
    assert_int_equal(split_line(line, cells, 64), nh);
    assert_string_equal(cells[acc_id], far);
    assert_string_equal(cells[acc], "");
    line = next + 2;
    next = strstr(line, "\r\n");
    *next = '\0';
    assert_int_equal(split_line(line, cells, 64), nh);
    assert_string_equal(cells[acc_id], near);
    assert_string_equal(cells[acc], "Near Co");
}

static int64_t exports_logged(struct efx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM audit_log WHERE action = 'export'", NULL, 0) +
           fx_sql_int(f, "SELECT count(*) FROM security_events WHERE action = 'export'", NULL, 0);
}

/* An export is in the logs before its last piece is handed out — a client that has read
 * it whole finds it there — and once only; one stopped half-way is logged when closed. */
static void test_audited_before_last_piece(void **state)
{
    struct efx *f = *state;
    for (int i = 0; i < 3; i++)
        fx_account(f, NULL, i == 0 ? "Alpha" : i == 1 ? "Beta" : "Gamma");
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    const struct rec_exporter *fmt;
    assert_int_equal(exp_format(ctx, meta_need("accounts"), RP_STR("csv"), &fmt), RP_OK);
    struct exp *x;
    assert_int_equal(exp_open(ctx, meta_need("accounts"), fmt, EXP_KEYS, NULL, 0, &x), RP_OK);
    struct rp_buf b;
    buf_init(&b, 1024u * 1024);
    bool done = false;
    while (!done) {
        assert_int_equal(exports_logged(f), 0);
        assert_int_equal(exp_next(x, &b, &done), RP_OK);
    }
    assert_int_equal(exports_logged(f), 2); /* the audit row and the security event */
    assert_int_equal(exp_close(x), RP_OK);
    assert_int_equal(exports_logged(f), 2);
    /* Stopped after its header: logged at close, with the rows written (none). */
    assert_int_equal(exp_open(ctx, meta_need("accounts"), fmt, EXP_KEYS, NULL, 0, &x), RP_OK);
    assert_int_equal(exp_next(x, &b, &done), RP_OK);
    assert_false(done);
    assert_int_equal(exports_logged(f), 2);
    assert_int_equal(exp_close(x), RP_OK);
    assert_int_equal(exports_logged(f), 4);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM audit_log WHERE action = 'export'"
                                   " AND new_value = '0'", NULL, 0), 1);
    buf_release(&b);
}

/* A labelled export imports back: by id where the record is there (two accounts with
 * one name cannot be told apart by it), by name where the id means nothing here. */
static void test_labelled_export_imports_back(void **state)
{
    struct efx *f = *state;
    const char *admin = fx_user(f, "boss", "admin", NULL, NULL);
    fx_account(f, NULL, "Twin Ltd");
    const char *twin = fx_account(f, NULL, "Twin Ltd");
    struct rec_input c[] = {IN_S("first_name", "Ann"), IN_S("last_name", "Lee"),
                            IN_S("account_id", twin), IN_S("email", "ann@example.com")};
    fx_create(f, NULL, meta_need("contacts"), c, RP_NELEM(c));
    static const char *const LOCALES[] = {"en", "zh-CN"};
    for (size_t k = 0; k < RP_NELEM(LOCALES); k++) {
        struct principal p = who_as(admin, "admin", NULL, LOCALES[k], &f->a);
        struct rec_param flt[] = {PRM("email", "ann@example.com"), PRM("sort", "created_at")};
        char *csv = export_csv(f, fx_ctx(f, &p), meta_need("contacts"), EXP_LABELS, flt, 2, NULL);
        struct imp_options o = {.e = meta_need("contacts"), .on_dup = IMP_DUP_CREATE};
        struct imp_source src = {NULL, csv, strlen(csv)};
        struct imp_result res;
        struct rec_ctx *ctx = fx_ctx(f, &p);
        ctx->allow_duplicate = false;
        assert_int_equal(imp_run(ctx, &o, &src, &f->a, &res), RP_OK);
        if (res.nerrors)
            fail_msg("%s: %s: %s", LOCALES[k], res.errors[0].field ? res.errors[0].field : "-",
                     res.errors[0].message);
        assert_int_equal(res.rows_imported, (int64_t)1 << k); /* the copies are copied too */
        /* Only the owner's columns are left over. */
        assert_int_equal(res.nignored, 2);
    }
    struct rec_param p[] = {PRM("email", "ann@example.com"), PRM("limit", "10")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), p, 2, &page), RP_OK);
    assert_int_equal(page.nrows, 4);
    for (size_t i = 0; i < page.nrows; i++)
        assert_string_equal(fx_val(&page.rows[i], "account_id")->s, twin);
    /* From another database: the ids are unknown here, the names are looked up. */
    static const char keys[] = "last_name,account_id,account_id.name\n"
                               "Ray,01890a5d-ac96-774b-bcce-b302099a8057,Solo Co\n";
    static const char zh[] = "\xEF\xBB\xBF姓,客户 ID,客户\n"
                             "Dee,01890a5d-ac96-774b-bcce-b302099a8057,Solo Co\n";
    const char *solo = fx_account(f, NULL, "Solo Co");
    const char *files[] = {keys, zh};
    for (size_t k = 0; k < RP_NELEM(files); k++) {
        struct imp_options o = {.e = meta_need("contacts"), .on_dup = IMP_DUP_CREATE};
        struct imp_source src = {NULL, files[k], strlen(files[k])};
        struct imp_result res;
        assert_int_equal(imp_run(fx_ctx(f, NULL), &o, &src, &f->a, &res), RP_OK);
        assert_int_equal(res.rows_imported, 1);
        assert_int_equal(res.nignored, 0);
    }
    struct rec_param q[] = {PRM("account_id", solo), PRM("limit", "10")};
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), q, 2, &page), RP_OK);
    assert_int_equal(page.nrows, 2);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, efx_setup, efx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_labels_are_metadata),
        T(test_headers_map_back),
        T(test_names_by_page),
        T(test_names_only_where_readable),
        T(test_labelled_export_imports_back),
        T(test_audited_before_last_piece),
    };
#undef T
    return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
