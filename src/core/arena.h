/* Region allocator: one per request (and one for the process), freed in one place
 * (nginx's pool). Non-memory resources register a cleanup that runs, in reverse
 * order of registration, when the arena is released.
 *
 * Allocation failure aborts with a log line: every size that comes from input is
 * capped by core/limits.h before it reaches the arena (Redis's zmalloc rule). */
#ifndef RP_ARENA_H
#define RP_ARENA_H

#include "core/common.h"

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;     /* private: newest block first */
    struct arena_cleanup *clean;  /* private: newest cleanup first */
    size_t total;                 /* read-only: bytes obtained from malloc */
};

void arena_init(struct arena *a);
/* Runs the cleanups (newest first) and frees every block. The arena may be reused. */
void arena_release(struct arena *a);

/* Returns memory owned by the arena, aligned for any type. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* Like arena_alloc, zeroed. `n * size` must not overflow (checked; aborts). */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copies bytes into the arena and adds a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Doubles an arena array of *cap elements of `size` bytes: returns the new array (the
 * old elements copied) and updates *cap. For arrays that grow while rows are read. */
void *arena_grow(struct arena *a, const void *p, size_t *cap, size_t size);

/* Registers fn(data) to run at arena_release. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *data);

#endif
