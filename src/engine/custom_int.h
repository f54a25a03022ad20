/* Shared inside the custom fields code (custom.c, custom_def.c): reading and
 * checking the definition of a field as an administrator sends it. */
#ifndef RP_ENGINE_CUSTOM_INT_H
#define RP_ENGINE_CUSTOM_INT_H

#include "engine/custom.h"
#include "store/meta.h"

/* What a definition's members set, beside the field itself. */
struct custom_def {
    bool has_type, has_enum, has_min, has_max, has_def, has_maxlen, has_ref;
    const char *min_text, *max_text;
    const struct rec_input *def;
};

/* The type named (meta_type_name); false when none is. */
bool custom__type_parse(const char *name, enum field_type *out);
/* A lower-case identifier of 2..40 characters from a letter; a reserved word. */
bool custom__ident_ok(const char *s);
bool custom__reserved(const char *s);
/* A member's text (NULL for null or empty); a field error over max characters. */
const char *custom__text(struct rec_ctx *ctx, const struct rec_input *in, const char *member,
                         unsigned max);
/* Reads a definition's members onto f: a new field of the entity named self (which its
 * references may name before it exists), or, with self NULL, a copy of the field being
 * changed. Field errors name the members. */
void custom__read_def(struct rec_ctx *ctx, const struct rec_input *in, size_t n, const char *self,
                      struct field_def *f, struct custom_def *d);
/* Checks what the type decides (enum values, reference, bounds, default) once every
 * member is read. */
void custom__check_def(struct rec_ctx *ctx, struct field_def *f, struct custom_def *d);
/* Whether values of the type are JSON lists. */
bool custom__is_list(enum field_type t);
/* The stored form of a field. */
struct store_custom_field custom__row_of(struct rec_ctx *ctx, const char *entity,
                                         const struct field_def *f);
/* Checks a new field's name against e's fields, removed ones and reserved words. */
enum rp_err custom__check_name(struct rec_ctx *ctx, const struct entity_def *e,
                               const char *name);

#endif
