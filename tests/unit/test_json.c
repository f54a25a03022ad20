/* The API's JSON writers: api__dump writes the bytes json_dumps(JSON_COMPACT) writes
 * (every escape, key order, numbers of every kind, nesting), and api__write_record
 * writes a record as the API documents it, for every kind of field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/api_int.h"
#include "core/buf.h"
#include "engine_fixture.h"

/* Dumps v both ways and compares; takes the reference to v. */
static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(want);
    struct rp_buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(api__dump(&b, v), RP_OK);
    if (strlen(want) != b.len || memcmp(want, buf_cstr(&b), b.len) != 0)
        fail_msg("jansson: %s\nours:    %s", want, buf_cstr(&b));
    buf_release(&b);
    free(want);
    json_decref(v);
}

static void test_scalars(void **state)
{
    (void)state;
    same_as_jansson(json_null());
    same_as_jansson(json_true());
    same_as_jansson(json_false());
    const json_int_t ints[] = {0, 1, -1, 42, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        same_as_jansson(json_integer(ints[i]));
    const double reals[] = {0.1, 3.0, -0.0, 1e300, -2.5e-7, 123456789.125};
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        same_as_jansson(json_real(reals[i]));
}

static void test_strings(void **state)
{
    (void)state;
    char all[128];
    for (int i = 0; i < 128; i++)
        all[i] = (char)i; /* every ASCII byte, NUL and DEL included */
    same_as_jansson(json_stringn(all, sizeof(all)));
    same_as_jansson(json_string(""));
    same_as_jansson(json_string("\"quoted\" \\ back/slash"));
    same_as_jansson(json_string("北京重要客户有限公司 — Zoë 🚀"));
    same_as_jansson(json_string("\n"));
    same_as_jansson(json_string("ends with a tab\t"));
}

static void test_containers(void **state)
{
    (void)state;
    same_as_jansson(json_object());
    same_as_jansson(json_array());
    /* Keys keep the order they were set in, as in a record. */
    json_t *o = json_object();
    json_object_set_new(o, "zeta", json_integer(1));
    json_object_set_new(o, "alpha", json_string("a\"b"));
    json_object_set_new(o, "客户", json_null());
    json_object_set_new(o, "k\ney", json_true());
    json_t *a = json_array();
    json_array_append_new(a, json_object());
    json_array_append_new(a, json_array());
    json_array_append_new(a, json_real(0.5));
    json_array_append_new(a, json_pack("{s:[i,i],s:{s:s}}", "n", 1, 2, "m", "x", "y"));
    json_object_set_new(o, "list", a);
    json_object_set_new(o, "zeta", json_integer(2)); /* replaced in place */
    same_as_jansson(o);
}

/* Random documents: strings of random code points (ASCII, controls, 2-, 3- and 4-byte
 * UTF-8) nested at random. */
static uint32_t rnd(uint32_t n)
{
    return (uint32_t)rand() % n; /* seeded in test_random_documents: the same every run */
}

static json_t *random_string(void)
{
    static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\x01", "\x1f",
                                         "\x7f", "é", "中", "😀", "\t", "\n"};
    struct rp_buf s;
    buf_init(&s, 256);
    for (size_t i = rnd(12); i > 0; i--)
        assert_int_equal(buf_adds(&s, pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))]), RP_OK);
    json_t *v = json_string(buf_cstr(&s));
    buf_release(&s);
    return v;
}

static json_t *random_value(int depth)
{
    switch (depth > 3 ? rnd(4) : rnd(6)) {
    case 0: return random_string();
    case 1: return json_integer((json_int_t)rnd(1000000) - 500000);
    case 2: return rnd(2) ? json_true() : json_null();
    case 3: return json_real((double)rnd(100000) / 64.0);
    case 4: {
        json_t *a = json_array();
        for (uint32_t i = rnd(5); i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (uint32_t i = rnd(5); i > 0; i--) {
            json_t *k = random_string();
            json_object_set_new(o, json_string_value(k), random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void test_random_documents(void **state)
{
    (void)state;
    srand(7);
    for (int i = 0; i < 2000; i++)
        same_as_jansson(random_value(0));
}

/* The record as JSON, parsed back; checks its keys are in order: id, every field but
 * the password, then the system fields. */
static json_t *written(struct efx *f, const struct rec *r)
{
    struct rp_buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(api__write_record(&b, &f->a, r), RP_OK);
    json_error_t e;
    json_t *o = json_loadb(b.p, b.len, 0, &e);
    if (!o)
        fail_msg("not JSON (%s): %s", e.text, buf_cstr(&b));
    buf_release(&b);
    static const char *const tail[] = {"owner_id", "created_by", "created_at", "updated_at",
                                       "version"};
    const char *key;
    json_t *v;
    size_t k = 0, field = 0, fields = 0;
    json_object_foreach (o, key, v) {
        while (field < r->ent->nfields && r->ent->fields[field].type == FT_PASSWORD)
            field++;
        const char *want;
        if (k == 0)
            want = "id";
        else if (field < r->ent->nfields)
            want = r->ent->fields[field++].name, fields++;
        else
            want = tail[k - 1 - fields];
        assert_string_equal(key, want);
        k++;
    }
    assert_int_equal(k, 1 + fields + RP_NELEM(tail));
    assert_string_equal(json_string_value(json_object_get(o, "id")), r->id);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), r->version);
    assert_string_equal(json_string_value(json_object_get(o, "updated_at")), r->updated_at);
    return o;
}

static void test_records(void **state)
{
    struct efx *f = *state;
    const char *team = fx_team(f, "Sales \"East\"");
    const char *user_id = fx_user(f, "rep", "sales", team, NULL);
    struct rec user;
    assert_int_equal(rec_get(fx_ctx(f, NULL), meta_need("users"), rp_str_c(user_id), &user), RP_OK);
    json_t *o = written(f, &user);
    assert_null(json_object_get(o, "password"));
    json_t *teams = json_object_get(o, "team_ids"); /* a list field: a JSON array */
    assert_int_equal(json_array_size(teams), 1);
    assert_string_equal(json_string_value(json_array_get(teams, 0)), team);
    json_decref(o);

    /* Text with escapes and Chinese, money, null. */
    const char *text = "Line one\nline \"two\" \\ 北京重要客户 🚀\t";
    struct rec_input acc[] = {IN_S("name", "Acme 客户"), IN_S("description", text),
                              IN_N("annual_revenue", "1234.5")};
    struct rec account = fx_create(f, NULL, meta_need("accounts"), acc, RP_NELEM(acc));
    o = written(f, &account);
    assert_string_equal(json_string_value(json_object_get(o, "description")), text);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "Acme 客户");
    assert_string_equal(json_string_value(json_object_get(o, "annual_revenue")), "1234.50");
    assert_true(json_is_null(json_object_get(o, "website")));
    assert_true(json_is_null(json_object_get(o, "owner_id")));
    json_decref(o);

    /* Booleans and integers. */
    struct rec_input act[] = {IN_S("type", "meeting"), IN_S("subject", "Demo"),
                              IN_S("start_at", "2030-01-02T10:00:00Z"),
                              IN_S("end_at", "2030-01-02T11:00:00Z"), IN_B("all_day", true),
                              IN_N("duration_minutes", "45")};
    struct rec activity = fx_create(f, NULL, meta_need("activities"), act, RP_NELEM(act));
    o = written(f, &activity);
    assert_true(json_is_true(json_object_get(o, "all_day")));
    assert_int_equal(json_integer_value(json_object_get(o, "duration_minutes")), 45);
    assert_string_equal(json_string_value(json_object_get(o, "start_at")),
                        "2030-01-02T10:00:00.000Z");
    json_decref(o);

    /* A deleted record says when. */
    assert_int_equal(rec_delete(fx_ctx(f, NULL), meta_need("accounts"), rp_str_c(account.id), -1),
                     RP_OK);
    struct rec_query *q;
    struct rec_param bin[] = {PRM("deleted", "only")};
    struct rec_page page;
    assert_int_equal(rec_query_parse(fx_ctx(f, NULL), meta_need("accounts"), bin, 1, &q), RP_OK);
    assert_int_equal(rec_list(fx_ctx(f, NULL), meta_need("accounts"), q, &page), RP_OK);
    assert_int_equal(page.nrows, 1);
    struct rp_buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(api__write_record(&b, &f->a, &page.rows[0]), RP_OK);
    o = json_loadb(b.p, b.len, 0, NULL);
    buf_release(&b);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "deleted_at")),
                        page.rows[0].deleted_at);
    json_decref(o);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (auth_init() != RP_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_random_documents),
        cmocka_unit_test_setup_teardown(test_records, efx_setup, efx_teardown),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
