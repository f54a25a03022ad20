/* Background jobs: the kinds a server knows how to run, enqueueing and reading them
 * (administrators), and the runner thread every `rapport serve` starts. The queue is
 * store/jobs.h: with several servers on one database each job runs on exactly one. */
#ifndef RP_ENGINE_JOBS_H
#define RP_ENGINE_JOBS_H

#include <stdatomic.h>

#include "engine/rec.h"
#include "store/jobs.h"

struct jobs_runner;

/* Queues a job of a known kind to run now: the engine's own, or a module's
 * (struct rp_job_kind) that takes POST /jobs. Administrators only. *id is
 * arena-allocated. */
enum rp_err jobs_enqueue(struct rec_ctx *ctx, struct rp_str kind, struct rp_str payload,
                         const char **id);
/* Queues a job of a kind that other modules create (not through POST /jobs), in the
 * caller's transaction; jobs_kick after the commit wakes the runner. */
enum rp_err jobs_queue(struct rec_ctx *ctx, const char *kind, const char *payload);
/* The same, to run at run_at_ms (ms since the epoch) or later: a retry after a delay. */
enum rp_err jobs_queue_at(struct rec_ctx *ctx, const char *kind, const char *payload,
                          int64_t run_at_ms);
/* Wakes this process's runner to look for due jobs now. */
void jobs_kick(void);
/* A job by id. Administrators only; RP_ENOTFOUND when absent. */
enum rp_err jobs_get(struct rec_ctx *ctx, struct rp_str id, struct store_job *out);
/* Claims and runs one due job as worker; *ran is false when none was due. A long job
 * returns early (failed) once *stop is set. */
enum rp_err jobs_run_one(struct store *s, const char *worker, const atomic_bool *stop,
                         bool *ran);

/* Runs every module's scheduled tasks that are due and that this server claims first
 * (engine/module.h, struct rp_schedule), each in a system context; worker names this
 * server. A failed task is logged; the error returned is the store's. */
enum rp_err jobs_run_schedules(struct store *s, const char *worker);
/* When a task runs next after now_ms (every_s, or daily at at_minute). */
struct rp_schedule;
int64_t jobs_schedule_next(const struct rp_schedule *task, int64_t now_ms);
/* Makes the scheduled task `name` due now, in the caller's write transaction. */
enum rp_err jobs_schedule_soon(struct rec_ctx *ctx, const char *name);

/* Starts the thread that runs due jobs, looking for them every poll_ms. On SQLite (one
 * process per database) jobs left running by a stopped process are marked failed
 * first. */
enum rp_err jobs_runner_start(struct store *s, int64_t poll_ms, struct jobs_runner **out);
/* Stops it: the job in progress is asked to stop and waited for; NULL is harmless. */
void jobs_runner_stop(struct jobs_runner *r);

#endif
