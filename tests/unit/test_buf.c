/* Unit tests for core/buf: the maximum, NUL termination, printf, steal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"

/* The invariant of buf.h: NUL-terminated whenever non-NULL, and len <= max. */
static void check_inv(const struct rp_buf *b, size_t max)
{
    assert_true(b->len <= max);
    if (b->p) {
        assert_int_equal(b->p[b->len], '\0');
        assert_ptr_equal(buf_cstr(b), b->p);
    } else {
        assert_int_equal(b->len, 0);
        assert_string_equal(buf_cstr(b), "");
    }
}

static void test_empty(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 100);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    /* Appending nothing is fine and leaves an empty string. */
    assert_int_equal(buf_add(&b, "", 0), RP_OK);
    assert_int_equal(buf_adds(&b, ""), RP_OK);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    check_inv(&b, 100);
    buf_release(&b);
    assert_null(b.p);
    buf_release(&b); /* twice is harmless */
}

static void test_append(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 1000);
    assert_int_equal(buf_adds(&b, "abc"), RP_OK);
    check_inv(&b, 1000);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.p, "abc");
    assert_int_equal(buf_addc(&b, '-'), RP_OK);
    assert_int_equal(buf_add(&b, "xyz123", 3), RP_OK);
    check_inv(&b, 1000);
    assert_string_equal(buf_cstr(&b), "abc-xyz");
    assert_int_equal(b.len, 7);
    /* Binary data with an embedded NUL keeps its length. */
    assert_int_equal(buf_add(&b, "a\0b", 3), RP_OK);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.p, "abc-xyza\0b", 11);
    buf_release(&b);
}

static void test_growth(void **state)
{
    (void)state;
    struct rp_buf b;
    const size_t max = 1u << 20;
    buf_init(&b, max);
    char chunk[100];
    for (int i = 0; i < 1000; i++) {
        memset(chunk, 'a' + i % 26, sizeof(chunk));
        assert_int_equal(buf_add(&b, chunk, sizeof(chunk)), RP_OK);
        check_inv(&b, max);
    }
    assert_int_equal(b.len, 100000);
    /* Contents survive every reallocation. */
    for (size_t i = 0; i < b.len; i++)
        if (b.p[i] != 'a' + (int)(i / 100 % 26))
            fail_msg("byte %zu is '%c'", i, b.p[i]);
    buf_release(&b);
}

static void test_max(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 5);
    assert_int_equal(buf_adds(&b, "abc"), RP_OK);
    /* Too big: refused, and the buffer is as it was. */
    assert_int_equal(buf_adds(&b, "def"), RP_ETOOBIG);
    assert_int_equal(b.len, 3);
    assert_string_equal(buf_cstr(&b), "abc");
    check_inv(&b, 5);
    /* Exactly up to the maximum is fine. */
    assert_int_equal(buf_adds(&b, "de"), RP_OK);
    assert_string_equal(buf_cstr(&b), "abcde");
    assert_int_equal(buf_addc(&b, 'x'), RP_ETOOBIG);
    assert_int_equal(buf_add(&b, "xyz", 3), RP_ETOOBIG);
    assert_int_equal(buf_printf(&b, "%d", 1), RP_ETOOBIG);
    assert_int_equal(buf_add(&b, "", 0), RP_OK);
    assert_int_equal(b.len, 5);
    assert_string_equal(buf_cstr(&b), "abcde");
    check_inv(&b, 5);
    /* The maximum holds after a reset too. */
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_adds(&b, "123456"), RP_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_adds(&b, "12345"), RP_OK);
    assert_string_equal(buf_cstr(&b), "12345");
    buf_release(&b);

    /* A zero maximum admits only the empty string. */
    buf_init(&b, 0);
    assert_int_equal(buf_adds(&b, ""), RP_OK);
    assert_int_equal(buf_addc(&b, 'a'), RP_ETOOBIG);
    assert_int_equal(b.len, 0);
    check_inv(&b, 0);
    buf_release(&b);

    /* A huge single append is refused without allocating. */
    buf_init(&b, 100);
    assert_int_equal(buf_adds(&b, "x"), RP_OK);
    assert_int_equal(buf_add(&b, "y", SIZE_MAX), RP_ETOOBIG);
    assert_string_equal(buf_cstr(&b), "x");
    buf_release(&b);
}

static void test_max_larger_than_growth(void **state)
{
    (void)state;
    /* The maximum is reached exactly even when it is not a power of two. */
    struct rp_buf b;
    const size_t max = 1000;
    buf_init(&b, max);
    for (size_t i = 0; i < max; i++)
        assert_int_equal(buf_addc(&b, (char)('0' + i % 10)), RP_OK);
    check_inv(&b, max);
    assert_int_equal(buf_addc(&b, 'x'), RP_ETOOBIG);
    assert_int_equal(b.len, max);
    assert_int_equal(b.p[max - 1], '9');
    check_inv(&b, max);
    buf_release(&b);
}

static void test_unlimited(void **state)
{
    (void)state;
    /* SIZE_MAX as the maximum means "no limit" and must not wrap. */
    struct rp_buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_adds(&b, "hello"), RP_OK);
    assert_string_equal(buf_cstr(&b), "hello");
    for (int i = 0; i < 100; i++)
        assert_int_equal(buf_adds(&b, "0123456789"), RP_OK);
    assert_int_equal(b.len, 1005);
    check_inv(&b, SIZE_MAX);
    /* A length that cannot be stored with its NUL is refused, not wrapped. */
    assert_int_equal(buf_add(&b, "y", SIZE_MAX - b.len), RP_ETOOBIG);
    assert_int_equal(b.len, 1005);
    buf_release(&b);
}

static void test_printf(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 10000);
    assert_int_equal(buf_printf(&b, "%s=%d", "x", 42), RP_OK);
    assert_string_equal(buf_cstr(&b), "x=42");
    assert_int_equal(b.len, 4);
    assert_int_equal(buf_printf(&b, ";%05.1f;%llx", 3.14159, 255ull), RP_OK);
    assert_string_equal(buf_cstr(&b), "x=42;003.1;ff");
    assert_int_equal(b.len, 13);
    /* An empty format still leaves a valid string. */
    assert_int_equal(buf_printf(&b, "%s", ""), RP_OK);
    assert_int_equal(b.len, 13);
    check_inv(&b, 10000);
    /* Output longer than the first allocation. */
    assert_int_equal(buf_printf(&b, "%500s|", "end"), RP_OK);
    assert_int_equal(b.len, 13 + 501);
    assert_memory_equal(b.p + b.len - 4, "end|", 4);
    check_inv(&b, 10000);
    buf_release(&b);

    /* printf on a fresh buffer with empty output. */
    buf_init(&b, 10);
    assert_int_equal(buf_printf(&b, "%s", ""), RP_OK);
    assert_int_equal(b.len, 0);
    check_inv(&b, 10);
    /* printf that would pass the maximum leaves the buffer unchanged. */
    assert_int_equal(buf_printf(&b, "%d", 1234), RP_OK);
    assert_int_equal(buf_printf(&b, "%s", "hello, world"), RP_ETOOBIG);
    assert_string_equal(buf_cstr(&b), "1234");
    assert_int_equal(buf_printf(&b, "%s", "abcdef"), RP_OK);
    assert_string_equal(buf_cstr(&b), "1234abcdef");
    check_inv(&b, 10);
    buf_release(&b);
}

static void test_steal(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 100);
    size_t len = 99;
    /* Nothing to steal yet. */
    assert_null(buf_steal(&b, &len));
    assert_int_equal(len, 0);

    assert_int_equal(buf_adds(&b, "owned text"), RP_OK);
    char *p = buf_steal(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 10);
    assert_string_equal(p, "owned text");
    /* The buffer is empty and reusable, with the same maximum. */
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_adds(&b, "again"), RP_OK);
    assert_string_equal(buf_cstr(&b), "again");
    assert_ptr_not_equal(b.p, p);
    assert_string_equal(p, "owned text"); /* the stolen memory is untouched */
    char big[101];
    memset(big, 'x', 100);
    big[100] = '\0';
    assert_int_equal(buf_adds(&b, big), RP_ETOOBIG);
    free(p);

    p = buf_steal(&b, NULL);
    assert_string_equal(p, "again");
    free(p);
    buf_release(&b);
}

static void test_release_wipe_and_reuse(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_adds(&b, "secret password"), RP_OK);
    buf_release_wipe(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    buf_release_wipe(&b); /* on an empty buffer */
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345678"), RP_OK);
    assert_int_equal(buf_addc(&b, '9'), RP_ETOOBIG);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_max),
        cmocka_unit_test(test_max_larger_than_growth),
        cmocka_unit_test(test_unlimited),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_release_wipe_and_reuse),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
