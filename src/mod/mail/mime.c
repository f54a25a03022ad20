/* Reading a received message: its header fields (unfolded, RFC 2047 words decoded),
 * addresses, date and thread, and its MIME tree — the first plain-text and HTML parts
 * as the body, a text/calendar part, and the names and sizes of the attachments —
 * every text converted to UTF-8 with iconv. Lenient as mail clients are, bounded in
 * parts and depth, and never reading past the message. */
#include "core/common.h"

#include <errno.h>
#include <iconv.h>

#include "core/text.h"
#include "mod/mail/inbox.h"

/* Addresses read from one header field at most. */
#define MAX_ADDRS 100u
/* The longest Message-ID kept (the emails' field holds 255). */
#define MAX_MSGID 255u
/* The longest subject kept, in code points (the emails' field holds 255). */
#define MAX_SUBJECT 255u

struct field {
    const char *name, *value;
    size_t nlen, vlen;
};

struct header {
    struct field *f;
    size_t n;
};

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* The end of the line at p (just past its LF, or end). */
static const char *next_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

/* Whether the line at p is empty (CRLF, LF, or the end). */
static bool blank_line(const char *p, const char *end)
{
    return p == end || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

/* Splits p..end into header fields and the body after the first blank line. */
static void parse_header(struct arena *a, const char *p, const char *end, struct header *h,
                         const char **body)
{
    size_t cap = 1;
    for (const char *q = p; q < end && (q = memchr(q, '\n', (size_t)(end - q))); q++)
        cap++;
    h->f = arena_calloc(a, cap, sizeof(*h->f));
    h->n = 0;
    struct field *cur = NULL;
    while (p < end && !blank_line(p, end)) {
        const char *nl = next_line(p, end);
        if (is_wsp(*p)) {
            if (cur)
                cur->vlen = (size_t)(nl - cur->value);
        } else {
            const char *colon = memchr(p, ':', (size_t)(nl - p));
            cur = NULL;
            if (colon && colon > p && h->n < cap) {
                const char *name_end = colon;
                while (name_end > p && is_wsp(name_end[-1]))
                    name_end--;
                cur = &h->f[h->n++];
                cur->name = p;
                cur->nlen = (size_t)(name_end - p);
                cur->value = colon + 1;
                cur->vlen = (size_t)(nl - cur->value);
            }
        }
        p = nl;
    }
    *body = p < end ? next_line(p, end) : end;
}

/* A field's value unfolded (line breaks dropped) and trimmed; NULL when absent. */
static const char *get(struct arena *a, const struct header *h, const char *name, size_t *len)
{
    for (size_t i = 0; i < h->n; i++) {
        const struct field *f = &h->f[i];
        if (!eq_nocase(f->name, f->nlen, name))
            continue;
        char *s = arena_alloc(a, f->vlen + 1);
        size_t n = 0;
        for (size_t k = 0; k < f->vlen; k++)
            if (f->value[k] != '\r' && f->value[k] != '\n')
                s[n++] = f->value[k];
        size_t start = 0;
        while (start < n && is_wsp(s[start]))
            start++;
        while (n > start && is_wsp(s[n - 1]))
            n--;
        s[n] = '\0';
        if (len)
            *len = n - start;
        return s + start;
    }
    return NULL;
}

/* ---- text: valid UTF-8, charsets ---- */

/* Copies s as valid UTF-8: malformed bytes become U+FFFD, NUL and CR are dropped, other
 * control characters become spaces — or, with `lines`, LF and tab are kept. */
static char *clean_utf8(struct arena *a, const char *s, size_t n, bool lines, size_t *outlen)
{
    char *o = arena_alloc(a, 3 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t c = text_utf8_next(s, n, &i);
        if (c == 0 || c == '\r')
            continue;
        if (c < 0x20 || c == 0x7f) {
            o[k++] = lines && (c == '\n' || c == '\t') ? (char)c : ' ';
        } else if (i == at + 1 && (unsigned char)s[at] >= 0x80) { /* malformed: U+FFFD */
            memcpy(o + k, "\xEF\xBF\xBD", 3);
            k += 3;
        } else {
            memcpy(o + k, s + at, i - at);
            k += i - at;
        }
    }
    o[k] = '\0';
    if (outlen)
        *outlen = k;
    return o;
}

/* The charset iconv knows a label by: the GB family is read as its superset. */
static const char *charset_alias(const char *cs)
{
    static const char *const GB[] = {"gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "gb18030"};
    for (size_t i = 0; i < RP_NELEM(GB); i++)
        if (eq_nocase(cs, strlen(cs), GB[i]))
            return "GB18030";
    return cs;
}

static bool is_utf8_label(const char *cs)
{
    size_t n = strlen(cs);
    return eq_nocase(cs, n, "utf-8") || eq_nocase(cs, n, "utf8") ||
           eq_nocase(cs, n, "us-ascii") || eq_nocase(cs, n, "ascii");
}

/* Text in charset cs (NULL: UTF-8 assumed) as clean UTF-8. An unknown charset is read
 * as UTF-8; a byte a charset does not map becomes U+FFFD. */
static char *to_utf8(struct arena *a, const char *cs, const char *s, size_t n, bool lines,
                     size_t *outlen)
{
    if (!cs || !cs[0] || is_utf8_label(cs) || strlen(cs) > 40)
        return clean_utf8(a, s, n, lines, outlen);
    iconv_t cd = iconv_open("UTF-8", charset_alias(cs));
    if (cd == (iconv_t)-1)
        return clean_utf8(a, s, n, lines, outlen);
    size_t cap = 4 * n + 16;
    char *o = arena_alloc(a, cap), *op = o;
    size_t oleft = cap - 1;
    char *ip = (char *)(uintptr_t)s;
    size_t ileft = n;
    while (ileft > 0) {
        if (iconv(cd, &ip, &ileft, &op, &oleft) != (size_t)-1)
            break;
        if (errno != EILSEQ || oleft < 3)
            break; /* EINVAL: a sequence cut at the end; E2BIG cannot happen */
        memcpy(op, "\xEF\xBF\xBD", 3);
        op += 3;
        oleft -= 3;
        ip++;
        ileft--;
    }
    iconv_close(cd);
    return clean_utf8(a, o, (size_t)(op - o), lines, outlen);
}

/* Keeps at most max code points of s (in place); true when it cut. */
static bool cut_code_points(char *s, size_t *len, size_t max)
{
    size_t i = 0, cps = 0;
    while (i < *len && cps < max) {
        text_utf8_next(s, *len, &i);
        cps++;
    }
    if (i >= *len)
        return false;
    s[i] = '\0';
    *len = i;
    return true;
}

/* ---- transfer encodings ---- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64, skipping what is not of its alphabet (line breaks, garbage), up to '='. */
static char *b64_decode(struct arena *a, const char *s, size_t n, size_t *outlen)
{
    char *o = arena_alloc(a, n / 4 * 3 + 4);
    size_t k = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Quoted-printable; `underscore`: the Q encoding of RFC 2047, where _ is a space. */
static char *qp_decode(struct arena *a, const char *s, size_t n, bool underscore, size_t *outlen)
{
    char *o = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            o[k++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (c == '=' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
            i += s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n' ? 2 : 1; /* soft break */
        } else {
            o[k++] = underscore && c == '_' ? ' ' : c;
        }
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

/* ---- RFC 2047 encoded-words ---- */

/* Decodes the encoded-word at s (=?cs?B|Q?text?=) into *out; its length, 0 if s does
 * not start one. */
static size_t encoded_word(struct arena *a, const char *s, size_t n, const char **out, size_t *olen)
{
    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    const char *cs = s + 2, *q1 = memchr(cs, '?', n - 2);
    if (!q1 || q1 + 3 >= s + n || q1[2] != '?')
        return 0;
    char enc = lower(q1[1]);
    const char *text = q1 + 3;
    const char *close = NULL;
    for (const char *p = text; p + 1 < s + n; p++)
        if (p[0] == '?' && p[1] == '=') {
            close = p;
            break;
        }
    if (!close || (enc != 'b' && enc != 'q') || q1 == cs)
        return 0;
    char *charset = arena_strndup(a, cs, (size_t)(q1 - cs));
    char *star = strchr(charset, '*'); /* RFC 2231 language: =?utf-8*en?… */
    if (star)
        *star = '\0';
    size_t rawlen;
    const char *raw = enc == 'b' ? b64_decode(a, text, (size_t)(close - text), &rawlen)
                                 : qp_decode(a, text, (size_t)(close - text), true, &rawlen);
    *out = to_utf8(a, charset, raw, rawlen, false, olen);
    return (size_t)(close + 2 - s);
}

static char *decode_words(struct arena *a, const char *v, size_t n)
{
    char *o = arena_alloc(a, 4 * n + 1);
    size_t k = 0, ws_at = SIZE_MAX; /* where the white space being read began in o */
    bool after_word = false;        /* the last thing read was an encoded-word */
    for (size_t i = 0; i < n;) {
        const char *dec;
        size_t dlen, used = encoded_word(a, v + i, n - i, &dec, &dlen);
        if (used) {
            /* White space between two encoded-words is not part of the text. */
            if (after_word && ws_at != SIZE_MAX)
                k = ws_at;
            memcpy(o + k, dec, dlen);
            k += dlen;
            i += used;
            after_word = true;
            ws_at = SIZE_MAX;
            continue;
        }
        if (is_wsp(v[i])) {
            if (ws_at == SIZE_MAX)
                ws_at = k;
        } else {
            after_word = false;
            ws_at = SIZE_MAX;
        }
        o[k++] = v[i++];
    }
    return clean_utf8(a, o, k, false, NULL);
}

const char *mail_decode_header(struct arena *a, const char *value, size_t len)
{
    return decode_words(a, value, len);
}

/* ---- parameters (RFC 2045, with RFC 2231's extended and continued values) ---- */

/* Reads a token or quoted-string at *p (up to ';'), unquoted, into the arena. */
static const char *param_value(struct arena *a, const char **p, const char *end)
{
    const char *s = *p;
    while (s < end && is_wsp(*s))
        s++;
    char *o = arena_alloc(a, (size_t)(end - s) + 1);
    size_t k = 0;
    if (s < end && *s == '"') {
        for (s++; s < end && *s != '"'; s++) {
            if (*s == '\\' && s + 1 < end)
                s++;
            o[k++] = *s;
        }
        if (s < end)
            s++;
        while (s < end && *s != ';')
            s++;
    } else {
        while (s < end && *s != ';')
            o[k++] = *s++;
        while (k && is_wsp(o[k - 1]))
            k--;
    }
    o[k] = '\0';
    *p = s;
    return o;
}

static char *pct_decode(struct arena *a, const char *s, size_t *outlen)
{
    size_t n = strlen(s), k = 0;
    char *o = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            o[k++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

/* The value of parameter `want` in the parameters after a field's first ';', as UTF-8:
 * plain, quoted, RFC 2047-encoded (as some clients write file names), or RFC 2231
 * extended (name*=cs'lang'%XX) and continued (name*0, name*1*…, in order). */
static const char *param(struct arena *a, const char *v, size_t n, const char *want)
{
    const char *p = memchr(v, ';', n), *end = v + n;
    const char *plain = NULL, *charset = NULL;
    struct rp_buf joined;
    buf_init(&joined, n + 1);
    bool any = false;
    size_t wlen = strlen(want);
    while (p && p < end) {
        p++;
        while (p < end && (is_wsp(*p) || *p == ';'))
            p++;
        const char *attr = p;
        while (p < end && *p != '=' && *p != ';')
            p++;
        const char *attr_end = p;
        while (attr_end > attr && is_wsp(attr_end[-1]))
            attr_end--;
        if (p >= end || *p != '=')
            continue;
        p++;
        const char *val = param_value(a, &p, end);
        size_t alen = (size_t)(attr_end - attr);
        if (alen < wlen || !eq_nocase(attr, wlen, want))
            continue;
        const char *rest = attr + wlen;
        size_t rlen = alen - wlen;
        if (rlen == 0) {
            plain = val;
            continue;
        }
        if (rest[0] != '*')
            continue;
        bool extended = rest[rlen - 1] == '*';
        bool first = rlen == 1 || (rlen >= 2 && rest[1] == '0' && (rlen == 2 || rlen == 3));
        if (extended && first) {
            /* charset'language'value */
            const char *q1 = strchr(val, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
            if (q1 && q2) {
                charset = arena_strndup(a, val, (size_t)(q1 - val));
                val = q2 + 1;
            }
        }
        size_t dlen = strlen(val);
        const char *d = extended ? pct_decode(a, val, &dlen) : val;
        if (buf_add(&joined, d, dlen) == RP_OK)
            any = true;
    }
    const char *out = plain ? mail_decode_header(a, plain, strlen(plain)) : NULL;
    if (any)
        out = to_utf8(a, charset, joined.p, joined.len, false, NULL);
    buf_release(&joined);
    return out;
}

/* The media type of a Content-Type value, lower case ("text/plain" when absent). */
static const char *media_type(struct arena *a, const char *v, size_t n, const char *def)
{
    if (!v)
        return def;
    size_t k = 0;
    while (k < n && v[k] != ';')
        k++;
    while (k && is_wsp(v[k - 1]))
        k--;
    char *t = arena_strndup(a, v, k);
    for (char *c = t; *c; c++)
        *c = lower(*c);
    return strchr(t, '/') ? t : def;
}

/* ---- addresses, ids, dates ---- */

/* The first <…> of a field, if it is a plausible Message-ID. */
static const char *msg_id(struct arena *a, const char *v, size_t n)
{
    const char *lt = v ? memchr(v, '<', n) : NULL;
    const char *gt = lt ? memchr(lt, '>', n - (size_t)(lt - v)) : NULL;
    if (!gt || (size_t)(gt - lt) + 1 > MAX_MSGID || gt == lt + 1)
        return NULL;
    for (const char *p = lt + 1; p < gt; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '<')
            return NULL;
    return arena_strndup(a, lt, (size_t)(gt - lt) + 1);
}

/* One element of an address list: "Name <addr>", "addr (comment)", "addr". */
static bool one_addr(struct arena *a, const char *s, size_t n, struct mail_addr *out)
{
    const char *lt = NULL, *gt = NULL;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            i++;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == '<' && !lt) {
            lt = s + i;
        } else if (!quoted && s[i] == '>' && lt && !gt) {
            gt = s + i;
        }
    }
    char *addr, *name = NULL;
    if (lt && gt) {
        addr = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
        size_t k = 0, nl = (size_t)(lt - s);
        name = arena_alloc(a, nl + 1);
        for (size_t i = 0; i < nl; i++) {
            if (s[i] == '"')
                continue;
            if (s[i] == '\\' && i + 1 < nl)
                i++;
            name[k++] = s[i];
        }
        while (k && is_wsp(name[k - 1]))
            k--;
        size_t st = 0;
        while (st < k && is_wsp(name[st]))
            st++;
        name[k] = '\0';
        name = k > st ? decode_words(a, name + st, k - st) : NULL;
    } else {
        /* a bare address: comments left out */
        addr = arena_alloc(a, n + 1);
        size_t k = 0;
        int depth = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && depth)
                depth--;
            else if (!depth && !is_wsp(s[i]))
                addr[k++] = s[i];
        }
        addr[k] = '\0';
    }
    char *p = addr;
    while (is_wsp(*p))
        p++;
    size_t len = strlen(p);
    while (len && is_wsp(p[len - 1]))
        p[--len] = '\0';
    if (!len || len > MAIL_MAX_ADDRESS || !mail_addr_valid(p, len))
        return false;
    out->addr = p;
    out->name = name;
    return true;
}

/* An address list, leniently: elements split at commas outside quotes, angle brackets
 * and comments; a group's name ("team:") and end (';') left out. */
static size_t addr_list(struct arena *a, const char *v, size_t n, struct mail_addr **out)
{
    *out = arena_calloc(a, MAX_ADDRS, sizeof(**out));
    size_t count = 0, start = 0;
    bool quoted = false;
    int angle = 0, paren = 0;
    for (size_t i = 0; v && i <= n && count < MAX_ADDRS; i++) {
        char c = i < n ? v[i] : ',';
        if (i < n && c == '\\' && i + 1 < n) {
            i++;
            continue;
        }
        if (c == '"' && !paren)
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (c == '(')
            paren++;
        else if (c == ')' && paren)
            paren--;
        else if (paren)
            continue;
        else if (c == '<')
            angle++;
        else if (c == '>' && angle)
            angle--;
        else if (!angle && (c == ',' || c == ';' || c == ':')) {
            if (c != ':' && one_addr(a, v + start, i - start, &(*out)[count]))
                count++;
            start = i + 1;
        }
    }
    return count;
}

/* The whole number of the digits s[0..n) (at most 4); -1 when one is not a digit. */
static int number(const char *s, size_t n)
{
    int v = 0;
    if (n == 0 || n > 4)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "HH:MM" or "HH:MM:SS". */
static bool clock_time(const char *k, int *hh, int *mi, int *ss)
{
    size_t n = strlen(k);
    if ((n != 5 && n != 8) || k[2] != ':' || (n == 8 && k[5] != ':'))
        return false;
    *hh = number(k, 2);
    *mi = number(k + 3, 2);
    *ss = n == 8 ? number(k + 6, 2) : 0;
    return *hh >= 0 && *mi >= 0 && *ss >= 0;
}

enum rp_err mail_parse_date(const char *s, size_t n, int64_t *ms)
{
    static const char *const MONTHS[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    static const struct {
        const char *name;
        int hours;
    } ZONES[] = {{"ut", 0},   {"gmt", 0},  {"z", 0},    {"utc", 0},  {"est", -5}, {"edt", -4},
                 {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    char tok[8][32];
    size_t nt = 0;
    /* Tokens: runs of letters, digits, or a sign with digits; comments and ',' skipped. */
    for (size_t i = 0; i < n && nt < 8;) {
        char c = s[i];
        if (c == '(') {
            while (i < n && s[i] != ')')
                i++;
            i++;
            continue;
        }
        size_t st = i;
        if (c == '+' || c == '-' || (c >= '0' && c <= '9') || c == ':') {
            i++;
            while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':'))
                i++;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
                i++;
        } else {
            i++;
            continue;
        }
        if (i - st < sizeof(tok[0])) {
            memcpy(tok[nt], s + st, i - st);
            tok[nt++][i - st] = '\0';
        }
    }
    int day = -1, month = -1, year = -1, hh = -1, mi = -1, ss = 0, off_min = 0;
    for (size_t t = 0; t < nt; t++) {
        const char *k = tok[t];
        size_t kl = strlen(k);
        if (strchr(k, ':')) {
            if (!clock_time(k, &hh, &mi, &ss))
                return RP_EINVAL;
        } else if ((k[0] == '+' || k[0] == '-') && kl == 5) {
            int v = number(k + 1, 4);
            if (v < 0 || v % 100 > 59)
                return RP_EINVAL;
            off_min = (v / 100 * 60 + v % 100) * (k[0] == '-' ? -1 : 1);
        } else if (k[0] >= '0' && k[0] <= '9') {
            int v = number(k, kl);
            if (day < 0 && kl <= 2)
                day = v;
            else if (year < 0 && v >= 0)
                year = kl <= 2 ? (v < 50 ? 2000 + v : 1900 + v) : kl == 3 ? 1900 + v : v;
        } else {
            for (size_t m = 0; m < 12; m++)
                if (kl >= 3 && month < 0 && eq_nocase(k, 3, MONTHS[m]))
                    month = (int)m + 1;
            for (size_t z = 0; z < RP_NELEM(ZONES); z++)
                if (eq_nocase(k, kl, ZONES[z].name))
                    off_min = ZONES[z].hours * 60;
        }
    }
    if (day < 1 || month < 1 || year < 1 || year > 9999 || hh < 0 || mi < 0 ||
        off_min <= -24 * 60 || off_min >= 24 * 60)
        return RP_EINVAL;
    char iso[40];
    int aoff = off_min < 0 ? -off_min : off_min;
    int w = snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month,
                     day, hh, mi, ss, off_min < 0 ? '-' : '+', aoff / 60, aoff % 60);
    if (w < 0 || (size_t)w >= sizeof(iso))
        return RP_EINVAL;
    return text_parse_datetime((struct rp_str){iso, (size_t)w}, ms);
}

/* ---- the MIME tree ---- */

struct walk {
    struct arena *a;
    struct mail_in *out;
    size_t parts;
    struct rp_buf text;   /* the plain-text parts, in order */
    bool has_text;
};

/* A part's body decoded from its transfer encoding. */
static const char *decode_body(struct arena *a, const struct header *h, const char *b, size_t n,
                               size_t *outlen)
{
    size_t elen;
    const char *enc = get(a, h, "content-transfer-encoding", &elen);
    if (enc && eq_nocase(enc, elen, "base64"))
        return b64_decode(a, b, n, outlen);
    if (enc && eq_nocase(enc, elen, "quoted-printable"))
        return qp_decode(a, b, n, false, outlen);
    *outlen = n;
    return b;
}

/* Finds the next delimiter line of boundary bd from p (at a line start): its start,
 * whether it closes, and where the part after it begins. NULL: none. */
static const char *find_delim(const char *p, const char *end, const char *bd, size_t blen,
                              bool *close, const char **after)
{
    while (p < end) {
        if ((size_t)(end - p) >= blen + 2 && p[0] == '-' && p[1] == '-' &&
            !memcmp(p + 2, bd, blen)) {
            const char *q = p + 2 + blen;
            *close = end - q >= 2 && q[0] == '-' && q[1] == '-';
            *after = next_line(q, end);
            return p;
        }
        p = next_line(p, end);
    }
    return NULL;
}

static void add_attachment(struct walk *w, const char *name, const char *type, size_t size)
{
    struct mail_in *o = w->out;
    if (o->natt >= MAIL_MAX_ATTACHMENTS) {
        o->natt_more++;
        return;
    }
    o->att[o->natt++] = (struct mail_attachment){name ? name : "", type, size};
}

static void walk_part(struct walk *w, const char *p, const char *end, unsigned depth,
                      const char *def_type);

static void walk_multipart(struct walk *w, const char *ct, size_t ctlen, const char *type,
                           const char *body, const char *end, unsigned depth)
{
    const char *bd = param(w->a, ct, ctlen, "boundary");
    size_t blen = bd ? strlen(bd) : 0;
    if (!blen || blen > 200)
        return;
    bool close = false;
    const char *after, *at = find_delim(body, end, bd, blen, &close, &after);
    /* In multipart/digest a part is a message unless it says otherwise. */
    const char *def = strcmp(type, "multipart/digest") ? "text/plain" : "message/rfc822";
    while (at && !close && w->parts < MAIL_MAX_PARTS) {
        const char *start = after, *next_after;
        bool next_close = false;
        const char *next = find_delim(start, end, bd, blen, &next_close, &next_after);
        const char *stop = next ? next : end;
        /* The line break before a delimiter belongs to it. */
        if (stop > start && stop[-1] == '\n')
            stop--;
        if (stop > start && stop[-1] == '\r')
            stop--;
        walk_part(w, start, stop, depth + 1, def);
        at = next;
        close = next_close;
        after = next_after;
    }
}

static void walk_part(struct walk *w, const char *p, const char *end, unsigned depth,
                      const char *def_type)
{
    if (depth > MAIL_MAX_DEPTH || w->parts >= MAIL_MAX_PARTS)
        return;
    w->parts++;
    struct arena *a = w->a;
    struct header h;
    const char *body;
    parse_header(a, p, end, &h, &body);
    size_t ctlen = 0, cdlen = 0;
    const char *ct = get(a, &h, "content-type", &ctlen);
    const char *type = media_type(a, ct, ctlen, def_type);
    if (!strncmp(type, "multipart/", 10)) {
        walk_multipart(w, ct, ctlen, type, body, end, depth);
        return;
    }
    const char *cd = get(a, &h, "content-disposition", &cdlen);
    const char *name = cd ? param(a, cd, cdlen, "filename") : NULL;
    if (!name && ct)
        name = param(a, ct, ctlen, "name");
    bool attachment = name || (cd && cdlen >= 10 && eq_nocase(cd, 10, "attachment"));
    size_t n;
    const char *raw = decode_body(a, &h, body, (size_t)(end - body), &n);
    const char *charset = ct ? param(a, ct, ctlen, "charset") : NULL;
    struct mail_in *o = w->out;
    if (!strcmp(type, "text/calendar") && !o->calendar)
        o->calendar = to_utf8(a, charset, raw, n, true, NULL);
    if (attachment || strncmp(type, "text/", 5)) {
        add_attachment(w, name, type, n);
        return;
    }
    size_t len;
    if (!strcmp(type, "text/html")) {
        if (!o->html)
            o->html = to_utf8(a, charset, raw, n, true, &len);
        return;
    }
    if (!strcmp(type, "text/plain") || !strcmp(type, "text/enriched")) {
        const char *t = to_utf8(a, charset, raw, n, true, &len);
        if (w->has_text)
            buf_add(&w->text, "\n\n", 2);
        buf_add(&w->text, t, len);
        w->has_text = true;
    }
}

/* Keeps at most RP_MAX_TEXT code points of a body. */
static const char *fit(struct arena *a, const char *s, bool *cut)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *c = arena_strndup(a, s, len);
    if (cut_code_points(c, &len, RP_MAX_TEXT))
        *cut = true;
    return c;
}

/* Whether one of the tokens of a header value (separated by commas, a token ending at
 * a semicolon or space) is word. */
static bool has_token(const char *v, size_t n, const char *word)
{
    for (size_t i = 0; i < n;) {
        while (i < n && (is_wsp(v[i]) || v[i] == ','))
            i++;
        size_t j = i;
        while (j < n && v[j] != ',' && v[j] != ';' && !is_wsp(v[j]))
            j++;
        if (j > i && eq_nocase(v + i, j - i, word))
            return true;
        while (j < n && v[j] != ',')
            j++;
        i = j;
    }
    return false;
}

/* Whether a message was sent by a machine (RFC 3834 section 2 and the headers that
 * mark a list's or a bounce): Auto-Submitted other than "no", Precedence bulk, junk or
 * list, a List-Id or List-Unsubscribe, an empty Return-Path, or a sender asking for no
 * automatic answers (X-Auto-Response-Suppress: All, AutoReply or OOF). */
static bool automatic(struct arena *a, const struct header *h, const struct mail_addr *from)
{
    size_t n = 0;
    const char *v = get(a, h, "auto-submitted", &n);
    if (v && n && !has_token(v, n, "no"))
        return true;
    v = get(a, h, "precedence", &n);
    if (v && (has_token(v, n, "bulk") || has_token(v, n, "junk") || has_token(v, n, "list")))
        return true;
    if (get(a, h, "list-id", &n) || get(a, h, "list-unsubscribe", &n))
        return true;
    v = get(a, h, "return-path", &n);
    if (v && n == 2 && !memcmp(v, "<>", 2))
        return true;
    v = get(a, h, "x-auto-response-suppress", &n);
    if (v && (has_token(v, n, "all") || has_token(v, n, "autoreply") || has_token(v, n, "oof")))
        return true;
    const char *at = from->addr ? strchr(from->addr, '@') : NULL;
    return at && (eq_nocase(from->addr, (size_t)(at - from->addr), "mailer-daemon") ||
                  eq_nocase(from->addr, (size_t)(at - from->addr), "postmaster"));
}

enum rp_err mail_parse_message(struct arena *a, const char *raw, size_t len, struct mail_in *out)
{
    memset(out, 0, sizeof(*out));
    const char *end = raw + len;
    struct header h;
    const char *body;
    parse_header(a, raw, end, &h, &body);
    if (h.n == 0)
        return RP_EINVAL;
    size_t n = 0;
    const char *v;
    v = get(a, &h, "message-id", &n);
    out->message_id = msg_id(a, v, n);
    v = get(a, &h, "in-reply-to", &n);
    out->in_reply_to = msg_id(a, v, n);
    v = get(a, &h, "references", &n);
    out->thread_root = msg_id(a, v, n);
    if (!out->thread_root)
        out->thread_root = out->in_reply_to;
    v = get(a, &h, "subject", &n);
    char *subject = v ? decode_words(a, v, n) : arena_strdup(a, "");
    size_t slen = strlen(subject);
    cut_code_points(subject, &slen, MAX_SUBJECT);
    out->subject = subject;
    struct mail_addr *from;
    v = get(a, &h, "from", &n);
    if (addr_list(a, v, n, &from))
        out->from = from[0];
    out->automatic = automatic(a, &h, &out->from);
    v = get(a, &h, "to", &n);
    out->nto = addr_list(a, v, n, &out->to);
    v = get(a, &h, "cc", &n);
    out->ncc = addr_list(a, v, n, &out->cc);
    v = get(a, &h, "date", &n);
    if (!v || mail_parse_date(v, n, &out->date_ms))
        out->date_ms = 0;
    out->att = arena_calloc(a, MAIL_MAX_ATTACHMENTS, sizeof(*out->att));
    struct walk w = {.a = a, .out = out};
    buf_init(&w.text, 4u * RP_MAX_TEXT + 8u);
    walk_part(&w, raw, end, 0, "text/plain");
    if (w.has_text)
        out->text = fit(a, w.text.len ? buf_cstr(&w.text) : "", &out->truncated);
    buf_release(&w.text);
    out->html = fit(a, out->html, &out->truncated);
    out->calendar = fit(a, out->calendar, &out->truncated);
    return RP_OK;
}
