#include "core/common.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/import_jobs.h"
#include "engine/jobs.h"
#include "engine/auth.h"

bool import_jobs_entity_ok(const struct entity_def *e)
{
    return !(e->flags & EF_PLATFORM);
}

static const char *now_text(struct arena *a)
{
    char *b = arena_alloc(a, 32);
    text_format_datetime(text_now_ms(), b, 32);
    return b;
}

/* Parses "column=field" lines into mappings (arena). RP_EINVAL with a field error. */
static enum rp_err parse_mapping(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *text, struct imp_mapping **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; p && *p; p++)
        cap += *p == '\n';
    struct imp_mapping *m = arena_calloc(ctx->a, cap, sizeof(*m));
    *n = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\n");
        /* The last '=': a field name has none, a column's header may ("a=b=field"). */
        const char *eq = NULL;
        for (const char *x = p; x < p + len; x++)
            if (*x == '=')
                eq = x;
        if (!eq || eq == p)
            return rec_field_error(ctx, "map", "takes column=field");
        struct rp_str field = {eq + 1, len - (size_t)(eq - p) - 1};
        if (field.len && !meta_field(e, field) && !rp_str_eqc(field, "full_name"))
            return rec_field_error(ctx, "map", "%s have no field %.*s", rec_labels(ctx, e),
                                   (int)field.len, field.p);
        m[(*n)++] = (struct imp_mapping){{p, (size_t)(eq - p)}, field};
        p += len + (p[len] == '\n');
    }
    *out = m;
    return RP_OK;
}

/* What a request must be to be imported or previewed; its mapping parsed. */
static enum rp_err check_request(struct rec_ctx *ctx, const struct import_jobs_request *r,
                                 struct imp_mapping **m, size_t *nm)
{
    const struct entity_def *e = r->e;
    if (!import_jobs_entity_ok(e))
        return rec_bad_request(ctx, "%s cannot be imported", rec_labels(ctx, e));
    if (acl_scope(ctx->who, e, ACL_IMPORT) == SCOPE_NONE)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not import %s", rec_labels(ctx, e));
    if (!imp_format_ok(e, r->format))
        return rec_bad_request(ctx, "%s do not take vCards: they have no first and last names",
                               rec_labels(ctx, e));
    struct imp_options o = {.e = e, .create_missing = r->create_missing};
    const struct entity_def *nocreate = imp_forbidden_create(ctx, &o);
    if (nocreate)
        return rec_fail(ctx, RP_EFORBIDDEN, "your role may not create %s, which rows naming"
                        " one that does not exist would (create_accounts)",
                        rec_labels(ctx, nocreate));
    if (r->body.len == 0)
        return rec_bad_request(ctx, "the file is empty: send it as the body");
    if (!imp_encoding_ok(r->encoding))
        return rec_field_error(ctx, "encoding", "must be utf-8, gbk or gb18030");
    return parse_mapping(ctx, e, r->mapping, m, nm);
}

enum rp_err import_jobs_preview(struct rec_ctx *ctx, const struct import_jobs_request *r,
                                size_t max_rows, struct imp_preview *out)
{
    struct imp_mapping *m;
    size_t nm;
    enum rp_err err = check_request(ctx, r, &m, &nm);
    if (err)
        return err;
    struct imp_options o = {.e = r->e, .format = r->format, .encoding = r->encoding, .map = m,
                            .nmap = nm, .lang = ctx->lang};
    struct imp_source src = {NULL, r->body.p, r->body.len};
    const char *fatal;
    err = imp_preview(&o, &src, max_rows, ctx->a, out, &fatal);
    return err == RP_EINVAL && fatal ? rec_bad_request(ctx, "%s", fatal) : err;
}

enum rp_err import_jobs_submit(struct rec_ctx *ctx, const struct import_jobs_request *r, const char **id)
{
    const struct entity_def *e = r->e;
    struct imp_mapping *m;
    size_t nm;
    enum rp_err err = check_request(ctx, r, &m, &nm);
    if (err)
        return err;
    char *jid = arena_alloc(ctx->a, RP_ID_LEN + 1);
    err = ids_uuid7(jid);
    if (err)
        return err;
    const char *now = now_text(ctx->a);
    struct store_import_job j = {.id = jid, .user_id = ctx->who->user_id, .entity = e->name,
                                 .on_duplicate = imp_dup_name(r->on_dup),
                                 .format = imp_format_name(r->format),
                                 .create_missing = r->create_missing,
                                 .encoding = r->encoding, .mapping = r->mapping,
                                 .status = "queued", .created_at = now, .updated_at = now,
                                 .dry_run = r->dry_run};
    err = rec_tx_begin(ctx);
    if (!err) {
        err = store_import_create(ctx->conn, &j, r->body.p, r->body.len);
        if (!err)
            err = jobs_queue(ctx, "import", jid);
        err = rec_tx_end(ctx, err);
    }
    if (err)
        return err;
    jobs_kick();
    *id = jid;
    return RP_OK;
}

enum rp_err import_jobs_get(struct rec_ctx *ctx, struct rp_str id, struct store_import_job *job,
                        struct store_import_error **errors, size_t *nerrors)
{
    if (!ids_valid(id))
        return RP_ENOTFOUND;
    const char *sid = arena_strndup(ctx->a, id.p, id.len);
    enum rp_err err = store_import_get(ctx->conn, sid, ctx->a, job);
    if (!err && !rec_admin(ctx) &&
        strcmp(job->user_id, ctx->who->user_id) != 0)
        err = RP_ENOTFOUND; /* someone else's job does not exist for you */
    if (!err)
        err = store_import_errors(ctx->conn, sid, IMPORT_JOBS_MAX_ERRORS, ctx->a, errors, nerrors);
    return err;
}

/* ---- running a job ---- */

struct run {
    struct store_conn *conn;
    struct store_import_job *job;
    const atomic_bool *stop;
    struct arena a;
};

static enum rp_err save_job(struct store_conn *c, struct store_import_job *j,
                            const struct imp_result *res)
{
    struct arena a;
    arena_init(&a);
    j->updated_at = now_text(&a);
    enum rp_err err = store_begin(c, true);
    if (!err) {
        err = store_import_update(c, j);
        for (size_t i = 0; res && i < res->nerrors && !err; i++)
            err = store_import_add_error(c, j->id, res->errors[i].line, res->errors[i].field,
                                         res->errors[i].message);
        if (err)
            store_rollback(c);
        else
            err = store_commit(c);
    }
    arena_release(&a);
    return err;
}

static void copy_counts(struct store_import_job *j, const struct imp_result *r)
{
    j->rows_total = r->rows_total;
    j->rows_done = r->rows_done;
    j->rows_imported = r->rows_imported;
    j->rows_updated = r->rows_updated;
    j->rows_skipped = r->rows_skipped;
    j->rows_failed = r->rows_failed;
    j->refs_created = r->refs_created;
}

static void on_progress(void *cls, const struct imp_result *r)
{
    struct run *run = cls;
    copy_counts(run->job, r);
    if (save_job(run->conn, run->job, NULL))
        LOG(LOG_WARN, "import %s: could not record progress", run->job->id);
}

static bool should_stop(void *cls)
{
    const struct run *run = cls;
    return atomic_load(run->stop);
}

enum rp_err import_jobs_run(struct rec_ctx *sys, struct rp_str payload, const atomic_bool *stop,
                        const char **result)
{
    struct store_conn *c = sys->conn;
    struct run run = {.conn = c, .stop = stop};
    arena_init(&run.a);
    struct store_import_job job;
    const char *body;
    size_t len;
    const char *id = arena_strndup(&run.a, payload.p, payload.len);
    enum rp_err err = store_import_start(c, id, now_text(&run.a), &run.a, &job, &body, &len);
    if (err) {
        arena_release(&run.a);
        return err;
    }
    run.job = &job;
    LOG(LOG_INFO, "import %s: started (%s)", job.id, job.entity);
    struct rec_ctx ctx;
    struct principal who;
    rec_ctx_init(&ctx, sys->store, c, &run.a, NULL);
    struct imp_options o = {.e = meta_entity(rp_str_c(job.entity)), .dry_run = job.dry_run,
                            .create_missing = job.create_missing,
                            .encoding = job.encoding, .progress = on_progress,
                            .stop = should_stop, .cls = &run};
    struct imp_mapping *map = NULL;
    struct imp_result res;
    memset(&res, 0, sizeof(res));
    /* The job's outcome and its rows' errors are written in the language of the user
     * who posted it (their locale), as they read them later. */
    bool active = auth_user(&ctx, job.user_id, &who) == RP_OK;
    if (active)
        ctx.lang = o.lang = meta_locale_zh(who.locale) ? RP_LANG_ZH : RP_LANG_EN;
    if (!o.e || !imp_dup_parse(rp_str_c(job.on_duplicate), &o.on_dup) ||
        !imp_format_parse(rp_str_c(job.format), &o.format) ||
        parse_mapping(&ctx, o.e, job.mapping, &map, &o.nmap)) {
        job.error = msg_tr(ctx.lang, "the job's options are not valid any more");
    } else if (!active) {
        job.error = msg_tr(ctx.lang, "the user who posted the import is no longer active");
    } else {
        o.map = map;
        ctx.who = &who;
        struct imp_source src = {NULL, body, len};
        err = imp_run(&ctx, &o, &src, &run.a, &res);
        copy_counts(&job, &res);
        if ((err == RP_EINVAL || err == RP_EFORBIDDEN) && res.fatal)
            job.error = rec_msgf(&ctx, "%s; nothing was imported", res.fatal);
        else if (err == RP_EBUSY)
            job.error = msg_tr(ctx.lang, "the server stopped during the import; the batches"
                                         " committed before stay (run it again with"
                                         " on_duplicate=skip)");
        else if (err)
            job.error = rec_msgf(&ctx,
                                 "the database failed (%s); the batch in progress was"
                                 " rolled back",
                                 rp_err_name(err));
    }
    job.status = job.error ? "failed" : "done";
    err = save_job(c, &job, &res);
    LOG(LOG_INFO, "import %s: %s", job.id, job.status);
    *result = arena_printf(sys->a, "{\"import\":\"%s\",\"status\":\"%s\"}", job.id,
                           job.status);
    arena_release(&run.a);
    return err;
}

enum rp_err import_jobs_abandon(struct store_conn *c)
{
    struct arena a;
    arena_init(&a);
    enum rp_err err = store_import_recover(c, now_text(&a),
                                           "the server stopped during the import; the batches"
                                           " committed before stay (run it again with"
                                           " on_duplicate=skip)");
    arena_release(&a);
    return err;
}
