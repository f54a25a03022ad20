/* Permissions (DESIGN §6): a role grants, per entity and action, a scope of
 * none | own | team | team_and_below | all, and may hide fields or make them
 * read-only; a record shared with a user or their team (engine/share.h) is open to
 * them besides. Roles are records an administrator edits (the roles entity of the
 * platform module); each metadata snapshot holds them parsed (engine/meta.h), so a
 * change applies to every session at the next request. Checked here and only here;
 * api/ never decides. */
#ifndef RP_ENGINE_ACL_H
#define RP_ENGINE_ACL_H

#include "engine/rec.h"

/* Who is making the request. Built by engine/auth.c from a session or token. */
struct principal {
    const char *user_id;
    const char *username;
    const char *display_name;
    const char *locale;
    const char *team_ids;      /* JSON array */
    const char *csrf_token;    /* NULL for API tokens */
    const char *session_hash;  /* NULL for API tokens */
    const char *role;          /* the key of the user's role */
    uint64_t meta_gen;         /* the metadata generation the database had (meta.h) */
    struct arena *mem;         /* where the loads below live; NULL: the request's ctx->a */
    /* private: ids of users sharing a team (self included), and of users in those
     * teams or any team below them, loaded on first need */
    const char **peers;
    size_t npeers;
    bool peers_loaded;
    const char **teams;        /* team_ids parsed */
    size_t nteams;
    bool teams_loaded;
    const char *below_team_ids; /* JSON array: the teams and every team below them */
    const char **peers_below;
    size_t npeers_below;
    bool below_loaded;
};

/* A role as a metadata snapshot holds it. */
struct acl_grant {
    unsigned char scope[ACL_NACTIONS];   /* enum acl_scope */
    unsigned char *fields;               /* per field: enum acl_field_rule; NULL: open */
};
struct acl_role {
    const char *key;
    bool admin;                /* administers users, roles, fields, jobs, the log */
    struct acl_grant *grants;  /* per entity of the snapshot (entity_def.index) */
};

/* A role as the database holds it, for meta_publish. */
struct acl_role_text {
    const char *key;
    bool admin;
    const char *grants;        /* {"accounts": {"read": "team", …}, …} */
    const char *field_rules;   /* {"accounts": {"annual_revenue": "hidden"}, …} */
};

const char *acl_role_key(const struct acl_role *r);
/* Parses roles for a snapshot's entities; unknown entities, fields, actions and
 * scopes are skipped (the roles' validation refuses them when they are saved). */
void acl__build_roles(struct arena *a, struct entity_def *const *ents, size_t nents,
                      const struct acl_role_text *in, size_t n, struct acl_role **out);
/* Checks a role's grants and field rules as a client sent them (JSON text): NULL, or
 * why not. An entity or field that no longer exists passes when `old` (the role's
 * previous text, or NULL) named it too: a removed custom field does not lock the
 * roles that mentioned it. */
const char *acl_check_grants(struct arena *a, enum rp_lang lang, const char *grants,
                             const char *old);
const char *acl_check_field_rules(struct arena *a, enum rp_lang lang, const char *rules,
                                  const char *old);
/* "none", "own", "team", "team_and_below", "all"; and back (false when unknown). */
const char *acl_scope_name(enum acl_scope s);
bool acl_scope_parse(struct rp_str name, enum acl_scope *out);
extern const char *const acl_action_names[ACL_NACTIONS];

/* The scope who has for action on entity e; SCOPE_NONE for nobody (NULL) and for a
 * role that does not exist (any more). The engine asks through rec__scope, which
 * lets a system context (rec_ctx_system) through. */
enum acl_scope acl_scope(const struct principal *who, const struct entity_def *e,
                         enum acl_action action);
/* What who's role does with field i of e (admins: open). */
enum acl_field_rule acl_field(const struct principal *who, const struct entity_def *e, size_t i);
/* The rules of who's role for every field of e (enum acl_field_rule), or NULL when
 * every field is open to them. */
const unsigned char *acl_field_rules(const struct principal *who, const struct entity_def *e);
/* Whether the role with this key administers the system (false when there is none). */
bool acl_role_admin(const char *key);
/* Whether who's role administers the system. */
bool acl_is_admin(const struct principal *who);
/* Loads the caller's team peers (self included) if not yet loaded; with `below`, the
 * users of their teams and every team below them too. What it loads lives in who->mem,
 * or ctx->a without one (with the teams of acl_teams). */
enum rp_err acl_peers(struct rec_ctx *ctx, bool below);
/* The caller's teams, parsed from team_ids once. */
void acl_teams(struct rec_ctx *ctx, const char *const **teams, size_t *n);
/* True when a record owned by owner_id is inside scope for the caller. For
 * SCOPE_TEAM and SCOPE_TEAM_BELOW, acl_peers() must have succeeded first. */
bool acl_owner_in_scope(struct rec_ctx *ctx, enum acl_scope scope, const char *owner_id);

#endif
