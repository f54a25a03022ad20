/* Messages in the caller's language: Accept-Language, the catalogues, the check of a
 * translation's conversion specifiers. */
#include "core/common.h"

#include <strings.h>

#include "core/msg.h"

/* ---- Accept-Language ---- */

/* Entries of one header looked at, at most: a browser sends a handful. */
#define MAX_RANGES 32

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The language of one tag: Simplified Chinese for zh, zh-CN and zh-Hans…, else
 * English (the language every other client gets). */
static enum rp_lang tag_lang(const char *p, size_t n)
{
    if (n == 2 && strncasecmp(p, "zh", 2) == 0)
        return RP_LANG_ZH;
    if (n == 5 && strncasecmp(p, "zh-cn", 5) == 0)
        return RP_LANG_ZH;
    if (n >= 7 && strncasecmp(p, "zh-hans", 7) == 0 && (n == 7 || p[7] == '-'))
        return RP_LANG_ZH;
    return RP_LANG_EN;
}

/* A q-value: "0", "1", "0.5", "1.000" (at most three decimals), in thousandths; -1
 * when malformed. */
static int parse_q(const char *p, size_t n)
{
    if (n == 0 || (p[0] != '0' && p[0] != '1'))
        return -1;
    int q = (p[0] - '0') * 1000, scale = 100;
    if (n == 1)
        return q;
    if (p[1] != '.' || n > 5)
        return -1;
    for (size_t i = 2; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        q += (p[i] - '0') * scale;
        scale /= 10;
    }
    return q <= 1000 ? q : -1;
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

enum rp_lang msg_lang_parse(const char *h)
{
    if (!h)
        return RP_LANG_EN;
    enum rp_lang best = RP_LANG_EN;
    int best_q = 0;
    const char *p = h;
    for (int k = 0; k < MAX_RANGES && *p; k++) {
        p = skip_ows(p);
        const char *tag = p;
        while (is_alnum(*p) || *p == '-' || *p == '*')
            p++;
        size_t tlen = (size_t)(p - tag);
        int q = 1000;
        bool ok = tlen > 0;
        /* Parameters: q is the one that counts, others are ignored. */
        for (p = skip_ows(p); *p == ';'; p = skip_ows(p)) {
            p = skip_ows(p + 1);
            const char *name = p;
            while (is_alnum(*p))
                p++;
            bool is_q = p - name == 1 && (*name == 'q' || *name == 'Q');
            p = skip_ows(p);
            if (*p != '=') {
                ok = false;
                break;
            }
            p = skip_ows(p + 1);
            const char *v = p;
            while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
                p++;
            if (is_q)
                q = parse_q(v, (size_t)(p - v));
        }
        ok = ok && q >= 0 && (*p == ',' || *p == '\0');
        if (!ok) /* a malformed header: the default language */
            return RP_LANG_EN;
        if (tlen != 1 || tag[0] != '*') {
            /* English is supported too: "en;q=0.9, zh;q=0.5" stays English. */
            enum rp_lang l = tag_lang(tag, tlen);
            bool supported = l == RP_LANG_ZH || (tlen >= 2 && strncasecmp(tag, "en", 2) == 0 &&
                                                 (tlen == 2 || tag[2] == '-'));
            if (supported && q > best_q) {
                best = l;
                best_q = q;
            }
        }
        if (*p == ',')
            p++;
    }
    return best;
}

/* ---- catalogues ---- */

static const struct msg_catalog *catalogs[MSG_MAX_CATALOGS];
static size_t ncatalogs;

void msg_add(const struct msg_catalog *c)
{
    for (size_t i = 0; i < ncatalogs; i++)
        if (catalogs[i] == c)
            return;
    RP_ASSERT(ncatalogs < MSG_MAX_CATALOGS);
    for (size_t i = 0; i < c->n; i++)
        RP_ASSERT(c->m[i].en && c->m[i].zh && msg_same_specs(c->m[i].en, c->m[i].zh));
    catalogs[ncatalogs++] = c;
}

const char *msg_tr(enum rp_lang lang, const char *en)
{
    if (lang == RP_LANG_EN || !en)
        return en;
    /* Messages are formatted on failures only, a few per request: a linear look
     * through a few hundred entries costs about a microsecond. */
    for (size_t c = 0; c < ncatalogs; c++)
        for (size_t i = 0; i < catalogs[c]->n; i++)
            if (strcmp(catalogs[c]->m[i].en, en) == 0)
                return catalogs[c]->m[i].zh;
    return en;
}

/* ---- conversion specifiers ---- */

/* The next conversion specifier of *p (after %%s), as a slice; false at the end. */
static bool next_spec(const char **p, struct rp_str *out)
{
    const char *s = *p;
    for (;;) {
        s = strchr(s, '%');
        if (!s) {
            *p = NULL;
            return false;
        }
        if (s[1] == '%') {
            s += 2;
            continue;
        }
        break;
    }
    const char *e = s + 1;
    while (*e && strchr("-+ #0'", *e))
        e++;
    while (*e == '*' || (*e >= '0' && *e <= '9'))
        e++;
    if (*e == '.') {
        e++;
        while (*e == '*' || (*e >= '0' && *e <= '9'))
            e++;
    }
    while (*e && strchr("hlLqjzt", *e))
        e++;
    if (*e)
        e++; /* the conversion */
    *out = (struct rp_str){s, (size_t)(e - s)};
    *p = e;
    return true;
}

bool msg_same_specs(const char *a, const char *b)
{
    for (;;) {
        struct rp_str sa, sb;
        bool ha = a && next_spec(&a, &sa), hb = b && next_spec(&b, &sb);
        if (ha != hb)
            return false;
        if (!ha)
            return true;
        if (!rp_str_eq(sa, sb))
            return false;
    }
}
