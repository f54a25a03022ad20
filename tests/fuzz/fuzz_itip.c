/* Fuzz target: the reader of answers to meeting invitations (mod/calendar/itip.h,
 * calendar_itip_reply_parse) — a received e-mail's calendar part, through libical.
 *
 * Input: an iCalendar object, as a message's text/calendar part carries it.
 *
 * Findings: a crash or sanitizer report; an error other than RP_EINVAL; an answer read
 * without a UID, without an attendee address, with a status out of range or a negative
 * SEQUENCE; a different answer when the same text is read twice. */
#include <stdio.h>

#include "harness.h"

#include "core/arena.h"
#include "mod/calendar/itip.h"

#define MAX_INPUT (256 * 1024)

static _Noreturn void finding(const char *what)
{
    fprintf(stderr, "fuzz_itip: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    struct arena a;
    arena_init(&a);
    struct itip_reply r, again;
    enum rp_err err = calendar_itip_reply_parse(&a, (const char *)data, size, &r);
    if (err != RP_OK && err != RP_EINVAL)
        finding("an error other than RP_EINVAL");
    if (!err) {
        if (!r.uid || !r.attendee || !r.attendee[0] || r.sequence < 0 ||
            r.status > ITIP_TENTATIVE)
            finding("an answer without a UID or an attendee, or out of range");
        if (calendar_itip_reply_parse(&a, (const char *)data, size, &again) != RP_OK ||
            strcmp(r.uid, again.uid) != 0 || strcmp(r.attendee, again.attendee) != 0 ||
            r.status != again.status || r.sequence != again.sequence ||
            r.instance != again.instance)
            finding("a different answer the second time");
    }
    arena_release(&a);
    return 0;
}
