#include "core/common.h"

#include <stdio.h>

#include "store/meta.h"
#include "store/store_int.h"

enum rp_err store_meta_gen(struct store_conn *c, uint64_t *out)
{
    int64_t gen = 0;
    enum rp_err err = store_query_int(c, "SELECT gen FROM meta_state WHERE id = 1", NULL, 0, &gen);
    *out = (uint64_t)gen;
    return err;
}

enum rp_err store_meta_bump(struct store_conn *c)
{
    return store_exec(c, "UPDATE meta_state SET gen = gen + 1 WHERE id = 1", NULL, 0);
}

#define ENTITY_COLS "name, label, label_plural, label_zh, label_plural_zh, title_field"
#define FIELD_COLS                                                                         \
    "entity, name, type, label, label_zh, help, enum_values, ref_entity, def, deleted_at,"  \
    " drop_after, flags, maxlen, min_value, max_value"

/* Runs sql (no parameters) and reads each row with read into an arena array. */
static enum rp_err read_all(struct store_conn *c, const char *sql, struct arena *a, size_t size,
                            void (*read)(struct store_stmt *st, struct arena *a, void *row),
                            void **out, size_t *n)
{
    struct store_stmt *st;
    enum rp_err err = store_prepare(c, sql, &st);
    if (err)
        return err;
    size_t cap = 8, count = 0;
    char *rows = arena_calloc(a, cap, size);
    bool row;
    while (!(err = store_step(st, &row)) && row) {
        if (count == cap)
            rows = arena_grow(a, rows, &cap, size);
        read(st, a, rows + count * size);
        count++;
    }
    store_done(st);
    *out = rows;
    *n = count;
    return err;
}

static void read_entity(struct store_stmt *st, struct arena *a, void *row)
{
    struct store_custom_entity *e = row;
    const char **cols[] = {&e->name,     &e->label,           &e->label_plural,
                           &e->label_zh, &e->label_plural_zh, &e->title_field};
    for (size_t i = 0; i < RP_NELEM(cols); i++)
        *cols[i] = store__col_dup(st, (int)i, a);
}

static void read_field(struct store_stmt *st, struct arena *a, void *row)
{
    struct store_custom_field *f = row;
    const char **cols[] = {&f->entity,   &f->name,       &f->type, &f->label,
                           &f->label_zh, &f->help,       &f->enum_values,
                           &f->ref_entity, &f->def,      &f->deleted_at, &f->drop_after};
    for (size_t i = 0; i < RP_NELEM(cols); i++)
        *cols[i] = store__col_dup(st, (int)i, a);
    f->flags = store_col_int(st, 11);
    f->maxlen = store_col_int(st, 12);
    f->has_min = !store_col_null(st, 13);
    f->min = store_col_int(st, 13);
    f->has_max = !store_col_null(st, 14);
    f->max = store_col_int(st, 14);
}

enum rp_err store_custom_entities(struct store_conn *c, struct arena *a,
                                  struct store_custom_entity **out, size_t *n)
{
    void *rows;
    enum rp_err err = read_all(c, "SELECT " ENTITY_COLS " FROM custom_entities ORDER BY seq", a,
                               sizeof(**out), read_entity, &rows, n);
    *out = rows;
    return err;
}

enum rp_err store_custom_fields(struct store_conn *c, struct arena *a,
                                struct store_custom_field **out, size_t *n)
{
    void *rows;
    enum rp_err err = read_all(c, "SELECT " FIELD_COLS " FROM custom_fields ORDER BY seq", a,
                               sizeof(**out), read_field, &rows, n);
    *out = rows;
    return err;
}

enum rp_err store_custom_entity_insert(struct store_conn *c, const struct store_custom_entity *e,
                                       const char *now, const char *user_id)
{
    struct store_val v[] = {store_cstr(e->name),         store_cstr(e->label),
                            store_cstr(e->label_plural), store_cstr(e->label_zh),
                            store_cstr(e->label_plural_zh), store_cstr(e->title_field),
                            store_cstr(now),             store_cstr(user_id)};
    return store_exec(c,
                      "INSERT INTO custom_entities(" ENTITY_COLS ", created_at, created_by)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

static struct store_val opt_int(bool has, int64_t i)
{
    return has ? store_int(i) : store_null();
}

enum rp_err store_custom_field_insert(struct store_conn *c, const struct store_custom_field *f,
                                      const char *now, const char *user_id)
{
    struct store_val v[] = {store_cstr(f->entity),      store_cstr(f->name),
                            store_cstr(f->type),        store_cstr(f->label),
                            store_cstr(f->label_zh),    store_cstr(f->help),
                            store_cstr(f->enum_values), store_cstr(f->ref_entity),
                            store_cstr(f->def),         store_null(),
                            store_null(),               store_int(f->flags),
                            store_int(f->maxlen),       opt_int(f->has_min, f->min),
                            opt_int(f->has_max, f->max), store_cstr(now),
                            store_cstr(user_id)};
    return store_exec(c,
                      "INSERT INTO custom_fields(" FIELD_COLS ", created_at, created_by)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      v, RP_NELEM(v));
}

enum rp_err store_custom_field_update(struct store_conn *c, const struct store_custom_field *f)
{
    struct store_val v[] = {store_cstr(f->type),        store_cstr(f->label),
                            store_cstr(f->label_zh),    store_cstr(f->help),
                            store_cstr(f->enum_values), store_cstr(f->def),
                            store_cstr(f->deleted_at),  store_cstr(f->drop_after),
                            store_int(f->flags),        store_int(f->maxlen),
                            opt_int(f->has_min, f->min), opt_int(f->has_max, f->max),
                            store_cstr(f->entity),      store_cstr(f->name)};
    return store_exec(c,
                      "UPDATE custom_fields SET type = ?, label = ?, label_zh = ?, help = ?,"
                      " enum_values = ?, def = ?, deleted_at = ?, drop_after = ?, flags = ?,"
                      " maxlen = ?, min_value = ?, max_value = ? WHERE entity = ? AND name = ?",
                      v, RP_NELEM(v));
}

enum rp_err store_custom_field_delete(struct store_conn *c, const char *entity, const char *name)
{
    struct store_val v[] = {store_cstr(entity), store_cstr(name)};
    return store_exec(c, "DELETE FROM custom_fields WHERE entity = ? AND name = ?", v,
                      RP_NELEM(v));
}

enum rp_err store_column_nulls(struct store_conn *c, const char *table, const char *column,
                               int64_t *n)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM %s WHERE %s IS NULL AND deleted_at IS NULL", table, column);
    return store_query_int(c, sql, NULL, 0, n);
}

enum rp_err store_column_duplicates(struct store_conn *c, const char *table,
                                    const char *column, int64_t *n)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM (SELECT %s FROM %s WHERE %s IS NOT NULL AND deleted_at IS NULL"
             " GROUP BY workspace_id, %s HAVING count(*) > 1) d",
             column, table, column, column);
    return store_query_int(c, sql, NULL, 0, n);
}

enum rp_err store_column_uses(struct store_conn *c, const char *table, const char *column,
                              bool list, const char *value, int64_t *n)
{
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    enum rp_err err = buf_printf(&sql, "SELECT count(*) FROM %s t WHERE ", table);
    char col[128];
    snprintf(col, sizeof(col), "t.%s", column);
    if (!err)
        err = list ? c->store->ops->json_array_has_any(&sql, col, 1)
                   : buf_printf(&sql, "%s = ?", col);
    struct store_val v[] = {store_cstr(value)};
    if (!err)
        err = store_query_int(c, buf_cstr(&sql), v, RP_NELEM(v), n);
    buf_release(&sql);
    return err;
}

enum rp_err store_column_fill(struct store_conn *c, const char *table, const char *column,
                              struct store_val value)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE %s IS NULL", table, column, column);
    return store_exec(c, sql, &value, 1);
}

enum rp_err store_column_to_audit(struct store_conn *c, const char *table, const char *column,
                                  const char *at, const char *user_id)
{
    char sql[768];
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit_log(workspace_id, at, user_id, entity, record_id, action, field,"
             " old_value, new_value) SELECT workspace_id, ?, ?, '%s', id, 'field_delete', '%s',"
             " CAST(%s AS TEXT), NULL FROM %s WHERE %s IS NOT NULL ORDER BY seq",
             table, column, column, table, column);
    struct store_val v[] = {store_cstr(at), store_cstr(user_id)};
    return store_exec(c, sql, v, RP_NELEM(v));
}

enum rp_err store_count_live(struct store_conn *c, const char *table, int64_t *n)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted_at IS NULL", table);
    return store_query_int(c, sql, NULL, 0, n);
}

enum rp_err store_column_unindex(struct store_conn *c, const char *table, const char *column)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "DROP INDEX IF EXISTS %s_%s_uq; DROP INDEX IF EXISTS %s_%s_key;"
             " DROP INDEX IF EXISTS %s_%s; DROP INDEX IF EXISTS %s__%s_seq;",
             table, column, table, column, table, column, table, column);
    return store__exec_script(c, sql);
}

enum rp_err store_column_drop(struct store_conn *c, const char *table, const char *column)
{
    char sql[768];
    /* Gone already (a database copied by rapport migrate has only the live fields). */
    snprintf(sql, sizeof(sql), "SELECT count(%s) FROM %s WHERE 1 = 0", column, table);
    int64_t n;
    if (store_query_int(c, sql, NULL, 0, &n) != RP_OK)
        return RP_OK;
    snprintf(sql, sizeof(sql),
             "DROP INDEX IF EXISTS %s_%s_uq; DROP INDEX IF EXISTS %s_%s_key;"
             " DROP INDEX IF EXISTS %s_%s; DROP INDEX IF EXISTS %s__%s_seq;"
             " ALTER TABLE %s DROP COLUMN %s;",
             table, column, table, column, table, column, table, column, table, column);
    return store__exec_script(c, sql);
}
