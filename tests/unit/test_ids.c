/* Unit tests for core/ids: UUIDv7 format, validation, ordering, uniqueness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ids.h"
#include "core/text.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The 48-bit millisecond timestamp in the first 12 hex digits. */
static uint64_t id_ms(const char *id)
{
    uint64_t ms = 0;
    for (int i = 0; i < 13; i++) {
        if (i == 8)
            continue; /* the hyphen */
        int v = hexval(id[i]);
        assert_true(v >= 0);
        ms = ms << 4 | (uint64_t)v;
    }
    return ms;
}

static void check_uuid7(const char *id)
{
    assert_int_equal(strlen(id), RP_ID_LEN);
    for (int i = 0; i < RP_ID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(id[i], '-');
        else if (hexval(id[i]) < 0)
            fail_msg("id %s has non lower-case hex at %d", id, i);
    }
    assert_int_equal(id[14], '7'); /* version 7 */
    /* RFC 9562 variant: the top two bits of byte 8 are 10. */
    int variant = hexval(id[19]);
    assert_true(variant >= 8 && variant <= 11);
    assert_true(ids_valid(rp_str_c(id)));
}

static void test_format(void **state)
{
    (void)state;
    char id[RP_ID_LEN + 1];
    memset(id, 'X', sizeof(id));
    int64_t before = text_now_ms();
    assert_int_equal(ids_uuid7(id), RP_OK);
    int64_t after = text_now_ms();
    check_uuid7(id);
    /* The timestamp is the creation time in ms (no duration is asserted). */
    uint64_t ms = id_ms(id);
    assert_true(ms >= (uint64_t)before);
    assert_true(ms <= (uint64_t)after);
}

static int cmp_ids(const void *a, const void *b)
{
    return memcmp(a, b, RP_ID_LEN + 1);
}

static void test_order_and_uniqueness(void **state)
{
    (void)state;
    enum { N = 10000 };
    char (*ids)[RP_ID_LEN + 1] = calloc(N, sizeof(*ids));
    assert_non_null(ids);
    unsigned nibble_seen[16] = {0};
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(ids_uuid7(ids[i]), RP_OK);
        check_uuid7(ids[i]);
        if (i > 0 && id_ms(ids[i]) < id_ms(ids[i - 1]))
            fail_msg("id %zu went back in time: %s after %s", i, ids[i], ids[i - 1]);
        nibble_seen[hexval(ids[i][35])]++;
    }
    /* The random part varies: every value of the last nibble turns up. */
    for (int v = 0; v < 16; v++)
        assert_true(nibble_seen[v] > 0);
    qsort(ids, N, sizeof(*ids), cmp_ids);
    for (size_t i = 1; i < N; i++)
        if (memcmp(ids[i], ids[i - 1], RP_ID_LEN) == 0)
            fail_msg("duplicate id %s", ids[i]);
    free(ids);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(ids_valid(rp_str_c("0190a5b2-7c3e-7abc-8def-0123456789ab")));
    assert_true(ids_valid(rp_str_c("00000000-0000-0000-0000-000000000000")));
    assert_true(ids_valid(rp_str_c("ffffffff-ffff-ffff-ffff-ffffffffffff")));
    /* A slice of a longer string. */
    const char *longer = "0190a5b2-7c3e-7abc-8def-0123456789ab, trailing";
    assert_true(ids_valid((struct rp_str){longer, RP_ID_LEN}));
    assert_false(ids_valid((struct rp_str){longer, RP_ID_LEN + 1}));
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "0190a5b2-7c3e-7abc-8def-0123456789a",   /* 35 */
        "0190a5b2-7c3e-7abc-8def-0123456789abc", /* 37 */
        "0190A5B2-7C3E-7ABC-8DEF-0123456789AB",  /* upper case is not canonical */
        "0190a5b2-7c3e-7abc-8def-0123456789aB",
        "0190a5b27c3e7abc8def0123456789ab",      /* no hyphens */
        "0190a5b2-7c3e-7abc-8def0-123456789ab",  /* hyphen moved */
        "0190a5b-27c3e-7abc-8def-0123456789ab",
        "0190a5b2_7c3e_7abc_8def_0123456789ab",
        "0190a5b2-7c3e-7abc-8def-0123456789ag",
        "0190a5b2-7c3e-7abc-8def-0123456789a ",
        " 190a5b2-7c3e-7abc-8def-0123456789ab",
        "{190a5b2-7c3e-7abc-8def-0123456789a}",
        "------------------------------------",
        "0190a5b2-7c3e-7abc-8def-01234567890\xc3",
    };
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        if (ids_valid(rp_str_c(bad[i])))
            fail_msg("ids_valid accepted \"%s\"", bad[i]);
    /* An embedded NUL. */
    assert_false(ids_valid((struct rp_str){"0190a5b2-7c3e-7abc-8def-0123456789\0b", RP_ID_LEN}));
}

static void test_random(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_int_equal(ids_random(a, sizeof(a)), RP_OK);
    assert_int_equal(ids_random(b, sizeof(b)), RP_OK);
    /* Two 256-bit draws are equal (or all zero) with probability 2^-256. */
    assert_memory_not_equal(a, b, sizeof(a));
    static const unsigned char zero[32];
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_int_equal(ids_random(a, 0), RP_OK);
    /* Large requests are filled completely (getrandom may return short). */
    size_t n = 1u << 20;
    unsigned char *big = calloc(1, n);
    assert_non_null(big);
    assert_int_equal(ids_random(big, n), RP_OK);
    size_t zeros = 0;
    for (size_t i = n - 4096; i < n; i++)
        zeros += big[i] == 0;
    assert_true(zeros < 200); /* ~16 expected in 4096 random bytes */
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_order_and_uniqueness),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("ids", tests, NULL, NULL);
}
