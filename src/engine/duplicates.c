#include "core/common.h"

#include "core/ids.h"
#include "engine/dupkeys.h"
#include "engine/duplicates.h"
#include "engine/phones.h"
#include "engine/secev.h"
#include "engine/rec_int.h"
#include "store/platform.h"

bool dups_applies(const struct entity_def *e)
{
    return (e->flags & EF_DUPLICATES) != 0;
}

/* ---- keys ---- */

#define MAX_KEYS 12

struct keys {
    const char *kind[MAX_KEYS];
    const char *key[MAX_KEYS];
    size_t n;
};

static void add(struct keys *k, const char *kind, const char *key)
{
    if (!key || !*key || k->n == MAX_KEYS)
        return;
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->kind[i], kind) == 0 && strcmp(k->key[i], key) == 0)
            return;
    k->kind[k->n] = kind;
    k->key[k->n] = key;
    k->n++;
}

static struct rp_str val(const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null ? (struct rp_str){NULL, 0} : (struct rp_str){v->s, v->len};
}

/* The E.164 key of a phone number (engine/phones.h: one key however it was typed, in
 * the same home country as lookups), or NULL. */
static const char *phone_key(struct arena *a, struct rp_str v)
{
    struct phone_number pn;
    return phone_parse(v, phones_home(), &pn) ? NULL : arena_strdup(a, pn.key);
}

/* The first three code points of a company name key: the bucket fuzzy matches are
 * searched in, so similarity is computed on a handful of names, never on all. */
static const char *prefix3(struct arena *a, const char *name)
{
    size_t i = 0, cps = 0;
    while (name[i] && cps < 3) {
        i++;
        while ((name[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    return cps == 3 ? arena_strndup(a, name, i) : NULL;
}

static void company(struct arena *a, struct keys *k, struct rp_str name)
{
    if (!name.p)
        return;
    const char *key = dupkey_name(a, name);
    add(k, "name", key);
    if (key && *key)
        add(k, "name3", prefix3(a, key));
}

/* The field of e whose `dup` is role, or NULL (the first, for one-per-entity roles). */
static const struct field_def *dup_field(const struct entity_def *e, enum field_dup role)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (e->fields[i].dup == role)
            return &e->fields[i];
    return NULL;
}

static void person(struct arena *a, struct keys *k, const struct rec *r)
{
    const struct field_def *ff = dup_field(r->ent, DUP_FIRST_NAME),
                           *lf = dup_field(r->ent, DUP_LAST_NAME);
    struct rp_str first = ff ? val(r, ff->name) : (struct rp_str){NULL, 0},
                  last = lf ? val(r, lf->name) : (struct rp_str){NULL, 0};
    if (!last.p)
        return;
    const char *full = first.p ? arena_printf(a, "%.*s %.*s", (int)first.len, first.p,
                                              (int)last.len, last.p)
                               : arena_strndup(a, last.p, last.len);
    add(k, "person", dupkey_name(a, rp_str_c(full)));
}

/* The keys of r, from the fields whose metadata says who a record is. */
static void keys_of(struct arena *a, const struct rec *r, struct keys *k)
{
    k->n = 0;
    const struct entity_def *e = r->ent;
    for (size_t i = 0; i < e->nfields; i++) {
        struct rp_str v = val(r, e->fields[i].name);
        if (!v.p)
            continue;
        switch (e->fields[i].dup) {
        case DUP_EMAIL: add(k, "email", dupkey_email(a, v)); break;
        case DUP_PHONE: add(k, "phone", phone_key(a, v)); break;
        case DUP_TAX_ID: add(k, "tax_id", dupkey_tax_id(a, v)); break;
        default: break;
        }
    }
    const struct field_def *cf = dup_field(e, DUP_COMPANY);
    if (cf)
        company(a, k, val(r, cf->name));
    person(a, k, r);
}

static bool same_keys(const struct keys *a, const struct keys *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->kind[i], b->kind[i]) != 0 || strcmp(a->key[i], b->key[i]) != 0)
            return false;
    return true;
}

/* Whether r's keys differ from old's (always true on create). */
static bool keys_changed(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!old)
        return true;
    struct keys a, b;
    keys_of(ctx->a, r, &a);
    keys_of(ctx->a, old, &b);
    return !same_keys(&a, &b);
}

enum rp_err dups_index(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (!keys_changed(ctx, r, old))
        return RP_OK;
    struct keys k;
    keys_of(ctx->a, r, &k);
    return store_dedup_replace(ctx->conn, r->ent->name, r->id, !old, k.kind, k.key, k.n);
}

/* ---- finding look-alikes ---- */

static const char *reason_of(const char *kind)
{
    if (strcmp(kind, "name3") == 0 || strcmp(kind, "person") == 0)
        return "name";
    return kind;
}

/* A look-alike found by candidates, and why. */
struct candidate {
    struct rec rec;
    int score;               /* 0..100 */
    const char *reasons[4];  /* "email", "phone", "tax_id", "name" */
    size_t nreasons;
};

static void note(struct candidate *d, const char *reason, int score)
{
    for (size_t i = 0; i < d->nreasons; i++)
        if (strcmp(d->reasons[i], reason) == 0)
            goto scored;
    if (d->nreasons < RP_NELEM(d->reasons))
        d->reasons[d->nreasons++] = reason;
scored:
    if (score > d->score)
        d->score = score;
}

static enum rp_err candidates(struct rec_ctx *ctx, const struct rec *r,
                              struct candidate **out, size_t *n)
{
    struct keys k;
    keys_of(ctx->a, r, &k);
    struct candidate *found = arena_calloc(ctx->a, DUPS_MAX_CANDIDATES, sizeof(*found));
    size_t count = 0;
    const char *name_key = NULL;
    for (size_t i = 0; i < k.n; i++)
        if (strcmp(k.kind[i], "name") == 0)
            name_key = k.key[i];
    for (size_t i = 0; i < k.n; i++) {
        const char **ids;
        size_t nids;
        enum rp_err err = store_dedup_find(ctx->conn, r->ent->name, k.kind[i], k.key[i],
                                           r->id, DUPS_MAX_CANDIDATES * 4, ctx->a, &ids, &nids);
        if (err)
            return err;
        for (size_t j = 0; j < nids; j++) {
            size_t at = 0;
            while (at < count && strcmp(found[at].rec.id, ids[j]) != 0)
                at++;
            int score = 100;
            if (strcmp(k.kind[i], "name3") == 0 || strcmp(k.kind[i], "name") == 0) {
                /* Compare the stored name's key with ours. */
                struct rec other;
                if (at < count) {
                    other = found[at].rec;
                } else {
                    enum rp_err e2 = rec__load(ctx, r->ent, rp_str_c(ids[j]), false, &other);
                    if (e2 == RP_ENOTFOUND)
                        continue;
                    if (e2)
                        return e2;
                }
                const struct field_def *cf = dup_field(r->ent, DUP_COMPANY);
                struct rp_str nm = cf ? val(&other, cf->name) : (struct rp_str){NULL, 0};
                score = name_key && nm.p ? dupkey_similarity(name_key, dupkey_name(ctx->a, nm)) : 0;
                if (score < DUPS_NAME_THRESHOLD)
                    continue;
                if (at == count) {
                    if (count == DUPS_MAX_CANDIDATES)
                        continue;
                    found[count++].rec = other;
                }
            } else if (at == count) {
                if (count == DUPS_MAX_CANDIDATES)
                    continue;
                enum rp_err e2 = rec__load(ctx, r->ent, rp_str_c(ids[j]), false, &found[at].rec);
                if (e2 == RP_ENOTFOUND)
                    continue; /* in the recycle bin */
                if (e2)
                    return e2;
                count++;
            }
            note(&found[at], reason_of(k.kind[i]), score);
        }
    }
    /* Only what the caller may see: an invisible look-alike can be neither shown nor
     * merged, so it does not stop the save. */
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        enum rp_err err = rec_check_readable(ctx, r->ent, &found[i].rec);
        if (err == RP_ENOTFOUND)
            continue;
        if (err)
            return err;
        rec_mask(ctx, &found[i].rec);
        found[kept++] = found[i];
    }
    *out = found;
    *n = kept;
    return RP_OK;
}

enum rp_err dups_check(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    if (ctx->allow_duplicate || !keys_changed(ctx, r, old))
        return RP_OK;
    struct candidate *found;
    size_t n;
    enum rp_err err = candidates(ctx, r, &found, &n);
    if (err || n == 0)
        return err;
    /* Each look-alike: {"id", "entity", "score", "reasons", "record"} (a lead conversion
     * creates an account and a contact: the entity says which one looks like it). */
    struct rec_problem_item *items = arena_calloc(ctx->a, n, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        struct rec_problem_item *it = &items[i];
        it->rec = &found[i].rec;
        it->nest = true;
        it->score = found[i].score;
        memcpy(it->reasons, found[i].reasons, sizeof(it->reasons));
        it->nreasons = found[i].nreasons;
        it->names[0] = "id";
        it->texts[0] = found[i].rec.id;
        it->names[1] = "entity";
        it->texts[1] = r->ent->name;
        it->ntexts = 2;
    }
    return rec_fail_with(ctx, RP_ECONFLICT, "duplicates", items, n,
                         n == 1 ? "this %s looks like %zu existing record; send"
                                  " allow_duplicate=true to save it anyway"
                                : "this %s looks like %zu existing records; send"
                                  " allow_duplicate=true to save it anyway",
                         rec_label(ctx, r->ent), n);
}

/* ---- groups ---- */

enum rp_err dups_groups(struct rec_ctx *ctx, const struct entity_def *e,
                        struct dups_group **groups, size_t *n)
{
    if (!dups_applies(e))
        return rec_bad_request(ctx, "%s have no duplicate detection", rec_labels(ctx, e));
    struct store_dedup_row *rows;
    size_t nrows;
    enum rp_err err = store_dedup_shared(ctx->conn, e->name, DUPS_MAX_GROUPS, ctx->a, &rows, &nrows);
    if (err)
        return err;
    struct dups_group *out = arena_calloc(ctx->a, nrows + 1, sizeof(*out));
    size_t count = 0;
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && strcmp(rows[j].kind, rows[i].kind) == 0 &&
               strcmp(rows[j].key, rows[i].key) == 0)
            j++;
        /* The group is built aside and kept only with two visible records or more:
         * a dropped group must leave nothing behind in the slot the next one fills. */
        struct dups_group g = {.reason = reason_of(rows[i].kind)};
        g.records = arena_calloc(ctx->a, j - i, sizeof(*g.records));
        for (size_t k = i; k < j; k++) {
            struct rec r;
            err = rec_get(ctx, e, rp_str_c(rows[k].record_id), &r);
            if (err == RP_ENOTFOUND)
                continue;
            if (err)
                return err;
            g.records[g.nrecords++] = r;
        }
        if (g.nrecords > 1)
            out[count++] = g;
        i = j;
    }
    *groups = out;
    *n = count;
    return RP_OK;
}

/* ---- merge ---- */

static struct rec_input text_in(const char *field, const char *value)
{
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_STRING, .s = value,
                              .len = strlen(value)};
}

/* Re-points `field` of `e` from `old_id` to `new_id` on every record (recycle bin
 * included), through the engine so each change is audited. */
static enum rp_err repoint(struct rec_ctx *ctx, const struct entity_def *e, const char *field,
                           const char *old_id, const char *new_id, const char *extra_field,
                           const char *extra_value)
{
    enum rp_err err = RP_OK;
    for (int pass = 0; pass < 2 && !err; pass++) {
        for (;;) {
            struct rec_param p[] = {{rp_str_c(field), rp_str_c(old_id)},
                                    {RP_STR("limit"), RP_STR("500")},
                                    {RP_STR("deleted"), pass ? RP_STR("only") : RP_STR("false")},
                                    {rp_str_c(extra_field ? extra_field : ""),
                                     rp_str_c(extra_value ? extra_value : "")}};
            struct rec_query *q;
            struct rec_page page;
            err = rec_query_parse(ctx, e, p, extra_field ? 4 : 3, &q);
            if (!err)
                err = rec_list(ctx, e, q, &page);
            if (err || page.nrows == 0)
                break;
            for (size_t i = 0; i < page.nrows && !err; i++) {
                struct rec_input in = text_in(field, new_id);
                struct rec r;
                if (pass) /* a record in the recycle bin keeps its link right too */
                    err = rec_repoint_deleted(ctx, e, &page.rows[i], field, new_id);
                else
                    err = rec_update(ctx, e, rp_str_c(page.rows[i].id), &in, 1, -1, &r);
            }
        }
    }
    return err;
}

/* Rewrites the JSON id lists of field `field` of e (attendees) that hold old_id. */
static enum rp_err repoint_lists(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *field, const char *old_id, const char *new_id)
{
    struct rec **rows;
    size_t n;
    enum rp_err err = rec__list_containing(ctx, e, field, old_id, false, &rows, &n);
    for (size_t i = 0; i < n && !err; i++) {
        const struct rec_value *v = rec_field(rows[i], field);
        struct rp_str items[RP_MAX_IN_VALUES];
        size_t k = 0;
        for (size_t p = 2; p + RP_ID_LEN <= v->len && k < RP_MAX_IN_VALUES; p += RP_ID_LEN + 3) {
            struct rp_str id = {v->s + p, RP_ID_LEN};
            items[k++] = rp_str_eqc(id, old_id) ? rp_str_c(new_id) : id;
        }
        struct rec_input in = {.field = rp_str_c(field), .kind = IN_LIST, .items = items,
                               .nitems = k};
        struct rec r;
        err = rec_update(ctx, e, rp_str_c(rows[i]->id), &in, 1, -1, &r);
    }
    return err;
}

static enum rp_err fold(struct rec_ctx *ctx, const struct entity_def *e, const struct rec *keep,
                        const struct rec *gone)
{
    enum rp_err err = RP_OK;
    /* Every reference of every entity that can point at e: references to e, references
     * to a record of any entity naming e (an activity's related_id), lists of ids. */
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *other = meta_entity_at(k);
        for (size_t f = 0; f < other->nfields && !err; f++) {
            const struct field_def *fd = &other->fields[f];
            if (!meta_refers_to(other, fd, e))
                continue;
            if (fd->ref_type_field)
                err = repoint(ctx, other, fd->name, gone->id, keep->id, fd->ref_type_field,
                              e->name);
            else if (fd->type == FT_REF)
                err = repoint(ctx, other, fd->name, gone->id, keep->id, NULL, NULL);
            else
                err = repoint_lists(ctx, other, fd->name, gone->id, keep->id);
        }
    }
    if (!err)
        err = rec__audit_merge(ctx, e, keep, gone);
    if (!err)
        err = rec_delete(ctx, e, rp_str_c(gone->id), -1);
    return err;
}

enum rp_err dups_merge(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str survivor,
                       const struct rp_str *from, size_t nfrom, const struct rec_input *fields,
                       size_t nfields, struct rec *out)
{
    if (!dups_applies(e))
        return rec_bad_request(ctx, "%s cannot be merged", rec_labels(ctx, e));
    if (nfrom == 0 || nfrom > DUPS_MAX_MERGE)
        return rec_field_error(ctx, "from", "must list 1 to %u records", DUPS_MAX_MERGE);
    enum rp_err err = rec_tx_begin(ctx);
    if (err)
        return err;
    struct rec keep;
    err = rec_get(ctx, e, survivor, &keep);
    struct rec *gone = arena_calloc(ctx->a, nfrom, sizeof(*gone));
    for (size_t i = 0; i < nfrom && !err; i++) {
        if (rp_str_eqc(from[i], keep.id)) {
            err = rec_field_error(ctx, "from", "must not hold the surviving record");
            break;
        }
        err = rec_get(ctx, e, from[i], &gone[i]);
        if (err == RP_ENOTFOUND)
            err = rec_field_error(ctx, "from", "no %s with id %.*s", rec_label(ctx, e),
                                  (int)(from[i].len > 36 ? 36 : from[i].len), from[i].p);
    }
    /* Merging changes the survivor and every merged record (their links move, then
     * they go to the recycle bin): the caller needs to be allowed to edit all of
     * them, and to delete the merged ones, whatever the body asks. */
    if (!err)
        err = rec_check_action(ctx, e, &keep, ACL_EDIT, MSG("merge into"));
    for (size_t i = 0; i < nfrom && !err; i++) {
        err = rec_check_action(ctx, e, &gone[i], ACL_EDIT, MSG("merge away"));
        if (!err)
            err = rec_check_action(ctx, e, &gone[i], ACL_DELETE, MSG("merge away"));
    }
    if (!err && nfields) {
        struct rec changed;
        ctx->allow_duplicate = true;
        err = rec_update(ctx, e, rp_str_c(keep.id), fields, nfields, -1, &changed);
    }
    /* Re-pointing touches records the caller may not see (a colleague's deal on the
     * merged account): the system does it, in the caller's name. */
    const char *saved = rec_system_begin(ctx, "merge");
    ctx->allow_duplicate = true;
    for (size_t i = 0; i < nfrom && !err; i++)
        err = fold(ctx, e, &keep, &gone[i]);
    rec_system_end(ctx, saved);
    if (!err)
        err = rec_get(ctx, e, survivor, out);
    if (!err)
        err = secev_add(ctx, NULL, "bulk_delete", e->name, keep.id, "success",
                        arena_printf(ctx->a, "merge: %zu records moved to the recycle bin", nfrom));
    return rec_tx_end(ctx, err && ctx->nerrors ? RP_EINVAL : err);
}
