/* Unit tests for http/static.c: which paths may name a file, which are client-side
 * routes, content types, Accept-Encoding, and reading files from a --web-dir (no
 * symlinks, no directories, only known types) or the embedded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/http/static.c"

#include <stdio.h>
#include <stdlib.h>

static bool safe(const char *p) { return safe_path(rp_str_c(p)); }
static bool spa(const char *p) { return spa_route(rp_str_c(p)); }

static void test_safe_path(void **state)
{
    (void)state;
    assert_true(safe("/"));
    assert_true(safe("/index.html"));
    assert_true(safe("/assets/app-ABC123.js"));
    assert_true(safe("/r/accounts/01a2-ff"));
    assert_false(safe(""));
    assert_false(safe("index.html"));
    assert_false(safe("/../etc/passwd"));
    assert_false(safe("/assets/../../etc/passwd"));
    assert_false(safe("/assets/./app.js"));
    assert_false(safe("/.env"));
    assert_false(safe("//etc/passwd"));
    assert_false(safe("/a\\b"));
    assert_false(safe("/a%2e%2e"));
    assert_false(safe("/search?q=x"));
    assert_false(safe("/客户"));
}

static void test_spa_route(void **state)
{
    (void)state;
    assert_true(spa("/"));
    assert_true(spa("/pipeline"));
    assert_true(spa("/r/accounts/01a208af-57ca-7465"));
    assert_false(spa("/favicon.ico"));
    assert_false(spa("/assets/app-X.js"));
    assert_true(spa("/v1.2/page")); /* a dot in an earlier segment does not make a file */
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(type_of("/index.html"), "text/html; charset=utf-8");
    assert_string_equal(type_of("/assets/a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(type_of("/assets/a.css"), "text/css; charset=utf-8");
    assert_string_equal(type_of("/favicon.svg"), "image/svg+xml");
    assert_null(type_of("/secret.db"));
    assert_null(type_of("/Makefile"));
}

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_true(accepts_gzip("gzip"));
    assert_true(accepts_gzip("gzip, deflate, br"));
    assert_true(accepts_gzip("br;q=1.0, gzip;q=0.8"));
    assert_false(accepts_gzip(NULL));
    assert_false(accepts_gzip("br, deflate"));
    assert_false(accepts_gzip("gzip;q=0"));
    assert_false(accepts_gzip("gzip;q=0.0, br"));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/rapport-static-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof(p), "%s/index.html", dir);
    write_file(p, "<!doctype html>");
    snprintf(p, sizeof(p), "%s/notes.txt", dir);
    write_file(p, "no type");
    snprintf(p, sizeof(p), "%s/sub.js", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/link.html", dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);

    struct http_req req;
    memset(&req, 0, sizeof(req));
    arena_init(&req.a);
    struct http_asset f;
    assert_true(load_file(&req, dir, "/index.html", &f));
    assert_int_equal(f.len, 15);
    assert_memory_equal(f.data, "<!doctype html>", 15);
    assert_string_equal(f.type, "text/html; charset=utf-8");
    assert_true(f.etag[0] == '"' && f.etag[strlen(f.etag) - 1] == '"');
    assert_null(f.gz);
    assert_false(load_file(&req, dir, "/missing.html", &f));
    assert_false(load_file(&req, dir, "/notes.txt", &f)); /* unknown type */
    assert_false(load_file(&req, dir, "/sub.js", &f));    /* a directory */
    assert_false(load_file(&req, dir, "/link.html", &f)); /* a symlink */
    arena_release(&req.a);

    unlink(p);
    snprintf(p, sizeof(p), "%s/sub.js", dir);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/notes.txt", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/index.html", dir);
    unlink(p);
    rmdir(dir);
}

static void test_embedded_lookup(void **state)
{
    (void)state;
    static const unsigned char html[] = "<p>", js[] = "x()";
    static const struct http_asset assets[] = {
        {"/index.html", "text/html; charset=utf-8", "\"a\"", html, 3, NULL, 0, false},
        {"/assets/app-1.js", "text/javascript; charset=utf-8", "\"b\"", js, 3, NULL, 0, true},
    };
    struct http_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.assets = assets;
    cfg.nassets = 2;
    struct http_req req;
    memset(&req, 0, sizeof(req));
    arena_init(&req.a);
    struct http_asset f;
    assert_true(lookup(&req, &cfg, "/assets/app-1.js", &f));
    assert_true(f.immutable);
    assert_string_equal(f.etag, "\"b\"");
    assert_false(lookup(&req, &cfg, "/assets/app-2.js", &f));
    assert_true(lookup(&req, &cfg, INDEX, &f));
    assert_ptr_equal(f.data, html);
    arena_release(&req.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe_path),   cmocka_unit_test(test_spa_route),
        cmocka_unit_test(test_types),       cmocka_unit_test(test_accepts_gzip),
        cmocka_unit_test(test_load_file),   cmocka_unit_test(test_embedded_lookup),
    };
    return cmocka_run_group_tests_name("static", tests, NULL, NULL);
}
