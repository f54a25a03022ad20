/* Notification e-mails' texts (src/mod/mail/notify_mail.c): the subject line of each
 * kind in English and Chinese, "was due at" for a reminder fired late, titles cleaned
 * for a header (control characters, length cut between characters) and the body's
 * links with and without a public URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../src/mod/mail/notify_mail.c"

static struct arena A;

static struct mail__pending row(const char *kind, const char *actor)
{
    return (struct mail__pending){.seq = 1, .user_id = "u", .kind = kind, .entity = "accounts",
                                  .record_id = "r1", .title = "Acme", .actor_name = actor,
                                  .created_at = "2026-12-06T10:00:00.000Z"};
}

static void test_lines(void **state)
{
    (void)state;
    struct mail__pending p = row("assigned", "Ann");
    assert_string_equal(line_of(&A, RP_LANG_EN, &p), "Ann assigned you: Acme");
    assert_string_equal(line_of(&A, RP_LANG_ZH, &p), "Ann 将此分配给您：Acme");
    p.actor_name = NULL;
    assert_string_equal(line_of(&A, RP_LANG_EN, &p), "Assigned to you: Acme");
    p = row("mention", "Bo");
    assert_string_equal(line_of(&A, RP_LANG_EN, &p), "Bo mentioned you in: Acme");
    p = row("changed", NULL);
    assert_string_equal(line_of(&A, RP_LANG_ZH, &p), "已修改：Acme");
    p = row("alert", NULL);
    p.title = "工单 CS-000001 已超出服务等级目标并被升级";
    assert_string_equal(line_of(&A, RP_LANG_EN, &p), p.title);
}

static void test_reminders(void **state)
{
    (void)state;
    struct mail__pending p = row("reminder", NULL);
    p.due_at = "2026-12-06T09:59:30.000Z"; /* fired 30 s after: on time */
    assert_string_equal(line_of(&A, RP_LANG_EN, &p), "Reminder: Acme");
    p.due_at = "2026-12-06T09:30:00.000Z";
    assert_string_equal(line_of(&A, RP_LANG_EN, &p),
                        "Reminder: Acme (was due at 2026-12-06 09:30 UTC)");
    assert_string_equal(line_of(&A, RP_LANG_ZH, &p), "提醒：Acme（原定于 2026-12-06 09:30 UTC）");
}

static void test_titles(void **state)
{
    (void)state;
    assert_string_equal(clean_title(&A, "a\r\nBcc: x\tb"), "a  Bcc: x b");
    assert_string_equal(clean_title(&A, NULL), "");
    /* 200 Chinese characters are cut at NOTIFY_TITLE_MAX, whole. */
    char long_title[601] = "";
    for (int i = 0; i < 200; i++)
        memcpy(long_title + 3 * i, "长", 3);
    long_title[600] = '\0';
    const char *t = clean_title(&A, long_title);
    assert_int_equal(strlen(t), 3u * NOTIFY_TITLE_MAX);
    assert_true(text_utf8_valid(rp_str_c(t)));
}

static void test_bodies(void **state)
{
    (void)state;
    struct mail__pending p = row("assigned", NULL);
    unsetenv("RAPPORT_PUBLIC_URL");
    assert_string_equal(body_of(&A, RP_LANG_EN, &p, "Assigned to you: Acme"),
                        "Assigned to you: Acme\n\n-- \nYou receive this e-mail because of your"
                        " notification settings in Rapport.\n");
    setenv("RAPPORT_PUBLIC_URL", "https://crm.example.com//", 1);
    assert_string_equal(body_of(&A, RP_LANG_ZH, &p, "x"),
                        "x\n\n打开： https://crm.example.com/r/accounts/r1\n\n-- \n"
                        "您收到此邮件，是因为您的通知设置： https://crm.example.com/notifications\n");
    /* A URL that would break a line is not used. */
    setenv("RAPPORT_PUBLIC_URL", "https://a.example\r\nBcc: x", 1);
    assert_null(web_url(&A));
    unsetenv("RAPPORT_PUBLIC_URL");
}

int main(void)
{
    arena_init(&A);
    msg_add(&mail__messages);
    msg_add(&rec_messages); /* the notification lines are the engine's (notify_line) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_reminders),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_bodies),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_release(&A);
    return rc;
}
