#include "core/common.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>

const char *rp_err_name(enum rp_err err)
{
    switch (err) {
    case RP_OK: return "ok";
    case RP_ENOMEM: return "out of memory";
    case RP_EINVAL: return "invalid";
    case RP_ENOTFOUND: return "not found";
    case RP_EFORBIDDEN: return "forbidden";
    case RP_EAUTH: return "unauthenticated";
    case RP_ECONFLICT: return "conflict";
    case RP_ESTALE: return "stale";
    case RP_ETOOBIG: return "too big";
    case RP_ELIMIT: return "rate limited";
    case RP_EDB: return "database error";
    case RP_EIO: return "i/o error";
    case RP_EBUSY: return "busy";
    case RP_ERANGE: return "out of range";
    case RP_ETIMEOUT: return "timed out";
    case RP_EUNAVAIL: return "database unavailable";
    }
    return "unknown";
}

void rp_assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "assertion failed: %s (%s:%d)\n", what, file, line);
    abort();
}
