#include "core/common.h"

#include "core/text.h"
#include "store/import_jobs.h"
#include "store/store_int.h"

#define JOB_COLS                                                                           \
    "id, user_id, entity, on_duplicate, encoding, mapping, status, error, created_at,"     \
    " updated_at, dry_run, rows_total, rows_done, rows_imported, rows_updated,"            \
    " rows_skipped, rows_failed, format, create_missing, refs_created"

static void read_job(struct store_stmt *st, struct arena *a, struct store_import_job *j)
{
    const char **s[] = {&j->id,     &j->user_id, &j->entity,     &j->on_duplicate, &j->encoding,
                        &j->mapping, &j->status,  &j->error,      &j->created_at,   &j->updated_at};
    for (size_t i = 0; i < RP_NELEM(s); i++)
        *s[i] = store__col_dup(st, (int)i, a);
    j->dry_run = store_col_int(st, 10) != 0;
    int64_t *n[] = {&j->rows_total,    &j->rows_done,    &j->rows_imported,
                    &j->rows_updated,  &j->rows_skipped, &j->rows_failed};
    for (size_t i = 0; i < RP_NELEM(n); i++)
        *n[i] = store_col_int(st, 11 + (int)i);
    j->format = store__col_dup(st, 17, a);
    j->create_missing = store_col_int(st, 18) != 0;
    j->refs_created = store_col_int(st, 19);
}

enum rp_err store_import_create(struct store_conn *c, const struct store_import_job *j,
                                const char *body, size_t len)
{
    char *hex = malloc(2 * len + 1);
    if (!hex)
        return RP_ENOMEM;
    text_hex((const unsigned char *)body, len, hex);
    struct store_val v[] = {store_cstr(j->id),       store_cstr(j->user_id),
                            store_cstr(j->entity),   store_cstr(j->on_duplicate),
                            store_cstr(j->encoding), store_cstr(j->mapping),
                            store_cstr(j->status),   store_cstr(j->created_at),
                            store_cstr(j->updated_at), store_int(j->dry_run),
                            store_cstr(j->format),   store_int(j->create_missing),
                            store_text(hex, 2 * len)};
    enum rp_err err = store_exec(c,
                                 "INSERT INTO import_jobs(id, user_id, entity, on_duplicate,"
                                 " encoding, mapping, status, created_at, updated_at, dry_run,"
                                 " format, create_missing, body)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 v, RP_NELEM(v));
    free(hex);
    return err;
}

enum rp_err store_import_get(struct store_conn *c, const char *id, struct arena *a,
                             struct store_import_job *out)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(id);
    enum rp_err err =
        store__first_row(c, "SELECT " JOB_COLS " FROM import_jobs WHERE id = ?", &v, 1, &st);
    if (err)
        return err;
    read_job(st, a, out);
    store_done(st);
    return RP_OK;
}

enum rp_err store_import_start(struct store_conn *c, const char *id, const char *now,
                               struct arena *a, struct store_import_job *out,
                               const char **body, size_t *len)
{
    struct store_val v[] = {store_cstr(now), store_cstr(id)};
    enum rp_err err = store_exec(c,
                                 "UPDATE import_jobs SET status = 'running', updated_at = ?"
                                 " WHERE id = ? AND status = 'queued'",
                                 v, RP_NELEM(v));
    if (!err && store_changes(c) != 1)
        err = RP_ENOTFOUND;
    struct store_stmt *st;
    struct store_val key = store_cstr(id);
    if (!err)
        err = store__first_row(c, "SELECT " JOB_COLS ", body FROM import_jobs WHERE id = ?", &key,
                               1, &st);
    if (err)
        return err;
    read_job(st, a, out);
    size_t n;
    const char *hex = store_col_text(st, 20, &n);
    char *raw = arena_alloc(a, n / 2 + 1);
    if (!hex || n % 2 || text_unhex(hex, n, (unsigned char *)raw))
        err = RP_EDB;
    raw[n / 2] = '\0';
    *body = raw;
    *len = n / 2;
    store_done(st);
    return err;
}

enum rp_err store_import_update(struct store_conn *c, const struct store_import_job *j)
{
    bool finished = strcmp(j->status, "done") == 0 || strcmp(j->status, "failed") == 0;
    struct store_val v[] = {store_cstr(j->status),        store_cstr(j->error),
                            store_cstr(j->updated_at),    store_int(j->rows_total),
                            store_int(j->rows_done),      store_int(j->rows_imported),
                            store_int(j->rows_updated),   store_int(j->rows_skipped),
                            store_int(j->rows_failed),    store_int(j->refs_created),
                            store_int(finished),          store_cstr(j->id)};
    return store_exec(c,
                      "UPDATE import_jobs SET status = ?, error = ?, updated_at = ?,"
                      " rows_total = ?, rows_done = ?, rows_imported = ?, rows_updated = ?,"
                      " rows_skipped = ?, rows_failed = ?, refs_created = ?,"
                      " body = CASE WHEN ? THEN NULL ELSE body END WHERE id = ?",
                      v, RP_NELEM(v));
}

enum rp_err store_import_add_error(struct store_conn *c, const char *job_id, int64_t line,
                                   const char *field, const char *message)
{
    struct store_val v[] = {store_cstr(job_id), store_int(line), store_cstr(field),
                            store_cstr(message)};
    return store_exec(c,
                      "INSERT INTO import_errors(job_id, line, field, message)"
                      " VALUES (?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_import_errors(struct store_conn *c, const char *job_id, size_t max,
                                struct arena *a, struct store_import_error **out, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c,
                                    "SELECT line, field, message FROM import_errors"
                                    " WHERE job_id = ? ORDER BY seq LIMIT ?",
                                    &st);
    if (err)
        return err;
    store_bind(st, 1, store_cstr(job_id));
    store_bind(st, 2, store_int((int64_t)max));
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof(**out));
    *n = 0;
    bool row;
    while (!(err = store_step(st, &row)) && row) {
        if (*n == cap)
            *out = arena_grow(a, *out, &cap, sizeof(**out));
        (*out)[(*n)++] = (struct store_import_error){
            store_col_int(st, 0), store__col_dup(st, 1, a), store__col_dup(st, 2, a)};
    }
    store_done(st);
    return err;
}

enum rp_err store_import_recover(struct store_conn *c, const char *now, const char *why)
{
    struct store_val v[] = {store_cstr(why), store_cstr(now)};
    return store_exec(c,
                      "UPDATE import_jobs SET status = 'failed', error = ?, updated_at = ?,"
                      " body = NULL WHERE status = 'running' OR (status = 'queued' AND id IN"
                      " (SELECT payload FROM jobs WHERE kind = 'import' AND state = 'failed'))",
                      v, RP_NELEM(v));
}
