#include "core/common.h"

#include "core/text.h"
#include "engine/dupkeys.h"

/* ---- UTF-8 ---- */

/* Writes cp as UTF-8 at out (room for 4 bytes) and returns the bytes written. */
static size_t put_cp(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Chinese and Japanese input methods type ASCII in its full-width form (Ａ, １, ＠);
 * people read both as the same text, so keys must too. U+3000 is the full-width space. */
static uint32_t narrow(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

static bool is_ascii_space(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Cuts n back so that s[0..n) ends on a code point boundary. */
static size_t cut_at_boundary(const char *s, size_t n, size_t len)
{
    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* ---- e-mail ---- */

/* Characters that cannot appear unquoted in an address, or that show the value is a
 * display form ("Ann <ann@x.org>") or a list rather than one address. */
static bool email_bad_char(unsigned char c)
{
    return c <= 0x20 || c == 0x7F || memchr("\"(),:;<>[\\]", c, 11) != NULL;
}

static bool domain_ok(const char *d, size_t n)
{
    size_t labels = 0, label_len = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || d[i] == '.') {
            if (label_len == 0)
                return false;
            labels++;
            label_len = 0;
            continue;
        }
        unsigned char c = (unsigned char)d[i];
        if (!(is_ascii_alnum(c) || c == '-' || c == '_' || c >= 0x80))
            return false;
        label_len++;
    }
    return labels >= 2;
}

const char *dupkey_email(struct arena *a, struct rp_str email)
{
    if (!email.p || email.len > DUPKEY_MAX_INPUT)
        return NULL;
    const char *s = email.p;
    size_t b = 0, e = email.len;
    while (b < e && is_ascii_space((unsigned char)s[b]))
        b++;
    while (e > b && is_ascii_space((unsigned char)s[e - 1]))
        e--;
    size_t n = e - b;
    if (n == 0 || n > DUPKEY_MAX_EMAIL)
        return NULL;

    char *out = arena_strndup(a, s + b, n);
    size_t at = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (email_bad_char(c))
            return NULL;
        if (c == '@') {
            if (at != n)
                return NULL;
            at = i;
        }
        if (c >= 'A' && c <= 'Z')
            out[i] = (char)(c + ('a' - 'A'));
    }
    if (at == 0 || at == n || !domain_ok(out + at + 1, n - at - 1))
        return NULL;

    const char *domain = out + at + 1;
    if (strcmp(domain, "gmail.com") != 0 && strcmp(domain, "googlemail.com") != 0)
        return out;
    /* Gmail ignores dots and "+tag" in the local part: rebuild it in place. */
    size_t w = 0;
    for (size_t i = 0; i < at && out[i] != '+'; i++)
        if (out[i] != '.')
            out[w++] = out[i];
    if (w == 0)
        return NULL;
    memcpy(out + w, "@gmail.com", sizeof("@gmail.com"));
    return out;
}

/* ---- tax id ---- */

const char *dupkey_tax_id(struct arena *a, struct rp_str tax_id)
{
    if (!tax_id.p || tax_id.len > DUPKEY_MAX_INPUT)
        return NULL;
    /* Narrowing only shortens: the key never needs more bytes than the input. */
    char *out = arena_alloc(a, tax_id.len + 1);
    size_t w = 0;
    for (size_t i = 0; i < tax_id.len;) {
        uint32_t cp = narrow(text_utf8_next(tax_id.p, tax_id.len, &i));
        if ((cp < 0x80 && is_ascii_space(cp)) || cp == 0xA0 || cp == '.' || cp == '-' ||
            cp == '/')
            continue;
        if (cp >= 'a' && cp <= 'z')
            cp -= 'a' - 'A';
        w += put_cp(out + w, cp);
    }
    out[w] = '\0';
    return w ? out : NULL;
}

/* ---- names ---- */

/* Case folding for keys: ASCII and the Latin-1 capitals (À..Þ without ×). */
static uint32_t lower(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + ('a' - 'A');
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 0x20;
    return cp;
}

/* Whether cp (already narrowed) belongs to a word. Punctuation, symbols and spaces of
 * the scripts our customers write in separate words; every other code point, CJK
 * ideographs included, is part of one. */
static bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return is_ascii_alnum(cp);
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
        return false; /* Latin-1 controls, punctuation and symbols (·, ©, ®, «, ») */
    if (cp >= 0x2000 && cp <= 0x214F)
        return false; /* general punctuation, dashes, quotes, ™ and other symbols */
    if (cp >= 0x2E00 && cp <= 0x2E7F)
        return false;
    if (cp >= 0x3000 && cp <= 0x303F)
        return cp >= 0x3005 && cp <= 0x3007; /* 々 〆 〇 are letters; 、。「」【】 are not */
    if (cp == 0x30FB || (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F))
        return false; /* katakana middle dot, vertical, compatibility and small forms */
    if ((cp >= 0xFF00 && cp <= 0xFF65) || (cp >= 0xFFE0 && cp <= 0xFFEF) || cp == 0xFEFF)
        return false; /* full-width punctuation left after narrowing, ￥, BOM */
    return cp != 0xFFFD;
}

struct word {
    size_t start, len;  /* bytes in the key buffer */
    bool after_dot;     /* follows the previous word with only a '.' between them */
};

static const char *const LEGAL_WORDS[] = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited",
    "llc", "plc", "gmbh", "ag", "sa", "sarl", "bv", "nv", "srl", "spa", "oy", "ab",
    "as", "pty", "pte", "kk",
};

/* Longest first, so that 股份有限公司 is not left as 股份 by 有限公司. */
static const char *const LEGAL_ENDINGS_ZH[] = {
    "股份有限公司", "有限责任公司", "有限責任公司", "集团有限公司", "集團有限公司",
    "有限公司", "集团", "集團", "公司", "控股",
};

static bool legal_word(const char *w, size_t n)
{
    for (size_t i = 0; i < RP_NELEM(LEGAL_WORDS); i++)
        if (strlen(LEGAL_WORDS[i]) == n && memcmp(LEGAL_WORDS[i], w, n) == 0)
            return true;
    return false;
}

/* Bytes of a Chinese legal ending at the end of w[0..n), or 0. Byte comparison is
 * enough: a UTF-8 suffix that starts with a lead byte matches on a code point boundary. */
static size_t legal_ending_zh(const char *w, size_t n)
{
    for (size_t i = 0; i < RP_NELEM(LEGAL_ENDINGS_ZH); i++) {
        size_t m = strlen(LEGAL_ENDINGS_ZH[i]);
        if (m <= n && memcmp(w + n - m, LEGAL_ENDINGS_ZH[i], m) == 0)
            return m;
    }
    return 0;
}

/* "S.A.", "S.p.A.", "L.L.C.": runs of single letters joined by dots become one word,
 * so the legal form is recognised. Words are contiguous in the key, so merging only
 * changes the bookkeeping, never the bytes. */
static size_t merge_initials(struct word *w, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        if (w[i].len == 1)
            while (j < n && w[j].len == 1 && w[j].after_dot)
                j++;
        w[out] = w[i];
        w[out].len = w[j - 1].start + w[j - 1].len - w[i].start;
        out++;
        i = j;
    }
    return out;
}

const char *dupkey_name(struct arena *a, struct rp_str name)
{
    if (!name.p || name.len == 0)
        return "";
    size_t len = cut_at_boundary(name.p, name.len > DUPKEY_MAX_INPUT ? DUPKEY_MAX_INPUT
                                                                    : name.len, name.len);
    char *out = arena_alloc(a, len + 1);
    /* A word takes at least one byte of input and one separator: len/2 + 1 words. */
    struct word *words = arena_calloc(a, len / 2 + 1, sizeof(*words));
    size_t nw = 0, w = 0;
    bool in_word = false, dot_after_word = false;

    for (size_t i = 0; i < len;) {
        uint32_t cp = lower(narrow(text_utf8_next(name.p, len, &i)));
        if (!word_cp(cp)) {
            dot_after_word = in_word && cp == '.';
            in_word = false;
            continue;
        }
        if (!in_word) {
            RP_ASSERT(nw < len / 2 + 1);
            words[nw].start = w;
            words[nw].len = 0;
            words[nw].after_dot = dot_after_word;
            nw++;
            in_word = true;
            dot_after_word = false;
        }
        size_t k = put_cp(out + w, cp);
        w += k;
        words[nw - 1].len += k;
    }
    nw = merge_initials(words, nw);

    /* Strip legal forms from the end while something stays in front of them. */
    while (nw > 0) {
        struct word *last = &words[nw - 1];
        size_t zh = legal_ending_zh(out + last->start, last->len);
        if (nw > 1 && legal_word(out + last->start, last->len)) {
            nw--;
        } else if (zh && (zh < last->len || nw > 1)) {
            last->len -= zh;
            if (last->len == 0)
                nw--;
        } else {
            break;
        }
    }
    w = nw ? words[nw - 1].start + words[nw - 1].len : 0;
    out[w] = '\0';
    return out;
}

/* ---- similarity ---- */

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Code point bigrams of s[0..n) as sorted 42-bit pairs; returns how many. */
static size_t bigrams(const char *s, size_t n, uint64_t *out, size_t *ncp)
{
    size_t i = 0, nb = 0, cps = 0;
    uint64_t prev = 0;
    while (i < n) {
        uint64_t cp = text_utf8_next(s, n, &i);
        if (cps++ > 0)
            out[nb++] = (prev << 21) | cp;
        prev = cp;
    }
    qsort(out, nb, sizeof(*out), cmp_u64);
    *ncp = cps;
    return nb;
}

int dupkey_similarity(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t na = strnlen(a, DUPKEY_MAX_INPUT + 1), nb = strnlen(b, DUPKEY_MAX_INPUT + 1);
    na = cut_at_boundary(a, na > DUPKEY_MAX_INPUT ? DUPKEY_MAX_INPUT : na, na);
    nb = cut_at_boundary(b, nb > DUPKEY_MAX_INPUT ? DUPKEY_MAX_INPUT : nb, nb);
    if (na == 0 || nb == 0)
        return 0;
    if (na == nb && memcmp(a, b, na) == 0)
        return 100;

    /* At most one bigram per byte: DUPKEY_MAX_INPUT each, 16 KiB of stack in all. */
    uint64_t ba[DUPKEY_MAX_INPUT], bb[DUPKEY_MAX_INPUT];
    size_t cpa, cpb;
    size_t ka = bigrams(a, na, ba, &cpa), kb = bigrams(b, nb, bb, &cpb);
    if (cpa < 2 || cpb < 2)
        return 0; /* unequal, and one of them is a single code point */

    size_t common = 0;
    for (size_t i = 0, j = 0; i < ka && j < kb;) {
        if (ba[i] == bb[j])
            common++, i++, j++;
        else if (ba[i] < bb[j])
            i++;
        else
            j++;
    }
    size_t total = ka + kb;
    int score = (int)((200 * common + total / 2) / total);
    return score > 99 ? 99 : score;
}
