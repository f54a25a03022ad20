/* Record shares (engine/share.h): a record of an entity opened to a user or a team,
 * to read or to edit. Portable SQL over db.h. */
#ifndef RP_STORE_SHARES_H
#define RP_STORE_SHARES_H

#include "core/buf.h"
#include "store/db.h"

struct store_share {
    const char *id;
    const char *user_id;     /* one of user_id and team_id is set */
    const char *team_id;
    const char *access;      /* "read" or "edit" */
    const char *created_by;
    const char *created_at;
};

enum rp_err store_share_insert(struct store_conn *c, const char *entity, const char *record_id,
                               int64_t record_seq, const struct store_share *s);
/* The shares of one record, oldest first. */
enum rp_err store_share_list(struct store_conn *c, const char *entity, const char *record_id,
                             struct arena *a, struct store_share **out, size_t *n);
/* One share of a record; RP_ENOTFOUND when it is not one of the record's. */
enum rp_err store_share_get(struct store_conn *c, const char *entity, const char *record_id,
                            const char *id, struct arena *a, struct store_share *out);
enum rp_err store_share_delete(struct store_conn *c, const char *id);
/* What the record's shares open to a user in teams[0..nteams): 0 nothing, 1 read,
 * 2 edit. */
enum rp_err store_share_access(struct store_conn *c, const char *entity, const char *record_id,
                               const char *user_id, const char *const *teams, size_t nteams,
                               int *out);
/* Whether any record of entity is shared with user_id or any of teams. */
enum rp_err store_share_any(struct store_conn *c, const char *entity, const char *user_id,
                            const char *const *teams, size_t nteams, bool *out);
/* Appends "EXISTS (SELECT 1 FROM record_shares s WHERE … s.record_seq = <alias>.seq …)": the records
 * of entity shared with user_id or any of teams (edit shares only when `edit`); adds
 * its parameters to params (2 + nteams of them). */
enum rp_err store_share_condition(struct rp_buf *sql, const char *alias, const char *entity,
                                  const char *user_id, const char *const *teams, size_t nteams,
                                  bool edit, struct store_val *params, size_t *nparams);

#endif
