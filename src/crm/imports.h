/* Import jobs of the API: a CSV posted to /imports is stored as a queued job, a worker
 * thread of the server runs it through crm/import.h as the user who posted it, and its
 * progress and row errors are written back for GET /imports/{id}. Jobs live in the
 * database: a restart keeps queued jobs queued and marks interrupted ones failed. */
#ifndef RP_CRM_IMPORTS_H
#define RP_CRM_IMPORTS_H

#include "crm/import.h"
#include "store/jobs.h"

/* Row errors a job reports at most (the import itself keeps RP_MAX_IMPORT_ERRORS). */
#define IMPORTS_MAX_ERRORS RP_MAX_IMPORT_ERRORS

struct imports_request {
    const struct entity_def *e;
    enum imp_dup on_dup;
    bool dry_run;
    const char *encoding;       /* NULL for UTF-8 */
    const char *mapping;        /* "column=field" lines, or NULL */
    struct rp_str body;
};

/* Queues an import for the caller. RP_EFORBIDDEN without the import permission on the
 * entity; RP_EINVAL for an entity that cannot be imported or an empty file. */
enum rp_err imports_submit(struct rec_ctx *ctx, const struct imports_request *r, const char **id);
/* A job and its first row errors. Only its creator and admins see it (RP_ENOTFOUND
 * otherwise). */
enum rp_err imports_get(struct rec_ctx *ctx, struct rp_str id, struct store_import_job *job,
                        struct store_import_error **errors, size_t *nerrors);
/* Whether an entity takes imports. */
bool imports_entity_ok(const struct entity_def *e);

/* Starts the worker: jobs left running by a stopped process are marked failed, queued
 * ones are run in order. */
enum rp_err imports_start(struct store *s);
/* Stops the worker after the batch in progress (the job is then marked failed). */
void imports_stop(void);

#endif
