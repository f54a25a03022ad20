/* Contacts as vCard 4.0 (RFC 6350): GET /contacts/export?format=vcf, for address books
 * (Outlook, Thunderbird, phones). */
#include "core/common.h"

#include "core/text.h"
#include "engine/export.h"
#include "mod/customers/customers.h"

/* Appends a content line folded at 75 octets, never inside a UTF-8 sequence. */
static enum rp_err folded(struct rp_buf *b, const char *line)
{
    size_t len = strlen(line), col = 0;
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < len && !err;) {
        size_t cl = 1;
        while (i + cl < len && ((unsigned char)line[i + cl] & 0xC0) == 0x80)
            cl++;
        if (col + cl > 75) {
            err = buf_add(b, "\r\n ", 3);
            col = 1;
        }
        if (!err)
            err = buf_add(b, line + i, cl);
        col += cl;
        i += cl;
    }
    return err ? err : buf_add(b, "\r\n", 2);
}

/* Escapes a text value: backslash, comma and line breaks, and semicolons inside the
 * components of structured values (N, ORG, ADR). */
static const char *vesc_as(struct arena *a, const char *s, bool structured)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    char *o = arena_alloc(a, n * 2 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' && s[i + 1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            o[k++] = '\\';
            o[k++] = 'n';
        } else {
            if (c == '\\' || c == ',' || (c == ';' && structured))
                o[k++] = '\\';
            o[k++] = c;
        }
    }
    o[k] = '\0';
    return o;
}

static const char *vesc(struct arena *a, const char *s)
{
    return vesc_as(a, s, true);
}

static enum rp_err vcard(struct exp *x, const struct rec *r, struct rp_buf *b)
{
    struct arena *a = exp_arena(x);
    const char *first = exp_text(x, r, "first_name"), *last = exp_text(x, r, "last_name");
    /* Family name first for a Chinese name (李小明), "First Last" otherwise. */
    const char *fn = text_person_name(a, rp_str_c(first ? first : ""), rp_str_c(last ? last : ""));
    enum rp_err err = buf_adds(b, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
    if (!err)
        err = folded(b, arena_printf(a, "UID:urn:uuid:%s", r->id));
    if (!err)
        err = folded(b, arena_printf(a, "FN:%s", vesc_as(a, fn, false)));
    if (!err)
        err = folded(b, arena_printf(a, "N:%s;%s;;%s;", vesc(a, last), vesc(a, first),
                                     vesc(a, exp_text(x, r, "salutation"))));
    const char *org = exp_text(x, r, "account_id"), *dept = exp_text(x, r, "department");
    if (!err && (org || dept))
        err = folded(b, arena_printf(a, "ORG:%s%s%s", vesc(a, org), dept ? ";" : "",
                                     dept ? vesc(a, dept) : ""));
    static const char *const LINES[][2] = {
        {"title", "TITLE"},
        {"email", "EMAIL;TYPE=work"},
        {"email_secondary", "EMAIL;TYPE=home"},
        {"phone_work", "TEL;VALUE=text;TYPE=work,voice"},
        {"phone_mobile", "TEL;VALUE=text;TYPE=cell"},
        {"description", "NOTE"},
    };
    for (size_t i = 0; i < RP_NELEM(LINES) && !err; i++) {
        const char *v = exp_text(x, r, LINES[i][0]);
        if (v)
            err = folded(b, arena_printf(a, "%s:%s", LINES[i][1], vesc_as(a, v, false)));
    }
    const char *street = exp_text(x, r, "street"), *city = exp_text(x, r, "city"),
               *state = exp_text(x, r, "state"), *pc = exp_text(x, r, "postcode"),
               *country = exp_text(x, r, "country");
    if (!err && (street || city || state || pc || country))
        err = folded(b, arena_printf(a, "ADR;TYPE=work:;;%s;%s;%s;%s;%s", vesc(a, street),
                                     vesc(a, city), vesc(a, state), vesc(a, pc),
                                     vesc(a, country)));
    const char *bday = exp_text(x, r, "birthday");
    if (!err && bday)
        err = folded(b, arena_printf(a, "BDAY:%.4s%.2s%.2s", bday, bday + 5, bday + 8));
    if (!err) {
        /* REV is a timestamp: 2026-01-05T09:30:00.000Z → 20260105T093000Z */
        const char *u = r->updated_at;
        err = folded(b, arena_printf(a, "REV:%.4s%.2s%.2sT%.2s%.2s%.2sZ", u, u + 5, u + 8,
                                     u + 11, u + 14, u + 17));
    }
    return err ? err : buf_adds(b, "END:VCARD\r\n");
}

const struct rec_exporter customers__vcard = {
    .format = "vcf",
    .entity = "contacts",
    .content_type = "text/vcard; charset=utf-8",
    .record = vcard,
};
