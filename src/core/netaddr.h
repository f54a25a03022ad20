/* Which network addresses the CRM may call out to (webhooks, watched pages): an
 * outgoing request that a user's URL steers must not reach the machine itself, the
 * private network behind it or a cloud's metadata service (server-side request
 * forgery). Pure functions over address bytes: no resolving, no state.
 *
 * Refused (RFC 6890 and its successors): "this network" 0.0.0.0/8, private 10/8,
 * 172.16/12, 192.168/16, shared (carrier NAT) 100.64/10, loopback 127/8, link-local
 * 169.254/16 (the metadata service 169.254.169.254 among them), IETF protocol
 * assignments 192.0.0/24, the documentation and benchmarking ranges, multicast 224/4,
 * reserved 240/4 and the broadcast address; for IPv6 the unspecified and loopback
 * addresses, unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10,
 * multicast ff00::/8, documentation 2001:db8::/32, and the IPv4 address inside
 * IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 6to4
 * 2002::/16 forms, judged as that IPv4 address.
 *
 * An administrator's allow-list lets chosen addresses through anyway (a receiver on
 * the same machine or the office network): entries are IPv4 or IPv6 addresses, CIDR
 * ranges ("10.1.0.0/16", "fd00::/8") and host names (matched without case and
 * without a final dot), separated by commas, spaces or line breaks. */
#ifndef RP_NETADDR_H
#define RP_NETADDR_H

#include "core/common.h"

/* Longest allow-list, in bytes, and most entries read from it. */
#define NETADDR_MAX_ALLOW 4096u
#define NETADDR_MAX_ENTRIES 64u

/* An address: 4 bytes (IPv4) or 16 (IPv6), network order. */
struct netaddr {
    unsigned char b[16];
    unsigned len;
};

/* Reads a literal IPv4 or IPv6 address (brackets around IPv6 allowed) written the
 * way inet_pton reads it; false when s is not one. Numeric shorthands such as
 * "127.1" or "2130706433" are not literals here: resolving reads them (as the C
 * library does) and the address they give is judged. */
bool netaddr_parse(struct rp_str s, struct netaddr *out);
/* Why an address may not be called ("loopback", "private", …), or NULL when it is a
 * public address. */
const char *netaddr_refused(const struct netaddr *a);
/* Whether the allow-list `allow` (NULL or empty: none) lets host `host` (a name or a
 * literal) at address a through. */
bool netaddr_allowed(const char *allow, struct rp_str host, const struct netaddr *a);
/* Checks an allow-list's text; false with *bad (a pointer into allow) and *bad_len set
 * to the first entry that is neither an address, a CIDR range nor a host name. */
bool netaddr_allow_valid(const char *allow, const char **bad, size_t *bad_len);

#endif
