/* Unit tests for CSV import (crm/import.c) and the export cell helpers
 * (crm/export.c): header mapping, cell conversion, formula neutralisation both ways,
 * RFC 4180 records with line numbers, encodings, and whole imports into a fresh
 * database (engine_fixture.h): batches, dry runs, duplicates, malformed files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/engine/csv_import.c"
#include "engine/export.h"
#include "engine_fixture.h"

/* ---- pieces ---- */

static void test_header_mapping(void **state)
{
    (void)state;
    struct {
        const struct entity_def *e;
        const char *header;
        const char *want;
    } cases[] = {
        {meta_need("contacts"), "姓名", "full_name"},     {meta_need("contacts"), "公司", "account_id"},
        {meta_need("contacts"), "电话", "phone_work"},    {meta_need("contacts"), "邮箱", "email"},
        {meta_need("contacts"), " E-Mail ", "email"},     {meta_need("contacts"), "Last name", "last_name"},
        {meta_need("contacts"), "first_name", "first_name"}, {meta_need("contacts"), "手机", "phone_mobile"},
        {meta_need("accounts"), "公司", "name"},          {meta_need("accounts"), "Phone", "phone"},
        {meta_need("leads"), "公司", "company"},          {meta_need("leads"), "手机", "mobile"},
        {meta_need("opportunities"), "金额", "amount"},   {meta_need("activities"), "主题", "subject"},
        {meta_need("contacts"), "Favourite colour", NULL}, {meta_need("accounts"), "姓名", NULL},
    };
    for (size_t i = 0; i < RP_NELEM(cases); i++) {
        const char *got = imp_header_field(cases[i].e, rp_str_c(cases[i].header));
        if (!cases[i].want ? got != NULL : !got || strcmp(got, cases[i].want) != 0)
            fail_msg("%s '%s': want %s, got %s", cases[i].e->name, cases[i].header,
                     cases[i].want ? cases[i].want : "none", got ? got : "none");
    }
}

static void test_neutralise_round_trip(void **state)
{
    (void)state;
    /* Each value, and whether a spreadsheet could read it as a formula. */
    static const struct {
        const char *v;
        bool formula;
    } CASES[] = {
        {"=1+2", true}, {"-5 Main St", true}, {"@SUM(A1)", true}, {"|cmd", true},
        {" =1+2", true}, {"  |x", true}, {"\t=x", true}, {"\r=x", true}, {"\n@x", true},
        {"\xc2\xa0=1", true},          /* NBSP */
        {"\xe2\x80\x8b=1", true},      /* zero-width space */
        {"\xef\xbb\xbf=1", true},      /* BOM */
        {"\xe3\x80\x80=1", true},      /* ideographic space */
        {"\xe2\x80\x8e\xc2\xa0 +x", true}, /* a direction mark, NBSP and a space */
        {"\xef\xbc\x9dSUM(1)", true},  /* full-width = */
        {"\xef\xbc\x8bx", true},       /* full-width + */
        {"\xef\xbc\x8d" "1", true},       /* full-width - */
        {"\xef\xbc\xa0x", true},       /* full-width @ */
        {"\xef\xbd\x9c" "cmd", true},     /* full-width | */
        {"'=x", true}, {"''+y", true}, {"+1+2", true}, {"+86 138 ext. 5", true},
        {"+SUM(1)", true}, {"+", true}, {"+ ()-", true}, {"-12", true},
        {"+86 138-0013-8000", false}, {"+1 (555) 123-4567", false}, {" +86 10 1234 5678", false},
        {"\xc2\xa0+86 10 1234 5678", false}, {"plain", false}, {" plain", false},
        {"a=b", false}, {"", false}, {"'", false}, {"'quoted'", false}, {"5", false},
        {"\xe5\xae\xa2\xe6\x88\xb7", false}, /* 客户 */
        {"\xc2\xa0", false}, {"\xff=1", false},
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++) {
        const char *v = CASES[i].v;
        if (exp_needs_neutralising(rp_str_c(v)) != CASES[i].formula)
            fail_msg("case %zu '%s': want %s", i, v, CASES[i].formula ? "neutralised" : "as is");
        struct rp_buf b;
        buf_init(&b, 1024);
        assert_int_equal(exp_csv_field(&b, rp_str_c(v), true), RP_OK);
        /* A neutralised cell starts with the apostrophe (inside the CSV quotes). */
        const char *cellp = b.p ? b.p : "";
        if (*cellp == '"')
            cellp++;
        if (CASES[i].formula)
            assert_true(*cellp == '\'');
        /* Take the CSV quoting off as a reader would, then import's unneutralise. */
        struct rp_buf un;
        buf_init(&un, 1024);
        const char *p = buf_cstr(&b);
        bool quoted = *p == '"';
        for (p += quoted; *p; p++) {
            if (quoted && *p == '"' && p[1] == '"')
                p++;
            else if (quoted && *p == '"')
                break;
            buf_addc(&un, *p);
        }
        struct rp_str back = imp_unneutralise((struct rp_str){buf_cstr(&un), un.len});
        if (!rp_str_eqc(back, v))
            fail_msg("'%s' came back as '%.*s' (csv %s)", v, (int)back.len, back.p,
                     buf_cstr(&b));
        buf_release(&b);
        buf_release(&un);
    }
    /* Non-text values are written as they are. */
    struct rp_buf b;
    buf_init(&b, 64);
    assert_int_equal(exp_csv_field(&b, RP_STR("-12.50"), false), RP_OK);
    assert_string_equal(buf_cstr(&b), "-12.50");
    buf_reset(&b);
    assert_int_equal(exp_csv_field(&b, RP_STR("a,\"b\"\nc"), false), RP_OK);
    assert_string_equal(buf_cstr(&b), "\"a,\"\"b\"\"\nc\"");
    buf_release(&b);
}

static void test_cell_normalisers(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct {
        const char *in, *want;
    } dates[] = {{"2026/1/5", "2026-01-05"}, {"2026.01.05", "2026-01-05"},
                 {"2026-01-05", "2026-01-05"}, {"5/1/2026", "5/1/2026"}, {"soon", "soon"}};
    for (size_t i = 0; i < RP_NELEM(dates); i++) {
        struct rp_str d = norm_date(&a, rp_str_c(dates[i].in));
        assert_true(rp_str_eqc(d, dates[i].want));
    }
    struct {
        const char *in, *want;
    } times[] = {{"2026-01-05 09:30", "2026-01-05T09:30:00Z"},
                 {"2026-01-05T09:30:15", "2026-01-05T09:30:15Z"},
                 {"2026-01-05T09:30:00+08:00", "2026-01-05T09:30:00+08:00"},
                 {"2026-01-05", "2026-01-05T00:00:00Z"}};
    for (size_t i = 0; i < RP_NELEM(times); i++) {
        struct rp_str t = norm_datetime(&a, rp_str_c(times[i].in));
        if (!rp_str_eqc(t, times[i].want))
            fail_msg("%s -> %.*s", times[i].in, (int)t.len, t.p);
    }
    bool b;
    assert_true(parse_bool(RP_STR("是"), &b) && b);
    assert_true(parse_bool(RP_STR("No"), &b) && !b);
    assert_true(parse_bool(RP_STR("TRUE"), &b) && b);
    assert_false(parse_bool(RP_STR("maybe"), &b));
    arena_release(&a);
}

/* ---- whole imports ---- */

struct run {
    struct imp_result res;
    enum rp_err err;
    int progress_calls;
};

static void count_progress(void *cls, const struct imp_result *r)
{
    (void)r;
    ((struct run *)cls)->progress_calls++;
}

static struct run import_csv(struct efx *f, const struct entity_def *e, const char *csv,
                             size_t len, enum imp_dup dup, bool dry, const char *encoding)
{
    struct run run;
    memset(&run, 0, sizeof(run));
    struct imp_options o = {.e = e, .on_dup = dup, .dry_run = dry, .encoding = encoding,
                            .batch = 2, .progress = count_progress, .cls = &run};
    struct imp_source src = {NULL, csv, len};
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    ctx->allow_duplicate = false;
    run.err = imp_run(ctx, &o, &src, &f->a, &run.res);
    return run;
}

#define IMPORT(f, e, csv, dup, dry) import_csv(f, e, csv, sizeof(csv) - 1, dup, dry, NULL)

static bool has_error(const struct imp_result *r, int64_t line, const char *field)
{
    for (size_t i = 0; i < r->nerrors; i++)
        if (r->errors[i].line == line &&
            (field ? r->errors[i].field && strcmp(r->errors[i].field, field) == 0
                   : !r->errors[i].field))
            return true;
    return false;
}

static void test_rfc4180_and_lines(void **state)
{
    struct efx *f = *state;
    fx_account(f, NULL, "Acme, Inc.");
    /* BOM, CRLF, a quoted comma, a quoted line break, doubled quotes, a blank line. */
    static const char csv[] = "\xEF\xBB\xBF"
                              "Name,Company,Email,Description\r\n"
                              "Ann Lee,\"Acme, Inc.\",ann@example.com,\"two\r\nlines\"\r\n"
                              "\r\n"
                              "Bob Ray,\"Acme, Inc.\",not-an-email,\"say \"\"hi\"\"\"\r\n"
                              "Cy Dee,Nobody Ltd,cy@example.com,x\r\n"
                              "Di,extra,cols,a,b\r\n"
                              "Ed Fox,,ed@example.com,\"\"\n";
    struct run r = IMPORT(f, meta_need("contacts"), csv, IMP_DUP_SKIP, false);
    assert_int_equal(r.err, RP_OK);
    assert_int_equal(r.res.rows_total, 5);
    assert_int_equal(r.res.rows_imported, 2);
    assert_int_equal(r.res.rows_failed, 3);
    assert_true(has_error(&r.res, 5, "email"));       /* after the two-line record and a blank */
    assert_true(has_error(&r.res, 6, "account_id"));  /* no account named Nobody Ltd */
    assert_true(has_error(&r.res, 7, NULL));          /* five columns */
    assert_true(r.progress_calls >= 2);
    struct rec_param p[] = {PRM("email", "ann@example.com")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), p, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(fx_val(&page.rows[0], "first_name")->s, "Ann");
    assert_string_equal(fx_val(&page.rows[0], "last_name")->s, "Lee");
    assert_string_equal(fx_val(&page.rows[0], "description")->s, "two\r\nlines");
    assert_false(fx_val(&page.rows[0], "account_id")->null);
    /* The import itself is audited. */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM audit_log WHERE action = 'import'"
                                   " AND entity = 'contacts' AND new_value LIKE '%imported=2%'",
                                NULL, 0),
                     1);
}

static void test_dry_run_and_skip(void **state)
{
    struct efx *f = *state;
    static const char csv[] = "first_name,last_name,email,phone_work\n"
                              "Ann,Lee,ann@example.com,+86 138 0013 8000\n"
                              "Bob,Ray,bob@example.com,\n"
                              "Cy,Dee,cy@example.com,\n";
    struct run r = IMPORT(f, meta_need("contacts"), csv, IMP_DUP_SKIP, true);
    assert_int_equal(r.err, RP_OK);
    assert_int_equal(r.res.rows_imported, 3);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 0); /* nothing committed */
    r = IMPORT(f, meta_need("contacts"), csv, IMP_DUP_SKIP, false);
    assert_int_equal(r.res.rows_imported, 3);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 3);
    int64_t audit = fx_audit_count(f);
    r = IMPORT(f, meta_need("contacts"), csv, IMP_DUP_SKIP, false);
    assert_int_equal(r.res.rows_imported, 0);
    assert_int_equal(r.res.rows_skipped, 3);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 3);
    assert_int_equal(fx_audit_count(f), audit + 1); /* only the import's own row */
    /* update: the duplicate takes the row's values. */
    static const char upd[] = "first_name,last_name,email,title\nAnn,Lee,ann@example.com,CEO\n";
    r = IMPORT(f, meta_need("contacts"), upd, IMP_DUP_UPDATE, false);
    assert_int_equal(r.res.rows_updated, 1);
    struct rec_param p[] = {PRM("title", "CEO")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), p, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    /* create: a look-alike is created anyway. */
    r = IMPORT(f, meta_need("contacts"), upd, IMP_DUP_CREATE, false);
    assert_int_equal(r.res.rows_imported, 1);
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 4);
}

static void test_skip_without_dedup_keys(void **state)
{
    struct efx *f = *state;
    static const char csv[] = "subject,type,start_at,end_at\n"
                              "Kick-off,meeting,2026-03-02 09:00,2026-03-02 10:00\n"
                              "Call back,call,2026-03-03 09:00,2026-03-03 09:15\n";
    struct run r = IMPORT(f, meta_need("activities"), csv, IMP_DUP_SKIP, false);
    if (r.res.nerrors)
        fail_msg("line %lld %s: %s", (long long)r.res.errors[0].line,
                 r.res.errors[0].field ? r.res.errors[0].field : "-", r.res.errors[0].message);
    assert_int_equal(r.res.rows_imported, 2);
    r = IMPORT(f, meta_need("activities"), csv, IMP_DUP_SKIP, false);
    assert_int_equal(r.res.rows_imported, 0);
    assert_int_equal(r.res.rows_skipped, 2);
    assert_int_equal(fx_count(f, NULL, meta_need("activities")), 2);
}

/* A preview stops after max_rows however much of the file one read brought in, maps
 * the header as the import would, and gives the cells of short rows as NULL. */
static void test_preview(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    static const char csv[] = "姓名,Email,Shoe size\nAnn Lee,a@example.com,41\nBo Ray\n"
                              "Cy Dee,c@example.com,44\nDi Fox,d@example.com,38\n";
    struct imp_options o = {.e = meta_need("contacts")};
    struct imp_source src = {NULL, csv, sizeof(csv) - 1};
    struct imp_preview pv;
    const char *fatal;
    assert_int_equal(imp_preview(&o, &src, 2, &a, &pv, &fatal), RP_OK);
    assert_int_equal(pv.ncols, 3);
    assert_string_equal(pv.headers[0], "姓名");
    assert_string_equal(pv.fields[0], "full_name");
    assert_string_equal(pv.fields[1], "email");
    assert_null(pv.fields[2]);
    assert_int_equal(pv.nrows, 2);
    assert_string_equal(pv.rows[0][2], "41");
    assert_string_equal(pv.rows[1][0], "Bo Ray");
    assert_null(pv.rows[1][1]);
    /* A mapping given by the user wins; a malformed or empty file is refused. */
    struct imp_mapping m = {RP_STR("Shoe size"), RP_STR("description")};
    o.map = &m;
    o.nmap = 1;
    src = (struct imp_source){NULL, csv, sizeof(csv) - 1};
    assert_int_equal(imp_preview(&o, &src, 10, &a, &pv, &fatal), RP_OK);
    assert_string_equal(pv.fields[2], "description");
    assert_int_equal(pv.nrows, 4);
    src = (struct imp_source){NULL, "a,b\n\"x,y\n", 9};
    assert_int_equal(imp_preview(&o, &src, 10, &a, &pv, &fatal), RP_EINVAL);
    assert_non_null(strstr(fatal, "quote"));
    src = (struct imp_source){NULL, "", 0};
    assert_int_equal(imp_preview(&o, &src, 10, &a, &pv, &fatal), RP_EINVAL);
    assert_non_null(strstr(fatal, "empty"));
    arena_release(&a);
}

static void test_malformed_files_write_nothing(void **state)
{
    struct efx *f = *state;
    static const char quote[] = "last_name,email\nLee,a@example.com\nRay,\"b@example.com\nDee,c\n";
    struct run r = IMPORT(f, meta_need("contacts"), quote, IMP_DUP_CREATE, false);
    assert_int_equal(r.err, RP_EINVAL);
    assert_non_null(r.res.fatal);
    assert_non_null(strstr(r.res.fatal, "line 3"));
    static const char stray[] = "last_name,email\nLee,a@example.com\nRa\"y,b@example.com\n";
    r = IMPORT(f, meta_need("contacts"), stray, IMP_DUP_CREATE, false);
    assert_int_equal(r.err, RP_EINVAL);
    assert_non_null(strstr(r.res.fatal, "line 3"));
    r = import_csv(f, meta_need("contacts"), "", 0, IMP_DUP_CREATE, false, NULL);
    assert_int_equal(r.err, RP_EINVAL);
    /* A 3 MiB field: refused before its buffer grows further. */
    size_t big = 3u * 1024 * 1024;
    char *csv = malloc(big + 64);
    assert_non_null(csv);
    int k = snprintf(csv, 64, "last_name,description\nLee,\"");
    memset(csv + k, 'x', big);
    memcpy(csv + k + big, "\"\n", 3);
    r = import_csv(f, meta_need("contacts"), csv, (size_t)k + big + 2, IMP_DUP_CREATE, false, NULL);
    free(csv);
    assert_int_equal(r.err, RP_EINVAL);
    assert_non_null(strstr(r.res.fatal, "longer than"));
    assert_int_equal(fx_count(f, NULL, meta_need("contacts")), 0);
    /* Invalid UTF-8 is a row error naming the field; the other rows go in. */
    static const char bad8[] = "last_name,title\nLee,\xC3\x28oops\nRay,ok\n";
    r = IMPORT(f, meta_need("contacts"), bad8, IMP_DUP_CREATE, false);
    assert_int_equal(r.err, RP_OK);
    assert_int_equal(r.res.rows_imported, 1);
    assert_true(has_error(&r.res, 2, "title"));
}

/* Rows an incremental optimize of the contacts' full-text index changes: fewer than
 * two when the index is one segment already. */
static int64_t fulltext_merge_changes(struct efx *f)
{
    int64_t before = fx_sql_int(f, "SELECT total_changes()", NULL, 0);
    assert_int_equal(store_exec(f->c, "INSERT INTO contacts_fts(contacts_fts, rank)"
                                      " VALUES ('merge', -1000)",
                                NULL, 0),
                     RP_OK);
    return fx_sql_int(f, "SELECT total_changes()", NULL, 0) - before;
}

/* Imports n generated contacts, `batch` rows per transaction. */
static void import_many(struct efx *f, size_t n, size_t batch)
{
    size_t cap = 64 + n * 48;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t len = (size_t)snprintf(csv, cap, "first_name,last_name,email\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len, "Ann%zu,Lee%zu,ann%zu@example.com\n", i,
                                i % 97, i);
    struct run run;
    memset(&run, 0, sizeof(run));
    struct imp_options o = {.e = meta_need("contacts"), .on_dup = IMP_DUP_CREATE, .batch = batch,
                            .progress = count_progress, .cls = &run};
    struct imp_source src = {NULL, csv, len};
    assert_int_equal(imp_run(fx_ctx(f, NULL), &o, &src, &f->a, &run.res), RP_OK);
    assert_int_equal(run.res.rows_imported, (int64_t)n);
    free(csv);
}

/* A load of RP_IMPORT_ANALYZE_ROWS rows or more ends with fresh planner statistics and
 * its batches' full-text segments merged into one; a small load leaves both alone. */
static void test_large_import_analyzes_and_merges(void **state)
{
    struct efx *f = *state;
    import_many(f, 20, 2);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
                                NULL, 0),
                     0);
    assert_true(fulltext_merge_changes(f) >= 2); /* ten segments, now merged */
    import_many(f, RP_IMPORT_ANALYZE_ROWS, 1000);
    assert_true(fx_sql_int(f, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'contacts'", NULL,
                           0) > 0);
    assert_true(fulltext_merge_changes(f) < 2);
}

static void test_gbk(void **state)
{
    struct efx *f = *state;
    static const char utf8[] = "姓名,邮箱,职位\n王伟,wang@example.com,销售经理\n";
    char gbk[256];
    iconv_t cd = iconv_open("GBK", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *ip = (char *)(uintptr_t)utf8, *op = gbk;
    size_t il = sizeof(utf8) - 1, ol = sizeof(gbk);
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t len = (size_t)(op - gbk);
    /* Read as UTF-8 it is not valid; read as GBK it is. */
    struct run r = import_csv(f, meta_need("contacts"), gbk, len, IMP_DUP_CREATE, true, NULL);
    assert_int_equal(r.res.rows_failed, 1);
    r = import_csv(f, meta_need("contacts"), gbk, len, IMP_DUP_CREATE, false, "gbk");
    assert_int_equal(r.err, RP_OK);
    assert_int_equal(r.res.rows_imported, 1);
    struct rec_param p[] = {PRM("title", "销售经理")};
    struct rec_page page;
    assert_int_equal(fx_list(f, NULL, meta_need("contacts"), p, 1, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    assert_string_equal(fx_val(&page.rows[0], "last_name")->s, "王伟");
    /* A truncated double-byte character at the end is a fatal error. */
    r = import_csv(f, meta_need("contacts"), gbk, len - 2, IMP_DUP_CREATE, false, "gb18030");
    assert_int_equal(r.err, RP_EINVAL);
    assert_non_null(r.res.fatal);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, efx_setup, efx_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_mapping),
        cmocka_unit_test(test_neutralise_round_trip),
        cmocka_unit_test(test_cell_normalisers),
        T(test_preview),
        T(test_rfc4180_and_lines),
        T(test_dry_run_and_skip),
        T(test_skip_without_dedup_keys),
        T(test_malformed_files_write_nothing),
        T(test_gbk),
        T(test_large_import_analyzes_and_merges),
    };
#undef T
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
