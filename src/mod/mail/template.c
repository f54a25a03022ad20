/* Templates: text with logic-less merge fields, {{object.field}} or
 * {{object.field|default}} (spaces around the parts are allowed), and nothing else —
 * no conditions, loops or calls — so a template cannot do more than fill in values. */
#include "core/common.h"

#include "mod/mail/mail.h"

struct tag {
    struct rp_str object, field, def;
    bool has_def;
};

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static struct rp_str strip(const char *p, size_t len)
{
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    return (struct rp_str){p, len};
}

/* Parses the inside of a tag (between "{{" and "}}"). */
static bool parse_tag(const char *p, size_t len, struct tag *t)
{
    const char *bar = memchr(p, '|', len);
    size_t nlen = bar ? (size_t)(bar - p) : len;
    struct rp_str name = strip(p, nlen);
    const char *dot = memchr(name.p, '.', name.len);
    if (!dot || dot == name.p || dot == name.p + name.len - 1)
        return false;
    t->object = (struct rp_str){name.p, (size_t)(dot - name.p)};
    t->field = (struct rp_str){dot + 1, name.len - t->object.len - 1};
    for (size_t i = 0; i < t->object.len; i++)
        if (!name_char(t->object.p[i]))
            return false;
    for (size_t i = 0; i < t->field.len; i++)
        if (!name_char(t->field.p[i]))
            return false;
    t->has_def = bar != NULL;
    t->def = bar ? strip(bar + 1, len - nlen - 1) : (struct rp_str){"", 0};
    return true;
}

/* Finds the next tag at or after *i: its start and inside; false at the end, or with
 * *bad set for an unclosed or malformed one. */
static bool next_tag(const char *s, size_t len, size_t *i, size_t *start, struct tag *t,
                     bool *bad)
{
    *bad = false;
    for (size_t k = *i; k + 1 < len; k++) {
        if (s[k] != '{' || s[k + 1] != '{')
            continue;
        size_t e = k + 2;
        while (e + 1 < len && !(s[e] == '}' && s[e + 1] == '}'))
            e++;
        *start = k;
        if (e + 1 >= len) {
            *bad = true;
            *i = len;
            return false;
        }
        *bad = !parse_tag(s + k + 2, e - k - 2, t);
        *i = e + 2;
        return !*bad;
    }
    return false;
}

static enum rp_err add_escaped(struct rp_buf *b, const char *s, size_t len, bool html)
{
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < len && !err; i++) {
        switch (html ? s[i] : 0) {
        case '<': err = buf_adds(b, "&lt;"); break;
        case '>': err = buf_adds(b, "&gt;"); break;
        case '&': err = buf_adds(b, "&amp;"); break;
        case '"': err = buf_adds(b, "&quot;"); break;
        case '\'': err = buf_adds(b, "&#39;"); break;
        default: err = buf_addc(b, s[i]); break;
        }
    }
    return err;
}

enum rp_err mail_render(struct rp_buf *out, const char *tpl, size_t len, bool html,
                        mail_lookup_fn lookup, void *arg)
{
    size_t i = 0, done = 0, start;
    struct tag t;
    bool bad;
    enum rp_err err = RP_OK;
    while (!err && next_tag(tpl, len, &i, &start, &t, &bad)) {
        err = buf_add(out, tpl + done, start - done);
        const char *v = lookup(arg, t.object, t.field);
        if (!err && v && v[0])
            err = add_escaped(out, v, strlen(v), html);
        else if (!err)
            err = add_escaped(out, t.def.p, t.def.len, html);
        done = i;
    }
    if (bad)
        return RP_EINVAL;
    return err ? err : buf_add(out, tpl + done, len - done);
}

enum rp_err mail_template_check(const char *tpl, size_t len, mail_known_fn known, void *arg,
                                struct rp_str *bad)
{
    size_t i = 0, start;
    struct tag t;
    bool malformed;
    while (next_tag(tpl, len, &i, &start, &t, &malformed)) {
        if (!known(arg, t.object, t.field)) {
            *bad = (struct rp_str){tpl + start, i - start};
            return RP_EINVAL;
        }
    }
    if (malformed) {
        size_t end = i - start > 60 ? start + 60 : i;
        while (end > start && end < len && ((unsigned char)tpl[end] & 0xc0) == 0x80)
            end--; /* not inside a character */
        *bad = (struct rp_str){tpl + start, end - start};
        return RP_EINVAL;
    }
    return RP_OK;
}
