/* Background jobs: the kinds a server knows how to run, enqueueing and reading them
 * (administrators), and the runner thread every `rapport serve` starts. The queue is
 * store/jobs.h: with several servers on one database each job runs on exactly one. */
#ifndef RP_CRM_JOBS_H
#define RP_CRM_JOBS_H

#include "crm/rec.h"
#include "store/jobs.h"

struct jobs_runner;

/* Queues a job of a known kind to run now. Kinds: "accounts.retier" (payload: the
 * window in days, "" for the default). Administrators only. *id is arena-allocated. */
enum rp_err jobs_enqueue(struct rec_ctx *ctx, struct rp_str kind, struct rp_str payload,
                         const char **id);
/* A job by id. Administrators only; RP_ENOTFOUND when absent. */
enum rp_err jobs_get(struct rec_ctx *ctx, struct rp_str id, struct store_job *out);
/* Claims and runs one due job as worker; *ran is false when none was due. */
enum rp_err jobs_run_one(struct store *s, const char *worker, bool *ran);

/* Starts the thread that runs due jobs, looking for them every poll_ms. */
enum rp_err jobs_runner_start(struct store *s, int64_t poll_ms, struct jobs_runner **out);
/* Stops it after the job in progress; NULL is harmless. */
void jobs_runner_stop(struct jobs_runner *r);

#endif
