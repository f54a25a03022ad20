/* The fuzz targets' shared world and request runner (harness.h). */
#include "../../src/http/server.c"

#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>

#include "api/api.h"
#include "engine/auth.h"
#include "engine/ops.h"
#include "harness.h"
#include "mod/calendar/calendar.h"
#include "mod/customers/customers.h"
#include "mod/platform/platform.h"
#include "mod/sales/sales.h"

static const char FZ_PASSWORD[] = "fuzz-pass-12345";

struct placeholder {
    const char *name;
    const char *value;
};

static struct {
    bool ready;
    bool trace;  /* FZ_TRACE=1: print each request's status on stderr */
    char dir[64];
    char url[160];
    char db[128];
    char tmpl[128];
    struct store *store;
    struct api_app app;
    struct http_server server;
    struct arena a;  /* seeded ids and secrets */
    struct placeholder ph[16];
    size_t nph;
    const struct fz_req *cur;  /* the request MHD_lookup_connection_value answers from */
} W;

/* ---- libmicrohttpd seam ---- */

/* The handlers read headers and cookies through http_header/http_cookie, which ask
 * libmicrohttpd; this definition in the executable takes precedence over the
 * library's, so they read the fuzzer's request instead. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection,
                                        enum MHD_ValueKind kind, const char *key)
{
    (void)connection;
    const struct fz_req *r = W.cur;
    if (!r || !key)
        return NULL;
    if (kind == MHD_COOKIE_KIND)
        return strcmp(key, AUTH_COOKIE) == 0 ? r->cookie : NULL;
    if (kind != MHD_HEADER_KIND)
        return NULL;
    if (strcasecmp(key, "Authorization") == 0)
        return r->authorization;
    if (strcasecmp(key, "X-CSRF-Token") == 0)
        return r->csrf;
    if (strcasecmp(key, "If-Match") == 0)
        return r->if_match;
    if (strcasecmp(key, "Content-Type") == 0)
        return r->content_type;
    /* A browser's same-origin request, for origin checks on unsafe methods. */
    if (strcasecmp(key, "Host") == 0)
        return "127.0.0.1:8080";
    if (strcasecmp(key, "Origin") == 0)
        return "http://127.0.0.1:8080";
    return NULL;
}

/* ---- the seeded world ---- */

_Noreturn static void die(const char *what, enum rp_err err)
{
    fprintf(stderr, "fuzz harness: %s: %s\n", what, rp_err_name(err));
    abort();
}

static void put(const char *name, const char *value)
{
    RP_ASSERT(W.nph < RP_NELEM(W.ph));
    W.ph[W.nph++] = (struct placeholder){name, arena_strdup(&W.a, value)};
}

const char *fz_value(const char *name)
{
    for (size_t i = 0; i < W.nph; i++)
        if (strcmp(W.ph[i].name, name) == 0)
            return W.ph[i].value;
    return NULL;
}

static struct rec_input in_s(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = strlen(value)};
}

static const char *create(struct rec_ctx *ctx, const struct entity_def *e, struct rec_input *in,
                          size_t n)
{
    struct rec r;
    ctx->allow_duplicate = true;
    ctx->allow_conflict = true;
    enum rp_err err = rec_create(ctx, e, in, n, &r);
    if (err)
        die(e->name, err);
    return r.id;
}

static const char *user(struct rec_ctx *ctx, const char *name, const char *team)
{
    struct rp_str teams[1] = {rp_str_c(team)};
    struct rec_input in[] = {in_s("username", name), in_s("password", FZ_PASSWORD),
                             in_s("role", "sales"),
                             {.field = RP_STR("team_ids"), .kind = IN_LIST, .items = teams,
                              .nitems = 1}};
    return create(ctx, meta_need("users"), in, RP_NELEM(in));
}

static const char *account(struct rec_ctx *ctx, const char *name, const char *owner)
{
    struct rec_input in[] = {in_s("name", name), in_s("owner_id", owner),
                             in_s("annual_revenue", "1250.50"), in_s("type", "customer")};
    return create(ctx, meta_need("accounts"), in, RP_NELEM(in));
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out)
        die("copy the database", RP_EIO);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            die("copy the database", RP_EIO);
    fclose(in);
    if (fclose(out))
        die("copy the database", RP_EIO);
}

static void remove_db_files(const char *path)
{
    static const char *const SUFFIX[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < RP_NELEM(SUFFIX); i++) {
        snprintf(p, sizeof(p), "%s%s", path, SUFFIX[i]);
        unlink(p);
    }
}

static void open_store(void)
{
    enum rp_err err = ops_open(W.url, true, &W.store);
    if (err)
        die("open the database", err);
    W.app.store = W.store;
}

static void cleanup(void)
{
    if (W.store)
        store_close(W.store);
    remove_db_files(W.db);
    remove_db_files(W.tmpl);
    rmdir(W.dir);
    arena_release(&W.a);
}

static void seed(void)
{
    struct store_conn *conn;
    enum rp_err err = store_conn_get(W.store, &conn);
    if (err)
        die("connect", err);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, W.store, conn, &W.a, "fuzz seed");
    struct rec_input ta[] = {in_s("name", "Team A")}, tb[] = {in_s("name", "Team B 北京")};
    const char *team_a = create(&ctx, meta_need("teams"), ta, 1);
    const char *team_b = create(&ctx, meta_need("teams"), tb, 1);
    const char *me = user(&ctx, "fz_me", team_a), *peer = user(&ctx, "fz_peer", team_a);
    const char *stranger = user(&ctx, "fz_stranger", team_b);
    put("TEAMA", team_a);
    put("TEAMB", team_b);
    put("ME", me);
    put("PEER", peer);
    put("STRANGER", stranger);
    const char *own = account(&ctx, "Acme 客户有限公司", me);
    put("OWN", own);
    put("TEAM", account(&ctx, "Team Mate Corp", peer));
    put("OTHER", account(&ctx, "Stranger GmbH", stranger));
    for (int i = 0; i < 6; i++)
        account(&ctx, arena_printf(&W.a, "Row %d Ltd", i % 3), i % 2 ? me : peer);
    struct rec_input con[] = {in_s("first_name", "Li"), in_s("last_name", "Wei"),
                              in_s("account_id", own), in_s("email", "li.wei@example.com"),
                              in_s("owner_id", me)};
    put("CONTACT", create(&ctx, meta_need("contacts"), con, RP_NELEM(con)));
    struct rec_input opp[] = {in_s("name", "Big deal"), in_s("account_id", own),
                              in_s("amount", "99000.00"), in_s("stage", "proposal"),
                              in_s("expected_close_date", "2026-12-01"), in_s("owner_id", me)};
    put("OPP", create(&ctx, meta_need("opportunities"), opp, RP_NELEM(opp)));
    struct rec_input lead[] = {in_s("last_name", "Zhang"), in_s("company", "Lead Co"),
                               in_s("status", "new"), in_s("owner_id", me)};
    put("LEAD", create(&ctx, meta_need("leads"), lead, RP_NELEM(lead)));
    struct rec_input act[] = {in_s("type", "meeting"), in_s("subject", "Kick-off"),
                              in_s("status", "planned"), in_s("priority", "normal"),
                              in_s("start_at", "2026-11-02T09:00:00Z"),
                              in_s("end_at", "2026-11-02T10:00:00Z"), in_s("related_type", "accounts"),
                              in_s("related_id", own),
                              in_s("owner_id", me)};
    put("ACT", create(&ctx, meta_need("activities"), act, RP_NELEM(act)));

    struct auth_login_result lr;
    err = auth_login(&ctx, RP_STR("fz_me"), rp_str_c(FZ_PASSWORD), "127.0.0.1", &lr);
    if (err)
        die("sign in", err);
    put("SESSION", lr.session);
    put("CSRF", lr.csrf_token);
    struct principal who = lr.who;
    ctx.who = &who;
    const char *tid, *secret;
    err = auth_token_create(&ctx, RP_STR("fuzz"), &tid, &secret);
    if (err)
        die("create a token", err);
    put("TOKEN", secret);
}

void fz_init(void)
{
    if (W.ready)
        return;
    W.ready = true;
    W.trace = getenv("FZ_TRACE") != NULL;
    setenv("RAPPORT_ADMIN_PASSWORD", "fuzz-admin-pass-123", 1);
    log_set_level(LOG_ERROR);
    if (auth_init())
        die("libsodium", RP_EIO);
    arena_init(&W.a);
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(W.dir, sizeof(W.dir), "%s/rapport-fuzz-XXXXXX", base);
    if (!mkdtemp(W.dir))
        die("make a temporary directory", RP_EIO);
    snprintf(W.db, sizeof(W.db), "%s/w.db", W.dir);
    snprintf(W.tmpl, sizeof(W.tmpl), "%s/seed.db", W.dir);
    snprintf(W.url, sizeof(W.url), "sqlite:%s", W.db);
    atexit(cleanup);
    open_store();
    seed();
    store_close(W.store); /* checkpoints the WAL into the file */
    copy_file(W.db, W.tmpl);
    open_store();
    size_t nroutes;
    const struct http_route *routes = api_http_routes(&nroutes);
    W.server.cfg = (struct http_config){"127.0.0.1", 0, 1, routes, nroutes, &W.app,
                                        api_on_error, NULL, 0, NULL};
    pthread_mutex_init(&W.server.mlock, NULL);
    W.app.http = &W.server;
}

void fz_reset(void)
{
    store_close(W.store);
    remove_db_files(W.db);
    copy_file(W.tmpl, W.db);
    open_store();
}

char *fz_expand(const uint8_t *data, size_t size, size_t *len)
{
    struct rp_buf b;
    buf_init(&b, 4 * size + 4096);
    for (size_t i = 0; i < size;) {
        bool done = false;
        if (data[i] == '@') {
            for (size_t k = 0; k < W.nph && !done; k++) {
                size_t n = strlen(W.ph[k].name);
                if (i + n + 1 < size && data[i + n + 1] == '@' &&
                    memcmp(data + i + 1, W.ph[k].name, n) == 0) {
                    buf_adds(&b, W.ph[k].value);
                    i += n + 2;
                    done = true;
                }
            }
        }
        if (!done)
            buf_add(&b, data + i++, 1);
    }
    *len = b.len;
    char *out = malloc(b.len + 1);
    RP_ASSERT(out);
    memcpy(out, buf_cstr(&b), b.len + 1);
    buf_release(&b);
    return out;
}

char *fz_input(const uint8_t *data, size_t size, size_t max, unsigned reset_every, size_t *len)
{
    static unsigned runs;
    if (size > max)
        return NULL;
    fz_init();
    if (reset_every && ++runs % reset_every == 0)
        fz_reset();
    return fz_expand(data, size, len);
}

char *fz_request_line(char *text, size_t len, const char *dflt_method, const char **method,
                      const char **target)
{
    char *nl = memchr(text, '\n', len);
    char *body = nl ? nl + 1 : text + len;
    if (nl)
        *nl = '\0';
    *method = dflt_method;
    *target = text;
    char *sp = strchr(text, ' ');
    if (sp) {
        *sp = '\0';
        *method = text;
        *target = sp + 1;
    }
    return body;
}

struct store *fz_store(void)
{
    return W.store;
}

int64_t fz_count(const char *sql)
{
    struct store_conn *conn;
    int64_t n = -1;
    if (store_conn_get(W.store, &conn) || store_query_int(conn, sql, NULL, 0, &n))
        die(sql, RP_EDB);
    return n;
}

/* ---- requests ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes [p, p+n) into the arena as libmicrohttpd does ('+' is a space in
 * query strings). */
static char *unescape(struct arena *a, const char *p, size_t n, bool plus)
{
    char *out = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = hexval(p[i + 1])) >= 0 &&
            (lo = hexval(p[i + 2])) >= 0) {
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[k++] = plus && p[i] == '+' ? ' ' : p[i];
        }
    }
    out[k] = '\0';
    return out;
}

/* Splits the query string into parameters the way libmicrohttpd hands them over. */
static void parse_query(struct http_req *req, const char *q)
{
    req->query = arena_alloc(&req->a, (RP_MAX_QUERY_PARAMS + 1) * sizeof(*req->query));
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        if (n) {
            const char *key = unescape(&req->a, q, eq ? (size_t)(eq - q) : n, true);
            const char *val = eq ? unescape(&req->a, eq + 1, n - (size_t)(eq - q) - 1, true) : NULL;
            collect_query(req, MHD_GET_ARGUMENT_KIND, key, val);
        }
        q += n + (amp ? 1 : 0);
    }
}

_Noreturn void fz_fail(const char *what, const struct fz_req *in, const struct fz_resp *out)
{
    fprintf(stderr, "FUZZ FINDING: %s\n  %s %s\n  status %u\n  answer: %.2000s\n", what,
            in->method, in->target, out ? out->status : 0,
            out && out->body ? out->body : "");
    abort();
}

void fz_request(const struct fz_req *in, struct fz_resp *out)
{
    fz_init();
    struct http_req *req = calloc(1, sizeof(*req));
    RP_ASSERT(req);
    arena_init(&req->a);
    req->app = &W.app;
    req->method = in->method;
    req->addr = "127.0.0.1";
    const char *qm = strchr(in->target, '?');
    size_t plen = qm ? (size_t)(qm - in->target) : strlen(in->target);
    char *path = unescape(&req->a, in->target, plen, false);
    req->path = (struct rp_str){path, strlen(path)};
    parse_query(req, qm ? qm + 1 : "");
    req->body = (struct rp_str){in->body ? in->body : "", in->body ? in->body_len : 0};
    W.cur = in;

    bool path_match;
    req->resp_fd = -1;
    const struct http_route *rt = route(&W.server, req, &path_match, false);
    memset(out, 0, sizeof(*out));
    out->routed = rt != NULL;
    if (!rt) {
        W.server.cfg.on_error(req, path_match ? 405 : 404);
    } else if (!in->route_only) {
        req->route = rt->pattern;
        rt->fn(req, rt->data);
    } else {
        http_respond(req, 204, NULL, "", 0);
    }
    W.cur = NULL;
    out->status = req->status;
    struct rp_buf b;
    buf_init(&b, SIZE_MAX);
    if (req->stream.fill) {
        /* A streamed answer (exports) is read to its end, as a client would. */
        char chunk[16384];
        long n;
        while ((n = req->stream.fill(req->stream.cls, chunk, sizeof(chunk))) > 0)
            RP_ASSERT(!buf_add(&b, chunk, (size_t)n));
        req->stream.done(req->stream.cls);
        if (n < 0)
            fz_fail("a streamed answer was cut", in, out);
    } else if (req->resp_fd >= 0) {
        close(req->resp_fd);
    } else if (req->resp_len) {
        RP_ASSERT(!buf_add(&b, req->resp_body, req->resp_len));
    }
    out->len = b.len;
    out->body = malloc(b.len + 1);
    RP_ASSERT(out->body);
    if (b.len)
        memcpy(out->body, b.p, b.len);
    out->body[b.len] = '\0';
    buf_release(&b);
    bool json = req->resp_type && strstr(req->resp_type, "json");
    arena_release(&req->a);
    free(req);

    if (W.trace)
        fprintf(stderr, "%u %s %s\n", out->status, in->method, in->target);
    if (out->status == 0)
        fz_fail("the handler set no answer", in, out);
    if (out->status >= 500)
        fz_fail("internal error (5xx)", in, out);
    if (json && out->len) {
        json_t *j = json_loadb(out->body, out->len, 0, NULL);
        if (!j)
            fz_fail("the answer is not valid JSON", in, out);
        json_decref(j);
    }
}
