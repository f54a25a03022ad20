/* Import jobs (POST /imports): the uploaded file, options, progress and row errors of
 * each import. Running them is a job of the generic queue (store/jobs.h, kind
 * "import", payload the import id). Portable SQL over db.h. Strings returned are
 * copied into the caller's arena. */
#ifndef RP_STORE_IMPORT_JOBS_H
#define RP_STORE_IMPORT_JOBS_H

#include "store/db.h"

struct store_import_job {
    const char *id;
    const char *user_id;
    const char *entity;
    const char *on_duplicate;
    const char *format;      /* csv, xlsx, vcf */
    const char *encoding;    /* NULL for UTF-8 */
    const char *mapping;     /* "column=field" lines, or NULL */
    const char *status;      /* queued, running, done, failed */
    const char *error;       /* why a job failed, or NULL */
    const char *created_at;
    const char *updated_at;
    bool dry_run;
    bool create_missing;     /* rows may create the records they name (create_accounts) */
    int64_t rows_total, rows_done, rows_imported, rows_updated, rows_skipped, rows_failed;
    int64_t refs_created;
};

/* Stores a queued job and its file (any bytes: it is kept hex-encoded). */
enum rp_err store_import_create(struct store_conn *c, const struct store_import_job *j,
                                const char *body, size_t len);
/* RP_ENOTFOUND when there is no such job. */
enum rp_err store_import_get(struct store_conn *c, const char *id, struct arena *a,
                             struct store_import_job *out);
/* Marks queued job id running and returns it with its file (arena copy). RP_ENOTFOUND
 * when there is no such queued job. */
enum rp_err store_import_start(struct store_conn *c, const char *id, const char *now,
                               struct arena *a, struct store_import_job *out,
                               const char **body, size_t *len);
/* Writes a job's status, counters (refs_created too), error and updated_at; a finished job's file is
 * dropped. */
enum rp_err store_import_update(struct store_conn *c, const struct store_import_job *j);
enum rp_err store_import_add_error(struct store_conn *c, const char *job_id, int64_t line,
                                   const char *field, const char *message);

struct store_import_error {
    int64_t line;
    const char *field;
    const char *message;
};

/* A job's row errors in file order, at most max. */
enum rp_err store_import_errors(struct store_conn *c, const char *job_id, size_t max,
                                struct arena *a, struct store_import_error **out, size_t *n);
/* Every running import, and every queued one whose job failed, becomes failed with
 * `why` (their process stopped). */
enum rp_err store_import_recover(struct store_conn *c, const char *now, const char *why);

#endif
