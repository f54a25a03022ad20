#include "core/common.h"

#include "core/mention.h"

static bool name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '@';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reads the mention starting at text.p[i] ('@'); its name into m. Returns the index
 * after the run, *ok when it is a mention. */
static size_t read_one(struct rp_str text, size_t i, struct mention *m, bool *ok)
{
    size_t start = i + 1, end = start;
    while (end < text.len && name_byte((unsigned char)text.p[end]))
        end++;
    size_t len = end - start;
    while (len && text.p[start + len - 1] == '.')
        len--;
    *ok = len >= 2 && len <= MENTION_MAX_NAME;
    if (*ok) {
        for (size_t k = 0; k < len; k++)
            m->name[k] = lower(text.p[start + k]);
        m->name[len] = '\0';
    }
    return end;
}

size_t mention_parse(struct rp_str text, struct mention *out)
{
    size_t n = 0, i = 0;
    while (i < text.len && n < MENTION_MAX) {
        if (text.p[i] != '@' || (i > 0 && name_byte((unsigned char)text.p[i - 1]))) {
            i++;
            continue;
        }
        bool ok;
        i = read_one(text, i, &out[n], &ok);
        for (size_t k = 0; ok && k < n; k++)
            ok = strcmp(out[k].name, out[n].name) != 0;
        if (ok)
            n++;
    }
    return n;
}

bool mention_has(struct rp_str text, const char *name)
{
    struct mention m[MENTION_MAX];
    size_t n = mention_parse(text, m);
    for (size_t k = 0; k < n; k++)
        if (strcmp(m[k].name, name) == 0)
            return true;
    return false;
}
