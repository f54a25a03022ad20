/* The durable job queue (table `jobs`): work done in the background by the servers,
 * each job claimed by exactly one of them. Generic: a job is a kind, an opaque text
 * payload and a due time; crm/jobs.c runs the kinds.
 *
 * States: queued → running (claimed: attempts + 1, claimed_by, claimed_at) → done or
 * failed (finished_at, result). A claim is one statement that takes the oldest due
 * job; on PostgreSQL its row lock is taken FOR UPDATE SKIP LOCKED, so claimers on
 * several servers never wait for nor take the same job; on SQLite the one writer path
 * orders them. */
#ifndef RP_STORE_JOBS_H
#define RP_STORE_JOBS_H

#include "core/arena.h"
#include "store/db.h"

struct store_job {
    const char *id;
    const char *kind;
    const char *payload;
    const char *state;       /* queued, running, done, failed */
    int64_t attempts;
    int64_t run_at;          /* ms since the epoch */
    const char *claimed_by;  /* NULL until claimed */
    int64_t finished_at;     /* 0 until finished */
    const char *result;      /* NULL until finished */
    const char *created_at;
};

enum rp_err store_job_enqueue(struct store_conn *c, const char *id, const char *kind,
                              const char *payload, int64_t run_at_ms, const char *now);
/* Claims the oldest queued job due at now_ms for worker; *found false when none. */
enum rp_err store_job_claim(struct store_conn *c, const char *worker, int64_t now_ms,
                            struct arena *a, struct store_job *out, bool *found);
/* Records the outcome of a job this worker claimed. RP_ENOTFOUND when it is not
 * running under this worker. */
enum rp_err store_job_finish(struct store_conn *c, const char *id, const char *worker, bool ok,
                             const char *result, int64_t now_ms);
/* Every running job becomes failed with result: for a restart when the jobs' runner
 * cannot still be alive (one process per SQLite database). *n is how many. */
enum rp_err store_job_abandon(struct store_conn *c, const char *result, int64_t now_ms,
                              int64_t *n);
/* RP_ENOTFOUND when absent. */
enum rp_err store_job_get(struct store_conn *c, const char *id, struct arena *a,
                          struct store_job *out);

/* ---- schedules (table `schedules`): tasks run once per period across the servers ---- */

/* Claims task `name` for worker when it is due at now_ms (a task never seen is due at
 * first_ms), and sets its next time to next_ms; *claimed false when another server ran
 * it this turn. One statement in its own write transaction: the servers' claims are
 * ordered by the database, and only one of them gets each turn. */
enum rp_err store_schedule_claim(struct store_conn *c, const char *name, int64_t now_ms,
                                 int64_t first_ms, int64_t next_ms, const char *worker,
                                 bool *claimed);
/* Makes task `name` due now, in the caller's write transaction (a change that the task
 * must see soon: a won deal for the tiers). A task already due is left alone, so busy
 * writers do not queue on its row. */
enum rp_err store_schedule_soon(struct store_conn *c, const char *name);

#endif
