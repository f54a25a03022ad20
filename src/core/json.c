/* The JSON module (core/json.h). */
#include "core/common.h"

#include <jansson.h>

#include "core/json.h"

enum rp_err json_add_string(struct rp_buf *b, const char *s, size_t n)
{
    /* jansson walks a string a code point at a time through a callback; this copies the
     * runs between escapes (json_dumps was a fifth of a list page's CPU). */
    enum rp_err err = buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; !err && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        err = buf_add(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (ch) {
        case '"': memcpy(esc, "\\\"", 3); break;
        case '\\': memcpy(esc, "\\\\", 3); break;
        case '\b': memcpy(esc, "\\b", 3); break;
        case '\f': memcpy(esc, "\\f", 3); break;
        case '\n': memcpy(esc, "\\n", 3); break;
        case '\r': memcpy(esc, "\\r", 3); break;
        case '\t': memcpy(esc, "\\t", 3); break;
        default: snprintf(esc, sizeof(esc), "\\u%04X", ch); break;
        }
        if (!err)
            err = buf_adds(b, esc);
    }
    if (!err)
        err = buf_add(b, s + run, n - run);
    return err ? err : buf_addc(b, '"');
}

enum rp_err json_add_int(struct rp_buf *b, int64_t i)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", (long long)i);
    return buf_adds(b, num);
}

enum rp_err json_add_list(struct rp_buf *b, const struct rp_str *items, size_t n)
{
    enum rp_err err = buf_addc(b, '[');
    for (size_t i = 0; i < n && !err; i++) {
        if (i)
            err = buf_addc(b, ',');
        if (!err)
            err = json_add_string(b, items[i].p, items[i].len);
    }
    return err ? err : buf_addc(b, ']');
}

static struct rp_str copy(struct arena *a, const json_t *s)
{
    size_t n = json_string_length(s);
    return (struct rp_str){arena_strndup(a, json_string_value(s), n), n};
}

enum rp_err json_read_list(struct arena *a, struct rp_str text, size_t max,
                           struct rp_str **items, size_t *n)
{
    json_t *root = json_loadb(text.p, text.len, JSON_REJECT_DUPLICATES, NULL);
    enum rp_err err = json_is_array(root) && json_array_size(root) <= max ? RP_OK : RP_EINVAL;
    size_t count = err ? 0 : json_array_size(root);
    struct rp_str *out = arena_calloc(a, count + 1, sizeof(*out));
    for (size_t i = 0; i < count && !err; i++) {
        const json_t *v = json_array_get(root, i);
        if (json_is_string(v))
            out[i] = copy(a, v);
        else
            err = RP_EINVAL;
    }
    json_decref(root);
    *items = out;
    *n = err ? 0 : count;
    return err;
}

enum rp_err json_read_object(struct arena *a, struct rp_str text, size_t max,
                             const char ***keys, const char ***values, size_t *n)
{
    json_t *root = json_loadb(text.p, text.len, JSON_REJECT_DUPLICATES | JSON_PRESERVE_ORDER,
                              NULL);
    enum rp_err err = json_is_object(root) && json_object_size(root) <= max ? RP_OK : RP_EINVAL;
    size_t count = err ? 0 : json_object_size(root), i = 0;
    const char **k = arena_calloc(a, count + 1, sizeof(*k));
    const char **v = arena_calloc(a, count + 1, sizeof(*v));
    const char *key;
    json_t *val;
    if (!err) {
        json_object_foreach(root, key, val)
        {
            if (!json_is_string(val) && !json_is_null(val)) {
                err = RP_EINVAL;
                break;
            }
            k[i] = arena_strdup(a, key);
            v[i] = json_is_string(val) ? copy(a, val).p : NULL;
            i++;
        }
    }
    json_decref(root);
    *keys = k;
    *values = v;
    *n = err ? 0 : i;
    return err;
}

enum rp_err json_read_members(struct arena *a, struct rp_str text, size_t max,
                              const char ***keys, struct rp_str **values, size_t *n)
{
    json_t *root = json_loadb(text.p, text.len, JSON_REJECT_DUPLICATES | JSON_PRESERVE_ORDER,
                              NULL);
    enum rp_err err = json_is_object(root) && json_object_size(root) <= max ? RP_OK : RP_EINVAL;
    size_t count = err ? 0 : json_object_size(root), i = 0;
    const char **k = arena_calloc(a, count + 1, sizeof(*k));
    struct rp_str *v = arena_calloc(a, count + 1, sizeof(*v));
    const char *key;
    json_t *val;
    if (!err) {
        json_object_foreach(root, key, val)
        {
            char *dump = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
            if (!dump) {
                err = RP_ENOMEM;
                break;
            }
            size_t len = strlen(dump);
            k[i] = arena_strdup(a, key);
            v[i] = (struct rp_str){arena_strndup(a, dump, len), len};
            free(dump);
            i++;
        }
    }
    json_decref(root);
    *keys = k;
    *values = v;
    *n = err ? 0 : i;
    return err;
}
