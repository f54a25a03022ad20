/* The platform module: users, teams and roles — who may sign in, how they are grouped
 * and what they may do (engine/acl.h reads the roles) — and the first administrator. */
#ifndef RP_MOD_PLATFORM_H
#define RP_MOD_PLATFORM_H

#include "engine/module.h"

extern const struct entity_def platform__users;
extern const struct entity_def platform__teams;

extern const struct rp_module mod_platform;

/* Self-service: the caller changes their own display_name, email, locale or password.
 * A new password needs the current one and a signed-in session (RP_EFORBIDDEN for an
 * API token); it signs the user's other sessions out and revokes their API tokens,
 * unless keep_tokens. Other fields are RP_EINVAL. */
enum rp_err platform_update_me(struct rec_ctx *ctx, const struct rec_input *in, size_t n,
                               struct rp_str current_password, bool has_current,
                               bool keep_tokens, struct rec *out);

/* ---- inside the module ---- */

enum rp_err platform__validate_user(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err platform__user_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err platform__bootstrap(struct rec_ctx *ctx, bool interactive);
enum rp_err platform__demo(struct rp_demo *d);
/* roles.c */
extern const struct entity_def platform__roles;
enum rp_err platform__validate_role(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err platform__role_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err platform__role_deletable(struct rec_ctx *ctx, const struct rec *r);
enum rp_err platform__role_restored(struct rec_ctx *ctx, struct rec *r);
enum rp_err platform__bootstrap_roles(struct rec_ctx *ctx);
enum rp_err platform__load_roles(struct rec_ctx *ctx, struct acl_role_text **out, size_t *n);
enum rp_err platform__entity_added(struct rec_ctx *ctx, const struct entity_def *e,
                                   const struct entity_def *like);
/* routes.c: the module's HTTP handlers (api/route.h). */
struct api_call;
unsigned platform__patch_me(struct api_call *c);
unsigned platform__post_transfer(struct api_call *c);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog platform__messages;

#endif
