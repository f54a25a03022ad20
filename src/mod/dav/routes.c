/* The DAV module's HTTP handlers: discovery (/.well-known, the principal, the homes),
 * PROPFIND, the REPORTs, and GET, PUT and DELETE of one item. Every handler but
 * OPTIONS and the well-known redirects authenticates the request itself with HTTP
 * Basic (the routes are API_PUBLIC: DAV clients keep no cookie and send no CSRF
 * token), and then acts as that user through the engine.
 *
 * Paths (the user is the signed-in user's name; anyone else's answers 404):
 *   /dav/                                    the root: current-user-principal
 *   /dav/principals/<user>/                  the principal: the two home sets
 *   /dav/calendars/<user>/                   the calendar home
 *   /dav/calendars/<user>/default/           the calendar
 *   /dav/calendars/<user>/default/<name>.ics one activity
 *   /dav/addressbooks/<user>/…               the same for the address book (.vcf) */
#include "core/common.h"

#include <strings.h>

#include "api/route.h"
#include "core/text.h"
#include "engine/auth.h"
#include "mod/calendar/calendar.h"
#include "mod/dav/dav.h"

#define NS_DAV "DAV:"
#define NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define NS_CARDDAV "urn:ietf:params:xml:ns:carddav"
#define NS_CS "http://calendarserver.org/ns/"
#define SYNC_PREFIX "urn:rapport:sync:"
#define XML_TYPE "application/xml; charset=utf-8"
/* Multigets naming at most this many items read them one by one; more, the whole
 * collection in one statement. */
#define MULTIGET_ONE_BY_ONE 32u

/* ---- where a request points ---- */

enum level { AT_ROOT, AT_PRINCIPAL, AT_HOME, AT_COLLECTION, AT_ITEM };

struct where {
    enum level level;
    enum dav_kind kind;
    const char *name;      /* AT_ITEM: the item's name, decoded */
};

static const char *const KIND_SEG[] = {"calendars", "addressbooks"};
static const char *const KIND_EXT[] = {".ics", ".vcf"};

static const struct entity_def *entity(enum dav_kind k)
{
    return meta_need(k == DAV_CALENDAR ? "activities" : "contacts");
}

/* Reads a path (decoded) of this server's DAV tree for the signed-in user. */
static bool locate(struct api_call *c, struct rp_str path, struct where *w)
{
    struct rp_str seg[6];
    size_t n = 0;
    for (size_t i = 0; i < path.len;) {
        while (i < path.len && path.p[i] == '/')
            i++;
        size_t j = i;
        while (j < path.len && path.p[j] != '/')
            j++;
        if (j > i) {
            if (n == RP_NELEM(seg))
                return false;
            seg[n++] = (struct rp_str){path.p + i, j - i};
        }
        i = j;
    }
    memset(w, 0, sizeof(*w));
    if (n == 0 || !rp_str_eqc(seg[0], "dav"))
        return false;
    if (n == 1)
        return true;
    if (n < 3 || !rp_str_eqc(seg[2], c->who->username))
        return false;
    if (rp_str_eqc(seg[1], "principals")) {
        w->level = AT_PRINCIPAL;
        return n == 3;
    }
    if (rp_str_eqc(seg[1], KIND_SEG[DAV_CALENDAR]))
        w->kind = DAV_CALENDAR;
    else if (rp_str_eqc(seg[1], KIND_SEG[DAV_ADDRESSBOOK]))
        w->kind = DAV_ADDRESSBOOK;
    else
        return false;
    w->level = AT_HOME;
    if (n == 3)
        return true;
    if (!rp_str_eqc(seg[3], "default"))
        return false;
    w->level = AT_COLLECTION;
    if (n == 4)
        return true;
    size_t ext = strlen(KIND_EXT[w->kind]);
    if (n != 5 || seg[4].len <= ext || seg[4].len > DAV_MAX_NAME ||
        strncasecmp(seg[4].p + seg[4].len - ext, KIND_EXT[w->kind], ext) != 0 ||
        !text_utf8_valid(seg[4]))
        return false;
    w->level = AT_ITEM;
    w->name = arena_strndup(&c->req->a, seg[4].p, seg[4].len);
    return true;
}

/* Percent-decodes an href (absolute URLs lose their scheme and authority). */
static bool href_path(struct arena *a, const char *href, struct rp_str *out)
{
    const char *p = strstr(href, "://");
    if (p) {
        p = strchr(p + 3, '/');
        if (!p)
            return false;
    } else {
        p = href;
    }
    size_t n = strlen(p), k = 0;
    char *o = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%') {
            unsigned char byte;
            if (i + 2 >= n || text_unhex(p + i + 1, 2, &byte))
                return false;
            o[k++] = (char)byte;
            i += 2;
        } else {
            o[k++] = p[i];
        }
    }
    o[k] = '\0';
    *out = (struct rp_str){o, k};
    return true;
}

/* Appends s percent-encoded for a path segment. */
static enum rp_err add_segment(struct rp_buf *b, const char *s)
{
    static const char HEX[] = "0123456789ABCDEF";
    enum rp_err err = RP_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && !err; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '@')
            err = buf_addc(b, (char)*p);
        else
            err = buf_printf(b, "%%%c%c", HEX[*p >> 4], HEX[*p & 15]);
    }
    return err;
}

/* The href of a place, written into b (percent-encoded). */
static enum rp_err add_href(struct rp_buf *b, const struct principal *who, enum level l,
                            enum dav_kind k, const char *name)
{
    enum rp_err err = buf_adds(b, "/dav/");
    if (l == AT_ROOT || err)
        return err;
    err = buf_adds(b, l == AT_PRINCIPAL ? "principals/" : k == DAV_CALENDAR ? "calendars/"
                                                                             : "addressbooks/");
    if (!err)
        err = add_segment(b, who->username);
    if (!err)
        err = buf_addc(b, '/');
    if (!err && l >= AT_COLLECTION)
        err = buf_adds(b, "default/");
    if (!err && l == AT_ITEM)
        err = add_segment(b, name);
    return err;
}

/* ---- authentication ---- */

static unsigned challenge(struct api_call *c, enum rp_err err, int64_t retry)
{
    if (err == RP_ELIMIT) {
        http_add_header(c->req, "Retry-After", arena_printf(&c->req->a, "%lld", (long long)retry));
        return api_problem(c, 429, "too many failed sign-ins: wait and try again");
    }
    if (err != RP_EAUTH)
        return api_fail(c, err);
    http_add_header(c->req, "WWW-Authenticate", "Basic realm=\"Rapport\", charset=\"UTF-8\"");
    return api_problem(c, 401, "sign in with your user name and your password or an API token");
}

/* HTTP Basic: 0 when the caller is signed in (c->ctx.who set), else the status
 * answered. */
static unsigned authenticate(struct api_call *c)
{
    const char *h = http_header(c->req, "Authorization");
    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return challenge(c, RP_EAUTH, 0);
    /* Standard base64 as base64url, padding off, for the decoder we have. */
    size_t n = strlen(h + 6);
    if (n > 1024)
        return challenge(c, RP_EAUTH, 0);
    char *t = arena_strndup(&c->req->a, h + 6, n);
    while (n && (t[n - 1] == '=' || t[n - 1] == ' '))
        t[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        t[i] = t[i] == '+' ? '-' : t[i] == '/' ? '_' : t[i];
    unsigned char *raw = arena_alloc(&c->req->a, n + 1);
    size_t len = 0;
    if (text_b64_decode((struct rp_str){t, n}, raw, n, &len))
        return challenge(c, RP_EAUTH, 0);
    const char *colon = memchr(raw, ':', len);
    if (!colon)
        return challenge(c, RP_EAUTH, 0);
    struct rp_str user = {(const char *)raw, (size_t)(colon - (const char *)raw)};
    struct rp_str pass = {colon + 1, len - user.len - 1};
    int64_t retry = 0;
    enum rp_err err = auth_basic(&c->ctx, user, pass, c->req->addr, c->who, &retry);
    buf_wipe(raw, len);
    if (err)
        return challenge(c, err, retry);
    c->ctx.who = c->who;
    return 0;
}

/* Authenticates and locates the request's own path: 0, or the status answered. */
static unsigned begin(struct api_call *c, struct where *w)
{
    unsigned status = authenticate(c);
    if (status)
        return status;
    if (!locate(c, c->req->path, w))
        return api_problem(c, 404, "no such collection or item");
    return 0;
}

/* ---- items ---- */

/* A record of a collection with the name and UID it answers with. */
struct item {
    const struct rec *r;
    const char *name;
    const char *uid;       /* a client's, or NULL for the one made from the id */
    const struct rec *ex;  /* a series': its exceptions, in the same resource */
    size_t nex;
};

static bool is_exception(enum dav_kind k, const struct rec *r)
{
    return k == DAV_CALENDAR && !rec_field(r, "series_id")->null;
}

/* A series' exceptions into it (none for anything else). */
static enum rp_err with_exceptions(struct api_call *c, enum dav_kind k, struct item *it)
{
    it->ex = NULL;
    it->nex = 0;
    if (k != DAV_CALENDAR || rec_field(it->r, "rrule")->null)
        return RP_OK;
    struct rec *rows;
    enum rp_err err = calendar_series_exceptions(&c->ctx, it->r, &rows, &it->nex);
    if (!err)
        it->ex = rows;
    return err;
}

static const struct dav_name *find_name(const struct dav_name *names, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(names[mid].record_id, id);
        if (cmp == 0)
            return &names[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static struct item item_of(struct api_call *c, enum dav_kind k, const struct rec *r,
                           const struct dav_name *names, size_t nnames)
{
    const struct dav_name *d = find_name(names, nnames, r->id);
    return (struct item){r, d ? d->name : arena_printf(&c->req->a, "%s%s", r->id, KIND_EXT[k]),
                         d ? d->uid : NULL, NULL, 0};
}

/* The record an item name stands for: a client's name, or "<id>.ics"/"<id>.vcf"; a
 * series with its exceptions (an exception is no resource of its own). RP_ENOTFOUND
 * when none the caller may read. */
static enum rp_err resolve(struct api_call *c, enum dav_kind k, const char *name,
                           struct rec *r, struct item *it)
{
    struct dav_name d;
    enum rp_err err = dav__sql_lookup(&c->ctx, k, name, &d);
    if (err == RP_ENOTFOUND) {
        struct rp_str id = {name, strlen(name) - strlen(KIND_EXT[k])};
        if (!ids_valid(id))
            return RP_ENOTFOUND;
        d = (struct dav_name){arena_strndup(&c->req->a, id.p, id.len), name, NULL};
        err = RP_OK;
    }
    if (!err)
        err = rec_get(&c->ctx, entity(k), rp_str_c(d.record_id), r);
    if (!err && k == DAV_CALENDAR) {
        const struct rec_value *type = rec_field(r, "type");
        if (type->null || (strcmp(type->s, "call") && strcmp(type->s, "meeting") &&
                           strcmp(type->s, "task")) || is_exception(k, r))
            err = RP_ENOTFOUND;
    }
    if (!err)
        *it = (struct item){r, name, d.uid, NULL, 0};
    if (!err)
        err = with_exceptions(c, k, it);
    return err;
}

static enum rp_err item_body(struct api_call *c, enum dav_kind k, const struct item *it,
                             char **out)
{
    return k == DAV_CALENDAR ? dav_ical_write(&c->req->a, it->r, it->ex, it->nex, it->uid, out)
                             : dav_vcard_write(&c->req->a, it->r, it->uid, out);
}

/* An item's ETag: its version; a series with exceptions adds a hash of theirs (ids and
 * versions, in any order), so a change of one is a change of the resource. */
static const char *etag_of(struct api_call *c, const struct item *it)
{
    if (!it->nex)
        return arena_printf(&c->req->a, "\"%lld\"", (long long)it->r->version);
    uint64_t sum = it->nex;
    for (size_t i = 0; i < it->nex; i++) {
        uint64_t h = 1469598103934665603u;
        const char *s = arena_printf(&c->req->a, "%s:%lld", it->ex[i].id,
                                     (long long)it->ex[i].version);
        for (; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211u;
        sum += h;
    }
    return arena_printf(&c->req->a, "\"%lld-%016llx\"", (long long)it->r->version,
                        (unsigned long long)sum);
}

/* ---- sync state ---- */

struct state {
    int64_t latest_ms;     /* the latest change, 0 for none */
    int64_t count;
    int64_t token_ms;      /* every change after it is in the next sync */
};

static enum rp_err state_of(struct api_call *c, enum dav_kind k, struct state *s)
{
    const char *latest;
    enum rp_err err = dav__sql_state(&c->ctx, k, &latest, &s->count);
    s->latest_ms = 0;
    if (!err && latest)
        text_parse_datetime(rp_str_c(latest), &s->latest_ms);
    /* A quiet collection keeps its token; a busy one's lags DAV_SYNC_OVERLAP_MS. */
    int64_t lag = text_now_ms() - DAV_SYNC_OVERLAP_MS;
    s->token_ms = s->latest_ms < lag ? s->latest_ms : lag;
    return err;
}

/* ---- multistatus ---- */

struct ms {
    struct api_call *c;
    struct rp_buf b;
    enum rp_err err;       /* sticky */
    const struct dav_body *q;
    struct state st;       /* of the collection, when one is answered */
    bool have_state;
};

static void add(struct ms *m, const char *s)
{
    if (!m->err)
        m->err = buf_adds(&m->b, s);
}

static void addf(struct ms *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct ms *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!m->err)
        m->err = buf_vprintf(&m->b, fmt, ap);
    va_end(ap);
}

static void add_esc(struct ms *m, const char *s)
{
    if (!m->err)
        m->err = dav_xml_escape(&m->b, s, strlen(s));
}

static void add_href_el(struct ms *m, enum level l, enum dav_kind k, const char *name)
{
    add(m, "<d:href>");
    if (!m->err)
        m->err = add_href(&m->b, m->c->who, l, k, name);
    add(m, "</d:href>");
}

static void ms_begin(struct ms *m, struct api_call *c, const struct dav_body *q)
{
    memset(m, 0, sizeof(*m));
    m->c = c;
    m->q = q;
    buf_init(&m->b, RP_MAX_RESPONSE);
    add(m, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus xmlns:d=\"" NS_DAV
           "\" xmlns:c=\"" NS_CALDAV "\" xmlns:cr=\"" NS_CARDDAV "\" xmlns:cs=\"" NS_CS "\">");
}

static unsigned ms_end(struct ms *m)
{
    add(m, "</d:multistatus>\n");
    struct api_call *c = m->c;
    if (m->err) {
        buf_release(&m->b);
        return api_problem(c, m->err == RP_ETOOBIG ? 507 : 500,
                           "the answer is larger than allowed: ask for fewer items");
    }
    size_t len;
    char *text = buf_steal(&m->b, &len);
    char *copy = arena_strndup(&c->req->a, text, len);
    free(text);
    return api_answer(c, 207, XML_TYPE, copy, len);
}

/* The token of a collection's state. */
static const char *token_of(struct api_call *c, const struct state *s)
{
    return arena_printf(&c->req->a, SYNC_PREFIX "%lld", (long long)s->token_ms);
}

/* Whether the caller's role may do action on the collection's records. */
static bool may(struct api_call *c, enum dav_kind k, enum acl_action action)
{
    return rec_scope(&c->ctx, entity(k), action) != SCOPE_NONE;
}

/* Writes the value of one property of a place into m; false when the place has no
 * such property. */
static bool prop_value(struct ms *m, enum level l, enum dav_kind k, const struct item *it,
                       const struct dav_prop *p, bool with_value)
{
    struct api_call *c = m->c;
    bool dav = strcmp(p->ns, NS_DAV) == 0, cal = strcmp(p->ns, NS_CALDAV) == 0,
         card = strcmp(p->ns, NS_CARDDAV) == 0, cs = strcmp(p->ns, NS_CS) == 0;
    const char *n = p->name;
    bool coll = l == AT_COLLECTION;
    /* Which properties the place has. */
    bool has = (dav && (!strcmp(n, "resourcetype") || !strcmp(n, "current-user-principal") ||
                        !strcmp(n, "owner") || !strcmp(n, "principal-URL") ||
                        !strcmp(n, "current-user-privilege-set"))) ||
               (dav && !strcmp(n, "displayname") && l != AT_ITEM) ||
               (dav && (!strcmp(n, "getetag") || !strcmp(n, "getcontenttype")) && l == AT_ITEM) ||
               (dav && (!strcmp(n, "sync-token") || !strcmp(n, "supported-report-set")) && coll) ||
               (cs && !strcmp(n, "getctag") && coll) ||
               (cal && !strcmp(n, "calendar-home-set")) ||
               (card && !strcmp(n, "addressbook-home-set")) ||
               (cal && k == DAV_CALENDAR && coll &&
                (!strcmp(n, "supported-calendar-component-set") ||
                 !strcmp(n, "supported-calendar-data") || !strcmp(n, "max-resource-size") ||
                 !strcmp(n, "calendar-description"))) ||
               (card && k == DAV_ADDRESSBOOK && coll &&
                (!strcmp(n, "supported-address-data") || !strcmp(n, "max-resource-size") ||
                 !strcmp(n, "addressbook-description"))) ||
               (cal && k == DAV_CALENDAR && !strcmp(n, "calendar-data") && l == AT_ITEM) ||
               (card && k == DAV_ADDRESSBOOK && !strcmp(n, "address-data") && l == AT_ITEM);
    if (!has || !with_value)
        return has;
    const char *prefix = dav ? "d" : cal ? "c" : card ? "cr" : "cs";
    addf(m, "<%s:%s>", prefix, n);
    if (dav && !strcmp(n, "resourcetype")) {
        if (l == AT_PRINCIPAL)
            add(m, "<d:principal/>");
        if (l != AT_ITEM && l != AT_PRINCIPAL)
            add(m, "<d:collection/>");
        if (coll)
            add(m, k == DAV_CALENDAR ? "<c:calendar/>" : "<cr:addressbook/>");
    } else if (dav && !strcmp(n, "displayname")) {
        add_esc(m, l == AT_PRINCIPAL ? c->who->display_name
                   : coll           ? (k == DAV_CALENDAR ? msg_tr(c->ctx.lang, "Rapport calendar")
                                                         : msg_tr(c->ctx.lang, "Rapport contacts"))
                                    : "Rapport");
    } else if (dav && (!strcmp(n, "current-user-principal") || !strcmp(n, "owner") ||
                       !strcmp(n, "principal-URL"))) {
        add_href_el(m, AT_PRINCIPAL, k, NULL);
    } else if (dav && !strcmp(n, "current-user-privilege-set")) {
        add(m, "<d:privilege><d:read/></d:privilege>");
        if (l >= AT_COLLECTION && (may(c, k, ACL_CREATE) || may(c, k, ACL_EDIT)))
            add(m, "<d:privilege><d:write/></d:privilege><d:privilege><d:write-content/>"
                   "</d:privilege><d:privilege><d:bind/></d:privilege>");
        if (l >= AT_COLLECTION && may(c, k, ACL_DELETE))
            add(m, "<d:privilege><d:unbind/></d:privilege>");
    } else if (dav && !strcmp(n, "getetag")) {
        add_esc(m, etag_of(c, it));
    } else if (dav && !strcmp(n, "getcontenttype")) {
        add(m, k == DAV_CALENDAR ? "text/calendar; charset=utf-8" : "text/vcard; charset=utf-8");
    } else if ((dav && !strcmp(n, "sync-token")) || (cs && !strcmp(n, "getctag"))) {
        add_esc(m, dav ? token_of(c, &m->st)
                       : arena_printf(&c->req->a, "%lld-%lld", (long long)m->st.latest_ms,
                                      (long long)m->st.count));
    } else if (dav && !strcmp(n, "supported-report-set")) {
        static const char *const CAL[] = {"c:calendar-query", "c:calendar-multiget",
                                          "d:sync-collection"};
        static const char *const CARD[] = {"cr:addressbook-query", "cr:addressbook-multiget",
                                           "d:sync-collection"};
        for (size_t i = 0; i < 3; i++)
            addf(m, "<d:supported-report><d:report><%s/></d:report></d:supported-report>",
                 k == DAV_CALENDAR ? CAL[i] : CARD[i]);
    } else if (cal && !strcmp(n, "calendar-home-set")) {
        add_href_el(m, AT_HOME, DAV_CALENDAR, NULL);
    } else if (card && !strcmp(n, "addressbook-home-set")) {
        add_href_el(m, AT_HOME, DAV_ADDRESSBOOK, NULL);
    } else if (cal && !strcmp(n, "supported-calendar-component-set")) {
        add(m, "<c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/>");
    } else if (cal && !strcmp(n, "supported-calendar-data")) {
        add(m, "<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>");
    } else if (card && !strcmp(n, "supported-address-data")) {
        add(m, "<cr:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>");
    } else if (!strcmp(n, "max-resource-size")) {
        addf(m, "%u", DAV_MAX_PUT);
    } else if (!strcmp(n, "calendar-description") || !strcmp(n, "addressbook-description")) {
        add_esc(m, k == DAV_CALENDAR
                       ? msg_tr(c->ctx.lang, "Your calls, meetings and tasks in Rapport")
                       : msg_tr(c->ctx.lang, "The contacts you may read in Rapport"));
    } else {
        char *body = NULL;
        if (!m->err)
            m->err = item_body(c, k, it, &body);
        if (body)
            add_esc(m, body);
    }
    addf(m, "</%s:%s>", prefix, n);
    return true;
}

/* Every property a place has, for allprop and propname. */
static const struct dav_prop ALL[] = {
    {NS_DAV, "resourcetype"},
    {NS_DAV, "displayname"},
    {NS_DAV, "current-user-principal"},
    {NS_DAV, "principal-URL"},
    {NS_DAV, "owner"},
    {NS_DAV, "current-user-privilege-set"},
    {NS_DAV, "getetag"},
    {NS_DAV, "getcontenttype"},
    {NS_DAV, "sync-token"},
    {NS_DAV, "supported-report-set"},
    {NS_CS, "getctag"},
    {NS_CALDAV, "calendar-home-set"},
    {NS_CARDDAV, "addressbook-home-set"},
    {NS_CALDAV, "supported-calendar-component-set"},
    {NS_CALDAV, "supported-calendar-data"},
    {NS_CARDDAV, "supported-address-data"},
    {NS_CALDAV, "calendar-description"},
    {NS_CARDDAV, "addressbook-description"},
    {NS_CALDAV, "max-resource-size"},
};

/* An unknown property, named in its own namespace. */
static void add_unknown(struct ms *m, const struct dav_prop *p)
{
    add(m, "<x:");
    add(m, p->name);
    add(m, " xmlns:x=\"");
    add_esc(m, p->ns);
    add(m, "\"/>");
}

/* One <response> for a place: its properties found (200) and not (404). */
static void response(struct ms *m, enum level l, enum dav_kind k, const struct item *it)
{
    const struct dav_body *q = m->q;
    add(m, "<d:response>");
    add_href_el(m, l, k, it ? it->name : NULL);
    const struct dav_prop *props = q->allprop || q->propname ? ALL : q->props;
    size_t n = q->allprop || q->propname ? RP_NELEM(ALL) : q->nprops;
    add(m, "<d:propstat><d:prop>");
    for (size_t i = 0; i < n; i++) {
        if (q->propname) {
            if (prop_value(m, l, k, it, &props[i], false))
                add_unknown(m, &props[i]);
        } else {
            prop_value(m, l, k, it, &props[i], true);
        }
    }
    add(m, "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
    bool missing = false;
    for (size_t i = 0; i < n && !q->allprop && !q->propname; i++) {
        if (prop_value(m, l, k, it, &props[i], false))
            continue;
        if (!missing)
            add(m, "<d:propstat><d:prop>");
        missing = true;
        add_unknown(m, &props[i]);
    }
    if (missing)
        add(m, "</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
    add(m, "</d:response>");
}

/* A <response> with a status only (a deleted item in a sync, the 507 of a listing cut
 * short). */
static void status_response(struct ms *m, enum level l, enum dav_kind k, const char *name,
                            const char *status)
{
    add(m, "<d:response>");
    add_href_el(m, l, k, name);
    addf(m, "<d:status>HTTP/1.1 %s</d:status></d:response>", status);
}

/* The collection's items as the listing asks (see dav__sql_items), with their names;
 * *cut when there were more than DAV_MAX_ITEMS. A changed exception is a change of its
 * series' resource, which answers for it (once); a range keeps the series with an
 * occurrence in it (or an exception: a moved occurrence). */
struct listing {
    struct item *items;
    size_t n;
    const char *last;      /* the updated_at of the last row read, NULL for none */
    bool cut;
};

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->r->id, ((const struct item *)b)->r->id);
}

static const struct item *find_item(const struct item *items, size_t n, const char *id)
{
    struct rec key_rec = {.id = id};
    struct item key = {.r = &key_rec};
    return bsearch(&key, items, n, sizeof(*items), by_id);
}

static enum rp_err list_items(struct api_call *c, enum dav_kind k, const char *since,
                              bool deleted, const char *from, const char *to, struct listing *o)
{
    struct rec *rows;
    size_t n;
    struct dav_name *names;
    size_t nnames;
    enum rp_err err = dav__sql_items(&c->ctx, k, since, deleted, from, to, DAV_MAX_ITEMS + 1,
                                     &rows, &n);
    o->cut = !err && n > DAV_MAX_ITEMS;
    if (o->cut)
        n = DAV_MAX_ITEMS;
    o->last = !err && n ? rows[n - 1].updated_at : NULL;
    if (!err)
        err = dav__sql_names(&c->ctx, k, &names, &nnames);
    if (err)
        return err;
    int64_t from_ms = 0, to_ms = 0;
    if (from && to) {
        text_parse_datetime(rp_str_c(from), &from_ms);
        text_parse_datetime(rp_str_c(to), &to_ms);
    }
    /* The records themselves, then the series of exceptions not among them. */
    struct item *all = arena_alloc(&c->req->a, (2 * n + 1) * sizeof(*all));
    size_t own = 0, total;
    for (size_t i = 0; i < n; i++)
        if (!is_exception(k, &rows[i]) &&
            (!from || !to || rec_field(&rows[i], "rrule")->null || rows[i].deleted_at ||
             calendar_series_overlaps(&c->ctx, &rows[i], from_ms, to_ms)))
            all[own++] = item_of(c, k, &rows[i], names, nnames);
    qsort(all, own, sizeof(*all), by_id);
    total = own;
    for (size_t i = 0; i < n && !err; i++) {
        if (!is_exception(k, &rows[i]))
            continue;
        const char *sid = rec_field(&rows[i], "series_id")->s;
        bool have = find_item(all, own, sid) != NULL;
        for (size_t j = own; j < total && !have; j++)
            have = strcmp(all[j].r->id, sid) == 0;
        if (have)
            continue;
        struct rec *series = arena_alloc(&c->req->a, sizeof(*series));
        err = rec_get(&c->ctx, entity(k), rp_str_c(sid), series);
        if (err == RP_ENOTFOUND) {
            /* Gone with its series: the series' own row says so. */
            err = RP_OK;
            continue;
        }
        if (!err)
            all[total++] = item_of(c, k, series, names, nnames);
    }
    for (size_t i = 0; i < total && !err; i++)
        if (!all[i].r->deleted_at)
            err = with_exceptions(c, k, &all[i]);
    o->items = all;
    o->n = total;
    return err;
}

/* ---- handlers ---- */

unsigned dav__well_known(struct api_call *c)
{
    struct rp_str last = c->req->params[0];
    if (!rp_str_eqc(last, "caldav") && !rp_str_eqc(last, "carddav"))
        return api_problem(c, 404, "no such collection or item");
    http_add_header(c->req, "Location", "/dav/");
    return api_answer(c, 301, NULL, "", 0);
}

unsigned dav__options(struct api_call *c)
{
    http_add_header(c->req, "DAV", "1, 3, calendar-access, addressbook");
    http_add_header(c->req, "Allow", "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT");
    return api_answer(c, 200, NULL, "", 0);
}

/* The Depth header: 0 or 1; infinity (or junk) refused. Absent reads as 0: the clients
 * that leave it out ask about one resource. */
static bool depth_of(struct api_call *c, int *depth)
{
    const char *h = http_header(c->req, "Depth");
    *depth = 0;
    if (!h || strcmp(h, "0") == 0)
        return true;
    if (strcmp(h, "1") == 0) {
        *depth = 1;
        return true;
    }
    return false;
}

static unsigned dav_error(struct api_call *c, unsigned status, const char *ns_prefix_el)
{
    const char *body = arena_printf(&c->req->a,
                                    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\""
                                    NS_DAV "\" xmlns:c=\"" NS_CALDAV "\" xmlns:cr=\"" NS_CARDDAV
                                    "\"><%s/></d:error>\n",
                                    ns_prefix_el);
    return api_answer(c, status, XML_TYPE, body, strlen(body));
}

unsigned dav__propfind(struct api_call *c)
{
    struct where w;
    unsigned status = begin(c, &w);
    if (status)
        return status;
    int depth;
    if (!depth_of(c, &depth))
        return dav_error(c, 403, "d:propfind-finite-depth");
    struct dav_body q;
    enum rp_err err = dav_xml_parse(&c->ctx, c->req->body, false, &q);
    if (err)
        return api_fail(c, err);
    struct ms m;
    ms_begin(&m, c, &q);
    if (w.level == AT_ITEM) {
        struct rec r;
        struct item it;
        err = resolve(c, w.kind, w.name, &r, &it);
        if (err) {
            buf_release(&m.b);
            return api_fail(c, err);
        }
        response(&m, AT_ITEM, w.kind, &it);
        return ms_end(&m);
    }
    if (w.level >= AT_HOME) {
        err = state_of(c, w.kind, &m.st);
        if (err) {
            buf_release(&m.b);
            return api_fail(c, err);
        }
    }
    response(&m, w.level, w.kind, NULL);
    if (depth == 1 && w.level == AT_HOME)
        response(&m, AT_COLLECTION, w.kind, NULL);
    if (depth == 1 && w.level == AT_COLLECTION) {
        struct listing o;
        err = list_items(c, w.kind, NULL, false, NULL, NULL, &o);
        if (err) {
            buf_release(&m.b);
            return api_fail(c, err);
        }
        for (size_t i = 0; i < o.n && !m.err; i++)
            response(&m, AT_ITEM, w.kind, &o.items[i]);
        if (o.cut)
            status_response(&m, AT_COLLECTION, w.kind, NULL, "507 Insufficient Storage");
    }
    return ms_end(&m);
}

/* An iCalendar UTC time of a time-range ("20261201T000000Z") as a stored date-time. */
static const char *range_time(struct api_call *c, const char *s)
{
    struct rp_str t = rp_str_c(s);
    if (t.len != 16 || s[8] != 'T' || s[15] != 'Z')
        return NULL;
    const char *iso = arena_printf(&c->req->a, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6,
                                   s + 9, s + 11, s + 13);
    int64_t ms;
    if (text_parse_datetime(rp_str_c(iso), &ms))
        return NULL;
    char *out = arena_alloc(&c->req->a, 32);
    text_format_datetime(ms, out, 32);
    return out;
}

static bool wanted(const struct dav_body *q, enum dav_kind k, const struct rec *r)
{
    if (k != DAV_CALENDAR)
        return true;
    bool task = strcmp(rec_field(r, "type")->s, "task") == 0;
    return task ? q->todos : q->events;
}

static unsigned query(struct api_call *c, const struct where *w, const struct dav_body *q,
                      struct ms *m)
{
    const char *from = NULL, *to = NULL;
    if (q->start || q->end) {
        from = range_time(c, q->start ? q->start : "00010101T000000Z");
        to = range_time(c, q->end ? q->end : "99991231T235959Z");
        if (!from || !to)
            return api_problem(c, 400, "a time-range is given in UTC as 20261201T000000Z");
    }
    struct listing o;
    enum rp_err err = list_items(c, w->kind, NULL, false, from, to, &o);
    if (err)
        return api_fail(c, err);
    for (size_t i = 0; i < o.n && !m->err; i++)
        if (wanted(q, w->kind, o.items[i].r))
            response(m, AT_ITEM, w->kind, &o.items[i]);
    if (o.cut)
        status_response(m, AT_COLLECTION, w->kind, NULL, "507 Insufficient Storage");
    return ms_end(m);
}

/* The item name an href of the collection names, or NULL. */
static const char *href_name(struct api_call *c, const struct where *coll, const char *href)
{
    struct rp_str path;
    struct where w;
    if (!href_path(&c->req->a, href, &path) || !locate(c, path, &w) || w.level != AT_ITEM ||
        w.kind != coll->kind)
        return NULL;
    return w.name;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

static unsigned multiget(struct api_call *c, const struct where *w, const struct dav_body *q,
                         struct ms *m)
{
    struct item *all = NULL;
    size_t nall = 0;
    if (q->nhrefs > MULTIGET_ONE_BY_ONE) {
        /* Many items: the collection in one read, looked up by name. */
        struct listing o;
        enum rp_err err = list_items(c, w->kind, NULL, false, NULL, NULL, &o);
        if (err)
            return api_fail(c, err);
        all = o.items;
        nall = o.n;
        qsort(all, nall, sizeof(*all), by_name);
    }
    for (size_t i = 0; i < q->nhrefs && !m->err; i++) {
        const char *name = href_name(c, w, q->hrefs[i]);
        struct item it, *found = NULL;
        struct rec r;
        if (name && all) {
            struct item key = {.name = name};
            found = bsearch(&key, all, nall, sizeof(*all), by_name);
        } else if (name) {
            enum rp_err err = resolve(c, w->kind, name, &r, &it);
            if (err && err != RP_ENOTFOUND)
                return api_fail(c, err);
            found = err ? NULL : &it;
        }
        if (found) {
            response(m, AT_ITEM, w->kind, found);
        } else {
            add(m, "<d:response><d:href>");
            add_esc(m, q->hrefs[i]);
            add(m, "</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>");
        }
    }
    return ms_end(m);
}

static unsigned sync_collection(struct api_call *c, const struct where *w,
                                const struct dav_body *q, struct ms *m)
{
    const char *since = NULL;
    if (q->sync_token[0]) {
        struct rp_str t = rp_str_c(q->sync_token);
        size_t pl = strlen(SYNC_PREFIX);
        int64_t ms = -1;
        if (t.len <= pl || memcmp(t.p, SYNC_PREFIX, pl) != 0 ||
            text_parse_i64((struct rp_str){t.p + pl, t.len - pl}, &ms) || ms < 0) {
            buf_release(&m->b);
            return dav_error(c, 403, "d:valid-sync-token");
        }
        char *b = arena_alloc(&c->req->a, 32);
        text_format_datetime(ms, b, 32);
        since = b;
    }
    struct listing o;
    enum rp_err err = list_items(c, w->kind, since, since != NULL, NULL, NULL, &o);
    if (err)
        return api_fail(c, err);
    for (size_t i = 0; i < o.n && !m->err; i++) {
        if (o.items[i].r->deleted_at)
            status_response(m, AT_ITEM, w->kind, o.items[i].name, "404 Not Found");
        else
            response(m, AT_ITEM, w->kind, &o.items[i]);
    }
    /* Cut short, the token is the last change answered: the client asks again from
     * there (RFC 6578 §3.6). */
    struct state st = m->st;
    if (o.cut) {
        status_response(m, AT_COLLECTION, w->kind, NULL, "507 Insufficient Storage");
        text_parse_datetime(rp_str_c(o.last), &st.token_ms);
        st.token_ms--; /* its equals in time come again */
    }
    add(m, "<d:sync-token>");
    add_esc(m, token_of(c, &st));
    add(m, "</d:sync-token>");
    return ms_end(m);
}

unsigned dav__report(struct api_call *c)
{
    struct where w;
    unsigned status = begin(c, &w);
    if (status)
        return status;
    if (w.level != AT_COLLECTION)
        return api_problem(c, 403, "reports are answered on a calendar or an address book");
    struct dav_body q;
    enum rp_err err = dav_xml_parse(&c->ctx, c->req->body, true, &q);
    if (err)
        return api_fail(c, err);
    bool cal = w.kind == DAV_CALENDAR;
    if (((q.kind == DAV_CALENDAR_QUERY || q.kind == DAV_CALENDAR_MULTIGET) && !cal) ||
        ((q.kind == DAV_ADDRESSBOOK_QUERY || q.kind == DAV_ADDRESSBOOK_MULTIGET) && cal))
        return api_problem(c, 403, "this report is not supported on this collection");
    struct ms m;
    ms_begin(&m, c, &q);
    /* The state is read before the items: a change made meanwhile comes again in the
     * next sync rather than never. */
    err = state_of(c, w.kind, &m.st);
    if (err) {
        buf_release(&m.b);
        return api_fail(c, err);
    }
    switch (q.kind) {
    case DAV_CALENDAR_QUERY:
    case DAV_ADDRESSBOOK_QUERY: return query(c, &w, &q, &m);
    case DAV_CALENDAR_MULTIGET:
    case DAV_ADDRESSBOOK_MULTIGET: return multiget(c, &w, &q, &m);
    default: return sync_collection(c, &w, &q, &m);
    }
}

unsigned dav__get(struct api_call *c)
{
    struct where w;
    unsigned status = begin(c, &w);
    if (status)
        return status;
    if (w.level != AT_ITEM)
        return api_problem(c, 405, "GET reads one item: list a collection with PROPFIND");
    struct rec r;
    struct item it;
    char *body = NULL;
    enum rp_err err = resolve(c, w.kind, w.name, &r, &it);
    if (!err)
        err = item_body(c, w.kind, &it, &body);
    if (err)
        return api_fail(c, err);
    http_add_header(c->req, "ETag", etag_of(c, &it));
    return api_answer(c, 200,
                      w.kind == DAV_CALENDAR ? "text/calendar; charset=utf-8"
                                             : "text/vcard; charset=utf-8",
                      body, strlen(body));
}

/* If-Match against the item (NULL: none): the version the engine's write expects (-1
 * when absent or "*"), or false when it is not the item's ETag. */
static bool if_match(struct api_call *c, const struct item *it, int64_t *version)
{
    const char *h = http_header(c->req, "If-Match");
    *version = -1;
    if (!h || strcmp(h, "*") == 0)
        return true;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    if (!it || strcmp(h, etag_of(c, it)) != 0)
        return false;
    *version = it->r->version;
    return true;
}

/* The exceptions of the series a PUT wrote made to match its overrides: those it no
 * longer has go, the others are created or changed (calendar.h). */
static enum rp_err put_overrides(struct api_call *c, const struct rec *series,
                                 const struct dav_object *o)
{
    if (rec_field(series, "rrule")->null)
        return RP_OK;
    struct rec *ex, out;
    size_t nex;
    enum rp_err err = calendar_series_exceptions(&c->ctx, series, &ex, &nex);
    for (size_t i = 0; !err && i < nex; i++) {
        int64_t at = 0;
        bool kept = false;
        text_parse_datetime(rp_str_c(rec_field(&ex[i], "recurrence_id")->s), &at);
        for (size_t j = 0; j < o->nov && !kept; j++)
            kept = o->ov[j].at == at;
        if (!kept)
            err = calendar_occurrence_reset(&c->ctx, series, &ex[i]);
    }
    for (size_t j = 0; !err && j < o->nov; j++)
        err = calendar_occurrence_put(&c->ctx, series, o->ov[j].at, o->ov[j].in, o->ov[j].n,
                                      &out);
    return err;
}

static bool content_type_ok(struct api_call *c, enum dav_kind k)
{
    const char *ct = http_header(c->req, "Content-Type");
    if (!ct)
        return false;
    static const char *const OK[][2] = {{"text/calendar", NULL}, {"text/vcard", "text/x-vcard"}};
    for (size_t i = 0; i < 2; i++) {
        const char *t = OK[k][i];
        if (t && strncasecmp(ct, t, strlen(t)) == 0 &&
            (ct[strlen(t)] == '\0' || ct[strlen(t)] == ';' || ct[strlen(t)] == ' '))
            return true;
    }
    return false;
}

unsigned dav__put(struct api_call *c)
{
    struct where w;
    unsigned status = begin(c, &w);
    if (status)
        return status;
    if (w.level != AT_ITEM)
        return api_problem(c, 405, "PUT writes one item of a calendar or an address book");
    if (!content_type_ok(c, w.kind))
        return api_problem(c, 415, w.kind == DAV_CALENDAR ? "send the item as text/calendar"
                                                          : "send the item as text/vcard");
    const char *inm = http_header(c->req, "If-None-Match");
    struct rec old, out;
    struct item it;
    enum rp_err err = resolve(c, w.kind, w.name, &old, &it);
    if (err && err != RP_ENOTFOUND)
        return api_fail(c, err);
    bool exists = !err;
    int64_t expect;
    if ((exists && inm && strcmp(inm, "*") == 0) || !if_match(c, exists ? &it : NULL, &expect))
        return api_problem(c, 412, "the item was changed by someone else");
    const struct entity_def *e = entity(w.kind);
    struct dav_object o = {0};
    err = w.kind == DAV_CALENDAR
              ? dav_ical_read(&c->ctx, c->req->body, exists ? &old : NULL, &o)
              : dav_vcard_read(&c->ctx, c->req->body, &o.in, &o.n, &o.uid);
    if (err)
        return api_fail(c, err);
    struct rec_input *in = o.in;
    size_t n = o.n;
    const char *uid = o.uid;
    /* Calendar programs cannot ask to save an overlapping meeting: they always may. */
    c->ctx.allow_conflict = true;
    err = rec_tx_begin(&c->ctx);
    if (!err && exists)
        err = rec_update(&c->ctx, e, rp_str_c(old.id), in, n, expect, &out);
    else if (!err)
        err = rec_create(&c->ctx, e, in, n, &out);
    if (!err && w.kind == DAV_CALENDAR)
        err = put_overrides(c, &out, &o);
    /* A name or UID of the client's own is kept; the CRM's own stay implicit. */
    if (!err) {
        const char *default_uid = w.kind == DAV_CALENDAR
                                      ? arena_printf(&c->req->a, "%s@rapport", out.id)
                                      : arena_printf(&c->req->a, "urn:uuid:%s", out.id);
        const char *default_name = arena_printf(&c->req->a, "%s%s", out.id, KIND_EXT[w.kind]);
        if ((exists && it.uid) || strcmp(uid, default_uid) || strcmp(w.name, default_name))
            err = dav__sql_put_name(&c->ctx, w.kind, w.name, out.id, uid);
    }
    struct item now = {&out, w.name, uid, NULL, 0};
    if (!err)
        err = with_exceptions(c, w.kind, &now);
    err = rec_tx_end(&c->ctx, err);
    if (err)
        return api_fail(c, err);
    http_add_header(c->req, "ETag", etag_of(c, &now));
    return api_answer(c, exists ? 204 : 201, NULL, "", 0);
}

unsigned dav__delete(struct api_call *c)
{
    struct where w;
    unsigned status = begin(c, &w);
    if (status)
        return status;
    if (w.level != AT_ITEM)
        return api_problem(c, 403, "a calendar or an address book cannot be deleted");
    struct rec r;
    struct item it;
    int64_t expect;
    enum rp_err err = resolve(c, w.kind, w.name, &r, &it);
    if (err)
        return api_fail(c, err);
    if (!if_match(c, &it, &expect))
        return api_problem(c, 412, "the item was changed by someone else");
    /* A series takes its exceptions along (the calendar module's hook). */
    err = rec_delete(&c->ctx, entity(w.kind), rp_str_c(r.id), expect);
    if (err)
        return api_fail(c, err);
    return api_no_content(c);
}

enum rp_err dav__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    (void)interactive;
    return dav__sql_init(ctx);
}
