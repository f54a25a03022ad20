/* The DAV module's parsers and mappings: WebDAV request bodies (expat, with their
 * limits), XML escaping, an activity to iCalendar and back (time zones, all-day events,
 * tasks, recurrence refused), and a client's vCard to contact fields (a folded UID). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/common.h"
#include "core/text.h"
#include "engine_fixture.h"
#include "mod/dav/dav.h"

static struct dav_body *parse(struct efx *f, const char *xml, bool report, enum rp_err want)
{
    struct dav_body *q = arena_alloc(&f->a, sizeof(*q));
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(dav_xml_parse(ctx, rp_str_c(xml), report, q), want);
    return q;
}

static void test_propfind(void **state)
{
    struct efx *f = *state;
    struct dav_body *q = parse(f, "", false, RP_OK);
    assert_true(q->allprop);
    q = parse(f,
              "<?xml version=\"1.0\"?><A:propfind xmlns:A=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:"
              "ns:caldav\"><A:prop><A:getetag/><C:calendar-data><C:comp name=\"VCALENDAR\"/>"
              "</C:calendar-data><x xmlns=\"urn:other\"/></A:prop></A:propfind>",
              false, RP_OK);
    assert_false(q->allprop);
    assert_int_equal(q->nprops, 3);
    assert_string_equal(q->props[0].ns, "DAV:");
    assert_string_equal(q->props[0].name, "getetag");
    assert_string_equal(q->props[1].ns, "urn:ietf:params:xml:ns:caldav");
    assert_string_equal(q->props[1].name, "calendar-data");
    assert_string_equal(q->props[2].ns, "urn:other");
    q = parse(f, "<propfind xmlns=\"DAV:\"><propname/></propfind>", false, RP_OK);
    assert_true(q->propname);
}

static void test_refused(void **state)
{
    struct efx *f = *state;
    parse(f, "<!DOCTYPE p [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
             "<propfind xmlns=\"DAV:\"><prop><x>&b;</x></prop></propfind>",
          false, RP_EINVAL);
    assert_non_null(strstr(f->ctx.detail, "DOCTYPE"));
    struct rp_buf b;
    buf_init(&b, 8192);
    buf_adds(&b, "<propfind xmlns=\"DAV:\"><prop>");
    for (int i = 0; i < 20; i++)
        buf_adds(&b, "<a>");
    for (int i = 0; i < 20; i++)
        buf_adds(&b, "</a>");
    buf_adds(&b, "</prop></propfind>");
    parse(f, buf_cstr(&b), false, RP_EINVAL);
    assert_non_null(strstr(f->ctx.detail, "nested"));
    parse(f, "<propfind xmlns=\"DAV:\"><prop>", false, RP_EINVAL);
    assert_non_null(strstr(f->ctx.detail, "malformed XML"));
    parse(f, "<x:other xmlns:x=\"urn:x\"/>", true, RP_EINVAL);
    parse(f, "<propfind xmlns=\"DAV:\"/>", true, RP_EINVAL);
    parse(f, "", true, RP_EINVAL);
    buf_reset(&b);
    buf_adds(&b, "<propfind xmlns=\"DAV:\"><prop>");
    for (int i = 0; i <= DAV_MAX_PROPS; i++)
        buf_adds(&b, "<p/>");
    buf_adds(&b, "</prop></propfind>");
    parse(f, buf_cstr(&b), false, RP_EINVAL);
    assert_non_null(strstr(f->ctx.detail, "properties"));
    buf_release(&b);
}

static void test_reports(void **state)
{
    struct efx *f = *state;
    struct dav_body *q = parse(
        f,
        "<c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><d:prop>"
        "<d:getetag/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\"><c:comp-filter "
        "name=\"VTODO\"><c:time-range start=\"20261201T000000Z\" end=\"20270101T000000Z\"/>"
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>",
        true, RP_OK);
    assert_int_equal(q->kind, DAV_CALENDAR_QUERY);
    assert_true(q->todos);
    assert_false(q->events);
    assert_string_equal(q->start, "20261201T000000Z");
    assert_string_equal(q->end, "20270101T000000Z");
    q = parse(f,
              "<cr:addressbook-multiget xmlns:d=\"DAV:\" xmlns:cr=\"urn:ietf:params:xml:ns:carddav\">"
              "<d:prop><d:getetag/></d:prop><d:href>\n  /dav/a/1.vcf\n</d:href>"
              "<d:href>/dav/a/2.vcf</d:href></cr:addressbook-multiget>",
              true, RP_OK);
    assert_int_equal(q->kind, DAV_ADDRESSBOOK_MULTIGET);
    assert_int_equal(q->nhrefs, 2);
    assert_string_equal(q->hrefs[0], "/dav/a/1.vcf");
    assert_true(q->events && q->todos);
    q = parse(f,
              "<sync-collection xmlns=\"DAV:\"><sync-token>urn:rapport:sync:12</sync-token>"
              "<sync-level>1</sync-level><prop><getetag/></prop></sync-collection>",
              true, RP_OK);
    assert_int_equal(q->kind, DAV_SYNC_COLLECTION);
    assert_string_equal(q->sync_token, "urn:rapport:sync:12");
    q = parse(f, "<sync-collection xmlns=\"DAV:\"><sync-token/><prop/></sync-collection>", true,
              RP_OK);
    assert_string_equal(q->sync_token, "");
}

static void test_escape(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 1024);
    const char s[] = "a<b>&\"c\"\r\nd";
    assert_int_equal(dav_xml_escape(&b, s, sizeof(s) - 1), RP_OK);
    assert_string_equal(buf_cstr(&b), "a&lt;b&gt;&amp;&quot;c&quot;&#13;\nd");
    buf_release(&b);
}

static struct arena *inputs_arena;

/* The text of field's input ("(null)", "true", "false" for those kinds), or NULL. */
static const char *input(const struct rec_input *in, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (rp_str_eqc(in[i].field, field))
            return in[i].kind == IN_NULL ? "(null)"
                   : in[i].kind == IN_BOOL ? (in[i].b ? "true" : "false")
                                          : arena_strndup(inputs_arena, in[i].s, in[i].len);
    return NULL;
}

/* The inputs of an iCalendar object, and its UID, in the arena of f. */
static enum rp_err ical(struct efx *f, const char *text, const struct rec *old,
                        struct rec_input **in, size_t *n, const char **uid)
{
    inputs_arena = &f->a;
    struct dav_object o;
    enum rp_err err = dav_ical_read(fx_ctx(f, NULL), rp_str_c(text), old, &o);
    *in = o.in;
    *n = o.n;
    *uid = o.uid;
    return err;
}

#define CAL(body) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" body "END:VCALENDAR\r\n"

static void test_ical_read(void **state)
{
    struct efx *f = *state;
    struct rec_input *in;
    size_t n;
    const char *uid;
    /* Shanghai is UTC+8 all year: 10:00 there is 02:00Z. */
    assert_int_equal(ical(f, CAL("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\n"
                                 "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\n"
                                 "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:u-1\r\n"
                                 "DTSTART;TZID=Asia/Shanghai:20261210T100000\r\n"
                                 "DTEND;TZID=Asia/Shanghai:20261210T113000\r\n"
                                 "SUMMARY:Visit\\, with comma\r\nPRIORITY:2\r\nSTATUS:CANCELLED\r\n"
                                 "X-RAPPORT-TYPE:call\r\nEND:VEVENT\r\n"),
                          NULL, &in, &n, &uid),
                     RP_OK);
    assert_string_equal(uid, "u-1");
    const char *s = input(in, n, "start_at");
    assert_string_equal(s, "2026-12-10T02:00:00.000Z");
    s = input(in, n, "end_at");
    assert_string_equal(s, "2026-12-10T03:30:00.000Z");
    s = input(in, n, "subject");
    assert_string_equal(s, "Visit, with comma");
    s = input(in, n, "type");
    assert_string_equal(s, "call");
    s = input(in, n, "priority");
    assert_string_equal(s, "high");
    s = input(in, n, "status");
    assert_string_equal(s, "cancelled");
    assert_string_equal(input(in, n, "all_day"), "false");

    /* An all-day event: its DTEND is the day after its last. */
    assert_int_equal(ical(f, CAL("BEGIN:VEVENT\r\nUID:u-2\r\nDTSTART;VALUE=DATE:20261224\r\n"
                                 "DTEND;VALUE=DATE:20261226\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"),
                          NULL, &in, &n, &uid),
                     RP_OK);
    assert_string_equal(input(in, n, "all_day"), "true");
    s = input(in, n, "end_at");
    assert_string_equal(s, "2026-12-25T00:00:00.000Z");

    /* A task. */
    assert_int_equal(ical(f, CAL("BEGIN:VTODO\r\nUID:t-1\r\nDUE:20261201T170000Z\r\n"
                                 "SUMMARY:Call back\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n"),
                          NULL, &in, &n, &uid),
                     RP_OK);
    s = input(in, n, "type");
    assert_string_equal(s, "task");
    s = input(in, n, "status");
    assert_string_equal(s, "completed");
    s = input(in, n, "due_at");
    assert_string_equal(s, "2026-12-01T17:00:00.000Z");
}

static void test_ical_refused(void **state)
{
    struct efx *f = *state;
    struct rec_input *in;
    size_t n;
    const char *uid;
    static const struct {
        const char *text, *why;
    } BAD[] = {
        {"not iCalendar at all", "VCALENDAR"},
        {CAL("BEGIN:VEVENT\r\nDTSTART:20261201T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"), "UID"},
        {CAL("BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20261201T100000Z\r\nRDATE:20261203T100000Z\r\n"
             "END:VEVENT\r\n"),
         "RDATE"},
        {CAL("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n"
             "UID:a\r\nRECURRENCE-ID:20261202T100000Z\r\nDTSTART:20261202T110000Z\r\n"
             "END:VEVENT\r\n"),
         "RRULE"},
        {CAL("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n"
             "UID:a\r\nDTSTART:20261202T110000Z\r\nEND:VEVENT\r\n"),
         "more than one"},
        {CAL("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=DAILY\r\n"
             "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nRECURRENCE-ID:20261202T100000Z\r\n"
             "DTSTART:20261202T110000Z\r\nEND:VEVENT\r\n"),
         "one UID"},
        {CAL("BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID:20261202T100000Z\r\n"
             "DTSTART:20261202T110000Z\r\nEND:VEVENT\r\n"),
         "without RECURRENCE-ID"},
        {CAL("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=DAILY\r\n"
             "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\n"
             "RECURRENCE-ID;RANGE=THISANDFUTURE:20261202T100000Z\r\n"
             "DTSTART:20261202T110000Z\r\nEND:VEVENT\r\n"),
         "itself only"},
        {CAL("BEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\n"), "VEVENT"},
        {CAL(""), "VEVENT"},
        {CAL("BEGIN:VEVENT\r\nUID:n\r\nSUMMARY:no start\r\nEND:VEVENT\r\n"), "DTSTART"},
        {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:\xff\xfe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "UTF-8"},
    };
    for (size_t i = 0; i < RP_NELEM(BAD); i++) {
        assert_int_equal(ical(f, BAD[i].text, NULL, &in, &n, &uid), RP_EINVAL);
        assert_true(f->ctx.bad_request);
        if (!strstr(f->ctx.detail, BAD[i].why))
            fail_msg("case %zu: \"%s\" does not say %s", i, f->ctx.detail, BAD[i].why);
    }
}

static void test_ical_round_trip(void **state)
{
    struct efx *f = *state;
    struct rec_input ins[] = {IN_S("type", "meeting"), IN_S("subject", "Review; 评审, <b>"),
                              IN_S("start_at", "2026-12-10T10:00:00Z"),
                              IN_S("end_at", "2026-12-10T11:00:00Z"), IN_S("location", "Room 3"), IN_S("description", "Line 1\nLine 2")};
    struct rec r = fx_create(f, NULL, meta_need("activities"), ins, RP_NELEM(ins));
    char *text;
    assert_int_equal(dav_ical_write(&f->a, &r, NULL, 0, NULL, &text), RP_OK);
    assert_non_null(strstr(text, arena_printf(&f->a, "UID:%s@rapport", r.id)));
    assert_non_null(strstr(text, "BEGIN:VEVENT"));
    struct rec_input *in;
    size_t n;
    const char *uid;
    assert_int_equal(ical(f, text, &r, &in, &n, &uid), RP_OK);
    assert_null(input(in, n, "type")); /* created once, never changed */
    const char *s = input(in, n, "subject");
    assert_string_equal(s, "Review; 评审, <b>");
    s = input(in, n, "location");
    assert_string_equal(s, "Room 3");
    s = input(in, n, "description");
    assert_string_equal(s, "Line 1\nLine 2");
    s = input(in, n, "start_at");
    assert_string_equal(s, "2026-12-10T10:00:00.000Z");
    s = input(in, n, "status");
    assert_string_equal(s, "planned");
    /* A VTODO put over a meeting is refused. */
    assert_int_equal(ical(f, CAL("BEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\n"), &r, &in, &n, &uid),
                     RP_EINVAL);
}

/* A series with an exception is one object: the master with RRULE, EXDATE and DTSTART in
 * its zone (with the VTIMEZONE), the exception with the series' UID and RECURRENCE-ID;
 * and read back the same. */
static void test_ical_series(void **state)
{
    struct efx *f = *state;
    const struct entity_def *e = meta_need("activities");
    /* Weekly on Thursdays at 10:00 in Berlin (09:00Z in winter), without 17 Dec. */
    struct rec_input ins[] = {IN_S("type", "meeting"), IN_S("subject", "Weekly"),
                              IN_S("start_at", "2026-12-10T09:00:00Z"),
                              IN_S("end_at", "2026-12-10T10:00:00Z"),
                              IN_S("rrule", "FREQ=WEEKLY;COUNT=6"),
                              IN_S("timezone", "Europe/Berlin"),
                              IN_S("exdates", "2026-12-17T09:00:00Z")};
    struct rec series = fx_create(f, NULL, e, ins, RP_NELEM(ins));
    struct rec_input exi[] = {IN_S("type", "meeting"), IN_S("subject", "Weekly, moved"),
                              IN_S("start_at", "2026-12-24T13:00:00Z"),
                              IN_S("end_at", "2026-12-24T14:00:00Z"),
                              IN_S("series_id", series.id),
                              IN_S("recurrence_id", "2026-12-24T09:00:00Z")};
    struct rec ex = fx_create(f, NULL, e, exi, RP_NELEM(exi));
    char *text;
    assert_int_equal(dav_ical_write(&f->a, &series, &ex, 1, NULL, &text), RP_OK);
    const char *uid = arena_printf(&f->a, "UID:%s@rapport", series.id);
    const char *first = strstr(text, uid);
    assert_non_null(first);
    assert_non_null(strstr(first + 1, uid)); /* the exception shares it */
    assert_non_null(strstr(text, "BEGIN:VTIMEZONE"));
    assert_non_null(strstr(text, "TZID:Europe/Berlin"));
    assert_non_null(strstr(text, "RRULE:FREQ=WEEKLY;COUNT=6"));
    assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20261210T100000"));
    assert_non_null(strstr(text, "EXDATE;TZID=Europe/Berlin:20261217T100000"));
    assert_non_null(strstr(text, "RECURRENCE-ID;TZID=Europe/Berlin:20261224T100000"));
    assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20261224T140000"));
    /* Back: the master's fields, and the override by its original start. */
    struct dav_object o;
    inputs_arena = &f->a;
    assert_int_equal(dav_ical_read(fx_ctx(f, NULL), rp_str_c(text), &series, &o), RP_OK);
    assert_string_equal(input(o.in, o.n, "rrule"), "FREQ=WEEKLY;COUNT=6");
    assert_string_equal(input(o.in, o.n, "timezone"), "Europe/Berlin");
    assert_string_equal(input(o.in, o.n, "exdates"), "2026-12-17T09:00:00.000Z");
    assert_string_equal(input(o.in, o.n, "start_at"), "2026-12-10T09:00:00.000Z");
    assert_int_equal(o.nov, 1);
    int64_t at;
    assert_int_equal(text_parse_datetime(rp_str_c("2026-12-24T09:00:00Z"), &at), RP_OK);
    assert_true(o.ov[0].at == at);
    assert_string_equal(input(o.ov[0].in, o.ov[0].n, "start_at"), "2026-12-24T13:00:00.000Z");
    assert_string_equal(input(o.ov[0].in, o.ov[0].n, "subject"), "Weekly, moved");
    assert_null(input(o.ov[0].in, o.ov[0].n, "type"));
    /* EXDATE with several values, in a zone of the object (Shanghai: UTC+8). */
    assert_int_equal(
        dav_ical_read(fx_ctx(f, NULL),
                      rp_str_c(CAL("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\n"
                                   "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0800\r\n"
                                   "TZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                                   "BEGIN:VEVENT\r\nUID:s\r\n"
                                   "DTSTART;TZID=Asia/Shanghai:20261210T100000\r\n"
                                   "RRULE:FREQ=DAILY;COUNT=9\r\nEXDATE;TZID=Asia/Shanghai:"
                                   "20261211T100000,20261213T100000\r\nEND:VEVENT\r\n")),
                      NULL, &o),
        RP_OK);
    assert_string_equal(input(o.in, o.n, "timezone"), "Asia/Shanghai");
    assert_string_equal(input(o.in, o.n, "exdates"),
                        "2026-12-11T02:00:00.000Z,2026-12-13T02:00:00.000Z");
    /* An activity that does not repeat clears what a series had. */
    assert_int_equal(dav_ical_read(fx_ctx(f, NULL),
                                   rp_str_c(CAL("BEGIN:VEVENT\r\nUID:u\r\n"
                                                "DTSTART:20261210T090000Z\r\nEND:VEVENT\r\n")),
                                   &series, &o),
                     RP_OK);
    assert_string_equal(input(o.in, o.n, "rrule"), "(null)");
    assert_string_equal(input(o.in, o.n, "exdates"), "(null)");
    assert_int_equal(o.nov, 0);
}

static void test_vcard_read(void **state)
{
    struct efx *f = *state;
    struct rec_input *in;
    size_t n;
    const char *uid;
    const char *card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:urn:uuid:1234-\r\n 5678\r\nFN:李小明\r\n"
                       "N:李;小明;;;\r\nEMAIL;TYPE=INTERNET:li@example.com\r\nTEL;TYPE=CELL:138 0013 8000\r\n"
                       "ADR;TYPE=WORK:;;1 Road;Shanghai;;200000;China\r\nEND:VCARD\r\n";
    inputs_arena = &f->a;
    assert_int_equal(dav_vcard_read(fx_ctx(f, NULL), rp_str_c(card), &in, &n, &uid), RP_OK);
    assert_string_equal(uid, "urn:uuid:1234-5678");
    const char *s = input(in, n, "last_name");
    assert_string_equal(s, "李");
    s = input(in, n, "phone_mobile");
    assert_string_equal(s, "138 0013 8000");
    s = input(in, n, "city");
    assert_string_equal(s, "Shanghai");
    assert_string_equal(input(in, n, "title"), "(null)");
    struct rec_ctx *ctx = fx_ctx(f, NULL);
    assert_int_equal(dav_vcard_read(ctx, rp_str_c("BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n"), &in, &n, &uid),
                     RP_EINVAL);
    assert_non_null(strstr(ctx->detail, "UID"));
    ctx = fx_ctx(f, NULL);
    assert_int_equal(dav_vcard_read(ctx, rp_str_c("BEGIN:VCARD\r\nUID:a\r\nFN:x\r\n"), &in, &n, &uid),
                     RP_EINVAL);
    ctx = fx_ctx(f, NULL);
    assert_int_equal(dav_vcard_read(ctx, rp_str_c("BEGIN:VCARD\r\nUID:a\r\nEND:VCARD\r\n"
                                                  "BEGIN:VCARD\r\nUID:b\r\nEND:VCARD\r\n"),
                                    &in, &n, &uid),
                     RP_EINVAL);
    assert_non_null(strstr(ctx->detail, "exactly one"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_propfind, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_refused, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_reports, efx_setup, efx_teardown),
        cmocka_unit_test(test_escape),
        cmocka_unit_test_setup_teardown(test_ical_read, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_ical_refused, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_ical_round_trip, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_ical_series, efx_setup, efx_teardown),
        cmocka_unit_test_setup_teardown(test_vcard_read, efx_setup, efx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
