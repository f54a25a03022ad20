/* Trees of records (categories): a record's parent is never the record itself or one
 * below it, and a tree stays shallow enough to walk. */
#include "core/common.h"

#include "engine/rec.h"

enum rp_err rec_check_tree(struct rec_ctx *ctx, const struct rec *r, const struct rec *old,
                           const char *field, int max_depth)
{
    const struct rec_value *p = rec_field(r, field);
    if (p->null || !rec_changed(r, old, field))
        return RP_OK;
    /* Up from the new parent: the record itself on the way is a cycle. Read as the
     * system: a parent the caller cannot read still makes the tree. */
    struct rp_str at = {p->s, p->len};
    const char *saved = rec_system_begin(ctx, "tree");
    enum rp_err err = RP_OK;
    for (int depth = 1; !err && at.p; depth++) {
        if (r->id && rp_str_eqc(at, r->id)) {
            err = rec_field_error(ctx, field, "a %s cannot be inside itself",
                                  rec_label(ctx, r->ent));
            break;
        }
        if (depth >= max_depth) {
            err = rec_field_error(ctx, field, "%s go at most %d levels deep",
                                  rec_labels(ctx, r->ent), max_depth);
            break;
        }
        struct rec up;
        err = rec_get(ctx, r->ent, at, &up);
        if (err == RP_ENOTFOUND)
            err = rec_field_error(ctx, field, "no %s with this id", rec_label(ctx, r->ent));
        const struct rec_value *pp = err ? NULL : rec_field(&up, field);
        at = !pp || pp->null ? (struct rp_str){NULL, 0} : (struct rp_str){pp->s, pp->len};
    }
    rec_system_end(ctx, saved);
    return err;
}
