/* Custom fields and custom entities, added by an administrator while the servers run
 * (SuiteCRM's module builder, Twenty's custom objects), and the metadata generation
 * that carries them — and role changes — to every server.
 *
 * A custom field is a real column of its entity's table, a custom entity a real table,
 * made in the transaction that records them (custom_fields, custom_entities) and moves
 * meta_state.gen on. Each server compares that generation with its snapshot's at every
 * request (the session lookup reads it) and at every job, and reloads the metadata
 * when they differ (custom_refresh): a field added on one server is in the next answer
 * of every other. Once in the snapshot, a custom field is a field like any other: the
 * engine's lists, filters, sorts, search, forms, import, export, history and the
 * roles' field rules take it from the metadata.
 *
 * A removed field leaves the metadata at once; its column stays, and its values are
 * copied into each record's history, until a daily task drops it
 * RP_CUSTOM_FIELD_KEEP_DAYS later. Changes that would lose data — a type its values
 * do not fit, an enum value still in use, required over empty values, unique over
 * repeated ones — are refused with field errors (422). */
#ifndef RP_ENGINE_CUSTOM_H
#define RP_ENGINE_CUSTOM_H

#include <stdatomic.h>

#include "engine/rec.h"

/* Loads the metadata (custom entities and fields, roles) into a new snapshot when the
 * database's generation is not the current snapshot's, or always with force. */
enum rp_err custom_refresh(struct store *s, struct store_conn *c, bool force);
/* Records in ctx's transaction that the metadata changed (a role, a field): every
 * server reloads it at its next request. */
enum rp_err custom_changed(struct rec_ctx *ctx);

/* Adds a field to an entity, from its definition as members of a JSON object (name,
 * type, label, label_zh, help, required, unique, indexed, searchable, list, default,
 * min, max, maxlen, enum_values, ref_entity). Administrators only. */
enum rp_err custom_field_add(struct rec_ctx *ctx, struct rp_str entity,
                             const struct rec_input *in, size_t n, const struct field_def **out);
/* Changes a custom field: labels, help, enum values, flags, default, bounds, maxlen,
 * and its type where no value is lost (string to text). */
enum rp_err custom_field_change(struct rec_ctx *ctx, struct rp_str entity, struct rp_str name,
                                const struct rec_input *in, size_t n,
                                const struct field_def **out);
/* Removes a custom field (its values stay in the records' histories). */
enum rp_err custom_field_remove(struct rec_ctx *ctx, struct rp_str entity, struct rp_str name);
/* Adds an entity (name, label, label_plural, label_zh, label_plural_zh, permissions_like)
 * with its fields (at least one; the first string field names records unless
 * title_field says which). With permissions_like, every role gets on it what it has on
 * that entity; without, only administrators reach it until roles are given grants. */
struct custom_field_input {
    const struct rec_input *in;
    size_t n;
};
enum rp_err custom_entity_add(struct rec_ctx *ctx, const struct rec_input *in, size_t n,
                              const struct custom_field_input *fields, size_t nfields,
                              const struct entity_def **out);
/* The daily task: drops the columns of fields removed RP_CUSTOM_FIELD_KEEP_DAYS ago. */
enum rp_err custom_drop_due(struct rec_ctx *ctx);
/* The "search.reindex" job: rebuilds the full-text index of the entity named by the
 * payload, after a field became searchable or stopped being so. */
enum rp_err custom_reindex_run(struct rec_ctx *ctx, struct rp_str payload,
                               const atomic_bool *stop, const char **result);

#endif
