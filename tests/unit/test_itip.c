/* Meeting invitations (mod/calendar/itip.h): the REPLY parser on good and malformed
 * iCalendar, and the answer path through the engine on a temporary SQLite database — a
 * received e-mail (written by the system, as the IMAP fetcher does) whose calendar_part
 * is a REPLY sets the answering attendee's status and tells the organiser; a reply from
 * someone else, for someone not invited, to an older SEQUENCE, or malformed changes
 * nothing, and one about a meeting that no longer validates is stored without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/common.h"
#include "engine_fixture.h"
#include "mod/calendar/itip.h"
#include "store/platform.h"

static const char *reply_text(struct arena *a, const char *uid, const char *attendee,
                              const char *partstat, int seq)
{
    return arena_printf(a,
                        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
                        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:%d\r\n"
                        "DTSTAMP:20270301T080000Z\r\nDTSTART:20270301T090000Z\r\n"
                        "ORGANIZER:mailto:olivia@example.com\r\n"
                        "ATTENDEE;PARTSTAT=%s;CN=\"Carla\":mailto:%s\r\n"
                        "END:VEVENT\r\nEND:VCALENDAR\r\n",
                        uid, seq, partstat, attendee);
}

/* ---- the parser ---- */

static void test_parse_reply(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct itip_reply r;
    const char *t = reply_text(&a, "abc@rapport", "Carla@Customer.example", "TENTATIVE", 3);
    assert_int_equal(calendar_itip_reply_parse(&a, t, strlen(t), &r), RP_OK);
    assert_string_equal(r.uid, "abc@rapport");
    assert_string_equal(r.attendee, "Carla@Customer.example");
    assert_int_equal(r.status, ITIP_TENTATIVE);
    assert_int_equal(r.sequence, 3);
    assert_false(r.instance);
    assert_string_equal(calendar_itip_status_name(r.status), "tentative");
    /* One occurrence's answer says so. */
    const char *inst = arena_printf(
        &a, "%.*sRECURRENCE-ID:20270308T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        (int)(strstr(t, "END:VEVENT") - t), t);
    assert_int_equal(calendar_itip_reply_parse(&a, inst, strlen(inst), &r), RP_OK);
    assert_true(r.instance);
    arena_release(&a);
}

static void test_parse_malformed(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *good = reply_text(&a, "abc@rapport", "c@example.com", "ACCEPTED", 0);
    /* Another method: a REQUEST, not an answer. */
    const char *other = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com\r\nEND:VEVENT\r\n"
                        "END:VCALENDAR\r\n";
    const char *bad[] = {
        "",
        "not a calendar at all",
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n",
        other,
        /* a status that is no answer */
        reply_text(&a, "abc@rapport", "c@example.com", "DELEGATED", 0),
        /* an attendee without mailto: */
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:c@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        /* two attendees */
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:d@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        /* no PARTSTAT, no UID, no event */
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "ATTENDEE:mailto:c@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n",
        /* a negative SEQUENCE */
        reply_text(&a, "abc@rapport", "c@example.com", "ACCEPTED", -4),
    };
    struct itip_reply r;
    for (size_t i = 0; i < RP_NELEM(bad); i++)
        assert_int_equal(calendar_itip_reply_parse(&a, bad[i], strlen(bad[i]), &r), RP_EINVAL);
    /* A NUL inside is not text. */
    assert_int_equal(calendar_itip_reply_parse(&a, good, strlen(good) + 1, &r), RP_EINVAL);
    arena_release(&a);
}

/* ---- the answer path ---- */

struct world {
    struct efx *f;
    struct principal org;
    const char *contact_id, *user_id, *meeting_id;
};

static const char *user_with_email(struct efx *f, const char *username, const char *email,
                                   struct principal *p)
{
    const char *id = fx_user(f, username, "sales", NULL, p);
    struct rec_input in[] = {IN_S("email", email), IN_S("display_name", username)};
    struct rec out;
    assert_int_equal(rec_update(fx_ctx(f, NULL), meta_need("users"), rp_str_c(id), in, 2, -1, &out),
                     RP_OK);
    return id;
}

static void make_world(struct world *w)
{
    struct efx *f = w->f;
    assert_int_equal(store_setting_put(f->c, "mail.host", "127.0.0.1"), RP_OK);
    assert_int_equal(store_setting_put(f->c, "mail.from_address", "crm@example.com"), RP_OK);
    user_with_email(f, "olivia", "olivia@example.com", &w->org);
    w->user_id = user_with_email(f, "adam", "adam@example.com", NULL);
    struct rec_input cin[] = {IN_S("first_name", "Carla"), IN_S("last_name", "Contact"),
                              IN_S("email", "carla@customer.example")};
    w->contact_id = fx_create(f, &w->org, meta_need("contacts"), cin, RP_NELEM(cin)).id;
    struct rp_str users[] = {rp_str_c(w->user_id)}, contacts[] = {rp_str_c(w->contact_id)};
    struct rec_input min[] = {IN_S("type", "meeting"), IN_S("subject", "Review"),
                              IN_S("start_at", "2027-03-01T09:00:00Z"),
                              IN_S("end_at", "2027-03-01T10:00:00Z"),
                              IN_L("attendee_user_ids", users, 1),
                              IN_L("attendee_contact_ids", contacts, 1)};
    w->meeting_id = fx_create(f, &w->org, meta_need("activities"), min, RP_NELEM(min)).id;
}

/* The meeting's invitations as JSON text. */
static const char *invitations(struct world *w)
{
    struct rec r;
    assert_int_equal(
        rec_get(fx_ctx(w->f, NULL), meta_need("activities"), rp_str_c(w->meeting_id), &r), RP_OK);
    const struct rec_value *v = fx_val(&r, "invitations");
    assert_false(v->null);
    return arena_strndup(&w->f->a, v->s, v->len);
}

/* Writes a received e-mail as the system, from `from`, carrying cal. */
static void receive(struct world *w, const char *from, const char *cal)
{
    struct rec_input in[] = {IN_S("direction", "inbound"), IN_S("status", "received"),
                             IN_S("subject", "Accepted: Review"),
                             IN_S("to_addresses", "olivia@example.com"),
                             IN_S("from_address", from), IN_S("calendar_part", cal)};
    fx_create(w->f, NULL, meta_need("emails"), in, RP_NELEM(in));
}

static int64_t answers_told(struct world *w)
{
    struct store_val v[] = {store_cstr(w->org.user_id)};
    return fx_sql_int(
        w->f, "SELECT count(*) FROM notifications WHERE kind = 'invitation' AND user_id = ?", v, 1);
}

static void test_reply_sets_status(void **state)
{
    struct world w = {.f = *state};
    make_world(&w);
    const char *uid = arena_printf(&w.f->a, "%s@rapport", w.meeting_id);
    const char *before = invitations(&w);
    assert_non_null(strstr(before, "\"sequence\":0"));
    assert_non_null(strstr(before, "\"status\":\"needs_action\""));
    /* Two messages were queued: one to each attendee, none to the organiser. */
    assert_int_equal(fx_sql_int(w.f, "SELECT count(*) FROM emails WHERE calendar_part IS NOT NULL",
                                NULL, 0),
                     2);

    /* A forged answer — from someone else's address — changes nothing. */
    receive(&w, "mallory@evil.example",
            reply_text(&w.f->a, uid, "carla@customer.example", "DECLINED", 0));
    assert_string_equal(invitations(&w), before);
    /* Nor does one for somebody not invited, sent by them. */
    receive(&w, "eve@example.com", reply_text(&w.f->a, uid, "eve@example.com", "ACCEPTED", 0));
    assert_string_equal(invitations(&w), before);
    /* Nor a malformed one, nor one about another UID. */
    receive(&w, "carla@customer.example", "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n");
    receive(&w, "carla@customer.example",
            reply_text(&w.f->a, "01900000-0000-7000-8000-000000000000@rapport",
                       "carla@customer.example", "ACCEPTED", 0));
    receive(&w, "carla@customer.example",
            reply_text(&w.f->a, "not-ours@example.com", "carla@customer.example", "ACCEPTED", 0));
    assert_string_equal(invitations(&w), before);
    assert_int_equal(answers_told(&w), 0);

    /* The contact accepts (their address in another case): their status changes, the
     * user's does not, and the organiser is told. */
    receive(&w, "Carla@Customer.EXAMPLE",
            reply_text(&w.f->a, uid, "carla@customer.example", "ACCEPTED", 0));
    const char *after = invitations(&w);
    assert_non_null(strstr(after, "\"email\":\"carla@customer.example\""));
    assert_non_null(strstr(after, "\"status\":\"accepted\""));
    assert_non_null(strstr(after, "\"status\":\"needs_action\""));
    assert_non_null(strstr(after, "\"answered_at\":\"20"));
    assert_int_equal(answers_told(&w), 1);
    /* No message went out for an answer. */
    assert_int_equal(fx_sql_int(w.f, "SELECT count(*) FROM emails WHERE calendar_part IS NOT NULL"
                                     " AND direction = 'outbound'",
                                NULL, 0),
                     2);
}

static void test_stale_reply_ignored(void **state)
{
    struct world w = {.f = *state};
    make_world(&w);
    const char *uid = arena_printf(&w.f->a, "%s@rapport", w.meeting_id);
    /* The meeting moves: SEQUENCE 1, everyone asked again. */
    struct rec_input in[] = {IN_S("start_at", "2027-03-01T11:00:00Z"),
                             IN_S("end_at", "2027-03-01T12:00:00Z")};
    struct rec out;
    assert_int_equal(rec_update(fx_ctx(w.f, &w.org), meta_need("activities"),
                                rp_str_c(w.meeting_id), in, 2, -1, &out),
                     RP_OK);
    const char *moved = invitations(&w);
    assert_non_null(strstr(moved, "\"sequence\":1"));
    /* An answer to the first version is too old. */
    receive(&w, "adam@example.com", reply_text(&w.f->a, uid, "adam@example.com", "ACCEPTED", 0));
    assert_string_equal(invitations(&w), moved);
    /* An answer to the current one counts. */
    receive(&w, "adam@example.com", reply_text(&w.f->a, uid, "adam@example.com", "DECLINED", 1));
    assert_non_null(strstr(invitations(&w), "\"status\":\"declined\""));
    assert_int_equal(answers_told(&w), 1);
}

/* A meeting that no longer passes its own rules (here: an end before its start, as a
 * rule added since would make it) keeps the message but not the answer. */
static void test_answer_to_invalid_meeting(void **state)
{
    struct world w = {.f = *state};
    make_world(&w);
    const char *uid = arena_printf(&w.f->a, "%s@rapport", w.meeting_id);
    struct store_val v[] = {store_cstr(w.meeting_id)};
    assert_int_equal(store_exec(w.f->c,
                                "UPDATE activities SET end_at = '2027-03-01T08:00:00.000Z'"
                                " WHERE id = ?",
                                v, 1),
                     RP_OK);
    const char *before = invitations(&w);
    receive(&w, "adam@example.com", reply_text(&w.f->a, uid, "adam@example.com", "ACCEPTED", 0));
    assert_string_equal(invitations(&w), before);
    assert_int_equal(fx_sql_int(w.f, "SELECT count(*) FROM emails WHERE direction = 'inbound'",
                                NULL, 0),
                     1);
    assert_int_equal(answers_told(&w), 0);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reply),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test_setup_teardown(test_reply_sets_status, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_stale_reply_ignored, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_answer_to_invalid_meeting, efx_setup, efx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
