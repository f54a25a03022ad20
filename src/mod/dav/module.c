/* The CalDAV and CardDAV module's descriptor. Its routes are another protocol on the
 * same server (API_NOT_REST: not in the OpenAPI document; docs/dav.md describes them),
 * public to the dispatcher because each handler signs the client in with HTTP Basic. */
#include "core/common.h"

#include "api/route.h"
#include "mod/dav/dav.h"

#define DAV_ROUTE(m, p, f, max)                                                            \
    {.method = m, .path = p, .fn = f, .summary = "WebDAV " m, .op_id = "dav", .ok = 207,     \
     .flags = API_PUBLIC | API_NOT_REST, .max_body = max}

/* Each place of the tree answers OPTIONS and PROPFIND; collections REPORT; items GET,
 * PUT and DELETE. */
#define DAV_PLACE(p)                                                                       \
    DAV_ROUTE("OPTIONS", p, dav__options, 0), DAV_ROUTE("PROPFIND", p, dav__propfind, DAV_MAX_XML)

static const struct api_route ROUTES[] = {
    DAV_ROUTE("GET", "/.well-known/{service}", dav__well_known, 0),
    DAV_ROUTE("PROPFIND", "/.well-known/{service}", dav__well_known, DAV_MAX_XML),
    DAV_PLACE("/dav"),
    DAV_PLACE("/dav/principals/{user}"),
    DAV_PLACE("/dav/{kind}/{user}"),
    DAV_PLACE("/dav/{kind}/{user}/{collection}"),
    DAV_ROUTE("REPORT", "/dav/{kind}/{user}/{collection}", dav__report, DAV_MAX_XML),
    DAV_PLACE("/dav/{kind}/{user}/{collection}/{name}"),
    DAV_ROUTE("GET", "/dav/{kind}/{user}/{collection}/{name}", dav__get, 0),
    DAV_ROUTE("PUT", "/dav/{kind}/{user}/{collection}/{name}", dav__put, DAV_MAX_PUT),
    DAV_ROUTE("DELETE", "/dav/{kind}/{user}/{collection}/{name}", dav__delete, 0),
};

const struct rp_module mod_dav = {
    .name = "dav",
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .bootstrap = dav__bootstrap,
    .messages = &dav__messages,
};
