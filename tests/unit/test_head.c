/* Unit tests for http/head.c: the request-head framing check that refuses the shapes
 * requests are smuggled with (RFC 9112 §6.3) and lets ordinary heads through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/http/head.c"

#define F(n, v) {{n, sizeof(n) - 1}, {v, sizeof(v) - 1}, false}

static void test_ordinary_heads_pass(void **state)
{
    (void)state;
    const struct http_field get[] = {F("Host", "x"), F("Accept", "*/*"), F("X-Empty", ""),
                                     F("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)\tok")};
    assert_int_equal(http_head_verdict(get, 4), 0);
    const struct http_field post[] = {F("Host", "x"), F("content-length", "12")};
    assert_int_equal(http_head_verdict(post, 2), 0);
    const struct http_field chunked[] = {F("Host", "x"), F("Transfer-Encoding", "Chunked")};
    assert_int_equal(http_head_verdict(chunked, 2), 0);
    const struct http_field utf8[] = {F("X-Name", "客户 ü")};
    assert_int_equal(http_head_verdict(utf8, 1), 0);
    assert_int_equal(http_head_verdict(NULL, 0), 0);
}

static void test_ambiguous_length_is_400(void **state)
{
    (void)state;
    const struct http_field two[] = {F("Content-Length", "5"), F("Content-Length", "40")};
    assert_int_equal(http_head_verdict(two, 2), 400);
    const struct http_field same[] = {F("Content-Length", "5"), F("CONTENT-LENGTH", "5")};
    assert_int_equal(http_head_verdict(same, 2), 400);
    const struct http_field clte[] = {F("Content-Length", "4"), F("Transfer-Encoding", "chunked")};
    assert_int_equal(http_head_verdict(clte, 2), 400);
    const struct http_field tecl[] = {F("transfer-encoding", "chunked"), F("content-length", "0")};
    assert_int_equal(http_head_verdict(tecl, 2), 400);
    const struct http_field twote[] = {F("Transfer-Encoding", "chunked"),
                                       F("Transfer-Encoding", "chunked")};
    assert_int_equal(http_head_verdict(twote, 2), 400);
}

static void test_other_codings_are_501(void **state)
{
    (void)state;
    const struct http_field gzip[] = {F("Transfer-Encoding", "gzip, chunked")};
    assert_int_equal(http_head_verdict(gzip, 1), 501);
    const struct http_field pad[] = {F("Transfer-Encoding", "chunked ")};
    assert_int_equal(http_head_verdict(pad, 1), 501);
    const struct http_field ident[] = {F("Transfer-Encoding", "identity")};
    assert_int_equal(http_head_verdict(ident, 1), 501);
}

static void test_bad_lines_are_400(void **state)
{
    (void)state;
    const struct http_field cr[] = {F("X-A", "a\rX-B: b")};
    assert_int_equal(http_head_verdict(cr, 1), 400);
    const struct http_field lf[] = {F("X-A", "a\nb")};
    assert_int_equal(http_head_verdict(lf, 1), 400);
    const struct http_field nul[] = {{{"X-A", 3}, {"a\0b", 3}, false}};
    assert_int_equal(http_head_verdict(nul, 1), 400);
    const struct http_field del[] = {F("X-A", "a\x7f")};
    assert_int_equal(http_head_verdict(del, 1), 400);
    const struct http_field folded[] = {{{"X-Ab", 4}, {"a", 1}, true}};
    assert_int_equal(http_head_verdict(folded, 1), 400);
    const struct http_field space[] = {F("X A", "a")};
    assert_int_equal(http_head_verdict(space, 1), 400);
    const struct http_field colon[] = {F("X(A)", "a")};
    assert_int_equal(http_head_verdict(colon, 1), 400);
    const struct http_field empty[] = {F("", "a")};
    assert_int_equal(http_head_verdict(empty, 1), 400);
}

static void test_oversized_head_is_431(void **state)
{
    (void)state;
    static char big[RP_MAX_HEADER_BYTES];
    memset(big, 'a', sizeof(big));
    const struct http_field f[] = {{{"X-Big", 5}, {big, sizeof(big)}, false}};
    assert_int_equal(http_head_verdict(f, 1), 431);
    const struct http_field fit[] = {{{"X-Big", 5}, {big, RP_MAX_HEADER_BYTES - 9}, false}};
    assert_int_equal(http_head_verdict(fit, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_heads_pass),  cmocka_unit_test(test_ambiguous_length_is_400),
        cmocka_unit_test(test_other_codings_are_501), cmocka_unit_test(test_bad_lines_are_400),
        cmocka_unit_test(test_oversized_head_is_431),
    };
    return cmocka_run_group_tests_name("head", tests, NULL, NULL);
}
