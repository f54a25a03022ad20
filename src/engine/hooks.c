/* The hook chains: every module's hooks on an entity, run in registry order
 * (engine/module.h). */
#include "core/common.h"

#include "core/log.h"
#include "engine/module.h"

/* Walks the hooks on entity e, module after module: start with *pos = 0; NULL at the
 * end. A few modules with a few hooks each: a walk is a dozen comparisons. */
static const struct rp_hooks *next_hook(const struct entity_def *e, size_t *pos)
{
    for (size_t m = 0, seen = 0; m < rp_nmodules; m++) {
        const struct rp_module *mod = rp_modules[m];
        for (size_t k = 0; k < mod->nhooks; k++, seen++)
            if (seen >= *pos && (strcmp(mod->hooks[k].entity, e->name) == 0 ||
                                 strcmp(mod->hooks[k].entity, RP_HOOK_ANY) == 0)) {
                *pos = seen + 1;
                return &mod->hooks[k];
            }
    }
    return NULL;
}

enum rp_err mod_validate(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    size_t pos = 0;
    for (const struct rp_hooks *h; (h = next_hook(r->ent, &pos));) {
        enum rp_err err = h->validate ? h->validate(ctx, r, old) : RP_OK;
        /* Field errors of every validator are gathered; anything else stops here. */
        if (err && (err != RP_EINVAL || !ctx->nerrors))
            return err;
    }
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

enum rp_err mod_before_save(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    size_t pos = 0;
    enum rp_err err = RP_OK;
    for (const struct rp_hooks *h; !err && (h = next_hook(r->ent, &pos));)
        err = h->before_save ? h->before_save(ctx, r, old) : RP_OK;
    return err;
}

enum rp_err mod_after_save(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    size_t pos = 0;
    enum rp_err err = RP_OK;
    for (const struct rp_hooks *h; !err && (h = next_hook(r->ent, &pos));)
        err = h->after_save ? h->after_save(ctx, r, old) : RP_OK;
    return err;
}

enum rp_err mod_before_delete(struct rec_ctx *ctx, const struct rec *r)
{
    size_t pos = 0;
    enum rp_err err = RP_OK;
    for (const struct rp_hooks *h; !err && (h = next_hook(r->ent, &pos));)
        err = h->before_delete ? h->before_delete(ctx, r) : RP_OK;
    return err;
}

enum rp_err mod_before_restore(struct rec_ctx *ctx, struct rec *r)
{
    size_t pos = 0;
    enum rp_err err = RP_OK;
    for (const struct rp_hooks *h; !err && (h = next_hook(r->ent, &pos));)
        err = h->before_restore ? h->before_restore(ctx, r) : RP_OK;
    return err;
}

const struct rp_job_kind *mod_job_kind(struct rp_str name)
{
    for (size_t m = 0; m < rp_nmodules; m++)
        for (size_t k = 0; k < rp_modules[m]->njobs; k++)
            if (rp_str_eqc(name, rp_modules[m]->jobs[k].name))
                return &rp_modules[m]->jobs[k];
    return NULL;
}

const char *mod_default_scopes(const char *role, const struct entity_def *e)
{
    for (size_t m = 0; m < rp_nmodules; m++) {
        const struct rp_module *mod = rp_modules[m];
        bool declares = false;
        for (size_t k = 0; k < mod->nentities; k++)
            declares = declares || strcmp(mod->entities[k]->name, e->name) == 0;
        if (!declares)
            continue;
        const char *scopes = NULL;
        for (size_t g = 0; g < mod->ngrants; g++)
            if (strcmp(mod->grants[g].role, role) == 0) {
                if (mod->grants[g].entity && strcmp(mod->grants[g].entity, e->name) == 0)
                    return mod->grants[g].scopes; /* the entity's own beats the module's */
                if (!mod->grants[g].entity)
                    scopes = mod->grants[g].scopes;
            }
        return scopes;
    }
    return NULL;
}

enum rp_err mod_roles(struct rec_ctx *ctx, struct acl_role_text **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    for (size_t m = 0; m < rp_nmodules; m++)
        if (rp_modules[m]->roles)
            return rp_modules[m]->roles(ctx, out, n);
    return RP_OK;
}

enum rp_err mod_entity_added(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct entity_def *like)
{
    enum rp_err err = RP_OK;
    for (size_t m = 0; m < rp_nmodules && !err; m++)
        if (rp_modules[m]->entity_added)
            err = rp_modules[m]->entity_added(ctx, e, like);
    return err;
}

uint32_t rp_demo_rand(struct rp_demo *d, uint32_t n)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return (uint32_t)(d->rng % n);
}

enum rp_err mod_demo(struct rp_demo *d)
{
    enum rp_err err = RP_OK;
    for (size_t m = 0; m < rp_nmodules && !err; m++)
        if (rp_modules[m]->demo)
            err = rp_modules[m]->demo(d);
    if (err == RP_EINVAL && d->ctx->nerrors)
        LOG(LOG_ERROR, "demo data refused: %s %s", d->ctx->errors[0].field,
            d->ctx->errors[0].message);
    return err;
}

enum rp_err mod_bootstrap(struct store *s, bool interactive)
{
    struct store_conn *c;
    enum rp_err err = store_conn_get(s, &c);
    for (size_t m = 0; m < rp_nmodules && !err; m++) {
        if (!rp_modules[m]->bootstrap)
            continue;
        struct arena a;
        arena_init(&a);
        struct rec_ctx ctx;
        rec_ctx_system(&ctx, s, c, &a, rp_modules[m]->name);
        err = rp_modules[m]->bootstrap(&ctx, interactive);
        if (err == RP_EINVAL && ctx.nerrors)
            LOG(LOG_ERROR, "module %s: bootstrap refused: %s %s", rp_modules[m]->name,
                ctx.errors[0].field, ctx.errors[0].message);
        arena_release(&a);
    }
    return err;
}
