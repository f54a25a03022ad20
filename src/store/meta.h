/* What an administrator added to the metadata (engine/custom.h): custom entities and
 * custom fields, the metadata generation every server compares with its own, and the
 * schema changes they make. Portable SQL over db.h; identifiers come from metadata
 * that the engine checked, never from input as it came. */
#ifndef RP_STORE_META_H
#define RP_STORE_META_H

#include "store/db.h"

struct store_custom_entity {
    const char *name;
    const char *label;
    const char *label_plural;
    const char *label_zh;
    const char *label_plural_zh;
    const char *title_field;
};

struct store_custom_field {
    const char *entity;
    const char *name;
    const char *type;          /* meta_type_name */
    const char *label;
    const char *label_zh;
    const char *help;
    int64_t flags;             /* enum field_flag */
    int64_t maxlen;            /* 0: the type's */
    const char *enum_values;   /* JSON array, or NULL */
    const char *ref_entity;
    const char *def;
    bool has_min, has_max;
    int64_t min, max;
    const char *deleted_at;    /* removed: the column waits for drop_after */
    const char *drop_after;
};

/* meta_state.gen. */
enum rp_err store_meta_gen(struct store_conn *c, uint64_t *out);
/* Moves the generation on, in the caller's transaction. */
enum rp_err store_meta_bump(struct store_conn *c);

/* Every custom entity, oldest first; every custom field, removed ones included, in
 * the order they were added. */
enum rp_err store_custom_entities(struct store_conn *c, struct arena *a,
                                  struct store_custom_entity **out, size_t *n);
enum rp_err store_custom_fields(struct store_conn *c, struct arena *a,
                                struct store_custom_field **out, size_t *n);
enum rp_err store_custom_entity_insert(struct store_conn *c, const struct store_custom_entity *e,
                                       const char *now, const char *user_id);
enum rp_err store_custom_field_insert(struct store_conn *c, const struct store_custom_field *f,
                                      const char *now, const char *user_id);
/* Writes a field's changeable columns (labels, help, flags, maxlen, enum values,
 * default, bounds, type) and its removal (deleted_at, drop_after). */
enum rp_err store_custom_field_update(struct store_conn *c, const struct store_custom_field *f);
enum rp_err store_custom_field_delete(struct store_conn *c, const char *entity, const char *name);

/* ---- the data of one column of a record table ---- */

/* Live rows whose column is NULL, and live rows whose value another live row holds. */
enum rp_err store_column_nulls(struct store_conn *c, const char *table, const char *column,
                               int64_t *n);
enum rp_err store_column_duplicates(struct store_conn *c, const char *table,
                                    const char *column, int64_t *n);
/* Rows (recycle bin included) whose value is `value` (or, for a JSON list column,
 * whose list holds it). */
enum rp_err store_column_uses(struct store_conn *c, const char *table, const char *column,
                              bool list, const char *value, int64_t *n);
/* Sets the column of every row where it is NULL. */
enum rp_err store_column_fill(struct store_conn *c, const char *table, const char *column,
                              struct store_val value);
/* Copies every non-NULL value of the column into the audit log (action "field_delete",
 * the value as old_value), so a record's history keeps what a removed field held. */
enum rp_err store_column_to_audit(struct store_conn *c, const char *table, const char *column,
                                  const char *at, const char *user_id);
/* Live rows of a record table. */
enum rp_err store_count_live(struct store_conn *c, const char *table, int64_t *n);
/* Drops the indexes on the column (store_sync_table makes those it should have). */
enum rp_err store_column_unindex(struct store_conn *c, const char *table, const char *column);
/* Drops the column and the indexes on it. */
enum rp_err store_column_drop(struct store_conn *c, const char *table, const char *column);

#endif
