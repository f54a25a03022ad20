/* Growable byte buffer with a hard maximum fixed at init (curl's dynbuf).
 * Invariant: `p` is NUL-terminated whenever it is non-NULL, and len <= max.
 * Appending past the maximum returns RP_ETOOBIG and leaves the buffer as it was. */
#ifndef RP_BUF_H
#define RP_BUF_H

#include "core/common.h"

struct rp_buf {
    char *p;      /* read-only: heap memory, NUL-terminated, NULL until first append */
    size_t len;   /* read-only */
    size_t cap;   /* private */
    size_t max;   /* private */
};

/* Zeroes n bytes in a way the compiler may not drop: for secrets before free. */
void buf_wipe(void *p, size_t n);
/* Arena cleanup that wipes a NUL-terminated secret. */
void buf_wipe_cstr(void *s);

void buf_init(struct rp_buf *b, size_t max);
/* Frees the memory; the buffer may be reused after buf_init. */
void buf_release(struct rp_buf *b);
/* Zeroes the contents before freeing: for secrets. */
void buf_release_wipe(struct rp_buf *b);
void buf_reset(struct rp_buf *b);

enum rp_err buf_add(struct rp_buf *b, const void *data, size_t n);
enum rp_err buf_adds(struct rp_buf *b, const char *s);
enum rp_err buf_addc(struct rp_buf *b, char c);
enum rp_err buf_printf(struct rp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns the contents ("" when empty); borrowed until the next change. */
enum rp_err buf_vprintf(struct rp_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
const char *buf_cstr(const struct rp_buf *b);
/* Hands the heap memory to the caller (returns owned; free() it) and resets. */
char *buf_steal(struct rp_buf *b, size_t *len);

#endif
