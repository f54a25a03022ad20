/* Articles' Markdown as HTML, through cmark (CommonMark). The HTML is safe to show:
 * raw HTML in the Markdown is dropped (cmark's default, never CMARK_OPT_UNSAFE, and the
 * nodes removed here besides), text and attribute values are escaped by cmark's
 * renderer, and what a link or an image points to is checked here against a short list
 * of schemes before rendering, on the parsed tree (where entities and escapes are
 * already decoded, so "java&#x73;cript:" is seen as what a browser would see). */
#include "core/common.h"

#include <cmark.h>
#include <stdlib.h>

#include "mod/kb/kb.h"

bool kb_url_allowed(const char *url, bool image)
{
    /* A browser skips leading spaces and control characters, and ignores tabs and line
     * breaks anywhere in a URL: the scheme is read the same way. */
    size_t i = 0;
    while (url[i] && (unsigned char)url[i] <= ' ')
        i++;
    char scheme[8];
    size_t n = 0;
    for (; url[i]; i++) {
        char ch = url[i];
        if (ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        if (ch == '/' || ch == '?' || ch == '#')
            return true; /* relative: no scheme */
        if (ch == ':')
            break;
        if (n == sizeof(scheme) - 1)
            return false; /* longer than any scheme allowed */
        scheme[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    if (!url[i])
        return true; /* relative: a path without a colon */
    scheme[n] = '\0';
    return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
           (!image && strcmp(scheme, "mailto") == 0);
}

/* Replaces node by its children (a link by its text, an image by its alt text). */
static void unwrap(cmark_node *node)
{
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL)
        cmark_node_insert_before(node, child);
    cmark_node_free(node);
}

/* Drops raw HTML and unwraps links and images to other places, deepest first. */
static enum rp_err sanitise(struct arena *a, cmark_node *doc)
{
    size_t cap = 64, n = 0;
    cmark_node **bad = arena_alloc(a, cap * sizeof(*bad));
    cmark_iter *it = cmark_iter_new(doc);
    if (!it)
        return RP_ENOMEM;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        bool drop = t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE;
        if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) {
            const char *url = cmark_node_get_url(node);
            drop = !kb_url_allowed(url ? url : "", t == CMARK_NODE_IMAGE);
        }
        if (drop) {
            if (n == cap)
                bad = arena_grow(a, bad, &cap, sizeof(*bad));
            bad[n++] = node;
        }
    }
    cmark_iter_free(it);
    /* Later nodes first: a node inside another is fixed before its container moves. */
    while (n-- > 0) {
        cmark_node_type t = cmark_node_get_type(bad[n]);
        if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)
            cmark_node_free(bad[n]);
        else
            unwrap(bad[n]);
    }
    return RP_OK;
}

enum rp_err kb_render(struct arena *a, const char *md, size_t len, const char **html)
{
    if (len > KB_MAX_MARKDOWN)
        return RP_ETOOBIG;
    cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    if (!doc)
        return RP_ENOMEM;
    enum rp_err err = sanitise(a, doc);
    char *out = err ? NULL : cmark_render_html(doc, CMARK_OPT_DEFAULT);
    cmark_node_free(doc);
    if (!err && !out)
        err = RP_ENOMEM;
    if (!err)
        *html = arena_strndup(a, out, strlen(out));
    free(out);
    return err;
}
