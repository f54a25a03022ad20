/* Fuzz target: what a CalDAV or CardDAV client sends (mod/dav) — a PUT's iCalendar
 * object (libical and the mapping to an activity), a PUT's vCard (the import's reader
 * and the UID scan), and PROPFIND and REPORT bodies (expat under the module's limits).
 *
 * Input: the first byte chooses the parser (its value modulo 4: iCalendar, vCard,
 * PROPFIND, REPORT); the rest is the body.
 *
 * Findings: a crash or sanitizer report; an error other than RP_EINVAL for bad input;
 * a refusal without a reason; an accepted object whose UID is empty or whose texts are
 * not valid UTF-8; a parsed request past the property or href limits. */
#include <stdio.h>

#include "harness.h"

#include "core/text.h"
#include "engine/rec.h"
#include "mod/dav/dav.h"

#define MAX_INPUT (512 * 1024)

static _Noreturn void finding(const char *what)
{
    fprintf(stderr, "fuzz_dav: %s\n", what);
    abort();
}

static void check_inputs(const struct rec_input *in, size_t n, const char *uid)
{
    if (!uid || !*uid || !text_utf8_valid(rp_str_c(uid)))
        finding("an accepted object without a usable UID");
    for (size_t i = 0; i < n; i++)
        if (in[i].kind == IN_STRING && !text_utf8_valid((struct rp_str){in[i].s, in[i].len}))
            finding("an accepted text that is not UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, NULL, NULL, &a, "fuzz");
    struct rp_str body = {(const char *)data + 1, size - 1};
    struct rec_input *in = NULL;
    size_t n = 0;
    const char *uid = NULL;
    enum rp_err err;
    struct dav_body q;
    switch (data[0] % 4) {
    case 0:
    {
        struct dav_object o;
        err = dav_ical_read(&ctx, body, NULL, &o);
        if (!err)
            check_inputs(o.in, o.n, o.uid);
        if (!err && o.nov > DAV_MAX_OVERRIDES)
            finding("more overrides than allowed");
        for (size_t i = 0; !err && i < o.nov; i++)
            check_inputs(o.ov[i].in, o.ov[i].n, o.uid);
        break;
    }
    case 1:
        err = dav_vcard_read(&ctx, body, &in, &n, &uid);
        if (!err)
            check_inputs(in, n, uid);
        break;
    default:
        err = dav_xml_parse(&ctx, body, data[0] % 4 == 3, &q);
        if (!err && (q.nprops > DAV_MAX_PROPS || q.nhrefs > DAV_MAX_HREFS))
            finding("a request past the limits");
        break;
    }
    if (err && err != RP_EINVAL)
        finding("an error other than a refusal");
    if (err && !ctx.detail)
        finding("a refusal without a reason");
    arena_release(&a);
    return 0;
}
