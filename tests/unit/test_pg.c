/* Unit tests for the parts of the PostgreSQL backend that need no server: `?`
 * placeholders numbered to $n around quoted text and comments, WAL positions read
 * from text, and what may run on a read replica. (The backend itself is tested by the
 * whole API suite on PostgreSQL, make pg-test, and its failover by make ha-test.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "store/store_int.h"

static void numbered(const char *sql, const char *want, int want_n)
{
    struct rp_buf out;
    buf_init(&out, 4096);
    int n = -1;
    assert_int_equal(store__pg_number_params(sql, &out, &n), RP_OK);
    assert_string_equal(buf_cstr(&out), want);
    assert_int_equal(n, want_n);
    buf_release(&out);
}

static void refused(const char *sql)
{
    struct rp_buf out;
    buf_init(&out, 4096);
    int n;
    assert_int_equal(store__pg_number_params(sql, &out, &n), RP_EINVAL);
    buf_release(&out);
}

static void test_numbers_in_order(void **state)
{
    (void)state;
    numbered("SELECT 1", "SELECT 1", 0);
    numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?",
             "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4", 4);
    numbered("?", "$1", 1);
    numbered("x=?::json", "x=$1::json", 1);
}

static void test_quoted_text_is_left_alone(void **state)
{
    (void)state;
    numbered("SELECT '?', \"we?ird\", ? FROM t WHERE s LIKE ? ESCAPE '\\'",
             "SELECT '?', \"we?ird\", $1 FROM t WHERE s LIKE $2 ESCAPE '\\'", 2);
    /* doubled quotes inside a literal */
    numbered("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || $1", 1);
    numbered("SELECT ? -- why?\n, ? /* and? */ , ?", "SELECT $1 -- why?\n, $2 /* and? */ , $3", 3);
    numbered("SELECT 1 -- trailing?", "SELECT 1 -- trailing?", 0);
}

static void test_malformed_is_refused(void **state)
{
    (void)state;
    refused("SELECT ?1");         /* SQLite-only numbered form */
    refused("SELECT 'open");      /* unterminated literal */
    refused("SELECT \"open");     /* unterminated identifier */
    refused("SELECT /* open");    /* unterminated comment */
}

static void test_too_long_is_refused(void **state)
{
    (void)state;
    struct rp_buf out;
    buf_init(&out, 8);
    int n;
    assert_int_equal(store__pg_number_params("SELECT ?, ?, ?", &out, &n), RP_ETOOBIG);
    buf_release(&out);
}

static void test_lsn_parse(void **state)
{
    (void)state;
    assert_true(store__pg_lsn_parse("0/0") == 0);
    assert_true(store__pg_lsn_parse("0/3000188") == 0x3000188u);
    assert_true(store__pg_lsn_parse("16/B374D848") == ((uint64_t)0x16 << 32 | 0xB374D848u));
    assert_true(store__pg_lsn_parse("FFFFFFFF/FFFFFFFF") == UINT64_MAX);
    /* not a position: 0, which no fence is below */
    const char *bad[] = {NULL, "", "/", "16/", "/1", "16", "16/B3 ", "x/1", "1/2/3",
                         "100000000/0", "0/100000000", "-1/5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(store__pg_lsn_parse(bad[i]) == 0);
}

static void test_only_queries_go_to_a_replica(void **state)
{
    (void)state;
    assert_true(store__pg_is_query("SELECT 1"));
    assert_true(store__pg_is_query("select id FROM contacts"));
    assert_true(store__pg_is_query("  (SELECT 1) UNION (SELECT 2)"));
    assert_true(store__pg_is_query("WITH t AS (SELECT 1) SELECT * FROM t"));
    assert_false(store__pg_is_query("INSERT INTO audit_log VALUES (?)"));
    assert_false(store__pg_is_query("UPDATE sessions SET seen_at = ?"));
    assert_false(store__pg_is_query("DELETE FROM jobs"));
    assert_false(store__pg_is_query("SET statement_timeout = 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_in_order),
        cmocka_unit_test(test_quoted_text_is_left_alone),
        cmocka_unit_test(test_malformed_is_refused),
        cmocka_unit_test(test_too_long_is_refused),
        cmocka_unit_test(test_lsn_parse),
        cmocka_unit_test(test_only_queries_go_to_a_replica),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
