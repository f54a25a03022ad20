/* Reading received messages (src/mod/mail/mime.c): header fields folded and encoded
 * (RFC 2047, Chinese in UTF-8 and GB2312), address lists with names, groups and
 * comments, RFC 5322 dates with zones, the thread of a reply, multipart trees with
 * quoted-printable and base64 parts, RFC 2231 file names, a calendar part, charsets
 * converted, and malformed input read as far as it goes without reading past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/text.h"
#include "mod/mail/inbox.h"

static struct arena A;

static struct mail_in parse(const char *raw)
{
    struct mail_in m;
    assert_int_equal(mail_parse_message(&A, raw, strlen(raw), &m), RP_OK);
    return m;
}

static int64_t iso(const char *s)
{
    int64_t ms;
    assert_int_equal(text_parse_datetime((struct rp_str){s, strlen(s)}, &ms), RP_OK);
    return ms;
}

static void test_plain_message(void **state)
{
    (void)state;
    struct mail_in m = parse(
        "Return-Path: <li@example.cn>\r\n"
        "From: =?GB2312?B?wO7A9g==?= <li@example.cn>\r\n"
        "To: \"Sales, Team\" <sales@rapport.test>, bob@example.com (Bob Smith),\r\n"
        "  undisclosed: hidden@example.com;\r\n"
        "Cc: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>\r\n"
        "Subject: =?UTF-8?B?5oql5Lu3?= =?UTF-8?B?5Y2V?= for\r\n"
        " Q3\r\n"
        "Date: Sun, 6 Dec 2026 19:36:27 +0800 (CST)\r\n"
        "Message-ID: <abc.123@example.cn>\r\n"
        "In-Reply-To: <parent@rapport.test>\r\n"
        "References: <root@rapport.test>\r\n"
        "   <parent@rapport.test>\r\n"
        "\r\n"
        "Hello,\r\nthe quote is attached.\r\n");
    assert_string_equal(m.from.addr, "li@example.cn");
    assert_string_equal(m.from.name, "李丽");
    assert_int_equal(m.nto, 3);
    assert_string_equal(m.to[0].addr, "sales@rapport.test");
    assert_string_equal(m.to[0].name, "Sales, Team");
    assert_string_equal(m.to[1].addr, "bob@example.com");
    assert_string_equal(m.to[2].addr, "hidden@example.com");
    assert_int_equal(m.ncc, 1);
    assert_string_equal(m.cc[0].name, "Zoë");
    /* Adjacent encoded-words join without their white space; the fold is unfolded. */
    assert_string_equal(m.subject, "报价单 for Q3");
    assert_int_equal(m.date_ms, iso("2026-12-06T11:36:27Z"));
    assert_string_equal(m.message_id, "<abc.123@example.cn>");
    assert_string_equal(m.in_reply_to, "<parent@rapport.test>");
    assert_string_equal(m.thread_root, "<root@rapport.test>");
    assert_string_equal(m.text, "Hello,\nthe quote is attached.\n");
    assert_null(m.html);
    assert_null(m.calendar);
    assert_int_equal(m.natt, 0);
    assert_false(m.automatic);
}

/* What marks a message sent by a machine, which no automatic answer may answer (RFC
 * 3834), and what does not. */
static void test_automatic(void **state)
{
    (void)state;
    static const struct {
        const char *header;
        bool automatic;
    } CASES[] = {
        {"Auto-Submitted: auto-replied\r\n", true},
        {"Auto-Submitted: auto-generated; owner-email=\"x@example.com\"\r\n", true},
        {"auto-submitted:  Auto-Notified \r\n", true},
        {"Auto-Submitted: no\r\n", false},
        {"Auto-Submitted: No (a person wrote it)\r\n", false},
        {"Precedence: bulk\r\n", true},
        {"Precedence: junk\r\n", true},
        {"Precedence: list\r\n", true},
        {"Precedence: first-class\r\n", false},
        {"List-Id: Printers <printers.example.com>\r\n", true},
        {"List-Unsubscribe: <mailto:leave@example.com>\r\n", true},
        {"Return-Path: <>\r\n", true},
        {"Return-Path: <li@example.cn>\r\n", false},
        {"X-Auto-Response-Suppress: OOF, AutoReply\r\n", true},
        {"X-Auto-Response-Suppress: All\r\n", true},
        {"X-Auto-Response-Suppress: DR, RN, NRN\r\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const char *raw = arena_printf(&A, "From: Li <li@example.cn>\r\n%sSubject: Printer\r\n"
                                           "\r\nIt jams.\r\n",
                                       CASES[i].header);
        struct mail_in m = parse(raw);
        if (m.automatic != CASES[i].automatic)
            fail_msg("%s: automatic %d, want %d", CASES[i].header, m.automatic,
                     CASES[i].automatic);
    }
    /* A bounce, by its sender. */
    assert_true(parse("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
                      "Subject: Undelivered\r\n\r\nNo such user.\r\n").automatic);
    assert_true(parse("From: postmaster@example.com\r\nSubject: x\r\n\r\ny\r\n").automatic);
    assert_false(parse("From: master@example.com\r\nSubject: x\r\n\r\ny\r\n").automatic);
}

static void test_multipart_tree(void **state)
{
    (void)state;
    struct mail_in m = parse(
        "From: Ann <ann@example.com>\n"
        "To: rep@rapport.test\n"
        "Subject: Re: meeting\n"
        "In-Reply-To: <inv@rapport.test>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\n"
        "\n"
        "This is a MIME message.\n"
        "--outer\n"
        "Content-Type: multipart/alternative; boundary=inner\n"
        "\n"
        "--inner\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Caf=C3=A9 at 10, a long line that is softly =\n"
        "broken.\n"
        "--inner\n"
        "Content-Type: text/html; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "PHA+Q2Fmw6k8L3A+\n"
        "--inner\n"
        "Content-Type: text/calendar; charset=utf-8; method=REPLY\n"
        "\n"
        "BEGIN:VCALENDAR\n"
        "METHOD:REPLY\n"
        "END:VCALENDAR\n"
        "--inner--\n"
        "--outer\n"
        "Content-Type: application/pdf\n"
        "Content-Disposition: attachment;\n"
        " filename*=UTF-8''%E6%8A%A5%E4%BB%B7.pdf\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "JVBERi0xLjQK\n"
        "--outer\n"
        "Content-Type: image/png; name=\"=?UTF-8?B?5Zu+LnBuZw==?=\"\n"
        "\n"
        "PNG\n"
        "--outer\n"
        "Content-Type: text/plain; name*0=\"notes-\"; name*1=\"part.txt\"\n"
        "\n"
        "attached text\n"
        "--outer--\n"
        "epilogue\n");
    assert_string_equal(m.text, "Café at 10, a long line that is softly broken.");
    assert_string_equal(m.html, "<p>Café</p>");
    assert_non_null(m.calendar);
    assert_non_null(strstr(m.calendar, "METHOD:REPLY\n"));
    assert_int_equal(m.natt, 3);
    assert_string_equal(m.att[0].name, "报价.pdf");
    assert_string_equal(m.att[0].type, "application/pdf");
    assert_int_equal(m.att[0].size, 9); /* "%PDF-1.4\n" */
    assert_string_equal(m.att[1].name, "图.png");
    assert_int_equal(m.att[1].size, 3);
    assert_string_equal(m.att[2].name, "notes-part.txt");
    assert_string_equal(m.thread_root, "<inv@rapport.test>");
    assert_null(m.message_id);
    assert_false(m.truncated);
}

static void test_charsets(void **state)
{
    (void)state;
    /* GB2312 text ("你好") and Latin-1 ("né"); a label iconv does not know is read as
     * UTF-8, its bad bytes made U+FFFD. */
    struct mail_in m = parse("From: a@example.com\n"
                             "Content-Type: text/plain; charset=gb2312\n\n"
                             "\xC4\xE3\xBA\xC3\n");
    assert_string_equal(m.text, "你好\n");
    m = parse("From: a@example.com\nContent-Type: text/plain; charset=ISO-8859-1\n\nn\xE9\n");
    assert_string_equal(m.text, "né\n");
    m = parse("From: a@example.com\nContent-Type: text/plain; charset=x-unknown\n\nok\xFF\n");
    assert_string_equal(m.text, "ok\xEF\xBF\xBD\n");
    /* Control characters never reach a record: NUL and CR go, others become spaces. */
    m = parse("From: a@example.com\nSubject: a\x01" "b\n\nx\x00y\r\n\x1bz\n");
    assert_string_equal(m.subject, "a b");
    m = parse("Subject: =?UTF-8?Q?bad=0D=0Aline?=\n\n");
    assert_string_equal(m.subject, "bad line");
}

static void test_dates(void **state)
{
    (void)state;
    int64_t ms;
    const char *s = "Mon, 7 Dec 2026 08:00 EST";
    assert_int_equal(mail_parse_date(s, strlen(s), &ms), RP_OK);
    assert_int_equal(ms, iso("2026-12-07T13:00:00Z"));
    s = "7 Dec 26 08:00:05 GMT";
    assert_int_equal(mail_parse_date(s, strlen(s), &ms), RP_OK);
    assert_int_equal(ms, iso("2026-12-07T08:00:05Z"));
    s = "Tue, 01 Jan 1980 23:59:59 -0130";
    assert_int_equal(mail_parse_date(s, strlen(s), &ms), RP_OK);
    assert_int_equal(ms, iso("1980-01-02T01:29:59Z"));
    const char *bad[] = {"", "yesterday", "31 Feb 2026 10:00 +0000", "7 Dec 2026",
                         "7 Foo 2026 10:00 +0000", "7 Dec 2026 25:00 +0000"};
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        assert_int_equal(mail_parse_date(bad[i], strlen(bad[i]), &ms), RP_EINVAL);
    /* An unreadable Date leaves the message dateless, not refused. */
    struct mail_in m = parse("From: a@example.com\nDate: someday\n\nx");
    assert_int_equal(m.date_ms, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    struct mail_in m;
    assert_int_equal(mail_parse_message(&A, "", 0, &m), RP_EINVAL);
    assert_int_equal(mail_parse_message(&A, "\r\nbody only", 11, &m), RP_EINVAL);
    /* A multipart that never closes, a boundary that never comes, garbage base64. */
    m = parse("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
              "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
              "aGk*** !!=garbage\n--b\nContent-Type: text/html\n\n<b>cut");
    assert_string_equal(m.text, "hi");
    assert_string_equal(m.html, "<b>cut");
    m = parse("From: a@example.com\nContent-Type: multipart/mixed; boundary=never\n\nnothing");
    assert_null(m.text);
    m = parse("From: a@example.com\nContent-Type: multipart/mixed\n\nno boundary");
    assert_null(m.text);
    /* Nesting deeper than the limit is not followed; the message still parses. */
    struct rp_buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_adds(&b, "From: a@example.com\n"), RP_OK);
    for (int i = 0; i < 40; i++)
        assert_int_equal(buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n",
                                    i, i), RP_OK);
    assert_int_equal(buf_adds(&b, "Content-Type: text/plain\n\ndeep\n"), RP_OK);
    assert_int_equal(mail_parse_message(&A, b.p, b.len, &m), RP_OK);
    assert_null(m.text);
    buf_release(&b);
    /* Addresses that are not addresses are left out; a broken encoded-word stays text. */
    m = parse("From: <not an address>\nTo: ,,, <>, \"x\" <a@b.c\nSubject: =?utf-8?X?abc?=\n\n");
    assert_null(m.from.addr);
    assert_int_equal(m.nto, 0);
    assert_string_equal(m.subject, "=?utf-8?X?abc?=");
    m = parse("Message-ID: <has space@x>\nIn-Reply-To: no brackets\n\n");
    assert_null(m.message_id);
    assert_null(m.in_reply_to);
}

static void test_limits(void **state)
{
    (void)state;
    /* A body past what a record keeps is cut at a character, and says so. */
    struct rp_buf b;
    buf_init(&b, 1 << 22);
    assert_int_equal(buf_adds(&b, "From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\n"),
                     RP_OK);
    for (unsigned i = 0; i < RP_MAX_TEXT + 10; i++)
        assert_int_equal(buf_adds(&b, "中"), RP_OK);
    struct mail_in m;
    assert_int_equal(mail_parse_message(&A, b.p, b.len, &m), RP_OK);
    assert_true(m.truncated);
    assert_int_equal(text_utf8_len((struct rp_str){m.text, strlen(m.text)}), RP_MAX_TEXT);
    buf_release(&b);
    /* Attachments past the listed ones are counted. */
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_adds(&b, "From: a@example.com\nContent-Type: multipart/mixed; boundary=z\n\n"),
                     RP_OK);
    for (unsigned i = 0; i < MAIL_MAX_ATTACHMENTS + 5; i++)
        assert_int_equal(buf_printf(&b, "--z\nContent-Type: application/zip; name=f%u.zip\n\nPK\n", i),
                         RP_OK);
    assert_int_equal(buf_adds(&b, "--z--\n"), RP_OK);
    assert_int_equal(mail_parse_message(&A, b.p, b.len, &m), RP_OK);
    assert_int_equal(m.natt, MAIL_MAX_ATTACHMENTS);
    assert_int_equal(m.natt_more, 5);
    buf_release(&b);
}

int main(void)
{
    arena_init(&A);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_message), cmocka_unit_test(test_automatic),
        cmocka_unit_test(test_multipart_tree),
        cmocka_unit_test(test_charsets),      cmocka_unit_test(test_dates),
        cmocka_unit_test(test_malformed),     cmocka_unit_test(test_limits),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_release(&A);
    return rc;
}
