/* Included first by every Rapport .c file: feature macros, basic types, banned.h. */
#ifndef RP_COMMON_H
#define RP_COMMON_H

/* System headers whose inline definitions use banned names come before banned.h;
 * their include guards make later includes of them no-ops. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/limits.h"

/* A borrowed slice of bytes; never NUL-terminated by contract. */
struct rp_str {
    const char *p;
    size_t len;
};

#define RP_STR(lit) ((struct rp_str){(lit), sizeof(lit) - 1})
#define RP_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static inline struct rp_str rp_str_c(const char *s)
{
    return (struct rp_str){s, s ? strlen(s) : 0};
}

static inline bool rp_str_eq(struct rp_str a, struct rp_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool rp_str_eqc(struct rp_str a, const char *c)
{
    return rp_str_eq(a, rp_str_c(c));
}

#include "core/banned.h"

#endif
