/* Fuzz target: the request-head framing check (http_head_verdict) that refuses the
 * shapes requests are smuggled with.
 *
 * Input: the lines of a request head after the request line, as a client sends them.
 * The target splits them as libmicrohttpd 0.9.75 does (a line ends at LF, a CR before
 * it dropped; a line starting with a blank continues the previous one; the name ends
 * at the first colon, the value starts after the blanks that follow it) and asks the
 * check for its verdict.
 *
 * The oracle reads the raw bytes by RFC 9112 itself: a head with more than one
 * Content-Length or Transfer-Encoding line, or both, a folded line, a control byte
 * other than HTAB (a CR only right before LF), or a name that is no token, must be
 * refused; a transfer coding other than chunked must be refused; any other head of
 * fewer than RP_MAX_HEADER_BYTES must pass. A head let through that should not be, or
 * refused without a reason, is a finding. */
#include <stdio.h>
#include <strings.h>

#include "harness.h"
#include "http/http.h"

#define MAX_INPUT (2 * RP_MAX_HEADER_BYTES)

static bool tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The RFC's reading of the raw head: 0 (fine), 400, 501, or 1 for "too big to say". */
static unsigned expected(const char *p, size_t n)
{
    unsigned cl = 0, te = 0;
    bool chunked = false, bad = false;
    size_t bytes = 0;
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && p[end] != '\n')
            end++;
        size_t stop = end > i && p[end - 1] == '\r' ? end - 1 : end;
        if (p[i] == ' ' || p[i] == '\t')
            bad = true; /* obs-fold */
        size_t colon = i;
        while (colon < stop && p[colon] != ':')
            colon++;
        if (colon == stop || colon == i)
            bad = true; /* no name, or no colon: libmicrohttpd refuses those itself */
        for (size_t k = i; k < colon; k++)
            bad |= !tchar((unsigned char)p[k]);
        size_t v = colon + 1;
        while (v < stop && (p[v] == ' ' || p[v] == '\t'))
            v++;
        for (size_t k = v; k < stop; k++)
            bad |= ((unsigned char)p[k] < 0x20 && p[k] != '\t') || p[k] == 0x7F;
        bytes += (colon - i) + (stop > v ? stop - v : 0) + 4;
        if (colon - i == 14 && strncasecmp(p + i, "Content-Length", 14) == 0)
            cl++;
        if (colon - i == 17 && strncasecmp(p + i, "Transfer-Encoding", 17) == 0) {
            te++;
            chunked = stop - v == 7 && strncasecmp(p + v, "chunked", 7) == 0;
        }
        i = end + 1;
    }
    if (bad || cl > 1 || te > 1 || (cl && te))
        return 400;
    if (te && !chunked)
        return 501;
    return bytes >= RP_MAX_HEADER_BYTES ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const char *p = (const char *)data;
    /* libmicrohttpd's reading: lines, folds joined onto the name, NUL ends a line's text. */
    struct http_field f[RP_MAX_HEADER_FIELDS] = {0};
    size_t nf = 0;
    bool structural = false; /* a line libmicrohttpd itself refuses (no colon) */
    for (size_t i = 0; i < size && nf < RP_MAX_HEADER_FIELDS;) {
        size_t end = i;
        while (end < size && p[end] != '\n')
            end++;
        size_t stop = end > i && p[end - 1] == '\r' ? end - 1 : end;
        if ((p[i] == ' ' || p[i] == '\t') && nf > 0) {
            f[nf - 1].folded = true;
        } else {
            const char *colon = memchr(p + i, ':', stop - i);
            if (!colon) {
                structural = true;
            } else {
                size_t v = (size_t)(colon - p) + 1;
                while (v < stop && (p[v] == ' ' || p[v] == '\t'))
                    v++;
                f[nf++] = (struct http_field){{p + i, (size_t)(colon - p) - i},
                                              {p + v, stop - v}, false};
            }
        }
        i = end + 1;
    }
    if (structural || nf == RP_MAX_HEADER_FIELDS)
        return 0;
    unsigned got = http_head_verdict(f, nf), want = expected(p, size);
    bool ok = want == 1 ? (got == 0 || got == 431) : got == want;
    if (!ok) {
        fprintf(stderr, "FUZZ FINDING: head verdict %u, RFC 9112 says %u\n  head: %.*s\n", got,
                want, (int)(size > 500 ? 500 : size), p);
        abort();
    }
    return 0;
}
