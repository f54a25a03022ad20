#include "core/common.h"

#include <pthread.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "crm/acl.h"
#include "crm/jobs.h"
#include "crm/sales.h"

/* ---- kinds ---- */

static enum rp_err parse_window(struct rec_ctx *ctx, struct rp_str payload, int64_t *days)
{
    *days = SALES_TIER_WINDOW_DAYS;
    if (payload.len && text_parse_i64(payload, days))
        return rec_bad_request(ctx, "accounts.retier takes the window in days as its payload");
    if (*days < 1 || *days > 3660)
        return rec_bad_request(ctx, "window_days must be between 1 and 3660");
    return RP_OK;
}

static enum rp_err run_retier(struct rec_ctx *ctx, struct rp_str payload, const char **result)
{
    int64_t days, changed;
    enum rp_err err = parse_window(ctx, payload, &days);
    if (!err)
        err = sales_retier(ctx, days, &changed);
    if (!err)
        *result = arena_printf(ctx->a, "{\"changed\":%lld,\"window_days\":%lld}",
                               (long long)changed, (long long)days);
    return err;
}

static const struct kind {
    const char *name;
    /* checks a payload at enqueue time */
    enum rp_err (*check)(struct rec_ctx *ctx, struct rp_str payload, int64_t *scratch);
    /* runs as the system (no principal); *result is a short JSON text */
    enum rp_err (*run)(struct rec_ctx *ctx, struct rp_str payload, const char **result);
} KINDS[] = {
    {"accounts.retier", parse_window, run_retier},
};

static const struct kind *find_kind(struct rp_str name)
{
    for (size_t i = 0; i < RP_NELEM(KINDS); i++)
        if (rp_str_eqc(name, KINDS[i].name))
            return &KINDS[i];
    return NULL;
}

/* ---- enqueue and read ---- */

static enum rp_err admin_only(struct rec_ctx *ctx)
{
    if (ctx->who && ctx->who->role != ROLE_ADMIN)
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators manage jobs");
    return RP_OK;
}

enum rp_err jobs_enqueue(struct rec_ctx *ctx, struct rp_str kind, struct rp_str payload,
                         const char **id)
{
    enum rp_err err = admin_only(ctx);
    if (err)
        return err;
    const struct kind *k = find_kind(kind);
    if (!k)
        return rec_bad_request(ctx, "unknown job kind");
    int64_t scratch;
    err = k->check(ctx, payload, &scratch);
    if (err)
        return err;
    char *buf = arena_alloc(ctx->a, RP_ID_LEN + 1);
    err = ids_uuid7(buf);
    char now[32];
    text_format_datetime(text_now_ms(), now, sizeof(now));
    if (!err)
        err = store_job_enqueue(ctx->conn, buf, k->name,
                                arena_strndup(ctx->a, payload.p ? payload.p : "", payload.len),
                                text_now_ms(), now);
    *id = buf;
    return err;
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

enum rp_err jobs_run_one(struct store *s, const char *worker, bool *ran)
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
        struct rec_ctx ctx;
        rec_ctx_init(&ctx, s, c, &a, NULL);
        const struct kind *k = find_kind(rp_str_c(job.kind));
        const char *result = NULL;
        enum rp_err jerr = k ? k->run(&ctx, rp_str_c(job.payload), &result) : RP_EINVAL;
        if (jerr) {
            result = arena_printf(&a, "{\"error\":\"%s\"}", rp_err_name(jerr));
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
    bool stop;
};

static void *runner_main(void *p)
{
    struct jobs_runner *r = p;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        pthread_mutex_unlock(&r->lock);
        bool ran = true;
        enum rp_err err = RP_OK;
        while (ran && !err && !r->stop)
            err = jobs_run_one(r->store, r->worker, &ran);
        if (err)
            LOG(LOG_WARN, "job runner: %s", rp_err_name(err));
        pthread_mutex_lock(&r->lock);
        if (r->stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (r->poll_ms % 1000) * 1000000;
        until.tv_sec += (time_t)(r->poll_ms / 1000 + ns / 1000000000);
        until.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&r->wake, &r->lock, &until);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

enum rp_err jobs_runner_start(struct store *s, int64_t poll_ms, struct jobs_runner **out)
{
    struct jobs_runner *r = calloc(1, sizeof(*r));
    if (!r)
        return RP_ENOMEM;
    r->store = s;
    r->poll_ms = poll_ms;
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
    *out = r;
    return RP_OK;
}

void jobs_runner_stop(struct jobs_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    free(r);
}
