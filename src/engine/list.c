/* Lists (DESIGN §5): a page in keyset order, its count and sums, search across
 * entities, and the lookups other engine code makes by list. */
#include "core/common.h"

#include "core/phone.h"
#include "core/text.h"
#include "engine/phones.h"
#include "engine/query_int.h"

/* Keyset condition: rows strictly after the cursor in (sort keys…, seq) order, with
 * NULL first ascending and last descending (ORDER BY says so explicitly). */
static void keyset(struct rec_ctx *ctx, const struct rec_query *q, size_t i, struct sqlb *b)
{
    if (i == q->nsort) {
        bool desc = q->nsort ? q->sort[q->nsort - 1].desc : q->newest;
        sqlb_add(b, "%s.seq %s ?", q->newest ? "f" : "t", desc ? "<" : ">");
        sqlb_param(ctx, b, store_int(q->after_seq));
        return;
    }
    const char *c = q->sort[i].col.name;
    bool desc = q->sort[i].desc;
    struct store_val v = q->after[i];
    sqlb_add(b, "(");
    if (v.type == STORE_NULL) {
        if (desc)
            sqlb_add(b, "t.%s IS NULL AND (", c);
        else
            sqlb_add(b, "t.%s IS NOT NULL OR (t.%s IS NULL AND (", c, c);
    } else {
        if (desc)
            sqlb_add(b, "t.%s < ? OR t.%s IS NULL OR (t.%s = ? AND (", c, c, c);
        else
            sqlb_add(b, "t.%s > ? OR (t.%s = ? AND (", c, c);
        sqlb_param(ctx, b, v);
        sqlb_param(ctx, b, v);
    }
    keyset(ctx, q, i + 1, b);
    sqlb_add(b, "%s", (v.type == STORE_NULL && desc) ? "))" : ")))");
}

/* Columns the store declares NOT NULL (store/db.h) that a list can sort by. */
static bool never_null(const struct col *c)
{
    return strcmp(c->name, "id") == 0 || strcmp(c->name, "created_at") == 0 ||
           strcmp(c->name, "updated_at") == 0;
}

/* Whether the rows after the cursor lie in two ranges of the first sort key:
 * descending after a value, the smaller values and then the NULLs (which sort last);
 * ascending after a NULL, the rest of the NULLs and then every value. No one range
 * covers both, so the page reads them as two statements (list_page). */
static bool split_after(const struct rec_query *q)
{
    if (!q->has_cursor || q->nsort == 0 || never_null(&q->sort[0].col))
        return false;
    bool null = q->after[0].type == STORE_NULL;
    return q->sort[0].desc ? !null : null;
}

/* The condition for the rows after the cursor in range `part` (0, or 1 for the
 * second range of split_after): the keyset condition, led by a bound on the first sort
 * key that it implies. With the cursor's values as parameters the planner sees no
 * range through the keyset's OR: it walked the list index from its start on every
 * page, so a page cost its depth and an export of a million contacts (2,000 pages)
 * took 162 s instead of 4. */
static void after_cursor(struct rec_ctx *ctx, const struct rec_query *q, int part,
                         struct sqlb *b)
{
    if (q->nsort) {
        const struct sort_key *k = &q->sort[0];
        if (part == 1) {
            /* Every row of the second range comes after the cursor. */
            sqlb_add(b, "t.%s IS %sNULL", k->col.name, k->desc ? "" : "NOT ");
            return;
        }
        if (q->after[0].type != STORE_NULL) {
            sqlb_add(b, "t.%s %s ? AND ", k->col.name, k->desc ? "<=" : ">=");
            sqlb_param(ctx, b, q->after[0]);
        } else if (!k->desc) {
            sqlb_add(b, "t.%s IS NULL AND ", k->col.name);
        }
    }
    keyset(ctx, q, 0, b);
}

/* Appends to out->currency_sums the sums of money field f per currency (its
 * currency_field), unless the caller's role hides the currency. */
static enum rp_err sum_by_currency(struct rec_ctx *ctx, const struct entity_def *e,
                                   struct rec_query *q, const struct field_def *f,
                                   struct rec_page *out, size_t *cap)
{
    int cur = meta_field_index(e, rp_str_c(f->currency_field));
    RP_ASSERT(cur >= 0);
    if (rec_field_rule(ctx, e, (size_t)cur) == ACL_FIELD_HIDDEN)
        return RP_OK;
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "SELECT coalesce(t.%s, ''), coalesce(sum(t.%s), 0) FROM %s t",
             f->currency_field, f->name, e->name);
    struct store_stmt *st = NULL;
    enum rp_err err = rec__where(ctx, e, q, false, &b);
    sqlb_add(&b, "%s", " GROUP BY 1 ORDER BY 1");
    if (!err)
        err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    if (err)
        return err;
    bool row;
    while (!(err = store_step(st, &row)) && row) {
        if (*cap == 0) {
            *cap = 8;
            out->currency_sums = arena_calloc(ctx->a, *cap, sizeof(*out->currency_sums));
        } else if (out->ncurrency_sums == *cap) {
            out->currency_sums = arena_grow(ctx->a, out->currency_sums, cap,
                                            sizeof(*out->currency_sums));
        }
        out->currency_sums[out->ncurrency_sums++] = (struct rec_currency_sum){
            f->name, rec__col_dup(ctx, st, 0, NULL), store_col_int(st, 1)};
    }
    store_done(st);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sum is beyond the range of a number");
    return err;
}

static enum rp_err aggregates(struct rec_ctx *ctx, const struct entity_def *e,
                              struct rec_query *q, struct rec_page *out)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", "SELECT count(*)");
    for (size_t i = 0; i < q->nsums; i++)
        sqlb_add(&b, ", coalesce(sum(t.%s), 0)", q->sums[i]->name);
    sqlb_add(&b, " FROM %s t", e->name);
    struct store_stmt *st = NULL;
    enum rp_err err = rec__where(ctx, e, q, false, &b);
    if (!err)
        err = sqlb_prepare(ctx, &b, &st);
    sqlb_release(&b);
    if (err)
        return err;
    bool row;
    err = store_step(st, &row);
    if (err == RP_ERANGE)
        err = rec_bad_request(ctx, "the sum is beyond the range of a number");
    if (!err && row) {
        out->has_total = q->count;
        out->total = store_col_int(st, 0);
        out->nsums = q->nsums;
        out->sum_fields = arena_alloc(ctx->a, (q->nsums + 1) * sizeof(char *));
        out->sums = arena_alloc(ctx->a, (q->nsums + 1) * sizeof(int64_t));
        for (size_t i = 0; i < q->nsums; i++) {
            out->sum_fields[i] = q->sums[i]->name;
            out->sums[i] = store_col_int(st, 1 + (int)i);
        }
    }
    store_done(st);
    size_t cap = 0;
    for (size_t i = 0; i < q->nsums && !err; i++)
        if (q->sums[i]->type == FT_MONEY && q->sums[i]->currency_field)
            err = sum_by_currency(ctx, e, q, q->sums[i], out, &cap);
    return err;
}

/* Whether a like filter of q has words the full-text index finds (rec__like_terms). */
static bool like_words(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_query *q)
{
    struct rp_str term;
    for (size_t i = 0; i < q->nfilters; i++)
        if (rec__like_terms(ctx, e, &q->filters[i], &term, 1))
            return true;
    return false;
}

/* The count and sums. With a like filter whose words the full-text index finds, they
 * are first read from the records the words are in, for at most ten times a page's
 * trial (rec__list_trial_steps): 19 of a million contacts by e-mail in 20 ms, where reading every record the
 * caller may see took 1.1 s. Words in many records make that longer than reading the
 * caller's records, and the trial stops for it. */
static enum rp_err run_aggregates(struct rec_ctx *ctx, const struct entity_def *e,
                                  struct rec_query *q, struct rec_page *out)
{
    if (store_fts_finds_like(ctx->store) && like_words(ctx, e, q) &&
        store_trial_begin(ctx->conn, rec__list_trial_steps * 10)) {
        q->like_by_fts = true;
        enum rp_err err = aggregates(ctx, e, q, out);
        q->like_by_fts = false;
        if (!store_trial_end(ctx->conn) || err != RP_ETIMEOUT)
            return err;
        out->ncurrency_sums = 0;
    }
    return aggregates(ctx, e, q, out);
}

/* Prepares the statement for range `part` of a list page (see after_cursor), reading
 * at most `limit` rows, after `prefix` (list_page: none; rec__list_plan: EXPLAIN QUERY
 * PLAN). */
static enum rp_err page_statement(struct rec_ctx *ctx, const struct entity_def *e,
                                  struct rec_query *q, int part, size_t limit,
                                  const char *prefix, const char *hint, bool seek,
                                  struct store_stmt **st)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s", prefix);
    if (hint) {
        sqlb_add(&b, "%s", e->sql->select);
        if (!b.err)
            b.err = store_index_hint(ctx->conn, &b.sql, hint);
    } else if (q->newest) {
        /* The matches drive the join, in their index's order (SQLite's full-text index
         * hands them out newest first and stops when the page is full). */
        sqlb_add(&b, "%s FROM (", e->sql->columns);
        sqlb_fts_matches(ctx, &b, e, q->terms, q->nterms);
        sqlb_add(&b, ") f JOIN %s t ON t.seq = f.seq", e->name);
    } else {
        sqlb_add(&b, "%s", e->sql->select);
    }
    enum rp_err err = rec__where(ctx, e, q, true, &b);
    if (!err && q->has_cursor) {
        sqlb_add(&b, "%s", " AND ");
        after_cursor(ctx, q, part, &b);
    }
    if (!err) {
        sqlb_add(&b, "%s", " ORDER BY ");
        /* NULL placement is spelled out, seq's too, so every backend orders as keyset()
         * expects and as the list indexes are ordered (PostgreSQL's are NULLS FIRST). */
        for (size_t i = 0; i < q->nsort; i++)
            sqlb_add(&b, "%st.%s%s, ", seek ? "+" : "", q->sort[i].col.name,
                q->sort[i].desc ? " DESC NULLS LAST" : " NULLS FIRST");
        if (q->newest)
            sqlb_add(&b, "%s", "f.seq DESC LIMIT ?");
        else
            sqlb_add(&b, "%st.seq%s LIMIT ?", seek ? "+" : "",
                q->nsort && q->sort[q->nsort - 1].desc ? " DESC NULLS LAST" : " NULLS FIRST");
        sqlb_param(ctx, &b, store_int((int64_t)limit));
        err = sqlb_prepare(ctx, &b, st);
    }
    sqlb_release(&b);
    return err;
}

enum rp_err rec__list_plan(struct rec_ctx *ctx, const struct entity_def *e,
                           struct rec_query *q, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    enum rp_err err = RP_OK;
    for (int part = 0; part < (split_after(q) ? 2 : 1) && !err; part++) {
        if (part && used < size)
            used += (size_t)snprintf(out + used, size - used, "then\n");
        struct store_stmt *st = NULL;
        err = page_statement(ctx, e, q, part, q->limit + 1, "EXPLAIN QUERY PLAN ", NULL, false, &st);
        if (err)
            return err;
        bool row;
        while (!(err = store_step(st, &row)) && row && used < size)
            used += (size_t)snprintf(out + used, size - used, "%s\n",
                                     store_col_text(st, 3, NULL));
        store_done(st);
    }
    return err;
}

/* Reads a page (one more row than asked, for the next cursor), from one statement or,
 * when the rows after the cursor lie in two ranges, from two in turn (through index
 * `hint` when it is not NULL). Rows are read into an array that grows: a
 * large limit costs nothing unless the rows exist. A page whose rows hold
 * RP_MAX_PAGE_TEXT bytes of text ends there, with a next cursor. */
static enum rp_err read_page(struct rec_ctx *ctx, const struct entity_def *e,
                             struct rec_query *q, const char *hint, bool seek,
                             struct rec_page *out)
{
    size_t cap = 0, text = 0;
    enum rp_err err = RP_OK;
    for (int part = 0; part < (split_after(q) ? 2 : 1) && !err && !out->next_cursor; part++) {
        struct store_stmt *st = NULL;
        err = page_statement(ctx, e, q, part, q->limit + 1 - out->nrows, "", hint, seek, &st);
        if (err)
            return err;
        bool row;
        while (!(err = store_step(st, &row)) && row) {
            if (out->nrows == q->limit || text >= RP_MAX_PAGE_TEXT) {
                out->next_cursor = rec__cursor_encode(ctx, e, q, &out->rows[out->nrows - 1]);
                break;
            }
            if (out->nrows == cap)
                out->rows = arena_grow(ctx->a, out->rows, &cap, sizeof(*out->rows));
            rec__read_row(ctx, st, e, &out->rows[out->nrows]);
            rec_mask(ctx, &out->rows[out->nrows]);
            text += rec__text_bytes(&out->rows[out->nrows++]);
        }
        store_done(st);
    }
    return err;
}

/* The index whose order is q's sort, keys and ties alike: <table>__list for the
 * default sort or its reverse, <table>__<field>_seq for a list column
 * (rec__list_sort_index), and the owner's and the times' own indexes, whose ties SQLite
 * orders by seq (the rowid). False for any other sort, and for a search. */
static bool sort_index(const struct entity_def *e, const struct rec_query *q, char *out,
                       size_t size)
{
    if (q->nsort == 0 || q->newest || q->nterms)
        return false;
    struct rp_str key;
    bool desc, flip = false, same = true;
    size_t k = 0;
    for (size_t at = 0; same && rec__next_sort_key(rp_str_c(e->default_sort), &at, &key, &desc);
         k++) {
        flip = k ? flip : q->sort[0].desc != desc;
        same = k < q->nsort && rp_str_eqc(key, q->sort[k].col.name) &&
               q->sort[k].desc == (desc != flip);
    }
    if (same && k == q->nsort) {
        snprintf(out, size, "%s__list", e->name);
        return true;
    }
    if (q->nsort != 1)
        return false;
    static const char *const SYSTEM[][2] = {
        {"owner_id", "owner"}, {"created_at", "created"}, {"updated_at", "updated"}};
    const struct col *c = &q->sort[0].col;
    for (size_t i = 0; i < RP_NELEM(SYSTEM); i++) {
        if (c->f == meta_system_field(rp_str_c(SYSTEM[i][0]))) {
            snprintf(out, size, "%s_%s", e->name, SYSTEM[i][1]);
            return true;
        }
    }
    if (!rec__list_sort_index(e, c->f))
        return false;
    snprintf(out, size, "%s__%s_seq", e->name, c->name);
    return true;
}

uint64_t rec__list_trial_steps = RP_LIST_TRIAL_STEPS;

/* Whether q has an equality filter on column name. */
static bool equal_filter(const struct rec_query *q, struct rp_str name)
{
    for (size_t i = 0; i < q->nfilters; i++)
        if (q->filters[i].op == OP_EQ && rp_str_eqc(name, q->filters[i].col.name))
            return true;
    return false;
}

/* Whether index columns `cols` ("a,-b,c"; '-' only in a default sort) lead with columns
 * of q's equality filters and go on with q's sort keys, in their order or wholly
 * reversed: that index reads the page in order after a seek, and SQLite finds it. */
static bool seeks_in_order(const struct rec_query *q, struct rp_str cols)
{
    size_t k = 0, eq = 0;
    struct rp_str c;
    bool desc, flip = false;
    for (size_t at = 0; k < q->nsort && rec__next_sort_key(cols, &at, &c, &desc);) {
        if (k == 0 && equal_filter(q, c)) {
            eq++;
            continue;
        }
        if (!rp_str_eqc(c, q->sort[k].col.name))
            return false;
        flip = k ? flip : q->sort[0].desc != desc;
        if (q->sort[k].desc != (desc != flip))
            return false;
        k++;
    }
    return eq && k == q->nsort;
}

/* Whether the default sort's index or a declared one seeks q's filter and reads its
 * order (seeks_in_order): then SQLite's own plan is the best there is, and a trial of
 * the sort index would only cost its budget (contacts?last_name=X&sort=first_name:
 * 8,000 pages a second on contacts__list, 290 after a trial each). */
static bool seek_in_order(const struct entity_def *e, const struct rec_query *q)
{
    if (seeks_in_order(q, rp_str_c(e->default_sort)))
        return true;
    for (const char *p = e->indexes; p && *p;) {
        const char *semi = strchr(p, ';');
        struct rp_str one = {p, semi ? (size_t)(semi - p) : strlen(p)};
        if (seeks_in_order(q, one))
            return true;
        p = semi ? semi + 1 : NULL;
    }
    return false;
}

/* Whether a filter of q can seek an index: a value, a list of values or a range of a
 * column that leads one, the team filter (owner_id), or words of a like pattern the
 * full-text index finds (rec__like_terms). */
static bool seekable(struct rec_ctx *ctx, const struct entity_def *e, const struct rec_query *q)
{
    if (q->team_json)
        return true;
    for (size_t i = 0; i < q->nfilters; i++) {
        const struct filter *f = &q->filters[i];
        struct rp_str term;
        if (f->op == OP_LIKE && rec__like_terms(ctx, e, f, &term, 1))
            return true;
        bool seeks = f->op != OP_LIKE && f->op != OP_NE && (f->op != OP_NULL || f->vals[0].i);
        if (seeks && rec__column_indexed(e, f->col.f))
            return true;
    }
    return false;
}

/* A filtered page sorted by a column with an index of its order is first read by
 * walking that index, for at most rec__list_trial_steps steps (store_trial_begin): the
 * walk is the fastest plan when the filters keep a fair share of the rows, and SQLite,
 * which plans without knowing which value a filter asks for, takes it for every value:
 * for a rep of another team (none of whose contacts the caller sees) it walked all of
 * a million contacts, 100 ms. When the walk runs long, the page is read again sorting
 * what the filter's index finds (ORDER BY +column: no index gives that order) — for a
 * like filter the full-text index, which finds the pattern's words — or with the
 * database's own plan when no filter can seek. PostgreSQL plans from each value's
 * frequency itself, and store_trial_begin says false. */
static enum rp_err list_page(struct rec_ctx *ctx, const struct entity_def *e,
                             struct rec_query *q, struct rec_page *out)
{
    char hint[128];
    bool filtered = q->nfilters || q->team_json;
    if (filtered && ctx->tx_depth == 0 && !seek_in_order(e, q) &&
        sort_index(e, q, hint, sizeof(hint)) &&
        store_trial_begin(ctx->conn, rec__list_trial_steps)) {
        enum rp_err err = read_page(ctx, e, q, hint, false, out);
        if (!store_trial_end(ctx->conn) || err != RP_ETIMEOUT)
            return err;
        *out = (struct rec_page){0};
        bool seek = seekable(ctx, e, q);
        q->like_by_fts = true;
        err = read_page(ctx, e, q, NULL, seek, out);
        q->like_by_fts = false;
        return err;
    }
    return read_page(ctx, e, q, NULL, false, out);
}

enum rp_err rec_list(struct rec_ctx *ctx, const struct entity_def *e, struct rec_query *q,
                     struct rec_page *out)
{
    memset(out, 0, sizeof(*out));
    if (q->limit == 0)
        return RP_OK;
    /* With a count or sums, page and totals are read in one snapshot so they agree
     * (inside an engine transaction they already are). */
    bool totals = q->count || q->nsums;
    bool snapshot = totals && ctx->tx_depth == 0;
    enum rp_err err = snapshot ? store_begin(ctx->conn, false) : RP_OK;
    if (err)
        return err;
    err = list_page(ctx, e, q, out);
    if (!err && totals)
        err = run_aggregates(ctx, e, q, out);
    if (snapshot) {
        if (err)
            store_rollback(ctx->conn);
        else
            err = store_commit(ctx->conn);
    }
    return err;
}

enum rp_err rec__key_exists(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str key,
                            bool *found)
{
    char sqltext[256];
    snprintf(sqltext, sizeof(sqltext),
             "SELECT 1 FROM %s t WHERE t.key = ? AND t.workspace_id = 1 AND t.deleted_at IS NULL",
             e->name);
    struct store_stmt *st;
    enum rp_err err = store_prepare(ctx->conn, sqltext, &st);
    if (err)
        return err;
    err = store_bind(st, 1, store_text(key.p, key.len));
    if (!err)
        err = store_step(st, found);
    store_done(st);
    return err;
}

enum rp_err rec_enum_values(struct rec_ctx *ctx, const struct field_def *f, const char ***values,
                            size_t *n)
{
    *n = 0;
    if (f->enum_values) {
        size_t count = 0;
        while (f->enum_values[count])
            count++;
        *values = (const char **)(uintptr_t)f->enum_values;
        *n = count;
        return RP_OK;
    }
    const struct entity_def *src = meta_entity(rp_str_c(f->ref_entity));
    int key = meta_field_index(src, RP_STR("key"));
    RP_ASSERT(key >= 0);
    struct rec_query q = {0};
    q.limit = RP_MAX_PAGE;
    enum rp_err err = rec__parse_sort(ctx, src, rp_str_c(src->default_sort), &q);
    RP_ASSERT(err == RP_OK);
    const char *saved = rec_system_begin(ctx, "enum values"); /* allowed values are not secrets */
    struct rec_page page;
    err = rec_list(ctx, src, &q, &page);
    rec_system_end(ctx, saved);
    if (err)
        return err;
    const char **out = arena_alloc(ctx->a, (page.nrows + 1) * sizeof(*out));
    for (size_t i = 0; i < page.nrows; i++)
        out[i] = page.rows[i].v[key].s;
    *values = out;
    *n = page.nrows;
    return RP_OK;
}

/* ---- search ---- */

/* The field of e whose duplicate role is `role`, or -1. */
static int role_field(const struct entity_def *e, enum field_dup role)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (e->fields[i].dup == role)
            return (int)i;
    return -1;
}

/* The value of field i of r as text, or NULL when it is empty or hidden. */
static const char *shown(struct rec_ctx *ctx, const struct rec *r, int i)
{
    if (i < 0 || rec_hidden(r, (size_t)i) || r->v[i].null)
        return NULL;
    const char *t = rec_value_text(ctx->a, &r->ent->fields[i], &r->v[i]);
    return t && *t ? t : NULL;
}

/* The name of user id as the caller may read it (display name, else username). */
static const char *user_name(struct rec_ctx *ctx, const char *id)
{
    const struct field_def *owner = meta_system_field(RP_STR("owner_id"));
    const struct entity_def *ue = id && owner->ref_entity ? meta_entity(rp_str_c(owner->ref_entity))
                                                          : NULL;
    struct rec u;
    if (!ue || rec_get(ctx, ue, rp_str_c(id), &u) != RP_OK)
        return NULL;
    const char *name = ue->display_field
                           ? shown(ctx, &u, meta_field_index(ue, rp_str_c(ue->display_field)))
                           : NULL;
    return name ? name : shown(ctx, &u, meta_field_index(ue, rp_str_c(ue->title_field)));
}

void rec__hit(struct rec_ctx *ctx, const struct rec *r, int matched, struct rec_hit *out)
{
    const struct entity_def *e = r->ent;
    int title = meta_field_index(e, rp_str_c(e->title_field));
    int first = role_field(e, DUP_FIRST_NAME), last = role_field(e, DUP_LAST_NAME);
    memset(out, 0, sizeof(*out));
    out->ent = e;
    out->id = r->id;
    out->owner_id = r->owner_id;
    out->title = shown(ctx, r, title);
    if (last == title && first >= 0) {
        /* People are named in full, family name first in Chinese (李小明). */
        const char *f = shown(ctx, r, first), *l = out->title;
        out->title = text_person_name(ctx->a, rp_str_c(f), rp_str_c(l));
    }
    if (!out->title || !*out->title)
        out->title = r->id;
    if (matched >= 0) {
        out->matched = &e->fields[matched];
        out->matched_value = shown(ctx, r, matched);
    }
    for (size_t i = 0; i < e->nfields && !out->key_field; i++) {
        const struct field_def *f = &e->fields[i];
        if (!(f->flags & FF_LIST) || (int)i == title || (int)i == first || (int)i == matched ||
            f->type == FT_REF || f->type == FT_MULTI_REF || f->type == FT_JSON ||
            f->type == FT_MULTI_ENUM || f->type == FT_BOOL)
            continue;
        const char *v = shown(ctx, r, (int)i);
        if (v) {
            out->key_field = f;
            out->key_value = v;
        }
    }
}

void rec__name_owners(struct rec_ctx *ctx, struct rec_hit *hits, size_t n)
{
    /* Hits share few owners: each is read once. */
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < i && !(hits[k].owner_id && hits[i].owner_id &&
                          strcmp(hits[k].owner_id, hits[i].owner_id) == 0))
            k++;
        hits[i].owner_name = k < i ? hits[k].owner_name : user_name(ctx, hits[i].owner_id);
    }
}

/* Whether hay holds needle, ASCII letters compared without case (as the full-text
 * indexes compare them). */
static bool contains(const char *hay, struct rp_str needle)
{
    size_t n = strlen(hay);
    for (size_t i = 0; i + needle.len <= n; i++) {
        size_t k = 0;
        while (k < needle.len) {
            unsigned char a = (unsigned char)hay[i + k], b = (unsigned char)needle.p[k];
            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a + 32);
            if (b >= 'A' && b <= 'Z')
                b = (unsigned char)(b + 32);
            if (a != b)
                break;
            k++;
        }
        if (k == needle.len)
            return true;
    }
    return false;
}

/* The searchable field of r whose text holds the first search term, or -1. */
static int matched_field(struct rec_ctx *ctx, const struct rec *r, const struct rec_query *q)
{
    for (size_t i = 0; i < r->ent->nfields; i++) {
        const char *t = (r->ent->fields[i].flags & FF_SEARCH) ? shown(ctx, r, (int)i) : NULL;
        if (t && contains(t, q->terms[0]))
            return (int)i;
    }
    return -1;
}

static bool has_hit(const struct rec_hit *hits, size_t n, const struct rec *r)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].ent == r->ent && strcmp(hits[i].id, r->id) == 0)
            return true;
    return false;
}

enum rp_err rec_search_all(struct rec_ctx *ctx, struct rp_str q, size_t per_entity,
                           struct rec_hit **hits, size_t *n)
{
    struct rec_hit *phone_hits = NULL;
    size_t nphone = 0;
    struct phone_number pn;
    bool phone = phone_parse(q, phones_home(), &pn) == RP_OK && pn.exact;
    enum rp_err err = phone ? phones_find(ctx, pn.key, &phone_hits, &nphone) : RP_OK;
    if (err)
        return err;
    struct rec_query query = {0};
    err = rec__parse_terms(ctx, q, query.terms, &query.nterms);
    if (err == RP_EINVAL && phone) {
        /* "1 415 555 0100": a number, not search terms; its digits are found above. */
        ctx->detail = NULL;
        ctx->bad_request = false;
        query.nterms = 0;
    } else if (err) {
        return err;
    }
    size_t cap = nphone + per_entity * meta_entity_count();
    struct rec_hit *out = arena_calloc(ctx->a, cap ? cap : 1, sizeof(*out));
    if (nphone)
        memcpy(out, phone_hits, nphone * sizeof(*out));
    size_t count = nphone;
    for (size_t k = 0; k < meta_entity_count() && query.nterms; k++) {
        const struct entity_def *e = meta_entity_at(k);
        if (!meta_searchable(e) || rec_scope(ctx, e, ACL_READ) == SCOPE_NONE ||
            rec__search_hidden(ctx, e))
            continue;
        struct rec_query eq = query;
        eq.limit = per_entity;
        eq.newest = true;
        struct rec_page page;
        err = rec_list(ctx, e, &eq, &page);
        if (err)
            return err;
        for (size_t i = 0; i < page.nrows; i++)
            if (!has_hit(out, nphone, &page.rows[i]))
                rec__hit(ctx, &page.rows[i], matched_field(ctx, &page.rows[i], &query),
                         &out[count++]);
    }
    rec__name_owners(ctx, out, count);
    *hits = out;
    *n = count;
    return RP_OK;
}

enum rp_err rec__list_containing(struct rec_ctx *ctx, const struct entity_def *e,
                                 const char *field, const char *id, bool deleted,
                                 struct rec ***rows, size_t *n)
{
    struct sqlb b;
    sqlb_init(&b);
    sqlb_add(&b, "%s WHERE t.workspace_id = 1 AND t.deleted_at IS %s AND ", e->sql->select,
             deleted ? "NOT NULL" : "NULL");
    char col[80];
    snprintf(col, sizeof(col), "t.%s", field);
    if (!b.err)
        b.err = store_json_array_has_any(ctx->store, &b.sql, col, 1);
    sqlb_param(ctx, &b, store_cstr(id));
    sqlb_add(&b, "%s", " LIMIT ?");
    sqlb_param(ctx, &b, store_int(RP_MAX_PAGE));
    struct rec *found;
    enum rp_err err = sqlb_read(ctx, &b, e, RP_MAX_PAGE, 0, &found, n);
    sqlb_release(&b);
    if (err)
        return err;
    struct rec **out = arena_alloc(ctx->a, (*n + 1) * sizeof(*out));
    for (size_t i = 0; i < *n; i++)
        out[i] = &found[i];
    *rows = out;
    return RP_OK;
}
