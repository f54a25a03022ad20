/* The XML of WebDAV requests (RFC 4918 PROPFIND, the REPORTs of RFC 4791, RFC 6352 and
 * RFC 6578), read with expat under limits: a body is refused whole when it declares a
 * DTD (so no entity is ever expanded), nests deeper than DAV_MAX_XML_DEPTH, or asks for
 * more than DAV_MAX_PROPS properties or DAV_MAX_HREFS hrefs. */
#include "core/common.h"

#include <expat.h>
#include <limits.h>

#include "mod/dav/dav.h"

#define NS_DAV "DAV:"
#define NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define NS_CARDDAV "urn:ietf:params:xml:ns:carddav"
/* Text of one element kept (an href, a sync token). */
#define MAX_TEXT 4096u

/* What an open element is, as far as the parser cares. */
enum el { EL_OTHER, EL_ROOT, EL_PROP, EL_HREF, EL_SYNC_TOKEN, EL_FILTER, EL_COMP_FILTER,
          EL_PROP_FILTER };

struct px {
    struct rec_ctx *ctx;
    struct dav_body *out;
    XML_Parser p;
    bool report;
    bool stopped;             /* refused: ctx holds the detail */
    enum el stack[DAV_MAX_XML_DEPTH + 1];
    int depth;                /* elements open */
    int comp_depth;           /* comp-filters open */
    struct rp_buf text;
    size_t hrefcap;
};

/* Stops at the first refusal (err: rec_bad_request's, the detail set in ctx). */
static void stop(struct px *x, enum rp_err err)
{
    (void)err;
    x->stopped = true;
    XML_StopParser(x->p, XML_FALSE);
}

/* Splits an expat name "ns|local" (no namespace: "local"). */
static void split(const XML_Char *name, const char **ns, size_t *nslen, const char **local)
{
    const char *bar = strchr(name, '|');
    if (bar) {
        *ns = name;
        *nslen = (size_t)(bar - name);
        *local = bar + 1;
    } else {
        *ns = "";
        *nslen = 0;
        *local = name;
    }
}

static bool is(const char *ns, size_t nslen, const char *local, const char *want_ns,
               const char *want)
{
    return nslen == strlen(want_ns) && memcmp(ns, want_ns, nslen) == 0 && strcmp(local, want) == 0;
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

static bool root(struct px *x, const char *ns, size_t nslen, const char *local)
{
    static const struct {
        const char *ns, *name;
        enum dav_report kind;
        bool report;
    } ROOTS[] = {
        {NS_DAV, "propfind", DAV_PROPFIND, false},
        {NS_CALDAV, "calendar-query", DAV_CALENDAR_QUERY, true},
        {NS_CALDAV, "calendar-multiget", DAV_CALENDAR_MULTIGET, true},
        {NS_CARDDAV, "addressbook-query", DAV_ADDRESSBOOK_QUERY, true},
        {NS_CARDDAV, "addressbook-multiget", DAV_ADDRESSBOOK_MULTIGET, true},
        {NS_DAV, "sync-collection", DAV_SYNC_COLLECTION, true},
    };
    for (size_t i = 0; i < RP_NELEM(ROOTS); i++)
        if (ROOTS[i].report == x->report && is(ns, nslen, local, ROOTS[i].ns, ROOTS[i].name)) {
            x->out->kind = ROOTS[i].kind;
            return true;
        }
    return false;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct px *x = ud;
    if (x->stopped)
        return; /* expat may still call after a stop */
    if (x->depth == DAV_MAX_XML_DEPTH) {
        stop(x, rec_bad_request(x->ctx, "the XML is nested too deeply"));
        return;
    }
    const char *ns, *local;
    size_t nslen;
    split(name, &ns, &nslen, &local);
    enum el parent = x->depth ? x->stack[x->depth - 1] : EL_OTHER;
    enum el me = EL_OTHER;
    struct dav_body *o = x->out;
    if (x->depth == 0) {
        if (!root(x, ns, nslen, local)) {
            if (x->report)
                stop(x, rec_bad_request(x->ctx, "this report is not supported"));
            else
                stop(x, rec_bad_request(x->ctx, "the body must be a DAV:propfind"));
            return;
        }
        me = EL_ROOT;
    } else if (parent == EL_ROOT && is(ns, nslen, local, NS_DAV, "prop")) {
        me = EL_PROP;
    } else if (parent == EL_ROOT && is(ns, nslen, local, NS_DAV, "allprop")) {
        o->allprop = true;
    } else if (parent == EL_ROOT && is(ns, nslen, local, NS_DAV, "propname")) {
        o->propname = true;
    } else if (parent == EL_PROP) {
        if (o->nprops == DAV_MAX_PROPS) {
            stop(x, rec_bad_request(x->ctx, "too many properties asked for"));
            return;
        }
        o->props[o->nprops++] = (struct dav_prop){arena_strndup(x->ctx->a, ns, nslen),
                                                  arena_strdup(x->ctx->a, local)};
    } else if (parent == EL_ROOT && is(ns, nslen, local, NS_DAV, "href")) {
        me = EL_HREF;
    } else if (parent == EL_ROOT && is(ns, nslen, local, NS_DAV, "sync-token")) {
        me = EL_SYNC_TOKEN;
    } else if (parent == EL_ROOT && (is(ns, nslen, local, NS_CALDAV, "filter") ||
                                     is(ns, nslen, local, NS_CARDDAV, "filter"))) {
        me = EL_FILTER;
    } else if ((parent == EL_FILTER || parent == EL_COMP_FILTER) &&
               is(ns, nslen, local, NS_CALDAV, "comp-filter")) {
        me = EL_COMP_FILTER;
        const char *comp = attr(atts, "name");
        if (x->comp_depth == 1 && comp) {
            o->events |= strcmp(comp, "VEVENT") == 0;
            o->todos |= strcmp(comp, "VTODO") == 0;
        }
        x->comp_depth++;
    } else if (parent == EL_COMP_FILTER && is(ns, nslen, local, NS_CALDAV, "prop-filter")) {
        me = EL_PROP_FILTER;
    } else if (parent == EL_COMP_FILTER && is(ns, nslen, local, NS_CALDAV, "time-range")) {
        const char *s = attr(atts, "start"), *e = attr(atts, "end");
        o->start = s ? arena_strdup(x->ctx->a, s) : o->start;
        o->end = e ? arena_strdup(x->ctx->a, e) : o->end;
    }
    x->stack[x->depth++] = me;
    buf_reset(&x->text);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    struct px *x = ud;
    if (x->stopped)
        return;
    enum el me = x->stack[--x->depth];
    struct dav_body *o = x->out;
    const char *text = buf_cstr(&x->text);
    if (me == EL_COMP_FILTER) {
        x->comp_depth--;
    } else if (me == EL_HREF) {
        if (o->nhrefs == DAV_MAX_HREFS) {
            stop(x, rec_bad_request(x->ctx, "too many hrefs in one request"));
            return;
        }
        if (o->nhrefs == x->hrefcap) {
            size_t cap = x->hrefcap ? x->hrefcap * 2 : 64;
            const char **h = arena_alloc(x->ctx->a, cap * sizeof(*h));
            if (o->nhrefs)
                memcpy(h, o->hrefs, o->nhrefs * sizeof(*h));
            o->hrefs = h;
            x->hrefcap = cap;
        }
        o->hrefs[o->nhrefs++] = arena_strndup(x->ctx->a, text, x->text.len);
    } else if (me == EL_SYNC_TOKEN) {
        o->sync_token = arena_strndup(x->ctx->a, text, x->text.len);
    }
    buf_reset(&x->text);
}

static void XMLCALL on_chars(void *ud, const XML_Char *s, int len)
{
    struct px *x = ud;
    if (x->stopped || !x->depth)
        return;
    enum el me = x->stack[x->depth - 1];
    if (me != EL_HREF && me != EL_SYNC_TOKEN)
        return;
    for (int i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue; /* hrefs and tokens hold no blanks: the rest is indentation */
        if (buf_addc(&x->text, c)) {
            stop(x, rec_bad_request(x->ctx, "an href or sync token is too long"));
            return;
        }
    }
}

static void XMLCALL no_dtd(void *ud, const XML_Char *name, const XML_Char *sysid,
                           const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    struct px *x = ud;
    stop(x, rec_bad_request(x->ctx, "a DOCTYPE is not allowed"));
}

enum rp_err dav_xml_parse(struct rec_ctx *ctx, struct rp_str body, bool report,
                          struct dav_body *out)
{
    memset(out, 0, sizeof(*out));
    out->sync_token = "";
    /* An empty PROPFIND asks for every property (RFC 4918 §9.1). */
    bool blank = true;
    for (size_t i = 0; i < body.len && blank; i++)
        blank = body.p[i] == ' ' || body.p[i] == '\t' || body.p[i] == '\r' || body.p[i] == '\n';
    if (blank) {
        if (report)
            return rec_bad_request(ctx, "the REPORT needs an XML body");
        out->allprop = true;
        return RP_OK;
    }
    if (body.len > INT_MAX)
        return rec_bad_request(ctx, "the XML body is too large");
    struct px x = {.ctx = ctx, .out = out, .report = report};
    buf_init(&x.text, MAX_TEXT);
    x.p = XML_ParserCreateNS(NULL, '|');
    if (!x.p) {
        buf_release(&x.text);
        return RP_ENOMEM;
    }
    XML_SetUserData(x.p, &x);
    XML_SetElementHandler(x.p, on_start, on_end);
    XML_SetCharacterDataHandler(x.p, on_chars);
    XML_SetStartDoctypeDeclHandler(x.p, no_dtd);
    enum rp_err err = RP_OK;
    if (XML_Parse(x.p, body.p, (int)body.len, XML_TRUE) == XML_STATUS_ERROR) {
        if (x.stopped)
            err = RP_EINVAL;
        else
            /* expat's own words for what is wrong stay English. */
            err = rec_bad_request(ctx, "malformed XML at line %lu: %s",
                                  (unsigned long)XML_GetCurrentLineNumber(x.p),
                                  XML_ErrorString(XML_GetErrorCode(x.p)));
    }
    XML_ParserFree(x.p);
    buf_release(&x.text);
    if (!err && !out->events && !out->todos)
        out->events = out->todos = true;
    if (!err && !report && !out->nprops && !out->propname)
        out->allprop = true;
    return err;
}

enum rp_err dav_xml_escape(struct rp_buf *b, const char *s, size_t len)
{
    enum rp_err err = RP_OK;
    size_t run = 0;
    for (size_t i = 0; i < len && !err; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\r': rep = "&#13;"; break;
        default: break;
        }
        if (!rep)
            continue;
        err = buf_add(b, s + run, i - run);
        if (!err)
            err = buf_adds(b, rep);
        run = i + 1;
    }
    return err ? err : buf_add(b, s + run, len - run);
}
