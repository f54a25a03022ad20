/* Copying a workspace between stores (`rapport migrate`): table by table, each in one
 * destination transaction, verified by reading the destination back. The destination
 * must hold the same tables (store_sync_table) and no rows. Identifiers come from
 * metadata and the fixed platform tables only. */
#ifndef RP_STORE_COPY_H
#define RP_STORE_COPY_H

#include "store/db.h"

struct store_copy_result {
    const char *table;  /* borrowed: the table's name */
    bool fts;           /* the table's full-text index */
    int64_t rows;
    uint64_t checksum;  /* over every value of every row, in key order */
    bool verified;      /* the destination read back the same rows and checksum */
};

/* Copies a record table and its full-text index: res has room for 2; *nres results. */
enum rp_err store_copy_record_table(struct store_conn *src, struct store_conn *dst,
                                    const struct store_table *t,
                                    struct store_copy_result *res, size_t *nres);
/* Rows of a table (identifier from metadata). */
enum rp_err store_count_rows(struct store_conn *c, const char *table, int64_t *n);
/* The platform tables (sessions, tokens, audit log, throttle, duplicate keys, jobs). */
size_t store_copy_platform_count(void);
enum rp_err store_copy_platform(struct store_conn *src, struct store_conn *dst, size_t i,
                                struct store_copy_result *res);

#endif
