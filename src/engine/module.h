/* Modules (DESIGN §3): a CRM module — customers, sales, calendar, … — adds its
 * entities, their behaviour, HTTP routes, job kinds, scheduled tasks and seed data to
 * the engine through one descriptor, struct rp_module. The engine calls modules only
 * through descriptors, and includes no module header; mod/modules.c is the one list of
 * modules (rp_modules).
 *
 * A module reaches the engine through its public headers (engine/rec.h, engine/sqlb.h,
 * …) and other modules' entities by name (meta_entity), never through their headers.
 * Descriptors are process-lifetime constants. */
#ifndef RP_ENGINE_MODULE_H
#define RP_ENGINE_MODULE_H

#include <stdatomic.h>

#include "engine/rec.h"

/* api/route.h: a module's HTTP routes. The engine carries them for api/ and never
 * reads them. */
struct api_route;
/* engine/export.h: a file format a module adds for its entities' exports. */
struct rec_exporter;
/* engine/acl.h: a role as the database holds it. */
struct acl_role_text;

/* One module's behaviour on one entity. Any number of modules may hook one entity:
 * every hook of every module runs, in registry order, inside the write transaction.
 * Each may be NULL. */
/* The entity name of hooks on every entity (webhooks, workflow rules): they run on
 * each entity after its own hooks of the same module order. */
#define RP_HOOK_ANY "*"

struct rp_hooks {
    const char *entity;    /* the entity's name, or RP_HOOK_ANY */
    /* Before a create (old NULL) or an update: checks r against the database and may
     * change it (derived values). Field errors (rec_field_error) from every validator
     * are gathered; any other error stops the write. */
    enum rp_err (*validate)(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
    /* After every validator passed, before the row is written: the last word on derived
     * values (a stage's probability, a conversion's time). */
    enum rp_err (*before_save)(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
    /* After the row and its audit rows are written (old NULL on create). */
    enum rp_err (*after_save)(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
    /* Before a record moves to the recycle bin; an error keeps it. */
    enum rp_err (*before_delete)(struct rec_ctx *ctx, const struct rec *r);
    /* Before a record comes back from the recycle bin; an error keeps it there. */
    enum rp_err (*before_restore)(struct rec_ctx *ctx, struct rec *r);
};

/* A kind of background job (engine/jobs.h). */
struct rp_job_kind {
    const char *name;      /* "accounts.retier" */
    /* Checks a payload of POST /jobs (administrators); NULL: the kind is queued by its
     * module only. */
    enum rp_err (*check)(struct rec_ctx *ctx, struct rp_str payload);
    /* Runs the job in a system context (rec_ctx_system) or as the user it names;
     * returns early once *stop is set; *result is a short JSON text or NULL. */
    enum rp_err (*run)(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                       const char **result);
    /* After a restart on SQLite: the kind's own records of jobs that were cut off. */
    enum rp_err (*abandon)(struct store_conn *c);
};

/* A task the servers run on a schedule — every so many seconds, or once a day at a time
 * of day — once per turn across all the servers of a database (the one that claims it
 * first runs it). */
struct rp_schedule {
    const char *name;      /* unique: "accounts.retier" */
    unsigned every_s;      /* period, seconds; 0: daily at at_minute */
    unsigned at_minute;    /* with every_s 0: minutes after midnight UTC, 0..1439 */
    /* Runs in a system context; an error is logged and the task runs again next
     * period. */
    enum rp_err (*run)(struct rec_ctx *ctx);
};

/* What a built-in role may do with a module's entities by default: written into the
 * role when the platform module creates it at first start, and added to it at a later
 * start for the entities it does not mention yet (a module added since). */
struct rp_grant {
    const char *role;      /* a built-in role's key: "sales" */
    const char *entity;    /* NULL: every entity of the module */
    /* The scopes of read, create, edit, delete, export and import, in that order:
     * "team own own own own own" (engine/acl.h). */
    const char *scopes;
};

/* What `rapport demo` hands each module's demo: a system context in the one
 * transaction the whole demo is written in, and a deterministic random source, so the
 * same demo company comes out every time. A module reads what earlier modules made
 * through the engine (lists), and may leave a line for the command to print. */
struct rp_demo {
    struct rec_ctx *ctx;
    uint64_t rng;
    const char *notes[8];
    size_t nnotes;
};
/* A random number below n, from d's source. */
uint32_t rp_demo_rand(struct rp_demo *d, uint32_t n);
/* One of a NULL-terminated or counted list. */
#define RP_DEMO_PICK(d, a) ((a)[rp_demo_rand((d), RP_NELEM(a))])

struct rp_module {
    const char *name;
    const struct entity_def *const *entities;
    size_t nentities;
    const struct rp_hooks *hooks;
    size_t nhooks;
    const struct api_route *routes;
    size_t nroutes;
    const struct rp_job_kind *jobs;
    size_t njobs;
    const struct rp_schedule *schedules;
    size_t nschedules;
    const struct rec_exporter *exporters;
    size_t nexporters;
    const struct rp_grant *grants;
    size_t ngrants;
    /* After an administrator added a custom entity (engine/custom.h), in a system
     * context: what the module keeps about every entity — the roles' grants, which
     * start as each role's grants on `like` — is extended to it. NULL: nothing. */
    enum rp_err (*entity_added)(struct rec_ctx *ctx, const struct entity_def *e,
                                const struct entity_def *like);
    /* The roles (engine/acl.h), read in a system context whenever the metadata is
     * loaded: one module keeps them (platform, as records). NULL: none. */
    enum rp_err (*roles)(struct rec_ctx *ctx, struct acl_role_text **out, size_t *n);
    /* Seed data, run at every start in a system context (idempotent): default pipeline
     * stages, the first administrator. `interactive`: an operator reads this process's
     * terminal, so a secret made up for them may be printed there. NULL: none. */
    enum rp_err (*bootstrap)(struct rec_ctx *ctx, bool interactive);
    /* Demo data for `rapport demo` (a new database only). NULL: none. */
    enum rp_err (*demo)(struct rp_demo *d);
    /* The module's messages in Chinese (core/msg.h): its msg_zh.c. NULL: none. */
    const struct msg_catalog *messages;
};

/* The registry (mod/modules.c). */
extern const struct rp_module *const rp_modules[];
extern const size_t rp_nmodules;

/* Runs every module's hooks of one kind on r's entity (engine/hooks.c). */
enum rp_err mod_validate(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err mod_before_save(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err mod_after_save(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err mod_before_delete(struct rec_ctx *ctx, const struct rec *r);
enum rp_err mod_before_restore(struct rec_ctx *ctx, struct rec *r);
/* A job kind by name, from every module and the engine's own; NULL when unknown. */
const struct rp_job_kind *mod_job_kind(struct rp_str name);
/* The default scopes of a built-in role on e ("team own own own own own"), from the
 * module that declares e; NULL when it declares none (custom entities). */
const char *mod_default_scopes(const char *role, const struct entity_def *e);
/* The roles, from the module that keeps them (none without one). */
enum rp_err mod_roles(struct rec_ctx *ctx, struct acl_role_text **out, size_t *n);
/* Runs every module's entity_added, in a system context on ctx's connection. */
enum rp_err mod_entity_added(struct rec_ctx *ctx, const struct entity_def *e,
                             const struct entity_def *like);
/* Runs every module's demo, in registry order. */
enum rp_err mod_demo(struct rp_demo *d);
/* Runs every module's bootstrap, in registry order, in a system context. */
enum rp_err mod_bootstrap(struct store *s, bool interactive);

#endif
