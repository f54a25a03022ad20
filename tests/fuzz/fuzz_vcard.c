/* Fuzz target: the vCard parser (engine/vcard_read.h) — unfolding, parameters,
 * quoted-printable, charsets, escapes, nesting, several cards.
 *
 * Input: a vCard file. It is parsed twice: fed whole, and fed in chunks of 1 to 7
 * bytes (the first byte chooses).
 *
 * Findings: a crash or sanitizer report; an error from the parser (only its callback
 * may give one); cards whose lines do not increase; a value that is not valid UTF-8 or
 * longer than RP_MAX_VCARD_LINE; different cards from the two feedings. */
#include <stdio.h>

#include "harness.h"

#include "core/buf.h"
#include "core/text.h"
#include "engine/vcard_read.h"

#define MAX_INPUT (1024 * 1024)

static _Noreturn void finding(const char *what)
{
    fprintf(stderr, "fuzz_vcard: %s\n", what);
    abort();
}

struct out {
    struct rp_buf b;   /* every card, serialised */
    int64_t last;
};

static enum rp_err card(void *cls, const struct vcf_card *c)
{
    struct out *o = cls;
    if (c->line <= o->last)
        finding("cards whose lines do not increase");
    o->last = c->line;
    buf_printf(&o->b, "%lld|%s\n", (long long)c->line, c->error ? c->error : "");
    for (int s = 0; s < VCF_NSLOTS; s++) {
        if (c->v[s].len > RP_MAX_VCARD_LINE || !text_utf8_valid(c->v[s]))
            finding("a value that is too long or not UTF-8");
        buf_printf(&o->b, "%d=%.*s\n", s, (int)c->v[s].len, c->v[s].p ? c->v[s].p : "");
    }
    return RP_OK;
}

static void run(const uint8_t *data, size_t size, size_t chunk, struct out *o)
{
    struct vcf v;
    buf_init(&o->b, 64u * 1024 * 1024);
    o->last = 0;
    vcf_init(&v, RP_LANG_EN, card, o);
    for (size_t i = 0; i < size; i += chunk)
        if (vcf_feed(&v, (const char *)data + i, size - i < chunk ? size - i : chunk))
            finding("the parser failed");
    if (vcf_finish(&v))
        finding("the parser failed at the end");
    vcf_release(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    struct out whole, bits;
    run(data, size, size ? size : 1, &whole);
    run(data, size, size ? (size_t)(data[0] % 7) + 1 : 1, &bits);
    if (whole.b.len != bits.b.len ||
        (whole.b.len && memcmp(buf_cstr(&whole.b), buf_cstr(&bits.b), whole.b.len) != 0))
        finding("different cards when fed in chunks");
    buf_release(&whole.b);
    buf_release(&bits.b);
    return 0;
}
