/* Record sharing: a record opened to a user or a team beyond what their roles grant,
 * to read ("read") or to read and change ("edit"). A shared record is visible to them
 * on every path — get, lists, counts, search, timeline, totals, export — and nowhere
 * once the share is removed. Sharing works within the entities a role may read at
 * all (a role without read on opportunities sees none, shared or not); it never
 * grants delete. Only someone who may edit a record shares it or removes its shares,
 * and both are in the record's history. */
#ifndef RP_ENGINE_SHARE_H
#define RP_ENGINE_SHARE_H

#include "engine/rec.h"
#include "store/shares.h"

/* Shares the record with a user or a team (one of user_id, team_id). A second share
 * with the same user or team replaces the first. */
enum rp_err rec_share_add(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                          struct rp_str user_id, struct rp_str team_id, struct rp_str access,
                          struct store_share *out);
/* The record's shares, for those who may read it. */
enum rp_err rec_shares(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                       struct store_share **out, size_t *n);
enum rp_err rec_share_remove(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str id,
                             struct rp_str share_id);

#endif
