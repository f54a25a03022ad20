/* Unit tests for crm/password.c: the length rule in characters, the common-password
 * list (sorted, so the binary search finds every entry) and the argon2id cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/engine/password.c"

static void test_length(void **state)
{
    (void)state;
    assert_non_null(password_weakness("eleven-char", 11));
    assert_null(password_weakness("twelve-chars", 12));
    char buf[200];
    memset(buf, 'x', sizeof(buf));
    buf[0] = 'y';
    assert_null(password_weakness(buf, 128));
    assert_non_null(password_weakness(buf, 129));
    /* Characters, not bytes: 12 Chinese characters pass, 11 do not. */
    const char *zh = "我的密码是很长的一句话啊";
    assert_int_equal(strlen(zh), 36);
    assert_null(password_weakness(zh, strlen(zh)));
    assert_non_null(password_weakness(zh, strlen(zh) - 3));
}

static void test_common(void **state)
{
    (void)state;
    for (size_t i = 1; i < RP_NELEM(COMMON); i++)
        assert_true(strcmp(COMMON[i - 1], COMMON[i]) < 0);
    /* Every entry is found, in any ASCII case. */
    for (size_t i = 0; i < RP_NELEM(COMMON); i++) {
        assert_true(common(COMMON[i], strlen(COMMON[i])));
        char up[200];
        size_t n = strlen(COMMON[i]);
        assert_true(n < sizeof(up));
        for (size_t k = 0; k < n; k++)
            up[k] = (COMMON[i][k] >= 'a' && COMMON[i][k] <= 'z') ? COMMON[i][k] - 32 : COMMON[i][k];
        assert_true(common(up, n));
    }
    assert_true(RP_NELEM(COMMON) >= 300);
    assert_non_null(password_weakness("Password1234", 12));
    assert_non_null(password_weakness("qwertyuiop123", 13));
    assert_non_null(password_weakness("aaaaaaaaaaaaaa", 14));
    /* A prefix or an extension of an entry is not an entry. */
    assert_null(password_weakness("password1234-xq", 15));
    assert_null(password_weakness("amber-violet-sea", 16));
}

/* The stored hash names its algorithm and cost: "$argon2id$v=19$m=65536,t=2,p=1$…". */
static void test_argon2id_cost(void **state)
{
    (void)state;
    char hash[crypto_pwhash_STRBYTES];
    assert_int_equal(password_hash(hash, "amber-violet-sea", 16), RP_OK);
    assert_true(strncmp(hash, "$argon2id$v=19$m=", 17) == 0);
    const char *p = hash + 17;
    int64_t mem = 0, t = 0;
    while (*p >= '0' && *p <= '9')
        mem = mem * 10 + (*p++ - '0');
    assert_true(strncmp(p, ",t=", 3) == 0);
    p += 3;
    while (*p >= '0' && *p <= '9')
        t = t * 10 + (*p++ - '0');
    assert_true(mem >= 19 * 1024); /* KiB: at least 19 MiB */
    assert_true(t >= 2);
    assert_int_equal(crypto_pwhash_str_verify(hash, "amber-violet-sea", 16), 0);
    assert_int_equal(crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT),
                     0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_argon2id_cost),
    };
    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
