/* The customer an activity belongs to (its account_id, FF_ROLLUP): the account it is
 * about, or the account of the contact or deal it is about, or the account a lead it is
 * about was converted into. Derived when the activity is saved, re-pointed when that
 * record moves to another account (or a lead is converted), and filled in at start
 * for the activities a database held before the link existed. The account's card lists,
 * counts and shows on its timeline every activity that belongs to it. */
#include "core/common.h"

#include "core/log.h"
#include "mod/calendar/calendar.h"

/* Activities re-pointed per list page. */
#define ROLLUP_PAGE "500"

/* Where the account of a record an activity is about comes from: the record itself
 * (field NULL) or one of its references to accounts. */
const struct calendar_account_source calendar__account_sources[] = {
    {"accounts", NULL},
    {"contacts", "account_id"},
    {"opportunities", "account_id"},
    {"leads", "converted_account_id"},
};
const size_t calendar__naccount_sources = RP_NELEM(calendar__account_sources);

static const struct calendar_account_source *source_of(struct rp_str entity)
{
    for (size_t i = 0; i < calendar__naccount_sources; i++)
        if (rp_str_eqc(entity, calendar__account_sources[i].entity))
            return &calendar__account_sources[i];
    return NULL;
}

/* The account of the record an activity is about (NULL: none). Read by the system:
 * the caller's right to relate the activity to it was checked (validate), and what
 * their role hides of it does not change whose customer it is. */
static enum rp_err account_of(struct rec_ctx *ctx, const struct rec_value *type,
                              const struct rec_value *id, const char **out)
{
    *out = NULL;
    const struct calendar_account_source *src =
        type->null || id->null ? NULL : source_of((struct rp_str){type->s, type->len});
    if (!src)
        return RP_OK;
    if (!src->field) {
        *out = id->s;
        return RP_OK;
    }
    struct rec about;
    const char *saved = rec_system_begin(ctx, "activity's account");
    enum rp_err err = rec_get(ctx, meta_need(src->entity), (struct rp_str){id->s, id->len}, &about);
    rec_system_end(ctx, saved);
    if (err)
        return err;
    const struct rec_value *acc = rec_field(&about, src->field);
    *out = acc->null ? NULL : acc->s;
    return RP_OK;
}

enum rp_err calendar__derive_account(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    /* Unchanged, or set by the system as it re-points the link (a merge, a move). */
    if (old && !rec_changed(r, old, "related_type") && !rec_changed(r, old, "related_id"))
        return RP_OK;
    const char *acc;
    enum rp_err err =
        account_of(ctx, rec_field(r, "related_type"), rec_field(r, "related_id"), &acc);
    if (err)
        return err;
    int i = meta_field_index(r->ent, RP_STR("account_id"));
    RP_ASSERT(i >= 0);
    r->v[i] = acc ? (struct rec_value){false, 0, acc, strlen(acc)}
                  : (struct rec_value){.null = true};
    return RP_OK;
}

/* Sets account_id to acc (NULL: none) on every activity about r, the recycle bin's
 * included (a restored activity comes back on the right card), in the system's name:
 * the move was the caller's to make, and their colleagues' activities about the
 * record follow it whether the caller may read them or not. */
static enum rp_err repoint(struct rec_ctx *ctx, const struct rec *r, const char *acc)
{
    const struct entity_def *e = meta_need("activities");
    struct rec_input in = acc ? rec_in_text("account_id", acc)
                              : (struct rec_input){.field = RP_STR("account_id"), .kind = IN_NULL};
    enum rp_err err = RP_OK;
    for (int pass = 0; pass < 2 && !err; pass++) {
        const char *cursor = NULL;
        do {
            struct rec_param p[] = {{RP_STR("related_type"), rp_str_c(r->ent->name)},
                                    {RP_STR("related_id"), rp_str_c(r->id)},
                                    {RP_STR("limit"), RP_STR(ROLLUP_PAGE)},
                                    {RP_STR("deleted"), pass ? RP_STR("only") : RP_STR("false")},
                                    {RP_STR("cursor"), rp_str_c(cursor ? cursor : "")}};
            struct rec_query *q;
            struct rec_page page = {0};
            err = rec_query_parse(ctx, e, p, cursor ? 5 : 4, &q);
            if (!err)
                err = rec_list(ctx, e, q, &page);
            for (size_t i = 0; !err && i < page.nrows; i++) {
                const struct rec_value *now = rec_field(&page.rows[i], "account_id");
                if (acc ? !now->null && strcmp(now->s, acc) == 0 : now->null)
                    continue;
                struct rec changed;
                err = pass ? rec_repoint_deleted(ctx, e, &page.rows[i], "account_id", acc)
                           : rec_update(ctx, e, rp_str_c(page.rows[i].id), &in, 1, -1, &changed);
            }
            cursor = page.next_cursor;
        } while (!err && cursor);
    }
    return err;
}

enum rp_err calendar__follow_account(struct rec_ctx *ctx, const struct rec *r,
                                     const struct rec *old)
{
    const struct calendar_account_source *src = source_of(rp_str_c(r->ent->name));
    RP_ASSERT(src && src->field);
    if (!old || !rec_changed(r, old, src->field))
        return RP_OK; /* a new record has no activities yet */
    const struct rec_value *acc = rec_field(r, src->field);
    const char *saved = rec_system_begin(ctx, "activities' account");
    enum rp_err err = repoint(ctx, r, acc->null ? NULL : acc->s);
    rec_system_end(ctx, saved);
    return err;
}

enum rp_err calendar__bootstrap(struct rec_ctx *ctx, bool interactive)
{
    (void)interactive;
    int64_t filled = 0;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_tx_end(ctx, calendar__sql_fill_accounts(ctx, &filled));
    if (!err && filled)
        LOG(LOG_INFO, "activities: %lld linked to their customer's account",
            (long long)filled);
    return err;
}
