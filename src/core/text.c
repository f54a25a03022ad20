#include "core/text.h"

#include <stdio.h>
#include <time.h>

enum rp_err text_parse_i64(struct rp_str s, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (s.len == 0 || s.len > 20)
        return RP_EINVAL;
    if (s.p[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == s.len)
        return RP_EINVAL;
    uint64_t v = 0;
    for (; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return RP_EINVAL;
        unsigned d = (unsigned)(s.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return RP_EINVAL;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return RP_EINVAL;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return RP_EINVAL;
        *out = (int64_t)v;
    }
    return RP_OK;
}

enum rp_err text_parse_money(struct rp_str s, int scale, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (s.len == 0 || s.len > 32)
        return RP_EINVAL;
    if (s.p[0] == '-') {
        neg = true;
        i = 1;
    }
    int64_t v = 0;
    int frac = -1;
    bool digits = false;
    for (; i < s.len; i++) {
        char c = s.p[i];
        if (c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return RP_EINVAL;
        if (frac >= 0 && ++frac > scale)
            return RP_EINVAL;
        int d = c - '0';
        if (v > (INT64_MAX - d) / 10)
            return RP_EINVAL;
        v = v * 10 + d;
        digits = true;
    }
    if (!digits || frac == 0)
        return RP_EINVAL;
    for (int f = frac < 0 ? 0 : frac; f < scale; f++) {
        if (v > INT64_MAX / 10)
            return RP_EINVAL;
        v *= 10;
    }
    *out = neg ? -v : v;
    return RP_OK;
}

void text_format_money(int64_t minor, int scale, char *buf, size_t size)
{
    uint64_t u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t div = 1;
    for (int i = 0; i < scale; i++)
        div *= 10;
    if (scale == 0)
        snprintf(buf, size, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)u);
    else
        snprintf(buf, size, "%s%llu.%0*llu", minor < 0 ? "-" : "", (unsigned long long)(u / div),
                 scale, (unsigned long long)(u % div));
}

static int64_t (*test_clock)(void);

void text_set_clock(int64_t (*now_ms)(void))
{
    test_clock = now_ms;
}

int64_t text_now_ms(void)
{
    if (test_clock)
        return test_clock();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t text_monotonic_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t text_coarse_us(void)
{
    return clock_us(CLOCK_MONOTONIC_COARSE);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static enum rp_err parse_ymd(const char *p, int64_t *days)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d;
    if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &m) || p[7] != '-' ||
        !digits(p + 8, 2, &d))
        return RP_EINVAL;
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return RP_EINVAL;
    unsigned max = mdays[m - 1] + (m == 2 && leap(y));
    if (d > max)
        return RP_EINVAL;
    *days = days_from_civil(y, m, d);
    return RP_OK;
}

enum rp_err text_parse_date(struct rp_str s, int64_t *days_out)
{
    if (s.len != 10)
        return RP_EINVAL;
    return parse_ymd(s.p, days_out);
}

enum rp_err text_parse_datetime(struct rp_str s, int64_t *ms_out)
{
    /* YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM) */
    if (s.len < 20 || s.len > 40)
        return RP_EINVAL;
    int64_t days;
    if (parse_ymd(s.p, &days))
        return RP_EINVAL;
    const char *p = s.p;
    unsigned hh, mi, ss;
    if ((p[10] != 'T' && p[10] != 't' && p[10] != ' ') || !digits(p + 11, 2, &hh) ||
        p[13] != ':' || !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &ss))
        return RP_EINVAL;
    if (hh > 23 || mi > 59 || ss > 59)
        return RP_EINVAL;
    size_t i = 19;
    int64_t ms = 0;
    if (i < s.len && p[i] == '.') {
        i++;
        size_t start = i;
        int64_t scale = 100;
        while (i < s.len && p[i] >= '0' && p[i] <= '9') {
            ms += (p[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start || i - start > 9)
            return RP_EINVAL;
    }
    int64_t off = 0;
    if (i < s.len && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
    } else if (i + 6 == s.len && (p[i] == '+' || p[i] == '-')) {
        unsigned oh, om;
        if (!digits(p + i + 1, 2, &oh) || p[i + 3] != ':' || !digits(p + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return RP_EINVAL;
        off = (int64_t)(oh * 60 + om) * 60000 * (p[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return RP_EINVAL;
    }
    if (i != s.len)
        return RP_EINVAL;
    int64_t at = days * 86400000 + (int64_t)(hh * 3600 + mi * 60 + ss) * 1000 + ms - off;
    /* An offset can carry a time written in year 1 or 9999 out of them in UTC, where it
     * would no longer have four year digits (RFC 3339) nor sort as text. */
    if (at < days_from_civil(1, 1, 1) * 86400000 ||
        at >= (days_from_civil(9999, 12, 31) + 1) * 86400000)
        return RP_EINVAL;
    *ms_out = at;
    return RP_OK;
}

void text_format_datetime(int64_t ms, char *buf, size_t size)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", (long long)y, m, d,
             (long long)(rem / 3600000), (long long)(rem / 60000 % 60),
             (long long)(rem / 1000 % 60), (long long)(rem % 1000));
}

void text_format_date(int64_t days, char *buf, size_t size)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02u-%02u", (long long)y, m, d);
}

bool text_utf8_valid(struct rp_str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0, n = s.len;
    while (i < n) {
        unsigned c = p[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

uint32_t text_utf8_next(const char *text, size_t len, size_t *i)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned char c = s[*i];
    size_t need;
    uint32_t cp, min;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1, cp = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, cp = c & 0x07u, min = 0x10000;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    if (len - *i <= need) {
        (*i)++;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= need; k++) {
        unsigned char cc = s[*i + k];
        if ((cc & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        (*i)++;
        return 0xFFFD;
    }
    *i += need + 1;
    return cp;
}

size_t text_utf8_len(struct rp_str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.p[i] & 0xC0) != 0x80;
    return n;
}

bool text_has_cjk(struct rp_str s)
{
    for (size_t i = 0; i < s.len;) {
        uint32_t c = text_utf8_next(s.p, s.len, &i);
        if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF))
            return true;
    }
    return false;
}

const char *text_person_name(struct arena *a, struct rp_str first, struct rp_str last)
{
    if (!first.len || !last.len) {
        struct rp_str one = first.len ? first : last;
        return one.len ? arena_strndup(a, one.p, one.len) : arena_strndup(a, "", 0);
    }
    if (text_has_cjk(first) || text_has_cjk(last))
        return arena_printf(a, "%.*s%.*s", (int)last.len, last.p, (int)first.len, first.p);
    return arena_printf(a, "%.*s %.*s", (int)first.len, first.p, (int)last.len, last.p);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t text_b64_enclen(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void text_b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = B64[v >> 6 & 63];
        out[o++] = B64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = B64[v >> 6 & 63];
    }
    out[o] = '\0';
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

enum rp_err text_b64_decode(struct rp_str s, unsigned char *out, size_t cap, size_t *outlen)
{
    if (s.len % 4 == 1)
        return RP_EINVAL;
    size_t need = s.len / 4 * 3 + (s.len % 4 ? s.len % 4 - 1 : 0);
    if (need > cap)
        return RP_ETOOBIG;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < s.len; i++) {
        int v = b64val(s.p[i]);
        if (v < 0)
            return RP_EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xFF);
        }
    }
    /* Leftover bits must be zero, so each byte string has one encoding. */
    if (acc & ((1u << bits) - 1))
        return RP_EINVAL;
    *outlen = o;
    return RP_OK;
}

void text_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum rp_err text_unhex(const char *in, size_t n, unsigned char *out)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        int hi = hex_digit(in[i]), lo = hex_digit(in[i + 1]);
        if (hi < 0 || lo < 0)
            return RP_EINVAL;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return RP_OK;
}
