#include "core/common.h"
#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"

struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t cap;
    max_align_t data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *data;
};

#define ALIGN (sizeof(max_align_t))

static _Noreturn void out_of_memory(size_t n)
{
    LOG(LOG_ERROR, "out of memory allocating %zu bytes", n);
    abort();
}

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->clean = NULL;
    a->total = 0;
}

void arena_release(struct arena *a)
{
    while (a->clean) {
        struct arena_cleanup *c = a->clean;
        a->clean = c->next;
        c->fn(c->data);
    }
    while (a->head) {
        struct arena_block *b = a->head;
        a->head = b->next;
        free(b);
    }
    a->total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (need < n)
        out_of_memory(n);
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > RP_ARENA_BLOCK / 2 ? need : RP_ARENA_BLOCK;
        if (cap > SIZE_MAX - sizeof(*b))
            out_of_memory(n);
        b = malloc(sizeof(*b) + cap);
        if (!b)
            out_of_memory(n);
        b->cap = cap;
        b->used = 0;
        a->total += cap;
        if (need > RP_ARENA_BLOCK / 2 && a->head) {
            /* A big allocation gets its own block behind the current one, so the
             * current block's free space stays usable. */
            b->next = a->head->next;
            a->head->next = b;
            b->used = need;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    RP_ASSERT(n >= 0);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *arena_grow(struct arena *a, const void *p, size_t *cap, size_t size)
{
    size_t n = *cap ? *cap * 2 : 8;
    void *q = arena_calloc(a, n, size);
    if (*cap)
        memcpy(q, p, *cap * size);
    *cap = n;
    return q;
}

void arena_on_release(struct arena *a, void (*fn)(void *), void *data)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->data = data;
    c->next = a->clean;
    a->clean = c;
}
