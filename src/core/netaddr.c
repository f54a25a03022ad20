/* Outgoing address checks (netaddr.h). */
#include "core/common.h"

#include <arpa/inet.h>

#include "core/netaddr.h"

bool netaddr_parse(struct rp_str s, struct netaddr *out)
{
    char text[INET6_ADDRSTRLEN + 8];
    if (s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']') {
        s.p++;
        s.len -= 2;
    }
    if (s.len == 0 || s.len >= sizeof(text))
        return false;
    memcpy(text, s.p, s.len);
    text[s.len] = '\0';
    *out = (struct netaddr){0};
    if (inet_pton(AF_INET, text, out->b) == 1) {
        out->len = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->b) == 1) {
        out->len = 16;
        return true;
    }
    return false;
}

/* Whether the first `bits` bits of a equal those of prefix (as many bytes as a). */
static bool in_prefix(const unsigned char *a, const unsigned char *prefix, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, prefix, whole) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[whole] & mask) == (prefix[whole] & mask);
}

struct range {
    unsigned char p[16];
    unsigned bits;
    const char *why;
};

static const struct range V4[] = {
    {{0}, 8, "this network"},
    {{10}, 8, "private"},
    {{100, 64}, 10, "shared (carrier NAT)"},
    {{127}, 8, "loopback"},
    {{169, 254}, 16, "link-local"},
    {{172, 16}, 12, "private"},
    {{192, 0, 0}, 24, "reserved for protocols"},
    {{192, 0, 2}, 24, "documentation"},
    {{192, 88, 99}, 24, "reserved (6to4 relay)"},
    {{192, 168}, 16, "private"},
    {{198, 18}, 15, "benchmarking"},
    {{198, 51, 100}, 24, "documentation"},
    {{203, 0, 113}, 24, "documentation"},
    {{224}, 4, "multicast"},
    {{240}, 4, "reserved"},
};

static const struct range V6[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0xFC}, 7, "unique-local (private)"},
    {{0xFE, 0x80}, 10, "link-local"},
    {{0xFE, 0xC0}, 10, "site-local"},
    {{0xFF}, 8, "multicast"},
    {{0x20, 0x01, 0x0D, 0xB8}, 32, "documentation"},
    {{0x01, 0x00}, 64, "discard-only"},
};

static const char *refused_v4(const unsigned char *b)
{
    for (size_t i = 0; i < RP_NELEM(V4); i++)
        if (in_prefix(b, V4[i].p, V4[i].bits))
            return V4[i].why;
    static const unsigned char bcast[4] = {255, 255, 255, 255};
    return memcmp(b, bcast, 4) == 0 ? "broadcast" : NULL;
}

const char *netaddr_refused(const struct netaddr *a)
{
    if (a->len == 4)
        return refused_v4(a->b);
    for (size_t i = 0; i < RP_NELEM(V6); i++)
        if (in_prefix(a->b, V6[i].p, V6[i].bits))
            return V6[i].why;
    /* Forms that carry an IPv4 address: judged as that address. */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    static const unsigned char compat[12] = {0};
    static const unsigned char nat64[12] = {0, 0x64, 0xFF, 0x9B};
    if (memcmp(a->b, mapped, 12) == 0 || memcmp(a->b, compat, 12) == 0 ||
        memcmp(a->b, nat64, 12) == 0) {
        const char *why = refused_v4(a->b + 12);
        return why ? why : memcmp(a->b, compat, 12) == 0 ? "IPv4-compatible" : NULL;
    }
    if (a->b[0] == 0x20 && a->b[1] == 0x02)
        return refused_v4(a->b + 2);
    return NULL;
}

/* ---- the allow-list ---- */

static bool is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ';';
}

/* The next entry of an allow-list from *p; false at its end. */
static bool next_entry(const char **p, const char *end, struct rp_str *out)
{
    while (*p < end && is_sep(**p))
        (*p)++;
    if (*p >= end)
        return false;
    const char *start = *p;
    while (*p < end && !is_sep(**p))
        (*p)++;
    *out = (struct rp_str){start, (size_t)(*p - start)};
    return true;
}

/* An entry read as an address or a CIDR range; false when it is neither. */
static bool entry_range(struct rp_str e, struct netaddr *net, unsigned *bits)
{
    const char *slash = memchr(e.p, '/', e.len);
    struct rp_str addr = {e.p, slash ? (size_t)(slash - e.p) : e.len};
    if (!netaddr_parse(addr, net))
        return false;
    *bits = net->len * 8;
    if (!slash)
        return true;
    const char *d = slash + 1, *end = e.p + e.len;
    if (d == end || end - d > 3)
        return false;
    unsigned n = 0;
    for (; d < end; d++) {
        if (*d < '0' || *d > '9')
            return false;
        n = n * 10 + (unsigned)(*d - '0');
    }
    if (n > net->len * 8)
        return false;
    *bits = n;
    return true;
}

/* A host name as RFC 1123 allows it (letters, digits, '-' and '.'), a final dot
 * allowed. */
static bool host_name(struct rp_str e)
{
    if (e.len == 0 || e.len > 254)
        return false;
    for (size_t i = 0; i < e.len; i++) {
        char c = e.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

static struct rp_str strip_dot(struct rp_str s)
{
    if (s.len && s.p[s.len - 1] == '.')
        s.len--;
    return s;
}

static bool same_host(struct rp_str a, struct rp_str b)
{
    a = strip_dot(a);
    b = strip_dot(b);
    if (a.len != b.len || a.len == 0)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        char x = a.p[i], y = b.p[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool netaddr_allowed(const char *allow, struct rp_str host, const struct netaddr *a)
{
    if (!allow)
        return false;
    size_t len = strnlen(allow, NETADDR_MAX_ALLOW);
    const char *p = allow, *end = allow + len;
    struct rp_str e;
    for (unsigned n = 0; n < NETADDR_MAX_ENTRIES && next_entry(&p, end, &e); n++) {
        struct netaddr net;
        unsigned bits;
        if (entry_range(e, &net, &bits)) {
            if (net.len == a->len && in_prefix(a->b, net.b, bits))
                return true;
        } else if (same_host(e, host)) {
            return true;
        }
    }
    return false;
}

bool netaddr_allow_valid(const char *allow, const char **bad, size_t *bad_len)
{
    size_t len = strlen(allow);
    const char *p = allow, *end = allow + len;
    struct rp_str e;
    unsigned n = 0;
    *bad = allow;
    *bad_len = 0;
    if (len > NETADDR_MAX_ALLOW)
        return false;
    while (next_entry(&p, end, &e)) {
        struct netaddr net;
        unsigned bits;
        if (++n > NETADDR_MAX_ENTRIES || (!entry_range(e, &net, &bits) && !host_name(e))) {
            *bad = e.p;
            *bad_len = e.len;
            return false;
        }
    }
    return true;
}
