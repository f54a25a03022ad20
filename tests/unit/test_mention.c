/* Unit tests for core/mention: which `@username` words of a text are mentions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/mention.h"

/* The mentions of text, joined by spaces. */
static const char *parsed(const char *text)
{
    static char out[MENTION_MAX * (MENTION_MAX_NAME + 1) + 1];
    struct mention m[MENTION_MAX];
    size_t n = mention_parse(rp_str_c(text), m), len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(m[k].name);
        if (k)
            out[len++] = ' ';
        memcpy(out + len, m[k].name, l + 1);
        len += l;
    }
    return out;
}

static void test_plain(void **state)
{
    (void)state;
    assert_string_equal(parsed("@ann please call"), "ann");
    assert_string_equal(parsed("ask @ann and @bob.smith"), "ann bob.smith");
    assert_string_equal(parsed("(@ann)"), "ann");
    assert_string_equal(parsed("请@ann处理"), "ann");
    assert_string_equal(parsed("line\n@li_wei"), "li_wei");
}

static void test_case_and_repeats(void **state)
{
    (void)state;
    assert_string_equal(parsed("@Ann @ann @ANN"), "ann");
    assert_string_equal(parsed("@bob @ann @bob"), "bob ann");
}

static void test_sentence_end(void **state)
{
    (void)state;
    assert_string_equal(parsed("thanks @ann."), "ann");
    assert_string_equal(parsed("thanks @ann..."), "ann");
    assert_string_equal(parsed("@ann, @bob!"), "ann bob");
}

static void test_not_mentions(void **state)
{
    (void)state;
    assert_string_equal(parsed("mail ann@example.com"), "");
    assert_string_equal(parsed("@ alone"), "");
    assert_string_equal(parsed("@a is too short"), "");
    assert_string_equal(parsed("@"), "");
    assert_string_equal(parsed(""), "");
    char long_name[MENTION_MAX_NAME + 3];
    long_name[0] = '@';
    memset(long_name + 1, 'x', MENTION_MAX_NAME + 1);
    long_name[MENTION_MAX_NAME + 2] = '\0';
    assert_string_equal(parsed(long_name), "");
    long_name[MENTION_MAX_NAME + 1] = '\0';
    assert_int_equal(strlen(parsed(long_name)), MENTION_MAX_NAME);
}

static void test_usernames_with_at(void **state)
{
    (void)state;
    assert_string_equal(parsed("cc @li@corp.cn"), "li@corp.cn");
}

static void test_limit(void **state)
{
    (void)state;
    char text[MENTION_MAX * 8 + 64];
    size_t len = 0;
    for (int k = 0; k < MENTION_MAX + 4; k++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "@u%02d ", k);
    struct mention m[MENTION_MAX];
    assert_int_equal(mention_parse(rp_str_c(text), m), MENTION_MAX);
    assert_string_equal(m[MENTION_MAX - 1].name, "u15");
}

static void test_has(void **state)
{
    (void)state;
    assert_true(mention_has(rp_str_c("hi @ann"), "ann"));
    assert_false(mention_has(rp_str_c("hi @anna"), "ann"));
    assert_false(mention_has(rp_str_c("hi ann"), "ann"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),      cmocka_unit_test(test_case_and_repeats),
        cmocka_unit_test(test_sentence_end), cmocka_unit_test(test_not_mentions),
        cmocka_unit_test(test_usernames_with_at), cmocka_unit_test(test_limit),
        cmocka_unit_test(test_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
