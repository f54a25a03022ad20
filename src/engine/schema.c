/* Entity tables (created and migrated from metadata at start) and the statements
 * built once per entity. */
#include "core/common.h"

#include "engine/rec_int.h"

bool rec__is_int_type(enum field_type t)
{
    return t == FT_INT || t == FT_MONEY || t == FT_PERCENT || t == FT_BOOL;
}

/* Splits a comma-separated column list into cols (NULL-terminated, at most max names;
 * a leading '-' of a descending sort key is dropped). Returns how many. */
static size_t split_columns(const char *list, char *buf, size_t size, const char **cols,
                            size_t max)
{
    memset(cols, 0, (max + 1) * sizeof(*cols));
    snprintf(buf, size, "%s", list ? list : "");
    size_t n = 0;
    for (char *p = buf; p && *p && n < max;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        cols[n++] = *p == '-' ? p + 1 : p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

/* Whether the default sort's first column, or a declared index's, is f. */
static bool leads_an_index(const struct entity_def *e, const char *f)
{
    size_t n = strlen(f);
    const char *d = e->default_sort ? e->default_sort : "";
    d += *d == '-';
    if (strncmp(d, f, n) == 0 && (d[n] == ',' || d[n] == '\0'))
        return true;
    for (const char *p = e->indexes; p && *p;) {
        if (strncmp(p, f, n) == 0 && (p[n] == ',' || p[n] == ';' || p[n] == '\0'))
            return true;
        p = strchr(p, ';');
        p = p ? p + 1 : NULL;
    }
    return false;
}

bool rec__list_sort_index(const struct entity_def *e, const struct field_def *f)
{
    size_t n = 0;
    for (const struct field_def *g = e->fields; g < e->fields + e->nfields; g++) {
        bool has = (g->flags & FF_LIST) && meta_sortable(g) && !leads_an_index(e, g->name);
        if (has && n++ == RP_MAX_LIST_INDEXES)
            return false;
        if (g == f)
            return has;
    }
    return false;
}

bool rec__column_indexed(const struct entity_def *e, const struct field_def *f)
{
    static const char *const SYSTEM[] = {"id", "owner_id", "created_at", "updated_at"};
    for (size_t i = 0; i < RP_NELEM(SYSTEM); i++)
        if (f == meta_system_field(rp_str_c(SYSTEM[i])))
            return true;
    return (f->flags & (FF_INDEXED | FF_UNIQUE)) || leads_an_index(e, f->name) ||
           rec__list_sort_index(e, f);
}

void rec_store_table(const struct entity_def *e, struct rec_table *out)
{
    /* The default sort's columns, for the list index; the totals' for theirs. */
    size_t ns = split_columns(e->default_sort, out->sortbuf, sizeof(out->sortbuf), out->sortcols,
                              RP_MAX_SORT_KEYS);
    size_t nt = split_columns(e->totals, out->totalsbuf, sizeof(out->totalsbuf),
                              out->totalscols, RP_NELEM(out->totalscols) - 1);
    size_t nspan = split_columns(e->span, out->spanbuf, sizeof(out->spanbuf), out->spancols,
                                 RP_NELEM(out->spancols) - 1);
    RP_ASSERT(nspan == 0 || nspan == 2);
    /* The further indexes: each a list of columns, all of them of e. */
    size_t ni = 0;
    memset(out->indexes, 0, sizeof(out->indexes));
    for (const char *p = e->indexes; p && *p; ni++) {
        RP_ASSERT(ni < RP_MAX_ENTITY_INDEXES);
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        char one[128];
        RP_ASSERT(len < sizeof(one));
        memcpy(one, p, len);
        one[len] = '\0';
        size_t nc = split_columns(one, out->indexbuf[ni], sizeof(out->indexbuf[ni]),
                                  out->indexcols[ni], RP_MAX_INDEX_COLUMNS);
        RP_ASSERT(nc >= 2);
        /* seq, the records' order, may end one: ties of its other keys then come in
         * the order lists and worklists page by, and ORDER BY x, seq reads no more rows
         * than it returns. */
        for (size_t c = 0; c < nc; c++)
            RP_ASSERT(meta_field(e, rp_str_c(out->indexcols[ni][c])) ||
                      meta_system_field(rp_str_c(out->indexcols[ni][c])) ||
                      (c == nc - 1 && strcmp(out->indexcols[ni][c], "seq") == 0));
        out->indexes[ni] = out->indexcols[ni];
        p = semi ? semi + 1 : NULL;
    }
    /* The list columns' sort indexes (rec__list_sort_index). */
    for (size_t i = 0; i < e->nfields && ni < RP_NELEM(out->indexcols); i++) {
        if (!rec__list_sort_index(e, &e->fields[i]))
            continue;
        memset(out->indexcols[ni], 0, sizeof(out->indexcols[ni]));
        out->indexcols[ni][0] = e->fields[i].name;
        out->indexcols[ni][1] = "seq";
        out->indexes[ni] = out->indexcols[ni];
        ni++;
    }
    RP_ASSERT(!e->counts || meta_field(e, rp_str_c(e->counts)));
    size_t n = 0;
    RP_ASSERT(e->nfields <= RP_NELEM(out->cols));
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        /* The list or totals index starting with this column serves its lookups too:
         * a second index would only cost every write. */
        bool leads = (ns && strcmp(out->sortcols[0], f->name) == 0) ||
                     (nt && strcmp(out->totalscols[0], f->name) == 0);
        for (size_t k = 0; k < ni; k++)
            leads = leads || strcmp(out->indexcols[k][0], f->name) == 0;
        out->cols[n++] = (struct store_column){
            f->name, rec__is_int_type(f->type) ? STORE_COL_INT : STORE_COL_TEXT,
            (f->flags & FF_UNIQUE) != 0, (f->flags & FF_INDEXED) && !leads};
    }
    const struct field_def *value = nt > 1 ? meta_field(e, rp_str_c(out->totalscols[1])) : NULL;
    out->t = (struct store_table){e->name, out->cols, n, meta_searchable(e), out->sortcols,
                                  nt ? out->totalscols : NULL, nspan ? out->spancols : NULL,
                                  value ? value->currency_field : NULL,
                                  ni ? out->indexes : NULL, e->counts};
}

enum rp_err rec_sync_schema(struct store_conn *c)
{
    enum rp_err err = store_begin(c, true);
    if (err)
        return err;
    for (size_t k = 0; k < meta_entity_count() && !err; k++) {
        struct rec_table t;
        rec_store_table(meta_entity_at(k), &t);
        err = store_sync_table(c, &t.t);
    }
    if (err) {
        store_rollback(c);
        return err;
    }
    return store_commit(c);
}


/* A buffer's text copied into the arena; the buffer is released. */
static char *keep(struct arena *a, struct rp_buf *b)
{
    char *s = arena_strndup(a, buf_cstr(b), b->len);
    buf_release(b);
    return s;
}

enum rp_err rec__entity_sql(struct arena *a, const struct entity_def *e,
                            const struct rec_sql **out)
{
    struct rp_buf cols, sel, ins, get, any, del;
    buf_init(&cols, RP_MAX_SQL);
    buf_init(&sel, RP_MAX_SQL);
    buf_init(&ins, RP_MAX_SQL);
    buf_init(&get, RP_MAX_SQL);
    buf_init(&any, RP_MAX_SQL);
    buf_init(&del, RP_MAX_SQL);
    enum rp_err err = buf_adds(&cols, "SELECT " REC_SYS_COLS);
    if (!err)
        err = buf_printf(&ins,
                         "INSERT INTO %s (id, workspace_id, created_at, updated_at, created_by,"
                         " owner_id, version",
                         e->name);
    for (size_t i = 0; i < e->nfields && !err; i++) {
        err = buf_printf(&cols, ", t.%s", e->fields[i].name);
        if (!err)
            err = buf_printf(&ins, ", %s", e->fields[i].name);
    }
    if (!err)
        err = buf_printf(&sel, "%s FROM %s t", buf_cstr(&cols), e->name);
    if (!err)
        err = buf_adds(&ins, ") VALUES (?, 1, ?, ?, ?, ?, 1");
    for (size_t i = 0; i < e->nfields && !err; i++)
        err = buf_adds(&ins, ", ?");
    if (!err)
        err = buf_adds(&ins, ")");
    if (!err)
        err = buf_printf(&get, "%s WHERE t.id = ? AND t.workspace_id = 1 AND t.deleted_at IS NULL",
                         buf_cstr(&sel));
    if (!err)
        err = buf_printf(&any, "%s WHERE t.id = ? AND t.workspace_id = 1", buf_cstr(&sel));
    if (!err)
        err = buf_printf(&del,
                         "UPDATE %s SET deleted_at = ?, deleted_by = ?, updated_at = ?,"
                         " version = version + 1"
                         " WHERE seq = ? AND version = ?",
                         e->name);
    if (err) {
        buf_release(&cols);
        buf_release(&sel);
        buf_release(&ins);
        buf_release(&get);
        buf_release(&any);
        buf_release(&del);
        return err;
    }
    struct rec_sql *q = arena_alloc(a, sizeof(*q));
    *q = (struct rec_sql){keep(a, &cols), keep(a, &sel), keep(a, &get),
                          keep(a, &any),  keep(a, &ins), keep(a, &del)};
    *out = q;
    return RP_OK;
}

enum rp_err rec__update_sql(const struct entity_def *e, bool owner, const bool *changed,
                            struct rp_buf *out)
{
    enum rp_err err = buf_printf(out, "UPDATE %s SET updated_at = ?, version = version + 1%s",
                                 e->name, owner ? ", owner_id = ?" : "");
    for (size_t i = 0; i < e->nfields && !err; i++)
        if (changed[i])
            err = buf_printf(out, ", %s = ?", e->fields[i].name);
    return err ? err : buf_adds(out, " WHERE seq = ? AND version = ?");
}
