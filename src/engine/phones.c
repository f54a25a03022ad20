#include "core/common.h"

#include "core/log.h"
#include "engine/phones.h"
#include "engine/rec_int.h"
#include "store/platform.h"

/* The rules the stored keys were made by: raise it when phone_parse reads a number
 * differently, and every database rebuilds its keys at the next start. */
#define PHONES_RULES 1
/* Rows of one key read at most: the records answered, and as many again in the recycle
 * bin or out of the caller's sight. */
#define PHONES_MAX_ROWS (4 * PHONES_MAX_HITS)
/* Records read per page while the keys are rebuilt. */
#define PHONES_SYNC_PAGE "500"

static const struct phone_country *configured, *home;

void phones_configure(const struct phone_country *c)
{
    configured = c;
}

const struct phone_country *phones_home(void)
{
    return home ? home : phone_country("CN");
}

bool phones_applies(const struct entity_def *e)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_PHONE)
            return true;
    return false;
}

/* ---- keys ---- */

/* The key of field i of r, or NULL when it holds no phone number. */
static const char *key_of(struct arena *a, const struct rec *r, size_t i)
{
    const struct rec_value *v = &r->v[i];
    struct phone_number pn;
    if (v->null || phone_parse((struct rp_str){v->s, v->len}, phones_home(), &pn))
        return NULL;
    return arena_strdup(a, pn.key);
}

/* Whether r's phone fields give other keys than old's. */
static bool keys_changed(struct arena *a, const struct rec *r, const struct rec *old)
{
    const struct entity_def *e = r->ent;
    for (size_t i = 0; i < e->nfields; i++) {
        if (e->fields[i].type != FT_PHONE)
            continue;
        const char *k = key_of(a, r, i), *o = key_of(a, old, i);
        if ((k == NULL) != (o == NULL) || (k && strcmp(k, o) != 0))
            return true;
    }
    return false;
}

enum rp_err phones_index(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    const struct entity_def *e = r->ent;
    if (old && !keys_changed(ctx->a, r, old))
        return RP_OK;
    const char **fields = arena_calloc(ctx->a, e->nfields, sizeof(*fields));
    const char **keys = arena_calloc(ctx->a, e->nfields, sizeof(*keys));
    size_t n = 0;
    for (size_t i = 0; i < e->nfields; i++) {
        if (e->fields[i].type != FT_PHONE || !(keys[n] = key_of(ctx->a, r, i)))
            continue;
        fields[n++] = e->fields[i].name;
    }
    return store_phone_keys_replace(ctx->conn, e->name, r->id, !old, fields, keys, n);
}

/* ---- rebuilding ---- */

/* Writes the keys of every record of e (deleted: those in the recycle bin), a page at
 * a time in its own memory. */
static enum rp_err sync_entity(struct rec_ctx *ctx, const struct entity_def *e, bool deleted)
{
    struct arena *outer = ctx->a;
    char *cursor = NULL;
    enum rp_err err = RP_OK;
    do {
        struct arena page;
        arena_init(&page);
        ctx->a = &page;
        struct rec_param p[] = {{RP_STR("limit"), RP_STR(PHONES_SYNC_PAGE)},
                                {RP_STR("deleted"), deleted ? RP_STR("only") : RP_STR("false")},
                                {RP_STR("cursor"), rp_str_c(cursor)}};
        struct rec_query *q;
        struct rec_page pg = {0};
        err = rec_query_parse(ctx, e, p, cursor ? 3 : 2, &q);
        if (!err)
            err = rec_list(ctx, e, q, &pg);
        for (size_t i = 0; i < pg.nrows && !err; i++)
            err = phones_index(ctx, &pg.rows[i], NULL);
        free(cursor);
        cursor = !err && pg.next_cursor ? strdup(pg.next_cursor) : NULL;
        RP_ASSERT(err || !pg.next_cursor || cursor);
        arena_release(&page);
        ctx->a = outer;
    } while (cursor);
    return err;
}

enum rp_err phones_sync(struct store *s)
{
    struct arena a;
    arena_init(&a);
    struct store_conn *c;
    const char *mark = NULL;
    enum rp_err err = store_conn_get(s, &c);
    if (!err)
        err = store_setting_get(c, "phone_keys", &a, &mark);
    if (err)
        goto out;
    /* "1 CN": the rules and the country the keys were made by. */
    const char *iso = mark ? strchr(mark, ' ') : NULL;
    home = configured ? configured : iso ? phone_country(iso + 1) : NULL;
    if (!home)
        home = phone_country("CN");
    const char *want = arena_printf(&a, "%d %s", PHONES_RULES, home->iso);
    if (mark && strcmp(mark, want) == 0)
        goto out;
    LOG(LOG_INFO, "writing the phone keys of every record (%s)", want);
    struct rec_ctx ctx;
    rec_ctx_system(&ctx, s, c, &a, "phone keys");
    err = rec_tx_begin(&ctx);
    if (err)
        goto out;
    err = store_phone_keys_clear(c);
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (!phones_applies(e))
            continue;
        err = sync_entity(&ctx, e, false);
        if (!err)
            err = sync_entity(&ctx, e, true);
    }
    if (!err)
        err = store_setting_put(c, "phone_keys", want);
    err = rec_tx_end(&ctx, err);
out:
    arena_release(&a);
    return err;
}

/* ---- finding ---- */

enum rp_err phones_find(struct rec_ctx *ctx, const char *key, struct rec_hit **hits, size_t *n)
{
    struct store_phone_row *rows;
    size_t nrows;
    enum rp_err err = store_phone_keys_find(ctx->conn, key, PHONES_MAX_ROWS, ctx->a, &rows, &nrows);
    if (err)
        return err;
    struct rec_hit *out = arena_calloc(ctx->a, PHONES_MAX_HITS, sizeof(*out));
    size_t count = 0;
    for (size_t i = 0; i < nrows && count < PHONES_MAX_HITS; i++) {
        /* A record with the number in two fields is answered once, for the first. */
        if (count && strcmp(out[count - 1].id, rows[i].record_id) == 0 &&
            strcmp(out[count - 1].ent->name, rows[i].entity) == 0)
            continue;
        /* Keys of an entity or field removed since are stale: skipped. */
        const struct entity_def *e = meta_entity(rp_str_c(rows[i].entity));
        int f = e ? meta_field_index(e, rp_str_c(rows[i].field)) : -1;
        if (f < 0 || e->fields[f].type != FT_PHONE || rec_scope(ctx, e, ACL_READ) == SCOPE_NONE)
            continue;
        struct rec r;
        err = rec_get(ctx, e, rp_str_c(rows[i].record_id), &r);
        if (err == RP_ENOTFOUND) {
            err = RP_OK;
            continue;
        }
        if (err)
            return err;
        /* The value as the caller reads it must hold the number: a field their role
         * hides reads null, and is no way to find a record by its content. */
        const char *k = key_of(ctx->a, &r, (size_t)f);
        if (!k || strcmp(k, key) != 0)
            continue;
        rec__hit(ctx, &r, f, &out[count++]);
    }
    rec__name_owners(ctx, out, count);
    *hits = out;
    *n = count;
    return RP_OK;
}

enum rp_err phones_lookup(struct rec_ctx *ctx, struct rp_str number, struct phone_number *pn,
                          struct rec_hit **hits, size_t *n)
{
    if (phone_parse(number, phones_home(), pn))
        return rec_bad_request(ctx, "number is not a phone number (national numbers are"
                                    " read in %s, +%s)", phones_home()->iso, phones_home()->cc);
    return phones_find(ctx, pn->key, hits, n);
}
