/* The job queue's SQL, portable but for the claim's row-lock clause (store_int.h). */
#include "core/common.h"

#include <stdio.h>

#include "store/jobs.h"
#include "store/store_int.h"

#define JOB_COLS                                                                           \
    "id, kind, payload, state, attempts, run_at, claimed_by, finished_at, result, created_at"

static void read_job(struct store_stmt *st, struct arena *a, struct store_job *out)
{
    *out = (struct store_job){store__col_dup(st, 0, a),      store__col_dup(st, 1, a),
                              store__col_dup(st, 2, a),      store__col_dup(st, 3, a),
                              store_col_int(st, 4),   store_col_int(st, 5),
                              store__col_dup(st, 6, a),      store_col_int(st, 7),
                              store__col_dup(st, 8, a),      store__col_dup(st, 9, a)};
}

enum rp_err store_job_enqueue(struct store_conn *c, const char *id, const char *kind,
                              const char *payload, int64_t run_at_ms, const char *now)
{
    struct store_val v[] = {store_cstr(id), store_cstr(kind), store_cstr(payload),
                            store_int(run_at_ms), store_cstr(now)};
    return store_exec(c,
                      "INSERT INTO jobs(id, kind, payload, state, run_at, created_at)"
                      " VALUES (?, ?, ?, 'queued', ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_job_claim(struct store_conn *c, const char *worker, int64_t now_ms,
                            struct arena *a, struct store_job *out, bool *found)
{
    /* The outer state test matters where the inner lock is not taken (or a claimer
     * waited): a job another worker took in the meantime is not taken again. */
    char sql[512];
    snprintf(sql, sizeof(sql),
             "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_by = ?,"
             " claimed_at = ? WHERE state = 'queued' AND seq = (SELECT seq FROM jobs"
             " WHERE state = 'queued' AND run_at <= ? ORDER BY run_at, seq LIMIT 1%s)"
             " RETURNING " JOB_COLS,
             store__skip_locked(c->store));
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    struct store_val v[] = {store_cstr(worker), store_int(now_ms), store_int(now_ms)};
    *found = false;
    err = store_bind_all(st, v, RP_NELEM(v));
    if (!err)
        err = store_step(st, found);
    if (!err && *found) {
        read_job(st, a, out);
        bool more;
        err = store_step(st, &more); /* runs the statement to its end */
    }
    store_done(st);
    return err;
}

enum rp_err store_job_finish(struct store_conn *c, const char *id, const char *worker, bool ok,
                             const char *result, int64_t now_ms)
{
    struct store_val v[] = {store_cstr(ok ? "done" : "failed"), store_int(now_ms),
                            store_cstr(result), store_cstr(id), store_cstr(worker)};
    enum rp_err err = store_exec(c,
                                 "UPDATE jobs SET state = ?, finished_at = ?, result = ?"
                                 " WHERE id = ? AND claimed_by = ? AND state = 'running'",
                                 v, RP_NELEM(v));
    if (!err && store_changes(c) != 1)
        err = RP_ENOTFOUND;
    return err;
}

enum rp_err store_job_abandon(struct store_conn *c, const char *result, int64_t now_ms,
                              int64_t *n)
{
    struct store_val v[] = {store_int(now_ms), store_cstr(result)};
    enum rp_err err = store_exec(c,
                                 "UPDATE jobs SET state = 'failed', finished_at = ?, result = ?"
                                 " WHERE state = 'running'",
                                 v, RP_NELEM(v));
    *n = err ? 0 : store_changes(c);
    return err;
}

enum rp_err store_job_get(struct store_conn *c, const char *id, struct arena *a,
                          struct store_job *out)
{
    struct store_stmt *st;
    struct store_val v = store_cstr(id);
    enum rp_err err = store__first_row(c, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", &v, 1, &st);
    if (err)
        return err;
    read_job(st, a, out);
    store_done(st);
    return RP_OK;
}

enum rp_err store_schedule_claim(struct store_conn *c, const char *name, int64_t now_ms,
                                 int64_t first_ms, int64_t next_ms, const char *worker,
                                 bool *claimed)
{
    *claimed = false;
    enum rp_err err = store_begin(c, true);
    if (err)
        return err;
    struct store_val ins[] = {store_cstr(name), store_int(first_ms)};
    err = store_exec(c,
                     "INSERT INTO schedules(name, next_at) VALUES (?, ?)"
                     " ON CONFLICT (name) DO NOTHING",
                     ins, RP_NELEM(ins));
    struct store_val v[] = {store_int(next_ms), store_cstr(worker), store_int(now_ms),
                            store_cstr(name), store_int(now_ms)};
    if (!err)
        err = store_exec(c,
                         "UPDATE schedules SET next_at = ?, last_by = ?, last_at = ?"
                         " WHERE name = ? AND next_at <= ?",
                         v, RP_NELEM(v));
    if (!err)
        *claimed = store_changes(c) == 1;
    if (err) {
        store_rollback(c);
        return err;
    }
    return store_commit(c);
}

enum rp_err store_schedule_soon(struct store_conn *c, const char *name)
{
    struct store_val v[] = {store_cstr(name)};
    return store_exec(c, "UPDATE schedules SET next_at = 0 WHERE name = ? AND next_at <> 0", v, RP_NELEM(v));
}
