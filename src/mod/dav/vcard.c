/* Contacts as CardDAV objects: vCard 4.0 out (RFC 6350), any vCard in through the
 * import's reader (engine/vcard_read.h). A client's card replaces the fields it maps
 * to — names, title, department, two e-mails, work and mobile phones, the address,
 * birthday and note — and leaves the CRM's own (account, lead source, do-not-call) as
 * they are. */
#include "core/common.h"

#include <strings.h>

#include "core/text.h"
#include "engine/vcard_read.h"
#include "mod/dav/dav.h"

static const char *text(const struct rec *r, const char *name)
{
    const struct rec_value *v = rec_field(r, name);
    return v->null ? NULL : v->s;
}

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

/* Escapes a text value: backslash, comma, line breaks, and semicolons when the value is
 * a component of a structured one (N, ORG, ADR). */
static const char *vesc(struct arena *a, const char *s, bool structured)
{
    if (!s)
        return "";
    size_t n = strlen(s), k = 0;
    char *o = arena_alloc(a, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' && s[i + 1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            o[k++] = '\\';
            o[k++] = 'n';
            continue;
        }
        if (c == '\\' || c == ',' || (c == ';' && structured))
            o[k++] = '\\';
        o[k++] = c;
    }
    o[k] = '\0';
    return o;
}

enum rp_err dav_vcard_write(struct arena *a, const struct rec *r, const char *uid, char **out)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    const char *first = text(r, "first_name"), *last = text(r, "last_name");
    const char *fn = text_person_name(a, rp_str_c(first ? first : ""), rp_str_c(last ? last : ""));
    enum rp_err err = buf_adds(&b, "BEGIN:VCARD\r\nVERSION:4.0\r\n"
                                   "PRODID:-//Rapport//Rapport CRM//EN\r\n");
    if (!err)
        err = folded(&b, arena_printf(a, "UID:%s", uid ? vesc(a, uid, false)
                                                       : arena_printf(a, "urn:uuid:%s", r->id)));
    if (!err)
        err = folded(&b, arena_printf(a, "FN:%s", vesc(a, fn, false)));
    if (!err)
        err = folded(&b, arena_printf(a, "N:%s;%s;;;", vesc(a, last, true), vesc(a, first, true)));
    const char *dept = text(r, "department");
    if (!err && dept)
        err = folded(&b, arena_printf(a, "ORG:;%s", vesc(a, dept, true)));
    static const char *const LINES[][2] = {
        {"title", "TITLE"},
        {"email", "EMAIL;TYPE=work"},
        {"email_secondary", "EMAIL;TYPE=home"},
        {"phone_work", "TEL;VALUE=text;TYPE=work,voice"},
        {"phone_mobile", "TEL;VALUE=text;TYPE=cell"},
        {"description", "NOTE"},
    };
    for (size_t i = 0; i < RP_NELEM(LINES) && !err; i++) {
        const char *v = text(r, LINES[i][0]);
        if (v)
            err = folded(&b, arena_printf(a, "%s:%s", LINES[i][1], vesc(a, v, false)));
    }
    const char *street = text(r, "street"), *city = text(r, "city"), *state = text(r, "state"),
               *pc = text(r, "postcode"), *country = text(r, "country");
    if (!err && (street || city || state || pc || country))
        err = folded(&b, arena_printf(a, "ADR;TYPE=work:;;%s;%s;%s;%s;%s", vesc(a, street, true),
                                      vesc(a, city, true), vesc(a, state, true),
                                      vesc(a, pc, true), vesc(a, country, true)));
    const char *bday = text(r, "birthday");
    if (!err && bday)
        err = folded(&b, arena_printf(a, "BDAY:%.4s%.2s%.2s", bday, bday + 5, bday + 8));
    const char *u = r->updated_at;
    if (!err)
        err = folded(&b, arena_printf(a, "REV:%.4s%.2s%.2sT%.2s%.2s%.2sZ", u, u + 5, u + 8,
                                      u + 11, u + 14, u + 17));
    if (!err)
        err = buf_adds(&b, "END:VCARD\r\n");
    if (!err)
        *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

/* ---- reading ---- */

struct got {
    struct rec_ctx *ctx;
    struct vcf_card card;
    size_t ncards;
    const char *error;
};

static enum rp_err one_card(void *cls, const struct vcf_card *c)
{
    struct got *g = cls;
    if (g->ncards++)
        return RP_OK;
    g->error = c->error ? arena_strdup(g->ctx->a, c->error) : NULL;
    g->card = *c;
    for (size_t i = 0; i < VCF_NSLOTS; i++)
        g->card.v[i] = (struct rp_str){arena_strndup(g->ctx->a, c->v[i].p, c->v[i].len),
                                       c->v[i].len};
    return RP_OK;
}

static size_t line_end(struct rp_str s, size_t i)
{
    while (i < s.len && s.p[i] != '\n')
        i++;
    return i;
}

/* The UID property's value (the reader keeps no UID): the first logical line named
 * UID, unfolded, or NULL. */
static const char *card_uid(struct arena *a, struct rp_str body)
{
    for (size_t i = 0; i < body.len;) {
        size_t j = line_end(body, i);
        if (j - i <= 4 || strncasecmp(body.p + i, "UID", 3) != 0 ||
            (body.p[i + 3] != ':' && body.p[i + 3] != ';')) {
            i = j + 1;
            continue;
        }
        struct rp_buf v;
        buf_init(&v, DAV_MAX_NAME + 1);
        size_t from = i;
        while (from < j && body.p[from] != ':')
            from++;
        from++;
        enum rp_err err = RP_OK;
        for (;;) {
            size_t e = j > from && body.p[j - 1] == '\r' ? j - 1 : j;
            if (e > from)
                err = buf_add(&v, body.p + from, e - from);
            /* A folded line goes on after a space or a tab. */
            if (err || j + 1 >= body.len || (body.p[j + 1] != ' ' && body.p[j + 1] != '\t'))
                break;
            from = j + 2;
            j = line_end(body, from);
        }
        /* A NUL inside reads as an empty UID, which is refused as not text. */
        const char *out = err || !v.len                         ? NULL
                          : memchr(buf_cstr(&v), '\0', v.len) ? ""
                                                                : arena_strndup(a, buf_cstr(&v), v.len);
        buf_release(&v);
        return out;
    }
    return NULL;
}

enum rp_err dav_vcard_read(struct rec_ctx *ctx, struct rp_str body, struct rec_input **in,
                           size_t *n, const char **uid)
{
    struct got g = {.ctx = ctx};
    struct vcf v;
    vcf_init(&v, ctx->lang, one_card, &g);
    enum rp_err err = vcf_feed(&v, body.p, body.len);
    if (!err)
        err = vcf_finish(&v);
    vcf_release(&v);
    if (err)
        return err;
    if (g.ncards != 1)
        return rec_bad_request(ctx, "the body must hold exactly one vCard");
    if (g.error)
        return rec_bad_request(ctx, "the vCard cannot be read: %s", g.error);
    *uid = card_uid(ctx->a, body);
    if (!*uid)
        return rec_bad_request(ctx, "the vCard has no UID");
    bool text = **uid != '\0';
    for (const char *p = *uid; *p && text; p++)
        text = (unsigned char)*p >= 0x20 && *p != 0x7f;
    if (!text || !text_utf8_valid(rp_str_c(*uid)))
        return rec_bad_request(ctx, "the vCard's UID is not valid text");
    static const struct {
        const char *field;
        enum vcf_slot slot;
    } MAP[] = {
        {"first_name", VCF_GIVEN},     {"last_name", VCF_FAMILY},
        {"title", VCF_TITLE},          {"department", VCF_DEPT},
        {"email", VCF_EMAIL},          {"email_secondary", VCF_EMAIL2},
        {"phone_work", VCF_TEL_WORK},  {"phone_mobile", VCF_TEL_CELL},
        {"street", VCF_STREET},        {"city", VCF_CITY},
        {"state", VCF_REGION},         {"postcode", VCF_POSTCODE},
        {"country", VCF_COUNTRY},      {"birthday", VCF_BDAY},
        {"description", VCF_NOTE},
    };
    struct rec_input *x = arena_alloc(ctx->a, RP_NELEM(MAP) * sizeof(*x));
    for (size_t i = 0; i < RP_NELEM(MAP); i++) {
        struct rp_str s = g.card.v[MAP[i].slot];
        x[i] = s.len ? (struct rec_input){.field = rp_str_c(MAP[i].field), .kind = IN_STRING,
                                          .s = s.p, .len = s.len}
                     : (struct rec_input){.field = rp_str_c(MAP[i].field), .kind = IN_NULL};
    }
    *in = x;
    *n = RP_NELEM(MAP);
    return RP_OK;
}
