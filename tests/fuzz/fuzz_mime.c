/* Fuzz target: the MIME parser of received mail (mod/mail/inbox.h) — header fields,
 * encoded-words, parameters, address lists, dates, multipart trees, transfer encodings
 * and charsets.
 *
 * Input: a message as an IMAP server would hand it over.
 *
 * Findings: a crash or sanitizer report; any text of the result (subject, names,
 * bodies, calendar part, attachment names) that is not valid UTF-8 or holds a control
 * character a record refuses; a subject past 255 code points, or past one line; an
 * address that mail_addr_valid refuses; a Message-ID with white space; more
 * attachments listed than the limit. */
#include <stdio.h>

#include "harness.h"

#include "core/text.h"
#include "mod/mail/inbox.h"

#define MAX_INPUT (1024 * 1024)

static _Noreturn void finding(const char *what)
{
    fprintf(stderr, "fuzz_mime: %s\n", what);
    abort();
}

/* s must be valid UTF-8 without NUL, CR or other control characters (LF and tab only
 * where `lines`). */
static void clean(const char *s, bool lines, const char *what)
{
    if (!s)
        return;
    struct rp_str t = {s, strlen(s)};
    if (!text_utf8_valid(t))
        finding(what);
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7f)
            finding(what);
    }
}

static void addrs(const struct mail_addr *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!mail_addr_valid(list[i].addr, strlen(list[i].addr)))
            finding("an address mail_addr_valid refuses");
        clean(list[i].name, false, "a display name that is not clean UTF-8");
    }
}

static void msgid(const char *id)
{
    for (const char *p = id; p && *p; p++)
        if ((unsigned char)*p <= 0x20)
            finding("a Message-ID with white space");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    struct arena a;
    arena_init(&a);
    struct mail_in m;
    if (mail_parse_message(&a, (const char *)data, size, &m) == RP_OK) {
        clean(m.subject, false, "a subject that is not one clean line");
        if (text_utf8_len((struct rp_str){m.subject, strlen(m.subject)}) > 255)
            finding("a subject past 255 code points");
        if (m.from.addr)
            addrs(&m.from, 1);
        addrs(m.to, m.nto);
        addrs(m.cc, m.ncc);
        msgid(m.message_id);
        msgid(m.in_reply_to);
        msgid(m.thread_root);
        clean(m.text, true, "a text body that is not clean UTF-8");
        clean(m.html, true, "an HTML body that is not clean UTF-8");
        clean(m.calendar, true, "a calendar part that is not clean UTF-8");
        if (m.natt > MAIL_MAX_ATTACHMENTS)
            finding("more attachments listed than the limit");
        for (size_t i = 0; i < m.natt; i++)
            clean(m.att[i].name, false, "an attachment name that is not clean UTF-8");
    }
    arena_release(&a);
    return 0;
}
