/* Unit tests for the outgoing-request guard: core/netaddr (which addresses are refused,
 * the allow-list) and the automation module's URL check, which resolves the host with
 * the C library the way a connection would and judges every address it gives — a table
 * of the spellings people use to reach the machine itself or a private network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/netaddr.h"
#include "mod/automation/automation.h"

static void refused(const char *lit, const char *why)
{
    struct netaddr a;
    if (!netaddr_parse(rp_str_c(lit), &a))
        fail_msg("netaddr_parse(\"%s\") refused a literal", lit);
    const char *got = netaddr_refused(&a);
    if (why && (!got || strcmp(got, why) != 0))
        fail_msg("netaddr_refused(%s) = %s, want %s", lit, got ? got : "(public)", why);
    if (!why && got)
        fail_msg("netaddr_refused(%s) = %s, want public", lit, got);
}

static void test_ranges(void **state)
{
    (void)state;
    refused("127.0.0.1", "loopback");
    refused("127.255.255.254", "loopback");
    refused("10.1.2.3", "private");
    refused("172.16.0.1", "private");
    refused("172.31.255.255", "private");
    refused("192.168.0.1", "private");
    refused("169.254.169.254", "link-local");
    refused("0.0.0.0", "this network");
    refused("100.64.0.1", "shared (carrier NAT)");
    refused("224.0.0.1", "multicast");
    refused("255.255.255.255", "reserved");
    refused("198.18.0.1", "benchmarking");
    refused("::1", "loopback");
    refused("::", "unspecified");
    refused("[::1]", "loopback");
    refused("fc00::1", "unique-local (private)");
    refused("fd12:3456::1", "unique-local (private)");
    refused("fe80::1", "link-local");
    refused("ff02::1", "multicast");
    refused("::ffff:127.0.0.1", "loopback");
    refused("::ffff:10.0.0.1", "private");
    refused("::ffff:7f00:1", "loopback");
    refused("::127.0.0.1", "loopback");
    refused("64:ff9b::a9fe:a9fe", "link-local");
    refused("2002:7f00:1::", "loopback");
    refused("2002:c0a8:101::", "private");
    /* Public ones pass. */
    refused("8.8.8.8", NULL);
    refused("172.32.0.1", NULL);
    refused("100.128.0.1", NULL);
    refused("2606:4700::1111", NULL);
    refused("::ffff:8.8.8.8", NULL);
    struct netaddr a;
    assert_false(netaddr_parse(rp_str_c("127.1"), &a)); /* not a literal: resolved */
    assert_false(netaddr_parse(rp_str_c("example.com"), &a));
    assert_false(netaddr_parse(rp_str_c(""), &a));
}

static void test_allow_list(void **state)
{
    (void)state;
    struct netaddr lo, ten, v6;
    assert_true(netaddr_parse(rp_str_c("127.0.0.1"), &lo));
    assert_true(netaddr_parse(rp_str_c("10.1.2.3"), &ten));
    assert_true(netaddr_parse(rp_str_c("fd00::5"), &v6));
    const char *allow = "127.0.0.1, 10.1.0.0/16\nfd00::/8 receiver.internal.";
    assert_true(netaddr_allowed(allow, rp_str_c("127.0.0.1"), &lo));
    assert_true(netaddr_allowed(allow, rp_str_c("x"), &ten));
    assert_true(netaddr_allowed(allow, rp_str_c("x"), &v6));
    assert_false(netaddr_allowed("10.2.0.0/16", rp_str_c("x"), &ten));
    assert_false(netaddr_allowed(NULL, rp_str_c("x"), &lo));
    assert_false(netaddr_allowed("", rp_str_c("x"), &lo));
    /* A host name lets that name through, whatever case and final dot. */
    assert_true(netaddr_allowed(allow, rp_str_c("RECEIVER.internal"), &ten));
    assert_false(netaddr_allowed("receiver.internal", rp_str_c("other.internal"), &lo));
    /* An IPv4 range does not match an IPv6 address. */
    assert_false(netaddr_allowed("0.0.0.0/0", rp_str_c("x"), &v6));

    const char *bad;
    size_t len;
    assert_true(netaddr_allow_valid("", &bad, &len));
    assert_true(netaddr_allow_valid(allow, &bad, &len));
    assert_false(netaddr_allow_valid("127.0.0.1, not a host!", &bad, &len));
    assert_int_equal(len, 5); /* "not" and "a" are host names */
    assert_memory_equal(bad, "host!", 5);
    assert_false(netaddr_allow_valid("10.0.0.0/33", &bad, &len));
    assert_false(netaddr_allow_valid("10.0.0.0/", &bad, &len));
    assert_false(netaddr_allow_valid("fd00::/129", &bad, &len));
}

/* Every spelling of a refused destination is refused by the URL check. */
static void test_url_variants(void **state)
{
    (void)state;
    static const char *const REFUSED[] = {
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/hook",
        "http://127.1/",
        "http://127.0.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://0x7f.0x0.0x0.0x1/",
        "http://0177.0.0.1/",
        "http://017700000001/",
        "http://127.000.000.001/",
        "http://localhost/",
        "http://localhost./",
        "http://LOCALHOST/",
        "http://LocalHost:9000/x",
        "http://vm/",
        "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd00::abcd]/",
        "http://[::]/",
        "http://0.0.0.0/",
        "http://0/",
        "http://10.0.0.1/",
        "http://10.255.255.255/",
        "http://172.16.5.4/",
        "http://172.31.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "https://127.0.0.1/",
        "http://user:pass@127.0.0.1/",
        "http://127.0.0.1%2f@example.com/",
        "gopher://127.0.0.1/",
        "file:///etc/passwd",
        "ftp://example.com/",
        "dict://127.0.0.1:11211/",
        "not a url",
        "http:///nohost",
    };
    struct arena a;
    arena_init(&a);
    for (size_t i = 0; i < RP_NELEM(REFUSED); i++) {
        const char *why = NULL, *resolve = NULL;
        if (au_url_check(&a, REFUSED[i], NULL, &why, &resolve))
            fail_msg("au_url_check(\"%s\") passed", REFUSED[i]);
        assert_non_null(why);
    }
    /* The allow-list lets the chosen ones through, and only them. */
    const char *why, *resolve;
    assert_true(au_url_check(&a, "http://127.0.0.1:9/", "127.0.0.1", &why, &resolve));
    assert_null(resolve); /* a literal needs no pin */
    assert_true(au_url_check(&a, "http://localhost:9/", "localhost", &why, &resolve));
    assert_non_null(resolve);
    assert_string_equal(resolve, "localhost:9:127.0.0.1");
    assert_false(au_url_check(&a, "http://10.0.0.1/", "127.0.0.1", &why, &resolve));
    assert_true(au_url_check(&a, "http://[::1]:80/", "::1", &why, &resolve));
    arena_release(&a);
}

static void test_signature(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* HMAC-SHA256("secret", "1700000000.{}"), computed independently with
     * `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`. */
    assert_string_equal(au_signature(&a, "secret", 1700000000, "{}", 2),
                        "t=1700000000,v1="
                        "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_url_variants),
        cmocka_unit_test(test_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
