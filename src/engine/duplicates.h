/* Duplicate detection and merge (DESIGN §5) for the entities with EF_DUPLICATES
 * (accounts, contacts and leads today), by the fields whose metadata (`dup`) says who
 * a record is. Records carry normalised keys (engine/dupkeys.h) in the store; a new or
 * changed record is compared by key, and company names also by similarity. */
#ifndef RP_ENGINE_DUPLICATES_H
#define RP_ENGINE_DUPLICATES_H

#include "engine/rec.h"

/* Company names this similar (0..100) or more count as duplicates. */
#define DUPS_NAME_THRESHOLD 85
/* Look-alikes reported at most. */
#define DUPS_MAX_CANDIDATES 10u
/* Duplicate groups one listing answers at most. */
#define DUPS_MAX_GROUPS 100u
/* Records one merge may fold into the survivor. */
#define DUPS_MAX_MERGE 20u

bool dups_applies(const struct entity_def *e);
/* Run by the engine after the modules' validators: RP_ECONFLICT with the look-alikes
 * (ctx->problem "duplicates": id, score, reasons, record) when r looks like a visible
 * live record, unless ctx->allow_duplicate. */
enum rp_err dups_check(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
/* Run by the engine after a write: stores r's keys when they changed. */
enum rp_err dups_index(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);

struct dups_group {
    const char *reason;           /* "email", "phone", "tax_id", "name" */
    struct rec *records;
    size_t nrecords;
};

/* Likely duplicate groups among the records of e the caller may read. */
enum rp_err dups_groups(struct rec_ctx *ctx, const struct entity_def *e,
                        struct dups_group **groups, size_t *n);

/* Folds the records `from` into `survivor` in one transaction: applies `fields` to the
 * survivor, re-points every reference to the merged records (foreign keys, activity
 * links, attendee lists, lead conversions) to the survivor, moves the merged records
 * to the recycle bin, and records the merge in the history of all of them. */
enum rp_err dups_merge(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str survivor,
                       const struct rp_str *from, size_t nfrom, const struct rec_input *fields,
                       size_t nfields, struct rec *out);

#endif
