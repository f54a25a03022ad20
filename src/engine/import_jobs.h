/* Import jobs of the API: a file (CSV, .xlsx or vCards) posted to /imports is stored
 * with a job of kind "import" on the generic queue (crm/jobs.h); a server's job runner runs it through
 * crm/import.h as the user who posted it, and its progress and row errors are written
 * back for GET /imports/{id}. Jobs live in the database: a restart keeps queued jobs
 * queued; on SQLite it marks interrupted ones failed. */
#ifndef RP_ENGINE_IMPORT_JOBS_H
#define RP_ENGINE_IMPORT_JOBS_H

#include "engine/csv_import.h"
#include <stdatomic.h>

#include "store/import_jobs.h"

/* Row errors a job reports at most (the import itself keeps RP_MAX_IMPORT_ERRORS). */
#define IMPORT_JOBS_MAX_ERRORS RP_MAX_IMPORT_ERRORS

struct import_jobs_request {
    const struct entity_def *e;
    enum imp_format format;
    enum imp_dup on_dup;
    bool dry_run;
    bool create_missing;        /* create_accounts: rows may create the records they name */
    const char *encoding;       /* NULL for UTF-8 */
    const char *mapping;        /* "column=field" lines, or NULL */
    struct rp_str body;
};

/* Queues an import for the caller. RP_EFORBIDDEN without the import permission on the
 * entity, or with create_missing and no permission to create what it would; RP_EINVAL
 * for an entity that cannot be imported (or take the format) or an empty file. */
enum rp_err import_jobs_submit(struct rec_ctx *ctx, const struct import_jobs_request *r, const char **id);
/* The header and the first max_rows rows of r's body as the import would read them
 * (engine/csv_import.h), for a user choosing how to map the columns; the same checks
 * as import_jobs_submit, and RP_EINVAL (ctx->detail) for a file that cannot be read. */
enum rp_err import_jobs_preview(struct rec_ctx *ctx, const struct import_jobs_request *r,
                                size_t max_rows, struct imp_preview *out);
/* A job and its first row errors. Only its creator and admins see it (RP_ENOTFOUND
 * otherwise). */
enum rp_err import_jobs_get(struct rec_ctx *ctx, struct rp_str id, struct store_import_job *job,
                        struct store_import_error **errors, size_t *nerrors);
/* Whether an entity takes imports: every entity but the platform's (users, teams,
 * pipeline stages), which administrators manage one by one. */
bool import_jobs_entity_ok(const struct entity_def *e);

/* The "import" job kind: runs import payload (its id) as its creator; stops after the
 * batch in progress once *stop is set (the import is then failed). */
enum rp_err import_jobs_run(struct rec_ctx *sys, struct rp_str payload, const atomic_bool *stop,
                        const char **result);
/* Marks imports cut off by a stop failed (see jobs_runner_start). */
enum rp_err import_jobs_abandon(struct store_conn *c);

#endif
