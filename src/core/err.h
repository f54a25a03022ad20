/* One error type for every fallible function in Rapport (curl's CURLcode habit).
 * Results come back through out-parameters; RP_OK is zero so `if (err)` reads well. */
#ifndef RP_ERR_H
#define RP_ERR_H

enum rp_err {
    RP_OK = 0,
    RP_ENOMEM,     /* allocation failed */
    RP_EINVAL,     /* input is malformed or invalid */
    RP_ENOTFOUND,  /* absent, or not visible to the caller */
    RP_EFORBIDDEN, /* the caller's role does not allow the action */
    RP_EAUTH,      /* not signed in, or bad credentials */
    RP_ECONFLICT,  /* unique constraint, duplicate, or state conflict */
    RP_ESTALE,     /* optimistic concurrency: the version moved on */
    RP_ETOOBIG,    /* a size limit was hit */
    RP_ELIMIT,     /* rate limited */
    RP_EDB,        /* the database failed */
    RP_EIO,        /* a file or system call failed */
    RP_EBUSY,      /* the database stayed locked past the busy timeout */
    RP_ERANGE,     /* arithmetic in the database overflowed (a sum past 64 bits) */
    RP_ETIMEOUT,   /* a statement ran past its time limit and was stopped */
    RP_EUNAVAIL,   /* the database cannot be reached, or is read-only (a failover) */
};

/* Returns a static English name for an error, for logs. */
const char *rp_err_name(enum rp_err err);

/* Programmer errors only, never bad input: always compiled in. */
#define RP_ASSERT(cond)                                                                \
    do {                                                                               \
        if (!(cond))                                                                   \
            rp_assert_fail(#cond, __FILE__, __LINE__);                                 \
    } while (0)

_Noreturn void rp_assert_fail(const char *what, const char *file, int line);

#endif
