/* The mail module's pure parts: the message builder (encoded-words for Chinese that
 * never split a character, folding, RFC 5322 dates, quoted-printable and base64 bodies,
 * multipart/alternative, CR/LF refused wherever user text reaches a header), address
 * lists, the template renderer (merge fields, defaults, HTML escaping, malformed tags)
 * and the secret box. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../src/mod/mail/message.c"
#include "core/text.h"

static struct arena A;

static const char *build(const struct mail_msg *m)
{
    struct rp_buf b;
    buf_init(&b, MAIL_MAX_MESSAGE);
    assert_int_equal(mail_build(&b, m), RP_OK);
    const char *s = arena_strndup(&A, b.p, b.len);
    buf_release(&b);
    return s;
}

static const char *encoded(const char *text, size_t col)
{
    struct rp_buf b;
    buf_init(&b, 4096);
    assert_int_equal(mail_add_encoded(&b, text, col), RP_OK);
    const char *s = arena_strndup(&A, b.p, b.len);
    buf_release(&b);
    return s;
}

/* Decodes a header value of encoded-words back to its text (what a reader shows). */
static const char *decode_words(const char *v)
{
    char *out = arena_alloc(&A, strlen(v) + 1);
    size_t n = 0;
    for (const char *p = v; (p = strstr(p, "=?UTF-8?B?")) != NULL;) {
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        size_t len = 0;
        assert_int_equal(sodium_base642bin((unsigned char *)out + n, strlen(v) - n, p,
                                           (size_t)(end - p), NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        /* Each word holds whole characters: it is valid UTF-8 on its own. */
        assert_true(text_utf8_valid((struct rp_str){out + n, len}));
        n += len;
        p = end + 2;
    }
    out[n] = '\0';
    return out;
}

static size_t longest_line(const char *s)
{
    size_t best = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\n') {
            best = cur > best ? cur : best;
            cur = 0;
        } else if (*s != '\r') {
            cur++;
        }
    }
    return cur > best ? cur : best;
}

static void test_header_safety(void **state)
{
    (void)state;
    assert_true(mail_header_safe("Hello, 世界\tok", strlen("Hello, 世界\tok")));
    assert_false(mail_header_safe("a\r\nBcc: x@y.z", 14));
    assert_false(mail_header_safe("a\nb", 3));
    assert_false(mail_header_safe("a\rb", 3));
    assert_false(mail_header_safe("a\0b", 3));
    assert_false(mail_header_safe("a\x7f", 2));
    assert_true(mail_addr_valid("li.zhang@example.cn", 19));
    assert_false(mail_addr_valid("a@b", 3));
    assert_false(mail_addr_valid("a@@b.c", 6));
    assert_false(mail_addr_valid("a b@c.d", 7));
    assert_false(mail_addr_valid("a@c.d>\r\n", 8));
    assert_false(mail_addr_valid("<a@c.d>", 7));
    assert_false(mail_addr_valid("a@c..d", 6));
}

static void test_address_lists(void **state)
{
    (void)state;
    struct mail_addr *l;
    size_t n;
    const char *s = "a@example.com, \"Boss, Big\" <boss@example.com>,王 丽 <li@example.cn>,";
    assert_int_equal(mail_parse_addrs(&A, s, strlen(s), 10, &l, &n), RP_OK);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].addr, "a@example.com");
    assert_null(l[0].name);
    assert_string_equal(l[1].name, "Boss, Big");
    assert_string_equal(l[1].addr, "boss@example.com");
    assert_string_equal(l[2].name, "王 丽");
    s = "a@example.com\r\nRCPT TO:<b@example.com>";
    assert_int_equal(mail_parse_addrs(&A, s, strlen(s), 10, &l, &n), RP_EINVAL);
    s = "x <a@example.com";
    assert_int_equal(mail_parse_addrs(&A, s, strlen(s), 10, &l, &n), RP_EINVAL);
    s = "a@example.com, b@example.com";
    assert_int_equal(mail_parse_addrs(&A, s, strlen(s), 1, &l, &n), RP_ETOOBIG);
}

static void test_encoded_words(void **state)
{
    (void)state;
    /* Plain ASCII stays as it is. */
    assert_string_equal(encoded("Quarterly report", 9), "Quarterly report");
    /* Chinese: encoded-words, each within 75 characters, whole characters each. */
    const char *zh = "关于长城有限公司的报价与合同续签事宜，请于本周五之前回复确认，谢谢您的支持与配合";
    const char *e = encoded(zh, 9);
    assert_non_null(strstr(e, "=?UTF-8?B?"));
    assert_string_equal(decode_words(e), zh);
    assert_true(longest_line(arena_printf(&A, "Subject: %s", e)) <= 78);
    assert_non_null(strstr(e, "\r\n "));
    /* Text that looks like an encoded-word is encoded, so it reads as typed. */
    assert_non_null(strstr(encoded("=?UTF-8?B?abc?=", 9), "=?UTF-8?B?PT9"));
    /* Long ASCII folds at spaces. */
    const char *lng = "one two three four five six seven eight nine ten eleven twelve thirteen "
                      "fourteen fifteen sixteen seventeen";
    e = encoded(lng, 9);
    assert_non_null(strstr(e, "\r\n "));
    assert_true(longest_line(arena_printf(&A, "Subject: %s", e)) <= 78);
}

static void test_date(void **state)
{
    (void)state;
    char d[40];
    mail_date(1796557587000LL, d, sizeof(d)); /* 2026-12-06T11:46:27Z */
    assert_string_equal(d, "Sun, 06 Dec 2026 11:46:27 +0000");
    mail_date(0, d, sizeof(d));
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
}

static const struct mail_addr TO[] = {{"张丽", "li@example.cn"}, {NULL, "b@example.com"}};

static void test_multipart_message(void **state)
{
    (void)state;
    struct mail_msg m = {
        .from = {"销售部 Sales", "crm@example.com"}, .to = TO, .nto = 2,
        .subject = "报价", .text = "您好：\n报价见附件。", .html = "<p>您好</p>",
        .message_id = "<1@example.com>", .date_ms = 0,
    };
    const char *s = build(&m);
    assert_non_null(strstr(s, "From: =?UTF-8?B?"));
    assert_non_null(strstr(s, "<crm@example.com>\r\n"));
    assert_non_null(strstr(s, "To: =?UTF-8?B?5byg5Li9?= <li@example.cn>,\r\n <b@example.com>\r\n"));
    assert_non_null(strstr(s, "Subject: =?UTF-8?B?5oql5Lu3?=\r\n"));
    assert_non_null(strstr(s, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
    assert_non_null(strstr(s, "Message-ID: <1@example.com>\r\n"));
    assert_non_null(strstr(s, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary=\"=_rapport_"));
    assert_non_null(strstr(s, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64"));
    assert_non_null(strstr(s, "Content-Type: text/html; charset=UTF-8\r\n"));
    /* Every line ends in CRLF, none longer than 78. */
    for (const char *p = s; (p = strchr(p, '\n')) != NULL; p++)
        assert_int_equal(p[-1], '\r');
    if (longest_line(s) > 78)
        fail_msg("a line is longer than 78:\n%s", s);
    assert_null(strstr(s, "In-Reply-To:"));
    assert_null(strstr(s, "Auto-Submitted:"));
    /* An automatic answer in a thread (RFC 3834 section 5, RFC 5322 section 3.6.4). */
    m.in_reply_to = "<q.7@customer.example>";
    m.automatic = true;
    s = build(&m);
    assert_non_null(strstr(s, "\r\nIn-Reply-To: <q.7@customer.example>\r\n"
                              "References: <q.7@customer.example>\r\n"
                              "Auto-Submitted: auto-replied\r\n"));
}

static void test_calendar_part(void **state)
{
    (void)state;
    const char *cal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                      "UID:1@rapport\r\nSUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    struct mail_msg m = {
        .from = {NULL, "crm@example.com"}, .to = TO, .nto = 1, .subject = "Invitation: Review",
        .text = "Olivia invites you to: Review", .calendar = cal,
        .message_id = "<2@example.com>", .date_ms = 0,
    };
    /* The text and the calendar, alternatives of each other, the calendar last. */
    const char *s = build(&m);
    const char *alt = strstr(s, "Content-Type: multipart/alternative;");
    const char *text = strstr(s, "Content-Type: text/plain; charset=UTF-8\r\n");
    const char *ics =
        strstr(s, "Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\nBEGIN:VCALENDAR\r\n");
    assert_non_null(alt);
    assert_non_null(text);
    assert_non_null(ics);
    assert_true(alt < text && text < ics);
    assert_non_null(strstr(ics, "METHOD:REQUEST\r\n"));
    /* With an HTML body too, all three. */
    m.html = "<p>Olivia invites you</p>";
    s = build(&m);
    assert_non_null(strstr(s, "Content-Type: text/html; charset=UTF-8\r\n"));
    assert_non_null(strstr(s, "Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n"));
    /* A calendar object without a METHOD (or with a malformed one) is not sent. */
    struct rp_buf b;
    buf_init(&b, MAIL_MAX_MESSAGE);
    m.calendar = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_reset(&b);
    m.calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST; x=\"y\"\r\nEND:VCALENDAR\r\n";
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_release(&b);
}

static void test_quoted_printable(void **state)
{
    (void)state;
    char body[400];
    snprintf(body, sizeof(body), "a = b \n.start\nend  \n%s", "x" "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    struct mail_msg m = {.from = {NULL, "a@example.com"}, .to = TO + 1, .nto = 1,
                         .subject = "Plain", .text = body, .message_id = "<2@example.com>"};
    const char *s = build(&m);
    assert_non_null(strstr(s, "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                              "a =3D b=20\r\n=2Estart\r\nend =20\r\n"));
    assert_non_null(strstr(s, "=\r\n"));  /* a soft break in the long line */
    assert_true(longest_line(s) <= 76);
}

static void test_unsafe_headers_refused(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, MAIL_MAX_MESSAGE);
    struct mail_msg m = {.from = {NULL, "a@example.com"}, .to = TO + 1, .nto = 1,
                         .subject = "Hi\r\nBcc: victim@example.com", .text = "x",
                         .message_id = "<3@example.com>"};
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_reset(&b);
    m.subject = "Hi";
    m.in_reply_to = "<a@b>\r\nBcc: victim@example.com";
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_reset(&b);
    m.in_reply_to = NULL;
    struct mail_addr bad = {"Evil\r\nBcc: v@example.com", "a@example.com"};
    m.from = bad;
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_reset(&b);
    m.from = (struct mail_addr){NULL, "a@example.com>\r\nX: y"};
    assert_int_equal(mail_build(&b, &m), RP_EINVAL);
    buf_reset(&b);
    m.from = (struct mail_addr){NULL, "a@example.com"};
    m.text = NULL;
    assert_int_equal(mail_build(&b, &m), RP_EINVAL); /* no body */
    buf_release(&b);
}

/* ---- templates ---- */

static const char *lookup(void *arg, struct rp_str object, struct rp_str field)
{
    (void)arg;
    if (rp_str_eqc(object, "contact") && rp_str_eqc(field, "first_name"))
        return "丽";
    if (rp_str_eqc(object, "account") && rp_str_eqc(field, "name"))
        return "A & <B> \"C\"";
    if (rp_str_eqc(object, "contact") && rp_str_eqc(field, "title"))
        return "";
    return NULL;
}

static bool known(void *arg, struct rp_str object, struct rp_str field)
{
    (void)arg;
    return rp_str_eqc(object, "contact") || (rp_str_eqc(object, "account") && rp_str_eqc(field, "name"));
}

static const char *render(const char *tpl, bool html)
{
    struct rp_buf b;
    buf_init(&b, 4096);
    assert_int_equal(mail_render(&b, tpl, strlen(tpl), html, lookup, NULL), RP_OK);
    const char *s = arena_strndup(&A, buf_cstr(&b), b.len);
    buf_release(&b);
    return s;
}

static void test_render(void **state)
{
    (void)state;
    assert_string_equal(render("Hi {{contact.first_name}}!", false), "Hi 丽!");
    assert_string_equal(render("{{ contact.first_name | there }}", false), "丽");
    assert_string_equal(render("Hi {{contact.title|there}} {{contact.last_name|朋友}}", false),
                        "Hi there 朋友");
    assert_string_equal(render("{{account.name}}", false), "A & <B> \"C\"");
    assert_string_equal(render("<b>{{account.name}}</b>", true),
                        "<b>A &amp; &lt;B&gt; &quot;C&quot;</b>");
    assert_string_equal(render("{{contact.nothing|<x>}}", true), "&lt;x&gt;");
    assert_string_equal(render("no tags { } {x}", false), "no tags { } {x}");
    assert_string_equal(render("", false), "");
    struct rp_buf b;
    buf_init(&b, 4096);
    assert_int_equal(mail_render(&b, "{{contact.first_name", 20, false, lookup, NULL), RP_EINVAL);
    buf_release(&b);
}

static void test_template_check(void **state)
{
    (void)state;
    struct rp_str bad;
    const char *ok = "Dear {{contact.first_name|there}}, {{account.name}}";
    assert_int_equal(mail_template_check(ok, strlen(ok), known, NULL, &bad), RP_OK);
    const char *unknown = "x {{account.shoe_size}} y";
    assert_int_equal(mail_template_check(unknown, strlen(unknown), known, NULL, &bad), RP_EINVAL);
    assert_int_equal(bad.len, strlen("{{account.shoe_size}}"));
    assert_memory_equal(bad.p, "{{account.shoe_size}}", bad.len);
    for (const char *t = "{{contact}}\0{{.x}}\0{{Contact.X}}\0{{contact.first name}}\0a {{contact.x\0";
         *t; t += strlen(t) + 1)
        assert_int_equal(mail_template_check(t, strlen(t), known, NULL, &bad), RP_EINVAL);
}

static void test_secret_box(void **state)
{
    (void)state;
    unsigned char key[32], other[32];
    memset(key, 7, sizeof(key));
    memset(other, 8, sizeof(other));
    const char *sealed, *plain, *again;
    assert_int_equal(mail_seal(&A, key, "smtp-密码", &sealed), RP_OK);
    assert_int_equal(strncmp(sealed, "v1:", 3), 0);
    assert_null(strstr(sealed, "smtp"));
    assert_int_equal(mail_open(&A, key, sealed, &plain), RP_OK);
    assert_string_equal(plain, "smtp-密码");
    /* A random nonce: the same secret seals differently each time. */
    assert_int_equal(mail_seal(&A, key, "smtp-密码", &again), RP_OK);
    assert_string_not_equal(sealed, again);
    assert_int_equal(mail_open(&A, other, sealed, &plain), RP_EINVAL);
    assert_int_equal(mail_open(&A, key, "v1:AAAA", &plain), RP_EINVAL);
    assert_int_equal(mail_open(&A, key, "plain", &plain), RP_EINVAL);
}

int main(void)
{
    arena_init(&A);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_safety),     cmocka_unit_test(test_address_lists),
        cmocka_unit_test(test_encoded_words),     cmocka_unit_test(test_date),
        cmocka_unit_test(test_multipart_message), cmocka_unit_test(test_calendar_part),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_unsafe_headers_refused), cmocka_unit_test(test_render),
        cmocka_unit_test(test_template_check),    cmocka_unit_test(test_secret_box),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_release(&A);
    return rc;
}
