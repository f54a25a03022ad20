/* The knowledge base's pure parts: Markdown rendered safe whatever an author writes
 * (raw HTML, script URLs in every disguise, event handlers), the schemes links and
 * images keep, and the words a suggestion looks for in a subject being typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../src/mod/kb/render.c"

static struct arena A;

static const char *render(const char *md)
{
    const char *html = NULL;
    assert_int_equal(kb_render(&A, md, strlen(md), &html), RP_OK);
    return html;
}

/* Case-insensitive: whether html contains needle. */
static bool has(const char *html, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = html; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

static void test_renders_markdown(void **state)
{
    (void)state;
    const char *h = render("# Title\n\nSome *emphasis* and **strong**, `code`.\n\n- one\n- two\n");
    assert_string_equal(h, "<h1>Title</h1>\n<p>Some <em>emphasis</em> and <strong>strong</strong>, "
                           "<code>code</code>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
    assert_string_equal(render("打印机**脱机**"), "<p>打印机<strong>脱机</strong></p>\n");
    assert_string_equal(render(""), "");
}

static void test_keeps_safe_links_and_images(void **state)
{
    (void)state;
    assert_string_equal(render("[a](https://example.com/x?y=1&z=2)"),
                        "<p><a href=\"https://example.com/x?y=1&amp;z=2\">a</a></p>\n");
    assert_string_equal(render("[a](HTTP://example.com)"),
                        "<p><a href=\"HTTP://example.com\">a</a></p>\n");
    assert_string_equal(render("[mail](mailto:help@example.com)"),
                        "<p><a href=\"mailto:help@example.com\">mail</a></p>\n");
    assert_string_equal(render("[next](/kb/123) [here](#steps)"),
                        "<p><a href=\"/kb/123\">next</a> <a href=\"#steps\">here</a></p>\n");
    assert_string_equal(render("![p](https://example.com/p.png) ![q](img/q.png)"),
                        "<p><img src=\"https://example.com/p.png\" alt=\"p\" /> "
                        "<img src=\"img/q.png\" alt=\"q\" /></p>\n");
}

/* The tags of html without their attribute values (what is between =" and "): the
 * names of elements and attributes, nothing of the text. */
static const char *unquoted(const char *html)
{
    char *out = arena_alloc(&A, strlen(html) + 1), *o = out;
    bool in_tag = false;
    for (const char *p = html; *p; p++) {
        in_tag = *p == '<' || (in_tag && *p != '>');
        if (in_tag || *p == '>')
            *o++ = *p;
        if (in_tag && p[0] == '=' && p[1] == '"') {
            const char *end = strchr(p + 2, '"');
            p = end ? end : p + strlen(p) - 1;
        }
    }
    *o = '\0';
    return out;
}

/* Whether every href and src of html is an http(s) URL, a mailto: link, or relative
 * (no colon at all): checked apart from kb_url_allowed. */
static bool attrs_safe(const char *html)
{
    static const char *const ATTRS[] = {"href=\"", "src=\""};
    for (size_t k = 0; k < RP_NELEM(ATTRS); k++) {
        for (const char *p = strstr(html, ATTRS[k]); p; p = strstr(p + 1, ATTRS[k])) {
            const char *v = p + strlen(ATTRS[k]), *end = strchr(v, '"');
            bool colon = memchr(v, ':', (size_t)(end - v)) != NULL;
            if (colon && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0 &&
                (k == 1 || strncmp(v, "mailto:", 7) != 0))
                return false;
        }
    }
    return true;
}

/* Every hostile input: the HTML holds none of the dangerous words, and the text of an
 * unwrapped link stays. */
static void test_hostile_markdown(void **state)
{
    (void)state;
    static const char *const HOSTILE[] = {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "text <script>alert(1)</script> inline",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onclick=\"alert(1)\">block</div>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](java&#x73;cript:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x](mailto:a@example.com)",
        "[x](file:///etc/passwd)",
        "[x](https://a.example/\" onmouseover=\"alert(1))",
        "[x](https://a.example/ \"t\\\" onmouseover=alert(1) x=\\\"\")",
        "![x\" onerror=\"alert(1)](https://a.example/i.png)",
        "[<img src=x onerror=alert(1)>](https://a.example)",
        "[![i](javascript:alert(1))](javascript:alert(2))",
        "``` onerror=alert(1)\ncode\n```",
        "<!-- <script>alert(1)</script> -->",
        "<style>body{display:none}</style>",
    };
    for (size_t i = 0; i < RP_NELEM(HOSTILE); i++) {
        const char *h = render(HOSTILE[i]);
        const char *tags = unquoted(h);
        if (has(h, "<script") || has(h, "<iframe") || has(h, "<svg") || has(h, "<style") ||
            has(h, "<div") || has(tags, " onerror=") || has(tags, " onload=") ||
            has(tags, " onclick=") || has(tags, " onmouseover=") || !attrs_safe(h))
            fail_msg("hostile Markdown %zu rendered unsafe: %s -> %s", i, HOSTILE[i], h);
    }
    /* A refused link keeps its text; a refused image its alt text. */
    assert_string_equal(render("[click me](javascript:alert(1))"), "<p>click me</p>\n");
    assert_string_equal(render("![a picture](javascript:alert(1))"), "<p>a picture</p>\n");
    assert_string_equal(render("a <b>bold</b> word"), "<p>a bold word</p>\n");
    assert_string_equal(render("<script>alert(1)</script>"), "");
}

static void test_url_allowed(void **state)
{
    (void)state;
    assert_true(kb_url_allowed("https://x", false));
    assert_true(kb_url_allowed("http://x", true));
    assert_true(kb_url_allowed("mailto:a@b", false));
    assert_false(kb_url_allowed("mailto:a@b", true));
    assert_true(kb_url_allowed("/a/b:c", false));
    assert_true(kb_url_allowed("a/b", true));
    assert_true(kb_url_allowed("?q=1", false));
    assert_true(kb_url_allowed("", false));
    assert_false(kb_url_allowed("javascript:x", false));
    assert_false(kb_url_allowed(" \x01javascript:x", false));
    assert_false(kb_url_allowed("ja\nva\tscript:x", false));
    assert_false(kb_url_allowed("ftp://x", false));
    assert_false(kb_url_allowed("data:image/png;base64,AA", true));
    assert_false(kb_url_allowed("a b:c", false));
}

static const char *terms_of(const char *text)
{
    struct rp_str t[KB_MAX_SUGGEST_TERMS];
    size_t n = kb_suggest_terms(rp_str_c(text), t, KB_MAX_SUGGEST_TERMS);
    char *out = arena_alloc(&A, 512);
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, 512 - len, "%s%.*s", i ? "|" : "", (int)t[i].len,
                                t[i].p);
    return out;
}

static void test_suggest_terms(void **state)
{
    (void)state;
    assert_string_equal(terms_of("The printer is offline"), "printer|offline");
    assert_string_equal(terms_of("VPN: error 809, again; vpn"), "VPN|error|809|again");
    assert_string_equal(terms_of("打印机脱机"), "打印|印机|机脱|脱机");
    assert_string_equal(terms_of("王"), "王");
    assert_string_equal(terms_of("Wi-Fi连接，断开"), "Wi|Fi|连接|断开");
    assert_string_equal(terms_of("a ! ?"), "");
    assert_string_equal(terms_of(""), "");
    /* At most the maximum, however long the text. */
    assert_string_equal(terms_of("one two three four five six seven eight nine ten eleven twelve "
                                 "thirteen fourteen"),
                        "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve");
}

static void test_too_long(void **state)
{
    (void)state;
    size_t n = KB_MAX_MARKDOWN + 1;
    char *md = arena_alloc(&A, n);
    memset(md, 'a', n);
    const char *html;
    assert_int_equal(kb_render(&A, md, n, &html), RP_ETOOBIG);
}

static int setup(void **state)
{
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&A);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renders_markdown),
        cmocka_unit_test(test_keeps_safe_links_and_images),
        cmocka_unit_test(test_hostile_markdown),
        cmocka_unit_test(test_url_allowed),
        cmocka_unit_test(test_suggest_terms),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
