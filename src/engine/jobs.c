#include "core/common.h"

#include <pthread.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/custom.h"
#include "engine/import_jobs.h"
#include "engine/jobs.h"
#include "engine/module.h"

/* ---- kinds ---- */

/* The engine's own kinds, then every module's. */
static const struct rp_job_kind ENGINE_KINDS[] = {
    {"import", NULL, import_jobs_run, import_jobs_abandon},
    {"search.reindex", NULL, custom_reindex_run, NULL},
};

/* The engine's own scheduled tasks, then every module's. */
static const struct rp_schedule ENGINE_SCHEDULES[] = {
    /* The columns of removed custom fields, at 03:00 UTC (a quiet hour). */
    {.name = "fields.drop", .at_minute = 3 * 60, .run = custom_drop_due},
};

static const struct rp_job_kind *find_kind(struct rp_str name)
{
    for (size_t i = 0; i < RP_NELEM(ENGINE_KINDS); i++)
        if (rp_str_eqc(name, ENGINE_KINDS[i].name))
            return &ENGINE_KINDS[i];
    return mod_job_kind(name);
}

/* ---- enqueue and read ---- */

static enum rp_err admin_only(struct rec_ctx *ctx)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators manage jobs");
    return RP_OK;
}

static enum rp_err enqueue(struct rec_ctx *ctx, const char *kind, const char *payload,
                           int64_t run_at_ms, const char **id)
{
    char *buf = arena_alloc(ctx->a, RP_ID_LEN + 1);
    enum rp_err err = ids_uuid7(buf);
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    if (!err)
        err = store_job_enqueue(ctx->conn, buf, kind, payload, run_at_ms, now);
    if (!err && ctx->tx_depth > 0)
        ctx->jobs_queued = true; /* rec_tx_end wakes the runner after the commit */
    else if (!err)
        jobs_kick();
    *id = buf;
    return err;
}

enum rp_err jobs_enqueue(struct rec_ctx *ctx, struct rp_str kind, struct rp_str payload,
                         const char **id)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    const struct rp_job_kind *k = find_kind(kind);
    if (!k || !k->check)
        return rec_bad_request(ctx, "unknown job kind");
    err = k->check(ctx, payload);
    if (err)
        return err;
    return enqueue(ctx, k->name, arena_strndup(ctx->a, payload.p ? payload.p : "", payload.len),
                   text_now_ms(), id);
}

enum rp_err jobs_queue(struct rec_ctx *ctx, const char *kind, const char *payload)
{
    return jobs_queue_at(ctx, kind, payload, text_now_ms());
}

enum rp_err jobs_queue_at(struct rec_ctx *ctx, const char *kind, const char *payload,
                          int64_t run_at_ms)
{
    RP_ASSERT(find_kind(rp_str_c(kind)));
    const char *id;
    return enqueue(ctx, kind, payload, run_at_ms, &id);
}

enum rp_err jobs_get(struct rec_ctx *ctx, struct rp_str id, struct store_job *out)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    return store_job_get(ctx->conn, arena_strndup(ctx->a, id.p, id.len), ctx->a, out);
}

/* ---- running ---- */

/* {"error":"<name>"}, a failed job's result. */
static const char *error_text(struct arena *a, const char *name)
{
    struct rp_buf b;
    buf_init(&b, 256);
    enum rp_err err = buf_adds(&b, "{\"error\":");
    if (!err)
        err = json_add_string(&b, name, strlen(name));
    if (!err)
        err = buf_addc(&b, '}');
    const char *out = err ? NULL : arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    return out;
}

enum rp_err jobs_run_one(struct store *s, const char *worker, const atomic_bool *stop,
                         bool *ran)
{
    struct store_conn *c;
    struct arena a;
    arena_init(&a);
    struct store_job job;
    *ran = false;
    enum rp_err err = store_conn_get(s, &c);
    if (!err)
        err = store_job_claim(c, worker, text_now_ms(), &a, &job, ran);
    if (!err && *ran) {
        /* The metadata another server changed (a custom field) before the job runs. */
        enum rp_err merr = custom_refresh(s, c, false);
        if (merr)
            LOG(LOG_WARN, "job %s: could not reload the metadata (%s)", job.id,
                rp_err_name(merr));
        struct rec_ctx ctx;
        rec_ctx_system(&ctx, s, c, &a, job.kind);
        const struct rp_job_kind *k = find_kind(rp_str_c(job.kind));
        const char *result = NULL;
        enum rp_err jerr = k ? k->run(&ctx, rp_str_c(job.payload), stop, &result) : RP_EINVAL;
        if (jerr) {
            result = error_text(&a, rp_err_name(jerr));
            LOG(LOG_WARN, "job %s (%s) failed: %s%s%s", job.id, job.kind, rp_err_name(jerr),
                ctx.detail ? ": " : "", ctx.detail ? ctx.detail : "");
        }
        err = store_job_finish(c, job.id, worker, !jerr, result, text_now_ms());
    }
    arena_release(&a);
    return err;
}

struct jobs_runner {
    struct store *store;
    int64_t poll_ms;
    char worker[96];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool kick;        /* under lock: look for jobs now */
    atomic_bool stop; /* read by running jobs too */
};

/* The runner of this process, for jobs_kick. */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jobs_runner *current;

void jobs_kick(void)
{
    pthread_mutex_lock(&current_lock);
    if (current) {
        pthread_mutex_lock(&current->lock);
        current->kick = true;
        pthread_cond_signal(&current->wake);
        pthread_mutex_unlock(&current->lock);
    }
    pthread_mutex_unlock(&current_lock);
}

static void *runner_main(void *p)
{
    struct jobs_runner *r = p;
    while (!atomic_load(&r->stop)) {
        bool ran = true;
        enum rp_err err = RP_OK;
        while (ran && !err && !atomic_load(&r->stop))
            err = jobs_run_one(r->store, r->worker, &r->stop, &ran);
        if (err)
            LOG(LOG_WARN, "job runner: %s", rp_err_name(err));
        pthread_mutex_lock(&r->lock);
        if (!r->kick && !atomic_load(&r->stop)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            int64_t ns = until.tv_nsec + (r->poll_ms % 1000) * 1000000;
            until.tv_sec += (time_t)(r->poll_ms / 1000 + ns / 1000000000);
            until.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&r->wake, &r->lock, &until);
        }
        r->kick = false;
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* On SQLite one process owns the database, so a job still running at start was cut
 * off when the last one stopped: it is failed, with its kind's own records. On
 * PostgreSQL another server may be running it. */
static enum rp_err abandon_orphans(struct store *s)
{
    if (strcmp(store_backend(s), "sqlite") != 0)
        return RP_OK;
    struct store_conn *c;
    int64_t n = 0;
    enum rp_err err = store_conn_get(s, &c);
    if (!err)
        err = store_job_abandon(c, "{\"error\":\"the server stopped while the job ran\"}",
                                text_now_ms(), &n);
    for (size_t i = 0; i < RP_NELEM(ENGINE_KINDS) && !err && n; i++)
        if (ENGINE_KINDS[i].abandon)
            err = ENGINE_KINDS[i].abandon(c);
    for (size_t m = 0; m < rp_nmodules && !err && n; m++)
        for (size_t i = 0; i < rp_modules[m]->njobs && !err; i++)
            if (rp_modules[m]->jobs[i].abandon)
                err = rp_modules[m]->jobs[i].abandon(c);
    if (!err && n)
        LOG(LOG_WARN, "%lld job(s) cut off by the last stop were marked failed", (long long)n);
    return err;
}

enum rp_err jobs_runner_start(struct store *s, int64_t poll_ms, struct jobs_runner **out)
{
    enum rp_err err = abandon_orphans(s);
    if (err)
        return err;
    struct jobs_runner *r = calloc(1, sizeof(*r));
    if (!r)
        return RP_ENOMEM;
    r->store = s;
    r->poll_ms = poll_ms;
    atomic_init(&r->stop, false);
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(r->worker, sizeof(r->worker), "%s:%ld", host, (long)getpid());
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->wake);
        free(r);
        return RP_ENOMEM;
    }
    pthread_mutex_lock(&current_lock);
    current = r;
    pthread_mutex_unlock(&current_lock);
    *out = r;
    return RP_OK;
}

void jobs_runner_stop(struct jobs_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&current_lock);
    if (current == r)
        current = NULL;
    pthread_mutex_unlock(&current_lock);
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stop, true);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    free(r);
}

/* ---- schedules ---- */

/* The next time of a task after now: now + its period, or its time of day tomorrow
 * or today, whichever comes first after now. */
int64_t jobs_schedule_next(const struct rp_schedule *task, int64_t now_ms)
{
    if (task->every_s)
        return now_ms + (int64_t)task->every_s * 1000;
    int64_t day = 86400000, at = (int64_t)(task->at_minute % 1440) * 60000;
    int64_t today = now_ms - now_ms % day + at;
    return today > now_ms ? today : today + day;
}

/* Runs task when it is due and this worker claims it. A periodic task is due at once
 * on a database that never ran it, a daily one at its time. */
static enum rp_err run_schedule(struct store *s, struct store_conn *c, const char *worker,
                                const struct rp_schedule *task)
{
    bool claimed;
    int64_t now = text_now_ms(), next = jobs_schedule_next(task, now);
    enum rp_err err = store_schedule_claim(c, task->name, now, task->every_s ? 0 : next, next,
                                           worker, &claimed);
    if (err || !claimed)
        return err;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, s, c, &a, task->name);
    enum rp_err terr = task->run(&ctx);
    if (terr)
        LOG(LOG_WARN, "scheduled task %s failed: %s%s%s", task->name, rp_err_name(terr),
            ctx.detail ? ": " : "", ctx.detail ? ctx.detail : "");
    arena_release(&a);
    return RP_OK;
}

enum rp_err jobs_run_schedules(struct store *s, const char *worker)
{
    struct store_conn *c;
    enum rp_err err = store_conn_get(s, &c);
    if (!err)
        err = custom_refresh(s, c, false);
    for (size_t k = 0; k < RP_NELEM(ENGINE_SCHEDULES) && !err; k++)
        err = run_schedule(s, c, worker, &ENGINE_SCHEDULES[k]);
    for (size_t m = 0; m < rp_nmodules && !err; m++)
        for (size_t k = 0; k < rp_modules[m]->nschedules && !err; k++)
            err = run_schedule(s, c, worker, &rp_modules[m]->schedules[k]);
    return err;
}

enum rp_err jobs_schedule_soon(struct rec_ctx *ctx, const char *name)
{
    return store_schedule_soon(ctx->conn, name);
}
