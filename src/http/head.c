/* The request head's framing check (http.h, http_head_verdict). */
#include "core/common.h"

#include <strings.h>

#include "core/limits.h"
#include "http/http.h"

static bool token_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_name(struct rp_str name, const char *want)
{
    return name.len == strlen(want) && strncasecmp(name.p, want, name.len) == 0;
}

unsigned http_head_verdict(const struct http_field *fields, size_t n)
{
    size_t bytes = 0;
    unsigned content_length = 0, transfer_encoding = 0;
    bool chunked = false;
    for (size_t i = 0; i < n; i++) {
        const struct http_field *f = &fields[i];
        bytes += f->name.len + f->value.len + 4;
        if (f->folded || f->name.len == 0)
            return 400;
        for (size_t k = 0; k < f->name.len; k++)
            if (!token_char((unsigned char)f->name.p[k]))
                return 400;
        /* A bare CR (or any control byte but HTAB) in a value is a line break that
         * another parser on the way may honour (RFC 9112 §2.2). */
        for (size_t k = 0; k < f->value.len; k++) {
            unsigned char c = (unsigned char)f->value.p[k];
            if ((c < 0x20 && c != '\t') || c == 0x7F)
                return 400;
        }
        if (is_name(f->name, "Content-Length"))
            content_length++;
        if (is_name(f->name, "Transfer-Encoding")) {
            transfer_encoding++;
            chunked = f->value.len == 7 && strncasecmp(f->value.p, "chunked", 7) == 0;
        }
    }
    if (content_length > 1 || transfer_encoding > 1 || (content_length && transfer_encoding))
        return 400;
    if (transfer_encoding && !chunked)
        return 501;
    return bytes > RP_MAX_HEADER_BYTES ? 431 : 0;
}
