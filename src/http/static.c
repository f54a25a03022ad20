/* The web UI's files: embedded in the binary (http_web_assets) or read from a directory
 * while developing (--web-dir). Client-side routes fall back to index.html so a reload
 * on /accounts/ID works; /api/ paths never do. */
#include "core/common.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "http/http.h"

#define INDEX "/index.html"

static const struct {
    const char *ext, *type;
} TYPES[] = {
    {".html", "text/html; charset=utf-8"},      {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},        {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
    {".png", "image/png"},                      {".ico", "image/x-icon"},
};

/* A path we are willing to look up: absolute, of [A-Za-z0-9._/-], no empty, "." or
 * ".." segment and no dot file — so nothing outside the web root can be named. */
static bool safe_path(struct rp_str p)
{
    if (p.len < 1 || p.len > 256 || p.p[0] != '/')
        return false;
    for (size_t i = 0; i < p.len; i++) {
        char c = p.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == '/';
        if (!ok)
            return false;
        if (c == '/' && i + 1 < p.len && (p.p[i + 1] == '.' || p.p[i + 1] == '/'))
            return false;
    }
    return true;
}

/* A client-side route: its last segment has no dot (files always have one). */
static bool spa_route(struct rp_str p)
{
    for (size_t i = p.len; i > 0 && p.p[i - 1] != '/'; i--)
        if (p.p[i - 1] == '.')
            return false;
    return true;
}

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < RP_NELEM(TYPES); i++)
        if (strcmp(dot, TYPES[i].ext) == 0)
            return TYPES[i].type;
    return NULL;
}

static const struct http_asset *find_embedded(const struct http_config *cfg, const char *path)
{
    for (size_t i = 0; i < cfg->nassets; i++)
        if (strcmp(cfg->assets[i].path, path) == 0)
            return &cfg->assets[i];
    return NULL;
}

/* Reads web_dir + path into the request arena; *out describes it (no gzip copy: the
 * development server sends files as they are). Returns false when there is no such
 * regular file or it has no known type. */
static bool load_file(struct http_req *req, const char *dir, const char *path,
                      struct http_asset *out)
{
    const char *type = type_of(path);
    if (!type)
        return false;
    char *full = arena_printf(&req->a, "%s%s", dir, path);
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
              (uint64_t)st.st_size <= RP_MAX_STATIC_FILE;
    unsigned char *data = NULL;
    size_t len = ok ? (size_t)st.st_size : 0, got = 0;
    if (ok) {
        data = arena_alloc(&req->a, len + 1);
        while (got < len) {
            ssize_t n = read(fd, data + got, len - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        ok = got == len;
    }
    close(fd);
    if (!ok)
        return false;
    *out = (struct http_asset){path, type,
                               arena_printf(&req->a, "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
                                            (unsigned long long)st.st_size),
                               data, len, NULL, 0, false};
    return true;
}

static bool lookup(struct http_req *req, const struct http_config *cfg, const char *path,
                   struct http_asset *out)
{
    if (cfg->web_dir)
        return load_file(req, cfg->web_dir, path, out);
    const struct http_asset *a = find_embedded(cfg, path);
    if (a)
        *out = *a;
    return a != NULL;
}

/* Whether an Accept-Encoding value allows gzip (a "gzip;q=0" refusal counts as no). */
static bool accepts_gzip(const char *ae)
{
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return false;
    const char *q = g + 4;
    while (*q == ' ')
        q++;
    return !(strncmp(q, ";q=0", 4) == 0 && (q[4] == '\0' || q[4] == ',' || strncmp(q + 4, ".0", 2) == 0));
}

bool http_static_serve(struct http_req *req, const struct http_config *cfg)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return false;
    struct rp_str p = req->path;
    if (!safe_path(p) || (p.len >= 5 && memcmp(p.p, "/api/", 5) == 0) ||
        (p.len == 4 && memcmp(p.p, "/api", 4) == 0))
        return false;
    const char *path = arena_strndup(&req->a, p.p, p.len);
    struct http_asset f;
    bool found = p.len > 1 && lookup(req, cfg, path, &f);
    if (!found && spa_route(p))
        found = lookup(req, cfg, INDEX, &f);
    if (!found)
        return false;
    req->route = "web";
    http_add_header(req, "ETag", f.etag);
    http_add_header(req, "Cache-Control",
                    f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (f.gz)
        http_add_header(req, "Vary", "Accept-Encoding");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strstr(inm, f.etag)) {
        http_respond(req, 304, NULL, "", 0);
        return true;
    }
    if (f.gz && accepts_gzip(http_header(req, "Accept-Encoding"))) {
        http_add_header(req, "Content-Encoding", "gzip");
        http_respond(req, 200, f.type, (const char *)f.gz, f.gzlen);
    } else {
        http_respond(req, 200, f.type, (const char *)f.data, f.len);
    }
    return true;
}
