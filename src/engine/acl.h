/* Permissions (DESIGN §6): roles grant, per entity and action, a scope of
 * none | own | team | all. Checked here and only here; api/ never decides. */
#ifndef RP_ENGINE_ACL_H
#define RP_ENGINE_ACL_H

#include "engine/rec.h"


/* Who is making the request. Built by crm/auth.c from a session or token. */
struct principal {
    const char *user_id;
    const char *username;
    const char *display_name;
    const char *locale;
    const char *team_ids;      /* JSON array */
    const char *csrf_token;    /* NULL for API tokens */
    const char *session_hash;  /* NULL for API tokens */
    enum acl_role role;
    /* private: ids of users sharing a team (self included), loaded on first need */
    const char **peers;
    size_t npeers;
    bool peers_loaded;
};

/* Parses a role name; false when unknown. */
bool acl_role_parse(const char *name, enum acl_role *out);
const char *acl_role_name(enum acl_role r);

/* The scope who has for action on entity e; SCOPE_NONE for nobody (NULL). The engine
 * asks through rec__scope, which lets a system context (rec_ctx_system) through. */
enum acl_scope acl_scope(const struct principal *who, const struct entity_def *e,
                         enum acl_action action);
/* Loads the caller's team peers (self included) if not yet loaded. */
enum rp_err acl_peers(struct rec_ctx *ctx);
/* True when a record owned by owner_id is inside scope for the caller. For
 * SCOPE_TEAM, acl_peers() must have succeeded first. */
bool acl_owner_in_scope(struct rec_ctx *ctx, enum acl_scope scope, const char *owner_id);

#endif
