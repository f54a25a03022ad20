/* vCards as people (vcard_read.h): physical lines, unfolded into property lines, split
 * into name, parameters and value, decoded (quoted-printable, charset, escapes) and
 * put in the card's slots. */
#include "core/common.h"

#include <iconv.h>
#include <strings.h>

#include "core/text.h"
#include "engine/vcard_read.h"

/* Components of a structured value read (ADR has seven). */
#define MAX_PARTS 7

void vcf_init(struct vcf *v, enum rp_lang lang, vcf_card_fn fn, void *cls)
{
    memset(v, 0, sizeof(*v));
    v->lang = lang;
    v->fn = fn;
    v->cls = cls;
    buf_init(&v->phys, RP_MAX_VCARD_LINE);
    buf_init(&v->logical, RP_MAX_VCARD_LINE);
    arena_init(&v->card_a);
}

void vcf_release(struct vcf *v)
{
    buf_release(&v->phys);
    buf_release(&v->logical);
    arena_release(&v->card_a);
}

static struct rp_str trim(struct rp_str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.len--;
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* ---- names ---- */

/* Two-character Chinese family names, the common ones. */
static const char *const COMPOUND[] = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟",
                                       "公孙", "令狐", "慕容", "夏侯", "长孙", "宇文", "司徒",
                                       "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延"};

void vcf_split_name(struct rp_str fn, struct rp_str *family, struct rp_str *given)
{
    fn = trim(fn);
    *family = *given = (struct rp_str){"", 0};
    if (!fn.len)
        return;
    if (text_has_cjk(fn)) {
        const char *sp = memchr(fn.p, ' ', fn.len);
        size_t k;
        if (sp) {
            k = (size_t)(sp - fn.p);
        } else {
            k = 1;
            while (k < fn.len && ((unsigned char)fn.p[k] & 0xC0) == 0x80)
                k++;
            for (size_t i = 0; i < RP_NELEM(COMPOUND); i++)
                if (fn.len > strlen(COMPOUND[i]) &&
                    memcmp(fn.p, COMPOUND[i], strlen(COMPOUND[i])) == 0)
                    k = strlen(COMPOUND[i]);
        }
        *family = (struct rp_str){fn.p, k};
        *given = trim((struct rp_str){fn.p + k, fn.len - k});
        return;
    }
    size_t sp = fn.len;
    while (sp > 0 && fn.p[sp - 1] != ' ')
        sp--;
    *family = (struct rp_str){fn.p + sp, fn.len - sp};
    *given = trim((struct rp_str){fn.p, sp});
}

/* ---- values ---- */

/* The card's first problem, on its line, in v->lang. */
static void card_error(struct vcf *v, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void card_error(struct vcf *v, int64_t line, const char *fmt, ...)
{
    if (v->card.error)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), msg_tr(v->lang, fmt), ap);
    va_end(ap);
    v->card.error = arena_printf(&v->card_a, msg_tr(v->lang, "line %lld: %s"), (long long)line,
                                 msg);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

static struct rp_str qp_decode(struct arena *a, struct rp_str s)
{
    char *o = arena_alloc(a, s.len + 1);
    size_t k = 0;
    for (size_t i = 0; i < s.len; i++) {
        int h, l;
        if (s.p[i] == '=' && i + 2 < s.len && (h = hexval(s.p[i + 1])) >= 0 &&
            (l = hexval(s.p[i + 2])) >= 0) {
            o[k++] = (char)(h * 16 + l);
            i += 2;
        } else {
            o[k++] = s.p[i];
        }
    }
    o[k] = '\0';
    return (struct rp_str){o, k};
}

/* Converts s from charset to UTF-8; false when iconv does not know it or the bytes
 * are not of it. */
static bool to_utf8(struct arena *a, const char *charset, struct rp_str *s)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return false;
    size_t cap = s->len * 4 + 4;
    char *out = arena_alloc(a, cap);
    char *ip = (char *)(uintptr_t)s->p, *op = out;
    size_t il = s->len, ol = cap - 1;
    size_t rc = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (rc == (size_t)-1 || il)
        return false;
    *op = '\0';
    *s = (struct rp_str){out, (size_t)(op - out)};
    return true;
}

/* Text value escapes: \n \N \, \; \: \\ (anything else kept as written). */
static struct rp_str unescape(struct arena *a, struct rp_str s)
{
    char *o = arena_alloc(a, s.len + 1);
    size_t k = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '\\' && i + 1 < s.len) {
            char n = s.p[i + 1];
            if (n == 'n' || n == 'N') {
                o[k++] = '\n';
                i++;
                continue;
            }
            if (n == ',' || n == ';' || n == ':' || n == '\\') {
                o[k++] = n;
                i++;
                continue;
            }
        }
        o[k++] = c;
    }
    o[k] = '\0';
    return trim((struct rp_str){o, k});
}

/* Splits a structured value at its unescaped semicolons (the last part keeps any
 * extra ones) and unescapes each part. */
static size_t split_parts(struct arena *a, struct rp_str s, struct rp_str *parts)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i < s.len && s.p[i] == '\\') {
            i++;
            continue;
        }
        if (i == s.len || (s.p[i] == ';' && n < MAX_PARTS - 1)) {
            parts[n++] = unescape(a, (struct rp_str){s.p + start, (i < s.len ? i : s.len) - start});
            start = i + 1;
        }
    }
    for (size_t k = n; k < MAX_PARTS; k++)
        parts[k] = (struct rp_str){"", 0};
    return n;
}

/* ---- property lines ---- */

enum { T_CELL = 1, T_WORK = 2, T_HOME = 4, T_FAX = 8, T_PAGER = 16, T_PREF = 32 };

struct prop {
    struct rp_str name;
    struct rp_str value;
    bool qp, binary;
    char charset[40];
    unsigned types;
};

static void add_type(struct prop *pr, struct rp_str t)
{
    static const struct {
        const char *name;
        unsigned bit;
    } TYPES[] = {{"cell", T_CELL}, {"mobile", T_CELL}, {"iphone", T_CELL}, {"work", T_WORK},
                 {"home", T_HOME}, {"fax", T_FAX},     {"pager", T_PAGER}, {"pref", T_PREF}};
    t = trim(t);
    for (size_t i = 0; i < RP_NELEM(TYPES); i++)
        if (t.len == strlen(TYPES[i].name) && strncasecmp(t.p, TYPES[i].name, t.len) == 0)
            pr->types |= TYPES[i].bit;
}

static void add_param(struct prop *pr, struct rp_str name, struct rp_str value, bool bare)
{
    if (bare) { /* 2.1: "TEL;CELL;PREF", "NOTE;QUOTED-PRINTABLE" */
        value = name;
        name = RP_STR("");
    }
    if (value.len >= 2 && value.p[0] == '"' && value.p[value.len - 1] == '"')
        value = (struct rp_str){value.p + 1, value.len - 2};
    bool enc = name.len == 8 && strncasecmp(name.p, "ENCODING", 8) == 0;
    if ((bare || enc) && value.len == 16 && strncasecmp(value.p, "QUOTED-PRINTABLE", 16) == 0) {
        pr->qp = true;
    } else if ((bare || enc) && ((value.len == 1 && (value.p[0] | 0x20) == 'b') ||
                                 (value.len == 6 && strncasecmp(value.p, "BASE64", 6) == 0))) {
        pr->binary = true;
    } else if (name.len == 7 && strncasecmp(name.p, "CHARSET", 7) == 0) {
        snprintf(pr->charset, sizeof(pr->charset), "%.*s", (int)value.len, value.p);
    } else if (name.len == 4 && strncasecmp(name.p, "PREF", 4) == 0) {
        pr->types |= T_PREF;
    } else if (bare || (name.len == 4 && strncasecmp(name.p, "TYPE", 4) == 0)) {
        for (size_t i = 0; i <= value.len;) { /* "work,voice" */
            size_t j = i;
            while (j < value.len && value.p[j] != ',')
                j++;
            add_type(pr, (struct rp_str){value.p + i, j - i});
            i = j + 1;
        }
    }
}

/* Splits "group.NAME;P=V;…:value". False for a line without a colon. */
static bool split_prop(struct rp_str line, struct prop *pr)
{
    memset(pr, 0, sizeof(*pr));
    size_t i = 0;
    while (i < line.len && line.p[i] != ';' && line.p[i] != ':')
        i++;
    if (i == line.len)
        return false;
    pr->name = (struct rp_str){line.p, i};
    const char *dot = NULL;
    for (size_t k = 0; k < pr->name.len; k++)
        if (pr->name.p[k] == '.')
            dot = pr->name.p + k;
    if (dot)
        pr->name = (struct rp_str){dot + 1, (size_t)(pr->name.p + pr->name.len - dot - 1)};
    while (i < line.len && line.p[i] == ';') {
        size_t s = ++i, eq = 0;
        bool quoted = false;
        while (i < line.len && (quoted || (line.p[i] != ';' && line.p[i] != ':'))) {
            if (line.p[i] == '"')
                quoted = !quoted;
            else if (line.p[i] == '=' && !eq && !quoted)
                eq = i;
            i++;
        }
        if (eq)
            add_param(pr, (struct rp_str){line.p + s, eq - s},
                      (struct rp_str){line.p + eq + 1, i - eq - 1}, false);
        else if (i > s)
            add_param(pr, (struct rp_str){line.p + s, i - s}, RP_STR(""), true);
    }
    if (i == line.len)
        return false;
    pr->value = (struct rp_str){line.p + i + 1, line.len - i - 1};
    return true;
}

static bool named(const struct prop *pr, const char *name)
{
    return pr->name.len == strlen(name) && strncasecmp(pr->name.p, name, pr->name.len) == 0;
}

static void set(struct vcf *v, enum vcf_slot s, struct rp_str val)
{
    if (!v->card.v[s].len && val.len)
        v->card.v[s] = val;
}

static struct rp_str norm_bday(struct arena *a, struct rp_str b)
{
    bool digits8 = b.len >= 8;
    for (size_t i = 0; i < 8 && digits8; i++)
        digits8 = b.p[i] >= '0' && b.p[i] <= '9';
    if (digits8 && (b.len == 8 || b.p[8] == 'T'))
        return rp_str_c(arena_printf(a, "%.4s-%.2s-%.2s", b.p, b.p + 4, b.p + 6));
    if (b.len >= 10 && b.p[4] == '-' && b.p[7] == '-')
        return (struct rp_str){b.p, 10};
    if (b.len >= 2 && b.p[0] == '-' && b.p[1] == '-')
        return (struct rp_str){"", 0}; /* --MMDD: no year to store */
    return b;
}

static void take(struct vcf *v, const struct prop *pr, struct rp_str val)
{
    struct arena *a = &v->card_a;
    struct rp_str p[MAX_PARTS];
    if (named(pr, "N")) {
        split_parts(a, val, p);
        set(v, VCF_FAMILY, p[0]);
        if (p[2].len && p[1].len)
            p[1] = rp_str_c(arena_printf(a, "%.*s %.*s", (int)p[1].len, p[1].p, (int)p[2].len,
                                         p[2].p));
        set(v, VCF_GIVEN, p[1].len ? p[1] : p[2]);
        set(v, VCF_PREFIX, p[3]);
    } else if (named(pr, "FN")) {
        set(v, VCF_FN, unescape(a, val));
    } else if (named(pr, "ORG")) {
        split_parts(a, val, p);
        set(v, VCF_ORG, p[0]);
        set(v, VCF_DEPT, p[1]);
    } else if (named(pr, "TITLE")) {
        set(v, VCF_TITLE, unescape(a, val));
    } else if (named(pr, "NOTE")) {
        set(v, VCF_NOTE, unescape(a, val));
    } else if (named(pr, "URL")) {
        set(v, VCF_URL, unescape(a, val));
    } else if (named(pr, "BDAY")) {
        set(v, VCF_BDAY, norm_bday(a, unescape(a, val)));
    } else if (named(pr, "EMAIL")) {
        struct rp_str e = unescape(a, val);
        if (!e.len)
            return;
        if ((pr->types & T_PREF) && v->card.v[VCF_EMAIL].len && !v->slot_pref[VCF_EMAIL]) {
            if (!v->card.v[VCF_EMAIL2].len)
                v->card.v[VCF_EMAIL2] = v->card.v[VCF_EMAIL];
            v->card.v[VCF_EMAIL] = e;
            v->slot_pref[VCF_EMAIL] = 1;
        } else if (!v->card.v[VCF_EMAIL].len) {
            v->card.v[VCF_EMAIL] = e;
            v->slot_pref[VCF_EMAIL] = (pr->types & T_PREF) != 0;
        } else {
            set(v, VCF_EMAIL2, e);
        }
    } else if (named(pr, "TEL")) {
        struct rp_str t = unescape(a, val);
        if (t.len > 4 && strncasecmp(t.p, "tel:", 4) == 0)
            t = (struct rp_str){t.p + 4, t.len - 4};
        unsigned ty = pr->types;
        enum vcf_slot s = ty & T_CELL    ? VCF_TEL_CELL
                          : ty & T_FAX   ? VCF_TEL_FAX
                          : ty & T_PAGER ? VCF_TEL_OTHER
                          : (ty & T_HOME) && !(ty & T_WORK) ? VCF_TEL_HOME
                                                            : VCF_TEL_WORK;
        set(v, v->card.v[s].len ? VCF_TEL_OTHER : s, t);
    } else if (named(pr, "ADR")) {
        split_parts(a, val, p);
        if (v->card.v[VCF_STREET].len || v->card.v[VCF_CITY].len || v->card.v[VCF_COUNTRY].len)
            return; /* the first address */
        struct rp_str street = p[2];
        if (p[1].len)
            street = street.len ? rp_str_c(arena_printf(a, "%.*s, %.*s", (int)street.len,
                                                        street.p, (int)p[1].len, p[1].p))
                                : p[1];
        set(v, VCF_STREET, street);
        set(v, VCF_CITY, p[3]);
        set(v, VCF_REGION, p[4]);
        set(v, VCF_POSTCODE, p[5]);
        set(v, VCF_COUNTRY, p[6]);
    }
}

static bool used(const struct prop *pr)
{
    static const char *const NAMES[] = {"N",   "FN",  "ORG",   "TITLE", "NOTE",
                                        "URL", "BDAY", "EMAIL", "TEL",   "ADR"};
    for (size_t i = 0; i < RP_NELEM(NAMES); i++)
        if (named(pr, NAMES[i]))
            return true;
    return false;
}

static void end_card(struct vcf *v)
{
    struct vcf_card *c = &v->card;
    if (!c->v[VCF_FAMILY].len && !c->v[VCF_GIVEN].len && c->v[VCF_FN].len)
        vcf_split_name(c->v[VCF_FN], &c->v[VCF_FAMILY], &c->v[VCF_GIVEN]);
    if (!v->err)
        v->err = v->fn(v->cls, c);
    v->in_card = false;
    arena_release(&v->card_a);
}

static void property(struct vcf *v, struct rp_str line, int64_t lineno, bool big)
{
    struct prop pr;
    if (!split_prop(line, &pr))
        return; /* not a property: a stray line of a photo's base64 */
    struct rp_str val = trim(pr.value);
    if (named(&pr, "BEGIN") && val.len == 5 && strncasecmp(val.p, "VCARD", 5) == 0) {
        if (v->in_card) {
            v->depth++;
            return;
        }
        arena_release(&v->card_a);
        memset(&v->card, 0, sizeof(v->card));
        memset(v->slot_pref, 0, sizeof(v->slot_pref));
        v->card.line = lineno;
        v->in_card = true;
        return;
    }
    if (!v->in_card)
        return;
    if (named(&pr, "END") && val.len == 5 && strncasecmp(val.p, "VCARD", 5) == 0) {
        if (v->depth)
            v->depth--;
        else
            end_card(v);
        return;
    }
    if (v->depth || pr.binary || !used(&pr))
        return;
    if (big) {
        card_error(v, lineno, "the %.*s value is longer than %u MiB", (int)pr.name.len,
                   pr.name.p, RP_MAX_VCARD_LINE >> 20);
        return;
    }
    struct rp_str raw = pr.value;
    if (pr.qp)
        raw = qp_decode(&v->card_a, raw);
    bool utf8 = strcasecmp(pr.charset, "UTF-8") == 0 || strcasecmp(pr.charset, "UTF8") == 0;
    if (pr.charset[0] && !utf8 && !to_utf8(&v->card_a, pr.charset, &raw)) {
        card_error(v, lineno, "the %.*s value is not readable as CHARSET=%s", (int)pr.name.len,
                   pr.name.p, pr.charset);
        return;
    }
    if (!text_utf8_valid(raw)) {
        card_error(v, lineno, "the %.*s value is not valid UTF-8 (give its CHARSET)",
                   (int)pr.name.len, pr.name.p);
        return;
    }
    take(v, &pr, raw);
}

/* Whether an unfinished property line is quoted-printable and ends in a soft break,
 * so that the next physical line continues it. */
static bool qp_soft_break(const struct rp_buf *b)
{
    const char *s = buf_cstr(b);
    if (!b->len || s[b->len - 1] != '=')
        return false;
    const char *colon = memchr(s, ':', b->len);
    if (!colon)
        return false;
    size_t n = (size_t)(colon - s);
    for (size_t i = 0; i + 16 <= n; i++)
        if (strncasecmp(s + i, "QUOTED-PRINTABLE", 16) == 0)
            return true;
    return false;
}

static void flush_logical(struct vcf *v)
{
    if (v->have_logical)
        property(v, (struct rp_str){buf_cstr(&v->logical), v->logical.len}, v->logical_line,
                 v->logical_big);
    v->have_logical = false;
    v->logical_big = false;
    buf_reset(&v->logical);
}

static void phys_line(struct vcf *v)
{
    v->line++;
    struct rp_str l = {buf_cstr(&v->phys), v->phys.len};
    if (l.len && l.p[l.len - 1] == '\r')
        l.len--;
    bool big = v->phys_big;
    if (v->have_logical && l.len && (l.p[0] == ' ' || l.p[0] == '\t')) {
        l.p++, l.len--; /* a folded line goes on */
    } else if (v->have_logical && qp_soft_break(&v->logical)) {
        v->logical.len--; /* the '=' of a soft line break */
        v->logical.p[v->logical.len] = '\0';
    } else {
        flush_logical(v);
        v->have_logical = true;
        v->logical_line = v->line;
    }
    /* A line cut at the limit still names its property, for the card's error. */
    if (buf_add(&v->logical, l.p, l.len) || big)
        v->logical_big = true;
    buf_reset(&v->phys);
    v->phys_big = false;
}

enum rp_err vcf_feed(struct vcf *v, const char *p, size_t n)
{
    while (n && !v->err) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (!v->phys_big && buf_add(&v->phys, p, k))
            v->phys_big = true;
        if (nl)
            phys_line(v);
        p += k + (nl != NULL);
        n -= k + (nl != NULL);
    }
    return v->err;
}

enum rp_err vcf_finish(struct vcf *v)
{
    if (!v->err && (v->phys.len || v->phys_big))
        phys_line(v);
    if (!v->err)
        flush_logical(v);
    if (!v->err && v->in_card) {
        card_error(v, v->card.line, "the card is not closed: END:VCARD is missing");
        end_card(v);
    }
    return v->err;
}
