#include "core/common.h"

#include "core/phone.h"
#include "core/text.h"

/* China first: the default home country (docs/operations.md). Lengths are those of
 * the national significant number, from the ITU-T national numbering plans. */
static const struct phone_country COUNTRIES[] = {
    {"CN", "86", PHONE_PLAN_CN, 9, 11},
    {"US", "1", PHONE_PLAN_NANP, 10, 10},
    {"CA", "1", PHONE_PLAN_NANP, 10, 10},
    {"HK", "852", PHONE_PLAN_OPEN, 8, 8},
    {"MO", "853", PHONE_PLAN_OPEN, 8, 8},
    {"TW", "886", PHONE_PLAN_TRUNK, 8, 9},
    {"SG", "65", PHONE_PLAN_OPEN, 8, 8},
    {"JP", "81", PHONE_PLAN_TRUNK, 9, 10},
    {"KR", "82", PHONE_PLAN_TRUNK, 8, 10},
    {"IN", "91", PHONE_PLAN_TRUNK, 10, 10},
    {"AU", "61", PHONE_PLAN_TRUNK, 9, 9},
    {"NZ", "64", PHONE_PLAN_TRUNK, 8, 10},
    {"GB", "44", PHONE_PLAN_TRUNK, 9, 10},
    {"IE", "353", PHONE_PLAN_TRUNK, 7, 9},
    {"DE", "49", PHONE_PLAN_TRUNK, 6, 13},
    {"AT", "43", PHONE_PLAN_TRUNK, 6, 13},
    {"CH", "41", PHONE_PLAN_TRUNK, 9, 9},
    {"FR", "33", PHONE_PLAN_TRUNK, 9, 9},
    {"BE", "32", PHONE_PLAN_TRUNK, 8, 9},
    {"NL", "31", PHONE_PLAN_TRUNK, 9, 9},
    {"SE", "46", PHONE_PLAN_TRUNK, 7, 9},
    {"FI", "358", PHONE_PLAN_TRUNK, 6, 12},
    {"IT", "39", PHONE_PLAN_OPEN, 6, 11},
    {"ES", "34", PHONE_PLAN_OPEN, 9, 9},
    {"PT", "351", PHONE_PLAN_OPEN, 9, 9},
    {"PL", "48", PHONE_PLAN_OPEN, 9, 9},
    {"DK", "45", PHONE_PLAN_OPEN, 8, 8},
    {"NO", "47", PHONE_PLAN_OPEN, 8, 8},
};

const struct phone_country *phone_countries(size_t *n)
{
    *n = RP_NELEM(COUNTRIES);
    return COUNTRIES;
}

const struct phone_country *phone_country(const char *iso)
{
    if (!iso || strlen(iso) != 2)
        return NULL;
    char up[3] = {iso[0], iso[1], '\0'};
    for (size_t i = 0; i < 2; i++)
        if (up[i] >= 'a' && up[i] <= 'z')
            up[i] = (char)(up[i] - ('a' - 'A'));
    for (size_t i = 0; i < RP_NELEM(COUNTRIES); i++)
        if (strcmp(COUNTRIES[i].iso, up) == 0)
            return &COUNTRIES[i];
    return NULL;
}

/* ---- reading the text ---- */

/* Chinese and Japanese input methods type ASCII in its full-width form (１, ＋, （);
 * people read both as the same number. U+3000 is the full-width space. */
static uint32_t narrow(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0;
}

/* Characters people put between the digits of one number. */
static bool is_sep(uint32_t cp)
{
    return is_space(cp) || cp == '-' || cp == '.' || cp == '/' ||
           (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212;
}

static uint32_t lower(uint32_t cp)
{
    return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

/* Whether the code points at cp[i..n) start with `word` (ASCII letters compared without
 * case, or UTF-8 text); *end is past it. */
static bool starts_with(const uint32_t *cp, size_t n, size_t i, const char *word, size_t *end)
{
    size_t w = 0, len = strlen(word);
    while (w < len) {
        if (i >= n || lower(cp[i]) != text_utf8_next(word, len, &w))
            return false;
        i++;
    }
    *end = i;
    return true;
}

/* Longest first: "extension" before "ext" before "x". */
static const char *const EXT_MARKS[] = {";ext=", "extension", "ext", "x", "#", "转", "分机"};

/* Reads an extension at cp[*i..n): a marker, then its digits. True with *ndig digits
 * (the first PHONE_MAX_EXT of them in ext) and *i past them; false when there is none
 * (*i unchanged). */
static bool read_ext(const uint32_t *cp, size_t n, size_t *i, char *ext, size_t *ndig)
{
    for (size_t m = 0; m < RP_NELEM(EXT_MARKS); m++) {
        size_t j;
        if (!starts_with(cp, n, *i, EXT_MARKS[m], &j))
            continue;
        while (j < n && (is_space(cp[j]) || cp[j] == '.' || cp[j] == ':' || cp[j] == '='))
            j++;
        size_t k = 0;
        while (j < n && is_digit(cp[j])) {
            if (k < PHONE_MAX_EXT)
                ext[k] = (char)cp[j];
            k++;
            j++;
        }
        if (k == 0)
            return false;
        *ndig = k;
        *i = j;
        return true;
    }
    return false;
}

/* ---- country codes and national plans ---- */

/* Length of the calling code at the start of d (n >= 1 digits): codes are prefix-free,
 * one digit for zones 1 and 7, two for these, three for the rest (ITU-T E.164 list). */
static size_t cc_len(const char *d, size_t n)
{
    static const char TWO[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 "
                              "53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 "
                              "93 94 95 98";
    if (d[0] == '1' || d[0] == '7')
        return 1;
    if (n < 2)
        return 2;
    for (size_t i = 0; i + 1 < sizeof(TWO); i += 3)
        if (TWO[i] == d[0] && TWO[i + 1] == d[1])
            return 2;
    return 3;
}

static const struct phone_country *by_cc(const char *d, size_t len)
{
    for (size_t i = 0; i < RP_NELEM(COUNTRIES); i++)
        if (strlen(COUNTRIES[i].cc) == len && memcmp(COUNTRIES[i].cc, d, len) == 0)
            return &COUNTRIES[i];
    return NULL;
}

static bool cn_mobile(const char *d, size_t n)
{
    return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

/* 400 and 800 numbers: dialled as written, without a trunk '0'. */
static bool cn_service(const char *d, size_t n)
{
    return n == 10 && (d[0] == '4' || d[0] == '8') && d[1] == '0' && d[2] == '0';
}

/* An area code and subscriber number: Beijing "10" + 8 digits; others start 2-9, a
 * 2- or 3-digit code and 7 or 8 digits. */
static bool cn_landline(const char *d, size_t n)
{
    if (d[0] == '1')
        return n == 10 && d[1] == '0';
    return d[0] >= '2' && n >= 9 && n <= 11;
}

/* Area codes and exchanges start with 2-9. */
static bool nanp_ok(const char *d, size_t n)
{
    return n == 10 && d[0] >= '2' && d[3] >= '2';
}

/* Writes cc + nsn into out->key; false when the key would pass E.164's length. */
static bool put_key(struct phone_number *out, const char *cc, size_t ncc, const char *nsn,
                    size_t n)
{
    if (n == 0 || ncc + n > PHONE_MAX_DIGITS)
        return false;
    memcpy(out->key, cc, ncc);
    memcpy(out->key + ncc, nsn, n);
    out->key[ncc + n] = '\0';
    out->cc_len = ncc;
    return true;
}

/* The national significant number d[0..n) of country c as written after its country
 * code: a stray trunk '0' there is dropped where the country has one. */
static bool after_cc(const struct phone_country *c, const char *d, size_t n,
                     struct phone_number *out)
{
    if ((c->plan == PHONE_PLAN_CN || c->plan == PHONE_PLAN_TRUNK) && n > 1 && d[0] == '0') {
        d++;
        n--;
    }
    bool ok = false;
    switch (c->plan) {
    case PHONE_PLAN_CN: ok = n >= 2 && (cn_mobile(d, n) || cn_landline(d, n)); break;
    case PHONE_PLAN_NANP: ok = nanp_ok(d, n); break;
    case PHONE_PLAN_TRUNK: ok = n >= c->min_nsn && n <= c->max_nsn && d[0] != '0'; break;
    case PHONE_PLAN_OPEN: ok = n >= c->min_nsn && n <= c->max_nsn; break;
    }
    return ok && put_key(out, c->cc, strlen(c->cc), d, n);
}

/* d[0..n): a country code and the number, as written after '+' or an international
 * prefix. */
static bool international(const char *d, size_t n, struct phone_number *out)
{
    if (n == 0 || d[0] == '0')
        return false;
    size_t l = cc_len(d, n);
    if (n <= l)
        return false;
    const struct phone_country *c = by_cc(d, l);
    if (c)
        return after_cc(c, d + l, n - l, out);
    return n - l >= PHONE_MIN_NSN && put_key(out, d, l, d + l, n - l);
}

/* d[0..n) dialled inside home. */
static bool national(const struct phone_country *home, const char *d, size_t n,
                     struct phone_number *out)
{
    size_t ncc = strlen(home->cc);
    switch (home->plan) {
    case PHONE_PLAN_CN:
        if (n > 2 && d[0] == '0' && d[1] != '0')
            return (cn_mobile(d + 1, n - 1) || cn_landline(d + 1, n - 1)) &&
                   put_key(out, home->cc, ncc, d + 1, n - 1);
        return (cn_mobile(d, n) || cn_service(d, n)) && put_key(out, home->cc, ncc, d, n);
    case PHONE_PLAN_NANP:
        if (n == 11 && d[0] == '1') {
            d++;
            n--;
        }
        return nanp_ok(d, n) && put_key(out, home->cc, ncc, d, n);
    case PHONE_PLAN_TRUNK:
        return n > 2 && d[0] == '0' && d[1] != '0' && n - 1 >= home->min_nsn &&
               n - 1 <= home->max_nsn && put_key(out, home->cc, ncc, d + 1, n - 1);
    case PHONE_PLAN_OPEN:
        return n >= home->min_nsn && n <= home->max_nsn && put_key(out, home->cc, ncc, d, n);
    }
    return false;
}

/* ---- the number ---- */

enum rp_err phone_parse(struct rp_str in, const struct phone_country *home,
                        struct phone_number *out)
{
    memset(out, 0, sizeof(*out));
    if (!in.p || in.len > PHONE_MAX_INPUT)
        return RP_EINVAL;
    /* Narrowed code points: the input's bytes bound their count. */
    uint32_t cp[PHONE_MAX_INPUT];
    size_t n = 0;
    for (size_t b = 0; b < in.len;)
        cp[n++] = narrow(text_utf8_next(in.p, in.len, &b));

    size_t i = 0;
    bool exact = true;
    while (i < n && is_space(cp[i]))
        i++;
    /* A label ends with ':' before any digit: "tel:", "Mobile:", "电话：". */
    if (i < n && !is_digit(cp[i]) && cp[i] != '+' && cp[i] != '(') {
        while (i < n && cp[i] != ':' && !is_digit(cp[i]))
            i++;
        if (i == n || cp[i] != ':')
            return RP_EINVAL;
        exact = false;
        i++;
        while (i < n && is_space(cp[i]))
            i++;
    }

    /* Room for the longest E.164 number, an international prefix and a "(0)". */
    char d[PHONE_MAX_DIGITS + 4];
    size_t nd = 0, paren_at = 0;
    bool plus = false, in_paren = false;
    uint32_t prev = 0;
    for (; i < n; i++) {
        uint32_t c = cp[i];
        if (is_digit(c)) {
            if (nd == sizeof(d))
                return RP_EINVAL;
            d[nd++] = (char)c;
        } else if (c == '+' && nd == 0 && !plus) {
            plus = true; /* "+86 138 …", "(+86) 138 …" */
        } else if (c == '(') {
            in_paren = true;
            paren_at = nd;
        } else if (c == ')') {
            /* "+44 (0)20 …": the trunk '0' in parentheses is dialled only inside the
             * country, so an international spelling drops it. */
            bool intl = plus || (nd >= 2 && d[0] == '0' && d[1] == '0');
            size_t prefix = plus ? 0 : 2;
            if (in_paren && intl && paren_at > prefix && nd == paren_at + 1 &&
                d[paren_at] == '0')
                nd--;
            in_paren = false;
        } else if (!is_sep(c)) {
            break;
        }
        prev = c;
    }
    if (nd == 0)
        return RP_EINVAL;

    /* After the digits: an extension, then perhaps a note or a second number, parted
     * from the digits by a space, '(' , ',' or ';'. */
    size_t ext_digits = 0;
    if (i < n && read_ext(cp, n, &i, out->ext, &ext_digits)) {
        if (ext_digits > PHONE_MAX_EXT)
            goto junk;
        size_t j = i;
        while (i < n && is_space(cp[i]))
            i++;
        prev = i > j ? ' ' : '0';
    }
    if (i < n) {
        if (!is_space(prev) && prev != '(' && cp[i] != ',' && cp[i] != ';' && cp[i] != '(')
            goto junk;
        exact = false;
    }

    bool ok;
    if (plus)
        ok = international(d, nd, out);
    else if (nd > 2 && d[0] == '0' && d[1] == '0')
        ok = international(d + 2, nd - 2, out);
    else if (home && home->plan == PHONE_PLAN_NANP && nd > 3 && memcmp(d, "011", 3) == 0)
        ok = international(d + 3, nd - 3, out);
    else if (!home)
        ok = false;
    else /* national, or the home country's code written without '+' (prefix-free) */
        ok = national(home, d, nd, out) ||
             (nd > strlen(home->cc) && memcmp(d, home->cc, strlen(home->cc)) == 0 &&
              international(d, nd, out));
    if (!ok)
        goto junk;
    out->exact = exact;
    return RP_OK;
junk:
    memset(out, 0, sizeof(*out));
    return RP_EINVAL;
}
