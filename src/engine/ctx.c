/* The engine context: errors of a request, its transaction and what it memoises. */
#include "core/common.h"

#include "engine/jobs.h"
#include "engine/module.h"
#include "engine/notify.h"
#include "engine/rec_int.h"
#include "store/platform.h"

void rec_ctx_init(struct rec_ctx *ctx, struct store *s, struct store_conn *c, struct arena *a,
                  struct principal *who)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->store = s;
    ctx->conn = c;
    ctx->a = a;
    ctx->who = who;
}

__attribute__((format(printf, 2, 0))) static char *vfmt(struct arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *p = arena_alloc(a, n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(p, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    return p;
}

void rec_ctx_system(struct rec_ctx *ctx, struct store *s, struct store_conn *c, struct arena *a,
                    const char *why)
{
    rec_ctx_init(ctx, s, c, a, NULL);
    RP_ASSERT(why);
    ctx->system = why;
}

const char *rec_system_begin(struct rec_ctx *ctx, const char *why)
{
    const char *saved = ctx->system;
    RP_ASSERT(why);
    ctx->system = why;
    return saved;
}

void rec_system_end(struct rec_ctx *ctx, const char *saved)
{
    ctx->system = saved;
}

const char *rec_via_begin(struct rec_ctx *ctx, const char *via)
{
    const char *saved = ctx->via;
    ctx->via = via;
    return saved;
}

void rec_via_end(struct rec_ctx *ctx, const char *saved)
{
    ctx->via = saved;
}

enum rp_err rec_field_error(struct rec_ctx *ctx, const char *field, const char *fmt, ...)
{
    if (ctx->nerrors == ctx->errcap) {
        size_t cap = ctx->errcap ? ctx->errcap * 2 : 8;
        struct rec_field_error *e = arena_alloc(ctx->a, cap * sizeof(*e));
        if (ctx->nerrors)
            memcpy(e, ctx->errors, ctx->nerrors * sizeof(*e));
        ctx->errors = e;
        ctx->errcap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    ctx->errors[ctx->nerrors].field = arena_strdup(ctx->a, field);
    ctx->errors[ctx->nerrors].message = vfmt(ctx->a, msg_tr(ctx->lang, fmt), ap);
    va_end(ap);
    ctx->nerrors++;
    return RP_EINVAL;
}

enum rp_err rec_bad_request(struct rec_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->detail = vfmt(ctx->a, msg_tr(ctx->lang, fmt), ap);
    va_end(ap);
    ctx->bad_request = true;
    return RP_EINVAL;
}

enum rp_err rec_fail(struct rec_ctx *ctx, enum rp_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->detail = vfmt(ctx->a, msg_tr(ctx->lang, fmt), ap);
    va_end(ap);
    return err;
}

enum rp_err rec_fail_with(struct rec_ctx *ctx, enum rp_err err, const char *member,
                          const struct rec_problem_item *items, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->detail = vfmt(ctx->a, msg_tr(ctx->lang, fmt), ap);
    va_end(ap);
    ctx->problem = (struct rec_problem){member, items, n};
    return err;
}

char *rec_msgf(const struct rec_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vfmt(ctx->a, msg_tr(ctx->lang, fmt), ap);
    va_end(ap);
    return s;
}

const char *rec_label(const struct rec_ctx *ctx, const struct entity_def *e)
{
    return ctx->lang == RP_LANG_ZH && e->label_zh && e->label_zh[0] ? e->label_zh : e->label;
}

const char *rec_labels(const struct rec_ctx *ctx, const struct entity_def *e)
{
    return ctx->lang == RP_LANG_ZH && e->label_plural_zh && e->label_plural_zh[0]
               ? e->label_plural_zh
               : e->label_plural;
}

const char *rec_field_label(const struct rec_ctx *ctx, const struct field_def *f)
{
    return ctx->lang == RP_LANG_ZH && f->label_zh && f->label_zh[0] ? f->label_zh : f->label;
}

void rec_messages_load(void)
{
    msg_add(&rec_messages);
    for (size_t i = 0; i < rp_nmodules; i++)
        if (rp_modules[i]->messages)
            msg_add(rp_modules[i]->messages);
}

/* ---- transactions ---- */

enum rp_err rec_tx_begin(struct rec_ctx *ctx)
{
    if (ctx->tx_depth++ > 0)
        return RP_OK;
    enum rp_err err = store_begin(ctx->conn, true);
    if (err)
        ctx->tx_depth = 0;
    return err;
}

enum rp_err rec_next_number(struct rec_ctx *ctx, const char *name, int64_t *out)
{
    RP_ASSERT(ctx->tx_depth > 0);
    return store_counter_next(ctx->conn, name, out);
}

bool rec_memo_get(struct rec_ctx *ctx, const struct entity_def *e, struct rec_page *out)
{
    if (ctx->tx_depth == 0 || ctx->memo_ent != e)
        return false;
    *out = *ctx->memo;
    return true;
}

void rec_memo_put(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_page *page)
{
    if (ctx->tx_depth == 0)
        return;
    ctx->memo = arena_alloc(ctx->a, sizeof(*ctx->memo));
    *ctx->memo = *page;
    ctx->memo_ent = e;
}

void rec__memo_drop(struct rec_ctx *ctx, const struct entity_def *e)
{
    if (!e || ctx->memo_ent == e)
        ctx->memo_ent = NULL;
    if (!e || (e->flags & EF_PLATFORM))
        ctx->owner_ok[0] = '\0';
}

enum rp_err rec_tx_end(struct rec_ctx *ctx, enum rp_err err)
{
    RP_ASSERT(ctx->tx_depth > 0);
    if (--ctx->tx_depth > 0)
        return err; /* the outermost caller commits or rolls back */
    rec__memo_drop(ctx, NULL);
    bool notified = ctx->notified, emailed = ctx->emailed || ctx->jobs_queued;
    ctx->notified = false;
    ctx->emailed = false;
    ctx->jobs_queued = false;
    if (err) {
        store_rollback(ctx->conn);
        /* A write that would carry a running total (store_table.totals_columns) past
         * the range of an integer is refused like any other bad value. */
        return err == RP_ERANGE ? rec_bad_request(ctx, "this would put a total beyond the"
                                                       " range of a number")
                                : err;
    }
    err = store_commit(ctx->conn);
    if (!err && notified)
        notify_kick();
    if (!err && emailed)
        jobs_kick();
    return err;
}
