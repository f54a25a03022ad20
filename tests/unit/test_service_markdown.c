/* Unit tests for svc_md_quote (mod/service/markdown.c): a case's text becomes Markdown
 * that renders as the text itself — markup characters escaped where they would be
 * markup, line breaks kept, indentation that would make code dropped — checked against
 * hand-written Markdown and through the knowledge base's own renderer (kb_render). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/mod/service/markdown.c"

#include "mod/kb/kb.h"

static struct arena A;

static const char *quote(const char *text)
{
    struct rp_buf b;
    buf_init(&b, 4096);
    assert_int_equal(svc_md_quote(&b, rp_str_c(text)), RP_OK);
    const char *out = arena_strdup(&A, buf_cstr(&b));
    buf_release(&b);
    return out;
}

struct quote_case {
    const char *name;
    const char *text;
    const char *want;
};

static const struct quote_case QUOTES[] = {
    {"plain text stays", "The printer works again.", "The printer works again."},
    {"Chinese stays", "打印机无法连接", "打印机无法连接"},
    {"emphasis and code", "*not* _bold_ `code`", "\\*not\\* \\_bold\\_ \\`code\\`"},
    {"links, HTML and entities", "[x](javascript:y) <b>hi</b> &amp;",
     "\\[x\\](javascript:y) \\<b\\>hi\\</b\\> \\&amp;"},
    {"a heading", "# Not a heading", "\\# Not a heading"},
    {"a hash inside a line stays", "Ticket #42", "Ticket #42"},
    {"a quote", "> said", "\\> said"},
    {"list items", "- one\n+ two\n* three", "\\- one\\\n\\+ two\\\n\\* three"},
    {"an ordered list", "1. first\n2) second", "1\\. first\\\n2\\) second"},
    {"a number in a sentence stays", "Version 2.1 fixed it", "Version 2.1 fixed it"},
    {"a thematic break", "---", "\\---"},
    {"a setext underline", "Title\n===", "Title\\\n\\==="},
    {"line breaks kept", "line one\nline two", "line one\\\nline two"},
    {"paragraphs kept, blank runs become one", "one\n\n\n\ntwo", "one\n\ntwo"},
    {"CRLF", "one\r\ntwo\r\n", "one\\\ntwo"},
    {"indentation dropped", "    indented code\n\tand a tab", "indented code\\\nand a tab"},
    {"trailing spaces dropped", "end   \nnext", "end\\\nnext"},
    {"blank lines around dropped", "\n\n  text  \n\n", "text"},
    {"a backslash", "C:\\temp\\", "C:\\\\temp\\\\"},
    {"tables and strikethrough", "a | b ~~c~~", "a \\| b \\~\\~c\\~\\~"},
    {"empty", "", ""},
};

static void test_quotes(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(QUOTES); i++) {
        const char *got = quote(QUOTES[i].text);
        if (strcmp(got, QUOTES[i].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", QUOTES[i].name, got, QUOTES[i].want);
    }
}

struct render_case {
    const char *name;
    const char *text;
    const char *html;
};

/* What the knowledge base shows: the text, escaped as HTML, in paragraphs. */
static const struct render_case RENDERS[] = {
    {"markup shows as text", "# *Hi* <script>x</script> [a](b)",
     "<p># *Hi* &lt;script&gt;x&lt;/script&gt; [a](b)</p>\n"},
    {"lines and paragraphs", "1. Restart\n- Unplug\n\nDone & dusted",
     "<p>1. Restart<br />\n- Unplug</p>\n<p>Done &amp; dusted</p>\n"},
    {"a would-be heading underline", "Result\n---", "<p>Result<br />\n---</p>\n"},
    {"code stays text", "    int x;\n`y`", "<p>int x;<br />\n`y`</p>\n"},
};

static void test_renders_as_written(void **state)
{
    (void)state;
    for (size_t i = 0; i < RP_NELEM(RENDERS); i++) {
        const char *md = quote(RENDERS[i].text);
        const char *html = NULL;
        assert_int_equal(kb_render(&A, md, strlen(md), &html), RP_OK);
        if (strcmp(html, RENDERS[i].html) != 0)
            fail_msg("%s: rendered \"%s\", want \"%s\"", RENDERS[i].name, html, RENDERS[i].html);
    }
}

static void test_too_big(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 8);
    assert_int_equal(svc_md_quote(&b, rp_str_c("*****")), RP_ETOOBIG);
    buf_release(&b);
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
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_renders_as_written),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
