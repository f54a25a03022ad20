/* The guarded outgoing HTTP client (automation.h). A URL that a user typed decides
 * where the server connects, so before any request the host is resolved once, every
 * address it has is judged (core/netaddr.h), and the request is pinned to those
 * addresses (CURLOPT_RESOLVE): a DNS answer that changes between the check and the
 * connection (rebinding) cannot move it. The socket callback judges the address again
 * as the connection is opened, redirects are never followed, proxies from the
 * environment are ignored, and only http and https are spoken. */
#include "core/common.h"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/netaddr.h"
#include "core/text.h"
#include "mod/automation/automation.h"

/* Addresses of one host pinned at most. */
#define MAX_ADDRS 16

static bool from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
    *out = (struct netaddr){0};
    if (sa->sa_family == AF_INET) {
        memcpy(out->b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        out->len = 4;
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        out->len = 16;
        return true;
    }
    return false;
}

/* The URL's scheme, host (without brackets) and port; false when it is not an
 * absolute http(s) URL. */
static bool url_parts(struct arena *a, const char *url, const char **host, long *port,
                      const char **why)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *p = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK;
    if (!ok) {
        *why = "is not a valid URL";
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        *why = "must start with http:// or https://";
        ok = false;
    } else {
        size_t len = strlen(h);
        if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
            *host = arena_strndup(a, h + 1, len - 2);
        else
            *host = arena_strdup(a, h);
        *port = strtol(p, NULL, 10);
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return ok;
}

bool au_url_check(struct arena *a, const char *url, const char *allow, const char **why,
                  const char **resolve)
{
    const char *host;
    long port;
    *resolve = NULL;
    if (!url_parts(a, url, &host, &port, why))
        return false;
    struct netaddr lit;
    bool literal = netaddr_parse(rp_str_c(host), &lit);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        *why = arena_printf(a, "the host %s could not be resolved (%s)", host, gai_strerror(rc));
        return false;
    }
    struct rp_buf pin;
    buf_init(&pin, 256);
    enum rp_err err = buf_printf(&pin, "%s:%ld:", host, port);
    bool ok = true;
    int n = 0;
    for (struct addrinfo *ai = res; ai && ok && !err && n < MAX_ADDRS; ai = ai->ai_next) {
        struct netaddr na;
        if (!from_sockaddr(ai->ai_addr, &na))
            continue;
        char text[INET6_ADDRSTRLEN];
        getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof(text), NULL, 0, NI_NUMERICHOST);
        const char *bad = netaddr_refused(&na);
        if (bad && !netaddr_allowed(allow, rp_str_c(host), &na)) {
            *why = arena_printf(a, "%s is a %s address: not called unless an administrator"
                                   " allows it", text, bad);
            ok = false;
            break;
        }
        err = buf_printf(&pin, na.len == 16 ? "%s[%s]" : "%s%s", n ? "," : "", text);
        n++;
    }
    freeaddrinfo(res);
    if (ok && (err || n == 0)) {
        *why = arena_printf(a, "the host %s has no usable address", host);
        ok = false;
    }
    if (ok && !literal)
        *resolve = arena_strndup(a, pin.p, pin.len);
    buf_release(&pin);
    return ok;
}

/* ---- a request ---- */

struct guard {
    const char *allow;
    const char *host;
    bool refused;
};

/* The last check, at the socket: an address the check did not approve is refused. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
    struct guard *g = arg;
    struct netaddr na;
    if (purpose != CURLSOCKTYPE_IPCXN || !from_sockaddr(&sa->addr, &na) ||
        (netaddr_refused(&na) && !netaddr_allowed(g->allow, rp_str_c(g->host), &na))) {
        g->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype, sa->protocol);
}

struct sink {
    char *p;
    size_t len, max;
};

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n, room = s->max - s->len;
    size_t take = len < room ? len : room;
    memcpy(s->p + s->len, data, take);
    s->len += take;
    return len; /* the rest is read and dropped */
}

void au_call(CURL *h, struct arena *a, const struct au_request *rq, struct au_answer *out)
{
    *out = (struct au_answer){0};
    int64_t start = text_now_ms();
    const char *why, *resolve;
    const char *host = NULL;
    long port;
    if (!au_url_check(a, rq->url, rq->allow, &why, &resolve) ||
        !url_parts(a, rq->url, &host, &port, &why)) {
        out->error = why;
        out->refused = true;
        out->body = "";
        return;
    }
    if (!h) {
        out->error = "could not start an HTTP client";
        out->body = "";
        return;
    }
    struct guard g = {rq->allow, host, false};
    struct sink sink = {arena_alloc(a, rq->max_answer + 1), 0, rq->max_answer};
    struct curl_slist *pins = resolve ? curl_slist_append(NULL, resolve) : NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, rq->timeout_s < 5 ? rq->timeout_s : 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, rq->timeout_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Rapport-CRM/1 (+webhooks)");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &g);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    if (pins)
        curl_easy_setopt(h, CURLOPT_RESOLVE, pins);
    if (rq->headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, rq->headers);
    if (strcmp(rq->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    }
    CURLcode rc = curl_easy_perform(h);
    sink.p[sink.len] = '\0';
    out->body = sink.p;
    out->len = sink.len;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    } else if (g.refused) {
        out->error = "the connection went to an address that is not allowed";
        out->refused = true;
    } else {
        out->error = arena_strdup(a, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    /* The pins leave the handle: the next request pins its own. */
    curl_easy_setopt(h, CURLOPT_RESOLVE, NULL);
    curl_slist_free_all(pins);
    out->ms = text_now_ms() - start;
}

/* ---- this thread's handle ---- */

static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void handle_key_make(void)
{
    pthread_key_create(&handle_key, handle_free);
}

CURL *au_handle(void)
{
    pthread_once(&handle_once, handle_key_make);
    CURL *h = pthread_getspecific(handle_key);
    if (h)
        return h;
    h = curl_easy_init();
    if (h && pthread_setspecific(handle_key, h) != 0) {
        curl_easy_cleanup(h);
        h = NULL;
    }
    return h;
}
