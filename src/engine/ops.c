#include "core/common.h"

#include <unistd.h>

#include "core/text.h"
#include "engine/custom.h"
#include "engine/jobs.h"
#include "engine/meta.h"
#include "engine/module.h"
#include "engine/ops.h"
#include "engine/phones.h"
#include "store/platform.h"

enum rp_err ops_open(const char *url, bool interactive, struct store **out)
{
    struct store *s = NULL;
    struct store_conn *c;
    enum rp_err err = store_open(url, &s);
    if (!err)
        err = store_conn_get(s, &c);
    /* The modules' tables (the roles among them), what an administrator added to them,
     * its tables, the seed data (the built-in roles), and the metadata with them. */
    if (!err)
        err = rec_sync_schema(c);
    if (!err)
        err = custom_refresh(s, c, true);
    if (!err)
        err = rec_sync_schema(c);
    if (!err)
        err = mod_bootstrap(s, interactive);
    if (!err)
        err = custom_refresh(s, c, true);
    /* The phone keys of a database from before them, or made in another country. */
    if (!err)
        err = phones_sync(s);
    if (err) {
        store_close(s);
        return err;
    }
    *out = s;
    return RP_OK;
}

enum rp_err ops_maintain(struct store *s)
{
    char worker[96], host[64] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(worker, sizeof(worker), "%s:%ld", host, (long)getpid());
    return jobs_run_schedules(s, worker);
}

enum rp_err ops_migrate(const char *from_url, const char *to_url,
                        void (*report)(void *arg, const struct store_copy_result *r), void *arg,
                        bool *mismatch)
{
    struct store *src = NULL, *dst = NULL;
    struct store_conn *sc = NULL, *dc = NULL;
    *mismatch = false;
    /* The source is opened as serve would (migrations, tables); the destination gets
     * the tables only: no first admin or default stages, they come from the source. */
    enum rp_err err = ops_open(from_url, true, &src);
    if (!err)
        err = store_open(to_url, &dst);
    if (!err)
        err = store_conn_get(src, &sc);
    if (!err)
        err = store_conn_get(dst, &dc);
    if (!err)
        err = rec_sync_schema(dc);
    int64_t n = 0;
    for (size_t k = 0; k < meta_entity_count() && !err && n == 0; k++)
        err = store_count_rows(dc, meta_entity_at(k)->name, &n);
    if (!err && n > 0)
        err = RP_ECONFLICT;
    /* One snapshot of the source for the whole copy. */
    bool snapshot = !err && !(err = store_begin(sc, false));
    struct store_copy_result res[2];
    for (size_t i = 0; i < store_copy_platform_count() && !err; i++) {
        err = store_copy_platform(sc, dc, i, &res[0]);
        if (!err) {
            report(arg, &res[0]);
            *mismatch = *mismatch || !res[0].verified;
        }
    }
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        struct rec_table t;
        size_t nres = 0;
        rec_store_table(meta_entity_at(k), &t);
        err = store_copy_record_table(sc, dc, &t.t, res, &nres);
        for (size_t i = 0; i < nres && !err; i++) {
            report(arg, &res[i]);
            *mismatch = *mismatch || !res[i].verified;
        }
    }
    if (snapshot)
        store_rollback(sc);
    if (!err && *mismatch)
        err = RP_EDB;
    store_close(dst);
    store_close(src);
    return err;
}

enum rp_err ops_status(struct rec_ctx *ctx, struct ops_stats *st, struct store_status *db)
{
    if (!rec_admin(ctx))
        return rec_fail(ctx, RP_EFORBIDDEN, "only administrators see the system status");
    enum rp_err err = ops_stats(ctx, st);
    return err ? err : ops_db_status(ctx, db);
}

enum rp_err ops_db_status(struct rec_ctx *ctx, struct store_status *out)
{
    return store_status(ctx->conn, out);
}

enum rp_err ops_stats(struct rec_ctx *ctx, struct ops_stats *out)
{
    enum rp_err err = store_size(ctx->conn, &out->db_bytes);
    if (!err)
        err = store_session_count(ctx->conn, text_now_ms(), &out->active_sessions);
    return err;
}
