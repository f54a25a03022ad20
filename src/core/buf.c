#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void buf_init(struct rp_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(struct rp_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    for (size_t i = 0; i < n; i++)
        v[i] = 0;
}

void buf_wipe_cstr(void *s)
{
    buf_wipe(s, strlen(s));
}

void buf_release_wipe(struct rp_buf *b)
{
    if (b->p)
        buf_wipe(b->p, b->cap);
    buf_release(b);
}

void buf_reset(struct rp_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static enum rp_err grow(struct rp_buf *b, size_t n)
{
    if (n > b->max - b->len || n >= SIZE_MAX - b->len)
        return RP_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return RP_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* cap - 1 > max, not cap > max + 1: max may be SIZE_MAX ("no limit"). */
    if (cap - 1 > b->max)
        cap = b->max + 1;
    char *p = realloc(b->p, cap);
    if (!p)
        return RP_ENOMEM;
    b->p = p;
    b->cap = cap;
    return RP_OK;
}

enum rp_err buf_add(struct rp_buf *b, const void *data, size_t n)
{
    enum rp_err err = grow(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return RP_OK;
}

enum rp_err buf_adds(struct rp_buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

enum rp_err buf_addc(struct rp_buf *b, char c)
{
    return buf_add(b, &c, 1);
}

enum rp_err buf_vprintf(struct rp_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return RP_EINVAL;
    enum rp_err err = grow(b, (size_t)n);
    if (err)
        return err;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RP_OK;
}

enum rp_err buf_printf(struct rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum rp_err err = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

const char *buf_cstr(const struct rp_buf *b)
{
    return b->p ? b->p : "";
}

char *buf_steal(struct rp_buf *b, size_t *len)
{
    char *p = b->p;
    if (len)
        *len = b->len;
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
